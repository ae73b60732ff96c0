/**
 * Zipkin keeps span and service names in lower case: openzipkin/zipkin zipkin2/Span.java Builder.name
 * (`name.toLowerCase(Locale.ROOT)`, SpanTest.java spanNamesLowercase: "GET" is "get") and zipkin2/Endpoint.java
 * Builder.serviceName (EndpointTest.java lowercasesServiceName: "fFf" is "fff"). A file from Zipkin's API is already
 * so; a reporter's own file (what a tracer sends to /api/v2/spans) may not be. Read as Zipkin keeps them, the
 * scenario's services and endpoints are the names the team sees and searches in Zipkin; calibrate says so.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { load, structure } from './roundtrip-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-zipkin-names-'));
const bin = new URL('../bin/rehearse.js', import.meta.url).pathname;

// A reporter's spans before Zipkin's server lower-cases them: a frontend calling its cart, which reads MySQL.
const raw = [
  { traceId: '5aab74dbb904746b', id: '5aab74dbb904746b', kind: 'SERVER', name: 'GET /Cart', timestamp: 1700000000000000, duration: 9000, localEndpoint: { serviceName: 'Frontend' } },
  { traceId: '5aab74dbb904746b', parentId: '5aab74dbb904746b', id: '0000000000000002', kind: 'CLIENT', name: 'GET', timestamp: 1700000000001000, duration: 6000, localEndpoint: { serviceName: 'Frontend' }, remoteEndpoint: { serviceName: 'CartService' } },
  { traceId: '5aab74dbb904746b', parentId: '0000000000000002', id: '0000000000000003', kind: 'SERVER', name: 'GetCart', timestamp: 1700000000001500, duration: 5000, localEndpoint: { serviceName: 'CartService' } },
  { traceId: '5aab74dbb904746b', parentId: '0000000000000003', id: '0000000000000004', kind: 'CLIENT', name: 'SELECT', timestamp: 1700000000002000, duration: 2000, localEndpoint: { serviceName: 'CartService' }, remoteEndpoint: { serviceName: 'MySQL' } },
];
// The same trace as Zipkin's API gives it back.
const stored = raw.map((s) => ({
  ...s, name: s.name.toLowerCase(), localEndpoint: { serviceName: s.localEndpoint.serviceName.toLowerCase() },
  ...(s.remoteEndpoint ? { remoteEndpoint: { serviceName: s.remoteEndpoint.serviceName.toLowerCase() } } : {}),
}));

describe('Zipkin names are read in lower case, as Zipkin keeps them', () => {
  const rawFile = join(dir, 'reporter.json');
  const storedFile = join(dir, 'api.json');
  writeFileSync(rawFile, JSON.stringify(raw));
  writeFileSync(storedFile, JSON.stringify(stored));

  it('a reporter\'s file reads as the file Zipkin\'s API gives back, and counts the names it lowered', () => {
    const read = (f: string) => {
      const spans: Span[] = [];
      const r = readTraceFile(f, (t) => spans.push(...t));
      return { spans: spans.map((s) => [s.service, s.name, s.remoteService]), lowered: r.report.lowered };
    };
    const a = read(rawFile), b = read(storedFile);
    expect(a.spans).toEqual(b.spans);
    expect(a.spans).toEqual([
      ['frontend', 'get /cart', null], ['frontend', 'get', 'cartservice'], ['cartservice', 'getcart', null], ['cartservice', 'select', 'mysql'],
    ]);
    expect(a.lowered).toEqual({ names: new Set(['GET /Cart', 'GET', 'GetCart', 'SELECT']), services: new Set(['Frontend', 'CartService', 'MySQL']) });
    expect(b.lowered).toEqual({ names: new Set(), services: new Set() });
    expect(structure(load(calibrateFiles([rawFile]).yaml))).toEqual(structure(load(calibrateFiles([storedFile]).yaml)));
    expect(structure(load(calibrateFiles([rawFile]).yaml))['frontend.get-cart']).toEqual(['cartservice.getcart']);
  });

  it('calibrate says which names it lowered; --capacity by the file\'s spelling is told the name Zipkin shows', () => {
    const out = join(dir, 'names.yaml');
    const r = spawnSync(process.execPath, [bin, 'calibrate', rawFile, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('reporter.json: read in lower case, as Zipkin keeps and shows them (zipkin2/Span.java Builder.name, Endpoint.java Builder.serviceName): ' +
      '4 span names (such as "GET /Cart" as "get /cart") and 3 service names (such as "Frontend" as "frontend")\n');
    expect(readFileSync(out, 'utf8')).toContain('#   reporter.json: zipkin, 4 spans in 1 trace, 7 names read in lower case as Zipkin keeps them\n');
    const api = spawnSync(process.execPath, [bin, 'calibrate', storedFile, '--out', out], { encoding: 'utf8' });
    expect(api.stdout).not.toContain('lower case');
    const cap = spawnSync(process.execPath, [bin, 'calibrate', rawFile, '--capacity', 'Frontend=4', '--out', out], { encoding: 'utf8' });
    expect({ status: cap.status, stderr: cap.stderr }).toEqual({ status: 2, stderr: expect.stringContaining('did you mean "frontend"?') });
  });
});

describe('a service reporting through Zipkin and OTLP in mixed case is one service, as one backend receiving both shows it', () => {
  // Zipkin's API gives "checkout"; the same service's OTLP exporter writes service.name "Checkout". Zipkin keeps
  // service names in lower case (zipkin2/Endpoint.java Builder.serviceName) and its OTLP collector builds the same
  // Endpoint from service.name (openzipkin-contrib/zipkin-otel collector-http SpanTranslator.getLocalEndpoint).
  const zipkinFile = join(dir, 'zipkin-checkout.json');
  writeFileSync(zipkinFile, JSON.stringify([
    { traceId: '00000000000000a1', id: '00000000000000a1', kind: 'SERVER', name: 'post /checkout', timestamp: 1700000000000000, duration: 9000, localEndpoint: { serviceName: 'checkout' } },
  ], null, 1));
  const otlpFile = join(dir, 'otlp-checkout.json');
  const resource = (name: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }] });
  const span = (traceId: string, spanId: string, parentSpanId: string | undefined, name: string, kind: number, start: number, extra: object = {}) => ({
    traceId, spanId, ...(parentSpanId ? { parentSpanId } : {}), name, kind, startTimeUnixNano: `${start}000`, endTimeUnixNano: `${start + 4000}000`, ...extra,
  });
  writeFileSync(otlpFile, JSON.stringify({
    resourceSpans: [
      { resource: resource('Frontend'), scopeSpans: [{ spans: [span('000000000000000000000000000000b2', '00000000000000b2', undefined, 'GET /', 2, 1700000001000000), span('000000000000000000000000000000b2', '00000000000000b3', '00000000000000b2', 'POST', 3, 1700000001000100, { endTimeUnixNano: '1700000001003500000', attributes: [{ key: 'peer.service', value: { stringValue: 'Checkout' } }] })] }] },
      { resource: resource('Checkout'), scopeSpans: [{ spans: [span('000000000000000000000000000000b2', '00000000000000b4', '00000000000000b3', 'POST /checkout', 2, 1700000001000200, { endTimeUnixNano: '1700000001003200000' })] }] },
    ],
  }, null, 1));

  it('joins "Checkout" to Zipkin\'s "checkout", warning with both spellings and where each occurs; the OTLP-only "Frontend" keeps its case', () => {
    const r = calibrateFiles([zipkinFile, otlpFile]);
    const services = [...new Set([...r.analysis.endpoints.values()].map((e) => e.service))].sort();
    expect(services).toEqual(['Frontend', 'checkout']);
    expect(structure(load(r.yaml))['Frontend.GET']).toEqual(['checkout.POST-checkout']);
    expect(r.warnings).toContain(`service "Checkout" in OTLP's ${otlpFile}:47:16 and "checkout" in Zipkin's ${zipkinFile}:2:2 are one service, joined as "checkout": ` +
      'Zipkin keeps service names in lower case (zipkin2/Endpoint.java Builder.serviceName), its OTLP collector too (zipkin-otel SpanTranslator), so one backend receiving both shows "checkout"');
  });

  it('read alone, each file keeps its own spelling and nothing is warned', () => {
    const r = calibrateFiles([otlpFile]);
    expect([...new Set([...r.analysis.endpoints.values()].map((e) => e.service))].sort()).toEqual(['Checkout', 'Frontend']);
    expect(r.warnings.filter((w) => w.includes('one service'))).toEqual([]);
  });
});
