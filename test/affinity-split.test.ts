/**
 * A DestinationRule's consistentHash and a Service's sessionAffinity: ClientIP beside a weighted canary, as the
 * systems run them (src/interop/kube/affinity.ts). Istio writes a route with several weighted destinations as Envoy
 * weighted_clusters with nothing that hashes the pick (istio/istio pilot/pkg/networking/core/route/route.go
 * applyHTTPRouteDestination: `WeightedCluster{Clusters: weighted}`, the hash going to the route's hash policy for
 * the chosen cluster's load balancer), so each request is split by the weights and the hash then picks a host of
 * that side: istio/api networking/v1alpha3/destination_rule.proto ConsistentHashLB, "affinity to a particular
 * destination host"; istio/istio#9764 and #33343, fluxcd/flagger#7. The importers keep split: requests and say so at
 * the hash. kube-proxy's ClientIP affinity keeps a client address on one pod of the Service; without a router
 * (Argo's basic canary) that Service selects the pods of both ReplicaSets, so each client stays on one side:
 * split: users. The DestinationRule below is the proto's own example (bookinfo-ratings, httpCookie user, ttl 0s).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import type { SourceFile } from '../src/interop/kube/resources.js';

const vendor = (dir: string, name: string): SourceFile => ({ file: name, text: readFileSync(`test/fixtures/vendor/${dir}/${name}`, 'utf8') });
const PROTO_POLICY = '  trafficPolicy:\n    loadBalancer:\n      consistentHash:\n        httpCookie:\n          name: user\n          ttl: 0s\n';
const argo = (files: SourceFile[]) => {
  const r = argoParts(files);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return { split: r.parts.splitBy, warnings: r.warnings };
};

describe('Argo with the istio router: a consistentHash pins a pod of a side, not the side', () => {
  const f = vendor('argo', 'istio-subset-split.yaml');
  it('the named DestinationRule\'s policy: split: requests, warned at the hash with file:line:column', () => {
    expect(f.text).toContain('  host: istio-subset-split\n  subsets:\n');
    const text = f.text.replace('  host: istio-subset-split\n  subsets:\n', `  host: istio-subset-split\n${PROTO_POLICY}  subsets:\n`);
    const r = argo([{ file: f.file, text }]);
    expect(r.split).toBe('requests');
    const note = r.warnings.filter((w) => w.includes('consistentHash ('));
    expect(note).toHaveLength(1);
    // At the hash's value (the httpCookie mapping, on the line after consistentHash:), as every message of the files.
    const line = text.split('\n').findIndex((l) => l === '      consistentHash:') + 2;
    expect(line).toBeGreaterThan(30);
    expect(note[0].startsWith(`istio-subset-split.yaml:${line}:9: spec.trafficPolicy.loadBalancer.consistentHash: consistentHash (httpCookie) picks a pod among those of the side a request was sent to; it does not keep a user on one side.`)).toBe(true);
    expect(note[0]).toContain('rollout/trafficrouting/istio/istio.go SetWeight');
    expect(note[0]).toContain('applyHTTPRouteDestination');
    expect(note[0]).toContain('Rehearsed so: each request split on its own (split: requests)');
  });

  it('a subset\'s and a port\'s policy, each hash key by name', () => {
    const text = f.text.replace('  - name: canary\n    labels:\n      app: istio-subset-split\n', '  - name: canary\n    labels:\n      app: istio-subset-split\n    trafficPolicy:\n      portLevelSettings:\n      - port: {number: 80}\n        loadBalancer: {consistentHash: {useSourceIp: true}}\n      loadBalancer: {consistentHash: {httpHeaderName: x-user}}\n');
    expect(text).not.toBe(f.text);
    const notes = argo([{ file: f.file, text }]).warnings.filter((w) => w.includes('consistentHash ('));
    expect(notes.map((n) => n.split(': ')[1])).toEqual(['spec.subsets[1].trafficPolicy.loadBalancer.consistentHash', 'spec.subsets[1].trafficPolicy.portLevelSettings[0].loadBalancer.consistentHash']);
    expect(notes[0]).toContain('consistentHash (httpHeaderName)');
    expect(notes[1]).toContain('consistentHash (useSourceIp)');
  });

  it('a host split: the DestinationRules of the canary and stable Services; another host\'s is not read', () => {
    const h = vendor('argo', 'e2e-istio-host-split.yaml');
    const rule = (name: string, host: string) => `\n---\napiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: ${name}\nspec:\n  host: ${host}\n  trafficPolicy:\n    loadBalancer:\n      consistentHash: {httpQueryParameterName: user}\n`;
    const text = `${h.text}${rule('canary-dr', 'istio-host-split-canary')}${rule('other-dr', 'reviews')}${rule('fqdn-dr', 'istio-host-split-stable.default.svc.cluster.local')}`;
    const r = argo([{ file: h.file, text }]);
    expect(r.split).toBe('requests');
    const notes = r.warnings.filter((w) => w.includes('consistentHash ('));
    expect(notes).toHaveLength(2);
    expect(notes.every((n) => n.includes('consistentHash (httpQueryParameterName)'))).toBe(true);
  });
});

describe('Argo without trafficRouting: a ClientIP Service in front of both ReplicaSets pins each client to a side', () => {
  const f = vendor('argo', 'rollout-canary.yaml');
  const service = (affinity: string, selector = 'app: rollout-canary') => `---\napiVersion: v1\nkind: Service\nmetadata:\n  name: rollout-canary\nspec:\n  selector:\n    ${selector}\n  ports:\n  - port: 80\n${affinity}`;
  const svc = (text: string): SourceFile => ({ file: 'service.yaml', text });

  it('sessionAffinity: ClientIP: split: users, warned at the Service with the timeout kube-proxy keeps', () => {
    const r = argo([f, svc(service('  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}\n'))]);
    expect(r.split).toBe('users');
    const note = r.warnings.find((w) => w.includes('spec.sessionAffinity'));
    expect(note).toContain('service.yaml:11:20: spec.sessionAffinity: Service "rollout-canary" selects the pods of both the canary and the stable ReplicaSets');
    expect(note).toContain('timeoutSeconds (600s)');
    expect(note).toContain('Rehearsed per user (split: users)');
    // The note of an unpinned Service's split (per request) is not given beside it.
    expect(r.warnings.some((w) => w.includes('no trafficRouting: the controller scales'))).toBe(false);
    // The Service that decided the split is rehearsed: the note of what is context does not list it.
    expect(r.warnings.some((w) => w.includes('context, not rehearsed') && w.includes('Service "rollout-canary"'))).toBe(false);
    const unpinned = argo([f, svc(service('  sessionAffinity: None\n'))]);
    expect(unpinned.warnings.some((w) => w.includes('context, not rehearsed') && w.includes('Service "rollout-canary"'))).toBe(true);
  });

  it('the default timeout is 10800 s; None, another selector or no Service: split: requests as before', () => {
    expect(argo([f, svc(service('  sessionAffinity: ClientIP\n'))]).warnings.find((w) => w.includes('spec.sessionAffinity'))).toContain('(10800s, the default)');
    // A timeout the API server refuses is said so (ValidateService: 1 to 86400).
    const odd = argo([f, svc(service('  sessionAffinity: ClientIP\n  sessionAffinityConfig: {clientIP: {timeoutSeconds: 0}}\n'))]);
    expect(odd.warnings.find((w) => w.includes('spec.sessionAffinity'))).toContain('(0 is no integer from 1 to 86400: the API server refuses the Service (ValidateService))');
    for (const other of [service('  sessionAffinity: None\n'), service('  sessionAffinity: ClientIP\n', 'app: other')]) {
      const r = argo([f, svc(other)]);
      expect(r.split).toBe('requests');
      expect(r.warnings.some((w) => w.includes('no trafficRouting: the controller scales'))).toBe(true);
    }
    expect(argo([f]).split).toBe('requests');
  });

  it('behind a router, a ClientIP canary or stable Service pins a pod of one side: split: requests, warned', () => {
    const h = vendor('argo', 'e2e-istio-host-split.yaml');
    const text = h.text.replace('  name: istio-host-split-canary\nspec:\n', '  name: istio-host-split-canary\nspec:\n  sessionAffinity: ClientIP\n');
    expect(text).not.toBe(h.text);
    const r = argo([{ file: h.file, text }]);
    expect(r.split).toBe('requests');
    expect(r.warnings.find((w) => w.includes('ClientIP affinity'))).toContain('e2e-istio-host-split.yaml:6:20: spec.sessionAffinity: ClientIP affinity keeps a client address on one pod behind Service "istio-host-split-canary"');
  });
});

describe('Flagger: the Canary\'s trafficPolicy and the files\' DestinationRules', () => {
  const f = vendor('flagger', 'istio-canary.yaml');
  const flagger = (files: SourceFile[]) => {
    const r = flaggerParts(files);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    return { split: r.parts.splitBy, warnings: r.warnings };
  };
  const hashed = f.text.replace('    trafficPolicy:\n      tls:\n        mode: DISABLE\n', '    trafficPolicy:\n      tls:\n        mode: DISABLE\n      loadBalancer:\n        consistentHash:\n          useSourceIp: true\n');

  it('spec.service.trafficPolicy.loadBalancer.consistentHash under the istio router: split: requests, warned once at the field', () => {
    expect(hashed).not.toBe(f.text);
    const r = flagger([{ file: f.file, text: hashed }]);
    expect(r.split).toBe('requests');
    const at = r.warnings.filter((w) => w.includes('consistentHash'));
    expect(at).toHaveLength(1);
    expect(at[0]).toMatch(/^istio-canary\.yaml:\d+:\d+: spec\.service\.trafficPolicy\.loadBalancer\.consistentHash: consistentHash \(useSourceIp\) picks a pod/);
    expect(at[0]).toContain('pkg/router/istio.go reconcileDestinationRule');
  });

  it('another router does not read trafficPolicy: said at the hash', () => {
    const r = flagger([{ file: f.file, text: hashed.replace('provider: istio', 'provider: linkerd') }]);
    expect(r.warnings.filter((w) => w.includes('consistentHash'))[0]).toContain('the linkerd router does not read spec.service.trafficPolicy');
  });

  it('a DestinationRule of the files for podinfo-canary is replaced by Flagger; one for the apex applies to no route', () => {
    const rule = (name: string, host: string) => `---\napiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata:\n  name: ${name}\n  namespace: test\nspec:\n  host: ${host}\n  trafficPolicy:\n    loadBalancer:\n      consistentHash: {httpHeaderName: x-user}\n`;
    const r = flagger([f, { file: 'rules.yaml', text: `${rule('podinfo-canary', 'podinfo-canary')}${rule('podinfo', 'podinfo.test.svc.cluster.local')}${rule('other', 'other')}` }]);
    expect(r.split).toBe('requests');
    const notes = r.warnings.filter((w) => w.startsWith('rules.yaml:') && w.includes('consistentHash'));
    expect(notes).toHaveLength(2);
    expect(notes[0]).toContain('rules.yaml:11:23: spec.trafficPolicy.loadBalancer.consistentHash: Flagger\'s istio router replaces the spec of DestinationRule "podinfo-canary"');
    expect(notes[1]).toContain('is for the apex Service "podinfo", which no destination of Flagger\'s VirtualService names');
  });
});
