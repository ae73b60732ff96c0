/**
 * No silent fallback, for the Kubernetes resources rehearse reads: every field of the vendor's published schema
 * has a disposition in the adapter's table (modelled, warned or refused). The Argo Rollouts CRDs
 * (argoproj/argo-rollouts manifests/crds) are walked through their field lists in
 * test/fixtures/vendor/argo/schema (see the README there); Flagger's CRD (fluxcd/flagger
 * artifacts/flagger/crd.yaml) is walked as it is. A table entry that matches no field of the schema is a name of
 * an older release, listed here, or a mistake.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fieldPaths } from '../scripts/crd-fields.mjs';
import { dispositionOf, segmentsOf, type Table } from '../src/interop/kube/fields.js';
import { ANALYSIS_TEMPLATE, CLUSTER_ANALYSIS_TEMPLATE, ROLLOUT } from '../src/interop/argo/dispositions.js';
import { CANARY, METRIC_TEMPLATE } from '../src/interop/flagger/dispositions.js';
import { resourceDocs } from './helpers.js';

const argo = (name: string): string[] => JSON.parse(readFileSync(`test/fixtures/vendor/argo/schema/${name}.json`, 'utf8'));
// The CRD's long descriptions continue lines at the key's indentation, which the yaml package reports as errors;
// the schema's structure reads the same (kubectl's YAML parser accepts them).
const flaggerDocs = resourceDocs(readFileSync('test/fixtures/vendor/flagger/crd.yaml', 'utf8'));

const KINDS: [string, Table, string[], string[]][] = [
  ['Rollout', ROLLOUT, argo('rollout'), ['spec.strategy.canary.trafficManagement.**', 'spec.strategy.canary.analysis.templateName', 'spec.strategy.canary.steps[].analysis.templateName']],
  ['AnalysisTemplate', ANALYSIS_TEMPLATE, argo('analysis-template'), ['spec.metrics[].maxFailures']],
  ['ClusterAnalysisTemplate', CLUSTER_ANALYSIS_TEMPLATE, argo('cluster-analysis-template'), ['spec.metrics[].maxFailures']],
  ['Canary', CANARY, fieldPaths(flaggerDocs, 'Canary'), [`spec.canaryAnalysis`]],
  ['MetricTemplate', METRIC_TEMPLATE, fieldPaths(flaggerDocs, 'MetricTemplate'), []],
];

/** Whether a table pattern covers a schema path (or the schema path lies under a pattern's subtree). */
function covers(pattern: string, path: string): boolean {
  const p = segmentsOf(pattern), s = segmentsOf(path);
  const subtree = p[p.length - 1] === '**';
  const fixed = subtree ? p.slice(0, -1) : p;
  if (subtree ? s.length < fixed.length : s.length !== fixed.length) return false;
  return fixed.every((seg, i) => seg === '*' || seg === s[i]);
}

describe('every field of the CRDs has a disposition', () => {
  it.each(KINDS)('%s', (_, table, paths) => {
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((p) => dispositionOf(table, p) === null);
    expect(missing).toEqual([]);
  });

  it.each(KINDS)('%s: the table names only fields of the schema, or of an older release', (_, table, paths, legacy) => {
    const stray = Object.keys(table).filter((pattern) => {
      if (/^(apiVersion|kind|metadata|status)\b/.test(pattern)) return false;
      if (legacy.some((l) => pattern === l || pattern.startsWith(`${l}.`) || pattern.startsWith(`${l}[`))) return false;
      return !paths.some((p) => covers(pattern, p) || covers(p.replace(/\.\*\*$/, '.**'), pattern));
    });
    expect(stray).toEqual([]);
  });

  it('counts them as docs/interop.md says', () => {
    const doc = readFileSync('docs/interop.md', 'utf8');
    for (const [kind, table, paths] of KINDS) {
      const count = (d: string) => paths.filter((p) => dispositionOf(table, p)!.disposition.d === d).length;
      const row = doc.split('\n').find((l) => l.startsWith(`| ${kind} |`) || l.startsWith(`| ${kind},`) || l.includes(`, ${kind} |`))!;
      expect(row, kind).toMatch(new RegExp(`\\| ${paths.length}( each)? \\| ${count('modelled')} \\| ${count('warned')} \\| ${count('refused')}\\b`));
    }
  });

  it('refuses blue-green and warns what is not simulated, with the reason', () => {
    expect(dispositionOf(ROLLOUT, 'spec.strategy.blueGreen.activeService')?.disposition.d).toBe('refused');
    expect(dispositionOf(ROLLOUT, 'spec.template.spec.containers[].image')?.disposition.d).toBe('warned');
    expect(dispositionOf(ROLLOUT, 'spec.strategy.canary.canaryService')?.disposition.d).toBe('modelled');
    expect(dispositionOf(ANALYSIS_TEMPLATE, 'spec.metrics[].provider.datadog.query')?.disposition).toMatchObject({ d: 'warned', why: expect.stringContaining('datadog provider is not simulated') });
    expect(dispositionOf(CANARY, 'spec.service.retries.attempts')?.disposition.d).toBe('warned');
    expect(dispositionOf(CANARY, 'spec.canaryAnalysis.metrics[].threshold')?.disposition.d).toBe('modelled');
  });
});
