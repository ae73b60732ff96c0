/**
 * The disposition of every field each trace format's own schema defines (fields.ts says what the fates mean):
 *
 * - OTLP: opentelemetry-proto opentelemetry/proto/trace/v1/trace.proto, common/v1/common.proto and
 *   resource/v1/resource.proto, as the OTLP/JSON encoding spells them (lowerCamelCase);
 * - Zipkin: openzipkin/zipkin-api zipkin2-api.yaml (Span, Endpoint, Annotation);
 * - Jaeger's UI JSON: jaegertracing/jaeger-ui packages/jaeger-ui/src/types/trace.tsx (SpanData, Span, Log, Process,
 *   SpanReference, KeyValuePair) and the `type` jaeger-query writes on each tag (internal/uimodel/model.go);
 * - Jaeger's protobuf model as JSON: jaegertracing/jaeger-idl proto/api_v2/model.proto (JSON names; jsonpb also
 *   reads the proto names, which are checked as these).
 *
 * test/trace-fields.test.ts walks the committed extracts of those schemas (test/fixtures/trace-schemas/) against
 * these tables.
 */
import { modelled, nonEmpty, numeric, positive, refused, shown, shownJson, someText, warned, type FieldTable } from './fields.js';

/** The spans of a list of ScopeSpans, in words. */
const spansIn = (v: unknown): string => {
  const n = Array.isArray(v) ? v.reduce((sum: number, scope) => sum + (Array.isArray((scope as { spans?: unknown } | null)?.spans) ? (scope as { spans: unknown[] }).spans.length : 0), 0) : 0;
  return n === 1 ? '1 span' : `${n.toLocaleString('en-US')} spans`;
};
const count = (what: string, risk: string) => (v: unknown) => `dropped ${shown(v)} ${what}: ${risk}`;
/**
 * Span flags with a bit besides the ones every OpenTelemetry SDK may set (trace.proto SpanFlags: 0x1 sampled, 0x100
 * whether the parent is known to be remote, 0x200 that it is): those say nothing calibrate needs, so they pass
 * unwarned; any other bit is warned, and so is a value that is no whole number.
 */
const unusualFlags = (v: unknown) => v !== undefined && v !== null && (!Number.isInteger(numeric(v)) || (numeric(v) & ~0x301) !== 0);

export const OTLP_FIELDS: FieldTable = {
  ResourceSpans: {
    resource: modelled('its attribute service.name is the service of its spans', { object: 'Resource' }),
    scopeSpans: modelled('its spans are read (each walked as it is read)'),
    // The collector's reader (pdata/internal/generated_proto_resourcespans.go ResourceSpans.UnmarshalJSON, commit
    // 934999fb) reads scopeSpans and deprecatedScopeSpans, and skips any other key: instrumentationLibrarySpans, the
    // name before OTLP 0.15, was read as scopeSpans until v0.57 and is dropped, spans and all, since v0.58.0
    // (commit d7b097cf, "Remove the InstrumentationLibrary to Scope translation").
    instrumentationLibrarySpans: warned((v) => `not read, nor the ${spansIn(v)} in it: the OpenTelemetry Collector drops it since v0.58.0 (OTLP 0.19), reading scopeSpans (the name since OTLP 0.15); rename it scopeSpans, and instrumentationLibrary in it scope`, nonEmpty),
    deprecatedScopeSpans: modelled('read as scopeSpans when the element has none, as the collector does (pdata/internal/otlp/traces.go MigrateTraces)'),
    schemaUrl: warned('the semantic conventions\' version is not read: attributes are read by the names this build knows (http.response.status_code and http.status_code alike)', someText, { type: 'string' }),
  },
  Resource: {
    attributes: modelled('service.name names the service; the other attributes are not read', { items: 'KeyValue' }),
    droppedAttributesCount: warned(count('resource attributes', 'service.name may be among them, and a span without it has no service'), positive, { type: 'uint32' }),
    entityRefs: warned('entity references are not read: the service is service.name alone', nonEmpty, { type: 'list' }),
  },
  ScopeSpans: {
    // Every OpenTelemetry SDK writes its scope: not needed, and not warned (spans are told apart by service and name,
    // whatever library made them); its dropped attributes are warned below.
    scope: modelled('not needed: spans are told apart by service and name, whatever library made them', { object: 'InstrumentationScope' }),
    instrumentationLibrary: modelled('not needed (scope before OTLP 0.15; the collector skips it)', { object: 'InstrumentationScope' }),
    spans: modelled('read as spans (each walked as it is read)'),
    schemaUrl: warned('the semantic conventions\' version is not read: attributes are read by the names this build knows', someText, { type: 'string' }),
  },
  InstrumentationScope: {
    name: modelled('with its scope (not needed)', { type: 'string' }),
    version: modelled('with its scope (not needed)', { type: 'string' }),
    attributes: modelled('with its scope (not needed)', { items: 'KeyValue' }),
    droppedAttributesCount: warned(count('scope attributes', 'the scope is not read anyway'), positive, { type: 'uint32' }),
  },
  Span: {
    traceId: modelled('the trace id', { type: 'string' }),
    spanId: modelled('the span id', { type: 'string' }),
    traceState: warned('the W3C tracestate is not read: a sampling probability it carries (ot=th:...) is not used to weight the span; every span counts once', someText, { type: 'string' }),
    parentSpanId: modelled('the parent span', { type: 'string' }),
    flags: warned((v) => `flags ${shown(v)} not read (W3C trace flags and whether the parent is remote): calls across services are told by span kind and service`, unusualFlags, { type: 'uint32' }),
    name: modelled('the operation, grouped into journeys and calls', { type: 'string' }),
    kind: modelled('client, server, producer, consumer or internal'),
    startTimeUnixNano: modelled('the start'),
    endTimeUnixNano: modelled('the end (the duration with the start)'),
    attributes: modelled('read as attributes (error, status codes, peer.service, route)', { items: 'KeyValue' }),
    droppedAttributesCount: warned(count('attributes', 'the span\'s error (an error attribute, a status code) may be among them'), positive, { type: 'uint32' }),
    events: modelled('read as events', { items: 'Event' }),
    droppedEventsCount: warned(count('events', 'an exception event among them is not seen'), positive, { type: 'uint32' }),
    links: warned('warned by the reader with a count of spans (OTLP links, not modelled)', () => false, { items: 'Link' }),
    droppedLinksCount: warned(count('links', 'links are not modelled anyway'), positive, { type: 'uint32' }),
    status: modelled('code ERROR marks the span failed, OK not failed', { object: 'Status' }),
  },
  Event: {
    timeUnixNano: modelled('the event\'s time', { type: 'uint64' }),
    name: modelled('the event\'s name', { type: 'string' }),
    attributes: modelled('the event\'s attributes', { items: 'KeyValue' }),
    droppedAttributesCount: warned(count('event attributes', 'an exception\'s type or message may be among them'), positive, { type: 'uint32' }),
  },
  Status: {
    code: modelled('ERROR marks the span failed; OK not failed, whatever its attributes'),
    message: warned('the status message is not read: a failure is a failure whatever it says', someText, { type: 'string' }),
  },
  // common.proto: an attribute and its value (a list as JSON text, a map as a JSON object's text, bytes as base64).
  // Each value of the type the collector's reader takes (pdata/internal/json/attribute.go readAnyValue: ReadString,
  // ReadBool, ReadInt64, ReadFloat64; a boolValue of "true" or an intValue past int64 fails the request).
  KeyValue: {
    key: modelled('the attribute\'s name', { type: 'string' }),
    value: modelled('the attribute\'s value', { object: 'AnyValue' }),
  },
  AnyValue: {
    stringValue: modelled('text', { type: 'string' }),
    boolValue: modelled('true or false', { type: 'boolean' }),
    intValue: modelled('a number (an int64 as JSON text or a number)', { type: 'int64' }),
    doubleValue: modelled('a number', { type: 'number' }),
    arrayValue: modelled('a list, kept as its JSON text', { object: 'ArrayValue' }),
    kvlistValue: modelled('a map, kept as its JSON text', { object: 'KeyValueList' }),
    bytesValue: modelled('bytes, kept as their base64 text', { type: 'string' }),
  },
  ArrayValue: {
    values: modelled('the list\'s values', { items: 'AnyValue' }),
  },
  KeyValueList: {
    values: modelled('the map\'s entries', { items: 'KeyValue' }),
  },
  // Links are warned of as a whole by the reader (Span.links); each of their fields is of the type the collector's
  // reader takes (pdata/internal/generated_proto_spanlink.go SpanLink.UnmarshalJSON, commit 934999fb), or the span is
  // refused at the field, as the collector refuses the request. So are the warned fields above (the generated
  // UnmarshalJSON of Span, SpanEvent, Status, Resource, InstrumentationScope, ScopeSpans, ResourceSpans: ReadString,
  // ReadUint32, a list of entityRefs).
  Link: {
    traceId: modelled('with its link (warned there)', { type: 'traceId' }),
    spanId: modelled('with its link (warned there)', { type: 'spanId' }),
    traceState: modelled('with its link (warned there)', { type: 'string' }),
    attributes: modelled('with its link (warned there)', { items: 'KeyValue' }),
    droppedAttributesCount: modelled('with its link (warned there)', { type: 'uint32' }),
    flags: modelled('with its link (warned there)', { type: 'uint32' }),
  },
};

const ZIPKIN_ENDPOINT = (side: string) => ({
  serviceName: modelled(side === 'local' ? 'the span\'s service' : 'the service the span calls', { type: 'text' }),
  ipv4: warned(`the ${side} endpoint's address is not read: services are told apart by serviceName alone`, someText, { type: 'text' }),
  ipv6: warned(`the ${side} endpoint's address is not read: services are told apart by serviceName alone`, someText, { type: 'text' }),
  port: warned(`the ${side} endpoint's port is not read: services are told apart by serviceName alone`, (v) => v !== null && v !== 0, { type: 'int64' }),
});
// The remote endpoint's address and port are read as the collector's Zipkin receiver reads them, net.peer.ip and
// net.peer.port (opentelemetry-collector-contrib pkg/translator/zipkin/zipkinv2/to_translator.go
// zTagsToInternalAttrs): they name an uninstrumented peer that has no serviceName, as those attributes do in OTLP.
const ZIPKIN_REMOTE = {
  serviceName: modelled('the service the span calls', { type: 'text' }),
  ipv4: modelled('read as net.peer.ip: names the service the span calls when nothing else does', { type: 'text' }),
  ipv6: modelled('read as net.peer.ip: names the service the span calls when nothing else does', { type: 'text' }),
  port: modelled('read as net.peer.port, with the address', { type: 'int64' }),
};

// Zipkin v1 JSON keeps a span's service and kind in its annotations (cs, sr, ss, cr, each with its endpoint) and
// binaryAnnotations, where v2 has localEndpoint, remoteEndpoint, kind and tags: read as v2, a v1 span has no service.
// Zipkin's own UI refuses it (openzipkin/zipkin zipkin-lens src/util/trace.js: "v1 format is not supported" when a
// span has binaryAnnotations); its server converts it only on its v1 endpoint (zipkin2/v1/V1SpanConverter.java).
const ZIPKIN_V1 = 'as Zipkin v1 JSON writes it: its service and kind are in its annotations\' endpoints and values (cs, sr, ss, cr), not read as v2 (Zipkin\'s UI refuses v1: "v1 format is not supported", zipkin-lens src/util/trace.js); give Zipkin v2 JSON (its /api/v2/trace/{traceId})';

// A Jaeger dependency link ({parent, child, callCount}: what its /api/dependencies answers and jaeger-ui's dependency
// graph draws, jaeger-ui src/components/DependencyGraph/sample_data) counts calls between services: no span is in it.
const DEPENDENCY = 'callCount is there, with parent and child, as Jaeger writes a dependency link (its /api/dependencies answer, what its UI\'s dependency graph draws): calls counted between services, not spans; give traces (Jaeger\'s /api/traces, Zipkin v2 or OTLP JSON)';

export const ZIPKIN_FIELDS: FieldTable = {
  Span: {
    traceId: modelled('the trace id'),
    name: modelled('the operation (in lower case, as Zipkin keeps it)'),
    // Text, as Zipkin writes ids (Gson would take a number too: none is an id Zipkin keeps, and read as no parent it moved the span).
    parentId: modelled('the parent span', { type: 'string' }),
    id: modelled('the span id'),
    kind: modelled('CLIENT, SERVER, PRODUCER or CONSUMER; another is refused as Zipkin refuses it'),
    // Whole numbers or their text, as Gson's JsonReader.nextLong reads them for zipkin2/internal/V2SpanReader.java
    // (12.5 is "Expected a long but was 12.5": Zipkin refuses the spans).
    timestamp: modelled('the start (a span without one is a part, merged into the part with it)', { type: 'int64' }),
    duration: modelled('the duration', { type: 'int64' }),
    debug: warned('debug (sampled whatever the sampling rate) is not read: a debug span counts as any other, so journeys forced into the sample may be over-represented', (v) => v === true, { type: 'boolean' }),
    shared: modelled('a server span sharing its id with its client: joined with it as one call', { type: 'boolean' }),
    localEndpoint: modelled('its serviceName is the span\'s service', { object: 'LocalEndpoint' }),
    remoteEndpoint: modelled('its serviceName is the service the span calls', { object: 'RemoteEndpoint' }),
    annotations: modelled('read as events', { items: 'Annotation' }),
    tags: modelled('read as attributes (error, status codes)', { type: 'object' }),
    binaryAnnotations: refused(`binaryAnnotations are there, ${ZIPKIN_V1}`),
    callCount: refused(DEPENDENCY),
  },
  LocalEndpoint: ZIPKIN_ENDPOINT('local'),
  RemoteEndpoint: ZIPKIN_REMOTE,
  Annotation: {
    timestamp: modelled('the event\'s time'),
    value: modelled('the event\'s name'),
    endpoint: refused(`annotation has an endpoint, ${ZIPKIN_V1}`),
  },
};

const JAEGER_FLAGS = (v: unknown) => `flags ${shown(v)} not read (bit 1 sampled, 2 debug, 8 firehose): a debug span counts as any other, so journeys forced into the sample may be over-represented`;
/** Flags with a bit other than sampled set (debug, firehose). */
const JAEGER_FLAGGED = (v: unknown) => v !== undefined && v !== null && (!Number.isInteger(v) || ((v as number) & ~1) !== 0);
const JAEGER_WARNINGS = (v: unknown) => `Jaeger's own warnings are not acted on (the first: ${shownJson(Array.isArray(v) ? v[0] : v)}): the span is read as it is`;
const UI_DERIVED = (what: string) => modelled(`${what}, which the UI works out from the fields read`);

export const JAEGER_FIELDS: FieldTable = {
  Trace: {
    traceID: modelled('the trace id of spans without their own', { type: 'string' }),
    spans: modelled('read as spans (each walked as it is read)'),
    processes: modelled('the service of each span by its processID', { values: 'Process' }),
    warnings: warned(JAEGER_WARNINGS, nonEmpty),
    duration: UI_DERIVED('the trace\'s duration'),
    endTime: UI_DERIVED('the trace\'s end'),
    startTime: UI_DERIVED('the trace\'s start'),
    traceName: UI_DERIVED('the root span\'s service and operation'),
    tracePageTitle: UI_DERIVED('the page title'),
    traceEmoji: UI_DERIVED('an emoji for the trace id'),
    services: UI_DERIVED('the spans per service'),
    orphanSpanCount: UI_DERIVED('the spans whose parent is missing'),
    callCount: refused(DEPENDENCY),
  },
  Span: {
    traceID: modelled('the trace id', { type: 'string' }),
    spanID: modelled('the span id', { type: 'string' }),
    parentSpanID: modelled('the parent span (Jaeger\'s older JSON; references win)', { type: 'string' }),
    processID: modelled('the service, by the trace\'s processes', { type: 'string' }),
    operationName: modelled('the operation'),
    // uint64, as Jaeger's JSON model declares them (model/json/model.go Span.StartTime, Duration; Log.Timestamp), read
    // by Go's encoding/json: a number, never its text.
    startTime: modelled('the start', { type: 'goUint64' }),
    duration: modelled('the duration', { type: 'goUint64' }),
    logs: modelled('read as events', { items: 'Log' }),
    tags: modelled('read as attributes (span.kind, error, otel.status_code, status codes)', { items: 'KeyValue' }),
    references: modelled('the first CHILD_OF is the parent, else the first FOLLOWS_FROM', { items: 'Reference' }),
    warnings: warned(JAEGER_WARNINGS, nonEmpty),
    flags: warned(JAEGER_FLAGS, JAEGER_FLAGGED),
    childSpanIds: UI_DERIVED('the span\'s children'),
    depth: UI_DERIVED('the span\'s depth in the tree'),
    hasChildren: UI_DERIVED('whether the span has children'),
    process: modelled('the span\'s service (a span with its process inside)', { object: 'Process' }),
    relativeStartTime: UI_DERIVED('the start from the trace\'s'),
    subsidiarilyReferencedBy: UI_DERIVED('the references to the span'),
  },
  Log: {
    timestamp: modelled('the event\'s time', { type: 'goUint64' }),
    fields: modelled('the event\'s attributes; its field "event" names it', { items: 'KeyValue' }),
  },
  Process: {
    serviceName: modelled('the service', { type: 'string' }),
    tags: warned('process tags (hostname, ip, client version) are not read: the service is serviceName alone', nonEmpty, { type: 'list' }),
  },
  Reference: {
    refType: modelled('CHILD_OF or FOLLOWS_FROM; another is warned by the reader', { type: 'string' }),
    traceID: modelled('a reference to another trace is no parent', { type: 'string' }),
    spanID: modelled('the parent span', { type: 'string' }),
    span: UI_DERIVED('the referenced span itself'),
  },
  KeyValue: {
    key: modelled('the attribute\'s name', { type: 'string' }),
    type: modelled('the value is read by it as Jaeger\'s reader converts it (jaeger-tags.ts); a value it cannot hold refuses the span', { type: 'string' }),
    value: modelled('the attribute\'s value'),
  },
};

export const JAEGER_PROTO_FIELDS: FieldTable = {
  Trace: {
    spans: modelled('read as spans (each walked as it is read)'),
    processMap: modelled('the service of each span by its processId', { items: 'ProcessMapping' }),
    warnings: warned(JAEGER_WARNINGS, nonEmpty),
    process: modelled('a Batch\'s process: the service of its spans without their own', { object: 'Process' }),
  },
  ProcessMapping: {
    processId: modelled('the process\'s id', { type: 'string' }),
    process: modelled('the process', { object: 'Process' }),
  },
  Span: {
    traceId: modelled('the trace id', { type: 'string' }),
    spanId: modelled('the span id', { type: 'string' }),
    operationName: modelled('the operation'),
    references: modelled('the first CHILD_OF is the parent, else the first FOLLOWS_FROM', { items: 'SpanRef' }),
    flags: warned(JAEGER_FLAGS, JAEGER_FLAGGED),
    startTime: modelled('the start'),
    duration: modelled('the duration'),
    tags: modelled('read as attributes', { items: 'KeyValue' }),
    logs: modelled('read as events', { items: 'Log' }),
    process: modelled('the span\'s service', { object: 'Process' }),
    processId: modelled('the service, by the trace\'s processMap', { type: 'string' }),
    warnings: warned(JAEGER_WARNINGS, nonEmpty),
  },
  SpanRef: {
    traceId: modelled('a reference to another trace is no parent', { type: 'string' }),
    spanId: modelled('the parent span', { type: 'string' }),
    refType: modelled('CHILD_OF or FOLLOWS_FROM'),
  },
  Log: {
    timestamp: modelled('the event\'s time'),
    fields: modelled('the event\'s attributes', { items: 'KeyValue' }),
  },
  Process: {
    serviceName: modelled('the service'),
    tags: warned('process tags (hostname, ip, client version) are not read: the service is serviceName alone', nonEmpty),
  },
  KeyValue: {
    key: modelled('the attribute\'s name', { type: 'string' }),
    vType: modelled('which of the values is the value'),
    vStr: modelled('a STRING value'),
    vBool: modelled('a BOOL value'),
    vInt64: modelled('an INT64 value'),
    vFloat64: modelled('a FLOAT64 value'),
    vBinary: modelled('a BINARY value, as its base64 text'),
  },
};

/**
 * A span as Jaeger's Elasticsearch and OpenSearch storage keeps it, a document each: jaegertracing/jaeger
 * internal/storage/v2/elasticsearch/tracestore/core/dbmodel/model.go (Span, Process, Reference, Log, KeyValue). Its
 * reader merges the tags kept as fields (`tag`, with es.tags-as-fields on) into `tags`, each "@" read back as a dot
 * (core/reader.go mergeAllNestedAndElevatedTagsOfSpan, dbmodel/dot_replacer.go; "@" is the dot-replacement's
 * default), and takes `parentSpanID` before any reference (tracestore/ids.go getParentSpanId).
 */
export const JAEGER_ES_FIELDS: FieldTable = {
  Span: {
    traceID: modelled('the trace id', { type: 'string' }),
    spanID: modelled('the span id', { type: 'string' }),
    parentSpanID: modelled('the parent span (before the references, as Jaeger\'s reader takes it)', { type: 'string' }),
    flags: warned(JAEGER_FLAGS, JAEGER_FLAGGED),
    operationName: modelled('the operation'),
    references: modelled('the parent when there is no parentSpanID: the first CHILD_OF of the trace, else the first FOLLOWS_FROM', { items: 'Reference' }),
    // dbmodel/model.go Span.StartTime, Duration, Log.Timestamp: uint64, read by Go's encoding/json.
    startTime: modelled('the start (microseconds)', { type: 'goUint64' }),
    startTimeMillis: modelled('the start in milliseconds, kept for Elasticsearch\'s range queries: startTime, in microseconds, is read', { type: 'goUint64' }),
    duration: modelled('the duration', { type: 'goUint64' }),
    tags: modelled('read as attributes (span.kind, error, otel.status_code, status codes)', { items: 'KeyValue' }),
    tag: modelled('tags kept as fields: read as attributes with the tags, each "@" read as a dot (Jaeger\'s default es.tags-as-fields.dot-replacement)', { type: 'object' }),
    logs: modelled('read as events', { items: 'Log' }),
    process: modelled('the span\'s service', { object: 'Process' }),
    '@timestamp': modelled('the start as RFC 3339 (data streams): startTime is read'),
  },
  Reference: {
    refType: modelled('CHILD_OF or FOLLOWS_FROM', { type: 'string' }),
    traceID: modelled('a reference to another trace is no parent', { type: 'string' }),
    spanID: modelled('the parent span', { type: 'string' }),
  },
  Process: {
    serviceName: modelled('the service', { type: 'string' }),
    tags: warned('process tags (hostname, ip, client version) are not read: the service is serviceName alone', nonEmpty, { type: 'list' }),
    tag: warned('process tags kept as fields (hostname, ip, client version) are not read: the service is serviceName alone', nonEmpty),
  },
  Log: {
    timestamp: modelled('the event\'s time', { type: 'goUint64' }),
    fields: modelled('the event\'s attributes; its field "event" names it', { items: 'KeyValue' }),
  },
  KeyValue: {
    key: modelled('the attribute\'s name', { type: 'string' }),
    type: modelled('bool, int64 and float64 read as such', { type: 'string' }),
    value: modelled('the attribute\'s value'),
  },
};
