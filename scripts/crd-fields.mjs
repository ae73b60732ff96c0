#!/usr/bin/env node
/**
 * The field paths of a CustomResourceDefinition's `spec`, from its openAPIV3Schema, as a JSON list: one entry per
 * field (objects and arrays included), `[]` for the items of an array, `*` for the keys of a map
 * (additionalProperties), and `**` for a subtree that is free-form (x-kubernetes-preserve-unknown-fields) or
 * collapsed on request (`--collapse spec.template`: an embedded Kubernetes type such as a pod template, which
 * rehearse never reads field by field).
 *
 *   npx tsx scripts/crd-fields.mjs CRD.yaml [--kind Kind] [--collapse path]... [--types] > fields.json
 *
 * With --types, a JSON object instead: each path (no `**` entries) with the type the schema gives it, as the API
 * server checks it: string, integer, number, boolean, object, array, int-or-string (x-kubernetes-int-or-string) or
 * any (no type); `object*` for a free-form or collapsed object (src/interop/kube/crd-types.json is made of these).
 * With --constraints, the enum, pattern, minimum and maximum of each field that has any
 * (src/interop/kube/crd-constraints.json). A file with several CRDs needs --kind. The test of each adapter's disposition table reads these lists (or
 * calls fieldPaths() on a CRD it holds itself).
 *
 * With --schema, the structural schema of `spec` itself, nothing collapsed, as the API server validates a resource
 * against it: every keyword of validation (type, required, enum, pattern, bounds, lengths, oneOf/anyOf/allOf/not,
 * x-kubernetes-int-or-string, -preserve-unknown-fields, -list-type and -list-map-keys, CEL rules, defaults,
 * nullable), without descriptions and examples, for each `--kind` (every kind of the file without one), and
 * `--source owner/repo@commit:path`, where the CRD comes from, recorded with the file's sha256
 * (src/interop/kube/crd-schema-*.json are made of these, read by src/interop/kube/schema.ts).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
// CRDs are read as rehearse reads Kubernetes resources (quoted strings as Go's yaml reads them, then the plain data):
// the yaml package alone stops in the quoted strings Flagger's CRD continues at a lower indent. TypeScript: run with tsx.
import { resourceValues } from '../src/interop/kube/resources.js';

/** Field paths under `spec` of the served, stored version of `kind` in a CRD document list. */
export function fieldPaths(docs, kind, collapse = []) {
  return Object.keys(walkSchema(docs, kind, collapse, true));
}

/** The values the schema allows beyond a type, per field path that has any: enum, pattern, minimum, maximum. */
export function fieldConstraints(docs, kind, collapse = []) {
  const out = {};
  walkSchema(docs, kind, collapse, false, (path, schema) => {
    const c = {};
    for (const k of ['enum', 'pattern', 'minimum', 'maximum']) if (schema[k] !== undefined) c[k] = schema[k];
    if (Object.keys(c).length) out[path] = c;
  });
  return out;
}

/** The type of each field path under `spec` (see above), without the `**` entries. */
export function fieldTypes(docs, kind, collapse = []) {
  return walkSchema(docs, kind, collapse, false);
}

/** The validation keywords of a structural schema the API server applies, in the order they are written. */
const VALIDATION = ['type', 'format', 'nullable', 'default', 'required', 'enum', 'pattern', 'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties', 'x-kubernetes-int-or-string',
  'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys'];

/** The structural schema of `spec` of the stored version of `kind`: validation only (see above). */
export function structuralSchema(docs, kind) {
  const strip = (s) => {
    const o = {};
    for (const k of VALIDATION) if (s[k] !== undefined) o[k] = s[k];
    if (s['x-kubernetes-validations']) o['x-kubernetes-validations'] = s['x-kubernetes-validations'].map(({ rule, message }) => ({ rule, message }));
    if (s.properties) o.properties = Object.fromEntries(Object.entries(s.properties).map(([k, v]) => [k, strip(v)]));
    if (s.items) o.items = strip(s.items);
    if (s.additionalProperties !== undefined) o.additionalProperties = typeof s.additionalProperties === 'object' ? strip(s.additionalProperties) : s.additionalProperties;
    // x-kubernetes-int-or-string stands for its anyOf of integer and string (the form controller-gen writes).
    for (const k of ['oneOf', 'anyOf', 'allOf']) if (s[k] && !(k === 'anyOf' && s['x-kubernetes-int-or-string'])) o[k] = s[k].map(strip);
    if (s.not) o.not = strip(s.not);
    return o;
  };
  return strip(storedSpec(docs, kind).spec);
}

function storedSpec(docs, kind) {
  const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition' && (kind === undefined || d.spec?.names?.kind === kind));
  if (!crd) throw new Error(`no CustomResourceDefinition${kind ? ` of kind ${kind}` : ''}`);
  const versions = crd.spec.versions ?? [];
  const version = versions.find((v) => v.storage) ?? versions[0];
  const spec = version?.schema?.openAPIV3Schema?.properties?.spec;
  if (!spec) throw new Error(`${crd.metadata.name}: no openAPIV3Schema.properties.spec`);
  return { crd, version: version.name, spec };
}

function typeOf(schema, free) {
  if (schema['x-kubernetes-int-or-string']) return 'int-or-string';
  if (free) return schema.type === undefined || schema.type === 'object' ? 'object*' : schema.type;
  return schema.type ?? 'any';
}

function walkSchema(docs, kind, collapse, subtrees, each = () => {}) {
  const { spec } = storedSpec(docs, kind);
  const out = {};
  const walk = (schema, path) => {
    const free = collapse.includes(path) || (schema['x-kubernetes-preserve-unknown-fields'] && !schema.properties && !schema.items);
    out[path] = typeOf(schema, free);
    each(path, schema);
    if (free) {
      if (subtrees) out[`${path}.**`] = 'any';
      return;
    }
    for (const [name, sub] of Object.entries(schema.properties ?? {})) walk(sub, `${path}.${name}`);
    if (schema.items) walk(schema.items, `${path}[]`);
    if (schema.additionalProperties && typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, `${path}.*`);
  };
  walk(spec, 'spec');
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const file = args.shift();
  let kind;
  const kinds = [];
  let types = false;
  let source = null;
  const collapse = [];
  while (args.length) {
    const a = args.shift();
    if (a === '--kind') kinds.push(kind = args.shift());
    else if (a === '--collapse') collapse.push(args.shift());
    else if (a === '--types') types = true;
    else if (a === '--constraints') types = 'constraints';
    else if (a === '--schema') types = 'schema';
    else if (a === '--source') source = args.shift();
    else throw new Error(`unknown argument ${a}`);
  }
  if (!file) throw new Error('usage: crd-fields.mjs CRD.yaml [--kind Kind] [--collapse path]...');
  const docs = resourceValues(readFileSync(file, 'utf8'), file);
  if (types === 'schema') {
    // One file per CRD file: each kind asked for (all of them without --kind), under its name.
    const [, repository, commit, path] = /^([^@]+)@([0-9a-f]{40}):(.+)$/.exec(source ?? '') ?? [];
    if (!repository) throw new Error('--schema needs --source owner/repo@commit:path (the CRD\'s origin, recorded beside its schema)');
    const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
    const names = kinds.length > 0 ? kinds : docs.filter((d) => d?.kind === 'CustomResourceDefinition').map((d) => d.spec.names.kind);
    const first = storedSpec(docs, names[0]);
    const made = {
      source: { repository, path, commit, sha256 }, group: first.crd.spec.group, version: first.version,
      kinds: Object.fromEntries(names.map((k) => [k, structuralSchema(docs, k)])),
    };
    process.stdout.write(`${JSON.stringify(made)}\n`);
  } else {
    const made = types === 'constraints' ? fieldConstraints(docs, kind, collapse) : types ? fieldTypes(docs, kind, collapse) : fieldPaths(docs, kind, collapse);
    process.stdout.write(`${JSON.stringify(made, null, 1)}\n`);
  }
}
