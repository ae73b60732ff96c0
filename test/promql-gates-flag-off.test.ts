/**
 * PromQL and alert gates judged like with like. A harmless flag's gate reads the error ratio of flag-on calls
 * (`flag_flag_b="on"`) against a fixed 2%, below the service's own 3%: it fails whatever the flag does. Its twin, the
 * same query with that matcher turned to `flag_flag_b="off"`, is evaluated over the same series at the same instant,
 * and fails as much: the rollback misattributes the service's errors to the flag. The twin's value is what a real
 * Prometheus (Debian's 2.42) returns for the turned query over the run's series written as OpenMetrics. An alert over
 * the same ratio is read so too, through the rule group's own state (for:). A query that reads flag-on and flag-off
 * traffic alike cannot be judged so: the run says which gate and why.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePromQL, type VectorSelector } from '../src/lang/promql.js';
import { podTemplateHash, resolveMapping } from '../src/metrics/mapping.js';
import { observeSeries, writeOpenMetrics, type ScrapeSeries } from '../src/observe/metrics.js';
import { caseHeadlines, flagHeadline, flagStory } from '../src/report/vocabulary.js';
import { flagSides, flipExpr, judging } from '../src/rollout/flag-off-query.js';
import { caseFromResult } from '../src/score/ci.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { scenario } from './helpers.js';
import { PrometheusServer, prometheusAvailable } from './prometheus.js';

const ratio = (side: string) => `sum(rate(http_requests_total{service_name="api",${side}code=~"5.."}[2m])) / sum(rate(http_requests_total{service_name="api",${side}}[2m]))`;
const ON = ratio('flag_flag_b="on",');

const doc = (gate: unknown, metrics: Record<string, unknown> = {}) => ({
  name: 'test', seed: 4, duration: '20m', window: '1m',
  traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
  journeys: { buy: { steps: ['api.buy'] } },
  services: { api: { replicas: 2, concurrency: 64, latency: '20ms', errors: '3%', endpoints: { buy: {} } } },
  flags: { 'flag-b': { 'evaluated-by': ['api'] } },
  rollout: [{ flag: 'flag-b', stages: [{ to: '20%', hold: '10m' }, { to: '100%' }], 'evaluate-every': '1m', 'failure-limit': 1, gates: [gate] }],
  metrics,
});

/** The run and its series, as the gates read them. */
function run(s: Scenario): { r: RunResult; series: ScrapeSeries } {
  let series!: ScrapeSeries;
  const r = runScenario(s, { observe: (sim) => (series = observeSeries(sim, s)) });
  return { r, series };
}

const act = (r: RunResult) => r.rollouts[0].decisions.find((d) => d.action === 'rollback' || d.action === 'pause')!;
const decisive = (r: RunResult) => r.audit.filter((a) => a.event === 'gate' && a.timeSeconds === act(r).timeSeconds);

describe('a PromQL gate over flag-on calls, failed by the service\'s own errors', () => {
  const { r, series } = run(scenario(doc({ promql: ON, success: 'result < 0.02', name: 'api errors on flag-on calls' })));

  it('its failing reading is read with the matcher turned to flag off, and fails there too: a misattribution', () => {
    const [reading] = decisive(r).map((a) => a.gate!);
    expect([reading.verdict, reading.flagOffUnjudged]).toEqual(['fail', undefined]);
    expect(reading.flagOff!.value).toBeGreaterThanOrEqual(0.02);
    expect(reading.flagOff!.samples).toBe(1);
    const b = r.outcomes.flags['flag-b'];
    expect([b.defective, b.outcome, b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([false, 'rolled-back', true, true, true]);
    expect(flagHeadline(flagStory(r, 'flag-b'))).toBe('false rollback: rolled back at 20%, nobody hurt (the gates saw harm something else caused)');
  });

  it.runIf(prometheusAvailable())('the twin\'s value is what Prometheus returns for the turned query at the reading\'s instant', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-twin-'));
    let text = '';
    writeOpenMetrics(series, (c) => (text += c));
    writeFileSync(join(dir, 'run.om'), text);
    const server = await PrometheusServer.start([join(dir, 'run.om')]);
    try {
      const at = series.epochMs + act(r).timeSeconds * 1000;
      const off = await server.query(ratio('flag_flag_b="off",'), at);
      const on = await server.query(ON, at);
      const value = (x: typeof off) => Number((x.data!.result as { value: [number, string] }[])[0].value[1]);
      const reading = decisive(r)[0].gate!;
      // The audit keeps six decimals of a value.
      expect(value(off)).toBeCloseTo(reading.flagOff!.value!, 6);
      expect(value(on)).toBeCloseTo(reading.value!, 6);
      expect(value(off)).not.toBeCloseTo(value(on), 6);
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});

describe('a PromQL gate whose query reads flag-on and flag-off calls alike', () => {
  const { r } = run(scenario(doc({ promql: ratio(''), success: 'result < 0.02', name: 'api errors' })));

  it('cannot be judged against flag-off traffic: the reading, the outcome, the headline and ci say which gate and why', () => {
    const why = 'http_requests_total{service_name="api",code=~"5.."} reads flag-on and flag-off traffic alike (no matcher flag_flag_b="on")';
    expect(decisive(r).map((a) => [a.gate!.verdict, a.gate!.flagOff, a.gate!.flagOffUnjudged])).toEqual([['fail', undefined, why]]);
    const b = r.outcomes.flags['flag-b'];
    expect([b.false_rollback, b.misattribution, b.gates_failed_flag_off, b.gates_unjudged_flag_off]).toEqual([true, false, undefined, [`api errors: ${why}`]]);
    const headline = `false rollback: rolled back at 20%, nobody hurt (a gate that acted cannot be judged against flag-off traffic: api errors: ${why})`;
    expect(flagHeadline(flagStory(r, 'flag-b'))).toBe(headline);
    expect(caseHeadlines(caseFromResult('x.yaml', r, 1))).toEqual([`flag-b: ${headline}`]);
  });
});

describe('an alert gate over flag-on calls', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-twin-rules-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'rules.yml');
  writeFileSync(file, `groups:\n  - name: api\n    interval: 30s\n    rules:\n      - record: api:errors:ratio2m\n        expr: ${ON}\n      - alert: ApiErrors\n        expr: api:errors:ratio2m > 0.02\n        for: 1m\n`);
  const loaded = parseScenarioText(JSON.stringify(doc({ alert: 'ApiErrors' }, { rules: [file] })), dir);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  const { r } = run(loaded.scenario);

  it('fires with the recorded ratio turned to flag off too: the rules evaluated again on flag-off calls, from the start', () => {
    const [reading] = decisive(r).map((a) => a.gate!);
    expect([reading.verdict, reading.flagOff, reading.flagOffUnjudged]).toEqual(['fail', { value: 1, samples: 1 }, undefined]);
    const b = r.outcomes.flags['flag-b'];
    expect([b.false_rollback, b.misattribution, b.gates_failed_flag_off]).toEqual([true, true, true]);
  });
});

describe('how a query reads the flag\'s sides', () => {
  const otel = flagSides(resolveMapping(), 'flag-b');
  const shown = (e: ReturnType<typeof parsePromQL>): string[] => {
    const out: string[] = [];
    const walk = (x: unknown): void => {
      if (x && typeof x === 'object') {
        if ((x as VectorSelector).kind === 'vector') out.push((x as VectorSelector).matchers.map((m) => `${m.name}${m.op}${m.value}`).join(','));
        Object.values(x).forEach(walk);
      }
    };
    walk(e);
    return out;
  };

  it.each([
    ['x{flag_flag_b="on"}', 'twin', ['__name__=x,flag_flag_b=off']],
    ['x{flag_flag_b!="off"}', 'twin', ['__name__=x,flag_flag_b=off']],
    ['rate(x{flag_flag_b=~"on"}[1m])', 'twin', ['__name__=x,flag_flag_b=off']],
    ['x{flag_flag_b="on"} / x{flag_flag_b="off"}', 'compares', null],
    ['x{flag_flag_b="on"} / x', 'blind', null],
    ['x{flag_flag_b=~"on|off"}', 'blind', null],
    ['vector(1)', 'blind', null],
  ])('%s: %s', (query, kind, flipped) => {
    const e = parsePromQL(query);
    expect(judging(e, otel).kind).toBe(kind);
    if (flipped) expect(shown(flipExpr(e, otel))).toEqual(flipped);
  });

  it('a mapping that drops the flag\'s label leaves nothing to judge by; canary pods tell the sides apart', () => {
    expect(judging(parsePromQL('x{flag_flag_b="on"}'), flagSides(resolveMapping({ labels: { flag_flag_b: null } }), 'flag-b'))).toEqual({ kind: 'blind', why: 'the series carry no label of the flag (the mapping drops it)' });
    // Flagger's workloads under Istio's names: the canary keeps the name, the primary is <name>-primary.
    const split = { flag: 'flag-b', service: 'api', app: 'api', ingress: 'api', route: 'api', port: '80',
      canary: { workload: 'api', service: 'api-canary', hash: podTemplateHash('api') },
      stable: { workload: 'api-primary', service: 'api-primary', hash: podTemplateHash('api-primary') } };
    const istio = flagSides({ ...resolveMapping({ preset: 'istio', namespace: 'test' }), splits: [split] }, 'flag-b');
    const e = parsePromQL('sum(rate(istio_requests_total{destination_workload=~"api",response_code!~"5.*"}[1m]))');
    expect(judging(e, istio).kind).toBe('twin');
    expect(shown(flipExpr(e, istio))).toEqual(['__name__=istio_requests_total,destination_workload=api-primary,response_code!~5.*']);
  });

  it('a label on the canary\'s series alone (ingress-nginx\'s canary) tells the sides apart: its absence is the stable side', () => {
    // ingress-nginx labels a request to the canary upstream with `canary` (the upstream's name) and others with none;
    // Flagger's builtin success rate for nginx selects canary!="" (pkg/metrics/observers/nginx.go), and a matcher
    // reads a label a series lacks as "" (Prometheus' model/labels): its twin is canary="", the stable side.
    const split = { flag: 'flag-b', service: 'api', app: 'api', ingress: 'api', route: 'api', port: '80',
      canary: { workload: 'api', service: 'api-canary', hash: podTemplateHash('api') },
      stable: { workload: 'api-primary', service: 'api-primary', hash: podTemplateHash('api-primary') } };
    const nginx = flagSides({ ...resolveMapping({ preset: 'nginx-ingress', namespace: 'test' }), splits: [split] }, 'flag-b');
    expect(nginx.filter((s) => s.name === 'canary')).toEqual([{ name: 'canary', on: 'test-api-canary-80', off: '' }]);
    const e = parsePromQL('sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="api",canary!="",status!~"5.*"}[1m])) / sum(rate(nginx_ingress_controller_requests{namespace="test",ingress="api",canary!=""}[1m])) * 100');
    expect(judging(e, nginx).kind).toBe('twin');
    expect(shown(flipExpr(e, nginx))).toEqual([
      '__name__=nginx_ingress_controller_requests,namespace=test,ingress=api,canary=,status!~5.*',
      '__name__=nginx_ingress_controller_requests,namespace=test,ingress=api,canary=',
    ]);
    // A query of the canary's requests by their upstream's name reads the canary alone too.
    expect(judging(parsePromQL('x{canary="test-api-canary-80"}'), nginx).kind).toBe('twin');
  });
});
