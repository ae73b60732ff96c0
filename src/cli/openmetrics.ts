/** `run --openmetrics FILE`: the run's Prometheus series written as OpenMetrics text. */
import { writeChunks } from '../files/write.js';
import { observeSeries, writeOpenMetrics, type ScrapeSeries } from '../observe/metrics.js';
import type { Simulation } from '../model/simulation.js';
import type { Scenario } from '../scenario/types.js';

export function observe(sim: Simulation, scenario: Scenario): ScrapeSeries {
  return observeSeries(sim, scenario);
}

/** Writes the series, whole or not at all (files/write.ts). */
export function writeSeries(file: string, series: ScrapeSeries): void {
  writeChunks(file, (write) => writeOpenMetrics(series, write));
}
