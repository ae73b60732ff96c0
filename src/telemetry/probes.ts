/**
 * Probes: the queries a monitoring stack would run for the rollout's gates, kept up as requests end instead of
 * stored request by request. Each probe selects requests by scope (some endpoints, or some journeys), a flag's
 * state, a user segment and whether they failed, and keeps counts (and latencies, when a gate needs them)
 * either in a ring of time slots that its owner rotates at each evaluation, or in one accumulator that its
 * owner resets.
 *
 * A split probe (comparisons of flag on against off) keeps its counts per journey and per side instead: users
 * the flag system serves the flag, and the others, whichever services their requests reached.
 */
import { CoarseCounts } from './coarse.js';
import { BucketCounts } from './histogram.js';

export interface ProbeSpec {
  /** Endpoints (by index) or journeys (by index) whose requests the probe sees. */
  readonly scope: 'endpoints' | 'journeys';
  readonly targets: readonly number[];
  /** Flag index whose state must match `flagOn`, or -1. */
  readonly flag: number;
  readonly flagOn: boolean;
  /** Segment index, or -1 for all users. */
  readonly segment: number;
  /** Requests that failed (1), that did not (0), or all (-1, the default). */
  readonly outcome?: number;
  readonly latency: boolean;
  /** Slots in the ring; 0 for one accumulator. */
  readonly slots: number;
  /** Split by journey and by the user's assignment to `flag` (which must be set); `flagOn` is then unused. */
  readonly split?: boolean;
}

/** A split probe's counts over a span, per group: group 2k for users of stratum k served the flag, 2k + 1 the others. */
export interface SplitWindow {
  readonly requests: Float64Array;
  readonly failed: Float64Array;
  readonly latency: CoarseCounts[] | null;
}

/** Counts over a span: requests, failures, and latencies if the probe keeps them. */
export interface ProbeWindow {
  requests: number;
  failed: number;
  latency: BucketCounts | null;
}

class Probe {
  /**
   * A split probe's stratum of each journey (and, last, of calls of no known journey), or -1 where it
   * keeps none: the journeys it selects, or every journey for calls to endpoints. Null for other probes.
   */
  readonly strata: Int32Array | null;
  /** Counters per slot: one group, or a split probe's two per stratum. */
  readonly groups: number;
  readonly requests: Float64Array;
  readonly failed: Float64Array;
  readonly latency: BucketCounts[] | null;
  /** A split probe's latencies, per slot and group, made when first needed. */
  readonly splitLatency: (CoarseCounts | null)[] | null;
  /** The slot being filled. */
  current = 0;
  /** spec.outcome: 1 failed requests only, 0 the others only, -1 all. */
  readonly outcome: number;
  /** Closed slots holding data since the last reset, up to slots - 1. */
  filled = 0;

  constructor(readonly spec: ProbeSpec, journeys: number) {
    const n = Math.max(1, spec.slots);
    this.outcome = spec.outcome ?? -1;
    this.strata = null;
    this.groups = 1;
    if (spec.split) {
      const strata = new Int32Array(journeys + 1).fill(-1);
      let k = 0;
      if (spec.scope === 'journeys') for (const j of spec.targets) strata[j] = strata[j] < 0 ? k++ : strata[j];
      else for (let j = 0; j <= journeys; j++) strata[j] = k++;
      this.strata = strata;
      this.groups = Math.max(1, k) * 2;
    }
    this.requests = new Float64Array(n * this.groups);
    this.failed = new Float64Array(n * this.groups);
    this.latency = spec.latency && !spec.split ? Array.from({ length: n }, () => new BucketCounts()) : null;
    this.splitLatency = spec.latency && spec.split ? new Array<CoarseCounts | null>(n * this.groups).fill(null) : null;
  }
}

export class Probes {
  private readonly probes: Probe[] = [];
  private endpointSubs: number[][];
  private journeySubs: number[][];
  /** Whether any probe looks at an endpoint or a journey: lets the hot path skip the rest. */
  readonly endpointWatched: Uint8Array;
  readonly journeyWatched: Uint8Array;

  /** `onFirst` is called when the first probe is added: the owner starts feeding requests in from then on. */
  constructor(endpoints: number, journeys: number, private onFirst: (() => void) | null = null) {
    this.endpointSubs = Array.from({ length: endpoints }, () => []);
    this.journeySubs = Array.from({ length: journeys }, () => []);
    this.endpointWatched = new Uint8Array(endpoints);
    this.journeyWatched = new Uint8Array(journeys);
  }

  add(spec: ProbeSpec): number {
    if (spec.split && spec.flag < 0) throw new Error('a split probe needs a flag');
    const id = this.probes.push(new Probe(spec, this.journeySubs.length)) - 1;
    if (this.onFirst !== null) {
      const first = this.onFirst;
      this.onFirst = null;
      first();
    }
    const subs = spec.scope === 'endpoints' ? this.endpointSubs : this.journeySubs;
    const watched = spec.scope === 'endpoints' ? this.endpointWatched : this.journeyWatched;
    for (const t of spec.targets) {
      subs[t].push(id);
      watched[t] = 1;
    }
    return id;
  }

  /**
   * A request to endpoint `e` ended, serving journey `journey` (ended or not; -1: none known). `flagsOn` is a bit set
   * of the flags it saw on, `assigned` of those its user is served (-1: the same as `flagsOn`).
   */
  recordEndpoint(e: number, latencyUs: number, failed: boolean, flagsOn: number, segment: number, assigned = -1, journey = -1): void {
    this.record(this.endpointSubs[e], latencyUs, failed, flagsOn, segment, assigned === -1 ? flagsOn : assigned, journey < 0 ? this.journeySubs.length : journey);
  }

  /** A journey `j` ended: as recordEndpoint. */
  recordJourney(j: number, latencyUs: number, failed: boolean, flagsOn: number, segment: number, assigned = -1): void {
    this.record(this.journeySubs[j], latencyUs, failed, flagsOn, segment, assigned === -1 ? flagsOn : assigned, j);
  }

  private record(subs: number[], latencyUs: number, failed: boolean, flagsOn: number, segment: number, assigned: number, stratum: number): void {
    for (let k = 0; k < subs.length; k++) {
      const p = this.probes[subs[k]];
      const s = p.spec;
      if (s.segment >= 0 && s.segment !== segment) continue;
      if (p.outcome >= 0 && p.outcome !== (failed ? 1 : 0)) continue;
      let i = p.current;
      if (p.strata !== null) {
        const k = p.strata[stratum];
        if (k < 0) continue;
        i = i * p.groups + k * 2 + ((assigned >>> s.flag) & 1 ? 0 : 1);
      } else if (s.flag >= 0 && ((flagsOn >>> s.flag) & 1) !== (s.flagOn ? 1 : 0)) continue;
      p.requests[i]++;
      if (failed) p.failed[i]++;
      if (p.latency) p.latency[i].record(latencyUs);
      else if (p.splitLatency) (p.splitLatency[i] ??= new CoarseCounts()).record(latencyUs);
    }
  }

  /** Closes the current slot of a ring probe and opens the next (the oldest is dropped). */
  rotate(id: number): void {
    const p = this.probes[id];
    const n = p.requests.length / p.groups;
    if (n === 1) return;
    p.current = (p.current + 1) % n;
    const from = p.current * p.groups;
    p.requests.fill(0, from, from + p.groups);
    p.failed.fill(0, from, from + p.groups);
    p.latency?.[p.current].clear();
    if (p.splitLatency) for (let g = from; g < from + p.groups; g++) p.splitLatency[g]?.clear();
    if (p.filled < n - 1) p.filled++;
  }

  /** Forgets everything the probe has seen (at a stage change, for gates that look at the stage only). */
  reset(id: number): void {
    const p = this.probes[id];
    p.requests.fill(0);
    p.failed.fill(0);
    p.latency?.forEach((b) => b.clear());
    p.splitLatency?.forEach((b) => b?.clear());
    p.filled = 0;
  }

  /** A split probe's window, as window() reads one: its groups' counts (and latencies into `into`, when kept). */
  splitWindow(id: number, slots: number, into: SplitWindow): SplitWindow {
    const p = this.probes[id];
    into.requests.fill(0);
    into.failed.fill(0);
    into.latency?.forEach((b) => b.clear());
    if (p.spec.slots === 0) return addSlot(p, 0, into);
    const n = p.requests.length / p.groups;
    const take = Math.min(slots, p.filled);
    for (let k = 1; k <= take; k++) addSlot(p, (p.current - k + n) % n, into);
    return into;
  }

  /** An empty window for a split probe's groups. */
  splitScratch(id: number): SplitWindow {
    const p = this.probes[id];
    return {
      requests: new Float64Array(p.groups), failed: new Float64Array(p.groups),
      latency: p.splitLatency ? Array.from({ length: p.groups }, () => new CoarseCounts()) : null,
    };
  }

  /**
   * The counts over the last `slots` closed slots of a ring probe, or over everything since the last reset of
   * an accumulator (slots = 0). Latencies are merged into `into` when given.
   */
  window(id: number, slots: number, into: BucketCounts | null): ProbeWindow {
    const p = this.probes[id];
    const n = p.requests.length / p.groups;
    const w: ProbeWindow = { requests: 0, failed: 0, latency: into };
    into?.clear();
    if (p.spec.slots === 0) {
      w.requests = p.requests[0];
      w.failed = p.failed[0];
      if (into && p.latency) into.merge(p.latency[0]);
      return w;
    }
    const take = Math.min(slots, p.filled);
    for (let k = 1; k <= take; k++) {
      const i = (p.current - k + n) % n;
      w.requests += p.requests[i];
      w.failed += p.failed[i];
      if (into && p.latency) into.merge(p.latency[i]);
    }
    return w;
  }

  /** Closed slots a ring probe holds since its last reset. */
  filled(id: number): number {
    return this.probes[id].filled;
  }
}

/** Adds a split probe's slot to a window. */
function addSlot(p: Probe, slot: number, into: SplitWindow): SplitWindow {
  const G = p.groups;
  for (let g = 0; g < G; g++) {
    into.requests[g] += p.requests[slot * G + g];
    into.failed[g] += p.failed[slot * G + g];
    const b = p.splitLatency?.[slot * G + g];
    if (into.latency && b) into.latency[g].merge(b);
  }
  return into;
}
