/**
 * Ground truth for a retry a fault caused: the call's first attempt timed out because of the fault, so the
 * timeout, the backoff and the retry are all time the journey waited for because of it (the rule for flags and
 * faults alike, docs/acceptance.md). Every latency is constant, so each figure is derived by hand.
 *
 * web.buy (10 ms of its own, and 100 ms more with the flag on) calls a (80 ms) with a 100 ms timeout and one retry
 * on timeout after a 50 ms backoff (no jitter), as optional; a fault holds half the calls web -> a for 50 ms before
 * they reach a (each attempt drawn on its own). SLO latency 280 ms. With the flag on for everyone:
 *   first attempt not held: a replies at 80 ms; the journey 10 + 100 + 80 = 190 ms, within the SLO.
 *   first attempt held: a starts at 50 ms and would reply at 130 ms, past the timeout at 100 ms. Without the fault
 *   it replies at 80 ms and no retry is made. The retry leaves at 150 ms:
 *     not held: it replies at 230 ms; the journey 110 + 230 = 340 ms. The fault's time is 230 - 80 = 150 ms (the
 *     timeout's 20 ms past 80, the 50 ms backoff and the retry's 80 ms), so without it 190 ms: within the SLO,
 *     the fault brought the journey over it, and the flag (240 ms without it) is not charged. Before, only the
 *     first attempt's 50 ms were charged: 290 ms without the fault, over the SLO, and the flag was charged.
 *     held too: it times out at 250 ms, the call fails (optional: the journey goes on); the journey 360 ms, the
 *     fault's time 250 - 80 = 170 ms (before: 100 ms), 190 ms without it; not the flag's either way.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroundTruth } from '../src/model/truth.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const s = scenario({
  seed: 2,
  duration: '2m',
  slo: { availability: '99%', latency: '280ms' },
  traffic: { rate: '5/s', cohort: { size: 500, seed: 1 } },
  journeys: { buy: { steps: ['web.buy'] } },
  services: {
    web: {
      concurrency: 1000, latency: '10ms',
      endpoints: { buy: { calls: [{ to: 'a', timeout: '100ms', optional: true, retry: { attempts: 1, backoff: '50ms', jitter: 'none', on: ['timeout'] } }] } },
    },
    a: { concurrency: 1000, latency: '80ms' },
  },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+100ms' } } } },
  rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
  faults: [{ kind: 'latency', target: 'web -> a', add: '50ms', percent: '50%' }],
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a retry after a timeout a fault caused', () => {
  it('is charged to the fault whole (timeout, backoff and retry: 150 ms), so the flag is not charged for a journey the fault made slow', () => {
    const spy = vi.spyOn(GroundTruth.prototype, 'journey');
    runScenario(s);
    const slow = spy.mock.calls.filter((c) => c[1] > 280e3);
    spy.mockRestore();
    const kinds = new Map<string, number>();
    for (const c of slow) {
      const k = `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    expect([...kinds.keys()].sort()).toEqual(['340 ms: flag 100 ms, faults 150 ms', '360 ms: flag 100 ms, faults 170 ms']);
    // Both kinds are there in numbers: about a quarter of the journeys each (the fault holds each attempt with odds 1/2).
    const r = runScenario(s);
    const n = r.journeys.buy.requests;
    expect(n).toBeGreaterThan(500);
    for (const count of kinds.values()) expect(count).toBeGreaterThan(n / 8);
    expect(r.outcomes.journeys_slow).toBe(slow.length);
    expect(r.outcomes.flags.f.blast_radius_requests).toBe(0);
  });
});

/**
 * A retry after a failure a fault or a flag caused is theirs too. web.buy (10 ms, and 100 ms more with flag g on)
 * calls a (80 ms) retrying once on error after a 50 ms backoff (no jitter).
 *
 * An abort fault on half the calls web -> a (each attempt drawn on its own), the call optional, SLO 230 ms:
 *   not aborted: 10 + 100 + 80 = 190 ms, within the SLO.
 *   aborted, then not: the abort fails the attempt as it leaves (0 ms), the retry leaves at 50 ms and replies at
 *   130 ms: the journey 240 ms, over the SLO; 140 ms without the flag, and without the fault the first attempt
 *   would have replied at 80 ms: 190 ms. Its time was never drawn (the abort came before the call reached a), so
 *   the fault is charged the most it can have cost: the whole call, 130 ms (110 ms without it, within the SLO:
 *   the fault's, not the flag's). Before, the fault was charged nothing and did not even mark the journey, and the
 *   flag was charged for it.
 *   aborted twice: the call fails at 50 ms, the journey goes on: 160 ms, within the SLO.
 *
 * Flag h, evaluated by a, makes half a's calls fail (a's failures take its 80 ms too); web.buy has no flag g; SLO
 * 200 ms:
 *   no failure: 10 + 80 = 90 ms.
 *   the flag fails the first attempt at 80 ms, the retry leaves at 130 ms and replies at 210 ms: the journey
 *   220 ms, over the SLO. Without the flag the first attempt replies at 80 ms (the same draw, a's failures and
 *   successes taking the same time): the flag's time is 210 - 80 = 130 ms, 90 ms without it: its harm. Before,
 *   the flag did not mark the journey and was charged only for the journeys it failed (both attempts failing).
 */
describe('a retry after a failure a fault or a flag caused', () => {
  const base = (extra: Record<string, unknown>, call: Record<string, unknown>, latency: string) => scenario({
    seed: 2,
    duration: '2m',
    slo: { availability: '99%', latency },
    traffic: { rate: '5/s', cohort: { size: 500, seed: 1 } },
    journeys: { buy: { steps: ['web.buy'] } },
    services: {
      web: { concurrency: 1000, latency: '10ms', endpoints: { buy: { calls: [{ to: 'a', retry: { attempts: 1, backoff: '50ms', jitter: 'none', on: ['error'] }, ...call }] } } },
      a: { concurrency: 1000, latency: '80ms' },
    },
    ...extra,
  });
  const slowKinds = (s: ReturnType<typeof scenario>, slo: number) => {
    const spy = vi.spyOn(GroundTruth.prototype, 'journey');
    runScenario(s);
    const kinds = new Map<string, number>();
    for (const c of spy.mock.calls.filter((c) => c[1] > slo && !c[2])) {
      const k = `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`;
      kinds.set(k, (kinds.get(k) ?? 0) + 1);
    }
    spy.mockRestore();
    return kinds;
  };

  it("an abort: the retry is the fault's (the whole call, 130 ms, at most), and the flag is not charged", () => {
    const s = base({
      flags: { g: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+100ms' } } } },
      rollout: [{ flag: 'g', stages: [{ to: '100%' }] }],
      faults: [{ kind: 'abort', target: 'web -> a', percent: '50%' }],
    }, { optional: true }, '230ms');
    const kinds = slowKinds(s, 230e3);
    expect([...kinds.keys()]).toEqual(['240 ms: flag 100 ms, faults 130 ms']);
    const r = runScenario(s);
    const n = r.journeys.buy.requests;
    expect(n).toBeGreaterThan(500);
    expect(kinds.get('240 ms: flag 100 ms, faults 130 ms')).toBeGreaterThan(n / 8);
    expect(r.outcomes.flags.g.blast_radius_requests).toBe(0);
    // The fault hurt the journeys it made slow (and failed none: the call is optional).
    expect(r.outcomes.faults[0].journeys_hurt).toBe(kinds.get('240 ms: flag 100 ms, faults 130 ms'));
  });

  it("a flag's defect: the retry is the flag's (210 - 80 = 130 ms), so the journeys it made slow are its harm", () => {
    const s = base({
      flags: { h: { 'evaluated-by': ['a'], propagation: '0s', 'when-on': { a: { errors: '+50%' } } } },
      rollout: [{ flag: 'h', stages: [{ to: '100%' }] }],
    }, {}, '200ms');
    const kinds = slowKinds(s, 200e3);
    expect([...kinds.keys()]).toEqual(['220 ms: flag 130 ms, faults 0 ms']);
    const r = runScenario(s);
    const slow = kinds.get('220 ms: flag 130 ms, faults 0 ms')!;
    expect(slow).toBeGreaterThan(r.journeys.buy.requests / 8);
    expect(r.journeys.buy.errors).toBeGreaterThan(r.journeys.buy.requests / 8);
    // Hurt: the journeys it failed (both attempts) and those it made slow (the first).
    expect(r.outcomes.flags.h.blast_radius_requests).toBe(r.journeys.buy.errors + slow);
  });
});
