/**
 * Line breaks Go's yaml knows and the yaml package does not: NEL, LS, PS and a lone CR (GO_BREAK), read as Go reads them in
 * quoted strings and refused elsewhere, where the two readers would read the file apart. A file only Go reads
 * (Kubernetes resources, Prometheus rule files) goes through `goLineBreaks` after go-quoted.ts has read it.
 */
import { Document, visit, YAMLParseError } from 'yaml';

/** Each quoted string with a break Go knows given Go's value (or Go's refusal), and the first such break outside a quoted string refused. */
export function goLineBreaks(docs: readonly Document[], text: string): void {
  if (!GO_BREAK.test(text)) return;
  const quoted: [number, number][] = [];
  for (const d of docs) goBreaks(d, text, quoted);
  strayBreak(docs, text, quoted);
}

const BREAK_NAMES: Readonly<Record<string, string>> = { '\u0085': 'U+0085 (NEL)', '\u2028': 'U+2028 (LS)', '\u2029': 'U+2029 (PS)', '\r': 'a CR (U+000D) without a line feed after it' };

/**
 * The first NEL, LS, PS or lone CR outside the quoted strings, made an error of the document it is in. Go's yaml reads it as a
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

/**
 * NEL (U+0085), LS (U+2028), PS (U+2029) and a CR without a line feed after it: line breaks to Go's yaml
 * (gopkg.in/yaml.v3 v3.0.1 yamlprivateh.go is_break, as libyaml, YAML 1.1 and go-yaml v2 under sigs.k8s.io/yaml),
 * plain characters to the yaml package (YAML 1.2 makes a lone CR a break, the package does not). Inside a quoted string Go
 * folds at them as at any break (scannerc.go yaml_parser_scan_flow_scalar and read_line): a NEL is read as a line
 * feed, so a NEL between words is a space, and LS and PS are kept, the blanks around each break dropped.
 */
const GO_BREAK = /[\u0085\u2028\u2029]|\r(?!\n)/;

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
