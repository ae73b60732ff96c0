/**
 * How the team's controller splits a weighted canary between the canary and stable pods (interop/weighted.ts):
 * every router Argo Rollouts drives splits each request by the weights the controller writes
 * (rollout/trafficrouting/<router> SetWeight: istio.go the VirtualService's route weights, nginx.go the canary
 * Ingress's canary-weight, alb.go the forward action's target groups, smi.go the TrafficSplit...), rehearsed so
 * (split: requests); an ALB with stickinessConfig pins a client to the target group it reached (split: users,
 * warned); without a router, the weights are pod counts behind one Service (split: requests, warned), unless that
 * Service keeps each client address on its pod (sessionAffinity: ClientIP: split: users, warned). A DestinationRule's
 * consistentHash and a ClientIP Service behind a router pin a user to a pod of the side each request was sent to,
 * not to a side (kube/affinity.ts): split: requests, warned at the field.
 */
import { get, where, pathText, type Resource } from '../kube/resources.js';
import { inNamespace, namespaceOf } from '../kube/namespaces.js';
import { clientIpAffinity, consistentHashes, hashNote, rulesForServices, selects } from '../kube/affinity.js';
import { perRequestFigures } from '../weighted.js';
import { quoted } from '../../units/escape.js';

function sticky(router: string | null, routing: unknown): boolean {
  return router === 'alb' && get(get(routing, router, 'stickinessConfig'), 'enabled') === true;
}

/** How the team's system splits the weights: users where an ALB's stickinessConfig or a ClientIP Service pins clients, else requests. */
export function splitBy(router: string | null, routing: unknown, pinned = false): 'users' | 'requests' {
  return sticky(router, routing) || (router === null && pinned) ? 'users' : 'requests';
}

export interface AffinityInput {
  readonly rollout: Resource;
  readonly router: string | null;
  readonly istio: unknown;
  readonly context: readonly Resource[];
  readonly canaryService: string | null;
  readonly stableService: string | null;
}

/**
 * Where the files pin a user's requests (kube/affinity.ts), each said at its field: `pinned` when a Service without
 * a router keeps each client on one side. With the istio router: the consistentHash of the DestinationRule the
 * Rollout names (a subset split) and of those of the canary and stable Services (a host split).
 */
/**
 * What session affinity in the files does to the split: `pinned` when a Service keeps each client on one side, the
 * notes, and `pinning`, the Services that decided it (rehearsed, so no longer context).
 */
export function affinityNotes(a: AffinityInput): { pinned: boolean; warnings: string[]; pinning: Resource[] } {
  const warnings: string[] = [];
  const pinning: Resource[] = [];
  const ns = namespaceOf(a.rollout);
  const named = [a.canaryService, a.stableService].filter((s): s is string => s !== null);
  const services = a.context.filter((c) => c.kind === 'Service' && c.group === '' && (ns === null || namespaceOf(c) === null || namespaceOf(c) === ns));
  if (a.router === 'istio') {
    const ruleName = get(a.istio, 'destinationRule', 'name');
    const rules = a.context.filter((c) => c.kind === 'DestinationRule' && c.group === 'networking.istio.io');
    const byName = typeof ruleName === 'string' ? inNamespace(rules.filter((r) => r.name === ruleName), ns, '') : null;
    const applied = new Set<Resource>([...(byName && 'found' in byName ? [byName.found] : []), ...rulesForServices(rules, named, ns)]);
    for (const rule of applied) {
      for (const place of consistentHashes(rule, ['spec'])) warnings.push(hashNote(place, 'The controller writes each setWeight into the VirtualService\'s route destinations (rollout/trafficrouting/istio/istio.go SetWeight)'));
    }
  }
  let pinned = false;
  if (a.router === null) {
    // The Service in front of both ReplicaSets: it selects the Rollout's pods; canaryService and stableService get the pod-template hash in their selector (rollout/service.go).
    const labels = get(a.rollout.value, 'spec', 'template', 'metadata', 'labels') ?? get(a.rollout.value, 'spec', 'selector', 'matchLabels');
    const front = services.filter((s) => !named.includes(s.name) && labels !== null && typeof labels === 'object' && selects(s, labels as Record<string, unknown>));
    for (const s of front) {
      const aff = clientIpAffinity(s);
      if (!aff) continue;
      pinned = true;
      pinning.push(s);
      warnings.push(`${where(s, aff.path)}: ${pathText(aff.path)}: Service ${quoted(s.name)} selects the pods of both the canary and the stable ReplicaSets (no trafficRouting: the controller sizes them to the setWeight share of spec.replicas, utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary), and kube-proxy sends every connection from one client address to the pod it reached first, for sessionAffinityConfig.clientIP.timeoutSeconds (${aff.timeout}) (k8s.io/api core/v1 ServiceSpec.sessionAffinity): each client stays on one side, the canary's share of clients near setWeight (its pods' share). Rehearsed per user (split: users): the flag buckets users, at each weight that share of users on all their requests; clients behind one address (a NAT, a proxy) go together, and a raised weight moves a pinned client only once its timeout passes or its pod goes`);
    }
  } else {
    for (const s of services.filter((x) => named.includes(x.name))) {
      const aff = clientIpAffinity(s);
      if (aff) warnings.push(`${where(s, aff.path)}: ${pathText(aff.path)}: ClientIP affinity keeps a client address on one pod behind Service ${quoted(s.name)}, which selects one side only (the controller adds the pod-template hash to its selector, rollout/service.go); the ${a.router} router picks the side of each request by the weights before it (and a mesh or ingress that routes to the endpoints itself does not go through kube-proxy at all). Rehearsed so: each request split on its own (split: requests)`);
    }
  }
  return { pinned, warnings, pinning };
}

/** What differs between the team's split and the rehearsal's, or null where they split alike (a router's weights). */
export function splitNote(router: string | null, routing: unknown, weights: readonly number[], pinned = false): string | null {
  const first = weights.find((w) => w > 0 && w < 100);
  if (!router && pinned) return null;
  if (!router) {
    return `no trafficRouting: the controller scales the canary and stable ReplicaSets to the setWeight share of spec.replicas (utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary) behind one Service, so the canary's share is its pods' share, only near setWeight; the Service's proxy picks a ready pod for each new connection. Rehearsed at setWeight, each request to the service split on its own (split: requests), as for clients that open a connection per request; a client that keeps its connection stays on its pod, as with split: users${first === undefined ? '' : ` (${perRequestFigures(first)})`}`;
  }
  if (!sticky(router, routing)) return null;
  const seconds = Number(get(get(routing, router, 'stickinessConfig'), 'durationSeconds'));
  return `the controller writes each setWeight into the ALB's forward action (rollout/trafficrouting/alb/alb.go SetWeight) with stickinessConfig (TargetGroupStickinessConfig): the ALB splits a client's first request by the weight and sets its AWSALBTG cookie, which holds the client on that target group for durationSeconds (${seconds}s); a client without the cookie (most API clients) is split on every request. Rehearsed per user (split: users): the flag buckets users, so at each weight that share of users reaches the canary and the others never, and a raised weight adds users at once where the ALB moves a pinned stable client only after its ${seconds}s. For clients that keep the cookie the two are alike within the duration; for those that do not, ${first === undefined ? 'each request is split' : perRequestFigures(first)}: give split: requests for them`;
}
