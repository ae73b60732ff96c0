/**
 * From a sweep's runs to what a team decides with: per policy, detection and false-rollback rates with Wilson
 * intervals, blast radius distributions, time to detect and to ship; the Pareto front between harm and
 * friction; and the recommended policy that meets the constraints and minimizes the objective. Pure.
 */
import { normalQuantile } from '../rollout/stats.js';
import { flagMetric } from '../score/outcomes.js';
import type { Criterion } from '../scenario/types.js';
import type { FlagRun, RunRecord } from './run.js';
import { runKey, type SweepPlan } from './plan.js';
import { criterionValue, percent, plural } from '../units/format.js';
import { quoted } from '../units/escape.js';

export interface Interval {
  rate: number | null;
  low: number | null;
  high: number | null;
  n: number;
}

export interface CaseStats {
  case: string | null;
  runs: number;
  defective: number;
  detection: Interval;
  false_rollback: Interval;
  blast_radius_users: { median: number | null; p95: number | null; max: number | null };
  time_to_detect_seconds: { median: number | null; p95: number | null };
  time_to_full_rollout_seconds: { median: number | null };
}

export interface PolicyStats {
  index: number;
  label: string;
  values: Record<string, unknown>;
  runs: number;
  failed_runs: number;
  cases: CaseStats[];
  /** Over all cases: harm (p95 users hurt) and friction (false-rollback rate of runs where the flag hurt nobody). */
  harm: number | null;
  friction: Interval;
  constraints: { criterion: string; value: number | null; interval: Bounds | null; note?: string; operator: string; limit: number | null; pass: boolean }[];
  feasible: boolean;
  objective: { value: number | null; interval: Bounds | null; note?: string };
}

/** A 95% interval; null on a side that the runs cannot bound (too few seeds for an extreme quantile). */
export type Bounds = [number | null, number | null];

const Z95 = normalQuantile(0.975);

export function wilson(k: number, n: number): Interval {
  if (n === 0) return { rate: null, low: null, high: null, n };
  const p = k / n;
  const z2 = Z95 * Z95;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (Z95 * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / (1 + z2 / n);
  return { rate: round(p), low: round(Math.max(0, centre - half)), high: round(Math.min(1, centre + half)), n };
}

function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/**
 * Ranks (1-based) of the order statistics X(l) and X(u) that bound the q-quantile with at least 95% confidence,
 * distribution-free: the number B of runs below the quantile is Binomial(n, q), and [X(l), X(u)] covers it with
 * probability P(l <= B <= u - 1). l is the largest rank with P(B <= l - 1) <= 2.5%, u the smallest with
 * P(B <= u - 1) >= 97.5%; null when no rank qualifies (the sample maximum of 30 runs covers a 95th percentile
 * only 1 - 0.95^30 = 78.5% of the time). `needAbove` and `needBelow` are the fewest runs that bound each side.
 */
export function quantileRanks(n: number, q: number): { lower: number | null; upper: number | null; needAbove: number; needBelow: number } {
  const tail = 0.025;
  // CDF of Binomial(n, q) at 0 .. n - 1, from the pmf by its ratio recurrence in log space.
  const cdf = new Float64Array(n);
  let logPmf = n * Math.log1p(-q);
  let acc = 0;
  for (let k = 0; k < n; k++) {
    if (k > 0) logPmf += Math.log((n - k + 1) / k) + Math.log(q) - Math.log1p(-q);
    acc += Math.exp(logPmf);
    cdf[k] = Math.min(1, acc);
  }
  let lower: number | null = null;
  for (let l = 1; l <= n && cdf[l - 1] <= tail; l++) lower = l;
  let upper: number | null = null;
  for (let u = 1; u <= n; u++) {
    if (cdf[u - 1] >= 1 - tail) {
      upper = u;
      break;
    }
  }
  const needAbove = q <= 0 ? 1 : q >= 1 ? Infinity : Math.ceil(Math.log(tail) / Math.log(q) - 1e-9);
  const needBelow = q >= 1 ? 1 : q <= 0 ? Infinity : Math.ceil(Math.log(tail) / Math.log(1 - q) - 1e-9);
  return { lower, upper, needAbove, needBelow };
}

/** A distribution-free 95% interval for a quantile, by order statistics; a note when a side is unbounded. */
export function quantileInterval(sorted: readonly number[], q: number): { interval: Bounds; note?: string } | null {
  const n = sorted.length;
  if (n === 0) return null;
  const r = quantileRanks(n, q);
  const interval: Bounds = [r.lower === null ? null : sorted[r.lower - 1], r.upper === null ? null : sorted[r.upper - 1]];
  // Neither side bounded: there is no interval at all, not one from -inf to inf.
  if (r.upper === null && r.lower === null) return { interval, note: `missing: ${plural(n, 'seed')} ${n === 1 ? 'gives' : 'give'} none (a lower bound needs at least ${r.needBelow} seeds, an upper one at least ${r.needAbove})` };
  const notes: string[] = [];
  if (r.upper === null) notes.push(`unbounded above with ${plural(n, 'seed')}; at least ${r.needAbove} needed`);
  if (r.lower === null) notes.push(`unbounded below with ${plural(n, 'seed')}; at least ${r.needBelow} needed`);
  return notes.length ? { interval, note: notes.join('; ') } : { interval };
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;

/** The value of an outcome metric in one run for one flag: null when it does not apply. */
export function runValue(r: RunRecord, metric: string, flag: string | null): number | null {
  if (r.error) return null;
  if (metric === 'error_budget_burned') return r.error_budget_burned ?? null;
  const f = r.flags?.[flag!];
  return f ? flagMetric(f, metric) : null;
}

/** An aggregate over the runs' values, with a 95% interval where one is defined (and a note on its limits). */
export function aggregate(values: number[], agg: Criterion['aggregate']): { value: number | null; interval: Bounds | null; note?: string } {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { value: null, interval: null };
  switch (agg.kind) {
    case 'count': return { value: n, interval: null };
    case 'max': return { value: sorted[n - 1], interval: null };
    case 'min': return { value: sorted[0], interval: null };
    case 'med':
    case 'p': {
      const q = agg.kind === 'med' ? 0.5 : agg.percentile! / 100;
      const i = quantileInterval(sorted, q);
      return { value: quantile(sorted, q), interval: i?.interval ?? null, ...(i?.note ? { note: i.note } : {}) };
    }
    default: {
      const mean = sorted.reduce((a, b) => a + b, 0) / n;
      if (sorted.every((v) => v === 0 || v === 1)) {
        const w = wilson(sorted.filter((v) => v === 1).length, n);
        return { value: round(mean), interval: [w.low!, w.high!] };
      }
      const sd = Math.sqrt(sorted.reduce((a, v) => a + (v - mean) ** 2, 0) / Math.max(1, n - 1));
      return { value: round(mean), interval: [round(mean - (Z95 * sd) / Math.sqrt(n)), round(mean + (Z95 * sd) / Math.sqrt(n))] };
    }
  }
}

function pass(v: number, c: Criterion): boolean {
  switch (c.operator) {
    case '<': return v < c.limit;
    case '<=': return v <= c.limit;
    case '>': return v > c.limit;
    case '>=': return v >= c.limit;
    case '==': return v === c.limit;
    case '!=': return v !== c.limit;
  }
}

const DURATION = new Set(['time_to_detect', 'time_to_full_rollout', 'time_to_recover']);
const shown = (metric: string, v: number | null) => (v === null ? null : DURATION.has(metric) && Number.isFinite(v) ? round(v / 1e6) : v === Infinity ? null : v);

export function policyStats(
  plan: SweepPlan, records: readonly RunRecord[], primaryFlag: string, constraints: readonly Criterion[], objective: Criterion,
): PolicyStats[] {
  const byPolicy = plan.policies.map(() => [] as { rec: RunRecord; caseName: string | null }[]);
  for (const rec of records) {
    const k = runKey(plan, rec.run);
    byPolicy[k.policy].push({ rec, caseName: plan.cases[k.caseIndex] });
  }
  return plan.policies.map((p, i) => {
    const runs = byPolicy[i];
    const ok = runs.filter((x) => !x.rec.error);
    const flagRuns = (list: typeof runs) => list.map((x) => x.rec.flags?.[primaryFlag]).filter((f): f is FlagRun => !!f);
    const cases = plan.cases.map((c) => caseStats(c, flagRuns(ok.filter((x) => x.caseName === c))));
    const all = flagRuns(ok);
    const blast = all.map((f) => f.blast_radius_users).sort((a, b) => a - b);
    const healthy = all.filter((f) => !f.defective);
    const valuesOf = (c: Criterion) => ok
      .filter((x) => c.caseName === null || x.caseName === c.caseName)
      .map((x) => runValue(x.rec, c.metric, c.flag))
      .filter((v): v is number => v !== null);
    const judged = constraints.map((c) => {
      const a = aggregate(valuesOf(c), c.aggregate);
      const good = a.value !== null && pass(a.value, c);
      return {
        criterion: c.source,
        value: shown(c.metric, a.value),
        interval: a.interval ? ([shown(c.metric, a.interval[0]), shown(c.metric, a.interval[1])] as Bounds) : null,
        ...(a.note ? { note: a.note } : {}),
        operator: c.operator,
        limit: shown(c.metric, c.limit),
        pass: good,
      };
    });
    const obj = aggregate(valuesOf(objective), objective.aggregate);
    return {
      index: p.index,
      label: p.label,
      values: p.values,
      runs: runs.length,
      failed_runs: runs.length - ok.length,
      cases,
      harm: quantile(blast, 0.95),
      friction: wilson(healthy.filter((f) => f.false_rollback).length, healthy.length),
      constraints: judged,
      feasible: judged.every((c) => c.pass) && ok.length > 0,
      objective: {
        value: shown(objective.metric, obj.value),
        interval: obj.interval ? ([shown(objective.metric, obj.interval[0]), shown(objective.metric, obj.interval[1])] as Bounds) : null,
        ...(obj.note ? { note: obj.note } : {}),
      },
    };
  });
}

function caseStats(c: string | null, runs: FlagRun[]): CaseStats {
  const defective = runs.filter((f) => f.defective);
  const healthy = runs.filter((f) => !f.defective);
  const blast = runs.map((f) => f.blast_radius_users).sort((a, b) => a - b);
  const ttd = defective.filter((f) => f.detected).map((f) => f.time_to_detect_seconds!).sort((a, b) => a - b);
  const ttfr = runs.filter((f) => f.outcome === 'completed').map((f) => f.time_to_full_rollout_seconds!).sort((a, b) => a - b);
  return {
    case: c,
    runs: runs.length,
    defective: defective.length,
    detection: wilson(defective.filter((f) => f.detected).length, defective.length),
    false_rollback: wilson(healthy.filter((f) => f.false_rollback).length, healthy.length),
    blast_radius_users: { median: quantile(blast, 0.5), p95: quantile(blast, 0.95), max: blast.length ? blast[blast.length - 1] : null },
    time_to_detect_seconds: { median: quantile(ttd, 0.5), p95: quantile(ttd, 0.95) },
    time_to_full_rollout_seconds: { median: quantile(ttfr, 0.5) },
  };
}

/** Policies no other policy beats on both harm and friction (lower is better on each). */
export function paretoFront(stats: readonly PolicyStats[]): number[] {
  const point = (s: PolicyStats) => [s.harm ?? Infinity, s.friction.rate ?? 0] as const;
  return stats.filter((a) => !stats.some((b) => {
    const [ha, fa] = point(a), [hb, fb] = point(b);
    return b !== a && hb <= ha && fb <= fa && (hb < ha || fb < fa);
  })).map((s) => s.index);
}

/**
 * A figure of a sweep's objective or constraint in its metric's unit: a rate as a percentage, a time as a
 * duration (time_to_detect p(95) = 1m23s, not 82.6), as the policy table and the run reports write them.
 */
export function aggregateValue(expression: string, x: number): string {
  return /\brate\s*$/.test(expression.trim()) ? percent(x) : criterionValue(expression, x);
}

export interface Recommendation {
  policy: number;
  label: string;
  values: Record<string, unknown>;
  objective: PolicyStats['objective'];
  constraints: PolicyStats['constraints'];
}

/** The feasible policy with the lowest objective (ties: the earlier policy), and warnings about the evidence. */
export function recommend(stats: readonly PolicyStats[], seeds: number, objective: string): { recommendation: Recommendation | null; warnings: string[] } {
  const warnings: string[] = [];
  const feasible = stats.filter((s) => s.feasible && s.objective.value !== null);
  if (feasible.length === 0) {
    warnings.push('no policy meets every constraint: loosen subject-to, or widen the values to try');
    return { recommendation: null, warnings };
  }
  const ranked = [...feasible].sort((a, b) => a.objective.value! - b.objective.value! || a.index - b.index);
  const best = ranked[0];
  const runnerUp = ranked[1];
  // An interval in words: a side without a bound is said, never written as infinity.
  const shownBounds = (i: Bounds, expression: string) => {
    const v = (x: number) => aggregateValue(expression, x);
    return i[0] === null && i[1] === null ? 'no interval' : i[0] === null ? `up to ${v(i[1]!)}` : i[1] === null ? `${v(i[0])} or more` : `${v(i[0])} to ${v(i[1])}`;
  };
  const shownValue = (x: number | null) => (x === null ? '-' : aggregateValue(objective, x));
  const unbounded = (i: Bounds | null | undefined) => !i || (i[0] === null && i[1] === null);
  if (best.objective.note) warnings.push(`the objective's 95% interval is ${best.objective.note}`);
  const bestHigh = best.objective.interval?.[1] ?? null;
  const [nextLow] = runnerUp?.objective.interval ?? [null];
  if (runnerUp && unbounded(best.objective.interval) && unbounded(runnerUp.objective.interval)) {
    warnings.push(`${plural(seeds, 'seed')} ${seeds === 1 ? 'gives' : 'give'} no interval for the objective, so ${quoted(best.label)} (${shownValue(best.objective.value)}) cannot be told from ${quoted(runnerUp.label)} (${shownValue(runnerUp.objective.value)}); add seeds`);
  } else if (runnerUp && best.objective.interval && runnerUp.objective.interval && (bestHigh === null || nextLow === null || nextLow <= bestHigh)) {
    warnings.push(`${plural(seeds, 'seed')} ${seeds === 1 ? 'is' : 'are'} too few to tell ${quoted(best.label)} from ${quoted(runnerUp.label)} apart on the objective: their intervals overlap (${shownBounds(best.objective.interval, objective)} and ${shownBounds(runnerUp.objective.interval, objective)}); add seeds`);
  }
  for (const c of best.constraints) {
    if (c.interval && c.limit !== null) {
      const below = c.operator.startsWith('<');
      const above = c.operator.startsWith('>');
      if ((below && (c.interval[1] === null || c.interval[1] >= c.limit)) || (above && (c.interval[0] === null || c.interval[0] <= c.limit))) {
        warnings.push(`${quoted(c.criterion)} holds at the point estimate (${c.value === null ? '-' : aggregateValue(c.criterion, c.value)}) but not across its 95% interval (${c.note ?? shownBounds(c.interval, c.criterion)}); add seeds before trusting it`);
      }
    }
  }
  return { recommendation: { policy: best.index, label: best.label, values: best.values, objective: best.objective, constraints: best.constraints }, warnings };
}
