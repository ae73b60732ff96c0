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
 * - trace times: a Zipkin span's duration or timestamp of 12.5 (Gson's JsonReader.nextLong refuses it for
 *   zipkin2/internal/V2SpanReader.java: "Expected a long but was 12.5") was 12.5 µs, and a Jaeger span's startTime or
 *   duration of 12.5 or a startTime of -1 (uint64 in Jaeger's model/json/model.go, which Go's encoding/json refuses
 *   so) were read as written, where Log.timestamp beside them was typed; 1e999 was said to be "a number with a
 *   fraction".
 * - a scenario's duration, rate or percentage written as `.nan`, `.inf`, a negative or an exponent number: the message
 *   suggested text that is no duration either ("a duration needs a unit: write \"NaNms\", \"NaNs\" or \"NaNm\", not NaN",
 *   "-5ms", "Infinity/s", "1e+21%"); it says what was expected and the number as YAML writes it.
 * - a file that is not YAML given for a scenario (found giving `sweep` an HTML report): the yaml library quotes the
 *   token it stopped at whole, and a minified script made one message line of 500 KB; the quote is cut.
 * - an Unleash state export whose feature name holds a lone surrogate (`"\\ud800"` in its JSON): the check of Unleash's
 *   isUrlFriendly called encodeURIComponent, which throws on it ("URIError: URI malformed", its stack, exit 1); the
 *   name is refused as Unleash's schema refuses one that is not URL friendly.
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

describe('trace times their own readers refuse', () => {
  const zipkin = readFileSync(join(root, 'test/fixtures/traces/zipkin-simple-db.json'), 'utf8');
  const jaeger = readFileSync(join(root, 'test/fixtures/traces/jaeger-ui-testtrace.json'), 'utf8');
  const Z = "(Zipkin's reader (V2SpanReader, with Gson) refuses it)";
  const J = "(Jaeger's reader (Go's encoding/json) refuses it)";
  const calibrated = async (name: string, text: string) => {
    const file = write(name, text);
    const r = await cli('calibrate', file, '--out', join(dir, `${name}.yaml`));
    expect(r.code, r.err).toBe(0);
    return { file, err: `${r.err}\n${r.out}` };
  };

  it.each([
    ['12.5', 'a number with a fraction'], ['1e999', 'a number out of range'], ['"12.5"', 'text'],
  ])('a Zipkin span\'s duration %s: skipped with what it is, where it is', async (v, what) => {
    const { file, err } = await calibrated(`zipkin-${what.length}.json`, zipkin.replace(/"duration": \d+/, `"duration": ${v}`));
    expect(err).toContain(`${file}:9:5: skipped 1 a span whose Zipkin Span.duration is ${what}, not a whole number (int64, or its text) ${Z}`);
    expect(err).toMatch(/^4 spans in 1 trace/m);
  });

  it.each([['"2033"'], ['2033.0'], ['-1']])('a Zipkin span\'s duration %s: read, as Gson reads it (a negative one as none, as zipkin2/Span.java does)', async (v) => {
    const { err } = await calibrated(`zipkin-ok-${v.length}.json`, zipkin.replace(/"duration": \d+/, `"duration": ${v}`));
    expect(err).not.toMatch(/skipped/);
    expect(err).toMatch(/^5 spans in 1 trace/m);
  });

  it.each([
    ['startTime', '12.5', 'a number with a fraction'], ['startTime', '-1', 'a negative number'], ['duration', '12.5', 'a number with a fraction'],
  ])('a Jaeger span\'s %s %s: skipped with what it is, where it is', async (field, v, what) => {
    const { file, err } = await calibrated(`jaeger-${field}-${v}.json`, jaeger.replace(new RegExp(`"${field}": \\d+`), `"${field}": ${v}`));
    expect(err).toMatch(new RegExp(`${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: skipped 1 a span whose Jaeger Span\\.${field} is ${what}, not a whole number of 0 or more \\(uint64: Go reads no text for it\\) ${J.replace(/[()]/g, '\\$&')}`));
    expect(err).toMatch(/^10 spans in 1 trace/m);
  });
});

describe('a number where a duration, rate or percentage goes', () => {
  const first = readFileSync(join(root, 'examples/first-scenario.yaml'), 'utf8');
  it.each([['.nan', '.nan'], ['.inf', '.inf'], ['-5', '-5'], ['1e999', '.inf']])('%s: what was expected, no text that would not read either', async (v, shown) => {
    const file = write(`unitless-${shown}.yaml`, first.replace(/latency: \{ dist: lognormal, p50: 5ms, p99: 30ms \}/, `latency: ${v}`).replace('rate: 50/s', `rate: ${v}`).replace('errors: 0.1%', `errors: ${v}`));
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:10:14: services.frontend.latency: expected a duration such as "250ms" or "1h30m", not the number ${shown}`);
    expect(r.err).toContain(`: traffic.rate: expected a rate such as "300/s", not the number ${shown}`);
    expect(r.err).toContain(`: services.payments.errors: expected a percentage such as "0.5%", not the number ${shown}`);
    expect(r.err).not.toMatch(/NaN|Infinity|write "-/);
  });

  it('a plain number still gets the text to write', async () => {
    const file = write('unitless-5.yaml', first.replace(/latency: \{ dist: lognormal, p50: 5ms, p99: 30ms \}/, 'latency: 5').replace('rate: 50/s', 'rate: 50').replace('errors: 0.1%', 'errors: 0.5'));
    const r = await cli('validate', file);
    expect(r.err).toContain('services.frontend.latency: a duration needs a unit: write "5ms", "5s" or "5m", not 5');
    expect(r.err).toContain('traffic.rate: a rate needs a unit: write "50/s", not 50');
    expect(r.err).toContain('services.payments.errors: a percentage needs a % sign: write "0.5%" (or "50%" if 0.5 is a fraction)');
  });
});

describe('a token the yaml library quotes whole', () => {
  it('100,000 characters after a closed mapping: one short line naming the place, for a scenario, a Rollout and a flag file', async () => {
    const text = `name: x\nseed: {b: c}}${'x'.repeat(100_000)}\n`;
    for (const [name, argv] of [['token.yaml', ['validate']], ['token-rollout.yaml', ['import', 'argo']], ['token.flagd.yaml', ['import', 'flags', 'flagd']]] as const) {
      const file = write(name, text);
      const r = await cli(...argv, file);
      expect(r.code, name).toBe(2);
      expect(r.err, name).toContain(`${file}:2:`);
      for (const line of r.err.split('\n')) expect(line.length, `${name}: ${line.slice(0, 200)}`).toBeLessThan(file.length + 400);
    }
  });
});

describe('a lone surrogate in an Unleash name', () => {
  it('refused as not URL friendly, at its place, no stack', async () => {
    const state = readFileSync(join(root, 'test/fixtures/vendor/unleash/state-v4.built-from-exportV4.json'), 'utf8');
    expect(state).toContain('"name": "checkout-v2"');
    const file = write('surrogate-unleash.json', state.replace('"name": "checkout-v2"', '"name": "checkout-\\ud800"'));
    const r = await cli('import', 'flags', 'unleash', file);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/surrogate-unleash\.json:5:\d+: features\[0\]\.name: .*must be URL friendly/);
    noStack(r.err);
  });
});
