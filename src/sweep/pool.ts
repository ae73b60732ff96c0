/**
 * The worker pool (piscina). The built CLI loads the worker bundled into one script next to this module
 * (worker.cjs, made by scripts/bundle.mjs), else its compiled twin; run from TypeScript sources (tests, tsx), the
 * bundled worker of a build at least as new as the sources (files/built.ts), else the worker's source through tsx.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { freshBuilt } from '../files/built.js';
import type { RunBatch, RunRecord } from './run.js';

/** A pool of `workers` threads running worker.ts: sweep batches by default, or ci rehearsals (RehearsalTask). */
export function createPool<T = RunBatch, R = RunRecord[]>(workers: number): Piscina<T, R> {
  const threads = { minThreads: workers, maxThreads: workers, idleTimeout: 60_000 };
  if (import.meta.url.endsWith('.js')) {
    // A path, not a URL: piscina requires a script by its path.
    const bundled = fileURLToPath(new URL('./worker.cjs', import.meta.url));
    if (existsSync(bundled)) return new Piscina({ filename: bundled, ...threads });
    const compiled = new URL('./worker.js', import.meta.url);
    if (existsSync(fileURLToPath(compiled))) return new Piscina({ filename: compiled.href, ...threads });
  }
  const built = freshBuilt(import.meta.url, 'worker.cjs');
  if (built) return new Piscina({ filename: built, ...threads });
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return new Piscina({ filename: new URL('./worker.ts', import.meta.url).href, ...threads, execArgv: ['--import', tsx] });
}
