/**
 * The service's side of a call: a replica picked round robin among those up, a worker or a place in its
 * queue (else the call is rejected), own processing (a success or an error, with the latency of one or the
 * other, changed by the flags on for the request and by faults on the service), then the endpoint's own calls
 * (calls.ts), holding the worker while it waits on them, as a thread-per-request server does.
 */
import type { Scenario } from '../scenario/types.js';
import { CAUSE_CONTRACT, CAUSE_ERROR, CAUSE_OK, CAUSE_REJECTED } from '../telemetry/telemetry.js';
import { FaultRoom } from './faults.js';
import { EV_INLINE_DONE, EV_SERVICE_DONE, KIND_CALL, ST_CALLING, ST_QUEUED, ST_RUNNING } from './records.js';
import { SLOW_FAULT, SLOW_FLAG, TRUTH_BASE, TRUTH_CONTRACT, TRUTH_FAULT, TRUTH_FLAG, TRUTH_REJECTED } from './truth.js';

export abstract class Servers extends FaultRoom {
  private readonly serviceLatencyRng: Int32Array;
  private readonly serviceErrorRng: Int32Array;
  /** Requests each endpoint has started, for failure patterns (errors: { every: N }). */
  private readonly errorCount: Float64Array;
  /**
   * Per call site, whether a call from it can be made without a record of its own (callInline): the only call of
   * its operation, once, waited for, with no timeout, client-side pool, breaker or network time (made always or with
   * a probability), to a leaf endpoint that cannot fail and that no flag changes, on a service that evaluates no
   * flag. (Such a call can still be refused by a full queue: it then gets a record, as it is refused.)
   */
  protected readonly siteInline: Uint8Array;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    const rng = this.rng;
    this.serviceLatencyRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`latency:${n}`));
    this.serviceErrorRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`errors:${n}`));
    this.errorCount = new Float64Array(m.endpointNames.length);
    const alone = new Uint8Array(m.siteEndpoint.length);
    for (let op = 0; op < m.opSiteStart.length; op++) if (m.opSiteEnd[op] - m.opSiteStart[op] === 1) alone[m.opSiteStart[op]] = 1;
    this.siteInline = Uint8Array.from(m.siteEndpoint, (e, k) => (alone[k] === 1 && m.siteCopies[k] === 1 && m.siteAsync[k] === 0 && !(m.siteTimeout[k] > 0)
      && m.sitePool[k] < 0 && m.siteBreaker[k] < 0 && m.siteNetwork[k] < 0 && m.endpointOpStart[e] === m.endpointOpEnd[e]
      && m.endpointMayFail[e] === 0 && m.endpointEffects[e] === 0
      && (this.flags === null || this.flags.evaluatedBy[m.endpointService[e]].length === 0) ? 1 : 0));
  }

  /** Runs the record's operations from its current one until it must wait, or to the end (calls.ts). */
  protected abstract advance(rec: number): void;

  /** A call the record waited on replied in time and well: it goes on once it has no other call to wait on (calls.ts). */
  protected abstract childReplied(rec: number): void;

  /** A replica of service `s`, round robin over those that are up (when none is, the last one tried). */
  protected pickReplica(s: number): number {
    const m = this.model;
    const first = m.serviceReplicaStart[s];
    const n = m.serviceReplicas[s];
    let r = first;
    if (n > 1) {
      for (let tries = 0; tries < n; tries++) {
        r = first + this.roundRobin[s];
        this.roundRobin[s] = this.roundRobin[s] + 1 === n ? 0 : this.roundRobin[s] + 1;
        if (this.replicaDown[r] === 0) break;
      }
    }
    return r;
  }

  /** A call reaches its service. */
  protected enterService(rec: number): void {
    const m = this.model;
    const e = this.rTarget[rec];
    const s = m.endpointService[e];
    const r = this.pickReplica(s);
    if (this.replicaDown[r] === 1) {
      this.failSoon(rec, CAUSE_ERROR, TRUTH_FAULT, this.killedBy(s));
      return;
    }
    this.rReplica[rec] = r;
    this.rArrived[rec] = this.engine.now;
    if (this.flags !== null) this.evaluateFlags(rec, s);
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.busy[r]++;
      this.busyUp(s);
      this.start(rec, s);
    } else if (this.qLen[r] < m.serviceQueue[s]) {
      this.enqueue(r, rec);
      this.queuedUp(s);
      this.rState[rec] = ST_QUEUED;
    } else {
      this.failSoon(rec, CAUSE_REJECTED, TRUTH_REJECTED, -1);
    }
  }

  /**
   * Own processing on a worker: a success or, with the endpoint's error probability, a failure; changed by the
   * effects of the flags on for this request. One error draw per request whatever the flags, so that runs with
   * and without a flag stay comparable draw for draw.
   */
  private start(rec: number, s: number): void {
    const m = this.model;
    const e = this.rTarget[rec];
    const now = this.engine.now;
    this.telemetry.started(e, now - this.rArrived[rec]);
    this.rState[rec] = ST_RUNNING;
    this.onServerStarted.serverStarted(rec, e, s);
    let errorRate = m.endpointErrorRate[e];
    let scale = 1;
    let add = 0;
    const on = this.rFlagsOn[rec];
    const baseRate = errorRate;
    let errorFlag = -1;
    let slowFlags = 0;
    if (on !== 0 && m.endpointEffects[e] === 1) {
      this.flagEffects(rec, e, on, errorRate);
      scale = this.fxScale;
      add = this.fxAdd;
      errorRate = this.fxErrorRate;
      errorFlag = this.fxErrorFlag;
      slowFlags = this.fxSlowFlags;
    }
    let dist = m.endpointLatency[e];
    this.rCause[rec] = CAUSE_OK;
    if (this.rMismatch[rec] === 1) {
      this.rCause[rec] = CAUSE_CONTRACT;
      this.rTruth[rec] = TRUTH_CONTRACT;
      dist = m.endpointErrorLatency[e];
    } else if (m.endpointMayFail[e] === 1) {
      // With common random numbers the draw says who is to blame: below the base rate the request fails with
      // or without the flag; between the base rate and the flag's rate it fails because of the flag.
      const u = this.drawFor(rec, this.serviceErrorRng[s]);
      // A failure pattern counts every request the endpoint starts; its failures are the base's, flag or not.
      const every = m.endpointErrorEvery[e];
      if (every > 0 && this.errorCount[e]++ % every >= every - m.endpointErrorBurst[e]) {
        this.rCause[rec] = CAUSE_ERROR;
        dist = m.endpointErrorLatency[e];
        this.rTruth[rec] = TRUTH_BASE;
      } else if (u < errorRate) {
        this.rCause[rec] = CAUSE_ERROR;
        dist = m.endpointErrorLatency[e];
        if (u < baseRate || errorFlag < 0) this.rTruth[rec] = TRUTH_BASE;
        else {
          this.rTruth[rec] = TRUTH_FLAG;
          this.rTruthRef[rec] = errorFlag;
        }
      }
    }
    const stream = this.drawsOf(rec, this.serviceLatencyRng[s]);
    let t = m.dists.sample(dist, this.draws, stream);
    const stress = this.faults.stress[s];
    if (stress !== 1) {
      const unstressed = t;
      t = Math.round(t * stress);
      this.markSlow(rec, SLOW_FAULT, 0, this.stressedBy(s), t - unstressed);
    }
    if (scale !== 1 || add !== 0) {
      const before = t;
      t = Math.round(t * scale + add);
      if (slowFlags !== 0) this.markSlow(rec, SLOW_FLAG, slowFlags, -1, t - before);
    }
    // When its own processing ends: a caller that times out first then knows what the call would have taken (delays.ts).
    if (this.marks) this.rDoneUs[rec] = now + t;
    this.engine.after(t, EV_SERVICE_DONE, rec, this.rGen[rec]);
  }

  /** Own processing done (an EV_SERVICE_DONE event): a failure replies at once, a success makes its calls. */
  protected serviceDone(rec: number): void {
    const cause = this.rCause[rec];
    if (cause !== CAUSE_OK) {
      this.serverFinished(rec, cause, cause);
      return;
    }
    const m = this.model;
    const e = this.rTarget[rec];
    const on = this.rFlagsOn[rec];
    const effects = on !== 0 && m.endpointEffects[e] === 1;
    // A leaf (no calls of its own, and no flag that could give it some) replies at once.
    if (!effects && m.endpointOpStart[e] === m.endpointOpEnd[e]) {
      this.serverFinished(rec, CAUSE_OK, CAUSE_OK);
      return;
    }
    this.rState[rec] = ST_CALLING;
    this.rOp[rec] = m.endpointOpStart[e];
    this.rOpEnd[rec] = m.endpointOpEnd[e];
    if (effects) this.flagCallPath(rec, e, on);
    this.advance(rec);
  }

  /** The service replies: its worker takes the next queued request, and the caller hears back if it still waits. */
  protected serverFinished(rec: number, cause: number, root: number): void {
    const m = this.model;
    const r = this.rReplica[rec];
    const s = m.replicaService[r];
    this.onServerEnded.serverEnded(rec, cause);
    this.rEpoch[rec]++;
    this.workerFree(r, s);
    if (this.rAttached[rec] === 1) this.attemptEnded(rec, cause, root);
    this.free(rec);
  }

  /** A worker of replica `r` is done: it takes the next queued request (a record, or a call without one), else idles. */
  private workerFree(r: number, s: number): void {
    if (this.qLen[r] > 0) {
      this.queuedDown(s);
      const next = this.dequeue(r);
      if (next >= 0) this.start(next, s);
      else this.startInline(~next, s);
    } else {
      this.busy[r]--;
      this.busyDown(s);
    }
  }

  // ---- calls without records --------------------------------------------------------------------------------

  /**
   * A call from an inline site (siteInline) on behalf of `parent`, while no fault is on, in a run where nothing
   * needs a record for every call (simulation.ts begin): nothing about such a call outlives its reply, so its
   * caller's record holds what it needs (its endpoint, replica, when it left and the flags on for it) and a queue
   * holds the caller in its place (as ~parent). It takes the same replica, worker or place in the queue, the same
   * draws and the same events as the call with a record that callPlain() makes, so the run is the same.
   */
  protected callInline(parent: number, k: number): void {
    const m = this.model;
    const e = m.siteEndpoint[k];
    const s = m.endpointService[e];
    const r = this.pickReplica(s);
    this.rChildTarget[parent] = e;
    this.rChildReplica[parent] = r;
    this.rChildSent[parent] = this.engine.now;
    // What evaluateFlags() gives a call to a service that evaluates none: the flags its journey has met so far.
    if (this.flags !== null) {
      const root = this.rRoot[parent];
      this.rChildFlags[parent] = this.rGen[root] === this.rRootGen[parent] ? this.rFlagsOn[root] : 0;
    }
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.busy[r]++;
      this.busyUp(s);
      this.startInline(parent, s);
    } else if (this.qLen[r] < m.serviceQueue[s]) {
      this.enqueue(r, ~parent);
      this.queuedUp(s);
    } else {
      // Refused by a full queue: the record callPlain() would have made, refused as enterService() refuses it.
      const rec = this.alloc();
      this.rKind[rec] = KIND_CALL;
      this.rTarget[rec] = e;
      this.rSite[rec] = k;
      this.rAttempt[rec] = 0;
      this.rParent[rec] = parent;
      this.rParentEpoch[rec] = this.rEpoch[parent];
      this.inherit(rec, parent);
      this.rSent[rec] = this.engine.now;
      this.rAttached[rec] = 1;
      this.rReplica[rec] = r;
      this.rArrived[rec] = this.engine.now;
      this.rFlagsOn[rec] = this.rChildFlags[parent];
      this.rMismatch[rec] = 0;
      this.failSoon(rec, CAUSE_REJECTED, TRUTH_REJECTED, -1);
    }
  }

  /** A call without a record starts on a worker: what start() does for a leaf that cannot fail and no flag changes. */
  private startInline(parent: number, s: number): void {
    const m = this.model;
    const e = this.rChildTarget[parent];
    this.telemetry.started(e, this.engine.now - this.rChildSent[parent]);
    // The caller's journey is the call's: drawsOf() gives the stream the call's own record would have drawn from.
    const stream = this.drawsOf(parent, this.serviceLatencyRng[s]);
    let t = m.dists.sample(m.endpointLatency[e], this.draws, stream);
    // A stress that began while the call waited in the queue: it slows the call, and so its callers.
    const stress = this.faults.stress[s];
    let stressUs = 0;
    if (stress !== 1) {
      const unstressed = t;
      t = Math.round(t * stress);
      stressUs = t - unstressed;
      this.markSlow(parent, SLOW_FAULT, 0, this.stressedBy(s), 0);
    }
    // The call is alone in its group and ends at now + t: its caller's group ends then, stressUs late.
    if (this.marks) this.callEnded(parent, this.engine.now + t, 0, stressUs);
    this.engine.after(t, EV_INLINE_DONE, parent, this.rGen[parent]);
  }

  /** A call without a record has been served (an EV_INLINE_DONE event): the worker moves on, the caller hears back. */
  protected inlineServed(parent: number): void {
    const r = this.rChildReplica[parent];
    const s = this.model.replicaService[r];
    this.workerFree(r, s);
    const e = this.rChildTarget[parent];
    const latency = this.engine.now - this.rChildSent[parent];
    this.telemetry.record(e, latency, CAUSE_OK);
    this.onAttemptEnded.attemptEndedInline(parent, e, this.rChildFlags[parent], latency);
    this.childReplied(parent);
  }
}
