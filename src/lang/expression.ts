/**
 * Audience and targeting expressions over user attributes: `plan == "beta"`, `country in ["DE", "AT"]`,
 * `employee || (betaTester && platform != "web")`, `appVersion >= "5.12.0"`. A real parser, never eval.
 *
 * Grammar:
 *   expr    := and (("||" | "or") and)*
 *   and     := unary (("&&" | "and") unary)*
 *   unary   := ("!" | "not") unary | compare
 *   compare := operand (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") operand)?
 *   operand := identifier | string | number | "true" | "false" | "[" literal ("," literal)* "]" | "(" expr ")"
 * Strings are double- or single-quoted. Ordering of two strings that look like versions ("5.12.0") compares
 * them part by part as numbers; other strings compare as text.
 */
import { caretDisplay, quoted } from '../units/escape.js';

export type Value = string | number | boolean | Value[];
export type Attributes = Readonly<Record<string, string | number | boolean>>;
export type Predicate = (attrs: Attributes) => boolean;

export class ExpressionError extends Error {
  constructor(message: string, readonly column: number, readonly source: string) {
    super(message);
  }

  /** The message with the expression and a caret under the column (1-based). */
  pretty(): string {
    return `${this.message} at column ${this.column}\n${caretDisplay(this.source, this.column, '    ')}`;
  }
}

type Token = { kind: 'ident' | 'string' | 'number' | 'op' | 'punct' | 'end'; text: string; value?: Value; pos: number };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (c === '"' || c === "'") {
      let text = '';
      i++;
      while (i < src.length && src[i] !== c) {
        if (src[i] === '\\' && i + 1 < src.length) i++;
        text += src[i++];
      }
      if (i >= src.length) throw new ExpressionError('unterminated string', start + 1, src);
      i++;
      tokens.push({ kind: 'string', text: src.slice(start, i), value: text, pos: start });
    } else if (/[0-9]/.test(c) || (c === '-' && /[0-9]/.test(src[i + 1] ?? ''))) {
      i++;
      while (i < src.length && /[0-9.]/.test(src[i])) i++;
      const text = src.slice(start, i);
      if (!/^-?\d+(\.\d+)?$/.test(text)) throw new ExpressionError(`invalid number ${quoted(text)}`, start + 1, src);
      tokens.push({ kind: 'number', text, value: Number(text), pos: start });
    } else if (/[A-Za-z_]/.test(c)) {
      while (i < src.length && /[A-Za-z0-9_.-]/.test(src[i])) i++;
      tokens.push({ kind: 'ident', text: src.slice(start, i), pos: start });
    } else {
      const two = src.slice(i, i + 2);
      if (['==', '!=', '<=', '>=', '&&', '||'].includes(two)) {
        tokens.push({ kind: 'op', text: two, pos: start });
        i += 2;
      } else if ('<>!'.includes(c)) {
        tokens.push({ kind: 'op', text: c, pos: start });
        i++;
      } else if ('()[],'.includes(c)) {
        tokens.push({ kind: 'punct', text: c, pos: start });
        i++;
      } else if (c === '=') {
        throw new ExpressionError('"=" is not an operator; did you mean "=="?', start + 1, src);
      } else {
        throw new ExpressionError(`unexpected character ${quoted(c)}`, start + 1, src);
      }
    }
  }
  tokens.push({ kind: 'end', text: '', pos: src.length });
  return tokens;
}

type Node = (attrs: Attributes) => Value | undefined;

/** Accepts any attribute name (for syntax checks before the users' attributes are known). */
export const ANY_ATTRIBUTE: readonly string[] = Object.freeze([]);

/** Parses an expression against the attributes it may name; returns a predicate. */
export function parseExpression(src: string, attributes: readonly string[]): Predicate {
  const tokens = tokenize(src);
  let p = 0;
  const peek = () => tokens[p];
  const fail = (message: string, t = peek()): never => {
    throw new ExpressionError(message, t.pos + 1, src);
  };
  const isWord = (t: Token, w: string) => t.kind === 'ident' && t.text === w;
  const expect = (text: string) => {
    if (peek().text !== text) fail(`expected ${quoted(text)}${peek().kind === 'end' ? ' before the end' : ` but found ${quoted(peek().text)}`}`);
    p++;
  };

  const orExpr = (): Node => {
    let left = andExpr();
    while (peek().text === '||' || isWord(peek(), 'or')) {
      p++;
      const l = left, r = andExpr();
      left = (a) => truthy(l(a)) || truthy(r(a));
    }
    return left;
  };
  const andExpr = (): Node => {
    let left = unary();
    while (peek().text === '&&' || isWord(peek(), 'and')) {
      p++;
      const l = left, r = unary();
      left = (a) => truthy(l(a)) && truthy(r(a));
    }
    return left;
  };
  const unary = (): Node => {
    if (peek().text === '!' || (isWord(peek(), 'not') && !isWord(tokens[p + 1], 'in'))) {
      p++;
      const inner = unary();
      return (a) => !truthy(inner(a));
    }
    return compare();
  };
  const compare = (): Node => {
    const left = operand();
    const t = peek();
    let op: string | null = null;
    if (t.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) op = t.text;
    else if (isWord(t, 'in')) op = 'in';
    else if (isWord(t, 'not') && isWord(tokens[p + 1], 'in')) { op = 'not in'; p++; }
    if (!op) return left;
    p++;
    const right = operand();
    switch (op) {
      case '==': return (a) => equal(left(a), right(a));
      case '!=': return (a) => !equal(left(a), right(a));
      case 'in': return (a) => member(left(a), right(a));
      case 'not in': return (a) => !member(left(a), right(a));
      default: {
        const o = op;
        return (a) => {
          const c = order(left(a), right(a));
          if (c === null) return false;
          return o === '<' ? c < 0 : o === '<=' ? c <= 0 : o === '>' ? c > 0 : c >= 0;
        };
      }
    }
  };
  const literal = (): Value => {
    const t = peek();
    if (t.kind === 'string' || t.kind === 'number') { p++; return t.value!; }
    if (isWord(t, 'true') || isWord(t, 'false')) { p++; return t.text === 'true'; }
    return fail(t.kind === 'end' ? 'expected a value before the end' : `expected a value but found ${quoted(t.text)}`);
  };
  const operand = (): Node => {
    const t = peek();
    if (t.text === '(' && t.kind === 'punct') {
      p++;
      const inner = orExpr();
      expect(')');
      return inner;
    }
    if (t.text === '[' && t.kind === 'punct') {
      p++;
      const items: Value[] = [];
      if (peek().text !== ']') {
        items.push(literal());
        while (peek().text === ',') { p++; items.push(literal()); }
      }
      expect(']');
      return () => items;
    }
    if (t.kind === 'ident' && !['true', 'false'].includes(t.text)) {
      if (attributes !== ANY_ATTRIBUTE && !attributes.includes(t.text)) {
        const hint = attributes.find((a) => a.toLowerCase() === t.text.toLowerCase());
        fail(`unknown attribute ${quoted(t.text)}${hint ? `; did you mean ${quoted(hint)}?` : ` (attributes: ${attributes.join(', ')})`}`, t);
      }
      p++;
      const name = t.text;
      return (a) => a[name];
    }
    const v = literal();
    return () => v;
  };

  const root = orExpr();
  if (peek().kind !== 'end') fail(`unexpected ${quoted(peek().text)}`);
  return (attrs) => truthy(root(attrs));
}

function truthy(v: Value | undefined): boolean {
  return v === true || (typeof v === 'number' && v !== 0) || (typeof v === 'string' && v !== '');
}

function equal(a: Value | undefined, b: Value | undefined): boolean {
  if (typeof a === 'number' || typeof b === 'number') return Number(a) === Number(b);
  return a === b;
}

function member(a: Value | undefined, list: Value | undefined): boolean {
  return Array.isArray(list) && list.some((x) => equal(a, x));
}

const VERSION = /^\d+(\.\d+)*$/;

function order(a: Value | undefined, b: Value | undefined): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') {
    if (VERSION.test(a) && VERSION.test(b)) {
      const x = a.split('.').map(Number), y = b.split('.').map(Number);
      for (let i = 0; i < Math.max(x.length, y.length); i++) {
        const d = (x[i] ?? 0) - (y[i] ?? 0);
        if (d !== 0) return d;
      }
      return 0;
    }
    if (VERSION.test(a) !== VERSION.test(b)) return null;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'number' && typeof b === 'string' && b.trim() !== '' && !Number.isNaN(Number(b))) return a - Number(b);
  return null;
}
