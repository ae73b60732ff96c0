/**
 * Game days driven from the docs only, by a facilitator (fran) and two operators (ada and bob, each with
 * `gameday ctl` from a shell of their own), the built command serving the drill:
 * - scenarios/checkout.yaml (no rollout plan: a capacity drill) with fran's page in Debian's chromium: the clock
 *   paused, the speed changed while paused (page and terminal), an ad-hoc fault injected while paused and another
 *   injected and removed from the page before the clock moved, both operators' notes in the same simulated
 *   millisecond, a plan action an operator cannot take in a drill without plans (400, exit 2, no stack trace), the
 *   page reloaded mid-drill and a second tab, a network client that disconnects mid-stream (an event stream and a
 *   request body cut short), the running fault removed from a terminal, the drill ended while paused;
 * - scenarios/two-flag-release.yaml from terminals: ada and bob acting on the same plan in the same simulated
 *   millisecond, a catalogue fault injected while paused and removed once on, ended while paused.
 * Every figure of each debrief (terminal, JSON, HTML) is held to the runs' own JSON and to a `rehearse run` of the
 * scenario with the same faults at the same instants for the same spans; `gameday debrief` of the journal writes the
 * same bytes, and replay is identical.
 */
import type { ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { builtCli } from './built-cli.js';
import { debriefLines } from '../src/live/debrief-words.js';
import type { DrillDocument } from '../src/live/debrief.js';
import { budget, clock, count } from '../src/units/format.js';

const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
let browser: Browser | undefined;
const WAIT = 180_000;

afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

type State = {
  meta: { nowSeconds: number; status: string; speed: number };
  faults: { name: string; active: boolean; removed?: boolean; fromSeconds: number; untilSeconds: number | null }[];
  actions: { what: string; by: string; simSeconds: number; refused: string | null }[];
  people: { name: string; connected: boolean }[];
  plans: { flag: string; version: number; phase: string; stage: number }[];
  budget: { text: string };
};

const token = (link: string) => new URL(link).searchParams.get('token')!;

async function state(link: string): Promise<State> {
  const r = await fetch(new URL('api/state', link), { headers: { Authorization: `Bearer ${token(link)}` } });
  return ((await r.json()) as { state: State }).state;
}

/** Polls the drill until its clock reaches `seconds` (a loaded machine: minutes of wall time at most). */
async function at(link: string, seconds: number): Promise<State> {
  const until = Date.now() + WAIT;
  for (;;) {
    const s = await state(link);
    if (s.meta.nowSeconds >= seconds || s.meta.status === 'ended') return s;
    if (Date.now() > until) throw new Error(`the drill did not reach ${seconds} s: ${s.meta.nowSeconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** `gameday ctl ARGS`: its exit code and what it printed. */
async function ctlRun(...args: string[]): Promise<{ code: number | null; out: string }> {
  const c = builtCli(['gameday', 'ctl', ...args], children, WAIT);
  const code = await c.exited;
  return { code, out: c.out };
}

async function ctl(...args: string[]): Promise<string> {
  const r = await ctlRun(...args);
  if (r.code !== 0) throw new Error(`gameday ctl ${args.slice(1).join(' ')}: exit ${r.code}: ${r.out}`);
  return r.out;
}

const ready = (p: Page) => p.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: WAIT });

/** The page's status line for an action it sent, once it says something. */
async function said(p: Page): Promise<string> {
  await p.waitForFunction(() => document.getElementById('message')!.textContent !== '', null, { timeout: WAIT });
  const m = (await p.textContent('#message'))!;
  await p.evaluate(() => { document.getElementById('message')!.textContent = ''; });
  return m;
}

/** The rows of the page's actions table, as text. */
const actionRows = (p: Page) => p.$$eval('#actions tbody tr', (rows) => rows.map((r) => r.textContent));

/**
 * The scenario a plain `rehearse run` needs to face the drill's faults: each at the instant it switched on, for as
 * long as it was on when a person removed it; the duration cut to the drill's end.
 */
function sameFaults(file: string, doc: DrillDocument): string {
  const s = parse(readFileSync(file, 'utf8')) as Record<string, any>;
  const adhoc = new Map(doc.record.actions.filter((a) => a.action.type === 'adhoc-fault' && a.refused === null)
    .map((a) => [a.faultName, (a.action as { fault: Record<string, unknown> }).fault]));
  const scheduled = (name: string) => (s.faults as { kind: string; target: string }[]).find((x) => `${x.kind} ${x.target}` === name)!;
  const faced = [...doc.faults];
  // In the runs' order: each fault both faced, and each scheduled one the drill ended before reaching, timed at the end
  // (where it never acts: both runs list it as never on).
  s.faults = doc.team.outcomes.faults.map((listed) => {
    if (listed.from_seconds === null) return { ...scheduled(listed.name), at: `${doc.record.end.atUs}us` };
    const f = faced.shift()!;
    const spec = f.source === 'scheduled' ? scheduled(f.name)
      : f.source === 'catalogue' ? s['faults-catalogue'][f.name] : adhoc.get(f.name);
    const { hidden: _hidden, for: lasts, at: _at, ...rest } = spec as Record<string, unknown>;
    const us = (x: number) => `${Math.round(x * 1e6)}us`;
    return { ...rest, at: us(f.team_from_seconds!), ...(f.removed_seconds !== undefined ? { for: us(f.removed_seconds - f.team_from_seconds!) } : lasts ? { for: lasts } : {}) };
  });
  delete s['faults-catalogue'];
  s.duration = `${doc.record.end.atUs}us`;
  if (s.traffic.cohort) s.traffic.cohort = join(root, 'cohorts', 'shoppers.json');
  return JSON.stringify(s);
}

/** A run result with the faults' names left out (a scenario names a fault by kind and target, a drill as injected). */
const unnamed = (r: any) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'name' && typeof v === 'string' && /^(latency|instance-kill|ad-hoc|bank-slow|inventory-down)/.test(v) ? null : v)));

/**
 * Every figure of the debrief held to the runs' own JSON, to a `rehearse run` with the same faults, to the terminal
 * and the HTML; `gameday debrief` of the journal and replay give the same bytes.
 */
async function heldToTheRuns(file: string, out: string, dir: string, terminalText: string, link: string): Promise<DrillDocument> {
  const text = readFileSync(`${out}.json`, 'utf8');
  const doc = JSON.parse(text) as DrillDocument;
  // The page's last figures are the debrief's: the error budget, and no fault on.
  const after = await state(link);
  expect(after.budget.text).toBe(budget(doc.budget.team.consumed));
  expect(after.faults.filter((f) => f.active)).toEqual([]);
  const endSeconds = doc.record.end.atUs / 1e6;
  for (const side of ['team', 'policy'] as const) {
    const r = doc[side];
    for (const c of doc.comparison) {
      const o = r.outcomes.flags[c.flag];
      expect(c[side]).toMatchObject({
        final_percent: o.final_percent, blast_radius_users: o.blast_radius_users, blast_radius_requests: o.blast_radius_requests,
        time_to_recover_seconds: o.time_to_recover_seconds, cut_off: o.cut_off,
      });
      expect(r.rollouts.find((p) => p.flag === c.flag)!.finalPercent).toBe(o.final_percent);
    }
    expect(doc.budget[side].failed).toBe(r.outcomes.journeys_failed);
    expect(doc.budget[side].consumed).toBe(Math.round((r.outcomes.journeys_failed / doc.budget.allowed) * 1e6) / 1e6);
    expect(r.simulated.seconds).toBe(endSeconds);
    // Each fault both faced, as each run's own outcomes hold it.
    const rows = r.outcomes.faults.filter((f) => f.from_seconds !== null);
    expect(rows.map((f) => [f.name, f.from_seconds, f.to_seconds])).toEqual(doc.faults.map((f) => [f.name, f[`${side}_from_seconds`], f[`${side}_to_seconds`]]));
  }
  for (const f of doc.faults) if (f.removed_seconds !== undefined) expect(f.team_to_seconds).toBe(f.removed_seconds);

  writeFileSync(join(dir, 'same-faults.yaml'), sameFaults(file, doc));
  const run = builtCli(['run', join(dir, 'same-faults.yaml'), '--json', join(dir, 'run.json')], children, WAIT);
  expect([0, 1], run.out).toContain(await run.exited);
  const ran = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  expect(unnamed(doc.policy)).toEqual(unnamed(ran));

  const terminal = terminalText.slice(terminalText.indexOf('debrief written to'));
  expect(terminal).toContain(`digest ${doc.digest}`);
  for (const line of debriefLines(doc)) expect(terminal).toContain(line);
  expect(terminal).not.toMatch(/\n\s+at .*\.js:\d+/);
  const html = readFileSync(`${out}.html`, 'utf8');
  const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  expect(html).toContain(esc(doc.verdict.text));
  for (const c of doc.comparison) {
    for (const t of [c.why, c.team.headline, c.policy.headline]) expect(html).toContain(esc(t));
    expect(html).toContain(`<td>${count(c.team.blast_radius_users)} / ${count(c.policy.blast_radius_users)}</td>`);
  }
  for (const f of doc.faults) {
    expect(html).toContain(`<td>${clock(f.team_from_seconds!)}</td>`);
    expect(html).toContain(`<td>${clock(f.team_to_seconds!)}${f.removed_by ? ` (removed by ${f.removed_by})` : ''}</td>`);
  }
  expect(html).toContain(budget(doc.budget.team.consumed));

  const again = builtCli(['gameday', 'debrief', `${out}.journal`, '--out', join(dir, 'again')], children, WAIT);
  expect(await again.exited, again.out).toBe(0);
  // `gameday debrief` says the debrief as the drill's terminal did.
  for (const line of debriefLines(doc)) expect(again.out).toContain(line);
  expect(readFileSync(join(dir, 'again.json'), 'utf8')).toBe(text);
  expect(readFileSync(join(dir, 'again.html'), 'utf8')).toBe(html);
  const replay = builtCli(['gameday', 'replay', `${out}.json`], children, WAIT);
  expect(await replay.exited, replay.out).toBe(0);
  expect(replay.out).toMatch(/^replay identical: /);
  return doc;
}

/** Sends the start of a request and hangs up: a client that disconnects mid-stream. */
function cutShort(link: string, path: string, method: 'GET' | 'POST', body?: string): Promise<string> {
  const u = new URL(path, link);
  return new Promise((resolve) => {
    const req = request(u, { method, headers: { Authorization: `Bearer ${token(link)}`, ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(body.length * 4) } : {}) } }, (res) => {
      res.once('data', (chunk: Buffer) => {
        req.destroy();
        resolve(chunk.toString());
      });
    });
    req.on('error', () => resolve('hung up'));
    if (body) {
      req.write(body);
      setTimeout(() => { req.destroy(); resolve('hung up'); }, 300);
    } else req.end();
  });
}

describe('a capacity drill of checkout.yaml with the page, two operators\' terminals, a reload, a second tab and a dropped client', () => {
  it('every action lands once at its instant; the debrief holds to the runs', async () => {
    const file = join(root, 'scenarios', 'checkout.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-20-'));
    const out = join(dir, 'drill');
    const drill = builtCli(['gameday', file, '--speed', '120', '--name', 'fran', '--operator', 'ada', '--operator', 'bob', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];
    const bob = (await drill.line(/operator bob: (\S+)/))[1];
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
    const page = await context.newPage();
    await page.goto(fran);
    await ready(page);
    // No rollout plan: the page says so, rather than show the plans' headers over no row.
    expect(await page.isVisible('#no-plans')).toBe(true);
    expect(await page.isVisible('#plans')).toBe(false);
    await page.click('#start');
    expect(await said(page)).toBe('started the drill: done at 0m00s');
    await at(fran, 60);
    await page.click('#clock-pause');
    const paused = (await said(page)).match(/^paused the clock: done at (\S+)$/)![1];
    const T = (await state(fran)).meta.nowSeconds;
    expect(clock(T)).toBe(paused);

    // The speed changed while paused, from the page and a terminal: the clock stays where it stood.
    await page.fill('#speed-input', '600');
    await page.click('#speed-set');
    expect(await said(page)).toBe(`set the speed to 600x: done at ${paused}`);
    expect(await ctl(fran, 'speed', '240')).toBe(`done at ${paused} simulated by fran: set the speed to 240x\n`);
    await new Promise((r) => setTimeout(r, 500));
    expect((await state(fran)).meta).toMatchObject({ nowSeconds: T, status: 'paused', speed: 240 });

    // Faults injected while paused: one stays, one is removed from the page before the clock moves.
    await ctl(fran, 'adhoc-fault', '{kind: latency, target: payments -> bank, add: 300ms, for: 5m}');
    await ctl(fran, 'adhoc-fault', '{kind: instance-kill, target: db, for: 2m}');
    const remove = page.getByRole('button', { name: 'Remove fault ad-hoc 2' });
    await remove.waitFor({ timeout: WAIT });
    await remove.click();
    await page.click('#confirm-ok');
    expect(await said(page)).toBe(`removed fault ad-hoc 2: done at ${paused}`);
    await page.waitForFunction(() => /removed/.test(document.querySelector('#faults tr[data-fault="ad-hoc 2"]')!.textContent!), null, { timeout: WAIT });
    await remove.waitFor({ state: 'detached', timeout: WAIT });

    // Both operators in the same simulated millisecond, from their own shells at once; a plan action a drill without
    // plans cannot take is a bad request, said plainly (exit 2, no stack trace).
    const [a, b] = await Promise.all([ctl(ada, 'note', 'ada: payments p99 climbing'), ctl(bob, 'note', 'bob: paging the bank')]);
    expect([a, b]).toEqual([`done at ${paused} simulated by ada: note: ada: payments p99 climbing\n`, `done at ${paused} simulated by bob: note: bob: paging the bank\n`]);
    const planless = await ctlRun(ada, 'promote', 'new-checkout');
    expect(planless).toEqual({ code: 2, out: '400: flag: the scenario has no rollout plans\n' });

    // A client that hangs up mid-stream (an event stream, a request body cut short) leaves the drill as it was.
    expect(await cutShort(ada, 'api/events', 'GET')).toMatch(/^(id|retry|event|data|:)/m);
    await cutShort(ada, 'api/actions', 'POST', '{"type": "note", "te');
    // ada's stream is counted gone once the server sees the socket close (a loaded machine: give it time).
    let s = await state(fran);
    for (const until = Date.now() + WAIT; s.people.find((p) => p.name === 'ada')!.connected && Date.now() < until; s = await state(fran)) await new Promise((r) => setTimeout(r, 100));
    expect(s.people.find((p) => p.name === 'ada')!.connected).toBe(false);
    expect(s.actions.filter((x) => x.what.startsWith('note: ')).map((x) => x.by).sort()).toEqual(['ada', 'bob']);

    // The page reloaded mid-drill, and a second tab: each shows every action once, as the state holds them.
    await page.reload();
    await ready(page);
    const tab = await context.newPage();
    await tab.goto(fran);
    await ready(tab);
    s = await state(fran);
    for (const p of [page, tab]) {
      await p.waitForFunction((n) => document.querySelectorAll('#actions tbody tr').length === n, s.actions.length, { timeout: WAIT });
      const rows = await actionRows(p);
      expect(new Set(rows).size).toBe(rows.length);
      expect(await p.textContent('#faults tr[data-fault="ad-hoc 2"]')).toContain('removed');
    }

    // The clock runs again (from the second tab); the running fault is removed from a terminal; ended while paused.
    await tab.click('#clock-resume');
    expect(await said(tab)).toBe(`resumed the clock: done at ${paused}`);
    await at(fran, T + 90);
    const removed = (await ctl(fran, 'remove-fault', 'ad-hoc', '1')).match(/^done at (\S+) simulated by fran: removed fault ad-hoc 1$/m)![1];
    await page.getByRole('button', { name: 'Remove fault ad-hoc 1' }).waitFor({ state: 'detached', timeout: WAIT });
    const again = await ctlRun(fran, 'remove-fault', 'ad-hoc 1');
    expect(again.code).toBe(1);
    expect(again.out).toMatch(/^409: fault ad-hoc 1 has already been removed \(at \d+m\d\ds\)\nnext: /);
    await at(fran, T + 150);
    await ctl(fran, 'pause');
    await page.click('#end');
    await page.click('#confirm-ok');
    await drill.line(/^replay it: /m);
    expect(drill.out).not.toMatch(/\n\s+at .*\.js:\d+/);

    const doc = await heldToTheRuns(file, out, dir, drill.out, fran);
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.removed_by])).toEqual([['ad-hoc 1', T, 'fran']]);
    expect(clock(doc.faults[0].removed_seconds!)).toBe(removed);
    expect(doc.withdrawn).toEqual([{ name: 'ad-hoc 2', injected_seconds: T, removed_by: 'fran', removed_seconds: T }]);
    // The second injection never switched on: no replica of the db was killed, in either run.
    expect(doc.team.outcomes.faults.map((f) => f.name)).toEqual(['ad-hoc 1']);
    const notes = doc.record.actions.filter((x) => x.action.type === 'note');
    // Sent at once from two shells: in either order, at the same instant.
    expect(notes.map((x) => [x.by, x.atUs / 1e6]).sort()).toEqual([['ada', T], ['bob', T]]);
    expect(doc.record.end.reason).toBe('by-hand');
    drill.child.kill('SIGINT');
    await drill.exited;
  }, 600_000);
});

describe('two-flag-release.yaml from terminals: two operators on one plan in the same millisecond, a catalogue fault removed', () => {
  it('the second operator is told the plan moved; the fault faced for the same span by the policy; ended while paused', async () => {
    const file = join(root, 'scenarios', 'two-flag-release.yaml');
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-20-'));
    const out = join(dir, 'drill');
    const drill = builtCli(['gameday', file, '--speed', '600', '--start', '--name', 'fran', '--operator', 'ada', '--operator', 'bob', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];
    const bob = (await drill.line(/operator bob: (\S+)/))[1];
    await at(fran, 11 * 60);
    await ctl(fran, 'pause');
    const T = (await state(fran)).meta.nowSeconds;
    await ctl(fran, 'fault', 'bank-slow');
    // Both promote the checkout at once, each having read the plan's version: it moves one stage.
    const seen = (await state(ada)).plans.find((p) => p.flag === 'new-checkout')!;
    const both = await Promise.all([ctlRun(ada, 'promote', 'new-checkout', '--reason', 'calm'), ctlRun(bob, 'promote', 'new-checkout', '--reason', 'calm too')]);
    const after = (await state(fran)).plans.find((p) => p.flag === 'new-checkout')!;
    const done = both.filter((r) => r.code === 0);
    expect(done.length).toBeGreaterThanOrEqual(1);
    // Each promote that was done moved the plan one stage; one refused was told where it is now.
    expect(after.stage - seen.stage).toBe(done.length);
    for (const r of both.filter((x) => x.code !== 0)) expect(r).toMatchObject({ code: 1, out: expect.stringMatching(/^409: new-checkout has moved since you saw it \(config v\d+\): it is holding at stage \d of 4 /) });
    await ctl(fran, 'resume');
    await at(fran, T + 120);
    await ctl(fran, 'remove-fault', 'bank-slow');
    await ctl(fran, 'pause');
    await ctl(fran, 'end');
    await drill.line(/^replay it: /m);
    const doc = await heldToTheRuns(file, out, dir, drill.out, fran);
    const promotes = doc.record.actions.filter((x) => x.action.type === 'plan');
    expect(promotes.every((x) => x.atUs / 1e6 === T)).toBe(true);
    const bank = doc.faults.find((f) => f.name === 'bank-slow')!;
    expect(bank).toMatchObject({ team_from_seconds: T, policy_from_seconds: T, removed_by: 'fran' });
    expect(bank.policy_to_seconds).toBe(bank.removed_seconds);
    expect(bank.removed_seconds! - T).toBeLessThan(600);
    drill.child.kill('SIGINT');
    await drill.exited;
  }, 600_000);
});
