/** Injected faults against what they should do, with the ground truth they leave behind. */
import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/model/simulation.js';
import { runScenario } from '../src/score/result.js';
import { erlangC, scenario } from './helpers.js';

const binomial5 = (p: number, n: number) => 5 * Math.sqrt((p * (1 - p)) / n);

/** users -> api -> db, ample workers; one fault. */
function withFault(fault: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return scenario({
    seed: 3,
    traffic: { rate: '200/s', requests: 100_000 },
    journeys: { use: { steps: ['api'] } },
    services: {
      api: { concurrency: 2000, latency: '2ms', calls: [{ to: 'db', timeout: '1s' }] },
      db: { replicas: 2, concurrency: 1000, latency: '5ms' },
    },
    faults: [fault],
    ...extra,
  });
}

describe('faults', () => {
  it('abort fails its share of calls (20%), as errors of the target, and the truth names the fault', () => {
    const r = runScenario(withFault({ kind: 'abort', target: 'db', percent: '20%' }));
    const n = r.journeys.use.requests;
    expect(Math.abs(r.journeys.use.errorRate - 0.2)).toBeLessThan(binomial5(0.2, n));
    expect(r.services.db.errorsByCause.error).toBe(r.journeys.use.errors);
    expect(r.outcomes.failed_by_truth.fault).toBe(r.journeys.use.errors);
    expect(r.outcomes.faults[0].journeys_hurt).toBe(r.journeys.use.errors);
  });

  it('latency on an edge adds its delay to every call over it: +100ms exactly', () => {
    const base = runScenario(withFault({ kind: 'latency', target: 'api -> db', add: '100ms', at: '10h' }));
    const slow = runScenario(withFault({ kind: 'latency', target: 'api -> db', add: '100ms' }));
    expect(slow.journeys.use.latencyMs.mean - base.journeys.use.latencyMs.mean).toBeCloseTo(100, 6);
    expect(base.outcomes.faults[0].from_seconds).toBeNull();
  });

  it('a blackhole lets callers wait for their timeout: every call fails at 1s, blamed on the fault', () => {
    // A dropped call needs a horizon (without a timeout it would wait forever).
    const r = runScenario(withFault({ kind: 'blackhole', target: 'db' }, { duration: '10m' }));
    expect(r.journeys.use.errorRate).toBe(1);
    expect(r.services.db.errorsByCause.timeout).toBe(r.journeys.use.requests);
    expect(r.journeys.use.latencyMs.p50).toBeCloseTo(1002, -1);
    expect(r.outcomes.failed_by_truth.fault).toBe(r.journeys.use.requests);
  });

  it('a one-way partition cuts calls from one service to another and no others', () => {
    const s = scenario({
      seed: 1,
      duration: '10m',
      traffic: { rate: '100/s', requests: 20_000 },
      journeys: { a: { steps: ['a'] }, b: { steps: ['b'] } },
      services: {
        a: { concurrency: 1000, calls: [{ to: 'db', timeout: '200ms' }] },
        b: { concurrency: 1000, calls: [{ to: 'db', timeout: '200ms' }] },
        db: { concurrency: 1000 },
      },
      faults: [{ kind: 'partition', target: 'a -> db' }],
    });
    const r = runScenario(s);
    expect(r.journeys.a.errorRate).toBe(1);
    expect(r.journeys.b.errors).toBe(0);
  });

  it('cpu-stress multiplies service time: an M/M/1 at load 0.4 becomes one at 0.8 (Erlang C)', () => {
    const s = scenario({
      seed: 4,
      traffic: { rate: '40/s', requests: 1_000_000 },
      journeys: { j: { steps: ['station'] } },
      services: { station: { concurrency: 1, queue: 'unbounded', latency: { dist: 'exponential', mean: '10ms' } } },
      faults: [{ kind: 'cpu-stress', target: 'station', factor: 2 }],
    });
    const r = runScenario(s);
    const theory = erlangC(40, 50, 1).meanResponse;
    expect(Math.abs(r.services.station.latencyMs.mean / 1000 / theory - 1)).toBeLessThan(0.02);
    expect(r.services.station.utilization).toBeCloseTo(0.8, 2);
  });

  it('throttle lets its rate through and answers the rest at once: 100/s offered, 40/s let through', () => {
    const r = runScenario(withFault({ kind: 'throttle', target: 'db', rate: '40/s' }, { traffic: { rate: '100/s', requests: 60_000 } }));
    const passed = r.services.db.requests - r.services.db.errors;
    const seconds = r.simulated.seconds;
    expect(Math.abs(passed / seconds - 40)).toBeLessThan(0.5);
    expect(r.services.db.errorsByCause.error).toBe(r.services.db.errors);
  });

  it('packet loss makes its share pay a retransmit delay (5% x 200ms = +10ms on average)', () => {
    const base = runScenario(withFault({ kind: 'packet-loss', target: 'db', percent: '5%', at: '10h' }));
    const lossy = runScenario(withFault({ kind: 'packet-loss', target: 'db', percent: '5%' }));
    const added = lossy.journeys.use.latencyMs.mean - base.journeys.use.latencyMs.mean;
    // Mean of 200ms x Bernoulli(0.05) over 1e5 calls: sd 200 * sqrt(0.05 * 0.95 / 1e5) = 0.14ms.
    expect(Math.abs(added - 10)).toBeLessThan(0.7);
  });

  it('instance-kill loses a replica with the requests it holds, then brings it back', () => {
    const s = scenario({
      seed: 2,
      duration: '3m',
      window: '10s',
      traffic: { rate: '100/s' },
      journeys: { j: { steps: ['api'] } },
      services: {
        api: { concurrency: 1000, calls: [{ to: 'db' }] },
        db: { replicas: 2, concurrency: 10, queue: 100, latency: '50ms' },
      },
      faults: [{ kind: 'instance-kill', target: 'db', at: '66s', for: '60s', replicas: 1 }],
    });
    const r = runScenario(s);
    const errors = r.windows.journeys.j.errors;
    // Killed with it: the requests in flight on that replica (50/s x 50ms = about 2.5).
    expect(errors[6]).toBeGreaterThan(0);
    expect(errors[6]).toBeLessThan(15);
    expect(errors.slice(0, 6).every((e) => e === 0)).toBe(true);
    // One replica serves 10 / 50ms = 200/s: the survivor carries all 100/s without errors.
    expect(errors.slice(7).every((e) => e === 0)).toBe(true);
    expect(r.outcomes.failed_by_truth.fault).toBe(errors[6]);
    expect(r.outcomes.faults[0]).toMatchObject({ from_seconds: 66, to_seconds: 126 });
  });

  it('unavailable refuses every call while it lasts', () => {
    const r = runScenario(withFault({ kind: 'unavailable', target: 'db', at: '100s', for: '50s' }));
    const w = r.windows.journeys.use;
    expect(r.journeys.use.errors).toBeGreaterThan(9_000);
    expect(r.journeys.use.errors).toBeLessThan(11_000);
    expect(w.errors[0]).toBe(0);
  });

  it('a fault can start relative to a rollout event: stage(flag, 2) + 5m', () => {
    const s = scenario({
      seed: 5,
      duration: '1h',
      traffic: { rate: '20/s', cohort: { size: 1000 } },
      journeys: { j: { steps: ['api'] } },
      services: { api: { concurrency: 100 } },
      flags: { f: { 'evaluated-by': ['api'] } },
      rollout: [{ flag: 'f', stages: [{ to: '10%', hold: '10m' }, { to: '50%', hold: '10m' }, { to: '100%' }] }],
      faults: [{ kind: 'abort', target: 'api', at: 'stage(f, 2) + 5m', for: '2m', percent: '1%' }],
    });
    const r = runScenario(s);
    expect(r.outcomes.faults[0]).toMatchObject({ from_seconds: 15 * 60, to_seconds: 17 * 60 });
  });
});

describe('segment faults', () => {
  it('hit only the users of their segment, with or without flags', () => {
    const r = runScenario(scenario({
      seed: 6,
      traffic: { rate: '100/s', requests: 40_000, cohort: { size: 4000, seed: 2, segments: { beta: '20%', general: '80%' } } },
      journeys: { j: { steps: ['api'] } },
      services: { api: { concurrency: 500, latency: '2ms' } },
      faults: [{ kind: 'abort', target: 'api', segment: 'beta' }],
    }));
    // Beta users are 20% of users; by activity their share of journeys is near 20% too.
    const share = r.journeys.j.errorRate;
    expect(share).toBeGreaterThan(0.12);
    expect(share).toBeLessThan(0.28);
  });
});

describe('failure patterns', () => {
  const run = (errors: unknown) => runScenario(scenario({
    seed: 1, traffic: { rate: '100/s', requests: 1000 }, journeys: { j: { steps: ['front'] } },
    services: { front: { concurrency: 100, latency: '1ms', calls: ['db'] }, db: { concurrency: 100, latency: '1ms', errors } },
  }));

  it('errors: { every: 5 } fails exactly every fifth request, as a shared counter does', () => {
    const r = run({ every: 5 });
    expect(r.services.db.errors).toBe(200);
    expect(r.journeys.j.errors).toBe(200);
    expect(r.outcomes.failed_by_truth['base-error']).toBe(200);
  });

  it('errors: { every: 20, bursts: 3 } fails in runs of three: the 18th to 20th of every 20 requests', () => {
    expect(run({ every: 20, bursts: 3 }).services.db.errors).toBe(150);
    // Journeys reach db in the order they arrive (constant latencies): the log by arrival shows the pattern.
    const sim = new Simulation(scenario({
      seed: 1, traffic: { rate: '100/s', requests: 1000 }, journeys: { j: { steps: ['front'] } },
      services: { front: { concurrency: 100, latency: '1ms', calls: ['db'] }, db: { concurrency: 100, latency: '1ms', errors: { every: 20, bursts: 3 } } },
    }));
    sim.truth.keepLog();
    sim.run();
    const failed = Array.from(sim.truth.log!.outcome.subarray(0, 1000), (o) => o === 2);
    expect(failed).toEqual(Array.from({ length: 1000 }, (_, n) => n % 20 >= 17));
  });

  it('a burst as long as the cycle is refused', () => {
    expect(() => run({ every: 3, bursts: 3 })).toThrow(/make bursts smaller than every/);
  });
});
