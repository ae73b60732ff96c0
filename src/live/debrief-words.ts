/**
 * The debrief at the terminal, in the debrief page's words: the verdict, each flag's story on both sides (the run
 * report's headlines) and which side did better and why, and the error budget; then what was hidden during the
 * drill (a hidden case, hidden faults), revealed as the debrief page reveals it. The drill's terminal and
 * `gameday debrief` print it under the files they name, so that the team reads the outcome where it ran the drill.
 */
import { inline } from '../units/escape.js';
import { budget, clock, count } from '../units/format.js';
import { faultEffect } from '../report/vocabulary.js';
import type { DrillDocument } from './debrief.js';

/**
 * The error budget both sides consumed, as the debrief page says it (after "Error budget: "). Consumed is of the
 * horizon's budget, as the page showed it live (it only grows). Of a drill ended before its horizon, the runs' own
 * `error_budget_burned` (a failure rate over the rate the SLO allows, as `rehearse run` reports it) is larger: both
 * runs end where the drill did, so it is said beside, over the same span for both, rather than left to be set
 * against a figure over another span.
 */
export function budgetWords(d: Pick<DrillDocument, 'budget'> & Partial<Pick<DrillDocument, 'team' | 'policy' | 'record'>>): string {
  const b = d.budget;
  const consumed = `team ${budget(b.team.consumed)}, policy alone ${budget(b.policy.consumed)} (failed journeys ${count(b.team.failed)} and ${count(b.policy.failed)}, of the ${count(b.allowed)} the SLO allows over the whole horizon)`;
  if (!d.team || !d.policy || !d.record || d.record.end.reason === 'horizon') return consumed;
  // A drill whose journal stops without an end (killed, never resumed) did not end there: its journal stops there.
  const where = `${d.record.end.reason === 'interrupted' ? 'the drill stopped without an end at' : 'the drill ended at'} ${clock(d.record.end.atUs / 1e6)}`;
  return `${consumed}; ${where}, before its horizon, and both runs end there: over the time it ran, as rehearse run reports each run (error_budget_burned: the failure rate over the rate the SLO allows), team ${budget(d.team.outcomes.error_budget_burned)}, policy alone ${budget(d.policy.outcomes.error_budget_burned)}`;
}

/** What was hidden until the end, in the debrief page's words; nothing when nothing was. */
function revealedLines(d: Pick<DrillDocument, 'revealed' | 'record'>): string[] {
  const lines: string[] = [];
  if (d.record.case.hidden) lines.push(`  revealed: the case was ${d.revealed.case ?? 'the base scenario'} (hidden during the drill)`);
  const at = (s: number | null) => (s === null ? 'never' : clock(s));
  if (d.revealed.hiddenFaults.length) {
    lines.push(`  hidden faults: ${d.revealed.hiddenFaults.map((f) => `${f.name} (${f.kind} on ${f.target}, ${at(f.from_seconds)} to ${at(f.to_seconds)}, ${faultEffect(f)})`).join('; ')}`);
  }
  return lines;
}

/** The faults people removed by hand: when, by whom, and for how long both runs faced them. */
function removedLines(d: Pick<DrillDocument, 'faults' | 'withdrawn'>): string[] {
  const on = d.faults.flatMap((f) => (f.removed_by === undefined ? [] : [`${f.name} by ${f.removed_by} at ${clock(f.removed_seconds!)} (on from ${clock(f.team_from_seconds ?? 0)}; the policy alone faced it from ${f.policy_from_seconds === null ? 'never' : clock(f.policy_from_seconds)} to ${f.policy_to_seconds === null ? 'never' : clock(f.policy_to_seconds)})`]));
  const never = (d.withdrawn ?? []).map((f) => `${f.name} by ${f.removed_by} at ${clock(f.removed_seconds)}, before it switched on (injected at ${clock(f.injected_seconds)}; neither run faced it)`);
  const all = [...on, ...never];
  return all.length ? [`  faults removed: ${all.join('; ')}`] : [];
}

export function debriefLines(d: Pick<DrillDocument, 'verdict' | 'comparison' | 'budget'> & Partial<Pick<DrillDocument, 'revealed' | 'record' | 'faults' | 'withdrawn' | 'team' | 'policy'>>): string[] {
  const lines = [`verdict: ${d.verdict.text}`];
  for (const c of d.comparison) {
    lines.push(`  ${c.flag}: ${c.better === 'tie' ? 'a tie' : c.better === 'team' ? 'the team did better' : 'the policy alone did better'}: ${c.why}`);
    lines.push(`    team: ${c.team.headline}`, `    policy alone: ${c.policy.headline}`);
  }
  lines.push(`  error budget: ${budgetWords(d)}`, ...(d.faults ? removedLines({ faults: d.faults, withdrawn: d.withdrawn }) : []),
    ...(d.revealed && d.record ? revealedLines({ revealed: d.revealed, record: d.record }) : []));
  // Each line one line: a name (a fault's, a person's) that holds a line break or a control character is written as its escape.
  return lines.map(inline);
}
