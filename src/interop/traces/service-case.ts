/**
 * A service that reports through Zipkin and OTLP (or Jaeger) spells its name in lower case in the one and as it was
 * given in the others: Zipkin keeps service names in lower case (openzipkin/zipkin zipkin2/Endpoint.java
 * Builder.serviceName: toLowerCase(Locale.ROOT)), and so does Zipkin's own OTLP collector, which builds the same
 * Endpoint from an OTLP resource's service.name (openzipkin-contrib/zipkin-otel collector-http SpanTranslator
 * getLocalEndpoint). One backend receiving both shows one service, in lower case where Zipkin's spelling is read
 * (as rehearse reads Zipkin's files). So a name that is a Zipkin service's but for its case joins that service under
 * Zipkin's lower-case spelling, with a warning naming both spellings and where each occurs.
 */
import type { ReadReport, Span } from '../../observe/span.js';
import { quoted } from '../../units/escape.js';

interface Read { format: string; report: ReadReport }

/** The renames (spelling -> Zipkin's lower-case name) for files read together; each rename warned in its file's report. */
export function joinZipkinCase(files: readonly string[], reads: readonly Read[]): Map<string, string> {
  const zipkin = new Map<string, string>();
  reads.forEach((r, i) => {
    if (r.format !== 'zipkin') return;
    for (const [spelled, at] of r.report.spellings) {
      const low = spelled.toLowerCase();
      if (!zipkin.has(low)) zipkin.set(low, `${quoted(spelled)} in Zipkin's ${files[i]}:${at}${spelled !== low ? `, kept as ${quoted(low)}` : ''}`);
    }
  });
  const renames = new Map<string, string>();
  if (zipkin.size === 0) return renames;
  reads.forEach((r, i) => {
    if (r.format === 'zipkin') return;
    for (const [spelled, at] of r.report.spellings) {
      const low = spelled.toLowerCase();
      const there = zipkin.get(low);
      if (low === spelled || there === undefined) continue;
      renames.set(spelled, low);
      r.report.warnings.push(`service ${quoted(spelled)} in ${r.format === 'otlp' ? 'OTLP' : 'Jaeger'}'s ${files[i]}:${at} and ${there} are one service, joined as ${quoted(low)}: ` +
        'Zipkin keeps service names in lower case (zipkin2/Endpoint.java Builder.serviceName), its OTLP collector too (zipkin-otel SpanTranslator), ' +
        `so one backend receiving both shows ${quoted(low)}`);
    }
  });
  return renames;
}

/** The span's service and the service it calls, renamed. */
export function renameServices(s: Span, renames: ReadonlyMap<string, string>): void {
  if (s.service !== null) s.service = renames.get(s.service) ?? s.service;
  if (s.remoteService !== null) s.remoteService = renames.get(s.remoteService) ?? s.remoteService;
}
