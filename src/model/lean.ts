/**
 * The lean path: the call lifecycle of a run that nothing can fail or slow but its own queues. When a model has no
 * flags, faults, errors, bounded queues, timeouts, client-side pools, breakers, network times or fire-and-forget
 * calls, and nobody observes a call (simulation.ts begin), no call can fail, time out, be retried or outlive its
 * journey: a record needs no epoch, attempt, cause, truth or marks, every draw is its journey's own, and what a
 * general path asks of each call (is a flag on, is a fault active, does the caller still wait, is there a pool
 * slot to give back) has one answer. This room makes the same draws, the same events at the same instants in the
 * same order and the same telemetry as the general path (calls.ts, servers.ts) on such a model, without the
 * questions; its own event kinds (records.ts EV_LEAN_*) keep the dispatch free of a check of its own.
 */
import type { Scenario } from '../scenario/types.js';
import { CAUSE_OK } from '../telemetry/telemetry.js';
import { Calls } from './calls.js';
import type { CompiledModel } from './compile.js';
import { EV_LEAN_ARRIVAL, EV_LEAN_DONE, EV_LEAN_INLINE } from './records.js';
import { TRUTH_NONE } from './truth.js';

/** Whether a model's calls can only succeed, once and in time (see above): its runs may take the lean path. */
export function leanModel(m: CompiledModel, scenario: Scenario): boolean {
  if (scenario.flags.length > 0 || scenario.faults.length > 0 || m.networked) return false;
  for (let k = 0; k < m.siteEndpoint.length; k++) {
    if (m.siteAsync[k] === 1 || m.siteTimeout[k] > 0 || m.sitePool[k] >= 0 || m.siteBreaker[k] >= 0) return false;
  }
  for (let e = 0; e < m.endpointNames.length; e++) if (m.endpointMayFail[e] === 1 || m.endpointEffects[e] === 1) return false;
  for (let s = 0; s < m.serviceNames.length; s++) if (Number.isFinite(m.serviceQueue[s])) return false;
  return true;
}

export abstract class Lean extends Calls {
  private readonly leanShape: boolean;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    this.leanShape = leanModel(this.model, scenario);
  }

  /** Whether this run can take the lean path: its model's shape, no controller, nobody hearing of a call. */
  protected leanPossible(): boolean {
    return this.leanShape && this.inlineCalls && this.controller === null && this.callHooksSilent;
  }

  /**
   * A record (RecordPool.alloc()) with what the lean path reads of it: the operation's repeat count. Nothing else
   * is cleared: its generation, epoch, truth and marks are never read on the lean path (a journey's truth is what
   * a journey that ends well has).
   */
  private allocLean(): number {
    if (this.freeTop === 0) return this.alloc();
    const rec = this.freeList[--this.freeTop];
    this.rRep[rec] = 0;
    this.live++;
    return rec;
  }

  /** RecordPool.free() of what the lean path keeps. */
  private freeLean(rec: number): void {
    this.freeList[this.freeTop++] = rec;
    this.live--;
    this.lastEnd = this.engine.now;
    if (this.live === 0 && !this.arrivalsOpen && this.horizon === Infinity) this.engine.halt();
  }

  /** A replica of service `s`, round robin (Servers.pickReplica(): on the lean path no replica is ever down). */
  private replicaLean(s: number): number {
    const m = this.model;
    const n = m.serviceReplicas[s];
    if (n === 1) return m.serviceReplicaStart[s];
    const turn = this.roundRobin[s];
    this.roundRobin[s] = turn + 1 === n ? 0 : turn + 1;
    return m.serviceReplicaStart[s] + turn;
  }

  /** A journey arrives (an EV_LEAN_ARRIVAL event): Calls.arrive() on the lean path. */
  protected arriveLean(): void {
    const m = this.model;
    const now = this.engine.now;
    const cw = m.journeyCumulativeWeight;
    const j = cw.length > 1 ? this.rng.pick(this.journeyRng, cw) : 0;
    const rec = this.allocLean();
    this.rKind[rec] = 1;
    this.rTarget[rec] = j;
    this.rParent[rec] = -1;
    this.rSent[rec] = now;
    this.rOp[rec] = m.journeyOpStart[j];
    this.rOpEnd[rec] = m.journeyOpEnd[j];
    this.rRoot[rec] = rec;
    this.rJourney[rec] = j;
    this.rUser[rec] = this.users ? this.users.pick(this.rng.next(this.userRng), this.rng.next(this.userRng)) : -1;
    this.rSite[rec] = this.journeysArrived;
    this.journeyStreams.reseed(rec, this.journeysArrived);
    this.onJourneyStarted.journeyStarted(rec, this.journeysArrived, j);
    this.journeysArrived++;
    const next = this.arrivals.next();
    if (next >= 0) this.engine.at(next, EV_LEAN_ARRIVAL, 0, 0);
    else {
      this.arrivalsOpen = false;
      this.arrivalsEndedUs = now;
    }
    this.advanceLean(rec);
  }

  /**
   * Runs the record's operations from its current one until it must wait, or to the end: Calls.advance(). A call
   * that ends replies, and its caller goes on in the same loop (not by recursion, which V8 would inline into
   * itself over and over).
   */
  private advanceLean(rec: number): void {
    const m = this.model;
    for (;;) {
      const end = this.rOpEnd[rec];
      for (let op = this.rOp[rec]; op < end; op = this.nextOp(rec)) {
        let pending = 0;
        for (let k = m.opSiteStart[op], kEnd = m.opSiteEnd[op]; k < kEnd; k++) {
          for (let copies = m.siteCopies[k]; copies > 0; copies--) {
            // Every draw is the journey's own (its journey outlives every call made for it).
            if (m.siteProbability[k] < 1) {
              this.journeyStreams.step(this.rRoot[rec]);
              if (this.journeyStreams.out[0] / 4294967296 >= m.siteProbability[k]) continue;
            }
            pending++;
            if (this.siteInline[k] === 1) this.callLeanInline(rec, k);
            else this.callLean(rec, k);
          }
        }
        if (pending > 0) {
          this.rPending[rec] = pending;
          return;
        }
      }
      const parent = this.rParent[rec];
      if (parent < 0) {
        this.journeyEndedLean(rec);
        return;
      }
      this.replyLean(rec);
      if (--this.rPending[parent] !== 0) return;
      this.nextOp(parent);
      rec = parent;
    }
  }

  /** A call with a record of its own: Calls.callPlain() and Servers.enterService(). */
  private callLean(parent: number, k: number): void {
    const m = this.model;
    const rec = this.allocLean();
    const e = m.siteEndpoint[k];
    this.rTarget[rec] = e;
    this.rParent[rec] = parent;
    this.rRoot[rec] = this.rRoot[parent];
    this.rSent[rec] = this.engine.now;
    const s = m.endpointService[e];
    const r = this.replicaLean(s);
    this.rReplica[rec] = r;
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.busy[r]++;
      this.busyUp(s);
      this.startLean(rec, e);
    } else {
      this.enqueue(r, rec);
      this.queuedUp(s);
    }
  }

  /** Own processing on a worker: Servers.start(). */
  private startLean(rec: number, e: number): void {
    const now = this.engine.now;
    this.telemetry.started(e, now - this.rSent[rec]);
    const t = this.model.dists.sample(this.model.endpointLatency[e], this.journeyStreams, this.rRoot[rec]);
    this.engine.after(t, EV_LEAN_DONE, rec, 0);
  }

  /** Own processing done (an EV_LEAN_DONE event): a leaf replies, another makes its calls (Servers.serviceDone()). */
  protected serviceDoneLean(rec: number): void {
    const m = this.model;
    const e = this.rTarget[rec];
    const start = m.endpointOpStart[e];
    if (start === m.endpointOpEnd[e]) {
      this.finishLean(rec);
      return;
    }
    this.rOp[rec] = start;
    this.rOpEnd[rec] = m.endpointOpEnd[e];
    this.advanceLean(rec);
  }

  /** The service replies to its caller, who goes on: Servers.serverFinished() and Calls.attemptEnded(). */
  private finishLean(rec: number): void {
    const parent = this.rParent[rec];
    this.replyLean(rec);
    this.childRepliedLean(parent);
  }

  /** The reply: the worker is free, the call's latency recorded and its record given back. */
  private replyLean(rec: number): void {
    const r = this.rReplica[rec];
    this.workerFreeLean(r, this.model.replicaService[r]);
    this.telemetry.record(this.rTarget[rec], this.engine.now - this.rSent[rec], CAUSE_OK);
    this.freeLean(rec);
  }

  private childRepliedLean(rec: number): void {
    if (--this.rPending[rec] === 0) {
      this.nextOp(rec);
      this.advanceLean(rec);
    }
  }

  /** A worker of replica `r` is done: it takes the next queued request, else idles (Servers.workerFree()). */
  private workerFreeLean(r: number, s: number): void {
    if (this.qLen[r] > 0) {
      this.queuedDown(s);
      const next = this.dequeue(r);
      if (next >= 0) this.startLean(next, this.rTarget[next]);
      else this.startLeanInline(~next);
    } else {
      this.busy[r]--;
      this.busyDown(s);
    }
  }

  private journeyEndedLean(rec: number): void {
    const t = this.telemetry;
    const now = this.engine.now;
    const latency = now - this.rSent[rec];
    t.record(t.journeyTag(this.rTarget[rec]), latency, CAUSE_OK);
    this.onJourneyEnded.journeyEnded(rec, CAUSE_OK, latency);
    if (latency <= this.sloLatencyUs) this.truth.journeys++;
    else this.truth.journey(now, latency, false, TRUTH_NONE, -1, 0, 0, this.rUser[rec], 0, 0);
    this.journeysEnded++;
    this.freeLean(rec);
  }

  // ---- calls without records: Servers.callInline(), startInline(), inlineServed() -----------------------------

  private callLeanInline(parent: number, k: number): void {
    const m = this.model;
    const e = m.siteEndpoint[k];
    const s = m.endpointService[e];
    const r = this.replicaLean(s);
    this.rChildTarget[parent] = e;
    this.rChildReplica[parent] = r;
    this.rChildSent[parent] = this.engine.now;
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.busy[r]++;
      this.busyUp(s);
      this.startLeanInline(parent);
    } else {
      this.enqueue(r, ~parent);
      this.queuedUp(s);
    }
  }

  private startLeanInline(parent: number): void {
    const e = this.rChildTarget[parent];
    this.telemetry.started(e, this.engine.now - this.rChildSent[parent]);
    const t = this.model.dists.sample(this.model.endpointLatency[e], this.journeyStreams, this.rRoot[parent]);
    this.engine.after(t, EV_LEAN_INLINE, parent, 0);
  }

  /** A call without a record has been served (an EV_LEAN_INLINE event). */
  protected inlineServedLean(parent: number): void {
    const r = this.rChildReplica[parent];
    this.workerFreeLean(r, this.model.replicaService[r]);
    this.telemetry.record(this.rChildTarget[parent], this.engine.now - this.rChildSent[parent], CAUSE_OK);
    this.childRepliedLean(parent);
  }
}
