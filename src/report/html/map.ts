/** The run report's dependency map: services by call depth, flags beside the services that evaluate them, faults marked. */
import type { RunResult } from '../../score/result.js';
import type { Chart } from './page.js';

export function mapChart(r: RunResult): Chart {
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
