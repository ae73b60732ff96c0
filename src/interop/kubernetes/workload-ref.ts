/**
 * An Argo Rollout whose workloadRef names a Deployment it leaves running. The controller scales that Deployment only
 * with `scaleDown: onsuccess` (rollout/sync.go: to 0 once the Rollout is healthy) or `progressively`
 * (rollout/replicaset.go: down as the Rollout's pods become ready); `never`, and no scaleDown at all (a plain string,
 * omitempty, in pkg/apis/rollouts/v1alpha1/types.go ObjectRef), leave its pods beside the Rollout's, which run the
 * same pod template ("you are going to run twice as many Pods during migration": docs/migrating.md).
 *
 * A Service that selects the template's labels sends requests to both, endpoint by endpoint: the service's replicas
 * are the sum. A Rollout that names its Services (blueGreen's activeService and previewService, canary's stableService
 * and canaryService, pingPong's) has the controller add `rollouts-pod-template-hash` to their selectors
 * (rollout/service.go), so that through them only the Rollout's pods serve: which pods answered the traced requests
 * then depends on the Service they came through, which no manifest of the folder says.
 */
export interface Ref {
  readonly rollout: string;
  readonly namespace: string | null;
  /** The Deployment's name. */
  readonly name: string;
  /** onsuccess or progressively; null where the Deployment keeps its pods. */
  readonly scaleDown: string | null;
  /** workloadRef.scaleDown as written, if a string. */
  readonly written: string | null;
  readonly where: string;
  /** The Services whose selectors the controller pins to the Rollout's own pods. */
  readonly services: readonly string[];
}

interface Pods {
  readonly kind: string;
  readonly names: readonly string[];
  readonly replicas: number;
  readonly concurrency: number | null;
  readonly where: string;
  readonly hpa: { readonly min: number; readonly max: number; readonly where: string } | null;
  readonly namespace: string | null;
  readonly idle?: string | null;
  readonly beside?: string | null;
  readonly unknown?: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (isObject(x) ? x[k] : undefined), v);

const SERVICES = [
  ['blueGreen', 'activeService'],
  ['blueGreen', 'previewService'],
  ['canary', 'stableService'],
  ['canary', 'canaryService'],
  ['canary', 'pingPong', 'pingService'],
  ['canary', 'pingPong', 'pongService'],
];

/** The Services Rollout `r` names, whose selectors the controller pins to its own pods. */
export const managedServices = (r: unknown): string[] =>
  SERVICES.map((path) => get(r, 'spec', 'strategy', ...path)).filter((s): s is string => typeof s === 'string' && s !== '');

/**
 * Each Rollout of `refs` that keeps its Deployment's pods is read with them: one workload, the Rollout, with their
 * replicas added (and said); where the Rollout's Services see only its own pods, the share is marked unknown.
 */
export function keptBeside<W extends Pods>(workloads: W[], refs: readonly Ref[], warnings: string[]): void {
  for (const ref of refs) {
    const d = workloads.findIndex((x) => x.kind === 'Deployment' && x.names[0] === ref.name && x.namespace === ref.namespace);
    const r = workloads.findIndex((x) => x.kind === 'Rollout' && x.names[0] === ref.rollout && x.namespace === ref.namespace);
    if (d < 0 || r < 0 || workloads[d].replicas === 0) continue;
    const dep = workloads[d];
    const ro = workloads[r];
    const scaleDown =
      ref.written === null ? 'workloadRef without scaleDown (never, the controller\'s default)'
      : ref.written === 'never' ? 'workloadRef.scaleDown never'
      : `workloadRef.scaleDown ${JSON.stringify(ref.written)}, which the controller reads as never (it compares with "onsuccess" and "progressively" exactly)`;
    const kept = `its Deployment ${dep.names[0]} (${dep.where}) keeps its ${dep.replicas} pods beside the Rollout's ${ro.replicas} (${scaleDown}, ${ref.where}: argo-rollouts scales it only with onsuccess or progressively)`;
    const sum = dep.replicas + ro.replicas;
    const bound = (w: Pods, side: 'min' | 'max') => w.hpa?.[side] ?? w.replicas;
    const hpa = ro.hpa || dep.hpa ? { min: bound(ro, 'min') + bound(dep, 'min'), max: bound(ro, 'max') + bound(dep, 'max'), where: (ro.hpa ?? dep.hpa)?.where as string } : null;
    const merged: W = {
      ...ro,
      names: [...new Set([ro.names[0], dep.names[0], ...ro.names.slice(1), ...dep.names.slice(1)])],
      replicas: sum,
      concurrency: ro.concurrency ?? dep.concurrency,
      hpa,
      beside: `${ro.replicas} its own and ${dep.replicas} of Deployment ${dep.names[0]} (${dep.where}), kept running by ${scaleDown}`,
    };
    if (ref.services.length > 0) {
      const through = ref.services.join(', ');
      Object.assign(merged, {
        unknown: `${kept}; the Rollout's Services (${through}) select only the Rollout's pods (the controller adds rollouts-pod-template-hash to their selectors: argo-rollouts rollout/service.go), so the pods that answered the traced requests depend on the Service they came through, which the manifests do not say: rehearse assumes neither ${ro.replicas} (through ${ref.services[0]}) nor ${sum} (through a Service of the pods' labels)`,
      });
    } else {
      warnings.push(`${ref.where}: Rollout ${ro.names[0]}: ${kept}; both serve: a Service that selects the pods' labels sends requests to each pod alike (the Rollout runs the Deployment's pod template, and names no Service of its own whose selector the controller would pin to its pods), so rehearse counts ${sum} replicas`);
    }
    workloads[r] = merged;
    workloads.splice(d, 1);
  }
}
