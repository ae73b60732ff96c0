/**
 * Analysis runs in rehearse's own format (stages[].analysis, background-analysis): read into the runs the
 * controller measures, with the limits held to argoproj/argo-rollouts utils/analysis/factory.go ValidateMetric
 * (refused at the field where the Rollout's run would end in Error).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseScenarioObject } from '../src/load/scenario.js';
import { formatPath } from '../src/scenario/problems.js';

const base = {
  name: 'analysis-plan', seed: 1, duration: '30m',
  traffic: { rate: '10/s', cohort: { size: 1000 } },
  journeys: { call: { steps: ['api.get'] } },
  services: { api: { latency: { dist: 'lognormal', p50: '10ms', p99: '50ms' }, endpoints: { get: {} } } },
  flags: { 'new-api': { 'evaluated-by': ['api'] } },
};
const load = (rollout: unknown[]) => parseScenarioObject({ ...base, rollout }, '.');
const problems = (rollout: unknown[]) => {
  const l = load(rollout);
  return l.ok ? [] : l.problems.map((p) => `${formatPath(p.path)}: ${p.message}`);
};
const metric = (over: Record<string, unknown> = {}) => ({ name: 'm', promql: 'vector(1)', success: 'result == 1', ...over });
const plan = (m: Record<string, unknown>) => [{ flag: 'new-api', stages: [{ to: '10%', hold: '1m', analysis: { metrics: [m] } }, { to: '100%' }] }];

describe('analysis runs of a native plan', () => {
  it('reads the example of docs/rollouts.md into the runs the controller measures', () => {
    const page = readFileSync('docs/rollouts.md', 'utf8');
    const block = page.slice(page.indexOf('## Analysis runs')).split('```yaml\n')[1].split('```')[0];
    const l = load((parse(block) as { rollout: unknown[] }).rollout);
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    const a = l.scenario.rollouts[0].analyses!;
    expect(a.stages[0]!.name).toBe('stage 1 analysis');
    expect(a.stages[0]!.metrics[0]).toMatchObject({
      template: '', name: 'error-ratio', intervalUs: 60e6, initialDelayUs: 30e6, count: 4, failureLimit: 1, inconclusiveLimit: 1,
      consecutiveErrorLimit: 2, consecutiveSuccessLimit: 3, dryRun: false, provider: 'prometheus',
    });
    expect(a.stages[0]!.metrics[0].gate).toMatchObject({ kind: 'promql', result: 'value', origin: 'stage 1 analysis: error-ratio' });
    expect(a.stages[1]).toBeNull();
    expect(a.background).toMatchObject({ startStage: 0, startAfterUs: 0, analysis: { name: 'background analysis', metrics: [{ name: 'smoke', gate: null, provider: 'web', dryRun: true, intervalUs: null }] } });
  });

  it('defaults as the CRD leaves them to the controller: no interval, count, failure 0, inconclusive 0, errors 4, successes 0', () => {
    const l = load(plan(metric()));
    expect(l.ok && l.scenario.rollouts[0].analyses!.stages[0]!.metrics[0]).toMatchObject({
      intervalUs: null, initialDelayUs: 0, count: null, failureLimit: 0, inconclusiveLimit: 0, consecutiveErrorLimit: 4, consecutiveSuccessLimit: 0, dryRun: false,
    });
    const zero = load(plan(metric({ interval: '0s' })));
    expect(zero.ok && zero.scenario.rollouts[0].analyses!.stages[0]!.metrics[0].intervalUs).toBe(0);
  });

  it.each([
    [{ count: 2 }, 'count', 'interval must be specified when count > 1'],
    [{ 'failure-limit': -1 }, 'failure-limit', 'failure-limit and consecutive-success-limit cannot both be disabled'],
    [{ 'failure-limit': -2 }, 'failure-limit', 'failure-limit must be >= 0, or -1 to be disabled'],
    [{ 'inconclusive-limit': -1 }, 'inconclusive-limit', 'inconclusive-limit must be >= 0'],
    [{ interval: '1m', count: 3, 'failure-limit': 2, 'consecutive-success-limit': 2 }, 'count', 'count (3) must be >= failure-limit + consecutive-success-limit (2 + 2) if both >= 0'],
  ])('refuses %j at %s, as ValidateMetric would err the run', (over, key, message) => {
    expect(problems(plan(metric(over)))).toEqual([`rollout[0].stages[0].analysis.metrics[0].${key}: ${message} (the Argo Rollouts controller ends such a run in Error before measuring)`]);
  });

  it('refuses a metric with both or neither of promql and provider, a duplicate name, a background stage that is not there', () => {
    expect(problems(plan({ name: 'm', promql: 'up', provider: 'web' }))).toEqual(['rollout[0].stages[0].analysis.metrics[0]: a metric has either promql (measured over the simulated series) or provider (not simulated: Inconclusive)']);
    expect(problems(plan({ name: 'm', provider: 'web', success: 'result == 1' }))).toEqual(['rollout[0].stages[0].analysis.metrics[0].success: a provider that is not simulated measures nothing: success has no use (each measurement is Inconclusive)']);
    expect(problems([{ flag: 'new-api', stages: [{ to: '10%', analysis: { metrics: [metric(), metric()] } }] }])).toEqual(['rollout[0].stages[0].analysis.metrics[1].name: two metrics of the run are named "m"']);
    expect(problems([{ flag: 'new-api', stages: [{ to: '100%' }], 'background-analysis': { stage: 2, metrics: [metric()] } }])).toEqual(['rollout[0].background-analysis.stage: stage names a stage from 1 to 1']);
  });

  it('pods: the canary and stable pods of a service in the series; an unknown service is refused with a suggestion', () => {
    const l = load([{ flag: 'new-api', stages: [{ to: '100%' }], pods: { service: 'api', canary: { service: 'api-canary' } } }]);
    expect(l.ok && l.scenario.metrics.mapping.splits).toMatchObject([{ flag: 'new-api', service: 'api', canary: { workload: 'api', service: 'api-canary' }, stable: { workload: 'api', service: 'api' } }]);
    expect(problems([{ flag: 'new-api', stages: [{ to: '100%' }], pods: { service: 'apii' } }])).toEqual(['rollout[0].pods.service: unknown service "apii"; did you mean "api"?']);
  });
});
