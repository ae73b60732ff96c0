/**
 * The fields of a PrometheusRule as the API server keeps them: those of its CRD's schema
 * (prometheus-operator/prometheus-operator example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml,
 * the same fields from operator 0.82.2 to 0.93.0: pkg/apis/monitoring/v1/prometheusrule_types.go), and of
 * Kubernetes' ObjectMeta under metadata. Any other is pruned before the operator reads the resource, so it never
 * reaches the rule file the operator writes: it is warned at its place, with the field it is nearest to, and the
 * groups and rules are read without it (a group's `source_tenants` or a rule's `severity`, which a rule file's
 * reader refuses as Prometheus does, is not in the file Prometheus gets).
 */
import { didYouMean } from '../../errors.js';
import type { PathSegment } from '../../scenario/problems.js';

/** The schema's fields at each level (status is the operator's, warned as the API server's own fields are). */
export const PROMETHEUS_RULE_FIELDS = {
  resource: ['apiVersion', 'kind', 'metadata', 'spec', 'status'],
  // k8s.io/apimachinery pkg/apis/meta/v1/types.go ObjectMeta.
  metadata: ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
    'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields'],
  spec: ['groups'],
  group: ['name', 'labels', 'interval', 'query_offset', 'rules', 'partial_response_strategy', 'limit'],
  rule: ['record', 'alert', 'expr', 'for', 'keep_firing_for', 'labels', 'annotations'],
} as const;

const PRUNED = 'not a field of the PrometheusRule CRD (monitoring.coreos.com_prometheusrules.yaml): the API server prunes it, and the Prometheus Operator never writes it to the rule file';
const DROPPED = 'not a field of a Kubernetes object\'s metadata (ObjectMeta): the API server drops it';

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * A PrometheusRule's value as the operator gets it: every field its schema lacks warned at `where(path)` and left
 * out of the groups and rules (the resource's own value is not changed). Returns the groups to read, or the value
 * given when it is no list.
 */
export function prunedGroups(r: Record<string, unknown>, base: readonly PathSegment[], where: (path: readonly PathSegment[]) => string, warnings: string[]): unknown {
  const unknown = (v: unknown, known: readonly string[], path: readonly PathSegment[], why: string): Record<string, unknown> | unknown => {
    if (!isObject(v)) return v;
    const kept: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (known.includes(k)) kept[k] = x;
      else warnings.push(`${where([...base, ...path, k])}: ${why}${didYouMean(k, known)}`);
    }
    return kept;
  };
  unknown(r, PROMETHEUS_RULE_FIELDS.resource, [], PRUNED);
  unknown(r.metadata, PROMETHEUS_RULE_FIELDS.metadata, ['metadata'], DROPPED);
  unknown(r.spec, PROMETHEUS_RULE_FIELDS.spec, ['spec'], PRUNED);
  const groups = isObject(r.spec) ? r.spec.groups : undefined;
  if (!Array.isArray(groups)) return groups;
  return groups.map((g, gi) => {
    const group = unknown(g, PROMETHEUS_RULE_FIELDS.group, ['spec', 'groups', gi], PRUNED);
    if (!isObject(group) || !Array.isArray(group.rules)) return group;
    return { ...group, rules: group.rules.map((x, ri) => unknown(x, PROMETHEUS_RULE_FIELDS.rule, ['spec', 'groups', gi, 'rules', ri], PRUNED)) };
  });
}
