/**
 * A comparison gate without a filter compares flag-on with flag-off requests within the same journeys in every
 * case. Two cases here differ in which services evaluate the flag: in the scenario only payments does (the buy
 * journey meets it), in case "wide" catalog does too (and the browse journey meets it). The gate's two sides are
 * the users the flag system serves the flag and the others, within each journey it looks at; which journeys it
 * looks at was the case's own evaluators, so the scenario's gate read buy alone and the case's buy and browse:
 * two gates reading different requests under one policy (and a hidden case named by its readings' "within 1
 * journey"). Now both read the journeys that meet the flag in any case: with the flag doing nothing in either, the
 * two cases' readings are the same requests, figure for figure.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import { runScenario } from '../src/score/result.js';

const text = JSON.stringify({
  name: 'compare-cases',
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
  cases: { narrow: {}, wide: { flags: { f: { 'evaluated-by': ['payments', 'catalog'] } } } },
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

describe('a comparison gate without a filter, in cases that differ in which services evaluate the flag', () => {
  it('covers the journeys that meet the flag in any case', () => {
    expect(load().flags[0]).toMatchObject({ evaluatedBy: ['payments'], journeysInAnyCase: ['browse', 'buy'] });
    expect(load('narrow').flags[0]).toMatchObject({ evaluatedBy: ['payments'], journeysInAnyCase: ['browse', 'buy'] });
    expect(load('wide').flags[0]).toMatchObject({ evaluatedBy: ['payments', 'catalog'], journeysInAnyCase: ['browse', 'buy'] });
  });

  it('compares the same requests within the same journeys in both cases: all held equal but the flag', () => {
    const narrow = readings(load('narrow'));
    const wide = readings(load('wide'));
    expect(narrow.length).toBe(10);
    // Both journeys in every reading, not buy alone in the case where only payments evaluates the flag.
    for (const r of [...narrow, ...wide].filter((x) => !/needed$/.test(x.detail))) expect(r.detail).toMatch(/ within 2 journeys;/);
    // The flag does nothing in either case: the same requests, the same figures, reading by reading.
    expect(narrow).toEqual(wide);
  });
});
