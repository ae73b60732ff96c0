/**
 * The dashboard: one HTML page and local scripts (vega, vega-lite and vega-embed from node_modules, the same
 * builds the reports inline, and the page's own script), nothing from elsewhere. Every text that people or
 * scenario files wrote is set with textContent, never parsed as HTML.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escape } from '../report/html/page.js';
import { DASHBOARD_CSS, DASHBOARD_JS } from './page-script.js';

const require = createRequire(import.meta.url);

/** A package's build file: its main file resolved, then up to the folder holding its package.json. */
function buildFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return readFileSync(join(dir, 'build', file), 'utf8');
}

const JS = 'text/javascript; charset=utf-8';
const LIBRARIES: Record<string, [string, string]> = {
  'vega.min.js': ['vega', 'vega.min.js'],
  'vega-lite.min.js': ['vega-lite', 'vega-lite.min.js'],
  'vega-embed.min.js': ['vega-embed', 'vega-embed.min.js'],
};
const loaded = new Map<string, string>();

export function assetFile(name: string): { type: string; body: string } | null {
  if (name === 'dashboard.js') return { type: JS, body: DASHBOARD_JS };
  if (name === 'dashboard.css') return { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS };
  const lib = LIBRARIES[name];
  if (!lib) return null;
  if (!loaded.has(name)) loaded.set(name, buildFile(lib[0], lib[1]));
  return { type: JS, body: loaded.get(name)! };
}

export function dashboardHtml(token: string, name: string): string {
  const t = encodeURIComponent(token);
  const script = (file: string) => `<script src="/assets/${file}?token=${escape(t)}"></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Game day: ${escape(name)}</title>
<link rel="stylesheet" href="/assets/dashboard.css?token=${escape(t)}">
${script('vega.min.js')}
${script('vega-lite.min.js')}
${script('vega-embed.min.js')}
</head>
<body>
<header>
  <h1>Game day: <span id="name">${escape(name)}</span></h1>
  <p class="meta"><span id="clock">connecting…</span> · <span id="status"></span> · speed <span id="speed"></span>x · case <span id="case"></span> · gates <span id="gates"></span></p>
</header>
<section class="controls" aria-label="Controls">
  <label>Your name <input id="who" maxlength="60" autocomplete="off"></label>
  <button id="clock-pause">Pause clock</button> <button id="clock-resume">Resume clock</button>
  <label>Speed <input id="speed-input" type="number" min="0.1" step="any" style="width:6em"></label> <button id="speed-set">Set speed</button>
  <button id="end" class="danger">End drill</button>
  <p id="message" role="status"></p>
</section>
<section>
  <h2>Rollout plans</h2>
  <table id="plans"><thead><tr><th>flag</th><th>phase</th><th>stage</th><th>exposure</th><th>config version</th><th>actions</th></tr></thead><tbody></tbody></table>
</section>
<section class="grid">
  <div><h2>Exposure per flag</h2><div id="chart-exposure" class="chart"></div><p id="exposure-now"></p></div>
  <div><h2>Journey error rates</h2><div id="chart-journeys" class="chart"></div><p>Error budget burned: <strong id="budget">0%</strong></p></div>
  <div><h2>Service <select id="service"></select>: error rate</h2><div id="chart-errors" class="chart"></div></div>
  <div><h2>p99 latency (ms)</h2><div id="chart-p99" class="chart"></div></div>
</section>
<section class="grid">
  <div>
    <h2>Faults</h2>
    <ul id="faults"></ul>
    <p><label>From the catalogue <select id="catalogue"></select></label> <button id="inject">Inject</button></p>
    <details><summary>Ad-hoc fault</summary>
      <p><label>kind <select id="adhoc-kind"><option>latency</option><option>abort</option><option>timeout</option><option>unavailable</option><option>cpu-stress</option><option>instance-kill</option></select></label>
      <label>target <input id="adhoc-target" placeholder="web -> pay"></label>
      <label>share <input id="adhoc-percent" value="100%" style="width:5em"></label>
      <label>for <input id="adhoc-for" value="5m" style="width:5em"></label>
      <label>add <input id="adhoc-add" value="200ms" style="width:6em"></label>
      <label>factor <input id="adhoc-factor" value="2" style="width:4em"></label>
      <button id="adhoc-inject">Inject ad-hoc fault</button></p>
    </details>
    <h2>Breakers open</h2><ul id="breakers"></ul>
  </div>
  <div>
    <h2>Notes</h2>
    <p><textarea id="note" rows="2" cols="50" maxlength="2000"></textarea> <button id="note-add">Add note</button></p>
    <h2>People's actions</h2>
    <table id="actions"><thead><tr><th>sim time</th><th>wall time</th><th>who</th><th>what</th><th>result</th></tr></thead><tbody></tbody></table>
  </div>
</section>
<section>
  <h2>Audit trail</h2>
  <div class="audit"><table id="audit"><thead><tr><th>sim time</th><th>flag</th><th>actor</th><th>event</th><th>stage</th><th>%</th><th>config</th><th>detail</th></tr></thead><tbody></tbody></table></div>
</section>
<p id="debrief"></p>
<script src="/assets/dashboard.js?token=${escape(t)}"></script>
</body>
</html>
`;
}
