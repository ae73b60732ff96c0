/**
 * Round 14 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - prometheus/prometheus model/rulefmt/testdata (the rule-file parser's own test files) and cmd/promtool/testdata,
 *   held to the installed promtool 2.42:
 *   - test_aliases.yaml completes a rule with a YAML merge key (`<<: *highalert`), which gopkg.in/yaml.v3 (what
 *     rulefmt decodes with) resolves and promtool reads (8 rules): rehearse refused the file ("field << not found
 *     in a rule"). It also writes `alert: *alertname` and `expr: *expr`: rulefmt decoded record, alert and expr as
 *     yaml.Node until Prometheus 3.3 (prometheus#14957, whose test file this is), so 2.42 reads such an alias as its
 *     own name (promtool lints a duplicate "Metric: alertname"); rehearse read the anchor's value without a word.
 *   - invalid_label_name.bad.yaml sets the label __name__, which rulefmt's Validate refuses ("invalid label name:
 *     __name__"); rehearse read it.
 *   - legacy_validation_annotation.bad.yaml and utf-8_annotation.good.yaml name an annotation `ins-tance`, which
 *     2.42 refuses ("invalid annotation name") and Prometheus 3 takes (UTF-8 names): rehearse said nothing.
 *   - rules_run.yml, a promtool unit-test file, given as a rule file was "a document without kind".
 * - Label values: rulefmt decodes them into Go strings, which yaml.v3 fills with the scalar as written (decode.go),
 *   so `version: 1.50` is "1.50" and `tier: 007` "007" to Prometheus; rehearse wrote them back from YAML 1.2 data
 *   as "1.5" and "7" (an alert gate's labels would not match), and a mapping as "[object Object]" where
 *   Prometheus refuses it (`cannot unmarshal !!map into string`). test/fixtures/promtool-vectors/label-text-*.yml
 *   is run by promtool and by rehearse's rule engine.
 * - grafana/promql-anomaly-detection rules/adaptive.yml before its PR #18 labels a rule `anomaly_select: 1`: the
 *   text "1" to Prometheus, but in a PrometheusRule the API server refuses it (the CRD's labels are strings:
 *   monitoring.coreos.com_prometheusrules.yaml; Flux said `expected string, got ...{Value:1}`), and rehearse
 *   read such a PrometheusRule. Types of a PrometheusRule's groups and rules are now checked against the CRD.
 * - fluxcd/flagger docs/gitbook/tutorials/knative-progressive-delivery.md: its Canary (provider knative, a Knative
 *   Service as target) was imported with Istio's builtin queries: rehearse added ":service" to the metrics provider
 *   for any target of kind Service, where scheduler_metrics.go runBuiltinMetricChecks skips a Knative Service
 *   (`!canary.Spec.TargetRef.IsKnativeService()`), so the knative observer's Envoy queries (knative.go) run. What
 *   the controller refuses before it acts (controller.go verifyCanary: provider knative without a Knative Service
 *   or the reverse, an autoscalerRef beside one, session affinity with one cookie name for both sides; the cases
 *   of controller_test.go TestController_verifyCanary) was imported as a plan.
 * - argoproj/argo-rollouts pkg/apis/rollouts/validation/validation.go: what the controller refuses in a Rollout's
 *   own spec (rollout/controller.go getRolloutValidationErrors: the InvalidSpec condition, and nothing else
 *   happens) was imported as a plan: the same Service as canary and stable, trafficRouting without both Services,
 *   a step of no kind, setCanaryScale, scaleDownDelaySeconds or dynamicStableScale without trafficRouting,
 *   maxTrafficWeight with a router other than nginx or a plugin, maxSurge and maxUnavailable both 0, a header route
 *   without managedRoutes, no selector, progressDeadlineSeconds not above minReadySeconds. Each case below is one
 *   of validation_test.go's, made from Argo's own examples (all 131 of examples/ and test/e2e/ import as before).
 * - open-feature/flagd test/zero-downtime-flagd-proxy/manifests/proxy/flag-config.yaml, a ConfigMap whose data.flags
 *   holds a flag configuration as text, was said to lack "flags" with no word of what it is: now named a ConfigMap,
 *   with the key that holds the configuration to give as a file.
 * - argoproj/argo-rollouts examples/helm-blue-green/templates/rollout.yaml, a Helm chart's template, was refused as
 *   "invalid YAML: Unexpected scalar at node end" at line 20 (its first lines read as YAML mappings: a template
 *   whose actions all sit where a value goes would have been read as one). Named now at its first action.
 * - fluxcd/flagger docs/gitbook/faq.md holds two Canaries in one block: "expected exactly one Canary, found 2" named
 *   neither; each is named now with its place (and so are several Rollouts).
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { InputError } from '../src/errors.js';
import { prometheusAvailable } from './prometheus.js';
import { main } from '../src/cli/main.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { promtool, runThroughRehearse } from './promtool.js';

const root = join(import.meta.dirname, '..');
const rulefmt = (f: string) => join(root, 'test/fixtures/vendor/rulefmt', f);

/** What readRuleFile says of a file: its rules (name and labels) and warnings, or the lines of its refusal. */
function rules(file: string, text = readFileSync(rulefmt(file), 'utf8')): { rules: [string, Record<string, string>][]; warnings: readonly string[] } | { refused: string[] } {
  try {
    const r = readRuleFile(text, file);
    return { rules: r.groups.flatMap((g) => g.rules.map((x): [string, Record<string, string>] => [x.name, x.labels])), warnings: r.warnings };
  } catch (e) {
    if (e instanceof InputError) return { refused: e.lines };
    throw e;
  }
}

describe('prometheus/prometheus model/rulefmt/testdata, as promtool 2.42 reads them', () => {
  it('test_aliases.yaml: the merge key completes the rule, as yaml.v3 resolves it (8 rules, as promtool finds)', () => {
    const r = rules('test_aliases.yaml');
    if (!('rules' in r)) throw new Error(r.refused.join('\n'));
    expect(r.rules.map(([n]) => n)).toEqual(['HighAlert', 'new_metric', 'HighAlert', 'HighAlert2', 'HighAlert', 'new_metric', 'HighAlert', 'HighAlert2']);
    // rulefmt_test.go TestParseFileSuccess: the merged rule has the anchor's labels and expr.
    const parsed = readRuleFile(readFileSync(rulefmt('test_aliases.yaml'), 'utf8'), 'a.yaml').groups[0].rules[3];
    expect(parsed.labels).toEqual({ severity: 'critical' });
    expect(parsed.query).toBe('sum without(instance) (rate(errors_total[5m]))\n/\nsum without(instance) (rate(requests_total[5m]))\n');
    expect(parsed.forMs).toBe(300_000);
  });

  it('test_aliases.yaml: each alias in alert, record or expr is said to be read otherwise before Prometheus 3.3', () => {
    const r = rules('test_aliases.yaml');
    if (!('rules' in r)) throw new Error(r.refused.join('\n'));
    const aliases = r.warnings.filter((w) => w.includes('the alias *'));
    expect(aliases).toHaveLength(9);
    expect(readFileSync(rulefmt('test_aliases.yaml'), 'utf8').split('\n')[23]).toBe('      - alert: *alertname');
    expect(aliases).toContain('test_aliases.yaml:24:16: groups[0].rules[2].alert: the alias *alertname: Prometheus 3.3 and later read its anchor\'s value "HighAlert", as rehearse does; earlier ones (2.42 included) read the text "alertname", the alias\'s own name (write the value itself to be read alike by every Prometheus)');
    expect(aliases.filter((w) => w.includes('.expr: the alias *expr'))).toHaveLength(5);
    expect(aliases.filter((w) => w.includes('.record: the alias *recordname'))).toHaveLength(1);
  });

  it.skipIf(!prometheusAvailable())('promtool 2.42 reads the merge and takes the alias for its name (the lint names "alertname")', async () => {
    const { spawnSync } = await import('node:child_process');
    const { PROMTOOL } = await import('./prometheus.js');
    const out = spawnSync(PROMTOOL, ['check', 'rules', '--lint=none', rulefmt('test_aliases.yaml')], { encoding: 'utf8' });
    expect(`${out.stdout}${out.stderr}`).toContain('SUCCESS: 8 rules found');
    const lint = spawnSync(PROMTOOL, ['check', 'rules', rulefmt('test_aliases.yaml')], { encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toContain('Metric: alertname');
  });

  it('invalid_label_name.bad.yaml: a label __name__ is refused, as rulefmt Validate refuses it', () => {
    expect(rules('invalid_label_name.bad.yaml')).toEqual({ refused: ['invalid_label_name.bad.yaml:7:21: groups[0].rules[0].labels.__name__: invalid label name: __name__ (a rule\'s labels cannot rename its series; Prometheus refuses the file)'] });
    // A group's labels too (Prometheus 3's group labels go through the same check, rulefmt.go RuleGroups.Validate).
    const group = 'groups:\n  - name: g\n    labels: { __name__: x }\n    rules:\n      - record: a\n        expr: "1"\n';
    expect(rules('g.yaml', group)).toEqual({ refused: ['g.yaml:3:25: groups[0].labels.__name__: invalid label name: __name__ (a rule\'s labels cannot rename its series; Prometheus refuses the file)'] });
  });

  it('an annotation name 2.42 refuses and Prometheus 3 takes is warned; an empty one is refused', () => {
    for (const f of ['legacy_validation_annotation.bad.yaml', 'utf-8_annotation.good.yaml']) {
      const r = rules(f);
      if (!('rules' in r)) throw new Error(r.refused.join('\n'));
      expect(r.warnings).toEqual([`${f}:7:22: groups[0].rules[0].annotations.ins-tance: invalid annotation name: ins-tance to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 names (rehearse reads no annotation)`]);
    }
    const empty = 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: "1"\n        annotations: { "": x }\n';
    expect(rules('e.yaml', empty)).toEqual({ refused: ['e.yaml:6:28: groups[0].rules[0].annotations[""]: invalid annotation name: (empty; Prometheus refuses the file)'] });
  });

  it('cmd/promtool/testdata/rules_run.yml, a unit-test file given as rules, is named for what it is', () => {
    expect(rules('promtool-rules_run.yml')).toEqual({ refused: ['promtool-rules_run.yml:1:1: a promtool unit-test file (rule_files, tests), not rules: name the rule files it tests (rules.yml, relative to it)'] });
  });
});

describe('label values as rulefmt decodes them: the text as written', () => {
  const vectors = join(root, 'test/fixtures/promtool-vectors');
  it('version: 1.50, mask: 0x10, canary: True, budget: 1e3, tier: 007 keep their text', () => {
    const r = readRuleFile(readFileSync(join(vectors, 'label-text-rules.yml'), 'utf8'), 'label-text-rules.yml');
    expect(r.groups[0].rules[0].labels).toEqual({ version: '1.50', mask: '0x10', canary: 'True', budget: '1e3', tier: '007', owner: '' });
    expect(r.groups[0].rules.map((x) => [x.name, x.labels.severity, x.forMs])).toEqual([['job:up:text', undefined, 0], ['Down', '2.0', 60_000], ['DownNow', '2.0', 0]]);
    expect(r.warnings).toEqual([]);
  });

  it.skipIf(!prometheusAvailable())('promtool passes the unit test of these labels', () => {
    expect(promtool(join(vectors, 'label-text-test.yml')).output).toContain('SUCCESS');
  });

  it('rehearse\'s rule engine passes the same unit test', () => {
    expect(runThroughRehearse(join(vectors, 'label-text-test.yml'))).toEqual([]);
  });

  it('a mapping or a list as a label\'s or an annotation\'s value is refused, in yaml.v3\'s words', () => {
    const text = 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: "1"\n        labels: { x: { b: c }, y: [1] }\n        annotations: { s: { b: c } }\n';
    expect(rules('m.yaml', text)).toEqual({ refused: [
      'm.yaml:7:27: groups[0].rules[0].annotations.s: cannot unmarshal !!map into string (a value here is text; Prometheus refuses the file)',
      'm.yaml:6:22: groups[0].rules[0].labels.x: cannot unmarshal !!map into string (a value here is text; Prometheus refuses the file)',
      'm.yaml:6:35: groups[0].rules[0].labels.y: cannot unmarshal !!seq into string (a value here is text; Prometheus refuses the file)',
    ] });
  });

  it('alert: 123 is the alert "123", as promtool reads it (it was "one of \'record\' or \'alert\' must be set")', () => {
    const r = rules('n.yaml', 'groups:\n  - name: g\n    rules:\n      - alert: 123\n        expr: "1"\n');
    expect(r).toEqual({ rules: [['123', {}]], warnings: [] });
  });
});

describe('grafana/promql-anomaly-detection rules/adaptive.yml (before PR #18): a number as a label value', () => {
  const file = 'test/fixtures/vendor/promql-anomaly-detection/adaptive-aa76099.yml';
  const text = readFileSync(join(root, file), 'utf8');
  it('as a rule file: the label is the text "1", as Prometheus reads it (its dashboards select anomaly_select="1")', () => {
    const r = readRuleFile(text, file);
    const select = r.groups[0].rules.find((x) => x.name === 'anomaly:adaptive:select')!;
    expect(select.labels).toEqual({ anomaly_select: '1', anomaly_strategy: 'adaptive' });
    expect(r.groups.map((g) => [g.name, g.rules.length, g.intervalMs])).toEqual([['AnomalyAdaptiveShortTerm', 11, null], ['AnomalyAdaptiveLongTerm', 2, 300_000], ['AnomalyAdaptiveAlerts', 1, null]]);
    expect(r.warnings).toEqual([]);
  });

  it('as a PrometheusRule: refused where the API server refuses it (the CRD\'s labels are strings)', () => {
    // The same groups under spec:, as Flux applied them (grafana/promql-anomaly-detection PR #18).
    const resource = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: anomaly-adaptive\nspec:\n${text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n')}`;
    const line = resource.split('\n').findIndex((l) => l.includes('anomaly_select: 1')) + 1;
    expect(rules('adaptive.yaml', resource)).toEqual({ refused: [`adaptive.yaml:${line}:29: spec.groups[0].rules[4].labels.anomaly_select: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)`] });
    // Quoted, as the fix writes it, it loads.
    expect(rules('adaptive.yaml', resource.replace('anomaly_select: 1', 'anomaly_select: "1"'))).toMatchObject({ warnings: [] });
  });

  it('other types the CRD refuses: a number as for or an alert\'s name, text as a limit; an annotation\'s number is warned', () => {
    const resource = (rule: string, group = '') => `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nspec:\n  groups:\n    - name: g\n${group}      rules:\n        - ${rule}\n`;
    expect(rules('a.yaml', resource('{ alert: 500, expr: up == 0 }'))).toEqual({ refused: ['a.yaml:7:20: spec.groups[0].rules[0].alert: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)'] });
    expect(rules('a.yaml', resource('{ alert: A, expr: up == 0, for: 5 }'))).toEqual({ refused: ['a.yaml:7:43: spec.groups[0].rules[0].for: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)'] });
    expect(rules('a.yaml', resource('{ alert: A, expr: up == 0 }', '      limit: "3"\n'))).toEqual({ refused: ['a.yaml:6:14: spec.groups[0].limit: Invalid value: "string": must be of type integer (the API server refuses the PrometheusRule; quote the value)'] });
    // expr is int-or-string in the CRD (prometheus-operator#1845), as in Prometheus.
    expect(rules('a.yaml', resource('{ record: one, expr: 1 }'))).toEqual({ rules: [['one', {}]], warnings: [] });
    const annotated = rules('a.yaml', resource('{ alert: A, expr: up == 0, annotations: { runbook: 7 } }'));
    expect(annotated).toMatchObject({ rules: [['A', {}]] });
    expect('warnings' in annotated && annotated.warnings).toEqual(['a.yaml:7:62: spec.groups[0].rules[0].annotations.runbook: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule unless the Prometheus Operator\'s admission webhook is deployed, which writes an annotation\'s value as text; quote the value)']);
  });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (x) => out.push(x), err: (x) => err.push(x) });
  return { code, out: out.join('\n'), err: err.join('\n').split('\n').filter(Boolean) };
}

describe('Flagger\'s Knative tutorial Canary (docs/gitbook/tutorials/knative-progressive-delivery.md)', () => {
  const file = 'test/fixtures/vendor/flagger/docs-knative-canary.yaml';
  const text = readFileSync(join(root, file), 'utf8');
  it('its builtin checks are the knative observer\'s Envoy queries (knative.go), not Istio\'s', async () => {
    const r = await cli(['import', 'flagger', file]);
    expect(r.code).toBe(0);
    // knative_test.go renders the same query for route podinfo-00001 in namespace default.
    expect(r.out).toContain('promql: sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"test/podinfo", envoy_response_code!~"5.*" }[1m] ) ) / sum( rate( envoy_cluster_upstream_rq{ envoy_cluster_name=~"test/podinfo", }[1m] ) ) * 100');
    expect(r.out).toContain('promql: histogram_quantile( 0.99, sum( rate( envoy_cluster_upstream_rq_time_bucket{ envoy_cluster_name=~"test/podinfo", }[1m] ) ) by (le) )');
    expect(r.out).not.toContain('istio_request');
    expect(text.split('\n')[9]).toBe('    apiVersion: serving.knative.dev/v1');
    expect(r.err).toContain(`warning: ${file}:10:5: spec.targetRef: a Knative Service: Flagger renders {{ route }} in each metric's query as its latest created revision (status.latestCreatedRevisionName, read when the check runs: pkg/controller/scheduler_metrics.go), the canary's, which no file holds; rehearsed as "podinfo", the name the canary's series carry here`);
  });

  it('a Service of the core API is still ":service" (the istio observer for provider nginx, as before)', () => {
    const core = flaggerParts([{ file: 'c.yaml', text: text.replace('provider: knative', 'provider: nginx').replace('serving.knative.dev/v1', 'v1') }]);
    expect(core.ok && core.parts.builtin?.observer).toBe('istio');
  });

  // pkg/controller/controller_test.go TestController_verifyCanary: each case the controller refuses, from this Canary.
  const refused = (edited: string) => {
    const r = flaggerParts([{ file: 'c.yaml', text: edited }]);
    return r.ok ? [] : r.problems;
  };
  it('"knative service with non-knative provider should return an error"', () => {
    expect(refused(text.replace('provider: knative', 'provider: istio'))).toEqual(['c.yaml:7:13: spec.provider: the flagger controller refuses this Canary ("invalid canary spec: can\'t use istio provider with Knative Service as target", pkg/controller/controller.go verifyCanary) and never rolls it out']);
    // No provider is none of knative either (canary.Spec.Provider is "" there), whatever the controller's -mesh-provider.
    expect(refused(text.replace('  provider: knative\n', ''))).toEqual(['c.yaml:9:5: spec.targetRef: the flagger controller refuses this Canary ("invalid canary spec: can\'t use  provider with Knative Service as target", pkg/controller/controller.go verifyCanary) and never rolls it out']);
  });
  it('"knative provider with non-knative service should return an error"', () => {
    expect(refused(text.replace('serving.knative.dev/v1', 'apps/v1').replace('kind: Service', 'kind: Deployment'))).toEqual(['c.yaml:10:5: spec.targetRef: the flagger controller refuses this Canary ("invalid canary spec: can\'t use apps/v1/Deployment as target if provider is set to knative", pkg/controller/controller.go verifyCanary) and never rolls it out']);
  });
  it('"knative service with autoscaler ref should return an error"', () => {
    const hpa = text.replace('  progressDeadlineSeconds: 60\n', '  progressDeadlineSeconds: 60\n  autoscalerRef:\n    apiVersion: autoscaling/v2\n    kind: HorizontalPodAutoscaler\n    name: podinfo\n');
    expect(refused(hpa)).toEqual(['c.yaml:17:5: spec.autoscalerRef: the flagger controller refuses this Canary ("invalid canary spec: can\'t use autoscaler with Knative Service", pkg/controller/controller.go verifyCanary) and never rolls it out']);
  });
  it('"session affinity with same cookie names should return an error"; Flagger\'s e2e session affinity Canary is not refused', () => {
    const affinity = 'test/fixtures/vendor/flagger/e2e-istio-session-affinity-canary.yaml';
    const e2e = readFileSync(join(root, affinity), 'utf8');
    expect(refused(e2e)).toEqual([]);
    const same = e2e.replace(/primaryCookieName: \S+/, 'primaryCookieName: canary-flagger-cookie').replace(/ cookieName: \S+/, ' cookieName: canary-flagger-cookie');
    expect(refused(same).join('\n')).toContain('spec.analysis.sessionAffinity: the flagger controller refuses this Canary ("invalid canary spec: can\'t use the same cookie name for both primary and cookie name; please update them to be different", pkg/controller/controller.go verifyCanary)');
  });
});

describe('Argo Rollouts: a Rollout the controller marks InvalidSpec (validation.go, its validation_test.go cases)', () => {
  const argo = (f: string) => readFileSync(join(root, 'test/fixtures/vendor/argo', f), 'utf8');
  const canary = argo('rollout-canary.yaml');
  const refused = (text: string, file = 'r.yaml') => {
    const r = argoParts([{ file, text }]);
    return r.ok ? [] : r.problems;
  };
  const invalid = (where: string, message: string) => `${where}: the controller marks the Rollout InvalidSpec and never rolls it out ("${message}", pkg/apis/rollouts/validation/validation.go)`;
  const edit = (text: string, from: string, to: string) => {
    expect(text).toContain(from);
    return text.replace(from, to);
  };

  it('Argo\'s examples as they are import (rollout-canary.yaml; istio-subset-split.yaml: Istio with a destinationRule needs no Services, "valid Istio missing canary and stable service")', () => {
    expect(refused(canary)).toEqual([]);
    expect(refused(argo('istio-subset-split.yaml'))).toEqual([]);
    expect(refused(argo('e2e-istio-host-split.yaml'))).toEqual([]);
  });

  it.each([
    ['missing selector', () => edit(canary, '  selector:\n    matchLabels:\n      app: rollout-canary\n', ''), 'r.yaml:9:3: spec', 'Rollout has missing field \'.spec.selector\''],
    ['empty selector', () => edit(canary, '  selector:\n    matchLabels:\n      app: rollout-canary\n', '  selector: {}\n'), 'r.yaml:11:13: spec.selector', 'empty selector is invalid for deployment'],
    ['invalid progressDeadlineSeconds (the default 600 against minReadySeconds 600)', () => edit(canary, '  replicas: 5\n', '  replicas: 5\n  minReadySeconds: 600\n'), 'r.yaml:10:20: spec.minReadySeconds', 'must be greater than minReadySeconds'],
    ['invalid canary step', () => edit(canary, '      - setWeight: 20\n', '      - {}\n      - setWeight: 20\n'), 'r.yaml:28:9: spec.strategy.canary.steps[0]', 'Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or pause'],
    ['invalid setCanaryScale without trafficRouting', () => edit(canary, '      - setWeight: 20\n', '      - setCanaryScale: { replicas: 1 }\n      - setWeight: 20\n'), 'r.yaml:27:7: spec.strategy.canary.trafficRouting', 'SetCanaryScale requires TrafficRouting to be set'],
    ['TestInvalidMaxSurgeMaxUnavailable', () => edit(canary, '    canary:\n', '    canary:\n      maxSurge: "0%"\n      maxUnavailable: 0\n'), 'r.yaml:27:17: spec.strategy.canary.maxSurge', 'MaxSurge and MaxUnavailable both can not be zero'],
    ['scaleDownDelaySeconds with basic canary', () => edit(canary, '    canary:\n', '    canary:\n      scaleDownDelaySeconds: 30\n'), 'r.yaml:27:30: spec.strategy.canary.scaleDownDelaySeconds', 'Canary scaleDownDelaySeconds can only be used with traffic routing'],
    ['dynamicStableScale with basic canary', () => edit(canary, '    canary:\n', '    canary:\n      dynamicStableScale: true\n'), 'r.yaml:27:27: spec.strategy.canary.dynamicStableScale', 'Canary dynamicStableScale can only be used with traffic routing'],
    ['TestValidateRolloutStrategyAntiAffinity (both strategies)', () => edit(canary, '    canary:\n', '    canary:\n      antiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: {}, preferredDuringSchedulingIgnoredDuringExecution: { weight: 50 } }\n'), 'r.yaml:27:21: spec.strategy.canary.antiAffinity', 'AntiAffinity must have exactly one strategy listed'],
    ['duplicate ping pong services', () => edit(canary, '    canary:\n', '    canary:\n      pingPong: { pingService: ping, pongService: ping }\n'), 'r.yaml:27:32: spec.strategy.canary.pingPong.pingService', 'This rollout uses the same service for the ping and pong services, but two different services are required.'],
    ['experiment template weight without trafficRouting', () => edit(canary, '      - setWeight: 20\n', '      - experiment: { templates: [{ name: e, specRef: canary, weight: 5 }] }\n      - setWeight: 20\n'), 'r.yaml:28:71: spec.strategy.canary.steps[0].experiment.templates[0].weight', 'Experiment template weight cannot be set unless TrafficRouting is enabled'],
    ['invalid traffic routing (nginx without canaryService and stableService)', () => edit(canary, '    canary:\n', '    canary:\n      trafficRouting:\n        nginx: { stableIngress: rollout-canary }\n'), 'r.yaml:27:7: spec.strategy.canary.stableService', 'Canary service and Stable service must to be set to use Traffic Routing'],
  ])('%s', (_, text, where, message) => {
    expect(refused(text())).toContainEqual(invalid(where, message));
  });

  const host = argo('e2e-istio-host-split.yaml');
  it('duplicate services', () => {
    expect(refused(edit(host, '      canaryService: istio-host-split-canary\n', '      canaryService: istio-host-split-stable\n'), 'h.yaml')).toContainEqual(invalid('h.yaml:55:22: spec.strategy.canary.stableService', 'This rollout uses the same service for the stable and canary services, but two different services are required.'));
  });
  it('only nginx/plugins support max weight value', () => {
    expect(refused(edit(host, '      trafficRouting:\n', '      trafficRouting:\n        maxTrafficWeight: 1000\n'), 'h.yaml')).toContainEqual(invalid('h.yaml:57:27: spec.strategy.canary.trafficRouting.maxTrafficWeight', 'Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins'));
  });
  it('using SetHeaderRoute step without managedRoutes: refused; apisix-rollout-header-route.yaml, which names it in managedRoutes, imports', () => {
    const header = edit(host, '      - setWeight: 10\n', '      - setWeight: 10\n      - setHeaderRoute: { name: h, match: [{ headerName: x, headerValue: { exact: y } }] }\n');
    expect(refused(header, 'h.yaml')).toContainEqual(invalid('h.yaml:57:9: spec.strategy.canary.trafficRouting.managedRoutes', 'Rollout has missing field \'spec.strategy.canary.trafficRouting.managedRoutes\''));
    expect(refused(argo('apisix-rollout-header-route.yaml'))).toEqual([]);
  });
});

describe('flagd\'s zero-downtime test ConfigMap (test/zero-downtime-flagd-proxy/manifests/proxy/flag-config.yaml)', () => {
  const file = 'test/fixtures/vendor/flagd/zd-proxy-flag-config.yaml';
  const said = '(a Kubernetes ConfigMap: a flag system reads it as the files it is mounted as; data.flags holds a flag configuration as text: give that text as a file of its own)';
  it('import flags flagd: exit 2, the ConfigMap named with the key that holds the flags', async () => {
    const r = await cli(['import', 'flags', 'flagd', file]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`${file}:3:1: flags: a flagd file has "flags": an object of flag definitions by key, or a list of flags with a key ${said}`]);
  });
  it('flags eval, which detects the system: the same words', async () => {
    const r = await cli(['flags', 'eval', file, '--flag', 'myStringFlag', '--context', '{}']);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain(said);
  });
  it('its data.flags, given as a file, serves myStringFlag', async () => {
    const { parse } = await import('yaml');
    const dir = (await import('node:fs')).mkdtempSync(join((await import('node:os')).tmpdir(), 'zd-'));
    const flags = join(dir, 'flags.json');
    (await import('node:fs')).writeFileSync(flags, (parse(readFileSync(join(root, file), 'utf8')) as { data: { flags: string } }).data.flags);
    const r = await cli(['flags', 'eval', flags, '--flag', 'myStringFlag', '--context', '{"targetingKey":"u1"}', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ variant: 'key1', value: 'val1' });
    (await import('node:fs')).rmSync(dir, { recursive: true, force: true });
  });
});

describe('Argo Rollouts examples/helm-blue-green: a Helm chart\'s template given as a resource', () => {
  const file = 'test/fixtures/vendor/argo/helm-blue-green-rollout.yaml';
  const said = `${file}:4:9: a Helm chart's template ({{ template "helm-guestbook.fullname" . }}): its resources are made when the chart is rendered; give the output of \`helm template\` instead`;
  it('import argo: exit 2 at its first action, with what to give instead', async () => {
    const r = await cli(['import', 'argo', file]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([said]);
  });
  it('a template whose actions all parse as YAML (name: {{ .Release.Name }}) is refused too, not read as a mapping', () => {
    const text = readFileSync(join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml'), 'utf8').replace('  name: rollout-canary\n', '  name: {{ .Release.Name }}\n');
    const r = argoParts([{ file: 'r.yaml', text }]);
    expect(r.ok ? [] : r.problems).toEqual(['r.yaml:7:9: a Helm chart\'s template ({{ .Release.Name }}): its resources are made when the chart is rendered; give the output of `helm template` instead']);
  });
  it('Argo\'s own {{args.name}} (rollout-linkerd.yaml with it quoted, as kubectl needs it) and Flagger\'s {{ namespace }} placeholders are not taken for Helm', () => {
    expect(argoParts([{ file: 'l.yaml', text: readFileSync(join(root, 'test/fixtures/vendor/argo/rollout-linkerd-quoted.yaml'), 'utf8') }]).ok).toBe(true);
    const templates = readFileSync(join(root, 'test/fixtures/vendor/flagger/e2e-linkerd-steps-templates.yaml'), 'utf8');
    expect(templates).toContain('{{ namespace }}');
    expect(flaggerParts([{ file: 'c.yaml', text: readFileSync(join(root, 'test/fixtures/vendor/flagger/e2e-linkerd-steps-canary.yaml'), 'utf8') }, { file: 't.yaml', text: templates }]).ok).toBe(true);
  });
});

describe('Flagger\'s FAQ: two Canaries in one file', () => {
  it('both are named with their places', async () => {
    const file = 'test/fixtures/vendor/flagger/docs-faq-two-canaries.yaml';
    const r = await cli(['import', 'flagger', file]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`${file}: 2 Canaries: "website" (${file}:4:9), "webapi" (${file}:21:9); a plan rehearses one: name it (rehearse import flagger --canary NAME; in a scenario, flagger.name)`]);
  });
  it('so are two Rollouts', () => {
    const ro = readFileSync(join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml'), 'utf8');
    const r = argoParts([{ file: 'two.yaml', text: `${ro}---\n${ro.replace('name: rollout-canary\n', 'name: second\n')}` }]);
    expect(r.ok ? [] : r.problems).toEqual(['two.yaml: 2 Rollouts: "rollout-canary" (two.yaml:7:9), "second" (two.yaml:45:9); a plan rehearses one: name it (rehearse import argo --rollout NAME; in a scenario, argo.name)']);
  });
});
