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

type Say = (r: Resource, path: Path, message: string) => void;

export function checkIstio(ro: Resource, istio: unknown, istioPath: Path, context: readonly Resource[], problem: Say, warn: Say): void {
  const services = context.filter((c) => c.kind === 'VirtualService' && c.group === 'networking.istio.io');
  if (services.length === 0) return;
  const one = get(istio, 'virtualService');
  const many = get(istio, 'virtualServices');
  const entries: [unknown, Path][] = one !== undefined ? [[one, [...istioPath, 'virtualService']]] : (Array.isArray(many) ? many : []).map((v, i) => [v, [...istioPath, 'virtualServices', i]]);
  const names = services.map((s) => s.name);
  for (const [entry, path] of entries) {
    // "name" or "name.namespace" (istio.go getVirtualServiceNamespaceName).
    const full = String(get(entry, 'name') ?? '');
    const name = full.split('.')[0];
    const vs = services.find((s) => s.name === name);
    if (!vs) {
      problem(ro, [...path, 'name'], `no VirtualService "${name}" in the files given${didYouMean(name, names)} (found ${names.join(', ')}): the controller cannot set the weights ("VirtualService \`${name}\` not found") and the rollout does not progress`);
      continue;
    }
    const http = get(vs.value, 'spec', 'http');
    const wanted = get(entry, 'routes');
    // unstructured.NestedSlice: absent, null or no list is not found.
    if (!Array.isArray(http)) {
      if (!Array.isArray(get(vs.value, 'spec', 'tls')) && !Array.isArray(get(vs.value, 'spec', 'tcp'))) {
        problem(ro, [...path, 'name'], `VirtualService "${name}" has no HTTP, TLS or TCP routes: the controller refuses the Rollout ("Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService") and it does not progress`);
      } else if (Array.isArray(wanted) && wanted.length > 0) {
        warn(ro, [...path, 'routes'], `VirtualService "${name}" has no HTTP routes: the controller passes over the routes named here and sets the weights of the TLS and TCP routes the Rollout names`);
      }
      continue;
    }
    const routes = (Array.isArray(http) ? http : []).map((h) => String(get(h, 'name') ?? ''));
    (Array.isArray(wanted) ? wanted : []).forEach((r, i) => {
      if (!routes.includes(String(r))) {
        problem(ro, [...path, 'routes', i], `VirtualService "${name}" has no HTTP route "${String(r)}"${didYouMean(String(r), routes.filter(Boolean))}${routes.some(Boolean) ? ` (its routes: ${routes.filter(Boolean).join(', ')})` : ''}: the controller stops there ("HTTP Route '${String(r)}' is not found in the defined Virtual Service.") and the rollout does not progress`);
      }
    });
  }
}
