/**
 * Reading a drill served by the built command, as a person does: its state over the API, its clock polled until it
 * reaches a simulated instant, a page in chromium ready to act on, and the status line a page action answers on.
 * Every wait is a loaded machine's (minutes at most).
 */
import type { ChildProcess } from 'node:child_process';
import type { Browser, Page } from 'playwright-core';
import { gamedayCtl } from './built-cli.js';
import { launchChromium } from './chromium.js';

export const WAIT = 180_000;

/** The drill's state (GET /api/state) with the link's token. */
export async function drillState<T>(link: string): Promise<T> {
  const u = new URL(link);
  const r = await fetch(new URL('api/state', u), { headers: { Authorization: `Bearer ${u.searchParams.get('token')}` } });
  return ((await r.json()) as { state: T }).state;
}

type Clocked = { meta: { nowSeconds: number; status: string } };

/** Polls the drill until its clock reaches `minutes` or it has ended: its state then. */
export async function drillAt<T extends Clocked>(link: string, minutes: number): Promise<T> {
  const until = Date.now() + WAIT;
  for (;;) {
    const s = await drillState<T>(link);
    if (s.meta.nowSeconds >= minutes * 60 || s.meta.status === 'ended') return s;
    if (Date.now() > until) throw new Error(`the drill did not reach ${minutes}m: ${s.meta.nowSeconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A person's page, once its charts are drawn and it has had an update. */
export async function drillPage(browser: Browser, link: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1300, height: 1000 } });
  const p = await context.newPage();
  await p.goto(link);
  await p.waitForFunction(() => document.body.dataset.charts === 'ready' && Number(document.body.dataset.updates) > 0, null, { timeout: WAIT });
  return p;
}

/** The page's status line for an action it sent, once it says something (then cleared for the next). */
export async function pageSaid(p: Page): Promise<string> {
  await p.waitForFunction(() => document.getElementById('message')!.textContent !== '', null, { timeout: WAIT });
  const m = (await p.textContent('#message'))!;
  await p.evaluate(() => { document.getElementById('message')!.textContent = ''; });
  return m;
}

/**
 * What a test of a served drill needs, bound to its own children and browser: `close` (for afterAll) stops the
 * children still running and closes chromium, which the first page launches.
 */
export function drillKit<T extends Clocked>() {
  const children: ChildProcess[] = [];
  let browser: Promise<Browser> | undefined;
  return {
    children,
    state: (link: string) => drillState<T>(link),
    at: (link: string, minutes: number) => drillAt<T>(link, minutes),
    ctl: (...args: string[]): Promise<string> => gamedayCtl(args, children, WAIT),
    page: async (link: string) => drillPage(await (browser ??= launchChromium()), link),
    said: pageSaid,
    async close(): Promise<void> {
      await (await browser)?.close();
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
    },
  };
}
