/** Folder creation that cannot hang: Node's recursive mkdir spins forever on some paths (under /proc). */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from './errors.js';
import { reason } from './report/text.js';

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
