/**
 * A long warning on a terminal: wrapped at the terminal's width, between words, each further line indented under
 * the first, so that file:line:column and the path stay first and the explanation reads below them. Piped or
 * written to a file, a warning stays one line (a line per warning, for grep and for the tests that read them).
 */

/** The continuation lines' indent: under "warning: ", as caveats indent their facts under the verdict. */
const INDENT = '    ';

/** `line` wrapped at `width` columns when it is a warning longer than that; any other line as it is. */
export function wrapWarning(line: string, width: number | null): string {
  if (width === null || !Number.isFinite(width) || width < 40 || !line.startsWith('warning: ') || line.includes('\n') || line.length <= width) return line;
  const lines: string[] = [];
  let current = '';
  for (const word of line.split(' ')) {
    const room = width - (lines.length ? INDENT.length : 0);
    if (current !== '' && current.length + 1 + word.length > room) {
      lines.push(current);
      current = word;
    } else current = current === '' ? word : `${current} ${word}`;
  }
  lines.push(current);
  return lines.map((l, i) => (i ? INDENT + l : l)).join('\n');
}

/** The width to wrap stderr's warnings at: the terminal's, or null when stderr is no terminal. */
export function terminalWidth(stream: { isTTY?: boolean; columns?: number } = process.stderr): number | null {
  return stream.isTTY === true && typeof stream.columns === 'number' ? stream.columns : null;
}
