/**
 * Every command of the docs that serves a drill (`rehearse gameday SCENARIO ...` without --exit-on-end, which
 * test/docs.test.ts skips because it runs until someone ends it) is started here as the page shows it, from the
 * repository's root, and must open its drill: print the facilitator's link and keep serving. A command the
 * drill refuses (a scenario whose cases --hidden-case cannot hide, an option that does not exist) fails here
 * with what it printed. Each is stopped (SIGTERM) once it serves; its files go to a temporary folder.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rehearse-docs-drills-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The serving drill commands of README.md and docs/*.md: [page:line, the arguments after `gameday`]. */
function servingCommands(): [string, string[]][] {
  const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  const out: [string, string[]][] = [];
  for (const page of pages) {
    let fenced = false;
    readFileSync(join(root, page), 'utf8').split('\n').forEach((line, i) => {
      if (/^(`{3,}|~{3,})/.test(line)) fenced = !fenced;
      const m = /^(?:\$ )?(?:npx )?rehearse gameday (\S+\.(?:ya?ml|json)\b.*)$/.exec(line.trim());
      if (fenced && m && !/--exit-on-end/.test(m[1])) out.push([`${page}:${i + 1}`, m[1].split(/\s+/)]);
    });
  }
  return out;
}

/** Starts the drill; resolves with what it printed once it serves, or rejects with what it printed when it stops. */
function serves(args: string[], out: string): Promise<string> {
  const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), 'gameday', ...args, '--out', out], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let served = false;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGTERM'); reject(new Error(`no link within 120 s:\n${output}`)); }, 120_000);
    const seen = (d: Buffer) => {
      output += d;
      if (!served && /^facilitator \S+: \S+\?token=\S+$/m.test(output)) {
        served = true;
        clearTimeout(timer);
        child.kill('SIGTERM');
      }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (served) resolve(output);
      else reject(new Error(`${signal ?? `exit ${code}`} before serving:\n${output}`));
    });
  });
}

describe('the drills the docs show', () => {
  const commands = servingCommands();

  it('are found (the facilitator\'s examples of docs/gameday.md among them)', () => {
    expect(commands.map(([where]) => where)).toEqual(expect.arrayContaining(['docs/gameday.md:10', 'docs/gameday.md:11']));
  });

  it.each(commands)('%s serves as shown', async (_where, args) => {
    const output = await serves(args, join(work, `drill-${Math.random().toString(36).slice(2)}`));
    expect(output).toMatch(/^game day: /m);
  }, 240_000);
});
