/**
 * `offset` and `@` as Prometheus 2.42 parses them. prometheus/prometheus promql/parser/generated_parser.y binds
 * these modifiers (and ranges, subqueries) tighter than any operator: `x + y offset 5m` is `x + (y offset 5m)`;
 * promql/parser/parse.go (addOffset, getAtModifierVars, setTimestamp, newMatrixSelector) refuses a modifier on
 * anything but a vector selector, a range selector or a subquery, a modifier set twice, and an @ time out of
 * range; promql/parser/parse_test.go holds the same messages. A query Prometheus refuses is refused by rehearse
 * (invalid: a rule file is refused whole, as promtool refuses it); one it parses and rehearse does not evaluate
 * (`@`, subqueries) is only unsupported. Each expectation is checked against `promtool check rules` when it is
 * installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { InputError } from '../src/errors.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { parsePromQL, PromQLError } from '../src/lang/promql.js';
import { PROMTOOL, prometheusAvailable } from './prometheus.js';
import { promtoolParses } from './promtool.js';

const AT_TARGET = '@ modifier must be preceded by an instant vector selector or range vector selector or a subquery';
const OFFSET_TARGET = 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery';

/** Query, and what Prometheus says: null when it parses the query, else its first error's column and message. */
const VECTORS: [string, null | [number, string]][] = [
  ['sum(x) @ 100', [1, AT_TARGET]],
  ['sum(x) @ start()', [1, AT_TARGET]],
  ['rate(x[5m]) @ 100', [1, AT_TARGET]],
  ['vector(1) @ 100', [1, AT_TARGET]],
  ['1 @ 100', [1, AT_TARGET]],
  ['(x) @ 100', [1, AT_TARGET]],
  ['(x + y) @ 100', [1, AT_TARGET]],
  ['x + sum(y) @ 1', [5, AT_TARGET]],
  ['x @ 100 @ 200', [1, '@ <timestamp> may not be set multiple times']],
  ['x @ start() @ end()', [1, '@ <timestamp> may not be set multiple times']],
  ['x @ 100 offset 1m @ 3', [1, '@ <timestamp> may not be set multiple times']],
  ['x[5m:1m] @ 100 @ 200', [1, '@ <timestamp> may not be set multiple times']],
  ['x @ Inf', [1, 'timestamp out of bounds for @ modifier: +Inf']],
  ['x @ -Inf', [1, 'timestamp out of bounds for @ modifier: -Inf']],
  ['x @ NaN', [1, 'timestamp out of bounds for @ modifier: NaN']],
  ['x @ 9223372036854775807', [1, 'timestamp out of bounds for @ modifier: 9223372036854775808.000000']],
  // `x @ 1m`: 2.42 refuses it ("unexpected duration"), 2.54 and 3 read it as `x @ 60` (promql-newer-syntax.test.ts).
  ['x @ 100 [5m]', [9, 'no @ modifiers allowed before range']],
  ['x offset 1m [5m]', [13, 'no offset modifiers allowed before range']],
  ['sum(x) offset 5m', [1, OFFSET_TARGET]],
  ['sum(x) offset 1m @ 1', [1, OFFSET_TARGET]],
  ['(x) offset 5m', [1, OFFSET_TARGET]],
  ['rate(x[5m]) offset 5m', [1, OFFSET_TARGET]],
  ['abs(x) offset 1m', [1, OFFSET_TARGET]],
  ['x + sum(y) offset 1m', [5, OFFSET_TARGET]],
  ['x offset 5m offset 1m', [1, 'offset may not be set multiple times']],
  ['x[5m:1m] offset 1m offset 2m', [1, 'offset may not be set multiple times']],
  // Parsed by Prometheus: the modifier binds to the selector or subquery just before it.
  ['sum(x @ 100)', null],
  ['rate(x[5m] @ 100)', null],
  ['rate(x[5m] offset 1m @ 100)', null],
  ['x[5m] @ 100', null],
  ['x[5m:1m] @ 100', null],
  ['sum(x)[5m:1m] @ 100', null],
  ['(x)[5m:1m] @ 100', null],
  ['x @ start()', null],
  ['x @ end()', null],
  ['x @ 100 offset 5m', null],
  ['x offset 5m @ 100', null],
  ['x @ -100', null],
  ['x @ +100', null],
  ['x @ 1e3', null],
  ['x @ 0x10', null],
  ['x @ 100.5', null],
  ['-x @ 100', null],
  ['x + y @ 100', null],
  ['x and y @ 1', null],
  ['x * -y @ 1', null],
  ['x @ 1 + 2', null],
  ['x + y offset 5m', null],
  ['-x offset 5m', null],
  ['x[5m:1m] offset 5m', null],
  ['x[5m] offset 5m', null],
  ['x offset -5m', null],
  // A signed number: generated_parser.y (unary_expr) folds the sign into the literal, `nl.Val *= -1`.
  ['-1', null],
  ['+1', null],
  ['x > - 1', null],
  ['x * -2.5 + -0x1f', null],
  ['clamp(x, -1, 1)', null],
  // parse.go parseDuration: "duration must be greater than 0", for a range, an offset and a subquery's range or step.
  ['x[0s]', [3, 'duration must be greater than 0']],
  ['rate(x[0m])', [8, 'duration must be greater than 0']],
  ['x offset 0s', [10, 'duration must be greater than 0']],
  ['x offset -0s', [11, 'duration must be greater than 0']],
  ['x[0s:1m]', [3, 'duration must be greater than 0']],
  ['x[5m:0s]', [6, 'duration must be greater than 0']],
  // prometheus/common model/time.go ParseDuration: nanoseconds past Go's time.Duration are "duration out of range".
  ['x[106751d]', null],
  ['x[106752d]', [3, 'duration out of range']],
  ['rate(x[100000000d])', [8, 'duration out of range']],
  ['x offset 292y', null],
  ['x offset 293y', [10, 'duration out of range']],
  ['x[5m:99999999999999999999s]', [6, 'duration out of range']],
  ['x[292y30w]', [3, 'duration out of range']],
];

function rehearseSays(query: string): null | [number, string] | 'unsupported' {
  try {
    parsePromQL(query);
    return null;
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    const invalid = e.problems.filter((p) => p.invalid);
    return invalid.length ? [invalid[0].column, invalid[0].reason] : 'unsupported';
  }
}

const ruleFile = (query: string) => `groups:\n  - name: g\n    rules:\n      - record: r\n        expr: '${query}'\n`;

describe('offset and @ modifiers, as Prometheus parses them', () => {
  it.each(VECTORS)('%s', (query, prometheus) => {
    const said = rehearseSays(query);
    if (prometheus) expect(said).toEqual(prometheus);
    else expect(said === null || said === 'unsupported').toBe(true);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules agrees on every query, message and column', () => {
    const said = promtoolParses(VECTORS.map(([query]) => query));
    expect(VECTORS.map(([query], i) => [query, said[i] && [Number(said[i]![0].replace(/^1:/, '')), said[i]![1]]])).toEqual(VECTORS);
  });

  it('binds a modifier to the operand just before it, as Prometheus does', () => {
    expect(parsePromQL('x + y offset 5m')).toMatchObject({
      kind: 'binary', op: '+', lhs: { kind: 'vector', name: 'x', offsetMs: 0 }, rhs: { kind: 'vector', name: 'y', offsetMs: 300_000 },
    });
    expect(parsePromQL('-x offset 5m')).toMatchObject({ kind: 'negate', expr: { kind: 'vector', name: 'x', offsetMs: 300_000 } });
    expect(parsePromQL('a * b + rate(c[5m]) / d offset 1m')).toMatchObject({
      kind: 'binary', op: '+', rhs: { kind: 'binary', op: '/', lhs: { kind: 'call', fn: 'rate' }, rhs: { name: 'd', offsetMs: 60_000 } },
    });
    expect(parsePromQL('x > - 1')).toMatchObject({ kind: 'binary', op: '>', rhs: { kind: 'number', value: -1 } });
    expect(parsePromQL('-Inf')).toEqual({ kind: 'number', value: -Infinity });
    // Valid, and still not evaluated by rehearse: refused as unsupported at the @.
    expect(() => parsePromQL('x + y @ 100')).toThrow(/^unsupported @ modifier at column 7 of /);
  });

  it('a gate whose query Prometheus refuses: exit 2, naming the file, the path and the column', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modifiers-'));
    try {
      const file = join(dir, 'gate.yaml');
      writeFileSync(file, [
        'name: x', 'duration: 10m', 'traffic: { rate: 1/s }', 'journeys: { j: { steps: [a.get] } }',
        'services: { a: { endpoints: { get: {} } } }', 'flags: { f: { evaluated-by: [a] } }',
        "rollout: [{ flag: f, stages: [{ to: 100% }], gates: [{ promql: 'sum(rate(http_server_request_duration_seconds_count[5m])) @ 100 > 0' }] }]", '',
      ].join('\n'));
      const err: string[] = [];
      const code = await main(['validate', file], { out: () => {}, err: (s) => err.push(s) });
      expect({ code, err: err.join('\n') }).toEqual({
        code: 2,
        err: `${file}:7:64: rollout[0].gates[0].promql: ${AT_TARGET} at column 1 of "sum(rate(http_server_request_duration_seconds_count[5m])) @ 100 > 0"`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a rule file whose query Prometheus refuses is refused at promtool\'s line and column', () => {
    let lines: readonly string[] = [];
    try {
      readRuleFile(ruleFile('sum(x) @ 100'), 'r.yml');
    } catch (e) {
      if (e instanceof InputError) lines = e.lines;
      else throw e;
    }
    // promtool check rules: `r.yml: 5:15: group "g", rule 1, "r": could not parse expression: 1:1: parse error: @ modifier ...`
    expect(lines).toEqual([`r.yml:5:15: groups[0].rules[0].expr: could not parse expression: ${AT_TARGET} at column 1 of "sum(x) @ 100" (Prometheus refuses the file)`]);
    // One Prometheus parses and rehearse does not evaluate is the rule's concern only.
    expect(readRuleFile(ruleFile('sum(x @ 100)'), 'r.yml').groups[0].rules[0].error).toMatch(/^unsupported @ modifier at column 7 of /);
  });
});

describe('queries larger than the grammar reads whole', () => {
  // @lezer/lr cuts a tree deeper than Rec.CutDepth, or a left-associative chain of more than
  // Rec.MaxLeftAssociativeReductionCount reductions, and reports an error there; Prometheus' parser reads on.
  const LARGE = [
    Array(700).fill('x').join(' + '),
    '('.repeat(3000) + 'x' + ')'.repeat(3000),
    'abs('.repeat(1500) + 'x' + ')'.repeat(1500),
    '-'.repeat(3000) + 'x',
  ];

  it.each(LARGE.map((q) => [q.slice(0, 20), q]))('%s...: unsupported, never a syntax error Prometheus would report', (_, query) => {
    expect(rehearseSays(query)).toBe('unsupported');
    expect(() => parsePromQL(query)).toThrow(/^unsupported query of (brackets nested \d+ deep|\d+ operators and ranges) \(rehearse reads at most \d+\) at column 1 of /);
    // The rule file is not refused as one Prometheus refuses.
    expect(readRuleFile(ruleFile(query), 'r.yml').groups[0].rules[0].error).toMatch(/^unsupported query/);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules parses each of them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'modifiers-'));
    try {
      for (const query of LARGE) {
        writeFileSync(join(dir, 'r.yml'), ruleFile(query));
        expect(spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8' }).status).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a problem repeated down a long chain is said once, and a long query is shown by its start', () => {
    const query = 'x' + ' offset 1m'.repeat(1000);
    let message = '';
    try {
      readRuleFile(ruleFile(query), 'r.yml');
    } catch (e) {
      if (e instanceof InputError) message = e.lines.join('\n');
      else throw e;
    }
    expect(message).toBe(`r.yml:5:15: groups[0].rules[0].expr: could not parse expression: offset may not be set multiple times at column 1 of ${JSON.stringify(query.slice(0, 200))}... (${query.length} characters) (Prometheus refuses the file)`);
  });
});
