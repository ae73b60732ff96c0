/**
 * Argo Rollouts' own unit tests, replayed on rehearse's analysis runs (argoproj/argo-rollouts at 9f8d111d):
 * - analysis/analysis_test.go TestAssessMetricStatusConsecutiveSuccessLimit, ...FailureLimitAndConsecutiveSuccessLimit,
 *   ...InconclusiveLimit, ...ConsecutiveErrors, ...CountReached: the phase assessMetricStatus gives a metric's
 *   counters, running (terminating false) and when the run ends (terminating true). The vendor tests set the
 *   counters directly; here the measurements that make those counters are fed one by one (a sequence that would
 *   have ended the metric earlier ends it there, as the controller would).
 * - An interval of "0": Go's time.ParseDuration reads "0" and "0s" as 0; utils/analysis/factory.go ValidateMetric
 *   only asks that an Interval that is not "" parses (count > 1 needs `metric.Interval != ""`, which "0" is);
 *   pkg/apis/rollouts/v1alpha1/analysis_types.go EffectiveCount: an interval given and no count runs
 *   indefinitely; analysis/analysis.go generateMetricTasks takes the next measurement once
 *   `Now().After(lastMeasurement.FinishedAt.Add(interval))`, and calculateNextReconcileTime enqueues the run
 *   after max(0, that time - now): with 0, at once, back to back, 10 s after an Error as with any interval.
 */
import { describe, expect, it } from 'vitest';
import type { Phase } from '../src/lang/condition.js';
import { AnalysisRun, effectiveCount, type AnalysisMetric } from '../src/rollout/analysis.js';
import { toScenarioParts } from '../src/interop/argo/index.js';

const metric = (over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
  template: 't', name: 'm', intervalUs: 60e6, count: null, initialDelayUs: 0, failureLimit: 0, consecutiveErrorLimit: 4,
  inconclusiveLimit: 0, consecutiveSuccessLimit: 0, dryRun: false, gate: null, provider: 'prometheus', ...over,
});

/** The metric's run phase after the measurements, running or at the end of the run (terminate). */
function assess(m: AnalysisMetric, phases: string, terminating: boolean): string {
  const of: Record<string, Phase> = { S: 'Successful', F: 'Failed', I: 'Inconclusive', E: 'Error' };
  const run = new AnalysisRun({ name: 'r', metrics: [m], invalid: null }, 0);
  for (const ph of phases) {
    if (run.phase !== 'Running') break;
    run.step(run.nextDueUs(), () => of[ph]);
  }
  if (terminating) run.terminate();
  return run.phase;
}

describe('analysis_test.go TestAssessMetricStatus*: the phases of a metric\'s counters', () => {
  const csl = (limit: number, count: number | null) => metric({ failureLimit: -1, consecutiveSuccessLimit: limit, count });
  const both = (count: number | null) => metric({ failureLimit: 4, consecutiveSuccessLimit: 4, count });
  const table: [string, AnalysisMetric, string, string, string][] = [
    // TestAssessMetricStatusConsecutiveSuccessLimit: failureLimit -1; Failed 3, Successful 4, ConsecutiveSuccess 3, Count 7.
    ['csl 3, no count: ConsecutiveSuccess == limit', csl(3, null), 'SFFFSSS', 'Successful', 'Successful'],
    ['csl 5, no count: below the limit', csl(5, null), 'SFFFSSS', 'Running', 'Successful'],
    ['csl 5, count 7 reached: Failed (failureLimit -1)', csl(5, 7), 'SFFFSSS', 'Failed', 'Failed'],
    ['csl 3, count 7 reached', csl(3, 7), 'SFFFSSS', 'Successful', 'Successful'],
    ['csl 3, count 9 not reached', csl(3, 9), 'SFFFSSS', 'Successful', 'Successful'],
    ['csl 5, count 9 not reached', csl(5, 9), 'SFFFSSS', 'Running', 'Successful'],
    // TestAssessMetricStatusFailureLimitAndConsecutiveSuccessLimit: failureLimit 4, consecutiveSuccessLimit 4.
    ['no count: neither limit (F3, CS3, Count 7)', both(null), 'SFFFSSS', 'Running', 'Successful'],
    ['no count: failureLimit violated (F5, CS0, Count 9)', both(null), 'FSFSFSFSF', 'Failed', 'Failed'],
    ['no count: csl satisfied (F3, CS4, Count 8)', both(null), 'SFFFSSSS', 'Successful', 'Successful'],
    ['count 10 reached, neither (F4, S6, CS3): Inconclusive', both(10), 'SSSFFFFSSS', 'Inconclusive', 'Inconclusive'],
    ['count 10, failureLimit violated (F5, S5, CS3)', both(10), 'SSFFFFFSSS', 'Failed', 'Failed'],
    ['count 10 reached, csl satisfied (F4, S6, CS4)', both(10), 'SSFFFFSSSS', 'Successful', 'Successful'],
    ['count 10 not reached, neither (F3, S5, CS3)', both(10), 'SSFFFSSS', 'Running', 'Successful'],
    ['count 10 not reached, failureLimit violated (F5, S3, CS3)', both(10), 'FFFFFSSS', 'Failed', 'Failed'],
    ['count 10 not reached, csl satisfied (F3, S5, CS4)', both(10), 'SFFFSSSS', 'Successful', 'Successful'],
    // TestAssessMetricStatusInconclusiveLimit: Inconclusive 3, Count 3.
    ['inconclusiveLimit 2: Inconclusive 3', metric({ inconclusiveLimit: 2 }), 'III', 'Inconclusive', 'Inconclusive'],
    ['inconclusiveLimit 3: Inconclusive 3', metric({ inconclusiveLimit: 3 }), 'III', 'Running', 'Successful'],
    // TestAssessMetricStatusConsecutiveErrors: ConsecutiveError 5, then 4 (consecutiveErrorLimit default 4).
    ['ConsecutiveError 5', metric(), 'EEEEE', 'Error', 'Error'],
    ['ConsecutiveError 4', metric(), 'EEEE', 'Running', 'Successful'],
    // TestAssessMetricStatusCountReached: count 10, Successful 10; then Successful 5, Inconclusive 5.
    ['count 10: Successful 10', metric({ count: 10 }), 'SSSSSSSSSS', 'Successful', 'Successful'],
    ['count 10: Successful 5, Inconclusive 5', metric({ count: 10 }), 'SSSSSIIIII', 'Inconclusive', 'Inconclusive'],
  ];
  it.each(table)('%s', (_, m, phases, running, terminating) => {
    expect([assess(m, phases, false), assess(m, phases, true)]).toEqual([running, terminating]);
  });
});

describe('an interval of "0": measured again at once, as the controller does', () => {
  const template = (interval: string, extra = '') => ({
    file: 't.yaml',
    text: `apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: t }\nspec:\n  metrics:\n  - name: m\n    interval: ${interval}\n${extra}    provider: { prometheus: { query: up } }\n`,
  });
  const ro = { file: 'ro.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: r }\nspec:\n  strategy:\n    canary:\n      trafficRouting: { nginx: { stableIngress: i } }\n      steps:\n      - setWeight: 10\n      - analysis: { templates: [{ templateName: t }] }\n      canaryService: c\n      stableService: s\n  selector: { matchLabels: { app: r } }\n  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }\n' };
  const read = (interval: string, extra = '') => {
    const r = toScenarioParts([ro, template(interval, extra)]);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return r.parts.stages.find((s) => s.analysis)!.analysis!;
  };

  it.each(['"0"', '"0s"', '0ms', '"-0"'])('reads interval %s as an interval of 0, given: no count runs indefinitely, count 3 is valid', (text) => {
    const a = read(text);
    expect([a.invalid, a.metrics[0].intervalUs, effectiveCount(a.metrics[0])]).toEqual([null, 0, null]);
    expect(read(text, '    count: 3\n').invalid).toBeNull();
    // Without an interval, count 3 errs the run (ValidateMetric: "interval must be specified when count > 1").
    expect(read('""', '    count: 3\n').invalid).toBe('metrics[0]: interval must be specified when count > 1');
  });

  it('takes the measurements back to back at one instant, the same phase each time, until the metric ends', () => {
    const at = (m: AnalysisMetric, phase: Phase) => {
      const run = new AnalysisRun({ name: 'r', metrics: [m], invalid: null }, 5e6, 15e6);
      const taken = run.step(5e6, () => phase);
      return [taken.map((t) => [t.number, t.metricPhase]), run.phase, run.nextDueUs()];
    };
    expect(at(metric({ intervalUs: 0, count: 3 }), 'Successful')).toEqual([[[3, 'Successful']], 'Successful', Infinity]);
    expect(at(metric({ intervalUs: 0, failureLimit: 2 }), 'Failed')).toEqual([[[3, 'Failed']], 'Failed', Infinity]);
    expect(at(metric({ intervalUs: 0, inconclusiveLimit: 1 }), 'Inconclusive')).toEqual([[[2, 'Inconclusive']], 'Inconclusive', Infinity]);
    expect(at(metric({ intervalUs: 0, consecutiveSuccessLimit: 4 }), 'Successful')).toEqual([[[4, 'Successful']], 'Successful', Infinity]);
    // count 5 with failureLimit 1: the second failure ends it before the count.
    expect(at(metric({ intervalUs: 0, count: 5, failureLimit: 1 }), 'Failed')).toEqual([[[2, 'Failed']], 'Failed', Infinity]);
    // An Error: 10 s later, as with any interval (DefaultErrorRetryInterval).
    expect(at(metric({ intervalUs: 0 }), 'Error')).toEqual([[[1, 'Running']], 'Running', 15e6]);
    // Successful with neither count nor consecutiveSuccessLimit never ends: measured again a scrape interval
    // later (15 s here), when the series can have changed, not at the same instant forever.
    expect(at(metric({ intervalUs: 0 }), 'Successful')).toEqual([[[1, 'Running']], 'Running', 20e6]);
  });

  it('a metric without an interval is measured once (EffectiveCount 1): unlike an interval of 0', () => {
    const run = new AnalysisRun({ name: 'r', metrics: [metric({ intervalUs: null })], invalid: null }, 0);
    expect([run.step(0, () => 'Successful').map((t) => t.number), run.phase]).toEqual([[1], 'Successful']);
    const zero = new AnalysisRun({ name: 'r', metrics: [metric({ intervalUs: 0 })], invalid: null }, 0);
    expect([zero.step(0, () => 'Successful').map((t) => t.number), zero.phase]).toEqual([[1], 'Running']);
  });
});
