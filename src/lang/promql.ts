/**
 * PromQL: parsed with @prometheus-io/lezer-promql (the grammar of Prometheus' own UI), then turned into a small
 * tree and validated against the subset rehearse evaluates. Anything outside it is refused here, with the
 * query, the column and the name of what is not supported, never at evaluation.
 *
 * The subset (Prometheus 2.42 semantics): number literals; instant and range vector selectors with =, !=, =~, !~
 * and `offset`; rate, irate, increase, delta, idelta, the *_over_time functions, histogram_quantile, scalar,
 * vector, absent, absent_over_time, clamp, clamp_min, clamp_max, abs, ceil, floor, round, sqrt, exp, ln, log2,
 * log10, time; the aggregations sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile with
 * by/without; unary minus; + - * / % ^ and == != > < >= <= with bool, on/ignoring and group_left/group_right.
 */
import { parser } from '@prometheus-io/lezer-promql';
import type { SyntaxNode } from '@lezer/common';

export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly name: string;
  readonly op: MatchOp;
  readonly value: string;
  /** Anchored, for =~ and !~. */
  readonly re: RegExp | null;
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

export type BinaryOp = '+' | '-' | '*' | '/' | '%' | '^' | '==' | '!=' | '>' | '<' | '>=' | '<=';

export interface VectorMatching {
  readonly card: 'one-to-one' | 'many-to-one' | 'one-to-many';
  readonly on: boolean;
  readonly labels: readonly string[];
  readonly include: readonly string[];
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

export type ValueType = 'scalar' | 'vector' | 'matrix' | 'string';

/** Functions: argument types (a trailing '?' marks an optional one) and result type. */
export const FUNCTIONS: Readonly<Record<string, { args: readonly string[]; returns: ValueType }>> = {
  rate: { args: ['matrix'], returns: 'vector' },
  irate: { args: ['matrix'], returns: 'vector' },
  increase: { args: ['matrix'], returns: 'vector' },
  delta: { args: ['matrix'], returns: 'vector' },
  idelta: { args: ['matrix'], returns: 'vector' },
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
};

export const AGGREGATIONS = ['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar', 'topk', 'bottomk', 'quantile'] as const;
const AGGREGATIONS_WITH_PARAM = new Set(['topk', 'bottomk', 'quantile']);

/** A query refused: the message names the query, the column (1-based) and what is wrong. */
export class PromQLError extends Error {
  override name = 'PromQLError';
  constructor(readonly query: string, readonly column: number, readonly reason: string) {
    super(`${reason} at column ${column} of ${JSON.stringify(query)}`);
  }
}

const DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;
const UNIT_MS = [365 * 86400e3, 7 * 86400e3, 86400e3, 3600e3, 60e3, 1e3, 1];

export function parseDurationMs(text: string): number | null {
  const m = DURATION.exec(text);
  if (!m || text === '') return null;
  let ms = 0;
  for (let i = 0; i < UNIT_MS.length; i++) if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNIT_MS[i];
  return ms;
}

function parseNumber(text: string): number | null {
  const t = text.toLowerCase();
  if (/^[+-]?inf$/.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (t === 'nan') return NaN;
  if (/^0x[0-9a-f]+$/.test(t)) return parseInt(t, 16);
  if (/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/.test(t)) return Number(t);
  return null;
}

/** A Go string literal: "..." and '...' with escapes, `...` raw. */
function unquote(text: string): string {
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

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
};

/** Parses and validates a query; throws PromQLError. */
export function parsePromQL(query: string): Expr {
  const tree = parser.parse(query);
  const fail = (node: { from: number } | number, reason: string): never => {
    throw new PromQLError(query, (typeof node === 'number' ? node : node.from) + 1, reason);
  };
  const text = (n: SyntaxNode) => query.slice(n.from, n.to);
  // Syntax errors first: the first error node, with what precedes it when that names a function.
  tree.iterate({
    enter(n) {
      if (!n.type.isError) return;
      const before = query.slice(0, n.from).match(/([a-zA-Z_][a-zA-Z0-9_]*)\s*$/);
      if (query[n.from] === '(' && before) fail(n.from - before[1].length, `unsupported function "${before[1]}"`);
      fail(n.from, n.from >= query.length ? 'unexpected end of query' : `syntax error near ${JSON.stringify(query.slice(n.from, n.from + 12))}`);
    },
  });
  const children = (n: SyntaxNode): SyntaxNode[] => {
    const out: SyntaxNode[] = [];
    for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') out.push(c);
    return out;
  };

  const duration = (n: SyntaxNode): number => {
    const t = text(n).trim();
    const ms = parseDurationMs(t);
    if (ms === null) fail(n, `expected a duration such as 5m, got ${JSON.stringify(t)}`);
    return ms!;
  };

  const matcher = (n: SyntaxNode): Matcher => {
    const [nameNode, opNode, valueNode] = children(n);
    if (n.name !== 'UnquotedLabelMatcher' || !valueNode) fail(n, 'unsupported label matcher');
    const name = text(nameNode);
    const op = text(opNode) as MatchOp;
    const value = unquote(text(valueNode));
    let re: RegExp | null = null;
    if (op === '=~' || op === '!~') {
      try {
        re = new RegExp(`^(?:${value})$`, 's');
      } catch (e) {
        fail(valueNode, `invalid regular expression: ${(e as Error).message}`);
      }
    }
    return { name, op, value, re };
  };

  const vectorSelector = (n: SyntaxNode): VectorSelector => {
    let name: string | null = null;
    const matchers: Matcher[] = [];
    for (const c of children(n)) {
      if (c.name === 'Identifier') name = text(c);
      else if (c.name === 'LabelMatchers') for (const m of children(c)) matchers.push(matcher(m));
      else fail(c, `unsupported selector part ${JSON.stringify(text(c))}`);
    }
    const all = name !== null ? [{ name: '__name__', op: '=' as const, value: name, re: null }, ...matchers] : matchers;
    if (!all.some((m) => !matches(m, ''))) fail(n, 'a vector selector needs at least one matcher that does not match the empty string');
    return { kind: 'vector', name, matchers: all, offsetMs: 0 };
  };

  const typeOf = (e: Expr): ValueType => {
    switch (e.kind) {
      case 'number': return 'scalar';
      case 'string': return 'string';
      case 'vector': return 'vector';
      case 'matrix': return 'matrix';
      case 'call': return FUNCTIONS[e.fn].returns;
      case 'aggregate': return 'vector';
      case 'negate': return typeOf(e.expr);
      case 'binary': return typeOf(e.lhs) === 'scalar' && typeOf(e.rhs) === 'scalar' ? 'scalar' : 'vector';
    }
  };

  const expect = (n: SyntaxNode, e: Expr, want: string, what: string) => {
    const got = typeOf(e);
    if (got !== want.replace('?', '')) fail(n, `${what} expects ${want.replace('?', '') === 'matrix' ? 'a range vector' : `a ${want.replace('?', '')}`}, got a ${got === 'matrix' ? 'range vector' : got}`);
  };

  const grouping = (n: SyntaxNode) => children(n).map((c) => text(c).replace(/^"|"$/g, ''));

  const expr = (n: SyntaxNode): Expr => {
    switch (n.name) {
      case 'PromQL': {
        const [only] = children(n);
        if (!only) fail(0, 'empty query');
        return expr(only);
      }
      case 'ParenExpr': return expr(children(n)[0]);
      case 'NumberDurationLiteral': {
        const v = parseNumber(text(n));
        if (v === null) fail(n, `expected a number, got ${JSON.stringify(text(n))}`);
        return { kind: 'number', value: v! };
      }
      case 'StringLiteral': return { kind: 'string', value: unquote(text(n)) };
      case 'VectorSelector': return vectorSelector(n);
      case 'MatrixSelector': {
        const [v, d] = children(n);
        const inner = expr(v);
        if (inner.kind !== 'vector' || inner.offsetMs !== 0) fail(v, 'a range needs a plain vector selector before it');
        return { kind: 'matrix', vector: inner as VectorSelector, rangeMs: duration(d) };
      }
      case 'OffsetExpr': {
        const parts = children(n);
        const inner = expr(parts[0]);
        const durNode = parts[parts.length - 1];
        const neg = text(durNode).trim().startsWith('-');
        const ms = duration(neg ? children(durNode)[1] : durNode) * (neg ? -1 : 1);
        if (inner.kind === 'vector') return { ...inner, offsetMs: ms };
        if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, offsetMs: ms } };
        return fail(parts[0], 'offset applies to a selector only');
      }
      case 'UnaryExpr': {
        const [op, operand] = children(n);
        const inner = expr(operand);
        if (typeOf(inner) !== 'scalar' && typeOf(inner) !== 'vector') fail(n, 'unary minus needs a scalar or a vector');
        return text(op) === '-' ? { kind: 'negate', expr: inner } : inner;
      }
      case 'FunctionCall': {
        const [id, body] = children(n);
        const fn = text(id);
        const sig = FUNCTIONS[fn];
        if (!sig) fail(id, `unsupported function "${fn}"`);
        const args = children(body).map(expr);
        const argNodes = children(body);
        const required = sig.args.filter((a) => !a.endsWith('?')).length;
        if (args.length < required || args.length > sig.args.length) {
          fail(id, `${fn}() takes ${required === sig.args.length ? required : `${required} to ${sig.args.length}`} argument(s), got ${args.length}`);
        }
        args.forEach((a, i) => expect(argNodes[i], a, sig.args[i], `${fn}()`));
        return { kind: 'call', fn, args };
      }
      case 'AggregateExpr': {
        let op = '';
        let by: string[] = [];
        let without = false;
        let body: SyntaxNode | null = null;
        for (const c of children(n)) {
          if (c.name === 'AggregateOp') op = text(c);
          else if (c.name === 'AggregateModifier') {
            const [kw, labels] = children(c);
            without = kw.name === 'Without';
            by = labels ? grouping(labels) : [];
          } else if (c.name === 'FunctionCallBody') body = c;
        }
        if (!(AGGREGATIONS as readonly string[]).includes(op)) fail(n, `unsupported aggregation "${op}"`);
        const argNodes = children(body!);
        const args = argNodes.map(expr);
        const wantParam = AGGREGATIONS_WITH_PARAM.has(op);
        if (args.length !== (wantParam ? 2 : 1)) fail(n, `${op}() takes ${wantParam ? 2 : 1} argument(s), got ${args.length}`);
        if (wantParam) expect(argNodes[0], args[0], 'scalar', `${op}()'s parameter`);
        expect(argNodes[args.length - 1], args[args.length - 1], 'vector', `${op}()`);
        return { kind: 'aggregate', op, param: wantParam ? args[0] : null, expr: args[args.length - 1], grouping: by, without };
      }
      case 'BinaryExpr': {
        const parts = children(n);
        const lhsNode = parts[0];
        const rhsNode = parts[parts.length - 1];
        const opNode = parts[1];
        const op = BINARY_OPS[opNode.name];
        if (!op) fail(opNode, `unsupported operator "${text(opNode)}"`);
        let bool = false;
        let matching: VectorMatching = { card: 'one-to-one', on: false, labels: [], include: [] };
        for (const c of parts.slice(2, -1)) {
          if (c.name === 'BoolModifier') bool = true;
          else if (c.name === 'MatchingModifierClause') {
            const mc = children(c);
            let on = false, labels: string[] = [], include: string[] = [];
            let card: VectorMatching['card'] = 'one-to-one';
            for (let i = 0; i < mc.length; i++) {
              const k = mc[i];
              if (k.name === 'On' || k.name === 'Ignoring') {
                on = k.name === 'On';
                if (mc[i + 1]?.name === 'GroupingLabels') labels = grouping(mc[++i]);
              } else if (k.name === 'GroupLeft' || k.name === 'GroupRight') {
                card = k.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
                if (mc[i + 1]?.name === 'GroupingLabels') include = grouping(mc[++i]);
              } else fail(k, `unsupported modifier "${text(k)}"`);
            }
            matching = { card, on, labels, include };
          } else fail(c, `unsupported modifier "${text(c)}"`);
        }
        const lhs = expr(lhsNode);
        const rhs = expr(rhsNode);
        const lt = typeOf(lhs), rt = typeOf(rhs);
        for (const [t, node] of [[lt, lhsNode], [rt, rhsNode]] as const) {
          if (t !== 'scalar' && t !== 'vector') fail(node, `binary ${op} needs scalars or instant vectors, got a ${t === 'matrix' ? 'range vector' : t}`);
        }
        const comparison = ['==', '!=', '>', '<', '>=', '<='].includes(op);
        if (bool && !comparison) fail(n, 'bool applies to comparison operators only');
        if (comparison && !bool && lt === 'scalar' && rt === 'scalar') fail(opNode, 'comparisons between scalars must use the bool modifier');
        if ((lt === 'scalar' || rt === 'scalar') && (matching.on || matching.labels.length > 0 || matching.card !== 'one-to-one')) {
          fail(n, 'vector matching applies only between two instant vectors');
        }
        return { kind: 'binary', op, lhs, rhs, bool, matching };
      }
      case 'SubqueryExpr': return fail(n, 'unsupported subquery');
      case 'StepInvariantExpr': return fail(n, 'unsupported @ modifier');
      default: return fail(n, `unsupported expression ${JSON.stringify(text(n))}`);
    }
  };
  return expr(tree.topNode);
}

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
  if (e.kind === 'call') return FUNCTIONS[e.fn].returns;
  if (e.kind === 'number') return 'scalar';
  if (e.kind === 'binary') return resultType(e.lhs) === 'scalar' && resultType(e.rhs) === 'scalar' ? 'scalar' : 'vector';
  if (e.kind === 'negate') return resultType(e.expr);
  if (e.kind === 'matrix') return 'matrix';
  if (e.kind === 'string') return 'string';
  return 'vector';
}
