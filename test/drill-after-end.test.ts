/**
 * An action sent once the drill has ended is answered and not recorded: the record is closed, and the debrief is
 * written from it. The drill's terminal printed it as any refusal ("[0m05s] ada (operator): promote new-pay —
 * refused: the drill has ended"), a line like those of the refusals the record keeps, at a moment of a drill that
 * was over. Both terminals now say what happened: the drill is over, the action is not recorded; the drill's
 * terminal with no moment of the drill, `gameday ctl` with the same words. A refusal while the drill runs is still
 * printed, and kept, as one. Run as people run it: the built command (bin/rehearse.js) as a child, acted on with
 * `gameday ctl`.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ctlMain } from '../src/cli/gameday-ctl.js';
import { builtCli } from './built-cli.js';

const fixture = join(import.meta.dirname, 'fixtures', 'drill.yaml');
// Every wait on the drill: a loaded machine (two cores, other suites beside) can take many seconds per step.
const WAIT = 120_000;
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

/** The built command, every wait for a line within WAIT. */
const cli = (args: string[]) => builtCli(args, children, WAIT);
const linesOf = (c: { out: string }) => c.out.split('\n');

async function ctl(url: string, ...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await ctlMain(['ctl', url, ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('an action once the drill has ended', () => {
  it('is not recorded, and both terminals say so: the drill is over', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-after-end-')), 'drill');
    const drill = cli(['gameday', fixture, '--case', 'healthy', '--speed', '60', '--start', '--name', 'fran', '--operator', 'ada', '--end-when-done', 'off', '--out', out]);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    const ada = (await drill.line(/operator ada: (\S+)/))[1];

    // While the drill runs, a refusal is recorded and printed as one.
    const early = await ctl(fran, 'resume');
    expect([early.code, early.err]).toEqual([1, '409: the clock is already running\nnext: to pause a plan rather than the clock: `gameday ctl URL pause FLAG`']);
    await drill.line(/^\[\d+m\d\ds\] fran \(facilitator\): resumed the clock — refused: the clock is already running$/m);

    expect((await ctl(fran, 'end', '--reason', 'enough')).code).toBe(0);
    await drill.line(/^drill ended at \d+m\d\ds \(by hand\)/m);

    // Once it has ended: the same words at the drill's terminal and at the person's, exit 1 (not done).
    const late = await ctl(ada, 'promote', 'new-pay');
    expect([late.code, late.out, late.err]).toEqual([1, '', '409: not recorded: the drill is over\nnext: `gameday ctl URL status` says where the debrief is']);
    const note = await ctl(fran, 'note', 'one more thing');
    expect([note.code, note.err]).toEqual([1, '409: not recorded: the drill is over\nnext: `gameday ctl URL status` says where the debrief is']);
    await drill.line(/^\[after the end\] fran \(facilitator\): note: one more thing — not recorded: the drill is over$/m);
    const after = linesOf(drill).filter((l) => l.includes('after the end') || l.includes('drill has ended'));
    expect(after).toEqual([
      '[after the end] ada (operator): promote new-pay — not recorded: the drill is over',
      '[after the end] fran (facilitator): note: one more thing — not recorded: the drill is over',
    ]);

    await drill.line(/^debrief written to /m);
    drill.child.kill('SIGINT');
    expect(await drill.exited, linesOf(drill).join('\n')).toBe(0);
    // Not in the record: neither the journal nor the debrief holds them; the refusal while it ran is in both.
    const journal = readFileSync(`${out}.journal`, 'utf8');
    const debrief = readFileSync(`${out}.json`, 'utf8');
    for (const text of [journal, debrief]) {
      expect(text).not.toContain('one more thing');
      expect(text).toContain('the clock is already running');
    }
    expect(journal.split('\n').filter((l) => l.includes('"kind":"action"') && l.includes('"op":"promote"'))).toEqual([]);
  }, 4 * WAIT);
});
