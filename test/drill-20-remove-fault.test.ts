/**
 * Removing a fault injected during a drill, in-process (the exact simulated instants the server would act at):
 * - a catalogue fault removed while on switches off at that instant in the team's run, and the policy's run faces it
 *   for the same span: the policy's run is `rehearse run` (the library's) of the scenario with the fault scheduled at
 *   the instant it switched on, for as long as it was on, the duration cut to the drill's end, and the scheduled
 *   fault the drill ended before reaching timed at that end, where it never acts (like with like);
 * - an ad-hoc fault injected while the clock stood still and removed before it switched on is in neither run: the
 *   team's run is the run of the same drill without it, field for field; the debrief says it was removed before it
 *   switched on, not that the drill ended first;
 * - what cannot be removed is refused (recorded) or a bad request (never recorded), in words that say why;
 * - the debrief's JSON, HTML and terminal lines tell the removal, and the record rebuilds the same document.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenario, rehearse } from '../src/index.js';
import { drillHtml } from '../src/live/debrief-html.js';
import { debriefLines } from '../src/live/debrief-words.js';
import { buildDocument } from '../src/live/debrief.js';
import { DrillSession, readDrillScenario } from '../src/live/session.js';
import { isHiddenInjection, visibleFaults } from '../src/live/view.js';
import type { RunResult } from '../src/score/result.js';
import { drillOf, fran } from './drill-19-session.js';
import { withoutStandInDue } from './model-22-faults.js';

const root = new URL('..', import.meta.url).pathname;
const file = join(root, 'scenarios', 'two-flag-release.yaml');
const m = (minutes: number) => minutes * 60e6;

/** A run's document without what names the faults (a drill names a fault as injected, a scenario by kind and target). */
function unnamed(r: RunResult) {
  const { version: _v, outcomes, topology, ...rest } = r;
  return { ...rest, outcomes: { ...outcomes, faults: outcomes.faults.map(({ name: _n, ...f }) => f) }, topology: { ...topology, faults: topology.faults.map(({ name: _n, ...f }) => f) } };
}

describe('a catalogue fault removed while on', () => {
  const { doc, record, read } = drillOf(file, null, [
    [m(12), { type: 'fault', name: 'bank-slow' }, fran],
    [m(15), { type: 'remove-fault', name: 'bank-slow' }, fran],
  ], m(20));

  it('is off from the removal in the team\'s run, and the policy alone faces it for the same span', () => {
    expect(record.actions.map((a) => [a.action.type, a.refused])).toEqual([['start', null], ['fault', null], ['remove-fault', null], ['end', null]]);
    const row = doc.faults.find((f) => f.name === 'bank-slow')!;
    // Its own `for` is 10m: removed after 3, it ended at 15m in both runs.
    expect(row).toMatchObject({ team_from_seconds: 720, policy_from_seconds: 720, team_to_seconds: 900, policy_to_seconds: 900, removed_by: 'fran', removed_seconds: 900 });
    const team = doc.team.outcomes.faults.find((f) => f.name === 'bank-slow')!;
    expect([team.from_seconds, team.to_seconds]).toEqual([720, 900]);
  });

  it('the policy\'s run is `rehearse run` of the scenario with the fault at the same instant for the same span', () => {
    const s = parse(readFileSync(file, 'utf8')) as Record<string, any>;
    // The scenario's own fault (at 28m) the drill ended before reaching is timed at the end, where it never acts: both
    // runs list it as never on.
    s.faults = [{ ...s.faults[0], at: `${record.end.atUs}us` }, { ...s['faults-catalogue']['bank-slow'], at: '720000000us', for: '180000000us' }];
    delete s['faults-catalogue'];
    s.duration = `${record.end.atUs}us`;
    s.traffic.cohort = join(root, 'cohorts', 'shoppers.json');
    // The plain run says the one timed at the end was due as it ended; the drill's runs never had it due.
    const ranAsIs = rehearse(parseScenario(JSON.stringify(s), { baseDir: root }));
    expect(ranAsIs.outcomes.faults[0].due_seconds).toBe(record.end.atUs / 1e6);
    const ran = withoutStandInDue(ranAsIs, record.end.atUs / 1e6);
    expect(unnamed(doc.policy)).toEqual(unnamed(ran));
    // Nobody acted on a plan: the team's run is the policy's, but for the catalogue faults nobody injected.
    const { faults: teamFaults, ...teamOutcomes } = doc.team.outcomes;
    const { faults: ranFaults, ...ranOutcomes } = ran.outcomes;
    expect(teamOutcomes).toEqual(ranOutcomes);
    expect(teamFaults.map(({ name: _n, ...f }) => f)).toEqual(ranFaults.map(({ name: _n, ...f }) => f));
    expect(teamFaults[0]).toEqual({ name: 'latency frontend -> catalog', kind: 'latency', from_seconds: null, to_seconds: null, journeys_hurt: 0, journeys_failed: 0 });
    expect(doc.team.services).toEqual(ran.services);
  });

  it('the debrief tells it: JSON, HTML, the terminal; the record rebuilds the same bytes', () => {
    const lines = debriefLines(doc);
    expect(lines).toContain('  faults removed: bank-slow by fran at 15m00s (on from 12m00s; the policy alone faced it from 12m00s to 15m00s)');
    const html = drillHtml(doc);
    expect(html).toContain('15m00s (removed by fran)');
    expect(html).toContain('removed fault bank-slow');
    expect(JSON.stringify(buildDocument(record, read, null))).toBe(JSON.stringify(doc));
  });
});

describe('an ad-hoc fault injected while the clock stood still and removed before it switched on', () => {
  const adhoc = { kind: 'instance-kill' as const, target: 'payments', for: '5m' };
  const { doc, record } = drillOf(file, null, [
    [m(12), { type: 'adhoc-fault', fault: adhoc }, fran],
    [m(12), { type: 'remove-fault', name: 'ad-hoc 1' }, fran],
  ], m(20));
  const without = drillOf(file, null, [], m(20)).doc;

  it('is in neither run: the team\'s run is the same drill\'s without it (an instance-kill would have killed requests at once)', () => {
    expect(record.actions.map((a) => a.refused)).toEqual([null, null, null, null]);
    expect(doc.faults).toEqual([]);
    expect(doc.withdrawn).toEqual([{ name: 'ad-hoc 1', injected_seconds: 720, removed_by: 'fran', removed_seconds: 720 }]);
    expect(unnamed(doc.team).outcomes.journeys_failed).toBe(unnamed(without.team).outcomes.journeys_failed);
    const { faults: _f, ...teamOutcomes } = doc.team.outcomes;
    const { faults: _g, ...plainOutcomes } = without.team.outcomes;
    expect(teamOutcomes).toEqual(plainOutcomes);
    expect(doc.team.services).toEqual(without.team.services);
    expect(doc.policy.outcomes).toEqual(without.policy.outcomes);
  });

  it('the debrief says it was removed before it switched on, not that the drill ended first', () => {
    const html = drillHtml(doc);
    expect(html).toContain('Injected, then removed before they switched on (neither run faced them): ad-hoc 1 at 12m00s, removed by fran at 12m00s.');
    expect(html).toContain('accepted, removed before it switched on');
    expect(html).not.toContain('the drill ended first');
    expect(debriefLines(doc)).toContain('  faults removed: ad-hoc 1 by fran at 12m00s, before it switched on (injected at 12m00s; neither run faced it)');
  });
});

describe('what cannot be removed', () => {
  const read = readDrillScenario(file, null);
  const session = () => {
    const s = new DrillSession({ file: read.file, caseName: null, hiddenCase: false, seed: read.scenario.seed, gates: 'on' }, read.scenario);
    return s;
  };

  it('a name that is no fault to remove is a bad request, with the names that are (hidden ones never)', () => {
    const s = session();
    expect(s.check({ type: 'remove-fault', name: 'bank-slwo' })).toBe('name: no fault "bank-slwo" to remove; did you mean "bank-slow"? (faults that can be injected or were: bank-slow, inventory-down, payments-node-lost)');
    expect(s.check({ type: 'remove-fault', name: 'ad-hoc 1' })).toBeNull();
    expect(s.check({ type: 'remove-fault', name: 'bank-slow' })).toBeNull();
  });

  it('one not injected, removed twice or already over is refused, and the record says why', () => {
    const s = session();
    const wall = new Date(0).toISOString();
    expect(s.act({ type: 'remove-fault', name: 'bank-slow' }, fran, wall).refused).toBe('the drill has not started: the facilitator starts it');
    s.act({ type: 'start' }, fran, wall);
    expect(s.act({ type: 'remove-fault', name: 'bank-slow' }, fran, wall).refused).toBe('fault bank-slow has not been injected');
    s.act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'payments', add: '100ms', for: '1m' } }, fran, wall);
    s.advanceTo(m(2));
    expect(s.act({ type: 'remove-fault', name: 'ad-hoc 1' }, fran, wall).refused).toBe('fault ad-hoc 1 has already ended (at 1m00s)');
    s.act({ type: 'fault', name: 'bank-slow' }, fran, wall);
    s.advanceTo(m(3));
    expect(visibleFaults(s).find((f) => f.name === 'bank-slow')).toMatchObject({ active: true, removable: true });
    expect(s.act({ type: 'remove-fault', name: 'bank-slow' }, fran, wall).refused).toBeNull();
    // The engine switches it off when the clock next moves; the page says it is off from now.
    expect(visibleFaults(s).find((f) => f.name === 'bank-slow')).toMatchObject({ active: false, removed: true, removable: false, untilSeconds: 180 });
    expect(s.act({ type: 'remove-fault', name: 'bank-slow' }, fran, wall).refused).toBe('fault bank-slow has already been removed (at 3m00s)');
    expect(s.act({ type: 'remove-fault', name: 'ad-hoc 2' }, fran, wall).refused).toBe('fault ad-hoc 2 has not been injected');
  });
});

describe('a drill resumed from its record where a fault was removed', () => {
  const read = readDrillScenario(file, null);
  const setup = { file: read.file, caseName: null, hiddenCase: false, seed: read.scenario.seed, gates: 'on' as const };
  const wall = new Date(0).toISOString();

  // The journal may stop right after a removal, the clock paused there (the fault's switch-off not yet dispatched), or
  // later: resumed there and run on, the drill is the one that was not interrupted, byte for byte.
  it.each([['at the removal, the clock paused', m(4)], ['a minute after it', m(5)]])('resumed %s: the same run', (_, stopUs) => {
    const first = new DrillSession(setup, read.scenario);
    first.act({ type: 'start' }, fran, wall);
    first.advanceTo(m(2));
    first.act({ type: 'fault', name: 'payments-node-lost' }, fran, wall);
    first.act({ type: 'adhoc-fault', fault: { kind: 'abort', target: 'inventory', percent: '20%' } }, fran, wall);
    first.advanceTo(m(4));
    first.act({ type: 'remove-fault', name: 'payments-node-lost' }, fran, wall);
    first.act({ type: 'remove-fault', name: 'ad-hoc 1' }, fran, wall);
    first.advanceTo(stopUs);
    const resumed = DrillSession.fromRecord(setup, read.scenario, first.actions, stopUs, null);
    expect(visibleFaults(resumed)).toEqual(visibleFaults(first));
    for (const s of [first, resumed]) {
      s.advanceTo(m(6));
      s.act({ type: 'end' }, fran, wall);
    }
    expect(JSON.stringify(resumed.result())).toBe(JSON.stringify(first.result()));
    expect(first.result().outcomes.faults.filter((f) => f.from_seconds !== null).map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual([['payments-node-lost', 120, 240], ['ad-hoc 1', 120, 240]]);
  });
});


describe('a hidden fault removed', () => {
  it('leaves no trace on the dashboard: its removal is as hidden as its injection; the debrief reveals both', () => {
    const { doc, record, recs } = drillOf(file, null, [
      [m(2), { type: 'adhoc-fault', fault: { kind: 'abort', target: 'inventory', percent: '10%', hidden: true } }, fran],
      [m(3), { type: 'remove-fault', name: 'hidden ad-hoc 1' }, fran],
    ], m(4));
    const read = readDrillScenario(file, null);
    const s = DrillSession.fromRecord({ file: read.file, caseName: null, hiddenCase: false, seed: read.scenario.seed, gates: 'on' }, read.scenario, record.actions, m(4), record.end);
    expect(recs.map((r) => [r.refused, isHiddenInjection(s, r)])).toEqual([[null, true], [null, true]]);
    expect(doc.revealed.hiddenActions).toBe(2);
    expect(doc.revealed.hiddenFaults.map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual([['hidden ad-hoc 1', 120, 180]]);
    expect(doc.faults.find((f) => f.name === 'hidden ad-hoc 1')).toMatchObject({ policy_from_seconds: 120, policy_to_seconds: 180, removed_by: 'fran' });
  });
});

describe('a fault removed at the instant the drill ends', () => {
  it('ends there in both runs, and the debrief says who removed it', () => {
    const { doc } = drillOf(file, null, [
      [m(2), { type: 'fault', name: 'inventory-down' }, fran],
      [m(3), { type: 'remove-fault', name: 'inventory-down' }, fran],
    ], m(3));
    expect(doc.record.end.atUs).toBe(m(3));
    expect(doc.faults.find((f) => f.name === 'inventory-down')).toMatchObject({
      team_from_seconds: 120, policy_from_seconds: 120, team_to_seconds: 180, policy_to_seconds: 180, removed_by: 'fran', removed_seconds: 180,
    });
  });
});
