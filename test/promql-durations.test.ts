/**
 * Prometheus 3's duration expressions, evaluated as prometheus/prometheus promql/durations.go calculateDuration
 * evaluates them: the cases of its promql/durations_test.go (TestCalculateDuration, at d15adb9a, v3.14.0) written as
 * the queries that parse into them, and the values of parse_test.go's queries (test/promql-parse-errors.test.ts holds
 * what is refused). fill() after a binary operator (v3.10.0, generated_parser.y) is read, or refused where
 * parse.go checkAST refuses it; a rule file warns at a duration expression, which 2.42 refuses. A
 * scenario's UTF-8 metric and label names are refused with why.
 */
import { describe, expect, it } from 'vitest';
import { parsePromQL, PromQLError, type Expr } from '../src/lang/promql.js';
import { readFileSync } from 'node:fs';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { parseScenarioText } from '../src/load/scenario.js';

/** The range (a selector's, or a function's argument's) and the offset of a query, in ms. */
function durations(query: string): { rangeMs?: number; offsetMs: number } {
  let e: Expr = parsePromQL(query);
  if (e.kind === 'call') e = e.args[0];
  if (e.kind === 'matrix') return { rangeMs: e.rangeMs, offsetMs: e.vector.offsetMs };
  if (e.kind === 'vector') return { offsetMs: e.offsetMs };
  throw new Error(`not a selector: ${query}`);
}

function refusal(query: string): { column: number; reason: string; invalid: boolean }[] {
  try {
    parsePromQL(query);
  } catch (e) {
    if (e instanceof PromQLError) return e.problems.map((p) => ({ column: p.column, reason: p.reason, invalid: p.invalid === true }));
    throw e;
  }
  return [];
}

const FAILS = ' (Prometheus 3 parses it, and fails every evaluation of the query)';

describe('duration expressions (promql/durations_test.go TestCalculateDuration)', () => {
  it.each([
    ['x[5+10]', 15_000], ['x[15-5]', 10_000], ['x[5*3]', 15_000], ['x[15/3]', 5_000], ['x[17%5]', 2_000], ['x[2^3]', 8_000],
    ['x[2*(3+4)-1]', 13_000], ['x[1e9*1]', 1e12], ['rate(x[5m+1m])', 360_000], ['x[10s/3]', 3_333],
  ])('%s reads %i ms', (query, ms) => expect(durations(query).rangeMs).toBe(ms));

  it('an offset may be negative ("unary negative", allowedNegative)', () => {
    expect(durations('x offset -(5)').offsetMs).toBe(-5_000);
    expect(durations('x offset (1h-5m)').offsetMs).toBe(3_300_000);
    expect(durations('rate(x[2*5m] offset -(1m))')).toEqual({ rangeMs: 600_000, offsetMs: -60_000 });
  });

  it('what the engine refuses when it prepares the query is named, not evaluated, at the expression', () => {
    expect(refusal('x[5-10]')).toEqual([{ column: 3, reason: `duration must be greater than 0${FAILS}`, invalid: false }]);
    expect(refusal('x[5/(5-5)]')).toEqual([{ column: 3, reason: `division by zero${FAILS}`, invalid: false }]);
    expect(refusal('x[5%(5-5)]')).toEqual([{ column: 3, reason: `modulo by zero${FAILS}`, invalid: false }]);
    expect(refusal('x offset ((0-1)^0.5)')).toEqual([{ column: 10, reason: `duration is NaN or infinite${FAILS}`, invalid: false }]);
    expect(refusal('x[2^1e10]')).toEqual([{ column: 3, reason: `duration is NaN or infinite${FAILS}`, invalid: false }]);
    expect(refusal('x[1e9*10]')).toEqual([{ column: 3, reason: `duration is out of range${FAILS}`, invalid: false }]);
  });

  it('the values of parse_test.go\'s duration expressions', () => {
    expect(durations('foo offset +(5)').offsetMs).toBe(5_000);
    expect(durations('foo offset (5)').offsetMs).toBe(5_000);
    expect(durations('foo[(5s)]').rangeMs).toBe(5_000);
    expect(durations('foo[11s+10s-5*2^2]').rangeMs).toBe(1_000);
    expect(durations('foo[-(10s-5s)+20s]').rangeMs).toBe(15_000);
    expect(durations('foo[-10s+15s]').rangeMs).toBe(5_000);
    expect(durations('foo offset -(1^2)').offsetMs).toBe(-1_000);
    expect(durations('foo offset (-1^2)').offsetMs).toBe(-1_000);
    expect(durations('x[max_of(5m, 1m)]').rangeMs).toBe(300_000);
    expect(durations('x offset -min_of(5s,1m+8s)').offsetMs).toBe(-5_000);
  });

  it('step() and range() are named at their column: a rule\'s or a gate\'s instant query has neither', () => {
    expect(refusal('x[step()]')).toEqual([{ column: 3, reason: 'unsupported step(): Prometheus 3\'s step() in a duration (3.6 and later), not evaluated: it reads a range query\'s step', invalid: false }]);
    expect(refusal('x offset range()')[0]).toMatchObject({ column: 10, invalid: false });
  });
});

describe('fill(), fill_left() and fill_right() after a binary operator', () => {
  it('are read between two instant vectors, each side\'s value kept on the matching (test/promql-fill.test.ts evaluates them)', () => {
    const matching = (q: string) => ((e) => (e.kind === 'binary' ? e.matching : null))(parsePromQL(q));
    expect(matching('x + fill(0) y')).toMatchObject({ card: 'one-to-one', fill: { lhs: 0, rhs: 0 } });
    expect(matching('x + on(a) fill_left(0) fill_right(1) y')).toMatchObject({ on: true, labels: ['a'], fill: { lhs: 0, rhs: 1 } });
  });
  it('are refused where parse.go checkAST refuses them: a set operator, a scalar', () => {
    expect(refusal('x and fill(0) y')).toEqual([{ column: 1, reason: 'filling in missing series not allowed for set operators', invalid: true }]);
    expect(refusal('1 + fill(0) x')).toEqual([{ column: 1, reason: 'filling in missing series only allowed between instant vectors', invalid: true }]);
  });
});

describe('a rule file', () => {
  it('reads a duration expression as Prometheus 3 does and warns at it: 2.42 refuses the file', () => {
    const { groups, warnings } = readRuleFile('groups:\n- name: g\n  rules:\n  - record: r\n    expr: rate(x[5m+1m] offset (1h-5m))\n', 'r.yml');
    expect(groups[0].rules[0].error).toBeNull();
    expect(warnings).toEqual(['r.yml:5:11: groups[0].rules[0].expr: a duration expression at column 8, 22: Prometheus 3\'s arithmetic in durations (3.4 and later with --enable-feature=promql-duration-expr, by default from 3.14), evaluated as Prometheus 3 evaluates it; Prometheus 2.42 refuses the query and the file']);
  });
});

describe('a scenario\'s metrics.names and metrics.labels in UTF-8', () => {
  const base = readFileSync(new URL('../examples/first-scenario.yaml', import.meta.url), 'utf8');
  const problems = (metrics: string) => {
    const l = parseScenarioText(`${base}\nmetrics:\n${metrics}`, '.');
    return l.ok ? [] : l.problems.map((p) => `${p.path.join('.')}: ${p.message}`);
  };
  it('are refused with why: Prometheus 3 takes them, the text format rehearse writes its series in does not', () => {
    expect(problems('  names: { http_requests_total: "http.requests.total" }\n  labels: { service_name: "service.name" }\n')).toEqual([
      'metrics.names.http_requests_total: "http.requests.total" is not a Prometheus 2 metric name ([a-zA-Z_:][a-zA-Z0-9_:]*): Prometheus 3 takes UTF-8 names, read in PromQL in quotes, but rehearse writes its series in Prometheus 2\'s text format (--openmetrics, a game day\'s /metrics), which cannot carry it; name it with those characters alone, such as "http_requests_total"',
      'metrics.labels.service_name: "service.name" is not a Prometheus 2 label name ([a-zA-Z_][a-zA-Z0-9_]*): Prometheus 3 takes UTF-8 names, read in PromQL in quotes, but rehearse writes its series in Prometheus 2\'s text format (--openmetrics, a game day\'s /metrics), which cannot carry it; name it with those characters alone, such as "service_name"',
    ]);
  });
});
