/**
 * Sampling latency distributions in the hot path: one monomorphic function over a kind code and two
 * parameters, so the call site stays fast whatever mix of distributions a scenario uses.
 *
 * Normal, lognormal and exponential draws use the ziggurat method (Marsaglia and Tsang, "The Ziggurat Method for
 * Generating Random Variables", J. Stat. Softw. 5(8), 2000): one 32-bit draw picks a layer (its low 7 bits for the
 * normal, 8 for the exponential), the normal's sign (bit 7) and a point across the layer (the top 24 bits); the
 * point is returned when it lies inside the layer's rectangle under the curve (98.8% of normal draws, 98.9% of
 * exponential ones). Otherwise the wedge is tested against the density with a second uniform, and the base layer's
 * tail is drawn by Marsaglia's method (normal) or memorylessly (exponential). The layer and the point come from
 * disjoint bits of one output, so they are independent (the flaw Doornik found in the original, which used the
 * same bits for both, does not arise). A lognormal draw is exp(mu + sigma z). Against Box-Muller and the inverse
 * transform (before 0.4.0) a lognormal draw takes 24 to 31 ns instead of 44 to 66, an exponential one 6 to 11 ns
 * instead of 16 to 21, on the 2-core x64 the benchmarks run on; test/sampling.test.ts holds both to their CDFs.
 */
import type { Dist } from '../scenario/types.js';
import type { RandomStreams } from '../engine/rng.js';

const CONSTANT = 0, UNIFORM = 1, EXPONENTIAL = 2, NORMAL = 3, LOGNORMAL = 4, EMPIRICAL = 5;
const CODES: Record<Dist['kind'], number> = {
  constant: CONSTANT, uniform: UNIFORM, exponential: EXPONENTIAL, normal: NORMAL, lognormal: LOGNORMAL, empirical: EMPIRICAL,
};

/** A point across a layer: the top 24 bits of a draw. */
const POINT = 2 ** 24;

/**
 * A ziggurat of `n` layers of area `v` under the decreasing density `f` (unnormalised) on x >= 0, whose base layer
 * reaches out to `r` with the tail beyond: each layer's right edge x[i], the threshold below which a point is inside
 * the rectangle under the curve, x[i] / 2^24, and f at each edge (Marsaglia and Tsang's zigset, the edges computed
 * from r and v by the same recurrence).
 */
function ziggurat(n: number, r: number, v: number, f: (x: number) => number, inverse: (y: number) => number) {
  const x = new Float64Array(n + 1);
  x[0] = v / f(r);
  x[1] = r;
  for (let i = 1; i < n - 1; i++) x[i + 1] = inverse(f(x[i]) + v / x[i]);
  x[n] = 0;
  return {
    width: Float64Array.from({ length: n }, (_, i) => x[i] / POINT),
    inside: Uint32Array.from({ length: n }, (_, i) => Math.floor((x[i + 1] / x[i]) * POINT)),
    height: Float64Array.from(x, f),
  };
}

const NORMAL_R = 3.442619855899;
const normalDensity = (x: number): number => Math.exp(-0.5 * x * x);
const { width: ZW, inside: ZK, height: ZH } = ziggurat(128, NORMAL_R, 9.91256303526217e-3, normalDensity, (y) => Math.sqrt(-2 * Math.log(y)));
const EXP_R = 7.69711747013104972;
const { width: EW, inside: EK, height: EH } = ziggurat(256, EXP_R, 3.949659822581572e-3, (x) => Math.exp(-x), (y) => -Math.log(y));

/**
 * Where normalInto() leaves its draw: a double returned from a call that is not inlined is boxed (a heap number
 * per draw), one stored here is not.
 */
const drawn = new Float64Array(1);

/** A standard normal draw from stream `stream` (see above). */
export function normalDraw(rng: RandomStreams, stream: number): number {
  normalInto(rng, stream);
  return drawn[0];
}

/** A standard normal draw from stream `stream` (see above), left in drawn[0]. */
function normalInto(rng: RandomStreams, stream: number): void {
  for (;;) {
    const bits = rng.nextUint32(stream);
    const i = bits & 127;
    const u = bits >>> 8;
    const x = u * ZW[i];
    if (u < ZK[i]) {
      drawn[0] = (bits & 128) === 0 ? x : -x;
      return;
    }
    if (i === 0) {
      // The tail beyond r (Marsaglia 1964): r + t with t exponential of rate r, kept with probability exp(-t^2 / 2).
      let t: number;
      let y: number;
      do {
        t = -Math.log(1 - rng.next(stream)) / NORMAL_R;
        y = -Math.log(1 - rng.next(stream));
      } while (y + y < t * t);
      drawn[0] = (bits & 128) === 0 ? NORMAL_R + t : -NORMAL_R - t;
      return;
    }
    if (ZH[i] + rng.next(stream) * (ZH[i + 1] - ZH[i]) < normalDensity(x)) {
      drawn[0] = (bits & 128) === 0 ? x : -x;
      return;
    }
  }
}

/** A standard exponential draw (mean 1) from stream `stream` (see above). */
export function exponentialDraw(rng: RandomStreams, stream: number): number {
  for (;;) {
    const bits = rng.nextUint32(stream);
    const i = bits & 255;
    const u = bits >>> 8;
    const x = u * EW[i];
    if (u < EK[i]) return x;
    // Beyond r the exponential starts over: r plus a fresh draw.
    if (i === 0) return EXP_R - Math.log(1 - rng.next(stream));
    if (EH[i] + rng.next(stream) * (EH[i + 1] - EH[i]) < Math.exp(-x)) return x;
  }
}

/** A table of distributions addressed by index; built once, then sampled. */
export class DistTable {
  readonly code: Uint8Array;
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly samples: Float64Array[];
  /** A fixed delay added to every draw (a shifted distribution). */
  readonly plus: Float64Array;

  constructor(list: readonly Dist[]) {
    this.code = Uint8Array.from(list, (d) => CODES[d.kind]);
    // Constants and samples are returned as they are, so they are rounded to the clock's microsecond here.
    this.a = Float64Array.from(list, (d) => (d.kind === 'constant' ? Math.round(d.a) : d.a));
    this.b = Float64Array.from(list, (d) => d.b);
    this.samples = list.map((d) => Float64Array.from(d.samples, Math.round));
    this.plus = Float64Array.from(list, (d) => Math.round(d.plus ?? 0));
  }

  /** A draw in integer microseconds, never negative: a negative draw (of a normal) counts as zero, then `plus`. */
  sample(i: number, rng: RandomStreams, stream: number): number {
    let x: number;
    switch (this.code[i]) {
      case CONSTANT:
        return this.a[i] + this.plus[i];
      case UNIFORM:
        x = this.a[i] + (this.b[i] - this.a[i]) * rng.next(stream);
        break;
      case EXPONENTIAL:
        x = this.a[i] * exponentialDraw(rng, stream);
        break;
      case NORMAL:
        normalInto(rng, stream);
        x = this.a[i] + this.b[i] * drawn[0];
        break;
      case LOGNORMAL:
        normalInto(rng, stream);
        return roundedExp(this.a[i] + this.b[i] * drawn[0]) + this.plus[i];
      default: {
        const s = this.samples[i];
        return s[(rng.next(stream) * s.length) | 0] + this.plus[i];
      }
    }
    return (x > 0 ? roundUs(x) : 0) + this.plus[i];
  }
}

/**
 * ln 2 / 64 in two parts: the first with its low 32 bits zero, so that k times it is exact for every k of
 * EXP_LOW..EXP_HIGH; the second the rest, to 2e-33 (ln 2 = Math.LN2 + 2.319046813846299558e-17).
 */
const EXP_LN2_HI = 0.010830417275428772;
const EXP_LN2_LO = (Math.LN2 / 64 - EXP_LN2_HI) + 2.319046813846299558e-17 / 64;
const EXP_K = 64 / Math.LN2;
const EXP_SHIFT = 6755399441055744;
/** e^-20 to e^35 (about 2e-9 to 1.6e15 microseconds): every draw of a latency the scenarios can set. */
const EXP_LOW = -20;
const EXP_HIGH = 35;
/** 2^(j / 64) for j in 0..63, and 2^m for m in -64..63. */
const EXP_STEP = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
const EXP_TWO_OFFSET = 64;
const EXP_TWO = Float64Array.from({ length: 128 }, (_, m) => 2 ** (m - EXP_TWO_OFFSET));
/** 2^-40 (9e-13): some 900 times the two approximations' relative error together; closer to a half, Math.exp decides. */
const EXP_MARGIN = 2 ** -40;

/**
 * roundUs(Math.exp(y)) (0 when Math.exp(y) is not above 0), exactly, in about a third of the time Math.exp takes
 * here (Math.exp of lognormal draws was 3 to 4% of a game day's work). exp(y) = 2^(k/64) e^r with k the nearest
 * integer to 64 y / ln 2 and |r| <= ln 2 / 128, e^r by its Taylor polynomial to r^5 (the next term is under 4e-17 of
 * it): within 1e-15 of exp(y) relatively with the tables' and the arithmetic's rounding (4.2e-16 from Math.exp's value
 * at most over 3e7 draws), as Math.exp is within an ulp of it. That is close enough to round it to a
 * microsecond as Math.exp's value rounds, except within EXP_MARGIN (relatively) of a half: there, and outside
 * [EXP_LOW, EXP_HIGH], it is Math.exp's value that is rounded.
 */
export function roundedExp(y: number): number {
  if (y >= EXP_LOW && y <= EXP_HIGH) {
    // The nearest integer by the 1.5 x 2^52 shift (exact for |64 y / ln 2| < 2^51).
    const kf = (y * EXP_K + EXP_SHIFT) - EXP_SHIFT;
    const k = kf | 0;
    const r = (y - kf * EXP_LN2_HI) - kf * EXP_LN2_LO;
    const e = EXP_TWO[(k >> 6) + EXP_TWO_OFFSET] * EXP_STEP[k & 63] * (1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120))))));
    const t = e + 0.5;
    const n = Math.floor(t);
    const margin = (e + 1) * EXP_MARGIN;
    if (t - n > margin && t - n < 1 - margin) return n;
  }
  const x = Math.exp(y);
  return x > 0 ? roundUs(x) : 0;
}

/**
 * Math.round(x) for 0 <= x < 2^52 (a time in microseconds), in a floor and a compare: V8 on x64 does not always
 * compile Math.round to one instruction, and in the hot path it cost about 15 ns a draw. floor(x + 0.5) is one too
 * high exactly when x + 0.5 rounds up to the next integer in floating point (x just below a half, such as
 * 0.49999999999999994), and r - 0.5 (exact for an integer r below 2^52) is then above x.
 */
export function roundUs(x: number): number {
  const r = Math.floor(x + 0.5);
  return r - 0.5 > x ? r - 1 : r;
}

