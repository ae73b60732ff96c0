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

export type Fate = 'modelled' | 'warned' | 'refused';

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
}

/** Object types by name, each with its fields (their names as the vendor's JSON spells them). */
export type FieldTable = Readonly<Record<string, Readonly<Record<string, Disposition>>>>;

type Nested = Pick<Disposition, 'object' | 'items' | 'values'>;
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
  // A value nested thousands deep overflows JSON.stringify (a RangeError with a stack): said so instead.
  let text: string;
  try {
    text = JSON.stringify(v);
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
 * object is inside `report.hereText`. Returns null, or why the object is refused.
 */
export function checkFields(table: FieldTable, format: string, type: string, value: unknown, report: ReadReport, path: readonly (string | number)[] = report.base, skip = 0): string | null {
  return walk(table, format, format.includes('protobuf'), type, value, report, { path, skip }, null);
}

/** A path inside an object walked, made into a list only when a field is warned of for the first time. */
interface Step { readonly up: Step | null; readonly key: string | number }
interface Where { readonly path: readonly (string | number)[]; readonly skip: number }

function pathOf(where: Where, step: Step | null): (string | number)[] {
  const keys: (string | number)[] = [];
  for (let s = step; s !== null; s = s.up) keys.push(s.key);
  return [...where.path, ...keys.reverse()].slice(where.skip);
}

/** A table's fields as maps of one shape each (null: modelled and not walked into), made once per table. */
type Compiled = ReadonlyMap<string, ReadonlyMap<string, Disposition | null>>;
const compiledTables = new WeakMap<FieldTable, Compiled>();
function compiled(table: FieldTable): Compiled {
  let c = compiledTables.get(table);
  if (c === undefined) {
    c = new Map(Object.entries(table).map(([type, fields]) => [type, new Map(Object.entries(fields).map(([k, d]) => [k, d.fate === 'modelled' && !d.object && !d.items && !d.values ? null : d]))]));
    compiledTables.set(table, c);
  }
  return c;
}

function walk(table: FieldTable, format: string, snake: boolean, type: string, value: unknown, report: ReadReport, where: Where, here: Step | null): string | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const fields = compiled(table).get(type);
  if (fields === undefined) throw new Error(`no field table for ${format} ${type}`);
  const obj = value as Record<string, unknown>;
  // The path made only where needed: this runs for every span (and attribute) of files of millions.
  for (const name of Object.keys(obj)) {
    // jsonpb reads a field by its proto name (snake_case) as well as its JSON name.
    const camel = snake && name.includes('_') ? name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : name;
    const d = fields.get(camel);
    if (d === null) continue;
    const v = obj[name];
    if (d === undefined) {
      report.noteField(`${format} ${type}.${name}`, () => locate(report, pathOf(where, { up: here, key: name })), () => `"${name}" is not a field of ${format}'s ${type}: not read${didYouMean(name, fields.keys())}`);
      continue;
    }
    if (d.fate !== 'modelled' && (d.when ? d.when(v) : v !== null && v !== undefined)) {
      if (d.fate === 'refused') return typeof d.why === 'string' ? d.why : d.why(v);
      let noted = seen.get(report);
      if (noted === undefined) seen.set(report, (noted = new Map()));
      const note = noted.get(d);
      if (note !== undefined) note.count++;
      else {
        const key = `${format} ${type}.${camel}`;
        report.noteField(key, () => locate(report, pathOf(where, { up: here, key: name })), () => `${format} ${type}.${name}: ${typeof d.why === 'string' ? d.why : d.why(v)}`);
        noted.set(d, report.fieldNotes.get(key)!);
      }
    }
    if (!d.object && !d.items && !d.values) continue;
    const step: Step = { up: here, key: name };
    if (d.object) {
      const r = walk(table, format, snake, d.object, v, report, where, step);
      if (r !== null) return r;
    }
    if (d.items && Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const r = walk(table, format, snake, d.items, v[i], report, where, { up: step, key: i });
        if (r !== null) return r;
      }
    }
    if (d.values && v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        const r = walk(table, format, snake, d.values, x, report, where, { up: step, key: k });
        if (r !== null) return r;
      }
    }
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
