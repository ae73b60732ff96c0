/**
 * Stability before a run: each service's offered load against its capacity (Little's law: arrival rate x
 * holding time), asynchronous cycles whose expected calls per journey do not converge, and services whose
 * capacity is unknown; `validate` and `run` say so.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { stability, stabilityWarnings } from '../src/scenario/stability.js';
import { runScenario } from '../src/score/result.js';
import { mmc, scenario } from './helpers.js';

const load = (s: ReturnType<typeof scenario>, name: string) => stability(s).services.find((x) => x.service === name)!;

describe('offered load against capacity', () => {
  it('an M/M/c station offered 100/s of 100 ms work: 10 busy workers, utilization 1.25 with 8 workers and 0.83 with 12', () => {
    expect(load(mmc(100, 10, 8, 1000), 'station')).toEqual({ service: 'station', offered: 10, capacity: 8, utilization: 1.25 });
    expect(load(mmc(100, 10, 12, 1000), 'station').utilization).toBeCloseTo(10 / 12, 12);
    expect(stabilityWarnings(mmc(100, 10, 8, 1000))).toEqual([
      'services.station: offered 10.0 busy workers at 100/s against a capacity of 8 (utilization 1.25, at least: no queueing counted): its queue grows for as long as that load lasts',
    ]);
    expect(stabilityWarnings(mmc(100, 10, 12, 1000))).toEqual([]);
  });

  it('a caller holds its worker through its calls and their network time; the figure is what the run measures at low load', () => {
    const s = scenario({
      seed: 2, traffic: { rate: '50/s', requests: 100_000 }, journeys: { q: { steps: ['api'] } },
      services: {
        api: { replicas: 2, concurrency: 4, latency: '2ms', calls: [{ to: 'db', network: '1ms', probability: '50%' }, { parallel: ['db', 'cache'] }] },
        db: { concurrency: 100, latency: '4ms' },
        cache: { concurrency: 100, latency: '1ms' },
      },
    });
    // api holds 2 + 0.5 x (1 + 4) + max(4, 1) = 8.5 ms; db sees 1.5 calls of 4 ms per journey; at 50/s.
    const api = load(s, 'api'), db = load(s, 'db');
    expect(api.offered).toBeCloseTo(50 * 0.0085, 12);
    expect(api.capacity).toBe(8);
    expect(db.offered).toBeCloseTo(50 * 1.5 * 0.004, 12);
    const r = runScenario(s);
    expect(r.services.api.busyWorkers).toBeCloseTo(api.offered, 2);
    expect(r.services.db.busyWorkers).toBeCloseTo(db.offered, 2);
  });
});

describe('retries in the offered load', () => {
  it('a retried call counts 1 + q + ... + q^n tries (q its target\'s error rate), in closed form even for attempts: 1e12', () => {
    const withRetries = (attempts: number) => scenario({
      duration: '1m', traffic: { rate: '100/s' }, journeys: { q: { steps: ['api'] } },
      services: { api: { latency: '1ms', calls: [{ to: 'db', retry: { attempts, backoff: '1ms' } }] }, db: { concurrency: 10, latency: '10ms', errors: '50%' } },
    });
    // Tries per call: 1 + 0.5 + 0.25 = 1.75 with two retries; 2 (the limit) with as many as a file may ask.
    expect(load(withRetries(2), 'db').offered).toBeCloseTo(100 * 1.75 * 0.01, 12);
    expect(load(withRetries(1e12), 'db').offered).toBeCloseTo(100 * 2 * 0.01, 12);
  });
});

describe('unknown capacity', () => {
  it('is unbounded in the run: 200/s of 100 ms work never waits (20 busy workers on average)', () => {
    const s = scenario({
      seed: 3, traffic: { rate: '200/s', requests: 20_000 }, journeys: { q: { steps: ['svc'] } },
      services: { svc: { concurrency: 'unknown', latency: '100ms' } },
    });
    expect(s.services[0].capacityKnown).toBe(false);
    const r = runScenario(s);
    expect(r.journeys.q.latencyMs.max).toBe(100);
    expect(r.services.svc.busyWorkers).toBeCloseTo(20, 0);
    expect(load(s, 'svc')).toEqual({ service: 'svc', offered: 20, capacity: null, utilization: null });
    expect(stabilityWarnings(s)).toEqual(['capacity unknown (concurrency: unknown) for "svc": unbounded in the run, so results cannot show them saturate']);
  });
});

describe('asynchronous cycles', () => {
  // a calls b at `sites` call sites, each taken with `probability`; b calls a back.
  const cycle = (probability: string, sites: number) => scenario({
    seed: 1, traffic: { rate: '1/s', requests: 10 }, journeys: { q: { steps: ['a'] } },
    services: {
      a: { concurrency: 100, latency: '1ms', calls: Array.from({ length: sites }, () => ({ to: 'b', async: true, probability })) },
      b: { concurrency: 100, latency: '1ms', calls: [{ to: 'a', async: true }] },
    },
  });

  it('converges when each turn makes fewer than one call: 1/(1 - 0.5) = 2 requests per journey at a', () => {
    const st = stability(cycle('50%', 1));
    expect(st.divergent).toEqual([]);
    expect(st.services.find((x) => x.service === 'a')!.offered).toBeCloseTo(2 * 0.001, 9);
    expect(st.services.find((x) => x.service === 'b')!.offered).toBeCloseTo(1 * 0.001, 9);
  });

  it('does not converge at 1.2 calls each turn (two calls of 60%, each cycle alone below one, as validation sees them), and says so with the figure', () => {
    const w = stabilityWarnings(cycle('60%', 2));
    expect(w).toHaveLength(1);
    expect(w[0]).toMatch(/^asynchronous cycle a\.default -> b\.default -> a\.default: 1\.20 calls each time around, so the expected calls per journey do not converge/);
    // Exactly one call per turn grows no more, and never settles either.
    expect(stability(cycle('50%', 2)).divergent).toHaveLength(1);
    expect(stability(cycle('49%', 2)).divergent).toHaveLength(0);
  });
});

describe('validate and run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-stability-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const cli = async (...argv: string[]) => {
    const out: string[] = [], err: string[] = [];
    const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('flag an over-capacity service and a non-draining cycle; name the services of unknown capacity against the calibrated load', async () => {
    const f = join(dir, 'unstable.yaml');
    writeFileSync(f, `name: unstable
duration: 10s
traffic: { rate: 100/s }
calibration: { rate: 50/s }
journeys: { q: { steps: [db, front] } }
services:
  front: { concurrency: unknown, latency: 1ms, calls: [{ to: audit, async: true }] }
  db: { concurrency: 2, queue: 10, latency: 30ms }
  audit: { concurrency: unknown, latency: 1ms, calls: [{ to: front, async: true, probability: 60% }, { to: front, async: true, probability: 60% }] }
`);
    const v = await cli('validate', f);
    expect(v.code).toBe(0);
    expect(v.err.split('\n')).toEqual([
      `warning: ${f}: services.db: offered 3.00 busy workers at 100/s against a capacity of 2 (utilization 1.50, at least: no queueing counted): its queue fills and it rejects requests for as long as that load lasts`,
      `warning: ${f}: asynchronous cycle front.default -> audit.default -> front.default: 1.20 calls each time around, so the expected calls per journey do not converge: the calls grow without end`,
      `warning: ${f}: capacity unknown (concurrency: unknown) for "front", "audit": unbounded in the run, so results above the calibrated load (50.0/s; this run's peak is 2.00 times it) cannot show them saturate`,
    ]);
    expect((await cli('validate', '--strict', f)).code).toBe(2);
  });

  it('run says it too, before the run', async () => {
    const f = join(dir, 'over.yaml');
    writeFileSync(f, 'name: over\nduration: 2s\ntraffic: { rate: 100/s }\njourneys: { q: { steps: [db] } }\nservices:\n  db: { concurrency: 2, latency: 30ms }\n');
    const r = await cli('run', f, '--json', join(dir, 'over.json'));
    expect(r.err).toContain(`warning: ${f}: services.db: offered 3.00 busy workers at 100/s against a capacity of 2 (utilization 1.50`);
  });
});
