/**
 * A consistentHash where Flagger's istio router (pkg/router/factory.go: provider istio, or any it does not know)
 * would read it, as kube/affinity.ts says it runs: the router writes the Canary's spec.service.trafficPolicy as the
 * DestinationRules of <service>-primary and <service>-canary (pkg/router/istio.go reconcileDestinationRule, which
 * replaces the spec of a DestinationRule of that name that is already there) and each interval's weights into the
 * VirtualService's two destinations (SetRoutes). The hash picks a pod of the side a request was sent to, never the
 * side. Only the istio router reads trafficPolicy; a DestinationRule of the files for those hosts is replaced, and
 * one for the apex Service applies to no destination of the routes.
 */
import { consistentHashes, hashNote, rulesForServices } from '../kube/affinity.js';
import { namespaceOf } from '../kube/namespaces.js';
import { pathText, where, type Resource } from '../kube/resources.js';
import { quoted } from '../../units/escape.js';

export function trafficPolicyNotes(cn: Resource, router: string, istio: boolean, service: string, context: readonly Resource[]): string[] {
  const out: string[] = [];
  const own = consistentHashes(cn, ['spec', 'service']);
  const how = `Flagger writes spec.service.trafficPolicy into the DestinationRules of ${service}-primary and ${service}-canary (pkg/router/istio.go reconcileDestinationRule) and each interval's weights into the VirtualService's two destinations (SetRoutes)`;
  for (const place of own) {
    out.push(istio ? hashNote(place, how) : `${where(cn, place.path)}: ${pathText(place.path)}: the ${router} router does not read spec.service.trafficPolicy (only the istio router writes it, into DestinationRules: pkg/router/istio.go): no consistentHash is set, and each request is split as the router splits it`);
  }
  if (!istio) return out;
  const rules = context.filter((c) => c.kind === 'DestinationRule' && c.group === 'networking.istio.io');
  const ns = namespaceOf(cn);
  for (const rule of rulesForServices(rules, [`${service}-primary`, `${service}-canary`], ns)) {
    for (const place of consistentHashes(rule, ['spec'])) {
      out.push(`${where(rule, place.path)}: ${pathText(place.path)}: Flagger's istio router replaces the spec of DestinationRule ${quoted(rule.name)} with the host and the Canary's spec.service.trafficPolicy (pkg/router/istio.go reconcileDestinationRule): this consistentHash is not what runs${own.length > 0 ? '' : ' (the Canary sets none)'}, and a hash would pick a pod of the side each request was sent to in any case, not the side: each request split on its own (split: requests)`);
    }
  }
  for (const rule of rulesForServices(rules, [service], ns)) {
    for (const place of consistentHashes(rule, ['spec'])) {
      out.push(`${where(rule, place.path)}: ${pathText(place.path)}: DestinationRule ${quoted(rule.name)} is for the apex Service ${quoted(service)}, which no destination of Flagger's VirtualService names (the routes go to ${service}-primary and ${service}-canary, pkg/router/istio.go SetRoutes): this consistentHash applies to none of the canary's requests, which are split each on its own (split: requests)`);
    }
  }
  return out;
}
