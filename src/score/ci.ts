/**
 * A CI run: every scenario of a directory, each case of each, judged by its acceptance criteria. The report
 * is plain data ("rehearse/ci@1"); the JUnit, Markdown and terminal writers take only it, and an earlier
 * report serves as a baseline to flag outcomes that got worse.
 */
import { detectingAct, DOES_NOT_APPLY, type FlagOutcome } from './outcomes.js';
import type { RunResult } from './result.js';
import { budget, count, duration } from '../units/format.js';

export interface CiCase {
  scenario: string;
  file: string;
  case: string | null;
  /** `no-criteria`: it ran, but no acceptance criterion applies to it, so nothing was judged. */
  status: 'passed' | 'failed' | 'invalid' | 'crashed' | 'no-criteria';
  /** Why it failed: the failed criteria, the validation problems, or the crash. */
  messages: string[];
  seconds: number;
  acceptance: RunResult['acceptance'];
  flags: Record<string, CiFlag>;
  errorBudgetBurned: number | null;
  regressions: string[];
  /** The HTML report of this case, relative to the index, when ci wrote them. */
  page?: string;
}

/** What ci keeps of a flag's outcome: the figures of its headline and of the baseline comparison. */
export type CiFlag = Pick<FlagOutcome, 'outcome' | 'final_percent' | 'defective' | 'blast_radius_users' | 'blast_radius_requests' | 'time_to_detect_seconds' | 'false_rollback' | 'missed_defect' | 'misattribution'>
  & Partial<Pick<FlagOutcome, 'acted_seconds' | 'time_to_full_rollout_seconds' | 'gates_failed_flag_off' | 'gates_unjudged_flag_off'>> & {
    /** The flag's percentage when the policy acted (rolled back or paused); null when it never did. */
    acted_percent?: number | null;
  };

export interface CiReport {
  schema: 'rehearse/ci@1';
  version: string;
  passed: boolean;
  counts: { cases: number; passed: number; failed: number; invalid: number; crashed: number; 'no-criteria': number; worse: number };
  /** Whether outcomes worse than the baseline fail the run (false with --baseline-warn). */
  baselineFails?: boolean;
  cases: CiCase[];
  /** Files under the folder that ci did not read as scenarios, and why (a workflow, a JSON Schema, a flag file...). */
  skipped?: { file: string; reason: string }[];
  /** Wall-clock figures: not part of the results, never compared. */
  timing: { seconds: number };
}

/**
 * A run's verdict: failed when a criterion failed; no criteria when none applies to its case (those of other
 * cases are listed, not judged); passed otherwise.
 */
export function runStatus(r: Pick<RunResult, 'passed' | 'acceptance'>): 'passed' | 'failed' | 'no-criteria' {
  if (!r.passed) return 'failed';
  return r.acceptance.some((a) => !a.note?.startsWith(`${DOES_NOT_APPLY}case `)) ? 'passed' : 'no-criteria';
}

/**
 * A rollback or pause of a flag's plan (by its policy or, on a game day, a person): which, and the flag's
 * percentage then. The first one, or with `detecting` the one that detected the flag's harm; null when none.
 */
export function firstAct(r: Pick<RunResult, 'rollouts' | 'outcomes'>, flag: string, detecting = false): { action: 'rollback' | 'pause'; percent: number; timeSeconds: number } | null {
  const decisions = r.rollouts.find((ro) => ro.flag === flag)?.decisions ?? [];
  const onset = r.outcomes.flags[flag]?.onset_seconds;
  const act = detecting && onset !== null && onset !== undefined ? detectingAct(decisions, (d) => d.timeSeconds, onset)
    : decisions.find((d) => d.action === 'rollback' || d.action === 'pause');
  if (!act) return null;
  const before = decisions.slice(0, decisions.indexOf(act)).reverse().find((d) => d.action === 'start' || d.action === 'promote');
  return { action: act.action as 'rollback' | 'pause', percent: before?.percent ?? 0, timeSeconds: act.timeSeconds };
}

/** The flag's percentage when its plan's policy first acted (rolled back or paused); null when it never did. */
export function actedPercent(r: Pick<RunResult, 'rollouts'>, flag: string): number | null {
  const decisions = r.rollouts.find((ro) => ro.flag === flag)?.decisions ?? [];
  const acted = decisions.findIndex((d) => d.action === 'rollback' || d.action === 'pause');
  if (acted < 0) return null;
  return decisions.slice(0, acted).reverse().find((d) => d.action === 'start' || d.action === 'promote')?.percent ?? 0;
}

export function caseFromResult(file: string, r: RunResult, seconds: number): CiCase {
  const failed = r.acceptance.filter((a) => !a.pass);
  return {
    scenario: r.scenario.name,
    file,
    case: r.scenario.case,
    status: runStatus(r),
    messages: failed.map((a) => `${a.criterion}: ${a.value === null ? (a.note ?? 'no value') : a.value}${a.note && a.value !== null ? ` (${a.note})` : ''}`),
    seconds,
    acceptance: r.acceptance,
    flags: Object.fromEntries(Object.entries(r.outcomes.flags).map(([k, f]) => [k, {
      outcome: f.outcome, final_percent: f.final_percent, defective: f.defective, blast_radius_users: f.blast_radius_users,
      blast_radius_requests: f.blast_radius_requests, time_to_detect_seconds: f.time_to_detect_seconds,
      false_rollback: f.false_rollback, missed_defect: f.missed_defect, misattribution: f.misattribution,
      acted_seconds: f.acted_seconds, acted_percent: actedPercent(r, k), time_to_full_rollout_seconds: f.time_to_full_rollout_seconds,
      // Only where it is so: the headline says the gates failed as much with the flag off, as the run report does.
      ...(f.gates_failed_flag_off ? { gates_failed_flag_off: true as const } : {}),
      ...(f.gates_unjudged_flag_off ? { gates_unjudged_flag_off: f.gates_unjudged_flag_off } : {}),
    }])),
    errorBudgetBurned: r.outcomes.error_budget_burned,
    regressions: [],
  };
}

/**
 * How much worse an outcome may get before it counts against the baseline: more than `relative` (10%) above the
 * baseline's value and by at least the absolute margin (5 users, 5 journeys, 60 s of detection: one default
 * evaluation interval; 1 percentage point of error budget). Runs are deterministic, so any change comes from the
 * scenario or the code; the margins keep a user or two moved by an unrelated edit from failing a night.
 */
export const BASELINE_TOLERANCE = { relative: 0.1, users: 5, requests: 5, detectSeconds: 60, budget: 0.01 } as const;

/** A case's counterpart in the baseline: the same scenario and case; of two files whose scenarios share a name,
 * the one of the same file. */
export function baselineCase(baseline: CiReport, c: Pick<CiCase, 'scenario' | 'case' | 'file'>): CiCase | undefined {
  const named = baseline.cases.filter((x) => x.scenario === c.scenario && x.case === c.case);
  return named.length > 1 ? named.find((x) => x.file === c.file) : named[0];
}

/** Outcomes worse than the baseline's for the same scenario, case and flag. */
export function compareWithBaseline(current: CiCase[], baseline: CiReport): void {
  const tol = BASELINE_TOLERANCE;
  for (const c of current) {
    const b = baselineCase(baseline, c);
    if (!b) continue;
    if (b.status === 'passed' && c.status !== 'passed') c.regressions.push(`was passing, now ${c.status}`);
    for (const [flag, now] of Object.entries(c.flags)) {
      const was = b.flags[flag];
      if (!was) continue;
      const grew = (key: 'blast_radius_users' | 'blast_radius_requests' | 'time_to_detect_seconds', margin: number, label: string, show: (v: number) => string) => {
        const x = was[key], y = now[key];
        if (x !== null && y !== null && y > x * (1 + tol.relative) && y - x >= margin) c.regressions.push(`${flag} ${label}: ${show(x)} → ${show(y)}`);
      };
      const whole = (v: number) => count(Math.round(v));
      grew('blast_radius_users', tol.users, 'blast radius users', whole);
      grew('blast_radius_requests', tol.requests, 'blast radius requests', whole);
      grew('time_to_detect_seconds', tol.detectSeconds, 'time to detect', duration);
      if (was.time_to_detect_seconds !== null && now.time_to_detect_seconds === null && now.defective) {
        c.regressions.push(`${flag}: no longer detected (was ${duration(was.time_to_detect_seconds)})`);
      }
      for (const key of ['false_rollback', 'missed_defect', 'misattribution'] as const) {
        if (!was[key] && now[key]) c.regressions.push(`${flag}: ${key.replace(/_/g, ' ')} (not in the baseline)`);
      }
    }
    if (b.errorBudgetBurned !== null && c.errorBudgetBurned !== null && c.errorBudgetBurned > b.errorBudgetBurned * (1 + tol.relative) + tol.budget) {
      c.regressions.push(`error budget: ${budget(b.errorBudgetBurned)} → ${budget(c.errorBudgetBurned)}`);
    }
  }
}

/**
 * The report, and its verdict: every case passed (or had no criteria), and, unless `baselineFails` is false
 * (--baseline-warn), none got worse than the baseline.
 */
export function ciReport(cases: CiCase[], version: string, seconds: number, baselineFails = true, skipped: CiReport['skipped'] = []): CiReport {
  const count = (s: CiCase['status']) => cases.filter((c) => c.status === s).length;
  const worse = cases.filter((c) => c.regressions.length > 0).length;
  return {
    schema: 'rehearse/ci@1',
    version,
    passed: cases.every((c) => c.status === 'passed' || c.status === 'no-criteria') && (!baselineFails || worse === 0),
    counts: {
      cases: cases.length, passed: count('passed'), failed: count('failed'), invalid: count('invalid'), crashed: count('crashed'),
      'no-criteria': count('no-criteria'), worse,
    },
    baselineFails,
    cases,
    ...(skipped.length ? { skipped } : {}),
    timing: { seconds },
  };
}

export const caseName = (c: Pick<CiCase, 'scenario' | 'case'>) => (c.case ? `${c.scenario} [${c.case}]` : c.scenario);
