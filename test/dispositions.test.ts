/**
 * No silent fallback: every field of each flag vendor's published schema or data model has a disposition
 * (modelled, warned or refused) in the table beside its adapter, and every vendor file imports with each of
 * its fields accounted for. Schemas walked (test/fixtures/vendor/<vendor>/schema*):
 * - Unleash: the OpenAPI schemas of the feature export and the client API (Unleash/unleash
 *   src/lib/openapi/spec/*-schema.ts) and the Joi schemas of the state import (src/lib/services/state-schema.ts);
 * - LaunchDarkly: the flag and segment data model (launchdarkly/js-core packages/shared/sdk-server/src/
 *   evaluation/data/*.ts), the file data source file and the stream put;
 * - flagd: flags.json and targeting.json (open-feature/flagd docs/schema/v0).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tally, type DispositionTable } from '../src/interop/disposition.js';
import { formatWarning, parseFlagText, type FlagSystem } from '../src/interop/document.js';
import { FLAGD_DISPOSITIONS } from '../src/interop/flagd/dispositions.js';
import { ADAPTERS } from '../src/interop/flags.js';
import { LAUNCHDARKLY_DISPOSITIONS } from '../src/interop/launchdarkly/dispositions.js';
import { UNLEASH_DISPOSITIONS, UNLEASH_SCALARS, UNLEASH_STRUCTURE } from '../src/interop/unleash/dispositions.js';

const vendor = new URL('./fixtures/vendor/', import.meta.url).pathname;
const json = (file: string) => JSON.parse(readFileSync(join(vendor, file), 'utf8'));

type Json = Record<string, any>;

/** Fields of an OpenAPI field list (openapi-fields.json) the table has no disposition for, from `root`. */
function openApiGaps(schemas: Json, table: DispositionTable, root: string, rootType: string): string[] {
  const gaps: string[] = [];
  const seen = new Set<string>();
  const nested = (f: Json): Json | null => {
    const ref = f.ref ?? f.items?.ref;
    if (ref) return schemas[ref]?.fields ?? null;
    return f.properties ?? f.items?.properties ?? null;
  };
  const visit = (fields: Json, type: string) => {
    if (seen.has(type)) return;
    seen.add(type);
    const t = table[type];
    if (!t) return void gaps.push(`${type}: no table`);
    for (const [name, f] of Object.entries(fields)) {
      const d = t[name];
      if (!d) {
        gaps.push(`${type}.${name}`);
        continue;
      }
      const inner = nested(f as Json);
      const pointer = d.object ?? d.items ?? d.values;
      if (inner && pointer) visit(inner, pointer);
    }
  };
  visit(schemas[root].fields, rootType);
  return gaps;
}

/** Properties of a JSON Schema node, through local $ref, allOf, oneOf and anyOf. */
function properties(node: Json, defs: Json): Map<string, Json> {
  const out = new Map<string, Json>();
  const add = (n: Json | undefined) => {
    if (!n || typeof n !== 'object') return;
    if (typeof n.$ref === 'string' && n.$ref.startsWith('#/definitions/')) add(defs[n.$ref.slice('#/definitions/'.length)]);
    for (const [k, v] of Object.entries(n.properties ?? {})) out.set(k, v as Json);
    for (const k of ['allOf', 'oneOf', 'anyOf']) for (const x of n[k] ?? []) add(x);
  };
  add(node);
  return out;
}

/** Fields of a JSON Schema the table has no disposition for. */
function jsonSchemaGaps(schema: Json, table: DispositionTable, rootType: string): string[] {
  const gaps: string[] = [];
  const defs = schema.definitions ?? {};
  const visit = (node: Json, type: string) => {
    const t = table[type];
    if (!t) return void gaps.push(`${type}: no table`);
    for (const [name, sub] of properties(node, defs)) {
      const d = t[name];
      if (!d) {
        gaps.push(`${type}.${name}`);
        continue;
      }
      if (d.object && properties(sub, defs).size) visit(sub, d.object);
      const values = Object.values(sub.patternProperties ?? {})[0] as Json | undefined;
      if ((d.values ?? d.items) && values) visit(values, (d.values ?? d.items)!);
    }
  };
  visit(schema, rootType);
  return gaps;
}

const unleashOpenApi = json('unleash/schemas/openapi-fields.json').schemas;
const unleashJoi = json('unleash/schemas/state-import-joi-fields.json').schemas;
const ldModel = json('launchdarkly/schemas/data-model-fields.json').objects;
const flagdSchema = json('flagd/schema/flags.json');
const targetingSchema = json('flagd/schema/targeting.json');

function joiGaps(table: DispositionTable): string[] {
  return Object.entries(unleashJoi as Json).flatMap(([name, s]) => Object.keys(s.fields).filter((f) => !table[`state.${name}`]?.[f]).map((f) => `state.${name}.${f}`));
}

function ldGaps(table: DispositionTable): string[] {
  const gaps: string[] = [];
  for (const [name, o] of Object.entries(ldModel as Json)) {
    for (const [field, f] of Object.entries(o.fields as Json)) {
      const d = table[name]?.[field];
      if (!d) gaps.push(`${name}.${field}`);
      else if (f.fields && d.object) for (const inner of Object.keys(f.fields)) if (!table[d.object]?.[inner]) gaps.push(`${name}.${field}.${inner}`);
    }
  }
  return gaps;
}

/** Operations of flagd's targeting language: each rule definition's property, and $ref. */
const targetingOperations = (): string[] => [
  ...Object.values(targetingSchema.definitions as Json).flatMap((d) => Object.keys(d.properties ?? {})),
  ...Object.keys(targetingSchema.definitions.reference.patternProperties).map((p) => p.replace(/^\^\\?/, '').replace(/\$$/, '')),
];

describe('Unleash: the lists and objects held to their type are those of its schemas', () => {
  // UNLEASH_STRUCTURE (src/interop/unleash/dispositions.ts) refuses a value of another type; each of its fields is
  // a list or an object in the OpenAPI schemas (state.*: the state import's Joi schemas), and each list or object of
  // the exported and served schemas (those the table names) is held to its type, but a constraint's values (checked by
  // the operator that reads them).
  const typeOf = (name: string, field: string): string | undefined => {
    if (!name.startsWith('state.')) return (unleashOpenApi as Json)[name]?.fields?.[field]?.type;
    const t = (unleashJoi as Json)[name.slice('state.'.length)]?.fields?.[field];
    return typeof t === 'string' ? (t.startsWith('array') ? 'array' : t.startsWith('object') || t.startsWith('{') ? 'object' : t) : undefined;
  };
  it('every field held is a list or an object there, of the same type', () => {
    const wrong = Object.entries(UNLEASH_STRUCTURE).flatMap(([name, fields]) => Object.entries(fields)
      .filter(([field, type]) => typeOf(name, field) !== undefined && typeOf(name, field) !== type).map(([field, type]) => `${name}.${field}: ${type} here, ${typeOf(name, field)} there`));
    expect(wrong).toEqual([]);
  });
  // The types a walk with the typed table reaches (src/interop/unleash/state.ts walks these roots with it; a feature
  // export is validated by Unleash's OpenAPI schemas, openapi.ts, then walked untyped).
  const reached = new Set<string>();
  for (const todo = ['specification', 'clientFeaturesSchema', 'delta', 'state.stateSchema']; todo.length;) {
    const t = todo.pop()!;
    if (reached.has(t)) continue;
    reached.add(t);
    for (const d of Object.values(UNLEASH_DISPOSITIONS[t] ?? {})) todo.push(...[d.object, d.items, d.values].filter((x): x is string => x !== undefined));
  }
  it('the typed table reaches the client API, its delta and state exports, and holds no type it never reaches', () => {
    expect([...reached].filter((t) => !t.startsWith('state.')).sort()).toEqual([
      'clientFeatureSchema', 'clientFeaturesQuerySchema', 'clientFeaturesSchema', 'clientSegmentSchema', 'constraintSchema', 'delta', 'deltaEvent',
      'dependentFeatureSchema', 'featureStrategySchema', 'overrideSchema', 'payload', 'specification', 'strategyVariantSchema', 'variantSchema',
    ]);
    expect([...Object.keys(UNLEASH_STRUCTURE), ...Object.keys(UNLEASH_SCALARS)].filter((t) => !reached.has(t))).toEqual([]);
  });
  it('every list or object there of a type the table names is held', () => {
    const missing: string[] = [];
    for (const name of [...reached].sort()) {
      const fields = name.startsWith('state.') ? (unleashJoi as Json)[name.slice('state.'.length)]?.fields : (unleashOpenApi as Json)[name]?.fields;
      for (const field of Object.keys(fields ?? {})) {
        const t = typeOf(name, field);
        if ((t === 'array' || t === 'object') && UNLEASH_DISPOSITIONS[name]?.[field] && UNLEASH_STRUCTURE[name]?.[field] === undefined) missing.push(`${name}.${field}`);
      }
    }
    expect(missing).toEqual(['constraintSchema.values', 'state.constraintSchema.values']);
  });
  it('the scalars held are those of the OpenAPI schemas, each of them but those checked where they are read', () => {
    const scalar = (t: string | undefined) => (t === 'integer' ? 'number' : t);
    const wrong: string[] = [];
    const missing: string[] = [];
    for (const [name, fields] of Object.entries(UNLEASH_SCALARS)) {
      for (const [field, type] of Object.entries(fields)) if (scalar(typeOf(name, field)) !== type) wrong.push(`${name}.${field}`);
    }
    for (const name of [...reached].sort().filter((n) => !n.startsWith('state.'))) {
      for (const field of Object.keys((unleashOpenApi as Json)[name]?.fields ?? {})) {
        const t = scalar(typeOf(name, field));
        if ((t === 'string' || t === 'number' || t === 'boolean') && UNLEASH_DISPOSITIONS[name]?.[field] && UNLEASH_SCALARS[name]?.[field] === undefined) missing.push(`${name}.${field}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(missing).toEqual(['clientFeatureSchema.enabled', 'featureStrategySchema.name', 'strategyVariantSchema.name', 'variantSchema.name']);
  });
});

describe('every field of the vendors\' schemas has a disposition', () => {
  it('Unleash: the feature export, the client API and the state import', () => {
    expect(openApiGaps(unleashOpenApi, UNLEASH_DISPOSITIONS, 'exportResultSchema', 'exportResultSchema')).toEqual([]);
    expect(openApiGaps(unleashOpenApi, UNLEASH_DISPOSITIONS, 'clientFeaturesSchema', 'clientFeaturesSchema')).toEqual([]);
    expect(joiGaps(UNLEASH_DISPOSITIONS)).toEqual([]);
  });

  it('LaunchDarkly: flags, segments and their parts, the file data source file, the stream put', () => {
    expect(ldGaps(LAUNCHDARKLY_DISPOSITIONS)).toEqual([]);
  });

  it('flagd: flags.json and every operation of targeting.json', () => {
    expect(jsonSchemaGaps(flagdSchema, FLAGD_DISPOSITIONS, 'FlagdFile')).toEqual([]);
    const ops = targetingOperations();
    expect(ops).toContain('$ref');
    expect(ops.length).toBeGreaterThan(35);
    expect(ops.filter((op) => !FLAGD_DISPOSITIONS.Targeting[op])).toEqual([]);
  });

  it('a field left out of a table is reported, at any depth', () => {
    const without = (table: DispositionTable, type: string, field: string): DispositionTable => {
      const { [field]: _gone, ...rest } = table[type];
      return { ...table, [type]: rest };
    };
    expect(openApiGaps(unleashOpenApi, without(UNLEASH_DISPOSITIONS, 'overrideSchema', 'values'), 'exportResultSchema', 'exportResultSchema')).toEqual(['overrideSchema.values']);
    expect(joiGaps(without(UNLEASH_DISPOSITIONS, 'state.featureStrategySchema', 'strategyName'))).toEqual(['state.featureStrategySchema.strategyName']);
    expect(ldGaps(without(LAUNCHDARKLY_DISPOSITIONS, 'StreamPutData', 'segments'))).toEqual(['StreamPut.data.segments']);
    expect(ldGaps(without(LAUNCHDARKLY_DISPOSITIONS, 'Segment', 'unbounded'))).toEqual(['Segment.unbounded']);
    expect(jsonSchemaGaps(flagdSchema, without(FLAGD_DISPOSITIONS, 'Flag', 'defaultVariant'), 'FlagdFile')).toEqual(['Flag.defaultVariant']);
    expect(jsonSchemaGaps(flagdSchema, without(FLAGD_DISPOSITIONS, 'FlagSetMetadata', 'flagSetId'), 'FlagdFile')).toEqual(['FlagSetMetadata.flagSetId']);
  });

  it('tables by fate (modelled, warned, refused)', () => {
    expect(tally(UNLEASH_DISPOSITIONS)).toEqual({ modelled: 243, warned: 10, refused: 0 });
    expect(tally(LAUNCHDARKLY_DISPOSITIONS)).toEqual({ modelled: 76, warned: 4, refused: 0 });
    expect(tally(FLAGD_DISPOSITIONS)).toEqual({ modelled: 51, warned: 0, refused: 0 });
  });
});

/** Every vendor flag file, with its system, the options it needs and what importing it says. */
const unleashEnv: Record<string, string> = {
  'state-v3.exported3-with-default-disabled.json': 'production', 'state-v3.variantsexport_v3.json': 'production', 'state-v4.built-from-exportV4.json': 'production',
  'state-v3.v3-minimal.json': 'production', 'state-v2.import-state.json': 'production',
};
const files: [string, FlagSystem, string | undefined][] = [
  // exported412-enterprise.json is refused, as Unleash's own state import refuses it (test/real-flags-15.test.ts).
  ...readdirSync(join(vendor, 'unleash')).filter((f) => f.endsWith('.json') && f !== 'state-v2.exported412-enterprise.json').map((f): [string, FlagSystem, string | undefined] => [`unleash/${f}`, 'unleash', unleashEnv[f]]),
  ...readdirSync(join(vendor, 'launchdarkly/filesource')).filter((f) => f !== 'malformed.yml').map((f): [string, FlagSystem, undefined] => [`launchdarkly/filesource/${f}`, 'launchdarkly', undefined]),
  ['launchdarkly/server-side-eval.flags.json', 'launchdarkly', undefined],
  ['flagd/testbed-flags.json', 'flagd', undefined], ['flagd/testbed-edge-case-flags.json', 'flagd', undefined],
  // Flag set metadata with keys of its own, which flags.json allows (additionalProperties) and flagd serves.
  ['flagd/testbed-selector-flag-combined-metadata.json', 'flagd', undefined],
  // The testbed's evaluator test kit (test/flagd-testbed.test.ts runs its scenarios).
  ['flagd/evaluator/testkit-flags.json', 'flagd', undefined],
];

describe('every vendor file imports with each field accounted for', () => {
  const imported = files.map(([file, system, environment]) => {
    const parts = ADAPTERS[system].toScenarioParts(parseFlagText(readFileSync(join(vendor, file), 'utf8'), file), { environment });
    return { file, flags: parts.flags.length, warnings: parts.warnings.map(formatWarning) };
  });

  it('no field that no table names (the walk would warn about it)', () => {
    expect(imported.flatMap((i) => i.warnings.filter((w) => w.includes('is not a field of')))).toEqual([]);
  });

  it('what each file holds and what it is warned about', () => {
    const summary = Object.fromEntries(imported.map((i) => [i.file, [i.flags, i.warnings.length]]));
    expect(summary).toEqual({
      // Its segment's IN constraint says caseInsensitive, which unleash-client does not read there (test/real-files-22.test.ts).
      'unleash/client-features.v1-with-segments.json': [5, 3],
      'unleash/client-features.v2-advanced-segments.json': [2, 1],
      'unleash/features-batch-export.import-data.json': [1, 0],
      'unleash/spec-16-case-insensitive-in-operators.8ec0b20.json': [4, 4],
      'unleash/state-v1.exported3176.json': [2, 1],
      'unleash/state-v1.exported-3175-enterprise.json': [4, 2],
      'unleash/state-v1.exported405-enterprise.json': [5, 2],
      'unleash/state-v1.import.json': [4, 1],
      'unleash/state-v2.exported412-enterprise-necessary-fixes.json': [6, 2],
      'unleash/state-v2.exported412-version2.json': [6, 2],
      'unleash/state-v2.import-state.json': [1, 0],
      'unleash/state-v3.exported-segments.json': [1, 1],
      'unleash/state-v3.exported3-with-default-disabled.json': [1, 0],
      'unleash/state-v3.variantsexport_v3.json': [2, 0],
      'unleash/state-v3.v3-minimal.json': [0, 0],
      'unleash/state-v4.built-from-exportV4.json': [2, 4],
      'launchdarkly/filesource/all-properties.json': [2, 0],
      'launchdarkly/filesource/all-properties.yml': [2, 0],
      'launchdarkly/filesource/flag-only.json': [1, 0],
      'launchdarkly/filesource/flag-only.yml': [1, 0],
      'launchdarkly/filesource/flag-with-duplicate-key.json': [2, 2],
      'launchdarkly/filesource/segment-only.json': [0, 0],
      'launchdarkly/filesource/segment-only.yml': [0, 0],
      'launchdarkly/filesource/segment-with-duplicate-key.json': [0, 0],
      'launchdarkly/filesource/value-only.json': [1, 0],
      'launchdarkly/filesource/value-only.yml': [1, 0],
      'launchdarkly/filesource/value-with-duplicate-key.json': [2, 0],
      'launchdarkly/server-side-eval.flags.json': [38, 2],
      'flagd/testbed-flags.json': [13, 3],
      'flagd/testbed-edge-case-flags.json': [15, 3],
      'flagd/testbed-selector-flag-combined-metadata.json': [1, 0],
      'flagd/evaluator/testkit-flags.json': [60, 2],
    });
  });

  it('the warnings name file:line:column and the path', () => {
    const w = imported.find((i) => i.file === 'unleash/client-features.v1-with-segments.json')!.warnings;
    expect(w).toEqual([
      'unleash/client-features.v1-with-segments.json:70:33: features[3].strategies[0].name: strategy "baz" is not a strategy unleash-client knows: it never matches, as unleash-client serves it',
      'unleash/client-features.v1-with-segments.json:86:33: features[4].strategies[1].name: strategy "hola" is not a strategy unleash-client knows: it never matches, as unleash-client serves it',
      'unleash/client-features.v1-with-segments.json:14:40: segments[0].constraints[0].caseInsensitive: caseInsensitive has no effect on operator IN: unleash-client compares its values exactly (strategy.js InOperator); only STR_CONTAINS, STR_STARTS_WITH, STR_ENDS_WITH and REGEX read it. Rehearsed as the client serves it (a value that differs only in case does not match)',
    ]);
    expect(imported.find((i) => i.file === 'flagd/testbed-edge-case-flags.json')!.warnings).toEqual([
      'flagd/testbed-edge-case-flags.json:21:20: flags.error-targeting-flag.targeting: operation "invalid" is not one flagd knows: an evaluation of flag "error-targeting-flag" that reaches it is an error (PARSE_ERROR; Go\'s jsonlogic: the operator is not supported): the caller gets its default',
      'flagd/testbed-edge-case-flags.json:33:22: flags.missing-variant-targeting-flag.targeting.if[1]: the targeting result "three" is not a variant ("one", "two"): users who get it get an evaluation error (GENERAL) and the caller\'s default',
      'flagd/testbed-edge-case-flags.json:96:26: flags.fractional-null-bucket-key-flag.targeting.if[0].fractional: fractional is bucketed as flagd v2 buckets it (every flagd release to date); flagd v3 (the flagd testbed\'s @fractional-v3) puts users in other buckets: name one with flags.from.fractional (v2 or v3)',
    ]);
  });

  it('a field no schema has is warned with its path, never dropped in silence', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { f: { key: 'f', on: true, variations: [1], fallthrough: { variation: 0 }, rollbackPlan: 'x' } } }), 'f.json');
    expect(ADAPTERS.launchdarkly.toScenarioParts(doc).warnings.map(formatWarning))
      .toEqual(['f.json:1:98: flags.f.rollbackPlan: "rollbackPlan" is not a field of LaunchDarkly\'s Flag: LaunchDarkly does not read it, nor does rehearse']);
  });
});
