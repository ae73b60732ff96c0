/**
 * What reading the files decided that the traces do not spell out, for the scenario's comment and the terminal:
 * spans read as failed by their status code alone, and Zipkin names read in lower case.
 */
import { basename } from 'node:path';
import type { ReadReport } from '../observe/span.js';
import { plural } from '../units/format.js';

interface Read { file: string; report: ReadReport }

const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** Clauses for the file's line in the scenario's comment ("12 spans failed by their status code alone"), or ''. */
export function readClauses(report: ReadReport): string {
  const n = total(report.failedByCode);
  const lowered = report.lowered.names.size + report.lowered.services.size;
  return (n > 0 ? `, ${plural(n, 'span')} failed by their status code or error.type alone` : '') +
    (lowered > 0 ? `, ${plural(lowered, 'name')} read in lower case as Zipkin keeps them` : '') +
    (report.merged > 0 ? `, ${plural(report.merged, 'part')} of spans merged` : '');
}

/** Lines for the terminal: per file, why spans with no error status or tag were read as failed, and names lowered. */
export function readNoteLines(reads: readonly Read[]): string[] {
  const lines: string[] = [];
  const failed = reads.filter((r) => r.report.failedByCode.size > 0);
  if (failed.length > 0) {
    lines.push('failed by their status code or error.type, with no error status or tag (OpenTelemetry\'s conventions for the span\'s kind: ' +
      'HTTP 5xx, and 4xx on a client span; gRPC UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS, and any but OK on a client span; ' +
      'Connect, Dubbo and JSON-RPC codes as their pages say; error.type, set only when the operation failed): ' +
      failed.map((r) => `${basename(r.file)}: ${[...r.report.failedByCode].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} x${n.toLocaleString('en-US')}`).join(', ')}`).join('; '));
  }
  for (const r of reads) {
    const { names, services } = r.report.lowered;
    if (names.size === 0 && services.size === 0) continue;
    const some = (set: Set<string>, what: string) => {
      if (set.size === 0) return [];
      const first = [...set][0];
      return [`${plural(set.size, what)} (${set.size > 1 ? 'such as ' : ''}"${first}" as "${first.toLowerCase()}")`];
    };
    lines.push(`${basename(r.file)}: read in lower case, as Zipkin keeps and shows them (zipkin2/Span.java Builder.name, Endpoint.java Builder.serviceName): ` +
      [...some(names, 'span name'), ...some(services, 'service name')].join(' and '));
  }
  for (const r of reads) {
    if (r.report.merged === 0) continue;
    lines.push(`${basename(r.file)}: ${plural(r.report.merged, 'span part')} without a timestamp merged into the part of the same span with one, ` +
      'as Zipkin merges a span reported in parts (zipkin2/internal/Trace.java merge)');
  }
  return lines;
}

/**
 * Trace ids of 32 digits whose lower 64 bits are another trace's 16-digit id: a library that keeps 64-bit ids cut
 * the trace passed to it. Zipkin's server keeps them apart by default and joins them with STRICT_TRACE_ID=false
 * (zipkin2/storage/StorageComponent.java strictTraceId); read as two traces, with a warning naming them.
 */
export function cutTraceIds(ids: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const id of ids) if (id.length === 32 && ids.has(id.slice(16))) out.push(`${id} and ${id.slice(16)}`);
  if (out.length === 0) return [];
  return [`trace ids that share their lower 64 bits: ${out.slice(0, 5).join(', ')}${out.length > 5 ? ` and ${out.length - 5} more` : ''}; ` +
    'a library that keeps 64-bit ids may have cut one. They are read as two traces each, as Zipkin keeps them by default ' +
    '(its server joins them only with STRICT_TRACE_ID=false)'];
}
