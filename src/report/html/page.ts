/**
 * Self-contained HTML pages: vega, vega-lite and vega-embed inlined from their packages' build files, chart
 * specifications embedded as JSON, nothing fetched. Every text that comes from a scenario goes through escape().
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { VERDICTS, verdictLabel, type Verdict } from '../vocabulary.js';
import { CLOCK_CONFIG, CLOCK_JS } from './clock-axis.js';

const require = createRequire(import.meta.url);

export function escape(text: unknown): string {
  return String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A verdict as a table cell or a badge: its mark and word, styled by its tone (never a mark drawn by CSS). */
export function verdictHtml(v: Verdict, as: 'cell' | 'badge' = 'cell'): string {
  const { tone } = VERDICTS[v];
  return as === 'cell' ? `<td class="v-${tone}">${escape(verdictLabel(v))}</td>` : `<span class="verdict ${tone}">${escape(verdictLabel(v))}</span>`;
}

/** A package's build file: its main file resolved, then up to the folder holding its package.json. */
function buildFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  // A script body must not close its own tag.
  return readFileSync(join(dir, 'build', file), 'utf8').replace(/<\/(script)/gi, '<\\/$1');
}

let bundle: string | null = null;
/** vega, vega-lite and vega-embed as one script: inlined in a single page, or written once beside many. */
export function chartLibraries(): string {
  bundle ??= [buildFile('vega', 'vega.min.js'), buildFile('vega-lite', 'vega-lite.min.js'), buildFile('vega-embed', 'vega-embed.min.js')].join('\n;\n');
  return bundle;
}

/** The file name of the shared chart script that `ci --html-dir` writes beside its pages. */
export const SHARED_SCRIPT = 'rehearse-charts.js';

export interface PageOptions {
  /** A script file beside the page that holds the chart libraries, instead of inlining them. */
  librariesFile?: string;
}

/** Shades that stay apart in greyscale, with dashes for a second cue. */
export const PALETTE = ['#1f3b73', '#c2571a', '#5f8f3e', '#7a4f9e', '#9e9e9e', '#3c3c3c'];
export const CHART_CONFIG = {
  range: { category: PALETTE },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#e6e6e6' },
  legend: { labelFontSize: 11, titleFontSize: 12 },
  view: { stroke: '#cccccc' },
  font: 'system-ui, sans-serif',
  ...CLOCK_CONFIG,
};

export interface Chart {
  title: string;
  /** A sentence under the title: the figures a reader needs that the chart cannot carry. */
  caption?: string;
  spec: Record<string, unknown>;
}

const CSS = `
  :root { color-scheme: light; }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 1100px; padding: 24px; }
  h1 { font-size: 1.6em; margin: 0 0 4px; } h2 { font-size: 1.2em; margin: 32px 0 8px; border-bottom: 1px solid #ccc; padding-bottom: 4px; }
  .meta { color: #555; margin: 0 0 16px; }
  .verdict { display: inline-block; font-weight: 700; padding: 4px 12px; border: 3px solid #1a1a1a; letter-spacing: .08em; }
  .verdict.bad { border-style: double; background: repeating-linear-gradient(45deg, #fff, #fff 6px, #eee 6px, #eee 12px); }
  .verdict.neutral { border-style: dashed; } .headlines { margin: 8px 0 0; padding-left: 20px; } .headlines li { margin: 2px 0; }
  table { border-collapse: collapse; width: 100%; margin: 8px 0; font-size: 13px; }
  th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
  th { background: #f2f2f2; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
  .v-bad { font-weight: 700; } td.v-good, td.v-bad, td.v-neutral { white-space: nowrap; }
  .chart { margin: 8px 0 24px; break-inside: avoid; } .summary p { margin: 4px 0; } .caption { color: #333; margin: 0 0 4px; font-size: 14px; }
  .warning { border-left: 4px solid #1a1a1a; padding: 4px 12px; background: #f5f5f5; }
  .audit { max-height: 480px; overflow: auto; }
  @media print { body { max-width: none; padding: 0; } .audit { max-height: none; overflow: visible; } h2 { break-after: avoid; } }
`;

export function htmlPage(title: string, body: string, charts: readonly Chart[], options: PageOptions = {}): string {
  const specs = charts.map((c, i) => {
    const own = (c.spec.config ?? {}) as Record<string, Record<string, unknown>>;
    const config: Record<string, unknown> = { ...CHART_CONFIG };
    for (const [k, v] of Object.entries(own)) config[k] = { ...(config[k] as object | undefined), ...v };
    return { id: `chart-${i}`, spec: { ...c.spec, config } };
  });
  const json = JSON.stringify(specs).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  const placed = body.replace(/<chart-(\d+)\/>/g, (_, i) => `<div class="chart" id="chart-${i}" data-title="${escape(charts[Number(i)]?.title ?? '')}"></div>`);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${options.librariesFile ? "'self' " : ''}'unsafe-inline' 'unsafe-eval'; style-src 'unsafe-inline'; img-src data:">
<title>${escape(title)}</title>
<style>${CSS}</style>
${charts.length === 0 ? '' : options.librariesFile ? `<script src="${escape(encodeURI(options.librariesFile))}"></script>` : `<script>${chartLibraries()}</script>`}
</head>
<body>
${placed}
<script type="application/json" id="specs">${json}</script>
<script>
  const specs = JSON.parse(document.getElementById('specs').textContent);
  ${charts.length === 0 ? '' : CLOCK_JS}
  Promise.all(specs.map((s) => vegaEmbed('#' + s.id, s.spec, { renderer: 'svg', actions: false })))
    .then((results) => {
      // The views stay reachable for tests and for readers who open the console.
      window.rehearseViews = results.map((r) => r.view);
      document.body.setAttribute('data-rendered', String(specs.length));
    })
    .catch((e) => { document.body.setAttribute('data-render-error', String(e)); console.error(e); });
</script>
</body>
</html>
`;
}
