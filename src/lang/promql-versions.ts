/**
 * Where a query needs a Prometheus newer than 2.42, which rehearse's parser otherwise follows: names written in quotes
 * (`{"my.metric", "a.b"="c"}`, `by ("a.b")`, UTF-8 names as prometheus/prometheus promql/parser/generated_parser.y
 * reads them since v3.0.0), numbers and durations interchanged (2.54), fill modifiers (3.10, behind a flag), `smoothed`
 * and `anchored` (3.14, behind a flag). rehearse reads each as that Prometheus does, or names it as not evaluated;
 * Prometheus 2.42 refuses the query (for quoted names: "unexpected string ... in label matching"), and with it a rule
 * file that holds it, so whoever reads a query for a real Prometheus (a rule file, an Argo or Flagger metric) warns
 * where they are (newerSyntaxWarnings).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { durationOutOfRange, parseDurationMs, parseNumber } from './promql-signatures.js';
import { numberProblem } from './promql-prometheus.js';
import { durationExpressionWarning } from './promql-durations.js';
import { prometheusLexed } from './promql-lex.js';

/** The 1-based columns of the quoted names in a query (none when it is not PromQL the grammar reads). */
export function quotedNameColumns(query: string): number[] {
  const out: number[] = [];
  parser.parse(query).iterate({
    enter(n) {
      if (n.name === 'QuotedLabelName') out.push(n.from + 1);
    },
  });
  return out;
}

/** A warning for a query with quoted names, or null. */
export function quotedNamesWarning(query: string, refusal = 'refuses the query and the file'): string | null {
  const at = quotedNameColumns(query);
  if (!at.length) return null;
  return `a name in quotes at column ${at.join(', ')}: Prometheus 3's syntax for UTF-8 names, read as Prometheus 3 reads it; Prometheus 2.42 ${refusal} ("unexpected string ... in label matching")`;
}

/**
 * What Prometheus 3 says of `smoothed` or `anchored` after an operand (promql/parser/parse.go setSmoothed,
 * setAnchored at v3.14.0): on a selector, a query it parses behind --enable-feature=promql-extended-range-selectors,
 * which rehearse does not evaluate (said at the word); elsewhere, or with the other one, a query it refuses.
 */
export function extendedRangeProblem(word: string, operand: string, base: string): { readonly reason: string; readonly atWord: boolean } {
  const other = word === 'smoothed' ? 'AnchoredExpr' : 'SmoothedExpr';
  if (operand === other) return { reason: 'anchored and smoothed modifiers cannot be used together', atWord: false };
  if (base === 'SubqueryExpr') return { reason: `${word} modifier is not supported for subqueries`, atWord: false };
  if (base !== 'VectorSelector' && base !== 'MatrixSelector') return { reason: `${word} modifier not implemented`, atWord: false };
  return { reason: `unsupported ${word} modifier (Prometheus 3's, experimental: it parses with --enable-feature=promql-extended-range-selectors)`, atWord: true };
}

/** A node of the syntax tree (promql-syntax.ts Node). */
interface Node { readonly name: string; readonly from: number; readonly to: number; readonly kids: readonly Node[] }

/**
 * Prometheus 3's fill(), fill_left() and fill_right() after a binary operator (prometheus/prometheus
 * promql/parser/generated_parser.y fill_modifiers and fill_value, v3.10.0; behind --enable-feature=promql-binop-fill-modifiers,
 * parse.go newBinaryExpression): fill(v) gives both sides v, fill_left(v) the left, fill_right(v) the right; v is a
 * number, or a duration in seconds, signed or not. Refused where Prometheus 3 refuses it (parse.go checkAST: a set
 * operator, a scalar operand), at the binary expression; evaluated as promql/engine.go VectorBinop evaluates it.
 */
export function fillModifier(
  n: Node, text: (n: Node) => string, binary: number, set: boolean, scalar: boolean,
): { readonly lhs: number | null; readonly rhs: number | null } | { readonly at: number; readonly reason: string; readonly invalid: boolean } {
  if (scalar) return { at: binary, reason: 'filling in missing series only allowed between instant vectors', invalid: true };
  if (set) return { at: binary, reason: 'filling in missing series not allowed for set operators', invalid: true };
  let lhs: number | null = null, rhs: number | null = null;
  for (const clause of n.kids) {
    const literal = clause.kids[clause.kids.length - 1];
    const v = numberLiteral(literal ? text(literal) : '');
    if ('reason' in v) return { at: literal?.from ?? clause.from, reason: v.reason, invalid: true };
    if (clause.name !== 'FillRightClause') lhs = v.value;
    if (clause.name !== 'FillLeftClause') rhs = v.value;
  }
  return { lhs, rhs };
}

/** Where a query uses fill(), fill_left() or fill_right(): the 1-based columns. */
export function fillModifierColumns(query: string): number[] {
  const out: number[] = [];
  parser.parse(query).iterate({
    enter(n) {
      if (n.name === 'FillModifier') out.push(n.from + 1);
    },
  });
  return out;
}

/**
 * A number literal as Prometheus' parser reads it, a sign folded in (the grammar takes it into the literal: `-1`,
 * `x > - 1`); since Prometheus 2.54 (generated_parser.y number_duration_literal, commit cfad8ff3, "float literal numbers
 * and durations are now interchangeable") a duration stands for its seconds too (`x > 5m` is `x > 300`), which 2.42
 * refuses: a rule file's reader warns (newerSyntaxWarnings).
 */
export function numberLiteral(t: string): { readonly value: number } | { readonly reason: string } {
  const sign = /^([+-])(?:\s|#[^\n]*)*/.exec(t);
  const body = t.slice(sign?.[0].length ?? 0);
  const number = parseNumber(body);
  const ms = number === null ? parseDurationMs(body) : null;
  const bad = ms === null ? numberProblem(body) : durationOutOfRange(body) ? 'duration out of range' : null;
  const v = number ?? (ms === null ? null : ms / 1000);
  if (bad) return { reason: bad };
  if (v === null) return { reason: `expected a number, got ${JSON.stringify(t)}` };
  return { value: sign?.[1] === '-' ? -v : v };
}

/**
 * The 1-based columns where a query writes a number for a duration (`x[5]`, `x offset 90`, `x[5m:30]`: seconds) or a
 * duration for a number (`x > 5m`), which Prometheus 2.54 and later read (commit cfad8ff3) and 2.42 refuses. A number
 * inside a duration expression is left to that expression's warning.
 */
export function interchangedColumns(query: string): number[] {
  const out: number[] = [];
  parser.parse(query).iterate({
    enter(n) {
      if (n.name === 'NumberDurationLiteral') {
        const t = query.slice(n.from, n.to).replace(/^[+-](?:\s|#[^\n]*)*/, '');
        if (parseNumber(t) === null && parseDurationMs(t) !== null && n.node.parent?.parent?.name !== 'FillModifier') out.push(n.from + 1);
        return false;
      }
      if (n.name !== 'DurationExpr' && n.name !== 'OffsetDurationExpr') return true;
      const only = n.node.firstChild;
      const lone = only && !only.nextSibling ? only : null;
      if (lone?.name === 'NumberDurationLiteralInDurationContext' && parseNumber(query.slice(lone.from, lone.to)) !== null) out.push(lone.from + 1);
      // `offset -5`: the sign is Prometheus 2's own, the number under it is looked at.
      return !lone && only?.name === 'UnaryOp' && n.name === 'OffsetDurationExpr' && n.node.lastChild?.name === 'OffsetDurationExpr';
    },
  });
  return out;
}

/**
 * The 1-based columns of the numbers written with underscores between digits (`1_000`, `0x1_f`), which Prometheus 2.54
 * and later read (promql/parser/lex.go scanNumber, commit 3c9e3ee5) and 2.42 refuses ("bad number or duration syntax").
 */
export function underscoredNumberColumns(query: string): number[] {
  const out: number[] = [];
  parser.parse(prometheusLexed(query).text).iterate({
    enter(n) {
      if (!n.name.startsWith('NumberDurationLiteral')) return true;
      if (query.slice(n.from, n.to).includes('_')) out.push(n.from + 1 + (/^[+-](?:\s|#[^\n]*)*/.exec(query.slice(n.from, n.to))?.[0].length ?? 0));
      return false;
    },
  });
  return out;
}

/**
 * What a query holds that Prometheus 3 (or 2.54) reads and 2.42 refuses, one sentence each: names in quotes, duration
 * expressions, numbers and durations interchanged, numbers with underscores, fill modifiers. `refusal` says what 2.42's
 * refusal does to the reader ("refuses the query and the file" for a rule file).
 */
export function newerSyntaxWarnings(query: string, refusal = 'refuses the query and the file'): string[] {
  const fills = fillModifierColumns(query);
  const interchanged = interchangedColumns(query);
  const underscored = underscoredNumberColumns(query);
  return [
    quotedNamesWarning(query, refusal),
    durationExpressionWarning(query, refusal),
    interchanged.length ? `a number of seconds for a duration, or a duration for a number, at column ${interchanged.join(', ')}: read as Prometheus 2.54 and later read it (\`[90]\` is \`[90s]\`, \`> 5m\` is \`> 300\`); Prometheus 2.42 ${refusal}` : null,
    underscored.length ? `a number with underscores at column ${underscored.join(', ')}: read as Prometheus 2.54 and later read it (\`1_000\` is 1000); Prometheus 2.42 ${refusal}` : null,
    fills.length ? `a fill modifier at column ${fills.join(', ')}: Prometheus 3's fill(), fill_left() and fill_right() (3.10 and later, experimental: behind --enable-feature=promql-binop-fill-modifiers), evaluated as Prometheus 3 evaluates them; Prometheus 2.42, and 3 without the flag, ${refusal}` : null,
  ].filter((w): w is string => w !== null);
}
