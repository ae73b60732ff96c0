/**
 * The game-day dashboard in Debian's chromium through playwright-core: it connects, the charts update as the
 * drill runs, a click on "Roll back" rolls the plan back and the exposure chart shows it, names typed by people
 * stay text, the debrief opens; no console error, no request leaves the machine.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { drillDocument, drillHtml } from '../src/live/debrief.js';
import { PacedDriver } from '../src/live/driver.js';
import { startDrillServer, type DrillServer } from '../src/live/server.js';
import { DrillSession } from '../src/live/session.js';

const root = new URL('..', import.meta.url).pathname;
const CHROMIUM = '/usr/bin/chromium';
const shots = join(root, 'reports', 'screenshots');
const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

let browser: Browser;
let server: DrillServer;
let session: DrillSession;
let debrief: { html: string; json: string } | null = null;

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)`);
  mkdirSync(shots, { recursive: true });
  session = new DrillSession({ file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'off' });
  const driver = new PacedDriver(session, {
    speed: 90,
    onTick: () => server?.changed(),
    onEnd: () => {
      const doc = drillDocument(session);
      debrief = { json: JSON.stringify(doc), html: drillHtml(doc) };
      server?.changed();
    },
  });
  server = await startDrillServer({ session, driver, host: '127.0.0.1', port: 0, defaultName: 'facilitator', debrief: () => debrief });
  driver.start();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('game-day dashboard in chromium', () => {
  it('connects, updates, rolls back on a click, and opens the debrief', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const external: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(server.origin)) external.push(r.url());
    });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(server.url);
    await page.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.windows) >= 4, null, { timeout: 30_000 });
    const marks = await page.evaluate(() => ['exposure', 'journeys', 'errors', 'p99'].map((id) =>
      document.querySelectorAll(`#chart-${id} svg g[class^="mark-"] > path`).length));
    for (const m of marks) expect(m).toBeGreaterThan(0);
    const windowsBefore = Number(await page.getAttribute('body', 'data-windows'));

    // The plan runs at 10%: exposure above zero. A person with a hostile name rolls it back.
    const exposure = () => page.evaluate(() => {
      const rows = (window as unknown as { drillViews: { exposure: { data(n: string): { flag: string; share: number; t: number }[] } } }).drillViews.exposure.data('rows');
      const mine = rows.filter((r) => r.flag === 'new-pay');
      return mine.map((r) => r.share);
    });
    await page.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')?.textContent ?? ''), null, { timeout: 20_000 });
    await page.waitForFunction(() => {
      const v = (window as unknown as { drillViews: { exposure: { data(n: string): { flag: string; share: number }[] } } }).drillViews.exposure.data('rows');
      return v.some((r) => r.flag === 'new-pay' && r.share > 0);
    }, null, { timeout: 20_000 });
    // A fault from the catalogue: listed, and shaded on the error charts.
    await page.selectOption('#catalogue', 'pay-down');
    await page.click('#inject');
    await page.waitForFunction(() => /pay-down \(abort pay\) active/.test(document.querySelector('#faults')?.textContent ?? ''), null, { timeout: 10_000 });
    await page.waitForFunction(() => document.querySelectorAll('#chart-errors svg g.mark-rect path').length > 0, null, { timeout: 10_000 });
    await page.fill('#who', '<img src=x onerror="window.__xss=1">');
    await page.click('#plans tr[data-flag="new-pay"] button[data-op="rollback"]');
    await page.waitForFunction(() => /rolled-back/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')?.textContent ?? ''), null, { timeout: 10_000 });
    // Propagation (1-5 s) and then a whole window with the flag off everywhere: the chart comes down to zero.
    await page.waitForFunction(() => {
      const v = (window as unknown as { drillViews: { exposure: { data(n: string): { flag: string; share: number }[] } } }).drillViews.exposure.data('rows');
      const mine = v.filter((r) => r.flag === 'new-pay');
      return mine.length > 0 && mine[mine.length - 1].share === 0;
    }, null, { timeout: 20_000 });
    const shares = await exposure();
    expect(Math.max(...shares)).toBeGreaterThan(0.03);
    expect(shares.at(-1)).toBe(0);
    expect(Number(await page.getAttribute('body', 'data-windows'))).toBeGreaterThan(windowsBefore);
    expect(session.controller!.planStates()[0]).toMatchObject({ phase: 'rolled-back', percent: 0 });
    const audit = await page.textContent('#audit');
    expect(audit).toContain('operator (<img src=x onerror="window.__xss=1">)');
    expect(await page.evaluate(() => (window as unknown as { __xss?: number }).__xss)).toBeUndefined();
    await page.screenshot({ path: join(shots, 'gameday-dashboard.png'), fullPage: true });

    // End the drill from the page: the debrief link appears and the debrief renders.
    await page.click('#end');
    await page.waitForSelector('#debrief a', { timeout: 30_000 });
    expect(await page.getAttribute('body', 'data-status')).toBe('ended');
    const href = await page.getAttribute('#debrief a', 'href');
    const d = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    d.on('request', (r) => {
      if (!r.url().startsWith(server.origin)) external.push(r.url());
    });
    d.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await d.goto(new URL(href!, server.origin).href);
    await d.waitForFunction(() => document.body.dataset.rendered || document.body.dataset.renderError, null, { timeout: 30_000 });
    expect(await d.getAttribute('body', 'data-render-error')).toBeNull();
    const text = await d.textContent('body');
    expect(text).toMatch(/team and the policy|beat/i);
    expect(text).toContain('<img src=x onerror="window.__xss=1">');
    await d.screenshot({ path: join(shots, 'gameday-debrief.png'), fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
    // The drill the page steered, paced by the wall clock, replays to the same result.
    const doc = JSON.parse(debrief!.json);
    const again = DrillSession.replay(session.setup, { actions: doc.actions, adhoc: doc.adhocFaults, endedUs: doc.ended.atUs, endReason: doc.ended.reason });
    expect(JSON.stringify(again.result())).toBe(JSON.stringify(doc.team));
  }, 90_000);
});
