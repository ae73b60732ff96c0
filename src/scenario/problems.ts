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

export function didYouMean(word: string, candidates: Iterable<string>): string {
  const s = suggest(word, candidates);
  return s ? `; did you mean "${s}"?` : '';
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
