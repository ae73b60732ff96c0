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
