/**
 * Control characters from user-supplied names, made visible wherever they are written: in messages, the
 * terminal, Markdown and XML. A key that holds a carriage return, a line feed or an escape sequence is shown
 * as \r, \n or \x1b, never acted on.
 */

// C0 controls, DEL, C1 controls, line/paragraph separators and bidirectional overrides.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
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
 * `text` on one line: each line break (\r\n, \r or \n) written \n, as quoted() writes it. For what must stay one
 * line and quotes the input's own text: a comment line of YAML written, a warning or an error about an imported file.
 */
export function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n');
}
