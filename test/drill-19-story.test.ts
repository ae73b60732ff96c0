/**
 * A flag that hurt users, whose plan a person paused before any harm and took up again: that pause detected nothing
 * (the ground truth's rule), and the story told no act at all: "unfinished: at 10% when the run ended, 23 users hurt,
 * no gate acted", as if nobody had touched the plan, though ada held it paused for three and a half minutes while the
 * policy alone rolled it back (scenarios/gate-tuning.yaml, defective case). The same of a plan the gates paused
 * and a person resumed, where "no gate acted" would be untrue.
 * Now the act is told after the headline, with who made it and who took the plan up again.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { debriefLines } from '../src/live/debrief-words.js';
import { drillHtml } from '../src/live/debrief-html.js';
import { comparison } from '../src/live/compare.js';
import { ada, bob, drillOf } from './drill-19-session.js';

const root = join(import.meta.dirname, '..');

describe('a pause before any harm, taken up again, stays in the story of a flag that hurt users', () => {
  it('paused by a person at 0m10s, resumed by another at 3m00s, the drill ended at 3m40s', () => {
    const { doc } = drillOf(join(root, 'scenarios', 'gate-tuning.yaml'), 'defective', [
      [10e6, { type: 'plan', flag: 'new-engine', op: 'pause', reason: 'hold it' }, ada],
      [180e6, { type: 'plan', flag: 'new-engine', op: 'resume' }, bob],
    ], 220e6);
    const o = doc.team.outcomes.flags['new-engine'];
    // The pause came before the harm and was taken up again: it detected nothing (outcomes.ts, detectingAct).
    expect(o).toMatchObject({ defective: true, time_to_detect_seconds: null, acted_seconds: 10 });
    expect(o.onset_seconds).toBeGreaterThan(10);
    const c = doc.comparison[0];
    expect(c.team.headline).toBe(`unfinished: at 10% when the run ended, ${o.blast_radius_users} users hurt, no gate acted; paused at 10% at 0m10s by ada, before any harm, then resumed at 3m00s by bob`);
    expect(c.policy.headline).toMatch(/^caught: rolled back at 10% after /);
    expect(debriefLines(doc)).toContain(`    team: ${c.team.headline}`);
    expect(drillHtml(doc)).toContain(c.team.headline);
  });

  it('paused by the gates, resumed by a person: told "by the gates", and "no gate acted" is not said', () => {
    const { doc } = drillOf(join(root, 'scenarios', 'gate-tuning.yaml'), 'defective', [
      [10e6, { type: 'plan', flag: 'new-engine', op: 'pause' }, ada],
      [180e6, { type: 'plan', flag: 'new-engine', op: 'resume' }, bob],
    ], 220e6);
    // The same run, but for who paused: the audit trail names no person for the pause (the gates' act).
    const team = { ...doc.team, audit: doc.team.audit.filter((a) => !(a.actor === 'operator' && a.action === 'pause')) };
    const c = comparison(team, doc.policy, doc.record.actions).flags[0];
    const hurt = doc.team.outcomes.flags['new-engine'].blast_radius_users;
    expect(c.team.headline).toBe(`unfinished: at 10% when the run ended, ${hurt} users hurt; paused at 10% at 0m10s by the gates, before any harm, then resumed at 3m00s by bob`);
  });

  it('a flag that hurt nobody is told as before: its act in the headline, once', () => {
    const { doc } = drillOf(join(root, 'scenarios', 'gate-tuning.yaml'), 'healthy', [
      [10e6, { type: 'plan', flag: 'new-engine', op: 'pause' }, ada],
      [180e6, { type: 'plan', flag: 'new-engine', op: 'resume' }, bob],
    ], 220e6);
    expect(doc.comparison[0].team.headline).toBe('false alarm: paused at 10%, nobody hurt; then resumed: at 10% when the run ended');
  });
});
