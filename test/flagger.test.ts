import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/flagger/index.js';
import { loadScenarioFile, parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { observeSeries, type ScrapeSeries } from '../src/observe/metrics.js';

const canary = { file: 'canary.yaml', text: readFileSync('examples/flagger/canary.yaml', 'utf8') };
const templates = { file: 'metric-templates.yaml', text: readFileSync('examples/flagger/metric-templates.yaml', 'utf8') };

function load(caseName: string) {
  const l = loadScenarioFile('examples/flagger/podinfo.yaml', caseName);
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('podinfo.yaml', p)).join('\n'));
  return l.scenario;
}

const edit = (from: string, to: string) => ({ file: 'canary.yaml', text: canary.text.replace(from, to) });

describe('Flagger, as it is', () => {
  it('turns the tutorial canary into weights, checks and skipped webhooks', () => {
    const r = toScenarioParts([canary, templates]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parts).toMatchObject({ target: 'podinfo', namespace: 'test', intervalUs: 60e6, threshold: 5, weights: [10, 20, 30, 40, 50], iterations: null });
    expect(r.parts.checks.map((c) => [c.name, c.min, c.max])).toEqual([['request-success-rate', 99, null], ['request-duration', null, 500], ['404s percentage', null, 5]]);
    expect(r.parts.checks[1].gate.query).toContain('destination_workload_namespace="test",destination_workload=~"podinfo"}[30s]');
    expect(r.parts.checks[2].gate.query).toMatch(/destination_workload="podinfo",\s+response_code!="404"\s+\}\[1m\]/);
    expect(r.warnings).toEqual([
      'canary.yaml:60:9: spec.analysis.webhooks[0]: webhook "acceptance-test" of type pre-rollout is not called in a rehearsal: skipped',
      'canary.yaml:67:9: spec.analysis.webhooks[1]: webhook "load-test" of type rollout is not called in a rehearsal: skipped',
    ]);
  });

  it('promotes the healthy release, and rolls back the defective one once failed checks reach the threshold', () => {
    const healthy = runScenario(load('healthy'));
    expect(healthy.rollouts[0].outcome).toBe('completed');
    expect(healthy.rollouts[0].decisions.map((d) => d.percent)).toEqual([10, 20, 30, 40, 50, 100, 100]);
    const bad = runScenario(load('defective'));
    expect(bad.rollouts[0].outcome).toBe('rolled-back');
    expect(bad.rollouts[0].decisions.at(-1)!.reason).toBe('canary podinfo: failed checks (5) reached the threshold (5); back to 0%');
    const failed = bad.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failed).toHaveLength(5);
    expect(failed[0].gate!.gate).toBe('canary podinfo: request-success-rate');
    expect(failed[0].gate!.detail).toMatch(/^Failed: result = 9\d\.\d+$/);
  });

  it('names the primary workload as Flagger does, so that the builtin queries read the canary only', () => {
    const s = load('healthy');
    let series!: ScrapeSeries;
    runScenario(s, { observe: (sim) => (series = observeSeries(sim, s)) });
    const workloads = new Set(series.series('istio_requests_total').map((x) => x.labels.destination_workload));
    expect(workloads).toEqual(new Set(['podinfo', 'podinfo-primary']));
  });

  it('reads stepWeights, iterations and confirm webhooks', () => {
    const stepped = toScenarioParts([edit('    maxWeight: 50\n', '    stepWeights: [1, 5, 25]\n'), templates]);
    expect(stepped.ok && stepped.parts.weights).toEqual([1, 5, 25]);
    const ab = toScenarioParts([edit('    maxWeight: 50\n', '    iterations: 10\n'), templates]);
    expect(ab.ok && [ab.parts.iterations, ab.parts.weights]).toEqual([10, []]);
    const confirm = toScenarioParts([edit('        type: pre-rollout', '        type: confirm-promotion'), templates]);
    expect(confirm.ok && [confirm.parts.confirmPromotion, confirm.parts.confirmRollout]).toEqual([true, false]);
  });

  it('fails a check without data, as Flagger does: the canary rolls back', () => {
    const text = readFileSync('examples/flagger/podinfo.yaml', 'utf8').replace('steps: [podinfo.api]', 'steps: [other.api]').replace('  podinfo:\n    replicas', '  other:\n    replicas').replace('evaluated-by: [podinfo]', 'evaluated-by: [other]').replace('      podinfo: { errors: +0% }', '      other: { errors: +0% }');
    const l = parseScenarioText(text, 'examples/flagger');
    if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('x', p)).join('\n'));
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.audit.find((a) => a.event === 'gate')!.gate!.detail).toBe('Failed: no values found (Flagger fails the check)');
  });

  it('refuses bad input with file:line:column and the path in the resource', () => {
    const bad = (files: { file: string; text: string }[]) => {
      const r = toScenarioParts(files);
      return r.ok ? [] : r.problems;
    };
    expect(bad([{ file: 'x.yaml', text: 'kind: Rollout\nmetadata: { name: r }\n' }])).toEqual(['x.yaml:1:7: kind: "Rollout" is not one of Canary, MetricTemplate']);
    expect(bad([canary])).toEqual(['canary.yaml:53:15: spec.analysis.metrics[2].templateRef.name: no MetricTemplate "not-found-percentage" in the files given']);
    expect(bad([canary, { file: 'mt.yaml', text: templates.text.replace('}[{{ interval }}]\n        )\n    )\n    /', '}[{{ interval }}]\n        )\n    /') }]))
      .toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.metrics\[2\]\.templateRef: .* at column \d+ of /)]);
  });
});
