/**
 * Trace and span ids as Zipkin and Jaeger keep them, so that a trace joins across files of any format as Zipkin
 * joins it: openzipkin/zipkin zipkin2/Span.java normalizeTraceId, Builder.id and Builder.parentId (and its
 * SpanTest.java vectors), its server's default `zipkin.storage.strict-trace-id: true` (zipkin-server
 * ZipkinConfiguration.java; StorageComponent.java strictTraceId: two 128-bit ids that share their lower 64 bits are
 * two traces); jaegertracing/jaeger-idl model/v1/ids.go TraceIDFromString and TraceID.String.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { readTraceFile, readTraceFiles } from '../src/interop/traces/read.js';
import { hexSpanId, hexTraceId, type Span } from '../src/observe/span.js';
import { zipkinSpanId, zipkinTraceId } from '../src/interop/traces/zipkin.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-trace-ids-'));
const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const write = (name: string, doc: unknown) => {
  const f = join(dir, name);
  writeFileSync(f, JSON.stringify(doc));
  return f;
};

describe('ids as Zipkin and Jaeger keep them', () => {
  it.each([
    // zipkin2/SpanTest.java: normalizeTraceId_truncates64BitZeroPrefix, _padsTo64, _padsTo128, traceId128
    ['0000000000000000000000000000162e', '000000000000162e'],
    ['162e', '000000000000162e'],
    ['4d2000000000000162e', '00000000000004d2000000000000162e'],
    ['463ac35c9f6413ad48485a3953bb6124', '463ac35c9f6413ad48485a3953bb6124'],
    // Refused: normalizeTraceId_badCharacters, traceId_uuidInvalid, traceId_zerosInvalid, longer than 32 digits.
    ['000-0000000004d20000000ss000162e', null],
    ['5aab74db-b904-746b-b334-47baae403ed6', null],
    ['0000000000000000', null],
    ['1463ac35c9f6413ad48485a3953bb6124', null],
  ])('trace id %s is %s', (id, want) => {
    expect(hexTraceId(id)).toBe(want);
  });

  it('span ids: padded left to 16 digits (SpanTest idFromLong, parentIdFromLong), refused past 16 or when not hex', () => {
    expect(hexSpanId('cafebabe')).toBe('00000000cafebabe');
    expect(hexSpanId('7FFFFFFFFFFFFFFF')).toBe('7fffffffffffffff');
    expect(hexSpanId('17digits00000000a')).toBeNull();
    expect(hexSpanId('10000000000000000')).toBeNull();
  });
});

describe('a trace joins across files as Zipkin joins it', () => {
  // zipkin-lens/testdata/messaging.json: a 128-bit trace whose root span id is the trace id's lower 64 bits.
  const messaging = fixture('zipkin-messaging-128.json');
  const otlpSpan = (traceId: string, spanId: string, parentSpanId: string, name: string) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'backend-worker' } }] },
    scopeSpans: [{ spans: [{ traceId, spanId, parentSpanId, name, kind: 2, startTimeUnixNano: '1521186011929200000', endTimeUnixNano: '1521186011929300000' }] }],
  });

  it('a 32-digit id joins the same id in OTLP; an id of only its lower 64 bits is another trace (strict-trace-id)', () => {
    const otlp = write('worker.otlp.json', { resourceSpans: [otlpSpan('5aab74dbb904746bb33447baae403ed6', '1111111111111111', '4ad2db84ac76def7', 'store')] });
    // A tool that keeps 64-bit ids, passed the same trace: Zipkin's server keeps it apart unless strict-trace-id is false.
    const truncated = write('legacy.zipkin.json', [{ traceId: 'b33447baae403ed6', id: '2222222222222222', parentId: '05e3ac9a4f6e3b90', kind: 'SERVER', name: 'audit', timestamp: 1521186011928000, duration: 10, localEndpoint: { serviceName: 'audit' } }]);
    const traces = new Map<string, string[]>();
    readTraceFiles([messaging, otlp, truncated], (spans) => traces.set(spans[0].traceId, spans.map((s) => s.name).sort()));
    expect(Object.fromEntries(traces)).toEqual({
      '5aab74dbb904746bb33447baae403ed6': ['get /', 'next-message', 'on-message', 'publish', 'store'],
      'b33447baae403ed6': ['audit'],
    });
    // Said, naming both, with the server's switch that would join them.
    expect(calibrateFiles([messaging, otlp, truncated]).warnings.filter((w) => w.includes('lower 64 bits'))).toEqual([
      'trace ids that share their lower 64 bits: 5aab74dbb904746bb33447baae403ed6 and b33447baae403ed6; a library that keeps 64-bit ids may have cut one. ' +
      'They are read as two traces each, as Zipkin keeps them by default (its server joins them only with STRICT_TRACE_ID=false)',
    ]);
    expect(calibrateFiles([messaging, otlp]).warnings.filter((w) => w.includes('lower 64 bits'))).toEqual([]);
  });

  it('a 32-digit id whose upper 16 digits are zero is its lower 16: Zipkin\'s, OTLP\'s and Jaeger\'s spans of a 64-bit trace join', () => {
    const root = write('root.zipkin.json', [{ traceId: '000000000000000048485a3953bb6124', id: '48485a3953bb6124', kind: 'SERVER', name: 'get /', timestamp: 1700000000000000, duration: 5000, localEndpoint: { serviceName: 'frontend' } }]);
    // OpenTelemetry pads a 64-bit B3 or Jaeger trace id to 32 digits with zeros; OTLP ids are always 32.
    const otlp = write('cart.otlp.json', { resourceSpans: [{ ...otlpSpan('000000000000000048485a3953bb6124', 'aaaaaaaaaaaaaaaa', '48485a3953bb6124', 'get cart'), resource: { attributes: [{ key: 'service.name', value: { stringValue: 'cart' } }] } }] });
    const zipkin64 = write('db.zipkin.json', [{ traceId: '48485a3953bb6124', id: 'bbbbbbbbbbbbbbbb', parentId: 'aaaaaaaaaaaaaaaa', kind: 'SERVER', name: 'select', timestamp: 1700000000001000, duration: 100, localEndpoint: { serviceName: 'db' } }]);
    const jaeger = write('pricing.jaeger.json', { data: [{ traceID: '48485a3953bb6124', spans: [{ traceID: '48485a3953bb6124', spanID: 'cccccccccccccccc', operationName: 'price', references: [{ refType: 'CHILD_OF', traceID: '000000000000000048485a3953bb6124', spanID: '48485a3953bb6124' }], startTime: 1700000000002000, duration: 100, tags: [{ key: 'span.kind', type: 'string', value: 'server' }], processID: 'p1' }], processes: { p1: { serviceName: 'pricing' } } }] });
    const files = [root, otlp, zipkin64, jaeger];
    const traces: Span[][] = [];
    readTraceFiles(files, (spans) => traces.push(spans));
    expect(traces.map((t) => [t[0].traceId, t.map((s) => s.service).sort()])).toEqual([['48485a3953bb6124', ['cart', 'db', 'frontend', 'pricing']]]);
    const c = calibrateFiles(files);
    expect(c.warnings.filter((w) => w.startsWith('orphan'))).toEqual([]);
    expect(c.analysis.journeys.size).toBe(1);
  });

  it('skips and counts Zipkin spans whose ids Zipkin refuses: not hex, too long, all zeros', () => {
    const span = (traceId: string, id: string, parentId?: string) => ({ traceId, id, ...(parentId ? { parentId } : {}), name: 'op', timestamp: 1700000000000000, duration: 5, localEndpoint: { serviceName: 'a' } });
    const f = write('bad-ids.zipkin.json', [
      span('48485a3953bb6124', '01'),
      span('5aab74db-b904-746b-b334-47baae403ed6', '02'),
      span('48485a3953bb6124', '0000000000000000'),
      span('48485a3953bb6124', '03', '10000000000000000'),
      span('00000000000000000000000000000000', '04'),
      // Upper-case hex: "should be lower-hex encoded with no prefix" (Span.java validateHexAndReturnZeroPrefix).
      span('48485A3953BB6124', '05'),
      span('48485a3953bb6124', '0A'),
    ]);
    const r = readTraceFile(f, () => {});
    expect(r.report.spans).toBe(1);
    expect(Object.fromEntries(r.report.skipped)).toEqual({ 'a span whose traceId, id or parentId is not lower-case hex as Zipkin reads it (1 to 32, 16 and 16 digits, not all zeros)': 6 });
  });
});

describe('each format\'s own rule for a trace id of 17 to 31 digits whose upper 64 bits are zeros', () => {
  it.each([
    // zipkin2/SpanTest.java normalizeTraceId_truncates64BitZeroPrefix, _padsTo64, _padsTo128: Zipkin pads 17 to 31
    // digits to 32 and trims only an id of exactly 32; Jaeger's TraceIDFromString splits off the lower 16 digits and
    // TraceID.String writes 16 when the upper 64 bits are zero (jaeger-idl model/v1/ids.go).
    ['0000000000000000000000000000162e', '000000000000162e', '000000000000162e'],
    ['162e', '000000000000162e', '000000000000162e'],
    ['4d2000000000000162e', '00000000000004d2000000000000162e', '00000000000004d2000000000000162e'],
    ['0048485a3953bb6124', '000000000000000048485a3953bb6124', '48485a3953bb6124'],
    ['000000000000000000000048485a3953bb6124'.slice(7), '000000000000000048485a3953bb6124', '48485a3953bb6124'],
    // Upper case: Zipkin refuses it (validateHexAndReturnZeroPrefix); Go's ParseUint reads it.
    ['48485A3953BB6124', null, '48485a3953bb6124'],
  ])('%s: Zipkin %s, Jaeger %s', (id, zipkin, jaeger) => {
    expect(zipkinTraceId(id)).toBe(zipkin);
    expect(hexTraceId(id)).toBe(jaeger);
  });

  it('span ids: Zipkin pads lower-case hex to 16 digits and refuses only 16 zeros as an id (Builder.id: zeros == 16)', () => {
    expect(zipkinSpanId('c26551047c72d19')).toBe('0c26551047c72d19');
    expect(zipkinSpanId('C26551047C72D19')).toBeNull();
  });

  it('a Zipkin file\'s 18-digit id and a Jaeger file\'s same id are two traces, as Zipkin keeps them, warned with where', () => {
    const zipkin = write('padded.zipkin.json', [{ traceId: '0048485a3953bb6124', id: '48485a3953bb6124', kind: 'SERVER', name: 'get /', timestamp: 1700000000000000, duration: 5000, localEndpoint: { serviceName: 'frontend' } }]);
    const jaeger = write('padded.jaeger.json', { data: [{ traceID: '0048485a3953bb6124', spans: [{ traceID: '0048485a3953bb6124', spanID: 'cccccccccccccccc', operationName: 'price', references: [], startTime: 1700000000002000, duration: 100, processID: 'p1' }], processes: { p1: { serviceName: 'pricing' } } }] });
    const traces: string[] = [];
    readTraceFiles([zipkin, jaeger], (spans) => traces.push(`${spans[0].traceId} ${spans.map((x) => x.service).join()}`));
    expect(traces.sort()).toEqual(['000000000000000048485a3953bb6124 frontend', '48485a3953bb6124 pricing']);
    expect(calibrateFiles([zipkin, jaeger]).warnings.filter((w) => w.includes('normalizeTraceId'))).toEqual([
      `${zipkin}:1:2: Zipkin trace id "0048485a3953bb6124" (18 digits) read as Zipkin keeps it, 000000000000000048485a3953bb6124 (normalizeTraceId pads 17 to 31 digits to 32): ` +
      'its upper 64 bits are zeros, so Jaeger and OTLP spell the same trace 48485a3953bb6124, which Zipkin keeps apart (spans of it in those files are another trace)',
    ]);
  });
});

describe('an OTLP parentSpanId that is no id is refused, not read as a root', () => {
  // opentelemetry-collector pdata internal/data id.go unmarshalJSON: an empty id is the zero id (no parent); a wrong
  // length is "invalid length for ID" and bad hex "cannot unmarshal ID", refusing the request.
  it('skips and counts the span, and keeps an empty or all-zero parent as a root', () => {
    const span = (spanId: string, parentSpanId?: string) => ({
      traceId: '5b8efff798038103d269b633813fc60c', spanId, ...(parentSpanId !== undefined ? { parentSpanId } : {}), name: 'op', kind: 2,
      startTimeUnixNano: '1544712660000000000', endTimeUnixNano: '1544712661000000000',
    });
    const f = write('parents.otlp.json', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ spans: [
      span('eee19b7ec3c1b174', ''), span('eee19b7ec3c1b175', '0000000000000000'), span('eee19b7ec3c1b176', 'eee19b7ec3c1b174'),
      span('eee19b7ec3c1b177', 'eee19b7ec3c1b1'), span('eee19b7ec3c1b178', 'not-a-span-id!!!'),
    ] }] }] });
    const spans: Span[] = [];
    const r = readTraceFile(f, (t) => spans.push(...t));
    expect(spans.map((s) => [s.spanId, s.parentId])).toEqual([['eee19b7ec3c1b174', null], ['eee19b7ec3c1b175', null], ['eee19b7ec3c1b176', 'eee19b7ec3c1b174']]);
    expect(Object.fromEntries(r.report.skipped)).toEqual({ 'a span whose parentSpanId is not 8 bytes in hex or base64': 2 });
  });
});
