import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a document as JSON with a final newline; the same document gives the same bytes. Two-space indented
 * by default; compact for bulky data such as cohorts.
 */
export function writeJson(file: string, doc: unknown, compact = false): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(doc, null, compact ? undefined : 2)}\n`);
}
