/**
 * flagd's list operations (some, all, none, filter, map, reduce) as Go flagd runs them: diegoholiveira/jsonlogic
 * v3.9.1 (the version open-feature/flagd core/go.mod pins, core v0.15.5 to v0.16.1), lists.go and vars.go. Each
 * reads `var` in its own scope, unlike json-logic-engine under flagd-core (where every `var` inside reads the
 * element and `../` steps out):
 *
 * - some: every `var` in the test is first looked up in the outer data (solveVars(parsed[1], data)), and one
 *   found there is fixed for every element; the rest are then looked up in the element (solveVars(logic, value)).
 * - none and filter: looked up in the outer data first (solveVars(parsed[1], data)), the rest in the element.
 * - all: looked up in the element only (solveVars(parsed[1], value)).
 * - map: in the element only (parseValues(parsed[1], value)).
 * - reduce: in {current, accumulator, valueType} only: no outer data; a null element is skipped, and the
 *   accumulator is kept in the type of the initial value (a bool, number or text; anything else is an error).
 *
 * solveVars leaves a `var` of "" or of a text starting with "." to the element (".name" is the element's name),
 * and replaces a `var` whose lookup gives anything but null by the value itself, which Go then reads as logic: a
 * value that is an object of one key is taken for an operation (an unknown one is an error), an object of none
 * or several keys is a literal. A `var` with a default (["name", "x"]) always gives something, so it is never
 * looked up in the element. A list written in place as the first argument is used as written, not evaluated
 * (extractSubject). An error anywhere (Go panics: a subject that is not a list, a missing test) is an error of
 * the evaluation.
 */
import { GO_OPERATION, runGoOperation } from './go-ops.js';
import { goNumber, goVar, type Engine, type Method } from './own-properties.js';

type Json = Record<string, unknown>;
const isMap = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

/** typing.IsTrue: a bool; a number not 0 (NaN is true); a text, list or object not empty. */
export function goTrue(x: unknown): boolean {
  if (typeof x === 'boolean') return x;
  if (typeof x === 'number') return x !== 0;
  if (typeof x === 'string') return x.length > 0;
  if (Array.isArray(x)) return x.length > 0;
  if (isMap(x)) return Object.keys(x).length > 0;
  return false;
}

/**
 * An object Go's apply reads as a literal value (one of no key or several), written for flagd-core's engine as
 * `{"preserve": "<mark><its JSON>"}`: flagd-core checks every object of a rule for an operation at load, so the
 * object itself cannot be put in. `preserve`, which is no flagd operation, is made to read only that.
 */
const LITERAL = '\u0000rehearse literal:';
export const goLiteral = (value: Json): Json => ({ preserve: LITERAL + JSON.stringify(value) });

/** A value found by solveVars, put in the logic as Go reads it there (parseValues/apply). */
function asLogic(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(asLogic);
  if (isMap(value)) return Object.keys(value).length === 1 ? value : goLiteral(value);
  return value;
}

/** vars.go solveVars: each `var` found in `data` replaced by its value. */
export function solveVars(logic: unknown, data: unknown, engine: Engine): unknown {
  if (isMap(logic)) {
    const out: Json = {};
    for (const [key, value] of Object.entries(logic)) {
      if (key === 'var') {
        if (typeof value === 'string' && (value === '' || value.startsWith('.'))) {
          out.var = value;
          continue;
        }
        const found = goVar(value, data, engine);
        if (found !== null && found !== undefined) return asLogic(found);
        out.var = value;
      } else if (key === 'preserve' && typeof value === 'string' && value.startsWith(LITERAL)) {
        out[key] = value;
      } else {
        out[key] = solveVars(value, data, engine);
      }
    }
    return out;
  }
  if (Array.isArray(logic)) return logic.map((x) => solveVars(x, data, engine));
  return logic;
}

const fail = (what: string): never => {
  throw new Error(what);
};

/** lists.go extractSubject: a list written in place as it is; an operation's result; anything else nothing. */
function subjectOf(parsed: unknown[], data: unknown, above: unknown[], engine: Engine): unknown {
  if (parsed.length === 0) fail('index out of range');
  const first = parsed[0];
  if (Array.isArray(first)) return first;
  if (isMap(first)) return run(first, data, above, engine);
  return null;
}

function run(logic: unknown, data: unknown, above: unknown[], engine: Engine): unknown {
  return engine.run(logic, data, { above });
}

/** apply(rules, data): rules must be an object (Go's type assertion). */
function applyMap(logic: unknown, data: unknown, above: unknown[], engine: Engine): unknown {
  if (!isMap(logic)) fail('interface conversion: the test is not an object');
  return run(logic, data, above, engine);
}

function listOf(subject: unknown): unknown[] {
  if (!Array.isArray(subject)) fail('interface conversion: the subject is not a list');
  return subject as unknown[];
}

function argsOf(values: unknown): unknown[] {
  if (!Array.isArray(values)) fail('interface conversion: the arguments are not a list');
  return values as unknown[];
}

function some(values: unknown, data: unknown, above: unknown[], engine: Engine): boolean {
  const parsed = argsOf(values);
  const subject = subjectOf(parsed, data, above, engine);
  if (!goTrue(subject)) return false;
  if (parsed.length < 2) fail('index out of range');
  const logic = solveVars(parsed[1], data, engine);
  for (const value of listOf(subject)) {
    if (goTrue(applyMap(solveVars(logic, value, engine), value, above, engine))) return true;
  }
  return false;
}

function all(values: unknown, data: unknown, above: unknown[], engine: Engine): boolean {
  const parsed = argsOf(values);
  const subject = subjectOf(parsed, data, above, engine);
  if (!goTrue(subject)) return false;
  for (const value of listOf(subject)) {
    if (parsed.length < 2) fail('index out of range');
    if (!goTrue(applyMap(solveVars(parsed[1], value, engine), value, above, engine))) return false;
  }
  return true;
}

function none(values: unknown, data: unknown, above: unknown[], engine: Engine): boolean {
  const parsed = argsOf(values);
  const subject = subjectOf(parsed, data, above, engine);
  if (!goTrue(subject)) return true;
  if (parsed.length < 2) fail('index out of range');
  const conditions = solveVars(parsed[1], data, engine);
  for (const value of listOf(subject)) {
    if (goTrue(applyMap(conditions, value, above, engine))) return false;
  }
  return true;
}

function filter(values: unknown, data: unknown, above: unknown[], engine: Engine): unknown[] {
  const parsed = argsOf(values);
  if (parsed.length < 2) return [];
  const subject = subjectOf(parsed, data, above, engine);
  if (subject === null || subject === undefined) return [];
  const logic = solveVars(parsed[1], data, engine);
  return listOf(subject).filter((value) => goTrue(run(logic, value, above, engine)));
}

function map(values: unknown, data: unknown, above: unknown[], engine: Engine): unknown[] {
  const parsed = argsOf(values);
  if (parsed.length < 2) return [];
  const subject = subjectOf(parsed, data, above, engine);
  if (subject === null || subject === undefined) return [];
  return listOf(subject).map((value) => run(parsed[1], value, above, engine));
}

/** typing.ToNumber: a text parsed (0 where it is no number), a number itself, anything else an error. */
function toNumber(x: unknown): number {
  if (typeof x === 'string') return goNumber(x);
  if (typeof x === 'number') return x;
  return fail('interface conversion: not a number');
}

/** typing.ToString: a number formatted as Go's FormatFloat(x, 'f', -1, 64), a text itself, nothing "", else an error. */
function toText(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) && Math.abs(x) >= 1e21 ? BigInt(x).toString() : goFloat(x);
  if (typeof x === 'string') return x;
  if (x === null || x === undefined) return '';
  return fail('interface conversion: not a text');
}

/** The shortest decimal without an exponent, as strconv.FormatFloat(x, 'f', -1, 64) writes it. */
function goFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const s = String(x);
  if (!/e/i.test(s)) return s;
  const [mantissa, exp] = s.split(/e/i);
  const e = Number(exp);
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = (mantissa.replace('-', '').indexOf('.') === -1 ? mantissa.replace('-', '').length : mantissa.replace('-', '').indexOf('.')) + e;
  const text = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return (negative ? '-' : '') + text;
}

function reduce(values: unknown, data: unknown, above: unknown[], engine: Engine): unknown {
  const parsed = argsOf(values);
  if (parsed.length < 3) return 0;
  let initial = parsed[2];
  if (isMap(initial)) initial = run(initial, data, above, engine);
  const valueType = typeof initial === 'boolean' ? 'bool' : typeof initial === 'number' ? 'number' : typeof initial === 'string' ? 'string' : fail('The type is not supported');
  let accumulator: unknown = valueType === 'bool' ? initial : valueType === 'number' ? toNumber(initial) : toText(initial);
  const subject = subjectOf(parsed, data, above, engine);
  if (subject === null || subject === undefined) return 0;
  for (const value of listOf(subject)) {
    if (value === null || value === undefined) continue;
    const context = { current: value, accumulator, valueType };
    const v = applyMap(parsed[1], context, above, engine);
    accumulator = valueType === 'bool' ? goTrue(v) : valueType === 'number' ? toNumber(v) : toText(v);
  }
  return accumulator;
}

const lazy = (fn: (values: unknown, data: unknown, above: unknown[], engine: Engine) => unknown): Method =>
  ({ method: ((values: unknown, data: unknown, above: unknown[], engine: Engine) => fn(values, data, above ?? [], engine)) as never, lazy: true, deterministic: false }) as unknown as Method;

/** Puts Go's list operations in a flagd-core engine in place of json-logic-engine's. */
export function useGoLists(engine: Engine): void {
  for (const name of ['some', 'all', 'none', 'filter', 'map', 'reduce', 'preserve', 'throw']) {
    if (!engine.methods[name]) throw new Error(`flagd-core's JsonLogic engine has no ${name} operation to replace`);
  }
  engine.methods.some = lazy(some);
  engine.methods.all = lazy(all);
  engine.methods.none = lazy(none);
  engine.methods.filter = lazy(filter);
  engine.methods.map = lazy(map);
  engine.methods.reduce = lazy(reduce);
  // An operation Go's jsonlogic does not know is an error when an evaluation reaches it (operation.go: panic
  // ErrInvalidOperator); json-logic-engine's `throw`, which no flagd file can use unwarned, is made one, and
  // carries the operations Go knows beyond flagd's schema (go-ops.ts).
  engine.methods.throw = lazy((values, data, above, e) => Array.isArray(values) && typeof values[0] === 'string' && values[0].startsWith(GO_OPERATION)
    ? runGoOperation(values[0].slice(GO_OPERATION.length), values[1], data, e, above)
    : fail(`The operator is not supported: ${JSON.stringify(values)}`));
  engine.methods.preserve = lazy((values) => typeof values === 'string' && values.startsWith(LITERAL) ? JSON.parse(values.slice(LITERAL.length)) : fail('The operator "preserve" is not supported'));
}
