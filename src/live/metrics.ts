/**
 * /metrics of a live drill, in the Prometheus text exposition format (0.0.4): the request counter of the
 * simulated telemetry, `http_requests_total{service_name, http_route, code}`, summed over the telemetry windows
 * closed so far, and the drill's own clock. No timestamps: Prometheus stamps each scrape with its wall time, so
 * a rate over wall time is the simulated rate times the speed; divide by the clock's rate to get it back:
 *   sum(rate(http_requests_total[1m])) / rate(rehearse_simulated_seconds_total[1m])
 */
import { CAUSE_NAMES } from '../telemetry/telemetry.js';
import type { Simulation } from '../model/simulation.js';
import type { DrillSession } from './session.js';

/** The status code a caller sees for each cause of failure (ok first). */
const CODE: Record<(typeof CAUSE_NAMES)[number], string> = {
  ok: '200', error: '500', downstream: '502', timeout: '504', rejected: '503', 'breaker-open': '503', contract: '500',
};

interface Totals {
  sim: Simulation;
  windows: number;
  /** Per endpoint, per code: requests so far. */
  counts: Map<string, number>[];
}

const cache = new WeakMap<DrillSession, Totals>();

const escapeLabel = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');

export function metricsText(session: DrillSession): string {
  const sim = session.sim;
  let t = cache.get(session);
  // A rebuilt drill (an ad-hoc fault) has a new simulation: count again from its first window.
  if (!t || t.sim !== sim) {
    t = { sim, windows: 0, counts: sim.model.endpointNames.map(() => new Map()) };
    cache.set(session, t);
  }
  const windows = sim.closedWindows;
  for (; t.windows < windows.length; t.windows++) {
    windows[t.windows].endpoints.forEach((e, k) => {
      const m = t!.counts[k];
      const add = (code: string, n: number) => {
        if (n > 0 || m.has(code)) m.set(code, (m.get(code) ?? 0) + n);
      };
      add('200', e.requests - e.errors);
      for (const cause of CAUSE_NAMES) if (cause !== 'ok') add(CODE[cause], e.byCause[cause]);
    });
  }
  const lines: string[] = [
    '# HELP http_requests_total Requests to each endpoint of the simulated services, by status code.',
    '# TYPE http_requests_total counter',
  ];
  sim.model.endpointNames.forEach((full, k) => {
    const service = sim.model.serviceNames[sim.model.endpointService[k]];
    const route = full.slice(service.length + 1);
    for (const [code, n] of [...t!.counts[k]].sort(([a], [b]) => a.localeCompare(b))) {
      lines.push(`http_requests_total{service_name="${escapeLabel(service)}",http_route="${escapeLabel(route)}",code="${code}"} ${n}`);
    }
  });
  const closedUs = windows.length ? windows[windows.length - 1].endUs : 0;
  lines.push(
    '# HELP rehearse_simulated_seconds_total Simulated time covered by the counters above.',
    '# TYPE rehearse_simulated_seconds_total counter',
    `rehearse_simulated_seconds_total ${closedUs / 1e6}`,
    '# HELP rehearse_drill_ended 1 once the drill has ended.',
    '# TYPE rehearse_drill_ended gauge',
    `rehearse_drill_ended ${session.ended ? 1 : 0}`,
  );
  return `${lines.join('\n')}\n`;
}
