/**
 * People's plan actions answer what they did, and a refusal says what does apply. A pause of a plan still
 * waiting for its turn (two-flag-release's new-checkout waits on payments-v2-api) was taken ("paused by ada at
 * stage 0 (0%)"), held the plan from starting when its turn came, and then every resume was refused as "not
 * paused": only a promote got it going. Now such a pause is refused as a rollback of it is, and once the plan
 * runs a pause and a resume do what they say.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DrillSession, readDrillScenario, type Actor, type DrillSetup } from '../src/live/session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'two-flag-release.yaml');
const MIN = 60e6;
const ada: Actor = { name: 'ada', role: 'operator' };
const fran: Actor = { name: 'fran', role: 'facilitator' };

function started(): DrillSession {
  const setup: DrillSetup = { file, caseName: null, hiddenCase: false, seed: 11, gates: 'on' };
  const s = new DrillSession(setup, readDrillScenario(file, null).scenario);
  expect(s.act({ type: 'start' }, fran, 'w').refused).toBeNull();
  return s;
}
const plan = (s: DrillSession, flag: string) => s.controller!.planStates().find((p) => p.flag === flag)!;

describe('plan actions in a drill', () => {
  it('a plan waiting for its turn cannot be paused or rolled back, and starts in its turn', () => {
    const s = started();
    s.advanceTo(2 * MIN);
    expect(plan(s, 'new-checkout')).toMatchObject({ phase: 'waiting', stage: -1 });
    expect(s.act({ type: 'plan', flag: 'new-checkout', op: 'pause', reason: 'not yet' }, ada, 'w').refused).toBe('new-checkout has not started');
    expect(s.act({ type: 'plan', flag: 'new-checkout', op: 'rollback' }, ada, 'w').refused).toBe('new-checkout has not started');
    expect(s.controller!.audit.some((e) => e.actor === 'operator')).toBe(false);
    s.advanceTo(11 * MIN);
    expect(plan(s, 'new-checkout')).toMatchObject({ phase: 'holding', stage: 0, percent: 1 });
  });

  it('a running plan paused is taken up again by resume', () => {
    const s = started();
    s.advanceTo(12 * MIN);
    expect(s.act({ type: 'plan', flag: 'new-checkout', op: 'pause' }, ada, 'w').refused).toBeNull();
    expect(plan(s, 'new-checkout').phase).toBe('paused');
    expect(s.act({ type: 'plan', flag: 'new-checkout', op: 'resume' }, ada, 'w').refused).toBeNull();
    expect(plan(s, 'new-checkout')).toMatchObject({ phase: 'holding', stage: 0 });
  });

  it('a pause recorded of a plan not started (a journal of an earlier version) is not replayed as applied', () => {
    const s = started();
    s.advanceTo(2 * MIN);
    const rec = s.act({ type: 'plan', flag: 'new-checkout', op: 'pause' }, ada, 'w');
    const again = new DrillSession({ file, caseName: null, hiddenCase: false, seed: 11, gates: 'on' }, readDrillScenario(file, null).scenario);
    expect(() => again.replayActions([s.actions[0], { ...rec, refused: null }], 3 * MIN)).toThrow(/did not replay as recorded/);
  });
});
