/**
 * setHeaderRoute steps as the controller runs them (argoproj/argo-rollouts rollout/trafficrouting.go, then the
 * router's SetHeaderRoute: istio.go reconcileVirtualServiceHeaderRoutes, alb, apisix, plugins): at the step, a
 * managed route sends the requests that match to the canary, whatever the weight, placed before the weighted
 * route; it stays until a setHeaderRoute of the same name without `match` removes it, or the rollout is fully
 * promoted or aborted (RemoveManagedRoutes), and the controller removes it whenever the canary has no available
 * pod (at weight 0 without setCanaryScale). rehearse simulates no header, so such a route is warned with where it
 * holds and what the rehearsal sends instead: the requests go by the weight alone. One case is modelled: Istio's
 * route for `match: []` (createHeaderRoute writes a route with no match condition, which takes every request),
 * rehearsed at 100% of requests while it stands and the canary has pods.
 */
import { get, pathText, type Path } from '../kube/resources.js';
import { quoted } from '../../units/escape.js';

export interface HeaderRoutes {
  /** Per step: whether, once the step is reached, a route sends every request to the canary. */
  readonly everyRequest: readonly boolean[];
  /** Warnings at each setHeaderRoute (its path under the Rollout). */
  readonly notes: readonly { readonly path: Path; readonly message: string }[];
}

/** `trace: exact "debug"`: a header match as a condition in words. */
function matchText(m: unknown): string {
  const value = get(m, 'headerValue');
  const kinds = ['exact', 'prefix', 'regex'].filter((k) => typeof get(value, k) === 'string' && get(value, k) !== '');
  return `${String(get(m, 'headerName') ?? '')}: ${kinds.length > 0 ? kinds.map((k) => `${k} ${JSON.stringify(get(value, k))}`).join(', ') : 'present (no value)'}`;
}

/** Whether a setCanaryScale gives the canary pods whatever the weight (replicas or weight above 0), or follows the weight (null). */
function scaled(s: unknown): boolean | null {
  if (s === undefined || s === null) return null;
  if (get(s, 'matchTrafficWeight') === true) return null;
  const n = (k: string) => (typeof get(s, k) === 'number' ? get(s, k) as number : 0);
  return n('replicas') > 0 || n('weight') > 0;
}

export function headerRoutes(steps: readonly unknown[], stepsPath: Path, router: string | null): HeaderRoutes {
  const everyRequest: boolean[] = [];
  const notes: { path: Path; message: string }[] = [];
  // Routes in place: name -> whether it takes every request.
  const routes = new Map<string, boolean>();
  const opened: { name: string; step: number; all: boolean; match: readonly unknown[]; end: number | null; replaced: boolean; zero: boolean }[] = [];
  let weight = 0;
  let scale: boolean | null = null;
  steps.forEach((step, i) => {
    if (typeof get(step, 'setWeight') === 'number') weight = get(step, 'setWeight') as number;
    if (get(step, 'setCanaryScale') !== undefined) scale = scaled(get(step, 'setCanaryScale'));
    const pods = scale ?? weight > 0;
    const header = get(step, 'setHeaderRoute');
    if (header !== undefined && header !== null) {
      const name = String(get(header, 'name') ?? '');
      const match = get(header, 'match');
      for (const o of opened) {
        if (o.name !== name || o.end !== null) continue;
        o.end = i;
        o.replaced = match !== undefined && match !== null;
      }
      routes.delete(name);
      if (match === undefined || match === null) {
        notes.push({ path: [...stepsPath, i, 'setHeaderRoute'], message: `no match: removes the header route ${quoted(name)} (the router's SetHeaderRoute removes a route whose match is nil: istio.go reconcileVirtualServiceHeaderRoutes)${opened.some((o) => o.name === name) ? '' : ', which no step before it set'}` });
      } else if (Array.isArray(match)) {
        const all = match.length === 0 && router === 'istio';
        routes.set(name, all);
        opened.push({ name, step: i, all, match, end: null, replaced: false, zero: false });
      }
    }
    for (const o of opened) if (o.end === null && weight === 0) o.zero = true;
    // A route holds only while the canary has an available pod (trafficrouting.go: RemoveManagedRoutes otherwise).
    everyRequest[i] = pods && [...routes.values()].some((all) => all);
  });
  for (const o of opened) {
    const until = o.end === null ? 'until the rollout is fully promoted or aborted' : `until ${pathText([...stepsPath, o.end, 'setHeaderRoute'])} ${o.replaced ? 'replaces' : 'removes'} it`;
    const path: Path = [...stepsPath, o.step, 'setHeaderRoute'];
    if (o.all) {
      notes.push({ path, message: `match: [] makes a route with no match condition (istio.go createHeaderRoute), placed before the weighted route, which takes every request: rehearsed at 100% of requests from this step ${until}, while the canary has pods (at weight 0 only with setCanaryScale: the controller removes the route while the canary has no available pod)` });
      continue;
    }
    const what = o.match.length === 0 ? `an empty match (the ${router ?? 'router'}'s route for it is not rehearsed)` : `the requests with ${o.match.map(matchText).join(' or ')}`;
    const zero = o.zero ? '; at weight 0 the canary serves those requests alone in Argo (with setCanaryScale; without it the controller removes the route), and none in the rehearsal, where an analysis then measures no canary traffic' : '';
    notes.push({ path, message: `from this step ${until}, the router sends ${what} to the canary whatever the weight (a managed route before the weighted one); rehearse does not simulate headers: those requests go by the weight like the others${zero}` });
  }
  return { everyRequest, notes };
}
