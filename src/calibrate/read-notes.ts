/**
 * What reading the files decided that the traces do not spell out, for the scenario's comment and the terminal:
 * spans read as failed by their status code alone, and Zipkin names read in lower case.
 */
import { basename } from 'node:path';
import type { ReadReport } from '../observe/span.js';
import { plural } from '../units/format.js';
import { quoted } from '../units/escape.js';

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
      return [`${plural(set.size, what)} (${set.size > 1 ? 'such as ' : ''}${quoted(first)} as ${quoted(first.toLowerCase())})`];
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
  // A 32-digit id whose upper 64 bits are zeros is a Zipkin id padded from 17 to 31 digits (paddedTraceIds says so).
  for (const id of ids) if (id.length === 32 && !id.startsWith('0000000000000000') && ids.has(id.slice(16))) out.push(`${id} and ${id.slice(16)}`);
  if (out.length === 0) return [];
  return [`trace ids that share their lower 64 bits: ${out.slice(0, 5).join(', ')}${out.length > 5 ? ` and ${out.length - 5} more` : ''}; ` +
    'a library that keeps 64-bit ids may have cut one. They are read as two traces each, as Zipkin keeps them by default ' +
    '(its server joins them only with STRICT_TRACE_ID=false)'];
}

/**
 * Zipkin trace ids of 17 to 31 digits whose upper 64 bits are zeros: Zipkin pads them to 32 digits and keeps them so
 * (zipkin2/Span.java normalizeTraceId), another trace than the same bits in 16 digits, which is how Jaeger
 * (model/v1/ids.go TraceID.String) and OTLP's 64-bit ids read. Warned with where each first occurs.
 */
export function paddedTraceIds(reads: readonly Read[]): string[] {
  const out: string[] = [];
  for (const r of reads) {
    const ids = [...r.report.padded];
    if (ids.length === 0) continue;
    const [id, at] = ids[0];
    const full = id.padStart(32, '0');
    out.push(`${r.file}:${at}: Zipkin trace id ${quoted(id)} (${id.length} digits)${ids.length > 1 ? ` and ${ids.length - 1} more of 17 to 31 digits` : ''} read as Zipkin keeps it, ` +
      `${full} (normalizeTraceId pads 17 to 31 digits to 32): its upper 64 bits are zeros, so Jaeger and OTLP spell the same trace ${full.slice(16)}, ` +
      'which Zipkin keeps apart (spans of it in those files are another trace)');
  }
  return out;
}

/**
 * Per file, what reading it warned of: spans skipped (with the first's place), fields read and not modelled, and each
 * field warned once a file at its own file:line:column with how often it occurs. Every command that reads trace
 * files prints these (calibrate's own files and those of --check).
 */
export function fileWarnings(reads: readonly Read[]): string[] {
  const warnings: string[] = [];
  for (const r of reads) {
    warnings.push(...r.report.warnings);
    for (const [what, u] of r.report.unmodelled) warnings.push(`${r.file}:${u.at}: ${plural(u.spans, 'span')} with ${what}`);
    for (const n of r.report.fieldNotes.values()) warnings.push(`${r.file}:${n.at}: ${n.message}${n.count > 1 ? ` (${n.count.toLocaleString('en-US')} times in the file; the first here)` : ''}`);
    for (const [reason, n] of r.report.skipped) {
      const at = r.report.skippedAt.get(reason);
      warnings.push(`${r.file}${at ? `:${at}` : ''}: skipped ${n} ${reason}${n > 1 ? ` (each${at ? '; the first here' : ''})` : ''}`);
    }
  }
  return warnings;
}
