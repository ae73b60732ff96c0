/**
 * A comparison gate without a filter compares the same journeys in every case of a scenario, whichever calls the
 * cases give their endpoints. The flag is evaluated by payments alone, in the scenario and in both cases. The buy
 * journey calls payments.charge; the browse journey calls catalog.list, which in case "linked" also sends an
 * asynchronous call to payments.charge (a call a case adds, not a new evaluator). Which journeys a gate looks at
 * was each case's own call graph (model/reach.ts over the compiled case): case "plain" read buy alone ("within 1
 * journey"), case "linked" buy and browse, one policy watching different journeys in different cases. Now a gate
 * looks at the journeys that meet the flag in the scenario or any of its cases: buy and browse in both.
 *
 * The asynchronous call is made after catalog's own time and error were drawn, and the journey does not wait for
 * it, so every browse journey ends at the same time with the same outcome in both cases: with the flag doing
 * nothing, the two cases' readings are the same requests, figure for figure (ten readings, one a minute of the
 * 10-minute stage at 50%).
 *
 * The report's split of the flag (windows.flags: journeys of users served the flag against the others, within
 * each journey) looks at the same journeys as the gate, in every case: it was each case's own too. And a call that
 * outlives its journey (browse's asynchronous call to payments, which ends after browse has) is counted within the
 * journey it serves, by the report's split of calls to payments and by a gate on them; it went to a stratum of its
 * own that pooled every journey's such calls.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { FlagSplits } from '../src/telemetry/splits.js';
import type { Scenario } from '../src/scenario/types.js';
import { runScenario } from '../src/score/result.js';

const text = JSON.stringify({
  name: 'compare-call-graphs',
  seed: 3,
  duration: '20m',
  traffic: { rate: '40/s', cohort: { size: 4000, seed: 2 } },
  journeys: { browse: { weight: 50, steps: ['catalog.list'] }, buy: { weight: 50, steps: ['payments.charge'] } },
  services: {
    catalog: { concurrency: 500, latency: { dist: 'lognormal', p50: '8ms', p99: '40ms' }, errors: '1%', endpoints: { list: {} } },
    payments: { concurrency: 500, latency: { dist: 'lognormal', p50: '20ms', p99: '90ms' }, errors: '1%', endpoints: { charge: {} } },
  },
  flags: { f: { 'evaluated-by': ['payments'], propagation: '1s', 'when-on': { payments: { latency: '+0ms' } } } },
  rollout: [{
    flag: 'f', 'evaluate-every': '1m', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }],
    gates: [{ compare: { metric: 'req_failed', 'max-increase': '50%', confidence: '99%', 'min-samples': 50 } }],
  }],
  cases: {
    plain: {},
    linked: { services: { catalog: { endpoints: { list: { calls: [{ to: 'payments.charge', async: true }] } } } } },
  },
});

function load(caseName?: string): Scenario {
  const loaded = parseScenarioText(text, '.', caseName);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return loaded.scenario;
}

/** Each gate reading of the run: when, on how many requests, and what it says. */
function readings(s: Scenario) {
  return runScenario(s).audit.flatMap((a) => (a.gate ? [{ at: a.timeSeconds, samples: a.gate.samples, detail: a.gate.detail }] : []));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('a comparison gate without a filter, in cases that differ in the calls an endpoint makes', () => {
  it('knows the journeys that meet the flag in the scenario or any case, whichever case is loaded', () => {
    for (const c of [undefined, 'plain', 'linked']) expect(load(c).flags[0].journeysInAnyCase).toEqual(['browse', 'buy']);
  });

  it('compares the same journeys in both cases: those that meet the flag in any case', () => {
    const plain = readings(load('plain'));
    const linked = readings(load('linked'));
    expect(plain.length).toBe(10);
    const compared = plain.filter((x) => !/needed$/.test(x.detail));
    expect(compared.length).toBeGreaterThan(5);
    // Buy and browse in every reading of both cases, not buy alone where catalog does not call payments.
    for (const r of [...compared, ...linked.filter((x) => !/needed$/.test(x.detail))]) expect(r.detail).toMatch(/ within 2 journeys;/);
    // The flag does nothing, and browse journeys end alike in both cases: the same requests, the same figures.
    expect(plain).toEqual(linked);
  });
});

describe("the report's split of the flag, in the same cases", () => {
  it('splits the same journeys in both cases, as the gate compares them', () => {
    const plain = runScenario(load('plain')).windows.flags.f;
    const linked = runScenario(load('linked')).windows.flags.f;
    // Both journeys in every window from the stage at 50% on: as many requests as the two journeys ended.
    expect(plain.compared.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(plain).toEqual(linked);
  });

  it('counts a call that outlives its journey within the journey it serves', () => {
    const s = load('linked');
    const splits = vi.spyOn(FlagSplits.prototype, 'call');
    const r = runScenario(s);
    const payments = 1; // services: catalog, payments; journeys: browse (0), buy (1)
    const calls = splits.mock.calls.filter((c) => c[0] === payments);
    splits.mockRestore();
    // Every browse journey that catalog served (not failed: a failed list calls nothing) sent one call to payments,
    // every buy journey made one: each counted under its own journey.
    expect(r.journeys.browse.errors).toBeGreaterThan(0);
    const served = r.journeys.browse.requests - r.journeys.browse.errors;
    const browse = calls.filter((c) => c[1] === 0).length;
    expect(browse).toBeLessThanOrEqual(served);
    expect(served - browse).toBeLessThan(3); // calls still out when the run ends
    expect(calls.filter((c) => c[1] === 1).length).toBe(r.journeys.buy.requests);
    expect(calls.filter((c) => c[1] < 0).length).toBe(0);
  });
});
