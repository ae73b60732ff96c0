/**
 * LaunchDarkly flag JSON as its server SDKs see it (one flag, or `{flags, segments}` as the SDK's poll and file
 * data sources carry them): read, checked, and evaluated by LaunchDarkly's own Node server SDK, fed by its
 * TestData source, with events and diagnostics off: no socket is opened and no timer left running.
 */
import { createRequire } from 'node:module';
import { launchdarklyBucket } from '../../flags/bucketing.js';
import { at, invalid, isObject, type FlagFile, type FlagWarning } from '../document.js';
import type { Evaluation, FlagSet, ImportedFlag, ScenarioParts } from '../flagset.js';

const require = createRequire(import.meta.url);

export const LAUNCHDARKLY_OPERATORS = new Set([
  'in', 'endsWith', 'startsWith', 'matches', 'contains', 'lessThan', 'lessThanOrEqual', 'greaterThan', 'greaterThanOrEqual',
  'before', 'after', 'segmentMatch', 'semVerEqual', 'semVerLessThan', 'semVerGreaterThan',
]);

type Json = Record<string, unknown>;

interface LdData {
  flags: Record<string, Json>;
  segments: Record<string, Json>;
  /** Path of each flag in the file. */
  paths: Map<string, (string | number)[]>;
}

function dataOf(doc: FlagFile): LdData {
  const v = doc.value;
  if (!isObject(v)) throw invalid(doc, [], 'a LaunchDarkly file is a flag object or {"flags": {...}, "segments": {...}}');
  const paths = new Map<string, (string | number)[]>();
  if ('variations' in v && 'fallthrough' in v) {
    if (typeof v.key !== 'string') throw invalid(doc, ['key'], 'a flag needs its key');
    paths.set(v.key, []);
    return { flags: { [v.key]: v }, segments: {}, paths };
  }
  if (!isObject(v.flags)) throw invalid(doc, ['flags'], 'a LaunchDarkly file has "flags": an object of flags by key');
  const flags: Record<string, Json> = {};
  for (const [key, f] of Object.entries(v.flags)) {
    if (!isObject(f)) throw invalid(doc, ['flags', key], 'a flag is an object');
    if (!Array.isArray(f.variations) || f.variations.length === 0) throw invalid(doc, ['flags', key, 'variations'], 'variations is a list of at least one value');
    flags[key] = { ...f, key };
    paths.set(key, ['flags', key]);
  }
  const segments: Record<string, Json> = {};
  if (isObject(v.segments)) for (const [key, s] of Object.entries(v.segments)) if (isObject(s)) segments[key] = { ...s, key };
  return { flags, segments, paths };
}

/** A name for each variation: its value when that is a scalar, else variation-N. */
export function variationNames(variations: readonly unknown[]): string[] {
  const names = variations.map((x, i) => (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean' ? String(x) : `variation-${i}`));
  return names.map((n, i) => (names.indexOf(n) === i ? n : `variation-${i}`));
}

export function toScenarioParts(doc: FlagFile, _file: string = doc.file): ScenarioParts {
  const data = dataOf(doc);
  const warnings: FlagWarning[] = [];
  const flags: ImportedFlag[] = Object.entries(data.flags).map(([key, f]) => {
    const path = data.paths.get(key)!;
    const attributes = new Map<string, (string | number)[]>();
    const rules = Array.isArray(f.rules) ? (f.rules as Json[]) : [];
    rules.forEach((r, i) => {
      const clauses = Array.isArray(r.clauses) ? (r.clauses as Json[]) : [];
      clauses.forEach((c, j) => {
        if (!LAUNCHDARKLY_OPERATORS.has(String(c.op))) {
          warnings.push(at(doc, [...path, 'rules', i, 'clauses', j, 'op'], `operator "${String(c.op)}" is not supported; the clause never matches`));
        }
        if (c.op === 'segmentMatch') {
          for (const s of Array.isArray(c.values) ? c.values : []) {
            if (!data.segments[String(s)]) warnings.push(at(doc, [...path, 'rules', i, 'clauses', j, 'values'], `segment "${String(s)}" is not in the file; the clause never matches`));
            else if (data.segments[String(s)].unbounded) warnings.push(at(doc, [...path, 'rules', i, 'clauses', j, 'values'], `segment "${String(s)}" is a big segment, which needs a big segment store; it never matches`));
          }
        } else if (typeof c.attribute === 'string' && !['key', 'kind'].includes(c.attribute)) {
          const attribute = c.attribute.replace(/^\//, '').split('/')[0];
          if (!attributes.has(attribute)) attributes.set(attribute, [...path, 'rules', i, 'clauses', j]);
        }
      });
    });
    const prerequisites = Array.isArray(f.prerequisites) ? (f.prerequisites as Json[]).map((p) => String(p.key)) : [];
    prerequisites.forEach((p, i) => {
      if (!data.flags[p]) warnings.push(at(doc, [...path, 'prerequisites', i, 'key'], `prerequisite "${p}" is not in the file; the prerequisite always fails`));
    });
    return {
      key, description: typeof f.description === 'string' ? f.description : '',
      variants: variationNames(f.variations as unknown[]), requires: prerequisites, attributes: [...attributes.keys()].sort(),
      reads: [...attributes].map(([attribute, p]) => ({ attribute, path: p })), path,
    };
  });
  return { system: 'launchdarkly', flags, warnings };
}

type Detail = { value: unknown; variationIndex?: number | null; reason: { kind: string; ruleIndex?: number; errorKind?: string; prerequisiteKey?: string } };

interface LdClientLike {
  variationDetail(key: string, context: Json, defaultValue: unknown, cb: (err: unknown, detail: Detail) => void): unknown;
  close(): void;
}

export function open(doc: FlagFile): FlagSet {
  const data = dataOf(doc);
  const ld = require('@launchdarkly/node-server-sdk') as {
    init(key: string, options: Json): LdClientLike;
    integrations: { TestData: new () => { usePreconfiguredFlag(f: Json): unknown; usePreconfiguredSegment(s: Json): unknown; getFactory(): unknown } };
    basicLogger(o: Json): unknown;
  };
  const td = new ld.integrations.TestData();
  for (const f of Object.values(data.flags)) td.usePreconfiguredFlag({ version: 1, targets: [], contextTargets: [], rules: [], prerequisites: [], salt: '', ...f });
  for (const s of Object.values(data.segments)) td.usePreconfiguredSegment({ version: 1, included: [], excluded: [], rules: [], salt: '', ...s });
  const client = ld.init('rehearse-offline', {
    updateProcessor: td.getFactory(), sendEvents: false, diagnosticOptOut: true, logger: ld.basicLogger({ level: 'none' }),
  });
  return {
    system: 'launchdarkly',
    keys: Object.keys(data.flags),
    evaluate(key, context): Evaluation {
      const flag = data.flags[key];
      if (!flag) return { flag: key, enabled: false, variant: null, value: null, reason: 'error: flag not found', bucket: null };
      let detail: Detail | null = null;
      // With the in-memory TestData store the SDK calls back before variationDetail returns.
      client.variationDetail(key, context, null, (_err, d) => { detail = d; });
      if (detail === null) throw new Error('the LaunchDarkly SDK did not evaluate synchronously');
      const d = detail as Detail;
      const variations = flag.variations as unknown[];
      const index = typeof d.variationIndex === 'number' ? d.variationIndex : null;
      const rollout = rolloutOf(flag, d);
      const kind = d.reason.kind;
      const reason = kind === 'OFF' ? 'disabled'
        : kind === 'PREREQUISITE_FAILED' ? 'prerequisite failed'
          : kind === 'TARGET_MATCH' ? 'targeting match'
            : kind === 'RULE_MATCH' ? (rollout ? 'split' : 'targeting match')
              : kind === 'FALLTHROUGH' ? (rollout ? 'split' : 'default')
                : `error: ${d.reason.errorKind ?? kind}`;
      const enabled = kind === 'OFF' || kind === 'ERROR' ? false
        : typeof d.value === 'boolean' ? d.value : index !== null && index !== flag.offVariation;
      return {
        flag: key, enabled, variant: index === null ? null : variationNames(variations)[index], value: d.value ?? null, reason,
        bucket: rollout ? bucketOf(key, flag, rollout, context) : null,
      };
    },
    contextOf(key, attributes) {
      const { key: _k, ...rest } = attributes;
      return { kind: 'user', key, ...rest };
    },
    close() {
      client.close();
    },
  };
}

function rolloutOf(flag: Json, d: Detail): Json | null {
  if (d.reason.kind === 'FALLTHROUGH') {
    const ft = isObject(flag.fallthrough) ? flag.fallthrough : {};
    return isObject(ft.rollout) ? ft.rollout : null;
  }
  if (d.reason.kind === 'RULE_MATCH' && typeof d.reason.ruleIndex === 'number') {
    const rule = (flag.rules as Json[])[d.reason.ruleIndex];
    return isObject(rule?.rollout) ? rule.rollout : null;
  }
  return null;
}

/** The SDK's bucket value for the context the rollout buckets by (its kind, its bucketBy attribute). */
function bucketOf(key: string, flag: Json, rollout: Json, context: Json): number | null {
  const kind = typeof rollout.contextKind === 'string' ? rollout.contextKind : 'user';
  const ctx = context.kind === 'multi' ? (isObject(context[kind]) ? context[kind] : null) : (context.kind ?? 'user') === kind ? context : null;
  if (!ctx) return null;
  const attr = typeof rollout.bucketBy === 'string' ? rollout.bucketBy : 'key';
  const v = ctx[attr];
  if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) return null;
  const seed = typeof rollout.seed === 'number' ? rollout.seed : undefined;
  const id = String(v);
  return launchdarklyBucket(key, typeof flag.salt === 'string' ? flag.salt : '', id, seed);
}
