/**
 * A quoted string continued on lines at or left of its key's column, read as Go reads it. Go's yaml (gopkg.in/yaml.v3
 * scannerc.go yaml_parser_scan_flow_scalar, as libyaml; what kubectl reads) takes a single- or double-quoted string to
 * its closing quote whatever the indentation of its lines: only a document marker (`---`, `...`) at the start of a
 * line, or the end of the file, stops it. The yaml package holds the lines to YAML 1.2's indentation and stops at the
 * first one not indented past the collection the string is in ("Missing closing quote"), then reads the rest of the
 * string as keys. Such files are common where YAML is written by Go: Flagger's CRD (artifacts/flagger/crd.yaml) and
 * Istio's, as Argo Rollouts' e2e tests hold it (test/e2e/crds/istio.yaml), break long descriptions so.
 *
 * When the yaml package stops in a quoted string that Go reads to a closing quote further on, the lines between are
 * indented just past the collection (their leading blanks are no part of the string for either reader) and the text
 * is read again; positions are given in the file's own columns.
 */
import { goLineBreaks } from './go-breaks.js';
import { refuseGoFlowKeys } from './go-flow-keys.js';
import { Document, LineCounter, Parser, parseAllDocuments, parseDocument, YAMLParseError, type DocumentOptions, type ParseOptions, type SchemaOptions, type YAMLError } from 'yaml';
import { placeItemErrors } from './yaml-error-place.js';
type Options = ParseOptions & DocumentOptions & SchemaOptions;

/**
 * What a text is read as: `text`, the text the nodes' ranges index (the file's, or the file's with lines indented),
 * `lines`, positions in the file's own lines and columns, and `inFile`, an offset of `text` as one of the file's.
 */
export interface ReadAsGo {
  readonly text: string;
  readonly lines: LineCounter;
  inFile(offset: number): number;
}

/** One document, as Go reads its quoted strings. */
export function parseDocumentAsGo(text: string, options: Options = {}, breaks: Breaks = 'yaml'): ReadAsGo & { doc: Document } {
  const r = asGo(text, (t, lineCounter) => placeItemErrors([parseDocument(t, { ...options, lineCounter })], t)[0], (d) => [d], breaks);
  return { ...r, doc: r.value };
}

/** Every document, as Go reads their quoted strings. */
export function parseAllDocumentsAsGo(text: string, options: Options = {}, breaks: Breaks = 'yaml'): ReadAsGo & { docs: Document[] } {
  const r = asGo(text, (t, lineCounter) => {
    const all = parseAllDocuments(t, { ...options, lineCounter });
    return Array.isArray(all) ? placeItemErrors(all, t) : [];
  }, (docs) => docs, breaks);
  return { ...r, docs: r.value };
}

/**
 * NEL, LS and PS (go-breaks.ts): `go` for a file only Go reads (Kubernetes resources, Prometheus rule files), where
 * they are line breaks; `yaml` for one a YAML 1.2 reader may read too (rehearse's own scenarios; flag files, which
 * js-yaml and the yaml package read for Unleash and LaunchDarkly's Node SDK), where they are characters.
 */
export type Breaks = 'go' | 'yaml';

const cutQuote = (e: YAMLError) => e.code === 'MISSING_CHAR' && /^Missing closing ['"]quote/.test(e.message);

function asGo<T>(text: string, parse: (text: string, lines: LineCounter) => T, docs: (value: T) => readonly Document[], breaks: Breaks): ReadAsGo & { value: T } {
  const r = cutAsGo(text, parse, docs);
  // Go's line breaks in quoted strings (NEL, LS, PS: go-breaks.ts), read as Go reads them; elsewhere, refused.
  if (breaks === 'go') goLineBreaks(docs(r.value), r.text);
  const bad = breaks === 'go' ? GO_UNREAD.exec(r.text) : null;
  if (bad !== null) {
    const all = docs(r.value) as Document[];
    if (all.length === 0) all.push(new Document(null));
    const doc = [...all].reverse().find((d) => (d.range?.[0] ?? 0) <= bad.index) ?? all[0];
    const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
    doc.errors.unshift(new YAMLParseError([bad.index, bad.index + 1], 'BAD_SCALAR_START', `the control character ${code}: Go's yaml (kubectl, Prometheus, the controllers) refuses the file ("control characters are not allowed", readerc.go yaml_parser_update_buffer), where rehearse's YAML reader took it as a character; write it escaped in a double-quoted string ("\\u${code.slice(2)}"), or remove it`));
  }
  // A key in { } or [ ] whose ":" is on a later line, or over 1024 characters on: Go refuses it (go-flow-keys.ts).
  if (breaks === 'go') refuseGoFlowKeys(docs(r.value), r.text);
  return r;
}

/** What Go's yaml reader refuses anywhere in a file (readerc.go: all but tab, LF, CR, 0x20-0x7E, NEL, 0xA0-0xD7FF, 0xE000-0xFFFD, 0x10000 up). */
const GO_UNREAD = /[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;

function cutAsGo<T>(text: string, parse: (text: string, lines: LineCounter) => T, docs: (value: T) => readonly Document[]): ReadAsGo & { value: T } {
  const lines = new LineCounter();
  const value = parse(text, lines);
  const same = { value, text, lines, inFile: (offset: number) => offset };
  // Only a file the yaml package stops in a quoted string is looked at again.
  if (!docs(value).some((d) => d.errors.some(cutQuote))) return same;
  const readable = goQuotedText(text);
  if (readable === null) return same;
  if (readable.refused !== null) {
    // Go refuses it too: said in its words, where the string opens (as Go names the line).
    const { offset, message } = readable.refused;
    const doc = docs(value).find((d) => d.errors.some(cutQuote))!;
    doc.errors.splice(doc.errors.findIndex(cutQuote), 1, new YAMLParseError([offset, offset + 1], 'MISSING_CHAR', message));
    return same;
  }
  const shifted = new LineCounter();
  const again = parse(readable.text, shifted);
  const linePos = shifted.linePos;
  shifted.linePos = (offset: number) => {
    const p = linePos(offset);
    return { line: p.line, col: Math.max(1, p.col - (readable.shifts.get(p.line) ?? 0)) };
  };
  const original = lineStarts(text);
  const inFile = (offset: number) => {
    const p = shifted.linePos(offset);
    return original[p.line - 1] + p.col - 1;
  };
  return { value: again, text: readable.text, lines: shifted, inFile };
}

/**
 * The text with the lines of each quoted string the yaml package stops in (and Go reads on) indented past its key,
 * and the blanks put before each line (by 1-based line); null when there is none. `refused`: a string Go refuses
 * too (its opening quote in the file, and why).
 */
export function goQuotedText(text: string): { text: string; shifts: Map<number, number>; refused: { offset: number; message: string } | null } | null {
  let current = text;
  const shifts = new Map<number, number>();
  // A string found cut is mended in its round; one after it that the package lexed out of step, in the next.
  for (let round = 0; round < 100; round++) {
    const { inserts, refused } = cutStrings(current);
    if (refused !== null) {
      // Where it opens in the file: its line is the file's, its column less the blanks put before it.
      const starts = lineStarts(current), original = lineStarts(text);
      let line = starts.length - 1;
      while (starts[line] > refused.offset) line--;
      const offset = original[line] + Math.max(0, refused.offset - starts[line] - (shifts.get(line + 1) ?? 0));
      return { text, shifts: new Map(), refused: { offset, message: refused.message } };
    }
    if (inserts.size === 0) break;
    const starts = lineStarts(current);
    let out = '';
    let from = 0;
    for (const [line, spaces] of [...inserts].sort((a, b) => a[0] - b[0])) {
      out += current.slice(from, starts[line]) + ' '.repeat(spaces);
      from = starts[line];
      shifts.set(line + 1, (shifts.get(line + 1) ?? 0) + spaces);
    }
    current = out + current.slice(from);
  }
  return shifts.size > 0 ? { text: current, shifts, refused: null } : null;
}

/**
 * Blanks to put before lines (0-based) of the quoted strings the yaml package stops in and Go reads on; or the first
 * such string that Go refuses too, when no string before it was cut (after one, the package's lexing is out of step).
 */
function cutStrings(text: string): { inserts: Map<number, number>; refused: { offset: number; message: string } | null } {
  const starts = lineStarts(text);
  const lineOf = (offset: number) => {
    let lo = 0, hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const inserts = new Map<number, number>();
  let after = 0;
  for (const t of quotedTokens(text)) {
    if (t.offset < after) continue;
    const end = goQuotedEnd(text, t.offset);
    if (typeof end !== 'number') {
      if (inserts.size > 0) break;
      return { inserts, refused: { offset: t.offset, message: end.refused } };
    }
    // The package read it whole.
    if (end === t.offset + t.source.length) continue;
    after = end;
    const first = lineOf(t.offset);
    const need = keyColumn(text, starts[first]) + 1;
    for (let l = first + 1; l <= lineOf(end - 1); l++) {
      let k = starts[l];
      while (text[k] === ' ') k++;
      if (k >= text.length || text[k] === '\n' || text[k] === '\r') continue; // a blank line: a break in the string
      if (k - starts[l] < need) inserts.set(l, need - (k - starts[l]));
    }
  }
  return { inserts, refused: null };
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** The column of the key (or value) a line holds, past its sequence indicators: `- - key:` is at 4. */
function keyColumn(text: string, lineStart: number): number {
  let i = lineStart;
  for (;;) {
    while (text[i] === ' ') i++;
    if (text[i] === '-' && (text[i + 1] === ' ' || text[i + 1] === '\t')) i += 2;
    else return i - lineStart;
  }
}

/** The quoted strings the yaml package lexed (their start and what it took of them), in the order of the text. */
function quotedTokens(text: string): { offset: number; source: string }[] {
  const out: { offset: number; source: string }[] = [];
  const stack: unknown[] = [...new Parser().parse(text)];
  while (stack.length > 0) {
    const t = stack.pop();
    if (t === null || typeof t !== 'object') continue;
    if (Array.isArray(t)) {
      stack.push(...t);
      continue;
    }
    const token = t as { type?: string; offset?: number; source?: string };
    if ((token.type === 'double-quoted-scalar' || token.type === 'single-quoted-scalar') && typeof token.offset === 'number' && typeof token.source === 'string') {
      out.push({ offset: token.offset, source: token.source });
    }
    for (const v of Object.values(t)) if (v !== null && typeof v === 'object') stack.push(v);
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/**
 * Where Go's scanner ends the quoted string that opens at `open` (the index past its closing quote), or why it
 * refuses it: a document marker at the start of a line ("found unexpected document indicator") or the end of the
 * text ("found unexpected end of stream"). In single quotes '' is a quote; in double quotes a backslash escapes the
 * next character (a line break too).
 */
export function goQuotedEnd(text: string, open: number): number | { refused: string } {
  const single = text[open] === '\'';
  let i = open + 1;
  let lineStart = false;
  while (i < text.length) {
    const c = text[i];
    if (lineStart && /^(---|\.\.\.)([ \t\r\n]|$)/.test(text.slice(i, i + 4))) {
      return { refused: `a quoted string not closed before the document marker ${text.slice(i, i + 3)} at the start of a line: Go's yaml (kubectl) refuses it too ("found unexpected document indicator")` };
    }
    lineStart = false;
    if (c === '\n') {
      lineStart = true;
      i++;
    } else if (single && c === '\'') {
      if (text[i + 1] !== '\'') return i + 1;
      i += 2;
    } else if (!single && c === '"') return i + 1;
    else if (!single && c === '\\') {
      // An escaped line break (\r\n as one) goes on to the next line.
      if (text[i + 1] === '\r' && text[i + 2] === '\n') i += 2;
      else i++;
      if (text[i] === '\n') lineStart = true;
      i++;
    } else i++;
  }
  return { refused: 'a quoted string not closed before the end of the file: Go\'s yaml (kubectl) refuses it too ("found unexpected end of stream")' };
}
