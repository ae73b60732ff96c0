/**
 * The dashboard: one HTML page and local scripts (vega, vega-lite and vega-embed from node_modules, the same
 * builds the reports inline, and the page's own script), nothing from elsewhere. Every text that people or
 * scenario files wrote is set with textContent, never parsed as HTML. Paths are relative, so that the page
 * works behind a proxy that serves the drill under a path of its own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { escape } from '../report/html/page.js';
import { DASHBOARD_CSS } from './page-style.js';
import { DASHBOARD_JS } from './page-script.js';

const require = createRequire(import.meta.url);

/** A package's build file: its main file resolved, then up to the folder holding its package.json. */
function buildFile(pkg: string, file: string): string {
  let dir = dirname(require.resolve(pkg));
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return readFileSync(join(dir, 'build', file), 'utf8');
}

const JS = 'text/javascript; charset=utf-8';
const LIBRARIES = new Map<string, [string, string]>([
  ['vega.min.js', ['vega', 'vega.min.js']],
  ['vega-lite.min.js', ['vega-lite', 'vega-lite.min.js']],
  ['vega-embed.min.js', ['vega-embed', 'vega-embed.min.js']],
]);
const loaded = new Map<string, string>();

/** A file under /assets/ by name, or null for any other name (a 404, whatever the name). */
export function assetFile(name: string): { type: string; body: string } | null {
  if (name === 'dashboard.js') return { type: JS, body: DASHBOARD_JS };
  if (name === 'dashboard.css') return { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS };
  const lib = LIBRARIES.get(name);
  if (!lib) return null;
  if (!loaded.has(name)) loaded.set(name, buildFile(lib[0], lib[1]));
  return { type: JS, body: loaded.get(name)! };
}

export function dashboardHtml(name: string, token: string): string {
  const t = escape(encodeURIComponent(token));
  const script = (file: string) => `<script src="assets/${file}?token=${t}"></script>`;
  const legend = (items: [string, string][], more = '') => `<p class="legend">${items.map(([cls, text]) => `<span class="key ${cls}"></span>${text}`).join(' ')}${more}</p>`;
  // The hidden faults' key is the facilitator's alone, as the faults it keys.
  const overlays = legend([['fault', 'a fault active'], ['gate', 'gate threshold'], ['decision', 'rollout decision']],
    ' <span class="facilitator-only"><span class="key hidden-fault"></span>a hidden fault active (only facilitators see it)</span>');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Game day: ${escape(name)}</title>
<link rel="stylesheet" href="assets/dashboard.css?token=${t}">
${script('vega.min.js')}
${script('vega-lite.min.js')}
${script('vega-embed.min.js')}
</head>
<body data-status="connecting" data-role="">
<div id="debrief-banner" class="banner" hidden><span id="debrief-text"></span> <progress id="debrief-progress" max="1" value="0"></progress> <a id="debrief-link" hidden target="_blank" rel="noopener noreferrer">Open the debrief</a></div>
<header>
  <h1>Game day: <span id="name">${escape(name)}</span></h1>
  <p class="meta"><strong id="clock">connecting…</strong> · <span id="status"></span> · speed <span id="speed"></span> · case <span id="case"></span> · gates <span id="gates"></span> · you: <span id="you"></span> · <span id="connection" class="connection">connecting</span></p>
</header>
<section id="lobby" class="lobby" hidden>
  <h2>Lobby: the clock is stopped until the facilitator starts the drill</h2>
  <p>Here so far: <span id="lobby-people"></span></p>
  <p class="facilitator-only"><button id="start" class="primary">Start the drill</button></p>
</section>
<div id="countdown" class="banner" hidden><span id="countdown-text"></span> <button id="countdown-cancel" class="facilitator-only">Keep the drill going</button></div>
<section class="controls facilitator-only" aria-label="Facilitator controls">
  <button id="clock-pause">Pause clock</button> <button id="clock-resume">Resume clock</button>
  <label>Speed <input id="speed-input" type="number" min="0.1" step="any" style="width:6em"></label> <button id="speed-set">Set speed</button>
  <button id="end" class="danger">End drill…</button>
  <span class="invite"><label>Invite <input id="invite-name" maxlength="60" placeholder="name" autocomplete="off"></label>
  <select id="invite-role" aria-label="their role"><option>operator</option><option>scribe</option><option>observer</option></select> <button id="invite">Invite</button>
  <input id="invite-link" readonly aria-label="their link" placeholder="their link appears here" size="40"></span>
</section>
<p id="message" role="status"></p>
<p id="announce" class="sr-only" role="status"></p>
<section>
  <h2>Rollout plans</h2>
  <div class="fit"><table id="plans"><thead><tr><th>flag</th><th>phase</th><th>stage</th><th>users targeted</th><th>journeys with the flag on</th><th>config</th><th>gates: last reading / threshold</th><th class="acts">act (with a reason)</th></tr></thead><tbody></tbody></table></div>
  <p id="no-plans" hidden>This scenario has no rollout plan: there is no plan to act on. The drill is its faults, the clock and people's notes.</p>
</section>
<section>
  <h2>Service health <small>(last closed window)</small></h2>
  <div id="health" class="health"></div>
  <p>Error budget: <strong id="budget">0.0% consumed</strong> <small id="budget-detail"></small></p>
</section>
<section class="grid">
  <div><h2>Journeys with the flag on</h2><div id="chart-exposure" class="chart"></div>${legend([['decision', 'rollout decision']])}</div>
  <div><h2>Journey error rates</h2><div id="chart-journeys" class="chart"></div>${overlays}</div>
  <div><h2>Service <select id="service" aria-label="service shown in this chart and the p99 chart"></select>: error rate</h2><div id="chart-errors" class="chart"></div>${overlays}</div>
  <div><h2>Service p99 latency (ms)</h2><div id="chart-p99" class="chart"></div>${overlays}</div>
</section>
<section class="grid">
  <div>
    <h2>Faults</h2>
    <table id="faults"><thead><tr><th>fault</th><th>target</th><th>size</th><th>since</th><th>until</th><th class="facilitator-only">remove</th></tr></thead><tbody></tbody></table>
    <div class="facilitator-only">
    <p><label>From the catalogue <select id="catalogue"></select></label> <button id="inject">Inject</button></p>
    <details><summary>Ad-hoc fault</summary>
      <p><label>kind <select id="adhoc-kind"><option>latency</option><option>abort</option><option>timeout</option><option>unavailable</option><option>cpu-stress</option><option>instance-kill</option></select></label>
      <label>target <input id="adhoc-target" placeholder="web -> pay"></label>
      <label>percent <input id="adhoc-percent" value="100%" placeholder="100%" style="width:5em"></label>
      <label>for <input id="adhoc-for" value="5m" placeholder="the rest" style="width:5em"></label>
      <label>add <input id="adhoc-add" value="200ms" style="width:6em"></label>
      <label>factor <input id="adhoc-factor" value="2" style="width:4em"></label>
      <label><input id="adhoc-hidden" type="checkbox"> hidden until the debrief</label>
      <button id="adhoc-inject">Inject ad-hoc fault</button></p>
    </details>
    </div>
    <h2>Breakers open</h2><ul id="breakers"></ul>
  </div>
  <div>
    <h2>Notes</h2>
    <p class="notes"><textarea id="note" rows="2" cols="50" maxlength="2000" aria-label="note for the record"></textarea> <button id="note-add">Add note</button></p>
    <h2>People's actions</h2>
    <div class="scroll"><table id="actions"><thead><tr><th>sim time</th><th>local time</th><th>who</th><th>what</th><th>result</th></tr></thead><tbody></tbody></table></div>
  </div>
</section>
<section>
  <h2>Audit trail</h2>
  <div class="scroll"><table id="audit"><thead><tr><th>sim time</th><th>flag</th><th>actor</th><th>event</th><th>stage</th><th>%</th><th>config</th><th>detail</th></tr></thead><tbody></tbody></table></div>
</section>
<dialog id="confirm" aria-labelledby="confirm-text"><p id="confirm-text"></p><p><button id="confirm-cancel">Cancel</button> <button id="confirm-ok" class="danger">Confirm</button></p></dialog>
<script src="assets/dashboard.js?token=${t}"></script>
</body>
</html>
`;
}
