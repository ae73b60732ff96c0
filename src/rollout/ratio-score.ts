/**
 * The stratified score test of a ratio of error rates, one-sided: H0 p1 <= k p0 against H1 p1 > k p0, with
 * k = 1 + tolerance, from x1 failures in n1 requests served the flag and x0 in n0 not served it, within each
 * stratum (journey).
 *
 * A score test refers p1 - k p0 to its variance under the null hypothesis, at the rates that maximise the
 * likelihood subject to p1 = k p0 (Miettinen and Nurminen, Statistics in Medicine 1985; Farrington and Manning,
 * Statistics in Medicine 1990). A Wald test takes the variance at the observed rates instead, which at a few
 * failures a side is as noisy as the difference it measures. Strata are combined as Miettinen and Nurminen
 * combine them: each stratum's score weighted by n1 n0 / (n1 + n0), the Mantel-Haenszel weight, and the variance
 * of the weighted sum from the strata's restricted variances (with no tolerance and the bias correction N / (N - 1),
 * the Cochran-Mantel-Haenszel statistic). At small counts and unequal sides (a flag at 20% compares one request
 * served it with four not served) the score's distribution is skewed; Gart and Nam's correction for skewness
 * (Biometrics 1988), stratified as Laud generalises it (Pharmaceutical Statistics 2017, "SCAS"), keeps the
 * one-sided error near its nominal level there. The statistic is the z solving
 *   z = S / sqrt(V) - A (z^2 - 1),  A = mu3 / (6 V^(3/2)),
 * with S the weighted score, V its restricted variance and mu3 its third central moment.
 */
import { normalSurvival, type TestResult } from './stats.js';

/** Failures and sizes of one stratum's flag-on side (x1 of n1) and flag-off side (x0 of n0). */
export interface ProportionStratum {
  readonly x1: number;
  readonly n1: number;
  readonly x0: number;
  readonly n0: number;
}

export interface RatioScoreOptions {
  /** Miettinen and Nurminen's variance bias correction N / (N - 1) in each stratum (default true). */
  biasCorrection?: boolean;
  /** Gart and Nam's correction for skewness (default true). */
  skewness?: boolean;
}

export interface RatioScore extends TestResult {
  /** The score before the skewness correction, S / sqrt(V). */
  score: number;
  /** The weighted mean of p1 - k p0 over strata (the Mantel-Haenszel-weighted difference). */
  difference: number;
  /** Strata with both sides. */
  strata: number;
  /** The sum of the strata's weights, n1 n0 / (n1 + n0): the statistic's information grows in proportion to it. */
  information: number;
}

/** The restricted maximum-likelihood rates under p1 = k p0 (Farrington and Manning's quadratic, its smaller root). */
export function restrictedRates(s: ProportionStratum, k: number): { p1: number; p0: number } {
  const N = s.n1 + s.n0, x = s.x1 + s.x0;
  const a = N * k, b = -(s.n1 * k + s.x1 + s.n0 + s.x0 * k);
  const num = -b - Math.sqrt(Math.max(0, b * b - 4 * a * x));
  const p0 = x === 0 || num === 0 ? 0 : num / (2 * a);
  return { p1: k * p0, p0 };
}

export function stratifiedRatioScore(strata: readonly ProportionStratum[], tolerance: number, options: RatioScoreOptions = {}): RatioScore {
  const k = 1 + tolerance;
  const bias = options.biasCorrection ?? true;
  let W = 0, S = 0, V = 0, M3 = 0, used = 0;
  for (const s of strata) {
    if (s.n1 === 0 || s.n0 === 0) continue;
    const N = s.n1 + s.n0;
    const w = (s.n1 * s.n0) / N;
    const { p1, p0 } = restrictedRates(s, k);
    const lambda = bias && N > 1 ? N / (N - 1) : 1;
    W += w;
    S += w * (s.x1 / s.n1 - (k * s.x0) / s.n0);
    V += w * w * Math.max(0, ((p1 * (1 - p1)) / s.n1 + (k * k * p0 * (1 - p0)) / s.n0) * lambda);
    M3 += w * w * w * ((p1 * (1 - p1) * (1 - 2 * p1)) / (s.n1 * s.n1) - (k * k * k * p0 * (1 - p0) * (1 - 2 * p0)) / (s.n0 * s.n0));
    used++;
  }
  if (used === 0) return { z: 0, p: 1, score: 0, difference: 0, strata: 0, information: 0 };
  const difference = S / W;
  if (!(V > 0) || S === 0) {
    const z = S > 0 ? Infinity : S < 0 ? -Infinity : 0;
    return { z, p: normalSurvival(z), score: z, difference, strata: used, information: W };
  }
  const score = S / Math.sqrt(V);
  const z = options.skewness === false ? score : skewCorrected(score, M3 / (6 * V ** 1.5));
  return { z, p: normalSurvival(z), score, difference, strata: used, information: W };
}

/**
 * The z solving score = z + A (z^2 - 1): the root on the branch through z = score at A = 0. Where the parabola
 * does not reach the score (A < 0 and a score beyond its top, or A > 0 and a score below its bottom), no z of
 * that branch fits and the evidence lies beyond every finite z, in the score's direction.
 */
function skewCorrected(score: number, A: number): number {
  if (A === 0 || !Number.isFinite(A)) return score;
  const disc = 1 + 4 * A * (score + A);
  if (disc < 0) return A < 0 ? Infinity : -Infinity;
  // (-1 + sqrt(disc)) / (2 A), written so that a small A loses no digits.
  return (2 * (score + A)) / (1 + Math.sqrt(disc));
}
