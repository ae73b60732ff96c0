/**
 * The HTML report's chart of the reading that rolled a plan back draws, beside the gate's readings, what the gate
 * watches split flag on against off. The windows hold that split for the flag's journeys and for calls to each
 * service, not for one journey: a gate that names a journey (`{journey:buy}`) watches buy alone, and the split of
 * all the flag's journeys (buy and browse) drawn beside it compared other journeys than the gate. It is drawn
 * only for gates that name no journey.
 */
import { describe, expect, it } from 'vitest';
import { decisiveCharts } from '../src/report/html/decisive.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const run = (gate: string) => runScenario(scenario({
  seed: 4,
  duration: '20m',
  traffic: { rate: '20/s', cohort: { size: 2000, seed: 1 } },
  journeys: { browse: { weight: 50, steps: ['web.list'] }, buy: { weight: 50, steps: ['web.buy'] } },
  services: { web: { concurrency: 500, latency: '10ms', errors: '1%', endpoints: { list: {}, buy: {} } } },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s', 'when-on': { 'web.buy': { errors: '+30%' } } } },
  rollout: [{ flag: 'f', 'evaluate-every': '1m', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], gates: [gate] }],
}));

/** The series the decisive chart draws. */
const seriesOf = (gate: string) => {
  const r = run(gate);
  expect(r.rollouts[0].decisions.some((d) => d.action === 'rollback')).toBe(true);
  const charts = decisiveCharts(r);
  expect(charts.length).toBe(1);
  return new Set([...JSON.stringify(charts[0].spec).matchAll(/"series":"([^"]*)"/g)].map((m) => m[1]));
};

describe("the decisive chart's flag-on against flag-off context", () => {
  it("draws the flag's journeys split beside a gate on all of them", () => {
    expect([...seriesOf('req_failed{flag:on} rate<0.05')]).toEqual(expect.arrayContaining(['journeys, flag on', 'journeys, flag off']));
  });

  it('draws no split of other journeys beside a gate on one journey', () => {
    const series = seriesOf('req_failed{journey:buy,flag:on} rate<0.05');
    expect(series.has('gate reading')).toBe(true);
    expect([...series].filter((s) => /flag o(n|ff)$/.test(s))).toEqual([]);
  });
});
