/**
 * Prometheus' own PromQL test files (promql/testdata/*.test in Prometheus 2.42; promql/promqltest/testdata later)
 * read and run through rehearse's evaluator, as promql/test.go (2.42) runs them: `load <interval>` blocks whose
 * series start at time 0, `clear`, and `eval[_fail|_ordered] instant at <time> <query>` followed by the expected
 * samples (a label set and one value each, compared within a relative 1e-6, NaN equal to NaN) or a lone number
 * for a scalar. An `eval` with nothing under it expects an empty vector.
 *
 * test.go also runs each query again with an `@` at its time (atModifierTestCases) and in range mode. rehearse
 * evaluates neither an `@` nor a range query, so here only the instant query at the time given is run; the
 * oracle test (promql-promqltest-oracle.test.ts) asks Prometheus those re-runs and holds each to rehearse's
 * instant answer, as test.go holds each to the file's expected values.
 */
import { parseDurationMs, parsePromQL, PromQLError } from '../src/lang/promql.js';
import { readQuery } from '../src/lang/promql-syntax.js';
import type { Labels, PrometheusVersion } from '../src/metrics/series.js';
import { evaluate, EvalError } from '../src/promql/eval.js';
import { InputSeries, labelsOf, type Point } from './promtool.js';

export interface EvalCase {
  readonly file: string;
  readonly line: number;
  readonly query: string;
  readonly atMs: number;
  readonly fail: boolean;
  readonly ordered: boolean;
  /** null: a scalar is expected. */
  readonly samples: readonly { labels: Labels; value: number }[] | null;
  readonly scalar: number | null;
  readonly series: InputSeries;
}

const key = (l: Labels) => JSON.stringify(Object.keys(l).sort().map((k) => [k, l[k]]));

/** strconv.ParseFloat, as series values are read (Inf, +Inf, -Inf, NaN in any case). */
function goFloat(s: string): number {
  if (/^[+-]?inf(inity)?$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(s)) return NaN;
  const v = Number(s);
  if (s === '' || Number.isNaN(v)) throw new Error(`not a number: ${s}`);
  return v;
}

/** generated_parser.y series_values: `1 2 _ stale`, `0+10x5` (6 values), `1-1x3`, `7x2` (3 values), `_x3` (3 blanks). */
export function seriesValues(text: string): Point[] {
  const out: Point[] = [];
  const unsigned = '(?:(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][-+]?\\d+)?|[iI]nf|NaN)';
  for (const item of text.trim().split(/\s+/)) {
    if (item === '') continue;
    if (item === '_') out.push(null);
    else if (item === 'stale') out.push('stale');
    else if (/^_x\d+$/.test(item)) for (let i = 0; i < Number(item.slice(2)); i++) out.push(null);
    else {
      const m = new RegExp(`^([-+]?${unsigned})(?:([+-])(${unsigned}))?x(\\d+)$`).exec(item);
      if (m) {
        let a = goFloat(m[1]);
        const b = m[2] ? goFloat(`${m[2]}${m[3]}`) : 0;
        // The parser adds the increment to the running value (not start + i * increment).
        for (let i = 0; i <= Number(m[4]); i++, a += b) out.push(a);
      } else out.push(goFloat(item));
    }
  }
  return out;
}

/** A series description line: `name{labels} values` or `{labels} values` or `name values`. */
function seriesLine(line: string): { labels: Labels; values: Point[] } {
  const brace = line.indexOf('}');
  const split = brace >= 0 ? brace + 1 : line.search(/\s/);
  return { labels: labelsOf(line.slice(0, split)), values: seriesValues(line.slice(split)) };
}

/** A new store for what follows: the series loaded before, with the block's points added (at their times). */
function loaded(before: InputSeries, block: readonly { labels: Labels; values: Point[] }[], gapMs: number): InputSeries {
  const points = new Map<string, { labels: Labels; at: Map<number, Point> }>();
  const put = (labels: Labels, t: number, p: Point) => {
    const e = points.get(key(labels)) ?? { labels, at: new Map() };
    if (!e.at.has(t)) e.at.set(t, p);
    points.set(key(labels), e);
  };
  for (const s of before.list) for (let i = 0; i < s.length; i++) put(s.labels, s.time(i), s.stale(i) ? 'stale' : s.value(i));
  for (const d of block) d.values.forEach((p, i) => p !== null && put(d.labels, i * gapMs, p));
  const next = new InputSeries();
  for (const { labels, at } of points.values()) {
    const times = [...at.keys()].sort((a, b) => a - b);
    next.addAt(labels, times, times.map((t) => at.get(t)!));
  }
  return next;
}

const EVAL = /^eval(?:_(fail|ordered))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;

/** The eval commands of a test file, each with the series loaded before it. */
export function readTestFile(file: string, text: string): EvalCase[] {
  const lines = text.split('\n').map((l) => (l.trim().startsWith('#') ? '' : l.trim()));
  const cases: EvalCase[] = [];
  let series = new InputSeries();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    const word = l.split(/\s+/)[0].toLowerCase();
    if (word === 'clear') series = new InputSeries();
    else if (word === 'load') {
      const gap = parseDurationMs(l.slice(4).trim());
      if (gap === null) throw new Error(`${file}:${i + 1}: bad load interval`);
      // test.go loadCmd.set: a series given twice in a block keeps its last line; appended to the storage, a
      // block's samples join those loaded before under the same labels.
      const block = new Map<string, { labels: Labels; values: Point[] }>();
      while (lines[i + 1]) {
        const d = seriesLine(lines[++i]);
        block.set(key(d.labels), d);
      }
      series = loaded(series, [...block.values()], gap);
    } else if (word.startsWith('eval')) {
      const m = EVAL.exec(l);
      if (!m) throw new Error(`${file}:${i + 1}: not an instant eval: ${l}`);
      const line = i + 1;
      const samples: { labels: Labels; value: number }[] = [];
      let scalar: number | null = null;
      while (lines[i + 1]) {
        const d = lines[++i];
        if (/^[-+]?(\d|\.\d|inf|nan)/i.test(d) && !/\s/.test(d)) {
          scalar = goFloat(d);
          break;
        }
        const { labels, values } = seriesLine(d);
        samples.push({ labels, value: values[0] as number });
      }
      cases.push({
        file, line, query: m[3], atMs: parseDurationMs(m[2] ?? '0s') ?? 0, fail: m[1] === 'fail', ordered: m[1] === 'ordered',
        samples: scalar === null ? samples : null, scalar, series,
      });
    } else throw new Error(`${file}:${i + 1}: unknown command ${l}`);
  }
  return cases;
}

/** An eval or load of a Prometheus 3 file that the reader leaves out, and why. */
export interface Skipped {
  readonly file: string;
  readonly line: number;
  readonly why: 'range query' | 'native histograms' | 'range vector result' | 'string result' | 'unreadable series';
}

const EVAL_V3 = /^eval(?:_(fail|warn|ordered|info))?\s+instant\s+(?:at\s+(.+?))?\s+(.+)$/;
const EXPECT_V3 = /^expect\s+(ordered|fail|warn|no_warn|info|no_info)(?:\s+(regex|msg):(.+))?$/;

/**
 * The instant evals of a Prometheus 3 test file (prometheus/prometheus promql/promqltest/test.go at v3: patEvalInstant,
 * patExpect, load_with_nhcb), each with the series loaded before it. What rehearse has no model of is left out and
 * counted: range queries, native histograms (series or results written `{{...}}`, and every eval after a load of
 * them until a `clear`), range vector and string results.
 */
export function readTestFileV3(file: string, text: string): { readonly cases: EvalCase[]; readonly skipped: Skipped[] } {
  const lines = text.split('\n').map((l) => (l.trim().startsWith('#') ? '' : l.trim()));
  const cases: EvalCase[] = [];
  const skipped: Skipped[] = [];
  let series = new InputSeries();
  let histograms = false;
  const block = (i: number): number => {
    while (lines[i + 1]) i++;
    return i;
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    if (l === '') continue;
    const word = l.split(/\s+/)[0].toLowerCase();
    if (word === 'clear') {
      series = new InputSeries();
      histograms = false;
    } else if (word === 'load' || word === 'load_with_nhcb') {
      const gap = parseDurationMs(l.split(/\s+/)[1] ?? '');
      if (gap === null) throw new Error(`${file}:${i + 1}: bad load interval`);
      const defs = new Map<string, { labels: Labels; values: Point[] }>();
      while (lines[i + 1]) {
        const d = lines[++i];
        if (d.includes('{{')) histograms = true;
        else {
          try {
            const def = seriesLine(d);
            defs.set(key(def.labels), def);
          } catch {
            skipped.push({ file, line: i + 1, why: 'unreadable series' });
            histograms = true;
          }
        }
      }
      if (word === 'load_with_nhcb') histograms = true;
      series = loaded(series, [...defs.values()], gap);
    } else if (word.startsWith('eval')) {
      const line = i + 1;
      if (/^eval(?:_\w+)?\s+range\b/.test(l)) {
        skipped.push({ file, line, why: 'range query' });
        i = block(i);
        continue;
      }
      const m = EVAL_V3.exec(l);
      if (!m) throw new Error(`${file}:${i + 1}: not an eval: ${l}`);
      let fail = m[1] === 'fail', ordered = m[1] === 'ordered';
      const samples: { labels: Labels; value: number }[] = [];
      let scalar: number | null = null;
      let why: Skipped['why'] | null = histograms ? 'native histograms' : null;
      while (lines[i + 1]) {
        const d = lines[++i];
        const x = EXPECT_V3.exec(d);
        if (x) {
          if (x[1] === 'fail') fail = true;
          if (x[1] === 'ordered') ordered = true;
          continue;
        }
        if (/^expect\s+range\s+vector\b/.test(d)) why ??= 'range vector result';
        else if (/^expect\s+string\b/.test(d) || /^"/.test(d)) why ??= 'string result';
        else if (d.includes('{{')) why ??= 'native histograms';
        else if (/^[-+]?(\d|\.\d|inf|nan)/i.test(d) && !/\s/.test(d)) scalar = goFloat(d);
        else if (why === null) {
          const { labels, values } = seriesLine(d);
          samples.push({ labels, value: values[0] as number });
        }
      }
      if (why) {
        skipped.push({ file, line, why });
        continue;
      }
      cases.push({
        file, line, query: m[3], atMs: parseDurationMs(m[2] ?? '0s') ?? 0, fail, ordered,
        samples: scalar === null ? samples : null, scalar, series,
      });
    } else throw new Error(`${file}:${i + 1}: unknown command ${l}`);
  }
  return { cases, skipped };
}

export type Outcome =
  | { readonly kind: 'agrees' }
  | { readonly kind: 'refused'; readonly reason: string }
  | { readonly kind: 'differs'; readonly detail: string };

/** test.go almostEqual (2.42). */
export function almostEqual(a: number, b: number): boolean {
  if (Number.isNaN(a) && Number.isNaN(b)) return true;
  if (a === b) return true;
  const diff = Math.abs(a - b);
  const minNormal = 2.2250738585072014e-308;
  if (a === 0 || b === 0 || diff < minNormal) return diff < 1e-6 * minNormal;
  return diff / (Math.abs(a) + Math.abs(b)) < 1e-6;
}

/** Runs one eval as test.go does: parse, evaluate at its time, compare. */
export function runCase(c: EvalCase, prometheus: PrometheusVersion = 2): Outcome {
  let expr;
  try {
    expr = parsePromQL(c.query);
  } catch (e) {
    if (!(e instanceof PromQLError)) throw e;
    const invalid = e.problems.filter((p) => p.invalid);
    if (c.fail && invalid.length) return { kind: 'agrees' };
    if (invalid.length) return { kind: 'differs', detail: `refused as invalid: ${invalid[0].reason}` };
    return { kind: 'refused', reason: e.problems.map((p) => p.reason).join('; ') };
  }
  let r;
  try {
    r = evaluate(expr, c.series, c.atMs, prometheus);
  } catch (e) {
    if (!(e instanceof EvalError)) throw e;
    return c.fail ? { kind: 'agrees' } : { kind: 'differs', detail: `error: ${e.message}` };
  }
  if (c.fail) return { kind: 'differs', detail: 'no error where Prometheus fails' };
  if (c.samples === null) {
    if (r.type !== 'scalar') return { kind: 'differs', detail: `a vector where Prometheus gives the scalar ${c.scalar}` };
    return almostEqual(c.scalar!, r.value) ? { kind: 'agrees' } : { kind: 'differs', detail: `scalar ${r.value}, Prometheus ${c.scalar}` };
  }
  if (r.type !== 'vector') return { kind: 'differs', detail: `the scalar ${r.value} where Prometheus gives a vector` };
  const want = new Map(c.samples.map((s, i) => [key(s.labels), { value: s.value, pos: i }]));
  const problems: string[] = [];
  r.samples.forEach((s, i) => {
    const w = want.get(key(s.labels));
    if (!w) problems.push(`unexpected ${key(s.labels)} ${s.value}`);
    else {
      if (!almostEqual(w.value, s.value)) problems.push(`${key(s.labels)}: ${s.value}, Prometheus ${w.value}`);
      if (c.ordered && w.pos !== i) problems.push(`${key(s.labels)} at position ${i + 1}, Prometheus ${w.pos + 1}`);
      want.delete(key(s.labels));
    }
  });
  for (const [k, w] of want) problems.push(`missing ${k} ${w.value}`);
  return problems.length ? { kind: 'differs', detail: problems.join('; ') } : { kind: 'agrees' };
}

/** promql/functions.go AtModifierUnsafeFunctions (2.42): results that vary with the evaluation time under an `@`. */
const AT_UNSAFE = new Set(['days_in_month', 'day_of_month', 'day_of_week', 'day_of_year', 'hour', 'minute', 'month', 'year', 'predict_linear', 'time', 'timestamp']);

/**
 * test.go atModifierTestCases (2.42): the query with `@ <its time>` on every selector that has none (none inside a
 * subquery: rehearse has none), and the times it is run again at; null when it calls a function of AT_UNSAFE.
 * The `@` goes after a selector's range, if it has one (an @ before the range is refused).
 */
export function atModifierTestCases(query: string, tsMs: number): { readonly query: string; readonly timesMs: readonly number[] } | null {
  const { tree, walked } = readQuery(query);
  const at: number[] = [];
  let unsafe = false;
  tree.cursor().iterate((n) => {
    if (n.name === 'FunctionIdentifier' && AT_UNSAFE.has(walked.slice(n.from, n.to))) unsafe = true;
    if (n.name !== 'VectorSelector') return;
    let i = n.to;
    while (/\s/.test(walked[i] ?? '')) i++;
    at.push(walked[i] === '[' ? walked.indexOf(']', i) + 1 : n.to);
    return false;
  });
  if (unsafe) return null;
  let out = query;
  for (const i of at.sort((a, b) => b - a)) out = `${out.slice(0, i)} @ ${(tsMs / 1000).toFixed(3)}${out.slice(i)}`;
  return { query: out, timesMs: tsMs === 0 ? [-1000, 0, 1000] : [-10 * tsMs, 0, Math.trunc(tsMs / 5), tsMs, 10 * tsMs] };
}
