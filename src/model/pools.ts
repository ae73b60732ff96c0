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

// A pool's figures in a row of a typed array (PoolTally's fields, in its order), one row per pool: the run's and the
// open window's. Slots in use and attempts waiting are integrated as the services' gauges are (replicas.ts): a count
// going up at t adds -(t - the window's start), going down adds t - the window's start, and the window's close adds
// count x its span; every term an integer, so the areas are exact, with one addition per change.
const F_ASKED = 0, F_WAITED = 1, F_GRANTED = 2, F_WAIT_SUM = 3, F_TIMED_OUT = 4, F_BUSY = 5, F_WAITING = 6, F_MAX = 7, F_END = 8;
const FIELDS = 9;

const tallyOf = (row: Float64Array, b: number): PoolTally => ({
  asked: row[b + F_ASKED], waited: row[b + F_WAITED], granted: row[b + F_GRANTED], waitSumUs: row[b + F_WAIT_SUM], timedOut: row[b + F_TIMED_OUT],
  busyArea: row[b + F_BUSY], waitingArea: row[b + F_WAITING], maxWaiting: row[b + F_MAX], endWaiting: row[b + F_END],
});

export abstract class Pools extends Servers {
  private readonly poolInUse: Int32Array;
  private readonly poolWaiting: number[][];
  /** Attempts in poolWaiting that still wait (those that left are skipped when their turn comes). */
  private readonly poolWaitingNow: Int32Array;
  private readonly poolRun: Float64Array;
  private readonly poolWindow: Float64Array;
  /** When the pools' open window began: a mutable number field from the start (see replicas.ts windowBegan). */
  private poolWindowBegan = 0.5;
  /** Each closed window's figures, per pool. */
  protected readonly poolWindows: PoolTally[][] = [];

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const P = this.model.poolLimit.length;
    this.poolInUse = new Int32Array(P);
    this.poolWaiting = Array.from({ length: P }, () => []);
    this.poolWaitingNow = new Int32Array(P);
    this.poolRun = new Float64Array(P * FIELDS);
    this.poolWindow = new Float64Array(P * FIELDS);
    this.poolWindowBegan = 0;
  }

  /** An attempt asks its pool for a slot: true when it takes one at once, else it waits in line (FIFO). */
  protected takeSlot(pool: number, rec: number): boolean {
    const since = this.engine.now - this.poolWindowBegan;
    const run = this.poolRun, w = this.poolWindow, b = pool * FIELDS;
    run[b + F_ASKED]++;
    w[b + F_ASKED]++;
    if (this.poolInUse[pool] < this.model.poolLimit[pool]) {
      this.poolInUse[pool]++;
      w[b + F_BUSY] -= since;
      run[b + F_GRANTED]++;
      w[b + F_GRANTED]++;
      return true;
    }
    this.poolWaiting[pool].push(rec);
    const n = ++this.poolWaitingNow[pool];
    w[b + F_WAITING] -= since;
    run[b + F_WAITED]++;
    w[b + F_WAITED]++;
    if (n > run[b + F_MAX]) run[b + F_MAX] = n;
    if (n > w[b + F_MAX]) w[b + F_MAX] = n;
    return false;
  }

  /** One attempt fewer waits for a slot of `pool`, now. */
  private waitingDown(pool: number): void {
    this.poolWaitingNow[pool]--;
    this.poolWindow[pool * FIELDS + F_WAITING] += this.engine.now - this.poolWindowBegan;
  }

  /** An attempt waiting for a slot leaves the line: its deadline passed (`timedOut`) or its caller stopped waiting. */
  private leaveLine(pool: number, rec: number, timedOut: boolean): void {
    this.rSlot[rec] = SLOT_LEFT;
    this.waitingDown(pool);
    if (timedOut) {
      this.poolRun[pool * FIELDS + F_TIMED_OUT]++;
      this.poolWindow[pool * FIELDS + F_TIMED_OUT]++;
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
    const b = pool * FIELDS;
    const waiting = this.poolWaiting[pool];
    while (waiting.length > 0) {
      const next = waiting.shift()!;
      if (this.rSlot[next] === SLOT_LEFT || !this.parentWaiting(next)) {
        if (this.rSlot[next] === 0) this.waitingDown(pool);
        this.rSlot[next] = 0;
        this.free(next);
        continue;
      }
      // The slot passes to `next` now (as many in use as before); it is sent on an event of its own so that no reply
      // re-enters this caller.
      this.waitingDown(pool);
      const waitUs = this.engine.now - this.rSent[next];
      const run = this.poolRun, w = this.poolWindow;
      run[b + F_GRANTED]++;
      w[b + F_GRANTED]++;
      run[b + F_WAIT_SUM] += waitUs;
      w[b + F_WAIT_SUM] += waitUs;
      this.rSlot[next] = 1;
      this.engine.after(0, EV_SEND, next, this.rGen[next]);
      return;
    }
    this.poolInUse[pool]--;
    this.poolWindow[b + F_BUSY] += this.engine.now - this.poolWindowBegan;
  }

  /** Closes each pool's window at `end` with the services' (a model without a pool does nothing more). */
  protected override closeWindow(end: number): void {
    const closed = this.telemetry.windows.length;
    super.closeWindow(end);
    const P = this.model.poolLimit.length;
    if (P === 0) return;
    // A window of no time is not one (telemetry.ts closeWindow): the pools' windows stay aligned with the services'.
    if (this.telemetry.windows.length === closed) return;
    const span = end - this.poolWindowBegan;
    const run = this.poolRun, w = this.poolWindow;
    const tallies: PoolTally[] = [];
    for (let p = 0; p < P; p++) {
      const b = p * FIELDS;
      w[b + F_BUSY] += this.poolInUse[p] * span;
      w[b + F_WAITING] += this.poolWaitingNow[p] * span;
      w[b + F_END] = this.poolWaitingNow[p];
      run[b + F_BUSY] += w[b + F_BUSY];
      run[b + F_WAITING] += w[b + F_WAITING];
      tallies.push(tallyOf(w, b));
    }
    this.poolWindows.push(tallies);
    w.fill(0);
    for (let p = 0; p < P; p++) w[p * FIELDS + F_MAX] = this.poolWaitingNow[p];
    this.poolWindowBegan = end;
  }

  /** Each pool's figures over the run, once its last window is closed. */
  protected poolTotals(): PoolTally[] {
    return Array.from(this.model.poolLimit, (_, p) => ({ ...tallyOf(this.poolRun, p * FIELDS), endWaiting: this.poolWaitingNow[p] }));
  }
}
