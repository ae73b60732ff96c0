/**
 * The syntax tree of a query as Prometheus' own parser groups it, built from the tree of
 * @prometheus-io/lezer-promql. The two disagree on one thing: Prometheus' grammar (promql/parser/
 * generated_parser.y) binds the postfix modifiers (`offset`, `@`, a range `[5m]`, a subquery `[5m:1m]`) tighter
 * than any operator, so `x + y offset 5m` is `x + (y offset 5m)` and `-x @ 100` is `-(x @ 100)`; lezer's grammar
 * puts the modifier on the whole expression to its left. Here the modifier is moved onto the rightmost operand,
 * so that what a modifier applies to is what Prometheus checks (parse.go addOffset, getAtModifierVars).
 */
import type { SyntaxNode } from '@lezer/common';
import { parser } from '@prometheus-io/lezer-promql';
import { prometheusLexed } from './promql-lex.js';
import { durationExpressionSpans } from './promql-durations.js';
import { prometheus3Only, prometheusSignature } from './promql-prometheus.js';
import { unknownFunctions, type PromQLProblem } from './promql-signatures.js';
import { PromQLError } from './promql-tree.js';

export interface Node {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly kids: readonly Node[];
}

const POSTFIX = new Set(['OffsetExpr', 'StepInvariantExpr', 'MatrixSelector', 'SubqueryExpr', 'SmoothedExpr', 'AnchoredExpr']);

/** The tree under n, comments left out, each postfix modifier on the operand Prometheus gives it. */
export function syntaxTree(n: SyntaxNode): Node {
  const kids: Node[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) if (c.name !== 'LineComment') kids.push(syntaxTree(c));
  const node = { name: n.name, from: n.from, to: n.to, kids };
  return POSTFIX.has(n.name) ? bindTight(node) : node;
}

function bindTight(postfix: Node): Node {
  const [operand, ...rest] = postfix.kids;
  // A binary expression's right operand is its last child; a unary expression's operand follows its operator.
  if (operand?.name !== 'BinaryExpr' && operand?.name !== 'UnaryExpr') return postfix;
  const inner = operand.kids[operand.kids.length - 1];
  const moved = bindTight({ ...postfix, from: inner.from, kids: [inner, ...rest] });
  return { ...operand, to: postfix.to, kids: [...operand.kids.slice(0, -1), moved] };
}

/** What an `offset` or `@` modifier applies to: the node under the modifiers already on it, and which those are
 * (in Prometheus both set a field of the selector or subquery itself, so they chain in either order). */
export function modified(n: Node): { readonly base: Node; readonly offset: boolean; readonly at: boolean } {
  let base = n;
  let offset = false, at = false;
  // Prometheus 3's `smoothed` and `anchored` mark the selector itself too (parse.go setSmoothed).
  while (base.name === 'OffsetExpr' || base.name === 'StepInvariantExpr' || base.name === 'SmoothedExpr' || base.name === 'AnchoredExpr') {
    if (base.name === 'OffsetExpr') offset = true;
    else if (base.name === 'StepInvariantExpr') at = true;
    base = base.kids[0];
  }
  return { base, offset, at };
}

/** parse.go: a modifier's target is an instant or range vector selector or a subquery, and nothing else. */
export const MODIFIABLE = new Set(['VectorSelector', 'MatrixSelector', 'SubqueryExpr']);

/** Beyond these, @prometheus-io/lezer-promql's parser (@lezer/lr: Rec.CutDepth, Rec.MaxLeftAssociativeReductionCount)
 * cuts the tree short to keep it shallow and reports an error where the query has none; Prometheus reads on. */
const MAX_DEPTH = 1000;
const MAX_OPERATORS = 400;

/** Why a query is too large for the grammar to read whole, or null: brackets nested deeper than MAX_DEPTH, or
 * more than MAX_OPERATORS operators and ranges (each a level of the tree). Strings and comments do not count. */
export function tooLarge(query: string): string | null {
  let depth = 0, deepest = 0, operators = 0;
  const token = /"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|#[^\n]*|[a-zA-Z_][a-zA-Z0-9_:]*|[([{]|[)\]}]|==|!=|>=|<=|=~|!~|[-+*/%^<>[]|[^]/g;
  for (const [t] of query.matchAll(token)) {
    if (t === '(' || t === '{' || t === '[') deepest = Math.max(deepest, ++depth);
    else if (t === ')' || t === '}' || t === ']') depth--;
    if (/^(?:[-+*/%^<>[]|==|!=|>=|<=|and|or|unless|atan2|offset|@)$/i.test(t)) operators++;
  }
  if (deepest > MAX_DEPTH) return `brackets nested ${deepest} deep (rehearse reads at most ${MAX_DEPTH})`;
  if (operators > MAX_OPERATORS) return `${operators} operators and ranges (rehearse reads at most ${MAX_OPERATORS})`;
  return null;
}

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

/**
 * A query's tree, or the PromQLError of a query the grammar cannot read. The grammar reads the query as
 * Prometheus' lexer would have it (promql-lex.ts). Names that are no function of the
 * grammar stop it: each is read as "ln" padded with spaces to its length (columns stay put), so that the rest of
 * the query is still checked; `renamed` gives the name at each such column, and the call is refused by it.
 */
export function readQuery(query: string): { readonly tree: SyntaxNode; readonly walked: string; readonly renamed: ReadonlyMap<number, string> } {
  // Prometheus 3's duration expressions (promql-durations.ts), which 2.42's lexer refuses, are lexed as a duration
  // literal would be, then put back for the walk to evaluate.
  const spans = durationExpressionSpans(query);
  const masked = spans.reduce((q, d) => q.slice(0, d.from) + '1s'.padEnd(d.to - d.from) + q.slice(d.to), query);
  const read = prometheusLexed(masked);
  const lexed = spans.length ? { ...read, text: spans.reduce((q, d) => q.slice(0, d.from) + query.slice(d.from, d.to) + q.slice(d.to), read.text) } : read;
  // The parser reads tokens up to the lexer's error: a syntax error before it is the one Prometheus reports.
  const lexError = lexed.problems[0];
  const fail = (problems: PromQLProblem[]): never => {
    throw new PromQLError(query, lexError && !(problems[0].column < lexed.firstUnseen) ? lexed.problems : problems);
  };
  let walked = lexed.text;
  const renamed = lexed.renamed;
  let tree = parser.parse(walked);
  const err = firstError(tree);
  if (err < 0) return lexError ? fail(lexed.problems) : { tree: tree.topNode, walked, renamed };
  const nameAt = (column: number) => /^[a-zA-Z_][a-zA-Z0-9_:]*/.exec(query.slice(column - 1))![0];
  // A name Prometheus 2.42 has no function of is its own error (generated_parser.y: "unknown function with name").
  const unknown = unknownFunctions(query).map((u) => (prometheusSignature(nameAt(u.column)) || prometheus3Only(nameAt(u.column))
    ? u : { ...u, reason: `unknown function with name ${JSON.stringify(nameAt(u.column))}`, invalid: true }));
  for (const u of unknown) {
    const name = nameAt(u.column);
    if (name.length < 2) fail(unknown);
    renamed.set(u.column - 1, name);
    walked = walked.slice(0, u.column - 1) + 'ln'.padEnd(name.length) + walked.slice(u.column - 1 + name.length);
  }
  if (unknown.length) tree = parser.parse(walked);
  const still = unknown.length ? firstError(tree) : err;
  if (still < 0) return lexError ? fail(unknown.length ? unknown : lexed.problems) : { tree: tree.topNode, walked, renamed };
  // An error the grammar reports only because it cut a large tree short: not a syntax error in Prometheus.
  const large = tooLarge(query);
  if (large) fail(lexError ? lexed.problems : [{ column: 1, reason: `unsupported query of ${large}`, invalid: false }]);
  // A function Prometheus has does not hide a syntax error elsewhere.
  if (unknown.some((u) => u.invalid)) fail(unknown.filter((u) => u.invalid));
  return fail([{ column: still + 1, reason: still >= query.length ? 'unexpected end of input' : `syntax error near ${JSON.stringify(query.slice(still, still + 12))}`, invalid: true }]);
}
