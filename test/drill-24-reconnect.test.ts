/**
 * A page left open while its drill is killed (kill -9) and resumed from the journal: the resumed drill answers 503
 * where it will be served while it replays the journal, and a browser gives up for good on an event stream that
 * answers so (EventSource closes). The page then said "disconnected" and "running" at the clock where the drill was
 * killed, for as long as it stayed open; only a reload brought it back. Now the page opens its stream again by itself
 * and shows the resumed drill as it is (the clock stopped where it was resumed), with no action row twice. The
 * replay's 503 is held for a few seconds here with the resume's own holdPort, so that the page meets it every time.
 * A person who opened their link during the replay got its JSON, and had to reload by hand: now a page that says
 * so and loads itself again until the drill is served.
 * A drill of scenarios/gate-tuning.yaml in Debian's chromium, through the built command.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { drillKit, WAIT } from './live-drill.js';
import { holdPort } from '../src/live/replay-slices.js';
import { clock } from '../src/units/format.js';

const root = new URL('..', import.meta.url).pathname;
type State = { meta: { nowSeconds: number; status: string } };
const kit = drillKit<State>();
const { children, at, ctl, page } = kit;
afterAll(() => kit.close());

describe('a page open while its drill is killed and resumed', () => {
  it('reconnects by itself after the replay\'s 503 and shows the resumed drill, paused, each action once', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-24-')), 'drill');
    let drill = builtCli(['gameday', join(root, 'scenarios', 'gate-tuning.yaml'), '--speed', '60', '--name', 'fran', '--operator', 'ada', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];
    const adaPage = await page(ada);
    await ctl(fran, 'start');
    await ctl(ada, 'note', 'before the crash');
    await at(fran, 3);
    drill.child.kill('SIGKILL');
    await drill.exited;

    // Said once to a screen reader (the status region for the drill's course), not only shown.
    await adaPage.waitForFunction(() => document.body.dataset.connection === 'disconnected', null, { timeout: WAIT });
    expect(await adaPage.textContent('#announce')).toBe('The connection to the drill is lost: the figures are as of the last update, and the page reconnects by itself.');

    // What the resume answers while it replays: the page's stream meets it and the browser closes it (readyState 2).
    const port = Number(new URL(fran).port);
    const release = await holdPort('127.0.0.1', port);
    await adaPage.waitForFunction(() => (window as unknown as { drillEvents: EventSource }).drillEvents.readyState === 2, null, { timeout: WAIT });
    // Someone opens their link meanwhile: the replay's words, in a page that loads itself again (it was the JSON).
    const late = await adaPage.context().browser()!.newPage();
    await late.goto(fran);
    expect(await late.textContent('body')).toBe('The drill is being replayed from its journal to where it stopped: it answers once it is served again (its terminal says how far the replay is).This page loads itself again every 3 seconds until then.');
    await release();
    drill = builtCli(['gameday', 'resume', `${out}.journal`], children, WAIT);
    const resumedAt = (await drill.line(/resumed from .* at (\S+) simulated/))[1];
    await drill.line(/facilitator fran: (\S+)/);

    await adaPage.waitForFunction(() => document.body.dataset.connection === 'live' && document.body.dataset.status === 'paused', null, { timeout: WAIT });
    expect(await adaPage.textContent('#clock')).toBe(`${resumedAt} of 25m00s simulated`);
    expect(await adaPage.textContent('#announce')).toMatch(/^(Connected to the drill again\.|The clock is paused\.)$/);
    expect(clock((await kit.state(ada)).meta.nowSeconds)).toBe(resumedAt);
    // The late page loaded itself again once the drill was served: the dashboard, live. It may be loading itself at the
    // instant it is read (no body yet): read again then.
    await late.waitForFunction(() => document.body?.dataset.connection === 'live' && document.body.dataset.status === 'paused', null, { timeout: WAIT });
    const rows = await adaPage.$$eval('#actions tbody tr', (trs) => trs.map((tr) => tr.children[3].textContent));
    expect(rows.toReversed()).toEqual(['started the drill', 'note: before the crash']);
  }, 600_000);
});
