/**
 * Every shell command the docs show (README.md and docs/*.md, fenced ```sh, ```bash, ```shell and ```console
 * blocks) runs here against the built CLI, and its exit code and at least one line of its output are checked,
 * so that the docs cannot drift from the tool. Commands run in a temporary copy of the repository (one per
 * page, without reports/, dist/ and the test files, node_modules linked: copyOfRepository), so git stays
 * clean; `rehearse` and `npx rehearse` are bin/rehearse.js of this checkout. Pages run concurrently, the
 * commands of a page in order (a later command may read what an earlier one wrote).
 *
 * How a page says what to expect:
 * - ```console: `$ command` lines (a trailing `\` continues one); the lines after a command, up to the next
 *   `$`, are its output, and each must appear in what it prints (stdout or stderr; runs of spaces count as
 *   one; `...` inside a line stands for anything; a line that is only `...` is skipped), each on a line of its
 *   own: two lines shown must be two lines printed (in any order, as stdout and stderr interleave).
 * - ```sh / ```bash: one command per line (`\` continues, `#` comments are fine, `a && b` are two commands).
 *   They show no output, so an annotation on the line before the fence gives one `expect="text"` per command
 *   that runs, in order.
 * - The annotation, `<!-- docs-test: exit=1 dir=empty expect="..." -->`, on the line before the fence:
 *   `exit=N` is the exit code of every command of the block (default 0); `dir=empty` runs the block in an
 *   empty folder inside the page's copy (for `rehearse init`; blocks so marked in a row share that folder);
 *   `expect` as above.
 * - `drill="SCENARIO ARGS..."` serves a drill (`rehearse gameday SCENARIO ARGS...`, in its lobby unless ARGS
 *   say --start) in the page's copy while the block runs: its commands get the drill's address in $DRILL and
 *   the facilitator's token in $TOKEN (for the curl examples of the action API); the drill is stopped after.
 * - A ```yaml block annotated `<!-- docs-test: file=PATH -->` is written into PATH of the page's copy: each
 *   top-level key it holds replaces that key's block in the file, or is appended (as a reader adds a step).
 *
 * What does not run is listed in SKIPPED below with the reason; nothing else is skipped, and a rule that no
 * longer matches any command fails the test. Figures the docs state about the bundled files (scenarios,
 * cases, users) are the output lines of commands, checked like any other.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module script without types
import { withReference } from '../scripts/docs.mjs';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rehearse-docs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Commands shown in the docs that this test does not run, and why. */
const SKIPPED: { pattern: RegExp; reason: string }[] = [
  { pattern: /^npm ci\b/, reason: 'installs the dependencies; this test runs inside an installed checkout' },
  { pattern: /^npm test\b/, reason: 'is the test suite this test belongs to' },
  { pattern: /^npm (install|i)\b/, reason: 'installs from the registry; test/pack.test.ts installs the packed package the same way' },
  { pattern: /^(\w+=\S+ )*(npm run bench|node bench\/)/, reason: 'benchmarks run for minutes and measure a quiet machine; test/queueing.test.ts checks the model they time' },
  { pattern: /^rehearse gameday (?!replay|ctl|debrief|invite)(?!.*--exit-on-end)/, reason: 'serves a drill paced to the wall clock until someone ends it; test/docs-drills.test.ts starts each as shown and stops it once it serves, the drill with --exit-on-end in docs/gameday.md runs here, and test/live-record.test.ts resumes one' },
  { pattern: /^rehearse gameday ctl\b/, reason: 'acts on a running drill at the URL it printed; test/live-server.test.ts drives the same API' },
  { pattern: /^(\w+=\S+ )*rehearse gameday invite\b/, reason: 'adds a person to a running drill at the URL it printed; test/live-server.test.ts invites through the same API' },
  { pattern: /^rehearse calibrate \S.* --out reports\/shop-resampled\.yaml --predict 100\/s$/, reason: 'test/calibration-ranges.test.ts runs it as shown (its --out in a temporary folder) and checks the lines shown, beside the doubled load the shop measured: its 41 runs are made once' },
  { pattern: /^k6 run\b/, reason: 'k6 is not installed here; test/k6.test.ts type-checks the exported scripts' },
];

interface Command { text: string; line: number; shown: string[]; expect?: string; exit: number; dir?: string; drill?: string }
interface Block { lang: string; line: number; options: Options; body: string[] }
interface Options { exit?: number; dir?: string; file?: string; drill?: string; expect: string[] }
type Step = { kind: 'run'; command: Command } | { kind: 'file'; path: string; text: string; line: number };

function parseOptions(comment: string | undefined): Options {
  const options: Options = { expect: [] };
  if (!comment) return options;
  for (const m of comment.matchAll(/([\w-]+)=("((?:[^"\\]|\\.)*)"|\S+)/g)) {
    const value = m[3] !== undefined ? m[3].replace(/\\"/g, '"') : m[2];
    if (m[1] === 'exit') options.exit = Number(value);
    else if (m[1] === 'dir') options.dir = value;
    else if (m[1] === 'file') options.file = value;
    else if (m[1] === 'drill') options.drill = value;
    else if (m[1] === 'expect') options.expect.push(value);
    else throw new Error(`unknown docs-test option "${m[1]}" in ${comment}`);
  }
  return options;
}

function blocks(text: string): Block[] {
  const lines = text.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !lines[i].startsWith(fence); i++) body.push(lines[i]);
    let prev = start - 1;
    while (prev >= 0 && lines[prev].trim() === '') prev--;
    const annotation = prev >= 0 ? /^<!--\s*docs-test:(.*)-->\s*$/.exec(lines[prev])?.[1] : undefined;
    out.push({ lang: open[2], line: start + 1, options: parseOptions(annotation), body });
  }
  return out;
}

/** Lines joined where a trailing backslash continues them: [text, line offset of its first line]. */
function logicalLines(body: string[]): [string, number][] {
  const out: [string, number][] = [];
  for (let i = 0; i < body.length; i++) {
    const first = i;
    let text = body[i];
    while (text.endsWith('\\') && i + 1 < body.length) text = `${text.slice(0, -1)} ${body[++i].trim()}`;
    out.push([text, first]);
  }
  return out;
}

/** A chain `a && b` runs as one command, less its parts that are skipped (`npm ci && npm start` runs `npm start`). */
function withoutSkipped(text: string): { text: string; skipped: string[] } {
  const parts = text.split(/\s+&&\s+/).map((s) => s.trim()).filter(Boolean);
  const skipped = parts.filter((p) => skipReason(p));
  return { text: parts.filter((p) => !skipReason(p)).join(' && '), skipped };
}

function steps(file: string, text: string): Step[] {
  const out: Step[] = [];
  for (const b of blocks(text)) {
    const where = `${file}:${b.line}`;
    if (b.options.file) {
      if (b.lang !== 'yaml') throw new Error(`${where}: file= annotates a yaml block`);
      out.push({ kind: 'file', path: b.options.file, text: `${b.body.join('\n')}\n`, line: b.line });
      continue;
    }
    if (!['sh', 'bash', 'shell', 'console'].includes(b.lang)) continue;
    const commands: Command[] = [];
    const exit = b.options.exit ?? 0;
    if (b.lang === 'console') {
      for (const [line, offset] of logicalLines(b.body)) {
        if (line.startsWith('$ ')) {
          commands.push({ text: line.slice(2).trim(), line: b.line + 1 + offset, shown: [], exit, dir: b.options.dir, drill: b.options.drill });
        } else if (commands.length > 0 && line.trim() !== '' && line.trim() !== '...') {
          commands[commands.length - 1].shown.push(line);
        } else if (commands.length === 0 && line.trim() !== '') {
          throw new Error(`${where}: a console block starts with "$ command", not "${line}"`);
        }
      }
    } else {
      for (const [line, offset] of logicalLines(b.body)) {
        const t = line.trim();
        if (t === '' || t.startsWith('#')) continue;
        commands.push({ text: t, line: b.line + 1 + offset, shown: [], exit, dir: b.options.dir, drill: b.options.drill });
      }
    }
    const running = commands.filter((c) => !skippedWhole(c.text));
    if (b.options.expect.length > 0) {
      if (b.options.expect.length !== running.length) {
        throw new Error(`${where}: ${b.options.expect.length} expect= for ${running.length} commands that run (${running.map((c) => c.text).join('; ')})`);
      }
      running.forEach((c, k) => { c.expect = b.options.expect[k]; });
    }
    for (const c of commands) out.push({ kind: 'run', command: c });
  }
  return out;
}

function skipReason(command: string): string | undefined {
  const c = normalizeCommand(command);
  return SKIPPED.find((s) => s.pattern.test(c))?.reason;
}

/** Whether nothing of a command (a chain: none of its parts) runs. */
const skippedWhole = (command: string) => withoutSkipped(command).text === '';

function normalizeCommand(command: string): string {
  return command.replace(/\bnpx (--no-install )?rehearse\b/g, 'rehearse');
}

const squash = (s: string) => s.replace(/\s+/g, ' ').trim();

function lineMatches(shown: string, line: string): boolean {
  const want = squash(shown);
  if (!want.includes('...')) return line.includes(want);
  return new RegExp(want.split('...').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')).test(line);
}

/**
 * The lines shown that no line of the output prints, each shown line matched to a line of its own (two lines
 * shown are two lines printed, in any order: stdout and stderr interleave): a maximum matching, by augmenting
 * paths.
 */
function unprinted(shown: readonly string[], output: readonly string[]): string[] {
  const owner = new Array<number>(output.length).fill(-1);
  const candidates = shown.map((s) => output.flatMap((l, j) => (lineMatches(s, l) ? [j] : [])));
  const assign = (i: number, seen: Set<number>): boolean => {
    for (const j of candidates[i]) {
      if (seen.has(j)) continue;
      seen.add(j);
      if (owner[j] < 0 || assign(owner[j], seen)) {
        owner[j] = i;
        return true;
      }
    }
    return false;
  };
  return shown.filter((_, i) => !assign(i, new Set()));
}

/**
 * Replace or append each top-level key's block of `snippet` in `current`, as a reader adds a step: the rest of
 * the file stays as it is. A block runs from its key (with the comment lines right above it) to the next key.
 */
function mergeTopLevel(current: string, snippet: string): string {
  const blocksOf = (lines: string[]): { key: string; start: number; end: number }[] => {
    const keys = lines.flatMap((l, i) => {
      const key = /^([A-Za-z0-9_$-]+):/.exec(l)?.[1];
      return key ? [{ key, at: i }] : [];
    });
    return keys.map(({ key, at }, k) => {
      let start = at;
      while (start > 0 && lines[start - 1].startsWith('#')) start--;
      let end = k + 1 < keys.length ? keys[k + 1].at : lines.length;
      while (end > at + 1 && (lines[end - 1].trim() === '' || lines[end - 1].startsWith('#'))) end--;
      return { key, start, end };
    });
  };
  const lines = current.replace(/\n+$/, '').split('\n');
  const add = snippet.replace(/\n+$/, '').split('\n');
  for (const b of blocksOf(add)) {
    const text = add.slice(b.start, b.end);
    const have = blocksOf(lines).find((h) => h.key === b.key);
    if (have) lines.splice(have.start, have.end - have.start, ...text);
    else lines.push('', ...text);
  }
  return `${lines.join('\n')}\n`;
}

function run(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn('bash', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 180_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : -1), output, ms: performance.now() - t0 });
    });
  });
}

/** A drill served from the page's copy for a block's commands: its address and the facilitator's token. */
async function serveDrill(args: string, cwd: string): Promise<{ env: NodeJS.ProcessEnv; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), 'gameday', ...args.split(/\s+/), '--out', 'reports/docs-drill', '--end-when-done', 'off'],
    { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const link = await new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the drill printed no link within 120 s:\n${output}`)), 120_000);
    const seen = (d: Buffer) => {
      output += d;
      const m = /^facilitator \S+: (http\S+)$/m.exec(output);
      if (m) { clearTimeout(timer); resolve(new URL(m[1])); }
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', () => reject(new Error(`the drill stopped before it printed a link:\n${output}`)));
  });
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return { env: { ...env, DRILL: link.origin, TOKEN: link.searchParams.get('token')! }, stop };
}

/**
 * The page's copy of the repository, less what no command of the docs reads: the test files themselves (test/*.ts;
 * their fixtures and vectors are copied) and, for a page none of whose commands build (npm) or name the sources, src/.
 * Each file copied, then removed, costs this test system time (about a millisecond on an ext4 disk mounted with
 * discard, more on a busy one): those two are more than half of the repository's files. A command that reads one of
 * them here finds no such file.
 */
function copyOfRepository(name: string, sources: boolean): string {
  const dir = join(work, name);
  const skip = new Set(['node_modules', 'dist', '.git', 'reports', 'scratch', 'coverage', ...(sources ? [] : ['src'])]);
  cpSync(root, dir, {
    recursive: true,
    filter: (src) => {
      const [top, ...rest] = relative(root, src).split('/');
      return !skip.has(top) && !(top === 'test' && rest.length === 1 && rest[0].endsWith('.ts'));
    },
  });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  mkdirSync(join(dir, 'reports'));
  return dir;
}

/** Whether a page's commands build the package (npm scripts do) or read its sources. */
const readsSources = (list: Step[]) => list.some((s) => s.kind === 'run' && /(^|&&\s*)npm |\bsrc\b/.test(withoutSkipped(s.command.text).text));

const shim = join(work, 'bin');
mkdirSync(shim);
writeFileSync(join(shim, 'rehearse'), `#!/bin/sh\nexec "${process.execPath}" "${join(root, 'bin/rehearse.js')}" "$@"\n`, { mode: 0o755 });
const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${shim}:${dirname(process.execPath)}:${process.env.PATH}`, NO_COLOR: '1', TERM: 'dumb' };
for (const k of Object.keys(env)) if (k.startsWith('GITHUB_') || k === 'FORCE_COLOR' || k.startsWith('npm_')) delete env[k];

const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const parsed = pages.map((page) => ({ page, steps: steps(page, readFileSync(join(root, page), 'utf8')) }));
const timings: Record<string, number> = {};

describe('the docs', () => {
  it('name every skipped command with a rule that is used, and show or state an output for every other', () => {
    const used = new Set<string>();
    const problems: string[] = [];
    const skipped: string[] = [];
    for (const { page, steps: list } of parsed) {
      for (const s of list) {
        if (s.kind !== 'run') continue;
        const { text, skipped: parts } = withoutSkipped(s.command.text);
        for (const part of parts) {
          const reason = skipReason(part)!;
          used.add(reason);
          skipped.push(`${page}:${s.command.line}: ${part}  (${reason})`);
        }
        if (!text) continue;
        if (s.command.shown.length === 0 && s.command.expect === undefined) {
          problems.push(`${page}:${s.command.line}: "${s.command.text}" shows no output: add its output (console block) or an expect= annotation`);
        }
      }
    }
    for (const s of SKIPPED) if (!used.has(s.reason)) problems.push(`the skip rule ${s.pattern} matches no command of the docs: remove it`);
    expect(problems).toEqual([]);
    console.log(`docs: skipped commands\n  ${skipped.join('\n  ')}`);
  });

  it('match each line a console block shows to a line printed of its own', () => {
    const printed = ['rehearsals/shop.yaml:2:1: a scenario has ...: this file has no traffic or journeys'];
    expect(unprinted(['rehearsals/shop.yaml:...traffic...', 'rehearsals/shop.yaml:...journeys...'], printed)).toEqual(['rehearsals/shop.yaml:...journeys...']);
    expect(unprinted(['rehearsals/shop.yaml:...journeys...'], printed)).toEqual([]);
    // A line that fits several printed lines leaves to the others the lines only they fit.
    expect(unprinted(['a...', 'a b'], ['a b', 'a c'])).toEqual([]);
    expect(unprinted(['x y', 'x y'], ['x y', 'x y z'])).toEqual([]);
  });

  it('keep the generated field reference of docs/scenario.md current (npm run docs)', () => {
    const page = readFileSync(join(root, 'docs/scenario.md'), 'utf8');
    const schema = JSON.parse(readFileSync(join(root, 'schema/scenario.schema.json'), 'utf8'));
    expect(withReference(page, schema) === page, 'docs/scenario.md is not current: run npm run docs').toBe(true);
  });

  it('link only to files and headings that exist', () => {
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const broken: string[] = [];
    for (const page of pages) {
      const text = readFileSync(join(root, page), 'utf8').replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue;
        const [path, anchor] = target.split('#');
        const file = path ? join(root, dirname(page), path) : join(root, page);
        if (!existsSync(file)) { broken.push(`${page}: ${target}: no such file`); continue; }
        if (anchor && file.endsWith('.md')) {
          const headings = readFileSync(file, 'utf8').split('\n').filter((l) => /^#+ /.test(l)).map((l) => slug(l.replace(/^#+ /, '')));
          if (!headings.includes(anchor)) broken.push(`${page}: ${target}: no heading "#${anchor}"`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('README: the set-up commands are npm ci && npm start and npm test, and the map names every page of docs/', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    for (const f of readdirSync(join(root, 'docs')).filter((n) => n.endsWith('.md'))) expect(readme, `README map: docs/${f}`).toContain(`(docs/${f})`);
  });

  describe.concurrent.each(parsed.filter((p) => p.steps.some((s) => s.kind === 'run' && !skippedWhole(s.command.text))))('$page', ({ page, steps: list }) => {
    it('runs every command it shows, with the exit code and output it shows', async () => {
      const dir = copyOfRepository(page.replace(/[/.]/g, '-'), readsSources(list));
      const failures: string[] = [];
      let empty = 0;
      let emptyDir = '';
      let lastDirOption: string | undefined;
      let drill: { args: string; env: NodeJS.ProcessEnv; stop: () => Promise<void> } | null = null;
      try {
        for (const s of list) {
          if (s.kind === 'file') {
            const target = join(dir, s.path);
            mkdirSync(dirname(target), { recursive: true });
            writeFileSync(target, existsSync(target) ? mergeTopLevel(readFileSync(target, 'utf8'), s.text) : s.text);
            continue;
          }
          const c = s.command;
          const { text } = withoutSkipped(c.text);
          if (!text) continue;
          let cwd = dir;
          if (c.dir === 'empty') {
            if (lastDirOption !== 'empty' || !emptyDir) { emptyDir = join(dir, `empty-${++empty}`); mkdirSync(emptyDir); }
            cwd = emptyDir;
          } else if (c.dir) {
            throw new Error(`${page}:${c.line}: unknown dir=${c.dir}`);
          }
          lastDirOption = c.dir;
          if (drill && drill.args !== c.drill) { await drill.stop(); drill = null; }
          if (c.drill && !drill) drill = { args: c.drill, ...await serveDrill(c.drill, dir) };
          const r = await run(normalizeCommand(text), cwd, drill?.env ?? env);
          timings[`${page}:${c.line}`] = Math.round(r.ms) / 1000;
          const out = r.output.split('\n').map(squash);
          const where = `${page}:${c.line}: ${c.text}`;
          if (r.code !== c.exit) failures.push(`${where}\n    exit ${r.code}, the doc says ${c.exit}\n    ${r.output.trim().split('\n').slice(-8).join('\n    ')}`);
          for (const shown of unprinted(c.shown, out)) failures.push(`${where}\n    does not print "${shown.trim()}"${c.shown.length > 1 ? ' (on a line of its own)' : ''}\n    it printed:\n    ${r.output.trim().split('\n').slice(0, 30).join('\n    ')}`);
          if (c.expect !== undefined && !squash(r.output).includes(squash(c.expect))) failures.push(`${where}\n    does not print "${c.expect}" (expect=)\n    it printed:\n    ${r.output.trim().split('\n').slice(0, 30).join('\n    ')}`);
        }
      } finally {
        await drill?.stop();
      }
      expect(failures.join('\n\n')).toBe('');
    }, 600_000);
  });

  afterAll(() => {
    const slow = Object.entries(timings).sort((a, b) => b[1] - a[1]).slice(0, 8);
    console.log(`docs: ${Object.keys(timings).length} commands, ${Math.round(Object.values(timings).reduce((a, b) => a + b, 0))} s in all; slowest: ${slow.map(([k, v]) => `${k} ${v}s`).join(', ')}`);
  });
});
