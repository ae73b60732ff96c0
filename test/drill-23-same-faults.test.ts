/**
 * The team against the policy under the same faults (docs/gameday.md, "How it is scored"): both runs list the same
 * faults with the same story, a scheduled fault the drill ended before reaching included (never on, in both), and
 * nothing but who decides differs. A drill driven as docs/gameday.md shows (a fault injected while the clock stands,
 * two on one service at once, one removed early and one withdrawn before it switched on, a speed change, the process
 * killed and the drill resumed from its record, the end by hand before the horizon), in which nobody acts on a plan
 * and the gates are on, is the policy's run: the team's run result is the policy's, field for field (the windows,
 * the error budget, the events counted). One in which a person acts on a plan still faces the same faults.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Action, RecordedAction } from '../src/live/actions.js';
import { buildDocument } from '../src/live/debrief.js';
import { drillHtml } from '../src/live/debrief-html.js';
import type { DrillRecord } from '../src/live/record.js';
import { DrillSession, readDrillScenario, type Actor, type DrillScenario } from '../src/live/session.js';
import { ada, fran } from './drill-19-session.js';

const root = new URL('..', import.meta.url).pathname;
const scenario = join(root, 'scenarios', 'two-flag-release.yaml');
const m = (minutes: number) => Math.round(minutes * 60e6);
const wall = (i: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, i)).toISOString();

type Step = [number, Action, Actor];

/**
 * A drill of the scenario: `before` applied in its first process, which stops at `killedUs` (a kill -9: the journal
 * ends there); the drill resumed from its record, `after` applied, the end by hand at `endUs`. Its debrief.
 */
function drill(read: DrillScenario, before: readonly Step[], killedUs: number, after: readonly Step[], endUs: number) {
  const setup = { file: read.file, caseName: null, hiddenCase: false, seed: read.scenario.seed, gates: 'on' as const };
  let i = 0;
  const act = (s: DrillSession, [atUs, action, by]: Step) => {
    s.advanceTo(atUs);
    expect(s.nowUs).toBe(atUs);
    const rec = s.act(action, by, wall(++i));
    expect(rec.refused, JSON.stringify(action)).toBeNull();
  };
  const first = new DrillSession(setup, read.scenario);
  first.act({ type: 'start' }, fran, wall(0));
  for (const step of before) act(first, step);
  first.advanceTo(killedUs);
  const kept: RecordedAction[] = [...first.actions];
  // Resumed: the record replayed to where the journal ended, its clock stopped there; then on.
  const resumed = DrillSession.fromRecord(setup, read.scenario, kept, killedUs, null);
  resumed.act({ type: 'clock', op: 'resume' }, fran, wall(++i));
  for (const step of after) act(resumed, step);
  resumed.advanceTo(endUs);
  resumed.act({ type: 'end' }, fran, wall(++i));
  const record: DrillRecord = {
    scenario: { file: read.file, sha256: read.sha256, name: read.scenario.name }, seed: setup.seed, gates: 'on',
    case: { hidden: false, name: null }, secret: null, speed: 120, opened: wall(0),
    people: [fran, ada].map((p) => ({ ...p, joined: wall(0) })),
    actions: resumed.actions, countdown: [], resumed: [{ atUs: killedUs, wall: wall(50) }],
    end: { atUs: resumed.endedUs!, reason: resumed.endReason!, wall: wall(++i) }, journalHead: 'x',
  };
  return buildDocument(record, read, null);
}

const adhoc = (fault: Record<string, unknown>): Action => ({ type: 'adhoc-fault', fault: fault as never });
const before: Step[] = [
  [m(2), { type: 'clock', op: 'pause' }, fran],
  [m(2), { type: 'fault', name: 'bank-slow' }, fran],
  [m(2), { type: 'clock', op: 'resume' }, fran],
  [m(4), adhoc({ kind: 'latency', target: 'payments', add: '200ms', for: '10m' }), fran],
  [m(6), { type: 'speed', speed: 240 }, fran],
  [m(8), { type: 'remove-fault', name: 'ad-hoc 1' }, fran],
  [m(9), { type: 'clock', op: 'pause' }, fran],
  [m(9), adhoc({ kind: 'abort', target: 'inventory', percent: '20%', for: '2m' }), fran],
  [m(9), { type: 'remove-fault', name: 'ad-hoc 2' }, fran],
  [m(9), { type: 'clock', op: 'resume' }, fran],
  [m(10), { type: 'fault', name: 'inventory-down' }, fran],
];
// Killed at 11m with bank-slow and inventory-down on; resumed; ended by hand at 17m, before the scheduled fault (28m).
const killed = m(11);
const end = m(17);

describe('a drill in which nobody acts on a plan is the policy\'s run', () => {
  const read = readDrillScenario(scenario, null);
  const doc = drill(read, before, killed, [], end);

  it('every fault starts and ends at the same instants in both runs; the scheduled one not reached is never on in both', () => {
    const s = (us: number) => us / 1e6;
    const story = [
      ['latency frontend -> catalog', null, null],
      ['bank-slow', s(m(2)), s(m(12))],
      ['inventory-down', s(m(10)), s(m(15))],
      ['ad-hoc 1', s(m(4)), s(m(8))],
    ];
    expect(doc.team.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual(story);
    expect(doc.policy.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual(story);
    expect(doc.policy.topology.faults).toEqual(doc.team.topology.faults);
    // The debrief's faults are those both runs faced; the withdrawn one is in neither run.
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.policy_from_seconds, f.team_to_seconds, f.policy_to_seconds])).toEqual(
      story.slice(1).map(([name, from, to]) => [name, from, from, to, to]));
    expect(doc.withdrawn).toEqual([{ name: 'ad-hoc 2', injected_seconds: 540, removed_by: 'fran', removed_seconds: 540 }]);
  });

  it('the team\'s run result is the policy\'s, field for field: windows, error budget and events included', () => {
    expect(doc.team.simulated.seconds).toBe(end / 1e6);
    expect(doc.team.windows.startSeconds.length).toBeGreaterThan(10);
    expect(doc.team.windows).toEqual(doc.policy.windows);
    expect(doc.team.simulated).toEqual(doc.policy.simulated);
    expect(doc.budget.team).toEqual(doc.budget.policy);
    expect(doc.team.outcomes.error_budget_burned).toBe(doc.policy.outcomes.error_budget_burned);
    expect(doc.team).toEqual(doc.policy);
    expect(doc.verdict.text).toBe('The team and the policy tied (0 each, 2 tied)');
  });

  it('the debrief names the scheduled fault the drill ended before reaching', () => {
    expect(drillHtml(doc)).toContain('<p id="faults-not-reached">Scheduled, never switched on before the drill ended (neither run faced them; both runs list them as never on): latency frontend -&gt; catalog.</p>');
  });
});

describe('a drill in which a person acts on a plan faces the same faults as the policy', () => {
  const read = readDrillScenario(scenario, null);
  const plan = (op: 'pause' | 'rollback', flag: string): Action => ({ type: 'plan', flag, op, reason: 'p99 up' });
  const doc = drill(read, [...before, [m(10.5), plan('pause', 'new-checkout'), ada]], killed, [[m(12), plan('rollback', 'new-checkout'), ada]], end);

  it('the same faults, windows and horizon budget; only who decides differs', () => {
    const listed = (r: typeof doc.team) => r.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds]);
    expect(listed(doc.policy)).toEqual(listed(doc.team));
    expect(listed(doc.team)[0]).toEqual(['latency frontend -> catalog', null, null]);
    expect(doc.policy.topology).toEqual(doc.team.topology);
    expect(doc.policy.windows.startSeconds).toEqual(doc.team.windows.startSeconds);
    expect(doc.policy.simulated.seconds).toBe(doc.team.simulated.seconds);
    expect(doc.budget.allowed).toBeGreaterThan(0);
    // Who decided differs: ada paused new-checkout and rolled it back; the policy alone did what its gates said.
    const decided = (r: typeof doc.team) => r.rollouts.find((p) => p.flag === 'new-checkout')!.decisions.map((d) => [d.timeSeconds, d.action]);
    expect(decided(doc.team)).toEqual(expect.arrayContaining([[630, 'pause'], [720, 'rollback']]));
    expect(decided(doc.policy)).not.toEqual(expect.arrayContaining([[630, 'pause']]));
  });
});

describe('a scheduled fault due at the instant the drill ends', () => {
  const fixture = join(root, 'test', 'fixtures', 'drill.yaml');
  /** A drill of `file` (case healthy) in which nobody acts, ended by hand at `endUs` or at the horizon. */
  const ended = (file: string, endUs: number) => drill(readDrillScenario(file, 'healthy'), [], endUs, [], endUs);
  const listed = (r: { outcomes: { faults: { name: string; from_seconds: number | null; to_seconds: number | null }[] } }) =>
    r.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds]);

  it('ended by hand then: it switched on then in the team\'s run, and does in the policy\'s', () => {
    // The hidden latency fault of test/fixtures/drill.yaml is due at 20m: the drill's clock stopped there, and ended.
    const doc = ended(fixture, m(20));
    expect(listed(doc.team)).toEqual([['latency web -> pay', 1200, 1200]]);
    expect(listed(doc.policy)).toEqual(listed(doc.team));
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.policy_from_seconds])).toEqual([['latency web -> pay', 1200, 1200]]);
    expect(doc.team).toEqual(doc.policy);
  });

  it('at the horizon: it never switches on, in either run', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-23-'));
    const file = join(dir, 'drill.yaml');
    writeFileSync(file, readFileSync(fixture, 'utf8').replace('at: 20m, for: 2m', 'at: 30m, for: 2m'));
    const doc = ended(file, m(30));
    expect(doc.record.end.atUs).toBe(m(30));
    expect(listed(doc.team)).toEqual([['latency web -> pay', null, null]]);
    expect(listed(doc.policy)).toEqual(listed(doc.team));
    expect(doc.faults).toEqual([]);
    expect(doc.team).toEqual(doc.policy);
  });
});
