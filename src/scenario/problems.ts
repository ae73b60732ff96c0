/** Expected failures of user input: a list of problems, each with the path inside the file where it lies. */
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';
import { escapeControls } from '../units/escape.js';
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
}

/** file:line:column: path: message. Control characters a message carries from input are shown escaped (its own line breaks stay). */
export function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}:${p.column ?? 1}` : file;
  const message = escapeControls(p.message, '\n');
  return p.path.length ? `${where}: ${formatPath(p.path)}: ${message}` : `${where}: ${message}`;
}


/** Offset of the node at `path` (the key itself when the value is missing). */
export function locate(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      if (node && (node as Node).range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) return offset;
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}
