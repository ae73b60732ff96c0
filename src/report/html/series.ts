/**
 * The run report's series per window: each service's error rate and p99, with flag on against flag off beside
 * all calls, and per flag its journeys on against off. Flag on against off is like with like (the figures of
 * telemetry/splits.ts): within each journey, users served the flag against the others, pooled by weight.
 */
import type { RunResult } from '../../score/result.js';
import type { Chart } from './page.js';
import { clock, ms, percent } from '../../units/format.js';
import { LIMIT_MARK, MS, RATE, STATE_DASH, VL, minutes, sig } from './style.js';

/**
 * Where each window's figure is drawn: at the window's end, the moment its figures are all in, where the gates
 * read them (a reading at 1m00s is of the window 0m00s to 1m00s) and where the chart of the readings that decided
 * draws them. At the window's start, the same figure stood a window before its reading on the same page, and a
 * cumulative count reached each total before the harm it counts.
 */
export function windowEnds(r: Pick<RunResult, 'windows' | 'simulated'>): number[] {
  return r.windows.startSeconds.map((s) => minutes(Math.min(s + r.windows.seconds, r.simulated.seconds)));
}

export function serviceCharts(r: RunResult): Chart[] {
  const minuteOf = windowEnds(r);
  const limits = r.rollouts.length ? gateLimits(r) : [];
  const limitOf = (service: string, metric: string) => limits.find((l) => l.service === service && l.metric === metric)?.limit ?? null;
  const evaluates = (flag: string, service: string) => r.topology.flags.some((f) => f.key === flag && f.evaluatedBy.includes(service));
  // One record per line, its points as columns (flattened in the chart): a page carries numbers, not repeated keys.
  const lines = (field: 'errorRate' | 'p99') => Object.entries(r.windows.services).flatMap(([service, w]) => {
    const limit = limitOf(service, field === 'errorRate' ? 'rate' : 'p99');
    const rate = (errors: number[], requests: number[]) => requests.map((n, i) => (n > 0 ? sig(errors[i] / n) : null));
    const p99 = (values: number[], requests: number[]) => requests.map((n, i) => (n > 0 ? values[i] : null));
    const out = [{ service, series: 'all calls', state: 'all calls', limit, minute: minuteOf, value: field === 'errorRate' ? rate(w.errors, w.requests) : p99(w.p99Ms, w.requests) }];
    // Flag on against off on the panels of the services that evaluate the flag, like with like (null where a window has no comparison).
    for (const [flag, x] of Object.entries(w.flags ?? {})) {
      if (!evaluates(flag, service) || x.onErrorRate.filter((v, i) => v !== null && x.offErrorRate[i] !== null).length < 2) continue;
      const pick = (values: (number | null)[]) => values.map((v) => (v === null ? null : sig(v)));
      out.push(
        { service, series: `${flag} on`, state: 'flag on', limit, minute: minuteOf, value: pick(field === 'errorRate' ? x.onErrorRate : x.onP99Ms) },
        { service, series: `${flag} off`, state: 'flag off', limit, minute: minuteOf, value: pick(field === 'errorRate' ? x.offErrorRate : x.offP99Ms) },
      );
    }
    return out;
  });
  const columns = Math.min(3, Object.keys(r.windows.services).length);
  const panel = (field: 'errorRate' | 'p99', heading: string, title: string) => ({
    title: heading,
    spec: {
      $schema: VL,
      data: { values: lines(field) },
      transform: [{ flatten: ['minute', 'value'] }],
      facet: { field: 'service', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
      columns,
      spec: {
        width: columns === 1 ? 700 : columns === 2 ? 400 : 250, height: 120,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.value)' }],
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
              y: { field: 'value', type: 'quantitative', title, axis: field === 'errorRate' ? RATE : MS },
              color: { field: 'series', type: 'nominal', title: 'calls' },
              strokeDash: { field: 'state', type: 'nominal', title: 'line', scale: STATE_DASH },
            },
          },
          {
            // One row per service, also where no gate watches it (drawn at 0, unseen, with no tooltip): a facet cell
            // with no row here left vega an empty extent for its y scale ("Infinite extent for field limit").
            transform: [
              { aggregate: [{ op: 'max', field: 'limit', as: 'limit' }, { op: 'valid', field: 'limit', as: 'limits' }], groupby: ['service'] },
              { calculate: 'datum.limits > 0 ? datum.limit : 0', as: 'limit' },
            ],
            mark: LIMIT_MARK,
            encoding: {
              y: { field: 'limit', type: 'quantitative' },
              opacity: { condition: { test: 'datum.limits > 0', value: LIMIT_MARK.opacity }, value: 0 },
              tooltip: { condition: { test: 'datum.limits > 0', field: 'limit', type: 'quantitative', title: 'gate limit' }, value: null },
            },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
      config: { legend: { orient: 'bottom', columns: 4 } },
    },
  });
  return [
    panel('errorRate', 'Error rate per window and service: all calls (solid), flag on (dashed) and off (dotted); grey band: gate limit', 'error rate'),
    panel('p99', 'p99 latency per window and service: all calls (solid), flag on (dashed) and off (dotted); grey band: gate limit', 'p99 (ms)'),
  ];
}

/** Thresholds of the gates that watch a service: error-rate and p99 gates, drawn on its panels. */
function gateLimits(r: RunResult): { service: string; metric: string; limit: number }[] {
  return r.rollouts.flatMap((ro) => ro.gates ?? []).flatMap((g) => {
    if (g.kind !== 'threshold' || g.service === null || g.limit === null) return [];
    if (g.metric === 'req_failed' && g.aggregate === 'rate') return [{ service: g.service, metric: 'rate', limit: g.limit }];
    if (g.metric === 'req_duration' && g.aggregate === 'p(99)') return [{ service: g.service, metric: 'p99', limit: g.limit }];
    return [];
  });
}

type FlagWindows = RunResult['windows']['flags'][string];

/** The windows where a flag has a figure on both sides: users served it and users not, in the same journeys. */
function comparedWindows(w: FlagWindows): number[] {
  return w.onErrorRate.flatMap((v, i) => (v !== null && w.offErrorRate[i] !== null ? [i] : []));
}

/** A line needs two points: a flag compared in fewer windows has a sentence instead of an empty chart. */
const charted = (w: FlagWindows) => comparedWindows(w).length >= 2;

/** Why a flag has no chart of flag on against off, with the one window's figures where there is one. */
export function uncomparedNotes(r: RunResult): string[] {
  const step = r.windows.seconds;
  return Object.entries(r.windows.flags).filter(([, w]) => !charted(w)).map(([flag, w]) => {
    const [i] = comparedWindows(w);
    if (i === undefined) return `${flag}: not compared. No window had users served the flag and users not served it in the same journeys.`;
    const from = r.windows.startSeconds[i];
    return `${flag}: compared in one window only (${clock(from)} to ${clock(from + step)}), too few for a line: journey error rate ${percent(w.onErrorRate[i], 2)} with the flag on against ${percent(w.offErrorRate[i], 2)} off, `
      + `p50 ${ms(w.onP50Ms[i])} against ${ms(w.offP50Ms[i])}, p99 ${ms(w.onP99Ms[i])} against ${ms(w.offP99Ms[i])}.`;
  });
}

export function flagCharts(r: RunResult): Chart[] {
  const all = Object.entries(r.windows.flags);
  if (all.length === 0) return [];
  const flags = all.filter(([, w]) => charted(w));
  const minuteOf = windowEnds(r);
  // Like with like: within each journey that meets the flag, pooled by weight; no point where a window compares nothing.
  const pick = (values: (number | null)[] | undefined) => (values ?? []).map((v) => (v === null ? null : sig(v)));
  const rows = flags.flatMap(([flag, w]) => [
    { flag, state: 'flag on', minute: minuteOf, value: pick(w.onErrorRate) },
    { flag, state: 'flag off', minute: minuteOf, value: pick(w.offErrorRate) },
  ]);
  const latency = flags.flatMap(([flag, w]) => [
    { flag, series: 'p50', state: 'flag on', minute: minuteOf, value: pick(w.onP50Ms) },
    { flag, series: 'p99', state: 'flag on', minute: minuteOf, value: pick(w.onP99Ms) },
    { flag, series: 'p50', state: 'flag off', minute: minuteOf, value: pick(w.offP50Ms) },
    { flag, series: 'p99', state: 'flag off', minute: minuteOf, value: pick(w.offP99Ms) },
  ]);
  const blast = all.flatMap(([flag, w]) => {
    let total = 0;
    // From nobody hurt at the start, each window's total at its end.
    return [{ flag, minute: 0, journeys: 0 }, ...minuteOf.map((minute, i) => ({ flag, minute, journeys: (total += w.hurt[i]) }))];
  });
  // One row per flag: error rate beside latency.
  const perFlag = (values: unknown[], field: string, title: string, axis: object, series: string, seriesTitle: string | null): Record<string, unknown> => ({
    $schema: VL,
    data: { values },
    facet: { row: { field: 'flag', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelLimit: 320 } } },
    spec: {
      width: 330, height: 130,
      transform: [{ flatten: ['minute', 'value'] }, { filter: 'isValid(datum.value)' }],
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
        y: { field, type: 'quantitative', title, axis },
        color: { field: series, type: 'nominal', title: seriesTitle, legend: { symbolType: 'stroke' } },
        strokeDash: { field: 'state', type: 'nominal', title: 'users', scale: { domain: STATE_DASH.domain.slice(1), range: STATE_DASH.range.slice(1) }, legend: { symbolType: 'stroke' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
  return [
    ...(flags.length === 0 ? [] : [{
      title: 'Journeys, flag on (dashed) against flag off (dotted), like with like: error rate, and latency p50 and p99',
      spec: {
        $schema: VL,
        hconcat: [perFlag(rows, 'value', 'journey error rate', RATE, 'state', 'users'), perFlag(latency, 'value', 'journey latency (ms)', MS, 'series', 'percentile')],
        resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
        config: { legend: { orient: 'bottom' } },
      },
    }]),
    ...(blast.every((b) => b.journeys === 0) ? [] : [{
      title: 'Blast radius over time: journeys each flag hurt (ground truth), cumulative',
      spec: {
        $schema: VL,
        width: 'container', height: 160,
        data: { values: blast },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
          y: { field: 'journeys', type: 'quantitative', title: 'journeys hurt', axis: { format: '~s' } },
          color: { field: 'flag', type: 'nominal', title: 'flag', legend: { orient: 'top', symbolType: 'stroke' } },
          strokeDash: { field: 'flag', type: 'nominal', title: 'flag', scale: { range: [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 2, 1, 2]] }, legend: { orient: 'top', symbolType: 'stroke' } },
        },
      },
    }]),
  ];
}
