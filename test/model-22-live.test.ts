/**
 * A drill driven as a team would from docs/gameday.md alone, its debrief checked against its journal and against
 * `rehearse run` of the same faults at the same instants (docs/gameday.md: the policy's run is that run, field for
 * field, names included). The built command serves scenarios/two-flag-release.yaml; the facilitator (fran) acts from
 * the page in Debian's chromium and from `gameday ctl`:
 * - the clock paused from the page and bank-slow injected there while it stands: on from the pause's instant;
 * - an ad-hoc latency fault on payments while bank-slow is on there too: two faults on one service at once;
 * - the speed changed while they are on;
 * - the ad-hoc fault removed from the page before it was due to end: off at the removal, in both runs;
 * - inventory-down injected, and the drill killed with SIGKILL while it and bank-slow are on, then resumed from its
 *   journal: both end when they were due, across the restart, in both runs;
 * - ended by hand before the horizon, and before the scenario's own fault (at 28m): both runs list that one as never
 *   on; the error budget says the horizon's budget consumed and each run's own error_budget_burned, both runs over the
 *   same span;
 * - nobody acts on a plan, the gates on: the team's run is the policy's, field for field (windows, budget, events).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { budgetWords, debriefLines } from '../src/live/debrief-words.js';
import type { DrillDocument } from '../src/live/debrief.js';
import { budget, clock } from '../src/units/format.js';
import { drillKit, WAIT } from './live-drill.js';
import { sameFaultsScenario, withoutStandInDue } from './model-22-faults.js';

const root = new URL('..', import.meta.url).pathname;
const scenario = join(root, 'scenarios', 'two-flag-release.yaml');
type State = { meta: { nowSeconds: number; status: string; }; faults: { name: string; active: boolean; fromSeconds: number; untilSeconds: number | null }[]; budget: { text: string } };
const kit = drillKit<State>();
const { children, state, at, ctl, page, said } = kit;
afterAll(() => kit.close());

type JournalAction = { kind: 'action'; atUs: number; by: string; action: { type: string; op?: string; name?: string; speed?: number }; refused: string | null; faultName?: string };

describe('a drill of faults in a pause, on one service at once, removed early, across a speed change and a kill -9', () => {
  it('each fault in the debrief starts and ends where the journal says, in both runs; the policy\'s run is rehearse run of them, field for field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-22-'));
    const out = join(dir, 'drill');
    let drill = builtCli(['gameday', scenario, '--speed', '120', '--name', 'fran', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const franPage = await page(fran);
    await franPage.click('#start');
    expect(await said(franPage)).toBe('started the drill: done at 0m00s');
    await at(fran, 2);

    // The clock paused from the page, and bank-slow injected while it stands: on at once, from the pause's instant.
    await franPage.click('#clock-pause');
    const paused = (await said(franPage)).match(/^paused the clock: done at (\S+)$/)![1];
    await franPage.selectOption('#catalogue', 'bank-slow');
    await franPage.click('#inject');
    expect(await said(franPage)).toBe(`injected fault bank-slow: done at ${paused}`);
    await new Promise((r) => setTimeout(r, 1500));
    const standing = await state(fran);
    expect(clock(standing.meta.nowSeconds)).toBe(paused);
    expect(standing.faults.find((f) => f.name === 'bank-slow')).toMatchObject({ active: true, fromSeconds: standing.meta.nowSeconds });
    await ctl(fran, 'resume');

    // A second fault on payments while bank-slow is on there; the speed changed while both are on.
    await at(fran, 4);
    await ctl(fran, 'adhoc-fault', '{kind: latency, target: payments, add: 200ms, for: 10m}');
    await at(fran, 6);
    // Slower, not faster: bank-slow (on from about 2m for 10m) must still be on at 11m when the drill is killed, and
    // at 240x the page's removal below and a loaded machine's slow answers took the clock past 12m first.
    await ctl(fran, 'speed', '30');

    // The ad-hoc fault removed from the page before it was due to end.
    await at(fran, 8);
    await franPage.click('#faults button[aria-label="Remove fault ad-hoc 1"]');
    await franPage.click('#confirm-ok');
    expect(await said(franPage)).toMatch(/^removed fault ad-hoc 1: done at /);

    // inventory-down injected; killed with SIGKILL while it and bank-slow are on; resumed from the journal.
    await at(fran, 10);
    await ctl(fran, 'fault', 'inventory-down');
    const before = await at(fran, 11);
    expect(before.faults.filter((f) => f.active).map((f) => f.name).sort()).toEqual(['bank-slow', 'inventory-down']);
    drill.child.kill('SIGKILL');
    await drill.exited;
    drill = builtCli(['gameday', 'resume', `${out}.journal`], children, WAIT);
    const fran2 = (await drill.line(/facilitator fran: (\S+)/))[1];
    const resumed = await state(fran2);
    expect(resumed.faults.filter((f) => f.active).map((f) => f.name).sort()).toEqual(['bank-slow', 'inventory-down']);
    await ctl(fran2, 'resume');
    await at(fran2, 17);
    await ctl(fran2, 'end');
    await drill.line(/^replay it: /m);
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as DrillDocument;
    const after = await state(fran2);

    // The journal: every action as it happened.
    const journal = readFileSync(`${out}.journal`, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as { kind: string }).filter((l): l is JournalAction => l.kind === 'action');
    const act = (type: string, name?: string) => journal.find((a) => a.action.type === type && (name === undefined || a.action.name === name || a.faultName === name))!;
    expect(journal.every((a) => a.refused === null)).toBe(true);
    const pause = journal.find((a) => a.action.type === 'clock' && a.action.op === 'pause')!;
    expect(act('fault', 'bank-slow').atUs).toBe(pause.atUs);
    expect(act('speed').action.speed).toBe(30);
    expect(doc.record.resumed).toHaveLength(1);
    const endUs = doc.record.end.atUs;
    expect(doc.record.end.reason).toBe('by-hand');
    expect(endUs).toBe(act('end').atUs);

    // Each fault from its injection to when it was due to end, or to its removal; the same instants in both runs.
    const s = (us: number) => us / 1e6;
    const bank = act('fault', 'bank-slow').atUs;
    const adhoc = act('adhoc-fault', 'ad-hoc 1').atUs;
    const removed = act('remove-fault', 'ad-hoc 1').atUs;
    const down = act('fault', 'inventory-down').atUs;
    const expected = [
      ['bank-slow', s(bank), s(bank + 600e6)],
      ['inventory-down', s(down), s(down + 300e6)],
      ['ad-hoc 1', s(adhoc), s(removed)],
    ];
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.team_to_seconds])).toEqual(expected);
    expect(doc.faults.map((f) => [f.name, f.policy_from_seconds, f.policy_to_seconds])).toEqual(expected);
    expect(doc.faults.find((f) => f.name === 'ad-hoc 1')).toMatchObject({ removed_by: 'fran', removed_seconds: s(removed) });
    // Both on payments at once; bank-slow and inventory-down on across the kill, the speed change within faults.
    expect(adhoc).toBeLessThan(bank + 600e6);
    const killedAt = doc.record.resumed[0].atUs;
    expect(bank + 600e6).toBeGreaterThan(killedAt);
    expect(down + 300e6).toBeGreaterThan(killedAt);
    expect(act('speed').atUs).toBeGreaterThan(adhoc);
    expect(act('speed').atUs).toBeLessThan(removed);
    for (const side of ['team', 'policy'] as const) {
      expect(doc[side].outcomes.faults.filter((f) => f.from_seconds !== null).map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual(expected);
      expect(doc[side].simulated.seconds).toBe(s(endUs));
    }

    // The scenario's own fault (frontend -> catalog at 28m), which the drill ended before reaching: never on, in both.
    for (const side of ['team', 'policy'] as const) {
      expect(doc[side].outcomes.faults[0]).toEqual({ name: 'latency frontend -> catalog', kind: 'latency', from_seconds: null, to_seconds: null, journeys_hurt: 0, journeys_failed: 0 });
    }
    // Nobody acted on a plan and the gates were on: the team's run is the policy's, field for field (the windows, the
    // error budget, the events counted: the removed fault's own end, due later, is no event of either run).
    expect(doc.team.windows).toEqual(doc.policy.windows);
    expect(doc.team.simulated).toEqual(doc.policy.simulated);
    expect(doc.budget.team).toEqual(doc.budget.policy);
    expect(doc.team).toEqual(doc.policy);

    // The error budget: consumed of the horizon's, and each run's own error_budget_burned over the same span.
    expect(doc.budget.team.failed).toBe(doc.team.outcomes.journeys_failed);
    expect(doc.budget.policy.failed).toBe(doc.policy.outcomes.journeys_failed);
    expect(after.budget.text).toBe(budget(doc.budget.team.consumed));
    expect(budgetWords(doc)).toContain(`team ${budget(doc.team.outcomes.error_budget_burned)}, policy alone ${budget(doc.policy.outcomes.error_budget_burned)}`);
    const terminal = drill.out.slice(drill.out.indexOf('debrief written to'));
    for (const line of debriefLines(doc)) expect(terminal).toContain(line);

    // The policy's run is rehearse run of the scenario with those faults at those instants, under the drill's names.
    writeFileSync(join(dir, 'same-faults.yaml'), sameFaultsScenario(doc, scenario));
    const run = builtCli(['run', join(dir, 'same-faults.yaml'), '--json', join(dir, 'run.json')], children, WAIT);
    const replay = builtCli(['gameday', 'replay', `${out}.json`], children, WAIT);
    // Exit 1 when the policy's run fails the scenario's acceptance criteria, as rehearse run says of any run.
    expect(await run.exited, run.out).toBe(doc.policy.passed ? 0 : 1);
    // A fault the drill ended before reaching is timed at the end there: the plain run says it was due as it ended.
    const ranDoc = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(ranDoc.outcomes.faults.filter((f: { due_seconds?: number }) => f.due_seconds !== undefined).length).toBe(doc.team.outcomes.faults.filter((f) => f.from_seconds === null).length);
    expect(withoutStandInDue(ranDoc, doc.record.end.atUs / 1e6)).toEqual(doc.policy);
    expect(await replay.exited, replay.out).toBe(0);
    expect(replay.out).toMatch(/^replay identical: /);
    drill.child.kill('SIGINT');
  }, 900_000);
});
