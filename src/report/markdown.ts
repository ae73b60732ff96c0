/** A Markdown summary of a CI run, fit for a GitHub Actions step summary. */
import { caseName, type CiReport } from '../score/ci.js';
import { inline } from './escape.js';
import { budget, plural } from '../units/format.js';
import { ciCountsLine, statusLabel } from './ci-terminal.js';
import { caseCaveat, caseHeadlines, caseNotes, caveatSentence, criterionLine, verdictLabel } from './vocabulary.js';

/**
 * Text in a table cell or a list item, read as GitHub reads Markdown (GFM): one line, its line breaks and other control
 * characters written as escapes (\n, \u202e); backslash-escaped, a backslash, a pipe (a new column), a backtick (a
 * code span), * ~ and an _ not inside a word (emphasis; blast_radius_users stays as it is), and the ( of "](" (a link
 * or an image: the summary defines no reference, so brackets alone make none); <, > and & as entities, never HTML or
 * a character reference.
 */
const cell = (s: string) => inline(s).replace(/[\\`*~|]|(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, (c) => `\\${c}`).replace(/\]\(/g, ']\\(')
  .replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
/** Text as a code span: fenced by more backticks than it holds in a row (CommonMark 6.1), on one line; inside, < and & are text. */
const code = (s: string) => {
  const text = inline(s);
  const fence = '`'.repeat(Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length)) + 1);
  const pad = /^`|`$|^ .* $/.test(text) ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
};
/** Cells of several lines: each escaped, joined by <br>. */
const lines = (xs: string[]) => xs.map(cell).join('<br>') || '-';

export function markdownSummary(report: CiReport): string {
  const out = [
    `## rehearse ci: ${verdictLabel(report.passed ? 'pass' : 'fail')}`,
    '',
    `${cell(ciCountsLine(report))}.`,
    '',
    '| result | rehearsal | what happened | error budget | criteria |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const x of report.cases) {
    const criteria = [...x.acceptance.map(criterionLine), ...caseNotes(x)];
    const caveat = caseCaveat(x);
    const happened = [...caseHeadlines(x), ...(caveat ? [caveatSentence(caveat)] : [])];
    out.push(`| ${statusLabel(x.status)} | ${cell(caseName(x))} | ${lines(happened)} | ${x.errorBudgetBurned === null ? '-' : budget(x.errorBudgetBurned)} | ${lines(criteria)} |`);
  }
  const regressions = report.cases.filter((x) => x.regressions.length);
  if (regressions.length) {
    out.push('', '### Worse than the baseline', '');
    for (const x of regressions) out.push(`- **${cell(caseName(x))}**: ${x.regressions.map(cell).join('; ')}`);
  }
  if (report.skipped?.length) {
    out.push('', `### ${plural(report.skipped.length, 'file')} skipped (not scenarios)`, '');
    for (const s of report.skipped) out.push(`- ${code(s.file)}: ${cell(s.reason)}`);
  }
  return `${out.join('\n')}\n`;
}
