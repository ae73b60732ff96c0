/**
 * Jaeger's protobuf model as JSON (jaegertracing/jaeger-idl proto/api_v2/model.proto, written and read by gogo's
 * jsonpb): what `jaeger-query`'s gRPC api_v2 gives as JSON and what Jaeger's own test fixtures hold (`{"spans":
 * [...], "processMap": [...]}`, a model.Trace). Each span is turned into the UI's JSON span exactly as jaeger-query
 * turns a model span into what `/api/traces` returns (jaegertracing/jaeger internal/uimodel/converter/v1/json/
 * from_domain.go), then read as that:
 *
 * - ids: base64 of 16 and 8 bytes (jaeger-idl model/v1/ids.go TraceID and SpanID UnmarshalJSON: StdEncoding), written
 *   as hex by TraceID.String (16 digits when the upper 64 bits are zero) and SpanID.String;
 * - `startTime` (and a log's `timestamp`) as RFC 3339 with up to nine digits of fraction and an offset (gogo jsonpb:
 *   time.Parse(time.RFC3339Nano)), `duration` as Go's time.ParseDuration reads it ("0.022938s", "22938000ns");
 *   both cut to whole microseconds as model.TimeAsEpochMicroseconds and DurationAsMicroseconds cut them;
 * - enums as names or numbers, absent when zero (proto3): a reference without `refType` is CHILD_OF, a tag without
 *   `vType` is a STRING; a BINARY tag's value is its base64 text, as the UI's JSON writes []byte;
 * - a span's `process`, or its `processId` in the trace's `processMap` ([{processId, process}]);
 * - jsonpb reads a field by its JSON name or its proto name: `traceId` or `trace_id`, and so on.
 */
import { parseGoDuration } from '../../units/go-duration.js';
import { quoted } from '../../units/escape.js';

/** The UI's JSON form of a model span, or why it cannot be one. */
/** The UI's span made of a protobuf one, or why it is skipped (and where, when not where the span begins). */
export type Converted = { span: Record<string, unknown> } | { skip: string; at?: string };

/** A field by its JSON name (lowerCamelCase) or its proto name (snake_case), as jsonpb reads either. */
function field(o: Record<string, unknown>, camel: string): unknown {
  if (camel in o) return o[camel];
  return o[camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)];
}

const record = (v: unknown): Record<string, unknown> | null => (v !== null && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : null);

/** base64 (StdEncoding, padded) of exactly `bytes` bytes as lowercase hex; null when it is not. */
function base64Bytes(v: unknown, bytes: number): string | null {
  if (typeof v !== 'string' || v.length !== Math.ceil(bytes / 3) * 4 || !/^[A-Za-z0-9+/]+={0,2}$/.test(v)) return null;
  const b = Buffer.from(v, 'base64');
  return b.length === bytes ? b.toString('hex') : null;
}

/** TraceID.String: 16 digits when the upper 64 bits are zero, else 32. */
function traceIdHex(v: unknown): string | null {
  const hex = base64Bytes(v, 16);
  if (hex === null) return null;
  return hex.startsWith('0000000000000000') ? hex.slice(16) : hex;
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** An RFC 3339 time as whole microseconds since the epoch (cut, as TimeAsEpochMicroseconds: UnixNano() / 1000); null when it is not one. */
export function rfc3339Microseconds(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = RFC3339.exec(v);
  if (m === null) return null;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (mo < 1 || mo > 12 || d < 1 || d > days || h > 23 || mi > 59 || s > 59) return null;
  let offset = 0;
  if (m[8] !== 'Z') {
    const oh = Number(m[10]), om = Number(m[11]);
    if (oh > 23 || om > 59) return null;
    offset = (m[9] === '-' ? -1 : 1) * (oh * 60 + om) * 60;
  }
  const seconds = BigInt(Date.UTC(y, mo - 1, d, h, mi, s) / 1000 - offset);
  const ns = seconds * 1_000_000_000n + BigInt((m[7] ?? '').padEnd(9, '0'));
  return Number(ns / 1000n);
}

/** A duration as whole microseconds (cut, as DurationAsMicroseconds: Nanoseconds() / 1000); null when Go refuses it. */
export function protoDurationMicroseconds(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const d = parseGoDuration(v);
  return d.ok ? Number(d.value / 1000n) : null;
}

const VALUE_TYPES = ['STRING', 'BOOL', 'INT64', 'FLOAT64', 'BINARY'];
/** An enum by its name or number, absent meaning its zero (proto3); in lower case, or null when it is none of them. */
const enumName = (v: unknown, names: readonly string[]): string | null => {
  const name = v === undefined || v === null ? names[0] : typeof v === 'number' ? names[v] : typeof v === 'string' && names.includes(v) ? v : undefined;
  return name === undefined ? null : name.toLowerCase();
};

/** A KeyValue as the UI's {key, type, value}; a string naming why it is not one. */
function keyValue(raw: unknown): { key: string; type: string; value: unknown } | string {
  const kv = record(raw);
  if (kv === null || typeof kv.key !== 'string') return 'a tag without a key';
  const type = enumName(field(kv, 'vType'), VALUE_TYPES);
  if (type === null) return `a tag ${quoted(kv.key)} whose vType is none of STRING, BOOL, INT64, FLOAT64, BINARY`;
  const given = field(kv, type === 'string' ? 'vStr' : type === 'bool' ? 'vBool' : type === 'int64' ? 'vInt64' : type === 'float64' ? 'vFloat64' : 'vBinary');
  let value: unknown;
  if (type === 'string') value = given ?? '';
  else if (type === 'bool') value = given ?? false;
  else if (type === 'int64') value = typeof given === 'string' && /^-?\d+$/.test(given) ? Number(given) : given ?? 0;
  else if (type === 'float64') value = given ?? 0;
  else value = given ?? '';
  const ok = type === 'string' || type === 'binary' ? typeof value === 'string' : type === 'bool' ? typeof value === 'boolean' : typeof value === 'number' && Number.isFinite(value);
  if (!ok) return `a tag ${quoted(kv.key)} whose value is not of its vType ${type.toUpperCase()}`;
  if (type === 'binary' && (String(value).length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(String(value)))) return `a tag ${quoted(kv.key)} whose vBinary is not base64`;
  return { key: kv.key, type, value };
}

function keyValues(list: unknown): { tags: object[] } | { skip: string } {
  if (list === undefined || list === null) return { tags: [] };
  if (!Array.isArray(list)) return { skip: 'tags that are not a list' };
  const tags: object[] = [];
  for (const raw of list) {
    const kv = keyValue(raw);
    if (typeof kv === 'string') return { skip: kv };
    tags.push(kv);
  }
  return { tags };
}

/** A model Process as the UI's {serviceName, tags}; null when it is none. */
export function protoProcess(raw: unknown): { serviceName: unknown; tags: object[] } | null {
  const p = record(raw);
  if (p === null) return null;
  const tags = keyValues(p.tags);
  return { serviceName: field(p, 'serviceName'), tags: 'tags' in tags ? tags.tags : [] };
}

/** A trace's processMap ([{processId, process}]) as the UI's processes by id. */
export function protoProcessMap(raw: unknown): Record<string, { serviceName?: unknown }> {
  const out: Record<string, { serviceName?: unknown }> = {};
  if (!Array.isArray(raw)) return out;
  for (const m of raw) {
    const r = record(m);
    const id = r === null ? undefined : field(r, 'processId');
    const p = r === null ? null : protoProcess(r.process);
    if (typeof id === 'string' && p !== null) out[id] = p;
  }
  return out;
}

/** Whether a raw Jaeger span is of the protobuf model (base64 `traceId`/`spanId`) rather than the UI's (hex `traceID`/`spanID`). */
export function isProtoSpan(raw: Record<string, unknown>): boolean {
  return !('spanID' in raw) && (typeof raw.spanId === 'string' || typeof raw.span_id === 'string');
}

/** One model span as jaeger-query's from_domain.go writes it for the UI. */
export function protoSpanToUi(raw: Record<string, unknown>): Converted {
  const traceID = traceIdHex(field(raw, 'traceId')), spanID = base64Bytes(field(raw, 'spanId'), 8);
  if (traceID === null || spanID === null) return { skip: 'a span of Jaeger\'s protobuf model whose traceId or spanId is not base64 of 16 or 8 bytes (jaeger-idl model/v1/ids.go)' };
  const startTime = rfc3339Microseconds(field(raw, 'startTime'));
  const duration = protoDurationMicroseconds(raw.duration ?? '0s');
  if (startTime === null || duration === null) return { skip: 'a span of Jaeger\'s protobuf model whose startTime is not RFC 3339 or whose duration is not a Go duration ("0.001s")' };
  const refs = raw.references ?? [];
  if (!Array.isArray(refs)) return { skip: 'a span of Jaeger\'s protobuf model whose references are not a list' };
  const references: object[] = [];
  for (const r of refs) {
    const ref = record(r);
    const refType = ref === null ? null : enumName(field(ref, 'refType'), ['CHILD_OF', 'FOLLOWS_FROM']);
    const rt = ref === null ? null : traceIdHex(field(ref, 'traceId')), rs = ref === null ? null : base64Bytes(field(ref, 'spanId'), 8);
    if (refType === null || rt === null || rs === null) return { skip: 'a span of Jaeger\'s protobuf model with a reference that is not one (refType CHILD_OF or FOLLOWS_FROM, ids in base64)' };
    references.push({ refType: refType.toUpperCase(), traceID: rt, spanID: rs });
  }
  const tags = keyValues(raw.tags);
  if ('skip' in tags) return { skip: `a span of Jaeger's protobuf model with ${tags.skip}` };
  const logs: object[] = [];
  for (const l of Array.isArray(raw.logs) ? raw.logs : []) {
    const log = record(l);
    const timestamp = log === null ? null : rfc3339Microseconds(log.timestamp);
    const fields = log === null ? { skip: '' } : keyValues(log.fields);
    if (timestamp === null || 'skip' in fields) return { skip: 'a span of Jaeger\'s protobuf model with a log whose timestamp is not RFC 3339 or whose fields are not tags' };
    logs.push({ timestamp, fields: fields.tags });
  }
  const operationName = field(raw, 'operationName') ?? '';
  const process = raw.process === undefined || raw.process === null ? undefined : protoProcess(raw.process) ?? {};
  const processID = field(raw, 'processId');
  return {
    span: {
      traceID, spanID, operationName, references, startTime, duration, tags: tags.tags, logs,
      ...(process !== undefined ? { process } : {}),
      ...(typeof processID === 'string' && processID !== '' ? { processID } : {}),
      flags: raw.flags, warnings: raw.warnings,
    },
  };
}
