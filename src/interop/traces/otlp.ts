/**
 * OTLP JSON (the OTLP/HTTP JSON encoding of opentelemetry-proto's TracesData): `resourceSpans[]` with a resource
 * (`service.name`) and `scopeSpans[]` of spans (keys by their JSON or proto names, as the collector reads them; not
 * `instrumentationLibrarySpans[]`, which the collector drops since v0.58.0: field-tables.ts); kinds and
 * status codes as numbers or enum names; 64-bit integers as strings; ids in hex as the OTLP spec requires, or
 * in base64 as the plain protobuf JSON mapping writes bytes.
 */
import { VERSION } from '../../version.js';
import type { AttributeValue, ReadReport, Span, SpanKind } from '../../observe/span.js';
import { hexTraceId } from '../../observe/span.js';
import { errorTag, statusCodeError } from '../../observe/span-errors.js';
import { httpCodeNote } from './http-codes.js';
import { checkFields, locate, numeric, shown } from './fields.js';
import { OTLP_FIELDS } from './field-tables.js';

const KINDS: SpanKind[] = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const KIND_NUMBER: Record<SpanKind, number> = { unspecified: 0, internal: 1, server: 2, client: 3, producer: 4, consumer: 5 };

interface AnyValue {
  stringValue?: string; boolValue?: boolean; intValue?: string | number; doubleValue?: number;
  arrayValue?: { values?: AnyValue[] }; kvlistValue?: { values?: KeyValue[] }; bytesValue?: string;
}
interface KeyValue { key?: unknown; value?: AnyValue }

function anyValue(v: AnyValue | undefined): AttributeValue {
  if (!v || typeof v !== 'object') return '';
  if (v.stringValue !== undefined) return shown(v.stringValue);
  if (v.boolValue !== undefined) return v.boolValue === true;
  if (v.intValue !== undefined) return numeric(v.intValue);
  if (v.doubleValue !== undefined) return numeric(v.doubleValue);
  const inner = nested(v);
  if (inner !== null) return nestedText(inner);
  if (v.bytesValue !== undefined) return shown(v.bytesValue);
  return '';
}

/** A list or map value's elements (a map's entries with a text key), or null for a value of another kind. */
function nested(v: unknown): { list: readonly unknown[]; map: boolean } | null {
  if (!v || typeof v !== 'object') return null;
  const a = v as AnyValue;
  if (a.stringValue !== undefined || a.boolValue !== undefined || a.intValue !== undefined || a.doubleValue !== undefined) return null;
  const values = (x: { values?: unknown } | null | undefined) => (x !== null && typeof x === 'object' && Array.isArray(x.values) ? x.values : []);
  if (a.arrayValue !== undefined) return { list: values(a.arrayValue), map: false };
  if (a.kvlistValue === undefined) return null;
  // A key given twice keeps its first place and its last value, as attributes do.
  const entries = new Map<string, unknown>();
  for (const kv of values(a.kvlistValue) as (KeyValue | null)[]) if (kv && typeof kv.key === 'string') entries.set(kv.key, kv.value);
  return { list: [...entries], map: true };
}

/**
 * A list or map value as JSON text, nested values as JSON too, as the collector's Value.AsString writes them
 * (pdata/pcommon/value.go: json.Marshal of AsRaw). Written with its own stack: a value may nest thousands of levels,
 * where JSON.stringify overflows; and each level written as the text of the level below doubled the escapes each
 * time (a value 30 levels deep in a file of a kilobyte made a string past what V8 holds).
 */
function nestedText(root: { list: readonly unknown[]; map: boolean }): string {
  const out: string[] = [];
  const stack: { list: readonly unknown[]; map: boolean; i: number }[] = [];
  const open = (n: { list: readonly unknown[]; map: boolean }) => {
    out.push(n.map ? '{' : '[');
    stack.push({ ...n, i: 0 });
  };
  open(root);
  while (stack.length > 0) {
    const f = stack[stack.length - 1];
    if (f.i >= f.list.length) {
      out.push(f.map ? '}' : ']');
      stack.pop();
      continue;
    }
    if (f.i > 0) out.push(',');
    let v = f.list[f.i++];
    if (f.map) {
      const [key, value] = v as [string, unknown];
      out.push(JSON.stringify(key), ':');
      v = value;
    }
    const inner = nested(v);
    if (inner !== null) open(inner);
    else out.push(JSON.stringify(anyValue(v as AnyValue | undefined)));
  }
  return out.join('');
}

function attributesOf(list: unknown): Record<string, AttributeValue> {
  const out: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return out;
  for (const kv of list as KeyValue[]) if (kv && typeof kv.key === 'string') out[kv.key] = anyValue(kv.value);
  return out;
}

/** An id as lowercase hex: hex as given, or base64 of `bytes` bytes converted; null when it is neither. */
export function idHex(id: unknown, bytes: number): string | null {
  if (typeof id !== 'string' || id === '') return null;
  if (id.length === bytes * 2 && /^[0-9a-fA-F]+$/.test(id)) return /^0+$/.test(id) ? null : id.toLowerCase();
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(id)) {
    const b = Buffer.from(id, 'base64');
    if (b.length === bytes) {
      const hex = b.toString('hex');
      return /^0+$/.test(hex) ? null : hex;
    }
  }
  return null;
}

const nanosToUs = (v: unknown): number => {
  let us: number;
  // A fixed64 of the collector's reader (ReadUint64): a negative number or one with a fraction is none.
  if (typeof v === 'number') us = Number.isInteger(v) && v >= 0 ? v / 1000 : NaN;
  else if (typeof v !== 'string' || !/^\d+$/.test(v)) return NaN;
  // Microseconds without losing the digits a double cannot hold at nanosecond precision.
  else us = v.length > 3 ? Number(v.slice(0, -3)) + Number(v.slice(-3)) / 1000 : Number(v) / 1000;
  // Past 2^53 microseconds (the year 2255) a double no longer holds every one: 1e300 is no time.
  return Math.abs(us) <= Number.MAX_SAFE_INTEGER ? us : NaN;
};

const STATUS_NAMES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'];

/**
 * An enum value as OTLP/JSON gives it, its number or its name, as the collector's decoder reads it (opentelemetry-
 * collector pdata/internal/json/iterator.go `ReadEnumValue`): a name not of the enum, or a value neither number
 * nor text, fails the request ("unknown string value", "unsupported value type"): null. A number is kept as it is,
 * one of the enum or not (proto3's enums are open). Absent: 0.
 */
function enumNumber(v: unknown, names: readonly string[]): number | null {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return null;
  const i = names.indexOf(v);
  return i < 0 ? null : i;
}

// Kind names as before: SPAN_KIND_SERVER, and leniently SERVER or server.
const KIND_NAMES = KINDS.map((k) => `SPAN_KIND_${k.toUpperCase()}`);
const kindName = (k: unknown): unknown => (typeof k === 'string' ? `SPAN_KIND_${k.replace(/^SPAN_KIND_/i, '').toUpperCase()}` : k);

/**
 * The span's kind and status code, or the reason the span is refused. A number no value of the enum (kind 9, code
 * 7) is warned at its place and read as unspecified and unset, as Jaeger's translator reads it (no span.kind tag,
 * no error: opentelemetry-collector-contrib pkg/translator/jaeger).
 */
function enums(raw: Record<string, unknown>, report: ReadReport): { kind: SpanKind; code: number } | string {
  const k = enumNumber(kindName(raw.kind), KIND_NAMES);
  if (k === null) return `a span whose kind is no SpanKind (${KIND_NAMES.join(', ')}; the collector's JSON decoder refuses the request)`;
  const status = raw.status as { code?: unknown } | null | undefined;
  const code = status !== null && typeof status === 'object' ? enumNumber(status.code, STATUS_NAMES) : 0;
  if (code === null) return `a span whose status code is no StatusCode (${STATUS_NAMES.join(', ')}; the collector's JSON decoder refuses the request)`;
  const kind = KINDS[k];
  if (kind === undefined) report.noteField('OTLP Span.kind outside SpanKind', () => locate(report, [...report.base, 'kind']), () => `OTLP Span.kind: ${shown(raw.kind)} is no SpanKind (0 to 5): read as SPAN_KIND_UNSPECIFIED, as Jaeger's translator gives it no span.kind`);
  if (code < 0 || code > 2 || !Number.isInteger(code)) report.noteField('OTLP Status.code outside StatusCode', () => locate(report, [...report.base, 'status', 'code']), () => `OTLP Status.code: ${shown(code)} is no StatusCode (0 to 2): read as STATUS_CODE_UNSET (the span fails only by its attributes), as Jaeger's translator marks no error`);
  return { kind: kind ?? 'unspecified', code };
}

/** A key as the collector reads it: its proto name (snake_case) as its JSON name (lowerCamelCase). */
export const otlpKey = (key: string): string => (key.includes('_') ? key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase()) : key);

/** Whether a value's JSON text may hold a key by its proto name (a cheap look before the walk). */
const SNAKE_KEY = /"[a-z0-9]+(_[a-z0-9]+)+"\s*:/;

/**
 * A value with every key by its proto name renamed to its JSON name, as the collector's reader reads either
 * (pdata/internal/generated_proto_*.go UnmarshalJSON: `case "startTimeUnixNano", "start_time_unix_nano"`); given
 * both, a list gets the items of each and another value is the last given, as that reader appends and assigns. Walked
 * with its own stack (an attribute's value may nest thousands of levels); the value itself when `text` has no such key.
 */
export function otlpCamel(value: unknown, text: string): unknown {
  if (!SNAKE_KEY.test(text) || value === null || typeof value !== 'object') return value;
  // Each value to copy, by where it goes; set as an own property (a key "__proto__" stays a key).
  const put = (holder: object, slot: string | number, v: unknown) => Object.defineProperty(holder, slot, { value: v, writable: true, enumerable: true, configurable: true });
  const box: { v?: unknown } = {};
  const stack: [object, string | number, object][] = [[box, 'v', value]];
  while (stack.length > 0) {
    const [holder, slot, v] = stack.pop()!;
    if (Array.isArray(v)) {
      const list: unknown[] = [];
      put(holder, slot, list);
      v.forEach((x, i) => {
        list.push(x);
        if (x !== null && typeof x === 'object') stack.push([list, i, x]);
      });
      continue;
    }
    const merged = new Map<string, unknown>();
    for (const [k, x] of Object.entries(v)) {
      const key = otlpKey(k);
      const before = merged.get(key);
      merged.set(key, Array.isArray(before) && Array.isArray(x) ? [...before, ...x] : x);
    }
    const o = {};
    put(holder, slot, o);
    for (const [k, x] of merged) {
      put(o, k, x);
      if (x !== null && typeof x === 'object') stack.push([o, k, x]);
    }
  }
  return box.v;
}

/** The service a `resource` names (`service.name`), or null. */
export function otlpService(rawResource: unknown, text = ''): string | null {
  const resource = otlpCamel(rawResource, text);
  const attributes = attributesOf((resource as { attributes?: unknown } | null | undefined)?.attributes);
  const name = attributes['service.name'];
  return typeof name === 'string' && name !== '' ? name : null;
}

/** One span of a `scopeSpans` element, of `service`; null (and counted in `report`) when it is not a span. */
export function otlpSpan(rawSpan: unknown, service: string | null, report: ReadReport): Span | null {
  if (rawSpan === null || typeof rawSpan !== 'object') {
    report.skip('a span that is not an object');
    return null;
  }
  // A field of a type the collector's reader refuses (attributes that are no list, a boolValue of "true", an intValue
  // past int64) refuses the span: read anyway, it was read as something else or not at all, without a word.
  const refused = checkFields(OTLP_FIELDS, 'OTLP', 'Span', rawSpan, report);
  const raw = otlpCamel(rawSpan, report.hereText) as Record<string, unknown>;
  if (refused !== null) {
    report.skip(`a span whose ${refused.why}`, refused.at);
    return null;
  }
  // A trace id whose upper 64 bits are zero (a 64-bit trace passed on by B3 or Jaeger propagation) is kept as Zipkin
  // and Jaeger keep it, its lower 16 digits (hexTraceId), so the trace joins their files.
  const hex = idHex(raw.traceId, 16);
  const traceId = hex === null ? null : hexTraceId(hex), spanId = idHex(raw.spanId, 8);
  if (traceId === null || spanId === null) {
    report.skip('a span without a valid traceId or spanId');
    return null;
  }
  // An absent or empty parentSpanId, or one of zeros (an invalid SpanID), is a root; one that is not an id at all
  // is refused, as the OTLP/JSON decoder refuses it (a span read as a root would move it to a journey of its own).
  const rawParent = raw.parentSpanId;
  const parentId = rawParent === undefined || rawParent === null || rawParent === '' ? null : idHex(rawParent, 8);
  if (parentId === null && rawParent !== undefined && rawParent !== null && rawParent !== '' && !(typeof rawParent === 'string' && /^(0{16}|A{11}=)$/.test(rawParent))) {
    report.skip('a span whose parentSpanId is not 8 bytes in hex or base64');
    return null;
  }
  const start = nanosToUs(raw.startTimeUnixNano), end = nanosToUs(raw.endTimeUnixNano);
  if (!Number.isFinite(start) || !Number.isFinite(end) || end < start) {
    report.skip('a span without valid start and end times');
    return null;
  }
  const read = enums(raw, report);
  if (typeof read === 'string') {
    report.skip(read);
    return null;
  }
  const { kind, code } = read;
  // Links are not modelled: Zipkin's OTLP collector drops them (zipkin-otel SpanTranslator), Jaeger shows them as
  // FOLLOWS_FROM references (opentelemetry-collector-contrib pkg/translator/jaeger), so the backends disagree.
  if (Array.isArray(raw.links) && raw.links.length > 0) report.leftOut('OTLP links, not modelled (Zipkin drops them; Jaeger shows them as FOLLOWS_FROM references, the parent of a span without one)');
  const attributes = attributesOf(raw.attributes);
  const statusError = code === 2, statusOk = code === 1;
  httpCodeNote('OTLP attribute', (key) => {
    const i = Array.isArray(raw.attributes) ? (raw.attributes as KeyValue[]).findLastIndex((kv) => kv?.key === key) : -1;
    return i < 0 ? null : [...report.base, 'attributes', i, 'value'];
  }, attributes, kind, statusError || statusOk, report);
  const events = Array.isArray(raw.events)
    ? (raw.events as { timeUnixNano?: unknown; name?: unknown; attributes?: unknown }[]).map((e) => ({
      timeUs: nanosToUs(e?.timeUnixNano), name: typeof e?.name === 'string' ? e.name : '', attributes: attributesOf(e?.attributes),
    }))
    : [];
  return {
    traceId,
    spanId,
    parentId,
    follows: false,
    service,
    name: typeof raw.name === 'string' ? raw.name : '',
    kind,
    startUs: start,
    durationUs: end - start,
    error: statusError || (!statusOk && (errorTag(attributes) || report.failedBy(statusCodeError(attributes, kind)))),
    attributes,
    events,
    shared: false,
    remoteService: typeof attributes['peer.service'] === 'string' ? attributes['peer.service'] : null,
  };
}

// ---- writing ----------------------------------------------------------------------------------------------

function keyValue(key: string, v: AttributeValue): { key: string; value: AnyValue } {
  if (typeof v === 'boolean') return { key, value: { boolValue: v } };
  if (typeof v === 'number') return { key, value: Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v } };
  return { key, value: { stringValue: v } };
}

const usToNanos = (us: number): string => {
  const whole = Math.floor(us);
  const frac = Math.round((us - whole) * 1000);
  return frac === 0 ? `${whole}000` : `${whole}${String(frac).padStart(3, '0')}`;
};

/** Spans as one OTLP JSON TracesData document: a resourceSpans entry per service, ids in hex. */
export function otlpDocument(spans: readonly Span[]): object {
  const byService = new Map<string, Span[]>();
  for (const s of spans) {
    const name = s.service ?? 'unknown';
    let list = byService.get(name);
    if (!list) byService.set(name, (list = []));
    list.push(s);
  }
  return {
    resourceSpans: [...byService].map(([service, list]) => ({
      resource: { attributes: [keyValue('service.name', service)] },
      scopeSpans: [{
        scope: { name: 'rehearse', version: VERSION },
        spans: list.map((s) => ({
          traceId: s.traceId.padStart(32, '0'),
          spanId: s.spanId,
          ...(s.parentId !== null ? { parentSpanId: s.parentId } : {}),
          name: s.name,
          kind: KIND_NUMBER[s.kind],
          startTimeUnixNano: usToNanos(s.startUs),
          endTimeUnixNano: usToNanos(s.startUs + s.durationUs),
          attributes: Object.entries(s.attributes).map(([k, v]) => keyValue(k, v)),
          ...(s.events.length > 0 ? {
            events: s.events.map((e) => ({
              timeUnixNano: usToNanos(e.timeUs), name: e.name, attributes: Object.entries(e.attributes).map(([k, v]) => keyValue(k, v)),
            })),
          } : {}),
          status: s.error ? { code: 2, message: String(s.attributes['error.type'] ?? 'error') } : {},
        })),
      }],
    })),
  };
}
