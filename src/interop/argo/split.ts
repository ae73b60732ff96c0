/**
 * How the team's controller splits a weighted canary between the canary and stable pods (interop/weighted.ts):
 * every router Argo Rollouts drives splits each request by the weights the controller writes
 * (rollout/trafficrouting/<router> SetWeight: istio.go the VirtualService's route weights, nginx.go the canary
 * Ingress's canary-weight, alb.go the forward action's target groups, smi.go the TrafficSplit...), rehearsed so
 * (split: requests); an ALB with stickinessConfig pins a client to the target group it reached (split: users,
 * warned); without a router, the weights are pod counts behind one Service (split: requests, warned).
 */
import { get } from '../kube/resources.js';
import { perRequestFigures } from '../weighted.js';

function sticky(router: string | null, routing: unknown): boolean {
  return router === 'alb' && get(get(routing, router, 'stickinessConfig'), 'enabled') === true;
}

/** How the team's system splits the weights: users where an ALB's stickinessConfig pins clients, else requests. */
export function splitBy(router: string | null, routing: unknown): 'users' | 'requests' {
  return sticky(router, routing) ? 'users' : 'requests';
}

/** What differs between the team's split and the rehearsal's, or null where they split alike (a router's weights). */
export function splitNote(router: string | null, routing: unknown, weights: readonly number[]): string | null {
  const first = weights.find((w) => w > 0 && w < 100);
  if (!router) {
    return `no trafficRouting: the controller scales the canary and stable ReplicaSets to the setWeight share of spec.replicas (utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary) behind one Service, so the canary's share is its pods' share, only near setWeight; the Service's proxy picks a ready pod for each new connection. Rehearsed at setWeight, each request to the service split on its own (split: requests), as for clients that open a connection per request; a client that keeps its connection stays on its pod, as with split: users${first === undefined ? '' : ` (${perRequestFigures(first)})`}`;
  }
  if (!sticky(router, routing)) return null;
  const seconds = Number(get(get(routing, router, 'stickinessConfig'), 'durationSeconds'));
  return `the controller writes each setWeight into the ALB's forward action (rollout/trafficrouting/alb/alb.go SetWeight) with stickinessConfig (TargetGroupStickinessConfig): the ALB splits a client's first request by the weight and sets its AWSALBTG cookie, which holds the client on that target group for durationSeconds (${seconds}s); a client without the cookie (most API clients) is split on every request. Rehearsed per user (split: users): the flag buckets users, so at each weight that share of users reaches the canary and the others never, and a raised weight adds users at once where the ALB moves a pinned stable client only after its ${seconds}s. For clients that keep the cookie the two are alike within the duration; for those that do not, ${first === undefined ? 'each request is split' : perRequestFigures(first)}: give split: requests for them`;
}
