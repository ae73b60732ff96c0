/**
 * What the PromQL subset knows besides its grammar: the functions and aggregations it evaluates with their
 * argument and result types (as Prometheus 2.42's parser/functions.go declares them), and the lexical pieces
 * (durations, numbers, Go string literals, Go regular expressions) read the way Prometheus reads them.
 */

import { re2Compile, type RE2JS } from './re2.js';
import { quoted } from '../units/escape.js';

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/**
 * Functions: argument types and result type. A trailing '?' marks an optional argument, a trailing '*' an
 * argument that repeats any number of times (label_join's source labels).
 */
export const FUNCTIONS: Readonly<Record<string, { args: readonly string[]; returns: ValueType }>> = {
  rate: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  idelta: { args: ['matrix'], returns: 'vector' },
  changes: { args: ['matrix'], returns: 'vector' },
  resets: { args: ['matrix'], returns: 'vector' },
  avg_over_time: { args: ['matrix'], returns: 'vector' },
  sum_over_time: { args: ['matrix'], returns: 'vector' },
  min_over_time: { args: ['matrix'], returns: 'vector' },
  max_over_time: { args: ['matrix'], returns: 'vector' },
  count_over_time: { args: ['matrix'], returns: 'vector' },
  last_over_time: { args: ['matrix'], returns: 'vector' },
  present_over_time: { args: ['matrix'], returns: 'vector' },
  stddev_over_time: { args: ['matrix'], returns: 'vector' },
  stdvar_over_time: { args: ['matrix'], returns: 'vector' },
  quantile_over_time: { args: ['scalar', 'matrix'], returns: 'vector' },
  deriv: { args: ['matrix'], returns: 'vector' },
  predict_linear: { args: ['matrix', 'scalar'], returns: 'vector' },
  absent_over_time: { args: ['matrix'], returns: 'vector' },
  histogram_quantile: { args: ['scalar', 'vector'], returns: 'vector' },
  scalar: { args: ['vector'], returns: 'scalar' },
  vector: { args: ['scalar'], returns: 'vector' },
  absent: { args: ['vector'], returns: 'vector' },
  clamp: { args: ['vector', 'scalar', 'scalar'], returns: 'vector' },
  clamp_min: { args: ['vector', 'scalar'], returns: 'vector' },
  clamp_max: { args: ['vector', 'scalar'], returns: 'vector' },
  abs: { args: ['vector'], returns: 'vector' },
  ceil: { args: ['vector'], returns: 'vector' },
  floor: { args: ['vector'], returns: 'vector' },
  round: { args: ['vector', 'scalar?'], returns: 'vector' },
  sqrt: { args: ['vector'], returns: 'vector' },
  exp: { args: ['vector'], returns: 'vector' },
  ln: { args: ['vector'], returns: 'vector' },
  log2: { args: ['vector'], returns: 'vector' },
  log10: { args: ['vector'], returns: 'vector' },
  time: { args: [], returns: 'scalar' },
  timestamp: { args: ['vector'], returns: 'vector' },
  sort: { args: ['vector'], returns: 'vector' },
  sort_desc: { args: ['vector'], returns: 'vector' },
  label_replace: { args: ['vector', 'string', 'string', 'string', 'string'], returns: 'vector' },
  label_join: { args: ['vector', 'string', 'string', 'string*'], returns: 'vector' },
};

export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile'] as const;
export const AGGREGATIONS_WITH_PARAM = new Set(['topk', 'bottomk', 'quantile']);

/** Words of the grammar that an opening parenthesis may follow without being a function call. */
export const KEYWORDS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'and', 'or', 'unless', 'bool', 'offset', 'atan2']);

/** Prometheus' label name syntax (model.LabelNameRE). */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

export function parseDurationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m || text === '') return null;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i];
  return ms;
}

/**
 * Whether a duration overflows Go's time.Duration, as prometheus/common model/time.go ParseDuration refuses it
 * ("duration out of range"): a term whose nanoseconds pass 2^63, or a sum past 2^63 - 1 (about 292 years).
 */
export function durationOutOfRange(text: string): boolean {
  const m = DURATION.exec(text);
  if (!m) return false;
  let total = 0n;
  for (let i = 0; i < UNIT_MS.length; i++) {
    if (m[i + 1] === undefined) continue;
    const mult = BigInt(UNIT_MS[i]) * 1_000_000n;
    const v = BigInt(m[i + 1]);
    if (v > (1n << 63n) / mult) return true;
    total += v * mult;
    if (total > (1n << 63n) - 1n) return true;
  }
  return false;
}

/** A number with underscores that lex.go scanNumber (Prometheus 2.54 and later) takes: hex, or decimal. */
const UNDERSCORED = /^0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*$|^(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?$/;

/**
 * A number as Prometheus' parser reads it (promql/parser/parse.go number: strconv.ParseInt(val, 0, 64), then
 * strconv.ParseFloat): a leading 0 makes an integer octal (parse_test.go: `0755` is 493), where it is one, and 0x hex.
 * Underscores between digits (`1_000`, `0x1_f`, `1e1_0`), which lex.go scanNumber takes since Prometheus 2.54
 * (commit 3c9e3ee5, lex_test.go "00_1_23_4.56_7_8") and Go's parsers skip, are dropped; one where lex.go refuses
 * it (doubled, at an end, beside `.`, `e` or `x`'s digits' start but for `0x_1`) makes no number.
 */
export function parseNumber(text: string): number | null {
  if (text.includes('_')) return UNDERSCORED.test(text) ? parseNumber(text.replaceAll('_', '')) : null;
  const t = text.toLowerCase();
  if (/^[+-]?inf$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t, 16);
  // Past int64 ParseInt fails, and ParseFloat reads the digits as decimal.
  if (/^0[0-7]+$/.test(t)) return BigInt(`0o${t.slice(1)}`) < 1n << 63n ? parseInt(t, 8) : Number(t);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  return null;
}

/** A Go string literal: "..." and '...' with escapes, `...` raw. */
export function unquote(text: string): string {
  if (text.startsWith('`')) return text.slice(1, -1);
  const body = text.slice(1, -1);
  return body.replace(/\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|x[0-9a-fA-F]{2}|[0-7]{3}|.)/g, (_, e: string) => {
    switch (e[0]) {
      case 'n': return '\n';
      case 't': return '\t';
      case 'r': return '\r';
      case 'a': return '\x07';
      case 'b': return '\b';
      case 'f': return '\f';
      case 'v': return '\v';
      case 'u': case 'U': case 'x': return String.fromCodePoint(parseInt(e.slice(1), 16));
      default: return /^[0-7]{3}$/.test(e) ? String.fromCharCode(parseInt(e, 8)) : e;
    }
  });
}

/** A match of a Go regular expression: the whole match at 0, each group by number, named groups by name. */
export interface GoMatch {
  readonly length: number;
  readonly [group: number]: string | undefined;
  readonly groups?: Readonly<Record<string, string | undefined>>;
}

/** A compiled Go regular expression, fully anchored. */
export interface GoRegex {
  test(text: string): boolean;
  exec(text: string): GoMatch | null;
}

/**
 * A Go regular expression, fully anchored as Prometheus anchors it, compiled by re2js (RE2's syntax and
 * semantics, as Go's regexp reads them: POSIX classes such as [[:alpha:]], \Q...\E, (?i) and (?s) flags; no
 * backreferences or lookarounds, repeats up to {1000}; linear-time matching). JavaScript's RegExp reads some of
 * these otherwise without a word ([[:alpha:]] is a class of "[:alph" then "]"), refuses others and accepts what
 * Prometheus refuses. `dotAll`: "." matches a newline, as in a label matcher's "^(?s:...)$". Throws an Error with
 * Go's message when Go would not compile it.
 */
export function anchoredRegex(source: string, dotAll = false): GoRegex {
  let re: RE2JS;
  try {
    re = re2Compile(`^(?:${source})$`, dotAll);
  } catch (e) {
    throw new Error((e as Error).message.replace(/^error parsing regexp: /, ''));
  }
  const names = Object.entries(re.namedGroups() as Record<string, number>);
  const count = re.groupCount();
  return {
    test: (text) => re.matches(text),
    exec: (text) => {
      const m = re.matcher(text);
      if (!m.matches()) return null;
      const out: (string | undefined)[] = [];
      for (let i = 0; i <= count; i++) out.push(m.group(i) ?? undefined);
      const groups: Record<string, string | undefined> = Object.create(null);
      for (const [name, i] of names) groups[name] = out[i];
      return Object.assign(out, names.length ? { groups } : {});
    },
  };
}

/** One part of a query that is refused: where it starts (1-based column) and why. */
export interface PromQLProblem {
  readonly column: number;
  readonly reason: string;
  /** Prometheus itself refuses the query for this (a syntax or type error, a name no function has), as opposed
   * to valid PromQL that rehearse does not evaluate ("unsupported ..."). */
  readonly invalid?: boolean;
}

/**
 * Unknown function names: identifiers followed by "(" that are no function, aggregation or keyword, outside
 * string literals and label matchers. The grammar cannot parse past them, so they are found in the text.
 */
export function unknownFunctions(query: string): PromQLProblem[] {
  const out: PromQLProblem[] = [];
  let depth = 0;
  for (let i = 0; i < query.length; i++) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < query.length && query[j] !== c) j += c !== '`' && query[j] === '\\' ? 2 : 1;
      i = j;
    } else if (c === '#') {
      while (i < query.length && query[i] !== '\n') i++;
    } else if (c === '{') depth++;
    else if (c === '}') depth = Math.max(0, depth - 1);
    else if (depth === 0 && /[a-zA-Z_]/.test(c) && (i === 0 || !/[\w:.]/.test(query[i - 1]))) {
      const m = /^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(query.slice(i))![0];
      const after = query.slice(i + m.length).match(/^\s*\(/);
      const known = Object.hasOwn(FUNCTIONS, m) || (AGGREGATIONS as readonly string[]).includes(m.toLowerCase())
        || KEYWORDS.has(m.toLowerCase()) || ['count_values'].includes(m.toLowerCase());
      if (after && !known) out.push({ column: i + 1, reason: `unsupported function ${quoted(m)}` });
      i += m.length - 1;
    }
  }
  return out;
}

