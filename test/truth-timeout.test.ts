/**
 * Ground truth for a call its caller stops waiting for at a timeout: the delay a fault (or a flag) gave the call
 * is the caller's only as far as the caller waited. Every latency here is constant, so each figure is derived by
 * hand.
 *
 * web.buy (10 ms of its own) calls a (50 ms) with a 100 ms timeout, as optional (a fallback: its failure does not
 * fail the journey); a fault holds every call web -> a for 300 ms before it reaches a; the flag adds 295 ms to
 * web's own time. SLO latency 300 ms.
 *   the journey: 10 + 295 + 100 (the caller gives up on a at its timeout) = 405 ms, over the SLO.
 *   the flag's time: 295 ms; without it, 110 ms: within the SLO, so the flag brought the journey over it.
 *   the fault's time: the caller waited 100 ms for a, all of it while the fault held the call; the fault cannot
 *   have put the journey back by more than that wait: 100 ms, and without it the journey is 305 ms, still over
 *   the SLO (without the fault a replies at 50 ms: 10 + 295 + 50 = 355 ms, slow too). The flag is to blame.
 *   Read as the 300 ms the fault would have held the call, the journey was "105 ms without the fault": the fault
 *   was blamed for a wait it never caused, and the flag was let off.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GroundTruth } from '../src/model/truth.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const s = scenario({
  seed: 2,
  duration: '2m',
  slo: { availability: '99%', latency: '300ms' },
  traffic: { rate: '5/s', cohort: { size: 500, seed: 1 } },
  journeys: { buy: { steps: ['web.buy'] } },
  services: {
    web: { concurrency: 1000, latency: '10ms', endpoints: { buy: { calls: [{ to: 'a', timeout: '100ms', optional: true }] } } },
    a: { concurrency: 1000, latency: '50ms' },
  },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+295ms' } } } },
  rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
  faults: [{ kind: 'latency', target: 'web -> a', add: '300ms' }],
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a fault on a call its caller timed out on', () => {
  it('is charged the caller\'s wait (100 ms), not the 300 ms it held the call, so the flag that made the journey slow is charged', () => {
    const spy = vi.spyOn(GroundTruth.prototype, 'journey');
    runScenario(s);
    const slow = spy.mock.calls.filter((c) => c[1] > 300e3);
    spy.mockRestore();
    expect(new Set(slow.map((c) => `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`))).toEqual(new Set(['405 ms: flag 295 ms, faults 100 ms']));
    const r = runScenario(s);
    const n = r.journeys.buy.requests;
    expect(n).toBeGreaterThan(500);
    expect(r.outcomes.journeys_slow).toBe(n);
    // 405 - 295 = 110 ms without the flag; 405 - 100 = 305 ms without the fault: every journey is the flag's harm.
    expect(r.outcomes.flags.f.blast_radius_requests).toBe(n);
    expect(r.outcomes.flags.f.defective).toBe(true);
  });
});

/**
 * The same call, the fault now holding it only 50 ms before it reaches a: a starts on it 50 ms after web sent it,
 * and its time is drawn then (constant here), so at the 100 ms timeout the simulation knows when a will reply and
 * what the call would have taken without the fault. The flag adds 200 ms to web's own time; SLO latency 280 ms.
 * Every journey: 10 + 200 + 100 (the timeout) = 310 ms, over the SLO; without the flag 110 ms.
 *   a takes 80 ms: it would reply 50 + 80 = 130 ms after the call left, 30 ms past the timeout; without the fault
 *   it replies at 80 ms, so the caller waited 100 - 80 = 20 ms for the fault: 310 - 20 = 290 ms without it, slow
 *   anyway, and the flag (110 ms without it) is charged. The upper bound of 50 ms (all the fault's delay the
 *   caller waited through) read 260 ms without the fault: within the SLO, the fault's, and let the flag off.
 *   a takes 130 ms: 180 ms with the fault, 130 ms without: it times out either way, and the fault cost the caller
 *   nothing (0 ms; the bound read 50).
 */
describe('a fault on a call that timed out after its time was drawn', () => {
  const known = (aLatency: string) => scenario({
    seed: 2,
    duration: '2m',
    slo: { availability: '99%', latency: '280ms' },
    traffic: { rate: '5/s', cohort: { size: 500, seed: 1 } },
    journeys: { buy: { steps: ['web.buy'] } },
    services: {
      web: { concurrency: 1000, latency: '10ms', endpoints: { buy: { calls: [{ to: 'a', timeout: '100ms', optional: true }] } } },
      a: { concurrency: 1000, latency: aLatency },
    },
    flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { latency: '+200ms' } } } },
    rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
    faults: [{ kind: 'latency', target: 'web -> a', add: '50ms' }],
  });

  it('is charged exactly what the caller waited for because of it: 20 ms, so the flag is charged', () => {
    const spy = vi.spyOn(GroundTruth.prototype, 'journey');
    runScenario(known('80ms'));
    const slow = spy.mock.calls.filter((c) => c[1] > 280e3);
    spy.mockRestore();
    expect(new Set(slow.map((c) => `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`))).toEqual(new Set(['310 ms: flag 200 ms, faults 20 ms']));
    const r = runScenario(known('80ms'));
    const n = r.journeys.buy.requests;
    expect(n).toBeGreaterThan(500);
    expect(r.outcomes.journeys_slow).toBe(n);
    expect(r.outcomes.flags.f.blast_radius_requests).toBe(n);
  });

  it('is charged nothing when the call would have timed out without it', () => {
    const spy = vi.spyOn(GroundTruth.prototype, 'journey');
    runScenario(known('130ms'));
    const slow = spy.mock.calls.filter((c) => c[1] > 280e3);
    spy.mockRestore();
    expect(new Set(slow.map((c) => `${c[1] / 1e3} ms: flag ${c[8]! / 1e3} ms, faults ${c[9]! / 1e3} ms`))).toEqual(new Set(['310 ms: flag 200 ms, faults 0 ms']));
  });
});
