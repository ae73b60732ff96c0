/**
 * An Istio router's VirtualServices against the ones the files hold, as the controller finds them
 * (rollout/trafficrouting/istio/istio.go in argoproj/argo-rollouts): getVirtualService fails with
 * "VirtualService `x` not found" and getHttpRouteIndexesToPatch with "HTTP Route 'x' is not found in the defined
 * Virtual Service.", and the rollout does not progress. Checked only when the files hold VirtualServices (a
 * Rollout given alone says nothing of them); a name that matches none is refused, with a suggestion.
 * A VirtualService without a list of HTTP routes (TLS or TCP routes alone) has no route to find: GetHttpRoutesI
 * fails and reconcileVirtualService passes over the names (the e2e test TestIstioHostSplitOnlyTls rolls out so);
 * one with no HTTP, TLS or TCP routes at all is invalid (validation_references.go ValidateVirtualService).
 */
import { didYouMean } from '../../errors.js';
import { get, type Path, type Resource } from '../kube/resources.js';
import { inNamespace } from '../kube/namespaces.js';
import { quoted, quotedList } from '../../units/escape.js';

/**
 * utils/istio/istio.go GetVirtualServiceNamespaceName: ".cluster.local" stripped, then the last of two or more
 * dot-separated fields is the namespace and the rest the name (a name may hold periods); none: the Rollout's.
 */
export function virtualServiceName(full: string): { name: string; namespace: string | null } {
  const fields = full.replace(/\.cluster\.local$/, '').split('.');
  return fields.length >= 2 ? { name: fields.slice(0, -1).join('.'), namespace: fields[fields.length - 1] } : { name: fields[0], namespace: null };
}

type Say = (r: Resource, path: Path, message: string) => void;

export function checkIstio(ro: Resource, istio: unknown, istioPath: Path, context: readonly Resource[], problem: Say, warn: Say, rolloutNamespace: string | null): void {
  // istio.go getDestinationRule: the DestinationRule of a subset split, read in the Rollout's namespace by
  // UpdateHash before each weight change ("DestinationRule `x` not found"). Checked where the files hold any.
  const rules = context.filter((c) => c.kind === 'DestinationRule' && c.group === 'networking.istio.io');
  const rule = String(get(istio, 'destinationRule', 'name') ?? '');
  if (rule && rules.length > 0) {
    const path = [...istioPath, 'destinationRule', 'name'];
    const looked = inNamespace(rules.filter((r) => r.name === rule), rolloutNamespace, 'the Rollout\'s namespace');
    const names = [...new Set(rules.map((r) => r.name))];
    if (looked === null) problem(ro, path, `no DestinationRule ${quoted(rule)} in the files given${didYouMean(rule, names)} (found ${quotedList(names)}): the controller cannot update its subsets ("DestinationRule \`${rule}\` not found") and the rollout does not progress`);
    else if ('elsewhere' in looked) problem(ro, path, `DestinationRule ${quoted(rule)}: ${looked.elsewhere}: it cannot update its subsets ("DestinationRule \`${rule}\` not found") and the rollout does not progress`);
  }
  const services = context.filter((c) => c.kind === 'VirtualService' && c.group === 'networking.istio.io');
  if (services.length === 0) return;
  const one = get(istio, 'virtualService');
  const many = get(istio, 'virtualServices');
  const entries: [unknown, Path][] = one !== undefined ? [[one, [...istioPath, 'virtualService']]] : (Array.isArray(many) ? many : []).map((v, i) => [v, [...istioPath, 'virtualServices', i]]);
  const names = services.map((s) => s.name);
  for (const [entry, path] of entries) {
    // "name" or "name.namespace"; without a namespace, the Rollout's (istio.go SetWeight).
    const { name, namespace } = virtualServiceName(String(get(entry, 'name') ?? ''));
    const looked = inNamespace(services.filter((s) => s.name === name), namespace ?? rolloutNamespace, namespace ? 'the namespace its name gives' : 'the Rollout\'s namespace');
    if (looked === null) {
      problem(ro, [...path, 'name'], `no VirtualService ${quoted(name)} in the files given${didYouMean(name, names)} (found ${quotedList(names)}): the controller cannot set the weights ("VirtualService \`${name}\` not found") and the rollout does not progress`);
      continue;
    }
    if ('elsewhere' in looked) {
      problem(ro, [...path, 'name'], `VirtualService ${quoted(name)}: ${looked.elsewhere}: it cannot set the weights ("VirtualService \`${name}\` not found") and the rollout does not progress`);
      continue;
    }
    const vs = looked.found;
    const http = get(vs.value, 'spec', 'http');
    const wanted = get(entry, 'routes');
    // unstructured.NestedSlice: absent, null or no list is not found.
    if (!Array.isArray(http)) {
      if (!Array.isArray(get(vs.value, 'spec', 'tls')) && !Array.isArray(get(vs.value, 'spec', 'tcp'))) {
        problem(ro, [...path, 'name'], `VirtualService ${quoted(name)} has no HTTP, TLS or TCP routes: the controller refuses the Rollout ("Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService") and it does not progress`);
      } else if (Array.isArray(wanted) && wanted.length > 0) {
        warn(ro, [...path, 'routes'], `VirtualService ${quoted(name)} has no HTTP routes: the controller passes over the routes named here and sets the weights of the TLS and TCP routes the Rollout names`);
      }
      continue;
    }
    const routes = (Array.isArray(http) ? http : []).map((h) => String(get(h, 'name') ?? ''));
    (Array.isArray(wanted) ? wanted : []).forEach((r, i) => {
      const missing = routes.includes(String(r)) ? missingDestination(ro, istio, http[routes.indexOf(String(r))]) : null;
      if (missing) {
        problem(ro, [...path, 'routes', i], `VirtualService ${quoted(name)}'s HTTP route ${quoted(String(r))}: ${missing}: the controller refuses the Rollout ("Istio VirtualService has invalid HTTP routes. Error: ${missing}", validation_references.go) and it does not progress`);
      }
      if (!routes.includes(String(r))) {
        problem(ro, [...path, 'routes', i], `VirtualService ${quoted(name)} has no HTTP route ${quoted(String(r))}${didYouMean(String(r), routes.filter(Boolean))}${routes.some(Boolean) ? ` (its routes: ${quotedList(routes.filter(Boolean))})` : ''}: the controller stops there ("HTTP Route '${String(r)}' is not found in the defined Virtual Service.") and the rollout does not progress`);
      }
    });
  }
}

/**
 * istio.go validateVirtualServiceRouteDestinations (ValidateHTTPRoutes, at 9f8d111d): a route the Rollout names holds a
 * destination of the canary and of the stable Service (a host up to its first dot, getHost), or with a destinationRule
 * their subsets; the first one missing, in the controller's words, or null. Only where the Rollout names both Services
 * and no ping-pong (GetStableAndCanaryServices), or a destinationRule.
 */
function missingDestination(ro: Resource, istio: unknown, route: unknown): string | null {
  const canaryOf = (k: string) => get(ro.value, 'spec', 'strategy', 'canary', k);
  const dests = Array.isArray(get(route, 'route')) ? (get(route, 'route') as unknown[]) : [];
  const rule = get(istio, 'destinationRule');
  if (rule !== undefined && rule !== null) {
    const subsets = dests.map((d) => get(d, 'destination', 'subset'));
    for (const [k, role] of [['canarySubsetName', 'Canary'], ['stableSubsetName', 'Stable']] as const) {
      const want = String(get(rule, k) ?? '');
      if (!(want !== '' && subsets.includes(want))) return `${role} DestinationRule subset '${want}' not found in route`;
    }
    return null;
  }
  const [canary, stable] = [canaryOf('canaryService'), canaryOf('stableService')];
  if (typeof canary !== 'string' || typeof stable !== 'string' || !canary || !stable || canaryOf('pingPong') !== undefined) return null;
  const hosts = dests.map((d) => {
    const host = String(get(d, 'destination', 'host') ?? '');
    const dot = host.indexOf('.');
    return dot > 0 ? host.slice(0, dot) : dot < 0 ? host : '';
  });
  if (!hosts.includes(canary)) return `Canary Service '${canary}' not found in route`;
  if (!hosts.includes(stable)) return `Stable Service '${stable}' not found in route`;
  return null;
}
