/** The built command (bin/rehearse.js, esbuild's bundle) as a child process, as people run it. */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/**
 * Starts `rehearse ARGS` from the repository's root and adds the child to `children` (for the caller to kill after):
 * its output so far (stdout and stderr), a wait for a line (`waitMs` at most: a loaded machine is slow), its exit code.
 */
export function builtCli(args: string[], children: ChildProcess[], waitMs = 120_000) {
  const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return {
    child,
    exited,
    get out() { return out; },
    async line(re: RegExp): Promise<RegExpMatchArray> {
      const until = Date.now() + waitMs;
      for (;;) {
        const m = out.match(re);
        if (m) return m;
        if (Date.now() > until || child.exitCode !== null) throw new Error(`no line ${re} in:\n${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

/** `rehearse gameday ctl ARGS` run to its end: its output; a non-zero exit throws with the output. */
export async function gamedayCtl(args: string[], children: ChildProcess[], waitMs = 120_000): Promise<string> {
  const c = builtCli(['gameday', 'ctl', ...args], children, waitMs);
  const code = await c.exited;
  if (code !== 0) throw new Error(`gameday ctl ${args.slice(1).join(' ')}: exit ${code}: ${c.out}`);
  return c.out;
}

/** What one command line of the built command gave: its exit code ("crash": it threw), stdout and stderr. */
export interface Answer { code: number | 'crash' | null; stdout: string; stderr: string }

/**
 * `rehearse ARGV` run in `cwd` for each case, all in one child process (test/built-cli-batch.mjs: bin.ts's run on
 * dist/, each case's output kept apart): one Node start-up for them all instead of one each, for tests that read the
 * messages of many inputs. They hold some of the same command lines spawned one by one (spawnBuiltCli) to the same
 * bytes.
 */
export function batchOfBuiltCli(cases: readonly { cwd: string; argv: readonly string[] }[]): Answer[] {
  const r = spawnSync(process.execPath, [join(root, 'test/built-cli-batch.mjs')], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 256 << 20 });
  if (r.status !== 0) throw new Error(`test/built-cli-batch.mjs: exit ${r.status}: ${r.stderr}`);
  const answers = JSON.parse(r.stdout) as Answer[];
  if (answers.length !== cases.length) throw new Error(`test/built-cli-batch.mjs: ${answers.length} answers to ${cases.length} cases`);
  return answers;
}

/** `rehearse ARGV` in `cwd` as its own process, as people run it. */
export function spawnBuiltCli(cwd: string, argv: readonly string[]): Answer {
  const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), ...argv], { cwd, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
