/**
 * What a fault did beside the journeys it hurt: a latency fault that failed nobody and slowed nobody past the SLO
 * read "0 journeys hurt", as if it did nothing, while it added its delay to every call it touched. Its outcome now
 * says how many journeys it slowed that still succeeded, the time it added to them and their latency beside the same
 * journeys' without that time: ground truth, journey by journey, checked here against the fault's own size and
 * against the same scenario without the fault.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { faultEffect } from '../src/report/vocabulary.js';
import { formatOutcomes } from '../src/report/terminal.js';
import { scenario } from './helpers.js';

/** users -> api -> db, ample workers, an SLO far above any journey's latency; one fault. */
function withFault(fault: Record<string, unknown>) {
  return scenario({
    seed: 3,
    traffic: { rate: '200/s', requests: 60_000 },
    journeys: { use: { steps: ['api'] } },
    services: {
      api: { concurrency: 2000, latency: '2ms', calls: [{ to: 'db', timeout: '2s' }] },
      db: { replicas: 2, concurrency: 1000, latency: { dist: 'lognormal', p50: '5ms', p99: '40ms' } },
    },
    slo: { latency: '1s' },
    faults: [fault],
  });
}

// HdrHistogram's three significant digits: a reading is within 0.1% of the value.
const within = (x: number, want: number) => expect(Math.abs(x - want)).toBeLessThanOrEqual(want * 0.001 + 0.001);

describe('a latency fault that hurt nobody says what it added', () => {
  const base = runScenario(withFault({ kind: 'latency', target: 'api -> db', add: '200ms', at: '10h' }));
  const slow = runScenario(withFault({ kind: 'latency', target: 'api -> db', add: '200ms' }));

  it('every journey it slowed, by its 200 ms, and the same journeys without it are the run without the fault', () => {
    const f = slow.outcomes.faults[0];
    expect(f.journeys_hurt).toBe(0);
    // On for the whole run, on every call: every journey.
    expect(f.slowed!.journeys).toBe(slow.journeys.use.requests);
    expect(f.slowed!.added_unknown).toBeUndefined();
    within(f.slowed!.added_ms.p50, 200);
    within(f.slowed!.added_ms.p99, 200);
    // The same draws in both runs (ample workers): without the time it added, the journeys are the base run's.
    within(f.slowed!.without_ms.p50, base.journeys.use.latencyMs.p50);
    within(f.slowed!.without_ms.p99, base.journeys.use.latencyMs.p99);
    within(f.slowed!.latency_ms.p50, slow.journeys.use.latencyMs.p50);
    within(f.slowed!.latency_ms.p99, slow.journeys.use.latencyMs.p99);
    // A fault never on slowed nobody, and says nothing more than before.
    expect(base.outcomes.faults[0]).toEqual({ name: 'latency api -> db', kind: 'latency', from_seconds: null, to_seconds: null, journeys_hurt: 0, journeys_failed: 0 });
  });

  it('a fault on half the calls for 100 s slows about half the journeys of those 100 s', () => {
    const r = runScenario(withFault({ kind: 'latency', target: 'api -> db', add: '200ms', percent: '50%', at: '100s', for: '100s' }));
    const n = r.outcomes.faults[0].slowed!.journeys;
    // 200/s for 100 s, half of them: 10,000, a Poisson count thinned by a coin (sd about 100).
    expect(Math.abs(n - 10_000)).toBeLessThan(5 * Math.sqrt(10_000));
  });

  it('the run report says it beside the harm', () => {
    const line = formatOutcomes(slow).find((l) => l.startsWith('  fault '))!;
    const s = slow.outcomes.faults[0].slowed!;
    expect(line).toMatch(/^ {2}fault latency api -> db: 0m00s to \d+m\d\ds, 0 journeys hurt; slowed [\d,]+ journeys that succeeded by p50 200ms, p99 200ms: they took p50 [\d.]+ms, p99 [\d.]+ms, against [\d.]+ms and [\d.]+ms without the time it added$/);
    expect(line).toContain(`slowed ${s.journeys.toLocaleString('en-US')} journeys`);
  });

  it('words for one journey, and for journeys whose added time is not known', () => {
    expect(faultEffect({ journeys_hurt: 3 })).toBe('3 journeys hurt');
    expect(faultEffect({ journeys_hurt: 0, slowed: { journeys: 1, added_ms: { p50: 200, p99: 200 }, latency_ms: { p50: 212, p99: 212 }, without_ms: { p50: 12, p99: 12 } } }))
      .toBe('0 journeys hurt; slowed 1 journey that succeeded by p50 200ms, p99 200ms: it took p50 212ms, p99 212ms, against 12.0ms and 12.0ms without the time it added');
    expect(faultEffect({ journeys_hurt: 0, slowed: { journeys: 40, added_unknown: 2, added_ms: { p50: 1000, p99: 1000 }, latency_ms: { p50: 1010, p99: 1200 }, without_ms: { p50: 10, p99: 200 } } }))
      .toBe('0 journeys hurt; slowed 40 journeys that succeeded by p50 1s, p99 1s (2 of them by a time not known: a call dropped, then retried in time): they took p50 1.01s, p99 1.2s, against 10.0ms and 200ms without the time it added');
  });
});
