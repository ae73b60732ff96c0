/**
 * Conditions over a measurement's `result`, in the subset of Argo Rollouts' expression language (expr-lang)
 * that analyses use in practice: `result[0] >= 0.95`, `len(result) == 0 || isNaN(result[0])`,
 * `all(result, {# < 500})`. Parsed into a tree and interpreted; never passed to eval.
 *
 *   or      = and { ("||" | "or") and }
 *   and     = not { ("&&" | "and") not }
 *   not     = ("!" | "not") not | compare
 *   compare = sum [ ("==" | "!=" | "<" | "<=" | ">" | ">=") sum ]
 *   sum     = product { ("+" | "-") product }
 *   product = unary { ("*" | "/" | "%") unary }
 *   unary   = "-" unary | postfix
 *   postfix = primary { "[" or "]" }
 *   primary = number | "true" | "false" | "nil" | "result" | "#" | name "(" [ arg { "," arg } ] ")" | "(" or ")"
 *   arg     = "{" or "}" | or
 *
 * Functions: len, isNaN, isInf, abs, min, max, asFloat, asInt, float, int, all, any, none, one, sum, count.
 */

export type CondValue = number | boolean | readonly number[] | null;

type Node =
  | { k: 'num'; v: number; at: number }
  | { k: 'bool'; v: boolean; at: number }
  | { k: 'nil'; at: number }
  | { k: 'result'; at: number }
  | { k: 'item'; at: number }
  | { k: 'index'; of: Node; index: Node; at: number }
  | { k: 'call'; fn: string; args: Node[]; at: number }
  | { k: 'unary'; op: '-' | '!'; x: Node; at: number }
  | { k: 'binary'; op: string; l: Node; r: Node; at: number };

/** A condition that does not parse: the column (1-based) and a caret line. */
export class ConditionSyntaxError extends Error {
  override name = 'ConditionSyntaxError';
  constructor(readonly source: string, readonly column: number, readonly reason: string) {
    super(`${reason} at column ${column}\n  ${source}\n  ${' '.repeat(column - 1)}^`);
  }
}

/** A condition that fails on this result (an index out of range, a list compared with a number): a measurement error. */
export class ConditionError extends Error {
  override name = 'ConditionError';
}

const FUNCTIONS = new Set(['len', 'isNaN', 'isInf', 'abs', 'min', 'max', 'asFloat', 'asInt', 'float', 'int', 'all', 'any', 'none', 'one', 'sum', 'count']);
const PREDICATES = new Set(['all', 'any', 'none', 'one', 'count']);

type Token = { t: 'num' | 'name' | 'op' | 'end'; v: string; at: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/.exec(src.slice(i));
    if (num) {
      out.push({ t: 'num', v: num[0], at: i });
      i += num[0].length;
      continue;
    }
    const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (name) {
      out.push({ t: 'name', v: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = /^(?:==|!=|<=|>=|&&|\|\||[<>!+\-*/%()[\],{}#])/.exec(src.slice(i));
    if (!op) throw new ConditionSyntaxError(src, i + 1, `unexpected ${JSON.stringify(c)}`);
    out.push({ t: 'op', v: op[0], at: i });
    i += op[0].length;
  }
  out.push({ t: 'end', v: '', at: src.length });
  return out;
}

export interface Condition {
  readonly source: string;
  readonly tree: Node;
}

export function parseCondition(source: string): Condition {
  const toks = tokenize(source);
  let p = 0;
  const peek = () => toks[p];
  const fail = (tok: Token, reason: string): never => {
    throw new ConditionSyntaxError(source, tok.at + 1, reason);
  };
  const accept = (v: string) => {
    const tok = peek();
    if ((tok.t === 'op' || tok.t === 'name') && tok.v === v) {
      p++;
      return true;
    }
    return false;
  };
  const expect = (v: string) => {
    if (!accept(v)) fail(peek(), peek().t === 'end' ? `expected "${v}" before the end` : `expected "${v}", got "${peek().v}"`);
  };

  const or = (): Node => {
    let l = and();
    for (let tok = peek(); accept('||') || accept('or'); tok = peek()) l = { k: 'binary', op: '||', l, r: and(), at: tok.at };
    return l;
  };
  const and = (): Node => {
    let l = not();
    for (let tok = peek(); accept('&&') || accept('and'); tok = peek()) l = { k: 'binary', op: '&&', l, r: not(), at: tok.at };
    return l;
  };
  const not = (): Node => {
    const tok = peek();
    if (accept('!') || accept('not')) return { k: 'unary', op: '!', x: not(), at: tok.at };
    return compare();
  };
  const compare = (): Node => {
    const l = sum();
    const tok = peek();
    if (tok.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(tok.v)) {
      p++;
      return { k: 'binary', op: tok.v, l, r: sum(), at: tok.at };
    }
    return l;
  };
  const sum = (): Node => {
    let l = product();
    for (let tok = peek(); tok.t === 'op' && (tok.v === '+' || tok.v === '-'); tok = peek()) {
      p++;
      l = { k: 'binary', op: tok.v, l, r: product(), at: tok.at };
    }
    return l;
  };
  const product = (): Node => {
    let l = unary();
    for (let tok = peek(); tok.t === 'op' && ['*', '/', '%'].includes(tok.v); tok = peek()) {
      p++;
      l = { k: 'binary', op: tok.v, l, r: unary(), at: tok.at };
    }
    return l;
  };
  const unary = (): Node => {
    const tok = peek();
    if (accept('-')) return { k: 'unary', op: '-', x: unary(), at: tok.at };
    return postfix();
  };
  const postfix = (): Node => {
    let x = primary();
    for (let tok = peek(); accept('['); tok = peek()) {
      const index = or();
      expect(']');
      x = { k: 'index', of: x, index, at: tok.at };
    }
    return x;
  };
  const primary = (): Node => {
    const tok = peek();
    if (tok.t === 'num') {
      p++;
      return { k: 'num', v: Number(tok.v), at: tok.at };
    }
    if (accept('(')) {
      const x = or();
      expect(')');
      return x;
    }
    if (accept('#')) return { k: 'item', at: tok.at };
    if (tok.t === 'name') {
      p++;
      if (tok.v === 'true' || tok.v === 'false') return { k: 'bool', v: tok.v === 'true', at: tok.at };
      if (tok.v === 'nil') return { k: 'nil', at: tok.at };
      if (tok.v === 'result') return { k: 'result', at: tok.at };
      if (peek().v === '(' && peek().t === 'op') {
        if (!FUNCTIONS.has(tok.v)) fail(tok, `unsupported function "${tok.v}"`);
        p++;
        const args: Node[] = [];
        if (!accept(')')) {
          do {
            if (accept('{')) {
              args.push(or());
              expect('}');
            } else args.push(or());
          } while (accept(','));
          expect(')');
        }
        return { k: 'call', fn: tok.v, args, at: tok.at };
      }
      return fail(tok, `unknown name "${tok.v}": a condition reads "result"`);
    }
    return fail(tok, tok.t === 'end' ? 'unexpected end of condition' : `unexpected "${tok.v}"`);
  };

  const tree = or();
  if (peek().t !== 'end') fail(peek(), `unexpected "${peek().v}"`);
  return { source, tree };
}

/** Evaluates a condition over a result; throws ConditionError when it cannot (Argo: the measurement errs). */
export function evalCondition(c: Condition, result: CondValue): boolean {
  const v = run(c.tree, result, undefined);
  if (typeof v !== 'boolean') throw new ConditionError(`condition "${c.source}" gave ${show(v)}, not true or false`);
  return v;
}

function show(v: CondValue): string {
  return Array.isArray(v) ? `[${v.join(', ')}]` : String(v);
}

function num(v: CondValue, what: string): number {
  if (typeof v !== 'number') throw new ConditionError(`${what} needs a number, got ${show(v)}`);
  return v;
}

function list(v: CondValue, what: string): readonly number[] {
  if (!Array.isArray(v)) throw new ConditionError(`${what} needs a list, got ${show(v)}`);
  return v;
}

function bool(v: CondValue, what: string): boolean {
  if (typeof v !== 'boolean') throw new ConditionError(`${what} needs true or false, got ${show(v)}`);
  return v;
}

function run(n: Node, result: CondValue, item: number | undefined): CondValue {
  switch (n.k) {
    case 'num': return n.v;
    case 'bool': return n.v;
    case 'nil': return null;
    case 'result': return result;
    case 'item':
      if (item === undefined) throw new ConditionError('"#" is only defined inside all/any/none/one/count');
      return item;
    case 'index': {
      const of = list(run(n.of, result, item), 'indexing');
      const i = num(run(n.index, result, item), 'an index');
      const k = i < 0 ? of.length + i : i;
      if (!Number.isInteger(k) || k < 0 || k >= of.length) throw new ConditionError(`index out of range: ${i} with length ${of.length}`);
      return of[k];
    }
    case 'unary': {
      const x = run(n.x, result, item);
      return n.op === '-' ? -num(x, 'minus') : !bool(x, '"!"');
    }
    case 'binary': {
      if (n.op === '&&') return bool(run(n.l, result, item), '"&&"') && bool(run(n.r, result, item), '"&&"');
      if (n.op === '||') return bool(run(n.l, result, item), '"||"') || bool(run(n.r, result, item), '"||"');
      const l = run(n.l, result, item), r = run(n.r, result, item);
      if (n.op === '==' || n.op === '!=') {
        const eq = Array.isArray(l) || Array.isArray(r) ? JSON.stringify(l) === JSON.stringify(r) : l === r;
        return n.op === '==' ? eq : !eq;
      }
      const a = num(l, `"${n.op}"`), b = num(r, `"${n.op}"`);
      switch (n.op) {
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        case '>=': return a >= b;
        case '+': return a + b;
        case '-': return a - b;
        case '*': return a * b;
        case '/': return a / b;
        case '%': return a % b;
      }
      throw new ConditionError(`unknown operator ${n.op}`);
    }
    case 'call': {
      const arg = (i: number) => run(n.args[i], result, item);
      const arity = (k: number) => {
        if (n.args.length !== k) throw new ConditionError(`${n.fn}() takes ${k} argument(s), got ${n.args.length}`);
      };
      if (PREDICATES.has(n.fn)) {
        arity(2);
        const xs = list(arg(0), `${n.fn}()`);
        const hits = xs.map((x) => bool(run(n.args[1], result, x), `${n.fn}()'s predicate`));
        switch (n.fn) {
          case 'all': return hits.every(Boolean);
          case 'any': return hits.some(Boolean);
          case 'none': return !hits.some(Boolean);
          case 'one': return hits.filter(Boolean).length === 1;
          default: return hits.filter(Boolean).length;
        }
      }
      switch (n.fn) {
        case 'len': arity(1); return list(arg(0), 'len()').length;
        case 'isNaN': arity(1); return Number.isNaN(num(arg(0), 'isNaN()'));
        case 'isInf': {
          const x = num(arg(0), 'isInf()');
          const sign = n.args.length > 1 ? num(arg(1), 'isInf()') : 0;
          return sign > 0 ? x === Infinity : sign < 0 ? x === -Infinity : !Number.isFinite(x) && !Number.isNaN(x);
        }
        case 'abs': arity(1); return Math.abs(num(arg(0), 'abs()'));
        case 'asFloat': case 'float': arity(1); return num(arg(0), `${n.fn}()`);
        case 'asInt': case 'int': arity(1); return Math.trunc(num(arg(0), `${n.fn}()`));
        case 'sum': arity(1); return list(arg(0), 'sum()').reduce((a, b) => a + b, 0);
        case 'min': case 'max': {
          const xs = n.args.length === 1 && Array.isArray(arg(0)) ? list(arg(0), `${n.fn}()`) : n.args.map((_, i) => num(arg(i), `${n.fn}()`));
          if (xs.length === 0) throw new ConditionError(`${n.fn}() of nothing`);
          return n.fn === 'min' ? Math.min(...xs) : Math.max(...xs);
        }
      }
      throw new ConditionError(`unsupported function ${n.fn}`);
    }
  }
}

export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

/**
 * A measurement's phase from its result, as Argo's evaluate.EvaluateResult decides it: no conditions is a
 * success; a missing failure condition fails when the success condition is false (and the other way round);
 * both false is inconclusive; a condition that cannot be evaluated is an error.
 */
export function measurementPhase(result: CondValue, success: Condition | null, failure: Condition | null): { phase: Phase; error?: string } {
  let ok = false, bad = false;
  try {
    if (success) ok = evalCondition(success, result);
    if (failure) bad = evalCondition(failure, result);
  } catch (e) {
    if (e instanceof ConditionError) return { phase: 'Error', error: e.message };
    throw e;
  }
  if (!success && !failure) return { phase: 'Successful' };
  if (success && !failure) bad = !ok;
  if (!success && failure) ok = !bad;
  if (bad) return { phase: 'Failed' };
  if (!ok) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}
