/**
 * A double click on the page's buttons sent the action twice: two ad-hoc faults where one was meant (twice the
 * latency, in both runs of the debrief), two notes, and a second start, clock pause or promote recorded as refused,
 * whose refusal became the page's last word on an action that was done. A button now sends once until its answer.
 *
 * What a page says when it gets no answer to an action. The connection dropped after the drill had taken the action
 * (the answer lost on its way back): the page said "TypeError: Failed to fetch", as it did when nothing was sent,
 * so the operator took it for not done, while the Actions table showed it done and pressing again was refused
 * ("has already been paused"). Now the page says it got no answer and that the action may have been recorded, and
 * where to look. And Inject, in a scenario without a faults-catalogue, did nothing and said nothing; it says why.
 * A drill of scenarios/gate-tuning.yaml (no catalogue) in Debian's chromium, through the built command.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { drillKit, WAIT } from './live-drill.js';

const root = new URL('..', import.meta.url).pathname;
type State = { meta: { nowSeconds: number; status: string }; plans: { flag: string; phase: string }[] };
const kit = drillKit<State>();
const { children, ctl, page, said } = kit;
afterAll(() => kit.close());

const NO_ANSWER = 'no answer from the drill (the connection was lost): the action may or may not have been recorded; look for it in Actions once the page says live, before trying again';

let fran: string, ada: string;
let franPage: Page, adaPage: Page;
beforeAll(async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'rehearse-24-')), 'drill');
  const drill = builtCli(['gameday', join(root, 'scenarios', 'gate-tuning.yaml'), '--speed', '2', '--name', 'fran', '--operator', 'ada', '--out', out], children, WAIT);
  fran = (await drill.line(/facilitator fran: (\S+)/))[1];
  ada = (await drill.line(/operator ada: (\S+)/))[1];
  adaPage = await page(ada);
  franPage = await page(fran);
}, WAIT);

const actionRows = (p: Page) => p.$$eval('#actions tbody tr', (trs) => trs.map((tr) => `${tr.children[3].textContent}: ${tr.children[4].textContent}`).toReversed());

describe('a double click on the page', () => {
  it('sends the action once: one start, one ad-hoc fault, one note, one promote, each said done', async () => {
    await franPage.dblclick('#start');
    expect(await said(franPage)).toBe('started the drill: done at 0m00s');
    await adaPage.waitForFunction(() => document.body.dataset.status === 'running', null, { timeout: WAIT });
    await franPage.click('details summary');
    await franPage.fill('#adhoc-target', 'api');
    await franPage.dblclick('#adhoc-inject');
    expect(await said(franPage)).toMatch(/^injected ad-hoc fault ad-hoc 1: latency on api: done at \d+m\d\ds$/);
    await franPage.fill('#note', 'paged the on-call');
    await franPage.dblclick('#note-add');
    expect(await said(franPage)).toMatch(/^note: paged the on-call: done at /);
    await adaPage.dblclick('button[aria-label="Promote new-engine"]');
    expect(await said(adaPage)).toMatch(/^promote new-engine: done at /);
    await adaPage.waitForFunction(() => document.querySelectorAll('#actions tbody tr').length >= 4, null, { timeout: WAIT });
    await new Promise((r) => setTimeout(r, 1000));
    expect(await actionRows(adaPage)).toEqual([
      'started the drill: done', 'injected ad-hoc fault ad-hoc 1: latency on api: done', 'note: paged the on-call: done', 'promote new-engine: done',
    ]);
    expect(await franPage.$$eval('#faults tbody tr', (trs) => trs.length)).toBe(1);
  }, 600_000);
});

describe('a page that gets no answer to an action', () => {
  it('says the action may have been recorded, not a browser error; Inject without a catalogue says why', async () => {
    // The drill takes the pause; its answer is lost on the way back.
    await adaPage.route('**/api/actions', async (r) => {
      await r.fetch();
      await r.abort('connectionreset');
    });
    await adaPage.fill('input[aria-label="reason for acting on new-engine"]', 'p99 up');
    await adaPage.click('button[aria-label="Pause new-engine"]');
    expect(await said(adaPage)).toBe(NO_ANSWER);
    expect((await kit.state(fran)).plans[0].phase).toBe('paused');
    await adaPage.waitForFunction(() => /pause new-engine \(p99 up\)done$/.test(document.querySelector('#actions tbody tr')!.textContent!), null, { timeout: WAIT });
    // Nobody knows yet whether it landed: the reason stays for the person to clear or send again.
    expect(await adaPage.inputValue('input[aria-label="reason for acting on new-engine"]')).toBe('p99 up');

    // Nothing sent at all (the connection refused): the same words.
    await adaPage.unroute('**/api/actions');
    await adaPage.route('**/api/actions', (r) => r.abort('connectionrefused'));
    await adaPage.click('button[aria-label="Resume new-engine"]');
    expect(await said(adaPage)).toBe(NO_ANSWER);
    expect((await kit.state(fran)).plans[0].phase).toBe('paused');

    await franPage.click('#inject');
    expect(await said(franPage)).toBe('the scenario has no faults-catalogue: inject an ad-hoc fault instead (below)');
  }, 600_000);
});

describe('the facilitator\'s speed field', () => {
  it('follows a speed set elsewhere, and keeps what the facilitator typed until it is sent', async () => {
    // It kept the speed it first showed: set to 5 from a terminal, the field still read 2, and Set sent 2 again.
    expect(await franPage.inputValue('#speed-input')).toBe('2');
    await ctl(fran, 'speed', '5');
    await franPage.waitForFunction(() => (document.getElementById('speed-input') as HTMLInputElement).value === '5', null, { timeout: WAIT });
    await franPage.fill('#speed-input', '7');
    await ctl(fran, 'speed', '9');
    await franPage.waitForFunction(() => /^9x asked/.test(document.getElementById('speed')!.textContent!), null, { timeout: WAIT });
    expect(await franPage.inputValue('#speed-input')).toBe('7');
    await franPage.click('#speed-set');
    expect(await said(franPage)).toMatch(/^set the speed to 7x: done at /);
  }, 600_000);
});
