/**
 * PromQL evaluation as a pure function of (query, series, time), with the semantics of Prometheus 2.42: a
 * 5 minute lookback for instant selectors (a sample at exactly t - 5m still counts), closed ranges
 * [t - range, t] for range selectors, extrapolation in rate/increase/delta, the metric name dropped by
 * functions, arithmetic and aggregation, and vector matching with the same errors. A real Prometheus is the
 * oracle in test/promql-prometheus.test.ts.
 */
import type { Labels, SampleSeries, SeriesSource } from '../metrics/series.js';
import { matches, parsePromQL, type BinaryOp, type Expr, type MatrixSelector, type VectorMatching, type VectorSelector } from '../lang/promql.js';

export interface Sample {
  readonly labels: Labels;
  readonly value: number;
}

export type QueryResult = { readonly type: 'scalar'; readonly value: number } | { readonly type: 'vector'; readonly samples: readonly Sample[] };

/** A query that parsed but failed to evaluate (Prometheus would answer with an error too). */
export class EvalError extends Error {
  override name = 'EvalError';
}

export const LOOKBACK_MS = 5 * 60_000;

interface Points {
  labels: Labels;
  t: number[];
  v: number[];
}

type Value = { type: 'scalar'; value: number } | { type: 'vector'; samples: Sample[] } | { type: 'matrix'; series: Points[] } | { type: 'string'; value: string };

/** Evaluates a query (text or parsed) at `timeMs` over the series. */
export function evaluate(query: string | Expr, source: SeriesSource, timeMs: number): QueryResult {
  const e = typeof query === 'string' ? parsePromQL(query) : query;
  const v = new Evaluator(source, timeMs).eval(e);
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

function dropName(l: Labels): Labels {
  if (!('__name__' in l)) return l;
  const { __name__: _, ...rest } = l;
  return rest;
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

function signature(l: Labels, on: boolean | null, names: readonly string[]): string {
  const keys = Object.keys(l).filter((k) => (on === null ? true : on ? names.includes(k) : k !== '__name__' && !names.includes(k))).sort();
  return JSON.stringify(keys.map((k) => [k, l[k]]));
}

class Evaluator {
  constructor(private readonly source: SeriesSource, private readonly t: number) {}

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
      case 'call': return this.call(e.fn, e.args);
      case 'aggregate': return { type: 'vector', samples: this.aggregate(e.op, e.param, e.expr, e.grouping, e.without) };
      case 'binary': return this.binary(e.op, this.eval(e.lhs), this.eval(e.rhs), e.bool, e.matching);
    }
  }

  private scalarOf(e: Expr): number {
    const v = this.eval(e);
    if (v.type !== 'scalar') throw new EvalError('expected a scalar');
    return v.value;
  }

  private vectorOf(e: Expr): Sample[] {
    const v = this.eval(e);
    if (v.type !== 'vector') throw new EvalError('expected an instant vector');
    return v.samples;
  }

  private instant(sel: VectorSelector): Sample[] {
    const ref = this.t - sel.offsetMs;
    const out: Sample[] = [];
    for (const s of select(this.source, sel)) {
      const i = lastAtOrBefore(s, ref);
      if (i < 0) continue;
      const ts = s.time(i);
      if (ts < ref - LOOKBACK_MS) continue;
      out.push({ labels: s.labels, value: s.value(i) });
    }
    return out;
  }

  private range(m: MatrixSelector): Points[] {
    const maxt = this.t - m.vector.offsetMs;
    const mint = maxt - m.rangeMs;
    const out: Points[] = [];
    for (const s of select(this.source, m.vector)) {
      const last = lastAtOrBefore(s, maxt);
      const t: number[] = [], v: number[] = [];
      for (let i = lastAtOrBefore(s, mint - 1) + 1; i <= last; i++) {
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
          case 'rate': return this.overTime(m, (p) => extrapolated(p, m, this.t, true, true), true);
          case 'increase': return this.overTime(m, (p) => extrapolated(p, m, this.t, true, false), true);
          case 'delta': return this.overTime(m, (p) => extrapolated(p, m, this.t, false, false), true);
          case 'irate': return this.overTime(m, (p) => instantValue(p, true), true);
          case 'idelta': return this.overTime(m, (p) => instantValue(p, false), true);
          case 'avg_over_time': return this.overTime(m, (p) => avg(p.v), true);
          case 'sum_over_time': return this.overTime(m, (p) => p.v.reduce((a, b) => a + b, 0), true);
          case 'min_over_time': return this.overTime(m, (p) => p.v.reduce((a, b) => (b < a || Number.isNaN(a) ? b : a)), true);
          case 'max_over_time': return this.overTime(m, (p) => p.v.reduce((a, b) => (b > a || Number.isNaN(a) ? b : a)), true);
          case 'count_over_time': return this.overTime(m, (p) => p.v.length, true);
          case 'last_over_time': return this.overTime(m, (p) => p.v[p.v.length - 1], false);
          case 'present_over_time': return this.overTime(m, () => 1, true);
          case 'stddev_over_time': return this.overTime(m, (p) => Math.sqrt(variance(p.v)), true);
          case 'stdvar_over_time': return this.overTime(m, (p) => variance(p.v), true);
        }
      }
    }
    throw new EvalError(`unsupported function ${fn}`);
  }

  private overTime(m: MatrixSelector, f: (p: Points) => number | null, drop: boolean): Value {
    const out: Sample[] = [];
    for (const p of this.range(m)) {
      const v = f(p);
      if (v !== null) out.push({ labels: drop ? dropName(p.labels) : p.labels, value: v });
    }
    return { type: 'vector', samples: out };
  }

  private aggregate(op: string, paramExpr: Expr | null, e: Expr, grouping: readonly string[], without: boolean): Sample[] {
    const param = paramExpr ? this.scalarOf(paramExpr) : 0;
    const input = this.vectorOf(e);
    const groups = new Map<string, { labels: Labels; samples: Sample[] }>();
    for (const s of input) {
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
        case 'sum': out.push({ labels: g.labels, value: vals.reduce((a, b) => a + b, 0) }); break;
        case 'avg': out.push({ labels: g.labels, value: avg(vals) }); break;
        case 'count': out.push({ labels: g.labels, value: vals.length }); break;
        case 'group': out.push({ labels: g.labels, value: 1 }); break;
        case 'min': out.push({ labels: g.labels, value: vals.reduce((a, b) => (a > b || Number.isNaN(a) ? b : a)) }); break;
        case 'max': out.push({ labels: g.labels, value: vals.reduce((a, b) => (a < b || Number.isNaN(a) ? b : a)) }); break;
        case 'stddev': out.push({ labels: g.labels, value: Math.sqrt(popVariance(vals)) }); break;
        case 'stdvar': out.push({ labels: g.labels, value: popVariance(vals) }); break;
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
    if (lhs.type === 'vector' && rhs.type === 'vector') return { type: 'vector', samples: vectorVector(op, lhs.samples, rhs.samples, matching, bool) };
    throw new EvalError(`binary ${op} needs scalars or instant vectors`);
  }
}

const COMPARISON = new Set<BinaryOp>(['==', '!=', '>', '<', '>=', '<=']);

/** The value of `l op r`, and whether a comparison holds (always true for arithmetic). */
function elemOp(op: BinaryOp, l: number, r: number): [number, boolean] {
  switch (op) {
    case '+': return [l + r, true];
    case '-': return [l - r, true];
    case '*': return [l * r, true];
    case '/': return [l / r, true];
    case '%': return [goMod(l, r), true];
    case '^': return [Math.pow(l, r), true];
    case '==': return [l, l === r];
    case '!=': return [l, l !== r];
    case '>': return [l, l > r];
    case '<': return [l, l < r];
    case '>=': return [l, l >= r];
    case '<=': return [l, l <= r];
  }
}

/** Go's math.Mod: the sign of the dividend. */
function goMod(a: number, b: number): number {
  return a % b;
}

function vectorScalar(op: BinaryOp, samples: Sample[], scalar: number, swap: boolean, bool: boolean): Sample[] {
  const comparison = COMPARISON.has(op);
  const out: Sample[] = [];
  for (const s of samples) {
    let [value, keep] = swap ? elemOp(op, scalar, s.value) : elemOp(op, s.value, scalar);
    if (comparison && swap) value = s.value;
    if (bool) {
      value = keep ? 1 : 0;
      keep = true;
    }
    if (keep) out.push({ labels: !comparison || bool ? dropName(s.labels) : s.labels, value });
  }
  return out;
}

function vectorVector(op: BinaryOp, lhsIn: Sample[], rhsIn: Sample[], m: VectorMatching, bool: boolean): Sample[] {
  const sig = (l: Labels) => signature(l, m.on, m.labels);
  const [lhs, rhs] = m.card === 'one-to-many' ? [rhsIn, lhsIn] : [lhsIn, rhsIn];
  const right = new Map<string, Sample>();
  for (const s of rhs) {
    const k = sig(s.labels);
    if (right.has(k)) {
      throw new EvalError(`found duplicate series for the match group on the ${m.card === 'one-to-many' ? 'left' : 'right'} hand-side of the operation; many-to-many matching not allowed: matching labels must be unique on one side`);
    }
    right.set(k, s);
  }
  const matched = new Map<string, Set<string> | null>();
  const out: Sample[] = [];
  for (const ls of lhs) {
    const k = sig(ls.labels);
    const rs = right.get(k);
    if (!rs) continue;
    let [vl, vr] = [ls.value, rs.value];
    if (m.card === 'one-to-many') [vl, vr] = [vr, vl];
    let [value, keep] = elemOp(op, vl, vr);
    if (bool) {
      value = keep ? 1 : 0;
    } else if (!keep) continue;
    let labels = resultLabels(ls.labels, rs.labels, op, m);
    if (bool) labels = dropName(labels);
    if (m.card === 'one-to-one') {
      if (matched.has(k)) throw new EvalError('multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)');
      matched.set(k, null);
    } else {
      const inserted = matched.get(k) ?? new Set<string>();
      const ik = signature(labels, null, []);
      if (inserted.has(ik)) throw new EvalError('multiple matches for labels: grouping labels must ensure unique matches');
      inserted.add(ik);
      matched.set(k, inserted);
    }
    out.push({ labels, value });
  }
  return out;
}

function resultLabels(lhs: Labels, rhs: Labels, op: BinaryOp, m: VectorMatching): Labels {
  const out: Record<string, string> = { ...lhs };
  if (!COMPARISON.has(op)) delete out.__name__;
  if (m.card === 'one-to-one') {
    if (m.on) {
      for (const k of Object.keys(out)) if (!m.labels.includes(k)) delete out[k];
    } else for (const k of m.labels) delete out[k];
  }
  for (const k of m.include) {
    const v = rhs[k];
    if (v !== undefined && v !== '') out[k] = v;
    else delete out[k];
  }
  return out;
}

function absentLabels(e: Expr): Labels {
  if (e.kind !== 'vector') return {};
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const m of e.matchers) {
    if (m.name === '__name__') continue;
    if (m.op === '=' && !seen.has(m.name)) {
      out[m.name] = m.value;
      seen.add(m.name);
    } else if (seen.has(m.name)) delete out[m.name];
  }
  return out;
}

/** Prometheus 2.42 extrapolatedRate. */
function extrapolated(p: Points, m: MatrixSelector, t: number, isCounter: boolean, isRate: boolean): number | null {
  const n = p.v.length;
  if (n < 2) return null;
  const rangeStart = t - (m.rangeMs + m.vector.offsetMs);
  const rangeEnd = t - m.vector.offsetMs;
  let result = p.v[n - 1] - p.v[0];
  if (isCounter) {
    let last = 0;
    for (const v of p.v) {
      if (v < last) result += last;
      last = v;
    }
  }
  let durationToStart = (p.t[0] - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - p.t[n - 1]) / 1000;
  const sampled = (p.t[n - 1] - p.t[0]) / 1000;
  const avgBetween = sampled / (n - 1);
  if (isCounter && result > 0 && p.v[0] >= 0) {
    const durationToZero = sampled * (p.v[0] / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  const threshold = avgBetween * 1.1;
  let interval = sampled;
  interval += durationToStart < threshold ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  result = result * (interval / sampled);
  if (isRate) result = result / (m.rangeMs / 1000);
  return result;
}

function instantValue(p: Points, isRate: boolean): number | null {
  const n = p.v.length;
  if (n < 2) return null;
  const last = p.v[n - 1], prev = p.v[n - 2];
  let result = isRate && last < prev ? last : last - prev;
  const interval = p.t[n - 1] - p.t[n - 2];
  if (interval === 0) return null;
  if (isRate) result /= interval / 1000;
  return result;
}

function avg(vals: readonly number[]): number {
  let mean = 0, count = 0;
  for (const v of vals) {
    count++;
    mean += v / count - mean / count;
  }
  return mean;
}

function variance(vals: readonly number[]): number {
  return popVariance(vals);
}

function popVariance(vals: readonly number[]): number {
  let count = 0, mean = 0, aux = 0;
  for (const v of vals) {
    count++;
    const delta = v - mean;
    mean += delta / count;
    aux += delta * (v - mean);
  }
  return aux / count;
}

function quantile(q: number, vals: number[]): number {
  if (vals.length === 0 || Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  vals.sort((a, b) => (Number.isNaN(a) ? -1 : Number.isNaN(b) ? 1 : a - b));
  const n = vals.length;
  const rank = q * (n - 1);
  const lower = Math.max(0, Math.floor(rank));
  const upper = Math.min(n - 1, lower + 1);
  const weight = rank - Math.floor(rank);
  return vals[lower] * (1 - weight) + vals[upper] * weight;
}

/** Prometheus 2.42 histogram_quantile over classic buckets (series with an `le` label). */
function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { upper: number; count: number }[] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const upper = parseFloatGo(le);
    if (upper === null) continue;
    const { le: _, ...rest } = dropName(s.labels) as Record<string, string>;
    const key = signature(rest, null, []);
    const g = groups.get(key) ?? { labels: rest, buckets: [] };
    g.buckets.push({ upper, count: s.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

function parseFloatGo(s: string): number | null {
  const t = s.trim().toLowerCase();
  if (t === '+inf' || t === 'inf' || t === '+infinity' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(t);
  return t !== '' && Number.isFinite(v) ? v : null;
}

function bucketQuantile(q: number, input: { upper: number; count: number }[]): number {
  if (Number.isNaN(q)) return NaN;
  if (q < 0) return -Infinity;
  if (q > 1) return Infinity;
  let buckets = [...input].sort((a, b) => a.upper - b.upper);
  if (buckets[buckets.length - 1].upper !== Infinity) return NaN;
  // coalesce buckets with the same upper bound
  const merged: { upper: number; count: number }[] = [];
  for (const b of buckets) {
    const last = merged[merged.length - 1];
    if (last && last.upper === b.upper) last.count += b.count;
    else merged.push({ ...b });
  }
  buckets = merged;
  // ensure monotonic
  let max = -Infinity;
  for (const b of buckets) {
    if (b.count > max) max = b.count;
    else if (b.count < max) b.count = max;
  }
  if (buckets.length < 2) return NaN;
  const observations = buckets[buckets.length - 1].count;
  if (observations === 0) return NaN;
  let rank = q * observations;
  let b = buckets.length - 1;
  for (let i = 0; i < buckets.length - 1; i++) {
    if (buckets[i].count >= rank) {
      b = i;
      break;
    }
  }
  if (b === buckets.length - 1) return buckets[buckets.length - 2].upper;
  if (b === 0 && buckets[0].upper <= 0) return buckets[0].upper;
  let start = 0;
  const end = buckets[b].upper;
  let count = buckets[b].count;
  if (b > 0) {
    start = buckets[b - 1].upper;
    count -= buckets[b - 1].count;
    rank -= buckets[b - 1].count;
  }
  return start + (end - start) * (rank / count);
}
