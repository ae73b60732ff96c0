/**
 * The calibration check as a page: per journey the measured figures of the other traces beside the calibrated
 * model's prediction at their load, with the error of each; a chart of the quantiles; the fit per endpoint; and
 * what the calibration could not take from the traces. Every name comes from traces (user input): escaped.
 */
import type { CheckResult, CheckRow, FigureKey } from '../../calibrate/check.js';
import { figureTold, quantileTold } from '../../calibrate/told.js';
import { errorRangeText, points, poolWaitLines, relativeError, resamplingLines, saturationLines, verdictText } from '../calibration-text.js';
import { escape, htmlPage, type Chart, type PageOptions } from './page.js';

export { relativeError } from '../calibration-text.js';

const ms = (x: number) => x.toFixed(1);
const pct = (x: number) => `${(x * 100).toFixed(2)}%`;
const num = (x: string) => `<td class="num">${escape(x)}</td>`;

const FIGURES = [['meanMs', 'mean'], ['p50Ms', 'p50'], ['p95Ms', 'p95'], ['p99Ms', 'p99']] as const;

/** A figure's error range and whether it is within noise (documents made before ranges have none: "too few" still shows). */
function rangeCells(j: CheckRow, k: FigureKey): string {
  const v = j.withinNoise?.[k] ?? (figureTold(k, j.measured.requests) ? null : 'too few');
  return `${num(errorRangeText(j.ranges?.error?.[k] ?? null, k))}<td class="${v === 'no' ? 'warning' : ''}">${escape(verdictText(v))}</td>`;
}

function journeyRows(doc: CheckResult): string {
  return doc.journeys.map((j) => {
    const rows = FIGURES.map(([k, label], i) => `<tr>${i === 0 ? `<td rowspan="5">${escape(j.journey)}<br><span class="meta">${j.measured.requests.toLocaleString('en-US')} traces; ${j.predicted.requests.toLocaleString('en-US')} simulated</span></td>` : ''}`
      + `<td>${label} (ms)</td>${num(ms(j.measured[k]))}${num(ms(j.predicted[k]))}${num(relativeError(j.predicted[k], j.measured[k]))}${rangeCells(j, k)}</tr>`);
    rows.push(`<tr><td>error rate</td>${num(pct(j.measured.errorRate))}${num(pct(j.predicted.errorRate))}${num(points(j.predicted.errorRate - j.measured.errorRate))}${rangeCells(j, 'errorRate')}</tr>`);
    return rows.join('');
  }).join('');
}

/** Whether an endpoint's spans can tell a quantile (the mean: 0): see told.ts. */
const told = quantileTold;

function endpointRows(doc: CheckResult): string {
  return doc.endpoints.map((e) => {
    const p = e.predicted;
    const cells = p === null
      ? '<td colspan="6">not in the calibrated scenario</td>'
      : `${num(ms(e.measured.meanMs))}${num(ms(p.meanMs))}${num(told(0, e.measured.spans) ? relativeError(p.meanMs, e.measured.meanMs) : 'too few')}`
        + `${num(ms(e.measured.p99Ms))}${num(ms(p.p99Ms))}${num(told(0.99, e.measured.spans) ? relativeError(p.p99Ms, e.measured.p99Ms) : 'too few')}`;
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
${doc.files ? `<p class="meta">Calibrated from ${escape(doc.files.calibration.join(', '))}; checked against ${escape(doc.files.checked.join(', '))}.</p>` : ''}
<h2>Per journey</h2>
<table><thead><tr><th>journey</th><th>figure</th><th>measured</th><th>predicted</th><th>error</th><th>error: 90% of resamples</th><th>within noise</th></tr></thead><tbody>${journeyRows(doc)}</tbody></table>
${((lines) => [lines[0], lines.slice(1).join(' ')].filter((l) => l).map((l) => `<p class="meta">${escape(l)}</p>`).join(''))(resamplingLines(doc.resampling, true))}
${saturationLines(doc.resampling).map((l) => `<p class="warning">${escape(l)}</p>`).join('')}
${poolWaitLines(doc.pools).map((l) => `<p>${escape(l)}</p>`).join('')}
${charts.length ? `<h2>${escape(charts[0].title)}</h2><p class="caption">${escape(charts[0].caption ?? '')}</p><chart-0/>` : ''}
<h2>Fit per endpoint</h2>
<table><thead><tr><th>service</th><th>endpoint</th><th>spans</th><th>mean measured</th><th>mean predicted</th><th>error</th><th>p99 measured</th><th>p99 predicted</th><th>error</th></tr></thead><tbody>${endpointRows(doc)}</tbody></table>
<h2>What could not be inferred</h2>
<table><thead><tr><th>service</th><th>capacity</th><th>workers</th><th>evidence</th></tr></thead><tbody>${capacities}</tbody></table>
${warnings.length ? `<ul>${warnings.map((w) => `<li class="warning">${escape(w)}</li>`).join('')}</ul>` : '<p>No warnings from calibration.</p>'}
`;
  return htmlPage('rehearse calibration check', body, charts, options);
}
