/** The HTML report of one rehearsal: verdict, risk in words, timeline, services, blast radius, map, audit. */
import type { RunResult } from '../../score/result.js';
import { escape, htmlPage, type Chart } from './page.js';

const minutes = (s: number) => Math.round((s / 60) * 1000) / 1000;
const clock = (s: number) => {
  const t = Math.round(s);
  const h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
  return h ? `${h}h${String(m).padStart(2, '0')}m${String(sec).padStart(2, '0')}s` : `${m}m${String(sec).padStart(2, '0')}s`;
};

/** What happened, in sentences a reader of the page takes in first. */
export function riskSummary(r: RunResult): string[] {
  const out: string[] = [];
  for (const ro of r.rollouts) {
    const f = r.outcomes.flags[ro.flag];
    const where = ro.outcome === 'not-started' ? 'never started' : `${ro.outcome.replace('-', ' ')} at ${ro.finalPercent}%, stage ${ro.stagesReached} of ${ro.stages}`;
    let s = `${ro.flag} was ${where}.`;
    if (f?.defective) {
      s += ` It hurt ${f.blast_radius_users.toLocaleString('en-US')} users in ${f.blast_radius_requests.toLocaleString('en-US')} journeys, from ${clock(f.onset_seconds!)} to ${clock(f.last_hurt_seconds!)}.`;
      s += f.detected ? ` The policy acted ${clock(f.time_to_detect_seconds!)} after the first harm.` : ' The policy never acted on it.';
    } else if (f) {
      s += ' It hurt nobody.';
    }
    if (f?.false_rollback) s += ' That rollback was a false alarm.';
    if (f?.misattribution) s += ' The gates blamed it for harm something else caused.';
    out.push(s);
  }
  for (const fault of r.outcomes.faults) {
    out.push(fault.from_seconds === null ? `The fault ${fault.name} never triggered.`
      : `The fault ${fault.name} was active from ${clock(fault.from_seconds)} to ${clock(fault.to_seconds!)} and hurt ${fault.journeys_hurt.toLocaleString('en-US')} journeys.`);
  }
  const o = r.outcomes;
  out.push(`Of ${o.journeys.toLocaleString('en-US')} journeys, ${o.journeys_failed.toLocaleString('en-US')} failed: ${(o.error_budget_burned * 100).toFixed(1)}% of the error budget.`);
  return out;
}

function timelineChart(r: RunResult): Chart | null {
  if (r.rollouts.length === 0 && r.outcomes.faults.length === 0) return null;
  const end = minutes(r.simulated.seconds);
  const exposure = r.rollouts.flatMap((ro) => {
    const points: { flag: string; minute: number; percent: number }[] = [{ flag: ro.flag, minute: 0, percent: 0 }];
    for (const d of ro.decisions) if (d.action !== 'wait' && d.action !== 'blocked') points.push({ flag: ro.flag, minute: minutes(d.timeSeconds), percent: d.percent });
    points.push({ flag: ro.flag, minute: end, percent: ro.finalPercent });
    return points;
  });
  const marks = r.rollouts.flatMap((ro) => ro.decisions.filter((d) => d.action !== 'wait' && d.action !== 'blocked')
    .map((d) => ({ flag: ro.flag, minute: minutes(d.timeSeconds), event: d.action, reason: d.reason })));
  const breaches = r.audit.filter((a) => a.event === 'gate' && a.gate?.verdict === 'fail')
    .map((a) => ({ flag: a.flag, minute: minutes(a.timeSeconds), gate: a.gate!.gate, detail: a.gate!.detail }));
  const faults = r.outcomes.faults.filter((f) => f.from_seconds !== null)
    .map((f) => ({ fault: f.name, from: minutes(f.from_seconds!), to: minutes(f.to_seconds!) }));
  return {
    title: 'Exposure per flag over time, with stage changes, gate breaches, rollbacks and fault windows',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: 240,
      layer: [
        ...(faults.length ? [{
          data: { values: faults },
          mark: { type: 'rect', opacity: 0.18, color: '#555555' },
          encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'fault' }, { field: 'from', title: 'from (min)' }, { field: 'to', title: 'to (min)' }] },
        }] : []),
        {
          data: { values: exposure },
          mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
          encoding: {
            x: { field: 'minute', type: 'quantitative', title: 'minutes', scale: { domain: [0, end] } },
            y: { field: 'percent', type: 'quantitative', title: 'exposure (%)', scale: { domain: [0, 100] } },
            color: { field: 'flag', type: 'nominal', title: 'flag' },
            strokeDash: { field: 'flag', type: 'nominal', legend: null },
          },
        },
        {
          data: { values: marks },
          mark: { type: 'rule', strokeDash: [2, 3] },
          encoding: { x: { field: 'minute', type: 'quantitative' }, color: { field: 'flag', type: 'nominal' }, tooltip: [{ field: 'flag' }, { field: 'event' }, { field: 'reason' }] },
        },
        {
          data: { values: marks.filter((m) => m.event === 'rollback' || m.event === 'pause') },
          mark: { type: 'point', shape: 'cross', size: 160, filled: true, y: 8, color: '#000000' },
          encoding: { x: { field: 'minute', type: 'quantitative' }, tooltip: [{ field: 'flag' }, { field: 'event' }, { field: 'reason' }] },
        },
        {
          data: { values: breaches },
          mark: { type: 'point', shape: 'triangle-down', size: 60, y: 2, color: '#333333' },
          encoding: { x: { field: 'minute', type: 'quantitative' }, tooltip: [{ field: 'flag' }, { field: 'gate' }, { field: 'detail' }] },
        },
      ],
    },
  };
}

function serviceCharts(r: RunResult): Chart[] {
  const start = r.windows.startSeconds;
  // Thresholds of gates that watch a service, drawn on its panel.
  const limits = r.rollouts.length ? gateLimits(r) : [];
  const limitOf = (service: string, metric: string) => limits.find((l) => l.service === service && l.metric === metric)?.limit ?? null;
  // All calls to each service, and, for every flag whose on-traffic reached it, the calls with it on and off.
  const rows = Object.entries(r.windows.services).flatMap(([service, w]) => {
    const limitsOf = { rateLimit: limitOf(service, 'rate'), p99Limit: limitOf(service, 'p99') };
    const all = w.requests.map((n, i) => ({
      service, minute: minutes(start[i]), series: 'all calls', errorRate: n > 0 ? w.errors[i] / n : null, p99: n > 0 ? w.p99Ms[i] : null, ...limitsOf,
    }));
    const split = Object.entries(w.flags ?? {}).filter(([, x]) => x.onRequests.some((n) => n > 0)).flatMap(([flag, x]) => w.requests.flatMap((_, i) => [
      { service, minute: minutes(start[i]), series: `${flag} on`, errorRate: x.onRequests[i] ? x.onErrors[i] / x.onRequests[i] : null, p99: x.onRequests[i] ? x.onP99Ms[i] : null, ...limitsOf },
      { service, minute: minutes(start[i]), series: `${flag} off`, errorRate: x.offRequests[i] ? x.offErrors[i] / x.offRequests[i] : null, p99: x.offRequests[i] ? x.offP99Ms[i] : null, ...limitsOf },
    ]));
    return [...all, ...split];
  });
  const panel = (field: 'errorRate' | 'p99', heading: string, title: string, metric: string) => ({
    title: heading,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      data: { values: rows },
      facet: { field: 'service', type: 'nominal', title: null },
      columns: 3,
      spec: {
        width: 300, height: 120,
        layer: [
          {
            transform: [{ filter: `isValid(datum.${field})` }],
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'minute', type: 'quantitative', title: 'minutes' },
              y: { field, type: 'quantitative', title },
              color: { field: 'series', type: 'nominal', title: 'calls' },
              strokeDash: { field: 'series', type: 'nominal', title: 'calls' },
            },
          },
          {
            transform: [{ filter: `isValid(datum.${metric === 'rate' ? 'rateLimit' : 'p99Limit'})` }],
            mark: { type: 'rule', strokeDash: [6, 3], color: '#000000' },
            encoding: { y: { field: metric === 'rate' ? 'rateLimit' : 'p99Limit', type: 'quantitative' }, tooltip: [{ value: 'gate threshold' }] },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
    },
  });
  return [
    panel('errorRate', 'Error rate per window and service: all calls, and calls with each flag on and off (dashed: gate thresholds)', 'error rate', 'rate'),
    panel('p99', 'p99 latency per window and service: all calls, and with each flag on and off (dashed: gate thresholds)', 'p99 (ms)', 'p99'),
  ];
}

/** Thresholds of the gates that watch a service: error-rate and p99 gates, drawn on its panels. */
function gateLimits(r: RunResult): { service: string; metric: string; limit: number }[] {
  return r.rollouts.flatMap((ro) => ro.gates ?? []).flatMap((g) => {
    if (g.kind !== 'threshold' || g.service === null || g.limit === null) return [];
    if (g.metric === 'req_failed' && g.aggregate === 'rate') return [{ service: g.service, metric: 'rate', limit: g.limit }];
    if (g.metric === 'req_duration' && g.aggregate === 'p(99)') return [{ service: g.service, metric: 'p99', limit: g.limit }];
    return [];
  });
}

function flagCharts(r: RunResult): Chart[] {
  const start = r.windows.startSeconds;
  const flags = Object.entries(r.windows.flags);
  if (flags.length === 0) return [];
  const onOff = flags.flatMap(([flag, w]) => start.flatMap((s, i) => [
    { flag, minute: minutes(s), users: 'flag on', errorRate: w.on[i] ? w.onFailed[i] / w.on[i] : null },
    { flag, minute: minutes(s), users: 'flag off', errorRate: w.off[i] ? w.offFailed[i] / w.off[i] : null },
  ])).filter((x) => x.errorRate !== null);
  const blast = flags.flatMap(([flag, w]) => {
    let total = 0;
    return start.map((s, i) => ({ flag, minute: minutes(s), journeys: (total += w.hurt[i]) }));
  });
  return [
    {
      title: 'Journey error rate, flag on against flag off',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        data: { values: onOff },
        facet: { field: 'flag', type: 'nominal', title: null },
        columns: 2,
        spec: {
          width: 440, height: 140,
          mark: { type: 'line', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'minute', type: 'quantitative', title: 'minutes' },
            y: { field: 'errorRate', type: 'quantitative', title: 'error rate' },
            color: { field: 'users', type: 'nominal', title: null },
            strokeDash: { field: 'users', type: 'nominal', title: null },
          },
        },
      },
    },
    {
      title: 'Blast radius over time: journeys each flag hurt (ground truth), cumulative',
      spec: {
        $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
        width: 'container', height: 160,
        data: { values: blast },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'minute', type: 'quantitative', title: 'minutes' },
          y: { field: 'journeys', type: 'quantitative', title: 'journeys hurt' },
          color: { field: 'flag', type: 'nominal' },
          strokeDash: { field: 'flag', type: 'nominal', legend: null },
        },
      },
    },
  ];
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
  for (const [d, list] of columns) list.forEach((s, i) => pos.set(s, { x: d, y: i - (list.length - 1) / 2 }));
  const faulted = new Set(t.faults.map((f) => f.to));
  const faultEdges = new Set(t.faults.filter((f) => f.from).map((f) => `${f.from}>${f.to}`));
  const edges = [
    ...[...new Set(t.journeys.flatMap((j) => j.enters))].map((s) => ({ from: 'users', to: s, kind: 'journey' })),
    ...t.calls.map((c) => ({ from: c.from, to: c.to, kind: faultEdges.has(`${c.from}>${c.to}`) ? 'fault' : c.async ? 'async' : 'sync' })),
  ].map((e) => ({ ...e, x: pos.get(e.from)!.x, y: pos.get(e.from)!.y, x2: pos.get(e.to)!.x, y2: pos.get(e.to)!.y }));
  const nodes = [{ name: 'users', x: 0, y: 0, kind: 'users', flags: '' }, ...t.services.map((s) => ({
    name: s, ...pos.get(s)!, kind: faulted.has(s) ? 'fault target' : 'service',
    flags: t.flags.filter((f) => f.evaluatedBy.includes(s)).map((f) => f.key).join(', '),
  }))];
  const rowsTall = Math.max(...[...columns.values()].map((l) => l.length), 1);
  return {
    title: 'Dependency map: services by call depth, the flags they evaluate, and where faults hit',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: Math.max(160, rowsTall * 56),
      layer: [
        {
          data: { values: edges },
          mark: { type: 'rule', strokeWidth: 1.5 },
          encoding: {
            x: { field: 'x', type: 'quantitative', axis: null, scale: { domain: [-0.3, Math.max(...depth.values()) + 0.6] } },
            y: { field: 'y', type: 'quantitative', axis: null, scale: { domain: [-rowsTall / 2, rowsTall / 2] } },
            x2: { field: 'x2' }, y2: { field: 'y2' },
            strokeDash: { field: 'kind', type: 'nominal', title: 'call', scale: { domain: ['journey', 'sync', 'async', 'fault'], range: [[1, 0], [1, 0], [4, 3], [1, 2]] } },
            color: { field: 'kind', type: 'nominal', title: 'call', scale: { domain: ['journey', 'sync', 'async', 'fault'], range: ['#9e9e9e', '#1f3b73', '#5f8f3e', '#c2571a'] } },
          },
        },
        {
          data: { values: nodes },
          mark: { type: 'point', filled: true, size: 220 },
          encoding: {
            x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' },
            shape: { field: 'kind', type: 'nominal', title: 'node', scale: { domain: ['users', 'service', 'fault target'], range: ['diamond', 'circle', 'triangle-up'] } },
            color: { value: '#3c3c3c' },
            tooltip: [{ field: 'name' }, { field: 'kind' }, { field: 'flags', title: 'evaluates' }],
          },
        },
        { data: { values: nodes }, mark: { type: 'text', dy: -16, fontSize: 12 }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'name' } } },
        { data: { values: nodes }, mark: { type: 'text', dy: 18, fontSize: 10, fontStyle: 'italic' }, encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' }, text: { field: 'flags' } } },
      ],
    },
  };
}

export function runReportHtml(r: RunResult): string {
  const charts: Chart[] = [];
  const place = (c: Chart | null) => {
    if (!c) return '';
    charts.push(c);
    return `<h3>${escape(c.title)}</h3><chart-${charts.length - 1}/>`;
  };
  const verdict = r.acceptance.length === 0 ? '<span class="verdict">NO CRITERIA</span>'
    : `<span class="verdict ${r.passed ? 'pass-v' : 'fail'}">${r.passed ? 'PASSED' : 'FAILED'}</span>`;
  const acceptance = r.acceptance.length ? `<table><thead><tr><th>result</th><th>criterion</th><th>value</th></tr></thead><tbody>${r.acceptance.map((a) =>
    `<tr><td class="${a.pass ? 'pass' : 'fail-cell'}">${a.pass ? 'pass' : 'FAIL'}</td><td><code>${escape(a.criterion)}</code></td><td class="num">${a.value === null ? escape(a.note ?? 'n/a') : escape(+a.value.toPrecision(6))}</td></tr>`).join('')}</tbody></table>` : '<p>The scenario has no acceptance criteria.</p>';
  const services = Object.entries(r.services).map(([name, s]) =>
    `<tr><td>${escape(name)}</td><td class="num">${s.throughputPerSec.toFixed(1)}</td><td class="num">${(s.errorRate * 100).toFixed(2)}%</td><td class="num">${s.latencyMs.p50}</td><td class="num">${s.latencyMs.p99}</td><td class="num">${(s.utilization * 100).toFixed(0)}%</td></tr>`).join('');
  const audit = r.audit.map((a) => {
    const detail = a.gate ? `${a.gate.gate}: ${a.gate.verdict} (${a.gate.detail}; threshold ${a.gate.threshold})`
      : a.event === 'propagated' ? `reached ${a.service} after ${a.delaySeconds}s` : a.reason ?? (a.percent !== undefined ? `${a.percent}%` : '');
    return `<tr><td>${clock(a.timeSeconds)}</td><td>${escape(a.flag)}</td><td>${escape(a.actor)}</td><td class="num">${a.configVersion}</td><td>${escape(a.action ?? a.event)}</td><td>${escape(detail)}</td></tr>`;
  }).join('');
  const body = `
<h1>${escape(r.scenario.name)}${r.scenario.case ? ` <small>case ${escape(r.scenario.case)}</small>` : ''}</h1>
<p class="meta">rehearse ${escape(r.version)}, seed ${r.scenario.seed}, ${clock(r.simulated.seconds)} simulated, ${r.simulated.requests.toLocaleString('en-US')} journeys</p>
<p>${verdict}</p>
<h2>Acceptance</h2>
${acceptance}
<h2>Risk summary</h2>
<div class="summary">${riskSummary(r).map((s) => `<p>${escape(s)}</p>`).join('')}</div>
<h2>Timeline</h2>
${place(timelineChart(r)) || '<p>No rollout plans or faults in this scenario.</p>'}
<h2>Services</h2>
<table><thead><tr><th>service</th><th>req/s</th><th>errors</th><th>p50 ms</th><th>p99 ms</th><th>utilization</th></tr></thead><tbody>${services}</tbody></table>
${serviceCharts(r).map(place).join('\n')}
${flagCharts(r).map(place).join('\n')}
<h2>Dependency map</h2>
${place(mapChart(r))}
<h2>Audit trail</h2>
${r.audit.length ? `<div class="audit"><table><thead><tr><th>time</th><th>flag</th><th>actor</th><th>config</th><th>event</th><th>detail</th></tr></thead><tbody>${audit}</tbody></table></div>` : '<p>No rollout, no audit trail.</p>'}
`;
  return htmlPage(`rehearse: ${r.scenario.name}`, body, charts);
}
