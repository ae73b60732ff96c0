/** Trace readers and calibrate on real example files (test/fixtures/traces/README.md names their sources), and bad input. */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { network, quantile, safe } from '../src/calibrate/scenario.js';
import { readTraceFile, readTraceFiles } from '../src/interop/traces/read.js';
import { zipkinSpans } from '../src/interop/traces/zipkin.js';
import type { Span } from '../src/observe/span.js';
import { InputError } from '../src/errors.js';
import { jaegerTrace } from '../src/interop/traces/jaeger.js';
import { otlpDocument } from '../src/interop/traces/otlp.js';
import { TraceRecorder } from '../src/observe/tracing.js';
import { runScenario } from '../src/score/result.js';
import { structure, load } from './roundtrip-helpers.js';
import { readFileSync } from 'node:fs';
import { loadScenarioFile } from '../src/load/scenario.js';

const fixture = (f: string) => new URL(`./fixtures/traces/${f}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-traces-'));

describe('reading trace files', () => {
  it.each([
    ['hotrod-otlp.json', 'otlp', 40],
    ['jaeger-ui-testtrace.json', 'jaeger', 11],
    ['otlp-telemetrygen.json', 'otlp', 2],
    ['zipkin-skew.json', 'zipkin', 4],
    ['jaeger-anonymized-spans.json', 'jaeger', 2],
  ])('%s is %s with %i spans', (file, format, spans) => {
    const r = readTraceFile(fixture(file), () => {});
    expect(r.format).toBe(format);
    expect(r.report.spans).toBe(spans);
  });

  it('reads a list of Jaeger spans with their processes inside, as Jaeger\'s anonymizer writes it and its uiconv reads it back', () => {
    // jaegertracing/jaeger cmd/anonymizer/app/writer/writer.go writes "[", then each span (model/json Span, its
    // process embedded) joined by ",\n"; uiconv/reader.go reads that list and extractor.go groups it by traceID.
    // It was read as Zipkin and refused: "2 a span without a traceId or id".
    const spans: Span[] = [];
    readTraceFile(fixture('jaeger-anonymized-spans.json'), (t) => spans.push(...t));
    expect(spans.map((s) => [s.service, s.name, s.parentId, s.kind, s.startUs, s.durationUs, s.error])).toEqual([
      ['16af988c443cff37', 'a071653098f9250d', '492770a15935810f', 'server', 1605223981761425, 267037, false],
      ['3c220036602f839e', '471418097747d04a', '7606ddfe69932d34', 'client', 1605223981965074, 32782, true],
    ]);
    const s = structure(load(calibrateFiles([fixture('jaeger-anonymized-spans.json')]).yaml));
    expect(s['16af988c443cff37.a071653098f9250d']).toContain('3c220036602f839e.471418097747d04a');
  });

  it('calibrates HotROD\'s own trace into its shape: ten lookups retried after errors, ten routes at most three at a time', () => {
    const s = structure(load(calibrateFiles([fixture('hotrod-otlp.json')]).yaml));
    expect(s['frontend.GET-dispatch']).toEqual(['customer.GET-customer', 'driver.driver-DriverService-FindNearest', 'parallel[route.GET-route x10] limit 3']);
    expect(s['driver.driver-DriverService-FindNearest']).toEqual(['redis-manual.FindDriverIDs', 'redis-manual.GetDriver x10 retry 1']);
    expect(s['customer.GET-customer']).toEqual(['mysql.SQL-SELECT']);
  });

  it('writes an endpoint measured by 200 spans or fewer as exactly those spans: the run draws the latencies the traces hold', () => {
    // Zipkin's own sample (zipkin-lens/testdata/simple-db-p6.json): three uninstrumented "insert" calls of 2033,
    // 2414 and 1118 us. Drawn uniformly (dist: empirical), they are the measured distribution, mean 1855 us; the
    // quantiles at 1/6, 1/2 and 5/6 (1423, 2033, 2287 us) lost both ends and moved the mean to 1914 us.
    const y = calibrateFiles([fixture('zipkin-simple-db.json')]).yaml;
    const insert = (parseYaml(y) as { services: Record<string, { endpoints: Record<string, { latency: unknown }> }> }).services.app_db.endpoints.insert;
    expect(insert.latency).toEqual({ dist: 'empirical', samples: ['1118us', '2033us', '2414us'] });
  });

  describe('an endpoint measured by more than 200 spans: 200 quantile bins, each its values\' mean, keep the mean', () => {
    const us = (x: string) => Number(x.replace(/us$/, ''));
    /** Per endpoint of more than 200 kept values: the measured values (sorted) and the written samples. */
    function written(files: string[]): { name: string; measured: number[]; samples: number[] }[] {
      const r = calibrateFiles(files);
      const doc = parseYaml(r.yaml) as { services: Record<string, { endpoints: Record<string, { latency: { dist?: string; samples?: string[] } }> }> };
      return [...r.analysis.endpoints.values()].filter((e) => e.own.length > 200).map((e) => ({
        name: `${e.service}.${e.endpoint}`,
        measured: [...e.own].sort((a, b) => a - b),
        samples: doc.services[safe(e.service)].endpoints[safe(e.endpoint)].latency.samples!.map(us),
      }));
    }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    function keeps(e: { name: string; measured: number[]; samples: number[] }) {
      expect(e.samples, e.name).toHaveLength(200);
      // The mean within 1%, as the network edges check theirs.
      expect(Math.abs(mean(e.samples) / mean(e.measured) - 1), e.name).toBeLessThan(0.01);
      // p50 and p99 are the edges between bins 99 and 100, and 197 and 198: each lies between the two bins' values.
      for (const [q, k] of [[0.5, 100], [0.99, 198]] as const) {
        const at = quantile(e.measured, q);
        expect(at, `${e.name} p${q * 100}`).toBeGreaterThanOrEqual(e.samples[k - 1] - 0.5);
        expect(at, `${e.name} p${q * 100}`).toBeLessThanOrEqual(e.samples[k] + 0.5);
      }
    }

    it('on a real trace set (test/fixtures/realsys: the shop\'s five services)', () => {
      const base = 'test/fixtures/realsys/base';
      const all = written(['frontend', 'catalog', 'cart', 'recommend', 'db'].map((s) => `${base}/${s}.otlp.json`));
      expect(all.length).toBeGreaterThan(0);
      all.forEach(keeps);
    });

    it('on a heavy tail: 5,000 lognormal spans of sigma 1.5 (200 midpoint quantiles wrote a mean 3.9% low)', () => {
      // A seeded lognormal (median 2 ms, sigma 1.5) as Zipkin v2 spans of one service.
      let seed = 7;
      const uniform = () => ((seed = (seed * 48271) % 2147483647) / 2147483647);
      const spans = Array.from({ length: 5000 }, (_, i) => {
        const z = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
        const id = (i + 1).toString(16).padStart(16, '0');
        return { traceId: id, id, kind: 'SERVER', name: 'get', timestamp: 1_700_000_000_000_000 + i * 10_000, duration: Math.max(1, Math.round(2000 * Math.exp(1.5 * z))), localEndpoint: { serviceName: 'api' } };
      });
      const file = join(dir, 'lognormal.json');
      writeFileSync(file, JSON.stringify(spans));
      const [e] = written([file]);
      expect(e.measured).toHaveLength(5000);
      keeps(e);
      // The mean of the written samples is the measured mean to rounding.
      expect(Math.abs(mean(e.samples) - mean(e.measured))).toBeLessThan(0.5);
      // A call edge's network time with the same tail: no number of midpoint quantiles keeps its mean; the bins do.
      const net = network(e.measured).text!;
      const samples = /samples: \[(.*)\]/.exec(net)![1].split(', ').map(us);
      expect(samples).toHaveLength(200);
      expect(Math.abs(mean(samples) / mean(e.measured) - 1)).toBeLessThan(0.01);
    });
  });

  it('reads Zipkin span ids as Zipkin keeps them: padded left to 16 hex digits, a parentId of zeros or of the span itself is no parent', () => {
    // openzipkin/zipkin zipkin2/Span.java Builder.id and Builder.parentId pad an id shorter than 16 with zeros and
    // unset a parentId of zeros; Span(Builder) unsets a parentId equal to the id. Jaeger's own Zipkin fixture has a
    // 15-digit parentId; its parent, as Zipkin's API returns it, has the padded id. The producer span was an
    // orphan, rooting a journey of its own.
    const parent = join(dir, 'zipkin-parent.json');
    writeFileSync(parent, JSON.stringify([
      { traceId: '091f00370361e578', id: '0c26551047c72d19', kind: 'SERVER', name: 'post /schemas', timestamp: 1597704629675000, duration: 9600000, localEndpoint: { serviceName: 'schemas-service' } },
      { traceId: '091f00370361e578', parentId: '0000000000000000', id: 'a1', name: 'cron', timestamp: 1597704629675000, duration: 5, localEndpoint: { serviceName: 'schemas-service' } },
      { traceId: '091f00370361e578', parentId: 'b2', id: 'b2', name: 'self', timestamp: 1597704629675000, duration: 5, localEndpoint: { serviceName: 'schemas-service' } },
    ]));
    const spans: Span[] = [];
    readTraceFiles([fixture('zipkin-producer-short-parent.json'), parent], (t) => spans.push(...t));
    expect(spans.map((s) => [s.name, s.spanId, s.parentId])).toEqual([
      ['send', '188bb8428fc7e477', '0c26551047c72d19'],
      ['post /schemas', '0c26551047c72d19', null],
      ['cron', '00000000000000a1', null],
      ['self', '00000000000000b2', null],
    ]);
    const c = calibrateFiles([fixture('zipkin-producer-short-parent.json'), parent]);
    expect(c.warnings.filter((w) => w.includes('orphan'))).toEqual([]);
    expect(structure(load(c.yaml))['schemas-service.post-schemas']).toEqual(['kafka.send async']);
  });

  it('corrects Zipkin clock skew and warns; reads FOLLOWS_FROM and producer spans as asynchronous', () => {
    const z = calibrateFiles([fixture('zipkin-skew.json')]);
    expect(z.warnings.some((w) => w.startsWith('clock skew') && w.includes('1e223ff1f80f1c69'))).toBe(true);
    const j = structure(load(calibrateFiles([fixture('jaeger-ui-testtrace.json')]).yaml));
    expect(j['service1.op1']).toContain('service2.op3 async');
  });

  it('names traces with orphan spans, parent cycles and spans with no service, and calibrates anyway', () => {
    const file = join(dir, 'odd.json');
    const span = (traceId: string, id: string, parentId: string | undefined, service: string | undefined, timestamp: number) =>
      ({ traceId, id, ...(parentId ? { parentId } : {}), kind: 'SERVER', name: 'op', timestamp, duration: 10, ...(service ? { localEndpoint: { serviceName: service } } : {}) });
    writeFileSync(file, JSON.stringify([
      span('00000000000000a1', '01', undefined, 'a', 100), span('00000000000000a1', '02', 'ff', 'b', 101),
      span('00000000000000b2', '03', '04', 'a', 200), span('00000000000000b2', '04', '03', 'b', 201), span('00000000000000b2', '05', undefined, 'a', 199),
      span('00000000000000c3', '06', undefined, undefined, 300),
    ]));
    const r = calibrateFiles([file]);
    expect(r.warnings.find((w) => w.startsWith('orphan spans'))).toContain('00000000000000a1');
    expect(r.warnings.find((w) => w.startsWith('cycles'))).toContain('00000000000000b2');
    expect(r.warnings.find((w) => w.startsWith('no service'))).toContain('00000000000000c3');
    expect(load(r.yaml).services.map((s) => s.name)).toEqual(expect.arrayContaining(['a', 'b', 'unknown']));
  });

  it.each([
    ['empty.json', '', /empty file/],
    ['truncated.json', '{"data": [{"traceID": "a", "spans": [', /:1:\d+: truncated JSON in data\[0\]/],
    ['text.json', 'hello', /not JSON/],
    ['other.json', '{"kind": "not traces"}', /no trace format found/],
    ['noids.json', '[{"name": "x", "timestamp": 1, "duration": 2}]', /no usable spans.*without a traceId or id/],
  ])('refuses %s with the file and what is wrong', (name, text, message) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    expect(() => readTraceFile(file, () => {})).toThrow(InputError);
    expect(() => readTraceFile(file, () => {})).toThrow(message);
    expect(() => readTraceFile(file, () => {})).toThrow(file);
  });

  it('reads JSON lines, one OTLP export request per line as a collector\'s file exporter writes them', () => {
    // A collector's file (test/fixtures/realsys/double): one document of every batch; the same batches, a line each.
    const collector = new URL('./fixtures/realsys/double/collector.otlp.json', import.meta.url).pathname;
    const batches = (JSON.parse(readFileSync(collector, 'utf8')) as { resourceSpans: unknown[] }).resourceSpans;
    const lines = join(dir, 'collector.jsonl');
    writeFileSync(lines, batches.map((b) => JSON.stringify({ resourceSpans: [b] })).join('\n') + '\n');
    const whole: Span[] = [], perLine: Span[] = [];
    const a = readTraceFile(collector, (t) => whole.push(...t));
    const b = readTraceFile(lines, (t) => perLine.push(...t));
    expect(b.documents).toBe(batches.length);
    expect(b.traces).toBe(a.traces);
    expect(perLine.map((s) => s.spanId).sort()).toEqual(whole.map((s) => s.spanId).sort());
    // A second document on the same line is not JSON lines.
    const same = join(dir, 'same-line.json');
    writeFileSync(same, `${JSON.stringify({ resourceSpans: [batches[0]] })} ${JSON.stringify({ resourceSpans: [batches[1]] })}\n`);
    expect(() => readTraceFile(same, () => {})).toThrow(/:1:\d+: unexpected text after the end of the document/);
  });

  it('joins a trace whose spans sit in several files of different formats: one file per service', () => {
    const l = loadScenarioFile(new URL('../scenarios/hotrod.yaml', import.meta.url).pathname);
    if (!l.ok) throw new Error('scenarios/hotrod.yaml does not load');
    const t = new TraceRecorder({ rate: 1, errors: false });
    runScenario({ ...l.scenario, durationUs: 60e6 } as typeof l.scenario, { tracer: t });
    const services = [...new Set(t.kept.flat().map((s) => s.service!))].sort();
    const files = services.map((svc, i) => {
      const spans = t.kept.flat().filter((s) => s.service === svc);
      const file = join(dir, `split-${svc}.json`);
      // Alternately OTLP JSON lines (a document per trace) and Zipkin.
      if (i % 2 === 0) {
        const byTrace = new Map<string, Span[]>();
        for (const s of spans) byTrace.set(s.traceId, [...(byTrace.get(s.traceId) ?? []), s]);
        writeFileSync(file, [...byTrace.values()].map((x) => JSON.stringify(otlpDocument(x))).join('\n'));
      } else writeFileSync(file, JSON.stringify(zipkinSpans(spans)));
      return file;
    });
    const joined = new Map<string, number>();
    const reads = readTraceFiles(files, (spans) => joined.set(spans[0].traceId, spans.length));
    expect(reads.map((r) => r.format)).toEqual(services.map((_, i) => (i % 2 === 0 ? 'otlp' : 'zipkin')));
    expect(joined.size).toBe(t.kept.length);
    const split = calibrateFiles(files);
    expect(split.warnings.filter((w) => w.startsWith('orphan'))).toEqual([]);
    expect(split.analysis.journeys.size).toBe(1);
    const single = join(dir, 'single.json');
    writeFileSync(single, JSON.stringify(otlpDocument(t.kept.flat())));
    expect(structure(load(split.yaml))).toEqual(structure(load(calibrateFiles([single]).yaml)));
  });

  it('calibrates from the good spans of a file with bad ones, and counts what it skipped', () => {
    const file = join(dir, 'some-bad.json');
    const spans = JSON.parse(readFileSync(fixture('zipkin-skew.json'), 'utf8'));
    writeFileSync(file, JSON.stringify([...spans, { name: 'no ids', timestamp: 1 }, { traceId: 'ab', id: 'cd' }]));
    const r = calibrateFiles([file]);
    expect(r.files[0].report.skippedTotal).toBe(2);
    expect(r.warnings.some((w) => w.includes('skipped 1 a span without a traceId or id'))).toBe(true);
  });

  it('skips spans whose times or names are of another type, each for what it is: never read as time 0 or an unnamed span', () => {
    const zipkin = join(dir, 'odd-types-zipkin.json');
    const span = { traceId: 'ab', id: 'cd', name: 'get', kind: 'SERVER', timestamp: 1470150004000000, duration: 1000, localEndpoint: { serviceName: 'a' } };
    writeFileSync(zipkin, JSON.stringify([
      span, { ...span, id: 'c1', timestamp: '1470150004000100' }, { ...span, id: 'c2', name: null },
      { ...span, id: 'e1', timestamp: null }, { ...span, id: 'e2', timestamp: '' }, { ...span, id: 'e3', timestamp: true },
      { ...span, id: 'e4', duration: -5 }, { ...span, id: 'e5', duration: 'NaN' }, { ...span, id: 'e6', name: { a: 1 } },
    ]));
    const z = readTraceFile(zipkin, () => {});
    expect({ spans: z.report.spans, skipped: Object.fromEntries(z.report.skipped) }).toEqual({
      // e4's duration of -5 is none, as zipkin2/Span.java Builder.duration reads it (below 0 is 0, and 0 is unset).
      spans: 4,
      skipped: {
        // A part of a span reported in parts, with no part that has a timestamp to merge it into.
        'a span without a timestamp, and no part of it (its id, shared flag and service) with one': 1,
        // A time Gson's JsonReader.nextLong does not read (zipkin2/internal/V2SpanReader.java): said field by field.
        "a span whose Zipkin Span.duration is text, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
        "a span whose Zipkin Span.timestamp is text, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
        "a span whose Zipkin Span.timestamp is true or false, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
        'a span whose name is not text': 1,
      },
    });
    const jaeger = join(dir, 'odd-types-jaeger.json');
    const j = { traceID: 'ab', spanID: 'cd', operationName: 'get', startTime: 1470150004000000, duration: 1000, processID: 'p1', tags: [] };
    writeFileSync(jaeger, JSON.stringify({ data: [{ traceID: 'ab', processes: { p1: { serviceName: 'a' } }, spans: [
      j, { ...j, spanID: 'c1', startTime: '1470150004000100' }, { ...j, spanID: 'e1', startTime: null }, { ...j, spanID: 'e2', startTime: '' },
      { ...j, spanID: 'e3', duration: [1] }, { ...j, spanID: 'e4', operationName: 7 },
    ] }] }));
    const r = readTraceFile(jaeger, () => {});
    expect({ spans: r.report.spans, skipped: Object.fromEntries(r.report.skipped) }).toEqual({
      spans: 1,
      skipped: {
        'a span without a startTime or duration': 1,
        // uint64 as Jaeger's JSON model declares them (model/json/model.go), read by Go's encoding/json: no text, not
        // even of digits (test/left-23.test.ts), said field by field.
        "a span whose Jaeger Span.duration is a list, not a whole number of 0 or more (uint64: Go reads no text for it) (Jaeger's reader (Go's encoding/json) refuses it)": 1,
        "a span whose Jaeger Span.startTime is text, not a whole number of 0 or more (uint64: Go reads no text for it) (Jaeger's reader (Go's encoding/json) refuses it)": 1,
        "a span whose Jaeger Span.startTime is the text of a number, not a whole number of 0 or more (uint64: Go reads no text for it) (Jaeger's reader (Go's encoding/json) refuses it)": 1,
        'a span whose operationName is not text': 1,
      },
    });
  });

  it('refuses a trace file with bytes that are not UTF-8 at their line and column (a Latin-1 "café" was read as service "caf")', () => {
    const file = join(dir, 'latin1-zipkin.json');
    const span = '{"traceId": "ab", "id": "cd", "name": "get", "kind": "SERVER", "timestamp": 1470150004000000, "duration": 1000, "localEndpoint": {"serviceName": "SVC"}}';
    const [head, tail] = span.split('SVC');
    writeFileSync(file, Buffer.concat([Buffer.from(`[\n${head}caf`), Buffer.from([0xe9]), Buffer.from(`${tail}\n]\n`)]));
    expect(() => readTraceFile(file, () => {})).toThrow(`${file}:2:${head.length + 4}: not UTF-8 text: byte 0xe9 (save the file as UTF-8)`);
  });

  it('skips spans whose times are past what a double holds to the microsecond (1e300): calibrate named its own output a bug', () => {
    const span = { traceId: 'ab', id: 'cd', name: 'get', kind: 'SERVER', timestamp: 1470150004000000, duration: 1000, localEndpoint: { serviceName: 'a' } };
    const zipkin = join(dir, 'huge-times-zipkin.json');
    writeFileSync(zipkin, JSON.stringify([span, { ...span, id: 'e1', duration: 1e300 }, { ...span, id: 'e2', timestamp: 1e300 }, { ...span, id: 'e3', timestamp: '9'.repeat(400) }]));
    const z = readTraceFile(zipkin, () => {});
    expect({ spans: z.report.spans, skipped: Object.fromEntries(z.report.skipped) }).toEqual({
      spans: 1,
      skipped: {
        "a span whose Zipkin Span.duration is a number out of range, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
        "a span whose Zipkin Span.timestamp is a number out of range, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
        "a span whose Zipkin Span.timestamp is the text of a number out of range, not a whole number (int64, or its text) (Zipkin's reader (V2SpanReader, with Gson) refuses it)": 1,
      },
    });
    const otlp = join(dir, 'huge-times-otlp.json');
    const o = { traceId: '0af7651916cd43dd8448eb211c80319c', spanId: 'b7ad6b7169203331', name: 'get', kind: 2, startTimeUnixNano: '1470150004000000000', endTimeUnixNano: '1470150004001000000' };
    writeFileSync(otlp, JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'a' } }] }, scopeSpans: [{ spans: [
      o, { ...o, spanId: 'b7ad6b7169203332', endTimeUnixNano: `1${'0'.repeat(300)}` }, { ...o, spanId: 'b7ad6b7169203333', startTimeUnixNano: 1e300, endTimeUnixNano: 1e300 },
    ] }] }] }));
    const r = readTraceFile(otlp, () => {});
    expect({ spans: r.report.spans, skipped: Object.fromEntries(r.report.skipped) }).toEqual({ spans: 1, skipped: { 'a span without valid start and end times': 2 } });
    const c = calibrateFiles([zipkin]);
    expect(c.yaml).toContain('services:');
  });
});

describe('traces of a run', () => {
  const loaded = loadScenarioFile(new URL('../scenarios/two-flag-release.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error('scenarios/two-flag-release.yaml does not load');
  const scenario = loaded.scenario;
  const tracer = new TraceRecorder({ rate: 0.02, errors: false });
  runScenario({ ...scenario, durationUs: 1_200e6 } as typeof scenario, { tracer });

  it('leaves the run itself unchanged: the same result document with and without tracing', () => {
    const short = { ...scenario, durationUs: 600e6 } as typeof scenario;
    const plain = runScenario(short);
    const traced = runScenario(short, { tracer: new TraceRecorder({ rate: 0.5, errors: true }) });
    expect(JSON.stringify(traced)).toBe(JSON.stringify(plain));
  });

  it('samples by journey number, the same journeys every time, and puts flag state on the spans of services that evaluate flags', () => {
    const again = new TraceRecorder({ rate: 0.02, errors: false });
    runScenario({ ...scenario, durationUs: 1_200e6 } as typeof scenario, { tracer: again });
    expect(again.kept.map((t) => t[0].traceId)).toEqual(tracer.kept.map((t) => t[0].traceId));
    expect(tracer.kept.length).toBeGreaterThan(0);
    const events = tracer.kept.flat().flatMap((s) => s.events).filter((e) => e.name === 'feature_flag.evaluation');
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(typeof e.attributes['feature_flag.key']).toBe('string');
      expect(['on', 'off']).toContain(e.attributes['feature_flag.variant']);
      expect(typeof e.attributes['rehearse.config_version']).toBe('number');
    }
  });

  // What jaeger-ui's loader needs (packages/jaeger-ui/src/types/trace.ts SpanData/TraceData and
  // src/model/transform-trace-data.ts): a traceID, spans with spanID, operationName, startTime and duration in
  // microseconds, a processID found in processes (else "unknown-service"), and references to spans of the trace.
  it('errors+0% keeps every journey that failed or that a flag or fault slowed past the SLO, and no other', () => {
    const l = loadScenarioFile(new URL('../scenarios/consumer-first.yaml', import.meta.url).pathname);
    if (!l.ok) throw new Error('scenarios/consumer-first.yaml does not load');
    const t = new TraceRecorder({ rate: 0, errors: true });
    const result = runScenario({ ...l.scenario, durationUs: 900e6 } as typeof l.scenario, { tracer: t });
    const roots = t.kept.map((spans) => spans.find((s) => s.parentId === null)!);
    const failed = Object.values(result.journeys).reduce((n, j) => n + j.errors, 0);
    expect(failed).toBeGreaterThan(0);
    expect(roots.filter((r) => r.error).length).toBe(failed);
    for (const r of roots) expect(r.error || r.attributes['rehearse.slowed_by_flag'] === true || 'rehearse.fault' in r.attributes).toBe(true);
    expect(roots.filter((r) => r.error && r.attributes['rehearse.flag'] !== undefined).length).toBeGreaterThan(0);
  });

  it('keeps traces whole when callers give up on calls still queued (timeouts, open breakers: scenarios/flash-sale.yaml, its first 13 minutes)', () => {
    const l = loadScenarioFile(new URL('../scenarios/flash-sale.yaml', import.meta.url).pathname);
    if (!l.ok) throw new Error('scenarios/flash-sale.yaml does not load');
    const t = new TraceRecorder({ rate: 0.02, errors: true });
    runScenario({ ...l.scenario, durationUs: 780e6 } as typeof l.scenario, { tracer: t });
    let timeouts = 0;
    for (const spans of t.kept) {
      const ids = new Set(spans.map((x) => x.spanId));
      for (const x of spans) {
        if (x.parentId !== null) expect(ids.has(x.parentId)).toBe(true);
        expect(x.durationUs).toBeGreaterThanOrEqual(0);
        if (x.attributes['error.type'] === 'timeout') timeouts++;
      }
    }
    expect(timeouts).toBeGreaterThan(0);
  });

  it('writes Jaeger traces the way the UI loads them: traceID, spans with references and a processID in processes', () => {
    for (const t of tracer.kept.slice(0, 20)) {
      const doc = jaegerTrace(t) as {
        traceID: string; processes: Record<string, { serviceName: string }>;
        spans: { traceID: string; spanID: string; operationName: string; startTime: number; duration: number; processID: string; references: { refType: string; spanID: string; traceID: string }[] }[];
      };
      expect(doc.traceID).toMatch(/^[0-9a-f]{32}$/);
      const ids = new Set(doc.spans.map((s) => s.spanID));
      expect(ids.size).toBe(doc.spans.length);
      for (const s of doc.spans) {
        expect(s.traceID).toBe(doc.traceID);
        expect(s.operationName).not.toBe('');
        expect(Number.isInteger(s.startTime) && Number.isInteger(s.duration) && s.duration >= 0).toBe(true);
        expect(doc.processes[s.processID].serviceName).toBeTruthy();
        for (const ref of s.references) {
          expect(['CHILD_OF', 'FOLLOWS_FROM']).toContain(ref.refType);
          expect(ids.has(ref.spanID)).toBe(true);
          expect(ref.traceID).toBe(doc.traceID);
        }
      }
    }
  });

  it('writes OTLP with hex ids of the right length, nanosecond strings and numeric kinds', () => {
    const doc = otlpDocument(tracer.kept[0]) as { resourceSpans: { scopeSpans: { spans: { traceId: string; spanId: string; kind: number; startTimeUnixNano: string }[] }[] }[] };
    for (const r of doc.resourceSpans) for (const s of r.scopeSpans[0].spans) {
      expect(s.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(s.spanId).toMatch(/^[0-9a-f]{16}$/);
      expect(s.startTimeUnixNano).toMatch(/^\d+$/);
      expect([1, 2, 3, 4, 5]).toContain(s.kind);
    }
  });
});

describe('the command line', () => {
  const bin = new URL('../bin/rehearse.js', import.meta.url).pathname;
  const cli = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir });

  it('calibrate writes a scenario that validates and runs; bad files exit 2 with the file and no stack trace', () => {
    const out = join(dir, 'hotrod.yaml');
    const r = cli('calibrate', fixture('hotrod-otlp.json'), fixture('zipkin-skew.json'), '--out', out);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('scenario written to');
    expect(r.stderr).toContain('clock skew');
    expect(cli('run', out, '-q').status).toBe(0);
    // A mistyped option is refused before anything is printed: no scenario on stdout beside exit 2.
    const typo = cli('calibrate', fixture('hotrod-otlp.json'), '--predict', '100');
    expect({ status: typo.status, stdout: typo.stdout, stderr: typo.stderr }).toEqual({
      status: 2, stdout: '',
      stderr: '--predict: invalid rate "100": write a number per unit of time, e.g. "300/s", "20/m", "500/h", or a multiple of the traces\' rate such as 2x\n',
    });
    const bad = join(dir, 'truncated-cli.json');
    writeFileSync(bad, '{"resourceSpans": [{"scopeSpans": [');
    const b = cli('calibrate', bad);
    expect(b.status).toBe(2);
    expect(b.stderr).toContain(`${bad}:1:`);
    expect(b.stderr).not.toMatch(/\n\s+at /);
  });

  it('calibrates a span with tens of thousands of calls: its lines are not passed as one call\'s arguments', () => {
    const file = join(dir, 'wide.json');
    const base = 1470150004000000;
    const spans = Array.from({ length: 12_000 }, (_, i) => ({
      traceId: 'ab', id: (i + 1).toString(16), ...(i ? { parentId: '1' } : {}), name: `op${i % 3}`, kind: i % 2 ? 'CLIENT' : 'SERVER',
      timestamp: base + i, duration: 10, localEndpoint: { serviceName: `s${i % 5}` },
    }));
    writeFileSync(file, JSON.stringify(spans));
    // A smaller stack brings the limit on a call's arguments (about a hundred thousand by default) within reach of
    // a small file: spreading the lines into push() ended in a RangeError with its stack.
    const r = spawnSync(process.execPath, ['--stack-size=100', bin, 'calibrate', file, '-q', '--out', join(dir, 'wide.yaml')], { encoding: 'utf8' });
    expect({ status: r.status, stderr: r.stderr.replace(/^warning: .*\n/gm, '') }).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(join(dir, 'wide.yaml'), 'utf8').match(/^ +- \{ to: s\d\.op\d/gm)?.length).toBeGreaterThan(5000);
  });

  it('run --traces writes a file that calibrate reads back; --trace-sample is checked', () => {
    const file = join(dir, 'run.jaeger.json');
    const r = cli('run', new URL('../scenarios/hotrod.yaml', import.meta.url).pathname, '-q', '--traces', file, '--trace-format', 'jaeger', '--trace-sample', '20%');
    expect(r.status).toBe(0);
    const read = readTraceFile(file, () => {});
    expect(read.format).toBe('jaeger');
    expect(read.traces).toBeGreaterThan(50);
    expect(cli('run', new URL('../scenarios/hotrod.yaml', import.meta.url).pathname, '-q', '--traces', file, '--trace-sample', 'lots').status).toBe(2);
  });

  it('--group-by regex: is RE2, searched in linear time: a backtracking pattern over a span name from the traces does not hang', () => {
    const spans = Array.from({ length: 3 }, (_, k) => ({
      traceId: (k + 1).toString(16).padStart(32, '0'), spanId: (k + 1).toString(16).padStart(16, '0'), name: `${'a'.repeat(34)}!`, kind: 2,
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(k) * 100_000_000n), endTimeUnixNano: String(1_700_000_000_001_000_000n + BigInt(k) * 100_000_000n), status: {},
    }));
    const file = join(dir, 'backtrack.otlp.json');
    writeFileSync(file, JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: {}, spans }] }] }));
    // JavaScript's RegExp took minutes on each name (2^34 ways to split the a's); RE2 answers at once.
    const r = spawnSync(process.execPath, [bin, 'calibrate', file, '--group-by', 'regex:^(a+)+$'], { encoding: 'utf8', cwd: dir, timeout: 30_000 });
    expect(r.error, 'timed out').toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`steps: [svc.${'a'.repeat(34)}]`);
    // What RE2 has no syntax for is refused, as Go refuses it.
    const look = cli('calibrate', file, '--group-by', 'regex:(?<=a)!');
    expect(look.status).toBe(2);
    expect(look.stderr.trim()).toBe('--group-by: invalid regular expression: invalid named capture: `(?<=a)!`');
  });

  it('--check and --predict refuse trace names the scenario writes alike, which they would compare with each other\'s figures', () => {
    /** Root spans of one service, one trace each: `name` taking `ms` milliseconds. */
    const traces = (file: string, ops: [string, number][]) => {
      const spans = ops.flatMap(([name, ms], k) => Array.from({ length: 100 }, (_, i) => {
        const n = k * 100 + i + 1;
        const start = 1_700_000_000_000_000_000n + BigInt(n) * 100_000_000n;
        return { traceId: n.toString(16).padStart(32, '0'), spanId: n.toString(16).padStart(16, '0'), name, kind: 2, startTimeUnixNano: String(start), endTimeUnixNano: String(start + BigInt(ms * 1e6)), status: {} };
      }));
      writeFileSync(join(dir, file), JSON.stringify({ resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'svc' } }] }, scopeSpans: [{ scope: {}, spans }] }] }));
      return join(dir, file);
    };
    const both = traces('alike.otlp.json', [['GET-a', 50], ['GET /a', 1]]);
    const clash = (flag: string) => [
      `${flag}: the traces' journeys "GET /a" and "GET-a" are both named "GET-a" in a scenario, so their figures cannot be told apart: group them with --group-by regex:PATTERN, or rename one in the traces`,
      `${flag}: the traces' endpoints "GET /a" and "GET-a" of service "svc" are both named "GET-a" in a scenario, so their figures cannot be told apart: group them with --group-by regex:PATTERN, or rename one in the traces`,
    ].join('\n');
    const out = join(dir, 'alike.yaml');
    for (const args of [['--check', both], ['--predict', '2x']]) {
      const r = cli('calibrate', both, '--out', out, ...args, '--resamples', '0');
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr.trim()).toBe(clash(args[0]));
    }
    // Alike across the two sets: the check's "GET /a" would be compared with the calibration's "GET-a".
    const across = cli('calibrate', traces('a-dash.otlp.json', [['GET-a', 50]]), '--out', out, '--check', traces('a-slash.otlp.json', [['GET /a', 1]]), '--resamples', '0');
    expect(across.status, across.stderr).toBe(2);
    expect(across.stderr.trim()).toBe(clash('--check'));
    // Traces to compare with that are not there: refused before the scenario is written.
    const missing = join(dir, 'not-written.yaml');
    const gone = cli('calibrate', traces('a-dash.otlp.json', [['GET-a', 50]]), '--out', missing, '--check', join(dir, 'no-such.otlp.json'));
    expect(gone.status, gone.stderr).toBe(2);
    expect(gone.stderr.trim()).toBe(`${join(dir, 'no-such.otlp.json')}: no such file`);
    expect(gone.stdout).toBe('');
    expect(existsSync(missing)).toBe(false);
    // Without a comparison, the scenario keeps them apart (GET-a, GET-a-2).
    const plain = cli('calibrate', both, '--out', out);
    expect(plain.status, plain.stderr).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^ {2}GET-a: \{ weight: 100, steps: \[svc\.GET-a\] \}(?: {3}# traced as \"GET \/a\")?\n(?: {2}#.*\n)? {2}GET-a-2: \{ weight: 100, steps: \[svc\.GET-a-2\] \}(?: {3}# traced as \"GET \/a\")?$/m);
  });
});
