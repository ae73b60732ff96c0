/**
 * The debrief at the terminal, in the debrief page's words: the verdict, each flag's story on both sides (the run
 * report's headlines) and which side did better and why, and the error budget. The drill's terminal and
 * `gameday debrief` print it under the files they name, so that the team reads the outcome where it ran the drill.
 */
import { budget, count } from '../units/format.js';
import type { DrillDocument } from './debrief.js';

/** The error budget both sides consumed, as the debrief page says it (after "Error budget: "). */
export function budgetWords(d: Pick<DrillDocument, 'budget'>): string {
  const b = d.budget;
  return `team ${budget(b.team.consumed)}, policy alone ${budget(b.policy.consumed)} (failed journeys ${count(b.team.failed)} and ${count(b.policy.failed)}, of the ${count(b.allowed)} the SLO allows over the whole horizon)`;
}

export function debriefLines(d: Pick<DrillDocument, 'verdict' | 'comparison' | 'budget'>): string[] {
  const lines = [`verdict: ${d.verdict.text}`];
  for (const c of d.comparison) {
    lines.push(`  ${c.flag}: ${c.better === 'tie' ? 'a tie' : c.better === 'team' ? 'the team did better' : 'the policy alone did better'}: ${c.why}`);
    lines.push(`    team: ${c.team.headline}`, `    policy alone: ${c.policy.headline}`);
  }
  lines.push(`  error budget: ${budgetWords(d)}`);
  return lines;
}
