/**
 * A PrometheusRule's fields against its CRD (prometheus-operator/prometheus-operator
 * example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml, operator 0.93.0, in
 * test/fixtures/vendor/prometheus-operator): a field the schema lacks, at the top, in metadata, in spec, in a group
 * or in a rule, is pruned by the API server, so it is warned at its line and column and the rules are read without
 * it, as the operator writes them for Prometheus.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { PROMETHEUS_RULE_FIELDS } from '../src/interop/prometheus/resource-fields.js';
import { InputError } from '../src/errors.js';

const root = new URL('..', import.meta.url).pathname;
const PRUNED = 'not a field of the PrometheusRule CRD (monitoring.coreos.com_prometheusrules.yaml): the API server prunes it, and the Prometheus Operator never writes it to the rule file';

const resource = (body: string) => `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: r
  namespace: ns
${body}`;

describe('the PrometheusRule CRD\'s fields', () => {
  it('are the fields resource-fields.ts lists, at every level of the newest CRD', () => {
    const crd = parse(readFileSync(join(root, 'test/fixtures/vendor/prometheus-operator/monitoring.coreos.com_prometheusrules.yaml'), 'utf8'));
    const top = crd.spec.versions[0].schema.openAPIV3Schema;
    const group = top.properties.spec.properties.groups.items;
    expect(crd.metadata.annotations['operator.prometheus.io/version']).toBe('0.93.0');
    expect(Object.keys(top.properties).sort()).toEqual([...PROMETHEUS_RULE_FIELDS.resource].sort());
    expect(Object.keys(top.properties.spec.properties).sort()).toEqual([...PROMETHEUS_RULE_FIELDS.spec].sort());
    expect(Object.keys(group.properties).sort()).toEqual([...PROMETHEUS_RULE_FIELDS.group].sort());
    expect(Object.keys(group.properties.rules.items.properties).sort()).toEqual([...PROMETHEUS_RULE_FIELDS.rule].sort());
  });
});

describe('a field the CRD lacks', () => {
  const text = resource(`  labelz: { team: a }
extra: 1
spec:
  grups: []
  groups:
  - name: g
    limitt: 3
    source_tenants: [a]
    rules:
    - alert: A
      expr: up == 0
      fore: 5m
      severity: page
`);

  it('is warned at its place with the field it is nearest to, at the top, in metadata, spec, a group and a rule', () => {
    const { warnings } = readRuleFile(text, 'pr.yaml');
    expect(warnings).toEqual([
      `pr.yaml:7:8: extra: ${PRUNED}`,
      'pr.yaml:6:11: metadata.labelz: not a field of a Kubernetes object\'s metadata (ObjectMeta): the API server drops it; did you mean "labels"?',
      `pr.yaml:9:10: spec.grups: ${PRUNED}; did you mean "groups"?`,
      `pr.yaml:12:13: spec.groups[0].limitt: ${PRUNED}; did you mean "limit"?`,
      `pr.yaml:13:21: spec.groups[0].source_tenants: ${PRUNED}`,
      `pr.yaml:17:13: spec.groups[0].rules[0].fore: ${PRUNED}; did you mean "for"?`,
      `pr.yaml:18:17: spec.groups[0].rules[0].severity: ${PRUNED}`,
    ]);
  });

  it('is left out of the rules, as the operator writes them: no limit, no for', () => {
    const { groups } = readRuleFile(text, 'pr.yaml');
    expect(groups.map((g) => [g.name, g.limit, g.rules.map((r) => [r.name, r.forMs])])).toEqual([['g', 0, [['A', 0]]]]);
  });

  it('in a plain rule file is refused as Prometheus refuses it (rulefmt: "field ... not found")', () => {
    let lines: readonly string[] = [];
    try {
      readRuleFile('groups:\n- name: g\n  limitt: 3\n  rules:\n  - alert: A\n    expr: up == 0\n', 'r.yml');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual(['r.yml:3:11: groups[0].limitt: field limitt not found in a rule group (Prometheus refuses it)']);
  });

  it('in a PrometheusRule of a List is placed at the item', () => {
    const list = `apiVersion: v1
kind: List
items:
- apiVersion: monitoring.coreos.com/v1
  kind: PrometheusRule
  metadata: { name: a }
  spec:
    groups:
    - name: g
      limt: 2
      rules:
      - alert: A
        expr: up == 0
`;
    expect(readRuleFile(list, 'list.yaml').warnings).toEqual([`list.yaml:10:13: items[0].spec.groups[0].limt: ${PRUNED}; did you mean "limit"?`]);
    let lines: readonly string[] = [];
    try {
      readRuleFile(`${list}        labels: { severity: 1 }\n`, 'list.yaml');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual(['list.yaml:14:29: items[0].spec.groups[0].rules[0].labels.severity: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)']);
  });
});
