/**
 * The debrief page, in the run report's self-contained style: the verdict and the rules it follows, the team
 * and the policy alone side by side, the faults both faced, what was hidden, people's actions and the audit
 * trail. Everything people or scenario files wrote goes through escape().
 */
import { clockTip, clockX } from '../report/html/clock-axis.js';
import { escape, htmlPage, type Chart } from '../report/html/page.js';
import type { RunResult } from '../score/result.js';
import { clock, count, duration } from '../units/format.js';
import { faultEffect } from '../report/vocabulary.js';
import { describeAction } from './actions.js';
import { budgetWords } from './debrief-words.js';
import { END_WORDS } from './end-words.js';
import type { Side } from './compare.js';
import type { DrillDocument } from './debrief.js';

const fmt = (s: number | null) => (s === null ? '–' : clock(s));
/** A length of time (to detect, to recover) as the headlines and the run reports say it: "57.2s", "1m27s". */
const span = (s: number | null) => (s === null ? '–' : duration(s));

export function drillHtml(d: DrillDocument): string {
  const charts: Chart[] = [];
  const windowSeries = (r: RunResult, who: string, pick: (w: number) => Record<string, number>) =>
    r.windows.startSeconds.flatMap((t, w) => Object.entries(pick(w)).map(([series, value]) => ({ t, who, series, value })));
  const runs: [RunResult, string][] = [[d.team, 'team'], [d.policy, 'policy alone']];
  const exposure = runs.flatMap(([r, who]) => windowSeries(r, who, (w) => Object.fromEntries(
    Object.entries(r.windows.flags).map(([flag, x]) => [flag, x.on[w] + x.off[w] > 0 ? x.on[w] / (x.on[w] + x.off[w]) : 0]))));
  const failed = runs.flatMap(([r, who]) => windowSeries(r, who, (w) => Object.fromEntries(
    Object.entries(r.windows.journeys).map(([j, x]) => [j, x.requests[w] > 0 ? x.errors[w] / x.requests[w] : 0]))));
  const actionsAt = d.record.actions.filter((a) => a.refused === null && a.action.type !== 'speed' && a.action.type !== 'clock')
    .map((a) => ({ t: a.atUs / 1e6, what: describeAction(a.action, a.faultName), by: a.by }));
  const faultsAt = d.faults.map((f) => ({ from: f.team_from_seconds, to: f.team_to_seconds ?? d.record.end.atUs / 1e6, name: f.name }));
  const line = (title: string, values: unknown[], y: string) => ({
    title,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 200,
      // A layer without rows is left out: vega warned of an infinite extent for a drill without faults.
      layer: [
        ...(faultsAt.length ? [{ data: { values: faultsAt }, mark: { type: 'rect', color: '#c2571a', opacity: 0.12 }, encoding: {
          x: clockX('from'), x2: { field: 'to' }, tooltip: [{ field: 'name', title: 'fault' }, clockTip('from', 'from'), clockTip('to', 'to')] } }] : []),
        { data: { values }, mark: { type: 'line', interpolate: 'step-after' }, encoding: {
          // Both charts are shares: the axis reads as percentages, as the rest of the debrief writes rates.
          x: clockX('t'), y: { field: 'value', type: 'quantitative', title: y, axis: { format: '~%' } },
          color: { field: 'series', type: 'nominal', title: null }, strokeDash: { field: 'who', type: 'nominal', title: 'run', scale: { domain: ['team', 'policy alone'] } },
        } },
        ...(actionsAt.length ? [{ data: { values: actionsAt }, mark: { type: 'rule', color: '#8b1a1a' }, encoding: {
          x: clockX('t'), tooltip: [clockTip('t', 'at'), { field: 'what' }, { field: 'by' }] } }] : []),
      ],
    },
  });
  // A drill without a rollout plan has no flag to chart: its one chart is the journeys' error rates.
  const flagged = d.comparison.length > 0;
  if (flagged) charts.push(line('Journeys with the flag on: the team (solid) and the policy alone (dashed); red rules: people\'s actions; shaded: faults (both runs)', exposure, 'share of journeys with the flag on'));
  charts.push(line(`Journey error rates: the team and the policy alone, under the same faults${flagged ? '' : '; red rules: people\'s actions; shaded: faults'}`, failed, 'error rate'));
  const rows = (cells: unknown[][]) => cells.map((r) => `<tr>${r.map((c) => `<td>${escape(c)}</td>`).join('')}</tr>`).join('\n');
  // Each side's outcome in the run report's words (ground truth), then where its plan stands.
  const outcome = (x: Side) => `<td><span class="outcome">${escape(x.headline)}</span><br><span class="meta">${escape(x.state)}</span></td>`;
  const cell = (x: unknown) => `<td>${escape(x)}</td>`;
  const cmp = d.comparison.map((c) => `<tr>${[c.flag, c.defective ? 'yes' : 'no', `${c.better}: ${c.why}`].map(cell).join('')}${outcome(c.team)}${outcome(c.policy)}${[
    `${count(c.team.blast_radius_users)} / ${count(c.policy.blast_radius_users)}`,
    `${span(c.team.time_to_detect_seconds)} / ${span(c.policy.time_to_detect_seconds)}`,
    `${span(c.team.time_to_recover_seconds)} / ${span(c.policy.time_to_recover_seconds)}`,
    fmt(c.firstPersonActionSeconds),
  ].map(cell).join('')}</tr>`).join('\n');
  const r = d.record;
  // A fault injected at the instant the drill ended was accepted but never switched on: it is in neither run's
  // faults, and the actions say so rather than "done". A catalogue fault is injected once; ad-hoc ones are numbered.
  const switchedOn = new Set(d.faults.map((f) => `${f.source === 'ad-hoc' ? 'ad-hoc' : 'catalogue'}:${f.name}`));
  const injected = (a: (typeof r.actions)[number]) => a.refused !== null ? null
    : a.action.type === 'fault' ? `catalogue:${a.action.name}` : a.action.type === 'adhoc-fault' && a.faultName ? `ad-hoc:${a.faultName}` : null;
  // One removed before it switched on was not cut off by the end: a person took it back.
  const withdrawn = new Set((d.withdrawn ?? []).map((f) => f.name));
  const nameOf = (a: (typeof r.actions)[number]) => (a.action.type === 'fault' ? a.action.name : a.faultName);
  const neverOn = r.actions.filter((a) => { const k = injected(a); return k !== null && !switchedOn.has(k) && !withdrawn.has(nameOf(a) ?? ''); });
  const result = (a: (typeof r.actions)[number]) => a.refused ?? (neverOn.includes(a) ? 'accepted, never switched on: the drill ended first'
    : injected(a) !== null && withdrawn.has(nameOf(a) ?? '') && !switchedOn.has(injected(a)!) ? 'accepted, removed before it switched on' : 'done');
  // A scheduled fault the drill ended before reaching (its time, or its rollout event): both runs list it, never on.
  // One a rollout event put at or after the horizon says when it was due.
  const notReached = d.team.outcomes.faults.filter((f) => f.from_seconds === null).map((f) => (f.due_seconds === undefined ? f.name : `${f.name} (due at ${fmt(f.due_seconds)}, at or after the horizon)`));
  // What a fault did in one run; a document written before these figures were kept holds none.
  const did = (f: DrillDocument['faults'][number], side: 'team' | 'policy') => (f[`${side}_journeys_hurt`] === undefined ? '–'
    : faultEffect({ journeys_hurt: f[`${side}_journeys_hurt`], journeys_failed: f[`${side}_journeys_failed`], slowed: f[`${side}_slowed`] }));
  const faultEnded = (f: DrillDocument['faults'][number]) => `${fmt(f.team_to_seconds)}${f.removed_by === undefined ? '' : ` (removed by ${f.removed_by})`}`;
  const caseLine = d.revealed.case ?? 'base scenario';
  // A resumed drill gives its facilitator a new link: the same person listed again says why.
  const named = new Set<string>();
  const people = r.people.map((p) => {
    const again = named.has(p.name);
    named.add(p.name);
    return [p.name, again ? `${p.role} (a new link: the drill resumed)` : p.role, p.joined];
  });
  const ended = r.end.reason === 'interrupted' ? `stopped at ${fmt(r.end.atUs / 1e6)} without an end (the journal stops there)` : `ended at ${fmt(r.end.atUs / 1e6)} (${END_WORDS[r.end.reason]})`;
  const body = `
<h1>Game-day debrief: ${escape(r.scenario.name)}</h1>
<p class="meta">seed ${escape(r.seed)} · case <strong>${escape(caseLine)}</strong>${r.case.hidden ? ' (hidden during the drill)' : ''} · gates ${escape(r.gates)} · ${escape(ended)} · rehearse ${escape(d.version)} · scenario sha256 ${escape(r.scenario.sha256.slice(0, 16))}… · digest ${escape(d.digest.slice(0, 16))}…</p>
<p><span class="verdict${d.verdict.policy > d.verdict.team ? ' fail' : ''}">${escape(d.verdict.text)}</span></p>
<div class="summary">
<p>Error budget: ${escape(budgetWords(d))}.</p>
</div>
<h2>How the team and the policy are compared</h2>
<ul class="rules">${d.rules.map((x) => `<li>${escape(x)}</li>`).join('')}</ul>
<h2>Team and policy alone, side by side</h2>
${flagged ? `<table id="comparison"><thead><tr><th>flag</th><th>defective</th><th>better, and why</th><th>team: what happened (ground truth)</th><th>policy alone: what happened (ground truth)</th><th>users hurt (team / policy)</th><th>time to detect</th><th>time to recover<br><small>(first to last journey the flag hurt)</small></th><th>first pause or roll back by a person<br><small>(when, in simulated time; for a flag that hurt users, the first once the harm began; for one that hurt nobody, the first at all)</small></th></tr></thead>
<tbody>${cmp}</tbody></table>` : '<p id="comparison">The scenario has no rollout plan: there is no flag to compare side by side. Nobody could act on a plan, and both runs faced the same faults at the same instants: the error budget above is the whole comparison.</p>'}
<h2>Faults both runs faced</h2>
${d.faults.length ? `<table id="faults-faced"><thead><tr><th>fault</th><th>kind</th><th>target</th><th>source</th><th>hidden</th><th>started (team)</th><th>started (policy alone)</th><th>ended (team)</th><th>ended (policy alone)</th><th>what it did (team)<br><small>(ground truth: journeys it hurt, and those it slowed that succeeded)</small></th><th>what it did (policy alone)</th></tr></thead><tbody>${rows(d.faults.map((f) => [f.name, f.kind, f.target, f.source, f.hidden ? 'yes' : 'no', fmt(f.team_from_seconds), fmt(f.policy_from_seconds), faultEnded(f), fmt(f.policy_to_seconds), did(f, 'team'), did(f, 'policy')]))}</tbody></table>` : '<p>No fault was switched on.</p>'}
${d.withdrawn?.length ? `<p id="faults-withdrawn">Injected, then removed before they switched on (neither run faced them): ${escape(d.withdrawn.map((f) => `${f.name} at ${fmt(f.injected_seconds)}, removed by ${f.removed_by} at ${fmt(f.removed_seconds)}`).join(', '))}.</p>` : ''}
${notReached.length ? `<p id="faults-not-reached">Scheduled, never switched on before the drill ended (neither run faced them; both runs list them as never on): ${escape(notReached.join(', '))}.</p>` : ''}
${neverOn.length ? `<p id="faults-never-on">Injected, never switched on (the drill ended first, so neither run faced them): ${escape(neverOn.map((a) => `${a.action.type === 'fault' ? a.action.name : a.faultName} at ${fmt(a.atUs / 1e6)}`).join(', '))}.</p>` : ''}
<chart-0/>
${flagged ? '<chart-1/>' : ''}
<h2>Revealed</h2>
<p>The case: <strong>${escape(caseLine)}</strong>${r.case.hidden ? `, drawn from a secret committed to in the journal before the drill (sha256 ${escape(r.case.commitment.slice(0, 16))}…)` : ''}.</p>
${d.revealed.hiddenFaults.length ? `<table><thead><tr><th>hidden fault</th><th>kind</th><th>target</th><th>from</th><th>to</th><th>what it did</th></tr></thead><tbody>${rows(d.revealed.hiddenFaults.map((f) => [f.name, f.kind, f.target, fmt(f.from_seconds), fmt(f.to_seconds), faultEffect(f)]))}</tbody></table>` : '<p>No hidden faults.</p>'}
<h2>People</h2>
<table id="people"><thead><tr><th>name</th><th>role</th><th>joined (wall time, UTC)</th></tr></thead><tbody>${rows(people)}</tbody></table>
<h2>People's actions</h2>
<table><thead><tr><th>sim time</th><th>wall time (UTC)</th><th>who</th><th>what</th><th>result</th><th>config version</th></tr></thead>
<tbody>${rows(r.actions.map((a) => [fmt(a.atUs / 1e6), a.wallTime, `${a.by} (${a.role})`, describeAction(a.action, a.faultName), result(a), a.configVersion ?? '']))}</tbody></table>
${r.resumed.length ? `<p id="resumed">The drill's process stopped (a crash, a kill or SIGTERM) and the drill was resumed from its journal, its clock stopped where the journal ended: ${escape(r.resumed.map((x) => `at ${fmt(x.atUs / 1e6)} simulated (${x.wall})`).join('; '))}. The actions before and after are one record.</p>` : ''}
<h2>Audit trail (decisions)</h2>
<div class="audit"><table><thead><tr><th>sim time</th><th>flag</th><th>actor</th><th>action</th><th>stage</th><th>%</th><th>config</th><th>reason</th></tr></thead>
<tbody>${rows(d.team.audit.filter((a) => a.event === 'decision' || a.event === 'wait').map((a) => [fmt(a.timeSeconds), a.flag, a.by ? `${a.actor} (${a.by})` : a.actor, a.action ?? a.event, a.stage === undefined ? '' : a.stage + 1, a.percent ?? '', `v${a.configVersion}`, a.reason ?? '']))}</tbody></table></div>
`;
  return htmlPage(`Game-day debrief: ${r.scenario.name}`, body, charts);
}
