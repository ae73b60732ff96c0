/** Journals edited for tests: a drill's lines changed, then chained again as a drill chains them (journal.ts chain). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { JournalError, readJournal } from '../src/live/journal.js';
import { sha256 } from '../src/live/session.js';

/** Writes `lines` (a journal's text lines), each parsed and edited by `edit`, chained again, to dir/name; returns the path. */
export function rechainedJournal(dir: string, name: string, lines: readonly string[], edit: (lines: Record<string, unknown>[]) => void): string {
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  edit(parsed);
  let head = '';
  const text = parsed.map(({ h: _h, ...body }) => {
    const json = JSON.stringify(body);
    head = sha256(`${head}\n${json}`);
    return `${json.slice(0, -1)},"h":"${head}"}`;
  }).join('\n');
  writeFileSync(join(dir, name), `${text}\n`);
  return join(dir, name);
}

/** What reading the journal refuses (its lines, and whether as tampering), or null where it reads. */
export function journalRefusal(path: string): { lines: string[]; tampered: boolean | null } | null {
  try {
    readJournal(path);
  } catch (e) {
    return e instanceof JournalError ? { lines: e.lines, tampered: e.tampered } : { lines: [String(e)], tampered: null };
  }
  return null;
}
