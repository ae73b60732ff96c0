#!/usr/bin/env node
/**
 * The field paths of a CustomResourceDefinition's `spec`, from its openAPIV3Schema, as a JSON list: one entry per
 * field (objects and arrays included), `[]` for the items of an array, `*` for the keys of a map
 * (additionalProperties), and `**` for a subtree that is free-form (x-kubernetes-preserve-unknown-fields) or
 * collapsed on request (`--collapse spec.template`: an embedded Kubernetes type such as a pod template, which
 * rehearse never reads field by field).
 *
 *   node scripts/crd-fields.mjs CRD.yaml [--kind Kind] [--collapse path]... [--types] > fields.json
 *
 * With --types, a JSON object instead: each path (no `**` entries) with the type the schema gives it, as the API
 * server checks it: string, integer, number, boolean, object, array, int-or-string (x-kubernetes-int-or-string) or
 * any (no type); `object*` for a free-form or collapsed object (src/interop/kube/crd-types.json is made of these).
 * With --constraints, the enum, pattern, minimum and maximum of each field that has any
 * (src/interop/kube/crd-constraints.json). A file with several CRDs needs --kind. The test of each adapter's disposition table reads these lists (or
 * calls fieldPaths() on a CRD it holds itself).
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';

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

function typeOf(schema, free) {
  if (schema['x-kubernetes-int-or-string']) return 'int-or-string';
  if (free) return schema.type === undefined || schema.type === 'object' ? 'object*' : schema.type;
  return schema.type ?? 'any';
}

function walkSchema(docs, kind, collapse, subtrees, each = () => {}) {
  const crd = docs.find((d) => d?.kind === 'CustomResourceDefinition' && (kind === undefined || d.spec?.names?.kind === kind));
  if (!crd) throw new Error(`no CustomResourceDefinition${kind ? ` of kind ${kind}` : ''}`);
  const versions = crd.spec.versions ?? [];
  const version = versions.find((v) => v.storage) ?? versions[0];
  const spec = version?.schema?.openAPIV3Schema?.properties?.spec;
  if (!spec) throw new Error(`${crd.metadata.name}: no openAPIV3Schema.properties.spec`);
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
  let types = false;
  const collapse = [];
  while (args.length) {
    const a = args.shift();
    if (a === '--kind') kind = args.shift();
    else if (a === '--collapse') collapse.push(args.shift());
    else if (a === '--types') types = true;
    else if (a === '--constraints') types = 'constraints';
    else throw new Error(`unknown argument ${a}`);
  }
  if (!file) throw new Error('usage: crd-fields.mjs CRD.yaml [--kind Kind] [--collapse path]...');
  const docs = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJS({ maxAliasCount: -1 }));
  const made = types === 'constraints' ? fieldConstraints(docs, kind, collapse) : types ? fieldTypes(docs, kind, collapse) : fieldPaths(docs, kind, collapse);
  process.stdout.write(`${JSON.stringify(made, null, 1)}\n`);
}
