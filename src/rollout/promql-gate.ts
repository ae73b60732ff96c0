/**
 * PromQL gates: the query evaluated over the simulated series at the evaluation time, and its result judged by
 * the gate's conditions as Argo Rollouts judges a measurement (Successful, Failed, Inconclusive, Error), or as
 * Flagger judges a check (no value, or NaN, fails it).
 */
import { labelKey, type Labels, type ScrapeSeries, type SeriesSource } from '../metrics/series.js';
import { compareLabelSets } from '../promql/labels.js';
import { evaluate, EvalError } from '../promql/eval.js';
import type { RuleEngine } from '../promql/rules.js';
import type { PromQLGate } from '../scenario/types.js';
import { measurementPhase, type CondValue, type Phase } from '../lang/condition.js';
import type { BoundGate, GateReading } from './reading.js';
import type { Verdict } from '../lang/threshold.js';

const VERDICT: Record<Phase, Verdict> = { Successful: 'pass', Failed: 'fail', Inconclusive: 'inconclusive', Error: 'error' };

const fmt = (x: number) => (Number.isNaN(x) ? 'NaN' : Math.abs(x) >= 100 || Number.isInteger(x) ? String(+x.toFixed(3)) : x.toPrecision(4));

export interface Measurement {
  phase: Phase;
  /** The result as the conditions saw it, or null when the query failed or gave nothing. */
  result: CondValue;
  detail: string;
}

/** One measurement of a PromQL gate over the series (and what rules recorded from them) at `nowUs` (simulated time). */
export function measure(gate: PromQLGate, series: ScrapeSeries, nowUs: number, rules: RuleEngine | null = null): Measurement {
  series.recorder.scrapeUntil(nowUs);
  const timeMs = series.epochMs + Math.floor(nowUs / 1000);
  rules?.advance(timeMs);
  let values: number[];
  let scalar = false;
  try {
    if (gate.range) values = rangeValues(gate, rules ?? series, timeMs, gate.range);
    else {
      const r = evaluate(gate.expr, rules ?? series, timeMs);
      if (r.type === 'scalar') {
        values = [r.value];
        scalar = true;
      } else values = r.samples.map((s) => s.value);
    }
  } catch (e) {
    if (e instanceof EvalError) return { phase: 'Error', result: null, detail: `query failed: ${e.message}` };
    throw e;
  }
  let result: CondValue;
  switch (gate.result) {
    case 'list':
      result = scalar ? values[0] : values;
      break;
    case 'first': {
      // Flagger reads one value (the last sample of the answer); none, or NaN, is "no values found".
      const v = values[values.length - 1];
      if (v === undefined || Number.isNaN(v)) return { phase: 'Failed', result: null, detail: 'no values found (Flagger fails the check)' };
      result = v;
      break;
    }
    default:
      if (values.length === 0) return { phase: 'Error', result: null, detail: 'no data: the query returned an empty result' };
      result = values.length === 1 ? values[0] : values;
  }
  const m = measurementPhase(result, gate.success, gate.failure);
  const shown = Array.isArray(result) ? `[${result.map(fmt).join(', ')}]` : typeof result === 'number' ? fmt(result) : String(result);
  return { phase: m.phase, result, detail: m.error ? `result = ${shown}: ${m.error}` : `result = ${shown}` };
}

/**
 * Prometheus' range query (an instant query at every step, as Prometheus 2.52 and later answer it; the series in
 * Prometheus' order of label sets), every sample flattened.
 */
function rangeValues(gate: PromQLGate, series: SeriesSource, timeMs: number, range: NonNullable<PromQLGate['range']>): number[] {
  const [from, to, step] = [range.fromUs / 1000, range.toUs / 1000, range.stepUs / 1000];
  if (to < from) throw new EvalError('end timestamp must not be before start time');
  if (!(step > 0)) throw new EvalError('zero or negative query resolution step widths are not accepted');
  if ((to - from) / step > 11000) throw new EvalError('exceeded maximum resolution of 11,000 points per timeseries');
  const byLabels = new Map<string, { labels: Labels; values: number[] }>();
  for (let t = timeMs + from; t <= timeMs + to; t += step) {
    const r = evaluate(gate.expr, series, Math.floor(t));
    const samples = r.type === 'scalar' ? [{ labels: {}, value: r.value }] : r.samples;
    for (const s of samples) {
      const key = labelKey(s.labels);
      const entry = byLabels.get(key) ?? { labels: s.labels, values: [] };
      entry.values.push(s.value);
      byLabels.set(key, entry);
    }
  }
  return [...byLabels.values()].sort((a, b) => compareLabelSets(a.labels, b.labels)).flatMap((e) => e.values);
}

export function bindPromQLGate(gate: PromQLGate, series: () => ScrapeSeries, now: () => number, rules: () => RuleEngine | null = () => null): BoundGate {
  const threshold = [gate.success && `success: ${gate.success.source}`, gate.failure && `failure: ${gate.failure.source}`].filter(Boolean).join('; ') || 'no condition';
  return {
    gate, stageProbes: [], ringProbes: [],
    evaluate(): GateReading {
      const m = measure(gate, series(), now(), rules());
      const value = typeof m.result === 'number' ? m.result : Array.isArray(m.result) && m.result.length > 0 ? m.result[0] : null;
      return {
        gate: gate.origin ? `${gate.origin}` : gate.source,
        verdict: VERDICT[m.phase], value, threshold, samples: Array.isArray(m.result) ? m.result.length : m.result === null ? 0 : 1,
        detail: `${m.phase}: ${m.detail}`,
      };
    },
  };
}
