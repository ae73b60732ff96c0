/**
 * The game-day dashboard by keyboard and as a screen reader reads it, in Debian's chromium through
 * playwright-core: every control people act with has a name of its own (a plan's buttons name the plan, so that
 * five "Pause" buttons in a row of plans are told apart), and an operator can pause, resume and roll back a plan
 * with the keyboard alone: Tab to the reason, type it, Tab to the button, Enter; Roll back asks in a dialog that
 * takes the focus, Escape cancels it and gives the focus back to the button. The drill's course (started, every
 * plan done, ended, the debrief ready) is said once per change in a status region.
 * Names are read from chromium's accessibility tree (playwright's getByRole), as assistive technology reads them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { Drill, type Link } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const WAIT = 120_000;

let browser: Browser;
let drill: Drill;
let links: Link[];
/** Errors thrown in any page (a control that throws does nothing a person can see). */
const errors: string[] = [];

beforeAll(async () => {
  browser = await launchChromium();
  const read = readDrillScenario(file, 'healthy');
  const opened = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'off' }, read, null, 10, {
    host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'], observers: false,
    out: join(mkdtempSync(join(tmpdir(), 'rehearse-a11y-')), 'drill'),
  });
  drill = opened.drill;
  links = opened.links;
}, WAIT);

afterAll(async () => {
  await browser?.close();
  await drill?.stop();
});

async function person(name: string): Promise<Page> {
  const link = links.find((l) => l.name === name)!;
  const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${name}: ${String(e)}`));
  await page.goto(link.url);
  await page.waitForFunction((role) => document.body.dataset.role === role && document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0,
    link.role, { timeout: WAIT });
  return page;
}

/** What has the focus, as a screen reader would name it. */
const focused = (p: Page) => p.evaluate(() => {
  const e = document.activeElement as HTMLElement | null;
  return e ? `${e.tagName.toLowerCase()} ${e.getAttribute('aria-label') ?? e.textContent?.trim() ?? ''}` : '';
});

/** Presses Tab until `want` has the focus (at most 60 times), as a person finds a control without a mouse. */
async function tabTo(p: Page, want: string) {
  for (let i = 0; i < 60; i++) {
    if ((await focused(p)) === want) return;
    await p.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached "${want}"; the focus is on "${await focused(p)}"`);
}

const mine = () => drill.session.actions.filter((a) => a.by === 'ada');

describe('the game-day dashboard by keyboard and screen reader', () => {
  it('names every control people act with; a plan\'s buttons and its row say which plan', async () => {
    const fran = await person('fran');
    const ada = await person('ada');
    for (const [role, name] of [
      ['button', 'Start the drill'], ['button', 'Pause clock'], ['spinbutton', 'Speed'], ['button', 'End drill…'],
      ['textbox', 'Invite'], ['combobox', 'their role'], ['textbox', 'their link'], ['combobox', 'From the catalogue'],
      ['combobox', 'service shown in this chart and the p99 chart'], ['textbox', 'note for the record'], ['button', 'Add note'],
    ] as const) {
      expect(await fran.getByRole(role, { name, exact: true }).count(), `${role} "${name}"`).toBe(1);
    }
    for (const page of [fran, ada]) {
      await page.waitForSelector('#plans tr[data-flag="new-pay"]', { timeout: WAIT });
      expect(await page.getByRole('rowheader', { name: 'new-pay', exact: true }).count()).toBe(1);
      expect(await page.getByRole('textbox', { name: 'reason for acting on new-pay', exact: true }).count()).toBe(1);
      for (const name of ['Promote new-pay', 'Pause new-pay', 'Resume new-pay', 'Approve new-pay', 'Roll back new-pay…']) {
        expect(await page.getByRole('button', { name, exact: true }).count(), name).toBe(1);
      }
      // No control on the page is left without a name.
      const unnamed = await page.evaluate(() => [...document.querySelectorAll('button, input, select, textarea')]
        .filter((e) => (e as HTMLElement).offsetParent !== null)
        .filter((e) => !(e.getAttribute('aria-label') || (e as HTMLInputElement).labels?.length || (e.tagName === 'BUTTON' && e.textContent!.trim())))
        .map((e) => e.outerHTML.slice(0, 80)));
      expect(unnamed).toEqual([]);
    }
    expect(errors).toEqual([]);
    for (const p of [fran, ada]) await p.context().close();
  }, 240_000);

  it('an operator pauses, resumes and rolls back with the keyboard alone; the dialog takes the focus and Escape gives it back', async () => {
    const fran = await person('fran');
    const ada = await person('ada');
    // What the status region for the drill's course says, each time it changes.
    await ada.evaluate(() => {
      const said: string[] = (window as unknown as { said: string[] }).said = [];
      const el = document.getElementById('announce')!;
      new MutationObserver(() => said.push(el.textContent!)).observe(el, { childList: true, characterData: true, subtree: true });
    });
    // The facilitator starts the drill from the keyboard.
    await tabTo(fran, 'button Start the drill');
    await fran.keyboard.press('Enter');
    await ada.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')?.textContent ?? ''), null, { timeout: WAIT });
    const before = mine().length;
    // A reason typed for an action that is refused (the plan is not paused) is recorded with that action only:
    // the field is cleared, and the next action does not carry it.
    await tabTo(ada, 'input reason for acting on new-pay');
    await ada.keyboard.type('back to normal');
    await tabTo(ada, 'button Resume new-pay');
    await ada.keyboard.press('Enter');
    await ada.waitForFunction(() => /not paused/.test(document.getElementById('message')!.textContent!), null, { timeout: WAIT });
    expect(mine().slice(before).map((a) => [a.action, a.refused])).toEqual([[{ type: 'plan', flag: 'new-pay', op: 'resume', reason: 'back to normal' }, 'new-pay is not paused']]);
    await ada.waitForFunction(() => (document.querySelector('#plans tr[data-flag="new-pay"] input.reason') as HTMLInputElement).value === '', null, { timeout: WAIT });
    await tabTo(ada, 'input reason for acting on new-pay');
    await ada.keyboard.type('checking the pay dashboards');
    await tabTo(ada, 'button Pause new-pay');
    await ada.keyboard.press('Enter');
    await ada.waitForFunction(() => /paused/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')!.textContent!), null, { timeout: WAIT });
    expect(mine().slice(before + 1).map((a) => [a.action, a.refused])).toEqual([[{ type: 'plan', flag: 'new-pay', op: 'pause', reason: 'checking the pay dashboards' }, null]]);
    // What was done is said in the status line a screen reader announces, not only when.
    await ada.waitForFunction(() => /^pause new-pay \(checking the pay dashboards\): done at /.test(document.getElementById('message')!.textContent!), null, { timeout: WAIT });
    expect(await ada.getAttribute('#message', 'role')).toBe('status');
    await tabTo(ada, 'button Resume new-pay');
    await ada.keyboard.press('Enter');
    await ada.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')!.textContent!), null, { timeout: WAIT });
    // Roll back: the dialog opens with the focus on Cancel, named by its question.
    await tabTo(ada, 'button Roll back new-pay…');
    await ada.keyboard.press('Enter');
    await ada.waitForSelector('#confirm[open]', { timeout: WAIT });
    expect(await focused(ada)).toBe('button Cancel');
    expect(await ada.getByRole('dialog', { name: 'Roll back new-pay to 0%? (no reason given)', exact: true }).count()).toBe(1);
    await ada.keyboard.press('Escape');
    await ada.waitForFunction(() => !(document.getElementById('confirm') as HTMLDialogElement).open, null, { timeout: WAIT });
    expect(await focused(ada)).toBe('button Roll back new-pay…');
    expect(mine().length).toBe(before + 3);
    await ada.keyboard.press('Enter');
    await ada.waitForSelector('#confirm[open]', { timeout: WAIT });
    await ada.keyboard.press('Tab');
    expect(await focused(ada)).toBe('button Confirm');
    await ada.keyboard.press('Enter');
    await ada.waitForFunction(() => /rolled-back/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')!.textContent!), null, { timeout: WAIT });
    expect(mine().slice(before).map((a) => a.action.type === 'plan' ? a.action.op : a.action.type)).toEqual(['resume', 'pause', 'resume', 'rollback']);
    // Promote sends the configuration version the page shows, so that a promote someone made first refuses this
    // one rather than move the plan two stages.
    const shownVersion = Number((await ada.textContent('#plans tr[data-flag="new-pay"] .config'))!.slice(1));
    await tabTo(ada, 'button Promote new-pay');
    await ada.keyboard.press('Enter');
    await ada.waitForFunction(() => /holding/.test(document.querySelector('#plans tr[data-flag="new-pay"] .phase')!.textContent!), null, { timeout: WAIT });
    expect(mine().at(-1)).toMatchObject({ action: { type: 'plan', flag: 'new-pay', op: 'promote', version: shownVersion }, refused: null });
    // The facilitator ends the drill from the keyboard; everyone's screen reader hears that it ended, then that
    // the debrief is ready, once each (the banners themselves change four times a second and are not read out).
    await tabTo(fran, 'button End drill…');
    await fran.keyboard.press('Enter');
    await fran.waitForSelector('#confirm[open]', { timeout: WAIT });
    await fran.keyboard.press('Tab');
    await fran.keyboard.press('Enter');
    await ada.waitForFunction(() => /debrief is ready/.test(document.getElementById('announce')!.textContent!), null, { timeout: WAIT });
    expect(await ada.getAttribute('#announce', 'role')).toBe('status');
    expect(await ada.evaluate(() => (window as unknown as { said: string[] }).said)).toEqual([
      'The drill is running.',
      'The drill has ended (by hand). The debrief is being written.',
      'The debrief is ready: its link is at the top of the page.',
    ]);
    expect(errors).toEqual([]);
    for (const p of [fran, ada]) await p.context().close();
  }, 300_000);
});
