/**
 * Naming of the simulated series: rehearse's own names follow the OpenTelemetry HTTP semantic conventions as
 * Prometheus exports them, plus the classic http_requests_total; a mapping renames families and labels to what
 * a team's queries expect, from a preset (presets.ts) and the scenario's own changes. Where a rollout splits a
 * service's traffic between canary and stable pods (an Argo Rollout's canaryService and stableService, a Flagger
 * Canary's primary and canary workloads), calls served with the plan's flag on carry the canary pods' names and
 * the others the stable pods', so that a query filtered on one of them sees only its pods' traffic.
 */
import { DURATION_FAMILY, REQUESTS_FAMILY, derivedLabels, podName, podTemplateHash, presetSpec, type PodNames, type Preset } from './presets.js';

export { DURATION_FAMILY, REQUESTS_FAMILY, PRESETS, podTemplateHash, type Preset } from './presets.js';

/** Labels rehearse writes, before mapping. `flag_<key>` labels (one per flag) are added to these. */
export const NATIVE_LABELS = ['service_name', 'http_route', 'http_response_status_code', 'code', 'journey', 'segment', 'k8s_service_name', 'k8s_pod_name'] as const;

/** Pods of one side of a split: their workload, the Kubernetes Service in front of them, their template hash. */
export interface PodGroup {
  readonly workload: string;
  readonly service: string;
  readonly hash: string;
}

/** A service whose calls are served by canary pods (the plan's flag on) or stable pods (off). */
export interface TrafficSplit {
  readonly flag: string;
  /** The scenario's service. */
  readonly service: string;
  /** The application's name (the apex Service), and the ingress and route that carry its traffic. */
  readonly app: string;
  readonly ingress: string;
  readonly route: string;
  readonly port: string;
  readonly canary: PodGroup;
  readonly stable: PodGroup;
}

export interface MetricsMapping {
  readonly preset: Preset;
  readonly namespace: string;
  /** Family renames: http_requests_total and http_server_request_duration_seconds (no _bucket/_sum/_count). */
  readonly names: Readonly<Record<string, string>>;
  /** More names under which a family is written too (a system that exports one histogram twice). */
  readonly aliases: Readonly<Record<string, readonly string[]>>;
  /** Label renames: a native label to one name, several (copies), or null (dropped). */
  readonly labels: Readonly<Record<string, string | readonly string[] | null>>;
  /** Labels with the same value on every series (Istio's reporter, a namespace). */
  readonly constants: Readonly<Record<string, string>>;
  /** A label set to "success" or "failure" from the status code (Linkerd's classification), or null. */
  readonly classification: string | null;
  /** The duration histogram's unit: seconds (OTel, nginx) or milliseconds (Istio, Linkerd). */
  readonly durationUnit: 's' | 'ms';
  /** Services whose traffic is split between canary and stable pods. */
  readonly splits: readonly TrafficSplit[];
}

export interface MappingInput {
  preset?: Preset;
  names?: Record<string, string>;
  labels?: Record<string, string | string[] | null>;
  constants?: Record<string, string>;
  classification?: string | null;
  'duration-unit'?: 's' | 'ms';
  namespace?: string;
}

/** The mapping in force: the preset's, with the scenario's names, labels and constants laid over it. */
export function resolveMapping(input: MappingInput = {}): MetricsMapping {
  const preset = input.preset ?? 'otel';
  const namespace = input.namespace ?? 'default';
  const base = presetSpec(preset, namespace);
  return {
    preset,
    namespace,
    names: { ...base.names, ...input.names },
    aliases: base.aliases,
    labels: { ...base.labels, ...input.labels },
    constants: { ...base.constants, ...input.constants },
    classification: input.classification === undefined ? base.classification : input.classification,
    durationUnit: input['duration-unit'] ?? base.durationUnit,
    splits: [],
  };
}

/** A flag key as a label name: flag_ and the key with characters outside [a-zA-Z0-9_] as underscores. */
export function flagLabel(key: string): string {
  return `flag_${key.replace(/[^a-zA-Z0-9_]/g, '_')}`;
}

/** Family name after mapping. */
export function familyName(m: MetricsMapping, family: string): string {
  return m.names[family] ?? family;
}

/** Every name a family is written under: its name after mapping, then its aliases. */
export function familyNames(m: MetricsMapping, family: string): string[] {
  return [familyName(m, family), ...(m.aliases[family] ?? [])];
}

/** The pods that served a call to `service` with the given flags on: the split's side, or the service's own. */
export function podsOf(m: MetricsMapping, service: string, flagOn: (flag: string) => boolean): { names: PodNames; native: Record<string, string> } {
  const split = m.splits.find((s) => s.service === service);
  const role = split ? (flagOn(split.flag) ? 'canary' : 'stable') : null;
  const group: PodGroup = split ? split[role as 'canary' | 'stable'] : { workload: service, service, hash: podTemplateHash(service) };
  const names: PodNames = {
    namespace: m.namespace, app: split?.app ?? service, ingress: split?.ingress ?? service, route: split?.route ?? service,
    workload: group.workload, service: group.service, role, port: split?.port ?? '80',
  };
  return { names, native: { service_name: group.workload, k8s_service_name: group.service, k8s_pod_name: podName(group.workload, group.hash) } };
}

/** Applies label renames, copies, drops, constants and the preset's derived labels to a native label set. */
export function mapLabels(m: MetricsMapping, native: Record<string, string>, pods?: PodNames): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(native)) {
    if (v === '') continue; // Prometheus treats an empty value as no label
    const to = m.labels[k];
    if (to === null) continue;
    if (to === undefined) out[k] = v;
    else if (typeof to === 'string') out[to] = v;
    else for (const name of to) out[name] = v;
  }
  for (const [k, v] of Object.entries(m.constants)) out[k] = v;
  if (m.classification !== null) {
    const status = Number(native.http_response_status_code ?? native.code);
    out[m.classification] = status >= 500 ? 'failure' : 'success';
  }
  // Derived labels fill what the renames and constants left: the scenario's own labels win.
  if (pods) for (const [k, v] of Object.entries(derivedLabels(m.preset, pods))) if (!Object.hasOwn(out, k)) out[k] = v;
  return out;
}

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
