import { describe, expect, it } from 'vitest';
import { ArraySeries } from '../src/metrics/series.js';
import { evaluate, EvalError, type QueryResult } from '../src/promql/eval.js';

const samplesOf = (r: QueryResult) => (r.type === 'vector' ? r.samples : []);
import { parsePromQL, PromQLError } from '../src/lang/promql.js';

describe('PromQL validation', () => {
  const refused: [string, number, RegExp][] = [
    ['label_replace(up, "a", "$1", "b", "(.*)")', 1, /unsupported function "label_replace"/],
    ['sum(rate(x[1m])) + foo(x)', 20, /unsupported function "foo"/],
    ['count_values("v", x)', 1, /unsupported aggregation "count_values"/],
    ['rate(x[5m:1m])', 6, /unsupported subquery/],
    ['x @ 100', 1, /unsupported @ modifier/],
    ['x and y', 3, /unsupported operator "and"/],
    ['rate(x)', 6, /rate\(\) expects a range vector, got a vector/],
    ['histogram_quantile(x, y)', 20, /expects a scalar, got a vector/],
    ['1 > 2', 3, /comparisons between scalars must use the bool modifier/],
    ['sum(rate(x[1m]', 15, /unexpected end of query/],
    ['x{a=~"("}', 6, /invalid regular expression/],
    ['{a=""}', 1, /at least one matcher that does not match the empty string/],
    ['x[1q]', 4, /syntax error near "q]"/],
  ];
  it.each(refused)('refuses %s at column %i', (query, column, reason) => {
    let err: unknown;
    try {
      parsePromQL(query);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PromQLError);
    expect((err as PromQLError).column).toBe(column);
    expect((err as PromQLError).message).toMatch(reason);
    expect((err as PromQLError).message).toContain(JSON.stringify(query));
  });

  it('accepts the forms canary analyses use', () => {
    for (const q of [
      'sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))',
      'histogram_quantile(0.99, sum(rate(istio_request_duration_milliseconds_bucket{reporter="destination"}[1m])) by (le))',
      'sum(irate(istio_requests_total{reporter="source",destination_service=~"svc",response_code!~"5.*"}[5m])) / sum(irate(istio_requests_total{reporter="source",destination_service=~"svc"}[5m]))',
      'x offset 5m > bool on(a) group_left(b) y',
      "scalar(sum(x{a='b'}))",
    ]) expect(() => parsePromQL(q)).not.toThrow();
  });
});

describe('PromQL evaluation', () => {
  const T0 = 1_000_000;
  const at = (s: number) => T0 + s * 1000;
  const src = new ArraySeries([
    { labels: { __name__: 'req', code: '200', svc: 'a' }, times: [0, 15, 30, 45, 60].map(at), values: [0, 10, 20, 30, 40] },
    { labels: { __name__: 'req', code: '500', svc: 'a' }, times: [0, 15, 30, 45, 60].map(at), values: [0, 1, 1, 2, 2] },
  ]);

  it('computes a success rate as Prometheus does', () => {
    const r = evaluate('sum(rate(req{code!~"5.."}[1m])) / sum(rate(req[1m]))', src, at(60));
    expect(r.type).toBe('vector');
    expect(samplesOf(r)[0].value).toBeCloseTo(40 / 42, 12);
  });

  it('gives nothing after the 5 minute lookback and NaN for 0/0', () => {
    expect(samplesOf(evaluate('req', src, at(60 + 300))).length).toBe(2);
    expect(samplesOf(evaluate('req', src, at(60 + 301)))).toEqual([]);
    const r = evaluate('sum(rate(req{code="404"}[1m])) / sum(rate(req[1m]))', src, at(60));
    expect(r).toEqual({ type: 'vector', samples: [] });
    expect(evaluate('0/0', src, at(0))).toEqual({ type: 'scalar', value: NaN });
  });

  it('raises an evaluation error for many-to-many matching', () => {
    expect(() => evaluate('req + on(svc) req', src, at(60))).toThrow(EvalError);
  });
});
