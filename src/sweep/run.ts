/**
 * One run of a sweep: a policy, a case and a seed, reduced to the outcome figures the sweep aggregates.
 * Runs in a worker thread; scenarios are loaded once per worker and policy and case.
 */
import { readInput, setReadLimits, type ReadLimits } from '../files/read.js';
import { dirname } from 'node:path';
import { parseScenarioObject } from '../load/scenario.js';
import { parseText } from '../scenario/parse.js';
import { formatProblem } from '../scenario/problems.js';
import type { Scenario } from '../scenario/types.js';
import { runScenario } from '../score/result.js';
import { applyPolicy, type TuneValue } from './plan.js';

export interface RunTask {
  file: string;
  run: number;
  policy: number;
  values: Record<string, TuneValue>;
  caseName: string | null;
  seed: number;
}

export interface FlagRun {
  defective: boolean;
  detected: boolean;
  blast_radius_users: number;
  blast_radius_requests: number;
  time_to_detect_seconds: number | null;
  time_to_full_rollout_seconds: number | null;
  false_rollback: boolean;
  missed_defect: boolean;
  misattribution: boolean;
  final_percent: number;
  outcome: string;
}

export interface RunRecord {
  run: number;
  /** Set when the run could not complete: the scenario was invalid for this policy, or the simulation threw. */
  error?: string;
  flags?: Record<string, FlagRun>;
  error_budget_burned?: number;
}

const raws = new Map<string, Record<string, unknown>>();
const scenarios = new Map<string, Scenario | string>();

function scenarioFor(task: RunTask): Scenario | string {
  const key = `${task.file}|${task.policy}|${task.caseName}`;
  let s = scenarios.get(key);
  if (s === undefined) {
    let raw = raws.get(task.file);
    if (!raw) {
      // Read as the scenario's loader reads it (scenario/parse.ts: merge keys, Go's quoted strings, a .json file as
      // JSON): the yaml package alone left `<<: *defaults` a key, and every run of such a scenario was invalid.
      const parsed = parseText(readInput(task.file, 'scenario'), /\.json$/i.test(task.file) ? 'JSON' : 'YAML');
      if (!parsed.ok) return parsed.problems.map((p) => formatProblem(task.file, p)).join('; ');
      raw = parsed.raw as Record<string, unknown>;
      raws.set(task.file, raw);
    }
    try {
      const loaded = parseScenarioObject(applyPolicy(raw, task.values), dirname(task.file), task.caseName ?? undefined);
      s = loaded.ok ? loaded.scenario : loaded.problems.map((p) => formatProblem(task.file, p)).join('; ');
    } catch (err) {
      s = (err as Error).message;
    }
    scenarios.set(key, s);
  }
  return s;
}

/** A batch of runs of one policy and case (so that a worker loads each scenario variant once). */
export interface RunBatch {
  tasks: RunTask[];
  /** The read limits in force where the sweep was started (a worker thread starts with the defaults). */
  limits?: ReadLimits;
}

export function executeBatch(batch: RunBatch): RunRecord[] {
  if (batch.limits) setReadLimits(batch.limits);
  return batch.tasks.map(executeRun);
}

export function executeRun(task: RunTask): RunRecord {
  const s = scenarioFor(task);
  if (typeof s === 'string') return { run: task.run, error: `invalid scenario for this policy: ${s}` };
  try {
    const r = runScenario(s, { seed: task.seed });
    const flags: Record<string, FlagRun> = {};
    for (const [k, f] of Object.entries(r.outcomes.flags)) {
      flags[k] = {
        defective: f.defective, detected: f.detected, blast_radius_users: f.blast_radius_users, blast_radius_requests: f.blast_radius_requests,
        time_to_detect_seconds: f.time_to_detect_seconds, time_to_full_rollout_seconds: f.time_to_full_rollout_seconds,
        false_rollback: f.false_rollback, missed_defect: f.missed_defect, misattribution: f.misattribution,
        final_percent: f.final_percent, outcome: f.outcome,
      };
    }
    return { run: task.run, flags, error_budget_burned: r.outcomes.error_budget_burned };
  } catch (err) {
    return { run: task.run, error: `${(err as Error).name}: ${(err as Error).message}` };
  }
}
