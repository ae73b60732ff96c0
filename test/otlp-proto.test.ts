/**
 * `run --traces` OTLP output against the official OTLP protobuf definitions (test/fixtures/otlp, transcribed from
 * open-telemetry/opentelemetry-proto) loaded with protobufjs: every key is a field of its message, every value has
 * its field's type under the OTLP/JSON rules, and the document decodes, encodes to protobuf and back unchanged.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';
import { runScenario } from '../src/score/result.js';
import { TraceRecorder } from '../src/observe/tracing.js';
import { writeTraces } from '../src/interop/traces/write.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';

const protoDir = new URL('./fixtures/otlp/', import.meta.url).pathname;
const root = new protobuf.Root();
root.resolvePath = (_origin, target) => join(protoDir, target);
root.loadSync('opentelemetry/proto/trace/v1/trace.proto');
root.resolveAll();
const TracesData = root.lookupType('opentelemetry.proto.trace.v1.TracesData');

const ID_BYTES: Record<string, number> = { traceId: 16, spanId: 8, parentSpanId: 8 };

/** Problems with `obj` as JSON of `type` under OTLP/JSON rules; converts hex ids to base64 for protobufjs as it goes. */
function check(type: protobuf.Type, obj: Record<string, unknown>, path: string, problems: string[]): void {
  for (const [key, value] of Object.entries(obj)) {
    const field = type.fields[key];
    if (!field) {
      problems.push(`${path}.${key}: no field "${key}" in ${type.fullName}`);
      continue;
    }
    const values = field.repeated ? (Array.isArray(value) ? value : (problems.push(`${path}.${key}: not a list`), [])) : [value];
    values.forEach((v, i) => {
      const at = field.repeated ? `${path}.${key}[${i}]` : `${path}.${key}`;
      const t = field.resolvedType;
      if (t instanceof protobuf.Type) {
        if (v === null || typeof v !== 'object') problems.push(`${at}: not an object`);
        else check(t, v as Record<string, unknown>, at, problems);
      } else if (t instanceof protobuf.Enum) {
        if (!(typeof v === 'number' && Object.values(t.values).includes(v))) problems.push(`${at}: ${JSON.stringify(v)} is not a ${t.name} number`);
      } else if (field.type === 'bytes') {
        const n = ID_BYTES[key];
        if (n === undefined || typeof v !== 'string' || !new RegExp(`^[0-9a-f]{${2 * n}}$`).test(v)) problems.push(`${at}: not ${n}-byte hex`);
        else if (!field.repeated) obj[key] = Buffer.from(v, 'hex').toString('base64');
      } else if (['int64', 'fixed64', 'uint64', 'sfixed64', 'sint64'].includes(field.type)) {
        if (!(typeof v === 'string' && /^-?\d+$/.test(v))) problems.push(`${at}: a 64-bit integer is a decimal string in OTLP/JSON`);
      } else if (['int32', 'uint32', 'fixed32', 'sint32', 'sfixed32'].includes(field.type)) {
        if (!Number.isInteger(v)) problems.push(`${at}: not an integer`);
      } else if (field.type === 'double' || field.type === 'float') {
        if (typeof v !== 'number') problems.push(`${at}: not a number`);
      } else if (field.type === 'string') {
        if (typeof v !== 'string') problems.push(`${at}: not a string`);
      } else if (field.type === 'bool') {
        if (typeof v !== 'boolean') problems.push(`${at}: not a boolean`);
      }
    });
  }
}

describe('OTLP output against the OTLP protobuf definitions', () => {
  const loaded = loadScenarioFile(new URL('../scenarios/two-flag-release.yaml', import.meta.url).pathname);
  if (!loaded.ok) throw new Error('scenario does not load');
  const tracer = new TraceRecorder({ rate: 0.01, errors: true });
  // The first 400 traces kept: 10 simulated minutes keep 707, and those 400 are the same bytes 30 minutes kept.
  runScenario({ ...loaded.scenario, durationUs: 600e6 } as typeof loaded.scenario, { tracer });
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-otlp-'));
  const file = join(dir, 'run.otlp.json');
  writeTraces(file, tracer.kept.slice(0, 400), 'otlp');

  it('every field is one of its message, with its type; the document encodes and decodes unchanged', () => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const problems: string[] = [];
    check(TracesData, doc, 'TracesData', problems);
    expect(problems.slice(0, 10)).toEqual([]);
    const message = TracesData.fromObject(doc);
    expect(TracesData.verify(message)).toBeNull();
    const bytes = TracesData.encode(message).finish();
    const back = TracesData.toObject(TracesData.decode(bytes), { longs: String, enums: Number, bytes: String, defaults: false });
    expect(back).toEqual(TracesData.toObject(message, { longs: String, enums: Number, bytes: String, defaults: false }));
    const spans = (back.resourceSpans as { scopeSpans: { spans: unknown[] }[] }[]).flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
    expect(spans.length).toBe(tracer.kept.slice(0, 400).reduce((n, t) => n + t.length, 0));
  });

  it('shows flag state per span: feature_flag events with key, variant, provider and the config version held', () => {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    type Event = { name: string; attributes: { key: string }[] };
    const events: Event[] = (doc.resourceSpans as { scopeSpans: { spans: { events?: Event[] }[] }[] }[])
      .flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.flatMap((x) => x.events ?? [])));
    expect(events.length).toBeGreaterThan(0);
    for (const e of events) {
      expect(e.name).toBe('feature_flag.evaluation');
      expect(e.attributes.map((a) => a.key)).toEqual(expect.arrayContaining(['feature_flag.key', 'feature_flag.variant', 'feature_flag.provider_name', 'rehearse.config_version']));
    }
  });

  it('reads back the same spans, whether ids are hex (OTLP/JSON) or base64 (the plain protobuf JSON mapping)', () => {
    const hex: Span[] = [];
    readTraceFile(file, (s) => hex.push(...s));
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const message = TracesData.fromObject((check(TracesData, doc, '', []), doc));
    const b64 = join(dir, 'base64.json');
    writeFileSync(b64, JSON.stringify(TracesData.toObject(message, { longs: String, enums: String, bytes: String })));
    const again: Span[] = [];
    readTraceFile(b64, (s) => again.push(...s));
    const key = (s: Span) => `${s.traceId}/${s.spanId}/${s.parentId}/${s.kind}/${s.startUs}/${s.durationUs}/${s.error}`;
    expect(again.map(key).sort()).toEqual(hex.map(key).sort());
  });
});
