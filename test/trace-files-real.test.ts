/**
 * Real trace files from the vendors' own repositories (test/fixtures/traces/README.md names their sources) that
 * were read as something else or refused without saying why.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { readNoteLines } from '../src/calibrate/read-notes.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { load, structure } from './roundtrip-helpers.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const read = (f: string) => {
  const spans: Span[] = [];
  const r = readTraceFile(fixture(f), (t) => spans.push(...t));
  return { r, spans };
};

describe('real trace files', () => {
  it('a Jaeger trace held as data\'s object, not in a list (jaeger-ui TraceFlamegraph/testTrace.json): its spans, not 8 "traces without spans"', () => {
    const { r, spans } = read('jaeger-ui-state-trace.json');
    expect(r.format).toBe('jaeger');
    expect(Object.fromEntries(r.report.skipped)).toEqual({});
    expect(spans.map((s) => [s.service, s.name, s.parentId])).toEqual([
      ['load-generator', 'OrderVehicle', null],
      ['load-generator', 'HTTP GET', '487f03177ef9cf89'],
      ['ride-sharing-app', 'BikeHandler', 'd81ccf159d71bc66'],
      ['ride-sharing-app', 'FindNearestVehicle', '3d4670fa91902216'],
    ]);
    expect(structure(load(calibrateFiles([fixture('jaeger-ui-state-trace.json')]).yaml))['load-generator.OrderVehicle']).toEqual(['ride-sharing-app.BikeHandler']);
  });

  it('one Zipkin span, the document itself (zipkin benchmarks zipkin2-client.json, what SpanBytesDecoder decodeOne reads): read, not "no trace format found"', () => {
    const { r, spans } = read('zipkin-one-span.json');
    expect(r.format).toBe('zipkin');
    expect(spans.map((s) => [s.traceId, s.spanId, s.parentId, s.kind, s.service, s.remoteService, s.name, s.durationUs])).toEqual([
      ['4d1e00c0db9010db86154a4ba6e91385', '4d1e00c0db9010db', '86154a4ba6e91385', 'client', 'frontend', 'backend', 'get', 207000],
    ]);
  });
});

describe('a Zipkin span reported in parts is merged as Zipkin merges it (zipkin2/internal/Trace.java merge)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-zipkin-parts-'));
  // zipkin2/internal/TraceTest.java doesntMergeSharedSpansOnDifferentIPs: Brave flushed a client span not yet
  // finished (its timestamp and a "brave.flush" annotation), then reported its duration alone; Zipkin merges the
  // two and leaves the backend's shared server span apart.
  const span = (id: string, parentId: string | null, kind: string, service: string, extra: object) =>
    ({ traceId: '000000000000000a', ...(parentId ? { parentId } : {}), id, kind, name: 'get', localEndpoint: { serviceName: service }, ...extra });
  const trace = [
    span('000000000000000a', null, 'SERVER', 'frontend', { timestamp: 1_700_000_000_000_000, duration: 100_000 }),
    span('000000000000000b', '000000000000000a', 'CLIENT', 'frontend', { timestamp: 1_700_000_000_010_000, annotations: [{ timestamp: 1_700_000_000_030_000, value: 'brave.flush' }] }),
    span('000000000000000b', '000000000000000a', 'SERVER', 'backend', { shared: true, timestamp: 1_700_000_000_020_000, duration: 5_000 }),
    span('000000000000000b', '000000000000000a', 'CLIENT', 'frontend', { duration: 50_000, tags: { 'http.path': '/api' } }),
  ];

  it('the part without a timestamp gives the flushed client span its duration and tags', () => {
    const f = join(dir, 'parts.json');
    writeFileSync(f, JSON.stringify(trace));
    const spans: Span[] = [];
    const r = readTraceFile(f, (t) => spans.push(...t));
    expect(spans.map((s) => [s.service, s.kind, s.shared, s.startUs, s.durationUs, s.attributes['http.path'] ?? null, s.events.map((e) => e.name)])).toEqual([
      ['frontend', 'server', false, 1_700_000_000_000_000, 100_000, null, []],
      ['frontend', 'client', false, 1_700_000_000_010_000, 50_000, '/api', ['brave.flush']],
      ['backend', 'server', true, 1_700_000_000_020_000, 5_000, null, []],
    ]);
    expect({ merged: r.report.merged, spans: r.report.spans, skipped: r.report.skippedTotal }).toEqual({ merged: 1, spans: 3, skipped: 0 });
    expect(readNoteLines([{ file: f, report: r.report }])).toEqual([
      'parts.json: 1 span part without a timestamp merged into the part of the same span with one, as Zipkin merges a span reported in parts (zipkin2/internal/Trace.java merge)',
    ]);
  });

  it('a part whose span Zipkin would not merge it into (another service, or the shared server side) is skipped and counted', () => {
    // As in zipkin-lens/testdata/smartthings-mobile-web-install.json: a part of platformapi's span "b" whose parts
    // with a timestamp are strongman's client and platformapi's shared server.
    const f = join(dir, 'apart.json');
    writeFileSync(f, JSON.stringify([trace[0], trace[2], { ...trace[3], kind: undefined, localEndpoint: { serviceName: 'backend' } }]));
    const r = readTraceFile(f, () => {});
    expect({ merged: r.report.merged, spans: r.report.spans, skipped: Object.fromEntries(r.report.skipped) }).toEqual({
      merged: 0, spans: 2, skipped: { 'a span without a timestamp, and no part of it (its id, shared flag and service) with one': 1 },
    });
    // Warned where the part is: file, line and column.
    const lines = join(dir, 'apart-lines.json');
    writeFileSync(lines, `[\n${[trace[0], { ...trace[3], kind: undefined, localEndpoint: { serviceName: 'backend' } }, trace[2]].map((x) => JSON.stringify(x)).join(',\n')}\n]\n`);
    expect(calibrateFiles([lines]).warnings).toContain(`${lines}:3:1: skipped 1 a span without a timestamp, and no part of it (its id, shared flag and service) with one`);
  });

  it('a merged span fails by its status code once, read on its parts\' tags and kind together', () => {
    // Both parts carry the 503 (a tracer that flushed its tags twice): one failed span, counted once, not twice.
    const twice = join(dir, 'twice.json');
    writeFileSync(twice, JSON.stringify([
      trace[0],
      { ...trace[1], tags: { 'http.status_code': '503' } },
      { ...trace[3], tags: { 'http.status_code': '503' } },
    ]));
    const spans: Span[] = [];
    const r = readTraceFile(twice, (t) => spans.push(...t));
    expect(spans.map((s) => [s.kind, s.error])).toEqual([['server', false], ['client', true]]);
    expect(Object.fromEntries(r.report.failedByCode)).toEqual({ 'HTTP 503 on a client span': 1 });
    // The 404 comes on a part without a kind, the kind on the part with the timestamp: on the merged client span it
    // is an error (a 404 fails a client span, not one of no kind), as on the span Zipkin shows.
    const apart = join(dir, 'kind-apart.json');
    writeFileSync(apart, JSON.stringify([trace[0], trace[1], { ...trace[3], kind: undefined, tags: { 'http.status_code': '404' } }]));
    const merged: Span[] = [];
    const r2 = readTraceFile(apart, (t) => merged.push(...t));
    expect(merged.map((s) => [s.kind, s.error])).toEqual([['server', false], ['client', true]]);
    expect(Object.fromEntries(r2.report.failedByCode)).toEqual({ 'HTTP 404 on a client span': 1 });
  });
});

describe('Zipkin fields Zipkin\'s own reader refuses are refused (openzipkin/zipkin zipkin2/internal/V2SpanReader.java)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-zipkin-fields-'));
  const span = (id: string, extra: object) => ({ traceId: '000000000000000a', id, name: 'get', timestamp: 1_700_000_000_000_000, duration: 5, localEndpoint: { serviceName: 'a' }, ...extra });

  it('a kind not of Span.Kind, a tag that is null, true or a list, an annotation without its timestamp or value; a number tag is its text', () => {
    const f = join(dir, 'fields.json');
    writeFileSync(f, JSON.stringify([
      span('01', { kind: 'CLIENT', tags: { 'http.status_code': 503, peer: 'b' }, annotations: [{ timestamp: 1_700_000_000_000_001, value: 'ws' }], kind2: null }),
      span('02', { kind: 'client' }),
      span('03', { kind: 'INTERNAL' }),
      span('04', { tags: { error: null } }),
      span('05', { tags: { error: true } }),
      span('06', { tags: { 'http.route': ['/a'] } }),
      span('07', { annotations: [{ value: 'ws' }] }),
      span('08', { annotations: [{ timestamp: 1_700_000_000_000_001 }] }),
    ]));
    const spans: Span[] = [];
    const r = readTraceFile(f, (t) => spans.push(...t));
    expect(spans.map((s) => [s.spanId, s.kind, s.attributes, s.events.map((e) => [e.timeUs, e.name]), s.error])).toEqual([
      ['0000000000000001', 'client', { 'http.status_code': '503', peer: 'b' }, [[1_700_000_000_000_001, 'ws']], true],
    ]);
    expect(Object.fromEntries(r.report.skipped)).toEqual({
      'a span whose kind is not CLIENT, SERVER, PRODUCER or CONSUMER (Span.Kind.valueOf)': 2,
      'a span whose tags are not an object of text values': 3,
      'a span with an annotation without its timestamp or value (V2SpanReader: "Incomplete annotation")': 2,
    });
  });
});

describe('fields read and not modelled are warned where they are', () => {
  it('OTLP links (jaeger storage integration fixture link_attributes_trace.json): which backends do what with them, at file:line:column', () => {
    const f = fixture('otlp-link-attributes.json');
    expect(calibrateFiles([f]).warnings).toContain(`${f}:18:13: 1 span with OTLP links, not modelled (Zipkin drops them; Jaeger shows them as FOLLOWS_FROM references, the parent of a span without one)`);
  });

  it('a Jaeger reference of another refType than CHILD_OF or FOLLOWS_FROM', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-left-out-'));
    const f = join(dir, 'ref.json');
    writeFileSync(f, JSON.stringify({ data: [{ traceID: '0a', spans: [{ traceID: '0a', spanID: '01', operationName: 'op', startTime: 1, duration: 1, references: [{ refType: 'PARENT', traceID: '0a', spanID: '02' }], processID: 'p1' }], processes: { p1: { serviceName: 'a' } } }] }));
    expect(calibrateFiles([f]).warnings).toContain(`${f}:1:35: 1 span with references whose refType is neither CHILD_OF nor FOLLOWS_FROM, not read`);
  });
});

describe('Zipkin times of 0 or less are none (zipkin2/Span.java Builder.timestamp, Builder.duration: below 0 is 0, 0 is unset)', () => {
  it('a timestamp of 0 makes a part, merged into the part with a timestamp; a negative duration is no duration', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-zipkin-zero-'));
    const f = join(dir, 'zero.json');
    const s = { traceId: '000000000000000a', id: '000000000000000a', kind: 'SERVER', name: 'get', localEndpoint: { serviceName: 'a' } };
    writeFileSync(f, JSON.stringify([{ ...s, timestamp: 1_700_000_000_000_000, duration: -5 }, { ...s, timestamp: 0, duration: 2_000 }]));
    const spans: Span[] = [];
    const r = readTraceFile(f, (t) => spans.push(...t));
    expect(spans.map((x) => [x.startUs, x.durationUs])).toEqual([[1_700_000_000_000_000, 2_000]]);
    expect(r.report.merged).toBe(1);
  });
});

