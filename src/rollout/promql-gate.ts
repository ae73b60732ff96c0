/**
 * PromQL gates: the query evaluated over the simulated series at the evaluation time, and its result judged by
 * the gate's conditions as Argo Rollouts judges a measurement (Successful, Failed, Inconclusive, Error), or as
 * Flagger judges a check (no value, or NaN, fails it).
 */
import { labelKey, type Labels, type PrometheusVersion, type ScrapeSeries, type SeriesSource } from '../metrics/series.js';
import { compareLabelSets } from '../promql/labels.js';
import { evaluate, EvalError } from '../promql/eval.js';
import { RuleEngine } from '../promql/rules.js';
import type { PromQLGate } from '../scenario/types.js';
import { measurementPhase, type CondValue, type Phase } from '../lang/condition.js';
import type { BoundGate, GateReading } from './reading.js';
import type { Verdict } from '../lang/threshold.js';
import { flagSides, flipExpr, flipRules, judging, type FlagOffJudging } from './flag-off-query.js';

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
    if (gate.range) values = rangeValues(gate, rules ?? series, timeMs, gate.range, series.prometheus);
    else {
      const r = evaluate(gate.expr, rules ?? series, timeMs, series.prometheus);
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
function rangeValues(gate: PromQLGate, series: SeriesSource, timeMs: number, range: NonNullable<PromQLGate['range']>, prometheus: PrometheusVersion): number[] {
  const [from, to, step] = [range.fromUs / 1000, range.toUs / 1000, range.stepUs / 1000];
  if (to < from) throw new EvalError('end timestamp must not be before start time');
  if (!(step > 0)) throw new EvalError('zero or negative query resolution step widths are not accepted');
  if ((to - from) / step > 11000) throw new EvalError('exceeded maximum resolution of 11,000 points per timeseries');
  const byLabels = new Map<string, { labels: Labels; values: number[] }>();
  for (let t = timeMs + from; t <= timeMs + to; t += step) {
    const r = evaluate(gate.expr, series, Math.floor(t), prometheus);
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

/**
 * The plan's flag, for a gate judged like with like: a failed reading whose query reads flag-on traffic alone is read
 * again with that traffic turned to flag-off traffic (flag-off-query.ts), over the same series (and the scenario's
 * rules, so turned); one whose query cannot be so read says why.
 */
export interface FlagOffTwin {
  readonly flag: string;
}

/** A twin's measurement counts as failing only on values: no flag-off traffic (no value, NaN) is not a failure of it. */
function failedOnValues(m: Measurement): boolean {
  const values = Array.isArray(m.result) ? m.result : [m.result];
  return m.phase === 'Failed' && values.length > 0 && values.every((v) => typeof v === 'number' && !Number.isNaN(v));
}

export function bindPromQLGate(gate: PromQLGate, series: () => ScrapeSeries, now: () => number, rules: () => RuleEngine | null = () => null, twin: FlagOffTwin | null = null): BoundGate {
  const threshold = [gate.success && `success: ${gate.success.source}`, gate.failure && `failure: ${gate.failure.source}`].filter(Boolean).join('; ') || 'no condition';
  // Made at the first failed reading: how the query reads the flag's sides, its twin, and the twin's rules.
  let off: { judged: FlagOffJudging; gate: PromQLGate; rules: RuleEngine | null } | null = null;
  const flagOff = (reading: GateReading): GateReading => {
    if (!twin) return reading;
    if (!off) {
      const s = series();
      const engine = rules();
      const sides = flagSides(s.mapping, twin.flag);
      const judged = judging(gate.expr, sides, engine?.groups ?? []);
      off = { judged, gate: { ...gate, expr: flipExpr(gate.expr, sides) }, rules: engine && judged.kind === 'twin' ? new RuleEngine(flipRules(engine.groups, sides), s, engine.startMs, engine.prometheus) : null };
    }
    if (off.judged.kind === 'blind') return { ...reading, flagOffUnjudged: off.judged.why };
    if (off.judged.kind === 'compares') return reading;
    const m = measure(off.gate, series(), now(), off.rules);
    if (!failedOnValues(m)) return reading;
    return { ...reading, flagOff: { value: valueOf(m.result), samples: samplesOf(m.result) } };
  };
  return {
    gate, stageProbes: [], ringProbes: [],
    evaluate(): GateReading {
      const m = measure(gate, series(), now(), rules());
      const reading: GateReading = {
        gate: gate.origin ? `${gate.origin}` : gate.source,
        verdict: VERDICT[m.phase], value: valueOf(m.result), threshold, samples: samplesOf(m.result),
        detail: `${m.phase}: ${m.detail}`,
      };
      return reading.verdict === 'fail' ? flagOff(reading) : reading;
    },
  };
}

const valueOf = (r: CondValue) => (typeof r === 'number' ? r : Array.isArray(r) && r.length > 0 ? r[0] : null);
const samplesOf = (r: CondValue) => (Array.isArray(r) ? r.length : r === null ? 0 : 1);
