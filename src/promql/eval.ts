/**
 * PromQL evaluation as a pure function of (query, series, time), with the semantics of Prometheus 2.42: a
 * 5 minute lookback for instant selectors (a sample at exactly t - 5m still counts), closed ranges
 * [t - range, t] for range selectors, extrapolation in rate/increase/delta, the metric name dropped by
 * functions, arithmetic and aggregation, and vector matching with the same errors. A real Prometheus is the
 * oracle in test/promql-prometheus.test.ts. Asked for Prometheus 3, the lookback and the ranges are left-open
 * (t - 5m, t] and (t - range, t]: a sample exactly at the lower bound is out, as prometheus/prometheus
 * promql/engine.go has it since v3.0.0 (commit debbdb86, "make matrix selection and lookback left-open and
 * right-closed"; vectorSelectorSingle `t <= refTime-lookbackDelta`, matrixIterSlice `t > mint`); rate, increase
 * and delta extrapolate as 2.51 and 3 do (math.ts extrapolated).
 */
import type { Labels, PrometheusVersion, SampleSeries, SeriesSource } from '../metrics/series.js';
import { matches, parsePromQL, type BinaryOp, type Expr, type MatrixSelector, type VectorMatching, type VectorSelector } from '../lang/promql.js';
import { COMPARISON, elemOp, vectorScalar, vectorSet, vectorVector } from './binary.js';
import {
  absentLabels, avgAggregate, avgOverTime, extrapolated, formatFloat, histogramQuantile, instantValue, linearRegression, quantile, stdvarAggregate, stdvarOverTime, summarize, sumOverTime, type RangeSummary,
} from './math.js';
import { countValuesFailure } from '../lang/promql-tree.js';
import { labelJoin, labelReplace } from './labels.js';
import { dropName, EvalError, LOOKBACK_MS, signature, type Points, type QueryResult, type Sample, type Value } from './values.js';

export { EvalError, LOOKBACK_MS, type QueryResult, type Sample };

/** Evaluates a query (text or parsed) at `timeMs` over the series. */
export function evaluate(query: string | Expr, source: SeriesSource, timeMs: number, prometheus: PrometheusVersion = 2): QueryResult {
  const e = typeof query === 'string' ? parsePromQL(query) : query;
  const v = new Evaluator(source, timeMs, prometheus === 3).eval(e);
  if (v.type === 'scalar') return v;
  if (v.type === 'vector') {
    const seen = new Set<string>();
    for (const s of v.samples) {
      const key = signature(s.labels, null, []);
      if (seen.has(key)) throw new EvalError('vector cannot contain metrics with the same labelset');
      seen.add(key);
    }
    return v;
  }
  throw new EvalError(`a query must give a scalar or an instant vector, not a ${v.type === 'matrix' ? 'range vector' : v.type}`);
}

/** The value itself, after checking that no two samples of a vector share their labels. */
function distinct(v: Value): Value {
  if (v.type !== 'vector' || v.samples.length < 2) return v;
  const seen = new Set<string>();
  for (const s of v.samples) {
    const key = signature(s.labels, null, []);
    if (seen.has(key)) throw new EvalError('vector cannot contain metrics with the same labelset');
    seen.add(key);
  }
  return v;
}

/** Series whose labels satisfy every matcher (a missing label reads as ""). */
function select(source: SeriesSource, sel: VectorSelector): readonly SampleSeries[] {
  const byName = sel.matchers.find((m) => m.name === '__name__' && m.op === '=');
  const candidates = source.series(byName?.value);
  return candidates.filter((s) => sel.matchers.every((m) => matches(m, s.labels[m.name] ?? '')));
}

/** Index of the last sample at or before t, or -1. */
function lastAtOrBefore(s: SampleSeries, t: number): number {
  let lo = 0, hi = s.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (s.time(mid) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

class Evaluator {
  /** `prometheus3`: Prometheus 3's lookback and ranges, which leave out a sample at their lower bound, and its extrapolation. */
  constructor(private readonly source: SeriesSource, private readonly t: number, private readonly prometheus3: boolean) {}

  /** The last time a range from `maxt` back leaves out (its lower bound for Prometheus 3, just before it for 2). */
  private outside(m: MatrixSelector, maxt: number): number {
    return maxt - m.rangeMs - (this.prometheus3 ? 0 : 1);
  }

  eval(e: Expr): Value {
    switch (e.kind) {
      case 'number': return { type: 'scalar', value: e.value };
      case 'string': return { type: 'string', value: e.value };
      case 'vector': return { type: 'vector', samples: this.instant(e) };
      case 'matrix': return { type: 'matrix', series: this.range(e) };
      case 'negate': {
        const v = this.eval(e.expr);
        if (v.type === 'scalar') return { type: 'scalar', value: -v.value };
        if (v.type === 'vector') return { type: 'vector', samples: v.samples.map((s) => ({ labels: dropName(s.labels), value: -s.value })) };
        throw new EvalError('unary minus needs a scalar or a vector');
      }
      // Prometheus checks every function's and operator's result of an instant query for repeated label sets.
      case 'call': return distinct(this.call(e.fn, e.args));
      case 'aggregate': return { type: 'vector', samples: this.aggregate(e.op, e.param, e.expr, e.grouping, e.without) };
      case 'binary': return distinct(this.binary(e.op, this.eval(e.lhs), this.eval(e.rhs), e.bool, e.matching));
    }
  }

  private scalarOf(e: Expr): number {
    const v = this.eval(e);
    if (v.type !== 'scalar') throw new EvalError('expected a scalar');
    return v.value;
  }

  private stringOf(e: Expr): string {
    const v = this.eval(e);
    if (v.type !== 'string') throw new EvalError('expected a string');
    return v.value;
  }

  private vectorOf(e: Expr): Sample[] {
    const v = this.eval(e);
    if (v.type !== 'vector') throw new EvalError('expected an instant vector');
    return v.samples;
  }

  /** The instant vector of a selector; `times` (when given) receives each sample's own timestamp. */
  private instant(sel: VectorSelector, times?: number[]): Sample[] {
    const ref = this.t - sel.offsetMs;
    const out: Sample[] = [];
    for (const s of select(this.source, sel)) {
      const i = lastAtOrBefore(s, ref);
      if (i < 0) continue;
      const ts = s.time(i);
      if (ts < ref - LOOKBACK_MS || (this.prometheus3 && ts === ref - LOOKBACK_MS) || s.stale?.(i)) continue;
      out.push({ labels: s.labels, value: s.value(i) });
      times?.push(ts);
    }
    return out;
  }

  private range(m: MatrixSelector): Points[] {
    const maxt = this.t - m.vector.offsetMs;
    const before = this.outside(m, maxt);
    const out: Points[] = [];
    for (const s of select(this.source, m.vector)) {
      const last = lastAtOrBefore(s, maxt);
      const t: number[] = [], v: number[] = [];
      for (let i = lastAtOrBefore(s, before) + 1; i <= last; i++) {
        if (s.stale?.(i)) continue;
        t.push(s.time(i));
        v.push(s.value(i));
      }
      if (t.length > 0) out.push({ labels: s.labels, t, v });
    }
    return out;
  }

  private call(fn: string, args: readonly Expr[]): Value {
    const vec = (samples: Sample[]): Value => ({ type: 'vector', samples });
    const perSample = (f: (x: number) => number): Value =>
      vec(this.vectorOf(args[0]).map((s) => ({ labels: dropName(s.labels), value: f(s.value) })));
    switch (fn) {
      case 'time': return { type: 'scalar', value: this.t / 1000 };
      case 'timestamp': {
        // A selector's samples carry their own timestamps; any other expression's are the evaluation time.
        const a = args[0];
        if (a.kind === 'vector') {
          const times: number[] = [];
          return vec(this.instant(a, times).map((s, i) => ({ labels: dropName(s.labels), value: times[i] / 1000 })));
        }
        return vec(this.vectorOf(a).map((s) => ({ labels: dropName(s.labels), value: this.t / 1000 })));
      }
      case 'sort':
      case 'sort_desc': {
        // By value, NaN last in both (functions.go funcSort, funcSortDesc: a sort with NaN first, reversed).
        const dir = fn === 'sort' ? 1 : -1;
        return vec([...this.vectorOf(args[0])].sort((a, b) => (Number.isNaN(a.value) ? (Number.isNaN(b.value) ? 0 : 1) : Number.isNaN(b.value) ? -1 : dir * (a.value - b.value))));
      }
      case 'label_replace': {
        const [dst, repl, src, re] = args.slice(1).map((a) => this.stringOf(a));
        return vec(labelReplace(this.vectorOf(args[0]), dst, repl, src, re));
      }
      case 'label_join': {
        const [dst, sep, ...src] = args.slice(1).map((a) => this.stringOf(a));
        return vec(labelJoin(this.vectorOf(args[0]), dst, sep, src));
      }
      case 'scalar': {
        const v = this.vectorOf(args[0]);
        return { type: 'scalar', value: v.length === 1 ? v[0].value : NaN };
      }
      case 'vector': return vec([{ labels: {}, value: this.scalarOf(args[0]) }]);
      case 'absent': {
        if (this.vectorOf(args[0]).length > 0) return vec([]);
        return vec([{ labels: absentLabels(args[0]), value: 1 }]);
      }
      case 'absent_over_time': {
        const m = args[0] as MatrixSelector;
        if (this.range(m).length > 0) return vec([]);
        return vec([{ labels: absentLabels(m.vector), value: 1 }]);
      }
      case 'clamp': {
        const lo = this.scalarOf(args[1]), hi = this.scalarOf(args[2]);
        if (lo > hi) return vec([]);
        return perSample((x) => Math.max(lo, Math.min(hi, x)));
      }
      case 'clamp_min': {
        const lo = this.scalarOf(args[1]);
        return perSample((x) => Math.max(lo, x));
      }
      case 'clamp_max': {
        const hi = this.scalarOf(args[1]);
        return perSample((x) => Math.min(hi, x));
      }
      case 'abs': return perSample(Math.abs);
      case 'ceil': return perSample(Math.ceil);
      case 'floor': return perSample(Math.floor);
      case 'sqrt': return perSample(Math.sqrt);
      case 'exp': return perSample(Math.exp);
      case 'ln': return perSample(Math.log);
      case 'log2': return perSample(Math.log2);
      case 'log10': return perSample(Math.log10);
      case 'round': {
        const to = args.length > 1 ? this.scalarOf(args[1]) : 1;
        const inv = 1 / to;
        // Go's math.Floor(v*toNearestInverse+0.5) / toNearestInverse
        return perSample((x) => Math.floor(x * inv + 0.5) / inv);
      }
      case 'histogram_quantile': return vec(histogramQuantile(this.scalarOf(args[0]), this.vectorOf(args[1])));
      case 'quantile_over_time': {
        const q = this.scalarOf(args[0]);
        return this.overTime(args[1] as MatrixSelector, (p) => quantile(q, [...p.v]), true);
      }
      default: {
        const m = args[0] as MatrixSelector;
        switch (fn) {
          case 'rate': return this.summarized(m, (p) => extrapolated(p, m, this.t, true, true, this.prometheus3));
          case 'increase': return this.summarized(m, (p) => extrapolated(p, m, this.t, true, false, this.prometheus3));
          case 'delta': return this.summarized(m, (p) => extrapolated(p, m, this.t, false, false, this.prometheus3));
          case 'irate': return this.summarized(m, (p) => instantValue(p, true), true);
          case 'idelta': return this.summarized(m, (p) => instantValue(p, false), true);
          case 'avg_over_time': return this.overTime(m, (p) => avgOverTime(p.v), true);
          case 'sum_over_time': return this.overTime(m, (p) => sumOverTime(p.v), true);
          case 'min_over_time': return this.overTime(m, (p) => p.v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a)), true);
          case 'max_over_time': return this.overTime(m, (p) => p.v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a)), true);
          case 'changes': return this.overTime(m, (p) => countSteps(p.v, (a, b) => a !== b && !(Number.isNaN(a) && Number.isNaN(b))), true);
          case 'resets': return this.overTime(m, (p) => countSteps(p.v, (a, b) => b < a), true);
          case 'count_over_time': return this.overTime(m, (p) => p.v.length, true);
          case 'last_over_time': return this.overTime(m, (p) => p.v[p.v.length - 1], false);
          case 'present_over_time': return this.overTime(m, () => 1, true);
          case 'stddev_over_time': return this.overTime(m, (p) => Math.sqrt(stdvarOverTime(p.v)), true);
          case 'stdvar_over_time': return this.overTime(m, (p) => stdvarOverTime(p.v), true);
          // functions.go funcDeriv: x from the first point (prometheus#2674); funcPredictLinear: from the evaluation time.
          case 'deriv': return this.overTime(m, (p) => (p.v.length < 2 ? null : linearRegression(p.t, p.v, p.t[0])[0]), true);
          case 'predict_linear': {
            const ahead = this.scalarOf(args[1]);
            return this.overTime(m, (p) => {
              if (p.v.length < 2) return null;
              const [slope, intercept] = linearRegression(p.t, p.v, this.t);
              return slope * ahead + intercept;
            }, true);
          }
        }
      }
    }
    throw new EvalError(`unsupported function ${fn}`);
  }

  /**
   * A function of each series' first and last points in the range (rate, increase, delta), or of its last two
   * (irate, idelta), without reading the points between them when the series is a counter that never drops.
   */
  private summarized(m: MatrixSelector, f: (p: RangeSummary) => number | null, lastTwo = false): Value {
    const maxt = this.t - m.vector.offsetMs;
    const before = this.outside(m, maxt);
    const out: Sample[] = [];
    for (const s of select(this.source, m.vector)) {
      if (s.stale) {
        // Staleness markers are not points: read the range as points.
        const t: number[] = [], v: number[] = [];
        for (let i = lastAtOrBefore(s, before) + 1; i <= lastAtOrBefore(s, maxt); i++) {
          if (s.stale(i)) continue;
          t.push(s.time(i));
          v.push(s.value(i));
        }
        const p = t.length === 0 ? null : summarize(lastTwo ? { labels: s.labels, t: t.slice(-2), v: v.slice(-2) } : { labels: s.labels, t, v });
        const x = p && f(p);
        if (x !== null && x !== undefined) out.push({ labels: dropName(s.labels), value: x });
        continue;
      }
      const last = lastAtOrBefore(s, maxt);
      const first = lastTwo ? Math.max(lastAtOrBefore(s, before) + 1, last - 1) : lastAtOrBefore(s, before) + 1;
      if (last < first) continue;
      let increase = s.value(last) - s.value(first);
      if (!s.monotonic) for (let i = first + 1; i <= last; i++) if (s.value(i) < s.value(i - 1)) increase += s.value(i - 1);
      const x = f({ t0: s.time(first), v0: s.value(first), tn: s.time(last), vn: s.value(last), n: last - first + 1, increase });
      if (x !== null) out.push({ labels: dropName(s.labels), value: x });
    }
    return { type: 'vector', samples: out };
  }

  private overTime(m: MatrixSelector, f: (p: Points) => number | null, drop: boolean): Value {
    const out: Sample[] = [];
    for (const p of this.range(m)) {
      const v = f(p);
      if (v !== null) out.push({ labels: drop ? dropName(p.labels) : p.labels, value: v });
    }
    return { type: 'vector', samples: out };
  }

  private aggregate(op: string, paramExpr: Expr | null, e: Expr, by: readonly string[], without: boolean): Sample[] {
    // engine.go aggregation, count_values: the parameter names a label (else an error, whatever the vector) that
    // each sample gets with its value written (strconv.FormatFloat 'f' -1), grouped by it too unless `without`.
    const valueLabel = op === 'count_values' ? this.stringOf(paramExpr!) : null;
    const failure = valueLabel === null ? null : countValuesFailure(valueLabel);
    if (failure !== null) throw new EvalError(failure);
    const grouping = valueLabel === null || without ? by : [...by, valueLabel];
    const param = paramExpr && valueLabel === null ? this.scalarOf(paramExpr) : 0;
    // engine.go aggregation: k must fit an int64 (NaN does not), whatever the vector.
    if ((op === 'topk' || op === 'bottomk') && !(param <= 9223372036854774784 && param >= -9223372036854775808)) {
      // Go's %v: NaN, +Inf, -Inf, or an exponent (every float past an int64 has one, as 1e+19).
      const shown = Number.isNaN(param) ? 'NaN' : Number.isFinite(param) ? param.toExponential() : param > 0 ? '+Inf' : '-Inf';
      throw new EvalError(`Scalar value ${shown} overflows int64`);
    }
    const input = this.vectorOf(e);
    const groups = new Map<string, { labels: Labels; samples: Sample[] }>();
    for (const sample of input) {
      const s = valueLabel === null ? sample : { labels: { ...sample.labels, [valueLabel]: formatFloat(sample.value) }, value: sample.value };
      const labels: Record<string, string> = {};
      for (const [k, v] of Object.entries(s.labels)) {
        const keep = without ? k !== '__name__' && !grouping.includes(k) : grouping.includes(k);
        if (keep) labels[k] = v;
      }
      const key = signature(labels, null, []);
      const g = groups.get(key);
      if (g) g.samples.push(s);
      else groups.set(key, { labels, samples: [s] });
    }
    const out: Sample[] = [];
    for (const g of groups.values()) {
      const vals = g.samples.map((s) => s.value);
      switch (op) {
        case 'sum': out.push({ labels: g.labels, value: vals.reduce((a, b) => a + b) }); break;
        case 'avg': out.push({ labels: g.labels, value: avgAggregate(vals) }); break;
        case 'count':
        case 'count_values': out.push({ labels: g.labels, value: vals.length }); break;
        case 'group': out.push({ labels: g.labels, value: 1 }); break;
        case 'min': out.push({ labels: g.labels, value: vals.reduce((a, b) => (a > b || Number.isNaN(a) ? b : a)) }); break;
        case 'max': out.push({ labels: g.labels, value: vals.reduce((a, b) => (a < b || Number.isNaN(a) ? b : a)) }); break;
        case 'stddev': out.push({ labels: g.labels, value: Math.sqrt(stdvarAggregate(vals)) }); break;
        case 'stdvar': out.push({ labels: g.labels, value: stdvarAggregate(vals) }); break;
        case 'quantile': out.push({ labels: g.labels, value: quantile(param, vals) }); break;
        case 'topk':
        case 'bottomk': {
          const k = Math.trunc(param);
          if (k < 1) break;
          const top = op === 'topk';
          const sorted = [...g.samples].sort((a, b) => {
            if (Number.isNaN(a.value)) return 1;
            if (Number.isNaN(b.value)) return -1;
            return top ? b.value - a.value : a.value - b.value;
          });
          out.push(...sorted.slice(0, k));
          break;
        }
        default: throw new EvalError(`unsupported aggregation ${op}`);
      }
    }
    return out;
  }

  private binary(op: BinaryOp, lhs: Value, rhs: Value, bool: boolean, matching: VectorMatching): Value {
    const comparison = COMPARISON.has(op);
    if (lhs.type === 'scalar' && rhs.type === 'scalar') {
      const [v, keep] = elemOp(op, lhs.value, rhs.value);
      return { type: 'scalar', value: comparison ? (keep ? 1 : 0) : v };
    }
    if (lhs.type === 'vector' && rhs.type === 'scalar') return { type: 'vector', samples: vectorScalar(op, lhs.samples, rhs.value, false, bool) };
    if (lhs.type === 'scalar' && rhs.type === 'vector') return { type: 'vector', samples: vectorScalar(op, rhs.samples, lhs.value, true, bool) };
    if (lhs.type === 'vector' && rhs.type === 'vector') {
      if (op === 'and' || op === 'or' || op === 'unless') return { type: 'vector', samples: vectorSet(op, lhs.samples, rhs.samples, matching) };
      return { type: 'vector', samples: vectorVector(op, lhs.samples, rhs.samples, matching, bool) };
    }
    throw new EvalError(`binary ${op} needs scalars or instant vectors`);
  }
}


/** How many consecutive pairs (previous, current) satisfy `step`: changes() and resets(). */
function countSteps(v: readonly number[], step: (prev: number, cur: number) => boolean): number {
  let n = 0;
  for (let i = 1; i < v.length; i++) if (step(v[i - 1], v[i])) n++;
  return n;
}
