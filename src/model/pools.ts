/**
 * Client-side pools (a parallel group's `limit`): slots in use, a FIFO of attempts waiting for one, and what the
 * waiting cost, per pool and per window. A pool belongs to its caller: the wait is the caller's time, not the
 * callee's, so it is counted here, beside the callee's queue (replicas.ts), never in it.
 *
 * Everything here runs only for attempts from a site with a pool (compile.ts sitePool): a model without a pool
 * allocates empty arrays and never calls in. A pool's figures: attempts that asked for a slot, those that found
 * every slot taken (waited), the wait of each that got its slot (0 for those that took one at once), those whose
 * deadline passed while they waited (never sent), and, over time, slots in use and attempts waiting (each change
 * adds count x elapsed time, as the services' queues do). An attempt stops waiting when it is handed a slot, when
 * its deadline passes, or when its caller stops waiting for it (a required sibling failed).
 */
import type { Scenario } from '../scenario/types.js';
import { EV_SEND } from './records.js';
import { Servers } from './servers.js';

/** One pool's figures over the run, or over one window. */
export interface PoolTally {
  /** Attempts that asked for a slot. */
  asked: number;
  /** Of them, those that found every slot taken. */
  waited: number;
  /** Attempts that got a slot (at once or after waiting), and the sum of their waits. */
  granted: number;
  waitSumUs: number;
  /** Attempts whose deadline passed while they waited for a slot. */
  timedOut: number;
  /** Slots in use and attempts waiting, integrated over time (count x microseconds). */
  busyArea: number;
  waitingArea: number;
  /** Attempts waiting: at most at any moment, and at the end. */
  maxWaiting: number;
  endWaiting: number;
}

/** Slot 2: the attempt left the queue (deadline passed, or its caller stopped waiting) and is freed when its turn comes. */
const SLOT_LEFT = 2;

const tally = (): PoolTally => ({ asked: 0, waited: 0, granted: 0, waitSumUs: 0, timedOut: 0, busyArea: 0, waitingArea: 0, maxWaiting: 0, endWaiting: 0 });

export abstract class Pools extends Servers {
  private readonly poolInUse: Int32Array;
  private readonly poolWaiting: number[][];
  /** Attempts in poolWaiting that still wait (those that left are skipped when their turn comes). */
  private readonly poolWaitingNow: Int32Array;
  /** When each pool's counts last changed (microseconds). */
  private readonly poolChanged: Float64Array;
  private readonly poolRun: PoolTally[];
  private poolWindow: PoolTally[];
  /** Each closed window's figures, per pool. */
  protected readonly poolWindows: PoolTally[][] = [];

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const P = this.model.poolLimit.length;
    this.poolInUse = new Int32Array(P);
    this.poolWaiting = Array.from({ length: P }, () => []);
    this.poolWaitingNow = new Int32Array(P);
    this.poolChanged = new Float64Array(P);
    this.poolRun = Array.from({ length: P }, tally);
    this.poolWindow = Array.from({ length: P }, tally);
  }

  /** Adds the time since the last change, at the counts as they were, to the run's and the window's figures. */
  private poolElapse(pool: number, now: number): void {
    const dt = now - this.poolChanged[pool];
    if (dt > 0) {
      const busy = this.poolInUse[pool] * dt, waiting = this.poolWaitingNow[pool] * dt;
      this.poolRun[pool].busyArea += busy;
      this.poolRun[pool].waitingArea += waiting;
      this.poolWindow[pool].busyArea += busy;
      this.poolWindow[pool].waitingArea += waiting;
    }
    this.poolChanged[pool] = now;
  }

  /** An attempt asks its pool for a slot: true when it takes one at once, else it waits in line (FIFO). */
  protected takeSlot(pool: number, rec: number): boolean {
    this.poolElapse(pool, this.engine.now);
    const run = this.poolRun[pool], w = this.poolWindow[pool];
    run.asked++;
    w.asked++;
    if (this.poolInUse[pool] < this.model.poolLimit[pool]) {
      this.poolInUse[pool]++;
      run.granted++;
      w.granted++;
      return true;
    }
    this.poolWaiting[pool].push(rec);
    const n = ++this.poolWaitingNow[pool];
    run.waited++;
    w.waited++;
    if (n > run.maxWaiting) run.maxWaiting = n;
    if (n > w.maxWaiting) w.maxWaiting = n;
    return false;
  }

  /** An attempt waiting for a slot leaves the line: its deadline passed (`timedOut`) or its caller stopped waiting. */
  private leaveLine(pool: number, rec: number, timedOut: boolean): void {
    this.poolElapse(pool, this.engine.now);
    this.rSlot[rec] = SLOT_LEFT;
    this.poolWaitingNow[pool]--;
    if (timedOut) {
      this.poolRun[pool].timedOut++;
      this.poolWindow[pool].timedOut++;
    }
  }

  /** An attempt's deadline passed while it waited for a slot of `pool` (its place is freed when its turn comes). */
  protected slotWaitTimedOut(pool: number, rec: number): void {
    if (this.rSlot[rec] === 0) this.leaveLine(pool, rec, true);
  }

  /** The attempts waiting for a slot of `pool` whose caller no longer waits for them (a sibling failed) leave the line. */
  protected leaveLineOrphans(pool: number): void {
    for (const rec of this.poolWaiting[pool]) if (this.rSlot[rec] === 0 && !this.parentWaiting(rec)) this.leaveLine(pool, rec, false);
  }

  /** Gives back the record's client-side pool slot, if it holds one, to the next attempt still wanted. */
  protected releaseSlot(rec: number): void {
    // Only a slot held (1): one that left the line (2) holds none.
    if (this.rSlot[rec] !== 1) return;
    this.rSlot[rec] = 0;
    const pool = this.model.sitePool[this.rSite[rec]];
    this.poolElapse(pool, this.engine.now);
    this.poolInUse[pool]--;
    const waiting = this.poolWaiting[pool];
    while (waiting.length > 0) {
      const next = waiting.shift()!;
      if (this.rSlot[next] === SLOT_LEFT || !this.parentWaiting(next)) {
        if (this.rSlot[next] === 0) this.poolWaitingNow[pool]--;
        this.rSlot[next] = 0;
        this.free(next);
        continue;
      }
      // The slot passes to `next` now; it is sent on an event of its own so that no reply re-enters this caller.
      this.poolInUse[pool]++;
      this.poolWaitingNow[pool]--;
      const waitUs = this.engine.now - this.rSent[next];
      const run = this.poolRun[pool], w = this.poolWindow[pool];
      run.granted++;
      w.granted++;
      run.waitSumUs += waitUs;
      w.waitSumUs += waitUs;
      this.rSlot[next] = 1;
      this.engine.after(0, EV_SEND, next, this.rGen[next]);
      return;
    }
  }

  /** Closes each pool's window at `end` with the services' (a model without a pool does nothing more). */
  protected override closeWindow(end: number): void {
    const closed = this.telemetry.windows.length;
    super.closeWindow(end);
    const P = this.poolRun.length;
    if (P === 0) return;
    for (let p = 0; p < P; p++) this.poolElapse(p, end);
    // A window of no time is not one (telemetry.ts closeWindow): the pools' windows stay aligned with the services'.
    if (this.telemetry.windows.length === closed) return;
    for (let p = 0; p < P; p++) this.poolWindow[p].endWaiting = this.poolWaitingNow[p];
    this.poolWindows.push(this.poolWindow);
    this.poolWindow = Array.from({ length: P }, tally);
    for (let p = 0; p < P; p++) this.poolWindow[p].maxWaiting = this.poolWaitingNow[p];
  }

  /** Each pool's figures over the run, once its last window is closed. */
  protected poolTotals(): PoolTally[] {
    return this.poolRun.map((t, p) => ({ ...t, endWaiting: this.poolWaitingNow[p] }));
  }
}
