/**
 * What surrounds the spans of a trace file, and spans kept by a store, read exactly:
 * - the documents' wrappers: Jaeger's HTTP API answer (jaegertracing/jaeger cmd/jaeger/internal/extension/
 *   jaegerquery/internal/http_handler.go structuredResponse {data, total, limit, offset, errors}, handleError), its
 *   api_v3 gateway (internal/proto/api_v3/query_service.pb.go GRPCGatewayWrapper {result}, GRPCGatewayError {error};
 *   apiv3/http_gateway.go tryHandleError), OTLP's TracesData {resourceSpans} (opentelemetry-proto trace.proto) and
 *   jaeger-ui's state of a loaded trace (packages/jaeger-ui/src/types/index.ts FetchedTrace {data, error, id, state});
 * - a span's process as jaeger-ui copies it into each span (packages/jaeger-ui/src/model/transform-trace-data.ts:
 *   span.process = data.processes[processID]), walked once, with the trace's processes;
 * - Jaeger's Elasticsearch and OpenSearch span documents (internal/storage/v2/elasticsearch/tracestore/core/dbmodel/
 *   model.go Span; core/reader.go mergeAllNestedAndElevatedTagsOfSpan and convertTagField; core/writer.go
 *   splitElevatedTags; tracestore/ids.go getParentSpanId), alone, a search answer's hits, or a hit a line;
 * - every command that reads trace files prints the fields it warned of: calibrate's own files and --check's.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateCommand } from '../src/cli/calibrate.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import { refusedLines } from './helpers.js';
import type { Span } from '../src/observe/span.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-trace-wrappers-'));
const write = (name: string, doc: unknown, text = JSON.stringify(doc, null, 2)): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const read = (file: string) => {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { spans, notes: r.report.fieldNotes, skipped: r.report.skipped, format: r.format };
};
const refusal = (file: string): string[] => refusedLines(() => readTraceFile(file, () => {}), file);
/** The text at a note's line:column. */
const at = (file: string, where: string): string => {
  const [line, column] = where.split(':').map(Number);
  return readFileSync(file, 'utf8').split('\n')[line - 1].slice(column - 1);
};

const T = '5b8aa5a2d2c872e8', S = '051581bf3cb55c13';
const jaegerTrace = { traceID: T, spans: [{ traceID: T, spanID: S, operationName: 'get', references: [], startTime: 1700000000000000, duration: 5000, tags: [], logs: [], processID: 'p1' }], processes: { p1: { serviceName: 'api', tags: [] } } };
const otlpResource = { resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }] }, scopeSpans: [{ spans: [{ traceId: `${T}${T}`, spanId: S, name: 'get', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000' }] }] };

describe('trace wrappers: a document\'s top level is checked like its spans', () => {
  it('a Jaeger API answer\'s errors are warned at their place (the traces it could not give are missing)', () => {
    const file = write('api-errors.json', { data: [jaegerTrace], total: 0, limit: 0, offset: 0, errors: [{ code: 404, msg: 'trace not found', traceID: '0000000000000abc' }] });
    const r = read(file);
    expect(r.spans).toHaveLength(1);
    const n = r.notes.get('Jaeger API JaegerResponse.errors')!;
    expect(n.message).toContain('Jaeger\'s API answered with an error (404 trace not found, trace 0000000000000abc)');
    expect(at(file, n.at)).toMatch(/^\[/);
    expect(readFileSync(file, 'utf8').split('\n')[Number(n.at.split(':')[0]) - 1]).toContain('"errors"');
    // An answer without errors, as the API writes one (errors null), says nothing.
    expect([...read(write('api-ok.json', { data: [jaegerTrace], total: 0, limit: 0, offset: 0, errors: null })).notes.keys()]).toEqual([]);
  });

  it('an answer that is only errors is refused with them (handleError: {"data": null, ..., "errors": [...]}; the gateway\'s {"error": ...})', () => {
    const api = write('api-only-error.json', null, '{"data":null,"total":0,"limit":0,"offset":0,"errors":[{"code":404,"msg":"trace not found"}]}');
    expect(refusal(api)).toEqual([`${api}: a Jaeger API answer with no traces: nothing to read`, expect.stringMatching(new RegExp(`^${api}:1:54: Jaeger API JaegerResponse.errors: Jaeger's API answered with an error \\(404 trace not found\\)`))]);
    const gateway = write('gateway-error.json', null, '{"error":{"httpCode":404,"message":"No traces found"}}');
    expect(refusal(gateway)[0]).toBe(`${gateway}: a Jaeger API answer with no spans: nothing to read`);
    expect(refusal(gateway)[1]).toMatch(new RegExp(`^${gateway}:1:10: Jaeger API GatewayWrapper.error: Jaeger's API answered with an error \\(404 No traces found\\)`));
  });

  it('a top-level key no format has is an error with the key meant, at its place', () => {
    const file = write('otlp-typo.json', null, '{"resourceSpan": []}');
    expect(refusal(file)).toContain(`${file}:1:18: "resourceSpan" is not a key of a trace document (Jaeger, Zipkin or OTLP JSON): not read; did you mean "resourceSpans"?`);
  });

  it('an unknown key beside the spans is warned with the key meant (OTLP TracesData, the gateway\'s result and wrapper)', () => {
    const otlp = read(write('otlp-extra.json', { resourceSpans: [otlpResource], resourceSpan: [] }));
    expect(otlp.spans).toHaveLength(1);
    expect(otlp.notes.get('OTLP TracesData.resourceSpan')?.message).toBe('"resourceSpan" is not a field of OTLP\'s TracesData: not read; did you mean "resourceSpans"?');
    const gateway = read(write('gateway-extra.json', { result: { resourceSpans: [otlpResource], resourceSpan: 1 }, results: 2 }));
    expect(gateway.spans).toHaveLength(1);
    expect(gateway.notes.get('Jaeger API GatewayResult.resourceSpan')?.message).toContain('did you mean "resourceSpans"?');
    expect(gateway.notes.get('Jaeger API GatewayWrapper.results')?.message).toContain('did you mean "result"?');
  });

  it('jaeger-ui\'s state of a loaded trace: its id and state are FetchedTrace\'s, a fetch not done is warned', () => {
    expect([...read(fixture('jaeger-ui-state-trace.json')).notes.keys()]).toEqual([]);
    const state = JSON.parse(readFileSync(fixture('jaeger-ui-state-trace.json'), 'utf8'));
    const loading = read(write('ui-loading.json', { ...state, state: 'FETCH_LOADING' }));
    expect(loading.notes.get('Jaeger UI UiFetchedTrace.state')?.message).toContain('FETCH_LOADING, not FETCH_DONE');
  });
});

describe('trace wrappers: a span\'s process is counted once', () => {
  // jaeger-ui's state with process tags: each span's process is the trace's processes[processID], copied.
  const state = JSON.parse(readFileSync(fixture('jaeger-ui-state-trace.json'), 'utf8'));
  for (const p of Object.values(state.data.processes) as { tags: unknown[] }[]) p.tags = [{ key: 'hostname', type: 'string', value: 'h1' }];
  for (const s of state.data.spans) s.process = state.data.processes[s.processID];

  it('the UI\'s copy in each span is not counted again with the trace\'s processes (2 processes, 4 spans: 2, not 6)', () => {
    const file = write('ui-state-tags.json', state);
    const n = read(file).notes.get('Jaeger Process.tags')!;
    expect(n.count).toBe(2);
    expect(at(file, n.at)).toMatch(/^"tags"/);
    // The same trace in the API's list form (data: [trace]), spans streamed one at a time.
    expect(read(write('list-state-tags.json', { data: [state.data] })).notes.get('Jaeger Process.tags')!.count).toBe(2);
  });

  it('a span whose trace has no process of its id keeps its own: warned for each span', () => {
    const spans = state.data.spans.map((s: object) => ({ ...s, processID: 'elsewhere' }));
    const file = write('no-processes.json', { data: [{ traceID: state.data.traceID, spans }] });
    const n = read(file).notes.get('Jaeger Process.tags')!;
    expect(n.count).toBe(4);
    expect(at(file, n.at)).toMatch(/^"tags"/);
  });
});

describe('trace wrappers: Jaeger\'s Elasticsearch and OpenSearch documents', () => {
  // jaeger internal/storage/v2/elasticsearch/tracestore/fixtures/es_01.json (byte-exact): a dbmodel Span.
  const docText = readFileSync(fixture('jaeger-es-dbmodel-span.json'), 'utf8');
  const doc = JSON.parse(docText);
  /** The document as the writer keeps it with es.tags-as-fields.all: every tag but binary ones a field, dots as "@" (writer.go splitElevatedTags). */
  const asFields = (d: typeof doc) => {
    const split = (tags: { key: string; type: string; value: unknown }[]) => {
      const tag: Record<string, unknown> = {};
      for (const t of tags) if (t.type !== 'binary') tag[t.key.replaceAll('.', '@')] = t.value;
      return { tags: tags.filter((t) => t.type === 'binary'), tag };
    };
    return { ...d, ...split(d.tags), process: { serviceName: d.process.serviceName, ...split(d.process.tags) } };
  };

  it('a span document is read as Jaeger\'s reader reads it: startTimeMillis is the index\'s, not unknown; parentSpanID is the parent', () => {
    const r = read(fixture('jaeger-es-dbmodel-span.json'));
    expect(r.format).toBe('jaeger');
    expect(r.spans).toHaveLength(1);
    const s = r.spans[0];
    expect([s.spanId, s.parentId, s.service, s.error]).toEqual(['0000000000000002', '0000000000000003', 'service-x', true]);
    expect(s.attributes).toMatchObject({ 'peer.service': 'service-y', 'peer.ipv4': 23456, temperature: 72.5, error: true });
    expect([...r.notes.keys()]).toEqual(['Jaeger (Elasticsearch) Process.tags']);
  });

  it('tags kept as fields (tag, "@" for dots) are read as tags, as mergeAllNestedAndElevatedTagsOfSpan merges them', () => {
    const nested = read(fixture('jaeger-es-dbmodel-span.json')).spans[0];
    const withKind = { ...doc, tags: [...doc.tags, { key: 'span.kind', type: 'string', value: 'server' }, { key: 'http.response.status_code', type: 'int64', value: 503 }] };
    const file = write('es-fields.json', asFields(withKind));
    const r = read(file);
    const s = r.spans[0];
    expect(JSON.parse(readFileSync(file, 'utf8')).tag).toHaveProperty('span@kind', 'server');
    expect(s.attributes).toEqual({ ...nested.attributes, 'span.kind': 'server', 'http.response.status_code': 503 });
    expect(s.kind).toBe('server');
    // Process tags kept as fields are warned as process tags are, at their place.
    const n = r.notes.get('Jaeger (Elasticsearch) Process.tag')!;
    expect(at(file, n.at)).toMatch(/^"tag"/);
  });

  it('parentSpanID comes before the references (tracestore/ids.go getParentSpanId)', () => {
    const s = read(write('es-parent.json', { ...doc, parentSpanID: '0000000000000004' })).spans[0];
    expect([s.parentId, s.follows]).toEqual(['0000000000000004', true]);
  });

  it('a search answer\'s hits and elasticdump\'s hit a line are read; failed shards are warned; a hit of another index is skipped', () => {
    const search = write('es-search.json', {
      took: 3, timed_out: false, _shards: { total: 5, successful: 4, skipped: 0, failed: 1 },
      hits: { total: { value: 2, relation: 'eq' }, max_score: 1, hits: [{ _index: 'jaeger-span-2017-01-26', _id: 'a', _score: 1, _source: asFields(doc) }, { _index: 'jaeger-service-2017-01-26', _id: 'b', _score: 1, _source: { serviceName: 'service-x', operationName: 'x' } }] },
    });
    const r = read(search);
    expect(r.spans.map((s) => [s.spanId, s.service, s.error])).toEqual([['0000000000000002', 'service-x', true]]);
    expect(r.notes.get('Elasticsearch EsShards.failed')?.message).toContain('1 shards failed');
    expect([...r.skipped.keys()]).toEqual([expect.stringContaining('an Elasticsearch hit whose _source is no span of Jaeger\'s span index')]);
    const dump = write('es-dump.json', null, [doc, asFields(doc)].map((d, i) => JSON.stringify({ _index: 'jaeger-span-2017-01-26', _type: 'span', _id: `x${i}`, _score: 1, _source: { ...d, spanID: `000000000000000${i + 5}` } })).join('\n') + '\n');
    const lines = read(dump);
    expect(lines.spans.map((s) => [s.spanId, s.attributes.error])).toEqual([['0000000000000005', true], ['0000000000000006', true]]);
    expect(at(dump, lines.notes.get('Jaeger (Elasticsearch) Process.tag')!.at)).toMatch(/^"tag"/);
  });
});

describe('trace wrappers: --check prints the warnings of the files it reads, as calibrate prints its own', () => {
  const spans = (extra: object) => Array.from({ length: 40 }, (_, i) => ({
    traceId: (i + 1).toString(16).padStart(16, '0'), id: 'a'.padStart(16, '0'), name: 'get', kind: 'SERVER', timestamp: 1700000000000000 + i * 1000, duration: 100 + i,
    localEndpoint: { serviceName: 'api', ...extra },
  }));

  it('a checked file\'s fields are warned once each, with file:line:column and counts; a file given to both is warned once', () => {
    const base = write('check-base.json', spans({})), checked = write('check-addressed.json', spans({ ipv4: '10.0.0.1' }));
    const warnings: string[] = [];
    calibrateCommand([base], { check: [checked], resamples: '0', quiet: true }, () => {}, (w) => warnings.push(w));
    expect(warnings.filter((w) => w.includes('Zipkin '))).toEqual([
      expect.stringMatching(new RegExp(`^warning: ${checked}:\\d+:\\d+: Zipkin LocalEndpoint\\.ipv4: .* \\(40 times in the file; the first here\\)$`)),
    ]);
    const again: string[] = [];
    calibrateCommand([checked], { check: [checked], resamples: '0', quiet: true }, () => {}, (w) => again.push(w));
    expect(again.filter((w) => w.includes('Zipkin '))).toHaveLength(1);
  });
});
