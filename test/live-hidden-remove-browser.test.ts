/**
 * The facilitator removes a hidden fault from their page, in Debian's chromium through playwright-core, while an
 * operator's page is open beside it: the facilitator's Faults table has a row for each hidden fault they may remove,
 * marked hidden, with a Remove… named for it that asks first; the status line says what was done, the row goes and
 * the focus it held moves to the table. The operator's page never shows one: not in its table, nor in any byte it
 * receives (every response and every event read through the DevTools protocol). While on, the hidden faults are
 * shaded on the facilitator's charts apart from visible ones and counted on the health card of their service, on
 * the facilitator's page alone.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { Drill } from '../src/live/drill.js';
import { drawCase, newSecret } from '../src/live/hidden.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill-hidden.yaml');
const WAIT = 180_000;
const drills: Drill[] = [];
const browser = launchChromium();

afterAll(async () => {
  await (await browser).close();
  for (const d of drills) await d.stop();
});

/** Every response body, header and event a page receives, as text. */
async function capture(page: Page, into: string[]) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  cdp.on('Network.eventSourceMessageReceived', (e) => into.push(`${e.eventName}\n${e.eventId}\n${e.data}`));
  cdp.on('Network.responseReceived', (e) => into.push(JSON.stringify(e.response.headers)));
  cdp.on('Network.loadingFinished', (e) => {
    cdp.send('Network.getResponseBody', { requestId: e.requestId })
      .then((b) => into.push(b.base64Encoded ? Buffer.from(b.body, 'base64').toString('utf8') : b.body), () => {});
  });
}

describe('a hidden fault on the facilitator\'s page', () => {
  it('is removed from there, asked first and said; the operator\'s page never shows it, in its table or its bytes', async () => {
    const secret = newSecret();
    const caseName = drawCase(readDrillScenario(file, null).base.cases, secret);
    const read = readDrillScenario(file, caseName);
    const { drill, links } = await Drill.open({ file: read.file, caseName, hiddenCase: true, seed: 7, gates: 'advisory' }, read, secret, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'], out: join(mkdtempSync(join(tmpdir(), 'rehearse-hidden-remove-')), 'drill'),
    });
    drills.push(drill);
    const problems: string[] = [];
    const received: Record<string, string[]> = { fran: [], ada: [] };
    const pages: Record<string, Page> = {};
    for (const l of links) {
      const context = await (await browser).newContext({ viewport: { width: 1300, height: 1000 } });
      const page = await context.newPage();
      await capture(page, received[l.name]);
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${l.name}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`${l.name}: ${e}`));
      await page.goto(l.url);
      await page.waitForFunction(() => Number(document.body.dataset.updates) > 0, null, { timeout: WAIT });
      pages[l.name] = page;
    }
    const { fran, ada } = pages;
    const url = new URL(links[0].url);
    const post = (body: unknown) => fetch(new URL('/api/actions', url.origin), {
      method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${url.searchParams.get('token')}`, 'Content-Type': 'application/json' },
    });
    await fran.click('#start');
    await fran.waitForFunction(() => document.body.dataset.status === 'running', null, { timeout: WAIT });
    // The clock stands still but for the test's step: the instants the page says are exact.
    expect((await post({ type: 'clock', op: 'pause' })).status).toBe(200);
    drill.session.advanceTo(60e6);
    // Injected from the terminal (gameday ctl): two hidden faults and a visible one.
    for (const body of [
      { type: 'fault', name: 'quiet-drag' },
      { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '25ms', for: '5m', hidden: true } },
      { type: 'adhoc-fault', fault: { kind: 'abort', target: 'web', percent: '1%', for: '5m' } },
    ]) expect((await post(body)).status).toBe(200);
    drill.session.advanceTo(90e6);

    const row = fran.locator('tr[data-hidden-fault="hidden ad-hoc 1"]');
    await row.waitFor({ timeout: WAIT });
    await fran.locator('tr[data-fault="ad-hoc 1"]').waitFor({ timeout: WAIT });
    const cells = await fran.locator('#faults tbody tr').evaluateAll((rows) => rows.map((r) => [...r.querySelectorAll('td')].map((td) => td.textContent)));
    expect(cells.sort((a, b) => a[0]!.localeCompare(b[0]!))).toEqual([
      ['ad-hoc 1 (abort) active', 'web', '503 on 1% of calls', '1m00s', '6m00s', 'Remove…'],
      ['hidden ad-hoc 1 (latency) active, hidden: only facilitators see it', 'pay', '+25 ms', '1m00s', '6m00s', 'Remove…'],
      ['quiet-drag (latency) active, hidden: only facilitators see it', 'pay', '+30 ms', '1m00s', '2m00s', 'Remove…'],
    ]);
    // Shaded on the facilitator's three charts with fault windows, apart from the visible one and named hidden in
    // the legend; counted on the health card of the service they are on, as screen readers read it.
    type Views = Record<string, { data(name: string): { name: string; from: number; to: number }[] }>;
    const shaded = (page: Page) => page.evaluate(() => ['journeys', 'errors', 'p99'].map((k) => {
      const v = (window as unknown as { drillViews: Views }).drillViews[k];
      return { visible: v.data('faults').map((r) => r.name), hidden: v.data('hiddenFaults').map((r) => [r.name, r.from, r.to]) };
    }));
    // Each chart draws its windows to the clock on its own update: wait until all three have reached it (90 s).
    await fran.waitForFunction(() => ['journeys', 'errors', 'p99'].every((k) => {
      const rows = (window as unknown as { drillViews: Views }).drillViews[k]?.data('hiddenFaults') ?? [];
      return rows.length === 2 && rows.every((r) => r.to === 90);
    }), null, { timeout: WAIT });
    expect(await shaded(fran)).toEqual(Array(3).fill({
      visible: ['ad-hoc 1 (503 on 1% of calls)'], hidden: [['quiet-drag (+30 ms)', 60, 90], ['hidden ad-hoc 1 (+25 ms)', 60, 90]],
    }));
    expect(await fran.locator('#health').ariaSnapshot()).toMatch(/pay[^]*2 hidden fault\(s\): only facilitators see it/);
    expect(await fran.locator('#health [data-service="web"]').innerText()).not.toContain('hidden');
    expect(await fran.getByText('a hidden fault active (only facilitators see it)').first().isVisible()).toBe(true);

    // By keyboard, as the visible faults' Remove…: focused by its name, pressed with Enter, asked in a dialog.
    await fran.getByRole('button', { name: 'Remove hidden fault hidden ad-hoc 1' }).focus();
    await fran.keyboard.press('Enter');
    expect(await fran.locator('#confirm').evaluate((d: HTMLDialogElement) => d.open)).toBe(true);
    expect(await fran.textContent('#confirm-text')).toBe('Remove hidden fault hidden ad-hoc 1 now? It switches off (or never switches on), and cannot be injected again under this name.');
    await fran.click('#confirm-ok');
    await fran.waitForFunction(() => document.getElementById('message')!.textContent !== '', null, { timeout: WAIT });
    expect(await fran.textContent('#message')).toBe('removed fault hidden ad-hoc 1: done at 1m30s');
    expect(await fran.getAttribute('#message', 'role')).toBe('status');
    await row.waitFor({ state: 'detached', timeout: WAIT });
    expect(await fran.evaluate(() => document.activeElement?.id)).toBe('faults');
    expect(await fran.locator('tr[data-hidden-fault]').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-hidden-fault')))).toEqual(['quiet-drag']);
    const removal = drill.session.actions.at(-1)!;
    expect([removal.by, removal.role, removal.atUs, removal.refused, removal.action]).toEqual(['fran', 'facilitator', 90e6, null, { type: 'remove-fault', name: 'hidden ad-hoc 1' }]);

    // The operator's page: the visible fault, and nothing of the hidden ones, drawn or received.
    await ada.waitForFunction(() => document.querySelector('tr[data-fault="ad-hoc 1"]'), null, { timeout: WAIT });
    const updates = Number(await ada.getAttribute('body', 'data-updates'));
    await ada.waitForFunction((n) => Number(document.body.dataset.updates) > n + 4, updates, { timeout: WAIT });
    expect(await ada.locator('tr[data-hidden-fault]').count()).toBe(0);
    const shown = await ada.evaluate(() => document.body.innerText);
    const seen = received.ada.join('\n');
    expect(seen).toMatch(/ad-hoc 1/); // the capture sees the stream: the visible ad-hoc fault is there
    for (const s of ['quiet-drag', 'hidden ad-hoc', caseName!, secret]) {
      expect(shown, s).not.toContain(s);
      expect(seen, s).not.toContain(s);
    }
    expect(shown).not.toContain('only facilitators see it');
    // Nothing shaded as hidden on its charts, nothing counted on its cards, nothing of them for its screen reader.
    expect(await shaded(ada)).toEqual(Array(3).fill({ visible: ['ad-hoc 1 (503 on 1% of calls)'], hidden: [] }));
    expect(await ada.locator('#health .hidden-fault').count()).toBe(0);
    expect(await ada.locator('body').ariaSnapshot()).not.toMatch(/hidden fault/);
    // The facilitator's page shades the one still on to the clock, and keeps the one removed, to its removal.
    await fran.waitForFunction(() => ['journeys', 'errors', 'p99'].every((k) => {
      const rows = (window as unknown as { drillViews: Views }).drillViews[k].data('hiddenFaults');
      return rows.length === 2 && rows.every((r) => r.to === 90);
    }), null, { timeout: WAIT });
    expect((await shaded(fran))[0].hidden).toEqual([['quiet-drag (+30 ms)', 60, 90], ['hidden ad-hoc 1 (+25 ms)', 60, 90]]);
    // Once quiet-drag has run out (at 2m00s), its span stays, to its end, as a visible fault's does; the operator's
    // charts still shade nothing hidden.
    drill.session.advanceTo(150e6);
    await fran.waitForFunction(() => ['journeys', 'errors', 'p99'].every((k) => {
      const rows = (window as unknown as { drillViews: Views }).drillViews[k].data('hiddenFaults');
      return rows.length === 2 && rows[0].to === 120;
    }), null, { timeout: WAIT });
    expect(await shaded(fran)).toEqual(Array(3).fill({
      visible: ['ad-hoc 1 (503 on 1% of calls)'], hidden: [['quiet-drag (+30 ms)', 60, 120], ['hidden ad-hoc 1 (+25 ms)', 60, 90]],
    }));
    await ada.waitForFunction((n) => Number(document.body.dataset.updates) > n + 4, Number(await ada.getAttribute('body', 'data-updates')), { timeout: WAIT });
    expect(await shaded(ada)).toEqual(Array(3).fill({ visible: ['ad-hoc 1 (503 on 1% of calls)'], hidden: [] }));
    // Its script knows the field (it is one script for every page); no event or state it was sent has it.
    const sent = received.ada.filter((x) => x.startsWith('update\n') || x.startsWith('{"you"'));
    expect(sent.length).toBeGreaterThan(5);
    for (const x of sent) for (const field of ['hiddenFaults', 'hiddenSpans', 'quiet-drag']) expect(x).not.toContain(field);
    // The facilitator's bytes hold the hidden faults, and the case no more than the operator's.
    expect(received.fran.join('\n')).toContain('"hiddenFaults":[{"name":"quiet-drag"');
    expect(received.fran.join('\n')).not.toContain(caseName!);
    expect(problems).toEqual([]);
  }, 480_000);
});
