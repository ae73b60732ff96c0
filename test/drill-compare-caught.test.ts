/**
 * Like with like in the debrief's words: the team that rolled a defective flag back before it hurt anyone caught
 * it before any harm, as the policy alone's run under the same case and faults shows (there the same flag hurt
 * users). error-spike's saturating ranker, gates advisory, an operator rolling back at 32m00s, 18 s before the
 * harm began in the policy's run: the team's row read "false rollback: rolled back at 25%, nobody hurt" beside
 * "defective: yes", "better: team, fewer users hurt (0 against 33)", and false_rollback true in the JSON.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparison } from '../src/live/compare.js';
import { facedFaults, policyRun } from '../src/live/policy.js';
import { DrillSession, readDrillScenario, type DrillSetup } from '../src/live/session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'error-spike.yaml');
const fran = { name: 'fran', role: 'facilitator' as const };
const ada = { name: 'ada', role: 'operator' as const };

function drill(caseName: string, op: 'rollback' | 'pause', atMin: number, endMin: number) {
  const setup: DrillSetup = { file, caseName, hiddenCase: false, seed: 5, gates: 'advisory' };
  const s = new DrillSession(setup, readDrillScenario(file, caseName).scenario);
  s.act({ type: 'start' }, fran, 'w');
  s.advanceTo(atMin * 60e6);
  expect(s.act({ type: 'plan', flag: 'new-ranking', op, reason: 'search errors' }, ada, 'w').refused).toBeNull();
  s.advanceTo(endMin * 60e6);
  s.act({ type: 'end' }, fran, 'w');
  const team = s.result();
  const policy = policyRun(s.scenario, 5, facedFaults(s.faultSpecs, s.sim.faults.onAt, s.scenario.faults.length), s.endedUs!);
  return { team, policy, cmp: comparison(team, policy, s.actions).flags[0] };
}

describe('a defective flag stopped before it hurt anyone', () => {
  it('rolled back: caught before any harm, not a false rollback', () => {
    const { team, policy, cmp } = drill('saturates', 'rollback', 32, 60);
    // The premise: nobody hurt in the team's run; in the policy's, the same flag hurt users after 32m00s.
    expect(team.outcomes.flags['new-ranking']).toMatchObject({ blast_radius_users: 0, false_rollback: true });
    expect(policy.outcomes.flags['new-ranking'].blast_radius_users).toBeGreaterThan(0);
    expect(policy.outcomes.flags['new-ranking'].onset_seconds).toBeGreaterThan(32 * 60);
    expect(cmp.defective).toBe(true);
    expect(cmp.team).toMatchObject({ headline: 'caught before it hurt anyone: rolled back at 25%, nobody hurt', false_rollback: false, misattribution: false, blast_radius_users: 0 });
    expect(cmp.policy.headline).toMatch(/^caught: rolled back at 25% after \d+m\d\ds, \d+ users hurt$/);
    expect(cmp.better).toBe('team');
  });

  it('paused: the exposure stays, and so does the harm: caught, with the users it hurt', () => {
    const { cmp } = drill('saturates', 'pause', 32, 60);
    expect(cmp.team.headline).toMatch(/^caught: paused at 25% after \d+s, \d+ users hurt$/);
  });

  it('a flag that hurt nobody on either side rolled back is still a false rollback', () => {
    const { cmp } = drill('sized-right', 'rollback', 32, 45);
    expect(cmp.defective).toBe(false);
    expect(cmp.team.headline).toBe('false rollback: rolled back at 25%, nobody hurt');
    expect(cmp.team.false_rollback).toBe(true);
  });
});
