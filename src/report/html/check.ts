/**
 * The calibration check as a page: per journey the measured figures of the other traces beside the calibrated
 * model's prediction at their load, with the error of each; a chart of the quantiles; the fit per endpoint; and
 * what the calibration could not take from the traces. Every name comes from traces (user input): escaped.
 */
import type { CheckResult, CheckRow, FigureKey } from '../../calibrate/check.js';
import { figureTold } from '../../calibrate/told.js';
import { rangeText, resamplingLine } from '../calibration-text.js';
import { escape, htmlPage, type Chart, type PageOptions } from './page.js';

/** The prediction's error against the measurement: "+4.2%", or "-" when nothing was measured. */
export function relativeError(predicted: number, measured: number): string {
  return measured > 0 ? `${predicted >= measured ? '+' : ''}${((predicted / measured - 1) * 100).toFixed(1)}%` : '-';
}

const ms = (x: number) => x.toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const points = (x: number) => `${x >= 0 ? '+' : ''}${(x * 100).toFixed(2)} pt`;
const num = (x: string) => `<td class="num">${escape(x)}</td>`;

const FIGURES = [['meanMs', 'mean'], ['p50Ms', 'p50'], ['p95Ms', 'p95'], ['p99Ms', 'p99']] as const;

/** A figure's error range and agreement cells, when the check has ranges (documents made before them have none). */
function rangeCells(doc: CheckResult, j: CheckRow, k: FigureKey): string {
  if (!ranged(doc)) return '';
  const [range, agree] = rangeText(j.ranges?.error?.[k] ?? null, k === 'errorRate' ? 'points' : 'relative', figureTold(k, j.measured.requests));
  return `${num(range)}<td class="${agree === 'no' ? 'warning' : ''}">${escape(agree)}</td>`;
}

const ranged = (doc: CheckResult) => doc.resampling !== undefined && 'resamples' in doc.resampling;

function journeyRows(doc: CheckResult): string {
  return doc.journeys.map((j) => {
    const rows = FIGURES.map(([k, label], i) => `<tr>${i === 0 ? `<td rowspan="5">${escape(j.journey)}<br><span class="meta">${j.measured.requests.toLocaleString('en-US')} traces; ${j.predicted.requests.toLocaleString('en-US')} simulated</span></td>` : ''}`
      + `<td>${label} (ms)</td>${num(ms(j.measured[k]))}${num(ms(j.predicted[k]))}${num(relativeError(j.predicted[k], j.measured[k]))}${rangeCells(doc, j, k)}</tr>`);
    rows.push(`<tr><td>error rate</td>${num(pct(j.measured.errorRate))}${num(pct(j.predicted.errorRate))}${num(points(j.predicted.errorRate - j.measured.errorRate))}${rangeCells(doc, j, 'errorRate')}</tr>`);
    return rows.join('');
  }).join('');
}

function endpointRows(doc: CheckResult): string {
  return doc.endpoints.map((e) => {
    const p = e.predicted;
    const cells = p === null
      ? '<td colspan="6">not in the calibrated scenario</td>'
      : `${num(ms(e.measured.meanMs))}${num(ms(p.meanMs))}${num(relativeError(p.meanMs, e.measured.meanMs))}${num(ms(e.measured.p99Ms))}${num(ms(p.p99Ms))}${num(relativeError(p.p99Ms, e.measured.p99Ms))}`;
    return `<tr><td>${escape(e.service)}</td><td>${escape(e.endpoint)}</td>${num(e.measured.spans.toLocaleString('en-US'))}${cells}</tr>`;
  }).join('');
}

function quantileChart(doc: CheckResult): Chart {
  const values = doc.journeys.flatMap((j) => FIGURES.flatMap(([k, label]) => [
    { journey: j.journey, figure: label, row: `${j.journey} ${label}`, side: 'measured', ms: j.measured[k], error: relativeError(j.predicted[k], j.measured[k]) },
    { journey: j.journey, figure: label, row: `${j.journey} ${label}`, side: 'predicted', ms: j.predicted[k], error: relativeError(j.predicted[k], j.measured[k]) },
  ]));
  return {
    title: 'Latency per journey: measured against predicted',
    caption: 'Each journey\'s mean and quantiles (ms), the other traces\' root spans beside the model run at their load.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: { step: 12 },
      data: { values },
      mark: { type: 'bar' },
      encoding: {
        y: { field: 'row', type: 'nominal', title: null, sort: null, axis: { labelLimit: 320 } },
        yOffset: { field: 'side', type: 'nominal', sort: ['measured', 'predicted'] },
        x: { field: 'ms', type: 'quantitative', title: 'latency (ms)' },
        color: { field: 'side', type: 'nominal', title: null, scale: { domain: ['measured', 'predicted'], range: ['#1f3b73', '#c2571a'] }, legend: { orient: 'top' } },
        tooltip: [{ field: 'journey' }, { field: 'figure' }, { field: 'side' }, { field: 'ms', format: '.1f' }, { field: 'error', title: 'prediction error' }],
      },
    },
  };
}

export function checkReportHtml(doc: CheckResult, options: PageOptions = {}): string {
  const charts = doc.journeys.length > 0 ? [quantileChart(doc)] : [];
  const capacities = doc.notes.capacities.map((c) => `<tr><td>${escape(c.service)}</td><td>${escape(c.capacity)}</td>`
    + `${num(c.concurrency === null ? 'unknown' : `${c.replicas ?? 1} x ${c.concurrency}`)}<td>${escape(c.evidence)}</td></tr>`).join('');
  const warnings = [...doc.notes.warnings, ...doc.missing.map((m) => `journey ${m} of the checked traces is not in the calibrated scenario`)];
  const body = `
<h1>rehearse calibration check</h1>
<p class="meta">The calibrated scenario run at the checked traces' rate, ${escape(doc.ratePerSec.toFixed(1))}/s, and compared with them: root spans on both sides for journeys, the callers' view on both sides for endpoints.</p>
<h2>Per journey</h2>
<table><thead><tr><th>journey</th><th>figure</th><th>measured</th><th>predicted</th><th>error</th>${ranged(doc) ? '<th>error: 90% of resamples</th><th>agree</th>' : ''}</tr></thead><tbody>${journeyRows(doc)}</tbody></table>
<p class="meta">${escape(doc.resampling === undefined ? 'no ranges: the document was written before calibrate gave them' : resamplingLine(doc.resampling))}</p>
${charts.length ? `<h2>${escape(charts[0].title)}</h2><p class="caption">${escape(charts[0].caption ?? '')}</p><chart-0/>` : ''}
<h2>Fit per endpoint</h2>
<table><thead><tr><th>service</th><th>endpoint</th><th>spans</th><th>mean measured</th><th>mean predicted</th><th>error</th><th>p99 measured</th><th>p99 predicted</th><th>error</th></tr></thead><tbody>${endpointRows(doc)}</tbody></table>
<h2>What could not be inferred</h2>
<table><thead><tr><th>service</th><th>capacity</th><th>workers</th><th>evidence</th></tr></thead><tbody>${capacities}</tbody></table>
${warnings.length ? `<ul>${warnings.map((w) => `<li class="warning">${escape(w)}</li>`).join('')}</ul>` : '<p>No warnings from calibration.</p>'}
`;
  return htmlPage('rehearse calibration check', body, charts, options);
}
