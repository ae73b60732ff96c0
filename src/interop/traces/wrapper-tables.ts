/**
 * The disposition of each value of a trace document's wrapper (fields.ts says what the fates mean): the keys around
 * the spans, which the field tables of field-tables.ts do not reach.
 */
import { modelled, nonEmpty, positive, shown, shownJson, someText, warned, type FieldTable } from './fields.js';
import { JAEGER_FIELDS, JAEGER_PROTO_FIELDS } from './field-tables.js';
import { quoted } from '../../units/escape.js';

const API_ERRORS = (v: unknown) => {
  const first = (Array.isArray(v) ? v[0] : v) as Record<string, unknown> | null;
  const said = first && typeof first === 'object'
    ? [first.code ?? first.httpCode, first.msg ?? first.message].filter((x) => x !== undefined && x !== '').map(shown).join(' ') + (first.traceID ? `, trace ${shown(first.traceID)}` : '')
    : shown(first);
  return `Jaeger's API answered with ${Array.isArray(v) && v.length > 1 ? `${v.length} errors` : 'an error'} (${said}): what it could not give is not in the file, so its traces are missing from the figures`;
};

/**
 * The documents' top levels (their wrappers), walked like the spans' fields:
 * - jaeger-ui's state of a loaded trace: packages/jaeger-ui/src/types/index.ts FetchedTrace {data, error, id, state};
 * - Jaeger's HTTP API (`/api/traces`): jaegertracing/jaeger cmd/jaeger/internal/extension/jaegerquery/internal/
 *   http_handler.go structuredResponse {data, total, limit, offset, errors} and structuredError {code, msg, traceID};
 * - OTLP: opentelemetry-proto trace.proto TracesData and collector/trace/v1/trace_service.proto
 *   ExportTraceServiceRequest, both {resourceSpans};
 * - grpc-gateway, as Jaeger's api_v3 HTTP gateway writes it (jaeger internal/proto/api_v3/query_service.pb.go
 *   GRPCGatewayWrapper {result}, GRPCGatewayError {error: {grpcCode, httpCode, message, httpStatus}}; cmd/jaeger/
 *   internal/extension/jaegerquery/internal/apiv3/http_gateway.go), and api_v2's GetTrace stream (SpansResponseChunk {spans});
 * - Elasticsearch's and OpenSearch's search API response body {took, timed_out, _shards, hits: {total, max_score,
 *   hits: [{_index, _id, _score, _source, ...}]}} (elastic.co, Search API, "Response body"), each hit's _source a
 *   span of Jaeger's span index (JAEGER_ES_FIELDS).
 */
export const ENVELOPE_FIELDS: FieldTable = {
  JaegerResponse: {
    data: modelled('the traces'),
    total: modelled('a count the API fills in for paged answers: not needed, the spans are counted'),
    limit: modelled('the page\'s limit: not needed'),
    offset: modelled('the page\'s offset: not needed'),
    // Go writes a nil slice as null and none as []: anything else (a list of errors, or what no Jaeger writes, such
    // as a text) is said, not passed over.
    errors: warned(API_ERRORS, (v) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0), { items: 'JaegerError' }),
  },
  JaegerError: {
    code: modelled('with the error (warned there)'),
    msg: modelled('with the error (warned there)'),
    traceID: modelled('with the error (warned there)'),
  },
  // jaeger-ui's state of one loaded trace (packages/jaeger-ui/src/types/index.ts FetchedTrace), its data a trace object.
  UiFetchedTrace: {
    data: modelled('the trace'),
    id: modelled('the trace\'s id, the UI\'s key for it: the spans carry theirs'),
    state: warned((v) => `the UI's fetch of the trace was ${shown(v)}, not FETCH_DONE: its spans may be partial`, (v) => v !== undefined && v !== null && v !== 'FETCH_DONE'),
    error: warned((v) => `the UI's fetch of the trace failed (${shownJson(v)}): its spans may be partial`, (v) => v !== undefined && v !== null),
  },
  TracesData: {
    resourceSpans: modelled('the spans, by resource'),
  },
  // Grafana Tempo's answers (grafana/tempo pkg/tempopb/tempo.proto): /api/traces gives its Trace {batches}, a
  // TracesData under another name; /api/v2/traces a TraceByIDResponse {trace: {resourceSpans}, metrics, status, message}.
  TempoTrace: {
    batches: modelled('the spans, by resource (OTLP ResourceSpans)'),
    resourceSpans: modelled('the spans, by resource'),
  },
  TempoTraceByIDResponse: {
    trace: modelled('the trace', { object: 'TempoTrace' }),
    metrics: modelled('the query\'s own figures (blocks inspected): not needed'),
    status: warned((v) => `Tempo answered the trace as ${shown(v)}, not COMPLETE: it hit a size limit, so its spans are partial`, (v) => v !== undefined && v !== null && v !== 'COMPLETE' && v !== 0),
    message: warned((v) => `Tempo's message with the trace: ${shown(v)}`, someText),
  },
  GatewayWrapper: {
    result: modelled('one message of the answer: OTLP TracesData (api_v3) or a chunk of spans (api_v2)', { object: 'GatewayResult' }),
    error: warned(API_ERRORS, (v) => v !== null && v !== undefined, { object: 'GatewayError' }),
  },
  GatewayError: {
    grpcCode: modelled('with the error (warned there)'),
    httpCode: modelled('with the error (warned there)'),
    message: modelled('with the error (warned there)'),
    httpStatus: modelled('with the error (warned there)'),
    details: modelled('with the error (warned there)'),
  },
  // An Elasticsearch or OpenSearch search answer (the search API's response body) and its hits, each holding a
  // document of Jaeger's span index in _source; or a hit alone, as elasticdump writes one a line.
  EsSearch: {
    took: modelled('how long the search took: not needed'),
    timed_out: warned('the search timed out: the hits are those found before, so traces may be missing or partial', (v) => v === true),
    terminated_early: warned('the search ended early: traces may be missing or partial', (v) => v === true),
    _shards: modelled('the shards searched', { object: 'EsShards' }),
    hits: modelled('the hits', { object: 'EsHits' }),
    _scroll_id: modelled('a scroll to page on: only the hits in the file are read'),
    pit_id: modelled('a point in time to page on: only the hits in the file are read'),
    num_reduce_phases: modelled('not needed'),
  },
  EsShards: {
    total: modelled('not needed'),
    successful: modelled('not needed'),
    skipped: modelled('not needed'),
    failed: warned((v) => `${shown(v)} shards failed: the spans they hold are not in the answer, so traces may be missing or partial`, positive),
    failures: modelled('with failed (warned there)'),
  },
  EsHits: {
    total: modelled('a count: the hits in the file are read'),
    max_score: modelled('not needed'),
    hits: modelled('the documents, each a span'),
  },
  EsHit: {
    _source: modelled('the document: a span of Jaeger\'s span index'),
    _index: modelled('where it is kept: not needed'),
    _type: modelled('where it is kept: not needed'),
    _id: modelled('where it is kept: not needed'),
    _score: modelled('not needed'),
    _version: modelled('not needed'),
    _seq_no: modelled('not needed'),
    _primary_term: modelled('not needed'),
    _routing: modelled('not needed'),
    _ignored: warned((v) => `fields Elasticsearch did not index (${shownJson(v)}): kept in _source, read from there`, nonEmpty),
    sort: modelled('the search\'s sort values: not needed'),
    fields: modelled('values the search asked for: the span is read from _source'),
    highlight: modelled('not needed'),
  },
  // api_v3's TracesData or api_v2's SpansResponseChunk {spans}.
  GatewayResult: {
    resourceSpans: modelled('the spans, by resource (api_v3: OTLP TracesData)'),
    spans: modelled('the spans (api_v2: a SpansResponseChunk)'),
  },
};

/** Every key a trace document's top level may have, in any format: a key outside them all is suggested one of these. */
export const TOP_LEVEL_KEYS: readonly string[] = [
  ...Object.keys(ENVELOPE_FIELDS.JaegerResponse), ...Object.keys(ENVELOPE_FIELDS.TracesData), ...Object.keys(ENVELOPE_FIELDS.TempoTrace), ...Object.keys(ENVELOPE_FIELDS.TempoTraceByIDResponse), ...Object.keys(ENVELOPE_FIELDS.GatewayWrapper),
  ...Object.keys(JAEGER_FIELDS.Trace), ...Object.keys(JAEGER_PROTO_FIELDS.Trace), ...Object.keys(ENVELOPE_FIELDS.EsSearch), ...Object.keys(ENVELOPE_FIELDS.EsHit),
];

/**
 * OTLP's other signals, which share the trace export's shape (opentelemetry-proto at ac2c4b5d: logs/v1/logs.proto
 * LogsData {resource_logs}, metrics/v1/metrics.proto MetricsData {resource_metrics}, profiles/v1development/
 * profiles.proto ProfilesData {resource_profiles, dictionary}; examples/logs.json, events.json, metrics.json): a
 * top-level key of theirs says what the file is, where "did you mean resourceSpans?" would ask for a renaming.
 */
const OTHER_SIGNALS: Readonly<Record<string, string>> = {
  resourceLogs: 'logs (LogsData, opentelemetry/proto/logs/v1/logs.proto)',
  resourceMetrics: 'metrics (MetricsData, opentelemetry/proto/metrics/v1/metrics.proto)',
  resourceProfiles: 'profiles (ProfilesData, opentelemetry/proto/profiles/v1development/profiles.proto)',
};

/** Which other OTLP signal a top-level key is the export of (camelCase or snake_case), or null. */
export function signalOf(key: string): string | null {
  const camel = key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return Object.hasOwn(OTHER_SIGNALS, camel) ? OTHER_SIGNALS[camel] : null;
}

/** What a top-level key of another OTLP signal says (camelCase, as OTLP JSON writes it, or the proto's snake_case), or null. */
export function otherSignal(key: string): string | null {
  // Tempo's search answer (/api/search, tempopb.SearchResponse): trace summaries, no spans.
  if (key === 'traces') return '"traces": Tempo\'s search answer (/api/search), trace summaries (traceID, rootServiceName, durationMs) without their spans: not read; fetch each trace by its id (/api/traces/{traceID}; in /api/v2/traces/{traceID} the key is "trace")';
  const what = signalOf(key);
  return what ? `${quoted(key)}: an OTLP export of ${what}, not of traces: not read; give traces (OTLP JSON's resourceSpans, as an SDK or the collector's otlp or file exporter writes them)` : null;
}

/**
 * What a document is when it holds no span, by its wrapper (the envelope names above; List a top-level list): said as the file's refusal, in place of "no trace format found". Jaeger's search answers
 * {"data": [], ...} when nothing matched (jaegertracing/jaeger cmd/query/app/http_handler.go search: uiTraces :=
 * make([]*ui.Trace, len(tracesFromStorage))); an OTLP export may carry no resourceSpans, or resources without spans.
 */
export function emptyDocument(kind: string, holds: { entries: boolean; result: 'otlp' | 'chunk' | null }): string | null {
  switch (kind) {
    case 'JaegerResponse': return holds.entries ? 'a Jaeger API answer with no spans' : 'a Jaeger API answer with no traces';
    case 'UiFetchedTrace': return 'jaeger-ui\'s state of a trace with no spans';
    case 'TracesData': return 'an OTLP export with no spans';
    case 'TempoTrace': return 'a Tempo trace answer (/api/traces) with no spans';
    case 'TempoTraceByIDResponse': return 'a Tempo trace answer (/api/v2/traces) with no spans';
    case 'GatewayWrapper': return holds.result === 'otlp' ? 'a Jaeger api_v3 answer with no spans' : holds.result === 'chunk' ? 'a chunk of Jaeger\'s api_v2 trace stream with no spans' : 'a Jaeger API answer with no spans';
    case 'EsSearch': return 'an Elasticsearch search answer with no hits';
    case 'List': return holds.entries ? null : 'an empty list (no span, no trace)';
    default: return null;
  }
}
