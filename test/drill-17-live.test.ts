/**
 * A game day driven from the docs, as a new team runs one: the built command serves scenarios/two-flag-release.yaml,
 * the facilitator (fran) starts it from the page in Debian's chromium and changes the speed there and from
 * `gameday ctl`, injects the bank's slowness during the checkout's first stage, an operator (ada) rolls the checkout
 * back from her page (the wrong call: the bank was slow, not the flag), a hidden ad-hoc fault, the other operator
 * (bob) promotes it again from his terminal once the bank is fine, the drill is killed with SIGKILL and resumed from
 * its journal (ada's page and bob's link go on working), a late promote, a fault still on at the end. Then every
 * figure of the debrief is held to the run's JSON and to an independent `rehearse run`:
 * - the pace after a slow-down is judged from the change on (the page read minutes behind for the time lost at
 *   8000x);
 * - the faults start at the instants of the actions that injected them, and end with the drill when still on (the
 *   state after the end said "fault on ... until" an instant the drill never reached);
 * - the policy's run is `rehearse run` of the scenario with those faults scheduled at those instants and the
 *   duration cut to the drill's end, under the names the drill gave them: field for field (like with like: only who decides differs);
 * - the terminal prints the debrief's words, the HTML holds its figures, the page's last error budget is the
 *   debrief's, `gameday debrief` of the journal gives the digest the drill printed, and replay is identical.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { debriefLines } from '../src/live/debrief-words.js';
import type { DrillDocument } from '../src/live/debrief.js';
import { budget, clock } from '../src/units/format.js';
import { drillKit, WAIT } from './live-drill.js';
import { sameFaultsScenario } from './model-22-faults.js';

const root = new URL('..', import.meta.url).pathname;
const scenario = join(root, 'scenarios', 'two-flag-release.yaml');
type State = { meta: { nowSeconds: number; status: string; speed: number; }; faults: { name: string; active: boolean; fromSeconds: number; untilSeconds: number | null }[]; budget: { text: string } };
const kit = drillKit<State>();
const { children, state, at, ctl, page, said } = kit;
afterAll(() => kit.close());

describe('a game day as a new team runs it, and its debrief held to the runs', () => {
  it('pace, faults, a wrong rollback, kill -9 and resume, a late promote; every figure of the debrief checked', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-17-'));
    const out = join(dir, 'drill');
    let drill = builtCli(['gameday', scenario, '--speed', '60', '--name', 'fran', '--operator', 'ada', '--operator', 'bob', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];
    const bob = (await drill.line(/operator bob: (\S+)/))[1];
    const franPage = await page(fran);
    const adaPage = await page(ada);
    await franPage.click('#start');
    expect(await said(franPage)).toBe('started the drill: done at 0m00s');
    await at(fran, 1);

    // Faster than the simulation goes, from the page; then slowed down from a terminal. The pace is the new speed's.
    await franPage.fill('#speed-input', '8000');
    await franPage.click('#speed-set');
    expect(await said(franPage)).toMatch(/^set the speed to 8000x: done at /);
    await at(fran, 4);
    await franPage.waitForFunction(() => / behind the wall clock since the speed was set at /.test(document.getElementById('speed')!.textContent!), null, { timeout: WAIT });
    const slowed = (await ctl(fran, 'speed', '30')).match(/^done at (\S+) simulated by fran: set the speed to 30x$/m)![1];
    await new Promise((r) => setTimeout(r, 3000));
    const pace = (await franPage.textContent('#speed'))!;
    // Behind, if at all, since the change: never the minutes lost at 8000x.
    expect(pace).toMatch(/^30x asked/);
    const behind = pace.match(/, (\S+) simulated behind the wall clock since the speed was set at (\S+)$/);
    if (behind) {
      expect(behind[2]).toBe(slowed);
      expect(behind[1]).toMatch(/^0m\d\ds$/);
    }
    const status = await ctl(fran, 'status');
    expect(status.split('\n')[0]).toMatch(/running at 30x( asked, [\d.]+x achieved, 0m\d\ds simulated behind the wall clock since the speed was set at \d+m\d\ds)? \(you: fran, facilitator\)$/);
    await ctl(fran, 'speed', '120');

    // The checkout's first stage begins at 10m; the bank slows down during it, and ada blames the flag.
    await at(fran, 14);
    await ctl(fran, 'fault', 'bank-slow');
    await at(fran, 15);
    await adaPage.fill('#plans tr[data-flag="new-checkout"] input.reason', 'p99 up on payments');
    await adaPage.click('#plans tr[data-flag="new-checkout"] button[data-op="rollback"]');
    await adaPage.click('#confirm-ok');
    expect(await said(adaPage)).toMatch(/^rollback new-checkout \(p99 up on payments\): done at /);
    await at(fran, 17);
    await ctl(fran, 'adhoc-fault', "{kind: latency, target: 'frontend -> catalog', add: 30ms, for: 5m, hidden: true}");
    await at(fran, 26);
    await ctl(bob, 'promote', 'new-checkout', '--reason', 'the bank is fine again');

    // kill -9, and the drill resumed from its journal where it was served: the old links work, fran gets a new one.
    await at(fran, 28);
    drill.child.kill('SIGKILL');
    await drill.exited;
    drill = builtCli(['gameday', 'resume', `${out}.journal`], children, WAIT);
    const fran2 = (await drill.line(/facilitator fran: (\S+)/))[1];
    expect(new URL(fran2).origin).toBe(new URL(fran).origin);
    await ctl(fran2, 'resume');
    await adaPage.reload();
    await adaPage.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: WAIT });
    await at(fran2, 45);
    await ctl(bob, 'promote', 'new-checkout', '--reason', 'stage 1 was clean');
    await ctl(fran2, 'speed', '240');
    await at(fran2, 58);
    await ctl(fran2, 'fault', 'inventory-down');
    // A late promote: the clock stopped, bob promotes, and the drill ends at that instant: no service has it.
    await at(fran2, 60);
    await ctl(fran2, 'pause');
    await ctl(bob, 'promote', 'new-checkout', '--reason', 'last call');
    await ctl(fran2, 'end');
    await drill.line(/^replay it: /m);
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as DrillDocument;

    // The state after the end: the fault on at the end is over, at the end, as the debrief says.
    const after = await state(fran2);
    const down = after.faults.find((f) => f.name === 'inventory-down')!;
    const endSeconds = doc.record.end.atUs / 1e6;
    expect(down).toMatchObject({ active: false, untilSeconds: endSeconds });
    expect(doc.faults.find((f) => f.name === 'inventory-down')).toMatchObject({ team_to_seconds: endSeconds, policy_to_seconds: endSeconds });
    expect(await ctl(fran2, 'status')).not.toMatch(/fault on:/);
    // The page's last error budget is the debrief's.
    expect(after.budget.text).toBe(budget(doc.budget.team.consumed));

    // Faults start at the instants of the actions that injected them, on both sides.
    const injected = doc.record.actions.filter((a) => (a.action.type === 'fault' || a.action.type === 'adhoc-fault') && a.refused === null);
    expect(injected.map((a) => a.faultName ?? (a.action as { name: string }).name)).toEqual(['bank-slow', 'hidden ad-hoc 1', 'inventory-down']);
    for (const a of injected) {
      const f = doc.faults.find((x) => x.name === (a.faultName ?? (a.action as { name: string }).name))!;
      expect([f.team_from_seconds, f.policy_from_seconds]).toEqual([a.atUs / 1e6, a.atUs / 1e6]);
    }
    expect(doc.revealed.hiddenFaults.map((f) => f.name)).toEqual(['hidden ad-hoc 1']);
    // The record: the resumption, the wrong rollback as the first act of a person, the people as they acted.
    expect(doc.record.resumed).toHaveLength(1);
    const rollback = doc.record.actions.find((a) => a.action.type === 'plan' && a.action.op === 'rollback')!;
    expect(rollback).toMatchObject({ by: 'ada', refused: null });
    const checkout = doc.comparison.find((c) => c.flag === 'new-checkout')!;
    expect(checkout.firstPersonActionSeconds).toBe(rollback.atUs / 1e6);
    // The story goes on past ada's rollback at the first stage, to where the run ended.
    expect(checkout.team.headline).toMatch(/^false rollback: rolled back at 1%, nobody hurt \(by ada; a fault or another flag was active during the stage\); then resumed: /);
    expect(checkout.team.headline).toMatch(doc.team.rollouts[1].outcome === 'completed' ? /; then resumed: completed at 100%/ : /; then resumed: at \d+% when the run ended/);
    // A late change is told with what had reached users.
    const { final_percent: final, reached_percent: reachedPercent } = checkout.team;
    if (final === reachedPercent) expect(checkout.team.headline).not.toContain('had reached users');
    else expect(checkout.team.headline.endsWith(`; ${reachedPercent}% had reached users by the end`)).toBe(true);
    // The late promote counts for neither side: its configuration reached no service, and what had reached users is
    // the configuration before it.
    const late = doc.record.actions.findLast((a) => a.action.type === 'plan' && a.action.op === 'promote')!;
    expect(late).toMatchObject({ by: 'bob', refused: null, atUs: doc.record.end.atUs });
    const reached = doc.team.audit.filter((a) => a.flag === 'new-checkout' && a.event === 'propagated' && a.service === 'frontend').map((a) => a.configVersion);
    expect(reached).not.toContain(late.configVersion);
    const before = doc.team.audit.findLast((a) => a.flag === 'new-checkout' && a.event === 'stage' && a.configVersion === Math.max(...reached))!;
    expect(checkout.team.reached_percent).toBe(before.percent);
    expect(checkout.team.final_percent).toBe(doc.team.audit.findLast((a) => a.flag === 'new-checkout' && a.event === 'stage')!.percent);
    // Each side's figures are its run's.
    for (const side of ['team', 'policy'] as const) {
      const r = doc[side];
      for (const c of doc.comparison) {
        const o = r.outcomes.flags[c.flag];
        expect(c[side]).toMatchObject({ final_percent: o.final_percent, blast_radius_users: o.blast_radius_users, false_rollback: o.false_rollback || (c[side].headline.startsWith('caught before') && o.false_rollback) });
        expect(r.rollouts.find((p) => p.flag === c.flag)!.finalPercent).toBe(o.final_percent);
      }
      expect(doc.budget[side].failed).toBe(r.outcomes.journeys_failed);
      expect(r.simulated.seconds).toBe(endSeconds);
    }

    // The policy's run is an ordinary run of the scenario with the same faults at the same instants. It, the debrief of
    // the journal and the replay read only files on disk: the three commands run side by side.
    writeFileSync(join(dir, 'same-faults.yaml'), sameFaultsScenario(doc, scenario));
    const run = builtCli(['run', join(dir, 'same-faults.yaml'), '--json', join(dir, 'run.json')], children, WAIT);
    const again = builtCli(['gameday', 'debrief', `${out}.journal`, '--out', join(dir, 'again')], children, WAIT);
    const replay = builtCli(['gameday', 'replay', `${out}.json`], children, WAIT);
    expect(await run.exited, run.out).toBe(0);
    const ran = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
    expect(ran.outcomes.faults.map((f: { from_seconds: number }) => f.from_seconds)).toEqual(doc.policy.outcomes.faults.map((f) => f.from_seconds));
    // Field for field, the faults' names included: each is scheduled under the name the drill gave it.
    expect(doc.policy).toEqual(ran);

    // The terminal says the debrief's words; the HTML holds its figures; the journal gives the digest the drill printed.
    const terminal = drill.out.slice(drill.out.indexOf('debrief written to'));
    expect(terminal).toContain(`digest ${doc.digest}`);
    for (const line of debriefLines(doc)) expect(terminal).toContain(line);
    const html = readFileSync(`${out}.html`, 'utf8');
    expect(html).toContain(doc.verdict.text);
    for (const c of doc.comparison) for (const text of [c.why, c.team.headline, c.policy.headline]) expect(html).toContain(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    for (const f of doc.faults) {
      for (const t of [f.team_from_seconds, f.team_to_seconds]) expect(html).toContain(`<td>${clock(t!)}</td>`);
    }
    expect(html).toContain(`${budget(doc.budget.team.consumed)}`);
    expect(await again.exited).toBe(0);
    expect(again.out).toContain(`digest ${doc.digest}`);
    expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(html);
    expect(await replay.exited).toBe(0);
    expect(replay.out).toMatch(/^replay identical: /);
    drill.child.kill('SIGINT');
  }, 900_000);
});
