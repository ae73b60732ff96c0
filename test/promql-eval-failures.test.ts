/**
 * A query Prometheus parses and then fails at every evaluation (label_replace with an expression Go's regexp
 * refuses, label_join with a label name that is not one) is read, warned where it is written, and fails where it
 * is evaluated, as in Prometheus 2.42 (promql/functions.go funcLabelReplace, funcLabelJoin: errors at evaluation;
 * `promtool check rules` accepts the file). rehearse refused such a rule file whole, where promtool passes it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-promql-eval-failures-'));

async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, text: lines.join('\n') };
}

describe('a query that fails at every evaluation', () => {
  it('in a rule file: the file is read, the rule warned at its expr, the gate on its alert never sees it fire', async () => {
    const rules = readFileSync('examples/prometheus/slo-rules.yaml', 'utf8')
      .replace('expr: sum(rate(http_requests_total{code=~"5..",job="thanos-receive-default"}[5m]))', 'expr: sum(label_replace(rate(http_requests_total{code=~"5..",job="thanos-receive-default"}[5m]), "x", "$1", "code", "("))');
    expect(rules).toContain('label_replace');
    writeFileSync(join(dir, 'slo-rules.yaml'), rules);
    writeFileSync(join(dir, 'scenario.yaml'), readFileSync('examples/prometheus/thanos-receive.yaml', 'utf8'));
    const r = await cli('validate', join(dir, 'scenario.yaml'));
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/slo-rules\.yaml:\d+:\d+: spec\.groups\[\d+\]\.rules\[\d+\]\.expr: invalid regular expression in label_replace\(\): \(: Prometheus parses the query \(promtool check rules accepts it\) and fails it at every evaluation: the rule's health is err and it records nothing/);
  });

  it('in an Argo AnalysisTemplate: warned at the query; every measurement is an Error', async () => {
    const file = join(dir, 'rollout.yaml');
    writeFileSync(file, [
      'apiVersion: argoproj.io/v1alpha1', 'kind: Rollout', 'metadata: { name: web }', 'spec:', '  strategy:', '    canary:', '      steps:',
      '      - setWeight: 20', '      - analysis: { templates: [{ templateName: rate }] }', '  selector: { matchLabels: { app: web } }', '  template: { metadata: { labels: { app: web } }, spec: { containers: [{ name: web, image: web }] } }', '---',
      'apiVersion: argoproj.io/v1alpha1', 'kind: AnalysisTemplate', 'metadata: { name: rate }', 'spec:', '  metrics:', '  - name: errors',
      '    successCondition: result[0] < 0.05', '    provider:', '      prometheus:', '        query: sum(label_join(rate(http_requests_total[1m]), "a", ",", "b-c"))', '',
    ].join('\n'));
    const r = await cli('import', 'argo', file);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/rollout\.yaml:22:16: spec\.metrics\[0\]\.provider\.prometheus\.query: invalid source label name in label_join\(\): b-c: Prometheus parses the query \(promtool check rules accepts it\) and fails it at every evaluation: every measurement is an Error/);
  });
});
