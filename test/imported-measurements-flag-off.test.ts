/**
 * An Argo analysis run's measurements and a Flagger Canary's checks are read on flag-off traffic as gates are: a
 * failed measurement whose query selects the plan's flag on is evaluated again with those matchers turned to flag
 * off (src/rollout/flag-off-query.ts), and the rollback a failed run or the checks' threshold leads to says whether it
 * rested only on measurements that failed there too (a misattribution: something else caused what they saw), or on
 * measurements that cannot be judged so. Argo: analysis/analysis.go assessMetricFailureInconclusiveOrError (a metric
 * is Failed when its failed measurements exceed failureLimit: those are what the run's failure rests on). Flagger:
 * pkg/controller/scheduler.go (the canary is rolled back once its failed checks reach the analysis' threshold: the
 * failed checks are what it rests on); its builtin Istio success rate selects the canary's workload
 * (pkg/metrics/observers/istio.go destination_workload=~"{{ target }}"), the primary's is "<target>-primary".
 */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { flagHeadline, flagStory } from '../src/report/vocabulary.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import { scenario } from './helpers.js';

const ratio = (side: string) => `sum(rate(http_requests_total{service_name="api",${side}code=~"5.."}[2m])) / sum(rate(http_requests_total{service_name="api",${side}}[2m]))`;

const doc = (query: string, errors: string) => ({
  name: 'test', seed: 4, duration: '20m', window: '1m',
  traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
  journeys: { buy: { steps: ['api.buy'] } },
  services: { api: { replicas: 2, concurrency: 64, latency: '20ms', errors, endpoints: { buy: {} } } },
  flags: { 'flag-b': { 'evaluated-by': ['api'] } },
  rollout: [{
    flag: 'flag-b', stages: [{ to: '20%', hold: '10m' }, { to: '100%' }],
    'background-analysis': { stage: 1, metrics: [{ name: 'errors', promql: query, success: 'result < 0.02', interval: '1m', 'failure-limit': 1 }] },
  }],
});

const rollback = (r: RunResult) => r.rollouts[0].decisions.find((d) => d.action === 'rollback')!;

describe('an Argo analysis run over flag-on calls', () => {
  it('failed by the service\'s own errors: its measurements fail on flag-off calls too, and the rollback is a misattribution', () => {
    const r = runScenario(scenario(doc(ratio('flag_flag_b="on",'), '3%')));
    const failed = r.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(1);
    for (const a of failed) expect(a.gate!.flagOff!.value).toBeGreaterThanOrEqual(0.02);
    expect(rollback(r).reason).toBe('background analysis failed: errors: failed (2) > failureLimit (1); back to 0%');
    const b = r.outcomes.flags['flag-b'];
    expect([b.defective, b.outcome, b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([false, 'rolled-back', true, true, true]);
    expect(flagHeadline(flagStory(r, 'flag-b'))).toBe('false rollback: rolled back at 20%, nobody hurt (the gates saw harm something else caused)');
  });

  it('a query over flag-on and flag-off calls alike cannot be judged so: the rollback and the outcome say which metric and why', () => {
    const r = runScenario(scenario(doc(ratio(''), '3%')));
    const why = 'http_requests_total{service_name="api",code=~"5.."} reads flag-on and flag-off traffic alike (no matcher flag_flag_b="on")';
    expect(rollback(r).reason).toMatch(/^background analysis failed: errors: failed \(2\) > failureLimit \(1\)/);
    expect(r.outcomes.flags['flag-b'].gates_unjudged_flag_off).toEqual([`background analysis: errors: ${why}`]);
  });
});

describe('a Flagger Canary\'s checks over the canary\'s pods', () => {
  // Flagger's Istio example, its service failing 5% of every call whoever serves it: the canary's success rate
  // (minimum 99%) fails, and so does the primary's, read with the canary's workload turned to the primary's.
  const text = `name: flagger-flag-off
seed: 7
duration: 6m
traffic: { rate: 40/s, cohort: { size: 5000, seed: 1 } }
journeys: { call: { steps: [podinfo.get] } }
services:
  podinfo: { replicas: 2, concurrency: 32, latency: { dist: lognormal, p50: 10ms, p99: 80ms }, errors: 5%, endpoints: { get: {} } }
flags:
  podinfo-v2: { evaluated-by: [podinfo] }
metrics: { scrape-interval: 5s }
rollout:
  - flag: podinfo-v2
    flagger:
      canary: test/fixtures/vendor/flagger/istio-canary.yaml
`;
  const l = parseScenarioText(text, '.');
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('scenario', p)).join('\n'));
  const r = runScenario(l.scenario);

  it('rolls back at the threshold on checks that fail on the primary\'s calls too: a misattribution', () => {
    const failed = r.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failed.length).toBeGreaterThanOrEqual(10);
    for (const a of failed) expect([a.gate!.gate, a.gate!.flagOff!.value! < 99]).toEqual(['canary podinfo: request-success-rate', true]);
    expect(rollback(r).reason).toBe('canary podinfo: failed checks (10) reached the threshold (10); back to 0%');
    const b = r.outcomes.flags['podinfo-v2'];
    expect([b.defective, b.outcome, b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([false, 'rolled-back', true, true, true]);
  });
});
