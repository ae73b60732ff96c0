/** `rehearse sweep` and `rehearse merge`: the terminal around a sweep (progress, Ctrl-C, files). */
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { SingleBar } from 'cli-progress';
import { InputError } from '../errors.js';
import { writeJson } from '../report/json.js';
import { formatSweep } from '../report/sweep-terminal.js';
import { sweepReportHtml } from '../report/html/sweep.js';
import { writeText } from '../report/text.js';
import { sweep } from '../index.js';
import { mergeSweeps, prepareSweep, type SweepDocument } from '../sweep/sweep.js';

export interface SweepCliOptions {
  seeds?: number;
  workers?: number;
  json?: string;
  html?: string;
  shard?: { index: number; count: number };
  resume?: string;
  quiet?: boolean;
}

function readDocument(file: string): SweepDocument {
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    if (doc?.schema !== 'rehearse/sweep@1') throw new Error('not a sweep document (rehearse/sweep@1)');
    return doc as SweepDocument;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError([`${file}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message.startsWith('not a sweep') ? (err as Error).message : 'not a sweep document (rehearse/sweep@1)'}`]);
  }
}

/** Runs a sweep; returns the exit code (0, 1 when no policy meets the constraints, 130 when interrupted). */
export async function sweepCommand(file: string, opts: SweepCliOptions, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  const resume = opts.resume ? readDocument(opts.resume) : undefined;
  const workers = opts.workers ?? Math.max(1, availableParallelism());
  const controller = new AbortController();
  const onSigint = () => {
    if (!controller.signal.aborted) err('\nstopping: finishing nothing new, keeping what is done (Ctrl-C again to quit at once)');
    else process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  // The bar draws on a terminal only (stderr); in CI logs it stays silent.
  const bar = new SingleBar({
    format: 'sweep [{bar}] {value}/{total} runs | {rate} runs/s | {eta_formatted} left',
    stream: process.stderr,
    hideCursor: true,
    etaBuffer: 50,
  });
  const t0 = performance.now();
  let started = false;
  try {
    const doc = await sweep(file, {
      seeds: opts.seeds,
      workers,
      shard: opts.shard,
      resume,
      signal: controller.signal,
      onRun: (done, total) => {
        const rate = (done / Math.max((performance.now() - t0) / 1000, 1e-3)).toFixed(1);
        if (!started) {
          if (!opts.quiet) bar.start(total, done, { rate });
          started = true;
        } else bar.update(done, { rate });
      },
    });
    if (started) bar.stop();
    if (opts.json) writeJson(opts.json, doc);
    if (opts.html) writeText(opts.html, sweepReportHtml(doc));
    if (!opts.quiet) out(formatSweep(doc));
    if (opts.html && !opts.quiet) out(`\nreport written to ${opts.html}`);
    if (controller.signal.aborted) {
      err(`interrupted: ${doc.runs.length} of ${doc.plan.runs} runs kept${opts.json ? `; continue with --resume ${opts.json}` : ' (write them with --json to resume)'}`);
      return 130;
    }
    if (opts.json && !opts.quiet) out(`\nsweep written to ${opts.json}`);
    return doc.shard || doc.recommendation ? 0 : 1;
  } finally {
    process.off('SIGINT', onSigint);
  }
}

export function mergeCommand(scenario: string, files: string[], opts: { json?: string; html?: string }, out: (s: string) => void): number {
  const docs = files.map(readDocument);
  const seeds = docs[0]?.plan.seeds;
  const setup = prepareSweep(scenario, seeds);
  const merged = mergeSweeps(setup, docs);
  if (opts.json) writeJson(opts.json, merged);
  if (opts.html) writeText(opts.html, sweepReportHtml(merged));
  out(formatSweep(merged));
  if (!merged.complete) out(`\nincomplete: ${merged.runs.length} of ${merged.plan.runs} runs; merge the missing shards`);
  return merged.recommendation ? 0 : 1;
}
