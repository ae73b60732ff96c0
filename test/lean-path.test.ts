/**
 * The lean path (src/model/lean.ts) against the general one: a run whose calls can only succeed takes it, and its
 * result is the general path's byte for byte (the same draws, events, telemetry, truth and figures); a run with
 * anything that can fail, slow or observe a call does not take it.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';
import { Simulation } from '../src/model/simulation.js';
import { runScenario } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { mmc, scenario } from './helpers.js';

/** An observer of every call's end: the general path (calls keep no records: it hears of those without too). */
const hearsCalls = (sim: Simulation) => sim.observe({ attemptEnded() {}, attemptEndedInline() {} });

function takesLeanPath(s: Scenario, observe?: (sim: Simulation) => void): boolean {
  const sim = new Simulation(s);
  observe?.(sim);
  sim.begin();
  return sim.leanPath;
}

function bothPaths(s: Scenario): [string, string] {
  const lean = JSON.stringify(runScenario(s));
  const general = JSON.stringify(runScenario(s, { observe: hearsCalls }));
  return [lean, general];
}

const hotel = (() => {
  const loaded = loadScenarioFile(fileURLToPath(new URL('../bench/hotel.yaml', import.meta.url)));
  if (!loaded.ok) throw new Error('bench/hotel.yaml is invalid');
  return { ...loaded.scenario, durationUs: 90e6 };
})();

/** Parallel groups with copies, repeats, probabilities, replicas, a cohort, queues that fill, an SLO journeys miss. */
const busy = scenario({
  seed: 7,
  duration: '3m',
  window: '30s',
  slo: { latency: '40ms' },
  traffic: { rate: '400/s', shape: 'ramp', from: '100/s', cohort: { size: 500, seed: 3 } },
  journeys: {
    browse: { weight: 70, steps: ['front.page', { to: 'front.search', probability: '50%' }] },
    buy: { weight: 30, steps: ['front.buy'] },
  },
  services: {
    front: {
      replicas: 3,
      concurrency: 4,
      queue: 'unbounded',
      latency: { dist: 'lognormal', p50: '2ms', p99: '9ms' },
      endpoints: {
        page: { calls: [{ parallel: ['items.get', { to: 'cache', repeat: 3 }] }, { to: 'cache', repeat: 2 }] },
        search: { calls: ['items.find', { to: 'db.query', probability: '30%' }] },
        buy: { calls: [{ parallel: ['items.get', 'db.query'] }, 'db.write'] },
      },
    },
    items: {
      concurrency: 2,
      queue: 'unbounded',
      latency: { dist: 'exponential', mean: '3ms' },
      endpoints: { get: { calls: ['cache'] }, find: { calls: ['db.query'] } },
    },
    cache: { concurrency: 2, queue: 'unbounded', latency: { dist: 'uniform', min: '100us', max: '900us' } },
    db: {
      replicas: 2,
      concurrency: 3,
      queue: 'unbounded',
      latency: { dist: 'normal', mean: '4ms', sd: '2ms' },
      endpoints: { query: {}, write: { latency: { dist: 'constant', value: '6ms' } } },
    },
  },
});

describe('the lean path', () => {
  it('the hotel, a busy model and an M/M/4 station run it, with the general path\'s result byte for byte', () => {
    const station = mmc(380, 100, 4, 200_000, 5);
    for (const s of [hotel, busy, station]) {
      expect(takesLeanPath(s)).toBe(true);
      expect(takesLeanPath(s, hearsCalls)).toBe(false);
      const [lean, general] = bothPaths(s);
      expect(lean).toBe(general);
    }
    // The busy model queued, missed its SLO and took every kind of call it has.
    const r = runScenario(busy);
    expect(r.services.items.maxQueued).toBeGreaterThan(0);
    expect(r.journeys.browse.latencyMs.p99).toBeGreaterThan(40);
    expect(r.services.db.endpoints.write.requests).toBeGreaterThan(0);
  });

  it('a run with anything that can fail, slow or time out a call takes the general path', () => {
    const base = { duration: '10s', traffic: { rate: '50/s' }, journeys: { j: { steps: ['a.x'] } } };
    const a = (extra: Record<string, unknown>, call: Record<string, unknown> = {}) => scenario({
      ...base,
      services: {
        a: { queue: 'unbounded', latency: { dist: 'constant', value: '1ms' }, endpoints: { x: { calls: [{ to: 'b', ...call }] } } },
        b: { queue: 'unbounded', latency: { dist: 'constant', value: '1ms' }, ...extra },
      },
    });
    expect(takesLeanPath(a({}))).toBe(true);
    expect(takesLeanPath(a({ errors: '1%' }))).toBe(false);
    expect(takesLeanPath(a({ queue: 10 }))).toBe(false);
    expect(takesLeanPath(a({}, { timeout: '5ms' }))).toBe(false);
    expect(takesLeanPath(a({}, { async: true }))).toBe(false);
    expect(takesLeanPath(a({}, { network: { dist: 'constant', value: '1ms' } }))).toBe(false);
  });

  it('an observer of calls installed once a lean run has begun is refused', () => {
    const sim = new Simulation(mmc(50, 100, 1, 1000));
    sim.begin();
    expect(sim.leanPath).toBe(true);
    expect(() => hearsCalls(sim)).toThrow(/lean path/);
    // An observer of journeys hears them on the lean path as on the general one.
    const ended: number[] = [];
    const both = [true, false].map((lean) => {
      const s = new Simulation(mmc(50, 100, 1, 1000));
      ended.length = 0;
      s.observe({ journeyEnded: (_rec, _cause, latencyUs) => ended.push(latencyUs) });
      if (!lean) hearsCalls(s);
      s.run();
      return [...ended];
    });
    expect(both[0]).toHaveLength(1000);
    expect(both[0]).toEqual(both[1]);
  });
});
