/**
 * The programmatic API of rollout-rehearsal: load a scenario, rehearse it, sweep its tune block. The CLI is
 * built on these functions. Bad input throws InputError (its `lines` name the file, line:column and path);
 * nothing here writes to the terminal or exits.
 */
import { InputError } from './errors.js';
import { loadScenarioFile, parseScenarioText } from './load/scenario.js';
import { formatProblem } from './scenario/problems.js';
import type { Simulation } from './model/simulation.js';
import type { Scenario } from './scenario/types.js';
import { runScenario, type RunResult } from './score/result.js';
import type { SweepDocument } from './sweep/sweep.js';
import type { CheckResult } from './calibrate/check.js';
import { VERSION } from './version.js';

export { InputError, RehearseError } from './errors.js';
export type { Scenario } from './scenario/types.js';
export type { RunResult } from './score/result.js';
export type { SweepDocument } from './sweep/sweep.js';
export type { PolicyStats, Recommendation } from './sweep/aggregate.js';

/** The package version, as stamped into every result document. */
export const version: string = VERSION;

export interface LoadOptions {
  /** Apply one of the scenario's cases. */
  case?: string;
  /** Called with each warning (what a flag file uses that rehearse does not model), as file:line:column: path: message. */
  onWarning?: (warning: string) => void;
  /** Warnings are errors (InputError). */
  strict?: boolean;
}

/**
 * Reads and validates a scenario file (YAML or JSON); a cohort file it names is read relative to it. With a case,
 * the file and every case are checked first, so a file `validate` refuses is refused, with the same messages.
 */
export function loadScenario(file: string, options: LoadOptions = {}): Scenario {
  if (options.case !== undefined) {
    const whole = loadScenarioFile(file);
    if (!whole.ok) throw new InputError(whole.problems.map((p) => formatProblem(file, p)));
  }
  const loaded = loadScenarioFile(file, options.case);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
  if (options.strict && loaded.warnings.length) throw new InputError(loaded.warnings);
  for (const w of loaded.warnings) options.onWarning?.(w);
  return loaded.scenario;
}

/** A scenario from text (YAML or JSON); `name` labels messages, `baseDir` is where cohort files are read. */
export function parseScenario(text: string, options: LoadOptions & { name?: string; baseDir?: string } = {}): Scenario {
  const loaded = parseScenarioText(text, options.baseDir ?? '.', options.case);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(options.name ?? '<text>', p)));
  return loaded.scenario;
}

export interface RehearseOptions extends LoadOptions {
  /** Random seed (default: the scenario's). Same scenario, seed and version: the same result. */
  seed?: number;
  /** Called with the simulation before it runs, to attach observers (the CLI's --openmetrics series). */
  observe?: (simulation: Simulation) => void;
}

/**
 * Simulates a scenario (a loaded one, or a file to load) and scores it: the result document
 * (schema rehearse/run@1) with telemetry, rollout decisions, ground-truth outcomes and acceptance.
 * `options.case` applies when a file is given (a loaded scenario already has its case applied).
 */
export function rehearse(scenario: Scenario | string, options: RehearseOptions = {}): RunResult {
  if (typeof scenario !== 'string' && options.case !== undefined) {
    throw new InputError(['case: pass a file to apply a case, or load the scenario with loadScenario(file, { case })']);
  }
  const s = typeof scenario === 'string' ? loadScenario(scenario, { case: options.case }) : scenario;
  return runScenario(s, { seed: options.seed, observe: options.observe });
}

export interface SweepOptions {
  /** Runs per policy and case (default: the tune block's seeds). */
  seeds?: number;
  /** Worker threads (default: the cores available). */
  workers?: number;
  /** Only slice `index` of `count` (1-based); merge the slices' documents with the CLI's `rehearse merge`. */
  shard?: { index: number; count: number };
  /** An interrupted sweep's document to continue. */
  resume?: SweepDocument;
  /** Run even when the work estimate is over the limits (src/scenario/budget.ts). */
  force?: boolean;
  /** Stops the sweep: what finished is kept (the document says `complete: false`). */
  signal?: AbortSignal;
  /** Called as runs finish. */
  onRun?: (done: number, total: number) => void;
  /** Given, once the runs start, a function that makes the document of the runs finished so far (to keep them when quitting early). */
  snapshot?: (current: () => SweepDocument) => void;
}

/**
 * Monte Carlo sweep of a scenario file's tune block on a worker pool: every policy x case x seed, the
 * statistics per policy, the Pareto front and the recommendation (schema rehearse/sweep@1). The same file
 * and seeds give the same document, byte for byte, whatever the number of workers.
 */
export async function sweep(file: string, options: SweepOptions = {}): Promise<SweepDocument> {
  const { prepareSweep, runSweep } = await import('./sweep/sweep.js');
  const { availableParallelism } = await import('node:os');
  const setup = prepareSweep(file, options.seeds, options.force);
  return runSweep(setup, {
    workers: options.workers ?? Math.max(1, availableParallelism()),
    shard: options.shard,
    resume: options.resume,
    signal: options.signal,
    onRun: options.onRun,
    snapshot: options.snapshot,
  });
}

/** A self-contained HTML report of a run, sweep or calibration check document (charts inlined, nothing fetched). */
export async function htmlReport(doc: RunResult | SweepDocument | CheckResult): Promise<string> {
  if (doc.schema === 'rehearse/calibration-check@1') return (await import('./report/html/check.js')).checkReportHtml(doc);
  if (doc.schema === 'rehearse/sweep@1') return (await import('./report/html/sweep.js')).sweepReportHtml(doc);
  return (await import('./report/html/run.js')).runReportHtml(doc);
}
