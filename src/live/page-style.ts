/** The dashboard's style sheet, served as a local file. */
export const DASHBOARD_CSS = String.raw`
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 1280px; padding: 16px; }
h1 { font-size: 1.4em; margin: 0; } h2 { font-size: 1.05em; margin: 16px 0 6px; border-bottom: 1px solid #ccc; }
h2 small { font-weight: normal; color: #555; }
.meta { color: #444; margin: 4px 0 8px; }
.banner { background: #fff4d6; border: 1px solid #d9b54a; padding: 6px 10px; margin: 0 0 8px; }
#debrief-banner { background: #e6f0ff; border-color: #7a9ed9; }
.lobby { background: #eef6ee; border: 1px solid #9cc49c; padding: 4px 12px 8px; }
.controls { background: #f4f4f4; padding: 8px; border: 1px solid #ddd; }
.controls label { margin-right: 8px; }
.invite { display: inline-block; margin-left: 12px; }
button { font: inherit; padding: 2px 10px; margin: 2px; cursor: pointer; }
button.danger { border: 2px solid #8b1a1a; }
button.primary { border: 2px solid #1f3b73; font-weight: 600; }
button:disabled { cursor: default; }
button[aria-busy="true"] { cursor: progress; opacity: 0.6; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
th { background: #f2f2f2; }
tbody th { background: none; }
td.acts input { width: 12em; }
/* A gate reading is one line per gate that wraps (a long query breaks anywhere) rather than widen the page; what
   still cannot fit scrolls inside its box. */
.gate { display: block; overflow-wrap: anywhere; }
.fit { max-width: 100%; overflow-x: auto; }
.verdict-pass { color: #2d6a2d; } .verdict-fail { color: #8b1a1a; font-weight: 600; } .verdict-inconclusive, .verdict-error { color: #8a6d00; }
.scroll { max-height: 360px; overflow: auto; }
.health { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 6px; }
.svc { border: 1px solid #ccc; border-left-width: 6px; padding: 4px 8px; font-size: 12.5px; }
.svc strong { display: block; }
.svc.ok { border-left-color: #5f8f3e; } .svc.warn { border-left-color: #d9a400; background: #fffbea; } .svc.bad { border-left-color: #8b1a1a; background: #fdf0f0; }
.legend { font-size: 12px; color: #444; margin: 2px 0 0; }
.key { display: inline-block; width: 18px; height: 10px; margin: 0 4px 0 10px; vertical-align: middle; }
.key.fault { background: rgba(194, 87, 26, 0.25); }
.key.hidden-fault { background: rgba(122, 79, 158, 0.2); border: 1px dashed #7a4f9e; }
.svc .hidden-fault { display: block; color: #5b3a78; border-top: 1px dashed #7a4f9e; margin-top: 2px; }
.svc .hidden-fault[hidden] { display: none; }
.key.gate { border-top: 2px dashed #8b1a1a; height: 0; }
.key.decision { border-top: 2px dotted #7a4f9e; height: 0; }
.connection.live { color: #2d6a2d; } .connection.stale, .connection.disconnected { color: #8b1a1a; font-weight: 600; }
#message { min-height: 1.2em; margin: 4px 0 0; }
#message.error { color: #8b1a1a; font-weight: 600; }
.chart { min-height: 200px; }
body:not([data-role="facilitator"]) .facilitator-only { display: none; }
tr.hidden-fault td { font-style: italic; background: #f3f0fa; }
body[data-role="observer"] .notes, body[data-role="observer"] td.acts, body[data-role="observer"] th.acts,
body[data-role="scribe"] td.acts, body[data-role="scribe"] th.acts { display: none; }
dialog p { margin: 6px 0; }
.sr-only { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
`;
