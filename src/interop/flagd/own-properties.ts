/**
 * flagd's targeting reads only what the evaluation context holds. flagd-core runs JsonLogic on json-logic-engine
 * (5.0.7), whose var, missing and missing_some descend with `context[name]` into a context flagd-core copies into a
 * plain object (Targeting.evaluate: Object.assign({}, ctx)), so every name of Object.prototype is found in every
 * context: {"var": "constructor.name"} is "Object", {"var": "__proto__"} an object, {"var": "toString.name"}
 * "toString", {"missing": ["hasOwnProperty"]} misses nothing. Go flagd reads the context as JSON maps and slices
 * (diegoholiveira/jsonlogic vars.go getVar: `data.(map[string]interface{})[part]`, `data.([]interface{})[index]`)
 * and finds none of them: null, or missing. These readers replace the three in each flag's engine, walking a path
 * as Go's getVar walks it (below), with json-logic-engine's `../` steps out of map, filter, reduce, all, none and
 * some kept (Go has none: it resolves a var inside those against the outer data first, solveVars in lists.go).
 */
type Method = { method: (...args: never[]) => unknown } & Record<string | symbol, unknown>;
interface Engine { methods: Record<string, Method>; allowFunctions?: boolean }

/**
 * A var path as Go flagd splits it (diegoholiveira/jsonlogic v3.9.1 vars.go getVar, the version flagd core
 * v0.15.5 to v0.16.1 vendors): `strings.Split(path, ".")` with empty parts skipped, no escapes (json-logic-engine
 * read `\.` as a dot inside a name).
 */
function pathOf(key: unknown): string[] {
  return String(key).split('.').filter((part) => part !== '');
}

/** Go's strconv.ParseFloat of a decimal text, as typing.ToNumber reads an index: 0 where it is not a number. */
function goNumber(text: string): number {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return Number(text);
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^[+-]?nan$/i.test(text)) return NaN;
  return 0;
}

/**
 * The value at `parts` in `data`, as getVar walks it: an own property of an object; of an array, the element at
 * int(ParseFloat(part)) ("1.9" is 1, "x" is 0), undefined out of bounds; through text, a number or a boolean,
 * undefined (jsonlogic 3.8 and later; up to 3.7.4, which flagd core v0.11 and older vendored, a name after a
 * text value was looked up in the same map again); null is undefined.
 */
function ownAt(data: unknown, parts: readonly string[]): unknown {
  let at = data;
  for (const part of parts) {
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

/** json-logic-engine's var, reading own properties only. */
function ownVar(key: unknown, context: unknown, above: unknown[], engine: Engine): unknown {
  let fallback: unknown;
  if (Array.isArray(key)) {
    fallback = key[1];
    key = key[0];
  }
  let iter = 0;
  while (typeof key === 'string' && key.startsWith('../') && iter < above.length) {
    context = above[iter++];
    key = key.substring(3);
    if (iter === above.length && Array.isArray(context)) {
      iter = 0;
      above = context;
      context = above[iter++];
    }
  }
  const notFound = fallback === undefined ? null : fallback;
  if (key === undefined || key === '' || key === null) return engine.allowFunctions || typeof context !== 'function' ? context : null;
  const value = ownAt(context, pathOf(key));
  if (value === undefined) return notFound;
  return engine.allowFunctions || typeof value !== 'function' ? value : null;
}

function ownMissing(checked: unknown[], context: unknown): unknown[] {
  return checked.filter((k) => ownAt(context, pathOf(k)) === undefined);
}

/**
 * Replaces var, missing and missing_some in a json-logic-engine: without var's mark of the original
 * (json-logic-engine OriginalImpl), the engine calls the method instead of reading `data[name]` inline.
 */
export function readOwnProperties(engine: Engine): void {
  const { var: v, missing, missing_some: some } = engine.methods;
  if (!v || !missing || !some) throw new Error('flagd-core\'s JsonLogic engine has no var, missing or missing_some to replace');
  engine.methods.var = { method: ownVar as never, deterministic: false } as unknown as Method;
  engine.methods.missing = { method: ((checked: unknown[], context: unknown) => ownMissing(checked, context)) as never, deterministic: false } as unknown as Method;
  engine.methods.missing_some = {
    method: (([need, options]: [number, unknown[]], context: unknown) => {
      const absent = ownMissing(options, context);
      return options.length - absent.length >= need ? [] : absent;
    }) as never,
    deterministic: false,
  } as unknown as Method;
}
