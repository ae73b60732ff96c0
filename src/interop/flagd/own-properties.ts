/**
 * flagd's targeting reads only what the evaluation context holds. flagd-core runs JsonLogic on json-logic-engine
 * (5.0.7), whose var, missing and missing_some descend with `context[name]` into a context flagd-core copies into a
 * plain object (Targeting.evaluate: Object.assign({}, ctx)), so every name of Object.prototype is found in every
 * context: {"var": "constructor.name"} is "Object", {"var": "__proto__"} an object, {"var": "toString.name"}
 * "toString", {"missing": ["hasOwnProperty"]} misses nothing. Go flagd reads the context as JSON maps and slices
 * (diegoholiveira/jsonlogic vars.go getVar: `data.(map[string]interface{})[part]`, `data.([]interface{})[index]`)
 * and finds none of them: null, or missing. These readers replace the three in each flag's engine, with the same
 * paths (json-logic-engine splitPath: `.` between names, `\.` a dot in one) and the same `../` steps out of
 * map, filter, reduce, all, none and some, reading own properties of objects and indexes of arrays only.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type Method = { method: (...args: never[]) => unknown } & Record<string | symbol, unknown>;
interface Engine { methods: Record<string, Method>; allowFunctions?: boolean }

let splitPath: ((path: string) => string[]) | null = null;

function pathOf(key: unknown): string[] {
  splitPath ??= (createRequire(require.resolve('@openfeature/flagd-core'))('json-logic-engine') as { splitPathMemoized: (p: string) => string[] }).splitPathMemoized;
  return splitPath(String(key));
}

/** The value at `parts` in `data`, reading own properties of objects and indexes of arrays; undefined when absent. */
function ownAt(data: unknown, parts: readonly string[]): unknown {
  let at = data;
  for (const part of parts) {
    if (at === null || typeof at !== 'object') return undefined;
    if (Array.isArray(at)) {
      if (!/^(0|[1-9]\d*)$/.test(part) || Number(part) >= at.length) return undefined;
    } else if (!Object.hasOwn(at, part)) return undefined;
    at = (at as Record<string, unknown>)[part];
    if (at === undefined) return undefined;
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
