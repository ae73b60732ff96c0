import { describe, expect, it } from 'vitest';
import { ArraySeries } from '../src/metrics/series.js';
import { evaluate, EvalError, type QueryResult } from '../src/promql/eval.js';

const samplesOf = (r: QueryResult) => (r.type === 'vector' ? r.samples : []);
import { parsePromQL, PromQLError } from '../src/lang/promql.js';
import { failsEveryEvaluationWarning } from '../src/lang/promql-tree.js';

describe('PromQL validation', () => {
  const refused: [string, number, RegExp][] = [
    ['holt_winters(up[1h], 0.5, 0.5)', 1, /unsupported function "holt_winters"/],
    ['sum(rate(x[1m])) + foo(x)', 20, /unknown function with name "foo"/],
    ['rate(x[5m:1m])', 7, /unsupported subquery/],
    ['x @ 100', 3, /unsupported @ modifier/],
    ['x atan2 y', 3, /unsupported operator "atan2"/],
    ['x and 1', 3, /set operator "and" not allowed in binary scalar expression/],
    ['x or on(a) group_left y', 12, /no grouping allowed for "or" operation/],
    ['label_join(x, "a")', 1, /label_join\(\) takes at least 3 argument\(s\), got 2/],
    ['rate(x)', 6, /rate\(\) expects a range vector, got a vector/],
    ['histogram_quantile(x, y)', 20, /expects a scalar, got a vector/],
    ['1 > 2', 3, /comparisons between scalars must use the bool modifier/],
    ['sum(rate(x[1m]', 15, /unclosed left parenthesis/],
    ['x{a=~"("}', 6, /invalid regular expression/],
    // Go's regexp (RE2) refuses what JavaScript's RegExp would have run: backreferences, lookarounds, repeats over 1000.
    ['x{a=~"(a)\\\\1"}', 6, /invalid regular expression: invalid escape sequence: `\\1`/],
    ['x{a!~"(?=a)a"}', 6, /invalid regular expression: invalid or unsupported Perl syntax: `\(\?=`/],
    ['{a=""}', 1, /at least one matcher that does not match the empty string/],
    ['x[1q]', 3, /bad duration syntax: "1"/],
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

  it('names every unsupported part of a query, each with its column', () => {
    const q = 'holt_winters(x[1h], 0.5, 1) < 0 and holt_winters(y[10m], 0.5, 0.5) > 1 unless (z atan2 z) or rate(w[5m:1m]) > 0';
    let err: PromQLError | undefined;
    try {
      parsePromQL(q);
    } catch (e) {
      err = e as PromQLError;
    }
    expect(err?.problems.map((p) => [p.column, p.reason])).toEqual([
      [1, 'unsupported function "holt_winters"'],
      [37, 'unsupported function "holt_winters"'],
      [82, 'unsupported operator "atan2"'],
      [100, 'unsupported subquery'],
    ]);
    expect(err?.message).toBe(`unsupported function "holt_winters" at column 1; unsupported function "holt_winters" at column 37; unsupported operator "atan2" at column 82; unsupported subquery at column 100 of ${JSON.stringify(q)}`);
    // Names no Prometheus function knows: every one of them is named, in Prometheus' words; what Prometheus
    // would refuse is all that is said (not the @ rehearse does not evaluate).
    expect(() => parsePromQL('foo(x) + sum(bar (y)) and on(a) baz(z{q="f(x)"}) + y @ 10')).toThrow(
      /^unknown function with name "foo" at column 1; unknown function with name "bar" at column 14; unknown function with name "baz" at column 33 of /,
    );
    expect(() => parsePromQL('f(x) + y')).toThrow(/^unknown function with name "f" at column 1 of /);
  });

  it('reads keywords in any case, as Prometheus does', () => {
    const e = parsePromQL('SUM(rate(x[5m])) BY (a) / ON(a) GROUP_LEFT() count(y) BY (a) UNLESS z');
    expect(e).toMatchObject({ kind: 'binary', op: 'unless', lhs: { kind: 'binary', op: '/', lhs: { kind: 'aggregate', op: 'sum', grouping: ['a'] } } });
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

describe('a label_replace, label_join or count_values Prometheus parses and fails at each evaluation', () => {
  // promtool check rules 2.42 accepts all of them (checked by hand: "SUCCESS: 3 rules found" for the first three);
  // functions.go funcLabelReplace and funcLabelJoin, and engine.go aggregation for count_values (a parameter that is
  // no label name, model.LabelName.IsValid, quoted with %q), fail them where they are evaluated, with these messages.
  const failing: [string, string][] = [
    ['label_replace(x, "1a", "$1", "b", "(.*)")', 'invalid destination label name in label_replace(): 1a'],
    ['label_replace(x, "a", "$1", "b", "(")', 'invalid regular expression in label_replace(): ('],
    ['label_replace(x, "1a", "$1", "b", "a{1001}")', 'invalid regular expression in label_replace(): a{1001}'],
    ['sum(label_join(x, "a", ",", "b-c"))', 'invalid source label name in label_join(): b-c'],
    ['count_values("a-b", x)', 'invalid label name "a-b"'],
    ['sum(count_values by (b) ("", x))', 'invalid label name ""'],
    ['count_values("\\t\\"é", x)', 'invalid label name "\\t\\"é"'],
  ];
  const series = new ArraySeries([{ labels: { __name__: 'x', b: 'v' }, times: [0], values: [1] }]);
  it.each(failing)('%s', (query, message) => {
    const expr = parsePromQL(query);
    expect(failsEveryEvaluationWarning(expr, 'R')).toBe(`${message}: Prometheus parses the query (promtool check rules accepts it) and fails it at every evaluation: R`);
    // Whatever the input: no series at all fails too.
    for (const src of [series, new ArraySeries([])]) expect(() => evaluate(query, src, 0)).toThrow(new EvalError(message));
  });
  it('a good one is not warned', () => {
    expect(failsEveryEvaluationWarning(parsePromQL('label_replace(x, "a", "$1", "b", "(.*)")'), 'R')).toBeNull();
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

  it('counts the values of count_values as Prometheus does (engine.go aggregation, strconv.FormatFloat(v, \'f\', -1, 64))', () => {
    const v = new ArraySeries([
      ...[0.1, 1e21, 1.5e-7, -0, 7, 7, NaN, -Infinity, 0.30000000000000004].map((value, i) => ({ labels: { __name__: 'v', i: String(i), g: i % 2 ? 'odd' : 'even' }, times: [0], values: [value] })),
    ]);
    const got = (q: string) => samplesOf(evaluate(q, v, 0)).map((s) => [JSON.stringify(s.labels), s.value]);
    expect(got('count_values("x", v)')).toEqual([
      ['{"x":"0.1"}', 1], ['{"x":"1000000000000000000000"}', 1], ['{"x":"0.00000015"}', 1], ['{"x":"-0"}', 1], ['{"x":"7"}', 2],
      ['{"x":"NaN"}', 1], ['{"x":"-Inf"}', 1], ['{"x":"0.30000000000000004"}', 1],
    ]);
    // by: the value label joins the grouping; without: every label but those (and the name), the value label overwriting.
    expect(got('count_values by (g) ("x", v > 1)')).toEqual([['{"g":"odd","x":"1000000000000000000000"}', 1], ['{"g":"even","x":"7"}', 1], ['{"g":"odd","x":"7"}', 1]]);
    expect(got('count_values without (i) ("g", v > 1)')).toEqual([['{"g":"1000000000000000000000"}', 1], ['{"g":"7"}', 2]]);
    expect(got('count_values without (x) ("x", v > 1)')).toEqual([['{"i":"1","g":"odd"}', 1], ['{"i":"4","g":"even"}', 1], ['{"i":"5","g":"odd"}', 1]]);
  });
});
