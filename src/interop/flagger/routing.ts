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

/** The istio router (pkg/router/factory.go: provider istio, or one the factory does not know). */
export function isIstioRouter(router: string): boolean {
  return readsSessionAffinity(router) && !router.startsWith('gatewayapi');
}

/**
 * Whether the router splits each request of a weighted canary (stepWeight or stepWeights): with no match and no
 * session affinity it reads, pkg/router SetRoutes writes the primary's and the canary's weights (istio.go, its
 * HTTPRouteDestination weights; ingress.go the canary-weight annotation; smi.go the TrafficSplit...), and the proxy
 * picks a side per request. A match or a cookie selects users instead (their own warnings say how).
 */
export function splitsRequests(strategy: 'canary' | 'blue-green' | 'ab-testing', router: string, analysis: unknown, weights: readonly number[]): boolean {
  if (strategy !== 'canary' || weights.length === 0 || router === 'kubernetes') return false;
  const match = get(analysis, 'match');
  if (Array.isArray(match) && match.length > 0) return false;
  const affinity = get(analysis, 'sessionAffinity');
  if (affinity === undefined || affinity === null || !readsSessionAffinity(router)) return true;
  // A negative maxAge: BuildCookie writes it as it is, the browser drops the cookie at once, and no one is pinned.
  const maxAge = get(affinity, 'maxAge');
  return typeof maxAge === 'number' && maxAge < 0;
}

/**
 * What sessionAffinity does under the strategy and router, and exactly how the rehearsal differs. istio.go and
 * gateway_api.go getSessionAffinityRouteRules, while the canary's weight is above 0: the weighted route splits
 * each request that carries no cookie, and the canary's answers set cookieName (Max-Age canary.go GetMaxAge: 86400
 * when maxAge is 0; BuildCookie writes a negative one as it is, and the browser drops the cookie at once); a route
 * ahead of it sends every request with that cookie to the canary. primaryCookieName likewise pins the primary's
 * users, for one analysis interval. At weight 0 (promotion or rollback) the cookie is deleted. rehearse's users
 * carry no cookie: a user's side is a function of the flag's configuration (bucketing), not of the requests the
 * user has sent, so the note says what Flagger's share of users would be instead.
 */
export function sessionAffinityNote(strategy: 'canary' | 'blue-green' | 'ab-testing', router: string, affinity: unknown, weights: readonly number[] = [], intervalUs = 60e6): string {
  if (!readsSessionAffinity(router)) return `the ${router} router does not read sessionAffinity (only istio and gatewayapi do): no cookie is set, and nothing changes`;
  if (strategy === 'ab-testing') return 'with match, the router replaces the weighted routes with the match routes (istio.go SetRoutes "fix routing (A/B testing)"): sessionAffinity has no effect';
  if (strategy === 'blue-green') return 'with iterations and no match, the canary\'s weight stays 0 during the analysis, and the router sets no cookie below weight 1: sessionAffinity has no effect';
  const primary = typeof get(affinity, 'primaryCookieName') === 'string' && get(affinity, 'primaryCookieName') !== '';
  const given = get(affinity, 'maxAge');
  const maxAge = typeof given === 'number' && given !== 0 ? given : 86400;
  const interval = intervalUs / 1e6;
  const first = weights[0] ?? 0;
  // A user's chance of having reached the canary after n requests split at the first weight.
  const share = (n: number) => `${Math.round(1000 * (1 - (1 - first / 100) ** n)) / 10}%`;
  const rehearsed = `Rehearsed otherwise: rehearse's users carry no cookie, and each user's side is fixed by the flag's bucketing, so exactly the weight's share of users reach the canary (the same users, with more, at each later weight), however many requests they send`;
  if (maxAge < 0) return `maxAge ${maxAge}: Flagger writes the cookie with Max-Age=${maxAge}, which the browser drops at once, so no user is pinned and the router splits every request by the weight: rehearsed so (split: requests), each request to the canary with the weight's probability, on its own`;
  const lasts = weights.length * interval;
  const expiry = maxAge < lasts ? `; the cookie lasts ${maxAge}s, less than the ${lasts}s the weights are held, so a pinned user is split again after it` : '';
  const resplit = primary
    ? `primaryCookieName pins a user the primary answered there for one analysis interval (${interval}s), then the user's next request is split again: a user with requests in every interval has reached the canary by the last weight with probability 1-(1-w1)(1-w2)... over the weights (${weights.join(', ')}%): ${Math.round(1000 * (1 - weights.reduce((p, w) => p * (1 - w / 100), 1))) / 10}%, against ${weights[weights.length - 1] ?? 0}% of users in the rehearsal`
    : `every request without it is split again: a user sending n requests at weight w has reached the canary with probability 1-(1-w)^n (at the first weight, ${first}%, 1 request: ${share(1)}, 10 requests: ${share(10)})`;
  return `Flagger's router splits each request without a cookie by the weight and pins a user the canary answered to the canary (cookieName, Max-Age ${maxAge}s) while its weight is above 0; ${resplit}${expiry}. ${rehearsed}: the canary reaches fewer users than with Flagger, where the share grows with each user's requests`;
}

/**
 * Parts of analysis.match a router drops (the requests that reach the canary are selected without them), each
 * with its path under the match: ingress.go (nginx) SetRoutes keeps only headers, one of them (canary-by-header,
 * with exact or regex) and the cookie's exact value (canary-by-cookie); istio.go mergeMatchConditions, when
 * spec.service.match is set, keeps only each entry's headers and sourceLabels, over the service's match;
 * gateway_api.go's keeps headers and queryParams; contour, gloo and appmesh read headers (gloo methods too) and
 * write every entry's headers into one route, so that the entries are no longer alternatives.
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
  } else if (router.startsWith('gatewayapi')) {
    // gateway_api.go mergeMatchConditions keeps only each entry's headers and queryParams over the service's matches.
    for (const [m, i] of entries) {
      for (const key of Object.keys(m)) if (key !== 'headers' && key !== 'queryParams') out.push({ path: ['match', i, key], message: `the gatewayapi router keeps only headers and queryParams of each analysis.match entry (gateway_api.go mergeMatchConditions, over the service's matches): requests are not selected by this ${key}` });
    }
  } else if (router === 'contour' || router === 'gloo' || router.startsWith('appmesh')) {
    // contour.go makeConditions, gloo.go getMatchers, appmesh_v1beta2.go makeHeaders: headers (and gloo's methods) only, all in one route.
    const reads = router === 'gloo' ? ['headers', 'method'] : ['headers'];
    for (const [m, i] of entries) {
      for (const key of Object.keys(m)) if (!reads.includes(key)) out.push({ path: ['match', i, key], message: `the ${router} router reads only ${reads.join(' and ')} of analysis.match: requests are not selected by ${key}` });
      const h = m.headers !== null && typeof m.headers === 'object' ? m.headers as Record<string, unknown> : {};
      for (const [name, v] of Object.entries(h)) {
        for (const k of v !== null && typeof v === 'object' ? Object.keys(v) : []) {
          if (router === 'contour' && (k === 'prefix' || k === 'suffix')) out.push({ path: ['match', i, 'headers', name, k], message: `the contour router writes a header's ${k} as a "contains" condition (contour.go makeConditions): a value that holds it anywhere matches` });
          if ((router === 'contour' && k === 'regex') || (router === 'gloo' && (k === 'prefix' || k === 'suffix'))) out.push({ path: ['match', i, 'headers', name, k], message: `the ${router} router does not read a header's ${k} (${router === 'gloo' ? 'gloo.go getHeaderMatchers: exact or regex' : 'contour.go makeConditions: exact, prefix, suffix'}): the condition on ${name} is written without it` });
        }
      }
    }
    if (entries.filter(([m]) => Object.keys(m).some((k) => reads.includes(k))).length > 1) out.push({ path: ['match'], message: `the ${router} router writes the header conditions of every entry into one route: a request must meet all of them at once, where the entries of analysis.match are alternatives (as the istio router reads them)` });
  } else if (Array.isArray(serviceMatch) && serviceMatch.length > 0 && readsMatch(router) && readsSessionAffinity(router)) {
    // The istio router (and its default): gatewayapi reads sessionAffinity too, but maps matches its own way.
    if (router.startsWith('gatewayapi')) return out;
    for (const [m, i] of entries) {
      for (const key of Object.keys(m)) if (key !== 'headers' && key !== 'sourceLabels') out.push({ path: ['match', i, key], message: `with spec.service.match set, the istio router keeps only headers and sourceLabels of each analysis.match entry (istio.go mergeMatchConditions): requests are not selected by this ${key}, the service's match stands instead` });
    }
  }
  return out;
}

/** How many requests an A/B match sends to the canary, where the router reads it otherwise than as written. */
export interface MatchReach {
  /** all: every request (the router's canary route has no condition left); none: no request. */
  readonly reach: 'all' | 'none';
  /** The path under the analysis that decides it. */
  readonly path: Path;
  readonly why: string;
}

const entriesOf = (match: readonly unknown[]) => match.map((m) => (m !== null && typeof m === 'object' && !Array.isArray(m) ? m as Record<string, unknown> : {}));
/** A field of a match entry that holds a condition: a map with keys, a list with items, a scalar. */
const holds = (v: unknown): boolean => v !== undefined && v !== null && (typeof v !== 'object' || (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0));
const stringMatch = (v: unknown, key: string): string => (typeof get(v, key) === 'string' ? get(v, key) as string : '');

/**
 * Where the router's canary route, as it writes it for runAB (SetRoutes primary 0, canary 100), matches every
 * request or none: an entry emptied of its conditions (`headers: {}`) is no condition at all.
 * - istio.go: the match entries are the canary route's HTTPMatchRequests, ORed; an entry with no condition
 *   matches every request (with spec.service.match, mergeMatchConditions keeps only an entry's headers and
 *   sourceLabels over each of the service's matches: an entry without them is the service's own route).
 * - gateway_api.go: mapRouteMatches, then mergeMatchConditions over the service's matches (the prefix "/" without
 *   any), which keeps only an entry's headers and queryParams: an entry without them is the service's route.
 *   mapRouteMatches fails on a header or query param with neither exact nor regex (a prefix or a suffix), a uri
 *   with none of regex, exact, prefix, a method without exact, and SetRoutes drops that error
 *   (`analysisMatches, _ :=`): the canary route keeps the service's matches, every request.
 * - appmesh_v1beta2.go makeHeaders, gloo.go getMatchers: all entries' headers (and gloo's methods) as one route's
 *   conditions; none at all leaves the route without a condition.
 * - contour.go: with no header, the canary route (no condition: the prefix "/") and the primary's (the same prefix,
 *   unless spec.service.match names another) collide, and Contour keeps the later, the primary's: none.
 * - ingress.go (nginx): canary-by-header from the last header that is not "cookie", canary-by-cookie from the
 *   cookie's exact value; with neither, the canary Ingress keeps canary-weight "0" (makeHeaderAnnotations copies
 *   it), and no request reaches the canary.
 * null: the match selects as written (or as droppedMatch says), or the router reads none (readsMatch).
 */
export function matchReach(router: string, match: readonly unknown[], serviceMatch: unknown): MatchReach | null {
  const entries = entriesOf(match);
  const services = Array.isArray(serviceMatch) && serviceMatch.length > 0;
  const emptied = (keep: (k: string) => boolean) => entries.findIndex((m) => !Object.entries(m).some(([k, v]) => keep(k) && holds(v)));
  const all = (i: number, why: string): MatchReach => ({ reach: 'all', path: ['match', i], why });
  if (isIstioRouter(router)) {
    // HTTPMatchRequest fields that are no condition: the route's name, and ignoreUriCase alone.
    const i = services ? emptied((k) => k === 'headers' || k === 'sourceLabels') : emptied((k) => k !== 'name' && k !== 'ignoreUriCase');
    if (i < 0) return null;
    return all(i, `an entry with no condition${services ? ' of its own (istio.go mergeMatchConditions keeps an entry\'s headers and sourceLabels over spec.service.match: without them it is the service\'s own route)' : ''}: the istio router's canary route matches every request (an HTTPMatchRequest with no field matches all, and the entries are ORed)`);
  }
  if (router.startsWith('gatewayapi')) {
    const refused = entries.findIndex((m) => {
      const uri = get(m, 'uri');
      const method = get(m, 'method');
      const pairs = (key: string) => Object.values(get(m, key) !== null && typeof get(m, key) === 'object' ? get(m, key) as Record<string, unknown> : {});
      return (holds(uri) && !['regex', 'exact', 'prefix'].some((k) => stringMatch(uri, k) !== '')) || (holds(method) && stringMatch(method, 'exact') === '')
        || [...pairs('headers'), ...pairs('queryParams')].some((v) => stringMatch(v, 'exact') === '' && stringMatch(v, 'regex') === '');
    });
    if (refused >= 0) return all(refused, 'the gatewayapi router cannot map this entry (gateway_api.go mapRouteMatches: a header or query param with neither exact nor regex, a uri with none of regex, exact, prefix, a method without exact) and SetRoutes drops the error (`analysisMatches, _ :=`): the canary route keeps the service\'s matches, and every request reaches the canary');
    const i = emptied((k) => k === 'headers' || k === 'queryParams');
    return i < 0 ? null : all(i, 'an entry without headers or queryParams: the gatewayapi router\'s mergeMatchConditions keeps only those over the service\'s matches (the prefix "/" when spec.service.match is empty), so the canary route is the service\'s own and every request reaches the canary');
  }
  if (router === 'contour') {
    // contour.go SetRoutes writes the canary route (makeConditions: one condition per header) before the primary's
    // (the prefix of spec.service.match's first uri, else "/"). With no header, the canary route has no condition,
    // which Contour reads as the prefix "/" (projectcontour/contour internal/dag/conditions.go
    // mergePathMatchConditions); it keys a virtual host's routes by their conditions and keeps the later of two
    // alike (internal/dag/dag.go AddRoute, conditionsToString), and sorts the longest prefix first (internal/sorter).
    if (entries.some((m) => holds(m.headers))) return null;
    const prefix = stringMatch(get(Array.isArray(serviceMatch) ? serviceMatch[0] : undefined, 'uri'), 'prefix');
    const why = prefix === '' || prefix === '/'
      ? 'no headers in any entry: the contour router writes the canary route without a condition, which Contour reads as the prefix "/", as the primary route written after it is; Contour keeps the later of two routes with the same conditions (internal/dag/dag.go AddRoute), so the canary route is dropped and no request reaches the canary'
      : `no headers in any entry: the contour router writes the canary route without a condition (the prefix "/") and the primary route with the prefix ${JSON.stringify(prefix)} of spec.service.match; Contour sends a request to the longest prefix it matches (internal/sorter), so the service's requests under ${JSON.stringify(prefix)} reach the primary, and no request reaches the canary but those outside it`;
    return { reach: 'none', path: ['match'], why };
  }
  if (router.startsWith('appmesh') || router === 'gloo') {
    const gloo = router === 'gloo';
    if (entries.some((m) => holds(m.headers) || (gloo && holds(m.method)))) return null;
    return { reach: 'all', path: ['match'], why: `no headers${gloo ? ' and no method' : ''} in any entry: the ${router} router writes the canary route without a condition (${gloo ? 'gloo.go getMatchers' : 'appmesh_v1beta2.go makeHeaders'}), and every request reaches the canary` };
  }
  if (router === 'nginx') {
    const named = entries.some((m) => Object.entries(m.headers !== null && typeof m.headers === 'object' ? m.headers as Record<string, unknown> : {})
      .some(([name, v]) => name !== 'cookie' || stringMatch(v, 'exact') !== ''));
    return named ? null : { reach: 'none', path: ['match'], why: 'no header, and no cookie with an exact value: the nginx router sets neither canary-by-header nor canary-by-cookie, and the canary Ingress keeps canary-weight "0" (ingress.go SetRoutes, makeHeaderAnnotations), so no request reaches the canary' };
  }
  return null;
}
