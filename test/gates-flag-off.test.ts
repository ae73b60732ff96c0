/**
 * Two flags' gates reacting to the same base errors: each plan's threshold on flag-on errors (`rate<0.02`) sits below
 * the service's own error rate (3%), so both fail whatever the flags do, and both plans roll back. One flag (flag-a)
 * also slows its journeys (x1.3), a few past the SLO: it hurt users; the other (flag-b) hurt nobody.
 *
 * The rule that labels them, checked like with like (each gate's flag on against flag off in the same journeys):
 * flag-a's harm is its own, journey by journey (the same journey without the time the flag added was within the SLO),
 * so it is rightly a flag that hurt users and was stopped: caught. But its gates did not see that harm: the same gate
 * on flag-off traffic, over the same window, failed as much. So the act detected nothing (no time to detect), and its
 * headline says the gates acted on harm something else caused. flag-b's rollback is a false rollback for the same
 * reason, whether or not another flag hurt users in its stage: before, only a fault or another flag's harm during the
 * stage made it a misattribution, so flag-b alone, rolled back on the very same base errors, was not one.
 */
import { describe, expect, it } from 'vitest';
import { flagHeadline, flagStory } from '../src/report/vocabulary.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const plan = (flag: string) => ({
  flag, stages: [{ to: '10%', hold: '5m' }, { to: '50%', hold: '5m' }, { to: '100%' }],
  'evaluate-every': '1m', 'failure-limit': 1, gates: ['req_failed{service:api,flag:on} rate<0.02'],
});

function twoGates(flags: Record<string, unknown>) {
  return scenario({
    seed: 4, duration: '30m', window: '1m', slo: { latency: '100ms' },
    traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
    journeys: { buy: { steps: ['api.buy'] } },
    services: { api: { replicas: 2, concurrency: 64, latency: { dist: 'lognormal', p50: '20ms', p99: '80ms' }, errors: '3%', endpoints: { buy: {} } } },
    flags,
    rollout: Object.keys(flags).map(plan),
  });
}

describe('two gates rolled back on the same base errors', () => {
  const r = runScenario(twoGates({ 'flag-a': { 'evaluated-by': ['api'], 'when-on': { api: { latency: 'x1.3' } } }, 'flag-b': { 'evaluated-by': ['api'] } }));

  it('each failing reading that decided it failed as much on flag off, over the same window', () => {
    for (const flag of ['flag-a', 'flag-b']) {
      const act = r.rollouts.find((p) => p.flag === flag)!.decisions.find((d) => d.action === 'rollback')!;
      const readings = r.audit.filter((a) => a.flag === flag && a.event === 'gate' && a.timeSeconds === act.timeSeconds);
      expect(readings.map((a) => a.gate!.verdict)).toEqual(['fail']);
      const off = readings[0].gate!.flagOff!;
      expect(off.samples).toBeGreaterThan(100);
      expect(off.value).toBeGreaterThanOrEqual(0.02);
    }
  });

  it('flag-a hurt users and was stopped, but not detected: its gates saw what flag off saw', () => {
    const a = r.outcomes.flags['flag-a'];
    expect([a.defective, a.blast_radius_users > 0, a.outcome, a.detected, a.time_to_detect_seconds, a.gates_failed_flag_off, a.misattribution])
      .toEqual([true, true, 'rolled-back', false, null, true, false]);
    expect(flagHeadline(flagStory(r, 'flag-a'))).toBe(`caught: rolled back at 10%, ${a.blast_radius_users} users hurt (its gates failed as much with the flag off: they acted on harm something else caused, not on this flag's)`);
  });

  it('flag-b is a false rollback on harm something else caused, with or without flag-a beside it', () => {
    const alone = runScenario(twoGates({ 'flag-b': { 'evaluated-by': ['api'] } }));
    for (const run of [r, alone]) {
      const b = run.outcomes.flags['flag-b'];
      expect([b.defective, b.outcome, b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([false, 'rolled-back', true, true, true]);
      expect(flagHeadline(flagStory(run, 'flag-b'))).toBe('false rollback: rolled back at 10%, nobody hurt (the gates saw harm something else caused)');
    }
  });

  it('a flag whose own errors fail its gate, where flag off passes it, is caught and detected as before', () => {
    const own = runScenario(scenario({
      seed: 4, duration: '30m', window: '1m',
      traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
      journeys: { buy: { steps: ['api.buy'] } },
      services: { api: { replicas: 2, concurrency: 64, latency: '20ms', errors: '0.1%', endpoints: { buy: {} } } },
      flags: { 'flag-a': { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+20%' } } } },
      rollout: [plan('flag-a')],
    }));
    const a = own.outcomes.flags['flag-a'];
    expect([a.defective, a.outcome, a.detected, a.gates_failed_flag_off]).toEqual([true, 'rolled-back', true, undefined]);
    expect(a.time_to_detect_seconds).toBeGreaterThan(0);
    expect(flagHeadline(flagStory(own, 'flag-a'))).toMatch(/^caught: rolled back at 10% after \d+m\d\ds, [\d,]+ users hurt$/);
    const act = own.rollouts[0].decisions.find((d) => d.action === 'rollback')!;
    expect(own.audit.filter((x) => x.event === 'gate' && x.timeSeconds === act.timeSeconds).every((x) => x.gate!.flagOff === undefined)).toBe(true);
  });
});
