/**
 * Conditions over a measurement's `result`, as Argo Rollouts evaluates successCondition and failureCondition
 * (utils/evaluate/evaluate.go in argoproj/argo-rollouts, over expr-lang): `result[0] >= 0.95`,
 * `len(result) == 0 || isNaN(result[0])`, `all(result, {# < 500})`, `result.Status == "ok"`,
 * `default(result, 0) > 1`. The syntax is in condition-parse.ts; here the tree is interpreted, never passed to
 * eval. A condition that cannot be evaluated on a result (an index out of range, a list compared with a
 * number, asInt("1.1")) throws ConditionError: Argo's measurement Error.
 */
import { type Condition, type Node, PREDICATES } from './condition-parse.js';

export { ConditionSyntaxError, parseCondition, type Condition } from './condition-parse.js';

/** What a result can be: Prometheus gives a number or a list of numbers; other providers maps and strings. */
export type CondValue = null | boolean | number | string | readonly CondValue[] | { readonly [key: string]: CondValue };

/** A condition that fails on this result: a measurement error. */
export class ConditionError extends Error {
  override name = 'ConditionError';
}

/** A value's type, named as Go names it in expr-lang's messages. */
type Kind = 'nil' | 'bool' | 'float64' | 'string' | '[]interface {}' | 'map[string]interface {}';

function kind(v: CondValue): Kind {
  if (v === null) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'string') return 'string';
  return Array.isArray(v) ? '[]interface {}' : 'map[string]interface {}';
}

function show(v: CondValue): string {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  return JSON.stringify(v) ?? String(v);
}

const num = (v: CondValue, what: string): number => {
  if (typeof v !== 'number') throw new ConditionError(`${what} needs a number, got ${kind(v)} ${show(v)}`);
  return v;
};
const list = (v: CondValue, what: string): readonly CondValue[] => {
  if (!Array.isArray(v)) throw new ConditionError(`${what} needs an array, got ${kind(v)} ${show(v)}`);
  return v;
};
const bool = (v: CondValue, what: string): boolean => {
  if (typeof v !== 'boolean') throw new ConditionError(`${what} needs a bool, got ${kind(v)} ${show(v)}`);
  return v;
};
const str = (v: CondValue, what: string): string => {
  if (typeof v !== 'string') throw new ConditionError(`${what} needs a string, got ${kind(v)} ${show(v)}`);
  return v;
};

function equal(a: CondValue, b: CondValue): boolean {
  if (a === null || b === null) return a === b;
  const ka = kind(a), kb = kind(b);
  if (ka !== kb) throw new ConditionError(`invalid operation: == (mismatched types ${ka} and ${kb})`);
  if (ka === '[]interface {}') {
    const x = a as readonly CondValue[], y = b as readonly CondValue[];
    return x.length === y.length && x.every((v, i) => kind(v) === kind(y[i]) && equal(v, y[i]));
  }
  if (ka === 'map[string]interface {}') return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
}

/** Go's strconv.ParseInt(s, 10, 64) and ParseFloat(s, 64): the whole string, or an error. */
function parseIntStrict(s: string): number {
  if (!/^[+-]?\d+$/.test(s)) throw new ConditionError(`strconv.ParseInt: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(s);
}
function parseFloatStrict(s: string): number {
  const t = s.trim() === s ? s : '';
  if (/^[+-]?(inf|infinity)$/i.test(t)) return t.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(t)) return NaN;
  if (!/^[+-]?(\d[\d_]*\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) throw new ConditionError(`strconv.ParseFloat: parsing ${JSON.stringify(s)}: invalid syntax`);
  return Number(t.replace(/_/g, ''));
}

/** Whether expr-lang types the expression as an integer: int literals, len, count, asInt, int, and int arithmetic. */
function isInt(n: Node): boolean {
  switch (n.k) {
    case 'lit': return typeof n.v === 'number' && Number.isInteger(n.v) && !/[.eE]/.test(String(n.raw ?? ''));
    case 'call': return ['len', 'count', 'asInt', 'int'].includes(n.fn);
    case 'unary': return n.op !== '!' && isInt(n.x);
    case 'binary': return ['+', '-', '*', '%'].includes(n.op) && isInt(n.l) && isInt(n.r);
    case 'cond': return isInt(n.then) && isInt(n.else);
    default: return false;
  }
}

/** Evaluates a condition over a result; throws ConditionError when it cannot (Argo: the measurement errs). */
export function evalCondition(c: Condition, result: CondValue): boolean {
  const v = run(c.tree, result, undefined);
  if (typeof v !== 'boolean') throw new ConditionError(`expected bool, but got ${typeof v === 'number' ? (isInt(c.tree) ? 'int' : 'float64') : kind(v)}`);
  return v;
}

function run(n: Node, result: CondValue, item: CondValue | undefined): CondValue {
  const ev = (x: Node) => run(x, result, item);
  switch (n.k) {
    case 'lit': return n.v;
    case 'name': return result;
    case 'item':
      if (item === undefined) throw new ConditionError('"#" is only defined inside a predicate');
      return item;
    case 'array': return n.items.map(ev);
    case 'member': {
      const of = ev(n.of);
      if (of === null && n.optional) return null;
      if (of === null || typeof of !== 'object' || Array.isArray(of)) throw new ConditionError(`cannot fetch ${n.name} from ${kind(of)}`);
      return Object.hasOwn(of, n.name) ? (of as Record<string, CondValue>)[n.name] : null;
    }
    case 'index': {
      const of = ev(n.of), i = ev(n.index);
      if (Array.isArray(of)) {
        const x = num(i, 'an index');
        const k = x < 0 ? of.length + x : x;
        if (!Number.isInteger(k) || k < 0 || k >= of.length) throw new ConditionError(`index out of range: ${x} (array length ${of.length})`);
        return of[k];
      }
      if (of !== null && typeof of === 'object') {
        const key = str(i, 'a map key');
        return Object.hasOwn(of, key) ? (of as Record<string, CondValue>)[key] : null;
      }
      if (typeof of === 'string') {
        const x = num(i, 'an index');
        const k = x < 0 ? of.length + x : x;
        if (!Number.isInteger(k) || k < 0 || k >= of.length) throw new ConditionError(`index out of range: ${x} (string length ${of.length})`);
        return of[k];
      }
      throw new ConditionError(`cannot index ${kind(of)} ${show(of)}`);
    }
    case 'unary': {
      const x = ev(n.x);
      if (n.op === '!') return !bool(x, '"!"');
      return n.op === '-' ? -num(x, 'unary -') : num(x, 'unary +');
    }
    case 'cond': return bool(ev(n.test), 'a ternary') ? ev(n.then) : ev(n.else);
    case 'binary':
      // expr-lang's checker: % takes integers only; a Prometheus result is a float64 (checker.go BinaryNode).
      if (n.op === '%' && !(isInt(n.l) && isInt(n.r))) throw new ConditionError('invalid operation: % (mismatched types float64 and int)');
      return binary(n.op, n.l, n.r, ev);
    case 'call': return call(n, result, item);
  }
}

function binary(op: string, ln: Node, rn: Node, ev: (x: Node) => CondValue): CondValue {
  if (op === '&&' || op === 'and') return bool(ev(ln), `"${op}"`) && bool(ev(rn), `"${op}"`);
  if (op === '||' || op === 'or') return bool(ev(ln), `"${op}"`) || bool(ev(rn), `"${op}"`);
  if (op === '??') {
    const l = ev(ln);
    return l !== null ? l : ev(rn);
  }
  const l = ev(ln), r = ev(rn);
  switch (op) {
    case '==': return equal(l, r);
    case '!=': return !equal(l, r);
    case 'in': case 'not in': {
      let found: boolean;
      if (Array.isArray(r)) found = r.some((x) => (x === null || l === null || kind(x) === kind(l)) && equal(x, l));
      else if (r !== null && typeof r === 'object') found = Object.hasOwn(r, str(l, '"in" over a map'));
      else throw new ConditionError(`operator "in" not defined on ${kind(r)}`);
      return op === 'in' ? found : !found;
    }
    case 'contains': return str(l, '"contains"').includes(str(r, '"contains"'));
    case 'startsWith': return str(l, '"startsWith"').startsWith(str(r, '"startsWith"'));
    case 'endsWith': return str(l, '"endsWith"').endsWith(str(r, '"endsWith"'));
    case '+':
      if (typeof l === 'string' && typeof r === 'string') return l + r;
      return num(l, '"+"') + num(r, '"+"');
    case '<': case '<=': case '>': case '>=': {
      if (typeof l === 'string' && typeof r === 'string') return op === '<' ? l < r : op === '<=' ? l <= r : op === '>' ? l > r : l >= r;
      const a = num(l, `"${op}"`), b = num(r, `"${op}"`);
      return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
    }
  }
  const a = num(l, `"${op}"`), b = num(r, `"${op}"`);
  switch (op) {
    case '-': return a - b;
    case '*': return a * b;
    case '/': return a / b;
    case '%':
      if (!Number.isInteger(a) || !Number.isInteger(b)) throw new ConditionError('invalid operation: % needs whole numbers');
      if (b === 0) throw new ConditionError('integer divide by zero');
      return a % b;
    default: return a ** b; // ** and ^
  }
}

function call(n: Extract<Node, { k: 'call' }>, result: CondValue, item: CondValue | undefined): CondValue {
  const arg = (i: number) => run(n.args[i], result, item);
  const arity = (min: number, max = min) => {
    if (n.args.length < min || n.args.length > max) throw new ConditionError(`${n.fn}() takes ${min === max ? min : `${min} to ${max}`} argument(s), got ${n.args.length}`);
  };
  if (PREDICATES.has(n.fn)) {
    arity(2);
    const xs = list(arg(0), `${n.fn}()`);
    const each = (x: CondValue) => run(n.args[1], result, x);
    const test = (x: CondValue) => bool(each(x), `${n.fn}()'s predicate`);
    switch (n.fn) {
      case 'all': return xs.every(test);
      case 'any': return xs.some(test);
      case 'none': return !xs.some(test);
      case 'one': return xs.filter(test).length === 1;
      case 'filter': return xs.filter(test);
      case 'map': return xs.map(each);
      case 'find': return xs.find(test) ?? null;
      default: return xs.filter(test).length; // count
    }
  }
  const numbers = (what: string): number[] => {
    const xs = n.args.length === 1 && Array.isArray(arg(0)) ? list(arg(0), what) : n.args.map((_, i) => arg(i));
    return xs.map((x) => num(x, what));
  };
  switch (n.fn) {
    // Argo's environment: isNil and default look at the whole result, whatever their first argument.
    case 'isNil': arity(1); return result === null;
    case 'default': arity(2); return result === null ? arg(1) : result;
    case 'asInt': {
      arity(1);
      const x = arg(0);
      if (typeof x === 'string') return parseIntStrict(x);
      return Math.trunc(num(x, 'asInt()'));
    }
    case 'asFloat': {
      arity(1);
      const x = arg(0);
      return typeof x === 'string' ? parseFloatStrict(x) : num(x, 'asFloat()');
    }
    case 'isNaN': arity(1); return Number.isNaN(num(arg(0), 'isNaN()'));
    case 'isInf': { arity(1); const x = num(arg(0), 'isInf()'); return x === Infinity || x === -Infinity; }
    // expr-lang builtins
    case 'len': {
      arity(1);
      const x = arg(0);
      if (typeof x === 'string' || Array.isArray(x)) return x.length;
      if (x !== null && typeof x === 'object') return Object.keys(x).length;
      throw new ConditionError(`invalid argument for len (type ${kind(x)})`);
    }
    case 'sum': arity(1); return numbers('sum()').reduce((a, b) => a + b, 0);
    case 'mean': { arity(1); const xs = numbers('mean()'); return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0; }
    case 'median': {
      arity(1);
      const xs = [...numbers('median()')].sort((a, b) => a - b);
      if (xs.length === 0) return 0;
      const h = xs.length >> 1;
      return xs.length % 2 ? xs[h] : (xs[h - 1] + xs[h]) / 2;
    }
    case 'min': case 'max': {
      const xs = numbers(`${n.fn}()`);
      if (xs.length === 0) throw new ConditionError(`${n.fn}() of nothing`);
      return n.fn === 'min' ? Math.min(...xs) : Math.max(...xs);
    }
    case 'abs': arity(1); return Math.abs(num(arg(0), 'abs()'));
    case 'ceil': arity(1); return Math.ceil(num(arg(0), 'ceil()'));
    case 'floor': arity(1); return Math.floor(num(arg(0), 'floor()'));
    case 'round': arity(1); { const x = num(arg(0), 'round()'); return Math.sign(x) * Math.round(Math.abs(x)); }
    case 'int': { arity(1); const x = arg(0); return typeof x === 'string' ? parseIntStrict(x) : Math.trunc(num(x, 'int()')); }
    case 'float': { arity(1); const x = arg(0); return typeof x === 'string' ? parseFloatStrict(x) : num(x, 'float()'); }
    case 'string': arity(1); { const x = arg(0); return typeof x === 'string' ? x : show(x); }
    case 'first': arity(1); { const xs = list(arg(0), 'first()'); return xs.length ? xs[0] : null; }
    case 'last': arity(1); { const xs = list(arg(0), 'last()'); return xs.length ? xs[xs.length - 1] : null; }
    case 'keys': case 'values': {
      arity(1);
      const x = arg(0);
      if (x === null || typeof x !== 'object' || Array.isArray(x)) throw new ConditionError(`${n.fn}() needs a map, got ${kind(x)}`);
      const keys = Object.keys(x).sort();
      return n.fn === 'keys' ? keys : keys.map((k) => (x as Record<string, CondValue>)[k]);
    }
  }
  throw new ConditionError(`unsupported function ${n.fn}`);
}

export type Phase = 'Successful' | 'Failed' | 'Inconclusive' | 'Error';

const nilOrEmpty = (r: CondValue) => r === null || (Array.isArray(r) && r.length === 0);

/**
 * A measurement's phase from its result, as Argo's evaluate.EvaluateResult decides it: no conditions is a
 * success; a missing failure condition fails when the success condition is false (and the other way round);
 * both false is inconclusive; failure wins when both are true; a condition that cannot be evaluated is an error.
 */
export function measurementPhase(result: CondValue, success: Condition | null, failure: Condition | null): { phase: Phase; error?: string } {
  let ok = false, bad = false;
  for (const [which, c] of [['successCondition', success], ['failureCondition', failure]] as const) {
    if (!c) continue;
    try {
      const v = evalCondition(c, result);
      if (which === 'successCondition') ok = v;
      else bad = v;
    } catch (e) {
      if (!(e instanceof ConditionError)) throw e;
      const why = nilOrEmpty(result) ? 'metric result is nil or empty: no data returned from the metric provider' : e.message;
      return { phase: 'Error', error: `could not evaluate ${which} "${c.source}": ${why}` };
    }
  }
  if (!success && !failure) return { phase: 'Successful' };
  if (success && !failure) bad = !ok;
  if (!success && failure) ok = !bad;
  if (bad) return { phase: 'Failed' };
  if (!ok) return { phase: 'Inconclusive' };
  return { phase: 'Successful' };
}
