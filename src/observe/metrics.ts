/**
 * Prometheus series of a run: turn them on for a simulation, then read them as PromQL series, as OpenMetrics
 * text (the whole run, with timestamps) or as the exposition format of the latest scrape (a live /metrics).
 */
import type { Simulation, SimulationHooks } from '../model/simulation.js';
import type { Scenario } from '../scenario/types.js';
import { DEFAULT_EPOCH_MS, ScrapeSeries, type SeriesNames } from '../metrics/series.js';
import { ScrapeRecorder } from '../telemetry/scrapes.js';
import { CAUSE_OK } from '../telemetry/telemetry.js';

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

const recorders = new WeakMap<Simulation, ScrapeRecorder>();

/**
 * Keeps the simulation's telemetry at scrape resolution from now on (before run()): every attempt that ends is
 * counted under its labels. The recorder already attached to this simulation, if any.
 */
export function observeScrapes(sim: Simulation, intervalUs: number, bucketsSeconds?: readonly number[]): ScrapeRecorder {
  const made = recorders.get(sim);
  if (made) return made;
  const m = sim.model;
  const shape = { endpoints: m.endpointNames.length, journeys: m.journeyNames.length, segments: sim.segmentNames.length, flags: m.flagCount };
  const recorder = new ScrapeRecorder(shape, intervalUs, bucketsSeconds);
  recorders.set(sim, recorder);
  sim.observe(new ScrapeFeed(sim, recorder));
  return recorder;
}

/** Every attempt that ends, counted under its labels. */
class ScrapeFeed implements Pick<SimulationHooks, 'attemptEnded' | 'attemptEndedInline' | 'ended'> {
  constructor(private readonly sim: Simulation, private readonly recorder: ScrapeRecorder) {}

  attemptEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    if (!sim.leftCaller(rec)) return; // gave up waiting for a slot of its caller's pool: no endpoint saw it
    this.recorder.record(sim.engine.now, sim.rTarget[rec], sim.journeyServed(rec), sim.segmentOf(rec), sim.rFlagsOn[rec], cause, latencyUs);
  }

  attemptEndedInline(parent: number, e: number, flagsOn: number, latencyUs: number): void {
    const sim = this.sim;
    this.recorder.record(sim.engine.now, e, sim.journeyServed(parent), sim.segmentOf(parent), flagsOn, CAUSE_OK, latencyUs);
  }

  ended(endUs: number): void {
    this.recorder.scrapeUntil(endUs);
  }
}

/** Keeps the simulation's telemetry at scrape resolution (call before run) and returns its series. */
export function observeSeries(sim: Simulation, scenario: Scenario): ScrapeSeries {
  const spec = scenario.metrics;
  const recorder = observeScrapes(sim, spec.scrapeIntervalUs, spec.bucketsSeconds);
  return new ScrapeSeries(recorder, seriesNames(sim, scenario), spec.mapping, epochOf(scenario), spec.prometheus);
}
