/**
 * A drill forced past the work limit keeps answering while it simulates: 1e9 journeys a second, where the paced
 * driver's first slice (30 ms simulated: 3e7 journeys) held the event loop for over a minute: `gameday ctl status`
 * found no answer within its 10 s, and a SIGTERM took 43 s to stop the drill. Slices now start at the engine's
 * microsecond and grow only as their work proves cheap.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-model-21-live-'));
const children: ChildProcess[] = [];
const WAIT = 180_000;
/** A signal's budget on a loaded 2-core machine (vitest.config.ts); the drill answered it in 0.5 s on a quiet one. */
const SIGNAL_MS = 10_000;

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const token = (link: string) => new URL(link).searchParams.get('token')!;
async function state(link: string): Promise<{ meta: { nowSeconds: number; status: string } }> {
  const r = await fetch(new URL('api/state', link), { headers: { Authorization: `Bearer ${token(link)}` } });
  return ((await r.json()) as { state: { meta: { nowSeconds: number; status: string } } }).state;
}

/** `gameday ctl ARGS`: its exit code and output; ctl gives up when the drill does not answer within 10 s. */
async function ctl(...args: string[]): Promise<{ code: number | null; out: string }> {
  const c = builtCli(['gameday', 'ctl', ...args], children, WAIT);
  return { code: await c.exited, out: c.out };
}

describe('a drill forced past the work limit', () => {
  const file = join(dir, 'heavy.yaml');
  writeFileSync(file, readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8').replace(/^tune:[\s\S]*$/m, '').replace('rate: 40/s', 'rate: 1e9/s'));

  it('is refused without --force', async () => {
    const c = builtCli(['gameday', file, '--start', '--out', join(dir, 'refused')], children, WAIT);
    expect(await c.exited).toBe(2);
    expect(c.out).toContain(`${file}: refused before running; rerun with --force`);
  }, WAIT);

  it('answers ctl status and a pause while it simulates, and stops at once on SIGTERM; its journal replays', async () => {
    const out = join(dir, 'forced');
    const drill = builtCli(['gameday', file, '--force', '--start', '--out', out], children, WAIT);
    const [link] = await drill.line(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
    await drill.line(/started the drill/);
    // The clock moves (a microsecond of it is a thousand journeys), and the drill still answers.
    const until = Date.now() + WAIT;
    while ((await state(link)).meta.nowSeconds === 0) {
      expect(Date.now(), 'the clock never moved').toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 200));
    }
    const status = await ctl(link, 'status');
    expect(status.code, status.out).toBe(0);
    expect(status.out).toMatch(/running/);
    const pause = await ctl(link, 'pause');
    expect(pause.code, pause.out).toBe(0);
    expect((await state(link)).meta.status).toBe('paused');
    const sent = Date.now();
    drill.child.kill('SIGTERM');
    const code = await drill.exited;
    expect(Date.now() - sent, 'SIGTERM answered').toBeLessThan(SIGNAL_MS);
    expect(code).toBe(143);
    expect(drill.out).toContain(`stopped (SIGTERM); the journal keeps the drill: rehearse gameday resume ${out}.journal`);
    // What was recorded replays as recorded: the start and the pause at their simulated instants.
    const replay = builtCli(['gameday', 'replay', `${out}.journal`], children, WAIT);
    expect(await replay.exited, replay.out).toBe(0);
    expect(replay.out).toMatch(/replay of the journal: 2 actions re-applied at their simulated instants, as recorded; digest [0-9a-f]+/);
  }, 2 * WAIT);
});
