/**
 * Rollouts whose weights do not add up to 100000 (100%). Both SDKs walk the weighted variations in order, adding
 * weight / 100000 to a running sum, and serve the first whose sum passes the user's bucket value (0 to 1); a bucket
 * past the last sum gets the last variation (go-server-sdk-evaluation evaluator.go variationOrRolloutResult:
 * "the flag data could contain buckets that don't actually add up to 100000 ... we will simply put the user in
 * the last bucket"; launchdarkly/js-core packages/shared/sdk-server/src/evaluation/Evaluator.ts alike). So weights
 * that fall short give the remainder to the last variation, and a sum that passes 100% leaves what lies beyond
 * it to no one: the users served each variation are not the shares the weights say.
 */
import type { PathSegment } from '../../scenario/problems.js';
import { isObject } from '../document.js';

type Json = Record<string, unknown>;
type Found = [PathSegment[], string];

/** A share of users in units of 1/100000, as a percentage: 12000 is "12%", 33333 "33.333%". */
const percent = (units: number): string => `${Number((units / 1000).toFixed(3))}%`;

/** Per variation index, the share of buckets (of 100000) the SDK serves it, walking the weights as it does. */
export function servedShares(split: readonly { variation: number; weight: number }[]): Map<number, number> {
  const shares = new Map<number, number>();
  const add = (v: number, units: number) => shares.set(v, (shares.get(v) ?? 0) + units);
  let reached = 0;
  let sum = 0;
  for (const { variation, weight } of split) {
    sum += weight;
    const to = Math.min(Math.max(sum, 0), 100000);
    if (to > reached) add(variation, to - reached);
    reached = Math.max(reached, to);
    if (!shares.has(variation)) add(variation, 0);
  }
  if (split.length && reached < 100000) add(split[split.length - 1].variation, 100000 - reached);
  return shares;
}

/** Rollouts of a flag that is on (fallthrough and rules) whose weights the SDK serves otherwise than they read. */
export function weightFindings(f: Json): Found[] {
  const found: Found[] = [];
  if (f.on === false) return found;
  const values = Array.isArray(f.variations) ? (f.variations as unknown[]) : [];
  const check = (x: unknown, p: PathSegment[]) => {
    const r = isObject(x) && x.variation === undefined && isObject(x.rollout) ? x.rollout : null;
    if (!r || !Array.isArray(r.variations) || !r.variations.length) return;
    const split = r.variations.filter(isObject).map((w) => ({ variation: w.variation, weight: w.weight }));
    if (!split.every((w): w is { variation: number; weight: number } => typeof w.variation === 'number' && typeof w.weight === 'number')) return;
    const total = split.reduce((n, w) => n + w.weight, 0);
    if (total === 100000) return;
    const nominal = new Map<number, number>();
    for (const w of split) nominal.set(w.variation, (nominal.get(w.variation) ?? 0) + w.weight);
    const served = servedShares(split);
    const shown = (x: unknown) => { const t = JSON.stringify(x) ?? String(x); return t.length > 40 ? `${t.slice(0, 37)}...` : t; };
    const named = (v: number) => `variation ${v}${v >= 0 && v < values.length ? ` (${shown(values[v])})` : ''}`;
    const changed = [...served].filter(([v, units]) => units !== nominal.get(v))
      .map(([v, units]) => `${named(v)} ${units ? `serves ${percent(units)} of users` : 'serves no one'}, not ${percent(nominal.get(v)!)}`);
    const why = total < 100000
      ? `a bucket past them (${percent(100000 - total)} of users) gets the last variation`
      : 'buckets end at 100%, so what the weights give past it is no one\'s';
    found.push([[...p, 'rollout', 'variations'], `the weights add up to ${total}, not 100000 (100%): ${why} (go-server-sdk-evaluation evaluator.go variationOrRolloutResult, js-core Evaluator.ts), so ${changed.join(', ')}; rehearsed as the SDK serves it`]);
  };
  check(f.fallthrough, ['fallthrough']);
  (Array.isArray(f.rules) ? f.rules : []).forEach((r, i) => check(r, ['rules', i]));
  return found;
}
