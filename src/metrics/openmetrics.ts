/**
 * Writers for the simulated series: OpenMetrics text with a timestamp on every sample (the whole run, for
 * `promtool tsdb create-blocks-from openmetrics`), and the Prometheus text exposition format of one scrape
 * (the latest values, for a live /metrics endpoint). Numbers are written in JavaScript's shortest round-trip
 * form, so what Prometheus reads back is the very double rehearse evaluated.
 */
import type { Family, Labels, ScrapeSeries, SeriesGroup } from './series.js';

function escapeValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function formatLabels(labels: Labels): string {
  const parts = Object.keys(labels).filter((k) => k !== '__name__').map((k) => `${k}="${escapeValue(labels[k])}"`);
  return parts.length > 0 ? `{${parts.join(',')}}` : '';
}

export function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Seconds since the epoch with millisecond precision, written without float noise. */
function formatTimestamp(ms: number): string {
  const s = Math.floor(ms / 1000);
  const rest = ms - s * 1000;
  return rest === 0 ? String(s) : `${s}.${String(rest).padStart(3, '0').replace(/0+$/, '')}`;
}

/** The lines of one group's samples at scrape k (histogram: buckets, count, sum; counter: the total). */
function groupLines(src: ScrapeSeries, fam: Family, g: SeriesGroup, k: number, ts: string): string {
  const stamp = ts === '' ? '' : ` ${ts}`;
  const B = src.bounds.length;
  if (fam.type === 'counter') return `${fam.name}${formatLabels(g.labels)} ${formatNumber(src.outputValue(g, k, B))}${stamp}\n`;
  let out = '';
  for (let b = 0; b <= B; b++) {
    const le = b < B ? String(src.bounds[b]) : '+Inf';
    out += `${fam.name}_bucket${formatLabels({ ...g.labels, le })} ${formatNumber(src.outputValue(g, k, b))}${stamp}\n`;
  }
  out += `${fam.name}_count${formatLabels(g.labels)} ${formatNumber(src.outputValue(g, k, B))}${stamp}\n`;
  out += `${fam.name}_sum${formatLabels(g.labels)} ${formatNumber(src.outputValue(g, k, B + 1))}${stamp}\n`;
  return out;
}

/** The family's TYPE line; a counter not named *_total is written as unknown (OpenMetrics counters end in _total). */
function typeLine(fam: Family, openMetrics: boolean): string {
  if (fam.type === 'histogram') return `# TYPE ${fam.name} histogram\n`;
  if (!openMetrics) return `# TYPE ${fam.name} counter\n`;
  return fam.name.endsWith('_total') ? `# TYPE ${fam.name.slice(0, -'_total'.length)} counter\n` : `# TYPE ${fam.name} unknown\n`;
}

/**
 * Every scrape of the run in OpenMetrics text, passed to `write` in chunks (one per series); ends with # EOF.
 * Samples of one series are contiguous and in time order, as promtool's backfill wants them.
 */
export function writeOpenMetrics(src: ScrapeSeries, write: (chunk: string) => void): void {
  const K = src.scrapes;
  for (const fam of src.families()) {
    if (fam.groups.length === 0) continue;
    write(typeLine(fam, true));
    for (const g of fam.groups) {
      let chunk = '';
      for (let k = g.first; k < K; k++) chunk += groupLines(src, fam, g, k, formatTimestamp(src.scrapeTime(k)));
      write(chunk);
    }
  }
  write('# EOF\n');
}

/**
 * The latest scrape in the Prometheus text exposition format (no timestamps): what /metrics would serve now.
 * A live driver that steps the engine passes the simulated time, so that scrapes due by then are taken.
 */
export function exposition(src: ScrapeSeries, nowUs?: number): string {
  if (nowUs !== undefined) src.recorder.scrapeUntil(nowUs);
  const k = src.scrapes - 1;
  if (k < 0) return '';
  let out = '';
  for (const fam of src.families()) {
    if (fam.groups.length === 0) continue;
    out += typeLine(fam, false);
    for (const g of fam.groups) if (g.first <= k) out += groupLines(src, fam, g, k, '');
  }
  return out;
}
