/**
 * Faults a team can tell apart, and a debrief that compares like with like:
 * - a scenario's fault may carry a name: results (outcomes and topology), the terminal report and a drill's debrief
 *   show it; a fault without one reads as before (its kind and target), in every bundled scenario;
 * - a name given names one fault: a second fault of the same name (another's name, a catalogue key, an unnamed
 *   fault's kind and target) is refused at both places, each line naming the other with its file:line:column;
 * - a catalogue fault is named by its key and an ad-hoc fault by the drill: a `name` in either is refused with why,
 *   and a drill numbers its ad-hoc faults past the names the scenario gives;
 * - the debrief's policy run is `rehearse run` of the scenario with the same faults at the same instants under the
 *   drill's names: equal field for field, names included;
 * - the error budget of a drill ended before its horizon is said with each run's own error_budget_burned beside the
 *   horizon's budget consumed, both runs over the same span.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario, rehearse } from '../src/index.js';
import { adhocAtProblem } from '../src/live/actions.js';
import { budgetWords, debriefLines } from '../src/live/debrief-words.js';
import { drillHtml } from '../src/live/debrief-html.js';
import { DrillSession } from '../src/live/session.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { formatOutcomes } from '../src/report/terminal.js';
import { budget, clock, count } from '../src/units/format.js';
import { drillOf, fran } from './drill-19-session.js';
import { sameFaultsScenario } from './model-22-faults.js';

const root = new URL('..', import.meta.url).pathname;
const fixture = join(root, 'test', 'fixtures', 'drill.yaml');
const m = (minutes: number) => minutes * 60e6;

const small = (faults: string, catalogue = '') => `name: named
duration: 2m
window: 10s
traffic: { rate: 20/s }
journeys:
  j: { weight: 1, steps: [a.x] }
services:
  a:
    endpoints: { x: { calls: [b.y] } }
  b:
    endpoints: { y: {} }
faults:
${faults}
${catalogue}`;

function refused(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-22-'));
  const file = join(dir, 'faults.yaml');
  writeFileSync(file, text);
  const loaded = loadScenarioFile(file);
  if (loaded.ok) throw new Error('the scenario loaded');
  return loaded.problems.map((p) => formatProblem(file, p)).map((l) => l.replace(file, 'FILE').replace(file, 'FILE'));
}

describe('a scenario fault with a name', () => {
  it('is named so in the run\'s outcomes, its topology and the terminal report; one without reads as before', () => {
    const r = rehearse(parseScenario(small(`  - { name: bank-slow, kind: latency, target: 'a -> b', add: 100ms, at: 20s, for: 30s }
  - { kind: abort, target: b, percent: 20%, at: 1m, for: 20s }`)));
    expect(r.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual([['bank-slow', 20, 50], ['abort b', 60, 80]]);
    expect(r.topology.faults.map((f) => f.name)).toEqual(['bank-slow', 'abort b']);
    const lines = formatOutcomes(r);
    expect(lines.some((l) => l.startsWith('  fault bank-slow: 0m20s to 0m50s, '))).toBe(true);
    expect(lines.some((l) => l.startsWith('  fault abort b: 1m00s to 1m20s, '))).toBe(true);
  });

  it('every bundled scenario\'s faults keep the names they had: kind and target, or a catalogue key', () => {
    const dir = join(root, 'scenarios');
    let seen = 0;
    for (const name of readdirSync(dir).filter((f) => f.endsWith('.yaml'))) {
      const raw = parse(readFileSync(join(dir, name), 'utf8')) as { faults?: { kind: string; target: string; name?: string }[]; 'faults-catalogue'?: Record<string, unknown> };
      const loaded = loadScenarioFile(join(dir, name));
      if (!loaded.ok) throw new Error(`${name}: ${loaded.problems.map((p) => p.message).join('; ')}`);
      const expected = [...(raw.faults ?? []).map((f) => { expect(f.name).toBeUndefined(); return `${f.kind} ${f.target.trim()}`; }), ...Object.keys(raw['faults-catalogue'] ?? {})];
      expect(loaded.scenario.faults.map((f) => f.name)).toEqual(expected);
      seen += expected.length;
    }
    expect(seen).toBeGreaterThanOrEqual(5);
  });

  it('two faults of one name are refused at both places, each naming the other with its file:line:column', () => {
    expect(refused(small(`  - { name: bank-slow, kind: latency, target: b, add: 100ms, at: 20s, for: 30s }
  - { name: bank-slow, kind: abort, target: b, at: 1m, for: 20s }`))).toEqual([
      'FILE:13:13: faults[0].name: fault name "bank-slow" is also the name of faults[1].name (FILE:14:13): a fault\'s name is unique among the scenario\'s faults and its faults-catalogue (a fault without a name is named by its kind and target)',
      'FILE:14:13: faults[1].name: fault name "bank-slow" is also the name of faults[0].name (FILE:13:13): a fault\'s name is unique among the scenario\'s faults and its faults-catalogue (a fault without a name is named by its kind and target)',
    ]);
    // A catalogue key, and an unnamed fault's kind and target, are names too.
    const lines = refused(small(`  - { name: bank-slow, kind: latency, target: b, add: 100ms, at: 20s }
  - { kind: abort, target: b, at: 1m, for: 20s }
  - { name: abort b, kind: reset, target: b, at: 90s }`, `faults-catalogue:
  bank-slow: { kind: latency, target: b, add: 300ms }`));
    expect(lines.map((l) => l.slice(0, l.indexOf(': a fault\'s name')))).toEqual([
      'FILE:13:13: faults[0].name: fault name "bank-slow" is also the name of faults-catalogue.bank-slow (FILE:17:3)',
      'FILE:17:3: faults-catalogue.bank-slow: fault name "bank-slow" is also the name of faults[0].name (FILE:13:13)',
      'FILE:14:5: faults[1]: fault name "abort b" is also the name of faults[2].name (FILE:15:13)',
      'FILE:15:13: faults[2].name: fault name "abort b" is also the name of faults[1] (FILE:14:5)',
    ]);
    // Unnamed faults of one kind and target are two faults, as before names could be given.
    expect(() => parseScenario(small(`  - { kind: abort, target: b, at: 10s, for: 5s }
  - { kind: abort, target: b, at: 1m, for: 5s }`))).not.toThrow();
  });

  it('a name is text a person can read: no blanks around it, no control characters, at most 60 characters', () => {
    for (const bad of ["' slow'", "''", '"a\\u0007b"', `'${'x'.repeat(61)}'`]) {
      expect(refused(small(`  - { name: ${bad}, kind: abort, target: b, at: 10s }`))).toEqual([
        'FILE:13:13: faults[0].name: a fault\'s name is 1 to 60 characters, without control characters or blanks around it',
      ]);
    }
    expect(parseScenario(small("  - { name: 'hidden ad-hoc 1', kind: abort, target: b, at: 10s }")).faults[0].name).toBe('hidden ad-hoc 1');
  });

  it('a catalogue fault is named by its key, an ad-hoc one by the drill: a name in either is refused with why', () => {
    expect(refused(small('  - { kind: abort, target: b, at: 10s }', 'faults-catalogue:\n  down: { kind: abort, target: b, name: b-down, at: 1m }'))).toEqual([
      'FILE:15:35: faults-catalogue.down.name: a catalogue fault is named by its key ("down"): leave out name',
      'FILE:15:49: faults-catalogue.down.at: a catalogue fault starts when a person injects it during a game day: leave out at (a fault at a set time goes in faults)',
    ]);
    expect(adhocAtProblem({ type: 'adhoc-fault', fault: { kind: 'abort', target: 'b', name: 'mine' } })).toBe('fault.name: the drill names an ad-hoc fault (ad-hoc 1, ad-hoc 2, ...): leave out name');
  });

  it('a drill numbers its ad-hoc faults past the names the scenario gives', () => {
    const sc = parseScenario(small("  - { name: 'ad-hoc 1', kind: abort, target: b, at: 10s, for: 5s }\n  - { name: 'ad-hoc 3', kind: abort, target: b, at: 30s, for: 5s }"));
    const s = new DrillSession({ file: 'x.yaml', caseName: null, hiddenCase: false, seed: 1, gates: 'on' }, sc);
    s.act({ type: 'start' }, fran, 'w');
    const names = [1, 2, 3].map((i) => {
      s.advanceTo(i * 20e6);
      return s.act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'b', add: '10ms', for: '5s' } }, fran, 'w').faultName;
    });
    expect(names).toEqual(['ad-hoc 2', 'ad-hoc 4', 'ad-hoc 5']);
    expect(new Set(s.faultSpecs.map((f) => f.name)).size).toBe(s.faultSpecs.length);
  });
});

describe('a drill\'s faults under their names', () => {
  // Two faults on pay at once (a catalogue abort and an ad-hoc latency, then a hidden one), the ad-hoc one removed
  // before it was due to end, the scheduled one on at the end, which comes before the horizon.
  const { doc, record } = drillOf(fixture, null, [
    [m(2), { type: 'fault', name: 'pay-down' }, fran],
    [m(3), { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '100ms', for: '10m' } }, fran],
    [m(3), { type: 'fault', name: 'quiet-drag' }, fran],
    [m(6), { type: 'remove-fault', name: 'ad-hoc 1' }, fran],
  ], m(21));

  it('the policy\'s run is `rehearse run` of the same faults at the same instants under the drill\'s names, field for field', () => {
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.team_to_seconds])).toEqual([
      ['latency web -> pay', 1200, 1260], ['pay-down', 120, 300], ['quiet-drag', 180, 240], ['ad-hoc 1', 180, 360],
    ]);
    const ran = rehearse(parseScenario(sameFaultsScenario(doc, fixture), { baseDir: root }));
    expect(ran.outcomes.faults.map((f) => f.name)).toEqual(['latency web -> pay', 'pay-down', 'quiet-drag', 'ad-hoc 1']);
    expect(doc.policy).toEqual(ran);
    // The names the drill gave are the run's, in the debrief's words too.
    expect(drillHtml(doc)).toContain('<td>ad-hoc 1</td>');
    expect(debriefLines(doc)).toContain(`  faults removed: ad-hoc 1 by fran at 6m00s (on from 3m00s; the policy alone faced it from 3m00s to 6m00s)`);
  });

  it('the error budget of a drill ended before its horizon: consumed of the horizon\'s, and each run\'s own error_budget_burned over the same span', () => {
    expect(record.end).toMatchObject({ atUs: m(21), reason: 'by-hand' });
    expect(doc.policy.simulated.seconds).toBe(doc.team.simulated.seconds);
    expect(doc.team.simulated.seconds).toBe(21 * 60);
    const words = budgetWords(doc);
    expect(words).toBe(`team ${budget(doc.budget.team.consumed)}, policy alone ${budget(doc.budget.policy.consumed)} (failed journeys ${count(doc.budget.team.failed)} and ${count(doc.budget.policy.failed)}, of the ${count(doc.budget.allowed)} the SLO allows over the whole horizon); the drill ended at ${clock(21 * 60)}, before its horizon, and both runs end there: over the time it ran, as rehearse run reports each run (error_budget_burned: the failure rate over the rate the SLO allows), team ${budget(doc.team.outcomes.error_budget_burned)}, policy alone ${budget(doc.policy.outcomes.error_budget_burned)}`);
    // A drill ended early burns faster than it consumed the horizon's budget: the two are not one figure.
    expect(doc.team.outcomes.error_budget_burned).toBeGreaterThan(doc.budget.team.consumed);
    expect(drillHtml(doc)).toContain(`Error budget: ${words.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}.`);
    expect(debriefLines(doc)).toContain(`  error budget: ${words}`);
    // At the horizon the two spans are one: the words are as before.
    const atHorizon = { ...doc, record: { ...doc.record, end: { ...doc.record.end, reason: 'horizon' as const } } };
    expect(budgetWords(atHorizon)).toBe(words.slice(0, words.indexOf('; the drill ended')));
  });
});
