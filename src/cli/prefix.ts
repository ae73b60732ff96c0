/**
 * A PREFIX option (`gameday --out PREFIX`): the files named from it (PREFIX.journal, PREFIX.json, ...) are made
 * beside it, so a prefix that is itself a device, a FIFO, a socket or a folder names none: `--out /dev/null` made
 * /dev/null.journal. Such a prefix is refused, naming what it is; so is one ending in a slash (reports/ named
 * reports/.journal). A prefix that already ends in one of its files' extensions is taken without it: --out
 * drill.json writes drill.json and drill.html, not drill.json.json.
 */
import { statSync } from 'node:fs';
import { InputError, reason, shownPath } from '../errors.js';
import { checkWritable } from '../files/write.js';

const what = (path: string): string | null => {
  let st;
  try {
    st = statSync(path, { throwIfNoEntry: false });
  } catch (err) {
    // A part of the path that is a file (ENOTDIR), a name too long: a stack trace before.
    return `a path that cannot be used (${reason(err)})`;
  }
  if (!st || st.isFile()) return null;
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
};

/**
 * The prefix of `option` (e.g. `--out`) for files ending in `extensions` (with their dots), each checked writable
 * now, before any work. Refused (an InputError) when the prefix names no files beside it.
 */
export function filesPrefix(option: string, prefix: string, extensions: readonly string[]): string {
  const files = extensions.map((e) => `PREFIX${e}`).join(', ').replace(/, ([^,]*)$/, ' and $1');
  const refuse = (why: string): never => {
    throw new InputError([`${option} ${shownPath(prefix)}: ${why}: it is the prefix of the files written (${files}); give one such as reports/drill`]);
  };
  if (prefix === '' || /[/\\]$/.test(prefix)) refuse('ends in a folder, with no name for the files');
  const own = extensions.find((e) => prefix.endsWith(e) && prefix.length > e.length);
  const stem = own ? prefix.slice(0, -own.length) : prefix;
  const kind = what(stem);
  if (kind) refuse(`is ${kind}`);
  if (/[/\\]$/.test(stem)) refuse('ends in a folder, with no name for the files');
  for (const e of extensions) checkWritable(`${stem}${e}`);
  return stem;
}
