/**
 * The OpenFeature Operator's FeatureFlag resource (core.openfeature.dev/v1beta1) read as the flagd source it
 * becomes: the operator marshals spec.flagSpec, through its Go types, into the ConfigMap flagd reads
 * (open-feature/open-feature-operator api/core/v1beta1/featureflag_types.go GenerateConfigMap:
 * json.Marshal(ff.Spec.FlagSpec)). So a flag keeps only state, variants, defaultVariant, targeting and metadata,
 * and flagSpec only flags, metadata and $evaluators: anything else is dropped on the way to flagd, and warned.
 */
import { at, invalid, isObject, type FlagFile, type FlagWarning } from '../document.js';
import type { PathSegment } from '../../scenario/problems.js';
import { fieldText, serverFields, SERVER_FIELDS_WHY } from '../kube/server-fields.js';
import { didYouMean, suggest } from '../../errors.js';
import { quoted } from '../../units/escape.js';

const GROUP = 'core.openfeature.dev/';
/** FeatureFlag's top level: apiVersion and kind name it, metadata names its ConfigMap; status is the operator's record (warned with the server's fields). */
const RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'spec', 'status']);
/** featureflag_types.go FlagSpec: Flags (inline), Metadata, Evaluators. */
const FLAG_SPEC_FIELDS = new Set(['flags', 'metadata', '$evaluators']);
/** featureflag_types.go Flag. */
const FLAG_FIELDS = new Set(['state', 'variants', 'defaultVariant', 'targeting', 'metadata']);
const DROPPED = 'the operator drops it when it writes spec.flagSpec for flagd (api/core/v1beta1/featureflag_types.go GenerateConfigMap marshals its FlagSpec type, which has no such field)';

/** Whether a document is one of the operator's flag resources (FeatureFlag, or the older FeatureFlagConfiguration). */
export function isOperatorResource(value: unknown): boolean {
  return isObject(value) && typeof value.apiVersion === 'string' && value.apiVersion.startsWith(GROUP)
    && (value.kind === 'FeatureFlag' || value.kind === 'FeatureFlagConfiguration');
}

/**
 * A FeatureFlag as the flagd source the operator gives flagd: its spec.flagSpec, positions still in the file,
 * with the fields the operator drops warned and left out. Null for a document that is no operator resource.
 */
export function operatorSource(doc: FlagFile): { doc: FlagFile; warnings: FlagWarning[] } | null {
  const v = doc.value;
  if (!isOperatorResource(v) || !isObject(v)) return null;
  if (v.kind === 'FeatureFlagConfiguration') {
    throw invalid(doc, ['kind'], `a FeatureFlagConfiguration (${String(v.apiVersion)}), the OpenFeature Operator's resource before v1beta1: rehearse reads its successor, a core.openfeature.dev/v1beta1 FeatureFlag, whose spec.flagSpec holds what spec.featureFlagSpec held (the flags, with $evaluators)`);
  }
  if (v.apiVersion !== `${GROUP}v1beta1`) throw invalid(doc, ['apiVersion'], `FeatureFlag is core.openfeature.dev/v1beta1 (the only version the operator serves), not ${JSON.stringify(v.apiVersion)}`);
  const warnings: FlagWarning[] = [];
  const unknown = (obj: Record<string, unknown>, keep: ReadonlySet<string>, path: PathSegment[], why: string): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(obj)) {
      if (keep.has(k)) out[k] = x;
      else warnings.push(at(doc, [...path, k], `${why}${didYouMean(k, keep)}`));
    }
    return out;
  };
  unknown(v, RESOURCE_FIELDS, [], 'not a field of a FeatureFlag: Kubernetes prunes it (config/crd/bases/core.openfeature.dev_featureflags.yaml)');
  // What `kubectl get featureflags -o yaml` prints beside the resource: one warning per FeatureFlag, at the first.
  const server = serverFields(v);
  if (server.length) warnings.push(at(doc, [...server[0]], `${server.length > 1 ? `and ${server.slice(1).map(fieldText).join(', ')}: ` : ''}${SERVER_FIELDS_WHY}`));
  const spec = isObject(v.spec) ? v.spec : null;
  if (!spec || !isObject(spec.flagSpec)) throw invalid(doc, ['spec', 'flagSpec'], 'a FeatureFlag holds its flagd flags under spec.flagSpec (an object with flags, and metadata and $evaluators if any)');
  unknown(spec, new Set(['flagSpec']), ['spec'], 'not a field of a FeatureFlag\'s spec: Kubernetes prunes it (config/crd/bases/core.openfeature.dev_featureflags.yaml)');
  const within: PathSegment[] = ['spec', 'flagSpec'];
  const flagSpec = unknown(spec.flagSpec, FLAG_SPEC_FIELDS, within, DROPPED);
  if (!isObject(flagSpec.flags)) throw invalid(doc, [...within, 'flags'], 'spec.flagSpec.flags is an object of flags by key (featureflag_types.go: map[string]Flag)');
  const flags: Record<string, unknown> = {};
  for (const [key, f] of Object.entries(flagSpec.flags)) {
    const path = [...within, 'flags', key];
    if (!isObject(f)) throw invalid(doc, path, 'a flag definition is an object');
    for (const field of ['state', 'variants', 'defaultVariant']) {
      if (field in f) continue;
      // A misspelling of it (defaultVarient) is named where it stands, not only the field it leaves missing.
      const near = Object.keys(f).find((k) => !FLAG_FIELDS.has(k) && suggest(k, [field]) === field);
      const required = `a flag of a FeatureFlag has ${field}: Kubernetes refuses the resource without it (config/crd/bases/core.openfeature.dev_featureflags.yaml: required)`;
      if (near === undefined) throw invalid(doc, path, required);
      throw invalid(doc, [...path, near], `${quoted(near)} is not a field of a flag${didYouMean(near, [field])} A${required.slice(1)}`);
    }
    crdTypes(doc, f, path);
    flags[key] = unknown(f, FLAG_FIELDS, path, DROPPED);
    literalBucketing(doc, f.targeting, [...path, 'targeting']);
  }
  return { doc: within_(doc, { ...flagSpec, flags }, within), warnings };
}

/** The type of each flag field the CRD names (config/crd/bases/core.openfeature.dev_featureflags.yaml); null is not checked. */
const CRD_TYPES: Readonly<Record<string, 'string' | 'object'>> = { state: 'string', defaultVariant: 'string', variants: 'object', targeting: 'object' };

/** A flag field of another type than the CRD gives it, or a state it does not list: the API server refuses the FeatureFlag. */
function crdTypes(doc: FlagFile, f: Record<string, unknown>, path: PathSegment[]): void {
  for (const [field, type] of Object.entries(CRD_TYPES)) {
    const v = f[field];
    if (v === undefined || v === null) continue;
    const got = Array.isArray(v) ? 'array' : typeof v === 'number' ? (Number.isInteger(v) ? 'integer' : 'number') : typeof v;
    if (type === 'object' ? !isObject(v) : typeof v !== 'string') {
      throw invalid(doc, [...path, field], `Invalid value: ${quoted(got)}: must be of type ${type} (the API server refuses the FeatureFlag: config/crd/bases/core.openfeature.dev_featureflags.yaml${typeof v === 'boolean' ? '; YAML 1.1, which Kubernetes reads, makes on, off, yes and no true or false: quote the text' : ''})`);
    }
  }
  if (typeof f.state === 'string' && f.state !== 'ENABLED' && f.state !== 'DISABLED') {
    throw invalid(doc, [...path, 'state'], `Unsupported value: ${JSON.stringify(f.state)}: supported values: "ENABLED", "DISABLED" (the API server refuses the FeatureFlag: config/crd/bases/core.openfeature.dev_featureflags.yaml)`);
  }
}

/**
 * The operator's admission webhook (internal/webhook/featureflag_webhook.go validateFeatureFlagFlags) validates
 * spec.flagSpec.flags against flagd's schema (flags.json with targeting.json, gojsonschema) and refuses the
 * FeatureFlag where they do not conform, so no ConfigMap is made and flagd never reads it. One such rule: the first
 * argument of fractional is a rule (targeting.json fractionalOp: anyRule, such as {"var": "email"}) or a
 * [variant, weight] bucket (fractionalShorthandOp); a bare value ("invalid") is neither. The operator's own e2e test
 * test/e2e/chainsaw/validate-featureflag-create applies featureflag_bad.yaml, whose fractional starts so, and
 * expects the error. (A flagd file given as is only logs that it does not conform, and Go flagd hashes the value
 * for every user: flagd/index.ts reads those.)
 */
function literalBucketing(doc: FlagFile, node: unknown, path: PathSegment[]): void {
  if (Array.isArray(node)) {
    node.forEach((x, i) => literalBucketing(doc, x, [...path, i]));
    return;
  }
  if (!isObject(node)) return;
  for (const [k, x] of Object.entries(node)) {
    if (k === 'fractional' && Array.isArray(x) && x.length > 0 && (x[0] === null || typeof x[0] !== 'object')) {
      throw invalid(doc, [...path, k, 0], `the operator's admission webhook refuses this FeatureFlag (internal/webhook/featureflag_webhook.go validateFeatureFlagFlags checks spec.flagSpec.flags against flagd's schema): fractional's first argument is a rule that gives each user's bucketing value (targeting.json fractionalOp: anyRule, such as {"var": "email"}) or a [variant, weight] bucket, not ${JSON.stringify(x[0])}, so Kubernetes keeps no such FeatureFlag and flagd never reads it`);
    }
    literalBucketing(doc, x, [...path, k]);
  }
}

/** A flag file whose value is the node at `prefix` of another, its positions and source read in the whole file. */
function within_(doc: FlagFile, value: unknown, prefix: readonly PathSegment[]): FlagFile {
  return {
    file: doc.file,
    value,
    within: [...(doc.within ?? []), ...prefix],
    position: (path) => doc.position([...prefix, ...path]),
    ...(doc.source ? { source: (path: readonly PathSegment[]) => doc.source!([...prefix, ...path]) } : {}),
  };
}
