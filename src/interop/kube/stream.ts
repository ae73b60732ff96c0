/**
 * A file of resources as kubectl cuts it into documents before it reads any of them. apimachinery's YAMLReader
 * (kubernetes/apimachinery at eed236ce pkg/util/yaml/decoder.go: YAMLReader.Read over LineReader) reads the file line
 * by line: a line that begins with `---` ends the document it was reading, and what follows `---` on that line must be
 * spaces or a comment, or the reader fails ("invalid Yaml document separator: ...") and the document it was reading
 * is lost with the rest of the file. Each document is then converted alone (sigs.k8s.io/yaml), so a syntax error in
 * one stops kubectl at that document (k8s.io/cli-runtime pkg/resource/visitor.go StreamVisitor.Visit: "error
 * parsing FILE") and no further: the documents before it were read, and are applied.
 *
 * A file whose first character but blanks is `{` is read as a stream of JSON values first (json-stream.ts); what
 * follows them, where kubectl reads on as YAML, is cut so.
 */
import { isMap, isScalar, parseDocument, type Document } from 'yaml';

/** One document as kubectl's YAMLReader returns it. */
export interface KubectlDocument {
  /** Offset of its first line, and after its last (where the separator that ends it begins). */
  readonly start: number;
  readonly end: number;
  /** Offset of its first character that is neither blank, nor in a comment, nor the `---` that opens it; null where none. */
  readonly content: number | null;
  /** The line that ends it, a separator followed by more than a comment: kubectl fails there, this document lost. */
  readonly badSeparator: { readonly offset: number; readonly after: string } | null;
}

/** Go's unicode.IsSpace (strings.TrimSpace). */
const GO_SPACE = '[\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]';
const TRIM = new RegExp(`^${GO_SPACE}+|${GO_SPACE}+$`, 'g');

/** The documents kubectl reads in a file, in order (blank ones and those of comments only included, as it reads them). */
export function kubectlDocuments(text: string): KubectlDocument[] {
  return kubectlCut(text).documents;
}

/** Go's line breaks but LF (a lone CR, NEL, LS, PS: scenario/go-breaks.ts), which are blanks to strings.TrimSpace. */
const GO_BREAK = /\r(?!\n)|[\u0085\u2028\u2029]/;

/**
 * The documents, and the text as the yaml package is to read it: on each separator kubectl takes, Go's line breaks
 * but LF (a lone CR: `---\r\r\n`, or `---\r` ending an old Mac file) are blanks to the reader's TrimSpace and to
 * go-yaml alike, and are written as spaces (the yaml package reads a lone CR as a character, and would read on after
 * `---` as content); on one it drops (a separator that ends a document: its line is never written to the document)
 * its comment's breaks too. Offsets are the file's.
 */
export function kubectlCut(text: string): { documents: KubectlDocument[]; text: string } {
  const out: KubectlDocument[] = [];
  const blanks: [number, number][] = [];
  const blank = (offset: number, line: string, dropped: boolean) => {
    const hash = line.indexOf('#');
    if (GO_BREAK.test(line)) blanks.push([offset, offset + (dropped || hash < 0 ? line.length : hash)]);
  };
  let start = 0;
  let lines = 0;
  let content: number | null = null;
  let offset = 0;
  while (offset < text.length) {
    const eol = text.indexOf('\n', offset);
    const next = eol < 0 ? text.length : eol + 1;
    const line = text.slice(offset, eol < 0 ? text.length : eol);
    if (line.startsWith('---')) {
      const after = line.slice(3).replace(TRIM, '');
      if (after !== '' && !after.startsWith('#')) {
        // The reader fails before it returns what it holds: this document is lost, and kubectl reads no further. The
        // line itself is read on as the start of the next, to name what it holds.
        out.push({ start, end: offset, content, badSeparator: { offset, after } });
        start = offset;
        lines = 1;
        content = offset + 3 + (/^\s*/.exec(line.slice(3))?.[0].length ?? 0);
        offset = next;
        continue;
      }
      blank(offset, line, lines > 0);
      if (lines > 0) {
        out.push({ start, end: offset, content, badSeparator: null });
        start = next;
        lines = 0;
        content = null;
        offset = next;
        continue;
      }
      // A separator with nothing read before it is kept in the document it opens.
      lines++;
      offset = next;
      continue;
    }
    lines++;
    const lead = /^[ \t]*/.exec(line)![0].length;
    if (content === null && lead < line.replace(/\r$/, '').length && line[lead] !== '#') content = offset + lead;
    offset = next;
  }
  if (lines > 0 || out.length === 0) out.push({ start, end: text.length, content, badSeparator: null });
  if (blanks.length === 0) return { documents: out, text };
  const pieces: string[] = [];
  let from = 0;
  for (const [a, b] of blanks) {
    pieces.push(text.slice(from, a), text.slice(a, b).replace(new RegExp(GO_BREAK.source, 'g'), ' '));
    from = b;
  }
  pieces.push(text.slice(from));
  return { documents: out, text: pieces.join('') };
}

/** The index of the document that holds `offset`. */
export function documentAt(documents: readonly KubectlDocument[], offset: number): number {
  // The last whose start is at or before offset (a binary search: a file may hold thousands).
  let lo = 0;
  let hi = documents.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (documents[mid].start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** Its number as a reader counts documents: those that hold something, from 1 (one of nothing is given the next). */
export function documentNumber(documents: readonly KubectlDocument[], index: number): number {
  return documents.slice(0, index).filter((d) => d.content !== null).length + 1;
}

/** The value at `path` of plain data, or undefined. */
const at = (v: unknown, ...path: string[]): unknown => path.reduce<unknown>((x, p) => (x !== null && typeof x === 'object' && Object.hasOwn(x, p) ? (x as Record<string, unknown>)[p] : undefined), v);

/** A resource's kind and metadata.name, "" where they are not text. */
export function nameOf(v: unknown): { kind: string; name: string } {
  const kind = at(v, 'kind');
  const name = at(v, 'metadata', 'name');
  return { kind: typeof kind === 'string' ? kind : '', name: typeof name === 'string' ? name : '' };
}

/** The kind and metadata.name of a document kubectl never reads, as far as it reads alone (a kind of null where it does not parse). */
export function kindAndName(text: string, d: KubectlDocument): { kind: string | null; name: string } {
  // A document that begins on a separator kubectl refuses is read from what follows the --- on that line.
  const body = text.slice(d.start, d.end);
  const doc = parseDocument(body.replace(/^---[ \t]*/, ''), { uniqueKeys: false, prettyErrors: false, logLevel: 'silent' });
  return doc.errors.length === 0 ? nameOf(plain(doc)) : partialNameOf(doc);
}

/** The plain value of a document without errors, or null where it has none (an alias bomb, a cycle). */
function plain(doc: Document): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return null;
  }
}

/** The kind and metadata.name of a document that does not parse, where its top-level mapping gives them as text (a kind of null where not). */
export function partialNameOf(doc: Document): { kind: string | null; name: string } {
  const text = (m: unknown, key: string): unknown => {
    if (!isMap(m)) return undefined;
    const pair = m.items.find((p) => isScalar(p.key) && p.key.value === key);
    return pair?.value ?? undefined;
  };
  const scalar = (n: unknown): string => (isScalar(n) && typeof n.value === 'string' ? n.value : '');
  return { kind: scalar(text(doc.contents, 'kind')) || null, name: scalar(text(text(doc.contents, 'metadata'), 'name')) };
}
