/**
 * The routes a Rollout's traffic router names, against the resources the files hold, as each router finds them in
 * argoproj/argo-rollouts rollout/trafficrouting/ (and argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi
 * pkg/plugin for the Gateway API plugin). A route the controller cannot find, or one with no backend for the
 * canary or stable Service, fails SetWeight every reconcile and the rollout does not progress: refused at its
 * place, with a suggestion. Checked only where the files hold resources of that kind (a Rollout given alone says
 * nothing of them); otherwise one warning says what is not checked. Istio's VirtualServices: istio.ts.
 *
 * Namespaces as the controller resolves them: every router reads its resources in the Rollout's namespace
 * (trafficrouting.go NewDynamicClient(…, rollout.GetNamespace()), alb.go and nginx.go GetCached(rollout.Namespace,
 * …), appmesh.go GetVirtualServiceCR(ctx, r.rollout.Namespace, …)), but the Gateway API plugin, which reads its
 * config's namespace, defaulting to the Rollout's (pkg/plugin/plugin.go). A resource the files give without a
 * namespace, or a Rollout without one, is taken to be applied where the other is (kubectl's namespace, or -n).
 */
import { didYouMean } from '../../errors.js';
import { get, pathText, type Path, type Resource } from '../kube/resources.js';
import { inNamespace, namespaceOf } from '../kube/namespaces.js';
import { checkIstio } from './istio.js';
import { quoted, quotedList } from '../../units/escape.js';

type Report = (r: Resource, path: Path, message: string) => void;

interface Kind {
  readonly kind: string;
  readonly groups: readonly string[];
  /** What the controller says when the name is not in the namespace it looks in. */
  readonly notFound: (name: string, namespace: string) => string;
}
/** The API server's NotFound, as a dynamic client or a lister gives it (k8s.io/apimachinery errors.NewNotFound). */
const apiNotFound = (resource: string) => (name: string) => `${resource} ${quoted(name)} not found`;
const APISIX_ROUTE: Kind = { kind: 'ApisixRoute', groups: ['apisix.apache.org'], notFound: apiNotFound('apisixroutes.apisix.apache.org') };
const INGRESS: Kind = { kind: 'Ingress', groups: ['networking.k8s.io', 'extensions'], notFound: apiNotFound('ingress.networking.k8s.io') };
const TRAEFIK_SERVICE: Kind = { kind: 'TraefikService', groups: ['traefik.io', 'traefik.containo.us'], notFound: apiNotFound('traefikservices.traefik.io') };
// ambassador.go createCanaryMapping's warning event.
const MAPPING: Kind = { kind: 'Mapping', groups: ['getambassador.io', 'x.getambassador.io'], notFound: (n) => `Ambassador mapping ${quoted(n)} not found` };
// appmesh.go's warning events name the namespace.
const MESH_SERVICE: Kind = { kind: 'VirtualService', groups: ['appmesh.k8s.aws'], notFound: (n, ns) => `VirtualService \`${n}\` not found in namespace \`${ns}\`` };
const MESH_NODE: Kind = { kind: 'VirtualNode', groups: ['appmesh.k8s.aws'], notFound: (n, ns) => `VirtualNode \`${n}\` not found in namespace \`${ns}\`` };
const VIRTUAL_SERVICE: Kind = { kind: 'VirtualService', groups: ['networking.istio.io'], notFound: (n) => `VirtualService \`${n}\` not found` };
const gatewayKind = (kind: string): Kind => ({ kind, groups: ['gateway.networking.k8s.io'], notFound: apiNotFound(`${kind.toLowerCase()}s.gateway.networking.k8s.io`) });

/** The Gateway API plugin's name in trafficRouting.plugins (its README and examples). */
export const GATEWAY_API_PLUGIN = 'argoproj-labs/gatewayAPI';

/** A name the router reads, where it stands, and what the resource it names must hold (the names missing, with the vendor's words). */
interface Ref {
  readonly name: string;
  readonly path: Path;
  readonly kind: Kind;
  /** The namespace the router reads it in, and why, where it is not the Rollout's. */
  readonly namespace?: { readonly name: string; readonly how: string };
  readonly check?: (found: Resource) => string | null;
}

export interface RouteContext {
  readonly rollout: Resource;
  readonly canaryService: string | null;
  readonly stableService: string | null;
  readonly context: readonly Resource[];
  readonly problem: Report;
  readonly warn: Report;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Service names missing among `have`: the canary and stable Services a router sets weights on. */
function missing(have: readonly string[], wanted: readonly (string | null)[]): string[] {
  return wanted.filter((w): w is string => w !== null && w !== '' && !have.includes(w));
}

function backendsNote(c: RouteContext, have: readonly string[], what: string, vendor: string): string | null {
  const gone = missing(have, [c.canaryService, c.stableService]);
  if (gone.length === 0) return null;
  return `${what} has no backend for ${gone.map((g) => `${quoted(g)}`).join(' or ')}${didYouMean(gone[0], have)}${have.length ? ` (its backends: ${quotedList(new Set(have))})` : ''}: the controller cannot set the weights ("${vendor}") and the rollout does not progress`;
}

/** Ingress backends' Service names, networking.k8s.io/v1 and extensions/v1beta1 (utils/ingress/ingress.go HasRuleWithService). */
function ingressServices(i: Resource): string[] {
  return list(get(i.value, 'spec', 'rules')).flatMap((rule) => list(get(rule, 'http', 'paths')).map((p) => text(get(p, 'backend', 'service', 'name')) || text(get(p, 'backend', 'serviceName'))));
}

function refsOf(router: string, config: unknown, at: Path, c: RouteContext): { refs: Ref[]; unchecked: string[] } {
  const refs: Ref[] = [];
  const unchecked: string[] = [];
  if (router === 'apisix') {
    // apisix.go processSetWeightRoutes: the rules default to the route's name; each rule's backends hold the canary and stable Services.
    const name = text(get(config, 'route', 'name'));
    const rules = get(config, 'route', 'rules');
    const wanted: [string, Path][] = Array.isArray(rules) ? rules.map((r, i) => [text(r), [...at, 'route', 'rules', i]]) : [[name, [...at, 'route', 'name']]];
    refs.push({
      name, path: [...at, 'route', 'name'], kind: APISIX_ROUTE,
      check: (found) => {
        const http = list(get(found.value, 'spec', 'http'));
        const names = http.map((h) => text(get(h, 'name')));
        for (const [rule, path] of wanted) {
          const h = http.find((x) => text(get(x, 'name')) === rule);
          if (!h) {
            c.problem(c.rollout, path, `ApisixRoute ${quoted(name)} has no http rule ${quoted(rule)}${didYouMean(rule, names.filter(Boolean))}${names.some(Boolean) ? ` (its rules: ${quotedList(names.filter(Boolean))})` : ''}: the controller stops there ("Apisix http route rule ${rule} not found") and the rollout does not progress`);
            continue;
          }
          const note = backendsNote(c, list(get(h, 'backends')).map((b) => text(get(b, 'serviceName'))), `the http rule ${quoted(rule)} of ApisixRoute ${quoted(name)}`, 'apisix route <service> backend was not found');
          if (note) c.problem(c.rollout, path, note);
        }
        return null;
      },
    });
  } else if (router === 'alb') {
    // Each Ingress has a rule for rootService, else stableService: validateAlbIngress (invalidSpec), then alb.go SetWeightPerIngress.
    const action = text(get(config, 'rootService')) || c.stableService;
    const one = text(get(config, 'ingress'));
    const names: [string, Path][] = one ? [[one, [...at, 'ingress']]] : list(get(config, 'ingresses')).map((n, i) => [text(n), [...at, 'ingresses', i]]);
    for (const [name, path] of names) {
      refs.push({ name, path, kind: INGRESS, check: (found) => (action && !ingressServices(found).includes(action) ? `Ingress ${quoted(name)} has no rule for Service ${quoted(action)}${didYouMean(action, ingressServices(found))}: ${invalidIngress(name, action)}` : null) });
    }
  } else if (router === 'nginx') {
    // The stable Ingress has a rule with the stableService backend (validateNginxIngress, then nginx.go canaryIngress); the canary Ingress is the controller's own.
    const one = text(get(config, 'stableIngress'));
    const names: [string, Path][] = one ? [[one, [...at, 'stableIngress']]] : list(get(config, 'stableIngresses')).map((n, i) => [text(n), [...at, 'stableIngresses', i]]);
    const stable = c.stableService;
    for (const [name, path] of names) {
      refs.push({ name, path, kind: INGRESS, check: (found) => (stable && !ingressServices(found).includes(stable) ? `Ingress ${quoted(name)} has no rule with the stableService ${quoted(stable)} as backend${didYouMean(stable, ingressServices(found))}: ${invalidIngress(name, stable)}` : null) });
    }
  } else if (router === 'traefik') {
    // traefik.go SetWeight: spec.weighted.services of the TraefikService hold the canary and the stable Service.
    const name = text(get(config, 'weightedTraefikServiceName'));
    refs.push({ name, path: [...at, 'weightedTraefikServiceName'], kind: TRAEFIK_SERVICE, check: (found) => backendsNote(c, list(get(found.value, 'spec', 'weighted', 'services')).map((s) => text(get(s, 'name'))), `TraefikService ${quoted(name)}`, 'traefik canary service was not found') });
  } else if (router === 'ambassador') {
    // ambassador.go createCanaryMapping: the base Mapping is read, and a missing one stops the update (AmbassadorMappingNotFound),
    // as does one with a weight; the canary Mapping is a copy whose service has the stableService replaced by the canaryService.
    list(get(config, 'mappings')).forEach((n, i) => {
      const name = text(n);
      refs.push({
        name, path: [...at, 'mappings', i], kind: MAPPING,
        check: (found) => {
          const weight = get(found.value, 'spec', 'weight');
          if (typeof weight === 'number' && Number.isInteger(weight) && weight !== 0) return `Mapping ${quoted(name)} sets spec.weight: the controller refuses it ("Ambassador mapping \"${name}\" can not define weight") and the rollout does not progress`;
          const service = text(get(found.value, 'spec', 'service'));
          const stable = c.stableService;
          if (stable && c.canaryService && !service.includes(stable)) return `Mapping ${quoted(name)} routes to ${quoted(service)}, which does not hold the stableService ${quoted(stable)}: the canary Mapping the controller makes routes there too (ambassador.go buildCanaryService replaces ${quoted(stable)} by ${quoted(c.canaryService)} in it), so no request reaches the canary at any weight`;
          return null;
        },
      });
    });
  } else if (router === 'appMesh') {
    // appmesh.go SetWeight and UpdateHash: the VirtualService and both VirtualNodes are read ("VirtualService `x` not found").
    refs.push({ name: text(get(config, 'virtualService', 'name')), path: [...at, 'virtualService', 'name'], kind: MESH_SERVICE });
    for (const side of ['canaryVirtualNodeRef', 'stableVirtualNodeRef']) {
      const name = text(get(config, 'virtualNodeGroup', side, 'name'));
      if (name) refs.push({ name, path: [...at, 'virtualNodeGroup', side, 'name'], kind: MESH_NODE });
    }
  } else if (router === 'plugins') {
    for (const [plugin, cfg] of Object.entries(config !== null && typeof config === 'object' ? config : {})) {
      if (plugin !== GATEWAY_API_PLUGIN) {
        unchecked.push(`the routes of the plugin ${quoted(plugin)} (its configuration is its own: not read)`);
        continue;
      }
      // pkg/plugin/httproute.go (grpcroute.go alike) setHTTPRouteWeight: the route's rules' backendRefs hold the canary and the stable Service.
      // The routes are read in the config's namespace, else the Rollout's (plugin.go).
      const ns = text(get(cfg, 'namespace'));
      const namespace = ns ? { name: ns, how: `the plugin's namespace, ${pathText([...at, plugin, 'namespace'])}` } : undefined;
      for (const [kind, single, many, vendor] of [['HTTPRoute', 'httpRoute', 'httpRoutes', 'backendRef was not found in httpRoute'], ['GRPCRoute', 'grpcRoute', 'grpcRoutes', 'backendRef was not found in grpcRoute'], ['TCPRoute', 'tcpRoute', 'tcpRoutes', 'backendRef was not found in tcpRoute'], ['TLSRoute', 'tlsRoute', 'tlsRoutes', 'backendRef was not found in tlsRoute']]) {
        const pp: Path = [...at, plugin];
        const one = text(get(cfg, single));
        const names: [string, Path][] = [...(one ? [[one, [...pp, single]] as [string, Path]] : []), ...list(get(cfg, many)).map((r, i): [string, Path] => [text(get(r, 'name')), [...pp, many, i, 'name']])];
        for (const [name, path] of names) {
          refs.push({ name, path, kind: gatewayKind(kind), namespace, check: (found) => backendsNote(c, list(get(found.value, 'spec', 'rules')).flatMap((r) => list(get(r, 'backendRefs')).map((b) => text(get(b, 'name')))), `${kind} ${quoted(name)}`, vendor) });
        }
      }
      for (const sel of ['httpRouteSelector', 'grpcRouteSelector', 'tcpRouteSelector', 'tlsRouteSelector']) {
        if (get(cfg, sel) !== undefined) unchecked.push(`the routes ${sel} selects (labels are not matched)`);
      }
    }
  }
  return { refs, unchecked };
}

const ofKind = (k: Kind) => (r: Resource) => r.kind === k.kind && k.groups.includes(r.group);

/** Checks the routes of the Rollout's router (`routing` at `routingPath`) against the files' resources. */
export function checkRoutes(c: RouteContext, router: string | null, routing: unknown, routingPath: Path): void {
  if (router === null) return;
  const at: Path = [...routingPath, router];
  const config = get(routing, router);
  if (router === 'istio') {
    const hasAny = c.context.some(ofKind(VIRTUAL_SERVICE));
    if (hasAny) checkIstio(c.rollout, config, at, c.context, c.problem, c.warn, namespaceOf(c.rollout));
    else c.warn(c.rollout, at, 'the files hold no Istio VirtualService: the VirtualServices and routes it names are not checked (give them beside the Rollout to check them as the controller finds them)');
    return;
  }
  if (router === 'smi') {
    // smi.go Reconcile: the controller creates the TrafficSplit it names (or the Rollout's name): nothing to find.
    // Its service is rootService, the apex Service the mesh splits: checked against the files' Services.
    const root = text(get(config, 'rootService'));
    const all = c.context.filter((r) => r.kind === 'Service' && r.group === '');
    const services = [...new Set(all.map((r) => r.name))];
    const looked = inNamespace(all.filter((r) => r.name === root), namespaceOf(c.rollout), 'the Rollout\'s namespace, where the TrafficSplit is made');
    if (root && services.length > 0 && looked === null) c.warn(c.rollout, [...at, 'rootService'], `no Service ${quoted(root)} in the files given${didYouMean(root, services)} (found ${quotedList(services)}): the TrafficSplit the controller makes splits a Service the files do not hold`);
    else if (root && looked && 'elsewhere' in looked) c.warn(c.rollout, [...at, 'rootService'], `Service ${quoted(root)}: ${looked.elsewhere}: the TrafficSplit the controller makes splits a Service the files do not hold there`);
    else if (root && services.length === 0) c.warn(c.rollout, at, `not checked: the rootService ${quoted(root)} (the files hold no Service); the TrafficSplit is the controller's own (smi.go creates it)`);
    return;
  }
  const { refs, unchecked } = refsOf(router, config, at, c);
  const notGiven = new Set<string>();
  for (const ref of refs) {
    const kind = c.context.filter(ofKind(ref.kind));
    if (kind.length === 0) {
      notGiven.add(ref.kind.kind);
      continue;
    }
    const want = ref.namespace?.name ?? namespaceOf(c.rollout);
    const looked = inNamespace(kind.filter((r) => r.name === ref.name), want, ref.namespace?.how ?? 'the Rollout\'s namespace');
    const vendor = ref.kind.notFound(ref.name, want ?? 'default');
    if (looked === null) {
      const names = [...new Set(kind.map((r) => r.name))];
      c.problem(c.rollout, ref.path, `no ${ref.kind.kind} ${quoted(ref.name)} in the files given${didYouMean(ref.name, names)} (found ${quotedList(names)}): the controller cannot set the weights ("${vendor}") and the rollout does not progress`);
      continue;
    }
    if ('elsewhere' in looked) {
      c.problem(c.rollout, ref.path, `${ref.kind.kind} ${quoted(ref.name)}: ${looked.elsewhere}: it cannot set the weights ("${vendor}") and the rollout does not progress`);
      continue;
    }
    const found = looked.found;
    const note = ref.check?.(found) ?? null;
    if (note) c.problem(c.rollout, ref.path, note);
  }
  const said = [...[...notGiven].map((k) => `the ${k}s it names (the files hold none)`), ...unchecked];
  if (said.length > 0) c.warn(c.rollout, at, `not checked: ${said.join('; ')}; give them beside the Rollout to check them as the controller finds them`);
}

/**
 * An Ingress the nginx or ALB router names without a rule for the Service it routes: the controller reads it before it
 * reconciles and validates it (rollout/controller.go getRolloutReferencedResources, then
 * pkg/apis/rollouts/validation/validation_references.go ValidateIngress: validateNginxIngress, validateAlbIngress,
 * reportErrors over HasRuleWithService), so the Rollout is InvalidSpec before any router runs. `kubectl argo rollouts
 * lint` passes such a file: it validates only the Ingresses it finds a rule for the Service in (cmd/lint/lint.go
 * setIngressManagedAnnotation, matchRolloutToReferences), as its testdata valid-nginx-canary.yml shows.
 */
function invalidIngress(name: string, service: string): string {
  return `the controller marks the Rollout InvalidSpec and never rolls it out ("ingress \`${name}\` has no rules using service ${service} backend", pkg/apis/rollouts/validation/validation_references.go ValidateIngress); \`kubectl argo rollouts lint\` passes it, as it checks only an Ingress with a rule for the Service`;
}
