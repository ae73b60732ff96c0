/**
 * What the API server refuses a Flagger resource for before the controller reads it, beyond a field's type and
 * values (kube/crd-types.ts): an apiVersion it does not serve, a missing metadata.name, a field the CRD's schema
 * requires, and the analysis's `oneOf` (fluxcd/flagger artifacts/flagger/crd.yaml, test/fixtures/vendor/flagger/
 * crd.yaml; test/flagger-required.test.ts holds these tables to it). A v1alpha3 Canary (Flagger 0.x) is not
 * checked against the v1beta1 schema: the adapter warns that current Flagger refuses it.
 */
import { get, pathText, where, type Path, type Resource } from '../kube/resources.js';

const REF = ['apiVersion', 'kind', 'name'];

/** Per kind, each object path (`[]` for a list's items, `*` for a map's values) and the keys its schema requires. */
export const REQUIRED: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  Canary: {
    spec: ['targetRef', 'analysis'],
    'spec.targetRef': REF,
    'spec.autoscalerRef': REF,
    'spec.ingressRef': REF,
    'spec.routeRef': REF,
    'spec.upstreamRef': REF,
    'spec.service': ['port'],
    'spec.service.mirror': ['backendRef'],
    'spec.service.mirror[].backendRef': ['name'],
    'spec.service.gatewayRefs[]': ['name'],
    'spec.analysis.metrics[]': ['name'],
    'spec.analysis.metrics[].templateRef': ['name'],
    'spec.analysis.alerts[]': ['providerRef', 'name'],
    'spec.analysis.alerts[].providerRef': ['name'],
    'spec.analysis.webhooks[]': ['name', 'url'],
    'spec.analysis.sessionAffinity': ['cookieName'],
  },
  MetricTemplate: {
    spec: ['provider', 'query'],
    'spec.provider': ['type'],
    'spec.provider.secretRef': ['name'],
  },
};

/** Per kind, each object path whose schema is a `oneOf` of `required` lists: exactly one of them must hold. */
export const ONE_OF: Readonly<Record<string, Readonly<Record<string, readonly (readonly string[])[]>>>> = {
  Canary: {
    'spec.service.corsPolicy.allowOrigins[]': [['exact'], ['prefix'], ['regex']],
    'spec.analysis': [['interval', 'threshold', 'iterations'], ['interval', 'threshold', 'stepWeight'], ['interval', 'threshold', 'stepWeights']],
    'spec.analysis.match[].headers.*': [['exact'], ['prefix'], ['suffix'], ['regex']],
  },
  MetricTemplate: {},
};

/** The API versions of flagger.app the current CRD serves (crd.yaml: versions[].served). */
const SERVED = ['v1beta1'];

/** The objects at a pattern's path, with their paths. */
function objectsAt(value: unknown, segments: readonly string[], at: Path = []): { path: Path; value: Record<string, unknown> }[] {
  if (value === null || typeof value !== 'object') return [];
  if (segments.length === 0) return Array.isArray(value) ? [] : [{ path: at, value: value as Record<string, unknown> }];
  const [head, ...rest] = segments;
  if (head === '[]') return Array.isArray(value) ? value.flatMap((v, i) => objectsAt(v, rest, [...at, i])) : [];
  if (Array.isArray(value)) return [];
  if (head === '*') return Object.entries(value).flatMap(([k, v]) => objectsAt(v, rest, [...at, k]));
  return objectsAt((value as Record<string, unknown>)[head], rest, [...at, head]);
}

const segments = (pattern: string) => pattern.replace(/\[\]/g, '.[]').split('.');
/** A key the API server sees: null values of these (non-nullable) fields are dropped before validation. */
const present = (o: Record<string, unknown>, k: string) => Object.hasOwn(o, k) && o[k] !== null && o[k] !== undefined;

/** The problems of one resource of flagger.app (Canary or MetricTemplate), in the API server's terms. */
export function apiServerProblems(r: Resource): string[] {
  const problems: string[] = [];
  const at = (path: Path, message: string) => problems.push(`${where(r, path)}: ${pathText(path)}: ${message}`);
  const apiVersion = get(r.value, 'apiVersion');
  if (apiVersion === undefined || apiVersion === null || apiVersion === '') {
    at([], `apiVersion: missing: the API server needs it to know the resource (kubectl: "apiVersion not set"); ${r.kind} is flagger.app/v1beta1`);
    return problems;
  }
  if (typeof apiVersion !== 'string') return problems; // a value of another type: refused as such (kube/fields.ts)
  const version = apiVersion.slice('flagger.app/'.length);
  if (r.kind === 'Canary' && /^v1alpha[123]$/.test(version)) return problems; // Flagger 0.x: warned by the adapter
  if (!SERVED.includes(version)) {
    at(['apiVersion'], `no matches for kind "${r.kind}" in version "${apiVersion}": the Flagger CRD serves flagger.app/${SERVED.join(', ')}`);
    return problems;
  }
  const name = get(r.value, 'metadata', 'name');
  if (name === undefined || name === null || name === '') at(get(r.value, 'metadata') ? ['metadata'] : [], 'metadata.name: Required value: the API server refuses a resource without a name');
  for (const [pattern, keys] of Object.entries(REQUIRED[r.kind] ?? {})) {
    for (const o of objectsAt(r.value, segments(pattern))) {
      const missing = keys.filter((k) => !present(o.value, k));
      if (missing.length > 0) at(o.path, `${missing.join(', ')}: Required value: the ${r.kind} CRD requires ${missing.length > 1 ? 'them' : 'it'} here, and the API server refuses the resource without ${missing.length > 1 ? 'them' : 'it'}`);
    }
  }
  for (const [pattern, choices] of Object.entries(ONE_OF[r.kind] ?? {})) {
    for (const o of objectsAt(r.value, segments(pattern))) {
      const held = choices.filter((c) => c.every((k) => present(o.value, k)));
      if (held.length === 1) continue;
      const wants = choices.map((c) => c.join(' + ')).join('; ');
      at(o.path, `must validate one and only one schema (oneOf), as the ${r.kind} CRD says (${wants}); ${held.length === 0 ? 'none holds' : `${held.length} hold`}: the API server refuses the resource`);
    }
  }
  return problems;
}
