/** The index page of a CI run's HTML reports. */
import { caseName, type CiCase, type CiReport } from '../../score/ci.js';
import { escape, htmlPage } from './page.js';

/** A file name for a case's page: letters, digits and dashes only, whatever the scenario calls itself. */
export function pageName(c: Pick<CiCase, 'scenario' | 'case'>): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'scenario';
  return `${safe(c.scenario)}${c.case ? `--${safe(c.case)}` : ''}.html`;
}

export function ciIndexHtml(report: CiReport): string {
  const rows = report.cases.map((c) => {
    const name = escape(caseName(c));
    const link = c.page ? `<a href="${escape(encodeURI(c.page))}">${name}</a>` : name;
    const flags = Object.entries(c.flags).map(([k, f]) => `${escape(k)}: ${escape(f.outcome)} at ${f.final_percent}%, hurt ${f.blast_radius_users} users`).join('<br>');
    return `<tr><td class="${c.status === 'passed' || c.status === 'no-criteria' ? 'pass' : 'fail-cell'}">${escape(c.status)}</td><td>${link}</td><td>${flags}</td><td>${c.messages.map(escape).join('<br>')}${c.regressions.length ? `<br>worse than the baseline: ${c.regressions.map(escape).join('; ')}` : ''}</td></tr>`;
  }).join('');
  const k = report.counts;
  const body = `
<h1>rehearse ci</h1>
<p class="meta">rehearse ${escape(report.version)}: ${k.cases} cases, ${k.passed} passed, ${k.failed} failed, ${k.invalid} invalid, ${k.crashed} crashed</p>
<p><span class="verdict ${report.passed ? '' : 'fail'}">${report.passed ? 'PASSED' : 'FAILED'}</span></p>
<table><thead><tr><th>result</th><th>rehearsal</th><th>flags</th><th>notes</th></tr></thead><tbody>${rows}</tbody></table>
`;
  return htmlPage('rehearse ci', body, []);
}
