import { describe, expect, it } from 'vitest';
import { parseCondition, evalCondition, measurementPhase, ConditionSyntaxError, ConditionError } from '../src/lang/condition.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenarioFile, parseScenarioText } from '../src/load/scenario.js';

const ERRORS = 'sum(rate(http_requests_total{service_name="api",flag_new_buy="on",code=~"5.."}[1m])) / sum(rate(http_requests_total{service_name="api",flag_new_buy="on"}[1m]))';

function shop(extraErrors: string, gate: Record<string, unknown>, plan: Record<string, unknown> = {}) {
  return scenario({
    seed: 4,
    duration: '40m',
    traffic: { rate: '50/s', cohort: { size: 5000, seed: 1 } },
    journeys: { buy: { steps: ['api.buy'] } },
    services: { api: { concurrency: 16, latency: { dist: 'lognormal', p50: '8ms', p99: '60ms' }, errors: '0.5%', endpoints: { buy: {} } } },
    flags: { 'new-buy': { 'evaluated-by': ['api'], 'when-on': { api: { errors: extraErrors } } } },
    rollout: [{ flag: 'new-buy', stages: [{ to: '10%', hold: '10m' }, { to: '50%', hold: '10m' }, { to: '100%' }], gates: [gate], ...plan }],
  });
}

describe('PromQL gates', () => {
  it('promote a healthy flag and roll back a defective one, with the measurement in the audit', () => {
    const gate = { promql: ERRORS, success: 'result < 0.03' };
    const healthy = runScenario(shop('+0%', gate));
    expect(healthy.rollouts[0].outcome).toBe('completed');
    const bad = runScenario(shop('+8%', gate));
    expect(bad.rollouts[0].outcome).toBe('rolled-back');
    const reading = bad.audit.find((a) => a.event === 'gate' && a.gate?.verdict === 'fail')!;
    expect(reading.gate!.detail).toMatch(/^Failed: result = 0\.\d+/);
    expect(reading.gate!.threshold).toBe('success: result < 0.03');
  });

  it('counts a query without data as a measurement error, up to the consecutive error limit', () => {
    const gate = { promql: 'sum(rate(http_requests_total{service_name="nope"}[1m]))', success: 'result < 1' };
    const r = runScenario(shop('+0%', gate, { 'consecutive-error-limit': 2 }));
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.rollouts[0].decisions.at(-1)!.reason).toMatch(/3 consecutive gate errors \(limit 2\)/);
    const reading = r.audit.find((a) => a.event === 'gate')!;
    expect(reading.gate!.detail).toMatch(/no data/);
  });

  it('refuses a malformed query or condition at its path', () => {
    expect(() => shop('+0%', { promql: 'sum(rate(x[1m])', success: 'result < 1' })).toThrow(/rollout\[0\]\.gates\[0\]\.promql: unclosed left parenthesis at column 16/);
    expect(() => shop('+0%', { promql: 'holt_winters(x[1h], 0.5, 0.5)' })).toThrow(/unsupported function "holt_winters" at column 1/);
    expect(() => shop('+0%', { promql: 'x', success: 'result <' })).toThrow(/^fixture:1:\d+: rollout\[0\]\.gates\[0\]\.success: unexpected end of condition\n  result <\n {10}\^/);
  });
});

describe('conditions over result (Argo expression subset)', () => {
  const cases: [string, unknown, boolean | 'error'][] = [
    ['result[0] >= 0.95', [0.97], true],
    ['result[0] >= 0.95', [], 'error'],
    ['len(result) == 0 || result[0] < 5', [], true],
    ['isNaN(result[0]) || result[0] > 1', [NaN], true],
    ['result[0] > 1', [NaN], false],
    ['all(result, {# < 500})', [1, 499], true],
    ['any(result, # > 3)', [1, 2], false],
    ['result >= 0.99', 0.995, true],
    ['result >= 0.99', [0.995], 'error'],
    ['!(result < 2) && result != 7', 3, true],
    ['result * 100 % 7 == 2', 0.3, 'error'], // expr-lang: % takes integers, and a result is a float64
    ['7 % 3 == 1', 0.3, true],
    ['result[-1] == 4', [1, 4], true],
  ];
  it.each(cases)('%s over %j', (src, result, want) => {
    const c = parseCondition(src);
    if (want === 'error') expect(() => evalCondition(c, result as number[])).toThrow(ConditionError);
    else expect(evalCondition(c, result as number[])).toBe(want);
  });

  it('decides the phase as Argo does', () => {
    const s = parseCondition('result[0] >= 0.9');
    const f = parseCondition('result[0] < 0.5');
    expect(measurementPhase([0.95], s, null).phase).toBe('Successful');
    expect(measurementPhase([0.7], s, null).phase).toBe('Failed');
    expect(measurementPhase([0.7], s, f).phase).toBe('Inconclusive');
    expect(measurementPhase([0.4], null, f).phase).toBe('Failed');
    expect(measurementPhase([0.7], null, f).phase).toBe('Successful');
    expect(measurementPhase([], s, null).phase).toBe('Error');
    expect(measurementPhase([1], null, null).phase).toBe('Successful');
  });

  it('refuses names and functions outside the subset, with a caret', () => {
    expect(() => parseCondition('result[0] > threshold')).toThrow(ConditionSyntaxError);
    expect(() => parseCondition('system(1)')).toThrow(/unknown function "system" at column 1/);
    try {
      parseCondition('result > > 1');
    } catch (e) {
      expect((e as Error).message).toBe('unexpected ">" at column 10\n  result > > 1\n           ^');
    }
  });
});

describe('a PromQL gate that reads ahead of its evaluation', () => {
  const text = (offset: string) => `name: ahead
duration: 10m
traffic: { rate: 50/s, cohort: { size: 1000 } }
journeys:
  buy: { steps: [api.buy] }
services:
  api: { latency: { dist: exponential, mean: 5ms }, endpoints: { buy: {} } }
flags:
  new-buy: { kind: release, owner: shop, evaluated-by: [api] }
rollout:
  - flag: new-buy
    stages: [{ to: 50%, hold: 2m }, { to: 100% }]
    gates:
      - { promql: 'sum(rate(http_server_request_duration_seconds_count[1m] offset ${offset}))', success: 'result >= 0' }
`;
  it('is warned at its query with how far ahead it reads; a look back is not', () => {
    const ahead = parseScenarioText(text('-90s'), '/tmp', undefined, 'YAML', 'ahead.yaml');
    expect(ahead.ok && ahead.warnings).toEqual([
      'ahead.yaml:14:19: rollout[0].gates[0].promql: a negative offset reads 1m30s after the instant the gate is evaluated at, where nothing has been scraped yet: every reading finds no data (a measurement error); give a positive offset or none',
    ]);
    const behind = parseScenarioText(text('1m'), '/tmp', undefined, 'YAML', 'ahead.yaml');
    expect(behind.ok && behind.warnings).toEqual([]);
  });

  it('and indeed finds no data at any reading: its errors reach the plan\'s limit and the plan rolls back', () => {
    // Readings every 30 s through a 5-minute hold: more consecutive errors than the limit (4, Argo's default).
    const long = text('-1m').replace('hold: 2m', 'hold: 5m').replace('  - flag: new-buy\n', '  - flag: new-buy\n    evaluate-every: 30s\n');
    const loaded = parseScenarioText(long, '/tmp', undefined, 'YAML', 'ahead.yaml');
    if (!loaded.ok) throw new Error('invalid');
    const r = runScenario(loaded.scenario);
    expect(r.rollouts[0].finalPercent).toBe(0);
    const behind = parseScenarioText(long.replace('offset -1m', 'offset 1m'), '/tmp', undefined, 'YAML', 'ahead.yaml');
    if (!behind.ok) throw new Error('invalid');
    expect(runScenario(behind.scenario).rollouts[0].finalPercent).toBe(100);
  });
});

/**
 * The same in imported analyses: an Argo AnalysisTemplate's prometheus query and a Flagger MetricTemplate's are
 * warned where their text is, in the template's file. Flagger fails a check that finds no data ("no values found",
 * fluxcd/flagger pkg/controller/scheduler_metrics.go).
 */
describe('a query of an imported template that reads ahead of its evaluation', () => {
  const copied = (example: string, template: string, from: string, to: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-ahead-'));
    cpSync(join('examples', example), dir, { recursive: true });
    const p = join(dir, template);
    writeFileSync(p, readFileSync(p, 'utf8').replace(from, to));
    return dir;
  };
  const warnings = (file: string) => {
    const l = loadScenarioFile(file, 'healthy');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    return [...l.warnings, ...l.scenario.rollouts.flatMap((r) => r.warnings)].filter((w) => w.includes('offset'));
  };

  it('is warned at the query of an Argo AnalysisTemplate, with its file, line, column and path', () => {
    const dir = copied('argo', 'analysis-templates.yaml', '}[5m]', '}[5m] offset -2m');
    try {
      expect(warnings(join(dir, 'guestbook.yaml'))).toEqual([
        'analysis-templates.yaml:20:16: spec.metrics[0].provider.prometheus.query: a negative offset reads 2m after the instant the analysis measures at, where nothing has been scraped yet: every measurement finds no data; give a positive offset or none',
      ]);
      expect(warnings('examples/argo/guestbook.yaml')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is warned at the query of a Flagger MetricTemplate, and at a Canary metric\'s own query', () => {
    const dir = copied('flagger', 'metric-templates.yaml', '}[{{ interval }}]', '}[{{ interval }}] offset -90s');
    try {
      expect(warnings(join(dir, 'podinfo.yaml'))).toEqual([
        'metric-templates.yaml:12:10: spec.query: as the Canary\'s metric "404s percentage" (canary.yaml:51:7) renders it: a negative offset reads 1m30s after the instant the check runs at, where nothing has been scraped yet: every check finds no data, which Flagger fails ("no values found"); give a positive offset or none',
      ]);
      expect(warnings('examples/flagger/podinfo.yaml')).toEqual([]);
      const canary = join(dir, 'canary.yaml');
      writeFileSync(join(dir, 'metric-templates.yaml'), readFileSync('examples/flagger/metric-templates.yaml', 'utf8'));
      writeFileSync(canary, readFileSync(canary, 'utf8').replace('    - name: "404s percentage"\n', '    - name: ahead\n      query: sum(rate(istio_requests_total[1m] offset -1m))\n      thresholdRange: { min: 0 }\n    - name: "404s percentage"\n'));
      expect(warnings(join(dir, 'podinfo.yaml'))).toEqual([
        expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.metrics\[2\]\.query: a negative offset reads 1m after the instant the check runs at, where nothing has been scraped yet: every check finds no data, which Flagger fails \("no values found"\); give a positive offset or none$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
