/**
 * The dashboard's tables and panels (part of dashboard.js). The DOM is stable: a plan's row, its buttons and
 * its reason field are made once and then only their text changes, so a click is never lost to a rebuild.
 * Rows that accumulate (actions, audit) are added once each, by number; times of day are the viewer's own.
 */
export const TABLES_JS = String.raw`
  var PLAN_OPS = [['promote', 'Promote'], ['pause', 'Pause'], ['resume', 'Resume'], ['approve', 'Approve'], ['rollback', 'Roll back…']];
  var planRows = {};

  function makePlanRow(flag) {
    var tr = document.createElement('tr');
    tr.setAttribute('data-flag', flag);
    var r = { tr: tr, cells: {}, gates: [] };
    // The flag's cell heads its row, so that a screen reader names the row with it when moving across cells.
    ['flag', 'phase', 'stage', 'target', 'on', 'config', 'gates'].forEach(function (k) {
      var td = document.createElement(k === 'flag' ? 'th' : 'td');
      if (k === 'flag') td.setAttribute('scope', 'row');
      td.className = k;
      r.cells[k] = td;
      tr.appendChild(td);
    });
    text(r.cells.flag, flag);
    var acts = document.createElement('td');
    acts.className = 'acts';
    r.reason = document.createElement('input');
    r.reason.className = 'reason';
    r.reason.placeholder = 'reason';
    r.reason.maxLength = 500;
    r.reason.setAttribute('aria-label', 'reason for acting on ' + flag);
    acts.appendChild(r.reason);
    r.buttons = PLAN_OPS.map(function (b) {
      var btn = text(document.createElement('button'), b[1]);
      btn.setAttribute('data-op', b[0]);
      // Every plan has the same five buttons: the name says which plan ("Pause new-checkout"), not just "Pause".
      btn.setAttribute('aria-label', b[1].replace(/…$/, '') + ' ' + flag + (/…$/.test(b[1]) ? '…' : ''));
      guarded(btn, function () { return planAction(flag, b[0], r); });
      acts.appendChild(btn);
      return btn;
    });
    tr.appendChild(acts);
    return r;
  }

  function renderPlans(plans, running) {
    var body = $('plans').tBodies[0];
    // A scenario without a plan says so, rather than show the plans' headers over no row.
    if ($('no-plans').hidden !== (plans.length > 0)) { $('no-plans').hidden = plans.length > 0; $('plans').hidden = plans.length === 0; }
    plans.forEach(function (p) {
      var r = planRows[p.flag];
      if (!r) { r = planRows[p.flag] = makePlanRow(p.flag); body.appendChild(r.tr); }
      text(r.cells.phase, planPhase(p.phase, p.stage));
      text(r.cells.stage, p.stage < 0 ? 'not started' : (p.stage + 1) + ' of ' + p.stages);
      text(r.cells.target, p.percent + '% of users');
      text(r.cells.on, state.latestShare[p.flag] == null ? '–' : pct(state.latestShare[p.flag]) + ' of journeys');
      text(r.cells.config, 'v' + p.version);
      r.version = p.version;
      r.phase = p.phase;
      p.gates.forEach(function (g, i) {
        var span = r.gates[i];
        if (!span) { span = r.gates[i] = document.createElement('span'); span.className = 'gate'; r.cells.gates.appendChild(span); }
        var reading = g.verdict == null ? 'no reading yet' : g.verdict + ': ' + g.reading + ' at ' + fmtSim(g.atSeconds);
        text(span, g.source + ' — ' + reading);
        var cls = 'gate verdict-' + (g.verdict || 'none');
        if (span.className !== cls) span.className = cls;
      });
      r.buttons.forEach(function (b) { if (b.disabled === running) b.disabled = !running; });
    });
  }

  var healthCards = {};
  // hidden: the facilitator's hidden faults (none on other pages), counted on the services their target names, as the
  // server counts visible ones; a fault whose target depends on the hidden case is counted on none.
  function hiddenOn(service, hidden) {
    return hidden.filter(function (f) { return f.described && f.target.split(/\s*->\s*|\./).indexOf(service) >= 0; }).length;
  }
  function renderHealth(rows, hidden) {
    var box = $('health');
    rows.forEach(function (h) {
      var c = healthCards[h.service];
      if (!c) {
        c = healthCards[h.service] = { div: document.createElement('div'), name: document.createElement('strong'), line: document.createElement('span') };
        c.div.setAttribute('data-service', h.service);
        text(c.name, h.service);
        c.div.appendChild(c.name);
        c.div.appendChild(c.line);
        box.appendChild(c.div);
      }
      var cls = 'svc ' + h.state;
      if (c.div.className !== cls) c.div.className = cls;
      text(c.line, h.perSecond.toFixed(1) + '/s · errors ' + percent(h.errorRate) + ' · p99 ' + fmtMs(h.p99)
        + (h.breakersOpen ? ' · ' + h.breakersOpen + ' breaker(s) open' : '') + (h.faults ? ' · ' + h.faults + ' fault(s)' : ''));
      var n = hiddenOn(h.service, hidden);
      var mark = c.hidden;
      if (n && !mark) {
        mark = c.hidden = document.createElement('span');
        mark.className = 'hidden-fault';
        c.div.appendChild(mark);
      }
      if (mark) text(mark, n ? n + ' hidden fault(s): only facilitators see it' : '');
      if (mark && mark.hidden !== !n) mark.hidden = !n;
    });
  }

  var faultRows = {};
  function renderFaults(faults) {
    var body = $('faults').tBodies[0];
    faults.forEach(function (f) {
      var r = faultRows[f.key];
      if (!r) {
        r = faultRows[f.key] = { tr: document.createElement('tr'), cells: [] };
        r.tr.setAttribute('data-fault', f.name);
        for (var i = 0; i < 6; i++) { r.cells.push(document.createElement('td')); r.tr.appendChild(r.cells[i]); }
        r.cells[5].className = 'facilitator-only';
        // A fault injected during the drill can be taken out while it is on (or about to be): the button names it.
        r.remove = document.createElement('button');
        r.remove.textContent = 'Remove…';
        r.remove.setAttribute('aria-label', 'Remove fault ' + f.name);
        r.remove.addEventListener('click', function () { removeFault(f.name, false); });
        body.insertBefore(r.tr, body.firstChild);
      }
      // Only while it can be removed: a fault over, or of the scenario's own schedule, has no button (nor its text).
      if (f.removable && !r.remove.parentNode) r.cells[5].appendChild(r.remove);
      else if (!f.removable && r.remove.parentNode) r.cells[5].removeChild(r.remove);
      text(r.cells[0], f.name + ' (' + f.kind + ')' + (f.active ? ' active' : f.removed ? ' removed' : ' over'));
      text(r.cells[1], f.target);
      text(r.cells[2], f.size);
      text(r.cells[3], fmtSim(f.fromSeconds));
      text(r.cells[4], f.untilSeconds == null ? 'the end of the drill' : fmtSim(f.untilSeconds));
      var cls = f.active ? 'active' : 'over';
      if (r.tr.className !== cls) r.tr.className = cls;
    });
  }

  // The facilitator's page alone is sent the hidden faults it may remove (hiddenFaults), each update all of them: a
  // row for each, marked hidden, with the same Remove… as a visible one; a row whose fault is no longer there (removed,
  // or over) goes, and the focus it held moves to the table rather than be lost.
  var hiddenRows = {};
  function renderHiddenFaults(faults) {
    var body = $('faults').tBodies[0];
    var now = {};
    faults.forEach(function (f) {
      now[f.name] = true;
      var r = hiddenRows[f.name];
      if (!r) {
        r = hiddenRows[f.name] = { tr: document.createElement('tr'), cells: [] };
        r.tr.setAttribute('data-hidden-fault', f.name);
        r.tr.className = 'hidden-fault';
        for (var i = 0; i < 6; i++) { r.cells.push(document.createElement('td')); r.tr.appendChild(r.cells[i]); }
        var remove = text(document.createElement('button'), 'Remove…');
        remove.setAttribute('aria-label', 'Remove hidden fault ' + f.name);
        remove.addEventListener('click', function () { removeFault(f.name, true); });
        r.cells[5].appendChild(remove);
        body.insertBefore(r.tr, body.firstChild);
      }
      var unsaid = 'depends on the hidden case';
      text(r.cells[0], f.name + (f.kind ? ' (' + f.kind + ')' : '') + ' active, hidden: only facilitators see it');
      text(r.cells[1], f.described ? f.target : unsaid);
      text(r.cells[2], f.described ? f.size : unsaid);
      text(r.cells[3], fmtSim(f.fromSeconds));
      text(r.cells[4], !f.described ? unsaid : f.untilSeconds == null ? 'the end of the drill' : fmtSim(f.untilSeconds));
    });
    Object.keys(hiddenRows).forEach(function (name) {
      if (now[name]) return;
      var tr = hiddenRows[name].tr;
      delete hiddenRows[name];
      var focused = tr.contains(document.activeElement);
      tr.parentNode.removeChild(tr);
      if (focused) { $('faults').setAttribute('tabindex', '-1'); $('faults').focus(); }
    });
  }

  var listKeys = {};
  function renderList(id, items, fmt) {
    var lines = items.length ? items.map(fmt) : ['none'];
    var key = JSON.stringify(lines);
    if (listKeys[id] === key) return;
    listKeys[id] = key;
    var ul = $(id);
    ul.textContent = '';
    lines.forEach(function (l) { ul.appendChild(text(document.createElement('li'), l)); });
  }

  function renderCatalogue(items) {
    var key = JSON.stringify(items);
    if (listKeys.catalogue === key) return;
    listKeys.catalogue = key;
    var sel = $('catalogue');
    var keep = sel.value;
    sel.textContent = '';
    items.forEach(function (f) { var o = text(document.createElement('option'), f.name + ' (' + f.kind + ' ' + f.target + ', ' + f.size + ')'); o.value = f.name; sel.appendChild(o); });
    if (keep) sel.value = keep;
  }

  var lastAction = 0;
  function addActions(actions) {
    var body = $('actions').tBodies[0];
    actions.forEach(function (a) {
      if (a.n <= lastAction) return;
      lastAction = a.n;
      var tr = document.createElement('tr');
      tr.setAttribute('data-n', a.n);
      cell(tr, fmtSim(a.simSeconds)); cell(tr, localTime(a.wallTime)); cell(tr, a.by + ' (' + a.role + ')'); cell(tr, a.what); cell(tr, a.refused ? 'refused: ' + a.refused : 'done');
      body.insertBefore(tr, body.firstChild);
    });
  }

  function addAudit(rows) {
    var au = $('audit').tBodies[0];
    rows.forEach(function (a) {
      var tr = document.createElement('tr');
      cell(tr, fmtSim(a.simSeconds)); cell(tr, a.flag); cell(tr, a.by ? a.actor + ' (' + a.by + ')' : a.actor);
      cell(tr, a.action || a.event); cell(tr, a.stage); cell(tr, a.percent); cell(tr, 'v' + a.configVersion); cell(tr, a.reason);
      au.insertBefore(tr, au.firstChild);
    });
    while (au.rows.length > 400) au.deleteRow(au.rows.length - 1);
  }

  function renderPeople(people) {
    var key = JSON.stringify(people);
    if (listKeys.people === key) return;
    listKeys.people = key;
    text($('lobby-people'), people.filter(function (p) { return p.connected; }).map(function (p) { return p.name + ' (' + p.role + ')'; }).join(', ') || 'nobody yet');
  }

  function clearTables() {
    $('actions').tBodies[0].textContent = '';
    $('audit').tBodies[0].textContent = '';
    lastAction = 0;
  }
`;
