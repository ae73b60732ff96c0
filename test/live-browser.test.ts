/**
 * The game-day dashboard in Debian's chromium through playwright-core, with two and three browser contexts (a
 * facilitator, operators, an observer), each with their own link: the lobby and its start, per-token
 * attribution and an observer refused (403), real mouse clicks on plan buttons while the page updates, a
 * forced reconnect without a duplicated row, no end but the facilitator's (the countdown cancelled, End drill
 * confirmed), the debrief written and linked at the top, and no console warning or request leaving the machine.
 * Screenshots go to reports/screenshots-latest/ (ignored by git; `npm run screenshots` refreshes the docs' ones).
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drill, type DrillOptions, type Link } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';
import { drawCase, newSecret } from '../src/live/hidden.js';
import { clock } from '../src/units/format.js';

const root = new URL('..', import.meta.url).pathname;
const shots = process.env.REHEARSE_SCREENSHOTS ?? join(root, 'reports', 'screenshots-latest');
const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

let browser: Browser;
const drills: Drill[] = [];

beforeAll(async () => {
  mkdirSync(shots, { recursive: true });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const d of drills) await d.stop();
});

async function open(caseName: string, gates: 'on' | 'off' | 'advisory', speed: number, o: Partial<DrillOptions> = {}) {
  const read = readDrillScenario(file, caseName);
  const opened = await Drill.open({ file: read.file, caseName, hiddenCase: false, seed: 7, gates }, read, null, speed, {
    host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada', 'bob'], observers: true,
    out: join(mkdtempSync(join(tmpdir(), 'rehearse-browser-')), 'drill'), ...o,
  });
  drills.push(opened.drill);
  return opened;
}

/**
 * What a chart says of time: its x axis's title and labels as drawn, and the tooltips of its marks (from the
 * scene graph, as vega computes them for a pointer), for the view `pick` finds on the page.
 */
async function timeReading(page: Page, chart: string, pick: string) {
  return page.evaluate(([chart, pick]) => {
    const axis = [...document.querySelectorAll(`${chart} g.role-axis`)].find((g) => /^X-axis/.test(g.getAttribute('aria-label') ?? ''));
    const view = (new Function(`return ${pick}`))() as { scenegraph(): { root: unknown } };
    const tips: Record<string, unknown>[] = [];
    const walk = (node: any) => {
      if (!node) return;
      if (node.tooltip && typeof node.tooltip === 'object') tips.push(node.tooltip);
      for (const i of node.items ?? []) walk(i);
    };
    walk(view.scenegraph().root);
    return {
      title: axis?.querySelector('.role-axis-title text')?.textContent ?? null,
      labels: [...(axis?.querySelectorAll('.role-axis-label text') ?? [])].map((t) => t.textContent),
      tips,
    };
  }, [chart, pick] as const);
}

/** A page in its own browser context, with its console warnings and errors and any request leaving the drill. */
async function person(link: Link, problems: string[]) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
  const page = await context.newPage();
  const origin = new URL(link.url).origin;
  page.on('request', (r) => {
    if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) problems.push(`${link.name}: request to ${r.url()}`);
  });
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(`${link.name}: console ${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`${link.name}: ${String(e)}`));
  await page.goto(link.url);
  await page.waitForFunction((role) => document.body.dataset.role === role && document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0,
    link.role, { timeout: 120_000 });
  return page;
}

const linkOf = (links: Link[], name: string) => links.find((l) => l.name === name)!;
const status = (p: Page) => p.getAttribute('body', 'data-status');

describe('game-day dashboard in chromium', () => {
  it('a lobby: people join in three contexts, the clock waits, the facilitator starts it for everyone', async () => {
    const { drill, links } = await open('healthy', 'on', 60);
    const problems: string[] = [];
    const fran = await person(linkOf(links, 'fran'), problems);
    const ada = await person(linkOf(links, 'ada'), problems);
    const watcher = await person(linkOf(links, 'observers'), problems);
    for (const p of [fran, ada, watcher]) expect(await status(p)).toBe('lobby');
    await fran.waitForFunction(() => /fran \(facilitator\).*ada \(operator\).*observers \(observer\)/.test(document.getElementById('lobby-people')!.textContent!), null, { timeout: 120_000 });
    expect(await fran.isVisible('#start')).toBe(true);
    expect(await ada.isVisible('#start')).toBe(false);
    expect(await watcher.isVisible('#plans button')).toBe(false);
    await new Promise((r) => setTimeout(r, 1000));
    expect(drill.session.nowUs).toBe(0);
    await fran.screenshot({ path: join(shots, 'gameday-lobby.png'), fullPage: true });
    await fran.click('#start');
    for (const p of [fran, ada, watcher]) {
      await p.waitForFunction(() => document.body.dataset.status === 'running' && !document.getElementById('lobby')!.checkVisibility(), null, { timeout: 120_000 });
    }
    expect(drill.session.actions[0]).toMatchObject({ by: 'fran', role: 'facilitator', action: { type: 'start' } });
    await ada.waitForFunction(() => /^0m0[2-9]s|^0m[1-5]\ds|^[1-9]/.test(document.getElementById('clock')!.textContent!), null, { timeout: 120_000 });
    // The health grid says latencies and rates as the run reports and the terminal do (units/format.ts ms() and
    // percent()): "p99 14.7ms", "errors 0.52%"; it said "p99 14.735 ms" by its own rounding.
    await ada.waitForFunction(() => /p99 /.test(document.getElementById('health')!.textContent!), null, { timeout: 120_000 });
    const grid = await ada.$$eval('#health .svc', (ds) => ds.map((d) => d.textContent!));
    expect(grid.length).toBeGreaterThan(0);
    for (const line of grid) expect(line).toMatch(/\/s · errors (0|\d+(\.\d+)?)% · p99 (\d\.\d\d|\d\d\.\d|\d{3})ms/);
    expect(problems).toEqual([]);
    for (const p of [fran, ada, watcher]) await p.context().close();
  }, 480_000);

  it('per-token attribution in every page, an observer refused with 403, Roll back confirmed first', async () => {
    const { drill, links } = await open('healthy', 'off', 60);
    const problems: string[] = [];
    const fran = await person(linkOf(links, 'fran'), problems);
    const ada = await person(linkOf(links, 'ada'), problems);
    const watcher = await person(linkOf(links, 'observers'), problems);
    await fran.click('#start');
    await ada.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')?.textContent ?? ''), null, { timeout: 120_000 });
    // The observer's own token posts an action: refused, and nothing is recorded.
    const before = drill.session.actions.length;
    const refused = await watcher.evaluate(async () => {
      const token = new URLSearchParams(location.search).get('token');
      const r = await fetch('api/actions', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ type: 'plan', flag: 'new-pay', op: 'rollback' }) });
      return r.status;
    });
    expect(refused).toBe(403);
    expect(drill.session.actions.length).toBe(before);
    // The browser logs the refused request; that one line is this test's own doing.
    const logged = problems.findIndex((x) => /^observers: console error: .*403 \(Forbidden\)/.test(x));
    expect(logged).toBeGreaterThanOrEqual(0);
    problems.splice(logged, 1);
    // Ada rolls back with a reason: a dialog asks first; cancelled, nothing happens.
    await ada.fill('#plans tr[data-flag="new-pay"] input.reason', 'error rate creeping up');
    await ada.click('#plans tr[data-flag="new-pay"] button[data-op="rollback"]');
    await ada.waitForSelector('#confirm[open]');
    expect(await ada.textContent('#confirm-text')).toContain('Roll back new-pay to 0%? Reason: error rate creeping up');
    await ada.click('#confirm-cancel');
    expect(drill.session.actions.length).toBe(before);
    await ada.click('#plans tr[data-flag="new-pay"] button[data-op="rollback"]');
    await ada.click('#confirm-ok');
    for (const p of [fran, ada, watcher]) {
      await p.waitForFunction(() => /ada \(operator\)rollback new-pay \(error rate creeping up\)done/.test(document.querySelector('#actions tbody')!.textContent!), null, { timeout: 120_000 });
      await p.waitForFunction(() => /rolled-back/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')!.textContent!), null, { timeout: 120_000 });
    }
    const rec = drill.session.actions.at(-1)!;
    expect(rec).toMatchObject({ by: 'ada', role: 'operator', action: { type: 'plan', op: 'rollback', reason: 'error rate creeping up' }, refused: null });
    // Wall times in the viewer's local time.
    const shown = await fran.textContent('#actions tbody tr:first-child td:nth-child(2)');
    expect(shown).toBe(await fran.evaluate((iso) => new Date(iso).toLocaleTimeString(), rec.wallTime));
    expect(problems).toEqual([]);
    for (const p of [fran, ada, watcher]) await p.context().close();
  }, 480_000);

  it('10 of 10 real mouse clicks on plan buttons are registered while the page updates', async () => {
    const { drill, links } = await open('healthy', 'off', 120, { cadenceMs: 100 });
    const problems: string[] = [];
    const fran = await person(linkOf(links, 'fran'), problems);
    const bob = await person(linkOf(links, 'bob'), problems);
    await fran.click('#start');
    await bob.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')?.textContent ?? ''), null, { timeout: 120_000 });
    const updatesBefore = Number(await bob.getAttribute('body', 'data-updates'));
    const mine = () => drill.session.actions.filter((a) => a.by === 'bob').length;
    const before = mine();
    for (let i = 0; i < 10; i++) {
      const op = i % 2 === 0 ? 'pause' : 'resume';
      const box = (await bob.locator(`#plans tr[data-flag="new-pay"] button[data-op="${op}"]`).boundingBox())!;
      // A real press and release, 120 ms apart: several updates arrive while the button is held.
      await bob.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      await bob.mouse.down();
      await new Promise((r) => setTimeout(r, 120));
      await bob.mouse.up();
      const n = before + i + 1;
      await new Promise<void>((resolve, reject) => {
        const until = Date.now() + 120_000;
        const check = () => (mine() >= n ? resolve() : Date.now() > until ? reject(new Error(`click ${i + 1} not registered`)) : setTimeout(check, 20));
        check();
      });
    }
    expect(mine() - before).toBe(10);
    expect(drill.session.actions.filter((a) => a.by === 'bob').map((a) => a.refused)).toEqual(Array(10).fill(null));
    expect(Number(await bob.getAttribute('body', 'data-updates')) - updatesBefore).toBeGreaterThan(10);
    expect(problems).toEqual([]);
    for (const p of [fran, bob]) await p.context().close();
  }, 480_000);

  it('after a forced reconnect, the stream resumes from the last event id: no duplicated row; the page says disconnected or stale, then live', async () => {
    const { drill, links } = await open('healthy', 'on', 120, { cadenceMs: 100 });
    const problems: string[] = [];
    const fran = await person(linkOf(links, 'fran'), problems);
    const ada = await person(linkOf(links, 'ada'), problems);
    await fran.click('#start');
    await ada.waitForFunction(() => Number(document.body.dataset.windows) >= 4, null, { timeout: 120_000 });
    await fran.fill('#note', 'before the drop');
    await fran.click('#note-add');
    for (let round = 0; round < 2; round++) {
      drill.server.dropStreams();
      await ada.waitForFunction(() => document.body.dataset.connection === 'disconnected', null, { timeout: 120_000 });
      await ada.waitForFunction(() => document.body.dataset.connection === 'live', null, { timeout: 120_000 });
    }
    // No update for three seconds on an open connection: the page says stale, then live again.
    drill.feed.stop();
    await ada.waitForFunction(() => document.body.dataset.connection === 'stale', null, { timeout: 120_000 });
    drill.feed.start();
    await ada.waitForFunction(() => document.body.dataset.connection === 'live', null, { timeout: 120_000 });
    await fran.fill('#note', 'after the drop');
    await fran.click('#note-add');
    await ada.waitForFunction(() => /after the drop/.test(document.querySelector('#actions tbody')!.textContent!), null, { timeout: 120_000 });
    // The clock stopped, so that what the page holds can be counted against the drill.
    await fran.click('#clock-pause');
    await ada.waitForFunction(() => /paused the clock/.test(document.querySelector('#actions tbody')!.textContent!), null, { timeout: 120_000 });
    const updates = Number(await ada.getAttribute('body', 'data-updates'));
    await ada.waitForFunction((n) => Number(document.body.dataset.updates) > n + 2, updates, { timeout: 120_000 });
    const seen = await ada.evaluate(() => {
      const views = (window as unknown as { drillViews: Record<string, { data(n: string): { t: number; journey?: string; flag?: string }[] }> }).drillViews;
      return {
        actions: [...document.querySelectorAll('#actions tbody tr')].map((tr) => tr.getAttribute('data-n')),
        journeys: views.journeys.data('rows').map((r) => `${r.journey}@${r.t}`),
        exposure: views.exposure.data('rows').map((r) => `${r.flag}@${r.t}`),
        audit: document.querySelectorAll('#audit tbody tr').length,
      };
    });
    expect(new Set(seen.actions).size).toBe(seen.actions.length);
    expect(seen.actions.length).toBe(drill.session.actions.length);
    expect(new Set(seen.journeys).size).toBe(seen.journeys.length);
    expect(new Set(seen.exposure).size).toBe(seen.exposure.length);
    expect(seen.audit).toBe(Math.min(400, drill.session.controller!.audit.length));
    expect(seen.journeys.length).toBe(drill.session.sim.closedWindows.length);
    expect(problems).toEqual([]);
    for (const p of [fran, ada]) await p.context().close();
  }, 480_000);

  it('no auto-end: every plan done, the countdown shows and the facilitator cancels it; End drill is confirmed; the debrief is linked at the top', async () => {
    const { drill, links } = await open('healthy', 'on', 60, { endWhenDoneMs: 6000 });
    const problems: string[] = [];
    const fran = await person(linkOf(links, 'fran'), problems);
    const ada = await person(linkOf(links, 'ada'), problems);
    await fran.click('#start');
    await fran.selectOption('#catalogue', 'pay-down');
    await fran.click('#inject');
    await ada.waitForFunction(() => /pay-down \(abort\) active/.test(document.querySelector('#faults')!.textContent!), null, { timeout: 120_000 });
    await ada.waitForFunction(() => /503 on 50% of calls/.test(document.querySelector('#faults')!.textContent!), null, { timeout: 120_000 });
    await ada.waitForFunction(() => /pay-down|abort/.test(document.querySelector('#health')!.textContent!) || document.querySelector('#health .svc.warn, #health .svc.bad') !== null, null, { timeout: 120_000 });
    await ada.waitForFunction(() => /req_failed.*(pass|fail|inconclusive): /.test(document.querySelector('#plans tr[data-flag="new-pay"] .gates')!.textContent!), null, { timeout: 120_000 });
    await ada.waitForFunction(() => Number(document.body.dataset.windows) >= 8, null, { timeout: 120_000 });
    // Every live chart has a legend for its series, and the overlays are keyed under it.
    const legends = await ada.evaluate(() => ['exposure', 'journeys', 'errors', 'p99'].map((id) => [
      document.querySelectorAll(`#chart-${id} svg .role-legend .role-legend-symbol path, #chart-${id} svg .role-legend-symbol`).length > 0,
      document.getElementById(`chart-${id}`)!.parentElement!.querySelector('.legend') !== null,
    ]));
    expect(legends).toEqual([[true, true], [true, true], [true, true], [true, true]]);
    await ada.screenshot({ path: join(shots, 'gameday-live.png'), fullPage: true });
    // Every plan is done: each page says so, with the countdown; the facilitator keeps the drill going.
    await ada.waitForFunction(() => /Every plan is done\. The drill ends in \d+ s/.test(document.getElementById('countdown')!.textContent!), null, { timeout: 120_000 });
    expect(await ada.isVisible('#countdown-cancel')).toBe(false);
    await fran.click('#countdown-cancel');
    await ada.waitForFunction(() => /the facilitator keeps the drill going/.test(document.getElementById('countdown')!.textContent!), null, { timeout: 120_000 });
    // Past the ten simulated minutes after which the drill used to end by itself, and past the countdown's length.
    const doneAt = drill.session.controller!.reports()[0].endedUs!;
    const cancelledAt = Date.now();
    while (drill.session.nowUs - doneAt < 10.5 * 60e6 || Date.now() - cancelledAt < 7000) await new Promise((r) => setTimeout(r, 200));
    expect(drill.session.ended).toBe(false);
    await ada.fill('#note', 'still acting after every plan is done');
    await ada.click('#note-add');
    await ada.waitForFunction(() => /still acting/.test(document.querySelector('#actions tbody')!.textContent!), null, { timeout: 120_000 });
    expect(drill.session.actions.at(-1)!.refused).toBeNull();
    // End drill asks first.
    await fran.click('#end');
    await fran.waitForSelector('#confirm[open]');
    await fran.click('#confirm-cancel');
    await new Promise((r) => setTimeout(r, 500));
    expect(drill.session.ended).toBe(false);
    await fran.click('#end');
    await fran.click('#confirm-ok');
    for (const p of [fran, ada]) {
      await p.waitForFunction(() => document.body.dataset.status === 'ended', null, { timeout: 120_000 });
      await p.waitForSelector('#debrief-link:not([hidden])', { timeout: 120_000 });
    }
    // The debrief link sits at the top of the page.
    const top = await ada.evaluate(() => document.getElementById('debrief-banner')!.getBoundingClientRect().top);
    expect(top).toBeLessThan(40);
    const href = await ada.getAttribute('#debrief-link', 'href');
    const d = await ada.context().newPage();
    d.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`debrief: console ${m.type()}: ${m.text()}`);
    });
    await d.goto(new URL(href!, linkOf(links, 'ada').url).href);
    await d.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
    expect(await d.getAttribute('body', 'data-render-error')).toBeNull();
    const text = await d.textContent('body');
    expect(text).toMatch(/How the team and the policy are compared/);
    // The policy alone faced the team's fault, at the same instant.
    const faced = await d.$$eval('#faults-faced tbody tr', (rows) => rows.map((r) => [...r.querySelectorAll('td')].map((c) => c.textContent)));
    expect(faced.find((r) => r[0] === 'pay-down')).toEqual(expect.arrayContaining(['pay-down', 'catalogue']));
    const row = faced.find((r) => r[0] === 'pay-down')!;
    expect(row[5]).toBe(row[6]);
    await d.screenshot({ path: join(shots, 'gameday-debrief.png'), fullPage: true });
    expect(problems).toEqual([]);
    for (const p of [fran, ada]) await p.context().close();
  }, 480_000);
  it('at 1300 px the page fits its width; a window without data breaks the flag on line; times read as the terminal reads them', async () => {
    const { drill, links } = await open('broken', 'on', 1);
    const problems: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
    const fran = await context.newPage();
    fran.on('pageerror', (e) => problems.push(String(e)));
    await fran.goto(linkOf(links, 'fran').url);
    await fran.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: 120_000 });
    const url = new URL(linkOf(links, 'fran').url);
    const post = (body: unknown) => fetch(new URL('/api/actions', url.origin), { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    expect((await post({ type: 'start' })).status).toBe(200);
    // The broken flag is rolled back by its gate, promoted again by hand after a stretch with nobody on it.
    drill.session.advanceTo(6 * 60e6);
    expect(drill.session.controller!.planStates()[0].phase).toMatch(/rolled/);
    expect((await post({ type: 'plan', flag: 'new-pay', op: 'promote', reason: 'try again' })).status).toBe(200);
    drill.session.advanceTo(12 * 60e6 + 612_345);
    expect((await post({ type: 'note', text: 'watching the second try' })).status).toBe(200);
    await fran.waitForFunction(() => Number(document.body.dataset.windows) >= 24, null, { timeout: 120_000 });
    await fran.selectOption('#service', 'pay');
    const { state } = await (await fetch(new URL(`/api/state?token=${url.searchParams.get('token')}`, url.origin))).json();
    const on = state.rows.services.filter((r: { service: string; series: string }) => r.service === 'pay' && r.series === 'new-pay on');
    const withData = on.filter((r: { errorRate: number | null }) => r.errorRate !== null).map((r: { t: number }) => r.t);
    const w = state.meta.windowSeconds;
    const gapAt = withData.findIndex((t: number, i: number) => i > 0 && t - withData[i - 1] > w);
    expect(gapAt, JSON.stringify(withData)).toBeGreaterThan(0);
    const gap = [withData[gapAt - 1] + w, withData[gapAt]];
    await new Promise((r) => setTimeout(r, 500));
    for (const chart of ['errors', 'p99']) {
      // The rendered path of the "new-pay on" series: its pieces (M ... ) and the x each spans, in the plot's pixels.
      const pieces = await fran.evaluate(([name, from, to]) => {
        const view = (window as unknown as { drillViews: Record<string, { scale(n: string): (v: unknown) => number }> }).drillViews[name as string];
        const color = String(view.scale('color')('new-pay on'));
        const path = [...document.querySelectorAll(`#chart-${name} path`)].find((p) => p.getAttribute('stroke') === color && p.closest('.mark-line'));
        const d = path?.getAttribute('d') ?? '';
        const spans = d.split('M').filter(Boolean).map((piece) => {
          const xs = [...piece.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => Number(m[1]));
          return [Math.min(...xs), Math.max(...xs)];
        });
        return { spans, gap: [view.scale('x')(from), view.scale('x')(to)], d: d.slice(0, 200) };
      }, [chart, gap[0], gap[1]] as const);
      expect(pieces.spans.length, `${chart}: ${pieces.d}`).toBeGreaterThan(1);
      const middle = (pieces.gap[0] + pieces.gap[1]) / 2;
      for (const [a, b] of pieces.spans) expect(a > middle || b < middle, `${chart}: a piece spans ${a}..${b} across the gap ${pieces.gap}`).toBe(true);
    }
    // The page is as wide as the window, with the long gate readings of a real scenario's plans.
    const real = readDrillScenario(join(root, 'scenarios', 'two-flag-release.yaml'), null);
    const big = await Drill.open({ file: real.file, caseName: null, hiddenCase: false, seed: 11, gates: 'on' }, real, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', out: join(mkdtempSync(join(tmpdir(), 'rehearse-wide-')), 'drill'),
    });
    drills.push(big.drill);
    big.drill.act({ type: 'start' }, big.drill.roster.list().find((p) => p.role === 'facilitator')!);
    big.drill.session.advanceTo(40 * 60e6);
    const wide = await context.newPage();
    wide.on('pageerror', (e) => problems.push(String(e)));
    await wide.goto(big.links[0].url);
    await wide.waitForFunction(() => document.querySelectorAll('#plans .gate.verdict-pass, #plans .gate.verdict-fail, #plans .gate.verdict-inconclusive').length >= 3, null, { timeout: 120_000 });
    const widths = await wide.evaluate(() => ({ document: document.documentElement.scrollWidth, viewport: window.innerWidth, plans: document.getElementById('plans')!.getBoundingClientRect().right }));
    expect(widths.document, JSON.stringify(widths)).toBeLessThanOrEqual(widths.viewport);
    expect(widths.plans, JSON.stringify(widths)).toBeLessThanOrEqual(widths.viewport);
    await wide.screenshot({ path: join(shots, 'gameday-1300px.png') });
    // An action's time on the page is the terminal's and the debrief's reading of the same instant.
    await fran.waitForFunction(() => /watching the second try/.test(document.querySelector('#actions tbody')?.textContent ?? ''), null, { timeout: 120_000 });
    const shown = await fran.$$eval('#actions tbody tr', (trs) => trs.map((tr) => [tr.children[0].textContent, tr.children[3].textContent]));
    for (const a of drill.session.actions) expect(shown).toContainEqual([clock(a.atUs / 1e6), expect.any(String)]);
    expect(shown.find((r) => /watching/.test(r[1] ?? ''))![0]).toBe('12m01s'); // 12m00.6s: to the nearest second
    expect(problems).toEqual([]);
    await context.close();
  }, 480_000);

  it('the charts read simulated time as the clock does (12m00s), on the live page and in the debrief alike: axis and tooltips', async () => {
    const CLOCK = /^(\d+h)?\d{1,2}m\d\ds$/;
    const { drill, links } = await open('broken', 'on', 1);
    const problems: string[] = [];
    const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const fran = await context.newPage();
    fran.on('pageerror', (e) => problems.push(String(e)));
    fran.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    await fran.goto(linkOf(links, 'fran').url);
    await fran.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: 120_000 });
    const url = new URL(linkOf(links, 'fran').url);
    const post = (body: unknown) => fetch(new URL('/api/actions', url.origin), { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    expect((await post({ type: 'start' })).status).toBe(200);
    drill.session.advanceTo(5 * 60e6);
    expect((await post({ type: 'fault', name: 'pay-down' })).status).toBe(200);
    drill.session.advanceTo(12 * 60e6);
    expect((await post({ type: 'note', text: 'twelve minutes in' })).status).toBe(200);
    await fran.waitForFunction(() => Number(document.body.dataset.windows) >= 24, null, { timeout: 120_000 });
    await new Promise((r) => setTimeout(r, 500));

    // The live page: the journeys chart's axis and its fault's tooltip; the exposure chart's rollout decisions.
    const live = await timeReading(fran, '#chart-journeys', 'window.drillViews.journeys');
    expect(live.title).toBe('simulated time');
    expect(live.labels.length, JSON.stringify(live.labels)).toBeGreaterThan(2);
    for (const l of live.labels) expect(l).toMatch(CLOCK);
    expect(live.labels).toContain('10m00s');
    expect(live.tips).toContainEqual({ fault: expect.stringMatching(/^pay-down/), from: '5m00s', to: '8m00s' });
    const decisions = (await timeReading(fran, '#chart-exposure', 'window.drillViews.exposure')).tips;
    expect(decisions.length).toBeGreaterThan(0);
    for (const t of decisions) expect(t.at).toMatch(CLOCK);

    // The debrief: the same title, labels by the same clock, the same tooltips for faults and people's actions.
    expect((await post({ type: 'end' })).status).toBe(200);
    await fran.waitForSelector('#debrief-link:not([hidden])', { timeout: 120_000 });
    const d = await context.newPage();
    d.on('pageerror', (e) => problems.push(`debrief: ${String(e)}`));
    d.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`debrief: console ${m.type()}: ${m.text()}`);
    });
    await d.goto(new URL((await fran.getAttribute('#debrief-link', 'href'))!, url).href);
    await d.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 120_000 });
    expect(await d.getAttribute('body', 'data-render-error')).toBeNull();
    for (const i of [0, 1]) {
      const debrief = await timeReading(d, `#chart-${i}`, `window.rehearseViews[${i}]`);
      expect(debrief.title).toBe(live.title);
      expect(debrief.labels.length, JSON.stringify(debrief.labels)).toBeGreaterThan(2);
      for (const l of debrief.labels) expect(l).toMatch(CLOCK);
      expect(debrief.labels).toContain('10m00s');
      expect(debrief.tips).toContainEqual({ fault: 'pay-down', from: '5m00s', to: '8m00s' });
      expect(debrief.tips).toContainEqual(expect.objectContaining({ at: '5m00s', by: 'fran' }));
      expect(debrief.tips).toContainEqual(expect.objectContaining({ at: '12m00s', by: 'fran' }));
      // Both charts are shares (journeys with the flag on, error rates): their axis reads in percentages.
      const shares = await d.evaluate((chart) => {
        const axis = [...document.querySelectorAll(`${chart} g.role-axis`)].find((g) => /^Y-axis/.test(g.getAttribute('aria-label') ?? ''));
        return [...(axis?.querySelectorAll('.role-axis-label text') ?? [])].map((x) => x.textContent);
      }, `#chart-${i}`);
      expect(shares.length, JSON.stringify(shares)).toBeGreaterThan(1);
      for (const l of shares) expect(l).toMatch(/^\d+(\.\d+)?%$/);
    }
    expect(problems).toEqual([]);
    await context.close();
  }, 480_000);

  it('the hidden case is in no byte a page receives before the end, nor a hidden fault but on the facilitator\'s (two contexts, every response and every event read)', async () => {
    const hiddenFile = join(import.meta.dirname, 'fixtures', 'drill-hidden.yaml');
    const secret = newSecret();
    const caseName = drawCase(readDrillScenario(hiddenFile, null).base.cases, secret);
    const read = readDrillScenario(hiddenFile, caseName);
    const { drill, links } = await Drill.open({ file: read.file, caseName, hiddenCase: true, seed: 7, gates: 'advisory' }, read, secret, 120, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'], out: join(mkdtempSync(join(tmpdir(), 'rehearse-hidden-')), 'drill'),
    });
    drills.push(drill);
    const problems: string[] = [];
    const received: string[] = [];
    const byPage: Record<string, string[]> = { fran: [], ada: [] };
    const capture = async (page: Page, mine: string[]) => {
      const keep = (x: string) => {
        received.push(x);
        mine.push(x);
      };
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      cdp.on('Network.eventSourceMessageReceived', (e) => keep(`${e.eventName}\n${e.eventId}\n${e.data}`));
      cdp.on('Network.responseReceived', (e) => keep(JSON.stringify(e.response.headers)));
      cdp.on('Network.loadingFinished', (e) => {
        cdp.send('Network.getResponseBody', { requestId: e.requestId })
          .then((b) => keep(b.base64Encoded ? Buffer.from(b.body, 'base64').toString('utf8') : b.body), () => {});
      });
    };
    const pages: Page[] = [];
    for (const name of ['fran', 'ada']) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });
      const page = await context.newPage();
      await capture(page, byPage[name]);
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${name}: ${m.text()}`);
      });
      await page.goto(linkOf(links, name).url);
      await page.waitForFunction(() => Number(document.body.dataset.updates) > 0, null, { timeout: 120_000 });
      pages.push(page);
    }
    // The facilitator injects hidden faults from the terminal (gameday ctl), and a visible one.
    const fran = new URL(linkOf(links, 'fran').url);
    const post = (body: unknown) => fetch(new URL('/api/actions', fran.origin), { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${fran.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    // The click sends the start from the page: the faults are posted once the server has started the drill (posted
    // before, they were refused: "the drill has not started").
    await pages[0].click('#start');
    await pages[0].waitForFunction(() => document.body.dataset.status === 'running', null, { timeout: 120_000 });
    for (const body of [
      { type: 'fault', name: 'quiet-drag' },
      { type: 'fault', name: 'ochre-lantern' },
      { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '25ms', for: '2m', hidden: true } },
      { type: 'adhoc-fault', fault: { kind: 'abort', target: 'web', percent: '1%', for: '1m' } },
    ]) {
      const r = await post(body);
      expect(r.status, await r.text()).toBe(200);
    }
    await pages[1].waitForFunction(() => Number(document.body.dataset.windows) >= 30, null, { timeout: 120_000 });
    const before = byPage.ada.join('\n');
    expect(before).toMatch(/ad-hoc 1/); // the capture sees the stream: the visible ad-hoc fault is there
    for (const s of ['zebra-quartz', 'mango-violet', 'quiet-drag', 'ochre-lantern', 'hidden ad-hoc', 'latency web -> pay', secret]) expect(before, s).not.toContain(s);
    // The facilitator's page is sent the hidden faults they may remove while they are on (at 120x, a second or so:
    // test/live-hidden-remove-browser.test.ts reads them), never the scheduled one, and not the case.
    const franBefore = byPage.fran.join('\n');
    expect(franBefore).toContain('"hiddenFaults":[');
    for (const s of ['zebra-quartz', 'mango-violet', 'latency web -> pay', secret]) expect(franBefore, s).not.toContain(s);
    await pages[0].click('#end');
    await pages[0].click('#confirm-ok');
    await pages[1].waitForSelector('#debrief-link:not([hidden])', { timeout: 120_000 });
    await pages[1].goto(new URL((await pages[1].getAttribute('#debrief-link', 'href'))!, linkOf(links, 'ada').url).href);
    await pages[1].waitForFunction(() => document.body.dataset.rendered, null, { timeout: 120_000 });
    await new Promise((r) => setTimeout(r, 500));
    // After the end the debrief reveals it, through the same capture.
    expect(received.join('\n')).toContain(caseName!);
    expect(problems).toEqual([]);
    for (const p of pages) await p.context().close();
  }, 480_000);
});
