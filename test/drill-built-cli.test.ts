/**
 * The game day as people run it: the built command (bin/rehearse.js, esbuild's bundle), not the sources the other
 * live tests import. Its dashboard in Debian's chromium updates without a script error (the bundle's formatters
 * called `trim` by a minified name the page did not have: every update threw, the charts stayed empty and the
 * health grid read `35.717/s`), and one drill's debrief page has the same bytes whether the drill's worker wrote
 * it or `gameday debrief` did from the journal. The countdown once every plan is done stands still while the
 * clock is paused, and the page says so rather than "ends in 58 s". A debrief of a drill without faults opens
 * without vega's warnings of an infinite extent (its empty fault layer). The dashboard's charts of shares and
 * rates read in percentages, as its tables and the debrief's charts do (they read 0.12 beside "12%").
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { builtCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const fixture = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const children: ChildProcess[] = [];
let browser: Browser | undefined;

afterAll(async () => {
  await browser?.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const cli = (args: string[]) => builtCli(args, children);

describe('the built command', () => {
  it('serves a dashboard whose updates run without a script error, and whose ad-hoc form leaves an empty field out', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-built-')), 'drill');
    const drill = cli(['gameday', fixture, '--case', 'healthy', '--speed', '60', '--start', '--name', 'fran', '--out', out]);
    const url = (await drill.line(/facilitator fran: (\S+)/))[1];
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    await page.goto(url);
    // Three closed windows: the charts hold rows, and the grid reads a rate as the reports do.
    await page.waitForFunction(() => Number(document.body.dataset.updates) > 0 && /p99 /.test(document.getElementById('health')!.textContent!), null, { timeout: 120_000 });
    await page.waitForFunction(() => {
      const views = (window as unknown as { drillViews: Record<string, { data(n: string): unknown[] }> }).drillViews;
      return views.journeys !== undefined && views.journeys.data('rows').length >= 3;
    }, null, { timeout: 120_000 });
    // The shares and rates on the charts read as percentages, as the tables and the debrief's charts write them.
    const yLabels = (chart: string) => page.evaluate((c) => {
      const axis = [...document.querySelectorAll(`${c} g.role-axis`)].find((g) => /^Y-axis/.test(g.getAttribute('aria-label') ?? ''));
      return [...(axis?.querySelectorAll('.role-axis-label text') ?? [])].map((x) => x.textContent!);
    }, chart);
    for (const chart of ['#chart-exposure', '#chart-journeys', '#chart-errors']) {
      const labels = await yLabels(chart);
      expect(labels.length, chart).toBeGreaterThan(1);
      for (const l of labels) expect(l, chart).toMatch(/^\d+(\.\d+)?%$/);
    }
    for (const l of await yLabels('#chart-p99')) expect(l).toMatch(/^[\d,]+$/);
    const grid = await page.$$eval('#health .svc', (ds) => ds.map((d) => d.textContent!));
    expect(grid.join("\n")).toMatch(/web\s*\d+\.\d\/s · errors \d+(\.\d+)?% · p99 \d+(\.\d+)?ms/);
    // The speed field emptied (a browser empties a number field of what is not a number) is said so on the page; it
    // was sent as 0 and answered "expected 0.1 or more, not 0".
    const said = async () => {
      await page.waitForFunction(() => document.getElementById('message')!.textContent !== '', null, { timeout: 120_000 });
      const m = await page.textContent('#message');
      await page.evaluate(() => { document.getElementById('message')!.textContent = ''; });
      return m;
    };
    await page.fill('#speed-input', '');
    await page.click('#speed-set');
    expect(await said()).toBe('give a speed: simulated seconds per wall second, from 0.1 to 100000');
    await page.fill('#speed-input', '90');
    await page.click('#speed-set');
    expect(await said()).toMatch(/^set the speed to 90x: done at \d+m\d\ds$/);
    // The ad-hoc fault form with its duration cleared: a fault until the drill ends, as a scenario's fault without
    // `for`; the empty field was sent as "" and refused ("fault.for: invalid duration").
    await page.click('summary:has-text("Ad-hoc fault")');
    await page.fill('#adhoc-target', 'pay');
    await page.fill('#adhoc-for', '');
    await page.click('#adhoc-inject');
    expect(await said()).toMatch(/^injected ad-hoc fault ad-hoc 1: latency on pay: done at \d+m\d\ds$/);
    await page.waitForFunction(() => /ad-hoc 1/.test(document.querySelector('#faults tbody')!.textContent!), null, { timeout: 120_000 });
    // A cpu-stress from the form, its percent field left at 100%: a fault of the whole service takes no percent, so
    // the page does not send it (the server refuses it, "cpu-stress does not read percent").
    await page.selectOption('#adhoc-kind', 'cpu-stress');
    await page.click('#adhoc-inject');
    expect(await said()).toMatch(/^injected ad-hoc fault ad-hoc 2: cpu-stress on pay: done at \d+m\d\ds$/);
    expect(problems).toEqual([]);
    drill.exited.catch(() => {});
  }, 300_000);

  it('says the countdown waits while the clock is paused', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-built-')), 'drill');
    const drill = cli(['gameday', fixture, '--case', 'healthy', '--speed', '300', '--start', '--name', 'fran', '--end-when-done', '30s', '--out', out]);
    const url = new URL((await drill.line(/facilitator fran: (\S+)/))[1]);
    browser ??= await launchChromium();
    const page = await browser.newPage();
    await page.goto(url.href);
    await page.waitForFunction(() => !document.getElementById('countdown')!.hidden, null, { timeout: 120_000 });
    const r = await fetch(new URL('/api/actions', url.origin), { method: 'POST', body: JSON.stringify({ type: 'clock', op: 'pause' }), headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
    expect(r.status).toBe(200);
    await page.waitForFunction(() => document.body.dataset.status === 'paused', null, { timeout: 120_000 });
    await page.waitForFunction(() => /^Every plan is done\. The drill ends \d+ s after the clock runs again, unless the facilitator keeps it going\.$/.test(document.getElementById('countdown-text')!.textContent!), null, { timeout: 120_000 });
  }, 300_000);

  it('writes the same debrief page from the drill and from its journal', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-built-'));
    const drill = cli(['gameday', fixture, '--case', 'broken', '--speed', '100000', '--start', '--exit-on-end', '--out', join(dir, 'drill')]);
    expect(await drill.exited, drill.out).toBe(0);
    const again = cli(['gameday', 'debrief', join(dir, 'drill.journal'), '--out', join(dir, 'again')]);
    expect(await again.exited, again.out).toBe(0);
    expect(readFileSync(join(dir, 'again.json'), 'utf8')).toBe(readFileSync(join(dir, 'drill.json'), 'utf8'));
    expect(readFileSync(join(dir, 'again.html'), 'utf8') === readFileSync(join(dir, 'drill.html'), 'utf8')).toBe(true);
  }, 300_000);

  it('writes a debrief page of a drill without faults that draws without a warning', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-built-'));
    // gate-tuning: a bundled scenario without faults, 25 minutes at 40/s (error-spike, also without faults, is two
    // hours at 150/s: eighteen times the journeys for the same empty fault layer).
    const drill = cli(['gameday', join(root, 'scenarios', 'gate-tuning.yaml'), '--speed', '100000', '--start', '--exit-on-end', '--out', join(dir, 'drill')]);
    expect(await drill.exited, drill.out).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8')).faults).toEqual([]);
    browser ??= await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    await page.goto(`file://${join(dir, 'drill.html')}`);
    await page.waitForFunction(() => document.querySelectorAll('svg .role-axis').length >= 4, null, { timeout: 120_000 });
    expect(problems).toEqual([]);
  }, 300_000);
});
