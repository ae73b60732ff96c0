/**
 * Leftovers of the imports round, each against the vendor's own source:
 * - argoproj/argo-rollouts (at 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d) pkg/kubectl-argo-rollouts/cmd/lint/lint.go
 *   lintResource decodes every document of a file, keeps each Rollout, and runs ValidateRollout and
 *   ValidateRolloutReferencedResources on each with the resources matched to it (matchRolloutToReferences);
 *   lint_test.go passes testdata/valid-ingress-smi-multi.yml (two Rollouts) and fails invalid-ingress-smi-multi.yml
 *   with `spec.strategy.canary.canaryService: ... Service "rollout-smi-experiment-canary" has unmatch label "app" in
 *   rollout`. rehearse refused both whole ("expected exactly one Rollout, found 2"): now `rehearse lint` checks each,
 *   and a plan (import, a scenario's argo: entry) names the one it rehearses.
 * - open-telemetry/semantic-conventions docs/http/http-spans.md ("Status": "For HTTP status codes in the 5xx range, as
 *   well as any other code the client failed to interpret, span status SHOULD be set to Error", for any kind) and
 *   open-telemetry/opentelemetry-collector-contrib pkg/translator/jaeger/jaegerproto_to_traces.go
 *   (getStatusCodeFromHTTPStatusAttr, statusCodeFromHTTP: Error for a code outside 100 to 398 on every kind but a
 *   server's 4xx; text that strconv.ParseInt refuses leaves the status unset). An OTLP span's
 *   http.response.status_code of -1 was read without a word, and on a server span as no failure.
 * - jaegertracing/jaeger model/json/model.go (Span.StartTime, Duration, Log.Timestamp: uint64, no `,string` option)
 *   and internal/storage/v2/elasticsearch/tracestore/core/dbmodel/model.go (the same, and StartTimeMillis): Go's
 *   encoding/json refuses text for a uint64 ("cannot unmarshal string into Go struct field ... of type uint64").
 *   rehearse read "startTime": "1700000000000000" as the number.
 * - LaunchDarkly's SDKs bucket a bucketBy attribute of 1e21 otherwise: launchdarkly/js-core
 *   packages/shared/sdk-server/src/evaluation/Bucketer.ts valueForBucketing (Number.isInteger, String: "1e+21"),
 *   which the installed Node SDK runs; launchdarkly/go-server-sdk-evaluation bucketing.go bucketableStringValue with
 *   go-sdk-common ldvalue/value_base.go IsInt (`numberValue == float64(int(numberValue))`, false past int64): not
 *   bucketable, bucket 0. rehearse serves as the Node SDK and said nothing.
 * - kubectl's JSON stream (kubernetes/apimachinery pkg/util/yaml/decoder.go YAMLOrJSONDecoder over encoding/json):
 *   golang/go src/encoding/json/scanner.go quoteChar quotes the offending byte with strconv.Quote(string(c))
 *   (strconv/quote.go appendEscapedRune: \a \b \f \n \r \t \v, \xHH below a space and for DEL, \u00HH for
 *   what IsPrint refuses; a byte past ASCII is the rune of its number: "é" starts with C3, 'Ã'); rehearse wrote
 *   JSON.stringify's \u0001 and the character itself. A "<<" key: encoding/json reads it as a key; go-yaml v2
 *   (decode.go isMerge: an implicit, that is plain, "<<") merges a plain one in YAML and not a quoted one; rehearse
 *   merged none in a Kubernetes file. A flow collection after a JSON value on its line, which kubectl reads on as
 *   YAML and applies, was refused as YAML on the value's line.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { lintRollouts } from '../src/interop/argo/index.js';
import { jsonValueEnd } from '../src/interop/kube/json-stream.js';
import { resourceDocuments } from '../src/interop/kube/resources.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import { fileWarnings } from '../src/calibrate/read-notes.js';
import type { Span } from '../src/observe/span.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { cli } from './helpers.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';
import { parseFlagText } from '../src/interop/document.js';

const vendor = 'test/fixtures/vendor/argo';
const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('warning:'));

describe('Argo Rollouts: files with several Rollouts', () => {
  const valid = `${vendor}/lint-valid-ingress-smi-multi.yml`;
  const invalid = `${vendor}/lint-invalid-ingress-smi-multi.yml`;

  it('lintRollouts checks each Rollout of the file, with lint_test.go\'s verdicts', () => {
    const of = (file: string) => lintRollouts([{ file, text: readFileSync(file, 'utf8') }]).map((r) => [r.rollout, r.result.ok ? 'ok' : r.result.problems.find((p) => p.includes('canaryService'))]);
    expect(of(valid)).toEqual([['rollout-smi-experiment', 'ok'], ['rollout-smi-experiment-1', 'ok']]);
    const bad = of(invalid);
    expect(bad[1]).toEqual(['rollout-smi-experiment-1', 'ok']);
    expect(bad[0][1]).toContain(`${invalid}:89:22: spec.strategy.canary.canaryService: the controller marks the Rollout InvalidSpec and never rolls it out ("Service "rollout-smi-experiment-canary" has unmatch label "app" in rollout"`);
  });

  it('rehearse lint: the valid file has no findings (exit 0); the invalid one has the first Rollout\'s two Services (exit 1)', async () => {
    const ok = await cli('lint', valid);
    expect([ok.code, ok.out]).toEqual([0, '1 file: no findings']);
    const bad = await cli('lint', invalid);
    expect(bad.code).toBe(1);
    const lines = bad.out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${invalid}:89:22: argo-rollout: spec\\.strategy\\.canary\\.canaryService: .*has unmatch label "app" in rollout.* \\(fix: the Rollout "rollout-smi-experiment" as the controller reads it: rehearse import argo ${invalid} --rollout rollout-smi-experiment says the same\\)$`));
    expect(lines[2]).toBe('2 findings');
  });

  it('rehearse import argo lists the Rollouts and imports none until one is named (exit 2)', async () => {
    const r = await cli('import', 'argo', valid);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${valid}: 2 Rollouts: "rollout-smi-experiment" (${valid}:84:9), "rollout-smi-experiment-1" (${valid}:213:9); a plan rehearses one: name it (rehearse import argo --rollout NAME; in a scenario, argo.name)`]);
  });

  it('--rollout NAME imports that one, and says at the other that it is not rehearsed', async () => {
    const r = await cli('import', 'argo', valid, '--rollout', 'rollout-smi-experiment-1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('# From the Rollout "rollout-smi-experiment-1"');
    expect(parse(r.out).rollout[0].pods.service).toBe('rollout-smi-experiment-1');
    expect(r.err.split('\n')).toContain(`warning: ${valid}:84:9: metadata.name: the Rollout "rollout-smi-experiment" is not rehearsed: the plan is the Rollout "rollout-smi-experiment-1"'s (--rollout rollout-smi-experiment-1)`);
    // Nothing of the other Rollout is read: no warning at its fields (lines 84 to 131).
    expect(r.err.split('\n').filter((l) => /\.yml:(8[5-9]|9\d|1[0-2]\d|13[01]):/.test(l))).toEqual([]);
  });

  it('--rollout with a name the files do not hold is an error with the closest name', async () => {
    const r = await cli('import', 'argo', valid, '--rollout', 'rollout-smi-experimnt');
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`--rollout "rollout-smi-experimnt": no Rollout of that name in ${valid}; did you mean "rollout-smi-experiment"? (they hold "rollout-smi-experiment" (${valid}:84:9), "rollout-smi-experiment-1" (${valid}:213:9))`]);
    // One Rollout in the files: a name is checked all the same.
    const one = await cli('import', 'argo', 'examples/argo/rollout.yaml', 'examples/argo/analysis-templates.yaml', '--rollout', 'guestbok');
    expect(errors(one.err)).toEqual(['--rollout "guestbok": no Rollout of that name in examples/argo/rollout.yaml, examples/argo/analysis-templates.yaml; did you mean "guestbook"? (they hold "guestbook" (examples/argo/rollout.yaml:6:9))']);
  });

  describe('a scenario\'s argo.name', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-two-rollouts-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const ro = readFileSync('examples/argo/rollout.yaml', 'utf8');
    writeFileSync(join(tmp, 'rollout.yaml'), `${ro.replace('name: guestbook\n', 'name: other\n')}---\n${ro}`);
    copyFileSync('examples/argo/analysis-templates.yaml', join(tmp, 'analysis-templates.yaml'));
    const raw = parse(readFileSync('examples/argo/guestbook.yaml', 'utf8'));
    delete raw.tune;
    const write = (name: string | undefined) => {
      const s = structuredClone(raw);
      if (name !== undefined) s.rollout[0].argo.name = name;
      const file = join(tmp, `scenario-${name ?? 'none'}.yaml`);
      writeFileSync(file, stringify(s));
      return file;
    };

    it('without it, the scenario is refused at its argo: entry with the Rollouts listed', () => {
      const file = write(undefined);
      const l = loadScenarioFile(file);
      expect(l.ok ? [] : l.problems.map((p) => formatProblem(file, p))).toEqual([expect.stringMatching(/: rollout\[0\]\.argo: rollout\.yaml, analysis-templates\.yaml: 2 Rollouts: "other" \(rollout\.yaml:6:9\), "guestbook" \(rollout\.yaml:\d+:9\); a plan rehearses one: name it/)]);
    });

    it('a name it does not hold is refused at argo.name with the closest', () => {
      const file = write('guestbok');
      const l = loadScenarioFile(file);
      expect(l.ok ? [] : l.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^rollout\[0\]\.argo\.name "guestbok": no Rollout of that name in rollout\.yaml, analysis-templates\.yaml; did you mean "guestbook"\?/)]);
    });

    it('named, it rehearses as the file with that Rollout alone does', () => {
      const file = write('guestbook');
      const l = loadScenarioFile(file, 'defective');
      const alone = loadScenarioFile('examples/argo/guestbook.yaml', 'defective');
      if (!l.ok || !alone.ok) throw new Error('not loaded');
      const a = runScenario(l.scenario);
      const b = runScenario(alone.scenario);
      expect(a.rollouts.map((r) => [r.outcome, r.finalPercent])).toEqual([['rolled-back', 0]]);
      expect(JSON.stringify(a.rollouts)).toBe(JSON.stringify(b.rollouts));
    });
  });
});

describe('OTLP: an HTTP status code outside 100 to 599', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rehearse-otlp-code-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const span = (id: string, kind: number, code: unknown, status?: number) => ({
    traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id, name: 'GET /a', kind,
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000010000000', ...(status === undefined ? {} : { status: { code: status } }),
    attributes: [{ key: 'http.request.method', value: { stringValue: 'GET' } }, { key: 'http.response.status_code', value: code }],
  });
  const read = (spans: object[]) => {
    const file = join(tmp, `t${spans.length}-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans }] }] }, null, 1));
    const got: Span[] = [];
    const r = readTraceFile(file, (t) => got.push(...t));
    return { file, errors: got.map((s) => s.error), warnings: fileWarnings([{ file, report: r.report }]) };
  };

  it('-1 on a server span fails it, as the collector sets Error, and is warned at the attribute', () => {
    const r = read([span('b7ad6b7169203331', 2, { intValue: '-1' })]);
    expect(r.errors).toEqual([true]);
    // JSON.stringify(doc, null, 1) puts the attribute's "value" key at line 33, column 10.
    expect(r.warnings).toEqual([`${r.file}:33:10: OTLP attribute http.response.status_code: -1 is no HTTP status code (100 to 599; semantic conventions http-spans.md: "any other code the client failed to interpret" is an error): read as a failure of the span, whatever its kind (server here), as the collector's Jaeger translator sets Error for it`]);
  });

  it('on a client span and past 599 alike; a span whose status is OK keeps it, said so; a code in range is not warned', () => {
    const r = read([span('b7ad6b7169203331', 3, { intValue: '0' }), span('b7ad6b7169203332', 2, { intValue: '700' }), span('b7ad6b7169203333', 2, { intValue: '-1' }, 1), span('b7ad6b7169203334', 2, { intValue: '200' })]);
    expect(r.errors).toEqual([true, true, false, false]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(/: OTLP attribute http\.response\.status_code: 0 is no HTTP status code .*: read as a failure of the span, whatever its kind \(client here\).* \(3 times in the file; the first here\)$/);
  });

  it('a Jaeger tag alike, at its value', () => {
    const file = join(tmp, 'jaeger.json');
    const text = JSON.stringify({ data: [{ traceID: '0af7651916cd43dd8448eb211c80319c', processes: { p1: { serviceName: 'api' } }, spans: [{
      traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203331', operationName: 'GET /a', references: [], startTime: 1700000000000000, duration: 1000,
      tags: [{ key: 'span.kind', type: 'string', value: 'server' }, { key: 'http.status_code', type: 'int64', value: -1 }], processID: 'p1',
    }] }] });
    writeFileSync(file, text);
    const got: boolean[] = [];
    const r = readTraceFile(file, (t) => got.push(...t.map((x) => x.error)));
    expect(got).toEqual([true]);
    expect(fileWarnings([{ file, report: r.report }])).toEqual([`${file}:1:${text.indexOf('"value":-1') + 1}: Jaeger tag http.status_code: -1 is no HTTP status code (100 to 599; semantic conventions http-spans.md: "any other code the client failed to interpret" is an error): read as a failure of the span, whatever its kind (server here), as the collector's Jaeger translator sets Error for it`]);
  });

  it('text that is no number fails no span and is said to be not read', () => {
    const r = read([span('b7ad6b7169203331', 2, { stringValue: 'oops' })]);
    expect(r.errors).toEqual([false]);
    expect(r.warnings[0]).toContain('OTLP attribute http.response.status_code: oops is no HTTP status code');
    expect(r.warnings[0]).toContain('not read as a code: the span fails by its other attributes only');
  });
});

describe('Jaeger JSON: times given as the text of a number', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'rehearse-jaeger-text-'));
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));
  const span = (id: string, start: unknown, duration: unknown, log?: unknown) => ({
    traceID: '0af7651916cd43dd8448eb211c80319c', spanID: id, operationName: `op-${id.slice(-1)}`, references: [],
    startTime: start, duration, tags: [], logs: log === undefined ? [] : [{ timestamp: log, fields: [] }], processID: 'p1',
  });
  const read = (doc: object) => {
    const file = join(tmp, `t-${Math.random().toString(36).slice(2)}.json`);
    const text = JSON.stringify(doc, null, 1);
    writeFileSync(file, text);
    const names: string[] = [];
    const r = readTraceFile(file, (t) => names.push(...t.map((x) => x.name)));
    return { text, names, skipped: Object.fromEntries([...r.report.skipped].map(([why, n]) => [why, [n, r.report.skippedAt.get(why)]])) };
  };
  /** line:column of the key of the first `"key": value` in the text. */
  const place = (text: string, key: string, value: string) => {
    const i = text.indexOf(`"${key}": ${value}`);
    const before = text.slice(0, i).split('\n');
    return `${before.length}:${before[before.length - 1].length + 1}`;
  };
  const why = (type: string, field: string) => `a span whose Jaeger ${type}.${field} is the text of a number, not a whole number of 0 or more (uint64: Go reads no text for it) (Jaeger's reader (Go's encoding/json) refuses it)`;

  it('a span whose startTime, duration or log timestamp is digit text is refused, the field named at its place; numbers are read', () => {
    const r = read({ data: [{ traceID: '0af7651916cd43dd8448eb211c80319c', processes: { p1: { serviceName: 'api' } }, spans: [
      span('b7ad6b7169203331', '1700000000000000', 1000), span('b7ad6b7169203332', '1700000000000000', 1000),
      span('b7ad6b7169203333', 1700000000000000, '1000'), span('b7ad6b7169203334', 1700000000000000, 1000, '1700000000000500'),
      span('b7ad6b7169203335', 1700000000000000, 1000, 1700000000000500),
    ] }] });
    expect(r.names).toEqual(['op-5']);
    expect(r.skipped).toEqual({
      [why('Span', 'startTime')]: [2, place(r.text, 'startTime', '"1700000000000000"')],
      [why('Span', 'duration')]: [1, place(r.text, 'duration', '"1000"')],
      [why('Log', 'timestamp')]: [1, place(r.text, 'timestamp', '"1700000000000500"')],
    });
  });

  it('so is a span of Jaeger\'s Elasticsearch index whose startTime is digit text', () => {
    const doc = { hits: { hits: [{ _index: 'jaeger-span-2024-01-01', _source: { traceID: '0af7651916cd43dd8448eb211c80319c', spanID: 'b7ad6b7169203331', operationName: 'op', references: [], startTime: '1700000000000000', startTimeMillis: 1700000000000, duration: 1000, tags: [], logs: [], process: { serviceName: 'api', tags: [] } } }] } };
    expect(() => read(doc)).toThrow(/no usable spans in this jaeger file: 1 skipped \(1 a span whose Jaeger \(Elasticsearch\) Span\.startTime is the text of a number, not a whole number of 0 or more \(uint64: Go reads no text for it\)/);
  });
});

describe('LaunchDarkly: a bucketBy attribute of 2^63 or more', () => {
  const file = 'ld-flags.json';
  // Weights such that bucket 0 (the Go SDK's) and the Node SDK's bucket of "1e+21" (0.0587) serve different variations.
  const text = JSON.stringify({ flags: { 'new-checkout': {
    key: 'new-checkout', on: true, salt: 's1', variations: [false, true], offVariation: 0,
    fallthrough: { rollout: { bucketBy: 'accountNumber', variations: [{ variation: 0, weight: 5000 }, { variation: 1, weight: 95000 }] } },
  } } }, null, 2);
  const evaluate = (accounts: unknown[]) => {
    const set = launchdarkly.open(parseFlagText(text, file));
    try {
      const served = accounts.map((a) => set.evaluate('new-checkout', { kind: 'user', key: 'u1', accountNumber: a }));
      return { served: served.map((e) => [e.value, e.bucket === null ? null : Number(e.bucket.toFixed(4))]), notes: set.notes!() };
    } finally {
      set.close();
    }
  };

  it('serves as the Node SDK (the text "1e+21", bucket 0.0587: true) and says where and that the Go SDK gives bucket 0 (false)', () => {
    const r = evaluate([1e21, 1e21, 12345]);
    expect(r.served).toEqual([[true, 0.0587], [true, 0.0587], [true, 0.4396]]);
    expect(r.notes).toEqual([`${file}:14:23: flags.new-checkout.fallthrough.rollout.bucketBy: 2 evaluations bucketed by a whole number of 2^63 or more (accountNumber 1e+21): LaunchDarkly's Node SDK buckets it as its text ("1e+21", Bucketer.ts valueForBucketing), which rehearse follows; its Go SDK cannot bucket it and gives bucket 0 (bucketing.go bucketableStringValue, ldvalue IsInt), so a service on the Go SDK serves those contexts the variation of bucket 0`]);
  });

  it('a number both SDKs bucket alike (below 2^63, or with a fraction, which neither buckets) is not noted', () => {
    expect(evaluate([2 ** 62, 9007199254740993, 1.5, -(2 ** 63) + 2048]).notes).toEqual([]);
  });

  it('rehearse flags eval prints it as a warning', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-ld-big-'));
    try {
      writeFileSync(join(tmp, file), text);
      const r = await cli('flags', 'eval', join(tmp, file), '--flag', 'new-checkout', '--context', '{"kind":"user","key":"u1","accountNumber":1e21}');
      expect(r.code).toBe(0);
      expect(r.out).toContain('value true');
      expect(r.err).toMatch(/^warning: .*ld-flags\.json:14:23: flags\.new-checkout\.fallthrough\.rollout\.bucketBy: 1 evaluation bucketed by a whole number of 2\^63 or more \(accountNumber 1e\+21\)/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});

describe('Kubernetes JSON streams as kubectl reads them', () => {
  const readKube = (text: string, file = 'f.json') =>
    resourceDocuments({ file, text }).documents.map((d) => ('problem' in d ? d.problem : 'unsent' in d ? d.unsent : d.value));
  const failure = (text: string) => {
    const end = jsonValueEnd(text, 0);
    return typeof end === 'number' ? null : end.message;
  };

  it('quotes the character it stops at as encoding/json does (strconv.Quote of the byte)', () => {
    expect(['\u0001', '\u0007', '\u000b', '\u001f', '\u007f', '\\', 'é', '\u00a0', '\u00ad', '\u0085', '😀', 'x', '\''].map((c) => failure(`{"a":1${c}}`)))
      .toEqual(['\\x01', '\\a', '\\v', '\\x1f', '\\x7f', '\\\\', 'Ã', 'Â', 'Â', 'Â', 'ð', 'x', '\\\''].map((q) => `invalid character '${q}' after object key:value pair`));
    // In a string, a control character is refused at once, quoted alike.
    expect(failure('{"a":"x\u0001"}')).toBe(`invalid character '\\x01' in string literal`);
    expect(failure('{"a":"x\t"}')).toBe(`invalid character '\\t' in string literal`);
  });

  it('quotes it so in the refusal of a file, after two values', () => {
    const o = (name: string) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    expect(readKube(`${o('a')}\n${o('b')}\n\u0001`)[2]).toMatch(/^f\.json:3:1: invalid JSON: invalid character '\\x01' looking for beginning of value: .*\("error parsing f\.json: invalid character '\\x01' looking for beginning of value"\)/);
  });

  it('a "<<" key of a JSON value is a key (encoding/json); in YAML a plain << merges (go-yaml v2) and a quoted one does not', () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nbase: &b {x: "1"}\n';
    expect(readKube(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { '<<': { x: '1' }, y: '2' } }))).toEqual([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, data: { '<<': { x: '1' }, y: '2' } },
    ]);
    expect(readKube(`${head}data:\n  <<: *b\n  z: "2"\n`, 'f.yaml')).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, base: { x: '1' }, data: { x: '1', z: '2' } }]);
    expect(readKube(`${head}data: {<<: *b, z: "2"}\n`, 'f.yaml')).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, base: { x: '1' }, data: { x: '1', z: '2' } }]);
    expect(readKube(`${head}data: {"<<": *b, z: "2"}\n`, 'f.yaml')).toEqual([{ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' }, base: { x: '1' }, data: { '<<': { x: '1' }, z: '2' } }]);
  });

  it('a flow collection after a JSON value on its line is read on as YAML and applied, as kubectl does; a block is still refused', () => {
    const a = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a' } });
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });
    expect(readKube(`${a} {apiVersion: v1, kind: ConfigMap,\nmetadata: {name: b}}\n`)).toEqual([cm('a'), cm('b')]);
    expect(readKube(`${a} {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"},}\n---\n${JSON.stringify(cm('c'))}\n`)).toEqual([cm('a'), cm('b'), cm('c')]);
    expect(readKube(`${a} kind: x\n`)[1]).toMatch(/^f\.json:1:64: YAML after the JSON value on its line/);
  });
});
