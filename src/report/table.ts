/** Plain-text tables for the terminal, through cli-table3 (loaded only by the commands that print tables). */
import Table from 'cli-table3';
import { inline } from './escape.js';

export type Align = 'left' | 'right';

/** A cell: one line, or a list of lines (a cell of several lines). */
export type Cell = string | readonly string[];

/**
 * A plain-text table without borders: a rule under the heading, two spaces between columns. Each line of a cell is
 * one line whatever its text holds: a line break, a tab or another control character in a name is written as its
 * escape (\n, \t, \u202e), so that no name adds a row or shifts a column.
 */
export function textTable(head: string[], rows: readonly Cell[][], align: Align[] = head.map((_, i) => (i === 0 ? 'left' : 'right'))): string[] {
  const t = new Table({
    head,
    colAligns: align,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '-', 'mid-mid': '  ', right: '', 'right-mid': '', middle: '  ',
    },
  });
  t.push(...rows.map((row) => row.map((c) => (typeof c === 'string' ? inline(c) : c.map(inline).join('\n')))));
  return t.toString().split('\n').map((l) => l.trimEnd());
}
