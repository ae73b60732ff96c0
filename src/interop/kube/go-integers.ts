/**
 * Integers a controller decodes into Go fields narrower than what the API server checks. The API server holds an
 * integer to its `type` and bounds only (an integer's format, int32 or int64, is not checked: formats.ts), so a
 * Rollout with `replicas: 3000000000` is stored; the controller then decodes it with Go's encoding/json (client-go
 * decodes with sigs.k8s.io/json, its fork), which refuses a number its field cannot hold: "json: cannot unmarshal
 * number 3000000000 into Go struct field … of type int32". An informer lists its kind at once, so one such resource
 * fails the list, and the controller reads none of that kind while it stands.
 *
 * - Argo Rollouts' CRDs are generated from its Go types (controller-gen: an int32 field is `format: int32`, an int64
 *   `format: int64`, argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go and analysis_types.go at 9f8d111d,
 *   the commit of the vendored CRDs; the pod template's fields are Kubernetes' own, generated alike): the format says
 *   the Go type.
 * - Flagger's CRD is written by hand (artifacts/flagger/crd.yaml), and its formats do not say the Go types: the table
 *   below holds them (fluxcd/flagger at 15bd6ad5: pkg/apis/flagger/v1beta1/canary.go, pkg/apis/istio/v1beta1/
 *   virtual_service.go and destination_rule.go, pkg/apis/gatewayapi/v1beta1/shared_types.go PortNumber int32).
 *   `retries.attempts` says int32 and is an int (HTTPRetry.Attempts), which holds any integer the CRD takes;
 *   progressDeadlineSeconds and service.port say `number` and are int32.
 * - An int-or-string field (x-kubernetes-int-or-string) is Kubernetes' intstr.IntOrString, whose UnmarshalJSON
 *   decodes a number into its IntVal, an int32 (k8s.io/apimachinery pkg/util/intstr/intstr.go), in every kind: a
 *   PrometheusRule's `expr` too (prometheus-operator pkg/apis/monitoring/v1/prometheusrule_types.go Rule.Expr; its
 *   other integer, a group's `limit`, is a Go int).
 */
export type GoInteger = 'int32' | 'uint32' | 'uint64';

const RANGES: Readonly<Record<GoInteger, readonly [number, number, string]>> = {
  int32: [-2147483648, 2147483647, '-2147483648 to 2147483647'],
  uint32: [0, 4294967295, '0 to 4294967295'],
  uint64: [0, 2 ** 64 - 1, '0 to 18446744073709551615'],
};

const SERVICE = 'spec.service';
const POLICY = `${SERVICE}.trafficPolicy`;
/** Flagger's Canary fields the CRD makes numbers whose Go type is narrower than a JavaScript integer, by their crd-types key. */
export const FLAGGER_GO_INTEGERS: Readonly<Record<string, GoInteger>> = {
  'spec.progressDeadlineSeconds': 'int32',
  'spec.autoscalerRef.primaryScalerReplicas.minReplicas': 'int32',
  'spec.autoscalerRef.primaryScalerReplicas.maxReplicas': 'int32',
  [`${SERVICE}.port`]: 'int32',
  [`${SERVICE}.match[].port`]: 'uint32',
  [`${SERVICE}.mirror[].backendRef.port`]: 'int32',
  [`${SERVICE}.gatewayRefs[].port`]: 'int32',
  [`${POLICY}.connectionPool.http.http1MaxPendingRequests`]: 'int32',
  [`${POLICY}.connectionPool.http.http2MaxRequests`]: 'int32',
  [`${POLICY}.connectionPool.http.maxRequestsPerConnection`]: 'int32',
  [`${POLICY}.connectionPool.http.maxRetries`]: 'int32',
  [`${POLICY}.loadBalancer.consistentHash.minimumRingSize`]: 'uint64',
  [`${POLICY}.loadBalancer.localityLbSetting.distribute[].to.*`]: 'uint32',
  [`${POLICY}.outlierDetection.consecutive5xxErrors`]: 'uint32',
  [`${POLICY}.outlierDetection.consecutiveErrors`]: 'int32',
  [`${POLICY}.outlierDetection.consecutiveGatewayErrors`]: 'uint32',
  [`${POLICY}.outlierDetection.consecutiveLocalOriginFailures`]: 'uint32',
  [`${POLICY}.outlierDetection.maxEjectionPercent`]: 'int32',
  [`${POLICY}.outlierDetection.minHealthPercent`]: 'int32',
};

const CONTROLLERS: Readonly<Record<string, string>> = {
  'argoproj.io': 'Argo Rollouts controller', 'flagger.app': 'Flagger controller', 'monitoring.coreos.com': 'Prometheus Operator',
};

/** The Go integer type the controller of `group` decodes the field at `key` (of schema `s`) into, where narrower than a JavaScript integer. */
export function goInteger(group: string, key: string, s: { readonly type?: string; readonly format?: string; readonly 'x-kubernetes-int-or-string'?: boolean }): GoInteger | null {
  if (s['x-kubernetes-int-or-string']) return 'int32';
  if (group === 'flagger.app') return FLAGGER_GO_INTEGERS[key] ?? null;
  return group === 'argoproj.io' && s.type === 'integer' && s.format === 'int32' ? 'int32' : null;
}

/**
 * Why the controller cannot decode `value` into its Go `type`, or null when it can. Past 2^53 a number is left to
 * the checks of its type and bounds: the API server reads a number no int64 holds as a float64, which is no integer
 * to it past 2^53 (go-openapi swag IsFloat64AJSONInteger), and the adapters say so where they read one.
 */
export function goIntegerMessage(group: string, kind: string, type: GoInteger, value: number): string | null {
  const [min, max, range] = RANGES[type];
  const whole = Number.isInteger(value);
  if (whole ? !Number.isSafeInteger(value) || (value >= min && value <= max) : !Number.isFinite(value)) return null;
  const shown = String(value);
  const controller = CONTROLLERS[group] ?? 'controller';
  // A fraction reaches here only where the CRD says `number` (Flagger's service.port): an integer's is refused first.
  const what = whole ? `${shown} is beyond a Go ${type} (${range}), the type the ${controller} decodes this field into` : `${shown} is not a whole number, and the ${controller} decodes this field into a Go ${type}`;
  const stores = whole ? 'it does not check an integer\'s format' : `the ${kind} CRD makes it a number`;
  return `${what}: the API server stores the ${kind} (${stores}), but the controller cannot decode it (Go's encoding/json: "cannot unmarshal number ${shown} into Go struct field … of type ${type}"), and reads no ${kind} while it stands (its informer lists them all at once)`;
}
