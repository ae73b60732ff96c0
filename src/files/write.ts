/** Writing files: folders made one at a time (Node's recursive mkdir spins forever on some paths under /proc), errors named by path. */
import { accessSync, constants, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError, reason } from '../errors.js';

/** Writes a text file, making its folder. A failure (a directory in the way, no permission, a full disk) is an InputError naming the path. */
export function writeText(file: string, text: string): void {
  makeFolders(dirname(file), file);
  try {
    writeFileSync(file, text);
  } catch (err) {
    throw new InputError([`${file}: cannot write: ${reason(err)}`]);
  }
}

/**
 * Fails now, as writeText would later, when `file` cannot be written: it is a directory, or the nearest folder
 * that exists above it is not a folder or not writable. Nothing is created. (A full disk shows only on writing.)
 */
export function checkWritable(file: string): void {
  const fail = (why: string) => {
    throw new InputError([`${file}: cannot write: ${why}`]);
  };
  if (file === '' || /[/\\]$/.test(file)) fail('names a directory, not a file');
  const st = statOrNull(file);
  if (st?.isDirectory()) fail('is a directory');
  let dir = dirname(resolve(file));
  for (;;) {
    const d = statOrNull(dir);
    if (d) {
      if (!d.isDirectory()) fail(`${dir} is not a directory`);
      try {
        accessSync(dir, constants.W_OK);
      } catch {
        fail(`${dir} is not writable`);
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
      if (code !== 'ENOENT') throw new InputError([`${file}: cannot write: ${reason(err)}`]);
    }
    if (st) {
      if (!st.isDirectory()) throw new InputError([`${file}: cannot write: ${at} is not a directory`]);
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
      throw new InputError([`${file}: cannot write: ${reason(err)}`]);
    }
  }
}
