/**
 * The syntax of conditions: the part of expr-lang (github.com/expr-lang/expr, the language Argo Rollouts
 * evaluates successCondition and failureCondition in) that analyses use. Operators and their precedence are
 * expr-lang's (parser/operator/operator.go): a unary operator takes an operand parsed at its own precedence,
 * so `!a == b` is `(!a) == b`, as in expr-lang.
 *
 *   expr     = binary [ "?" expr ":" expr ]
 *   binary   = unary { op binary }                precedence climbing over the table below
 *   unary    = ("!" | "not" | "-" | "+") binary | postfix
 *   postfix  = primary { "." name | "?." name | "[" expr "]" }
 *   primary  = number | string | "true" | "false" | "nil" | name | "#" | "." name (inside a predicate)
 *            | name "(" [ arg { "," arg } ] ")" | "(" expr ")" | "[" [ expr { "," expr } ] "]"
 *   arg      = "{" expr "}" | expr                a predicate of all/any/none/one/filter/map/count/find
 *
 *   or || 10   and && 15   == != < > <= >= in "not in" contains startsWith endsWith 20   + - 30
 *   * / % 60   ** ^ 100 (right)   ?? 500
 */
import { caretDisplay, quoted } from '../units/escape.js';

export type Node =
  | { k: 'lit'; v: null | boolean | number | string; at: number; raw?: string }
  | { k: 'name'; name: string; at: number }
  | { k: 'item'; at: number }
  | { k: 'member'; of: Node; name: string; optional: boolean; at: number }
  | { k: 'index'; of: Node; index: Node; at: number }
  | { k: 'call'; fn: string; args: Node[]; at: number }
  | { k: 'unary'; op: string; x: Node; at: number }
  | { k: 'binary'; op: string; l: Node; r: Node; at: number }
  | { k: 'cond'; test: Node; then: Node; else: Node; at: number }
  | { k: 'array'; items: Node[]; at: number };

/** A condition that does not parse: the column (1-based) and a caret line. */
export class ConditionSyntaxError extends Error {
  override name = 'ConditionSyntaxError';
  constructor(readonly source: string, readonly column: number, readonly reason: string) {
    super(`${reason} at column ${column}\n${caretDisplay(source, column, '  ')}`);
  }
}

export interface Condition {
  readonly source: string;
  readonly tree: Node;
}

/** Names a condition may read: `result` and the functions of Argo's environment and expr-lang's builtins. */
export const VARIABLES = new Set(['result']);
export const FUNCTIONS = new Set([
  // Argo Rollouts' environment (utils/evaluate/evaluate.go EvalCondition)
  'asInt', 'asFloat', 'isNaN', 'isInf', 'isNil', 'default',
  // expr-lang builtins
  'len', 'all', 'any', 'none', 'one', 'filter', 'map', 'count', 'find', 'sum', 'mean', 'median', 'min', 'max',
  'abs', 'ceil', 'floor', 'round', 'int', 'float', 'string', 'first', 'last', 'keys', 'values',
]);
/** Builtins whose second argument is a predicate over `#`. */
export const PREDICATES = new Set(['all', 'any', 'none', 'one', 'filter', 'map', 'count', 'find']);

const BINARY: Record<string, { prec: number; right?: boolean }> = {
  or: { prec: 10 }, '||': { prec: 10 }, and: { prec: 15 }, '&&': { prec: 15 },
  '==': { prec: 20 }, '!=': { prec: 20 }, '<': { prec: 20 }, '>': { prec: 20 }, '<=': { prec: 20 }, '>=': { prec: 20 },
  in: { prec: 20 }, 'not in': { prec: 20 }, contains: { prec: 20 }, startsWith: { prec: 20 }, endsWith: { prec: 20 },
  '+': { prec: 30 }, '-': { prec: 30 }, '*': { prec: 60 }, '/': { prec: 60 }, '%': { prec: 60 },
  '**': { prec: 100, right: true }, '^': { prec: 100, right: true }, '??': { prec: 500 },
};
const UNARY: Record<string, number> = { '!': 50, not: 50, '-': 90, '+': 90 };
const UNSUPPORTED = new Set(['matches', 'let', '..']);

type Token = { t: 'num' | 'str' | 'name' | 'op' | 'end'; v: string; at: number };

const STRING_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', '0': '\0' };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d[\d_]*\.?[\d_]*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num && !(num[0].endsWith('.') && src[i + num[0].length] === '.')) {
      out.push({ t: 'num', v: num[0].replace(/_/g, ''), at: i });
      i += num[0].length;
      continue;
    }
    if (c === '"' || c === "'") {
      let j = i + 1;
      let text = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const e = src[j + 1];
          if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(src.slice(j + 2, j + 6))) {
            text += String.fromCharCode(parseInt(src.slice(j + 2, j + 6), 16));
            j += 6;
            continue;
          }
          if (e === undefined || STRING_ESCAPES[e] === undefined) throw new ConditionSyntaxError(src, j + 1, 'unknown escape in a string');
          text += STRING_ESCAPES[e];
          j += 2;
        } else text += src[j++];
      }
      if (j >= src.length) throw new ConditionSyntaxError(src, i + 1, 'a string that is not closed');
      out.push({ t: 'str', v: text, at: i });
      i = j + 1;
      continue;
    }
    const name = /^[A-Za-z_$][A-Za-z0-9_$]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = /^(?:\?\.|\?\?|\*\*|\.\.|==|!=|<=|>=|&&|\|\||[<>!+\-*/%^()[\],{}#.:?|])/.exec(src.slice(i));
    if (!op) throw new ConditionSyntaxError(src, i + 1, `unexpected ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op[0], at: i });
    i += op[0].length;
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

/** Expressions inside expressions, at most: brackets, parentheses, operands of operators. */
const MAX_CONDITION_NESTING = 200;

/** Parses a condition; throws ConditionSyntaxError with the column of what does not parse (or names nothing). */
export function parseCondition(source: string): Condition {
  const toks = tokenize(source);
  let p = 0;
  let depth = 0; // inside a predicate, `#` and `.name` are the current element
  const peek = (k = 0) => toks[Math.min(p + k, toks.length - 1)];
  const fail = (tok: Token, reason: string): never => {
    throw new ConditionSyntaxError(source, tok.at + 1, reason);
  };
  const isOp = (tok: Token, v: string) => (tok.t === 'op' || tok.t === 'name') && tok.v === v;
  const accept = (v: string) => (isOp(peek(), v) ? (p++, true) : false);
  const expect = (v: string) => {
    if (!accept(v)) fail(peek(), peek().t === 'end' ? `expected ${quoted(v)} before the end` : `expected ${quoted(v)}, got ${quoted(peek().v)}`);
  };

  /** The binary operator at the cursor, if any ("not in" is two tokens). */
  const binaryAt = (): { op: string; width: number } | null => {
    const tok = peek();
    if (tok.t === 'name' && tok.v === 'not' && isOp(peek(1), 'in')) return { op: 'not in', width: 2 };
    if ((tok.t === 'op' || tok.t === 'name') && BINARY[tok.v]) return { op: tok.v, width: 1 };
    if ((tok.t === 'op' || tok.t === 'name') && UNSUPPORTED.has(tok.v)) fail(tok, `${quoted(tok.v)} is not supported in a condition`);
    return null;
  };

  let nested = 0;
  const expression = (prec: number): Node => {
    // Brackets thousands deep overflowed the stack (a RangeError with a stack, exit 1): refused as a scenario's
    // own nesting is (scenario/parse.ts MAX_NESTING).
    if (++nested > MAX_CONDITION_NESTING) fail(peek(), `nesting too deep (more than ${MAX_CONDITION_NESTING} levels)`);
    const node = expressionAt(prec);
    nested--;
    return node;
  };
  const expressionAt = (prec: number): Node => {
    let left = primary();
    for (let b = binaryAt(); b && BINARY[b.op].prec >= prec; b = binaryAt()) {
      const at = peek().at;
      p += b.width;
      const right = expression(BINARY[b.op].right ? BINARY[b.op].prec : BINARY[b.op].prec + 1);
      left = { k: 'binary', op: b.op, l: left, r: right, at };
    }
    if (prec === 0 && isOp(peek(), '?')) {
      const at = peek().at;
      p++;
      const then = expression(0);
      expect(':');
      left = { k: 'cond', test: left, then, else: expression(0), at };
    }
    return left;
  };

  const postfix = (node: Node): Node => {
    for (;;) {
      const tok = peek();
      if (isOp(tok, '.') || isOp(tok, '?.')) {
        p++;
        const name = peek();
        if (name.t !== 'name') fail(name, 'expected a field name after "."');
        p++;
        if (isOp(peek(), '(')) fail(name, `methods cannot be called in a condition ("${name.v}()")`);
        node = { k: 'member', of: node, name: name.v, optional: tok.v === '?.', at: tok.at };
      } else if (isOp(tok, '[')) {
        p++;
        const index = expression(0);
        if (isOp(peek(), ':')) fail(peek(), 'slices are not supported in a condition');
        expect(']');
        node = { k: 'index', of: node, index, at: tok.at };
      } else return node;
    }
  };

  const primary = (): Node => {
    const tok = peek();
    if ((tok.t === 'op' || tok.t === 'name') && UNARY[tok.v] !== undefined && !(tok.v === 'not' && isOp(peek(1), 'in'))) {
      p++;
      return postfix({ k: 'unary', op: tok.v === 'not' ? '!' : tok.v, x: expression(UNARY[tok.v]), at: tok.at });
    }
    if (accept('(')) {
      const x = expression(0);
      expect(')');
      return postfix(x);
    }
    if (isOp(tok, '#') || (isOp(tok, '.') && peek(1).t === 'name')) {
      if (depth === 0) fail(tok, 'the current element ("#" or ".field") exists only inside a predicate');
      if (tok.v === '#') p++;
      return postfix({ k: 'item', at: tok.at });
    }
    if (tok.t === 'num') {
      p++;
      return postfix({ k: 'lit', v: Number(tok.v), at: tok.at, raw: tok.v });
    }
    if (tok.t === 'str') {
      p++;
      return postfix({ k: 'lit', v: tok.v, at: tok.at });
    }
    if (accept('[')) {
      const items: Node[] = [];
      if (!accept(']')) {
        do items.push(expression(0));
        while (accept(','));
        expect(']');
      }
      return postfix({ k: 'array', items, at: tok.at });
    }
    if (tok.t === 'name') {
      p++;
      if (tok.v === 'true' || tok.v === 'false') return postfix({ k: 'lit', v: tok.v === 'true', at: tok.at });
      if (tok.v === 'nil') return postfix({ k: 'lit', v: null, at: tok.at });
      if (isOp(peek(), '(')) {
        if (!FUNCTIONS.has(tok.v)) fail(tok, `unknown function ${quoted(tok.v)}`);
        p++;
        const args: Node[] = [];
        if (!accept(')')) {
          do {
            const predicate = args.length === 1 && PREDICATES.has(tok.v);
            if (predicate) depth++;
            if (accept('{')) {
              args.push(expression(0));
              expect('}');
            } else args.push(expression(0));
            if (predicate) depth--;
          } while (accept(','));
          expect(')');
        }
        return postfix({ k: 'call', fn: tok.v, args, at: tok.at });
      }
      if (!VARIABLES.has(tok.v)) fail(tok, `unknown name ${tok.v}: a condition reads "result"`);
      return postfix({ k: 'name', name: tok.v, at: tok.at });
    }
    return fail(tok, tok.t === 'end' ? 'unexpected end of condition' : `unexpected ${quoted(tok.v)}`);
  };

  const tree = expression(0);
  if (peek().t !== 'end') fail(peek(), `unexpected ${quoted(peek().v)}`);
  return { source, tree };
}
