/**
 * The readers of Kubernetes-shaped files besides import argo and flagger, given what `kubectl get -o yaml` prints: a
 * `kind: List` (a v1 List, of items of several kinds) whose items carry the fields the API server writes
 * (metadata.uid, resourceVersion, generation, creationTimestamp, managedFields, the last-applied-configuration
 * annotation, status). kubectl applies each item (cli-runtime pkg/resource/visitor.go FlattenListVisitor), so each is
 * read as the resource it is; the server's fields are named in one warning per resource (rule files) or per file
 * (calibrate's manifests), never one per field per item.
 */
import { readFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';

const served = (r: Record<string, unknown>, i: number) => ({
  ...r,
  metadata: {
    ...(r.metadata as object), uid: `0b6f2f0e-8d1c-4d3a-9a51-00000000000${i}`, resourceVersion: '48213', generation: 2, creationTimestamp: '2026-01-05T09:12:44Z',
    managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: String(r.apiVersion) }],
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify(r) },
  },
  status: {},
});

describe('PrometheusRules in a v1 List, as kubectl get prometheusrules,configmaps -A -o yaml prints them', () => {
  const one = parse(readFileSync('test/fixtures/vendor/kube-prometheus/kubePrometheus-prometheusRule.yaml', 'utf8'));
  const two = parse(readFileSync('test/fixtures/vendor/kube-prometheus/kubernetesControlPlane-prometheusRule.yaml', 'utf8'));
  const configMap = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'grafana' }, data: { a: 'b' } };
  const text = stringify({ apiVersion: 'v1', kind: 'List', items: [served(one, 0), served(configMap, 1), served(two, 2)], metadata: { resourceVersion: '' } });

  it('reads each PrometheusRule item, the groups of both files, and names the other item as not rules', () => {
    const r = readRuleFile(text, 'list.yaml');
    const alone = [...readRuleFile(stringify(one), 'a.yaml').groups, ...readRuleFile(stringify(two), 'b.yaml').groups];
    expect(r.groups.map((g) => [g.name, g.rules.length])).toEqual(alone.map((g) => [g.name, g.rules.length]));
    expect(r.warnings.filter((w) => w.includes('not rules, not read'))).toEqual([expect.stringMatching(/^list\.yaml: not rules, not read: list\.yaml:\d+:\d+: items\[1\] \(ConfigMap\)$/)]);
  });

  it('names the server\'s fields of each PrometheusRule in one warning, not one per field', () => {
    const w = readRuleFile(text, 'list.yaml').warnings.filter((x) => x.includes('written by the API server'));
    expect(w).toHaveLength(2);
    expect(w[0]).toMatch(/^list\.yaml:\d+:\d+: items\[0\]\.metadata\.uid, metadata\.resourceVersion, metadata\.generation, metadata\.creationTimestamp, metadata\.managedFields, metadata\.annotations\."kubectl\.kubernetes\.io\/last-applied-configuration", status: written by the API server/);
    expect(w[1]).toMatch(/items\[2\]\.metadata\.uid/);
  });
});

describe('calibrate --deployment manifests from kubectl get deployments,hpa,services -o yaml', () => {
  const deployment = (name: string, replicas: number) => ({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name, namespace: 'shop' }, spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name, image: 'x' }] } } } });
  const items = Array.from({ length: 40 }, (_, i) => served(deployment(`svc-${i}`, 2 + (i % 3)), i % 10));
  const hpa = served({ apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata: { name: 'svc-0', namespace: 'shop' }, spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'svc-0' }, minReplicas: 3, maxReplicas: 9 } }, 0);
  const text = stringify({ apiVersion: 'v1', kind: 'List', items: [...items, hpa], metadata: { resourceVersion: '' } });

  it('reads every workload of the List and its HPA, and names the server\'s fields of its 41 resources in one warning', () => {
    const m = readManifests([{ file: 'cluster.yaml', text }]);
    // svc-0 at its HPA's minReplicas, 3: the run holds the replicas the HPA starts from.
    expect(m.workloads.map((w) => [w.names[0], w.replicas])).toEqual(items.map((d, i) => [`svc-${i}`, i === 0 ? 3 : 2 + (i % 3)]));
    const w = m.warnings.filter((x) => x.includes('written by the API server'));
    expect(w).toEqual([expect.stringMatching(/^cluster\.yaml:\d+:\d+: metadata\.uid, metadata\.resourceVersion, metadata\.generation, metadata\.creationTimestamp, metadata\.managedFields, metadata\.annotations\."kubectl\.kubernetes\.io\/last-applied-configuration", status \(in 41 resources\): written by the API server/)]);
  });

  it('names the resources that describe no capacity in one warning per file, their kinds counted, at the first', () => {
    const svc = (i: number) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: `svc-${i}` }, spec: { ports: [{ port: 80 }] } });
    const cm = (i: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { a: 'b' } });
    const others = stringify({ apiVersion: 'v1', kind: 'List', items: [svc(0), cm(0), served(svc(1), 1), served(deployment('svc-0', 2), 2), cm(1), svc(2), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } }] });
    const m = readManifests([{ file: 'cluster.yaml', text: others }, { file: 'one.yaml', text: stringify(svc(9)) }]);
    expect(m.workloads.map((w) => w.names[0])).toEqual(['svc-0']);
    expect(m.warnings.filter((w) => w.includes('no capacity'))).toEqual([
      'cluster.yaml:4:5: Service svc-0 (document 1, items[0]) and 5 more: Service (3), ConfigMap (2), Namespace (1): describe no capacity; not read',
      'one.yaml:1:1: Service svc-9 (document 1): describes no capacity; not read',
    ]);
  });
});
