/**
 * A resumed drill replayed to where it stopped without holding the event loop: in slices of simulated time that
 * take about SLICE_MS of work each (growing from the engine's microsecond while they are cheap, as the paced
 * driver's do), yielding between them, so that a signal is heard and progress said while a drill forced past the
 * work limit is replayed (one of 0.25 s of 1 us windows took 22 s, silent, in one piece). Slices are invisible to
 * the engine: the drill is the one the journal recorded, byte for byte.
 */
import { createServer } from 'node:http';
import type { RecordedAction } from './actions.js';
import { DrillSession, type DrillSetup } from './session.js';
import type { Scenario } from '../scenario/types.js';

const SLICE_MS = 20;

/** The replay was stopped (a signal) before it reached where the drill stopped. */
export class ReplayStopped extends Error {}

export async function replayInSlices(setup: DrillSetup, scenario: Scenario, actions: readonly RecordedAction[], untilUs: number,
  o: { stopped?: () => boolean; progress?: (share: number) => void } = {}): Promise<DrillSession> {
  const session = new DrillSession(setup, scenario);
  let sliceUs = 1;
  const steps = session.replaySteps(actions, untilUs, sliceUs);
  let started = performance.now();
  let yielded = started;
  for (let r = steps.next(); !r.done;) {
    const now = performance.now();
    const took = now - started;
    if (took < SLICE_MS / 2) sliceUs = Math.min(sliceUs * 2, 2 ** 40);
    else if (took > SLICE_MS * 2) sliceUs = Math.max(1, Math.floor(sliceUs / 2));
    if (now - yielded >= SLICE_MS) {
      o.progress?.(r.value);
      await new Promise((resolve) => setImmediate(resolve));
      if (o.stopped?.()) throw new ReplayStopped();
      yielded = performance.now();
    }
    started = performance.now();
    r = steps.next(sliceUs);
  }
  return session;
}

const WHY = 'the drill is being replayed from its journal to where it stopped: it answers once it is served again (its terminal says how far the replay is)';
const REPLAYING = JSON.stringify({ error: WHY });
/** What a person opening their link meanwhile sees: the same words, and the page loads itself again until it is served. */
const REPLAYING_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="3"><title>Game day: resuming</title></head><body><p>The ${WHY.slice(4)}.</p><p>This page loads itself again every 3 seconds until then.</p></body></html>`;

/**
 * Answers 503 on the port a resumed drill will be served at while it is replayed (a page or `gameday ctl` hears that,
 * not a refused connection); resolves to what closes it. Nothing is held for a port not known yet (0) or taken.
 */
export async function holdPort(host: string, port: number): Promise<() => Promise<void>> {
  if (port === 0) return async () => {};
  const server = createServer((req, res) => {
    req.resume();
    // A browser opening a link (the page, not its API or event stream) gets a page that tries again by itself.
    const page = req.method === 'GET' && /text\/html/.test(req.headers.accept ?? '');
    res.writeHead(503, { 'Content-Type': page ? 'text/html; charset=utf-8' : 'application/json', 'Retry-After': '5', 'Cache-Control': 'no-store', Connection: 'close' })
      .end(page ? REPLAYING_PAGE : REPLAYING);
  });
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (!listening) return async () => {};
  return () => new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
