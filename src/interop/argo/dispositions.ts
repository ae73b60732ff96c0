/**
 * What rehearse makes of every field of the Argo Rollouts resources it reads (Rollout, AnalysisTemplate,
 * ClusterAnalysisTemplate), against the CRDs of argoproj/argo-rollouts (manifests/crds; their field lists are in
 * test/fixtures/vendor/argo/schema, checked by test/argo-dispositions.test.ts). Fields of older releases that
 * the current CRDs no longer hold (analysis.templateName, trafficManagement, maxFailures) are rehearsed as the
 * release that defined them ran them, with a warning that says what a current controller does instead.
 */
import { modelled, OBJECT_FIELDS, refused, warned, type Disposition, type Table } from '../kube/fields.js';

const PODS = 'the workload\'s pods are not simulated: the scenario\'s services stand for them';
const SCALING = 'how the controller scales and places pods is not simulated: the scenario\'s services keep their replicas';
const READY = 'pods are ready at once in a rehearsal: the deadline never passes';
const HISTORY = 'how many old ReplicaSets and AnalysisRuns the controller keeps: nothing to rehearse';
const RUN_METADATA = 'labels and annotations of the AnalysisRun object: not rehearsed';
const PROMETHEUS = modelled('the simulated Prometheus answers in place of the server');
const ROUTER = modelled('the router splits each request by the setWeight weights: rehearsed so (split: requests; an ALB with stickinessConfig: split: users, warned)');

/** A RolloutAnalysis (canary.analysis or a step's analysis) under `at`. */
function rolloutAnalysis(at: string, background: boolean): Record<string, Disposition> {
  return {
    [at]: modelled(),
    [`${at}.templates`]: modelled(),
    [`${at}.templates[]`]: modelled(),
    [`${at}.templates[].templateName`]: modelled(),
    [`${at}.templates[].clusterScope`]: modelled(),
    [`${at}.args`]: modelled(),
    [`${at}.args[]`]: modelled(),
    [`${at}.args[].name`]: modelled(),
    [`${at}.args[].value`]: modelled(),
    [`${at}.args[].valueFrom`]: modelled(),
    [`${at}.args[].valueFrom.podTemplateHashValue`]: modelled('the hash rehearse gives the canary (Latest) or stable (Stable) pods in the series'),
    [`${at}.args[].valueFrom.fieldRef.**`]: modelled('read from the Rollout, as the controller reads it'),
    [`${at}.dryRun.**`]: modelled('metric names as unanchored regular expressions; a rule that matches none ends the run in Error'),
    [`${at}.measurementRetention.**`]: modelled('keeps no fewer measurements than the audit trail; a rule that matches no metric ends the run in Error'),
    [`${at}.analysisRunMetadata.**`]: warned(RUN_METADATA),
    [`${at}.templateName`]: warned('analysis.templateName is the form of Argo Rollouts before v1.0; a current controller prunes it and runs no analysis for it. Rehearsed as templates: [{templateName}], as v0.x ran it'),
    ...(background ? { [`${at}.startingStep`]: modelled('the run starts when the rollout reaches that step') } : {}),
  };
}

export const ROLLOUT: Table = {
  ...OBJECT_FIELDS,
  spec: modelled(),
  'spec.replicas': warned(PODS),
  'spec.selector.**': warned(PODS),
  'spec.template.**': warned(PODS),
  'spec.workloadRef.**': warned(PODS),
  'spec.minReadySeconds': warned(READY),
  'spec.progressDeadlineSeconds': warned(READY),
  'spec.progressDeadlineAbort': warned(READY),
  'spec.revisionHistoryLimit': warned(HISTORY),
  'spec.analysis.**': warned(HISTORY),
  'spec.restartAt': warned('a restart of the pods at a given time: not rehearsed'),
  'spec.rollbackWindow.**': warned('a rollback to a recent revision skips the steps: rehearse rehearses the update'),
  'spec.paused': modelled('true: the rollout waits for a promotion before its first step, as at a pause: {}'),
  'spec.strategy': modelled(),
  'spec.strategy.blueGreen.**': refused('blueGreen is not rehearsed: rehearse rehearses canary steps'),
  'spec.strategy.canary': modelled(),
  'spec.strategy.canary.canaryService': modelled('queries filtered on it see only the canary pods\' traffic'),
  'spec.strategy.canary.stableService': modelled('queries filtered on it see only the stable pods\' traffic'),
  'spec.strategy.canary.steps': modelled(),
  'spec.strategy.canary.steps[]': modelled(),
  'spec.strategy.canary.steps[].setWeight': modelled('the share of users the flag serves'),
  'spec.strategy.canary.steps[].pause': modelled('{}: waits for a promotion (the scenario\'s approver)'),
  'spec.strategy.canary.steps[].pause.duration': modelled('a hold'),
  ...rolloutAnalysis('spec.strategy.canary.steps[].analysis', false),
  'spec.strategy.canary.steps[].experiment.**': warned('an experiment step is not rehearsed: it completes at once, where Argo runs the Experiment\'s ReplicaSets and analyses and can abort the rollout'),
  'spec.strategy.canary.steps[].plugin.**': warned('a step plugin is not rehearsed: the step completes at once (the controller runs only the plugins its ConfigMap argo-rollouts-config lists; give that ConfigMap beside the Rollout to check the name)'),
  'spec.strategy.canary.steps[].setCanaryScale.**': warned('the canary\'s replica count is not simulated: the step completes at once'),
  'spec.strategy.canary.steps[].setHeaderRoute.**': warned('a header route sends matching requests to the canary whatever the weight (header-routes.ts says where it holds and what is rehearsed)', true),
  'spec.strategy.canary.steps[].setMirrorRoute.**': warned('mirrored requests are not simulated: the step completes at once'),
  ...rolloutAnalysis('spec.strategy.canary.analysis', true),
  'spec.strategy.canary.abortScaleDownDelaySeconds': warned(SCALING),
  'spec.strategy.canary.scaleDownDelaySeconds': warned(SCALING),
  'spec.strategy.canary.scaleDownDelayRevisionLimit': warned(SCALING),
  'spec.strategy.canary.dynamicStableScale': warned(SCALING),
  'spec.strategy.canary.maxSurge': warned(SCALING),
  'spec.strategy.canary.maxUnavailable': warned(SCALING),
  'spec.strategy.canary.minPodsPerReplicaSet': warned(SCALING),
  'spec.strategy.canary.replicaProgressThreshold.**': warned(SCALING),
  'spec.strategy.canary.antiAffinity.**': warned(SCALING),
  'spec.strategy.canary.canaryMetadata.**': warned('labels and annotations of the canary pods: not in the simulated series'),
  'spec.strategy.canary.stableMetadata.**': warned('labels and annotations of the stable pods: not in the simulated series'),
  'spec.strategy.canary.pingPong.**': warned('ping-pong Services swap the canary and stable roles at each release: not rehearsed, queries filtered on the ping or pong Service see both versions\' traffic'),
  'spec.strategy.canary.trafficRouting': modelled('with a router the canary gets the setWeight share of requests, each request split on its own'),
  'spec.strategy.canary.trafficRouting.maxTrafficWeight': modelled('weights are out of it'),
  'spec.strategy.canary.trafficRouting.managedRoutes.**': warned('routes for setHeaderRoute and setMirrorRoute steps: not rehearsed'),
  'spec.strategy.canary.trafficRouting.istio.**': ROUTER,
  'spec.strategy.canary.trafficRouting.smi.**': ROUTER,
  'spec.strategy.canary.trafficRouting.nginx.**': ROUTER,
  'spec.strategy.canary.trafficRouting.alb.**': ROUTER,
  'spec.strategy.canary.trafficRouting.ambassador.**': ROUTER,
  'spec.strategy.canary.trafficRouting.apisix.**': ROUTER,
  'spec.strategy.canary.trafficRouting.appMesh.**': ROUTER,
  'spec.strategy.canary.trafficRouting.traefik.**': ROUTER,
  'spec.strategy.canary.trafficRouting.plugins.**': ROUTER,
  'spec.strategy.canary.trafficManagement.**': warned('trafficManagement is trafficRouting before Argo Rollouts v0.9; a current controller prunes it and splits traffic by pod counts. Rehearsed as trafficRouting, as v0.x ran it'),
};

const NOT_SIMULATED = (provider: string) => warned(`the ${provider} provider is not simulated: each of its measurements is Inconclusive`);

export const ANALYSIS_TEMPLATE: Table = {
  ...OBJECT_FIELDS,
  spec: modelled(),
  'spec.args': modelled(),
  'spec.args[]': modelled(),
  'spec.args[].name': modelled(),
  'spec.args[].value': modelled('a default the Rollout\'s args and the scenario\'s argo.args override'),
  'spec.args[].valueFrom': modelled(),
  'spec.args[].valueFrom.secretKeyRef.**': warned('read from a Secret when the run starts: a placeholder stands for it (argo.args sets it)', true),
  'spec.args[].valueFrom.fieldRef.**': modelled('read from the Rollout'),
  'spec.templates.**': modelled('the templates it names join the run, as the controller flattens them'),
  'spec.dryRun.**': modelled('metric names as unanchored regular expressions; a rule that matches none ends the run in Error'),
  'spec.measurementRetention.**': modelled('keeps no fewer measurements than the audit trail; a rule that matches no metric ends the run in Error'),
  'spec.metrics': modelled(),
  'spec.metrics[]': modelled(),
  'spec.metrics[].name': modelled(),
  'spec.metrics[].interval': modelled('from the end of one measurement to the next; 10 s after an Error; "0" again at once'),
  'spec.metrics[].initialDelay': modelled(),
  'spec.metrics[].count': modelled('errored measurements do not count'),
  'spec.metrics[].failureLimit': modelled(),
  'spec.metrics[].inconclusiveLimit': modelled(),
  'spec.metrics[].consecutiveErrorLimit': modelled(),
  'spec.metrics[].consecutiveSuccessLimit': modelled(),
  'spec.metrics[].successCondition': modelled('expr-lang, as Argo evaluates it'),
  'spec.metrics[].failureCondition': modelled('expr-lang, as Argo evaluates it'),
  'spec.metrics[].maxFailures': warned('maxFailures is failureLimit before Argo Rollouts v0.6; a current controller prunes it and uses failureLimit 0. Rehearsed as failureLimit, as v0.x counted it'),
  'spec.metrics[].provider': modelled(),
  'spec.metrics[].provider.prometheus': modelled(),
  'spec.metrics[].provider.prometheus.query': modelled('evaluated over the simulated series'),
  'spec.metrics[].provider.prometheus.address': PROMETHEUS,
  'spec.metrics[].provider.prometheus.timeout': PROMETHEUS,
  'spec.metrics[].provider.prometheus.insecure': PROMETHEUS,
  'spec.metrics[].provider.prometheus.headers.**': PROMETHEUS,
  'spec.metrics[].provider.prometheus.authentication.**': PROMETHEUS,
  'spec.metrics[].provider.prometheus.rangeQuery.**': modelled('evaluated at every step from start to end (now() plus or minus a duration), result every sample of every series'),
  'spec.metrics[].provider.web.**': NOT_SIMULATED('web'),
  'spec.metrics[].provider.job.**': NOT_SIMULATED('job'),
  'spec.metrics[].provider.datadog.**': NOT_SIMULATED('datadog'),
  'spec.metrics[].provider.newRelic.**': NOT_SIMULATED('newRelic'),
  'spec.metrics[].provider.wavefront.**': NOT_SIMULATED('wavefront'),
  'spec.metrics[].provider.kayenta.**': NOT_SIMULATED('kayenta'),
  'spec.metrics[].provider.cloudWatch.**': NOT_SIMULATED('cloudWatch'),
  'spec.metrics[].provider.graphite.**': NOT_SIMULATED('graphite'),
  'spec.metrics[].provider.influxdb.**': NOT_SIMULATED('influxdb'),
  'spec.metrics[].provider.skywalking.**': NOT_SIMULATED('skywalking'),
  'spec.metrics[].provider.plugin.**': NOT_SIMULATED('plugin'),
};

export const CLUSTER_ANALYSIS_TEMPLATE: Table = ANALYSIS_TEMPLATE;

/** Why a field that no pattern covers is warned: it is not in the CRD. */
export const UNKNOWN = 'not a field of the current CRD: the API server prunes it, and the controller never sees it';
