/**
 * Prometheus 3's duration expressions: arithmetic in a range, a subquery's range and step, and an offset
 * (`[5m+1m]`, `[2*5m]`, `offset (1h-5m)`, `offset -(1h)`), which prometheus/prometheus v3.4.0 parses behind
 * --enable-feature=promql-duration-expr and v3.14.0 by default (cmd/prometheus/main.go: the flag "is now permanently
 * enabled"). They are evaluated as promql/durations.go calculateDuration evaluates them: numbers are seconds, a
 * duration its seconds; + - * / % ^ and a sign; a result that is NaN or infinite, or not above 0 where an offset is
 * not (a range, a step), is refused, and so is one past time.Duration; the result is kept to whole milliseconds
 * (`time.Duration(duration*1000) * time.Millisecond`). `max_of()` and `min_of()` (v3.13.0) are evaluated too; `step()` and `range()` (v3.6.0) read the query's step and
 * range, which a rule's instant evaluation and a gate do not have as a range query does: named, not evaluated.
 * Prometheus 2.42 refuses every one of them (its lexer reads a duration literal only), so whoever reads a query for a
 * real Prometheus (a rule file, an Argo or Flagger metric) warns (promql-versions.ts newerSyntaxWarnings).
 */
import { parser } from '@prometheus-io/lezer-promql';
import { durationOutOfRange, parseDurationMs, parseNumber } from './promql-signatures.js';

/** A node of the syntax tree (promql-syntax.ts Node, which reads this module). */
interface Node {
  readonly name: string;
  readonly from: number;
  readonly to: number;
  readonly kids: readonly Node[];
}

/** Where and why a duration expression is not evaluated; invalid when Prometheus 3 refuses it too. */
export interface DurationProblem { readonly at: number; readonly reason: string; readonly invalid: boolean }

const DURATION_NODES = new Set(['DurationExpr', 'OffsetDurationExpr']);
const OPS: Readonly<Record<string, (a: number, b: number) => number>> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b, Mod: (a, b) => a % b, Pow: (a, b) => a ** b,
};
/** The largest duration in seconds, either way (durations.go: 1<<63/1e9). */
const LARGEST_S = 2 ** 63 / 1e9;

/** Whether a range's, a step's or an offset's node is an expression, not one duration literal (nor a signed one). */
export function isDurationExpression(n: Node): boolean {
  if (!DURATION_NODES.has(n.name)) return false;
  // A sign before an offset's literal is Prometheus 2's own (`offset -5m`); before a range's, or a parenthesis, it is not.
  if (n.kids.length === 2 && n.kids[0].name === 'UnaryOp') return n.name === 'DurationExpr' || isDurationExpression(n.kids[1]) || n.kids[1].kids.length !== 1 || DURATION_NODES.has(n.kids[1].kids[0].name);
  return n.kids.length !== 1 || n.kids[0].name !== 'NumberDurationLiteralInDurationContext';
}

/**
 * A range's, a step's or an offset's duration in milliseconds, with what Prometheus refuses in it; `stop` when the
 * query cannot be read on. A literal is read as Prometheus 2.42 reads it (parse.go parseDuration: 0 is refused, and
 * past time.Duration), an expression as Prometheus 3 evaluates it.
 */
export function readDuration(n: Node, text: (n: Node) => string, offset: boolean): { ms: number; problems: DurationProblem[]; stop: boolean } {
  if (isDurationExpression(n)) {
    const v = durationExpressionMs(n, text, offset);
    return typeof v === 'number' ? { ms: v, problems: [], stop: false } : { ms: 1, problems: [v], stop: false };
  }
  const t = text(n).trim();
  if (parseNumber(t) !== null) return secondsLiteral(n.from, parseNumber(t)!, offset);
  const ms = parseDurationMs(t);
  if (ms === null) return { ms: 0, problems: [{ at: n.from, reason: `expected a duration such as 5m, got ${JSON.stringify(t)}`, invalid: true }], stop: true };
  const problems: DurationProblem[] = [];
  if (durationOutOfRange(t)) problems.push({ at: n.from, reason: 'duration out of range', invalid: true });
  if (ms === 0) problems.push({ at: n.from, reason: 'duration must be greater than 0', invalid: true });
  return { ms, problems, stop: false };
}

/**
 * A number of seconds for a range, a step or an offset (`x[90]`, `x offset 3600`), as Prometheus 2.54 and 3 read it
 * (generated_parser.y matrix_selector, offset_expr at d15adb9a: time.Duration(math.Round(seconds * 1e9)); parse_test.go
 * `foo[4.18]` is 4s180ms, `OFFSET 3600` an hour), then kept to whole milliseconds as the engine uses it
 * (engine.go durationMilliseconds). Refused as Prometheus refuses it: past time.Duration (durationLiteralOutOfRange),
 * and not above 0 but for an offset (positive_duration_expr); a range under a millisecond, which selects nothing in
 * Prometheus 3, is named as not evaluated, and so is NaN.
 */
function secondsLiteral(at: number, seconds: number, offset: boolean): { ms: number; problems: DurationProblem[]; stop: boolean } {
  const problem = (reason: string, invalid = true) => ({ ms: 1, problems: [{ at, reason, invalid }], stop: false });
  if (Number.isNaN(seconds)) return problem('unsupported duration NaN', false);
  if (seconds > LARGEST_S || seconds < -LARGEST_S) return problem('duration out of range');
  if (seconds <= 0 && !offset) return problem('duration must be greater than 0');
  const ns = Math.sign(seconds) * Math.round(Math.abs(seconds) * 1e9);
  const ms = Math.trunc(ns / 1e6);
  if (ms === 0 && !offset) return problem(`unsupported range of ${seconds} seconds, under a millisecond`, false);
  return { ms: ms === 0 ? 0 : ms, problems: [], stop: false };
}

/** The value in milliseconds of a duration expression, or why it has none (`offset`: may be 0 or below). */
export function durationExpressionMs(n: Node, text: (n: Node) => string, offset: boolean): number | DurationProblem {
  const seconds = valueOf(n, text);
  if (typeof seconds !== 'number') return seconds;
  const where = n.from;
  // A signed literal is folded into a number by the parser (parse.go applyUnaryOpToDurationExpr), which refuses it
  // there (generated_parser.y positive_duration_expr); what is computed fails when the engine prepares the query.
  const fails = ' (Prometheus 3 parses it, and fails every evaluation of the query)';
  if (seconds <= 0 && !offset && signedLiteral(n)) return { at: where, reason: 'duration must be greater than 0', invalid: true };
  if (Number.isNaN(seconds) || !Number.isFinite(seconds)) return { at: where, reason: `duration is NaN or infinite${fails}`, invalid: false };
  if (seconds <= 0 && !offset) return { at: where, reason: `duration must be greater than 0${fails}`, invalid: false };
  if (seconds > LARGEST_S || seconds < -LARGEST_S) return { at: where, reason: `duration is out of range${fails}`, invalid: false };
  return Math.trunc(seconds * 1000);
}

function valueOf(n: Node, text: (n: Node) => string): number | DurationProblem {
  if (n.name === 'NumberDurationLiteralInDurationContext') {
    const t = text(n).trim();
    const number = parseNumber(t);
    if (number !== null) return number;
    const ms = parseDurationMs(t);
    return ms === null ? { at: n.from, reason: `bad duration syntax: ${JSON.stringify(t)}`, invalid: true } : ms / 1000;
  }
  if (n.name === 'DurationStep' || n.name === 'DurationRange') {
    const fn = n.name === 'DurationStep' ? 'step()' : 'range()';
    return { at: n.from, reason: `unsupported ${fn}: Prometheus 3's ${fn} in a duration (3.6 and later), not evaluated: it reads a range query's ${fn === 'step()' ? 'step' : 'range'}`, invalid: false };
  }
  const kids = n.kids;
  if (DURATION_NODES.has(n.name) && kids.length === 1) return valueOf(kids[0], text);
  if (DURATION_NODES.has(n.name) && kids.length === 2 && kids[0].name === 'UnaryOp') {
    const v = valueOf(kids[1], text);
    return typeof v === 'number' && text(kids[0]).trim() === '-' ? -v : v;
  }
  // max_of(a, b) and min_of(a, b) (v3.13.0).
  if (DURATION_NODES.has(n.name) && kids.length === 3 && (kids[0].name === 'DurationMaxOf' || kids[0].name === 'DurationMinOf')) {
    const [a, b] = [valueOf(kids[1], text), valueOf(kids[2], text)];
    if (typeof a !== 'number') return a;
    return typeof b !== 'number' ? b : kids[0].name === 'DurationMaxOf' ? Math.max(a, b) : Math.min(a, b);
  }
  if (DURATION_NODES.has(n.name) && kids.length === 3 && Object.hasOwn(OPS, kids[1].name)) {
    const [op, divides] = [kids[1].name, kids[1].name === 'Div' || kids[1].name === 'Mod'];
    const zero = { at: kids[1].from, reason: `${op === 'Div' ? 'division' : 'modulo'} by zero` };
    // A literal 0 the parser refuses at the operator, before anything is evaluated (generated_parser.y); a computed one
    // the engine when it prepares the query (durations.go evaluateDurationExpr).
    if (divides && signedLiteral(kids[2]) && valueOf(kids[2], text) === 0) return { ...zero, invalid: true };
    const [a, b] = [valueOf(kids[0], text), valueOf(kids[2], text)];
    if (typeof a !== 'number') return a;
    if (typeof b !== 'number') return b;
    if (divides && b === 0) return { at: n.from, reason: `${zero.reason} (Prometheus 3 parses it, and fails every evaluation of the query)`, invalid: false };
    return OPS[op](a, b);
  }
  return { at: n.from, reason: `unsupported duration expression ${JSON.stringify(text(n))}`, invalid: false };
}

/** A literal, or a signed one, which Prometheus' parser reads as a number (not a parenthesis). */
function signedLiteral(n: Node): boolean {
  if (n.name === 'NumberDurationLiteralInDurationContext') return true;
  if (n.kids.length === 2 && n.kids[0].name === 'UnaryOp') return signedLiteral(n.kids[1]);
  return n.kids.length === 1 && n.kids[0].name === 'NumberDurationLiteralInDurationContext';
}

/** The spans (from, to) of the duration expressions of a query as Prometheus 3's grammar reads it, outermost only. */
export function durationExpressionSpans(query: string): { from: number; to: number }[] {
  const spans: { from: number; to: number }[] = [];
  const tree = parser.parse(query);
  tree.iterate({
    enter(c) {
      if (!DURATION_NODES.has(c.name)) return true;
      const kids: Node[] = [];
      for (let k = c.node.firstChild; k; k = k.nextSibling) kids.push(shallow(k));
      // One the grammar cannot read whole is left to the lexer, which refuses it as Prometheus 2.42 does.
      let broken = false;
      c.node.toTree().iterate({ enter: (k) => { broken ||= k.type.isError; } });
      if (!broken && isDurationExpression({ name: c.name, from: c.from, to: c.to, kids })) spans.push({ from: c.from, to: c.to });
      return false;
    },
  });
  return spans;
}

/** A lezer node with its children, to the depth isDurationExpression looks. */
function shallow(n: { name: string; from: number; to: number; firstChild: unknown; nextSibling: unknown }, depth = 2): Node {
  const kids: Node[] = [];
  if (depth > 0) for (let k = n.firstChild as typeof n | null; k; k = k.nextSibling as typeof n | null) kids.push(shallow(k, depth - 1));
  return { name: n.name, from: n.from, to: n.to, kids };
}

/** A warning for a query with duration expressions, or null: the 1-based columns where they start. */
export function durationExpressionWarning(query: string, refusal = 'refuses the query and the file'): string | null {
  const at = durationExpressionSpans(query).map((s) => s.from + 1);
  if (!at.length) return null;
  return `a duration expression at column ${at.join(', ')}: Prometheus 3's arithmetic in durations (3.4 and later with --enable-feature=promql-duration-expr, by default from 3.14), evaluated as Prometheus 3 evaluates it; Prometheus 2.42 ${refusal}`;
}

