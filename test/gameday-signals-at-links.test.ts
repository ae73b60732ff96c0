// A drill's signals are its own from the moment its links are printed: someone (or a supervisor) who reads them and
// sends SIGTERM stops the drill with its word and exit 143, never by the default action (which ends the process
// without a word, exit code null). Served and resumed alike: a resume's replay had its own handlers, taken off before
// the drill's were on, and the links were printed in between. Checked from inside the built CLI: a preloaded module
// notes how many SIGTERM listeners the process has each time it writes a link or the resumed line.
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-signals-at-links-'));
const children: ChildProcess[] = [];
/** Budgets of a loaded 2-core machine (vitest.config.ts). */
const WAIT = 180_000;

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

// Each write to stdout of a link or of the resumed line is preceded, on stderr, by the SIGTERM listeners then.
const hook = join(dir, 'listeners.cjs');
writeFileSync(hook, `const write = process.stdout.write.bind(process.stdout);
process.stdout.write = (chunk, ...rest) => {
  if (/facilitator|resumed from/.test(String(chunk))) process.stderr.write('sigterm-listeners ' + process.listenerCount('SIGTERM') + '\\n');
  return write(chunk, ...rest);
};
`);

function drill(args: string[]) {
  const child = spawn(process.execPath, ['--require', hook, join(root, 'bin/rehearse.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child, exited,
    get out() { return out; },
    async line(re: RegExp): Promise<void> {
      const until = Date.now() + WAIT;
      while (!re.test(out)) {
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no line ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

const listeners = (out: string) => [...out.matchAll(/^sigterm-listeners (\d+)$/gm)].map((m) => Number(m[1]));

describe('a drill printing its links', () => {
  const out = join(dir, 'drill');

  it('has its SIGTERM handler on already, served or resumed: a SIGTERM sent on reading them exits 143 with its word', async () => {
    const served = drill(['gameday', 'test/fixtures/drill.yaml', '--port', '0', '--out', out]);
    await served.line(/^facilitator \S+: http/m);
    await served.line(/the lobby is open/);
    expect(listeners(served.out).length).toBeGreaterThan(0);
    expect(listeners(served.out).every((n) => n >= 1), served.out).toBe(true);
    served.child.kill('SIGTERM');
    expect(await served.exited, served.out).toBe(143);
    expect(served.out).toContain('stopped (SIGTERM)');

    const resumed = drill(['gameday', 'resume', `${out}.journal`, '--port', '0']);
    await resumed.line(/^facilitator \S+: http/m);
    await resumed.line(/invite someone/);
    // The resumed line and each link: written with the drill's handler on.
    expect(listeners(resumed.out).length).toBeGreaterThan(1);
    expect(listeners(resumed.out).every((n) => n >= 1), resumed.out).toBe(true);
    resumed.child.kill('SIGTERM');
    expect(await resumed.exited, resumed.out).toBe(143);
    expect(resumed.out).toContain('stopped (SIGTERM)');
  }, 3 * WAIT);
});
