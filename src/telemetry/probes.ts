/**
 * Probes: the queries a monitoring stack would run for the rollout's gates, kept up as requests end instead of
 * stored request by request. Each probe selects requests by scope (some endpoints, or some journeys), a flag's
 * state and a user segment, and keeps counts (and latencies, when a gate needs them) either in a ring of time
 * slots that its owner rotates at each evaluation, or in one accumulator that its owner resets.
 */
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
  readonly latency: boolean;
  /** Slots in the ring; 0 for one accumulator. */
  readonly slots: number;
}

/** Counts over a span: requests, failures, and latencies if the probe keeps them. */
export interface ProbeWindow {
  requests: number;
  failed: number;
  latency: BucketCounts | null;
}

class Probe {
  readonly requests: Float64Array;
  readonly failed: Float64Array;
  readonly latency: BucketCounts[] | null;
  /** The slot being filled. */
  current = 0;
  /** Closed slots holding data since the last reset, up to slots - 1. */
  filled = 0;

  constructor(readonly spec: ProbeSpec) {
    const n = Math.max(1, spec.slots);
    this.requests = new Float64Array(n);
    this.failed = new Float64Array(n);
    this.latency = spec.latency ? Array.from({ length: n }, () => new BucketCounts()) : null;
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
    const id = this.probes.push(new Probe(spec)) - 1;
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

  /** A request to endpoint `e` (or of journey `j`) ended. `flagsOn` is a bit set of the flags it saw on. */
  recordEndpoint(e: number, latencyUs: number, failed: boolean, flagsOn: number, segment: number): void {
    this.record(this.endpointSubs[e], latencyUs, failed, flagsOn, segment);
  }

  recordJourney(j: number, latencyUs: number, failed: boolean, flagsOn: number, segment: number): void {
    this.record(this.journeySubs[j], latencyUs, failed, flagsOn, segment);
  }

  private record(subs: number[], latencyUs: number, failed: boolean, flagsOn: number, segment: number): void {
    for (let k = 0; k < subs.length; k++) {
      const p = this.probes[subs[k]];
      const s = p.spec;
      if (s.flag >= 0 && ((flagsOn >>> s.flag) & 1) !== (s.flagOn ? 1 : 0)) continue;
      if (s.segment >= 0 && s.segment !== segment) continue;
      const i = p.current;
      p.requests[i]++;
      if (failed) p.failed[i]++;
      if (p.latency) p.latency[i].record(latencyUs);
    }
  }

  /** Closes the current slot of a ring probe and opens the next (the oldest is dropped). */
  rotate(id: number): void {
    const p = this.probes[id];
    const n = p.requests.length;
    if (n === 1) return;
    p.current = (p.current + 1) % n;
    p.requests[p.current] = 0;
    p.failed[p.current] = 0;
    p.latency?.[p.current].clear();
    if (p.filled < n - 1) p.filled++;
  }

  /** Forgets everything the probe has seen (at a stage change, for gates that look at the stage only). */
  reset(id: number): void {
    const p = this.probes[id];
    p.requests.fill(0);
    p.failed.fill(0);
    p.latency?.forEach((b) => b.clear());
    p.filled = 0;
  }

  /**
   * The counts over the last `slots` closed slots of a ring probe, or over everything since the last reset of
   * an accumulator (slots = 0). Latencies are merged into `into` when given.
   */
  window(id: number, slots: number, into: BucketCounts | null): ProbeWindow {
    const p = this.probes[id];
    const n = p.requests.length;
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
