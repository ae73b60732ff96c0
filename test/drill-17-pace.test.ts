/**
 * The pace after the facilitator changes the speed: a drill asked for more than the simulation can do falls
 * behind the wall clock, and once slowed down to a speed it keeps up with it is on pace. The line that says how
 * far behind it is judges the speed asked now, from the change on: the minutes lost at the old speed read as if
 * the drill were still losing them (the page and `gameday ctl status` said "12m00s simulated behind the wall
 * clock" for a drill that had kept pace for ten minutes since it was slowed down).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Drill } from '../src/live/drill.js';
import { DrillSession, readDrillScenario, type DrillSetup } from '../src/live/session.js';
import { PacedDriver } from '../src/live/driver.js';
import { stateLines, type StateAnswer } from '../src/cli/gameday-ctl.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

function session(): DrillSession {
  const setup: DrillSetup = { file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' };
  return new DrillSession(setup, readDrillScenario(file, setup.caseName).scenario);
}

describe('the pace is judged from the last speed change on', () => {
  it('a drill slowed down to a speed it keeps up with is not behind; time lost after the change is counted again', () => {
    const s = session();
    // A fake wall clock: each reading costs `cost` ms, so a tick runs out of its 15 ms budget after a few slices
    // (a simulation slower than the speed asked); with cost 0 it keeps up with anything.
    let wall = 0;
    let cost = 0;
    const d = new PacedDriver(s, { speed: 3000, now: () => (wall += cost) });
    d.start();
    d.stop(); // ticks by hand
    s.act({ type: 'start' }, { name: 'fran', role: 'facilitator' }, 'w');
    d.started();
    cost = 4;
    for (let i = 0; i < 20; i++) {
      wall += 25;
      d.tick();
      d.stop();
    }
    // Asked for 3000x, it could not keep up: well behind the wall clock, though never further than the horizon (wall
    // time x speed cannot put the clock past the drill's end; it read "2h31m57s behind" in a 2h drill).
    cost = 0;
    expect(d.lagUs).toBeGreaterThan(60e6);
    expect(d.lagUs).toBeGreaterThan(s.horizonUs - s.nowUs);
    expect(d.lostUs + d.behindUs).toBe(s.horizonUs - s.nowUs);
    const slowedAt = s.nowUs;
    d.setSpeed(2);
    cost = 0;
    for (let i = 0; i < 40; i++) {
      wall += 25;
      d.tick();
      d.stop();
    }
    // At 2x it kept up for a wall second: nothing lost at this speed, nothing behind now.
    expect(d.lagUs).toBe(0);
    expect(d.lostUs).toBe(0);
    expect(d.behindUs).toBe(0);
    expect(s.nowUs - slowedAt).toBe(2e6);
    expect(d.paceFromUs).toBe(slowedAt);
    // Asked for more again, and slower again: what it loses from this change on is counted.
    d.setSpeed(3000);
    cost = 4;
    for (let i = 0; i < 5; i++) {
      wall += 25;
      d.tick();
      d.stop();
    }
    expect(d.lagUs).toBeGreaterThan(0);
    expect(d.paceFromUs).toBeGreaterThan(slowedAt);
  });

  it('gameday ctl status says from when the pace is judged', () => {
    const answer = (meta: Partial<StateAnswer['state']['meta']>): StateAnswer => ({
      you: { name: 'fran', role: 'facilitator' }, next: 'x',
      state: { reset: false, meta: { name: 'shop', nowSeconds: 1500, horizonSeconds: 7200, speed: 60, status: 'running', achievedSpeed: 41.5, ...meta }, plans: [], actions: [], audit: [] },
    });
    const url = new URL('http://127.0.0.1:9/?token=t');
    expect(stateLines(answer({ behindSeconds: 4, lostSeconds: 86, paceSinceSeconds: 850 }), url)[0])
      .toBe('shop: 25m00s of 2h00m00s, running at 60x asked, 41.5x achieved, 1m30s simulated behind the wall clock since the speed was set at 14m10s (you: fran, facilitator)');
    // Never changed (or set in the lobby, before the clock ran): behind since the start, as before.
    expect(stateLines(answer({ behindSeconds: 4, lostSeconds: 86, paceSinceSeconds: null }), url)[0])
      .toBe('shop: 25m00s of 2h00m00s, running at 60x asked, 41.5x achieved, 1m30s simulated behind the wall clock (you: fran, facilitator)');
    // An interrupted drill resumed at 14m10s: its new clock is judged from the resume, and says so.
    expect(stateLines(answer({ behindSeconds: 4, lostSeconds: 86, paceSinceSeconds: 850, paceSince: 'resume' }), url)[0])
      .toBe('shop: 25m00s of 2h00m00s, running at 60x asked, 41.5x achieved, 1m30s simulated behind the wall clock since the drill was resumed at 14m10s (you: fran, facilitator)');
    expect(stateLines(answer({ behindSeconds: 0.4, lostSeconds: 0, paceSinceSeconds: 850 }), url)[0])
      .toBe('shop: 25m00s of 2h00m00s, running at 60x (you: fran, facilitator)');
  });
});

describe('an interrupted drill taken up again', () => {
  const open: Drill[] = [];
  afterEach(async () => {
    for (const d of open.splice(0)) await d.stop();
  });
  const until = async (what: () => boolean) => {
    while (!what()) await new Promise((r) => setTimeout(r, 50));
  };

  it('judges its pace from where it was resumed, and says so: its new clock never held the time lost before', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-pace-resume-')), 'drill');
    const read = readDrillScenario(file, 'healthy');
    const options = { endWhenDoneMs: null, facilitator: 'fran', operators: [], out, cadenceMs: 100 };
    const { drill } = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 60,
      { host: '127.0.0.1', port: 0, ...options });
    open.push(drill);
    drill.startNow();
    await until(() => drill.session.nowUs > 3e6);
    await drill.stop(); // as a kill leaves it: the journal holds the drill to its last line
    open.splice(0);
    const r = await Drill.resume(`${out}.journal`, { ...options, port: 0 });
    open.push(r.drill);
    expect(r.drill.driver.paceFromUs).toBe(r.atUs);
    expect(r.drill.driver.paceFrom).toBe('resume');
    const token = new URL(r.links[0].url).searchParams.get('token')!;
    const state = await (await fetch(`${r.drill.server.url}api/state?token=${token}`)).json() as { state: { meta: { paceSinceSeconds: number; paceSince: string } } };
    expect(state.state.meta).toMatchObject({ paceSinceSeconds: r.atUs / 1e6, paceSince: 'resume' });
    // A speed set after the resume is where the pace is judged from next.
    r.drill.driver.setSpeed(120);
    expect(r.drill.driver.paceFrom).toBe('speed');
  }, 180_000);
});
