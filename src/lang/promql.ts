/**
 * PromQL: parsed with @prometheus-io/lezer-promql (the grammar of Prometheus' own UI), then turned into a small
 * tree and validated against the subset rehearse evaluates. Anything outside it is refused here, with the
 * query, and the column and name of every part that is not supported (not only the first), never at evaluation.
 * Around a part it does not evaluate the query is still checked as Prometheus 2.42's parser checks it (types,
 * arguments; promql-prometheus.ts): a query Prometheus refuses is refused as invalid, for that alone; what
 * Prometheus 3 added is read as it reads it, or named as not evaluated (promql-versions.ts).
 * The subset (2.42's semantics, and 3's quoted names): literals; selectors with =, !=, =~, !~ and `offset` (on a
 * selector only; `@` refused as unsupported where Prometheus parses it, as invalid where it does not); the functions
 * of promql-signatures.ts; the aggregations sum, avg, min, max, count, group, stddev, stdvar, topk, bottomk, quantile
 * with by/without; unary minus; + - * / % ^ and == != > < >= <= with bool, on/ignoring, group_left/group_right and
 * 3's fill modifiers; and, or, unless with on/ignoring. Keywords are case-insensitive, as in Prometheus.
 */
import { MODIFIABLE, modified, type Node, readQuery, syntaxTree } from './promql-syntax.js';
import {
  AGGREGATIONS, AGGREGATIONS_WITH_PARAM, anchoredRegex, FUNCTIONS, type GoRegex, LABEL_NAME_RE, parseDurationMs, unquote,
  type PromQLProblem, type ValueType,
} from './promql-signatures.js';
export { AGGREGATIONS, FUNCTIONS, parseDurationMs, type PromQLProblem, type ValueType };
export { describeProblems, failsEveryEvaluationWarning, matches, PromQLError, resultType, type BinaryOp, type Expr, type Matcher, type MatchOp, type MatrixSelector, type VectorMatching, type VectorSelector } from './promql-tree.js';
export { quotedNamesWarning } from './promql-versions.js';
import { PromQLError, matches, resultType, type BinaryOp, type Expr, type Matcher, type MatchOp, type MatrixSelector, type VectorMatching, type VectorSelector } from './promql-tree.js';
import { itemText, prometheus3Only, PROMETHEUS_3_FUNCTIONS, prometheusAggregation, prometheusSignature, stringProblem } from './promql-prometheus.js';
import { extendedRangeProblem, fillModifier, numberLiteral } from './promql-versions.js';
import { readDuration } from './promql-durations.js';
import { quoted } from '../units/escape.js';

const BINARY_OPS: Record<string, BinaryOp> = {
  Add: '+', Sub: '-', Mul: '*', Div: '/', Mod: '%', Pow: '^', Eql: '==', Neq: '!=', Gtr: '>', Lss: '<', Gte: '>=', Lte: '<=',
  And: 'and', Or: 'or', Unless: 'unless',
};
const SET_OPS = new Set<BinaryOp>(['and', 'or', 'unless']);
const COMPARISONS = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** Thrown inside the walk to stop at a syntax error (the tree after it cannot be trusted). */
class Stop extends Error {}

/** Parses and validates a query; throws PromQLError. */
export function parsePromQL(query: string): Expr {
  const problems: PromQLProblem[] = [];
  const refuse = (node: { from: number } | number, reason: string, invalid = !reason.startsWith('unsupported ')): null => {
    problems.push({ column: (typeof node === 'number' ? node : node.from) + 1, reason, invalid });
    return null;
  };
  const stop = (node: { from: number } | number, reason: string): never => {
    refuse(node, reason);
    throw new Stop();
  };
  const { tree, walked, renamed } = readQuery(query);
  const text = (n: Node) => walked.slice(n.from, n.to);
  const children = (n: Node): readonly Node[] => n.kids;
  // The type of each node, also of one refused as unsupported (a subquery, an @, a function rehearse does not
  // evaluate), so that what is around it is still checked as Prometheus' parser checks it (parse.go checkAST).
  const typed = new Map<Node, ValueType>();
  const typeOf = (n: Node, e: Expr | null): ValueType | undefined => (e ? resultType(e) : typed.get(n));

  const duration = (n: Node, offset = false): number => {
    const d = readDuration(n, text, offset);
    for (const p of d.problems) refuse(p.at, p.reason, p.invalid);
    if (d.stop) throw new Stop();
    return d.ms;
  };

  const matcher = (n: Node): Matcher | null => {
    // Prometheus 3's quoted names (promql-versions.ts): `{"my.metric"}` is __name__="my.metric" wherever it stands.
    if (n.name === 'QuotedLabelName') {
      const literal = children(n)[0] ?? n;
      const bad = stringProblem(text(literal));
      return bad ? refuse(literal, bad) : { name: '__name__', op: '=', value: unquote(text(literal)), re: null };
    }
    const [nameNode, opNode, valueNode] = children(n);
    if ((n.name !== 'UnquotedLabelMatcher' && n.name !== 'QuotedLabelMatcher') || !valueNode) return refuse(n, 'unsupported label matcher');
    const quotedName = n.name === 'QuotedLabelMatcher' ? (children(nameNode)[0] ?? nameNode) : null;
    const badAt = [quotedName, valueNode].find((l) => l && stringProblem(text(l)));
    if (badAt) return refuse(badAt, stringProblem(text(badAt))!);
    const [name, op, value] = [quotedName ? unquote(text(quotedName)) : text(nameNode), text(opNode) as MatchOp, unquote(text(valueNode))];
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
      if (c.name === 'Identifier') name = renamed.get(c.from) ?? text(c);
      else if (c.name === 'LabelMatchers') {
        for (const m of children(c)) {
          const parsed = matcher(m);
          if (parsed) matchers.push(parsed);
          else ok = false;
        }
      } else ok = refuse(c, `unsupported selector part ${JSON.stringify(text(c))}`) ?? false;
    }
    if (!ok) return null;
    // parse.go checkAST: a name before the braces and a __name__ matcher inside them.
    const second = matchers.find((m) => m.name === '__name__');
    if (name !== null && second) return refuse(n, `metric name must not be set twice: ${JSON.stringify(name)} or ${JSON.stringify(second.value)}`);
    const all = name !== null ? [{ name: '__name__', op: '=' as const, value: name, re: null }, ...matchers] : matchers;
    if (!all.some((m) => !matches(m, ''))) return refuse(n, 'a vector selector needs at least one matcher that does not match the empty string');
    return { kind: 'vector', name, matchers: all, offsetMs: 0 };
  };

  const shown = (t: string) => (t === 'matrix' ? 'range vector' : t);
  /** Checks a parsed argument's type; null (already refused) passes. */
  const expect = (n: Node, e: Expr | null, want: string, what: string): boolean => {
    const got = typeOf(n, e);
    if (got === undefined) return false;
    const w = want.replace(/[?*]$/, '');
    if (got === w) return e !== null;
    refuse(n, `${what} expects ${w === 'matrix' ? 'a range vector' : `a ${w}`}, got a ${shown(got)}`);
    return false;
  };

  // Prometheus 3 quotes a label name that is no identifier here too: `by ("a.b")`.
  const grouping = (n: Node) => children(n).map((c) => {
    if (c.name !== 'QuotedLabelName') return text(c);
    const literal = children(c)[0] ?? c;
    const bad = stringProblem(text(literal));
    if (bad) refuse(literal, bad);
    return unquote(text(literal));
  });

  const call = (n: Node): Expr | null => {
    const [id, body] = children(n);
    const fn = renamed.get(id.from) ?? text(id).trim();
    const argNodes = children(body);
    const args = argNodes.map(expr);
    const newer = prometheus3Only(fn);
    const sig = prometheusSignature(fn) ?? (newer ? PROMETHEUS_3_FUNCTIONS[fn] : null);
    if (!sig) return refuse(id, `unknown function with name ${JSON.stringify(fn)}`);
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
    if (!Object.hasOwn(FUNCTIONS, fn)) {
      typed.set(n, sig.returns);
      return refuse(id, newer ?? `unsupported function ${quoted(fn)}`);
    }
    if (!ok) return null;
    // A label_replace or label_join with a bad expression or label name parses: Prometheus fails it at each
    // evaluation (promql-tree.ts failsEveryEvaluationWarning, said where the query is read).
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
    const newer = prometheus3Only(op);
    if (!prometheusAggregation(op) && !newer) return refuse(opNode, `unknown function with name ${JSON.stringify(op)}`);
    const wantParam = AGGREGATIONS_WITH_PARAM.has(op) || op === 'count_values' || newer !== null;
    if (args.length !== (wantParam ? 2 : 1)) return refuse(n, `${op}() takes ${wantParam ? 2 : 1} argument(s), got ${args.length}`);
    const paramOk = !wantParam || expect(argNodes[0], args[0], op === 'count_values' ? 'string' : 'scalar', `${op}()'s parameter`);
    const bodyOk = expect(argNodes[args.length - 1], args[args.length - 1], 'vector', `${op}()`);
    if (newer) {
      typed.set(n, 'vector');
      return refuse(opNode, newer);
    }
    if (!paramOk || !bodyOk) return null;
    return { kind: 'aggregate', op, param: wantParam ? args[0] : null, expr: args[args.length - 1]!, grouping: by, without };
  };

  const binary = (n: Node): Expr | null => {
    const parts = children(n);
    const [lhsNode, opNode, rhsNode] = [parts[0], parts[1], parts[parts.length - 1]];
    const lhs = expr(lhsNode);
    const rhs = expr(rhsNode);
    const op = BINARY_OPS[opNode.name];
    if (!op) return refuse(opNode, `unsupported operator ${quoted(text(opNode))}`);
    const set = SET_OPS.has(op);
    let bool = false;
    let matching: VectorMatching = { card: set ? 'many-to-many' : 'one-to-one', on: false, labels: [], include: [] };
    let explicit = false, fill: Node | null = null;
    for (const c of parts.slice(2, -1)) {
      if (c.name === 'BoolModifier') bool = true;
      else if (c.name === 'FillModifier') fill = c;
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
            if (set) return refuse(k, `no grouping allowed for ${quoted(op)} operation`);
            card = k.name === 'GroupLeft' ? 'many-to-one' : 'one-to-many';
            if (mc[i + 1]?.name === 'GroupingLabels') include = grouping(mc[++i]);
          } else return refuse(k, `unsupported modifier ${quoted(text(k))}`);
        }
        matching = { card, on, labels, include };
      } else return refuse(c, `unsupported modifier ${quoted(text(c))}`);
    }
    // parse.go checkAST: a label both matched on and carried over.
    const twice = matching.on ? matching.include.find((l) => matching.labels.includes(l)) : undefined;
    if (twice !== undefined) return refuse(opNode, `label ${JSON.stringify(twice)} must not occur in ON and GROUP clause at once`);
    const lt = typeOf(lhsNode, lhs), rt = typeOf(rhsNode, rhs);
    if (lt === undefined || rt === undefined) return null;
    let ok = true;
    for (const [t, node] of [[lt, lhsNode], [rt, rhsNode]] as const) {
      if (t !== 'scalar' && t !== 'vector') ok = refuse(node, `binary ${op} needs scalars or instant vectors, got a ${shown(t)}`) ?? false;
    }
    if (!ok) return null;
    const comparison = COMPARISONS.has(op);
    typed.set(n, lt === 'scalar' && rt === 'scalar' ? 'scalar' : 'vector');
    const f = fill && fillModifier(fill, text, n.from, set, lt === 'scalar' || rt === 'scalar');
    if (f && 'reason' in f) return refuse(f.at, f.reason, f.invalid);
    if (f) matching = { ...matching, fill: f };
    if (bool && !comparison) return refuse(n, 'bool applies to comparison operators only');
    if (comparison && !bool && lt === 'scalar' && rt === 'scalar') return refuse(opNode, 'comparisons between scalars must use the bool modifier');
    if (set && (lt === 'scalar' || rt === 'scalar')) return refuse(opNode, `set operator ${quoted(op)} not allowed in binary scalar expression`);
    if ((lt === 'scalar' || rt === 'scalar') && (explicit || matching.card !== 'one-to-one')) {
      return refuse(n, 'vector matching applies only between two instant vectors');
    }
    if (lhs === null || rhs === null) return null;
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
  /** Whether the @ under a node (its operand's modifiers) has a number for its time. */
  const atNumber = (n: Node): boolean => {
    for (let m = n; m.name === 'OffsetExpr' || m.name === 'StepInvariantExpr'; m = m.kids[0]) {
      if (m.name === 'StepInvariantExpr' && m.kids[2]?.name !== 'AtModifierPreprocessors') return true;
    }
    return false;
  };
  /** An `@` time: `start()`, `end()` or signed seconds within int64 ms (parse.go setTimestamp); not a duration. */
  const atTime = (operand: Node, time: Node): boolean => {
    if (time.name === 'AtModifierPreprocessors') return true;
    const t = text(time).replace(/\s+/g, '');
    // A duration is its seconds since Prometheus 2.54 (generated_parser.y number: `@ 1m` is `@ 60`, parse_test.go).
    const v = numberLiteral(t);
    if ('reason' in v) return refuse(time, v.reason.startsWith('expected a number') ? `unexpected token ${JSON.stringify(t)} in @, expected timestamp` : v.reason) ?? false;
    const s = v.value;
    if (Number.isNaN(s) || Math.abs(s) >= 2 ** 63) {
      const shown = Number.isNaN(s) ? 'NaN' : !Number.isFinite(s) ? (s > 0 ? '+Inf' : '-Inf') : s.toFixed(6);
      return refuse(operand, `timestamp out of bounds for @ modifier: ${shown}`) ?? false;
    }
    return true;
  };

  const expr = (n: Node): Expr | null => {
    const e = walk(n);
    if (e) typed.set(n, resultType(e));
    return e;
  };
  /** A node under modifiers or parentheses has the type of what they wrap. */
  const same = (n: Node, inner: Node): null => {
    const t = typed.get(inner);
    if (t) typed.set(n, t);
    return null;
  };
  const walk = (n: Node): Expr | null => {
    switch (n.name) {
      case 'PromQL': {
        const [only] = children(n);
        if (!only) return stop(0, 'empty query');
        return expr(only);
      }
      case 'ParenExpr': return expr(children(n)[0]) ?? same(n, children(n)[0]);
      case 'NumberDurationLiteral': {
        const v = numberLiteral(text(n));
        return 'reason' in v ? refuse(n, v.reason) : { kind: 'number', value: v.value };
      }
      case 'StringLiteral': {
        const bad = stringProblem(text(n));
        return bad ? refuse(n, bad) : { kind: 'string', value: unquote(text(n)) };
      }
      case 'VectorSelector': return vectorSelector(n);
      case 'MatrixSelector': {
        const [v, d] = children(n);
        const inner = expr(v);
        const rangeMs = duration(d);
        // parse.go newMatrixSelector; the column is the range's, as Prometheus gives it.
        const before = modified(v);
        // Prometheus 2.42 checks an @ time here, not `@ start()` or `@ end()` (it takes those later).
        const at = before.at && atNumber(v);
        if (before.base.name === 'VectorSelector' && (before.offset || at)) {
          return refuse(walked.indexOf('[', v.to), `no ${at ? '@' : 'offset'} modifiers allowed before range`);
        }
        if (before.base.name === 'VectorSelector' && before.at) {
          typed.set(n, 'matrix');
          return null;
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
        const ms = duration(neg ? children(durNode)[1] : durNode, true) * (neg ? -1 : 1);
        if (!modifierTarget(parts[0], 'offset')) return null;
        if (inner === null) return same(n, parts[0]);
        if (inner.kind === 'vector') return { ...inner, offsetMs: ms };
        if (inner.kind === 'matrix') return { ...inner, vector: { ...inner.vector, offsetMs: ms } };
        return refuse(parts[0], 'offset modifier must be preceded by an instant vector selector or range vector selector or a subquery');
      }
      case 'UnaryExpr': {
        const [op, operand] = children(n);
        const inner = expr(operand);
        const t = typeOf(operand, inner);
        if (t !== undefined && t !== 'scalar' && t !== 'vector') return refuse(n, 'unary minus needs a scalar or a vector');
        if (inner === null) return same(n, operand);
        return text(op) === '-' ? { kind: 'negate', expr: inner } : inner;
      }
      case 'FunctionCall': return call(n);
      case 'AggregateExpr': return aggregate(n);
      case 'BinaryExpr': return binary(n);
      case 'SubqueryExpr': {
        // Refused where its range starts: "[5m:1m]".
        const [inner, range, step] = children(n);
        const t = typeOf(inner, expr(inner));
        duration(range);
        if (step) duration(step);
        // parse.go checkAST: `ValueType` as Go prints it (matrix, scalar, string).
        if (t !== undefined && t !== 'vector') return refuse(n, `subquery is only allowed on instant vector, got ${t} instead`);
        typed.set(n, 'matrix');
        return refuse(walked.lastIndexOf('[', range.from), 'unsupported subquery');
      }
      case 'StepInvariantExpr': {
        const [operand, at, time] = children(n);
        expr(operand);
        const valid = atTime(operand, time) && modifierTarget(operand, '@');
        same(n, operand);
        return valid ? refuse(at, 'unsupported @ modifier') : null;
      }
      // Prometheus 3's `smoothed` and `anchored` (parse.go setSmoothed, setAnchored; v3.14.0, experimental).
      case 'SmoothedExpr': case 'AnchoredExpr': {
        const [operand, word] = children(n);
        expr(operand);
        same(n, operand);
        const p = extendedRangeProblem(text(word).toLowerCase(), operand.name, modified(operand).base.name);
        return refuse(p.atWord ? word : n, p.reason);
      }
      // The grammar of Prometheus' UI reads what later versions added (durations computed in brackets);
      // Prometheus 2.42 does not.
      default: {
        const [first, ...rest] = children(n);
        if (first && /(Expr|Selector)$/.test(first.name)) expr(first);
        const at = rest.length ? rest[rest.length - 1] : n;
        return refuse(at, `unexpected ${/^[a-zA-Z_]\w*$/.test(text(at)) ? "identifier " : ""}${JSON.stringify(text(at))}: Prometheus 2.42 does not parse it`);
      }
    }
  };
  let result: Expr | null = null;
  try {
    result = expr(syntaxTree(tree));
  } catch (e) {
    if (!(e instanceof Stop)) throw e;
  }
  // A query Prometheus refuses is refused for that, whatever else rehearse would not evaluate in it.
  const invalid = problems.filter((p) => p.invalid);
  if (problems.length || result === null) throw new PromQLError(query, invalid.length ? invalid : problems.length ? problems : [{ column: 1, reason: 'unsupported query' }]);
  return result;
}
