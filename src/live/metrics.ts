/**
 * /metrics of a live drill: the simulated telemetry as Prometheus series (src/metrics: the same families,
 * names and labels as `run --openmetrics`, under the scenario's `metrics:` mapping), in the text exposition
 * format of the latest simulated scrape, plus the drill's own clock.
 *
 * No timestamps: Prometheus stamps each scrape with its wall time, so a rate over wall time is the simulated
 * rate times the speed. The clock series gives it back:
 *   sum(increase(http_requests_total[1m])) / increase(rehearse_simulated_seconds_total[1m])
 */
import { exposition, type ScrapeSeries } from '../observe/metrics.js';
import type { DrillSession } from './session.js';

export function metricsText(session: DrillSession): string {
  const series: ScrapeSeries = session.series;
  const covered = (series.scrapes * series.intervalMs) / 1000;
  return `${exposition(series)}# HELP rehearse_simulated_seconds_total Simulated time covered by the series above (the end of the latest simulated scrape).
# TYPE rehearse_simulated_seconds_total counter
rehearse_simulated_seconds_total ${covered}
# HELP rehearse_drill_ended 1 once the drill has ended.
# TYPE rehearse_drill_ended gauge
rehearse_drill_ended ${session.ended ? 1 : 0}
`;
}
