/**
 * A drill interrupted once every plan is done resumes with the countdown as the facilitator left it: one kept
 * going ("Keep the drill going") stays kept going, as the drill went on before the interruption; it was started
 * again, with a new 60 s, and the resumed drill ended by itself a minute after the clock ran again. A countdown
 * that was running starts again, and the terminal says it waits for the clock (a resumed drill's clock is
 * stopped), not "ends in 60 s". SIGTERM once the drill has ended and its debrief is written stops, and says no more:
 * it said "the journal keeps the drill: rehearse gameday resume PREFIX.journal", which resume refuses (the drill
 * has ended), as a new drill given the same --out did ("a journal is already there: resume it").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { Drill, type DrillOptions } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const open: Drill[] = [];
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

afterEach(async () => {
  for (const d of open.splice(0)) await d.stop();
});

const base = (out: string, countdowns: { seconds: number; paused: boolean }[]): Omit<DrillOptions, 'host' | 'port'> => ({
  endWhenDoneMs: 60_000, facilitator: 'fran', operators: ['ada'], out, cadenceMs: 100,
  onCountdown: (seconds, paused) => countdowns.push({ seconds, paused }),
});

const until = async (what: () => boolean) => {
  while (!what()) await new Promise((r) => setTimeout(r, 50));
};

async function getState(drill: Drill, token: string) {
  const r = await fetch(`${drill.server.url}api/state?token=${token}`);
  return ((await r.json()) as { state: { meta: { status: string; countdown: { remainingSeconds: number; running: boolean } | null } } }).state;
}

/** A drill whose one plan is rolled back (every plan done), its countdown started; `keepGoing`: then cancelled. */
async function interrupted(keepGoing: boolean): Promise<string> {
  const out = join(mkdtempSync(join(tmpdir(), 'rehearse-countdown-')), 'drill');
  const read = readDrillScenario(file, 'healthy');
  const countdowns: { seconds: number; paused: boolean }[] = [];
  const { drill } = await Drill.open({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read, null, 60,
    { host: '127.0.0.1', port: 0, ...base(out, countdowns) });
  open.push(drill);
  const fran = drill.roster.list().find((p) => p.name === 'fran')!;
  drill.startNow();
  await until(() => drill.session.nowUs > 5e6 && drill.session.controller!.planStates()[0].stage >= 0);
  expect(drill.act({ type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'drill' }, fran).refused).toBeNull();
  await until(() => countdowns.length > 0);
  expect(countdowns.map((c) => c.seconds)).toEqual([60]);
  if (keepGoing) expect(drill.act({ type: 'countdown', op: 'cancel' }, fran).refused).toBeNull();
  // As a kill would leave it: the journal holds the drill to its last line, and nothing ended it.
  await drill.stop();
  open.splice(open.indexOf(drill), 1);
  return `${out}.journal`;
}

describe('a drill resumed once every plan is done', () => {
  it('keeps the drill going when the facilitator had, and starts no countdown', async () => {
    const journal = await interrupted(true);
    const countdowns: { seconds: number; paused: boolean }[] = [];
    const r = await Drill.resume(journal, { ...base(journal.replace(/\.journal$/, ''), countdowns), port: 0 });
    open.push(r.drill);
    const token = new URL(r.links[0].url).searchParams.get('token')!;
    expect(r.drill.act({ type: 'clock', op: 'resume' }, r.drill.roster.list().find((p) => p.name === 'fran')!).refused).toBeNull();
    // Pulses go by with the clock running: a countdown would have started (and been said) within the first.
    const from = r.drill.session.nowUs;
    await until(() => r.drill.session.nowUs > from + 20e6);
    await new Promise((res) => setTimeout(res, 600));
    expect(countdowns).toEqual([]);
    const s = await getState(r.drill, token);
    expect(s.meta.status).toBe('running');
    expect(s.meta.countdown).toMatchObject({ running: false });
    // And, as before, there is no countdown to cancel.
    expect(r.drill.act({ type: 'countdown', op: 'cancel' }, r.drill.roster.list().find((p) => p.name === 'fran')!).refused).toBe('there is no countdown to cancel');
  }, 180_000);

  it('starts a running countdown again, saying it waits for the clock', async () => {
    const journal = await interrupted(false);
    const countdowns: { seconds: number; paused: boolean }[] = [];
    const r = await Drill.resume(journal, { ...base(journal.replace(/\.journal$/, ''), countdowns), port: 0 });
    open.push(r.drill);
    await until(() => countdowns.length > 0);
    expect(countdowns).toEqual([{ seconds: 60, paused: true }]);
  }, 180_000);
});

describe('SIGTERM at the drill\'s terminal', () => {
  it('once the debrief is written, stops without pointing at a resume that would be refused', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-term-')), 'drill');
    const c = builtCli(['gameday', file, '--case', 'healthy', '--speed', '100000', '--start', '--out', out], children, 240_000);
    await c.line(/the dashboard stays up for the debrief; Ctrl-C to stop\n/);
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(143);
    // Everything it said after the debrief: the drill has ended, there is nothing to resume.
    expect(c.out.split('the dashboard stays up for the debrief; Ctrl-C to stop\n')[1]).toBe('stopped (SIGTERM)\n');
    // A new drill given the same --out is not sent to resume that journal either.
    const again = builtCli(['gameday', file, '--out', out], children, 240_000);
    expect(await again.exited).toBe(2);
    expect(again.out).toBe(`${out}.journal: the journal of a drill that has ended is already there (its debrief: rehearse gameday debrief ${out}.journal): choose another --out\n`);
  }, 300_000);
});
