/** The HTML report of one rehearsal: verdict, risk in words, timeline, services, blast radius, map, audit. */
import type { RolloutFigures, RunResult } from '../../score/result.js';
import { budget, clock, count, criterionValue, duration, ms, num, percent, plural } from '../../units/format.js';
import { decisiveCharts } from './decisive.js';
import { escape, htmlPage, type Chart, type PageOptions } from './page.js';
import { flagCharts, serviceCharts, uncomparedFlags } from './series.js';
import { MINUTES, VL, minutes } from './style.js';

/** What happened, in sentences a reader of the page takes in first. */
export function riskSummary(r: RunResult): string[] {
  const out: string[] = [];
  for (const ro of r.rollouts) {
    const f = r.outcomes.flags[ro.flag];
    const where = ro.outcome === 'not-started' ? 'never started' : `${ro.outcome.replace('-', ' ')} at ${ro.finalPercent}%, stage ${ro.stagesReached} of ${ro.stages}`;
    let s = `${ro.flag} was ${where}.`;
    if (f?.defective) {
      s += ` It hurt ${plural(f.blast_radius_users, 'user')} in ${plural(f.blast_radius_requests, 'journey')}, from ${clock(f.onset_seconds!)} to ${clock(f.last_hurt_seconds!)}.`;
      s += f.detected ? ` The policy acted ${duration(f.time_to_detect_seconds!)} after the first harm.` : ' The policy never acted on it.';
    } else if (f) {
      s += ' It hurt nobody.';
    }
    if (f?.false_rollback) s += ' That rollback was a false alarm.';
    if (f?.misattribution) s += ' The gates blamed it for harm something else caused.';
    out.push(s);
  }
  for (const fault of r.outcomes.faults) {
    out.push(fault.from_seconds === null ? `The fault ${fault.name} never triggered.`
      : `The fault ${fault.name} was active from ${clock(fault.from_seconds)} to ${clock(fault.to_seconds!)} and hurt ${plural(fault.journeys_hurt, 'journey')}.`);
  }
  const o = r.outcomes;
  out.push(`Of ${plural(o.journeys, 'journey')}, ${count(o.journeys_failed)} failed: ${o.error_budget_burned > 1 ? `${budget(o.error_budget_burned)} (the error budget is overspent)` : `${percent(o.error_budget_burned, 1)} of the error budget`}.`);
  return out;
}


/** A numbered event on the timeline, keyed to the table under the chart (a tooltip does not print). */
export interface TimelineEvent { n: number; seconds: number; flag: string; kind: string; text: string }

/** Stage changes, approvals, gate breaches, rollbacks, pauses and fault windows, in time order, numbered. */
export function timelineEvents(r: RunResult): TimelineEvent[] {
  const events: Omit<TimelineEvent, 'n'>[] = [];
  for (const ro of r.rollouts) {
    for (const d of ro.decisions) {
      if (d.action === 'wait' || d.action === 'blocked') continue;
      const kind = d.action === 'start' || d.action === 'promote' ? `stage ${d.stage} at ${d.percent}%` : d.action;
      events.push({ seconds: d.timeSeconds, flag: ro.flag, kind, text: d.reason });
    }
  }
  for (const a of r.audit) {
    if (a.event === 'gate' && a.gate?.verdict === 'fail') events.push({ seconds: a.timeSeconds, flag: a.flag, kind: 'gate breach', text: `${a.gate.gate}: ${a.gate.detail}` });
    if (a.event === 'decision' && a.action === 'approve') events.push({ seconds: a.timeSeconds, flag: a.flag, kind: 'approval', text: a.reason ?? 'approved' });
  }
  for (const f of r.outcomes.faults) {
    if (f.from_seconds === null) continue;
    events.push({ seconds: f.from_seconds, flag: '', kind: 'fault', text: `${f.name}: active ${clock(f.from_seconds)} to ${clock(f.to_seconds!)}, ${plural(f.journeys_hurt, 'journey')} hurt` });
  }
  const order = (k: string) => (k === 'fault' ? 0 : k === 'gate breach' ? 2 : k === 'rollback' || k === 'pause' ? 3 : 1);
  return events.sort((a, b) => a.seconds - b.seconds || order(a.kind) - order(b.kind)).map((e, i) => ({ ...e, n: i + 1 }));
}

function timelineChart(r: RunResult, events: TimelineEvent[]): Chart | null {
  if (r.rollouts.length === 0 && r.outcomes.faults.length === 0) return null;
  const end = minutes(r.simulated.seconds);
  const exposure = r.rollouts.flatMap((ro) => {
    const points: { flag: string; minute: number; percent: number }[] = [{ flag: ro.flag, minute: 0, percent: 0 }];
    for (const d of ro.decisions) if (d.action !== 'wait' && d.action !== 'blocked') points.push({ flag: ro.flag, minute: minutes(d.timeSeconds), percent: d.percent });
    points.push({ flag: ro.flag, minute: end, percent: ro.finalPercent });
    return points;
  });
  // Each step labelled with its percentage, so that 1% reads as 1% whatever the scale.
  const steps = r.rollouts.flatMap((ro) => ro.decisions.filter((d) => d.action === 'start' || d.action === 'promote')
    .map((d) => ({ flag: ro.flag, minute: minutes(d.timeSeconds), percent: d.percent, label: `${d.percent}%` })));
  // Markers grouped by moment; labels that would collide step down a row.
  const groups: { minute: number; label: string; row: number; kinds: string }[] = [];
  for (const e of events) {
    const m = minutes(e.seconds);
    const last = groups.at(-1);
    if (last && Math.abs(last.minute - m) < end / 400) {
      last.label = `${last.label.split('–')[0]}–${e.n}`;
      last.kinds += `, ${e.kind}`;
    } else groups.push({ minute: m, label: String(e.n), row: 0, kinds: e.kind });
  }
  const near = end / 30;
  groups.forEach((g, i) => {
    const used = new Set(groups.slice(0, i).filter((h) => Math.abs(h.minute - g.minute) < near).map((h) => h.row));
    while (used.has(g.row)) g.row++;
  });
  const labels = groups.map((g) => ({ ...g, y: 8 + 13 * (g.row % 4) }));
  const faults = r.outcomes.faults.filter((f) => f.from_seconds !== null)
    .map((f) => ({ fault: `fault: ${f.name}`, from: minutes(f.from_seconds!), to: minutes(f.to_seconds!) }));
  const x = { field: 'minute', type: 'quantitative', scale: { domain: [0, end], nice: false } };
  return {
    title: 'Exposure per flag over time (numbered events are listed under the chart)',
    spec: {
      $schema: VL,
      width: 'container', height: 260,
      layer: [
        ...(faults.length ? [{
          data: { values: faults },
          mark: { type: 'rect', opacity: 0.16, color: '#555555' },
          encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'fault' }, { field: 'from', title: 'from (min)' }, { field: 'to', title: 'to (min)' }] },
        }, {
          data: { values: faults },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, y: { expr: 'height - 3' }, fontSize: 10, fontStyle: 'italic', color: '#444444', limit: 160 },
          encoding: { x: { field: 'from', type: 'quantitative' }, text: { field: 'fault' } },
        }] : []),
        {
          data: { values: groups },
          mark: { type: 'rule', strokeDash: [2, 3], color: '#777777' },
          encoding: { x: { ...x, field: 'minute' }, tooltip: [{ field: 'label', title: 'events' }, { field: 'kinds', title: 'what' }] },
        },
        {
          data: { values: exposure },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2.5 },
          encoding: {
            x: { ...x, axis: MINUTES, title: 'minutes since start' },
            // symlog: 1% and 5% stay tall enough to see on an axis that reaches 100%.
            y: { field: 'percent', type: 'quantitative', title: 'exposure', scale: { type: 'symlog', constant: 1, domain: [0, 100] }, axis: { values: [0, 1, 5, 10, 25, 50, 100], labelExpr: "datum.value + '%'" } },
            color: { field: 'flag', type: 'nominal', title: 'flag', legend: { orient: 'top', symbolType: 'stroke', symbolStrokeWidth: 2.5 } },
            strokeDash: { field: 'flag', type: 'nominal', title: 'flag', scale: { range: [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 2, 1, 2]] }, legend: { orient: 'top', symbolType: 'stroke' } },
          },
        },
        {
          data: { values: steps },
          mark: { type: 'text', align: 'left', baseline: 'bottom', dx: 3, dy: -3, fontSize: 10 },
          encoding: { x: { field: 'minute', type: 'quantitative' }, y: { field: 'percent', type: 'quantitative' }, text: { field: 'label' } },
        },
        {
          data: { values: labels },
          mark: { type: 'text', fontSize: 10, fontWeight: 'bold', baseline: 'top', dx: 0 },
          encoding: { x: { field: 'minute', type: 'quantitative' }, y: { field: 'y', type: 'quantitative', scale: null }, text: { field: 'label' } },
        },
      ],
    },
  };
}

function eventsTable(events: TimelineEvent[]): string {
  if (events.length === 0) return '';
  return `<table class="events"><thead><tr><th>#</th><th>time</th><th>flag</th><th>event</th><th>detail</th></tr></thead><tbody>${events.map((e) =>
    `<tr><td class="num">${e.n}</td><td>${clock(e.seconds)}</td><td>${escape(e.flag)}</td><td>${escape(e.kind)}</td><td>${escape(e.text)}</td></tr>`).join('')}</tbody></table>`;
}

/** Services laid out by call depth from the users, flags beside the services that evaluate them, faults marked. */
function mapChart(r: RunResult): Chart {
  const t = r.topology;
  const depth = new Map<string, number>();
  const queue = t.journeys.flatMap((j) => j.enters);
  for (const s of queue) depth.set(s, 1);
  for (let i = 0; i < queue.length; i++) {
    for (const c of t.calls) {
      if (c.from === queue[i] && !depth.has(c.to)) {
        depth.set(c.to, depth.get(queue[i])! + 1);
        queue.push(c.to);
      }
    }
  }
  for (const s of t.services) if (!depth.has(s)) depth.set(s, 1);
  const columns = new Map<number, string[]>();
  for (const s of t.services) columns.set(depth.get(s)!, [...(columns.get(depth.get(s)!) ?? []), s]);
  const pos = new Map<string, { x: number; y: number }>([['users', { x: 0, y: 0 }]]);
  // Column by column, each service sits near the mean height of its callers (a barycentre pass): fewer crossings.
  for (const d of [...columns.keys()].sort((a, b) => a - b)) {
    const list = columns.get(d)!;
    const centre = (svc: string) => {
      const ys = t.calls.filter((c) => c.to === svc && pos.has(c.from)).map((c) => pos.get(c.from)!.y);
      return ys.length ? ys.reduce((a, b) => a + b, 0) / ys.length : 0;
    };
    const order = list.map((svc, i) => ({ svc, i, c: centre(svc) })).sort((a, b) => a.c - b.c || a.i - b.i).map((x) => x.svc);
    order.forEach((svc, i) => pos.set(svc, { x: d, y: i - (order.length - 1) / 2 }));
  }
  const faulted = new Set(t.faults.map((f) => f.to));
  const faultEdges = new Set(t.faults.filter((f) => f.from).map((f) => `${f.from}>${f.to}`));
  const edges = [
    ...[...new Set(t.journeys.flatMap((j) => j.enters))].map((s) => ({ from: 'users', to: s, kind: 'journey' })),
    ...t.calls.map((c) => ({ from: c.from, to: c.to, kind: faultEdges.has(`${c.from}>${c.to}`) ? 'fault' : c.async ? 'async' : 'sync' })),
  ].map((e) => ({ ...e, x: pos.get(e.from)!.x, y: pos.get(e.from)!.y, x2: pos.get(e.to)!.x, y2: pos.get(e.to)!.y }));
  const nodes = [{ name: 'users', x: 0, y: 0, node: 'users', flags: '' }, ...t.services.map((s) => ({
    name: s, ...pos.get(s)!, node: faulted.has(s) ? 'fault target' : 'service',
    flags: t.flags.filter((f) => f.evaluatedBy.includes(s)).map((f) => f.key).join(', '),
  }))];
  const rowsTall = Math.max(...[...columns.values()].map((l) => l.length), 1);
  // About 950 px across the page column, shared by the depth columns; the label keeps a margin from its neighbours.
  const labelLimit = Math.max(60, Math.floor(950 / (Math.max(...depth.values()) + 0.9)) - 24);
  return {
    title: 'Dependency map: services by call depth, the flags they evaluate, and where faults hit',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: Math.max(180, rowsTall * 72),
      layer: [
        {
          data: { values: edges },
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: [-0.45, Math.max(...depth.values()) + 0.45] } },
            y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: [-rowsTall / 2, rowsTall / 2] } },
            x2: { field: 'x2' }, y2: { field: 'y2' },
            strokeDash: { field: 'kind', type: 'nominal', title: 'call', scale: { domain: ['journey', 'sync', 'async', 'fault'], range: [[1, 0], [1, 0], [5, 3], [1, 2]] }, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'top' } },
            color: { field: 'kind', type: 'nominal', title: 'call', scale: { domain: ['journey', 'sync', 'async', 'fault'], range: ['#b0b0b0', '#1f3b73', '#5f8f3e', '#c2571a'] }, legend: { symbolType: 'stroke', symbolStrokeWidth: 2, orient: 'top' } },
          },
        },
        {
          data: { values: nodes },
          mark: { type: 'point', filled: true, size: 220 },
          encoding: {
            x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' },
            shape: { field: 'node', type: 'nominal', title: 'node', scale: { domain: ['users', 'service', 'fault target'], range: ['diamond', 'circle', 'triangle-up'] }, legend: { orient: 'top', symbolFillColor: '#3c3c3c', symbolStrokeColor: '#3c3c3c' } },
            color: { value: '#3c3c3c' },
            tooltip: [{ field: 'name' }, { field: 'node' }, { field: 'flags', title: 'evaluates' }],
          },
        },
        // Labels no wider than a column's share of the width: long names end in an ellipsis (the tooltip has them whole).
        { data: { values: nodes }, mark: { type: 'text', dy: -17, fontSize: 12, limit: labelLimit }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'name' } } },
        { data: { values: nodes }, mark: { type: 'text', dy: 19, fontSize: 10, fontStyle: 'italic', limit: labelLimit }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'flags' } } },
      ],
    },
  };
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
  const verdict = r.acceptance.length === 0 ? '<span class="verdict">NO CRITERIA</span>'
    : `<span class="verdict ${r.passed ? 'pass-v' : 'fail'}">${r.passed ? 'PASSED' : 'FAILED'}</span>`;
  const acceptance = r.acceptance.length ? `<table><thead><tr><th>result</th><th>criterion</th><th>value</th></tr></thead><tbody>${r.acceptance.map((a) =>
    `<tr><td class="${a.pass ? 'pass' : 'fail-cell'}">${a.pass ? 'pass' : 'FAIL'}</td><td><code>${escape(a.criterion)}</code></td><td class="num">${a.value === null ? escape(a.note ?? 'n/a') : escape(criterionValue(a.criterion, a.value))}</td></tr>`).join('')}</tbody></table>` : '<p>The scenario has no acceptance criteria.</p>';
  const services = Object.entries(r.services).map(([name, s]) =>
    `<tr><td>${escape(name)}</td><td class="num">${s.throughputPerSec.toFixed(1)}</td><td class="num">${percent(s.errorRate, 2)}</td><td class="num">${ms(s.latencyMs.p50)}</td><td class="num">${ms(s.latencyMs.p99)}</td><td class="num">${(s.utilization * 100).toFixed(0)}%</td></tr>`).join('');
  const audit = r.audit.map((a) => {
    const detail = a.gate ? `${a.gate.gate}: ${a.gate.verdict} (${a.gate.detail}; threshold ${a.gate.threshold})`
      : a.event === 'propagated' ? `reached ${a.service} after ${duration(a.delaySeconds ?? 0)}` : a.reason ?? (a.percent !== undefined ? `${a.percent}%` : '');
    return `<tr><td>${clock(a.timeSeconds)}</td><td>${escape(a.flag)}</td><td>${escape(a.actor)}</td><td class="num">${a.configVersion}</td><td>${escape(a.action ?? a.event)}</td><td>${escape(detail)}</td></tr>`;
  }).join('');
  const body = `
<h1>${escape(r.scenario.name)}${r.scenario.case ? ` <small>case ${escape(r.scenario.case)}</small>` : ''}</h1>
<p class="meta">rehearse ${escape(r.version)}, seed ${r.scenario.seed}, ${duration(r.simulated.seconds)} simulated, ${plural(r.simulated.requests, 'journey')}</p>
<p>${verdict}</p>
<h2>Acceptance</h2>
${acceptance}
<h2>Risk summary</h2>
<div class="summary">${riskSummary(r).map((s) => `<p>${escape(s)}</p>`).join('')}</div>
<h2>Timeline</h2>
${place(timelineChart(r, events)) || '<p>No rollout plans or faults in this scenario.</p>'}
${eventsTable(events)}
${decisive.length ? `<h2>The readings that decided</h2>\n${decisive.map(place).join('\n')}` : ''}
${r.rollouts.length ? `<h2>Flag on against flag off</h2>\n${flagCharts(r).map(place).join('\n')}` : ''}
${r.rollouts.length && uncomparedFlags(r).length ? `<p>Not compared: ${escape(uncomparedFlags(r).join(', '))}. No window had users served the flag and users not served it in the same journeys.</p>` : ''}
${r.rollouts.length && Object.values(r.outcomes.flags).every((f) => f.blast_radius_requests === 0) ? '<p>No flag hurt anyone (ground truth).</p>' : ''}
<h2>Services</h2>
<table><thead><tr><th>service</th><th>req/s</th><th>errors</th><th>p50</th><th>p99</th><th>utilization</th></tr></thead><tbody>${services}</tbody></table>
${serviceCharts(r).map(place).join('\n')}
<h2>Dependency map</h2>
${place(mapChart(r))}
<h2>Audit trail</h2>
${r.audit.length ? `<div class="audit"><table><thead><tr><th>time</th><th>flag</th><th>actor</th><th>config</th><th>event</th><th>detail</th></tr></thead><tbody>${audit}</tbody></table></div>` : '<p>No rollout, no audit trail.</p>'}
`;
  return htmlPage(`rehearse: ${r.scenario.name}`, body, charts, options);
}
