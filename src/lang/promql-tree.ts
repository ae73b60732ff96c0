/** The tree a PromQL query parses into (promql.ts), and the error a refused query throws. */
import { anchoredRegex, FUNCTIONS, LABEL_NAME_RE, type GoRegex, type PromQLProblem, type ValueType } from './promql-signatures.js';
import { formatDuration } from '../units/parse.js';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Anchored, for =~ and !~. */
  readonly re: GoRegex | null;
}

export interface VectorSelector {
  readonly kind: 'vector';
  readonly name: string | null;
  readonly matchers: readonly Matcher[];
  readonly offsetMs: number;
}

export interface MatrixSelector {
  readonly kind: 'matrix';
  readonly vector: VectorSelector;
  readonly rangeMs: number;
}

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '<' | '>=' | '<=' | 'and' | 'or' | 'unless';

export interface VectorMatching {
  /** many-to-many: the set operators, which take no group modifier. */
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many' | 'many-to-many';
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly include: readonly string[];
  /** Prometheus 3's fill(), fill_left(), fill_right(): the value a missing series of each side takes, null for none. */
  readonly fill?: { readonly lhs: number | null; readonly rhs: number | null };
}

export type Expr =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | VectorSelector
  | MatrixSelector
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[] }
  | {
      readonly kind: 'aggregate'; readonly op: string; readonly param: Expr | null; readonly expr: Expr;
      readonly grouping: readonly string[]; readonly without: boolean;
    }
  | {
      readonly kind: 'binary'; readonly op: BinaryOp; readonly lhs: Expr; readonly rhs: Expr; readonly bool: boolean;
      readonly matching: VectorMatching;
    }
  | { readonly kind: 'negate'; readonly expr: Expr };

/** A query refused: the message names the query and every part refused, each with its column (1-based). */
export class PromQLError extends Error {
  override name = 'PromQLError';
  /** The first problem's column and reason. */
  readonly column: number;
  readonly reason: string;
  constructor(readonly query: string, readonly problems: readonly PromQLProblem[]) {
    super(describeProblems(query, problems));
    this.column = problems[0].column;
    this.reason = problems[0].reason;
  }
}

const SHOWN_PROBLEMS = 5;
const SHOWN_QUERY = 200;

/** Problems in a query, each once, the first few with their columns, then the query (its start, when long). */
export function describeProblems(query: string, problems: readonly PromQLProblem[]): string {
  const each = [...new Set(problems.map((p) => `${p.reason} at column ${p.column}`))];
  const more = each.length > SHOWN_PROBLEMS ? `; and ${each.length - SHOWN_PROBLEMS} more` : '';
  const shown = query.length > SHOWN_QUERY ? `${JSON.stringify(query.slice(0, SHOWN_QUERY))}... (${query.length} characters)` : JSON.stringify(query);
  return `${each.slice(0, SHOWN_PROBLEMS).join('; ')}${more} of ${shown}`;
}

/**
 * How far ahead of its evaluation time a query reads, in milliseconds: the largest negative `offset` of its
 * selectors, as a positive number (0 when none reads ahead). A query evaluated at the present finds nothing there.
 */
export function readsAheadMs(e: Expr): number {
  switch (e.kind) {
    case 'vector':
      return e.offsetMs < 0 ? -e.offsetMs : 0;
    case 'matrix':
      return readsAheadMs(e.vector);
    case 'call':
      return Math.max(0, ...e.args.map(readsAheadMs));
    case 'aggregate':
      return Math.max(e.param ? readsAheadMs(e.param) : 0, readsAheadMs(e.expr));
    case 'binary':
      return Math.max(readsAheadMs(e.lhs), readsAheadMs(e.rhs));
    case 'negate':
      return readsAheadMs(e.expr);
    default:
      return 0;
  }
}

/**
 * The warning for a query that reads ahead of the instant it is evaluated at (null when it does not): Prometheus
 * accepts a negative offset, and every reading of it finds no data. `at` says when the query is evaluated (a
 * plan's gate, an Argo measurement, a Flagger check), `readings` what comes of each reading there.
 */
export function readsAheadWarning(e: Expr, at: string, readings: string): string | null {
  const ahead = readsAheadMs(e);
  if (ahead === 0) return null;
  return `a negative offset reads ${formatDuration(ahead * 1000)} after the instant ${at}, where nothing has been scraped yet: ${readings}; give a positive offset or none`;
}

/**
 * Why Prometheus 2.42 fails label_replace at evaluation (functions.go funcLabelReplace: the expression compiled
 * first, then the destination checked), with its message; null when it does not.
 */
export function labelReplaceFailure(dst: string, regex: string): string | null {
  try {
    anchoredRegex(regex);
  } catch {
    return `invalid regular expression in label_replace(): ${regex}`;
  }
  return LABEL_NAME_RE.test(dst) ? null : `invalid destination label name in label_replace(): ${dst}`;
}

/** Why Prometheus 2.42 fails label_join at evaluation (funcLabelJoin: the destination, then each source), or null. */
export function labelJoinFailure(dst: string, sources: readonly string[]): string | null {
  if (!LABEL_NAME_RE.test(dst)) return `invalid destination label name in label_join(): ${dst}`;
  const bad = sources.find((s) => !LABEL_NAME_RE.test(s));
  return bad === undefined ? null : `invalid source label name in label_join(): ${bad}`;
}

/**
 * Why Prometheus 2.42 fails count_values at evaluation (engine.go aggregation: the parameter is no label name,
 * model.LabelName.IsValid, checked whatever the vector), with its message (Go's %q); null when it does not.
 */
export function countValuesFailure(label: string): string | null {
  return LABEL_NAME_RE.test(label) ? null : `invalid label name ${goQuote(label)}`;
}

/** A string as Go's strconv.Quote writes it (%q): printable runes as they are, others escaped. */
function goQuote(s: string): string {
  const SHORT: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v', '"': '\\"', '\\': '\\\\' };
  let out = '';
  for (const c of s) {
    const n = c.codePointAt(0)!;
    if (SHORT[c] !== undefined) out += SHORT[c];
    else if (c === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(c)) out += c;
    else if (n < 0x80) out += `\\x${n.toString(16).padStart(2, '0')}`;
    else if (n <= 0xffff) out += `\\u${n.toString(16).padStart(4, '0')}`;
    else out += `\\U${n.toString(16).padStart(8, '0')}`;
  }
  return `"${out}"`;
}

/**
 * The warning for a query Prometheus parses and then fails at every evaluation (a label_replace with an expression
 * Go's regexp refuses, a label_join with a label name that is not one), or null: `at` says where it is evaluated,
 * `readings` what comes of each evaluation there.
 */
export function failsEveryEvaluationWarning(e: Expr, readings: string): string | null {
  let failure: string | null = null;
  const visit = (x: Expr): void => {
    if (failure !== null) return;
    if (x.kind === 'call' && (x.fn === 'label_replace' || x.fn === 'label_join')) {
      const strings = x.args.map((a) => (a.kind === 'string' ? a.value : null));
      if (strings.slice(1).every((v) => v !== null)) {
        failure = x.fn === 'label_replace' ? labelReplaceFailure(strings[1]!, strings[4]!) : labelJoinFailure(strings[1]!, strings.slice(3) as string[]);
      }
    }
    if (x.kind === 'aggregate' && x.op === 'count_values' && x.param?.kind === 'string') failure = countValuesFailure(x.param.value);
    for (const child of childrenOf(x)) visit(child);
  };
  visit(e);
  return failure === null ? null : `${failure}: Prometheus parses the query (promtool check rules accepts it) and fails it at every evaluation: ${readings}`;
}

function childrenOf(e: Expr): Expr[] {
  switch (e.kind) {
    case 'call': return [...e.args];
    case 'binary': return [e.lhs, e.rhs];
    case 'negate': return [e.expr];
    case 'aggregate': return [e.expr, ...(e.param ? [e.param] : [])];
    default: return [];
  }
}

/** Whether a label value passes a matcher. */
export function matches(m: Matcher, value: string): boolean {
  switch (m.op) {
    case '=': return value === m.value;
    case '!=': return value !== m.value;
    case '=~': return m.re!.test(value);
    case '!~': return !m.re!.test(value);
  }
}

/** The result type of a parsed query. */
export function resultType(e: Expr): ValueType {
  switch (e.kind) {
    case 'call': return FUNCTIONS[e.fn].returns;
    case 'number': return 'scalar';
    case 'string': return 'string';
    case 'matrix': return 'matrix';
    case 'negate': return resultType(e.expr);
    case 'binary': return resultType(e.lhs) === 'scalar' && resultType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    default: return 'vector';
  }
}
