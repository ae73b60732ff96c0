/**
 * What rehearse makes of every field of the Flagger resources it reads (Canary, MetricTemplate), against the CRD
 * of fluxcd/flagger (artifacts/flagger/crd.yaml, test/fixtures/vendor/flagger/crd.yaml, checked by
 * test/flagger-dispositions.test.ts). spec.canaryAnalysis, the v1alpha3 name of spec.analysis (Flagger 0.x), is
 * read as Flagger 0.x read it: the same fields.
 */
import { modelled, OBJECT_FIELDS, warned, type Disposition, type Table } from '../kube/fields.js';

const PODS = 'the workload\'s pods are not simulated: the scenario\'s services stand for them';
const READY = 'pods are ready at once in a rehearsal: the deadline never passes';
const MESH = 'how the mesh or ingress routes the Service (timeouts, retries, policies, headers) is not simulated: the scenario\'s calls define them';
const PORTS = 'the Service\'s ports and protocols are not simulated';
const PROMETHEUS = modelled('the simulated Prometheus answers in place of the server');

/** The analysis block (spec.analysis, or spec.canaryAnalysis in v1alpha3) under `at`. */
function analysis(at: string): Record<string, Disposition> {
  return {
    [at]: modelled(),
    [`${at}.interval`]: modelled('the schedule of checks; at least 10 s, 60 s when it does not parse'),
    [`${at}.iterations`]: modelled('passing checks before promotion: blue/green at 0% of users, A/B (with match) at the scenario\'s exposure'),
    [`${at}.threshold`]: modelled('failed checks, counted over the whole analysis, that roll back'),
    [`${at}.maxWeight`]: modelled(),
    [`${at}.stepWeight`]: modelled(),
    [`${at}.stepWeights`]: modelled(),
    [`${at}.stepWeights[]`]: modelled(),
    [`${at}.stepWeightPromotion`]: warned('the primary runs the new code from the promotion on: the flag goes to 100% at promotion'),
    [`${at}.mirror`]: warned('mirrored requests are not simulated (with iterations and checks, refused: the checks would read them)'),
    [`${at}.mirrorWeight`]: warned('mirrored requests are not simulated'),
    [`${at}.primaryReadyThreshold`]: warned(READY),
    [`${at}.canaryReadyThreshold`]: warned(READY),
    // Warned by the adapter, which knows the strategy and the share of users rehearsed as matching.
    [`${at}.match.**`]: warned('only requests that match reach the canary; rehearse does not simulate headers, cookies or queries', true),
    // Warned by the adapter, which knows the strategy and the router (routing.ts sessionAffinityNote).
    [`${at}.sessionAffinity.**`]: warned('session affinity is not simulated: each user stays on one side by the flag\'s bucketing', true),
    [`${at}.alerts.**`]: warned('alerts are not sent in a rehearsal'),
    [`${at}.metrics`]: modelled(),
    [`${at}.metrics[]`]: modelled(),
    [`${at}.metrics[].name`]: modelled('request-success-rate and request-duration: the observer\'s builtin queries'),
    [`${at}.metrics[].interval`]: modelled('the range of the query'),
    [`${at}.metrics[].threshold`]: modelled('without thresholdRange: a minimum for request-success-rate, a maximum otherwise'),
    [`${at}.metrics[].thresholdRange`]: modelled(),
    [`${at}.metrics[].thresholdRange.min`]: modelled(),
    [`${at}.metrics[].thresholdRange.max`]: modelled(),
    [`${at}.metrics[].query`]: modelled('evaluated over the simulated series'),
    [`${at}.metrics[].templateRef.**`]: modelled(),
    [`${at}.metrics[].templateVariables.**`]: modelled(),
    [`${at}.webhooks`]: modelled(),
    [`${at}.webhooks[]`]: modelled(),
    [`${at}.webhooks[].type`]: modelled('confirm-rollout, confirm-traffic-increase and confirm-promotion wait for the scenario\'s approver; the others are warned'),
    [`${at}.webhooks[].name`]: modelled(),
    [`${at}.webhooks[].url`]: warned('webhooks are not called in a rehearsal', true),
    [`${at}.webhooks[].timeout`]: warned('webhooks are not called in a rehearsal', true),
    [`${at}.webhooks[].retries`]: warned('webhooks are not called in a rehearsal', true),
    [`${at}.webhooks[].disableTLS`]: warned('webhooks are not called in a rehearsal', true),
    [`${at}.webhooks[].muteAlert`]: warned('webhooks are not called in a rehearsal', true),
    [`${at}.webhooks[].metadata.**`]: warned('webhooks are not called in a rehearsal', true),
  };
}

export const CANARY: Table = {
  ...OBJECT_FIELDS,
  'metadata.namespace': modelled('the namespace the builtin queries select'),
  spec: modelled(),
  'spec.provider': modelled('routes the builtin metrics to an observer, as the scheduler does'),
  'spec.metricsServer': PROMETHEUS,
  'spec.progressDeadlineSeconds': warned(READY),
  'spec.targetRef': modelled(),
  'spec.targetRef.name': modelled('the workload: the canary keeps its name, the primary is <name>-primary'),
  'spec.targetRef.kind': modelled('a Service target queries <provider>:service'),
  'spec.targetRef.apiVersion': modelled(),
  'spec.autoscalerRef.**': warned(PODS),
  'spec.ingressRef': modelled(),
  'spec.ingressRef.name': modelled('the ingress the builtin queries select'),
  'spec.ingressRef.apiVersion': modelled(),
  'spec.ingressRef.kind': modelled(),
  'spec.routeRef': modelled(),
  'spec.routeRef.name': modelled('the route the builtin queries select'),
  'spec.routeRef.apiVersion': modelled(),
  'spec.routeRef.kind': modelled(),
  'spec.upstreamRef.**': warned('the Gloo upstream it names is context: not rehearsed'),
  'spec.service': modelled(),
  'spec.service.name': modelled('the apex Service; the canary and primary Services are <name>-canary and <name>-primary'),
  'spec.service.port': modelled('the port in the names the builtin queries select'),
  'spec.service.targetPort': warned(PORTS),
  'spec.service.portName': warned(PORTS),
  'spec.service.portDiscovery': warned(PORTS),
  'spec.service.appProtocol': warned(PORTS),
  'spec.service.**': warned(MESH),
  // Warned by the adapter, which knows the router (affinity.ts): a hash picks a pod of a side, not the side.
  'spec.service.trafficPolicy.loadBalancer.consistentHash.**': warned('consistentHash picks a pod of the side each request is sent to, not the side', true),
  'spec.skipAnalysis': modelled('true: promoted at once, without checks'),
  'spec.revertOnDeletion': warned('what happens when the Canary is deleted: not rehearsed'),
  'spec.suspend': modelled('true is refused: a suspended Canary does not roll out'),
  ...analysis('spec.analysis'),
  ...analysis('spec.canaryAnalysis'),
};


export const METRIC_TEMPLATE: Table = {
  ...OBJECT_FIELDS,
  'metadata.namespace': modelled('templateRef.namespace selects it'),
  spec: modelled(),
  'spec.provider': modelled(),
  'spec.provider.type': modelled('prometheus is simulated; other types are warned'),
  'spec.provider.address': PROMETHEUS,
  'spec.provider.headers.**': PROMETHEUS,
  // Checked by the adapter against the files' Secrets (provider.ts providerCheck).
  'spec.provider.secretRef.**': warned('credentials from a Secret: the simulated Prometheus needs none', true),
  'spec.provider.insecureSkipVerify': PROMETHEUS,
  'spec.provider.region': warned('the region of a cloud provider: those providers are not simulated'),
  'spec.query': modelled('rendered as Flagger renders it, evaluated over the simulated series'),
};

/** Why a field that no pattern covers is warned: it is not in the CRD. */
export const UNKNOWN = 'not a field of the current CRD: the API server prunes it, and Flagger never sees it';

