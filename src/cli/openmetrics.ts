/** `run --openmetrics FILE`: the run's Prometheus series written as OpenMetrics text. */
import { closeSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { InputError } from '../errors.js';
import { makeFolders } from '../files/write.js';
import { observeSeries, writeOpenMetrics, type ScrapeSeries } from '../observe/metrics.js';
import type { Simulation } from '../model/simulation.js';
import type { Scenario } from '../scenario/types.js';

export function observe(sim: Simulation, scenario: Scenario): ScrapeSeries {
  return observeSeries(sim, scenario);
}

export function writeSeries(file: string, series: ScrapeSeries): void {
  let fd: number;
  makeFolders(dirname(file), file);
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw new InputError([`${file}: cannot write the series: ${(e as Error).message}`]);
  }
  try {
    writeOpenMetrics(series, (chunk) => writeSync(fd, chunk));
  } finally {
    closeSync(fd);
  }
}
