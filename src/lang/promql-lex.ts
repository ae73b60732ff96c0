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
 *   reads ends at "\n" only, so a "\r" ending one is written as "\n". lexDuration reads right after `[` and its
 *   spaces: a comment there is "missing unit character in duration".
 */
import type { PromQLProblem } from './promql-signatures.js';

export interface Lexed {
  readonly text: string;
  /** The name at each column (0-based) that was written as another identifier. */
  readonly renamed: Map<number, string>;
  /** What Prometheus' parser refuses and the grammar would not. */
  readonly problems: PromQLProblem[];
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
    let j = i + 1;
    while (j < n && query[j] !== q) j += q !== '`' && query[j] === '\\' ? 2 : 1;
    i = j + 1;
  };
  while (i < n) {
    const c = query[i];
    if (c === '"' || c === "'" || c === '`') {
      skipString(c);
      operand = false;
    } else if (c === '#') {
      i = comment(query, i, out);
    } else if (c === '{') {
      // Label matchers: names, strings and comments.
      i++;
      while (i < n && query[i] !== '}') {
        if (query[i] === '"' || query[i] === "'" || query[i] === '`') skipString(query[i]);
        else if (query[i] === '#') i = comment(query, i, out);
        else i++;
      }
      i++;
      operand = false;
    } else if (c === '[') {
      i = bracket(query, i + 1, out, problems);
      operand = false;
    } else if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(query[i + 1] ?? ''))) {
      const m = /(?:\d*\.?\d*(?:[eE][+-]?\d+)?)\w*/y;
      m.lastIndex = i;
      const t = m.exec(query)![0];
      if (/^\d+\.(?:[eE][+-]?\d+)?$/.test(t) && query[i + t.length] !== '.') {
        const dot = t.indexOf('.');
        out.splice(i, t.length, ...(t.slice(0, dot) + t.slice(dot + 1) + ' '));
      }
      i += t.length;
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
      continue;
    } else if (c === '(') {
      parens.push(labels);
      operand = true;
      i++;
    } else if (c === ')') {
      operand = parens.pop() ?? false;
      i++;
    } else if (/\s/.test(c)) {
      i++;
      continue;
    } else {
      // , + - * / % ^ = ! < > @ and anything the grammar will refuse.
      operand = true;
      i++;
    }
    labels = false;
  }
  return { text: out.join(''), renamed, problems };
}

/** lexLineComment: from "#" to the end of its line (lex.go isEndOfLine: "\r" or "\n"), which is written "\n". */
function comment(query: string, i: number, out: string[]): number {
  while (i < query.length && query[i] !== '\n' && query[i] !== '\r') i++;
  if (query[i] === '\r') out[i] = '\n';
  return i;
}

/**
 * Reads a bracket's inside from `i` (after "["), as lexStatements does while a bracket is open; returns the index
 * after its "]" (or the end). Writes the colon lexStatements emits for a letter; stops writing where Prometheus'
 * lexer fails, and leaves the failure to the grammar, but for a comment where lexDuration expects a duration.
 */
function bracket(query: string, i: number, out: string[], problems: PromQLProblem[]): number {
  const n = query.length;
  let colon = false;
  let duration = false;
  let writing = true;
  while (i < n && /\s/.test(query[i])) i++;
  if (query[i] === '#') problems.push({ column: i + 1, reason: 'missing unit character in duration', invalid: true });
  while (i < n && query[i] !== ']') {
    const c = query[i];
    if (c === '#') i = comment(query, i, out);
    else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < n && query[j] !== c && query[j] !== '\n') j += c !== '`' && query[j] === '\\' ? 2 : 1;
      i = j + 1;
    } else if (/\s/.test(c)) i++;
    else if (/[0-9]/.test(c)) {
      // lexDuration (or a duration after the colon): a run of letters, digits and dots.
      const m = /[\w.]*/y;
      m.lastIndex = i;
      i += m.exec(query)![0].length;
      duration = true;
    } else {
      if (!duration || !/[a-zA-Z_:]/.test(c) || colon) writing = false; // "unexpected colon" for a second one
      else if (writing && c !== ':') out[i] = ':';
      colon = true;
      i++;
    }
  }
  return i < n ? i + 1 : n;
}
