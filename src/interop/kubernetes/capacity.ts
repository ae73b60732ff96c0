/**
 * Capacity from Kubernetes manifests: Deployments, StatefulSets, ReplicaSets, ReplicationControllers and Argo
 * Rollouts (replicas, and workers per replica from the annotation `rehearse.dev/concurrency` on the resource or its
 * pod template: each has spec.replicas, default 1, and a pod template), HorizontalPodAutoscalers (the replicas they
 * keep between minReplicas and maxReplicas, over any of them). Pure: texts in, capacities and warnings (with
 * file:line:column and the path in the resource) out. Only these fields bear on capacity; a resource of another
 * kind is noted and not read. Autoscaling is not simulated: the run holds the replicas the HPA starts from.
 */
import { fieldText, serverFields, SERVER_FIELDS_WHY } from '../kube/server-fields.js';
import { InputError } from '../../errors.js';
import { formatPath, locate, type PathSegment } from '../../scenario/problems.js';
import { helmSyntax } from '../kube/helm.js';
import { resourceDocuments } from '../kube/resources.js';
import { hasType, typeMessage } from '../kube/crd-types.js';
import { goIntegerMessage } from '../kube/go-integers.js';
import { keptBeside, managedServices, type Ref } from './workload-ref.js';
import { quoted } from '../../units/escape.js';

export const CONCURRENCY_ANNOTATION = 'rehearse.dev/concurrency';

/**
 * The kinds whose spec.replicas (default 1) run copies of a pod template: apps/v1, core v1's ReplicationController,
 * and Argo's Rollout, which has a Deployment's /scale subresource (an HPA scales it: argo-rollouts
 * docs/features/hpa-support.md; utils/defaults DefaultReplicas 1).
 */
const WORKLOADS = ['Deployment', 'StatefulSet', 'ReplicaSet', 'ReplicationController', 'Rollout'] as const;
const isWorkload = (kind: unknown, apiVersion: unknown): boolean =>
  WORKLOADS.some((k) => k === kind) && (kind !== 'Rollout' || (typeof apiVersion === 'string' && apiVersion.startsWith('argoproj.io/')));

export interface Workload {
  readonly kind: (typeof WORKLOADS)[number];
  /** metadata.name, then the labels app.kubernetes.io/name and app: the names a trace's service may carry. */
  readonly names: readonly string[];
  readonly replicas: number;
  /** Workers per replica from the annotation, or null. */
  readonly concurrency: number | null;
  /** Where it was read, for comments: file:line:column. */
  readonly where: string;
  /** The HPA over it: the replicas it keeps between. */
  readonly hpa: { readonly min: number; readonly max: number; readonly where: string } | null;
  /** metadata.namespace, or null (the namespace kubectl's context gives). */
  readonly namespace: string | null;
  /** Why it runs no pods though its spec.replicas says more (a Rollout's workloadRef scales it to 0), or null. */
  readonly idle?: string | null;
  /** Whose pods its replicas add up, where a Rollout's workloadRef keeps its Deployment's running beside its own. */
  readonly beside?: string | null;
  /** Why the pods that serve the service cannot be told from the manifests, or null. */
  readonly unknown?: string | null;
}

export interface Manifests {
  readonly workloads: Workload[];
  readonly warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (isObject(x) ? x[k] : undefined), v);

/** How encoding/json names a JSON value's type in "cannot unmarshal ... into Go struct field". */
const goJsonType = (x: unknown): string =>
  Array.isArray(x) ? 'array' : x === null ? 'null' : typeof x === 'object' ? 'object' : typeof x === 'boolean' ? 'bool' : typeof x === 'number' ? 'number' : 'string';

/**
 * Why the API server refuses `value` at `path` of a resource of `kind`, whose Go field is an int32 or (an
 * annotation's value) a string, or null. A native kind is decoded into its Go type (sigs.k8s.io/json, a fork of
 * encoding/json: "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into
 * Go struct field DeploymentSpec.spec.replicas of type int32"); a Rollout is checked against its CRD's schema
 * (spec.replicas an integer, annotations strings), and an integer its controller's int32 cannot hold stops its
 * informer (go-integers.ts). null is left to the caller (the field stays unset).
 */
function wrongType(kind: unknown, path: readonly string[], value: unknown, type: 'int32' | 'string'): string | null {
  if (value === null) return null;
  if (kind === 'Rollout') {
    if (!hasType(value, type === 'string' ? 'string' : 'integer')) return typeMessage('Rollout', type === 'string' ? 'string' : 'integer', value);
    return typeof value === 'number' ? goIntegerMessage('argoproj.io', 'Rollout', 'int32', value) : null;
  }
  if (type === 'string' ? typeof value === 'string' : typeof value === 'number' && Number.isInteger(value) && Math.abs(value + 0.5) <= 2 ** 31) return null;
  const annotation = path.at(-2) === 'annotations';
  const field = (annotation ? path.slice(0, -1) : path).join('.');
  const struct = annotation ? 'ObjectMeta' : `${String(kind)}Spec`;
  // encoding/json gives a number's literal only where it fails to fit a numeric field.
  const shown = typeof value === 'number' && type === 'int32' ? `number ${value}` : goJsonType(value);
  const quote = annotation && (typeof value === 'number' || typeof value === 'boolean') ? ` (quote it: ${quoted(String(value))})` : '';
  return `must be ${annotation ? 'a string (an annotation\'s value)' : 'an int32'}, not ${goJsonType(value) === 'number' ? `the number ${value}` : JSON.stringify(value)}: the Kubernetes API server refuses the ${String(kind)} (json: cannot unmarshal ${shown} into Go struct field ${struct}.${field} of type ${type})${quote}`;
}

const OWN = ['metadata', 'annotations', CONCURRENCY_ANNOTATION];
const TEMPLATE = ['spec', 'template', 'metadata', 'annotations', CONCURRENCY_ANNOTATION];

/**
 * Workers per replica from the annotation on workload `r` or on its pod template (the workload's first), or null.
 * The API server types both (each an ObjectMeta's annotations, map[string]string): each is checked, whichever is
 * read. An empty value, which the API server takes, gives no number: warned and left out, as if not written.
 */
function workers(r: unknown, int: (path: string[], min: number, fallback: number | null, text: boolean) => number | null, warn: (path: string[], message: string) => void): number | null {
  const given = [OWN, TEMPLATE].filter((path) => get(r, ...path) !== undefined);
  const empty = given.filter((path) => get(r, ...path) === '');
  for (const path of empty) warn(path, 'empty: no workers read from it (the API server takes an empty annotation; rehearse reads a whole number, e.g. "8"); left out, as if not written');
  const read = given.filter((path) => !empty.includes(path)).map((path) => ({ path, value: int(path, 1, null, true) }));
  if (read.length === 2 && read[0].value !== null && read[1].value !== null && read[0].value !== read[1].value) {
    warn(TEMPLATE, `${read[1].value} on the pod template is not read: the workload's own annotation (${read[0].value}) is`);
  }
  return read[0]?.value ?? null;
}

/** Reads every workload (WORKLOADS) and HorizontalPodAutoscaler of the files' YAML documents, and of the Lists in them. */
export function readManifests(files: readonly { file: string; text: string }[]): Manifests {
  const workloads: (Workload & { hpa: Workload['hpa'] })[] = [];
  const hpas: { target: string; targetKind: string; min: number; max: number; where: string }[] = [];
  const refs: Ref[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const { file, text } of files) {
    // A chart's template is no manifest: its replicas are in the chart's values, known once it is rendered.
    const chart = helmSyntax(text);
    if (chart) {
      errors.push(`${file}:${chart.line}:${chart.column}: a Helm chart's template (${chart.text}): its resources are made when the chart is rendered; give the output of \`helm template\` instead`);
      continue;
    }
    // Each document as kubectl reads it (YAML 1.1: `replicas: 010` is 8; a quoted string continued at or left of its
    // key's column as Go's yaml reads it); one kubectl cannot send, and those after it in the file, are not applied.
    const { lines, documents } = resourceDocuments({ file, text });
    // The API server's own fields (a file of `kubectl get -o yaml`): one warning for the file, not one per resource.
    const server = { count: 0, first: '', fields: new Set<string>() };
    // Resources that describe no capacity (Services, ConfigMaps...): one warning for the file, their kinds counted.
    const other = { first: '', kinds: new Map<string, number>() };
    for (const read of documents) {
      if ('problem' in read) {
        errors.push(read.problem);
        continue;
      }
      if ('unsent' in read) {
        warnings.push(`${read.unsent}; not read`);
        continue;
      }
      const { doc, index: i } = read;
      const where = (path: readonly PathSegment[]) => {
        const offset = locate(doc, path);
        if (offset === undefined) return `${file}`;
        const p = lines.linePos(offset);
        return `${file}:${p.line}:${p.col}`;
      };
      warnings.push(...read.warnings);
      const v = read.value;
      if (v === null || v === undefined) continue;
      const readResource = (r: unknown, base: readonly PathSegment[], which: string): void => {
        const at = (path: readonly PathSegment[]) => where([...base, ...path]);
        const written = serverFields(r);
        if (written.length > 0 && server.count++ === 0) server.first = at([...written[0]]);
        for (const f of written) server.fields.add(fieldText(f));
        const kind = get(r, 'kind');
        const name = get(r, 'metadata', 'name');
        const label = `${typeof kind === 'string' ? kind : 'a document'}${typeof name === 'string' ? ` ${name}` : ''} (${which})`;
        // spec.replicas and an HPA's bounds are int32s, an annotation's value a string: the API server refuses a
        // value of another type (`replicas: "3"`, a numeric annotation) before any controller reads it.
        const int = (path: string[], min: number, fallback: number | null, text = false): number | null => {
          const x = get(r, ...path);
          if (x === undefined) return fallback;
          const refusal = wrongType(kind, path, x, text ? 'string' : 'int32');
          if (refusal !== null) {
            errors.push(`${at(path)}: ${formatPath([...base, ...path])}: ${refusal}`);
            return null;
          }
          const n = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x;
          if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
            errors.push(`${at(path)}: ${formatPath([...base, ...path])}: expected a whole number of at least ${min}, got ${JSON.stringify(x)}`);
            return null;
          }
          return n;
        };
        if (isWorkload(kind, get(r, 'apiVersion'))) {
          if (typeof name !== 'string') {
            errors.push(`${at(['metadata'])}: ${label}: metadata.name is missing`);
            return;
          }
          // A ReplicaSet a Deployment or a Rollout made (as `kubectl get -o yaml` writes it) has the replicas its
          // controller sets as it rolls out; a workload another operator owns (Flagger's primary Deployment) runs its own.
          const owners = get(r, 'metadata', 'ownerReferences');
          const owner = kind === 'ReplicaSet' && Array.isArray(owners) ? owners.find((o) => get(o, 'controller') === true && ['Deployment', 'Rollout'].includes(String(get(o, 'kind')))) : undefined;
          if (owner !== undefined) {
            warnings.push(`${at(['metadata', 'ownerReferences'])}: ${label}: its controller ${String(get(owner, 'kind'))} ${String(get(owner, 'name'))} sets its replicas; not read (give that ${String(get(owner, 'kind'))})`);
            return;
          }
          const labels = get(r, 'metadata', 'labels');
          const names = [name, get(labels, 'app.kubernetes.io/name'), get(labels, 'app')].filter((x): x is string => typeof x === 'string');
          // Kubernetes' own default for spec.replicas is 1.
          const replicas = int(['spec', 'replicas'], 0, 1);
          const concurrency = workers(r, int, (path, message) => warnings.push(`${at(path)}: ${formatPath([...base, ...path])}: ${message}`));
          if (replicas === null) return;
          const namespace = get(r, 'metadata', 'namespace');
          // A Rollout's workloadRef to a Deployment with scaleDown onsuccess or progressively: the controller scales
          // that Deployment to 0 once the Rollout is healthy (argo-rollouts rollout/sync.go, rollout/replicaset.go).
          // Any other scaleDown (`never`, or none: the field is a plain string, omitempty, and only those two values
          // scale the Deployment) leaves its pods running beside the Rollout's.
          const ref = kind === 'Rollout' ? get(r, 'spec', 'workloadRef') : undefined;
          const scaleDown = get(ref, 'scaleDown');
          if (get(ref, 'kind') === 'Deployment' && typeof get(ref, 'name') === 'string') {
            const kept = scaleDown === 'onsuccess' || scaleDown === 'progressively' ? scaleDown : null;
            refs.push({ rollout: name, namespace: typeof namespace === 'string' ? namespace : null, name: get(ref, 'name') as string, scaleDown: kept, written: typeof scaleDown === 'string' ? scaleDown : null, where: at(['spec', 'workloadRef', ...(scaleDown === undefined ? [] : ['scaleDown'])]), services: managedServices(r) });
          }
          workloads.push({ kind: kind as Workload['kind'], names: [...new Set(names)], replicas, concurrency, where: at(['spec', 'replicas']), hpa: null, namespace: typeof namespace === 'string' ? namespace : null });
        } else if (kind === 'HorizontalPodAutoscaler') {
          const target = get(r, 'spec', 'scaleTargetRef', 'name');
          const targetKind = get(r, 'spec', 'scaleTargetRef', 'kind');
          const min = int(['spec', 'minReplicas'], 1, 1);
          const max = int(['spec', 'maxReplicas'], 1, null);
          if (typeof target !== 'string' || typeof targetKind !== 'string' || max === null || min === null) {
            if (typeof target !== 'string' || typeof targetKind !== 'string') errors.push(`${at(['spec'])}: ${label}: spec.scaleTargetRef needs a kind and a name`);
            else if (max === null && get(r, 'spec', 'maxReplicas') === undefined) errors.push(`${at(['spec'])}: ${label}: spec.maxReplicas is missing`);
            return;
          }
          hpas.push({ target, targetKind, min, max, where: at(['spec', 'minReplicas']) });
          if (get(r, 'spec', 'metrics') !== undefined || get(r, 'spec', 'behavior') !== undefined) {
            warnings.push(`${at(['spec'])}: ${label}: its metrics and behavior are not simulated (no autoscaling in a run): the run holds the replicas it starts from`);
          }
          // autoscaling/v1 writes its one target so (kube-controller-manager scales on 80% CPU without it).
          if (get(r, 'spec', 'targetCPUUtilizationPercentage') !== undefined) {
            warnings.push(`${at(['spec', 'targetCPUUtilizationPercentage'])}: ${label}: its targetCPUUtilizationPercentage is not simulated (no autoscaling in a run): the run holds the replicas it starts from`);
          }
        } else {
          if (other.kinds.size === 0) other.first = `${at([])}: ${label}`;
          const k = typeof kind === 'string' ? kind : 'document without kind';
          other.kinds.set(k, (other.kinds.get(k) ?? 0) + 1);
        }
      };
      // A List (what `kubectl get -o yaml` writes, a v1 List or a typed one such as DeploymentList) is read item by
      // item, as kubectl's resource builder flattens it (FlattenListVisitor) before it applies each.
      const kind = get(v, 'kind');
      const items = get(v, 'items');
      if (typeof kind === 'string' && kind.endsWith('List') && Array.isArray(items)) {
        if (items.length === 0) warnings.push(`${where([])}: ${kind} (document ${i + 1}): no items; nothing read`);
        items.forEach((item, j) => readResource(item, ['items', j], `document ${i + 1}, items[${j}]`));
      } else readResource(v, [], `document ${i + 1}`);
    }
    // Not read: a Deployment's status.replicas counts old and new pods mid-rollout, and an HPA's status.currentReplicas
    // is the spec.replicas it last wrote into its target (the scale subresource), which is read.
    const others = [...other.kinds.values()].reduce((a, b) => a + b, 0);
    if (others === 1) warnings.push(`${other.first}: describes no capacity; not read`);
    else if (others > 1) warnings.push(`${other.first} and ${others - 1} more: ${[...other.kinds].map(([k, n]) => `${k} (${n})`).join(', ')}: describe no capacity; not read`);
    if (server.count > 0) warnings.push(`${server.first}: ${[...server.fields].join(', ')}${server.count > 1 ? ` (in ${server.count} resources)` : ''}: ${SERVER_FIELDS_WHY}`);
  }
  if (errors.length) throw new InputError(errors);
  // `kubectl apply -f DIR` applies the files in name order and each document in turn: a workload written twice (the
  // same kind, name and namespace, as microservices-demo's release/kubernetes-manifests.yaml repeats its
  // kubernetes-manifests/*.yaml) is one object, left as the last document writes it. The earlier is said, not read.
  const key = (w: Workload) => `${w.kind}\0${w.namespace ?? ''}\0${w.names[0]}`;
  const last = new Map(workloads.map((w, i) => [key(w), i] as const));
  const kept = workloads.filter((w) => {
    const later = workloads[last.get(key(w)) as number];
    if (later !== w) warnings.push(`${w.where}: ${w.kind} ${w.names[0]}: written again at ${later.where}, which kubectl apply applies after it (files in name order): the later one is read, this one is not`);
    return later === w;
  });
  workloads.splice(0, workloads.length, ...kept);
  for (const ref of refs) {
    const i = workloads.findIndex((x) => x.kind === 'Deployment' && x.names[0] === ref.name && x.namespace === ref.namespace);
    if (i >= 0 && workloads[i].replicas > 0 && ref.scaleDown !== null) {
      workloads[i] = { ...workloads[i], idle: `the Rollout ${ref.rollout} scales it to 0 once healthy (workloadRef.scaleDown: ${ref.scaleDown}, ${ref.where})` };
    }
  }
  for (const h of hpas) {
    const w = workloads.find((x) => x.kind === h.targetKind && x.names[0] === h.target);
    if (!w) {
      warnings.push(`${h.where}: HorizontalPodAutoscaler: its target ${h.targetKind} ${h.target} is in none of the files; not read`);
      continue;
    }
    // A target at 0 replicas is not scaled up to minReplicas: the autoscaler is disabled for it (kube-controller-manager
    // pkg/controller/podautoscaler/horizontal.go: "scaling is disabled since the replica count of the target is zero").
    if (w.replicas === 0 && h.min !== 0) {
      warnings.push(`${h.where}: HorizontalPodAutoscaler: its target ${h.targetKind} ${h.target} has spec.replicas 0 (${w.where}): the autoscaler is disabled for it (ScalingDisabled), which stays at 0`);
      continue;
    }
    // The HPA sets the replicas between its bounds: the run starts from the Deployment's, kept within them.
    const i = workloads.indexOf(w);
    workloads[i] = { ...w, replicas: Math.min(h.max, Math.max(h.min, w.replicas)), hpa: { min: h.min, max: h.max, where: h.where } };
  }
  keptBeside(workloads, refs.filter((ref) => ref.scaleDown === null), warnings);
  return { workloads, warnings };
}
