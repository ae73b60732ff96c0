/**
 * The debrief's words say one number one way: the side that hurt fewer users is said with the same thousands
 * separators as the headline beside it ("missed: 1,643 users hurt" next to "fewer users hurt (38 against 1643)"
 * was the same count written two ways), and so are the failed journeys of the error budget. A tie in harm is said
 * as a count on each side ("as many users hurt on each side (1)"), not "the same users hurt", which nobody checked.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { comparison } from '../src/live/compare.js';
import { budgetWords, debriefLines } from '../src/live/debrief-words.js';
import type { DrillDocument } from '../src/live/debrief.js';
import { facedFaults, policyRun } from '../src/live/policy.js';
import { DrillSession, readDrillScenario, type DrillSetup } from '../src/live/session.js';
import { count } from '../src/units/format.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

describe('the comparison in words', () => {
  it('a count of users reads as in the headline beside it', () => {
    // Gates off: the team lets the broken flag through to everyone; the policy alone rolls it back early.
    const setup: DrillSetup = { file, caseName: 'broken', hiddenCase: false, seed: 99, gates: 'off' };
    const s = new DrillSession(setup, readDrillScenario(file, 'broken').scenario);
    s.act({ type: 'start' }, { name: 'fran', role: 'facilitator' }, 'w');
    s.advanceTo(30 * 60e6);
    const team = s.result();
    const policy = policyRun(s.scenario, 99, facedFaults(s.faultSpecs, s.sim.faults.onAt, s.scenario.faults.length), s.endedUs!);
    const cmp = comparison(team, policy, s.actions);
    const f = cmp.flags[0];
    expect(f.team.blast_radius_users).toBeGreaterThanOrEqual(1000);
    expect(f.better).toBe('policy');
    expect(f.why).toBe(`fewer users hurt (${count(f.policy.blast_radius_users)} against ${count(f.team.blast_radius_users)})`);
    expect(f.why).toMatch(/against \d{1,3},\d{3}\)$/);
    expect(f.team.headline).toContain(`${count(f.team.blast_radius_users)} users hurt`);
    const budget = { allowed: 72, team: { failed: 11226, consumed: 155.9 }, policy: { failed: 136, consumed: 1.89 } };
    expect(budgetWords({ budget })).toBe('team exhausted (156x the budget), policy alone exhausted (1.89x the budget) (failed journeys 11,226 and 136, of the 72 the SLO allows over the whole horizon)');
    expect(debriefLines({ verdict: cmp.verdict, comparison: cmp.flags, budget })).toEqual([
      'verdict: The policy beat the team (1 of 1 flags)',
      `  new-pay: the policy alone did better: ${f.why}`,
      `    team: ${f.team.headline}`,
      `    policy alone: ${f.policy.headline}`,
      `  error budget: ${budgetWords({ budget })}`,
    ]);
  });
});

describe('the error budget of a drill cut short', () => {
  const budget = { allowed: 864, team: { failed: 22, consumed: 0.025463 }, policy: { failed: 22, consumed: 0.025463 } };
  const runs = { team: { outcomes: { error_budget_burned: 0.315 } }, policy: { outcomes: { error_budget_burned: 0.315 } } } as unknown as Pick<DrillDocument, 'team' | 'policy'>;
  const record = (reason: string) => ({ record: { end: { atUs: 578e6, reason } } }) as unknown as Pick<DrillDocument, 'record'>;
  it('says where a drill ended by hand ended, and where the journal of one that never ended stops', () => {
    expect(budgetWords({ budget, ...runs, ...record('by-hand') })).toMatch(/; the drill ended at 9m38s, before its horizon, and both runs end there: /);
    // Killed and never resumed: it read "the drill ended at 9m38s" under "the drill never ended: debriefed to 9m38s".
    expect(budgetWords({ budget, ...runs, ...record('interrupted') })).toMatch(/; the drill stopped without an end at 9m38s, before its horizon, and both runs end there: .*team 31\.5% consumed, policy alone 31\.5% consumed$/);
  });
});

describe('a tie in harm', () => {
  it('is said as a count on each side, not as the same users', () => {
    // Ended by hand at 2m40s of the healthy case: one user hurt on each side, neither plan past its first stage.
    const setup: DrillSetup = { file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' };
    const s = new DrillSession(setup, readDrillScenario(file, 'healthy').scenario);
    s.act({ type: 'start' }, { name: 'fran', role: 'facilitator' }, 'w');
    s.advanceTo(160e6);
    s.act({ type: 'end' }, { name: 'fran', role: 'facilitator' }, 'w');
    const team = s.result();
    const policy = policyRun(s.scenario, 7, facedFaults(s.faultSpecs, s.sim.faults.onAt, s.scenario.faults.length), s.endedUs!);
    const f = comparison(team, policy, s.actions).flags[0];
    expect(f.defective).toBe(true);
    expect(f.better).toBe('tie');
    expect(f.team.blast_radius_users).toBe(f.policy.blast_radius_users);
    expect(f.why).toBe(`as many users hurt on each side (${count(f.team.blast_radius_users)})`);
  });
});
