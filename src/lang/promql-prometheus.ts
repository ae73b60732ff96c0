/**
 * What Prometheus 2.42's parser knows beyond the subset rehearse evaluates, so that a query it parses and
 * rehearse does not evaluate is refused as unsupported (saying what is not modelled) only after the checks
 * Prometheus makes at parse time, and a query it refuses is refused as it refuses it:
 * - the functions of prometheus/prometheus promql/parser/functions.go (v2.42.0) that rehearse does not evaluate,
 *   with their argument and result types (checked as parse.go checkAST checks a call);
 * - its aggregations (promql/parser/lex.go at v2.42.0: count_values is one, limitk and limit_ratio are not);
 * - the escapes of its string literals (lex.go lexEscape) and its numbers (parse.go number: strconv.ParseFloat).
 */
import { AGGREGATIONS, FUNCTIONS, type ValueType } from './promql-signatures.js';

type Signature = { readonly args: readonly string[]; readonly returns: ValueType };

/** Functions Prometheus 2.42 parses and rehearse does not evaluate ('?' optional, as FUNCTIONS writes them). */
export const OTHER_FUNCTIONS: Readonly<Record<string, Signature>> = {
  acos: { args: ['vector'], returns: 'vector' },
  acosh: { args: ['vector'], returns: 'vector' },
  asin: { args: ['vector'], returns: 'vector' },
  asinh: { args: ['vector'], returns: 'vector' },
  atan: { args: ['vector'], returns: 'vector' },
  atanh: { args: ['vector'], returns: 'vector' },
  cos: { args: ['vector'], returns: 'vector' },
  cosh: { args: ['vector'], returns: 'vector' },
  days_in_month: { args: ['vector?'], returns: 'vector' },
  day_of_month: { args: ['vector?'], returns: 'vector' },
  day_of_week: { args: ['vector?'], returns: 'vector' },
  day_of_year: { args: ['vector?'], returns: 'vector' },
  deg: { args: ['vector'], returns: 'vector' },
  deriv: { args: ['matrix'], returns: 'vector' },
  histogram_count: { args: ['vector'], returns: 'vector' },
  histogram_sum: { args: ['vector'], returns: 'vector' },
  histogram_fraction: { args: ['scalar', 'scalar', 'vector'], returns: 'vector' },
  holt_winters: { args: ['matrix', 'scalar', 'scalar'], returns: 'vector' },
  hour: { args: ['vector?'], returns: 'vector' },
  minute: { args: ['vector?'], returns: 'vector' },
  month: { args: ['vector?'], returns: 'vector' },
  pi: { args: [], returns: 'scalar' },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector' },
  rad: { args: ['vector'], returns: 'vector' },
  sgn: { args: ['vector'], returns: 'vector' },
  sin: { args: ['vector'], returns: 'vector' },
  sinh: { args: ['vector'], returns: 'vector' },
  tan: { args: ['vector'], returns: 'vector' },
  tanh: { args: ['vector'], returns: 'vector' },
  year: { args: ['vector?'], returns: 'vector' },
};

/** A function's signature in Prometheus 2.42, or null when it has none of that name. */
export function prometheusSignature(name: string): Signature | null {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name] : Object.hasOwn(OTHER_FUNCTIONS, name) ? OTHER_FUNCTIONS[name] : null;
}

/**
 * Functions and aggregations Prometheus 3 parses and 2.42 does not (prometheus/prometheus promql/parser/functions.go
 * and lex.go at v3.14.0, d15adb9a): a query with one is read as Prometheus 3 reads it and not evaluated, so a rule
 * file that holds it loads (the rule warned, an error where a gate needs it), as Prometheus 3 loads it. The
 * experimental ones parse only with --enable-feature=promql-experimental-functions. (`holt_winters`, which 3.0
 * renamed double_exponential_smoothing, is 2.42's: OTHER_FUNCTIONS.)
 */
export const PROMETHEUS_3_FUNCTIONS: Readonly<Record<string, Signature & { readonly experimental: boolean }>> = {
  first_over_time: { args: ['matrix'], returns: 'vector', experimental: false },
  histogram_avg: { args: ['vector'], returns: 'vector', experimental: false },
  histogram_stddev: { args: ['vector'], returns: 'vector', experimental: false },
  histogram_stdvar: { args: ['vector'], returns: 'vector', experimental: false },
  histogram_quantiles: { args: ['vector', 'string', 'scalar', 'scalar*'], returns: 'vector', experimental: true },
  double_exponential_smoothing: { args: ['matrix', 'scalar', 'scalar'], returns: 'vector', experimental: true },
  info: { args: ['vector', 'vector?'], returns: 'vector', experimental: true },
  max_of: { args: ['scalar', 'scalar'], returns: 'scalar', experimental: true },
  min_of: { args: ['scalar', 'scalar'], returns: 'scalar', experimental: true },
  mad_over_time: { args: ['matrix'], returns: 'vector', experimental: true },
  ts_of_first_over_time: { args: ['matrix'], returns: 'vector', experimental: true },
  ts_of_max_over_time: { args: ['matrix'], returns: 'vector', experimental: true },
  ts_of_min_over_time: { args: ['matrix'], returns: 'vector', experimental: true },
  ts_of_last_over_time: { args: ['matrix'], returns: 'vector', experimental: true },
  range: { args: [], returns: 'scalar', experimental: true },
  sort_by_label: { args: ['vector', 'string*'], returns: 'vector', experimental: true },
  sort_by_label_desc: { args: ['vector', 'string*'], returns: 'vector', experimental: true },
  start: { args: [], returns: 'scalar', experimental: true },
  start_timestamp: { args: ['vector'], returns: 'vector', experimental: true },
  step: { args: [], returns: 'scalar', experimental: true },
  end: { args: [], returns: 'scalar', experimental: true },
};

/** Prometheus 3's aggregations 2.42 lacks (lex.go: experimental, each with a parameter, a scalar). */
export const PROMETHEUS_3_AGGREGATIONS = new Set(['limitk', 'limit_ratio']);

/** Why rehearse does not evaluate a function or aggregation of Prometheus 3 (which 2.42 has not), or null. */
export function prometheus3Only(name: string): string | null {
  const f = Object.hasOwn(PROMETHEUS_3_FUNCTIONS, name) ? PROMETHEUS_3_FUNCTIONS[name] : null;
  if (!f && !PROMETHEUS_3_AGGREGATIONS.has(name)) return null;
  const experimental = !f || f.experimental ? ', experimental: it parses with --enable-feature=promql-experimental-functions' : '';
  return `unsupported function "${name}" (Prometheus 3's${experimental}; rehearse evaluates Prometheus 2.42's functions)`;
}

/** Prometheus 2.42's aggregations: rehearse's and count_values. */
export function prometheusAggregation(op: string): boolean {
  return op === 'count_values' || (AGGREGATIONS as readonly string[]).includes(op);
}

/** A lexer item as Prometheus names it in "unexpected ..." (lex.go Item.String: a long value is cut at 10). */
export function itemText(value: string): string {
  const chars = [...value];
  return chars.length > 10 ? `${JSON.stringify(chars.slice(0, 10).join(''))}...` : JSON.stringify(value);
}

const U = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} ${JSON.stringify(c).replace(/^"|"$/g, "'")}`;

/** Why Prometheus' lexer refuses a quoted string literal's escapes (lex.go lexEscape), or null. */
export function stringProblem(literal: string): string | null {
  const quote = literal[0];
  if (quote === '`') return null;
  const body = [...literal.slice(1, -1)];
  for (let i = 0; i < body.length; i++) {
    if (body[i] !== '\\') continue;
    const c = body[++i];
    if (c === undefined) return 'escape sequence not terminated';
    if ('abfnrtv\\'.includes(c) || c === quote) continue;
    const [n, base, max] = /[0-7]/.test(c) ? [3, 8, 255] : c === 'x' ? [2, 16, 255] : c === 'u' ? [4, 16, 0x10ffff] : c === 'U' ? [8, 16, 0x10ffff] : [0, 0, 0];
    if (!n) return `unknown escape sequence ${U(c)}`;
    if (base === 16) i++;
    let x = 0;
    for (let k = 0; k < n; k++, i++) {
      const d = body[i] === undefined ? 16 : parseInt(body[i], 16);
      if (Number.isNaN(d) || d >= base) return body[i] === undefined ? 'escape sequence not terminated' : `illegal character ${U(body[i])} in escape sequence`;
      x = x * base + d;
    }
    i--;
    if (x > max || (x >= 0xd800 && x < 0xe000)) return 'escape sequence is an invalid Unicode code point';
  }
  return null;
}

/** Why Prometheus refuses a number literal (parse.go number: strconv.ParseFloat out of range), or null. */
export function numberProblem(text: string): string | null {
  return /^[0-9.]/.test(text) && !/^0x/i.test(text) && !Number.isFinite(Number(text.replaceAll('_', '')))
    ? `error parsing number: strconv.ParseFloat: parsing ${JSON.stringify(text)}: value out of range`
    : null;
}
