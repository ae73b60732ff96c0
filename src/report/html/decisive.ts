/**
 * The readings that decided a rollback or a pause: each deciding gate's readings around the decision, its limit,
 * the breaches marked, and flag on against flag off of what the gate watches.
 */
import type { RolloutFigures, RunResult } from '../../score/result.js';
import { clock, num, percent, readingWords } from '../../units/format.js';
import type { Chart } from './page.js';
import { LIMIT_MARK, MS, RATE, VL, minutes, sig } from './style.js';

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
      // What the gate watches, split by the flag, from the report's windows: the calls to its service, or the flag's
      // journeys. A gate that names a journey watches that journey alone, of which the windows hold no split: the
      // split of all the flag's journeys (or of all calls to the service) beside it would compare other journeys.
      const context: typeof points = [];
      const allJourneys = !def?.journey;
      if (allJourneys && kind === 'threshold' && def?.service && r.windows.services[def.service]?.flags?.[ro.flag]) {
        const w = r.windows.services[def.service].flags[ro.flag];
        r.windows.startSeconds.forEach((s, i) => {
          const mid = s + r.windows.seconds;
          if (mid < from || mid > to) return;
          const on = unit === 'rate' ? w.onErrorRate?.[i] : unit === 'ms' ? w.onP99Ms[i] : null;
          const off = unit === 'rate' ? w.offErrorRate?.[i] : unit === 'ms' ? w.offP99Ms[i] : null;
          const what = unit === 'ms' ? `p99 of calls to ${def.service}` : `calls to ${def.service}`;
          if (on !== null && on !== undefined) context.push({ minute: minutes(mid), series: `${what}, flag on`, value: sig(on), verdict: '', breach: '' });
          if (off !== null && off !== undefined) context.push({ minute: minutes(mid), series: `${what}, flag off`, value: sig(off), verdict: '', breach: '' });
        });
      } else if (allJourneys && kind === 'threshold' && !def?.service && r.windows.flags[ro.flag]) {
        // A journey gate: journeys of users served the flag against the others, like with like.
        const w = r.windows.flags[ro.flag];
        r.windows.startSeconds.forEach((s, i) => {
          const mid = s + r.windows.seconds;
          if (mid < from || mid > to) return;
          const on = unit === 'rate' ? w.onErrorRate?.[i] : unit === 'ms' ? w.onP99Ms?.[i] : null;
          const off = unit === 'rate' ? w.offErrorRate?.[i] : unit === 'ms' ? w.offP99Ms?.[i] : null;
          const what = unit === 'ms' ? 'journey p99' : 'journeys';
          if (on !== null && on !== undefined) context.push({ minute: minutes(mid), series: `${what}, flag on`, value: sig(on), verdict: '', breach: '' });
          if (off !== null && off !== undefined) context.push({ minute: minutes(mid), series: `${what}, flag off`, value: sig(off), verdict: '', breach: '' });
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
      const decisive = mine.filter((a) => a.timeSeconds === at).map((a) => `${a.gate!.verdict}: ${readingWords(a.gate!)}`).join('; ');
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
