/** The terminal summary of a run: per service and per journey, throughput, errors and latency. */
import type { CallFigures, RunResult } from '../score/result.js';

export function formatSummary(r: RunResult): string {
  const lines: string[] = [];
  const sim = r.simulated;
  lines.push(`rehearse ${r.version}: ${r.scenario.name}${r.scenario.case ? `, case ${r.scenario.case}` : ''} (seed ${r.scenario.seed})`);
  lines.push(`simulated ${formatSeconds(sim.seconds)}: ${sim.requests.toLocaleString('en-US')} journeys, ${sim.events.toLocaleString('en-US')} events`);
  lines.push('');
  const head = ['service', 'req/s', 'errors', 'p50', 'p99', 'mean', 'util', 'queue'];
  const rows = Object.entries(r.services).map(([name, s]) => [
    name, fixed(s.throughputPerSec, 1), errorText(s), msText(s.latencyMs.p50), msText(s.latencyMs.p99), msText(s.latencyMs.mean),
    `${(s.utilization * 100).toFixed(0)}%`, `${s.meanQueued.toFixed(1)} (max ${s.maxQueued})`,
  ]);
  lines.push(...table(head, rows));
  lines.push('');
  const jhead = ['journey', 'req/s', 'errors', 'p50', 'p99', 'mean'];
  const jrows = Object.entries(r.journeys).map(([name, j]) => [
    name, fixed(j.throughputPerSec, 1), errorText(j), msText(j.latencyMs.p50), msText(j.latencyMs.p99), msText(j.latencyMs.mean),
  ]);
  lines.push(...table(jhead, jrows));
  const causes = Object.entries(r.services).flatMap(([name, s]) =>
    Object.entries(s.errorsByCause).filter(([, n]) => n > 0).map(([cause, n]) => `${name}: ${n.toLocaleString('en-US')} ${cause}`));
  if (causes.length) {
    lines.push('', `errors by cause: ${causes.join(', ')}`);
  }
  if (r.breakers.length) {
    const opened = r.breakers.filter((b) => b.to === 'open');
    const edges = [...new Set(opened.map((b) => b.edge))];
    lines.push(`circuit breakers: ${opened.length} opening(s) on ${edges.join(', ') || 'no edge'}; first at ${formatSeconds(opened[0]?.timeSeconds ?? 0)}`);
  }
  if (r.rollouts.length) lines.push('', ...formatTimelines(r));
  lines.push('', ...formatOutcomes(r));
  if (r.acceptance.length) lines.push('', ...formatAcceptance(r));
  return lines.join('\n');
}

/** The ground truth: what the flags and faults really did to users. */
export function formatOutcomes(r: RunResult): string[] {
  const o = r.outcomes;
  const lines = ['outcomes (ground truth)'];
  const truth = Object.entries(o.failed_by_truth).filter(([, n]) => n > 0).map(([k, n]) => `${n.toLocaleString('en-US')} ${k}`);
  lines.push(`  journeys: ${o.journeys.toLocaleString('en-US')}, failed ${o.journeys_failed.toLocaleString('en-US')}${truth.length ? ` (${truth.join(', ')})` : ''}; error budget burned ${(o.error_budget_burned * 100).toFixed(1)}%`);
  for (const f of Object.values(o.flags)) {
    const parts = [`${f.flag}: ${f.defective ? `hurt ${f.blast_radius_users.toLocaleString('en-US')} users in ${f.blast_radius_requests.toLocaleString('en-US')} journeys from ${formatClock(f.onset_seconds!)}` : 'hurt nobody'}`];
    if (f.detected) parts.push(`detected after ${formatClock(f.time_to_detect_seconds!)}`);
    if (f.defective) parts.push(`last harm ${formatClock(f.last_hurt_seconds!)}`);
    if (f.time_to_full_rollout_seconds !== null) parts.push(`full rollout in ${formatClock(f.time_to_full_rollout_seconds)}`);
    for (const flag of ['false_rollback', 'missed_defect', 'misattribution'] as const) if (f[flag]) parts.push(flag.replace('_', ' ').toUpperCase());
    lines.push(`  ${parts.join('; ')}`);
  }
  for (const f of o.faults) {
    const when = f.from_seconds === null ? 'never triggered' : `${formatClock(f.from_seconds)} to ${formatClock(f.to_seconds!)}`;
    lines.push(`  fault ${f.name}: ${when}, ${f.journeys_hurt.toLocaleString('en-US')} journeys hurt`);
  }
  return lines;
}

export function formatAcceptance(r: RunResult): string[] {
  const rows = r.acceptance.map((a) => [a.pass ? 'PASS' : 'FAIL', a.criterion, a.value === null ? (a.note ?? 'n/a') : `${+a.value.toPrecision(6)}${a.note ? ` (${a.note})` : ''}`]);
  return [`acceptance: ${r.passed ? 'PASSED' : 'FAILED'}`, ...table(['', 'criterion', 'value'], rows).map((l) => `  ${l}`)];
}

/** Each rollout plan as a story: what it did, when, and why. */
export function formatTimelines(r: RunResult): string[] {
  const lines: string[] = ['rollouts'];
  for (const ro of r.rollouts) {
    const who = [ro.kind, ro.owner].filter(Boolean).join(', ');
    const where = ro.outcome === 'not-started' ? '' : ` at ${ro.finalPercent}% (${ro.exposedUsers.toLocaleString('en-US')} users), stage ${ro.stagesReached} of ${ro.stages}`;
    lines.push(`  ${ro.flag}${who ? ` (${who})` : ''}: ${ro.outcome.toUpperCase()}${where}`);
    for (const d of ro.decisions) {
      lines.push(`    ${formatClock(d.timeSeconds).padStart(9)}  ${d.action.padEnd(8)} ${d.reason}`);
    }
    const gates = r.audit.filter((a) => a.flag === ro.flag && a.event === 'gate');
    if (gates.length) {
      const failed = gates.filter((g) => g.gate?.verdict === 'fail').length;
      const inconclusive = gates.filter((g) => g.gate?.verdict === 'inconclusive').length;
      lines.push(`    gates: ${gates.length} readings, ${failed} failed, ${inconclusive} inconclusive`);
    }
    const prop = Object.entries(ro.propagation);
    if (prop.length) {
      const mean = prop.reduce((x, [, p]) => x + p.meanSeconds * p.changes, 0) / prop.reduce((x, [, p]) => x + p.changes, 0);
      const max = Math.max(...prop.map(([, p]) => p.maxSeconds));
      lines.push(`    propagation to ${prop.length} services: mean ${mean.toFixed(1)}s, max ${max.toFixed(1)}s`);
    }
  }
  return lines;
}

function formatClock(seconds: number): string {
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s` : `${m}m${String(sec).padStart(2, '0')}s`;
}

function errorText(f: CallFigures): string {
  return f.errors === 0 ? '0' : `${(f.errorRate * 100).toFixed(f.errorRate < 0.01 ? 2 : 1)}%`;
}

function msText(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${ms.toFixed(ms < 10 ? 2 : 1)}ms`;
}

function fixed(x: number, d: number): string {
  return x.toFixed(d);
}

export function formatSeconds(s: number): string {
  if (s < 60) return `${+s.toFixed(3)}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${sec ? `${sec}s` : ''}` || '0s';
}

function table(head: string[], rows: string[][]): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
