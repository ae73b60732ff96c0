/**
 * A file of resources whose first character but blanks is `{`, as kubectl reads it: a stream of JSON values first.
 * apimachinery's YAMLOrJSONDecoder (kubernetes/apimachinery at eed236ce pkg/util/yaml/decoder.go; kubectl's
 * StreamVisitor makes one with a look-ahead of 4096 bytes: cli-runtime pkg/resource/visitor.go) decodes one JSON value
 * after another with encoding/json's Decoder, blanks between them and no separator (`{...}{...}`, one per line). When a
 * value does not decode, after one value or none it goes back to where the last ended, drops the blanks after it up to
 * and including a line feed, and reads the rest as YAML (YAMLReader's documents); after two or more, it fails
 * ("error parsing FILE: invalid character ...") and the values read before are applied.
 */

/** Where each JSON value kubectl decodes lies, and what it does after the last. */
export interface JsonStream {
  /** The values' [start, end) offsets. */
  readonly values: readonly (readonly [number, number])[];
  /** Where it reads on as YAML (a value that does not decode, after one value or none); null where it does not. */
  readonly yamlFrom: number | null;
  /** The failure that ends the stream after two values or more: where, and encoding/json's words. */
  readonly error: { readonly offset: number; readonly message: string } | null;
}

/** Go's unicode.IsSpace, which GuessJSONStream trims before it looks for `{`. */
const GO_SPACES = /^[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*/;
/** encoding/json's blanks between tokens. */
const isBlank = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/** The JSON stream kubectl reads in a file, or null where it reads the file as YAML from its start. */
export function jsonStream(text: string): JsonStream | null {
  const lead = GO_SPACES.exec(text.slice(0, 4096))![0].length;
  if (text[lead] !== '{' || lead >= 4096) return null;
  const values: [number, number][] = [];
  let at = 0;
  for (;;) {
    let start = at;
    while (isBlank(text[start])) start++;
    if (start >= text.length) return { values, yamlFrom: null, error: null };
    const end = jsonValueEnd(text, start);
    if (typeof end === 'number') {
      values.push([start, end]);
      at = end;
      continue;
    }
    if (values.length > 1) return { values, yamlFrom: null, error: end };
    // Back to where the last value ended; the blanks after it, up to and including a line feed, are dropped.
    let from = at;
    while (from < text.length && GO_SPACES.exec(text[from])![0].length > 0 && text[from] !== '\n') from++;
    if (text[from] === '\n') from++;
    return values.length === 0 ? null : { values, yamlFrom: from, error: null };
  }
}

type Failure = { offset: number; message: string };

/**
 * Where the JSON value that starts at `i` ends, or encoding/json's scanner's failure (scanner.go: "invalid character
 * 'x' looking for beginning of value", "unexpected EOF") at the character it stops on.
 */
export function jsonValueEnd(text: string, i: number): number | Failure {
  const fail = (at: number, context: string): Failure =>
    at >= text.length ? { offset: text.length, message: 'unexpected EOF' } : { offset: at, message: `invalid character ${quoteChar(String.fromCodePoint(text.codePointAt(at)!))} ${context}` };
  const blanks = (k: number) => {
    while (isBlank(text[k])) k++;
    return k;
  };
  const string = (k: number): number | Failure => {
    for (k++; k < text.length; k++) {
      const c = text[k];
      if (c === '"') return k + 1;
      if (c < ' ') return fail(k, 'in string literal');
      if (c !== '\\') continue;
      const e = text[k + 1];
      if (e === 'u') {
        for (let j = 2; j < 6; j++) if (!/[0-9a-fA-F]/.test(text[k + j] ?? '')) return fail(k + j, 'in \\u hexadecimal character escape');
        k += 5;
      } else if (e !== undefined && '"\\/bfnrt'.includes(e)) k++;
      else return fail(k + 1, 'in string escape code');
    }
    return fail(k, '');
  };
  const number = (k: number): number | Failure => {
    if (text[k] === '-') k++;
    const digits = (from: number) => {
      while (text[from] !== undefined && text[from] >= '0' && text[from] <= '9') from++;
      return from;
    };
    if (text[k] === '0') k++;
    else if (text[k] !== undefined && text[k] >= '1' && text[k] <= '9') k = digits(k);
    else return fail(k, 'in numeric literal');
    if (text[k] === '.') {
      if (!/[0-9]/.test(text[k + 1] ?? '')) return fail(k + 1, 'after decimal point in numeric literal');
      k = digits(k + 1);
    }
    if (text[k] === 'e' || text[k] === 'E') {
      k++;
      if (text[k] === '+' || text[k] === '-') k++;
      if (!/[0-9]/.test(text[k] ?? '')) return fail(k, 'in exponent of numeric literal');
      k = digits(k);
    }
    return k;
  };
  // A key string and its ":", at `k`: the offset of its value.
  const key = (k: number): number | Failure => {
    if (text[k] !== '"') return fail(k, 'looking for beginning of object key string');
    const s = string(k);
    if (typeof s !== 'number') return s;
    const colon = blanks(s);
    return text[colon] === ':' ? blanks(colon + 1) : fail(colon, 'after object key');
  };
  // The containers open around the value at k, innermost last (a loop, not recursion: Go allows 10,000 levels).
  const open: string[] = [];
  for (let k = i; ;) {
    const c = text[k];
    let end: number | Failure;
    if (c === '{' || c === '[') {
      if (open.length >= MAX_DEPTH) return fail(k, 'exceeded max depth');
      const inner = blanks(k + 1);
      if (text[inner] !== (c === '{' ? '}' : ']')) {
        open.push(c);
        const next = c === '{' ? key(inner) : inner;
        if (typeof next !== 'number') return next;
        k = next;
        continue;
      }
      end = inner + 1;
    } else if (c === '"') end = string(k);
    else if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) end = number(k);
    else {
      const word = ['true', 'false', 'null'].find((w) => w[0] === c);
      if (word === undefined) return fail(k, 'looking for beginning of value');
      end = k + word.length;
      for (let j = 1; j < word.length; j++) {
        if (text[k + j] !== word[j]) {
          end = fail(k + j, `in literal ${word} (expecting ${quoteChar(word[j])})`);
          break;
        }
      }
    }
    if (typeof end !== 'number') return end;
    // Close what the value ends, up to the next value of an open container.
    for (k = end; ;) {
      const top = open[open.length - 1];
      if (top === undefined) return k;
      const j = blanks(k);
      if (text[j] === (top === '{' ? '}' : ']')) {
        open.pop();
        k = j + 1;
        continue;
      }
      if (text[j] !== ',') return fail(j, top === '{' ? 'after object key:value pair' : 'after array element');
      const next = top === '{' ? key(blanks(j + 1)) : blanks(j + 1);
      if (typeof next !== 'number') return next;
      k = next;
      break;
    }
  }
}

/** encoding/json's maxNestingDepth (scanner.go): a value nested deeper is refused. */
const MAX_DEPTH = 10000;

/**
 * A character as encoding/json quotes it in a message (scanner.go quoteChar): ' and " as they are, else the byte
 * strconv.Quote(string(c)) writes between single quotes. The scanner reads bytes: a character past ASCII is its
 * first UTF-8 byte, which string(c) makes the rune of that number ("é", C3 A9, is 'Ã'). strconv.Quote writes \a \b
 * \f \n \r \t \v, \xHH for another control character and DEL, \u00HH for a rune IsPrint does not take (U+0080 to
 * U+009F, U+00A0, U+00AD), a backslash as \\, and the rest as it is (JSON.stringify wrote \u0001, \u0007 and a bare DEL).
 */
function quoteChar(c: string): string {
  if (c === '\'') return `'\\''`;
  if (c === '"') return `'"'`;
  const code = c.codePointAt(0) ?? 0;
  const byte = code < 0x80 ? code : Buffer.from(c, 'utf8')[0];
  return `'${goQuotedByte(byte)}'`;
}

const GO_ESCAPES: Readonly<Record<number, string>> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 92: '\\\\' };
const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/** The rune of a byte's number as strconv.Quote writes it inside its quotes (strconv/quote.go appendEscapedRune). */
function goQuotedByte(b: number): string {
  if (GO_ESCAPES[b] !== undefined) return GO_ESCAPES[b];
  if (b < 0x20 || b === 0x7f) return `\\x${hex(b, 2)}`;
  if ((b >= 0x80 && b <= 0xa0) || b === 0xad) return `\\u${hex(b, 4)}`;
  return String.fromCharCode(b);
}
