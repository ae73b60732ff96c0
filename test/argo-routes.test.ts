/**
 * The routes a Rollout's traffic router names, against the files given, as the controller finds them
 * (argoproj/argo-rollouts rollout/trafficrouting/apisix/apisix.go processSetWeightRoutes, alb/alb.go
 * SetWeightPerIngress with utils/ingress/ingress.go HasRuleWithService, nginx/nginx.go canaryIngress, smi/smi.go;
 * argoproj-labs/rollouts-plugin-trafficrouter-gatewayapi pkg/plugin/httproute.go setHTTPRouteWeight). Argo's own
 * e2e files (test/fixtures/vendor/argo) import as they are; one field changed is refused at its place, with the
 * vendor's words; routes whose resources are not given are said not checked.
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
    expect(problems([edit(alb, '          rootService: alb-canary-root', '          rootService: alb-canary-stable')])).toEqual([expect.stringMatching(/alb\.ingress: Ingress "alb-canary-ingress" has no rule for Service "alb-canary-stable".*ingress does not have service `alb-canary-stable` in rules/)]);
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
    const linkerd = file('rollout-linkerd.yaml');
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
