/**
 * Zipkin v2 JSON (zipkin2-api.yaml): a list of spans, or a list of traces (each a list of spans) as the UI and
 * `/api/v2/traces` give them. `kind` is CLIENT, SERVER, PRODUCER or CONSUMER; a server span may share its id
 * with its client (`shared: true`); tags are strings; times are microseconds.
 */
import { KIND_BY_NAME, microseconds, type AttributeValue, type ReadReport, type Span } from '../../observe/span.js';
import { markRead } from './zipkin-merge.js';
import { checkFields } from './fields.js';
import { ZIPKIN_FIELDS } from './field-tables.js';
import { httpCodeNote, statusTagNote } from './http-codes.js';

export function zipkinSpan(raw: unknown, report: ReadReport): Span | null {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    report.skip('a span that is not an object');
    return null;
  }
  const s = raw as Record<string, unknown>;
  // A field of a type Zipkin's reader refuses (a localEndpoint that is text, shared: "true") refuses the span.
  const refused = checkFields(ZIPKIN_FIELDS, 'Zipkin', 'Span', s, report);
  if (refused !== null) {
    report.skip(`a span whose ${refused.why}`, refused.at);
    return null;
  }
  if (typeof s.traceId !== 'string' || s.traceId === '' || typeof s.id !== 'string' || s.id === '') {
    report.skip('a span without a traceId or id');
    return null;
  }
  // A timestamp or duration of 0 or less is none (zipkin2/Span.java Builder.timestamp and duration: below 0 is 0,
  // and 0 is unset): a span without a timestamp is a part, merged into the part with one (zipkin-merge.ts).
  const given = microseconds(s.timestamp), time = microseconds(s.duration) ?? 0;
  if ((given !== undefined && !Number.isFinite(given)) || !Number.isFinite(time)) {
    report.skip('a span whose timestamp or duration is not a number of microseconds');
    return null;
  }
  const start = given !== undefined && given > 0 ? given : undefined, duration = Math.max(0, time);
  if (s.name !== undefined && s.name !== null && typeof s.name !== 'string') {
    report.skip('a span whose name is not text');
    return null;
  }
  // What Zipkin's own reader refuses (openzipkin/zipkin zipkin2/internal/V2SpanReader.java): a kind that is not one
  // of Span.Kind's names (Kind.valueOf), a tag whose value is not text or a number (nextString; "No value at" for
  // null), an annotation without its timestamp or value ("Incomplete annotation"). A null field is no field.
  const wrong = zipkinRefusal(s);
  if (wrong !== null) {
    report.skip(wrong);
    return null;
  }
  const tags: Record<string, AttributeValue> = {};
  if (s.tags && typeof s.tags === 'object') for (const [k, v] of Object.entries(s.tags as Record<string, unknown>)) tags[k] = String(v);
  const local = s.localEndpoint as { serviceName?: unknown } | undefined;
  const remote = s.remoteEndpoint as { serviceName?: unknown; ipv4?: unknown; ipv6?: unknown; port?: unknown } | undefined;
  // The remote address as the collector's Zipkin receiver reads it (pkg/translator/zipkin/zipkinv2/to_translator.go
  // zTagsToInternalAttrs): net.peer.ip unless a tag has it (ipv4 first: both are inserted, not upserted),
  // net.peer.port over a tag's.
  if (remote && typeof remote === 'object') {
    const ip = typeof remote.ipv4 === 'string' && remote.ipv4 !== '' ? remote.ipv4 : typeof remote.ipv6 === 'string' && remote.ipv6 !== '' ? remote.ipv6 : null;
    if (ip !== null && tags['net.peer.ip'] === undefined) tags['net.peer.ip'] = ip;
    if (typeof remote.port === 'number' && Number.isInteger(remote.port) && remote.port > 0) tags['net.peer.port'] = String(remote.port);
  }
  const events = Array.isArray(s.annotations)
    ? (s.annotations as { timestamp: unknown; value: unknown }[]).map((a) => ({ timeUs: Number(a.timestamp), name: String(a.value), attributes: {} }))
    : [];
  // Ids as Zipkin keeps them (openzipkin/zipkin zipkin2/Span.java normalizeTraceId, Builder.id, Builder.parentId,
  // which V2SpanReader calls): zipkinTraceId, zipkinSpanId. A parentId of zeros, or one equal to the span's own id,
  // is no parent. Zipkin refuses ids that are not lower-case hex, too long, or (a trace id or a 16-digit span id)
  // all zeros.
  const traceId = zipkinTraceId(s.traceId), spanId = zipkinSpanId(s.id);
  const rawParent = typeof s.parentId === 'string' && s.parentId !== '' ? s.parentId : null;
  const parent = rawParent === null ? null : zipkinSpanId(rawParent);
  if (traceId === null || spanId === null || s.id === '0000000000000000' || (rawParent !== null && parent === null)) {
    report.skip('a span whose traceId, id or parentId is not lower-case hex as Zipkin reads it (1 to 32, 16 and 16 digits, not all zeros)');
    return null;
  }
  if (s.traceId.length > 16 && s.traceId.length < 32 && traceId.startsWith('0000000000000000')) report.padded.set(s.traceId, report.here);
  // Zipkin keeps span and service names in lower case (Span.java Builder.name, Endpoint.java Builder.serviceName):
  // what its UI and API show, and what a team searches by.
  const name = lower(typeof s.name === 'string' ? s.name : '', 'names', report);
  if (local && typeof local.serviceName === 'string' && local.serviceName !== '') report.spelled(local.serviceName);
  const service = local && typeof local.serviceName === 'string' && local.serviceName !== '' ? lower(local.serviceName, 'services', report) : null;
  const remoteService = remote && typeof remote.serviceName === 'string' && remote.serviceName !== '' ? lower(remote.serviceName, 'services', report) : null;
  const kind = typeof s.kind === 'string' ? KIND_BY_NAME[s.kind.toLowerCase()] : 'unspecified';
  // The tags that decide whether the span failed, said at their place when they hold what no reader reads as such.
  const tagAt = (key: string) => [...report.base, 'tags', key];
  const status = statusTagNote('Zipkin tag', tagAt, tags, true, report);
  httpCodeNote('Zipkin tag', tagAt, tags, kind, 'error' in tags || status !== '', report);
  const span: Span = {
    traceId,
    spanId,
    parentId: parent === null || /^0+$/.test(parent) || parent === spanId ? null : parent,
    follows: false,
    service,
    name,
    kind,
    startUs: start ?? NaN,
    durationUs: duration,
    error: false,
    attributes: tags,
    events,
    shared: s.shared === true,
    remoteService,
  };
  // Whether it failed, and a part of a span without its timing, merged into the part with it once the trace is
  // whole (zipkin-merge.ts).
  markRead(span, report, start === undefined);
  return span;
}

const ZIPKIN_KINDS = ['CLIENT', 'SERVER', 'PRODUCER', 'CONSUMER'];
const text = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

/** Why Zipkin's V2SpanReader refuses the span's kind, tags or annotations, or null. */
function zipkinRefusal(s: Record<string, unknown>): string | null {
  if (s.kind !== undefined && s.kind !== null && !ZIPKIN_KINDS.includes(s.kind as string)) return 'a span whose kind is not CLIENT, SERVER, PRODUCER or CONSUMER (Span.Kind.valueOf)';
  if (s.tags !== undefined && s.tags !== null) {
    if (typeof s.tags !== 'object' || Array.isArray(s.tags) || !Object.values(s.tags).every(text)) return 'a span whose tags are not an object of text values';
  }
  if (s.annotations !== undefined && s.annotations !== null) {
    const ok = Array.isArray(s.annotations) && s.annotations.every((a) => {
      const r = a as { timestamp?: unknown; value?: unknown } | null;
      return r !== null && typeof r === 'object' && Number.isFinite(microseconds(r.timestamp)) && text(r.value);
    });
    if (!ok) return 'a span with an annotation without its timestamp or value (V2SpanReader: "Incomplete annotation")';
  }
  return null;
}

/**
 * A trace id as Zipkin normalizes it (zipkin2/Span.java normalizeTraceId; SpanTest.java normalizeTraceId_*): lower-case
 * hex only; 16 and 32 digits kept, but 32 whose upper 16 are zeros is its lower 16; fewer than 16 padded left to 16;
 * 17 to 31 padded left to 32, even when what they add above the lower 16 is zeros (Jaeger's TraceIDFromString reads
 * "0048485a3953bb6124" as 48485a3953bb6124; Zipkin keeps 000000000000000048485a3953bb6124). Null when Zipkin refuses
 * it: empty, longer than 32, not lower-case hex, or all zeros.
 */
export function zipkinTraceId(id: unknown): string | null {
  if (typeof id !== 'string' || !/^[0-9a-f]{1,32}$/.test(id) || /^0+$/.test(id)) return null;
  if (id.length === 32) return id.startsWith('0000000000000000') ? id.slice(16) : id;
  if (id.length === 16) return id;
  return id.padStart(id.length < 16 ? 16 : 32, '0');
}

/** A span id or parentId as Zipkin keeps it (Builder.id, parentId): lower-case hex of 1 to 16 digits, padded left to 16. */
export function zipkinSpanId(id: unknown): string | null {
  return typeof id === 'string' && /^[0-9a-f]{1,16}$/.test(id) ? id.padStart(16, '0') : null;
}

function lower(name: string, what: 'names' | 'services', report: ReadReport): string {
  const low = name.toLowerCase();
  if (low !== name) report.lowered[what].add(name);
  return low;
}

/** Spans in Zipkin v2 form (a flat list; tags as strings). */
export function zipkinSpans(spans: readonly Span[]): object[] {
  return spans.map((s) => {
    const tags: Record<string, string> = {};
    for (const [k, v] of Object.entries(s.attributes)) tags[k] = String(v);
    if (s.error && !('error' in tags)) tags.error = String(s.attributes['error.type'] ?? 'true');
    const kind = s.kind === 'server' || s.kind === 'client' || s.kind === 'producer' || s.kind === 'consumer' ? s.kind.toUpperCase() : undefined;
    return {
      traceId: s.traceId,
      ...(s.parentId !== null ? { parentId: s.parentId } : {}),
      id: s.spanId,
      ...(kind ? { kind } : {}),
      name: s.name,
      timestamp: s.startUs,
      duration: Math.max(1, s.durationUs),
      localEndpoint: { serviceName: s.service ?? 'unknown' },
      ...(s.remoteService !== null ? { remoteEndpoint: { serviceName: s.remoteService } } : {}),
      ...(s.events.length > 0 ? { annotations: s.events.map((e) => ({ timestamp: e.timeUs, value: annotation(e.name, e.attributes) })) } : {}),
      tags,
    };
  });
}

function annotation(name: string, attributes: Record<string, AttributeValue>): string {
  const parts = Object.entries(attributes).map(([k, v]) => `${k}=${v}`);
  return parts.length > 0 ? `${name} ${parts.join(' ')}` : name;
}
