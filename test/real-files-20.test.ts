/**
 * Round 20 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - slok/sloth examples/_gen/contrib-slo-plugins.yml (what Sloth generates for its contrib plugins example) gives its
 *   `sloth_slo_info` recording rule the labels `plug-l1`, `plug-l2` and `plug-l3`. rehearse refused the file
 *   ("invalid label name"), as promtool 2.42 does; but Prometheus 3 reads rule files with UTF-8 name validation
 *   (prometheus/prometheus model/rulefmt/rulefmt.go Rule.Validate, `nameValidationScheme.IsValidLabelName(k)`, the
 *   scheme from config/config.go DefaultGlobalConfig `MetricNameValidationScheme: model.UTF8Validation`; promtool's
 *   check rules passes model.UTF8Validation, cmd/promtool/main.go; all at d15adb9a) and loads it. An annotation
 *   named so was already warned, not refused, for that reason: a label name now is too, and the label is kept.
 * - slok/sloth examples/k8s-getting-started.yml (a `PrometheusServiceLevel`, sloth.slok.dev/v1) and
 *   examples/openslo-getting-started.yml (an OpenSLO `SLO`, openslo/v1alpha), both specs `sloth generate -i` reads
 *   (internal/storage/io/k8s_sloth.go, openslo.go), given as rule files, were refused as "no rule groups ... it
 *   holds PrometheusServiceLevel" (or "SLO"), where Sloth's prometheus/v1 spec and Pyrra's ServiceLevelObjective are
 *   named with what to give instead. Now so are they.
 * - slok/sloth examples/_gen/k8s-multifile.yml: two PrometheusRules, one per service, whose alerts share a name and
 *   labels. rehearse warned the second as a duplicate that "promtool check rules lints"; but the Prometheus Operator
 *   writes each PrometheusRule to a rule file of its own (`<namespace>-<name>-<uid>.yaml` in the rule ConfigMaps),
 *   and promtool's lint (cmd/promtool/main.go checkDuplicates) looks within one file. Now compared within each
 *   resource; kube-prometheus' kubernetesControlPlane-prometheusRule.yaml (the kubernetes-mixin's rules: four
 *   `code_verb:apiserver_request_total:increase1h` rules in one group) is still warned, as promtool lints it.
 * - jaegertracing/jaeger-ui packages/jaeger-ui/src/components/DependencyGraph/sample_data/small.json: Jaeger's
 *   dependency links ({parent, child, callCount}, what its /api/dependencies answers). `calibrate` refused it as "a
 *   span without a traceId or id" of "a zipkin file" (and, as the API wraps it in `data`, as "a trace without
 *   spans" of a Jaeger file): now refused as what it is, with what to give instead.
 * - grafana/k6 internal/cmd/testdata/thresholds/name_contains_tokens.js: `http_req_duration{name:http://${}.com}`,
 *   a tag value holding `{}`, which k6 reads whole (metrics/metric.go ParseMetricName: the tags end at the last
 *   "}"; run_test.go expects exit 0). Pasted as a gate, rehearse ended the tags at the first "}" and said "expected
 *   an aggregation" inside the value: now the value is read as k6 reads it, and the gate is refused for what it
 *   really lacks (no `name` tag in a rehearsal).
 * - k6 reads a threshold's number with Go's strconv.ParseFloat (grafana/k6 metrics/thresholds_parser.go
 *   parseThresholdExpression), so scripts write `rate<.01` (one such, with abortOnFail, is in a public repository
 *   that the search could not name, so it is not a fixture here); rehearse refused it ("expected a number"), and
 *   `p(95)<1e3`, `5.` and `+5` alike. Now read as k6 reads them; Inf, NaN and hexadecimal stay refused. And a
 *   negative rate (`rate<-0.5`) was told to be written "rate<-0.5%": it is now refused as a limit no rate crosses.
 * - thanos-io/thanos examples/alerts (alerts.yaml, rules.yaml and its promtool unit test tests.yaml): read without a
 *   warning, and rehearse's rule engine fires every alert the unit test expects, when it expects it, as promtool does.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { InputError } from '../src/errors.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import { parseThreshold, ThresholdError, validateThreshold, type MetricSpec } from '../src/lang/threshold.js';
import { PROMTOOL, prometheusAvailable } from './prometheus.js';
import { promtool, runThroughRehearse } from './promtool.js';

const root = join(import.meta.dirname, '..');
const vendor = (p: string) => join(root, 'test/fixtures/vendor', p);

async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (x) => out.push(x), err: (x) => err.push(x) });
  const lines = (xs: string[]) => xs.join('\n').split('\n').filter(Boolean);
  return { code, out: lines(out), err: lines(err) };
}

function refusal(text: string, file: string): readonly string[] {
  try {
    readRuleFile(text, file);
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
}

/** A scenario in a fresh folder beside a copy of the rule file, validated through the CLI. */
async function validateWith(source: string, name: string): Promise<{ code: number; out: string[]; err: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'real-files-20-'));
  try {
    copyFileSync(source, join(dir, name));
    writeFileSync(join(dir, 's.yaml'), [
      'name: rules', 'duration: 10m', 'traffic: { rate: 1/s }', 'journeys: { j: { steps: [a.get] } }',
      'services: { a: { endpoints: { get: {} } } }', `metrics: { rules: [${name}] }`, '',
    ].join('\n'));
    const r = await cli(['validate', join(dir, 's.yaml')]);
    const shown = (xs: string[]) => xs.map((l) => l.replaceAll(dir, 'DIR'));
    return { code: r.code, out: shown(r.out), err: shown(r.err) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('slok/sloth examples/_gen/contrib-slo-plugins.yml: label names Prometheus 3 takes', () => {
  const file = vendor('sloth/_gen/contrib-slo-plugins.yml');
  const text = readFileSync(file, 'utf8');
  const labelWarnings = ['plug-l1', 'plug-l2', 'plug-l3'].map((k, i) =>
    `contrib-slo-plugins.yml:${195 + i}:16: groups[1].rules[6].labels.${k}: invalid label name "${k}" to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 label names and loads it: the label is kept`);
  // Two SLOs of one service whose alerts share a name and labels, in one file: promtool lints them (once the labels pass).
  const sloDuplicates = [[455, 0, 209], [477, 1, 231]].map(([at, i, before]) =>
    `contrib-slo-plugins.yml:${at}:5: groups[5].rules[${i}]: duplicate rule: MyServiceHighErrorRate with the labels of contrib-slo-plugins.yml:${before}:5: groups[2].rules[${i}] (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)`);

  it('loads, each such label warned at its place, and is kept on the rule', () => {
    const r = readRuleFile(text, 'contrib-slo-plugins.yml');
    expect(r.warnings).toEqual([...labelWarnings, ...sloDuplicates]);
    const info = r.groups[1]!.rules[6]!;
    expect(info.name).toBe('sloth_slo_info');
    expect(info.labels).toMatchObject({ 'plug-l1': 'in-k1', 'plug-l2': 'in-k2', 'plug-l3': 'in-k3', owner: 'myteam' });
  });

  it('a scenario naming it validates (exit 0)', async () => {
    const r = await validateWith(file, 'contrib-slo-plugins.yml');
    expect(r.err.filter((l) => !l.includes('not evaluated (no gate reads it)'))).toEqual([
      ...[...labelWarnings, ...sloDuplicates].map((w) => `warning: ${w}`),
    ]);
    expect(r.out).toEqual(['DIR/s.yaml: ok (1 service, 1 journey, 0 flags)']);
    expect(r.code).toBe(0);
  });

  it.skipIf(!prometheusAvailable())('promtool 2.42 refuses those three labels and nothing else', () => {
    const said = spawnSync(PROMTOOL, ['check', 'rules', file], { encoding: 'utf8' });
    expect(said.status).toBe(1);
    expect(`${said.stdout}${said.stderr}`.split('\n').filter((l) => l.includes('invalid')).map((l) => l.replace(/.*: /, '')).sort()).toEqual(['plug-l1', 'plug-l2', 'plug-l3']);
  });

  it('an empty label name is refused still: no Prometheus takes it', () => {
    const empty = 'groups:\n  - name: g\n    rules:\n      - record: r\n        expr: vector(1)\n        labels:\n          "": x\n';
    expect(refusal(empty, 'empty.yml')).toEqual(['empty.yml:7:11: groups[0].rules[0].labels: invalid label name "" (no Prometheus takes an empty one)']);
    const name = empty.replace('"": x', '__name__: x');
    expect(refusal(name, 'name.yml')).toEqual(['name.yml:7:21: groups[0].rules[0].labels.__name__: invalid label name: __name__ (a rule\'s labels cannot rename its series; Prometheus refuses the file)']);
  });
});

describe('slok/sloth examples/k8s-getting-started.yml and openslo-getting-started.yml: SLO specs given as rules', () => {
  it('a PrometheusServiceLevel is named, with what to give instead', async () => {
    const r = await validateWith(vendor('sloth/k8s-getting-started.yml'), 'k8s-getting-started.yml');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      'DIR/s.yaml:6:20: metrics.rules[0]: k8s-getting-started.yml:6:1: a Sloth PrometheusServiceLevel (sloth.slok.dev/v1), not rules: name the PrometheusRule Sloth generates from it (sloth generate -i k8s-getting-started.yml, or the one its Kubernetes controller writes)',
    ]);
  });

  it('an OpenSLO SLO is named, with what to give instead', async () => {
    const r = await validateWith(vendor('sloth/openslo-getting-started.yml'), 'openslo-getting-started.yml');
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      'DIR/s.yaml:6:20: metrics.rules[0]: openslo-getting-started.yml:6:1: an OpenSLO SLO (openslo/v1alpha), not rules: name the rules generated from it (Sloth reads this version: sloth generate -i openslo-getting-started.yml)',
    ]);
  });
});

describe('PrometheusRules are rule files of their own: duplicates are linted within each', () => {
  it('slok/sloth examples/_gen/k8s-multifile.yml: one alert name in two resources is not a duplicate', () => {
    const r = readRuleFile(readFileSync(vendor('sloth/_gen/k8s-multifile.yml'), 'utf8'), 'k8s-multifile.yml');
    expect(r.groups.map((g) => g.rules.filter((x) => x.name === 'MyServiceHighErrorRate').length)).toEqual([0, 0, 2, 0, 0, 2]);
    expect(r.warnings).toEqual([]);
  });

  it('the same two resources as one plain rule file are linted as promtool lints it', () => {
    const plain = readFileSync(vendor('sloth/_gen/k8s-multifile.yml'), 'utf8').split('\n---\n').filter((d) => d.includes('kind: PrometheusRule'))
      .map((d) => d.slice(d.indexOf('  groups:\n') + '  groups:\n'.length)).join('');
    const r = readRuleFile(`groups:\n${plain}`, 'plain.yml');
    expect(r.warnings.map((w) => w.replace(/:\d+:\d+:/g, ':L:C:'))).toEqual([
      'plain.yml:L:C: groups[5].rules[0]: duplicate rule: MyServiceHighErrorRate with the labels of plain.yml:L:C: groups[2].rules[0] (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)',
      'plain.yml:L:C: groups[5].rules[1]: duplicate rule: MyServiceHighErrorRate with the labels of plain.yml:L:C: groups[2].rules[1] (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)',
    ]);
  });

  it('kube-prometheus kubernetesControlPlane-prometheusRule.yaml: four rules of one name in a group are linted once, as promtool does', () => {
    const r = readRuleFile(readFileSync(vendor('kube-prometheus/kubernetesControlPlane-prometheusRule.yaml'), 'utf8'), 'cp.yaml');
    expect(r.groups.flatMap((g) => g.rules).length).toBe(134);
    expect(r.warnings).toEqual([
      'cp.yaml:1075:7: spec.groups[9].rules[13]: duplicate rule: code_verb:apiserver_request_total:increase1h with the labels of cp.yaml:1072:7: spec.groups[9].rules[12] (promtool check rules lints it: "might cause inconsistency while recording expressions"; Prometheus loads both)',
    ]);
  });
});

describe('jaegertracing/jaeger-ui DependencyGraph/sample_data/small.json: dependency links, not spans', () => {
  const file = join(root, 'test/fixtures/traces/jaeger-ui-dependencies-small.json');
  const why = 'callCount is there, with parent and child, as Jaeger writes a dependency link (its /api/dependencies answer, what its UI\'s dependency graph draws): calls counted between services, not spans; give traces (Jaeger\'s /api/traces, Zipkin v2 or OTLP JSON)';

  it('is refused as what it is (it was "a span without a traceId or id" of a Zipkin file)', async () => {
    const r = await cli(['calibrate', file, '--out', join(tmpdir(), 'never-written-20.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toEqual([
      `${file}: no usable spans in this zipkin file: 7 skipped (7 a span whose ${why})`,
      `${file}:5:5: skipped: a span whose ${why}`,
    ]);
  });

  it('so is the same list as Jaeger\'s /api/dependencies answers it ({"data": [...]})', () => {
    const dir = mkdtempSync(join(tmpdir(), 'real-files-20-'));
    try {
      const links = JSON.parse(readFileSync(file, 'utf8')) as unknown[];
      writeFileSync(join(dir, 'deps.json'), JSON.stringify({ data: links, total: 0, limit: 0, offset: 0, errors: null }, null, 1));
      expect(refusalOfTraces(join(dir, 'deps.json')).map((l) => l.replace(dir, 'DIR'))).toEqual([
        `DIR/deps.json: no usable spans in this jaeger file: 7 skipped (7 a trace whose ${why})`,
        `DIR/deps.json:6:17: skipped: a trace whose ${why}`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

function refusalOfTraces(file: string): readonly string[] {
  try {
    readTraceFile(file, () => {});
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
}

describe('grafana/k6 internal/cmd/testdata/thresholds/name_contains_tokens.js: a tag value holding braces', () => {
  const script = readFileSync(vendor('k6/name_contains_tokens.js'), 'utf8');
  const pasted = [...script.matchAll(/"([^"]+)": \["([^"]+)"\]/g)].map((m) => `${m[1]} ${m[2]}`);

  it('is read as k6 reads it: the tags end at the last "}"', () => {
    expect(pasted).toEqual(['http_req_duration{name:http://${}.com} max < 1000']);
    const t = parseThreshold(pasted[0]!);
    expect([t.metric, t.tags.map((x) => [x.key, x.value]), t.aggregate, t.operator, t.number]).toEqual(['http_req_duration', [['name', 'http://${}.com']], { kind: 'max' }, '<', 1000]);
    // Two tags, the first holding a brace; one more "}" is part of the value, as k6's LastIndexByte reads it.
    expect(parseThreshold('req_duration{journey:a}b,flag:on} p(99)<1s').tags.map((x) => [x.key, x.value])).toEqual([['journey', 'a}b'], ['flag', 'on']]);
  });

  it('as a gate it is refused for the tag a rehearsal lacks, not for a missing aggregation', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'real-files-20-'));
    try {
      writeFileSync(join(dir, 's.yaml'), [
        'name: k6', 'duration: 10m', 'traffic: { rate: 1/s }', 'journeys: { j: { steps: [a.get] } }',
        'services: { a: { endpoints: { get: {} } } }', 'flags: { f: { kind: release, owner: t, evaluated-by: [a] } }',
        `rollout: [{ flag: f, stages: [{ to: 100% }], gates: ['${pasted[0]}'] }]`, '',
      ].join('\n'));
      const r = await cli(['validate', join(dir, 's.yaml')]);
      expect(r.code).toBe(2);
      expect(r.err[0]).toBe(`${join(dir, 's.yaml')}:7:73: rollout[0].gates[0]: metric "req_duration" has no tag "name" (tags: service, endpoint, journey, flag, segment, expected_response)`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('thanos-io/thanos examples/alerts: the Thanos mixin and its own unit test', () => {
  const tests = vendor('thanos/tests.yaml');

  it('both rule files read without a warning: every rule modelled', () => {
    for (const f of ['alerts.yaml', 'rules.yaml']) {
      const r = readRuleFile(readFileSync(vendor(`thanos/${f}`), 'utf8'), f);
      expect(r.warnings, f).toEqual([]);
      expect(r.groups.flatMap((g) => g.rules).filter((x) => x.error !== null), f).toEqual([]);
    }
  });

  it.skipIf(!prometheusAvailable())('promtool passes its unit test', () => {
    expect(promtool(tests).output).toContain('SUCCESS');
  }, 120_000);

  it('rehearse fires every alert the unit test expects, at each of its times, and no other', () => {
    expect(runThroughRehearse(tests)).toEqual([]);
  });
});

describe('k6\'s numbers in a threshold (metrics/thresholds_parser.go: strconv.ParseFloat)', () => {
  it('reads .01, 5., 1e3, +5 and 1.5e-2 as k6 does', () => {
    expect(['rate<.01', 'p(95)<5.', 'p(95)<1e3', 'p(95)<+5', 'p(95)<1.5E-2', 'p(95) < .5s'].map((x) => [parseThreshold(`m ${x}`).number, parseThreshold(`m ${x}`).unit]))
      .toEqual([[0.01, ''], [5, ''], [1000, ''], [5, ''], [0.015, ''], [0.5, 's']]);
  });

  it('refuses what no gate can use: Inf, NaN, hexadecimal, an exponent without digits', () => {
    const said = (x: string) => {
      try {
        parseThreshold(`m p(95)<${x}`);
      } catch (e) {
        if (e instanceof ThresholdError) return e.message;
        throw e;
      }
      return 'read';
    };
    expect(['Inf', 'NaN', '0x10', '1e', '1_000'].map(said)).toEqual([
      'expected a number, such as 0.01, 900ms or 5%', 'expected a number, such as 0.01, 900ms or 5%',
      'unexpected "x10" after the value', 'unexpected "e" after the value', 'unexpected "_000" after the value',
    ]);
  });

  it('reads a percentile as k6 does: ParseFloat of what lies between "p(" and ")" (parseThresholdAggregationMethod)', () => {
    expect(['p(95.)', 'p(.5)', 'p(9.5e1)', 'p(+99)', 'p(99.9)'].map((x) => parseThreshold(`m ${x}<1`).aggregate)).toEqual([
      { kind: 'p', percentile: 95 }, { kind: 'p', percentile: 0.5 }, { kind: 'p', percentile: 95 }, { kind: 'p', percentile: 99 },
      { kind: 'p', percentile: 99.9 },
    ]);
    // strconv.ParseFloat(" 95 ") fails: k6 refuses the script ("malformed percentile value").
    expect(() => parseThreshold('m p( 95 )<1')).toThrow('a percentile is written without spaces, as in p(95)');
    expect(() => parseThreshold('m p(95 )<1')).toThrow('a percentile is a number from 0 to 100');
    expect(() => parseThreshold('m p(1e3)<1')).toThrow('percentile 1000 is over 100');
  });

  it('a negative rate is a limit no rate crosses, not a percentage to rewrite', () => {
    const metrics: Record<string, MetricSpec> = { req_failed: { aggregates: ['rate', 'count'], valueKind: { rate: 'ratio', count: 'count' }, tags: [], description: 'failed' } };
    const said = (x: string) => {
      try {
        validateThreshold(parseThreshold(x), metrics);
      } catch (e) {
        if (e instanceof ThresholdError) return e.message;
        throw e;
      }
      return 'valid';
    };
    expect(said('req_failed rate<-.5')).toBe('"rate < -0.5" can never pass: req_failed rate lies from 0 to 1');
    expect(said('req_failed rate>-5')).toBe('"rate > -5" can never fail: req_failed rate lies from 0 to 1');
    expect(said('req_failed rate<5')).toBe('a rate is a fraction from 0 to 1, so 5 can never be crossed as meant: write "rate<5%" or "rate<0.05"');
    expect(said('req_failed rate<.05')).toBe('valid');
  });
});
