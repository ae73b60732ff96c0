/** The run report's timeline: exposure per flag over time, numbered events, and the table of those events. */
import type { RunResult } from '../../score/result.js';
import { clock, plural, readingWords } from '../../units/format.js';
import { escape, type Chart } from './page.js';
import { MINUTES, VL, minutes } from './style.js';

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
    if (a.event === 'gate' && a.gate?.verdict === 'fail') events.push({ seconds: a.timeSeconds, flag: a.flag, kind: 'gate breach', text: `${a.gate.gate}: ${readingWords(a.gate)}` });
    if (a.event === 'decision' && a.action === 'approve') events.push({ seconds: a.timeSeconds, flag: a.flag, kind: 'approval', text: a.reason ?? 'approved' });
  }
  for (const f of r.outcomes.faults) {
    if (f.from_seconds === null) continue;
    events.push({ seconds: f.from_seconds, flag: '', kind: 'fault', text: `${f.name}: active ${clock(f.from_seconds)} to ${clock(f.to_seconds!)}, ${plural(f.journeys_hurt, 'journey')} hurt` });
  }
  const order = (k: string) => (k === 'fault' ? 0 : k === 'gate breach' ? 2 : k === 'rollback' || k === 'pause' ? 3 : 1);
  return events.sort((a, b) => a.seconds - b.seconds || order(a.kind) - order(b.kind)).map((e, i) => ({ ...e, n: i + 1 }));
}

export function timelineChart(r: RunResult, events: TimelineEvent[]): Chart | null {
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

export function eventsTable(events: TimelineEvent[]): string {
  if (events.length === 0) return '';
  return `<table class="events"><thead><tr><th>#</th><th>time</th><th>flag</th><th>event</th><th>detail</th></tr></thead><tbody>${events.map((e) =>
    `<tr><td class="num">${e.n}</td><td>${clock(e.seconds)}</td><td>${escape(e.flag)}</td><td>${escape(e.kind)}</td><td>${escape(e.text)}</td></tr>`).join('')}</tbody></table>`;
}
