/**
 * JsonLogic's own operations as Go flagd runs them: diegoholiveira/jsonlogic v3.9.1 (the version
 * open-feature/flagd core/go.mod pins) comp.go (==, !=, ===, !==, <, <=, >, >=), math.go (+, -, *, /, %, max,
 * min), strings.go (cat, substr), lists.go (in, merge), logic.go (and, or, if, ?:, !, !!), with
 * internal/typing and internal/javascript's conversions. They replace json-logic-engine's (flagd-core 4.0.1), which
 * reads odd operands otherwise: "abc" < 0 and "abc" + 1 were errors there (NaN), false and 1 in Go; cat trims
 * the text it joins in Go, and writes 1e21 as 1000000000000000000000; [1] == 1 is an error there (NaN), false in Go;
 * " 12 " is 12 in JavaScript and no number in Go; cat of a boolean, + of null, merge of null are errors in Go.
 * Each reads its arguments as Go's parseValues does (go-ops.ts); a Go panic is an error of the evaluation.
 */
import { createRequire } from 'node:module';
import { goTrue } from './go-lists.js';
import { goSemVer } from './go-semver.js';
import { goEndsWith, goFractional, goFractionalInput, goStartsWith } from './go-custom.js';
import { fractionalV3 } from './fractional.js';
import { goParseValues } from './go-ops.js';
import { goNumber, type Engine, type Method } from './own-properties.js';
import { quoted } from '../../units/escape.js';

type Json = Record<string, unknown>;
type Op = (values: unknown, data: unknown, engine: Engine, above: unknown[]) => unknown;
const isMap = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);
const fail = (what: string): never => {
  throw new Error(what);
};
const goType = (x: unknown): string => (x === null || x === undefined ? 'nil' : Array.isArray(x) ? '[]interface {}' : isMap(x) ? 'map[string]interface {}' : typeof x === 'number' ? 'float64' : typeof x === 'boolean' ? 'bool' : 'string');

/** strconv.ParseFloat: the number, ±Inf past the range (ErrRange), null where the text is no number. */
function parseFloat64(text: string): number | null {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  return null;
}

/** internal/javascript ToNumber: nil 0, a bool 1 or 0, blank text 0, text ParseFloat (NaN if none), else NaN. */
function jsNumber(v: unknown): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return goTrim(v) === '' ? 0 : parseFloat64(v) ?? NaN;
  return NaN;
}

/** typing.ToNumber: text ParseFloat (0 where it is no number), a number itself, anything else a panic. */
function toNumber(v: unknown): number {
  if (typeof v === 'string') return goNumber(v);
  if (typeof v === 'number') return v;
  return fail(`interface conversion: interface {} is ${goType(v)}, not float64`);
}

/** strconv.FormatFloat(x, 'f', -1, 64): the shortest decimal, without an exponent. */
function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const s = String(Math.abs(x));
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  const m = /^(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(s);
  if (!m) return sign + s;
  const digits = m[1] + (m[2] ?? '');
  const point = m[1].length + Number(m[3]);
  const text = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return sign + text;
}

/** typing.ToString: a number formatted, nil "", a text itself, anything else a panic. */
function toText(v: unknown): string {
  if (typeof v === 'number') return formatFloat(v);
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  return fail(`interface conversion: interface {} is ${goType(v)}, not string`);
}

/** strings.TrimSpace: Unicode White_Space at both ends (U+0085 included, U+FEFF not, unlike String.trim). */
const goTrim = (s: string): string => s.replace(/^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+|[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/g, '');

/** Go compares texts byte by byte (UTF-8), where JavaScript compares UTF-16 code units. */
const textLess = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) < 0;

/** comp.go less and equals. */
function less(a: unknown, b: unknown): boolean {
  if (typeof a === 'string' && typeof b === 'string') return textLess(a, b);
  return jsNumber(b) > jsNumber(a);
}
function equals(a: unknown, b: unknown): boolean {
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (typeof a === 'string' && typeof b === 'string') return a === b;
  return jsNumber(a) === jsNumber(b);
}
const lessOrEqual = (a: unknown, b: unknown): boolean => less(a, b) || equals(a, b);

/** `values.([]any)` on the arguments as written. */
const written = (values: unknown): unknown[] => (Array.isArray(values) ? values : fail(`interface conversion: interface {} is ${goType(values)}, not []interface {}`));

/** An operation on its parsed arguments; flagd's own also read the data of the scope (fractional: $flagd, targetingKey). */
type Checked = (p: unknown, data?: unknown, engine?: Engine) => unknown;
/** `p.([]any)` on the parsed arguments: a list, or a panic. */
const list = (p: unknown): unknown[] => (Array.isArray(p) ? p : fail(`interface conversion: interface {} is ${goType(p)}, not []interface {}`));

const compare = (two: (a: unknown, b: unknown) => boolean, three: (a: unknown, b: unknown, c: unknown) => boolean): Checked => (parsed) => {
  const p = list(parsed);
  if (p.length < 2) return false;
  return p.length === 3 ? three(p[0], p[1], p[2]) : two(p[0], p[1]);
};

function hardEquals(v: unknown): boolean {
  if (!Array.isArray(v) || v.length < 2) return false;
  const [a, b] = v;
  if (a === null || a === undefined || b === null || b === undefined) return (a ?? null) === (b ?? null);
  if (goType(a) !== goType(b)) return false;
  return equals(a, b);
}

/** An element of `in`'s list: a range [from, to], a number compared as a number, anything else with Go's ==. */
function inList(a: unknown, list: unknown[]): boolean {
  for (const element of list) {
    if (Array.isArray(element)) {
      if (element.length < 2) fail(`runtime error: index out of range [${element.length}] with length ${element.length}`);
      if (toNumber(a) >= toNumber(element[0]) && toNumber(element[1]) >= toNumber(a)) return true;
      continue;
    }
    if (typeof a === 'number') {
      if (toNumber(element) === a) return true;
      continue;
    }
    if (a !== null && typeof a === 'object' && element !== null && typeof element === 'object' && goType(a) === goType(element)) fail(`runtime error: comparing uncomparable type ${goType(a)}`);
    if ((a ?? null) === (element ?? null)) return true;
  }
  return false;
}

function substr(parsed: unknown): string {
  const p = list(parsed);
  if (p.length < 2) fail(`runtime error: index out of range [${p.length}] with length ${p.length}`);
  const runes = Array.from(toText(p[0]));
  const length = runes.length;
  let from = Math.trunc(toNumber(p[1]));
  if (from < 0) from = length + from;
  if (from < 0 || from > length) return runes.join('');
  let count = p.length === 3 ? Math.trunc(toNumber(p[2])) : length;
  let to: number;
  if (count < 0) {
    count = length + count;
    to = count;
  } else {
    to = from + count;
  }
  if (to > length) to = length;
  if (to < from) fail(`runtime error: slice bounds out of range [${from}:${to}]`);
  return runes.slice(from, to).join('');
}

/** logic.go evaluateClause: the clause parsed, and applied again where that gives an object. */
function clause(c: unknown, data: unknown, engine: Engine, above: unknown[]): unknown {
  const parsed = goParseValues(c, data, engine, above);
  return isMap(parsed) ? goParseValues(parsed, data, engine, above) : parsed;
}

function conditional(values: unknown, data: unknown, engine: Engine, above: unknown[]): unknown {
  const clauses = written(values);
  const n = clauses.length;
  for (let i = 0; i < n - 1; i += 2) {
    if (goTrue(goParseValues(clauses[i], data, engine, above))) return clause(clauses[i + 1], data, engine, above);
  }
  return n % 2 === 1 ? clause(clauses[n - 1], data, engine, above) : null;
}

function negative(v: unknown): boolean {
  return Array.isArray(v) && v.length > 0 ? !goTrue(v[0]) : !goTrue(v);
}

const chain = (stopAt: boolean): Op => (values, data, engine, above) => {
  let last: unknown = null;
  for (const v of written(values)) {
    last = goParseValues(v, data, engine, above);
    if (goTrue(last) === stopAt) return last;
  }
  return last;
};

/** Operations that parse their arguments first (parseValues), given them parsed. */
const CHECKED: Record<string, Checked> = {
  '==': compare(equals, (a, b) => equals(a, b)),
  '!=': (p) => !(compare(equals, (a, b) => equals(a, b))(p) as boolean),
  '===': hardEquals,
  '!==': (p) => !hardEquals(p),
  '<': compare(less, (a, b, c) => less(a, b) && less(b, c)),
  '<=': compare(lessOrEqual, (a, b, c) => lessOrEqual(a, b) && lessOrEqual(b, c)),
  '>': compare((a, b) => less(b, a), (a, b, c) => less(c, b) && less(b, a)),
  '>=': compare((a, b) => lessOrEqual(b, a), (a, b, c) => lessOrEqual(c, b) && lessOrEqual(b, a)),
  '+': (v) => {
    if (!Array.isArray(v)) return toNumber(v);
    return v.length === 0 ? 0 : v.length === 1 ? toNumber(v[0]) : v.reduce((s: number, n) => s + toNumber(n), 0);
  },
  '-': (p) => {
    const v = list(p);
    if (v.length === 0) return 0;
    if (v.length === 1) return -1 * toNumber(v[0]);
    return v.slice(1).reduce((s: number, n) => s - toNumber(n), toNumber(v[0]));
  },
  '*': (p) => list(p).reduce((s: number, n) => s * toNumber(n), 1),
  '/': (p) => {
    const v = list(p);
    return v.length === 0 ? 0 : v.slice(1).reduce((s: number, n) => s / toNumber(n), toNumber(v[0]));
  },
  '%': (p) => {
    const v = list(p);
    if (v.length < 2) fail(`runtime error: index out of range [${v.length}] with length ${v.length}`);
    return toNumber(v[0]) % toNumber(v[1]);
  },
  max: (p) => {
    const v = list(p);
    return v.length === 0 ? null : v.slice(1).reduce((m: number, n) => (toNumber(n) > m ? toNumber(n) : m), toNumber(v[0]));
  },
  min: (p) => {
    const v = list(p);
    return v.length === 0 ? null : v.slice(1).reduce((m: number, n) => (m > toNumber(n) ? toNumber(n) : m), toNumber(v[0]));
  },
  cat: (v) => {
    if (typeof v === 'string') return v;
    const l = list(v);
    if (l.length === 0) return '';
    if (l.length === 1) return toText(l[0]);
    return goTrim(l.map(toText).join(''));
  },
  substr,
  in: (parsed) => {
    const p = list(parsed);
    if (p.length === 0) fail('runtime error: index out of range [0] with length 0');
    const a = p[0];
    const b = p.length > 1 ? p[1] : null;
    if (typeof b === 'string') return typeof a === 'string' ? b.includes(a) : fail(`interface conversion: interface {} is ${goType(a)}, not string`);
    return Array.isArray(b) ? inList(a, b) : false;
  },
  merge: (v) => {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return [v];
    return list(v).flatMap((x) => (Array.isArray(x) ? x : [x]));
  },
  '!': negative,
  '!!': (v) => !negative(v),
  // flagd's own (core/pkg/evaluator/semver.go, string_comparison.go, fractional.go, each registered with
  // jsonlogic.AddOperator: arguments parsed first, then the operation with the data of its scope).
  sem_ver: goSemVer,
  starts_with: goStartsWith,
  ends_with: goEndsWith,
  fractional: (p, data, engine) => (engine && FRACTIONAL_V3.has(engine) ? fractionalV3(p, isMap(data) ? data : {}) : goFractional(p, data)),
};

/** Engines that bucket fractional as flagd v3 (fractional.ts), which no flagd-core runs to compare with. */
const FRACTIONAL_V3 = new WeakSet<Engine>();
export function bucketFractionalV3(engine: Engine): void {
  FRACTIONAL_V3.add(engine);
}

/** Operations that read their arguments as written. */
const WRITTEN: Record<string, Op> = { and: chain(false), or: chain(true), if: conditional, '?:': conditional };

/** The operations rehearse runs as Go does and, where a rule's place is known, compares with json-logic-engine. */
export const GO_CORE: ReadonlySet<string> = new Set(Object.keys(CHECKED));

/** Where Go and json-logic-engine answer one operation otherwise: its place, the operands, both answers. */
export type Disagreement = (where: string, name: string, operands: unknown, go: Answer, js: Answer, about?: string) => void;
export type Answer = { readonly value: unknown } | { readonly error: string };

const answer = (f: () => unknown): Answer => {
  try {
    return { value: f() };
  } catch (e) {
    return { error: e instanceof Error ? e.message : typeof e === 'object' && e && 'type' in e ? String((e as { type: unknown }).type) : String(e) };
  }
};
const sameAnswer = (a: Answer, b: Answer): boolean => ('error' in a || 'error' in b ? 'error' in a && 'error' in b : sameValue(a.value, b.value));
const sameValue = (a: unknown, b: unknown): boolean => Object.is(a, b) || (typeof a === 'object' && typeof b === 'object' && a !== null && b !== null && JSON.stringify(a) === JSON.stringify(b))
  || (typeof a === 'number' && typeof b === 'number' && a === b);

/** For a fractional's disagreement: the text Go hashes, where it buckets. */
function bucketedBy(parsed: unknown, data: unknown): string | undefined {
  if (Array.isArray(parsed) && typeof parsed[0] === 'string') return undefined;
  const input = goFractionalInput(parsed, data);
  return input ? `bucketing by ${JSON.stringify(input.bucketBy)}, the flag key and the targeting key` : isMap(data) ? undefined : 'inside an operation on a list, whose element is the data';
}

/** flagd-core's own operations of each engine, as it registered them (semVer: its arguments evaluated, the context). */
const flagdCoreOwn = new WeakMap<Engine, Record<string, Method | undefined>>();

/** flagd-core's engine, untouched: what a team evaluating in process gets for the same operands. */
let javascript: (Engine & { missesSinceSeen: number }) | null = null;
function javascriptEngine(): Engine {
  if (!javascript) {
    const flagdCore = createRequire(import.meta.url).resolve('@openfeature/flagd-core');
    const { LogicEngine } = createRequire(flagdCore)('json-logic-engine') as { LogicEngine: new () => Engine & { missesSinceSeen: number } };
    javascript = new LogicEngine();
  }
  // flagd-core runs a rule through the engine's optimizer, which answers a few operands otherwise than its plain
  // interpreter (- of "abc" is an error, cat of null one); it gives up after 500 rules it has not seen, and each
  // operation here is one, so that count is cleared: the optimizer's answer, whatever came before.
  javascript.missesSinceSeen = 0;
  return javascript;
}
/** The parsed operands written for json-logic-engine as values (a list or an object kept as it is). */
const asValues = (p: unknown): unknown => (Array.isArray(p) ? p.map((x) => (x !== null && typeof x === 'object' ? { preserve: x } : x)) : p !== null && typeof p === 'object' ? { preserve: p } : p);

/**
 * Runs a Go operation; where `where` names the rule's place and `disagree` listens, json-logic-engine answers
 * the same operands too, and a different answer is told.
 */
export function runGoCore(name: string, values: unknown, data: unknown, engine: Engine, above: unknown[], where?: string, disagree?: Disagreement): unknown {
  const written = WRITTEN[name];
  if (written) return written(values, data, engine, above);
  const op = CHECKED[name] ?? fail(`The operator ${quoted(name)} is not supported`);
  const parsed = goParseValues(values, data, engine, above);
  if (where === undefined || !disagree || (name === 'fractional' && FRACTIONAL_V3.has(engine))) return op(parsed, data, engine);
  const go = answer(() => op(parsed, data, engine));
  const own = flagdCoreOwn.get(engine)?.[name];
  const js = answer(() => (own ? (own.method as (...a: unknown[]) => unknown)(parsed, data) : javascriptEngine().run({ [name]: asValues(parsed) }, {})));
  if (!sameAnswer(go, js)) disagree(where, name, parsed, go, js, name === 'fractional' ? bucketedBy(parsed, data) : undefined);
  if ('error' in go) throw new Error(go.error);
  return go.value;
}

const GO_CORE_MARK = '\u0000rehearse go core:';

/** The import's form of a JsonLogic operation at a place of the file (a JSON path): Go's, comparable with JS's. */
export const goCoreOperation = (place: string, name: string, args: unknown): Json => ({ throw: [GO_CORE_MARK + place, name, args] });

/**
 * Puts Go's operations in a flagd-core engine in place of json-logic-engine's, and turns off its interpreted
 * optimizer: that rewrites a reduce whose step adds (or multiplies) accumulator and current into a sum of the
 * list (checkIdioms, whichever reduce the engine holds), which Go's reduce never does (it skips null elements,
 * which Go's + refuses), and gives up after 500 rules it has not seen, so that a rule ran one way or the other
 * with the number of rules evaluated before it.
 */
export function useGoCore(engine: Engine & { disableInterpretedOptimization?: boolean }, disagree?: Disagreement): void {
  engine.disableInterpretedOptimization = true;
  // flagd-core's own operations, which a team evaluating in process runs (compared with Go's in runGoCore).
  flagdCoreOwn.set(engine, { sem_ver: engine.methods.sem_ver, starts_with: engine.methods.starts_with, ends_with: engine.methods.ends_with, fractional: engine.methods.fractional });
  const previous = engine.methods.throw;
  if (!previous) throw new Error('flagd-core\'s JsonLogic engine has no throw operation to replace');
  // The import's {"throw": [mark + place, name, arguments]} (goCoreOperation) runs the operation named.
  engine.methods.throw = {
    method: ((values: unknown, data: unknown, above: unknown[], e: Engine) => Array.isArray(values) && typeof values[0] === 'string' && values[0].startsWith(GO_CORE_MARK)
      ? runGoCore(String(values[1]), values[2], data, e, above ?? [], values[0].slice(GO_CORE_MARK.length), disagree)
      : (previous.method as (...a: unknown[]) => unknown)(values, data, above, e)) as never,
    lazy: true, deterministic: false,
  } as unknown as Method;
  for (const name of [...Object.keys(CHECKED), ...Object.keys(WRITTEN)]) {
    if (!engine.methods[name]) throw new Error(`flagd-core's JsonLogic engine has no ${name} operation to replace`);
    engine.methods[name] = { method: ((values: unknown, data: unknown, above: unknown[], e: Engine) => runGoCore(name, values, data, e, above ?? [])) as never, lazy: true, deterministic: false } as unknown as Method;
  }
}
