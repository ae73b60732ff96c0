/**
 * A fault timed at or after the run's end never acts, as the loader warns (src/load/scenario.ts): it never switches
 * on, so the run's results list it as never on (from and to null) with the instant it was due (due_seconds), the
 * reports say why it never switched on, and the run is the run without it. A fault at the end instant switched on
 * there and was listed as on from the end to the end, though it could still act on what arrived at that instant.
 * One timed by a rollout event whose instant falls at the end (as a drill's scenario cut at its end may hold) is the
 * run's to say, the loader cannot tell: a warning at its `at` in the file, an error with --strict.
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatOutcomes } from '../src/report/terminal.js';
import { riskSummary, runReportHtml } from '../src/report/html/run.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import { lateFaultWarnings } from '../src/load/late-faults.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cli } from './helpers.js';

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
    const due = at === '60s' ? 60 : 120;
    expect(result.outcomes.faults).toEqual([{ name: 'abort api', kind: 'abort', from_seconds: null, to_seconds: null, journeys_hurt: 0, journeys_failed: 0, due_seconds: due }]);
    expect(formatOutcomes(result).filter((l) => l.includes('abort api'))).toEqual([
      `  fault abort api: never triggered: due at ${at === '60s' ? '1m00s' : '2m00s'}, ${word} the run ended (1m00s: a run stops at its end), 0 journeys hurt`,
    ]);
    expect(riskSummary(result)).toContain(`The fault abort api never triggered: it was due at ${at === '60s' ? '1m00s' : '2m00s'}, ${word} the run ended (1m00s: a run stops at its end).`);
    expect(runReportHtml(result)).not.toContain('abort api: active');
    // Nothing of it happened: not even its switch-on, at the last instant, among the run's events.
    const without = run('').result;
    expect(runOnly(result)).toEqual(runOnly(without));
    expect(result.simulated.events).toBe(without.simulated.events);
  });

  it('a fault timed by a rollout event whose instant falls at the end is said so at its place in the file, by the run', async () => {
    // Stage 2 starts at 1m00s; its fault 1m later, at 2m00s, the run's end: the loader cannot tell, the run can.
    const scenario = `name: at-end
seed: 3
duration: 2m
traffic: { rate: 100/s }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms } }
flags: { f: { evaluated-by: [api] } }
rollout: [{ flag: f, stages: [{ to: 10%, hold: 1m }, { to: 50%, hold: 5m }] }]
faults:
  - { kind: abort, target: api, at: 'stage(f, 2) + 1m' }
  - { kind: abort, target: api, at: 'stage(f, 2) + 30s', for: 10s, percent: 1% }
`;
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-at-end-'));
    const file = join(dir, 'late.yaml');
    writeFileSync(file, scenario);
    const loaded = parseScenarioText(scenario, dir, undefined, 'YAML', file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.warnings).toEqual([]);
    const result = runScenario(loaded.scenario);
    expect(result.outcomes.faults[0]).toEqual({ name: 'abort api', kind: 'abort', from_seconds: null, to_seconds: null, journeys_hurt: 0, journeys_failed: 0, due_seconds: 120 });
    // The other, due before the end, is on as ever, and says nothing of the end.
    expect(result.outcomes.faults[1]).toMatchObject({ from_seconds: 90, to_seconds: 100 });
    expect(result.outcomes.faults[1]).not.toHaveProperty('due_seconds');
    const warning = `${file}:10:37: faults[0].at: the fault's rollout event put it at 2m00s, as the run ends (duration 2m): it never acted`;
    expect(lateFaultWarnings(file, loaded.scenario, result.outcomes.faults)).toEqual([warning]);
    const r = await cli('run', file);
    expect(r.code).toBe(0);
    expect(r.err).toBe(`warning: ${warning}`);
    expect(r.out).toContain('  fault abort api: never triggered: due at 2m00s, as the run ended (2m00s: a run stops at its end), 0 journeys hurt');
    const strict = await cli('run', file, '--strict');
    expect([strict.code, strict.err]).toEqual([2, warning]);
    rmSync(dir, { recursive: true, force: true });
  });

  it('a fault before the end is on to the end, as before', () => {
    const { result, warnings } = run('{ kind: abort, target: api, at: 59s }');
    expect(warnings).toEqual([]);
    expect(result.outcomes.faults[0]).toMatchObject({ from_seconds: 59, to_seconds: 60 });
    expect(result.outcomes.faults[0].journeys_hurt).toBeGreaterThan(100);
  });
});
