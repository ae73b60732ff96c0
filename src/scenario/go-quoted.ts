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
import { refuseGoFlowKeys } from './go-flow-keys.js';
import { Document, LineCounter, Parser, parseAllDocuments, parseDocument, visit, YAMLParseError, type DocumentOptions, type ParseOptions, type SchemaOptions, type YAMLError } from 'yaml';
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
 * NEL, LS and PS (GO_BREAK): `go` for a file only Go reads (Kubernetes resources, Prometheus rule files), where
 * they are line breaks; `yaml` for one a YAML 1.2 reader may read too (rehearse's own scenarios; flag files, which
 * js-yaml and the yaml package read for Unleash and LaunchDarkly's Node SDK), where they are characters.
 */
export type Breaks = 'go' | 'yaml';

const cutQuote = (e: YAMLError) => e.code === 'MISSING_CHAR' && /^Missing closing ['"]quote/.test(e.message);

function asGo<T>(text: string, parse: (text: string, lines: LineCounter) => T, docs: (value: T) => readonly Document[], breaks: Breaks): ReadAsGo & { value: T } {
  const r = cutAsGo(text, parse, docs);
  // Go's line breaks in quoted strings (NEL, LS, PS: see GO_BREAK), read as Go reads them; elsewhere, refused.
  if (breaks === 'go' && GO_BREAK.test(r.text)) {
    const quoted: [number, number][] = [];
    const all = docs(r.value);
    for (const d of all) goBreaks(d, r.text, quoted);
    strayBreak(all, r.text, quoted);
  }
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

const BREAK_NAMES: Readonly<Record<string, string>> = { '\u0085': 'U+0085 (NEL)', '\u2028': 'U+2028 (LS)', '\u2029': 'U+2029 (PS)' };

/**
 * The first NEL, LS or PS outside the quoted strings, made an error of the document it is in. Go's yaml reads it as a
 * line break there too (a plain value ends at it, a comment's rest is read as YAML: `# c<NEL>k: 1` is {k: 1} to Go),
 * the yaml package as a character: the two would read the file apart.
 */
function strayBreak(docs: readonly Document[], text: string, quoted: readonly [number, number][]): void {
  const re = new RegExp(GO_BREAK.source, 'g');
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index;
    if (quoted.some(([start, end]) => at >= start && at < end)) continue;
    // A file of comments alone has no document: one is made to hold the error (Go reads a document there).
    if (docs.length === 0) (docs as Document[]).push(new Document(null));
    const doc = [...docs].reverse().find((d) => (d.range?.[0] ?? 0) <= at) ?? docs[0];
    // First: the yaml package's own errors around it (a key it found on the line) follow from it.
    doc.errors.unshift(new YAMLParseError([at, at + 1], 'UNEXPECTED_TOKEN', `${BREAK_NAMES[m[0]]} outside a quoted string: a line break to Go's yaml (kubectl, Prometheus, the controllers), a character to rehearse's YAML reader, so the two would read the file apart (the rest of a comment read as YAML, a value cut); remove it, or quote the value that holds it`));
    return;
  }
}

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

/**
 * NEL (U+0085), LS (U+2028) and PS (U+2029): line breaks to Go's yaml (gopkg.in/yaml.v3 v3.0.1 yamlprivateh.go
 * is_break, as libyaml and YAML 1.1), plain characters to the yaml package (YAML 1.2). Inside a quoted string Go
 * folds at them as at any break (scannerc.go yaml_parser_scan_flow_scalar and read_line): a NEL is read as a line
 * feed, so a NEL between words is a space, and LS and PS are kept, the blanks around each break dropped.
 */
const GO_BREAK = /[\u0085\u2028\u2029]/;

/**
 * Each quoted string of `doc` that holds such a break given the value Go reads, or Go's refusal as the document's
 * error: of the string (an escape Go does not know, a document marker after a break), or of a key on more lines than
 * one (an implicit key, block or flow: "mapping values are not allowed in this context"; a `?` key may be). Every
 * quoted string's range goes to `quoted`.
 */
function goBreaks(doc: Document, text: string, quoted: [number, number][]): void {
  visit(doc, {
    Scalar(key, node) {
      if ((node.type !== 'QUOTE_DOUBLE' && node.type !== 'QUOTE_SINGLE') || !node.range) return;
      const [start, end] = node.range;
      quoted.push([start, end]);
      const source = text.slice(start, end);
      if (!GO_BREAK.test(source)) return;
      const refuse = (why: string) => doc.errors.push(new YAMLParseError([start, start + 1], 'BAD_SCALAR_START', why));
      if (key === 'key' && !/\?[ \t]*$/.test(text.slice(text.lastIndexOf('\n', start - 1) + 1, start))) {
        refuse('a key on more than one line (NEL, LS and PS are line breaks to Go): Go\'s yaml (kubectl) refuses it ("mapping values are not allowed in this context"; a key written after "? " may hold one)');
        return;
      }
      const read = goQuotedValue(source);
      if (typeof read !== 'string') {
        refuse(read.refused);
        return;
      }
      node.value = read;
      // The yaml package's own complaint of an escaped break (an escape it does not know), inside a string Go reads.
      for (let i = doc.errors.length - 1; i >= 0; i--) {
        const e = doc.errors[i];
        if (e.code === 'BAD_DQ_ESCAPE' && e.pos[0] >= start && e.pos[0] < end) doc.errors.splice(i, 1);
      }
    },
  });
}

const blank = (c: string | undefined) => c === ' ' || c === '\t';
const isBreak = (c: string | undefined) => c === '\n' || c === '\r' || c === '\u0085' || c === '\u2028' || c === '\u2029';
const ESCAPES: Readonly<Record<string, string>> = {
  0: '\0', a: '\x07', b: '\b', t: '\t', '\t': '\t', n: '\n', v: '\v', f: '\f', r: '\r', e: '\x1b', ' ': ' ', '"': '"', '\'': '\'', '\\': '\\',
  N: '\u0085', _: '\u00a0', L: '\u2028', P: '\u2029',
};
const CODE_LENGTH: Readonly<Record<string, number>> = { x: 2, u: 4, U: 8 };

/**
 * The value Go's scanner reads of a quoted string (`source`, its quotes included), a port of yaml.v3's
 * yaml_parser_scan_flow_scalar; or why it refuses it.
 */
export function goQuotedValue(source: string): string | { refused: string } {
  const single = source[0] === '\'';
  const refuse = (why: string) => ({ refused: `${why}: Go's yaml (kubectl) refuses this quoted string (yaml.v3 scannerc.go yaml_parser_scan_flow_scalar)` });
  let i = 1, column = 1, s = '', leadingBreak = '', trailingBreaks = '', whitespaces = '';
  /** read_line: CR LF, CR and LF and NEL as a line feed; LS and PS as themselves. */
  const readLine = (): string => {
    const c = source[i];
    i += c === '\r' && source[i + 1] === '\n' ? 2 : 1;
    column = 0;
    return c === '\u2028' || c === '\u2029' ? c : '\n';
  };
  for (;;) {
    if (column === 0 && /^(---|\.\.\.)([ \t\r\n\u0085\u2028\u2029]|$)/.test(source.slice(i, i + 4))) return refuse('a document indicator at the start of a line (found unexpected document indicator)');
    if (i >= source.length) return refuse('no closing quote (found unexpected end of stream)');
    let leadingBlanks = false;
    while (i < source.length && !blank(source[i]) && !isBreak(source[i])) {
      const c = source[i];
      if (single && c === '\'' && source[i + 1] === '\'') {
        s += '\'';
        i += 2;
        column += 2;
      } else if (single && c === '\'') break;
      else if (!single && c === '"') break;
      else if (!single && c === '\\' && isBreak(source[i + 1])) {
        i++;
        readLine();
        leadingBlanks = true;
        break;
      } else if (!single && c === '\\') {
        const e = source[i + 1];
        const length = CODE_LENGTH[e] ?? 0;
        if (length === 0 && (e === undefined || !Object.hasOwn(ESCAPES, e))) return refuse('an unknown escape character (found unknown escape character)');
        if (length === 0) s += ESCAPES[e];
        i += 2;
        column += 2;
        if (length > 0) {
          const hex = source.slice(i, i + length);
          if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) return refuse('an escape without its hexadecimal digits (did not find expected hexdecimal number)');
          const code = parseInt(hex, 16);
          if ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) return refuse('an escape of no Unicode character (found invalid Unicode character escape code)');
          s += String.fromCodePoint(code);
          i += length;
          column += length;
        }
      } else {
        const cp = source.codePointAt(i)!;
        s += String.fromCodePoint(cp);
        i += cp > 0xffff ? 2 : 1;
        column++;
      }
    }
    if (i >= source.length) return refuse('no closing quote (found unexpected end of stream)');
    if (source[i] === (single ? '\'' : '"')) break;
    while (blank(source[i]) || isBreak(source[i])) {
      if (blank(source[i])) {
        if (!leadingBlanks) whitespaces += source[i];
        i++;
        column++;
      } else if (!leadingBlanks) {
        whitespaces = '';
        leadingBreak += readLine();
        leadingBlanks = true;
      } else trailingBreaks += readLine();
    }
    if (leadingBlanks) {
      if (leadingBreak.startsWith('\n')) s += trailingBreaks === '' ? ' ' : trailingBreaks;
      else s += leadingBreak + trailingBreaks;
      leadingBreak = '';
      trailingBreaks = '';
    } else {
      s += whitespaces;
      whitespaces = '';
    }
  }
  return s;
}
