/**
 * What the flagger controller refuses before it acts on a Canary (pkg/controller/controller.go verifyCanary,
 * called by syncHandler: "invalid canary spec: ...", and the Canary never progresses): a Knative Service target
 * without provider knative, provider knative with any other target, an autoscalerRef beside a Knative Service
 * (verifyKnativeCanary), and session affinity with one cookie name for both sides (verifySessionAffinity).
 * controller_test.go TestController_verifyCanary holds these cases. -no-cross-namespace-refs is a flag of the
 * controller, not of the Canary, and is not read.
 */
import { get, type Path, type Resource } from '../kube/resources.js';
import { quoted } from '../../units/escape.js';

/** canary.go LocalObjectReference.IsKnativeService. */
export const isKnativeService = (apiVersion: unknown, kind: unknown): boolean => kind === 'Service' && apiVersion === 'serving.knative.dev/v1';

export function controllerRefusals(cn: Resource): { path: Path; message: string }[] {
  const spec = get(cn.value, 'spec');
  const out: { path: Path; message: string }[] = [];
  const refused = (path: Path, why: string) => out.push({ path, message: `the flagger controller refuses this Canary ("invalid canary spec: ${why}", pkg/controller/controller.go verifyCanary) and never rolls it out` });
  const provider = typeof get(spec, 'provider') === 'string' ? String(get(spec, 'provider')) : '';
  const knative = isKnativeService(get(spec, 'targetRef', 'apiVersion'), get(spec, 'targetRef', 'kind'));
  if (knative && provider !== 'knative') {
    refused(provider ? ['spec', 'provider'] : ['spec', 'targetRef'], `can't use ${provider} provider with Knative Service as target`);
  } else if (!knative && provider === 'knative') {
    refused(['spec', 'targetRef'], `can't use ${String(get(spec, 'targetRef', 'apiVersion') ?? '')}/${String(get(spec, 'targetRef', 'kind') ?? '')} as target if provider is set to knative`);
  } else if (knative && get(spec, 'autoscalerRef') !== undefined && get(spec, 'autoscalerRef') !== null) {
    refused(['spec', 'autoscalerRef'], 'can\'t use autoscaler with Knative Service');
  }
  const analysis = get(spec, 'analysis') !== undefined ? 'analysis' : 'canaryAnalysis';
  const affinity = get(spec, analysis, 'sessionAffinity');
  if (affinity !== undefined && affinity !== null && String(get(affinity, 'cookieName') ?? '') === String(get(affinity, 'primaryCookieName') ?? '')) {
    refused(['spec', analysis, 'sessionAffinity'], 'can\'t use the same cookie name for both primary and cookie name; please update them to be different');
  }
  return out;
}

/**
 * For a Knative Service target, Flagger renders {{ route }} in every metric's query as the Service's latest
 * created revision (scheduler_metrics.go: model.Route = knativeService.Status.LatestCreatedRevisionName; the
 * knative observer's queries select envoy_cluster_name=~"<namespace>/<route>"), a status no file holds.
 */
export function knativeRouteNote(cn: Resource, checks: number, route: string): string | null {
  const ref = get(cn.value, 'spec', 'targetRef');
  if (checks === 0 || !isKnativeService(get(ref, 'apiVersion'), get(ref, 'kind'))) return null;
  return `a Knative Service: Flagger renders {{ route }} in each metric's query as its latest created revision (status.latestCreatedRevisionName, read when the check runs: pkg/controller/scheduler_metrics.go), the canary's, which no file holds; rehearsed as ${quoted(route)}, the name the canary's series carry here`;
}
