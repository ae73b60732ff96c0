/**
 * Reading input files: every file rehearse reads from a user goes through here. Only regular files are read
 * (a FIFO would block forever, /dev/zero and /dev/urandom never end, a directory or socket is no document, and a
 * file of the kernel's /proc or /sys fails or lies about its size), and never more than the limit of its kind:
 * the size is checked before reading and the read is bounded, so a file that grows while it is read cannot
 * pass the limit either. The path is checked before it is opened (opening some devices has effects), the
 * descriptor again once open (it is opened non-blocking, so a FIFO put in its place cannot block).
 *
 * The limits' defaults are here, in one place; the CLI raises them (its environment variables) with setReadLimits.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statfsSync, statSync, type Stats } from 'node:fs';
import { constants as bufferConstants } from 'node:buffer';
import { InputError, reason } from '../errors.js';

export type InputKind = 'scenario' | 'cohort' | 'flags' | 'resource' | 'rules' | 'traces' | 'document' | 'drill' | 'package';

/** What each kind of input is called in messages, the variable that raises its limit, and the default limit. */
export const INPUT_KINDS: Readonly<Record<InputKind, { what: string; variable: string; bytes: number }>> = {
  scenario: { what: 'scenario file', variable: 'REHEARSE_MAX_SCENARIO', bytes: 64 * 2 ** 20 },
  cohort: { what: 'cohort file', variable: 'REHEARSE_MAX_COHORT', bytes: 256 * 2 ** 20 },
  flags: { what: 'flag file', variable: 'REHEARSE_MAX_FLAG_FILE', bytes: 64 * 2 ** 20 },
  resource: { what: 'Kubernetes resource', variable: 'REHEARSE_MAX_RESOURCE', bytes: 16 * 2 ** 20 },
  rules: { what: 'Prometheus rule file', variable: 'REHEARSE_MAX_RULES', bytes: 16 * 2 ** 20 },
  traces: { what: 'trace file', variable: 'REHEARSE_MAX_TRACES', bytes: 4 * 2 ** 30 },
  document: { what: 'result document', variable: 'REHEARSE_MAX_DOCUMENT', bytes: 256 * 2 ** 20 },
  drill: { what: 'drill record', variable: 'REHEARSE_MAX_DRILL', bytes: 64 * 2 ** 20 },
  package: { what: 'package.json', variable: 'REHEARSE_MAX_PACKAGE_JSON', bytes: 16 * 2 ** 20 },
};

/** Nesting deeper than this in a JSON document read back is refused before anything walks it. */
export const DEFAULT_DEPTH = 200;

export interface ReadLimits {
  bytes: Record<InputKind, number>;
  /** Levels of nesting of a JSON document read back (result documents, drill records). */
  depth: number;
}

export function defaultReadLimits(): ReadLimits {
  const bytes = {} as Record<InputKind, number>;
  for (const [kind, k] of Object.entries(INPUT_KINDS)) bytes[kind as InputKind] = k.bytes;
  return { bytes, depth: DEFAULT_DEPTH };
}

let limits: ReadLimits = defaultReadLimits();

/** The limits in force (the CLI passes them to worker threads, which start with the defaults). */
export function readLimits(): ReadLimits {
  return { bytes: { ...limits.bytes }, depth: limits.depth };
}

/** Replaces the limits in force: the defaults, with the given ones over them. */
export function setReadLimits(given: { bytes?: Partial<Record<InputKind, number>>; depth?: number } = {}): void {
  const d = defaultReadLimits();
  limits = { bytes: { ...d.bytes, ...given.bytes }, depth: given.depth ?? d.depth };
}

/** A size as people read it: 64 MiB, 4 GiB, 900 bytes. */
export function formatBytes(n: number): string {
  for (const [unit, size] of [['GiB', 2 ** 30], ['MiB', 2 ** 20], ['KiB', 2 ** 10]] as const) {
    if (n >= size) return `${+(n / size).toFixed(n % size === 0 ? 0 : 1)} ${unit}`;
  }
  return `${n} byte${n === 1 ? '' : 's'}`;
}

/** Why a path's kind of file is not read (null for a regular file). */
function notRegular(st: Stats): string | null {
  if (st.isFile()) return null;
  if (st.isDirectory()) return 'is a directory, not a regular file';
  if (st.isFIFO()) return 'not a regular file (a FIFO: reading it could block forever)';
  if (st.isCharacterDevice()) return 'not a regular file (a character device)';
  if (st.isBlockDevice()) return 'not a regular file (a block device)';
  if (st.isSocket()) return 'not a regular file (a socket)';
  return 'not a regular file';
}

/** File systems whose files are made up by the kernel as they are read: their sizes are not their contents. */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, '/proc'], [0x62656572, '/sys'], [0x64626720, 'debugfs'], [0x74726163, 'tracefs'],
  [0x73636673, 'securityfs'], [0x62656570, 'configfs'], [0x63677270, 'cgroup'], [0x27e0eb, 'cgroup'],
]);

function pseudoFileSystem(file: string): string | null {
  try {
    return PSEUDO_FILE_SYSTEMS.get(Number(statfsSync(file).type)) ?? null;
  } catch {
    return null;
  }
}

function tooLarge(kind: InputKind, size: number | null): string {
  const k = INPUT_KINDS[kind];
  return `larger than the ${k.what} limit of ${formatBytes(limits.bytes[kind])}${size !== null ? ` (${formatBytes(size)})` : ''}: raise it with ${k.variable} (limits: docs/limits.md, "Hostile input and limits")`;
}

function failure(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a regular file';
  if (code === 'ENXIO') return 'not a regular file (a socket or a device with nothing behind it)';
  if (code === 'EIO') return 'cannot read: input/output error';
  return `cannot read: ${reason(err)}`;
}

/** A file opened for reading within its kind's limit. `read` throws InputError past the limit. */
export interface InputFile {
  readonly size: number;
  /** Reads up to `length` bytes at the current position into `buf` at `offset`; 0 at the end. */
  read(buf: Buffer, offset: number, length: number): number;
  close(): void;
}

/**
 * Opens `file` as an input of `kind`: refused (InputError "SHOWN: why") when it is not a regular file or is over
 * the limit. Callers that stream use this; the others readInput.
 */
export function openInput(file: string, kind: InputKind, shownAs = file): InputFile {
  const fail = (why: string): never => {
    // "x.yaml: cannot read the scenario: permission denied", not "...: cannot read: permission denied".
    const said = /(^|: )cannot read\b[^:]*$/.test(shownAs) && why.startsWith('cannot read: ') ? why.slice('cannot read: '.length) : why;
    throw new InputError([`${shownAs}: ${said}`]);
  };
  // Read, '' is the folder the command runs in, refused as such; say what was given instead (": no such file").
  if (file === '') throw new InputError([`${shownAs === '' ? '' : `${shownAs}: `}an empty path names no ${INPUT_KINDS[kind].what}`]);
  const limit = limits.bytes[kind];
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    // "-" is standard input to many tools; rehearse reads files only (its outputs take - for stdout: --json -).
    if (file === '-' && (err as NodeJS.ErrnoException).code === 'ENOENT') fail(`no such file: rehearse does not read a ${INPUT_KINDS[kind].what} from standard input; give its path (./- for a file named -)`);
    return fail(failure(err));
  }
  const odd = notRegular(st);
  if (odd) fail(odd);
  const pseudo = pseudoFileSystem(file);
  if (pseudo) fail(`not a regular file (a file of the kernel's ${pseudo} file system)`);
  if (st.size > limit) fail(tooLarge(kind, st.size));
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (err) {
    return fail(failure(err));
  }
  try {
    // What was opened may not be what was checked (the path changed in between): check the descriptor too.
    const now = fstatSync(fd);
    const changed = notRegular(now);
    if (changed) fail(changed);
    if (now.size > limit) fail(tooLarge(kind, now.size));
    st = now;
  } catch (err) {
    closeSync(fd);
    throw err;
  }
  let total = 0;
  let closed = false;
  return {
    size: st.size,
    read(buf, offset, length) {
      let n: number;
      try {
        n = readSync(fd, buf, offset, Math.min(length, limit + 1 - total), null);
      } catch (err) {
        return fail(failure(err));
      }
      total += n;
      if (total > limit) fail(tooLarge(kind, null));
      return n;
    },
    close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

export type TextRead = { ok: true; text: string } | { ok: false; why: string };

/**
 * Reads a text file (UTF-8) as an input of `kind`, or says why not ("no such file", "permission denied", "not a
 * regular file (a FIFO...)"), to follow "cannot read the KIND: ".
 */
export function tryReadInput(file: string, kind: InputKind): TextRead {
  try {
    return { ok: true, text: readInput(file, kind, '') };
  } catch (err) {
    if (err instanceof InputError) return { ok: false, why: err.lines[0].replace(/^: /, '').replace(/^cannot read: /, '') };
    throw err;
  }
}

/** Reads a text file (UTF-8) as an input of `kind`; every refusal is an InputError "SHOWN: why". */
export function readInput(file: string, kind: InputKind, shownAs = file): string {
  const input = openInput(file, kind, shownAs);
  try {
    // The size fstat gives, and one byte more to see the end (or growth); then doubling, up to the limit.
    let buf = Buffer.allocUnsafe(Math.min(input.size, limits.bytes[kind]) + 1);
    let used = 0;
    for (;;) {
      if (used === buf.length) {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, limits.bytes[kind] + 1));
        buf.copy(bigger, 0, 0, used);
        buf = bigger;
      }
      const n = input.read(buf, used, buf.length - used);
      if (n === 0) break;
      used += n;
    }
    if (used > bufferConstants.MAX_STRING_LENGTH) {
      throw new InputError([`${shownAs}: ${formatBytes(used)} is more than one piece of text can hold here (${formatBytes(bufferConstants.MAX_STRING_LENGTH)})`]);
    }
    const bytes = buf.subarray(0, used);
    try {
      return UTF8.decode(bytes);
    } catch {
      throw new InputError([`${shownAs}: ${notUtf8(bytes)}`]);
    }
  } finally {
    input.close();
  }
}

/** UTF-8 that refuses what is not (Buffer#toString put U+FFFD in its place, and a Latin-1 "Ö" matched nothing). */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Why bytes that do not decode are not UTF-8: a UTF-16 byte order mark, else the first bad byte's line and column. */
function notUtf8(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return 'not UTF-8 text: it starts with a UTF-16 byte order mark (save it as UTF-8)';
  }
  const i = utf8ValidUpTo(bytes);
  const before = Buffer.from(bytes.buffer, bytes.byteOffset, i).toString('utf8');
  const line = before.split('\n').length;
  const column = before.length - before.lastIndexOf('\n');
  return `not UTF-8 text: byte 0x${(bytes[i] ?? 0).toString(16).padStart(2, '0')} at line ${line}, column ${column} (save the file as UTF-8)`;
}

/** The offset of the first byte that is not part of valid UTF-8 (bytes.length when all are), as TextDecoder's fatal mode judges. */
export function utf8ValidUpTo(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    let ok = n > 0 && i + n <= bytes.length;
    for (let k = 1; ok && k < n; k++) ok = (bytes[i + k] & 0xc0) === 0x80;
    // Overlong forms, surrogates and code points past U+10FFFF, as the decoder refuses them.
    if (ok && n === 3) ok = !(b === 0xe0 && bytes[i + 1] < 0xa0) && !(b === 0xed && bytes[i + 1] >= 0xa0);
    if (ok && n === 4) ok = !(b === 0xf0 && bytes[i + 1] < 0x90) && !(b === 0xf4 && bytes[i + 1] >= 0x90);
    if (!ok) break;
    i += n;
  }
  return i;
}
