/**
 * Where the yaml package's errors about an item of a block mapping point: at the item's start as it counts it, the
 * end of the item before (yaml 2.9.1 compose/resolve-block-map.js: `onError(offset, 'BLOCK_AS_IMPLICIT_KEY', ...)`,
 * `onError(offset, 'BAD_INDENT', ...)`), so at the blanks, line breaks and comments before the key the error is
 * about: column 1 of a line whose sequence starts at column 5. Moved to that key, as its next error
 * (MULTILINE_IMPLICIT_KEY) and Go's yaml both point at it; an error already on a token stays where it is.
 */
import type { Document } from 'yaml';

const AT_ITEM_START = new Set(['BLOCK_AS_IMPLICIT_KEY', 'BAD_INDENT']);

/** The offset of the first token at or after `from`: past blanks, line breaks and comments. */
function nextToken(text: string, from: number): number {
  let i = from;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') i++;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]))) while (i < text.length && text[i] !== '\n') i++;
    else break;
  }
  return i;
}

/** The documents, their block mapping items' errors placed at the key they mean (`text`: what they were parsed from). */
export function placeItemErrors<T extends readonly Document[]>(docs: T, text: string): T {
  for (const d of docs) {
    for (const e of d.errors) {
      if (!AT_ITEM_START.has(e.code) || !/\s/.test(text[e.pos[0]] ?? '')) continue;
      const at = nextToken(text, e.pos[0]);
      if (at < text.length) e.pos = [at, Math.max(e.pos[1], at + 1)];
    }
  }
  return docs;
}
