/**
 * Jaeger's protobuf model as JSON (jaegertracing/jaeger-idl proto/api_v2/model.proto, gogo jsonpb) is read as the
 * UI's JSON that jaeger-query makes of it (jaegertracing/jaeger internal/uimodel/converter/v1/json/from_domain.go).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { protoDurationMicroseconds, rfc3339Microseconds } from '../src/interop/traces/jaeger-proto.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const read = (file: string) => {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { r, spans };
};
const dir = mkdtempSync(join(tmpdir(), 'rehearse-jaeger-proto-'));
const write = (name: string, doc: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
};

describe('Jaeger\'s protobuf model as JSON', () => {
  it('reads as the UI JSON jaeger-query makes of it: from_domain.go\'s own pair of fixtures (domain_01.json, ui_01.json) give the same spans', () => {
    const proto = read(fixture('jaeger-proto-uimodel.json'));
    const ui = read(fixture('jaeger-ui-uimodel.json'));
    expect(proto.r.format).toBe('jaeger');
    expect(Object.fromEntries(proto.r.report.skipped)).toEqual({});
    expect(proto.spans).toEqual(ui.spans);
    // Nanoseconds cut to microseconds (model.TimeAsEpochMicroseconds), "5000ns" as 5 us, a BINARY tag as its base64
    // text, the CHILD_OF reference to another trace passed over for the one in this trace.
    expect(proto.spans.map((s) => [s.spanId, s.parentId, s.service, s.startUs, s.durationUs, s.error])).toEqual([
      ['0000000000000002', null, 'service-x', 1485467191639875, 5, false],
      ['0000000000000002', null, 'service-x', 1485467191639875, 5, true],
      ['0000000000000003', '0000000000000002', 'service-y', 1485467191639875, 5, false],
      ['0000000000000004', '0000000000000002', 'service-y', 1485467191639875, 5, false],
      ['0000000000000005', '0000000000000004', 'service-y', 1485467191639875, 4, false],
    ]);
    expect(proto.spans[1].attributes).toMatchObject({ 'peer.ipv4': 23456, temperature: 72.5, blob: 'AAAwOQ==' });
  });

  it('jaeger converter fixture domain_02.json: base64 ids, an RFC 3339 time with its offset, "22938000ns", CHILD_OF and FOLLOWS_FROM', () => {
    const { r, spans } = read(fixture('jaeger-proto-model.json'));
    expect(Object.fromEntries(r.report.skipped)).toEqual({});
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentId, s.follows, s.service, s.name, s.startUs, s.durationUs])).toEqual([
      ['52969a8955571a3f', '0000000000647d98', '000000000068c4e3', false, 'api', 'get', 1485467191639875, 22938],
      ['52969a8955571a3f', '0000000000647d99', '000000000068c4e3', true, 'api', 'get', 1485467191639875, 22938],
    ]);
  });

  it('proto3 defaults and jsonpb\'s names: no refType is CHILD_OF, no vType is STRING, processId in processMap, snake_case names, "0.001s"', () => {
    const f = write('defaults.json', {
      spans: [
        { traceId: 'AAAAAAAAAAEAAAAAAAAAAg==', spanId: 'AAAAAAAAAAE=', operationName: 'GET /', startTime: '2024-01-01T00:00:00Z', duration: '0.001s', processId: 'p1' },
        {
          trace_id: 'AAAAAAAAAAEAAAAAAAAAAg==', span_id: 'AAAAAAAAAAI=', operation_name: 'db', start_time: '2024-01-01T00:00:00.000250999Z', duration: '1.5ms', process_id: 'p2',
          references: [{ traceId: 'AAAAAAAAAAEAAAAAAAAAAg==', spanId: 'AAAAAAAAAAE=' }],
          tags: [{ key: 'span.kind', vStr: 'client' }, { key: 'http.status_code', vType: 'INT64', vInt64: '503' }, { key: 'ok', vType: 1, vBool: true }],
        },
      ],
      processMap: [{ processId: 'p1', process: { serviceName: 'web' } }, { processId: 'p2', process: { serviceName: 'db-client' } }],
    });
    const { r, spans } = read(f);
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentId, s.service, s.kind, s.startUs, s.durationUs, s.error, s.attributes])).toEqual([
      ['00000000000000010000000000000002', '0000000000000001', null, 'web', 'unspecified', 1704067200000000, 1000, false, {}],
      ['00000000000000010000000000000002', '0000000000000002', '0000000000000001', 'db-client', 'client', 1704067200000250, 1500, true, { 'span.kind': 'client', 'http.status_code': 503, ok: true }],
    ]);
    expect(Object.fromEntries(r.report.failedByCode)).toEqual({ 'HTTP 503 on a client span': 1 });
  });

  it('a span whose ids, times or tags the model does not allow is skipped and counted, saying why', () => {
    const span = { traceId: 'AAAAAAAAAAEAAAAAAAAAAg==', spanId: 'AAAAAAAAAAE=', startTime: '2024-01-01T00:00:00Z', duration: '1s', process: { serviceName: 'a' } };
    const f = write('bad.json', {
      spans: [
        span,
        { ...span, spanId: '0000000000000002' },
        { ...span, spanId: 'AAAAAAAAAAI=', startTime: 1704067200000000 },
        { ...span, spanId: 'AAAAAAAAAAM=', duration: '1 second' },
        { ...span, spanId: 'AAAAAAAAAAQ=', tags: [{ key: 'n', vType: 'INT64', vInt64: 'many' }] },
        { ...span, spanId: 'AAAAAAAAAAU=', references: [{ refType: 'PARENT', traceId: span.traceId, spanId: span.spanId }] },
      ],
    });
    const { r, spans } = read(f);
    expect(spans.map((s) => s.spanId)).toEqual(['0000000000000001']);
    expect(Object.fromEntries(r.report.skipped)).toEqual({
      'a span of Jaeger\'s protobuf model whose traceId or spanId is not base64 of 16 or 8 bytes (jaeger-idl model/v1/ids.go)': 1,
      'a span of Jaeger\'s protobuf model whose startTime is not RFC 3339 or whose duration is not a Go duration ("0.001s")': 2,
      'a span of Jaeger\'s protobuf model with a tag "n" whose value is not of its vType INT64': 1,
      'a span of Jaeger\'s protobuf model with a reference that is not one (refType CHILD_OF or FOLLOWS_FROM, ids in base64)': 1,
    });
  });

  it('times as gogo jsonpb reads them (time.RFC3339Nano, time.ParseDuration), cut to the microsecond', () => {
    expect(rfc3339Microseconds('2017-01-26T16:46:31.639875139-05:00')).toBe(1485467191639875);
    expect(rfc3339Microseconds('2017-01-26T21:46:31.6Z')).toBe(1485467191600000);
    expect(rfc3339Microseconds('2017-02-30T00:00:00Z')).toBeNull();
    expect(rfc3339Microseconds('2017-01-26 21:46:31Z')).toBeNull();
    expect(protoDurationMicroseconds('0.022938s')).toBe(22938);
    expect(protoDurationMicroseconds('1999ns')).toBe(1);
    expect(protoDurationMicroseconds('1h')).toBe(3_600_000_000);
    expect(protoDurationMicroseconds('22938000')).toBeNull();
  });

  it('a batch\'s process is its spans\' when they name none (model.proto Batch, as Jaeger\'s collector sets span.Process)', () => {
    const f = write('batch.json', { spans: [{ traceId: 'AAAAAAAAAAEAAAAAAAAAAg==', spanId: 'AAAAAAAAAAE=', startTime: '2024-01-01T00:00:00Z', duration: '1s' }], process: { serviceName: 'api' } });
    expect(read(f).spans.map((s) => s.service)).toEqual(['api']);
  });

  it('Jaeger\'s Thrift model as JSON (thrift_batch_01.json\'s shape: int64 ids as numbers) is refused saying what it is', () => {
    const f = write('thrift.json', { process: { serviceName: 'api' }, spans: [{ traceIdLow: 5951113872249657919, spanId: 6585752, parentSpanId: 6866147, operationName: 'get', startTime: 1485467191639875, duration: 22938 }] });
    expect(() => read(f)).toThrow('a span of Jaeger\'s Thrift model (traceIdLow, traceIdHigh and spanId as numbers): not read');
  });
});

describe('one Jaeger span as the whole document', () => {
  it('as Jaeger\'s Elasticsearch storage keeps it (uimodel fixtures es_01.json): read with its process, not "no trace format found"', () => {
    const { r, spans } = read(fixture('jaeger-es-span.json'));
    expect(r.format).toBe('jaeger');
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentId, s.service, s.name, s.startUs, s.durationUs])).toEqual([
      ['0000000000000001', '0000000000000002', '0000000000000003', 'service-x', 'test-general-conversion', 1485467191639875, 5],
    ]);
  });
});

describe('api_v2\'s GetTrace stream: a trace in chunks (SpansResponseChunk, jaeger-idl proto/api_v2/query.proto)', () => {
  const whole = JSON.parse(readFileSync(fixture('jaeger-proto-uimodel.json'), 'utf8')) as { spans: unknown[] };
  const chunks = [{ spans: whole.spans.slice(0, 2) }, { spans: whole.spans.slice(2) }];

  it('chunks one after another (as grpcurl prints them) or as grpc-gateway streams them ({"result": chunk} a line) are one trace', () => {
    const printed = join(dir, 'grpcurl.json');
    writeFileSync(printed, chunks.map((c) => JSON.stringify(c, null, 2)).join('\n'));
    const gateway = join(dir, 'gateway.json');
    writeFileSync(gateway, chunks.map((c) => JSON.stringify({ result: c })).join('\n'));
    const one = read(fixture('jaeger-proto-uimodel.json')).spans;
    for (const f of [printed, gateway]) {
      const { r, spans } = read(f);
      expect({ traces: r.traces, documents: r.documents }).toEqual({ traces: 1, documents: 2 });
      expect(spans).toEqual(one);
    }
  });
});

