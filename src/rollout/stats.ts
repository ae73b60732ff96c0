/**
 * The statistics canary analysis needs, as pure functions: the normal distribution, a two-proportion z-test
 * and a Mann-Whitney U test on bucketed latencies (ties handled with the usual correction), and their
 * stratified forms for comparisons within strata (journeys): van Elteren's combination of the Mann-Whitney
 * statistics, and the stratified score test of a ratio of error rates (ratio-score.ts).
 */

/**
 * P(Z > z) for a standard normal Z, to double precision in both tails (Hart's algorithm 5666, 1968, in the form
 * West gives, "Better approximations to cumulative normal functions", Wilmott 2009): group-sequential bounds
 * spend probabilities as small as 1e-12 at early readings, where a formula with an absolute error of 1e-8 is useless.
 */
export function normalSurvival(z: number): number {
  const x = Math.abs(z);
  let tail: number;
  if (x > 37) tail = 0;
  else if (x < 7.07106781186547) {
    const e = Math.exp((-x * x) / 2);
    const num = ((((((0.0352624965998911 * x + 0.700383064443688) * x + 6.37396220353165) * x + 33.912866078383) * x + 112.079291497871) * x + 221.213596169931) * x + 220.206867912376);
    const den = (((((((0.0883883476483184 * x + 1.75566716318264) * x + 16.064177579207) * x + 86.7807322029461) * x + 296.564248779674) * x + 637.333633378831) * x + 793.826512519948) * x + 440.413735824752);
    tail = (e * num) / den;
  } else {
    // The continued fraction of Mills' ratio.
    const e = Math.exp((-x * x) / 2);
    tail = e / (x + 1 / (x + 2 / (x + 3 / (x + 4 / (x + 0.65))))) / 2.506628274631;
  }
  return z > 0 ? tail : 1 - tail;
}

/** Standard normal CDF: P(Z <= z), to double precision (normalSurvival's algorithm). */
export function normalCdf(z: number): number {
  return normalSurvival(-z);
}

/**
 * Standard normal quantile: Acklam's rational approximation (relative error under 1.2e-9), refined by one step
 * of Halley's method on normalCdf, as Acklam advises, to double precision.
 */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new RangeError('p must lie in (0, 1)');
  const x = acklam(p);
  // Halley's step on the tail nearer to p, where the CDF is exact to the last digit.
  const e = x < 0 ? normalCdf(x) - p : (1 - p) - normalSurvival(x);
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

function acklam(p: number): number {
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -acklam(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) /
    (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

export interface TestResult {
  /** The test statistic (a z score). */
  z: number;
  /** One-sided p-value of "the canary is worse than the control by more than the tolerance". */
  p: number;
}

/**
 * One-sided test of H1: p1 > (1 + tolerance) * p0, from x1 failures in n1 (canary) and x0 in n0 (control).
 */
export function twoProportion(x1: number, n1: number, x0: number, n0: number, tolerance: number): TestResult {
  const p1 = x1 / n1;
  const p0 = x0 / n0;
  const k = 1 + tolerance;
  const variance = (p1 * (1 - p1)) / n1 + (k * k * p0 * (1 - p0)) / n0;
  const diff = p1 - k * p0;
  if (variance === 0) return { z: diff > 0 ? Infinity : diff < 0 ? -Infinity : 0, p: diff > 0 ? 0 : 1 };
  const z = diff / Math.sqrt(variance);
  return { z, p: normalSurvival(z) };
}

/**
 * Mann-Whitney U, one-sided, H1: canary values tend to exceed control values scaled by (1 + tolerance). Values
 * come as ascending (value, count) buckets; equal values are ties. Normal approximation with tie correction.
 */
export function mannWhitney(
  canary: readonly (readonly [number, number])[],
  control: readonly (readonly [number, number])[],
  tolerance: number,
): TestResult & { n1: number; n2: number } {
  const { u, mean, variance, n1, n2 } = uStatistic(canary, control, tolerance);
  if (!(variance > 0)) return { z: 0, p: 1, n1, n2 };
  const z = (u - mean) / Math.sqrt(variance);
  return { z, p: normalSurvival(z), n1, n2 };
}

/** U (pairs with the canary above the scaled control, ties half), its mean and tie-corrected variance under H0. */
function uStatistic(
  canary: readonly (readonly [number, number])[],
  control: readonly (readonly [number, number])[],
  tolerance: number,
): { u: number; mean: number; variance: number; n1: number; n2: number } {
  const k = 1 + tolerance;
  const y = control.map(([v, c]) => [v * k, c] as const);
  const n1 = canary.reduce((s, [, c]) => s + c, 0);
  const n2 = y.reduce((s, [, c]) => s + c, 0);
  // Merge the two ascending lists; U counts pairs (x, y) with x > y, half for ties.
  let u = 0;
  let below = 0; // control values strictly below the current canary value
  let j = 0;
  let tieTerm = 0;
  for (const [x, cx] of canary) {
    while (j < y.length && y[j][0] < x) {
      below += y[j][1];
      tieTerm += cube(y[j][1]);
      j++;
    }
    let equal = 0;
    if (j < y.length && y[j][0] === x) {
      equal = y[j][1];
      below += 0;
    }
    u += cx * (below + equal / 2);
    tieTerm += cube(cx + equal);
    if (equal) {
      below += equal;
      j++;
    }
  }
  while (j < y.length) tieTerm += cube(y[j++][1]);
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))) : 0;
  return { u, mean, variance, n1, n2 };
}

/** Bucketed values of one stratum (a journey): the canary's and the control's, as mannWhitney takes them. */
export interface RankStratum {
  readonly canary: readonly (readonly [number, number])[];
  readonly control: readonly (readonly [number, number])[];
}

/**
 * Van Elteren's stratified Mann-Whitney test (van Elteren 1960; Lehmann, Nonparametrics, 1975, pp. 132-141),
 * one-sided, H1: within strata, canary values tend to exceed control values scaled by (1 + tolerance). Each
 * stratum's rank statistic, centred, is weighted by 1 / (N + 1), N its size, and the weighted sum is referred to
 * the normal distribution with the tie-corrected variances. Strata with one side empty carry no information and
 * drop out. With one stratum it is the Mann-Whitney test. `information` is the sum over strata of n1 n2 / (n1 + n2),
 * to which the statistic's information is proportional (its variance, on the scale of P(X > Y), is about
 * (N + 1) / (12 n1 n2) in each stratum): group-sequential bounds need only its growth from reading to reading.
 */
export function vanElteren(strata: readonly RankStratum[], tolerance: number): TestResult & { n1: number; n2: number; strata: number; information: number } {
  let t = 0, v = 0, n1 = 0, n2 = 0, used = 0, information = 0;
  for (const s of strata) {
    const r = uStatistic(s.canary, s.control, tolerance);
    if (r.n1 === 0 || r.n2 === 0) continue;
    const w = 1 / (r.n1 + r.n2 + 1);
    t += w * (r.u - r.mean);
    v += w * w * r.variance;
    n1 += r.n1;
    n2 += r.n2;
    information += (r.n1 * r.n2) / (r.n1 + r.n2);
    used++;
  }
  if (!(v > 0)) return { z: 0, p: 1, n1, n2, strata: used, information };
  const z = t / Math.sqrt(v);
  return { z, p: normalSurvival(z), n1, n2, strata: used, information };
}

function cube(t: number): number {
  return t * t * t - t;
}
