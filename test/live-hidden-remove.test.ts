/**
 * A hidden fault removed by the facilitator from the drill's state, on the served hidden-case fixture: the
 * facilitator's state and updates list the hidden faults they may remove (hiddenFaults), and no byte the operator,
 * the scribe or the observers receive holds one: the state (/api/state, whole or since a cursor), the event stream's
 * first update, its updates, its resumption from Last-Event-ID and its reset for an id of another run, and the same
 * after the drill is resumed from its journal (replayed). The removal is the facilitator's alone (an operator's is
 * 403), recorded in the journal, and the debrief counts the fault as removed by the facilitator.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill, type Link } from '../src/live/drill.js';
import { drawCase, hiddenFaultsAlike, newSecret } from '../src/live/hidden.js';
import { DrillSession, readDrillScenario } from '../src/live/session.js';
import { removableHiddenFaults } from '../src/live/view.js';

const file = join(import.meta.dirname, 'fixtures', 'drill-hidden.yaml');
/** What no one but the facilitator may receive before the end: the cases', the hidden faults' names and their field. */
const SECRETS = ['zebra-quartz', 'mango-violet', 'quiet-drag', 'ochre-lantern', 'latency web -> pay', 'hidden ad-hoc', 'hiddenFaults', 'hiddenSpans'];
const OTHERS = ['ada', 'sam', 'observers'];
const dir = mkdtempSync(join(tmpdir(), 'rehearse-hidden-remove-'));
const opened: Drill[] = [];

afterAll(async () => {
  for (const d of opened) await d.stop();
});

type Hidden = { name: string; kind: string | null; target: string | null; size: string | null; fromSeconds: number; untilSeconds: number | null; described: boolean };

function client(origin: () => string, links: Link[]) {
  const token = (name: string) => new URL(links.find((l) => l.name === name)!.url).searchParams.get('token')!;
  const get = async (path: string, as: string) => (await fetch(`${origin()}${path}`, { headers: { Authorization: `Bearer ${token(as)}` } })).text();
  const act = (body: unknown, as = 'fran') => fetch(`${origin()}/api/actions`, {
    method: 'POST', body: JSON.stringify(body), headers: { Authorization: `Bearer ${token(as)}`, 'Content-Type': 'application/json', Origin: origin() },
  });
  /** The first `count` events of a stream, as received (bytes), and each update's data parsed. */
  const events = async (as: string, count: number, headers: Record<string, string> = {}) => {
    const ac = new AbortController();
    const r = await fetch(`${origin()}/api/events`, { signal: ac.signal, headers: { Authorization: `Bearer ${token(as)}`, ...headers } });
    const reader = r.body!.getReader();
    let raw = '';
    while ((raw.match(/\n\n/g) ?? []).length < count) raw += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    const updates = raw.split('\n\n').filter((b) => b.startsWith('event: update')).map((b) => ({
      id: /^id: (.*)$/m.exec(b)![1], data: JSON.parse(/^data: (.*)$/m.exec(b)![1]) as { reset: boolean; hiddenFaults?: Hidden[]; hiddenSpans?: unknown[] },
    }));
    return { raw, updates };
  };
  return { token, get, act, events };
}

describe('hidden faults the facilitator may remove', () => {
  let secret = '';
  let drill: Drill;
  let links: Link[];
  const out = join(dir, 'drill');

  it('are in the facilitator\'s state and updates alone; removed from there, recorded, and counted as the facilitator\'s in the debrief', async () => {
    secret = newSecret();
    const caseName = drawCase(readDrillScenario(file, null).base.cases, secret);
    const read = readDrillScenario(file, caseName);
    ({ drill, links } = await Drill.open({ file: read.file, caseName, hiddenCase: true, seed: 7, gates: 'advisory' }, read, secret, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: ['ada'], scribes: ['sam'], observers: true, out, cadenceMs: 100,
    }));
    opened.push(drill);
    const c = client(() => drill.server.origin, links);
    const noSecret = (text: string, who: string) => {
      for (const s of [...SECRETS, secret]) expect(text, `${who}: ${s}`).not.toContain(s);
    };
    drill.startNow();
    // The clock stands still but for the test's steps: every instant below is exact.
    expect((await c.act({ type: 'clock', op: 'pause' })).status).toBe(200);
    drill.session.advanceTo(60e6);
    for (const body of [
      { type: 'fault', name: 'quiet-drag' },
      { type: 'adhoc-fault', fault: { kind: 'latency', target: 'pay', add: '25ms', for: '5m', hidden: true } },
      { type: 'adhoc-fault', fault: { kind: 'abort', target: 'web', percent: '1%', for: '5m' } },
    ]) expect((await c.act(body)).status).toBe(200);
    // Streams opened before the injections' updates: the first update of each is a reset (everything so far).
    const firstFran = c.events('fran', 4);
    const firstAda = c.events('ada', 4);
    drill.session.advanceTo(90e6);
    for (let i = 0; i < 3; i++) drill.feed.produce(Date.now());
    const [fran, ada] = await Promise.all([firstFran, firstAda]);

    // The facilitator's state: both hidden faults, described (the fixture's cases do not change them), with the
    // visible fault alone among the faults.
    const state = JSON.parse(await c.get('/api/state', 'fran')).state;
    expect(state.faults.map((f: { name: string }) => f.name)).toEqual(['ad-hoc 1']);
    expect(state.hiddenFaults).toEqual([
      { name: 'quiet-drag', kind: 'latency', target: 'pay', size: '+30 ms', fromSeconds: 60, untilSeconds: 120, described: true },
      { name: 'hidden ad-hoc 1', kind: 'latency', target: 'pay', size: '+25 ms', fromSeconds: 60, untilSeconds: 360, described: true },
    ]);
    expect(fran.updates[0].data.reset).toBe(true);
    for (const u of fran.updates) expect(u.data.hiddenFaults!.map((f) => f.name)).toEqual(['quiet-drag', 'hidden ad-hoc 1']);
    // Everyone else's: not a byte of them, in the state (whole, and since a cursor) or the stream.
    expect(ada.updates[0].data.reset).toBe(true);
    noSecret(ada.raw, 'ada\'s stream');
    const cursor = JSON.parse(await c.get('/api/state', 'ada')).next as string;
    for (const who of OTHERS) {
      noSecret(await c.get('/api/state', who), `${who}'s state`);
      noSecret(await c.get(`/api/state?since=${cursor}`, who), `${who}'s state since a cursor`);
      noSecret((await c.events(who, 3)).raw, `${who}'s stream`);
      // Resumed from the last update it saw, and reset for an id of another run of the server.
      noSecret((await c.events(who, 3, { 'Last-Event-ID': ada.updates[0].id })).raw, `${who}'s resumed stream`);
      noSecret((await c.events(who, 3, { 'Last-Event-ID': 'deadbeef-3' })).raw, `${who}'s reset stream`);
    }
    // The same rows beside them: the facilitator's text is everyone's with the one field more.
    const [mine, theirs] = await Promise.all([c.get('/api/state', 'fran'), c.get('/api/state', 'ada')]);
    const strip = (t: string) => {
      // Who is connected and the instant it was sent may change between the two answers.
      const { state: { hiddenFaults: _h, hiddenSpans: _s, meta: _m, people: _p, ...rest } } = JSON.parse(t);
      return rest;
    };
    expect(strip(mine)).toEqual(strip(theirs));
    expect(Object.keys(JSON.parse(theirs).state)).not.toContain('hiddenFaults');
    expect(Object.keys(JSON.parse(theirs).state)).not.toContain('hiddenSpans');

    // An operator may not remove it; the facilitator may, and it leaves their list (the journal has it).
    expect((await c.act({ type: 'remove-fault', name: 'hidden ad-hoc 1' }, 'ada')).status).toBe(403);
    const removed = await c.act({ type: 'remove-fault', name: 'hidden ad-hoc 1' });
    expect(removed.status).toBe(200);
    expect((await removed.json()).what).toBe('removed fault hidden ad-hoc 1');
    drill.feed.produce(Date.now());
    expect(JSON.parse(await c.get('/api/state', 'fran')).state.hiddenFaults.map((f: Hidden) => f.name)).toEqual(['quiet-drag']);
    const journal = readFileSync(`${out}.journal`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const line = journal.find((l) => l.kind === 'action' && l.action.type === 'remove-fault');
    expect(line).toMatchObject({ by: 'fran', role: 'facilitator', atUs: 90e6, refused: null, action: { name: 'hidden ad-hoc 1' } });
    for (const who of OTHERS) noSecret(await c.get('/api/state', who), `${who}'s state after the removal`);

    // Stopped (as a kill leaves it) and resumed from its journal: replayed, the facilitator's list is as it was.
    await drill.stop();
    opened.splice(opened.indexOf(drill), 1);
    const r = await Drill.resume(`${out}.journal`, { endWhenDoneMs: null, facilitator: 'fran', operators: [], out, cadenceMs: 100, port: 0 });
    opened.push(r.drill);
    drill = r.drill;
    const resumed = client(() => r.drill.server.origin, [...r.links, ...links.filter((l) => l.name !== 'fran')]);
    r.drill.feed.produce(Date.now());
    expect(JSON.parse(await resumed.get('/api/state', 'fran')).state.hiddenFaults.map((f: Hidden) => f.name)).toEqual(['quiet-drag']);
    expect((await resumed.events('fran', 2)).updates[0].data.hiddenFaults!.map((f) => f.name)).toEqual(['quiet-drag']);
    for (const who of OTHERS) {
      noSecret(await resumed.get('/api/state', who), `${who}'s state after the resume`);
      noSecret((await resumed.events(who, 3, { 'Last-Event-ID': ada.updates[0].id })).raw, `${who}'s stream after the resume`);
    }

    // The facilitator's charts keep the span of each hidden fault once it is over, as they keep the visible faults':
    // quiet-drag ran out at 2m00s, hidden ad-hoc 1 was removed at 1m30s; neither may be removed now.
    r.drill.session.advanceTo(150e6);
    r.drill.feed.produce(Date.now());
    const after = JSON.parse(await resumed.get('/api/state', 'fran')).state;
    expect(after.hiddenFaults).toEqual([]);
    expect(after.hiddenSpans).toEqual([
      { name: 'quiet-drag', size: '+30 ms', fromSeconds: 60, toSeconds: 120 },
      { name: 'hidden ad-hoc 1', size: '+25 ms', fromSeconds: 60, toSeconds: 90 },
    ]);
    expect((await resumed.events('fran', 2)).updates[0].data.hiddenSpans).toEqual(after.hiddenSpans);
    for (const who of OTHERS) {
      noSecret(await resumed.get('/api/state', who), `${who}'s state once the hidden faults are over`);
      noSecret((await resumed.events(who, 3)).raw, `${who}'s stream once the hidden faults are over`);
    }

    // The debrief: the hidden ad-hoc fault was on from 1m00s, removed by fran at 1m30s (its own end was 6m00s).
    r.drill.endByHand();
    expect(await r.drill.debriefDone).not.toBeNull();
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const row = doc.faults.find((f: { name: string }) => f.name === 'hidden ad-hoc 1');
    expect(row).toMatchObject({ hidden: true, team_from_seconds: 60, team_to_seconds: 90, policy_from_seconds: 60, policy_to_seconds: 90, removed_by: 'fran', removed_seconds: 90 });
    expect(doc.revealed.hiddenFaults.map((f: { name: string }) => f.name)).toEqual(expect.arrayContaining(['quiet-drag', 'hidden ad-hoc 1']));
    expect(doc.faults.find((f: { name: string }) => f.name === 'quiet-drag')).not.toHaveProperty('removed_by');
  }, 300_000);
});

describe('a hidden-case drill\'s hidden catalogue fault that differs by case', () => {
  it('is listed to the facilitator by its name only: its kind, target, size and end would name the case', () => {
    // The fixture with a case that makes quiet-drag slower (cases may change hidden faults: nobody else sees them).
    const changed = join(dir, 'drill-hidden-by-case.yaml');
    const text = readFileSync(file, 'utf8');
    const before = '  mango-violet: { flags: { new-pay: { when-on: { pay: { errors: +20% } } } } }';
    expect(text).toContain(before);
    writeFileSync(changed, text.replace(before, `${before.slice(0, -2)}, faults-catalogue: { quiet-drag: { add: 90ms } } }`));
    const cases = readDrillScenario(changed, null).base.cases;
    const alike = hiddenFaultsAlike(cases.map((c) => readDrillScenario(changed, c).scenario));
    expect([alike('quiet-drag'), alike('ochre-lantern'), alike('hidden ad-hoc 1')]).toEqual([false, true, true]);
    const read = readDrillScenario(changed, 'zebra-quartz');
    const s = new DrillSession({ file: read.file, caseName: 'zebra-quartz', hiddenCase: true, seed: 7, gates: 'advisory' }, read.scenario);
    const fran = { name: 'fran', role: 'facilitator' as const };
    s.act({ type: 'start' }, fran, 'w');
    s.act({ type: 'fault', name: 'quiet-drag' }, fran, 'w');
    s.act({ type: 'fault', name: 'ochre-lantern' }, fran, 'w');
    s.advanceTo(30e6);
    expect(removableHiddenFaults(s, alike)).toEqual([
      { name: 'quiet-drag', kind: null, target: null, size: null, fromSeconds: 0, untilSeconds: null, described: false },
      { name: 'ochre-lantern', kind: 'abort', target: 'pay', size: '503 on 3% of calls', fromSeconds: 0, untilSeconds: 120, described: true },
    ]);
    // Without the cases to compare (a case shown), every hidden fault is described.
    expect(removableHiddenFaults(s).map((f) => f.described)).toEqual([true, true]);
  });
});
