/**
 * Backtesting a calibration: a scenario calibrated from one set of traces is run at another set's conditions (its
 * arrival rate) and compared, journey by journey, with that set's root spans: mean, p50, p95, p99 and error rate,
 * each with the prediction's error. Like with like: root spans on both sides (the hop from the users to the
 * first service is in neither).
 */
import type { PoolFigures } from '../score/pools.js';
import type { Span } from '../observe/span.js';
import type { Scenario } from '../scenario/types.js';
import type { CallFigures } from '../score/result.js';
import type { Analysis } from './analyze.js';
import type { CapacityNote } from './notes.js';
import { runAt, type Range } from './resample.js';
import { quantile, safe } from './scenario.js';
import { FIGURES, figureTold, type FigureKey } from './told.js';
import { buildTree } from './tree.js';
import { quoted } from '../units/escape.js';

export interface Figures {
  readonly requests: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export { FIGURES, type FigureKey } from './told.js';

/**
 * What resampling says of a journey's figures (see resample.ts): the central range of the predictions, and of
 * their errors against the measurements (relative for latencies, a difference of rates for the error rate; null
 * without checked traces, or where a figure was 0 in the measurements).
 */
export interface RowRanges {
  readonly predicted: Readonly<Record<FigureKey, Range | null>>;
  readonly error: Readonly<Record<FigureKey, Range | null>> | null;
}

/**
 * Per figure: "yes" when its error's range holds 0 (at the precision shown: the samples cannot tell the prediction
 * from the measurement), "no" when it does not, "too few" when the checked traces cannot tell the figure at all (a
 * quantile with fewer than 5 of them above it), null without a range.
 */
export type Verdict = 'yes' | 'no' | 'too few' | null;

export interface CheckRow {
  readonly journey: string;
  readonly measured: Figures;
  readonly predicted: Figures;
  /** null when no resampling was done (--resamples 0, or too many spans to keep). */
  readonly ranges: RowRanges | null;
  readonly withinNoise: Readonly<Record<FigureKey, Verdict>>;
}

/** Half the last digit shown: 0.1% for latencies, 0.01 points for error rates. */
const SHOWN: Readonly<Record<FigureKey, number>> = { meanMs: 0.0005, p50Ms: 0.0005, p95Ms: 0.0005, p99Ms: 0.0005, errorRate: 0.00005 };

export function verdicts(requests: number, ranges: RowRanges | null): Record<FigureKey, Verdict> {
  return Object.fromEntries(FIGURES.map((k) => {
    const r = ranges?.error?.[k] ?? null;
    return [k, !figureTold(k, requests) ? 'too few' : r === null ? null : r.lo <= SHOWN[k] && r.hi >= -SHOWN[k] ? 'yes' : 'no'];
  })) as Record<FigureKey, Verdict>;
}

/** How the ranges were made, or why there are none. */
export interface Resampling {
  readonly resamples: number;
  /** The share of resampled values each range holds. */
  readonly range: number;
  /** Traces resampled, and the length of their blocks (consecutive traces), per set. */
  readonly calibration: { readonly traces: number; readonly block: number };
  readonly check: { readonly traces: number; readonly block: number } | null;
  /** The run's rate: given (--check-rate, --predict) or estimated from a count of root spans, drawn again per resample. */
  readonly rate: { readonly given: true } | { readonly given: false; readonly rootSpans: number };
  /** Services offered their capacity or more (worked out before the run) in some resamples: how many. */
  readonly saturated: readonly { readonly service: string; readonly resamples: number }[];
  /** Present when client-side pools were offered their limit or more in some resamples: each, named as the scenario names it, and how many. */
  readonly saturatedPools?: readonly { readonly pool: string; readonly at: string; readonly resamples: number }[];
}

/**
 * An endpoint's fit, like with like: its callers' view in the other set (the client span of each attempt, as a
 * mesh reports a destination; the span itself where no client span calls it, as for a journey's first service)
 * against the model's figure for that endpoint, also its callers' view, at the other set's load; `predicted` is
 * null where the scenario has no such endpoint.
 */
export interface EndpointRow {
  readonly service: string;
  readonly endpoint: string;
  readonly measured: { readonly spans: number; readonly meanMs: number; readonly p99Ms: number };
  readonly predicted: { readonly requests: number; readonly meanMs: number; readonly p99Ms: number } | null;
}

/** What the calibration could not take from the traces: each service's capacity with its evidence, and its warnings. */
export interface CheckNotes {
  readonly capacities: readonly CapacityNote[];
  readonly warnings: readonly string[];
}

export interface CheckResult {
  readonly schema: 'rehearse/calibration-check@1';
  /** The version of rehearse whose simulation gave the predicted figures. */
  readonly version: string;
  /** The other set's arrival rate, at which the scenario ran. */
  readonly ratePerSec: number;
  readonly journeys: readonly CheckRow[];
  /** Journeys of the other set that the scenario does not have. */
  readonly missing: readonly string[];
  readonly endpoints: readonly EndpointRow[];
  readonly notes: CheckNotes;
  /** null with the reason when the figures have no ranges. */
  readonly resampling: Resampling | { readonly none: string };
  /** The trace files, by name: those the scenario was calibrated from, and those it was checked against. */
  readonly files: { readonly calibration: readonly string[]; readonly checked: readonly string[] };
  /** Present when the scenario has client-side pools: where the predicted run's calls waited for a slot (score/pools.ts). */
  readonly pools?: readonly PoolFigures[];
}

export interface Prediction {
  readonly ratePerSec: number;
  /** Each journey's figures, with its ranges and its traces in the calibration (how many, how many failed). */
  readonly journeys: readonly { readonly journey: string; readonly predicted: Figures; readonly ranges: RowRanges | null; readonly traces: { readonly count: number; readonly errors: number } | null }[];
  readonly resampling: Resampling | { readonly none: string };
  /** Present when the scenario has client-side pools: where the predicted run's calls waited for a slot. */
  readonly pools?: readonly PoolFigures[];
}

/** A journey's figures as the traces measured them (root spans). */
export function measuredFigures(j: Analysis['journeys'] extends Map<string, infer J> ? J : never): Figures {
  const ms = [...j.latencies].sort((a, b) => a - b).map((x) => x / 1000);
  return {
    requests: j.count,
    meanMs: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
    p50Ms: quantile(ms, 0.5),
    p95Ms: quantile(ms, 0.95),
    p99Ms: quantile(ms, 0.99),
    errorRate: j.errors / Math.max(1, j.count),
  };
}

/** A journey's figures as a run predicted them. */
export function predictedFigures(sim: CallFigures): Figures {
  return { requests: sim.requests, meanMs: sim.latencyMs.mean, p50Ms: sim.latencyMs.p50, p95Ms: sim.latencyMs.p95, p99Ms: sim.latencyMs.p99, errorRate: sim.errorRate };
}

/** The rate of a set of traces' root spans (scaled by the sampling), and the count it is estimated from. */
export function rateOf(a: Analysis): { ratePerSec: number; rootSpans: number } | null {
  const spanS = (a.rootStartMax - a.rootStartMin) / 1e6;
  return a.roots > 1 && spanS > 0 ? { ratePerSec: (a.roots - 1) / spanS / a.options.sampleRate, rootSpans: a.roots } : null;
}

/** Per service and endpoint, the durations (us) of its attempts as its callers saw them, gathered a trace at a time. */
export class EndpointSpans {
  readonly durations = new Map<string, { service: string; endpoint: string; us: number[] }>();

  constructor(private readonly nameOf: (s: Span) => string) {}

  /** Reads one trace's spans (copies: the tree is built without touching them). */
  add(spans: readonly Span[]): void {
    const warnings = { skewedTraces: [], orphanSpans: 0, orphanTraces: [], cycles: [], noService: 0, noServiceTraces: [], duplicateIds: 0 };
    const { spans: tree, isEntry, parentOf } = buildTree(spans.map((s) => ({ ...s })), warnings);
    for (const s of tree) {
      if (!isEntry(s) || s.attributes['rehearse.journey'] !== undefined) continue;
      const service = s.service ?? 'unknown', endpoint = this.nameOf(s);
      const key = `${service}\u0000${endpoint}`;
      let d = this.durations.get(key);
      if (!d) this.durations.set(key, (d = { service, endpoint, us: [] }));
      const p = parentOf(s);
      const caller = p !== undefined && p.kind === 'client' && p.service !== s.service ? p : s;
      if (d.us.length < 50_000) d.us.push(caller.durationUs);
    }
  }
}

/** Journeys simulated per check: enough for a p99 of each journey that holds a few percent. */
export const REQUESTS = 50_000;

export interface CheckInput {
  /** The rate the run is made at: the other set's (rateOf) unless given. */
  readonly ratePerSec: number;
  readonly ranges: ReadonlyMap<string, RowRanges> | null;
  readonly resampling: CheckResult['resampling'];
  readonly files: CheckResult['files'];
}

export function checkAgainst(calibrated: Scenario, other: Analysis, spans: EndpointSpans, notes: CheckNotes, input: CheckInput): CheckResult {
  const { ratePerSec } = input;
  const run = runAt(calibrated, ratePerSec, REQUESTS);
  const journeys: CheckRow[] = [];
  const missing: string[] = [];
  for (const [name, j] of [...other.journeys].sort((a, b) => b[1].count - a[1].count)) {
    const sim = run.journeys[safe(name)];
    if (!sim) {
      missing.push(name);
      continue;
    }
    const ranges = input.ranges?.get(safe(name)) ?? null;
    journeys.push({ journey: safe(name), measured: measuredFigures(j), predicted: predictedFigures(sim), ranges, withinNoise: verdicts(j.count, ranges) });
  }
  const endpoints: EndpointRow[] = [...spans.durations.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.endpoint < b.endpoint ? -1 : 1)).map((d) => {
    const ms = [...d.us].sort((a, b) => a - b).map((x) => x / 1000);
    const sim = run.services[safe(d.service)]?.endpoints[safe(d.endpoint)];
    return {
      service: safe(d.service),
      endpoint: safe(d.endpoint),
      measured: { spans: ms.length, meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, p99Ms: quantile(ms, 0.99) },
      predicted: sim ? { requests: sim.requests, meanMs: sim.latencyMs.mean, p99Ms: sim.latencyMs.p99 } : null,
    };
  });
  return { schema: 'rehearse/calibration-check@1', version: run.version, ratePerSec, journeys, missing, endpoints, notes, resampling: input.resampling, files: input.files, ...(run.pools ? { pools: run.pools } : {}) };
}

/**
 * Trace names that the scenario's naming writes alike ("GET /a" and "GET-a" are both GET-a): a check or a
 * prediction matches journeys and endpoints by those names, so each would be given the other's figures. One
 * line per clash, naming the originals.
 */
export function sameNames(analyses: readonly Analysis[]): string[] {
  const by = new Map<string, { what: string; where: string; shown: string; originals: Set<string> }>();
  const add = (what: string, original: string, where = '') => {
    const shown = safe(original);
    const key = `${what}\u0000${where}\u0000${shown}`;
    let x = by.get(key);
    if (!x) by.set(key, (x = { what, where, shown, originals: new Set() }));
    x.originals.add(original);
  };
  for (const a of analyses) {
    for (const name of a.journeys.keys()) add('journeys', name);
    for (const e of [...a.endpoints.values(), ...a.leaves.values()]) {
      add('services', e.service);
      add('endpoints', e.endpoint, ` of service ${quoted(safe(e.service))}`);
    }
  }
  return [...by.values()].filter((x) => x.originals.size > 1).map((x) => `the traces' ${x.what} ${[...x.originals].sort().map((o) => JSON.stringify(o)).join(' and ')}${x.where} are ${x.originals.size === 2 ? 'both' : 'all'} named ${quoted(x.shown)} in a scenario, so their figures cannot be told apart: group them with --group-by regex:PATTERN, or rename one in the traces`);
}
