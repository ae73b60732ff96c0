/**
 * What Prometheus 3 parses and 2.42 refuses, in queries. prometheus/prometheus at v3.14.0 (d15adb9a):
 * - promql/parser/generated_parser.y and parse_test.go: a name in quotes is a UTF-8 name; alone in braces it is the
 *   metric's name (the matcher __name__="..." wherever it stands), before `=` a label's, in `by (...)`,
 *   `on (...)` and `group_left (...)` a label's;
 * - promql/parser/functions.go and lex.go: the functions and aggregations 3.x added (first_over_time,
 *   histogram_avg... and, behind --enable-feature=promql-experimental-functions, info, limitk, limit_ratio...).
 * rehearse evaluates the quoted names and names the newer functions as not evaluated; a rule file holding either
 * loads, as Prometheus 3 loads it, with a warning where 2.42 would refuse it.
 */
import { describe, expect, it } from 'vitest';
import { parsePromQL, PromQLError } from '../src/lang/promql.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { RuleEngine } from '../src/promql/rules.js';
import { InputSeries } from './promtool.js';

const matchersOf = (query: string) => {
  const e = parsePromQL(query);
  const v = e.kind === 'aggregate' ? e.expr : e;
  if (v.kind !== 'vector') throw new Error(`not a selector: ${query}`);
  return v.matchers.map((m) => [m.name, m.op, m.value]);
};

describe('quoted names, as promql/parser/parse_test.go (d15adb9a) expects them', () => {
  it.each([
    // parse_test.go lines 2012, 2022, 2033, 2092, 2142.
    ['{"foo"}', [['__name__', '=', 'foo']]],
    ["{'foo\\'bar', 'a\\\\dos\\\\path'='boo\\\\urns'}", [['__name__', '=', "foo'bar"], ['a\\dos\\path', '=', 'boo\\urns']]],
    ["{'foo\\'bar', `a\\dos\\path`=\"boo\"}", [['__name__', '=', "foo'bar"], ['a\\dos\\path', '=', 'boo']]],
    ['{a="b", foo!="bar", "foo", test=~"test", bar!~"baz"}', [['a', '=', 'b'], ['foo', '!=', 'bar'], ['__name__', '=', 'foo'], ['test', '=~', 'test'], ['bar', '!~', 'baz']]],
    ['{"bar", __name__="baz"}', [['__name__', '=', 'bar'], ['__name__', '=', 'baz']]],
    ['foo{"a.b"!~"c.*"}', [['__name__', '=', 'foo'], ['a.b', '!~', 'c.*']]],
  ])('%s', (query, want) => {
    expect(matchersOf(query)).toEqual(want);
  });

  it('a quoted label name groups and matches (line 2950: by ("foo bar"))', () => {
    const e = parsePromQL('sum by ("foo bar")({"some.metric"})');
    expect(e.kind === 'aggregate' && e.grouping).toEqual(['foo bar']);
    const b = parsePromQL('x * on("a.b") group_left("c.d") y');
    expect(b.kind === 'binary' && [b.matching.labels, b.matching.include]).toEqual([['a.b'], ['c.d']]);
  });

  it('what Prometheus 3 refuses of them is refused: a name given twice, a bad escape, a matcher without its value', () => {
    const refused = (q: string) => {
      try {
        parsePromQL(q);
        return null;
      } catch (e) {
        return (e as PromQLError).problems.filter((p) => p.invalid).map((p) => [p.column, p.reason]);
      }
    };
    expect(refused('foo{"bar"}')).toEqual([[1, 'metric name must not be set twice: "foo" or "bar"']]);
    expect(refused('{"a\\c"}')).toEqual([[2, "unknown escape sequence U+0063 'c'"]]);
    expect(refused('foo{"a"=}')).toEqual([[9, 'syntax error near "}"']]);
  });
});

describe('functions Prometheus 3 added (promql/parser/functions.go, d15adb9a)', () => {
  const said = (q: string) => {
    try {
      parsePromQL(q);
      return null;
    } catch (e) {
      return (e as PromQLError).problems.map((p) => [p.column, p.reason, p.invalid]);
    }
  };
  it('are named as not evaluated, the experimental ones with the flag that enables them, never as unknown', () => {
    expect(said('first_over_time(x[5m])')).toEqual([[1, 'unsupported function "first_over_time" (Prometheus 3\'s; rehearse evaluates Prometheus 2.42\'s functions)', false]]);
    expect(said('sum(x) + limit_ratio(0.5, y)')).toEqual([[10, 'unsupported function "limit_ratio" (Prometheus 3\'s, experimental: it parses with --enable-feature=promql-experimental-functions; rehearse evaluates Prometheus 2.42\'s functions)', false]]);
    expect(said('info(x, {k8s_cluster_name=~".+"})')?.[0].slice(1)).toEqual(['unsupported function "info" (Prometheus 3\'s, experimental: it parses with --enable-feature=promql-experimental-functions; rehearse evaluates Prometheus 2.42\'s functions)', false]);
  });
  it('are checked as Prometheus checks a call: argument types and counts', () => {
    expect(said('first_over_time(x)')).toEqual([[17, 'first_over_time() expects a range vector, got a vector', true]]);
    expect(said('limitk("a", x)')).toEqual([[8, 'limitk()\'s parameter expects a scalar, got a string', true]]);
    expect(said('double_exponential_smoothing(x[5m], 0.5)')).toEqual([[1, 'double_exponential_smoothing() takes 3 argument(s), got 2', true]]);
    expect(said('frist_over_time(x[5m])')).toEqual([[1, 'unknown function with name "frist_over_time"', true]]);
  });
});

describe('`smoothed` and `anchored` (promql/parser/parse.go setSmoothed, setAnchored, d15adb9a)', () => {
  const said = (q: string) => {
    try {
      parsePromQL(q);
      return null;
    } catch (e) {
      return (e as PromQLError).problems.map((p) => [p.column, p.reason, p.invalid]);
    }
  };
  const flag = (w: string) => `unsupported ${w} modifier (Prometheus 3's, experimental: it parses with --enable-feature=promql-extended-range-selectors)`;
  it('on a selector, with or without an offset, are named at the word as not evaluated', () => {
    expect(said('rate(x[5m] smoothed)')).toEqual([[12, flag('smoothed'), false]]);
    expect(said('x anchored')).toEqual([[3, flag('anchored'), false]]);
    expect(said('x[5m] smoothed offset 1m')).toEqual([[7, flag('smoothed'), false]]);
    // Bound to the operand next to it, as offset is: `a + (b smoothed)`.
    expect(said('a + b smoothed')).toEqual([[7, flag('smoothed'), false]]);
  });
  it('elsewhere, or both at once, are refused in Prometheus\' words', () => {
    expect(said('x[5m:1m] smoothed')).toEqual([[1, 'smoothed modifier is not supported for subqueries', true]]);
    expect(said('sum(x) anchored')).toEqual([[1, 'anchored modifier not implemented', true]]);
    expect(said('x[5m] smoothed anchored')).toEqual([[1, 'anchored and smoothed modifiers cannot be used together', true]]);
  });
});

describe('a rule file written for Prometheus 3', () => {
  const text = `groups:
  - name: g
    rules:
      - record: "job:http.requests:sum"
        expr: sum by ("service.name") ({"http.requests", "http.status"=~"5.."})
      - record: job:first
        expr: first_over_time(up[5m])
      - alert: Errors
        expr: '{"job:http.requests:sum"} > 1'
`;
  it('loads: quoted names read and warned at their column, a newer function only warned for its own rule', () => {
    const r = readRuleFile(text, 'r.yaml');
    expect(r.groups[0].rules.map((x) => [x.name, x.expr === null ? x.error : 'read'])).toEqual([
      ['job:http.requests:sum', 'read'],
      ['job:first', 'unsupported function "first_over_time" (Prometheus 3\'s; rehearse evaluates Prometheus 2.42\'s functions) at column 1 of "first_over_time(up[5m])"'],
      ['Errors', 'read'],
    ]);
    expect(r.warnings.filter((w) => w.includes('.expr:'))).toEqual([
      'r.yaml:5:15: groups[0].rules[0].expr: a name in quotes at column 9, 27, 44: Prometheus 3\'s syntax for UTF-8 names, read as Prometheus 3 reads it; Prometheus 2.42 refuses the query and the file ("unexpected string ... in label matching")',
      'r.yaml:9:15: groups[0].rules[2].expr: a name in quotes at column 2: Prometheus 3\'s syntax for UTF-8 names, read as Prometheus 3 reads it; Prometheus 2.42 refuses the query and the file ("unexpected string ... in label matching")',
    ]);
  });

  it('evaluates the quoted names: the recorded sum by a dotted label, and the alert over the recorded UTF-8 name', () => {
    const r = readRuleFile(text, 'r.yaml');
    const input = new InputSeries();
    input.add({ __name__: 'http.requests', 'service.name': 'cart', 'http.status': '503' }, [2, 2, 2], 60_000);
    input.add({ __name__: 'http.requests', 'service.name': 'cart', 'http.status': '500' }, [1, 1, 1], 60_000);
    input.add({ __name__: 'http.requests', 'service.name': 'cart', 'http.status': '200' }, [9, 9, 9], 60_000);
    input.add({ __name__: 'http.requests', 'service.name': 'ads', 'http.status': '500' }, [1, 1, 1], 60_000);
    const rules = r.groups[0].rules.filter((x) => x.expr !== null);
    const engine = new RuleEngine([{ ...r.groups[0], file: 'r.yaml', intervalMs: 60_000, rules: rules.map((x) => ({ ...x, expr: x.expr! })) }], input, 0);
    engine.advance(60_000);
    const recorded = engine.series('job:http.requests:sum');
    expect(recorded.map((s) => [s.labels['service.name'], s.value(s.length - 1)]).sort()).toEqual([['ads', 1], ['cart', 3]]);
    expect(engine.alerts('Errors', null).map((a) => [a.labels['service.name'], a.state])).toEqual([['cart', 'firing']]);
  });
});
