/**
 * Real trace files of Grafana Tempo (test/fixtures/traces/README.md names their sources): its trace-by-id answers,
 * refused before as no trace format, and a trace of its service graph's tests whose client spans are entries of
 * their service; and OTLP enum values the collector does not take, read before as unset without a word.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { load, structure } from './roundtrip-helpers.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const read = (file: string) => {
  const spans: Span[] = [];
  const r = readTraceFile(file, (t) => spans.push(...t));
  return { r, spans, notes: [...r.report.fieldNotes.values()].map((n) => `${n.at}: ${n.message}`) };
};
const dir = mkdtempSync(join(tmpdir(), 'rehearse-real-traces-14-'));
const write = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

// The one span Tempo's docs push and read back (docs/sources/tempo/api_docs/pushing-spans-with-http.md): its ids in
// base64 (gogo jsonpb), kind and status by name, as Tempo writes them.
const PUSHED = ['5b8efff798038103d269b633813fc700', 'eee19b7ec3c1b100', null, 'my.service', 'I am a span!', 'server', 698_000_000, false];
const fields = (s: Span) => [s.traceId, s.spanId, s.parentId, s.service, s.name, s.kind, s.durationUs, s.error];

describe('Grafana Tempo\'s trace-by-id answers are OTLP under its own keys (grafana/tempo pkg/tempopb)', () => {
  it('/api/traces: {"batches": [...]}, its Trace message as MarshalToJSONV1 writes it (trace_utils.go), read as OTLP, not "no trace format found"', () => {
    const { r, spans, notes } = read(fixture('tempo-api-v1-batches.json'));
    expect(r.format).toBe('otlp');
    expect(spans.map(fields)).toEqual([PUSHED]);
    expect(notes).toEqual([]);
    expect(Object.fromEntries(r.report.skipped)).toEqual({});
  });

  it('/api/v2/traces: {"trace": {"resourceSpans": [...]}} (TraceByIDResponse), read alike', () => {
    const { r, spans, notes } = read(fixture('tempo-api-v2-trace.json'));
    expect(r.format).toBe('otlp');
    expect(spans.map(fields)).toEqual([PUSHED]);
    expect(notes).toEqual([]);
  });

  it('a v2 answer marked PARTIAL (enum PartialStatus, tempo.proto) is warned at its place with its message; an unknown key with a suggestion', () => {
    const text = readFileSync(fixture('tempo-api-v2-trace.json'), 'utf8').trimEnd();
    const f = write('partial.json', `${text.slice(0, -1)},\n"status":"PARTIAL",\n"message":"trace exceeds max size"}\n`);
    const { spans, notes } = read(f);
    expect(spans.map(fields)).toEqual([PUSHED]);
    expect(notes).toEqual([
      '2:10: Tempo API TempoTraceByIDResponse.status: Tempo answered the trace as PARTIAL, not COMPLETE: it hit a size limit, so its spans are partial',
      '3:11: Tempo API TempoTraceByIDResponse.message: Tempo\'s message with the trace: trace exceeds max size',
    ]);
    const typo = write('typo.json', text.replace('{"trace": {"resourceSpans"', '{"trace": {"resourceSpan"'));
    expect(() => read(typo)).toThrow(/"resourceSpan" is not a field of Tempo API's TempoTrace: not read; did you mean "resourceSpans"\?/);
    // A PARTIAL answer with no trace in it: Tempo's answer without spans, said with its status, not "no trace format found".
    const empty = write('empty-partial.json', '{"trace": null, "status": "PARTIAL"}\n');
    expect(() => read(empty)).toThrow(`${empty}: a Tempo trace answer (/api/v2/traces) with no spans: nothing to read\n${empty}:1:27: Tempo API TempoTraceByIDResponse.status: Tempo answered the trace as PARTIAL`);
  });

  it('the same span in Tempo\'s answer and in OTLP with hex ids is one trace, one span', () => {
    const otlp = write('pushed.otlp.json', JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'my.service' } }] },
      scopeSpans: [{ spans: [{ traceId: '5B8EFFF798038103D269B633813FC700', spanId: 'EEE19B7EC3C1B101', parentSpanId: 'EEE19B7EC3C1B100', name: 'child', kind: 1,
        startTimeUnixNano: '1689969302000000000', endTimeUnixNano: '1689969303000000000' }] }] }] }));
    const out = calibrateFiles([fixture('tempo-api-v1-batches.json'), otlp]);
    expect(out.warnings.filter((w) => /orphan/.test(w))).toEqual([]);
    expect(out.analysis.traces).toBe(1);
  });
});

describe('a client span that is the entry of its service, with no server span under it, calls its uninstrumented peer', () => {
  // grafana/tempo modules/generator/processor/servicegraphs/testdata/trace-with-virtual-nodes.json: mythical-server's
  // server span, under it mythical-requester's client span "HTTP GET /ready" (peer.service external-payments-platform)
  // with no server span. Tempo's TestServiceGraphs_virtualNodes (servicegraphs_test.go) counts one request from
  // mythical-requester to external-payments-platform; calibrate gave the client span's 706us as mythical-requester's
  // own time and no external-payments-platform at all.
  it('the peer is a service of its own, named by peer.service, with the client span\'s time', () => {
    const out = calibrateFiles([fixture('tempo-virtual-nodes.json')]);
    const s = structure(load(out.yaml));
    expect(s['mythical-server.requester']).toEqual(['mythical-requester.HTTP-GET-ready']);
    expect(s['mythical-requester.HTTP-GET-ready']).toEqual(['external-payments-platform.HTTP-GET-ready']);
    expect(s['external-payments-platform.HTTP-GET-ready']).toEqual([]);
    const scenario = load(out.yaml);
    const latency = (svc: string) => JSON.stringify(scenario.services.find((x) => x.name === svc)!.endpoints[0].latency);
    expect(latency('external-payments-platform')).toContain('706');
    expect(latency('mythical-requester')).not.toContain('706');
    expect(out.yaml).toMatch(/external-payments-platform \(peer\.service\)|peer\.service/);
  });

  it('a root client span alone (a job calling out) calls its peer; one with a server span under it calls that server only', () => {
    const span = (id: string, parent: string | null, service: string, kind: number, name: string, startMs: number, endMs: number, attrs: Record<string, string> = {}) => ({
      resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
      scopeSpans: [{ spans: [{ traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id, ...(parent ? { parentSpanId: parent } : {}), name, kind,
        startTimeUnixNano: `${1_700_000_000_000 + startMs}000000`, endTimeUnixNano: `${1_700_000_000_000 + endMs}000000`,
        attributes: Object.entries(attrs).map(([key, v]) => ({ key, value: { stringValue: v } })) }] }],
    });
    const alone = write('alone.json', JSON.stringify({ resourceSpans: [span('00f067aa0ba902b7', null, 'nightly', 3, 'POST /charges', 0, 40, { 'server.address': 'api.stripe.com' })] }));
    expect(structure(load(calibrateFiles([alone]).yaml))).toEqual({ 'nightly.POST-charges': ['api-stripe-com.POST-charges'], 'api-stripe-com.POST-charges': [] });
    const served = write('served.json', JSON.stringify({ resourceSpans: [
      span('00f067aa0ba902b7', null, 'nightly', 3, 'POST /charges', 0, 40, { 'server.address': 'billing' }),
      span('00f067aa0ba902b8', '00f067aa0ba902b7', 'billing', 2, 'POST /charges', 5, 35),
    ] }));
    expect(structure(load(calibrateFiles([served]).yaml))).toEqual({ 'nightly.POST-charges': ['billing.POST-charges'], 'billing.POST-charges': [] });
  });
});

describe('a client span that is the entry of its service calls no peer when nothing names one, or when it names its own service', () => {
  // jaeger-ui's HotROD trace (hotrod-otlp.json): the mysql and redis-manual services are client spans under their
  // callers' spans, written for the database itself (peer.service mysql, or no attribute naming a far end): the
  // database's own time, as before, not a call to itself or to "redis-manual-remote".
  it('HotROD\'s mysql and redis-manual keep their own latency and call nothing', () => {
    const s = structure(load(calibrateFiles([fixture('hotrod-otlp.json')]).yaml));
    expect(s['mysql.SQL-SELECT']).toEqual([]);
    expect(s['redis-manual.FindDriverIDs']).toEqual([]);
    expect(Object.keys(s).filter((k) => /remote/.test(k))).toEqual([]);
  });
});

describe('OTLP kind and status code values are read as the collector reads them (opentelemetry-collector pdata/internal/json/iterator.go ReadEnumValue)', () => {
  const doc = (kind: unknown, status: unknown) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] },
    scopeSpans: [{ spans: [
      { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'ok', kind: 2, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' },
      { traceId: '0af7651916cd43dd8448eb211c80319d', spanId: 'b7ad6b7169203332', name: 'odd', kind, status, startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' },
    ] }] }] }, null, 1);

  it('a status code name not of StatusCode ("ERROR") fails the collector\'s request: the span is skipped and counted, not read as unset (not failed)', () => {
    const { r, spans } = read(write('status-name.json', doc(2, { code: 'ERROR' })));
    expect(spans.map((s) => s.name)).toEqual(['ok']);
    expect([...r.report.skipped]).toEqual([['a span whose status code is no StatusCode (STATUS_CODE_UNSET, STATUS_CODE_OK, STATUS_CODE_ERROR; the collector\'s JSON decoder refuses the request)', 1]]);
  });

  it('a kind name not of SpanKind (a typo) is skipped and counted, not read as unspecified; SERVER and server are read as before', () => {
    const { r, spans } = read(write('kind-name.json', doc('SPAN_KIND_SERVR', undefined)));
    expect(spans.map((s) => s.name)).toEqual(['ok']);
    expect([...r.report.skipped.keys()]).toEqual(['a span whose kind is no SpanKind (SPAN_KIND_UNSPECIFIED, SPAN_KIND_INTERNAL, SPAN_KIND_SERVER, SPAN_KIND_CLIENT, SPAN_KIND_PRODUCER, SPAN_KIND_CONSUMER; the collector\'s JSON decoder refuses the request)']);
    for (const k of ['SERVER', 'server', 'SPAN_KIND_SERVER']) expect(read(write(`kind-${k}.json`, doc(k, undefined))).spans.map((s) => s.kind)).toEqual(['server', 'server']);
  });

  it('numbers outside the enums (kept by the collector, proto3 enums being open) are warned at their place and read as unspecified and unset', () => {
    const { spans, notes } = read(write('numbers.json', doc(9, { code: 7 })));
    expect(spans.map((s) => [s.name, s.kind, s.error])).toEqual([['ok', 'server', false], ['odd', 'unspecified', false]]);
    expect(notes).toEqual([
      '29:8: OTLP Span.kind: 9 is no SpanKind (0 to 5): read as SPAN_KIND_UNSPECIFIED, as Jaeger\'s translator gives it no span.kind',
      '31:9: OTLP Status.code: 7 is no StatusCode (0 to 2): read as STATUS_CODE_UNSET (the span fails only by its attributes), as Jaeger\'s translator marks no error',
    ]);
  });

  it('a status code that is neither a number nor a name (true) is skipped as the collector refuses it ("unsupported value type")', () => {
    const { r, spans } = read(write('status-bool.json', doc(2, { code: true })));
    expect(spans.map((s) => s.name)).toEqual(['ok']);
    expect(r.report.skippedTotal).toBe(1);
  });
});

describe('a Zipkin span\'s remoteEndpoint address names its uninstrumented peer, as in OTLP after the collector\'s Zipkin receiver', () => {
  // opentelemetry-collector-contrib receiver/zipkinreceiver/testdata/sample4.json: a root client span, its remote
  // endpoint an address and a port and no serviceName. The receiver reads them as net.peer.ip and net.peer.port
  // (pkg/translator/zipkin/zipkinv2/to_translator.go zTagsToInternalAttrs), which name the peer of an OTLP span;
  // calibrate warned them "not read" and named the peer "unknown-remote".
  it('read as net.peer.ip and net.peer.port: the peer is 192.168.99.101:9000, and the addresses are not warned as unread', () => {
    const { spans, notes } = read(fixture('zipkin-otelcol-remote-address.json'));
    expect(spans.map((s) => [s.kind, s.error, s.attributes['net.peer.ip'], s.attributes['net.peer.port']])).toEqual([['client', true, '192.168.99.101', '9000']]);
    expect(notes).toEqual(['11:7: Zipkin LocalEndpoint.ipv6: the local endpoint\'s address is not read: services are told apart by serviceName alone']);
    const out = calibrateFiles([fixture('zipkin-otelcol-remote-address.json')]);
    // The span failed (its error tag), so no successful span shows the call: the peer is there, with the failure.
    expect(Object.keys(structure(load(out.yaml))).sort()).toEqual(['192-168-99-101-9000.get', 'unknown.get']);
    expect(out.yaml).toMatch(/192-168-99-101-9000:[^]*get:[^]*errors: 100%/);
    expect(out.yaml).toContain('named "192.168.99.101:9000" by its callers\' net.peer.ip and net.peer.port');
  });

  it('a tag net.peer.ip stands over the endpoint\'s address (inserted, not upserted), the endpoint\'s port over a tag\'s; ipv4 before ipv6', () => {
    const span = (remoteEndpoint: object, tags: object) => write('remote.json', JSON.stringify([{ traceId: '4d1e00c0db9010db', id: '4d1e00c0db9010db', kind: 'CLIENT', name: 'get',
      timestamp: 1472470996199000, duration: 207000, localEndpoint: { serviceName: 'frontend' }, remoteEndpoint, tags }]));
    const attrs = (f: string) => { const a = read(f).spans[0].attributes; return [a['net.peer.ip'], a['net.peer.port']]; };
    expect(attrs(span({ ipv4: '10.0.0.1', port: 80 }, { 'net.peer.ip': '10.0.0.9', 'net.peer.port': '8080' }))).toEqual(['10.0.0.9', '80']);
    expect(attrs(span({ ipv4: '10.0.0.1', ipv6: '::1' }, {}))).toEqual(['10.0.0.1', undefined]);
    expect(attrs(span({ ipv6: '2001:db8::c001', port: 0 }, {}))).toEqual(['2001:db8::c001', undefined]);
  });

  it('a peer no attribute names is said to be named after its caller', () => {
    const f = write('unnamed.json', JSON.stringify([
      { traceId: '4d1e00c0db9010db', id: '4d1e00c0db9010db', kind: 'SERVER', name: 'get', timestamp: 1472470996199000, duration: 207000, localEndpoint: { serviceName: 'frontend' } },
      { traceId: '4d1e00c0db9010db', parentId: '4d1e00c0db9010db', id: '4d1e00c0db9010dc', kind: 'CLIENT', name: 'get', timestamp: 1472470996200000, duration: 200000, localEndpoint: { serviceName: 'frontend' } },
    ]));
    const out = calibrateFiles([f]);
    expect(structure(load(out.yaml))['frontend.get']).toEqual(['frontend-remote.get']);
    // A root client span alone that nothing names the far end of is its service's own work: no peer.
    const alone = write('unnamed-alone.json', JSON.stringify([{ traceId: '4d1e00c0db9010db', id: '4d1e00c0db9010db', kind: 'CLIENT', name: 'get', timestamp: 1472470996199000, duration: 207000, localEndpoint: { serviceName: 'frontend' } }]));
    expect(structure(load(calibrateFiles([alone]).yaml))).toEqual({ 'frontend.get': [] });
    expect(out.yaml).toContain('named "frontend-remote" after its caller: no attribute of the client span names it: the caller\'s name');
  });
});

describe('a generative AI client span names its uninstrumented peer by its provider (semantic-conventions docs/gen-ai/gen-ai-spans.md)', () => {
  // jaeger-ui TraceTimelineViewer/genaiTestTrace.json: the agents' "chat model-a" client spans carry
  // gen_ai.provider.name example-ai and no address (the HTTP call inside them has it); they were named after their
  // caller, "coding-agent-remote" and "summarizer-agent-remote", two services for one provider.
  it('the chat spans of both agents call one service, example-ai', () => {
    const out = calibrateFiles([fixture('jaeger-ui-genai.json')]);
    const s = structure(load(out.yaml));
    expect(Object.keys(s).filter((k) => /remote/.test(k))).toEqual([]);
    expect(Object.keys(s).filter((k) => k.startsWith('example-ai.')).sort()).toEqual(['example-ai.chat-model-a', 'example-ai.chat-model-b']);
    expect(out.yaml).toContain('named "example-ai" by its callers\' gen_ai.provider.name');
  });
});
