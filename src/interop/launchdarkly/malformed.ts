/**
 * Attribute references as LaunchDarkly's SDK reads them, and where it answers MALFORMED_FLAG, found before anyone is served, so that a flag that can
 * fail is said to (and its scenario entry names the caller's default). The rules are those of
 * launchdarkly/js-core packages/shared/sdk-server (store/serialization.ts processFlag and processSegment,
 * evaluation/Evaluator.ts), the SDK rehearse evaluates with, and the sdk-test-harness checks them in
 * data/data-files/server-side-eval/errors-bad-attribute-reference.yml, segment-recursion.yml and prerequisites.yml.
 */
import { createRequire } from 'node:module';
import { own } from '../../records.js';
import type { PathSegment } from '../../scenario/problems.js';
import { isObject } from '../document.js';
import { quoted } from '../../units/escape.js';

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;
type Found = [PathSegment[], string];

type Reference = { isValid: boolean; get(target: unknown): unknown };
let AttributeReference: (new (ref: string, literal?: boolean) => Reference) | null = null;

/** The SDK's reading of an attribute reference: one with a context kind beside it is a path (`/a/b`, with `~0`
 * and `~1` its only escapes), one without is a plain attribute name (the old user form). */
function reference(ref: string, literal: boolean): Reference {
  AttributeReference ??= (require('@launchdarkly/node-server-sdk') as { AttributeReference: typeof AttributeReference }).AttributeReference;
  return new AttributeReference!(ref, literal);
}

function validReference(ref: string, literal: boolean): boolean {
  return reference(ref, literal).isValid;
}

/** The value an attribute reference reads in a single context, as the SDK reads it (undefined when invalid). */
export function attributeValue(ref: string, literal: boolean, context: unknown): unknown {
  return reference(ref, literal).get(context);
}

/** A variation index that names no variation, a served part with neither a variation nor a rollout. */
export function malformedServing(f: Json): Found[] {
  const n = Array.isArray(f.variations) ? f.variations.length : 0;
  const bad: Found[] = [];
  const index = (v: unknown, p: PathSegment[]) => {
    if (v !== undefined && v !== null && !(Number.isInteger(v) && (v as number) >= 0 && (v as number) < n)) bad.push([p, `variation ${JSON.stringify(v)} is not one of the flag's ${n} variations`]);
  };
  const served = (x: unknown, p: PathSegment[]) => {
    if (!isObject(x) || (x.variation === undefined && !isObject(x.rollout))) return bad.push([p, 'serves neither a variation nor a rollout']);
    // Evaluator._variationForContext buckets only a rollout with variations; one with none (or no list) is
    // "Variation/rollout object with no variation or rollout" (sdk-test-harness rollout-or-experiment.yml).
    if (x.variation === undefined && isObject(x.rollout) && !(Array.isArray(x.rollout.variations) && x.rollout.variations.length > 0)) {
      return bad.push([[...p, 'rollout', 'variations'], 'the rollout has no variations to bucket into']);
    }
    index(x.variation, [...p, 'variation']);
    if (isObject(x.rollout) && Array.isArray(x.rollout.variations)) x.rollout.variations.forEach((w, i) => index(isObject(w) ? w.variation : undefined, [...p, 'rollout', 'variations', i, 'variation']));
  };
  index(f.offVariation, ['offVariation']);
  // An off flag serves offVariation only: its targets, rules and fallthrough are never read.
  if (f.on === false) return bad;
  served(f.fallthrough, ['fallthrough']);
  (Array.isArray(f.rules) ? f.rules : []).forEach((r, i) => served(r, ['rules', i]));
  for (const t of ['targets', 'contextTargets']) (Array.isArray(f[t]) ? f[t] : []).forEach((x, i) => index(isObject(x) ? x.variation : undefined, [t, i, 'variation']));
  return bad;
}

const list = (x: unknown): Json[] => (Array.isArray(x) ? x.filter(isObject) : []);

/** Clauses whose attribute the SDK cannot read (none, or a reference it cannot parse): matching one is an
 * error. `segmentMatch` clauses read no attribute. */
function badClauses(rule: Json, p: PathSegment[]): Found[] {
  return list(rule.clauses).flatMap((c, j): Found[] => {
    if (c.op === 'segmentMatch') return [];
    const where = [...p, 'clauses', j];
    if (c.attribute === undefined || c.attribute === null || c.attribute === '') return [[where, 'the clause names no attribute']];
    if (typeof c.attribute !== 'string') return [];
    return validReference(c.attribute, !c.contextKind) ? [] : [[[...where, 'attribute'], `attribute reference ${quoted(c.attribute)} is not one the SDK can read`]];
  });
}

/** A rollout's `bucketBy` the SDK cannot read (an experiment buckets by key and ignores it). */
function badBucketBy(x: unknown, p: PathSegment[]): Found[] {
  const r = isObject(x) && isObject(x.rollout) ? x.rollout : null;
  if (!r || typeof r.bucketBy !== 'string' || r.kind === 'experiment' || !Array.isArray(r.variations) || !r.variations.length) return [];
  return validReference(r.bucketBy, !r.contextKind) ? [] : [[[...p, 'rollout', 'bucketBy'], `bucketBy ${quoted(r.bucketBy)} is not an attribute reference the SDK can read`]];
}

/** The segments a list of rules names in `segmentMatch` clauses, with where. */
function segmentsNamed(rules: Json[], p: PathSegment[]): [string, PathSegment[]][] {
  return rules.flatMap((r, i) => list(r.clauses).flatMap((c, j) => (c.op === 'segmentMatch' && Array.isArray(c.values)
    ? c.values.filter((v): v is string => typeof v === 'string').map((v): [string, PathSegment[]] => [v, [...p, i, 'clauses', j, 'values']]) : [])));
}

/** Per segment, why evaluating it can be an error: a clause or weighted rule it cannot read, or a chain of
 * segments that leads back to one already on the way (the SDK's "circular reference"). */
export function malformedSegments(segments: Record<string, Json>): Map<string, Found[]> {
  const own_ = new Map<string, Found[]>();
  for (const [key, s] of Object.entries(segments)) {
    own_.set(key, list(s.rules).flatMap((r, i): Found[] => {
      const p: PathSegment[] = ['rules', i];
      const bucket = r.weight !== undefined && r.weight !== null && typeof r.bucketBy === 'string' && !validReference(r.bucketBy, !r.rolloutContextKind)
        ? [[[...p, 'bucketBy'], `bucketBy ${quoted(r.bucketBy)} is not an attribute reference the SDK can read`] as Found] : [];
      return [...badClauses(r, p), ...bucket];
    }));
  }
  const out = new Map<string, Found[]>();
  for (const key of Object.keys(segments)) {
    const found = [...own_.get(key)!];
    const seen = new Set<string>();
    const walk = (k: string, trail: string[], at: PathSegment[] | null): boolean => {
      for (const [next, p] of segmentsNamed(list(segments[k].rules), ['rules'])) {
        if (!own(segments, next)) continue;
        const where = at ?? p;
        if (trail.includes(next)) { found.push([where, `segments ${[...trail, next].map((x) => `${quoted(x)}`).join(' -> ')} name each other in a circle`]); return true; }
        if (seen.has(next)) continue;
        seen.add(next);
        if (own_.get(next)!.length) { found.push([where, `segment ${quoted(next)} can fail (${own_.get(next)![0][1]})`]); return true; }
        if (walk(next, [...trail, next], where)) return true;
      }
      return false;
    };
    walk(key, [key], null);
    if (found.length) out.set(key, found);
  }
  return out;
}

/** Why a flag can be an error beyond its own serving: attributes and bucketBy it cannot read, segments that can
 * fail, prerequisites that lead back to a flag already being evaluated (only flags that are on read theirs). */
export function malformedReads(key: string, flags: Record<string, Json>, badSegments: ReadonlyMap<string, Found[]>): Found[] {
  const f = flags[key];
  if (f.on === false) return [];
  const rules = list(f.rules);
  const found: Found[] = [...rules.flatMap((r, i) => [...badClauses(r, ['rules', i]), ...badBucketBy(r, ['rules', i])]), ...badBucketBy(f.fallthrough, ['fallthrough'])];
  for (const [s, p] of segmentsNamed(rules, ['rules'])) {
    const why = badSegments.get(s);
    if (why) found.push([p, `segment ${quoted(s)} can fail (${why[0][1]})`]);
  }
  const seen = new Set<string>();
  const walk = (k: string, trail: string[], at: PathSegment[] | null): boolean => list(flags[k].prerequisites).some((pr, i) => {
    const next = pr.key;
    if (typeof next !== 'string' || !own(flags, next)) return false;
    const where = at ?? ['prerequisites', i, 'key'];
    // The SDK checks for a circle before it looks at the prerequisite; an off flag reads no prerequisites of its own.
    if (trail.includes(next)) return found.push([where, `prerequisites ${[...trail, next].map((x) => `${quoted(x)}`).join(' -> ')} lead back to a flag already being evaluated`]) > 0;
    if (seen.has(next) || flags[next].on === false) return false;
    seen.add(next);
    return walk(next, [...trail, next], where);
  });
  walk(key, [key], null);
  return found;
}

/**
 * Rollout seeds the SDKs read differently. LaunchDarkly's data model has an int here. The Node server SDK, which
 * rehearse evaluates with, hashes `seed ? Number(seed) : key.salt` (js-server-sdk-common evaluation/Bucketer.ts), so
 * a seed of 0 is no seed to it; the Go SDK hashes the seed whenever it is there, 0 included
 * (go-server-sdk-evaluation evaluator_bucketing.go computeBucketValue: `seed.IsDefined()`), as the SDK test
 * harness's own rule does (sdk-test-harness sdktests/helpers.go computeExpectedBucketValue), and refuses a flag
 * whose seed is not an integer (go-sdk-common ldvalue.OptionalInt: "a JSON number that is an integer or null").
 * Returns seeds to refuse (not whole numbers) and seeds of 0 to warn about.
 */
export function seedFindings(f: Json): { refused: Found[]; warned: Found[] } {
  const refused: Found[] = [];
  const warned: Found[] = [];
  const check = (x: unknown, p: PathSegment[]) => {
    const seed = isObject(x) && isObject(x.rollout) ? x.rollout.seed : undefined;
    if (seed === undefined || seed === null) return;
    const where = [...p, 'rollout', 'seed'];
    if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
      refused.push([where, `${JSON.stringify(seed)} is not a whole number up to ${Number.MAX_SAFE_INTEGER}: LaunchDarkly's Go SDK refuses the flag, its Node SDK hashes ${seed ? `${quoted(String(Number(seed)))}` : 'the flag key and salt'}; give a whole number`]);
    } else if (seed === 0) {
      warned.push([where, 'a seed of 0: LaunchDarkly\'s Node SDK (rehearse\'s evaluator) takes it for no seed and hashes the flag key and salt, its Go SDK and the SDK test harness hash "0.<key>": services on the Go SDK put other users in each variation; rehearse follows the Node SDK (another seed buckets alike in both)']);
    }
  };
  check(f.fallthrough, ['fallthrough']);
  list(f.rules).forEach((r, i) => check(r, ['rules', i]));
  return { refused, warned };
}
