/**
 * The lexer of Go's text/template (golang/go src/text/template/parse/lex.go, as Go 1.19 has it: the Go
 * promtool 2.42 is built with), read lazily as the parser pulls items, so that an error comes out where Go's
 * parser meets it. Delimiters are `{{` and `}}`; comments are dropped.
 */

export type ItemType =
  | 'text' | 'left' | 'right' | 'space' | 'declare' | 'assign' | 'pipe' | 'string' | 'raw' | 'charConstant' | 'char'
  | 'variable' | 'field' | 'dot' | 'number' | 'complex' | 'bool' | 'nil' | 'identifier' | 'keyword' | 'lparen' | 'rparen' | 'eof'
  | 'error';

export interface Item {
  readonly t: ItemType;
  readonly v: string;
  /** Offset in the template. */
  readonly at: number;
}

/** A template Go's parser refuses: where and why. */
export class TemplateFailure extends Error {
  constructor(readonly at: number, readonly reason: string) {
    super(reason);
  }
}

const KEYWORDS = new Set(['block', 'break', 'continue', 'define', 'else', 'end', 'if', 'range', 'nil', 'template', 'with']);
const isSpace = (c: string | undefined) => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlphaNumeric = (c: string | undefined) => c !== undefined && /^[\p{L}\p{Nd}_]$/u.test(c);
/** Go's %#U of a character: U+0024 '$'. */
export const goRune = (c: string) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${c}'`;

export class TemplateLexer {
  private pos = 0;
  private inAction = false;
  private parenDepth = 0;
  private actionStart = 0;
  /** An error Go's lexer emits after the item before it (a right paren too many). */
  private pending: TemplateFailure | null = null;
  constructor(private readonly s: string) {}

  private fail(reason: string, at = this.pos): never {
    throw new TemplateFailure(at, reason);
  }

  /** At `}}` or ` -}}`: the length to skip, else 0. */
  private atRightDelim(): number {
    const s = this.s, p = this.pos;
    if (isSpace(s[p]) && s[p + 1] === '-' && s.startsWith('}}', p + 2)) return 4;
    return s.startsWith('}}', p) ? 2 : 0;
  }

  private atTerminator(): boolean {
    const c = this.s[this.pos];
    return c === undefined || isSpace(c) || '.,|:)('.includes(c) || this.s.startsWith('}}', this.pos);
  }

  /** The next item; an error is an item too (its value the message), after which there is only that error. */
  next(): Item {
    if (!this.pending) {
      try {
        return this.inAction ? this.insideAction() : this.text();
      } catch (e) {
        if (!(e instanceof TemplateFailure)) throw e;
        this.pending = e;
      }
    }
    return { t: 'error', v: this.pending.reason, at: this.pending.at };
  }

  private text(): Item {
    const s = this.s;
    for (;;) {
      const start = this.pos;
      const open = s.indexOf('{{', start);
      if (open < 0) {
        this.pos = s.length;
        return start < s.length ? { t: 'text', v: s.slice(start), at: start } : { t: 'eof', v: '', at: s.length };
      }
      if (open > start) {
        this.pos = open;
        return { t: 'text', v: s.slice(start, open), at: start };
      }
      // lexLeftDelim: a trim marker is "-" and a space; a comment starts right after the delimiter (and marker).
      let p = open + 2;
      if (s[p] === '-' && isSpace(s[p + 1])) p += 2;
      if (s.startsWith('/*', p)) {
        const close = s.indexOf('*/', p + 2);
        if (close < 0) this.fail('unclosed comment', open);
        this.pos = close + 2;
        const delim = this.atRightDelim();
        if (!delim) this.fail('comment ends before closing delimiter', open);
        this.pos += delim;
        continue;
      }
      this.pos = p;
      this.inAction = true;
      this.parenDepth = 0;
      this.actionStart = open;
      return { t: 'left', v: '{{', at: open };
    }
  }

  private insideAction(): Item {
    const s = this.s;
    const start = this.pos;
    const delim = this.atRightDelim();
    if (delim) {
      if (this.parenDepth !== 0) this.fail('unclosed left paren');
      this.pos += delim;
      this.inAction = false;
      return { t: 'right', v: '}}', at: start };
    }
    const c = s[this.pos];
    const item = (t: ItemType): Item => ({ t, v: s.slice(start, this.pos), at: start });
    if (c === undefined) this.fail('unclosed action', this.actionStart);
    this.pos++;
    if (isSpace(c)) {
      // lexSpace: stops before a right trim marker.
      while (isSpace(s[this.pos]) && !(s[this.pos + 1] === '-' && s.startsWith('}}', this.pos + 2))) this.pos++;
      return item('space');
    }
    switch (c) {
      case '=': return item('assign');
      case ':':
        if (s[this.pos++] !== '=') this.fail('expected :=');
        return item('declare');
      case '|': return item('pipe');
      case '"':
        for (;;) {
          const d = s[this.pos++];
          if (d === '\\' && s[this.pos] !== undefined && s[this.pos] !== '\n') this.pos++;
          else if (d === undefined || d === '\n' || d === '\\') this.fail('unterminated quoted string');
          else if (d === '"') return item('string');
        }
      case '`': {
        const end = s.indexOf('`', this.pos);
        if (end < 0) this.fail('unterminated raw quoted string');
        this.pos = end + 1;
        return item('raw');
      }
      case '$': return this.fieldOrVariable(start, 'variable');
      case "'":
        for (;;) {
          const d = s[this.pos++];
          if (d === '\\' && s[this.pos] !== undefined && s[this.pos] !== '\n') this.pos++;
          else if (d === undefined || d === '\n' || d === '\\') this.fail('unterminated character constant');
          else if (d === "'") return item('charConstant');
        }
      case '(':
        this.parenDepth++;
        return item('lparen');
      case ')':
        if (--this.parenDepth < 0) this.pending = new TemplateFailure(start, `unexpected right paren ${goRune(c)}`);
        return item('rparen');
    }
    if (c === '.' && !/[0-9]/.test(s[this.pos] ?? '')) return this.fieldOrVariable(start, 'field');
    if (c === '.' || c === '+' || c === '-' || /[0-9]/.test(c)) {
      this.pos = start;
      if (!this.scanNumber()) this.fail(`bad number syntax: ${JSON.stringify(s.slice(start, this.pos))}`);
      if (s[this.pos] === '+' || s[this.pos] === '-') {
        if (!this.scanNumber() || s[this.pos - 1] !== 'i') this.fail(`bad number syntax: ${JSON.stringify(s.slice(start, this.pos))}`);
        return item('complex');
      }
      return item('number');
    }
    if (isAlphaNumeric(c)) {
      while (isAlphaNumeric(s[this.pos])) this.pos++;
      if (!this.atTerminator()) this.fail(`bad character ${goRune(s[this.pos])}`);
      const word = s.slice(start, this.pos);
      return item(KEYWORDS.has(word) ? (word === 'nil' ? 'nil' : 'keyword') : word === 'true' || word === 'false' ? 'bool' : 'identifier');
    }
    if (c.charCodeAt(0) >= 0x20 && c.charCodeAt(0) < 0x7f) return item('char');
    this.fail(`unrecognized character in action: ${goRune(c)}`);
  }

  private fieldOrVariable(start: number, t: 'field' | 'variable'): Item {
    if (this.atTerminator()) return { t: t === 'variable' ? 'variable' : 'dot', v: this.s.slice(start, this.pos), at: start };
    while (isAlphaNumeric(this.s[this.pos])) this.pos++;
    if (!this.atTerminator()) this.fail(`bad character ${goRune(this.s[this.pos])}`);
    return { t, v: this.s.slice(start, this.pos), at: start };
  }

  /** lex.go scanNumber: not every number it takes is one (the parser checks), but what follows is no letter. */
  private scanNumber(): boolean {
    const s = this.s;
    const accept = (set: string) => (s[this.pos] !== undefined && set.includes(s[this.pos]) ? (this.pos++, true) : false);
    const run = (set: string) => {
      while (accept(set));
    };
    accept('+-');
    let digits = '0123456789_';
    if (accept('0')) {
      if (accept('xX')) digits = '0123456789abcdefABCDEF_';
      else if (accept('oO')) digits = '01234567_';
      else if (accept('bB')) digits = '01_';
    }
    run(digits);
    if (accept('.')) run(digits);
    if (digits.length === 11 && accept('eE')) {
      accept('+-');
      run('0123456789_');
    }
    if (digits.length === 23 && accept('pP')) {
      accept('+-');
      run('0123456789_');
    }
    accept('i');
    if (isAlphaNumeric(s[this.pos])) {
      this.pos++;
      return false;
    }
    return true;
  }
}
