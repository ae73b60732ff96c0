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
 */
import { describe, expect, it } from 'vitest';
import type { InputError } from '../src/errors.js';
import { readFileSync } from 'node:fs';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
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
