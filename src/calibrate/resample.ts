/**
 * How far a calibration can be trusted, from the traces themselves: a moving-block bootstrap. The calibration
 * traces are resampled in blocks of consecutive traces (by start time, so that requests which queued together stay
 * together), a scenario is calibrated from each resample with the capacities of the full calibration, and each is
 * run; the checked traces are resampled alike and measured again; the rate a check runs at is drawn from the count
 * it was estimated from (a Poisson count). The spread of the predictions, and of their errors against the
 * measurements, is what the samples let one say: a range that holds 0 means the prediction and the measurement
 * agree within what the traces can tell apart. Each resample's run has its own seed, so the simulation's own noise
 * is in the range too.
 */
import type { Span } from '../observe/span.js';
import type { Scenario } from '../scenario/types.js';
import { runScenario, type RunResult } from '../score/result.js';

/** The share of resampled errors a range holds. */
export const RANGE = 0.9;

/** The traces of a set kept in memory, in order of their first span's start, for resampling. */
export class TraceKeeper {
  private readonly list: { start: number; spans: Span[] }[] = [];
  private spans = 0;
  /** Set when the set had more spans than kept: no resampling then. */
  overflow = false;

  constructor(private readonly maxSpans = 500_000) {}

  /** Keeps a copy of a trace's spans (the analysis corrects skew in place). */
  keep(spans: readonly Span[]): void {
    if (this.overflow) return;
    this.spans += spans.length;
    if (this.spans > this.maxSpans) {
      this.overflow = true;
      this.list.length = 0;
      return;
    }
    let start = Infinity;
    for (const s of spans) if (s.startUs < start) start = s.startUs;
    this.list.push({ start, spans: spans.map((s) => ({ ...s })) });
  }

  /** The traces kept, oldest first. */
  traces(): readonly (readonly Span[])[] {
    return [...this.list].sort((a, b) => a.start - b.start).map((t) => t.spans);
  }

  get limit(): number {
    return this.maxSpans;
  }
}

/** xorshift32, seeded: resamples are the same for the same files. */
export class Draws {
  private x: number;
  constructor(seed: number) {
    this.x = (seed * 0x9e3779b1) >>> 0 || 1;
  }

  /** In [0, 1). */
  next(): number {
    this.x ^= this.x << 13;
    this.x ^= this.x >>> 17;
    this.x ^= this.x << 5;
    return (this.x >>> 0) / 4294967296;
  }

  /** Standard normal (Box-Muller). */
  normal(): number {
    const u = 1 - this.next(), v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Gamma(shape, 1) (Marsaglia and Tsang 2000; shape below 1 boosted by U^(1/shape)). */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * (1 - this.next()) ** (1 / shape);
    const d = shape - 1 / 3, c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = 1 - this.next();
      if (Math.log(u) < 0.5 * x * x + d - d * v + d * Math.log(v)) return d * v;
    }
  }

  /** Beta(a, b). */
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }
}

/**
 * An error rate of `errors` in `n` drawn again: the failures another n requests would show, their rate drawn from
 * its Jeffreys posterior, Beta(errors + 1/2, n - errors + 1/2). Not by resampling, which cannot draw a failure
 * from a sample that has none (0 of 17 is far from proof of 0%).
 */
export function redrawErrorRate(errors: number, n: number, draws: Draws): number {
  if (n <= 0) return 0;
  const p = draws.beta(errors + 0.5, n - errors + 0.5);
  if (n > 10_000) return Math.min(1, Math.max(0, p + draws.normal() * Math.sqrt((p * (1 - p)) / n)));
  let x = 0;
  for (let i = 0; i < n; i++) if (draws.next() < p) x++;
  return x / n;
}


/** Blocks of consecutive traces as long as the cube root of their number (at least 1): n^(1/3) is the usual order. */
export const blockLength = (n: number): number => Math.max(1, Math.round(Math.cbrt(n)));

/** A moving-block resample of n items (circular): whole blocks drawn at random until n items are taken. */
export function blockIndices(n: number, draws: Draws): number[] {
  const out: number[] = [];
  if (n === 0) return out;
  const len = blockLength(n);
  while (out.length < n) {
    const start = Math.floor(draws.next() * n);
    for (let k = 0; k < len && out.length < n; k++) out.push((start + k) % n);
  }
  return out;
}

/** Copies of the traces at the given indices (each analysis may change them). */
export const pick = (traces: readonly (readonly Span[])[], idx: readonly number[]): Span[][] => idx.map((i) => traces[i].map((s) => ({ ...s })));

/**
 * A scenario calibrated from a resample, holding the full calibration's capacities, its calibrated load and its
 * seed's successor: only what the traces measure (own times, odds, the journeys' mix, network gaps) moves.
 */
export function withCapacitiesOf(full: Scenario, resampled: Scenario, seed: number): Scenario {
  const byName = new Map(full.services.map((s) => [s.name, s]));
  return {
    ...resampled,
    seed,
    calibration: full.calibration,
    services: resampled.services.map((s) => {
      const f = byName.get(s.name);
      return f ? { ...s, replicas: f.replicas, concurrency: f.concurrency, capacityKnown: f.capacityKnown, queue: f.queue } : s;
    }),
  };
}

/** A scenario run at a rate until a number of journeys have arrived and ended. */
export function runAt(s: Scenario, ratePerSec: number, requests: number): RunResult {
  // No horizon: the run ends when every journey has ended, however fast they came.
  return runScenario({ ...s, traffic: { ...s.traffic, perSec: ratePerSec, requests }, durationUs: Infinity });
}

/** A rate estimated from `count` events, drawn again: the relative error of a Poisson count is 1/sqrt(count). */
export function redrawRate(rate: number, count: number | null, draws: Draws): number {
  if (count === null || count < 1) return rate;
  return rate * Math.max(0.2, 1 + draws.normal() / Math.sqrt(count));
}

export interface Range {
  readonly lo: number;
  readonly hi: number;
}

/**
 * The central RANGE of the values, or null for fewer than 2: the order statistics at ranks (n + 1)(1 -+ RANGE)/2,
 * interpolated (Hyndman and Fan 1996, definition 6), between which another value drawn like them falls with
 * probability RANGE. Taken at (n - 1) q + 1 instead, the middle 90% of 40 values holds another only 35.1 / 41 = 86%
 * of the time. Below 19 values the ends are the smallest and the largest, which hold (n - 1) / (n + 1).
 */
export function central(values: readonly number[]): Range | null {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  const n = v.length;
  if (n < 2) return null;
  const at = (rank: number): number => {
    const r = Math.min(n, Math.max(1, rank)), i = Math.floor(r);
    return i >= n ? v[n - 1] : v[i - 1] + (v[i] - v[i - 1]) * (r - i);
  };
  return { lo: at(((n + 1) * (1 - RANGE)) / 2), hi: at(((n + 1) * (1 + RANGE)) / 2) };
}

/** Resamples by default: enough for a 90% range's ends to hold a few percent. */
export const RESAMPLES = 40;
