// Pacing at speed on a 10-service scenario: how close the simulated clock stays to wall time x speed, and how
// long the event loop is held (the server must stay responsive). Usage: node bench/gameday.mjs [scenario] [speed] [seconds]
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { DrillSession } from '../dist/live/session.js';
import { PacedDriver } from '../dist/live/driver.js';
import { liveSnapshot } from '../dist/live/view.js';

const [file = 'scenarios/checkout.yaml', speed = '600', seconds = '10'] = process.argv.slice(2);
const session = new DrillSession({ file, caseName: null, hiddenCase: false, seed: 42, gates: 'on' });
let snapshots = 0, snapshotMs = 0, bytes = 0;
const cursor = { windows: 0, audit: 0 };
const driver = new PacedDriver(session, { speed: Number(speed) });
const lag = monitorEventLoopDelay({ resolution: 5 });
lag.enable();
const t0 = performance.now();
driver.start();
const timer = setInterval(() => {
  const a = performance.now();
  const snap = liveSnapshot(session, driver, cursor);
  Object.assign(cursor, snap.cursor);
  bytes += JSON.stringify(snap).length;
  snapshotMs += performance.now() - a;
  snapshots++;
}, 250);
await new Promise((r) => setTimeout(r, Number(seconds) * 1000));
clearInterval(timer);
driver.stop();
lag.disable();
const wall = (performance.now() - t0) / 1000;
const sim = session.nowUs / 1e6;
console.log(`${file} at ${speed}x for ${wall.toFixed(1)} s wall: ${sim.toFixed(0)} simulated s (${(sim / wall).toFixed(0)}x achieved${session.ended ? ', ended' : ''}), events ${session.sim.engine.dispatched}`);
console.log(`event-loop delay: p50 ${(lag.percentile(50) / 1e6).toFixed(1)} ms, p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`);
console.log(`updates: ${snapshots} (${(snapshots / wall).toFixed(1)}/s), ${(snapshotMs / snapshots).toFixed(2)} ms each, ${(bytes / snapshots / 1024).toFixed(1)} KiB each on average`);
