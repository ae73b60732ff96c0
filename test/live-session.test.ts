/**
 * The drill session: the lobby, stepping, people's actions through the configuration path, ad-hoc faults
 * joining the running simulation at the current instant, no end but by hand or at the horizon, replay of
 * the record, and the policy alone facing the team's faults.
 */
import { describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrillSession, readDrillScenario, ReplayMismatch, type Actor, type DrillSetup } from '../src/live/session.js';
import type { Action } from '../src/live/actions.js';
import { checkHiddenCases, commitment, drawCase, newSecret } from '../src/live/hidden.js';
import { facedFaults, policyRun } from '../src/live/policy.js';
import { comparison } from '../src/live/compare.js';
import { runScenario } from '../src/score/result.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const MIN = 60e6;
const ada: Actor = { name: 'ada', role: 'operator' };
const fac: Actor = { name: 'fran', role: 'facilitator' };

function session(over: Partial<DrillSetup> = {}): DrillSession {
  const setup: DrillSetup = { file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on', ...over };
  return new DrillSession(setup, readDrillScenario(file, setup.caseName).scenario);
}

/** Starts a drill and steps it in uneven slices, applying actions at given simulated minutes. */
function drive(s: DrillSession, plan: [number, Action, Actor?][], endMin: number, slice = 7_300_000, end = true): void {
  if (s.status === 'lobby') s.act({ type: 'start' }, fac, '2026-01-01T00:00:00Z');
  let i = 0;
  const until = Math.round(endMin * MIN);
  while (!s.ended && s.nowUs < until) {
    s.advanceTo(Math.min(s.nowUs + slice, until));
    while (i < plan.length && s.nowUs >= plan[i][0] * MIN) {
      s.act(plan[i][1], plan[i][2] ?? ada, `2026-01-01T00:00:${String(i).padStart(2, '0')}Z`);
      i++;
    }
  }
  if (end && !s.ended) s.act({ type: 'end' }, fac, '2026-01-01T00:01:00Z');
}

describe('drill session', () => {
  it('waits in the lobby, clock stopped, until the facilitator starts it; notes are taken there', () => {
    const s = session();
    s.advanceTo(5 * MIN);
    expect(s.nowUs).toBe(0);
    expect(s.act({ type: 'plan', flag: 'new-pay', op: 'promote' }, ada, 'w').refused).toMatch(/has not started/);
    expect(s.act({ type: 'note', text: 'everyone here?' }, ada, 'w').refused).toBeNull();
    expect(s.act({ type: 'start' }, fac, 'w').refused).toBeNull();
    expect(s.act({ type: 'start' }, fac, 'w').refused).toMatch(/already started/);
    s.advanceTo(5 * MIN);
    expect(s.nowUs).toBe(5 * MIN);
  });

  it('stepped in slices without actions gives the result of an ordinary run, to the horizon', () => {
    const s = session();
    drive(s, [], 30, 11_111_111);
    expect(s.endReason).toBe('horizon');
    const direct = runScenario(readDrillScenario(file, 'healthy').scenario, { seed: 7 });
    const stepped = s.result();
    expect(stepped.rollouts).toEqual(direct.rollouts);
    expect(stepped.windows).toEqual(direct.windows);
  });

  it('never ends by itself when every plan is done: only by hand or at the horizon', () => {
    const s = session();
    drive(s, [], 20, 7_300_000, false);
    expect(s.plansDone()).toBe(true);
    expect(s.controller!.planStates()[0].phase).toBe('completed');
    // Long after every plan completed (the old drill ended ten simulated minutes after), people still act.
    expect(s.ended).toBe(false);
    expect(s.act({ type: 'note', text: 'still here' }, ada, 'w').refused).toBeNull();
    s.advanceTo(29 * MIN);
    expect(s.ended).toBe(false);
    s.advanceTo(31 * MIN);
    expect(s.ended).toBe(true);
    expect(s.endReason).toBe('horizon');
  });

  it('applies people\'s actions through the configuration path and audits them with name and version', () => {
    const s = session({ gates: 'off' });
    drive(s, [
      [4.5, { type: 'plan', flag: 'new-pay', op: 'approve' }], // the second stage waits 1m for approval after the first hold (4m)
      [5.5, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'looks odd' }],
      [6, { type: 'fault', name: 'pay-down' }, fac],
      [6.5, { type: 'fault', name: 'pay-down' }, fac],
      [7, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: '<b>errors</b>' }],
      [7.5, { type: 'note', text: 'rolled back' }],
      [8, { type: 'plan', flag: 'new-pay', op: 'resume' }],
    ], 12);
    const refused = s.actions.slice(1).map((a) => a.refused);
    expect(refused.slice(0, 3)).toEqual([null, null, null]);
    expect(refused[3]).toMatch(/already been injected/);
    expect(refused[4]).toBeNull();
    expect(refused[6]).toMatch(/not paused/);
    const r = s.result();
    const ops = r.audit.filter((a) => a.actor === 'operator');
    expect(ops.map((a) => a.action ?? a.event)).toEqual(expect.arrayContaining(['pause', 'approve', 'rollback']));
    expect(ops.every((a) => a.by === 'ada')).toBe(true);
    const rb = ops.find((a) => a.action === 'rollback')!;
    expect(rb.timeSeconds).toBeCloseTo(s.actions[5].atUs / 1e6, 6);
    expect(rb.reason).toContain('<b>errors</b>'); // escaped by writers, kept as typed in data
    const stageRows = r.audit.filter((a) => a.event === 'stage' && a.actor === 'operator');
    expect(stageRows.at(-1)!.percent).toBe(0);
    const propagated = r.audit.filter((a) => a.event === 'propagated' && a.configVersion === stageRows.at(-1)!.configVersion);
    expect(propagated.every((p) => p.delaySeconds! >= 1 && p.delaySeconds! <= 5)).toBe(true);
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.outcomes.faults.find((f) => f.name === 'pay-down')!.from_seconds).toBeCloseTo(s.actions[3].atUs / 1e6, 6);
  });

  it('gates off: no gate is evaluated; advisory: breaches are reported, nothing acts', () => {
    const off = session({ caseName: 'broken', gates: 'off' });
    drive(off, [], 6);
    expect(off.result().audit.some((a) => a.event === 'gate')).toBe(false);
    const adv = session({ caseName: 'broken', gates: 'advisory' });
    drive(adv, [], 6);
    expect(adv.result().audit.some((a) => a.action === 'advise')).toBe(true);
    expect(adv.result().rollouts[0].outcome).not.toBe('rolled-back');
    const on = session({ caseName: 'broken', gates: 'on' });
    drive(on, [], 6);
    expect(on.result().rollouts[0].outcome).toBe('rolled-back');
  });

  it('an ad-hoc fault joins the running simulation at the current instant: nothing is re-run, a bad one is refused at once', () => {
    const s = session();
    drive(s, [], 2.05, 7_300_000, false);
    const sim = s.sim;
    const dispatched = sim.engine.dispatched;
    const at = s.nowUs;
    const started = performance.now();
    const rec = s.act({ type: 'adhoc-fault', fault: { kind: 'abort', target: 'pay', percent: '30%', for: '1m' } }, fac, 'w');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(rec).toMatchObject({ refused: null, faultName: 'ad-hoc 1', atUs: at });
    expect(s.sim).toBe(sim);
    expect(sim.engine.dispatched).toBe(dispatched);
    const bad = s.act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'nowhere', add: '1s' } }, fac, 'w');
    expect(bad.refused).toMatch(/unknown service "nowhere"/);
    s.advanceTo(at + 2 * MIN);
    s.act({ type: 'end' }, fac, 'w');
    const f = s.result().outcomes.faults.find((x) => x.name === 'ad-hoc 1')!;
    expect(f.from_seconds).toBe(at / 1e6);
    expect(f.to_seconds).toBe(at / 1e6 + 60);
    expect(f.journeys_hurt).toBeGreaterThan(0);
  });

  it('a fault injected while the clock stands (paused) is on the dashboard at once, from that instant, as after the clock moves', async () => {
    const { visibleFaults, healthGrid } = await import('../src/live/view.js');
    const s = session();
    drive(s, [], 2.05, 7_300_000, false);
    const at = s.nowUs / 1e6;
    s.act({ type: 'fault', name: 'pay-down' }, fac, 'w');
    s.act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'web', add: '100ms', for: '2m' } }, fac, 'w');
    s.act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '100ms', for: '2m', hidden: true } }, fac, 'w');
    const shown = (faults: ReturnType<typeof visibleFaults>) => faults.map((f) => [f.name, f.active, f.fromSeconds, f.untilSeconds]);
    const before = visibleFaults(s);
    expect(shown(before)).toEqual([['pay-down', true, at, at + 180], ['ad-hoc 1', true, at, at + 120]]);
    expect(healthGrid(s, [], before).find((h) => h.service === 'pay')!.faults).toBe(1);
    s.advanceTo(s.nowUs + 1_000_000);
    expect(shown(visibleFaults(s))).toEqual(shown(before));
    // Injected, then the drill ended at that very instant: the fault never switched on, and is not shown as on.
    s.act({ type: 'clock', op: 'pause' }, fac, 'w');
    s.act({ type: 'fault', name: 'slow-web' }, fac, 'w');
    expect(shown(visibleFaults(s)).map((f) => f[0])).toEqual(['pay-down', 'slow-web', 'ad-hoc 1']);
    s.act({ type: 'end' }, fac, 'w');
    expect(shown(visibleFaults(s)).map((f) => f[0])).toEqual(['pay-down', 'ad-hoc 1']);
    expect(s.result().outcomes.faults.map((f) => f.name)).not.toContain('slow-web');
  });

  it('replay applies the record at its instants and gives the byte-identical result (ad-hoc and hidden faults included)', () => {
    const plan: [number, Action, Actor?][] = [
      [1.2, { type: 'fault', name: 'slow-web' }, fac],
      [2.1, { type: 'adhoc-fault', fault: { kind: 'latency', target: 'web -> pay', add: '80ms', for: '1m', hidden: true } }, fac],
      [2.6, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'nowhere' } }, fac],
      [2.8, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'pay', percent: '5%', for: '30s' } }, fac],
      [3.3, { type: 'plan', flag: 'new-pay', op: 'rollback' }],
      [3.4, { type: 'speed', speed: 600 }, fac],
      [4.0, { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'try again' }],
    ];
    const s = session({ caseName: 'broken', gates: 'advisory' });
    drive(s, plan, 9, 3_100_000);
    expect(s.actions[3].refused).toMatch(/unknown service "nowhere"/);
    // Hidden and visible ad-hoc faults are numbered apart.
    expect(s.actions.map((a) => a.faultName).filter(Boolean)).toEqual(['hidden ad-hoc 1', 'ad-hoc 1']);
    const live = JSON.stringify(s.result());
    const again = DrillSession.fromRecord(s.setup, readDrillScenario(file, 'broken').scenario, JSON.parse(JSON.stringify(s.actions)), 0,
      { atUs: s.endedUs!, reason: s.endReason! });
    expect(JSON.stringify(again.result())).toBe(live);
    // A refused action recorded as applied no longer replays: the record is not what the drill did.
    const moved = JSON.parse(JSON.stringify(s.actions));
    moved[3].refused = null;
    expect(() => DrillSession.fromRecord(s.setup, readDrillScenario(file, 'broken').scenario, moved, 0, { atUs: s.endedUs!, reason: s.endReason! }))
      .toThrow(ReplayMismatch);
  });

  it('two people promoting at once, from the same version, move the plan one stage: the second is refused and replays so', () => {
    const s = session({ caseName: 'healthy', gates: 'off' });
    drive(s, [], 1, 7_300_000, false);
    const seen = s.controller!.planStates()[0];
    expect([seen.stage, seen.version]).toEqual([0, 1]);
    const bob: Actor = { name: 'bob', role: 'operator' };
    const first = s.act({ type: 'plan', flag: 'new-pay', op: 'promote', version: seen.version }, ada, 'w');
    const second = s.act({ type: 'plan', flag: 'new-pay', op: 'promote', version: seen.version }, bob, 'w');
    expect(first.refused).toBeNull();
    expect(second.refused).toBe('new-pay has moved since you saw it (config v1): it is holding at stage 2 of 3 (50%), config v2; promote again to go on from there');
    expect(s.controller!.planStates()[0]).toMatchObject({ stage: 1, version: 2 });
    // Without the version (gameday ctl, the API), a promote goes on from wherever the plan is, as before.
    expect(s.act({ type: 'plan', flag: 'new-pay', op: 'promote' }, bob, 'w').refused).toBeNull();
    s.act({ type: 'end' }, fac, 'w');
    const again = DrillSession.fromRecord(s.setup, readDrillScenario(file, 'healthy').scenario, JSON.parse(JSON.stringify(s.actions)), 0, { atUs: s.endedUs!, reason: s.endReason! });
    expect(JSON.stringify(again.result())).toBe(JSON.stringify(s.result()));
  });

  it('an ad-hoc fault never reads the scenario file again: the drill goes on after the file is gone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-adhoc-'));
    const copy = join(dir, 'drill.yaml');
    copyFileSync(file, copy);
    const setup: DrillSetup = { file: copy, caseName: null, hiddenCase: false, seed: 7, gates: 'on' };
    const s = new DrillSession(setup, readDrillScenario(copy, null).scenario);
    rmSync(copy);
    drive(s, [[1, { type: 'adhoc-fault', fault: { kind: 'latency', target: 'web -> pay', add: '50ms', for: '1m' } }, fac]], 3);
    expect(s.actions[1]).toMatchObject({ refused: null, faultName: 'ad-hoc 1' });
  });

  it('refuses a hidden-case drill whose cases differ in what the dashboard shows', () => {
    const scenario = readDrillScenario(file, 'healthy').scenario;
    const other = { ...scenario, services: [...scenario.services, { ...scenario.services[0], name: 'search' }] };
    const plans = { ...scenario, rollouts: scenario.rollouts.map((p) => ({ ...p, failureLimit: p.failureLimit + 1 })) };
    expect(() => checkHiddenCases('s.yaml', new Map([['a', scenario], ['b', scenario]]))).not.toThrow();
    expect(() => checkHiddenCases('s.yaml', new Map([['a', scenario], ['b', other], ['c', plans]])))
      .toThrow(/case "b" changes the services[\s\S]*case "c" changes the rollout plans and their gates/);
    expect(() => checkHiddenCases('s.yaml', new Map())).toThrow(/needs cases/);
    // The fixture's cases differ only in what the new code does: a hidden-case drill may run them.
    const cases = readDrillScenario(file, null).base.cases;
    expect(() => checkHiddenCases(file, new Map(cases.map((c) => [c, readDrillScenario(file, c).scenario])))).not.toThrow();
  });

  it('draws the hidden case from a secret, uniformly, and commits to it', () => {
    const secret = newSecret();
    expect(drawCase(['a', 'b', 'c'], secret)).toBe(drawCase(['a', 'b', 'c'], secret));
    const counts = new Map<string, number>();
    for (let i = 0; i < 600; i++) {
      const c = drawCase(['a', 'b', 'c'], newSecret())!;
      counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    // 200 expected each: within 5 standard deviations (sqrt(600 * 1/3 * 2/3) = 11.5).
    for (const n of counts.values()) expect(Math.abs(n - 200)).toBeLessThan(58);
    expect(drawCase([], secret)).toBeNull();
    expect(commitment(secret)).toMatch(/^[0-9a-f]{64}$/);
    expect(commitment(secret)).not.toContain(secret);
  });
});

describe('the policy alone, under the team\'s faults', () => {
  it('faces every fault the team faced at the same instants: scheduled, catalogue, ad-hoc and hidden', () => {
    const s = session({ caseName: 'broken', gates: 'off' });
    drive(s, [
      [3, { type: 'fault', name: 'quiet-drag' }, fac],
      [5, { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '40ms', for: '2m', hidden: true } }, fac],
      [7, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'web', percent: '2%', for: '1m' } }, fac],
    ], 25);
    const team = s.result();
    const faults = facedFaults(s.faultSpecs, s.sim.faults.onAt, s.scenario.faults.length);
    const policy = policyRun(s.scenario, 7, faults, s.endedUs!);
    const names = (r: typeof team) => r.outcomes.faults.map((f) => [f.name, f.from_seconds, f.to_seconds]);
    expect(names(team)).toEqual([
      ['latency web -> pay', 1200, 1320], ['quiet-drag', expect.any(Number), expect.any(Number)],
      ['hidden ad-hoc 1', expect.any(Number), expect.any(Number)], ['ad-hoc 1', expect.any(Number), expect.any(Number)],
    ]);
    expect(names(policy)).toEqual(names(team));
    expect(faults.map((f) => f.source)).toEqual(['scheduled', 'catalogue', 'catalogue', 'catalogue', 'ad-hoc', 'ad-hoc']);
    // Faults the team never faced (catalogue faults nobody injected) are not in the policy's run either.
    expect(policy.outcomes.faults.map((f) => f.name)).not.toContain('pay-down');
    // With gates off the team let the broken flag through; the policy alone rolled it back.
    expect(policy.rollouts[0].outcome).toBe('rolled-back');
    const cmp = comparison(team, policy, s.actions);
    expect(cmp.flags[0].better).toBe('policy');
    expect(cmp.verdict.text).toMatch(/^The policy beat the team/);
  });

  it('a plan the end cut off mid-hold is reported as in progress, not as a false rollback', () => {
    const s = session({ caseName: 'healthy' });
    drive(s, [], 2); // the first stage holds 4m: the drill ends in the middle of it
    const team = s.result();
    expect(team.rollouts[0]).toMatchObject({ outcome: 'paused', cutOff: true });
    expect(team.outcomes.flags['new-pay']).toMatchObject({ cut_off: true, false_rollback: false });
    const policy = policyRun(s.scenario, 7, facedFaults(s.faultSpecs, s.sim.faults.onAt, s.scenario.faults.length), s.endedUs!);
    const cmp = comparison(team, policy, s.actions);
    expect(cmp.flags[0].team.state).toMatch(/^in progress at stage 1 of 3 \(10%\), cut off by the end of the drill$/);
    expect(cmp.flags[0].team.headline).toMatch(/^unfinished: at 10% when the run ended, /);
    expect(cmp.flags[0].better).toBe('tie');
  });
});

describe('paced driver', () => {
  it('keeps the simulated clock at wall time x speed; pause holds it; a new speed applies from then on', async () => {
    const { PacedDriver } = await import('../src/live/driver.js');
    let wall = 0;
    const s = session();
    const d = new PacedDriver(s, { speed: 60, now: () => wall });
    d.start();
    d.stop(); // ticks by hand, on the fake clock
    wall = 1000;
    d.tick();
    expect(s.nowUs).toBe(0); // the lobby: the clock does not run
    s.act({ type: 'start' }, fac, 'w');
    d.started();
    wall = 3000;
    d.tick();
    expect(s.nowUs).toBe(120e6);
    d.pause();
    wall = 5000;
    d.tick();
    expect(s.nowUs).toBe(120e6);
    expect(d.achievedSpeed).toBe(0);
    d.resume();
    wall = 6000;
    d.tick();
    expect(s.nowUs).toBe(180e6);
    d.setSpeed(600);
    wall = 6100;
    d.tick();
    expect(s.nowUs).toBe(240e6);
    wall = 6200;
    d.tick();
    expect(d.achievedSpeed).toBeCloseTo(600, 6);
    d.stop();
  });
});
