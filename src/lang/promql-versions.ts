/**
 * Where a query needs Prometheus 3: names written in quotes (`{"my.metric", "a.b"="c"}`, `by ("a.b")`, UTF-8 names
 * as prometheus/prometheus promql/parser/generated_parser.y reads them since v3.0.0). rehearse reads them as
 * Prometheus 3 does; Prometheus 2.42 refuses the query ("unexpected string ... in label matching"), and with it
 * a rule file that holds it, so a rule file's reader warns where they are.
 */
import { parser } from '@prometheus-io/lezer-promql';

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
export function quotedNamesWarning(query: string): string | null {
  const at = quotedNameColumns(query);
  if (!at.length) return null;
  return `a name in quotes at column ${at.join(', ')}: Prometheus 3's syntax for UTF-8 names, read as Prometheus 3 reads it; Prometheus 2.42 refuses the query and the file ("unexpected string ... in label matching")`;
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

/**
 * Prometheus 3's fill(), fill_left() and fill_right() after a binary operator (promql/parser/generated_parser.y, v3.10.0;
 * parse.go newBinaryExpression: behind --enable-feature=promql-binop-fill-modifiers): refused where Prometheus 3 refuses
 * it (parse.go checkAST: a set operator, a scalar operand), else named as not evaluated.
 */
export function fillModifierProblem(set: boolean, scalar: boolean): { readonly reason: string; readonly invalid: boolean } {
  if (scalar) return { reason: 'filling in missing series only allowed between instant vectors', invalid: true };
  if (set) return { reason: 'filling in missing series not allowed for set operators', invalid: true };
  return { reason: 'unsupported fill modifier: Prometheus 3\'s fill(), fill_left() and fill_right() (3.10 and later, with --enable-feature=promql-binop-fill-modifiers), not evaluated', invalid: false };
}
