/**
 * JSON documents read back (result documents, drill records): nesting is measured on the text, without
 * recursion, before JSON.parse builds anything a later walk (a schema check, a copy, a replay) could overflow the
 * stack on. A refusal names the path where the nesting passes the limit.
 */
import { InputError } from '../errors.js';

/** A path inside a document as the messages write it: runs[3].flags.f. */
export function jsonPath(path: readonly (string | number)[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : /^[A-Za-z_$][\w$-]*$/.test(p) ? (s === '' ? p : `.${p}`) : `[${JSON.stringify(p)}]`;
  return s === '' ? '(top level)' : s;
}

interface Frame {
  array: boolean;
  index: number;
  key: string | null;
  expectKey: boolean;
}

/** The path to the first container nested deeper than `max` levels, or null when none is. Syntax is not checked. */
export function tooDeepAt(text: string, max: number): (string | number)[] | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: find its end; keep it when it is an object's key.
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        try {
          top.key = JSON.parse(text.slice(i, j + 1)) as string;
        } catch {
          top.key = text.slice(i + 1, j);
        }
      }
      i = j;
    } else if (c === 91 || c === 123) {
      if (stack.length >= max) return stack.map((f) => (f.array ? f.index : f.key ?? ''));
      stack.push({ array: c === 91, index: 0, key: null, expectKey: c === 123 });
    } else if (c === 93 || c === 125) {
      stack.pop();
    } else if (c === 44) {
      const top = stack[stack.length - 1];
      if (top?.array) top.index++;
      else if (top) top.expectKey = true;
    } else if (c === 58) {
      const top = stack[stack.length - 1];
      if (top && !top.array) top.expectKey = false;
    }
  }
  return null;
}

/**
 * Parses a JSON document read from `shownAs`. Nested deeper than `maxDepth`, or not JSON, is an InputError naming
 * the place; `hint` (what the document should be) follows a syntax error.
 */
export function parseJsonDocument(text: string, shownAs: string, maxDepth: number, hint?: string): unknown {
  const deep = tooDeepAt(text, maxDepth);
  if (deep) throw new InputError([`${shownAs}: ${jsonPath(deep)}: nested more than ${maxDepth} levels deep (raise the limit with REHEARSE_MAX_DEPTH)`]);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new InputError([`${shownAs}: not JSON (${(err as Error).message.split('\n')[0]})${hint ? `: ${hint}` : ''}`]);
  }
}
