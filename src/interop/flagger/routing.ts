/**
 * How Flagger's routers read a Canary's analysis.match and analysis.sessionAffinity (fluxcd/flagger pkg/router,
 * with pkg/controller/scheduler.go runAB and pkg/apis/flagger/v1beta1/canary.go DeploymentStrategy), as what a
 * rehearsal makes of them. A/B (iterations with match) calls SetRoutes(primary 0, canary 100): a router that reads
 * the match sends only the matching requests to the canary; one that does not (SMI and linkerd, osm, kuma,
 * skipper, traefik, apisix, knative: none of them reads GetAnalysis().Match) sends every request there.
 */
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
 * Parts of analysis.match a router drops (the requests that reach the canary are selected without them), each
 * with its path under the match: ingress.go (nginx) SetRoutes keeps only headers, one of them (canary-by-header,
 * with exact or regex) and the cookie's exact value (canary-by-cookie); istio.go mergeMatchConditions, when
 * spec.service.match is set, keeps only each entry's headers and sourceLabels, over the service's match.
 */
export function droppedMatch(router: string, match: readonly unknown[], serviceMatch: unknown): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const entries = match.map((m, i) => [m !== null && typeof m === 'object' ? m as Record<string, unknown> : {}, i] as const);
  if (router === 'nginx') {
    const headers: Path[] = [];
    for (const [m, i] of entries) {
      for (const key of Object.keys(m)) if (key !== 'headers') out.push({ path: ['match', i, key], message: `the nginx router reads only headers of analysis.match (ingress.go SetRoutes): requests are not selected by ${key}` });
      const h = m.headers !== null && typeof m.headers === 'object' ? m.headers as Record<string, unknown> : {};
      for (const [name, v] of Object.entries(h)) {
        const kinds = v !== null && typeof v === 'object' ? Object.keys(v) : [];
        const read = name === 'cookie' ? ['exact'] : ['exact', 'regex'];
        for (const k of kinds) if (!read.includes(k)) out.push({ path: ['match', i, 'headers', name, k], message: `the nginx router reads ${name === 'cookie' ? 'a cookie\'s exact value only (canary-by-cookie names the cookie that sends a request to the canary when set to "always")' : 'a header\'s exact or regex only'}: ${k} is dropped` });
        if (name !== 'cookie') headers.push(['match', i, 'headers', name]);
      }
    }
    if (headers.length > 1) out.push({ path: headers[0], message: `the nginx router keeps one header of analysis.match (canary-by-header), whichever Go's map order gives last, of ${headers.length}: the others are dropped` });
  } else if (Array.isArray(serviceMatch) && serviceMatch.length > 0 && readsMatch(router) && readsSessionAffinity(router)) {
    // The istio router (and its default): gatewayapi reads sessionAffinity too, but maps matches its own way.
    if (router.startsWith('gatewayapi')) return out;
    for (const [m, i] of entries) {
      for (const key of Object.keys(m)) if (key !== 'headers' && key !== 'sourceLabels') out.push({ path: ['match', i, key], message: `with spec.service.match set, the istio router keeps only headers and sourceLabels of each analysis.match entry (istio.go mergeMatchConditions): requests are not selected by this ${key}, the service's match stands instead` });
    }
  }
  return out;
}
