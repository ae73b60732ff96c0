/**
 * The dashboard's own script and style, served as local files. The script reads the token from the page's
 * address, listens to the event stream, appends each closed window to the charts (vega changesets, no
 * re-render from scratch), and posts actions with the token as a bearer header. Text goes in with
 * textContent only.
 */

export const DASHBOARD_CSS = String.raw`
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; margin: 0 auto; max-width: 1280px; padding: 16px; }
h1 { font-size: 1.4em; margin: 0; } h2 { font-size: 1.05em; margin: 16px 0 6px; border-bottom: 1px solid #ccc; }
.meta { color: #444; margin: 4px 0 8px; }
.controls { background: #f4f4f4; padding: 8px; border: 1px solid #ddd; }
.controls label { margin-right: 8px; }
button { font: inherit; padding: 2px 10px; margin: 2px; cursor: pointer; }
button.danger { border: 2px solid #8b1a1a; }
.grid { display: grid; grid-template-columns: 1fr 1fr; gap: 16px; }
table { border-collapse: collapse; width: 100%; font-size: 12.5px; }
th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e2e2e2; vertical-align: top; }
th { background: #f2f2f2; }
.audit { max-height: 360px; overflow: auto; }
#message { min-height: 1.2em; margin: 4px 0 0; }
#message.error { color: #8b1a1a; font-weight: 600; }
.chart { min-height: 200px; }
`;

export const DASHBOARD_JS = String.raw`
(function () {
  'use strict';
  var token = new URLSearchParams(location.search).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };
  var state = { exposure: [], services: [], journeys: [], audit: [], plans: [], meta: null, gates: [] };
  var views = {};
  window.drillViews = views;
  var queued = { exposure: [], journeys: [] };
  var PALETTE = ['#1f3b73', '#c2571a', '#5f8f3e', '#7a4f9e', '#9e9e9e', '#3c3c3c'];
  var CONFIG = { range: { category: PALETTE }, axis: { labelFontSize: 11, titleFontSize: 11 }, view: { stroke: '#ccc' } };

  function text(el, value) { el.textContent = value == null ? '' : String(value); return el; }
  function cell(row, value) { row.appendChild(text(document.createElement('td'), value)); }
  function fmtTime(s) {
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = Math.floor(s % 60);
    return (h ? h + 'h' : '') + (m < 10 && h ? '0' : '') + m + 'm' + (sec < 10 ? '0' : '') + sec + 's';
  }
  function pct(x) { return (Math.round(x * 10000) / 100) + '%'; }

  // A step line per series; optional layers: fault windows (shaded) and gate thresholds (dashed rules).
  function lineSpec(y, yTitle, color, extra) {
    var line = {
      data: { name: 'rows' },
      mark: { type: 'line', interpolate: 'step-after', clip: true },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'simulated seconds' },
        y: { field: y, type: 'quantitative', title: yTitle },
        color: { field: color, type: 'nominal', title: null },
        strokeDash: { field: color, type: 'nominal', legend: null }
      }
    };
    var layers = [];
    if (extra && extra.faults) {
      layers.push({ data: { name: 'faults' }, mark: { type: 'rect', color: '#c2571a', opacity: 0.12 },
        encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' }, tooltip: [{ field: 'name', type: 'nominal' }] } });
    }
    if (extra && extra.decisions) {
      layers.push({ data: { name: 'decisions' }, mark: { type: 'rule', color: '#7a4f9e', strokeDash: [2, 2] },
        encoding: { x: { field: 't', type: 'quantitative' }, tooltip: [{ field: 'label', type: 'nominal' }] } });
    }
    layers.push(line);
    if (extra && extra.gates) {
      layers.push({ data: { name: 'gates' }, mark: { type: 'rule', color: '#8b1a1a', strokeDash: [4, 3] },
        encoding: { y: { field: 'limit', type: 'quantitative' }, tooltip: [{ field: 'source', type: 'nominal' }] } });
    }
    return { $schema: 'https://vega.github.io/schema/vega-lite/v6.json', width: 'container', height: 180, config: CONFIG, layer: layers };
  }

  function embed(id, spec) {
    return vegaEmbed('#' + id, spec, { actions: false, renderer: 'svg' }).then(function (r) { views[id.replace('chart-', '')] = r.view; });
  }

  var ready = Promise.all([
    embed('chart-exposure', lineSpec('share', 'share of journeys with the flag on', 'flag', { decisions: true })),
    embed('chart-journeys', lineSpec('errorRate', 'error rate', 'journey', { gates: true, faults: true })),
    embed('chart-errors', lineSpec('errorRate', 'error rate', 'series', { gates: true, faults: true })),
    embed('chart-p99', lineSpec('p99', 'p99 (ms)', 'series', { gates: true, faults: true }))
  ]).then(function () { document.body.setAttribute('data-charts', 'ready'); })
    .catch(function (e) { document.body.setAttribute('data-render-error', String(e)); console.error(e); });

  function append(view, rows) {
    if (!view || rows.length === 0) return;
    view.change('rows', vega.changeset().insert(rows)).run();
  }

  function append2(view, name, rows) {
    if (view && rows.length) view.change(name, vega.changeset().insert(rows)).run();
  }

  function selectedService() { return $('service').value; }

  function redrawService() {
    var svc = selectedService();
    var rows = state.services.filter(function (r) { return r.service === svc; });
    var gates = [];
    state.plans.forEach(function (p) { p.gates.forEach(function (g) { if (g.service === svc && g.limit != null) gates.push(g); }); });
    if (views.errors) {
      views.errors.change('rows', vega.changeset().remove(function () { return true; }).insert(rows))
        .change('gates', vega.changeset().remove(function () { return true; }).insert(gates.filter(function (g) { return g.metric === 'req_failed'; }))).run();
    }
    if (views.p99) {
      views.p99.change('rows', vega.changeset().remove(function () { return true; }).insert(rows))
        .change('gates', vega.changeset().remove(function () { return true; }).insert(gates.filter(function (g) { return g.metric === 'req_duration'; }))).run();
    }
  }

  function replace(view, name, rows) {
    if (view) view.change(name, vega.changeset().remove(function () { return true; }).insert(rows)).run();
  }

  var faultKey = '';
  function drawFaults(faults, now) {
    var rows = faults.map(function (f) { return { name: f.name, from: f.fromSeconds, to: f.toSeconds == null ? now : f.toSeconds }; });
    var key = JSON.stringify(rows);
    if (key === faultKey) return;
    faultKey = key;
    ['journeys', 'errors', 'p99'].forEach(function (k) { replace(views[k], 'faults', rows); });
  }

  var journeyGatesDrawn = false;
  function drawJourneyGates() {
    if (journeyGatesDrawn || !views.journeys) return;
    journeyGatesDrawn = true;
    var gates = [];
    state.plans.forEach(function (p) { p.gates.forEach(function (g) { if (g.journey && !g.service && g.metric === 'req_failed' && g.limit != null) gates.push(g); }); });
    replace(views.journeys, 'gates', gates);
  }

  function renderPlans() {
    var body = $('plans').tBodies[0];
    body.textContent = '';
    state.plans.forEach(function (p) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-flag', p.flag);
      cell(tr, p.flag);
      var phase = document.createElement('td');
      phase.className = 'phase';
      text(phase, p.phase + (p.awaitingApproval ? ' (awaiting approval)' : ''));
      tr.appendChild(phase);
      cell(tr, p.stage < 0 ? 'not started' : (p.stage + 1) + ' of ' + p.stages);
      cell(tr, p.percent + '%');
      cell(tr, 'v' + p.version);
      var td = document.createElement('td');
      [['promote', 'Promote'], ['pause', 'Pause'], ['resume', 'Resume'], ['rollback', 'Roll back'], ['approve', 'Approve']].forEach(function (b) {
        var btn = text(document.createElement('button'), b[1]);
        btn.setAttribute('data-op', b[0]);
        btn.addEventListener('click', function () { post({ type: 'plan', flag: p.flag, op: b[0] }); });
        td.appendChild(btn);
      });
      tr.appendChild(td);
      body.appendChild(tr);
    });
  }

  function renderList(id, items, fmt) {
    var ul = $(id);
    ul.textContent = '';
    if (items.length === 0) { ul.appendChild(text(document.createElement('li'), 'none')); return; }
    items.forEach(function (x) { ul.appendChild(text(document.createElement('li'), fmt(x))); });
  }

  function apply(snap) {
    var first = state.meta === null;
    state.meta = snap.meta;
    state.plans = snap.plans;
    var m = snap.meta;
    text($('clock'), fmtTime(m.nowSeconds) + ' of ' + fmtTime(m.horizonSeconds));
    text($('status'), m.ended ? 'ended (' + m.endReason + ')' : m.paused ? 'paused' : 'running');
    document.body.setAttribute('data-status', m.ended ? 'ended' : m.paused ? 'paused' : 'running');
    text($('speed'), m.speed);
    text($('case'), m.case == null ? 'base scenario' : m.case);
    text($('gates'), m.gates);
    if (first) {
      if (!$('who').value) $('who').value = localStorage.getItem('rehearse-gameday-name') || m.operator || '';
      $('speed-input').value = m.speed;
      var sel = $('service');
      snap.services.forEach(function (s) { var o = text(document.createElement('option'), s); o.value = s; sel.appendChild(o); });
    }
    var cat = $('catalogue');
    if (cat.options.length !== snap.catalogue.length) {
      cat.textContent = '';
      snap.catalogue.forEach(function (f) { var o = text(document.createElement('option'), f.name + ' (' + f.kind + ' ' + f.target + ')'); o.value = f.name; cat.appendChild(o); });
    }
    Array.prototype.push.apply(state.exposure, snap.exposure);
    Array.prototype.push.apply(state.journeys, snap.journeyRows);
    Array.prototype.push.apply(state.services, snap.serviceRows);
    ready.then(function () {
      append(views.exposure, snap.exposure);
      append(views.journeys, snap.journeyRows);
      if (first || snap.serviceRows.length) redrawService();
      drawJourneyGates();
      drawFaults(snap.faults, snap.meta.nowSeconds);
      document.body.setAttribute('data-windows', String(snap.cursor.windows));
    });
    var latest = {};
    state.exposure.forEach(function (r) { latest[r.flag] = r.share; });
    text($('exposure-now'), Object.keys(latest).map(function (k) { return k + ': ' + pct(latest[k]); }).join(' · '));
    text($('budget'), pct(snap.errorBudget.burned));
    renderPlans();
    renderList('faults', snap.faults, function (f) { return f.name + ' (' + f.kind + ' ' + f.target + ') ' + (f.active ? 'active since ' + fmtTime(f.fromSeconds) : fmtTime(f.fromSeconds) + '–' + fmtTime(f.toSeconds)); });
    renderList('breakers', snap.breakersOpen, function (b) { return b.edge + ': ' + b.state; });
    var ab = $('actions').tBodies[0];
    ab.textContent = '';
    snap.actions.slice().reverse().forEach(function (a) {
      var tr = document.createElement('tr');
      cell(tr, fmtTime(a.simSeconds)); cell(tr, a.wallTime.slice(11, 19)); cell(tr, a.by); cell(tr, a.what); cell(tr, a.refused || 'done');
      ab.appendChild(tr);
    });
    // The rollout timeline: each decision (start, promote, rollback, pause, complete) as a rule on the exposure chart.
    var decisions = snap.audit.filter(function (a) { return a.event === 'decision'; })
      .map(function (a) { return { t: a.simSeconds, label: a.flag + ': ' + a.action + (a.by ? ' by ' + a.by : ' (' + a.actor + ')') }; });
    ready.then(function () { append2(views.exposure, 'decisions', decisions); });
    var au = $('audit').tBodies[0];
    snap.audit.forEach(function (a) {
      var tr = document.createElement('tr');
      cell(tr, fmtTime(a.simSeconds)); cell(tr, a.flag); cell(tr, a.by ? a.actor + ' (' + a.by + ')' : a.actor);
      cell(tr, a.action || a.event); cell(tr, a.stage); cell(tr, a.percent); cell(tr, 'v' + a.configVersion); cell(tr, a.reason);
      au.insertBefore(tr, au.firstChild);
    });
    while (au.rows.length > 400) au.deleteRow(au.rows.length - 1);
  }

  function say(msg, error) {
    var el = $('message');
    text(el, msg);
    el.className = error ? 'error' : '';
  }

  function post(body) {
    var who = $('who').value.trim();
    if (who) { body.by = who; localStorage.setItem('rehearse-gameday-name', who); }
    return fetch('/api/actions', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }); })
      .then(function (r) {
        if (r.status === 200) say('done at ' + fmtTime(r.body.atSeconds), false);
        else say(r.body.refused || r.body.error || ('HTTP ' + r.status), true);
      })
      .catch(function (e) { say(String(e), true); });
  }

  $('service').addEventListener('change', redrawService);
  $('clock-pause').addEventListener('click', function () { post({ type: 'clock', op: 'pause' }); });
  $('clock-resume').addEventListener('click', function () { post({ type: 'clock', op: 'resume' }); });
  $('speed-set').addEventListener('click', function () { post({ type: 'speed', speed: Number($('speed-input').value) }); });
  $('end').addEventListener('click', function () { post({ type: 'end' }); });
  $('inject').addEventListener('click', function () { if ($('catalogue').value) post({ type: 'fault', name: $('catalogue').value }); });
  $('note-add').addEventListener('click', function () {
    var t = $('note').value.trim();
    if (t) post({ type: 'note', text: t }).then(function () { $('note').value = ''; });
  });
  $('adhoc-inject').addEventListener('click', function () {
    var kind = $('adhoc-kind').value;
    var f = { kind: kind, target: $('adhoc-target').value.trim(), percent: $('adhoc-percent').value.trim(), for: $('adhoc-for').value.trim() };
    if (kind === 'latency') f.add = $('adhoc-add').value.trim();
    if (kind === 'cpu-stress') f.factor = Number($('adhoc-factor').value);
    post({ type: 'adhoc-fault', fault: f });
  });

  var events = new EventSource('/api/events?token=' + encodeURIComponent(token));
  events.addEventListener('state', function (e) { apply(JSON.parse(e.data)); });
  events.addEventListener('debrief', function () {
    var p = $('debrief');
    if (p.childNodes.length) return;
    var a = text(document.createElement('a'), 'Open the debrief');
    a.href = '/debrief?token=' + encodeURIComponent(token);
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    p.appendChild(a);
    events.close();
  });
})();
`;
