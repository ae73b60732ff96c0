/**
 * A feature export as Unleash's feature import takes it: the request validation of POST
 * /api/admin/features-batch/import (and /validate), which holds the body's `data` to exportResultSchema with
 * the schemas importTogglesSchema references (Unleash/unleash src/lib/openapi/spec/import-toggles-schema.ts,
 * export-result-schema.ts; import-toggles-schema.json beside this module holds them as loaded from that commit).
 * Unleash's openapi-service.ts hands them to @wesleytodd/openapi 1.1.0 with `coerce: true`, whose lib/validate.js
 * validates with ajv 8 (`coerceTypes: true`, strict off, ajv-formats) and converts the body in place, so the import
 * reads the converted values. What that does, and only that, is done here:
 * - types, with ajv's conversions (lib/compile/validate/dataType.ts coerceData): text from a number, true or false,
 *   or null; a number from true, false, null or a text that is one; true or false from "true", "false", 1, 0 or
 *   null; null (where `nullable`) from "", 0 or false; a list or an object from nothing;
 * - `required`, `additionalProperties` (false: a key the schema does not name is refused; a schema: each value held
 *   to it), `enum`, `minimum`, `maximum`, `minLength`, `maxLength` (in code points), `pattern` (a u regexp), and
 *   `format: date-time` as ajv-formats 2 checks it (a calendar date, a time, and a time zone).
 * ajv stops at the first problem (allErrors off) and Unleash answers 400 with it; every problem is given here.
 */
import type { PathSegment } from '../../scenario/problems.js';
import FILE from './import-toggles-schema.json' with { type: 'json' };

export interface OpenApiSchema {
  readonly $ref?: string;
  readonly type?: 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';
  readonly nullable?: boolean;
  readonly required?: readonly string[];
  readonly properties?: Readonly<Record<string, OpenApiSchema>>;
  readonly additionalProperties?: boolean | OpenApiSchema;
  readonly items?: OpenApiSchema;
  readonly enum?: readonly unknown[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
  readonly format?: string;
}

export interface ExportProblem {
  readonly path: PathSegment[];
  readonly message: string;
}

export const IMPORT_SCHEMAS = FILE.schemas as unknown as Readonly<Record<string, OpenApiSchema>>;
export const IMPORT_SCHEMA_SOURCE = `Unleash/unleash ${FILE.source.path} at ${FILE.source.commit.slice(0, 10)}`;

const WHY = 'Unleash\'s feature import refuses it (its OpenAPI validation of importTogglesSchema, src/lib/openapi/spec/import-toggles-schema.ts';
const NAMES: Readonly<Record<string, string>> = { string: 'text', number: 'a number', integer: 'a number', boolean: 'true or false', array: 'a list', object: 'an object', null: 'null' };
const kind = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const shown = (v: unknown) => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
};
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** ajv's type check (dataType.ts checkDataType): a number is finite; an integer has no fraction. */
function holds(type: string, v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isFinite(v) && v % 1 === 0;
    case 'boolean': return typeof v === 'boolean';
    case 'array': return Array.isArray(v);
    default: return isObject(v);
  }
}

/** ajv's coerceData with coerceTypes: true, for one target type; `undefined` where it converts nothing. */
function coerced(type: string, v: unknown): { value: unknown } | undefined {
  switch (type) {
    case 'string': return typeof v === 'number' || typeof v === 'boolean' ? { value: String(v) } : v === null ? { value: '' } : undefined;
    case 'number':
    case 'integer':
      if (typeof v === 'boolean' || v === null) return { value: Number(v) };
      // `typeof data == "string" && data && data == +data` (an integer also `&& !(data % 1)`)
      if (typeof v === 'string' && v !== '' && Number(v) == (v as unknown as number) && (type === 'number' || Number(v) % 1 === 0)) return { value: Number(v) };
      return undefined;
    case 'boolean': return v === 'true' || v === 1 ? { value: true } : v === 'false' || v === 0 || v === null ? { value: false } : undefined;
    case 'null': return v === '' || v === 0 || v === false ? { value: null } : undefined;
    default: return undefined;
  }
}

// ajv-formats 2.1.1 src/formats.ts: date, time(withTimeZone) and date_time.
const DAYS = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
function dateTime(text: string): boolean {
  const parts = text.split(/t|\s/i);
  if (parts.length !== 2) return false;
  const d = /^(\d\d\d\d)-(\d\d)-(\d\d)$/.exec(parts[0]);
  const t = /^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$/i.exec(parts[1]);
  if (!d || !t) return false;
  const [year, month, day] = [+d[1], +d[2], +d[3]];
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (month < 1 || month > 12 || day < 1 || day > (month === 2 && leap ? 29 : DAYS[month])) return false;
  const [h, m, s] = [+t[1], +t[2], +t[3]];
  return ((h <= 23 && m <= 59 && s <= 59) || (h === 23 && m === 59 && s === 60)) && t[5] !== undefined;
}

class Check {
  readonly problems: ExportProblem[] = [];

  private refuse(path: PathSegment[], what: string, ajv: string) {
    const tail = /^must be (string|number|integer|boolean|array|object)$/.test(ajv) ? ', converts no such value' : `: ajv answers "${ajv}"`;
    this.problems.push({ path, message: `${what}: ${WHY}${tail})` });
  }

  /** Validates `v`, at `path`, against `schema`, named `name` in messages; returns the value the import reads. */
  value(schema: OpenApiSchema, v: unknown, path: PathSegment[], name: string, ref?: string): unknown {
    if (schema.$ref) {
      const to = schema.$ref.replace('#/components/schemas/', '');
      return this.value(IMPORT_SCHEMAS[to], v, path, name, to);
    }
    let value = v;
    const type = schema.type;
    if (type && !holds(type, value) && !(schema.nullable && value === null)) {
      const to = coerced(type, value) ?? (schema.nullable ? coerced('null', value) : undefined);
      if (!to) {
        if (typeof value === 'number' && !Number.isFinite(value)) return this.refuse(path, `${value} is no finite number (JSON, which the import reads, has none), where Unleash's ${name} is ${NAMES[type]}`, `must be ${type}`);
        if (type === 'integer' && typeof value === 'number') return this.refuse(path, `${value} is not a whole number, where Unleash's ${name} is an integer`, 'must be integer');
        const where = name.endsWith('[]') ? `each of Unleash's ${name.slice(0, -2)} is` : `Unleash's ${name} is`;
        return this.refuse(path, `${shown(value)} is ${NAMES[kind(value)] ?? kind(value)}, where ${where} ${NAMES[type]}${ref ? ` (${ref})` : ''}`, `must be ${type}`);
      }
      value = to.value;
    }
    if (schema.enum && !schema.enum.some((e) => e === value)) {
      return this.refuse(path, `${shown(value)} is none of the values Unleash's ${name} takes (${schema.enum.map((e) => JSON.stringify(e)).join(', ')})`, 'must be equal to one of the allowed values');
    }
    if (typeof value === 'number') {
      if (schema.minimum !== undefined && value < schema.minimum) return this.refuse(path, `${value} is below ${schema.minimum}, the least Unleash's ${name} takes`, `must be >= ${schema.minimum}`);
      if (schema.maximum !== undefined && value > schema.maximum) return this.refuse(path, `${value} is above ${schema.maximum}, the most Unleash's ${name} takes`, `must be <= ${schema.maximum}`);
    }
    if (typeof value === 'string') this.text(schema, value, path, name);
    if (Array.isArray(value) && schema.items) {
      const items = schema.items;
      return value.map((x, i) => this.value(items, x, [...path, i], `${ref ?? name}[]`));
    }
    if (isObject(value) && (schema.properties || schema.additionalProperties !== undefined || schema.required)) return this.object(schema, value, path, ref ?? name);
    return value;
  }

  private text(schema: OpenApiSchema, value: string, path: PathSegment[], name: string) {
    const length = [...value].length;
    if (schema.minLength !== undefined && length < schema.minLength) this.refuse(path, `${shown(value)} is shorter than ${schema.minLength} characters, the least Unleash's ${name} takes`, `must NOT have fewer than ${schema.minLength} characters`);
    if (schema.maxLength !== undefined && length > schema.maxLength) this.refuse(path, `${shown(value)} is longer than ${schema.maxLength} characters, the most Unleash's ${name} takes`, `must NOT have more than ${schema.maxLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern, 'u').test(value)) this.refuse(path, `${shown(value)} does not match ${schema.pattern}, as Unleash's ${name} must`, `must match pattern "${schema.pattern}"`);
    if (schema.format === 'date-time' && !dateTime(value)) this.refuse(path, `${shown(value)} is no date and time with a time zone (RFC 3339: 2026-12-06T10:00:00Z), as Unleash's ${name} must be`, 'must match format "date-time"');
  }

  private object(schema: OpenApiSchema, value: Record<string, unknown>, path: PathSegment[], name: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const key of schema.required ?? []) {
      if (value[key] === undefined) this.refuse(path, `no ${key}, which Unleash's ${name} requires`, `must have required property '${key}'`);
    }
    const props = schema.properties ?? {};
    for (const [key, x] of Object.entries(value)) {
      const own = Object.hasOwn(props, key) ? props[key] : undefined;
      if (own) out[key] = this.value(own, x, [...path, key], `${name}.${key}`);
      else if (schema.additionalProperties === false) this.refuse([...path, key], `"${key}" is not a field of Unleash's ${name}`, 'must NOT have additional properties');
      else if (isObject(schema.additionalProperties)) out[key] = this.value(schema.additionalProperties, x, [...path, key], `${name}.${key}`);
      else out[key] = x;
    }
    return out;
  }
}

/**
 * A feature export (the `data` of an import) validated as the feature import validates it: what ajv refuses, each
 * at its place, and the values the import reads (converted where ajv converts them).
 */
export function unleashExportImport(data: unknown): { value: Record<string, unknown>; problems: ExportProblem[] } {
  const check = new Check();
  const value = check.value(IMPORT_SCHEMAS.exportResultSchema, structuredClone(data), [], 'exportResultSchema');
  return { value: isObject(value) ? value : {}, problems: check.problems };
}
