/**
 * Flagger as its scheduler runs it (fluxcd/flagger at 15bd6ad5): the builtin queries of every observer as
 * Flagger's templates write and render them (pkg/metrics/observers/*.go, render.go; the 28 rendered queries of
 * Flagger's own observer tests, test/fixtures/vendor/flagger/builtin-queries.json), the provider routing of
 * scheduler_metrics.go runBuiltinMetricChecks and factory.go, the checks of scheduler_metrics.go (thresholdRange,
 * or threshold without it: a minimum for request-success-rate, a maximum otherwise), and the threshold of
 * scheduler.go advanceCanary: failed checks counted over the analysis, the rollback on the tick after the check
 * that reached it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/flagger/index.js';
import { metricsProvider, observerOf, QUERIES, type Observer } from '../src/interop/flagger/observers.js';
import { renderQuery, trimQuery } from '../src/interop/flagger/render.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';

interface Vector { test: string; model: Record<string, string>; expectedQuery: string }
const builtin = JSON.parse(readFileSync('test/fixtures/vendor/flagger/builtin-queries.json', 'utf8')) as {
  observers: { observer: Observer; providers: string[]; queries: Record<string, { template: string }>; tests: { cases: Vector[] } }[];
};

describe('the builtin queries of every observer, as Flagger writes and renders them', () => {
  it('holds each observer\'s templates as Flagger\'s source has them', () => {
    for (const o of builtin.observers) {
      expect(QUERIES[o.observer]['request-success-rate'], o.observer).toBe(o.queries['request-success-rate'].template);
      expect(QUERIES[o.observer]['request-duration'], o.observer).toBe(o.queries['request-duration'].template);
    }
    expect(Object.keys(QUERIES).sort()).toEqual(builtin.observers.map((o) => o.observer).sort());
  });

  const vectors = builtin.observers.flatMap((o) => o.tests.cases.map((c): [string, Observer, Vector] => [c.test, o.observer, c]));
  it('renders the 28 queries of Flagger\'s observer tests', () => expect(vectors).toHaveLength(28));
  it.each(vectors)('%s', (test, observer, c) => {
    const m = c.model;
    // The skipper observer encodes its model for route names first (skipper.go encodeModelForSkipper).
    const enc = observer === 'skipper' ? (s: string) => s.replace(/\W/g, '_') : (s: string) => s;
    const model = {
      name: enc(m.Name ?? ''), namespace: enc(m.Namespace ?? ''), target: enc(m.Target ?? ''), service: enc(m.Service ?? ''),
      ingress: enc(m.Ingress ?? ''), route: m.Route ?? '', interval: m.Interval ?? '', variables: {},
    };
    const which = /Duration/.test(test) ? 'request-duration' : 'request-success-rate';
    expect(trimQuery(renderQuery(QUERIES[observer][which], model))).toBe(c.expectedQuery);
  });

  it('routes a provider to its observer as the scheduler and the factory do', () => {
    const route = (mesh: string, provider: string | null, kind = 'Deployment') => observerOf(metricsProvider(mesh, provider, { apiVersion: kind === 'Service' ? 'v1' : 'apps/v1', kind }));
    expect([route('istio', null), route('istio', 'linkerd'), route('linkerd', 'istio'), route('istio', 'appmesh:v1beta2'), route('istio', 'gloo:v1')]).toEqual(['istio', 'linkerd', 'linkerd', 'appmesh', 'gloo']);
    expect([route('istio', 'kubernetes'), route('istio', 'gatewayapi:v1'), route('istio', 'smi:v1alpha3'), route('smi:crossover', null), route('istio', 'nginx', 'Service')]).toEqual(['http', 'http', 'istio', 'istio', 'istio']);
    for (const o of builtin.observers) for (const p of o.providers.filter((x) => !x.startsWith('('))) expect(route('istio', p), p).toBe(o.observer);
  });
});

const canaryFile = 'test/fixtures/vendor/flagger/istio-canary.yaml';
function scenario(canary: string, extra: { provider?: string; errors?: string; approval?: string; mesh?: string } = {}) {
  const patches = extra.provider ? `\n      patches: [{ resource: canary, path: [spec, provider], value: ${extra.provider} }]` : '';
  const text = `name: flagger-check
seed: 7
duration: 4m
traffic: { rate: 40/s, cohort: { size: 5000, seed: 1 } }
journeys: { call: { steps: [podinfo.get] } }
services:
  podinfo: { replicas: 2, concurrency: 32, latency: { dist: lognormal, p50: 10ms, p99: 80ms }, errors: 0.1%, endpoints: { get: {} } }
flags:
  podinfo-v2: { evaluated-by: [podinfo], when-on: { podinfo: { errors: ${extra.errors ?? '+0%'} } } }
metrics: { scrape-interval: 5s }
rollout:
  - flag: podinfo-v2
    flagger:
      canary: ${canary}${extra.approval ? `\n      approval: ${extra.approval}` : ''}${extra.mesh ? `\n      mesh-provider: ${extra.mesh}` : ''}${patches}
`;
  const l = parseScenarioText(text, '.');
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('scenario', p)).join('\n'));
  return l.scenario;
}

describe('the simulated series answer every observer\'s builtin queries', () => {
  const providers = builtin.observers.map((o) => [o.observer, o.providers.find((p) => !p.startsWith('('))!] as const);
  it.each(providers)('%s (provider %s)', (observer, provider) => {
    // Provider knative takes a Knative Service as target, and only it (pkg/controller/controller.go
    // verifyKnativeCanary): the Canary of Flagger's Knative tutorial.
    const s = provider === 'knative' ? scenario('test/fixtures/vendor/flagger/docs-knative-canary.yaml') : scenario(canaryFile, { provider });
    const r = runScenario(s);
    const checks = r.audit.filter((a) => a.event === 'gate');
    const last = (name: string) => checks.filter((a) => a.gate!.gate.endsWith(name)).at(-1)!.gate!;
    // Healthy: a success rate near 100%, a p99 of some milliseconds, and the canary promoted.
    expect(last('request-success-rate').value).toBeGreaterThan(98);
    expect(last('request-success-rate').value).toBeLessThanOrEqual(100);
    expect(last('request-duration').value).toBeGreaterThan(observer === 'http' ? 0.005 : 5);
    expect(r.rollouts[0].outcome, `${observer}: ${r.rollouts[0].decisions.at(-1)!.reason}`).toBe('completed');
  });
});

describe('a v1alpha3 Canary as Flagger 0.x ran it', () => {
  const v1alpha3 = 'test/fixtures/vendor/flagger/v1alpha3-istio-canary.yaml';

  it('judges metrics by threshold: a minimum for the success rate, a maximum in whole milliseconds otherwise', () => {
    const r = toScenarioParts([{ file: 'c.yaml', text: readFileSync(v1alpha3, 'utf8') }]);
    expect(r.ok && r.parts.checks.map((c) => [c.name, c.gate.success!.source])).toEqual([
      ['request-success-rate', 'result >= 99'], ['request-duration', 'asInt(result) <= 500'],
    ]);
    const custom = toScenarioParts([{ file: 'c.yaml', text: readFileSync(v1alpha3, 'utf8').replace('    - name: request-duration\n', '    - name: errors\n      query: sum(rate(istio_requests_total{response_code=~"5.."}[1m]))\n') }]);
    expect(custom.ok && custom.parts.checks[1].gate.success!.source).toBe('result <= 500');
  });

  it('rolls back on the tick after the tenth failed check (threshold 10, interval 10s)', () => {
    const r = runScenario(scenario(v1alpha3, { errors: '+30%' }));
    const failed = r.audit.filter((a) => a.event === 'decision' && a.action === 'halt');
    expect(failed.map((a) => a.timeSeconds)).toEqual([10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    const end = r.rollouts[0].decisions.at(-1)!;
    expect([r.rollouts[0].outcome, end.timeSeconds, end.reason]).toEqual(['rolled-back', 110, 'canary podinfo: failed checks (10) reached the threshold (10); back to 0%']);
    // The weight held at 5% from the first failed check on.
    expect(r.rollouts[0].decisions.filter((d) => d.action === 'promote')).toEqual([]);
  });

  it('promotes the healthy release through the weights, one per interval', () => {
    const r = runScenario(scenario(v1alpha3));
    expect(r.rollouts[0].outcome).toBe('completed');
    expect(r.rollouts[0].decisions.filter((d) => d.action === 'promote').map((d) => d.percent).slice(-3)).toEqual([45, 50, 100]);
  });
});

describe('confirm webhooks wait for the scenario\'s approver', () => {
  const withHook = (type: string) => readFileSync(canaryFile, 'utf8').replace('    - name: load-test\n', `    - name: gate\n      type: ${type}\n      url: http://flagger-loadtester.test/gate/check\n    - name: load-test\n`);
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-flagger-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([['confirm-rollout', 0, 0], ['confirm-promotion', 10, 50]])('%s without an approver stops the plan, paused, and with one goes on', (type, stage, percent) => {
    const file = join(dir, `${type}.yaml`);
    writeFileSync(file, withHook(type));
    const r = toScenarioParts([{ file: 'canary.yaml', text: withHook(type) }]);
    expect(r.ok && (type === 'confirm-rollout' ? r.parts.approvals.rollout : r.parts.approvals.promotion)).toMatch(/^canary\.yaml:\d+:\d+: spec\.analysis\.webhooks\[1\] \(confirm-/);
    const meanwhile = type === 'confirm-promotion' ? ' (Flagger goes on checking while it waits; the rehearsal checks again only after it)' : '';
    expect(r.warnings).toContain(`canary.yaml:60:7: spec.analysis.webhooks[1]: webhook "gate" of type ${type} is not called in a rehearsal: the scenario's approver (flagger.approval) answers it${meanwhile}`);
    const waiting = runScenario(scenario(file));
    expect([waiting.rollouts[0].outcome, waiting.rollouts[0].stagesReached, waiting.rollouts[0].finalPercent]).toEqual(['paused', stage, percent]);
    const reason = waiting.rollouts[0].decisions.at(-1)!.reason;
    expect(reason.startsWith(`waiting for a promotion before stage ${stage + 1}: no approver in the scenario (`) && reason.endsWith(`(${type}))`)).toBe(true);
    expect(runScenario(scenario(file, { approval: '30s' })).rollouts[0].outcome).toBe('completed');
  });
});
