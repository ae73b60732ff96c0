/**
 * `promtool test rules` files both ways: read one (its input series notation, expression tests and alert
 * tests) and run it through rehearse's own evaluator and rule engine; write one from series and results
 * rehearse produced, and run the real promtool on it (the oracle).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { parseDurationMs, parsePromQL } from '../src/lang/promql.js';
import type { Labels, SampleSeries, SeriesSource } from '../src/metrics/series.js';
import { evaluate } from '../src/promql/eval.js';
import { RuleEngine } from '../src/promql/rules.js';
import type { RuleGroup } from '../src/scenario/rules.js';
import { PROMTOOL } from './prometheus.js';

export type Point = number | null | 'stale';

/** Expands promtool's input notation: `1 2 _ stale`, `0+10x5`, `1-1x3`, `7x2`, `_x3`. */
export function expandValues(text: string): Point[] {
  const out: Point[] = [];
  for (const item of String(text).trim().split(/\s+/)) {
    if (item === '') continue;
    if (item === '_') out.push(null);
    else if (item === 'stale') out.push('stale');
    else if (/^_x\d+$/.test(item)) for (let i = 0; i < Number(item.slice(2)); i++) out.push(null);
    else {
      const num = '(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?';
      const m = new RegExp(`^([-+]?${num})(?:([+-])(${num}))?x(\\d+)$`).exec(item);
      if (m) {
        const a = Number(m[1]), b = m[2] ? Number(`${m[2]}${m[3]}`) : 0;
        for (let i = 0; i <= Number(m[4]); i++) out.push(a + i * b);
      } else out.push(Number(item));
    }
  }
  return out;
}

/** Labels from promtool's series notation: `up{job="x"}`, `{job="x"}`, `test`, `{}`. */
export function labelsOf(text: string | undefined): Labels {
  if (!text || text.trim() === '{}') return {};
  const e = parsePromQL(text);
  if (e.kind !== 'vector') throw new Error(`not a series: ${text}`);
  return Object.fromEntries(e.matchers.map((m) => [m.name, m.value]));
}

class Points implements SampleSeries {
  constructor(readonly labels: Labels, private readonly t: number[], private readonly v: number[], private readonly s: boolean[]) {}
  get length() {
    return this.t.length;
  }
  time(i: number) {
    return this.t[i];
  }
  value(i: number) {
    return this.v[i];
  }
  stale(i: number) {
    return this.s[i];
  }
}

export class InputSeries implements SeriesSource {
  readonly list: Points[] = [];
  add(labels: Labels, points: readonly Point[], intervalMs: number): void {
    const t: number[] = [], v: number[] = [], s: boolean[] = [];
    points.forEach((p, i) => {
      if (p === null) return;
      t.push(i * intervalMs);
      v.push(p === 'stale' ? NaN : p);
      s.push(p === 'stale');
    });
    this.list.push(new Points(labels, t, v, s));
  }
  /** A series with its points at the given times (ms). */
  addAt(labels: Labels, times: readonly number[], points: readonly Point[]): void {
    const t: number[] = [], v: number[] = [], s: boolean[] = [];
    points.forEach((p, i) => {
      if (p === null) return;
      t.push(times[i]);
      v.push(p === 'stale' ? NaN : p);
      s.push(p === 'stale');
    });
    this.list.push(new Points(labels, t, v, s));
  }
  series(name?: string) {
    return name === undefined ? this.list : this.list.filter((x) => x.labels.__name__ === name);
  }
}

const key = (l: Labels) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

/** Runs a promtool unit-test file through rehearse; returns the failures (empty when rehearse agrees). */
export function runThroughRehearse(testFile: string): string[] {
  const doc = parse(readFileSync(testFile, 'utf8'));
  const evalMs = parseDurationMs(doc.evaluation_interval ?? '1m')!;
  const groups: RuleGroup[] = (doc.rule_files as string[]).flatMap((f) => {
    const file = join(dirname(testFile), f);
    return readRuleFile(readFileSync(file, 'utf8'), f).groups.map((g) => ({
      name: g.name, file: f, intervalMs: evalMs, limit: g.limit,
      rules: g.rules.map((r) => ({ ...r, expr: r.expr! })),
    }));
  });
  const failures: string[] = [];
  (doc.tests as Record<string, never>[]).forEach((tg, n) => {
    const input = new InputSeries();
    const interval = parseDurationMs(tg.interval ?? '1m')!;
    for (const s of (tg.input_series ?? []) as { series: string; values: string }[]) input.add(labelsOf(s.series), expandValues(s.values), interval);
    const engine = new RuleEngine(groups, input, 0);
    const alertTests = ((tg.alert_rule_test ?? []) as { eval_time: string; alertname: string; exp_alerts?: { exp_labels?: Record<string, string> }[] }[])
      .map((a) => ({ ...a, t: parseDurationMs(String(a.eval_time)) ?? Number(a.eval_time) * 1000 }))
      .sort((a, b) => a.t - b.t);
    for (const a of alertTests) {
      engine.advance(a.t);
      const got = engine.alerts(a.alertname, null).filter((x) => x.state === 'firing').map((x) => key(x.labels)).sort();
      const want = (a.exp_alerts ?? []).map((e) => key({ ...e.exp_labels, alertname: a.alertname })).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`test ${n}: alert ${a.alertname} at ${a.eval_time}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
    const exprTests = ((tg.promql_expr_test ?? []) as { expr: string; eval_time: string; exp_samples?: { labels?: string; value: number }[] }[])
      .map((q) => ({ ...q, t: parseDurationMs(String(q.eval_time)) ?? Number(q.eval_time) * 1000 }));
    engine.advance(Math.max(0, ...exprTests.map((q) => q.t), ...alertTests.map((a) => a.t)));
    for (const q of exprTests) {
      const r = evaluate(q.expr, engine, q.t);
      const got = (r.type === 'scalar' ? [{ labels: {}, value: r.value }] : r.samples).map((s) => `${key(s.labels)}=${s.value}`).sort();
      const want = (q.exp_samples ?? []).map((s) => `${key(labelsOf(s.labels))}=${Number(s.value)}`).sort();
      if (JSON.stringify(got) !== JSON.stringify(want)) failures.push(`test ${n}: ${q.expr} at ${q.eval_time}: ${JSON.stringify(got)} vs ${JSON.stringify(want)}`);
    }
  });
  return failures;
}

export interface GeneratedTest {
  readonly ruleFiles: readonly string[];
  readonly evaluationInterval: string;
  /**
   * The order in which promtool evaluates the groups at each time. Without it promtool takes them in the order
   * of a Go map (random); rehearse evaluates them in file order.
   */
  readonly groupEvalOrder?: readonly string[];
  /** Between input points. */
  readonly interval: string;
  readonly inputSeries: readonly { labels: Labels; values: readonly Point[] }[];
  readonly exprTests: readonly { expr: string; evalTime: string; samples: readonly { labels: Labels; value: number }[] }[];
}

function seriesText(l: Labels): string {
  const { __name__: name, ...rest } = l;
  return `${name ?? ''}{${Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}}`;
}

/** A promtool unit-test file. Values are written in full precision. */
export function promtoolTestText(t: GeneratedTest): string {
  return stringify({
    rule_files: t.ruleFiles,
    evaluation_interval: t.evaluationInterval,
    ...(t.groupEvalOrder ? { group_eval_order: t.groupEvalOrder } : {}),
    tests: [{
      interval: t.interval,
      input_series: t.inputSeries.map((s) => ({ series: seriesText(s.labels), values: s.values.map((v) => (v === null ? '_' : String(v))).join(' ') })),
      promql_expr_test: t.exprTests.map((q) => ({
        expr: q.expr, eval_time: q.evalTime, exp_samples: q.samples.map((s) => ({ labels: seriesText(s.labels), value: s.value })),
      })),
    }],
  }, { lineWidth: 0 });
}

/** Runs the real promtool on a unit-test file; returns its output and whether it passed. */
export function promtool(testFile: string): { ok: boolean; output: string } {
  const r = spawnSync(PROMTOOL, ['test', 'rules', testFile], { encoding: 'utf8', cwd: dirname(testFile), maxBuffer: 64 << 20 });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

/** A rule file recording each query (one group each), as `promtool check rules` reads it. */
export function queriesRuleFile(queries: readonly string[]): string {
  return `groups:\n${queries.map((q, i) => `  - name: g${i}\n    rules:\n      - record: r\n        expr: ${JSON.stringify(q)}\n`).join('')}`;
}

/**
 * What `promtool check rules` says of each query, in one run: null when it parses it, else the position
 * ("line:column" in the query) and message of the first error, as promql/parser reports it.
 */
export function promtoolParses(queries: readonly string[]): (null | [string, string])[] {
  const dir = mkdtempSync(join(tmpdir(), 'promtool-queries-'));
  try {
    writeFileSync(join(dir, 'r.yml'), queriesRuleFile(queries));
    const r = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yml')], { encoding: 'utf8', maxBuffer: 64 << 20 });
    const said = new Map<number, [string, string]>();
    // An empty query is refused before it is parsed ("field 'expr' must be set in rule"), with no position.
    for (const m of `${r.stdout}${r.stderr}`.matchAll(/group "g(\d+)", rule 1, "r": (?:could not parse expression: (\d+:\d+): parse error: )?(.*)/g)) said.set(Number(m[1]), [m[2] ?? '', m[3].trim()]);
    if (r.status !== 0 && !said.size) throw new Error(`promtool check rules: ${r.stdout}${r.stderr}`);
    return queries.map((_, i) => said.get(i) ?? null);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
