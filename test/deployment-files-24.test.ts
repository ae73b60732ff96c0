/**
 * calibrate --deployment with workloads that run no pods, and with a Helm chart's templates. Argo Rollouts' own
 * example of migrating a Deployment (argoproj/argo-rollouts examples/rollout-template-ref.yaml,
 * test/fixtures/vendor/argo) keeps the Deployment at `replicas: 0` beside the Rollout that references it: both
 * match the traced service by name, and calibrate refused the pair as pods it does not add up, though the Deployment
 * runs none. A Rollout whose workloadRef says
 * `scaleDown: onsuccess` or `progressively` scales its Deployment to 0 once healthy (argo-rollouts rollout/sync.go,
 * rollout/replicaset.go); with `never`, or none, both run pods. A lone workload at 0 replicas wrote `replicas: 0`, which the scenario refuses: "the
 * calibrated scenario does not validate (a bug in calibrate)". An HPA over a target at 0 replicas raised it to its
 * minReplicas, where kube-controller-manager disables the autoscaler and leaves it at 0
 * (pkg/controller/podautoscaler/horizontal.go: "scaling is disabled since the replica count of the target is zero").
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { givenCapacities } from '../src/calibrate/capacity.js';
import { InputError } from '../src/errors.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';

const EXAMPLE = 'test/fixtures/vendor/argo/rollout-template-ref.yaml';
const example = readFileSync(EXAMPLE, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-deployment-idle-'));
const folder = (name: string, text: string) => {
  const f = join(dir, `${name}.yaml`);
  writeFileSync(f, text);
  return f;
};
const refused = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  throw new Error('not refused');
};
const deployment = (replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: cart
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: cart}
  template:
    metadata:
      labels: {app: cart}
    spec:
      containers: [{name: cart, image: cart}]
`;
const hpa = `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: cart
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: cart}
  minReplicas: 2
  maxReplicas: 10
`;

describe('a workload that runs no pods is not counted as the service\'s pods', () => {
  it('Argo\'s workloadRef example: the Deployment at replicas 0 is said and left out; the Rollout\'s 5 replicas are the service\'s', () => {
    const { given, warnings } = givenCapacities(['rollout-ref-deployment'], { deployment: EXAMPLE, replicaConcurrency: '4' });
    expect(given.get('rollout-ref-deployment')).toMatchObject({ replicas: 5, concurrency: 4 });
    expect(given.get('rollout-ref-deployment')?.why).toMatch(/^Rollout rollout-ref-deployment \(test\/fixtures\/vendor\/argo\/rollout-template-ref\.yaml:29:13\): 5 replicas/);
    expect(warnings).toContain(`${EXAMPLE}:8:13: Deployment rollout-ref-deployment: runs no pods (spec.replicas 0): not counted; service "rollout-ref-deployment" runs on Rollout rollout-ref-deployment (${EXAMPLE}:29:13)`);
  });

  it('with its Deployment at 3 replicas: scaleDown onsuccess and progressively leave the Rollout\'s pods', () => {
    const three = example.replace('  replicas: 0\n', '  replicas: 3\n');
    for (const scaleDown of ['onsuccess', 'progressively']) {
      const f = folder(scaleDown, three.replace('    name: rollout-ref-deployment\n  strategy:', `    name: rollout-ref-deployment\n    scaleDown: ${scaleDown}\n  strategy:`));
      const { given, warnings } = givenCapacities(['rollout-ref-deployment'], { deployment: f });
      expect(given.get('rollout-ref-deployment')?.replicas).toBe(5);
      expect(warnings).toContain(`${f}:8:13: Deployment rollout-ref-deployment: runs no pods (spec.replicas 3, but the Rollout rollout-ref-deployment scales it to 0 once healthy (workloadRef.scaleDown: ${scaleDown}, ${f}:35:16)): not counted; service "rollout-ref-deployment" runs on Rollout rollout-ref-deployment (${f}:29:13)`);
    }
  });

  // argo-rollouts pkg/apis/rollouts/v1alpha1/types.go (ObjectRef.ScaleDown, a string, omitempty; ScaleDownNever
  // "never"), rollout/sync.go and rollout/replicaset.go (the Deployment is scaled only for ScaleDownOnSuccess and
  // ScaleDownProgressively), rollout/service.go (the controller adds rollouts-pod-template-hash to the selectors of the
  // Services the Rollout names), docs/migrating.md ("run twice as many Pods during migration").
  it('with its Deployment at 3 replicas and scaleDown never or not written: both serve, the service\'s replicas are the sum, said at the workloadRef', () => {
    const three = example.replace('  replicas: 0\n', '  replicas: 3\n');
    const cases = [
      ['absent', three, '32:5', 'workloadRef without scaleDown (never, the controller\'s default)'],
      ['never', three.replace('    name: rollout-ref-deployment\n  strategy:', '    name: rollout-ref-deployment\n    scaleDown: never\n  strategy:'), '35:16', 'workloadRef.scaleDown never'],
    ];
    for (const [name, text, at, how] of cases) {
      const f = folder(name, text);
      const { given, warnings } = givenCapacities(['rollout-ref-deployment'], { deployment: f, replicaConcurrency: '4' });
      expect(given.get('rollout-ref-deployment')).toMatchObject({ replicas: 8, concurrency: 4 });
      expect(given.get('rollout-ref-deployment')?.why).toBe(`Rollout rollout-ref-deployment (${f}:29:13): 8 replicas (5 its own and 3 of Deployment rollout-ref-deployment (${f}:8:13), kept running by ${how}); workers per replica from --replica-concurrency`);
      expect(warnings).toContain(`${f}:${at}: Rollout rollout-ref-deployment: its Deployment rollout-ref-deployment (${f}:8:13) keeps its 3 pods beside the Rollout's 5 (${how}, ${f}:${at}: argo-rollouts scales it only with onsuccess or progressively); both serve: a Service that selects the pods' labels sends requests to each pod alike (the Rollout runs the Deployment's pod template, and names no Service of its own whose selector the controller would pin to its pods), so rehearse counts 8 replicas`);
    }
  });

  it('a Rollout named otherwise than its Deployment: the traced service of the Deployment\'s name runs on both', () => {
    const three = example.replace('  replicas: 0\n', '  replicas: 3\n').replace('metadata:\n  name: rollout-ref-deployment\nspec:\n  replicas: 5', 'metadata:\n  name: cart-rollout\nspec:\n  replicas: 5');
    const f = folder('renamed', three);
    expect(givenCapacities(['rollout-ref-deployment'], { deployment: f, replicaConcurrency: '4' }).given.get('rollout-ref-deployment')?.replicas).toBe(8);
  });

  it('with Services the Rollout names (canary stableService, blueGreen activeService): which pods served is not in the manifests, refused; --capacity answers it', () => {
    const three = example.replace('  replicas: 0\n', '  replicas: 3\n');
    const f = folder('stable', three.replace('    canary:\n', '    canary:\n      stableService: rollout-ref-stable\n      canaryService: rollout-ref-canary\n'));
    expect(refused(() => givenCapacities(['rollout-ref-deployment'], { deployment: f }))).toEqual([
      `--deployment: Rollout rollout-ref-deployment (${f}:29:13) runs the traced service "rollout-ref-deployment": its Deployment rollout-ref-deployment (${f}:8:13) keeps its 3 pods beside the Rollout's 5 (workloadRef without scaleDown (never, the controller's default), ${f}:32:5: argo-rollouts scales it only with onsuccess or progressively); the Rollout's Services (rollout-ref-stable, rollout-ref-canary) select only the Rollout's pods (the controller adds rollouts-pod-template-hash to their selectors: argo-rollouts rollout/service.go), so the pods that answered the traced requests depend on the Service they came through, which the manifests do not say: rehearse assumes neither 5 (through rollout-ref-stable) nor 8 (through a Service of the pods' labels); give its capacity with --capacity rollout-ref-deployment=REPLICASxWORKERS`,
    ]);
    expect(givenCapacities(['rollout-ref-deployment'], { deployment: f, capacity: 'rollout-ref-deployment=5x4' }).given.get('rollout-ref-deployment')).toMatchObject({ replicas: 5, concurrency: 4 });
    const blue = folder('blue', three.replace('    canary:\n      steps:\n        - setWeight: 20\n        - pause: {duration: 10s}', '    blueGreen:\n      activeService: rollout-ref-active'));
    expect(refused(() => givenCapacities(['rollout-ref-deployment'], { deployment: blue }))[0]).toContain('the Rollout\'s Services (rollout-ref-active) select only the Rollout\'s pods');
  });

  it('a lone workload at 0 replicas is refused at its replicas, not written as a scenario that does not validate; --capacity answers it', () => {
    const f = folder('zero', deployment(0));
    expect(refused(() => givenCapacities(['cart'], { deployment: f }))).toEqual([
      `--deployment: Deployment cart (${f}:6:13) runs no pods (spec.replicas 0), where the traces show service "cart" serving requests; give the manifests it runs with, or its capacity with --capacity cart=REPLICASxWORKERS`,
    ]);
    expect(givenCapacities(['cart'], { deployment: f, capacity: 'cart=3x4' }).given.get('cart')).toMatchObject({ replicas: 3, concurrency: 4 });
  });

  it('an HPA over a target at 0 replicas leaves it at 0 (the autoscaler is disabled), said at the HPA; over 1 replica it raises it to minReplicas', () => {
    const zero = readManifests([{ file: 'd.yaml', text: deployment(0) + hpa }]);
    expect(zero.workloads.map((w) => [w.replicas, w.hpa])).toEqual([[0, null]]);
    expect(zero.warnings).toEqual(['d.yaml:21:16: HorizontalPodAutoscaler: its target Deployment cart has spec.replicas 0 (d.yaml:6:13): the autoscaler is disabled for it (ScalingDisabled), which stays at 0']);
    const one = readManifests([{ file: 'd.yaml', text: deployment(1) + hpa }]);
    expect(one.workloads.map((w) => [w.replicas, w.hpa?.min, w.hpa?.max])).toEqual([[2, 2, 10]]);
  });
});

describe('a Helm chart\'s template in the --deployment folder', () => {
  it('is refused as a template to render (as import argo refuses it), not as YAML whose templates want quotes', () => {
    // argoproj/argo-rollouts examples/helm-blue-green/templates/rollout.yaml (test/fixtures/vendor/argo).
    const f = 'test/fixtures/vendor/argo/helm-blue-green-rollout.yaml';
    expect(refused(() => givenCapacities(['helm-guestbook'], { deployment: f }))).toEqual([
      `${f}:4:9: a Helm chart's template ({{ template "helm-guestbook.fullname" . }}): its resources are made when the chart is rendered; give the output of \`helm template\` instead`,
    ]);
  });
});
