import { accessSync, constants, statSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolders } from '../files.js';

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

/** A file-system error as a few words. */
export function reason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on the device',
    EDQUOT: 'disk quota exceeded',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'a part of the path is not a directory',
    EROFS: 'read-only file system',
    ENOENT: 'no such directory',
    ENAMETOOLONG: 'name too long',
    EEXIST: 'a file is in the way of a folder',
  };
  return (code && words[code]) ?? String((err as Error)?.message ?? err).split('\n')[0];
}
