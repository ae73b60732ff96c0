/**
 * PromQL: parsed with @prometheus-io/lezer-promql (the grammar of Prometheus' own UI), then turned into a small
 * tree and validated against the subset rehearse evaluates. Anything outside it is refused here, with the
 * query, and the column and name of every part that is not supported (not only the first), never at evaluation.
 *
 * The subset (Prometheus 2.42 semantics): number and string literals; instant and range vector selectors with
 * =, !=, =~, !~ and `offset` (on a selector only, as Prometheus' parser has it; `@` is refused as unsupported where
 * Prometheus parses it, as invalid where it does not); the functions of promql-signatures.ts (rate, increase, the *_over_time family,
 * histogram_quantile, label_replace, label_join, absent, clamp, timestamp, sort, ...); the aggregations sum,
 * avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile with by/without; unary minus;
 * + - * / % ^ and == != > < >= <= with bool, on/ignoring and group_left/group_right; the set operators and,
 * or, unless with on/ignoring. Keywords are case-insensitive, as in Prometheus.
 */
import { parser } from '@prometheus-io/lezer-promql';
import { MODIFIABLE, modified, type Node, syntaxTree, tooLarge } from './promql-syntax.js';
import {
  AGGREGATIONS, AGGREGATIONS_WITH_PARAM, anchoredRegex, FUNCTIONS, type GoRegex, LABEL_NAME_RE, parseDurationMs, parseNumber, unknownFunctions, unquote,
  type PromQLProblem, type ValueType,
} from './promql-signatures.js';

export { AGGREGATIONS, FUNCTIONS, parseDurationMs, type PromQLProblem, type ValueType };

export { describeProblems, PromQLError } from './promql-tree.js';
export type { BinaryOp, Expr, Matcher, MatchOp, MatrixSelector, VectorMatching, VectorSelector } from './promql-tree.js';
import { PromQLError, type BinaryOp, type Expr, type Matcher, type MatchOp, type MatrixSelector, type VectorMatching, type VectorSelector } from './promql-tree.js';


const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);
const COMPARISONS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Thrown inside the walk to stop at a syntax error (the tree after it cannot be trusted). */
class Stop extends Error {}

/** The first error node of a parse, or -1. */
function firstError(tree: ReturnType<typeof parser.parse>): number {
  let at = -1;
  tree.iterate({
    enter(n) {
      if (n.type.isError && at < 0) at = n.from;
    },
  });
  return at;
}

/** Whether Prometheus has a function of this name: its own UI's grammar knows it, or it is holt_winters
 * (Prometheus 2's name for double_exponential_smoothing). */
function prometheusFunction(name: string): boolean {
  return name === 'holt_winters' || firstError(parser.parse(`${name}(x)`)) < 0;
}

/** Parses and validates a query; throws PromQLError. */
export function parsePromQL(query: string): Expr {
  let tree = parser.parse(query);
  const problems: PromQLProblem[] = [];
  const refuse = (node: { from: number } | number, reason: string, invalid = !reason.startsWith('unsupported ')): null => {
    problems.push({ column: (typeof node === 'number' ? node : node.from) + 1, reason, invalid });
    return null;
  };
  const stop = (node: { from: number } | number, reason: string): never => {
    refuse(node, reason);
    throw new Stop();
  };
  // Names that are no function at all stop the grammar. Each is read as "ln" padded with spaces to its length
  // (columns stay put), so that the rest of the query is still checked; the call is refused by its own name.
  const renamed = new Map<number, string>();
  let walked = query;
  const err = firstError(tree);
  if (err >= 0) {
    const unknown = unknownFunctions(query).map((u) => ({ ...u, invalid: !prometheusFunction(/^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(query.slice(u.column - 1))![0]) }));
    for (const u of unknown) {
      const name = /^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(query.slice(u.column - 1))![0];
      if (name.length < 2) throw new PromQLError(query, unknown);
      renamed.set(u.column - 1, name);
      walked = walked.slice(0, u.column - 1) + 'ln'.padEnd(name.length) + walked.slice(u.column - 1 + name.length);
    }
    if (unknown.length) tree = parser.parse(walked);
    if (!unknown.length || firstError(tree) >= 0) {
      // An error the grammar reports only because it cut a large tree short: not a syntax error in Prometheus.
      const large = tooLarge(query);
      if (large) throw new PromQLError(query, [{ column: 1, reason: `unsupported query of ${large}`, invalid: false }]);
      if (unknown.length) throw new PromQLError(query, unknown);
      throw new PromQLError(query, [{ column: err + 1, reason: err >= query.length ? 'unexpected end of query' : `syntax error near ${JSON.stringify(query.slice(err, err + 12))}`, invalid: true }]);
    }
  }
  const text = (n: Node) => walked.slice(n.from, n.to);
  const children = (n: Node): readonly Node[] => n.kids;

  const duration = (n: Node): number => {
    const t = text(n).trim();
    const ms = parseDurationMs(t);
    if (ms === null) stop(n, `expected a duration such as 5m, got ${JSON.stringify(t)}`);
    // parse.go parseDuration: a range, an offset or a subquery's range or step of 0 is refused.
    if (ms === 0) refuse(n, 'duration must be greater than 0');
    return ms!;
  };

  const matcher = (n: Node): Matcher | null => {
    const [nameNode, opNode, valueNode] = children(n);
    if (n.name !== 'UnquotedLabelMatcher' || !valueNode) return refuse(n, 'unsupported label matcher');
    const name = text(nameNode);
    const op = text(opNode) as MatchOp;
    const value = unquote(text(valueNode));
    let re: GoRegex | null = null;
    if (op === '=~' || op === '!~') {
      try {
        re = anchoredRegex(value, true);
      } catch (e) {
        return refuse(valueNode, `invalid regular expression: ${(e as Error).message}`);
      }
    }
    return { name, op, value, re };
  };

  const vectorSelector = (n: Node): VectorSelector | null => {
    let name: string | null = null;
    const matchers: Matcher[] = [];
    let ok = true;
    for (const c of children(n)) {
      if (c.name === 'Identifier') name = text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of children(c)) {
          const parsed = matcher(m);
          if (parsed) matchers.push(parsed);
          else ok = false;
        }
      } else ok = refuse(c, `unsupported selector part ${JSON.stringify(text(c))}`) ?? false;
    }
    if (!ok) return null;
    const all = name !== null ? [{ name: '__name__', op: '=' as const, value: name, re: null }, ...matchers] : matchers;
    if (!all.some((m) => !matches(m, ''))) return refuse(n, 'a vector selector needs at least one matcher that does not match the empty string');
    return { kind: 'vector', name, matchers: all, offsetMs: 0 };
  };

  const shown = (t: string) => (t === 'matrix' ? 'range vector' : t);
  /** Checks a parsed argument's type; null (already refused) passes. */
  const expect = (n: Node, e: Expr | null, want: string, what: string): boolean => {
    if (e === null) return false;
    const got = resultType(e);
    const w = want.replace(/[?*]$/, '');
    if (got === w) return true;
    refuse(n, `${what} expects ${w === 'matrix' ? 'a range vector' : `a ${w}`}, got a ${shown(got)}`);
    return false;
  };

  const grouping = (n: Node) => children(n).map((c) => text(c).replace(/^"|"$/g, ''));

  const call = (n: Node): Expr | null => {
    const [id, body] = children(n);
    const fn = renamed.get(id.from) ?? text(id).trim();
    const argNodes = children(body);
    const args = argNodes.map(expr);
    const sig = Object.hasOwn(FUNCTIONS, fn) ? FUNCTIONS[fn] : null;
    if (!sig) return refuse(id, `unsupported function "${fn}"`, renamed.has(id.from) && !prometheusFunction(fn));
    const variadic = sig.args.length > 0 && sig.args[sig.args.length - 1].endsWith('*');
    const required = sig.args.filter((a) => !a.endsWith('?') && !a.endsWith('*')).length;
    if (args.length < required || (!variadic && args.length > sig.args.length)) {
      const range = variadic ? `at least ${required}` : required === sig.args.length ? String(required) : `${required} to ${sig.args.length}`;
      return refuse(id, `${fn}() takes ${range} argument(s), got ${args.length}`);
    }
    let ok = true;
    args.forEach((a, i) => {
      if (!expect(argNodes[i], a, sig.args[Math.min(i, sig.args.length - 1)], `${fn}()`)) ok = false;
    });
    if (!ok) return null;
    const strings = args.map((a) => (a!.kind === 'string' ? a!.value : null));
    if (fn === 'label_replace') {
      if (!LABEL_NAME_RE.test(strings[1]!)) return refuse(argNodes[1], `invalid destination label name in label_replace(): ${strings[1]}`);
      try {
        anchoredRegex(strings[4]!);
      } catch (e) {
        return refuse(argNodes[4], `invalid regular expression in label_replace(): ${(e as Error).message}`);
      }
    }
    if (fn === 'label_join') {
      for (let i = 1; i < args.length; i++) {
        if (i !== 2 && !LABEL_NAME_RE.test(strings[i]!)) return refuse(argNodes[i], `invalid ${i === 1 ? 'destination' : 'source'} label name in label_join(): ${strings[i]}`);
      }
    }
    return { kind: 'call', fn, args: args as Expr[] };
  };

  const aggregate = (n: Node): Expr | null => {
    let op = '';
    let by: string[] = [];
    let without = false;
    let body: Node | null = null;
    let opNode: Node = n;
    for (const c of children(n)) {
      if (c.name === 'AggregateOp') {
        op = text(c).toLowerCase();
        opNode = c;
      } else if (c.name === 'AggregateModifier') {
        const [kw, labels] = children(c);
        without = kw.name === 'Without';
        by = labels ? grouping(labels) : [];
      } else if (c.name === 'FunctionCallBody') body = c;
    }
    const argNodes = children(body!);
    const args = argNodes.map(expr);
    if (!(AGGREGATIONS as readonly string[]).includes(op)) return refuse(opNode, `unsupported aggregation "${op}"`);
    const wantParam = AGGREGATIONS_WITH_PARAM.has(op);
    if (args.length !== (wantParam ? 2 : 1)) return refuse(n, `${op}() takes ${wantParam ? 2 : 1} argument(s), got ${args.length}`);
    const paramOk = !wantParam || expect(argNodes[0], args[0], 'scalar', `${op}()'s parameter`);
    const bodyOk = expect(argNodes[args.length - 1], args[args.length - 1], 'vector', `${op}()`);
    if (!paramOk || !bodyOk) return null;
    return { kind: 'aggregate', op, param: wantParam ? args[0] : null, expr: args[args.length - 1]!, grouping: by, without };
  };

  const binary = (n: Node): Expr | null => {
    const parts = children(n);
    const lhsNode = parts[0];
    const rhsNode = parts[parts.length - 1];
    const opNode = parts[1];
    const lhs = expr(lhsNode);
    const rhs = expr(rhsNode);
    const op = BINARY_OPS[opNode.name];
    if (!op) return refuse(opNode, `unsupported operator "${text(opNode)}"`);
    const set = SET_OPS.has(op);
    let bool = false;
    let matching: VectorMatching = { card: set ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
    let explicit = false;
    for (const c of parts.slice(2, -1)) {
      if (c.name === 'BoolModifier') bool = true;
      else if (c.name === 'MatchingModifierClause') {
        const mc = children(c);
        let on = false, labels: string[] = [], include: string[] = [];
        let card: VectorMatching['card'] = matching.card;
        for (let i = 0; i < mc.length; i++) {
          const k = mc[i];
          if (k.name === 'On' || k.name === 'Ignoring') {
            on = k.name === 'On';
            explicit = true;
            if (mc[i + 1]?.name === 'GroupingLabels') labels = grouping(mc[++i]);
          } else if (k.name === 'GroupLeft' || k.name === 'GroupRight') {
            if (set) return refuse(k, `no grouping allowed for "${op}" operation`);
            card = k.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
            if (mc[i + 1]?.name === 'GroupingLabels') include = grouping(mc[++i]);
          } else return refuse(k, `unsupported modifier "${text(k)}"`);
        }
        matching = { card, on, labels, include };
      } else return refuse(c, `unsupported modifier "${text(c)}"`);
    }
    if (lhs === null || rhs === null) return null;
    const lt = resultType(lhs), rt = resultType(rhs);
    let ok = true;
    for (const [t, node] of [[lt, lhsNode], [rt, rhsNode]] as const) {
      if (t !== 'scalar' && t !== 'vector') ok = refuse(node, `binary ${op} needs scalars or instant vectors, got a ${shown(t)}`) ?? false;
    }
    if (!ok) return null;
    const comparison = COMPARISONS.has(op);
    if (bool && !comparison) return refuse(n, 'bool applies to comparison operators only');
    if (comparison && !bool && lt === 'scalar' && rt === 'scalar') return refuse(opNode, 'comparisons between scalars must use the bool modifier');
    if (set && (lt === 'scalar' || rt === 'scalar')) return refuse(opNode, `set operator "${op}" not allowed in binary scalar expression`);
    if ((lt === 'scalar' || rt === 'scalar') && (explicit || matching.card !== 'one-to-one')) {
      return refuse(n, 'vector matching applies only between two instant vectors');
    }
    return { kind: 'binary', op, lhs, rhs, bool, matching };
  };

  /** Refuses an `offset` or `@` modifier where Prometheus' parser does (parse.go addOffset, getAtModifierVars),
   * at the column of what it follows. */
  const modifierTarget = (operand: Node, modifier: 'offset' | '@'): boolean => {
    const { base, offset, at } = modified(operand);
    if (!MODIFIABLE.has(base.name)) return refuse(operand, `${modifier} modifier must be preceded by an instant vector selector or range vector selector or a subquery`) ?? false;
    if (modifier === 'offset' ? offset : at) return refuse(operand, modifier === '@' ? '@ <timestamp> may not be set multiple times' : 'offset may not be set multiple times') ?? false;
    return true;
  };
  /** An `@` time: `start()`, `end()` or a number of seconds, signed, within the int64 milliseconds of Prometheus'
   * timestamps (parse.go setTimestamp); a duration is a syntax error there. */
  const atTime = (operand: Node, time: Node): boolean => {
    if (time.name === 'AtModifierPreprocessors') return true;
    const t = text(time).replace(/\s+/g, '');
    const sign = /^[+-]/.test(t) ? t[0] : '';
    const v = parseNumber(t.slice(sign.length));
    if (v === null) return refuse(time, `unexpected ${parseDurationMs(t.slice(sign.length)) !== null ? 'duration' : 'token'} ${JSON.stringify(t)} in @, expected timestamp`) ?? false;
    const s = sign === '-' ? -v : v;
    if (Number.isNaN(s) || Math.abs(s) >= 2 ** 63) {
      const shown = Number.isNaN(s) ? 'NaN' : !Number.isFinite(s) ? (s > 0 ? '+Inf' : '-Inf') : s.toFixed(6);
      return refuse(operand, `timestamp out of bounds for @ modifier: ${shown}`) ?? false;
    }
    return true;
  };

  const expr = (n: Node): Expr | null => {
    switch (n.name) {
      case 'PromQL': {
        const [only] = children(n);
        if (!only) return stop(0, 'empty query');
        return expr(only);
      }
      case 'ParenExpr': return expr(children(n)[0]);
      case 'NumberDurationLiteral': {
        // The grammar takes a sign into the literal (`-1`, `x > - 1`); Prometheus folds it into the number too.
        const signed = /^([+-])(?:\s|#[^\n]*)*/.exec(text(n));
        const v = parseNumber(text(n).slice(signed?.[0].length ?? 0));
        if (v === null) return refuse(n, `expected a number, got ${JSON.stringify(text(n))}`);
        return { kind: 'number', value: signed?.[1] === '-' ? -v : v };
      }
      case 'StringLiteral': return { kind: 'string', value: unquote(text(n)) };
      case 'VectorSelector': return vectorSelector(n);
      case 'MatrixSelector': {
        const [v, d] = children(n);
        const inner = expr(v);
        const rangeMs = duration(d);
        // parse.go newMatrixSelector; the column is the range's, as Prometheus gives it.
        const before = modified(v);
        if (before.base.name === 'VectorSelector' && (before.offset || before.at)) {
          return refuse(walked.indexOf('[', v.to), `no ${before.at ? '@' : 'offset'} modifiers allowed before range`);
        }
        if (v.name !== 'VectorSelector') return refuse(v, 'ranges only allowed for vector selectors');
        if (inner === null) return null;
        return { kind: 'matrix', vector: inner as VectorSelector, rangeMs };
      }
      case 'OffsetExpr': {
        const parts = children(n);
        const inner = expr(parts[0]);
        const durNode = parts[parts.length - 1];
        const neg = text(durNode).trim().startsWith('-');
        const ms = duration(neg ? children(durNode)[1] : durNode) * (neg ? -1 : 1);
        if (!modifierTarget(parts[0], 'offset')) return null;
        if (inner === null) return null;
        if (inner.kind === 'vector') return { ...inner, offsetMs: ms };
        if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, offsetMs: ms } };
        return refuse(parts[0], 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      }
      case 'UnaryExpr': {
        const [op, operand] = children(n);
        const inner = expr(operand);
        if (inner === null) return null;
        if (resultType(inner) !== 'scalar' && resultType(inner) !== 'vector') return refuse(n, 'unary minus needs a scalar or a vector');
        return text(op) === '-' ? { kind: 'negate', expr: inner } : inner;
      }
      case 'FunctionCall': return call(n);
      case 'AggregateExpr': return aggregate(n);
      case 'BinaryExpr': return binary(n);
      case 'SubqueryExpr': {
        // Refused where its range starts: "[5m:1m]".
        const [inner, range, step] = children(n);
        expr(inner);
        duration(range);
        if (step) duration(step);
        return refuse(walked.lastIndexOf('[', range.from), 'unsupported subquery');
      }
      case 'StepInvariantExpr': {
        const [operand, at, time] = children(n);
        expr(operand);
        const valid = atTime(operand, time) && modifierTarget(operand, '@');
        return valid ? refuse(at, 'unsupported @ modifier') : null;
      }
      default: return refuse(n, `unsupported expression ${JSON.stringify(text(n))}`);
    }
  };
  let result: Expr | null = null;
  try {
    result = expr(syntaxTree(tree.topNode));
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  if (problems.length || result === null) throw new PromQLError(query, problems.length ? problems : [{ column: 1, reason: 'unsupported query' }]);
  return result;
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
