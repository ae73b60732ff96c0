/**
 * `rehearse gameday --exit-on-end`: the server stops once the debrief is written, so the page must not offer a
 * link to it (it would be a dead link, the server gone); it says where the debrief was written instead, the
 * file paths the terminal prints. Without --exit-on-end the page links to the debrief the server keeps serving
 * (test/live-browser.test.ts follows that link).
 * Run as the command line runs it (gamedayCommand, in process), in Debian's chromium through playwright-core.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { gamedayCommand } from '../src/cli/gameday.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const WAIT = 120_000;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
}, WAIT);

afterAll(async () => {
  await browser?.close();
});

describe('a drill run with --exit-on-end', () => {
  it('says on the page where the debrief was written and offers no link to the stopped server', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-exit-on-end-')), 'drill');
    const lines: string[] = [];
    let linkSeen!: (url: string) => void;
    const link = new Promise<string>((r) => (linkSeen = r));
    const io = {
      out: (s: string) => {
        lines.push(s);
        const m = /^facilitator fran: (\S+)$/.exec(s);
        if (m) linkSeen(m[1]);
      },
      err: (s: string) => lines.push(s),
    };
    const code = gamedayCommand(file, {
      speed: 10, host: '127.0.0.1', port: 0, gates: 'off', name: 'fran', operator: [], scribe: [], start: true, out, exitOnEnd: true, endWhenDone: null, case: 'healthy',
    }, io);
    const url = await link;
    const page = await (await browser.newContext({ viewport: { width: 1300, height: 1000 } })).newPage();
    await page.goto(url);
    await page.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, undefined, { timeout: WAIT });
    const token = new URL(url).searchParams.get('token')!;
    const ended = await fetch(new URL('api/actions', url), { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: '{"type":"end"}' });
    expect(ended.status).toBe(200);
    expect(await code).toBe(0);
    // The terminal printed the files; the server has stopped.
    expect(lines.filter((l) => l.startsWith(`debrief written to ${out}.html and ${out}.json, digest `))).toHaveLength(1);
    await expect(fetch(url)).rejects.toThrow();
    await page.waitForFunction(() => /debrief is written to/.test(document.getElementById('debrief-text')!.textContent ?? ''), undefined, { timeout: WAIT });
    expect(await page.textContent('#debrief-text')).toBe(`The drill has ended and the drill's server has stopped. The debrief is written to ${out}.html and ${out}.json.`);
    expect(await page.isHidden('#debrief-link')).toBe(true);
    // And a screen reader hears the same, not "its link is at the top of the page".
    expect(await page.textContent('#announce')).toBe(`The debrief is written to ${out}.html; the drill's server has stopped.`);
    expect(await page.getByRole('link', { name: /debrief/i }).count()).toBe(0);
  }, 480_000);

  it('once every plan is done, the terminal says the drill ends by itself and how to keep it going, as the page does', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-exit-on-end-')), 'drill');
    const lines: string[] = [];
    const io = { out: (s: string) => lines.push(s), err: (s: string) => lines.push(s) };
    // At 1000x the plans end a good part of a second of wall time before the horizon: at 100000x the whole drill took
    // 18 ms, and the horizon could come in the same step as the last plan's end, before any notice.
    const code = await gamedayCommand(file, {
      speed: 1000, host: '127.0.0.1', port: 0, gates: 'on', name: 'fran', operator: [], scribe: [], start: true, out, exitOnEnd: true, endWhenDone: 1500, case: 'healthy',
    }, io);
    expect(code).toBe(0);
    // 1.5 s of wall time, rounded to whole seconds when the notice is printed: 2 s, or less on a loaded machine.
    const notice = lines.findIndex((l) => /^every plan is done: the drill ends in [0-2] s of wall time unless the facilitator keeps it going \(the page's Keep the drill going, or: rehearse gameday ctl URL keep-going\)$/.test(l));
    const ended = lines.findIndex((l) => l.startsWith('drill ended at '));
    expect(notice, lines.join("\n")).toBeGreaterThan(-1);
    expect(ended).toBeGreaterThan(notice);
  }, 240_000);
});
