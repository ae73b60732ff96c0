/**
 * metrics.rules given a file that is no rule file and has no kind: a rehearse scenario was said to hold "a document
 * without kind", which told nobody what it was; now it is named, as ci and the Kubernetes adapters name such files.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';

const root = new URL('..', import.meta.url).pathname;

function gatedBy(rulesFile: string, copyFrom: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-rules-other-'));
  copyFileSync(join(root, copyFrom), join(dir, rulesFile));
  writeFileSync(join(dir, 's.yaml'), `name: s
seed: 1
duration: 10m
traffic: { rate: 10/s }
journeys: { j: { steps: [api.get] } }
services: { api: { concurrency: 20, latency: 5ms, endpoints: { get: {} } } }
flags: { f: { evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [{ to: 5%, hold: 2m }, { to: 100% }]
    gates: [{ alert: HighErrors }]
metrics:
  rules: [${rulesFile}]
`);
  const l = loadScenarioFile(join(dir, 's.yaml'));
  return l.ok ? [] : l.problems.map((p) => p.message);
}

describe('metrics.rules naming a file that is not rules', () => {
  it('names a rehearse scenario as such', () => {
    expect(gatedBy('slo.yaml', 'test/fixtures/rules/sloth-availability.yaml')).toEqual([
      'slo.yaml: no rule groups (expected groups: or PrometheusRule resources); it holds a rehearse scenario (rehearse run reads it), not rules',
    ]);
  });

  it('names a flag file as such', () => {
    expect(gatedBy('flags.json', 'flags/demo.flagd.json')).toEqual([
      'flags.json: no rule groups (expected groups: or PrometheusRule resources); it holds a flagd flag file (a scenario reads it through flags.from)',
    ]);
  });
});
