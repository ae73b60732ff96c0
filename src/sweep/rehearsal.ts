/**
 * One rehearsal of `rehearse ci`, run in a worker thread of the pool: a signal then stops it at once (the thread
 * is ended) instead of waiting for the simulation to finish. The worker loads the scenario and case itself.
 */
import { setReadLimits, type ReadLimits } from '../files/read.js';
import { loadScenarioFile } from '../load/scenario.js';
import { formatProblem } from '../scenario/problems.js';
import { runScenario, type RunResult } from '../score/result.js';

export interface RehearsalTask {
  rehearsal: { file: string; caseName: string | null; seed?: number; shownAs: string };
  /** The read limits in force where ci was started (a worker thread starts with the defaults). */
  limits: ReadLimits;
}

/**
 * A finished rehearsal with the seconds its thread took (loading and running), the problems of a scenario that no
 * longer loads, or how the simulation failed.
 */
export type RehearsalOutcome = { result: RunResult; seconds: number } | { problems: string[] } | { error: string };

export function executeRehearsal(task: RehearsalTask): RehearsalOutcome {
  setReadLimits(task.limits);
  const { file, caseName, seed, shownAs } = task.rehearsal;
  const started = performance.now();
  try {
    const loaded = loadScenarioFile(file, caseName ?? undefined);
    if (!loaded.ok) return { problems: loaded.problems.map((p) => formatProblem(shownAs, p)) };
    const result = runScenario(loaded.scenario, { seed });
    return { result, seconds: (performance.now() - started) / 1000 };
  } catch (err) {
    return { error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}
