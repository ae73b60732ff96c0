/** The arithmetic behind PromQL functions, as Prometheus 2.42 computes it: rate extrapolation, quantiles, histogram buckets. */
import type { Labels } from '../metrics/series.js';
import type { Expr, MatrixSelector } from '../lang/promql.js';
import { dropName, signature, type Points, type Sample } from './values.js';

export function absentLabels(e: Expr): Labels {
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

/**
 * What rate, increase and delta need of a series' points in a range: the first and last points, how many
 * there are, and a counter's increase (last - first, then each value before a drop added in order, as
 * extrapolatedRate adds them: the same float, to the last bit).
 */
export interface RangeSummary {
  readonly t0: number;
  readonly v0: number;
  readonly tn: number;
  readonly vn: number;
  readonly n: number;
  readonly increase: number;
}

export function summarize(p: Points): RangeSummary {
  const n = p.v.length;
  let increase = p.v[n - 1] - p.v[0];
  for (let i = 1; i < n; i++) if (p.v[i] < p.v[i - 1]) increase += p.v[i - 1];
  return { t0: p.t[0], v0: p.v[0], tn: p.t[n - 1], vn: p.v[n - 1], n, increase };
}

/**
 * Prometheus 2.42 extrapolatedRate, in its order of operations (the factor divided by the range, then the increase
 * multiplied by it once), so that a rate is the same float as Prometheus' (count_values writes every digit). `later`:
 * as Prometheus 2.51 and 3 extrapolate (promql/functions.go, commit 7f912db1 "Fix limiting of extrapolation to
 * negative values"): a start too far from the range's is first cut to half a sample interval, and a counter's zero
 * point then limits that; 2.42 limits by the zero point first, so a counter starting in the range reaches further back.
 */
export function extrapolated(p: RangeSummary, m: MatrixSelector, t: number, isCounter: boolean, isRate: boolean, later = false): number | null {
  const n = p.n;
  if (n < 2) return null;
  const rangeStart = t - (m.rangeMs + m.vector.offsetMs);
  const rangeEnd = t - m.vector.offsetMs;
  const result = isCounter ? p.increase : p.vn - p.v0;
  let durationToStart = (p.t0 - rangeStart) / 1000;
  const durationToEnd = (rangeEnd - p.tn) / 1000;
  const sampled = (p.tn - p.t0) / 1000;
  const avgBetween = sampled / (n - 1);
  const threshold = avgBetween * 1.1;
  if (later && durationToStart >= threshold) durationToStart = avgBetween / 2;
  if (isCounter && result > 0 && p.v0 >= 0) {
    const durationToZero = sampled * (p.v0 / result);
    if (durationToZero < durationToStart) durationToStart = durationToZero;
  }
  let interval = sampled;
  interval += durationToStart < threshold || later ? durationToStart : avgBetween / 2;
  interval += durationToEnd < threshold ? durationToEnd : avgBetween / 2;
  let factor = interval / sampled;
  if (isRate) factor /= m.rangeMs / 1000;
  return result * factor;
}

/** irate and idelta: the last two points of the range (a summary of those two). */
export function instantValue(p: RangeSummary, isRate: boolean): number | null {
  if (p.n < 2) return null;
  const last = p.vn, prev = p.v0;
  let result = isRate && last < prev ? last : last - prev;
  const interval = p.tn - p.t0;
  if (interval === 0) return null;
  if (isRate) result /= interval / 1000;
  return result;
}

/** Go's kahanSumInc (promql/functions.go, 2.42): Neumaier's compensated sum, one term at a time. */
function kahanSumInc(inc: number, sum: number, c: number): [number, number] {
  const t = sum + inc;
  if (Math.abs(sum) >= Math.abs(inc)) c += sum - t + inc;
  else c += inc - t + sum;
  return [t, c];
}

/** Whether the running mean stays as it is: an infinite mean is kept for a finite value or an infinity of its
 * own sign (it would turn into NaN by Inf - Inf). engine.go aggregation AVG and functions.go funcAvgOverTime. */
/**
 * Go's linearRegression (promql/functions.go, 2.42): the least-squares slope (per second) and intercept at
 * `interceptMs` of the points, x in seconds from it, each sum compensated (kahanSumInc); a series that never
 * changes has slope 0 and its value as intercept (NaN both for an infinite one).
 */
export function linearRegression(t: readonly number[], v: readonly number[], interceptMs: number): [number, number] {
  let n = 0, sumX = 0, cX = 0, sumY = 0, cY = 0, sumXY = 0, cXY = 0, sumX2 = 0, cX2 = 0;
  const initY = v[0];
  let constY = true;
  for (let i = 0; i < v.length; i++) {
    if (constY && i > 0 && v[i] !== initY) constY = false;
    n += 1;
    const x = (t[i] - interceptMs) / 1e3;
    [sumX, cX] = kahanSumInc(x, sumX, cX);
    [sumY, cY] = kahanSumInc(v[i], sumY, cY);
    [sumXY, cXY] = kahanSumInc(x * v[i], sumXY, cXY);
    [sumX2, cX2] = kahanSumInc(x * x, sumX2, cX2);
  }
  if (constY) return Number.isFinite(initY) || Number.isNaN(initY) ? [0, initY] : [NaN, NaN];
  sumX += cX;
  sumY += cY;
  sumXY += cXY;
  sumX2 += cX2;
  const covXY = sumXY - (sumX * sumY) / n;
  const varX = sumX2 - (sumX * sumX) / n;
  const slope = covXY / varX;
  return [slope, sumY / n - (slope * sumX) / n];
}

function meanStays(mean: number, v: number): boolean {
  if (!Number.isFinite(mean) && !Number.isNaN(mean)) {
    if (!Number.isFinite(v) && !Number.isNaN(v) && mean > 0 === v > 0) return true;
    if (Number.isFinite(v)) return true;
  }
  return false;
}

/** avg(): engine.go aggregation (2.42), the mean from the first sample on, each step divided by the count. */
export function avgAggregate(vals: readonly number[]): number {
  let mean = vals[0];
  for (let i = 1; i < vals.length; i++) {
    const count = i + 1;
    if (!meanStays(mean, vals[i])) mean += vals[i] / count - mean / count;
  }
  return mean;
}

/** stdvar(): engine.go aggregation (2.42), Welford's from the first sample (a lone Inf or NaN has variance 0). */
export function stdvarAggregate(vals: readonly number[]): number {
  let mean = vals[0], value = 0;
  for (let i = 1; i < vals.length; i++) {
    const delta = vals[i] - mean;
    mean += delta / (i + 1);
    value += delta * (vals[i] - mean);
  }
  return value / vals.length;
}

/** functions.go funcSumOverTime (2.42): a compensated sum. */
export function sumOverTime(vals: readonly number[]): number {
  let sum = 0, c = 0;
  for (const v of vals) [sum, c] = kahanSumInc(v, sum, c);
  return Number.isFinite(sum) || Number.isNaN(sum) ? sum + c : sum;
}

/** functions.go funcAvgOverTime (2.42): a compensated running mean that keeps an infinite mean. */
export function avgOverTime(vals: readonly number[]): number {
  let mean = 0, c = 0, count = 0;
  for (const v of vals) {
    count++;
    if (meanStays(mean, v)) continue;
    [mean, c] = kahanSumInc(v / count - mean / count, mean, c);
  }
  return Number.isFinite(mean) || Number.isNaN(mean) ? mean + c : mean;
}

/** functions.go funcStdvarOverTime (2.42): Welford's with compensated sums, from zero. */
export function stdvarOverTime(vals: readonly number[]): number {
  let count = 0, mean = 0, cMean = 0, aux = 0, cAux = 0;
  for (const v of vals) {
    count++;
    const delta = v - (mean + cMean);
    [mean, cMean] = kahanSumInc(delta / count, mean, cMean);
    [aux, cAux] = kahanSumInc(delta * (v - (mean + cMean)), aux, cAux);
  }
  return (aux + cAux) / count;
}

export function quantile(q: number, vals: number[]): number {
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
export function histogramQuantile(q: number, samples: Sample[]): Sample[] {
  const groups = new Map<string, { labels: Labels; buckets: { upper: number; count: number }[] }>();
  for (const s of samples) {
    const le = s.labels.le;
    if (le === undefined) continue;
    const upper = parseFloatGo(le);
    if (upper === null) continue;
    // Grouped by every label but le, the metric name included (functions.go funcHistogramQuantile): two
    // histograms of one label set under two names give two results, and the evaluation fails on them.
    const { le: _, ...rest } = s.labels as Record<string, string>;
    const key = signature(rest, null, []);
    const g = groups.get(key) ?? { labels: dropName(rest), buckets: [] };
    g.buckets.push({ upper, count: s.value });
    groups.set(key, g);
  }
  return [...groups.values()].map((g) => ({ labels: g.labels, value: bucketQuantile(q, g.buckets) }));
}

export function parseFloatGo(s: string): number | null {
  // strconv.ParseFloat takes no spaces around the number.
  if (s !== s.trim()) return null;
  const t = s.toLowerCase();
  if (t === '+inf' || t === 'inf' || t === '+infinity' || t === 'infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  if (t === 'nan') return NaN;
  const v = Number(t);
  return t !== '' && Number.isFinite(v) ? v : null;
}

export function bucketQuantile(q: number, input: { upper: number; count: number }[]): number {
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

/**
 * A value as a label's value, as strconv.FormatFloat(v, 'f', -1, 64) writes it (count_values): the fewest digits
 * that read back as the same float, never an exponent (1e+21 is 1000000000000000000000), -0 as "-0", NaN, +Inf, -Inf.
 */
export function formatFloat(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const [mantissa, exponent] = Math.abs(v).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const point = Number(exponent) + 1; // digits before the decimal point
  const sign = v < 0 ? '-' : '';
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
