/**
 * The operations Go flagd's jsonlogic evaluates beyond flagd's targeting schema (diegoholiveira/jsonlogic v3.9.1,
 * the version open-feature/flagd core/go.mod pins): `abs` (math.go), `set` (vars.go setProperty) and
 * `contains_all`, `contains_any`, `contains_none` (arrays.go), registered in operation.go init. flagd validates a
 * file against its schema only to log a warning (core/pkg/evaluator/json.go configToFlagDefinition), so flagd
 * serves them; flagd-core's engine does not know them and refuses the flag's targeting at load. The import writes
 * each as `{"throw": ["<mark><name>", <arguments>]}` (targeting.ts goSubstituted), and the engine's `throw`
 * (go-lists.ts) runs it here as Go runs it.
 */
import { goNumber, type Engine } from './own-properties.js';
import { quoted } from '../../units/escape.js';

type Json = Record<string, unknown>;
const isMap = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);

/** The operations of Go's jsonlogic that flagd's targeting schema does not list. */
export const GO_ONLY: ReadonlySet<string> = new Set(['set', 'abs', 'contains_all', 'contains_any', 'contains_none']);

export const GO_OPERATION = '\u0000rehearse go operation:';

/** The import's stand-in for a Go-only operation, which flagd-core's engine accepts at load. */
export const goOperation = (name: string, args: unknown): Json => ({ throw: [GO_OPERATION + name, args] });

const fail = (what: string): never => {
  throw new Error(what);
};

/**
 * jsonlogic.go parseValues: an object of one key applied as an operation (one of none or several keys is a
 * value: apply), a list item by item, anything else as it is.
 */
export function goParseValues(values: unknown, data: unknown, engine: Engine, above: unknown[]): unknown {
  if (values === null || values === undefined || typeof values !== 'object') return values ?? null;
  if (isMap(values)) return Object.keys(values).length === 1 ? engine.run(values, data, { above }) : values;
  return (values as unknown[]).map((x) => goParseValues(x, data, engine, above));
}

/** typing.ToNumber: a text parsed (0 where it is no number), a number itself, anything else an error. */
function toNumber(x: unknown): number {
  if (typeof x === 'string') return goNumber(x);
  if (typeof x === 'number') return x;
  return fail(`interface conversion: interface {} is ${x === null || x === undefined ? 'nil' : Array.isArray(x) ? '[]interface {}' : typeof x === 'object' ? 'map[string]interface {}' : typeof x}, not float64`);
}

/** arrays.go isEqualValue: the same bool, nil, text or number (a number and a text never equal). */
function equalValue(a: unknown, b: unknown): boolean {
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (typeof a === 'boolean' || typeof a === 'string' || typeof a === 'number') return typeof a === typeof b && a === b;
  // Go's `a == b` on two lists or two maps panics (uncomparable types); of different types it is false.
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object' && Array.isArray(a) === Array.isArray(b)) {
    fail(`runtime error: comparing uncomparable type ${Array.isArray(a) ? '[]interface {}' : 'map[string]interface {}'}`);
  }
  return false;
}

/** arrays.go containsAll / containsAny / containsNone: a subject that is no list of two lists gives the empty answer. */
function contains(kind: 'all' | 'any' | 'none', parsed: unknown): boolean {
  const empty = kind === 'none';
  if (!Array.isArray(parsed) || parsed.length !== 2) return empty ? true : false;
  const [search, check] = parsed;
  if (!Array.isArray(search) || !Array.isArray(check)) return empty;
  const found = (x: unknown) => search.some((item) => equalValue(item, x));
  if (kind === 'all') return check.every(found);
  if (kind === 'any') return check.some(found);
  return !check.some(found);
}

/** encoding/json's copy of a value (vars.go deepCopyMap). */
const copy = (v: unknown): unknown => (v === undefined ? null : JSON.parse(JSON.stringify(v)));

/** Runs a Go-only operation on its arguments as written (`values`) over `data`. */
export function runGoOperation(name: string, values: unknown, data: unknown, engine: Engine, above: unknown[]): unknown {
  switch (name) {
    case 'abs': {
      // math.go abs: parseValues, then the first element of a list, or the value itself, as a number.
      const v = goParseValues(values, data, engine, above);
      if (Array.isArray(v)) return v.length === 0 ? fail('runtime error: index out of range [0] with length 0') : Math.abs(toNumber(v[0]));
      return Math.abs(toNumber(v));
    }
    case 'set': {
      // vars.go setProperty: [object, property, value]; fewer than three gives the first (or nil); an object
      // that is no map is given back; the value is parsed a second time (an object of one key applied again).
      const v = goParseValues(values, data, engine, above);
      if (!Array.isArray(v)) return fail('interface conversion: interface {} is not []interface {}');
      if (v.length < 3) return v.length === 0 ? null : v[0];
      if (!isMap(v[0])) return v[0];
      if (typeof v[1] !== 'string') return fail('interface conversion: interface {} is not string');
      const modified = copy(v[0]) as Json;
      Object.defineProperty(modified, v[1], { value: goParseValues(v[2], data, engine, above), enumerable: true, writable: true, configurable: true });
      return modified;
    }
    case 'contains_all': return contains('all', goParseValues(values, data, engine, above));
    case 'contains_any': return contains('any', goParseValues(values, data, engine, above));
    case 'contains_none': return contains('none', goParseValues(values, data, engine, above));
    default: return fail(`The operator ${quoted(name)} is not supported`);
  }
}
