/**
 * Prometheus series of a run: turn them on for a simulation, then read them as PromQL series, as OpenMetrics
 * text (the whole run, with timestamps) or as the exposition format of the latest scrape (a live /metrics).
 */
import type { Simulation } from '../model/simulation.js';
import type { Scenario } from '../scenario/types.js';
import { DEFAULT_EPOCH_MS, ScrapeSeries, type SeriesNames } from '../metrics/series.js';

export { ScrapeSeries, ArraySeries, DEFAULT_EPOCH_MS, type SampleSeries, type SeriesSource, type Labels } from '../metrics/series.js';
export { writeOpenMetrics, exposition, formatLabels, formatNumber } from '../metrics/openmetrics.js';
export { resolveMapping, flagLabel, PRESETS, type MetricsMapping } from '../metrics/mapping.js';

export function seriesNames(sim: Simulation, scenario: Scenario): SeriesNames {
  const m = sim.model;
  return {
    services: m.serviceNames,
    endpointService: m.endpointService,
    endpointRoutes: m.endpointNames.map((n) => n.slice(n.indexOf('.') + 1)),
    journeys: m.journeyNames,
    segments: sim.segmentNames,
    flags: scenario.flags.map((f) => f.key),
  };
}

/** The wall time of the simulated start: the scenario's epoch, or 2026-01-01 at its start-time of day. */
export function epochOf(scenario: Scenario): number {
  return scenario.metrics.epochMs ?? DEFAULT_EPOCH_MS + Math.round(scenario.startTimeUs / 1000);
}

/** Keeps the simulation's telemetry at scrape resolution (call before run) and returns its series. */
export function observeSeries(sim: Simulation, scenario: Scenario): ScrapeSeries {
  const spec = scenario.metrics;
  const recorder = sim.enableScrapes(spec.scrapeIntervalUs, spec.bucketsSeconds);
  return new ScrapeSeries(recorder, seriesNames(sim, scenario), spec.mapping, epochOf(scenario));
}
