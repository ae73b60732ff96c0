/**
 * What the Argo Rollouts controller refuses in the Services a canary Rollout names (pkg/apis/rollouts/validation/
 * validation_references.go ValidateService, run by rollout/controller.go getRolloutReferencedResources on the
 * stableService, canaryService and pingPong's pingService and pongService it finds in the Rollout's namespace):
 * each label of a Service's selector, but rollouts-pod-template-hash, must be a label of the Rollout's pod template
 * with the same value ("Service %q has unmatch label %q in rollout"), and a Service annotated as managed by
 * another Rollout is refused ("Service %q is managed by another Rollout", utils/conditions). Either sets the
 * InvalidSpec condition: the rollout never progresses. kubectl-argo-rollouts lint's testdata
 * (invalid-service-labels.yml, invalid-ping-pong.yml) holds the vendor's cases.
 */
import { get, where, type Path, type Resource } from '../kube/resources.js';
import { inNamespace, namespaceOf } from '../kube/namespaces.js';
import { quoted } from '../../units/escape.js';

/** v1alpha1.DefaultRolloutUniqueLabelKey: the controller's own label, skipped. */
const HASH_LABEL = 'rollouts-pod-template-hash';
/** v1alpha1.ManagedByRolloutsKey. */
const MANAGED_BY = 'argo-rollouts.argoproj.io/managed-by-rollouts';

const ROLES: readonly Path[] = [
  ['spec', 'strategy', 'canary', 'stableService'],
  ['spec', 'strategy', 'canary', 'canaryService'],
  ['spec', 'strategy', 'canary', 'pingPong', 'pingService'],
  ['spec', 'strategy', 'canary', 'pingPong', 'pongService'],
];

const record = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});

/**
 * The pod template's labels the controller compares with: the Rollout's own, or (with a workloadRef) those of the
 * Deployment it names, when the files hold it (rollout/templateref.go copies its template in); null when unknown.
 */
function templateLabels(ro: Resource, context: readonly Resource[]): Record<string, unknown> | null {
  const ref = get(ro.value, 'spec', 'workloadRef');
  if (ref === undefined || ref === null) return record(get(ro.value, 'spec', 'template', 'metadata', 'labels'));
  const kind = get(ref, 'kind');
  const named = context.filter((c) => c.kind === kind && c.name === get(ref, 'name'));
  const looked = inNamespace(named, namespaceOf(ro), 'the Rollout\'s namespace');
  return looked && 'found' in looked ? record(get(looked.found.value, 'spec', 'template', 'metadata', 'labels')) : null;
}

export function serviceProblems(ro: Resource, context: readonly Resource[]): { path: Path; message: string }[] {
  const out: { path: Path; message: string }[] = [];
  const labels = templateLabels(ro, context);
  const services = context.filter((c) => c.kind === 'Service' && c.group === '');
  for (const path of ROLES) {
    const name = get(ro.value, ...path);
    if (typeof name !== 'string' || name === '') continue;
    const looked = inNamespace(services.filter((s) => s.name === name), namespaceOf(ro), 'the Rollout\'s namespace');
    if (looked === null || !('found' in looked)) continue;
    const svc = looked.found;
    const invalid = (message: string, at: string) => out.push({ path, message: `the controller marks the Rollout InvalidSpec and never rolls it out ("${message}", pkg/apis/rollouts/validation/validation_references.go ValidateService; ${at})` });
    if (labels !== null) {
      for (const [key, value] of Object.entries(record(get(svc.value, 'spec', 'selector')))) {
        if (key === HASH_LABEL) continue;
        if (!Object.hasOwn(labels, key) || labels[key] !== value) {
          const has = Object.hasOwn(labels, key) ? `the pod template's is ${JSON.stringify(labels[key])}` : 'the pod template has no such label';
          invalid(`Service ${quoted(name)} has unmatch label ${quoted(key)} in rollout`, `the Service selects ${key}=${JSON.stringify(value)} at ${where(svc, ['spec', 'selector', key])}, ${has}`);
        }
      }
    }
    const manager = get(svc.value, 'metadata', 'annotations', MANAGED_BY);
    if (manager !== undefined && manager !== ro.name) invalid(`Service ${quoted(name)} is managed by another Rollout`, `${MANAGED_BY}: ${JSON.stringify(manager)} at ${where(svc, ['metadata', 'annotations', MANAGED_BY])}`);
  }
  return out;
}
