/** The terminal view of a CI run: each case as it finishes, then a table of every case and what happened. */
import { caseName, type CiCase, type CiReport } from '../score/ci.js';
import { duration, plural } from '../units/format.js';
import { inline } from './escape.js';
import { textTable } from './table.js';
import { LABEL_WIDTH, caseCaveat, caseCounts, caseHeadlines, caseNotes, caseVerdict, caveatLines, criterionLine, verdictLabel } from './vocabulary.js';

/** The verdict of a case, the same in the line per case and the table: "✔ PASS", "– NO CRITERIA"... */
export function statusLabel(status: CiReport['cases'][number]['status']): string {
  return verdictLabel(caseVerdict(status));
}

/** Names longer than this are cut with an ellipsis in the table (files keep them whole). */
export const TABLE_NAME_WIDTH = 60;

/** A name cut to `width` characters (code points), the last one an ellipsis when it was longer. */
export function ellipsis(name: string, width = TABLE_NAME_WIDTH): string {
  const chars = Array.from(name);
  return chars.length <= width ? name : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * What ci prints as a case finishes: its verdict, what happened to each flag, what a PASS rests on when the
 * ground truth shows harm beside it, each criterion, other messages.
 */
export function caseLines(c: CiCase): string[] {
  const indent = (s: string) => `    ${s.split('\n').join('\n    ')}`;
  const caveat = caseCaveat(c);
  return [
    `${statusLabel(c.status).padEnd(LABEL_WIDTH)}  ${inline(caseName(c))}  (${duration(c.seconds)})`,
    ...caseHeadlines(c).map(indent),
    ...(caveat ? caveatLines(caveat).map(indent) : []),
    ...c.acceptance.map((a) => indent(criterionLine(a))),
    ...caseNotes(c).map(indent),
  ];
}

/** The overall line: the run's verdict and the cases by verdict. */
export function ciCountsLine(doc: CiReport): string {
  const c = doc.counts;
  return `${verdictLabel(doc.passed ? 'pass' : 'fail')}: ${plural(c.cases, 'case')}: ${caseCounts(c)}${c.worse ? `; ${c.worse} worse than the baseline` : ''}`;
}

export function ciSummaryTable(doc: CiReport): string {
  const rows = doc.cases.map((c) => [
    statusLabel(c.status),
    ellipsis(caseName(c)),
    Object.keys(c.flags).length ? caseHeadlines({ flags: Object.fromEntries(Object.entries(c.flags).map(([k, f]) => [ellipsis(k), f])) }) : '-',
    c.regressions.length ? `${plural(c.regressions.length, 'outcome')} worse` : '',
  ]);
  // Under the table, each PASS the ground truth does not bear out, in the run report's words.
  const caveats = doc.cases.flatMap((c) => {
    const caveat = caseCaveat(c);
    return caveat ? ['', `${inline(caseName(c))}: ${statusLabel(c.status)}`, ...caveatLines(caveat).map((x) => `  ${x}`)] : [];
  });
  return [...textTable(['result', 'rehearsal', 'what happened', 'vs baseline'], rows, ['left', 'left', 'left', 'left']), ...caveats, '', ciCountsLine(doc)].join('\n');
}
