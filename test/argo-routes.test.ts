/**
 * The routes a Rollout's traffic router names, against the files given, as the controller finds them
 * (argoproj/argo-rollouts rollout/trafficrouting/apisix/apisix.go processSetWeightRoutes, alb/alb.go
 * SetWeightPerIngress with utils/ingress/ingress.go HasRuleWithService, nginx/nginx.go canaryIngress, smi/smi.go,
 * traefik/traefik.go SetWeight, ambassador/ambassador.go createCanaryMapping and buildCanaryService;
 * argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/httproute.go setHTTPRouteWeight). Argo's own
 * e2e files, examples and documented files (test/fixtures/vendor/argo) import as they are; one field changed is
 * refused at its place, with the vendor's words; routes whose resources are not given are said not checked.
 * Namespaces as the controller resolves them: trafficrouting.go NewDynamicClient(…, rollout.GetNamespace()), alb.go
 * and nginx.go GetCached(rollout.Namespace, …), appmesh.go GetVirtualNodeCR(ctx, r.rollout.Namespace, …),
 * utils/istio/istio.go GetVirtualServiceNamespaceName ("name.namespace", the last field the namespace, the
 * Rollout's without one), and the Gateway API plugin's config namespace (pkg/plugin/plugin.go: the Rollout's by
 * default).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/argo/index.js';
import type { SourceFile } from '../src/interop/kube/resources.js';

const ARGO = 'test/fixtures/vendor/argo/';
const file = (name: string): SourceFile => ({ file: name, text: readFileSync(ARGO + name, 'utf8') });
const edit = (f: SourceFile, from: string, to: string): SourceFile => {
  expect(f.text).toContain(from);
  return { file: f.file, text: f.text.replace(from, to) };
};
const problems = (files: SourceFile[]) => {
  const r = toScenarioParts(files);
  return r.ok ? [] : r.problems;
};
const warnings = (files: SourceFile[]) => toScenarioParts(files).warnings.filter((w) => w.includes('not checked'));
/** The resources of a documentation page: its yaml blocks with their lines kept in place, the page's elision (`  ...`) left out. */
const page = (name: string): SourceFile => {
  const lines = readFileSync(ARGO + name, 'utf8').split('\n');
  let inside = false;
  let elided = false;
  const kept = lines.map((l) => {
    if (l === '```yaml' || (inside && l === '```')) {
      inside = l === '```yaml';
      // The pod template the page elides stands on the fence's line, which keeps the lines of the rest.
      if (!inside && elided) {
        elided = false;
        return '  template: { metadata: { labels: { app: elided } }, spec: { containers: [{ name: c, image: i }] } }';
      }
      return inside ? '---' : '#';
    }
    // The page elides the rest of the Rollout (its selector and pod template) as "  ...": a selector stands for it,
    // on the same line, and a template on the next, since the controller marks a Rollout without them InvalidSpec
    // (validation.go).
    if (inside && l === '  ...') {
      elided = true;
      return '  selector: { matchLabels: { app: elided } }';
    }
    return inside ? l : '#';
  });
  return { file: name, text: kept.join('\n') };
};
/** Puts the first resource of kind `kind` in the file into `namespace`. */
const into = (f: SourceFile, kind: string, namespace: string): SourceFile => {
  const at = f.text.search(new RegExp(`^kind: +${kind}\\n(?:.*\\n)*?metadata:\\n`, 'm'));
  expect(at).toBeGreaterThanOrEqual(0);
  const meta = f.text.indexOf('metadata:\n', at) + 'metadata:\n'.length;
  return { file: f.file, text: `${f.text.slice(0, meta)}  namespace: ${namespace}\n${f.text.slice(meta)}` };
};

describe('Argo trafficRouting routes against the files given', () => {
  it('Argo\'s e2e files with their routes import with no problem and nothing said unchecked', () => {
    for (const f of ['e2e-apisix-canary.yaml', 'e2e-alb-canary-rollout.yaml', 'e2e-nginx-template.yaml']) {
      expect(problems([file(f)])).toEqual([]);
      expect(warnings([file(f)])).toEqual([]);
    }
    expect(problems([file('gatewayapi-plugin-rollout.yml'), file('gatewayapi-plugin-httproute.yml')])).toEqual([]);
  });

  it('APISIX: a route, a rule or a backend the ApisixRoute does not hold is refused (apisix.go)', () => {
    const f = file('e2e-apisix-canary.yaml');
    expect(problems([edit(f, '            name: rollouts-apisix-route', '            name: rollouts-apisix-rout')])).toEqual([
      expect.stringMatching(/^e2e-apisix-canary\.yaml:70:19: spec\.strategy\.canary\.trafficRouting\.apisix\.route\.name: no ApisixRoute "rollouts-apisix-rout" in the files given; did you mean "rollouts-apisix-route"\?/),
    ]);
    expect(problems([edit(f, '              - rollouts-apisix\n', '              - rollouts-apisx\n')])).toEqual([
      expect.stringMatching(/^e2e-apisix-canary\.yaml:72:17: spec\.strategy\.canary\.trafficRouting\.apisix\.route\.rules\[0\]: ApisixRoute "rollouts-apisix-route" has no http rule "rollouts-apisx"; did you mean "rollouts-apisix"\?.*"Apisix http route rule rollouts-apisx not found"/),
    ]);
    expect(problems([edit(f, '        - serviceName: rollout-apisix-canary-canary', '        - serviceName: rollout-apisix-canary-cnary')])).toEqual([
      expect.stringMatching(/rules\[0\]: the http rule "rollouts-apisix" of ApisixRoute "rollouts-apisix-route" has no backend for "rollout-apisix-canary-canary"/),
    ]);
    // No rules: the controller looks for a rule named like the route (apisix.go: rules default to the route's name).
    expect(problems([edit(f, '            rules:\n              - rollouts-apisix\n', '')])).toEqual([expect.stringMatching(/apisix\.route\.name: ApisixRoute "rollouts-apisix-route" has no http rule "rollouts-apisix-route"/)]);
  });

  it('ALB and NGINX: an Ingress the files do not hold, or one without the Service\'s rule, is refused', () => {
    const alb = file('e2e-alb-canary-rollout.yaml');
    expect(problems([edit(alb, '          ingress: alb-canary-ingress', '          ingress: alb-canary-ingres')])).toEqual([expect.stringMatching(/^e2e-alb-canary-rollout\.yaml:\d+:\d+: spec\.strategy\.canary\.trafficRouting\.alb\.ingress: no Ingress "alb-canary-ingres" in the files given; did you mean "alb-canary-ingress"\?/)]);
    expect(problems([edit(alb, '          rootService: alb-canary-root', '          rootService: alb-canary-stable')])).toEqual([expect.stringMatching(/alb\.ingress: Ingress "alb-canary-ingress" has no rule for Service "alb-canary-stable".*ingress `alb-canary-ingress` has no rules using service alb-canary-stable backend", .*validation_references\.go ValidateIngress/)]);
    const nginx = file('e2e-nginx-template.yaml');
    expect(problems([edit(nginx, '          stableIngress: REPLACEME-ingress', '          stableIngress: REPLACEME-ingres')])).toEqual([expect.stringMatching(/nginx\.stableIngress: no Ingress "REPLACEME-ingres"/)]);
    expect(problems([edit(nginx, '                name: REPLACEME-stable', '                name: REPLACEME-canary')])).toEqual([expect.stringMatching(/nginx\.stableIngress: Ingress "REPLACEME-ingress" has no rule with the stableService "REPLACEME-stable".*has no rules using service REPLACEME-stable backend/)]);
  });

  it('Gateway API plugin: an HTTPRoute the files do not hold, or one without the canary backendRef, is refused', () => {
    const ro = file('gatewayapi-plugin-rollout.yml');
    const route = file('gatewayapi-plugin-httproute.yml');
    expect(problems([edit(ro, 'httpRoute: argo-rollouts-http-route', 'httpRoute: argo-rollouts-http-rout'), route])).toEqual([expect.stringMatching(/^gatewayapi-plugin-rollout\.yml:14:24: spec\.strategy\.canary\.trafficRouting\.plugins\.argoproj-labs\/gatewayAPI\.httpRoute: no HTTPRoute "argo-rollouts-http-rout" in the files given; did you mean "argo-rollouts-http-route"\?/)]);
    expect(problems([ro, edit(route, '        - name: argo-rollouts-canary-service', '        - name: argo-rollouts-canary-svc')])).toEqual([expect.stringMatching(/HTTPRoute "argo-rollouts-http-route" has no backend for "argo-rollouts-canary-service".*"backendRef was not found in httpRoute"/)]);
    // httpRoutes: [{name}] is read the same way (pkg/plugin/types.go HTTPRoutes).
    const many = edit(ro, 'httpRoute: argo-rollouts-http-route', 'httpRoutes: [{ name: other-route }]');
    expect(problems([many, route])).toEqual([expect.stringMatching(/gatewayAPI\.httpRoutes\[0\]\.name: no HTTPRoute "other-route"/)]);
  });

  it('App Mesh: a VirtualService or VirtualNode the files do not hold is refused (appmesh.go "VirtualNode `x` not found")', () => {
    const ro = file('appmesh-canary-rollout.yaml');
    const mesh = file('appmesh-canary-service.yaml');
    expect(problems([ro, mesh])).toEqual([]);
    expect(problems([edit(ro, '              name: my-vn-canary\n', '              name: my-vn-canar\n'), mesh])).toEqual([expect.stringMatching(/appMesh\.virtualNodeGroup\.canaryVirtualNodeRef\.name: no VirtualNode "my-vn-canar" in the files given; did you mean "my-vn-canary"\?/)]);
    // The core Service my-svc does not stand for App Mesh's VirtualService of that name: kinds are told apart by group.
    expect(problems([ro, edit(mesh, '  name: my-svc\n', '  name: my-svc-x\n')])).toEqual([]);
  });

  it('SMI: the TrafficSplit is the controller\'s own; its rootService is checked against the files\' Services (smi.go)', () => {
    const linkerd = file('rollout-linkerd-quoted.yaml');
    expect(warnings([linkerd])).toEqual([]);
    expect(toScenarioParts([edit(linkerd, '          rootService: rollout-linkerd\n', '          rootService: rollout-linkrd\n')]).warnings).toContainEqual(expect.stringMatching(/trafficManagement\.smi\.rootService: no Service "rollout-linkrd" in the files given; did you mean "rollout-linkerd"\?/));
  });

  it('says plainly what is not checked where the route\'s resources are not given, and checks nothing it cannot', () => {
    const apisix = file('e2e-apisix-canary.yaml');
    const alone = { file: apisix.file, text: apisix.text.split('---\n').slice(3).join('') };
    expect(problems([alone])).toEqual([]);
    expect(warnings([alone])).toEqual([expect.stringMatching(/apisix: not checked: the ApisixRoutes it names \(the files hold none\)/)]);
    expect(warnings([file('gatewayapi-plugin-rollout.yml')])).toEqual([expect.stringMatching(/argoproj-labs\/gatewayAPI|gatewayAPI: not checked|plugins: not checked: the HTTPRoutes it names/)]);
    const other = edit(file('gatewayapi-plugin-rollout.yml'), 'argoproj-labs/gatewayAPI:', 'example.com/other:');
    expect(warnings([other])).toEqual([expect.stringMatching(/plugins: not checked: the routes of the plugin "example\.com\/other"/)]);
    expect(warnings([file('istio-subset-split.yaml')])).toEqual([]);
    const istio = file('e2e-istio-host-split.yaml');
    expect(warnings([{ file: istio.file, text: istio.text.split('---\n').filter((d) => !d.includes('kind: VirtualService')).join('---\n') }])).toEqual([expect.stringMatching(/istio: the files hold no Istio VirtualService: the VirtualServices and routes it names are not checked/)]);
  });

  it('Traefik: the TraefikService of Argo\'s documentation page, as traefik.go SetWeight reads it', () => {
    const doc = page('docs-traefik.md');
    expect(problems([doc])).toEqual([]);
    expect(warnings([doc])).toEqual([]);
    expect(problems([edit(doc, 'weightedTraefikServiceName: traefik-service', 'weightedTraefikServiceName: traefik-servic')])).toEqual([
      expect.stringMatching(/^docs-traefik\.md:\d+:\d+: spec\.strategy\.canary\.trafficRouting\.traefik\.weightedTraefikServiceName: no TraefikService "traefik-servic" in the files given; did you mean "traefik-service"\?.*\("traefikservices\.traefik\.io "traefik-servic" not found"\)/),
    ]);
    expect(problems([edit(doc, '      - name: canary-rollout # k8s', '      - name: canary-rolout # k8s')])).toEqual([
      expect.stringMatching(/traefik\.weightedTraefikServiceName: TraefikService "traefik-service" has no backend for "canary-rollout"; did you mean "canary-rolout"\?.*"traefik canary service was not found"/),
    ]);
  });

  it('Ambassador: the Mapping of Argo\'s example, as ambassador.go createCanaryMapping reads it', () => {
    const ro = file('ambassador-rollout.yaml');
    const mapping = file('ambassador-echo-mapping.yaml');
    const services = file('ambassador-echo-service.yaml');
    expect(problems([ro, mapping, services])).toEqual([]);
    expect(warnings([ro, mapping, services])).toEqual([]);
    expect(problems([edit(ro, '            - echo\n', '            - echoo\n'), mapping, services])).toEqual([
      expect.stringMatching(/^ambassador-rollout\.yaml:30:15: spec\.strategy\.canary\.trafficRouting\.ambassador\.mappings\[0\]: no Mapping "echoo" in the files given; did you mean "echo"\?.*\("Ambassador mapping "echoo" not found"\)/),
    ]);
    expect(problems([ro, edit(mapping, '  service: echo-stable:80', '  service: echo-stable:80\n  weight: 10'), services])).toEqual([
      expect.stringMatching(/mappings\[0\]: Mapping "echo" sets spec\.weight: the controller refuses it \("Ambassador mapping "echo" can not define weight"\)/),
    ]);
    expect(problems([ro, edit(mapping, '  service: echo-stable:80', '  service: echo:80'), services])).toEqual([
      expect.stringMatching(/mappings\[0\]: Mapping "echo" routes to "echo:80", which does not hold the stableService "echo-stable".*so no request reaches the canary at any weight/),
    ]);
    // Without the Mapping among the files: said not checked.
    expect(warnings([ro, services])).toEqual([expect.stringMatching(/ambassador: not checked: the Mappings it names \(the files hold none\)/)]);
  });

  it('namespaces: a route in another namespace than the Rollout\'s is refused with the vendor\'s words; none given is the Rollout\'s', () => {
    const doc = page('docs-traefik.md');
    // The Rollout has no namespace and the TraefikService one, or the reverse: applied where the other is.
    expect(problems([into(doc, 'TraefikService', 'shop')])).toEqual([]);
    expect(problems([into(doc, 'Rollout', 'shop')])).toEqual([]);
    expect(problems([into(into(doc, 'TraefikService', 'shop'), 'Rollout', 'shop')])).toEqual([]);
    expect(problems([into(into(doc, 'TraefikService', 'edge'), 'Rollout', 'shop')])).toEqual([
      expect.stringMatching(/traefik\.weightedTraefikServiceName: TraefikService "traefik-service": the files hold it in namespace "edge", not in "shop" \(the Rollout's namespace\), where the controller looks: it cannot set the weights \("traefikservices\.traefik\.io "traefik-service" not found"\)/),
    ]);
    const ro = into(file('ambassador-rollout.yaml'), 'Rollout', 'shop');
    expect(problems([ro, into(file('ambassador-echo-mapping.yaml'), 'Mapping', 'ambassador'), file('ambassador-echo-service.yaml')])).toEqual([
      expect.stringMatching(/mappings\[0\]: Mapping "echo": the files hold it in namespace "ambassador", not in "shop".*\("Ambassador mapping "echo" not found"\)/),
    ]);
    const mesh = file('appmesh-canary-service.yaml');
    expect(problems([edit(file('appmesh-canary-rollout.yaml'), '  name: my-rollout\n  namespace: argo-examples\n', '  name: my-rollout\n  namespace: other\n'), mesh])).toEqual([
      expect.stringMatching(/appMesh\.virtualService\.name: VirtualService "my-svc": the files hold it in namespace "argo-examples", not in "other".*"VirtualService `my-svc` not found in namespace `other`"/),
      expect.stringMatching(/canaryVirtualNodeRef\.name: VirtualNode "my-vn-canary": the files hold it in namespace "argo-examples", not in "other".*"VirtualNode `my-vn-canary` not found in namespace `other`"/),
      expect.stringMatching(/stableVirtualNodeRef\.name: VirtualNode "my-vn-stable": the files hold it in namespace "argo-examples"/),
    ]);
    // Istio: "name.namespace" names the namespace (the last field); ".cluster.local" is stripped, ".svc" is not
    // (GetVirtualServiceNamespaceName reads "x.mesh.svc" as "x.mesh" in namespace "svc").
    const istio = file('e2e-istio-host-split.yaml');
    const vsName = 'istio-host-split-vsvc';
    const inMesh = into(istio, 'VirtualService', 'mesh');
    // The canary and stable Services are read in the Rollout's namespace too (a warning: queries filtered on them).
    expect(toScenarioParts([into(into(inMesh, 'Service', 'other'), 'Rollout', 'mesh')]).warnings).toContainEqual(expect.stringMatching(/canary\.(canary|stable)Service: Service "[^"]+": the files hold it in namespace "other", not in "mesh" \(the Rollout's namespace\)/));
    expect(problems([inMesh])).toEqual([]);
    expect(problems([into(inMesh, 'Rollout', 'shop')])).toEqual([expect.stringMatching(new RegExp(`VirtualService "${vsName}": the files hold it in namespace "mesh", not in "shop" \\(the Rollout's namespace\\).*"VirtualService \`${vsName}\` not found"`))]);
    expect(problems([edit(into(inMesh, 'Rollout', 'shop'), `            name: ${vsName}\n`, `            name: ${vsName}.mesh.svc.cluster.local\n`)])).toEqual([expect.stringMatching(/virtualService\.name: no VirtualService "istio-host-split-vsvc\.mesh" in the files given/)]);
    expect(problems([edit(into(inMesh, 'Rollout', 'shop'), `            name: ${vsName}\n`, `            name: ${vsName}.mesh.cluster.local\n`)])).toEqual([]);
    expect(problems([edit(into(inMesh, 'Rollout', 'shop'), `            name: ${vsName}\n`, `            name: ${vsName}.mesh\n`)])).toEqual([]);
    // A subset split's DestinationRule, read in the Rollout's namespace (istio.go getDestinationRule).
    const subset = file('istio-subset-split.yaml');
    expect(problems([edit(subset, '            name: istio-subset-split-destrule', '            name: istio-subset-split-destrul')])).toEqual([expect.stringMatching(/istio\.destinationRule\.name: no DestinationRule "istio-subset-split-destrul" in the files given; did you mean "istio-subset-split-destrule"\?.*\("DestinationRule `istio-subset-split-destrul` not found"\)/)]);
    expect(problems([into(into(subset, 'DestinationRule', 'mesh'), 'Rollout', 'shop')])).toEqual([
      expect.stringMatching(/istio\.destinationRule\.name: DestinationRule "istio-subset-split-destrule": the files hold it in namespace "mesh", not in "shop"/),
    ]);
    // The Gateway API plugin reads the routes in its config's namespace (this example's: default), else the Rollout's.
    const plugin = file('gatewayapi-plugin-rollout.yml');
    const route = into(file('gatewayapi-plugin-httproute.yml'), 'HTTPRoute', 'gateways');
    expect(problems([plugin, route])).toEqual([expect.stringMatching(/gatewayAPI\.httpRoute: HTTPRoute "argo-rollouts-http-route": the files hold it in namespace "gateways", not in "default" \(the plugin's namespace, spec\.strategy\.canary\.trafficRouting\.plugins\.argoproj-labs\/gatewayAPI\.namespace\).*\("httproutes\.gateway\.networking\.k8s\.io "argo-rollouts-http-route" not found"\)/)]);
    expect(problems([edit(plugin, 'namespace: default # namespace', 'namespace: gateways # namespace'), route])).toEqual([]);
    const unset = into(edit(plugin, '            namespace: default # namespace where this rollout resides\n', ''), 'Rollout', 'shop');
    expect(problems([unset, route])).toEqual([expect.stringMatching(/HTTPRoute "argo-rollouts-http-route": the files hold it in namespace "gateways", not in "shop" \(the Rollout's namespace\)/)]);
    expect(problems([into(edit(plugin, '            namespace: default # namespace where this rollout resides\n', ''), 'Rollout', 'gateways'), route])).toEqual([]);
  });

  it('Istio: a VirtualService with TLS routes alone passes over the HTTP routes named; with no routes at all it is refused', () => {
    // rollout/trafficrouting/istio/istio.go reconcileVirtualService validates HTTP routes only when GetHttpRoutesI
    // finds spec.http (unstructured.NestedSlice); test/e2e/istio_test.go TestIstioHostSplitOnlyTls rolls this file
    // out through its pause. It was refused: "has no HTTP route "primary"".
    const tls = file('e2e-istio-host-only-tls-split.yaml');
    expect(problems([tls])).toEqual([]);
    expect(toScenarioParts([tls]).warnings).toContainEqual(expect.stringMatching(/^e2e-istio-host-only-tls-split\.yaml:64:13: spec\.strategy\.canary\.trafficRouting\.istio\.virtualService\.routes: VirtualService "istio-host-split-tls-vsvc" has no HTTP routes: the controller passes over the routes named here/));
    // An empty list is a list: the route is looked for, and not found.
    expect(problems([edit(tls, '  tls:\n', '  http: []\n  tls:\n')])).toEqual([expect.stringMatching(/routes\[0\]: VirtualService "istio-host-split-tls-vsvc" has no HTTP route "primary"/)]);
    // validation_references.go ValidateVirtualService: none of HTTP, TLS or TCP routes.
    expect(problems([edit(tls, '  tls:\n', '  tlsx:\n')])).toEqual([expect.stringMatching(/virtualService\.name: VirtualService "istio-host-split-tls-vsvc" has no HTTP, TLS or TCP routes: the controller refuses the Rollout \("Unable to get any of the HTTP, TCP or TLS routes for the Istio VirtualService"\)/)]);
  });
});
