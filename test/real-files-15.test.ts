/**
 * Round 15 of the real-files sweep: Argo Rollouts and Flagger resources, each outcome asserted.
 * - The vendors' CRD schemas, whole: what the API server refuses beyond the types, enums and bounds rehearse held
 *   (crd-types.json, crd-constraints.json) was imported: a field the schema requires (an AnalysisTemplate's
 *   newRelic without its query; a setHeaderRoute match without a headerValue), and anything inside the subtrees
 *   those tables collapse, a Rollout's pod template and an AnalysisTemplate's job (`containers: 5`, a port as
 *   text, a container without a name, two env vars of one name, which the list type map refuses). Each kind's
 *   structural schema is now data (src/interop/kube/crd-schema-*.json, from the CRD files it names by repository,
 *   path, commit and sha256), read only when such a resource is imported, and checked as the API server checks it.
 *   Flagger's hand-written table of required fields and oneOfs gave way to its CRD's schema, and its CEL rule on a
 *   mirror's backendRef (a core Service needs a port) is evaluated.
 * - argoproj/argo-rollouts docs/analysis/newrelic.md before its fix wrote the query beside newRelic, not in it:
 *   the API server refuses the template ("query: Required value"); rehearse read it, the query pruned.
 * - Argo's pkg/kubectl-argo-rollouts/info/testdata/rollout-invalid: a Rollout whose template labels its selector
 *   does not select, which the controller marks InvalidSpec (Kubernetes' ValidatePodTemplateSpecForReplicaSet,
 *   called by validation.go), was imported as a plan; so were a Rollout without a template and one with a
 *   workloadRef beside a labelled template.
 * - A Flagger A/B match emptied of its conditions (`headers: {}`) was rehearsed as the share of users the scenario
 *   says the match selects. What the routers write of it (pkg/router): istio.go's canary route then has an
 *   HTTPMatchRequest with no field, which matches every request; gateway_api.go keeps only an entry's headers and
 *   queryParams over the service's matches, and drops the error of an entry it cannot map (a header's prefix or
 *   suffix), so every request reaches the canary there too; appmesh and gloo write a route without a condition;
 *   nginx (ingress.go) without a header or a cookie's exact value leaves canary-weight "0", and no request reaches
 *   the canary. Rehearsed so (100% or 0% of users during the iterations), said at the entry. contour, gloo and
 *   appmesh write every entry's headers into one route (the entries are no longer alternatives): said.
 * - argoproj/argo-rollouts test/e2e/header-routing/istio-hr-host.yaml (TestIstioHostHeaderRoute): its setHeaderRoute
 *   steps were each said to be "not rehearsed (the step completes at once)", with nothing of where the route
 *   holds; now each says from which step until which (replaced, removed, or the end of the rollout) the matching
 *   requests reach the canary whatever the weight, and that at weight 0 they are the canary's only traffic in Argo
 *   and none in the rehearsal. Its two `pause: {}` with a setHeaderRoute between them asked for one promotion in
 *   the plan, where Argo waits for one at each (rollout/pause.go; the e2e test promotes twice, then fully): each
 *   is its own approval now, as any two pauses with nothing simulated between them. `match: []` on Istio makes a
 *   route with no match condition (istio.go createHeaderRoute), which takes every request: rehearsed at 100%.
 * - Flagger's load tester and webhooks (docs/gitbook/usage/webhooks.md; grafana/flagger-k6-webhook
 *   example/canary.yml): a k6 webhook, whose script's thresholds fail the hook (k6 exits non-zero and
 *   pkg/handlers/launch.go answers 400) and which is that Canary's only gate, was said to "pass", with nothing of
 *   what decides it; the ngrinder, helmv3, kubectl and concord tasks likewise; a task type the load tester does not
 *   run, which it answers with 400 "unknown task type" (pkg/loadtester/server.go) at every call, too. Each now says
 *   what decides it and what the rehearsal takes instead. The page's ngrinder example writes `clone: 100`, which the
 *   CRD (webhook metadata: strings) refuses, as rehearse did already: asserted.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { importFlaggerPlan } from '../src/interop/flagger/plan.js';
import { fieldConstraints, fieldTypes } from '../src/interop/kube/crd-types.js';
import { CEL_RULES, SCHEMA_FILES, schemaFile, specSchema, transitionRule, type Schema } from '../src/interop/kube/schema.js';
import { main } from '../src/cli/main.js';

const root = join(import.meta.dirname, '..');
const vendor = (p: string) => readFileSync(join(root, 'test/fixtures/vendor', p), 'utf8');

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n').split('\n').filter(Boolean) };
}

const argoProblems = (...files: { file: string; text: string }[]) => {
  const r = argoParts(files);
  return r.ok ? [] : r.problems;
};
const edit = (text: string, from: string, to: string) => {
  expect(text).toContain(from);
  return text.replace(from, to);
};

/** Every field path of a schema, as crd-types.json keys them (`[]` items, `.*` a map's values), with its schema. */
function schemaPaths(s: Schema, path = 'spec', out = new Map<string, Schema>()): Map<string, Schema> {
  out.set(path, s);
  for (const [k, sub] of Object.entries(s.properties ?? {})) schemaPaths(sub, `${path}.${k}`, out);
  if (s.items) schemaPaths(s.items, `${path}[]`, out);
  if (typeof s.additionalProperties === 'object') schemaPaths(s.additionalProperties, `${path}.*`, out);
  return out;
}

describe('the CRD schemas are the vendors\' own, and load only when used', () => {
  // test/fixtures/vendor/argo/README.md records the sha256 of each Argo CRD at 9f8d111d; the Flagger CRD is the fixture.
  it.each([
    ['crd-schema-rollout.json', 'manifests/crds/rollout-crd.yaml', '4c4f84b29ee91ea5ca8f86b2f019f168f2091821a661b78e3cb3d0dc0f9baf1d'],
    ['crd-schema-analysis-template.json', 'manifests/crds/analysis-template-crd.yaml', '5e25e2bdd3851b75707732207e4d79ddd4ebdb69f95cf058cf539f0186678948'],
    ['crd-schema-cluster-analysis-template.json', 'manifests/crds/cluster-analysis-template-crd.yaml', '2e5b2f1760de6bdd7b954717bb1ba5c1183288e408fbb670706b5c84393f14e9'],
  ])('%s names argoproj/argo-rollouts %s at 9f8d111d, whose sha256 the fixtures README holds', (name, path, sha) => {
    const f = schemaFile(name);
    expect(f.source).toEqual({ repository: 'argoproj/argo-rollouts', path, commit: '9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d', sha256: sha });
    expect(vendor('argo/README.md')).toContain(sha);
  });

  it.each([['Rollout', 'rollout'], ['AnalysisTemplate', 'analysis-template'], ['ClusterAnalysisTemplate', 'cluster-analysis-template']])('Argo %s: the same fields and types as the CRD\'s field list and crd-types.json, the collapsed subtrees whole', (kind, list) => {
    const paths = schemaPaths(specSchema('argoproj.io', kind)!);
    const listed: string[] = JSON.parse(vendor(`argo/schema/${list}.json`));
    const collapsed = listed.filter((p) => p.endsWith('.**')).map((p) => p.slice(0, -3));
    const below = (p: string) => collapsed.some((c) => p.startsWith(`${c}.`) || p.startsWith(`${c}[`));
    expect([...paths.keys()].filter((p) => !below(p)).sort()).toEqual(listed.filter((p) => !p.endsWith('.**')).sort());
    const types = fieldTypes('argoproj.io', kind)!;
    for (const [p, s] of paths) {
      if (below(p) || !Object.hasOwn(types, p) || types[p] === 'object*' || types[p] === 'any') continue;
      expect([p, s['x-kubernetes-int-or-string'] ? 'int-or-string' : s.type]).toEqual([p, types[p]]);
    }
    // The pod template, which the field lists collapse, is whole here: a container requires its name.
    if (kind === 'Rollout') expect(paths.get('spec.template.spec.containers[]')!.required).toEqual(['name']);
    for (const [p, c] of Object.entries(fieldConstraints('argoproj.io', kind)!)) expect(paths.get(p)!.enum).toEqual(c.enum);
  });

  it('the Flagger kinds are those of test/fixtures/vendor/flagger/crd.yaml (fluxcd/flagger artifacts/flagger/crd.yaml)', () => {
    const f = schemaFile('crd-schema-flagger.json');
    expect(f.source.repository).toBe('fluxcd/flagger');
    expect(f.source.sha256).toBe(createHash('sha256').update(vendor('flagger/crd.yaml')).digest('hex'));
    expect(Object.keys(SCHEMA_FILES).filter((k) => k.startsWith('flagger.app/'))).toEqual(['flagger.app/Canary', 'flagger.app/MetricTemplate']);
  });

  it('every CEL rule of the schemas is one rehearse evaluates, or a transition rule (updates only)', () => {
    const rules: string[] = [];
    const walk = (s: Schema) => {
      for (const v of (s as { 'x-kubernetes-validations'?: { rule: string }[] })['x-kubernetes-validations'] ?? []) rules.push(v.rule);
      for (const sub of Object.values(s.properties ?? {})) walk(sub);
      if (s.items) walk(s.items);
      if (typeof s.additionalProperties === 'object') walk(s.additionalProperties);
    };
    for (const name of new Set(Object.values(SCHEMA_FILES))) for (const s of Object.values(schemaFile(name).kinds)) walk(s);
    expect(rules.filter((r) => !transitionRule(r) && !Object.hasOwn(CEL_RULES, r))).toEqual([]);
    expect(rules.filter((r) => transitionRule(r))).toEqual(['self == oldSelf']);
  });

  it('a schema is read when a resource of its kind is first checked, not when the adapters load', async () => {
    // In a process of its own: this file's other tests read them all.
    const { spawnSync } = await import('node:child_process');
    const at = (p: string) => JSON.stringify(join(root, p));
    const code = `const m = await import(${at('src/interop/kube/schema.ts')}); const argo = await import(${at('src/interop/argo/index.ts')});
      await import(${at('src/interop/flagger/index.ts')}); const seen = [m.loadedSchemas()];
      argo.toScenarioParts([{ file: 'r.yaml', text: ${JSON.stringify(vendor('argo/rollout-canary.yaml'))} }]); seen.push(m.loadedSchemas());
      console.log(JSON.stringify(seen));`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual([[], ['crd-schema-rollout.json']]);
  });
});

describe('argoproj/argo-rollouts docs/analysis/newrelic.md: the query beside newRelic, then in it', () => {
  // The CRD (analysis-template-crd.yaml) requires newRelic.query; provider.query is no field of it, so the API
  // server prunes it and refuses the template for the missing one. The page was fixed later (97ded54e).
  const block = (name: string) => {
    const lines = vendor(`argo/${name}`).split('\n');
    const start = lines.indexOf('```yaml');
    return { file: name, text: lines.map((l, i) => (i > start && i < lines.indexOf('```', start + 1) ? l : '#')).join('\n') };
  };
  const rollout = { file: 'r.yaml', text: `${edit(vendor('argo/rollout-canary.yaml'), '      - setWeight: 40\n', '      - setWeight: 40\n      - analysis: { templates: [{ templateName: success-rate }], args: [{ name: application-name, value: guestbook }] }\n')}` };
  it('before the fix (08798c08): refused, "query: Required value", at newRelic', () => {
    const old = block('docs-analysis-newrelic.md');
    expect(old.text.split('\n').slice(19, 22)).toEqual(['      newRelic:', '        profile: my-newrelic-secret  # optional, defaults to \'newrelic\'', '      query: |']);
    expect(argoProblems(rollout, old)).toEqual(['docs-analysis-newrelic.md:21:9: spec.metrics[0].provider.newRelic: query: Required value: the AnalysisTemplate CRD requires it here, and the API server refuses the resource without it']);
  });
  it('as the page stands at 9f8d111d: imports, the provider not simulated (its measurements Inconclusive)', () => {
    const r = argoParts([rollout, block('docs-analysis-newrelic-9f8d111.md')]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(r.warnings.join('\n')).toMatch(/spec\.metrics\[0\]\.provider\.newRelic: .*not simulated/);
  });
});

describe('Argo: the pod template, as the API server (the CRD) and the controller (InvalidSpec) read it', () => {
  const canary = vendor('argo/rollout-canary.yaml');
  it('pkg/kubectl-argo-rollouts/info/testdata/rollout-invalid: labels the selector does not select, refused as the controller\'s InvalidSpec', async () => {
    // Argo's info_test.go expects the condition "spec.template.metadata.labels: Invalid value: ...: `selector` does not match template `labels`".
    const file = 'test/fixtures/vendor/argo/kubectl-testdata-rollout-invalid.yaml';
    const r = await cli(['import', 'argo', file]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([`${file}:22:9: spec.template.metadata.labels: the controller marks the Rollout InvalidSpec and never rolls it out ("\`selector\` does not match template \`labels\`", pkg/apis/rollouts/validation/validation.go)`]);
  });
  it('selectors by expression are matched as k8s.io/apimachinery labels reads them', () => {
    const expressions = (e: string) => edit(canary, '    matchLabels:\n      app: rollout-canary\n', `    matchExpressions: [${e}]\n`);
    expect(argoProblems({ file: 'r.yaml', text: expressions('{ key: app, operator: In, values: [rollout-canary, x] }') })).toEqual([]);
    expect(argoProblems({ file: 'r.yaml', text: expressions('{ key: tier, operator: DoesNotExist }') })).toEqual([]);
    expect(argoProblems({ file: 'r.yaml', text: expressions('{ key: app, operator: NotIn, values: [rollout-canary] }') })).toEqual([expect.stringContaining('spec.template.metadata.labels: the controller marks the Rollout InvalidSpec')]);
    // The CRD types operator as a string with no enum: the controller's LabelSelectorAsSelector refuses another.
    expect(argoProblems({ file: 'r.yaml', text: expressions('{ key: app, operator: Is, values: [x] }') })).toEqual([expect.stringContaining('spec.selector: the controller marks the Rollout InvalidSpec and never rolls it out ("invalid label selector"')]);
  });
  it('no template, or one without containers: InvalidSpec (ValidatePodSpec: "spec.template.spec.containers: Required value")', () => {
    const none = edit(canary, canary.slice(canary.indexOf('  template:\n'), canary.indexOf('  strategy:\n')), '');
    expect(argoProblems({ file: 'r.yaml', text: none })).toEqual([
      'r.yaml:9:3: spec.template: the controller marks the Rollout InvalidSpec and never rolls it out ("`selector` does not match template `labels`", pkg/apis/rollouts/validation/validation.go)',
      'r.yaml:9:3: spec.template: the controller marks the Rollout InvalidSpec and never rolls it out ("spec.template.spec.containers: Required value", pkg/apis/rollouts/validation/validation.go)',
    ]);
    expect(argoProblems({ file: 'r.yaml', text: edit(canary, '      containers:\n      - name: rollouts-demo\n', '      containers: []\n      x:\n      - name: rollouts-demo\n') })).toContainEqual(expect.stringContaining('r.yaml:19:19: spec.template.spec.containers: the controller marks the Rollout InvalidSpec'));
  });
  it('validation_test.go "workload reference with template": a labelled template beside a workloadRef (rollout-template-ref.yaml has none)', () => {
    const ref = vendor('argo/rollout-template-ref.yaml');
    expect(argoProblems({ file: 'ref.yaml', text: ref })).toEqual([]);
    const both = `${ref}  template:\n    metadata:\n      labels: { app: rollout-ref-deployment }\n`;
    expect(argoProblems({ file: 'ref.yaml', text: both })).toEqual(['ref.yaml:41:5: spec.template: the controller marks the Rollout InvalidSpec and never rolls it out ("template must be empty for workload reference rollout", pkg/apis/rollouts/validation/validation.go)']);
  });
  // The Rollout CRD (rollout-crd.yaml) embeds the whole PodTemplateSpec schema; the API server checks it
  // (apiextensions-apiserver pkg/registry/customresource/strategy.go: the schema validator, then
  // structurallisttype.ValidateListSetsAndMaps).
  it.each([
    ['a port as text', 'containerPort: 8080', 'containerPort: "8080"', 'r.yaml:24:26: spec.template.spec.containers[0].ports[0].containerPort: must be an integer, as the Rollout CRD declares it, not the string "8080": the Kubernetes API server refuses the resource'],
    ['a container without a name', '      - name: rollouts-demo\n        image', '      - image', 'r.yaml:20:9: spec.template.spec.containers[0]: name: Required value: the Rollout CRD requires it here, and the API server refuses the resource without it'],
    ['containers as a map', '      containers:\n      - name: rollouts-demo\n', '      containers:\n        name: rollouts-demo\n', 'r.yaml:20:9: spec.template.spec.containers: must be a list, as the Rollout CRD declares it, not a map: the Kubernetes API server refuses the resource'],
    ['two env vars of one name (a Deployment takes them; the CRD\'s list type map does not)', '        imagePullPolicy: Always\n', '        imagePullPolicy: Always\n        env: [{ name: MODE, value: a }, { name: MODE, value: b }]\n', 'r.yaml:23:41: spec.template.spec.containers[0].env[1]: Duplicate value: {"name":"MODE"}: the Rollout CRD makes this list a map keyed by name (x-kubernetes-list-type: map): two items with the same key, and the API server refuses the resource'],
    ['two ports of one number and protocol (TCP by default)', '        - containerPort: 8080\n', '        - containerPort: 8080\n        - { containerPort: 8080, protocol: TCP, name: again }\n', 'r.yaml:25:11: spec.template.spec.containers[0].ports[1]: Duplicate value: {"containerPort":8080,"protocol":"TCP"}: the Rollout CRD makes this list a map keyed by containerPort and protocol (x-kubernetes-list-type: map): two items with the same key, and the API server refuses the resource'],
  ])('%s', (_, from, to, message) => {
    expect(argoProblems({ file: 'r.yaml', text: edit(canary, from, to) })).toEqual([message]);
  });
  it('the same port over UDP is another key: taken', () => {
    expect(argoProblems({ file: 'r.yaml', text: edit(canary, '        - containerPort: 8080\n', '        - containerPort: 8080\n        - { containerPort: 8080, protocol: UDP }\n') })).toEqual([]);
  });
});

describe('Argo: the rest of the CRD\'s required fields', () => {
  const header = vendor('argo/apisix-rollout-header-route.yaml');
  it('a setHeaderRoute match without its headerValue (apisix-rollout-header-route.yaml as it is imports)', () => {
    expect(argoProblems({ file: 'h.yaml', text: header })).toEqual([]);
    expect(argoProblems({ file: 'h.yaml', text: edit(header, '                headerValue:\n                  exact: debug\n', '') })).toEqual(['h.yaml:24:17: spec.strategy.canary.steps[0].setHeaderRoute.match[0]: headerValue: Required value: the Rollout CRD requires it here, and the API server refuses the resource without it']);
  });
  it('an AnalysisTemplate metric without a provider; a job without its spec (its pod template is checked too)', () => {
    const rollout = { file: 'r.yaml', text: vendor('argo/rollout-analysis-step.yaml') };
    const templates = vendor('argo/legacy-analysis-templates-maxFailures.yaml');
    expect(argoProblems(rollout, { file: 't.yaml', text: templates })).toEqual([]);
    const noProvider = edit(templates, '    provider:\n      job:\n', '    providr:\n      job:\n');
    expect(argoProblems(rollout, { file: 't.yaml', text: noProvider })).toContainEqual(expect.stringMatching(/^t\.yaml:\d+:\d+: spec\.metrics\[0\]: provider: Required value: the AnalysisTemplate CRD requires it here/));
    const container = edit(templates, '              - name: sleep\n', '              - nam: sleep\n');
    expect(argoProblems(rollout, { file: 't.yaml', text: container })).toContainEqual(expect.stringMatching(/spec\.metrics\[0\]\.provider\.job\.spec\.template\.spec\.containers\[0\]: name: Required value: the AnalysisTemplate CRD requires it here/));
  });
});

describe('Flagger A/B: a match as each router writes it (fluxcd/flagger pkg/router)', () => {
  const abtest = vendor('flagger/istio-abtest.yaml');
  const firefox = '    - headers:\n        user-agent:\n          regex: ".*Firefox.*"\n';
  const exposure = { percent: 10, from: null, at: 'rollout[0].flagger.exposure' };
  const plan = (text: string) => {
    const r = importFlaggerPlan([{ file: 'ab.yaml', text }], exposure);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return { percents: r.plan.stages.map((s) => s.percent), warnings: r.plan.warnings };
  };
  const provider = (p: string, text = abtest) => edit(text, '  provider: istio\n', `  provider: ${p}\n`);

  it('istio-abtest.yaml as it is: the users the match selects (the scenario\'s exposure)', () => {
    expect(plan(abtest).percents).toEqual([10, 100]);
  });
  it('istio.go: an entry emptied (headers: {}) matches every request: 100% of users, said at the entry', () => {
    const p = plan(edit(abtest, firefox, '    - headers: {}\n'));
    expect(p.percents).toEqual([100, 100]);
    expect(p.warnings).toContainEqual('ab.yaml:44:7: spec.analysis.match[1]: an entry with no condition of its own (istio.go mergeMatchConditions keeps an entry\'s headers and sourceLabels over spec.service.match: without them it is the service\'s own route): the istio router\'s canary route matches every request (an HTTPMatchRequest with no field matches all, and the entries are ORed): rehearsed at 100% of users during the 10 iterations');
    // Without spec.service.match, an entry's uri is a condition of its own; an empty one is none.
    const alone = edit(abtest, '    match:\n      - uri:\n          prefix: /\n', '');
    expect(plan(edit(alone, firefox, '    - uri: { prefix: /api }\n')).percents).toEqual([10, 100]);
    expect(plan(edit(alone, firefox, '    - {}\n')).percents).toEqual([100, 100]);
  });
  it('gateway_api.go: a header\'s prefix (which the CRD allows) fails mapRouteMatches, whose error SetRoutes drops: every request', () => {
    const gw = provider('gatewayapi:v1');
    expect(plan(gw).percents).toEqual([10, 100]);
    const prefix = plan(edit(gw, '          regex: ".*Firefox.*"\n', '          prefix: Mozilla\n'));
    expect(prefix.percents).toEqual([100, 100]);
    expect(prefix.warnings).toContainEqual(expect.stringMatching(/^ab\.yaml:44:7: spec\.analysis\.match\[1\]: the gatewayapi router cannot map this entry .*\(`analysisMatches, _ :=`\): the canary route keeps the service's matches, and every request reaches the canary: rehearsed at 100% of users during the 10 iterations$/));
    // An entry of a uri alone is dropped by mergeMatchConditions: the service's own route.
    const uri = plan(edit(gw, firefox, '    - uri: { prefix: /api }\n'));
    expect(uri.percents).toEqual([100, 100]);
    expect(uri.warnings).toContainEqual(expect.stringContaining('ab.yaml:44:12: spec.analysis.match[1].uri: the gatewayapi router keeps only headers and queryParams of each analysis.match entry'));
  });
  it('appmesh and gloo: no header in any entry leaves the route without a condition', () => {
    const bare = edit(abtest, '    - headers:\n        cookie:\n          regex: "^(.*?;)?(type=insider)(;.*)?$"\n' + firefox, '    - headers: {}\n');
    for (const p of ['appmesh', 'gloo']) expect([p, plan(provider(p, bare)).percents]).toEqual([p, [100, 100]]);
    // contour: two routes of one condition (contour.go SetRoutes); Contour keeps the later, the primary's
    // (projectcontour/contour internal/dag/dag.go AddRoute at 31c4bb38e, keyed by conditionsToString): no request.
    const contour = plan(provider('contour', bare));
    expect(contour.percents).toEqual([0, 100]);
    expect(contour.warnings).toContainEqual(expect.stringMatching(/^ab\.yaml:41:5: spec\.analysis\.match: no headers in any entry: the contour router writes the canary route without a condition, .*Contour keeps the later of two routes with the same conditions .*no request reaches the canary: rehearsed at 0% of users during the 10 iterations; /));
  });
  it('ingress.go (nginx): a cookie matched by regex sets no canary-by-cookie; with no header either, no request reaches the canary', () => {
    const cookieOnly = provider('nginx', edit(abtest, firefox, ''));
    const p = plan(cookieOnly);
    expect(p.percents).toEqual([0, 100]);
    expect(p.warnings).toContainEqual(expect.stringContaining('ab.yaml:41:5: spec.analysis.match: no header, and no cookie with an exact value: the nginx router sets neither canary-by-header nor canary-by-cookie, and the canary Ingress keeps canary-weight "0" (ingress.go SetRoutes, makeHeaderAnnotations), so no request reaches the canary: rehearsed at 0% of users during the 10 iterations'));
    // The load test's requests go through the same Ingress: none reach the canary either.
    expect(p.warnings.join('\n')).toContain('none of it to the canary, as no request during this A/B analysis');
    // Flagger's nginx tutorial writes the cookie's exact value: canary-by-cookie, the users the match selects.
    expect(plan(edit(cookieOnly, '          regex: "^(.*?;)?(type=insider)(;.*)?$"\n', '          exact: canary\n')).percents).toEqual([10, 100]);
  });
  it('rehearse import flagger writes 0% for nginx without a header, 100% for an emptied istio entry', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join((await import('node:os')).tmpdir(), 'ab15-'));
    const write = (name: string, text: string) => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const none = await cli(['import', 'flagger', write('n.yaml', provider('nginx', edit(abtest, firefox, '')))]);
    expect(none.code).toBe(0);
    expect(none.out).toContain('      - to: 0%\n');
    const all = await cli(['import', 'flagger', write('a.yaml', edit(abtest, firefox, '    - headers: {}\n'))]);
    expect(all.out).toContain('      - to: 100%\n        hold: 150s\n');
    expect(all.err.join('\n')).not.toContain('written as 50% of users');
  });
  it('contour, gloo and appmesh put every entry\'s headers in one route: said, since the entries are then not alternatives', () => {
    for (const p of ['contour', 'gloo', 'appmesh']) {
      expect(plan(provider(p)).warnings).toContainEqual(`ab.yaml:41:5: spec.analysis.match: the ${p} router writes the header conditions of every entry into one route: a request must meet all of them at once, where the entries of analysis.match are alternatives (as the istio router reads them)`);
    }
    const contour = plan(provider('contour', edit(abtest, '          regex: ".*Firefox.*"\n', '          prefix: Mozilla\n')));
    expect(contour.warnings).toContainEqual(expect.stringContaining('spec.analysis.match[1].headers.user-agent.prefix: the contour router writes a header\'s prefix as a "contains" condition (contour.go makeConditions)'));
  });
});

describe('Argo setHeaderRoute (test/e2e/header-routing/istio-hr-host.yaml, TestIstioHostHeaderRoute)', () => {
  const file = 'test/fixtures/vendor/argo/e2e-istio-hr-host.yaml';
  const text = vendor('argo/e2e-istio-hr-host.yaml');
  const parts = (t: string) => {
    const r = argoParts([{ file, text: t }]);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return { stages: r.parts.stages.map((s) => [s.percent, s.approval !== null]), warnings: r.warnings.filter((w) => w.includes('setHeaderRoute:')) };
  };
  it('each route says where it holds and what the rehearsal sends instead', () => {
    const p = parts(text);
    expect(p.warnings).toEqual([
      `${file}:104:13: spec.strategy.canary.steps[6].setHeaderRoute: no match: removes the header route "set-header-1" (the router's SetHeaderRoute removes a route whose match is nil: istio.go reconcileVirtualServiceHeaderRoutes)`,
      `${file}:89:13: spec.strategy.canary.steps[1].setHeaderRoute: from this step until spec.strategy.canary.steps[3].setHeaderRoute replaces it, the router sends the requests with agent: regex "firefox(.*)" to the canary whatever the weight (a managed route before the weighted one); rehearse does not simulate headers: those requests go by the weight like the others`,
      `${file}:96:13: spec.strategy.canary.steps[3].setHeaderRoute: from this step until spec.strategy.canary.steps[6].setHeaderRoute removes it, the router sends the requests with agent: regex "chrome(.*)" to the canary whatever the weight (a managed route before the weighted one); rehearse does not simulate headers: those requests go by the weight like the others`,
    ]);
  });
  it('three promotions, as the e2e test gives them (two PromoteRollout, then PromoteRolloutFull): one per pause: {}', () => {
    // rollout/pause.go: each pause: {} step waits for a promotion of its own; the setHeaderRoute between two of them
    // sets no weight, so the second waits at 20% again.
    expect(parts(text).stages).toEqual([[20, false], [20, true], [40, true], [100, true]]);
    // Two pauses in a row, likewise (rollout-canary.yaml with its pause doubled).
    const canary = vendor('argo/rollout-canary.yaml');
    const twice = argoParts([{ file: 'r.yaml', text: edit(canary, '      - pause: {}\n', '      - pause: {}\n      - pause: {}\n') }]);
    const once = argoParts([{ file: 'r.yaml', text: canary }]);
    const approvals = (r: typeof once) => (r.ok ? r.parts.stages.filter((s) => s.approval !== null).length : -1);
    expect([approvals(once), approvals(twice)]).toEqual([1, 2]);
  });
  it('match: [] on Istio takes every request (istio.go createHeaderRoute): 100% while the route stands, said at the step', () => {
    const all = edit(text, '            match:\n            - headerName: agent\n              headerValue:\n                regex: firefox(.*)\n', '            match: []\n');
    const p = parts(all);
    expect(p.stages).toEqual([[20, false], [100, false], [20, true], [40, true], [100, true]]);
    expect(p.warnings).toContainEqual(expect.stringContaining('steps[1].setHeaderRoute: match: [] makes a route with no match condition (istio.go createHeaderRoute), placed before the weighted route, which takes every request: rehearsed at 100% of requests from this step until spec.strategy.canary.steps[3].setHeaderRoute replaces it'));
  });
  it('apisix-rollout-header-route.yaml: at weight 0 with setCanaryScale, the canary serves the matching requests alone in Argo', () => {
    const r = argoParts([{ file: 'a.yaml', text: vendor('argo/apisix-rollout-header-route.yaml') }]);
    expect(r.warnings).toContainEqual('a.yaml:23:13: spec.strategy.canary.steps[0].setHeaderRoute: from this step until the rollout is fully promoted or aborted, the router sends the requests with trace: exact "debug" to the canary whatever the weight (a managed route before the weighted one); rehearse does not simulate headers: those requests go by the weight like the others; at weight 0 the canary serves those requests alone in Argo (with setCanaryScale; without it the controller removes the route), and none in the rehearsal, where an analysis then measures no canary traffic');
  });
});

describe('Flagger webhooks: the load tester\'s tasks and the k6 webhook (docs/gitbook/usage/webhooks.md)', () => {
  const page = vendor('flagger/docs-webhooks.md');
  /** The page's webhooks, by name, from its yaml blocks (fragments of an analysis). */
  const hooks = new Map<string, unknown>();
  for (const m of page.matchAll(/```yaml\n([^]*?)```/g)) {
    let doc: unknown;
    try {
      doc = parse(m[1]);
    } catch {
      continue;
    }
    const list = (doc as { webhooks?: unknown[]; analysis?: { webhooks?: unknown[] } } | null)?.webhooks ?? (doc as { analysis?: { webhooks?: unknown[] } } | null)?.analysis?.webhooks ?? [];
    for (const h of Array.isArray(list) ? list : []) hooks.set(String((h as { name: unknown }).name), h);
  }
  const canary = vendor('flagger/istio-canary.yaml');
  /** istio-canary.yaml with its webhooks replaced by the page's, by name. */
  const withHooks = (...names: string[]) => {
    const at = canary.indexOf('    webhooks:\n');
    const list = names.map((n) => {
      expect(hooks.has(n), n).toBe(true);
      return hooks.get(n);
    });
    return `${canary.slice(0, at)}    webhooks:\n${stringify(list).replace(/^/gm, '    ').trimEnd()}\n`;
  };
  const said = (text: string) => {
    const r = flaggerParts([{ file: 'c.yaml', text }]);
    return r.ok ? r.warnings.filter((w) => w.includes('.webhooks[')) : r.problems;
  };

  it('the ngrinder example as written (clone: 100): refused, the CRD types webhook metadata as strings', () => {
    expect(said(withHooks('load-test-post'))).toEqual([expect.stringMatching(/^c\.yaml:\d+:\d+: spec\.analysis\.webhooks\[0\]\.metadata\.clone: must be a string, as the Canary CRD declares it, not the integer 100: the Kubernetes API server refuses the resource$/)]);
  });
  it('ngrinder with clone quoted: the test it starts, and that its load is not rehearsed (pkg/loadtester/task_ngrinder.go)', () => {
    const quoted = withHooks('load-test-post').replace('clone: 100', 'clone: "100"');
    expect(said(quoted)).toEqual([expect.stringContaining('Its ngrinder task starts an nGrinder test, a clone of test 100 on http://ngrinder-server:port, at every check (every 15s; skipped while the last run goes on) (pkg/loadtester/task_ngrinder.go), and polls it every 5s: its load is not rehearsed')]);
    // Without passwd, the load tester answers 400 ("server, clone, username and passwd are required metadata").
    expect(said(quoted.replace(/ +passwd: .*\n/, ''))).toEqual([expect.stringContaining('Its ngrinder task: flagger-loadtester answers 400 (pkg/loadtester/task_ngrinder.go: "server, clone, username and passwd are required metadata"), and Flagger fails the webhook at every call')]);
  });
  it('the k6 webhook: its thresholds decide the hook (k6 exits non-zero, launch.go answers 400), taken as passing', () => {
    const k6 = said(withHooks('k6-load-test').replace('projectID: <project id>', 'projectID: 1'));
    expect(k6).toEqual([expect.stringContaining('Its metadata.script is a k6 script, as grafana/flagger-k6-webhook runs it (pkg/handlers/launch.go): the webhook answers when k6 ends, 400 when k6 fails, as it does when a threshold of the script is crossed (thresholds: { http_req_duration: [\'p(95)<50\'] }); a 400 fails the hook, and Flagger then calls it again at every interval')]);
    expect(k6[0]).toContain('the script\'s load (2 virtual users for 30s to "http://<your_service>-canary.<namespace>:80/") is not rehearsed');
  });
  it('helmv3 and kubectl tasks run before the load tester answers: their exit status, taken as success', () => {
    expect(said(withHooks('helm test'))).toEqual([expect.stringContaining('Its helmv3 task on the load tester, "test podinfo -n test", runs once, before the first traffic shift, before the load tester answers (pkg/loadtester/server.go): its exit status, which decides the webhook, is taken as success')]);
  });
  it('a type the load tester does not run: it answers 400 "unknown task type" at every call (pkg/loadtester/server.go)', () => {
    const typo = withHooks('load test').replace('cmd: hey', 'type: hey\n        cmd: hey');
    expect(said(typo)).toEqual([expect.stringContaining('Its metadata.type "hey" is none that Flagger\'s load tester runs (cmd, bash, helm, helmv3, kubectl, concord, ngrinder): flagger-loadtester answers 400 "unknown task type hey"')]);
    // At a url of the team's own, another type may be read: nothing is said of it.
    expect(said(typo.replace('http://flagger-loadtester.test/', 'http://my-hooks.test/'))).toEqual([expect.not.stringContaining('unknown task type')]);
  });
  it('grafana/flagger-k6-webhook example/canary.yml: its only gate is the k6 hook, said with its threshold and load', async () => {
    const file = 'test/fixtures/vendor/flagger/k6-webhook-example-canary.yml';
    const r = await cli(['import', 'flagger', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('    gates: []\n');
    expect(r.err).toContainEqual(expect.stringContaining(`warning: ${file}:18:7: spec.analysis.webhooks[0]: webhook "k6-load-test" of type pre-rollout is not called in a rehearsal: it passes. Its metadata.script is a k6 script`));
    expect(r.err.join('\n')).toContain('(2 virtual users for 30s to "http://my-app-canary.my-namespace:80/" (the canary Service)) is not rehearsed');
  });
});

describe('Flagger: the Canary CRD\'s other oneOfs and counts, from its schema', () => {
  const abtest = vendor('flagger/istio-abtest.yaml');
  const refused = (text: string) => {
    const r = flaggerParts([{ file: 'ab.yaml', text }]);
    return r.ok ? [] : r.problems;
  };
  it('a match header with two of exact, prefix, suffix, regex; a service match uri with two of exact, prefix, regex', () => {
    expect(refused(edit(abtest, '          regex: ".*Firefox.*"\n', '          regex: ".*Firefox.*"\n          exact: Firefox\n'))).toEqual([
      'ab.yaml:46:11: spec.analysis.match[1].headers.user-agent: must validate one and only one schema (oneOf), as the Canary CRD says (exact; prefix; suffix; regex); 2 hold: the API server refuses the resource',
    ]);
    expect(refused(edit(abtest, '          prefix: /\n', '          prefix: /\n          exact: /\n'))).toEqual([
      'ab.yaml:32:11: spec.service.match[0].uri: must validate one and only one schema (oneOf), as the Canary CRD says (none of exact, prefix, regex; exact; prefix; regex); 2 hold: the API server refuses the resource',
    ]);
  });
  it('more than 32 gatewayRefs (maxItems)', () => {
    const gw = edit(abtest, '    gateways:\n', `    gatewayRefs:\n${Array.from({ length: 33 }, (_, i) => `    - name: g${i}\n`).join('')}    gateways:\n`);
    expect(refused(gw)).toEqual([expect.stringMatching(/^ab\.yaml:\d+:\d+: spec\.service\.gatewayRefs: must have at most 32 items, as the Canary CRD says, not 33: the API server refuses the resource$/)]);
  });
});

describe('Flagger: the Canary CRD\'s CEL rule on a mirror\'s backendRef (crd.yaml spec.service.mirror[].backendRef)', () => {
  // "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true", after defaulting (group "", kind Service).
  const canary = vendor('flagger/istio-canary.yaml');
  const mirror = (ref: string) => edit(canary, '    portDiscovery: true\n', `    portDiscovery: true\n    mirror:\n    - backendRef: ${ref}\n`);
  const refused = (text: string) => {
    const r = flaggerParts([{ file: 'c.yaml', text }]);
    return r.ok ? [] : r.problems;
  };
  it('a core Service without a port: refused with the rule\'s message', () => {
    expect(refused(mirror('{ name: podinfo-mirror }'))).toEqual(['c.yaml:24:19: spec.service.mirror[0].backendRef: Must have port for Service reference, as the Canary CRD\'s rule says ((size(self.group) == 0 && self.kind == \'Service\') ? has(self.port) : true): the API server refuses the resource']);
  });
  it('with a port, or another kind of another group, the rule holds', () => {
    expect(refused(mirror('{ name: podinfo-mirror, port: 9898 }'))).toEqual([]);
    expect(refused(mirror('{ name: podinfo-mirror, group: example.com, kind: Backend }'))).toEqual([]);
  });
});
