/** `rehearse sweep` and `rehearse merge`: the terminal around a sweep (progress, Ctrl-C, files). */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SingleBar } from 'cli-progress';
import { readDocument } from './documents.js';
import { writeJson } from '../report/json.js';
import { formatSweep } from '../report/sweep-terminal.js';
import { sweepReportHtml } from '../report/html/sweep.js';
import { checkWritable, writeText } from '../files/write.js';
import { sweep } from '../index.js';
import { mergeSweeps, prepareSweep, type SweepDocument } from '../sweep/sweep.js';
import { duration, plural } from '../units/format.js';
import { InputError } from '../errors.js';
import { sci } from '../scenario/budget.js';
import { LIMITS } from '../scenario/defaults.js';
import { jsonText, STDOUT } from './json-out.js';
import { timeLeft } from './progress.js';
import { exitOnSignal } from './signals.js';

export interface SweepCliOptions {
  seeds?: number;
  workers?: number;
  json?: string;
  html?: string;
  shard?: { index: number; count: number };
  resume?: string;
  quiet?: boolean;
  force?: boolean;
  writeBack?: string;
}

function readSweep(file: string): SweepDocument {
  return readDocument(file, ['rehearse/sweep@1'], 'write one with rehearse sweep --json');
}

/** Runs a sweep; returns the exit code (0, 1 when no policy meets the constraints, 130 or 143 when interrupted). */
export async function sweepCommand(file: string, opts: SweepCliOptions, stdout: (s: string) => void, err: (s: string) => void): Promise<number> {
  // --json -: the document alone on stdout; the table and the rest go to stderr.
  const toStdout = opts.json === STDOUT;
  const out = toStdout ? err : stdout;
  for (const path of [toStdout ? undefined : opts.json, opts.html]) if (path) checkWritable(path);
  if (opts.writeBack) checkWritable(join(opts.writeBack, 'rollout.yaml'));
  const resume = opts.resume ? readSweep(opts.resume) : undefined;
  const workers = opts.workers ?? Math.max(1, availableParallelism());
  const controller = new AbortController();
  // SIGINT (Ctrl-C) and SIGTERM (what CI runners and Kubernetes send) both stop cleanly: what finished is
  // written and can be resumed. The exit code is 128 + the signal's number: 130 or 143.
  // The first signal ends the runs under way at once (their threads are terminated); a second quits at once,
  // after writing the document of the runs finished so far.
  let exitCode = 130;
  let current: (() => SweepDocument) | null = null;
  let written = false;
  const onSignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGTERM' ? 143 : 130;
    if (controller.signal.aborted) {
      try {
        if (opts.json && current && !written) writeJson(opts.json, current());
      } finally {
        process.exit(code);
      }
    }
    err(`\nstopping (${signal}): finishing nothing new, keeping what is done (${signal === 'SIGINT' ? 'Ctrl-C' : 'a signal'} again to quit at once)`);
    exitCode = code;
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // The bar draws on a terminal only (stderr); in CI logs it stays silent.
  const bar = new SingleBar({
    format: 'sweep [{bar}] {value}/{total} runs | {rate} runs/s | {left}',
    stream: process.stderr,
    hideCursor: true,
  });
  const t0 = performance.now();
  let started = false;
  let first = 0;
  try {
    const doc = await sweep(file, {
      seeds: opts.seeds,
      workers,
      shard: opts.shard,
      resume,
      force: opts.force,
      signal: controller.signal,
      snapshot: (f) => (current = f),
      onRun: (done, total) => {
        const ms = performance.now() - t0;
        const rate = (done / Math.max(ms / 1000, 1e-3)).toFixed(1);
        // The time left from this session's runs only (a resumed sweep's earlier runs took no time here).
        const payload = { rate, left: timeLeft(done - first, total - first, ms) };
        if (!started) {
          first = done;
          // Off a terminal the bar stays silent: one line says the sweep has begun (for CI logs).
          if (!opts.quiet && !process.stderr.isTTY) err(`sweep: ${plural(total - done, 'run')} to do on ${plural(workers, 'worker')}`);
          if (!opts.quiet) bar.start(total, done, { ...payload, left: timeLeft(0, total - done, ms) });
          started = true;
        } else bar.update(done, payload);
      },
    });
    if (started) bar.stop();
    if (toStdout) stdout(jsonText(doc));
    else if (opts.json) writeJson(opts.json, doc);
    written = true;
    if (opts.html) writeText(opts.html, sweepReportHtml(doc));
    if (!opts.quiet) {
      out(formatSweep(doc));
      // Wall-clock figures go to the terminal only: the document is the same whatever the machine and workers.
      const seconds = (performance.now() - t0) / 1000;
      out(`\n${plural(doc.runs.length, 'run')} in ${duration(seconds)} on ${plural(workers, 'worker')}`);
    }
    if (opts.html && !opts.quiet) out(`\nreport written to ${opts.html}`);
    if (controller.signal.aborted) {
      err(`interrupted: ${doc.runs.length} of ${plural(doc.plan.runs, 'run')} kept${opts.json ? `; continue with --resume ${toStdout ? 'FILE (the document printed)' : opts.json}` : ' (write them with --json to resume)'}`);
      return exitCode;
    }
    if (opts.json && !toStdout && !opts.quiet) out(`\nsweep written to ${opts.json}`);
    if (opts.writeBack && doc.recommendation) {
      const { writeBack } = await import('./write-back.js');
      const files = writeBack(file, doc.recommendation.values, opts.writeBack);
      if (!opts.quiet) out(files.length ? `\nrecommended policy written back to ${files.join(', ')}` : '\nnothing to write back: no tuned value lies in an imported resource');
    }
    return doc.shard || doc.recommendation ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Interrupted, the command exits with this code once this returns: a later signal quits the same way.
    if (controller.signal.aborted) exitOnSignal(exitCode);
  }
}

export function mergeCommand(scenario: string, files: string[], opts: { json?: string; html?: string; force?: boolean }, stdout: (s: string) => void, err: (s: string) => void = stdout): number {
  const toStdout = opts.json === STDOUT;
  const out = toStdout ? err : stdout;
  for (const path of [toStdout ? undefined : opts.json, opts.html]) if (path) checkWritable(path);
  const docs = files.map(readSweep);
  // The plan is made again from the first document's seeds: a plan over the limits (a document edited to claim
  // 1e15 seeds) is refused here, as the sweep itself would have been, unless --force.
  docs.forEach((d, i) => {
    if (!opts.force && d.plan.runs > LIMITS.sweepRuns) {
      throw new InputError([`${files[i]}: plan.runs: ${sci(d.plan.runs)} runs (${plural(d.plan.seeds, 'seed')} each), over the limit of ${sci(LIMITS.sweepRuns)} runs of a sweep; merge with --force if the sweep ran with --force`]);
    }
  });
  const seeds = docs[0]?.plan.seeds;
  const setup = prepareSweep(scenario, seeds, opts.force);
  const merged = mergeSweeps(setup, docs, files);
  if (toStdout) stdout(jsonText(merged));
  else if (opts.json) writeJson(opts.json, merged);
  if (opts.html) writeText(opts.html, sweepReportHtml(merged));
  out(formatSweep(merged));
  if (!merged.complete) out(`\nincomplete: ${merged.runs.length} of ${plural(merged.plan.runs, 'run')}; merge the missing shards`);
  return merged.recommendation ? 0 : 1;
}
