/**
 * The debrief names what happened to each flag on each side from the ground truth, in the run report's words:
 * a rollback the gates made because of a fault a person injected (the flag hurt nobody) is a false rollback, for
 * the team and for the policy alone; a person rolling back a healthy flag the policy shipped is the team's false
 * rollback beside the policy's "shipped". Minimal drill journals, debriefed and replayed by the built CLI; the
 * debrief page read in Debian's chromium.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JournalWriter } from '../src/live/journal.js';
import { sha256 } from '../src/live/session.js';
import { duration } from '../src/units/format.js';

const root = new URL('..', import.meta.url).pathname;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

const cli = async (args: string[]) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: root });
    return { code: 0, out: stdout, err: stderr };
  } catch (e) {
    const x = e as { code: number; signal: string | null; message: string; stdout?: string; stderr?: string };
    // Killed (a signal) or never started (no stdout): the error's own message says which.
    return { code: x.code ?? x.signal, out: x.stdout ?? '', err: x.stderr || x.message };
  }
};

type Line = Record<string, unknown>;
const w = '2026-01-01T00:00:00.000Z';
const act = (atS: number, by: string, role: string, action: Line, extra: Line = {}) =>
  ({ kind: 'action', atUs: atS * 1e6, wallTime: w, by, role, action, refused: null, ...extra });

/** A drill's journal as a drill writes it: the drill, two people, the lines given, the end. */
function journal(file: string, seed: number, caseName: string | null, lines: Line[], endS: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rehearse-debrief-outcomes-')), 'd.journal');
  const j = JournalWriter.create(path, {
    kind: 'drill', schema: 'rehearse/journal@1', version: '0.1.0', wall: w,
    scenario: { file, sha256: sha256(readFileSync(file, 'utf8')), name: basename(file, '.yaml') }, seed, gates: 'on', speed: 60, case: { hidden: false, name: caseName },
  });
  j.append({ kind: 'person', wall: w, name: 'fran', role: 'facilitator', token: '1'.repeat(64) });
  j.append({ kind: 'person', wall: w, name: 'ada', role: 'operator', token: '2'.repeat(64) });
  for (const l of lines) j.append(l as never);
  j.append({ kind: 'end', atUs: endS * 1e6, wall: w, reason: 'by-hand' });
  j.close();
  return path;
}

/** test/fixtures/drill.yaml with new-pay made harmless: no effect when on, so the ground truth says it hurts nobody. */
function harmlessDrill(): string {
  const file = join(mkdtempSync(join(tmpdir(), 'rehearse-debrief-outcomes-')), 'drill.yaml');
  const harmful = '    when-on:\n      pay: { errors: +0.2% }\n';
  const text = readFileSync(join(root, 'test/fixtures/drill.yaml'), 'utf8');
  expect(text).toContain(harmful);
  writeFileSync(file, text.replace(harmful, ''));
  return file;
}

/** Debriefs a journal, checks that replay rebuilds it byte for byte, and reads its comparison table in chromium. */
async function debrief(path: string) {
  const out = path.replace(/\.journal$/, '');
  const d = await cli(['gameday', 'debrief', path, '--out', out]);
  expect(d.err).toBe('');
  expect(d.code).toBe(0);
  const replay = await cli(['gameday', 'replay', `${out}.json`]);
  expect(replay.out, `exit ${replay.code}: ${replay.err}`).toMatch(/^replay identical/);
  const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
  const page = await browser.newPage();
  await page.goto(`file://${out}.html`);
  const head = await page.$$eval('#comparison thead th', (ths) => ths.map((t) => (t as HTMLElement).innerText));
  const cells = await page.$$eval('#comparison tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.innerText)));
  await page.close();
  const table = cells.map((row) => Object.fromEntries(row.map((c, i) => [head[i], c])));
  return { doc, table };
}

describe('the debrief lists each fault at its own instants', () => {
  it('faults that share a name (two latency faults on one edge) keep their own instants, in both runs', async () => {
    // test/fixtures/drill.yaml with a second, visible latency fault on web -> pay at 5m: both are named
    // "latency web -> pay" (the hidden one starts at 20m). In the run's list of faults, a catalogue fault nobody
    // injects (pay-down) comes before the one injected at 8m (slow-web).
    const file = join(mkdtempSync(join(tmpdir(), 'rehearse-debrief-outcomes-')), 'drill.yaml');
    const hidden = "  - { kind: latency, target: 'web -> pay', at: 20m, for: 2m, add: 50ms, hidden: true }\n";
    const text = readFileSync(join(root, 'test/fixtures/drill.yaml'), 'utf8');
    expect(text).toContain(hidden);
    writeFileSync(file, text.replace(hidden, `  - { kind: latency, target: 'web -> pay', at: 5m, for: 1m, add: 50ms }\n${hidden}`));
    const path = journal(file, 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(480, 'fran', 'facilitator', { type: 'fault', name: 'slow-web' }),
    ], 1500);
    const { doc } = await debrief(path);
    const rows = doc.faults.map((f: Record<string, unknown>) => [f.name, f.hidden, f.team_from_seconds, f.policy_from_seconds, f.team_to_seconds, f.policy_to_seconds]);
    expect(rows).toEqual([
      ['latency web -> pay', false, 300, 300, 360, 360],
      ['latency web -> pay', true, 1200, 1200, 1320, 1320],
      ['slow-web', false, 480, 480, 600, 600],
    ]);
    expect(doc.revealed.hiddenFaults).toEqual([expect.objectContaining({ name: 'latency web -> pay', from_seconds: 1200, to_seconds: 1320 })]);
    const page = await browser.newPage();
    await page.goto(`file://${path.replace(/\.journal$/, '.html')}`);
    const faced = await page.$$eval('#faults-faced tbody tr', (trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => td.innerText)));
    await page.close();
    expect(faced.map((r) => [r[0], r[5], r[6]])).toEqual([['latency web -> pay', '5m00s', '5m00s'], ['latency web -> pay', '20m00s', '20m00s'], ['slow-web', '8m00s', '8m00s']]);
    // And when each ended, in both runs, as docs/gameday.md says the debrief lists them.
    expect(faced.map((r) => [r[0], r[7], r[8]])).toEqual([['latency web -> pay', '6m00s', '6m00s'], ['latency web -> pay', '22m00s', '22m00s'], ['slow-web', '10m00s', '10m00s']]);
    // And what each did in each run, beside the journeys it hurt: the journeys it slowed, by its own size (ground
    // truth), the same in both runs (nobody acted on the plan: the policy's run is the team's).
    for (const [k, size] of [[0, '50.0ms'], [1, '50.0ms'], [2, '200ms']] as const) {
      const f = doc.faults[k] as { team_slowed: { journeys: number }; policy_slowed: object; team_journeys_hurt: number };
      expect(f.team_slowed).toEqual(f.policy_slowed);
      expect(faced[k][9]).toBe(faced[k][10]);
      expect(faced[k][9]).toMatch(new RegExp(`^${f.team_journeys_hurt} journeys? hurt; slowed ${f.team_slowed.journeys.toLocaleString('en-US')} journeys that succeeded by p50 ${size}, p99 ${size}: they took p50 .+ without the time it added$`));
    }
  }, 240_000);
});

describe('a fault injected at the instant the drill ends', () => {
  it('never switched on: the actions say so, as the faults table does, rather than "done"', async () => {
    const path = journal(join(root, 'test/fixtures/drill.yaml'), 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(60, 'fran', 'facilitator', { type: 'fault', name: 'quiet-drag' }),
      act(300, 'fran', 'facilitator', { type: 'fault', name: 'slow-web' }),
      act(300, 'fran', 'facilitator', { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '5ms', for: '1m' } }, { faultName: 'ad-hoc 1' }),
    ], 300);
    const { doc } = await debrief(path);
    expect(doc.faults.map((f: { name: string }) => f.name)).toEqual(['quiet-drag']);
    const page = await browser.newPage();
    await page.goto(`file://${path.replace(/\.journal$/, '.html')}`);
    const actions = await page.$$eval('table', (ts) => {
      const t = ts.find((x) => Array.from(x.querySelectorAll('th')).some((th) => th.textContent === 'wall time (UTC)'))!;
      return Array.from(t.querySelectorAll('tbody tr')).map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as HTMLElement).innerText));
    });
    const never = await page.$eval('#faults-never-on', (p) => (p as HTMLElement).innerText);
    await page.close();
    expect(actions.map((row) => [row[0], row[4]])).toEqual([
      ['0m00s', 'done'], ['1m00s', 'done'],
      ['5m00s', 'accepted, never switched on: the drill ended first'], ['5m00s', 'accepted, never switched on: the drill ended first'],
    ]);
    expect(never).toBe('Injected, never switched on (the drill ended first, so neither run faced them): slow-web at 5m00s, ad-hoc 1 at 5m00s.');
  }, 240_000);
});

describe('the debrief names each side\'s outcome from the ground truth', () => {
  it('a rollback the gates made under a fault a person injected is a false rollback, for the team and for the policy alone', async () => {
    // two-flag-release at its 5% stage of new-checkout: the facilitator adds 1.5 s to every call of payments.
    // The p99 gate on payments with the flag on breaches, though new-checkout hurts nobody (its own effect is
    // 10% more latency on the frontend): the policy rolls it back, in the team's run and in its own.
    const path = journal(join(root, 'scenarios/two-flag-release.yaml'), 11, null, [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(1560, 'fran', 'facilitator', { type: 'adhoc-fault', fault: { kind: 'latency', target: 'payments', add: '1500ms', for: '20m' } }, { faultName: 'ad-hoc 1' }),
    ], 1800);
    const { doc, table } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-checkout');
    expect(c.defective).toBe(false);
    const words = 'false rollback: rolled back at 5%, nobody hurt (the gates saw harm something else caused)';
    for (const [side, run] of [[c.team, doc.team], [c.policy, doc.policy]]) {
      expect(side).toMatchObject({ outcome: 'rolled-back', false_rollback: true, misattribution: true, blast_radius_users: 0, acted_seconds: 1740 });
      expect(side.headline).toBe(words);
      // The run report's own outcome of that run says the same.
      expect(run.outcomes.flags['new-checkout']).toMatchObject({ false_rollback: true, misattribution: true });
    }
    expect(c.better).toBe('tie');
    const row = table.find((r) => r.flag === 'new-checkout')!;
    expect(row['team: what happened (ground truth)']).toBe(`${words}\nrolled-back at stage 2 of 4 (0%)`);
    expect(row['policy alone: what happened (ground truth)']).toBe(`${words}\nrolled-back at stage 2 of 4 (0%)`);
    expect(table.find((r) => r.flag === 'payments-v2-api')!['team: what happened (ground truth)']).toMatch(/^shipped: promoted to 100% in 10m, nobody hurt\n/);
    expect(doc.rules.join('\n')).toMatch(/false rollback or false alarm \(rolled back or paused a flag that hurt nobody, whoever acted: a gate or a person\)/);
  }, 240_000);

  it('a false rollback the team took up again stays a false rollback, and the plan the end cut off reads as in progress', async () => {
    // As above, the gates roll new-checkout back at 29m00s under the ad-hoc fault, in both runs; then an operator
    // promotes it again (back to its 5% stage) and the drill ends during that hold. The team's gates made the
    // same false rollback as the policy's: it is not "paused", nor undone by the promote.
    const path = journal(join(root, 'scenarios/two-flag-release.yaml'), 11, null, [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(1560, 'fran', 'facilitator', { type: 'adhoc-fault', fault: { kind: 'latency', target: 'payments', add: '1500ms', for: '20m' } }, { faultName: 'ad-hoc 1' }),
      act(1770, 'ada', 'operator', { type: 'plan', flag: 'new-checkout', op: 'promote', reason: 'the fault, not the flag' }, { configVersion: 4 }),
    ], 1800);
    const { doc, table } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-checkout');
    expect(c.defective).toBe(false);
    const words = 'false rollback: rolled back at 5%, nobody hurt (the gates saw harm something else caused)';
    expect(c.team).toMatchObject({ outcome: 'paused', cut_off: true, final_percent: 5, false_rollback: true, misattribution: true, acted_seconds: 1740 });
    expect(c.team.headline).toBe(`${words}; then resumed: at 5% when the run ended`);
    expect(doc.team.outcomes.flags['new-checkout']).toMatchObject({ false_rollback: true, misattribution: true });
    expect(doc.team.acceptance.find((a: { criterion: string }) => a.criterion.startsWith('false_rollback'))).toMatchObject({ value: 1, pass: false });
    expect(c.policy).toMatchObject({ outcome: 'rolled-back', false_rollback: true, misattribution: true, acted_seconds: 1740 });
    expect(c.policy.headline).toBe(words);
    const row = table.find((r) => r.flag === 'new-checkout')!;
    expect(row['team: what happened (ground truth)']).toBe(`${words}; then resumed: at 5% when the run ended\nin progress at stage 2 of 4 (5%), cut off by the end of the drill`);
    // The person's promote is not what the column counts: it names what it counts (a pause or a roll back), so
    // that a dash beside a flag a person acted on reads right.
    const first = 'first pause or roll back by a person\n(when, in simulated time; for a flag that hurt users, the first once the harm began; for one that hurt nobody, the first at all)';
    expect(Object.keys(row)).toContain(first);
    expect(row[first]).toBe('–');
  }, 240_000);

  it('a pause a person took up again before the flag hurt anyone detected nothing: the harm is detected when the gates roll it back', async () => {
    // Case "broken": new-pay fails 20% more of pay's calls once on. An operator pauses the plan half a second in,
    // before the flag has reached pay (its propagation takes 1 s at least), and resumes it at 1m; the gate then
    // rolls it back. The time to detect runs from the first harm to that rollback, not to the early pause.
    const path = journal(join(root, 'test/fixtures/drill.yaml'), 7, 'broken', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(0.5, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'wait for the on-call' }, { configVersion: 1 }),
      act(60, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'resume', reason: 'on-call is here' }, { configVersion: 1 }),
    ], 300);
    const { doc, table } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-pay');
    const team = doc.team.outcomes.flags['new-pay'];
    const rollback = doc.team.rollouts[0].decisions.find((d: { action: string }) => d.action === 'rollback');
    expect(team.onset_seconds).toBeGreaterThan(0.5);
    expect(rollback.timeSeconds).toBeGreaterThan(60);
    expect(team).toMatchObject({ defective: true, detected: true, outcome: 'rolled-back', acted_seconds: 0.5 });
    expect(team.time_to_detect_seconds).toBeCloseTo(rollback.timeSeconds - team.onset_seconds, 5);
    expect(c.team.headline).toMatch(new RegExp(`^caught: rolled back at 10% after \\S+, ${team.blast_radius_users} users hurt$`));
    expect(c.team.headline).not.toContain('after 0m00s');
    // The page's column is the run's time_to_recover, and its header says what that is (acceptance.md: from the
    // first to the last journey the flag hurt); "time to mitigate" said the team had mitigated when the harm
    // merely stopped being counted at the end of the drill.
    const policy = doc.policy.outcomes.flags['new-pay'];
    expect(table[0]['time to recover\n(first to last journey the flag hurt)']).toBe(`${duration(team.time_to_recover_seconds)} / ${duration(policy.time_to_recover_seconds)}`);
  }, 240_000);

  it('a person rolling back a healthy flag is the team\'s false rollback, beside the policy alone that shipped it', async () => {
    const path = journal(harmlessDrill(), 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(120, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'just in case' }, { configVersion: 2 }),
    ], 1500);
    const { doc, table } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-pay');
    expect(c.team).toMatchObject({ outcome: 'rolled-back', false_rollback: true, misattribution: false });
    expect(c.team.headline).toBe('false rollback: rolled back at 10%, nobody hurt');
    expect(c.policy).toMatchObject({ outcome: 'completed', false_rollback: false, final_percent: 100 });
    expect(c.policy.headline).toMatch(/^shipped: promoted to 100% in \S+, nobody hurt$/);
    expect(c.better).toBe('policy');
    // The flag hurt nobody, and the column still gives the person's rollback: its header says so (it said "once the
    // harm began, for a flag that hurt users", and read as if a time beside a healthy flag were a detection).
    expect(table.find((r) => r.flag === 'new-pay')!['first pause or roll back by a person\n(when, in simulated time; for a flag that hurt users, the first once the harm began; for one that hurt nobody, the first at all)']).toBe('2m00s');
    expect(table[0]['team: what happened (ground truth)']).toMatch(/^false rollback: rolled back at 10%, nobody hurt\n/);
    expect(table[0]['policy alone: what happened (ground truth)']).toMatch(/^shipped: promoted to 100%/);
  }, 240_000);

  it('a promote made at the last instant, which reached no service, does not count as going further', async () => {
    // The healthy flag holds at 10% on both sides; an operator promotes it to 50% at the very instant the drill
    // ends. The flag system published it, but its propagation (1 s at least) never brought it to pay: the users
    // were served 10% on both sides, so neither side went further (compare.ts used the published percentage).
    const path = journal(harmlessDrill(), 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(90, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'ship it' }, { configVersion: 2 }),
    ], 90);
    const { doc, table } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-pay');
    expect(c.defective).toBe(false);
    expect(c.team).toMatchObject({ final_percent: 50, reached_percent: 10, blast_radius_users: 0 });
    expect(c.policy).toMatchObject({ final_percent: 10, reached_percent: 10, blast_radius_users: 0 });
    expect(c.better).toBe('tie');
    expect(c.why).toBe('nobody hurt, and the same exposure reached users by the end (10%)');
    expect(table[0]['better, and why']).toBe('tie: nobody hurt, and the same exposure reached users by the end (10%)');
    expect(doc.rules.join('\n')).toMatch(/exposure that had reached users when the drill ended/);
  }, 240_000);

  it('a promote that reached users early enough counts: the team went further', async () => {
    const path = journal(harmlessDrill(), 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(60, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'ship it' }, { configVersion: 2 }),
    ], 90);
    const { doc } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-pay');
    expect(c.team).toMatchObject({ final_percent: 50, reached_percent: 50 });
    expect(c.policy).toMatchObject({ reached_percent: 10 });
    expect(c.better).toBe('team');
    expect(c.why).toBe('nobody hurt, and the rollout went further: 50% against 10% had reached users by the end');
  }, 240_000);

  it('a person who rolled back a healthy flag while a fault was on is named as the one who acted, not the gates', async () => {
    // The same, with a small fault on web from 1m to 3m (too small for a gate): the rollback at 2m is the team's
    // false rollback with a fault active (misattribution), and ada made it, with the gates seeing nothing.
    const path = journal(harmlessDrill(), 7, 'healthy', [
      act(0, 'fran', 'facilitator', { type: 'start' }),
      act(60, 'fran', 'facilitator', { type: 'adhoc-fault', fault: { kind: 'latency', target: 'web', add: '1ms', for: '2m' } }, { faultName: 'ad-hoc 1' }),
      act(120, 'ada', 'operator', { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'just in case' }, { configVersion: 2 }),
    ], 1500);
    const { doc } = await debrief(path);
    const c = doc.comparison.find((x: { flag: string }) => x.flag === 'new-pay');
    expect(c.team).toMatchObject({ outcome: 'rolled-back', false_rollback: true, misattribution: true });
    expect(c.team.headline).toBe('false rollback: rolled back at 10%, nobody hurt (by ada; a fault or another flag was active during the stage)');
    expect(c.policy).toMatchObject({ outcome: 'completed', false_rollback: false });
  }, 240_000);
});
