/**
 * Naming of the simulated series: rehearse's own names follow the OpenTelemetry HTTP semantic conventions as
 * Prometheus exports them, plus the classic http_requests_total; a mapping renames families and labels to what
 * a team's queries expect, from a preset (istio, linkerd, nginx-ingress, otel) and the scenario's own changes.
 */

/** The families rehearse writes, by their OTel/Prometheus names. */
export const DURATION_FAMILY = 'http_server_request_duration_seconds';
export const REQUESTS_FAMILY = 'http_requests_total';

/** Labels rehearse writes, before mapping. `flag_<key>` labels (one per flag) are added to these. */
export const NATIVE_LABELS = ['service_name', 'http_route', 'http_response_status_code', 'code', 'journey', 'segment'] as const;

export const PRESETS = ['otel', 'istio', 'linkerd', 'nginx-ingress'] as const;
export type Preset = (typeof PRESETS)[number];

export interface MetricsMapping {
  readonly preset: Preset;
  /** Family renames: http_requests_total and http_server_request_duration_seconds (no _bucket/_sum/_count). */
  readonly names: Readonly<Record<string, string>>;
  /** Label renames: a native label to one name, several (copies), or null (dropped). */
  readonly labels: Readonly<Record<string, string | readonly string[] | null>>;
  /** Labels with the same value on every series (Istio's reporter, a namespace). */
  readonly constants: Readonly<Record<string, string>>;
  /** A label set to "success" or "failure" from the status code (Linkerd's classification), or null. */
  readonly classification: string | null;
  /** The duration histogram's unit: seconds (OTel, nginx) or milliseconds (Istio, Linkerd). */
  readonly durationUnit: 's' | 'ms';
  /**
   * Flagger's two workloads: calls to `service` with `flag` off are served by `<service>-primary` (the old
   * code), with it on by `<service>` (the canary), as Flagger names them. Null: one workload per service.
   */
  readonly canary: { readonly flag: string; readonly service: string } | null;
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

function preset(name: Preset, namespace: string): MetricsMapping {
  switch (name) {
    case 'otel':
      return { preset: name, names: {}, labels: {}, constants: {}, classification: null, durationUnit: 's', canary: null };
    case 'istio':
      return {
        preset: name,
        names: { [REQUESTS_FAMILY]: 'istio_requests_total', [DURATION_FAMILY]: 'istio_request_duration_milliseconds' },
        labels: { service_name: ['destination_workload', 'destination_service_name'], code: 'response_code', http_response_status_code: 'response_code' },
        constants: { reporter: 'destination', destination_workload_namespace: namespace },
        classification: null,
        durationUnit: 'ms',
        canary: null,
      };
    case 'linkerd':
      return {
        preset: name,
        names: { [REQUESTS_FAMILY]: 'response_total', [DURATION_FAMILY]: 'response_latency_ms' },
        labels: { service_name: 'deployment', code: 'status_code', http_response_status_code: 'status_code' },
        constants: { direction: 'inbound', namespace },
        classification: 'classification',
        durationUnit: 'ms',
        canary: null,
      };
    case 'nginx-ingress':
      return {
        preset: name,
        names: { [REQUESTS_FAMILY]: 'nginx_ingress_controller_requests', [DURATION_FAMILY]: 'nginx_ingress_controller_request_duration_seconds' },
        labels: { service_name: ['service', 'ingress'], code: 'status', http_response_status_code: 'status', http_route: 'path' },
        constants: { namespace, canary: 'canary' },
        classification: null,
        durationUnit: 's',
        canary: null,
      };
  }
}

/** The mapping in force: the preset's, with the scenario's names, labels and constants laid over it. */
export function resolveMapping(input: MappingInput = {}): MetricsMapping {
  const base = preset(input.preset ?? 'otel', input.namespace ?? 'default');
  return {
    preset: base.preset,
    names: { ...base.names, ...input.names },
    labels: { ...base.labels, ...input.labels },
    constants: { ...base.constants, ...input.constants },
    classification: input.classification === undefined ? base.classification : input.classification,
    durationUnit: input['duration-unit'] ?? base.durationUnit,
    canary: null,
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

/** Applies label renames, copies, drops and constants to a native label set (values as given). */
export function mapLabels(m: MetricsMapping, native: Record<string, string>): Record<string, string> {
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
  return out;
}

export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
