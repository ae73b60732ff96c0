/**
 * Every real Argo Rollouts and Flagger file of test/fixtures/vendor imports with no silent drop: each field it
 * holds is modelled, or named by a warning (with its path), or refused. Files that only hold templates are
 * paired with a Rollout written here that names them (marked below); Markdown pages are read block by block, at
 * the page's own line numbers. The warning counts are those of the disposition tables as they stand.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { ANALYSIS_TEMPLATE, ROLLOUT } from '../src/interop/argo/dispositions.js';
import { CANARY, METRIC_TEMPLATE } from '../src/interop/flagger/dispositions.js';
import { dispositionOf, type Table } from '../src/interop/kube/fields.js';
import { pathText, readResources, type SourceFile } from '../src/interop/kube/resources.js';

const ARGO = 'test/fixtures/vendor/argo/';
const FLAGGER = 'test/fixtures/vendor/flagger/';
const file = (dir: string, name: string): SourceFile => ({ file: name, text: readFileSync(dir + name, 'utf8') });

/** A Markdown page's ```yaml blocks that hold whole resources, one file each, with the page's line numbers. */
function blocks(name: string): SourceFile[] {
  const lines = readFileSync(ARGO + name, 'utf8').split('\n');
  const out: SourceFile[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== '```yaml') continue;
    const end = lines.indexOf('```', i + 1);
    const body = lines.slice(i + 1, end);
    if (body.some((l) => l.startsWith('kind:'))) out.push({ file: name, text: [...lines.slice(0, i + 1).map(() => '#'), ...body].join('\n') });
    i = end;
  }
  return out;
}

/** A Rollout written for this test, naming templates that a vendor file holds alone. */
const rolloutFor = (templates: string, cluster = false): SourceFile => ({
  file: 'test-rollout.yaml',
  text: `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: vendor-templates }\nspec:\n  strategy:\n    canary:\n      steps:\n      - setWeight: 50\n      - analysis: { templates: [{ templateName: ${templates}${cluster ? ', clusterScope: true' : ''} }] }\n  selector: { matchLabels: { app: r } }\n  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }\n`,
});
/** The sleep-job template that e2e-rollout-rollback-window.yaml names, which Argo's e2e suite keeps elsewhere. */
const sleepJob: SourceFile = { file: 'test-sleep-job.yaml', text: 'apiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: sleep-job }\nspec:\n  args: [{ name: rev }]\n  metrics:\n  - name: sleep-job\n    provider: { job: { spec: { template: {} } } }\n' };

/** Every field of every resource read: modelled, or its path (or an ancestor's) in a warning, or in a problem. */
function silentDrops(files: readonly SourceFile[], group: string, tables: Record<string, Table>, said: readonly string[]): string[] {
  const { resources } = readResources(files, { group, kinds: Object.keys(tables) });
  const drops: string[] = [];
  for (const r of resources) {
    const mentioned = (path: (string | number)[]) => {
      for (let k = path.length; k > 0; k--) {
        const text = pathText(path.slice(0, k));
        if (said.some((s) => s.startsWith(`${r.file}:`) && (s.includes(` ${text}:`) || s.includes(` ${text},`) || s.includes(` ${text} (`)))) return true;
      }
      return false;
    };
    const visit = (v: unknown, path: (string | number)[], segs: string[]) => {
      if (segs.length > 0) {
        const d = dispositionOf(tables[r.kind], segs);
        if (!d || d.disposition.d !== 'modelled') {
          if (!mentioned(path)) drops.push(`${r.file}: ${pathText(path)} (${d ? d.disposition.d : 'not in the schema'})`);
          return;
        }
        if (d.pattern.endsWith('**')) return;
      }
      if (Array.isArray(v)) v.forEach((x, i) => visit(x, [...path, i], [...segs, '[]']));
      else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) visit(x, [...path, k], [...segs, k]);
    };
    visit(r.value, [], []);
  }
  return drops;
}

/** Values for the args the templates declare without one (the scenario's argo.args); Secret-backed args get placeholders. */
const args = { 'service-name': 'guestbook', 'application-name': 'guestbook' };
/** A block's resources: templates named by a Rollout written here, other kinds beside rollout-canary.yaml. */
const withRollout = (b: SourceFile): SourceFile[] => {
  const template = /^kind: (Cluster)?AnalysisTemplate$/m.exec(b.text);
  return template ? [rolloutFor(/^  name: (\S+)/m.exec(b.text)![1], template[1] !== undefined), b] : [file(ARGO, 'rollout-canary.yaml'), b];
};

describe('Argo Rollouts vendor files import with no silent drop', () => {
  // Counts include one warning for each template the Rollout names nowhere (the legacy file's "pass",
  // appmesh-canary-rollout.yaml's commented-out "success-rate", rollout-linkerd.yaml's "load-test"), and one for
  // each condition of a provider that is not simulated (web, newRelic): it is never evaluated, and one for the
  // selector of a Rollout written here (the controller needs one: validation.go; the pods are not simulated).
  const cases: [string, SourceFile[], number][] = [
    ['rollout-canary.yaml', [file(ARGO, 'rollout-canary.yaml')], 3],
    ['rollout-analysis-step.yaml + legacy templates', [file(ARGO, 'rollout-analysis-step.yaml'), file(ARGO, 'legacy-analysis-templates-maxFailures.yaml')], 9],
    ['rollout-background-analysis.yaml + legacy templates', [file(ARGO, 'rollout-background-analysis.yaml'), file(ARGO, 'legacy-analysis-templates-maxFailures.yaml')], 9],
    ['legacy-rollout-analysis-step.yaml', [file(ARGO, 'legacy-rollout-analysis-step.yaml'), file(ARGO, 'legacy-analysis-templates-maxFailures.yaml')], 9],
    ['legacy-rollout-background-analysis.yaml', [file(ARGO, 'legacy-rollout-background-analysis.yaml'), file(ARGO, 'legacy-analysis-templates-maxFailures.yaml')], 9],
    ['appmesh-canary-rollout.yaml + appmesh-canary-service.yaml', [file(ARGO, 'appmesh-canary-rollout.yaml'), file(ARGO, 'appmesh-canary-service.yaml')], 5],
    ['e2e-istio-host-split.yaml', [file(ARGO, 'e2e-istio-host-split.yaml')], 2],
    ['istio-mirror.yaml', [file(ARGO, 'istio-mirror.yaml')], 5],
    ['istio-subset-split.yaml', [file(ARGO, 'istio-subset-split.yaml')], 2],
    ['rollout-linkerd-quoted.yaml', [file(ARGO, 'rollout-linkerd-quoted.yaml')], 6],
    ['rollout-notifications-ingress.yaml', [file(ARGO, 'rollout-notifications-ingress.yaml')], 5],
    ['rollout-secret.yaml', [file(ARGO, 'rollout-secret.yaml')], 7],
    ['rollout-template-ref.yaml', [file(ARGO, 'rollout-template-ref.yaml')], 4],
    ['e2e-rollout-bg-analysis-withArgs.yaml', [file(ARGO, 'e2e-rollout-bg-analysis-withArgs.yaml')], 7],
    ['e2e-rollout-background-analysis-inconclusive.yaml + its template', [file(ARGO, 'e2e-rollout-background-analysis-inconclusive.yaml'), file(ARGO, 'e2e-analysistemplate-web-background-inconclusive.yaml')], 5],
    ['e2e-rollout-rollback-window.yaml (+ a sleep-job template written here)', [file(ARGO, 'e2e-rollout-rollback-window.yaml'), sleepJob], 4],
    ['apisix-rollout-header-route.yaml (setCanaryScale and setHeaderRoute in one step; its ApisixRoute not given, said unchecked)', [file(ARGO, 'apisix-rollout-header-route.yaml')], 6],
    ['gatewayapi-plugin-rollout.yml + gatewayapi-plugin-httproute.yml', [file(ARGO, 'gatewayapi-plugin-rollout.yml'), file(ARGO, 'gatewayapi-plugin-httproute.yml')], 3],
    ['cluster-analysis-templates.yaml (named by a Rollout written here)', [rolloutFor('always-pass', true), file(ARGO, 'cluster-analysis-templates.yaml')], 3],
    ['e2e-experiment-dry-run-analysis.yaml (named by a Rollout written here)', [rolloutFor('dry-run-job'), file(ARGO, 'e2e-experiment-dry-run-analysis.yaml')], 4],
    ['e2e-analysis-run-prometheus-bad-server.yaml beside rollout-canary.yaml', [file(ARGO, 'rollout-canary.yaml'), file(ARGO, 'e2e-analysis-run-prometheus-bad-server.yaml')], 4],
    ...blocks('docs-analysis-prometheus.md').map((b, i): [string, SourceFile[], number] => [`docs-analysis-prometheus.md block ${i + 1}`, withRollout(b), [2, 2, 3, 4, 4][i]]),
    // Block 1 writes the query beside newRelic, not in it: the API server refuses it (test/real-files-15.test.ts).
    ...blocks('docs-analysis-newrelic.md').slice(1).map((b, i): [string, SourceFile[], number] => [`docs-analysis-newrelic.md block ${i + 2}`, withRollout(b), [4, 4][i]]),
  ];
  it.each(cases)('%s', (_, files, count) => {
    const r = argoParts(files, { args });
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(silentDrops(files, 'argoproj.io', { Rollout: ROLLOUT, AnalysisTemplate: ANALYSIS_TEMPLATE, ClusterAnalysisTemplate: ANALYSIS_TEMPLATE }, r.warnings)).toEqual([]);
    expect(r.warnings.length).toBe(count);
  });

  // argoproj/argo-rollouts rollout/trafficrouting/istio/istio.go: getVirtualService ("VirtualService `x` not
  // found") and getHttpRouteIndexesToPatch ("HTTP Route 'x' is not found in the defined Virtual Service.") stop
  // the rollout; istio-mirror.yaml holds the VirtualService its Rollout names, with its route "primary".
  it('an Istio VirtualService or route the files do not hold is refused at its name, with a suggestion', () => {
    const mirror = file(ARGO, 'istio-mirror.yaml');
    const with_ = (from: string, to: string) => argoParts([{ file: mirror.file, text: mirror.text.replace(from, to) }]);
    expect(with_('', '').ok).toBe(true);
    const vs = with_('            name: istio-host-split-vsvc\n', '            name: istio-host-split-vsv\n');
    expect(vs.ok ? [] : vs.problems).toEqual([expect.stringMatching(/^istio-mirror\.yaml:66:19: spec\.strategy\.canary\.trafficRouting\.istio\.virtualService\.name: no VirtualService "istio-host-split-vsv" in the files given; did you mean "istio-host-split-vsvc"\? \(found "istio-host-split-vsvc"\): the controller cannot set the weights/)]);
    const route = with_('              - primary\n', '              - primay\n');
    expect(route.ok ? [] : route.problems).toEqual([expect.stringMatching(/^istio-mirror\.yaml:68:17: spec\.strategy\.canary\.trafficRouting\.istio\.virtualService\.routes\[0\]: VirtualService "istio-host-split-vsvc" has no HTTP route "primay"; did you mean "primary"\? \(its routes: "primary"\): the controller stops there/)]);
  });

  // test/e2e/functional/analysistemplate-web-background-inconclusive.yaml: a web provider, not simulated, whose
  // conditions never match (the e2e test expects Inconclusive): rehearsed Inconclusive, the conditions said unused.
  it('a condition of a provider that is not simulated is said not evaluated, at its place', () => {
    const r = argoParts([file(ARGO, 'e2e-rollout-background-analysis-inconclusive.yaml'), file(ARGO, 'e2e-analysistemplate-web-background-inconclusive.yaml')]);
    expect(r.warnings.filter((w) => w.includes('not evaluated'))).toEqual(['successCondition:16:25', 'failureCondition:17:25'].map((x) => {
      const [key, at] = [x.split(':')[0], x.slice(x.indexOf(':') + 1)];
      return `e2e-analysistemplate-web-background-inconclusive.yaml:${at}: spec.metrics[0].${key}: not evaluated: the web provider is not simulated, each measurement is Inconclusive whatever this says`;
    }));
  });

  // argoproj/argo-rollouts pkg/apis/rollouts/validation/validation.go hasMultipleStepsType: a step may hold only
  // one of setWeight, pause, experiment and analysis; setCanaryScale, setHeaderRoute, setMirrorRoute and plugin go
  // beside them (examples/apisix/rollout.yaml's first step holds setCanaryScale and setHeaderRoute).
  it('a step with setCanaryScale and setHeaderRoute is a Rollout Argo runs; setWeight with pause is one it refuses', () => {
    const apisix = file(ARGO, 'apisix-rollout-header-route.yaml');
    const r = argoParts([apisix]);
    expect(r.ok && r.parts.stages.map((st) => [st.percent, st.holdUs / 1e6, st.approval !== null])).toEqual([[20, 0, true], [40, 15, true], [60, 15, false], [80, 15, false], [100, 0, false]]);
    const both = { file: apisix.file, text: apisix.text.replace('        - setWeight: 20\n', '        - setWeight: 20\n          pause: { duration: 10 }\n') };
    const refused = argoParts([both]);
    expect(refused.ok ? [] : refused.problems).toEqual([
      expect.stringMatching(/^apisix-rollout-header-route\.yaml:29:11: spec\.strategy\.canary\.steps\[2\]: a step does one of setWeight, pause, experiment and analysis \(setWeight and pause here\): Argo refuses the Rollout$/),
    ]);
  });

  it('says what a current controller does with the pre-v1.0 forms, and names the context in one note', () => {
    const r = argoParts([file(ARGO, 'rollout-linkerd-quoted.yaml')]);
    expect(r.warnings.filter((w) => w.includes('context, not rehearsed'))).toEqual([
      'rollout-linkerd-quoted.yaml:44:1: context, not rehearsed (the scenario\'s services run in their place): Service "rollout-linkerd" (44:1), Service "rollout-linkerd-stable" (57:1), Service "rollout-linkerd-canary" (70:1)',
    ]);
    expect(r.warnings).toContain('rollout-linkerd-quoted.yaml:36:9: spec.strategy.canary.trafficManagement: trafficManagement is trafficRouting before Argo Rollouts v0.9; a current controller prunes it and splits traffic by pod counts. Rehearsed as trafficRouting, as v0.x ran it');
    const legacy = argoParts([file(ARGO, 'legacy-rollout-background-analysis.yaml'), file(ARGO, 'legacy-analysis-templates-maxFailures.yaml')]);
    expect(legacy.ok && legacy.parts.background!.analysis.metrics.map((m) => [m.name, m.failureLimit])).toEqual([['random-fail', 1]]);
    expect(legacy.warnings.join('\n')).toMatch(/analysis\.templateName: analysis\.templateName is the form of Argo Rollouts before v1\.0; a current controller prunes it and runs no analysis for it/);
  });
});

describe('Flagger vendor files import with no silent drop', () => {
  const cases: [string, SourceFile[], number][] = [
    ['istio-canary.yaml', [file(FLAGGER, 'istio-canary.yaml')], 6],
    ['istio-abtest.yaml', [file(FLAGGER, 'istio-abtest.yaml')], 6],
    ['linkerd-canary.yaml', [file(FLAGGER, 'linkerd-canary.yaml')], 5],
    ['kuma-canary.yaml', [file(FLAGGER, 'kuma-canary.yaml')], 7],
    ['v1alpha3-istio-canary.yaml', [file(FLAGGER, 'v1alpha3-istio-canary.yaml')], 6],
    ['v1alpha3-nginx-canary.yaml', [file(FLAGGER, 'v1alpha3-nginx-canary.yaml')], 5],
    ['v1alpha3-gloo-canary.yaml', [file(FLAGGER, 'v1alpha3-gloo-canary.yaml')], 5],
    ['v1alpha3-appmesh-canary.yaml', [file(FLAGGER, 'v1alpha3-appmesh-canary.yaml')], 8],
    ['kuma-canary.yaml + the kustomize manifests (podinfo, HPA, flagger with the linkerd patch)',
      ['kustomize-podinfo-deployment.yaml', 'kustomize-podinfo-hpa.yaml', 'kustomize-base-flagger-deployment.yaml', 'kustomize-linkerd-patch.yaml', 'kuma-canary.yaml'].map((n) => file(FLAGGER, n)), 8],
  ];
  it.each(cases)('%s', (_, files, count) => {
    const r = flaggerParts(files);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(silentDrops(files, 'flagger.app', { Canary: CANARY, MetricTemplate: METRIC_TEMPLATE }, r.warnings)).toEqual([]);
    expect(r.warnings.length).toBe(count);
  });

  it('names the mesh provider it assumed: Flagger\'s default, or the flagger Deployment\'s among the files', () => {
    const alone = flaggerParts([file(FLAGGER, 'kuma-canary.yaml')]);
    expect(alone.warnings).toContain('kuma-canary.yaml:9:3: spec.provider: none: the mesh provider is the flagger controller\'s -mesh-provider, "istio" (Flagger\'s default; the scenario\'s flagger.mesh-provider names another)');
    expect(alone.ok && alone.parts.builtin!.preset).toBe('istio');
    const kept = flaggerParts([file(FLAGGER, 'kustomize-linkerd-patch.yaml'), file(FLAGGER, 'kuma-canary.yaml')]);
    expect(kept.warnings).toContain('kuma-canary.yaml:9:3: spec.provider: none: the mesh provider is the flagger controller\'s -mesh-provider, "linkerd" (the flagger Deployment\'s argument at kustomize-linkerd-patch.yaml:11:15)');
    expect(kept.ok && kept.parts.builtin!.preset).toBe('linkerd');
    const told = flaggerParts([file(FLAGGER, 'kuma-canary.yaml')], { meshProvider: 'kuma' });
    expect(told.ok && told.parts.checks[0].gate.query).toContain('envoy_cluster_upstream_rq{ service=~"podinfo-canary_test_svc_[0-9a-zA-Z-]+"');
  });
});
