/** The terminal summary of a run: per service and per journey, throughput, errors and latency. */
import type { PoolFigures } from '../score/pools.js';
import type { AuditRecord, CallFigures, RolloutFigures, RunResult } from '../score/result.js';
import { budget, clock, count, criterionValue, duration, ms, percent, plural, readingWords } from '../units/format.js';
import { inline } from './escape.js';
import { textTable } from './table.js';
import { caveatLines, criteriaCounts, criterionVerdict, falseAct, flagStory, runHeadlines, runVerdict, faultEffect, neverOnWhy, verdictCaveat, verdictLabel } from './vocabulary.js';

/**
 * `cases`: the names of the scenario's cases (the result holds only the one run): a run without one says so,
 * and which cases there are to try.
 */
export function formatSummary(r: RunResult, cases: readonly string[] = []): string {
  const lines: string[] = [];
  const sim = r.simulated;
  lines.push(`rehearse ${r.version}: ${r.scenario.name}${r.scenario.case ? `, case ${r.scenario.case}` : ''} (seed ${r.scenario.seed})`);
  if (!r.scenario.case && cases.length) lines.push(`no case (the scenario as written); its ${cases.length === 1 ? 'case' : 'cases'}: ${cases.join(', ')}: --case NAME`);
  lines.push(`simulated ${duration(sim.seconds)}: ${plural(sim.requests, 'journey')}, ${plural(sim.events, 'event')}`);
  lines.push('');
  const head = ['service', 'req/s', 'errors', 'p50', 'p99', 'mean', 'util', 'queue'];
  const rows = Object.entries(r.services).map(([name, s]) => [
    name, s.throughputPerSec.toFixed(1), errorText(s), ms(s.latencyMs.p50), ms(s.latencyMs.p99), ms(s.latencyMs.mean),
    s.utilization === null ? 'unknown' : `${(s.utilization * 100).toFixed(0)}%`, `${s.meanQueued.toFixed(1)} (max ${s.maxQueued})`,
  ]);
  lines.push(...textTable(head, rows));
  if (r.pools?.length) lines.push('', ...poolTable(r.pools));
  lines.push('');
  const jhead = ['journey', 'req/s', 'errors', 'p50', 'p99', 'mean'];
  const jrows = Object.entries(r.journeys).map(([name, j]) => [
    name, j.throughputPerSec.toFixed(1), errorText(j), ms(j.latencyMs.p50), ms(j.latencyMs.p99), ms(j.latencyMs.mean),
  ]);
  lines.push(...textTable(jhead, jrows));
  // Each service once, its causes after it: "web: 5 error, 43 downstream; payments: 43 error".
  const causes = Object.entries(r.services).flatMap(([name, s]) => {
    const own = Object.entries(s.errorsByCause).filter(([, n]) => n > 0).map(([cause, n]) => `${count(n)} ${cause}`);
    return own.length ? [`${name}: ${own.join(', ')}`] : [];
  });
  if (causes.length) {
    lines.push('', `errors by cause: ${causes.join('; ')}`);
  }
  if (r.breakers.length) {
    const opened = r.breakers.filter((b) => b.to === 'open');
    const edges = [...new Set(opened.map((b) => b.edge))];
    lines.push(`circuit breakers: ${plural(opened.length, 'opening')} on ${edges.join(', ') || 'no edge'}; first at ${clock(opened[0]?.timeSeconds ?? 0)}`);
  }
  if (r.stability) lines.push('', 'what the queues did:', ...[...r.stability.services, ...r.stability.cycles, ...(r.stability.pools ?? [])].map((x) => `  ${x.explanation}`));
  if (r.rollouts.length) lines.push('', ...formatTimelines(r));
  lines.push('', ...formatOutcomes(r));
  if (r.acceptance.length) lines.push('', ...formatAcceptance(r));
  lines.push('', ...formatVerdict(r));
  // Each line one line: a name that holds a line break or a control character is written as its escape.
  return lines.map(inline).join('\n');
}

/** The ground truth: what the flags and faults really did to users. */
export function formatOutcomes(r: RunResult): string[] {
  const o = r.outcomes;
  const lines = ['outcomes (ground truth)'];
  const truth = Object.entries(o.failed_by_truth).filter(([, n]) => n > 0).map(([k, n]) => `${count(n)} ${k}`);
  lines.push(`  journeys: ${count(o.journeys)}, failed ${count(o.journeys_failed)}${truth.length ? ` (${truth.join(', ')})` : ''}; error budget: ${budget(o.error_budget_burned)}`);
  for (const f of Object.values(o.flags)) {
    const parts = [`${f.flag}: ${f.defective ? `hurt ${plural(f.blast_radius_users, 'user')} in ${plural(f.blast_radius_requests, 'journey')} from ${clock(f.onset_seconds!)}` : 'hurt nobody'}`];
    if (f.detected) parts.push(`detected after ${duration(f.time_to_detect_seconds!)}`);
    if (f.defective) parts.push(`last harm at ${clock(f.last_hurt_seconds!)}`);
    if (f.time_to_full_rollout_seconds !== null) parts.push(`full rollout in ${duration(f.time_to_full_rollout_seconds)}`);
    if (f.false_rollback) parts.push(falseAct(flagStory(r, f.flag)) === 'pause' ? 'FALSE ALARM (paused)' : 'FALSE ROLLBACK');
    for (const flag of ['missed_defect', 'misattribution'] as const) if (f[flag]) parts.push(flag.replace('_', ' ').toUpperCase());
    lines.push(`  ${parts.join('; ')}`);
  }
  for (const f of o.faults) {
    const why = neverOnWhy(f, r.simulated.seconds);
    const when = f.from_seconds === null ? `never triggered${why ? `: ${why}` : ''}` : `${clock(f.from_seconds)} to ${clock(f.to_seconds!)}`;
    lines.push(`  fault ${f.name}: ${when}, ${faultEffect(f)}`);
  }
  return lines;
}

/** Each criterion with its verdict (PASS, FAIL, N/A with why) and value. */
export function formatAcceptance(r: RunResult): string[] {
  const rows = r.acceptance.map((a) => {
    const { verdict, why } = criterionVerdict(a);
    const value = a.value === null ? `(${why ?? 'no value'})` : `${criterionValue(a.criterion, a.value)}${why ? ` (${why})` : ''}`;
    return [verdictLabel(verdict), a.criterion, value];
  });
  return ['acceptance', ...textTable(['', 'criterion', 'value'], rows, ['left', 'left', 'right']).map((l) => `  ${l}`)];
}

/** The verdict in the vocabulary's words, with what happened to each flag under it: never a bare "passed". */
export function formatVerdict(r: RunResult): string[] {
  const caveat = verdictCaveat(r);
  return [`verdict: ${verdictLabel(runVerdict(r))} (${criteriaCounts(r.acceptance)})`, ...runHeadlines(r).map((h) => `  ${h}`), ...(caveat ? caveatLines(caveat).map((x) => `  ${x}`) : [])];
}

/**
 * The failed readings behind a rollback or pause and the counter that tripped (it counts evaluations, each a round
 * of every gate, with a failed reading: "3 failed evaluations" beside "gates: 12 readings, 7 failed"): the failed readings of each round
 * the counter counted (the last as many rounds with a failed reading as it says, up to the decision), one line per
 * gate, each with its time when there are several rounds.
 */
function breachLines(r: RunResult, ro: RolloutFigures, d: RolloutFigures['decisions'][number]): string[] {
  const failedReadings = r.audit.filter((a) => a.flag === ro.flag && a.event === 'gate' && a.gate?.verdict === 'fail' && a.timeSeconds <= d.timeSeconds);
  const failed = failedReadings.filter((a) => a.timeSeconds === d.timeSeconds);
  if (failed.length === 0) return [d.reason];
  const counter = d.reason.match(/\(failure (\d+), limit (\d+)\)/);
  const back = d.reason.match(/; (back to [^;]*)$/);
  const head = [counter ? `${plural(Number(counter[1]), 'failed evaluation')}, over the failure limit of ${counter[2]}` : `${plural(failed.length, 'gate')} failed`, back?.[1]].filter(Boolean).join('; ');
  const rounds = counter ? [...new Set(failedReadings.map((a) => a.timeSeconds))].slice(-Number(counter[1])) : [d.timeSeconds];
  const when = (a: (typeof failed)[number]) => (rounds.length > 1 ? `${clock(a.timeSeconds)}  ` : '');
  return [head, ...failedReadings.filter((a) => rounds.includes(a.timeSeconds)).map((a) => `  ${when(a)}${a.gate!.gate}: ${readingWords(a.gate!)}`)];
}

/** Each rollout plan as a story: what it did, when, and why. */
export function formatTimelines(r: RunResult): string[] {
  const lines: string[] = ['rollouts'];
  for (const ro of r.rollouts) {
    const who = [ro.kind, ro.owner].filter(Boolean).join(', ');
    const where = ro.outcome === 'not-started' ? '' : ` at ${ro.finalPercent}% (${plural(ro.exposedUsers, 'user')}), stage ${ro.stagesReached} of ${ro.stages}`;
    lines.push(`  ${ro.flag}${who ? ` (${who})` : ''}: ${ro.outcome.toUpperCase()}${where}`);
    for (const d of ro.decisions) {
      const text = d.action === 'rollback' || d.action === 'pause' ? breachLines(r, ro, d) : [d.reason];
      lines.push(`    ${clock(d.timeSeconds).padStart(9)}  ${d.action.padEnd(8)} ${text[0]}`);
      for (const more of text.slice(1)) lines.push(`    ${' '.repeat(9)}  ${' '.repeat(8)} ${more}`);
    }
    const gates = r.audit.filter((a) => a.flag === ro.flag && a.event === 'gate');
    if (gates.length) {
      const failed = gates.filter((g) => g.gate?.verdict === 'fail').length;
      const inconclusive = gates.filter((g) => g.gate?.verdict === 'inconclusive').length;
      lines.push(`    gates: ${plural(gates.length, 'reading')}, ${count(failed)} failed, ${count(inconclusive)} inconclusive`);
    }
    const prop = Object.entries(ro.propagation);
    if (prop.length) {
      const mean = prop.reduce((x, [, p]) => x + p.meanSeconds * p.changes, 0) / prop.reduce((x, [, p]) => x + p.changes, 0);
      const max = Math.max(...prop.map(([, p]) => p.maxSeconds));
      lines.push(`    propagation to ${plural(prop.length, 'service')}: mean ${duration(mean)}, max ${duration(max)}`);
    }
  }
  return lines;
}

/**
 * Client-side pools beside the services' queues: where calls waited for a slot of their caller's own pool (a wait
 * that no service's queue holds), named as the scenario names the pool, with the group's path in the file. Calls
 * whose deadline passed while they waited are in no endpoint's figures (no service saw them): a column tells them
 * when any pool had some.
 */
export function poolTable(pools: readonly PoolFigures[]): string[] {
  const timedOut = pools.some((p) => p.timedOutWaiting > 0);
  const head = ['client-side pool', 'in the scenario', 'limit', 'calls/s', 'util', 'waited', 'mean wait', 'waiting', ...(timedOut ? ['timed out waiting'] : [])];
  const rows = pools.map((p) => [
    p.pool, p.at, count(p.limit), p.callsPerSec.toFixed(1), `${(p.utilization * 100).toFixed(0)}%`, percent(p.waitedShare, p.waitedShare > 0 && p.waitedShare < 0.01 ? 2 : 1),
    ms(p.meanWaitMs), `${p.meanWaiting.toFixed(1)} (max ${count(p.maxWaiting)})`, ...(timedOut ? [count(p.timedOutWaiting)] : []),
  ]);
  return textTable(head, rows, ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right']);
}

function errorText(f: CallFigures): string {
  return f.errors === 0 ? '0' : percent(f.errorRate, f.errorRate < 0.01 ? 2 : 1);
}

/** A span of simulated time: 2h, 1h30m, 45s. */
export const formatSeconds = duration;
