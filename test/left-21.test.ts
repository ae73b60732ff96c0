import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import * as argo from '../src/interop/argo/index.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
import { kubectlDocuments } from '../src/interop/kube/stream.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { RuleEngine } from '../src/promql/rules.js';
import { prometheusAvailable, PROMTOOL } from './prometheus.js';
import { InputSeries } from './promtool.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { refusedLines } from './helpers.js';

/**
 * kubectl cuts a file into documents line by line before it reads any (kubernetes/apimachinery at eed236ce
 * pkg/util/yaml/decoder.go: YAMLReader.Read, LineReader), converts each alone (YAMLToJSONDecoder.Decode:
 * sigs.k8s.io/yaml), and stops at the first it cannot read (kubernetes/cli-runtime at 69e8693b
 * pkg/resource/visitor.go StreamVisitor.Visit: "error parsing FILE"); `kubectl apply` applies the documents read
 * before it and the other files (kubernetes/kubectl at dee3483a pkg/cmd/apply/apply.go Run, ContinueOnError).
 */
describe('a YAML syntax error in one document: kubectl applies the documents before it', () => {
  const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations: { rehearse.dev/concurrency: "4" }
spec:
  replicas: 2${extra}
`;
  it('calibrate --deployment: the workloads before it and in other files are read; it and those after it are warned at their place', () => {
    const text = [deployment('a'), deployment('b', '\n  minReadySeconds: 5\n    paused: true'), deployment('c')].join('---\n');
    const m = readManifests([{ file: 'm.yaml', text }, { file: 'n.yaml', text: deployment('d') }]);
    expect(m.workloads.map((w) => [w.names[0], w.replicas, w.concurrency])).toEqual([['a', 2, 4], ['d', 2, 4]]);
    expect(m.warnings).toEqual([
      'm.yaml:17:11: invalid YAML: Nested mappings are not allowed in compact mappings: kubectl cannot read the document (Deployment "b", document 2): not applied ("error parsing m.yaml"); it stops reading m.yaml there, so the document after it is not applied either; not read',
      'm.yaml:19:1: Deployment "c" (document 3) is not applied: kubectl stops reading m.yaml at document 2, which it cannot read ("error parsing m.yaml": m.yaml:17:11: invalid YAML: Nested mappings are not allowed in compact mappings); not read',
    ]);
  });

  it('a quoted string left open: the document after it is still named, as kubectl cuts the file before it reads it', () => {
    const text = [deployment('a'), deployment('b', '\n  minReadySeconds: "5'), deployment('c')].join('---\n');
    const m = readManifests([{ file: 'm.yaml', text }]);
    expect(m.workloads.map((w) => w.names[0])).toEqual(['a']);
    expect(m.warnings).toHaveLength(2);
    expect(m.warnings[0]).toMatch(/^m\.yaml:16:20: invalid YAML: a quoted string not closed before the document marker --- .*\(Deployment "b", document 2\)/);
    expect(m.warnings[1]).toMatch(/^m\.yaml:18:1: Deployment "c" \(document 3\) is not applied: kubectl stops reading m\.yaml at document 2, which it cannot read/);
  });

  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = { file: 'templates.yaml', text: readFileSync('examples/argo/analysis-templates.yaml', 'utf8') };
  const service = 'apiVersion: v1\nkind: Service\nmetadata: { name: guestbook }\nspec:\n  ports: [{ port: 80 }\n';
  it('an Argo import: a Service after the Rollout that kubectl cannot read is warned, the plan read (it was refused)', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}---\n${service}` }, templates]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(r.warnings).toContain('r.yaml:50:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]: kubectl cannot read the document (Service "guestbook", document 2): not applied ("error parsing r.yaml"); read without it');
  });

  it('a Rollout after it is never applied: refused, saying which document stopped kubectl and where', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${service}---\n${rollout}` }, templates]);
    expect(r.warnings).toContain('r.yaml:6:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]: kubectl cannot read the document (Service "guestbook", document 1): not applied ("error parsing r.yaml"); it stops reading r.yaml there, so the document after it is not applied either; read without it');
    expect(!r.ok && r.problems).toEqual([
      'r.yaml:9:1: Rollout "guestbook" (document 2) is not applied: kubectl stops reading r.yaml at document 1, which it cannot read ("error parsing r.yaml": r.yaml:6:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ])',
    ]);
  });

  it('a document whose kind cannot be told is refused (it may be the Rollout); one alone in its file keeps the plain message', () => {
    const broken = 'apiVersion: v1\nmetadata: { name: x }\nspec: a: b\nkind: Service\n';
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}---\n${broken}` }, templates]);
    expect(!r.ok && r.problems).toEqual(['r.yaml:47:8: invalid YAML: Nested mappings are not allowed in compact mappings: kubectl cannot read the document (document 2): not applied ("error parsing r.yaml")']);
    const alone = argo.toScenarioParts([{ file: 'r.yaml', text: rollout.replace('  replicas: 5', '  replicas: 5\n   x: 1') }, templates]);
    expect(!alone.ok && alone.problems).toEqual(['r.yaml:9:5: invalid YAML: Nested mappings are not allowed in compact mappings']);
  });
});

describe('a document separator followed by more than a comment: kubectl stops there, and loses the document before it', () => {
  it('is cut as YAMLReader cuts it: only blanks or a comment may follow ---', () => {
    const cut = kubectlDocuments('a: 1\n---   # c\nb: 2\n--- {c: 3}\n---\nd: 4\n');
    expect(cut.map((d) => [d.start, d.end, d.badSeparator?.after ?? null])).toEqual([[0, 5, null], [15, 20, '{c: 3}'], [20, 31, null], [35, 40, null]]);
  });

  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = { file: 'templates.yaml', text: readFileSync('examples/argo/analysis-templates.yaml', 'utf8') };
  it('a template file whose second separator has a document on its line: the first template is lost with it', () => {
    const text = templates.text.replace(/^---\n/m, '--- # the second\n').replace(/\n*$/, '\n--- apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n');
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: rollout }, { file: 't.yaml', text }]);
    const lost = [...(r.ok ? [] : r.problems), ...r.warnings].filter((m) => m.includes('invalid Yaml document separator'));
    expect(lost.map((m) => m.split(' is not applied')[0])).toEqual(['t.yaml:28:1: AnalysisTemplate "success-rate-check" (document 2)', 't.yaml:50:5: ConfigMap "c" (document 3)']);
    expect(lost[0]).toContain('kubectl stops reading t.yaml at line 50, a document separator followed by "apiVersion: v1" ("error parsing t.yaml: invalid Yaml document separator: apiVersion: v1": after --- kubectl reads only blanks or a comment');
    expect(r.ok).toBe(false);
  });

  it('a separator with a comment, or nothing, is read as before', () => {
    const text = templates.text.replace(/^---\n/m, '---\t# the second\n');
    expect(argo.toScenarioParts([{ file: 'r.yaml', text: rollout }, { file: 't.yaml', text }]).ok).toBe(true);
  });
});

/**
 * kubectl cuts at --- lines only (YAMLReader above) and reads one YAML document of each piece: sigs.k8s.io/yaml
 * (kubernetes-sigs/yaml at aadfabb yaml.go Unmarshal, over go.yaml.in/yaml/v2) calls go-yaml v2's Unmarshal, which
 * parses the first document only (go-yaml/yaml v2.4.0 yaml.go unmarshal: `node := p.parse()`, once).
 */
describe('a document after the end marker ... without ---: kubectl never reads it, and reads on', () => {
  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = readFileSync('examples/argo/analysis-templates.yaml', 'utf8');
  it('a template after ... is refused (the Rollout runs without it); a Service there is warned', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: rollout }, { file: 't.yaml', text: templates.replace(/^---\n/m, '...\n') }]);
    expect(!r.ok && r.problems).toEqual([
      't.yaml:28:1: AnalysisTemplate "success-rate-check" (in document 1, after its end marker ...) is not applied: kubectl cuts a file at --- lines only and reads one YAML document of each piece (sigs.k8s.io/yaml over go-yaml v2, whose Unmarshal parses the first), so it never reads this one; write --- before it',
    ]);
    const service = 'apiVersion: v1\nkind: Service\nmetadata: { name: guestbook }\n';
    const ok = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}...\n${service}` }, { file: 't.yaml', text: templates }]);
    expect(ok.ok ? [] : ok.problems).toEqual([]);
    expect(ok.warnings).toContain('r.yaml:45:1: Service "guestbook" (in document 1, after its end marker ...) is not applied: kubectl cuts a file at --- lines only and reads one YAML document of each piece (sigs.k8s.io/yaml over go-yaml v2, whose Unmarshal parses the first), so it never reads this one; write --- before it; read without it');
  });

  it('a file of PrometheusRules: one after ... is refused; the documents after the next --- are read', () => {
    const rule = (name: string) => `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: ${name} }\nspec:\n  groups:\n    - name: g-${name}\n      rules:\n        - alert: A${name}\n          expr: up == 0\n`;
    expect(() => readRuleFile(`${rule('a')}...\n${rule('b')}---\n${rule('c')}`, 'p.yaml')).toThrow(/^p\.yaml:11:1: PrometheusRule "b" \(in document 1, after its end marker \.\.\.\) is not applied/);
    const r = readRuleFile(`${rule('a')}...\napiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n---\n${rule('c')}`, 'p.yaml');
    expect(r.groups.map((g) => g.name)).toEqual(['g-a', 'g-c']);
    expect(r.warnings).toHaveLength(1);
  });
});

/**
 * `.nan` and its kin in a rule file, as Prometheus reads it (prometheus/prometheus model/rulefmt/rulefmt.go: yaml.v3
 * into RuleGroups; a string field or a label takes the scalar as written, gopkg.in/yaml.v3 decode.go; a duration is
 * model.Duration's UnmarshalYAML over a string, prometheus/common model/time.go; an int refuses a float). Each row
 * was `promtool check rules` 2.42's answer on this machine, and is checked against it below where it is installed.
 */
describe('.nan, .inf and their kin in a rule file are read as Prometheus reads them', () => {
  const file = (at: { interval?: string; limit?: string; for?: string; severity?: string; summary?: string; labels?: string; annotations?: string }) => `groups:
  - name: g
    interval: ${at.interval ?? '1m'}
    limit: ${at.limit ?? '0'}
    rules:
      - alert: A
        expr: up == 0
        for: ${at.for ?? '5m'}
        labels: { severity: ${at.severity ?? 'page'}${at.labels ?? ''} }
        annotations: { summary: ${at.summary ?? 'x'}${at.annotations ?? ''} }
`;
  const rows: [string, Parameters<typeof file>[0], string, RegExp][] = [
    ['a label value .nan is the text ".nan"', { severity: '.nan' }, 'labels {"severity":".nan"}', /SUCCESS/],
    ['a label value -.Inf is the text "-.Inf"', { severity: '-.Inf' }, 'labels {"severity":"-.Inf"}', /SUCCESS/],
    ['an annotation .nan is text', { summary: '.nan' }, 'labels {"severity":"page"}', /SUCCESS/],
    ['for: .nan', { for: '.nan' }, 'r.yaml:8:14: groups[0].rules[0].for: not a valid duration string: ".nan"', /not a valid duration string: "\.nan"/],
    ['for: .inf', { for: '.inf' }, 'r.yaml:8:14: groups[0].rules[0].for: not a valid duration string: ".inf"', /not a valid duration string: "\.inf"/],
    ['for: 00 (text "00", not 0)', { for: '00' }, 'r.yaml:8:14: groups[0].rules[0].for: not a valid duration string: "00"', /not a valid duration string: "00"/],
    ['for: 0x10', { for: '0x10' }, 'r.yaml:8:14: groups[0].rules[0].for: not a valid duration string: "0x10"', /not a valid duration string: "0x10"/],
    ['interval: .NaN', { interval: '.NaN' }, 'r.yaml:3:15: groups[0].interval: not a valid duration string: ".NaN"', /not a valid duration string: "\.NaN"/],
    ['limit: .nan', { limit: '.nan' }, 'r.yaml:4:12: groups[0].limit: limit is a whole number (Prometheus refuses ".nan")', /cannot unmarshal !!float `\.nan` into int/],
    ['a label named .nan', { labels: ', .nan: x' }, 'r.yaml:9:41: groups[0].rules[0].labels[".nan"]: invalid label name ".nan" to Prometheus 2.42', /invalid label name: \.nan/],
    ['a label named 1.50', { labels: ', 1.50: x' }, 'r.yaml:9:41: groups[0].rules[0].labels["1.50"]: invalid label name "1.50" to Prometheus 2.42', /invalid label name: 1\.50/],
    ['an annotation named .inf', { annotations: ', .inf: y' }, 'r.yaml:10:42: groups[0].rules[0].annotations[".inf"]: invalid annotation name: .inf to Prometheus 2.42', /invalid annotation name: \.inf/],
  ];
  const rehearse = (text: string): string => {
    try {
      const r = readRuleFile(text, 'r.yaml');
      return [`labels ${JSON.stringify(r.groups[0].rules[0].labels)}`, ...r.warnings].join('\n');
    } catch (e) {
      return (e as { lines?: string[] }).lines?.join('\n') ?? String(e);
    }
  };
  it.each(rows)('%s', (_, at, expected) => {
    expect(rehearse(file(at))).toContain(expected);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules (2.42) says the same of each', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-nan-'));
    try {
      for (const [name, at, , promtool] of rows) {
        writeFileSync(join(dir, 'r.yaml'), file(at));
        const out = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yaml')], { encoding: 'utf8', timeout: 60_000 });
        expect(`${out.stdout}${out.stderr}`, name).toMatch(promtool);
        // Where promtool refuses the file, rehearse refuses it (and reads it where promtool takes it).
        expect(/SUCCESS/.test(out.stdout) || /invalid (label|annotation) name/.test(out.stdout + out.stderr), name).toBe(!/ (not a valid|limit is)/.test(rehearse(file(at))));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A file of PrometheusRules is sent by kubectl apply, which stops at a document it cannot send (see above). */
describe('a file of PrometheusRules with .nan: kubectl stops there, and the operator never gets what follows', () => {
  const rule = (name: string, extra = '') => `apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata: { name: ${name} }
spec:
  groups:
    - name: g-${name}
      rules:
        - alert: A${name}
          expr: up == 0
          labels: { severity: page${extra} }
`;
  const refusal = (text: string): string[] => {
    try {
      readRuleFile(text, 'p.yaml');
      return [];
    } catch (e) {
      return (e as { lines: string[] }).lines;
    }
  };
  it('a ConfigMap kubectl cannot send before a PrometheusRule: that rule is never applied, refused (it was read)', () => {
    const config = 'apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\ndata: { x: .inf }\n';
    expect(refusal([rule('a'), config, rule('c')].join('---\n'))).toEqual([
      'p.yaml:17:1: PrometheusRule "c" (document 3) is not applied: kubectl stops reading p.yaml at document 2, which it cannot send ("error parsing p.yaml": p.yaml:15:12: data.x: .inf is +Inf, which encoding/json cannot write ("json: unsupported value"))',
    ]);
    // After the last PrometheusRule, it is warned and the rules read.
    const r = readRuleFile([rule('a'), config].join('---\n'), 'p.yaml');
    expect(r.groups.map((g) => g.name)).toEqual(['g-a']);
    expect(r.warnings[0]).toMatch(/^p\.yaml:15:12: data\.x: \.inf is \+Inf, .*\(ConfigMap "c", document 2\): not applied \("error parsing p\.yaml"\); read without it$/);
  });

  it('a label .nan in a PrometheusRule: it and those after it are named, each at its place', () => {
    expect(refusal([rule('a'), rule('b', ', x: .nan'), rule('c')].join('---\n'))).toEqual([
      'p.yaml:21:40: spec.groups[0].rules[0].labels.x: .nan is NaN, which encoding/json cannot write ("json: unsupported value"): kubectl cannot send the resource (PrometheusRule "b", document 2): not applied ("error parsing p.yaml"); it stops reading p.yaml there, so the document after it is not applied either',
      'p.yaml:23:1: PrometheusRule "c" (document 3) is not applied: kubectl stops reading p.yaml at document 2, which it cannot send ("error parsing p.yaml": p.yaml:21:40: spec.groups[0].rules[0].labels.x: .nan is NaN, which encoding/json cannot write ("json: unsupported value"))',
    ]);
  });

  it('a syntax error in a Service after the PrometheusRules: the rules are read, the Service warned (the file was refused)', () => {
    const r = readRuleFile([rule('a'), 'apiVersion: v1\nkind: Service\nmetadata: { name: s }\nspec: a: b\n'].join('---\n'), 'p.yaml');
    expect(r.groups.map((g) => g.name)).toEqual(['g-a']);
    expect(r.warnings[0]).toBe('p.yaml:15:8: invalid YAML: Nested mappings are not allowed in compact mappings: kubectl cannot read the document (Service "s", document 2): not applied ("error parsing p.yaml"); read without it');
  });
});

/**
 * A recording rule named in UTF-8. prometheus/prometheus v3.9.1 model/rulefmt/rulefmt.go Rule.Validate checks the
 * name with nameValidationScheme.IsValidMetricName (any valid UTF-8 but empty) and refuses braces ("braces present
 * in the recording rule name; should it be in expr?", since v3.2.0); its cmd/promtool/main.go CheckRules passes
 * model.UTF8Validation (v3.0.0: model.NameValidationScheme = model.UTF8Validation). promtool 2.42 (/usr/bin/promtool)
 * refuses it: "invalid recording rule name".
 */
describe('a recording rule named in UTF-8: Prometheus 3 loads it, 2.42 refuses it', () => {
  const file = (record: string) => `groups:
  - name: g
    rules:
      - record: ${JSON.stringify(record)}
        expr: sum(up)
      - alert: Recorded
        expr: '{__name__=${JSON.stringify(record).replace(/'/g, "''")}} > 1'
`;
  it('is kept and warned, saying which Prometheus takes it; its series is recorded and read', () => {
    const r = readRuleFile(file('http.requests:rate5m'), 'r.yaml');
    expect(r.groups[0].rules.map((x) => x.name)).toEqual(['http.requests:rate5m', 'Recorded']);
    expect(r.warnings).toEqual([
      'r.yaml:4:17: groups[0].rules[0].record: invalid recording rule name: http.requests:rate5m to Prometheus 2.42 (its promtool check rules refuses the file); Prometheus 3 takes UTF-8 metric names (promtool check rules 3.x validates them as UTF-8) and loads it: the rule is kept, its series read in PromQL as {"http.requests:rate5m"} (Prometheus 3\'s syntax) or {__name__="http.requests:rate5m"}',
    ]);
    const input = new InputSeries();
    input.add({ __name__: 'up', job: 'a' }, [1, 1, 1], 60_000);
    input.add({ __name__: 'up', job: 'b' }, [1, 1, 1], 60_000);
    const engine = new RuleEngine(r.groups.map((g) => ({ ...g, file: 'r.yaml', intervalMs: 60_000, rules: g.rules.map((x) => ({ ...x, expr: x.expr! })) })), input, 0);
    engine.advance(60_000);
    expect(engine.series('http.requests:rate5m').map((s) => s.value(s.length - 1))).toEqual([2]);
    expect(engine.alerts('Recorded', null).map((a) => a.state)).toEqual(['firing']);
  });

  it('braces (3.2 and later refuse them too), an empty name and a lone surrogate are refused', () => {
    const refused = (record: string) => {
      try {
        readRuleFile(file(record), 'r.yaml');
        return [];
      } catch (e) {
        return (e as { lines: string[] }).lines;
      }
    };
    expect(refused('http_requests{job="a"}')).toEqual(['r.yaml:4:17: groups[0].rules[0].record: braces present in the recording rule name; should it be in expr?: http_requests{job="a"} (Prometheus 3.2 and later refuse it in these words, 2.42 as an invalid recording rule name)']);
    expect(refused('\ud800x')[0]).toMatch(/^r\.yaml:4:17: groups\[0\]\.rules\[0\]\.record: invalid recording rule name: /);
    expect(refused('job:up:sum')).toEqual([]);
  });

  it.skipIf(!prometheusAvailable())('promtool 2.42 refuses the UTF-8 name, in the words of the warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-utf8-'));
    try {
      writeFileSync(join(dir, 'r.yaml'), file('http.requests:rate5m'));
      const out = spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'r.yaml')], { encoding: 'utf8', timeout: 60_000 });
      expect(`${out.stdout}${out.stderr}`).toContain('4:17: group "g", rule 1, "http.requests:rate5m": invalid recording rule name: http.requests:rate5m');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/**
 * Jaeger's Cassandra storage model as its own test fixtures write it: jaegertracing/jaeger at 8498073f
 * internal/storage/v2/cassandra/tracestore/fixtures/cas_01.json, dbmodel.Span (internal/storage/v1/cassandra/
 * spanstore/dbmodel/model.go) through Go's encoding/json, by its Go field names. The span below has that form, with
 * values of its own; the vendor's file itself is read too where its mirror is on the machine.
 */
describe('a span of Jaeger\'s Cassandra storage model is named for what it is, with what to give instead', () => {
  const span = (id: number) => ({
    TraceID: 'AAAAAAAAAAEAAAAAAAAAAA==', SpanID: id, ParentID: 0, OperationName: 'GET /cart', Flags: 1, StartTime: 1485467191639875, Duration: 5,
    Tags: [{ Key: 'span.kind', ValueType: 'string', value_string: 'server' }], Logs: [], Refs: [],
    Process: { ServiceName: 'cart', Tags: [] }, ServiceName: 'cart', SpanHash: 12345,
  });
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-cassandra-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const said = 'a span of Jaeger\'s Cassandra storage model, not a trace file Jaeger exports: dbmodel.Span as Go\'s encoding/json writes it (TraceID in base64, SpanID a number, OperationName, StartTime, Process, SpanHash), the form of Jaeger\'s own test fixtures (internal/storage/v2/cassandra/tracestore/fixtures/cas_01.json); not read. Give the traces as Jaeger\'s query service serves them from that Cassandra: GET /api/traces/{traceID} or the UI\'s "Download JSON" ({"data": [traces]}), or GET /api/v3/traces/{traceID} (OTLP JSON)';

  it('one span, a list of them, or JSON lines: refused in one message, without the key-by-key hints that misled ("did you mean traceID?")', () => {
    const one = write('one.json', JSON.stringify(span(2), null, 2));
    expect(refusedLines(() => readTraceFile(one, () => {}), one)).toEqual([`${one}:2:14: ${said}`]);
    const list = write('list.json', JSON.stringify([span(2), span(3)], null, 2));
    expect(refusedLines(() => readTraceFile(list, () => {}), list)).toEqual([`${list}:2:3: ${said}`]);
    const lines = write('lines.json', `${JSON.stringify(span(2))}\n${JSON.stringify(span(3))}\n`);
    expect(refusedLines(() => readTraceFile(lines, () => {}), lines)).toEqual([`${lines}:1:12: ${said}`]);
  });

  it('among spans rehearse reads, it is skipped and counted, not read as a Zipkin span', () => {
    const zipkin = { traceId: '0000000000000001', id: '0000000000000002', name: 'get /cart', timestamp: 1485467191639875, duration: 5, kind: 'SERVER', localEndpoint: { serviceName: 'cart' } };
    const file = write('mixed.json', JSON.stringify([zipkin, span(3)], null, 2));
    const spans: Span[] = [];
    const r = readTraceFile(file, (t) => spans.push(...t));
    expect(spans.map((s) => s.service)).toEqual(['cart']);
    expect([...r.report.skipped]).toEqual([['a span of Jaeger\'s Cassandra storage model (dbmodel.Span, by its Go field names), which no Jaeger API serves', 1]]);
  });

  const mirror = '/work/.mirror/jaegertracing+jaeger/repo';
  it.skipIf(!existsSync(mirror))('the vendor\'s own fixture, at the commit cited', () => {
    const text = spawnSync('git', ['-C', mirror, 'show', '8498073ff809b1a3923521920a9b1b017ea97ecf:internal/storage/v2/cassandra/tracestore/fixtures/cas_01.json'], { encoding: 'utf8' }).stdout;
    const file = write('cas_01.json', text);
    expect(refusedLines(() => readTraceFile(file, () => {}), file)).toEqual([`${file}:2:14: ${said}`]);
  });
});
