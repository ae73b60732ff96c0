/**
 * A game day driven from the docs alone (the built command, `gameday ctl` and the HTTP API), on a scenario no earlier
 * round drove: test/fixtures/drill-19/ld-shop.yaml, two LaunchDarkly flags from flags/demo.launchdarkly.json (fraud-v3
 * has payments-router as its prerequisite) rolled out at once by plans of their own, for the shoppers cohort, with
 * every fault scheduled (one hidden, timed from a rollout event). The sequences are unusual but plausible: the speed
 * changed while the clock is paused, two operators promoting in the same simulated microsecond, the same ad-hoc fault
 * injected twice, the drill killed and resumed twice, ended while paused. Every figure of the debrief is held to the
 * runs' own JSON and to a `rehearse run` of the scenario with the same faults at the same instants, and replay gives
 * the same bytes. Then the journal as a SIGTERM just after the end leaves it (the end action, not the end line):
 * `resume` served it again and it ended at once, its debrief saying it had been resumed, and `debrief` said it had
 * never ended; now resume refuses it as ended (exit 2) and the debrief says it ended by hand.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, gamedayCtl } from './built-cli.js';
import { debriefLines } from '../src/live/debrief-words.js';
import type { DrillDocument } from '../src/live/debrief.js';
import { clock } from '../src/units/format.js';

const root = new URL('..', import.meta.url).pathname;
const fixture = join(root, 'test', 'fixtures', 'drill-19', 'ld-shop.yaml');
const children: ChildProcess[] = [];
const WAIT = 180_000;

afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

type State = { meta: { nowSeconds: number; status: string }; plans: { flag: string; version: number; phase: string }[] };

const auth = (link: string) => ({ Authorization: `Bearer ${new URL(link).searchParams.get('token')}` });

async function state(link: string): Promise<State> {
  const r = await fetch(new URL('api/state', link), { headers: auth(link) });
  return ((await r.json()) as { state: State }).state;
}

async function post(link: string, body: object): Promise<{ status: number; json: { refused: string | null; atSeconds: number } }> {
  const r = await fetch(new URL('api/actions', link), { method: 'POST', headers: { ...auth(link), 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, json: await r.json() as { refused: string | null; atSeconds: number } };
}

/** Polls the drill until its clock reaches `seconds` (a loaded machine: minutes of wall time at most). */
async function at(link: string, seconds: number): Promise<void> {
  const until = Date.now() + WAIT;
  while ((await state(link)).meta.nowSeconds < seconds) {
    if (Date.now() > until) throw new Error(`the drill did not reach ${seconds} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const ctl = (...args: string[]): Promise<string> => gamedayCtl(args, children, WAIT);

/** The scenario a plain `rehearse run` needs to face the drill's faults: each at the instant it switched on. */
function sameFaults(doc: DrillDocument): string {
  const s = parse(readFileSync(fixture, 'utf8')) as Record<string, any>;
  const adhoc = new Map(doc.record.actions.filter((a) => a.action.type === 'adhoc-fault' && a.refused === null)
    .map((a) => [a.faultName, (a.action as { fault: Record<string, unknown> }).fault]));
  s.faults = doc.faults.map((f) => {
    const spec = f.source === 'scheduled' ? s.faults.find((x: { kind: string; target: string }) => `${x.kind} ${x.target}` === f.name) : adhoc.get(f.name);
    const { hidden: _hidden, ...rest } = spec;
    return { ...rest, at: `${Math.round(f.team_from_seconds! * 1e6)}us` };
  });
  s.duration = `${doc.record.end.atUs}us`;
  s.traffic.cohort = join(root, 'cohorts', 'shoppers.json');
  s.flags.from.launchdarkly = join(root, 'flags', 'demo.launchdarkly.json');
  return JSON.stringify(s);
}

/** A run result with the faults' names left out (a scenario names a fault by kind and target, a drill as injected). */
const unnamed = (r: unknown) => JSON.parse(JSON.stringify(r, (k, v) => (k === 'name' && typeof v === 'string' && /^(latency|abort) |ad-hoc/.test(v) ? null : v)));

describe('a game day of two imported flags at once, driven through unusual sequences', () => {
  it('speed while paused, two promotes in one microsecond, a fault twice, resumed twice, ended while paused', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-19-'));
    const out = join(dir, 'drill');
    let drill = builtCli(['gameday', fixture, '--case', 'defective', '--speed', '60', '--name', 'fran', '--operator', 'ada', '--operator', 'bob', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];
    const bob = (await drill.line(/operator bob: (\S+)/))[1];
    await ctl(fran, 'start');
    await at(fran, 60);
    const paused = (await ctl(fran, 'pause')).match(/^done at (\S+) simulated/)![1];
    // The speed changed while the clock stands: it stays where it was paused until the facilitator resumes it.
    expect(await ctl(fran, 'speed', '30')).toBe(`done at ${paused} simulated by fran: set the speed to 30x\n`);
    await new Promise((r) => setTimeout(r, 1000));
    expect(clock((await state(fran)).meta.nowSeconds)).toBe(paused);
    await ctl(ada, 'pause', 'fraud-v3', '--reason', 'wait for the router');
    await ctl(fran, 'resume');
    await at(fran, 120);
    await ctl(fran, 'pause');

    // Two operators promote the same plan at once, from the same version: one stage, the second refused, one instant.
    const seen = (await state(bob)).plans.find((p) => p.flag === 'payments-router')!;
    const promote = { type: 'plan', flag: 'payments-router', op: 'promote', version: seen.version, phase: seen.phase };
    const [b, a] = await Promise.all([post(bob, promote), post(ada, promote)]);
    expect([b.status, a.status].sort()).toEqual([200, 409]);
    expect(b.json.atSeconds).toBe(a.json.atSeconds);
    expect([b.json.refused, a.json.refused].find((x) => x !== null)).toMatch(/^payments-router has moved since you saw it \(config v1\): it is holding at stage 2 of 3 \(50%\), config v2; promote again to go on from there$/);
    await ctl(ada, 'resume', 'fraud-v3');
    // The same ad-hoc fault twice: two faults, numbered apart, both on.
    const fault = '{kind: latency, target: fraud, add: 20ms, for: 2m}';
    expect(await ctl(fran, 'adhoc-fault', fault)).toMatch(/: injected ad-hoc fault ad-hoc 1: latency on fraud\n$/);
    expect(await ctl(fran, 'adhoc-fault', fault)).toMatch(/: injected ad-hoc fault ad-hoc 2: latency on fraud\n$/);

    // Killed, resumed, killed again, resumed again: the old links work, the facilitator gets a new one each time.
    for (let i = 0; i < 2; i++) {
      drill.child.kill('SIGKILL');
      await drill.exited;
      drill = builtCli(['gameday', 'resume', `${out}.journal`], children, WAIT);
      await drill.line(/facilitator fran: (\S+)/);
    }
    const fran2 = (await drill.line(/facilitator fran: (\S+)/))[1];
    expect((await state(ada)).meta.status).toBe('paused');
    await ctl(fran2, 'resume');
    await at(fran2, 300);
    await ctl(fran2, 'pause');
    await ctl(fran2, 'speed', '600');
    await ctl(fran2, 'end');
    await drill.line(/^replay it: /m);
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as DrillDocument;
    const endSeconds = doc.record.end.atUs / 1e6;

    // The record: ended by hand while paused, at the pause's instant; resumed twice; the actions as they were.
    expect(doc.record.end.reason).toBe('by-hand');
    expect(doc.record.resumed).toHaveLength(2);
    const [pause, speed, end] = doc.record.actions.slice(-3);
    expect([pause.action, speed.action, end.action]).toEqual([{ type: 'clock', op: 'pause' }, { type: 'speed', speed: 600 }, { type: 'end' }]);
    expect(new Set([pause.atUs, speed.atUs, end.atUs, doc.record.end.atUs]).size).toBe(1);
    const promotes = doc.record.actions.filter((x) => x.action.type === 'plan' && x.action.op === 'promote');
    expect(promotes.map((x) => x.refused === null)).toEqual([true, false]);
    expect(promotes[0].atUs).toBe(promotes[1].atUs);

    // Faults: both ad-hoc ones at the instant they were injected, on both sides; the scheduled ones at theirs.
    const injected = doc.record.actions.filter((x) => x.action.type === 'adhoc-fault');
    expect(doc.faults.map((f) => f.name)).toEqual(['latency fraud', 'abort payments -> fraud', 'ad-hoc 1', 'ad-hoc 2']);
    for (const f of doc.faults.slice(2)) {
      expect([f.team_from_seconds, f.policy_from_seconds]).toEqual([injected[0].atUs / 1e6, injected[0].atUs / 1e6]);
      expect(f.team_to_seconds).toBe(f.policy_to_seconds);
    }
    // The hidden fault, timed from the team's stage 2 of payments-router (bob's promote) + 1m, is revealed so.
    expect(doc.faults[1]).toMatchObject({ hidden: true, team_from_seconds: (promotes[0].atUs + 60e6) / 1e6, policy_from_seconds: (promotes[0].atUs + 60e6) / 1e6 });
    expect(doc.revealed.hiddenFaults.map((f) => f.name)).toEqual(['abort payments -> fraud']);

    // Each side's figures are its run's.
    for (const side of ['team', 'policy'] as const) {
      const r = doc[side];
      expect(r.simulated.seconds).toBe(endSeconds);
      expect(doc.budget[side].failed).toBe(r.outcomes.journeys_failed);
      expect(doc.budget[side].consumed).toBe(Math.round((r.outcomes.journeys_failed / doc.budget.allowed) * 1e6) / 1e6);
      for (const c of doc.comparison) {
        const o = r.outcomes.flags[c.flag];
        expect(c[side]).toMatchObject({ final_percent: o.final_percent, blast_radius_users: o.blast_radius_users, outcome: o.outcome, cut_off: o.cut_off, time_to_detect_seconds: o.time_to_detect_seconds });
        expect(r.rollouts.find((p) => p.flag === c.flag)!.finalPercent).toBe(o.final_percent);
      }
      expect(r.outcomes.faults.filter((f) => f.from_seconds !== null).map((f) => [f.from_seconds, f.to_seconds]))
        .toEqual(doc.faults.map((f) => [f[`${side}_from_seconds`], f[`${side}_to_seconds`]]));
    }

    // The policy's run is a plain `rehearse run` of the scenario with the same faults at the same instants. It, the two
    // replays and the cut journal's commands below read only files that no longer change: they run side by side.
    writeFileSync(join(dir, 'same-faults.json'), sameFaults(doc));
    const run = builtCli(['run', join(dir, 'same-faults.json'), '--case', 'defective', '--json', join(dir, 'run.json')], children, WAIT);

    // The terminal says the debrief's words; the HTML holds its figures.
    const terminal = drill.out.slice(drill.out.indexOf('debrief written to'));
    expect(terminal).toContain(`digest ${doc.digest}`);
    for (const line of debriefLines(doc)) expect(terminal).toContain(line);
    const html = readFileSync(`${out}.html`, 'utf8');
    for (const c of doc.comparison) for (const text of [c.why, c.team.headline, c.policy.headline]) expect(html).toContain(text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'));
    for (const f of doc.faults) for (const t of [f.team_from_seconds, f.team_to_seconds]) expect(html).toContain(`<td>${clock(t!)}</td>`);
    drill.child.kill('SIGINT');
    await drill.exited;

    const replay = builtCli(['gameday', 'replay', `${out}.json`], children, WAIT);
    const journal = builtCli(['gameday', 'replay', `${out}.journal`], children, WAIT);
    // The journal as a SIGTERM right after the end leaves it: the end action written, the end line not.
    const lines = readFileSync(`${out}.journal`, 'utf8').trimEnd().split('\n');
    const endLine = lines.findIndex((l) => JSON.parse(l).kind === 'end');
    writeFileSync(join(dir, 'cut.journal'), `${lines.slice(0, endLine).join('\n')}\n`);
    const resumed = builtCli(['gameday', 'resume', join(dir, 'cut.journal')], children, WAIT);

    expect(await run.exited, run.out).toBe(0);
    expect(unnamed(doc.policy)).toEqual(unnamed(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))));

    // Replay: the document and the journal give the same debrief.
    expect(await replay.exited, replay.out).toBe(0);
    expect(replay.out).toMatch(/^replay identical: /);
    expect(await journal.exited, journal.out).toBe(0);
    expect(journal.out).toContain(`digest ${doc.digest}`);

    // The cut journal is not served again; its debrief is the drill's.
    // Served again, it would stay up: that is a failure at once, not a wait for the test's budget.
    expect(await Promise.race([resumed.exited, resumed.line(/^game day resumed/m).then(() => 'served again', () => 'exited')])).toBe(2);
    // It is known to have ended once replayed (its end line never reached the journal): the replay says it begins (and, past 5 s, how far it has come).
    expect(resumed.out).toMatch(/^replaying the journal to \S+ simulated \(\d+ actions?\) before it is served\n/);
    expect(resumed.out.replace(/^replaying the journal[^\n]*\n/gm, '')).toBe(`${join(dir, 'cut.journal')}: this drill has ended (by hand, at ${clock(endSeconds)} simulated): write its debrief with rehearse gameday debrief ${join(dir, 'cut.journal')}\n`);
    const again = builtCli(['gameday', 'debrief', join(dir, 'cut.journal')], children, WAIT);
    expect(await again.exited, again.out).toBe(0);
    expect(again.out).not.toMatch(/never ended/);
    const cut = JSON.parse(readFileSync(join(dir, 'cut.json'), 'utf8')) as DrillDocument;
    expect(cut.record.end).toEqual({ atUs: doc.record.end.atUs, reason: 'by-hand', wall: end.wallTime });
    expect(cut.record.resumed).toEqual(doc.record.resumed);
    expect(cut.comparison).toEqual(doc.comparison);
  }, 900_000);
});
