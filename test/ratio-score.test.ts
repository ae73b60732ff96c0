/**
 * The comparison gate's error-rate test against published values: the score test of a ratio of error rates
 * reproduces Gart and Nam's, Fagerland and Newcombe's and R's figures; the normal distribution it rests on keeps
 * its far tail.
 */
import { describe, expect, it } from 'vitest';
import { restrictedRates, stratifiedRatioScore, type RatioScoreOptions } from '../src/rollout/ratio-score.js';
import { normalCdf, normalQuantile, normalSurvival } from '../src/rollout/stats.js';

/** The score interval for the ratio p1 / p0 at `level`: the margins k where the one-sided statistic is +-z (bisection on log k). */
function scoreInterval(x1: number, n1: number, x0: number, n0: number, options: RatioScoreOptions, level = 0.95): [number, number] {
  const z = normalQuantile(1 - (1 - level) / 2);
  const at = (k: number) => stratifiedRatioScore([{ x1, n1, x0, n0 }], k - 1, options).z;
  const solve = (target: number) => {
    let lo = Math.log(1e-4), hi = Math.log(1e4);
    for (let i = 0; i < 100; i++) {
      const mid = (lo + hi) / 2;
      if (at(Math.exp(mid)) > target) lo = mid;
      else hi = mid;
    }
    return Math.exp((lo + hi) / 2);
  };
  return [solve(z), solve(-z)];
}
const round3 = ([a, b]: [number, number]) => [Math.round(a * 1000) / 1000, Math.round(b * 1000) / 1000];

describe('the normal distribution', () => {
  it('keeps its far tail to many digits, where spending begins', () => {
    // Phi(-6) = 9.8658764503769814e-10 and Phi(-1.959963984540054) = 0.025 (Abramowitz and Stegun, table 26.1).
    expect(normalSurvival(6) / 9.8658764503769814e-10 - 1).toBeLessThan(1e-9);
    expect(normalSurvival(1.959963984540054)).toBeCloseTo(0.025, 14);
    expect(normalCdf(-1.959963984540054)).toBeCloseTo(0.025, 14);
    for (const p of [1e-12, 1e-6, 0.025, 0.5, 0.95, 1 - 1e-9]) expect(normalCdf(normalQuantile(p)) / p - 1).toBeLessThan(1e-9);
  });
});

describe('the score test of a ratio of error rates', () => {
  // petelaud/ratesci tests/testthat/test3.R (commit 0c942289aa8de0bd707edf6afae13e286a8f6e04), "legacy & new methods
  // match published examples": scoreci(contrast = "RR") against the intervals Gart and Nam (Biometrics 1988) and
  // Fagerland and Newcombe published. The one-sided test refuses a margin k exactly when the interval excludes it.
  it('gives Gart and Nam\'s score intervals without and with the correction for skewness', () => {
    // x1 = c(8, 6), n1 = c(15, 10), x2 = c(4, 6), n2 = c(15, 20), bcf = F, skew = F: (0.815, 5.336), (0.844, 4.594)
    expect(round3(scoreInterval(8, 15, 4, 15, { biasCorrection: false, skewness: false }))).toEqual([0.815, 5.336]);
    expect(round3(scoreInterval(6, 10, 6, 20, { biasCorrection: false, skewness: false }))).toEqual([0.844, 4.594]);
    // skew = T: (0.806, 6.148), (0.822, 4.954)
    expect(round3(scoreInterval(8, 15, 4, 15, { biasCorrection: false }))).toEqual([0.806, 6.148]);
    expect(round3(scoreInterval(6, 10, 6, 20, { biasCorrection: false }))).toEqual([0.822, 4.954]);
  });

  it('gives Miettinen and Nurminen\'s intervals (bias-corrected variance) on Fagerland and Newcombe\'s tables', () => {
    // x1 = c(24, 29, 7), n1 = c(73, 55, 18), x2 = c(53, 11, 1), n2 = c(65, 11, 18), skew = F:
    // (0.280, 0.560), (0.397, 0.742), (1.296, 42.544)
    expect(round3(scoreInterval(24, 73, 53, 65, { skewness: false }))).toEqual([0.28, 0.56]);
    expect(round3(scoreInterval(29, 55, 11, 11, { skewness: false }))).toEqual([0.397, 0.742]);
    expect(round3(scoreInterval(7, 18, 1, 18, { skewness: false }))).toEqual([1.296, 42.544]);
  });

  it('takes its variance at the restricted rates: p1 = k p0, and the likelihood\'s maximum under that constraint', () => {
    const s = { x1: 9, n1: 140, x0: 14, n0: 560 };
    const { p1, p0 } = restrictedRates(s, 1.1);
    expect(p1 / p0).toBeCloseTo(1.1, 12);
    // The constrained log-likelihood's derivative along p0 (with p1 = k p0) vanishes there.
    const dl = (q: number) => (s.x1 / q - (s.n1 - s.x1) * 1.1 / (1 - 1.1 * q)) + (s.x0 / q - (s.n0 - s.x0) / (1 - q));
    expect(Math.abs(dl(p0))).toBeLessThan(1e-6);
  });

  it('stratified with Mantel-Haenszel weights and no margin, is R\'s Cochran-Mantel-Haenszel test: 3.9286, p = 0.04747', () => {
    // wch/r-source src/library/stats/man/mantelhaen.test.Rd (Agresti 1990, pp. 231-237), penicillin and rabbits: R prints
    // "Mantel-Haenszel X-squared = 3.9286, df = 1, p-value = 0.04747" with the continuity correction of 1/2.
    const rabbits = [
      { x1: 0, n1: 6, x0: 0, n0: 5 }, { x1: 3, n1: 6, x0: 0, n0: 6 }, { x1: 6, n1: 6, x0: 2, n0: 6 },
      { x1: 5, n1: 6, x0: 6, n0: 6 }, { x1: 2, n1: 2, x0: 5, n0: 5 },
    ];
    const r = stratifiedRatioScore(rabbits, 0, { skewness: false });
    // The weighted score times the weights' sum is sum(x1 - n1 m / N) = 3, and the restricted variance with the
    // bias correction N / (N - 1) is the hypergeometric one: so the score is CMH's statistic, uncorrected.
    const numerator = r.difference * r.information;
    expect(numerator).toBeCloseTo(3, 12);
    const variance = (numerator / r.score) ** 2;
    expect((Math.abs(numerator) - 0.5) ** 2 / variance).toBeCloseTo(3.9286, 4);
    expect(2 * normalSurvival(Math.sqrt((Math.abs(numerator) - 0.5) ** 2 / variance))).toBeCloseTo(0.04747, 5);
  });

  it('is skew-corrected towards fewer false alarms when the flag-on side is the small one, and drops empty strata', () => {
    // At 20%, one flag-on request for four off: a few failures on the small side skew the score to the right.
    const s = { x1: 4, n1: 140, x0: 6, n0: 560 };
    const plain = stratifiedRatioScore([s], 0.1, { skewness: false });
    const corrected = stratifiedRatioScore([s], 0.1);
    expect(corrected.z).toBeLessThan(plain.z);
    expect(corrected.score).toBeCloseTo(plain.z, 12);
    expect(stratifiedRatioScore([s, { x1: 0, n1: 0, x0: 9, n0: 10 }], 0.1).z).toBeCloseTo(corrected.z, 12);
    expect(stratifiedRatioScore([{ x1: 0, n1: 50, x0: 0, n0: 80 }], 0.1)).toMatchObject({ z: 0, p: 0.5, strata: 1 });
  });
});
