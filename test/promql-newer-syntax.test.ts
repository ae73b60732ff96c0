/**
 * What Prometheus 2.54 and 3 read in a query that 2.42 refuses, read as they read it and warned wherever a query is
 * imported: a number of seconds for a range, a step or an offset and a duration for a number (prometheus/prometheus
 * promql/parser/generated_parser.y number_duration_literal, commit cfad8ff3 "Deprecate duration token", first in
 * v2.54.0; parse_test.go at d15adb9a: `foo[4.18]` is 4s180ms, `OFFSET 3600` an hour; promqltest/testdata/functions.test:
 * `predict_linear(x[50m], 1h)` equals `predict_linear(x[50m], 3600)`), Prometheus 3's duration expressions and fill
 * modifiers, and names in quotes. A rule file, an Argo AnalysisTemplate's prometheus query and a Flagger metric's
 * query each say so at the query, in the words of what 2.42's refusal does there.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePromQL, PromQLError, type Expr } from '../src/lang/promql.js';
import { evaluate } from '../src/promql/eval.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { InputSeries, promtoolParses } from './promtool.js';
import { prometheusAvailable } from './prometheus.js';

const said = (q: string) => {
  try {
    parsePromQL(q);
    return null;
  } catch (e) {
    return (e as PromQLError).problems.map((p) => [p.column, p.reason, p.invalid]);
  }
};
const range = (q: string) => ((e: Expr) => (e.kind === 'call' ? e.args[0] : e))(parsePromQL(q));

describe('a number of seconds for a duration, a duration for a number', () => {
  it('reads a range, a step and an offset as parse_test.go expects', () => {
    expect(range('foo[4.18]')).toMatchObject({ kind: 'matrix', rangeMs: 4180 });
    expect(range('foo[4.018]')).toMatchObject({ kind: 'matrix', rangeMs: 4018 });
    expect(range('rate(foo[90])')).toMatchObject({ kind: 'matrix', rangeMs: 90_000 });
    expect(range('test{a="b"}[5m] OFFSET 3600')).toMatchObject({ rangeMs: 300_000, vector: { offsetMs: 3_600_000 } });
    expect(range('foo offset -1^1')).toMatchObject({ kind: 'binary', lhs: { offsetMs: -1000 } });
    expect(range('foo[0x10]')).toMatchObject({ rangeMs: 16_000 });
  });

  it('refuses what Prometheus 3 refuses, at its column', () => {
    expect(said('foo[0]')).toEqual([[5, 'duration must be greater than 0', true]]);
    expect(said('foo[9.5e10]')).toEqual([[5, 'duration out of range', true]]);
    expect(said('foo offset 9.5e10')).toEqual([[12, 'duration out of range', true]]);
    // 2.42's lexer still refuses what is no number nor duration.
    expect(said('foo[]')).toEqual([[5, 'missing unit character in duration', true]]);
  });

  it('evaluates a duration as its seconds where a number stands (functions.test: predict_linear(..., 1h))', () => {
    const series = new InputSeries();
    series.add({ __name__: 'x' }, Array.from({ length: 11 }, (_, i) => i * 6), 60_000);
    const at = (q: string) => evaluate(parsePromQL(q), series, 600_000);
    expect(at('predict_linear(x[5m], 1h)')).toEqual(at('predict_linear(x[5m], 3600)'));
    expect(at('x > bool 1m')).toEqual({ type: 'vector', samples: [{ labels: {}, value: 0 }] });
    expect(at('x > bool 59s')).toEqual({ type: 'vector', samples: [{ labels: {}, value: 1 }] });
  });
});

const RULE_TAIL = 'Prometheus 2.42 refuses the query and the file';

describe('a rule file', () => {
  it('warns at each, with the columns, and loads the rule', () => {
    const { groups, warnings } = readRuleFile('groups:\n- name: g\n  rules:\n  - record: r\n    expr: rate(x[90] offset 30) > 5m\n  - record: f\n    expr: a + on(x) fill_left(0) b\n', 'r.yml');
    expect(groups[0].rules.map((r) => r.error)).toEqual([null, null]);
    expect(warnings).toEqual([
      `r.yml:5:11: groups[0].rules[0].expr: a number of seconds for a duration, or a duration for a number, at column 8, 19, 25: read as Prometheus 2.54 and later read it (\`[90]\` is \`[90s]\`, \`> 5m\` is \`> 300\`); ${RULE_TAIL}`,
      `r.yml:7:11: groups[0].rules[1].expr: a fill modifier at column 11: Prometheus 3's fill(), fill_left() and fill_right() (3.10 and later, experimental: behind --enable-feature=promql-binop-fill-modifiers), evaluated as Prometheus 3 evaluates them; Prometheus 2.42, and 3 without the flag, refuses the query and the file`,
    ]);
  });
});

describe('an imported query with Prometheus 3 syntax', () => {
  const copied = (example: string, file: string, from: string, to: string) => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-newer-'));
    cpSync(join('examples', example), dir, { recursive: true });
    const p = join(dir, file);
    const text = readFileSync(p, 'utf8');
    if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
    writeFileSync(p, text.replace(from, to));
    return dir;
  };
  const warnings = (file: string) => {
    const l = loadScenarioFile(file, 'healthy');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    return [...l.warnings, ...l.scenario.rollouts.flatMap((r) => r.warnings)].filter((w) => w.includes('Prometheus 2.42'));
  };

  it('is warned at an Argo AnalysisTemplate\'s query: a duration expression, an offset in seconds', () => {
    const dir = copied('argo', 'analysis-templates.yaml', '}[5m]', '}[5m+1m] offset 30');
    try {
      expect(warnings(join(dir, 'guestbook.yaml'))).toEqual([
        'analysis-templates.yaml:20:16: spec.metrics[0].provider.prometheus.query: with its args substituted: a duration expression at column 108: Prometheus 3\'s arithmetic in durations (3.4 and later with --enable-feature=promql-duration-expr, by default from 3.14), evaluated as Prometheus 3 evaluates it; Prometheus 2.42 refuses the query, and every measurement is an Error',
        'analysis-templates.yaml:20:16: spec.metrics[0].provider.prometheus.query: with its args substituted: a number of seconds for a duration, or a duration for a number, at column 122: read as Prometheus 2.54 and later read it (`[90]` is `[90s]`, `> 5m` is `> 300`); Prometheus 2.42 refuses the query, and every measurement is an Error',
      ]);
      expect(warnings('examples/argo/guestbook.yaml')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is warned at a Flagger MetricTemplate\'s query as the Canary renders it: an offset computed, a name in quotes', () => {
    const dir = copied('flagger', 'metric-templates.yaml', '}[{{ interval }}]', '}[{{ interval }}] offset (1h-5m)');
    try {
      expect(warnings(join(dir, 'podinfo.yaml'))).toEqual([
        expect.stringMatching(/^metric-templates\.yaml:12:10: spec\.query: as the Canary's metric "404s percentage" \(canary\.yaml:51:7\) renders it: a duration expression at column \d+: Prometheus 3's arithmetic in durations .*; Prometheus 2\.42 refuses the query, and every check fails$/),
      ]);
      expect(warnings('examples/flagger/podinfo.yaml')).toEqual([]);
      const canary = join(dir, 'canary.yaml');
      writeFileSync(join(dir, 'metric-templates.yaml'), readFileSync('examples/flagger/metric-templates.yaml', 'utf8'));
      writeFileSync(canary, readFileSync(canary, 'utf8').replace('    - name: "404s percentage"\n', '    - name: quoted\n      query: sum(rate({"istio_requests_total"}[1m]))\n      thresholdRange: { min: 0 }\n    - name: "404s percentage"\n'));
      expect(warnings(join(dir, 'podinfo.yaml'))).toEqual([
        expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.metrics\[2\]\.query: a name in quotes at column 11: Prometheus 3's syntax for UTF-8 names, read as Prometheus 3 reads it; Prometheus 2\.42 refuses the query, and every check fails \("unexpected string \.\.\. in label matching"\)$/),
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a number with a leading 0', () => {
  // promql/parser/parse.go number: strconv.ParseInt(val, 0, 64) first; parse_test.go (d15adb9a) lines 121 and 135.
  it('is octal where it is an octal integer, as parse_test.go expects of 0755 and -0755', () => {
    expect(parsePromQL('0755')).toEqual({ kind: 'number', value: 493 });
    expect(parsePromQL('-0755')).toEqual({ kind: 'number', value: -493 });
    // Not octal (ParseInt fails): ParseFloat reads the decimal digits.
    expect(parsePromQL('09')).toEqual({ kind: 'number', value: 9 });
    expect(parsePromQL('0755.5')).toEqual({ kind: 'number', value: 755.5 });
    expect(parsePromQL('07777777777777777777777')).toEqual({ kind: 'number', value: 7777777777777777777777 });
  });
});

describe('numbers as Prometheus 2.54 and 3 lex them: underscores, a dot ending a range, a duration for an @ time', () => {
  // prometheus/prometheus promql/parser/lex.go scanNumber (commit 3c9e3ee5, v2.54.0) and lex_test.go at d15adb9a:
  // "00_1_23_4.56_7_8" and "0x1_2_34" are numbers, "1__0"-like doubled, trailing or leading-an-exponent underscores
  // are not; parse.go number reads them with Go's strconv.ParseInt(val, 0, 64) or ParseFloat, which skip them.
  it('reads underscores between digits as lex_test.go and Go read them', () => {
    expect(parsePromQL('1_000')).toEqual({ kind: 'number', value: 1000 });
    expect(parsePromQL('00_1_23_4.56_7_8')).toEqual({ kind: 'number', value: 1234.5678 });
    expect(parsePromQL('0x1_2_34')).toEqual({ kind: 'number', value: 0x1234 });
    expect(parsePromQL('0X_1F')).toEqual({ kind: 'number', value: 31 });
    expect(parsePromQL('1e1_0')).toEqual({ kind: 'number', value: 1e10 });
    expect(parsePromQL('0_755')).toEqual({ kind: 'number', value: 493 });
    expect(range('rate(x[1_0])')).toMatchObject({ rangeMs: 10_000 });
    expect(range('x offset 1_0')).toMatchObject({ offsetMs: 10_000 });
    expect(parsePromQL('topk(1_0, x)')).toMatchObject({ kind: 'aggregate', param: { kind: 'number', value: 10 } });
    // lex_test.go's failures.
    for (const q of ['00_1_23__4.56_7_8', '00_1_23_4._56_7_8', '00_1_23_4_.56_7_8', '0x1_2__34', '1_e2', '1e_1_2_34', '1e1_2__34', '12_']) {
      expect(said(q)?.[0]?.[2], q).toBe(true);
    }
  });

  it('reads a number ending in a dot as seconds in a range and a step (lex.go scanNumber takes `5.`)', () => {
    expect(range('rate(x[5.])')).toMatchObject({ rangeMs: 5000 });
    expect(said('x[5m:5.]')).toEqual([[2, 'unsupported subquery', false]]);
  });

  it('reads a duration as an @ time in seconds (parse_test.go: `some_metric[5m] @ 1m` is at 60000 ms)', () => {
    expect(said('some_metric[5m] @ 1m')).toEqual([[17, 'unsupported @ modifier', false]]);
    expect(said('x @ -1m')).toEqual([[3, 'unsupported @ modifier', false]]);
    expect(said('x @ 1_000')).toEqual([[3, 'unsupported @ modifier', false]]);
  });

  it('warns at each in a rule file, where Prometheus 2.42 refuses them; a rule with an @ is not evaluated, and says so', () => {
    const { groups, warnings } = readRuleFile('groups:\n- name: g\n  rules:\n  - record: r\n    expr: sum(rate(x[5.])) > 1_000\n  - alert: a\n    expr: x[5m] @ 1m\n', 'r.yml');
    expect(groups[0].rules.map((r) => r.error)).toEqual([null, 'unsupported @ modifier at column 7 of "x[5m] @ 1m"']);
    expect(warnings).toEqual([
      `r.yml:5:11: groups[0].rules[0].expr: a number of seconds for a duration, or a duration for a number, at column 12: read as Prometheus 2.54 and later read it (\`[90]\` is \`[90s]\`, \`> 5m\` is \`> 300\`); ${RULE_TAIL}`,
      `r.yml:5:11: groups[0].rules[0].expr: a number with underscores at column 20: read as Prometheus 2.54 and later read it (\`1_000\` is 1000); ${RULE_TAIL}`,
    ]);
  });

  it.skipIf(!prometheusAvailable())('each is refused by promtool check rules (Prometheus 2.42), with the column warned', () => {
    expect(promtoolParses(['x > 1_000', '0x1_f', 'x[5.]', 'x @ 1m', 'rate(x[1_0])'])).toEqual([
      ['1:5', 'bad number or duration syntax: "1"'],
      ['1:1', 'bad number or duration syntax: "0x1"'],
      ['1:3', 'missing unit character in duration'],
      ['1:5', 'unexpected duration "1m" in @, expected timestamp'],
      ['1:8', 'bad duration syntax: "1"'],
    ]);
  });
});
