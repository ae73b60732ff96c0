/**
 * `gameday resume` of a journal whose drill is still served (someone thought it had crashed; or a journal resumed in
 * two terminals): the second process served the same drill again on another port, both appended to the journal, its
 * hash chain broke at the first line the second one wrote, and `debrief`, `replay` and `resume` refused the whole
 * drill as altered (exit 1). Now the resume is refused while the drill is served (exit 2, naming the process), the
 * drill goes on and its record replays; once its process is killed (kill -9) the journal resumes as before.
 * A drill of scenarios/gate-tuning.yaml, driven through `gameday ctl`.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli, gamedayCtl } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const WAIT = 180_000;

afterAll(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL'); });

const ctl = (...args: string[]): Promise<string> => gamedayCtl(args, children, WAIT);

/** `gameday resume JOURNAL`: its exit code, or 'served' once it serves the drill (it would not exit then). */
async function resume(journal: string) {
  const c = builtCli(['gameday', 'resume', journal], children, WAIT);
  const code = await Promise.race([c.exited, c.line(/^facilitator fran: /m).then(() => 'served', () => 'exited')]);
  return { c, code };
}

describe('a journal resumed while its drill is served', () => {
  it('is refused, naming the process; the drill goes on and replays; once killed, it resumes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-19-'));
    const out = join(dir, 'drill');
    const journal = `${out}.journal`;
    const drill = builtCli(['gameday', join(root, 'scenarios', 'gate-tuning.yaml'), '--speed', '60', '--name', 'fran', '--out', out], children, WAIT);
    const fran = (await drill.line(/facilitator fran: (\S+)/))[1];
    await ctl(fran, 'start');
    await ctl(fran, 'note', 'before the second resume');

    const second = await resume(journal);
    expect(second.code).toBe(2);
    expect(second.c.out).toBe(`${journal}: the drill is served now by process ${drill.child.pid} (${journal}.lock): use the links it gave (gameday ctl URL status), or stop it (Ctrl-C) and resume then\n`);
    // The drill goes on, and its journal is whole: it replays.
    await ctl(fran, 'note', 'after the second resume');
    const replay = builtCli(['gameday', 'replay', journal], children, WAIT);
    expect(await replay.exited, replay.out).toBe(0);

    // Killed: its lock names a process that no longer runs, and the journal resumes; the links still work.
    drill.child.kill('SIGKILL');
    await drill.exited;
    const third = await resume(journal);
    expect(third.code).toBe('served');
    await ctl(fran, 'end');
    await third.c.line(/^replay it: /m);
    expect(existsSync(`${journal}.lock`)).toBe(false);
    const doc = builtCli(['gameday', 'replay', `${out}.json`], children, WAIT);
    expect(await doc.exited, doc.out).toBe(0);
    expect(doc.out).toMatch(/^replay identical: /);
    third.c.child.kill('SIGINT');
    await third.c.exited;
  }, 600_000);
});
