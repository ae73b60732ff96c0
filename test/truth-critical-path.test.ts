/**
 * Ground truth along the critical path: the time a flag or a fault adds to a journey is what the journey waited
 * for, not the sum over the calls it made. A fan-out waits for its slowest call; a delay on a call that would
 * have ended early anyway adds nothing. Every latency here is constant, so each figure is derived by hand.
 *
 * web.buy (10 ms of its own) calls a and b in parallel (50 ms each); a fault adds 200 ms to each call (web -> a,
 * web -> b); the flag adds 250 ms to web's own time. SLO latency 300 ms.
 *   journey with the flag on: 10 + 250 + max(50 + 200, 50 + 200) = 510 ms, over the SLO.
 *   the flag's time: 250 ms; without it, 260 ms: within the SLO, so the flag brought the journey over it.
 *   the faults' time: both calls end 200 ms late, so the fan-out does: 200 ms (summed, it read 400 ms); without
 *   them, 310 ms: still over the SLO, so the faults alone did not make it slow, and the flag is to blame. Read as
 *   400 ms, the journey was "110 ms without the faults" and the flag was let off.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroundTruth } from '../src/model/truth.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const fanOut = (a: Record<string, unknown>, b: Record<string, unknown>, extra: Record<string, unknown>) => scenario({
  seed: 2,
  duration: '2m',
  slo: { availability: '99%', latency: '300ms' },
  traffic: { rate: '5/s', cohort: { size: 500, seed: 1 } },
  journeys: { buy: { steps: ['web.buy'] } },
  services: {
    web: { concurrency: 1000, latency: '10ms', endpoints: { buy: { calls: [{ parallel: ['a', 'b'] }] } } },
    a: { concurrency: 1000, ...a },
    b: { concurrency: 1000, ...b },
  },
  rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
  ...extra,
});

/** The (flag time, fault time) ground truth was given for each slow or failed journey, and how many were slow. */
function delaysOf(run: () => unknown): { pairs: Set<string>; slow: number } {
  const spy = vi.spyOn(GroundTruth.prototype, 'journey');
  run();
  const slow = spy.mock.calls.filter((c) => c[1] > 300e3);
  spy.mockRestore();
  return { pairs: new Set(slow.map((c) => `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`)), slow: slow.length };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the time flags and faults add to a journey, along its critical path', () => {
  it('a fault on both calls of a fan-out adds what the fan-out waited for (200 ms), so a flag that took the journey over the SLO is charged', () => {
    const s = fanOut({ latency: '50ms' }, { latency: '50ms' }, {
      flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+250ms' } } } },
      faults: [{ kind: 'latency', target: 'web -> a', add: '200ms' }, { kind: 'latency', target: 'web -> b', add: '200ms' }],
    });
    const { pairs } = delaysOf(() => runScenario(s));
    expect([...pairs]).toEqual(['510 ms: flag 250 ms, faults 200 ms']);
    const r = runScenario(s);
    const n = r.journeys.buy.requests;
    expect(n).toBeGreaterThan(500);
    // Every journey is 510 ms, the flag's harm: 510 - 250 = 260 ms without it, 510 - 200 = 310 ms without the faults.
    expect(r.outcomes.journeys_slow).toBe(n);
    expect(r.outcomes.flags.f.blast_radius_requests).toBe(n);
    expect(r.outcomes.flags.f.defective).toBe(true);
  });

  it("a flag's latency on both calls of a fan-out adds 200 ms, not 400", () => {
    const s = fanOut({ latency: '100ms' }, { latency: '100ms' }, {
      flags: { f: { 'evaluated-by': ['web', 'a', 'b'], propagation: '0s', 'when-on': { a: { latency: '+200ms' }, b: { latency: '+200ms' } } } },
    });
    // 10 + max(100 + 200, 100 + 200) = 310 ms; the flag's time 200 ms (110 ms without it).
    expect([...delaysOf(() => runScenario(s)).pairs]).toEqual(['310 ms: flag 200 ms, faults 0 ms']);
  });

  it('a delay on the call that ends first adds only what it put the fan-out back by', () => {
    // a: 50 ms + 200 ms of fault = 250 ms; b: 280 ms, unslowed. The fan-out ends at 280 ms either way: the fault on
    // a added nothing (without it, a would end at 50 ms and the fan-out still at 280). With 300 ms on a instead,
    // a ends at 350 ms: the fan-out ends 70 ms later than b's 280 ms, and that is the fault's time.
    const s = (add: string) => fanOut({ latency: '50ms' }, { latency: '280ms' }, {
      flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+20ms' } } } },
      faults: [{ kind: 'latency', target: 'web -> a', add }],
    });
    // 10 + 20 + max(250, 280) = 310 ms: over the SLO by the flag's 20 ms, the fault's time none.
    expect([...delaysOf(() => runScenario(s('200ms'))).pairs]).toEqual(['310 ms: flag 20 ms, faults 0 ms']);
    // 10 + 20 + max(350, 280) = 380 ms: the fault's time 70 ms (380 - 70 = 310: slow without it too).
    expect([...delaysOf(() => runScenario(s('300ms'))).pairs]).toEqual(['380 ms: flag 20 ms, faults 70 ms']);
  });
});
