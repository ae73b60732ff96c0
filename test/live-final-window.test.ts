/**
 * A drill a person ends mid-window: the page's last figures are the run's. The simulation's last, partial
 * window is closed when the drill ends, as a run closes it at its end, so the error budget the page shows once
 * the drill has ended is the team's figure in the debrief, and the page's rows cover the same windows as the
 * debrief's charts. Before, the page stopped at the last full window: its budget said 191 failed journeys where
 * the debrief of the same drill said 194 (scenarios/error-spike.yaml, case saturates, ended at 43m00s).
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
let drill: Drill | undefined;

afterAll(async () => {
  await drill?.stop();
});

describe('a drill ended mid-window', () => {
  it('shows at the end the error budget and the windows the debrief reports for the team', async () => {
    const read = readDrillScenario(file, 'broken');
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-final-window-')), 'drill');
    const opened = await Drill.open({ file: read.file, caseName: 'broken', hiddenCase: false, seed: 7, gates: 'off' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: false, out, cadenceMs: 100,
    });
    drill = opened.drill;
    drill.startNow();
    // The broken case hurts journeys from the start (gates off: nobody rolls it back); 7m12.3s is 12.3 s into a 30 s window.
    drill.session.advanceTo(432.3e6);
    drill.endByHand();
    expect(await drill.debriefDone).not.toBeNull();
    const url = new URL(opened.links[0].url);
    const state = (await (await fetch(new URL('api/state', url), { headers: { Authorization: `Bearer ${url.searchParams.get('token')}` } })).json()).state;
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(doc.record.end.atUs).toBeGreaterThan(432e6);
    expect(doc.team.windows.startSeconds.at(-1)).toBe(420);
    expect(doc.budget.team.failed).toBeGreaterThan(0);
    expect(state.meta.status).toBe('ended');
    expect({ failed: state.budget.failed, consumed: state.budget.consumed }).toEqual(doc.budget.team);
    // And the debrief page writes it as the live page does, in the words of every report (format.ts budget()).
    expect(readFileSync(`${out}.html`, 'utf8')).toContain(`Error budget: team ${state.budget.text},`);
    const windows = [...new Set(state.rows.journeys.map((r: { t: number }) => r.t))];
    expect(windows).toEqual(doc.team.windows.startSeconds);
    // The health grid's rates are over the time the last window covers (12.3 s here), not a whole window: the
    // fixture's traffic is 40/s, which a whole window's 30 s would make look like 16/s.
    const web = state.health.find((h: { service: string }) => h.service === 'web');
    expect(web.perSecond).toBeGreaterThan(30);
    expect(web.perSecond).toBeLessThan(55);
  }, 240_000);
});
