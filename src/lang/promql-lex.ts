/**
 * Where Prometheus 2.42's lexer (promql/parser/lex.go) reads a query differently from the grammar of its UI
 * (@prometheus-io/lezer-promql), the query is rewritten, character for character, into one the grammar reads
 * the same way, so that columns stay put:
 *
 * - A number ending in a dot (`5.`, `3.e2`): scanNumber takes the digits, a dot and the digits after it, if
 *   any. The dot is dropped and a space put after the number (`5 `, `3e2 `).
 * - `offset` where an operand is expected (`offset{job="a"}`, `1 + offset`): lexKeywordOrIdentifier makes it
 *   the OFFSET keyword, and generated_parser.y's metric_identifier takes OFFSET as a metric name. It is written
 *   as `______`; `renamed` gives the name back at its column.
 * - `atan2` where an operand is expected is refused: it is an operator (ATAN2), which metric_identifier does not
 *   take, and the grammar would read it as a metric name.
 * - A letter after the range in brackets (`foo[5s x 5s]`): lexStatements emits a COLON for any letter or ':'
 *   while a bracket is open ("unexpected colon" for a second one), so 2.42 reads `foo[5s:5s]`, a subquery.
 * - A `#` comment runs to the end of its line, "\r" or "\n" (lexLineComment, isEndOfLine), also inside braces
 *   (lexInsideBraces) and brackets (lexStatements): a `}` or `]` in it closes nothing. A comment the grammar
 *   reads ends at "\n" only, so a "\r" ending one is written as "\n".
 *
 * The lexer's own errors, at the column Prometheus gives them (the start of the item), are problems: a quoted
 * string reaching a newline or the end (lexString "unterminated quoted string"; lexRawString "unterminated raw
 * string"), a `)` with no `(` open ("unexpected right parenthesis"), what follows `[` and its spaces that is no
 * duration (lexDuration: "bad duration syntax"; a number alone is read as seconds, as Prometheus 2.54 and 3 read it), and a query of spaces and
 * comments only (generated_parser.y: "no expression found in input", at 1:1). The lexer stops at its first
 * error; the parser reports a syntax error before it instead (promql-syntax.ts readQuery).
 */
import { stringProblem } from './promql-prometheus.js';
import type { PromQLProblem } from './promql-signatures.js';

export interface Lexed {
  readonly text: string;
  /** The name at each column (0-based) that was written as another identifier. */
  readonly renamed: Map<number, string>;
  /** What Prometheus' parser refuses and the grammar would not. */
  readonly problems: PromQLProblem[];
  /** The column of the first item the parser does not see for the first problem (a `)` too many is emitted, then
   * replaced by the error: lex.go emit and errorf write the same item). */
  readonly firstUnseen: number;
}

/** Words after which a parenthesis holds label names (grouping and vector matching). */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
/** Words after which an operand comes. */
const OPERATORS = new Set(['and', 'or', 'unless', 'atan2', 'bool', 'group_left', 'group_right']);

export function prometheusLexed(query: string): Lexed {
  const out = query.split('');
  const problems: PromQLProblem[] = [];
  const renamed = new Map<number, string>();
  const parens: boolean[] = [];
  let operand = true; // an operand is expected here
  let labels = false; // the next "(" holds label names
  let i = 0;
  const n = query.length;
  const skipString = (q: string) => {
    const end = stringEnd(query, i);
    if (end < 0) problems.push(unterminated(query, i));
    i = end < 0 ? n : end;
  };
  let tokens = false;
  let bracketOpen = false;
  while (i < n && !problems.length) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      skipString(c);
      operand = false;
    } else if (c === '{') {
      // Label matchers (lexInsideBraces): names, strings, comments, = =~ != !~ and commas.
      i++;
      while (i < n && query[i] !== '}' && !problems.length) {
        const b = query[i];
        if (b === '"' || b === "'" || b === '`') skipString(b);
        else if (b === '#') i = comment(query, i, out);
        else if (/[a-zA-Z_]/.test(b)) while (isAlphaNumeric(query[i])) i++;
        else if (isSpace(b) || b === ',') i++;
        else if (b === '=') i += query[i + 1] === '~' ? 2 : 1;
        else if (b === '!' && (query[i + 1] === '~' || query[i + 1] === '=')) i += 2;
        else if (b === '!') problems.push(lexError(i, `unexpected character after '!' inside braces: ${goRune(query[i + 1])}`));
        else if (b === '{') problems.push(lexError(i, "unexpected left brace '{'"));
        else problems.push(lexError(i, `unexpected character inside braces: ${goRune(b)}`));
      }
      if (i >= n && !problems.length) problems.push(lexError(n, 'unexpected end of input inside braces'));
      i++;
      operand = false;
    } else if (c === '[') {
      const end = bracket(query, i + 1, out, problems);
      bracketOpen = end < 0;
      i = end < 0 ? n : end;
      operand = false;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const end = numberAt(query, i, out);
      const m = /(?:\d*\.?\d*(?:[eE][+-]?\d+)?)\w*/y;
      m.lastIndex = i;
      i = end >= 0 ? end : i + m.exec(query)![0].length;
      operand = false;
    } else if (/[a-zA-Z_:]/.test(c)) {
      const word = /[a-zA-Z_:][\w:]*/y;
      word.lastIndex = i;
      const w = word.exec(query)![0];
      const lower = w.toLowerCase();
      if (lower === 'offset' && operand && !parens[parens.length - 1]) {
        renamed.set(i, w);
        out.splice(i, w.length, ...'_'.repeat(w.length));
        operand = false;
      } else if (lower === 'atan2' && operand && !parens[parens.length - 1]) {
        problems.push({ column: i + 1, reason: `unexpected operator ${JSON.stringify(w)} where a value is expected`, invalid: true });
      } else operand = OPERATORS.has(lower);
      labels = LABEL_LISTS.has(lower);
      i += w.length;
      tokens = true;
      continue;
    } else if (c === '(') {
      parens.push(labels);
      operand = true;
      i++;
    } else if (c === ')') {
      // lexStatements emits the parenthesis, then the error: at the column after it.
      if (!parens.length) problems.push({ column: i + 2, reason: "unexpected right parenthesis ')'", invalid: true });
      operand = parens.pop() ?? false;
      i++;
    } else if (isSpace(c)) {
      i++;
      continue;
    } else if (c === '#') {
      i = comment(query, i, out);
      continue;
    } else {
      // lexStatements: , + - * / % ^ = == != < <= > >= @; ] with no [ open; any other character is an error.
      if (c === ']') problems.push(lexError(i, "unexpected right bracket ']'"));
      else if (c === '=' && query[i + 1] === '~') problems.push(lexError(i, "unexpected character after '=': '~'"));
      else if (c === '!' && query[i + 1] !== '=') problems.push(lexError(i, `unexpected character after '!': ${goRune(query[i + 1])}`));
      else if (!',+-*/%^=!<>@'.includes(c)) problems.push(lexError(i, `unexpected character: ${goRune(c)}`));
      operand = true;
      i += '=!<>'.includes(c) && query[i + 1] === '=' ? 2 : 1;
    }
    labels = false;
    tokens = true;
  }
  // lexStatements at the end of input: a parenthesis or a bracket left open.
  if (!problems.length && parens.length) problems.push(lexError(n, 'unclosed left parenthesis'));
  else if (!problems.length && bracketOpen) problems.push(lexError(n, 'unclosed left bracket'));
  if (!tokens && !problems.length) problems.push({ column: 1, reason: 'no expression found in input', invalid: true });
  const first = problems[0];
  return { text: out.join(''), renamed, problems, firstUnseen: first?.reason.startsWith('unexpected right parenthesis') ? first.column - 1 : first?.column ?? 0 };
}

/** lexLineComment: from "#" to the end of its line (lex.go isEndOfLine: "\r" or "\n"), which is written "\n". */
function comment(query: string, i: number, out: string[]): number {
  while (i < query.length && query[i] !== '\n' && query[i] !== '\r') i++;
  if (query[i] === '\r') out[i] = '\n';
  return i;
}

/** Where a string from its quote at `i` ends (after its closing quote), or -1 (lexString, lexRawString). */
function stringEnd(query: string, i: number): number {
  const q = query[i];
  for (let j = i + 1; j < query.length; j++) {
    if (query[j] === q) return j + 1;
    if (q !== '`' && query[j] === '\n') return -1;
    if (q !== '`' && query[j] === '\\') j++;
  }
  return -1;
}

/** An error of Prometheus' lexer at index `i` of the query. */
function lexError(i: number, reason: string): PromQLProblem {
  return { column: i + 1, reason, invalid: true };
}

/** A character as Go's %q writes a rune ('x', '\n'; the end of input is utf8.RuneError's). */
function goRune(c: string | undefined): string {
  if (c === undefined) return "'\ufffd'";
  const esc: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\f': '\\f', '\v': '\\v', "'": "\\'", '\\': '\\\\' };
  return `'${esc[c] ?? c}'`;
}

/** A string from `i` that does not end: lexEscape's error comes first, if it has one, then lexString's. */
function unterminated(query: string, i: number): PromQLProblem {
  const q = query[i];
  if (q === '`') return { column: i + 1, reason: 'unterminated raw string', invalid: true };
  const line = query.indexOf('\n', i);
  const escape = stringProblem(`${query.slice(i, line < 0 ? query.length : line)}${q}`);
  return { column: i + 1, reason: escape ?? 'unterminated quoted string', invalid: true };
}

/** A number as Prometheus 3's lex.go scanNumber takes it (hex, decimal, underscores between digits since 2.54). */
const NUMBER = /0[xX]_?[0-9a-fA-F]+(?:_[0-9a-fA-F]+)*(?![.\w])|(?:\d+(?:_\d+)*(?:\.(?:\d+(?:_\d+)*)?)?|\.\d+(?:_\d+)*)(?:[eE][+-]?\d+(?:_\d+)*)?(?![.\w])/y;

/**
 * The index after a number at `i` that Prometheus 3's lexer takes whole (lex.go scanNumber: not followed by a letter,
 * a digit or a dot), or -1; written so that the grammar reads it as one: a dot ending its digits dropped and a space
 * put after it (`5.` as `5 `, `3.e2` as `3e2 `), a hex number's underscores as leading zeros (`0x1_f` as `0x01f`, the
 * grammar takes none) and its `X` as `x`.
 */
function numberAt(query: string, i: number, out: string[]): number {
  NUMBER.lastIndex = i;
  const t = NUMBER.exec(query)?.[0];
  if (t === undefined) return -1;
  let w = t;
  if (/^0x/i.test(t)) w = `0x${t.slice(2).replaceAll('_', '').padStart(t.length - 2, '0')}`;
  else if (/^[\d_]+\.(?:[eE]|$)/.test(t)) w = `${t.replace('.', '')} `;
  if (w !== t) out.splice(i, t.length, ...w);
  return i + t.length;
}

const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\n' || c === '\r';
const isAlphaNumeric = (c: string | undefined) => c !== undefined && /^[a-zA-Z0-9_]$/.test(c);

/**
 * lexDuration from `i` (after "[" and its spaces): scanNumber, then acceptRemainingDuration. Returns the index
 * after the duration (or after a number, which Prometheus 2.54 and 3 read as seconds), or the lexer's error.
 */
function lexDuration(query: string, i: number, out: string[]): number | string {
  // A number alone is seconds since Prometheus 2.54 (lexNumberOrDuration tries scanNumber first), as in 3.
  const number = numberAt(query, i, out);
  if (number >= 0) return number;
  let j = i;
  const run = (set: string) => {
    while (j < query.length && set.includes(query[j])) j++;
  };
  let digits = '0123456789';
  if (query[j] === '0') {
    j++;
    if (query[j] === 'x' || query[j] === 'X') {
      j++;
      digits += 'abcdefABCDEF';
    }
  }
  run(digits);
  if (query[j] === '.') {
    j++;
    run(digits);
  }
  if (query[j] === 'e' || query[j] === 'E') {
    j++;
    if (query[j] === '+' || query[j] === '-') j++;
    run('0123456789');
  }
  if (!isAlphaNumeric(query[j])) return /\d/.test(query.slice(i, j)) ? j : 'missing unit character in duration';
  const bad = (end: number) => `bad duration syntax: ${JSON.stringify(query.slice(i, end))}`;
  if (!'smhdwy'.includes(query[j])) return bad(j);
  j++;
  if (query[j] === 's') j++;
  while (/[0-9]/.test(query[j] ?? '')) {
    run('0123456789');
    if (!'smhdw'.includes(query[j] ?? '-')) return bad(j);
    j++;
    if (query[j] === 's') j++;
  }
  return isAlphaNumeric(query[j]) ? bad(j + 1) : j;
}

/**
 * Reads a bracket's inside from `i` (after "["), as lexDuration and then lexStatements do while a bracket is
 * open; returns the index after its "]", or -1 when it is left open. Writes the colon lexStatements emits for
 * a letter; stops writing where Prometheus' lexer would fail but for lexDuration's errors and an unterminated
 * string, which are problems, and leaves the rest to the grammar.
 */
function bracket(query: string, i: number, out: string[], problems: PromQLProblem[]): number {
  const n = query.length;
  let colon = false;
  let writing = true;
  while (isSpace(query[i])) i++;
  const d = lexDuration(query, i, out);
  if (typeof d === 'string') {
    problems.push({ column: i + 1, reason: d, invalid: true });
    return n;
  }
  i = d;
  while (i < n && query[i] !== ']') {
    const c = query[i];
    if (c === '#') i = comment(query, i, out);
    else if (c === '"' || c === "'" || c === '`') {
      const end = stringEnd(query, i);
      if (end < 0) {
        problems.push(unterminated(query, i));
        return n;
      }
      i = end;
    } else if (isSpace(c)) i++;
    else if (/[0-9]/.test(c)) {
      // A duration or number after the colon: a run of letters, digits and dots.
      const m = /[\w.]*/y;
      m.lastIndex = i;
      const end = numberAt(query, i, out);
      i = end >= 0 ? end : i + m.exec(query)![0].length;
    } else {
      if (!/[a-zA-Z_:]/.test(c) || colon) writing = false; // "unexpected colon" for a second one
      else if (writing && c !== ':') out[i] = ':';
      colon = true;
      i++;
    }
  }
  return i < n ? i + 1 : -1;
}
