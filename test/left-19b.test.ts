/**
 * Small faithfulness gaps closed, each against the vendor's own rule.
 * - `calibrate --deployment` read a Deployment's `replicas: "3"` as 3 and a numeric `rehearse.dev/concurrency`
 *   annotation as workers, where the API server refuses both: a Deployment is decoded into its Go type
 *   (kubernetes/api apps/v1/types.go at d6dbde39: `Replicas *int32 json:"replicas,omitempty"`; metav1 ObjectMeta's
 *   `Annotations map[string]string`) with sigs.k8s.io/json, a fork of encoding/json, whose refusal is
 *   "json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32" and, for an
 *   unquoted annotation, "json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of
 *   type string" (the message kubernetes-sigs/external-dns#2521 and kustomize#2472 quote). A Rollout is checked
 *   against its CRD (argo-rollouts manifests/crds/rollout-crd.yaml: spec.replicas integer, annotations strings).
 * - Unleash state exports: the tags, tag types and feature tags beside the toggles are held to what the state import
 *   took, Joi over Unleash/unleash src/lib/services/tag-type-schema.ts, tag-schema.ts and src/lib/schema/
 *   feature-schema.ts featureTagSchema at ff377cd70461 (a feature tag's createdByUserId "5" is taken, a tag type's
 *   name 5 refused, where the feature import's ajv converts it; a state export's contextFields is "not allowed").
 *   test/fixtures/vendor/unleash/joi-17.12.3-state.jsonl holds Joi's own answers for 31 such files (joi/vectors.cjs);
 *   here the same files through the reader, refused at file:line:column. The ajv conversions that were typed on
 *   these fields (STORED_SCALARS) were reached by no walk once the feature export was validated by ajv itself.
 * - Zipkin: openzipkin/zipkin zipkin-lens/testdata/yelp.json (test/fixtures/traces/zipkin-yelp.json) has client
 *   spans reported by "unknown" and "yelp-main" under routing's server span, each with its server span under it.
 *   Zipkin's DependencyLinker (zipkin/src/main/java/zipkin2/internal/DependencyLinker.java at 878ce2a1, ported
 *   below) skips a client span with children, links its server child from the client's localServiceName, and links
 *   nothing from routing; rehearse keeps routing's calls (a journey needs the path) and now warns of each such span.
 * - argoproj/argo-rollouts test/e2e/expectedfailures/analysis-run-failfast.yaml (at 9f8d111d, a fixture): its second
 *   metric's `- name:` starts at column 5 of line 19. The yaml package gives "A block sequence may not be used as an
 *   implicit map key" the offset of the item before's end (yaml 2.9.1 compose/resolve-block-map.js), column 1; its
 *   next error, and the sequence, are at column 5: refused there now.
 */
import { describe, expect, it } from 'vitest';
import type { InputError } from '../src/errors.js';
import { readFileSync } from 'node:fs';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
import * as argo from '../src/interop/argo/index.js';
import { parseText } from '../src/scenario/parse.js';
import * as unleash from '../src/interop/unleash/index.js';

const refusal = (text: string): string[] => {
  try {
    readManifests([{ file: 'd.yaml', text }]);
  } catch (e) {
    return (e as InputError).lines;
  }
  return [];
};

describe('calibrate --deployment: values of a type the API server refuses', () => {
  const deployment = (replicas: string, annotation: string, template = '"2"') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    rehearse.dev/concurrency: ${annotation}
spec:
  replicas: ${replicas}
  template:
    metadata:
      annotations: { rehearse.dev/concurrency: ${template} }
`;

  it('reads an int32 replicas and a quoted annotation', () => {
    expect(readManifests([{ file: 'd.yaml', text: deployment('3', '"8"') }]).workloads.map((w) => [w.replicas, w.concurrency])).toEqual([[3, 8]]);
  });

  it('refuses a quoted replicas as the API server decodes it (an int32)', () => {
    expect(refusal(deployment('"3"', '"8"'))).toEqual([
      'd.yaml:8:13: spec.replicas: must be an int32, not "3": the Kubernetes API server refuses the Deployment (json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32)',
    ]);
  });

  it('refuses a numeric or boolean annotation (a string to the API server), on the resource or its pod template', () => {
    expect(refusal(deployment('3', '8'))).toEqual([
      'd.yaml:6:31: metadata.annotations["rehearse.dev/concurrency"]: must be a string (an annotation\'s value), not the number 8: the Kubernetes API server refuses the Deployment (json: cannot unmarshal number into Go struct field ObjectMeta.metadata.annotations of type string) (quote it: "8")',
    ]);
    const onTemplate = deployment('3', '"8"').replace(/  annotations:\n    rehearse.dev\/concurrency: "8"\n/, '').replace('{ rehearse.dev/concurrency: "2" }', '{ rehearse.dev/concurrency: true }');
    expect(refusal(onTemplate)).toEqual([
      'd.yaml:9:48: spec.template.metadata.annotations["rehearse.dev/concurrency"]: must be a string (an annotation\'s value), not true: the Kubernetes API server refuses the Deployment (json: cannot unmarshal bool into Go struct field ObjectMeta.spec.template.metadata.annotations of type string) (quote it: "true")',
    ]);
  });

  it('refuses a fraction or a number past an int32 in replicas, and in an HPA\'s bounds', () => {
    expect(refusal(deployment('3.5', '"8"'))[0]).toContain('(json: cannot unmarshal number 3.5 into Go struct field DeploymentSpec.spec.replicas of type int32)');
    expect(refusal(deployment('3000000000', '"8"'))[0]).toContain('cannot unmarshal number 3000000000 into Go struct field DeploymentSpec.spec.replicas of type int32');
    const hpa = 'apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: { name: web }\nspec:\n  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: web }\n  minReplicas: "2"\n  maxReplicas: 10\n';
    expect(refusal(`${deployment('3', '"8"')}---\n${hpa}`)).toEqual([
      'd.yaml:18:16: spec.minReplicas: must be an int32, not "2": the Kubernetes API server refuses the HorizontalPodAutoscaler (json: cannot unmarshal string into Go struct field HorizontalPodAutoscalerSpec.spec.minReplicas of type int32)',
    ]);
  });

  it('a Rollout: as its CRD says', () => {
    const rollout = deployment('"3"', '8').replace('apps/v1', 'argoproj.io/v1alpha1').replace('Deployment', 'Rollout');
    expect(refusal(rollout)).toEqual([
      'd.yaml:8:13: spec.replicas: must be an integer, as the Rollout CRD declares it, not the string "3": the Kubernetes API server refuses the resource',
      'd.yaml:6:31: metadata.annotations["rehearse.dev/concurrency"]: must be a string, as the Rollout CRD declares it, not the integer 8: the Kubernetes API server refuses the resource',
    ]);
  });
});

describe('Unleash state exports: what the state import takes beside the toggles, as Joi took it', () => {
  const v4 = readFileSync(new URL('./fixtures/vendor/unleash/state-v4.built-from-exportV4.json', import.meta.url), 'utf8');
  const read = (edit: (d: Record<string, unknown[] & Record<string, unknown>[]>) => void): { warnings: string[] } | { refused: string[] } => {
    const d = JSON.parse(v4) as Record<string, unknown[] & Record<string, unknown>[]>;
    edit(d);
    try {
      return { warnings: unleash.toScenarioParts(parseFlagText(JSON.stringify(d, null, 2), 'u.json'), { environment: 'production' }).warnings.map(formatWarning) };
    } catch (e) {
      return { refused: (e as InputError).lines };
    }
  };
  const joi = (path: string, message: string, source: string) => `${path}: "${path}" ${message} (Unleash's state import validates the file with Joi, ${source}, and refuses it)`;

  it('takes what Joi converts or strips: a feature tag\'s createdByUserId "5", a tag type\'s unknown key, an icon of null', () => {
    const unplaced = (r: ReturnType<typeof read>) => ('warnings' in r ? r.warnings.map((l) => l.replace(/^u\.json:\d+:\d+: /, '')) : r);
    const asIs = read(() => {});
    expect(asIs).toMatchObject({ warnings: expect.any(Array) });
    expect(unplaced(read((d) => { d.featureTags[0].createdByUserId = '5'; d.tagTypes[0].color = 5; d.tagTypes[0].icon = null; }))).toEqual(unplaced(asIs));
  });

  it('refuses what Joi refuses, at its place, where ajv would have converted it', () => {
    const refused = (edit: Parameters<typeof read>[0]) => { const r = read(edit); return 'refused' in r ? r.refused.map((l) => l.replace(/^u\.json:\d+:\d+: /, '')) : r; };
    expect(refused((d) => { d.tagTypes[0].name = 5; })).toEqual([joi('tagTypes[0].name', 'must be a string', 'src/lib/services/tag-type-schema.ts')]);
    expect(refused((d) => { d.tagTypes[0].description = null; })).toEqual([joi('tagTypes[0].description', 'must be a string', 'src/lib/services/tag-type-schema.ts')]);
    expect(refused((d) => { d.featureTags[0].tagValue = true; })).toEqual([joi('featureTags[0].tagValue', 'must be a string', 'src/lib/schema/feature-schema.ts featureTagSchema')]);
    expect(refused((d) => { d.featureTags[0].createdByUserId = true; })).toEqual([`${joi('featureTags[0].createdByUserId', 'must be a number', 'src/lib/schema/feature-schema.ts featureTagSchema').slice(0, -1)}; Joi converts only a text that is a decimal number)`]);
    expect(refused((d) => { d.tags[0].value = 'x'; })).toEqual([joi('tags[0].value', 'length must be at least 2 characters long', 'src/lib/services/tag-schema.ts')]);
    expect(refused((d) => { d.contextFields = [{ name: 'region' }] as never; })).toEqual([joi('contextFields', 'is not allowed', 'src/lib/services/state-schema.ts stateSchema')]);
  });

  it('places the refusal at the value in the file', () => {
    const r = read((d) => { d.tagTypes[0].name = 5; });
    const line = JSON.stringify(JSON.parse(v4), null, 2).split('\n').findIndex((l) => l.includes('"tagTypes"')) + 3;
    expect(r).toEqual({ refused: [expect.stringMatching(new RegExp(`^u\\.json:${line}:15: tagTypes\\[0\\]\\.name: `))] });
  });
});

/** zipkin2.internal.DependencyLinker.putTrace over Zipkin v2 spans (SpanNode: a shared server span is a child of its client). */
function zipkinLinks(spans: readonly ZipkinSpan[]): string[] {
  type Node = { span: ZipkinSpan; parent: Node | null; children: Node[] };
  const key = (s: ZipkinSpan) => `${s.id}${s.shared ? '~s' : ''}`;
  const nodes = new Map(spans.map((s) => [key(s), { span: s, parent: null, children: [] } as Node]));
  for (const n of nodes.values()) {
    const s = n.span;
    const parent = s.shared ? nodes.get(s.id) : s.parentId !== undefined ? nodes.get(`${s.parentId}~s`) ?? nodes.get(s.parentId) : undefined;
    if (parent && parent !== n) { n.parent = parent; parent.children.push(n); }
  }
  const links: string[] = [];
  for (const n of nodes.values()) {
    const s = n.span;
    let kind = s.kind;
    if (kind === 'CLIENT' && n.children.length) continue;
    const local = s.localEndpoint?.serviceName, remote = s.remoteEndpoint?.serviceName;
    if (kind === undefined) { if (local && remote) kind = 'CLIENT'; else continue; }
    let [parent, child] = kind === 'SERVER' ? [remote, local] : [local, remote];
    if (kind === 'SERVER' && n.parent === null && parent === undefined) continue;
    let a = n.parent;
    while (a && a.span.kind === undefined) a = a.parent;
    const ancestor = a?.span.localEndpoint?.serviceName;
    if (ancestor !== undefined) {
      if (kind === 'CLIENT' && local !== undefined && ancestor !== local) links.push(`${ancestor} -> ${local}`);
      if (kind === 'SERVER' || parent === undefined) parent = ancestor;
    }
    if (parent !== undefined && child !== undefined) links.push(`${parent} -> ${child}`);
  }
  return [...new Set(links)].sort();
}
interface ZipkinSpan { id: string; parentId?: string; kind?: string; shared?: boolean; localEndpoint?: { serviceName?: string }; remoteEndpoint?: { serviceName?: string } }

describe('Zipkin: client spans reported by another service than the span they are under (zipkin-lens yelp.json)', () => {
  const file = new URL('./fixtures/traces/zipkin-yelp.json', import.meta.url).pathname;
  const r = calibrateFiles([file]);
  const edges = [...new Set([...r.analysis.edges.keys()].map((k) => { const [from, to] = k.split('\u0001'); return `${from.split('\u0000')[0]} -> ${to.split('\u0000')[0]}`; }))].sort();
  const zipkin = zipkinLinks(JSON.parse(readFileSync(file, 'utf8')) as ZipkinSpan[]);

  it('the port of the linker gives its own test cases (DependencyLinkerTest missingSpan, singleHostSpansResultInASingleCallCount_defersNameToServer)', () => {
    expect(zipkinLinks([{ id: 'a', kind: 'SERVER', localEndpoint: { serviceName: 'web' } }, { id: 'b', parentId: 'a', kind: 'CLIENT', localEndpoint: { serviceName: 'app' } }])).toEqual(['web -> app']);
    expect(zipkinLinks([{ id: 'a', kind: 'CLIENT', localEndpoint: { serviceName: 'client' }, remoteEndpoint: { serviceName: 'server' } }, { id: 'b', parentId: 'a', kind: 'SERVER', localEndpoint: { serviceName: 'server' } }])).toEqual(['client -> server']);
  });

  it('every link Zipkin draws is a call of the calibrated model; the two it does not draw are warned at their spans', () => {
    expect(zipkin).toEqual(['mobile_api -> blt', 'mobile_api -> memcache', 'mobile_api -> spectre', 'unknown -> yelp_main/api_proxy', 'yelp-main -> memcache', 'yelp-main -> mobile_api', 'yelp-main -> mysql', 'yelp_main/api_proxy -> yelp-main']);
    expect(edges.filter((e) => !zipkin.includes(e))).toEqual(['routing -> unknown', 'routing -> yelp-main']);
    expect(zipkin.filter((e) => !edges.includes(e))).toEqual([]);
    expect(r.warnings.filter((w) => w.startsWith('client spans of another service'))).toEqual([
      'client spans of another service: 1 client span(s) reported by "yelp-main" under a span of "routing" call "mobile_api" (first: trace a03ee8fff1dcd9b9, span f5f268651b2a2b34). Zipkin\'s dependency linker (zipkin2.internal.DependencyLinker) links yelp-main -> mobile_api and nothing from routing to yelp-main; rehearse keeps the request\'s path (routing -> yelp-main -> mobile_api) and books each client span\'s time beyond its server span (14.3 ms in the first) as yelp-main\'s own work: where "yelp-main" is a proxy reporting for routing, that time is the proxy\'s and the network\'s',
      'client spans of another service: 1 client span(s) reported by "unknown" under a span of "routing" call "yelp_main/api_proxy" (first: trace a03ee8fff1dcd9b9, span 668ed78ad94b35a1). Zipkin\'s dependency linker (zipkin2.internal.DependencyLinker) links unknown -> yelp_main/api_proxy and nothing from routing to unknown; rehearse keeps the request\'s path (routing -> unknown -> yelp_main/api_proxy) and books each client span\'s time beyond its server span (36.1 ms in the first) as unknown\'s own work: where "unknown" is a proxy reporting for routing, that time is the proxy\'s and the network\'s',
    ]);
  });

  it('a leaf client span of another service (no server under it) is not warned: Zipkin links its ancestor to it too', () => {
    expect(zipkin).toContain('yelp_main/api_proxy -> yelp-main');
    expect(r.warnings.some((w) => w.includes('reported by "yelp-main" under a span of "yelp_main/api_proxy"'))).toBe(false);
  });
});

describe('a YAML error about a mapping item is placed at the item, not at the indentation before it', () => {
  const failfast = readFileSync(new URL('./fixtures/vendor/argo/analysis-run-failfast.yaml', import.meta.url), 'utf8');
  const refusal = (text: string): readonly string[] => {
    const r = argo.toScenarioParts([{ file: 'f.yaml', text }]);
    return r.ok ? [] : r.problems;
  };

  it('argo-rollouts analysis-run-failfast.yaml: at line 19, column 5, where the sequence starts', () => {
    expect(failfast.split('\n')[18].indexOf('- name: fail-after-30')).toBe(4);
    expect(refusal(failfast)).toEqual(['f.yaml:19:5: invalid YAML: A block sequence may not be used as an implicit map key']);
  });

  it('past a comment line, and a mapping key out of line with its siblings (BAD_INDENT), in a scenario too', () => {
    expect(refusal('kind: Rollout\nspec:\n  x: 1\n  # note\n    - y\n')).toEqual(['f.yaml:5:5: invalid YAML: A block sequence may not be used as an implicit map key']);
    const r = parseText('name: x\nservices:\n  - a\n  b: 1\n');
    expect(r.ok ? [] : r.problems.map((p: { message: string; line?: number; column?: number }) => [p.message, p.line, p.column])).toEqual([['invalid YAML: All mapping items must start at the same column', 4, 3]]);
  });
});
