/**
 * What reading the files decided that the traces do not spell out, for the scenario's comment and the terminal:
 * spans read as failed by their status code alone.
 */
import { basename } from 'node:path';
import type { ReadReport } from '../observe/span.js';
import { plural } from '../units/format.js';

interface Read { file: string; report: ReadReport }

const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

/** A clause for the file's line in the scenario's comment ("12 failed by their status code"), or ''. */
export function failedByCodeClause(report: ReadReport): string {
  const n = total(report.failedByCode);
  return n > 0 ? `, ${plural(n, 'span')} failed by their status code alone` : '';
}

/** Lines for the terminal: per file, why spans with no error status or tag were read as failed. */
export function readNoteLines(reads: readonly Read[]): string[] {
  const lines: string[] = [];
  const failed = reads.filter((r) => r.report.failedByCode.size > 0);
  if (failed.length > 0) {
    lines.push('failed by their status code, with no error status or tag (OpenTelemetry\'s conventions for the span\'s kind: ' +
      'HTTP 5xx, and 4xx on a client span; gRPC UNKNOWN, DEADLINE_EXCEEDED, UNIMPLEMENTED, INTERNAL, UNAVAILABLE and DATA_LOSS, and any but OK on a client span): ' +
      failed.map((r) => `${basename(r.file)}: ${[...r.report.failedByCode].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${why} x${n.toLocaleString('en-US')}`).join(', ')}`).join('; '));
  }
  return lines;
}
