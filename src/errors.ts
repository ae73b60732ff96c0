/**
 * Unexpected failures are named error classes under one root. Expected ones (a bad scenario) travel as
 * problems, not exceptions; the CLI turns them into a message and exit code 2.
 */
import { messageOneLine, quoted } from './units/escape.js';

export class RehearseError extends Error {
  override name = 'RehearseError';
}

/**
 * Bad input or usage: reported without a stack trace, exit code 2. Each line stays one line: a line break that a
 * name or a value from input carries is written \n (a caret display at a line's end keeps its own).
 */
export class InputError extends RehearseError {
  override name = 'InputError';
  readonly lines: string[];
  constructor(lines: string[]) {
    const shown = lines.map(messageOneLine);
    super(shown.join('\n'));
    this.lines = shown;
  }
}

/**
 * A path as a message shows it: whole up to 160 characters; a longer one (a name of thousands of characters) keeps
 * its first and last 60 with the count of those left out, so that the line stays readable and still names it.
 */
export function shownPath(path: string): string {
  if (path.length <= 160) return path;
  return `${path.slice(0, 60)}...(${(path.length - 120).toLocaleString('en-US')} characters)...${path.slice(-60)}`;
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
    EFBIG: 'the file would be larger than this process may write (ulimit -f)',
    EIO: 'input/output error',
    ELOOP: 'too many symbolic links',
  };
  return (code && words[code]) ?? String((err as Error)?.message ?? err).split('\n')[0];
}

/** The closest candidate within a small edit distance, for "did you mean" hints. */
export function suggest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    if (c === word) continue; // a suggestion never repeats the name it rejects
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  const limit = Math.max(2, Math.floor(word.length / 3));
  if (bestDistance <= limit) return best;
  // A prefix of a longer name: "expo" for "exponential".
  const lower = word.toLowerCase();
  for (const c of candidates) if (lower.length >= 3 && c !== word && c.toLowerCase().startsWith(lower)) return c;
  return undefined;
}

/** The candidate nearest to a word by edit distance, however far (ties: the first), or undefined when there is none. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = c;
    }
  }
  return best;
}

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s ? `; did you mean ${quoted(s)}?` : '';
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0];
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j];
      prev[j] = Math.min(up + 1, prev[j - 1] + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length];
}
