/**
 * Inputs read as their own systems read them, or refused where they cannot be (each case failed before its fix):
 * Jaeger tags whose value is not of their type, OTLP span links of a type the collector refuses, a cohort file's
 * header against its users, a PrometheusRule without apiVersion, an empty --capacity, the string formats of the Argo
 * and Flagger CRD schemas, YAML line breaks inside quoted strings as Go's yaml.v3 reads them, and Flagger's CRD
 * read as rehearse reads resources.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { cohortDocument, generateCohort } from '../src/cohorts/cohort.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { InputError } from '../src/errors.js';
import { readFileSync } from 'node:fs';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { SCHEMA_FILES, schemaFile } from '../src/interop/kube/schema.js';
import { CHECKED_FORMATS, UNCHECKED_FORMATS } from '../src/interop/kube/formats.js';
import { parseDocumentAsGo } from '../src/scenario/go-quoted.js';
import { parseDocument } from 'yaml';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-inputs-17-'));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
/** The spans a trace file gives, and what it skipped (with where the first of each reason was). */
function read(file: string): { spans: Span[]; skipped: Record<string, number>; at: Record<string, string> } {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { spans, skipped: Object.fromEntries(r.report.skipped), at: Object.fromEntries(r.report.skippedAt) };
}
type Json = Record<string, unknown>;

describe('Jaeger tags read by their type', () => {
  // jaegertracing/jaeger internal/storage/v2/elasticsearch/tracestore/from_dbmodel.go (commit 8498073f)
  // dbTagsToAttributes and fromDBNumber: text parsed by strconv.ParseBool, ParseInt(s, 10, 64) and ParseFloat(s, 64),
  // an int64 tag's JSON number truncated; any other value made into an error text ("Can't convert the type ...",
  // "invalid bool type in 1"). Go's answers for the texts below were taken with go1.19 strconv on this machine.
  const span = (tags: Json[], logs: Json[] = []): Json => ({ traceID: 'a1', spanID: 'b1', operationName: 'GET /', references: [], startTime: 1_700_000_000_000_000, duration: 1000, tags, logs, processID: 'p1' });
  // A second span, well formed, so that the file has spans to give.
  const trace = (tags: Json[], logs: Json[] = []): string => JSON.stringify({ data: [{ traceID: 'a1', spans: [span(tags, logs), { ...span([]), spanID: 'b2' }], processes: { p1: { serviceName: 'svc' } } }] }, null, 1);
  const INT = 'a span with an int64 tag whose value is no whole number of int64 (a JSON number, or text strconv.ParseInt reads in base 10); Jaeger\'s reader keeps an error text in its place';
  const BOOL = 'a span with a bool tag whose value is neither true nor false (nor text strconv.ParseBool reads: 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False); Jaeger\'s reader keeps an error text in its place';
  const FLOAT = 'a span with a float64 tag whose value is no finite number (a JSON number, or text strconv.ParseFloat reads; NaN and Inf are not read); Jaeger\'s reader keeps an error text in its place';
  const STRING = 'a span with a string tag whose value is not text; Jaeger\'s reader keeps an error text in its place';

  it.each([
    ['int64', 'abc', INT], ['int64', '1e3', INT], ['int64', '0x10', INT], ['int64', ' 12', INT], ['int64', '9223372036854775808', INT], ['int64', true, INT],
    ['bool', 1, BOOL], ['bool', 'yes', BOOL], ['bool', 'tRUE', BOOL], ['bool', '', BOOL],
    ['float64', 'abc', FLOAT], ['float64', '1e400', FLOAT], ['float64', 'NaN', FLOAT], ['float64', '1__0', FLOAT], ['float64', false, FLOAT],
    ['string', 200, STRING], ['string', true, STRING],
  ])('a %s tag of %j refuses the span at the tag\'s value (it was read as given)', (type, value, why) => {
    const text = trace([{ key: 'k', type, value }]);
    const r = read(write(`jaeger-${type}-${String(value).replace(/\W/g, '_')}.json`, text));
    expect(r.spans.map((x) => x.spanId)).toEqual(['00000000000000b2']);
    expect(r.skipped).toEqual({ [why]: 1 });
    const line = text.split('\n').findIndex((l) => l.includes('"value"')) + 1;
    expect(r.at[why]).toBe(`${line}:${text.split('\n')[line - 1].indexOf('"value"') + 1}`);
  });

  it.each([
    ['int64', 12.9, 12], ['int64', -12.9, -12], ['bool', 'T', true], ['bool', '1', true],
    ['float64', '1_000', 1000], ['float64', '0x1.8p1', 3], ['float64', '1.5_0', 1.5],
  ])('a %s tag of %j is read as %j, as strconv reads it (it was read as given, or as false)', (type, value, expected) => {
    const r = read(write(`jaeger-ok-${type}-${String(value).replace(/\W/g, '_')}.json`, trace([{ key: 'k', type, value }])));
    expect(r.skipped).toEqual({});
    expect(r.spans[0].attributes.k).toBe(expected);
  });

  it('a type Jaeger has not refuses the span at the type, with a suggestion (it was read as untyped)', () => {
    const text = trace([{ key: 'k', type: 'INT64', value: 5 }]);
    const r = read(write('jaeger-type.json', text));
    const why = 'a span with a tag whose type is none of Jaeger\'s (string, bool, int64, float64, binary); did you mean "int64"?; Jaeger\'s reader keeps an error text in its place';
    expect(r.skipped).toEqual({ [why]: 1 });
    const line = text.split('\n').findIndex((l) => l.includes('"INT64"')) + 1;
    expect(r.at[why]).toBe(`${line}:${text.split('\n')[line - 1].indexOf('"type"') + 1}`);
  });

  it('a log field is held to its type as a tag is, and a binary value to its encoding', () => {
    const r = read(write('jaeger-log.json', trace([], [{ timestamp: 1_700_000_000_000_100, fields: [{ key: 'event', type: 'string', value: 'x' }, { key: 'n', type: 'bool', value: 2 }] }])));
    expect(r.skipped).toEqual({ [BOOL]: 1 });
    const b = read(write('jaeger-binary.json', trace([{ key: 'b', type: 'binary', value: '!!' }])));
    expect(b.spans).toHaveLength(1);
    expect(Object.keys(b.skipped)).toEqual(['a span with a binary tag whose value is not base64 text (the UI\'s JSON writes bytes as base64); Jaeger\'s reader keeps an error text in its place']);
  });
});

describe('OTLP span links checked as the collector reads them', () => {
  // open-telemetry/opentelemetry-collector pdata/internal/generated_proto_spanlink.go SpanLink.UnmarshalJSON (commit
  // 934999fb): traceId and spanId through bytesid.go unmarshalJSON (hex of 16 and 8 bytes, "length mismatch"),
  // traceState ReadString, attributes a list of KeyValue, droppedAttributesCount and flags ReadUint32
  // (pdata/internal/json/iterator.go). A value of another type fails the request; before, links were warned as a
  // whole and their fields never looked at.
  const TRACE = '0af7651916cd43dd8448eb211c80319c';
  const span = (spanId: string, links: unknown): Json => ({ traceId: TRACE, spanId, name: 'GET /', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000010000000', links });
  // A second span, without links, so that the file has spans to give.
  const otlp = (links: unknown): string => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans: [span('00f067aa0ba902b7', links), span('00f067aa0ba902b9', [])] }] }] }, null, 1);
  const link = (o: Json): Json => ({ traceId: TRACE, spanId: '00f067aa0ba902b8', ...o });

  it.each([
    ['traceId', link({ traceId: 'xyz' }), 'OTLP Link.traceId is "xyz", not 16 bytes in hex (32 digits; or base64)'],
    ['spanId', link({ spanId: 42 }), 'OTLP Link.spanId is a number, not 8 bytes in hex (16 digits; or base64)'],
    ['traceState', link({ traceState: ['a'] }), 'OTLP Link.traceState is a list, not text'],
    ['attributes', link({ attributes: { k: 1 } }), 'OTLP Link.attributes is an object, not a list'],
    ['droppedAttributesCount', link({ droppedAttributesCount: -1 }), 'OTLP Link.droppedAttributesCount is a negative number, not a whole number from 0 to 4294967295 (uint32, or its text)'],
    ['flags', link({ flags: '4294967296' }), 'OTLP Link.flags is the text of a number out of range, not a whole number from 0 to 4294967295 (uint32, or its text)'],
  ])('a link whose %s the collector refuses refuses the span at that field', (field, l, what) => {
    const text = otlp([l]);
    const r = read(write(`otlp-link-${field}.json`, text));
    expect(r.spans.map((x) => x.spanId)).toEqual(['00f067aa0ba902b9']);
    const why = `a span whose ${what} (the collector's OTLP/JSON reader (pdata/internal/json) refuses the request)`;
    expect(r.skipped).toEqual({ [why]: 1 });
    const lines = text.split('\n'), links = lines.findIndex((s) => s.includes('"links"'));
    const line = lines.findIndex((s, i) => i > links && s.includes(`"${field}"`)) + 1;
    expect(r.at[why]).toBe(`${line}:${text.split('\n')[line - 1].indexOf(`"${field}"`) + 1}`);
  });

  // pdata/internal/generated_proto_span.go, generated_proto_spanevent.go, generated_proto_status.go (commit 934999fb):
  // Span.traceState and Status.message ReadString, Span.flags and the dropped counts ReadUint32. Warned or not read,
  // they were never typed: the collector refuses the request.
  it.each([
    ['droppedEventsCount', { droppedEventsCount: 'many' }, 'OTLP Span.droppedEventsCount is text, not a whole number from 0 to 4294967295 (uint32, or its text)'],
    ['flags', { flags: -1 }, 'OTLP Span.flags is a negative number, not a whole number from 0 to 4294967295 (uint32, or its text)'],
    ['traceState', { traceState: 5 }, 'OTLP Span.traceState is a number, not text'],
    ['message', { status: { code: 2, message: ['x'] } }, 'OTLP Status.message is a list, not text'],
  ])('a span whose %s the collector refuses is refused at that field', (field, o, what) => {
    const text = JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ spans: [{ ...span('00f067aa0ba902b7', []), ...o }, span('00f067aa0ba902b9', [])] }] }] }, null, 1);
    const r = read(write(`otlp-span-${field}.json`, text));
    expect(r.spans.map((x) => x.spanId)).toEqual(['00f067aa0ba902b9']);
    const why = `a span whose ${what} (the collector's OTLP/JSON reader (pdata/internal/json) refuses the request)`;
    expect(r.skipped).toEqual({ [why]: 1 });
    const lines = text.split('\n'), line = lines.findIndex((l) => l.includes(`"${field}"`)) + 1;
    expect(r.at[why]).toBe(`${line}:${lines[line - 1].indexOf(`"${field}"`) + 1}`);
  });

  it('a link that is no object, or a link\'s attribute of the wrong type, refuses the span; a well-formed link is read', () => {
    expect(Object.keys(read(write('otlp-link-text.json', otlp(['x']))).skipped)).toEqual(['a span whose OTLP Span.links[0] is text, not an object (the collector\'s OTLP/JSON reader (pdata/internal/json) refuses the request)']);
    expect(Object.keys(read(write('otlp-link-attr.json', otlp([link({ attributes: [{ key: 'k', value: { boolValue: 'true' } }] })]))).skipped)).toEqual(['a span whose OTLP AnyValue.boolValue is text, not true or false (the collector\'s OTLP/JSON reader (pdata/internal/json) refuses the request)']);
    const ok = read(write('otlp-link-ok.json', otlp([link({ traceState: 'a=b', attributes: [{ key: 'k', value: { intValue: '3' } }], droppedAttributesCount: '2', flags: 256 }), { traceId: '', spanId: '' }])));
    expect(ok.skipped).toEqual({});
    expect(ok.spans).toHaveLength(2);
  });
});

describe('a cohort file\'s header held against its users', () => {
  const scenario = (cohort: string) => `name: x\nduration: 1m\ntraffic: { rate: 10/s, cohort: ${cohort} }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n`;
  type Doc = { seed: number; segments: Record<string, number>; users: { key: string[]; segment: string[]; activity: number[] } };
  const doc = (): Doc => cohortDocument(generateCohort({ name: 'u', size: 50, seed: 3 })) as unknown as Doc;

  it('a user in a segment the header does not list is refused at the user (it was taken into a segment of its own)', () => {
    const d = doc();
    d.users.segment[7] = 'bussiness';
    write('stray-segment.json', JSON.stringify(d));
    const loaded = parseScenarioText(scenario('stray-segment.json'), dir);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(formatProblem('x.yaml', loaded.problems[0])).toBe('x.yaml:3:32: traffic.cohort: cohort file stray-segment.json:1:4492 at users.segment[7]: "bussiness" is not a segment the header lists; did you mean "business"? (segments: "general", "business", "beta", "internal"): add it to segments with its share, or put the user in one of them');
    }
  });

  it('more segments than a user\'s segment index holds are refused (the 257th was read as the first)', () => {
    const d = doc();
    d.segments = Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`s${i}`, 1 / 257]));
    d.users.segment = d.users.segment.map((_, i) => (i === 0 ? 's256' : 's0'));
    write('many-segments.json', JSON.stringify(d));
    const loaded = parseScenarioText(scenario('many-segments.json'), dir);
    expect(!loaded.ok && formatProblem('x.yaml', loaded.problems[0])).toBe('x.yaml:3:32: traffic.cohort: cohort file many-segments.json:1:72 at segments: 257 segments: at most 256');
  });

  it('a header seed that does not make the file\'s users is warned at the seed; the file as generated is not', () => {
    write('own-seed.json', JSON.stringify(doc()));
    const ok = parseScenarioText(scenario('own-seed.json'), dir, undefined, 'YAML', 'x.yaml');
    expect(ok.ok && ok.warnings).toEqual([]);
    const d = doc();
    d.seed = 4;
    write('other-seed.json', JSON.stringify(d));
    const other = parseScenarioText(scenario('other-seed.json'), dir, undefined, 'YAML', 'x.yaml');
    const key = generateCohort({ name: 'u', size: 1, seed: 4 }).key[0];
    expect(other.ok && other.warnings).toEqual([`x.yaml:3:32: traffic.cohort: cohort file other-seed.json at seed: seed 4 does not make these users: its first user's key is "${key}", users.key[0] is "${d.users.key[0]}" (the file was edited, or not made by "rehearse cohorts generate --seed 4" with these segments); its users are read as the file has them, and the seed is not used`]);
  });
});

describe('a resource without apiVersion, or of a version its CRD does not serve', () => {
  it('is refused, as Kubernetes refuses a resource without one (it was read as the operator\'s)', () => {
    // k8s.io/apimachinery pkg/runtime/serializer/json/meta.go SimpleMetaFactory.Interpret, and kubectl's
    // "Object 'apiVersion' is missing in ..." (pkg/runtime/serializer/json/json.go): no resource without it is stored.
    const text = 'kind: PrometheusRule\nmetadata: { name: r }\nspec:\n  groups:\n    - name: g\n      rules:\n        - { alert: A, expr: up == 0 }\n';
    let lines: string[] = [];
    try {
      readRuleFile(text, 'r.yaml');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual(['r.yaml:1:1: apiVersion: missing: the API server needs it to know the resource (kubectl: "apiVersion not set"); a PrometheusRule is monitoring.coreos.com/v1']);
    expect(readRuleFile(`apiVersion: monitoring.coreos.com/v1\n${text}`, 'r.yaml').groups).toHaveLength(1);
  });

  it('an Argo Rollout without apiVersion, or of a version the CRD does not serve, is refused (it was read as v1alpha1)', () => {
    // argoproj/argo-rollouts manifests/crds/rollout-crd.yaml (commit 9f8d111d): versions v1alpha1 alone, served.
    const canary = readFileSync(join(import.meta.dirname, 'fixtures/vendor/argo/rollout-canary.yaml'), 'utf8');
    const problems = (text: string) => {
      const r = argoParts([{ file: 'r.yaml', text }]);
      return r.ok ? [] : r.problems;
    };
    const line = canary.split('\n').indexOf('apiVersion: argoproj.io/v1alpha1') + 1;
    expect(problems(canary.replace('apiVersion: argoproj.io/v1alpha1\n', ''))).toEqual([`r.yaml:${line}:1: apiVersion: missing: the API server needs it to know the resource (kubectl: "apiVersion not set"); Rollout is argoproj.io/v1alpha1`]);
    expect(problems(canary.replace('argoproj.io/v1alpha1', 'argoproj.io/v1'))).toEqual([`r.yaml:${line}:13: apiVersion: no matches for kind "Rollout" in version "argoproj.io/v1": the argoproj.io CRD serves argoproj.io/v1alpha1`]);
  });
});

describe('calibrate: empty options refused', () => {
  it.each([
    ['--capacity', '', '--capacity: an empty list (a variable that is not set?): give NAME=N or NAME=REPLICASxN, separated by commas'],
    ['--capacity', ' , ', '--capacity: an empty list (a variable that is not set?): give NAME=N or NAME=REPLICASxN, separated by commas'],
    ['--name', '', '--name: an empty name (a variable that is not set?): give the scenario\'s name'],
  ])('%s %j is exit 2 naming the option (it was taken as none given, exit 0)', async (flag, value, message) => {
    const traces = write('calibrate-empty.json', JSON.stringify({ data: [{ traceID: 'a1', spans: [{ traceID: 'a1', spanID: 'b1', operationName: 'GET /', references: [], startTime: 1_700_000_000_000_000, duration: 1000, processID: 'p1' }], processes: { p1: { serviceName: 'svc' } } }] }));
    const r = await cli('calibrate', traces, flag, value);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.out).toBe('');
  });
});

describe('the string formats of the Argo and Flagger CRD schemas', () => {
  // kubernetes/apiextensions-apiserver pkg/apiserver/validation/formats.go (commit 1aa2717a): a string's format is
  // kept only when supported (date-time, normalized "datetime", among them), an integer's int32 and int64 kept but
  // never checked: kubernetes/kube-openapi pkg/validation/validate/formats.go (commit d427ff9e) applies formats to
  // strings only, by pkg/validation/strfmt (time.go IsDateTime, date.go IsDate). Before, no format was checked.
  const canary = readFileSync(join(import.meta.dirname, 'fixtures/vendor/argo/rollout-canary.yaml'), 'utf8');
  const restartAt = (v: string) => canary.replace('spec:\n', `spec:\n  restartAt: ${JSON.stringify(v)}\n`);
  const problems = (text: string) => {
    const r = argoParts([{ file: 'r.yaml', text }]);
    return r.ok ? [] : r.problems;
  };
  const line = canary.split('\n').indexOf('spec:') + 2;

  it.each(['yesterday', '2024-02-30T10:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01 10:00:00Z', '2024-01-01T10:00:00', '24-01-01T10:00:00Z'])('a Rollout\'s spec.restartAt of %j is refused as the API server refuses it', (v) => {
    expect(problems(restartAt(v))).toEqual([`r.yaml:${line}:14: spec.restartAt: Invalid value: ${JSON.stringify(v)}: must be of type date-time (RFC 3339, as 2006-01-02T15:04:05Z), as the Rollout CRD's format says: the Kubernetes API server refuses the resource`]);
  });

  it('every format the vendored schemas carry is checked as the API server checks it, or is one it does not check', () => {
    const formats = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v !== null && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        if (typeof o.format === 'string') formats.add(o.format);
        Object.values(o).forEach(walk);
      }
    };
    for (const name of new Set(Object.values(SCHEMA_FILES))) walk(schemaFile(name).kinds);
    expect([...formats].filter((f) => !Object.hasOwn(CHECKED_FORMATS, f.replaceAll('-', '')) && !UNCHECKED_FORMATS.includes(f))).toEqual([]);
    expect(formats.has('date-time')).toBe(true);
    expect(problems(restartAt('2024-13-01T00:00:00Z'))).toHaveLength(1);
    // An RFC 3339 time in its forms strfmt takes (a "t" and "z" in lower case, an offset, a fraction) is not refused.
    for (const v of ['2024-02-29T10:00:00Z', '2024-01-01t10:00:00.123+01:00', '2024-01-01T23:59:59-05:00']) expect(problems(restartAt(v))).toEqual([]);
  });
});

describe('NEL, LS and PS inside quoted strings, read as Go\'s yaml.v3 reads them', () => {
  // gopkg.in/yaml.v3 v3.0.1 scannerc.go yaml_parser_scan_flow_scalar and read_line, yamlprivateh.go is_break: NEL
  // (U+0085), LS (U+2028) and PS (U+2029) are line breaks, a NEL read as a line feed (so folded to a space), LS and
  // PS kept, the blanks around each dropped. The answers were taken from yaml.v3 itself on this machine
  // (test/fixtures/yaml-v3/breaks.go); CI, without Go, reads them from breaks.json. Before, the yaml package (YAML
  // 1.2, for which they are no breaks) kept each string as written.
  type Answer = { in: string; value?: unknown; error?: string };
  const { cases, outside } = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures/yaml-v3/breaks.json'), 'utf8')) as { cases: Answer[]; outside: Answer[] };
  // The cases the yaml package alone reads otherwise than Go (LS kept inside a line, an unknown escape: alike).
  const plain = (text: string) => {
    const d = parseDocument(text);
    return d.errors.length > 0 ? { error: 'refused' } : { value: d.toJS() };
  };
  const withBreaks = cases.filter((c) => /[\u0085\u2028\u2029]/.test(c.in) && JSON.stringify(plain(c.in)) !== JSON.stringify(c.error !== undefined ? { error: 'refused' } : { value: c.value }));

  it.each(withBreaks.map((c) => [JSON.stringify(c.in), c] as const))('%s', (_, c) => {
    const { doc } = parseDocumentAsGo(c.in, {}, 'go');
    if (c.error !== undefined) expect(doc.errors.length).toBeGreaterThan(0);
    else {
      expect(doc.errors.map((e) => e.message)).toEqual([]);
      expect(doc.toJS()).toEqual(c.value);
    }
  });

  it('a rule\'s quoted label value with a NEL is read as Go reads it, and a key with one is refused', () => {
    const rules = (text: string) => readRuleFile(text, 'r.yaml');
    const file = 'groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: { team: "web\u0085  ops" }\n';
    expect(rules(file).groups[0].rules[0]).toMatchObject({ labels: { team: 'web ops' } });
    expect(() => rules('groups:\n  - name: g\n    rules:\n      - alert: A\n        expr: up == 0\n        labels: { "a\u2028b": x }\n')).toThrow(/a key on more than one line/);
  });

  it.each(outside.filter((c) => JSON.stringify(plain(c.in)) !== JSON.stringify(c.error !== undefined ? { error: 'refused' } : { value: c.value })).map((c) => [JSON.stringify(c.in), c] as const))('outside a quoted string, where the yaml package reads otherwise than Go: %s is refused', (_, c) => {
    expect(parseDocumentAsGo(c.in, {}, 'go').doc.errors[0]?.message).toMatch(/outside a quoted string/);
  });

  it('a Kubernetes resource is read so too: a comment with a NEL in a Rollout is refused at the NEL', () => {
    const canary = readFileSync(join(import.meta.dirname, 'fixtures/vendor/argo/rollout-canary.yaml'), 'utf8').replace('spec:\n', 'spec: # the plan\u0085  paused: true\n');
    const r = argoParts([{ file: 'r.yaml', text: canary }]);
    const line = canary.split('\n').findIndex((l) => l.startsWith('spec: #')) + 1;
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(new RegExp(`^r\\.yaml:${line}:17: invalid YAML: U\\+0085 \\(NEL\\) outside a quoted string`))]);
  });

  it('one outside a quoted string is refused at its place (Go read the rest of a comment as YAML, rehearse did not)', () => {
    // yaml.v3 reads "# c<NEL>k: 1" as {k: 1} and "k: a<NEL>b" not at all (breaks.json, outside): Go and the yaml
    // package read such a file apart, whatever rehearse made of it.
    const file = 'groups:\n  - name: g # the rules\u0085    limit: 1\n    rules:\n      - { record: r, expr: up }\n';
    let lines: string[] = [];
    try {
      readRuleFile(file, 'r.yaml');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual(['r.yaml:2:24: invalid YAML: U+0085 (NEL) outside a quoted string: a line break to Go\'s yaml (kubectl, Prometheus, the controllers), a character to rehearse\'s YAML reader, so the two would read the file apart (the rest of a comment read as YAML, a value cut); remove it, or quote the value that holds it']);
  });
});
