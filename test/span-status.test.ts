/**
 * A span whose status is unset fails by its HTTP or gRPC status code as OpenTelemetry's semantic conventions read it
 * for the span's kind, in every trace format (open-telemetry/semantic-conventions):
 * - docs/http/http-spans.md, "Status": 4xx leaves a SERVER span's status unset and sets a CLIENT span's to Error;
 *   5xx, "as well as any other code the client failed to interpret", sets it to Error.
 * - docs/rpc/grpc.md at v1.37.0: the table of span status by gRPC status code and span kind (below, transcribed);
 *   docs/rpc/grpc.md today names the codes in `rpc.status_code`: a server's errors are UNKNOWN, DEADLINE_EXCEEDED,
 *   UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS; on a client "all status codes except OK".
 * A status of OK or ERROR is the instrumentation's own word (OTLP status; otel.status_code in Jaeger and Zipkin, as
 * opentelemetry-specification common/mapping-to-non-otlp.md and trace/sdk_exporters/zipkin.md write it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTraceFile } from '../src/interop/traces/read.js';
import { statusCodeError } from '../src/observe/span-errors.js';
import type { Span, SpanKind } from '../src/observe/span.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-span-status-'));

// semantic-conventions v1.37.0 docs/rpc/grpc.md: "gRPC Status Code | SpanKind.SERVER Span Status | SpanKind.CLIENT Span Status".
const GRPC_TABLE = `
| OK | unset | unset |
| CANCELLED | unset | Error |
| UNKNOWN | Error | Error |
| INVALID_ARGUMENT | unset | Error |
| DEADLINE_EXCEEDED | Error | Error |
| NOT_FOUND | unset | Error |
| ALREADY_EXISTS | unset | Error |
| PERMISSION_DENIED | unset | Error |
| RESOURCE_EXHAUSTED | unset | Error |
| FAILED_PRECONDITION | unset | Error |
| ABORTED | unset | Error |
| OUT_OF_RANGE | unset | Error |
| UNIMPLEMENTED | Error | Error |
| INTERNAL | Error | Error |
| UNAVAILABLE | Error | Error |
| DATA_LOSS | Error | Error |
| UNAUTHENTICATED | unset | Error |`.trim().split('\n').map((row) => row.split('|').map((c) => c.trim()).filter((c) => c !== ''));

describe('a span with its status unset fails by its status code, for its kind', () => {
  it.each(GRPC_TABLE.map(([name, server, client], code) => [name, code, server, client]))(
    'gRPC %s (%i): server %s, client %s, as rpc.grpc.status_code and as rpc.status_code of rpc.system.name grpc',
    (name, code, server, client) => {
      for (const [kind, want] of [['server', server], ['client', client]] as const) {
        const failed = want === 'Error';
        expect(statusCodeError({ 'rpc.grpc.status_code': code }, kind) !== null).toBe(failed);
        expect(statusCodeError({ 'rpc.system.name': 'grpc', 'rpc.status_code': name }, kind) !== null).toBe(failed);
        // The conventions between the two: rpc.system and rpc.response.status_code.
        expect(statusCodeError({ 'rpc.system': 'grpc', 'rpc.response.status_code': name }, kind) !== null).toBe(failed);
        // A span of no known kind fails on what both kinds count: the server's codes.
        expect(statusCodeError({ 'rpc.grpc.status_code': String(code) }, 'unspecified') !== null).toBe(server === 'Error');
      }
    },
  );

  it.each([
    // [kind, code, failed]
    ['server', 200, false], ['server', 404, false], ['server', 499, false], ['server', 500, true], ['server', 503, true],
    ['client', 200, false], ['client', 302, false], ['client', 400, true], ['client', 404, true], ['client', 503, true],
    // A code the client failed to interpret: the 0 of a request that got no answer.
    ['client', 0, true], ['client', 600, true],
    ['unspecified', 404, false], ['unspecified', 503, true], ['internal', 404, false], ['producer', 502, true],
  ] as [SpanKind, number, boolean][])('HTTP: a %s span with %i failed: %s', (kind, code, failed) => {
    expect(statusCodeError({ 'http.response.status_code': code }, kind) !== null).toBe(failed);
    // The older attribute, and as text (Zipkin's tags are strings).
    expect(statusCodeError({ 'http.status_code': String(code) }, kind) !== null).toBe(failed);
  });

  it('says why: the code and the kind', () => {
    expect(statusCodeError({ 'http.response.status_code': 404 }, 'client')).toBe('HTTP 404 on a client span');
    expect(statusCodeError({ 'rpc.grpc.status_code': 5 }, 'client')).toBe('gRPC NOT_FOUND on a client span');
    expect(statusCodeError({ 'rpc.grpc.status_code': 12 }, 'server')).toBe('gRPC UNIMPLEMENTED on a server span');
    // rpc.status_code of a system whose page says nothing of its codes is no error (rpc-spans.md leaves it to each system).
    expect(statusCodeError({ 'rpc.system': 'java_rmi', 'rpc.status_code': 'UNKNOWN' }, 'server')).toBeNull();
    // error.type, set if and only if the operation failed (registry/attributes/error.md), on any span.
    expect(statusCodeError({ 'error.type': 'java.net.UnknownHostException' }, 'client')).toBe('error.type java.net.UnknownHostException on a client span');
    expect(statusCodeError({ 'db.system.name': 'postgresql', 'error.type': 'timeout' }, 'internal')).toBe('error.type timeout on an internal span');
    expect(statusCodeError({ 'http.response.status_code': 200, 'error.type': '' }, 'client')).toBeNull();
  });

  // docs/rpc/connect-rpc.md (a client on all but OK; a server on unknown, deadline_exceeded, unimplemented, internal,
  // unavailable, data_loss), dubbo.md (a client on all but OK; a server on Dubbo2's SERVER_ERROR,
  // SERVER_THREADPOOL_EXHAUSTED_ERROR, SERVER_TIMEOUT, SERVICE_ERROR and Triple's gRPC server codes), json-rpc.md
  // ("All JSON RPC error codes SHOULD be considered errors").
  it.each([
    ['connectrpc', 'ok', 'client', null], ['connectrpc', 'not_found', 'client', 'Connect not_found on a client span'],
    ['connectrpc', 'not_found', 'server', null], ['connectrpc', 'unavailable', 'server', 'Connect unavailable on a server span'],
    ['dubbo', 'OK', 'client', null], ['dubbo', 'CLIENT_TIMEOUT', 'client', 'Dubbo CLIENT_TIMEOUT on a client span'],
    ['dubbo', 'CLIENT_TIMEOUT', 'server', null], ['dubbo', 'SERVER_THREADPOOL_EXHAUSTED_ERROR', 'server', 'Dubbo SERVER_THREADPOOL_EXHAUSTED_ERROR on a server span'],
    ['dubbo', 'NOT_FOUND', 'server', null], ['dubbo', 'DATA_LOSS', 'server', 'Dubbo DATA_LOSS on a server span'],
    ['jsonrpc', '-32602', 'server', 'JSON-RPC error -32602 on a server span'], ['jsonrpc', '-32601', 'client', 'JSON-RPC error -32601 on a client span'],
  ] as [string, string, SpanKind, string | null][])('%s %s on a %s span: %s', (system, code, kind, why) => {
    expect(statusCodeError({ 'rpc.system.name': system, 'rpc.status_code': code }, kind)).toBe(why);
  });
});

/** One span in each format, its kind and attributes given, its status unset or given. */
function files(kind: 'CLIENT' | 'SERVER', attrs: Record<string, number | string>, status?: 'OK' | 'ERROR'): Record<'otlp' | 'jaeger' | 'zipkin', string> {
  const otlp = join(dir, `s-${Math.random().toString(36).slice(2)}.otlp.json`);
  writeFileSync(otlp, JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'shop' } }] }, scopeSpans: [{ spans: [{
    traceId: '5b8efff798038103d269b633813fc60c', spanId: 'eee19b7ec3c1b174', name: 'GET', kind: `SPAN_KIND_${kind}`,
    startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000',
    attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: typeof v === 'number' ? { intValue: String(v) } : { stringValue: v } })),
    ...(status ? { status: { code: `STATUS_CODE_${status}` } } : {}),
  }] }] }] }));
  const jaeger = join(dir, `s-${Math.random().toString(36).slice(2)}.jaeger.json`);
  const tags = [
    { key: 'span.kind', type: 'string', value: kind.toLowerCase() },
    ...Object.entries(attrs).map(([key, v]) => ({ key, type: typeof v === 'number' ? 'int64' : 'string', value: v })),
    ...(status ? [{ key: 'otel.status_code', type: 'string', value: status }] : []),
  ];
  writeFileSync(jaeger, JSON.stringify({ data: [{ traceID: 'd269b633813fc60c', spans: [{ traceID: 'd269b633813fc60c', spanID: 'eee19b7ec3c1b174', operationName: 'GET', references: [], startTime: 1700000000000000, duration: 5000, tags, processID: 'p1' }], processes: { p1: { serviceName: 'shop' } } }] }));
  const zipkin = join(dir, `s-${Math.random().toString(36).slice(2)}.zipkin.json`);
  writeFileSync(zipkin, JSON.stringify([{ traceId: 'd269b633813fc60c', id: 'eee19b7ec3c1b174', kind, name: 'get', timestamp: 1700000000000000, duration: 5000,
    localEndpoint: { serviceName: 'shop' }, tags: { ...Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)])), ...(status ? { 'otel.status_code': status } : {}) } }]));
  return { otlp, jaeger, zipkin };
}

function read(file: string): { span: Span; why: string[] } {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { span: spans[0], why: [...r.report.failedByCode.keys()] };
}

describe('every format reads the span\'s kind and its status code alike', () => {
  it.each(['otlp', 'jaeger', 'zipkin'] as const)('%s: a client span with HTTP 404 failed, a server span with 404 did not, and a status of OK or ERROR is taken as it is', (format) => {
    expect(read(files('CLIENT', { 'http.response.status_code': 404 })[format])).toEqual({ span: expect.objectContaining({ kind: 'client', error: true }), why: ['HTTP 404 on a client span'] });
    expect(read(files('SERVER', { 'http.response.status_code': 404 })[format])).toEqual({ span: expect.objectContaining({ kind: 'server', error: false }), why: [] });
    expect(read(files('SERVER', { 'rpc.grpc.status_code': 14 })[format]).span.error).toBe(true);
    expect(read(files('SERVER', { 'rpc.grpc.status_code': 5 })[format]).span.error).toBe(false);
    expect(read(files('CLIENT', { 'rpc.grpc.status_code': 5 })[format]).span.error).toBe(true);
    // The instrumentation knew better: a 404 it expected, a 200 it did not.
    expect(read(files('CLIENT', { 'http.response.status_code': 404 }, 'OK')[format])).toEqual({ span: expect.objectContaining({ error: false }), why: [] });
    expect(read(files('SERVER', { 'http.response.status_code': 200 }, 'ERROR')[format])).toEqual({ span: expect.objectContaining({ error: true }), why: [] });
  });

  it('calibrate says which spans failed by their status code alone, per file, in its output and the scenario\'s comment', () => {
    const f = files('CLIENT', { 'http.status_code': 404 }).zipkin;
    const out = join(dir, 'status.yaml');
    const r = spawnSync(process.execPath, [new URL('../bin/rehearse.js', import.meta.url).pathname, 'calibrate', f, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/failed by their status code or error.type, with no error status or tag \(OpenTelemetry's conventions for the span's kind: .*\): s-\w+\.zipkin\.json: HTTP 404 on a client span x1\n/);
    const yaml = readFileSync(out, 'utf8');
    expect(yaml).toMatch(/zipkin, 1 span in 1 trace, 1 span failed by their status code or error.type alone\n/);
  });
});
