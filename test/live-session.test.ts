/** The drill session: stepping, people's actions through the configuration path, and replay determinism. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DrillSession, drawCase, type DrillSetup } from '../src/live/session.js';
import type { Action } from '../src/live/actions.js';
import { runScenario } from '../src/score/result.js';
import { loadScenarioFile } from '../src/load/scenario.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const setup = (over: Partial<DrillSetup> = {}): DrillSetup => ({ file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on', ...over });
const MIN = 60e6;

/** Steps a drill in uneven slices, applying actions at given simulated minutes. */
function drive(s: DrillSession, plan: [number, Action][], endMin: number, slice = 7_300_000): void {
  let i = 0;
  while (!s.ended && s.nowUs < endMin * MIN) {
    s.advanceTo(Math.min(s.nowUs + slice, endMin * MIN));
    while (i < plan.length && s.nowUs >= plan[i][0] * MIN) {
      s.act(plan[i][1], 'ada', `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`);
      i++;
    }
  }
  if (!s.ended) s.act({ type: 'end' }, 'ada', '2026-01-01T00:01:00Z');
}

describe('drill session', () => {
  it('stepped in slices without actions gives the result of an ordinary run', () => {
    const s = new DrillSession(setup());
    drive(s, [], 30, 11_111_111);
    const loaded = loadScenarioFile(file, 'healthy');
    if (!loaded.ok) throw new Error('fixture');
    const direct = runScenario(loaded.scenario, { seed: 7 });
    const stepped = s.result();
    // The drill ends 10 minutes after the plan completed, so compare what both saw up to then.
    expect(stepped.rollouts[0].decisions).toEqual(direct.rollouts[0].decisions.filter((d) => d.timeSeconds <= stepped.simulated.seconds));
    expect(stepped.windows.journeys.buy.requests).toEqual(direct.windows.journeys.buy.requests.slice(0, stepped.windows.journeys.buy.requests.length - 1).concat(stepped.windows.journeys.buy.requests.at(-1)!));
  });

  it('applies people\'s actions through the configuration path and audits them with name and version', () => {
    const s = new DrillSession(setup({ gates: 'off' }));
    drive(s, [
      [4.5, { type: 'plan', flag: 'new-pay', op: 'approve' }], // the second stage waits 1m for approval after the first hold (4m)
      [5.5, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'looks odd' }],
      [6, { type: 'fault', name: 'pay-down' }],
      [6.5, { type: 'fault', name: 'pay-down' }],
      [7, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: '<b>errors</b>' }],
      [7.5, { type: 'note', text: 'rolled back' }],
      [8, { type: 'plan', flag: 'new-pay', op: 'resume' }],
    ], 12);
    const refused = s.actions.map((a) => a.refused);
    expect(refused[0]).toBeNull();
    expect(refused[1]).toBeNull();
    expect(refused[2]).toBeNull();
    expect(refused[6]).toMatch(/not paused/);
    expect(s.result().rollouts[0].decisions.find((d) => d.action === 'promote')!.timeSeconds).toBeCloseTo(s.actions[0].atUs / 1e6, 6);
    expect(refused[3]).toMatch(/already been injected/);
    expect(refused[4]).toBeNull();
    const r = s.result();
    const ops = r.audit.filter((a) => a.actor === 'operator');
    expect(ops.map((a) => a.action ?? a.event)).toEqual(expect.arrayContaining(['pause', 'approve', 'rollback']));
    expect(ops.every((a) => a.by === 'ada')).toBe(true);
    const rb = ops.find((a) => a.action === 'rollback')!;
    expect(rb.timeSeconds).toBeCloseTo(s.actions[4].atUs / 1e6, 6);
    expect(rb.reason).toContain('<b>errors</b>'); // escaped by writers, kept as typed in data
    // The rollback was published as a new configuration version, and reached the services after a delay.
    const stageRows = r.audit.filter((a) => a.event === 'stage' && a.actor === 'operator');
    expect(stageRows.at(-1)!.percent).toBe(0);
    const propagated = r.audit.filter((a) => a.event === 'propagated' && a.configVersion === stageRows.at(-1)!.configVersion);
    expect(propagated.length).toBeGreaterThan(0);
    expect(propagated.every((p) => p.delaySeconds! >= 1 && p.delaySeconds! <= 5)).toBe(true);
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.outcomes.faults.find((f) => f.name === 'pay-down')!.from_seconds).toBeCloseTo(s.actions[2].atUs / 1e6, 6);
  });

  it('gates off: no gate is evaluated; advisory: breaches are reported, nothing acts', () => {
    const off = new DrillSession(setup({ caseName: 'broken', gates: 'off' }));
    drive(off, [], 6);
    expect(off.result().audit.some((a) => a.event === 'gate')).toBe(false);
    const adv = new DrillSession(setup({ caseName: 'broken', gates: 'advisory' }));
    drive(adv, [], 6);
    const r = adv.result();
    expect(r.audit.some((a) => a.action === 'advise')).toBe(true);
    expect(r.rollouts[0].outcome).not.toBe('rolled-back');
    const on = new DrillSession(setup({ caseName: 'broken', gates: 'on' }));
    drive(on, [], 6);
    expect(on.result().rollouts[0].outcome).toBe('rolled-back');
  });

  it('replay applies the record at its instants and gives the byte-identical result (ad-hoc faults included)', () => {
    const s = new DrillSession(setup({ caseName: 'broken', gates: 'advisory' }));
    drive(s, [
      [1.2, { type: 'fault', name: 'slow-web' }],
      [2.1, { type: 'adhoc-fault', fault: { kind: 'latency', target: 'web -> pay', add: '80ms', for: '1m' } }],
      [2.6, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'nowhere' } }],
      [2.8, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'pay', percent: '5%', for: '30s' } }],
      [3.3, { type: 'plan', flag: 'new-pay', op: 'rollback' }],
      [3.4, { type: 'speed', speed: 600 }],
      [4.0, { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'try again' }],
    ], 9, 3_100_000);
    expect(s.actions[2].refused).toMatch(/unknown service "nowhere"/);
    expect(s.actions[3].refused).toBeNull();
    expect(s.actions.filter((a) => a.refused === null)).toHaveLength(7);
    const live = JSON.stringify(s.result());
    expect(live).toContain('adhoc-1');
    expect(live).toContain('adhoc-2');
    const again = DrillSession.replay(setup({ caseName: 'broken', gates: 'advisory' }), {
      actions: JSON.parse(JSON.stringify(s.actions)), adhoc: JSON.parse(JSON.stringify(s.adhoc)), endedUs: s.endedUs!, endReason: s.endReason,
    });
    expect(JSON.stringify(again.result())).toBe(live);
  });

  it('draws the hidden case from the seed', () => {
    expect(drawCase(['a', 'b', 'c'], 1)).toBe(drawCase(['a', 'b', 'c'], 1));
    const drawn = new Set(Array.from({ length: 40 }, (_, i) => drawCase(['a', 'b', 'c'], i)));
    expect(drawn.size).toBe(3);
    expect(drawCase([], 1)).toBeNull();
  });
});

describe('paced driver', () => {
  it('keeps the simulated clock at wall time x speed; pause holds it; a new speed applies from then on', async () => {
    const { PacedDriver } = await import('../src/live/driver.js');
    let wall = 0;
    const s = new DrillSession(setup());
    const d = new PacedDriver(s, { speed: 60, now: () => wall });
    d.start();
    d.stop(); // ticks by hand, on the fake clock
    wall = 2000;
    d.tick();
    expect(s.nowUs).toBe(120e6);
    d.pause();
    wall = 5000;
    d.tick();
    expect(s.nowUs).toBe(120e6);
    d.resume();
    wall = 6000;
    d.tick();
    expect(s.nowUs).toBe(180e6);
    d.setSpeed(600);
    wall = 6100;
    d.tick();
    expect(s.nowUs).toBe(240e6);
    d.stop();
  });
});
