/**
 * Presets: the simulated series named as a mesh, an ingress or a proxy exports them, so that the queries teams
 * write against those systems (and the builtin queries of Flagger's observers, pkg/metrics/observers/*.go in
 * fluxcd/flagger) read what the simulation wrote. A preset renames rehearse's two families (with aliases where a
 * system writes the same histogram under two names), renames labels, adds constants, and derives the labels
 * that carry which pods served a request: the workload, the Kubernetes Service the request came through, the
 * pod, and names built from them (an Envoy cluster, a Traefik service, a Skipper route).
 */

export const PRESETS = [
  'otel', 'istio', 'linkerd', 'nginx-ingress', 'appmesh', 'contour', 'gloo', 'kuma', 'apisix', 'skipper', 'traefik',
  'kubernetes-pods', 'osm', 'knative',
] as const;
export type Preset = (typeof PRESETS)[number];

/** The families rehearse writes, by their OTel/Prometheus names. */
export const DURATION_FAMILY = 'http_server_request_duration_seconds';
export const REQUESTS_FAMILY = 'http_requests_total';

/** Which pods served a request, as the labels of a preset need it. */
export interface PodNames {
  /** The namespace of the series. */
  readonly namespace: string;
  /** The application: the scenario service's name, the apex Service, the ingress or route named after it. */
  readonly app: string;
  readonly ingress: string;
  readonly route: string;
  /** The workload (Deployment, Rollout) whose pods served it. */
  readonly workload: string;
  /** The Kubernetes Service the request came through. */
  readonly service: string;
  /** canary: the pods of the new code (the flag on); stable: the others; null: no split. */
  readonly role: 'canary' | 'stable' | null;
  readonly port: string;
}

export interface PresetSpec {
  readonly names: Readonly<Record<string, string>>;
  readonly aliases: Readonly<Record<string, readonly string[]>>;
  readonly labels: Readonly<Record<string, string | readonly string[] | null>>;
  readonly constants: Readonly<Record<string, string>>;
  readonly classification: string | null;
  readonly durationUnit: 's' | 'ms';
}

/** rehearse's own pod labels, dropped by presets that have no use for them. */
const NO_POD_LABELS = { k8s_service_name: null, k8s_pod_name: null };
/** Envoy's upstream cluster statistics (App Mesh, Contour, Gloo, Kuma, Knative through Envoy). */
const ENVOY = {
  names: { [REQUESTS_FAMILY]: 'envoy_cluster_upstream_rq', [DURATION_FAMILY]: 'envoy_cluster_upstream_rq_time' },
  aliases: {}, classification: null, durationUnit: 'ms' as const,
};
const NATIVE_OFF = { service_name: null, http_route: null, ...NO_POD_LABELS };

export function presetSpec(name: Preset, namespace: string): PresetSpec {
  switch (name) {
    case 'otel':
      return { names: {}, aliases: {}, labels: NO_POD_LABELS, constants: {}, classification: null, durationUnit: 's' };
    case 'istio':
      return {
        names: { [REQUESTS_FAMILY]: 'istio_requests_total', [DURATION_FAMILY]: 'istio_request_duration_milliseconds' },
        aliases: {},
        labels: { service_name: 'destination_workload', k8s_service_name: 'destination_service_name', k8s_pod_name: null, code: 'response_code', http_response_status_code: 'response_code' },
        constants: { reporter: 'destination', destination_workload_namespace: namespace },
        classification: null, durationUnit: 'ms',
      };
    case 'linkerd':
      return {
        names: { [REQUESTS_FAMILY]: 'response_total', [DURATION_FAMILY]: 'response_latency_ms' },
        aliases: {},
        labels: { service_name: 'deployment', k8s_service_name: null, k8s_pod_name: 'pod', code: 'status_code', http_response_status_code: 'status_code' },
        constants: { direction: 'inbound', namespace },
        classification: 'classification', durationUnit: 'ms',
      };
    case 'nginx-ingress':
      return {
        names: { [REQUESTS_FAMILY]: 'nginx_ingress_controller_requests', [DURATION_FAMILY]: 'nginx_ingress_controller_request_duration_seconds' },
        aliases: { [DURATION_FAMILY]: ['nginx_ingress_controller_response_duration_seconds'] },
        labels: { service_name: null, k8s_service_name: 'service', k8s_pod_name: null, code: 'status', http_response_status_code: 'status', http_route: 'path' },
        constants: { namespace },
        classification: null, durationUnit: 's',
      };
    case 'appmesh':
      return { ...ENVOY, labels: { ...NATIVE_OFF, k8s_pod_name: 'kubernetes_pod_name', code: 'envoy_response_code', http_response_status_code: 'envoy_response_code' }, constants: { kubernetes_namespace: namespace } };
    case 'contour': case 'gloo': case 'kuma': case 'knative':
      return { ...ENVOY, labels: { ...NATIVE_OFF, code: 'envoy_response_code', http_response_status_code: 'envoy_response_code' }, constants: {} };
    case 'apisix':
      return {
        names: { [REQUESTS_FAMILY]: 'apisix_http_status', [DURATION_FAMILY]: 'apisix_http_latency' }, aliases: {},
        labels: NATIVE_OFF, constants: { type: 'request' }, classification: null, durationUnit: 'ms',
      };
    case 'skipper':
      return {
        names: { [DURATION_FAMILY]: 'skipper_response_duration_seconds' },
        aliases: { [DURATION_FAMILY]: ['skipper_serve_route_duration_seconds'] },
        labels: { ...NATIVE_OFF, http_response_status_code: 'code' }, constants: {}, classification: null, durationUnit: 's',
      };
    case 'traefik':
      return {
        names: { [REQUESTS_FAMILY]: 'traefik_service_requests_total', [DURATION_FAMILY]: 'traefik_service_request_duration_seconds' }, aliases: {},
        labels: { ...NATIVE_OFF, http_response_status_code: 'code' }, constants: {}, classification: null, durationUnit: 's',
      };
    case 'kubernetes-pods':
      return {
        names: { [DURATION_FAMILY]: 'http_request_duration_seconds' }, aliases: {},
        labels: { ...NATIVE_OFF, k8s_pod_name: 'kubernetes_pod_name', code: 'status', http_response_status_code: 'status' },
        constants: { kubernetes_namespace: namespace }, classification: null, durationUnit: 's',
      };
    case 'osm':
      return {
        names: { [REQUESTS_FAMILY]: 'osm_request_total', [DURATION_FAMILY]: 'osm_request_duration_ms' }, aliases: {},
        labels: { ...NATIVE_OFF, service_name: 'destination_name', code: 'response_code', http_response_status_code: 'response_code' },
        constants: { destination_namespace: namespace, destination_kind: 'Deployment' }, classification: null, durationUnit: 'ms',
      };
  }
}

/** Skipper's route names: every non-word character an underscore (dataclients/kubernetes/ingress.go). */
const word = (s: string) => s.replace(/\W/g, '_');

/** Labels a preset builds from the pods that served a request. */
export function derivedLabels(preset: Preset, x: PodNames): Record<string, string> {
  switch (preset) {
    case 'istio':
      return { destination_service: `${x.service}.${x.namespace}.svc.cluster.local` };
    case 'nginx-ingress':
      // The canary ingress is merged into the main one; its requests name the canary upstream.
      return { ingress: x.ingress, ...(x.role === 'canary' ? { canary: `${x.namespace}-${x.service}-${x.port}` } : {}) };
    case 'contour':
      return { envoy_cluster_name: `${x.namespace}_${x.service}_${x.port}` };
    case 'gloo':
      return { envoy_cluster_name: x.role === null ? `${x.namespace}-${x.service}-${x.port}_${x.namespace}` : `${x.namespace}-${x.app}-${x.role === 'canary' ? 'canary' : 'primary'}upstream-${x.port}_${x.namespace}` };
    case 'kuma':
      return { service: `${x.service}_${x.namespace}_svc_${x.port}` };
    case 'apisix':
      return { route: x.role === null ? `${x.namespace}_${x.route}_0` : `${x.namespace}_${x.route}-${x.app}-${x.role === 'canary' ? 'canary' : 'primary'}_0` };
    case 'skipper':
      return { route: `kube_${word(x.namespace)}__${word(x.ingress)}${x.role === 'canary' ? '_canary' : ''}__${word(x.app)}_example_com__${word(x.service)}` };
    case 'traefik':
      return { service: `${x.namespace}-${x.service}-${x.port}@kubernetescrd` };
    case 'knative':
      return { envoy_cluster_name: `${x.namespace}/${x.workload}` };
    default:
      return {};
  }
}

const SAFE = 'bcdfghjklmnpqrstvwxz2456789';

/** A pod-template hash like Kubernetes' (10 characters of its safe alphabet), from a name: the same name, the same hash. */
export function podTemplateHash(seed: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 10; round++) {
    for (const c of `${seed}#${round}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    for (let k = 0; k < 3 && out.length < 10; k++, h = Math.floor(h / SAFE.length)) out += SAFE[h % SAFE.length];
  }
  return out;
}

/** The name of a pod of the workload: workload-hash-suffix, as a ReplicaSet names its pods. */
export function podName(workload: string, hash: string): string {
  return `${workload}-${hash}-${hash.slice(0, 5)}`;
}
