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
 * Made by `npx tsx scripts/crd-fields.mjs CRD.yaml --kind KIND --types` (with `--collapse spec.template` for a
 * Rollout, `--collapse 'spec.metrics[].provider.job.spec.template'` for the analysis templates) from
 * argoproj/argo-rollouts manifests/crds/{rollout,analysis-template,cluster-analysis-template}-crd.yaml (commit
 * 9f8d111d8, v1alpha1: the same field lists as test/fixtures/vendor/argo/schema) and fluxcd/flagger's CRD
 * (test/fixtures/vendor/flagger/crd.yaml, v1beta1), plus the ObjectMeta fields every resource has (name, namespace,
 * labels and annotations, whose values are strings); test/k8s-types.test.ts holds it to both. crd-constraints.json
 * holds what the schemas allow beyond a type (an enum, a pattern, a minimum, a maximum), made with --constraints.
 */
import { didYouMean } from '../../errors.js';
import CONSTRAINTS from './crd-constraints.json' with { type: 'json' };
import TYPES from './crd-types.json' with { type: 'json' };

export type FieldType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'object*' | 'array' | 'int-or-string' | 'any';
export type FieldTypes = Readonly<Record<string, FieldType>>;

const ALL = TYPES as unknown as Readonly<Record<string, FieldTypes>>;

export interface FieldConstraint {
  readonly enum?: readonly unknown[];
  readonly pattern?: string;
  readonly minimum?: number;
  readonly maximum?: number;
}
export type FieldConstraints = Readonly<Record<string, FieldConstraint>>;
const LIMITS = CONSTRAINTS as unknown as Readonly<Record<string, FieldConstraints>>;

/** What the schema of a kind allows beyond each field's type, or null. */
export function fieldConstraints(group: string, kind: string): FieldConstraints | null {
  return Object.hasOwn(LIMITS, `${group}/${kind}`) ? LIMITS[`${group}/${kind}`] : null;
}

/**
 * Why the API server refuses a value of the right type (not one of the enum, not matching the pattern, past a
 * minimum or a maximum: kube-openapi's validate package, the pattern unanchored as Go's regexp.MatchString reads
 * it), or null.
 */
export function constraintMessage(kind: string, c: FieldConstraint, value: unknown): string | null {
  const refused = (what: string, hint = '') => `must be ${what}, as the ${kind} CRD says, not ${describe(value)}: the Kubernetes API server refuses the resource${hint}`;
  if (value === null || value === undefined) return null;
  if (c.enum && !c.enum.includes(value)) {
    const hint = typeof value === 'string' ? didYouMean(value, c.enum.filter((x): x is string => typeof x === 'string' && x !== '')) : '';
    return refused(`one of ${c.enum.map((x) => JSON.stringify(x)).join(', ')}`, hint);
  }
  if (c.pattern !== undefined && typeof value === 'string' && !new RegExp(c.pattern, 'u').test(value)) return refused(`text matching ${c.pattern}`);
  if (c.minimum !== undefined && typeof value === 'number' && value < c.minimum) return refused(`at least ${c.minimum}`);
  if (c.maximum !== undefined && typeof value === 'number' && value > c.maximum) return refused(`at most ${c.maximum}`);
  return null;
}

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
