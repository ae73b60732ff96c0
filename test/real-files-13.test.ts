/**
 * Round 13 of the real-files sweep: published files of the vendors run through the CLI, each outcome asserted.
 * - fluxcd/flagger test/contour/test-canary.sh, its A/B Canary (test/fixtures/vendor/flagger/e2e-contour-ab-canary.yaml):
 *   the note that an A/B plan's first stage stands for the users the match selects named no file:line:column
 *   (src/cli/import.ts); and the load test's hey command, which sends `-H 'X-Canary: insider'`, was said to be
 *   "split by the weights", where runAB (pkg/controller/scheduler.go) routes by the match: SetRoutes(primary 0,
 *   canary 100) with the match routes, so a request that matches reaches the canary and the others the primary.
 * - open-feature/open-feature-operator test/e2e/chainsaw/validate-featureflag-create: the operator's admission
 *   webhook (internal/webhook/featureflag_webhook.go validateFeatureFlagFlags) checks spec.flagSpec.flags against
 *   flagd's schema and refuses featureflag_bad.yaml (the test expects `($error != null): true`), whose fractional
 *   starts with the bare value "invalid" (targeting.json fractionalOp: the first argument is anyRule); rehearse read
 *   it, exit 0, as flagd would read the file. Refused now, exit 2, at the value; featureflag_good.yaml still reads.
 * - jaegertracing/jaeger cmd/anonymizer/app/uiconv/fixtures: trace_scan_error.json ends its list of spans with a
 *   trailing comma, which Jaeger's anonymizer fails on ("failed when scanning the file") and JSON.parse refuses;
 *   the trace reader's streaming walk took it as a list. trace_invalid_json.json's span has no startTime and the
 *   duration "invalid": skipped as a span without them (as before), and with a startTime as one whose duration is
 *   no number.
 * - samber/awesome-prometheus-alerts dist/rules (112 rule files, CC BY 4.0): every file loads; 12 rules were refused
 *   as unsupported for deriv or predict_linear alone, which src/promql now evaluates as Prometheus 2.42 does
 *   (functions.go linearRegression; checked by promql/testdata's own evals and test/promql-prometheus.test.ts
 *   against a real Prometheus). The Netdata file, with a predict_linear over 3h, is a fixture.
 */
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { evaluateFlag } from '../src/cli/flags.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { evaluate } from '../src/promql/eval.js';
import { parseFlagText, formatWarning } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';

/** The warnings of a flagd file, one line each. */
function flagdImport(files: { file: string; text: string }[]): string[] {
  return flagd.toScenarioParts(files.map((f) => parseFlagText(f.text, f.file))).warnings.map(formatWarning);
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n').split('\n').filter(Boolean) };
}

describe('Flagger\'s Contour A/B canary (test/contour/test-canary.sh)', () => {
  const file = 'test/fixtures/vendor/flagger/e2e-contour-ab-canary.yaml';
  it('imports at 50% of users for 5 iterations, every warning at file:line:column', async () => {
    const r = await cli(['import', 'flagger', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('      - to: 50%\n        hold: 50s\n');
    expect(r.err.filter((l) => !/^warning: test\/fixtures\/vendor\/flagger\/e2e-contour-ab-canary\.yaml:\d+:\d+: /.test(l))).toEqual([]);
    // The match is at line 21 (its first item), as the match's own warning says.
    expect(readFileSync(file, 'utf8').split('\n')[20]).toBe('      - headers:');
    expect(r.err).toContain(`warning: ${file}:21:7: spec.analysis.match: the users the match selects are written as 50% of users: set the first stage's "to" to the share that matches`);
  });

  it('the load test\'s requests are routed by the match, not split by weights', () => {
    const r = flaggerParts([{ file: 'c.yaml', text: readFileSync(file, 'utf8') }]);
    const hook = r.warnings.find((w) => w.includes('webhook "load-test"'));
    expect(hook).toContain('routed by analysis.match as users\' requests are, not by weights');
    expect(hook).not.toContain('split by the weights');
    // contour reads the match; linkerd does not, and runAB then sends every request to the canary.
    const linkerd = flaggerParts([{ file: 'c.yaml', text: readFileSync(file, 'utf8').replace('provider: contour', 'provider: linkerd') }]);
    expect(linkerd.warnings.find((w) => w.includes('webhook "load-test"'))).toContain('all of it to the canary, as every request during this A/B analysis');
  });
});

describe('the OpenFeature Operator\'s chainsaw test validate-featureflag-create', () => {
  const dir = 'test/fixtures/vendor/openfeature-operator';
  it('the test applies both FeatureFlags and expects an error for the bad one', () => {
    const test = readFileSync(`${dir}/chainsaw-validate-featureflag-create-test.yaml`, 'utf8');
    expect(test).toContain('            file: featureflag_bad.yaml\n            expect:\n              - check:\n                  ($error != null): true');
  });

  it('featureflag_bad.yaml is refused at fractional\'s first argument, exit 2, as the webhook refuses it', async () => {
    const r = await cli(['import', 'flags', 'flagd', `${dir}/chainsaw-featureflag_bad.yaml`]);
    expect(r.code).toBe(2);
    expect(r.err.join('\n')).toContain(`${dir}/chainsaw-featureflag_bad.yaml:18:15: spec.flagSpec.flags.fibAlgo.targeting.fractional[0]: the operator's admission webhook refuses this FeatureFlag`);
    expect(r.err.join('\n')).toContain('not "invalid"');
    expect(r.err.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('featureflag_good.yaml imports (exit 0); a rule as the first argument is not refused', async () => {
    expect((await cli(['import', 'flags', 'flagd', `${dir}/chainsaw-featureflag_good.yaml`])).code).toBe(0);
    const bad = readFileSync(`${dir}/chainsaw-featureflag_bad.yaml`, 'utf8');
    const fixed = join(mkdtempSync(join(tmpdir(), 'rehearse-rf13-')), 'ff.yaml');
    writeFileSync(fixed, bad.replace('- "invalid"', '- {"var": "email"}'));
    const r = await cli(['import', 'flags', 'flagd', fixed]);
    expect(r.code).toBe(0);
    expect(r.err.join('\n')).not.toContain('admission webhook');
  });

  it('given as a flagd file, each kind of bare first argument is said at it, as Go flagd reads it; null is not (a var the user lacks)', () => {
    const flags = (first: unknown) => JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'b', targeting: { fractional: [first, ['a', 50], ['b', 50]] } } } }, null, 1);
    const d = mkdtempSync(join(tmpdir(), 'rehearse-rf13-'));
    const read = (first: unknown) => {
      writeFileSync(join(d, 'f.flagd.json'), flags(first));
      const values = ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8'].map((u) => evaluateFlag(join(d, 'f.flagd.json'), { flag: 'f', context: JSON.stringify({ targetingKey: u }) }).value);
      const r = flagdImport([{ file: 'f.flagd.json', text: flags(first) }]);
      return { values, warning: r.find((w) => w.includes('bare value')) };
    };
    // A text is every user's bucketing value: one bucket for all (core/pkg/evaluator/fractional.go).
    const text = read('invalid');
    expect(new Set(text.values).size).toBe(1);
    expect(text.warning).toContain('flags.f.targeting.fractional[0]: fractional\'s first argument is the bare value "invalid"');
    expect(text.warning).toContain('every user lands in the same bucket');
    // A number is read as a bucket, which fails: null, the default variant for everyone.
    const number = read(7);
    expect(number.values).toEqual(Array(8).fill('b'));
    expect(number.warning).toContain('every user the default variant');
    // null is dropped, and users are bucketed by flagKey + targetingKey: both buckets are reached.
    const none = read(null);
    expect(new Set(none.values).size).toBe(2);
    expect(none.warning).toBeUndefined();
  });
});

describe('Jaeger\'s anonymizer fixtures (cmd/anonymizer/app/uiconv)', () => {
  it('a trailing comma, a hole or an object\'s trailing comma is not JSON: exit 2 at its line and column', async () => {
    const r = await cli(['calibrate', 'test/fixtures/traces/jaeger-anonymizer-scan_error.json', '--out', join(mkdtempSync(join(tmpdir(), 'rehearse-rf13-')), 'c.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(['test/fixtures/traces/jaeger-anonymizer-scan_error.json:2:1: unexpected "]" after ",": JSON allows no trailing comma']);
    expect(() => JSON.parse(readFileSync('test/fixtures/traces/jaeger-anonymizer-scan_error.json', 'utf8'))).toThrow();
    const d = mkdtempSync(join(tmpdir(), 'rehearse-rf13-'));
    const span = (id: string) => `{"traceID":"a","spanID":"${id}","operationName":"x","startTime":1,"duration":2,"processID":"p1"}`;
    const cases: [string, string][] = [
      [`[${span('b')},,${span('c')}]`, 'hole.json:1:'],
      [`{"data":[{"traceID":"a","spans":[${span('b')}],"processes":{"p1":{"serviceName":"s"}}}],}`, 'object.json:1:'],
      [`[,${span('b')}]`, 'leading.json:1:2: unexpected ","'],
    ];
    for (const [text, want] of cases) {
      const name = want.split(':')[0];
      writeFileSync(join(d, name), text);
      const c = await cli(['calibrate', join(d, name), '--out', join(d, 'c.yaml')]);
      expect(c.code, text).toBe(2);
      expect(c.err.join('\n')).toContain(`${join(d, want)}`);
    }
    // The same spans without the stray commas read.
    writeFileSync(join(d, 'ok.json'), `[${span('b')},${span('c')}]`);
    expect((await cli(['calibrate', join(d, 'ok.json'), '--out', join(d, 'c.yaml')])).code).toBe(0);
  });

  it('a span whose duration is text is skipped saying so, with a startTime or without; with a duration and no startTime, as such', async () => {
    const d = mkdtempSync(join(tmpdir(), 'rehearse-rf13-'));
    const file = 'test/fixtures/traces/jaeger-anonymizer-invalid_json.json';
    const r = await cli(['calibrate', file, '--out', join(d, 'c.yaml')]);
    expect(r.code).toBe(2);
    // Jaeger's model/json/model.go declares Span.duration a uint64: its reader refuses "invalid" before anything else.
    expect(r.err.join('\n')).toContain('1 skipped (1 a span whose Jaeger Span.duration is text, not a whole number of 0 or more');
    writeFileSync(join(d, 'untimed.json'), readFileSync(file, 'utf8').replace('"duration": "invalid"', '"duration": 5'));
    const u = await cli(['calibrate', join(d, 'untimed.json'), '--out', join(d, 'c.yaml')]);
    expect(u.code).toBe(2);
    expect(u.err.join('\n')).toContain('1 skipped (1 a span without a startTime or duration)');
    writeFileSync(join(d, 'timed.json'), readFileSync(file, 'utf8').replace('"duration": "invalid"', '"startTime": 1605223981761425, "duration": "invalid"'));
    const t = await cli(['calibrate', join(d, 'timed.json'), '--out', join(d, 'c.yaml')]);
    expect(t.code).toBe(2);
    expect(t.err.join('\n')).toContain('1 skipped (1 a span whose Jaeger Span.duration is text, not a whole number of 0 or more');
  });
});

describe('awesome-prometheus-alerts: the Netdata rules (dist/rules/netdata/embedded-exporter.yml)', () => {
  const file = 'test/fixtures/rules/awesome-prometheus-alerts-netdata.yml';
  it('every rule loads with nothing refused, the predict_linear one included', () => {
    const parts = readRuleFile(readFileSync(file, 'utf8'), file);
    const rules = parts.groups.flatMap((g) => g.rules);
    expect(rules.length).toBeGreaterThan(5);
    expect(rules.filter((r) => r.error)).toEqual([]);
    expect(rules.some((r) => r.query.includes('predict_linear(netdata_disk_space_GB_average') && r.expr !== null)).toBe(true);
  });

  it('predict_linear and deriv by least squares, x from the evaluation time and from the first point', () => {
    // Free space 100, 90, 80, 70 GB a minute apart: -1/6 GB a second; at the last point 70, so 600 s on: -30.
    const points = [100, 90, 80, 70];
    const series = [{ labels: { __name__: 'netdata_disk_space_GB_average', dimension: 'avail' }, length: points.length, time: (i: number) => i * 60_000, value: (i: number) => points[i] }];
    const source = { series: () => series };
    const at = (q: string) => {
      const r = evaluate(q, source, 180_000);
      return r.type === 'vector' ? r.samples.map((x) => x.value) : [];
    };
    expect(at('deriv(netdata_disk_space_GB_average[5m])')[0]).toBeCloseTo(-1 / 6, 12);
    expect(at('predict_linear(netdata_disk_space_GB_average[5m], 600)')[0]).toBeCloseTo(-30, 9);
    expect(at('predict_linear(netdata_disk_space_GB_average[5m], 24 * 3600) < 0')).toHaveLength(1);
  });
});
