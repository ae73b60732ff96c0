/**
 * The builtin metrics of Flagger's observers, request-success-rate and request-duration, as Flagger's own
 * templates write them (pkg/metrics/observers/*.go in fluxcd/flagger at 15bd6ad5; transcribed, with each
 * file's query variable and lines, in test/fixtures/vendor/flagger/builtin-queries.json, which the tests check
 * them against), and the observer a Canary's metrics provider routes to (factory.go Factory.Observer,
 * scheduler_metrics.go runBuiltinMetricChecks).
 */
import type { Preset } from '../../metrics/mapping.js';
import { isKnativeService } from './verify.js';

export type Observer = keyof typeof QUERIES;

export const QUERIES = {
  // pkg/metrics/observers/istio.go istioQueries (lines 28 and 50)
  istio: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tistio_requests_total{\n\t\t\t\treporter=\"destination\",\n\t\t\t\tdestination_workload_namespace=\"{{ namespace }}\",\n\t\t\t\tdestination_workload=~\"{{ target }}\",\n\t\t\t\tresponse_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tistio_requests_total{\n\t\t\t\treporter=\"destination\",\n\t\t\t\tdestination_workload_namespace=\"{{ namespace }}\",\n\t\t\t\tdestination_workload=~\"{{ target }}\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tistio_request_duration_milliseconds_bucket{\n\t\t\t\t\treporter=\"destination\",\n\t\t\t\t\tdestination_workload_namespace=\"{{ namespace }}\",\n\t\t\t\t\tdestination_workload=~\"{{ target }}\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/linkerd.go linkerdQueries (lines 28 and 50)
  linkerd: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tresponse_total{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tdeployment=~\"{{ target }}\",\n\t\t\t\tclassification!=\"failure\",\n\t\t\t\tdirection=\"inbound\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tresponse_total{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tdeployment=~\"{{ target }}\",\n\t\t\t\tdirection=\"inbound\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tresponse_latency_ms_bucket{\n\t\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\t\tdeployment=~\"{{ target }}\",\n\t\t\t\t\tdirection=\"inbound\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/appmesh.go appMeshQueries (lines 28 and 48)
  appmesh: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\",\n\t\t\t\tenvoy_response_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tenvoy_cluster_upstream_rq_time_bucket{\n\t\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/nginx.go nginxQueries (lines 28 and 50)
  nginx: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tnginx_ingress_controller_requests{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tingress=\"{{ ingress }}\",\n\t\t\t\tcanary!=\"\",\n\t\t\t\tstatus!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tnginx_ingress_controller_requests{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tingress=\"{{ ingress }}\",\n\t\t\t\tcanary!=\"\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\tsum(\n\t\trate(\n\t\t\tnginx_ingress_controller_response_duration_seconds_sum{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tingress=\"{{ ingress }}\",\n\t\t\t\tcanary!=\"\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tnginx_ingress_controller_response_duration_seconds_count{\n\t\t\t\tnamespace=\"{{ namespace }}\",\n\t\t\t\tingress=\"{{ ingress }}\",\n\t\t\t\tcanary!=\"\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 1000",
  },
  // pkg/metrics/observers/contour.go contourQueries (lines 30 and 48)
  contour: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+\",\n\t\t\t\tenvoy_response_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+\",\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tenvoy_cluster_upstream_rq_time_bucket{\n\t\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}_{{ service }}-canary_[0-9a-zA-Z-]+\",\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/gloo.go glooQueries (lines 30 and 48)
  gloo: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\",\n\t\t\t\tenvoy_response_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\",\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tenvoy_cluster_upstream_rq_time_bucket{\n\t\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}-{{ target }}-canaryupstream-[0-9a-zA-Z-]+_[0-9a-zA-Z-]+\",\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/kuma.go kumaQueries (lines 32 and 50)
  kuma: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tservice=~\"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+\",\n\t\t\t\tenvoy_response_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tservice=~\"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+\",\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tenvoy_cluster_upstream_rq_time_bucket{\n\t\t\t\t\tservice=~\"{{ target }}-canary_{{ namespace }}_svc_[0-9a-zA-Z-]+\",\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/apisix.go apisixQueries (lines 28 and 45)
  apisix: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tapisix_http_status{\n\t\t\t\troute=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\",\n\t\t\t\tcode!~\"5..\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t)\n\t/\n\tsum(\n\t\trate(\n\t\t\tapisix_http_status{\n\t\t\t\troute=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) * 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99, \n\t\tsum(\n\t\t\trate(\n\t\t\t\tapisix_http_latency_bucket{\n\t\t\t\t\ttype=~\"request\",\n\t\t\t\t\troute=~\"{{ namespace }}_{{ route }}-{{ target }}-canary_.+\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/skipper.go skipperQueries (lines 33 and 36)
  skipper: {
    'request-success-rate': "{{- $route := printf \"kube(ew)?_%s__%s_canary__.*__%s_canary(_[0-9]+)?\" namespace ingress service }}\n\tsum(rate(skipper_response_duration_seconds_bucket{route=~\"{{ $route }}\",code!~\"5..\",le=\"+Inf\"}[{{ interval }}])) / \n\tsum(rate(skipper_response_duration_seconds_bucket{route=~\"{{ $route }}\",le=\"+Inf\"}[{{ interval }}])) * 100",
    'request-duration': "{{- $route := printf \"kube(ew)?_%s__%s_canary__.*__%s_canary(_[0-9]+)?\" namespace ingress service }}\n\tsum(rate(skipper_serve_route_duration_seconds_sum{route=~\"{{ $route }}\"}[{{ interval }}])) / \n\tsum(rate(skipper_serve_route_duration_seconds_count{route=~\"{{ $route }}\"}[{{ interval }}])) * 1000",
  },
  // pkg/metrics/observers/traefik.go traefikQueries (lines 28 and 47)
  traefik: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\ttraefik_service_request_duration_seconds_bucket{\n\t\t\t\tservice=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\",\n\t\t\t\tcode!~\"5..\",\n\t\t\t\tle=\"+Inf\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t)\n\t/\n\tsum(\n\t\trate(\n\t\t\ttraefik_service_request_duration_seconds_bucket{\n\t\t\t\tservice=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\",\n\t\t\t\tle=\"+Inf\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) * 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\ttraefik_service_request_duration_seconds_bucket{\n\t\t\t\t\tservice=~\"{{ namespace }}-{{ target }}-canary-[0-9a-zA-Z-]+@kubernetescrd\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t) * 1000",
  },
  // pkg/metrics/observers/http.go httpQueries (lines 28 and 48)
  http: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\thttp_request_duration_seconds_count{\n\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\",\n\t\t\t\tstatus!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\thttp_request_duration_seconds_count{\n\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\thttp_request_duration_seconds_bucket{\n\t\t\t\t\tkubernetes_namespace=\"{{ namespace }}\",\n\t\t\t\t\tkubernetes_pod_name=~\"{{ target }}-[0-9a-zA-Z]+(-[0-9a-zA-Z]+)\"\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/osm.go osmQueries (lines 28 and 50)
  osm: {
    'request-success-rate': "\n    sum(\n        rate(\n            osm_request_total{\n\t\t\t\tdestination_namespace=\"{{ namespace }}\",\n\t\t\t\tdestination_kind=\"Deployment\",\n\t\t\t\tdestination_name=\"{{ target }}\",\n\t\t\t\tresponse_code!~\"5.*\"\n            }[{{ interval }}]\n        )\n    )\n    /\n    sum(\n        rate(\n            osm_request_total{\n\t\t\t\tdestination_namespace=\"{{ namespace }}\",\n\t\t\t\tdestination_kind=\"Deployment\",\n\t\t\t\tdestination_name=\"{{ target }}\"\n            }[{{ interval }}]\n        )\n    )\n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t  rate(\n\t\t\tosm_request_duration_ms_bucket{\n\t\t\t\tdestination_namespace=\"{{ namespace }}\",\n\t\t\t\tdestination_kind=\"Deployment\",\n\t\t\t\tdestination_name=\"{{ target }}\"\n\t\t\t}[{{ interval }}]\n\t\t  )\n\t\t) by (le)\n\t)",
  },
  // pkg/metrics/observers/knative.go knativeQueries (lines 30 and 48)
  knative: {
    'request-success-rate': "\n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}/{{ route }}\",\n\t\t\t\tenvoy_response_code!~\"5.*\"\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t/ \n\tsum(\n\t\trate(\n\t\t\tenvoy_cluster_upstream_rq{\n\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}/{{ route }}\",\n\t\t\t}[{{ interval }}]\n\t\t)\n\t) \n\t* 100",
    'request-duration': "\n\thistogram_quantile(\n\t\t0.99,\n\t\tsum(\n\t\t\trate(\n\t\t\t\tenvoy_cluster_upstream_rq_time_bucket{\n\t\t\t\t\tenvoy_cluster_name=~\"{{ namespace }}/{{ route }}\",\n\t\t\t\t}[{{ interval }}]\n\t\t\t)\n\t\t) by (le)\n\t)",
  },
} as const;

/** The series preset that writes what each observer's queries read. */
export const OBSERVER_PRESET: Record<Observer, Preset> = {
  istio: 'istio', linkerd: 'linkerd', appmesh: 'appmesh', nginx: 'nginx-ingress', contour: 'contour', gloo: 'gloo', kuma: 'kuma',
  apisix: 'apisix', skipper: 'skipper', traefik: 'traefik', http: 'kubernetes-pods', osm: 'osm', knative: 'knative',
};

/**
 * The metrics provider of a Canary's builtin checks (scheduler_metrics.go runBuiltinMetricChecks): the
 * controller's -mesh-provider (crossover when it names crossover), the Canary's spec.provider over it unless the
 * mesh provider is linkerd, and ":service" added when the target is a Service other than a Knative Service
 * (serving.knative.dev/v1, whose checks read the knative observer's series).
 */
export function metricsProvider(meshProvider: string, canaryProvider: string | null, target: { readonly apiVersion: unknown; readonly kind: unknown }): string {
  let provider = meshProvider.includes('crossover') ? 'crossover' : meshProvider;
  if (canaryProvider) provider = meshProvider.includes('linkerd') ? 'linkerd' : canaryProvider;
  return target.kind === 'Service' && !isKnativeService(target.apiVersion, target.kind) ? `${provider}:service` : provider;
}

/** factory.go Factory.Observer: the observer of a metrics provider; anything it does not know reads Istio's series. */
export function observerOf(provider: string): Observer {
  if (provider.startsWith('appmesh')) return 'appmesh';
  if (provider.startsWith('gloo')) return 'gloo';
  if (provider === 'kubernetes' || provider.startsWith('gatewayapi')) return 'http';
  const exact: Record<string, Observer> = {
    linkerd: 'linkerd', istio: 'istio', contour: 'contour', nginx: 'nginx', skipper: 'skipper', traefik: 'traefik',
    osm: 'osm', kuma: 'kuma', apisix: 'apisix', knative: 'knative',
  };
  return Object.hasOwn(exact, provider) ? exact[provider] : 'istio';
}

/** How an observer turns its request-duration value into a Duration: milliseconds, or seconds times 1000 (http). */
export function durationScale(o: Observer): number {
  return o === 'http' ? 1000 : 1;
}

/** Skipper's observer encodes the model for its route names first (skipper.go encodeModelForSkipper). */
export function encodesModel(o: Observer): boolean {
  return o === 'skipper';
}
