/** Gate verdicts against hand-worked examples, the statistics behind them, and messages for bad gates. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compile } from '../src/model/compile.js';
import { bindGate } from '../src/rollout/gates.js';
import { mannWhitney, normalCdf, normalQuantile, twoProportion } from '../src/rollout/stats.js';
import { parseThreshold, ThresholdError, verdict, worst } from '../src/lang/threshold.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { Probes } from '../src/telemetry/probes.js';
import { readingWords } from '../src/units/format.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

function setup(gates: unknown[]) {
  const s = scenario({
    duration: '1h',
    traffic: { rate: '1/s', cohort: { size: 10 } },
    journeys: { j: { steps: ['api'] } },
    services: { api: { latency: '1ms' } },
    flags: { f: { 'evaluated-by': ['api'] } },
    rollout: [{ flag: 'f', stages: [{ to: '100%' }], gates }],
  });
  const model = compile(s);
  const probes = new Probes(model.endpointNames.length, model.journeyNames.length);
  const ctx = { model, probes, flag: 0, intervalUs: 60e6, segmentIndex: () => -1 };
  return { gates: s.rollouts[0].gates.map((g) => bindGate(g, ctx)), probes };
}

/** One minute of journeys: n requests, `failed` of them failing, all with latency `ms`, flag on or off. */
function minute(probes: Probes, n: number, failed: number, ms = 10, flagOn = false) {
  for (let i = 0; i < n; i++) probes.recordJourney(0, ms * 1000, i < failed, flagOn ? 1 : 0, -1);
}

describe('threshold gates', () => {
  it('req_failed rate: 7 failures in 350 requests is 0.02, which fails "<0.02" and passes "<=0.02"', () => {
    const { gates, probes } = setup(['req_failed rate<0.02', 'req_failed rate<=0.02', 'req_failed count<8', 'reqs rate>5']);
    minute(probes, 350, 7);
    probes.rotate(0); probes.rotate(1); probes.rotate(2); probes.rotate(3);
    const readings = gates.map((g) => g.evaluate());
    expect(readings.map((r) => r.verdict)).toEqual(['fail', 'pass', 'pass', 'pass']);
    expect(readings[0].value).toBeCloseTo(0.02, 12);
    expect(readings[3].value).toBeCloseTo(350 / 60, 12);
  });

  it('req_duration p(99) of 1..100 ms is 99 ms (within the histogram\'s three digits)', () => {
    const { gates, probes } = setup(['req_duration p(99)<99.5ms', 'req_duration avg<50ms', 'req_duration med<=50.1ms', 'req_duration max<100ms']);
    for (let ms = 1; ms <= 100; ms++) probes.recordJourney(0, ms * 1000, false, 0, -1);
    for (let p = 0; p < 4; p++) probes.rotate(p);
    const [p99, avg, med, max] = gates.map((g) => g.evaluate());
    expect(p99.value).toBeCloseTo(99, 0);
    expect(p99.verdict).toBe('pass');
    expect(avg.value).toBeCloseTo(50.5, 6);
    expect(avg.verdict).toBe('fail');
    expect(med.verdict).toBe('pass');
    expect(max.verdict).toBe('fail');
  });

  // k6 tags each HTTP request expected_response:true when its response callback accepts the status (200 to 399 by
  // default; a request with no response has status 0) and counts the others in http_req_failed (grafana/k6
  // lib/netext/httpext/transport.go measureAndEmitMetrics, js/modules/k6/http/response_callback.go
  // defaultExpectedStatuses). So {expected_response:true} selects the requests that did not fail, and false those
  // that did. 'http_reqs{expected_response:true}': ['rate>10'] is k6's own example
  // (examples/docker-compose/opentelemetry/script.js); http_req_duration{expected_response:true} is the submetric
  // k6's summary shows by default (internal/metrics/engine/engine.go).
  it('k6\'s expected_response tag selects the requests that did not fail (true) or did (false)', () => {
    const { gates, probes } = setup([
      'http_reqs{expected_response:true} rate>10', 'http_reqs{expected_response:true} count==343', 'http_reqs{expected_response:false} count==7',
      'http_req_duration{expected_response:true} max<100', 'http_req_duration{expected_response:false} min>900', 'http_req_duration max<100',
    ]);
    // 350 requests in a minute: 343 answered in 10 ms, 7 failed after 1 s.
    for (let i = 0; i < 350; i++) probes.recordJourney(0, (i < 7 ? 1000 : 10) * 1000, i < 7, 0, -1);
    for (let k = 0; k < gates.length; k++) probes.rotate(k);
    const readings = gates.map((g) => g.evaluate());
    expect(readings.map((r) => r.verdict)).toEqual(['fail', 'pass', 'pass', 'pass', 'pass', 'fail']);
    expect(readings[0].value).toBeCloseTo(343 / 60, 12);
    expect(readings.map((r) => r.samples)).toEqual([343, 343, 7, 343, 7, 350]);
  });

  it('runs k6\'s example threshold pasted unchanged: 15 journeys a second, 40% failing, are 9 expected responses a second', () => {
    const script = readFileSync('test/fixtures/vendor/k6/opentelemetry-script.js', 'utf8');
    const pasted = [...script.matchAll(/'([^']+)': \['([^']+)'\]/g)].map((m) => `${m[1]} ${m[2]}`);
    expect(pasted).toEqual(['http_reqs{expected_response:true} rate>10']);
    const s = scenario({
      seed: 3, duration: '10m', window: '1m',
      traffic: { rate: '15/s', cohort: { size: 1000 } },
      journeys: { j: { steps: ['api'] } },
      services: { api: { latency: '5ms', errors: '40%' } },
      flags: { f: { 'evaluated-by': ['api'] } },
      rollout: [{ flag: 'f', stages: [{ to: '100%', hold: '5m' }], gates: [...pasted, 'http_reqs rate>10', 'http_req_failed count<1000000'] }],
    });
    const [expected, all, failed] = runScenario(s).audit.filter((a) => a.event === 'gate').map((a) => a.gate!);
    expect([expected.gate, expected.verdict, all.verdict]).toEqual([pasted[0], 'fail', 'pass']);
    expect(expected.value!).toBeGreaterThan(15 * 0.6 * 0.9);
    expect(expected.value!).toBeLessThan(15 * 0.6 * 1.1);
    // The requests that did not fail and those that did make up all of them, in the same interval.
    expect(expected.samples + failed.value!).toBe(all.samples);
  });

  it('reads only the last interval, and is inconclusive without requests', () => {
    const { gates, probes } = setup(['req_failed rate<0.5']);
    minute(probes, 10, 10);
    probes.rotate(0);
    expect(gates[0].evaluate().verdict).toBe('fail');
    probes.rotate(0);
    expect(gates[0].evaluate()).toMatchObject({ verdict: 'inconclusive', value: null });
  });
});

describe('burn-rate gates (SRE workbook: 14.4x over 1h and 5m, SLO 99.9%)', () => {
  const gate = { 'burn-rate': { slo: '99.9%', pairs: [['5m', '1h', 14.4]] } };

  it('a short spike does not page: 2% errors for 5 of 60 minutes burns 20x short but 1.67x long', () => {
    const { gates, probes } = setup([gate]);
    for (let m = 0; m < 60; m++) {
      minute(probes, 1000, m >= 55 ? 20 : 0);
      probes.rotate(0);
    }
    const r = gates[0].evaluate();
    expect(r.verdict).toBe('pass');
    // min(short, long) / limit = (100 / 60000 / 0.001) / 14.4
    expect(r.value).toBeCloseTo(100 / 60000 / 0.001 / 14.4, 9);
  });

  it('a sustained burn pages: 2% errors for 45 of 60 minutes burns 20x short and 15x long', () => {
    const { gates, probes } = setup([gate]);
    for (let m = 0; m < 60; m++) {
      minute(probes, 1000, m >= 15 ? 20 : 0);
      probes.rotate(0);
    }
    const r = gates[0].evaluate();
    expect(r.verdict).toBe('fail');
    expect(r.value).toBeCloseTo(900 / 60000 / 0.001 / 14.4, 9);
    // In words (terminal, HTML, decision reasons), the pair's limit once: it was said twice, "(limit 14.4x) (limit burn
    // below limit in some window of each pair)".
    expect(readingWords(r)).toBe('15.000x over 1h and 20.000x over 5m (limit 14.4x in both windows of the pair)');
  });
});

describe('canary comparison', () => {
  it('two proportions: 30/1000 against 10/1000 exceeds +50% at 99%; 12/1000 does not', () => {
    // p1 = 0.03, 1.5 p0 = 0.015, se = sqrt(0.03*0.97/1000 + 2.25*0.01*0.99/1000) = 0.0067: z = 2.23... and 2.33 at 99%.
    const a = twoProportion(30, 1000, 10, 1000, 0.5);
    expect(a.z).toBeCloseTo((0.03 - 0.015) / Math.sqrt((0.03 * 0.97) / 1000 + (2.25 * 0.01 * 0.99) / 1000), 10);
    expect(twoProportion(60, 2000, 20, 2000, 0.5).z).toBeGreaterThan(normalQuantile(0.99));
    expect(twoProportion(12, 1000, 10, 1000, 0.5).z).toBeLessThan(0);
  });

  it('Mann-Whitney U equals the brute-force count of pairs, ties counted half', () => {
    const canary: [number, number][] = [[5, 2], [7, 1], [9, 3]];
    const control: [number, number][] = [[4, 1], [5, 1], [8, 2]];
    // Pairs x > y: x=5 (2 of them): y=4 -> 1, tie with 5 -> 0.5; x=7: 4,5 -> 2; x=9 (3): 4,5,8,8 -> 4.
    const u = 2 * (1 + 0.5) + 1 * 2 + 3 * 4;
    const r = mannWhitney(canary, control, 0);
    const n1 = 6, n2 = 4, n = 10;
    // Tie groups of all values: 5 three times, 8 twice, 9 three times: sum of t^3 - t = 24 + 6 + 24.
    const ties = 24 + 6 + 24;
    const sd = Math.sqrt(((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))));
    expect(r.z).toBeCloseTo((u - (n1 * n2) / 2) / sd, 12);
  });

  it('normal quantile and CDF invert each other', () => {
    for (const p of [0.001, 0.05, 0.5, 0.9, 0.99, 0.999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
  });

  it('is inconclusive below the minimum samples, then fails on a slower canary', () => {
    const { gates, probes } = setup([{ compare: { metric: 'req_duration', 'min-samples': 50, 'max-increase': '10%', confidence: '99%' } }]);
    minute(probes, 40, 0, 20, true);
    minute(probes, 400, 0, 10, false);
    expect(gates[0].evaluate().verdict).toBe('inconclusive');
    minute(probes, 40, 0, 20, true);
    expect(gates[0].evaluate().verdict).toBe('fail');
  });
});

describe('verdicts', () => {
  it('have a truth table, and the worst wins', () => {
    expect(verdict(0.5, '<', 1)).toBe('pass');
    expect(verdict(1, '<', 1)).toBe('fail');
    expect(verdict(null, '<', 1)).toBe('inconclusive');
    expect(verdict(NaN, '<', 1)).toBe('error');
    expect(worst(['pass', 'inconclusive', 'fail'])).toBe('fail');
    expect(worst(['pass', 'error', 'fail'])).toBe('error');
    expect(worst([])).toBe('pass');
  });
});

describe('gate syntax errors point at the column', () => {
  const base = (gate: string) => [
    'name: x', 'duration: 1h', 'traffic: { rate: 10/s }', 'journeys: { j: { steps: [api] } }', 'services: { api: {} }',
    'flags: { f: { evaluated-by: [api] } }', 'rollout:', '  - flag: f', '    stages: [{ to: 100% }]', `    gates: ['${gate}']`,
  ].join('\n');

  it.each([
    ['req_faild{service:api} rate<0.01', 1, 'unknown metric "req_faild"; did you mean "req_failed"?'],
    ['req_failed{servce:api} rate<0.01', 12, 'metric "req_failed" has no tag "servce"'],
    ['req_failed{service:apu} rate<0.01', 12, 'unknown service "apu"; did you mean "api"?'],
    ['req_failed{endpoint:api.defalt} rate<0.01', 12, 'unknown endpoint "defalt" of service "api"; did you mean "default"?'],
    ['req_duration{service:api} p(99)<900%', 33, 'a duration cannot be a percentage'],
    ['req_failed{service:api} avg<0.01', 25, 'has no aggregation "avg"'],
    ['req_failed{service:api} rate=0.01', 29, 'use "=="'],
    // Gates that cannot fail, or cannot pass, are refused.
    ['req_failed{service:api} rate<5', 30, 'write "rate<5%" or "rate<0.05"'],
    ['req_failed rate<=1', 18, '"rate <= 1" can never fail: req_failed rate lies from 0 to 1'],
    ['req_failed rate<150%', 17, 'can never fail'],
    ['req_failed rate>=0', 18, 'can never fail'],
    ['req_failed rate<0', 17, 'can never pass'],
    ['req_failed count>=0', 19, 'can never fail: req_failed count is never below 0'],
    ['req_duration p(95)<-5ms', 20, 'can never pass'],
    ['req_duration p(-5)<5ms', 16, 'a percentile lies from 0 to 100'],
    ['req_duration p(1e300)<5ms', 16, 'percentile 1e+300 is over 100'],
    ['req_duration p(ninety)<5ms', 16, 'a percentile is a number from 0 to 100 written in digits'],
    ['req_duration p(95)>=0ms', 21, 'can never fail'],
    ['req_duraton p(95)<5ms', 1, 'did you mean "req_duration"?'],
    ['http_req_duraton p(95)<5ms', 1, 'did you mean "http_req_duration"?'],
    ['req_failed{servce:api} rate<0.01', 12, 'did you mean "service"?'],
    ['req_failed rat<0.01', 12, 'unknown aggregation "rat"; did you mean "rate"?'],
    ['http_reqs{expected_response:yes} rate>10', 11, 'expected_response is "true" (the requests that did not fail) or "false" (those that failed)'],
    ['http_req_failed{expected_response:true} rate<0.01', 17, 'selects only requests that did not fail: its rate is always 0, so the gate never changes: drop the tag'],
  ])('%s', (gate, column, message) => {
    const r = parseScenarioText(base(gate));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatProblem('x.yaml', r.problems[0]);
    // At the mistake's own line and column of the file (the gate is on line 10, its text from column 14).
    expect(text).toMatch(new RegExp(`^x\\.yaml:10:${13 + column}: rollout\\[0\\]\\.gates\\[0\\]: `));
    expect(text).toContain(message);
    expect(text).not.toContain('at column');
    expect(text).toContain(`\n    ${' '.repeat(column - 1)}^`);
  });

  it.each([
    [`{ burn-rate: { slo: 99%, pairs: [[5m, 1h, 14.4]], filter: '{expected_response:true}' } }`, 'burn-rate.filter', 'a burn rate reads the failures of every request the filter selects'],
    [`{ compare: { metric: req_duration, max-increase: 50%, filter: '{expected_response:true}' } }`, 'compare.filter', 'a comparison reads every request the filter selects, on each side'],
  ])('expected_response in %s is refused at the tag, with what to do', (gate, path, why) => {
    const r = parseScenarioText(base('req_failed rate<0.01').replace(`gates: ['req_failed rate<0.01']`, `gates: [${gate}]`));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const text = formatProblem('x.yaml', r.problems[0]);
    expect(text).toContain(`rollout[0].gates[0].${path}: expected_response selects requests by whether they failed: ${why}: drop expected_response from the filter`);
  });

  it('takes k6\'s metric names as they are: http_req_failed, http_req_duration, http_reqs', () => {
    const r = parseScenarioText(base('http_req_failed rate<0.01').replace(`gates: ['http_req_failed rate<0.01']`,
      `gates: ['http_req_failed rate<0.01', 'http_req_duration{flag:on} p(95)<500', 'http_reqs count>10']`));
    expect(r.ok && r.scenario.rollouts[0].gates.map((g) => g.kind === 'threshold' && g.metric)).toEqual(['req_failed', 'req_duration', 'reqs']);
  });

  it('allows a comparison gate an increase over 100% ("latency tripled" is +200%), and suggests 15m for hold: 15', () => {
    const r = parseScenarioText(base('req_failed rate<0.01').replace(`gates: ['req_failed rate<0.01']`,
      `gates: [{ compare: { metric: req_duration, max-increase: 200% } }]`));
    expect(r.ok && r.scenario.rollouts[0].gates[0].kind === 'compare' && r.scenario.rollouts[0].gates[0].maxIncrease).toBe(2);
    const h = parseScenarioText(base('req_failed rate<0.01').replace('[{ to: 100% }]', '[{ to: 100%, hold: 15 }]'));
    expect(h.ok).toBe(false);
    if (!h.ok) expect(formatProblem('x.yaml', h.problems[0])).toContain('"15m"');
  });

  // The vectors of k6's own parser tests (grafana/k6 metrics/thresholds_parser_test.go,
  // TestParseThresholdExpression, TestParseThresholdAggregationMethod, TestScanThresholdExpression), after a metric
  // name: what k6 accepts reads the same here, what it refuses is refused. `===` is k6's strict equality
  // (metrics/thresholds_parser.go operatorTokens), the same test as `==` on numbers. `value` (gauges) is k6's and
  // refused here: rehearse's metrics have no gauge.
  it('reads threshold expressions as k6 reads them (k6\'s own parser vectors)', () => {
    const accepted: [string, string, number | null, string, number][] = [
      ['count>20', 'count', null, '>', 20], ['p(99)<1', 'p', 99, '<', 1], ['p(99.9)<1', 'p', 99.9, '<', 1], ['p(0)<1', 'p', 0, '<', 1],
      ['p(100)<1', 'p', 100, '<', 1], ['avg<=1', 'avg', null, '<=', 1], ['min>=1', 'min', null, '>=', 1], ['max>1', 'max', null, '>', 1],
      ['med==1', 'med', null, '==', 1], ['rate===1', 'rate', null, '==', 1], ['rate!=1', 'rate', null, '!=', 1],
      ['  count  <=20', 'count', null, '<=', 20], ['count<=  20  ', 'count', null, '<=', 20],
    ];
    for (const [expr, kind, percentile, operator, number] of accepted) {
      const t = parseThreshold(`req_duration ${expr}`);
      expect([t.aggregate.kind, t.aggregate.kind === 'p' ? t.aggregate.percentile : null, t.operator, t.number], expr).toEqual([kind, percentile, operator, number]);
    }
    for (const expr of ['count!20', 'foo>20', 'count>abc', 'p()<1', 'p(99<1', 'p(foo)<1', 'p(-1)<1', 'p(101)<1', 'p(NaN)<1', 'p(+Inf)<1', 'count!bar', 'value>1']) {
      expect(() => parseThreshold(`req_duration ${expr}`), expr).toThrow(ThresholdError);
    }
  });

  // The vectors of k6's TestParseMetricName (grafana/k6 metrics/metric_test.go at 87883075): a metric name and its
  // tags as k6 splits them, or refused. A tag is key:value split at the first colon, so "group:::mygroup" is the
  // tag group with the value "::mygroup" (metrics/metric.go AddSubmetric: strings.SplitN(kv, ":", 2)).
  it('splits a metric name and its tags as k6 does (k6\'s own TestParseMetricName vectors)', () => {
    const accepted: [string, string, string[]][] = [
      ['test_metric', 'test_metric', []], ['test_metric{abc:123}', 'test_metric', ['abc:123']],
      ['test_metric{abc:123,easyas:doremi}', 'test_metric', ['abc:123', 'easyas:doremi']],
      ['test_metric{abc:123, easyas:doremi}', 'test_metric', ['abc:123', 'easyas:doremi']],
      ['test_metric{group:::mygroup}', 'test_metric', ['group:::mygroup']],
      ['http_req_duration{name:http://${}.com}', 'http_req_duration', ['name:http://${}.com']],
      ['http_req_duration{name:http://${}.com,url:ssh://github.com:grafana/k6}', 'http_req_duration', ['name:http://${}.com', 'url:ssh://github.com:grafana/k6']],
    ];
    for (const [name, metric, tags] of accepted) {
      const t = parseThreshold(`${name} count>1`);
      expect([t.metric, t.tags.map((x) => `${x.key}:${x.value}`)], name).toEqual([metric, tags]);
    }
    expect(parseThreshold('test_metric{group:::mygroup} count>1').tags.map((x) => [x.key, x.value])).toEqual([['group', '::mygroup']]);
    for (const name of [
      'test_metric{easyas}', 'test_metric{easyas:}', 'test_metric{abc:123,easyas:}', 'test_metric{abc:123,easyas:doremi',
      'test_metric}abc:123,easyas:doremi}', 'test_metricabc:123,easyas:doremi}', 'test_metric}abc{bar', 'test_metric{foo:ba}r',
    ]) {
      expect(() => parseThreshold(`${name} count>1`), name).toThrow(ThresholdError);
    }
  });

  it('parses the k6 grammar with positions', () => {
    const t = parseThreshold('req_duration{journey:checkout,flag:on} p(99.9)<=1.5s');
    expect(t).toMatchObject({ metric: 'req_duration', aggregate: { kind: 'p', percentile: 99.9 }, operator: '<=', number: 1.5, unit: 's' });
    expect(t.tags).toEqual([{ key: 'journey', value: 'checkout', column: 14 }, { key: 'flag', value: 'on', column: 31 }]);
  });

  it('drops quotes around tag names and values, as k6 does (grafana/k6 metrics/metric.go AddSubmetric)', () => {
    const plain = parseThreshold('req_duration{journey:checkout,flag:on} p(95)<1s').tags.map(({ key, value }) => [key, value]);
    for (const quoted of ["req_duration{journey:'checkout',flag:\"on\"} p(95)<1s", "req_duration{'journey':'checkout', \"flag\" : on} p(95)<1s"]) {
      expect(parseThreshold(quoted).tags.map(({ key, value }) => [key, value]), quoted).toEqual(plain);
    }
    expect(() => parseThreshold("req_duration{journey:''} p(95)<1s")).toThrow('tag "journey" has no value');
  });
});
