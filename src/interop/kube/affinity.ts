/**
 * What an Istio DestinationRule's consistentHash and a Kubernetes Service's `sessionAffinity: ClientIP` do to a
 * weighted canary, as the systems run them. Neither pins a user to a side where a router splits the weights:
 *
 * - Istio writes a route with several weighted destinations (the VirtualService the Argo Rollouts controller or
 *   Flagger sets the weights of) as Envoy weighted_clusters with nothing that hashes the pick among them
 *   (istio/istio pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination: `WeightedCluster{Clusters:
 *   weighted}`; the consistentHash becomes the route's hash policy, read by the chosen cluster's load balancer).
 *   Envoy picks the cluster for each request at random by the weights, then the ring or Maglev hash picks a host
 *   of that cluster: istio/api networking/v1alpha3/destination_rule.proto ConsistentHashLB gives "affinity to a
 *   particular destination host"; istio/istio#9764, #33343 ("Session stickiness does not work with weighted canary
 *   distribution") and fluxcd/flagger#7 ("the consistent hash doesn't work across multiple destinations") say so.
 * - kube-proxy's ClientIP affinity (k8s.io/api core/v1 ServiceSpec.sessionAffinity, timeoutSeconds 10800 by
 *   default) keeps a client address on the pod it reached through that Service: on one side only where the
 *   Service selects both sides' pods, which is Argo's canary without trafficRouting (one Service, pods of both
 *   ReplicaSets). Behind a router the side is picked per request first, and meshes and ingress controllers that
 *   route to endpoints themselves do not go through kube-proxy at all.
 */
import { get, where, pathText, type Path, type Resource } from './resources.js';
import { namespaceOf } from './namespaces.js';

const HASH_KEYS = ['httpHeaderName', 'httpCookie', 'useSourceIp', 'httpQueryParameterName'];

/** A place where a consistentHash is set, with what it hashes. */
export interface HashPlace {
  readonly rule: Resource;
  readonly path: Path;
  readonly key: string;
}

/** Every consistentHash of a DestinationRule (or a Canary's service.trafficPolicy) under `base`: the policy's, its ports', its subsets'. */
export function consistentHashes(r: Resource, base: Path): HashPlace[] {
  const out: HashPlace[] = [];
  const policy = (p: Path) => {
    const at = (q: Path) => {
      const hash = get(r.value, ...q, 'loadBalancer', 'consistentHash');
      if (hash === undefined || hash === null) return;
      const key = HASH_KEYS.find((k) => get(hash, k) !== undefined && get(hash, k) !== null && get(hash, k) !== false) ?? 'no hash key';
      out.push({ rule: r, path: [...q, 'loadBalancer', 'consistentHash'], key });
    };
    at(p);
    const ports = get(r.value, ...p, 'portLevelSettings');
    if (Array.isArray(ports)) ports.forEach((_, i) => at([...p, 'portLevelSettings', i]));
  };
  policy([...base, 'trafficPolicy']);
  const subsets = get(r.value, ...base, 'subsets');
  if (Array.isArray(subsets)) subsets.forEach((_, i) => policy([...base, 'subsets', i, 'trafficPolicy']));
  return out;
}

/**
 * The Service an Istio host names, as Istio resolves it: a short name is a Service of the rule's namespace;
 * `<name>.<namespace>.svc.cluster.local` names one; anything else names no Service of the files.
 */
export function hostService(host: string, ruleNamespace: string | null): { name: string; namespace: string | null } | null {
  if (!host.includes('.')) return { name: host, namespace: ruleNamespace };
  const m = /^([^.]+)\.([^.]+)\.svc\.cluster\.local$/.exec(host);
  return m ? { name: m[1], namespace: m[2] } : null;
}

/** The DestinationRules of the files whose host is one of `services` in `namespace` (null, or a rule given without one: taken to be there). */
export function rulesForServices(context: readonly Resource[], services: readonly string[], namespace: string | null): Resource[] {
  return context.filter((c) => {
    if (c.kind !== 'DestinationRule' || c.group !== 'networking.istio.io') return false;
    const host = get(c.value, 'spec', 'host');
    const s = typeof host === 'string' ? hostService(host, namespaceOf(c)) : null;
    return s !== null && services.includes(s.name) && (namespace === null || s.namespace === null || s.namespace === namespace);
  });
}

/** The message at a consistentHash under a router that splits each request by weights (`how`: which controller writes them). */
export function hashNote(place: HashPlace, how: string): string {
  return `${where(place.rule, place.path)}: ${pathText(place.path)}: consistentHash (${place.key}) picks a pod among those of the side a request was sent to; it does not keep a user on one side. ${how}; Istio writes a route with several weighted destinations as Envoy weighted_clusters with nothing that hashes the pick among them (istio/istio pilot/pkg/networking/core/route/route.go applyHTTPRouteDestination), so each request is split by the weights first and the hash then chooses a host of that side (istio/api networking/v1alpha3/destination_rule.proto ConsistentHashLB: "affinity to a particular destination host"; istio/istio#9764, #33343). Rehearsed so: each request split on its own (split: requests); a user whose requests all hash alike still reaches both sides`;
}

/**
 * A Service's ClientIP affinity, or null: the path of sessionAffinity and the timeout kube-proxy keeps a client for
 * (`seconds`: 10800 when not given), in words (`timeout`) that say where a given one is none the API server takes
 * (ValidateService: an integer from 1 to 86400).
 */
export function clientIpAffinity(s: Resource): { path: Path; seconds: number; timeout: string } | null {
  if (get(s.value, 'spec', 'sessionAffinity') !== 'ClientIP') return null;
  const t = get(s.value, 'spec', 'sessionAffinityConfig', 'clientIP', 'timeoutSeconds');
  const valid = typeof t === 'number' && Number.isInteger(t) && t >= 1 && t <= 86400;
  const seconds = valid ? t : 10800;
  const timeout = t === undefined || t === null ? `${seconds}s, the default` : valid ? `${seconds}s` : `${JSON.stringify(t)} is no integer from 1 to 86400: the API server refuses the Service (ValidateService)`;
  return { path: ['spec', 'sessionAffinity'], seconds, timeout };
}

/** Whether a Service's selector picks pods with these labels (an empty or absent selector picks none: no endpoints are made). */
export function selects(s: Resource, labels: Readonly<Record<string, unknown>>): boolean {
  const sel = get(s.value, 'spec', 'selector');
  if (sel === null || typeof sel !== 'object' || Array.isArray(sel)) return false;
  const entries = Object.entries(sel as Record<string, unknown>);
  return entries.length > 0 && entries.every(([k, v]) => Object.hasOwn(labels, k) && labels[k] === v);
}
