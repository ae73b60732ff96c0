/**
 * What becomes of every field of an imported trace file: modelled (read into the span model, or derived by the
 * vendor's tool from fields that are), warned (read but not acted on: a warning once a file, at the field's own
 * file:line:column, saying what calibrate does without it) or refused (the span is skipped, counted with its reason
 * where the reader refuses it). Each format's table (field-tables.ts) lists the fields its vendor's schema defines;
 * `checkFields` walks a raw span against it, so a field no table names is warned too, with a suggestion where a
 * field of the schema is close.
 */
import { didYouMean } from '../../errors.js';
import type { ReadReport } from '../../observe/span.js';
import { quoted } from '../../units/escape.js';

export type Fate = 'modelled' | 'warned' | 'refused';

/**
 * The JSON type the format's own reader takes for a field; a value of another type fails that reader, so the span is
 * refused (null is no value, and passes). `text`: a string or a number (Zipkin's reader, Gson's nextString, takes
 * both); `int64` and `uint64`: a whole number or a string of one, as protobuf's JSON mapping writes 64-bit integers
 * (the collector's pdata/internal/json/number.go ReadInt64 and ReadUint64: strconv.ParseInt, ParseUint), `uint32`
 * likewise (iterator.go ReadUint32); `traceId` and `spanId`: text of 16 and 8 bytes in hex, or empty (pdata/internal/
 * bytesid.go unmarshalJSON: "length mismatch", or hex.Decode's error), or in base64 as rehearse reads a span's ids.
 * `goUint64`: a whole JSON number of 0 or more and not text, as Go's encoding/json reads a plain uint64 field (no
 * `,string` option: "cannot unmarshal string into Go struct field ... of type uint64"), Jaeger's JSON model's times.
 */
export type JsonType = 'string' | 'text' | 'boolean' | 'number' | 'int64' | 'uint64' | 'goUint64' | 'uint32' | 'traceId' | 'spanId' | 'object' | 'list';

export interface Disposition {
  readonly fate: Fate;
  /** Modelled: where it goes. Warned: what calibrate does without it, given the value. Refused: why (the reader skips the span). */
  readonly why: string | ((value: unknown) => string);
  /** Warned: only values for which this holds are warned of (default: any value but null). */
  readonly when?: (value: unknown) => boolean;
  /** The value is an object of this type of the table, walked into. */
  readonly object?: string;
  /** The value is a list of objects of this type, walked into. */
  readonly items?: string;
  /** The value is a map (any keys) of objects of this type, walked into. */
  readonly values?: string;
  /** The JSON type the vendor's reader requires (an object for `object` and `values`, a list for `items`). */
  readonly type?: JsonType;
}

/** Why an object is refused (a field of the wrong type: "OTLP Span.attributes is an object, not a list (...)"), and where ("line:column"). */
export interface Refusal {
  readonly why: string;
  readonly at: string;
}

/** Object types by name, each with its fields (their names as the vendor's JSON spells them). */
export type FieldTable = Readonly<Record<string, Readonly<Record<string, Disposition>>>>;

type Nested = Pick<Disposition, 'object' | 'items' | 'values' | 'type'>;
export const modelled = (why: string, nested: Nested = {}): Disposition => ({ fate: 'modelled', why, ...nested });
export const warned = (why: Disposition['why'], when?: (value: unknown) => boolean, nested: Nested = {}): Disposition => ({ fate: 'warned', why, when, ...nested });
export const refused = (why: string): Disposition => ({ fate: 'refused', why });

/** A count (a number, or an int as protobuf JSON writes it, a string of digits) above zero. */
export const positive = (v: unknown): boolean => (typeof v === 'number' || (typeof v === 'string' && /^\d+$/.test(v))) && Number(v) > 0;
/**
 * A file's value as a message says it: text as it is, anything else as JSON (cut at 80 characters). Never String(v)
 * or Number(v) of an object: a file's {"toString": 1} makes those throw (Cannot convert object to primitive value).
 */
export function shown(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  return shownJson(v);
}
/** A file's value as JSON (a text quoted), cut at 80 characters. */
export function shownJson(v: unknown): string {
  // A value nested thousands deep overflows JSON.stringify (a RangeError with a stack): said so instead.
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    return Array.isArray(v) ? '[a list nested too deep to show]' : '{an object nested too deep to show}';
  }
  return text.length > 80 ? `${text.slice(0, 79)}…` : text;
}
/** A number or text of one as Number reads it; anything else NaN (Number of an object can throw, see shown). */
export const numeric = (v: unknown): number => (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean' ? Number(v) : NaN);
/** Text that is not empty. */
export const someText = (v: unknown): boolean => typeof v === 'string' && v !== '';
/** A list or an object with something in it. */
export const nonEmpty = (v: unknown): boolean => (Array.isArray(v) ? v.length > 0 : v !== null && typeof v === 'object' && Object.keys(v).length > 0);

/** The notes of warned fields by their disposition, per file's report: counted without making their key again. */
const seen = new WeakMap<ReadReport, Map<Disposition, { count: number }>>();

/**
 * Walks `value`, an object of `type`, noting in `report` (once a file per field) each warned field and each field the
 * table does not name. `format` names the vendor in messages ("OTLP", "Zipkin", "Jaeger"); `path` is where the
 * object is inside `report.hereText`. Returns null, or why the object is refused (a field of a type its reader
 * refuses, or one the table refuses) and where.
 */
export function checkFields(table: FieldTable, format: string, type: string, value: unknown, report: ReadReport, path: readonly (string | number)[] = report.base, skip = 0): Refusal | null {
  // jsonpb and the collector's OTLP/JSON reader (pdata/internal/generated_proto_*.go UnmarshalJSON) read a field by its
  // proto name (snake_case) as well as its JSON name.
  return walk(table, format, format.includes('protobuf') || format === 'OTLP', type, value, report, { path, skip });
}

/** A path inside an object walked, made into a list only when a field is warned of for the first time. */
interface Step { readonly up: Step | null; readonly key: string | number }
interface Where { readonly path: readonly (string | number)[]; readonly skip: number }

function pathOf(where: Where, step: Step | null): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let s = step; s !== null; s = s.up) keys.push(s.key);
  return [...where.path, ...keys.reverse()].slice(where.skip);
}

/** A table's fields as maps of one shape each (null: modelled, of any type and not walked into), made once per table. */
type Compiled = ReadonlyMap<string, ReadonlyMap<string, Disposition | null>>;
const compiledTables = new WeakMap<FieldTable, Compiled>();
function compiled(table: FieldTable): Compiled {
  let c = compiledTables.get(table);
  if (c === undefined) {
    c = new Map(Object.entries(table).map(([type, fields]) => [type, new Map(Object.entries(fields).map(([k, d]) => [k, d.fate === 'modelled' && !d.object && !d.items && !d.values && !d.type ? null : d]))]));
    compiledTables.set(table, c);
  }
  return c;
}

const INT64 = 2n ** 63n, UINT64 = 2n ** 64n;
/** An id of `bytes` bytes as OTLP/JSON gives it: empty, hex, or (as rehearse reads a span's ids) base64. */
function isId(v: unknown, bytes: number): boolean {
  if (typeof v !== 'string') return false;
  if (v === '' || (v.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(v))) return true;
  return /^[A-Za-z0-9+/_-]+={0,2}$/.test(v) && Buffer.from(v, 'base64').length === bytes;
}
/** Whether `v` is of JSON type `t` as the vendor's reader takes it. */
function isType(v: unknown, t: JsonType): boolean {
  switch (t) {
    case 'string': return typeof v === 'string';
    case 'text': return typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
    case 'boolean': return typeof v === 'boolean';
    case 'number': return typeof v === 'number';
    case 'int64': return typeof v === 'number' ? Number.isInteger(v) && Math.abs(v) <= 2 ** 63 : typeof v === 'string' && /^[+-]?\d{1,25}$/.test(v) && BigInt(v) >= -INT64 && BigInt(v) < INT64;
    case 'uint64': return typeof v === 'number' ? Number.isInteger(v) && v >= 0 && v <= 2 ** 64 : typeof v === 'string' && /^\d{1,25}$/.test(v) && BigInt(v) < UINT64;
    case 'goUint64': return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 2 ** 64;
    case 'uint32': return (typeof v === 'number' || (typeof v === 'string' && /^\d{1,10}$/.test(v))) && Number.isInteger(Number(v)) && Number(v) >= 0 && Number(v) < 2 ** 32;
    case 'traceId': return isId(v, 16);
    case 'spanId': return isId(v, 8);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    case 'list': return Array.isArray(v);
  }
}
const TYPE_WORDS: Record<JsonType, string> = {
  string: 'text', text: 'text or a number', boolean: 'true or false', number: 'a number', int64: 'a whole number (int64, or its text)',
  uint64: 'a whole number of 0 or more (uint64, or its text)', goUint64: 'a whole number of 0 or more (uint64: Go reads no text for it)', uint32: 'a whole number from 0 to 4294967295 (uint32, or its text)',
  traceId: '16 bytes in hex (32 digits; or base64)', spanId: '8 bytes in hex (16 digits; or base64)', object: 'an object', list: 'a list',
};
/** A value's JSON type in words, and for a whole number expected, what is wrong with the number given. */
function kindOf(v: unknown, expected: JsonType): string {
  const whole = expected === 'int64' || expected === 'uint64' || expected === 'goUint64' || expected === 'uint32';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'string' && (expected === 'traceId' || expected === 'spanId')) return `${quoted(shown(v))}`;
  // Not the value itself: a skip's reason counts the spans it holds, and each value would be a reason of its own.
  if (typeof v === 'string' && expected === 'goUint64') return /^[+-]?\d+$/.test(v) ? 'the text of a number' : 'text';
  if (typeof v === 'string') return whole && /^[+-]?\d+$/.test(v) ? (v.startsWith('-') && expected !== 'int64' ? 'the text of a negative number' : 'the text of a number out of range') : 'text';
  if (typeof v === 'number') {
    if (!whole) return 'a number';
    // JSON's 1e999 is Infinity to JSON.parse: a number out of range, not one with a fraction.
    return !Number.isFinite(v) ? 'a number out of range' : !Number.isInteger(v) ? 'a number with a fraction' : v < 0 && expected !== 'int64' ? 'a negative number' : 'a number out of range';
  }
  return typeof v === 'boolean' ? 'true or false' : 'an object';
}
/** Whose reader refuses a value of the wrong type, by the format's name in messages. */
const READER: Record<string, string> = {
  OTLP: 'the collector\'s OTLP/JSON reader (pdata/internal/json) refuses the request',
  Zipkin: 'Zipkin\'s reader (V2SpanReader, with Gson) refuses it',
};
const readerOf = (format: string) => READER[format] ?? (format.includes('protobuf') ? 'Jaeger\'s reader of its protobuf model\'s JSON (jsonpb) refuses it' : 'Jaeger\'s reader (Go\'s encoding/json) refuses it');

/** An object being walked, a key at a time, or the objects of a list or map, one at a time: the walk keeps its own stack. */
type Frame =
  | { readonly kind: 'fields'; readonly type: string; readonly fields: ReadonlyMap<string, Disposition | null>; readonly obj: Record<string, unknown>; readonly keys: readonly string[]; i: number; readonly here: Step | null }
  | { readonly kind: 'each'; readonly type: string; readonly entries: readonly (readonly [string | number, unknown])[] | readonly unknown[]; readonly list: boolean; i: number; readonly up: Step; readonly name: string; readonly of: string };

/**
 * Depth first, in the order of the keys, as a recursive walk would go, but with its own stack: input decides how deep
 * an attribute's value nests (up to the JSON reader's limit of 10,000 levels), and recursion overflowed the stack.
 */
function walk(table: FieldTable, format: string, snake: boolean, rootType: string, value: unknown, report: ReadReport, where: Where): Refusal | null {
  const stack: Frame[] = [];
  const open = (type: string, v: unknown, here: Step | null): void => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return;
    const fields = compiled(table).get(type);
    if (fields === undefined) throw new Error(`no field table for ${format} ${type}`);
    stack.push({ kind: 'fields', type, fields, obj: v as Record<string, unknown>, keys: Object.keys(v), i: 0, here });
  };
  const refuse = (step: Step, what: string, v: unknown, expected: JsonType): Refusal => ({
    why: `${what} is ${kindOf(v, expected)}, not ${TYPE_WORDS[expected]} (${readerOf(format)})`,
    at: locate(report, pathOf(where, step)),
  });
  open(rootType, value, null);
  // The path made only where needed: this runs for every span (and attribute) of files of millions.
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.kind === 'each') {
      if (f.i >= f.entries.length) {
        stack.pop();
        continue;
      }
      const [key, x] = f.list ? [f.i, f.entries[f.i]] as const : f.entries[f.i] as readonly [string, unknown];
      f.i++;
      const step: Step = { up: f.up, key };
      // An element of a list of objects, or a value of a map of them, that is no object fails the reader too.
      if (x !== null && x !== undefined && !isType(x, 'object')) return refuse(step, `${format} ${f.of}.${f.name}[${typeof key === 'number' ? key : JSON.stringify(key)}]`, x, 'object');
      open(f.type, x, step);
      continue;
    }
    if (f.i >= f.keys.length) {
      stack.pop();
      continue;
    }
    const name = f.keys[f.i++];
    // jsonpb (and the collector for OTLP) reads a field by its proto name (snake_case) as well as its JSON name.
    const camel = snake && name.includes('_') ? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : name;
    const d = f.fields.get(camel);
    if (d === null) continue;
    const v = f.obj[name];
    if (d === undefined) {
      const here = f.here;
      report.noteField(`${format} ${f.type}.${name}`, () => locate(report, pathOf(where, { up: here, key: name })), () => `${quoted(name)} is not a field of ${format}'s ${f.type}: not read${didYouMean(name, f.fields.keys())}`);
      continue;
    }
    const expected = d.type ?? (d.items ? 'list' : d.object || d.values ? 'object' : undefined);
    const wrong = expected !== undefined && v !== null && v !== undefined && !isType(v, expected);
    if (wrong && d.fate === 'modelled') return refuse({ up: f.here, key: name }, `${format} ${f.type}.${name}`, v, expected);
    if (d.fate !== 'modelled' && (d.when ? d.when(v) : v !== null && v !== undefined)) {
      if (d.fate === 'refused') return { why: typeof d.why === 'string' ? d.why : d.why(v), at: locate(report, pathOf(where, { up: f.here, key: name })) };
      let noted = seen.get(report);
      if (noted === undefined) seen.set(report, (noted = new Map()));
      const note = noted.get(d);
      if (note !== undefined) note.count++;
      else {
        const key = `${format} ${f.type}.${camel}`;
        const here = f.here;
        report.noteField(key, () => locate(report, pathOf(where, { up: here, key: name })), () => `${format} ${f.type}.${name}: ${typeof d.why === 'string' ? d.why : d.why(v)}`);
        noted.set(d, report.fieldNotes.get(key)!);
      }
    }
    // A warned field is said first (a Jaeger answer's errors as a text), then refused for its type.
    if (wrong) return refuse({ up: f.here, key: name }, `${format} ${f.type}.${name}`, v, expected);
    if (!d.object && !d.items && !d.values) continue;
    const step: Step = { up: f.here, key: name };
    // Pushed in reverse: the object is walked first, then the list's items, then the map's values.
    if (d.values && v !== null && typeof v === 'object') stack.push({ kind: 'each', type: d.values, entries: Object.entries(v), list: false, i: 0, up: step, name, of: f.type });
    if (d.items && Array.isArray(v)) stack.push({ kind: 'each', type: d.items, entries: v, list: true, i: 0, up: step, name, of: f.type });
    if (d.object) open(d.object, v, step);
  }
  return null;
}

/** Where the value at `path` inside the text being read begins ("line:column"); where that text begins when it is not found. */
export function locate(report: ReadReport, path: readonly (string | number)[]): string {
  const part = report.parts !== null && typeof path[0] === 'string' ? report.parts.get(path[0]) : undefined;
  if (part !== undefined) return placeIn(part.here, part.text, path.slice(1));
  return placeIn(report.here, report.hereText, path);
}

function placeIn(here: string, text: string, path: readonly (string | number)[]): string {
  const offset = findPath(text, path);
  const m = /^(\d+):(\d+)$/.exec(here);
  if (offset < 0 || m === null) return here;
  let line = Number(m[1]), column = Number(m[2]);
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return `${line}:${column}`;
}

/**
 * The offset in `text` (JSON) of the key of the value at `path` (of the list item, for an index), or -1. The walk
 * is linear and made only for the first time a field is warned of in a file.
 */
export function findPath(text: string, path: readonly (string | number)[]): number {
  if (path.length === 0) return text === '' ? -1 : 0;
  // Each open container: its path, the key or index now, and where that key or item began.
  const stack: { key: string | number; at: number; array: boolean; expectKey: boolean }[] = [];
  const matches = (): boolean => stack.length === path.length && stack.every((f, i) => f.key === path[i]);
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (top && !top.array && top.expectKey) {
        top.key = JSON.parse(text.slice(i, j + 1)) as string;
        top.at = i;
        top.expectKey = false;
        if (matches()) return i;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ key: c === '[' ? 0 : '', at: i + 1, array: c === '[', expectKey: c === '{' });
      const f = stack[stack.length - 1];
      if (f.array && matches()) return i + 1;
    } else if (c === '}' || c === ']') stack.pop();
    else if (c === ',' && top) {
      if (top.array) {
        top.key = (top.key as number) + 1;
        top.at = i + 1;
        if (matches()) return i + 1 + (/^\s*/.exec(text.slice(i + 1, i + 64))?.[0].length ?? 0);
      } else top.expectKey = true;
    }
  }
  return -1;
}
