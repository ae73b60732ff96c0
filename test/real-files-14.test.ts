/**
 * Round 14 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - prometheus/prometheus model/rulefmt/testdata (the rule-file parser's own test files) and cmd/promtool/testdata,
 *   held to the installed promtool 2.42:
 *   - test_aliases.yaml completes a rule with a YAML merge key (`<<: *highalert`), which gopkg.in/yaml.v3 (what
 *     rulefmt decodes with) resolves and promtool reads (8 rules): rehearse refused the file ("field << not found
 *     in a rule"). It also writes `alert: *alertname` and `expr: *expr`: rulefmt decoded record, alert and expr as
 *     yaml.Node until Prometheus 3.3 (prometheus#14957, whose test file this is), so 2.42 reads such an alias as its
 *     own name (promtool lints a duplicate "Metric: alertname"); rehearse read the anchor's value without a word.
 *   - invalid_label_name.bad.yaml sets the label __name__, which rulefmt's Validate refuses ("invalid label name:
 *     __name__"); rehearse read it.
 *   - legacy_validation_annotation.bad.yaml and utf-8_annotation.good.yaml name an annotation `ins-tance`, which
 *     2.42 refuses ("invalid annotation name") and Prometheus 3 takes (UTF-8 names): rehearse said nothing.
 *   - rules_run.yml, a promtool unit-test file, given as a rule file was "a document without kind".
 * - Label values: rulefmt decodes them into Go strings, which yaml.v3 fills with the scalar as written (decode.go),
 *   so `version: 1.50` is "1.50" and `tier: 007` "007" to Prometheus; rehearse wrote them back from YAML 1.2 data
 *   as "1.5" and "7" (an alert gate's labels would not match), and a mapping as "[object Object]" where
 *   Prometheus refuses it (`cannot unmarshal !!map into string`). test/fixtures/promtool-vectors/label-text-*.yml
 *   is run by promtool and by rehearse's rule engine.
 * - grafana/promql-anomaly-detection rules/adaptive.yml before its PR #18 labels a rule `anomaly_select: 1`: the
 *   text "1" to Prometheus, but in a PrometheusRule the API server refuses it (the CRD's labels are strings:
 *   monitoring.coreos.com_prometheusrules.yaml; Flux said `expected string, got ...{Value:1}`), and rehearse
 *   read such a PrometheusRule. Types of a PrometheusRule's groups and rules are now checked against the CRD.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { InputError } from '../src/errors.js';
import { prometheusAvailable } from './prometheus.js';
import { promtool, runThroughRehearse } from './promtool.js';

const root = join(import.meta.dirname, '..');
const rulefmt = (f: string) => join(root, 'test/fixtures/vendor/rulefmt', f);

/** What readRuleFile says of a file: its rules (name and labels) and warnings, or the lines of its refusal. */
function rules(file: string, text = readFileSync(rulefmt(file), 'utf8')): { rules: [string, Record<string, string>][]; warnings: readonly string[] } | { refused: string[] } {
  try {
    const r = readRuleFile(text, file);
    return { rules: r.groups.flatMap((g) => g.rules.map((x): [string, Record<string, string>] => [x.name, x.labels])), warnings: r.warnings };
  } catch (e) {
    if (e instanceof InputError) return { refused: e.lines };
    throw e;
  }
}

describe('prometheus/prometheus model/rulefmt/testdata, as promtool 2.42 reads them', () => {
  it('test_aliases.yaml: the merge key completes the rule, as yaml.v3 resolves it (8 rules, as promtool finds)', () => {
    const r = rules('test_aliases.yaml');
    if (!('rules' in r)) throw new Error(r.refused.join('\n'));
    expect(r.rules.map(([n]) => n)).toEqual(['HighAlert', 'new_metric', 'HighAlert', 'HighAlert2', 'HighAlert', 'new_metric', 'HighAlert', 'HighAlert2']);
    // rulefmt_test.go TestParseFileSuccess: the merged rule has the anchor's labels and expr.
    const parsed = readRuleFile(readFileSync(rulefmt('test_aliases.yaml'), 'utf8'), 'a.yaml').groups[0].rules[3];
    expect(parsed.labels).toEqual({ severity: 'critical' });
    expect(parsed.query).toBe('sum without(instance) (rate(errors_total[5m]))\n/\nsum without(instance) (rate(requests_total[5m]))\n');
    expect(parsed.forMs).toBe(300_000);
  });

  it('test_aliases.yaml: each alias in alert, record or expr is said to be read otherwise before Prometheus 3.3', () => {
    const r = rules('test_aliases.yaml');
    if (!('rules' in r)) throw new Error(r.refused.join('\n'));
    const aliases = r.warnings.filter((w) => w.includes('the alias *'));
    expect(aliases).toHaveLength(9);
    expect(readFileSync(rulefmt('test_aliases.yaml'), 'utf8').split('\n')[23]).toBe('      - alert: *alertname');
    expect(aliases).toContain('test_aliases.yaml:24:16: groups[0].rules[2].alert: the alias *alertname: Prometheus 3.3 and later read its anchor\'s value "HighAlert", as rehearse does; earlier ones (2.42 included) read the text "alertname", the alias\'s own name (write the value itself to be read alike by every Prometheus)');
    expect(aliases.filter((w) => w.includes('.expr: the alias *expr'))).toHaveLength(5);
    expect(aliases.filter((w) => w.includes('.record: the alias *recordname'))).toHaveLength(1);
  });

  it.skipIf(!prometheusAvailable())('promtool 2.42 reads the merge and takes the alias for its name (the lint names "alertname")', async () => {
    const { spawnSync } = await import('node:child_process');
    const { PROMTOOL } = await import('./prometheus.js');
    const out = spawnSync(PROMTOOL, ['check', 'rules', '--lint=none', rulefmt('test_aliases.yaml')], { encoding: 'utf8' });
    expect(`${out.stdout}${out.stderr}`).toContain('SUCCESS: 8 rules found');
    const lint = spawnSync(PROMTOOL, ['check', 'rules', rulefmt('test_aliases.yaml')], { encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`).toContain('Metric: alertname');
  });

  it('invalid_label_name.bad.yaml: a label __name__ is refused, as rulefmt Validate refuses it', () => {
    expect(rules('invalid_label_name.bad.yaml')).toEqual({ refused: ['invalid_label_name.bad.yaml:7:21: groups[0].rules[0].labels.__name__: invalid label name: __name__ (a rule\'s labels cannot rename its series; Prometheus refuses the file)'] });
    // A group's labels too (Prometheus 3's group labels go through the same check, rulefmt.go RuleGroups.Validate).
    const group = 'groups:\n  - name: g\n    labels: { __name__: x }\n    rules:\n      - record: a\n        expr: "1"\n';
    expect(rules('g.yaml', group)).toEqual({ refused: ['g.yaml:3:25: groups[0].labels.__name__: invalid label name: __name__ (a rule\'s labels cannot rename its series; Prometheus refuses the file)'] });
  });

  it('an annotation name 2.42 refuses and Prometheus 3 takes is warned; an empty one is refused', () => {
    for (const f of ['legacy_validation_annotation.bad.yaml', 'utf-8_annotation.good.yaml']) {
      const r = rules(f);
      if (!('rules' in r)) throw new Error(r.refused.join('\n'));
      expect(r.warnings).toEqual([`${f}:7:22: groups[0].rules[0].annotations.ins-tance: invalid annotation name: ins-tance to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 names (rehearse reads no annotation)`]);
    }
    const empty = 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: "1"\n        annotations: { "": x }\n';
    expect(rules('e.yaml', empty)).toEqual({ refused: ['e.yaml:6:28: groups[0].rules[0].annotations[""]: invalid annotation name: (empty; Prometheus refuses the file)'] });
  });

  it('cmd/promtool/testdata/rules_run.yml, a unit-test file given as rules, is named for what it is', () => {
    expect(rules('promtool-rules_run.yml')).toEqual({ refused: ['promtool-rules_run.yml:1:1: a promtool unit-test file (rule_files, tests), not rules: name the rule files it tests (rules.yml, relative to it)'] });
  });
});

describe('label values as rulefmt decodes them: the text as written', () => {
  const vectors = join(root, 'test/fixtures/promtool-vectors');
  it('version: 1.50, mask: 0x10, canary: True, budget: 1e3, tier: 007 keep their text', () => {
    const r = readRuleFile(readFileSync(join(vectors, 'label-text-rules.yml'), 'utf8'), 'label-text-rules.yml');
    expect(r.groups[0].rules[0].labels).toEqual({ version: '1.50', mask: '0x10', canary: 'True', budget: '1e3', tier: '007', owner: '' });
    expect(r.groups[0].rules.map((x) => [x.name, x.labels.severity, x.forMs])).toEqual([['job:up:text', undefined, 0], ['Down', '2.0', 60_000], ['DownNow', '2.0', 0]]);
    expect(r.warnings).toEqual([]);
  });

  it.skipIf(!prometheusAvailable())('promtool passes the unit test of these labels', () => {
    expect(promtool(join(vectors, 'label-text-test.yml')).output).toContain('SUCCESS');
  });

  it('rehearse\'s rule engine passes the same unit test', () => {
    expect(runThroughRehearse(join(vectors, 'label-text-test.yml'))).toEqual([]);
  });

  it('a mapping or a list as a label\'s or an annotation\'s value is refused, in yaml.v3\'s words', () => {
    const text = 'groups:\n  - name: g\n    rules:\n      - alert: a\n        expr: "1"\n        labels: { x: { b: c }, y: [1] }\n        annotations: { s: { b: c } }\n';
    expect(rules('m.yaml', text)).toEqual({ refused: [
      'm.yaml:7:27: groups[0].rules[0].annotations.s: cannot unmarshal !!map into string (a value here is text; Prometheus refuses the file)',
      'm.yaml:6:22: groups[0].rules[0].labels.x: cannot unmarshal !!map into string (a value here is text; Prometheus refuses the file)',
      'm.yaml:6:35: groups[0].rules[0].labels.y: cannot unmarshal !!seq into string (a value here is text; Prometheus refuses the file)',
    ] });
  });

  it('alert: 123 is the alert "123", as promtool reads it (it was "one of \'record\' or \'alert\' must be set")', () => {
    const r = rules('n.yaml', 'groups:\n  - name: g\n    rules:\n      - alert: 123\n        expr: "1"\n');
    expect(r).toEqual({ rules: [['123', {}]], warnings: [] });
  });
});

describe('grafana/promql-anomaly-detection rules/adaptive.yml (before PR #18): a number as a label value', () => {
  const file = 'test/fixtures/vendor/promql-anomaly-detection/adaptive-aa76099.yml';
  const text = readFileSync(join(root, file), 'utf8');
  it('as a rule file: the label is the text "1", as Prometheus reads it (its dashboards select anomaly_select="1")', () => {
    const r = readRuleFile(text, file);
    const select = r.groups[0].rules.find((x) => x.name === 'anomaly:adaptive:select')!;
    expect(select.labels).toEqual({ anomaly_select: '1', anomaly_strategy: 'adaptive' });
    expect(r.groups.map((g) => [g.name, g.rules.length, g.intervalMs])).toEqual([['AnomalyAdaptiveShortTerm', 11, null], ['AnomalyAdaptiveLongTerm', 2, 300_000], ['AnomalyAdaptiveAlerts', 1, null]]);
    expect(r.warnings).toEqual([]);
  });

  it('as a PrometheusRule: refused where the API server refuses it (the CRD\'s labels are strings)', () => {
    // The same groups under spec:, as Flux applied them (grafana/promql-anomaly-detection PR #18).
    const resource = `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: anomaly-adaptive\nspec:\n${text.split('\n').map((l) => (l ? `  ${l}` : l)).join('\n')}`;
    const line = resource.split('\n').findIndex((l) => l.includes('anomaly_select: 1')) + 1;
    expect(rules('adaptive.yaml', resource)).toEqual({ refused: [`adaptive.yaml:${line}:29: spec.groups[0].rules[4].labels.anomaly_select: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)`] });
    // Quoted, as the fix writes it, it loads.
    expect(rules('adaptive.yaml', resource.replace('anomaly_select: 1', 'anomaly_select: "1"'))).toMatchObject({ warnings: [] });
  });

  it('other types the CRD refuses: a number as for or an alert\'s name, text as a limit; an annotation\'s number is warned', () => {
    const resource = (rule: string, group = '') => `kind: PrometheusRule\nspec:\n  groups:\n    - name: g\n${group}      rules:\n        - ${rule}\n`;
    expect(rules('a.yaml', resource('{ alert: 500, expr: up == 0 }'))).toEqual({ refused: ['a.yaml:6:20: spec.groups[0].rules[0].alert: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)'] });
    expect(rules('a.yaml', resource('{ alert: A, expr: up == 0, for: 5 }'))).toEqual({ refused: ['a.yaml:6:43: spec.groups[0].rules[0].for: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule; quote the value)'] });
    expect(rules('a.yaml', resource('{ alert: A, expr: up == 0 }', '      limit: "3"\n'))).toEqual({ refused: ['a.yaml:5:14: spec.groups[0].limit: Invalid value: "string": must be of type integer (the API server refuses the PrometheusRule; quote the value)'] });
    // expr is int-or-string in the CRD (prometheus-operator#1845), as in Prometheus.
    expect(rules('a.yaml', resource('{ record: one, expr: 1 }'))).toEqual({ rules: [['one', {}]], warnings: [] });
    const annotated = rules('a.yaml', resource('{ alert: A, expr: up == 0, annotations: { runbook: 7 } }'));
    expect(annotated).toMatchObject({ rules: [['A', {}]] });
    expect('warnings' in annotated && annotated.warnings).toEqual(['a.yaml:6:62: spec.groups[0].rules[0].annotations.runbook: Invalid value: "integer": must be of type string (the API server refuses the PrometheusRule unless the Prometheus Operator\'s admission webhook is deployed, which writes an annotation\'s value as text; quote the value)']);
  });
});
