/** A Markdown summary of a CI run, fit for a GitHub Actions step summary. */
import { caseName, type CiReport } from '../score/ci.js';
import { escapeControls } from './escape.js';
import { budget, caseMessages, duration, plural } from '../units/format.js';

const cell = (s: string) => escapeControls(s.replace(/\n/g, ' '), '\t').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function markdownSummary(report: CiReport): string {
  const c = report.counts;
  const lines = [
    `## rehearse: ${report.passed ? 'all rehearsals passed' : 'rehearsals failed'}`,
    '',
    `${plural(c.cases, 'case')}: ${c.passed} passed, ${c.failed} failed${c.invalid ? `, ${c.invalid} invalid` : ''}${c.crashed ? `, ${c.crashed} crashed` : ''}${c['no-criteria'] ? `, ${c['no-criteria']} with no criteria` : ''}${c.worse ? `; ${c.worse} worse than the baseline` : ''}.`,
    '',
    '| | rehearsal | flags | error budget | criteria |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const x of report.cases) {
    const icon = x.status === 'passed' ? '✅' : x.status === 'failed' ? '❌' : x.status === 'no-criteria' ? '➖' : '⚠️';
    const flags = Object.entries(x.flags).map(([k, f]) => `${k}: ${f.outcome} at ${f.final_percent}%, hurt ${plural(f.blast_radius_users, 'user')}${f.time_to_detect_seconds !== null ? `, detected after ${duration(f.time_to_detect_seconds)}` : ''}`).join('<br>');
    const criteria = x.status === 'passed' ? `${x.acceptance.length} passed` : x.status === 'no-criteria' ? 'no criteria' : caseMessages(x).join('<br>');
    lines.push(`| ${icon} | ${cell(caseName(x))} | ${cell(flags).replace(/&lt;br&gt;/g, '<br>')} | ${x.errorBudgetBurned === null ? '-' : budget(x.errorBudgetBurned)} | ${cell(criteria).replace(/&lt;br&gt;/g, '<br>')} |`);
  }
  const regressions = report.cases.filter((x) => x.regressions.length);
  if (regressions.length) {
    lines.push('', '### Worse than the baseline', '');
    for (const x of regressions) lines.push(`- **${cell(caseName(x))}**: ${x.regressions.map(cell).join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}
