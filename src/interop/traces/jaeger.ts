/**
 * Jaeger JSON: the UI's download format (`{"data": [{traceID, spans, processes}]}`, what `/api/traces` returns and
 * the UI's "Download JSON" writes) and a bare trace object. Spans reference their parent with CHILD_OF or
 * FOLLOWS_FROM; tags and log fields are `{key, type, value}`; times are microseconds.
 */
import { hexSpanId, hexTraceId, KIND_BY_NAME, microseconds, scalar, type AttributeValue, type ReadReport, type Span, type SpanEvent } from '../../observe/span.js';
import { errorTag, statusCodeError } from '../../observe/span-errors.js';
import { httpCodeNote, statusTagNote } from './http-codes.js';
import { isProtoSpan, protoProcess, protoProcessMap, protoSpanToUi, type Converted } from './jaeger-proto.js';
import { checkFields, locate, numeric, type Refusal } from './fields.js';
import { typedTagValue } from './jaeger-tags.js';
import { JAEGER_ES_FIELDS, JAEGER_FIELDS, JAEGER_PROTO_FIELDS } from './field-tables.js';

export const PROTO = 'Jaeger (protobuf model)';
export const ES = 'Jaeger (Elasticsearch)';

/**
 * A document of Jaeger's Elasticsearch or OpenSearch span index (dbmodel/model.go Span): it has a field only that
 * model has (startTimeMillis, the tags kept as fields, @timestamp); the UI's span has none of them.
 */
function isEsSpan(s: Record<string, unknown>): boolean {
  if ('startTimeMillis' in s || 'tag' in s || '@timestamp' in s) return true;
  const p = s.process;
  return p !== null && typeof p === 'object' && 'tag' in p;
}

/** The tags kept as fields, as Jaeger's reader merges them after the others: each "@" read as a dot (reader.go convertTagField). */
function tagFields(tag: unknown): JaegerTag[] {
  if (tag === null || typeof tag !== 'object' || Array.isArray(tag)) return [];
  return Object.entries(tag).map(([k, value]) => ({ key: k.replaceAll('@', '.'), value }));
}
/** Spans of the protobuf model made into the UI's form: their fields were walked as the model's. */
const converted = new WeakSet<object>();

/** A span of the protobuf model, its fields walked, as the UI's span. */
function fromProto(raw: Record<string, unknown>, report: ReadReport): Converted {
  const refused = checkFields(JAEGER_PROTO_FIELDS, PROTO, 'Span', raw, report);
  if (refused !== null) return { skip: `a span whose ${refused.why}`, at: refused.at };
  const c = protoSpanToUi(raw);
  if ('span' in c) converted.add(c.span);
  return c;
}

interface JaegerTag { key?: unknown; type?: unknown; value?: unknown }

/**
 * A span's process that is jaeger-ui's copy of its trace's: the UI's state of a loaded trace sets span.process to
 * processes[span.processID] (jaeger-ui packages/jaeger-ui/src/model/transform-trace-data.ts), while jaeger-query
 * writes either a processID or a process, never both (jaeger internal/uimodel/model.go Span). Its fields are the
 * trace's process's, walked there: walking them again with each span counted its tags once a span and once a trace.
 */
interface ProcessCopy { processId: string; process: unknown; here: string; text: string; base: readonly (string | number)[] }

function processCopy(s: Record<string, unknown>, report: ReadReport): ProcessCopy | null {
  if (typeof s.processID !== 'string' || s.processID === '' || s.process === undefined || s.process === null) return null;
  return { processId: s.processID, process: s.process, here: report.here, text: report.hereText, base: report.base };
}

/** The copies whose trace had no process of their id after all: their fields are walked as the span's own. */
function walkUncopied(copies: readonly ProcessCopy[], processes: Record<string, unknown>, report: ReadReport): void {
  const { here, hereText, base } = report;
  for (const c of copies) {
    if (processes[c.processId] !== undefined) continue;
    report.here = c.here;
    report.hereText = c.text;
    checkFields(JAEGER_FIELDS, 'Jaeger', 'Span', { process: c.process }, report, c.base);
  }
  Object.assign(report, { here, hereText, base });
}

/**
 * Tags as attributes, each value read by its type as Jaeger's reader converts it (jaeger-tags.ts); `path`: where the
 * list is (null: not checked, the span's tags made from the protobuf model's, typed there), or why the span is refused.
 */
function tagsOf(list: unknown, path: readonly (string | number)[] | null, es: boolean, report: ReadReport): { attributes: Record<string, AttributeValue> } | { refused: Refusal } {
  const out: Record<string, AttributeValue> = {};
  if (!Array.isArray(list)) return { attributes: out };
  for (const [i, t] of (list as JaegerTag[]).entries()) {
    if (!t || typeof t.key !== 'string') continue;
    if (path === null) {
      out[t.key] = scalar(t.value);
      continue;
    }
    const read = typedTagValue(t.type, t.value, es);
    if ('why' in read) return { refused: { why: read.why, at: locate(report, [...path, i, read.field]) } };
    out[t.key] = read.value;
  }
  return { attributes: out };
}

/**
 * The spans of one Jaeger trace object; bad spans are counted in `report` and skipped. `wrapped`: the object was
 * made around a span read on its own (the text read is the span's).
 */
export function jaegerTraceSpans(trace: unknown, report: ReadReport, wrapped = false): Span[] {
  if (trace === null || typeof trace !== 'object' || !Array.isArray((trace as { spans?: unknown }).spans)) {
    // Jaeger's /api/services and /api/services/{service}/operations answer names in data (http_handler.go getServices).
    report.skip(typeof trace === 'string' ? 'a name, not a trace (Jaeger\'s /api/services and /api/operations answer names; give /api/traces)' : 'a trace without spans');
    return [];
  }
  const t = trace as { traceID?: unknown; spans: unknown[]; processes?: Record<string, { serviceName?: unknown }>; processMap?: unknown };
  const processes = t.processes && typeof t.processes === 'object' ? t.processes : protoProcessMap(t.processMap);
  const out: Span[] = [];
  const base = report.base;
  const refused = wrapped ? null : checkFields(t.processMap !== undefined ? JAEGER_PROTO_FIELDS : JAEGER_FIELDS, t.processMap !== undefined ? PROTO : 'Jaeger', 'Trace', t, report);
  if (refused !== null) {
    // Processes that are no map of processes (a list, a text): the spans would have no service.
    report.skip(`a trace whose ${refused.why}`, refused.at);
    return [];
  }
  const copies: ProcessCopy[] = [];
  t.spans.forEach((raw, i) => {
    report.base = wrapped ? base : [...base, 'spans', i];
    out.push(...jaegerSpan(raw, processes, typeof t.traceID === 'string' ? t.traceID : null, report, copies));
  });
  report.base = base;
  walkUncopied(copies, processes, report);
  return out;
}

/**
 * One trace object read a span at a time (its spans streamed): a span is converted as it comes, and gets its
 * service when the trace's `processes` come (usually after the spans) and its trace id from the trace's `traceID`
 * when it has none of its own (a raw span is kept until then).
 */
export class JaegerTraceReader {
  private traceId: string | null | undefined;
  private processes: Record<string, { serviceName?: unknown }> | undefined;
  private readonly spans: Span[] = [];
  /** Spans whose process is to be looked up, by their processID. */
  private readonly unresolved: { span: Span; processId: string }[] = [];
  /** Raw spans without a traceID of their own, read before the trace's. */
  private readonly early: unknown[] = [];
  private spanList = false;
  private notAList = false;
  /** A batch's process (jaeger-idl model.proto Batch), for its spans that name none of their own. */
  private batchProcess: { serviceName?: unknown } | null = null;
  private readonly processless: Span[] = [];
  private batchAt: { here: string; text: string; value: unknown } | null = null;
  private readonly copies: ProcessCopy[] = [];
  /** Whether its spans are of the protobuf model. */
  proto = false;
  /** Why the trace is refused (a value of the trace of a type Jaeger's reader refuses), and where. */
  private refused: Refusal | null = null;

  constructor(private readonly report: ReadReport) {}

  /** A value of the trace object: its `traceID`, `processes` (`processMap` in the protobuf model), a span (`spans[k]`), or another (ignored). */
  value(path: readonly (string | number)[], value: unknown): void {
    const [key, index] = path;
    // A `process` is a Batch's (model.proto), walked in finish when its spans take it, or a lone span's, walked with it.
    if (path.length === 1 && key !== 'spans' && key !== 'process') {
      const proto = key === 'processMap' || key === 'process_map';
      this.refused ??= checkFields(proto ? JAEGER_PROTO_FIELDS : JAEGER_FIELDS, proto ? PROTO : 'Jaeger', 'Trace', { [key]: value }, this.report, [], 1);
    }
    if (key === 'process' && path.length === 1) this.batchAt = { here: this.report.here, text: this.report.hereText, value };
    if (key === 'traceID' && path.length === 1) this.traceId = typeof value === 'string' ? value : null;
    else if (key === 'processes' && path.length === 1) this.processes = value && typeof value === 'object' ? value as Record<string, { serviceName?: unknown }> : {};
    else if ((key === 'processMap' || key === 'process_map') && path.length === 1) this.processes = protoProcessMap(value);
    else if (key === 'process' && path.length === 1) this.batchProcess = protoProcess(value) ?? (value && typeof value === 'object' ? value : null);
    else if (key === 'spans' && path.length === 2 && typeof index === 'number') this.span(value);
    else if (key === 'spans') this.notAList = true;
  }

  private span(raw: unknown): void {
    this.spanList = true;
    if (raw !== null && typeof raw === 'object' && isProtoSpan(raw as Record<string, unknown>)) {
      this.proto = true;
      const c = fromProto(raw as Record<string, unknown>, this.report);
      if ('skip' in c) {
        this.report.skip(c.skip, c.at);
        return;
      }
      raw = c.span;
    }
    const own = raw !== null && typeof raw === 'object' && typeof (raw as { traceID?: unknown }).traceID === 'string' && (raw as { traceID: string }).traceID !== '';
    if (!own && this.traceId === undefined) {
      this.early.push(raw);
      return;
    }
    this.convert(raw);
  }

  private convert(raw: unknown): void {
    const got = jaegerSpan(raw, this.processes ?? {}, this.traceId ?? null, this.report, this.copies);
    if (got.length === 0) return;
    const r = raw as { process?: unknown; processID?: unknown };
    if (this.processes === undefined && r.process === undefined && typeof r.processID === 'string') this.unresolved.push({ span: got[0], processId: r.processID });
    if (r.process === undefined && r.processID === undefined) this.processless.push(got[0]);
    this.spans.push(got[0]);
  }

  /** The trace's spans, once its object has ended. */
  finish(): Span[] {
    if (this.refused !== null) {
      this.report.skip(`a trace whose ${this.refused.why}`, this.refused.at);
      return [];
    }
    if (!this.spanList || this.notAList) {
      if (this.spans.length === 0 && this.early.length === 0) this.report.skip('a trace without spans');
    }
    // Where they were is no longer at hand: warnings of their fields name where the trace's last value was.
    if (this.early.length > 0) this.report.hereText = '';
    for (const raw of this.early) this.convert(raw);
    const processes = this.processes ?? {};
    walkUncopied(this.copies, processes, this.report);
    for (const { span, processId } of this.unresolved) {
      const p = processes[processId];
      span.service = p && typeof p.serviceName === 'string' && p.serviceName !== '' ? p.serviceName : null;
      if (span.service !== null) this.report.spelled(span.service);
    }
    // A batch's spans without a process of their own are the batch's (Jaeger's collector sets span.Process from it).
    const batch = this.batchProcess?.serviceName;
    if (typeof batch === 'string' && batch !== '') {
      for (const span of this.processless) span.service ??= batch;
      if (this.processless.length > 0 && this.batchAt !== null) {
        this.report.spelled(batch);
        const parts = this.report.parts;
        this.report.parts = new Map([['process', this.batchAt]]);
        checkFields(JAEGER_PROTO_FIELDS, PROTO, 'Trace', { process: this.batchAt.value }, this.report, []);
        this.report.parts = parts;
      }
    }
    return this.spans;
  }
}

function jaegerSpan(raw: unknown, processes: Record<string, { serviceName?: unknown }>, traceId: string | null, report: ReadReport, copies: ProcessCopy[]): Span[] {
  if (raw === null || typeof raw !== 'object') {
    report.skip('a span that is not an object');
    return [];
  }
  const s = raw as Record<string, unknown>;
  const id = typeof s.spanID === 'string' && s.spanID !== '' ? s.spanID : null;
  const tid = typeof s.traceID === 'string' && s.traceID !== '' ? s.traceID : traceId;
  if (id === null && ('traceIdLow' in s || typeof s.spanId === 'number')) {
    // Jaeger's Thrift model as JSON (jaeger-idl thrift/jaeger.thrift: traceIdLow, traceIdHigh, spanId as int64 numbers).
    report.skip('a span of Jaeger\'s Thrift model (traceIdLow, traceIdHigh and spanId as numbers): not read, a JSON number does not hold a 64-bit id; give the UI\'s JSON (/api/traces), the protobuf model\'s JSON or OTLP');
    return [];
  }
  if (!converted.has(s) && !(id === null && isProtoSpan(s))) {
    const copy = processCopy(s, report);
    if (copy !== null) copies.push(copy);
    // A field of a type Jaeger's reader refuses (tags that are no list, a spanID that is a number) refuses the span.
    const refused = isEsSpan(s) ? checkFields(JAEGER_ES_FIELDS, ES, 'Span', s, report) : checkFields(JAEGER_FIELDS, 'Jaeger', 'Span', copy === null ? s : { ...s, process: undefined }, report);
    if (refused !== null) {
      report.skip(`a span whose ${refused.why}`, refused.at);
      return [];
    }
  }
  if (id === null && isProtoSpan(s)) {
    // Jaeger's protobuf model as JSON (jaeger-idl model.proto: ids in base64, RFC 3339 times): read as the UI's span
    // that jaeger-query makes of it (jaeger-proto.ts).
    const c = fromProto(s, report);
    if ('skip' in c) {
      report.skip(c.skip, c.at);
      return [];
    }
    return jaegerSpan(c.span, processes, traceId, report, copies);
  }
  if (id === null || tid === null) {
    report.skip('a span without a spanID or traceID');
    return [];
  }
  const start = microseconds(s.startTime), duration = microseconds(s.duration);
  if (start === undefined || duration === undefined) {
    report.skip('a span without a startTime or duration');
    return [];
  }
  if (!Number.isFinite(start) || !Number.isFinite(duration) || duration < 0) {
    report.skip('a span whose startTime or duration is not a number of microseconds (a duration of 0 or more)');
    return [];
  }
  if (s.operationName !== undefined && s.operationName !== null && typeof s.operationName !== 'string') {
    report.skip('a span whose operationName is not text');
    return [];
  }
  let parentId: string | null = typeof s.parentSpanID === 'string' && s.parentSpanID !== '' ? s.parentSpanID : null;
  let follows = false;
  if (Array.isArray(s.references)) {
    // The first CHILD_OF wins; a FOLLOWS_FROM is the parent only when there is no CHILD_OF (as the UI reads it).
    const refs = s.references as { refType?: unknown; spanID?: unknown; traceID?: unknown }[];
    const same = (t: unknown) => t === undefined || t === tid || (typeof t === 'string' && hexTraceId(t) !== null && hexTraceId(t) === hexTraceId(tid));
    const child = refs.find((r) => r && r.refType === 'CHILD_OF' && typeof r.spanID === 'string' && same(r.traceID));
    const follow = refs.find((r) => r && r.refType === 'FOLLOWS_FROM' && typeof r.spanID === 'string' && same(r.traceID));
    if (refs.some((r) => r && r.refType !== 'CHILD_OF' && r.refType !== 'FOLLOWS_FROM')) report.leftOut('references whose refType is neither CHILD_OF nor FOLLOWS_FROM, not read');
    if (child) parentId = child.spanID as string;
    else if (follow) {
      parentId = follow.spanID as string;
      follows = true;
    }
  }
  const es = isEsSpan(s);
  if (es && typeof s.parentSpanID === 'string' && s.parentSpanID !== '') {
    // Jaeger's Elasticsearch reader takes parentSpanID before any reference (tracestore/ids.go getParentSpanId).
    const refs = Array.isArray(s.references) ? s.references as { refType?: unknown; spanID?: unknown }[] : [];
    parentId = s.parentSpanID;
    follows = !refs.some((r) => r && r.refType === 'CHILD_OF' && r.spanID === parentId) && refs.some((r) => r && r.refType === 'FOLLOWS_FROM' && r.spanID === parentId);
  }
  // Tags made from the protobuf model's were typed there; the UI's and Elasticsearch's are read by their type.
  const typed = converted.has(s) ? null : report.base;
  const tags = tagsOf(es && s.tag !== undefined ? [...(Array.isArray(s.tags) ? s.tags : []), ...tagFields(s.tag)] : s.tags, typed && [...typed, 'tags'], es, report);
  if ('refused' in tags) {
    report.skip(tags.refused.why, tags.refused.at);
    return [];
  }
  const attributes = tags.attributes;
  const embedded = s.process as { serviceName?: unknown } | undefined;
  const process = embedded ?? (typeof s.processID === 'string' ? processes[s.processID] : undefined);
  const service = process && typeof process.serviceName === 'string' && process.serviceName !== '' ? process.serviceName : null;
  if (service !== null) report.spelled(service);
  const kindTag = attributes['span.kind'];
  const kind = typeof kindTag === 'string' ? KIND_BY_NAME[kindTag.toLowerCase()] ?? 'unspecified' : 'unspecified';
  // OpenTelemetry's span status as Jaeger keeps it: otel.status_code OK or ERROR, and for ERROR an error tag
  // (opentelemetry-specification common/mapping-to-non-otlp.md, Span Status).
  const tagAt = (key: string) => {
    const i = Array.isArray(s.tags) ? (s.tags as { key?: unknown }[]).findLastIndex((t) => t?.key === key) : -1;
    return i < 0 ? null : [...report.base, 'tags', i, 'value'];
  };
  const status = statusTagNote('Jaeger tag', tagAt, attributes, false, report);
  httpCodeNote('Jaeger tag', tagAt, attributes, kind, status !== '', report);
  const events: SpanEvent[] = [];
  if (Array.isArray(s.logs)) {
    for (const [i, l] of (s.logs as { timestamp?: unknown; fields?: unknown }[]).entries()) {
      const fields = tagsOf(l?.fields, typed && [...typed, 'logs', i, 'fields'], es, report);
      if ('refused' in fields) {
        report.skip(fields.refused.why, fields.refused.at);
        return [];
      }
      const f = fields.attributes;
      events.push({ timeUs: numeric(l?.timestamp) || start, name: typeof f.event === 'string' ? f.event : 'log', attributes: f });
    }
  }
  // Ids as Jaeger keeps them (jaegertracing/jaeger-idl model/v1/ids.go: TraceIDFromString, then String), so that a
  // trace joins across files of any format; ids that are not hex (the UI's own test traces) are kept as they are.
  const sid = (x: string) => hexSpanId(x) ?? x;
  return [{
    traceId: hexTraceId(tid) ?? tid,
    spanId: sid(id),
    parentId: parentId === null ? null : sid(parentId),
    follows,
    service,
    name: typeof s.operationName === 'string' ? s.operationName : '',
    kind,
    startUs: start,
    durationUs: duration,
    error: status === 'ERROR' || errorTag(attributes) || (status !== 'OK' && report.failedBy(statusCodeError(attributes, kind))),
    attributes,
    events,
    shared: false,
    remoteService: typeof attributes['peer.service'] === 'string' ? attributes['peer.service'] : null,
  }];
}

// ---- writing ----------------------------------------------------------------------------------------------

function tag(key: string, value: AttributeValue): { key: string; type: string; value: AttributeValue } {
  if (typeof value === 'boolean') return { key, type: 'bool', value };
  if (typeof value === 'number') return { key, type: Number.isInteger(value) ? 'int64' : 'float64', value };
  return { key, type: 'string', value };
}

/** One trace in the UI's format: spans with CHILD_OF / FOLLOWS_FROM references and a process per service. */
export function jaegerTrace(spans: readonly Span[]): object {
  const processOf = new Map<string, string>();
  for (const s of spans) {
    const name = s.service ?? 'unknown';
    if (!processOf.has(name)) processOf.set(name, `p${processOf.size + 1}`);
  }
  return {
    traceID: spans[0].traceId,
    spans: spans.map((s) => {
      const tags = Object.entries(s.attributes).map(([k, v]) => tag(k, v));
      if (s.kind !== 'unspecified' && s.kind !== 'internal') tags.push(tag('span.kind', s.kind));
      if (s.error) tags.push(tag('error', true));
      return {
        traceID: s.traceId,
        spanID: s.spanId,
        flags: 1,
        operationName: s.name,
        references: s.parentId === null ? [] : [{ refType: s.follows ? 'FOLLOWS_FROM' : 'CHILD_OF', traceID: s.traceId, spanID: s.parentId }],
        startTime: s.startUs,
        duration: s.durationUs,
        tags,
        logs: s.events.map((e) => ({
          timestamp: e.timeUs,
          fields: [tag('event', e.name), ...Object.entries(e.attributes).map(([k, v]) => tag(k, v))],
        })),
        processID: processOf.get(s.service ?? 'unknown'),
        warnings: null,
      };
    }),
    processes: Object.fromEntries([...processOf].map(([name, id]) => [id, { serviceName: name, tags: [] }])),
    warnings: null,
  };
}
