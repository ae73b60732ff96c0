import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/model/simulation.js';
import { observeSeries } from '../src/observe/metrics.js';
import { RolloutController } from '../src/rollout/controller.js';
import { buildResult } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { scenario } from './helpers.js';

function load(file: string, durationUs: number): Scenario {
  const loaded = loadScenarioFile(new URL(`../${file}`, import.meta.url).pathname);
  if (!loaded.ok) throw new Error(`${file} is invalid`);
  return { ...loaded.scenario, durationUs };
}

/** Counts the calls served without records of their own. */
class Counting extends Simulation {
  inline = 0;
  protected override inlineServed(parent: number): void {
    this.inline++;
    super.inlineServed(parent);
  }
}

/** The whole result document of a run (rollouts, gates' readings, truth), and its scraped series at the end. */
function run(s: Scenario, records: boolean): { result: string; series: string; inline: number } {
  const sim = new Counting(s);
  if (records) sim.keepCallRecords();
  const series = observeSeries(sim, s);
  const controller = s.rollouts.length > 0 ? new RolloutController(s) : null;
  if (controller) sim.attach(controller);
  const r = sim.run();
  return { result: JSON.stringify(buildResult(s, s.seed, r, controller)), series: JSON.stringify(series.series()), inline: sim.inline };
}

/**
 * Calls of a leaf that cannot fail, on a service with an unbounded queue, are made without records where nothing
 * observes calls (servers.ts callInline); a run that keeps a record for every call (as a drill does) must be the same
 * run, window for window and draw for draw.
 */
describe('calls without records of their own', () => {
  const mixed = scenario({
    seed: 11,
    duration: '4m',
    // Slow journeys are told apart by what slowed them (ground truth): a stress's mark must reach the journey.
    slo: { latency: '12ms' },
    traffic: { rate: '400/s' },
    journeys: { read: { weight: 3, steps: ['api.read', 'cache.get'] }, write: { weight: 1, steps: ['api.write'] } },
    services: {
      api: {
        replicas: 2, concurrency: 6, queue: 'unbounded', latency: { dist: 'lognormal', p50: '2ms', p99: '12ms' },
        endpoints: {
          // Inline: the cache (probability too) and the db's read; not: a bounded queue, a timeout, a parallel group.
          read: { calls: ['cache.get', { to: 'db.read', probability: '30%' }, { parallel: ['cache.get', 'cache.get'] }, 'slow.get'] },
          write: { calls: [{ to: 'db.write', timeout: '40ms' }, { to: 'cache.get', repeat: 3 }] },
        },
      },
      cache: { replicas: 1, concurrency: 1, queue: 'unbounded', latency: { dist: 'exponential', mean: '1ms' }, endpoints: { get: {} } },
      db: { concurrency: 4, queue: 'unbounded', latency: { dist: 'lognormal', p50: '4ms', p99: '30ms' }, endpoints: { read: {}, write: {} } },
      slow: { concurrency: 2, queue: 3, latency: { dist: 'exponential', mean: '3ms' }, endpoints: { get: {} } },
    },
    // While a fault is on, calls take records; a stress that begins while inline calls wait slows them as it starts.
    faults: [
      { kind: 'cpu-stress', target: 'cache', at: '1m', for: '1m', factor: 3 },
      { kind: 'latency', target: 'api -> db', at: '2m30s', for: '20s', add: '5ms' },
    ],
  });

  it.each([
    ['a mix of calls with and without records', mixed],
    ['the tandem of M/M/4 stations (every call waits in a queue now and then)', load('bench/tandem.yaml', 120e6)],
    ['the hotelReservation shape', load('bench/hotel.yaml', 60e6)],
    // Queues that fill and refuse, a breaker, retries, timeouts, a parallel group with a pool.
    ['the checkout scenario', load('scenarios/checkout.yaml', 300e6)],
    // Flags on users, two rollouts with gates, faults in time (a kill would keep every record: left out).
    ['two flags released, gates reading their probes, faults', (() => {
      const s = load('scenarios/two-flag-release.yaml', 600e6);
      return { ...s, faults: s.faults.filter((f) => f.kind !== 'instance-kill') };
    })()],
  ])('%s: the same run as with a record for every call', (_name, s) => {
    const inline = run(s, false);
    const records = run(s, true);
    expect(inline.inline).toBeGreaterThan(1000);
    expect(records.inline).toBe(0);
    expect(inline.result).toBe(records.result);
    expect(inline.series).toBe(records.series);
  });

  it('an observer of calls, or a fault, cannot join such a run once it has begun', () => {
    const sim = new Simulation(mixed);
    sim.begin();
    sim.runUntil(1e6);
    expect(() => sim.observe({ attemptEnded: () => {} })).toThrow(/before begin\(\)/);
    expect(() => sim.addFault({ name: 'x', kind: 'latency', to: 'db', from: null } as never)).toThrow(/keepCallRecords/);
    // Observers of journeys and windows hear nothing of calls: they may.
    expect(() => sim.observe({ window: () => {} })).not.toThrow();
  });
});
