/**
 * A feature export as Unleash's feature import takes it: the request validation of POST
 * /api/admin/features-batch/import (and /validate), which holds the body's `data` to exportResultSchema with
 * the schemas importTogglesSchema references (Unleash/unleash src/lib/openapi/spec/import-toggles-schema.ts,
 * export-result-schema.ts; import-toggles-schema.json beside this module holds them as loaded from that commit).
 * Unleash's openapi-service.ts hands them to @wesleytodd/openapi 1.1.0 with `coerce: true`, whose lib/validate.js
 * validates with `new Ajv({ coerceTypes: true, strict: false })` and ajv-formats (its schemas' `$id`s dropped, as
 * Unleash's removeJsonSchemaProps drops them, and the `#/components/schemas/` references resolved in the document),
 * converting the body in place, so the import reads the converted values ("true" is true, 5 is "5"). The same ajv
 * (8.20.0, as Unleash's lockfile resolves it) and ajv-formats (2.1.1, @wesleytodd/openapi's) do it here, so what is
 * refused and what is converted is what the import refuses and converts. ajv stops at the first problem (allErrors
 * off) and Unleash answers 400 with it; every problem is given here (allErrors on: the same checks, all reported).
 */
import { createRequire } from 'node:module';
import type { PathSegment } from '../../scenario/problems.js';
import FILE from './import-toggles-schema.json' with { type: 'json' };
import { quoted } from '../../units/escape.js';

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

/** What ajv reports of a problem (ajv's ErrorObject, with `verbose` on). */
interface AjvError {
  readonly keyword: string;
  readonly instancePath: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
  readonly data?: unknown;
  readonly parentSchema?: OpenApiSchema;
}
type Validate = ((data: unknown) => boolean) & { errors?: AjvError[] | null };

let compiled: { validate: Validate; names: Map<OpenApiSchema, string> } | null = null;

/**
 * The import's validator, compiled once: ajv and ajv-formats are required when a feature export is first read
 * (start-up does not pay for them).
 */
function validator(): { validate: Validate; names: Map<OpenApiSchema, string> } {
  if (compiled) return compiled;
  const require = createRequire(import.meta.url);
  const Ajv = require('ajv').default as new (options: object) => { compile(schema: object): Validate };
  const addFormats = require('ajv-formats').default as (ajv: object) => void;
  const ajv = new Ajv({ coerceTypes: true, strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  // Each schema without its `$id`, as Unleash's removeJsonSchemaProps puts it in the document's components.
  const schemas = Object.fromEntries(Object.entries(IMPORT_SCHEMAS).map(([n, s]) => {
    const { $id: _id, ...rest } = s as OpenApiSchema & { $id?: string };
    return [n, rest];
  }));
  // Which schema a problem is in, for its message: a component, or a property or item of one.
  const names = new Map<OpenApiSchema, string>();
  for (const [n, s] of Object.entries(schemas)) {
    names.set(s, n);
    for (const [p, x] of Object.entries(s.properties ?? {})) {
      names.set(x, `${n}.${p}`);
      if (x.items) names.set(x.items, `${n}.${p}[]`);
    }
    if (isObject(s.additionalProperties)) names.set(s.additionalProperties, `${n}.*`);
  }
  const validate = ajv.compile({ $ref: '#/components/schemas/exportResultSchema', components: { schemas } });
  compiled = { validate, names };
  return compiled;
}

/** The JSON pointer's place as a path (`/features/0/name` is features[0].name). */
function pathOf(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer.slice(1).split('/').map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~')).map((p) => (/^(0|[1-9]\d*)$/.test(p) ? Number(p) : p));
}

/** A problem ajv found, in words: what the value is, what Unleash's schema wants, and what ajv answers. */
function problemOf(e: AjvError, names: Map<OpenApiSchema, string>): ExportProblem {
  const path = pathOf(e.instancePath);
  const named = (e.parentSchema && names.get(e.parentSchema)) ?? 'schema';
  // A value of a map (parametersSchema's additionalProperties) is named by its key.
  const name = named.endsWith('.*') ? `${named.slice(0, -1)}${String(path.at(-1))}` : named;
  const value = e.data;
  const refuse = (at: PathSegment[], what: string, tail = `: ajv answers "${e.message}"`) => ({ path: at, message: `${what}: ${WHY}${tail})` });
  switch (e.keyword) {
    case 'type': {
      const type = String(e.params.type).split(',')[0];
      const converts = ', converts no such value';
      if (typeof value === 'number' && !Number.isFinite(value)) return refuse(path, `${value} is no finite number (JSON, which the import reads, has none), where Unleash's ${name} is ${NAMES[type]}`, converts);
      if (type === 'integer' && typeof value === 'number') return refuse(path, `${value} is not a whole number, where Unleash's ${name} is an integer`, converts);
      const where = name.endsWith('[]') ? `each of Unleash's ${name.slice(0, -2)} is` : `Unleash's ${name} is`;
      return refuse(path, `${shown(value)} is ${NAMES[kind(value)] ?? kind(value)}, where ${where} ${NAMES[type] ?? type}`, converts);
    }
    case 'required': return refuse(path, `no ${String(e.params.missingProperty)}, which Unleash's ${name} requires`);
    case 'additionalProperties': {
      const key = String(e.params.additionalProperty);
      return refuse([...path, key], `${quoted(key)} is not a field of Unleash's ${name}`);
    }
    case 'enum': return refuse(path, `${shown(value)} is none of the values Unleash's ${name} takes (${(e.params.allowedValues as unknown[]).map((x) => JSON.stringify(x)).join(', ')})`);
    case 'minimum': return refuse(path, `${String(value)} is below ${String(e.params.limit)}, the least Unleash's ${name} takes`);
    case 'maximum': return refuse(path, `${String(value)} is above ${String(e.params.limit)}, the most Unleash's ${name} takes`);
    case 'minLength': return refuse(path, `${shown(value)} is shorter than ${String(e.params.limit)} characters, the least Unleash's ${name} takes`);
    case 'maxLength': return refuse(path, `${shown(value)} is longer than ${String(e.params.limit)} characters, the most Unleash's ${name} takes`);
    case 'pattern': return refuse(path, `${shown(value)} does not match ${String(e.params.pattern)}, as Unleash's ${name} must`);
    case 'format':
      if (e.params.format === 'date-time') return refuse(path, `${shown(value)} is no date and time with a time zone (RFC 3339: 2026-12-06T10:00:00Z), as Unleash's ${name} must be`);
      return refuse(path, `${shown(value)} is no ${String(e.params.format)}, as Unleash's ${name} must be`);
    default: return refuse(path, `${shown(value)} does not hold to Unleash's ${name}`);
  }
}

/** Which of two places comes first in `data` (keys in the order the file gives them): problems are listed so. */
function inFileOrder(data: unknown, a: PathSegment[], b: PathSegment[]): number {
  let at = data;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      if (typeof a[i] === 'number' && typeof b[i] === 'number') return (a[i] as number) - (b[i] as number);
      const keys = isObject(at) ? Object.keys(at) : [];
      return keys.indexOf(String(a[i])) - keys.indexOf(String(b[i]));
    }
    at = isObject(at) || Array.isArray(at) ? (at as Record<string, unknown>)[a[i] as string] : undefined;
  }
  return a.length - b.length;
}

/**
 * A feature export (the `data` of an import) validated as the feature import validates it: what ajv refuses, each
 * at its place, and the values the import reads (converted where ajv converts them).
 */
export function unleashExportImport(data: unknown): { value: Record<string, unknown>; problems: ExportProblem[] } {
  const { validate, names } = validator();
  // ajv converts in place: the file's own value is left as it was read.
  const value = structuredClone(data);
  const problems = validate(value) ? [] : (validate.errors ?? []).map((e) => problemOf(e, names));
  problems.sort((a, b) => inFileOrder(data, a.path, b.path));
  return { value: isObject(value) ? value : {}, problems };
}
