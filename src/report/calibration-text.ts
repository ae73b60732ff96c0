/** A calibration check or prediction in words and tables, for the terminal and the page. */
import type { CheckResult, CheckRow, FigureKey, Prediction, Resampling, Verdict } from '../calibrate/check.js';
import type { Range } from '../calibrate/resample.js';
import type { PoolFigures } from '../score/pools.js';
import { ms } from '../units/format.js';
import { textTable } from './table.js';

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** The prediction's error against the measurement: "+4.2%", or "-" when nothing was measured. */
export function relativeError(predicted: number, measured: number): string {
  return measured > 0 ? `${signed((predicted / measured - 1) * 100, 1)}%` : '-';
}

/** A difference of error rates in points: "+0.81 pt". */
export const points = (x: number): string => `${signed(x * 100, 2)} pt`;

/** "a to b" of a range, or "-" for none. */
export function spanText(r: Range | null, f: (x: number) => string): string {
  return r === null ? '-' : `${f(r.lo)} to ${f(r.hi)}`;
}

/** An error's range ("-8.1% to +12.0%", or points for error rates), "-" when it has none. */
export function errorRangeText(r: Range | null, k: FigureKey): string {
  return spanText(r, k === 'errorRate' ? points : (x) => `${signed(x * 100, 1)}%`);
}

/** A figure's verdict as a cell: yes, no, too few, or "-". */
export const verdictText = (v: Verdict | undefined): string => v ?? '-';

/** The figures of the tables, in order, with their labels. */
export const LATENCIES = [['meanMs', 'mean'], ['p50Ms', 'p50'], ['p95Ms', 'p95'], ['p99Ms', 'p99']] as const;

/** How the ranges were made, and what "within noise" means, as lines (or why there are none). */
export function resamplingLines(r: Resampling | { readonly none: string } | undefined, checked: boolean): string[] {
  if (r === undefined) return ['no ranges: the document was written before calibrate gave them'];
  const told = '"too few": fewer than 5 checked traces above that quantile, so they cannot tell it';
  if (!('resamples' in r)) return [`no ranges: ${r.none}`, ...(checked ? [told] : [])];
  const sets = [`the calibration's ${r.calibration.traces.toLocaleString('en-US')} traces in blocks of ${r.calibration.block}`];
  if (r.check) sets.push(`the checked ${r.check.traces.toLocaleString('en-US')} in blocks of ${r.check.block}`);
  const rate = r.rate.given ? 'at the rate given' : `at a rate drawn from its ${r.rate.rootSpans.toLocaleString('en-US')} root spans (give it with --check-rate when known)`;
  const lines = [`ranges: ${Math.round(r.range * 100)}% of ${r.resamples} resamples (${sets.join(', ')}), each calibrated again and run ${rate}`];
  if (checked) {
    lines.push('"within noise": the error\'s range holds 0, so the samples cannot tell the prediction from the measurement;');
    lines.push(`a right model still shows about one "no" in ten figures; many, or far out, mean it no longer describes them; ${told}`);
  }
  return lines;
}

/** What resamples that saturated a service say about the ranges, one warning each. */
export function saturationLines(r: Resampling | { readonly none: string } | undefined): string[] {
  if (r === undefined || !('resamples' in r)) return [];
  return [
    ...r.saturated.map((x) => `${x.service} is offered its capacity or more in ${x.resamples} of the ${r.resamples} resamples: there its queue grows ` +
      'for as long as the load lasts, and the upper ends of the ranges are that queue\'s, not a latency'),
    ...(r.saturatedPools ?? []).map((x) => `client-side pool ${x.pool} (${x.at}) is offered its limit or more in ${x.resamples} of the ${r.resamples} resamples: there the calls ` +
      `waiting for a slot grow for as long as the load lasts, and the upper ends of the ranges are that wait's (${x.pool.split(' -> ')[0]}'s, in no service's queue), not a latency`),
  ];
}

/**
 * Where the predicted run's calls waited for a slot of a client-side pool, one line per pool that made any wait: the
 * wait no service's queue holds, named as the scenario names the pool.
 */
export function poolWaitLines(pools: readonly PoolFigures[] | undefined): string[] {
  return (pools ?? []).filter((p) => p.waitedShare > 0).map((p) => `client-side pool ${p.pool} (${p.at}, limit ${p.limit}): ` +
    `${(p.waitedShare * 100).toFixed(1)}% of its calls waited for a slot, ${ms(p.meanWaitMs)} on average, ${p.meanWaiting.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 })} waiting on average (at most ${p.maxWaiting.toLocaleString('en-US')}); ` +
    `that wait is ${p.pool.split(' -> ')[0]}'s, in no service's queue`);
}

function checkRows(j: CheckRow): string[][] {
  const rows = LATENCIES.map(([k, label], i) => [
    i === 0 ? `${j.journey} (${j.measured.requests})` : '', label, j.measured[k].toFixed(1), j.predicted[k].toFixed(1), relativeError(j.predicted[k], j.measured[k]),
    errorRangeText(j.ranges?.error?.[k] ?? null, k), verdictText(j.withinNoise?.[k]),
  ]);
  rows.push(['', 'errors', `${(j.measured.errorRate * 100).toFixed(2)}%`, `${(j.predicted.errorRate * 100).toFixed(2)}%`, points(j.predicted.errorRate - j.measured.errorRate),
    errorRangeText(j.ranges?.error?.errorRate ?? null, 'errorRate'), verdictText(j.withinNoise?.errorRate)]);
  return rows;
}

/** The check's journeys as a terminal table. */
export function checkTable(check: CheckResult): string[] {
  const pct = Math.round(('resamples' in check.resampling ? check.resampling.range : 0.9) * 100);
  return textTable(['journey (traces)', 'figure', 'measured', 'predicted', 'error', `error: ${pct}% of resamples`, 'within noise'], check.journeys.flatMap(checkRows),
    ['left', 'left', 'right', 'right', 'right', 'right', 'left']);
}

/**
 * The upper end of an error rate none of n traces showed, at 95%: the exact one-sided bound 1 - 0.05^(1/n)
 * (Clopper-Pearson with no failure), which the rule of three, 3/n, approaches for large n; for one trace 3/n said
 * "under 300%".
 */
export const noneFailed = (n: number): string => `under ${((1 - Math.pow(0.05, 1 / n)) * 100).toFixed(2)}% (${n === 1 ? 'the one trace did not fail' : `none of ${n.toLocaleString('en-US')} traces failed`})`;

/** A prediction's journeys as a terminal table. */
export function predictionTable(p: Prediction): string[] {
  const ranged = 'resamples' in p.resampling;
  const pct = Math.round(('resamples' in p.resampling ? p.resampling.range : 0.9) * 100);
  const rows = p.journeys.flatMap((j) => {
    const r = j.ranges?.predicted;
    const errors = r?.errorRate && r.errorRate.hi === 0 && j.traces && j.traces.errors === 0 ? noneFailed(j.traces.count) : spanText(r?.errorRate ?? null, (x) => `${(x * 100).toFixed(2)}%`);
    return LATENCIES.map(([k, label], i) => [i === 0 ? j.journey : '', label, j.predicted[k].toFixed(1), ...(ranged ? [spanText(r?.[k] ?? null, (x) => x.toFixed(1))] : [])])
      .concat([['', 'errors', `${(j.predicted.errorRate * 100).toFixed(2)}%`, ...(ranged ? [errors] : [])]]);
  });
  return textTable(['journey', 'figure', 'predicted', ...(ranged ? [`${pct}% of resamples`] : [])], rows, ['left', 'left', 'right', 'right']);
}
