/**
 * Sweep intervals keep their promise: the 95% intervals the sweep states for quantiles (order statistics) and
 * rates (Wilson) cover the true value about 95% of the time. Checked on synthetic runs drawn from distributions
 * whose quantiles and rates are known, many replications, through the same pure functions the sweep uses;
 * empirical coverage must match the exact coverage within binomial bounds.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../src/engine/rng.js';
import { aggregate, quantileInterval, quantileRanks, wilson } from '../src/sweep/aggregate.js';

const REPLICATIONS = 4000;
const rng = new RandomStreams(2024);
const stream = rng.stream('coverage');
const uniform = () => rng.next(stream);

/** P(B <= k) for B ~ Binomial(n, p), by summing the pmf (each term from log-gamma-free log factors). */
function binomialCdf(k: number, n: number, p: number): number {
  let acc = 0;
  for (let i = 0; i <= k; i++) {
    let logChoose = 0;
    for (let j = 1; j <= i; j++) logChoose += Math.log((n - i + j) / j);
    acc += Math.exp(logChoose + i * Math.log(p) + (n - i) * Math.log1p(-p));
  }
  return Math.min(1, acc);
}

/** Coverage seen in the replications agrees with the exact coverage: within 4 binomial standard deviations. */
function expectCoverage(hits: number, exact: number) {
  const sd = Math.sqrt((exact * (1 - exact)) / REPLICATIONS);
  expect(Math.abs(hits / REPLICATIONS - exact), `coverage ${hits / REPLICATIONS} against exact ${exact}`).toBeLessThan(4 * sd + 1e-9);
}

describe('quantile intervals (order statistics)', () => {
  it('with 30 seeds, a 95th percentile cannot be bounded above: at least 72 seeds are needed', () => {
    const r = quantileRanks(30, 0.95);
    expect(r.upper).toBeNull();
    expect(r.needAbove).toBe(72);
    // 72 is the fewest runs whose maximum exceeds the 95th percentile with probability 97.5%.
    expect(1 - 0.95 ** 71).toBeLessThan(0.975);
    expect(1 - 0.95 ** 72).toBeGreaterThanOrEqual(0.975);
    expect(quantileRanks(72, 0.95).upper).toBe(72);
    const i = quantileInterval(Array.from({ length: 30 }, (_, k) => k), 0.95)!;
    expect(i.interval[1]).toBeNull();
    expect(i.note).toBe('unbounded above with 30 seeds; at least 72 needed');
    expect(aggregate(Array.from({ length: 30 }, (_, k) => k), { kind: 'p', percentile: 95 }).note).toBe(i.note);
  });

  it('claims at least 95% whenever both ranks exist', () => {
    for (const [n, q] of [[10, 0.5], [30, 0.5], [72, 0.95], [200, 0.95], [500, 0.99], [1000, 0.9]]) {
      const r = quantileRanks(n, q);
      expect(r.lower).not.toBeNull();
      expect(r.upper).not.toBeNull();
      const exact = binomialCdf(r.upper! - 1, n, q) - binomialCdf(r.lower! - 1, n, q);
      expect(exact, `n=${n} q=${q}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it.each([
    [40, 0.5],
    [100, 0.95],
    [200, 0.95],
  ])('cover the true quantile of an exponential as often as they claim: n = %i, q = %f', (n, q) => {
    const truth = -Math.log(1 - q);
    const r = quantileRanks(n, q);
    const exact = binomialCdf(r.upper! - 1, n, q) - binomialCdf(r.lower! - 1, n, q);
    let hits = 0;
    for (let rep = 0; rep < REPLICATIONS; rep++) {
      const sample = Array.from({ length: n }, () => -Math.log(1 - uniform())).sort((a, b) => a - b);
      const [lo, hi] = quantileInterval(sample, q)!.interval;
      if (lo! <= truth && truth <= hi!) hits++;
    }
    expect(exact).toBeGreaterThanOrEqual(0.95);
    expectCoverage(hits, exact);
  });

  it('cover a fresh estimate of users hurt (many zeros, integer counts) at least 95% of the time', () => {
    // A policy's users hurt per run: none in 60% of runs, else a lognormal count. The "fresh seeds" estimate of
    // its p95 comes from 200,000 runs.
    const draw = () => (uniform() < 0.6 ? 0 : Math.round(Math.exp(3 + Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform()))));
    const fresh = Array.from({ length: 200_000 }, draw).sort((a, b) => a - b);
    const truth = fresh[Math.ceil(0.95 * fresh.length) - 1];
    const n = 150;
    let hits = 0;
    for (let rep = 0; rep < REPLICATIONS; rep++) {
      const a = aggregate(Array.from({ length: n }, draw), { kind: 'p', percentile: 95 });
      const [lo, hi] = a.interval!;
      if (lo! <= truth && truth <= hi!) hits++;
    }
    // With ties the order-statistic interval is conservative: at least its claim, within binomial noise.
    expect(hits / REPLICATIONS).toBeGreaterThan(0.95 - 4 * Math.sqrt((0.95 * 0.05) / REPLICATIONS));
  });
});

describe('rate intervals (Wilson)', () => {
  it.each([
    [200, 0.1],
    [100, 0.5],
    [300, 0.03],
  ])('cover the true rate about 95 times in 100: n = %i, p = %f', (n, p) => {
    // Exact coverage: the sum of P(k) over the k whose interval holds p.
    let exact = 0;
    for (let k = 0; k <= n; k++) {
      const w = wilson(k, n);
      if (w.low! <= p && p <= w.high!) exact += binomialCdf(k, n, p) - (k > 0 ? binomialCdf(k - 1, n, p) : 0);
    }
    expect(exact).toBeGreaterThan(0.93);
    expect(exact).toBeLessThan(0.97);
    let hits = 0;
    for (let rep = 0; rep < REPLICATIONS; rep++) {
      let k = 0;
      for (let i = 0; i < n; i++) if (uniform() < p) k++;
      const a = aggregate(Array.from({ length: n }, (_, i) => (i < k ? 1 : 0)), { kind: 'rate' });
      if (a.interval![0]! <= p && p <= a.interval![1]!) hits++;
    }
    expectCoverage(hits, exact);
  });
});
