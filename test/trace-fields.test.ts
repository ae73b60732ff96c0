/**
 * Every field a trace format's own schema defines is modelled, warned (once a file, at the field's own
 * file:line:column) or refused. The schemas' field lists are committed extracts (fixtures/trace-schemas/fields.json,
 * each with its source: opentelemetry-proto trace.proto, common.proto and resource.proto; zipkin-api
 * zipkin2-api.yaml; jaeger-ui src/types/trace.tsx; jaeger-idl proto/api_v2/model.proto).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { JAEGER_ES_FIELDS, JAEGER_FIELDS, JAEGER_PROTO_FIELDS, OTLP_FIELDS, ZIPKIN_FIELDS } from '../src/interop/traces/field-tables.js';
import { ENVELOPE_FIELDS } from '../src/interop/traces/wrapper-tables.js';
import { findPath, type FieldTable } from '../src/interop/traces/fields.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { ReadReport } from '../src/observe/span.js';

interface Extract { source: string; types: Record<string, string[]> }
const schemas = JSON.parse(readFileSync(new URL('./fixtures/trace-schemas/fields.json', import.meta.url), 'utf8')) as Record<string, Extract>;
const FORMATS: [string, string, FieldTable][] = [
  ['otlp', 'OTLP', OTLP_FIELDS], ['zipkin', 'Zipkin', ZIPKIN_FIELDS], ['jaeger', 'Jaeger', JAEGER_FIELDS], ['jaegerProto', 'Jaeger (protobuf model)', JAEGER_PROTO_FIELDS],
];

const dir = mkdtempSync(join(tmpdir(), 'rehearse-trace-fields-'));
const write = (name: string, doc: unknown): string => {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(doc, null, 2));
  return file;
};
const read = (file: string): ReadReport => readTraceFile(file, () => {}).report;

const T = '5b8aa5a2d2c872e8321cf37308d69df2', S = '051581bf3cb55c13';
const b64 = (hex: string) => Buffer.from(hex, 'hex').toString('base64');

// Made here: one span of each format carrying every field its table warns of, with a value that is warned.
const otlpDoc = {
  resourceSpans: [{
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }], droppedAttributesCount: 2, entityRefs: [{ type: 'service' }] },
    scopeSpans: [{
      scope: { name: 'io.opentelemetry.http', version: '1.2.0', attributes: [], droppedAttributesCount: 1 },
      spans: [{
        traceId: T, spanId: S, traceState: 'ot=th:8', flags: 1793, name: 'GET /', kind: 2,
        startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000005000000', attributes: [], droppedAttributesCount: 3,
        events: [{ timeUnixNano: '1700000000001000000', name: 'exception', droppedAttributesCount: 4 }], droppedEventsCount: 5,
        links: [{ traceId: T, spanId: '1111111111111111' }], droppedLinksCount: 6, status: { code: 2, message: 'boom' }, parentSpanID: 'x',
      }],
      schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
    }],
    schemaUrl: 'https://opentelemetry.io/schemas/1.21.0',
  }, {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: 'old' } }] },
    instrumentationLibrarySpans: [{ instrumentationLibrary: { name: 'old-lib' }, spans: [{ traceId: T, spanId: '2222222222222222', name: 'x', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000001000000' }] }],
  }],
};
const endpoint = { serviceName: 'api', ipv4: '10.0.0.1', ipv6: '::1', port: 8080 };
const zipkinDoc = [{
  traceId: T, id: S, name: 'get', kind: 'SERVER', timestamp: 1700000000000000, duration: 5000, debug: true, shared: true,
  localEndpoint: endpoint, remoteEndpoint: endpoint, annotations: [{ timestamp: 1700000000000001, value: 'ws' }], tags: {}, parentID: 'x',
}];
const jaegerDoc = {
  data: [{
    traceID: T,
    spans: [{
      traceID: T, spanID: S, operationName: 'get', startTime: 1700000000000000, duration: 5000, flags: 3, warnings: ['clock skew adjusted'],
      processID: 'p1', tags: [], logs: [{ timestamp: 1700000000000001, fields: [], name: 'not a field' }], references: [],
    }],
    processes: { p1: { serviceName: 'api', tags: [{ key: 'hostname', type: 'string', value: 'h1' }] } },
    warnings: ['a trace warning'],
  }],
};
const protoDoc = {
  spans: [{
    traceId: b64(T), spanId: b64(S), operationName: 'get', startTime: '2023-11-14T22:13:20Z', duration: '0.005s', flags: 2, warnings: ['a span warning'],
    process: { serviceName: 'api', tags: [{ key: 'ip', vStr: '10.0.0.1' }] },
  }],
  warnings: ['a trace warning'],
};
const DOCS: Record<string, unknown> = { otlp: otlpDoc, zipkin: zipkinDoc, jaeger: jaegerDoc, jaegerProto: protoDoc };

// Jaeger's Elasticsearch documents (dbmodel/model.go) and the documents' wrappers (Jaeger's API answers, OTLP's
// TracesData, jaeger-ui's FetchedTrace): their warned fields are checked in trace-wrappers.test.ts.
const SCHEMAS: [string, string, FieldTable][] = [...FORMATS, ['jaegerEs', 'Jaeger (Elasticsearch)', JAEGER_ES_FIELDS], ['wrappers', 'wrappers', ENVELOPE_FIELDS]];

describe('trace fields: every field of the vendor\'s schema has a disposition', () => {
  for (const [key, format, table] of SCHEMAS) {
    it(`${format}: ${schemas[key].source.split(':')[0]}`, () => {
      const missing: string[] = [];
      for (const [type, fields] of Object.entries(schemas[key].types)) {
        for (const f of fields) if (table[type]?.[f] === undefined) missing.push(`${type}.${f}`);
      }
      expect(missing).toEqual([]);
      // and every type a table walks into is a table of its own
      for (const fields of Object.values(table)) for (const d of Object.values(fields)) for (const t of [d.object, d.items, d.values]) if (t) expect(table[t], t).toBeDefined();
    });
  }
});

describe('trace fields: each warned field is warned on a file that has it, once, at its own place', () => {
  for (const [key, format, table] of FORMATS) {
    it(format, () => {
      const file = write(`${key}.json`, DOCS[key]);
      const lines = readFileSync(file, 'utf8').split('\n');
      const notes = read(file).fieldNotes;
      for (const [type, fields] of Object.entries(table)) {
        for (const [field, d] of Object.entries(fields)) {
          if (d.fate !== 'warned') continue;
          // Links are warned of by the reader with a count of spans (report.leftOut), not here.
          if (format === 'OTLP' && field === 'links') continue;
          const n = notes.get(`${format} ${type}.${field}`);
          expect(n, `${format} ${type}.${field}`).toBeDefined();
          const [line] = n!.at.split(':').map(Number);
          expect(lines[line - 1], `${format} ${type}.${field} at ${n!.at}`).toContain(`"${field}"`);
        }
      }
    });
  }

  it('says what calibrate does without the field, with the count dropped', () => {
    const notes = read(write('otlp-msg.json', otlpDoc)).fieldNotes;
    expect(notes.get('OTLP Span.droppedAttributesCount')?.message).toBe('OTLP Span.droppedAttributesCount: dropped 3 attributes: the span\'s error (an error attribute, a status code) may be among them');
    expect(notes.get('OTLP Span.droppedEventsCount')?.message).toContain('dropped 5 events');
    expect(notes.get('OTLP Span.flags')?.message).toContain('flags 1793');
  });

  it('names the field\'s own line and column (the key\'s opening quote)', () => {
    const file = write('zipkin-at.json', zipkinDoc);
    const lines = readFileSync(file, 'utf8').split('\n');
    const n = read(file).fieldNotes.get('Zipkin Span.debug')!;
    const [line, column] = n.at.split(':').map(Number);
    expect(lines[line - 1].slice(column - 1)).toMatch(/^"debug": true/);
  });

  it('warns of a field the schema does not define, with the schema field it is close to', () => {
    const zipkin = read(write('zipkin-unknown.json', zipkinDoc)).fieldNotes.get('Zipkin Span.parentID');
    expect(zipkin?.message).toBe('"parentID" is not a field of Zipkin\'s Span: not read; did you mean "parentId"?');
    expect(read(write('otlp-unknown.json', otlpDoc)).fieldNotes.get('OTLP Span.parentSpanID')?.message).toContain('did you mean "parentSpanId"?');
    // An attribute whose value names no type of AnyValue would be read as empty text: warned, with the type meant.
    const typo = { resourceSpans: [{ ...otlpDoc.resourceSpans[0], resource: { attributes: [{ key: 'service.name', value: { stringValue: 'api' } }, { key: 'n', value: { intvalue: '3' } }] } }] };
    expect(read(write('otlp-anyvalue.json', typo)).fieldNotes.get('OTLP AnyValue.intvalue')?.message).toBe('"intvalue" is not a field of OTLP\'s AnyValue: not read; did you mean "intValue"?');
    expect(read(write('jaeger-unknown.json', jaegerDoc)).fieldNotes.get('Jaeger Log.name')?.message).toBe('"name" is not a field of Jaeger\'s Log: not read');
  });

  it('does not warn of a value that changes nothing (no drops, sampled flags only, debug false)', () => {
    const quiet = [{ ...zipkinDoc[0], debug: false, localEndpoint: { serviceName: 'api' }, remoteEndpoint: undefined, parentID: undefined }];
    expect([...read(write('zipkin-quiet.json', quiet)).fieldNotes.keys()]).toEqual([]);
    const span = otlpDoc.resourceSpans[0].scopeSpans![0].spans[0];
    const calm = { resourceSpans: [{ resource: { attributes: [], droppedAttributesCount: 0 }, scopeSpans: [{ spans: [{ ...span, traceState: '', flags: 1, droppedAttributesCount: 0, droppedEventsCount: 0, droppedLinksCount: 0, events: [], links: [], status: { code: 2 }, parentSpanID: undefined }] }] }] };
    expect([...read(write('otlp-quiet.json', calm)).fieldNotes.keys()]).toEqual([]);
  });

  it('warns once a file however many spans have the field (200,000 spans: one warning, counted)', () => {
    const spans = Array.from({ length: 200_000 }, (_, i) => ({ traceId: T, id: (i + 1).toString(16).padStart(16, '0'), name: 'get', timestamp: 1700000000000000 + i, duration: 10, debug: true, localEndpoint: { serviceName: 'api' } }));
    const notes = read(write('zipkin-many.json', spans)).fieldNotes;
    expect([...notes.keys()]).toEqual(['Zipkin Span.debug']);
    expect(notes.get('Zipkin Span.debug')!.count).toBe(200_000);
    expect(notes.get('Zipkin Span.debug')!.at).toBe('8:5');
  });
});

describe('trace fields: calibrate', () => {
  it('prints each warned field once, with file:line:column, and writes the same scenario as without the fields', () => {
    const spans = (extra: object) => Array.from({ length: 50 }, (_, i) => ({
      traceId: (i + 1).toString(16).padStart(16, '0'), id: 'a'.padStart(16, '0'), name: 'get', kind: 'SERVER', timestamp: 1700000000000000 + i * 1000, duration: 100 + i,
      localEndpoint: { serviceName: 'api', ...extra }, ...(i === 7 ? { debug: true } : {}),
    }));
    const bin = new URL('../bin/rehearse.js', import.meta.url).pathname;
    const run = (f: string) => spawnSync(process.execPath, [bin, 'calibrate', f], { encoding: 'utf8' });
    const plain = run(write('cli-plain.json', spans({}))), addressed = run(write('cli-addressed.json', spans({ ipv4: '10.0.0.1', port: 8080 })));
    expect(addressed.status).toBe(0);
    expect(addressed.stdout.replaceAll('cli-addressed', 'cli-plain')).toBe(plain.stdout);
    const lines = addressed.stderr.split('\n').filter((l) => l.includes('Zipkin '));
    expect(lines).toEqual([
      expect.stringMatching(/^warning: .*cli-addressed\.json:\d+:\d+: Zipkin LocalEndpoint\.ipv4: .* \(50 times in the file; the first here\)$/),
      expect.stringMatching(/^warning: .*cli-addressed\.json:\d+:\d+: Zipkin LocalEndpoint\.port: /),
      expect.stringMatching(/^warning: .*cli-addressed\.json:\d+:\d+: Zipkin Span\.debug: debug .* is not read/),
    ]);
  });
});

describe('findPath', () => {
  it('finds a key inside a list item, not an earlier one of the same name', () => {
    const text = '{"events": [{"name": "a"}, {"name": "b", "droppedAttributesCount": 1}]}';
    expect(text.slice(findPath(text, ['events', 1, 'droppedAttributesCount']))).toMatch(/^"droppedAttributesCount": 1/);
    expect(text.slice(findPath(text, ['events', 1]))).toMatch(/^\{"name": "b"/);
    expect(findPath(text, ['events', 2])).toBe(-1);
  });
});
