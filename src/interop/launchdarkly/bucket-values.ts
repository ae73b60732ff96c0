/**
 * Where LaunchDarkly's SDKs bucket one context otherwise: a rollout's bucketBy attribute holding a whole number of
 * 2^63 or more (1e21, 1e19). The Node SDK, which rehearse serves through, buckets any number JavaScript calls an
 * integer as its text (launchdarkly/js-core packages/shared/sdk-server/src/evaluation/Bucketer.ts
 * valueForBucketing: Number.isInteger(value), String(value): "1e+21"). The Go SDK buckets a number only when
 * ldvalue's IsInt holds (go-server-sdk-evaluation bucketing.go bucketableStringValue; go-sdk-common
 * ldvalue/value_base.go IsInt: `numberValue == float64(int(numberValue))`), and past int64's range Go's conversion
 * does not give the number back, so the context is not bucketable: bucket 0 (bucketingFailureAttributeValueWrongType).
 * Each rollout's bucketBy place is written down at import (file:line:column: path); a served flag set counts, per
 * place, the evaluations whose value the two SDKs read otherwise, with the first as an example.
 */
import { formatWarning, at, type FlagFile } from '../document.js';
import type { PathSegment } from '../../scenario/problems.js';
import { attributeValue } from './malformed.js';
import { quoted } from '../../units/escape.js';

type Json = Record<string, unknown>;

/** The rollouts of a flag that bucket by an attribute (an experiment buckets by key), as [path, rollout]. */
function rolloutsOf(f: Json): [PathSegment[], Json][] {
  const out: [PathSegment[], Json][] = [];
  const add = (r: unknown, p: PathSegment[]) => {
    if (r !== null && typeof r === 'object' && !Array.isArray(r) && typeof (r as Json).bucketBy === 'string' && (r as Json).kind !== 'experiment') out.push([p, r as Json]);
  };
  add((f.fallthrough as Json | undefined)?.rollout, ['fallthrough', 'rollout']);
  if (Array.isArray(f.rules)) (f.rules as Json[]).forEach((r, i) => add(r?.rollout, ['rules', i, 'rollout']));
  return out;
}

/** Each rollout's bucketBy place, keyed by its flag and path (rolloutKey). */
export function bucketByPlaces(key: string, f: Json, doc: FlagFile, path: readonly PathSegment[]): Record<string, string> {
  const places: Record<string, string> = {};
  for (const [p] of rolloutsOf(f)) places[rolloutKey(key, p)] = formatWarning(at(doc, [...path, ...p, 'bucketBy'], '')).replace(/: $/, '');
  return places;
}

export const rolloutKey = (flag: string, path: readonly PathSegment[]): string => JSON.stringify([flag, ...path]);

/** Whether Go's ldvalue IsInt holds for a number: float64(int(v)) == v, which past int64's range it does not (but at -2^63). */
const goIsInt = (v: number): boolean => Number.isInteger(v) && (Math.abs(v) < 2 ** 63 || v === -(2 ** 63));

/** Counts the evaluations at each rollout whose bucketBy value the Node and Go SDKs bucket otherwise. */
export class BucketDisagreements {
  private readonly seen = new Map<string, { where: string; example: string; evaluations: number }>();

  constructor(private readonly places: Readonly<Record<string, string>>) {}

  /** One evaluation that bucketed `context` by `rollout` (at `path` of flag `flag`). */
  note(flag: string, path: readonly PathSegment[], rollout: Json, context: Json): void {
    if (typeof rollout.bucketBy !== 'string' || rollout.kind === 'experiment') return;
    const kind = typeof rollout.contextKind === 'string' ? rollout.contextKind : 'user';
    const ctx = context.kind === 'multi' ? context[kind] : (context.kind ?? 'user') === kind ? context : null;
    if (ctx === null || typeof ctx !== 'object') return;
    const v = attributeValue(rollout.bucketBy, !rollout.contextKind, ctx);
    if (typeof v !== 'number' || !Number.isInteger(v) || goIsInt(v)) return;
    const place = rolloutKey(flag, path);
    const s = this.seen.get(place);
    if (s) s.evaluations++;
    else this.seen.set(place, { where: this.places[place] ?? `flags.${flag}`, example: `${rollout.bucketBy} ${String(v)}`, evaluations: 1 });
  }

  lines(): string[] {
    return [...this.seen.values()].map((s) => `${s.where}: ${s.evaluations} evaluation${s.evaluations === 1 ? '' : 's'} bucketed by a whole number of 2^63 or more (${s.example}): LaunchDarkly's Node SDK buckets it as its text (${quoted(String(s.example.split(' ').pop()))}, Bucketer.ts valueForBucketing), which rehearse follows; its Go SDK cannot bucket it and gives bucket 0 (bucketing.go bucketableStringValue, ldvalue IsInt), so a service on the Go SDK serves those contexts the variation of bucket 0`);
  }
}
