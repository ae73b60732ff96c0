/**
 * JSON documents read back (result documents, drill records, cohort files, flag files): nesting is measured on the
 * text, without recursion, before JSON.parse builds anything a later walk (a schema check, a copy, a replay) could
 * overflow the stack on. A refusal names the path where the nesting passes the limit. JSON.parse keeps no places:
 * where it refuses a text, jsonSyntaxError() says where and why; a key it keeps the last value of, duplicateKeyAt().
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
  /** An object's keys so far (duplicateKeyAt). */
  keys?: Set<string>;
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

/**
 * Walks a JSON text's structure without building it (syntax is not checked): `open` hears of each container before
 * it opens (the stack of those around it), `key` of each key of an object (the stack, the innermost its object). A
 * listener's answer other than null stops the walk and is returned.
 */
function walkJson<T>(text: string, on: { open?: (stack: Frame[]) => T | null; key?: (stack: Frame[], key: string, offset: number) => T | null }): T | null {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      // A string: find its end; keep it when it is an object's key.
      const j = stringEnd(text, i);
      const top = stack[stack.length - 1];
      if (top && !top.array && top.expectKey) {
        const key = stringAt(text, i, j);
        const found = on.key?.(stack, key, i) ?? null;
        if (found !== null) return found;
        top.key = key;
      }
      i = j;
    } else if (c === 91 || c === 123) {
      const found = on.open?.(stack) ?? null;
      if (found !== null) return found;
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

const pathOf = (stack: readonly Frame[]): (string | number)[] => stack.map((f) => (f.array ? f.index : f.key ?? ''));

/** The path to the first container nested deeper than `max` levels, or null when none is. Syntax is not checked. */
export function tooDeepAt(text: string, max: number): (string | number)[] | null {
  return walkJson(text, { open: (stack) => (stack.length >= max ? pathOf(stack) : null) });
}

/**
 * The first key given twice in one object of a JSON text (JSON.parse keeps the last value without a word): the
 * object's path, the key and the offset of its second mention; null when every key is given once. Syntax is not
 * checked.
 */
export function duplicateKeyAt(text: string): { path: (string | number)[]; key: string; offset: number } | null {
  return walkJson(text, {
    key: (stack, key, offset) => {
      const top = stack[stack.length - 1];
      const keys = (top.keys ??= new Set());
      if (keys.has(key)) return { path: pathOf(stack.slice(0, -1)), key, offset };
      keys.add(key);
      return null;
    },
  });
}

/** Line and column (1-based) of an offset in a text. */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  return { line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** The offset and description of the first place `text` is not JSON (RFC 8259), or null when it is. */
export function jsonSyntaxError(text: string): { offset: number; message: string } | null {
  let i = 0;
  const n = text.length;
  const fail = (message: string, at = i): never => {
    throw Object.assign(new Error(message), { offset: at });
  };
  const space = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const shown = (at: number) => (at >= n ? 'the end of the file' : `${JSON.stringify(text[at] === '\ufeff' ? '\ufeff' : text.slice(at, at + 12).split(/[\s,:}\]]/)[0] || text[at])}`);
  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`${shown(i)} is no JSON value (JSON writes true, false, null, numbers in decimal and "text")`);
  };
  const number = () => {
    const m = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/.exec(text.slice(i, i + 400));
    if (!m || m[0] === '-') return fail(`${shown(i)} is no JSON number (JSON writes numbers in decimal: no "+", hexadecimal, leading 0 or bare ".")`);
    const after = text[i + m[0].length];
    if (after !== undefined && /[0-9A-Za-z_.+-]/.test(after)) fail(`${shown(i)} is no JSON number (JSON writes numbers in decimal: no "+", hexadecimal, leading 0 or bare ".")`);
    i += m[0].length;
  };
  const string = () => {
    const start = i++;
    for (;;) {
      if (i >= n) fail('a text is not closed', start);
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return;
      }
      if (c < 0x20) fail('a control character inside a text (JSON writes it escaped: \\n, \\t, \\u0000)');
      if (c === 0x5c) {
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('\\u is followed by four hexadecimal digits in JSON');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail(`\\${e ?? ''} is no JSON escape`);
      } else i++;
    }
  };
  const value = (depth: number): void => {
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      space();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        space();
        if (text[i] !== '"') fail(text[i] === '}' ? 'a comma before "}" (JSON allows none)' : `${shown(i)} where a key in double quotes goes`);
        string();
        space();
        if (text[i] !== ':') fail(`${shown(i)} where ":" goes, after a key`);
        i++;
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return;
        }
        fail(`${shown(i)} where "," or "}" goes`);
      }
    } else if (c === '[') {
      i++;
      space();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        if ((space(), text[i]) === ']') fail('a comma before "]" (JSON allows none)');
        value(depth + 1);
        space();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return;
        }
        fail(`${shown(i)} where "," or "]" goes`);
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) number();
    else if (c === undefined) fail('the file ends where a value goes');
    else fail(c === '\ufeff' ? 'a byte order mark (U+FEFF) before the value, which JSON does not allow' : `${shown(i)} is no JSON value (JSON writes true, false, null, numbers in decimal and "text" in double quotes)`);
  };
  try {
    value(0);
    space();
    if (i < n) fail(`${shown(i)} after the value (a JSON file holds one value)`);
    return null;
  } catch (e) {
    if (e instanceof RangeError) return null; // nested beyond the stack: the depth check of the parse says where
    const offset = (e as { offset?: number }).offset;
    if (offset === undefined) throw e;
    return { offset, message: (e as Error).message };
  }
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
