/**
 * Two operators acting at once on one plan: bob pauses it as ada presses Promote. A pause publishes no new
 * configuration version, so the version ada's promote carried still matched, and her promote took the plan on
 * to its next stage past a pause she never saw (a drill of test/fixtures/drill.yaml went from paused at 50% to
 * 100% so). The page and `gameday ctl promote` now send the plan's phase as they saw it, and the drill refuses a
 * promote of a plan paused since, with where it is; a promote sent after seeing the pause goes on as before.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { Drill, type Link } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';
import { launchChromium } from './chromium.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
let drill: Drill;
let links: Link[];
let browser: Browser | undefined;
const url = (name: string) => links.find((l) => l.name === name)!.url;
const token = (name: string) => new URL(url(name)).searchParams.get('token')!;

beforeAll(async () => {
  const read = readDrillScenario(file, 'healthy');
  ({ drill, links } = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 1, {
    host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada', 'bob'], observers: false,
    out: join(mkdtempSync(join(tmpdir(), 'rehearse-conflicts-')), 'drill'), cadenceMs: 100,
  }));
  drill.startNow();
  // The first stage under way (10%, holding), at a pace slow enough that nothing moves by itself meanwhile.
  while (drill.session.controller!.planStates()[0].stage < 0) await new Promise((r) => setTimeout(r, 50));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await drill?.stop();
});

async function post(name: string, body: unknown) {
  const r = await fetch(`${drill.server.url}api/actions`, { method: 'POST', headers: { authorization: `Bearer ${token(name)}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: (await r.json()) as { refused?: string | null; error?: string } };
}

const plan = () => drill.session.controller!.planStates()[0];
const recorded = () => readFileSync(drill.journal.path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { kind: string; by?: string; action?: Record<string, unknown>; refused?: string | null });

describe('a promote sent as someone pauses the plan', () => {
  it('is refused with where the plan is, and a promote sent after seeing the pause goes on', async () => {
    const seen = { version: plan().version, phase: plan().phase };
    expect(seen.phase).toBe('holding');
    expect((await post('bob', { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'errors up on pay' })).status).toBe(200);
    const ada = await post('ada', { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'dashboards calm', ...seen });
    expect(ada).toEqual({ status: 409, body: expect.objectContaining({
      refused: `new-pay has been paused since you saw it (holding): it is paused at stage 1 of 3 (10%), config v${seen.version}; promote again to go on from there`,
    }) });
    expect(plan()).toMatchObject({ phase: 'paused', stage: 0 });
    // Recorded as refused, as the drill answered it.
    expect(recorded().filter((e) => e.kind === 'action' && e.by === 'ada').map((e) => e.refused)).toEqual([ada.body.refused]);

    // `gameday ctl promote` reads the plan just before it sends: it saw the pause, and its promote goes on.
    const out: string[] = [];
    const err: string[] = [];
    expect(await ctlMain(['ctl', url('ada'), 'promote', 'new-pay', '--reason', 'bob agrees'], { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(0);
    expect(err).toEqual([]);
    expect(plan()).toMatchObject({ phase: 'holding', stage: 1 });
    expect(recorded().filter((e) => e.kind === 'action' && e.by === 'ada').at(-1)!.action).toMatchObject({ op: 'promote', phase: 'paused', version: seen.version });
  }, 120_000);

  it('from the page: a promote held up in transit while bob pauses is refused, and the page says why', async () => {
    // Stage 2 waits for an approval (the fixture's); bob's pause lands while ada's press is on its way.
    expect(plan().phase).toMatch(/holding|approval/);
    browser = await launchChromium();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url('ada'));
    await page.waitForFunction(() => Number(document.body.dataset.updates) > 0 && document.querySelector('#plans tbody tr') !== null, null, { timeout: 120_000 });
    let sent: Record<string, unknown> | null = null;
    await page.route('**/api/actions**', async (route) => {
      sent = JSON.parse(route.request().postData() ?? 'null') as Record<string, unknown>;
      expect((await post('bob', { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'pay p99 up' })).status).toBe(200);
      await route.continue();
    });
    const before = plan();
    await page.getByRole('button', { name: 'Promote new-pay', exact: true }).click();
    await page.waitForFunction(() => /has been paused since you saw it/.test(document.getElementById('message')!.textContent!), null, { timeout: 120_000 });
    expect(sent).toMatchObject({ type: 'plan', flag: 'new-pay', op: 'promote', version: before.version, phase: before.phase });
    expect(await page.textContent('#message')).toBe(`new-pay has been paused since you saw it (${before.phase}): it is paused at stage 2 of 3 (50%), config v${before.version}; promote again to go on from there`);
    expect(plan()).toMatchObject({ phase: 'paused', stage: 1 });
    expect(problems).toEqual([]);
  }, 180_000);
});
