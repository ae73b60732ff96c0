/**
 * Round 28 of the real-files sweep: the vendors' newest examples rehearse had no fixture for (test/fixtures/vendor/,
 * each README names the repository, path and commit), each run through rehearse and its outcome asserted:
 * - prometheus/prometheus cmd/promtool/testdata/features.yml: the rule file promtool's TestCheckRulesWithFeatureFlag
 *   (cmd/promtool/main_test.go) checks with --enable-feature=promql-experimental-functions,
 *   promql-extended-range-selectors and promql-binop-fill-modifiers: every rule loads; what 2.42 refuses is warned at
 *   its query, the fill modifier is evaluated, sort_by_label and anchored are named as not evaluated.
 * - rules_extrafields.yml: groups with fields rulefmt.RuleGroup does not have (`namespace`, `ownership`), which
 *   promtool refuses but with --ignore-unknown-fields: refused, each at its line and column.
 * - argoproj/argo-rollouts examples/analysis-templates.yaml (job providers), rollout-bluegreen.yaml (refused at its
 *   strategy: rehearse rehearses canary steps) and workload-ref/workload-ref.yaml; fluxcd/flagger
 *   artifacts/examples/linkerd-canary-steps.yaml (stepWeights).
 * Found by renaming each key of these files in turn, and fixed:
 * - a key the CRD does not list under a field rehearse warns as a whole (spec.workloadRef's `kind` written `kindZq`)
 *   was said nothing of, though the API server prunes it and the controller then misses the field it meant: warned as
 *   any pruned key is, with the key it is closest to.
 * - a webhook to Flagger's load tester whose cmd task has no `cmd` (a typo of the key) was "not called, it passes";
 *   flagger-loadtester answers it 400 "cmd not found in metadata" (pkg/loadtester/task_shell.go at 15bd6ad5), so Flagger
 *   fails it at every call: said so.
 * - an Istio VirtualService whose route the Rollout names lost its `route` (the key renamed), or names no destination
 *   of the canary or stable Service: the controller refuses the Rollout (rollout/trafficrouting/istio/istio.go
 *   ValidateHTTPRoutes, validateVirtualServiceRouteDestinations at 9f8d111d: "Canary Service 'x' not found in route";
 *   pkg/apis/rollouts/validation/validation_references.go: "Istio VirtualService has invalid HTTP routes"), where
 *   rehearse rehearsed it: refused at the route's name in the Rollout.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../src/errors.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { evaluate } from '../src/promql/eval.js';
import { cli } from './helpers.js';
import { InputSeries } from './promtool.js';

const V = 'test/fixtures/vendor';
const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-28-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
/** A fixture with one text replaced, written in a folder of its own. */
const edited = (fixture: string, from: string, to: string): string => {
  const text = readFileSync(`${V}/${fixture}`, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} not in ${fixture}`);
  const file = join(dir, fixture.replace('/', '-'));
  writeFileSync(file, text.replace(from, to));
  return file;
};
const lines = (text: string) => text.split('\n').filter(Boolean);

describe('promtool\'s features.yml: one rule for each Prometheus 3 feature behind a flag', () => {
  const { groups, warnings } = readRuleFile(readFileSync(`${V}/promtool/features.yml`, 'utf8'), 'features.yml');
  const rules = groups[0].rules;

  it('loads every rule, as promtool with the flags does', () => {
    expect(rules.map((r) => r.name)).toEqual(['promql-experimental-functions', 'promql-duration-expr', 'promql-extended-range-selectors', 'promql-binop-fill-modifiers']);
  });

  it('warns at each query 2.42 refuses, and names what it does not evaluate', () => {
    const at = (line: number) => warnings.filter((w) => w.startsWith(`features.yml:${line}:`)).map((w) => w.replace(/^[^ ]+ [^:]+: /, ''));
    expect(at(8)).toEqual([expect.stringMatching(/^a duration expression at column 9: .*Prometheus 2\.42 refuses the query and the file$/)]);
    expect(at(12)).toEqual([expect.stringMatching(/^a fill modifier at column 16: Prometheus 3's fill\(\).*Prometheus 2\.42, and 3 without the flag, refuses the query and the file$/)]);
    expect(rules[0].error).toMatch(/^unsupported function "sort_by_label" \(Prometheus 3's, experimental/);
    expect(rules[2].error).toMatch(/^unsupported anchored modifier/);
    expect([rules[1].error, rules[3].error]).toEqual([null, null]);
  });

  it('evaluates the fill rule: a side with no series takes 0, as promqltest fill-modifier.test has it', () => {
    const series = new InputSeries();
    series.add({ __name__: 'up', job: 'a' }, [0, 60, 120, 180, 240, 300], 60_000);
    series.add({ __name__: 'down', job: 'b' }, [0, 30, 60, 90, 120, 150], 60_000);
    const r = evaluate(rules[3].expr!, series, 300_000);
    expect(r).toEqual({ type: 'vector', samples: [{ labels: { job: 'a' }, value: 1 }, { labels: { job: 'b' }, value: 0.5 }] });
  });
});

describe('promtool\'s rules_extrafields.yml', () => {
  it('is refused at each field rulefmt does not have, as promtool refuses it without --ignore-unknown-fields', () => {
    let refused: string[] = [];
    try {
      readRuleFile(readFileSync(`${V}/promtool/rules_extrafields.yml`, 'utf8'), 'rules_extrafields.yml');
    } catch (e) {
      refused = (e as InputError).lines;
    }
    expect(refused).toEqual([
      'rules_extrafields.yml:7:16: groups[0].namespace: field namespace not found in a rule group (Prometheus refuses it)',
      'rules_extrafields.yml:22:7: groups[1].ownership: field ownership not found in a rule group (Prometheus refuses it)',
    ]);
  });
});

describe('Argo Rollouts\' newest examples', () => {
  it('analysis-templates.yaml: the job providers are Inconclusive, the template no analysis names is said so', async () => {
    const r = await cli('import', 'argo', `${V}/argo/rollout-analysis-step.yaml`, `${V}/argo/analysis-templates.yaml`);
    expect(r.code).toBe(0);
    const w = lines(r.err).filter((l) => l.includes('analysis-templates.yaml'));
    expect(w).toEqual([
      `warning: ${V}/argo/analysis-templates.yaml:18:9: spec.metrics[0].provider.job: the job provider is not simulated: each of its measurements is Inconclusive`,
      `warning: ${V}/argo/analysis-templates.yaml:44:9: spec.metrics[0].provider.job: the job provider is not simulated: each of its measurements is Inconclusive`,
      expect.stringMatching(new RegExp(`^warning: ${V}/argo/analysis-templates\\.yaml:9:9: metadata\\.name: no analysis of the Rollout "rollout-analysis-step" .* names AnalysisTemplate "pass"`)),
    ]);
    expect(r.out).toContain('random-fail');
  });

  it('rollout-bluegreen.yaml: refused at its strategy, with the file, line and column', async () => {
    const r = await cli('import', 'argo', `${V}/argo/rollout-bluegreen.yaml`);
    expect([r.code, lines(r.err)]).toEqual([2, [`${V}/argo/rollout-bluegreen.yaml:28:7: spec.strategy.blueGreen: blueGreen is not rehearsed: rehearse rehearses canary steps`]]);
  });

  it('workload-ref.yaml: the Deployment is context, the steps are the stages', async () => {
    const r = await cli('import', 'argo', `${V}/argo/workload-ref.yaml`);
    expect(r.code).toBe(0);
    expect(lines(r.err)[0]).toBe(`warning: ${V}/argo/workload-ref.yaml:1:1: context, not rehearsed (the scenario's services run in their place): Deployment "rollout-ref-deployment" (1:1)`);
    expect(lines(r.err)[1]).toBe(`warning: ${V}/argo/workload-ref.yaml:28:13: spec.replicas, spec.workloadRef (30:5): the workload's pods are not simulated: the scenario's services stand for them`);
    expect(r.out).toMatch(/ {4}stages:\n {6}- to: 20%\n {8}hold: 10s\n {6}- to: 100%$/);
  });
});

describe('Flagger\'s linkerd-canary-steps.yaml', () => {
  it('rehearses its stepWeights one stage each, then promotion, every field read or warned', async () => {
    const r = await cli('import', 'flagger', `${V}/flagger/linkerd-canary-steps.yaml`);
    expect(r.code).toBe(0);
    const to = [...r.out.matchAll(/- to: (\d+)%/g)].map((m) => Number(m[1]));
    expect(to).toEqual([5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 55, 100]);
    expect(lines(r.err).map((l) => /^warning: [^:]+:(\d+:\d+): ([\w.[\]]+)/.exec(l)?.slice(1, 3).join(' '))).toEqual([
      '8:28 spec.progressDeadlineSeconds', '14:5 spec.autoscalerRef', '20:17 spec.service.targetPort', '38:7 spec.analysis.webhooks[0]', '45:7 spec.analysis.webhooks[1]',
    ]);
  });
});

describe('a renamed key in the newest examples', () => {
  it('under spec.workloadRef, which the API server prunes: warned with the key it is closest to', async () => {
    const r = await cli('import', 'argo', edited('argo/workload-ref.yaml', '    kind: Deployment', '    kindZq: Deployment'));
    expect(r.code).toBe(0);
    expect(lines(r.err)).toContain(`warning: ${dir}/argo-workload-ref.yaml:31:13: spec.workloadRef.kindZq: not a field of the current CRD: the API server prunes it, and the controller never sees it; did you mean "kind"?`);
  });

  it('a load tester\'s cmd task without cmd: the webhook fails at every call, as flagger-loadtester refuses it', async () => {
    const r = await cli('import', 'flagger', edited('flagger/linkerd-canary-steps.yaml', '        cmd: "hey', '        cmdZq: "hey'));
    expect(r.code).toBe(0);
    expect(lines(r.err).find((l) => l.includes('webhooks[1]'))).toBe(`warning: ${dir}/flagger-linkerd-canary-steps.yaml:45:7: spec.analysis.webhooks[1]: webhook "load-test" of type rollout is not called in a rehearsal: it passes. Its task is a cmd task (metadata.type cmd, or none) without metadata.cmd: flagger-loadtester answers 400 "cmd not found in metadata" (pkg/loadtester/task_shell.go), and Flagger fails the webhook at every call, where the rehearsal takes it as passing`);
  });
});

describe('an Istio VirtualService route without the Rollout\'s destinations (e2e-istio-host-split.yaml)', () => {
  const refusal = (role: string, svc: string) => `spec.strategy.canary.trafficRouting.istio.virtualService.routes[0]: VirtualService "istio-host-split-vsvc"'s HTTP route "primary": ${role} Service '${svc}' not found in route: the controller refuses the Rollout ("Istio VirtualService has invalid HTTP routes. Error: ${role} Service '${svc}' not found in route", validation_references.go) and it does not progress`;
  it('as the file is: both destinations, imported', async () => {
    expect((await cli('import', 'argo', `${V}/argo/e2e-istio-host-split.yaml`)).code).toBe(0);
  });
  it('its route key renamed, or a destination\'s host another Service: refused as the controller refuses it', async () => {
    const renamed = await cli('import', 'argo', edited('argo/e2e-istio-host-split.yaml', '    route:\n', '    routeZq:\n'));
    expect([renamed.code, lines(renamed.err).filter((l) => !l.startsWith('warning:'))]).toEqual([2, [`${dir}/argo-e2e-istio-host-split.yaml:61:15: ${refusal('Canary', 'istio-host-split-canary')}`]]);
    const other = await cli('import', 'argo', edited('argo/e2e-istio-host-split.yaml', '        host: istio-host-split-stable\n', '        host: istio-host-split-old.default.svc.cluster.local\n'));
    expect(lines(other.err).filter((l) => !l.startsWith('warning:'))).toEqual([`${dir}/argo-e2e-istio-host-split.yaml:61:15: ${refusal('Stable', 'istio-host-split-stable')}`]);
    // A host is compared up to its first dot (getHost): the stable Service by its full name is found.
    const full = await cli('import', 'argo', edited('argo/e2e-istio-host-split.yaml', '        host: istio-host-split-stable\n', '        host: istio-host-split-stable.default.svc.cluster.local\n'));
    expect(full.code).toBe(0);
  });
});
