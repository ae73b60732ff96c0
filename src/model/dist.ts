/**
 * Sampling latency distributions in the hot path: one monomorphic function over a kind code and two
 * parameters, so the call site stays fast whatever mix of distributions a scenario uses.
 */
import type { Dist } from '../scenario/types.js';
import type { RandomStreams } from '../engine/rng.js';

/** 2 pi, as `2 * Math.PI * u` computes it first. */
const TWO_PI = 2 * Math.PI;
const CONSTANT = 0, UNIFORM = 1, EXPONENTIAL = 2, NORMAL = 3, LOGNORMAL = 4, EMPIRICAL = 5;
const CODES: Record<Dist['kind'], number> = {
  constant: CONSTANT, uniform: UNIFORM, exponential: EXPONENTIAL, normal: NORMAL, lognormal: LOGNORMAL, empirical: EMPIRICAL,
};

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
        x = -this.a[i] * Math.log(1 - rng.next(stream));
        break;
      // A standard normal by Box-Muller, written out in each case (a call of its own cost about 5% of a draw); the
      // second value is dropped so that each draw uses exactly two uniforms.
      case NORMAL: {
        const u1 = 1 - rng.next(stream);
        const u2 = rng.next(stream);
        x = this.a[i] + this.b[i] * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2));
        break;
      }
      case LOGNORMAL: {
        const u1 = 1 - rng.next(stream);
        const u2 = rng.next(stream);
        x = Math.exp(this.a[i] + this.b[i] * (Math.sqrt(-2 * Math.log(u1)) * Math.cos(TWO_PI * u2)));
        break;
      }
      default: {
        const s = this.samples[i];
        return s[(rng.next(stream) * s.length) | 0] + this.plus[i];
      }
    }
    return (x > 0 ? roundUs(x) : 0) + this.plus[i];
  }
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

