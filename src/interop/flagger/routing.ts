/**
 * How Flagger's routers read a Canary's analysis.match and analysis.sessionAffinity (fluxcd/flagger pkg/router,
 * with pkg/controller/scheduler.go runAB and pkg/apis/flagger/v1beta1/canary.go DeploymentStrategy), as what a
 * rehearsal makes of them. A/B (iterations with match) calls SetRoutes(primary 0, canary 100): a router that reads
 * the match sends only the matching requests to the canary; one that does not (SMI and linkerd, osm, kuma,
 * skipper, traefik, apisix, knative: none of them reads GetAnalysis().Match) sends every request there.
 */
import { didYouMean } from '../../errors.js';
import { get, type Path, type Resource } from '../kube/resources.js';

/** The router the factory (pkg/router/factory.go MeshRouter) picks for a provider, by what it does with a match. */
export function readsMatch(router: string): boolean {
  const unread = ['linkerd', 'osm', 'kuma', 'skipper', 'traefik', 'apisix', 'knative'];
  return !(unread.includes(router) || /^smi:v1alpha[123]/.test(router));
}

/** Only the istio and gatewayapi routers read sessionAffinity (getSessionAffinityRouteRules). */
function readsSessionAffinity(router: string): boolean {
  const istio = !['kubernetes', 'linkerd', 'osm', 'kuma', 'skipper', 'traefik', 'apisix', 'knative', 'contour', 'nginx'].includes(router)
    && !/^(smi:v1alpha[123]|appmesh|gloo)/.test(router);
  return istio || router.startsWith('gatewayapi:v1');
}

/**
 * What sessionAffinity does under the strategy and router, against what is rehearsed: each user stays on one side
 * by the flag's bucketing, the canary's share of users being the weight.
 */
export function sessionAffinityNote(strategy: 'canary' | 'blue-green' | 'ab-testing', router: string, affinity: unknown): string {
  if (!readsSessionAffinity(router)) return `the ${router} router does not read sessionAffinity (only istio and gatewayapi do): no cookie is set, and nothing changes`;
  if (strategy === 'ab-testing') return 'with match, the router replaces the weighted routes with the match routes (istio.go SetRoutes "fix routing (A/B testing)"): sessionAffinity has no effect';
  if (strategy === 'blue-green') return 'with iterations and no match, the canary\'s weight stays 0 during the analysis, and the router sets no cookie below weight 1: sessionAffinity has no effect';
  const primary = typeof get(affinity, 'primaryCookieName') === 'string' && get(affinity, 'primaryCookieName') !== '';
  // canary.go GetMaxAge: 86400 s when maxAge is 0 or absent.
  const maxAge = typeof get(affinity, 'maxAge') === 'number' && (get(affinity, 'maxAge') as number) > 0 ? get(affinity, 'maxAge') as number : 86400;
  const pinned = `Flagger pins each user whose request reached the canary there (a cookie that lasts ${maxAge}s)`;
  return primary
    ? `${pinned}, and each user who reached the primary there for one analysis interval (primaryCookieName), then splits that user's next request again: over the analysis more users than the weight reach the canary; rehearsed as each user staying on one side by the flag's bucketing, at the weight`
    : `${pinned} and splits every other request again by weight, so that the share of users on the canary grows past the weight with each request they send; rehearsed as each user staying on one side by the flag's bucketing, at the weight: the users the canary reaches are fewer than with Flagger`;
}

/**
 * A MetricTemplate's provider.secretRef: scheduler_metrics.go runMetricChecks reads the Secret, in the template's
 * namespace, at every check, and a Secret it cannot read fails the check ("Metric template x secret y error").
 * Refused where the files hold Secrets of that namespace but not this one; otherwise said not checked.
 */
export function secretRefCheck(t: Resource, context: readonly Resource[], problem: (r: Resource, path: Path, m: string) => void, warn: (r: Resource, path: Path, m: string) => void): void {
  const name = get(t.value, 'spec', 'provider', 'secretRef', 'name');
  if (typeof name !== 'string' || name === '') return;
  const path: Path = ['spec', 'provider', 'secretRef', 'name'];
  const namespace = String(get(t.value, 'metadata', 'namespace') ?? '');
  const secrets = context.filter((c) => c.kind === 'Secret' && c.group === '' && String(get(c.value, 'metadata', 'namespace') ?? '') === namespace).map((c) => c.name);
  if (secrets.length > 0 && !secrets.includes(name)) {
    problem(t, path, `no Secret "${name}"${namespace ? ` in namespace "${namespace}"` : ''} in the files given${didYouMean(name, secrets)} (found ${secrets.join(', ')}): Flagger fails every check of this template ("Metric template ${t.name}.${namespace} secret ${name} error") and rolls the canary back`);
  } else if (secrets.length === 0) {
    warn(t, path, `credentials from the Secret "${name}", read at every check (a Secret Flagger cannot read fails the check): the simulated Prometheus needs none, and the files hold no Secret to check it against`);
  }
}
