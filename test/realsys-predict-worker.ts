/**
 * A worker thread's body for test/realsys-live.test.ts: calibrates the trace files as that test does (the same files
 * and options give the same calibration), then predicts at a rate and posts the prediction. Started through
 * predictOnWorker (realsys-helpers.ts), from the sources through tsx.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { calibrateFiles, predictAt } from '../src/calibrate/calibrate.js';
import { parseWaitAttribute } from '../src/calibrate/pool-waits.js';
import type { PredictTask } from './realsys-helpers.js';

const task = workerData as PredictTask;
const cal = calibrateFiles(task.files, {
  sampleRate: task.sampleRate, capacity: task.capacity, keep: true,
  ...(task.waitAttribute ? { waitAttribute: parseWaitAttribute(task.waitAttribute) } : {}),
});
parentPort!.postMessage(predictAt(cal, task.ratePerSec, task.resamples));
