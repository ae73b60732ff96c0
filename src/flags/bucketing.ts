/**
 * User bucketing exactly as four flag systems do it, so that a rehearsal exposes the same people the real
 * rollout will. Each system maps a user to a fixed position; a percentage rollout takes the users whose position
 * falls below a threshold, so raising the percentage only ever adds users.
 *
 * - flagd fractional (v2): h = murmur3_x86_32(flagKey + targetingKey, 0); bucket = floor(h * total / 2^32),
 *   the first variant whose cumulative weight exceeds it.
 * - Unleash flexibleRollout: n = murmur3_x86_32(groupId + ":" + userId, 0) % 100 + 1; on iff n <= rollout
 *   (whole percentages). Variants hash with seed 86028157.
 * - LaunchDarkly: v = int(sha1(flagKey + "." + salt + "." + key)[0:15], 16) / 0xFFFFFFFFFFFFFFF (with a rollout
 *   seed other than 0: sha1(seed + "." + key)); weights in thousandths of a percent (100000 in all).
 * - GrowthBook: n = fnv1a32(fnv1a32(seed + value) as decimal string) % 10000 / 10000 (hash version 2; version 1
 *   is fnv1a32(value + seed) % 1000 / 1000); a rollout includes the user iff n <= coverage.
 *
 * All four reduce to a per-user rank on one integer scale (thousandths of a percent): the user is in a rollout
 * of P percent iff rank < round(P * 1000). The simulator computes ranks once per user and flag.
 */
import type { Hash } from 'node:crypto';
import { createRequire } from 'node:module';
import murmur from 'murmurhash3js-revisited';

export const BUCKETING_SYSTEMS = ['flagd', 'unleash', 'launchdarkly', 'growthbook'] as const;
export type BucketingSystem = (typeof BUCKETING_SYSTEMS)[number];

/** Thousandths of a percent: the resolution of a rollout percentage. */
export const RANK_SCALE = 100_000;

export interface BucketOptions {
  /** LaunchDarkly salt (default: none, hashed as "": the SDK's `flag.salt || ""`, js-server-sdk-common
   * evaluation/Evaluator.ts); Unleash groupId (default: the flag key); GrowthBook seed (default: the flag key). */
  salt?: string;
  /** LaunchDarkly rollout seed (an integer other than 0 replaces flag key and salt in the hash, as the Node SDK does). */
  seed?: number;
  /** GrowthBook hash version, 1 or 2 (default 2). */
  hashVersion?: 1 | 2;
}

export interface Bucket {
  /** The user's position on the scale [0, RANK_SCALE]: in a rollout of P% iff rank < round(P * 1000). */
  rank: number;
  /** The system's own figure, as its documentation states it. */
  native: string;
}

const utf8 = new TextEncoder();

export function murmur3(text: string, seed = 0): number {
  return murmur.x86.hash32(utf8.encode(text), seed) >>> 0;
}

export function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** GrowthBook's hash(seed, value, version): a number in [0, 1), or null for an unknown version. */
export function growthbookHash(seed: string, value: string, version: number): number | null {
  if (version === 2) return (fnv1a32(String(fnv1a32(seed + value))) % 10000) / 10000;
  if (version === 1) return (fnv1a32(value + seed) % 1000) / 1000;
  return null;
}

/**
 * LaunchDarkly's bucket value in [0, 1], as its Node server SDK (rehearse's evaluator of LaunchDarkly files)
 * computes it: `seed ? Number(seed) : key.salt` (js-server-sdk-common evaluation/Bucketer.ts), so a seed of 0 is
 * no seed. Its Go SDK hashes a seed of 0 (go-server-sdk-evaluation evaluator_bucketing.go: `seed.IsDefined()`);
 * the import warns at such a seed, `rehearse bucket` says so.
 */
export function launchdarklyBucket(flagKey: string, salt: string, key: string, seed?: number): number {
  return launchdarklyHashValue(seed ? `${seed}.${key}` : `${flagKey}.${salt}.${key}`);
}

// node:crypto is loaded when LaunchDarkly bucketing first needs it: loading it cost the command line's every start.
const require = createRequire(import.meta.url);
let sha1: (() => Hash) | undefined;

/** LaunchDarkly's hash of a bucketing input: int(sha1(input)[0:15], 16) / 0xFFFFFFFFFFFFFFF, in [0, 1]. */
export function launchdarklyHashValue(input: string): number {
  sha1 ??= ((crypto: { createHash(algorithm: string): Hash }) => () => crypto.createHash('sha1'))(require('node:crypto'));
  const hex = sha1().update(input).digest('hex').slice(0, 15);
  return parseInt(hex, 16) / 0xfffffffffffffff;
}

/** Unleash's normalized value in 1..100 (the flexibleRollout comparison value). */
export function unleashNormalized(groupId: string, userId: string, seed = 0, modulo = 100): number {
  return (murmur3(`${groupId}:${userId}`, seed) % modulo) + 1;
}

/** flagd fractional (v2): the variant for a bucket key among weighted variants. */
export function flagdFractional(bucketKey: string, variants: readonly (readonly [string, number])[]): string {
  const total = variants.reduce((s, [, w]) => s + w, 0);
  const bucket = Math.floor((murmur3(bucketKey) * total) / 2 ** 32);
  let cumulative = 0;
  for (const [name, weight] of variants) {
    cumulative += weight;
    if (bucket < cumulative) return name;
  }
  return variants[variants.length - 1][0];
}

/** flagd fractional as older flagd releases computed it (v1): percentages of the absolute signed hash. */
export function flagdFractionalV1(bucketKey: string, variants: readonly (readonly [string, number])[]): string {
  const signed = murmur3(bucketKey) | 0;
  const bucket = Math.floor((Math.abs(signed) / 2147483647) * 100);
  let cumulative = 0;
  for (const [name, weight] of variants) {
    cumulative += weight;
    if (bucket < cumulative) return name;
  }
  return variants[variants.length - 1][0];
}

/** Unleash variant choice: the same key hashed with seed 86028157, first variant whose cumulative weight >= n. */
export function unleashVariant(groupId: string, userId: string, weights: readonly (readonly [string, number])[]): string {
  const total = weights.reduce((s, [, w]) => s + w, 0);
  const n = unleashNormalized(groupId, userId, 86028157, total);
  let cumulative = 0;
  for (const [name, weight] of weights) {
    cumulative += weight;
    if (cumulative >= n) return name;
  }
  return weights[weights.length - 1][0];
}

/** The user's bucket for a flag under a system. */
export function bucketOf(system: BucketingSystem, flagKey: string, userKey: string, opts: BucketOptions = {}): Bucket {
  switch (system) {
    case 'flagd': {
      const h = murmur3(flagKey + userKey);
      return { rank: Math.floor((h * RANK_SCALE) / 2 ** 32), native: `murmur3 0x${h.toString(16).padStart(8, '0')}: ${((h / 2 ** 32) * 100).toFixed(3)} of 100` };
    }
    case 'unleash': {
      const n = unleashNormalized(opts.salt ?? flagKey, userKey);
      // n <= P  <=>  (n - 1) * 1000 < P * 1000 for whole percentages P
      return { rank: (n - 1) * 1000, native: `normalized value ${n} (1..100)` };
    }
    case 'launchdarkly': {
      // A flag without a salt hashes "" (Evaluator.ts: `flag.salt || ""`), as LaunchDarkly's Node SDK evaluates a
      // flag of a file that has none: "key..user", not "key.key.user".
      const v = launchdarklyBucket(flagKey, opts.salt ?? '', userKey, opts.seed);
      return { rank: Math.floor(v * RANK_SCALE), native: `bucket ${v.toFixed(8)}` };
    }
    case 'growthbook': {
      const version = opts.hashVersion ?? 2;
      const n = growthbookHash(opts.salt ?? flagKey, userKey, version)!;
      // n <= coverage, with n on a grid of 1/10000 (v2) or 1/1000 (v1): rank = n * 100000 - 1 keeps "<=".
      return { rank: Math.round(n * RANK_SCALE) - 1, native: `hash v${version} ${n}` };
    }
  }
}

/** Whether a bucketed user is in a rollout of `percent` (0 to 100). Nobody is in at 0%. */
export function inRollout(rank: number, percent: number): boolean {
  const threshold = rolloutThreshold(percent);
  return threshold > 0 && rank < threshold;
}

export function rolloutThreshold(percent: number): number {
  return Math.round(percent * 1000);
}

