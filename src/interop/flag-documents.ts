/**
 * A flag file of several YAML documents, read as the OpenFeature Operator gives them to flagd. Such a file is a
 * set of Kubernetes resources (`kubectl apply -f` makes one of each document): its FeatureFlags are flag
 * configurations, and flagd reads those a FeatureFlagSource names, each as a source, in the order of its
 * `spec.sources` (open-feature/open-feature-operator api/core/v1beta1/featureflagsource_types.go; a flag in
 * several is served from the last, as flagd's store keeps it). So:
 * - with one FeatureFlagSource, the FeatureFlags of the file it names (`namespace/name`, provider kubernetes) are
 *   read in its order; a source it names that the file does not hold, or of another provider, is warned (flagd
 *   reads it from the cluster or elsewhere: not rehearsed), and so are its contextValues (flagd adds them to every
 *   evaluation's context) and header mappings;
 * - with none, every FeatureFlag of the file is read, and a flag key two of them define is refused: which one
 *   flagd serves depends on an order the file does not give;
 * - with several, or with no FeatureFlag, the file is refused with what to give instead;
 * - other resources (a Namespace, a Deployment, a Service...) hold no flags and are warned as not read;
 * - a List (what `kubectl get featureflags -o yaml` writes) is its items, as kubectl applies each (cli-runtime
 *   pkg/resource/visitor.go FlattenListVisitor), every message naming its place among the List's items.
 */
import { InputError } from '../errors.js';
import { at, formatWarning, isObject, type FlagFile, type FlagWarning } from './flag-file.js';
import { withArticle } from '../units/article.js';
import { quoted } from '../units/escape.js';

const GROUP = 'core.openfeature.dev/';
const kindOf = (d: FlagFile): string | null => (isObject(d.value) && typeof d.value.kind === 'string' ? d.value.kind : null);
const isOperator = (d: FlagFile, kind: string): boolean => isObject(d.value) && typeof d.value.apiVersion === 'string' && d.value.apiVersion.startsWith(GROUP) && d.value.kind === kind;
const nameOf = (d: FlagFile): { name: string; namespace: string | null } => {
  const m = isObject(d.value) && isObject(d.value.metadata) ? d.value.metadata : {};
  return { name: typeof m.name === 'string' ? m.name : '', namespace: typeof m.namespace === 'string' ? m.namespace : null };
};
const flagKeys = (d: FlagFile): string[] => {
  const spec = isObject(d.value) && isObject(d.value.spec) && isObject(d.value.spec.flagSpec) ? d.value.spec.flagSpec : null;
  return spec && isObject(spec.flags) ? Object.keys(spec.flags) : [];
};
const where = (d: FlagFile, path: (string | number)[] = []): string => formatWarning(at(d, path, '')).replace(/: [^:]*: $/, '');

/** The file as the flag sources flagd reads from it (its `documents`), or a refusal. */
export function severalDocuments(all: readonly FlagFile[], file: string): FlagFile {
  // An empty document (a `---` at the end) is none.
  const documents = all.filter((d) => d.value !== null && d.value !== undefined);
  if (documents.length === 1) return documents[0];
  const flags = documents.filter((d) => isOperator(d, 'FeatureFlag') || isOperator(d, 'FeatureFlagConfiguration'));
  const sources = documents.filter((d) => isOperator(d, 'FeatureFlagSource'));
  const [head] = documents;
  if (flags.length === 0 && head && isObject(head.value) && (isObject(head.value.flags) || Array.isArray(head.value.flags))) {
    // A flagd file: flagd reads its first document only (core/pkg/utils/yaml.go: yaml.Unmarshal).
    return { ...head, notes: documents.slice(1).map((d) => at(d, [], 'a YAML document after the first: flagd reads only the first document of a file (core/pkg/utils/yaml.go YAMLToJSON: yaml.Unmarshal), nor does rehearse read this one')) };
  }
  if (flags.length === 0) {
    throw new InputError([`${file}: holds ${documents.length} YAML documents and no FeatureFlag; a flag file is one document (flagd reads one flag configuration from each source): put each flag configuration in a file of its own and name the files in order, as flagd is given its sources (flags.from.flagd: [a.yaml, b.yaml]; a flag in several is served from the last)`]);
  }
  if (sources.length > 1) {
    throw new InputError([`${file}: holds ${sources.length} FeatureFlagSources (${sources.map((d) => `${quoted(nameOf(d).name)} at ${where(d)}`).join(', ')}), each the sources of the flagd of the workloads that name it: give the FeatureFlags of the one the service reads, each a file of its own, in its order (flags.from.flagd: [a.yaml, b.yaml])`]);
  }
  const warnings: FlagWarning[] = [];
  for (const d of documents) {
    if (!flags.includes(d) && !sources.includes(d)) warnings.push(at(d, [], `${withArticle(kindOf(d) ?? 'document without kind')}${nameOf(d).name ? ` (${quoted(nameOf(d).name)})` : ''}: it holds no flags, and is not read`));
  }
  let read: FlagFile[];
  if (sources.length === 1) read = ordered(sources[0], flags, warnings);
  else {
    read = flags;
    const seen = new Map<string, FlagFile>();
    const clashes: string[] = [];
    for (const d of flags) {
      for (const key of flagKeys(d)) {
        const earlier = seen.get(key);
        if (earlier) clashes.push(formatWarning(at(d, ['spec', 'flagSpec', 'flags', key], `flag ${quoted(key)} is also defined by the FeatureFlag at ${where(earlier, ['spec', 'flagSpec', 'flags', key])}: flagd serves the one of its later source, and without a FeatureFlagSource the file does not say which is later; add the FeatureFlagSource, or give each FeatureFlag as a file of its own, in order`)));
        else seen.set(key, d);
      }
    }
    if (clashes.length) throw new InputError(clashes);
  }
  if (read.length === 0) throw new InputError([`${where(sources[0])}: the FeatureFlagSource names none of the FeatureFlags of ${file} (${flags.map((d) => `${quoted(nameOf(d).name)}`).join(', ')}): flagd would read no flags from this file`]);
  const [first] = read;
  return { ...first, documents: read, notes: warnings };
}

/** The FeatureFlags a FeatureFlagSource names, in its order; what it names elsewhere, or adds to the context, warned. */
function ordered(source: FlagFile, flags: readonly FlagFile[], warnings: FlagWarning[]): FlagFile[] {
  const spec = isObject(source.value) && isObject(source.value.spec) ? source.value.spec : {};
  const fallback = typeof spec.defaultSyncProvider === 'string' && spec.defaultSyncProvider ? spec.defaultSyncProvider : 'kubernetes';
  for (const field of ['contextValues', 'headerToContextMappings']) {
    if (isObject(spec[field]) && Object.keys(spec[field]).length) warnings.push(at(source, ['spec', field], `flagd adds ${field === 'contextValues' ? 'these values' : 'these request headers'} to the context of every evaluation; a rehearsal's users carry only their own attributes: a rule that reads them is rehearsed without them`));
  }
  const read: FlagFile[] = [];
  (Array.isArray(spec.sources) ? spec.sources : []).forEach((s, i) => {
    const path = ['spec', 'sources', i];
    if (!isObject(s) || typeof s.source !== 'string') return;
    const provider = typeof s.provider === 'string' && s.provider ? s.provider : fallback;
    if (provider !== 'kubernetes') return void warnings.push(at(source, path, `${withArticle(provider)} source (${s.source}): flagd syncs it from outside this file, and it is not rehearsed; give it as a file of its own in flags.from.flagd, in this order`));
    const [namespace, name] = s.source.includes('/') ? s.source.split('/', 2) : [null, s.source];
    const found = flags.find((d) => nameOf(d).name === name && (nameOf(d).namespace ?? namespace) === namespace);
    if (!found) return void warnings.push(at(source, [...path, 'source'], `no FeatureFlag ${s.source} in this file: flagd reads it from the cluster, and it is not rehearsed; give it as a file of its own in flags.from.flagd, in this order`));
    if (!read.includes(found)) read.push(found);
  });
  for (const d of flags) if (!read.includes(d)) warnings.push(at(d, [], `FeatureFlag ${quoted(nameOf(d).name)} is not a source of the FeatureFlagSource ${quoted(nameOf(source).name)}: flagd does not read it, nor does rehearse`));
  return read;
}

/**
 * The items of a List of the operator's resources, each a flag file of its own whose paths are shown from the top
 * (`items[0].spec.flagSpec...`), or null for any other document.
 */
export function listItems(d: FlagFile): FlagFile[] | null {
  const v = d.value;
  if (!isObject(v) || typeof v.kind !== 'string' || !v.kind.endsWith('List') || !Array.isArray(v.items)) return null;
  const items = v.items;
  if (!items.some((x) => isObject(x) && typeof x.apiVersion === 'string' && x.apiVersion.startsWith(GROUP))) return null;
  return items.map((value, i) => {
    const prefix = ['items', i];
    const inside = (path: readonly (string | number)[]) => path.length >= 2 && path[0] === 'items' && path[1] === i;
    const { readAs, mergeKeys, source } = d;
    return {
      file: d.file,
      value,
      within: [...(d.within ?? []), ...prefix],
      position: (path) => d.position([...prefix, ...path]),
      ...(source ? { source: (path: readonly (string | number)[]) => source.call(d, [...prefix, ...path]) } : {}),
      ...(readAs ? {
        readAs: (lib: Parameters<NonNullable<FlagFile['readAs']>>[0]) => {
          const r = readAs.call(d, lib);
          return { value: isObject(r.value) && Array.isArray(r.value.items) ? r.value.items[i] : value, scalars: r.scalars.filter((x) => inside(x.path)).map((x) => ({ ...x, path: x.path.slice(2) })) };
        },
      } : {}),
      ...(mergeKeys ? { mergeKeys: () => mergeKeys.call(d).filter((m) => inside(m.path)).map((m) => ({ ...m, path: m.path.slice(2) })) } : {}),
    };
  });
}
