import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argo } from '../src/interop/argo/index.js';
import { toScenarioParts as flagger } from '../src/interop/flagger/index.js';

const text = (path: string, from: string, to: string): string => {
  const t = readFileSync(path, 'utf8');
  expect(t).toContain(from);
  return t.replace(from, to);
};

// A field the CRD's openAPIV3Schema does not hold is pruned by the API server (structural schemas,
// apiextensions-apiserver pkg/apiserver/schema/pruning/algorithm.go): the warning names the field of the CRD,
// at the same place, that the team most likely meant (argo-rollouts manifests/crds/analysis-template-crd.yaml,
// rollout-crd.yaml; fluxcd/flagger artifacts/flagger/crd.yaml).
describe('a misspelt field of a CRD', () => {
  it('an AnalysisTemplate\'s successCondtion and a Rollout\'s setWieght: pruned, with the field meant', () => {
    const r = argo([
      { file: 'rollout.yaml', text: text('examples/argo/rollout.yaml', '- setWeight: 40', '- setWieght: 40') },
      { file: 'templates.yaml', text: text('examples/argo/analysis-templates.yaml', 'successCondition:', 'successCondtion:') },
    ], { args: { 'service-name': 'guestbook' } });
    const lines = [...r.warnings, ...(r.ok ? [] : r.problems)];
    expect(lines.filter((w) => w.includes('prunes it'))).toEqual([
      expect.stringMatching(/^rollout\.yaml:\d+:\d+: spec\.strategy\.canary\.steps\[\d\]\.setWieght: not a field of the current CRD: the API server prunes it, and the controller never sees it; did you mean "setWeight"\?$/),
      'templates.yaml:15:22: spec.metrics[0].successCondtion: not a field of the current CRD: the API server prunes it, and the controller never sees it; did you mean "successCondition"?',
    ]);
  });

  it('a field near none of its parent\'s keeps the plain warning', () => {
    const r = argo([
      { file: 'rollout.yaml', text: readFileSync('examples/argo/rollout.yaml', 'utf8') },
      { file: 'templates.yaml', text: text('examples/argo/analysis-templates.yaml', 'successCondition:', 'verdict:') },
    ], { args: { 'service-name': 'guestbook' } });
    expect([...r.warnings, ...(r.ok ? [] : r.problems)]).toContain('templates.yaml:15:14: spec.metrics[0].verdict: not a field of the current CRD: the API server prunes it, and the controller never sees it');
  });

  it('a Canary\'s treshold and a MetricTemplate\'s qeury: pruned, with the field meant', () => {
    const r = flagger([
      { file: 'canary.yaml', text: text('examples/flagger/canary.yaml', 'threshold: 5', 'treshold: 5') },
      { file: 'metrics.yaml', text: text('examples/flagger/metric-templates.yaml', '  query: |', '  qeury: |') },
    ]);
    const lines = [...r.warnings, ...(r.ok ? [] : r.problems)];
    expect(lines.filter((w) => w.includes('prunes it'))).toEqual([
      expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.treshold: not a field of the current CRD: the API server prunes it, and Flagger never sees it; did you mean "threshold"\?$/),
      expect.stringMatching(/^metrics\.yaml:12:10: spec\.qeury: not a field of the current CRD: the API server prunes it, and Flagger never sees it; did you mean "query"\?$/),
    ]);
  });
});
