/** The HTML report of one rehearsal: verdict, risk in words, timeline, services, blast radius, map, audit. */
import { actedPercent } from '../../score/ci.js';
import type { RunResult } from '../../score/result.js';
import { budget, clock, count, criterionValue, duration, ms, percent, plural, readingWords } from '../../units/format.js';
import { escape, htmlPage, verdictHtml, type Chart, type PageOptions } from './page.js';
import { GATES_BLIND, GATES_FAILED_FLAG_OFF, caveatSentence, criteriaCounts, criterionVerdict, falseAct, flagStory, runHeadlines, runVerdict, verdictCaveat, faultEffect, neverOnWhy } from '../vocabulary.js';
import { decisiveCharts } from './decisive.js';
import { flagCharts, serviceCharts, uncomparedNotes } from './series.js';
import { mapChart } from './map.js';
import { eventsTable, timelineChart, timelineEvents } from './timeline.js';

/** What happened, in sentences a reader of the page takes in first. */
export function riskSummary(r: RunResult): string[] {
  const out: string[] = [];
  for (const ro of r.rollouts) {
    const f = r.outcomes.flags[ro.flag];
    const acted = actedPercent(r, ro.flag);
    // The users at that percentage, as the terminal gives them: a flag file's targeting may serve nobody at 10%.
    // (A rolled-back plan's users are those at 0%, not at the percentage it acted at.)
    const users = ro.outcome === 'rolled-back' ? '' : ` (${plural(ro.exposedUsers, 'user')})`;
    const where = ro.outcome === 'not-started' ? 'never started' : `${ro.outcome.replace('-', ' ')} at ${acted ?? ro.finalPercent}%${users}, stage ${ro.stagesReached} of ${ro.stages}`;
    let s = `${ro.flag} was ${where}.`;
    if (f?.defective) {
      s += ` It hurt ${plural(f.blast_radius_users, 'user')} in ${plural(f.blast_radius_requests, 'journey')}, from ${clock(f.onset_seconds!)} to ${clock(f.last_hurt_seconds!)}.`;
      // Gates that failed as much with the flag off stopped it without detecting it (the headline's words).
      s += f.detected ? ` The policy acted ${duration(f.time_to_detect_seconds!)} after the first harm.`
        : f.gates_failed_flag_off && f.acted_seconds !== null ? ` I${GATES_BLIND.slice(1)}.` : ' The policy never acted on it.';
    } else if (f) {
      s += ' It hurt nobody.';
    }
    if (f?.false_rollback) s += ` That ${falseAct(flagStory(r, ro.flag))} was a false alarm.`;
    if (f?.misattribution) s += ` The gates blamed it for harm something else caused${f.gates_failed_flag_off ? ` (${GATES_FAILED_FLAG_OFF})` : ''}.`;
    out.push(s);
  }
  for (const fault of r.outcomes.faults) {
    const why = neverOnWhy(fault, r.simulated.seconds);
    out.push(fault.from_seconds === null ? `The fault ${fault.name} never triggered${why ? `: it was ${why}` : ''}.`
      : `The fault ${fault.name} was active from ${clock(fault.from_seconds)} to ${clock(fault.to_seconds!)}: ${faultEffect(fault)}.`);
  }
  const o = r.outcomes;
  out.push(`Of ${plural(o.journeys, 'journey')}, ${count(o.journeys_failed)} failed; error budget: ${budget(o.error_budget_burned)}.`);
  return out;
}

/**
 * Client-side pools beside the services' queues: the wait for a slot of the caller's own pool, which no service's
 * queue holds, each pool named as the scenario names it.
 */
function poolsHtml(r: RunResult): string {
  if (!r.pools?.length) return '';
  const rows = r.pools.map((p) => `<tr><td>${escape(p.pool)}</td><td><code>${escape(p.at)}</code></td><td class="num">${count(p.limit)}</td><td class="num">${p.callsPerSec.toFixed(1)}</td>` +
    `<td class="num">${(p.utilization * 100).toFixed(0)}%</td><td class="num">${percent(p.waitedShare, 1)}</td><td class="num">${ms(p.meanWaitMs)}</td>` +
    `<td class="num">${p.meanWaiting.toFixed(1)} (max ${count(p.maxWaiting)})</td><td class="num">${count(p.timedOutWaiting)}</td></tr>`).join('');
  return `<h3>Client-side pools</h3>
<p class="caption">Calls that waited for a slot of their caller's own pool (a parallel group's limit): that wait is the caller's, in no service's queue.</p>
<table class="pools"><thead><tr><th>pool</th><th>in the scenario</th><th>limit</th><th>calls/s</th><th>utilization</th><th>waited</th><th>mean wait</th><th>waiting</th><th>timed out waiting</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function runReportHtml(r: RunResult, options: PageOptions = {}): string {
  const events = timelineEvents(r);
  const decisive = decisiveCharts(r);
  const charts: Chart[] = [];
  const place = (c: Chart | null) => {
    if (!c) return '';
    charts.push(c);
    return `<h3>${escape(c.title)}</h3>${c.caption ? `<p class="caption">${escape(c.caption)}</p>` : ''}<chart-${charts.length - 1}/>`;
  };
  // The verdict, then what happened to each flag: never a bare "passed", which reads as "safe to ship".
  const headlines = runHeadlines(r);
  const caveat = verdictCaveat(r);
  const verdict = `<p class="verdict-line">${verdictHtml(runVerdict(r), 'badge')} ${escape(criteriaCounts(r.acceptance))}</p>
${headlines.length ? `<ul class="headlines">${headlines.map((h) => `<li>${escape(h)}</li>`).join('')}</ul>` : ''}
${caveat ? `<p class="warning caveat">${escape(caveatSentence(caveat))}</p>` : ''}`;
  const acceptance = r.acceptance.length ? `<table class="acceptance"><thead><tr><th>result</th><th>criterion</th><th>value</th></tr></thead><tbody>${r.acceptance.map((a) => {
    const { verdict: v, why } = criterionVerdict(a);
    const value = a.value === null ? `(${why ?? 'no value'})` : `${criterionValue(a.criterion, a.value)}${why ? ` (${why})` : ''}`;
    return `<tr>${verdictHtml(v)}<td><code>${escape(a.criterion)}</code></td><td class="num">${escape(value)}</td></tr>`;
  }).join('')}</tbody></table>` : '<p>The scenario has no acceptance criteria.</p>';
  const services = Object.entries(r.services).map(([name, s]) =>
    `<tr><td>${escape(name)}</td><td class="num">${s.throughputPerSec.toFixed(1)}</td><td class="num">${percent(s.errorRate, 2)}</td><td class="num">${ms(s.latencyMs.p50)}</td><td class="num">${ms(s.latencyMs.p99)}</td><td class="num">${s.utilization === null ? 'unknown' : `${(s.utilization * 100).toFixed(0)}%`}</td><td class="num">${s.meanQueued.toFixed(1)} (max ${count(s.maxQueued)})</td><td class="num">${ms(s.meanQueueWaitMs)}</td></tr>`).join('');
  const pools = poolsHtml(r);
  const audit = r.audit.map((a) => {
    const detail = a.gate ? `${a.gate.gate}: ${a.gate.verdict}: ${readingWords(a.gate)}`
      : a.event === 'propagated' ? `reached ${a.service} after ${duration(a.delaySeconds ?? 0)}` : a.reason ?? (a.percent !== undefined ? `${a.percent}%` : '');
    return `<tr><td>${clock(a.timeSeconds)}</td><td>${escape(a.flag)}</td><td>${escape(a.actor)}</td><td class="num">${a.configVersion}</td><td>${escape(a.action ?? a.event)}</td><td>${escape(detail)}</td></tr>`;
  }).join('');
  const body = `
<h1>${escape(r.scenario.name)}${r.scenario.case ? ` <small>case ${escape(r.scenario.case)}</small>` : ''}</h1>
<p class="meta">rehearse ${escape(r.version)}, seed ${r.scenario.seed}, ${duration(r.simulated.seconds)} simulated, ${plural(r.simulated.requests, 'journey')}</p>
${verdict}
<h2>Acceptance</h2>
${acceptance}
<h2>Risk summary</h2>
<div class="summary">${riskSummary(r).map((s) => `<p>${escape(s)}</p>`).join('')}</div>
<h2>Timeline</h2>
${place(timelineChart(r, events)) || '<p>No rollout plans or faults in this scenario.</p>'}
${eventsTable(events)}
${decisive.length ? `<h2>The readings that decided</h2>\n${decisive.map(place).join('\n')}` : ''}
${r.rollouts.length ? `<h2>Flag on against flag off</h2>\n${flagCharts(r).map(place).join('\n')}` : ''}
${r.rollouts.length ? uncomparedNotes(r).map((n) => `<p>${escape(n)}</p>`).join('\n') : ''}
${r.rollouts.length && Object.values(r.outcomes.flags).every((f) => f.blast_radius_requests === 0) ? '<p>No flag hurt anyone (ground truth).</p>' : ''}
<h2>Services</h2>
<table><thead><tr><th>service</th><th>req/s</th><th>errors</th><th>p50</th><th>p99</th><th>utilization</th><th>queue</th><th>queue wait</th></tr></thead><tbody>${services}</tbody></table>
${pools}
${serviceCharts(r).map(place).join('\n')}
<h2>Dependency map</h2>
${place(mapChart(r))}
<h2>Audit trail</h2>
${r.audit.length ? `<div class="audit"><table><thead><tr><th>time</th><th>flag</th><th>actor</th><th>config</th><th>event</th><th>detail</th></tr></thead><tbody>${audit}</tbody></table></div>` : '<p>No rollout, no audit trail.</p>'}
`;
  return htmlPage(`rehearse: ${r.scenario.name}`, body, charts, options);
}
