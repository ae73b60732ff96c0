/**
 * The fields the API server writes into a resource it stores, which `kubectl get -o yaml` prints with it (a List's
 * items have them all): metadata.uid, resourceVersion, generation, creationTimestamp, managedFields and selfLink
 * (apimachinery pkg/apis/meta/v1/types.go ObjectMeta: "Populated by the system. Read-only."), the annotation
 * kubectl apply keeps its last configuration in (kubectl.kubernetes.io/last-applied-configuration: k8s.io/api
 * core/v1/annotation_key_constants.go LastAppliedConfigAnnotation), and status (the controller's record). None says
 * how a rollout, a rule or a flag behaves: a reader names those it finds in one warning per resource, not one per field.
 */
export type FieldPath = readonly string[];

export const SERVER_FIELDS: readonly FieldPath[] = [
  ['metadata', 'uid'], ['metadata', 'resourceVersion'], ['metadata', 'generation'], ['metadata', 'creationTimestamp'],
  ['metadata', 'managedFields'], ['metadata', 'selfLink'], ['metadata', 'annotations', 'kubectl.kubernetes.io/last-applied-configuration'], ['status'],
];

/** What the warning says of them. */
export const SERVER_FIELDS_WHY = 'written by the API server (as `kubectl get -o yaml` prints a resource), not rehearsed';

/** The server-written fields a resource's value holds, in SERVER_FIELDS' order. */
export function serverFields(value: unknown): FieldPath[] {
  return SERVER_FIELDS.filter((path) => {
    let x = value;
    for (const k of path) {
      if (x === null || typeof x !== 'object' || Array.isArray(x) || !Object.hasOwn(x, k)) return false;
      x = (x as Record<string, unknown>)[k];
    }
    return true;
  });
}

/** A path as messages write it: metadata.annotations."kubectl.kubernetes.io/last-applied-configuration". */
export function fieldText(path: FieldPath): string {
  return path.map((k) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(k) ? k : JSON.stringify(k))).join('.');
}
