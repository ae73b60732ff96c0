/**
 * The ranges of a check or a prediction: each resample (resample.ts) calibrates a scenario from the calibration
 * traces drawn again, runs it at the rate drawn again, and (with checked traces) measures the checked traces drawn
 * again; a journey's figures then spread as far as the samples leave them uncertain.
 */
import type { Span } from '../observe/span.js';
import type { Scenario } from '../scenario/types.js';
import type { Analysis } from './analyze.js';
import { FIGURES, measuredFigures, predictedFigures, type FigureKey, type Figures, type RowRanges } from './check.js';
import { blockIndices, central, Draws, pick, redrawErrorRate, redrawRate, runAt } from './resample.js';
import { figureTold } from './told.js';
import { stability } from '../scenario/stability.js';
import { safe } from './scenario.js';

export interface RangeInput {
  /** The calibration traces, oldest first. */
  readonly calibration: readonly (readonly Span[])[];
  /** A scenario calibrated from resampled traces, run with `seed`; null when it does not validate. */
  readonly recalibrate: (traces: Span[][], seed: number) => Scenario | null;
  /** The checked traces, oldest first, and how to measure them (null: a prediction without a check). */
  readonly check: { readonly traces: readonly (readonly Span[])[]; readonly measure: (traces: Span[][]) => Analysis } | null;
  readonly ratePerSec: number;
  /** The count of root spans the rate was estimated from, or null when it was given. */
  readonly rootSpans: number | null;
  readonly resamples: number;
  /** Journeys simulated per resample. */
  readonly requests: number;
  /** Called after each resample, for progress. */
  readonly onResample?: (done: number) => void;
}

const error = (k: FigureKey, predicted: number, measured: number): number =>
  k === 'errorRate' ? predicted - measured : measured > 0 ? predicted / measured - 1 : NaN;


export interface Resampled {
  /** Per journey (its name in the scenario): the central range of each figure's predictions and errors. */
  readonly ranges: Map<string, RowRanges>;
  /** Services offered their capacity or more in some resamples, with how many (worked out before each run). */
  readonly saturated: { service: string; resamples: number }[];
  /** Client-side pools offered their limit or more in some resamples, with how many. */
  readonly saturatedPools: { pool: string; at: string; resamples: number }[];
}

export function resampledRanges(o: RangeInput): Resampled {
  const saturated = new Map<string, number>();
  const saturatedPools = new Map<string, { pool: string; at: string; resamples: number }>();
  const draws = new Draws(0x5eed);
  const predicted = new Map<string, Figures[]>();
  const errors = new Map<string, Record<FigureKey, number[]>>();
  const whole = new Map<string, Figures>();
  if (o.check) for (const [name, j] of o.check.measure(pick(o.check.traces, o.check.traces.map((_, i) => i))).journeys) whole.set(safe(name), measuredFigures(j));
  for (let b = 1; b <= o.resamples; b++) {
    const s = o.recalibrate(pick(o.calibration, blockIndices(o.calibration.length, draws)), b + 1);
    const rate = redrawRate(o.ratePerSec, o.rootSpans, draws);
    const measured = new Map<string, Figures>();
    if (o.check) {
      const a = o.check.measure(pick(o.check.traces, blockIndices(o.check.traces.length, draws)));
      for (const [name, j] of a.journeys) {
        const w = whole.get(safe(name));
        const m = measuredFigures(j);
        measured.set(safe(name), w ? { ...m, errorRate: redrawErrorRate(Math.round(w.errorRate * w.requests), w.requests, draws) } : m);
      }
    }
    o.onResample?.(b);
    if (s === null) continue;
    const before = stability({ ...s, traffic: { ...s.traffic, perSec: rate } });
    for (const x of before.services) {
      if (x.utilization !== null && x.utilization >= 1) saturated.set(x.service, (saturated.get(x.service) ?? 0) + 1);
    }
    for (const x of before.pools) {
      if (!(x.utilization >= 1)) continue;
      const key = `${x.pool} ${x.at}`;
      const seen = saturatedPools.get(key) ?? { pool: x.pool, at: x.at, resamples: 0 };
      seen.resamples++;
      saturatedPools.set(key, seen);
    }
    const run = runAt(s, rate, o.requests);
    for (const [name, sim] of Object.entries(run.journeys)) {
      const p = predictedFigures(sim);
      let list = predicted.get(name);
      if (!list) predicted.set(name, (list = []));
      list.push(p);
      const m = measured.get(name);
      if (!m) continue;
      let e = errors.get(name);
      if (!e) errors.set(name, (e = { meanMs: [], p50Ms: [], p95Ms: [], p99Ms: [], errorRate: [] }));
      const n = whole.get(name)?.requests ?? 0;
      for (const k of FIGURES) e[k].push(figureTold(k, n) ? error(k, p[k], m[k]) : NaN);
    }
  }
  const out = new Map<string, RowRanges>();
  for (const [name, list] of predicted) {
    const e = errors.get(name);
    out.set(name, {
      predicted: Object.fromEntries(FIGURES.map((k) => [k, central(list.map((p) => p[k]))])) as RowRanges['predicted'],
      error: o.check === null ? null : Object.fromEntries(FIGURES.map((k) => [k, e ? central(e[k]) : null])) as NonNullable<RowRanges['error']>,
    });
  }
  return { ranges: out, saturated: [...saturated].map(([service, resamples]) => ({ service, resamples })), saturatedPools: [...saturatedPools.values()] };
}
