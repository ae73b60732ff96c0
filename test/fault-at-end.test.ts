/**
 * A fault timed at or after the run's end never acts, as the loader warns (src/load/scenario.ts): it never switches
 * on, so the run's results list it as never on (from and to null), in the words a report uses for any fault that never
 * switched on, and the run is the run without it. A fault at the end instant switched on there and was listed as on
 * from the end to the end, though it could still act on what arrived at that instant.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatOutcomes } from '../src/report/terminal.js';
import { riskSummary, runReportHtml } from '../src/report/html/run.js';
import { runScenario, type RunResult } from '../src/score/result.js';

const text = (faults: string) => `name: at-end
seed: 3
duration: 1m
traffic: { rate: 200/s }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms } }
faults: [${faults}]
`;

function run(faults: string): { result: RunResult; warnings: string[] } {
  const loaded = parseScenarioText(text(faults), '.', undefined, 'YAML', 'at-end.yaml');
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return { result: runScenario(loaded.scenario), warnings: loaded.warnings };
}

/** What is left of a run without its faults' listing: the run itself. */
const runOnly = (r: RunResult) => ({ ...r, outcomes: { ...r.outcomes, faults: [] }, topology: { ...r.topology, faults: [] } });

describe('a fault timed at or after the run\'s end', () => {
  it.each([['60s', 'as'], ['2m', 'after']])('at %s is warned, never on in the JSON, the terminal and the HTML, and the run is the run without it', (at, word) => {
    const { result, warnings } = run(`{ kind: abort, target: api, at: ${at} }`);
    expect(warnings).toEqual([`at-end.yaml:7:42: faults[0].at: the fault starts at ${at}, ${word} the run ends (duration 1m): it never acts`]);
    expect(result.outcomes.faults).toEqual([{ name: 'abort api', kind: 'abort', from_seconds: null, to_seconds: null, journeys_hurt: 0 }]);
    expect(formatOutcomes(result).filter((l) => l.includes('abort api'))).toEqual([expect.stringContaining('never triggered')]);
    expect(riskSummary(result)).toContain('The fault abort api never triggered.');
    expect(runReportHtml(result)).not.toContain('abort api: active');
    // Nothing of it happened: not even its switch-on, at the last instant, among the run's events.
    const without = run('').result;
    expect(runOnly(result)).toEqual(runOnly(without));
    expect(result.simulated.events).toBe(without.simulated.events);
  });

  it('a fault before the end is on to the end, as before', () => {
    const { result, warnings } = run('{ kind: abort, target: api, at: 59s }');
    expect(warnings).toEqual([]);
    expect(result.outcomes.faults[0]).toMatchObject({ from_seconds: 59, to_seconds: 60 });
    expect(result.outcomes.faults[0].journeys_hurt).toBeGreaterThan(100);
  });
});
