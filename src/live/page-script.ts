/**
 * The dashboard's own script, served as a local file: it reads the person's token from the page's address,
 * listens to the event stream (the browser resumes it from the last event id after a drop, and the server
 * sends only what came after), and applies each update to a DOM built once. Text goes in with textContent
 * only. A connection indicator says live, stale (no update for three seconds) or disconnected.
 */
import { CHARTS_JS } from './page-charts.js';
import { CONTROLS_JS } from './page-controls.js';
import { TABLES_JS } from './page-tables.js';
import { END_WORDS } from './end-words.js';
import { FORMAT_JS } from './page-format.js';

const COMMON_JS = String.raw`
  var token = new URLSearchParams(location.search).get('token') || '';
  var $ = function (id) { return document.getElementById(id); };
  var me = { name: '', role: '' };
  var state = { meta: null, plans: [], latestShare: {}, lastT: -1, windowCount: 0, updates: 0 };

  function text(el, value) { var s = value == null ? '' : String(value); if (el.textContent !== s) el.textContent = s; return el; }
  function cell(row, value) { row.appendChild(text(document.createElement('td'), value)); }
  function show(el, on) { if (el.hidden === on) el.hidden = !on; }
  // The simulated clock, latencies and rates as every report and terminal says them (12m00s, p99 14.7ms, 0.52%).
  ${FORMAT_JS}
  function fmtSim(s) { return s == null ? '–' : clock(s); }
  // How the drill ended, in the words of the terminal, gameday ctl and the debrief.
  var END_WORDS = ${JSON.stringify(END_WORDS)};
  function endWords(r) { return END_WORDS[r] || r; }
  function localTime(iso) { var d = new Date(iso); return isNaN(d.getTime()) ? iso : d.toLocaleTimeString(); }
  function pct(x) { return (Math.round(x * 10000) / 100) + '%'; }
  function countT(rows) { var seen = {}, n = 0; rows.forEach(function (r) { if (!seen[r.t]) { seen[r.t] = 1; n++; } }); return n; }
`;

const MAIN_JS = String.raw`
  // What changed in the drill's course, said once in a status region (a screen reader announces it): the
  // banners and the status line update four times a second and are not live regions, or they would be read
  // out at every tick.
  var course = null;
  // Set once the drill has ended and its server stopped after writing the debrief (--exit-on-end): the stream's end is
  // then expected, not a lost connection, and there is nothing to reconnect to.
  var serverStopped = false;
  function announce(m) {
    var cd = m.countdown, d = m.debrief;
    if (m.status === 'ended' && d.state === 'ready' && d.served === false) serverStopped = true;
    var now = m.status === 'ended' ? (d.state === 'ready' ? (d.served === false ? 'The debrief is written to ' + (d.files ? d.files.html : 'its files') + '; the drill\'s server has stopped.' : 'The debrief is ready: its link is at the top of the page.')
        : d.state === 'failed' ? 'The debrief could not be written.' : 'The drill has ended (' + endWords(m.endReason) + '). The debrief is being written.')
      : m.status === 'running' && cd ? (cd.running ? 'Every plan is done. The drill ends in ' + Math.ceil(cd.remainingSeconds) + ' s unless the facilitator keeps it going.'
        : 'Every plan is done; the facilitator keeps the drill going.')
      : m.status === 'running' ? 'The drill is running.' : m.status === 'paused' ? 'The clock is paused.' : m.status === 'lobby' ? 'In the lobby.' : '';
    var key = now.replace(/\d+ s unless/, 's unless');
    if (course !== null && key !== course) text($('announce'), now);
    course = key;
  }

  // The speed last shown in the field; whether the facilitator has typed in it since (kept until sent).
  var shownSpeed = null, speedEdited = false;
  $('speed-input').addEventListener('input', function () { speedEdited = true; });
  function renderMeta(m) {
    announce(m);
    text($('clock'), fmtSim(m.nowSeconds) + ' of ' + fmtSim(m.horizonSeconds) + ' simulated');
    var status = m.status === 'ended' ? 'ended (' + endWords(m.endReason) + ')' : m.status === 'lobby' ? 'in the lobby' : m.status;
    text($('status'), status);
    if (document.body.getAttribute('data-status') !== m.status) document.body.setAttribute('data-status', m.status);
    var pace = m.speed + 'x asked';
    // Behind since the speed was last set: time lost at another speed is not this speed's.
    if (m.status === 'running') pace += ', ' + m.achievedSpeed + 'x achieved' + (m.behindSeconds > 1 || m.lostSeconds > 1 ? ', ' + fmtSim(m.lostSeconds + m.behindSeconds) + ' simulated behind the wall clock' + (m.paceSinceSeconds > 0 ? (m.paceSince === 'resume' ? ' since the drill was resumed at ' : ' since the speed was set at ') + fmtSim(m.paceSinceSeconds) : '') : '');
    text($('speed'), pace);
    text($('case'), m.case == null ? 'base scenario' : m.case);
    text($('gates'), m.gates);
    show($('lobby'), m.status === 'lobby');
    var cd = m.countdown;
    show($('countdown'), !!cd && m.status !== 'ended');
    // The countdown stands still while the clock is paused, and says so.
    if (cd) text($('countdown-text'), cd.running ? 'Every plan is done. The drill ends ' + (m.status === 'paused' ? Math.ceil(cd.remainingSeconds) + ' s after the clock runs again,' : 'in ' + Math.ceil(cd.remainingSeconds) + ' s') + ' unless the facilitator keeps it going.'
      : 'Every plan is done; the facilitator keeps the drill going.');
    show($('countdown-cancel'), !!cd && cd.running);
    var d = m.debrief;
    show($('debrief-banner'), m.status === 'ended');
    if (m.status === 'ended') {
      var where = d.files ? ' (written to ' + d.files.html + ' and ' + d.files.json + ')' : '';
      text($('debrief-text'), d.state === 'ready' ? (d.served === false ? 'The drill has ended and the drill\'s server has stopped. The debrief is written to ' + (d.files ? d.files.html + ' and ' + d.files.json : 'its files') + '.'
        : 'The drill has ended. The debrief is ready' + where + ':') : d.state === 'failed' ? 'The debrief could not be written: ' + (d.error || '') + '.'
        : 'The drill has ended. Writing the debrief' + (d.files ? ' to ' + d.files.html + ' and ' + d.files.json : '') + ': ' + d.step + ' (' + Math.round(d.progress * 100) + '%)');
      $('debrief-progress').value = d.progress;
      show($('debrief-progress'), d.state === 'writing');
      var link = $('debrief-link');
      if (d.state === 'ready' && d.served !== false && link.hidden) { link.href = 'debrief?token=' + encodeURIComponent(token); link.hidden = false; }
    }
    // The speed field shows the drill's speed, and follows it when someone else changes it (gameday ctl, another
    // facilitator): a field left at the old speed, pressed Set, put the drill back to a speed nobody asked for now.
    if (m.speed !== shownSpeed && !speedEdited && document.activeElement !== $('speed-input')) { $('speed-input').value = m.speed; shownSpeed = m.speed; }
  }

  function resetAll(u) {
    clearTables();
    state.latestShare = {};
    state.lastT = -1;
    state.windowCount = 0;
    var sel = $('service');
    if (!sel.options.length) u.lists.services.forEach(function (s) { var o = text(document.createElement('option'), s); o.value = s; sel.appendChild(o); });
  }

  function apply(u) {
    if (u.reset) resetAll(u);
    state.meta = u.meta;
    state.plans = u.plans;
    u.rows.exposure.forEach(function (r) { state.latestShare[r.flag] = r.share; });
    // Windows arrive in time order, each once; a row at or before the last window seen is never drawn twice.
    var last = state.lastT;
    var fresh = { exposure: [], services: [], journeys: [] };
    ['exposure', 'services', 'journeys'].forEach(function (k) {
      fresh[k] = u.rows[k].filter(function (r) { return u.reset || r.t > last; });
    });
    fresh.journeys.forEach(function (r) { if (r.t > state.lastT) state.lastT = r.t; });
    // The windows closed so far: the rows carry the latest of them only (u.series.charted at most).
    state.windowCount = u.series ? u.series.windows : u.reset ? countT(fresh.journeys) : state.windowCount + countT(fresh.journeys);
    state.updates++;
    renderMeta(u.meta);
    var running = u.meta.status === 'running' || u.meta.status === 'paused';
    renderPlans(u.plans, running);
    renderHealth(u.health, u.hiddenFaults || []);
    var b = u.budget;
    text($('budget'), b.text);
    // Counts as the debrief and the terminal write them (4,744 failed journeys).
    text($('budget-detail'), '(' + count(b.failed) + ' failed journeys of the ' + count(Math.round(b.allowed * 10) / 10) + ' the SLO allows over the whole horizon)');
    renderFaults(u.faults);
    if (u.hiddenFaults) renderHiddenFaults(u.hiddenFaults);
    renderList('breakers', u.breakers, function (x) { return x.edge + ': ' + x.state; });
    renderCatalogue(u.catalogue);
    renderPeople(u.people);
    addActions(u.actions);
    addAudit(u.audit);
    var decisions = u.audit.filter(function (a) { return a.event === 'decision'; })
      .map(function (a) { return { t: a.simSeconds, label: a.flag + ': ' + a.action + (a.by ? ' by ' + a.by : ' (' + a.actor + ')') }; });
    chartUpdate(u, fresh, decisions);
    document.body.setAttribute('data-windows', String(state.windowCount));
    document.body.setAttribute('data-updates', String(state.updates));
  }

  var lastUpdate = 0;
  var open = false;
  function connection(s) {
    var el = $('connection');
    text(el, s);
    if (el.className !== 'connection ' + s) el.className = 'connection ' + s;
    var was = document.body.getAttribute('data-connection');
    if (was === s) return;
    document.body.setAttribute('data-connection', s);
    // Said once to a screen reader, as the drill's course is: the figures stand still while the page is cut off.
    if (serverStopped) return;
    if (s === 'disconnected' && (was === 'live' || was === 'stale')) text($('announce'), 'The connection to the drill is lost: the figures are as of the last update, and the page reconnects by itself.');
    else if (s === 'live' && was === 'disconnected') text($('announce'), 'Connected to the drill again.');
  }
  // The browser reconnects a dropped stream by itself, but gives up for good on an answer that is not a stream (the
  // 503 a resumed drill answers while it is replayed from its journal, a proxy's 502): then the page opens it again,
  // with the last event id it saw (in the address: a new stream sends no Last-Event-ID), rather than stay
  // disconnected on the figures it last had.
  var events = null, lastEventId = null;
  function connect() {
    events = new EventSource('api/events?token=' + encodeURIComponent(token) + (lastEventId ? '&last=' + encodeURIComponent(lastEventId) : ''));
    window.drillEvents = events;
    events.addEventListener('hello', function (e) {
      me = JSON.parse(e.data).you;
      document.body.setAttribute('data-role', me.role);
      text($('you'), me.name + ' (' + me.role + ')');
    });
    events.addEventListener('update', function (e) {
      lastUpdate = Date.now();
      lastEventId = e.lastEventId;
      window.drillLastEventId = e.lastEventId;
      apply(JSON.parse(e.data));
      if (open) connection('live');
    });
    events.addEventListener('open', function () { open = true; connection('live'); });
    events.addEventListener('error', function () {
      open = false;
      connection('disconnected');
      var gone = events;
      if (serverStopped) gone.close();
      else if (gone.readyState === 2) setTimeout(function () { if (events === gone) connect(); }, 2000);
    });
  }
  connect();
  setInterval(function () { if (open && lastUpdate && Date.now() - lastUpdate > 3000) connection('stale'); }, 500);
  $('service').addEventListener('change', function () { chartsReady.then(redrawService); });
`;

export const DASHBOARD_JS = `(function () {\n  'use strict';\n${COMMON_JS}${CHARTS_JS}${TABLES_JS}${CONTROLS_JS}${MAIN_JS}})();\n`;
