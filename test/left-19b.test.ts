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
 */
import { describe, expect, it } from 'vitest';
import type { InputError } from '../src/errors.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';

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
