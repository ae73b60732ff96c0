/**
 * The shop of realsys/ as the tests read it: what realsys/system.json declares, and a calibrated scenario run
 * under one of its conditions (its rate; the slow switch as a fixed delay on the slow service's own time).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { CalibrateResult } from '../src/calibrate/calibrate.js';
import type { Prediction } from '../src/calibrate/check.js';
import { runScenario } from '../src/score/result.js';
import { load } from './roundtrip-helpers.js';

export const root = new URL('..', import.meta.url).pathname;

export interface Condition { rate: number; seconds: number; sampleRatio: number; traces: string; slow?: { service: string; addMs: number } }
export interface Declared {
  services: Record<string, { workers: number }>; journeys: Record<string, { method: string; path: string }>;
  conditions: Record<string, Condition>;
}
export const system = JSON.parse(readFileSync(join(root, 'realsys', 'system.json'), 'utf8')) as Declared;
export const services = Object.keys(system.services);
/** `--capacity` as the shop declares it: frontend=6,catalog=4,... */
export const declaredCapacity = services.map((s) => `${s}=${system.services[s].workers}`).join(',');
/** The shop's journeys by the names calibrate gives their root operations. */
export const journeyOf: Record<string, string> = { browse: 'GET-product', checkout: 'POST-checkout' };

export interface Figures { requests: number; errors: number; errorRate: number; throughputPerSec: number; latencyMs: { mean: number; p50: number; p95: number; p99: number } }
export interface Measured {
  journeys: Record<string, Figures & { request: string }>; all: Figures;
  services: Record<string, { utilization: number; workers: number; timerOvershootMs: { mean: number; p99: number } }>;
  traces: { requests: number; sampleRatio: number; spans: Record<string, number> };
  /** How late the load generator sent requests against their drawn times. */
  client: { sendLagMs: { mean: number; p99: number } };
}
export const readMeasured = (dir: string, condition: string) => JSON.parse(readFileSync(join(dir, condition, 'measured.json'), 'utf8')) as Measured;

/** The calibrated scenario run at a condition's rate (100,000 journeys), its journeys' figures. */
export function predict(cal: CalibrateResult, condition: Condition) {
  let yaml = cal.yaml.replace(/\n {2}rate: [^\n]*/, `\n  rate: ${condition.rate}/s\n  requests: 100000`);
  // A service slower inside its worker: a fixed delay on each of its endpoints' own time.
  const slow = condition.slow;
  if (slow) {
    const block = new RegExp(`(\\n {2}${slow.service}:\\n[\\s\\S]*?)(\\n {2}[a-z]|$)`);
    yaml = yaml.replace(block, (_m, body: string, next: string) => body.replace(/\n( {10})dist: empirical\n/g, `\n$1dist: empirical\n$1plus: ${slow.addMs}ms\n`) + next);
  }
  return runScenario(load(yaml)).journeys;
}

/** What realsys-predict-worker.ts calibrates (files and options, as calibrateFiles takes them) and predicts. */
export interface PredictTask { files: string[]; sampleRate: number; capacity: string; waitAttribute?: string; ratePerSec: number; resamples: number }

/**
 * predictAt of the calibration of `task.files`, on a worker thread (loaded from the sources through tsx): the same
 * files and options calibrate alike, so this is the prediction the calling thread would make, made beside it.
 */
export function predictOnWorker(task: PredictTask): Promise<Prediction> {
  // tsx's ESM API (its "import" condition), registered in the worker before the body is imported, as
  // src/live/debrief-job.ts starts its worker from the sources.
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const body = new URL('./realsys-predict-worker.ts', import.meta.url).href;
  const worker = new Worker(`import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(body)}); })`, { eval: true, workerData: task });
  return new Promise((resolve, reject) => {
    worker.once('message', (p: Prediction) => { resolve(p); void worker.terminate(); });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the prediction's worker exited (${code}) before it answered`)));
  });
}
