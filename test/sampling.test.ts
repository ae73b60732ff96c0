/**
 * Latency draws against their distributions: the ziggurat's normal and exponential (model/dist.ts) by a
 * Kolmogorov-Smirnov test against the exact CDF over a million draws, and by their tails beyond the base layer
 * (where the ziggurat draws the tail by a method of its own); a lognormal set by its p50 and p99 gives those
 * quantiles back. A ziggurat built with a wrong layer area or edge, or a wedge test against the wrong density,
 * fails the KS test by an order of magnitude.
 */
import { describe, expect, it } from 'vitest';
import { RandomStreams } from '../src/engine/rng.js';
import { DistTable, exponentialDraw, normalDraw, roundedExp, roundUs } from '../src/model/dist.js';

/** erf by Abramowitz and Stegun 7.1.26 (absolute error below 1.5e-7). */
function erf(x: number): number {
  const s = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return s * y;
}
const phi = (x: number): number => 0.5 * (1 + erf(x / Math.SQRT2));

/** The KS distance between the sample and a CDF. */
function ks(sample: Float64Array, cdf: (x: number) => number): number {
  const sorted = Float64Array.from(sample).sort();
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

const N = 1_000_000;
/** The KS critical distance at significance 0.001 (1.95 / sqrt(n)). */
const D_CRIT = 1.95 / Math.sqrt(N);

/** Whether a count is within five standard deviations of its binomial expectation. */
function binomialClose(count: number, n: number, p: number): boolean {
  return Math.abs(count - n * p) < 5 * Math.sqrt(n * p * (1 - p));
}

describe('the ziggurat', () => {
  it('draws a standard normal: KS distance under the 0.001 critical value, both tails beyond the base layer', () => {
    const rng = new RandomStreams(11);
    const stream = rng.stream('normal');
    const z = new Float64Array(N);
    for (let i = 0; i < N; i++) z[i] = normalDraw(rng, stream);
    expect(ks(z, phi)).toBeLessThan(D_CRIT);
    let sum = 0;
    for (const x of z) sum += x;
    expect(Math.abs(sum / N)).toBeLessThan(5 / Math.sqrt(N));
    // Beyond r = 3.4426 every draw comes from the tail method: each side holds 1 - phi(3.5) of them.
    const M = 12 * N;
    let above = 0;
    let below = 0;
    const excess: number[] = [];
    for (let i = 0; i < M; i++) {
      const x = normalDraw(rng, stream);
      if (x > 3.5) above++;
      else if (x < -3.5) below++;
      if (Math.abs(x) > 3.5) excess.push(Math.abs(x) - 3.5);
    }
    expect(binomialClose(above, M, 1 - phi(3.5))).toBe(true);
    expect(binomialClose(below, M, 1 - phi(3.5))).toBe(true);
    // And their shape: E[Z - a | Z > a] = pdf(a) / (1 - phi(a)) - a, within four standard errors.
    const pdf = Math.exp(-0.5 * 3.5 * 3.5) / Math.sqrt(2 * Math.PI);
    const mean = excess.reduce((a, b) => a + b, 0) / excess.length;
    const sd = Math.sqrt(excess.reduce((a, b) => a + (b - mean) ** 2, 0) / excess.length);
    expect(Math.abs(mean - (pdf / (1 - phi(3.5)) - 3.5))).toBeLessThan((4 * sd) / Math.sqrt(excess.length));
  });

  it('draws a standard exponential: KS distance under the 0.001 critical value, the tail beyond the base layer', () => {
    const rng = new RandomStreams(12);
    const stream = rng.stream('exponential');
    const x = new Float64Array(N);
    for (let i = 0; i < N; i++) x[i] = exponentialDraw(rng, stream);
    expect(ks(x, (v) => 1 - Math.exp(-v))).toBeLessThan(D_CRIT);
    // Beyond r = 7.697 the draw is r plus a fresh exponential: as many beyond 8 as e^-8 says, and beyond it the
    // excess is again a standard exponential (mean 1, within four standard errors).
    const M = 8 * N;
    let beyond = 0;
    let excess = 0;
    for (let i = 0; i < M; i++) {
      const v = exponentialDraw(rng, stream);
      if (v > 8) {
        beyond++;
        excess += v - 8;
      }
    }
    expect(binomialClose(beyond, M, Math.exp(-8))).toBe(true);
    expect(Math.abs(excess / beyond - 1)).toBeLessThan(4 / Math.sqrt(beyond));
  });

  it('gives a lognormal set by its p50 and p99 those quantiles, in microseconds', () => {
    // p50 4 ms, p99 20 ms: mu = ln 4000, sigma = ln(5) / z(0.99).
    const sigma = Math.log(5) / 2.3263478740408408;
    const table = new DistTable([{ kind: 'lognormal', a: Math.log(4000), b: sigma, samples: [], mean: Math.exp(Math.log(4000) + (sigma * sigma) / 2) }]);
    const rng = new RandomStreams(13);
    const stream = rng.stream('latency');
    const draws = new Float64Array(N);
    for (let i = 0; i < N; i++) draws[i] = table.sample(0, rng, stream);
    draws.sort();
    expect(draws[N / 2]).toBeGreaterThan(3980);
    expect(draws[N / 2]).toBeLessThan(4020);
    expect(draws[0.99 * N]).toBeGreaterThan(19_700);
    expect(draws[0.99 * N]).toBeLessThan(20_300);
    expect(draws.every((d) => Number.isInteger(d) && d >= 0)).toBe(true);
  });

  it('draws a lognormal as Math.exp of the normal draw, rounded to the microsecond', () => {
    const table = new DistTable([{ kind: 'lognormal', a: Math.log(300), b: 0.69, samples: [], mean: 381 }]);
    const a = new RandomStreams(17);
    const b = new RandomStreams(17);
    const sa = a.stream('latency');
    const sb = b.stream('latency');
    const differ: number[] = [];
    for (let i = 0; i < 200_000; i++) {
      const drawn = table.sample(0, a, sa);
      if (drawn !== roundUs(Math.exp(Math.log(300) + 0.69 * normalDraw(b, sb)))) differ.push(i);
    }
    expect(differ).toEqual([]);
  });

  it('rounds exp(y) to the microsecond as Math.exp(y) rounds: across the range, beside every half up to 200,000 and outside it', () => {
    const exact = (y: number) => {
      const x = Math.exp(y);
      return x > 0 ? roundUs(x) : 0;
    };
    const ys: number[] = [];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 1_000_000; i++) ys.push(-25 + 65 * rand());
    // ln(n + 1/2) and the doubles either side of it: exp of these lands within an ulp or two of a half, where the
    // approximation must give way to Math.exp.
    const bits = new Float64Array(1);
    const word = new BigInt64Array(bits.buffer);
    for (let n = 0; n < 200_000; n++) {
      bits[0] = Math.log(n + 0.5);
      const at = word[0];
      for (let d = -2n; d <= 2n; d++) {
        word[0] = at + d;
        ys.push(bits[0]);
      }
    }
    ys.push(-20, 35, -20.000001, 35.000001, -800, 800, NaN, Infinity, -Infinity, Math.log(2 ** 52), Math.log(0.5));
    const wrong = ys.filter((y) => !Object.is(roundedExp(y), exact(y)));
    expect(wrong).toEqual([]);
    // Beside a half, a draw off by 1e-12 of its value rounds the other way: the check above is what the test is about.
    const y = Math.log(123_456.5);
    expect(Math.floor(Math.exp(y) * (1 - 1e-12) + 0.5)).not.toBe(Math.floor(Math.exp(y) * (1 + 1e-12) + 0.5));
  });

  it('gives the same draws for the same seed and stream', () => {
    const a = new RandomStreams(5);
    const b = new RandomStreams(5);
    const sa = a.stream('x');
    const sb = b.stream('x');
    for (let i = 0; i < 10_000; i++) expect(normalDraw(a, sa)).toBe(normalDraw(b, sb));
  });
});
