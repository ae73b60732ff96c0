/** The HTML report of a sweep: the trade-off, heatmaps over the tuned values, blast radius per policy. */
import type { SweepDocument } from '../../sweep/sweep.js';
import { criterionValue, num, plural } from '../../units/format.js';
import { objective, POLICY_TABLE_KEY, policyTable } from '../sweep-terminal.js';
import { escape, htmlPage, type Chart } from './page.js';
import { countEncoding } from './style.js';

/** A 95% interval in words, escaped: its bounds, or what the runs cannot bound. */
const bounds = (i: readonly (number | null)[], note?: string, fmt: (x: number) => string = (x) => num(x, 3)) =>
  i[0] === null || i[1] === null ? `95% interval ${escape(note ?? 'unbounded')}` : `95% interval ${escape(fmt(i[0]))} to ${escape(fmt(i[1]))}`;
const value = (criterion: string, x: number | null) => (x === null ? '-' : criterionValue(criterion, x));

export function sweepReportHtml(d: SweepDocument): string {
  const charts: Chart[] = [];
  const place = (c: Chart) => {
    charts.push(c);
    return `<h3>${escape(c.title)}</h3><chart-${charts.length - 1}/>`;
  };
  const points = d.policies.map((p) => {
    const defective = p.cases.reduce((s, c) => s + c.defective, 0);
    const detected = p.cases.reduce((s, c) => s + (c.detection.rate ?? 0) * c.defective, 0);
    return {
      policy: `#${p.index} ${p.label}`,
      index: p.index,
      falseRollback: p.friction.rate ?? 0,
      frLow: p.friction.low ?? 0,
      frHigh: p.friction.high ?? 0,
      detection: defective ? detected / defective : null,
      harm: p.harm ?? 0,
      front: d.pareto.includes(p.index) ? 'Pareto front' : 'dominated',
      recommended: d.recommendation?.policy === p.index ? 'recommended' : '',
      // Only the Pareto points and the recommendation carry a label on the charts; the table has them all.
      label: d.recommendation?.policy === p.index ? `#${p.index} (recommended)` : d.pareto.includes(p.index) ? `#${p.index}` : '',
    };
  });
  /** Labels that would overlap on a chart are left to the table: a greedy pass in the chart's own units. */
  const spread = <T extends { label: string }>(rows: T[], x: (r: T) => number, y: (r: T) => number, dx: number, dy: number): T[] => {
    const kept: T[] = [];
    for (const r of [...rows].sort((a, b) => Number(b.label.includes('recommended')) - Number(a.label.includes('recommended')))) {
      if (!r.label) continue;
      if (kept.some((k) => Math.abs(x(k) - x(r)) < dx && Math.abs(y(k) - y(r)) < dy)) continue;
      kept.push(r);
    }
    return kept;
  };
  // Harm is a count: whole ticks, and a log-like axis when one policy's harm dwarfs the others'.
  const harmAxis = countEncoding(points.map((p) => p.harm));
  const harmAt = (x: number) => (harmAxis.log ? Math.log1p(x) : x);
  const maxHarm = Math.max(1, ...points.map((p) => harmAt(p.harm)));
  const tradeoff: Chart = {
    title: 'Trade-off: detection of defects against false rollbacks of healthy changes (one point per policy)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: 300,
      data: { values: points.filter((p) => p.detection !== null) },
      layer: [
        { mark: { type: 'rule' }, encoding: { x: { field: 'frLow', type: 'quantitative' }, x2: { field: 'frHigh' }, y: { field: 'detection', type: 'quantitative' } } },
        {
          mark: { type: 'point', size: 120, strokeWidth: 2 },
          encoding: {
            x: { field: 'falseRollback', type: 'quantitative', title: 'false-rollback rate (95% interval)', scale: { domain: [0, 1] }, axis: { format: '~%' } },
            y: { field: 'detection', type: 'quantitative', title: 'detection probability', scale: { domain: [0, 1] }, axis: { format: '~%' } },
            shape: { field: 'front', type: 'nominal', title: null },
            fill: { field: 'front', type: 'nominal', scale: { domain: ['Pareto front', 'dominated'], range: ['#1f3b73', '#ffffff'] }, legend: null },
            color: { value: '#1f3b73' },
            tooltip: [{ field: 'policy' }, { field: 'detection', format: '.1%' }, { field: 'falseRollback', format: '.1%' }, { field: 'harm', title: 'p95 users hurt' }],
          },
        },
        {
          data: { values: spread(points.filter((p) => p.detection !== null), (p) => p.falseRollback, (p) => p.detection!, 0.14, 0.06) },
          mark: { type: 'text', dx: 10, align: 'left', fontSize: 11 }, encoding: { x: { field: 'falseRollback', type: 'quantitative' }, y: { field: 'detection', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    },
  };
  const pareto: Chart = {
    title: 'Pareto front: harm (p95 users hurt) against friction (false-rollback rate)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: 260,
      data: { values: points },
      layer: [
        {
          mark: { type: 'point', size: 120, strokeWidth: 2 },
          encoding: {
            x: { field: 'falseRollback', type: 'quantitative', title: 'false-rollback rate', axis: { format: '~%' } },
            y: { field: 'harm', type: 'quantitative', title: `p95 users hurt${harmAxis.log ? ' (log-like axis)' : ''}`, scale: harmAxis.scale, axis: harmAxis.axis },
            shape: { field: 'front', type: 'nominal', title: null },
            color: { field: 'front', type: 'nominal', title: null },
            tooltip: [{ field: 'policy' }, { field: 'harm' }, { field: 'falseRollback', format: '.1%' }],
          },
        },
        // The recommended policy ringed, drawn over any point it shares a place with.
        {
          transform: [{ filter: "datum.recommended === 'recommended'" }],
          mark: { type: 'point', shape: 'circle', size: 420, strokeWidth: 2, color: '#1a1a1a', filled: false },
          encoding: { x: { field: 'falseRollback', type: 'quantitative' }, y: { field: 'harm', type: 'quantitative' } },
        },
        {
          data: { values: spread(points, (p) => p.falseRollback, (p) => harmAt(p.harm), 0.14, maxHarm * 0.08) },
          mark: { type: 'text', dx: 10, align: 'left', fontSize: 11 }, encoding: { x: { field: 'falseRollback', type: 'quantitative' }, y: { field: 'harm', type: 'quantitative' }, text: { field: 'label' } },
        },
      ],
    },
  };
  const paths = Object.keys(d.plan.policies[0]?.values ?? {});
  // The first tuned path across, the others (combined) down.
  const grid = d.policies.map((p) => ({
    a: String(p.values[paths[0]]), b: paths.slice(1).map((k) => String(p.values[k])).join(', '), objective: p.objective.value, shown: objective(d, p.objective.value), feasible: p.feasible ? 'meets constraints' : 'fails constraints',
  }));
  const heatmap: Chart = {
    title: `Objective (${d.objective}, lower is better) over the tuned values; figures in orange fail the constraints`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: Math.max(120, 40 * new Set(grid.map((g) => g.b)).size),
      data: { values: grid },
      layer: [
        {
          mark: 'rect',
          encoding: {
            x: { field: 'a', type: 'ordinal', title: paths[0] ?? '', sort: null },
            y: { field: 'b', type: 'ordinal', title: paths.slice(1).join(' / '), sort: null },
            color: { field: 'objective', type: 'quantitative', scale: { range: ['#f4f4f4', '#8f8f8f'] }, title: ['objective', ...(/^time_to_/.test(d.objective.trim()) ? ['(seconds)'] : []), 'darker: higher'], legend: { orient: 'right', gradientLength: 100 } },
          },
        },
        {
          mark: { type: 'text', fontSize: 12 },
          encoding: {
            x: { field: 'a', type: 'ordinal', sort: null }, y: { field: 'b', type: 'ordinal', sort: null }, text: { field: 'shown' },
            color: { condition: { test: "datum.feasible === 'fails constraints'", value: '#c2571a' }, value: '#000000' },
          },
        },
      ],
    },
  };
  const blast = d.runs.filter((r) => !r.error && r.flags?.[d.flag]?.defective).map((r) => ({ policy: `#${r.policy}`, users: r.flags![d.flag].blast_radius_users }));
  // A log-like axis only when a few runs dwarf the rest; otherwise a linear one reads better.
  const users = countEncoding(blast.map((b) => b.users));
  const distribution: Chart = {
    title: 'Users hurt per run, by policy (runs where the flag hurt anyone)',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      width: 'container', height: 220,
      data: { values: blast },
      // Whiskers at 1.5 IQR with outliers as points, on a log-like axis: one bad run does not squash the rest.
      mark: { type: 'boxplot', extent: 1.5, color: '#6b6b6b', outliers: { shape: 'cross', size: 40 } },
      encoding: {
        x: { field: 'policy', type: 'nominal', sort: null },
        y: { field: 'users', type: 'quantitative', title: users.log ? 'users hurt (log-like axis: a few runs hurt far more)' : 'users hurt', scale: users.scale, axis: users.axis },
      },
    },
  };
  const r = d.recommendation;
  const rec = r ? `<p><strong>Recommended: #${r.policy} ${escape(r.label)}</strong></p>
<ul><li>objective ${escape(d.objective)} = ${escape(objective(d, r.objective.value))}${r.objective.interval ? ` (${bounds(r.objective.interval, r.objective.note, (x) => objective(d, x))})` : ''}</li>
${r.constraints.map((c) => `<li>${escape(c.criterion)}: ${escape(value(c.criterion, c.value))}${c.interval ? ` (${bounds(c.interval, c.note, (x) => value(c.criterion, x))})` : ''}</li>`).join('')}</ul>`
    : '<p><strong>No recommendation:</strong> no policy meets every constraint, or the sweep is incomplete.</p>';
  const table = policyTable(d);
  const rows = table.rows.map((row) => `<tr>${row.map((x, i) => `<td${i >= 3 && i <= 7 ? ' class="num"' : ''}>${escape(x)}</td>`).join('')}</tr>`).join('');
  const body = `
<h1>Sweep: ${escape(d.scenario.name)}</h1>
<p class="meta">rehearse ${escape(d.version)}: ${plural(d.plan.policies.length, 'policy', 'policies')} x ${plural(d.plan.cases.length, 'case')} x ${plural(d.plan.seeds, 'seed')} = ${plural(d.plan.runs, 'run')}${d.complete ? '' : ` (incomplete: ${d.runs.length})`}; flag ${escape(d.flag)}; minimize ${escape(d.objective)}${d.constraints.length ? `; subject to ${d.constraints.map(escape).join(', ')}` : ''}</p>
<h2>Recommendation</h2>
${rec}
${d.warnings.map((w) => `<p class="warning">${escape(w)}</p>`).join('')}
<h2>Trade-offs</h2>
${place(tradeoff)}
${place(pareto)}
<h2>Tuned values</h2>
${place(heatmap)}
<h2>Blast radius</h2>
${blast.length ? place(distribution) : `<p>No run hurt anyone with ${escape(d.flag)}: no distribution of users hurt to draw.</p>`}
<h2>Policies</h2>
<p class="caption">One row per policy and case; * marks the Pareto front. ${escape(POLICY_TABLE_KEY)}.</p>
<table><thead><tr>${table.head.map((x) => `<th>${escape(x)}</th>`).join('')}</tr></thead><tbody>${rows}</tbody></table>
${d.failures.length ? `<h2>Failed runs</h2><table><tbody>${d.failures.map((f) => `<tr><td>run ${f.run}</td><td>${escape(f.policy)}</td><td>${escape(f.case ?? '-')}</td><td>seed ${f.seed}</td><td>${escape(f.error)}</td></tr>`).join('')}</tbody></table>` : ''}
`;
  return htmlPage(`rehearse sweep: ${d.scenario.name}`, body, charts);
}
