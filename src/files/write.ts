/**
 * Writing files whole or not at all: each output is written to a temporary file beside its target, flushed,
 * then renamed over it, so that a full disk, a missing permission or a crash leaves the previous file (or none),
 * never a truncated one. Every failure is an InputError naming the target. Folders are made one at a time
 * (Node's recursive mkdir spins forever on some paths under /proc).
 */
import {
  accessSync, chmodSync, closeSync, constants, fsyncSync, mkdirSync, openSync, realpathSync, renameSync,
  statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { InputError, reason, shownPath } from '../errors.js';

/** Writes a text file, making its folder. A failure (a directory in the way, no permission, a full disk) is an InputError naming the path. */
export function writeText(file: string, text: string): void {
  writeChunks(file, (write) => write(text));
}

/**
 * Writes a file from the chunks `produce` hands to `write` (a large output never becomes one string), whole or
 * not at all.
 */
export function writeChunks(file: string, produce: (write: (chunk: string | Uint8Array) => void) => void): void {
  writeVia(file, (temp) => {
    const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o666);
    try {
      produce((chunk) => {
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let at = 0; at < buf.length;) at += writeSync(fd, buf, at, buf.length - at);
      });
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  });
}

let serial = 0;

/**
 * Has `produce` write the whole output to a temporary path beside `file`, then renames it over `file`. On any
 * failure the temporary file is removed; a file-system failure becomes an InputError naming `file`.
 */
export function writeVia(file: string, produce: (temp: string) => void): void {
  refuseSpecial(file);
  makeFolders(dirname(file), file);
  // Over a link, the file it points to is replaced (the link stays a link).
  let target = file;
  let before: Stats | undefined;
  try {
    before = statSync(file);
    target = realpathSync(file);
  } catch {
    before = undefined;
  }
  // The name kept short: a target's name near the longest the system takes would make a temporary one longer.
  const temp = join(dirname(target), `.${basename(target).slice(0, 100)}.${process.pid}-${++serial}.tmp`);
  try {
    produce(temp);
    if (before) chmodSync(temp, before.mode & 0o7777);
    renameSync(temp, target);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // never created, or already gone
    }
    if (err instanceof InputError) throw err;
    if ((err as NodeJS.ErrnoException).code === undefined) throw err;
    throw new InputError([`${shownPath(file)}: cannot write: ${reason(err)}`]);
  }
}

/** Why `st` is no file to write over (null when it is one, or nothing). */
function special(st: Stats | null): string | null {
  if (!st || st.isFile()) return null;
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO()) return 'is a FIFO, not a file (writing to it would wait for a reader)';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device, not a file';
  if (st.isSocket()) return 'is a socket, not a file';
  return 'is not a regular file';
}

function refuseSpecial(file: string): void {
  const why = special(statOrNull(file));
  if (why) throw new InputError([`${shownPath(file)}: cannot write: ${why}`]);
}

/** The longest path and name, in bytes, the system takes: Linux's PATH_MAX (less its NUL) and NAME_MAX (limits.h). */
const PATH_BYTES = 4095;
const NAME_BYTES = 255;

/**
 * Fails now, as writeText would later, when `file` cannot be written: its path or a name in it is longer than the
 * system takes, it is a directory, a FIFO, a device or a socket, a folder on the way cannot be searched, or the
 * nearest folder that exists above it is not a folder or not writable (a file is made there and removed to know).
 * Nothing is left behind. (A full disk shows only on writing.)
 */
export function checkWritable(file: string): void {
  const fail = (why: string): never => {
    throw new InputError([`${shownPath(file)}: cannot write: ${why}`]);
  };
  if (file === '' || /[/\\]$/.test(file)) fail('names a directory, not a file');
  const full = resolve(file);
  const bytes = Buffer.byteLength(full);
  if (bytes > PATH_BYTES) fail(`name too long (the path is ${bytes.toLocaleString('en-US')} bytes; the system takes up to ${PATH_BYTES.toLocaleString('en-US')})`);
  const long = full.split(sep).find((name) => Buffer.byteLength(name) > NAME_BYTES);
  if (long !== undefined) fail(`name too long (a name in the path is ${Buffer.byteLength(long).toLocaleString('en-US')} bytes; the system takes up to ${NAME_BYTES})`);
  const st = statOrFail(file, fail);
  const why = special(st);
  if (why) fail(why);
  let dir = dirname(full);
  try {
    if (st) dir = dirname(realpathSync(file));
  } catch {
    // a dangling link: checked as it stands
  }
  for (;;) {
    const d = statOrFail(dir, fail);
    if (d) {
      if (!d.isDirectory()) fail(`${shownPath(dir)} is not a directory`);
      // A file made and removed there says more than access(2), which lets root pass where it cannot write.
      const probe = join(dir, `.rehearse-probe.${process.pid}-${++serial}.tmp`);
      try {
        closeSync(openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600));
        unlinkSync(probe);
      } catch (err) {
        fail(`${shownPath(dir)} is not writable (${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no file can be made there' : reason(err)})`);
      }
      if (st) {
        try {
          accessSync(file, constants.W_OK);
        } catch {
          fail('not writable');
        }
      }
      return;
    }
    const up = dirname(dir);
    if (up === dir) return;
    dir = up;
  }
}

/**
 * What `path` is, null when nothing is there (or a file is in its way, which the folder above names); any other
 * failure (a folder on the way that cannot be searched, a loop of links) fails.
 */
function statOrFail(path: string, fail: (why: string) => never): Stats | null {
  try {
    return statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    return fail(reason(err));
  }
}

function statOrNull(path: string) {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

/**
 * Makes folder `dir` and any missing folders above it, one at a time from the nearest one that exists.
 * A failure is an InputError "PATH: cannot write: REASON", PATH being `file` when given (the file to be written).
 */
export function makeFolders(dir: string, file: string = dir): void {
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    let st;
    try {
      st = statSync(at);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw new InputError([`${shownPath(file)}: cannot write: ${reason(err)}`]);
    }
    if (st) {
      if (!st.isDirectory()) throw new InputError([`${shownPath(file)}: cannot write: ${shownPath(at)} is not a directory`]);
      break;
    }
    missing.push(at);
    const up = dirname(at);
    if (up === at) break;
    at = up;
  }
  for (let i = missing.length - 1; i >= 0; i--) {
    try {
      mkdirSync(missing[i]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST' && statSync(missing[i], { throwIfNoEntry: false })?.isDirectory()) continue;
      throw new InputError([`${shownPath(file)}: cannot write: ${reason(err)}`]);
    }
  }
}
