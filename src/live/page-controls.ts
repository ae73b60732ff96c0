/**
 * The dashboard's controls (part of dashboard.js): actions posted with the person's token as a bearer
 * credential (the server knows who they are from it); End drill and Roll back ask first, in a dialog.
 */
export const CONTROLS_JS = String.raw`
  function say(msg, error) {
    var el = $('message');
    text(el, msg);
    el.className = error ? 'error' : '';
  }

  // An answer that is not the drill's JSON (a proxy's error page) keeps its status, with no body.
  function request(path, body) {
    return fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token }, body: JSON.stringify(body) })
      .then(function (r) { return r.json().then(function (j) { return { status: r.status, body: j }; }, function () { return { status: r.status, body: {} }; }); });
  }
  // No answer came (the connection dropped, the server stopped): the request may have reached the drill before the
  // answer was lost, so the page says neither done nor refused, and where to look before pressing again.
  function noAnswer(what, why) {
    say('no answer from the drill (' + (why || 'the connection was lost') + '): ' + what + ' may or may not have been recorded; look for it in Actions once the page says live, before trying again', true);
  }

  // Resolves with the answer's status (0 when none came): 200 done and 409 refused are both recorded.
  function submit(body) {
    return request('api/actions', body).then(function (r) {
      if (r.status === 200) say((r.body.what ? r.body.what + ': ' : '') + 'done at ' + fmtSim(r.body.atSeconds), false);
      else if (r.body.refused || r.body.error) say(r.body.refused || r.body.error, true);
      else noAnswer('the action', 'HTTP ' + r.status + ', not an answer of the drill');
      return r.status;
    }).catch(function () { noAnswer('the action'); return 0; });
  }
  function post(body) { return submit(body).then(function (status) { return status === 200; }); }

  // A control sends once at a time: a click while its answer is awaited (the second click of a double click) is not
  // sent again. It would have made a second ad-hoc fault or note, and a second start, pause or promote refused in the
  // record, its refusal the last word on the page for an action that was done.
  function guarded(btn, run) {
    btn.addEventListener('click', function () {
      if (btn.getAttribute('aria-busy') === 'true') return;
      var p = run();
      if (!p || typeof p.then !== 'function') return;
      btn.setAttribute('aria-busy', 'true');
      var done = function () { btn.removeAttribute('aria-busy'); };
      p.then(done, done);
    });
  }

  var pending = null;
  function confirmThen(message, run) {
    pending = run;
    text($('confirm-text'), message);
    $('confirm').showModal();
    $('confirm-cancel').focus();
  }
  $('confirm-cancel').addEventListener('click', function () { pending = null; $('confirm').close(); });
  $('confirm-ok').addEventListener('click', function () { var run = pending; pending = null; $('confirm').close(); if (run) run(); });

  function planAction(flag, op, row) {
    var reason = row.reason.value.trim();
    var send = function () {
      var body = { type: 'plan', flag: flag, op: op };
      if (reason) body.reason = reason;
      // The version this page shows: a promote someone else made first (or the policy's) refuses this one
      // rather than skip a stage.
      if (op === 'promote' && row.version != null) body.version = row.version;
      // And the phase it shows: a pause someone made meanwhile (no new version) refuses this promote rather than
      // be overridden unseen.
      if (op === 'promote' && row.phase) body.phase = row.phase;
      // A reason goes with the one action it was typed for: once that action is recorded (done, or refused as
      // not applying now), the field is cleared, so the next button pressed does not carry it into the record.
      return submit(body).then(function (status) { if ((status === 200 || status === 409) && row.reason.value.trim() === reason) row.reason.value = ''; });
    };
    if (op === 'rollback') confirmThen('Roll back ' + flag + ' to 0%?' + (reason ? ' Reason: ' + reason : ' (no reason given)'), send);
    else return send();
  }

  guarded($('start'), function () { return post({ type: 'start' }); });
  guarded($('clock-pause'), function () { return post({ type: 'clock', op: 'pause' }); });
  guarded($('clock-resume'), function () { return post({ type: 'clock', op: 'resume' }); });
  // The field holds a number or nothing (a browser empties it of what is not a number): nothing is said here, not
  // sent as 0 and answered "expected 0.1 or more, not 0" for a speed nobody typed.
  guarded($('speed-set'), function () {
    var v = $('speed-input').value.trim();
    if (v === '') { say('give a speed: simulated seconds per wall second, from 0.1 to 100000', true); return; }
    speedEdited = false;
    return post({ type: 'speed', speed: Number(v) });
  });
  $('end').addEventListener('click', function () {
    confirmThen('End the drill now? Nobody can act after this; the debrief is written.', function () { post({ type: 'end' }); });
  });
  guarded($('countdown-cancel'), function () { return post({ type: 'countdown', op: 'cancel' }); });
  // A hidden fault's removal is said as a visible one's, in the status line (to this page alone: the answer is its own).
  function removeFault(name, hidden) {
    confirmThen('Remove ' + (hidden ? 'hidden ' : '') + 'fault ' + name + ' now? It switches off (or never switches on), and cannot be injected again under this name.', function () { post({ type: 'remove-fault', name: name }); });
  }
  guarded($('inject'), function () {
    if ($('catalogue').value) return post({ type: 'fault', name: $('catalogue').value });
    else say('the scenario has no faults-catalogue: inject an ad-hoc fault instead (below)', true);
  });
  guarded($('note-add'), function () {
    var t = $('note').value.trim();
    if (t) return post({ type: 'note', text: t }).then(function (ok) { if (ok) $('note').value = ''; });
  });
  guarded($('adhoc-inject'), function () {
    var kind = $('adhoc-kind').value;
    var f = { kind: kind, target: $('adhoc-target').value.trim() };
    // A field left empty is left out, as in a scenario (every call; until the drill ends), not sent empty and refused.
    var share = $('adhoc-percent').value.trim(), lasts = $('adhoc-for').value.trim(), add = $('adhoc-add').value.trim(), factor = $('adhoc-factor').value.trim();
    // A cpu-stress or an instance-kill acts on the whole service: it takes no percent (refused if sent).
    if (share && kind !== 'cpu-stress' && kind !== 'instance-kill') f.percent = share;
    if (lasts) f.for = lasts;
    if (kind === 'latency' && add) f.add = add;
    if (kind === 'cpu-stress' && factor) f.factor = isFinite(Number(factor)) ? Number(factor) : factor;
    if ($('adhoc-hidden').checked) f.hidden = true;
    return post({ type: 'adhoc-fault', fault: f });
  });
  guarded($('invite'), function () {
    var name = $('invite-name').value.trim();
    if (!name) { say('give the name of the person to invite', true); return; }
    return request('api/invite', { name: name, role: $('invite-role').value }).then(function (r) {
      if (r.status !== 200) { say(r.body.error || ('HTTP ' + r.status), true); return; }
      $('invite-link').value = r.body.url;
      $('invite-name').value = '';
      say('invited ' + r.body.name + ' as ' + r.body.role + ': send them the link', false);
    }).catch(function () { noAnswer('the invitation'); });
  });
`;
