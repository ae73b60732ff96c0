/**
 * A drill forced past the work limit (`gameday --force`, 1 µs windows), served and resumed.
 * - Every full state carried every window's rows: 45 MB after 10 s, 143 MB after 30 s, `gameday ctl status` 7 to 20 s
 *   (then no answer within its 10 s), and the feed's ring kept five minutes of updates of every window (1.4 GB of
 *   resident memory after 20 s). A state now carries the latest windows that fit in 50,000 rows, with the totals.
 * - `gameday resume --force` replayed the journal in one piece before it served: 22 s silent, a signal unheard but
 *   by the default action, `gameday ctl` refused a connection. The replay now yields: it says where it goes and how
 *   far it is, the drill's port answers 503 meanwhile, and a SIGTERM stops it with the journal untouched.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-21-live-'));
const children: ChildProcess[] = [];
const WAIT = 180_000;
/** A signal's budget on a loaded 2-core machine (vitest.config.ts). */
const SIGNAL_MS = 10_000;
/** src/live/feed.ts: the rows of closed windows a state carries at most. */
const SERIES_ROWS = 50_000;

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

type Row = { t: number };
type State = { meta: { nowSeconds: number; status: string }; series?: { windows: number; charted: number }; rows: { exposure: Row[]; services: Row[]; journeys: Row[] } };
const token = (link: string) => new URL(link).searchParams.get('token')!;
async function state(link: string, since?: string): Promise<{ bytes: number; next: string; state: State }> {
  const r = await fetch(new URL(`api/state${since ? `?since=${since}` : ''}`, link), { headers: { Authorization: `Bearer ${token(link)}` } });
  const text = await r.text();
  const body = JSON.parse(text) as { next: string; state: State };
  return { bytes: text.length, next: body.next, state: body.state };
}
const windowsIn = (s: State) => new Set(s.rows.journeys.map((r) => r.t)).size;
const rowsIn = (s: State) => s.rows.exposure.length + s.rows.services.length + s.rows.journeys.length;

describe('a drill forced past the work limit (1 µs windows)', () => {
  const file = join(dir, 'window-1us.yaml');
  writeFileSync(file, readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8').replace(/^tune:[\s\S]*$/m, '').replace('window: 1m', 'window: 1us'));
  const out = join(dir, 'forced');

  it('sends the latest windows that fit and the totals, in full states, in states since a cursor and at ctl status', async () => {
    const drill = builtCli(['gameday', file, '--force', '--start', '--out', out], children, WAIT);
    const [link] = await drill.line(/http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]+/);
    await drill.line(/started the drill/);
    const until = Date.now() + WAIT;
    let first = await state(link);
    while ((first.state.series?.windows ?? 0) <= 2 * (first.state.series?.charted ?? Infinity)) {
      expect(first.state.series, 'a state says how many windows have closed and how many it charts').toBeDefined();
      expect(Date.now(), 'the drill never closed more windows than a state charts').toBeLessThan(until);
      await new Promise((r) => setTimeout(r, 500));
      first = await state(link);
    }
    const { series } = first.state;
    expect(series!.charted).toBeGreaterThan(1000);
    expect(windowsIn(first.state)).toBe(series!.charted);
    expect(rowsIn(first.state)).toBeLessThanOrEqual(SERIES_ROWS);
    // The latest windows: the last row is the last window closed (1 µs each, from 0).
    expect(Math.max(...first.state.rows.journeys.map((r) => r.t))).toBeCloseTo((series!.windows - 1) / 1e6, 9);
    expect(first.bytes).toBeLessThan(10 * 2 ** 20);
    // A page that polls from a cursor far behind gets no more than a full state.
    await new Promise((r) => setTimeout(r, 2000));
    const later = await state(link, first.next);
    expect(later.state.series!.windows).toBeGreaterThan(series!.windows);
    expect(windowsIn(later.state)).toBeLessThanOrEqual(series!.charted);
    const status = builtCli(['gameday', 'ctl', link, 'status'], children, WAIT);
    expect(await status.exited, status.out).toBe(0);
    expect(status.out).toMatch(/running/);
    // Long enough that its replay takes a while (the replay is about as slow as the drill was).
    await new Promise((r) => setTimeout(r, 15_000));
    const sent = Date.now();
    drill.child.kill('SIGTERM');
    expect(await drill.exited).toBe(143);
    expect(Date.now() - sent, 'SIGTERM answered').toBeLessThan(SIGNAL_MS);
  }, 3 * WAIT);

  it('resume --force says it replays, answers 503 where it will be served, and a SIGTERM stops the replay, the journal untouched', async () => {
    const journal = `${out}.journal`;
    const before = readFileSync(journal, 'utf8');
    const port = [...before.matchAll(/"kind":"serve".*?"port":(\d+)/g)].at(-1)![1];
    const resume = builtCli(['gameday', 'resume', journal, '--force'], children, WAIT);
    await resume.line(/replaying the journal to \S+ simulated \(1 action\) before it is served/);
    // The recorded port answers while the journal is replayed.
    const until = Date.now() + WAIT;
    let ctl;
    for (;;) {
      ctl = builtCli(['gameday', 'ctl', `http://127.0.0.1:${port}/?token=x`, 'status'], children, WAIT);
      await ctl.exited;
      if (!ctl.out.includes('connection refused') || Date.now() > until) break;
    }
    expect(ctl.out).toContain('503: the drill is being replayed from its journal to where it stopped');
    expect(resume.out, 'served before the test could stop the replay').not.toContain('game day resumed');
    const sent = Date.now();
    resume.child.kill('SIGTERM');
    expect(await resume.exited, resume.out).toBe(143);
    expect(Date.now() - sent, 'SIGTERM answered').toBeLessThan(SIGNAL_MS);
    expect(resume.out).toContain(`stopped (SIGTERM) while replaying the journal, before the drill was served; the journal is as it was: rehearse gameday resume ${journal}`);
    expect(resume.out).not.toMatch(/\n\s+at /);
    expect(readFileSync(journal, 'utf8')).toBe(before);
    // Not locked by the stopped replay: resumed again, it replays and is served.
    const again = builtCli(['gameday', 'resume', journal, '--force', '--port', '0'], children, 2 * WAIT);
    await again.line(/game day resumed from .* at \S+ simulated, the clock stopped/);
    expect(again.out).toMatch(/replaying the journal: \d+% done/);
    again.child.kill('SIGTERM');
    expect(await again.exited).toBe(143);
  }, 4 * WAIT);
});
