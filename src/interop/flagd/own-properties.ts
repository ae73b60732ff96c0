/**
 * flagd's targeting reads only what the evaluation context holds. flagd-core runs JsonLogic on json-logic-engine
 * (5.0.7), whose var, missing and missing_some descend with `context[name]` into a context flagd-core copies into a
 * plain object (Targeting.evaluate: Object.assign({}, ctx)), so every name of Object.prototype is found in every
 * context: {"var": "constructor.name"} is "Object", {"var": "__proto__"} an object, {"var": "toString.name"}
 * "toString", {"missing": ["hasOwnProperty"]} misses nothing. Go flagd reads the context as JSON maps and slices
 * (diegoholiveira/jsonlogic vars.go getVar: `data.(map[string]interface{})[part]`, `data.([]interface{})[index]`)
 * and finds none of them: null, or missing. These readers replace the three in each flag's engine, walking a path
 * as Go's getVar walks it (below). Inside some, all, none, filter, map and reduce a var is read in the scope Go
 * gives it (go-lists.ts), not json-logic-engine's (the element, with `../` a step out: Go has no such step).
 */
export type Method = { method: (...args: never[]) => unknown } & Record<string | symbol, unknown>;
export interface Engine { methods: Record<string, Method>; run(logic: unknown, data: unknown, options?: { above?: unknown[] }): unknown }

/** Go's strconv.ParseFloat of a decimal text, as typing.ToNumber reads an index: 0 where it is not a number. */
export function goNumber(text: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  return 0;
}

/** typing.IsPrimitive: a bool, a text or a number. */
export const isGoPrimitive = (x: unknown): boolean => typeof x === 'boolean' || typeof x === 'string' || typeof x === 'number';

/**
 * The value at a var path in `data`, as getVar walks it (diegoholiveira/jsonlogic v3.9.1 vars.go, the version
 * flagd core v0.15.5 to v0.16.1 vendors): the path split at every "." with empty parts skipped and no escapes
 * (json-logic-engine read `\.` as a dot inside a name, and `../` as a step out of an iteration; Go has neither);
 * an own property of an object; of an array, the element at int(ParseFloat(part)) ("1.9" is 1, "x" is 0),
 * nothing out of bounds; through text, a number or a boolean, nothing (jsonlogic 3.8 and later; up to 3.7.4,
 * which flagd core v0.11 and older vendored, a name after a text value was looked up in the same map again);
 * null is nothing.
 */
function ownAt(data: unknown, path: string): unknown {
  let at = data;
  for (const part of path.split('.')) {
    if (part === '') continue;
    if (at === null || typeof at !== 'object') return undefined;
    if (Array.isArray(at)) {
      const n = goNumber(part);
      const index = Number.isFinite(n) ? Math.trunc(n) : -1;
      if (index < 0 || index >= at.length) return undefined;
      at = at[index];
    } else {
      if (!Object.hasOwn(at, part)) return undefined;
      at = (at as Record<string, unknown>)[part];
    }
    if (at === undefined || at === null) return undefined;
  }
  return at;
}

/**
 * vars.go getVar, given the var's argument as written: evaluated first (parseValues); null gives the data when it
 * is a bool, text or number, else null; "" or [] the data itself; a number is read as its text; [name, default]
 * gives the default where the name finds nothing (a name that is not text is an error, as Go's type assertion).
 */
export function goVar(values: unknown, data: unknown, engine: Engine): unknown {
  if (values !== null && typeof values === 'object') values = engine.run(values, data);
  if (values === null || values === undefined) return isGoPrimitive(data) ? data : null;
  if (values === '') return data;
  if (typeof values === 'number') values = String(values);
  let fallback: unknown = null;
  if (Array.isArray(values)) {
    if (values.length === 0) return data;
    if (values.length === 2) fallback = values[1] ?? null;
    values = values[0];
    if (typeof values !== 'string') throw new Error('interface conversion: a var name is not text');
  }
  if (data === null || data === undefined) return fallback;
  if (typeof values !== 'string') throw new Error('interface conversion: a var name is not text');
  const value = ownAt(data, values);
  return value === undefined ? fallback : value;
}

function ownMissing(checked: unknown[], context: unknown, engine: Engine): unknown[] {
  return checked.filter((k) => {
    const v = goVar(k, context, engine);
    return v === null || v === undefined;
  });
}

/**
 * Replaces var, missing and missing_some in a json-logic-engine: without var's mark of the original
 * (json-logic-engine OriginalImpl), the engine calls the method instead of reading `data[name]` inline.
 */
export function readOwnProperties(engine: Engine): void {
  const { var: v, missing, missing_some: some } = engine.methods;
  if (!v || !missing || !some) throw new Error('flagd-core\'s JsonLogic engine has no var, missing or missing_some to replace');
  engine.methods.var = { method: ((values: unknown, context: unknown, _above: unknown, e: Engine) => goVar(values, context, e)) as never, lazy: true, deterministic: false } as unknown as Method;
  engine.methods.missing = { method: ((checked: unknown[], context: unknown, _above: unknown, e: Engine) => ownMissing(checked, context, e)) as never, deterministic: false } as unknown as Method;
  engine.methods.missing_some = {
    method: (([need, options]: [number, unknown[]], context: unknown, _above: unknown, e: Engine) => {
      const absent = ownMissing(options, context, e);
      return options.length - absent.length >= need ? [] : absent;
    }) as never,
    deterministic: false,
  } as unknown as Method;
}
