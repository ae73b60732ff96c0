/**
 * A flag's headline says the act it names, at its time: a pause that detected the harm and the rollback that came
 * after it are two acts (the time to detect is the pause's), and a person's false rollback names what was active
 * during the stage the person (and the gates) read, not at the instant of the act.
 */
import { describe, expect, it } from 'vitest';
import { flagHeadline, type FlagStory } from '../src/report/vocabulary.js';

const base: FlagStory = {
  outcome: 'rolled-back', final_percent: 0, defective: true, blast_radius_users: 12, blast_radius_requests: 15,
  time_to_detect_seconds: 1435, false_rollback: false, missed_defect: false, misattribution: false,
  acted_seconds: 1500, acted_percent: 50, acted_action: 'rollback', acted_by: null,
};

describe('flag headlines name each act at its time', () => {
  it('a rollback that detected the harm itself', () => {
    expect(flagHeadline(base)).toBe('caught: rolled back at 50% after 23m55s, 12 users hurt');
  });

  it('a pause that detected the harm, then a rollback: the time is the pause\'s, and the rollback is said after it', () => {
    expect(flagHeadline({ ...base, acted_action: 'pause' })).toBe('caught: paused at 50% after 23m55s, then rolled back, 12 users hurt');
    // Paused and still paused when the run ended: one act.
    expect(flagHeadline({ ...base, outcome: 'paused', final_percent: 50, acted_action: 'pause' })).toBe('caught: paused at 50% after 23m55s, 12 users hurt');
  });

  it('a person\'s false rollback names what was active during the stage', () => {
    const person = { ...base, defective: false, blast_radius_users: 0, blast_radius_requests: 0, time_to_detect_seconds: null, false_rollback: true, misattribution: true, acted_by: 'bob' };
    expect(flagHeadline(person)).toBe('false rollback: rolled back at 50%, nobody hurt (by bob; a fault or another flag was active during the stage)');
    expect(flagHeadline({ ...person, acted_by: null })).toBe('false rollback: rolled back at 50%, nobody hurt (the gates saw harm something else caused)');
  });
});
