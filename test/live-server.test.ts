/**
 * The game-day server on loopback: a token per person on every request (the Bearer scheme in any case), roles
 * (observers refused with 403, names bound to tokens), the origin check, validated bodies, /assets/ answering
 * 404 for any name, invitations, the event stream resuming from Last-Event-ID without repeating a row, the
 * hidden case absent from everything served and hidden faults from all but the facilitator's state, and /metrics.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Drill, type Link } from '../src/live/drill.js';
import { drawCase, newSecret } from '../src/live/hidden.js';
import { readDrillScenario } from '../src/live/session.js';
import { requestToken } from '../src/live/server.js';
import { actionLine } from '../src/cli/gameday.js';
import type { RecordedAction } from '../src/live/actions.js';
import { clock } from '../src/units/format.js';

const file = join(import.meta.dirname, 'fixtures', 'drill-hidden.yaml');
const SECRETS = ['zebra-quartz', 'mango-violet', 'quiet-drag', 'ochre-lantern', 'latency web -> pay', 'hidden ad-hoc'];

let drill: Drill;
let links: Link[];
let secret: string;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-server-'));
const token = (name: string) => new URL(links.find((l) => l.name === name)!.url).searchParams.get('token')!;
const origin = () => drill.server.origin;

beforeAll(async () => {
  secret = newSecret();
  const base = readDrillScenario(file, null);
  const caseName = drawCase(base.base.cases, secret);
  const read = readDrillScenario(file, caseName);
  ({ drill, links } = await Drill.open({ file: read.file, caseName, hiddenCase: true, seed: 7, gates: 'advisory' }, read, secret, 1, {
    host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada', 'bob'], scribes: ['sam'], observers: true,
    out: join(dir, 'drill'), cadenceMs: 100,
  }));
}, 120_000);

afterAll(async () => {
  await drill?.stop();
});

const api = (path: string, init: RequestInit & { as?: string | null; auth?: string } = {}) => {
  const headers = new Headers(init.headers);
  if (init.auth !== undefined) headers.set('Authorization', init.auth);
  else if (init.as !== null) headers.set('Authorization', `Bearer ${token(init.as ?? 'fran')}`);
  return fetch(`${origin()}${path}`, { ...init, headers });
};
const act = (body: unknown, as = 'fran', headers: Record<string, string> = {}) =>
  api('/api/actions', { method: 'POST', body: JSON.stringify(body), as, headers: { 'Content-Type': 'application/json', Origin: origin(), ...headers } });

describe('game-day server', () => {
  it('prints a link per person, on loopback, each with its own token', () => {
    expect(links.map((l) => [l.name, l.role])).toEqual([['fran', 'facilitator'], ['ada', 'operator'], ['bob', 'operator'], ['sam', 'scribe'], ['observers', 'observer']]);
    for (const l of links) expect(l.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
    expect(new Set(links.map((l) => token(l.name))).size).toBe(5);
  });

  it('401 and nothing else without a token, on every route (the page and the event stream included)', async () => {
    for (const path of ['/', '/api/state', '/api/events', '/metrics', '/assets/vega.min.js', '/debrief', '/nowhere']) {
      const r = await api(path, { as: null });
      expect(r.status, path).toBe(401);
      expect(await r.text()).toBe('');
      const t = token('fran');
      expect((await api(path, { auth: `Bearer ${t.slice(0, -1)}${t.at(-1) === 'x' ? 'y' : 'x'}` })).status).toBe(401);
    }
    expect((await fetch(`${origin()}/api/state?token=${token('ada')}`)).status).toBe(200);
    expect((await fetch(`${origin()}/api/actions`, { method: 'POST', body: '{"type":"end"}' })).status).toBe(401);
  });

  it('matches the Bearer scheme in any case (RFC 9110), and nothing else as a scheme', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      expect((await api('/api/state', { auth: `${scheme} ${token('ada')}` })).status, scheme).toBe(200);
    }
    expect((await api('/api/state', { auth: `Basic ${token('ada')}` })).status).toBe(401);
    expect(requestToken('bearer\tabc', undefined)).toBe('abc');
    expect(requestToken('Bearer', 'q')).toBe('q');
  });

  it('/assets/ answers 404, never 500, for any name', async () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'prototype', '..%2Fpackage.json', '%00', 'vega.min.js.map', 'x'.repeat(300)]) {
      const r = await api(`/assets/${name}`);
      expect(r.status, name).toBe(404);
    }
    expect((await api('/assets/dashboard.js')).status).toBe(200);
  });

  it('refuses state changes from another origin, and GET on the action route', async () => {
    expect((await act({ type: 'start' }, 'fran', { Origin: 'http://evil.example' })).status).toBe(403);
    expect((await act({ type: 'start' }, 'fran', { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect((await api('/api/actions')).status).toBe(404);
    expect(drill.session.status).toBe('lobby');
  });

  it('400 with a message for bad bodies; nobody can act under another name', async () => {
    for (const body of ['not json', '{"type":"launch"}', '{"type":"plan","flag":"new-pay","op":"explode"}', '{"type":"speed","speed":-3}',
      '{"type":"note","text":""}', '{"type":"adhoc-fault","fault":{"kind":"latency"}}', '{"type":"note","text":"hi","by":"ada"}', '[1,2]']) {
      const r = await api('/api/actions', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      expect(r.status, body).toBe(400);
      expect((await r.json()).error.length).toBeGreaterThan(5);
    }
    const huge = await api('/api/actions', { method: 'POST', body: JSON.stringify({ type: 'note', text: 'x'.repeat(100_000) }), headers: { 'Content-Type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(drill.session.actions).toHaveLength(0);
  });

  it('an unknown or missing action type is named, with the types there are and the nearest one', async () => {
    const error = async (body: string) => {
      const r = await api('/api/actions', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      expect(r.status, body).toBe(400);
      return (await r.json()).error as string;
    };
    const types = 'start, clock, speed, plan, fault, adhoc-fault, remove-fault, note, countdown, end';
    expect(await error('{"type":"bogus"}')).toBe(`type: unknown type "bogus": expected one of ${types}`);
    expect(await error('{"type":"notes","text":"hi"}')).toBe(`type: unknown type "notes": expected one of ${types}; did you mean "note"?`);
    expect(await error('{}')).toBe(`type: missing "type": expected one of ${types}`);
    expect(await error('{"type":"plan","flag":"new-pay","op":"promot"}')).toBe('op: expected one of "promote", "pause", "resume", "rollback", "approve", not "promot"; did you mean "promote"?');
    expect(drill.session.actions).toHaveLength(0);
  });

  it('the lobby: the clock stands still until the facilitator starts; an operator cannot start it', async () => {
    expect((await act({ type: 'note', text: 'joined' }, 'sam')).status).toBe(200);
    expect((await act({ type: 'start' }, 'ada')).status).toBe(403);
    expect(drill.session.nowUs).toBe(0);
    expect((await act({ type: 'start' })).status).toBe(200);
    expect((await act({ type: 'clock', op: 'pause' })).status).toBe(200);
    expect((await act({ type: 'clock', op: 'pause' })).status).toBe(409); // already paused: refused, recorded
    expect(drill.session.status).toBe('running');
  });

  it('roles: observers may not act (403); scribes note; operators act on plans; each action is attributed by its token', async () => {
    const before = drill.session.actions.length;
    for (const body of [{ type: 'note', text: 'watching' }, { type: 'plan', flag: 'new-pay', op: 'pause' }, { type: 'end' }]) {
      const r = await act(body, 'observers');
      expect(r.status).toBe(403);
      expect((await r.json()).error).toMatch(/observers watch/);
    }
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'pause' }, 'sam')).status).toBe(403);
    expect((await act({ type: 'fault', name: 'pay-down' }, 'ada')).status).toBe(403);
    expect((await act({ type: 'end' }, 'ada')).status).toBe(403);
    expect(drill.session.actions.length).toBe(before);
    drill.session.advanceTo(4.2 * 60e6); // the first hold (4m) is over: stage 2 waits for approval
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'approve', reason: 'dashboards are calm' }, 'ada')).status).toBe(200);
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'pause' }, 'bob')).status).toBe(200);
    expect((await act({ type: 'note', text: 'bob paused it' }, 'sam')).status).toBe(200);
    const recent = drill.session.actions.slice(before).map((a) => [a.by, a.role, a.action.type, a.refused]);
    expect(recent).toEqual([['ada', 'operator', 'plan', null], ['bob', 'operator', 'plan', null], ['sam', 'scribe', 'note', null]]);
    const audit = drill.session.controller!.audit.filter((a) => a.actor === 'operator' && a.event === 'decision');
    expect(audit.map((a) => [a.action, a.by])).toEqual([['approve', 'ada'], ['pause', 'bob']]);
    expect(audit[0].reason).toContain('dashboards are calm');
  });

  it('the facilitator invites people during the drill; others cannot; a name is taken once', async () => {
    const r = await api('/api/invite', { method: 'POST', body: JSON.stringify({ name: 'cy', role: 'operator' }), headers: { 'Content-Type': 'application/json', Origin: origin() } });
    expect(r.status).toBe(200);
    const { url } = await r.json();
    const t = new URL(url).searchParams.get('token')!;
    const me = await (await fetch(`${origin()}/api/state`, { headers: { Authorization: `Bearer ${t}` } })).json();
    expect(me.you).toEqual({ name: 'cy', role: 'operator' });
    expect((await api('/api/invite', { method: 'POST', as: 'ada', body: JSON.stringify({ name: 'dee', role: 'operator' }), headers: { 'Content-Type': 'application/json' } })).status).toBe(403);
    expect((await api('/api/invite', { method: 'POST', body: JSON.stringify({ name: 'cy', role: 'scribe' }), headers: { 'Content-Type': 'application/json' } })).status).toBe(409);
    expect((await api('/api/invite', { method: 'POST', body: JSON.stringify({ name: 'x', role: 'king' }), headers: { 'Content-Type': 'application/json' } })).status).toBe(400);
  });

  it('streams updates with ids; a page that reconnects with Last-Event-ID gets only what came after, no row twice', async () => {
    const read = async (headers: Record<string, string>, count: number) => {
      const ac = new AbortController();
      const r = await api('/api/events', { signal: ac.signal, headers });
      expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
      const reader = r.body!.getReader();
      let text = '';
      const events: { event: string; id: string | null; data: any }[] = [];
      while (events.length < count) {
        text += new TextDecoder().decode((await reader.read()).value);
        let cut: number;
        while ((cut = text.indexOf('\n\n')) >= 0) {
          const block = text.slice(0, cut);
          text = text.slice(cut + 2);
          const field = (k: string) => block.split('\n').find((l) => l.startsWith(`${k}:`))?.slice(k.length + 1).trim() ?? null;
          events.push({ event: field('event')!, id: field('id'), data: JSON.parse(field('data')!) });
        }
      }
      ac.abort();
      return events;
    };
    const first = await read({}, 3);
    expect(first[0]).toMatchObject({ event: 'hello', data: { you: { name: 'fran', role: 'facilitator' } } });
    expect(first[1].data.reset).toBe(true);
    expect(first[1].data.rows.journeys.length).toBeGreaterThan(0);
    const lastId = first[2].id!;
    // Windows close while the page is away; it comes back with the id of the last update it saw.
    drill.session.advanceTo(drill.session.nowUs + 90e6);
    expect((await act({ type: 'note', text: 'while you were away' }, 'sam')).status).toBe(200);
    const again = await read({ 'Last-Event-ID': lastId }, 3);
    const seq = (id: string) => Number(id.split('-')[1]);
    expect(again[1].data.reset).toBe(false);
    expect(seq(again[1].id!)).toBe(seq(lastId) + 1);
    const seenT = new Set([...first.slice(1), ...again.slice(1)].flatMap((e) => e.data.rows.journeys.map((r: { t: number }) => r.t)));
    const rows = [...first.slice(1), ...again.slice(1)].flatMap((e) => e.data.rows.journeys);
    expect(rows.length).toBe(seenT.size); // one journey in the fixture: one row per window, never twice
    const notes = [...again.slice(1)].flatMap((e) => e.data.actions).filter((a: { what: string }) => a.what === 'note: while you were away');
    expect(notes).toHaveLength(1);
    // A page opening its stream again after its browser gave up on it (a 503) names the last id in the address.
    const ac = new AbortController();
    const r = await fetch(`${origin()}/api/events?token=${token('fran')}&last=${again[2].id}`, { signal: ac.signal });
    const reader = r.body!.getReader();
    let body = '';
    while ((body.match(/\n\n/g) ?? []).length < 2) body += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    expect(body.split('\n\n')[1]).toMatch(new RegExp(`^event: update\ndata: \\{"reset":false,[^\n]*\nid: [0-9a-f]{8}-${seq(again[2].id!) + 1}$`));
    // An id from another run of the server gets a reset.
    const stale = await read({ 'Last-Event-ID': 'deadbeef-3' }, 2);
    expect(stale[1].data.reset).toBe(true);
  });

  it('nothing served gives the hidden case away, nor a hidden fault but to the facilitator; hidden ad-hoc faults leave no trace, no gap in numbering', async () => {
    expect((await act({ type: 'fault', name: 'quiet-drag' })).status).toBe(200);
    expect((await act({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '30ms', for: '1m', hidden: true } })).status).toBe(200);
    expect((await act({ type: 'adhoc-fault', fault: { kind: 'abort', target: 'web', percent: '1%', for: '1m' } })).status).toBe(200);
    drill.session.advanceTo(drill.session.nowUs + 30e6);
    await new Promise((r) => setTimeout(r, 300));
    const served = [
      await (await api('/api/state', { as: 'ada' })).text(),
      await (await api('/api/state', { as: 'observers' })).text(),
      await (await api('/')).text(),
      await (await api('/assets/dashboard.js')).text(),
      await (await api('/metrics')).text(),
    ].join('\n');
    for (const s of [...SECRETS, secret]) expect(served, s).not.toContain(s);
    const state = JSON.parse(served.split('\n')[0]).state;
    expect(state.meta.case).toBe('hidden until the debrief');
    expect(state.faults.map((f: { name: string }) => f.name)).toEqual(['ad-hoc 1']);
    // A fault's key (its row on the page) counts only the faults that are not hidden: pay-down, slow-web, then
    // ad-hoc 1. Counting all would make it 6, which says two hidden faults came before it.
    expect(state.faults.map((f: { key: number }) => f.key)).toEqual([3]);
    const numbers = state.actions.map((a: { n: number }) => a.n);
    expect(numbers).toEqual(numbers.map((_: number, i: number) => i + 1));
    expect(state.actions.some((a: { what: string }) => /quiet|hidden/.test(a.what))).toBe(false);
    // The facilitator's state lists the hidden faults they may remove, and holds the case no more than anyone's.
    const mine = await (await api('/api/state')).text();
    for (const s of ['zebra-quartz', 'mango-violet', secret]) expect(mine, s).not.toContain(s);
    expect(JSON.parse(mine).state.hiddenFaults.map((f: { name: string }) => f.name)).toEqual(['quiet-drag', 'hidden ad-hoc 1']);
  });

  it('a name that matches nothing is a bad body (400, the nearest name, not recorded); what does not apply now is refused (409, recorded)', async () => {
    const before = drill.session.actions.length;
    const bad = async (body: unknown) => {
      const r = await act(body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      return (await r.json()).error as string;
    };
    expect(await bad({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'pya', add: '300ms', for: '5m' } }))
      .toBe('fault.target: unknown service "pya"; did you mean "pay"?');
    expect(await bad({ type: 'adhoc-fault', fault: { kind: 'latency', target: 'web -> pya', add: '300ms', for: '5m' } })).toMatch(/^fault\.target: .*"pya".*did you mean "pay"\?/);
    expect(await bad({ type: 'fault', name: 'pay-donw' })).toBe('name: no fault "pay-donw" in the catalogue; did you mean "pay-down"? (catalogue: pay-down, slow-web)');
    // A hidden catalogue fault is neither suggested nor listed.
    expect(await bad({ type: 'fault', name: 'quiet-drga' })).toBe('name: no fault "quiet-drga" in the catalogue (catalogue: pay-down, slow-web)');
    expect(await bad({ type: 'plan', flag: 'new-pya', op: 'pause' })).toBe('flag: no rollout plan for flag "new-pya"; did you mean "new-pay"? (plans: new-pay)');
    expect(drill.session.actions.length).toBe(before);
    const again = await act({ type: 'fault', name: 'quiet-drag' }); // injected once already: does not apply now
    expect(again.status).toBe(409);
    expect((await again.json()).refused).toBe('fault quiet-drag has already been injected');
    expect(drill.session.actions.length).toBe(before + 1);
  });

  it('the terminal reads an instant as every report does (to the nearest second)', () => {
    const at = (atUs: number) => actionLine({ atUs, wallTime: '', by: 'fran', role: 'facilitator', action: { type: 'note', text: 'x' }, refused: null }).slice(0, 10);
    expect([at(849.6e6), at(849.4e6), at(3054.5e6), at(3599.7e6)]).toEqual(['[14m10s] f', '[14m09s] f', '[50m55s] f', '[1h00m00s]']);
    expect([849.6, 3054.5].map(clock)).toEqual(['14m10s', '50m55s']);
  });

  it('the terminal prints a refusal whole, however many lines its reason has', () => {
    const line = actionLine({ atUs: 849e6, wallTime: '', by: 'fran', role: 'facilitator', action: { type: 'adhoc-fault', fault: { kind: 'latency', target: 'paymnts' } as never },
      refused: 'the fault does not fit the scenario:\nfault: target: unknown service "paymnts"; did you mean "payments"?' });
    expect(line).toBe('[14m09s] fran (facilitator): injected ad-hoc fault latency on paymnts — refused: the fault does not fit the scenario: fault: target: unknown service "paymnts"; did you mean "payments"?');
  });

  it('serves /metrics in the exposition format: the simulated telemetry\'s series and the drill clock', async () => {
    const text = await (await api('/metrics', { as: 'observers' })).text();
    expect(text).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(text).toMatch(/^http_server_request_duration_seconds_bucket\{service_name="pay",http_route="charge",.*le="\+Inf"\} \d+$/m);
    const web = [...text.matchAll(/^http_requests_total\{service_name="web",[^}]*\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const simulated = Number(/^rehearse_simulated_seconds_total (\S+)$/m.exec(text)![1]);
    expect(simulated).toBeGreaterThan(200);
    // 40 journeys a second, Poisson: within 5 standard deviations.
    expect(Math.abs(web / simulated - 40)).toBeLessThan(5 * Math.sqrt(40 / simulated));
  });

  it('ending: confirmed by the facilitator only; the debrief is written in a worker while the server answers', async () => {
    expect((await act({ type: 'end' }, 'bob')).status).toBe(403);
    const r = await act({ type: 'end', reason: 'enough' });
    expect(r.status).toBe(200);
    // While the worker writes the debrief, the server answers at once.
    const started = performance.now();
    for (let i = 0; i < 5; i++) expect((await api('/api/state')).status).toBe(200);
    expect(performance.now() - started).toBeLessThan(5000);
    const result = await drill.debriefDone;
    expect(result).not.toBeNull();
    const doc = JSON.parse((await (await api('/debrief.json')).text()));
    expect(doc.revealed.case).toBe(drill.session.setup.caseName);
    expect(doc.revealed.secret).toBe(secret);
    expect(doc.revealed.hiddenFaults.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['quiet-drag', 'hidden ad-hoc 1']));
    expect(doc.record.actions.find((a: { action: { type: string } }) => a.action.type === 'end').by).toBe('fran');
    // One instant, one reading: the terminal's line, the debrief's action rows and its faults' starts agree.
    const html = await (await api('/debrief')).text();
    for (const a of doc.record.actions as RecordedAction[]) {
      expect(actionLine(a).startsWith(`[${clock(a.atUs / 1e6)}]`)).toBe(true);
      expect(html).toContain(`<tr><td>${clock(a.atUs / 1e6)}</td><td>${a.wallTime}</td>`);
    }
    const adhoc = (doc.record.actions as RecordedAction[]).find((a) => a.faultName === 'ad-hoc 1')!;
    expect(html).toMatch(new RegExp(`<tr><td>ad-hoc 1</td>.*<td>${clock(adhoc.atUs / 1e6)}</td><td>${clock(adhoc.atUs / 1e6)}</td><td>[^<]*</td><td>[^<]*</td><td>[^<]* journeys? hurt[^<]*</td><td>[^<]* journeys? hurt[^<]*</td></tr>`));
    expect((await act({ type: 'note', text: 'too late' }, 'sam')).status).toBe(409);
  }, 120_000);
});

describe('remote teams', () => {
  it('--host 0.0.0.0 --public-url: links use the public address, requests from it are allowed, others refused', async () => {
    const read = readDrillScenario(join(import.meta.dirname, 'fixtures', 'drill.yaml'), 'healthy');
    const { drill: remote, links: remoteLinks } = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 60, {
      host: '0.0.0.0', port: 0, publicUrl: 'https://drill.example.test/team-a/', endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'],
      out: join(dir, 'remote'),
    });
    try {
      expect(remoteLinks.map((l) => l.url)).toEqual([
        expect.stringMatching(/^https:\/\/drill\.example\.test\/team-a\/\?token=[\w-]{32}$/),
        expect.stringMatching(/^https:\/\/drill\.example\.test\/team-a\/\?token=[\w-]{32}$/),
      ]);
      const local = `http://127.0.0.1:${remote.server.port}`;
      const t = new URL(remoteLinks[0].url).searchParams.get('token');
      const post = (origin: string) => fetch(`${local}/api/actions`, { method: 'POST', body: '{"type":"note","text":"hi"}', headers: { Authorization: `Bearer ${t}`, Origin: origin, 'Content-Type': 'application/json' } });
      expect((await post('https://drill.example.test')).status).toBe(200);
      expect((await post('https://elsewhere.example.test')).status).toBe(403);
      // The page's paths are relative: it works under the proxy's path.
      const html = await (await fetch(`${local}/?token=${t}`)).text();
      expect(html).toContain('src="assets/dashboard.js?token=');
      expect(html).not.toMatch(/(src|href)="\/(assets|api)/);
    } finally {
      await remote.stop();
    }
  }, 120_000);
});
