/**
 * Timeouts, retries, circuit breakers and worker exhaustion, each against the figure theory gives.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

/** Half-width of a 5-sigma binomial interval for a proportion p over n trials. */
const binomial5 = (p: number, n: number) => 5 * Math.sqrt((p * (1 - p)) / n);

describe('timeouts', () => {
  it('turn the slow tail into errors at the expected fraction: P(S > T) = exp(-T / mean)', () => {
    const n = 200_000;
    const r = runScenario(scenario({
      seed: 5,
      traffic: { rate: '200/s', requests: n },
      journeys: { call: { steps: [{ to: 'slow', timeout: '20ms' }] } },
      // Ample workers: no queueing, so the latency is the service time alone.
      services: { slow: { concurrency: 1000, latency: { dist: 'exponential', mean: '10ms' } } },
    }));
    const expected = Math.exp(-2);
    const j = r.journeys.call;
    expect(j.requests).toBe(n);
    expect(Math.abs(j.errorRate - expected)).toBeLessThan(binomial5(expected, n));
    expect(j.errorsByCause.timeout).toBe(j.errors);
    // The caller gives up at the timeout: no latency it sees exceeds it.
    expect(j.latencyMs.max).toBeLessThanOrEqual(20.02);
  });
});

describe('retries', () => {
  it('multiply the load by 1 + p + p^2 and leave p^3 failing, with 2 retries and failure probability p', () => {
    const n = 200_000;
    const p = 0.3;
    const r = runScenario(scenario({
      seed: 6,
      traffic: { rate: '100/s', requests: n },
      journeys: { call: { steps: ['front'] } },
      services: {
        front: { concurrency: 1000, latency: '1ms', calls: [{ to: 'flaky', retry: { attempts: 2, backoff: '10ms', jitter: 'full' } }] },
        flaky: { concurrency: 1000, latency: '2ms', errors: '30%' },
      },
    }));
    const amplification = r.services.flaky.requests / n;
    const expectedAmp = 1 + p + p * p;
    // Attempts per call: 1 + B1 + B1*B2; its variance is below 1 per call, so 5/sqrt(n) bounds the mean.
    expect(Math.abs(amplification - expectedAmp)).toBeLessThan(5 / Math.sqrt(n));
    const failed = p ** 3;
    expect(Math.abs(r.journeys.call.errorRate - failed)).toBeLessThan(binomial5(failed, n));
    expect(r.services.flaky.errorsByCause.error).toBe(r.services.flaky.errors);
    expect(r.services.front.errorsByCause.downstream).toBe(r.journeys.call.errors);
  });

  it('are not made on failures the policy does not list', () => {
    const r = runScenario(scenario({
      seed: 6,
      traffic: { rate: '100/s', requests: 20_000 },
      journeys: { call: { steps: [{ to: 'flaky', retry: { attempts: 3, on: ['timeout'] } }] } },
      services: { flaky: { concurrency: 1000, latency: '2ms', errors: '30%' } },
    }));
    expect(r.services.flaky.requests).toBe(20_000);
  });
});

describe('circuit breaker', () => {
  it('opens when its edge fails, fails fast while open, and closes once the dependency recovers', () => {
    // The dependency can serve 2 x 1 / 10ms = 200/s with no queue. Traffic: 100/s, then 1000/s for a
    // minute (most calls rejected), then 100/s again.
    const r = runScenario(scenario({
      seed: 8,
      duration: '4m',
      window: '10s',
      traffic: { rate: '100/s', shape: 'steps', steps: [{ at: '60s', rate: '1000/s' }, { at: '120s', rate: '100/s' }] },
      journeys: { call: { steps: ['api'] } },
      services: {
        api: { concurrency: 2000, latency: '1ms', calls: ['dep'] },
        dep: {
          concurrency: 2, queue: 0, latency: '10ms',
          breaker: { errors: '50%', window: '10s', 'min-requests': 20, 'open-for': '5s', probes: 5 },
        },
      },
    }));
    const opens = r.breakers.filter((b) => b.to === 'open');
    expect(opens.length).toBeGreaterThan(0);
    expect(opens[0].timeSeconds).toBeGreaterThanOrEqual(60);
    expect(opens[0].timeSeconds).toBeLessThan(70);
    expect(opens[0].edge).toBe('api -> dep');
    // Fail fast while open.
    expect(r.services.dep.errorsByCause['breaker-open']).toBeGreaterThan(10_000);
    // Recovered: closed after the overload and never open again.
    const last = r.breakers[r.breakers.length - 1];
    expect(last.to).toBe('closed');
    expect(last.timeSeconds).toBeGreaterThanOrEqual(120);
    expect(last.timeSeconds).toBeLessThan(140);
    // After recovery the only failures left are the dependency's own losses: with 2 workers, no queue and
    // 1 Erlang offered (100/s x 10ms), Erlang B gives a blocking probability of (1/2) / (1 + 1 + 1/2) = 0.2.
    const w = r.windows.journeys.call;
    const lastErrors = w.errors.slice(-10).reduce((a, b) => a + b, 0);
    const lastRequests = w.requests.slice(-10).reduce((a, b) => a + b, 0);
    expect(Math.abs(lastErrors / lastRequests - 0.2)).toBeLessThan(binomial5(0.2, lastRequests));
  });
});

describe('worker exhaustion', () => {
  const base = (async: boolean) => scenario({
    seed: 9,
    duration: '2m',
    traffic: { rate: '80/s' },
    journeys: { call: { steps: ['api'] } },
    services: {
      // api needs 80/s x 1ms = 8% of one worker for its own work.
      api: { concurrency: 20, queue: 100, latency: '1ms', calls: [{ to: 'db', async }] },
      // db can serve 5 / 100ms = 50/s: saturated at 80/s.
      db: { concurrency: 5, queue: 50, latency: '100ms' },
    },
  });

  it('spreads upstream: a caller waiting on a saturated dependency runs out of workers', () => {
    const r = runScenario(base(false));
    expect(r.services.db.utilization).toBeGreaterThan(0.98);
    // db's queue never fills: api cannot send more than its 20 workers allow.
    expect(r.services.db.maxQueued).toBeLessThanOrEqual(15);
    expect(r.services.db.errorsByCause.rejected).toBe(0);
    // api is all but idle in its own work, yet every worker is held.
    expect(r.services.api.utilization).toBeGreaterThan(0.95);
    expect(r.services.api.maxQueued).toBe(100);
    expect(r.services.api.errorsByCause.rejected).toBeGreaterThan(0);
  });

  it('does not when the call is fire and forget', () => {
    const r = runScenario(base(true));
    expect(r.services.db.utilization).toBeGreaterThan(0.98);
    // 80/s x 1ms: 0.08 of one worker busy, out of 20.
    expect(r.services.api.busyWorkers).toBeCloseTo(0.08, 2);
    expect(r.services.api.errors).toBe(0);
    expect(r.journeys.call.errors).toBe(0);
  });
});
