/**
 * A weighted canary as a router runs it, beside what a rehearsal makes of it. A router splits requests: Argo
 * Rollouts writes the step's weight into the router's routes (argoproj/argo-rollouts
 * rollout/trafficrouting/istio/istio.go SetWeight patches the VirtualService's route weights; nginx.go, alb.go,
 * smi.go... likewise), Flagger does the same each interval (fluxcd/flagger pkg/router istio.go SetRoutes writes
 * the primary's and the canary's HTTPRouteDestination weights), and the proxy picks one destination for each
 * request by those weights (Istio's HTTPRouteDestination.weight, "the proportion of traffic to be forwarded"):
 * the same user's next request may go to the other side. A flag buckets users instead: at weight w, w of the users
 * reach the new code on all of their requests and the others on none. Both send about w of the requests there;
 * they differ in whose requests, and so in how many users the canary reaches. A plan says which (split: users or
 * requests); the importers set it as the team's system splits, and warn where it splits some clients one way and
 * some the other.
 */

/** Probability that a user sending `k` requests split at weight `w` (0 to 1) reaches the canary at least once. */
export function reachedAtLeastOnce(w: number, k: number): number {
  return 1 - (1 - w) ** k;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;
const one = (x: number) => `${Math.round(x * 10) / 10}`;

/** What differs in the numbers at weight `percent` for a user with `k` requests: per request, against per user. */
export function perRequestFigures(percent: number, k = 10): string {
  const w = percent / 100;
  return `at ${percent}%, a user with ${k} requests reaches the canary with probability 1-(1-w)^k = ${pct(reachedAtLeastOnce(w, k))} (1 request: ${pct(w)}, 5: ${pct(reachedAtLeastOnce(w, 5))}), on ${one(k * w)} of them on average (binomial, sd ${one(Math.sqrt(k * w * (1 - w)))}), where a split of users sends ${pct(w)} of users there on all ${k} and the others on none`;
}
