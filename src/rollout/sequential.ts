/**
 * Repeated looks at accumulating data: a comparison read at every evaluation of a stage, rolling back at the
 * first reading past its bound, errs more often than one reading does. Alpha spending (Lan and DeMets,
 * Biometrika 1983) shares the stage's one-sided error 1 - confidence among its readings: a spending function
 * alpha(t) says how much may have been spent by the fraction t of the stage, and each reading's bound is set so
 * that, under the null hypothesis, the chance of crossing it for the first time there is alpha(t_k) - alpha(t_k-1).
 *
 * Two families of looks:
 * - Nested (a comparison over the stage so far): the readings are the partial sums of one growing sample, whose
 *   z statistics have Corr(Z_i, Z_k) = sqrt(I_i / I_k) for informations I_i < I_k. The bound of each reading is
 *   found by numerical integration over the paths that crossed no earlier bound (Armitage, McPherson and Rowe,
 *   JRSS A 1969), on the grid of Jennison and Turnbull (Group Sequential Methods, 2000, chapter 19), with the
 *   O'Brien-Fleming-type spending function alpha(t) = 2 - 2 Phi(Phi^-1(1 - alpha / 2) / sqrt(t)): it spends almost
 *   nothing on the first readings, when a few requests could mislead, and leaves the last reading's bound close to
 *   the single reading's.
 * - Separate (a moving window): readings of overlapping windows are correlated in no such pattern; each reading is
 *   held to its share of the error alone (alpha(t) = alpha t, in equal parts for evenly spaced readings), which by
 *   the union bound keeps the stage's error within alpha whatever their correlation.
 */
import { normalQuantile, normalSurvival } from './stats.js';

export type SpendingFunction = (alpha: number, t: number) => number;

/** Lan-DeMets' O'Brien-Fleming-type spending function (gsDesign sfLDOF, ldbounds iuse = 1), one-sided. */
export const obrienFleming: SpendingFunction = (alpha, t) =>
  t <= 0 ? 0 : t >= 1 ? alpha : 2 * normalSurvival(normalQuantile(1 - alpha / 2) / Math.sqrt(t));

/** Linear spending: equal shares for evenly spaced readings. */
export const linear: SpendingFunction = (alpha, t) => alpha * Math.min(1, Math.max(0, t));

/** A reading's bound: reject when z exceeds `bound`, whose one-sided nominal p-value is `nominal`. */
export interface Bound {
  bound: number;
  nominal: number;
  /** The error spent by the stage up to and including this reading. */
  spent: number;
}

const SQRT_2PI = Math.sqrt(2 * Math.PI);
const density = (x: number) => Math.exp((-x * x) / 2) / SQRT_2PI;

/** Grid points per unit of Jennison and Turnbull's grid (their r; gsDesign uses 18, and so do we). */
const R = 18;
/** The grid's last point: beyond it a standard normal has less than 1e-47 of its mass. */
const TOP = 3 + 4 * Math.log(R);

/**
 * Jennison and Turnbull's grid for a standard normal statistic (their section 19.2.1): 6r - 1 points, dense
 * within 3 of the mean and spreading out to 3 + 4 ln r beyond it, cut at `upper` (which becomes the last point),
 * then with the midpoints of its intervals and Simpson's weights.
 */
function grid(upper: number): { z: Float64Array; w: Float64Array } {
  const x: number[] = [];
  for (let i = 1; i <= 6 * R - 1; i++) {
    const v = i < R ? -3 - 4 * Math.log(R / i) : i <= 5 * R ? -3 + (3 * (i - R)) / (2 * R) : 3 + 4 * Math.log(R / (6 * R - i));
    if (v < upper) x.push(v);
  }
  if (upper < TOP) x.push(upper);
  const m = x.length;
  const z = new Float64Array(2 * m - 1), w = new Float64Array(2 * m - 1);
  for (let i = 0; i < m; i++) z[2 * i] = x[i];
  for (let i = 0; i < m - 1; i++) {
    const h = x[i + 1] - x[i];
    z[2 * i + 1] = (x[i] + x[i + 1]) / 2;
    w[2 * i + 1] = (4 * h) / 6;
    w[2 * i] += h / 6;
    w[2 * i + 2] += h / 6;
  }
  return { z, w };
}

/**
 * The bounds of one stage's readings, computed reading by reading as the readings come: each reading brings its
 * information (any measure proportional to it) and its fraction t of the stage. A reading with nothing left to
 * spend, or (nested) with no more information than the last, cannot reject (bound +Infinity) and leaves the state
 * as it was.
 */
export class SpendingBounds {
  private spent = 0;
  private information = 0;
  /** The last bounded reading's continuation region: its grid points and the sub-density times Simpson's weights. */
  private z: Float64Array | null = null;
  private g: Float64Array | null = null;

  constructor(
    private readonly alpha: number,
    private readonly nested: boolean,
    private readonly spending: SpendingFunction = nested ? obrienFleming : linear,
  ) {}

  next(information: number, t: number): Bound {
    const target = this.spending(this.alpha, Math.min(1, t));
    const share = target - this.spent;
    // Nested readings with no new data repeat the last one; separate readings (a moving window) need not grow.
    if (!(share > 0) || (this.nested && !(information > this.information))) return { bound: Infinity, nominal: 0, spent: this.spent };
    if (!this.nested || this.z === null) {
      // A first reading, or readings of separate samples: the bound of one reading at its share.
      const bound = -normalQuantile(share);
      if (this.nested) this.start(bound);
      this.spent = target;
      this.information = information;
      return { bound, nominal: share, spent: target };
    }
    const bound = this.solve(information, share);
    this.advance(information, bound);
    this.spent = target;
    return { bound, nominal: normalSurvival(bound), spent: target };
  }

  /** The first reading: the standard normal density below its bound. */
  private start(bound: number): void {
    const { z, w } = grid(bound);
    const g = new Float64Array(z.length);
    for (let i = 0; i < z.length; i++) g[i] = w[i] * density(z[i]);
    this.z = z;
    this.g = g;
  }

  /** The chance of crossing `bound` first at a reading of `information`, given no earlier crossing. */
  private crossing(information: number, bound: number): number {
    const r0 = Math.sqrt(this.information), r = Math.sqrt(information), s = Math.sqrt(information - this.information);
    let p = 0;
    for (let i = 0; i < this.z!.length; i++) p += this.g![i] * normalSurvival((bound * r - this.z![i] * r0) / s);
    return p;
  }

  /** The bound whose first-crossing chance is `share` (the chance falls as the bound rises: bisection). */
  private solve(information: number, share: number): number {
    let lo = -10, hi = 40;
    for (let i = 0; i < 200 && hi - lo > 1e-10; i++) {
      const mid = (lo + hi) / 2;
      if (this.crossing(information, mid) > share) lo = mid;
      else hi = mid;
    }
    return (lo + hi) / 2;
  }

  /** The sub-density at the new reading, below its bound: the old one convolved with the increment's normal. */
  private advance(information: number, bound: number): void {
    const r0 = Math.sqrt(this.information), r = Math.sqrt(information), s = Math.sqrt(information - this.information);
    const { z, w } = grid(bound);
    const g = new Float64Array(z.length);
    for (let j = 0; j < z.length; j++) {
      let f = 0;
      for (let i = 0; i < this.z!.length; i++) f += this.g![i] * density((z[j] * r - this.z![i] * r0) / s);
      g[j] = (w[j] * f * r) / s;
    }
    this.z = z;
    this.g = g;
    this.information = information;
  }
}
