/**
 * A status code attribute that is no HTTP status code (-1, 0, 600, "abc"), said at its place. The semantic conventions
 * (open-telemetry/semantic-conventions docs/http/http-spans.md, "Status") count "any other code the client failed to
 * interpret" an error, and the collector's Jaeger translator sets Error for an integer outside 100 to 398 on any kind
 * of span but a server's 4xx (opentelemetry-collector-contrib pkg/translator/jaeger/jaegerproto_to_traces.go
 * statusCodeFromHTTP), and none for text it cannot parse (codeFromAttr fails: the status stays unset).
 */
import type { AttributeValue, ReadReport, SpanKind } from '../../observe/span.js';
import { otelStatus, uninterpretedGrpcCode, uninterpretedHttpCode } from '../../observe/span-errors.js';
import { locate, shown } from './fields.js';

/** `what`: the attribute's kind in the format ("OTLP attribute", "Jaeger tag"); `pathOf`: where the key's value is, in the value being read. */
export function httpCodeNote(what: string, pathOf: (key: string) => (string | number)[] | null, attributes: Record<string, AttributeValue>, kind: SpanKind, statusSet: boolean, report: ReadReport): void {
  grpcCodeNote(what, pathOf, attributes, kind, statusSet, report);
  const odd = uninterpretedHttpCode(attributes);
  if (odd === null) return;
  const number = typeof odd.value === 'number' || (typeof odd.value === 'string' && /^-?\d+$/.test(odd.value.trim()));
  const reading = statusSet ? 'the span\'s own status decides, as the code is read only where it is unset'
    : number ? `read as a failure of the span, whatever its kind (${kind} here), as the collector's Jaeger translator sets Error for it`
      : 'not read as a code: the span fails by its other attributes only, as the collector\'s Jaeger translator cannot parse it and leaves the status unset';
  report.noteField(`${what} ${odd.key} outside 100 to 599`, () => {
    const path = pathOf(odd.key);
    return path === null ? report.here : locate(report, path);
  }, () => `${what} ${odd.key}: ${shown(odd.value)} is no HTTP status code (100 to 599; semantic conventions http-spans.md: "any other code the client failed to interpret" is an error): ${reading}`);
}

/**
 * The span's status by its otel.status_code tag ('' for none or unset); a value that is no status is said at its
 * place and read as unset (`zipkin`: the enum's names are read, as the collector's Zipkin receiver reads them).
 */
export function statusTagNote(what: string, pathOf: (key: string) => (string | number)[] | null, attributes: Record<string, AttributeValue>, zipkin: boolean, report: ReadReport): 'OK' | 'ERROR' | '' {
  const value = attributes['otel.status_code'];
  const status = otelStatus(value, zipkin);
  if (status !== null) return status;
  const names = zipkin ? 'OK, ERROR or UNSET, or STATUS_CODE_ before one' : 'OK, ERROR or UNSET';
  report.noteField(`${what} otel.status_code not a status`, () => {
    const path = pathOf('otel.status_code');
    return path === null ? report.here : locate(report, path);
  }, () => `${what} otel.status_code: ${shown(value)} is no span status (${names}, in any case): read as unset, as the collector reads a value it does not know: the span fails by its error tag or its status codes`);
  return '';
}

/**
 * A gRPC status code that is none (grpc/grpc doc/statuscodes.md: 0 to 16; in rpc.status_code of a gRPC span, their
 * names too), said at its place. A whole number past 16, or a name that is none, is read as a code other than OK, which semantic-conventions docs/rpc/grpc.md counts a failure
 * on a client span ("all status codes except OK") and not on a server span (its errors are named); text that is no
 * number is not read as a code.
 */
function grpcCodeNote(what: string, pathOf: (key: string) => (string | number)[] | null, attributes: Record<string, AttributeValue>, kind: SpanKind, statusSet: boolean, report: ReadReport): void {
  const odd = uninterpretedGrpcCode(attributes);
  if (odd === null) return;
  const reading = statusSet ? 'the span\'s own status decides, as the code is read only where it is unset'
    : odd.read ? `read as a code other than OK: a failure of a client span, not of a server span (grpc.md; ${kind} here)`
      : 'not read as a code: the span fails by its other attributes only';
  report.noteField(`${what} ${odd.key} outside 0 to 16`, () => {
    const path = pathOf(odd.key);
    return path === null ? report.here : locate(report, path);
  }, () => `${what} ${odd.key}: ${shown(odd.value)} is no gRPC status code (0 to 16 or their names, grpc/grpc doc/statuscodes.md): ${reading}`);
}
