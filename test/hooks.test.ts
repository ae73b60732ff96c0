import { describe, expect, it } from 'vitest';
import { Simulation } from '../src/model/simulation.js';
import { runScenario } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { CAUSE_OK } from '../src/telemetry/telemetry.js';
import { scenario } from './helpers.js';

/** A flag, a cohort, retries, a timeout, a parallel group and a fire-and-forget call: every hook has work. */
function shop(): Scenario {
  return scenario({
    seed: 7,
    duration: '3m',
    traffic: { rate: '60/s', cohort: { size: 500, seed: 2, segments: { beta: '30%', rest: '70%' } } },
    journeys: { buy: { weight: 1, steps: ['api.buy'] }, look: { weight: 2, steps: ['api.look'] } },
    services: {
      api: {
        concurrency: 4,
        queue: 10,
        latency: { dist: 'exponential', mean: '8ms' },
        errors: '2%',
        endpoints: {
          buy: { calls: [{ to: 'db.write', timeout: '30ms', retry: { attempts: 2, backoff: '5ms' } }, { parallel: ['db.read', 'db.read'] }, { to: 'db.log', async: true }] },
          look: { calls: ['db.read'] },
        },
      },
      db: { concurrency: 3, queue: 5, latency: { dist: 'exponential', mean: '6ms' }, errors: '3%', endpoints: { write: {}, read: {}, log: {} } },
    },
    flags: { 'new-buy': { 'evaluated-by': ['api', 'db'], 'when-on': { db: { latency: 'x1.5' } } } },
    rollout: [{ flag: 'new-buy', stages: [{ to: '50%' }] }],
  });
}

describe('hook points of a simulation', () => {
  const s = shop();
  const plain = runScenario(s);
  const attempts = new Map<string, { requests: number; errors: number }>();
  const journeys = new Map<string, number>();
  const order: string[] = [];
  const windows: number[] = [];
  let ended = -1;
  const heard = runScenario(s, {
    observe: (sim) => {
      const m = sim.model;
      sim.observe({
        attemptEnded: (rec, cause) => {
          const svc = m.serviceNames[m.endpointService[sim.rTarget[rec]]];
          const a = attempts.get(svc) ?? { requests: 0, errors: 0 };
          a.requests++;
          if (cause !== CAUSE_OK) a.errors++;
          attempts.set(svc, a);
          if (order.length < 6) order.push('first');
        },
        journeyEnded: (rec) => {
          const j = m.journeyNames[sim.rTarget[rec]];
          journeys.set(j, (journeys.get(j) ?? 0) + 1);
        },
        window: (nowUs) => windows.push(nowUs),
        ended: (endUs) => (ended = endUs),
      });
      sim.observe({ attemptEnded: () => void (order.length < 6 && order.push('second')) });
    },
  });

  it('an observer changes nothing: the same result document with and without one', () => {
    expect(JSON.stringify(heard)).toBe(JSON.stringify(plain));
  });

  it('hears every attempt and every journey the run counts, and the end of every window and of the run', () => {
    for (const [name, svc] of Object.entries(plain.services)) {
      expect(attempts.get(name), name).toEqual({ requests: svc.requests, errors: svc.errors });
    }
    for (const [name, j] of Object.entries(plain.journeys)) expect(journeys.get(name), name).toBe(j.requests);
    expect(windows).toEqual([60e6, 120e6, 180e6]);
    expect(ended).toBe(180e6);
  });

  it('calls hooks installed on one point in the order they were installed', () => {
    expect(order).toEqual(['first', 'second', 'first', 'second', 'first', 'second']);
  });

  it('feeds probes from the first one added, whenever that is', () => {
    const sim = new Simulation(s);
    const db = sim.model.endpointNames.indexOf('db.read');
    let requests = 0;
    let failed = 0;
    sim.observe({
      attemptEnded: (rec, cause) => {
        if (sim.rTarget[rec] !== db) return;
        requests++;
        if (cause !== CAUSE_OK) failed++;
      },
    });
    const id = sim.probes.add({ scope: 'endpoints', targets: [db], flag: -1, flagOn: false, segment: -1, latency: false, slots: 0 });
    sim.run();
    expect(requests).toBeGreaterThan(1000);
    expect(sim.probes.window(id, 0, null)).toMatchObject({ requests, failed });
  });
});
