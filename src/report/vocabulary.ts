/**
 * The one vocabulary of verdicts, which the terminal, Markdown, JUnit and HTML writers all take their words and
 * marks from; and the headline of each flag, what happened to it in a release manager's words ("caught: rolled
 * back at 1% after 2m00s, 12 users hurt"). A verdict never stands alone as "passed": it comes with what happened.
 *
 *   word          mark  counts as  means
 *   PASS          ✔     good       every criterion that applies was met
 *   FAIL          ✘     bad        a criterion was not met
 *   N/A           –     neither    the criterion does not apply to this run (the reason is given)
 *   NO CRITERIA   –     neither    it ran, but no criterion applies to it: nothing was judged
 *   INVALID       ✘     bad        the scenario did not load
 *   CRASHED       ✘     bad        the run stopped with an error
 */
import type { CiCase, CiFlag } from '../score/ci.js';
import { firstAct, runStatus } from '../score/ci.js';
import { DOES_NOT_APPLY, type AcceptanceResult, type FaultOutcome, type FlagOutcome } from '../score/outcomes.js';
import type { RunResult } from '../score/result.js';
import { budget, clock, count, criterionValue, duration, ms, plural } from '../units/format.js';
import { VERDICTS, verdictLabel, type Verdict } from './verdicts.js';

export { LABEL_WIDTH, LABELS, VERDICTS, verdictLabel, type Tone, type Verdict } from './verdicts.js';

/** The verdict of a case of a ci run. */
export function caseVerdict(status: CiCase['status']): Verdict {
  return status === 'passed' ? 'pass' : status === 'failed' ? 'fail' : status;
}

/** The verdict of a run: FAIL, NO CRITERIA when none applies to its case, PASS otherwise. */
export function runVerdict(r: Pick<RunResult, 'passed' | 'acceptance'>): Verdict {
  return caseVerdict(runStatus(r));
}

/** A criterion's verdict, and why when it does not apply or has no value ("the flag hurt nobody", "never detected"). */
export function criterionVerdict(a: Pick<AcceptanceResult, 'pass' | 'note'>): { verdict: 'pass' | 'fail' | 'n/a'; why: string | null } {
  if (a.note?.startsWith(DOES_NOT_APPLY)) return { verdict: 'n/a', why: a.note.slice(DOES_NOT_APPLY.length) };
  return { verdict: a.pass ? 'pass' : 'fail', why: a.note ?? null };
}

/** A criterion with its verdict and value: "✔ PASS blast_radius_users max<500: 12", "– N/A time_to_detect max<10m (the flag hurt nobody)". */
export function criterionLine(a: Pick<AcceptanceResult, 'criterion' | 'value' | 'pass' | 'note'>): string {
  const { verdict, why } = criterionVerdict(a);
  const value = a.value === null ? '' : `: ${criterionValue(a.criterion, a.value)}`;
  return `${verdictLabel(verdict)} ${a.criterion}${value}${why ? ` (${why})` : ''}`;
}

/** "2 met, 1 failed, 1 N/A": the criteria of a run by verdict. */
export function criteriaCounts(acceptance: readonly Pick<AcceptanceResult, 'pass' | 'note'>[]): string {
  if (acceptance.length === 0) return 'no acceptance criteria';
  const n = { pass: 0, fail: 0, 'n/a': 0 };
  for (const a of acceptance) n[criterionVerdict(a).verdict]++;
  const parts = [n.pass ? `${n.pass} met` : '', n.fail ? `${n.fail} failed` : '', n['n/a'] ? `${n['n/a']} ${VERDICTS['n/a'].word}` : ''].filter(Boolean);
  return `${plural(acceptance.length, 'criterion', 'criteria')}: ${parts.join(', ')}`;
}

/** Case counts in the vocabulary's words: "3 PASS, 1 FAIL, 1 INVALID, 0 CRASHED, 2 NO CRITERIA". */
export function caseCounts(c: { passed: number; failed: number; invalid: number; crashed: number; 'no-criteria'?: number }): string {
  const w = (v: Verdict) => VERDICTS[v].word;
  return `${c.passed} ${w('pass')}, ${c.failed} ${w('fail')}, ${c.invalid} ${w('invalid')}, ${c.crashed} ${w('crashed')}${c['no-criteria'] ? `, ${c['no-criteria']} ${w('no-criteria')}` : ''}`;
}

/**
 * The figures a flag's headline reads: a ci case's record of it, or a run's outcome with its plan's decisions
 * (`acted_action`: the first rollback or pause, which on a game day a person may have taken up again since).
 */
export type FlagStory = CiFlag & Partial<Pick<FlagOutcome, 'cut_off' | 'gates_failed_flag_off' | 'gates_unjudged_flag_off'>> & { acted_action?: 'rollback' | 'pause' | null; acted_by?: string | null };

/** A flag's gates whose act rested on readings flag-off traffic failed as much (FlagOutcome.gates_failed_flag_off). */
export const GATES_FAILED_FLAG_OFF = 'its gates failed as much with the flag off';

/** What the headline of a flag stopped by such gates adds: they detected nothing of it. */
export const GATES_BLIND = `${GATES_FAILED_FLAG_OFF}: they acted on harm something else caused, not on this flag's`;

/**
 * What a headline adds of an act resting on gates whose queries read flag-on and flag-off traffic alike: nothing says
 * whether flag off would have failed them as much.
 */
export function unjudgedNote(f: Pick<FlagStory, 'gates_unjudged_flag_off'>): string {
  const u = f.gates_unjudged_flag_off;
  return u?.length ? ` (${u.length === 1 ? 'a gate' : 'gates'} that acted cannot be judged against flag-off traffic: ${u.join('; ')})` : '';
}

/** A run's flag as its headline reads it. */
export function flagStory(r: Pick<RunResult, 'outcomes' | 'rollouts'> & Partial<Pick<RunResult, 'audit'>>, flag: string): FlagStory {
  // A flag that hurt users is told by the act that detected the harm; any other by its first act.
  const o = r.outcomes.flags[flag];
  const act = firstAct(r, flag, o.defective && o.time_to_detect_seconds !== null);
  // On a game day that act may be a person's (the audit trail names them), not the gates'.
  const by = act ? r.audit?.find((a) => a.event === 'decision' && a.actor === 'operator' && a.flag === flag && a.action === act.action && a.timeSeconds === act.timeSeconds)?.by ?? null : null;
  return { ...o, acted_percent: act?.percent ?? null, acted_action: act?.action ?? null, acted_by: by };
}

/**
 * The act a false rollback (the ground truth's false_rollback: the policy acted on a flag that hurt nobody) was:
 * a rollback, or a pause, which the headline calls a false alarm. Words that say "rollback" for a plan that
 * only paused send a reader looking for a rollback that never happened.
 */
export function falseAct(f: FlagStory): 'rollback' | 'pause' {
  return f.outcome === 'rolled-back' ? 'rollback' : f.outcome === 'paused' ? 'pause' : f.acted_action ?? 'rollback';
}

/**
 * What happened to a flag, first word first: caught, missed, shipped, false rollback, false alarm (a pause),
 * unfinished, not started, no rollout plan.
 */
export function flagHeadline(f: FlagStory): string {
  const hurt = f.defective ? `${plural(f.blast_radius_users, 'user')} hurt` : 'nobody hurt';
  const at = f.acted_percent === null || f.acted_percent === undefined ? '' : ` at ${f.acted_percent}%`;
  // A plan still in progress when the run ended reads as paused: only an action of its policy is a decision.
  const stopped = f.outcome === 'rolled-back' || (f.outcome === 'paused' && f.cut_off !== true);
  const acted = stopped && (f.acted_seconds !== undefined ? f.acted_seconds !== null : f.outcome === 'rolled-back');
  // On a game day a person may take a rolled-back or paused plan up again: the act stays part of its story.
  // (A flag that hurt users counts as caught only by an act that detected the harm: time_to_detect says which.)
  const resumed = !stopped && f.acted_seconds !== undefined && f.acted_seconds !== null && (!f.defective || f.time_to_detect_seconds !== null || f.outcome === 'completed');
  if (acted || resumed) {
    const kind = resumed ? f.acted_action ?? 'rollback' : f.outcome === 'rolled-back' ? 'rollback' : 'pause';
    const action = kind === 'rollback' ? 'rolled back' : 'paused';
    const then = !resumed ? '' : f.outcome === 'completed' ? `; then resumed: completed at ${f.final_percent}%` : `; then resumed: at ${f.final_percent}% when the run ended`;
    if (f.defective && f.outcome === 'completed') return `missed: ${hurt}, ${action}${at} then resumed and completed at ${f.final_percent}%`;
    // The act that detected the harm may be a pause the rollback came after: its time is the pause's.
    const first = !resumed && kind === 'rollback' && f.acted_action === 'pause' ? 'paused' : action;
    const later = first === action ? '' : `, then ${action}`;
    // Gates that failed as much on flag off stopped the harm without detecting it: they saw harm something else caused.
    const blind = f.gates_failed_flag_off && f.time_to_detect_seconds === null ? ` (${GATES_BLIND})` : unjudgedNote(f);
    if (f.defective) return `caught: ${first}${at}${f.time_to_detect_seconds === null ? '' : ` after ${duration(f.time_to_detect_seconds)}`}${later}, ${hurt}${blind}${then}`;
    // A person who acted may have seen no harm at all: only the gates' act says they saw it. What they (or the gates)
    // saw was the stage's: a fault or another flag active at some time in it, not necessarily when they acted.
    const blamed = !f.misattribution ? '' : f.acted_by ? ` (by ${f.acted_by}; a fault or another flag was active during the stage)` : ' (the gates saw harm something else caused)';
    return `${kind === 'rollback' ? 'false rollback' : 'false alarm'}: ${action}${at}, ${hurt}${blamed}${unjudgedNote(f)}${then}`;
  }
  switch (f.outcome) {
    case 'completed':
      return f.defective ? `missed: ${hurt}, no gate acted (promoted to ${f.final_percent}%)`
        : `shipped: promoted to ${f.final_percent}%${f.time_to_full_rollout_seconds ? ` in ${duration(f.time_to_full_rollout_seconds)}` : ''}, ${hurt}`;
    case 'paused':
      return `unfinished: at ${f.final_percent}% when the run ended, ${hurt}${f.defective ? ', no gate acted' : ''}`;
    case 'not-started':
      return `not started: stayed at 0%, ${hurt}`;
    default:
      return `no rollout plan: served at ${f.final_percent}% throughout, ${hurt}${f.defective ? ', nothing could act' : ''}`;
  }
}

/** "flag: headline" for each flag of a run. */
export function runHeadlines(r: Pick<RunResult, 'outcomes' | 'rollouts'>): string[] {
  return Object.keys(r.outcomes.flags).map((k) => `${k}: ${flagHeadline(flagStory(r, k))}`);
}

/** What a PASS rests on, and what the ground truth shows beside it (verdictCaveat, caseCaveat). */
export interface Caveat {
  basis: string;
  facts: string[];
  advice: string;
}

/** The figures a caveat reads of a flag: a run's outcome or a ci case's record of it. */
type CaveatFlag = Pick<CiFlag, 'missed_defect' | 'blast_radius_users' | 'final_percent'>;

/**
 * What a PASS rests on, when the ground truth tells another story: the verdict judges the acceptance criteria
 * only, so a run whose gates promoted a flag that hurt users (a missed defect: the rollout decision was wrong),
 * or whose error budget is overspent, passes when no criterion covers that harm. The sentence says so and names
 * the criterion that would fail such a run. Null when there is nothing to reconcile.
 */
function caveat(verdict: Verdict, flags: Record<string, CaveatFlag>, burned: number | null): Caveat | null {
  if (verdict !== 'pass') return null;
  const missed = Object.entries(flags).filter(([, f]) => f.missed_defect);
  const over = burned !== null && burned > 1;
  if (missed.length === 0 && !over) return null;
  const add = [...missed.map(([k]) => `missed_defect{flag:${k}} max<1`), ...(over ? ['error_budget_burned max<1'] : [])];
  return {
    basis: 'PASS judges the acceptance criteria alone, and each that applies was met; the ground truth is not part of it:',
    facts: [
      ...missed.map(([k, f]) => `${k} hurt ${plural(f.blast_radius_users, 'user')} and the gates still promoted it to ${f.final_percent}%: a missed defect, the rollout decision was wrong`),
      ...(over ? [`the error budget is ${budget(burned)}`] : []),
    ],
    advice: `to fail a run like this, add ${add.map((a) => `'${a}'`).join(' or ')} to acceptance`,
  };
}

/** The caveat of a run's verdict. */
export function verdictCaveat(r: Pick<RunResult, 'passed' | 'acceptance' | 'outcomes'>): Caveat | null {
  return caveat(runVerdict(r), r.outcomes.flags, r.outcomes.error_budget_burned);
}

/** The caveat of a ci case's verdict: the same words as its run's. */
export function caseCaveat(c: Pick<CiCase, 'status' | 'flags' | 'errorBudgetBurned'>): Caveat | null {
  return caveat(caseVerdict(c.status), c.flags, c.errorBudgetBurned);
}

/** A caveat as one paragraph (a page, a table cell). */
export function caveatSentence(c: Caveat): string {
  return `${c.basis} ${c.facts.join('; ')}. ${c.advice.replace(/^t/, 'T')}.`;
}

/** A caveat as terminal lines under a verdict: the basis, then each fact and the advice indented under it. */
export function caveatLines(c: Caveat): string[] {
  return [c.basis, ...[...c.facts, c.advice].map((x) => `  ${x}`)];
}

/** A ci case's messages that are not its criteria: validation problems, the crash, --require-criteria. */
export function caseNotes(c: Pick<CiCase, 'messages' | 'acceptance'>): string[] {
  return c.messages.filter((m) => !c.acceptance.some((a) => m.startsWith(`${a.criterion}: `)));
}

/** "flag: headline" for each flag of a ci case. */
export function caseHeadlines(c: Pick<CiCase, 'flags'>): string[] {
  return Object.entries(c.flags).map(([k, f]) => `${k}: ${flagHeadline(f)}`);
}

/**
 * What a fault did, in every report's words: the journeys it hurt (failed, or slowed past the SLO's latency; how many
 * of them it failed), then
 * those it slowed that still succeeded, with the time it added to them and their latency beside the same journeys'
 * without that time (ground truth): "0 journeys hurt; slowed 4,210 journeys that succeeded by p50 200ms, p99 231ms:
 * they took p50 412ms, p99 980ms, against 212ms and 749ms without the time it added". A latency fault that hurt
 * nobody read as a fault that did nothing.
 */
export function faultEffect(f: Pick<FaultOutcome, 'journeys_hurt' | 'journeys_failed' | 'slowed'>): string {
  const failed = f.journeys_failed ?? 0;
  const hurt = `${plural(f.journeys_hurt, 'journey')} hurt${failed > 0 ? ` (${failed === f.journeys_hurt ? 'all' : count(failed)} failed)` : ''}`;
  const s = f.slowed;
  if (!s) return hurt;
  const unknown = s.added_unknown ? ` (${count(s.added_unknown)} of them by a time not known: a call dropped, then retried in time)` : '';
  return `${hurt}; slowed ${plural(s.journeys, 'journey')} that succeeded by p50 ${ms(s.added_ms.p50)}, p99 ${ms(s.added_ms.p99)}${unknown}: `
    + `${s.journeys === 1 ? 'it took' : 'they took'} p50 ${ms(s.latency_ms.p50)}, p99 ${ms(s.latency_ms.p99)}, against ${ms(s.without_ms.p50)} and ${ms(s.without_ms.p99)} without the time it added`;
}

/**
 * Why a fault that never switched on did not, when the run knows: it was due at or after the run's end (`due_seconds`),
 * where a run stops, as a rollout event's instant plus its offset may fall. Empty when the run never reached its instant
 * (the event never happened).
 */
export function neverOnWhy(f: Pick<FaultOutcome, 'due_seconds'>, endSeconds: number): string {
  if (f.due_seconds === undefined) return '';
  return `due at ${clock(f.due_seconds)}, ${f.due_seconds > endSeconds ? 'after' : 'as'} the run ended (${clock(endSeconds)}: a run stops at its end)`;
}
