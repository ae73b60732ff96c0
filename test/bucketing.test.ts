/** The four systems' published bucketing vectors, and the properties every rollout relies on. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  BUCKETING_SYSTEMS, bucketOf, flagdFractional, flagdFractionalV1, growthbookHash, inRollout, launchdarklyBucket, murmur3,
  unleashNormalized, unleashVariant,
} from '../src/flags/bucketing.js';

import { parseFlagText } from '../src/interop/document.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';

const load = (name: string) => JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8'));
const fu = load('flagd-unleash.json');
const lg = load('launchdarkly-growthbook.json');

describe('flagd fractional', () => {
  const f = fu.flagd_fractional;
  it.each(f.cases as { targetingKey: string; v2: string; v1: string }[])('$targetingKey -> $v2 (v2), $v1 (v1)', (c) => {
    expect(flagdFractional(f.flagKey + c.targetingKey, f.variants_in_order)).toBe(c.v2);
    expect(flagdFractionalV1(f.flagKey + c.targetingKey, f.variants_in_order)).toBe(c.v1);
  });
  it.each(f.v2_edge_keys.cases as { key: string; hash: string; variant: string }[])('edge key $key hashes to $hash -> $variant', (c) => {
    expect(murmur3(c.key)).toBe(Number(c.hash));
    expect(flagdFractional(c.key, [['lower', 50], ['upper', 50]])).toBe(c.variant);
  });
});

describe('Unleash flexibleRollout', () => {
  const u = fu.unleash_flexible_rollout;
  it.each(u.cases as { groupId: string; id: string; n: number; rollout: number; enabled: boolean }[])('$groupId / $id: n=$n, enabled at $rollout% = $enabled', (c) => {
    expect(unleashNormalized(c.groupId, c.id)).toBe(c.n);
    const b = bucketOf('unleash', c.groupId, c.id);
    expect(inRollout(b.rank, c.rollout)).toBe(c.enabled);
  });
  it.each(u.variant_cases as { groupId: string; weights: [string, number][]; id: string; variant: string }[])('variant of $id is $variant', (c) => {
    expect(unleashVariant(c.groupId, c.id, c.weights)).toBe(c.variant);
  });
});

describe('LaunchDarkly', () => {
  const l = lg.launchdarkly;
  it.each(l.cases as { key: string; bucket: number }[])('$key buckets at $bucket', (c) => {
    expect(Math.abs(launchdarklyBucket(l.flagKey, l.salt, c.key) - c.bucket)).toBeLessThan(1e-7);
  });
  it.each(l.seeded.cases as { key: string; bucket: number }[])('$key with seed 61 buckets at $bucket', (c) => {
    expect(Math.abs(launchdarklyBucket('any', 'any', c.key, l.seeded.seed) - c.bucket)).toBeLessThan(1e-7);
  });
  it('a flag without a salt hashes "" as the SDK does (js-server-sdk-common evaluation/Evaluator.ts: flag.salt || ""), not its key', () => {
    // LaunchDarkly's own Node SDK, offline, on a flag of a file with no salt: 30% of users get variation 0.
    const flag = { key: 'new-checkout', on: true, version: 1, variations: [true, false], fallthrough: { rollout: { variations: [{ variation: 0, weight: 30000 }, { variation: 1, weight: 70000 }] } } };
    const set = launchdarkly.open(parseFlagText(JSON.stringify({ flags: { 'new-checkout': flag } }), 'ld.json'));
    const users = Array.from({ length: 400 }, (_, i) => `user-${i}`);
    const sdk = users.map((u) => set.evaluate('new-checkout', { kind: 'user', key: u }).value === true);
    const native = users.map((u) => inRollout(bucketOf('launchdarkly', 'new-checkout', u).rank, 30));
    const keyed = users.map((u) => inRollout(bucketOf('launchdarkly', 'new-checkout', u, { salt: 'new-checkout' }).rank, 30));
    expect(native).toEqual(sdk);
    expect(keyed).not.toEqual(sdk);
    set.close();
  });
  it('a rollout of P% takes bucket values below P/100', () => {
    const b = bucketOf('launchdarkly', l.flagKey, 'userKeyA', { salt: l.salt });
    expect(inRollout(b.rank, 42.2)).toBe(true); // 0.42157587 < 0.422
    expect(inRollout(b.rank, 42.1)).toBe(false);
  });
});

describe('GrowthBook', () => {
  it.each(lg.growthbook.hash as [string, string, number, number | null][])('hash(%j, %j, v%i) = %j', (seed, value, version, expected) => {
    const n = growthbookHash(seed, value, version);
    if (expected === null) expect(n).toBeNull();
    else expect(n).toBeCloseTo(expected, 10);
  });
  const cov = lg.growthbook.coverage;
  it.each(cov.cases as { id: string; included: boolean }[])('coverage 0.5 of "feature": id $id included = $included', (c) => {
    const b = bucketOf('growthbook', cov.feature, c.id, { hashVersion: cov.hashVersion });
    expect(inRollout(b.rank, cov.coverage * 100)).toBe(c.included);
  });
});

describe('rollouts', () => {
  const users = Array.from({ length: 20_000 }, (_, i) => `user-${i}`);

  it.each(BUCKETING_SYSTEMS)('%s: raising the percentage only adds users', (system) => {
    const ranks = users.map((u) => bucketOf(system, 'new-checkout', u).rank);
    let previous = new Set<number>();
    for (const p of [0, 1, 5, 10, 25, 50, 75, 100]) {
      const now = new Set(ranks.flatMap((r, i) => (inRollout(r, p) ? [i] : [])));
      for (const i of previous) expect(now.has(i)).toBe(true);
      previous = now;
    }
    expect(previous.size).toBe(users.length);
  });

  it.each(BUCKETING_SYSTEMS)('%s: exposure at 1%%, 5%%, 25%% stays within binomial bounds', (system) => {
    const ranks = users.map((u) => bucketOf(system, 'new-checkout', u).rank);
    for (const p of [1, 5, 25]) {
      const exposed = ranks.filter((r) => inRollout(r, p)).length;
      const q = p / 100;
      const sd = Math.sqrt(users.length * q * (1 - q));
      expect(Math.abs(exposed - users.length * q)).toBeLessThan(5 * sd);
    }
  });
});
