/**
 * From a journal (or a drill document's record) back to a drill: the scenario file found and checked against
 * the content hash recorded (from any working directory), the hidden case re-drawn from its secret and checked
 * against the commitment, and the debrief built. Files follow one prefix: PREFIX.journal, PREFIX.secret (the
 * hidden case's secret, readable by the facilitator only), PREFIX.json and PREFIX.html (the debrief).
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { readInput } from '../files/read.js';
import { buildDocument, type DrillDocument, type Progress } from './debrief.js';
import { commitment, drawCase } from './hidden.js';
import { JournalError, readJournal, type JournalRecord } from './journal.js';
import { recordFromJournal, type DrillRecord } from './record.js';
import { readDrillScenario, sha256, type DrillScenario } from './session.js';

/** The prefix of a journal's files: PREFIX.journal -> PREFIX. */
export function prefixOf(journal: string): string {
  return journal.replace(/\.journal$/, '');
}

/** The scenario a record names: `override`, else the path recorded, else a file of that name beside `near`. */
export function locateScenario(record: DrillRecord, near: string, override?: string): string {
  if (override) return override;
  if (existsSync(record.scenario.file)) return record.scenario.file;
  const beside = join(dirname(resolve(near)), basename(record.scenario.file));
  if (existsSync(beside)) return beside;
  throw new InputError([`${record.scenario.file}: the drill's scenario file is not there, nor beside ${near}: pass it with --scenario FILE`]);
}

/** The case of a record: shown, or drawn from the revealed secret once that is checked against its commitment. */
export function caseOf(record: DrillRecord, cases: readonly string[], where: string): string | null {
  if (!record.case.hidden) return record.case.name;
  if (record.secret === null) throw new InputError([`${where}: the drill's case is hidden and its secret is not available (PREFIX.secret beside the journal)`]);
  if (commitment(record.secret) !== record.case.commitment) {
    throw new JournalError([`${where}: the hidden case's secret does not match the commitment made before the drill: the record has been altered`], true);
  }
  return drawCase(cases, record.secret);
}

/** The record's scenario, read once and checked against the recorded content hash. */
export function recordScenario(record: DrillRecord, near: string, override?: string): { read: DrillScenario; caseName: string | null } {
  const file = locateScenario(record, near, override);
  let text: string;
  try {
    text = readInput(file, 'scenario', `${file}: cannot read the scenario`);
  } catch (e) {
    throw e instanceof InputError ? e : new InputError([`${file}: cannot read the scenario: ${(e as Error).message}`]);
  }
  if (sha256(text) !== record.scenario.sha256) {
    throw new InputError([`${file}: the scenario file is not the one the drill ran (its sha256 is ${sha256(text).slice(0, 16)}…, the record's ${record.scenario.sha256.slice(0, 16)}…)`]);
  }
  const base = readDrillScenario(file, null);
  const caseName = caseOf(record, base.base.cases, near);
  return { read: caseName === null ? base : readDrillScenario(file, caseName), caseName };
}

/** The secret of a hidden case: from the journal's end, else from PREFIX.secret. */
export function secretOf(j: JournalRecord, journal: string): string | null {
  if (!j.header.case.hidden) return null;
  if (j.end?.secret) return j.end.secret;
  const file = `${prefixOf(journal)}.secret`;
  return existsSync(file) ? readInput(file, 'drill').trim() : null;
}

/**
 * The debrief of a journal's drill, ended or not (a drill that never ended is debriefed to where it stopped). A last
 * line cut short (the drill stopped while writing it) is dropped, and said to `warn`.
 */
export function debriefFromJournal(journal: string, o: { scenario?: string; warn?: (line: string) => void } = {}, progress?: Progress): DrillDocument {
  const j = readJournal(journal);
  if (j.truncated) o.warn?.(`warning: ${journal}:${j.entries.length + 2}: the last line is cut short (the drill stopped while writing it): dropped; the debrief reads the ${j.entries.length + 1} whole lines before it`);
  const record = recordFromJournal(j, secretOf(j, journal));
  const { read, caseName } = recordScenario(record, journal, o.scenario);
  return buildDocument(record, read, caseName, progress);
}
