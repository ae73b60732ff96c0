/**
 * Burn-rate gates judged like with like: a burn-rate gate on flag-on traffic (`filter: '{journey:buy,flag:on}'`) that
 * fires is read on flag-off traffic too, with the same pairs over the same windows. An abort fault that fails 40% of
 * every call to the service burns the budget (99%: 1% of failures) forty times over for everybody: the gate fires
 * whatever the flags do, and flag off fires it as much. flag-a also slows its journeys (x1.3), a few past the SLO: it
 * hurt users, and its rollback stopped them, but the gate did not see that harm, so it detected nothing. flag-b hurt
 * nobody: a misattribution. A flag that fails 20% of its own calls burns the budget where flag off does not: caught
 * and detected, the reading without a flag-off twin.
 */
import { describe, expect, it } from 'vitest';
import { comparison } from '../src/live/compare.js';
import { riskSummary } from '../src/report/html/run.js';
import { caseHeadlines, flagHeadline, flagStory, runHeadlines } from '../src/report/vocabulary.js';
import { caseFromResult } from '../src/score/ci.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const burnGate = { 'burn-rate': { slo: '99%', pairs: [['1m', '5m', 10]], filter: '{journey:buy,flag:on}' } };
const plan = (flag: string) => ({
  flag, stages: [{ to: '10%', hold: '10m' }, { to: '50%', hold: '5m' }, { to: '100%' }],
  'evaluate-every': '1m', 'failure-limit': 1, gates: [burnGate],
});

function withFault(flags: Record<string, unknown>) {
  return scenario({
    seed: 4, duration: '30m', window: '1m', slo: { latency: '100ms' },
    traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
    journeys: { buy: { steps: ['web.buy'] } },
    services: {
      web: { replicas: 2, concurrency: 64, latency: { dist: 'lognormal', p50: '20ms', p99: '80ms' }, errors: '0.1%', endpoints: { buy: { calls: ['api.get'] } } },
      api: { replicas: 2, concurrency: 64, latency: '5ms', endpoints: { get: {} } },
    },
    flags,
    faults: [{ kind: 'abort', target: 'api', at: '3m', for: '15m', percent: '40%', status: 503 }],
    rollout: Object.keys(flags).map(plan),
  });
}

describe('a burn-rate gate on flag-on traffic, and a fault that burns the budget for everybody', () => {
  const r = runScenario(withFault({ 'flag-a': { 'evaluated-by': ['web'], 'when-on': { web: { latency: 'x1.3' } } }, 'flag-b': { 'evaluated-by': ['web'] } }));

  it('the reading that decided each rollback fired on flag-off traffic as well, with the same pairs', () => {
    for (const flag of ['flag-a', 'flag-b']) {
      const act = r.rollouts.find((p) => p.flag === flag)!.decisions.find((d) => d.action === 'rollback')!;
      expect(act.timeSeconds).toBeGreaterThan(180);
      const readings = r.audit.filter((a) => a.flag === flag && a.event === 'gate' && a.timeSeconds === act.timeSeconds);
      expect(readings.map((a) => a.gate!.verdict)).toEqual(['fail']);
      const off = readings[0].gate!.flagOff!;
      // Both windows of the pair over 10x: its lower burn over the factor is above 1 on flag off too.
      expect(off.samples).toBeGreaterThan(1000);
      expect(off.value).toBeGreaterThan(1);
    }
  });

  it('flag-a hurt users and was stopped, but not detected: its gate fired as much with the flag off', () => {
    const a = r.outcomes.flags['flag-a'];
    expect([a.defective, a.blast_radius_users > 0, a.outcome, a.detected, a.time_to_detect_seconds, a.gates_failed_flag_off, a.misattribution])
      .toEqual([true, true, 'rolled-back', false, null, true, false]);
    expect(flagHeadline(flagStory(r, 'flag-a'))).toBe(`caught: rolled back at 10%, ${a.blast_radius_users} users hurt (its gates failed as much with the flag off: they acted on harm something else caused, not on this flag's)`);
  });

  it('flag-b hurt nobody: a misattribution, its gates having failed as much with the flag off', () => {
    const b = r.outcomes.flags['flag-b'];
    expect([b.defective, b.outcome, b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([false, 'rolled-back', true, true, true]);
    expect(flagHeadline(flagStory(r, 'flag-b'))).toBe('false rollback: rolled back at 10%, nobody hurt (the gates saw harm something else caused)');
  });
});

describe('every report says it as the run report does', () => {
  const r = runScenario(withFault({ 'flag-a': { 'evaluated-by': ['web'], 'when-on': { web: { latency: 'x1.3' } } }, 'flag-b': { 'evaluated-by': ['web'] } }));
  const blind = "its gates failed as much with the flag off: they acted on harm something else caused, not on this flag's";

  it('rehearse ci: the compact headlines carry the note, as the run report\'s do', () => {
    const c = caseFromResult('x.yaml', r, 1);
    expect([c.flags['flag-a'].gates_failed_flag_off, c.flags['flag-b'].gates_failed_flag_off]).toEqual([true, true]);
    expect(caseHeadlines(c)).toEqual(runHeadlines(r));
    expect(caseHeadlines(c)[0]).toContain(`(${blind})`);
  });

  it('the HTML page\'s risk summary: acted without detecting, and blamed with the flag off failing as much', () => {
    const [a, b] = riskSummary(r);
    expect(a).toMatch(/ It hurt \d+ users in \d+ journeys, from \dm\d\ds to \dm\d\ds\. Its gates failed as much with the flag off: they acted on harm something else caused, not on this flag's\.$/);
    expect(a).not.toContain('never acted');
    expect(b).toContain('That rollback was a false alarm. The gates blamed it for harm something else caused (its gates failed as much with the flag off).');
  });

  it('a debrief\'s side that stopped the flag before harm on such gates says so beside "caught before it hurt anyone"', () => {
    // The other side's run shows flag-b hurting users (as a drill whose team let it through would): a pure comparison.
    const team = structuredClone(r);
    Object.assign(team.outcomes.flags['flag-b'], { defective: true, blast_radius_users: 12, blast_radius_requests: 15, outcome: 'completed', final_percent: 100, false_rollback: false, misattribution: false });
    const policy = comparison(team, r, []).flags.find((f) => f.flag === 'flag-b')!.policy;
    expect(policy.headline).toBe(`caught before it hurt anyone: rolled back at 10%, nobody hurt (${blind})`);
  });
});

describe('a burn-rate gate on flag-on traffic, and a flag that burns the budget itself', () => {
  const own = runScenario(scenario({
    seed: 4, duration: '30m', window: '1m',
    traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
    journeys: { buy: { steps: ['api.buy'] } },
    services: { api: { replicas: 2, concurrency: 64, latency: '20ms', errors: '0.1%', endpoints: { buy: {} } } },
    flags: { 'flag-a': { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+20%' } } } },
    rollout: [plan('flag-a')],
  }));

  it('is caught and detected: flag off did not fire the gate, so the reading has no twin', () => {
    const a = own.outcomes.flags['flag-a'];
    expect([a.defective, a.outcome, a.detected, a.misattribution, a.gates_failed_flag_off]).toEqual([true, 'rolled-back', true, false, undefined]);
    expect(a.time_to_detect_seconds).toBeGreaterThan(0);
    expect(flagHeadline(flagStory(own, 'flag-a'))).toMatch(/^caught: rolled back at 10% after \d+m\d\ds, [\d,]+ users hurt$/);
    const act = own.rollouts[0].decisions.find((d) => d.action === 'rollback')!;
    const readings = own.audit.filter((x) => x.event === 'gate' && x.timeSeconds === act.timeSeconds);
    expect(readings.map((x) => [x.gate!.verdict, x.gate!.flagOff])).toEqual([['fail', undefined]]);
    // The flag's own 20% of failures: twenty times the budget in both windows of the pair.
    expect(readings[0].gate!.value).toBeGreaterThan(1);
  });
});
