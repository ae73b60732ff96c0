/** Expected failures of user input: a list of problems, each with the path inside the file where it lies. */
import { isMap, isPair, isScalar, isSeq, type Document, type Node } from 'yaml';

export type PathSegment = string | number;

export interface Problem {
  /** Path inside the document, e.g. ['services', 'payments', 'calls', 2, 'to']. */
  readonly path: readonly PathSegment[];
  readonly message: string;
  /** 1-based line and column in the file, where known. */
  readonly line?: number;
  readonly column?: number;
}

/** `services.payments.calls[2].to`; keys that are not plain identifiers are quoted. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out || '(top level)';
}

export function formatProblem(file: string, p: Problem): string {
  const where = p.line ? `${file}:${p.line}:${p.column ?? 1}` : file;
  return p.path.length ? `${where}: ${formatPath(p.path)}: ${p.message}` : `${where}: ${p.message}`;
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
