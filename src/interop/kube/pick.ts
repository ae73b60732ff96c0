/**
 * The one resource a plan rehearses where the files hold several of its kind (Rollouts, Canaries): the only one, or
 * the one named. Each controller reconciles each resource alone (Argo's rollout controller per Rollout; Flagger's
 * scheduler.go scheduleCanaries one CanaryJob per Canary, keyed <name>.<namespace>), so a plan is one resource's;
 * where the files hold several and none is named, the refusal lists them. A name that matches none is refused with
 * the closest; two of that name (in two namespaces) are refused with their places. The others are not read.
 */
import { didYouMean } from '../../errors.js';
import { get, where, type Resource, type SourceFile } from './resources.js';

export interface PickWords {
  /** The kind, and its plural: Rollout, Rollouts. */
  readonly kind: string;
  readonly kinds: string;
  /** How a user names one: the command's option and the scenario's field. */
  readonly option: string;
  readonly field: string;
}

export type Picked =
  | { readonly problem: string }
  /** The resource named (null where the files hold none), the others, and a warning at each other. */
  | { readonly chosen: Resource | null; readonly others: readonly Resource[]; readonly warnings: readonly string[] };

export function pickOne(files: readonly SourceFile[], found: readonly Resource[], chosen: { readonly name: string; readonly from: string } | undefined, words: PickWords): Picked {
  const listed = () => found.map((r) => `"${r.name}" (${where(r, ['metadata', 'name'])})`).join(', ');
  const fileNames = files.map((f) => f.file).join(', ');
  if (chosen === undefined) {
    if (found.length > 1) return { problem: `${fileNames}: ${found.length} ${words.kinds}: ${listed()}; a plan rehearses one: name it (${words.option} NAME; in a scenario, ${words.field})` };
    return { chosen: found[0] ?? null, others: [], warnings: [] };
  }
  const named = found.filter((r) => r.name === chosen.name);
  if (named.length === 0) {
    const names = found.map((r) => r.name);
    return { problem: `${chosen.from} "${chosen.name}": no ${words.kind} of that name in ${fileNames}${didYouMean(chosen.name, names)}${found.length ? ` (they hold ${listed()})` : ' (they hold none)'}` };
  }
  if (named.length > 1) {
    const ns = (r: Resource) => (typeof get(r.value, 'metadata', 'namespace') === 'string' ? ` (namespace ${String(get(r.value, 'metadata', 'namespace'))})` : '');
    return { problem: `${chosen.from} "${chosen.name}": ${named.length} ${words.kinds} of that name in ${fileNames}: ${named.map((r) => `${where(r, ['metadata', 'name'])}${ns(r)}`).join(', ')}; give the files of one` };
  }
  const others = found.filter((r) => r.name !== chosen.name);
  // kubectl applies each document alone: a resource the plan is not is not rehearsed, and its fields are not read.
  const warnings = others.map((o) => `${where(o, ['metadata', 'name'])}: metadata.name: the ${words.kind} "${o.name}" is not rehearsed: the plan is the ${words.kind} "${named[0].name}"'s (${chosen.from} ${chosen.name})`);
  return { chosen: named[0], others, warnings };
}
