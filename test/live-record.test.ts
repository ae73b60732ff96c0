/**
 * Nothing lost, and the record proves itself: the built CLI runs a drill whose journal is written as things
 * happen; killed with SIGKILL mid-drill it resumes from the journal to the same state and the same result;
 * SIGTERM keeps the journal (exit 143); a journal whose drill never ended gives a debrief; replay works from any
 * directory, checks the scenario's content hash, and reports an edited record as tampering.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, mkdtempSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { JournalWriter, readJournal } from '../src/live/journal.js';
import { sha256 } from '../src/live/session.js';
import { clock } from '../src/units/format.js';
import { VERSION } from '../src/version.js';

const root = new URL('..', import.meta.url).pathname;
const fixture = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** The built CLI as a child: its output as it comes, and its exit. */
function cli(args: string[], cwd = root) {
  const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? -1 : null))));
  return {
    child, exited,
    get out() { return out; },
    get err() { return err; },
    // A loaded machine's budget: a drill's first lines took over a minute beside three other test files.
    async line(re: RegExp, timeoutMs = 200_000): Promise<RegExpMatchArray> {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no line ${re} in:\n${out}\n${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

async function run(args: string[], cwd = root): Promise<{ code: number | null; out: string; err: string }> {
  const c = cli(args, cwd);
  const code = await c.exited;
  return { code, out: c.out, err: c.err };
}

const post = async (url: string, body: unknown) => {
  const u = new URL(url);
  const r = await fetch(new URL('/api/actions', u.origin), { method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${u.searchParams.get('token')}`, 'Content-Type': 'application/json' } });
  return { status: r.status, body: await r.json() };
};
const state = async (url: string) => {
  const u = new URL(url);
  return (await (await fetch(new URL('/api/state', u.origin), { headers: { Authorization: `Bearer ${u.searchParams.get('token')}` } })).json()).state;
};
const waitFor = async (what: () => Promise<boolean>, timeoutMs = 60_000) => {
  const until = Date.now() + timeoutMs;
  while (!(await what())) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 100));
  }
};
/** What a drill's state says that replay must reproduce: the clock, plans, budget, faults, windows and actions. */
const essentials = (s: any) => ({
  now: s.meta.nowSeconds, plans: s.plans, budget: s.budget, faults: s.faults, health: s.health,
  windows: s.rows.journeys, actions: s.actions.map((a: any) => [a.n, a.simSeconds, a.by, a.what, a.refused]),
});

describe('the journal: nothing lost', () => {
  it('a drill killed with SIGKILL mid-drill resumes from its journal to the same state, and ends with the same result as its replay', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-kill-'));
    const first = cli(['gameday', fixture, '--speed', '200', '--operator', 'ada', '--out', join(dir, 'd'), '--end-when-done', 'off']);
    const fran = (await first.line(/^facilitator facilitator: (\S+)$/m))[1];
    const ada = (await first.line(/^operator ada: (\S+)$/m))[1];
    expect((await post(fran, { type: 'start' })).status).toBe(200);
    await waitFor(async () => (await state(fran)).meta.nowSeconds > 150);
    expect((await post(fran, { type: 'fault', name: 'slow-web' })).status).toBe(200);
    expect((await post(fran, { type: 'adhoc-fault', fault: { kind: 'abort', target: 'pay', percent: '20%', for: '2m', hidden: true } })).status).toBe(200);
    await waitFor(async () => (await state(fran)).meta.nowSeconds > 300);
    expect((await post(ada, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'errors on pay' })).status).toBe(200);
    expect((await post(ada, { type: 'note', text: 'paused while we look' })).status).toBe(200);
    expect((await post(fran, { type: 'clock', op: 'pause' })).status).toBe(200);
    const before = essentials(await state(fran));
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe(-1);

    // As if the crash had come in the middle of writing a line: it is dropped, and the resumed drill writes on after the last whole one.
    appendFileSync(join(dir, 'd.journal'), '{"kind":"clock","atUs":99');
    const second = cli(['gameday', 'resume', join(dir, 'd.journal'), '--exit-on-end', '--end-when-done', 'off']);
    const fran2 = (await second.line(/^facilitator facilitator: (\S+)$/m))[1];
    expect(second.out).toMatch(/resumed from .* the clock stopped/);
    const after = essentials(await state(fran2));
    expect(after).toEqual(before);
    // The operator's link from before the crash still works, attributed to the same person.
    const ada2 = ada.replace(new URL(ada).origin, new URL(fran2).origin);
    expect((await post(ada2, { type: 'plan', flag: 'new-pay', op: 'resume', reason: 'false alarm' })).status).toBe(200);
    expect((await post(fran2, { type: 'clock', op: 'resume' })).status).toBe(200);
    await waitFor(async () => (await state(fran2)).meta.nowSeconds > after.now + 60);
    expect((await post(fran2, { type: 'end' })).status).toBe(200);
    expect(await second.exited).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
    expect(doc.record.resumed).toHaveLength(1);
    expect(doc.record.actions.map((a: any) => [a.by, a.action.type])).toEqual([
      ['facilitator', 'start'], ['facilitator', 'fault'], ['facilitator', 'adhoc-fault'], ['ada', 'plan'], ['ada', 'note'], ['facilitator', 'clock'],
      ['ada', 'plan'], ['facilitator', 'clock'], ['facilitator', 'end'],
    ]);
    // The debrief of the resumed drill is what replaying its whole record gives, byte for byte.
    const replay = await run(['gameday', 'replay', join(dir, 'd.json')]);
    expect(replay.out).toMatch(/replay identical/);
    expect(replay.code).toBe(0);
  }, 240_000);

  it('a resumed drill serves where it was served, so people\'s links still work; when it cannot, it says so and gives the new address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-where-'));
    const first = cli(['gameday', fixture, '--speed', '200', '--operator', 'ada', '--out', join(dir, 'd'), '--end-when-done', 'off']);
    const fran = (await first.line(/^facilitator facilitator: (\S+)$/m))[1];
    const ada = (await first.line(/^operator ada: (\S+)$/m))[1];
    expect((await post(fran, { type: 'start' })).status).toBe(200);
    await waitFor(async () => (await state(fran)).meta.nowSeconds > 60);
    first.child.kill('SIGKILL');
    await first.exited;
    expect(readJournal(join(dir, 'd.journal')).served).toMatchObject({ host: '127.0.0.1', port: Number(new URL(fran).port), url: `${new URL(fran).origin}/` });

    // Resumed without --port: the same address, and the link ada had works as it is.
    const again = cli(['gameday', 'resume', join(dir, 'd.journal'), '--end-when-done', 'off']);
    const fran2 = (await again.line(/^facilitator facilitator: (\S+)$/m))[1];
    expect(new URL(fran2).origin).toBe(new URL(fran).origin);
    expect(again.out).toContain(`the links people had still work (${new URL(fran).origin}/); a new one for the facilitator:`);
    expect((await post(ada, { type: 'note', text: 'same link as before' })).status).toBe(200);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(143);

    // The port is taken now: said plainly, with the new address; never that the old links work.
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(Number(new URL(fran).port), '127.0.0.1', () => r()));
    try {
      const third = cli(['gameday', 'resume', join(dir, 'd.journal'), '--end-when-done', 'off']);
      const fran3 = (await third.line(/^facilitator facilitator: (\S+)$/m))[1];
      expect(new URL(fran3).origin).not.toBe(new URL(fran).origin);
      expect(third.out).toContain(`the drill was served on 127.0.0.1:${new URL(fran).port} and that port cannot be taken now (EADDRINUSE): the links people had (${new URL(fran).origin}/) do not work; the links people had work with their address changed to ${new URL(fran3).origin}/ (their tokens still work)`);
      expect(third.out).not.toMatch(/still work \(/);
      const ada3 = ada.replace(new URL(ada).origin, new URL(fran3).origin);
      expect((await post(ada3, { type: 'note', text: 'new address, same token' })).status).toBe(200);
      third.child.kill('SIGTERM');
      expect(await third.exited).toBe(143);
    } finally {
      squatter.close();
    }
    // The journal says where it was served last: there, next time.
    expect(readJournal(join(dir, 'd.journal')).served!.port).not.toBe(Number(new URL(fran).port));
  }, 240_000);

  it('a journal that does not say where its drill was served (an older version wrote it) resumes, with the new address', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-older-'));
    const path = join(dir, 'old.journal');
    const w = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: '0.3.0', wall: '2026-12-06T10:00:00.000Z', scenario: { file: fixture, sha256: sha256(readFileSync(fixture, 'utf8')), name: 'drill' },
      seed: 7, gates: 'on', speed: 60, case: { hidden: false, name: 'healthy' },
    });
    w.append({ kind: 'person', wall: '2026-12-06T10:00:00.000Z', name: 'fran', role: 'facilitator', token: sha256('a token') });
    w.append({ kind: 'action', atUs: 0, wallTime: '2026-12-06T10:00:00.000Z', by: 'fran', role: 'facilitator', action: { type: 'start' }, refused: null });
    w.append({ kind: 'clock', atUs: 30_000_000, wall: '2026-12-06T10:00:00.000Z', speed: 60, paused: false });
    w.close();
    expect(readJournal(path).served).toBeNull();
    const c = cli(['gameday', 'resume', path, '--end-when-done', 'off']);
    const fran = (await c.line(/^facilitator fran: (\S+)$/m))[1];
    expect(c.out).toContain(`the journal does not say where the drill was served (an older version wrote it): the links people had work with their address changed to ${new URL(fran).origin}/ (their tokens still work); a new one for the facilitator:`);
    expect(c.out).not.toMatch(/still work \(/);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(143);
  }, 120_000);

  it('SIGTERM keeps the journal (exit 143); a drill that never ended is debriefed to where its journal stops', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-term-'));
    const c = cli(['gameday', fixture, '--speed', '300', '--out', join(dir, 'd')]);
    const fran = (await c.line(/^facilitator facilitator: (\S+)$/m))[1];
    expect((await post(fran, { type: 'start' })).status).toBe(200);
    await waitFor(async () => (await state(fran)).meta.nowSeconds > 200);
    expect((await post(fran, { type: 'note', text: 'about to be stopped' })).status).toBe(200);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(143);
    expect(c.out).toMatch(/the journal keeps the drill/);
    const j = readJournal(join(dir, 'd.journal'));
    expect(j.end).toBeNull();
    expect(j.lastAtUs).toBeGreaterThan(200e6);
    const d = await run(['gameday', 'debrief', join(dir, 'd.journal')]);
    expect(d.code).toBe(0);
    // Where it stops, as the clock reads it everywhere else (the terminal, the pages, the debrief).
    expect(d.out).toContain(`the drill never ended: debriefed to ${clock(j.lastAtUs / 1e6)} simulated, where the journal stops`);
    const doc = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
    expect(doc.record.end).toMatchObject({ reason: 'interrupted', atUs: j.lastAtUs });
    expect(doc.team.simulated.seconds).toBe(j.lastAtUs / 1e6);
    expect(doc.record.actions.at(-1).action.text).toBe('about to be stopped');
  }, 240_000);

  it('Ctrl-C in the lobby stops at once: the drill never started, there is nothing to end or debrief', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-int-'));
    const c = cli(['gameday', fixture, '--out', join(dir, 'd')]);
    await c.line(/^the lobby is open/m);
    c.child.kill('SIGINT');
    await c.line(/^the drill never started: stopped, nothing to debrief$/m);
    expect(await c.exited).toBe(0);
    // Not "ending the drill", then an end refused into the record, then a second Ctrl-C to get out (exit 130).
    expect(readJournal(join(dir, 'd.journal')).actions).toEqual([]);
  }, 240_000);

  it('Ctrl-C ends the drill and writes the debrief; a second Ctrl-C stops at once, and the journal still gives the debrief', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-int-'));
    const c = cli(['gameday', fixture, '--speed', '300', '--start', '--out', join(dir, 'd')]);
    const fran = (await c.line(/^facilitator facilitator: (\S+)$/m))[1];
    await waitFor(async () => (await state(fran)).meta.nowSeconds > 120);
    c.child.kill('SIGINT');
    await c.line(/^ending the drill/m);
    c.child.kill('SIGINT');
    const code = await c.exited;
    // Stopped at once (130), or the debrief was already written (0): either way the drill is in the journal.
    expect([0, 130]).toContain(code);
    const j = readJournal(join(dir, 'd.journal'));
    expect(j.end).toMatchObject({ reason: 'by-hand' });
    expect(j.actions.at(-1)).toMatchObject({ by: 'facilitator', action: { type: 'end', reason: 'Ctrl-C at the terminal' } });
    const d = await run(['gameday', 'debrief', join(dir, 'd.journal'), '--out', join(dir, 'again')]);
    expect(d.code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'again.json'), 'utf8')).record.end).toMatchObject({ reason: 'by-hand', atUs: j.end!.atUs });
    // A drill that ended cannot be resumed: it is debriefed.
    const r = await run(['gameday', 'resume', join(dir, 'd.journal')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/this drill has ended: write its debrief/);
  }, 240_000);

  it('a line cut short by a crash is dropped; an edited line is reported as tampering', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-journal-'));
    const path = join(dir, 'x.journal');
    const w = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: '0', wall: '2026-12-06T10:00:00.000Z', scenario: { file: fixture, sha256: '0'.repeat(64), name: 'drill' },
      seed: 7, gates: 'on', speed: 60, case: { hidden: false, name: null },
    });
    w.append({ kind: 'action', atUs: 0, wallTime: '2026-12-06T10:00:00.000Z', by: 'ada', role: 'scribe', action: { type: 'note', text: 'hello' }, refused: null });
    w.append({ kind: 'clock', atUs: 5_000_000, wall: '2026-12-06T10:00:00.000Z', speed: 60, paused: false });
    w.close();
    expect(() => JournalWriter.create(path, {} as never)).toThrow(/already there/);
    const whole = readJournal(path);
    expect(whole).toMatchObject({ truncated: false, lastAtUs: 5_000_000 });
    appendFileSync(path, '{"kind":"clock","atUs":9');
    expect(readJournal(path)).toMatchObject({ truncated: true, lastAtUs: whole.lastAtUs });
    const lines = readFileSync(path, 'utf8').split('\n');
    writeFileSync(path, lines.map((l) => l.replace('"text":"hello"', '"text":"hullo"')).join('\n'));
    expect(() => readJournal(path)).toThrow(/altered here/);
  });
});

describe('replay proves the whole record', () => {
  it('a journal another version recorded replays, and says which version recorded it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-replay-'));
    const path = join(dir, 'old.journal');
    const w = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: '0.1.9', wall: '2026-12-06T10:00:00.000Z', scenario: { file: fixture, sha256: sha256(readFileSync(fixture, 'utf8')), name: 'drill' },
      seed: 7, gates: 'on', speed: 60, case: { hidden: false, name: 'healthy' },
    });
    w.append({ kind: 'action', atUs: 0, wallTime: '2026-12-06T10:00:00.000Z', by: 'fran', role: 'facilitator', action: { type: 'start' }, refused: null });
    w.append({ kind: 'end', atUs: 60_000_000, wall: '2026-12-06T10:00:00.000Z', reason: 'by-hand' });
    w.close();
    const r = await run(['gameday', 'replay', path]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^replay of the journal: 1 action re-applied/);
    expect(r.out).toMatch(new RegExp(`the drill was recorded with rehearse 0\\.1\\.9, this is ${VERSION.replace(/\./g, '\\.')}: the digest over this debrief with 0\\.1\\.9's number is [0-9a-f]{64}, the drill's own when the debrief has not changed`));
  }, 120_000);

  it('a journal whose hash chain is broken is a check that failed: debrief, replay and resume all exit 1 and say where', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-edited-'));
    const path = join(dir, 'd.journal');
    const w = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: VERSION, wall: '2026-12-06T10:00:00.000Z', scenario: { file: fixture, sha256: sha256(readFileSync(fixture, 'utf8')), name: 'drill' },
      seed: 7, gates: 'on', speed: 60, case: { hidden: false, name: 'healthy' },
    });
    w.append({ kind: 'person', wall: '2026-12-06T10:00:00.000Z', name: 'fran', role: 'facilitator', token: sha256('a token') });
    w.append({ kind: 'action', atUs: 0, wallTime: '2026-12-06T10:00:00.000Z', by: 'fran', role: 'facilitator', action: { type: 'start' }, refused: null });
    w.append({ kind: 'action', atUs: 20_000_000, wallTime: '2026-12-06T10:00:00.000Z', by: 'fran', role: 'facilitator', action: { type: 'note', text: 'hello' }, refused: null });
    w.append({ kind: 'clock', atUs: 30_000_000, wall: '2026-12-06T10:00:00.000Z', speed: 60, paused: false });
    w.close();
    writeFileSync(path, readFileSync(path, 'utf8').replace('"text":"hello"', '"text":"hullo"'));
    for (const args of [['debrief', path], ['replay', path], ['resume', path]]) {
      const r = await run(['gameday', ...args]);
      expect(r.err, args[0]).toContain(`${path}:4: the journal has been altered here: this line's hash does not follow from the lines before it`);
      expect(r.err, args[0]).not.toMatch(/\n\s+at /);
      expect(r.code, args[0]).toBe(1);
    }
  }, 120_000);

  it('works from any directory, finds a moved scenario beside the record, checks its hash, and reports edits as tampering', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-replay-'));
    const scenarioDir = mkdtempSync(join(tmpdir(), 'rehearse-scenario-'));
    copyFileSync(fixture, join(scenarioDir, 'drill.yaml'));
    const c = cli(['gameday', join(scenarioDir, 'drill.yaml'), '--speed', '2000', '--hidden-case', '--operator', 'ada', '--out', join(dir, 'd'), '--exit-on-end'], tmpdir());
    const fran = (await c.line(/^facilitator facilitator: (\S+)$/m))[1];
    const ada = (await c.line(/^operator ada: (\S+)$/m))[1];
    await post(ada, { type: 'note', text: 'hello' });
    await post(fran, { type: 'start' });
    await post(ada, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'just in case' });
    expect(await c.exited).toBe(0);
    // Nothing before the debrief is written, which reveals the case at the terminal as on its page.
    expect(c.out.split('debrief written to ')[0]).not.toMatch(/healthy|broken/);
    expect(c.out).toContain(`  revealed: the case was ${JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8')).revealed.case} (hidden during the drill)`);
    expect(readFileSync(join(dir, 'd.journal'), 'utf8').split('\n').slice(0, -2).join('\n')).not.toMatch(/healthy|broken/);
    const doc = JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'));
    expect(['healthy', 'broken']).toContain(doc.revealed.case);
    // The secret was the facilitator's alone: a file only its owner reads, revealed in the debrief.
    expect(statSync(join(dir, 'd.secret')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dir, 'd.secret'), 'utf8').trim()).toBe(doc.revealed.secret);
    // Moved: the scenario now sits beside the record, and replay runs from another directory.
    renameSync(join(scenarioDir, 'drill.yaml'), join(dir, 'drill.yaml'));
    const ok = await run(['gameday', 'replay', join(dir, 'd.json')], '/');
    expect(ok.out).toMatch(/replay identical/);
    expect(ok.code).toBe(0);
    const edit = (f: (d: any) => void) => {
      const copy = JSON.parse(JSON.stringify(doc));
      f(copy);
      writeFileSync(join(dir, 'edited.json'), JSON.stringify(copy));
      return run(['gameday', 'replay', join(dir, 'edited.json')], '/');
    };
    for (const f of [
      (d: any) => (d.record.actions[0].action.text = 'goodbye'),
      (d: any) => (d.record.actions[0].wallTime = '2020-01-01T00:00:00.000Z'),
      (d: any) => (d.record.actions[2].by = 'fran'),
      (d: any) => (d.verdict.text = 'The team beat the policy'),
      (d: any) => (d.policy.outcomes.journeys_failed += 1),
    ]) {
      const r = await edit(f);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(/tampered/);
    }
    // Edited, and the digest recomputed to match: replay still tells, since the record no longer replays to it.
    const { documentDigest } = await import('../src/live/record.js');
    const forged = await edit((d: any) => {
      d.team.outcomes.journeys_failed = 0;
      d.digest = documentDigest(d);
    });
    expect(forged.code).toBe(1);
    expect(forged.err).toMatch(/tampered: the digest holds but the record does not replay/);
    // Another scenario file under the same name: its content hash is not the recorded one.
    appendFileSync(join(dir, 'drill.yaml'), '\n# edited\n');
    const changed = await run(['gameday', 'replay', join(dir, 'd.json')], '/');
    expect(changed.code).toBe(2);
    expect(changed.err).toMatch(/not the one the drill ran/);
  }, 240_000);
});
