/**
 * A resource checked against its vendor's own CRD schema, as the Kubernetes API server validates a custom resource
 * before any controller reads it (k8s.io/apiextensions-apiserver: nulls of non-nullable fields pruned, defaults
 * applied, then kube-openapi's validate over the structural schema, and the list types' uniqueness). What
 * crd-types.json and crd-constraints.json already hold (each listed field's type, enum, pattern and bounds) is
 * checked by the walk of the fields (fields.ts); this adds the rest of the schema: `required`, `oneOf`, `anyOf`,
 * `allOf` and `not`, lengths and counts, string formats (formats.ts), `x-kubernetes-list-type` set and map, and every rule below the subtrees
 * those tables collapse (a Rollout's pod template, an AnalysisTemplate's job), where a container without a name,
 * `containers: 5` or a port as text are refused as `kubectl apply` refuses them.
 *
 * The schemas are data files beside this module (crd-schema-*.json, made by `scripts/crd-fields.mjs --schema` from
 * the CRD files they name with repository, path, commit and sha256; test/k8s-schema.test.ts holds them to the
 * vendors' field lists and types), read on first use: only an import of such a resource pays for them. Their CEL
 * rules (x-kubernetes-validations) are evaluated where rehearse holds the rule (CEL_RULES, each the vendor's text);
 * a transition rule (one that reads oldSelf) applies to updates only, not to a resource being created.
 */
import { readFileSync } from 'node:fs';
import { constraintMessage, fieldTypes, typeMessage, type FieldType } from './crd-types.js';
import { formatMessage } from './formats.js';
import { goInteger, goIntegerMessage } from './go-integers.js';
import { pathText, where, type Path, type Resource } from './resources.js';

export interface Schema {
  readonly type?: string;
  readonly nullable?: boolean;
  readonly default?: unknown;
  readonly required?: readonly string[];
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly format?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minProperties?: number;
  readonly maxProperties?: number;
  readonly 'x-kubernetes-int-or-string'?: boolean;
  readonly 'x-kubernetes-preserve-unknown-fields'?: boolean;
  readonly 'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  readonly 'x-kubernetes-list-map-keys'?: readonly string[];
  readonly properties?: Readonly<Record<string, Schema>>;
  readonly items?: Schema;
  readonly additionalProperties?: Schema | boolean;
  readonly 'x-kubernetes-validations'?: readonly { readonly rule: string; readonly message?: string }[];
  readonly oneOf?: readonly Schema[];
  readonly anyOf?: readonly Schema[];
  readonly allOf?: readonly Schema[];
  readonly not?: Schema;
}

export interface SchemaFile {
  readonly source: { readonly repository: string; readonly path: string; readonly commit: string; readonly sha256: string };
  readonly group: string;
  readonly version: string;
  readonly kinds: Readonly<Record<string, Schema>>;
}

/** The data file of each kind's schema, by API group and kind. */
export const SCHEMA_FILES: Readonly<Record<string, string>> = {
  'argoproj.io/Rollout': 'crd-schema-rollout.json',
  'argoproj.io/AnalysisTemplate': 'crd-schema-analysis-template.json',
  'argoproj.io/ClusterAnalysisTemplate': 'crd-schema-cluster-analysis-template.json',
  'flagger.app/Canary': 'crd-schema-flagger.json',
  'flagger.app/MetricTemplate': 'crd-schema-flagger.json',
};

const loaded = new Map<string, SchemaFile>();

/** A schema data file, read once. */
export function schemaFile(name: string): SchemaFile {
  let f = loaded.get(name);
  if (!f) {
    f = JSON.parse(readFileSync(new URL(`./${name}`, import.meta.url), 'utf8')) as SchemaFile;
    loaded.set(name, f);
  }
  return f;
}

/** The data files read so far, in the order they were read. */
export function loadedSchemas(): string[] {
  return [...loaded.keys()];
}

/** The schema of `spec` of a kind of an API group, or null when rehearse has none. */
export function specSchema(group: string, kind: string): Schema | null {
  const name = SCHEMA_FILES[`${group}/${kind}`];
  return name === undefined ? null : schemaFile(name).kinds[kind] ?? null;
}

const NAMES: Readonly<Record<string, FieldType>> = { object: 'object', array: 'array', string: 'string', integer: 'integer', number: 'number', boolean: 'boolean' };

/** Whether a value has the schema's type, as kube-openapi checks it (any type when the schema names none). */
function typeOf(s: Schema): FieldType | null {
  if (s['x-kubernetes-int-or-string']) return 'int-or-string';
  return s.type !== undefined && Object.hasOwn(NAMES, s.type) ? NAMES[s.type] : null;
}

function hasSchemaType(value: unknown, t: FieldType): boolean {
  switch (t) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'int-or-string': return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    default: return true;
  }
}

/** A key the API server sees: a null of a field that is not nullable is pruned before validation. */
const present = (o: Record<string, unknown>, k: string, s: Schema | undefined) => Object.hasOwn(o, k) && o[k] !== undefined && (o[k] !== null || s?.nullable === true);

interface Found {
  readonly path: Path;
  readonly message: string;
}

interface Walk {
  readonly kind: string;
  /** The API group: which controller decodes the resource, into which Go integers (go-integers.ts); none in a oneOf's branch. */
  readonly group?: string;
  /** Whether the walk of the fields already checked this field's type and constraints (its key is in crd-types.json). */
  covered(key: string): boolean;
  readonly found: Found[];
}

/**
 * The CEL rules of the vendored schemas, by their text, over the object with its defaults applied (as the API
 * server evaluates them, after defaulting). Flagger's Canary: a mirror's backendRef to a core Service needs a port
 * (crd.yaml spec.service.mirror[].backendRef). test/real-files-15.test.ts holds every rule of the schemas to this
 * table or to being a transition rule.
 */
export const CEL_RULES: Readonly<Record<string, (self: Readonly<Record<string, unknown>>) => boolean>> = {
  "(size(self.group) == 0 && self.kind == 'Service') ? has(self.port) : true": (self) => !(String(self.group ?? '').length === 0 && self.kind === 'Service') || self.port !== undefined,
};

/** Whether a CEL rule compares with the stored object (oldSelf): it applies to updates only. */
export const transitionRule = (rule: string): boolean => /\boldSelf\b/.test(rule);

const keyOf = (parent: string, seg: string): string => (seg === '[]' ? `${parent}[]` : `${parent}.${seg}`);
const refuses = 'the API server refuses the resource';

/** What a oneOf or anyOf branch asks for, in words: `interval + threshold`, `none of exact, prefix, regex`. */
function branchText(s: Schema): string {
  const parts: string[] = [];
  if (s.required) parts.push(s.required.join(' + '));
  const none = s.not?.anyOf;
  if (none && none.every((b) => b.required)) parts.push(`none of ${none.map((b) => b.required!.join(' + ')).join(', ')}`);
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    if (p.oneOf) parts.push(`${k} with one of ${p.oneOf.map(branchText).join(', ')}`);
  }
  return parts.join(', ') || 'its own rules';
}

/** Each rule of `s` over `value`, as kube-openapi applies it; `key` is the field's key in crd-types.json. */
function check(w: Walk, value: unknown, s: Schema, path: Path, key: string): void {
  if (value === null || value === undefined) return;
  const covered = w.covered(key);
  const t = typeOf(s);
  const at = (p: Path, message: string) => w.found.push({ path: p, message });
  if (t !== null && !hasSchemaType(value, t)) {
    if (!covered) at(path, typeMessage(w.kind, t, value));
    return;
  }
  if (!covered) {
    const c = { enum: s.enum, pattern: s.pattern, minimum: s.minimum, maximum: s.maximum };
    const message = constraintMessage(w.kind, c, value);
    if (message !== null) at(path, message);
  }
  const counted = (n: number, what: string, min?: number, max?: number) => {
    if (min !== undefined && n < min) at(path, `must have at least ${min} ${what}, as the ${w.kind} CRD says, not ${n}: ${refuses}`);
    if (max !== undefined && n > max) at(path, `must have at most ${max} ${what}, as the ${w.kind} CRD says, not ${n}: ${refuses}`);
  };
  // A number the API server takes that the controller's Go field cannot hold, whether or not the walk covered its type.
  const go = w.group !== undefined && typeof value === 'number' ? goInteger(w.group, key, s) : null;
  const narrow = go === null ? null : goIntegerMessage(w.group!, w.kind, go, value as number);
  if (narrow !== null) at(path, narrow);
  // kube-openapi counts characters (utf8.RuneCountInString), not bytes.
  if (typeof value === 'string') counted([...value].length, 'characters', s.minLength, s.maxLength);
  // A string's format (formats.ts): checked whether or not the walk of the fields covered its type.
  const badFormat = typeof value === 'string' && s.format !== undefined ? formatMessage(w.kind, s.format, value) : null;
  if (badFormat !== null) at(path, badFormat);
  if (Array.isArray(value)) {
    counted(value.length, 'items', s.minItems, s.maxItems);
    uniqueItems(w, value, s, path);
    if (s.items) value.forEach((v, i) => check(w, v, s.items!, [...path, i], keyOf(key, '[]')));
  } else if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    counted(Object.keys(o).length, 'fields', s.minProperties, s.maxProperties);
    // Defaults are applied before validation: a required field with a default is there.
    const missing = (s.required ?? []).filter((k) => !present(o, k, s.properties?.[k]) && s.properties?.[k]?.default === undefined);
    if (missing.length > 0) {
      const them = missing.length > 1 ? 'them' : 'it';
      at(path, `${missing.join(', ')}: Required value: the ${w.kind} CRD requires ${them} here, and the API server refuses the resource without ${them}`);
    }
    for (const [k, v] of Object.entries(o)) {
      const sub = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (sub) check(w, v, sub, [...path, k], keyOf(key, s.properties?.[k] ? k : '*'));
    }
    const defaulted = { ...Object.fromEntries(Object.entries(s.properties ?? {}).filter(([, p]) => p.default !== undefined).map(([k, p]) => [k, p.default])), ...o };
    for (const v of s['x-kubernetes-validations'] ?? []) {
      const holds = transitionRule(v.rule) ? true : CEL_RULES[v.rule]?.(defaulted) ?? true;
      if (!holds) at(path, `${v.message ?? `failed rule: ${v.rule}`}, as the ${w.kind} CRD's rule says (${v.rule}): ${refuses}`);
    }
  }
  junctors(w, value, s, path, key);
}

/** oneOf, anyOf, allOf and not: a branch holds when it finds nothing. */
function junctors(w: Walk, value: unknown, s: Schema, path: Path, key: string): void {
  const holds = (b: Schema) => {
    const inner: Walk = { kind: w.kind, covered: () => false, found: [] };
    check(inner, value, b, path, key);
    return inner.found.length === 0;
  };
  const at = (message: string) => w.found.push({ path, message });
  if (s.oneOf) {
    const held = s.oneOf.filter(holds).length;
    if (held !== 1) at(`must validate one and only one schema (oneOf), as the ${w.kind} CRD says (${s.oneOf.map(branchText).join('; ')}); ${held === 0 ? 'none holds' : `${held} hold`}: ${refuses}`);
  }
  if (s.anyOf && !s.anyOf.some(holds)) at(`must validate at least one schema (anyOf), as the ${w.kind} CRD says (${s.anyOf.map(branchText).join('; ')}); none holds: ${refuses}`);
  for (const b of s.allOf ?? []) check(w, value, b, path, key);
  if (s.not && holds(s.not)) at(`must not validate the schema (not), as the ${w.kind} CRD says (${branchText(s.not)}): ${refuses}`);
}

/** x-kubernetes-list-type: a set holds no item twice; a map no two items with the same keys (defaults applied). */
function uniqueItems(w: Walk, items: readonly unknown[], s: Schema, path: Path): void {
  const type = s['x-kubernetes-list-type'];
  if (type !== 'set' && type !== 'map') return;
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  const identity = (v: unknown): string => {
    if (type === 'set' || v === null || typeof v !== 'object' || Array.isArray(v)) return JSON.stringify(v);
    const o = v as Record<string, unknown>;
    return JSON.stringify(Object.fromEntries(keys.map((k) => [k, o[k] ?? s.items?.properties?.[k]?.default ?? null])));
  };
  const seen = new Set<string>();
  items.forEach((v, i) => {
    const id = identity(v);
    if (!seen.has(id)) {
      seen.add(id);
      return;
    }
    const why = type === 'map' ? `a map keyed by ${keys.join(' and ')} (x-kubernetes-list-type: map): two items with the same key` : 'a set (x-kubernetes-list-type: set): an item twice';
    w.found.push({ path: [...path, i], message: `Duplicate value: ${id}: the ${w.kind} CRD makes this list ${why}, and ${refuses}` });
  });
}

/**
 * What the API server refuses in a resource's spec beyond what the walk of the fields checks (see above), each as
 * `file:line:column: path: message`; none for a kind rehearse holds no schema of.
 */
export function schemaProblems(r: Resource, group: string): string[] {
  const schema = specSchema(group, r.kind);
  if (schema === null) return [];
  const types = fieldTypes(group, r.kind) ?? {};
  const w: Walk = { kind: r.kind, group, covered: (key) => Object.hasOwn(types, key), found: [] };
  check(w, r.value.spec, schema, ['spec'], 'spec');
  return w.found.map((f) => `${where(r, f.path)}: ${pathText(f.path)}: ${f.message}`);
}
