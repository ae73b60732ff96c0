/** Plain-text tables for the terminal, through cli-table3 (loaded only by the commands that print tables). */
import Table from 'cli-table3';

export type Align = 'left' | 'right';

/** A plain-text table without borders: a rule under the heading, two spaces between columns. */
export function textTable(head: string[], rows: string[][], align: Align[] = head.map((_, i) => (i === 0 ? 'left' : 'right'))): string[] {
  const t = new Table({
    head,
    colAligns: align,
    style: { head: [], border: [], compact: true, 'padding-left': 0, 'padding-right': 0 },
    chars: {
      top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
      left: '', 'left-mid': '', mid: '-', 'mid-mid': '  ', right: '', 'right-mid': '', middle: '  ',
    },
  });
  t.push(...rows);
  return t.toString().split('\n').map((l) => l.trimEnd());
}
