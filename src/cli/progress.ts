/**
 * Progress of a long `run` on a terminal: simulated time, journeys, their rate and an ETA, drawn on stderr
 * once the run has taken a few seconds. Nothing is drawn when stderr is not a terminal (CI logs, pipes).
 */
import { SingleBar } from 'cli-progress';
import type { Scenario } from '../scenario/types.js';

/** Wall time before the bar appears: short runs print nothing. */
const QUIET_MS = 2000;

export interface RunProgress {
  onWindow: (nowUs: number, journeys: number) => void;
  stop: () => void;
}

export function runProgress(s: Scenario, stream: NodeJS.WriteStream = process.stderr, quietMs = QUIET_MS): RunProgress | null {
  if (!stream.isTTY) return null;
  const byTime = Number.isFinite(s.durationUs);
  const total = byTime ? Math.round(s.durationUs / 1e6) : s.traffic.requests;
  const bar = new SingleBar({
    format: 'run [{bar}] {percentage}% | simulated {sim} | {journeys} journeys | {rate} journeys/s | {eta_formatted} left',
    stream,
    hideCursor: true,
    etaBuffer: 20,
  });
  const t0 = performance.now();
  let shown = false;
  return {
    onWindow: (nowUs, journeys) => {
      const ms = performance.now() - t0;
      if (!shown && ms < quietMs) return;
      const payload = { sim: clock(nowUs), journeys: journeys.toLocaleString('en-US'), rate: Math.round(journeys / (ms / 1000)).toLocaleString('en-US') };
      const value = Math.min(total, byTime ? Math.round(nowUs / 1e6) : journeys);
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

/** Simulated time as h:mm:ss. */
function clock(us: number): string {
  const s = Math.floor(us / 1e6);
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
