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
 * FUZZ22_MUTANTS=N (default 300) and FUZZ22_SEED set the run here; the counts of longer runs are in the report.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mutate, nested, random } from './fuzz-22-mutants.js';
import { Runner, problems } from './fuzz-22-run.js';
import { root, targets } from './fuzz-22-targets.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-22-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|ERR_/);

describe('mutants of the real files each importer reads', () => {
  const runner = new Runner(dir);
  afterAll(() => runner.close());
  const count = Number(process.env.FUZZ22_MUTANTS ?? 300);
  const seed = Number(process.env.FUZZ22_SEED ?? 22);

  it(`${count} mutants (seed ${seed}): exit 0, 1 or 2 naming the file, no stack, no hang, no word the input does not hold`, async () => {
    const rnd = random(seed);
    const all = targets();
    const found: string[] = [];
    const kinds = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      // Every kind of file in turn, a file of that kind at random.
      const kind = [...new Set(all.map((t) => t.kind))][i % new Set(all.map((t) => t.kind)).size];
      const ofKind = all.filter((t) => t.kind === kind);
      const target = ofKind[Math.floor(rnd() * ofKind.length)];
      const mutant = mutate(readFileSync(target.file, 'utf8'), target.file.endsWith('.json'), rnd);
      const own = join(dir, `m${i}`);
      mkdirSync(join(own, target.under ?? ''), { recursive: true });
      const file = join(own, target.under ?? '', basename(target.file));
      writeFileSync(file, mutant.text);
      const argv = target.argv(file, own);
      // A limit a loaded machine keeps: a command here takes a second or two.
      const outcome = await runner.run(argv, 120_000);
      kinds.set(`${kind}:${outcome.code}`, (kinds.get(`${kind}:${outcome.code}`) ?? 0) + 1);
      const wrong = problems(outcome, mutant.text, [basename(file), 'scenario.yaml']);
      if (wrong.length) found.push(`${wrong.join(', ')}: ${target.file} (${mutant.ops.join('; ')})\n${outcome.err.slice(0, 400)}`);
      rmSync(own, { recursive: true, force: true });
    }
    expect(found).toEqual([]);
    // The mutants reach each importer: some read, some refused, of every kind.
    for (const kind of new Set(all.map((t) => t.kind))) expect([...kinds.keys()].some((k) => k.startsWith(`${kind}:`)), kind).toBe(true);
  }, 900_000);
});

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
