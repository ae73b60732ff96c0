/**
 * Control characters from user-supplied names, made visible wherever they are written: in messages, the
 * terminal, Markdown and XML. A key that holds a carriage return, a line feed or an escape sequence is shown
 * as \r, \n or \x1b, never acted on.
 */

/**
 * What a terminal would act on or reorder, as a character class: C0 controls, DEL, C1 controls, the line and
 * paragraph separators, and the bidirectional formatting characters of Unicode's bidi algorithm (UAX #9): the
 * embeddings, overrides and isolates (U+202A to U+202E, U+2066 to U+2069) and the invisible marks (U+200E LRM, U+200F
 * RLM, U+061C ALM), with which a file name or a value shows its text in another order than the one it holds
 * ("Trojan Source", CVE-2021-42574). Each is shown as its escape wherever such text is written for people.
 */
export const CONTROL_CLASS = '\\x00-\\x1f\\x7f-\\x9f\\u061c\\u200e\\u200f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069';
/** The same past the C0 controls (which JSON.stringify escapes itself, and whose line feed is a JSON document's structure). */
export const PAST_C0_CLASS = CONTROL_CLASS.slice('\\x00-\\x1f'.length);
const CONTROL = new RegExp(`[${CONTROL_CLASS}]`, 'g');
const SHORT: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One character as a visible escape: \x1b, \x9b, \u202e. */
export function controlEscape(c: string): string {
  const n = c.charCodeAt(0);
  return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
}

/** `text` with every control character escaped, except those in `keep` (e.g. '\t\n' where they are structure). */
export function escapeControls(text: string, keep = ''): string {
  return text.replace(CONTROL, (c) => (keep.includes(c) ? c : controlEscape(c)));
}

/** A name or value from input, in double quotes, as a message shows it: quotes and backslashes escaped, \n, \r, \t and other controls visible. */
export function quoted(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`).replace(CONTROL, (c) => SHORT[c] ?? controlEscape(c))}"`;
}

/**
 * A name or value from input inside a line written for people (a report's table cell, a line of a summary): every
 * control character as quoted() writes it (\n, \r, \t, \x1b, \u202e), without quotes. A name never starts a line,
 * moves the cursor or reorders the text around it; text without control characters is unchanged.
 */
export function inline(text: string): string {
  return text.replace(CONTROL, (c) => SHORT[c] ?? controlEscape(c));
}

/**
 * `text` on one line: each line break (\r\n, \r or \n) written \n, as quoted() writes it. For what must stay one
 * line and quotes the input's own text: a comment line of YAML written, a warning or an error about an imported file.
 */
export function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * A caret display under a text from input: `indent`, the text on one line (its controls escaped as quoted() writes
 * them, a tab as \t), then a caret under the character at `column` (1-based) of the text as it was given. A tab kept
 * as itself took a terminal's tab stop, eight columns or fewer, where the caret line below it counted one space.
 */
export function caretDisplay(source: string, column: number, indent: string): string {
  const shown = (s: string) => s.replace(CONTROL, (c) => SHORT[c] ?? controlEscape(c));
  return `${indent}${shown(source)}\n${indent}${' '.repeat(shown(source.slice(0, column - 1)).length)}^`;
}

/**
 * A message's own line breaks kept and those of the input it quotes written \n: the only message that spans lines
 * ends in a caret display (caretDisplay: "reason\n    source\n    ^"), whose two breaks are kept.
 */
export function messageOneLine(message: string): string {
  const display = /\n( +)[^\n]*\n\1 *\^$/.exec(message);
  return display ? `${oneLine(message.slice(0, display.index))}${display[0]}` : oneLine(message);
}

/** Names from input as a message lists them: each through quoted(), so a name holding ", " or a quote reads as one name. */
export function quotedList(names: Iterable<string>): string {
  return [...names].map(quoted).join(', ');
}
