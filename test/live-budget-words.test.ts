/**
 * An error budget far past exhaustion reads plainly and the same everywhere: "exhausted (52.6x the budget)" on
 * the game-day page (as chromium shows it), in the debrief (its HTML, in chromium too), and in the run reports'
 * words (src/units/format.ts budget(), which the terminal, Markdown, CI and HTML reports take). Before, the page
 * and the debrief wrote a share (5260.42% here, 12999% for a budget 130 times spent) that reads like an error or
 * an overflow, while the run reports wrote "52.6x the budget" and CI's regressions a percentage again.
 *
 * test/fixtures/drill.yaml, case healthy, gates off: the catalogue's pay-down fault fails half of the calls to pay
 * for 3 minutes at 40 journeys a second, some 3,600 failed journeys against the 72 the SLO allows over 30 minutes
 * (99.9% availability): about 50 times the budget.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';
import { budget, clock, count } from '../src/units/format.js';
import { sharedChromium } from './chromium.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const browser = sharedChromium();
let drill: Drill | undefined;

afterAll(async () => {
  await drill?.stop();
});

describe('an error budget far past exhaustion', () => {
  it('reads "exhausted (Nx the budget)" on the page and in the debrief, as in the run reports', async () => {
    const read = readDrillScenario(file, 'healthy');
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-budget-words-')), 'drill');
    const opened = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'off' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: false, out, cadenceMs: 100,
    });
    drill = opened.drill;
    const d = drill;
    const fran = opened.links[0];
    d.startNow();
    d.session.advanceTo(60e6);
    expect(d.act({ type: 'fault', name: 'pay-down' }, d.roster.list().find((p) => p.role === 'facilitator')!).refused).toBeNull();
    d.session.advanceTo(5 * 60e6);
    d.feed.produce(Date.now());

    const page = await (await browser().newContext({ viewport: { width: 1300, height: 1000 } })).newPage();
    await page.goto(fran.url);
    await page.waitForFunction(() => Number(document.body.dataset.updates) > 0 && /x the budget/.test(document.getElementById('budget')?.textContent ?? ''), null, { timeout: 120_000 });
    const shown = await page.textContent('#budget');
    const line = (await page.textContent('p:has(#budget)'))!.replace(/\s+/g, ' ').trim();
    expect(shown).toMatch(/^exhausted \(\d{2}(\.\d)?x the budget\)$/);
    expect(line).toMatch(/^Error budget: exhausted \(\d{2}(\.\d)?x the budget\) \(\d[\d,]* failed journeys of the 72 the SLO allows over the whole horizon\)$/);
    expect(line).not.toMatch(/\d{3,}(\.\d+)?%/);

    d.endByHand();
    expect(await d.debriefDone).not.toBeNull();
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const team = doc.budget.team.consumed as number;
    expect(team).toBeGreaterThan(30);
    const debrief = await (await browser().newContext()).newPage();
    await debrief.goto(pathToFileURL(`${out}.html`).href);
    const summary = (await debrief.textContent('div.summary p'))!.replace(/\s+/g, ' ').trim();
    // The same words as the page and the reports, for both sides: the team's and the policy's (gates off, both spent it).
    expect(summary).toBe(`Error budget: team ${budget(team)}, policy alone ${budget(doc.budget.policy.consumed)} (failed journeys ${count(doc.budget.team.failed)} and ${count(doc.budget.policy.failed)}, of the ${count(doc.budget.allowed)} the SLO allows over the whole horizon); the drill ended at ${clock(doc.record.end.atUs / 1e6)}, before its horizon, and both runs end there: over the time it ran, as rehearse run reports each run (error_budget_burned: the failure rate over the rate the SLO allows), team ${budget(doc.team.outcomes.error_budget_burned)}, policy alone ${budget(doc.policy.outcomes.error_budget_burned)}.`);
    // Both runs' own figures are over the same span: the policy's run is cut where the drill ended.
    expect(doc.policy.simulated.seconds).toBe(doc.team.simulated.seconds);
    expect(doc.team.outcomes.error_budget_burned).toBeGreaterThan(team);
    expect(summary).toMatch(/^Error budget: team exhausted \(\d{2}(\.\d)?x the budget\), policy alone /);
    // The page's last figure is the debrief's.
    await page.waitForFunction(() => document.body.dataset.status === 'ended', null, { timeout: 120_000 });
    await page.waitForFunction((text) => document.getElementById('budget')?.textContent === text, budget(team), { timeout: 120_000 });
  }, 480_000);
});
