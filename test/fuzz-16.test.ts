/**
 * What a fuzz round of hostile and mutated input found, each finding as a small fixed case (the fuzz itself mutated
 * the bundled scenarios, the trace fixtures, rule files, cohort and flag files, journals and every command's options
 * through the CLI in-process):
 * - trace files: JSON nested past the readers' limit, attribute values nested deep (stack overflows; a value 30 lists
 *   deep in a kilobyte blew past V8's longest string), fields of a type the format's own reader refuses read as
 *   something else in silence;
 * - calibrate: span chains and call chains thousands deep (stack overflows), calls nested deeper than a scenario holds
 *   and names longer than YAML's keys ("a bug in calibrate"), control characters written raw into the scenario's
 *   comments, a --group-by pattern matching the empty text;
 * - the command line: an empty output path (an unset variable) taken as none, exit 0; "-" written as a file;
 *   a --out prefix whose path cannot be stat'ed;
 * - sweep: a scenario with merge keys, read by the runs as plain YAML (every run invalid); a tune value the scenario
 *   refuses, each of its runs "invalid for this policy", exit 0;
 * - rule files: a PrometheusRule of another apiVersion; an expr that is a list, read as its text.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { prepareSweep, runSweep } from '../src/sweep/sweep.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { cli, refusedLines } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-16-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError/);

const id16 = (i: number) => i.toString(16).padStart(16, '0');
const TRACE = '0af7651916cd43dd8448eb211c80319c';
type Json = Record<string, unknown>;
const otlpSpan = (o: Json = {}): Json => ({ traceId: TRACE, spanId: id16(1), name: 'GET /', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000010000000', attributes: [], ...o });
const otlp = (spans: Json[], service: unknown = 'svc'): string => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] }] });
/** The spans a trace file gives, and what it skipped. */
function read(file: string): { spans: Span[]; skipped: Record<string, number>; at: Record<string, string> } {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { spans, skipped: Object.fromEntries(r.report.skipped), at: Object.fromEntries(r.report.skippedAt) };
}

describe('trace files nested deep', () => {
  it('JSON nested more than 10,000 levels is refused where it passes them, as Go\'s encoding/json and the collector\'s jsoniter refuse it', () => {
    // encoding/json scanner.go maxNestingDepth = 10000; json-iterator/go iter.go maxDepth = 10000 (the collector's
    // OTLP/JSON reader, pdata/internal/json/iterator.go). Before: a stack overflow where the fields were walked.
    const file = write('deep.json', `{"resourceSpans":[{"scopeSpans":[{"spans":[${'['.repeat(10_001)}${']'.repeat(10_001)}]}]}]}`);
    expect(refusedLines(() => readTraceFile(file, () => {}), file)).toEqual([
      `${file}:1:10038: resourceSpans[0].scopeSpans[0].spans[0]: JSON nested more than 10,000 levels deep, which the formats' own readers refuse (Go's encoding/json, the collector's jsoniter)`,
    ]);
  });

  it('an attribute nested thousands of levels (under the limit) is read without overflowing the stack', async () => {
    const hole = '{"kvlistValue":{"values":[{"key":"k","value":'.repeat(2400) + '{"stringValue":"x"}' + '}]}}'.repeat(2400);
    const file = write('deep-kvlist.json', otlp([otlpSpan({ attributes: [{ key: 'a', value: 'HOLE' }] })]).replace('"HOLE"', hole));
    const r = await cli('calibrate', file, '--out', join(dir, 'deep-kvlist.yaml'));
    noStack(r.err);
    expect(r.code).toBe(0);
  });

  it('a list attribute is its nested JSON, as the collector\'s Value.AsString writes it (pdata/pcommon/value.go), not the text of text doubling its escapes each level', () => {
    // 30 levels in a file of a kilobyte made a string of 2^30 backslashes: "Invalid string length", with a stack.
    const nested = '{"arrayValue":{"values":['.repeat(30) + '{"stringValue":"x"},{"intValue":"7"}' + ']}}'.repeat(30);
    const file = write('nested-list.json', otlp([otlpSpan({ attributes: [{ key: 'a', value: 'HOLE' }, { key: 'm', value: { kvlistValue: { values: [{ key: 'k', value: { arrayValue: { values: [{ boolValue: true }] } } }] } } }] })]).replace('"HOLE"', nested));
    const { spans } = read(file);
    expect(spans[0].attributes.a).toBe(`${'['.repeat(30)}"x",7${']'.repeat(30)}`);
    expect(spans[0].attributes.m).toBe('{"k":[true]}');
  });

  it('an arrayValue or kvlistValue of null is an empty one (jsoniter reads null as no object); values that are text refuse the span', () => {
    const file = write('null-array.json', otlp([otlpSpan({ attributes: [{ key: 'a', value: { arrayValue: null } }, { key: 'b', value: { kvlistValue: null } }] })]));
    expect(read(file).spans[0].attributes).toEqual({ a: '[]', b: '{}' });
    const text = write('text-values.json', otlp([otlpSpan({ attributes: [{ key: 'a', value: { arrayValue: { values: 'x' } } }] })]));
    expect(refusedLines(() => readTraceFile(text, () => {}), text)[1]).toBe(`${text}:1:353: skipped: a span whose OTLP ArrayValue.values is text, not a list (the collector's OTLP/JSON reader (pdata/internal/json) refuses the request)`);
  });
});

describe('trace fields of a type their format\'s reader refuses refuse the span, at the field', () => {
  // The collector reads OTLP/JSON with pdata/internal/json/attribute.go readAnyValue (ReadString, ReadBool, ReadInt64,
  // ReadFloat64) and number.go (ReadInt64, ReadUint64: strconv.ParseInt and ParseUint of a text), and fails the request
  // on another type. Each was read as something else: boolValue "true" as false, an intValue past int64 as 1e+23 (an
  // HTTP status a server error), attributes or events that are no list as none, an event's time of text as NaN.
  const cases: [string, Json, string][] = [
    ['bool-text', otlpSpan({ attributes: [{ key: 'error', value: { boolValue: 'true' } }] }), 'OTLP AnyValue.boolValue is text, not true or false'],
    ['int-overflow', otlpSpan({ attributes: [{ key: 'http.response.status_code', value: { intValue: '99999999999999999999999' } }] }), 'OTLP AnyValue.intValue is the text of a number out of range, not a whole number (int64, or its text)'],
    ['int-fraction', otlpSpan({ attributes: [{ key: 'http.response.status_code', value: { intValue: 500.5 } }] }), 'OTLP AnyValue.intValue is a number with a fraction, not a whole number (int64, or its text)'],
    ['attributes-object', otlpSpan({ attributes: { error: true } }), 'OTLP Span.attributes is an object, not a list'],
    ['events-object', otlpSpan({ events: { name: 'exception' } }), 'OTLP Span.events is an object, not a list'],
    ['event-time-text', otlpSpan({ events: [{ timeUnixNano: 'soon', name: 'exception' }] }), 'OTLP Event.timeUnixNano is text, not a whole number of 0 or more (uint64, or its text)'],
    ['key-number', otlpSpan({ attributes: [{ key: 5, value: { stringValue: 'x' } }] }), 'OTLP KeyValue.key is a number, not text'],
    ['attribute-text', otlpSpan({ attributes: ['http.route=/a'] }), 'OTLP Span.attributes[0] is text, not an object'],
  ];
  for (const [name, span, why] of cases) {
    it(`OTLP: ${name}`, () => {
      const file = write(`otlp-${name}.json`, otlp([otlpSpan({ spanId: id16(9) }), span]));
      const r = read(file);
      expect(r.spans.map((s) => s.spanId)).toEqual([id16(9)]);
      const reason = `a span whose ${why} (the collector's OTLP/JSON reader (pdata/internal/json) refuses the request)`;
      expect(r.skipped).toEqual({ [reason]: 1 });
      // At the field itself: its line and column in the file.
      const [line, column] = r.at[reason].split(':').map(Number);
      const text = readFileSync(file, 'utf8').split('\n')[line - 1];
      expect(text.slice(column - 1)).toMatch(new RegExp(`^"(${why.split(' ')[1].split('.')[1].replace(/\[0\]$/, '')}|attributes)"|^"http|^\\{`));
    });
  }

  it('a negative start is refused (a fixed64: ReadUint64); it was read as -5 ns', () => {
    const file = write('otlp-negative.json', otlp([otlpSpan({ startTimeUnixNano: -5, endTimeUnixNano: 10 })]));
    expect(refusedLines(() => readTraceFile(file, () => {}), file)[0]).toMatch(/no usable spans in this otlp file: 1 skipped \(1 a span without valid start and end times\)/);
  });

  it('a resource whose attributes are no list refuses the file, as the collector refuses the request (the service was "unknown")', () => {
    const file = write('otlp-resource.json', JSON.stringify({ resourceSpans: [{ resource: { attributes: { 'service.name': 'svc' } }, scopeSpans: [{ spans: [otlpSpan()] }] }] }));
    expect(refusedLines(() => readTraceFile(file, () => {}), file)).toEqual([`${file}:1:32: OTLP Resource.attributes is an object, not a list (the collector's OTLP/JSON reader (pdata/internal/json) refuses the request)`]);
  });

  it('Zipkin: an endpoint that is text, or shared as text, refuses the span, as V2SpanReader refuses it (Gson\'s beginObject, nextBoolean)', () => {
    // openzipkin/zipkin zipkin2/internal/V2SpanReader.java; the endpoint was read as none, shared "true" as false.
    const span = { traceId: id16(5), id: id16(6), name: 'get', kind: 'SERVER', timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'svc' } };
    const file = write('zipkin-types.json', JSON.stringify([span, { ...span, id: id16(7), localEndpoint: 'svc' }, { ...span, id: id16(8), shared: 'true' }]));
    expect(read(file).skipped).toEqual({
      'a span whose Zipkin Span.localEndpoint is text, not an object (Zipkin\'s reader (V2SpanReader, with Gson) refuses it)': 1,
      'a span whose Zipkin Span.shared is text, not true or false (Zipkin\'s reader (V2SpanReader, with Gson) refuses it)': 1,
    });
  });

  it('Jaeger: tags that are no list, a log whose timestamp is text, refuse the span; processes that are a list refuse the trace', () => {
    // Go's encoding/json into Jaeger's model (UnmarshalTypeError): the tags were read as none, the log at the span's start.
    const span = { traceID: id16(5), spanID: id16(6), operationName: 'op', startTime: 1_700_000_000_000_000, duration: 10, processID: 'p1', references: [], tags: [] };
    const file = write('jaeger-types.json', JSON.stringify({ data: [
      { traceID: id16(5), spans: [span, { ...span, spanID: id16(7), tags: { 'span.kind': 'server' } }, { ...span, spanID: id16(8), logs: [{ timestamp: 'later', fields: [] }] }], processes: { p1: { serviceName: 's' } } },
      { traceID: id16(9), spans: [{ ...span, traceID: id16(9) }], processes: [{ serviceName: 's' }] },
    ] }));
    const r = read(file);
    expect(r.spans.map((s) => s.spanId)).toEqual([id16(6)]);
    expect(r.skipped).toEqual({
      'a span whose Jaeger Span.tags is an object, not a list (Jaeger\'s reader (Go\'s encoding/json) refuses it)': 1,
      'a span whose Jaeger Log.timestamp is text, not a whole number of 0 or more (uint64: Go reads no text for it) (Jaeger\'s reader (Go\'s encoding/json) refuses it)': 1,
      'a trace whose Jaeger Trace.processes is a list, not an object (Jaeger\'s reader (Go\'s encoding/json) refuses it)': 1,
    });
  });
});

describe('calibrate on hostile traces', () => {
  const chain = (n: number, endpoints: boolean) => otlp(Array.from({ length: n }, (_, i) => otlpSpan({
    spanId: id16(i + 1), ...(i ? { parentSpanId: id16(i) } : {}), name: endpoints ? `op${i}` : 'op', kind: endpoints || i === 0 ? 2 : 1,
    startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(i)), endTimeUnixNano: String(1_700_000_000_010_000_000n - BigInt(i)),
  })));

  it('a chain of 6,000 internal spans is calibrated (a RangeError with a stack before)', async () => {
    const r = await cli('calibrate', write('internal-chain.json', chain(6000, false)), '--out', join(dir, 'internal-chain.yaml'));
    noStack(r.err);
    expect(r.code).toBe(0);
  });

  it('calls nested deeper than a scenario holds are refused naming the file and where the chain starts (it was "a bug in calibrate", or a RangeError)', async () => {
    for (const n of [300, 6000]) {
      const file = write(`endpoint-chain-${n}.json`, chain(n, true));
      const r = await cli('calibrate', file, '-q');
      noStack(r.err);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`${file}: the traces' calls nest ${(n - 1).toLocaleString('en-US')} deep, from service "svc", endpoint "op0"; a scenario holds calls at most 256 deep (docs/limits.md, "Hostile input and limits")`);
    }
  });

  it('a name longer than YAML\'s keys is cut at 120 characters, kept apart by a hash of the whole name', async () => {
    // A span named by a statement of 2,000 characters made a key of 2,000: YAML reads none past 1,024 ("a bug in calibrate").
    const long = (c: string) => `SELECT ${c.repeat(2000)}`;
    const file = write('long-names.json', otlp([otlpSpan({ name: long('a') }), otlpSpan({ spanId: id16(2), traceId: TRACE.replace('0a', '0b'), name: long('a') + 'b' })]));
    const out = join(dir, 'long-names.yaml');
    const r = await cli('calibrate', file, '--out', out);
    expect(r.code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    // Each says what the traces called it.
    const names = [...yaml.matchAll(/^ {6}(SELECT-a+-[0-9a-f]{8}): {3}# traced as "SELECT a{2000}b?"$/gm)].map((m) => m[1]);
    expect(names).toHaveLength(2);
    expect(names.every((n) => n.length === 120)).toBe(true);
    expect(names[0]).not.toBe(names[1]);
    expect(parseScenarioText(yaml).ok).toBe(true);
  });

  it('control characters of a service name are escaped in the scenario\'s comments (a raw ESC, NUL and BEL were written; no YAML holds them)', async () => {
    const file = write('controls.json', otlp([otlpSpan()], 'svc\u0000\u001b]0;title\u0007'));
    const out = join(dir, 'controls.yaml');
    expect((await cli('calibrate', file, '--out', out)).code).toBe(0);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
    expect(yaml).toContain('--capacity svc\\x00\\x1b]0;title\\x07=N');
  });

  it('a --group-by pattern that matches the empty text is refused (every endpoint it matched there was named "op")', async () => {
    const file = write('group-by.json', otlp([otlpSpan()]));
    for (const pattern of ['regex:', 'regex:(x)?']) {
      const r = await cli('calibrate', file, '--group-by', pattern);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^--group-by: ".*" matches the empty text, so spans it matches there would all get one name/);
    }
    expect((await cli('calibrate', file, '--group-by', 'regex:^GET', '-q')).code).toBe(0);
  });
});

describe('output paths on the command line', () => {
  const scenario = write('small.yaml', 'name: small\nduration: 10s\ntraffic: { rate: 5/s }\njourneys: { j: { steps: [a.x] } }\nservices: { a: { endpoints: { x: {} } } }\n');

  it('an empty file or folder name (an unset variable) is refused before the run: it was taken as none, exit 0, nothing written', async () => {
    for (const [option, words] of [['--json', 'file'], ['--html', 'file'], ['--openmetrics', 'file'], ['--traces', 'file']]) {
      const r = await cli('run', scenario, option, '', '-q');
      expect(r).toMatchObject({ code: 2, err: `${option}: an empty ${words} name (a variable that is not set?): give one` });
    }
    expect(await cli('ci', dir, '--html-dir', '')).toMatchObject({ code: 2, err: '--html-dir: an empty folder name (a variable that is not set?): give one' });
  });

  it('"-" is stdout only for --json: --html - wrote a file named "-"', async () => {
    const r = await cli('run', scenario, '--html', '-', '-q');
    expect(r).toMatchObject({ code: 2, err: '--html -: "-" is not stdout here (only --json writes to stdout with "-"); give a file name (./- for a file named "-")' });
    const json = await cli('run', scenario, '--json', '-', '-q');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.out).schema).toBe('rehearse/run@1');
  });

  it('a --out prefix under a file (ENOTDIR) or with a name too long is exit 2, not a stack trace', async () => {
    write('a-file', 'x');
    for (const prefix of [join(dir, 'a-file', 'drill'), join(dir, 'x'.repeat(5000))]) {
      const r = await cli('gameday', 'debrief', join(dir, 'none.journal'), '--out', prefix);
      noStack(r.err);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/: is a path that cannot be used \((a part of the path is not a directory|name too long)\)/);
    }
  });
});

describe('sweeps', () => {
  const scenario = (vary: string, merge = false) => `name: sweep-16
duration: 2m
traffic: { rate: 10/s }
journeys: { j: { steps: [api.x] } }
${merge ? 'x-api: &api { latency: { dist: constant, value: 5ms } }\n' : ''}services:
  api:
${merge ? '    <<: *api\n' : '    latency: { dist: constant, value: 5ms }\n'}    endpoints: { x: {} }
flags: { f: { evaluated-by: [api], when-on: { api: { errors: +5% } } } }
rollout: [{ flag: f, stages: [{ to: 50%, hold: 30s }, { to: 100% }], gates: ['req_failed{flag:on} rate<0.02'] }]
tune:
  seeds: 1
  vary: { ${vary} }
  minimize: 'blast_radius_users p(95)'
`;

  it('runs read the scenario as its loader does: merge keys are merged (each run of such a scenario was "invalid for this policy")', async () => {
    const file = write('merge.yaml', scenario("rollout.f.stages.0.hold: ['30s', '1m']", true));
    const doc = await runSweep(prepareSweep(file), { workers: 1 });
    expect(doc.failures).toEqual([]);
    expect(doc.runs.filter((r) => !r.error)).toHaveLength(2);
  });

  it('a tune value the scenario refuses is refused before any run, at its place in the tune block', () => {
    const file = write('bad-value.yaml', scenario("rollout.f.gates.0: ['rate<0.01', 'rate<<0.02']"));
    expect(refusedLines(() => prepareSweep(file), file)).toEqual([
      `${file}:13:44: tune.vary["rollout.f.gates.0"][1]: "rate<<0.02" makes the scenario invalid: rollout[0].gates[0]: expected a number, such as 0.01, 900ms or 5% at column 26`,
    ]);
  });
});

describe('rule files', () => {
  const rules = (name: string, text: string) => {
    mkdirSync(join(dir, 'rules'), { recursive: true });
    writeFileSync(join(dir, 'rules', name), text);
    return parseScenarioText(`name: r\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a.x] } }\nservices: { a: { endpoints: { x: {} } } }\nmetrics: { rules: [${name}] }\n`, join(dir, 'rules'));
  };
  const messages = (l: ReturnType<typeof rules>) => (l.ok ? [] : l.problems.map((p) => p.message));

  it('a PrometheusRule of another apiVersion, or with a name that is no text, is refused as the API server refuses it (read in silence before)', () => {
    const l = rules('v3.yml', 'apiVersion: monitoring.coreos.com/v3\nkind: PrometheusRule\nmetadata: { name: 5 }\nspec: { groups: [] }\n');
    expect(messages(l)).toEqual([
      'v3.yml:1:13: apiVersion: a PrometheusRule is apiVersion monitoring.coreos.com/v1 (the Prometheus Operator\'s CRD), not "monitoring.coreos.com/v3": the API server has no other',
      'v3.yml:3:19: metadata.name: metadata.name is text (the API server refuses 5)',
    ]);
  });

  it('an expr that is a list is no expression, in promtool check rules\' words (2.42: "field \'expr\' must be set in rule"); [x] was read as the query x', () => {
    expect(messages(rules('list.yml', 'groups:\n- name: g\n  rules:\n  - record: a\n    expr: [x]\n'))).toEqual(['list.yml:4:5: groups[0].rules[0]: field \'expr\' must be set in rule']);
  });
});
