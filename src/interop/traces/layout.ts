/**
 * Which of the trace layouts calibrate reads (docs/calibration.md "Formats read") a whole parsed document is: for
 * the files that are not what a command expected (`rehearse ci` skipping a folder's trace files, `rehearse import
 * argo` given one), named as read.ts reads them. The wrapper a document's top-level keys make is read.ts's own
 * choice (envelopeOf); the rest follows its branches: a top-level list's entries, a bare trace, a lone span.
 */
import { isCassandraSpan } from './unread.js';
import { signalOf } from './wrapper-tables.js';

/** A wrapper: whose (its vendor, as messages name it) and which message (wrapper-tables.ts ENVELOPE_FIELDS). */
export type Envelope = readonly [vendor: string, message: string];

/** The wrapper a trace document's top-level keys say it is; `uiState` when its data is one trace object, not a list. */
export function envelopeOf(keys: ReadonlySet<string>, uiState: boolean): Envelope | null {
  if (keys.has('data')) return uiState ? ['Jaeger UI', 'UiFetchedTrace'] : ['Jaeger API', 'JaegerResponse'];
  if (keys.has('resourceSpans') || keys.has('resource_spans')) return ['OTLP', 'TracesData'];
  if (keys.has('batches')) return ['Tempo API', 'TempoTrace'];
  if (keys.has('trace')) return ['Tempo API', 'TempoTraceByIDResponse'];
  if (keys.has('result') || keys.has('error')) return ['Jaeger API', 'GatewayWrapper'];
  if (keys.has('hits')) return ['Elasticsearch', 'EsSearch'];
  if (keys.has('_source')) return ['Elasticsearch', 'EsHit'];
  return null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): boolean => typeof v === 'string';
const listOf = (v: unknown, test: (x: Record<string, unknown>) => boolean): boolean => Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && test(x));

const zipkinSpan = (s: Record<string, unknown>) => str(s.traceId) && str(s.id);
const jaegerSpan = (s: Record<string, unknown>) => str(s.traceID) && str(s.spanID) || str(s.traceId) && str(s.spanId);
const jaegerTrace = (t: Record<string, unknown>) => Array.isArray(t.spans) && (t.spans.length === 0 || listOf(t.spans, jaegerSpan) || listOf(t.spans, (s) => 'spanId' in s || 'span_id' in s));
const dependency = (d: Record<string, unknown>) => str(d.parent) && str(d.child) && 'callCount' in d;
const otlp = (v: Record<string, unknown>) => Array.isArray(v.resourceSpans) || Array.isArray(v.resource_spans);

/**
 * What a parsed document is among the layouts calibrate reads, or null when it is none of them. Only a document
 * that holds its format's own structure is named (a mapping with a `data` or `trace` key alone is not).
 */
export function traceLayout(value: unknown): string | null {
  if (Array.isArray(value)) {
    if (value.length === 0) return null;
    if (value.every((t) => Array.isArray(t) && t.every((s) => isObject(s) && zipkinSpan(s)))) return 'Zipkin traces';
    if (listOf(value, zipkinSpan)) return 'Zipkin traces';
    if (listOf(value, (t) => str(t.traceID) && jaegerTrace(t))) return 'Jaeger traces';
    if (listOf(value, jaegerSpan)) return 'Jaeger spans, each with its process inside (as Jaeger\'s anonymizer writes them)';
    if (listOf(value, dependency)) return 'Jaeger dependency links (its /api/dependencies answer: calls counted between services, no spans: rehearse calibrate reads them and finds no span)';
    return null;
  }
  if (!isObject(value)) return null;
  const envelope = envelopeOf(new Set(Object.keys(value)), isObject(value.data));
  const result = value.result;
  switch (envelope?.[1]) {
    case 'JaegerResponse':
      if (listOf(value.data, (t) => jaegerTrace(t))) return 'Jaeger traces';
      if (listOf(value.data, dependency)) return 'Jaeger dependency links (its /api/dependencies answer: calls counted between services, no spans: rehearse calibrate reads them and finds no span)';
      return null;
    case 'UiFetchedTrace': return isObject(value.data) && jaegerTrace(value.data) ? 'a Jaeger trace as Jaeger\'s UI holds it loaded' : null;
    case 'TracesData': return 'OTLP traces';
    case 'TempoTrace': return Array.isArray(value.batches) ? 'a Grafana Tempo trace (its /api/traces answer, {"batches": [...]})' : null;
    case 'TempoTraceByIDResponse': return isObject(value.trace) && otlp(value.trace) ? 'a Grafana Tempo trace (its /api/v2/traces answer, {"trace": {"resourceSpans": [...]}})' : null;
    case 'GatewayWrapper':
      if (isObject(result) && otlp(result)) return 'OTLP traces as Jaeger\'s /api/v3 answers them ({"result": {"resourceSpans": [...]}})';
      if (isObject(result) && jaegerTrace(result)) return 'a chunk of Jaeger\'s api_v2 GetTrace stream ({"result": {"spans": [...]}})';
      return null;
    case 'EsSearch': return isObject(value.hits) && listOf(value.hits.hits, (h) => isObject(h._source) && jaegerSpan(h._source)) ? 'an Elasticsearch search answer of Jaeger\'s span index' : null;
    case 'EsHit': return isObject(value._source) && jaegerSpan(value._source) ? 'an Elasticsearch hit of Jaeger\'s span index' : null;
  }
  if (jaegerTrace(value) && (str(value.traceID) || 'processes' in value || 'processMap' in value || 'process_map' in value || 'process' in value || (value.spans as unknown[]).length > 0)) {
    return 'a Jaeger trace';
  }
  if (zipkinSpan(value)) return 'a Zipkin span';
  if (jaegerSpan(value)) return 'a Jaeger span (as Jaeger\'s Elasticsearch storage keeps one)';
  const signal = Object.keys(value).map(signalOf).find((s) => s !== null);
  if (signal && Object.keys(value).every((k) => signalOf(k) !== null || k === 'dictionary')) return `an OTLP export of ${signal}, not of traces (rehearse calibrate reads OTLP traces: resourceSpans)`;
  if (isCassandraSpan(value)) return 'a span of Jaeger\'s Cassandra storage model, which rehearse calibrate names and does not read';
  return null;
}
