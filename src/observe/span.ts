/**
 * The neutral span model every trace format is read into and written from. Times are microseconds since the
 * Unix epoch (Jaeger's and Zipkin's unit; OTLP's nanoseconds are divided by 1,000).
 */
export type SpanKind = 'server' | 'client' | 'producer' | 'consumer' | 'internal' | 'unspecified';

export type AttributeValue = string | number | boolean;

export interface SpanEvent {
  timeUs: number;
  name: string;
  attributes: Record<string, AttributeValue>;
}

export interface Span {
  traceId: string;
  spanId: string;
  /** The parent span's id, or null for a root. */
  parentId: string | null;
  /** The parent reference is FOLLOWS_FROM (Jaeger) or a link-like asynchronous hand-off. */
  follows: boolean;
  /** The service (Jaeger process, OTLP resource `service.name`, Zipkin `localEndpoint.serviceName`), or null. */
  service: string | null;
  name: string;
  kind: SpanKind;
  startUs: number;
  durationUs: number;
  error: boolean;
  attributes: Record<string, AttributeValue>;
  events: SpanEvent[];
  /** Zipkin: a server span that shares its id with the client span that called it. */
  shared: boolean;
  /** The service a client span calls, where the format says (Zipkin remoteEndpoint, peer.service). */
  remoteService: string | null;
}

/** What readers report besides spans: bad spans they skipped, with a count per reason. */
/** Fields warned of in one file whose own line and column are found; the rest are placed where their value begins. */
const PLACED_FIELDS = 200;

export class ReadReport {
  readonly skipped = new Map<string, number>();
  spans = 0;

  /** Spans read as failed by their status code alone (no error status or tag), by why ("HTTP 404 on a client span"). */
  readonly failedByCode = new Map<string, number>();
  /** Names with capitals read in lower case, as the format's own server keeps them (Zipkin): each as the file spells it. */
  readonly lowered = { names: new Set<string>(), services: new Set<string>() };
  /** Parts of spans (Zipkin spans without a timestamp) merged into the part with one. */
  merged = 0;
  /** Zipkin trace ids of 17 to 31 digits whose upper 64 bits are zeros (kept as 32 digits), with where each first occurs. */
  readonly padded = new Map<string, string>();
  /** Where in the file the value being read starts ("line:column"), kept up to date by the reader. */
  here = '';
  /** The text of the value being read (it starts at `here`), to find a field's own place in it. */
  hereText = '';
  /** A document read a top-level value at a time (a lone span): where each value began and its text, by key. */
  parts: Map<string, { here: string; text: string }> | null = null;
  /** Where, inside `hereText`, the object being read is (keys and list indices). */
  base: readonly (string | number)[] = [];
  /** Fields warned once a file each (a field not modelled, or not the format's), by field: what is said, where it first was ("line:column"), how often. */
  readonly fieldNotes = new Map<string, { message: string; at: string; count: number }>();

  /**
   * Notes a field warned of: the first time with its place and message (worked out only then), later only counted.
   * A field's own place is found by a walk through the text being read: past PLACED_FIELDS fields (a file of 50,000
   * keys of its own making took minutes, a walk each), a field is placed where that text begins.
   */
  noteField(key: string, at: () => string, message: () => string): void {
    const n = this.fieldNotes.get(key);
    if (n) n.count++;
    else this.fieldNotes.set(key, { message: message(), at: this.fieldNotes.size < PLACED_FIELDS ? at() : this.here, count: 1 });
  }
  /** Each service name as the file spells it (before any lowering), with where it first occurs ("line:column"). */
  readonly spellings = new Map<string, string>();
  /** Warnings that reading the files together gave (names that join across formats), with the files and places. */
  readonly warnings: string[] = [];

  /** Notes where a service name first occurs as the file spells it. */
  spelled(service: string): void {
    if (!this.spellings.has(service)) this.spellings.set(service, this.here);
  }

  /** Where the first span skipped for each reason was ("line:column"). */
  readonly skippedAt = new Map<string, string>();

  /** Fields read and not modelled, by what is said of them, with how many spans had them and where the first was. */
  readonly unmodelled = new Map<string, { spans: number; at: string }>();

  /** Notes a field of the span being read that the model leaves out (`what` says which and why). */
  leftOut(what: string): void {
    const u = this.unmodelled.get(what);
    if (u) u.spans++;
    else this.unmodelled.set(what, { spans: 1, at: this.here });
  }

  /** Counts a span skipped and why; `at`, where the reason lies ("line:column"), when it is not where the span begins. */
  skip(reason: string, at = this.here): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
    if (!this.skippedAt.has(reason)) this.skippedAt.set(reason, at);
  }

  /** Counts why a span failed by its status code; true when it did (`why` is not null). */
  failedBy(why: string | null): boolean {
    if (why === null) return false;
    this.failedByCode.set(why, (this.failedByCode.get(why) ?? 0) + 1);
    return true;
  }

  get skippedTotal(): number {
    let n = 0;
    for (const v of this.skipped.values()) n += v;
    return n;
  }
}

/**
 * A time or duration in microseconds as Jaeger and Zipkin JSON give it: a number, or a string of digits (their
 * int64 fields, quoted); undefined when absent or null, NaN when it is anything else (text, true, a list).
 */
export function microseconds(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v) ? Number(v) : NaN;
  // Past 2^53 a double no longer holds every microsecond (the year 2255 since the epoch): 1e300 is no time.
  return Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : NaN;
}

/** Receives spans as they are read; `trace` brackets spans that the format groups by trace (Jaeger, nested Zipkin). */
export interface SpanSink {
  spans(batch: Span[]): void;
}

export const KIND_BY_NAME: Record<string, SpanKind> = {
  server: 'server', client: 'client', producer: 'producer', consumer: 'consumer', internal: 'internal',
};

/** A value of an attribute as one of the three scalar kinds (arrays and maps become JSON text). */
export function scalar(v: unknown): AttributeValue {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

/**
 * A trace id as Zipkin and Jaeger keep one: hex of up to 32 digits read as a 128-bit number, written in lower case
 * with 16 digits when its upper 64 bits are zero and 32 otherwise (openzipkin/zipkin zipkin2/Span.java
 * normalizeTraceId; jaegertracing/jaeger-idl model/v1/ids.go TraceID.String). So Zipkin's 64-bit id, the same id
 * padded to 32 digits (as OpenTelemetry's B3 propagation and OTLP write it) and Jaeger's join as one trace, while
 * two 128-bit ids that share their lower 64 bits stay two (Zipkin's default, strict-trace-id: true). Null when it is
 * not 1 to 32 hex digits, or all zeros.
 */
export function hexTraceId(id: string): string | null {
  if (!/^[0-9a-fA-F]{1,32}$/.test(id) || /^0+$/.test(id)) return null;
  const full = id.toLowerCase().padStart(32, '0');
  return full.startsWith('0000000000000000') ? full.slice(16) : full;
}

/** A span id as Zipkin and Jaeger keep one: up to 16 hex digits, padded left to 16; null when not hex or too long. */
export function hexSpanId(id: string): string | null {
  return /^[0-9a-fA-F]{1,16}$/.test(id) ? id.toLowerCase().padStart(16, '0') : null;
}
