/**
 * Scoring a rehearsal with the ground truth only a simulation has: which users each flag really hurt, when
 * the harm began and ended, how fast the policy acted, and whether it acted for the right reason. Pure: takes
 * the run's truth and the rollout reports, returns figures and verdicts.
 */
import type { FaultRuntime } from '../model/faults.js';
import type { FaultSlowing, GroundTruth } from '../model/truth.js';
import type { LatencyCounts } from '../telemetry/histogram.js';
import { TRUTH_NAMES } from '../model/truth.js';
import type { PlanReport } from '../rollout/controller.js';
import type { Criterion, Scenario } from '../scenario/types.js';
import type { FlagHarm } from './counterfactual.js';

export interface FlagOutcome {
  flag: string;
  /** The flag hurt at least one journey (a failure, or a journey slower than slo.latency, it caused). */
  defective: boolean;
  blast_radius_users: number;
  blast_radius_requests: number;
  onset_seconds: number | null;
  last_hurt_seconds: number | null;
  detected: boolean;
  /** When the policy acted (rollback or pause), if it did. */
  acted_seconds: number | null;
  time_to_detect_seconds: number | null;
  time_to_recover_seconds: number | null;
  time_to_full_rollout_seconds: number | null;
  outcome: PlanReport['outcome'] | 'no-plan';
  /** The run ended while the plan was on its way (outcome "paused" though nobody paused it): not a rollback. */
  cut_off: boolean;
  final_percent: number;
  false_rollback: boolean;
  missed_defect: boolean;
  misattribution: boolean;
  /**
   * The gates' first rollback or pause rested on readings that flag-off traffic failed as much, over the same window
   * (like with like): they acted on harm something else caused (base errors, a fault, another flag). On a flag that
   * hurt users it stopped the harm without detecting it (detected false); on one that hurt nobody it is a misattribution.
   */
  gates_failed_flag_off?: true;
  /**
   * The gates' first rollback or pause rested on failed readings of PromQL or alert gates whose queries cannot be
   * judged against flag-off traffic (they read flag-on and flag-off traffic alike): each gate and why.
   */
  gates_unjudged_flag_off?: string[];
  /**
   * With counterfactual truth: journeys the flag made worse and better than in its twin run; blast_radius_requests
   * is the first net of the second.
   */
  journeys_made_worse?: number;
  journeys_made_better?: number;
}

export interface Outcomes {
  /** How harm was attributed to flags: each failure's own cause, or twin runs without each flag. */
  attribution: 'direct' | 'counterfactual';
  flags: Record<string, FlagOutcome>;
  journeys: number;
  journeys_failed: number;
  journeys_slow: number;
  error_budget_burned: number;
  failed_by_truth: Record<string, number>;
  faults: FaultOutcome[];
}

/** Two percentiles of a latency, in milliseconds. */
export interface P50P99 { p50: number; p99: number }

export interface FaultOutcome {
  name: string;
  kind: string;
  from_seconds: number | null;
  to_seconds: number | null;
  /** Journeys it failed or slowed past the SLO's latency. */
  journeys_hurt: number;
  /**
   * Of them, the journeys it failed: its own failure (an abort, a reset, a refusal, a killed replica) or a timeout its
   * delay or drop caused (absent from documents of 0.22.0 and before). With `slowed.journeys`, every journey it touched.
   */
  journeys_failed?: number;
  /**
   * When it was due to switch on, for a fault due at or after the run's end (a fixed time there, or a rollout event's
   * instant plus its offset falling there): a run stops at its end, so it never switched on.
   */
  due_seconds?: number;
  /**
   * What it did to the journeys it slowed that still succeeded (ground truth, journey by journey): how many, the
   * time it added to each, their latency, and the same journeys' latency without that time. Only on a fault that
   * slowed some: a latency fault that hurt nobody still says what it added.
   */
  slowed?: { journeys: number; added_ms: P50P99; latency_ms: P50P99; without_ms: P50P99; added_unknown?: number };
}

const msOf = (us: number) => Math.round(us) / 1000;
const p50p99 = (c: LatencyCounts): P50P99 => {
  const p = c.percentiles();
  return { p50: msOf(p.p50), p99: msOf(p.p99) };
};

/** A fault's figures for the journeys it slowed that succeeded; nothing when it slowed none. */
function slowedBy(s: FaultSlowing | null): Pick<FaultOutcome, 'slowed'> {
  if (s === null || s.journeys === 0) return {};
  return { slowed: { journeys: s.journeys, added_ms: p50p99(s.addedUs), latency_ms: p50p99(s.latencyUs), without_ms: p50p99(s.withoutUs), ...(s.unknown > 0 ? { added_unknown: s.unknown } : {}) } };
}

const sec = (us: number) => Math.round(us) / 1e6;

/**
 * The rollback or pause that detected a flag's harm: the first made once the harm had begun, or one made before
 * it that stood (in a plain run every such act stands: it ends the plan). One a person took up again afterwards
 * (a game day's promote or resume) and made before any harm detected nothing.
 */
export function detectingAct<D extends { action: string }>(decisions: readonly D[], at: (d: D) => number, onset: number): D | undefined {
  const goesOn = (d: D) => d.action === 'promote' || d.action === 'resume' || d.action === 'complete';
  return decisions.find((a, k) => (a.action === 'rollback' || a.action === 'pause') && (at(a) >= onset || !decisions.slice(k + 1).some(goesOn)));
}

export function scoreOutcomes(
  scenario: Scenario, truth: GroundTruth, faults: FaultRuntime, plans: readonly PlanReport[], endUs: number,
  counterfactual: Record<string, FlagHarm> | null = null,
): Outcomes {
  const flags: Record<string, FlagOutcome> = {};
  // Each flag's harm: from the twin runs when counterfactual, else from each failure's own cause.
  const harmOf = (f: number, key: string) => counterfactual
    ? { requests: counterfactual[key].requests, users: counterfactual[key].users, onset: counterfactual[key].onsetUs, last: counterfactual[key].lastUs }
    : { requests: truth.hurtRequests[f], users: truth.usersHurt(f), onset: truth.onsetUs[f], last: truth.lastUs[f] };
  const harms = scenario.flags.map((flag, f) => harmOf(f, flag.key));
  scenario.flags.forEach((flag, f) => {
    const plan = plans.find((p) => p.flag === flag.key);
    const harm = harms[f];
    const hurt = harm.requests;
    const defective = hurt > 0;
    const onset = harm.onset;
    const acts = plan?.decisions.filter((d) => d.action === 'rollback' || d.action === 'pause') ?? [];
    const acted = acts[0];
    const actedUs = acted ? acted.timeUs : null;
    // An act of the gates that flag-off traffic would have made as much (Decision.flagOffToo) detected nothing of this flag.
    const acting = defective ? detectingAct(plan?.decisions ?? [], (d) => d.timeUs, onset) : undefined;
    const detecting = acting?.flagOffToo ? undefined : acting;
    const offToo = acted?.flagOffToo === true;
    // A rollback or pause decision, whoever made it, even when a person took the plan up again afterwards (a game
    // day): in a plain run such a decision ends the plan. A plan the end of the run cut off mid-hold made none.
    const rolledBack = acted !== undefined;
    // The stage in force when the policy acted: a fault active during it may have been what the gates saw.
    const stageStart = acted ? [...plan!.decisions].reverse().find((d) => (d.action === 'start' || d.action === 'promote') && d.timeUs <= acted.timeUs)?.timeUs ?? 0 : 0;
    const faultDuringStage = actedUs !== null && Array.from({ length: faults.count }, (_, k) => faults.wasActive(k, stageStart, actedUs)).some(Boolean);
    // Another flag hurting users during the stage: its harm was what the gates saw.
    const otherFlagDuringStage = actedUs !== null && harms.some((h, g) => g !== f && h.onset >= 0 && h.onset <= actedUs && h.last >= stageStart);
    flags[flag.key] = {
      flag: flag.key,
      defective,
      blast_radius_users: harm.users,
      blast_radius_requests: hurt,
      onset_seconds: onset >= 0 ? sec(onset) : null,
      last_hurt_seconds: harm.last >= 0 ? sec(harm.last) : null,
      detected: detecting !== undefined,
      acted_seconds: actedUs === null ? null : sec(actedUs),
      time_to_detect_seconds: detecting !== undefined ? sec(Math.max(0, detecting.timeUs - onset)) : null,
      time_to_recover_seconds: defective ? sec(harm.last - onset) : null,
      time_to_full_rollout_seconds: plan?.outcome === 'completed' && plan.startedUs !== null ? sec(plan.endedUs! - plan.startedUs) : null,
      outcome: plan?.outcome ?? 'no-plan',
      cut_off: plan?.cutOff ?? false,
      final_percent: plan?.finalPercent ?? (flag.source !== null ? 100 : 0), // a flag file's flag without a plan serves as its file says
      false_rollback: !!rolledBack && !defective,
      missed_defect: plan?.outcome === 'completed' && defective,
      misattribution: !!rolledBack && !defective && (faultDuringStage || otherFlagDuringStage || offToo),
      ...(offToo ? { gates_failed_flag_off: true as const } : {}),
      ...(acted?.flagOffUnjudged ? { gates_unjudged_flag_off: acted.flagOffUnjudged } : {}),
      ...(counterfactual ? { journeys_made_worse: counterfactual[flag.key].worse, journeys_made_better: counterfactual[flag.key].better } : {}),
    };
  });
  const budget = 1 - scenario.slo.availability;
  return {
    attribution: counterfactual ? 'counterfactual' : 'direct',
    flags,
    journeys: truth.journeys,
    journeys_failed: truth.failed,
    journeys_slow: truth.slow,
    error_budget_burned: truth.journeys > 0 ? round(truth.failed / truth.journeys / budget, 6) : 0,
    failed_by_truth: Object.fromEntries(TRUTH_NAMES.slice(1).map((n, i) => [n, truth.failedByTruth[i + 1]])),
    faults: scenario.faults.map((f, k) => ({
      name: f.name,
      kind: f.kind,
      from_seconds: faults.onAt[k] >= 0 ? sec(faults.onAt[k]) : null,
      to_seconds: faults.onAt[k] < 0 ? null : sec(faults.active[k] === 1 ? endUs : faults.offAt[k]),
      journeys_hurt: truth.faultHurt[k],
      journeys_failed: truth.faultFailed[k],
      ...(faults.dueAt[k] >= 0 ? { due_seconds: sec(faults.dueAt[k]) } : {}),
      ...slowedBy(truth.faultSlowed[k] ?? null),
    })),
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export interface AcceptanceResult {
  criterion: string;
  /** The value in the criterion's unit (seconds for durations), null when it does not apply. */
  value: number | null;
  pass: boolean;
  note?: string;
}

/** The fields of a flag's outcome that metrics read: a whole FlagOutcome, or a sweep's compact record of it. */
export type FlagFigures = Pick<FlagOutcome, 'defective' | 'detected' | 'blast_radius_users' | 'blast_radius_requests' | 'time_to_detect_seconds'
  | 'time_to_full_rollout_seconds' | 'false_rollback' | 'missed_defect' | 'misattribution' | 'final_percent'> & { outcome: string; time_to_recover_seconds?: number | null };

/** The value of an outcome metric for a run: microseconds for durations, 0/1 for booleans, null if n/a. */
export function metricValue(o: Outcomes, c: Criterion): number | null {
  if (c.metric === 'error_budget_burned') return o.error_budget_burned;
  return flagMetric(o.flags[c.flag!], c.metric);
}

/** An outcome metric of one flag: microseconds for durations, 0/1 for booleans, Infinity for "never", null if n/a. */
export function flagMetric(f: FlagFigures, metric: string): number | null {
  const us = (s: number | null | undefined) => (s === null || s === undefined ? null : s * 1e6);
  switch (metric) {
    case 'blast_radius_users': return f.blast_radius_users;
    case 'blast_radius_requests': return f.blast_radius_requests;
    case 'time_to_detect': return f.defective ? (f.detected ? us(f.time_to_detect_seconds) : Infinity) : null;
    case 'time_to_recover': return us(f.time_to_recover_seconds);
    case 'time_to_full_rollout': return f.outcome === 'completed' ? us(f.time_to_full_rollout_seconds) : Infinity;
    case 'false_rollback': return f.false_rollback ? 1 : 0;
    case 'missed_defect': return f.missed_defect ? 1 : 0;
    case 'misattribution': return f.misattribution ? 1 : 0;
    case 'detected': return f.defective ? (f.detected ? 1 : 0) : null;
    case 'final_percent': return f.final_percent;
    default: return null;
  }
}

const DURATION_METRICS = new Set(['time_to_detect', 'time_to_recover', 'time_to_full_rollout']);

/** The start of an acceptance result's note when the criterion does not apply to the run; the reason follows. */
export const DOES_NOT_APPLY = 'does not apply: ';

/** Judges the criteria that apply to this run; those of another case are listed as not applying, never dropped. */
export function judge(o: Outcomes, criteria: readonly Criterion[], caseName: string | null): AcceptanceResult[] {
  return criteria.map((c) => {
    if (c.caseName !== null && c.caseName !== caseName) {
      return { criterion: c.source, value: null, pass: true, note: `${DOES_NOT_APPLY}case ${c.caseName} not run` };
    }
    const raw = metricValue(o, c);
    const duration = DURATION_METRICS.has(c.metric);
    const value = raw === null ? null : duration && Number.isFinite(raw) ? raw / 1e6 : raw;
    if (raw === null) return { criterion: c.source, value: null, pass: true, note: `${DOES_NOT_APPLY}the flag hurt nobody` };
    const pass = compare(raw, c.operator, c.limit);
    const note = raw === Infinity ? (c.metric === 'time_to_detect' ? 'never detected' : 'never completed') : undefined;
    return { criterion: c.source, value: value === Infinity ? null : value, pass, ...(note ? { note } : {}) };
  });
}

function compare(v: number, op: Criterion['operator'], limit: number): boolean {
  switch (op) {
    case '<': return v < limit;
    case '<=': return v <= limit;
    case '>': return v > limit;
    case '>=': return v >= limit;
    case '==': return v === limit;
    case '!=': return v !== limit;
  }
}
