/**
 * Go templates in alerting rules' annotations, scanned for what Prometheus' parser refuses
 * (rulefmt testTemplateParsing: text/template with template.go's functions, after `{{$labels := .Labels}}`,
 * `{{$externalLabels := .ExternalLabels}}`, `{{$externalURL := .ExternalURL}}` and `{{$value := .Value}}`).
 * This is a scan of text/template's lexer and of the parser's checks that need no types, not the parser
 * itself (no npm package parses Go templates as Go does): an action left open, a string, raw string, character
 * constant or comment left open, a lone `}` or unbalanced parentheses in an action, `{{end}}` or `{{else}}`
 * with nothing to close, a second `{{else}}`, a block never closed, `if`/`range`/`with` without a value, a
 * `{{define}}` inside a control, `{{break}}`/`{{continue}}` outside a `{{range}}`, a function Prometheus 2.42
 * does not define and a variable not in scope (declared later, or by a control already ended). What it finds is a warning with its place; what
 * it misses, Prometheus still refuses.
 */

/** Go's text/template builtins and the functions of Prometheus 2.42's template.go (as promtool 2.42 accepts them). */
const FUNCTIONS = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper',
  'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'pathPrefix', 'externalURL', 'parseDuration', 'toTime', 'stripPort',
  'stripDomain',
]);
const KEYWORDS = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue', 'nil', 'true', 'false']);
const OPENS = new Set(['if', 'range', 'with', 'define', 'block']);
const DECLARED = ['$labels', '$externalLabels', '$externalURL', '$value'];

export interface TemplateProblem {
  /** 1-based, in the template's text. */
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

/** The first thing in a template that Prometheus' parser refuses, or null. */
export function templateProblem(text: string): TemplateProblem | null {
  const at = (offset: number, reason: string): TemplateProblem => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1, reason };
  };
  // text/template/parse: the variables in scope (a control's are dropped at its {{end}}, a {{define}} or {{block}}
  // starts with `$` alone) and the open controls, each with the variables before it and whether it had its {{else}}.
  interface Scope { readonly count: Map<string, number>; readonly log: string[] }
  const scopeOf = (names: readonly string[]): Scope => ({ count: new Map(names.map((n) => [n, 1])), log: [...names] });
  let scope = scopeOf(DECLARED);
  const declare = (name: string) => {
    scope.log.push(name);
    scope.count.set(name, (scope.count.get(name) ?? 0) + 1);
  };
  const blocks: { word: string; offset: number; mark: number; outer: Scope | null; elsed: boolean }[] = [];
  let i = 0;
  for (;;) {
    const open = text.indexOf('{{', i);
    if (open < 0) break;
    let p = open + 2;
    if (/^-[ \t\r\n]/.test(text.slice(p, p + 2))) p += 2;
    while (/[ \t\r\n]/.test(text[p] ?? '')) p++;
    if (text.startsWith('/*', p)) {
      const close = text.indexOf('*/', p + 2);
      if (close < 0) return at(open, 'unclosed comment');
      const after = /^(?:[ \t\r\n]+-)?\}\}/.exec(text.slice(close + 2));
      if (!after) return at(open, 'comment ends before closing delimiter');
      i = close + 2 + after[0].length;
      continue;
    }
    const words: { kind: 'word' | 'var' | 'other'; text: string; offset: number }[] = [];
    let depth = 0;
    let closed = false;
    while (p < text.length) {
      if (/^[ \t\r\n]+-\}\}/.test(text.slice(p)) || text.startsWith('}}', p)) {
        closed = true;
        i = text.indexOf('}}', p) + 2;
        break;
      }
      const c = text[p];
      if (/[ \t\r\n]/.test(c)) {
        p++;
      } else if (c === '"' || c === "'") {
        const start = p++;
        while (p < text.length && text[p] !== c && text[p] !== '\n') p += text[p] === '\\' ? 2 : 1;
        if (p >= text.length || text[p] === '\n') return at(start, c === '"' ? 'unterminated quoted string' : 'unterminated character constant');
        words.push({ kind: 'other', text: text.slice(start, ++p), offset: start });
      } else if (c === '`') {
        const end = text.indexOf('`', p + 1);
        if (end < 0) return at(p, 'unterminated raw quoted string');
        words.push({ kind: 'other', text: text.slice(p, end + 1), offset: p });
        p = end + 1;
      } else if (c === '(' || c === ')') {
        depth += c === '(' ? 1 : -1;
        if (depth < 0) return at(p, 'unexpected ")" in command');
        words.push({ kind: 'other', text: c, offset: p++ });
      } else if (c === '}') {
        return at(p, 'unexpected "}" in action (an action ends with "}}")');
      } else {
        const m = /^(\$[A-Za-z0-9_]*|[A-Za-z_][A-Za-z0-9_]*|\.?[A-Za-z0-9_.]+|:=|[^ \t\r\n"'`()}])/.exec(text.slice(p))!;
        const t = m[0];
        words.push({ kind: t.startsWith('$') ? 'var' : /^[A-Za-z_]/.test(t) ? 'word' : 'other', text: t, offset: p });
        p += t.length;
      }
    }
    if (!closed) return at(open, 'unclosed action');
    if (depth > 0) return at(open, 'unclosed left paren');
    const first = words[0];
    const top = blocks[blocks.length - 1];
    if (first?.kind === 'word' && (first.text === 'end' || first.text === 'else')) {
      if (!top || (first.text === 'else' && ['define', 'block'].includes(top.word))) return at(open, `unexpected {{${first.text}}}`);
      if (first.text === 'else' && top.elsed) return at(open, 'expected end; found {{else}}');
      if (first.text === 'else' && words[1]?.text !== 'if') top.elsed = true;
      if (first.text === 'end') {
        const { mark, outer } = blocks.pop()!;
        if (outer) scope = outer;
        for (; scope.log.length > mark; scope.log.pop()) scope.count.set(scope.log[scope.log.length - 1], scope.count.get(scope.log[scope.log.length - 1])! - 1);
      }
    } else if (first?.kind === 'word' && OPENS.has(first.text)) {
      if (words.length === 1 && ['if', 'range', 'with'].includes(first.text)) return at(open, `missing value for ${first.text}`);
      if (first.text === 'define' && top) return at(open, 'unexpected <define> in command');
      const definition = ['define', 'block'].includes(first.text);
      blocks.push({ word: first.text, offset: open, mark: scope.log.length, outer: definition ? scope : null, elsed: false });
      if (definition) scope = scopeOf(['$']);
    } else if (first?.kind === 'word' && (first.text === 'break' || first.text === 'continue')) {
      // parse.go: only inside a {{range}} of the same definition.
      const inner = blocks.slice(blocks.findLastIndex((b) => b.word === 'define' || b.word === 'block') + 1);
      if (!inner.some((b) => b.word === 'range')) return at(open, `{{${first.text}}} outside {{range}}`);
    }
    // What follows each variable, past the other variables of a declaration (`$i, $e := ...`).
    const after: (string | undefined)[] = [];
    for (let k = words.length - 1, next: string | undefined; k >= 0; k--) {
      after[k] = next;
      if (words[k].kind !== 'var' && words[k].text !== ',') next = words[k].text;
    }
    for (let k = 0; k < words.length; k++) {
      const w = words[k];
      if (w.kind === 'var') {
        const name = /^\$[A-Za-z0-9_]*/.exec(w.text)![0];
        // parse.go pipeline: `$x = ...` declares $x for the parser as `$x := ...` does (only execution needs it set).
        if (after[k] === ':=' || after[k] === '=') declare(name);
        else if (name !== '$' && !scope.count.get(name)) return at(w.offset, `undefined variable "${name}"`);
      } else if (w.kind === 'word' && !KEYWORDS.has(w.text)) {
        const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(w.text)![0];
        if (!FUNCTIONS.has(name)) return at(w.offset, `function "${name}" not defined`);
      }
    }
  }
  if (blocks.length) return at(blocks[blocks.length - 1].offset, `{{${blocks[blocks.length - 1].word}}} is never closed by {{end}} (unexpected EOF)`);
  return null;
}
