import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts, type SourceFile } from '../src/interop/argo/index.js';
import { AnalysisRun, type AnalysisMetric } from '../src/rollout/analysis.js';
import type { Phase } from '../src/lang/condition.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';

const file = (path: string, name = path): SourceFile => ({ file: name, text: readFileSync(path, 'utf8') });

function load(caseName: string) {
  const l = loadScenarioFile('examples/argo/guestbook.yaml', caseName);
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('guestbook.yaml', p)).join('\n'));
  return l.scenario;
}

describe('Argo Rollouts, as it is', () => {
  it('turns the documented canary into stages, a background run from step 2 and an analysis step', () => {
    const r = toScenarioParts([file('examples/argo/rollout.yaml'), file('examples/argo/analysis-templates.yaml')], { args: { 'service-name': 'guestbook' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parts.stages.map((s) => [s.percent, s.holdUs / 60e6, s.analysis?.metrics[0].template ?? null])).toEqual([
      [20, 10, null], [40, 10, 'success-rate-check'], [60, 10, null], [80, 10, null], [100, 0, null],
    ]);
    expect(r.parts.background!.startStage).toBe(1);
    const m = r.parts.background!.analysis.metrics[0];
    expect(m).toMatchObject({ template: 'success-rate', name: 'success-rate', intervalUs: 300e6, failureLimit: 3, count: null, consecutiveErrorLimit: 4 });
    expect(m.gate!.query).toContain('destination_service=~"guestbook"');
  });

  it('promotes the healthy release and rolls back the defective one, naming template, metric and measurement', () => {
    const healthy = runScenario(load('healthy'));
    expect(healthy.rollouts[0].outcome).toBe('completed');
    const bad = runScenario(load('defective'));
    expect(bad.rollouts[0].outcome).toBe('rolled-back');
    expect(bad.rollouts[0].decisions.at(-1)!.reason).toMatch(/analysis failed: success-rate(-check)?\/success-rate: failed \(\d+\) > failureLimit \(\d+\)/);
    const failed = bad.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].gate!.gate).toMatch(/^(background analysis|step 5 analysis): success-rate(-check)?\/success-rate$/);
    expect(failed[0].gate!.detail).toMatch(/^measurement \d+: Failed: result = \[0\.\d+\]; metric (Running|Failed)$/);
  });

  it('rehearses the official analysis-step example: the job provider is inconclusive, with a warning, and the rollout pauses', () => {
    const r = toScenarioParts([file('test/fixtures/argo/rollout-analysis-step.yaml', 'rollout.yaml'), file('test/fixtures/argo/analysis-templates.yaml', 'templates.yaml')]);
    expect(r.ok).toBe(true);
    expect(r.warnings).toEqual([
      'rollout.yaml:12:13: spec.replicas, spec.selector (15:5), spec.template (18:5): the workload\'s pods are not simulated: the scenario\'s services stand for them',
      'rollout.yaml:13:25: spec.revisionHistoryLimit: how many old ReplicaSets and AnalysisRuns the controller keeps: nothing to rehearse',
      'rollout.yaml:37:17: spec.strategy.canary.steps[1].analysis.name: not a field of the current CRD: the API server prunes it, and the controller never sees it',
      'templates.yaml:15:18: spec.metrics[0].maxFailures: maxFailures is failureLimit before Argo Rollouts v0.6; a current controller prunes it and uses failureLimit 0. Rehearsed as failureLimit, as v0.x counted it',
      'templates.yaml:18:9: spec.metrics[0].provider.job: the job provider is not simulated: each of its measurements is Inconclusive',
      'templates.yaml:41:18: spec.metrics[0].maxFailures: maxFailures is failureLimit before Argo Rollouts v0.6; a current controller prunes it and uses failureLimit 0. Rehearsed as failureLimit, as v0.x counted it',
      'templates.yaml:44:9: spec.metrics[0].provider.job: the job provider is not simulated: each of its measurements is Inconclusive',
      // The file's other template, which the Rollout does not name, is never run.
      'templates.yaml:10:9: metadata.name: no analysis of the Rollout "rollout-analysis-step" (rollout.yaml:10:9) names AnalysisTemplate "pass" (an experiment step\'s are not rehearsed): none of its metrics is rehearsed',
      // utils/replicaset/canary.go: pods in the setWeight share behind one Service, which picks a pod per connection.
      'rollout.yaml:30:7: spec.strategy.canary: no trafficRouting: the controller scales the canary and stable ReplicaSets to the setWeight share of spec.replicas (utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary) behind one Service, so the canary\'s share is its pods\' share, only near setWeight; the Service\'s proxy picks a ready pod for each new connection. Rehearsed at setWeight, each request to the service split on its own (split: requests), as for clients that open a connection per request; a client that keeps its connection stays on its pod, as with split: users (at 25%, a user with 10 requests reaches the canary with probability 1-(1-w)^k = 94.4% (1 request: 25%, 5: 76.3%), on 2.5 of them on average (binomial, sd 1.4), where a split of users sends 25% of users there on all 10 and the others on none)',
    ]);
    if (!r.ok) return;
    expect(r.parts.stages.map((s) => s.percent)).toEqual([25, 100]);
    expect(r.parts.stages[0].analysis!.metrics[0]).toMatchObject({ failureLimit: 1, intervalUs: 5e6 });
    const l = loadScenarioFile('test/fixtures/argo/job-scenario.yaml');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const run = runScenario(l.scenario);
    expect(run.rollouts[0].outcome).toBe('paused');
    expect(run.rollouts[0].decisions.at(-1)!.reason).toBe('step 2 analysis step-analysis inconclusive: random-fail/random-fail: inconclusive (1) > inconclusiveLimit (0)');
  });

  const rollout = (steps: string, extra = '') => ({ file: 'ro.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: r }
spec:
  strategy:
    canary:
${extra}      steps:
${steps}  selector: { matchLabels: { app: r } }
  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }
` });
  const template = (body: string) => ({ file: 'at.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: t }
spec:
${body}` });
  const problems = (files: SourceFile[]) => {
    const r = toScenarioParts(files);
    return r.ok ? [] : r.problems;
  };

  it('refuses bad input with file:line:column and the path in the resource', () => {
    expect(problems([{ file: 'x.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: Rolout\nmetadata: { name: s }\n' }, rollout('      - setWeight: 10\n')]))
      .toEqual(['x.yaml:2:7: kind: "Rolout" is not a kind of argoproj.io that rehearse reads (Rollout, AnalysisTemplate, ClusterAnalysisTemplate); did you mean "Rollout"?']);
    expect(problems([{ file: 'x.yaml', text: 'kind: AnalysisTemplat\nmetadata: { name: s }\n' }, rollout('      - setWeight: 10\n')]))
      .toEqual(['x.yaml:1:7: kind: "AnalysisTemplat" is not a kind of argoproj.io that rehearse reads (Rollout, AnalysisTemplate, ClusterAnalysisTemplate); did you mean "AnalysisTemplate"?']);
    // Other kinds are context: a Service beside the Rollout is named in the note, not refused.
    expect(problems([{ file: 'x.yaml', text: 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\n' }, rollout('      - setWeight: 10\n')])).toEqual([]);
    expect(problems([rollout('      - setWeight: 10\n      - analysis: { templates: [{ templateName: nope }] }\n')]))
      .toEqual(['ro.yaml:9:49: spec.strategy.canary.steps[1].analysis.templates[0].templateName: no AnalysisTemplate "nope" in the files given']);
    const withArg = rollout('      - setWeight: 10\n      - analysis: { templates: [{ templateName: t }] }\n');
    expect(problems([withArg, template('  args: [{ name: svc }]\n  metrics:\n  - name: m\n    provider: { prometheus: { query: \'up{a="{{args.svc}}"}\' } }\n')]))
      .toEqual(['at.yaml:5:10: spec.args[0]: arg "svc" has no value: the Rollout "r" (ro.yaml:9:19: spec.strategy.canary.steps[1].analysis.args) or the scenario\'s argo.args must give one']);
    // An arg named like an Object.prototype member is an ordinary name: the scenario's args do not give it.
    expect(problems([withArg, template('  args: [{ name: constructor }]\n  metrics:\n  - name: m\n    provider: { prometheus: { query: \'up{a="{{args.constructor}}"}\' } }\n')]))
      .toEqual(['at.yaml:5:10: spec.args[0]: arg "constructor" has no value: the Rollout "r" (ro.yaml:9:19: spec.strategy.canary.steps[1].analysis.args) or the scenario\'s argo.args must give one']);
    expect(problems([withArg, template('  metrics:\n  - name: m\n    successCondition: result[0] >=\n    provider: { prometheus: { query: \'sum(rate(x[1m])\' } }\n')]))
      .toEqual([
        'at.yaml:7:23: spec.metrics[0].successCondition: unexpected end of condition at column 13\n  result[0] >=\n              ^',
        'at.yaml:8:38: spec.metrics[0].provider.prometheus.query: unclosed left parenthesis at column 16 of "sum(rate(x[1m])"',
      ]);
  });

  it('refuses pauses, weights and a startingStep that are no int32 Argo reads (types.go RolloutPause.DurationSeconds: an int32 of seconds)', () => {
    const pause = (d: string) => problems([rollout(`      - setWeight: 10\n      - pause: { duration: ${d} }\n`)]);
    const tooLong = (d: string) => [`ro.yaml:9:28: spec.strategy.canary.steps[1].pause.duration: ${d} is not a duration Argo reads: a number of seconds, or a Go duration ("30s", "5m"), up to 2147483647 s (an int32 of seconds)`];
    // 1e308 was held as "Infinitys", digits past int32 as a pause of 3,000 years.
    expect(pause('1e308')).toEqual(tooLong('1e+308'));
    expect(pause('"99999999999"')).toEqual(tooLong('"99999999999"'));
    // A number past int32 the API server stores (an int-or-string is an integer or text to it, unfold.go), and
    // the controller cannot decode (intstr.IntOrString's IntVal is an int32): kube/go-integers.ts.
    expect(pause('2147483648')).toEqual([expect.stringMatching(/^ro\.yaml:9:28: spec\.strategy\.canary\.steps\[1\]\.pause\.duration: 2147483648 is beyond a Go int32 \(-2147483648 to 2147483647\), the type the Argo Rollouts controller decodes this field into: the API server stores the Rollout/)]);
    expect(pause('600000h')).toEqual(tooLong('"600000h"'));
    expect(pause('2147483647')).toEqual([]);
    expect(pause('596523h')).toEqual([]);
    const weight = (w: string) => problems([rollout(`      - setWeight: ${w}\n`)]);
    for (const w of ['true', '"20"', '20.5']) expect(weight(w), w).toEqual(['ro.yaml:8:20: spec.strategy.canary.steps[0].setWeight: a weight is a whole number from 0 to 100']);
    // A list is no scalar at all: refused as the CRD types it, before anything is read from the Rollout.
    expect(weight('[20]')).toEqual(['ro.yaml:8:20: spec.strategy.canary.steps[0].setWeight: must be an integer, as the Rollout CRD declares it, not a list: the Kubernetes API server refuses the resource']);
    expect(weight('20')).toEqual([]);
    for (const step of ['true', '""', '"1"']) {
      expect(problems([rollout('      - setWeight: 10\n      - pause: { duration: 1m }\n', `      analysis: { templates: [{ templateName: t }], startingStep: ${step} }\n`), template('  metrics:\n  - name: m\n    provider: { prometheus: { query: up } }\n')]), step)
        .toEqual([expect.stringMatching(/^ro\.yaml:7:\d+: spec\.strategy\.canary\.analysis\.startingStep: startingStep is a step index, from 0$/)]);
    }
  });

  it('refuses a metric\'s count and limits past an int32 (types.go: IntOrString) and an interval past Go\'s time.Duration (both were read as given: a failureLimit of 1e300)', () => {
    const metric = (field: string) => problems([
      rollout('      - setWeight: 10\n      - analysis: { templates: [{ templateName: t }] }\n'),
      template(`  metrics:\n  - name: m\n    ${field}\n    provider: { prometheus: { query: up } }\n`),
    ]);
    const past = (key: string, v: string) => [`at.yaml:7:${7 + key.length}: spec.metrics[0].${key}: ${v} is past what the CRD holds (an int32, up to 2147483647): the API server refuses it`];
    expect(metric('failureLimit: 1e300')).toEqual(past('failureLimit', '1e+300'));
    expect(metric('count: 99999999999999999999')).toEqual(past('count', '100000000000000000000'));
    // Text the API server stores as it is (an int-or-string); the controller's int32(IntValue()) wraps it (analysis.go).
    expect(metric('inconclusiveLimit: "2147483648"')).toEqual(['at.yaml:7:24: spec.metrics[0].inconclusiveLimit: "2147483648" is past an int32 (-2147483648 to 2147483647): the API server stores the text, and the controller\'s int32(IntValue()) (analysis.go) wraps it']);
    // A number within 2^53: the API server stores it (an int-or-string is an integer or text to it, unfold.go), the
    // controller's decoding into an int32 fails (kube/go-integers.ts).
    expect(metric('consecutiveErrorLimit: -2147483649')).toEqual([expect.stringMatching(/^at\.yaml:7:28: spec\.metrics\[0\]\.consecutiveErrorLimit: -2147483649 is beyond a Go int32 \(-2147483648 to 2147483647\), the type the Argo Rollouts controller decodes this field into: the API server stores the AnalysisTemplate/)]);
    expect(metric('count: 2147483647')).toEqual([]);
    expect(metric('interval: 99999999999999999999h')).toEqual(['at.yaml:7:15: spec.metrics[0].interval: "99999999999999999999h" is not a duration Argo reads (Go\'s time.ParseDuration: "30s", "5m", "1h30m"; time: invalid duration "99999999999999999999h")']);
    expect(metric('interval: 2501999h')).toEqual([]);
    // Up to Go's time.Duration, past 2^53 microseconds (2501999h): accepted, as Argo accepts it.
    expect(metric('interval: 2562047h')).toEqual([]);
    expect(metric('interval: 2562047h47m16.854775807s')).toEqual([]);
    expect(metric('interval: 2562048h')).toEqual(['at.yaml:7:15: spec.metrics[0].interval: "2562048h" is not a duration Argo reads (Go\'s time.ParseDuration: "30s", "5m", "1h30m"; time: invalid duration "2562048h")']);
    expect(metric('interval: 2562047h47m16.854775808s')).toEqual(['at.yaml:7:15: spec.metrics[0].interval: "2562047h47m16.854775808s" is not a duration Argo reads (Go\'s time.ParseDuration: "30s", "5m", "1h30m"; time: invalid duration "2562047h47m16.854775808s")']);
  });

  it('refuses an arg value that is not text, as the API server refuses it (the CRDs type args[].value as a string)', () => {
    // argoproj/argo-rollouts manifests/crds/analysis-template-crd.yaml and rollout-crd.yaml: args[].value is
    // "type: string", so `value: 9090` (docs/features/analysis.md, its inline analysis template) is refused by the
    // API server ("must be of type string"). It was rehearsed as "9090".
    const step = (args: string) => rollout(`      - setWeight: 10\n      - analysis: { templates: [{ templateName: t }]${args} }\n`);
    const body = (value: string) => template(`  args:\n  - name: service-name\n  - name: prometheus-port\n    value: ${value}\n  metrics:\n  - name: m\n    provider: { prometheus: { query: 'up{a="{{args.service-name}}",p="{{args.prometheus-port}}"}' } }\n`);
    const given = ', args: [{ name: service-name, value: guestbook }]';
    expect(problems([step(given), body('9090')])).toEqual(['at.yaml:8:12: spec.args[1].value: an arg\'s value is text in the CRD: the API server refuses 9090 (write "9090")']);
    expect(problems([step(given), body('"9090"')])).toEqual([]);
    // The same holds for a condition (metrics[].successCondition and failureCondition are "type: string").
    expect(problems([step(''), template('  metrics:\n  - name: m\n    successCondition: true\n    provider: { prometheus: { query: up } }\n')]))
      .toEqual(['at.yaml:7:23: spec.metrics[0].successCondition: a condition is text in the CRD: the API server refuses true (write it quoted, as an expression over result)']);
    expect(problems([step(', args: [{ name: service-name, value: true }]'), body('"9090"')]))
      .toEqual(['ro.yaml:9:91: spec.strategy.canary.steps[1].analysis.args[0].value: an arg\'s value is text in the CRD: the API server refuses true (write "true")']);
  });

  it('reports a scenario whose manifest is broken with exit-2 problems at the argo entry', () => {
    const l = loadScenarioFile('test/fixtures/argo/broken-scenario.yaml');
    expect(l.ok).toBe(false);
    if (l.ok) return;
    expect(formatProblem('broken-scenario.yaml', l.problems[0])).toMatch(/^broken-scenario\.yaml:\d+:\d+: rollout\[0\]\.argo: rollout-analysis-step\.yaml:\d+:\d+: spec\.strategy\.canary\.steps\[1\]\.analysis\.templates\[0\]\.templateName: no AnalysisTemplate "random-fail"/);
  });
});

describe('analysis runs (Argo controller semantics)', () => {
  const metric = (over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
    template: 't', name: 'm', intervalUs: 60e6, count: null, initialDelayUs: 0, failureLimit: 0, consecutiveErrorLimit: 4, inconclusiveLimit: 0, consecutiveSuccessLimit: 0, dryRun: false, gate: null, provider: 'prometheus', ...over,
  });
  /** Feeds phases one measurement at a time; returns the run phase after each. */
  const drive = (m: AnalysisMetric, phases: Phase[], terminate = false) => {
    const run = new AnalysisRun({ name: 'run', metrics: [m], invalid: null }, 0);
    const seen: string[] = [];
    for (const ph of phases) {
      const t = run.nextDueUs();
      if (!Number.isFinite(t)) break;
      run.step(t, () => ph);
      seen.push(run.phase);
    }
    if (terminate) run.terminate();
    return { seen, phase: run.phase, reason: run.reason };
  };
  const table: [string, Partial<AnalysisMetric>, Phase[], boolean, string][] = [
    ['failures beyond failureLimit fail', { failureLimit: 2 }, ['Failed', 'Successful', 'Failed', 'Failed'], false, 'Failed'],
    ['failures within failureLimit do not', { failureLimit: 2, count: 4 }, ['Failed', 'Successful', 'Failed', 'Successful'], false, 'Successful'],
    ['consecutive errors beyond the limit error', { consecutiveErrorLimit: 2 }, ['Error', 'Error', 'Error'], false, 'Error'],
    ['a success resets consecutive errors', { consecutiveErrorLimit: 2, count: 3 }, ['Error', 'Error', 'Successful', 'Error', 'Error', 'Successful', 'Successful'], false, 'Successful'],
    ['errors do not count towards count', { count: 2 }, ['Error', 'Successful', 'Error'], false, 'Running'],
    ['inconclusive beyond its limit', { inconclusiveLimit: 1 }, ['Inconclusive', 'Inconclusive'], false, 'Inconclusive'],
    ['no interval, no count: one measurement', { intervalUs: null }, ['Successful'], false, 'Successful'],
    ['no count: runs until terminated, then succeeds', {}, ['Successful', 'Successful'], true, 'Successful'],
    ['a dry run never decides', { dryRun: true, count: 2 }, ['Failed', 'Failed'], false, 'Successful'],
  ];
  it.each(table)('%s', (_, over, phases, terminate, want) => {
    expect(drive(metric(over), phases, terminate).phase).toBe(want);
  });

  it('names the metric and its counters when the run fails', () => {
    expect(drive(metric({ failureLimit: 1 }), ['Failed', 'Failed']).reason).toBe('t/m: failed (2) > failureLimit (1)');
  });

  it('waits initialDelay, then measures every interval', () => {
    const run = new AnalysisRun({ name: 'r', metrics: [metric({ initialDelayUs: 30e6, intervalUs: 60e6 })], invalid: null }, 1000);
    expect(run.nextDueUs()).toBe(30e6 + 1000);
    run.step(30e6 + 1000, () => 'Successful');
    expect(run.nextDueUs()).toBe(90e6 + 1000);
  });
});
