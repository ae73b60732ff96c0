/** Expected failures of user input: a list of problems, each with the path inside the file where it lies. */
import { isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import { escapeControls, messageOneLine } from '../units/escape.js';
import { formatPath } from '../units/issues.js';

export { formatPath };

export type PathSegment = string | number;

export interface Problem {
  /** Path inside the document, e.g. ['services', 'payments', 'calls', 2, 'to']. */
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** 1-based line and column in the file, where known. */
  readonly line?: number;
  readonly column?: number;
  /** The problem is the key at the end of `path` (an unknown key): located at the key, not at its value. */
  readonly key?: boolean;
  /**
   * The mistake lies inside the text value at `path`, at `column` of that text (1-based): where the file's
   * column of that character is known (the text on one line), the problem is located there and `placed`
   * replaces `message` (which gives the column inside the text).
   */
  readonly within?: { readonly column: number; readonly source: string; readonly placed: string };
}

/** An error inside a text value (a gate, an expression), with a caret under its column. */
export interface TextError { readonly message: string; readonly column: number; readonly source: string; pretty(): string }

/** A problem for an error inside the text at `path`: "reason at column N" and a caret, or placed in the file. */
export function inText(path: readonly PathSegment[], e: TextError): Problem {
  const pretty = e.pretty();
  const head = `${e.message} at column ${e.column}`;
  const placed = pretty.startsWith(head) ? `${e.message}${pretty.slice(head.length)}` : pretty;
  return { path, message: pretty, within: { column: e.column, source: e.source, placed } };
}

/**
 * file:line:column: path: message. Control characters a message carries from input are shown escaped, a line break
 * written \n (a name or a value from the file that holds one); the breaks of a caret display at its end stay.
 */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}:${p.column ?? 1}` : file;
  const message = escapeControls(messageOneLine(p.message), '\n');
  const text = p.path.length ? `${formatPath(p.path)}: ${message}` : message;
  // A file named by an empty path (rehearse run '') has no name to put first.
  return where === '' ? text : `${where}: ${text}`;
}


/**
 * Offset of the node at `path` (the key itself when the value is missing, or when `key` asks for it), and the
 * node when the whole path is there.
 */
export function locate(doc: Document, path: readonly PathSegment[], key = false): number | undefined {
  return find(doc, path, key).offset;
}

/**
 * The pair of `key` in a mapping (the first, where a key is written twice), from an index made once per mapping:
 * a search per place made a file of 50,000 keys, each warned at its place, minutes of work.
 */
const pairIndexes = new WeakMap<object, Map<string, Pair>>();
export function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndexes.get(map);
  if (!index) {
    index = new Map();
    for (const it of map.items) if (isPair(it) && isScalar(it.key) && !index.has(String(it.key.value))) index.set(String(it.key.value), it);
    pairIndexes.set(map, index);
  }
  return index.get(key);
}

/** The node at `path` and its offset; `node` is undefined when the path stops short. */
export function find(doc: Document, path: readonly PathSegment[], key = false): { offset: number | undefined; node?: unknown } {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const [i, seg] of path.entries()) {
    if (isMap(node)) {
      const pair = pairOf(node, String(seg));
      if (!pair) return { offset };
      offset = (pair.key as Node).range?.[0] ?? offset;
      if (key && i === path.length - 1) return { offset, node: pair.key };
      node = pair.value;
      if (node && (node as Node).range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) return { offset };
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      return { offset };
    }
  }
  return { offset, node };
}

/**
 * The offset in the file of character `column` (1-based) of the text of a scalar written on one line: plain,
 * single- or double-quoted (escapes read as YAML reads them). Undefined where the text does not map (a block
 * scalar, a folded line, or a value that is not `source` with only blanks around it).
 */
export function offsetInScalar(text: string, node: unknown, source: string, column: number): number | undefined {
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range) return undefined;
  const [start, end] = node.range;
  const raw = text.slice(start, end);
  if (/[\r\n]/.test(raw)) return undefined;
  const lead = node.value.indexOf(source);
  if (lead < 0 || node.value.trim() !== source.trim() || node.value.slice(0, lead).trim() !== '') return undefined;
  // Offsets in the file of each character of the value, as the scalar's style writes it.
  const at: number[] = [];
  if (node.type === 'PLAIN') {
    for (let i = 0; i < raw.length; i++) at.push(start + i);
  } else if (node.type === 'QUOTE_SINGLE') {
    for (let i = 1; i < raw.length - 1; i++) {
      at.push(start + i);
      if (raw[i] === "'") i++;
    }
  } else if (node.type === 'QUOTE_DOUBLE') {
    const width: Record<string, number> = { x: 4, u: 6, U: 10 };
    for (let i = 1; i < raw.length - 1; i++) {
      at.push(start + i);
      if (raw[i] !== '\\') continue;
      const n = width[raw[i + 1]] ?? 2;
      if (n === 10 && parseInt(raw.slice(i + 2, i + 10), 16) > 0xffff) at.push(start + i);
      i += n - 1;
    }
  } else {
    return undefined;
  }
  if (at.length !== node.value.length) return undefined;
  // Column one past the end (a mistake at the end of the text): the closing quote, or just after the text.
  return lead + column - 1 === at.length ? end - (node.type === 'PLAIN' ? 0 : 1) : at[lead + column - 1];
}
