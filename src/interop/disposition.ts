/**
 * What becomes of every field of an imported flag file: modelled (it changes what users are served, as the
 * vendor's evaluator serves them, or it cannot change it), warned (read but not rehearsed as the vendor runs it:
 * a warning with file:line:column and the path) or refused (the file is not imported). Each adapter writes its
 * vendor's fields as a table of dispositions; `walkFields` applies a table to a document, so that a field no
 * table names is never dropped in silence, and a test walks the vendor's published schema against the table.
 */
import { own } from '../records.js';
import type { PathSegment } from '../scenario/problems.js';
import { at, isObject, type FlagFile, type FlagWarning } from './document.js';
import { quoted } from '../units/escape.js';

export type Fate = 'modelled' | 'warned' | 'refused';

/** A JSON value's type, as a vendor's schema names it. */
export type JsonType = 'string' | 'number' | 'boolean' | 'array' | 'object';

export interface Disposition {
  readonly fate: Fate;
  /** One line: why, and for a warned or refused field what happens. */
  readonly why: string;
  /** For a warned or refused field: only values for which this holds are reported (default: any value). */
  readonly when?: (value: unknown) => boolean;
  /** The value is an object of this type of the table. */
  readonly object?: string;
  /** The value is a list whose items are objects of this type. */
  readonly items?: string;
  /** The value is a map (any keys) whose values are objects of this type. */
  readonly values?: string;
  /** The value's JSON type, where the vendor refuses another (null, as absent, is not checked), and why it does. */
  readonly type?: JsonType;
  readonly typeWhy?: string;
}

/** The disposition of the keys of an object type that its table does not name, where the vendor's schema
 * allows any (additionalProperties); not a field, so not counted by tally. */
export const OTHER_KEYS = '(any other key)';

/**
 * A table with the JSON type of fields added (`types`: by object type, then field), for a vendor that refuses a
 * value of another type (`why` says who does): a type for a field the table does not hold throws.
 */
export function withTypes(table: DispositionTable, types: Readonly<Record<string, Readonly<Record<string, JsonType>>>>, why: string): DispositionTable {
  const out: Record<string, Record<string, Disposition>> = {};
  for (const [name, fields] of Object.entries(table)) out[name] = { ...fields };
  for (const [name, fields] of Object.entries(types)) {
    for (const [field, type] of Object.entries(fields)) {
      const d = own(out, name) && own(out[name], field);
      if (!d) throw new Error(`a type for ${name}.${field}, which the table does not hold`);
      out[name][field] = { ...d, type, typeWhy: why };
    }
  }
  return out;
}

const jsonType = (v: unknown): string => (Array.isArray(v) ? 'array' : typeof v);
const TYPE_NAMES: Readonly<Record<string, string>> = { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'an object' };

/** Object types by name, each with its fields. A field with no object/items/values is not walked into. */
export type DispositionTable = Readonly<Record<string, Readonly<Record<string, Disposition>>>>;

export const modelled = (why: string, nested: Pick<Disposition, 'object' | 'items' | 'values'> = {}): Disposition => ({ fate: 'modelled', why, ...nested });
export const warned = (why: string, when?: (value: unknown) => boolean, nested: Pick<Disposition, 'object' | 'items' | 'values'> = {}): Disposition => ({ fate: 'warned', why, when, ...nested });
export const refused = (why: string, when?: (value: unknown) => boolean): Disposition => ({ fate: 'refused', why, when });

/** Warnings and refusals found in a document; refusals are thrown together once the walk is done. */
export interface Findings {
  readonly warnings: FlagWarning[];
  readonly refusals: FlagWarning[];
}

export const findings = (): Findings => ({ warnings: [], refusals: [] });

/**
 * Walks `value` as an object of `type`: warned and refused fields are reported at their path; a field the
 * table does not name is a warning (the vendor's reader ignores fields it does not know, and so does
 * rehearse, but not silently). `system` names the vendor in messages.
 */
export function walkFields(doc: FlagFile, table: DispositionTable, type: string, value: unknown, path: readonly PathSegment[], out: Findings, system: string): void {
  if (!isObject(value)) return;
  const fields = own(table, type);
  if (!fields) throw new Error(`no disposition table for ${type}`);
  for (const [field, v] of Object.entries(value)) {
    const p = [...path, field];
    const d = own(fields, field) ?? own(fields, OTHER_KEYS);
    if (!d) {
      out.warnings.push(at(doc, p, `${quoted(field)} is not a field of ${system}'s ${type}: ${system} does not read it, nor does rehearse`));
      continue;
    }
    if (d.type && v !== undefined && v !== null && jsonType(v) !== d.type) {
      const shown = JSON.stringify(v) ?? String(v);
      out.refusals.push(at(doc, p, `${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} is ${TYPE_NAMES[jsonType(v)] ?? jsonType(v)}, where ${system}'s ${type}.${field} is ${TYPE_NAMES[d.type]}: ${d.typeWhy}`));
      continue;
    }
    if (d.fate !== 'modelled' && (d.when ? d.when(v) : v !== undefined)) {
      (d.fate === 'refused' ? out.refusals : out.warnings).push(at(doc, p, d.why));
    }
    if (d.object) walkFields(doc, table, d.object, v, p, out, system);
    if (d.items && Array.isArray(v)) {
      v.forEach((x, i) => {
        // In a typed list, an item that is not an object is refused as a field of the wrong type is.
        if (d.type === 'array' && !isObject(x) && x !== null) out.refusals.push(at(doc, [...p, i], `${(JSON.stringify(x) ?? String(x)).slice(0, 40)} is ${TYPE_NAMES[jsonType(x)] ?? jsonType(x)}, where each of ${system}'s ${type}.${field} is an object (${d.items}): ${d.typeWhy}`));
        else walkFields(doc, table, d.items!, x, [...p, i], out, system);
      });
    }
    if (d.values && isObject(v)) for (const [k, x] of Object.entries(v)) walkFields(doc, table, d.values, x, [...p, k], out, system);
  }
}

/** Counts of a table's dispositions, per fate (for the docs and the tests). */
export function tally(table: DispositionTable): Record<Fate, number> {
  const n: Record<Fate, number> = { modelled: 0, warned: 0, refused: 0 };
  for (const fields of Object.values(table)) for (const [k, d] of Object.entries(fields)) if (k !== OTHER_KEYS) n[d.fate]++;
  return n;
}
