/**
 * `gameday debrief JOURNAL` (the debrief of a drill from its journal, ended or not) and `gameday replay FILE`
 * (a drill document or a journal re-run and checked: the digest first, so that an edited record is reported
 * as tampering; then the scenario's content hash; then the whole debrief, byte for byte).
 */
import { z } from 'zod';
import { InputError } from '../errors.js';
import { parseJsonDocument } from '../files/json.js';
import { issueLines, PLAIN } from '../units/issues.js';
import { readInput, readLimits } from '../files/read.js';
import { writeText } from '../files/write.js';
import { filesPrefix } from './prefix.js';
import { buildDocument, type DrillDocument } from '../live/debrief.js';
import { drillHtml } from '../live/debrief-html.js';
import { debriefLines } from '../live/debrief-words.js';
import { debriefFromJournal, prefixOf, recordScenario } from '../live/from-journal.js';
import { JournalError } from '../live/journal.js';
import { asVersion, canonicalJson, documentDigest, type DrillRecord } from '../live/record.js';
import { ReplayMismatch } from '../live/session.js';
import { VERSION } from '../version.js';
import { clock, plural } from '../units/format.js';

type Io = { out: (s: string) => void; err: (s: string) => void };

/** The debrief's files, named from a prefix. */
const DEBRIEF = ['.json', '.html'] as const;

function write(doc: DrillDocument, out: string, io: Io): void {
  writeText(`${out}.json`, `${JSON.stringify(doc, null, 2)}\n`);
  writeText(`${out}.html`, drillHtml(doc));
  io.out(`debrief written to ${out}.html and ${out}.json, digest ${doc.digest}`);
}

/**
 * What to say of a record that fails its own checks (a hash chain broken, a hidden case's secret that does not
 * match its commitment, actions that do not replay as recorded): a check that failed, exit 1, for every command
 * that reads it; null for anything else (bad input, exit 2).
 */
export function tampered(e: unknown, file: string): string[] | null {
  if (e instanceof ReplayMismatch) return [`${file}: tampered: ${e.message}`];
  if (e instanceof JournalError && e.tampered) return e.lines;
  return null;
}

/** Writes the debrief of the drill a journal holds (one that never ended is debriefed to where it stopped). */
export function debriefCommand(journal: string, o: { scenario?: string; out?: string }, io: Io): number {
  const out = o.out === undefined ? undefined : filesPrefix('--out', o.out, DEBRIEF);
  let doc: DrillDocument;
  try {
    doc = debriefFromJournal(journal, { ...o, warn: io.err });
  } catch (e) {
    const lines = tampered(e, journal);
    if (!lines) throw e;
    for (const l of lines) io.err(l);
    return 1;
  }
  if (doc.record.end.reason === 'interrupted') io.out(`the drill never ended: debriefed to ${clock(doc.record.end.atUs / 1e6)} simulated, where the journal stops`);
  write(doc, out ?? prefixOf(journal), io);
  for (const l of debriefLines(doc)) io.out(l);
  return 0;
}

const DocumentShape = z.object({
  schema: z.string(),
  version: z.string(),
  record: z.object({
    scenario: z.object({ file: z.string(), sha256: z.string(), name: z.string() }),
    // What the replay reads of each action, checked before it runs: a mistyped one names its path, not a symptom.
    actions: z.array(z.object({ atUs: z.number().int().nonnegative(), by: z.string(), action: z.object({ type: z.string() }).loose() }).loose()),
  }).loose(),
  digest: z.string(),
}).loose();

/** Re-runs a drill's record; 0 when the debrief is byte-identical to the recorded one, 1 when not (and why). */
export function replayCommand(file: string, o: { scenario?: string; out?: string }, io: Io): number {
  const out = o.out === undefined ? undefined : filesPrefix('--out', o.out, DEBRIEF);
  let text: string;
  try {
    // A regular file within the drill record's limit; nesting checked before it is parsed (files/).
    text = readInput(file, 'drill', `${file}: cannot read`);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError([`${file}: cannot read: ${(e as Error).message.split('\n')[0]}`]);
  }
  const failed = (lines: string[]) => {
    for (const l of lines) io.err(l);
    return 1;
  };
  try {
    // A journal (its lines begin so; one whose header was removed is a journal altered): its chain of hashes is
    // checked as it is read; its debrief is the replay.
    if (text.startsWith('{"kind":')) {
      const doc = debriefFromJournal(file, { ...o, warn: io.err });
      if (out !== undefined) write(doc, out, io);
      io.out(`replay of the journal: ${plural(doc.record.actions.length, 'action')} re-applied at ${doc.record.actions.length === 1 ? 'its simulated instant' : 'their simulated instants'}, as recorded; digest ${doc.digest}`);
      // A journal holds no results to compare with: another version's may not give the digest its drill printed.
      const { version } = JSON.parse(text.slice(0, text.indexOf('\n'))) as { version: string };
      // The digest over the same debrief with the recording version's number is the one the drill printed, when
      // this version rebuilds it unchanged: a team can hold it to the digest they kept.
      if (version !== VERSION) io.out(`the drill was recorded with rehearse ${version}, this is ${VERSION}: the digest over this debrief with ${version}'s number is ${documentDigest(asVersion(doc, version))}, the drill's own when the debrief has not changed`);
      return 0;
    }
    let raw: unknown;
    try {
      raw = parseJsonDocument(text, file, readLimits().depth);
    } catch (e) {
      if (e instanceof InputError && /nested more than/.test(e.message)) throw e;
      // A drill's document that no longer parses was altered (exit 1); anything else is not a record (exit 2):
      // an empty file or another file was reported as a record altered.
      if (/"schema":\s*"rehearse\/drill@/.test(text)) return failed([`${file}: not JSON: the drill document has been altered`]);
      throw new InputError([`${file}: ${text.trim() === '' ? 'an empty file' : 'not JSON'}: neither a drill's debrief document (PREFIX.json) nor its journal (PREFIX.journal)`]);
    }
    // Another of rehearse's documents (a run's result, a sweep) is named for what it is, before its fields.
    const schema = (raw as { schema?: unknown } | null)?.schema;
    if (typeof schema === 'string' && schema.startsWith('rehearse/') && !schema.startsWith('rehearse/drill@')) {
      throw new InputError([`${file}: a ${schema} document, not a drill's: replay reads the PREFIX.json (rehearse/drill@2) or PREFIX.journal a game day wrote`]);
    }
    const shape = DocumentShape.safeParse(raw, PLAIN);
    if (!shape.success) throw new InputError([...issueLines(shape.error.issues).map((l) => `${file}: ${l}`), `${file}: not a drill document (rehearse/drill@2)`]);
    if (shape.data.schema !== 'rehearse/drill@2') throw new InputError([`${file}: a ${shape.data.schema} document: this version replays rehearse/drill@2`]);
    const recorded = raw as DrillDocument;
    if (documentDigest(recorded) !== recorded.digest) {
      return failed([`${file}: tampered: the document's digest does not match its content (a field was edited after the drill)`]);
    }
    const record = recorded.record as DrillRecord;
    const { read, caseName } = recordScenario(record, file, o.scenario);
    const doc = buildDocument(record, read, caseName);
    if (out !== undefined) write(doc, out, io);
    const instants = `${plural(record.actions.length, 'action')} re-applied at ${record.actions.length === 1 ? 'its simulated instant' : 'their simulated instants'}`;
    if (canonicalJson(doc) === canonicalJson(recorded)) {
      io.out(`replay identical: ${instants}; the team's run, the policy's run, the comparison and the digest are the same byte for byte`);
      return 0;
    }
    // Another version's document: everything is compared but the version that wrote it (and the digest, over it).
    if (recorded.version !== VERSION && canonicalJson({ ...asVersion(doc, recorded.version), digest: '' }) === canonicalJson({ ...recorded, digest: '' })) {
      io.out(`replay identical: ${instants}; the team's run, the policy's run, the comparison and the record are the same byte for byte (recorded with rehearse ${recorded.version}, this is ${VERSION}: only the version, and the digest over it, differ)`);
      return 0;
    }
    // The runs of another version's document say that version: compared as it would have written them.
    const same = recorded.version !== VERSION ? asVersion(doc, recorded.version) : doc;
    const parts = (['team', 'policy', 'comparison', 'verdict', 'faults', 'withdrawn', 'budget', 'revealed'] as const).filter((k) => canonicalJson(same[k]) !== canonicalJson(recorded[k]));
    if (recorded.version !== VERSION) {
      return failed([`replay differs (${parts.join(', ') || 'the digest'}): the drill was recorded with rehearse ${recorded.version}, this is ${VERSION}`]);
    }
    return failed([`${file}: tampered: the digest holds but the record does not replay to the results it states (${parts.join(', ') || 'the digest'} differ): the document was edited and its digest recomputed`]);
  } catch (e) {
    const lines = tampered(e, file);
    if (lines) return failed(lines);
    throw e;
  }
}
