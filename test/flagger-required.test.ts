import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/flagger/index.js';
import { specSchema } from '../src/interop/kube/schema.js';
import { structuralSchema } from '../scripts/crd-fields.mjs';
import { resourceDocs } from './helpers.js';

// The CRDs of fluxcd/flagger artifacts/flagger/crd.yaml (test/fixtures/vendor/flagger/crd.yaml): what the API
// server refuses before the Flagger controller reads a Canary or a MetricTemplate.
const CRD = 'test/fixtures/vendor/flagger/crd.yaml';
const canary = readFileSync('examples/flagger/canary.yaml', 'utf8');
const templates = { file: 'metric-templates.yaml', text: readFileSync('examples/flagger/metric-templates.yaml', 'utf8') };

const run = (text: string) => toScenarioParts([{ file: 'canary.yaml', text }, templates]);
const problems = (text: string) => {
  const r = run(text);
  return r.ok ? [] : r.problems;
};

describe('Flagger resources the API server refuses', () => {
  it('checks them against the CRD\'s own schema, as crd.yaml declares it (src/interop/kube/crd-schema-flagger.json)', () => {
    const docs = resourceDocs(readFileSync(CRD, 'utf8'));
    for (const kind of ['Canary', 'MetricTemplate']) expect(specSchema('flagger.app', kind)).toEqual(structuralSchema(docs, kind));
    expect(specSchema('flagger.app', 'Canary')!.properties!.service.required).toEqual(['port']);
  });

  it('refuses a missing required field at its parent, as the API server does ("Required value")', () => {
    expect(problems(canary.replace('    kind: Deployment\n', ''))).toEqual([
      'canary.yaml:11:5: spec.targetRef: kind: Required value: the Canary CRD requires it here, and the API server refuses the resource without it',
    ]);
    expect(problems(canary.replace('        url: http://flagger-loadtester.test/\n        timeout: 5s\n', '        timeout: 5s\n'))).toEqual([
      'canary.yaml:67:9: spec.analysis.webhooks[1]: url: Required value: the Canary CRD requires it here, and the API server refuses the resource without it',
    ]);
    expect(problems(canary.replace('    port: 9898\n', ''))).toEqual([
      'canary.yaml:25:5: spec.service: port: Required value: the Canary CRD requires it here, and the API server refuses the resource without it',
    ]);
    const noQuery = toScenarioParts([{ file: 'canary.yaml', text: canary }, { ...templates, text: templates.text.replace(/ {2}query: [^]*$/, '') }]);
    expect(noQuery.ok ? [] : noQuery.problems).toEqual([
      'metric-templates.yaml:9:3: spec: query: Required value: the MetricTemplate CRD requires it here, and the API server refuses the resource without it',
    ]);
  });

  it('refuses an analysis that is not exactly one of interval + threshold + iterations, stepWeight or stepWeights', () => {
    // Without interval (or threshold), none of the oneOf's schemas holds; with stepWeight and iterations, two do.
    expect(problems(canary.replace('    interval: 1m\n', ''))).toEqual([expect.stringMatching(/^canary\.yaml:30:5: spec\.analysis: must validate one and only one schema \(oneOf\).*none holds: the API server refuses the resource$/)]);
    expect(problems(canary.replace('    threshold: 5\n', ''))).toHaveLength(1);
    expect(problems(canary.replace('    stepWeight: 10\n', '    stepWeight: 10\n    iterations: 3\n'))).toEqual([expect.stringMatching(/spec\.analysis: .*2 hold/)]);
  });

  it('refuses an apiVersion the CRD does not serve, a missing one, and a missing name', () => {
    expect(problems(canary.replace('flagger.app/v1beta1', 'flagger.app/v1beta2'))).toEqual([
      'canary.yaml:3:13: apiVersion: no matches for kind "Canary" in version "flagger.app/v1beta2": the flagger.app CRD serves flagger.app/v1beta1',
    ]);
    expect(problems(canary.replace('apiVersion: flagger.app/v1beta1\n', ''))).toEqual([expect.stringMatching(/^canary\.yaml:3:1: apiVersion: missing/)]);
    expect(problems(canary.replace('  name: podinfo\n  namespace', '  namespace'))).toEqual([expect.stringMatching(/^canary\.yaml:6:3: metadata: metadata\.name: Required value/)]);
    // Flagger 0.x's v1alpha3 Canary is read as it ran, with its warning (index.ts), not against the v1beta1 schema.
    const old = run(readFileSync('test/fixtures/vendor/flagger/v1alpha3-istio-canary.yaml', 'utf8'));
    expect(old.ok).toBe(true);
  });
});

describe('Flagger: where a templateRef finds its MetricTemplate', () => {
  // fluxcd/flagger pkg/controller/scheduler_metrics.go: MetricTemplates(namespace).Get(templateRef.name), the
  // namespace being templateRef.namespace when set (not ""), else the Canary's.
  const withTemplate = (ref: string, tmpl: string) => toScenarioParts([
    { file: 'canary.yaml', text: canary.replace('        namespace: istio-system\n', ref) },
    { ...templates, text: templates.text.replace('  namespace: istio-system\n', tmpl) },
  ]);
  it('warns at a MetricTemplate without a namespace that rehearse places it where the templateRef looks', () => {
    const r = withTemplate('        namespace: istio-system\n', '');
    expect(r.ok && r.warnings.filter((w) => w.startsWith('metric-templates.yaml'))).toEqual([
      'metric-templates.yaml:6:3: metadata: metadata.namespace: none: the API server puts it in the namespace it is applied to (kubectl\'s context, or -n); rehearse takes it to be in "istio-system", where the templateRef of "404s percentage" (canary.yaml:53:9) looks',
    ]);
    const placed = withTemplate('        namespace: istio-system\n', '  namespace: istio-system\n');
    expect(placed.ok && placed.warnings.filter((w) => w.startsWith('metric-templates.yaml'))).toEqual([]);
  });
  it('reads an empty templateRef.namespace as the Canary\'s namespace', () => {
    const r = withTemplate('        namespace: ""\n', '  namespace: test\n');
    expect(r.ok).toBe(true);
    const other = withTemplate('        namespace: ""\n', '  namespace: istio-system\n');
    expect(other.ok ? [] : other.problems).toEqual([expect.stringContaining('no MetricTemplate "not-found-percentage" in namespace "test"')]);
  });
});

describe('Flagger: what a webhook that is not called means', () => {
  // fluxcd/flagger pkg/controller/scheduler_hooks.go runRollbackHooks: a rollback hook that answers 2xx rolls the
  // canary back (scheduler.go: "Rolling back ... manual webhook invoked"); post-rollout and event hooks decide nothing.
  const hookSays = (type: string) => {
    const r = run(canary.replace('        type: pre-rollout', `        type: ${type}`));
    return r.ok ? r.warnings.find((w) => w.includes('webhooks[0]')) : r.problems;
  };
  it('says a rollback hook never signals a rollback, not that it passes', () => {
    expect(hookSays('rollback')).toContain('webhook "acceptance-test" of type rollback is not called in a rehearsal: it never signals a rollback (Flagger calls it at every check');
    expect(hookSays('rollback')).not.toContain('it passes');
    expect(hookSays('post-rollout')).toContain('of type post-rollout is not called in a rehearsal: it is called after promotion or rollback, and its answer changes nothing');
    expect(hookSays('event')).toContain('of type event is not called in a rehearsal: Flagger posts each event of the canary to it (events.go)');
    expect(hookSays('pre-rollout')).toContain('of type pre-rollout is not called in a rehearsal: it passes');
  });
});

describe('Flagger: maxWeight beside iterations', () => {
  it('warns that a blue/green or A/B analysis does not read maxWeight (scheduler.go: only runCanary takes it)', () => {
    // fluxcd/flagger pkg/controller/scheduler.go: maxWeight is passed to runCanary alone; runBlueGreen and runAB
    // count iterations. The load test is left out: blue/green checks that read it are refused (index.ts).
    const text = canary.replace('    stepWeight: 10\n', '    iterations: 4\n').replace(/ {6}- name: load-test[^]*$/, '');
    const r = run(text);
    expect(r.ok && r.warnings.filter((w) => w.includes('maxWeight'))).toEqual([
      'canary.yaml:34:16: spec.analysis.maxWeight: with iterations, Flagger runs a blue/green (runBlueGreen) analysis, which shifts no weights: maxWeight is not read',
    ]);
    const stepped = run(canary);
    expect(stepped.ok && stepped.warnings.filter((w) => w.includes('maxWeight'))).toEqual([]);
  });
});
