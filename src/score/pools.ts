/**
 * Client-side pools in the result: where a call waited for a slot of its caller's own pool (a parallel group's
 * `limit`), beside the services' queues and never in them: the wait is the caller's, the callee never saw it. Each
 * pool is named as the scenario names it (caller -> callees) with the group's path in the file.
 */
import type { SimulationResult, PoolTally } from '../model/simulation.js';
import { stability } from '../scenario/stability.js';
import type { Scenario } from '../scenario/types.js';
import { count, ms as msText } from '../units/format.js';

export interface PoolFigures {
  /** Calling service -> the services the group calls. */
  pool: string;
  /** The parallel group's path in the scenario file. */
  at: string;
  limit: number;
  /** Attempts that asked for a slot, and per second. */
  calls: number;
  callsPerSec: number;
  /** Slots in use over the limit, time-averaged; and slots in use on average. */
  utilization: number;
  busySlots: number;
  /** Attempts waiting for a slot: on average over time, at most, at the end of the run. */
  meanWaiting: number;
  maxWaiting: number;
  endWaiting: number;
  /** Mean wait for a slot of the attempts that got one (0 for those that took one at once). */
  meanWaitMs: number;
  /** Calls that found every slot taken, and their share of the calls. */
  waited: number;
  waitedShare: number;
  /** Attempts whose deadline (timeout) passed while they waited: never sent. */
  timedOutWaiting: number;
}

/** Per window, aligned with `startSeconds`. */
export interface PoolSeries {
  pool: string;
  at: string;
  calls: number[];
  waited: number[];
  meanWaiting: number[];
  maxWaiting: number[];
  /** Mean wait of the attempts that got a slot in the window; null where none did. */
  meanWaitMs: (number | null)[];
  /** Attempts whose deadline passed while they waited in the window: in no endpoint's figures, their caller's failures. */
  timedOutWaiting: number[];
}

const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};
const ms = (us: number) => round(us / 1000, 3);

export function poolFigures(sim: SimulationResult): PoolFigures[] {
  const m = sim.model;
  const us = sim.simulatedUs;
  return sim.pools.run.map((t: PoolTally, p) => ({
    pool: m.poolNames[p],
    at: m.poolPaths[p],
    limit: m.poolLimit[p],
    calls: t.asked,
    callsPerSec: us > 0 ? round(t.asked / (us / 1e6), 3) : 0,
    utilization: us > 0 ? round(t.busyArea / us / m.poolLimit[p], 4) : 0,
    busySlots: us > 0 ? round(t.busyArea / us, 3) : 0,
    meanWaiting: us > 0 ? round(t.waitingArea / us, 3) : 0,
    maxWaiting: t.maxWaiting,
    endWaiting: t.endWaiting,
    meanWaitMs: t.granted > 0 ? ms(t.waitSumUs / t.granted) : 0,
    waited: t.waited,
    waitedShare: t.asked > 0 ? round(t.waited / t.asked, 6) : 0,
    timedOutWaiting: t.timedOut,
  }));
}

export function poolSeries(sim: SimulationResult): PoolSeries[] {
  const m = sim.model;
  const windows = sim.telemetry.windows;
  const span = (w: number) => windows[w].endUs - windows[w].startUs;
  return m.poolNames.map((pool, p) => {
    const ws = sim.pools.windows.map((w) => w[p]);
    return {
      pool,
      at: m.poolPaths[p],
      calls: ws.map((t) => t.asked),
      waited: ws.map((t) => t.waited),
      meanWaiting: ws.map((t, w) => (span(w) > 0 ? round(t.waitingArea / span(w), 3) : 0)),
      maxWaiting: ws.map((t) => t.maxWaiting),
      meanWaitMs: ws.map((t) => (t.granted > 0 ? ms(t.waitSumUs / t.granted) : null)),
      timedOutWaiting: ws.map((t) => t.timedOut),
    };
  });
}

/** A pool that was offered its limit or more, or whose line was still long when the load ended: what it did. */
export interface PoolStory {
  readonly pool: string;
  readonly at: string;
  /** Offered slots over the limit at the peak rate (worked out before the run), or null when under 1. */
  readonly offered: number | null;
  readonly explanation: string;
}

/** The pools' part of the run's stability section ("what the queues did"). */
export function poolStories(s: Scenario, pools: readonly PoolFigures[]): PoolStory[] {
  const before = stability(s).pools;
  const out: PoolStory[] = [];
  for (const p of pools) {
    const load = before.find((x) => x.pool === p.pool && x.at === p.at);
    const over = load && load.utilization >= 1 && Number.isFinite(load.offered) ? load.utilization : null;
    const long = p.endWaiting > 1 && p.endWaiting >= 0.1 * p.maxWaiting;
    if (over === null && !long) continue;
    const offered = over !== null ? `offered ${(over >= 10 ? over.toFixed(1) : over.toFixed(2))}x its limit of ${count(p.limit)} at the peak rate (at least; worked out before the run)` : `not offered its limit of ${count(p.limit)} as worked out before the run, yet`;
    const waits = p.calls > 0 ? `${count(p.waited)} of ${count(p.calls)} calls waited for a slot, ${msText(p.meanWaitMs)} on average, up to ${count(p.maxWaiting)} at once and ${count(p.endWaiting)} at the end` : 'no call asked it for a slot';
    const caller = p.pool.split(' -> ')[0];
    out.push({
      pool: p.pool, at: p.at, offered: over === null ? null : round(over, 3),
      explanation: `client-side pool ${p.pool} (${p.at})${long ? ' saturated' : ''}: ${offered}; ${waits}: that wait is ${caller}'s, in no service's queue`,
    });
  }
  return out;
}
