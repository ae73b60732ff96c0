/**
 * The part of Joi 17.12.3 (the version Unleash's yarn.lock pins at ff377cd70461) that Unleash's state import
 * validated with: lib/validator.js validate (coerce, presence and default, allowed values, the base type, rules in
 * order), and the types string, number, boolean, object and array as lib/types/*.js check and convert them, with
 * the default preferences (convert on; unknown keys refused unless a schema's options strip or allow them, for
 * itself and what it holds). Conversions are Joi's only: a number from a text that is a decimal number (spaces
 * around allowed, "0x10" not, one that loses digits refused as unsafe), a boolean from "true" or "false" in any
 * case; no text is made of a number, no object or list of a text. test/real-flags-15.test.ts holds it to what Joi
 * itself answered (test/fixtures/vendor/unleash/joi-17.12.3-state.jsonl).
 */
import type { PathSegment } from '../../scenario/problems.js';
import { quoted } from '../../units/escape.js';

export type JoiType = 'any' | 'string' | 'number' | 'boolean' | 'object' | 'array';

export interface JoiSchema {
  readonly type: JoiType;
  readonly required?: boolean;
  /** Values taken as they are (allow()); with `only`, the only values taken (valid()). */
  readonly allow?: readonly unknown[];
  readonly only?: boolean;
  readonly default?: unknown;
  /** string: length; number: value. */
  readonly min?: number;
  readonly max?: number;
  /** number.integer, with the message the schema gives it. */
  readonly integer?: string;
  /** Unleash's customJoi isUrlFriendly (src/lib/routes/util.ts): encodeURIComponent leaves the text as it is. */
  readonly urlFriendly?: boolean;
  readonly keys?: Readonly<Record<string, JoiSchema>>;
  readonly options?: { readonly allowUnknown?: boolean; readonly stripUnknown?: boolean };
  readonly items?: JoiSchema;
  /** array.unique((a, b) => a.name === b.name). */
  readonly uniqueName?: boolean;
  /** A payload's value: JSON text of an object when its type is "json" (src/lib/util/validateJsonString.ts). */
  readonly jsonWhenTypeJson?: boolean;
  /** Where Unleash writes the schema, for messages. */
  readonly source?: string;
}

export interface JoiProblem {
  readonly path: PathSegment[];
  /** Joi's own message, its label the path as Joi writes it. */
  readonly message: string;
  readonly source: string;
  readonly type: string;
}

interface Prefs {
  readonly allowUnknown: boolean;
  readonly stripUnknown: boolean;
  /** Paths (JSON) of values the YAML reader gave as a Date (js-yaml), here their JSON text: string() refuses a Date. */
  readonly dates?: ReadonlySet<string>;
}

/** Joi's label: features[0].enabled. */
function label(path: readonly PathSegment[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s === '' ? 'value' : s;
}

// lib/types/number.js
const NUMBER = /^\s*[+-]?(?:(?:\d+(?:\.\d*)?)|(?:\.\d+))(?:e([+-]?\d+))?\s*$/i;
const significant = (v: string) => v.replace(/[eE][+-]?\d+$/, '').replace(/\./, '').replace(/0+$/, '').replace(/^[+-]?(0*)?/, '');
function normalizeDecimal(text: string): string {
  let s = text.replace(/^\+/, '').replace(/\.0*$/, '').replace(/^(-?)\.([^.]*)$/, '$10.$2').replace(/^(-?)0+([0-9])/, '$1$2');
  if (s.includes('.') && s.endsWith('0')) s = s.replace(/0+$/, '');
  return s === '-0' ? '0' : s;
}

/** Number coercion from text: the number, 'unsafe' where digits are lost, or undefined where the text is none. */
function numberOf(text: string): number | 'unsafe' | undefined {
  if (!NUMBER.test(text)) return undefined;
  const t = text.trim();
  const n = parseFloat(t) === 0 ? 0 : parseFloat(t);
  if (/e/i.test(t)) return significant(t) !== significant(String(n)) ? 'unsafe' : n;
  const written = n.toString();
  if (/e/i.test(written)) return n;
  return written !== normalizeDecimal(t) ? 'unsafe' : n;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A deep copy of JSON data (Joi converts a copy: the input stays as it was). */
const copy = (v: unknown): unknown => (v === null || typeof v !== 'object' ? v : JSON.parse(JSON.stringify(v)) as unknown);

/**
 * Validates `value` against `schema` as Joi does, returning the value Joi hands on (converted, defaults set, unknown
 * keys stripped where the schema says); each problem is pushed with its path. `undefined` stands for absent.
 */
export function joiValidate(schema: JoiSchema, value: unknown, path: PathSegment[] = [], problems: JoiProblem[] = [], prefs: Prefs = { allowUnknown: false, stripUnknown: false }, source = schema.source ?? ''): unknown {
  const here = schema.source ?? source;
  const p: Prefs = schema.options ? { ...prefs, allowUnknown: schema.options.allowUnknown ?? prefs.allowUnknown, stripUnknown: schema.options.stripUnknown ?? prefs.stripUnknown } : prefs;
  const fail = (type: string, message: string, at: PathSegment[] = path): undefined => {
    problems.push({ path: at, message: `${quoted(label(at))} ${message}`, source: here, type });
    return undefined;
  };
  let v = value;
  // Coercion (convert: true), before everything else.
  if (schema.type === 'number' && typeof v === 'string') {
    const n = numberOf(v);
    if (n === 'unsafe') return fail('number.unsafe', 'must be a safe number');
    if (n !== undefined) v = n;
  }
  if (schema.type === 'boolean' && typeof v === 'string') {
    const lower = v.toLowerCase();
    if (lower === 'true' || lower === 'false') v = lower === 'true';
  }
  if (v === undefined) {
    if (schema.required) return fail('any.required', 'is required');
    return schema.default === undefined ? undefined : copy(schema.default);
  }
  if (schema.allow?.some((a) => Object.is(a, v) || a === v)) return v;
  if (schema.only) {
    return fail('any.only', `must be ${schema.allow!.length === 1 ? '' : 'one of '}[${schema.allow!.map(String).join(', ')}]`);
  }
  switch (schema.type) {
    case 'any': return copy(v);
    case 'string': return p.dates?.has(JSON.stringify(path)) ? fail('string.base', 'must be a string') : checkString(schema, v, fail);
    case 'number': return checkNumber(schema, v, fail);
    case 'boolean': return typeof v === 'boolean' ? v : fail('boolean.base', 'must be a boolean');
    case 'object': return checkObject(schema, v, path, problems, p, here, fail);
    case 'array': return checkArray(schema, v, path, problems, p, here, fail);
  }
}

type Fail = (type: string, message: string, at?: PathSegment[]) => undefined;

/**
 * Unleash's isUrlFriendly: encodeURIComponent leaves the text as it is. A lone surrogate, which it cannot encode
 * (URIError "URI malformed"), is no URL-friendly text either: a name with one was a stack trace (exit 1).
 */
function urlFriendly(v: string): boolean {
  try {
    return encodeURIComponent(v) === v;
  } catch {
    return false;
  }
}

function checkString(schema: JoiSchema, v: unknown, fail: Fail): unknown {
  if (typeof v !== 'string') return fail('string.base', 'must be a string');
  if (v === '') return fail('string.empty', 'is not allowed to be empty');
  let ok = true;
  if (schema.urlFriendly && !urlFriendly(v)) ok = fail('isUrlFriendly.base', 'must be URL friendly') ?? false;
  if (schema.min !== undefined && v.length < schema.min) ok = fail('string.min', `length must be at least ${schema.min} characters long`) ?? false;
  if (schema.max !== undefined && v.length > schema.max) ok = fail('string.max', `length must be less than or equal to ${schema.max} characters long`) ?? false;
  return ok ? v : undefined;
}

function checkNumber(schema: JoiSchema, v: unknown, fail: Fail): unknown {
  if (v === Infinity || v === -Infinity) return fail('number.infinity', 'cannot be infinity');
  if (typeof v !== 'number' || Number.isNaN(v)) return fail('number.base', 'must be a number');
  if (v > Number.MAX_SAFE_INTEGER || v < Number.MIN_SAFE_INTEGER) return fail('number.unsafe', 'must be a safe number');
  let ok = true;
  if (schema.integer !== undefined && Math.trunc(v) - v !== 0) ok = fail('number.integer', schema.integer) ?? false;
  if (schema.min !== undefined && v < schema.min) ok = fail('number.min', `must be greater than or equal to ${schema.min}`) ?? false;
  if (schema.max !== undefined && v > schema.max) ok = fail('number.max', `must be less than or equal to ${schema.max}`) ?? false;
  return ok ? (v === 0 ? 0 : v) : undefined;
}

function checkObject(schema: JoiSchema, v: unknown, path: PathSegment[], problems: JoiProblem[], prefs: Prefs, source: string, fail: Fail): unknown {
  if (!isObject(v)) return fail('object.base', 'must be of type object');
  if (!schema.keys) return copy(v);
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(schema.keys)) {
    const given = Object.hasOwn(v, key) ? v[key] : undefined;
    const r = joiValidate(child, given, [...path, key], problems, prefs, source);
    if (child.jsonWhenTypeJson && v.type === 'json' && typeof r === 'string' && !jsonObjectText(r)) {
      fail('invalidJsonString', '\'value\' must be a valid json string when \'type\' is json', [...path, key]);
    }
    if (r !== undefined) out[key] = r;
  }
  for (const key of Object.keys(v)) {
    if (Object.hasOwn(schema.keys, key) || prefs.stripUnknown) continue;
    if (prefs.allowUnknown) out[key] = copy(v[key]);
    else fail('object.unknown', 'is not allowed', [...path, key]);
  }
  return out;
}

/** src/lib/util/validateJsonString.ts: JSON.parse gives an object (or a list). */
function jsonObjectText(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as unknown;
    return parsed !== null && typeof parsed === 'object';
  } catch {
    return false;
  }
}

function checkArray(schema: JoiSchema, v: unknown, path: PathSegment[], problems: JoiProblem[], prefs: Prefs, source: string, fail: Fail): unknown {
  if (!Array.isArray(v)) return fail('array.base', 'must be an array');
  const out = v.map((x, i) => (schema.items ? joiValidate({ ...schema.items, required: true }, x, [...path, i], problems, prefs, source) : copy(x)));
  if (schema.uniqueName) {
    v.forEach((x, i) => {
      if (v.slice(0, i).some((y) => (y as { name?: unknown } | null)?.name === (x as { name?: unknown } | null)?.name)) fail('array.unique', 'contains a duplicate value', [...path, i]);
    });
  }
  return out;
}
