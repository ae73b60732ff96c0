/** Call shapes: parallel fan-out, client-side pools, call probability, repeats; and determinism. */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { scenario } from './helpers.js';

const fanOut = (parallel: Record<string, unknown>) => scenario({
  seed: 4,
  traffic: { rate: '50/s', requests: 100_000 },
  journeys: { q: { steps: ['agg'] } },
  services: {
    agg: { concurrency: 1000, latency: '0ms', calls: [parallel] },
    shard: { concurrency: 1000, latency: { dist: 'exponential', mean: '10ms' } },
  },
});

describe('parallel calls', () => {
  it('wait for the slowest: four exponential calls take mean x H(4) = 20.83 ms', () => {
    const r = runScenario(fanOut({ parallel: [{ to: 'shard', repeat: 4 }] }));
    expect(r.services.shard.requests).toBe(400_000);
    // sd of the max of 4 exponentials (mean 10ms) is about 11.4ms; over 1e5 journeys the mean's sd is 0.036ms.
    expect(r.journeys.q.latencyMs.mean).toBeCloseTo(10 * (1 + 1 / 2 + 1 / 3 + 1 / 4), 0);
    expect(Math.abs(r.journeys.q.latencyMs.mean - 20.833)).toBeLessThan(0.2);
  });

  it('with a client-side pool of one run one at a time: the sum, 40 ms', () => {
    // At 0.1/s journeys almost never overlap (0.4% of the time), so the pool only serialises each one's calls.
    const s = fanOut({ parallel: [{ to: 'shard', repeat: 4 }], limit: 1 });
    const r = runScenario({ ...s, traffic: { ...s.traffic, perSec: 0.1, requests: 20_000 } });
    // The sum of four exponentials (mean 10ms) has sd 20ms: over 2e4 journeys the mean's sd is 0.14ms.
    expect(Math.abs(r.journeys.q.latencyMs.mean - 40)).toBeLessThan(1);
  });
});

describe('timeouts and client-side pools', () => {
  // Two calls through a pool of one: the second waits 100 ms for the slot, then takes 100 ms.
  const pooled = (timeout: string, optional = false) => runScenario(scenario({
    seed: 4,
    window: '6h',
    traffic: { rate: '0.001/s', requests: 200 }, // journeys a quarter of an hour apart: they never share the pool
    journeys: { q: { steps: ['agg'] } },
    services: {
      agg: { concurrency: 100, latency: '0ms', calls: [{ parallel: [{ to: 'slow', repeat: 2, timeout, optional }], limit: 1 }] },
      slow: { concurrency: 100, latency: '100ms' },
    },
  }));

  it('a timeout covers the wait for a pool slot, as a context deadline does', () => {
    // 150 ms: the first call ends in time; the second reaches its deadline 50 ms into its own 100 ms.
    const r = pooled('150ms');
    expect(r.journeys.q.errors).toBe(200);
    expect(r.services.slow.errorsByCause.timeout).toBe(200);
    expect(r.journeys.q.latencyMs.max).toBe(150);
    // 250 ms leaves room for both: 200 ms end to end.
    const ok = pooled('250ms');
    expect(ok.journeys.q.errors).toBe(0);
    expect(ok.journeys.q.latencyMs.max).toBe(200);
  });

  it('a call that gives up while waiting for a slot ends at its deadline', () => {
    // 50 ms: the first call times out in service (the service still works 100 ms); the second while waiting
    // for the slot, 50 ms after it was made: both optional, the journey ends well at 50 ms.
    const r = pooled('50ms', true);
    expect(r.journeys.q.errors).toBe(0);
    expect(r.services.slow.errorsByCause.timeout).toBe(400);
    expect(r.journeys.q.latencyMs.max).toBe(50);
  });
});

describe('what each figure means', () => {
  it('a wait for a slot of the caller\'s pool is the caller\'s: a 10 ms service behind a pool of 2 reports 10 ms, its caller 50 ms', () => {
    // Ten calls of 10 ms, two at a time: five rounds. Journeys a quarter of an hour apart never share the pool.
    const r = runScenario(scenario({
      seed: 1, window: '6h', traffic: { rate: '0.001/s', requests: 100 }, journeys: { q: { steps: ['agg'] } },
      services: {
        agg: { concurrency: 100, latency: '0ms', calls: [{ parallel: [{ to: 'shard', repeat: 10 }], limit: 2 }] },
        shard: { concurrency: 100, latency: '10ms' },
      },
    }));
    expect(r.services.shard.requests).toBe(1000);
    expect(r.services.shard.latencyMs.max).toBe(10);
    expect(r.services.shard.latencyMs.mean).toBe(10);
    expect(r.services.agg.latencyMs.mean).toBe(50);
  });
});

describe('network time', () => {
  const net = (calls: unknown[], extra: Record<string, unknown> = {}) => runScenario(scenario({
    seed: 5, traffic: { rate: '20/s', requests: 20_000 }, journeys: { q: { steps: ['api'] } },
    services: {
      api: { concurrency: 1000, latency: '1ms', calls, ...extra },
      db: { concurrency: 1000, latency: '4ms' },
    },
  }));

  it('a call\'s network time is spent on the way, each attempt: the caller and the callee\'s callers see it, the callee\'s workers do not', () => {
    const r = net([{ to: 'db', network: '2ms' }]);
    expect(r.journeys.q.latencyMs.mean).toBe(7);
    expect(r.services.db.latencyMs.mean).toBe(6);
    // Busy workers: 20/s x 4 ms at the db, 20/s x 7 ms at the api (it waits through the network).
    expect(r.services.db.busyWorkers).toBeCloseTo(0.08, 2);
    expect(r.services.api.busyWorkers).toBeCloseTo(0.14, 2);
  });

  it('a distribution of network times keeps its mean: exponential 3 ms on each of two calls adds 6 ms', () => {
    const r = net([{ to: 'db', network: { dist: 'exponential', mean: '3ms' } }, { to: 'db', network: { dist: 'exponential', mean: '3ms' } }]);
    // Two exponential draws (sd 3 ms each) over 2e4 journeys: the mean's sd is 0.03 ms.
    expect(Math.abs(r.journeys.q.latencyMs.mean - (1 + 2 * (3 + 4))) ).toBeLessThan(0.15);
  });

  it('a timeout on the wire ends the caller\'s wait, and the request still reaches the service once', () => {
    // 10 ms on the wire, a 5 ms timeout: every call times out at 5 ms; the db still serves each request.
    const r = net([{ to: 'db', network: '10ms', timeout: '5ms' }]);
    expect(r.journeys.q.errorRate).toBe(1);
    expect(r.journeys.q.latencyMs.max).toBe(6);
    expect(r.services.db.requests).toBe(20_000);
    expect(r.services.db.latencyMs.max).toBe(5);
    expect(r.services.db.busyWorkers).toBeCloseTo(0.08, 2);
  });

  it('a service\'s ingress is the network time of every call to it that gives none, journey steps included', () => {
    const r = runScenario(scenario({
      seed: 5, traffic: { rate: '20/s', requests: 2000 }, journeys: { q: { steps: ['api'] } },
      services: {
        api: { concurrency: 1000, latency: '1ms', ingress: '1500us', calls: ['db', { to: 'db', network: '0ms' }] },
        db: { concurrency: 1000, latency: '4ms', ingress: '2ms' },
      },
    }));
    expect(r.journeys.q.latencyMs.mean).toBe(1.5 + 1 + (2 + 4) + 4);
  });
});

describe('shifted distributions', () => {
  it('plus adds a fixed delay that holds the worker: uniform 0..10ms plus 20ms has mean 25ms and a max of at most 30ms', () => {
    const r = runScenario(scenario({
      seed: 3, traffic: { rate: '100/s', requests: 20_000 }, journeys: { q: { steps: ['s'] } },
      services: { s: { concurrency: 1000, latency: { dist: 'uniform', min: '0ms', max: '10ms', plus: '20ms' } } },
    }));
    // The mean of 2e4 uniform draws on [0, 10ms] has sd 0.02ms.
    expect(Math.abs(r.journeys.q.latencyMs.mean - 25)).toBeLessThan(0.1);
    expect(r.journeys.q.latencyMs.max).toBeLessThanOrEqual(30);
    expect(r.services.s.busyWorkers).toBeCloseTo(100 * 0.025, 0);
  });
});

describe('call probability and repeats', () => {
  it('a 15% cache miss sends 15% of calls to the database, within binomial bounds', () => {
    const n = 100_000;
    const r = runScenario(scenario({
      seed: 2,
      traffic: { rate: '100/s', requests: n },
      journeys: { read: { steps: ['cart'] } },
      services: {
        cart: { concurrency: 100, latency: '1ms', calls: ['cache', { to: 'db', probability: '15%' }] },
        cache: { concurrency: 100, latency: '0.3ms' },
        db: { concurrency: 100, latency: '4ms' },
      },
    }));
    expect(r.services.cache.requests).toBe(n);
    expect(Math.abs(r.services.db.requests / n - 0.15)).toBeLessThan(5 * Math.sqrt((0.15 * 0.85) / n));
  });

  it('a repeated call is made in sequence: three 2ms calls add 6ms', () => {
    const r = runScenario(scenario({
      traffic: { rate: '10/s', requests: 1000 },
      journeys: { read: { steps: ['api'] } },
      services: {
        api: { concurrency: 100, latency: '1ms', calls: [{ to: 'db', repeat: 3 }] },
        db: { concurrency: 100, latency: '2ms' },
      },
    }));
    expect(r.services.db.requests).toBe(3000);
    expect(r.journeys.read.latencyMs.mean).toBe(7);
  });
});

describe('determinism', () => {
  const file = new URL('../scenarios/checkout.yaml', import.meta.url).pathname;
  const load = () => {
    const l = loadScenarioFile(file);
    if (!l.ok) throw new Error('invalid example');
    return l.scenario;
  };

  it('the same scenario and seed give byte-identical results; another seed gives others', () => {
    const a = JSON.stringify(runScenario(load(), { seed: 3 }));
    const b = JSON.stringify(runScenario(load(), { seed: 3 }));
    const c = JSON.stringify(runScenario(load(), { seed: 4 }));
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    // Three whole runs of a 20-minute scenario: on a loaded machine (load average 20 on two cores) they took more
    // than the default two minutes.
  }, 600_000);
});
