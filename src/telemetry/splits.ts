/**
 * Flag on against flag off, like with like, per telemetry window: for each flag, the journeys that meet it and
 * the calls to each service, split by the user's assignment (served the flag or not, whichever services the
 * request reached) within each journey. Each journey's on and off figures are then pooled with the journey's
 * share of the compared requests as its weight, the same weight on both sides, so that the journey mix cancels
 * and a flag that changes nothing shows no gap. Journeys with only one side in a window are left out of the
 * pooled figures of that window (they hold nothing to compare).
 */
import { CoarseCounts, mixturePercentiles } from './coarse.js';

/** One side (users served the flag, or not) of a flag's split in a window. */
export interface FlagSlice {
  /** Requests of those users and their failures, as counted (every journey). */
  requests: number;
  errors: number;
  /** Like with like: per journey, pooled with the journeys' weights; null when no journey has both sides. */
  errorRate: number | null;
  p50Us: number | null;
  p99Us: number | null;
}

export interface FlagSplit {
  on: FlagSlice;
  off: FlagSlice;
  /** Requests in the journeys that had both sides: what the pooled figures rest on. */
  compared: number;
}

export class FlagSplits {
  /**
   * Per scope (0: journeys; 1 + s: calls to service s), each journey's stratum (the last index: a call of no known
   * journey, or from one not known to reach the service), and the number of strata.
   */
  private readonly strata: Int32Array[];
  private readonly counted: Int32Array;
  /** Where each scope's cells begin, in units of (flag, stratum). */
  private readonly base: Int32Array;
  /** Per cell ((scope, flag, stratum), state): requests and failures. */
  private readonly counts: Float64Array;
  private readonly latency: (CoarseCounts | null)[];
  /** Per (scope, flag): whether the open window has anything. */
  private readonly dirty: Uint8Array;

  constructor(
    private readonly services: number,
    private readonly journeys: number,
    private readonly flags: number,
    /** Per flag, a byte per journey: whether the journey meets the flag in the scenario or any case (Flag.journeysInAnyCase). */
    private readonly flagJourneys: readonly Uint8Array[],
    /** Per journey, a byte per service: whether the journey may reach the service (model/reach.ts). */
    journeyServices: readonly Uint8Array[],
  ) {
    const journeyScope = Int32Array.from({ length: journeys + 1 }, (_, j) => (j < journeys ? j : -1));
    this.strata = [journeyScope, ...Array.from({ length: services }, (_, s) => {
      const map = new Int32Array(journeys + 1);
      let k = 0;
      for (let j = 0; j < journeys; j++) map[j] = journeyServices[j]?.[s] === 1 ? k++ : -1;
      for (let j = 0; j <= journeys; j++) if (map[j] < 0 || j === journeys) map[j] = k;
      return map;
    })];
    this.counted = Int32Array.from(this.strata, (map, x) => (x === 0 ? journeys : map[journeys] + 1));
    this.base = new Int32Array(services + 2);
    for (let x = 0; x <= services; x++) this.base[x + 1] = this.base[x] + flags * this.counted[x];
    const cells = this.base[services + 1] * 2;
    this.counts = new Float64Array(cells * 2);
    this.latency = new Array<CoarseCounts | null>(cells).fill(null);
    this.dirty = new Uint8Array((services + 1) * flags);
  }

  /** A journey `j` ended: `assigned` has a bit per flag its user is served. */
  journey(j: number, assigned: number, failed: boolean, latencyUs: number): void {
    for (let f = 0; f < this.flags; f++) {
      if (this.flagJourneys[f][j] === 1) this.add(0, f, j, ((assigned >>> f) & 1) === 1, failed, latencyUs);
    }
  }

  /**
   * A call to service `s` ended, serving journey `j`, ended or not (a call sent asynchronously, or one its caller
   * stopped waiting for, is compared within the journey it serves, never pooled with other journeys' calls).
   */
  call(s: number, j: number, assigned: number, failed: boolean, latencyUs: number): void {
    const stratum = this.strata[1 + s][j >= 0 ? j : this.journeys];
    for (let f = 0; f < this.flags; f++) this.add(1 + s, f, stratum, ((assigned >>> f) & 1) === 1, failed, latencyUs);
  }

  private add(scope: number, f: number, stratum: number, on: boolean, failed: boolean, latencyUs: number): void {
    const cell = (this.base[scope] + f * this.counted[scope] + stratum) * 2 + (on ? 0 : 1);
    this.counts[cell * 2]++;
    if (failed) this.counts[cell * 2 + 1]++;
    (this.latency[cell] ??= new CoarseCounts()).record(latencyUs);
    this.dirty[scope * this.flags + f] = 1;
  }

  /** The open window's splits, per flag for journeys and per service and flag for calls; then a fresh window. */
  close(): { journeys: FlagSplit[]; services: FlagSplit[][] } {
    const F = this.flags;
    const journeys = Array.from({ length: F }, (_, f) => this.split(0, f));
    const services = Array.from({ length: this.services }, (_, s) => Array.from({ length: F }, (_, f) => this.split(1 + s, f)));
    return { journeys, services };
  }

  private split(scope: number, f: number): FlagSplit {
    if (this.dirty[scope * this.flags + f] === 0) return { on: EMPTY, off: EMPTY, compared: 0 };
    this.dirty[scope * this.flags + f] = 0;
    const c = this.counts;
    const K = this.counted[scope];
    const first = this.base[scope] + f * K;
    let compared = 0;
    for (let k = 0; k < K; k++) {
      const on = c[(first + k) * 4], off = c[(first + k) * 4 + 2];
      if (on > 0 && off > 0) compared += on + off;
    }
    const side = (state: number): FlagSlice => {
      let requests = 0, errors = 0, rate = 0;
      const parts: { counts: CoarseCounts; weight: number }[] = [];
      for (let k = 0; k < K; k++) {
        const cell = (first + k) * 2 + state;
        const n = c[cell * 2], failed = c[cell * 2 + 1];
        requests += n;
        errors += failed;
        if (c[(first + k) * 4] > 0 && c[(first + k) * 4 + 2] > 0) {
          const weight = (c[(first + k) * 4] + c[(first + k) * 4 + 2]) / compared;
          rate += (weight * failed) / n;
          parts.push({ counts: this.latency[cell]!, weight });
        }
      }
      const [p50Us, p99Us] = mixturePercentiles(parts, [50, 99]);
      return { requests, errors, errorRate: compared > 0 ? rate : null, p50Us, p99Us };
    };
    const split = { on: side(0), off: side(1), compared };
    for (let k = 0; k < K * 2; k++) {
      c[(first * 2 + k) * 2] = 0;
      c[(first * 2 + k) * 2 + 1] = 0;
      this.latency[first * 2 + k]?.clear();
    }
    return split;
  }
}

const EMPTY: FlagSlice = Object.freeze({ requests: 0, errors: 0, errorRate: null, p50Us: null, p99Us: null });
