/** A rollout plan's state as the controller walks it. */
import type { RolloutPlan } from '../scenario/types.js';
import { worst, type Verdict } from '../lang/threshold.js';
import { clock, readingWords } from '../units/format.js';
import type { AnalysisRun } from './analysis.js';
import type { AuditEntry, Decision, Outcome, PlanReport } from './audit.js';
import type { BoundGate, GateReading } from './reading.js';

export type Phase = 'waiting' | 'approval' | 'window' | 'lock' | 'holding' | 'analysis' | Outcome;

export interface PlanState {
  plan: RolloutPlan;
  flag: number;
  phase: Phase;
  stage: number;
  token: number;
  approvedStage: number;
  /** Index of the plan's first stage in the table of approval delays. */
  approvalBase: number;
  gates: BoundGate[];
  failures: number;
  consecutiveErrors: number;
  evaluations: number;
  /**
   * The breach countReadings() last found rests only on readings that flag-off traffic fails as much (GateReading
   * flagOff): the act it leads to is marked so (Decision.flagOffToo).
   */
  flagOffToo?: boolean;
  /** Of that breach's failed readings, those that cannot be judged against flag-off traffic: "gate: why" (Decision.flagOffUnjudged). */
  flagOffUnjudged?: string[];
  lastVerdict: Verdict | null;
  percent: number;
  version: number;
  startedUs: number | null;
  endedUs: number | null;
  decisions: Decision[];
  locks: number[];
  published: Map<number, number>;
  /** An evaluation is scheduled (the loop stops when the plan ends, and restarts if a person revives it). */
  evaluating: boolean;
  /** When the scheduled evaluation falls. */
  nextEvaluationUs: number;
  /** When the plan's gates last read, so that a reading taken before a promotion is not taken twice. */
  evaluatedUs: number;
  /** The readings of the current hold, for gates that share their error among them (reading.ts, Look). */
  looks: { sequence: number; startUs: number; lastUs: number | null };
  propagation: Map<number, { changes: number; total: number; max: number }>;
  /** Argo analysis runs: the background one, the inline one of the current stage, and the last stage whose inline run succeeded. */
  background: AnalysisRun | null;
  inline: AnalysisRun | null;
  inlineDone: number;
  analysisToken: number;
  /** Flagger: failed checks over the whole analysis, and checks passed at the current weight. */
  failedChecks: number;
  passedChecks: number;
}

/** A plan's state before it starts. */
export function newPlanState(plan: RolloutPlan, flag: number, approvalBase: number, gates: BoundGate[]): PlanState {
  return {
    plan, flag, phase: 'waiting', stage: -1, token: 0, approvedStage: -1, approvalBase, gates,
    failures: 0, consecutiveErrors: 0, evaluations: 0, lastVerdict: null, percent: 0, version: 0,
    startedUs: null, endedUs: null, decisions: [], locks: [], published: new Map(), evaluating: false, nextEvaluationUs: 0, evaluatedUs: -1,
    looks: { sequence: 0, startUs: 0, lastUs: null }, propagation: new Map(),
    background: null, inline: null, inlineDone: -1, analysisToken: 0, failedChecks: 0, passedChecks: 0,
  };
}

/**
 * The time of a hold's last reading: evaluations fall every `intervalUs` from `nextUs`, and those after the hold's
 * start up to and including its end read it. One at the hold's very end reads it before the plan moves on (the
 * controller takes a reading due at that instant first); one at its start belongs to the hold before. Null when
 * no reading falls in the hold.
 */
export function lastReading(startUs: number, holdUs: number, nextUs: number, intervalUs: number): number | null {
  const endUs = startUs + holdUs;
  if (nextUs > endUs) return null;
  const last = nextUs + Math.floor((endUs - nextUs) / intervalUs) * intervalUs;
  return last > startUs ? last : null;
}

/** A hold of `holdUs` begins at `nowUs`: its readings are a new sequence of looks. */
export function beginLooks(p: PlanState, nowUs: number, holdUs: number): void {
  p.looks = { sequence: p.looks.sequence + 1, startUs: nowUs, lastUs: lastReading(nowUs, holdUs, p.nextEvaluationUs, p.plan.evaluateEveryUs) };
}

/** Where a reading at `nowUs` falls among its hold's readings (Look). */
export function lookAt(p: PlanState, nowUs: number): { sequence: number; fraction: number } {
  const { sequence, startUs, lastUs } = p.looks;
  return { sequence, fraction: lastUs === null || lastUs <= startUs ? 1 : Math.min(1, Math.max(0, (nowUs - startUs) / (lastUs - startUs))) };
}

/** A plan's state for a live view. */
export interface PlanView { flag: string; phase: string; stage: number; stages: number; percent: number; version: number; awaitingApproval: boolean }

export function planView(p: PlanState): PlanView {
  return {
    flag: p.plan.flag, phase: p.phase, stage: p.stage, stages: p.plan.stages.length, percent: p.percent, version: p.version,
    awaitingApproval: p.phase === 'approval',
  };
}

/**
 * Counts a round of readings into the plan's failures and consecutive errors, as Argo Rollouts and Flagger count
 * them; the breach they make (more failures than the limit, or more consecutive errors), or null.
 */
export function countReadings(p: PlanState, readings: readonly GateReading[]): string | null {
  p.lastVerdict = worst(readings.map((r) => r.verdict));
  const failed = readings.filter((r) => r.verdict === 'fail');
  if (failed.length > 0) p.failures++;
  if (readings.some((r) => r.verdict === 'error')) p.consecutiveErrors++;
  else p.consecutiveErrors = 0;
  if (p.failures > p.plan.failureLimit) {
    noteFlagOff(p, failed);
    return `${failed.map((r) => `${r.gate}: ${readingWords(r)}`).join('; ')} (failure ${p.failures}, limit ${p.plan.failureLimit})`;
  }
  if (p.consecutiveErrors > p.plan.consecutiveErrorLimit) return `${p.consecutiveErrors} consecutive gate errors (limit ${p.plan.consecutiveErrorLimit})`;
  return null;
}

/**
 * Notes what the failed readings a breach rests on say of flag-off traffic, for the act it leads to (flagOffNotes):
 * whether every one failed on flag-off traffic too, and which cannot be judged so.
 */
export function noteFlagOff(p: PlanState, failed: readonly GateReading[]): void {
  p.flagOffToo = failed.length > 0 && failed.every((r) => r.flagOff !== undefined);
  p.flagOffUnjudged = [...new Set(failed.flatMap((r) => (r.flagOffUnjudged === undefined ? [] : [`${r.gate}: ${r.flagOffUnjudged}`])))];
}

/**
 * What the breach countReadings() last found says of flag-off traffic, for the decision it leads to when that is a
 * gates' rollback or pause (`acts`): Decision.flagOffToo and flagOffUnjudged. Taken once.
 */
export function flagOffNotes(p: PlanState, acts: boolean): Pick<Decision, 'flagOffToo' | 'flagOffUnjudged'> {
  const notes = {
    ...(acts && p.flagOffToo === true ? { flagOffToo: true as const } : {}),
    ...(acts && p.flagOffUnjudged?.length ? { flagOffUnjudged: p.flagOffUnjudged } : {}),
  };
  p.flagOffToo = false;
  p.flagOffUnjudged = undefined;
  return notes;
}

export function isTerminal(phase: Phase): boolean {
  return phase === 'completed' || phase === 'rolled-back' || phase === 'paused';
}

/** A plan's report after the run: its outcome, decisions and the propagation of its changes per service. */
export function planReport(p: PlanState, serviceNames: readonly string[]): PlanReport {
  return {
    flag: p.plan.flag,
    outcome: isTerminal(p.phase) ? (p.phase as Outcome) : p.phase === 'waiting' && p.stage < 0 ? 'not-started' : 'paused',
    cutOff: !isTerminal(p.phase) && p.stage >= 0,
    finalPercent: p.percent,
    stagesReached: p.stage + 1,
    startedUs: p.startedUs,
    endedUs: p.endedUs,
    decisions: p.decisions,
    propagation: Object.fromEntries([...p.propagation].map(([s, x]) => [serviceNames[s], { changes: x.changes, meanUs: x.total / x.changes, maxUs: x.max }])),
  };
}

const DAY_US = 24 * 3600e6;

/** Microseconds until the plan may act, by its coordination windows (0 when inside one, or without any). */
export function untilWindow(plan: RolloutPlan, startTimeUs: number, nowUs: number): number {
  if (plan.windows.length === 0) return 0;
  const minute = (((startTimeUs + nowUs) % DAY_US) + DAY_US) % DAY_US / 60e6;
  let best = Infinity;
  for (const [a, b] of plan.windows) {
    const inside = a < b ? minute >= a && minute < b : minute >= a || minute < b;
    if (inside) return 0;
    best = Math.min(best, ((a - minute + 1440) % 1440) * 60e6);
  }
  return Math.ceil(best);
}

export function formatMinutes(us: number): string {
  const m = us / 60e6;
  return m >= 60 ? `${+(m / 60).toFixed(2)}h` : m >= 1 ? `${+m.toFixed(1)}m` : `${+(us / 1e6).toFixed(1)}s`;
}

const PHASE_WORDS: Record<Phase, string> = {
  waiting: 'waiting for its next stage', approval: 'waiting for an approval', window: 'waiting for its release window',
  lock: 'waiting for a lock', holding: 'holding', analysis: 'in analysis', completed: 'completed', 'rolled-back': 'rolled back',
  paused: 'paused', 'not-started': 'not started',
};

/**
 * Why an approval of plan `p` is refused: it waits for none. Who approved its last stage and when (from the audit
 * trail `audit`), and where the plan is now, so that the second approver of a stage learns it was done.
 */
export function notWaitingForApproval(p: PlanState, audit: readonly AuditEntry[]): string {
  const words = [`${p.plan.flag} is not waiting for an approval`];
  const last = audit.findLast((e) => e.flag === p.plan.flag && e.event === 'decision' && e.action === 'approve');
  if (last) {
    const who = last.actor === 'operator' && last.by !== undefined ? ` by ${last.by}` : ' by the scenario\'s approver';
    words.push(`: stage ${(last.stage ?? 0) + 1} was approved${who} at ${clock(last.timeUs / 1e6)}`);
  }
  words.push(p.stage < 0 ? `${last ? ';' : ':'} it has not started` : `${last ? ';' : ':'} it is at stage ${p.stage + 1} of ${p.plan.stages.length} (${p.percent}%), ${PHASE_WORDS[p.phase]}`);
  return words.join('');
}
