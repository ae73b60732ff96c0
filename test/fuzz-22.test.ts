/**
 * Hostile input, round 22: generated rather than picked. The real files of every importer (flag files of flagd,
 * Unleash and LaunchDarkly, Argo and Flagger resources, Prometheus rule files, OTLP, Jaeger, Zipkin and Tempo traces,
 * Kubernetes workloads for calibrate --deployment, cohorts, rehearse's own scenarios with their cases, gates and tune
 * blocks) mutated where they are parsed (test/fuzz-22-mutants.ts: values of other types, huge, negative, NaN-like,
 * hex, octal and underscored numbers, empty and 64 KB strings, right-to-left marks, NUL, lone surrogates and
 * combining marks, keys given twice, anchors, aliases and billion laughs, merge keys, tags, deep nesting, pairs
 * deleted), each run by the command that reads it in a child process with a time limit (test/fuzz-22-run.ts); and
 * every command's options and arguments given hostile values (test/fuzz-22-argv.ts). The property: exit 0 or 1, or 2
 * with a message that names the file; no stack trace, no hang, no "undefined", "NaN", "[object Object]" or
 * "Infinity" the input does not hold, and no 1e999 read as Infinity.
 *
 * Found and fixed, each a case below:
 * - a Kubernetes resource or a rule file nested 5,000 `[` deep (Go's yaml takes 10,000 levels) ended in "Maximum
 *   call stack size exceeded" with its stack (exit 1): the check of flow keys Go refuses walked the tokens by
 *   recursion (the yaml package's CST.visit).
 *
 * - `1e999` in a Kubernetes resource or a flagd YAML file: Go's yaml reads the text "1e999" (strconv.ParseFloat
 *   fails with ErrRange), and the warning said "where YAML 1.2 reads null" (JSON.stringify of Infinity); YAML 1.2
 *   reads infinity, said now as YAML writes it, `.inf`.
 *
 * The mutants themselves, and the hostile options, run in test/fuzz-22-live.test.ts (child processes with budgets).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nested } from './fuzz-22-mutants.js';
import { root } from './fuzz-22-targets.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-22-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|ERR_/);

describe('files nested deeper than the call stack', () => {
  const canary = readFileSync(join(root, 'examples/flagger/canary.yaml'), 'utf8');
  const rules = readFileSync(join(root, 'examples/prometheus/slo-rules.yaml'), 'utf8');

  it.each([
    ['a Canary', () => write('deep-canary.yaml', canary.replace(/stepWeight: \d+/, `stepWeight: ${nested(5000, false)}`)), (f: string) => ['import', 'flagger', f]],
    ['a Rollout', () => write('deep-rollout.yaml', readFileSync(join(root, 'examples/argo/rollout.yaml'), 'utf8').replace(/- setWeight: \d+/, `- setWeight: ${nested(5000, false)}`)), (f: string) => ['import', 'argo', f, join(root, 'examples/argo/analysis-templates.yaml')]],
    ['a rule file', () => {
      write('deep-rules.yaml', rules.replace(/severity: critical/, `severity: ${nested(5000, false)}`));
      return write('deep-rules-scenario.yaml', readFileSync(join(root, 'examples/prometheus/thanos-receive.yaml'), 'utf8').replaceAll('slo-rules.yaml', 'deep-rules.yaml'));
    }, (f: string) => ['validate', f]],
  ])('%s 5,000 levels deep in [ ]: exit 2, "nesting too deep" at its place', async (_what, make, argv) => {
    const file = make();
    const r = await cli(...argv(file));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/deep-(canary|rollout|rules)\.yaml:\d+:\d+: invalid YAML: nesting too deep \(more than 200 levels\)/);
    noStack(r.err);
  }, 120_000);
});

describe('a number past the largest double, as Go\'s yaml reads it', () => {
  it('a Canary\'s stepWeight: 1e999 is the text "1e999" to kubectl, where YAML 1.2 reads .inf (not null)', async () => {
    const file = write('inf-canary.yaml', readFileSync(join(root, 'examples/flagger/canary.yaml'), 'utf8').replace(/stepWeight: \d+/, 'stepWeight: 1e999'));
    const r = await cli('import', 'flagger', file, join(root, 'examples/flagger/metric-templates.yaml'));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${file}:37:17: spec.analysis.stepWeight: 1e999 is "1e999" to kubectl, which reads a resource's YAML as YAML 1.1 (sigs.k8s.io/yaml over go-yaml v2: goyaml.v2/resolve.go), where YAML 1.2 reads .inf;`);
    expect(r.err).toContain(`${file}:37:17: spec.analysis.stepWeight: stepWeight is a whole number`);
    expect(r.err).not.toMatch(/null/);
  });

  it('a flagd YAML file: a variant 1e999 and -1e999 are texts to flagd, where YAML 1.2 reads .inf and -.inf', async () => {
    const file = write('inf.flagd.yaml', 'flags:\n  f:\n    state: ENABLED\n    variants: { a: 1e999, b: -1e999 }\n    defaultVariant: a\n');
    const r = await cli('import', 'flags', 'flagd', file);
    expect(r.err).toContain(`${file}:4:20: flags.f.variants.a: 1e999 is "1e999" to flagd, which reads YAML with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go YAMLToJSON), where YAML 1.2 reads .inf;`);
    expect(r.err).toContain(`${file}:4:30: flags.f.variants.b: -1e999 is "-1e999" to flagd, which reads YAML with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go YAMLToJSON), where YAML 1.2 reads -.inf;`);
    expect(r.err).not.toMatch(/null/);
  });
});
