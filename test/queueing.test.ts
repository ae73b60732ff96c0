/**
 * The simulator against queueing theory: Erlang C for M/M/1 and M/M/c, Little's law from the telemetry, and
 * a tandem network as the sum of its stations' sojourns. Runs are long enough that the tolerance is several
 * standard errors wide (the estimator's spread at load 0.9 with 4M customers is about 0.5%).
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { erlangC, mmc } from './helpers.js';

const MU = 100; // service rate per worker, per second (mean 10 ms)

describe('M/M/c against Erlang C', () => {
  const cases: [number, number][] = [];
  for (const c of [1, 4]) for (const rho of [0.5, 0.7, 0.9]) cases.push([c, rho]);

  it.each(cases)('c=%i, load %f: mean response within 2 percent, P(wait) within 0.02', (c, rho) => {
    const lambda = rho * c * MU;
    const theory = erlangC(lambda, MU, c);
    const requests = rho >= 0.9 ? 4_000_000 : 1_000_000;
    const r = runScenario(mmc(lambda, MU, c, requests, 11));
    const s = r.services.station;
    const ep = s.endpoints.default;
    expect(ep.requests).toBe(requests);
    expect(Math.abs(s.latencyMs.mean / 1000 / theory.meanResponse - 1)).toBeLessThan(0.02);
    expect(Math.abs(s.meanQueueWaitMs / 1000 / theory.meanWait - 1)).toBeLessThan(0.04);
    // P(wait): the share of requests that found every worker busy.
    expect(Math.abs(s.waitedShare - theory.pWait)).toBeLessThan(0.02);
    // Utilization is the offered load.
    expect(s.utilization).toBeCloseTo(rho, 2);
  });
});

describe("Little's law", () => {
  it('L = lambda W from the telemetry of an M/M/2 station at load 0.8', () => {
    const r = runScenario(mmc(160, MU, 2, 1_000_000, 3));
    const s = r.services.station;
    const lambda = s.requests / r.simulated.seconds;
    expect(s.meanInFlight / (lambda * (s.latencyMs.mean / 1000))).toBeCloseTo(1, 2);
    // And per window, where each window is long enough (1 minute at 160/s).
    const w = r.windows.services.station;
    const mid = Math.floor(w.requests.length / 2);
    expect(w.utilization[mid]).toBeGreaterThan(0.7);
    expect(w.utilization[mid]).toBeLessThan(0.9);
  });
});

describe('tandem network', () => {
  it('three M/M/4 stations: the mean end-to-end latency is the sum of Erlang C sojourns (15.094 ms)', () => {
    const loaded = loadScenarioFile(new URL('../bench/tandem.yaml', import.meta.url).pathname);
    if (!loaded.ok) throw new Error('bench/tandem.yaml is invalid');
    const r = runScenario(loaded.scenario);
    const one = erlangC(900, 300, 4).meanResponse;
    expect(3 * one * 1000).toBeCloseTo(15.094, 3);
    expect(r.simulated.requests).toBe(1_000_000);
    expect(Math.abs(r.journeys.visit.latencyMs.mean / 15.094 - 1)).toBeLessThan(0.02);
    for (const s of ['a', 'b', 'c']) {
      expect(Math.abs(r.services[s].latencyMs.mean / (one * 1000) - 1)).toBeLessThan(0.03);
    }
  });
});
