/**
 * The dashboard's faults table in Debian's chromium: faults may share a name (a scenario's two latency faults
 * on one edge, at other times, are both "latency web -> pay"), and each keeps a row of its own with its own
 * instants, as the debrief lists them; a hidden fault between them leaves no row.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const WAIT = 120_000;
let browser: Browser;
let drill: Drill | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, WAIT);

afterAll(async () => {
  await browser?.close();
  await drill?.stop();
});

describe('the dashboard\'s faults', () => {
  it('two faults that share a name keep a row each, with their own instants', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-live-faults-'));
    const file = join(dir, 'drill.yaml');
    const hidden = "  - { kind: latency, target: 'web -> pay', at: 20m, for: 2m, add: 50ms, hidden: true }\n";
    const text = readFileSync(join(import.meta.dirname, 'fixtures', 'drill.yaml'), 'utf8');
    expect(text).toContain(hidden);
    writeFileSync(file, text.replace(hidden, [
      "  - { kind: latency, target: 'web -> pay', at: 1m, for: 1m, add: 50ms }",
      "  - { kind: latency, target: 'web -> pay', at: 2m30s, for: 1m, add: 50ms, hidden: true }",
      "  - { kind: latency, target: 'web -> pay', at: 3m, for: 1m, add: 80ms }",
      '',
    ].join('\n')));
    const read = readDrillScenario(file, null);
    const opened = await Drill.open({ file: read.file, caseName: null, hiddenCase: false, seed: 7, gates: 'off' }, read, null, 60, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: true, out: join(dir, 'drill'),
    });
    drill = opened.drill;
    const page = await (await browser.newContext({ viewport: { width: 1300, height: 1000 } })).newPage();
    await page.goto(opened.links.find((l) => l.role === 'observer')!.url);
    await page.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: WAIT });
    drill.startNow();
    // Both visible faults are over once the page's clock reads 5m (and the hidden one between them too).
    await page.waitForFunction(() => Number(/^(\d+)m/.exec(document.getElementById('clock')!.textContent!)?.[1] ?? 0) >= 5, null, { timeout: WAIT });
    const rows = await page.$$eval('#faults tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
    expect(rows).toEqual([
      ['latency web -> pay (latency) over', 'web -> pay', '+80 ms', '3m00s', '4m00s', ''],
      ['latency web -> pay (latency) over', 'web -> pay', '+50 ms', '1m00s', '2m00s', ''],
    ]);
    await page.context().close();
  }, 240_000);
});
