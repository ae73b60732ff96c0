/**
 * When faults switch on: at a fixed time, after an event of a flag's rollout, or by hand (an operator's
 * injection during a game day); each once, for its duration or to the end of the run.
 */
import type { FaultSpec } from '../scenario/types.js';

export type RolloutEvent = 'start' | 'stage' | 'rollback' | 'complete';

/** Whether fault `f` starts at a fixed time (`f.start.atUs`). */
export function startsAtTime(f: FaultSpec): f is FaultSpec & { start: { kind: 'time' } } {
  return f.start.kind === 'time';
}

/** Whether `event` of `flag`'s rollout (at stage `stage`, from 0) starts fault `f`, `f.start.offsetUs` later. */
export function startsOn(f: FaultSpec, event: RolloutEvent, flag: string, stage: number): f is FaultSpec & { start: { kind: 'event' } } {
  const st = f.start;
  return st.kind === 'event' && st.event === event && st.flag === flag && (event !== 'stage' || st.stage === stage);
}

/** When fault `f`, switched on at `atUs`, switches off: Infinity when it lasts to the end of the run. */
export function endOf(f: FaultSpec, atUs: number): number {
  return Number.isFinite(f.durationUs) ? atUs + f.durationUs : Infinity;
}
