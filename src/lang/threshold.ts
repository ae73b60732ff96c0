/**
 * Threshold expressions in k6's vocabulary, with the metric and its tags in front:
 *
 *   req_failed{service:payments,flag:on} rate<0.01
 *   req_duration{journey:checkout} p(99)<900ms
 *
 * Grammar:
 *   threshold := metric tags? aggregate operator value
 *   metric    := [a-z_][a-z0-9_]*
 *   tags      := "{" tag ("," tag)* "}"            tag := key ":" text     (text up to "," or "}")
 *   aggregate := "avg" | "min" | "max" | "med" | "count" | "rate" | "p(" number ")"
 *   operator  := "<" | "<=" | ">" | ">=" | "==" | "===" | "!="     ("===" is "==", as in k6)
 *   value     := number unit?                       unit := "us" | "ms" | "s" | "m" | "h" | "%"
 *   number    := Go's decimal float, as k6 reads it: 0.01, .01, 5., 1e3, +5, -1.5e-2
 *
 * parse() checks the syntax and keeps every position; validate() checks a parsed threshold against the metrics
 * a context offers (gates: observed telemetry; acceptance: ground-truth outcomes); verdict() is pure.
 */
import { suggest } from '../errors.js';
import { caretDisplay, quoted } from '../units/escape.js';

export type Aggregate = { kind: 'avg' | 'min' | 'max' | 'med' | 'count' | 'rate' } | { kind: 'p'; percentile: number };
export type Operator = '<' | '<=' | '>' | '>=' | '==' | '!=';
export type Verdict = 'pass' | 'fail' | 'inconclusive' | 'error';

export interface Threshold {
  readonly source: string;
  readonly metric: string;
  readonly tags: readonly { key: string; value: string; column: number }[];
  readonly aggregate: Aggregate;
  readonly operator: Operator;
  /** The number as written, and its unit ('' when none). */
  readonly number: number;
  readonly unit: string;
  readonly columns: { metric: number; aggregate: number; value: number };
}

export class ThresholdError extends Error {
  constructor(message: string, readonly column: number, readonly source: string) {
    super(message);
  }

  pretty(): string {
    return `${this.message} at column ${this.column}\n${caretDisplay(this.source, this.column, '    ')}`;
  }
}

const AGGREGATES = ['avg', 'min', 'max', 'med', 'count', 'rate'];

export function parseThreshold(source: string): Threshold {
  let i = 0;
  const src = source;
  const fail = (message: string, at = i): never => {
    throw new ThresholdError(message, at + 1, src);
  };
  const skip = () => {
    while (i < src.length && src[i] === ' ') i++;
  };
  skip();
  const metricAt = i;
  const m = /^[a-z_][a-z0-9_]*/.exec(src.slice(i));
  if (!m) fail('expected a metric name such as req_failed or req_duration');
  const metric = m![0];
  i += metric.length;
  const tags: { key: string; value: string; column: number }[] = [];
  if (src[i] === '{') {
    // The tags end at the last "}", as k6 reads a threshold's metric (grafana/k6 metrics/metric.go ParseMetricName:
    // strings.LastIndexByte), so a value may hold one ({name:http://${}.com}, k6's name_contains_tokens.js).
    const close = src.lastIndexOf('}');
    i++;
    // Quotes around a tag's name and value are dropped, as k6 drops them (grafana/k6 metrics/metric.go AddSubmetric:
    // strings.Trim of spaces, then of " and '), so {scenario:'checkout'} is {scenario:checkout}.
    const quotes = () => {
      while (i < src.length && (src[i] === '"' || src[i] === "'")) i++;
    };
    for (;;) {
      skip();
      quotes();
      const keyAt = i;
      const k = /^[A-Za-z_][\w.-]*/.exec(src.slice(i));
      if (!k) fail('expected a tag name, as in {service:payments}');
      i += k![0].length;
      quotes();
      skip();
      if (src[i] !== ':') fail(`expected ":" after tag ${quoted(k![0])}`);
      i++;
      skip();
      const valueAt = i;
      while (i < src.length && src[i] !== ',' && i !== close) i++;
      const value = src.slice(valueAt, i).trim().replace(/^["']+|["']+$/g, '');
      if (!value) fail(`tag ${quoted(k![0])} has no value`, valueAt);
      // k6 keeps the last value of a tag named twice (metrics/metric.go AddSubmetric: tags.With in a loop), so
      // {flag:on,flag:off} is flag:off there, and both or none here; either way a threshold that says two things.
      const before = tags.find((t) => t.key === k![0]);
      if (before) fail(`tag ${quoted(k![0])} is given twice (${k![0]}:${before.value} and ${k![0]}:${value}): keep one (k6 would take the last)`, keyAt);
      tags.push({ key: k![0], value, column: keyAt + 1 });
      if (src[i] === ',') { i++; continue; }
      if (i === close) { i++; break; }
      fail('expected "," or "}" to close the tags');
    }
  }
  skip();
  const aggAt = i;
  let aggregate: Aggregate;
  // The percentile as k6 reads it (metrics/thresholds_parser.go parseThresholdAggregationMethod: strconv.ParseFloat
  // of what lies between "p(" and ")"), so p(95.), p(.5) and p(9.5e1) are read and p( 95 ) is refused, as k6 does.
  const p = /^p\(([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\)/.exec(src.slice(i));
  if (/^p\(\s*-/.test(src.slice(i))) fail('a percentile lies from 0 to 100, as in p(95)', aggAt + 2);
  if (!p && /^p\(\s/.test(src.slice(i))) fail('a percentile is written without spaces, as in p(95): k6 refuses p( 95 ) ("malformed percentile value")', aggAt + 2);
  if (!p && /^p\(/.test(src.slice(i))) fail('a percentile is a number from 0 to 100 written in digits, as in p(95) or p(99.9)', aggAt + 2);
  if (p) {
    const percentile = Number(p[1]);
    if (!Number.isFinite(percentile)) fail(outOfRange(p[1]), aggAt + 2);
    if (percentile > 100) fail(`percentile ${percentile} is over 100`, aggAt + 2);
    aggregate = { kind: 'p', percentile };
    i += p[0].length;
  } else {
    const a = /^[a-z]+/.exec(src.slice(i));
    if (!a || !AGGREGATES.includes(a[0])) {
      const hint = a ? suggest(a[0], AGGREGATES) : undefined;
      fail(a ? `unknown aggregation ${quoted(a[0])}${hint && hint !== a[0] ? `; did you mean ${quoted(hint)}?` : ''}: use avg, min, max, med, count, rate or p(N)` : 'expected an aggregation such as rate, avg or p(95)');
    }
    aggregate = { kind: a![0] as 'avg' };
    i += a![0].length;
  }
  skip();
  // k6 reads "===" as "==" (grafana/k6 metrics/thresholds_parser.go operatorTokens), so a pasted threshold may hold it.
  const o = /^(===|<=|>=|==|!=|<|>)/.exec(src.slice(i));
  if (!o) fail(src[i] === '=' ? 'expected an operator; "=" alone is not one, use "=="' : 'expected an operator: <, <=, >, >=, == or !=');
  const operator = (o![0] === '===' ? '==' : o![0]) as Operator;
  i += o![0].length;
  skip();
  const valueAt = i;
  // A number as k6 reads one (metrics/thresholds_parser.go: strconv.ParseFloat), so `rate<.01` and `p(95)<1e3` paste
  // as written; Go's Inf, NaN and hexadecimal forms are no limit a gate can use, and stay refused.
  const v = /^([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(us|ms|s|m|h|%)?/.exec(src.slice(i));
  if (!v) fail('expected a number, such as 0.01, 900ms or 5%');
  if (!Number.isFinite(Number(v![1]))) fail(outOfRange(v![1]));
  i += v![0].length;
  skip();
  if (i < src.length) fail(`unexpected ${quoted(src.slice(i))} after the value`);
  return {
    source,
    metric,
    tags,
    aggregate: aggregate!,
    operator,
    number: Number(v![1]),
    unit: v![2] ?? '',
    columns: { metric: metricAt + 1, aggregate: aggAt + 1, value: valueAt + 1 },
  };
}

/**
 * A number past the largest double: strconv.ParseFloat returns ErrRange, and k6 refuses the threshold ("failed parsing
 * threshold expression's right hand side", grafana/k6 metrics/thresholds_parser.go); Number() made it Infinity, a
 * limit that `p(99)<1e400ms` never crossed and that `rate<1e400` advised writing as "rate<Infinity%".
 */
function outOfRange(text: string): string {
  return `${text} is out of range: past the largest number a threshold holds (about 1.8e308), as k6 refuses it (strconv.ParseFloat: value out of range)`;
}

/** Parses a tag list on its own, "{journey:checkout,segment:beta}" (for gates that take a filter). */
export function parseTagList(source: string): Threshold['tags'] {
  const trimmed = source.trim();
  if (trimmed === '' || trimmed === '{}') return [];
  if (!trimmed.startsWith('{')) throw new ThresholdError('a filter is a tag list in braces, e.g. {journey:checkout}', 1, source);
  return parseThreshold(`x${trimmed} count>0`).tags.map((t) => ({ ...t, column: t.column - 1 }));
}

export type ValueKind = 'duration' | 'ratio' | 'count' | 'number';

/** What a metric allows: its aggregations, the kind of their values, and its tags. */
export interface MetricSpec {
  readonly aggregates: readonly Aggregate['kind'][];
  /** The kind of value each aggregation yields (default: the metric's). */
  readonly valueKind: ValueKind | Partial<Record<Aggregate['kind'], ValueKind>>;
  readonly tags: readonly string[];
  readonly description: string;
  /** The values the metric can take, in its unit (default: 0 to 1 for ratios, 0 and up otherwise). */
  readonly range?: readonly [number, number];
  /** Other names accepted for it (k6's, for thresholds pasted from a k6 script). */
  readonly aliases?: readonly string[];
  /** A duration limit must carry its unit: a bare number is refused (k6's gates read it as milliseconds). */
  readonly unitRequired?: boolean;
}

const DURATION_US: Record<string, number> = { us: 1, ms: 1e3, s: 1e6, m: 60e6, h: 3600e6 };

export function valueKindOf(spec: MetricSpec, agg: Aggregate['kind']): ValueKind {
  return typeof spec.valueKind === 'string' ? spec.valueKind : spec.valueKind[agg] ?? 'number';
}

/**
 * Checks a threshold against the metrics on offer and returns its limit in the metric's unit (microseconds for
 * durations; a fraction for ratios). Throws ThresholdError pointing at the offending column.
 */
export function validateThreshold(t: Threshold, metrics: Readonly<Record<string, MetricSpec>>): number {
  // An own key alone: "__proto__" or "constructor" read Object.prototype's, and its tags were a TypeError with a stack.
  const spec = Object.hasOwn(metrics, t.metric) ? metrics[t.metric] : undefined;
  if (!spec) {
    const names = Object.keys(metrics);
    const close = suggest(t.metric, [...names, ...names.flatMap((n) => metrics[n].aliases ?? [])]);
    throw new ThresholdError(`unknown metric ${quoted(t.metric)}${close ? `; did you mean ${quoted(close)}?` : ` (metrics: ${names.join(', ')})`}`, t.columns.metric, t.source);
  }
  for (const tag of t.tags) {
    if (!spec.tags.includes(tag.key)) {
      const close = suggest(tag.key, spec.tags);
      throw new ThresholdError(`metric ${quoted(t.metric)} has no tag ${quoted(tag.key)}${close ? `; did you mean ${quoted(close)}?` : ''} (tags: ${spec.tags.join(', ')})`, tag.column, t.source);
    }
  }
  if (!spec.aggregates.includes(t.aggregate.kind)) {
    const shown = spec.aggregates.map((a) => (a === 'p' ? 'p(N)' : a)).join(', ');
    throw new ThresholdError(`metric ${quoted(t.metric)} has no aggregation ${quoted(t.aggregate.kind === 'p' ? 'p(N)' : t.aggregate.kind)} (use ${shown})`, t.columns.aggregate, t.source);
  }
  const kind = valueKindOf(spec, t.aggregate.kind);
  const limit = limitOf(t, kind, spec.unitRequired ?? false);
  // 1e306h is a number, and Infinity in microseconds: a limit no value crosses.
  if (!Number.isFinite(limit)) throw new ThresholdError(`${t.source.slice(t.columns.value - 1).trim()} is out of range: in microseconds it is past the largest number a threshold holds`, t.columns.value, t.source);
  const [lo, hi] = t.aggregate.kind === 'count' ? [0, Infinity] : spec.range ?? (kind === 'ratio' ? [0, 1] : [0, Infinity]);
  const agg = t.aggregate.kind === 'p' ? `p(${t.aggregate.percentile})` : t.aggregate.kind;
  // A bare number over 1 was meant as a percentage; one below 0 is no rate at all, and is refused below as a limit
  // no value crosses (the advice to write it as a percentage, "rate<-5%", was no better).
  if (kind === 'ratio' && t.unit === '' && hi === 1 && t.number > 1) {
    const head = `${agg}${t.operator}`;
    throw new ThresholdError(
      `a ${agg} is a fraction from 0 to 1, so ${t.number} can never be crossed as meant: write "${head}${t.number}%" or "${head}${+(t.number / 100).toPrecision(12)}"`,
      t.columns.value, t.source);
  }
  const always = alwaysVerdict(t.operator, limit, lo, hi);
  if (always) {
    const shownRange = hi === Infinity ? `is never below ${lo}` : `lies from ${lo} to ${hi}`;
    throw new ThresholdError(
      `"${agg} ${t.operator} ${t.number}${t.unit}" can never ${always === 'pass' ? 'fail' : 'pass'}: ${t.metric} ${agg} ${shownRange}`,
      t.columns.value, t.source);
  }
  return limit;
}

/** 'pass' or 'fail' when the comparison comes out the same for every value in [lo, hi]; null otherwise. */
export function alwaysVerdict(op: Operator, limit: number, lo: number, hi: number): 'pass' | 'fail' | null {
  switch (op) {
    case '<': return limit > hi ? 'pass' : limit <= lo ? 'fail' : null;
    case '<=': return limit >= hi ? 'pass' : limit < lo ? 'fail' : null;
    case '>': return limit < lo ? 'pass' : limit >= hi ? 'fail' : null;
    case '>=': return limit <= lo ? 'pass' : limit > hi ? 'fail' : null;
    case '==': return limit < lo || limit > hi ? 'fail' : null;
    case '!=': return limit < lo || limit > hi ? 'pass' : null;
  }
}

function limitOf(t: Threshold, kind: ValueKind, unitRequired: boolean): number {
  switch (kind) {
    case 'duration':
      if (t.unit === '%') throw new ThresholdError('a duration cannot be a percentage: write e.g. 900ms', t.columns.value, t.source);
      if (t.unit === '' && unitRequired && t.number !== 0) {
        throw new ThresholdError(`a duration needs a unit: write ${t.number}m, ${t.number}s or ${t.number}ms, not ${t.number}`, t.columns.value, t.source);
      }
      // k6 convention: a bare number is milliseconds.
      return t.number * DURATION_US[t.unit || 'ms'];
    case 'ratio':
      if (t.unit === '%') return t.number / 100;
      if (t.unit) throw new ThresholdError(`a rate is a fraction or a percentage, not ${quoted(t.unit)}: write e.g. 0.01 or 1%`, t.columns.value, t.source);
      return t.number;
    default:
      if (t.unit && !(t.unit in DURATION_US && kind === 'number')) {
        throw new ThresholdError(`${quoted(t.unit)} does not fit ${t.metric} ${t.aggregate.kind}: write a plain number`, t.columns.value, t.source);
      }
      return t.unit ? t.number * DURATION_US[t.unit] : t.number;
  }
}

/** The verdict of an observed value against a limit. `null` means no data. Pure. */
export function verdict(value: number | null, operator: Operator, limit: number): Verdict {
  if (value === null) return 'inconclusive';
  if (!Number.isFinite(value)) return 'error';
  switch (operator) {
    case '<': return value < limit ? 'pass' : 'fail';
    case '<=': return value <= limit ? 'pass' : 'fail';
    case '>': return value > limit ? 'pass' : 'fail';
    case '>=': return value >= limit ? 'pass' : 'fail';
    case '==': return value === limit ? 'pass' : 'fail';
    case '!=': return value !== limit ? 'pass' : 'fail';
  }
}

/** The worst of several verdicts: error > fail > inconclusive > pass. */
export function worst(verdicts: readonly Verdict[]): Verdict {
  const order: Verdict[] = ['error', 'fail', 'inconclusive', 'pass'];
  for (const v of order) if (verdicts.includes(v)) return v;
  return 'pass';
}
