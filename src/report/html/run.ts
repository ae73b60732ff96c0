/** The HTML report of one rehearsal: verdict, risk in words, timeline, services, blast radius, map, audit. */
import { actedPercent } from '../../score/ci.js';
import type { RolloutFigures, RunResult } from '../../score/result.js';
import { budget, clock, count, criterionValue, duration, ms, num, percent, plural } from '../../units/format.js';
import { escape, htmlPage, verdictHtml, type Chart, type PageOptions } from './page.js';
import { criteriaCounts, criterionVerdict, runHeadlines, runVerdict } from '../vocabulary.js';
import { MS, RATE, VL, minutes, sig } from './chart-units.js';
import { mapChart } from './map.js';
import { eventsTable, timelineChart, timelineEvents } from './timeline.js';

/** What happened, in sentences a reader of the page takes in first. */
export function riskSummary(r: RunResult): string[] {
  const out: string[] = [];
  for (const ro of r.rollouts) {
    const f = r.outcomes.flags[ro.flag];
    const acted = actedPercent(r, ro.flag);
    const where = ro.outcome === 'not-started' ? 'never started' : `${ro.outcome.replace('-', ' ')} at ${acted ?? ro.finalPercent}%, stage ${ro.stagesReached} of ${ro.stages}`;
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

/** Line styles: solid for all calls, one dash per flag state; the gate limit is a thick grey band, never a dash. */
const STATE_DASH = { domain: ['all calls', 'flag on', 'flag off'], range: [[1, 0], [6, 3], [2, 2]] };
const LIMIT_MARK = { type: 'rule', color: '#000000', opacity: 0.3, strokeWidth: 4 };

function serviceCharts(r: RunResult): Chart[] {
  const minuteOf = r.windows.startSeconds.map(minutes);
  const limits = r.rollouts.length ? gateLimits(r) : [];
  const limitOf = (service: string, metric: string) => limits.find((l) => l.service === service && l.metric === metric)?.limit ?? null;
  // One record per line, its points as columns (flattened in the chart): a page carries numbers, not repeated keys.
  const lines = (field: 'errorRate' | 'p99') => Object.entries(r.windows.services).flatMap(([service, w]) => {
    const limit = limitOf(service, field === 'errorRate' ? 'rate' : 'p99');
    const rate = (errors: number[], requests: number[]) => requests.map((n, i) => (n > 0 ? sig(errors[i] / n) : null));
    const p99 = (values: number[], requests: number[]) => requests.map((n, i) => (n > 0 ? values[i] : null));
    const out = [{ service, series: 'all calls', state: 'all calls', limit, minute: minuteOf, value: field === 'errorRate' ? rate(w.errors, w.requests) : p99(w.p99Ms, w.requests) }];
    for (const [flag, x] of Object.entries(w.flags ?? {})) {
      if (!x.onRequests.some((n) => n > 0)) continue;
      out.push(
        { service, series: `${flag} on`, state: 'flag on', limit, minute: minuteOf, value: field === 'errorRate' ? rate(x.onErrors, x.onRequests) : p99(x.onP99Ms, x.onRequests) },
        { service, series: `${flag} off`, state: 'flag off', limit, minute: minuteOf, value: field === 'errorRate' ? rate(x.offErrors, x.offRequests) : p99(x.offP99Ms, x.offRequests) },
      );
    }
    return out;
  });
  const columns = Math.min(3, Object.keys(r.windows.services).length);
  const panel = (field: 'errorRate' | 'p99', heading: string, title: string) => ({
    title: heading,
    spec: {
      $schema: VL,
      data: { values: lines(field) },
      transform: [{ flatten: ['minute', 'value'] }],
      facet: { field: 'service', type: 'nominal', title: null, header: { labelFontSize: 12, labelFontWeight: 'bold' } },
      columns,
      spec: {
        width: columns === 1 ? 700 : columns === 2 ? 400 : 250, height: 120,
        layer: [
          {
            transform: [{ filter: 'isValid(datum.value)' }],
            mark: { type: 'line', strokeWidth: 1.5 },
            encoding: {
              x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
              y: { field: 'value', type: 'quantitative', title, axis: field === 'errorRate' ? RATE : MS },
              color: { field: 'series', type: 'nominal', title: 'calls' },
              strokeDash: { field: 'state', type: 'nominal', title: 'line', scale: STATE_DASH },
            },
          },
          {
            transform: [{ filter: 'isValid(datum.limit)' }, { aggregate: [{ op: 'max', field: 'limit', as: 'limit' }], groupby: ['service'] }],
            mark: LIMIT_MARK,
            encoding: { y: { field: 'limit', type: 'quantitative' }, tooltip: [{ field: 'limit', type: 'quantitative', title: 'gate limit' }] },
          },
        ],
      },
      resolve: { scale: { y: 'independent' } },
      config: { legend: { orient: 'bottom', columns: 4 } },
    },
  });
  return [
    panel('errorRate', 'Error rate per window and service: all calls (solid), flag on (dashed) and off (dotted); grey band: gate limit', 'error rate'),
    panel('p99', 'p99 latency per window and service: all calls (solid), flag on (dashed) and off (dotted); grey band: gate limit', 'p99 (ms)'),
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
  const minuteOf = start.map(minutes);
  const when = (n: number[], v: (i: number) => number) => n.map((k, i) => (k > 0 ? sig(v(i)) : null));
  const rows = flags.flatMap(([flag, w]) => [
    { flag, state: 'flag on', minute: minuteOf, value: when(w.on, (i) => w.onFailed[i] / w.on[i]) },
    { flag, state: 'flag off', minute: minuteOf, value: when(w.off, (i) => w.offFailed[i] / w.off[i]) },
  ]);
  const latency = flags.flatMap(([flag, w]) => (w.onP50Ms ? [
    { flag, series: 'p50', state: 'flag on', minute: minuteOf, value: when(w.on, (i) => w.onP50Ms[i]) },
    { flag, series: 'p99', state: 'flag on', minute: minuteOf, value: when(w.on, (i) => w.onP99Ms[i]) },
    { flag, series: 'p50', state: 'flag off', minute: minuteOf, value: when(w.off, (i) => w.offP50Ms[i]) },
    { flag, series: 'p99', state: 'flag off', minute: minuteOf, value: when(w.off, (i) => w.offP99Ms[i]) },
  ] : []));
  const blast = flags.flatMap(([flag, w]) => {
    let total = 0;
    return start.map((s, i) => ({ flag, minute: minutes(s), journeys: (total += w.hurt[i]) }));
  });
  // One row per flag: error rate beside latency.
  const perFlag = (values: unknown[], field: string, title: string, axis: object, series: string, seriesTitle: string | null): Record<string, unknown> => ({
    $schema: VL,
    data: { values },
    facet: { row: { field: 'flag', type: 'nominal', title: null, header: { labelAngle: 0, labelOrient: 'top', labelAnchor: 'start', labelFontWeight: 'bold', labelLimit: 320 } } },
    spec: {
      width: 330, height: 130,
      transform: [{ flatten: ['minute', 'value'] }, { filter: 'isValid(datum.value)' }],
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: {
        x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
        y: { field, type: 'quantitative', title, axis },
        color: { field: series, type: 'nominal', title: seriesTitle, legend: { symbolType: 'stroke' } },
        strokeDash: { field: 'state', type: 'nominal', title: 'users', scale: { domain: STATE_DASH.domain.slice(1), range: STATE_DASH.range.slice(1) }, legend: { symbolType: 'stroke' } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  });
  return [
    {
      title: 'Journeys, flag on (dashed) against flag off (dotted): error rate, and latency p50 and p99',
      spec: {
        $schema: VL,
        hconcat: [perFlag(rows, 'value', 'journey error rate', RATE, 'state', 'users'), perFlag(latency, 'value', 'journey latency (ms)', MS, 'series', 'percentile')],
        resolve: { scale: { color: 'independent', strokeDash: 'independent' }, legend: { color: 'independent', strokeDash: 'independent' } },
        config: { legend: { orient: 'bottom' } },
      },
    },
    ...(blast.every((b) => b.journeys === 0) ? [] : [{
      title: 'Blast radius over time: journeys each flag hurt (ground truth), cumulative',
      spec: {
        $schema: VL,
        width: 'container', height: 160,
        data: { values: blast },
        mark: { type: 'line', interpolate: 'step-after', strokeWidth: 2 },
        encoding: {
          x: { field: 'minute', type: 'quantitative', title: 'minutes since start', axis: { format: '~r' } },
          y: { field: 'journeys', type: 'quantitative', title: 'journeys hurt', axis: { format: '~s' } },
          color: { field: 'flag', type: 'nominal', title: 'flag', legend: { orient: 'top', symbolType: 'stroke' } },
          strokeDash: { field: 'flag', type: 'nominal', title: 'flag', scale: { range: [[1, 0], [7, 3], [2, 2], [9, 3, 2, 3], [4, 2, 1, 2]] }, legend: { orient: 'top', symbolType: 'stroke' } },
        },
      },
    }]),
  ];
}

/** The gate's unit: rates as a fraction, latency in ms, burn rates and p-values as plain numbers. */
function gateUnit(g: RolloutFigures['gates'][number] | undefined): 'rate' | 'ms' | 'number' {
  if (g?.metric === 'req_duration') return 'ms';
  if (g?.metric === 'req_failed' && (g.aggregate === 'rate' || g.kind === 'compare')) return 'rate';
  return 'number';
}

/**
 * The readings that decided: for each plan rolled back or paused, each gate that failed at the decision, its
 * readings around it (every evaluation, from the stage's start to the end of the run or 10 minutes after), the
 * limit, the breaching readings marked, and the flag-on against flag-off series of what the gate watches.
 */
export function decisiveCharts(r: RunResult): Chart[] {
  const charts: Chart[] = [];
  for (const ro of r.rollouts) {
    const decision = ro.decisions.find((d) => d.action === 'rollback' || d.action === 'pause');
    if (!decision) continue;
    const at = decision.timeSeconds;
    const stageStart = [...ro.decisions].reverse().find((d) => (d.action === 'start' || d.action === 'promote') && d.timeSeconds <= at)?.timeSeconds ?? 0;
    const from = Math.max(0, Math.min(stageStart, at - 900) - 60), to = Math.min(r.simulated.seconds, at + 600);
    const readings = r.audit.filter((a) => a.flag === ro.flag && a.event === 'gate' && a.gate && a.timeSeconds >= from && a.timeSeconds <= to);
    const failedAt = new Set(readings.filter((a) => a.timeSeconds === at && a.gate!.verdict === 'fail').map((a) => a.gate!.gate));
    // A pause for inconclusive gates has no failed reading: show every gate then.
    const shown = failedAt.size ? [...failedAt] : [...new Set(readings.map((a) => a.gate!.gate))];
    for (const source of shown) {
      const def = ro.gates.find((g) => g.source === source);
      const mine = readings.filter((a) => a.gate!.gate === source);
      const kind = def?.kind ?? 'threshold';
      const labels = mine.flatMap((a) => a.gate!.parts ?? []).map((p) => p.label);
      const unit = labels.some((l) => l.includes('error rate')) ? 'rate' : labels.some((l) => l.includes('(ms)')) ? 'ms' : gateUnit(def);
      const points: { minute: number; series: string; value: number; verdict: string; breach: string }[] = [];
      const limits: { series: string; limit: number }[] = [];
      for (const a of mine) {
        const g = a.gate!;
        const breach = g.verdict === 'fail' ? 'breach' : '';
        if (kind === 'threshold' && g.value !== null) points.push({ minute: minutes(a.timeSeconds), series: 'gate reading', value: g.value, verdict: g.verdict, breach });
        for (const part of g.parts ?? []) {
          // The breach is marked where it shows: each burn window (both fire), the flag-on side of a comparison.
          const marked = kind === 'burn-rate' ? part.value > (part.limit ?? Infinity) : part.label.startsWith('flag-on');
          points.push({ minute: minutes(a.timeSeconds), series: part.label, value: part.value, verdict: g.verdict, breach: marked ? breach : '' });
          if (part.limit === null) continue;
          // One band per burn-rate pair: its limit, named by its two windows.
          const same = limits.find((l) => l.limit === part.limit);
          const window = part.label.replace(/^burn over /, '');
          if (!same) limits.push({ series: window, limit: part.limit });
          else if (!same.series.split(' and ').includes(window)) same.series += ` and ${window}`;
        }
      }
      if (kind === 'threshold' && def?.limit !== null && def?.limit !== undefined) limits.push({ series: 'gate reading', limit: def.limit });
      // What the gate watches, split by the flag, from the report's windows.
      const context: typeof points = [];
      if (kind === 'threshold' && def?.service && r.windows.services[def.service]?.flags?.[ro.flag]) {
        const w = r.windows.services[def.service].flags[ro.flag];
        r.windows.startSeconds.forEach((s, i) => {
          const mid = s + r.windows.seconds;
          if (mid < from || mid > to) return;
          if (unit === 'rate') {
            if (w.onRequests[i]) context.push({ minute: minutes(mid), series: `calls to ${def.service}, flag on`, value: w.onErrors[i] / w.onRequests[i], verdict: '', breach: '' });
            if (w.offRequests[i]) context.push({ minute: minutes(mid), series: `calls to ${def.service}, flag off`, value: w.offErrors[i] / w.offRequests[i], verdict: '', breach: '' });
          } else if (unit === 'ms') {
            if (w.onRequests[i]) context.push({ minute: minutes(mid), series: `p99 of calls to ${def.service}, flag on`, value: w.onP99Ms[i], verdict: '', breach: '' });
            if (w.offRequests[i]) context.push({ minute: minutes(mid), series: `p99 of calls to ${def.service}, flag off`, value: w.offP99Ms[i], verdict: '', breach: '' });
          }
        });
      } else if (kind === 'threshold' && !def?.service && r.windows.flags[ro.flag]) {
        // A journey gate: journeys of the users the flag was on for, against the others (all journeys).
        const w = r.windows.flags[ro.flag];
        r.windows.startSeconds.forEach((s, i) => {
          const mid = s + r.windows.seconds;
          if (mid < from || mid > to) return;
          if (unit === 'rate') {
            if (w.on[i]) context.push({ minute: minutes(mid), series: 'journeys, flag on', value: sig(w.onFailed[i] / w.on[i]), verdict: '', breach: '' });
            if (w.off[i]) context.push({ minute: minutes(mid), series: 'journeys, flag off', value: sig(w.offFailed[i] / w.off[i]), verdict: '', breach: '' });
          } else if (unit === 'ms' && w.onP99Ms) {
            if (w.on[i]) context.push({ minute: minutes(mid), series: 'journey p99, flag on', value: w.onP99Ms[i], verdict: '', breach: '' });
            if (w.off[i]) context.push({ minute: minutes(mid), series: 'journey p99, flag off', value: w.offP99Ms[i], verdict: '', breach: '' });
          }
        });
      }
      const values = [...points, ...context];
      if (values.length === 0) continue;
      const dashDomain = [...new Set(values.map((v) => v.series))];
      const others = [[1, 0], [9, 3, 2, 3], [4, 2, 1, 2], [12, 4]];
      let other = 0;
      const dashOf = (series: string) => (/flag[- ]on/.test(series) ? [6, 3] : /flag[- ]off/.test(series) ? [2, 2] : others[other++ % others.length]);
      const breaches = points.filter((p) => p.breach);
      const axis = unit === 'rate' ? RATE : unit === 'ms' ? MS : { format: '~r' };
      const yTitle = kind === 'burn-rate' ? 'burn rate (x the budget)' : kind === 'compare' ? (unit === 'ms' ? 'median (ms)' : 'error rate') : unit === 'rate' ? 'error rate' : unit === 'ms' ? 'latency (ms)' : 'value';
      const xs = { field: 'minute', type: 'quantitative', scale: { domain: [minutes(from), minutes(to)], nice: false, zero: false } };
      const decisive = mine.filter((a) => a.timeSeconds === at).map((a) => `${a.gate!.verdict}: ${a.gate!.detail} (${a.gate!.threshold})`).join('; ');
      charts.push({
        title: `${ro.flag}: ${decision.action} at ${clock(at)}, decided by ${source}`,
        caption: decisive ? `The reading at ${clock(at)}: ${decisive}.` : undefined,
        spec: {
          $schema: VL,
          width: 'container', height: 200,
          layer: [
            {
              data: { values: [{ minute: minutes(at), label: decision.action }] },
              layer: [
                { mark: { type: 'rule', color: '#000000', strokeWidth: 1 }, encoding: { x: xs } },
                // At the foot of the rule, away from the breach labels near the top.
                { mark: { type: 'text', align: 'left', dx: 4, y: { expr: 'height' }, dy: -4, baseline: 'bottom', fontWeight: 'bold', fontSize: 11 }, encoding: { x: xs, text: { field: 'label' } } },
              ],
            },
            ...(limits.length ? [{
              data: { values: limits.map((l) => ({ ...l, label: `limit ${unit === 'rate' ? percent(l.limit) : unit === 'ms' ? `${num(l.limit)}ms` : `${num(l.limit)}x (${l.series})`}` })) },
              layer: [
                { mark: LIMIT_MARK, encoding: { y: { field: 'limit', type: 'quantitative' } } },
                { mark: { type: 'text', align: 'left', x: 4, dy: -8, fontSize: 10, color: '#333333' }, encoding: { y: { field: 'limit', type: 'quantitative' }, text: { field: 'label' } } },
              ],
            }] : []),
            {
              data: { values },
              mark: { type: 'line', point: { size: 18 }, strokeWidth: 1.5 },
              encoding: {
                x: { ...xs, title: 'minutes since start', axis: { format: '~r' } },
                y: { field: 'value', type: 'quantitative', title: yTitle, axis },
                color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'top', symbolType: 'stroke', labelLimit: 320 } },
                // The same dash for the same flag state everywhere: solid readings, dashed flag on, dotted flag off.
                strokeDash: { field: 'series', type: 'nominal', title: null, scale: { domain: dashDomain, range: dashDomain.map(dashOf) }, legend: { orient: 'top', symbolType: 'stroke', labelLimit: 320 } },
              },
            },
            {
              data: { values: breaches },
              layer: [
                { mark: { type: 'point', shape: 'cross', size: 140, filled: true, color: '#000000' }, encoding: { x: xs, y: { field: 'value', type: 'quantitative' } } },
                { mark: { type: 'text', dy: -12, fontSize: 10, fontWeight: 'bold' }, encoding: { x: xs, y: { field: 'value', type: 'quantitative' }, text: { value: 'breach' } } },
              ],
            },
          ],
        },
      });
    }
  }
  return charts;
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
  const verdict = `<p class="verdict-line">${verdictHtml(runVerdict(r), 'badge')} ${escape(criteriaCounts(r.acceptance))}</p>
${headlines.length ? `<ul class="headlines">${headlines.map((h) => `<li>${escape(h)}</li>`).join('')}</ul>` : ''}`;
  const acceptance = r.acceptance.length ? `<table class="acceptance"><thead><tr><th>result</th><th>criterion</th><th>value</th></tr></thead><tbody>${r.acceptance.map((a) => {
    const { verdict: v, why } = criterionVerdict(a);
    const value = a.value === null ? `(${why ?? 'no value'})` : `${criterionValue(a.criterion, a.value)}${why ? ` (${why})` : ''}`;
    return `<tr>${verdictHtml(v)}<td><code>${escape(a.criterion)}</code></td><td class="num">${escape(value)}</td></tr>`;
  }).join('')}</tbody></table>` : '<p>The scenario has no acceptance criteria.</p>';
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
