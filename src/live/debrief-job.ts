/**
 * Starts the debrief worker (debrief-worker.ts) and reports its progress. The built CLI loads the compiled
 * worker next to this module; run from TypeScript sources (tests, tsx), the compiled worker of a build at least as
 * new as the sources (files/built.ts), else the worker's source through tsx.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { freshBuilt } from '../files/built.js';
import type { DebriefMessage, DebriefTask } from './debrief-worker.js';

export interface DebriefStatus {
  state: 'none' | 'writing' | 'ready' | 'failed';
  progress: number;
  step: string;
  error?: string;
  /** Once ready: where the debrief was written (as the terminal prints it), and whether this server still serves it. */
  files?: { html: string; json: string };
  served?: boolean;
}

export interface DebriefResult {
  json: string;
  html: string;
  digest: string;
  /** The debrief in a few lines for the terminal (debrief-words.ts). */
  summary: string[];
}

export interface DebriefJob {
  done: Promise<DebriefResult>;
  /** Stops the worker (the process is stopping; the journal keeps the drill). */
  stop(): void;
}

/** tsx's ESM API (its "import" condition: the module, not the CommonJS shim require.resolve finds). */
function tsxApi(): string {
  return pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
}

export function startDebrief(task: DebriefTask, onProgress: (s: DebriefStatus) => void): DebriefJob {
  const nextTo = new URL('./debrief-worker.js', import.meta.url);
  const compiled = import.meta.url.endsWith('.js') ? (existsSync(fileURLToPath(nextTo)) ? nextTo : null) : freshBuilt(import.meta.url, 'debrief-worker.js');
  const worker = compiled !== null
    ? new Worker(compiled, { workerData: task })
    // From TypeScript sources: tsx's loader registered in the worker, then the worker's source imported.
    : new Worker(`import(${JSON.stringify(tsxApi())}).then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./debrief-worker.ts', import.meta.url).href)}); })`, {
      eval: true, workerData: task,
    });
  const done = new Promise<DebriefResult>((resolve, reject) => {
    let settled = false;
    worker.on('message', (m: DebriefMessage) => {
      if (m.kind === 'progress') onProgress({ state: 'writing', progress: m.share, step: m.step });
      else if (m.kind === 'done') {
        settled = true;
        onProgress({ state: 'ready', progress: 1, step: 'done' });
        resolve({ json: m.json, html: m.html, digest: m.digest, summary: m.summary });
      } else {
        settled = true;
        onProgress({ state: 'failed', progress: 0, step: 'failed', error: m.error });
        reject(Object.assign(new Error(m.error), { lines: m.lines }));
      }
    });
    worker.on('error', (e) => {
      if (settled) return;
      settled = true;
      onProgress({ state: 'failed', progress: 0, step: 'failed', error: e.message });
      reject(e);
    });
    worker.on('exit', (code) => {
      if (settled) return;
      settled = true;
      onProgress({ state: 'failed', progress: 0, step: 'failed', error: `the debrief worker stopped (exit ${code})` });
      reject(new Error(`the debrief worker stopped (exit ${code})`));
    });
  });
  return { done, stop: () => void worker.terminate() };
}
