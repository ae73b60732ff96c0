/**
 * The game-day server on loopback: the token on every request, the origin check on POST, validated bodies,
 * every action through the HTTP API (state and audit rows), the event stream, /metrics, and `gameday ctl`
 * and `gameday replay` through the built CLI.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PacedDriver } from '../src/live/driver.js';
import { startDrillServer, type DrillServer } from '../src/live/server.js';
import { DrillSession } from '../src/live/session.js';
import { drillDocument } from '../src/live/debrief.js';

const root = new URL('..', import.meta.url).pathname;
const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const run = promisify(execFile);

let session: DrillSession;
let driver: PacedDriver;
let server: DrillServer;

beforeAll(async () => {
  session = new DrillSession({ file, caseName: 'healthy', hiddenCase: true, seed: 7, gates: 'advisory' });
  driver = new PacedDriver(session, { speed: 1 });
  server = await startDrillServer({ session, driver, host: '127.0.0.1', port: 0, defaultName: 'facilitator', debrief: () => null });
  // The clock stays paused: the test steps the simulation itself.
  driver.pause();
  session.advanceTo(4.5 * 60e6);
});

afterAll(async () => {
  await server?.close();
});

const api = (path: string, init: RequestInit & { token?: string | null } = {}) => {
  const headers = new Headers(init.headers);
  if (init.token !== null) headers.set('Authorization', `Bearer ${init.token ?? server.token}`);
  return fetch(`${server.origin}${path}`, { ...init, headers });
};
const act = (body: unknown, headers: Record<string, string> = {}) =>
  api('/api/actions', { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json', Origin: server.origin, ...headers } });

describe('game-day server', () => {
  it('listens on loopback and prints a URL with the token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/);
  });

  it('401 and nothing else without the token, on every route (the page and the event stream included)', async () => {
    for (const path of ['/', '/api/state', '/api/events', '/metrics', '/assets/vega.min.js', '/debrief', '/nowhere']) {
      const r = await api(path, { token: null });
      expect(r.status, path).toBe(401);
      expect(await r.text()).toBe('');
      const last = server.token.at(-1) === 'x' ? 'y' : 'x';
      const wrong = await api(path, { token: `${server.token.slice(0, -1)}${last}` });
      expect(wrong.status).toBe(401);
    }
    expect((await fetch(`${server.origin}/api/state?token=${server.token}`)).status).toBe(200);
    const post = await fetch(`${server.origin}/api/actions`, { method: 'POST', body: '{"type":"end"}' });
    expect(post.status).toBe(401);
    expect(session.ended).toBe(false);
  });

  it('refuses state changes from another origin, and GET on the action route', async () => {
    const r = await act({ type: 'clock', op: 'resume' }, { Origin: 'http://evil.example' });
    expect(r.status).toBe(403);
    expect((await act({ type: 'clock', op: 'resume' }, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
    expect(driver.paused).toBe(true);
    expect((await api('/api/actions')).status).toBe(404);
    expect(session.actions).toHaveLength(0);
  });

  it('400 with a message for bad bodies, never a crash', async () => {
    const bad = [
      'not json',
      JSON.stringify({ type: 'launch' }),
      JSON.stringify({ type: 'plan', flag: 'new-pay', op: 'explode' }),
      JSON.stringify({ type: 'speed', speed: -3 }),
      JSON.stringify({ type: 'note', text: '' }),
      JSON.stringify({ type: 'adhoc-fault', fault: { kind: 'latency' } }),
      JSON.stringify({ type: 'clock', op: 'pause', extra: 1 }),
      JSON.stringify([1, 2]),
    ];
    for (const body of bad) {
      const r = await api('/api/actions', { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
      expect(r.status, body).toBe(400);
      expect((await r.json()).error.length).toBeGreaterThan(5);
    }
    const huge = await api('/api/actions', { method: 'POST', body: JSON.stringify({ type: 'note', text: 'x'.repeat(100_000) }), headers: { 'Content-Type': 'application/json' } });
    expect(huge.status).toBe(413);
    expect(session.actions).toHaveLength(0);
  });

  it('every action through the API changes the drill and lands in the record and the audit trail', async () => {
    expect((await act({ type: 'speed', speed: 600, by: 'ada' })).status).toBe(200);
    expect(driver.speed).toBe(600);
    expect((await act({ type: 'clock', op: 'resume' })).status).toBe(200);
    expect(driver.paused).toBe(false);
    expect((await act({ type: 'clock', op: 'pause' })).status).toBe(200);
    expect(driver.paused).toBe(true);
    session.advanceTo(Math.max(session.nowUs, 4.2 * 60e6)); // the first hold (4m) is over: stage 2 waits for approval
    const state = await (await api('/api/state')).json();
    expect(state.plans[0].awaitingApproval).toBe(true);
    expect(state.meta.case).toBe('hidden until the debrief');
    expect(JSON.stringify(state)).not.toMatch(/healthy|broken|"latency web -> pay"/);
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'approve', by: 'ada' })).status).toBe(200);
    expect(session.controller!.planStates()[0]).toMatchObject({ stage: 1, percent: 50 });
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'pause', by: 'bob' })).status).toBe(200);
    expect(session.controller!.planStates()[0].phase).toBe('paused');
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'resume', by: 'bob' })).status).toBe(200);
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'promote', by: 'ada', reason: 'looks fine' })).status).toBe(200);
    expect(session.controller!.planStates()[0]).toMatchObject({ stage: 2, percent: 100 });
    const refused = await act({ type: 'plan', flag: 'no-such-flag', op: 'rollback' });
    expect(refused.status).toBe(409);
    expect((await refused.json()).refused).toMatch(/no rollout plan/);
    expect((await act({ type: 'fault', name: 'slow-web', by: 'chaos' })).status).toBe(200);
    session.advanceTo(session.nowUs + 1e6); // the fault switches on as an event at the instant of the action
    expect(session.sim.faults.active[session.scenario.faults.findIndex((f) => f.name === 'slow-web')]).toBe(1);
    // A hidden catalogue fault: applied, but neither the fault nor the action shows on the dashboard.
    expect((await act({ type: 'fault', name: 'quiet-drag', by: 'facilitator' })).status).toBe(200);
    session.advanceTo(session.nowUs + 1e6);
    expect(session.sim.faults.active[session.scenario.faults.findIndex((f) => f.name === 'quiet-drag')]).toBe(1);
    const seen = JSON.stringify(await (await api('/api/state')).json());
    expect(seen).toContain('slow-web');
    expect(seen).not.toContain('quiet-drag');
    expect((await act({ type: 'adhoc-fault', fault: { kind: 'abort', target: 'pay', percent: '5%', for: '1m' }, by: 'chaos' })).status).toBe(200);
    expect(session.scenario.faults.map((f) => f.name)).toContain('adhoc-1');
    expect((await act({ type: 'plan', flag: 'new-pay', op: 'rollback', by: '<img src=x onerror=alert(1)>' })).status).toBe(200);
    expect(session.controller!.planStates()[0]).toMatchObject({ phase: 'rolled-back', percent: 0 });
    expect((await act({ type: 'note', text: 'we rolled back <script>' })).status).toBe(200);
    const last = session.actions.at(-1)!;
    expect(last.by).toBe('facilitator');
    // Audit rows: people's plan actions with names and config versions.
    const audit = session.controller!.audit.filter((a) => a.actor === 'operator' && a.event === 'decision');
    expect(audit.map((a) => [a.action, a.by])).toEqual([
      ['approve', 'ada'], ['pause', 'bob'], ['resume', 'bob'], ['promote', 'ada'], ['rollback', '<img src=x onerror=alert(1)>'],
    ]);
    // After the approval, the policy enters the stage (its hold and gates as usual).
    expect(session.controller!.audit.find((a) => a.action === 'promote' && a.actor === 'policy' && a.stage === 1)).toBeDefined();
    const versions = audit.map((a) => a.configVersion);
    expect(versions.at(-1)).toBeGreaterThan(versions[0]);
    expect(session.actions.filter((a) => a.refused === null)).toHaveLength(12);
    expect(session.actions.every((a) => /^\d{4}-\d\d-\d\dT/.test(a.wallTime))).toBe(true);
  });

  it('streams state as server-sent events, from the first window on', async () => {
    const ac = new AbortController();
    const r = await api('/api/events', { signal: ac.signal });
    expect(r.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = r.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const data = JSON.parse(text.split('\n').find((l) => l.startsWith('data:'))!.slice(5));
    expect(data.exposure.length).toBeGreaterThan(0);
    expect(data.cursor.windows).toBe(session.sim.closedWindows.length);
    expect(data.actions.at(-1).what).toBe('note: we rolled back <script>');
  });

  it('serves /metrics in the exposition format with the token: the simulated telemetry\'s series and the drill clock', async () => {
    const text = await (await api('/metrics')).text();
    expect(text).toMatch(/^# TYPE http_requests_total counter$/m);
    expect(text).toMatch(/^# TYPE http_server_request_duration_seconds histogram$/m);
    expect(text).toMatch(/^http_server_request_duration_seconds_bucket\{service_name="pay",http_route="charge",.*le="\+Inf"\} \d+$/m);
    const web = [...text.matchAll(/^http_requests_total\{service_name="web",[^}]*\} (\d+)$/gm)].reduce((a, m) => a + Number(m[1]), 0);
    const simulated = Number(/^rehearse_simulated_seconds_total (\S+)$/m.exec(text)![1]);
    expect(simulated).toBeGreaterThan(200);
    // 40 journeys a second, Poisson: within 5 standard deviations.
    expect(Math.abs(web / simulated - 40)).toBeLessThan(5 * Math.sqrt(40 / simulated));
  });

  it('the ctl command acts through the same API; replay reproduces the drill', async () => {
    const cli = (...args: string[]) => run(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: root }).then(
      (r) => ({ code: 0, ...r }), (e) => ({ code: e.code as number, stdout: e.stdout as string, stderr: e.stderr as string }));
    const status = await cli('gameday', 'ctl', server.url, 'status');
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/new-pay: rolled-back/);
    const note = await cli('gameday', 'ctl', server.url, 'note', 'from', 'the', 'terminal', '--name', 'carol');
    expect(note.code).toBe(0);
    expect(session.actions.at(-1)).toMatchObject({ by: 'carol', action: { type: 'note', text: 'from the terminal' } });
    expect((await cli('gameday', 'ctl', server.url, 'rollback', 'new-pay')).code).toBe(1); // refused: already rolled back
    expect((await cli('gameday', 'ctl', server.url.replace(/token=.*/, 'token=wrong'), 'status')).stderr).toMatch(/401/);
    expect((await cli('gameday', 'ctl', server.url, 'launch')).code).toBe(2);
    expect((await cli('gameday', 'ctl', server.url, 'end')).code).toBe(0);
    expect(session.actions.at(-1)!.action.type).toBe('end');
    await new Promise((r) => setTimeout(r, 100));
    expect(session.ended).toBe(true);
    const late = await act({ type: 'note', text: 'too late' });
    expect(late.status).toBe(409);
    expect((await late.json()).refused).toBe('the drill has ended');
    expect(session.actions.at(-1)!.action.type).toBe('end');
    // The debrief and its replay.
    const doc = drillDocument(session);
    expect(doc.revealed.case).toBe('healthy');
    expect(doc.revealed.hiddenFaults.map((f) => f.name)).toEqual(['latency web -> pay', 'quiet-drag']);
    expect(doc.comparison[0].team.outcome).toBe('rolled-back');
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-drill-'));
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(dir, 'drill.json'), JSON.stringify(doc));
    const replay = await cli('gameday', 'replay', join(dir, 'drill.json'), '--out', join(dir, 'again'));
    expect(replay.stdout).toMatch(/replay identical/);
    expect(replay.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')).team).toEqual(JSON.parse(JSON.stringify(doc.team)));
    const html = readFileSync(join(dir, 'again.html'), 'utf8');
    expect(html).not.toContain('<img src=x');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    // A tampered record no longer replays identically.
    writeFileSync(join(dir, 'drill.json'), JSON.stringify({ ...doc, actions: doc.actions.filter((a) => a.action.type !== 'fault') }));
    const { replayCommand } = await import('../src/cli/gameday.js');
    const said: string[] = [];
    expect(replayCommand(join(dir, 'drill.json'), {}, { out: (x) => said.push(x), err: (x) => said.push(x) })).toBe(1);
    expect(said.join('\n')).toMatch(/differs/);
  }, 60_000);
});

describe('gameday command', () => {
  it('serves on loopback, prints the URL and nothing of a hidden case, writes the debrief when the drill ends', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-gameday-'));
    const r = await run(process.execPath, [join(root, 'bin/rehearse.js'), 'gameday', file, '--hidden-case', '--speed', '5000', '--exit-on-end', '--out', join(dir, 'drill')], { cwd: root });
    expect(r.stdout).toMatch(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{32}$/m);
    expect(r.stdout).toContain('case hidden until the debrief');
    expect(r.stdout).not.toMatch(/healthy|broken|latency web -> pay/);
    expect(r.stderr).toBe('');
    const doc = JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8'));
    expect(doc.schema).toBe('rehearse/drill@1');
    expect(['healthy', 'broken']).toContain(doc.revealed.case);
    expect(doc.scenario.hiddenCase).toBe(true);
    expect(readFileSync(join(dir, 'drill.html'), 'utf8')).toContain('Game-day debrief');
  }, 60_000);

  it('warns when served beyond loopback; terminal lines show control characters as "?"', async () => {
    const { hostWarning, actionLine } = await import('../src/cli/gameday.js');
    expect(hostWarning('127.0.0.1')).toBeNull();
    expect(hostWarning('::1')).toBeNull();
    expect(hostWarning('0.0.0.0')).toMatch(/^warning: serving on 0\.0\.0\.0/);
    expect(actionLine({ atUs: 61e6, wallTime: '', by: 'eve\u001b[2J', action: { type: 'note', text: 'hi\u0007' }, refused: null })).toBe('[1m01s] eve?[2J: note: hi?');
  });
});
