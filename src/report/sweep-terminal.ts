/** The terminal view of a sweep: the policies, the Pareto front and the recommendation. */
import { aggregateValue } from '../sweep/aggregate.js';
import type { SweepDocument } from '../sweep/sweep.js';
import { messageOneLine } from '../units/escape.js';
import { criterionValue, duration, num as fmtNum, percent, plural } from '../units/format.js';
import { inline } from './escape.js';
import { textTable } from './table.js';

const pct = (x: number | null) => (x === null ? '-' : percent(x, 1));
const interval = (i: { low: number | null; high: number | null }) => (i.low === null ? '' : ` [${pct(i.low)}, ${pct(i.high)}]`);
const num = (x: number | null) => fmtNum(x, 3);
/** A 95% interval in words: its bounds, or what the runs cannot bound ("unbounded above with 30 seeds; ..."). */
const bounds = (i: readonly (number | null)[], note?: string, fmt: (x: number) => string = (x) => num(x)) =>
  i[0] === null || i[1] === null ? `95% interval ${note ?? 'unbounded'}` : `95% interval ${fmt(i[0])} to ${fmt(i[1])}`;
const value = (criterion: string, x: number | null) => (x === null ? '-' : criterionValue(criterion, x));
/** The objective's figure in its metric's unit (a time as a duration, a rate as a percentage). */
export const objective = (d: Pick<SweepDocument, 'objective'>, x: number | null) => (x === null ? '-' : aggregateValue(d.objective, x));
/** The first case's figure that exists (detection comes from defective cases, shipping from healthy ones). */
const median = (xs: (number | null)[], unit: 's' | 'm') => {
  const x = xs.find((v) => v !== null);
  return x === undefined || x === null ? '-' : duration(unit === 's' ? x : Math.round(x / 60) * 60);
};

/** What the policy table's columns count. */
export const POLICY_TABLE_KEY = 'detected: of the case\'s runs where the flag hurt users, those where the policy acted; false rollbacks: of its runs where the flag hurt nobody, those rolled back or paused; [95% intervals]';

/**
 * The policies, one row per policy and case, the runs of each case named by it: detection among its runs where
 * the flag hurt users, false rollbacks among those where it hurt nobody. The terminal and the HTML report
 * show the same table.
 */
export function policyTable(d: SweepDocument): { head: string[]; rows: string[][] } {
  const head = ['#', 'policy', 'case', 'detected', 'false rollbacks', 'users hurt p50/p95/max', 'detect / ship (median)', 'objective', 'ok'];
  const rows = d.policies.flatMap((p) => p.cases.map((c, k) => {
    const healthy = c.runs - c.defective;
    const b = c.blast_radius_users;
    return [
      k === 0 ? `${p.index}${d.pareto.includes(p.index) ? '*' : ''}` : '',
      k === 0 ? p.label : '',
      c.case ?? '-',
      c.defective ? `${pct(c.detection.rate)}${interval(c.detection)} of ${c.defective}` : '-',
      healthy ? `${pct(c.false_rollback.rate)}${interval(c.false_rollback)} of ${healthy}` : '-',
      `${num(b.median)}/${num(b.p95)}/${num(b.max)}`,
      `${median([c.time_to_detect_seconds.median], 's')} / ${median([c.time_to_full_rollout_seconds.median], 'm')}`,
      k === 0 ? `${objective(d, p.objective.value)}${p.objective.interval ? ` [${p.objective.interval[0] === null ? '?' : objective(d, p.objective.interval[0])}, ${p.objective.interval[1] === null ? '?' : objective(d, p.objective.interval[1])}]` : ''}` : '',
      k === 0 ? (p.feasible ? 'yes' : 'no') : '',
    ];
  }));
  return { head, rows };
}

export function formatSweep(d: SweepDocument): string {
  const lines: string[] = [];
  lines.push(`rehearse sweep: ${d.scenario.name}${d.shard ? ` (shard ${d.shard})` : ''}: ${plural(d.plan.policies.length, 'policy', 'policies')} x ${plural(d.plan.cases.length, 'case')} x ${plural(d.plan.seeds, 'seed')} = ${plural(d.plan.runs, 'run')}${d.complete ? '' : `, ${d.runs.length} done`}`);
  lines.push(`flag ${d.flag}; minimize ${d.objective}${d.constraints.length ? `; subject to ${d.constraints.join(', ')}` : ''}`);
  lines.push('');
  const { head, rows } = policyTable(d);
  lines.push(...textTable(head, rows, head.map((_, i) => (i <= 2 || i === head.length - 1 ? 'left' : 'right'))));
  lines.push('', POLICY_TABLE_KEY);
  lines.push(`* on the Pareto front of harm (p95 users hurt) against friction (false-rollback rate): ${d.pareto.join(', ')}`);
  if (d.recommendation) {
    const r = d.recommendation;
    lines.push('', `recommended: #${r.policy} ${r.label}`);
    lines.push(`  objective ${d.objective} = ${objective(d, r.objective.value)}${r.objective.interval ? ` (${bounds(r.objective.interval, r.objective.note, (x) => objective(d, x))})` : ''}`);
    for (const c of r.constraints) lines.push(`  ${c.criterion}: ${value(c.criterion, c.value)}${c.interval ? ` (${bounds(c.interval, c.note, (x) => value(c.criterion, x))})` : ''}`);
  }
  for (const w of d.warnings) lines.push(messageOneLine(`warning: ${w}`));
  if (d.failures.length) {
    lines.push('', `${plural(d.failures.length, 'run')} failed:`);
    for (const f of d.failures.slice(0, 10)) lines.push(`  run ${f.run} (policy ${f.policy}, case ${f.case ?? '-'}, seed ${f.seed}): ${messageOneLine(f.error)}`);
  }
  // Each line one line: a name that holds a line break or a control character is written as its escape.
  return lines.map(inline).join('\n');
}
