/**
 * The team against the policy alone, flag by flag, by rules stated in the debrief. Pure: two run results and
 * the people's actions in, figures and verdicts out.
 */
import { GATES_BLIND, flagHeadline, flagStory } from '../report/vocabulary.js';
import { firstAct } from '../score/ci.js';
import type { RunResult } from '../score/result.js';
import type { RecordedAction } from './actions.js';
import { clock, count } from '../units/format.js';

export const RULES = [
  'Like with like: both runs use the same scenario, case and seed over the same simulated time, and face the same faults at the same simulated instants (scheduled, catalogue, ad-hoc and hidden alike). Only who decides differs: the team (people, with the gates as the drill set them) or the automated policy alone (gates on, nobody acting).',
  'What happened to each flag on each side is named from the ground truth as in run reports: caught (acted on a flag that hurt users), false rollback or false alarm (rolled back or paused a flag that hurt nobody, whoever acted: a gate or a person), missed (completed a flag that hurt users), shipped, unfinished. A rollback or pause counts even when a person took the plan up again afterwards. A side that stopped the flag for good before it hurt anyone there, while the other side\'s run shows it hurting users, caught it before any harm: not a false rollback.',
  'Per flag, the side whose flag hurt fewer users (ground truth) is better.',
  'When both sides hurt the same number of users and the flag hurt nobody on either side, the side whose rollout went further is better: holding back a healthy release has a cost. How far each side went is the exposure that had reached users when the drill ended (the configuration every service that evaluates the flag served then), on both sides at the same instant: a change made too late to reach any service counts for neither.',
  'Anything else is a tie.',
  'A plan the end of the drill cut off while it was holding or waiting is reported as in progress at its stage, not as paused or as a rollback.',
  'The verdict counts the flags each side won.',
  'Error budget consumed: failed journeys over the failures the SLO allows over the whole horizon ((1 - availability) x the journeys expected then); it only grows as the drill goes on.',
];

export interface Side {
  /** What happened to the flag on this side, in the run report's words, from the ground truth ("false rollback: ..."). */
  headline: string;
  /** Where its plan stands. */
  state: string;
  outcome: string;
  cut_off: boolean;
  final_percent: number;
  /** The exposure that had reached users at the end: the percentage of the configuration every service that evaluates the flag served then. */
  reached_percent: number;
  blast_radius_users: number;
  blast_radius_requests: number;
  time_to_detect_seconds: number | null;
  time_to_recover_seconds: number | null;
  acted_seconds: number | null;
  false_rollback: boolean;
  missed_defect: boolean;
  misattribution: boolean;
}

export interface Comparison {
  flags: {
    flag: string;
    defective: boolean;
    better: 'team' | 'policy' | 'tie';
    why: string;
    firstPersonActionSeconds: number | null;
    team: Side;
    policy: Side;
  }[];
  verdict: { team: number; policy: number; ties: number; text: string };
}

/**
 * The percentage the flag was served at by every service that evaluates it when the run ended: the newest
 * configuration all of them had received (a service applies only newer ones). A configuration published too
 * late to reach a service is not counted. Without a plan (or a service), the final percentage.
 */
export function reachedPercent(r: RunResult, flag: string, finalPercent: number): number {
  const services = r.flags.find((f) => f.key === flag)?.evaluatedBy ?? [];
  if (!r.rollouts.some((p) => p.flag === flag) || services.length === 0) return finalPercent;
  const percentOf = new Map<number, number>([[0, 0]]);
  const applied = new Map<string, number>(services.map((s) => [s, 0]));
  for (const a of r.audit) {
    if (a.flag !== flag) continue;
    if (a.event === 'stage') percentOf.set(a.configVersion, a.percent ?? 0);
    else if (a.event === 'propagated' && a.service !== undefined && applied.has(a.service)) applied.set(a.service, Math.max(applied.get(a.service)!, a.configVersion));
  }
  return percentOf.get(Math.min(...applied.values())) ?? 0;
}

/**
 * A plan a person took up again after the act its headline tells, and that was stopped again and stayed so: the run
 * ends with that act, which the headline (the run report's words, of one act) leaves out. "; then resumed: rolled
 * back again at 25% by the gates": without it the story stopped at "rolled back at 1%" while the plan had gone on
 * to 25% before it was rolled back. Empty otherwise.
 */
function stoppedAgain(r: RunResult, flag: string): string {
  const o = r.outcomes.flags[flag];
  const d = r.rollouts.find((p) => p.flag === flag)?.decisions ?? [];
  const stop = (x: (typeof d)[number]) => x.action === 'rollback' || x.action === 'pause';
  // The act the headline tells (flagStory's): for a flag whose harm was detected, the act that detected it.
  const act0 = firstAct(r, flag, o.defective && o.time_to_detect_seconds !== null);
  const told = act0 === null ? -1 : d.findIndex((x) => stop(x) && x.timeSeconds === act0.timeSeconds);
  const last = d.length - 1;
  const stopped = o.outcome === 'rolled-back' || (o.outcome === 'paused' && !o.cut_off);
  const goes = (x: (typeof d)[number]) => x.action === 'start' || x.action === 'promote' || x.action === 'resume';
  if (told < 0 || !stopped || last <= told || !stop(d[last]) || !d.slice(told + 1, last).some(goes)) return '';
  const act = d[last];
  const percent = d.slice(0, last).reverse().find(goes)?.percent ?? 0;
  const by = r.audit.find((a) => a.event === 'decision' && a.actor === 'operator' && a.flag === flag && a.action === act.action && a.timeSeconds === act.timeSeconds)?.by;
  return `; then resumed: ${act.action === 'rollback' ? 'rolled back' : 'paused'}${act.action === d[told].action ? ' again' : ''} at ${percent}% ${by ? `by ${by}` : 'by the gates'}`;
}

/**
 * What had reached users, when the plan's last change had not reached every service by the end: the headline's
 * percentage is the configuration published ("at 100% when the run ended"), which a promote made at the last
 * instant had published to nobody.
 */
const reachedNote = (reached: number, final: number) => (reached === final ? '' : `; ${reached}% had reached users by the end`);

/**
 * The act a flag that hurt users is not told by: a rollback or pause made before any harm and taken up again (a
 * game day's resume or promote), which detected nothing. The headline then tells no act at all ("unfinished: at 10%
 * when the run ended, 1 user hurt, no gate acted"), as if nobody had touched the plan, though a person held it
 * paused for minutes. The act is told after it, with who made it and who took the plan up again: "; paused at 10% at
 * 1m23s by ada, before any harm, then resumed at 2m07s by ada". Empty when the headline tells an act.
 */
function untoldAct(r: RunResult, flag: string, headline: string): string {
  const o = r.outcomes.flags[flag];
  if (!o.defective || o.acted_seconds === null || !headline.startsWith('unfinished: ')) return '';
  const d = r.rollouts.find((p) => p.flag === flag)?.decisions ?? [];
  const k = d.findIndex((x) => x.action === 'rollback' || x.action === 'pause');
  const next = d.findIndex((x, i) => i > k && (x.action === 'promote' || x.action === 'resume'));
  if (k < 0 || next < 0) return '';
  const by = (x: (typeof d)[number]) => r.audit.find((a) => a.event === 'decision' && a.actor === 'operator' && a.flag === flag && a.action === x.action && a.timeSeconds === x.timeSeconds)?.by;
  const who = (x: (typeof d)[number]) => { const b = by(x); return b ? `by ${b}` : 'by the gates'; };
  const percent = d.slice(0, k).reverse().find((x) => x.action === 'start' || x.action === 'promote')?.percent ?? 0;
  return `; ${d[k].action === 'rollback' ? 'rolled back' : 'paused'} at ${percent}% at ${clock(d[k].timeSeconds)} ${who(d[k])}, before any harm, then ${d[next].action === 'resume' ? 'resumed' : 'promoted'} at ${clock(d[next].timeSeconds)} ${who(d[next])}`;
}

/** How the story of a flag on a side goes on past its headline's act: stopped again, or a last change unreached. */
const storyTail = (r: RunResult, flag: string, reached: number, final: number) => stoppedAgain(r, flag) + reachedNote(reached, final);

function side(r: RunResult, flag: string): Side {
  const o = r.outcomes.flags[flag];
  const plan = r.rollouts.find((p) => p.flag === flag);
  const stage = plan ? `stage ${plan.stagesReached} of ${plan.stages}` : '';
  const state = !plan ? `no plan (${o.final_percent}%)`
    : plan.cutOff ? `in progress at ${stage} (${o.final_percent}%), cut off by the end of the drill`
      : plan.outcome === 'completed' ? `completed at ${o.final_percent}%`
        : plan.outcome === 'not-started' ? 'not started'
          : `${plan.outcome} at ${stage} (${o.final_percent}%)`;
  const reached = reachedPercent(r, flag, o.final_percent);
  const again = stoppedAgain(r, flag);
  // A pause the headline tells with the rollback after it ("paused at 10%, then rolled back") that a person took up
  // in between: the rollback is told after the resumption.
  const headline = flagHeadline(flagStory(r, flag));
  const told = again ? headline.replace(/, then rolled back(?=, )/, '') : headline;
  const untold = untoldAct(r, flag, told);
  // "no gate acted" is not said of a plan the gates paused, though a person took it up again.
  const said = untold.includes(' by the gates, ') ? told.replace(/, no gate acted$/, '') : told;
  return {
    headline: said + untold + again + reachedNote(reached, o.final_percent), state, outcome: o.outcome, cut_off: o.cut_off, final_percent: o.final_percent,
    reached_percent: reached, blast_radius_users: o.blast_radius_users,
    blast_radius_requests: o.blast_radius_requests, time_to_detect_seconds: o.time_to_detect_seconds, time_to_recover_seconds: o.time_to_recover_seconds,
    acted_seconds: o.acted_seconds, false_rollback: o.false_rollback, missed_defect: o.missed_defect, misattribution: o.misattribution,
  };
}

/**
 * A side that stopped the flag for good (rolled back, or paused to the end) before it hurt anyone there, while the
 * other side's run shows the same flag hurting users under the same case and faults: it caught the defect before
 * any harm. Its own run alone, in which the flag hurt nobody, calls that a false rollback.
 */
function caughtBeforeHarm(x: Side, r: RunResult, flag: string): Side {
  const stopped = x.outcome === 'rolled-back' || (x.outcome === 'paused' && !x.cut_off);
  if (!stopped || !x.false_rollback || x.blast_radius_users > 0) return x;
  const at = flagStory(r, flag).acted_percent;
  // Gates that failed as much with the flag off stopped it on harm something else caused: said as the run report says it.
  const blind = r.outcomes.flags[flag].gates_failed_flag_off ? ` (${GATES_BLIND})` : '';
  const headline = `caught before it hurt anyone: ${x.outcome === 'rolled-back' ? 'rolled back' : 'paused'}${at === null || at === undefined ? '' : ` at ${at}%`}, nobody hurt${blind}${storyTail(r, flag, x.reached_percent, x.final_percent)}`;
  return { ...x, headline, false_rollback: false, misattribution: false };
}

export function comparison(team: RunResult, policy: RunResult, actions: readonly RecordedAction[]): Comparison {
  const flags = Object.keys(team.outcomes.flags).map((flag) => {
    const defective = team.outcomes.flags[flag].defective || policy.outcomes.flags[flag].defective;
    const t = defective ? caughtBeforeHarm(side(team, flag), team, flag) : side(team, flag);
    const p = defective ? caughtBeforeHarm(side(policy, flag), policy, flag) : side(policy, flag);
    const onset = team.outcomes.flags[flag].onset_seconds;
    const first = actions.find((a) => a.refused === null && a.action.type === 'plan' && a.action.flag === flag
      && (a.action.op === 'rollback' || a.action.op === 'pause') && (onset === null || a.atUs / 1e6 >= onset));
    let better: 'team' | 'policy' | 'tie' = 'tie';
    // A tie in harm is a count, not a claim that the same people were hurt on both sides.
    let why = defective ? 'as many users hurt on each side' : `nobody hurt, and the same exposure reached users by the end (${t.reached_percent}%)`;
    if (t.blast_radius_users !== p.blast_radius_users) {
      better = t.blast_radius_users < p.blast_radius_users ? 'team' : 'policy';
      why = `fewer users hurt (${count(Math.min(t.blast_radius_users, p.blast_radius_users))} against ${count(Math.max(t.blast_radius_users, p.blast_radius_users))})`;
    } else if (!defective && t.reached_percent !== p.reached_percent) {
      better = t.reached_percent > p.reached_percent ? 'team' : 'policy';
      why = `nobody hurt, and the rollout went further: ${Math.max(t.reached_percent, p.reached_percent)}% against ${Math.min(t.reached_percent, p.reached_percent)}% had reached users by the end`;
    } else if (defective) {
      why = `as many users hurt on each side (${count(t.blast_radius_users)})`;
    }
    return { flag, defective, better, why, firstPersonActionSeconds: first ? first.atUs / 1e6 : null, team: t, policy: p };
  });
  const won = (w: string) => flags.filter((f) => f.better === w).length;
  const [tw, pw, ties] = [won('team'), won('policy'), won('tie')];
  const text = flags.length === 0 ? 'No rollout plan to compare'
    : tw > pw ? `The team beat the policy (${tw} of ${flags.length} flags)` : pw > tw ? `The policy beat the team (${pw} of ${flags.length} flags)`
      : `The team and the policy tied (${tw} each, ${ties} tied)`;
  return { flags, verdict: { team: tw, policy: pw, ties, text } };
}
