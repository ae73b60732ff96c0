/**
 * Real trace files from the vendors' own repositories (test/fixtures/traces/README.md names their sources) that
 * were read as something else or refused without saying why.
 */
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
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

  it('Jaeger\'s protobuf model as JSON (jaeger converter fixtures domain_02.json) is refused saying what it is and what to give instead', () => {
    expect(() => read('jaeger-proto-model.json')).toThrow(
      'no usable spans in this jaeger file: 2 skipped (2 a span of Jaeger\'s protobuf model (traceId and spanId in base64): not read; give the UI\'s JSON (/api/traces) or OTLP (/api/v3))',
    );
  });
});
