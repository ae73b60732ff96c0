/**
 * OTLP and Jaeger files are read a span at a time: a resourceSpans element may hold a whole trace of a service (as
 * `run --traces` writes one element per service), an element of Jaeger's data is a whole trace, and parsing either
 * whole held its text and its parsed tree at once.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { streamJson, type Path } from '../src/interop/traces/json-stream.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-stream-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const span = (id: number, parent: number | null, name: string) => ({
  traceId: '0af7651916cd43dd8448eb211c80319c', spanId: id.toString(16).padStart(16, '0'), ...(parent ? { parentSpanId: parent.toString(16).padStart(16, '0') } : {}),
  name, kind: parent ? 3 : 2, startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(id) * 1000n), endTimeUnixNano: String(1_700_000_000_000_000_000n + 100_000n),
});
const file = (name: string, text: string) => {
  const f = join(dir, name);
  writeFileSync(f, text);
  return f;
};

describe('the JSON splitter', () => {
  it('hands over each span of resourceSpans[i].scopeSpans[j].spans on its own, and the values met on the way', () => {
    const f = file('one.json', JSON.stringify({ resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [span(1, null, 'a'), span(2, 1, 'b')] }] }] }));
    const seen: [Path, unknown][] = [];
    streamJson(f, [['resourceSpans', 'scopeSpans', 'spans']], (path, value) => seen.push([path, value]));
    expect(seen.map(([p]) => p)).toEqual([
      ['resourceSpans', 0, 'resource'],
      ['resourceSpans', 0, 'scopeSpans', 0, 'scope'],
      ['resourceSpans', 0, 'scopeSpans', 0, 'spans', 0],
      ['resourceSpans', 0, 'scopeSpans', 0, 'spans', 1],
    ]);
    expect((seen[3][1] as { name: string }).name).toBe('b');
  });

  it('still hands over a top-level list\'s objects whole (Zipkin spans, Jaeger traces)', () => {
    const f = file('list.json', JSON.stringify([{ traceId: 'a', id: 'b', spans: [1, 2] }]));
    const seen: Path[] = [];
    streamJson(f, [[], ['spans'], ['resourceSpans', 'scopeSpans', 'spans']], (path) => seen.push(path));
    expect(seen).toEqual([[0]]);
  });
});

describe('OTLP read a span at a time', () => {
  const read = (f: string) => {
    const traces: Span[][] = [];
    const r = readTraceFile(f, (spans) => traces.push(spans));
    return { r, spans: traces.flat() };
  };

  it('gives each span its element\'s service, whether the resource comes before or after the spans', () => {
    const after = file('after.json', `{"resourceSpans": [{"scopeSpans": [{"spans": ${JSON.stringify([span(1, null, 'a'), span(2, 1, 'b')])}}], "resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "shop"}}]}},
      {"resource": {"attributes": [{"key": "service.name", "value": {"stringValue": "db"}}]}, "scopeSpans": [{"spans": ${JSON.stringify([span(3, 2, 'c')])}}]}]}`);
    const { r, spans } = read(after);
    expect(r.format).toBe('otlp');
    expect(spans.map((s) => [s.name, s.service])).toEqual([['a', 'shop'], ['b', 'shop'], ['c', 'db']]);
  });

  it('JSON lines: each document\'s resourceSpans[0] is an element of its own; bad entries are counted', () => {
    const doc = (service: string, s: object[]) => JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans: s }] }] });
    const f = file('lines.json', `${doc('shop', [span(1, null, 'a')])}\n${JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span(2, 1, 'b'), 7] }] }, 'x'] })}\n${doc('db', [span(3, 2, 'c')])}\n`);
    const { r, spans } = read(f);
    expect(r.documents).toBe(3);
    expect(spans.map((s) => [s.name, s.service])).toEqual([['a', 'shop'], ['b', null], ['c', 'db']]);
    expect(Object.fromEntries(r.report.skipped)).toEqual({ 'a span that is not an object': 1, 'a resourceSpans entry that is not an object': 1 });
  });
});

describe('Jaeger read a span at a time', () => {
  const jspan = (id: string, traceID: string | undefined, processID: string, parent?: string) => ({
    ...(traceID ? { traceID } : {}), spanID: id, operationName: `op-${id}`, startTime: 1_700_000_000_000_000, duration: 100, processID,
    references: parent ? [{ refType: 'CHILD_OF', spanID: parent }] : [],
  });

  it('gives each span its process\'s service when the processes come after the spans, and the trace\'s id when it has none', () => {
    const f = file('jaeger.json', JSON.stringify({ data: [
      { spans: [jspan('a1', undefined, 'p1'), jspan('a2', 'aaa', 'p2', 'a1')], traceID: 'aaa', processes: { p1: { serviceName: 'shop' }, p2: { serviceName: 'db' } } },
      { traceID: 'bbb', spans: [jspan('b1', 'bbb', 'p1')], processes: { p1: { serviceName: 'shop' } } },
      { traceID: 'ccc', processes: {} },
    ] }));
    const traces: Span[][] = [];
    const r = readTraceFile(f, (spans) => traces.push(spans));
    expect(r.format).toBe('jaeger');
    // Hex ids padded to 16 digits, as Jaeger writes them (jaeger-idl model/v1/ids.go TraceID.String, SpanID.String).
    const id = (x: string) => x.padStart(16, '0');
    expect(traces.map((t) => t.map((s) => [s.traceId, s.spanId, s.service]).sort())).toEqual([
      [[id('aaa'), id('a1'), 'shop'], [id('aaa'), id('a2'), 'db']],
      [[id('bbb'), id('b1'), 'shop']],
    ]);
    expect(Object.fromEntries(r.report.skipped)).toEqual({ 'a trace without spans': 1 });
  });

  it('hands over each trace of data as its values and its spans, one at a time', () => {
    const seen: Path[] = [];
    streamJson(file('jaeger-paths.json', JSON.stringify({ data: [{ traceID: 'aaa', spans: [jspan('a1', 'aaa', 'p1')], processes: {} }] })), [['data'], ['data', 'spans']], (path) => seen.push(path));
    expect(seen).toEqual([['data', 0, 'traceID'], ['data', 0, 'spans', 0], ['data', 0, 'processes']]);
  });
});
