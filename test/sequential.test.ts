/**
 * Alpha spending against published bounds (GroupSeq's and ldbounds' figures), the stage's error it keeps under
 * repeated looks, and where a hold's readings fall.
 */
import { describe, expect, it } from 'vitest';
import { lastReading } from '../src/rollout/plan-state.js';
import { linear, obrienFleming, SpendingBounds } from '../src/rollout/sequential.js';
import { normalQuantile } from '../src/rollout/stats.js';
import { RandomStreams } from '../src/engine/rng.js';

describe('alpha spending', () => {
  it('gives GroupSeq\'s one-sided O\'Brien-Fleming-type bounds for three even readings at 5%: 3.200102, 2.140797, 1.694775', () => {
    // cran/GroupSeq inst/tinytest/test-legacy_code.R (commit 7e936fc1c3d507a024acfca0b4d3e8adb80e3808): computeBounds(3,
    // drift 0, alpha 0.05, iuse 1 (O'Brien-Fleming type), one-sided): upper bounds c(3.200102, 2.140797, 1.694775),
    // exit probabilities c(0.0006868949, 0.0163746665, 0.05). GroupSeq integrates as ld98 does, with a coarser step
    // than Jennison and Turnbull's grid: the later bounds agree to 5e-5 (a multivariate normal integration gives
    // 2.140815 and 1.694812, as here).
    const b = new SpendingBounds(0.05, true);
    const looks = [1, 2, 3].map((k) => b.next(k, k / 3));
    expect(looks[0].bound).toBeCloseTo(3.200102, 6);
    expect(Math.abs(looks[1].bound - 2.140797)).toBeLessThan(5e-5);
    expect(Math.abs(looks[2].bound - 1.694775)).toBeLessThan(5e-5);
    expect(looks.map((l) => l.spent)).toEqual([expect.closeTo(0.0006868949, 9), expect.closeTo(0.0163746665, 9), 0.05]);
    expect(obrienFleming(0.05, 1 / 3)).toBeCloseTo(0.0006868949, 9);
  });

  it('gives ldbounds\' bounds for uneven readings with a first one that spends almost nothing: 6.9913, 3.7308, 1.9605', () => {
    // ldbounds::bounds(c(0.10, 0.33, 1), iuse = c(1, 1), alpha = c(0.025, 0.025)), as printed on r-help (2020-03,
    // "output of bounds function ldbounds package"): upper bounds 6.9913, 3.7308, 1.9605, the first spending 2.7e-12
    // over both sides. The upper bound of that symmetric design is the one-sided bound at 2.5%. (ldbounds spends
    // 1 - pnorm(x), which at 1e-12 keeps four digits: its first bound is 6.99135 to within 1e-4.)
    const b = new SpendingBounds(0.025, true);
    const looks = [0.1, 0.33, 1].map((t) => b.next(t, t));
    expect(Math.abs(looks[0].bound - 6.9913)).toBeLessThan(1e-4);
    expect(Math.abs(looks[1].bound - 3.7308)).toBeLessThan(2e-4);
    expect(looks[2].bound).toBeCloseTo(1.9605, 3);
  });

  it('keeps the chance of any crossing among a stage\'s readings at alpha: nested looks exactly, separate looks at most', () => {
    const rng = new RandomStreams(11);
    const s = rng.stream('paths');
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rng.next(s))) * Math.cos(2 * Math.PI * rng.next(s));
    const K = 5, paths = 40_000;
    // The bounds do not depend on the data: one sequence's bounds serve every path.
    const nested = new SpendingBounds(0.05, true), separate = new SpendingBounds(0.05, false);
    const bn = [1, 2, 3, 4, 5].map((k) => nested.next(k, k / K).bound);
    const bs = [1, 2, 3, 4, 5].map((k) => separate.next(k, k / K).bound);
    expect(bs.every((b) => Math.abs(b - normalQuantile(1 - 0.01)) < 1e-9)).toBe(true);
    let crossedNested = 0, crossedSeparate = 0, crossedNaive = 0;
    for (let i = 0; i < paths; i++) {
      let sum = 0, n = false, sep = false, naive = false;
      for (let k = 1; k <= K; k++) {
        sum += gauss();
        const z = sum / Math.sqrt(k);
        n ||= z > bn[k - 1];
        sep ||= gauss() > bs[k - 1]; // separate samples: independent readings, the union bound's worst case
        naive ||= z > normalQuantile(0.95);
      }
      crossedNested += +n; crossedSeparate += +sep; crossedNaive += +naive;
    }
    const se = Math.sqrt((0.05 * 0.95) / paths);
    expect(Math.abs(crossedNested / paths - 0.05)).toBeLessThan(3 * se);
    expect(crossedSeparate / paths).toBeLessThan(0.05 + 3 * se);
    // Five looks at 95% each, rolling back at the first: about 14% (Armitage, McPherson and Rowe 1969, table 2: 0.142).
    expect(crossedNaive / paths).toBeGreaterThan(0.13);
    expect(linear(0.05, 0.4)).toBeCloseTo(0.02, 12);
  });

  it('spends nothing at a reading with no new information, and cannot fail before anything is spent', () => {
    const b = new SpendingBounds(0.05, true);
    expect(b.next(10, 0).bound).toBe(Infinity);
    const first = b.next(10, 0.5);
    expect(b.next(10, 0.75)).toEqual({ bound: Infinity, nominal: 0, spent: first.spent });
    expect(b.next(20, 1).spent).toBe(0.05);
    // A moving window's readings need not grow: each has its share whatever its information.
    const w = new SpendingBounds(0.05, false);
    expect([w.next(10, 0.5), w.next(10, 1)].map((x) => x.nominal)).toEqual([expect.closeTo(0.025, 12), expect.closeTo(0.025, 12)]);
  });
});

describe('a hold\'s readings', () => {
  it('are the evaluations after its start up to and including its end: one at its start reads the hold before', () => {
    const m = 60e6;
    // [hold start, hold, next evaluation, interval] -> the last reading
    const cases: [number, number, number, number, number | null][] = [
      [0, 3 * m, m, m, 3 * m], // a 3m hold from 0 read at 1m, 2m and 3m: the one at 3m reads it before the plan moves on
      [3 * m, 3 * m, 3 * m, m, 6 * m], // begun at 3m: the evaluation at 3m read the hold before; 4m, 5m, 6m read this one
      [0, 3 * m, 3 * m, 5 * m, 3 * m], // the one evaluation, queued before the hold began, falls at its end
      [0.5 * m, 3 * m, m, m, 3 * m], // 1m, 2m, 3m inside a hold ending at 3.5m
      [0, 30e6, m, m, null], // no evaluation inside a 30s hold
      [0, 0, 0, m, null],
    ];
    for (const [start, hold, next, interval, last] of cases) expect(lastReading(start, hold, next, interval)).toBe(last);
  });
});
