/**
 * Where the yaml package's errors about an item of a block mapping point: at the item's start as it counts it, the
 * end of the item before (yaml 2.9.1 compose/resolve-block-map.js: `onError(offset, 'BLOCK_AS_IMPLICIT_KEY', ...)`,
 * `onError(offset, 'BAD_INDENT', ...)`), so at the blanks, line breaks and comments before the key the error is
 * about: column 1 of a line whose sequence starts at column 5. Moved to that key, as its next error
 * (MULTILINE_IMPLICIT_KEY) and Go's yaml both point at it; an error already on a token stays where it is, but for a
 * nested mapping in a compact one's value (`replicas: 5` then `   x: 1` indented past it, `a: b: c`): the package
 * points at the value (`5`), Go's yaml at the line of the `:` that makes the mapping ("yaml: line 3: mapping values
 * are not allowed in this context", gopkg.in/yaml.v3 scannerc.go yaml_parser_fetch_value), where the mistake is:
 * moved to that `:`.
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
      if (e.code === 'BLOCK_AS_IMPLICIT_KEY' && e.message.startsWith('Nested mappings are not allowed in compact mappings')) {
        const colon = nestedColon(text, e.pos[0]);
        if (colon !== null) e.pos = [colon, colon + 1];
        continue;
      }
      if (!AT_ITEM_START.has(e.code) || !/\s/.test(text[e.pos[0]] ?? '')) continue;
      const at = nextToken(text, e.pos[0]);
      if (at < text.length) e.pos = [at, Math.max(e.pos[1], at + 1)];
    }
  }
  return docs;
}

/** The `:` after the value at `from` (a quoted one skipped) that makes it a key, or null. */
function nestedColon(text: string, from: number): number | null {
  let i = from;
  const quote = text[i];
  if (quote === '"' || quote === '\'') {
    for (i++; i < text.length; i++) {
      if (text[i] === quote && !(quote === '\'' && text[i + 1] === '\'')) break;
      if (text[i] === (quote === '"' ? '\\' : '\'')) i++; // an escape in double quotes, '' in single quotes
    }
    i++;
  }
  const m = /:(?=[ \t\r\n]|$)/.exec(text.slice(i, i + 4096));
  return m === null ? null : i + m.index;
}
