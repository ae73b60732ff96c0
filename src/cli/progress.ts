/**
 * Progress of a long `run` on a terminal: simulated time, journeys, their rate and the time left, drawn on
 * stderr once the run has taken a few seconds. Nothing is drawn when stderr is not a terminal (CI logs, pipes).
 * Times read as every report says them (7m00s of 4h00m00s); the time left is said only once there is an
 * estimate to give, never a guess from the first moments.
 */
import { SingleBar } from 'cli-progress';
import type { Scenario } from '../scenario/types.js';
import { clock, count, duration } from '../units/format.js';

/** Wall time before the bar appears: short runs print nothing. */
const QUIET_MS = 2000;
/** No estimate of the time left before this share of the work and this much wall time. */
const ESTIMATE_AFTER = { share: 0.02, ms: 3000 };

/** The time left, once `done` of `total` after `elapsedMs` of wall time can say it: "about 1m20s left". */
export function timeLeft(done: number, total: number, elapsedMs: number): string {
  if (total > 0 && done >= total) return 'finishing';
  if (done <= 0 || total <= 0 || done / total < ESTIMATE_AFTER.share || elapsedMs < ESTIMATE_AFTER.ms) return 'estimating the time left';
  const left = ((elapsedMs / 1000) * (total - done)) / done;
  return `about ${duration(left >= 60 ? Math.round(left / 10) * 10 : Math.max(1, Math.round(left)))} left`;
}

export interface RunProgress {
  onWindow: (nowUs: number, journeys: number) => void;
  stop: () => void;
}

export function runProgress(s: Scenario, stream: NodeJS.WriteStream = process.stderr, quietMs = QUIET_MS): RunProgress | null {
  if (!stream.isTTY) return null;
  const byTime = Number.isFinite(s.durationUs);
  const total = byTime ? Math.round(s.durationUs / 1e6) : s.traffic.requests;
  const bar = new SingleBar({
    format: `run [{bar}] {percentage}% | ${byTime ? `simulated {sim} of ${clock(total)}` : 'simulated {sim}'} | {journeys} journeys | {rate} journeys/s | {left}`,
    stream,
    hideCursor: true,
  });
  const t0 = performance.now();
  let shown = false;
  return {
    onWindow: (nowUs, journeys) => {
      const ms = performance.now() - t0;
      if (!shown && ms < quietMs) return;
      const value = Math.min(total, byTime ? Math.round(nowUs / 1e6) : journeys);
      const payload = { sim: clock(nowUs / 1e6), journeys: count(journeys), rate: count(Math.round(journeys / (ms / 1000))), left: timeLeft(value, total, ms) };
      if (!shown) {
        shown = true;
        bar.start(total, value, payload);
      } else bar.update(value, payload);
    },
    stop: () => {
      if (shown) bar.stop();
    },
  };
}

export interface StepProgress {
  /** `done` of the steps are finished. */
  step: (done: number) => void;
  stop: () => void;
}

/**
 * Progress of work counted in steps, each long (the runs behind calibrate's ranges, seconds each at a high rate):
 * drawn on stderr from the first step, since the process is busy between steps and cannot draw then. Nothing is
 * drawn when stderr is not a terminal, or for no steps.
 */
export function stepProgress(label: string, unit: string, total: number, stream: NodeJS.WriteStream = process.stderr): StepProgress | null {
  if (!stream.isTTY || !(total > 0)) return null;
  const bar = new SingleBar({ format: `${label} [{bar}] {value}/{total} ${unit} | {left}`, stream, hideCursor: true });
  const t0 = performance.now();
  bar.start(total, 0, { left: timeLeft(0, total, 0) });
  return {
    step: (done) => bar.update(Math.min(total, done), { left: timeLeft(done, total, performance.now() - t0) }),
    stop: () => bar.stop(),
  };
}
