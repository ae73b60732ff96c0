/**
 * Argo Rollouts as its controller runs it, each rule from argoproj/argo-rollouts at 9f8d111d (the line numbers
 * are that commit's):
 * - analysis/analysis.go:30 DefaultErrorRetryInterval (10 s) and generateMetricTasks 233-247: after an Error the
 *   next measurement is 10 s later whatever the interval; runMeasurements 386-405: an Error does not count
 *   towards count; assessMetricFailureInconclusiveOrError 658-689: Error over Inconclusive over Failed.
 * - utils/analysis/helpers.go GetDryRunMetrics 126-145: dryRun names are unanchored regular expressions, and a
 *   rule that matches no metric makes the run Error (analysis.go 79-87).
 * - utils/replicaset/canary.go BeforeStartingStep 435-444: no background run before the startingStep.
 * - rollout/pause.go CompletedCanaryPauseStep 195-210, rollout/canary.go completedCurrentCanaryStep 307-343:
 *   `pause: {}` ends only when someone promotes.
 * - rollout/service.go reconcileStableAndCanaryService 255-288: the canaryService selects the canary pods only.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { importCommand } from '../src/cli/import.js';
import { describe, expect, it } from 'vitest';
import type { Phase } from '../src/lang/condition.js';
import { loadScenarioFile, parseScenarioText } from '../src/load/scenario.js';
import { observeSeries, type ScrapeSeries } from '../src/observe/metrics.js';
import { AnalysisRun, ERROR_RETRY_US, type AnalysisMetric } from '../src/rollout/analysis.js';
import { toScenarioParts } from '../src/interop/argo/index.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';

const metric = (over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
  template: 't', name: 'm', intervalUs: 60e6, count: null, initialDelayUs: 0, failureLimit: 0, consecutiveErrorLimit: 4,
  inconclusiveLimit: 0, consecutiveSuccessLimit: 0, dryRun: false, gate: null, provider: 'prometheus', ...over,
});

/** Feeds phases one measurement at a time; the time (s) of each and the run's phase after it. */
function drive(m: AnalysisMetric, phases: Phase[]): { at: number[]; phase: string; reason: string } {
  const run = new AnalysisRun({ name: 'run', metrics: [m], invalid: null }, 0);
  const at: number[] = [];
  for (const ph of phases) {
    const t = run.nextDueUs();
    if (!Number.isFinite(t)) break;
    at.push(t / 1e6);
    run.step(t, () => ph);
  }
  return { at, phase: run.phase, reason: run.reason };
}

const S: Phase = 'Successful', F: Phase = 'Failed', E: Phase = 'Error', I: Phase = 'Inconclusive';

describe('analysis runs, measurement by measurement, as the controller counts them', () => {
  const table: [string, Partial<AnalysisMetric>, Phase[], number[], string][] = [
    ['an error is retried after 10 s, whatever the interval', { intervalUs: 300e6, count: 3 }, [S, E, S, S], [0, 300, 310, 610], 'Successful'],
    ['errors do not use up count', { intervalUs: 60e6, count: 2 }, [E, E, S, E, S], [0, 10, 20, 80, 90], 'Successful'],
    ['the initial delay, then a retry 10 s after the error', { intervalUs: 30e6, initialDelayUs: 60e6 }, [E, S], [60, 70], 'Running'],
    ['the fifth consecutive error ends the run (consecutiveErrorLimit 4)', {}, [E, E, E, E, E], [0, 10, 20, 30, 40], 'Error'],
    ['a success resets the streak: the ninth measurement errs it', {}, [E, E, E, S, E, E, E, E, E], [0, 10, 20, 30, 90, 100, 110, 120, 130], 'Error'],
    ['failureLimit 2: the third failure fails', { failureLimit: 2 }, [F, F, F], [0, 60, 120], 'Failed'],
    ['failureLimit 0 (the default): the first failure fails', {}, [S, S, F], [0, 60, 120], 'Failed'],
    ['inconclusiveLimit 3: the fourth inconclusive', { inconclusiveLimit: 3 }, [I, I, I, I], [0, 60, 120, 180], 'Inconclusive'],
    ['count 3 with failureLimit 1: S F S succeeds', { count: 3, failureLimit: 1 }, [S, F, S], [0, 60, 120], 'Successful'],
    ['neither count nor interval: one measurement', { intervalUs: null }, [S, S], [0], 'Successful'],
    ['a failure fails before consecutiveSuccessLimit is reached (failureLimit 0)', { consecutiveSuccessLimit: 2 }, [S, F, S, S], [0, 60], 'Failed'],
    ['consecutiveSuccessLimit 2 ends it Successful at the second success in a row', { consecutiveSuccessLimit: 2, failureLimit: 3 }, [S, F, S, S, S], [0, 60, 120, 180], 'Successful'],
    ['count reached without consecutiveSuccessLimit: Inconclusive', { count: 3, consecutiveSuccessLimit: 3, failureLimit: 1 }, [S, F, S], [0, 60, 120], 'Inconclusive'],
  ];
  it.each(table)('%s', (_, over, phases, at, want) => {
    const r = drive(metric(over), phases);
    expect(r.at).toEqual(at);
    expect(r.phase).toBe(want);
  });

  it('reports Error over Inconclusive over Failed when several limits are crossed at once', () => {
    // failureLimit -1 never fails; inconclusiveLimit -1: the first assessment is already over it (0 > -1).
    expect(drive(metric({ inconclusiveLimit: 1, consecutiveErrorLimit: 0 }), [I, I, E]).reason).toBe('t/m: inconclusive (2) > inconclusiveLimit (1)');
    const both = new AnalysisRun({ name: 'r', metrics: [metric({ failureLimit: 0, consecutiveErrorLimit: -1 })], invalid: null }, 0);
    both.step(0, () => F);
    expect([both.phase, both.reason]).toEqual(['Error', 't/m: consecutiveErrors (0) > consecutiveErrorLimit (-1)']);
  });

  it('ends the run at once when one metric ends badly; dry-run metrics never decide', () => {
    const run = new AnalysisRun({ name: 'r', metrics: [metric({ name: 'a' }), metric({ name: 'b', count: 5 }), metric({ name: 'dry', dryRun: true })], invalid: null }, 0);
    run.step(0, (m) => (m.name === 'a' ? F : S));
    expect([run.phase, run.reason, run.nextDueUs()]).toEqual(['Failed', 't/a: failed (1) > failureLimit (0)', Infinity]);
    const dry = new AnalysisRun({ name: 'r', metrics: [metric({ name: 'dry', dryRun: true, count: 1 })], invalid: null }, 0);
    dry.step(0, () => F);
    expect(dry.phase).toBe('Successful');
    expect(ERROR_RETRY_US).toBe(10e6);
  });
});

describe('dryRun rules and startingStep from the resources', () => {
  const rollout = (analysis: string) => ({ file: 'ro.yaml', text: `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: r }\nspec:\n  strategy:\n    canary:\n      analysis:\n${analysis}      steps:\n      - setWeight: 10\n      - pause: { duration: 5m }\n      - analysis: { templates: [{ templateName: t }] }\n      - setWeight: 50\n  selector: { matchLabels: { app: r } }\n  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }\n` });
  const template = { file: 't.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: t }\nspec:\n  metrics:\n  - { name: my-test-1, provider: { prometheus: { query: up } } }\n  - { name: other, provider: { prometheus: { query: up } } }\n' };

  it('matches dryRun names as unanchored regular expressions; a rule that matches none errs the run', () => {
    const r = toScenarioParts([rollout('        templates: [{ templateName: t }]\n        dryRun: [{ metricName: test }]\n'), template]);
    expect(r.ok && r.parts.background!.analysis.metrics.map((m) => [m.name, m.dryRun])).toEqual([['my-test-1', true], ['other', false]]);
    const none = toScenarioParts([rollout('        templates: [{ templateName: t }]\n        dryRun: [{ metricName: "^test$" }]\n'), template]);
    expect(none.ok && none.parts.background!.analysis.invalid).toBe('dryRun[0]: Rule didn\'t match any metric name(s)');
    expect(none.warnings).toContain('ro.yaml:9:32: spec.strategy.canary.analysis.dryRun[0].metricName: "^test$" matches no metric (\"my-test-1\", \"other\"): the controller ends the run in Error ("dryRun[0]: Rule didn\'t match any metric name(s)")');
    expect(new AnalysisRun(none.ok ? none.parts.background!.analysis : { name: '', metrics: [], invalid: null }, 0).phase).toBe('Error');
  });

  it('starts the background run when the rollout reaches its startingStep, inside the stage\'s hold', () => {
    const at = (step: number) => {
      const r = toScenarioParts([rollout(`        templates: [{ templateName: t }]\n        startingStep: ${step}\n`), template]);
      return r.ok ? [r.parts.background!.startStage, r.parts.background!.startAfterUs / 60e6] : r.problems;
    };
    // steps: setWeight 10 (stage 1), pause 5m, analysis (after the pause), setWeight 50 (stage 2).
    expect([at(0), at(1), at(2), at(3)]).toEqual([[0, 0], [0, 0], [0, 5], [1, 0]]);
  });

  it('runs the e2e background analysis from step 1 and pauses the rollout at its fourth inconclusive measurement', () => {
    const v = (n: string) => readFileSync(`test/fixtures/vendor/argo/${n}`, 'utf8');
    const r = toScenarioParts([{ file: 'ro.yaml', text: v('e2e-rollout-background-analysis-inconclusive.yaml') }, { file: 'at.yaml', text: v('e2e-analysistemplate-web-background-inconclusive.yaml') }]);
    expect(r.ok && [r.parts.background!.startStage, r.parts.background!.startAfterUs]).toEqual([0, 0]);
    const run = new AnalysisRun(r.ok ? r.parts.background!.analysis : { name: '', metrics: [], invalid: null }, 0);
    const times: number[] = [];
    while (run.phase === 'Running') {
      times.push(run.nextDueUs() / 1e6);
      run.step(run.nextDueUs(), () => 'Inconclusive');
    }
    expect([times, run.phase, run.reason]).toEqual([[0, 5, 10, 15], 'Inconclusive', 'web-background-inconclusive/web: inconclusive (4) > inconclusiveLimit (3)']);
  });
});

/**
 * The limits' rules: utils/analysis/factory.go ValidateMetric, each case and message from factory_test.go
 * TestValidateMetrics; the controller checks them in reconcileAnalysisRun (analysis.go 69-77) and ends the run in
 * Error. failureLimit -1 means failures never fail the metric (assessMetricFailureInconclusiveOrError 662-667);
 * analysis_test.go TestAssessMetricStatusConsecutiveSuccessLimit: consecutiveSuccessLimit then decides it.
 */
describe('a metric\'s limits: -1 and the other negative values, as the controller reads them', () => {
  const ro = { file: 'ro.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: r }\nspec:\n  strategy:\n    canary:\n      trafficRouting: { nginx: { stableIngress: i } }\n      steps:\n      - setWeight: 10\n      - analysis: { templates: [{ templateName: t }] }\n      canaryService: c\n      stableService: s\n  selector: { matchLabels: { app: r } }\n  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }\n' };
  const template = (fields: string) => ({ file: 't.yaml', text: `apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: t }\nspec:\n  metrics:\n  - name: ok\n    provider: { prometheus: { query: up } }\n  - name: m\n    provider: { prometheus: { query: up } }\n${fields}` });
  const parts = (fields: string) => {
    const r = toScenarioParts([ro, template(fields)]);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return { analysis: r.parts.stages.find((st) => st.analysis)!.analysis!, warnings: r.warnings };
  };

  it.each([
    ['    failureLimit: -2\n', 'failureLimit', '-2', 'failureLimit must be >= 0, or -1 to be disabled'],
    ['    inconclusiveLimit: -1\n', 'inconclusiveLimit', '-1', 'inconclusiveLimit must be >= 0'],
    ['    consecutiveErrorLimit: -1\n', 'consecutiveErrorLimit', '-1', 'consecutiveErrorLimit must be >= 0'],
    ['    consecutiveSuccessLimit: -1\n', 'consecutiveSuccessLimit', '-1', 'consecutiveSuccessLimit must be >= 0'],
    ['    consecutiveSuccessLimit: 0\n    failureLimit: -1\n', 'failureLimit', '-1', 'failureLimit and consecutiveSuccessLimit cannot both be disabled'],
    ['    failureLimit: -1\n', 'failureLimit', '-1', 'failureLimit and consecutiveSuccessLimit cannot both be disabled'],
    ['    count: 2\n', 'count', '2', 'interval must be specified when count > 1'],
    ['    interval: 1m\n    count: 3\n    failureLimit: 2\n    consecutiveSuccessLimit: 2\n', 'count', '3', 'count (3) must be >= failureLimit + consecutiveSuccessLimit (2 + 2) if both >= 0'],
  ])('%j: the run ends in Error before measuring, as the controller ends it, said at the field', (fields, key, value, message) => {
    const { analysis, warnings } = parts(fields);
    // The second metric of the run: metrics[1], as ValidateMetrics numbers the run's metrics.
    expect(analysis.invalid).toBe(`metrics[1]: ${message}`);
    const line = 10 + fields.split('\n').findIndex((l) => l.trimStart().startsWith(`${key}:`));
    expect(warnings).toContain(`t.yaml:${line}:${fields.split('\n').find((l) => l.trimStart().startsWith(`${key}:`))!.indexOf(':') + 3}: spec.metrics[1].${key}: ${value}: the controller ends the analysis run in Error before its first measurement ("Analysis spec invalid: metrics[1]: ${message}")`);
    const run = new AnalysisRun(analysis, 0);
    expect([run.phase, run.reason, run.nextDueUs()]).toEqual(['Error', `metrics[1]: ${message}`, Infinity]);
  });

  it('failureLimit -1 with a consecutiveSuccessLimit: failures never fail it; the successes in a row decide, or the count ends it Failed', () => {
    const { analysis, warnings } = parts('    interval: 1m\n    failureLimit: -1\n    consecutiveSuccessLimit: 3\n');
    expect(analysis.invalid).toBeNull();
    expect(warnings.filter((w) => w.includes('failureLimit'))).toEqual([]);
    const m = analysis.metrics[1];
    const F = 'Failed' as const, S = 'Successful' as const;
    expect(drive(m, [F, F, F, F, S, S, S])).toMatchObject({ phase: 'Successful', reason: '' });
    expect(drive({ ...m, count: 7 }, [F, F, F, S, S, F, S, S])).toMatchObject({ phase: 'Failed', reason: 't/m: count (7) reached without consecutiveSuccessLimit (3)' });
  });

  it('rehearse import argo: a -1 is carried into the plan with its consecutiveSuccessLimit; a run the controller errs is refused', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-argo-limits-'));
    const files = (fields: string) => {
      writeFileSync(join(dir, 'ro.yaml'), ro.text);
      writeFileSync(join(dir, 't.yaml'), template(fields).text);
      return [join(dir, 'ro.yaml'), join(dir, 't.yaml')];
    };
    const only = importCommand('argo', files('    interval: 1m\n    failureLimit: -1\n    consecutiveSuccessLimit: 3\n'), 'f');
    expect(only.text).toContain('            - name: t/m\n              promql: up\n              result: list\n              interval: 1m\n              failure-limit: -1\n              inconclusive-limit: 0\n              consecutive-error-limit: 4\n              consecutive-success-limit: 3\n');
    expect(only.warnings.filter((w) => w.includes('failureLimit'))).toEqual([]);
    expect(() => importCommand('argo', files('    failureLimit: -2\n'), 'f')).toThrow(`${join(dir, 't.yaml')}:10:19: spec.metrics[1].failureLimit: -2: the controller ends the analysis run in Error before its first measurement ("Analysis spec invalid: metrics[1]: failureLimit must be >= 0, or -1 to be disabled")`);
  });
});

describe('canaryService: a query filtered on it sees only the canary pods', () => {
  const dir = 'test/fixtures/argo/canary-service';
  const text = readFileSync(`${dir}/scenario.yaml`, 'utf8');
  const load = (templates: string) => {
    const l = parseScenarioText(text.replace('canary-error-rate.yaml', templates), dir);
    if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('scenario.yaml', p)).join('\n'));
    return l.scenario;
  };

  it('labels the canary pods\' calls with the canary Service and the others with the stable one', () => {
    const s = load('canary-error-rate.yaml');
    let series!: ScrapeSeries;
    runScenario(s, { observe: (sim) => (series = observeSeries(sim, s)) });
    const byService = (name: string) => new Set(series.series('istio_requests_total').filter((x) => x.labels.flag_new_api === (name === 'api-canary' ? 'on' : 'off')).map((x) => x.labels.destination_service_name));
    expect([byService('api-canary'), byService('api-stable')]).toEqual([new Set(['api-canary']), new Set(['api-stable'])]);
    expect(new Set(series.series('istio_requests_total').map((x) => x.labels.destination_workload))).toEqual(new Set(['api']));
  });

  it('catches the defect through the canary Service, and misses it through the blend', () => {
    const canary = runScenario(load('canary-error-rate.yaml'));
    expect(canary.rollouts[0].outcome).toBe('rolled-back');
    expect(canary.rollouts[0].decisions.at(-1)!.reason).toMatch(/^background analysis failed: error-rate\/error-rate: failed \(2\) > failureLimit \(1\); back to 0%$/);
    const blend = runScenario(load('blend-error-rate.yaml'));
    expect(blend.rollouts[0].outcome).toBe('completed');
    const seen = blend.audit.filter((a) => a.event === 'gate').map((a) => a.gate!.value!);
    expect(Math.max(...seen)).toBeLessThan(0.05); // about 0.5% + 10% x 20%: under the threshold
    expect(canary.audit.filter((a) => a.event === 'gate').map((a) => a.gate!.value!).every((v) => v > 0.1)).toBe(true);
  });

  it('needs to know which service runs the Rollout when it names canary and stable Services', () => {
    const l = parseScenarioText(text.replace(/\n {2}api:\n/, '\n  api2:\n').replace(/api\.get/, 'api2.get').replace('evaluated-by: [api]', 'evaluated-by: [api2]').replace('api: { errors', 'api2: { errors'), dir);
    expect(l.ok ? [] : l.problems.map((p) => p.message)).toEqual(['no service of the scenario is named "api"; did you mean "api2"?: name the one that runs it in rollout[0].argo.service, so that queries on its canary and stable Services see their pods\' calls']);
  });
});

describe('an errored measurement is retried 10 s later, in a rehearsal', () => {
  it('measures a query with no data at 0, 10, 20, 30 and 40 s and ends the run in Error at the fifth', () => {
    const dir = 'test/fixtures/argo/canary-service';
    const text = readFileSync(`${dir}/scenario.yaml`, 'utf8').replace('      templates: [canary-error-rate.yaml]\n', `      templates: [canary-error-rate.yaml]
      patches:
        - { resource: templates.0, path: [spec, metrics, 0, provider, prometheus, query], value: 'sum(rate(istio_requests_total{destination_service_name="nobody"}[1m]))' }
        - { resource: templates.0, path: [spec, metrics, 0, interval], value: 5m }\n`);
    const l = parseScenarioText(text, dir);
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const r = runScenario(l.scenario);
    const gates = r.audit.filter((a) => a.event === 'gate');
    expect(gates.map((a) => a.timeSeconds - 60)).toEqual([0, 10, 20, 30, 40]);
    expect(gates[0].gate!.detail).toMatch(/^measurement 1: Error: result = \[\]: could not evaluate successCondition "result\[0\] < 0.05": metric result is nil or empty/);
    expect(r.rollouts[0].decisions.at(-1)!.reason).toBe('background analysis error: error-rate/error-rate: consecutiveErrors (5) > consecutiveErrorLimit (4); back to 0%');
  });
});

describe('pause: {} waits for a promotion', () => {
  it('without an approver, validate says the plan stops there, and the run stops there, paused', () => {
    const l = loadScenarioFile('test/fixtures/argo/pause/scenario.yaml');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    expect(l.scenario.rollouts[0].warnings).toContain('../../vendor/argo/rollout-canary.yaml:31:16: spec.strategy.canary.steps[1].pause: waits for a promotion, and the scenario names no approver (rollout[0].argo.approval): the plan stops before stage 2 (40%), paused');
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('paused');
    expect(r.rollouts[0].finalPercent).toBe(20);
    expect(r.rollouts[0].decisions.at(-1)!.reason).toBe('waiting for a promotion before stage 2: no approver in the scenario (../../vendor/argo/rollout-canary.yaml:31:16: spec.strategy.canary.steps[1].pause)');
  });

  it('with the scenario\'s approver, it waits the approver\'s delay and goes on', () => {
    const text = readFileSync('test/fixtures/argo/pause/scenario.yaml', 'utf8').replace('argo: { rollout: ../../vendor/argo/rollout-canary.yaml }', 'argo: { rollout: ../../vendor/argo/rollout-canary.yaml, approval: 5m }');
    const l = parseScenarioText(text, 'test/fixtures/argo/pause');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('completed');
    const approved = r.audit.find((a) => a.action === 'approve')!;
    expect(approved.timeSeconds).toBe(5 * 60);
  });
});

describe('range queries', () => {
  it('measures at every step from start to end, every sample in the result', () => {
    const l = loadScenarioFile('test/fixtures/argo/range-query/scenario.yaml');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const gate = l.scenario.rollouts[0].analyses!.stages[0]!.metrics[0].gate!;
    expect(gate.range).toEqual({ fromUs: -180e6, toUs: 0, stepUs: 60e6 });
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('completed');
    expect(r.audit.find((a) => a.event === 'gate')!.gate!.detail).toMatch(/^measurement 1: Successful: result = \[\d+(\.\d+)?, \d+(\.\d+)?, \d+(\.\d+)?, \d+(\.\d+)?\]; metric Successful$/);
  });

  it('reads start and end as now() plus or minus durations, and refuses a date', () => {
    const at = (start: string) => {
      const text = readFileSync('test/fixtures/argo/range-query/template.yaml', 'utf8').replace(`'now() - duration("{{args.lookback-duration}}")'`, start);
      const r = toScenarioParts([{ file: 'ro.yaml', text: readFileSync('test/fixtures/argo/range-query/rollout.yaml', 'utf8') }, { file: 't.yaml', text }]);
      return r.ok ? r.parts.stages[0].analysis!.metrics[0].gate!.range : r.problems;
    };
    expect(at(`'now() - duration("1h") + duration("30m")'`)).toEqual({ fromUs: -1800e6, toUs: 0, stepUs: 60e6 });
    expect(at(`'date("2023-08-14 00:00:00", "2006-01-02 15:04:05", "UTC") - duration("1h")'`)).toEqual([
      't.yaml:15:18: spec.metrics[0].provider.prometheus.rangeQuery.start: "date(\\"2023-08-14 00:00:00\\", \\"2006-01-02 15:04:05\\", \\"UTC\\") - duration(\\"1h\\")": a rehearsal reads a range\'s times as now() plus or minus duration("...") (a date is not a time of the simulated run)',
    ]);
  });
});

