/**
 * Go templates in alerting rules' annotations, parsed as Prometheus parses them (rulefmt testTemplateParsing:
 * text/template with template.go's functions, after `{{$labels := .Labels}}`, `{{$externalLabels :=
 * .ExternalLabels}}`, `{{$externalURL := .ExternalURL}}` and `{{$value := .Value}}`). No npm package parses Go
 * templates as Go does; this follows golang/go src/text/template/parse/parse.go (Go 1.19.8 builds promtool 2.42):
 * its lexer (template-lexer.ts), pipelines with their declarations, commands and operands, the controls with
 * their {{else}} and {{end}}, {{define}}, {{block}}, {{template}}, {{break}} and {{continue}}, the functions
 * Prometheus 2.42 defines, the variables in scope, and numbers, strings and character constants as strconv
 * reads them. Controls are nested without recursion (a template may nest thousands deep).
 *
 * Two kinds of problem: a name a later Prometheus supplies that 2.42 lacks (a function template.go does not
 * define, and `{{else with}}`, which Go 1.23's parse.go reads and 1.19's refuses) is refused by promtool 2.42 but
 * read by a Prometheus that has it; anything else parse.go refuses (an unclosed action, a bad pipeline, a bad
 * token, a variable not in scope) is a syntax error in every Prometheus. A variable is one: rulefmt has declared
 * the same four since it first parsed templates (model/rulefmt/rulefmt.go testTemplateParsing: v2.42.0, v3.0.0,
 * v3.9.1 and prometheus@d15adb9a alike), so `{{ $label.foo }}` (cmd/promtool/testdata/rules-bad.yml) fails them
 * all. The first problem is what promtool 2.42 says; the parse goes on past names to find the first syntax error,
 * as a Prometheus that has them would.
 */
import { TemplateFailure, TemplateLexer, type Item } from './template-lexer.js';

/** Go's text/template builtins and the functions of Prometheus 2.42's template.go (as promtool 2.42 accepts them). */
const FUNCTIONS = new Set([
  'and', 'call', 'html', 'index', 'slice', 'js', 'len', 'not', 'or', 'print', 'printf', 'println', 'urlquery',
  'eq', 'ge', 'gt', 'le', 'lt', 'ne',
  'query', 'first', 'label', 'value', 'strvalue', 'args', 'reReplaceAll', 'safeHtml', 'match', 'title', 'toUpper',
  'toLower', 'graphLink', 'tableLink', 'sortByLabel', 'humanize', 'humanize1024', 'humanizeDuration',
  'humanizePercentage', 'humanizeTimestamp', 'pathPrefix', 'externalURL', 'parseDuration', 'toTime', 'stripPort',
  'stripDomain',
]);
const DECLARED = ['$labels', '$externalLabels', '$externalURL', '$value'];


export interface TemplatePlace {
  /** 1-based, in the template's text. */
  readonly line: number;
  readonly column: number;
  readonly reason: string;
}

export interface TemplateProblem extends TemplatePlace {
  /** The first syntax error, which every Prometheus refuses (this problem or a later one), or null when only
   * names that a later Prometheus may supply are missing. */
  readonly syntax: TemplatePlace | null;
}

/** An item as parse.go names it in "unexpected ...": keywords in angle brackets, long values cut at 10. */
function itemString(i: Item): string {
  if (i.t === 'eof') return 'EOF';
  if (i.t === 'keyword' || i.t === 'nil' || i.t === 'dot') return `<${i.v}>`;
  const chars = [...i.v];
  return chars.length > 10 ? `${JSON.stringify(chars.slice(0, 10).join(''))}...` : JSON.stringify(i.v);
}

/** Escapes strconv.Unquote takes in a quoted string (quote '"') or a character constant (quote "'"). */
const ESCAPE = /\\(?:[abfnrtv\\]|[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/y;
function unquotes(body: string, quote: string): number | null {
  let n = 0;
  for (let i = 0; i < body.length; n++) {
    if (body[i] !== '\\') {
      i += body.codePointAt(i)! > 0xffff ? 2 : 1;
      continue;
    }
    if (body[i + 1] === quote) {
      i += 2;
      continue;
    }
    ESCAPE.lastIndex = i;
    const m = ESCAPE.exec(body);
    if (!m) return null;
    const hex = /^\\[uU]/.test(m[0]) ? parseInt(m[0].slice(2), 16) : /^\\[0-7]/.test(m[0]) ? parseInt(m[0].slice(1), 8) : 0;
    if (hex > 0x10ffff || (hex >= 0xd800 && hex < 0xe000) || (/^\\[0-7]/.test(m[0]) && hex > 255)) return null;
    i += m[0].length;
  }
  return n;
}

const DIGITS = '(?:\\d(?:_?\\d)*)';
const GO_NUMBER = new RegExp(`^[+-]?(?:0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|0(?:_?[0-7])*|[1-9](?:_?\\d)*`
  + `|(?:${DIGITS}\\.${DIGITS}?|${DIGITS}?\\.${DIGITS}|${DIGITS})(?:[eE][+-]?${DIGITS})?`
  + `|0[xX](?:_?[0-9a-fA-F])*(?:\\.(?:[0-9a-fA-F](?:_?[0-9a-fA-F])*)?)?[pP][+-]?${DIGITS})i?$`);

/** parse.go newNumber: a number literal or a character constant strconv reads whole, else the error. */
function numberProblem(i: Item): string | null {
  if (i.t === 'charConstant') {
    const n = unquotes(i.v.slice(1, -1), "'");
    return n === 1 ? null : n === null || n === 0 ? 'invalid syntax' : `malformed character constant: ${i.v}`;
  }
  if (i.t === 'complex') return null;
  return GO_NUMBER.test(i.v) ? null : `illegal number syntax: ${JSON.stringify(i.v)}`;
}

type Node = 'bool' | 'dot' | 'nil' | 'number' | 'string' | 'field' | 'variable' | 'identifier' | 'chain' | 'pipeline';
interface Frame { readonly word: string; readonly offset: number; readonly mark: number; readonly outer: Scope | null; elsed: boolean }
interface Scope { readonly count: Map<string, number>; readonly log: string[] }

/** The first thing in a template that Prometheus 2.42's parser refuses, with the first syntax error; or null. */
export function templateProblem(text: string): TemplateProblem | null {
  const at = (offset: number, reason: string): TemplatePlace => {
    const before = text.slice(0, offset).split('\n');
    return { line: before.length, column: before[before.length - 1].length + 1, reason };
  };
  // The first name 2.42 lacks: the parse goes on as if it had it.
  let missing: TemplatePlace | null = null;
  const lacks = (i: Item, reason: string) => void (missing ??= at(i.at, reason));
  const result = (syntax: TemplatePlace | null): TemplateProblem | null => {
    // Go's parse stops at the first problem it meets: a name found missing was met before any later failure.
    const first = missing ?? syntax;
    return first ? { ...first, syntax } : null;
  };
  const lexer = new TemplateLexer(text);
  const items: Item[] = [];
  let k = 0;
  const next = (): Item => {
    if (k === items.length) items.push(lexer.next());
    return items[k++];
  };
  const backup = (n = 1) => void (k -= n);
  const peek = () => {
    const i = next();
    backup();
    return i;
  };
  const nextNonSpace = () => {
    let i = next();
    while (i.t === 'space') i = next();
    return i;
  };
  const peekNonSpace = () => {
    const i = nextNonSpace();
    backup();
    return i;
  };
  const fail = (i: Item | number, reason: string): never => {
    throw new TemplateFailure(typeof i === 'number' ? i : i.at, reason);
  };
  // parse.go unexpected: a lexer's error item is reported as itself.
  const unexpected = (i: Item, context: string): never => fail(i, i.t === 'error' ? i.v : `unexpected ${itemString(i)} in ${context}`);
  const expectRight = (context: string) => {
    const i = nextNonSpace();
    if (i.t !== 'right') unexpected(i, context);
  };

  // The variables in scope (a control's are dropped at its {{end}}, a {{define}} or {{block}} starts with `$`
  // alone) and the open controls.
  const scopeOf = (names: readonly string[]): Scope => ({ count: new Map(names.map((n) => [n, 1])), log: [...names] });
  let scope = scopeOf(['$', ...DECLARED]);
  const declare = (name: string) => {
    scope.log.push(name);
    scope.count.set(name, (scope.count.get(name) ?? 0) + 1);
  };
  const frames: Frame[] = [];

  const term = (): Node | null => {
    const i = nextNonSpace();
    switch (i.t) {
      case 'identifier':
        if (!FUNCTIONS.has(i.v)) lacks(i, `function ${JSON.stringify(i.v)} not defined`);
        return 'identifier';
      case 'dot': return 'dot';
      case 'nil': return 'nil';
      case 'variable':
        if (!scope.count.get(i.v)) fail(i, `undefined variable ${JSON.stringify(i.v)}`);
        return 'variable';
      case 'field': return 'field';
      case 'bool': return 'bool';
      case 'charConstant': case 'complex': case 'number': {
        const bad = numberProblem(i);
        if (bad) fail(i, bad);
        return 'number';
      }
      case 'lparen': pipeline('parenthesized pipeline', 'rparen'); return 'pipeline';
      case 'string':
        if (unquotes(i.v.slice(1, -1), '"') === null) fail(i, 'invalid syntax');
        return 'string';
      case 'raw': return 'string';
      default: backup(); return null;
    }
  };
  const operand = (): Node | null => {
    const node = term();
    if (node === null || peek().t !== 'field') return node;
    const termItem = items[k - 1];
    while (peek().t === 'field') next();
    if (['bool', 'string', 'number', 'nil', 'dot'].includes(node)) fail(termItem, `unexpected . after term ${JSON.stringify(termItem.v)}`);
    return node === 'field' || node === 'variable' ? node : 'chain';
  };
  /** parse.go command: operands up to a pipe, a right delimiter or a right paren; its first operand. */
  const command = (): Node => {
    let first: Node | null = null;
    for (;;) {
      peekNonSpace();
      const o = operand();
      first ??= o;
      const i = next();
      if (i.t === 'space') continue;
      if (i.t === 'right' || i.t === 'rparen') backup();
      else if (i.t !== 'pipe') unexpected(i, 'operand');
      break;
    }
    if (first === null) fail(items[k - 1], 'empty command');
    return first!;
  };
  const STARTS = new Set(['bool', 'charConstant', 'complex', 'dot', 'field', 'identifier', 'number', 'nil', 'raw', 'string', 'variable', 'lparen']);
  /** parse.go pipeline: declarations, then commands up to `end`. */
  const pipeline = (context: string, end: 'right' | 'rparen'): void => {
    for (let decls = 0; ;) {
      const v = peekNonSpace();
      if (v.t !== 'variable') break;
      nextNonSpace();
      const after = peek();
      const n = peekNonSpace();
      if (n.t === 'assign' || n.t === 'declare') {
        nextNonSpace();
        declare(v.v);
      } else if (n.t === 'char' && n.v === ',') {
        nextNonSpace();
        declare(v.v);
        if (context === 'range' && ++decls < 2) {
          const t = peekNonSpace().t;
          if (t === 'variable' || t === 'right' || t === 'rparen') continue;
          fail(n, 'range can only initialize variables');
        }
        fail(n, `too many declarations in ${context}`);
      } else if (after.t === 'space') {
        k = items.lastIndexOf(v, k);
      } else backup();
      break;
    }
    const cmds: Node[] = [];
    for (;;) {
      const i = nextNonSpace();
      if (i.t === end) break;
      if (!STARTS.has(i.t)) unexpected(i, context);
      backup();
      cmds.push(command());
    }
    if (!cmds.length) fail(items[k - 1], `missing value for ${context}`);
    cmds.slice(1).forEach((c, n) => {
      if (['bool', 'dot', 'nil', 'number', 'string'].includes(c)) fail(items[k - 1], `non executable command in pipeline stage ${n + 2}`);
    });
  };
  /** parse.go parseTemplateName: a string strconv.Unquote reads. */
  const templateName = (context: string) => {
    const i = nextNonSpace();
    if (i.t !== 'string' && i.t !== 'raw') unexpected(i, context);
    if (i.t === 'string' && unquotes(i.v.slice(1, -1), '"') === null) fail(i, 'invalid syntax');
  };
  /** Inside a {{range}} of the same definition, before its {{else}}. */
  const inRange = () => {
    for (let f = frames.length - 1; f >= 0 && frames[f].outer === null; f--) if (frames[f].word === 'range' && !frames[f].elsed) return true;
    return false;
  };
  const open = (word: string, offset: number, definition: boolean) => {
    frames.push({ word, offset, mark: scope.log.length, outer: definition ? scope : null, elsed: false });
    if (definition) scope = scopeOf(['$']);
  };
  const closing = (f: Frame) => (f.word === 'define' ? 'define clause' : 'block clause');

  try {
    for (;;) {
      const item = next();
      if (item.t === 'eof') break;
      if (item.t === 'error') fail(item, item.v);
      if (item.t !== 'left') continue;
      const first = nextNonSpace();
      const top = frames[frames.length - 1];
      const word = first.t === 'keyword' ? first.v : null;
      if (word === 'define' && !top) {
        // parse.go parse: a definition only at the top of the template.
        templateName('define clause');
        expectRight('define clause');
        open('define', item.at, true);
      } else if (word === 'block') {
        templateName('block clause');
        pipeline('block clause', 'right');
        open('block', item.at, true);
      } else if (word === 'if' || word === 'range' || word === 'with') {
        const mark = scope.log.length;
        pipeline(word, 'right');
        frames.push({ word, offset: item.at, mark, outer: null, elsed: false });
      } else if (word === 'else') {
        // parse.go elseControl: `{{else if` continues an {{if}}; elsewhere the `if` is read as input. Go 1.23
        // reads `{{else with` alike in a {{with}} (1.19: "unexpected <with> in else").
        const elseIf = peekNonSpace().t === 'keyword' && peekNonSpace().v === 'if';
        const elseWith = peekNonSpace().t === 'keyword' && peekNonSpace().v === 'with' && top?.word === 'with' && !top.outer && !top.elsed;
        if (elseWith) {
          lacks(peekNonSpace(), 'unexpected <with> in else');
          nextNonSpace();
          pipeline('with', 'right');
          continue;
        }
        if (!elseIf) expectRight('else');
        if (!top) fail(item, 'unexpected {{else}}');
        if (top.outer) fail(item, `unexpected {{else}} in ${closing(top)}`);
        if (top.elsed) fail(item, 'expected end; found {{else}}');
        if (elseIf && top.word !== 'if') unexpected(nextNonSpace(), 'input');
        if (elseIf) {
          nextNonSpace();
          pipeline('if', 'right');
        } else top.elsed = true;
      } else if (word === 'end') {
        expectRight('end');
        if (!top) fail(item, 'unexpected {{end}}');
        const { mark, outer } = frames.pop()!;
        if (outer) scope = outer;
        for (; scope.log.length > mark; scope.log.pop()) scope.count.set(scope.log[scope.log.length - 1], scope.count.get(scope.log[scope.log.length - 1])! - 1);
      } else if (word === 'break' || word === 'continue') {
        const i = nextNonSpace();
        if (i.t !== 'right') unexpected(i, `{{${word}}}`);
        if (!inRange()) fail(item, `{{${word}}} outside {{range}}`);
      } else if (word === 'template') {
        templateName('template clause');
        if (nextNonSpace().t !== 'right') {
          backup();
          pipeline('template clause', 'right');
        }
      } else {
        backup();
        pipeline('command', 'right');
      }
    }
  } catch (e) {
    if (e instanceof TemplateFailure) return result(at(e.at, e.reason));
    throw e;
  }
  const last = frames[frames.length - 1];
  return result(last ? at(last.offset, `{{${last.word}}} is never closed by {{end}} (unexpected EOF)`) : null);
}
