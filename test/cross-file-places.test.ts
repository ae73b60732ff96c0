/**
 * A message about one resource that speaks of another (a Rollout and its AnalysisTemplates, a Canary and its
 * MetricTemplates) names the other's file:line:column, not only its path; and names listed in a message are each
 * quoted, so that a name holding ", " or a quote reads as one name.
 */
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argo, type SourceFile } from '../src/interop/argo/index.js';
import { toScenarioParts as flagger } from '../src/interop/flagger/index.js';
import * as flagd from '../src/interop/flagd/index.js';
import { parseFlagText } from '../src/interop/document.js';
import { quotedList } from '../src/units/escape.js';

const rollout = (analysis: string): SourceFile => ({ file: 'ro.yaml', text: `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: { name: r }
spec:
  strategy:
    canary:
      steps:
      - setWeight: 10
      - analysis:
${analysis}  selector: { matchLabels: { app: r } }
  template: { metadata: { labels: { app: r } }, spec: { containers: [{ name: r, image: r }] } }
` });
const template = (file: string, name: string, body: string): SourceFile => ({ file, text: `apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: { name: ${name} }
spec:
${body}` });
const argoProblems = (files: SourceFile[]) => {
  const r = argo(files);
  return r.ok ? [] : r.problems;
};

describe('Argo Rollouts: a message about a template names the Rollout\'s file, line and column', () => {
  const metric = (arg: string) => `  metrics:\n  - name: m-${arg}\n    provider: { prometheus: { query: 'up{a="{{args.svc}}"}' } }\n`;

  it('an arg with no value: the Rollout\'s args, at their place in ro.yaml', () => {
    const ro = rollout('          templates: [{ templateName: t }]\n          args:\n          - { name: other, value: x }\n');
    expect(argoProblems([ro, template('at.yaml', 't', `  args: [{ name: svc }]\n${metric('a')}`)])).toEqual([
      'at.yaml:5:10: spec.args[0]: arg "svc" has no value: the Rollout "r" (ro.yaml:12:11: spec.strategy.canary.steps[1].analysis.args) or the scenario\'s argo.args must give one',
    ]);
  });

  it('an arg given twice with different values: the first template\'s file, line and column', () => {
    const ro = rollout('          templates: [{ templateName: a }, { templateName: b }]\n');
    expect(argoProblems([ro, template('a.yaml', 'a', `  args: [{ name: svc, value: one }]\n${metric('a')}`), template('b.yaml', 'b', `  args: [{ name: svc, value: two }]\n${metric('b')}`)])).toEqual([
      'b.yaml:5:10: spec.args[0]: arg "svc" is given twice with different values ("one" in AnalysisTemplate "a", a.yaml:5:10: spec.args[0]; "two" here): Argo refuses the run',
    ]);
  });

  it('two metrics of one name: the other template\'s file, line and column', () => {
    const ro = rollout('          templates: [{ templateName: a }, { templateName: b }]\n');
    const same = '  metrics:\n  - name: m\n    provider: { prometheus: { query: up } }\n';
    expect(argoProblems([ro, template('a.yaml', 'a', same), template('b.yaml', 'b', same)])).toEqual([
      'b.yaml:6:11: spec.metrics[0].name: two metrics have the same name "m" (also in AnalysisTemplate "a", a.yaml:6:11): Argo refuses the run',
    ]);
  });

  it('a template name the files do not hold: the nearest, and each template found with its place', () => {
    const ro = rollout('          templates: [{ templateName: succes-rate }]\n');
    expect(argoProblems([ro, template('a.yaml', 'success-rate', '  metrics:\n  - name: m\n    provider: { prometheus: { query: up } }\n')])).toEqual([
      'ro.yaml:10:39: spec.strategy.canary.steps[1].analysis.templates[0].templateName: no AnalysisTemplate "succes-rate" in the files given; did you mean "success-rate"? (found AnalysisTemplate "success-rate" (a.yaml:3:19))',
    ]);
  });

  it('a template no analysis names: the Rollout\'s place beside its name', () => {
    const ro = rollout('          templates: [{ templateName: a }]\n');
    const r = argo([ro, template('a.yaml', 'a', metric('a').replace('{{args.svc}}', 'x')), template('b.yaml', 'b', metric('b').replace('{{args.svc}}', 'x'))]);
    expect(r.warnings).toContain('b.yaml:3:19: metadata.name: no analysis of the Rollout "r" (ro.yaml:3:19) names AnalysisTemplate "b" (an experiment step\'s are not rehearsed): none of its metrics is rehearsed');
  });
});

describe('Flagger: a message about a MetricTemplate names the Canary\'s metric, file, line and column', () => {
  const canary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: { name: podinfo, namespace: test }
spec:
  targetRef: { apiVersion: apps/v1, kind: Deployment, name: podinfo }
  service: { port: 9898 }
  analysis:
    interval: 1m
    threshold: 5
    maxWeight: 50
    stepWeight: 10
    metrics:
    - name: errors
      templateRef: { name: errors }
      thresholdRange: { max: 1 }
`;
  const metricTemplate = (type: string, query: string) => `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata: { name: errors, namespace: test }
spec:
  provider: { type: ${type}, address: http://p:9090 }
  query: ${query}
`;

  it('a provider that is not simulated', () => {
    const r = flagger([{ file: 'canary.yaml', text: canary }, { file: 'mt.yaml', text: metricTemplate('datadog', 'up') }]);
    expect(r.warnings).toContain('mt.yaml:5:21: spec.provider.type: a datadog provider is not simulated: the check "errors" (canary.yaml:13:7) is not measured (it passes)');
  });

  it('a query that cannot be read as the metric renders it', () => {
    const r = flagger([{ file: 'canary.yaml', text: canary }, { file: 'mt.yaml', text: metricTemplate('prometheus', 'sum(up') }]);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^mt\.yaml:6:10: spec\.query: as the Canary's metric "errors" \(canary\.yaml:13:7\) renders it: /)]);
  });
});

describe('names listed in a message are quoted one by one', () => {
  it('quotedList quotes each name as quoted() does', () => {
    expect(quotedList(['a, b', 'c"d', 'e'])).toBe('"a, b", "c\\"d", "e"');
  });

  it('a flagd defaultVariant that names no variant lists the variants, a name with ", " as one', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { 'on, off': true, off: false }, defaultVariant: 'x' } } }), 'f.json');
    let message = '';
    try {
      flagd.toScenarioParts(doc);
    } catch (e) {
      message = String((e as Error).message);
    }
    expect(message).toContain('defaultVariant "x" is not one of the variants ("on, off", "off")');
  });
});
