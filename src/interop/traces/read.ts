/**
 * Reads trace files in any of the three formats, streaming them, and hands over their spans a trace at a time.
 *
 * One file: formats that group spans by trace (Jaeger, nested Zipkin lists) are handed over as each trace ends;
 * the others (OTLP, flat Zipkin lists, a bare Jaeger trace) are gathered by trace id and handed over at the end
 * of the file. Several files, in any mix of formats: a trace's spans may sit in several of them (one file per
 * service, or per collector), so every span is gathered by trace id across all the files and each trace is
 * handed over once, whole, after the last file. A file may be JSON lines: one document per line (an
 * OpenTelemetry Collector's file exporter writes one export request per line).
 */
import { InputError } from '../../errors.js';
import { JaegerTraceReader, jaegerTraceSpans, PROTO } from './jaeger.js';
import { streamJson, type Path } from './json-stream.js';
import { otlpKey, otlpService, otlpSpan } from './otlp.js';
import { ReadReport, type Span } from '../../observe/span.js';
import { zipkinSpan } from './zipkin.js';
import { mergeParts } from './zipkin-merge.js';
import { joinZipkinCase, renameServices } from './service-case.js';
import { checkFields, locate, type Refusal } from './fields.js';
import { JAEGER_FIELDS, JAEGER_PROTO_FIELDS, OTLP_FIELDS } from './field-tables.js';
import { emptyDocument, ENVELOPE_FIELDS, otherSignal, TOP_LEVEL_KEYS } from './wrapper-tables.js';
import { didYouMean } from '../../errors.js';
import { CASSANDRA_SKIP, isCassandraSpan, refuseUnread } from './unread.js';
import { envelopeOf } from './layout.js';

import type { TraceFormat } from './unread.js';
import { withArticle } from '../../units/article.js';
import { quoted } from '../../units/escape.js';

export type { TraceFormat };

// OTLP spans one at a time: a resourceSpans element may hold a whole trace (as `run --traces` writes one per service).
// Where a document holds its resourceSpans: OTLP's TracesData, Jaeger's api_v3 {"result": TracesData}, Grafana
// Tempo's /api/traces answer (its Trace message, grafana/tempo pkg/tempopb/tempo.proto: `repeated ResourceSpans
// batches`) and its /api/v2/traces answer (TraceByIDResponse {"trace": {"resourceSpans": ...}}).
// The collector reads resource_spans, scope_spans and deprecated_scope_spans too, as every key by its proto name
// (pdata/internal/generated_proto_*.go UnmarshalJSON). A resourceSpans element's deprecatedScopeSpans are read when it
// has no scopeSpans (pdata/internal/otlp/traces.go MigrateTraces); instrumentationLibrarySpans is not read
// (field-tables.ts).
const OTLP_ROOTS = [['resourceSpans'], ['resource_spans'], ['result', 'resourceSpans'], ['batches'], ['trace', 'resourceSpans']];
const SCOPES = new Set(['scopeSpans', 'scope_spans', 'deprecatedScopeSpans', 'deprecated_scope_spans']);
const OTLP_SPANS = [...SCOPES].flatMap((scopes) => OTLP_ROOTS.map((root) => [...root, scopes, 'spans']));
/** How many keys of `path` lead to a resourceSpans list (0: none). */
const otlpRoot = (path: Path): number => OTLP_ROOTS.find((root) => root.every((k, i) => path[i] === k))?.length ?? 0;
// Jaeger spans one at a time too: an element of data is a whole trace.
// A `result` holding `spans`: a chunk of Jaeger's api_v2 GetTrace stream (SpansResponseChunk) as grpc-gateway writes
// each message of a stream, {"result": message}.
// A search answer of Elasticsearch or OpenSearch: a hit at a time, each a span of Jaeger's span index.
const STREAMED: readonly (readonly string[])[] = [[], ['data'], ['data', 'spans'], ['resourceSpans'], ['resource_spans'], ['result', 'resourceSpans'], ['batches'], ['trace'], ['trace', 'resourceSpans'], ['spans'], ['result', 'spans'], ['hits', 'hits'], ...OTLP_SPANS];

/** A bare Jaeger trace's values that its reader takes as they come. */
const BARE_KEYS = new Set(['processes', 'processMap', 'process_map', 'process', 'traceID']);

export interface FileRead {
  format: TraceFormat;
  report: ReadReport;
  /** Traces with spans in this file. */
  traces: number;
  /** Documents in the file (more than one: JSON lines). */
  documents: number;
}

/** Where a file's spans go: whole traces handed over at once, or spans gathered by trace id. */
interface Sink {
  hand(spans: Span[]): void;
  gather(spans: Span[]): void;
}

/** Streams `file`, calling `onTrace` with the spans of each trace; throws InputError when it is no trace file. */
export function readTraceFile(file: string, onTrace: (spans: Span[]) => void): FileRead {
  const pending = new Map<string, Span[]>();
  let traces = 0;
  const read = readInto(file, {
    hand: (spans) => {
      traces++;
      onTrace(spans);
    },
    gather: (spans) => gatherInto(pending, spans),
  });
  for (const gathered of pending.values()) {
    const spans = mergeParts(gathered);
    if (spans.length === 0) continue;
    traces++;
    onTrace(spans);
  }
  return { ...read, traces };
}

/**
 * Reads every file, joining spans by trace id across them, and calls `onTrace` once per trace after the last
 * file. One file is read as readTraceFile reads it. Returns what was read from each file, in order.
 */
export function readTraceFiles(files: readonly string[], onTrace: (spans: Span[]) => void): FileRead[] {
  if (files.length === 1) return [readTraceFile(files[0], onTrace)];
  const all = new Map<string, Span[]>();
  const reads: FileRead[] = [];
  for (const file of files) {
    const ids = new Set<string>();
    const add = (spans: Span[]) => {
      for (const s of spans) ids.add(s.traceId);
      gatherInto(all, spans);
    };
    const read = readInto(file, { hand: add, gather: add });
    reads.push({ ...read, traces: ids.size });
  }
  const joined = joinZipkinCase(files, reads);
  for (const gathered of all.values()) {
    if (joined.size > 0) for (const s of gathered) renameServices(s, joined);
    const spans = mergeParts(gathered);
    if (spans.length > 0) onTrace(spans);
  }
  return reads;
}

function gatherInto(map: Map<string, Span[]>, spans: Span[]): void {
  for (const s of spans) {
    let list = map.get(s.traceId);
    if (!list) map.set(s.traceId, (list = []));
    list.push(s);
  }
}

function readInto(file: string, sink: Sink): Omit<FileRead, 'traces'> {
  const report = new ReadReport();
  let format: TraceFormat | null = null;
  let bare = new JaegerTraceReader(report);
  let isBare = false;
  // A lone Zipkin span, the document itself (what zipkin2's SpanBytesDecoder.decodeOne reads): its top-level values.
  let lone: Record<string, unknown> = {};
  // Where each of its values began, and its text: to name a warned field's own place.
  let loneAt = new Map<string, { here: string; text: string }>();
  // Jaeger: the element of data being read.
  let trace: { at: string; reader: JaegerTraceReader } | null = null;
  const traceEnded = () => {
    if (trace !== null) hand(trace.reader.finish());
    trace = null;
  };
  let documents = 0;
  // The document's top-level keys, streamed or not: which wrapper it is (Jaeger's API answer, OTLP, grpc-gateway).
  let topKeys = new Set<string>();
  // Whether its data was one trace object (the UI's state of a loaded trace), not the API's list of them.
  let dataObject = false;
  // What else says what the document is when it holds no span: it is a list; its data or list has an entry; what
  // its gateway result holds. And what each document with no span was.
  let topList = false;
  let entries = false;
  let result: 'otlp' | 'chunk' | null = null;
  const empties = new Set<string>();
  // Where the first span of Jaeger's Cassandra storage model began: named for what it is, not read.
  let cassandra: string | null = null;

  const hand = (spans: Span[]) => {
    if (spans.length === 0) return;
    report.spans += spans.length;
    sink.hand(spans);
  };
  const gather = (spans: Span[]) => {
    report.spans += spans.length;
    sink.gather(spans);
  };
  const setFormat = (f: TraceFormat, line: number, column: number) => {
    if (format !== null && format !== f) throw new InputError([`${file}:${line}:${column}: ${f} data in ${withArticle(format)} file`]);
    format = f;
  };
  const documentEnded = () => {
    traceEnded();
    elementEnded();
    element = '';
    documents++;
    const span = lone;
    lone = {};
    const at = loneAt;
    report.parts = loneAt;
    loneAt = new Map();
    const keys = topKeys;
    topKeys = new Set();
    const uiState = dataObject;
    dataObject = false;
    const envelope = envelopeOf(keys, uiState);
    const empty = emptyDocument(envelope?.[1] ?? (topList ? 'List' : ''), { entries, result });
    if (empty !== null) empties.add(empty);
    topList = entries = false;
    result = null;
    if (envelope !== null) {
      // The wrapper's own values (the spans inside were read as they came): an unknown key, or an answer's errors.
      if (envelope[0] === 'Jaeger API' && envelope[1] !== 'GatewayWrapper' || envelope[0] === 'Jaeger UI' || envelope[0] === 'Elasticsearch') setFormat('jaeger', 1, 1);
      // An OTLP or Tempo document with no spans ({"resourceSpans": []}, Tempo's {"trace": {}} for a trace it has not) is
      // one with no spans, not one of no known format.
      else if (envelope[0] === 'OTLP' || envelope[0] === 'Tempo API') setFormat('otlp', 1, 1);
      // A hit alone (elasticdump writes one a line): its document is read here.
      if (envelope[1] === 'EsHit') esHit(span);
      else checkFields(ENVELOPE_FIELDS, envelope[0], envelope[1], span, report, []);
    } else if (!isBare && typeof span.traceId === 'string' && typeof span.id === 'string') {
      setFormat('zipkin', 1, 1);
      const s = zipkinSpan(span, report);
      if (s) gather([s]);
    } else if (!isBare && (typeof span.traceID === 'string' && typeof span.spanID === 'string' || typeof span.traceId === 'string' && typeof span.spanId === 'string')) {
      // A lone Jaeger span, the document itself: the UI's form with its process inside, as Jaeger's Elasticsearch
      // storage keeps a span per document (jaeger internal/uimodel/converter/v1/json/fixtures/es_01.json), or the
      // protobuf model's (domain_es_01.json).
      setFormat('jaeger', 1, 1);
      gather(jaegerTraceSpans({ spans: [span] }, report, true));
    } else if (!isBare && isCassandraSpan(span)) {
      const here = at.get('TraceID')?.here ?? '1:1';
      cassandra ??= here;
      report.skip(CASSANDRA_SKIP, here);
    } else if (!isBare) {
      // No wrapper, no span, no trace: keys that are no trace format's are said, with the one meant.
      for (const k of Object.keys(span)) {
        if (TOP_LEVEL_KEYS.includes(k)) continue;
        report.noteField(`top level.${k}`, () => locate(report, [k]), () => otherSignal(k) ?? `${quoted(k)} is not a key of a trace document (Jaeger, Zipkin or OTLP JSON): not read${didYouMean(k, TOP_LEVEL_KEYS)}`);
      }
    }
    if (isBare && envelope === null) {
      // The trace's other values (its warnings, ...): those the trace reader takes are walked there.
      const rest = Object.fromEntries(Object.entries(span).filter(([k]) => !BARE_KEYS.has(k)));
      checkFields(bare.proto ? JAEGER_PROTO_FIELDS : JAEGER_FIELDS, bare.proto ? PROTO : 'Jaeger', 'Trace', rest, report, []);
    }
    report.parts = null;
    if (!isBare) return;
    setFormat('jaeger', 1, 1);
    // Gathered by trace id: a trace may come in several documents (api_v2's GetTrace streams it in chunks).
    gather(bare.finish());
    bare = new JaegerTraceReader(report);
    isBare = false;
  };

  /** A hit of Elasticsearch or OpenSearch (its place is report's): its _source, a document of Jaeger's span index, read as a lone Jaeger span. */
  const esHit = (hit: unknown) => {
    if (hit === null || typeof hit !== 'object' || Array.isArray(hit)) {
      report.skip('an Elasticsearch hit that is not an object');
      return;
    }
    checkFields(ENVELOPE_FIELDS, 'Elasticsearch', 'EsHit', hit, report, []);
    const source = (hit as { _source?: unknown })._source as Record<string, unknown> | null | undefined;
    if (source === null || typeof source !== 'object' || Array.isArray(source) || typeof source.traceID !== 'string' || typeof source.spanID !== 'string') {
      report.skip('an Elasticsearch hit whose _source is no span of Jaeger\'s span index (no traceID and spanID: another index\'s document?)');
      return;
    }
    const base = report.base;
    report.base = ['_source'];
    gather(jaegerTraceSpans({ spans: [source] }, report, true));
    report.base = base;
  };

  // OTLP: the resourceSpans element being read, its service (once its resource is read) and its spans read before.
  let element = '';
  let service: string | null | undefined;
  let early: Span[] = [];
  // Its deprecatedScopeSpans' spans, held until it ends: read when it has no scopeSpans (`scoped`), as the collector does.
  let deprecated: Span[] = [];
  let scoped = false;
  const elementEnded = () => {
    if (deprecated.length > 0 && !scoped) gather(deprecated);
    else if (deprecated.length > 0) report.leftOut('OTLP deprecatedScopeSpans beside scopeSpans in a resourceSpans element, not read, as the collector reads them only when there are no scopeSpans (MigrateTraces)');
    deprecated = [];
    scoped = false;
  };
  // A resource or scope value of a type the collector's reader refuses fails the whole request there: the file is refused.
  const refuse = (refused: Refusal | null) => {
    if (refused !== null) throw new InputError([`${file}:${refused.at}: ${refused.why}`]);
  };
  const otlp = (written: Path, value: unknown) => {
    // path: [i], [i, 'resource'], [i, 'scopeSpans', j, 'spans', k], or another value of the element; keys as the
    // collector reads them (scope_spans as scopeSpans).
    const path = written.map((k) => (typeof k === 'string' ? otlpKey(k) : k));
    otlpElement(path);
    if (path[1] === 'scopeSpans' && path.length >= 3) scoped = true;
    if (path.length === 1) {
      if (value === null || typeof value !== 'object') report.skip('a resourceSpans entry that is not an object');
    } else if (path.length === 2 && path[1] === 'resource') {
      refuse(checkFields(OTLP_FIELDS, 'OTLP', 'ResourceSpans', { [written[1]]: value }, report, [], 1));
      service = otlpService(value, report.hereText);
      if (service !== null) report.spelled(service);
      for (const s of early) s.service = service;
      early = [];
    } else if (path.length === 5 && path[3] === 'spans' && typeof path[4] === 'number') {
      const s = otlpSpan(value, service ?? null, report);
      if (s === null) return;
      if (service === undefined) early.push(s);
      if (path[1] === 'deprecatedScopeSpans') deprecated.push(s);
      else gather([s]);
    } else if (path.length === 2 && typeof path[1] === 'string' && !SCOPES.has(path[1])) {
      refuse(checkFields(OTLP_FIELDS, 'OTLP', 'ResourceSpans', { [written[1]]: value }, report, [], 1));
    } else if (path.length === 4 && typeof path[3] === 'string' && path[3] !== 'spans') {
      refuse(checkFields(OTLP_FIELDS, 'OTLP', 'ScopeSpans', { [written[3]]: value }, report, [], 1));
    }
  };
  /** A new resourceSpans element (by its document and index) ends the one before. */
  function otlpElement(path: Path): void {
    const here = `${documents}:${path[0]}`;
    if (here === element) return;
    elementEnded();
    element = here;
    service = undefined;
    early = [];
  }

  streamJson(file, STREAMED, (path: Path, value: unknown, line: number, column: number, text: string) => {
    report.here = `${line}:${column}`;
    report.hereText = text;
    report.base = [];
    const top = path[0];
    if (typeof top === 'string') topKeys.add(top);
    if (typeof top === 'number' || top === 'data' && typeof path[1] === 'number') entries = true;
    if (top === 'result' && (path[1] === 'resourceSpans' || path[1] === 'spans')) result = path[1] === 'spans' ? 'chunk' : 'otlp';
    if (path.length === 1 && typeof top === 'number') {
      // A top-level list: Zipkin spans, Zipkin traces (lists of spans), Jaeger traces, or Jaeger spans.
      if (Array.isArray(value)) {
        setFormat('zipkin', line, column);
        const spans: Span[] = [];
        for (let j = 0; j < value.length; j++) {
          report.base = [j];
          const s = zipkinSpan(value[j], report);
          if (s) spans.push(s);
        }
        gather(spans);
      } else if (value && typeof value === 'object' && 'spans' in value && 'traceID' in value) {
        setFormat('jaeger', line, column);
        hand(jaegerTraceSpans(value, report));
      } else if (isCassandraSpan(value)) {
        cassandra ??= `${line}:${column}`;
        report.skip(CASSANDRA_SKIP);
      } else if (value && typeof value === 'object' && 'traceID' in value && 'spanID' in value) {
        // A list of Jaeger spans, each with its process inside: what Jaeger's anonymizer writes and its uiconv
        // reads back (jaegertracing/jaeger cmd/anonymizer/app/writer/writer.go, uiconv/reader.go). Zipkin
        // spells the ids traceId and id.
        setFormat('jaeger', line, column);
        gather(jaegerTraceSpans({ spans: [value] }, report, true));
      } else if (value && typeof value === 'object') {
        setFormat('zipkin', line, column);
        const s = zipkinSpan(value, report);
        if (s) gather([s]);
      } else report.skip('a list entry that is not a span or a trace');
      return;
    }
    if (top === 'data' && typeof path[1] === 'string') {
      // data holding one trace object, not a list of them (the UI's state of a loaded trace, as jaeger-ui's
      // TraceFlamegraph/testTrace.json holds it): each of its keys was read as a trace without spans.
      setFormat('jaeger', line, column);
      dataObject = true;
      const at = `${documents}:trace`;
      if (trace?.at !== at) {
        traceEnded();
        trace = { at, reader: new JaegerTraceReader(report) };
      }
      trace.reader.value(path.slice(1), value);
    } else if (top === 'data' && path.length === 2) {
      setFormat('jaeger', line, column);
      traceEnded();
      hand(jaegerTraceSpans(value, report));
    } else if (top === 'data' && path.length > 2) {
      setFormat('jaeger', line, column);
      const at = `${documents}:${path[1]}`;
      if (trace?.at !== at) {
        traceEnded();
        trace = { at, reader: new JaegerTraceReader(report) };
      }
      trace.reader.value(path.slice(2), value);
    } else if (top === 'hits' && path[1] === 'hits' && path.length === 3) {
      setFormat('jaeger', line, column);
      esHit(value);
    } else if (top === 'hits' && path.length === 2 && typeof path[1] === 'string') {
      checkFields(ENVELOPE_FIELDS, 'Elasticsearch', 'EsHits', { [path[1]]: value }, report, [], 1);
    } else if (top === 'result' && path.length === 2 && typeof path[1] === 'string') {
      // A value of the result beside its spans: api_v3 gives TracesData, api_v2 a SpansResponseChunk.
      checkFields(ENVELOPE_FIELDS, 'Jaeger API', 'GatewayResult', { [path[1]]: value }, report, [], 1);
    } else if (otlpRoot(path) > 0) {
      setFormat('otlp', line, column);
      otlp(path.slice(otlpRoot(path)), value);
    } else if (top === 'trace' && path.length === 2 && typeof path[1] === 'string') {
      checkFields(ENVELOPE_FIELDS, 'Tempo API', 'TempoTrace', { [path[1]]: value }, report, [], 1);
    } else if (top === 'spans' && path.length === 2) {
      isBare = true;
      bare.value(path, value);
    } else if (top === 'result' && path[1] === 'spans' && path.length === 3) {
      isBare = true;
      bare.value(path.slice(1), value);
    } else if (typeof top === 'string' && path.length === 1) {
      if (BARE_KEYS.has(top)) bare.value(path, value);
      lone[top] = value;
      loneAt.set(top, { here: report.here, text: report.hereText });
    }
  }, documentEnded, (path: Path, array: boolean) => {
    // A container of the streamed paths, seen even when it is empty (and so hands over no value).
    const top = path[0];
    if (path.length === 0) topList = array;
    if (typeof top === 'string') topKeys.add(top);
    if (typeof top === 'number' || top === 'data' && typeof path[1] === 'number') entries = true;
    if (top === 'result' && (path[1] === 'resourceSpans' || path[1] === 'spans')) result = path[1] === 'spans' ? 'chunk' : 'otlp';
    // A bare Jaeger trace's spans, or a chunk of api_v2's stream: a Jaeger trace even with none.
    if (array && (path.length === 1 && top === 'spans' || path.length === 2 && top === 'result' && path[1] === 'spans')) isBare = true;
  });

  return { format: refuseUnread(file, { report, empties, documents, format, cassandra }), report, documents };
}
