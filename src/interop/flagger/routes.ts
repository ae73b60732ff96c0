/**
 * The route a Flagger router reads from the files, as fluxcd/flagger pkg/router finds it: always in the Canary's
 * namespace. nginx (ingress.go Reconcile) reads spec.ingressRef and needs a path with the apex Service as its
 * backend ("backend <apex> not found in ingress <name>"); skipper (skipper.go Reconcile) reads it too (its
 * backend check compares two pointers and never fails); apisix (apisix.go Reconcile, getTargetHttpRoute) reads
 * spec.routeRef and needs an http rule with the apex Service as backend, and only that backend. A route the
 * controller cannot read fails every reconcile and the canary never starts: refused at its place, with
 * Flagger's words. Checked only where the files hold resources of that kind; otherwise a warning says it is not.
 */
import { didYouMean } from '../../errors.js';
import { inNamespace } from '../kube/namespaces.js';
import { get, type Path, type Resource } from '../kube/resources.js';
import { quoted, quotedList } from '../../units/escape.js';

type Report = (r: Resource, path: Path, message: string) => void;

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Ingress paths' Service backends (networking.k8s.io/v1, which the routers read). */
const ingressBackends = (i: Resource): string[] => list(get(i.value, 'spec', 'rules')).flatMap((r) => list(get(r, 'http', 'paths')).map((p) => text(get(p, 'backend', 'service', 'name'))));

export function checkFlaggerRoute(canary: Resource, router: string, apex: string, namespace: string | null, context: readonly Resource[], problem: Report, warn: Report): void {
  const ns = namespace ?? 'default';
  const ref = router === 'nginx' || router === 'skipper' ? { key: 'ingressRef', kind: 'Ingress', groups: ['networking.k8s.io', 'extensions'] }
    : router === 'apisix' ? { key: 'routeRef', kind: 'ApisixRoute', groups: ['apisix.apache.org'] } : null;
  if (ref === null) return;
  const path: Path = ['spec', ref.key, 'name'];
  const name = text(get(canary.value, ...path));
  const kind = context.filter((r) => r.kind === ref.kind && ref.groups.includes(r.group));
  if (!name) return;
  if (kind.length === 0) {
    warn(canary, path, `not checked: the ${ref.kind} ${quoted(name)} the ${router} router reads (the files hold no ${ref.kind}); give it beside the Canary to check it as Flagger finds it`);
    return;
  }
  const words = router === 'nginx' ? `ingress ${name}.${ns} get query error: ingresses.networking.k8s.io ${quoted(name)} not found`
    : router === 'skipper' ? `apexIngress ${name}.${ns} get query error: ingresses.networking.k8s.io ${quoted(name)} not found`
    : `APISIX route ${name}.${ns} get query error: apisixroutes.apisix.apache.org ${quoted(name)} not found`;
  const looked = inNamespace(kind.filter((r) => r.name === name), namespace, 'the Canary\'s namespace');
  if (looked === null) {
    const names = [...new Set(kind.map((r) => r.name))];
    problem(canary, path, `no ${ref.kind} ${quoted(name)} in the files given${didYouMean(name, names)} (found ${quotedList(names)}): the ${router} router cannot read it ("${words}") and the canary does not start`);
    return;
  }
  if ('elsewhere' in looked) {
    problem(canary, path, `${ref.kind} ${quoted(name)}: ${looked.elsewhere}: the ${router} router cannot read it ("${words}") and the canary does not start`);
    return;
  }
  const found = looked.found;
  if (router === 'nginx' && !ingressBackends(found).includes(apex)) {
    problem(canary, path, `Ingress ${quoted(name)} has no path with the Service ${quoted(apex)} as backend${didYouMean(apex, ingressBackends(found).filter(Boolean))}: the nginx router cannot make the canary Ingress ("backend ${apex} not found in ingress ${name}") and the canary does not start`);
  }
  if (router === 'apisix') {
    const rule = list(get(found.value, 'spec', 'http')).find((h) => list(get(h, 'backends')).some((b) => text(get(b, 'serviceName')) === apex));
    if (!rule) problem(canary, path, `ApisixRoute ${quoted(name)} has no http rule with the Service ${quoted(apex)} as backend: the apisix router stops there ("Can not find ${apex} backend on apisix route ${name}.${ns}") and the canary does not start`);
    else if (list(get(rule, 'backends')).length !== 1) problem(canary, path, `the http rule ${quoted(text(get(rule, 'name')))} of ApisixRoute ${quoted(name)} has ${list(get(rule, 'backends')).length} backends: the apisix router refuses it ("APISIX route ${name}.${ns}'s http route ${text(get(rule, 'name'))} only one http backend is supported") and the canary does not start`);
  }
}
