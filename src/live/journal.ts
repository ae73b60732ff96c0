/**
 * The drill's journal: an append-only file of JSON lines, written as things happen (people joining, actions,
 * notes, faults, the clock, the countdown, the end), so that a crash, a double Ctrl-C or kill -9 loses nothing
 * but the last moments of simulated time: reading the journal back gives the drill to the instant it stopped.
 *
 * Each line carries `h`, the SHA-256 of the previous line's `h` and its own content: an edited, removed or
 * reordered line breaks the chain from there on, and reading says so (tampering, not a version mismatch).
 * A last line cut short by a crash is dropped. Lines are written with one write() each; actions and the end
 * are flushed to the disk (fdatasync), clock lines are not (the page cache survives a killed process).
 * A `serve` line says where the drill is served each time it is (so that a resumed drill serves there again);
 * journals written before it was recorded have none.
 *
 * Lines follow the drill's simulated clock: the simulated time of each line that has one (`atUs`: actions, clock
 * lines, the countdown, a resumption, the end) is never before the one of the line before it; reading refuses a
 * line that goes back (replay would apply an action at another instant than the drill did). The writer holds the
 * last wall time written while the machine's clock is set back.
 */
import { closeSync, existsSync, fdatasyncSync, openSync, truncateSync, writeSync } from 'node:fs';
import { z } from 'zod';
import { InputError, reason } from '../errors.js';
import { jsonPosition } from '../files/json.js';
import { readInput } from '../files/read.js';
import { issueLines, PLAIN } from '../units/issues.js';
import { checkWritable, makeFolders } from '../files/write.js';
import { dirname } from 'node:path';
import { ROLES, type Person } from './access.js';
import { ActionBody, type RecordedAction } from './actions.js';
import { sha256, type EndReason } from './session.js';

export const JOURNAL_SCHEMA = 'rehearse/journal@1';

const GateModeSchema = z.enum(['on', 'advisory', 'off']);
const Role = z.enum(ROLES);
const Us = z.int({ error: (i) => (typeof i.input === 'number' ? `${i.input} is no whole number of microseconds (a simulated instant is one)` : undefined) }).min(0);

const Header = z.strictObject({
  kind: z.literal('drill'), schema: z.literal(JOURNAL_SCHEMA), version: z.string(), wall: z.string(),
  scenario: z.strictObject({ file: z.string(), sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string() }),
  seed: z.int().min(0), gates: GateModeSchema, speed: z.number(),
  case: z.union([
    z.strictObject({ hidden: z.literal(false), name: z.string().nullable() }),
    z.strictObject({ hidden: z.literal(true), commitment: z.string().regex(/^[0-9a-f]{64}$/) }),
  ]),
});
const Entry = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('person'), wall: z.string(), name: z.string(), role: Role, token: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.strictObject({
    kind: z.literal('action'), atUs: Us, wallTime: z.string(), by: z.string(), role: Role, action: ActionBody, refused: z.string().nullable(),
    configVersion: z.int().optional(), faultName: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('clock'), atUs: Us, wall: z.string(), speed: z.number(), paused: z.boolean() }),
  z.strictObject({ kind: z.literal('countdown'), op: z.enum(['start', 'cancel', 'expired']), atUs: Us, wall: z.string(), by: z.string().optional() }),
  z.strictObject({ kind: z.literal('resume'), atUs: Us, wall: z.string() }),
  z.strictObject({ kind: z.literal('serve'), wall: z.string(), host: z.string(), port: z.int().min(1).max(65535), publicUrl: z.string().optional(), url: z.string() }),
  z.strictObject({ kind: z.literal('end'), atUs: Us, wall: z.string(), reason: z.enum(['horizon', 'by-hand', 'plans-done']), secret: z.string().regex(/^[0-9a-f]{64}$/).optional() }),
]);

export type JournalHeader = z.infer<typeof Header>;
export type JournalEntry = z.infer<typeof Entry>;
/** Where a drill was served: the address and port listened on, the --public-url if given, and the address its links use. */
export type ServedAt = Omit<Extract<JournalEntry, { kind: 'serve' }>, 'kind' | 'wall'>;

/** What a journal holds, read back. */
export interface JournalRecord {
  header: JournalHeader;
  people: Person[];
  actions: RecordedAction[];
  /** The latest simulated instant the journal reached (a clock line, an action or the end). */
  lastAtUs: number;
  /** The speed and clock state at the last clock line. */
  speed: number;
  paused: boolean;
  end: { atUs: number; reason: EndReason; secret: string | null; wall: string } | null;
  /** Where the drill was last served (null in a journal written before this was recorded). */
  served: ServedAt | null;
  /** The countdown once every plan was done, as its last line left it: kept going by the facilitator, or running. */
  countdown: 'running' | 'cancelled' | null;
  /** Every line as read (for the record's digest and the debrief's timeline). */
  entries: JournalEntry[];
  /** The last line was cut short (a crash while it was written) and dropped. */
  truncated: boolean;
  /** The chain's last hash (a resumed drill goes on from it). */
  head: string;
  /** Bytes of the journal up to the end of its last whole line (where a resumed drill writes on). */
  wholeBytes: number;
  /** The latest wall time of its lines (a resumed drill writes none before it). */
  lastWall: string;
}

/** A journal that cannot be read, or has been altered (`tampered`): reported without a stack trace. */
export class JournalError extends InputError {
  override name = 'JournalError';
  constructor(lines: string[], readonly tampered = false) {
    super(lines);
  }
}

const chain = (previous: string, body: string) => sha256(`${previous}\n${body}`);

/** The wall time a line carries (an action's is its wallTime), and its key. */
function wallOf(entry: object): { key: 'wall' | 'wallTime'; text: string } | null {
  const e = entry as { wall?: unknown; wallTime?: unknown };
  if (typeof e.wallTime === 'string') return { key: 'wallTime', text: e.wallTime };
  return typeof e.wall === 'string' ? { key: 'wall', text: e.wall } : null;
}

export class JournalWriter {
  private fd: number;
  private head: string;
  private lastWall: string;
  closed = false;

  private constructor(readonly path: string, fd: number, head: string, lastWall: string) {
    this.fd = fd;
    this.head = head;
    this.lastWall = lastWall;
  }

  /** A new journal; refuses to overwrite one (a drill's record is never replaced). */
  static create(path: string, header: JournalHeader): JournalWriter {
    if (existsSync(path)) throw new JournalError([`${path}: ${alreadyThere(path)}`]);
    checkWritable(path);
    makeFolders(dirname(path), path);
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (e) {
      throw new JournalError([`${path}: cannot write the journal: ${reason(e)}`]);
    }
    const w = new JournalWriter(path, fd, '', header.wall);
    w.write(Header.parse(header), true);
    return w;
  }

  /** Goes on writing a journal already read (a resumed drill), after its last whole line. */
  static reopen(path: string, record: JournalRecord): JournalWriter {
    // A line a crash cut short goes: the next line must follow the last whole one.
    if (record.truncated) truncateSync(path, record.wholeBytes);
    return new JournalWriter(path, openSync(path, 'a'), record.head, record.lastWall);
  }

  append(entry: JournalEntry, flush = entry.kind !== 'clock'): void {
    if (this.closed) return;
    this.write(entry, flush);
  }

  private write(entry: object, flush: boolean): void {
    // A wall clock set back while the drill runs (NTP, by hand) writes the last wall time until it passes it.
    const wall = wallOf(entry);
    if (wall !== null && Date.parse(wall.text) < Date.parse(this.lastWall)) entry = { ...entry, [wall.key]: this.lastWall };
    else if (wall !== null) this.lastWall = wall.text;
    const body = JSON.stringify(entry);
    this.head = chain(this.head, body);
    writeSync(this.fd, `${body.slice(0, -1)},"h":"${this.head}"}\n`);
    if (flush) fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/** Reads and checks a journal: every line parsed and validated, the hash chain unbroken. */
export function readJournal(path: string): JournalRecord {
  let text: string;
  try {
    // A regular file within the drill record's limit (files/read.ts): a FIFO or a device is refused unread.
    text = readInput(path, 'drill', path === '' ? 'cannot read the journal' : `${path}: cannot read the journal`);
  } catch (e) {
    throw e instanceof InputError ? new JournalError(e.lines) : e;
  }
  const lines = text.split('\n');
  let truncated = false;
  if (lines.at(-1) === '') lines.pop();
  else if (lines.length > 1) {
    // No newline after the last line: it was being written when the drill stopped.
    lines.pop();
    truncated = true;
  }
  let head = '';
  let header: JournalHeader | null = null;
  const entries: JournalEntry[] = [];
  const order = clockOrder(path);
  lines.forEach((line, i) => {
    const where = `${path}:${i + 1}`;
    let raw: Record<string, unknown>;
    try {
      raw = JSON.parse(line) as Record<string, unknown>;
    } catch {
      // A first line that is not a journal's header is another file, not a journal altered (exit 2, not 1).
      if (i === 0) throw new JournalError([`${path}: not a drill journal: ${otherDocument(text) ?? 'its first line is not a journal\'s header'}`]);
      throw new JournalError([`${where}: not a journal line (not JSON): the journal has been altered`], true);
    }
    if (i === 0 && (raw === null || typeof raw !== 'object' || raw.kind !== 'drill')) {
      // A journal's line of another kind first: its header was removed. Anything else is not a journal.
      if (raw !== null && typeof raw === 'object' && typeof raw.kind === 'string' && typeof raw.h === 'string' && /^[0-9a-f]{64}$/.test(raw.h)) {
        throw new JournalError([`${where}: the journal has been altered here: its first line is not the drill's header`], true);
      }
      throw new JournalError([`${path}: not a drill journal: ${otherDocument(text) ?? 'its first line is not a journal\'s header'}`]);
    }
    const { h, ...body } = raw;
    const expected = chain(head, JSON.stringify(body));
    if (h !== expected) throw new JournalError([`${where}: the journal has been altered here: this line's hash does not follow from the lines before it`], true);
    head = expected;
    const badWall = wallProblem(body, line);
    if (badWall) throw new JournalError([`${where}:${badWall}`]);
    const parsed = i === 0 ? Header.safeParse(body, PLAIN) : Entry.safeParse(body, PLAIN);
    if (!parsed.success) throw new JournalError([`${where}: ${i === 0 ? 'not a drill journal (rehearse/journal@1)' : 'not a journal entry'}:`, ...issueLines(parsed.error.issues)]);
    order.check(parsed.data, i + 1);
    if (i === 0) header = parsed.data as JournalHeader;
    else entries.push(parsed.data as JournalEntry);
  });
  if (!header) throw new JournalError([`${path}: an empty journal`]);
  const wholeBytes = Buffer.byteLength(text.slice(0, text.lastIndexOf('\n') + 1));
  return { ...recordOf(header, entries, truncated, head, wholeBytes), lastWall: order.lastWall() ?? (header as JournalHeader).wall };
}

/** What a drill writes as a wall time: the machine's clock in UTC, as new Date().toISOString() writes it (drill.ts). */
const WALL = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A line's wall time that no drill writes (text that is no time, a number, a day that is none, a year past 9999):
 * `column: message` where it stands in the line, else null. Every wall time of 0.10.0 and 0.11.0 is one it writes.
 */
function wallProblem(body: Record<string, unknown>, line: string): string | null {
  for (const key of ['wall', 'wallTime'] as const) {
    if (!Object.hasOwn(body, key)) continue;
    const v = body[key];
    if (typeof v === 'string' && WALL.test(v) && !Number.isNaN(Date.parse(v)) && new Date(Date.parse(v)).toISOString() === v) continue;
    const column = jsonPosition(line, [key])?.column ?? 1;
    const shown = JSON.stringify(v) ?? String(v);
    return `${column}: ${key}: ${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown} is not a wall time a drill writes: the machine's clock in UTC to the millisecond, as new Date().toISOString() writes it (2026-12-06T12:10:04.965Z), a real date and time of the years 0000 to 9999 (the debrief and a resumed drill read it as one)`;
  }
  return null;
}

const seconds = (us: number) => `${(us / 1e6).toFixed(6).replace(/\.?0+$/, '')} s`;

/**
 * The journal's lines held to the drill's simulated clock, in order: a line whose simulated time is before the last
 * one's is refused at its line (no drill writes it: its clock never goes back). Wall times are not held to an order:
 * a drill of 0.11.0 wrote the machine's clock as it was, set back or not (this version's writer holds the last one);
 * the latest is kept for a resumed drill's writer.
 */
function clockOrder(path: string) {
  let at: { us: number; line: number } | null = null;
  let wall: { ms: number; text: string } | null = null;
  return {
    check(line: object, n: number): void {
      const e = line as { kind: string; atUs?: number };
      if (typeof e.atUs === 'number') {
        if (at !== null && e.atUs < at.us) {
          throw new JournalError([`${path}:${n}: ${e.kind} line at ${seconds(e.atUs)} of simulated time, before the ${seconds(at.us)} of line ${at.line}: a drill's lines follow its clock, which never goes back (replay would not apply its actions when the drill did)`]);
        }
        at = { us: e.atUs, line: n };
      }
      const w = wallOf(line);
      const ms = w === null ? NaN : Date.parse(w.text);
      if (w !== null && !Number.isNaN(ms) && (wall === null || ms >= wall.ms)) wall = { ms, text: w.text };
    },
    lastWall: (): string | null => (wall as { text: string } | null)?.text ?? null,
  };
}

/** What to do with a journal already where a new drill would write its own: resume refuses one that has ended. */
function alreadyThere(path: string): string {
  try {
    if (readJournal(path).end) return `the journal of a drill that has ended is already there (its debrief: rehearse gameday debrief ${path}): choose another --out`;
  } catch {
    // Not a journal that reads (another file, or one altered): resume says what is wrong with it.
  }
  return `a journal is already there: resume it (rehearse gameday resume ${path}) or choose another --out`;
}

/** What a file that is not a journal is, when it is one of rehearse's documents (a debrief, a run's result). */
function otherDocument(text: string): string | null {
  let schema: unknown;
  try {
    schema = (JSON.parse(text) as { schema?: unknown } | null)?.schema;
  } catch {
    return null;
  }
  if (typeof schema !== 'string' || !schema.startsWith('rehearse/')) return null;
  return schema.startsWith('rehearse/drill@')
    ? `it is a drill's debrief document (${schema}): gameday replay checks it; debrief and resume read the PREFIX.journal the drill wrote`
    : `it is a ${schema} document: debrief and resume read the PREFIX.journal a game day wrote`;
}

function recordOf(header: JournalHeader, entries: JournalEntry[], truncated: boolean, head: string, wholeBytes: number): JournalRecord {
  const r: JournalRecord = { header, people: [], actions: [], lastAtUs: 0, speed: header.speed, paused: false, end: null, served: null, countdown: null, entries, truncated, head, wholeBytes, lastWall: header.wall };
  for (const e of entries) {
    if ('atUs' in e) r.lastAtUs = Math.max(r.lastAtUs, e.atUs);
    switch (e.kind) {
      case 'person':
        r.people.push({ name: e.name, role: e.role, tokenDigest: e.token });
        break;
      case 'action': {
        const { kind: _kind, ...rec } = e;
        r.actions.push(rec as RecordedAction);
        if (rec.refused === null && rec.action.type === 'speed') r.speed = rec.action.speed;
        break;
      }
      case 'clock':
        r.speed = e.speed;
        r.paused = e.paused;
        break;
      case 'serve': {
        const { kind: _kind, wall: _wall, ...at } = e;
        r.served = at;
        break;
      }
      case 'countdown':
        r.countdown = e.op === 'start' ? 'running' : e.op === 'cancel' ? 'cancelled' : null;
        break;
      case 'end':
        r.end = { atUs: e.atUs, reason: e.reason, secret: e.secret ?? null, wall: e.wall };
        break;
      default:
        break;
    }
  }
  return r;
}
