/**
 * The statistics canary analysis needs, as pure functions: the normal distribution, a two-proportion z-test
 * and a Mann-Whitney U test on bucketed latencies (ties handled with the usual correction), and their
 * stratified forms for comparisons within strata (journeys): van Elteren's combination of the Mann-Whitney
 * statistics, and a Mantel-Haenszel-weighted difference of proportions.
 */

/** Standard normal CDF (Zelen and Severo 26.2.17, absolute error under 7.5e-8). */
export function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p = d * t * (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z > 0 ? 1 - p : p;
}

/** Standard normal quantile (Acklam's rational approximation, relative error under 1.2e-9). */
export function normalQuantile(p: number): number {
  if (p <= 0 || p >= 1) throw new RangeError('p must lie in (0, 1)');
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
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
  return { z, p: 1 - normalCdf(z) };
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
  return { z, p: 1 - normalCdf(z), n1, n2 };
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
 * drop out. With one stratum it is the Mann-Whitney test.
 */
export function vanElteren(strata: readonly RankStratum[], tolerance: number): TestResult & { n1: number; n2: number; strata: number } {
  let t = 0, v = 0, n1 = 0, n2 = 0, used = 0;
  for (const s of strata) {
    const r = uStatistic(s.canary, s.control, tolerance);
    if (r.n1 === 0 || r.n2 === 0) continue;
    const w = 1 / (r.n1 + r.n2 + 1);
    t += w * (r.u - r.mean);
    v += w * w * r.variance;
    n1 += r.n1;
    n2 += r.n2;
    used++;
  }
  if (!(v > 0)) return { z: 0, p: 1, n1, n2, strata: used };
  const z = t / Math.sqrt(v);
  return { z, p: 1 - normalCdf(z), n1, n2, strata: used };
}

/** Failures and sizes of one stratum's canary (x1 of n1) and control (x0 of n0). */
export interface ProportionStratum {
  readonly x1: number;
  readonly n1: number;
  readonly x0: number;
  readonly n0: number;
}

/**
 * The stratified two-proportion test, one-sided, H1: within strata, p1 > (1 + tolerance) * p0. Each stratum's
 * difference p1 - (1 + tolerance) * p0 is weighted by n1 * n0 / (n1 + n0), the Mantel-Haenszel weight (with a
 * tolerance of 0 the weighted sum is the Cochran-Mantel-Haenszel numerator), and the weighted mean is referred to
 * the normal distribution with its unpooled variance, as twoProportion does for one stratum (to which it reduces).
 * Strata with one side empty drop out. `difference` is the weighted mean difference.
 */
export function stratifiedTwoProportion(strata: readonly ProportionStratum[], tolerance: number): TestResult & { difference: number; strata: number } {
  const k = 1 + tolerance;
  let sw = 0, d = 0, v = 0, used = 0;
  for (const s of strata) {
    if (s.n1 === 0 || s.n0 === 0) continue;
    const w = (s.n1 * s.n0) / (s.n1 + s.n0);
    const p1 = s.x1 / s.n1, p0 = s.x0 / s.n0;
    sw += w;
    d += w * (p1 - k * p0);
    v += w * w * ((p1 * (1 - p1)) / s.n1 + (k * k * p0 * (1 - p0)) / s.n0);
    used++;
  }
  if (used === 0) return { z: 0, p: 1, difference: 0, strata: 0 };
  const diff = d / sw;
  const variance = v / (sw * sw);
  if (variance === 0) return { z: diff > 0 ? Infinity : diff < 0 ? -Infinity : 0, p: diff > 0 ? 0 : 1, difference: diff, strata: used };
  const z = diff / Math.sqrt(variance);
  return { z, p: 1 - normalCdf(z), difference: diff, strata: used };
}

function cube(t: number): number {
  return t * t * t - t;
}
