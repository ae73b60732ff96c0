import { writeText } from '../files/write.js';

/**
 * Writes a document as JSON with a final newline; the same document gives the same bytes. Two-space indented
 * by default; compact for bulky data such as cohorts. Failures are InputErrors naming the path (see writeText).
 */
export function writeJson(file: string, doc: unknown, compact = false): void {
  writeText(file, `${JSON.stringify(doc, null, compact ? undefined : 2)}\n`);
}
