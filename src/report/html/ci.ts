/** The index page of a CI run's HTML reports: every case's verdict, users hurt, time to detect, and the trend. */
import { baselineCase, caseName, type CiCase, type CiReport } from '../../score/ci.js';
import { budget, duration, plural } from '../../units/format.js';
import { statusLabel } from '../ci-terminal.js';
import { caseCaveat, caseCounts, caseHeadlines, caseNotes, caseVerdict, caveatSentence, criterionLine } from '../vocabulary.js';
import { escape, htmlPage, verdictHtml, type Chart, type PageOptions } from './page.js';
import { countEncoding } from './style.js';

/** A file name for a case's page: letters, digits and dashes only, whatever the scenario calls itself. */
export function pageName(c: Pick<CiCase, 'scenario' | 'case'>): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'scenario';
  return `${safe(c.scenario)}${c.case ? `--${safe(c.case)}` : ''}.html`;
}

const usersHurt = (c: Pick<CiCase, 'flags'>) => Object.values(c.flags).reduce((s, f) => s + f.blast_radius_users, 0);
const slowest = (c: Pick<CiCase, 'flags'>) => {
  const t = Object.values(c.flags).map((f) => f.time_to_detect_seconds).filter((x): x is number => x !== null);
  return t.length ? Math.max(...t) : null;
};

/** "24 → 30 users" against the baseline's case, or nothing without one. */
function trend(c: CiCase, base: CiCase | undefined): string {
  if (!base) return '';
  const parts: string[] = [];
  const was = usersHurt(base), now = usersHurt(c);
  parts.push(was === now ? `users hurt unchanged (${now})` : `users hurt ${was} → ${now} ${now > was ? '▲' : '▼'}`);
  const tw = slowest(base), tn = slowest(c);
  if (tw !== tn) parts.push(`detection ${duration(tw)} → ${duration(tn)}${tw !== null && tn !== null ? ` ${tn > tw ? '▲' : '▼'}` : ''}`);
  if (base.status !== c.status) parts.push(`was ${escape(statusLabel(base.status))}`);
  return parts.join('<br>');
}

export function ciIndexHtml(report: CiReport, baseline: CiReport | null = null, options: PageOptions = {}): string {
  const baseOf = (c: CiCase) => (baseline ? baselineCase(baseline, c) : undefined);
  const rows = report.cases.map((c) => {
    const name = escape(caseName(c));
    const link = c.page ? `<a href="${escape(encodeURI(c.page))}">${name}</a>` : name;
    const caveat = caseCaveat(c);
    const happened = `${caseHeadlines(c).map(escape).join('<br>') || '-'}${caveat ? `<p class="warning caveat">${escape(caveatSentence(caveat))}</p>` : ''}`;
    const detect = Object.entries(c.flags).map(([k, f]) => `${escape(k)}: ${f.time_to_detect_seconds !== null ? escape(duration(f.time_to_detect_seconds)) : f.defective ? 'never' : '-'}`).join('<br>') || '-';
    const notes = [...c.acceptance.map((a) => escape(criterionLine(a))), ...caseNotes(c).map(escape), ...(c.regressions.length ? [`worse than the baseline: ${c.regressions.map(escape).join('; ')}`] : [])].join('<br>');
    return `<tr>${verdictHtml(caseVerdict(c.status))}<td>${link}</td><td>${happened}</td><td>${detect}</td>`
      + `<td class="num">${c.errorBudgetBurned === null ? '-' : escape(budget(c.errorBudgetBurned))}</td>${baseline ? `<td>${trend(c, baseOf(c))}</td>` : ''}<td>${notes}</td></tr>`;
  }).join('');
  const ran = report.cases.filter((c) => c.status === 'passed' || c.status === 'failed' || c.status === 'no-criteria');
  const points = ran.flatMap((c) => {
    const b = baseOf(c);
    return [{ rehearsal: caseName(c), run: 'this run', users: usersHurt(c) }, ...(b ? [{ rehearsal: caseName(c), run: 'baseline', users: usersHurt(b) }] : [])];
  });
  // Rehearsals hurt from none to thousands: a log-like axis always, with whole-number ticks.
  const count = countEncoding(points.map((p) => p.users), true);
  const charts: Chart[] = ran.length ? [{
    title: baseline ? 'Users hurt per rehearsal: this run against the baseline' : 'Users hurt per rehearsal',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: Math.max(120, 22 * ran.length),
      data: { values: points },
      layer: [
        ...(baseline ? [{
          mark: { type: 'rule', color: '#9e9e9e' },
          transform: [{ pivot: 'run', value: 'users', groupby: ['rehearsal'] }, { filter: 'isValid(datum.baseline)' }],
          encoding: { y: { field: 'rehearsal', type: 'nominal', sort: null }, x: { field: 'baseline', type: 'quantitative' }, x2: { field: 'this run' } },
        }] : []),
        {
          mark: { type: 'point', filled: true, size: 80 },
          encoding: {
            y: { field: 'rehearsal', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } },
            x: { field: 'users', type: 'quantitative', title: 'users hurt (all flags, log-like axis)', scale: count.scale, axis: count.axis },
            shape: { field: 'run', type: 'nominal', title: null, scale: { domain: ['this run', 'baseline'], range: ['circle', 'diamond'] }, legend: baseline ? { orient: 'top' } : null },
            color: { field: 'run', type: 'nominal', title: null, scale: { domain: ['this run', 'baseline'], range: ['#1f3b73', '#9e9e9e'] }, legend: baseline ? { orient: 'top' } : null },
            tooltip: [{ field: 'rehearsal' }, { field: 'run' }, { field: 'users' }],
          },
        },
      ],
    },
  }] : [];
  const k = report.counts;
  const body = `
<h1>rehearse ci</h1>
<p class="meta">rehearse ${escape(report.version)}: ${escape(plural(k.cases, 'case'))}: ${escape(caseCounts(k))}${k.worse ? `; ${k.worse} worse than the baseline` : ''}${baseline ? `; compared with a baseline from rehearse ${escape(baseline.version)}` : ''}</p>
<p>${verdictHtml(report.passed ? 'pass' : 'fail', 'badge')}</p>
<table><thead><tr><th>result</th><th>rehearsal</th><th>what happened</th><th>time to detect</th><th>error budget</th>${baseline ? '<th>against the baseline</th>' : ''}<th>criteria and notes</th></tr></thead><tbody>${rows}</tbody></table>
${report.skipped?.length ? `<h2>Skipped: not scenarios</h2><ul>${report.skipped.map((s) => `<li><code>${escape(s.file)}</code>: ${escape(s.reason)}</li>`).join('')}</ul>` : ''}
${charts.length ? `<h2>${escape(charts[0].title)}</h2><chart-0/>` : ''}
`;
  return htmlPage('rehearse ci', body, charts, options);
}
