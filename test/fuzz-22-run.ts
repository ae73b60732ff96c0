/**
 * Runs rehearse's command lines in a child process with a time limit for each (test/fuzz-22.test.ts): a command that
 * hangs is stopped and reported, and the child started again. (A worker thread cannot load the TypeScript sources
 * on Node 20: tsx's hooks, registered with --import, do not reach a worker's imports.)
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { fork, type ChildProcess } from 'node:child_process';

export interface Outcome { code: number | 'threw' | 'timeout'; out: string; err: string; ms: number }

const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export class Runner {
  private worker: ChildProcess | null = null;

  /**
   * `cwd`: the folder the commands run in (a relative output is written there); `ids`: the user and group they run
   * as (test/unprivileged.ts: a file without read permission means nothing to root).
   */
  constructor(private readonly cwd?: string, private readonly ids: { uid?: number; gid?: number } = {}) {}

  private start(): ChildProcess {
    this.worker ??= fork(new URL('./fuzz-22-worker.ts', import.meta.url), [], { cwd: this.cwd, execArgv: ['--import', tsx], stdio: ['ignore', 'ignore', 'ignore', 'ipc'], ...this.ids });
    return this.worker;
  }

  run(argv: string[], limitMs: number): Promise<Outcome> {
    const worker = this.start();
    const began = performance.now();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        worker.removeAllListeners('message');
        worker.kill('SIGKILL');
        this.worker = null;
        resolve({ code: 'timeout', out: '', err: '', ms: performance.now() - began });
      }, limitMs);
      worker.once('message', (m: Omit<Outcome, 'ms'>) => {
        clearTimeout(timer);
        resolve({ ...m, ms: performance.now() - began });
      });
      worker.send(argv);
    });
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    if (!worker || worker.exitCode !== null) return;
    await new Promise((resolve) => {
      worker.once('exit', resolve);
      worker.kill();
    });
  }
}

const WORDS = ['undefined', 'NaN', '[object Object]', 'Infinity'];

/**
 * What is wrong with an outcome: a stack trace, an exit code outside 0, 1 and 2, a hang, a refusal that names
 * neither the mutant nor the file naming it, a word ("undefined", "NaN", "[object Object]", "Infinity") the mutant
 * does not hold, and a value "1e999" read as Infinity.
 */
export function problems(o: Outcome, mutant: string, names: string[]): string[] {
  const found: string[] = [];
  const all = `${o.out}\n${o.err}`;
  if (o.code === 'threw' || o.code === 'timeout') found.push(o.code);
  else if (![0, 1, 2].includes(o.code)) found.push(`exit ${o.code}`);
  if (/\n\s+at \S|\b(TypeError|RangeError|ReferenceError|InternalError)\b|\bERR_[A-Z_]+/.test(all)) found.push('stack or internal error');
  if (o.code === 2 && !names.some((n) => o.err.includes(n))) found.push('refused without naming the file');
  // Go's text/template says "undefined variable" of a template's; NaN is what a message calls `.nan`.
  const said = all.replaceAll('undefined variable', '');
  const holds = (w: string) => mutant.includes(w) || (w === 'NaN' && /\.nan\b/i.test(mutant)) || (w === 'Infinity' && /1e999|\.inf\b/i.test(mutant));
  for (const w of WORDS) if (said.includes(w) && !holds(w)) found.push(`says "${w}"`);
  if (o.code !== 2 && /1e999/.test(mutant) && /Infinity|\binf\b/i.test(o.out)) found.push('1e999 read as Infinity');
  return found;
}
