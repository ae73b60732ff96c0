/**
 * A Kubernetes resource is read as the API server reads it, or refused: every field's value must have the type
 * its CRD declares (a string where the CRD says string, an integer where it says integer), as `kubectl apply`
 * checks it before a controller ever sees the resource. A value of another type was read as something else
 * ("[object Object]" as a target's name, a map as an arg's name). The types (src/interop/kube/crd-types.json) are
 * held here to the vendors' own schemas: Argo Rollouts' field lists (test/fixtures/vendor/argo/schema, from
 * argoproj/argo-rollouts manifests/crds) and Flagger's CRD (test/fixtures/vendor/flagger/crd.yaml, from
 * fluxcd/flagger artifacts/flagger/crd.yaml).
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { fieldConstraints as crdFieldConstraints, fieldTypes as crdFieldTypes } from '../scripts/crd-fields.mjs';
import { main } from '../src/cli/main.js';
import { constraintMessage, fieldConstraints, fieldTypes, hasType } from '../src/interop/kube/crd-types.js';
import { pathText } from '../src/interop/kube/resources.js';
import { resourceDocs } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-k8s-types-'));
const vendor = (p: string) => join('test/fixtures/vendor', p);
const argoList = (name: string): string[] => JSON.parse(readFileSync(vendor(`argo/schema/${name}.json`), 'utf8'));
const flaggerDocs = resourceDocs(readFileSync(vendor('flagger/crd.yaml'), 'utf8'));
const META = ['apiVersion', 'kind', 'metadata', 'metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.labels.*', 'metadata.annotations', 'metadata.annotations.*'];

async function cli(...argv: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) });
  return { code, text: lines.join('\n') };
}

describe('the types are the vendors\' own', () => {
  it.each([['Rollout', 'rollout'], ['AnalysisTemplate', 'analysis-template'], ['ClusterAnalysisTemplate', 'cluster-analysis-template']])('Argo %s: a type for exactly the fields of the CRD\'s field list', (kind, list) => {
    const types = fieldTypes('argoproj.io', kind)!;
    const paths = argoList(list).filter((p) => !p.endsWith('.**'));
    expect(Object.keys(types).filter((k) => !META.includes(k)).sort()).toEqual([...paths].sort());
    // Spot checks against the CRD text: setWeight is int32, a metric's count intstr, a step's pause duration intstr.
    expect(types['spec.strategy.canary.steps[].setWeight'] ?? types['spec.metrics[].count']).toMatch(/^(integer|int-or-string)$/);
  });

  it.each(['Canary', 'MetricTemplate', 'AlertProvider'])('Flagger %s: the types the CRD gives, field by field', (kind) => {
    const types = fieldTypes('flagger.app', kind)!;
    const fromCrd = crdFieldTypes(flaggerDocs, kind) as Record<string, string>;
    const own = Object.fromEntries(Object.entries(types).filter(([k]) => !META.includes(k)));
    expect(own).toEqual(fromCrd);
    if (kind === 'Canary') {
      expect(types['spec.targetRef.name']).toBe('string');
      expect(types['spec.analysis.threshold']).toBe('number');
    }
  });

  it.each(['Canary', 'MetricTemplate', 'AlertProvider'])('Flagger %s: the enums, patterns and bounds the CRD gives, field by field', (kind) => {
    expect(fieldConstraints('flagger.app', kind)).toEqual(crdFieldConstraints(flaggerDocs, kind));
  });

  it('an enum, a pattern (unanchored, as Go\'s regexp.MatchString reads it) and bounds, as the API server checks them', () => {
    const c = fieldConstraints('flagger.app', 'Canary')!;
    expect(c['spec.analysis.interval'].pattern).toBe('^[0-9]+(m|s)');
    expect(constraintMessage('Canary', c['spec.analysis.interval'], '1m30s')).toBeNull();
    expect(constraintMessage('Canary', c['spec.analysis.interval'], '90s')).toBeNull();
    expect(constraintMessage('Canary', c['spec.analysis.interval'], '1h')).toMatch(/^must be text matching \^\[0-9\]\+\(m\|s\), as the Canary CRD says, not the string "1h"/);
    expect(constraintMessage('Canary', c['spec.provider'], 'istio')).toBeNull();
    expect(constraintMessage('Canary', c['spec.provider'], 'istoi')).toMatch(/refuses the resource; did you mean "istio"\?$/);
    expect(constraintMessage('Canary', c['spec.service.gatewayRefs[].port'], 0)).toMatch(/^must be at least 1/);
    expect(constraintMessage('Canary', c['spec.service.gatewayRefs[].port'], 65536)).toMatch(/^must be at most 65535/);
  });

  it('null passes (the API server prunes it before validating); integers are numbers; int-or-string takes both', () => {
    expect(hasType(null, 'string')).toBe(true);
    expect(hasType(3, 'number')).toBe(true);
    expect(hasType(2.5, 'integer')).toBe(false);
    expect(hasType('25%', 'int-or-string') && hasType(25, 'int-or-string')).toBe(true);
    expect(hasType(2.5, 'int-or-string')).toBe(false);
    expect(hasType([], 'object')).toBe(false);
  });
});

/** A vendor file with one value replaced: in its first resource of kind `kind`, at field path `path`. */
function edited(file: string, kind: string, path: (string | number)[], value: unknown, name: string): string {
  const docs = resourceDocs(readFileSync(vendor(file), 'utf8'));
  let at = docs.find((d) => d?.kind === kind);
  for (const seg of path.slice(0, -1)) at = at[seg];
  at[path[path.length - 1]] = value;
  const out = join(dir, name);
  writeFileSync(out, docs.map((d) => stringify(d)).join('---\n'));
  return out;
}

describe('a value of another type is refused at its place, as the API server refuses it', () => {
  const API = ': the Kubernetes API server refuses the resource';
  const cases: [string, string, string, string, (string | number)[], unknown, string][] = [
    ['argo', 'an arg\'s name as a map', 'argo/e2e-rollout-bg-analysis-withArgs.yaml', 'AnalysisTemplate', ['spec', 'args', 0, 'name'], { a: 1 }, `spec.args[0].name: must be a string, as the AnalysisTemplate CRD declares it, not a map${API}`],
    ['argo', 'an annotation\'s value as an integer (a field the table warns, still typed)', 'argo/rollout-canary.yaml', 'Rollout', ['metadata', 'annotations'], { team: 7 }, `metadata.annotations.team: must be a string, as the Rollout CRD declares it, not the integer 7${API}`],
    ['argo', 'a canary Service as true', 'argo/istio-mirror.yaml', 'Rollout', ['spec', 'strategy', 'canary', 'canaryService'], true, `spec.strategy.canary.canaryService: must be a string, as the Rollout CRD declares it, not true${API}`],
    ['argo', 'a weight as text: the adapter\'s own message, which says more', 'argo/rollout-canary.yaml', 'Rollout', ['spec', 'strategy', 'canary', 'steps', 0, 'setWeight'], '20', 'spec.strategy.canary.steps[0].setWeight: a weight is a whole number from 0 to 100'],
    ['flagger', 'a target\'s name as a map', 'flagger/istio-canary.yaml', 'Canary', ['spec', 'targetRef', 'name'], { a: 1 }, `spec.targetRef.name: must be a string, as the Canary CRD declares it, not a map${API}`],
    ['flagger', 'a target\'s name as a number', 'flagger/istio-canary.yaml', 'Canary', ['spec', 'targetRef', 'name'], 42, `spec.targetRef.name: must be a string, as the Canary CRD declares it, not the integer 42${API}`],
    ['flagger', 'a threshold as a list', 'flagger/istio-canary.yaml', 'Canary', ['spec', 'analysis', 'threshold'], [5], `spec.analysis.threshold: must be a number, as the Canary CRD declares it, not a list${API}`],
    ['flagger', 'a webhook\'s type as a map', 'flagger/istio-abtest.yaml', 'Canary', ['spec', 'analysis', 'webhooks', 0, 'type'], { a: 1 }, `spec.analysis.webhooks[0].type: must be a string, as the Canary CRD declares it, not a map${API}`],
    ['flagger', 'a Flagger 0.x metric\'s interval as a map (canaryAnalysis, typed as the analysis it became)', 'flagger/v1alpha3-istio-canary.yaml', 'Canary', ['spec', 'canaryAnalysis', 'metrics', 0, 'interval'], { a: 1 }, `spec.canaryAnalysis.metrics[0].interval: must be a string, as the Canary CRD declares it, not a map${API}`],
    ['flagger', 'an interval of 1h (the CRD\'s pattern takes m or s only)', 'flagger/istio-canary.yaml', 'Canary', ['spec', 'analysis', 'interval'], '1h', `spec.analysis.interval: must be text matching ^[0-9]+(m|s), as the Canary CRD says, not the string "1h"${API}`],
    ['flagger', 'a provider the CRD does not list', 'flagger/istio-canary.yaml', 'Canary', ['spec', 'provider'], 'istoi', 'spec.provider: must be one of "apisix", "appmesh"'],
    ['flagger', 'apiVersion as a map (checked as the kind it names)', 'flagger/istio-canary.yaml', 'Canary', ['apiVersion'], { a: 1 }, `apiVersion: must be a string, as the Canary CRD declares it, not a map${API}`],
  ];
  it.each(cases)('%s: %s', async (adapter, _, file, kind, path, value, message) => {
    const out = edited(file, kind, path, value, `${adapter}-${path.join('-')}-${typeof value}.yaml`);
    const r = await cli('import', adapter, out);
    expect(r.code).toBe(2);
    const line = r.text.split('\n').find((l) => l.startsWith(`${out}:`) && l.includes(`: ${message}`));
    expect(line, r.text).toMatch(/^\S+:\d+:\d+: /);
    // Nothing is read as something else: no message about what a map would have meant.
    expect(r.text).not.toMatch(/\[object Object\]/);
  });

  it('every vendor file the adapters read passes the types as it is', async () => {
    for (const [adapter, folder] of [['argo', 'argo'], ['flagger', 'flagger']]) {
      for (const f of readdirSync(vendor(folder)).filter((x) => /\.ya?ml$/.test(x) && x !== 'crd.yaml')) {
        const r = await cli('import', adapter, vendor(`${folder}/${f}`));
        expect(r.text, f).not.toMatch(/CRD declares/);
      }
    }
  });

  it('fast-check: a string field of a vendor Canary or Rollout given a map, a list or a number is refused, never printed as "[object Object]"', async () => {
    const files: [string, string, string][] = [['flagger', 'flagger/istio-canary.yaml', 'Canary'], ['flagger', 'flagger/linkerd-canary.yaml', 'Canary'], ['argo', 'argo/rollout-secret.yaml', 'Rollout'], ['argo', 'argo/appmesh-canary-rollout.yaml', 'Rollout']];
    let n = 0;
    await fc.assert(fc.asyncProperty(fc.constantFrom(...files), fc.nat(), fc.constantFrom<unknown>({ a: 1 }, [1], 42, true), async ([adapter, file, kind], pick, value) => {
      const docs = resourceDocs(readFileSync(vendor(file), 'utf8'));
      const types = fieldTypes(adapter === 'argo' ? 'argoproj.io' : 'flagger.app', kind)!;
      // The string fields present in the file.
      const strings: (string | number)[][] = [];
      const walk = (v: unknown, path: (string | number)[], key: string) => {
        if (typeof v === 'string' && types[key] === 'string') strings.push(path);
        if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...path, i], `${key}[]`));
        else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...path, k], key ? `${key}.${k}` : k);
      };
      walk(docs.find((d) => d?.kind === kind), [], '');
      const path = strings[pick % strings.length];
      const out = edited(file, kind, path, value, `prop-${n++}.yaml`);
      const r = await cli('import', adapter, out);
      expect(r.code).toBe(2);
      // The CRD's message, or an adapter's own for a field it checks itself (a duration, a condition, a query).
      expect(r.text).toMatch(new RegExp(`: ${pathText(path).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
      expect(r.text).not.toMatch(/\[object Object\]/);
    }), { numRuns: 60, seed: 20_261_205 });
  });
});
