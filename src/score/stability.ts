/**
 * What a run's queues did, said after the run: for each service offered its capacity or more (worked out before
 * the run, scenario/stability.ts) and each service whose queue was still long at the end, the run's own figures:
 * its queue in the first window, at its longest and at the end, when it stayed long, what it rejected; for each
 * asynchronous cycle that does not converge, the calls to it in the first and last windows. Nothing here runs
 * while the simulation does: it reads the windows' gauges.
 */
import { stability } from '../scenario/stability.js';
import type { PoolStory } from './pools.js';
import type { Scenario } from '../scenario/types.js';
import type { TelemetrySummary } from '../telemetry/telemetry.js';
import { clock, count } from '../units/format.js';

export interface QueueStory {
  readonly service: string;
  /** Busy workers offered before the run (a lower bound) over the capacity, or null when not over it. */
  readonly offered: number | null;
  readonly capacity: number | null;
  /** Queue limit over all replicas, or null when unbounded. */
  readonly queueLimit: number | null;
  /** Queued requests: when it became long (at the end of the window before), the most at any moment, at the end of the run. */
  readonly queue: { readonly start: number; readonly max: number; readonly end: number };
  readonly rejected: number;
  /** From when the queue stayed long (its window mean above a tenth of its longest window's, and above 1), to when. */
  readonly longFromSeconds: number | null;
  readonly longUntilSeconds: number | null;
  /**
   * growing: long when the load ended (the end of the run, or the last arrival of a count of requests); full: the
   * same with a bounded queue that filled; drained: long for a while, short again before the load ended; short:
   * never long.
   */
  readonly state: 'growing' | 'full' | 'drained' | 'short';
  readonly explanation: string;
}

export interface CycleStory {
  readonly cycle: string;
  readonly growth: number;
  /** Calls to the cycle's endpoints in the first and the last window. */
  readonly callsFirstWindow: number;
  readonly callsLastWindow: number;
  readonly explanation: string;
}

export interface RunStability {
  readonly services: readonly QueueStory[];
  readonly cycles: readonly CycleStory[];
  /** Present when a client-side pool was offered its limit or more, or its line was long at the end (score/pools.ts). */
  readonly pools?: readonly PoolStory[];
}

const r3 = (x: number) => Math.round(x * 1000) / 1000;
const times = (x: number) => (x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** The run's stability section, or null when no service was over its capacity and no queue or cycle grew. */
export function runStability(
  s: Scenario, tel: TelemetrySummary, names: readonly string[], endpointNames: readonly string[],
  breakers: readonly { timeUs: number; to: string }[] = [], arrivalsEndedUs: number | null = null,
): RunStability | null {
  const before = stability(s);
  const windows = tel.windows;
  if (windows.length === 0) return null;
  const services: QueueStory[] = [];
  names.forEach((name, i) => {
    const svc = s.services.find((x) => x.name === name);
    const load = before.services.find((x) => x.service === name);
    const over = load && load.utilization !== null && load.utilization >= 1 && Number.isFinite(load.offered) ? load.utilization : null;
    const total = tel.services[i];
    const q = windows.map((w) => w.services[i].queued);
    // A window a second over days is more windows than a call takes arguments: not Math.max(...q).
    const longest = q.reduce((a, b) => Math.max(a, b), -Infinity);
    const isLong = (x: number) => x > 1 && x >= 0.1 * longest;
    // The load lasts to the last arrival (a count of requests) or to the end of the run.
    const loadEnd = arrivalsEndedUs ?? windows[windows.length - 1].endUs;
    let k = windows.findIndex((w) => w.endUs >= loadEnd);
    if (k < 0) k = windows.length - 1;
    const firstLong = q.findIndex(isLong);
    let lastLong = -1;
    for (let j = q.length - 1; j >= 0; j--) if (isLong(q[j])) { lastLong = j; break; }
    // Long when the load ended: from the first window of that unbroken stretch of long windows.
    const underLoad = isLong(q[k]);
    let from = underLoad ? k : lastLong;
    while (from > 0 && isLong(q[from - 1])) from--;
    const limit = svc && Number.isFinite(svc.queue) ? svc.queue * svc.replicas : null;
    const end = total.endQueued, max = total.maxQueued;
    const state: QueueStory['state'] = underLoad && limit !== null && max >= 0.9 * limit ? 'full' : underLoad ? 'growing' : firstLong >= 0 ? 'drained' : 'short';
    if (over === null && state !== 'growing' && state !== 'full') return;
    const rejected = total.byCause.rejected;
    const fromS = from >= 0 ? windows[from].startUs / 1e6 : null;
    const start = from > 0 ? windows[from - 1].services[i].endQueued : 0;
    const untilS = lastLong >= 0 ? windows[lastLong].endUs / 1e6 : null;
    const offered = over !== null ? `offered ${times(over)}x its capacity at the peak rate (at least; worked out before the run)` : 'not offered its capacity as worked out before the run, yet';
    const head = `${name}${state === 'growing' || state === 'full' ? ' saturated' : ''}: ${offered}`;
    // Arrivals that stopped before the end: the queue drained after them, not because the overload ended.
    const after = arrivalsEndedUs !== null && end <= 1 ? ` while requests arrived (to ${clock(arrivalsEndedUs / 1e6)}), and drained only after they stopped (empty by ${clock(untilS!)})` :
      arrivalsEndedUs !== null ? ` while requests arrived (to ${clock(arrivalsEndedUs / 1e6)}), ${count(end)} still queued at the end` : ' over the run';
    const queue = `the queue's, not the service's`;
    let explanation: string;
    if (state === 'growing') {
      explanation = `${head}; its queue grew from ${count(start)} to ${count(arrivalsEndedUs === null ? end : max)}${after}; latencies after ${clock(fromS!)} are ${queue}`;
    } else if (state === 'full') {
      explanation = `${head}; its queue filled (at most ${count(max)} of ${count(limit!)}, long from ${clock(fromS!)} to the end of the load) and it rejected ${count(rejected)} requests; latencies after ${clock(fromS!)} are ${queue}`;
    } else if (state === 'drained') {
      const t0 = windows[firstLong].startUs, t1 = windows[lastLong].endUs;
      const opened = breakers.filter((b) => b.to === 'open' && b.timeUs >= t0 && b.timeUs < t1).length;
      explanation = `${head}; in the run its queue was long from ${clock(t0 / 1e6)} to ${clock(untilS!)} (at most ${count(max)}${limit !== null ? ` of ${count(limit)}` : ''}) and ${end <= 1 ? 'empty' : `${count(end)}`} at the end` +
        `${rejected > 0 ? `; it rejected ${count(rejected)} requests` : ''}${opened > 0 ? `; circuit breakers opened ${count(opened)} times meanwhile, shedding load` : ''}: the overload did not last`;
    } else {
      explanation = `${head}; in the run its queue stayed short (at most ${count(max)}): the load that would saturate it did not reach it`;
    }
    services.push({
      service: name, offered: over === null ? null : r3(over), capacity: load?.capacity ?? null, queueLimit: limit,
      queue: { start, max, end }, rejected, longFromSeconds: fromS, longUntilSeconds: untilS, state, explanation,
    });
  });
  const cycles: CycleStory[] = before.divergent.map((d) => {
    const members = new Set(d.cycle.split(' -> '));
    const calls = (w: (typeof windows)[number]) => endpointNames.reduce((n, e, k) => n + (members.has(e) ? w.endpoints[k].requests : 0), 0);
    const first = calls(windows[0]), last = calls(windows[windows.length - 1]);
    return {
      cycle: d.cycle, growth: r3(d.growth), callsFirstWindow: first, callsLastWindow: last,
      explanation: `asynchronous cycle ${d.cycle}: ${d.growth.toFixed(2)} calls each time around; its endpoints took ${count(first)} calls in the first window and ${count(last)} in the last`,
    };
  });
  return services.length > 0 || cycles.length > 0 ? { services, cycles } : null;
}
