/**
 * The statistics canary analysis needs, as pure functions: the normal distribution, a two-proportion z-test
 * and a Mann-Whitney U test on bucketed latencies (ties handled with the usual correction).
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
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (!(variance > 0)) return { z: 0, p: 1, n1, n2 };
  const z = (u - mean) / Math.sqrt(variance);
  return { z, p: 1 - normalCdf(z), n1, n2 };
}

function cube(t: number): number {
  return t * t * t - t;
}
