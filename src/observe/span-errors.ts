/**
 * Whether a span failed, where its status does not say: an OpenTracing `error` tag, or its HTTP or gRPC status code
 * read as OpenTelemetry's semantic conventions read it for the span's kind.
 *
 * - HTTP (semantic-conventions docs/http/http-spans.md, "Status"): 5xx is an error on every span; 4xx is an error on
 *   a client span and not on a server span; "any other code the client failed to interpret" (outside 100 to 599,
 *   such as the 0 a browser reports for a request that got no answer, or -1) is an error on every span, as the
 *   sentence does not limit it to a kind and as the collector reads it (opentelemetry-collector-contrib
 *   pkg/translator/jaeger/jaegerproto_to_traces.go statusCodeFromHTTP: Error outside 100 to 398 but a server's 4xx).
 * - gRPC (docs/rpc/grpc.md: v1.37.0's table of span status by status code and kind, and today's `rpc.status_code`
 *   notes): on a server span UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS are
 *   errors; on a client span every code but OK is. The code is `rpc.grpc.status_code` (a number, the conventions up
 *   to v1.37.0) or `rpc.status_code` (its name, `rpc.response.status_code` for a while) of a span whose
 *   `rpc.system.name` (or `rpc.system`) is `grpc`.
 * - Connect, Dubbo and JSON-RPC by their own pages (docs/rpc/connect-rpc.md, dubbo.md, json-rpc.md; rpcError below).
 * - Else `error.type`, which instrumentations set if and only if the operation failed (docs/registry/attributes/error.md).
 * - A span of no known kind (unspecified, internal, producer, consumer) fails on what both kinds count: HTTP 5xx,
 *   the server's gRPC codes.
 */
import type { AttributeValue, SpanKind } from './span.js';

/** OpenTracing's `error` tag: true, or any text but "false" and "" (Zipkin's own readers count any error tag). */
export function errorTag(a: Record<string, AttributeValue>): boolean {
  const e = a['error'];
  return e === true || (typeof e === 'string' && e !== '' && e !== 'false');
}

/** gRPC status codes by name (grpc/grpc doc/statuscodes.md). */
export const GRPC_CODES: readonly string[] = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED',
  'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS',
  'UNAUTHENTICATED',
];

/** The codes a gRPC server span fails on: UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS. */
const GRPC_SERVER_ERRORS = new Set([2, 4, 12, 13, 14, 15]);

const kindLabel = (kind: SpanKind): string => (kind === 'unspecified' ? 'a span of no kind' : kind === 'internal' ? 'an internal span' : `a ${kind} span`);

/** Dubbo2's codes a server span fails on (docs/rpc/dubbo.md); Dubbo3's Triple protocol fails on the gRPC server codes. */
const DUBBO2_SERVER_ERRORS = new Set(['SERVER_ERROR', 'SERVER_THREADPOOL_EXHAUSTED_ERROR', 'SERVER_TIMEOUT', 'SERVICE_ERROR']);

const present = (v: AttributeValue | undefined): v is AttributeValue => v !== undefined && v !== '';

/**
 * Why an RPC span failed by its status code, or null. gRPC (grpc.md) and Connect (connect-rpc.md, gRPC's codes in
 * lower case): a server fails on UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE, DATA_LOSS, a client
 * on every code but OK. Dubbo (dubbo.md): a client on every code but OK, a server on Dubbo2's server errors and the
 * gRPC server codes (Triple). JSON-RPC (json-rpc.md): the code is an error response's, an error on every span.
 */
function rpcError(a: Record<string, AttributeValue>, kind: SpanKind): string | null {
  const on = `on ${kindLabel(kind)}`;
  const grpc = (code: number) => (code !== 0 && (kind === 'client' || GRPC_SERVER_ERRORS.has(code)) ? `gRPC ${GRPC_CODES[code] ?? code} ${on}` : null);
  const old = a['rpc.grpc.status_code'];
  if (present(old) && Number.isInteger(Number(old))) return grpc(Number(old));
  const oldJson = a['rpc.jsonrpc.error_code'];
  if (present(oldJson)) return `JSON-RPC error ${oldJson} ${on}`;
  const oldConnect = a['rpc.connect_rpc.error_code'];
  const system = String(a['rpc.system.name'] ?? a['rpc.system'] ?? '');
  const named = a['rpc.status_code'] ?? a['rpc.response.status_code'] ?? (present(oldConnect) ? oldConnect : undefined);
  if (!present(named)) return null;
  const name = String(named).toUpperCase();
  if (name === 'OK') return null;
  const i = GRPC_CODES.indexOf(name);
  if (system === 'grpc' || system === 'connectrpc' || system === 'connect_rpc' || present(oldConnect)) {
    const what = system === 'grpc' ? 'gRPC' : 'Connect';
    if (i >= 0) return grpc(i) === null ? null : `${what} ${named} ${on}`;
    return system === 'grpc' && Number.isInteger(Number(named)) ? grpc(Number(named)) : kind === 'client' ? `${what} ${named} ${on}` : null;
  }
  if (system === 'dubbo' || system === 'apache_dubbo') {
    return kind === 'client' || DUBBO2_SERVER_ERRORS.has(name) || (i >= 0 && GRPC_SERVER_ERRORS.has(i)) ? `Dubbo ${named} ${on}` : null;
  }
  if (system === 'jsonrpc') return `JSON-RPC error ${named} ${on}`;
  return null;
}

/**
 * Why the span failed by its HTTP or RPC status code for its kind, or its error.type ("HTTP 404 on a client span"); null when its
 * codes are no error for its kind or it has none. Only for a span whose status is unset: a status of OK or ERROR
 * is the instrumentation's own word, which may know better (a 404 that was expected).
 */
export function statusCodeError(a: Record<string, AttributeValue>, kind: SpanKind): string | null {
  // http.status_code: the attribute's name before semantic conventions v1.23.0.
  const http = a['http.response.status_code'] ?? a['http.status_code'];
  const code = http === undefined || http === '' ? NaN : Number(http);
  if (Number.isInteger(code)) {
    const failed = code < 100 || code > 599 || (kind === 'client' ? code >= 400 : code >= 500);
    if (failed) return `HTTP ${code} on ${kindLabel(kind)}`;
  }
  const rpc = rpcError(a, kind);
  if (rpc !== null) return rpc;
  // "If the operation has completed successfully, instrumentations SHOULD NOT set error.type" (docs/registry/
  // attributes/error.md; "Conditionally Required: If and only if the operation failed" on HTTP and RPC spans).
  const type = a['error.type'];
  return present(type) ? `error.type ${type} on ${kindLabel(kind)}` : null;
}

/** The HTTP status code attribute a span gives that is no HTTP status code (an integer from 100 to 599), or null. */
export function uninterpretedHttpCode(a: Record<string, AttributeValue>): { key: string; value: AttributeValue } | null {
  const key = a['http.response.status_code'] !== undefined ? 'http.response.status_code' : a['http.status_code'] !== undefined ? 'http.status_code' : null;
  if (key === null) return null;
  const value = a[key];
  const code = value === '' ? NaN : Number(value);
  return Number.isInteger(code) && code >= 100 && code <= 599 ? null : { key, value };
}

/**
 * The span's status as otel.status_code gives it in Jaeger and Zipkin: OK, ERROR or unset (''), or null for a value
 * that is none of them. OpenTelemetry writes OK or ERROR (opentelemetry-specification common/mapping-to-non-otlp.md,
 * trace/sdk_exporters/zipkin.md, "Status"), which the collector's Jaeger translator reads in any case
 * (opentelemetry-collector-contrib pkg/translator/jaeger/jaegerproto_to_traces.go setInternalSpanStatus:
 * strings.ToUpper); its Zipkin receiver reads the enum's names too (pkg/translator/zipkin/zipkinv2/to_translator.go
 * statusCodeValue: STATUS_CODE_OK, STATUS_CODE_ERROR, STATUS_CODE_UNSET), `enumNames` here. Both read any other
 * value as unset.
 */
export function otelStatus(value: AttributeValue | undefined, enumNames: boolean): 'OK' | 'ERROR' | '' | null {
  if (value === undefined) return '';
  const upper = typeof value === 'string' ? value.toUpperCase() : null;
  const name = upper !== null && enumNames && upper.startsWith('STATUS_CODE_') ? upper.slice(12) : upper;
  return name === 'OK' || name === 'ERROR' ? name : name === 'UNSET' ? '' : null;
}

/**
 * The gRPC status code a span gives that is none (grpc/grpc doc/statuscodes.md: 0 to 16, or their names in
 * rpc.status_code), or null; `read`: whether rpcError reads it as a code other than OK (a whole number, or a name
 * in rpc.status_code), not when it is text in rpc.grpc.status_code.
 */
export function uninterpretedGrpcCode(a: Record<string, AttributeValue>): { key: string; value: AttributeValue; read: boolean } | null {
  const known = (v: AttributeValue, names: boolean) => {
    const code = v === '' ? NaN : Number(v);
    return (Number.isInteger(code) && code >= 0 && code < GRPC_CODES.length) || (names && GRPC_CODES.includes(String(v).toUpperCase()));
  };
  const old = a['rpc.grpc.status_code'];
  if (present(old)) return known(old, false) ? null : { key: 'rpc.grpc.status_code', value: old, read: Number.isInteger(Number(old)) };
  if (String(a['rpc.system.name'] ?? a['rpc.system'] ?? '') !== 'grpc') return null;
  const key = a['rpc.status_code'] !== undefined ? 'rpc.status_code' : a['rpc.response.status_code'] !== undefined ? 'rpc.response.status_code' : null;
  if (key === null || !present(a[key]) || known(a[key], true)) return null;
  return { key, value: a[key], read: true };
}
