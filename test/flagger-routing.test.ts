/**
 * analysis.match and analysis.sessionAffinity as Flagger's routers read them (fluxcd/flagger pkg/router,
 * pkg/controller/scheduler.go runAB, pkg/apis/flagger/v1beta1/canary.go DeploymentStrategy and GetMaxAge).
 * runAB calls SetRoutes(primary 0, canary 100): istio.go, gateway_api.go, contour.go, gloo.go, ingress.go (nginx)
 * and appmesh.go route only the requests that match there; smi.go (linkerd, smi:*, osm), kuma.go, skipper.go,
 * traefik.go, apisix.go and knative.go read no match, so every request reaches the canary during the iterations.
 * sessionAffinity is read by istio.go and gateway_api.go getSessionAffinityRouteRules only, and only while the
 * weighted route is in place (the A/B routes replace it; a blue/green analysis keeps the weight at 0). The parts of
 * a match dropped: ingress.go SetRoutes (nginx: headers only, one header, a cookie's exact value) and istio.go
 * mergeMatchConditions (with spec.service.match, each entry's headers and sourceLabels only).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { importFlaggerPlan } from '../src/interop/flagger/plan.js';
import { importCommand } from '../src/cli/import.js';
import type { SourceFile } from '../src/interop/kube/resources.js';

const FLAGGER = 'test/fixtures/vendor/flagger/';
const file = (name: string): SourceFile => ({ file: name, text: readFileSync(FLAGGER + name, 'utf8') });
const edit = (f: SourceFile, from: string, to: string): SourceFile => {
  expect(f.text).toContain(from);
  return { file: f.file, text: f.text.replace(from, to) };
};
const exposure = { percent: 10, from: null, at: 'rollout[0].flagger.exposure' };
const plan = (f: SourceFile) => {
  const r = importFlaggerPlan([f], exposure);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return { percents: r.plan.stages.map((s) => s.percent), warnings: r.plan.warnings };
};

describe('Flagger A/B: match as the router reads it', () => {
  // istio-abtest.yaml (artifacts/examples/istio-abtest.yaml): iterations with header and cookie matches.
  const abtest = file('istio-abtest.yaml');
  it('istio routes only the matching requests: the users the match selects (the exposure) reach the canary', () => {
    expect(plan(abtest).percents).toEqual([10, 100]);
  });
  it.each(['linkerd', 'kuma', 'traefik', 'apisix', 'skipper', 'osm', 'smi:v1alpha3', 'knative'])('%s reads no match: every request reaches the canary during the iterations', (provider) => {
    // Provider knative takes a Knative Service as target and no autoscalerRef (pkg/controller/controller.go verifyKnativeCanary).
    const knative = (f: SourceFile) => (provider !== 'knative' ? f : edit(f, '    apiVersion: apps/v1\n    kind: Deployment\n    name: podinfo\n  autoscalerRef:\n    apiVersion: autoscaling/v2\n    kind: HorizontalPodAutoscaler\n    name: podinfo\n', '    apiVersion: serving.knative.dev/v1\n    kind: Service\n    name: podinfo\n'));
    const p = plan(knative(edit(abtest, '  provider: istio\n', `  provider: ${provider}\n`)));
    expect(p.percents).toEqual([100, 100]);
    expect(p.warnings).toContainEqual(expect.stringMatching(new RegExp(`^istio-abtest\\.yaml:\\d+:\\d+: spec\\.analysis\\.match: the ${provider.replace(/[.:]/g, '\\$&')} router does not read analysis\\.match: Flagger's A/B \\(runAB\\) sets the routes to primary 0, canary 100, so every request reaches the canary during the 10 iterations: rehearsed at 100% of users`)));
  });
  it.each(['nginx', 'contour', 'gloo', 'appmesh', 'gatewayapi:v1'])('%s routes by match: the exposure', (provider) => {
    expect(plan(edit(abtest, '  provider: istio\n', `  provider: ${provider}\n`)).percents).toEqual([10, 100]);
  });
  it('rehearse import flagger writes 100% for a router that reads no match, and asks for the share that matches otherwise', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-flagger-ab-'));
    writeFileSync(join(tmp, 'linkerd.yaml'), edit(abtest, '  provider: istio\n', '  provider: linkerd\n').text);
    const stages = (f: string) => (parse(importCommand('flagger', [f], 'f').text) as { rollout: { stages: { to: string }[] }[] }).rollout[0].stages.map((s) => s.to);
    expect(stages(FLAGGER + 'istio-abtest.yaml')).toEqual(['50%', '100%']);
    expect(stages(join(tmp, 'linkerd.yaml'))).toEqual(['100%', '100%']);
  });
});

describe('Flagger A/B: the parts of a match the router drops are said at their place', () => {
  const abtest = file('istio-abtest.yaml');
  const said = (f: SourceFile) => plan(f).warnings.filter((w) => /spec\.analysis\.match\[/.test(w));
  it('istio-abtest.yaml as it is: headers only, nothing dropped', () => {
    expect(said(abtest)).toEqual([]);
  });
  it('istio with spec.service.match: an entry\'s uri is dropped (istio.go mergeMatchConditions keeps headers and sourceLabels)', () => {
    const uri = edit(abtest, '    - headers:\n        user-agent:', '    - uri:\n        prefix: /api\n      headers:\n        user-agent:');
    // Flagger's CRD (crd.yaml, analysis.match items: headers, queryParams, sourceLabels) has no uri there: the API server
    // prunes it before any router reads it, which is said first.
    const pruned = 'istio-abtest.yaml:45:9: spec.analysis.match[1].uri: not a field of the current CRD: the API server prunes it, and Flagger never sees it';
    expect(said(uri)).toEqual([pruned, expect.stringMatching(/^istio-abtest\.yaml:45:9: spec\.analysis\.match\[1\]\.uri: with spec\.service\.match set, the istio router keeps only headers and sourceLabels/)]);
    // Without the service's match, the router would take the entry whole: the pruning alone is said.
    expect(said(edit(uri, '    match:\n      - uri:\n          prefix: /\n', ''))).toEqual([pruned.replace(':45:9:', ':42:9:')]);
  });
  it('nginx: a cookie\'s regex, a header\'s prefix, a second header and a uri are dropped (ingress.go SetRoutes)', () => {
    const nginx = edit(abtest, '  provider: istio\n', '  provider: nginx\n');
    expect(said(nginx)).toEqual([expect.stringMatching(/spec\.analysis\.match\[0\]\.headers\.cookie\.regex: the nginx router reads a cookie's exact value only/)]);
    const more = edit(nginx, '    - headers:\n        user-agent:', '    - uri:\n        prefix: /api\n      headers:\n        x-canary:\n          prefix: "yes"\n        user-agent:');
    expect(said(more).map((w) => w.replace(/^[^ ]+ /, '').split(':')[0])).toEqual([
      'spec.analysis.match[1].uri', 'spec.analysis.match[0].headers.cookie.regex', 'spec.analysis.match[1].uri', 'spec.analysis.match[1].headers.x-canary.prefix', 'spec.analysis.match[1].headers.x-canary',
    ]);
  });
});

describe('Flagger sessionAffinity as the router reads it', () => {
  // test/istio/test-session-affinity.sh of fluxcd/flagger: stepWeight 10 to maxWeight 30, cookieName and primaryCookieName.
  const sa = file('e2e-istio-session-affinity-canary.yaml');
  const note = (f: SourceFile) => plan(f).warnings.filter((w) => w.includes('spec.analysis.sessionAffinity'));
  // pkg/router/istio.go (gateway_api.go alike) getSessionAffinityRouteRules: above weight 0, the canary's answers set
  // cookieName with BuildCookie(…, GetMaxAge()) and a route ahead of the weighted one sends requests carrying it to the
  // canary; primaryCookieName's cookie lasts int(interval.Seconds()); pkg/apis/flagger/v1beta1/canary.go GetMaxAge
  // (0: 86400) and BuildCookie ("%s; Max-Age=%d", a negative one as it is). rehearse's users carry no cookie: the note
  // says exactly how many users Flagger's canary would reach instead.
  it('with weights on istio: what Flagger\'s cookies do and exactly how the rehearsal differs, with the cookie\'s Max-Age', () => {
    const rehearsed = 'Rehearsed otherwise: rehearse\'s users carry no cookie, and each user\'s side is fixed by the flag\'s bucketing, so exactly the weight\'s share of users reach the canary (the same users, with more, at each later weight), however many requests they send';
    // Weights 10, 20, 30 held 15s each; with primaryCookieName a user is split once an interval: 1 - 0.9 * 0.8 * 0.7 = 49.6%.
    expect(note(sa)).toEqual([`e2e-istio-session-affinity-canary.yaml:25:7: spec.analysis.sessionAffinity: Flagger's router splits each request without a cookie by the weight and pins a user the canary answered to the canary (cookieName, Max-Age 86400s) while its weight is above 0; primaryCookieName pins a user the primary answered there for one analysis interval (15s), then the user's next request is split again: a user with requests in every interval has reached the canary by the last weight with probability 1-(1-w1)(1-w2)... over the weights (10, 20, 30%): 49.6%, against 30% of users in the rehearsal. ${rehearsed}: the canary reaches fewer users than with Flagger, where the share grows with each user's requests`]);
    // Without primaryCookieName every request is split until one reaches the canary: 1 - 0.9^10 = 65.1%; a cookie shorter than the 45s held expires.
    expect(note(edit(sa, '      primaryCookieName: primary-flagger-cookie\n', '      maxAge: 30\n'))).toEqual([expect.stringContaining('(cookieName, Max-Age 30s) while its weight is above 0; every request without it is split again: a user sending n requests at weight w has reached the canary with probability 1-(1-w)^n (at the first weight, 10%, 1 request: 10%, 10 requests: 65.1%); the cookie lasts 30s, less than the 45s the weights are held, so a pinned user is split again after it. Rehearsed otherwise')]);
    expect(note(edit(sa, '      primaryCookieName: primary-flagger-cookie\n', '      maxAge: 0\n'))).toEqual([expect.stringContaining('Max-Age 86400s) while')]);
    expect(note(edit(sa, '      primaryCookieName: primary-flagger-cookie\n', '      maxAge: -1\n'))).toEqual([expect.stringContaining('spec.analysis.sessionAffinity: maxAge -1: Flagger writes the cookie with Max-Age=-1, which the browser drops at once, so no user is pinned and the router splits every request by the weight: rehearsed so (split: requests), each request to the canary with the weight\'s probability, on its own')]);
  });
  it('a router that does not read it, and an A/B analysis whose routes replace it, say it changes nothing', () => {
    expect(note(edit(sa, '  progressDeadlineSeconds: 60\n', '  progressDeadlineSeconds: 60\n  provider: linkerd\n'))).toEqual([expect.stringMatching(/the linkerd router does not read sessionAffinity \(only istio and gatewayapi do\)/)]);
    expect(note(edit(sa, '  progressDeadlineSeconds: 60\n', '  progressDeadlineSeconds: 60\n  provider: gatewayapi:v1\n'))).toEqual([expect.stringMatching(/pins a user the canary answered to the canary/)]);
    const ab = edit(sa, '    maxWeight: 30\n    stepWeight: 10\n', '    iterations: 5\n    match: [{ headers: { x-canary: { exact: insider } } }]\n');
    expect(note(ab)).toEqual([expect.stringMatching(/with match, the router replaces the weighted routes with the match routes .*: sessionAffinity has no effect/)]);
  });
});
