/**
 * Capacity from Kubernetes manifests: Deployments and StatefulSets (replicas, and workers per replica from the
 * annotation `rehearse.dev/concurrency` on the resource or its pod template), HorizontalPodAutoscalers (the
 * replicas they keep between minReplicas and maxReplicas). Pure: texts in, capacities and warnings (with
 * file:line:column and the path in the resource) out. Only these fields bear on capacity; a resource of another
 * kind is noted and not read. Autoscaling is not simulated: the run holds the replicas the HPA starts from.
 */
import { InputError } from '../../errors.js';
import { formatPath, locate, type PathSegment } from '../../scenario/problems.js';
import { oddTagMessage, oddTags, plainData, yamlErrorMessage } from '../../scenario/parse.js';
import { parseAllDocumentsAsGo } from '../../scenario/go-quoted.js';
import { kubectlReading } from '../kube/resources.js';

export const CONCURRENCY_ANNOTATION = 'rehearse.dev/concurrency';

export interface Workload {
  readonly kind: 'Deployment' | 'StatefulSet';
  /** metadata.name, then the labels app.kubernetes.io/name and app: the names a trace's service may carry. */
  readonly names: readonly string[];
  readonly replicas: number;
  /** Workers per replica from the annotation, or null. */
  readonly concurrency: number | null;
  /** Where it was read, for comments: file:line:column. */
  readonly where: string;
  /** The HPA over it: the replicas it keeps between. */
  readonly hpa: { readonly min: number; readonly max: number; readonly where: string } | null;
}

export interface Manifests {
  readonly workloads: Workload[];
  readonly warnings: string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const get = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, k) => (isObject(x) ? x[k] : undefined), v);

/** Reads every Deployment, StatefulSet and HorizontalPodAutoscaler of the files' YAML documents. */
export function readManifests(files: readonly { file: string; text: string }[]): Manifests {
  const workloads: (Workload & { hpa: Workload['hpa'] })[] = [];
  const hpas: { target: string; targetKind: string; min: number; max: number; where: string }[] = [];
  const warnings: string[] = [];
  const errors: string[] = [];
  for (const { file, text } of files) {
    // A quoted string continued at or left of its key's column is read as Go's yaml (kubectl) reads it.
    const { docs, lines } = parseAllDocumentsAsGo(text, { uniqueKeys: false, prettyErrors: false }, 'go');
    for (const [i, doc] of docs.entries()) {
      const where = (path: readonly PathSegment[]) => {
        const offset = locate(doc, path);
        if (offset === undefined) return `${file}`;
        const p = lines.linePos(offset);
        return `${file}:${p.line}:${p.col}`;
      };
      if (doc.errors.length) {
        const p = lines.linePos(doc.errors[0].pos[0]);
        errors.push(`${file}:${p.line}:${p.col}: invalid YAML: ${yamlErrorMessage(doc.errors[0])}`);
        continue;
      }
      const tagged = oddTags(doc)[0];
      if (tagged) {
        const p = lines.linePos(tagged.offset);
        errors.push(`${file}:${p.line}:${p.col}: invalid YAML: ${oddTagMessage(tagged.tag)}`);
        continue;
      }
      const plain = plainData(doc);
      if (!plain.ok) {
        const p = plain.offset === undefined ? undefined : lines.linePos(plain.offset);
        errors.push(`${file}${p ? `:${p.line}:${p.col}` : ''}: invalid YAML: ${plain.message}`);
        continue;
      }
      // As kubectl reads the manifest (YAML 1.1: `replicas: 010` is 8).
      const read = kubectlReading(doc, lines, file);
      if (read.problem !== null) {
        errors.push(read.problem);
        continue;
      }
      warnings.push(...read.warnings);
      const v = read.value;
      if (v === null || v === undefined) continue;
      const kind = get(v, 'kind');
      const name = get(v, 'metadata', 'name');
      const label = `${typeof kind === 'string' ? kind : 'a document'}${typeof name === 'string' ? ` ${name}` : ''} (document ${i + 1})`;
      const int = (path: string[], min: number, fallback: number | null): number | null => {
        const x = get(v, ...path);
        if (x === undefined) return fallback;
        const n = typeof x === 'string' && /^\d+$/.test(x) ? Number(x) : x;
        if (typeof n !== 'number' || !Number.isInteger(n) || n < min) {
          errors.push(`${where(path)}: ${formatPath(path)}: expected a whole number of at least ${min}, got ${JSON.stringify(x)}`);
          return null;
        }
        return n;
      };
      if (kind === 'Deployment' || kind === 'StatefulSet') {
        if (typeof name !== 'string') {
          errors.push(`${where(['metadata'])}: ${label}: metadata.name is missing`);
          continue;
        }
        const labels = get(v, 'metadata', 'labels');
        const names = [name, get(labels, 'app.kubernetes.io/name'), get(labels, 'app')].filter((x): x is string => typeof x === 'string');
        // Kubernetes' own default for spec.replicas is 1.
        const replicas = int(['spec', 'replicas'], 0, 1);
        const own = get(v, 'metadata', 'annotations', CONCURRENCY_ANNOTATION);
        const path = own !== undefined ? ['metadata', 'annotations', CONCURRENCY_ANNOTATION] : ['spec', 'template', 'metadata', 'annotations', CONCURRENCY_ANNOTATION];
        const concurrency = int(path, 1, null);
        if (replicas === null) continue;
        workloads.push({ kind, names: [...new Set(names)], replicas, concurrency, where: where(['spec', 'replicas']), hpa: null });
      } else if (kind === 'HorizontalPodAutoscaler') {
        const target = get(v, 'spec', 'scaleTargetRef', 'name');
        const targetKind = get(v, 'spec', 'scaleTargetRef', 'kind');
        const min = int(['spec', 'minReplicas'], 1, 1);
        const max = int(['spec', 'maxReplicas'], 1, null);
        if (typeof target !== 'string' || typeof targetKind !== 'string' || max === null || min === null) {
          if (typeof target !== 'string' || typeof targetKind !== 'string') errors.push(`${where(['spec'])}: ${label}: spec.scaleTargetRef needs a kind and a name`);
          else if (max === null && get(v, 'spec', 'maxReplicas') === undefined) errors.push(`${where(['spec'])}: ${label}: spec.maxReplicas is missing`);
          continue;
        }
        hpas.push({ target, targetKind, min, max, where: where(['spec', 'minReplicas']) });
        if (get(v, 'spec', 'metrics') !== undefined || get(v, 'spec', 'behavior') !== undefined) {
          warnings.push(`${where(['spec'])}: ${label}: its metrics and behavior are not simulated (no autoscaling in a run): the run holds the replicas it starts from`);
        }
      } else {
        warnings.push(`${where([])}: ${label}: describes no capacity; not read`);
      }
    }
  }
  if (errors.length) throw new InputError(errors);
  for (const h of hpas) {
    const w = workloads.find((x) => x.kind === h.targetKind && x.names[0] === h.target);
    if (!w) {
      warnings.push(`${h.where}: HorizontalPodAutoscaler: its target ${h.targetKind} ${h.target} is in none of the files; not read`);
      continue;
    }
    // The HPA sets the replicas between its bounds: the run starts from the Deployment's, kept within them.
    const i = workloads.indexOf(w);
    workloads[i] = { ...w, replicas: Math.min(h.max, Math.max(h.min, w.replicas)), hpa: { min: h.min, max: h.max, where: h.where } };
  }
  return { workloads, warnings };
}
