/**
 * `rehearse import argo` writes a plan of rehearse's own format that judges as the Rollout does: the scenario of
 * test/fixtures/argo/import-equivalence run with its argo: entry and with the imported plan in its place gives
 * the same result document, case by case. Its templates use every field of a metric's schedule and limits
 * (count, interval, an interval of "0s", initialDelay, failureLimit and -1, inconclusiveLimit,
 * consecutiveErrorLimit, consecutiveSuccessLimit, success and failure conditions, a range query, a provider that
 * is not simulated, dryRun), as argoproj/argo-rollouts analysis/analysis.go counts them; measurementRetention,
 * which decides no verdict (analysis.go garbageCollectMeasurements trims the status's list after counting), is
 * warned at its place.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importCommand } from '../src/cli/import.js';
import { loadScenarioFile, parseScenarioObject } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';

const dir = 'test/fixtures/argo/import-equivalence';
const files = [join(dir, 'rollout.yaml'), join(dir, 'templates.yaml')];

function imported(): { raw: Record<string, unknown>; warnings: string[]; text: string } {
  const { text, warnings } = importCommand('argo', files, 'new-api');
  const raw = parse(readFileSync(join(dir, 'scenario.yaml'), 'utf8')) as Record<string, unknown>;
  return { raw: { ...raw, rollout: (parse(text) as { rollout: unknown[] }).rollout }, warnings, text };
}

function run(load: () => ReturnType<typeof loadScenarioFile>) {
  const l = load();
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('scenario', p)).join('\n'));
  return runScenario(l.scenario);
}

describe('rehearse import argo: the imported plan rehearses as the Rollout', () => {
  it.each(['healthy', 'flaky', 'broken'])('case %s: the same result document', (c) => {
    const direct = run(() => loadScenarioFile(join(dir, 'scenario.yaml'), c));
    const plan = run(() => parseScenarioObject(imported().raw, dir, c));
    expect(JSON.stringify(plan)).toBe(JSON.stringify(direct));
  });

  it('the cases end three ways, so that the comparison can tell plans apart', () => {
    const outcome = (c: string) => run(() => parseScenarioObject(imported().raw, dir, c)).rollouts.map((r) => [r.outcome, r.finalPercent]);
    expect(['healthy', 'flaky', 'broken'].map(outcome)).toEqual([[['completed', 100]], [['paused', 10]], [['rolled-back', 0]]]);
  });

  it('examples/argo/guestbook.yaml: with its argo.args given as --arg, the imported plan gives the same result bytes', () => {
    const ex = 'examples/argo';
    const cli = (args: string[]) => spawnSync(process.execPath, ['bin/rehearse.js', ...args], { encoding: 'utf8' });
    const imp = cli(['import', 'argo', join(ex, 'rollout.yaml'), join(ex, 'analysis-templates.yaml'), '--arg', 'service-name=guestbook', '--flag', 'new-guestbook']);
    expect(imp.status).toBe(0);
    const raw = parse(readFileSync(join(ex, 'guestbook.yaml'), 'utf8')) as Record<string, unknown>;
    delete raw.tune; // it varies a field of the resources
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-argo-import-'));
    for (const f of ['rollout.yaml', 'analysis-templates.yaml']) copyFileSync(join(ex, f), join(tmp, f));
    writeFileSync(join(tmp, 'direct.yaml'), stringify(raw));
    writeFileSync(join(tmp, 'plan.yaml'), stringify({ ...raw, rollout: (parse(imp.stdout) as { rollout: unknown[] }).rollout }));
    for (const c of ['healthy', 'defective']) {
      const [a, b] = ['direct', 'plan'].map((n) => cli(['run', join(tmp, `${n}.yaml`), '--case', c, '--json', join(tmp, `${n}-${c}.json`)]));
      expect([a.status, b.status]).toEqual([0, 0]);
      expect(readFileSync(join(tmp, `plan-${c}.json`), 'utf8')).toBe(readFileSync(join(tmp, `direct-${c}.json`), 'utf8'));
    }
  });

  it('carries the canary and stable Services and pod-template hashes: a query on the canary Service sees the same calls', () => {
    // test/fixtures/argo/canary-service: the Rollout's canaryService api-canary, a query filtered on it (rollout/service.go).
    const cs = 'test/fixtures/argo/canary-service';
    const direct = run(() => loadScenarioFile(join(cs, 'scenario.yaml')));
    const { text } = importCommand('argo', [join(cs, 'rollout.yaml'), join(cs, 'canary-error-rate.yaml')], 'new-api');
    const plan = (parse(text) as { rollout: Record<string, unknown>[] }).rollout;
    expect(plan[0].pods).toMatchObject({ service: 'api', canary: { service: 'api-canary' }, stable: { service: 'api-stable' } });
    const raw = parse(readFileSync(join(cs, 'scenario.yaml'), 'utf8')) as Record<string, unknown>;
    expect(JSON.stringify(run(() => parseScenarioObject({ ...raw, rollout: plan }, cs)))).toBe(JSON.stringify(direct));
    expect(direct.rollouts[0].outcome).toBe('rolled-back');
  });

  it('carries every field of each metric, and warns at measurementRetention', () => {
    const { text, warnings } = imported();
    const plan = (parse(text) as { rollout: Record<string, unknown>[] }).rollout[0];
    const step = (plan.stages as Record<string, unknown>[])[0].analysis as { metrics: Record<string, unknown>[] };
    expect(step.metrics.map(({ promql: _, ...m }) => m)).toEqual([
      {
        name: 'step-check/error-ratio', result: 'list', success: 'result[0] < 0.02', failure: 'result[0] >= 0.05', interval: '1m', 'initial-delay': '30s', count: 4,
        'failure-limit': 1, 'inconclusive-limit': 1, 'consecutive-error-limit': 2, 'consecutive-success-limit': 3,
      },
      { name: 'step-check/smoke', provider: 'web', 'failure-limit': 0, 'inconclusive-limit': 0, 'consecutive-error-limit': 4, 'consecutive-success-limit': 0, 'dry-run': true },
    ]);
    const bg = plan['background-analysis'] as { stage: number; metrics: Record<string, unknown>[] };
    expect(bg.stage).toBe(1);
    expect(bg.metrics.map((m) => [m.name, m.interval, m['failure-limit'], m['consecutive-success-limit'], m.range ?? null])).toEqual([
      ['background/error-ratio-now', '0s', -1, 2, null],
      ['background/error-ratio-trend', '2m', 2, 0, { from: '-4m', to: '0s', step: '1m' }],
    ]);
    expect(warnings).toContain(`${files[0]}:30:13: spec.strategy.canary.steps[2].analysis.measurementRetention[0]: not carried into the plan: it sets how many measurements the AnalysisRun's status keeps, which decides no verdict (the rehearsal's audit keeps them all)`);
  });
});

/**
 * argo-rollouts' own example Rollouts (test/fixtures/vendor/argo: examples/rollout-canary.yaml,
 * examples/istio/istio-mirror.yaml, examples/apisix/rollout.yaml, examples/traffic-management/rollout-linkerd.yaml (its one template quoted, as kubectl needs it),
 * examples/appmesh/canary-rollout.yaml, examples/rollout-template-ref.yaml), each in a scenario whose service runs
 * it: the argo: entry and the imported plan give the same result document. The pods' Services are the Rollout's
 * canaryService and stableService (rollout/service.go), their workload the Rollout (rollout/replicaset.go names
 * the ReplicaSets after it, with a workloadRef too); the scenario's service is the one named like the Rollout or
 * its workloadRef (scenario/imported.ts), or --service.
 */
describe('rehearse import argo on Argo\'s example Rollouts', () => {
  const V = 'test/fixtures/vendor/argo/';
  const scenarioFor = (svc: string) => ({
    name: 'eq', seed: 3, duration: '20m', window: '1m', traffic: { rate: '20/s', cohort: { size: 2000, seed: 1 } }, journeys: { j: { steps: [`${svc}.get`] } },
    services: { [svc]: { latency: '10ms', errors: '1%', endpoints: { get: {} } } }, flags: { nf: { 'evaluated-by': [svc], 'when-on': { [svc]: { errors: '+5%' } } } },
  });
  const compare = (files: string[], svc: string, service?: string) => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-argo-examples-'));
    files.forEach((f, i) => writeFileSync(join(tmp, `f${i}.yaml`), readFileSync(f, 'utf8')));
    const { text, warnings } = importCommand('argo', files, 'nf', {}, service);
    const plan = (parse(text.replaceAll('who promotes, after how long? (e.g. 30m)', '1m')) as { rollout: Record<string, unknown>[] }).rollout;
    const direct = { ...scenarioFor(svc), rollout: [{ flag: 'nf', argo: { rollout: 'f0.yaml', ...(files.length > 1 ? { templates: ['f1.yaml'] } : {}), approval: '1m' } }] };
    const load = (o: object) => {
      const l = parseScenarioObject(o, tmp);
      if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('scenario', p)).join('\n'));
      return JSON.stringify(runScenario(l.scenario));
    };
    return { same: load({ ...scenarioFor(svc), rollout: plan }) === load(direct), pods: plan[0].pods, warnings };
  };
  it.each([
    ['rollout-canary.yaml', 'rollout-canary', null, null],
    ['istio-mirror.yaml', 'istio-host-split', 'istio-host-split-canary', 'istio-host-split-stable'],
    ['apisix-rollout-header-route.yaml', 'rollout-apisix-canary', 'rollout-apisix-canary-canary', 'rollout-apisix-canary-stable'],
    ['rollout-linkerd-quoted.yaml', 'rollout-linkerd', 'rollout-linkerd-canary', 'rollout-linkerd-stable'],
    ['appmesh-canary-rollout.yaml', 'my-rollout', 'my-svc-canary', 'my-svc-stable'],
    ['rollout-template-ref.yaml', 'rollout-ref-deployment', null, null],
  ])('%s: the same result document, the canary and stable Services the Rollout names', (f, name, canary, stable) => {
    const r = compare([V + f], name);
    expect(r.same).toBe(true);
    expect(r.pods).toMatchObject({ service: name, workload: name, canary: canary ? { service: canary } : {}, stable: stable ? { service: stable } : {} });
  });
  it('a workloadRef named otherwise: the scenario\'s service named like it, given as --service; without it a warning says so', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-argo-workloadref-'));
    const ref = join(tmp, 'rollout-template-ref.yaml');
    // examples/rollout-template-ref.yaml with its Deployment renamed podinfo: the Rollout keeps its name.
    writeFileSync(ref, readFileSync(V + 'rollout-template-ref.yaml', 'utf8').replace('  name: rollout-ref-deployment\n', '  name: podinfo\n').replace(/(workloadRef:[\s\S]*?name: )rollout-ref-deployment/, '$1podinfo'));
    const r = compare([ref], 'podinfo', 'podinfo');
    expect(r.same).toBe(true);
    expect(r.pods).toMatchObject({ service: 'podinfo', workload: 'rollout-ref-deployment' });
    expect(importCommand('argo', [ref], 'nf').warnings).toContainEqual('the Rollout "rollout-ref-deployment": pods.service is written as "rollout-ref-deployment", the Rollout\'s name; its workloadRef names "podinfo": if the scenario\'s service is named so, write that (or give --service podinfo), as its argo: entry would find it');
  });
});
