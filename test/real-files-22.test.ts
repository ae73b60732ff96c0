/**
 * Round 22 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - argoproj/argo-rollouts test/e2e/step-plugin/ (at 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d): the e2e suite applies
 *   argo-rollouts-config.yaml (stepPlugins step/e2e-test, and step/e2e-test-disabled with `disabled: true`) and then
 *   Rollouts whose steps are plugins. invalid-rollout.yaml names step/e2e-test-invalid-name, which the ConfigMap does
 *   not list: the controller cannot load it (rollout/steps/plugin/resolver.go Resolve, utils/plugin/plugin.go
 *   GetPluginInfo: "plugin %s not configured in configmap"), and step_plugin_test.go
 *   TestRolloutErrorWhenStepPluginNotConfigured expects the Rollout Degraded at step 0. rehearse imported it with the
 *   ConfigMap beside it (exit 0) and rehearsed the step as completing at once, then 100%: now refused at the step's
 *   plugin.name, naming the ConfigMap. A disabled plugin is skipped (resolver.go disabledStepPlugin), as rehearsed,
 *   and said so; the traffic-router plugins (trafficRouting.plugins) are checked against trafficRouterPlugins alike
 *   (rollout/trafficrouting/plugin/plugin.go NewReconciler: "failed to get traffic router plugin %s"), and a metric
 *   provider plugin against metricProviderPlugins (docs/analysis/plugins.md's ConfigMap): one it does not list makes
 *   every measurement Error (analysis/analysis.go: "Error in getting metric provider"), where rehearse read it as an
 *   unsimulated provider, Inconclusive: now refused.
 * - kubectl-argo-rollouts lint's testdata, whole (pkg/kubectl-argo-rollouts/cmd/lint/lint_test.go at the same commit:
 *   14 files lint passes, 9 it fails with an expected message), each with its verdict compared.
 * - Unleash/client-specification specifications/16-case-insensitive-in-operators.json as commit 8ec0b20 added it
 *   ("Feat/case insensitive in operators (#48)"; reverted by f615339, and in no release): it expected IN and NOT_IN to
 *   honour caseInsensitive. unleash-client does not (lib/strategy/strategy.js InOperator compares values with ===;
 *   only StringOperator and RegexOperator read caseInsensitive), nor does rehearse, which serves as the client: every
 *   one of the file's 6 expectations is the opposite of what the client serves. rehearse said nothing of the field,
 *   which a team writes to be case-insensitive: now warned at it, in a strategy's constraint or a segment's (Unleash's
 *   own client-features.v1-with-segments.json has one on a segment's IN constraint).
 * - argoproj/argo-rollouts test/e2e files that hold no Rollout (Experiments the suite applies alone, AnalysisRuns,
 *   templates): refused with only "expected exactly one Rollout, found 0", the Experiment or run in them unsaid. Now
 *   the refusal names what the files hold (by generateName where they have no name) and why it is not rehearsed alone.
 * - Suites with expected results, run and agreeing: the rest of analysis/analysis_test.go's assessMetricStatus and
 *   assessRunStatus tests, and launchdarkly/go-server-sdk-evaluation's bucketing tests.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lintRollouts, toScenarioParts as argoParts, type SourceFile } from '../src/interop/argo/index.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';
import * as unleash from '../src/interop/unleash/index.js';
import type { Phase } from '../src/lang/condition.js';
import { AnalysisRun, type AnalysisMetric } from '../src/rollout/analysis.js';
import { cli } from './helpers.js';

const root = join(import.meta.dirname, '..');
const vendor = (p: string) => join(root, 'test/fixtures/vendor', p);
const source = (p: string): SourceFile => ({ file: p, text: readFileSync(vendor(p), 'utf8') });
const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('warning:'));

describe('argo-rollouts e2e step-plugin: the plugins the controller\'s ConfigMap lists', () => {
  const config = source('argo/e2e-step-plugin-argo-rollouts-config.yaml');

  it('invalid-rollout.yaml: a step plugin argo-rollouts-config does not list is refused, as TestRolloutErrorWhenStepPluginNotConfigured expects the Rollout stuck', async () => {
    const file = vendor('argo/e2e-step-plugin-invalid-rollout.yaml');
    const r = await cli('import', 'argo', file, vendor('argo/e2e-step-plugin-argo-rollouts-config.yaml'));
    expect(r.code).toBe(2);
    const e = errors(r.err);
    expect(e).toHaveLength(1);
    expect(e[0]).toContain(`${file}:14:19: spec.strategy.canary.steps[0].plugin.name: step plugin "step/e2e-test-invalid-name" is not in the stepPlugins of the ConfigMap argo-rollouts-config (`);
    expect(e[0]).toContain('e2e-step-plugin-argo-rollouts-config.yaml:8:9) (it lists "step/e2e-test", "step/e2e-test-disabled")');
    expect(e[0]).toContain('"failed to get step plugin step/e2e-test-invalid-name: plugin step/e2e-test-invalid-name not configured in configmap"');
    expect(e[0]).toContain('the Rollout stays at step 0 and turns Degraded');
    expect(r.out).toBe('');
  });

  it('without the ConfigMap, the plugin step is warned (the name cannot be checked) and rehearsed as completing', () => {
    const r = argoParts([source('argo/e2e-step-plugin-invalid-rollout.yaml')]);
    expect(r.ok).toBe(true);
    expect(r.warnings).toContain('argo/e2e-step-plugin-invalid-rollout.yaml:14:13: spec.strategy.canary.steps[0].plugin: a step plugin is not rehearsed: the step completes at once (the controller runs only the plugins its ConfigMap argo-rollouts-config lists; give that ConfigMap beside the Rollout to check the name)');
  });

  it('template-rollout.yaml: plugins the ConfigMap lists import, each step completing at once', () => {
    const r = argoParts([source('argo/e2e-step-plugin-template-rollout.yaml'), config]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    if (!r.ok) return;
    expect(r.parts.stages.map((s) => s.percent)).toEqual([100]);
    expect(r.warnings.filter((w) => w.includes('disabled'))).toEqual([]);
  });

  it('disabled-rollout.yaml, its name as the e2e suite fills it in: the disabled plugin is skipped, and said so', () => {
    // step_plugin_test.go TestRolloutSkipPluginWhenDisabled: RolloutTemplate(..., {"$$disabled_plugin$$": E2EStepPluginNameDisabled}).
    const t = source('argo/e2e-step-plugin-disabled-rollout.yaml');
    const filled = { file: t.file, text: t.text.replace('$$disabled_plugin$$', 'step/e2e-test-disabled') };
    const r = argoParts([filled, config]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(r.warnings.filter((w) => w.includes('is disabled'))).toEqual([
      expect.stringMatching(/^argo\/e2e-step-plugin-disabled-rollout\.yaml:13:19: spec\.strategy\.canary\.steps\[0\]\.plugin\.name: step plugin "step\/e2e-test-disabled" is disabled in the ConfigMap argo-rollouts-config \(argo\/e2e-step-plugin-argo-rollouts-config\.yaml:8:9\): the controller skips the step \(rollout\/steps\/plugin\/resolver\.go disabledStepPlugin\), as the rehearsal does$/),
    ]);
    // Unfilled, the template's placeholder is a name the ConfigMap does not hold.
    const raw = argoParts([t, config]);
    expect(raw.ok ? [] : raw.problems).toEqual([expect.stringContaining('step plugin "$$disabled_plugin$$" is not in the stepPlugins')]);
  });

  it('a traffic-router plugin is checked against trafficRouterPlugins, with a suggestion', () => {
    const cm = (name: string): SourceFile => ({ file: 'argo-rollouts-config.yaml', text: `apiVersion: v1
kind: ConfigMap
metadata:
  name: argo-rollouts-config
  namespace: argo-rollouts
data:
  trafficRouterPlugins: |-
    - name: "${name}"
      location: "https://github.com/argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi/releases/download/v0.4.0/gatewayapi-plugin-linux-amd64"
` });
    const files = [source('argo/gatewayapi-plugin-rollout.yml'), source('argo/gatewayapi-plugin-httproute.yml')];
    const listed = argoParts([...files, cm('argoproj-labs/gatewayAPI')]);
    expect(listed.ok ? [] : listed.problems).toEqual([]);
    const misspelt = argoParts([...files, cm('argoproj-labs/gatewayApi')]);
    expect(misspelt.ok ? [] : misspelt.problems).toEqual([
      expect.stringMatching(/^argo\/gatewayapi-plugin-rollout\.yml:14:13: spec\.strategy\.canary\.trafficRouting\.plugins\.argoproj-labs\/gatewayAPI: traffic router plugin "argoproj-labs\/gatewayAPI" is not in the trafficRouterPlugins of the ConfigMap argo-rollouts-config \(argo-rollouts-config\.yaml:4:9\); did you mean "argoproj-labs\/gatewayApi"\?.*"failed to get traffic router plugin argoproj-labs\/gatewayAPI: plugin argoproj-labs\/gatewayAPI not configured in configmap"/),
    ]);
  });

  it('docs/analysis/plugins.md\'s ConfigMap: a metric provider plugin it lists is rehearsed as before; one it does not is refused (Error, not Inconclusive)', () => {
    // The page's first ```yaml block (lines 30-37), other lines blanked so positions stay the page's.
    const page = source('argo/docs-analysis-plugins.md').text.split('\n');
    const start = page.findIndex((l) => l.startsWith('```yaml'));
    const end = page.findIndex((l, i) => i > start && l.startsWith('```'));
    const cm = { file: 'docs-analysis-plugins.md', text: page.map((l, i) => (i > start && i < end ? l : '#')).join('\n') };
    const template = (name: string): SourceFile => ({ file: 'sample.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata:
  name: sample
spec:
  metrics:
    - name: success-rate
      interval: 1m
      successCondition: result[0] >= 0.95
      provider:
        plugin:
          ${name}:
            address: http://prometheus.local
            query: up
` });
    const rollout: SourceFile = { file: 'demo.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: demo
spec:
  selector: { matchLabels: { app: demo } }
  template: { metadata: { labels: { app: demo } }, spec: { containers: [{ name: demo, image: demo }] } }
  strategy:
    canary:
      steps:
        - setWeight: 20
        - analysis: { templates: [{ templateName: sample }] }
` };
    const listed = argoParts([rollout, template('argoproj-labs/sample-prometheus'), cm]);
    expect(listed.ok ? [] : listed.problems).toEqual([]);
    expect(listed.warnings).toContain('sample.yaml:12:11: spec.metrics[0].provider.plugin: the plugin provider is not simulated: each of its measurements is Inconclusive');
    const other = argoParts([rollout, template('argoproj-labs/sample-prometheus2'), cm]);
    expect(other.ok ? [] : other.problems).toEqual([
      'sample.yaml:13:13: spec.metrics[0].provider.plugin.argoproj-labs/sample-prometheus2: metric provider plugin "argoproj-labs/sample-prometheus2" is not in the metricProviderPlugins of the ConfigMap argo-rollouts-config (docs-analysis-plugins.md:33:9); did you mean "argoproj-labs/sample-prometheus"? (it lists "argoproj-labs/sample-prometheus"): the controller cannot make the provider, and each measurement is Error ("Error in getting metric provider", analysis/analysis.go; utils/plugin/plugin.go GetPluginInfo: "plugin argoproj-labs/sample-prometheus2 not configured in configmap"), where a rehearsal would read it Inconclusive',
    ]);
  });

  it('a stepPlugins value the controller cannot read is refused at the ConfigMap\'s key', () => {
    const bad = { file: config.file, text: config.text.replace('stepPlugins: |-', 'stepPlugins: |-\n    name: [') };
    const r = argoParts([source('argo/e2e-step-plugin-template-rollout.yaml'), bad]);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^argo\/e2e-step-plugin-argo-rollouts-config\.yaml:11:16: data\.stepPlugins: not YAML the controller reads/)]);
  });
});

describe('argo-rollouts e2e files without a Rollout: what they hold is said, not only that no Rollout is there', () => {
  // test/e2e/functional/experiment-dry-run-analysis.yaml: an AnalysisTemplate and an Experiment the suite applies alone
  // (experiment_test.go); test/e2e/expectedfailures/analysis-run-prometheus-bad-server.yaml: an AnalysisRun (generateName).
  it('an Experiment with its template, exit 2: the Experiment is named, and why it is not rehearsed alone', async () => {
    const file = vendor('argo/e2e-experiment-dry-run-analysis.yaml');
    const r = await cli('import', 'argo', file);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${file}: expected exactly one Rollout, found 0; the files hold Experiment "experiment-with-dry-run" (${file}:21:1): an Experiment runs its templates' ReplicaSets side by side for its duration and ramps no traffic from a stable to a canary, so it is not rehearsed alone (a Rollout's experiment step completes at once, with a warning); AnalysisTemplate "dry-run-job" (${file}:1:1): read as the analyses a Rollout names; give the Rollout beside it`]);
  });

  it('an AnalysisRun named by generateName, and a ClusterAnalysisTemplate alone', () => {
    const run = argoParts([source('argo/e2e-analysis-run-prometheus-bad-server.yaml')]);
    expect(run.ok ? [] : run.problems).toEqual(['argo/e2e-analysis-run-prometheus-bad-server.yaml: expected exactly one Rollout, found 0; the files hold AnalysisRun generateName "analysis-run-prometheus-bad-server-" (argo/e2e-analysis-run-prometheus-bad-server.yaml:1:1): the controller\'s record of one run of analyses, not a plan to rehearse']);
    const cluster = argoParts([source('argo/cluster-analysis-templates.yaml')]);
    expect(cluster.ok ? [] : cluster.problems).toEqual([expect.stringMatching(/found 0; the files hold ClusterAnalysisTemplate "always-pass" \(argo\/cluster-analysis-templates\.yaml:1:1\): read as the analyses a Rollout names; give the Rollout beside it$/)]);
  });
});

describe('kubectl-argo-rollouts lint testdata, whole, against lint_test.go', () => {
  /** The AnalysisTemplate the lint files' Rollouts name (lint does not resolve it). */
  const integrationTests: SourceFile = { file: 'integrationtests.yaml', text: readFileSync(join(root, 'test/fixtures/argo/lint-integrationtests.yaml'), 'utf8') };
  /** Each Rollout of the file checked as lint checks each (lint.go lintResource): the file passes when every one does. */
  const run = (name: string): { ok: boolean; problems: string[] } => {
    const f = source(`argo/lint-${name}`);
    const results = lintRollouts(f.text.includes('integrationtests') ? [f, integrationTests] : [f]).map((x) => x.result);
    const problems = results.flatMap((r) => (r.ok ? [] : r.problems));
    return { ok: problems.length === 0, problems };
  };
  // lint_test.go TestLintValidRollout's list.
  const valid = ['valid.yml', 'valid.json', 'valid-workload-ref.yaml', 'valid-with-another-empty-object.yml', 'valid-istio-v1alpha3.yml',
    'valid-istio-v1beta1.yml', 'valid-blue-green.yml', 'valid-ingress-smi.yml', 'valid-ingress-smi-multi.yml', 'valid-alb-canary.yml',
    'valid-nginx-canary.yml', 'valid-nginx-basic-canary.yml', 'valid-istio-v1beta1-mulitiple-virtualsvcs.yml', 'valid-nginx-smi-with-vsvc.yaml'];
  // TestLintInvalidRollout's files, with the field of its expected message.
  const invalid: [string, string][] = [
    ['invalid.yml', 'spec.strategy.canary.maxSurge'], ['invalid-empty-rollout-vsvc.yml', 'spec:'], ['invalid.json', 'spec.strategy.canary.maxSurge'],
    ['invalid-multiple-docs.yml', 'spec.strategy.canary.maxSurge'], ['invalid-unknown-field.yml', 'unknown field "unknown-strategy"'],
    ['invalid-service-labels.yml', 'has unmatch label "app" in rollout'], ['invalid-ping-pong.yml', 'spec.strategy.canary.pingPong.pingService'],
    ['invalid-ingress-smi-multi.yml', 'unmatch'], ['invalid-nginx-canary.yml', 'spec.strategy.canary.steps[1].experiment.templates[0].weight'],
  ];

  it('holds all 23 files of the folder', () => {
    const held = readdirSync(vendor('argo')).filter((f) => f.startsWith('lint-')).map((f) => f.slice(5)).sort();
    expect(held).toEqual([...valid, ...invalid.map(([f]) => f)].sort());
  });

  it('agrees with lint on 21 of the 23: 12 valid files import, 9 invalid ones are refused for lint\'s reason, each Rollout of a file checked', () => {
    const imported = valid.filter((f) => run(f).ok);
    expect(imported).toHaveLength(12);
    const caught = invalid.filter(([f, field]) => {
      const r = run(f);
      return !r.ok && r.problems.some((p) => p.includes(field));
    });
    expect(caught.map(([f]) => f)).toEqual(invalid.map(([f]) => f));
  });

  it('the two it does not agree on are refused with a reason of their own', () => {
    const reasons = Object.fromEntries(['valid-blue-green.yml', 'valid-nginx-canary.yml'].map((f) => {
      const r = run(f);
      return [f, r.ok ? 'imported' : r.problems.join('\n')];
    }));
    expect(reasons['valid-blue-green.yml']).toBe('argo/lint-valid-blue-green.yml:24:7: spec.strategy.blueGreen: blueGreen is not rehearsed: rehearse rehearses canary steps');
    // The controller's nginx router, which lint does not run, cannot make the canary Ingress (test/real-files-21.test.ts).
    expect(reasons['valid-nginx-canary.yml']).toContain('has no rule with the stableService "nginx-rollout-stable" as backend');
  });
});

describe('Unleash client specification: the case-insensitive IN file that was taken back (8ec0b20, reverted by f615339)', () => {
  const file = 'test/fixtures/vendor/unleash/spec-16-case-insensitive-in-operators.8ec0b20.json';
  const spec = JSON.parse(readFileSync(join(root, file), 'utf8'));
  // rehearse reads the specification's wrapper ({name, state, tests}) as its state.
  const doc = () => parseFlagText(readFileSync(join(root, file), 'utf8'), file);

  // unleash.open serves through the installed unleash-client (src/interop/unleash/index.ts serve).
  it('serves what unleash-client serves, which is the opposite of each of the reverted file\'s 6 expectations', () => {
    const set = unleash.open(doc());
    const served = (spec.tests as { toggleName: string; context: Record<string, unknown>; expectedResult: boolean }[]).map((t) => set.evaluate(t.toggleName, t.context).enabled);
    expect(served).toEqual(spec.tests.map((t: { expectedResult: boolean }) => !t.expectedResult));
  });

  it('warns at each caseInsensitive of an IN or NOT_IN constraint, in a strategy or a segment; a STR_ operator\'s is read and not warned', () => {
    // Unleash's own client API fixture holds a segment whose IN constraint says caseInsensitive (test/fixtures/vendor/unleash).
    const seg = 'test/fixtures/vendor/unleash/client-features.v1-with-segments.json';
    expect(unleash.toScenarioParts(parseFlagText(readFileSync(join(root, seg), 'utf8'), seg)).warnings.filter((w) => w.message.startsWith('caseInsensitive')).map(formatWarning))
      .toEqual([`${seg}:14:40: segments[0].constraints[0].caseInsensitive: caseInsensitive has no effect on operator IN: unleash-client compares its values exactly (strategy.js InOperator); only STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH and REGEX read it. Rehearsed as the client serves it (a value that differs only in case does not match)`]);
    const parts = unleash.toScenarioParts(doc());
    const warned = parts.warnings.filter((w) => w.message.startsWith('caseInsensitive'));
    expect(warned.map((w) => `${w.file}:${w.line}:${w.column}`)).toEqual([18, 41, 64, 87].map((l) => `${file}:${l}:36`));
    expect(warned[0].message).toBe('caseInsensitive has no effect on operator IN: unleash-client compares its values exactly (strategy.js InOperator); only STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH and REGEX read it. Rehearsed as the client serves it (a value that differs only in case does not match)');
    expect(warned[2].message).toContain('operator NOT_IN');
    const strings = JSON.parse(JSON.stringify(spec.state).replaceAll('"NOT_IN"', '"STR_CONTAINS"').replaceAll('"IN"', '"STR_STARTS_WITH"'));
    const again = unleash.toScenarioParts(parseFlagText(JSON.stringify(strings, null, 2), 'state.json'));
    expect(again.warnings.filter((w) => w.message.startsWith('caseInsensitive'))).toEqual([]);
  });

  it('the installed client specification (6.1.0, its 22 files) still agrees whole: no case-insensitive IN in them', () => {
    const CASES = 275;
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('@unleash/client-specification/package.json')), 'specifications');
    let cases = 0, agree = 0;
    for (const f of readdirSync(dir).filter((x) => /^\d\d-.*\.json$/.test(x))) {
      const s = JSON.parse(readFileSync(join(dir, f), 'utf8'));
      if (!s.state?.features) continue;
      const text = JSON.stringify(s.state, null, 2);
      expect(unleash.toScenarioParts(parseFlagText(text, f)).warnings.filter((w) => w.message.startsWith('caseInsensitive')), f).toEqual([]);
      const set = unleash.open(parseFlagText(text, f));
      for (const t of s.tests ?? []) {
        cases++;
        if (set.evaluate(t.toggleName, t.context).enabled === t.expectedResult) agree++;
      }
      for (const t of s.variantTests ?? []) {
        cases++;
        const e = set.evaluate(t.toggleName, t.context);
        const want = t.expectedResult;
        if ((e.variant ?? 'disabled') === want.name && (e.variant !== null) === want.enabled && (!want.payload || e.value === want.payload.value)) agree++;
      }
    }
    // The two delta-API files (19, 20) hold events, not a state: test/unleash-import.test.ts reads them.
    expect([cases, agree]).toEqual([CASES, CASES]);
  });
});

/**
 * argoproj/argo-rollouts analysis/analysis_test.go (at 9f8d111d), the tests test/argo-analysis-rules.test.ts did not
 * replay: an AnalysisRun of rehearse fed the measurements behind the counters each test sets. A metric the vendor test
 * holds with a measurement in flight (run-forever) is one whose first measurement is not yet due.
 */
describe('analysis_test.go: the rest of assessMetricStatus and assessRunStatus', () => {
  const metric = (name: string, over: Partial<AnalysisMetric> = {}): AnalysisMetric => ({
    template: 't', name, intervalUs: null, count: null, initialDelayUs: 0, failureLimit: 0, consecutiveErrorLimit: 4,
    inconclusiveLimit: 0, consecutiveSuccessLimit: 0, dryRun: false, gate: null, provider: 'job', ...over,
  });
  const inFlight = (name: string, over: Partial<AnalysisMetric> = {}) => metric(name, { initialDelayUs: 1e15, ...over });
  const of: Record<string, Phase> = { S: 'Successful', F: 'Failed', I: 'Inconclusive', E: 'Error' };
  /** The run after feeding each metric its measurements (one letter each), then, if asked, terminated. */
  function feed(metrics: AnalysisMetric[], seq: Record<string, string>, terminate = false): AnalysisRun {
    const run = new AnalysisRun({ name: 'r', metrics, invalid: null }, 0);
    const left = Object.fromEntries(Object.entries(seq).map(([k, v]) => [k, [...v]]));
    for (let i = 0; i < 100 && run.phase === 'Running' && Object.values(left).some((q) => q.length); i++) {
      const due = run.nextDueUs();
      if (!Number.isFinite(due) || due >= 1e15) break;
      run.step(due, (m) => of[left[m.name].shift() ?? 'S']);
    }
    if (terminate) run.terminate();
    return run;
  }

  it('TestAssessMetricStatusNoMeasurements: nothing measured is still going, and Successful when the run ends', () => {
    expect(feed([inFlight('success-rate')], {}).phase).toBe('Running');
    expect(feed([inFlight('success-rate')], {}, true).phase).toBe('Successful');
  });

  it('TestAssessMetricStatusFailureLimit: 3 failures over failureLimit 2 is Failed; under failureLimit 3, running, then Successful', () => {
    const m = (limit: number) => metric('success-rate', { failureLimit: limit, intervalUs: 60e6 });
    expect([feed([m(2)], { 'success-rate': 'FFF' }).phase, feed([m(2)], { 'success-rate': 'FFF' }, true).phase]).toEqual(['Failed', 'Failed']);
    expect([feed([m(3)], { 'success-rate': 'FFF' }).phase, feed([m(3)], { 'success-rate': 'FFF' }, true).phase]).toEqual(['Running', 'Successful']);
  });

  it('TestAssessRunStatus: one metric still running keeps the run running; completed, the worst phase', () => {
    const latency = metric('latency');
    expect(feed([latency, inFlight('success-rate')], { latency: 'S' }).phase).toBe('Running');
    expect(feed([latency, metric('success-rate')], { latency: 'S', 'success-rate': 'F' }).phase).toBe('Failed');
  });

  it('TestAssessMetricFailureInconclusiveOrError: the phase and the message of each limit passed', () => {
    const one = (seq: string) => {
      const run = feed([metric('m')], { m: seq });
      return [run.phase, run.reason];
    };
    expect(one('F')).toEqual(['Failed', 't/m: failed (1) > failureLimit (0)']);
    expect(one('I')).toEqual(['Inconclusive', 't/m: inconclusive (1) > inconclusiveLimit (0)']);
    expect(one('EEEEE')).toEqual(['Error', 't/m: consecutiveErrors (5) > consecutiveErrorLimit (4)']);
  });

  it('TestAssessRunStatusErrorMessageAnalysisPhaseFail and MultipleFailures: the failed metric fails the run; dry-run, the run succeeds', () => {
    const run = feed([inFlight('run-forever'), metric('failed-metric')], { 'failed-metric': 'F' });
    expect([run.phase, run.reason]).toEqual(['Failed', 't/failed-metric: failed (1) > failureLimit (0)']);
    const dry = feed([inFlight('run-forever', { dryRun: true }), metric('failed-metric', { dryRun: true })], { 'failed-metric': 'F' }, true);
    expect(dry.phase).toBe('Successful');
  });

  it('TestAssessRunStatusWithOnlyDryRunMetrics and WithMixedMetrics: dry-run metrics decide nothing', () => {
    expect(feed([metric('success-metric', { dryRun: true })], { 'success-metric': 'S' }).phase).toBe('Successful');
    const mixed = feed([metric('run-forever', { intervalUs: 60e6 }), metric('success-metric', { dryRun: true })], { 'run-forever': 'I', 'success-metric': 'F' });
    expect([mixed.phase, mixed.reason]).toEqual(['Inconclusive', 't/run-forever: inconclusive (1) > inconclusiveLimit (0)']);
  });
});

/**
 * launchdarkly/go-server-sdk-evaluation evaluator_bucketing_test.go and evaluator_bucketing_testdata_test.go (at
 * 8394e84196508a715d826c65e56734117003181a): TestRolloutBucketing's rollout (variations out of order: 3, 2, 1 at 20000
 * each, 0 at 40000) bucketed by key, by a string attribute and by an int attribute ("33333" 0.54771423, "99999"
 * 0.7309658), TestComputeBucketValueInvalidConditions (a missing attribute, a non-integer number, a context without the
 * rollout's kind: bucket 0, the first bucket), and TestBucketValueBeyondLastBucketIsPinnedToLastBucket.
 */
describe('go-server-sdk-evaluation bucketing tests, through rehearse\'s LaunchDarkly evaluation', () => {
  const buckets = [{ variation: 3, weight: 20000 }, { variation: 2, weight: 20000 }, { variation: 1, weight: 20000 }, { variation: 0, weight: 40000 }];
  const set = (rollout: Record<string, unknown>) => launchdarkly.open(parseFlagText(JSON.stringify({
    flags: { hashKey: { key: 'hashKey', version: 1, on: true, salt: 'saltyA', variations: ['v0', 'v1', 'v2', 'v3'], offVariation: 0, fallthrough: { rollout }, targets: [], rules: [], prerequisites: [] } },
  }, null, 2), 'flags.json'));
  /** findBucketValueInVariationList: the bucket a value falls in. */
  const expected = (bucket: number) => {
    let sum = 0;
    for (const b of buckets) if (bucket < (sum += b.weight / 100000)) return `v${b.variation}`;
    return `v${buckets.at(-1)!.variation}`;
  };
  const params = [['userKeyA', 0.42157587], ['userKeyB', 0.6708485], ['userKeyC', 0.10343106]] as const;
  const numeric = [['33333', 0.54771423], ['99999', 0.7309658]] as const;

  it.each([false, true])('by key, a string attribute and an int attribute, each bucket within 1e-7 and its variation (multi-kind context: %s)', (multi) => {
    const ctx = (c: Record<string, unknown>) => (multi ? { kind: 'multi', irrelevantKind: { key: 'irrelevantKey' }, org: { ...c } } : { kind: 'user', ...c });
    const rollout = (over: Record<string, unknown>) => ({ variations: buckets, ...(multi ? { contextKind: 'org' } : {}), ...over });
    const cases = [
      ...params.map(([k, b]) => [set(rollout({})), { key: k }, b] as const),
      ...params.map(([k, b]) => [set(rollout({ bucketBy: 'attr1' })), { key: k, attr1: k }, b] as const),
      ...numeric.map(([k, b]) => [set(rollout({ bucketBy: 'attr1' })), { key: k, attr1: Number(k) }, b] as const),
    ];
    for (const [s, c, bucket] of cases) {
      const e = s.evaluate('hashKey', ctx(c));
      expect(Math.abs((e.bucket ?? NaN) - bucket) / bucket, JSON.stringify(c)).toBeLessThan(1e-7);
      expect(e.variant, JSON.stringify(c)).toBe(expected(bucket));
    }
  });

  it('TestComputeBucketValueInvalidConditions: no bucket value, so the first bucket (variation 3)', () => {
    const byAttr = set({ variations: buckets, bucketBy: 'unknownAttr' });
    expect(byAttr.evaluate('hashKey', { kind: 'user', key: 'key' }).variant).toBe('v3');
    const byFloat = set({ variations: buckets, bucketBy: 'floatAttr' });
    expect(byFloat.evaluate('hashKey', { kind: 'user', key: 'key', floatAttr: 999.999 }).variant).toBe('v3');
    const byKind = set({ variations: buckets, contextKind: 'org' });
    expect(byKind.evaluate('hashKey', { kind: 'user', key: 'key' }).variant).toBe('v3');
    expect(byKind.evaluate('hashKey', { kind: 'multi', user: { key: 'irrelevantKey1' }, irrelevantKind: { key: 'irrelevantKey2' } }).variant).toBe('v3');
  });

  it('TestBucketValueBeyondLastBucketIsPinnedToLastBucket: weights short of 100000 pin the rest to the last bucket', () => {
    const s = set({ variations: [{ variation: 0, weight: 5000 }, { variation: 1, weight: 5000 }] });
    expect(s.evaluate('hashKey', { kind: 'user', key: 'userKeyD', intAttr: 99999 }).variant).toBe('v1');
  });
});
