/**
 * The types the vendors' CustomResourceDefinitions give each field of the resources rehearse reads, as the
 * Kubernetes API server validates them before a controller ever sees the resource: a Rollout whose
 * `spec.strategy.canary.steps[0].setWeight` is a string, or a Canary whose `spec.targetRef.name` is a map, is
 * refused by `kubectl apply` (the value "must be of type integer", "must be of type string"), so rehearse refuses
 * it too, at its path, rather than read it as something else ("[object Object]").
 *
 * crd-types.json holds, per API group and kind, each field path of the served version's openAPIV3Schema (spec
 * and below, `[]` for list items, `.*` for the values of a map) with its type: string, integer, number, boolean,
 * object, array, int-or-string (x-kubernetes-int-or-string) or any; `object*` is an object whose inside is not
 * listed (x-kubernetes-preserve-unknown-fields, and the pod and job templates, which rehearse does not read).
 * Made by `node scripts/crd-fields.mjs CRD.yaml --kind KIND --types` (with `--collapse spec.template` for a
 * Rollout, `--collapse 'spec.metrics[].provider.job.spec.template'` for the analysis templates) from
 * argoproj/argo-rollouts manifests/crds/{rollout,analysis-template,cluster-analysis-template}-crd.yaml (commit
 * 9f8d111d8, v1alpha1: the same field lists as test/fixtures/vendor/argo/schema) and fluxcd/flagger's CRD
 * (test/fixtures/vendor/flagger/crd.yaml, v1beta1), plus the ObjectMeta fields every resource has (name, namespace,
 * labels and annotations, whose values are strings); test/k8s-types.test.ts holds it to both.
 */
import TYPES from './crd-types.json' with { type: 'json' };

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'object*' | 'array' | 'int-or-string' | 'any';
export type FieldTypes = Readonly<Record<string, FieldType>>;

const ALL = TYPES as unknown as Readonly<Record<string, FieldTypes>>;

/** The field types of a kind of an API group (`argoproj.io`, `Rollout`), or null when rehearse has none. */
export function fieldTypes(group: string, kind: string): FieldTypes | null {
  return Object.hasOwn(ALL, `${group}/${kind}`) ? ALL[`${group}/${kind}`] : null;
}

/** Whether `value` has type `t` as the API server checks it (null is pruned before validation: any type). */
export function hasType(value: unknown, t: FieldType): boolean {
  if (value === null || value === undefined) return true;
  switch (t) {
    case 'string': return typeof value === 'string';
    case 'integer': return typeof value === 'number' && Number.isInteger(value);
    case 'number': return typeof value === 'number' && Number.isFinite(value);
    case 'boolean': return typeof value === 'boolean';
    case 'object': case 'object*': return typeof value === 'object' && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'int-or-string': return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value));
    default: return true;
  }
}

const NAMES: Record<FieldType, string> = {
  string: 'a string', integer: 'an integer', number: 'a number', boolean: 'true or false', object: 'a map', 'object*': 'a map',
  array: 'a list', 'int-or-string': 'an integer or a string', any: 'anything',
};

/** What a value is, in a message: a map, a list, a string, a number, true or false. */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a map';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value)}`;
  if (typeof value === 'number') return Number.isInteger(value) ? `the integer ${value}` : `the number ${value}`;
  return String(value);
}

/** The refusal of a value of the wrong type: what the CRD says, and what the API server does. */
export function typeMessage(kind: string, t: FieldType, value: unknown): string {
  return `must be ${NAMES[t]}, as the ${kind} CRD declares it, not ${describe(value)}: the Kubernetes API server refuses the resource`;
}
