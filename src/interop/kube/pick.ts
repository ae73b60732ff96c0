/**
 * The one resource a plan rehearses where the files hold several of its kind (Rollouts, Canaries): the only one, or
 * the one named. Each controller reconciles each resource alone (Argo's rollout controller per Rollout; Flagger's
 * scheduler.go scheduleCanaries one CanaryJob per Canary, keyed <name>.<namespace>), so a plan is one resource's;
 * where the files hold several and none is named, the refusal lists them. A name that matches none is refused with
 * the closest; two that it matches are refused with their places. The others are not read.
 *
 * A resource is named NAME or NAMESPACE/NAME, kubectl's and client-go's form of a namespaced name (apimachinery
 * pkg/types/namespacedname.go String: namespace + "/" + name; client-go tools/cache/store.go SplitMetaNamespaceKey:
 * one "/" at most, else "unexpected key format"). NAME matches every resource of that name, whatever its namespace.
 * NAMESPACE/NAME matches one of that name in that namespace, and one of that name given without metadata.namespace:
 * kubectl puts such a resource in the namespace it applies to (cli-runtime pkg/resource/visitor.go SetNamespace: "if
 * len(info.Namespace) == 0 { info.Namespace = namespace }", the context's namespace or -n), so applied with
 * `-n NAMESPACE` it is NAMESPACE/NAME; where the files hold both, kubectl would apply the two as one resource, and the
 * name is refused as matching two.
 */
import { didYouMean } from '../../errors.js';
import { namespaceOf } from './namespaces.js';
import { where, type Resource, type SourceFile } from './resources.js';
import { quoted, quotedList } from '../../units/escape.js';

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

/** NAME or NAMESPACE/NAME split (namespace null for NAME), or null for text of another form (a/b/c, /name, ns/). */
export function namespacedName(text: string): { readonly namespace: string | null; readonly name: string } | null {
  const parts = text.split('/');
  if (parts.length === 1) return { namespace: null, name: text };
  if (parts.length === 2 && parts[0] !== '' && parts[1] !== '') return { namespace: parts[0], name: parts[1] };
  return null;
}

/** Whether a resource's name and namespace (metadata.name, metadata.namespace) are named by NAME or NAMESPACE/NAME. */
export function namedBy(key: { readonly namespace: string | null; readonly name: string }, name: unknown, namespace: unknown): boolean {
  if (name !== key.name) return false;
  return key.namespace === null || typeof namespace !== 'string' || namespace === '' || namespace === key.namespace;
}

/** How a user names `r` among `all`: NAME where no other of `all` has its name, else NAMESPACE/NAME where it has one. */
export function nameFor(r: Resource, all: readonly Resource[]): string {
  const ns = namespaceOf(r);
  return ns !== null && all.some((o) => o !== r && o.name === r.name) ? `${ns}/${r.name}` : r.name;
}

export function pickOne(files: readonly SourceFile[], found: readonly Resource[], chosen: { readonly name: string; readonly from: string } | undefined, words: PickWords): Picked {
  const listed = (rs: readonly Resource[]) => rs.map((r) => `${quoted(nameFor(r, found))} (${where(r, ['metadata', 'name'])})`).join(', ');
  const fileNames = files.map((f) => f.file).join(', ');
  if (chosen === undefined) {
    if (found.length > 1) return { problem: `${fileNames}: ${found.length} ${words.kinds}: ${listed(found)}; a plan rehearses one: name it (${words.option} NAME; in a scenario, ${words.field})` };
    return { chosen: found[0] ?? null, others: [], warnings: [] };
  }
  const key = namespacedName(chosen.name);
  if (key === null) return { problem: `${chosen.from} ${quoted(chosen.name)}: a ${words.kind} is named NAME or NAMESPACE/NAME (kubectl's form of a namespaced name: one "/" at most, with text either side)` };
  const named = found.filter((r) => namedBy(key, r.name, namespaceOf(r)));
  if (named.length === 0) {
    // The closest among the names a user could give: NAME, or NAMESPACE/NAME where a namespace is given (a resource
    // without one is in any namespace it is applied to, so it is offered in the namespace given).
    const names = key.namespace === null ? found.map((r) => r.name) : found.map((r) => `${namespaceOf(r) ?? key.namespace}/${r.name}`);
    const elsewhere = key.namespace === null ? [] : [...new Set(found.filter((r) => r.name === key.name).map((r) => `${quoted(String(namespaceOf(r)))}`))];
    const what = key.namespace === null ? 'of that name' : `${quoted(key.name)} in namespace ${quoted(key.namespace)}`;
    const hint = elsewhere.length ? ` (it is in namespace ${elsewhere.join(', ')})` : '';
    return { problem: `${chosen.from} ${quoted(chosen.name)}: no ${words.kind} ${what} in ${fileNames}${hint}${didYouMean(chosen.name, names)}${found.length ? ` (they hold ${listed(found)})` : ' (they hold none)'}` };
  }
  if (named.length > 1) {
    const ns = (r: Resource) => ` (${namespaceOf(r) === null ? 'no namespace: in the one it is applied to' : `namespace ${quoted(String(namespaceOf(r)))}`})`;
    const apart = [...new Set(named.filter((r) => namespaceOf(r) !== null).map((r) => `${namespaceOf(r)}/${r.name}`))];
    const how = key.namespace === null && apart.length > 1
      ? `; name one as NAMESPACE/NAME (${quotedList(apart)})`
      : `: in one namespace they are one ${words.kind} to the API server, the last applied (kubectl puts one without metadata.namespace in the namespace it applies to); give the files of one`;
    return { problem: `${chosen.from} ${quoted(chosen.name)}: ${named.length} ${words.kinds} of that name in ${fileNames}: ${named.map((r) => `${where(r, ['metadata', 'name'])}${ns(r)}`).join(', ')}${how}` };
  }
  const others = found.filter((r) => r !== named[0]);
  // kubectl applies each document alone: a resource the plan is not is not rehearsed, and its fields are not read.
  const warnings = others.map((o) => `${where(o, ['metadata', 'name'])}: metadata.name: the ${words.kind} ${quoted(nameFor(o, found))} is not rehearsed: the plan is the ${words.kind} ${quoted(nameFor(named[0], found))}'s (${chosen.from} ${chosen.name})`);
  return { chosen: named[0], others, warnings };
}
