/** A Markdown summary of a CI run, fit for a GitHub Actions step summary. */
import { caseName, type CiReport } from '../score/ci.js';
import { escapeControls } from './escape.js';
import { budget, plural } from '../units/format.js';
import { ciCountsLine, statusLabel } from './ci-terminal.js';
import { caseCaveat, caseHeadlines, caseNotes, caveatSentence, criterionLine, verdictLabel } from './vocabulary.js';

const cell = (s: string) => escapeControls(s.replace(/\n/g, ' '), '\t').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');
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
    for (const s of report.skipped) out.push(`- \`${cell(s.file).replace(/`/g, '\\`')}\`: ${cell(s.reason)}`);
  }
  return `${out.join('\n')}\n`;
}
