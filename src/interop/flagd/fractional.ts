/**
 * flagd's `fractional` in the two bucketings a flagd file can be rehearsed with:
 *
 * - v2 (the default): what flagd runs in every release to date (open-feature/flagd core/pkg/evaluator/
 *   fractional.go, core v0.15.0 to v0.16.1): murmur3_x86_32 of the UTF-8 text of the first argument when it is
 *   text, otherwise of flagKey + targetingKey; the variant whose cumulative weight exceeds (hash * totalWeight)
 *   >> 32. go-custom.ts runs it as Go flagd does (flagd-core 4.0.1 hashed UTF-16 code units: other buckets for a
 *   text that is not ASCII).
 * - v3: flagd's ADR "Harden Hashing Consistency And Add Support For Non-string Attributes in Fractional
 *   Evaluation" (docs/architecture-decisions/fractional-non-string-rand-units.md, accepted), which the flagd
 *   testbed checks from 3.9.0 (gherkin/targeting.feature, @fractional-v3): murmur3_x86_32 of the deterministic
 *   CBOR encoding of the first argument when it is neither a list nor null (any JSON value: text, numbers,
 *   booleans, objects); of the CBOR list [flagKey, targetingKey] when the first argument is a bucket; null (the
 *   flag's default variant) when the first argument is null, or the targeting key is missing or not text.
 *   No flagd release runs it yet. The weights are read and bucketed as in v2.
 */
import murmur from 'murmurhash3js-revisited';
import { deterministicCbor } from '../../flags/cbor.js';

export const FRACTIONAL_VERSIONS = ['v2', 'v3'] as const;
export type FractionalVersion = (typeof FRACTIONAL_VERSIONS)[number];

type Json = Record<string, unknown>;
const MAX_WEIGHT = 2147483647;

/** The v3 hash of a bucketing input: murmur3_x86_32 (seed 0) of its deterministic CBOR bytes. */
export function fractionalV3Hash(input: unknown): number {
  return murmur.x86.hash32(deterministicCbor(input), 0) >>> 0;
}

/** flagd-core's bucket list (toBucketingList), or null where flagd-core's would throw. */
function bucketsOf(from: readonly unknown[]): { variants: unknown[]; weights: number[]; total: number } | null {
  const variants: unknown[] = [];
  const weights: number[] = [];
  let total = 0;
  for (const entry of from) {
    if (!Array.isArray(entry) || entry.length === 0 || entry.length > 2) return null;
    const v = entry[0];
    if (!(typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined)) return null;
    let weight = 1;
    if (entry.length === 2) {
      if (typeof entry[1] !== 'number' || !Number.isInteger(entry[1])) return null;
      weight = Math.max(0, entry[1]);
    }
    variants.push(v ?? null);
    weights.push(weight);
    total += weight;
  }
  return total > MAX_WEIGHT ? null : { variants, weights, total };
}

/** The v3 operator, with flagd-core's signature (evaluated arguments, the evaluation's data). */
export function fractionalV3(data: unknown, context: Json): unknown {
  if (!Array.isArray(data) || data.length < 1) return null;
  const flagd = context.$flagd as Json | undefined;
  if (!flagd) return null;
  const first: unknown = data[0];
  let input: unknown;
  let rest: unknown[];
  if (first === null || first === undefined) return null;
  if (!Array.isArray(first)) {
    input = first;
    rest = data.slice(1);
  } else {
    const key = context.targetingKey;
    if (typeof key !== 'string') return null;
    input = [flagd.flagKey, key];
    rest = data;
  }
  const buckets = bucketsOf(rest.map(goBucket));
  if (!buckets || buckets.total === 0) return null;
  const bucket = (BigInt(fractionalV3Hash(input)) * BigInt(buckets.total)) >> 32n;
  let sum = 0n;
  for (let i = 0; i < buckets.variants.length; i++) {
    sum += BigInt(buckets.weights[i]);
    if (sum > bucket) return buckets.variants[i];
  }
  return null;
}

/**
 * A bucket as Go flagd reads it (core/pkg/evaluator/fractional.go parseFractionalEvaluationDistributions): a null
 * weight is weight 1 and elements after the weight are not read; flagd-core 4.0.1 refused both (the default variant).
 */
function goBucket(entry: unknown): unknown {
  if (!Array.isArray(entry) || entry.length < 2) return entry;
  return entry[1] === null ? [entry[0]] : entry.length > 2 ? entry.slice(0, 2) : entry;
}
