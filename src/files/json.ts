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

/** Where the string opened by the quote at `i` ends: its closing quote (or the end of the text). */
function stringEnd(text: string, i: number): number {
  let j = i + 1;
  while (j < text.length && text.charCodeAt(j) !== 34) j += text.charCodeAt(j) === 92 ? 2 : 1;
  return j;
}

/** The string from the quote at `i` to the one at `j`, unescaped (as written, when it is no JSON string). */
function stringAt(text: string, i: number, j: number): string {
  try {
    return JSON.parse(text.slice(i, j + 1)) as string;
  } catch {
    return text.slice(i + 1, j);
  }
}

/** The path to the first container nested deeper than `max` levels, or null when none is. Syntax is not checked. */
export function tooDeepAt(text: string, max: number): (string | number)[] | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: find its end; keep it when it is an object's key.
      const j = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) top.key = stringAt(text, i, j);
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

/**
 * Line and column (1-based) where the value at `path` starts in a JSON text, or null where the text holds none
 * there: for a refusal of a document read with JSON.parse, which keeps no places. Syntax is not checked.
 */
export function jsonPosition(text: string, path: readonly (string | number)[]): { line: number; column: number } | null {
  const stack: Frame[] = [];
  let expectValue = true;
  const here = () => stack.length === path.length && stack.every((f, k) => (f.array ? f.index === path[k] : f.key === path[k]));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13) continue;
    const top = stack[stack.length - 1];
    if (c === 93 || c === 125) {
      stack.pop();
      expectValue = false;
      continue;
    }
    if (c === 44) {
      if (top?.array) {
        top.index++;
        expectValue = true;
      } else if (top) top.expectKey = true;
      continue;
    }
    if (c === 58) {
      if (top && !top.array) top.expectKey = false;
      expectValue = true;
      continue;
    }
    const key = c === 34 && top !== undefined && !top.array && top.expectKey;
    if (!key && expectValue) {
      if (here()) {
        const before = text.slice(0, i);
        return { line: before.split('\n').length, column: i - before.lastIndexOf('\n') };
      }
      expectValue = false;
    }
    if (c === 34) {
      const j = stringEnd(text, i);
      if (key) top.key = stringAt(text, i, j);
      i = j;
    } else if (c === 91 || c === 123) {
      stack.push({ array: c === 91, index: 0, key: null, expectKey: c === 123 });
      expectValue = c === 91;
    }
  }
  return null;
}
