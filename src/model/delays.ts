/**
 * What flags and faults put each record back by, for the ground truth (truth.ts): the time they added to its own
 * work, and for each group of calls it waited on, what they put the group's end back by (its critical path, not
 * a sum over parallel calls), a call its caller gave up on counting only as far as the caller waited, and a
 * retry they caused counting whole. Written with marks only (records.ts), so a run without flags or faults pays
 * nothing here.
 */
import { CAUSE_OK } from '../telemetry/telemetry.js';
import { RecordPool, ST_RUNNING } from './records.js';
import { SLOW_FAULT, SLOW_FLAG, TRUTH_CONTRACT, TRUTH_FAULT, TRUTH_FLAG } from './truth.js';

export abstract class Delays extends RecordPool {
  /**
   * Marks a record, and every caller waiting on it, as slowed by a fault or by flags (ground truth); `delayUs`
   * is added to the record's own flag or fault delay, and reaches its callers as they hear back (groupEnded).
   */
  protected markSlow(rec: number, mark: number, flags: number, fault: number, delayUs = 0): void {
    if (mark === SLOW_FLAG) this.rFlagDelay[rec] += delayUs;
    else this.rFaultDelay[rec] += delayUs;
    for (let r = rec; r >= 0; ) {
      this.rSlow[r] |= mark;
      this.rSlowFlags[r] |= flags;
      if (mark === SLOW_FAULT && this.rTruthRef[r] < 0) this.rTruthRef[r] = fault;
      const parent = this.rParent[r];
      if (parent < 0 || this.rEpoch[parent] !== this.rParentEpoch[r]) break;
      r = parent;
    }
  }

  /**
   * An attempt ended `nowUs`, its caller still waiting (with marks only): what flags (faults) put the call back
   * by, its retries included. A retry that they caused (see timedOutBy) owes them all the time from when the call
   * would have ended without them to its end: the backoff and the retry's own time as well as their delays.
   */
  protected attemptDelays(rec: number, nowUs: number, timedOut: boolean): void {
    const flagFree = this.rFlagFree[rec], faultFree = this.rFaultFree[rec];
    // Most attempts end in time, on the first try or on a retry their flags and faults did not cause.
    if (!timedOut && flagFree !== flagFree && faultFree !== faultFree) return;
    const doneUs = timedOut ? this.ownEndUs(rec) : NaN;
    this.rFlagDelay[rec] = this.timedOutBy(rec, nowUs, timedOut, doneUs, this.rFlagDelay[rec], this.rFlagCarry[rec], flagFree);
    this.rFlagFree[rec] = this.freeUs;
    this.rFaultDelay[rec] = this.timedOutBy(rec, nowUs, timedOut, doneUs, this.rFaultDelay[rec], this.rFaultCarry[rec], faultFree);
    this.rFaultFree[rec] = this.freeUs;
  }

  /** What timedOutBy() found the call would have ended at without the flags (faults), when they caused its timeout; else NaN. */
  private freeUs = NaN;

  /**
   * The delay flags (or faults) put the call back by as attempt `rec` ends at `nowUs` (`delayUs` theirs so far,
   * `carryUs` of it carried from the attempts before; `freeUs` when the call would have ended without them, if
   * an earlier attempt's timeout was theirs). An attempt its caller gave up on at a timeout would have ended
   * without them `delayUs` before its end: exactly when that end is drawn (`doneUs`, its own processing under
   * way and nothing after it), else no sooner than it left, nor than `delayUs` before the timeout (an upper bound
   * on what they cost: what it would have taken without them is not drawn yet). Ending so before its timeout
   * without them, it would have replied in time: the timeout, the backoff and every retry are theirs. A delay not
   * known (Infinity: a dropped call, a flag's new calls) stays so.
   */
  private timedOutBy(rec: number, nowUs: number, timedOut: boolean, doneUs: number, delayUs: number, carryUs: number, freeUs: number): number {
    this.freeUs = freeUs;
    if (freeUs === freeUs) return nowUs - freeUs;
    if (!timedOut || delayUs === Infinity) return delayUs;
    // On the call's timeline without them, the attempt left carryUs sooner, and its timeout came carryUs sooner.
    const timeoutUs = nowUs - carryUs;
    const endUs = doneUs === doneUs ? doneUs - delayUs : timeoutUs - Math.min(delayUs - carryUs, nowUs - this.rSent[rec]);
    if (endUs >= timeoutUs) return carryUs; // it would have timed out anyway: they only moved it
    // A failure drawn already would have come sooner, and been retried or not as the timeout is: they moved it.
    if (doneUs === doneUs && this.rCause[rec] !== CAUSE_OK) return nowUs - endUs;
    this.freeUs = endUs;
    return nowUs - endUs;
  }

  /**
   * When the attempt's own processing ends, if its end is the attempt's (a failure, or an endpoint with no calls
   * to make after it, nor a flag that could give it some), else NaN: the time it would reply, drawn as it started.
   */
  private ownEndUs(rec: number): number {
    if (this.rState[rec] !== ST_RUNNING) return NaN;
    if (this.rCause[rec] !== CAUSE_OK) return this.rDoneUs[rec];
    const m = this.model;
    const e = this.rTarget[rec];
    return m.endpointOpStart[e] === m.endpointOpEnd[e] && (this.rFlagsOn[rec] === 0 || m.endpointEffects[e] === 0) ? this.rDoneUs[rec] : NaN;
  }

  /**
   * Attempt `rec` failed because of a flag (its defect, a broken contract) or a fault (an abort, a killed
   * replica) and is retried (with marks only): the retry is theirs, as one after a timeout they caused is, and the
   * call would have ended without them when the attempt would have. For a flag, that is exact when the failure was
   * drawn as the attempt started at an endpoint with no calls of its own whose failures take the time its
   * successes do (the same draw gave the time: the attempt less the flag's latency change); for a replica killed
   * under a call whose time was drawn, when that call would have replied; else no sooner than the attempt left (the
   * most they can have cost: what it would have taken is not drawn).
   */
  protected retriedAfter(rec: number): void {
    const truth = this.rTruth[rec], ref = this.rTruthRef[rec];
    if (truth === TRUTH_FAULT && ref >= 0) {
      this.markSlow(rec, SLOW_FAULT, 0, ref, 0);
      if (this.rFaultFree[rec] !== this.rFaultFree[rec]) {
        const endUs = this.rCause[rec] === CAUSE_OK ? this.ownEndUs(rec) : NaN;
        this.rFaultFree[rec] = endUs === endUs ? endUs - this.rFaultDelay[rec] : this.rSent[rec] - this.rFaultCarry[rec];
      }
    } else if ((truth === TRUTH_FLAG || truth === TRUTH_CONTRACT) && ref >= 0) {
      this.markSlow(rec, SLOW_FLAG, 1 << ref, -1, 0);
      if (this.rFlagFree[rec] !== this.rFlagFree[rec]) {
        const m = this.model;
        const e = this.rTarget[rec];
        const drawn = this.rState[rec] === ST_RUNNING && m.endpointLatency[e] === m.endpointErrorLatency[e] && m.endpointOpStart[e] === m.endpointOpEnd[e];
        this.rFlagFree[rec] = drawn ? this.rDoneUs[rec] - this.rFlagDelay[rec] : this.rSent[rec] - this.rFlagCarry[rec];
      }
    }
  }

  /**
   * A retry of attempt `from` (with marks only): the attempt's delays are the retry's too, as it leaves that much
   * later, and if the flags (faults) caused it, when the call would have ended without them.
   */
  protected carryDelays(from: number, retry: number): void {
    this.rFlagDelay[retry] = this.rFlagCarry[retry] = this.rFlagDelay[from];
    this.rFaultDelay[retry] = this.rFaultCarry[retry] = this.rFaultDelay[from];
    this.rFlagFree[retry] = this.rFlagFree[from];
    this.rFaultFree[retry] = this.rFaultFree[from];
  }

  /** A group of calls begins on the record's behalf (with marks only): none of its calls has ended yet. */
  protected groupBegun(rec: number): void {
    this.rGroupFlag[rec] = -Infinity;
    this.rGroupFault[rec] = -Infinity;
  }

  /**
   * A call of the record's current group ended at `endUs` (with marks only), the flags and faults having added
   * `flagUs` and `faultUs` to it: the group's end without them is the latest of its calls' ends without them.
   */
  protected callEnded(rec: number, endUs: number, flagUs: number, faultUs: number): void {
    // NaN (a delay not known) stays NaN through Math.max.
    this.rGroupFlag[rec] = Math.max(this.rGroupFlag[rec], flagUs === Infinity ? NaN : endUs - flagUs);
    this.rGroupFault[rec] = Math.max(this.rGroupFault[rec], faultUs === Infinity ? NaN : endUs - faultUs);
  }

  /**
   * The record's group of calls ended now (with marks only): what the flags and faults put its end back by is
   * added to the record's delays. Of parallel calls, the record waited for the last: a delay on a call that
   * ended early anyway added nothing (a fan-out of two calls each 300 ms late ends 300 ms late, not 600).
   */
  protected groupEnded(rec: number, nowUs: number): void {
    const flag = nowUs - this.rGroupFlag[rec];
    const fault = nowUs - this.rGroupFault[rec];
    this.rFlagDelay[rec] += flag === flag ? flag : Infinity;
    this.rFaultDelay[rec] += fault === fault ? fault : Infinity;
  }
}
