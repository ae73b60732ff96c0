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

  /**
   * A lean event (records.ts EV_LEAN_*), and everything it sets off: the one place the lean path goes on from. Each
   * step that may come of an event has one place in the code (a call, a reply, a worker taking the next request), so
   * the compiler keeps one copy of each: called from several places, each caller had its own copy inlined, and the
   * hot path's machine code outgrew the first-level instruction cache.
   *
   * The loop runs a record's operations from its current one until it must wait (its calls made), or to its end: a
   * journey then ends, a call replies to its caller (Servers.serverFinished(), Calls.attemptEnded()), and the caller
   * goes on in the same loop when that was its last pending call (not by recursion, which the compiler would inline
   * into itself over and over). A call without a record (an EV_LEAN_INLINE event) enters the loop at its reply.
   */
  protected leanEvent(kind: number, a: number): void {
    const m = this.model;
    const telemetry = this.telemetry;
    const engine = this.engine;
    let rec = a;
    // Set when a call without a record of `rec`'s has been served: the loop starts at its reply.
    let inlineServed = false;
    if (kind === EV_LEAN_DONE) {
      // Own processing done (Servers.serviceDone()): a leaf has no operations and replies at once.
      const e = this.rTarget[rec];
      this.rOp[rec] = m.endpointOpStart[e];
      this.rOpEnd[rec] = m.endpointOpEnd[e];
    } else if (kind === EV_LEAN_INLINE) inlineServed = true;
    else rec = this.arriveLean();
    for (;;) {
      let r: number, e: number, sent: number, parent: number, done: number;
      if (inlineServed) {
        inlineServed = false;
        r = this.rChildReplica[rec];
        e = this.rChildTarget[rec];
        sent = this.rChildSent[rec];
        parent = rec;
        done = -1;
      } else {
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
              this.callLean(rec, k);
            }
          }
          if (pending > 0) {
            this.rPending[rec] = pending;
            return;
          }
        }
        parent = this.rParent[rec];
        if (parent < 0) {
          this.journeyEndedLean(rec);
          return;
        }
        r = this.rReplica[rec];
        e = this.rTarget[rec];
        sent = this.rSent[rec];
        done = rec;
      }
      // The reply: the call's latency recorded, the worker free (it takes the next queued request, else idles:
      // Servers.workerFree()) and the call's record (if it has one) given back. Written out here, the one place a
      // worker frees on the lean path, so that what the reply reads stays in registers across it.
      const now = engine.now;
      telemetry.record(e, now - sent, CAUSE_OK);
      const s = m.replicaService[r];
      if (this.qLen[r] > 0) {
        this.queuedDown(s);
        const next = this.dequeue(r);
        const nextSent = next >= 0 ? this.rSent[next] : this.rChildSent[~next];
        this.startLean(next, next >= 0 ? this.rTarget[next] : this.rChildTarget[~next], now - nextSent);
      } else {
        this.busy[r]--;
        this.busyDown(s);
      }
      if (done >= 0) this.freeLean(done);
      if (--this.rPending[parent] !== 0) return;
      this.nextOp(parent);
      rec = parent;
    }
  }

  /** A journey arrives (an EV_LEAN_ARRIVAL event): Calls.arrive() on the lean path. Returns the journey's record. */
  private arriveLean(): number {
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
    return rec;
  }

  /**
   * A call (Calls.callPlain() and Servers.enterService()): with a record of its own, or, at a site whose calls need
   * none, in its caller's record (Servers.callInline()). Starts on a free worker, else queues.
   */
  private callLean(parent: number, k: number): void {
    const m = this.model;
    const e = m.siteEndpoint[k];
    const s = m.endpointService[e];
    const r = this.replicaLean(s);
    const now = this.engine.now;
    // What the replica's queue and startLean() know the call by: its record, or ~ its caller's.
    let call: number;
    if (this.siteInline[k] === 1) {
      this.rChildTarget[parent] = e;
      this.rChildReplica[parent] = r;
      this.rChildSent[parent] = now;
      call = ~parent;
    } else {
      call = this.allocLean();
      this.rTarget[call] = e;
      this.rParent[call] = parent;
      this.rRoot[call] = this.rRoot[parent];
      this.rSent[call] = now;
      this.rReplica[call] = r;
    }
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.busy[r]++;
      this.busyUp(s);
      this.startLean(call, e, 0);
    } else {
      this.enqueue(r, call);
      this.queuedUp(s);
    }
  }

  /**
   * Own processing of call `call` (a record, or ~ its caller's: see callLean()) to endpoint `e` on a worker, after
   * waiting `waited` microseconds in a queue: Servers.start() and startInline().
   */
  private startLean(call: number, e: number, waited: number): void {
    this.telemetry.started(e, waited);
    const rec = call >= 0 ? call : ~call;
    const t = this.model.dists.sample(this.model.endpointLatency[e], this.journeyStreams, this.rRoot[rec]);
    this.engine.after(t, call >= 0 ? EV_LEAN_DONE : EV_LEAN_INLINE, rec, 0);
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
}
