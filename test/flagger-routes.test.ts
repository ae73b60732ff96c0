/**
 * The route a Flagger router reads, against the files given, in the Canary's namespace as fluxcd/flagger reads it:
 * pkg/router/ingress.go Reconcile (nginx: Ingresses(canary.Namespace).Get(spec.ingressRef.name), "ingress %s.%s
 * get query error", "backend %s not found in ingress %s"), skipper.go Reconcile ("apexIngress %s.%s get query
 * error"), apisix.go Reconcile and getTargetHttpRoute (ApisixRoutes(canary.Namespace).Get(spec.routeRef.name),
 * "APISIX route %s.%s get query error", "Can not find %s backend on apisix route %s.%s", "only one http backend
 * is supported"). Flagger's own e2e scripts (test/nginx/test-canary.sh, test/apisix/test-canary.sh) import as
 * they are; one field changed is refused at its place with Flagger's words.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/flagger/index.js';
import type { SourceFile } from '../src/interop/kube/resources.js';

const FLAGGER = 'test/fixtures/vendor/flagger/';
/** The resources a script applies first (its `cat <<EOF | kubectl apply -f -` heredocs up to line `last`), each line kept at its place. */
const script = (name: string, last: number): SourceFile => {
  let inside = false;
  const lines = readFileSync(FLAGGER + name, 'utf8').split('\n').slice(0, last).map((l) => {
    if (l === 'cat <<EOF | kubectl apply -f -') return (inside = true) && '---';
    if (l === 'EOF') inside = false;
    return inside ? l : '#';
  });
  return { file: name, text: lines.join('\n') };
};
const edit = (f: SourceFile, from: string, to: string): SourceFile => {
  expect(f.text).toContain(from);
  return { file: f.file, text: f.text.replace(from, to) };
};
const problems = (f: SourceFile, meshProvider?: string) => {
  const r = toScenarioParts([f], { meshProvider });
  return r.ok ? [] : r.problems;
};

describe('Flagger routes against the files given, in the Canary\'s namespace', () => {
  // (The scripts go on to apply other Canaries once the first is promoted.)
  const nginx = script('e2e-nginx-test-canary.sh', 104);
  const apisix = script('e2e-apisix-test-canary.sh', 97);

  it('Flagger\'s e2e files import with no problem', () => {
    expect(problems(nginx, 'nginx')).toEqual([]);
    expect(problems(nginx, 'skipper')).toEqual([]);
    expect(problems(apisix)).toEqual([]);
  });

  it('nginx: an Ingress the files do not hold, or one without the apex Service as backend, is refused', () => {
    expect(problems(edit(nginx, '    kind: Ingress\n    name: podinfo', '    kind: Ingress\n    name: podinf'), 'nginx')).toEqual([
      expect.stringMatching(/^e2e-nginx-test-canary\.sh:73:11: spec\.ingressRef\.name: no Ingress "podinf" in the files given; did you mean "podinfo"\?.*\("ingress podinf\.test get query error: ingresses\.networking\.k8s\.io "podinf" not found"\) and the canary does not start$/),
    ]);
    expect(problems(edit(nginx, '            name: podinfo\n            port:', '            name: frontend\n            port:'), 'nginx')).toEqual([
      expect.stringMatching(/spec\.ingressRef\.name: Ingress "podinfo" has no path with the Service "podinfo" as backend.*"backend podinfo not found in ingress podinfo"/),
    ]);
    // skipper's backend check never fails (skipper.go compares two pointers): only the Ingress is needed.
    expect(problems(edit(nginx, '            name: podinfo\n            port:', '            name: frontend\n            port:'), 'skipper')).toEqual([]);
  });

  it('an Ingress or ApisixRoute in another namespace than the Canary\'s is refused with Flagger\'s words', () => {
    const moved = edit(nginx, '  name: podinfo\n  namespace: test\n  labels:', '  name: podinfo\n  namespace: web\n  labels:');
    expect(problems(moved, 'nginx')).toEqual([
      expect.stringMatching(/spec\.ingressRef\.name: Ingress "podinfo": the files hold it in namespace "web", not in "test" \(the Canary's namespace\), where the controller looks: the nginx router cannot read it \("ingress podinfo\.test get query error: ingresses\.networking\.k8s\.io "podinfo" not found"\)/),
    ]);
    expect(problems(moved, 'skipper')).toEqual([expect.stringMatching(/"apexIngress podinfo\.test get query error/)]);
    // A resource without a namespace is applied where the Canary is.
    expect(problems(edit(nginx, '  name: podinfo\n  namespace: test\n  labels:', '  name: podinfo\n  labels:'), 'nginx')).toEqual([]);
    expect(problems(edit(apisix, 'kind: ApisixRoute\nmetadata:\n  name: podinfo\n  namespace: test', 'kind: ApisixRoute\nmetadata:\n  name: podinfo\n  namespace: apisix'))).toEqual([
      expect.stringMatching(/spec\.routeRef\.name: ApisixRoute "podinfo": the files hold it in namespace "apisix", not in "test".*\("APISIX route podinfo\.test get query error: apisixroutes\.apisix\.apache\.org "podinfo" not found"\)/),
    ]);
  });

  it('a route the files do not hold is said not checked', () => {
    const alone = { file: nginx.file, text: nginx.text.replace(/---\napiVersion: networking\.k8s\.io\/v1\nkind: Ingress\n/, '---\napiVersion: v1\nkind: ConfigMap\n') };
    const r = toScenarioParts([alone], { meshProvider: 'nginx' });
    expect(r.ok).toBe(true);
    expect(r.warnings.filter((w) => w.includes('spec.ingressRef'))).toEqual(['e2e-nginx-test-canary.sh:73:11: spec.ingressRef.name: not checked: the Ingress "podinfo" the nginx router reads (the files hold no Ingress); give it beside the Canary to check it as Flagger finds it']);
    expect(toScenarioParts([nginx], { meshProvider: 'nginx' }).warnings.filter((w) => w.includes('spec.ingressRef'))).toEqual([]);
  });

  it('apisix: a rule with the apex Service as its one backend is needed', () => {
    expect(problems(edit(apisix, '        - serviceName: podinfo', '        - serviceName: other'))).toEqual([
      expect.stringMatching(/ApisixRoute "podinfo" has no http rule with the Service "podinfo" as backend.*"Can not find podinfo backend on apisix route podinfo\.test"/),
    ]);
    expect(problems(edit(apisix, '        - serviceName: podinfo\n          servicePort: 80\n', '        - serviceName: podinfo\n          servicePort: 80\n        - serviceName: other\n          servicePort: 80\n'))).toEqual([
      expect.stringMatching(/the http rule "method" of ApisixRoute "podinfo" has 2 backends.*"APISIX route podinfo\.test's http route method only one http backend is supported"/),
    ]);
  });
});
