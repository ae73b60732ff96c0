/**
 * What a trace file that gave no span is said to be, at the end of its reading: an empty document of a known
 * kind (an OTLP export with no spans, a Jaeger answer with no traces), no trace format at all, or one whose every
 * span was skipped; each with what its wrapper said of itself (an answer's errors, a mistyped key).
 */
import { InputError } from '../../errors.js';
import type { ReadReport } from '../../observe/span.js';

export type TraceFormat = 'jaeger' | 'zipkin' | 'otlp';

/** How a file's reading ended. */
export interface Reading {
  readonly report: ReadReport;
  /** What each document with no span was (wrapper-tables.ts emptyDocument). */
  readonly empties: ReadonlySet<string>;
  readonly documents: number;
  readonly format: TraceFormat | null;
  /** Where the file holds spans of a storage model rehearse does not read (isCassandraSpan), the first one's place. */
  readonly cassandra: string | null;
}

/**
 * A span of Jaeger's Cassandra storage model as Go's encoding/json writes it: dbmodel.Span by its Go field names
 * (jaegertracing/jaeger at 8498073f internal/storage/v1/cassandra/spanstore/dbmodel/model.go: TraceID, a base64
 * text; SpanID, a number; OperationName, StartTime, Process, ServiceName, SpanHash), the form of Jaeger's own test
 * fixtures (internal/storage/v2/cassandra/tracestore/fixtures/cas_01.json). No Jaeger API serves it.
 */
export const isCassandraSpan = (v: unknown): boolean =>
  v !== null && typeof v === 'object' && !Array.isArray(v) && ['TraceID', 'SpanID', 'OperationName'].every((k) => Object.hasOwn(v, k));

/** Why such a span is skipped, among spans that are read. */
export const CASSANDRA_SKIP = 'a span of Jaeger\'s Cassandra storage model (dbmodel.Span, by its Go field names), which no Jaeger API serves';

/** Throws InputError where the file gave no span to read (or no format); returns its format where it did. */
export function refuseUnread(file: string, { report, empties, documents, format, cassandra }: Reading): TraceFormat {
  if (report.spans === 0 && cassandra !== null) {
    throw new InputError([`${file}:${cassandra}: a span of Jaeger's Cassandra storage model, not a trace file Jaeger exports: dbmodel.Span as Go's encoding/json writes it (TraceID in base64, SpanID a number, OperationName, StartTime, Process, SpanHash), the form of Jaeger's own test fixtures (internal/storage/v2/cassandra/tracestore/fixtures/cas_01.json); not read. ` +
      'Give the traces as Jaeger\'s query service serves them from that Cassandra: GET /api/traces/{traceID} or the UI\'s "Download JSON" ({"data": [traces]}), or GET /api/v3/traces/{traceID} (OTLP JSON)']);
  }
  // What the file's wrapper said of itself, given when it held nothing to read: an answer's errors, a mistyped key.
  const said = [...report.fieldNotes].filter(([k]) => /^(top level\.|Jaeger API (JaegerResponse\.errors|GatewayWrapper\.error)$|Jaeger UI UiFetchedTrace\.|Tempo API |OTLP ResourceSpans\.instrumentationLibrarySpans$)/.test(k)).map(([, n]) => `${file}:${n.at}: ${n.message}`);
  if (report.spans === 0 && report.skippedTotal === 0 && empties.size > 0) {
    // Named for what it is, refused as empty: an OTLP export with no spans, a Jaeger answer with no traces.
    const what = [...empties].join('; ');
    throw new InputError([`${file}: ${documents > 1 ? `${documents} documents, not a span in them (${what})` : what}: nothing to read`, ...said]);
  }
  if (format === null) {
    throw new InputError([`${file}: no trace format found: expected Jaeger JSON ({"data": [traces]}, a trace with "traceID" and "spans", or a list of spans with "traceID" and "spanID"), ` +
      'Zipkin v2 JSON (a list of spans, or one span), OTLP JSON ({"resourceSpans": [...]}, or Tempo\'s {"batches": [...]}), Jaeger\'s Elasticsearch or OpenSearch span documents (one, a search answer\'s hits, or a hit a line), ' +
      'or JSON lines of them', ...said]);
  }
  if (report.spans === 0) {
    const why = report.skippedTotal > 0 ? `: ${report.skippedTotal} skipped (${[...report.skipped].map(([r, n]) => `${n} ${r}`).join(', ')})` : '';
    // Each reason again at the first span it skipped, with its line and column.
    const where = [...report.skippedAt].map(([reason, at]) => `${file}:${at}: skipped: ${reason}`);
    throw new InputError([`${file}: no usable spans in this ${format} file${why}`, ...where, ...said]);
  }
  return format;
}
