/**
 * The caller's side: open-loop arrivals start journeys; a journey or an endpoint runs its operations in turn,
 * each a set of calls sent together (a parallel group waits for all of them, through its client-side pool when
 * it has one), some fire-and-forget; an attempt goes through its breaker and the active faults to its
 * service, and ends in a reply, a timeout (from the call, as a context deadline), a rejection or an open
 * breaker; a failed attempt is retried after an exponential backoff with jitter, or fails its caller. An attempt
 * whose call has a network time reaches its service that much later (the caller waits through it).
 *
 * What each figure means: an endpoint's latency is its callers' view of each attempt from the moment it leaves
 * the caller (a mesh's client-side figure), so a wait for a slot of the caller's own pool is the caller's time.
 */
import type { Scenario } from '../scenario/types.js';
import {
  CAUSE_BREAKER_OPEN, CAUSE_DOWNSTREAM, CAUSE_OK, CAUSE_REJECTED, CAUSE_TIMEOUT,
} from '../telemetry/telemetry.js';
import { ArrivalProcess } from './arrivals.js';
import { Breakers } from './breaker.js';
import { JITTER_EQUAL, JITTER_FULL, RETRY_ON_ERROR, RETRY_ON_REJECTED, RETRY_ON_TIMEOUT } from './compile.js';
import { EV_ARRIVAL, EV_NETWORK, EV_SEND, EV_TIMEOUT, KIND_CALL, KIND_JOURNEY, ST_CALLING, ST_CLIENT_ONLY, ST_NETWORK, ST_WAITING_SEND } from './records.js';
import { Pools } from './pools.js';
import { SLOW_FAULT, SLOW_FLAG, TRUTH_BREAKER, TRUTH_FAULT, TRUTH_FLAG, TRUTH_REJECTED, TRUTH_TIMEOUT } from './truth.js';

export abstract class Calls extends Pools {
  protected readonly arrivals: ArrivalProcess;
  protected readonly breakers: Breakers;
  protected readonly journeyRng: number;
  private readonly journeyCallRng: number;
  private readonly serviceCallRng: Int32Array;
  private readonly retryRng: number;
  private readonly networkRng: number;
  /** Each call site's timeout lane (engine.ts lane()): one per distinct timeout, else -1 (the heap then holds it). */
  private readonly siteTimeoutLane: Int32Array;
  protected journeysArrived = 0;
  /** When the last journey arrived, once the traffic has no more (a count of requests); -1 until then. */
  protected arrivalsEndedUs = -1;
  protected journeysEnded = 0;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    // Fields first changed as the traffic runs out, made changeable now (see Replicas.windowBegan).
    this.arrivalsOpen = false;
    this.arrivalsOpen = true;
    this.arrivalsEndedUs = 0.5;
    this.arrivalsEndedUs = -1;
    const m = this.model;
    const rng = this.rng;
    this.arrivals = new ArrivalProcess(scenario.traffic, scenario.durationUs, rng, rng.stream('arrivals'));
    this.breakers = new Breakers(m, this.engine);
    this.journeyRng = rng.stream('journeys');
    this.journeyCallRng = rng.stream('journey-calls');
    this.retryRng = rng.stream('retry-jitter');
    this.networkRng = m.networked ? rng.stream('network') : -1;
    this.serviceCallRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`calls:${n}`));
    const lanes = new Map<number, number>();
    this.siteTimeoutLane = Int32Array.from(m.siteTimeout, (t) => {
      if (t <= 0) return -1;
      let lane = lanes.get(t);
      if (lane === undefined) lanes.set(t, (lane = this.engine.lane(EV_TIMEOUT)));
      return lane;
    });
  }

  // ---- journeys -------------------------------------------------------------------------------------------

  /** A journey arrives (an EV_ARRIVAL event), and the next arrival is scheduled. */
  protected arrive(): void {
    const m = this.model;
    const now = this.engine.now;
    const cw = m.journeyCumulativeWeight;
    const j = cw.length > 1 ? this.rng.pick(this.journeyRng, cw) : 0;
    const rec = this.alloc();
    this.rKind[rec] = KIND_JOURNEY;
    this.rTarget[rec] = j;
    this.rParent[rec] = -1;
    this.rSent[rec] = now;
    this.rOp[rec] = m.journeyOpStart[j];
    this.rOpEnd[rec] = m.journeyOpEnd[j];
    this.rState[rec] = ST_CALLING;
    this.rRoot[rec] = rec;
    this.rRootGen[rec] = this.rGen[rec];
    this.rJourney[rec] = j;
    this.rUser[rec] = this.users ? this.users.pick(this.rng.next(this.userRng), this.rng.next(this.userRng)) : -1;
    this.rSite[rec] = this.journeysArrived; // a journey's number, in order of arrival (journeys have no call site)
    this.journeyStreams.reseed(rec, this.journeysArrived);
    this.onJourneyStarted.journeyStarted(rec, this.journeysArrived, j);
    this.journeysArrived++;
    const next = this.arrivals.next();
    if (next >= 0) this.engine.at(next, EV_ARRIVAL, 0, 0);
    else {
      this.arrivalsOpen = false;
      this.arrivalsEndedUs = now;
    }
    this.advance(rec);
  }

  private journeyEnded(rec: number, cause: number): void {
    const t = this.telemetry;
    const latency = this.engine.now - this.rSent[rec];
    t.record(t.journeyTag(this.rTarget[rec]), latency, cause);
    this.onJourneyEnded.journeyEnded(rec, cause, latency);
    // Most journeys end well and in time: the truth only counts them, unless a fault slowed them (what it added is told).
    if (cause === CAUSE_OK && latency <= this.sloLatencyUs && (this.rSlow[rec] & SLOW_FAULT) === 0) this.truth.journeys++;
    else this.truth.journey(this.engine.now, latency, cause !== CAUSE_OK, this.rTruth[rec], this.rTruthRef[rec], this.rSlow[rec], this.rSlowFlags[rec], this.rUser[rec], this.rFlagDelay[rec], this.rFaultDelay[rec]);
    this.journeysEnded++;
    this.rEpoch[rec]++;
    this.free(rec);
  }

  // ---- operations, sends, replies ---------------------------------------------------------------------------

  /** Runs the record's operations from its current one until it must wait, or to the end. */
  protected advance(rec: number): void {
    const m = this.model;
    const journey = this.rKind[rec] === KIND_JOURNEY;
    const end = this.rOpEnd[rec];
    for (let op = this.rOp[rec]; op < end; op = this.nextOp(rec)) {
      let pending = 0;
      if (this.marks) this.groupBegun(rec);
      for (let k = m.opSiteStart[op], kEnd = m.opSiteEnd[op]; k < kEnd; k++) {
        if (m.sitePlain[k] === 1) {
          pending++;
          if (this.inlineCalls && this.siteInline[k] === 1 && this.faults.activeCount === 0) this.callInline(rec, k);
          else this.callPlain(rec, k);
          continue;
        }
        // A call repeated inside a parallel group is that many concurrent calls, each drawn on its own.
        for (let copies = m.siteCopies[k]; copies > 0; copies--) {
          const p = m.siteProbability[k];
          if (p < 1 && !this.drawnBelow(rec, journey ? this.journeyCallRng : this.serviceCallRng[m.endpointService[this.rTarget[rec]]], k)) continue;
          if (m.siteAsync[k] === 1) {
            this.spawning = rec;
            this.send(this.spawn(-1, k, 0));
          } else if (this.inlineCalls && this.siteInline[k] === 1 && this.faults.activeCount === 0) {
            pending++;
            this.callInline(rec, k);
          } else {
            pending++;
            this.send(this.spawn(rec, k, 0));
          }
        }
      }
      if (pending > 0) {
        this.rPending[rec] = pending;
        return;
      }
    }
    if (journey) this.journeyEnded(rec, CAUSE_OK);
    else this.serverFinished(rec, CAUSE_OK, CAUSE_OK);
  }

  /** Moves the record to its next operation: the same one again while its repeat lasts (repeats are not expanded). */
  protected nextOp(rec: number): number {
    const repeat = this.model.opRepeat[this.rOp[rec]];
    // Without a repeat, rRep stays 0 (it is 0 whenever an operation begins).
    if (repeat === 1) return ++this.rOp[rec];
    if (++this.rRep[rec] < repeat) return this.rOp[rec];
    this.rRep[rec] = 0;
    return ++this.rOp[rec];
  }

  /** A new call record for site `k` on behalf of `parent` (-1 for fire-and-forget). */
  private spawn(parent: number, k: number, attempt: number): number {
    const rec = this.alloc();
    this.rKind[rec] = KIND_CALL;
    this.rTarget[rec] = this.model.siteEndpoint[k];
    this.rSite[rec] = k;
    this.rAttempt[rec] = attempt;
    this.rParent[rec] = parent;
    this.rParentEpoch[rec] = parent >= 0 ? this.rEpoch[parent] : 0;
    this.rState[rec] = ST_WAITING_SEND;
    // Fire-and-forget calls have no parent but keep their journey's user.
    const from = parent >= 0 ? parent : this.spawning;
    this.inherit(rec, from);
    this.onSpawned.spawned(rec, from, attempt > 0 ? this.spawning : from);
    return rec;
  }

  /** Sends an attempt: through its client-side pool if it has one, then its breaker, then to a replica. */
  private send(rec: number): void {
    const m = this.model;
    const k = this.rSite[rec];
    const pool = m.sitePool[k];
    // The timeout runs from the call, as a context deadline does: it covers the wait for a pool slot too.
    if (this.rAttached[rec] === 0) {
      this.rSent[rec] = this.engine.now;
      this.rAttached[rec] = 1;
      const timeout = m.siteTimeout[k];
      if (timeout > 0) {
        const lane = this.siteTimeoutLane[k];
        if (lane >= 0) this.rTimeoutTicket[rec] = this.engine.afterIn(lane, timeout, rec, this.rGen[rec]);
        else this.engine.after(timeout, EV_TIMEOUT, rec, this.rGen[rec]);
      }
    }
    if (pool >= 0) {
      if (this.rSlot[rec] === 0) {
        if (!this.takeSlot(pool, rec)) {
          this.onWaiting.waiting(rec, k);
          return;
        }
        this.rSlot[rec] = 1;
      }
      // The attempt's latency runs from here (its slot is taken, or was handed over): the wait for it was the caller's.
      this.rSent[rec] = this.engine.now;
    }
    if (this.flags !== null) this.carryFlags(rec);
    this.onSent.sent(rec, k);
    const breaker = m.siteBreaker[k];
    if (breaker >= 0 && !this.breakers.allow(breaker)) {
      this.failSoon(rec, CAUSE_BREAKER_OPEN, TRUTH_BREAKER, -1);
      return;
    }
    if (m.networked) {
      const d = m.siteNetwork[k];
      if (d >= 0) {
        const t = m.dists.sample(d, this.draws, this.drawsOf(rec, this.networkRng));
        if (t > 0) {
          // On the wire: a timeout meanwhile ends the caller's wait, and the request still reaches the service.
          this.rState[rec] = ST_NETWORK;
          this.engine.after(t, EV_NETWORK, rec, this.rGen[rec]);
          return;
        }
      }
    }
    this.reach(rec);
  }

  /**
   * A call from a plain call site (compile.ts sitePlain) on behalf of `parent`: what spawn() and send() do for
   * it, without asking what such a call cannot have.
   */
  private callPlain(parent: number, k: number): void {
    const rec = this.alloc();
    this.rKind[rec] = KIND_CALL;
    this.rTarget[rec] = this.model.siteEndpoint[k];
    this.rSite[rec] = k;
    this.rAttempt[rec] = 0;
    this.rParent[rec] = parent;
    this.rParentEpoch[rec] = this.rEpoch[parent];
    this.rState[rec] = ST_WAITING_SEND;
    this.inherit(rec, parent);
    this.onSpawned.spawned(rec, parent, parent);
    this.rSent[rec] = this.engine.now;
    this.rAttached[rec] = 1;
    if (this.flags !== null) this.carryFlags(rec);
    this.onSent.sent(rec, k);
    if (this.faults.activeCount > 0 && this.faultsOnCall(rec, k)) return;
    this.enterService(rec);
  }

  /** The attempt reaches its service's side (an EV_NETWORK event after its network time): faults on the way, then the service. */
  protected reach(rec: number): void {
    if (this.faults.activeCount > 0 && this.faultsOnCall(rec, this.rSite[rec])) return;
    this.enterService(rec);
  }

  /** A retry after its backoff, or an attempt that waited for a pool slot (an EV_SEND event). */
  protected deferredSend(rec: number): void {
    if (!this.parentWaiting(rec)) {
      this.releaseSlot(rec);
      this.free(rec);
      return;
    }
    this.send(rec);
  }

  /** An attempt's timeout (an EV_TIMEOUT event), if the attempt is still out. */
  protected timedOut(rec: number): void {
    if (this.rAttached[rec] !== 1) return;
    const slot = this.rSlot[rec];
    const pool = this.model.sitePool[this.rSite[rec]];
    // Timed out waiting for a pool slot: it leaves the line (freed when its turn comes) before its caller hears of it.
    if (slot === 0 && pool >= 0 && this.rState[rec] === ST_WAITING_SEND) this.slotWaitTimedOut(pool, rec);
    this.attemptEnded(rec, CAUSE_TIMEOUT, CAUSE_TIMEOUT);
    // A call that was dropped on the way never reaches a service to end it; one handed a slot and not yet sent neither.
    if (this.rState[rec] === ST_CLIENT_ONLY || (this.rState[rec] === ST_WAITING_SEND && slot === 1)) this.free(rec);
  }

  /** An attempt that failed without reaching its service is reported (an EV_FAIL event). */
  protected failedEarly(rec: number): void {
    const cause = this.rCause[rec];
    // A request that reached its service after its caller timed out (on the wire) fails unheard.
    if (this.rAttached[rec] === 1) this.attemptEnded(rec, cause, cause);
    this.free(rec);
  }

  /** The caller's view of an attempt's end: reply, timeout, rejection or open breaker. */
  protected attemptEnded(rec: number, cause: number, root: number): void {
    const m = this.model;
    const k = this.rSite[rec];
    this.rAttached[rec] = 0;
    const e = this.rTarget[rec];
    const latency = this.engine.now - this.rSent[rec];
    // An attempt that gave up waiting for a slot of its caller's pool never reached its endpoint: it is the pool's
    // (timedOutWaiting) and its caller's failure, in none of the endpoint's figures.
    if (this.rSlot[rec] !== 2) this.telemetry.record(e, latency, cause);
    this.onAttemptEnded.attemptEnded(rec, cause, latency);
    // A plain call site has no timeout, no breaker and no client-side pool.
    if (m.sitePlain[k] === 0) {
      // The attempt's timeout will find it ended: it leaves the queue now (nothing if this is the timeout).
      const lane = this.siteTimeoutLane[k];
      if (lane >= 0) this.engine.cancelIn(lane, this.rTimeoutTicket[rec]);
      const breaker = m.siteBreaker[k];
      if (breaker >= 0 && cause !== CAUSE_BREAKER_OPEN) this.breakers.record(breaker, cause !== CAUSE_OK);
      this.releaseSlot(rec);
    }
    const parent = this.rParent[rec];
    if (!this.parentWaiting(rec)) return;
    if (this.marks) this.attemptDelays(rec, this.engine.now, cause === CAUSE_TIMEOUT);
    if (cause !== CAUSE_OK && this.rAttempt[rec] < m.siteRetries[k] && this.retriable(k, cause)) {
      this.spawning = rec;
      const retry = this.spawn(parent, k, this.rAttempt[rec] + 1);
      if (this.marks) {
        if (cause !== CAUSE_TIMEOUT) this.retriedAfter(rec);
        this.carryDelays(rec, retry);
      }
      this.engine.after(this.backoff(k, this.rAttempt[rec] + 1, rec), EV_SEND, retry, this.rGen[retry]);
      return;
    }
    if (parent < 0) return;
    if (cause !== CAUSE_OK && m.siteOptional[k] === 0) {
      if (cause === CAUSE_TIMEOUT) {
        const slow = this.rSlow[rec];
        this.rTruth[rec] = (slow & SLOW_FAULT) !== 0 ? TRUTH_FAULT : (slow & SLOW_FLAG) !== 0 ? TRUTH_FLAG : TRUTH_TIMEOUT;
        if (this.rTruth[rec] === TRUTH_FLAG) this.rTruthRef[rec] = 31 - Math.clz32(this.rSlowFlags[rec] & -this.rSlowFlags[rec]);
      }
      this.rTruth[parent] = this.rTruth[rec];
      this.rTruthRef[parent] = this.rTruthRef[rec];
      // A capacity failure (timeout, rejection, open breaker) on the call path a flag put in place is that flag's.
      const alt = this.rAltFlag[parent];
      const t = this.rTruth[parent];
      if (alt >= 0 && (t === TRUTH_TIMEOUT || t === TRUTH_REJECTED || t === TRUTH_BREAKER)) {
        this.rTruth[parent] = TRUTH_FLAG;
        this.rTruthRef[parent] = alt;
      }
      this.rEpoch[parent]++; // siblings still in flight are now orphans
      if (m.sitePool[k] >= 0) this.leaveLineOrphans(m.sitePool[k]);
      if (this.rKind[parent] === KIND_JOURNEY) this.journeyEnded(parent, root);
      else this.serverFinished(parent, CAUSE_DOWNSTREAM, root);
      return;
    }
    if (this.marks) this.callEnded(parent, this.engine.now, this.rFlagDelay[rec], this.rFaultDelay[rec]);
    this.childReplied(parent);
  }

  protected childReplied(rec: number): void {
    if (--this.rPending[rec] === 0) {
      if (this.marks) this.groupEnded(rec, this.engine.now);
      this.rEpoch[rec]++;
      this.nextOp(rec);
      this.advance(rec);
    }
  }

  private retriable(k: number, cause: number): boolean {
    const on = this.model.siteRetryOn[k];
    if (cause === CAUSE_TIMEOUT) return (on & RETRY_ON_TIMEOUT) !== 0;
    if (cause === CAUSE_REJECTED) return (on & RETRY_ON_REJECTED) !== 0;
    if (cause === CAUSE_BREAKER_OPEN) return false;
    return (on & RETRY_ON_ERROR) !== 0;
  }

  /** Exponential backoff before retry number `n` (from 1) of record `rec`'s call, capped, with jitter. */
  private backoff(k: number, n: number, rec: number): number {
    const m = this.model;
    let b = m.siteBackoff[k] * Math.pow(m.siteMultiplier[k], n - 1);
    if (b > m.siteMaxBackoff[k]) b = m.siteMaxBackoff[k];
    const jitter = m.siteJitter[k];
    if (jitter === JITTER_FULL) b *= this.drawFor(rec, this.retryRng);
    else if (jitter === JITTER_EQUAL) b = b / 2 + (b / 2) * this.drawFor(rec, this.retryRng);
    return Math.round(b);
  }
}
