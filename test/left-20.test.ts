import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { normalizeAdhocFault } from '../src/scenario/adhoc.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

/** users -> api; one fault written as YAML flow text, on line 6 of the file. */
const withFault = (fault: string, cohort = '') => `name: faults
seed: 1
traffic: { rate: 100/s, requests: 2000${cohort} }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms } }
faults: [${fault}]
`;
const load = (text: string) => parseScenarioText(text, '.', undefined, 'YAML', 'faults.yaml');
const refusals = (text: string) => {
  const r = load(text);
  return r.ok ? [] : r.problems.map((p) => formatProblem('faults.yaml', p));
};

describe('a fault that does nothing is refused at the field that makes it so', () => {
  it.each([
    ['{ kind: abort, target: api, for: 0s }', 'faults.yaml:6:43: faults[0].for: an abort fault for 0s does nothing'],
    ['{ kind: latency, target: api, add: 20ms, for: 0ms }', 'faults.yaml:6:56: faults[0].for: a latency fault for 0s does nothing'],
    ['{ kind: abort, target: api, percent: 0% }', 'faults.yaml:6:47: faults[0].percent: an abort fault on 0% of requests does nothing'],
    ['{ kind: reset, target: api, percent: "0.0%" }', 'faults.yaml:6:47: faults[0].percent: a reset fault on 0% of requests does nothing'],
    ['{ kind: latency, target: api, add: 0ms }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms does nothing'],
    ['{ kind: latency, target: api, add: { dist: uniform, min: 0s, max: 0s } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: latency, target: api, add: { dist: normal, mean: 0ms, sd: 0ms } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: latency, target: api, add: { dist: empirical, samples: [0ms, 0s] } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: packet-loss, target: api, add: 0ms }', 'faults.yaml:6:49: faults[0].add: a packet-loss fault whose retransmits take 0ms does nothing'],
    ['{ kind: cpu-stress, target: api, factor: 1 }', 'faults.yaml:6:51: faults[0].factor: a cpu-stress factor of 1 leaves service times as they are'],
    ['{ kind: cpu-stress, target: api, factor: 0.5 }', 'faults.yaml:6:51: faults[0].factor: a cpu-stress factor of 0.5 would make the service faster'],
  ])('%s', (fault, expected) => {
    const lines = refusals(withFault(fault));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  });

  it('a catalogue fault and a game day\'s ad-hoc fault alike', () => {
    const text = withFault('').replace('faults: []', 'faults-catalogue:\n  slow: { kind: latency, target: api, add: 0ms }');
    expect(refusals(text)).toEqual(['faults.yaml:7:44: faults-catalogue.slow.add: a latency fault that adds 0ms does nothing']);
    const s = scenario({ traffic: { rate: '100/s', requests: 10 }, journeys: { j: { steps: ['api'] } }, services: { api: { latency: '2ms' } } });
    expect(normalizeAdhocFault({ kind: 'abort', target: 'api', percent: '0%' }, 'none', s)).toEqual({
      ok: false, problems: [{ path: ['percent'], message: 'an abort fault on 0% of requests does nothing (leave out percent for all of them)' }],
    });
  });

  it('what does something is read as before: a short fault, a small share, a small delay, a factor above 1', () => {
    for (const fault of ['{ kind: abort, target: api, for: 1ms }', '{ kind: abort, target: api, percent: 0.001% }',
      '{ kind: latency, target: api, add: 1us }', '{ kind: latency, target: api, add: { dist: normal, mean: 0ms, sd: 1ms } }',
      '{ kind: latency, target: api, add: { dist: constant, value: 0ms, plus: 1ms } }', '{ kind: cpu-stress, target: api, factor: 1.01 }']) {
      expect(refusals(withFault(fault)), fault).toEqual([]);
    }
  });

  it('an instance-kill for 0s is warned, not refused: its replicas fail the requests they hold as they go', () => {
    const text = withFault('{ kind: instance-kill, target: api, at: 10s, for: 0s }').replace('latency: 2ms', 'latency: 500ms');
    const r = load(text);
    expect(r.ok && r.warnings).toEqual([
      'faults.yaml:6:60: faults[0].for: an instance-kill for 0s fails the requests its replicas hold and has them back at once (a restart that takes no time): give for the time they are down',
    ]);
    // One replica of two dies at 10s with what it held (about 100/s x 0.5s / 2 requests), and is back at once.
    const result = runScenario(r.ok ? r.scenario : (null as never));
    expect(result.journeys.j.errors).toBeGreaterThan(5);
    expect(result.journeys.j.errors).toBeLessThan(60);
    expect(result.outcomes.failed_by_truth.fault).toBe(result.journeys.j.errors);
  });
});

describe('a fault\'s segment names one the users have', () => {
  const cohort = ', cohort: { size: 400, seed: 2, segments: { beta: 20%, general: 80% } }';
  it('a misspelt segment is refused with the nearest (it hit every user: 100% errors)', () => {
    expect(refusals(withFault('{ kind: abort, target: api, segment: betta }', cohort))).toEqual([
      'faults.yaml:6:47: faults[0].segment: unknown segment "betta"; did you mean "beta"? (segments: beta, general)',
    ]);
    const r = load(withFault('{ kind: abort, target: api, segment: beta }', cohort));
    expect(r.ok).toBe(true);
    const share = runScenario(r.ok ? r.scenario : (null as never)).journeys.j.errorRate;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.4);
  });

  it('users without segments have none to name, in the file, a catalogue and a game day\'s ad-hoc fault', () => {
    expect(refusals(withFault('{ kind: abort, target: api, segment: beta }'))).toEqual([
      'faults.yaml:6:47: faults[0].segment: unknown segment "beta": the users have no segments (give traffic.cohort: its segments, or a cohort file\'s segment column)',
    ]);
    const s = scenario({ traffic: { rate: '100/s', requests: 10 }, journeys: { j: { steps: ['api'] } }, services: { api: { latency: '2ms' } } });
    expect(normalizeAdhocFault({ kind: 'abort', target: 'api', segment: 'beta' }, 'x', s)).toEqual({
      ok: false, problems: [{ path: ['segment'], message: 'unknown segment "beta": the users have no segments' }],
    });
  });
});
