/**
 * Special files, full disks and documents read back: every kind of input refuses a FIFO, a device, a file of
 * /proc, a directory and a file over its limit before reading; every output refuses a FIFO, a device and a
 * directory before any work and is written whole or not at all; documents read back are checked in depth and
 * in full. FIFOs run in a child process with a time limit, so that a regression that blocks fails the test
 * instead of freezing it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { tooDeepAt } from '../src/files/json.js';
import { documentDigest } from '../src/live/record.js';
import { VERSION } from '../src/version.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-files-'));
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+|Error: .*\n.*node_modules/);


/** The built CLI in a child process with a time limit: a blocked read or write fails the test. */
function bounded(argv: string[], env: NodeJS.ProcessEnv = {}, timeout = 30_000): { code: number | null; out: string; err: string; ms: number } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: dir, encoding: 'utf8', timeout, env: { ...process.env, ...env } });
  expect(r.error, `${argv.join(' ')}: timed out`).toBeUndefined();
  return { code: r.status, out: r.stdout, err: r.stderr, ms: performance.now() - t0 };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const scenario = file('ok.yaml', 'name: ok\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: { latency: 5ms }\n');
const withTune = file('tuned.yaml', `name: tuned
duration: 2m
traffic: { rate: 10/s, cohort: { size: 200 } }
journeys: { j: { steps: [api] } }
services: { api: { latency: 5ms, errors: 1% } }
flags: { f: { evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [{ to: 20%, hold: 30s }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.03']
cases:
  healthy: {}
  defective: { flags: { f: { when-on: { api: { errors: +5% } } } } }
tune:
  seeds: 2
  vary:
    rollout.f.gates.0: ['rate<0.02', 'rate<0.04']
  minimize: 'blast_radius_users{case:defective} p(95)'
`);
const ciDir = join(dir, 'ci');
mkdirSync(ciDir);
writeFileSync(join(ciDir, 'a.yaml'), readFileSync(scenario, 'utf8'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const folder = join(dir, 'a-folder');
mkdirSync(folder);

/** A scenario that reads `path` as the given kind of input, written beside the others. */
const reader = (name: string, body: string) => (path: string) => file(`${name}-${Math.random().toString(36).slice(2)}.yaml`, body.replace('PATH', path));
const viaCohort = reader('cohort', 'name: c\nduration: 1m\ntraffic: { rate: 10/s, cohort: PATH }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\n');
const viaFlags = reader('flags', 'name: f\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\nflags:\n  from: { flagd: PATH }\n');
const viaRules = reader('rules', 'name: r\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\nmetrics: { rules: [PATH] }\n');
const viaArgo = reader('argo', 'name: a\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\nflags: { f: { evaluated-by: [s0] } }\nrollout:\n  - flag: f\n    argo: { rollout: PATH }\n');

/** Every kind of input, as a command line that reads `path` as that kind, and the variable that raises its limit. */
const INPUTS: [string, string, (path: string) => string[]][] = [
  ['scenario', 'REHEARSE_MAX_SCENARIO', (p) => ['validate', p]],
  ['cohort', 'REHEARSE_MAX_COHORT', (p) => ['validate', viaCohort(p)]],
  ['flag file (flags.from)', 'REHEARSE_MAX_FLAG_FILE', (p) => ['validate', viaFlags(p)]],
  ['flag file (flags eval)', 'REHEARSE_MAX_FLAG_FILE', (p) => ['flags', 'eval', p, '--flag', 'x', '--context', '{}']],
  ['flag file (import flags)', 'REHEARSE_MAX_FLAG_FILE', (p) => ['import', 'flags', 'flagd', p]],
  ['Argo resource (rollout entry)', 'REHEARSE_MAX_RESOURCE', (p) => ['validate', viaArgo(p)]],
  ['Argo resource (import argo)', 'REHEARSE_MAX_RESOURCE', (p) => ['import', 'argo', p]],
  ['Flagger resource (import flagger)', 'REHEARSE_MAX_RESOURCE', (p) => ['import', 'flagger', p]],
  ['Prometheus rule file (metrics.rules)', 'REHEARSE_MAX_RULES', (p) => ['validate', viaRules(p)]],
  ['trace file (calibrate)', 'REHEARSE_MAX_TRACES', (p) => ['calibrate', p]],
  ['result document (report)', 'REHEARSE_MAX_DOCUMENT', (p) => ['report', p, '--html', join(dir, 'r.html')]],
  ['sweep document (merge)', 'REHEARSE_MAX_DOCUMENT', (p) => ['merge', withTune, p]],
  ['sweep document (sweep --resume)', 'REHEARSE_MAX_DOCUMENT', (p) => ['sweep', withTune, '--workers', '1', '-q', '--resume', p]],
  ['CI report (ci --baseline)', 'REHEARSE_MAX_DOCUMENT', (p) => ['ci', ciDir, '--baseline', p]],
  ['drill record (gameday replay)', 'REHEARSE_MAX_DRILL', (p) => ['gameday', 'replay', p]],
];

/** How each special file is refused. */
const SPECIAL: [string, string, RegExp][] = [
  ['/dev/zero', '/dev/zero', /not a regular file \(a character device\)/],
  ['/dev/urandom', '/dev/urandom', /not a regular file \(a character device\)/],
  ['/proc/self/mem', '/proc/self/mem', /not a regular file \(a file of the kernel's \/proc file system\)/],
  ['a directory', folder, /is a directory, not a regular file/],
];

describe('every kind of input refuses special files before reading them', () => {
  it.each(INPUTS)('%s: /dev/zero, /dev/urandom, /proc/self/mem and a directory are exit 2 naming the path', async (_kind, _variable, argv) => {
    for (const [what, path, why] of SPECIAL) {
      const r = await cli(...argv(path));
      expect(r.code, `${what}: ${r.err}`).toBe(2);
      expect(r.err, what).toContain(path);
      expect(r.err, what).toMatch(why);
      noStack(r.err);
    }
  });

  it('a FIFO, as every kind of input, is refused at once (a child process: a blocked read would time out)', () => {
    for (const [kind, , argv] of INPUTS) {
      const r = bounded(argv(fifo));
      expect(r.code, `${kind}: ${r.err}`).toBe(2);
      expect(r.err, kind).toMatch(/fifo: (cannot read(?: the (?:scenario|flag file))?: )?not a regular file \(a FIFO/);
    }
  }, 120_000);

  it.each(INPUTS)('%s: a file over the limit is refused before it is read, naming the limit and its variable', async (_kind, variable, argv) => {
    const big = file('big.json', `${JSON.stringify({ padding: 'x'.repeat(4096) })}\n`);
    const saved = process.env[variable];
    process.env[variable] = '1KiB';
    try {
      const r = await cli(...argv(big));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/larger than the .* limit of 1 KiB \(4 KiB\): raise it with REHEARSE_MAX_/);
      expect(r.err).toContain(variable);
    } finally {
      if (saved === undefined) delete process.env[variable];
      else process.env[variable] = saved;
    }
  });

  it('calibrate --deployment refuses a FIFO, a device and a FIFO inside its folder, naming it (they hung, or /dev/zero filled the heap)', () => {
    const traces = join(root, 'test/fixtures/traces/hotrod-otlp.json');
    const manifests = join(dir, 'manifests');
    mkdirSync(manifests, { recursive: true });
    const inside = join(manifests, 'deploy.yaml');
    if (!existsSync(inside)) execFileSync('mkfifo', [inside]);
    for (const [path, why] of [[fifo, /a FIFO/], ['/dev/zero', /a character device/], [manifests, /a FIFO/]] as const) {
      const r = bounded(['calibrate', traces, '-q', '--deployment', path]);
      expect(r.code, `${path}: ${r.err}`).toBe(2);
      expect(r.err).toMatch(why);
      expect(r.err).toContain(`--deployment: ${path === manifests ? inside : path}: not a regular file`);
      noStack(r.err);
    }
  }, 120_000);

  it('the YAML of flag files, rule files and Kubernetes resources: alias bombs, aliases before their anchor, aliases inside what they name and deep nesting are exit 2 at file:line:column (they were TypeErrors and ReferenceErrors with a stack)', async () => {
    const bomb = ['x0: &x0 [a, a, a, a, a, a, a, a, a, a]', ...Array.from({ length: 11 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(10).fill(`*x${i}`).join(', ')}]`)].join('\n');
    const deep = `${'['.repeat(1000)}1${']'.repeat(1000)}`;
    const hostile: [string, string, string, RegExp][] = [
      ['an alias bomb', `${bomb}\n`, '', /:\d+:\d+: invalid YAML: Excessive alias count/],
      ['an alias before its anchor', 'a: *later\nb: &later 1\n', '', /:\d+:4: invalid YAML: Unresolved alias/],
      ['an alias inside what it names', 'a: &self { b: [ *self ] }\n', '', /:\d+:\d+: invalid YAML: an alias inside the mapping or list it names/],
      ['nesting 1,000 deep', `a: ${deep}\n`, '', /:\d+:\d+: invalid YAML: nesting too deep \(more than 200 levels\)/],
      // Thousands of levels overflowed the call stack in the walk for Go's flow keys (go-flow-keys.ts), before the
      // depth was checked: a RangeError with a stack, exit 1.
      ['nesting 5,000 deep', `a: ${'['.repeat(5000)}1${']'.repeat(5000)}\n`, '', /:\d+:\d+: invalid YAML: nesting too deep \(more than 200 levels\)/],
      ['nesting 50,000 deep', `a: ${'{b: '.repeat(50_000)}1${'}'.repeat(50_000)}\n`, '', /:\d+:\d+: invalid YAML: nesting too deep \(more than 200 levels\)/],
    ];
    const traces = join(root, 'test/fixtures/traces/hotrod-otlp.json');
    const readers: [string, string, (p: string) => string[]][] = [
      ['flags eval', 'flags: {}\n', (p) => ['flags', 'eval', p, '--flag', 'f', '--context', '{}']],
      ['import flags', 'flags: {}\n', (p) => ['import', 'flags', 'flagd', p]],
      ['import argo', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: r }\n', (p) => ['import', 'argo', p]],
      ['import flagger', 'apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: { name: c }\n', (p) => ['import', 'flagger', p]],
      ['metrics.rules', 'groups: []\n', (p) => ['validate', viaRules(p)]],
      ['calibrate --deployment', 'apiVersion: apps/v1\nkind: Deployment\nmetadata: { name: frontend }\n', (p) => ['calibrate', traces, '-q', '--deployment', p]],
    ];
    for (const [reader, head, argv] of readers) {
      for (const [what, body, , why] of hostile) {
        const path = file(`hostile-${reader.replace(/\W+/g, '-')}-${what.replace(/\W+/g, '-')}.yaml`, `${head}${body}`);
        // In-process: these files are regular files, read at once; a TypeError or ReferenceError throws out of main().
        const r = await cli(...argv(path));
        expect(r.code, `${reader}, ${what}: ${r.err}`).toBe(2);
        expect(r.err, `${reader}, ${what}`).toMatch(new RegExp(`${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}${why.source}`));
        noStack(r.err);
      }
    }
  }, 120_000);

  it.each(INPUTS.filter(([kind]) => !kind.startsWith('trace file')))('%s: bytes that are not UTF-8 are exit 2 at their line and column, never read as U+FFFD', async (_kind, _variable, argv) => {
    // A Latin-1 "Ö" (0xd6) on line 2: Buffer#toString made it U+FFFD, and a rule for "Österreich" matched nobody.
    const latin1 = join(dir, `latin1-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(latin1, Buffer.concat([Buffer.from('{\n  "name": "'), Buffer.from([0xd6]), Buffer.from('sterreich"\n}\n')]));
    const r = await cli(...argv(latin1));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(latin1);
    expect(r.err).toContain('not UTF-8 text: byte 0xd6 at line 2, column 12 (save the file as UTF-8)');
    noStack(r.err);
    const utf16 = join(dir, `utf16-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('{}\n', 'utf16le')]));
    const u = await cli(...argv(utf16));
    expect(u.code, u.err).toBe(2);
    expect(u.err).toContain('not UTF-8 text: it starts with a UTF-16 byte order mark (save it as UTF-8)');
  });

  it('a malformed limit is a usage error; a raised one lets the file through', async () => {
    process.env.REHEARSE_MAX_SCENARIO = 'lots';
    try {
      const r = await cli('validate', scenario);
      expect(r.code).toBe(2);
      expect(r.err).toBe('REHEARSE_MAX_SCENARIO: expected a size such as 512MiB or 2GB, got "lots"');
      process.env.REHEARSE_MAX_SCENARIO = '100';
      expect((await cli('validate', scenario)).err).toMatch(/larger than the scenario file limit of 100 bytes/);
      process.env.REHEARSE_MAX_SCENARIO = '1MB';
      expect((await cli('validate', scenario)).code).toBe(0);
    } finally {
      delete process.env.REHEARSE_MAX_SCENARIO;
    }
  });

  it('a sweep\'s worker threads read within the limits the command was given', async () => {
    process.env.REHEARSE_MAX_SCENARIO = String(readFileSync(withTune).length);
    try {
      const r = await cli('sweep', withTune, '--workers', '1', '-q', '--json', join(dir, 'limited.json'));
      expect(r.code, r.err).toBeLessThan(2);
      expect(JSON.parse(readFileSync(join(dir, 'limited.json'), 'utf8')).failures).toEqual([]);
    } finally {
      delete process.env.REHEARSE_MAX_SCENARIO;
    }
  }, 180_000);

  it('init beside a package.json that is a FIFO does not block', () => {
    const project = join(dir, 'project');
    mkdirSync(project);
    execFileSync('mkfifo', [join(project, 'package.json')]);
    const r = bounded(['init', project]);
    expect(r.code, r.err).toBe(0);
  }, 180_000);

  it('fast-check: any special path as any kind of input ends in exit 2, never a hang or a crash', async () => {
    const paths = fc.constantFrom(fifo, folder, '/dev/zero', '/dev/urandom', '/dev/null', '/proc/self/mem', '/proc/self/status', '/sys/kernel/mm', '/dev/stdin', '/dev/fd/0');
    await fc.assert(fc.asyncProperty(fc.nat(INPUTS.length - 1), paths, async (k, path) => {
      // A FIFO (and stdin, which is a pipe under the test runner) goes to a child process.
      const r = path === fifo || path.startsWith('/dev/std') || path.startsWith('/dev/fd') ? bounded(INPUTS[k][2](path)) : await cli(...INPUTS[k][2](path));
      expect(r.code, `${INPUTS[k][0]} ${path}: ${r.err}`).toBe(2);
      noStack(r.err);
    }), { numRuns: 40, seed: 2026 });
  }, 180_000);
});

describe('outputs that are special files are refused before any work', () => {
  const outputs: [string, (path: string) => string[]][] = [
    ['run --json', (p) => ['run', '-q', scenario, '--json', p]],
    ['run --traces', (p) => ['run', '-q', scenario, '--traces', p]],
    ['sweep --json', (p) => ['sweep', withTune, '--workers', '1', '-q', '--json', p]],
    ['ci --junit', (p) => ['ci', ciDir, '--junit', p]],
    ['report --html', (p) => ['report', join(dir, 'never-read.json'), '--html', p]],
    ['cohorts generate --out', (p) => ['cohorts', 'generate', '--size', '10', '--out', p]],
    ['schema --out', (p) => ['schema', '--out', p]],
  ];
  it.each(outputs)('%s FIFO: exit 2 at once, nothing run', (_what, argv) => {
    const r = bounded(argv(fifo));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`${fifo}: cannot write: is a FIFO, not a file (writing to it would wait for a reader)\n`);
    expect(r.out).toBe('');
  }, 180_000);

  it.each(outputs)('%s on a device or a directory: exit 2, nothing run', async (_what, argv) => {
    for (const [path, why] of [['/dev/null', 'is a device, not a file'], [folder, 'is a directory']]) {
      const r = await cli(...argv(path));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toBe(`${path}: cannot write: ${why}`);
      expect(r.out).toBe('');
    }
  });

  it('gameday checks --out before the drill starts', () => {
    const r = bounded(['gameday', join(root, 'test/fixtures/drill.yaml'), '--out', '/proc/rehearse-test/drill']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/^\/proc\/rehearse-test\/drill\.journal: cannot write: \/proc is not writable/);
    expect(r.out).not.toContain('dashboard');
  }, 180_000);

  it('gameday, gameday debrief and replay refuse an --out PREFIX that names no files beside it (--out /dev/null made /dev/null.journal)', async () => {
    const drill = join(root, 'test/fixtures/drill.yaml');
    const start = (p: string) => ['gameday', drill, '--out', p, '--start', '--exit-on-end'];
    const never = join(dir, 'never.journal');
    for (const [argv, files] of [[start, 'PREFIX.journal, PREFIX.json and PREFIX.html'], [(p: string) => ['gameday', 'debrief', never, '--out', p], 'PREFIX.json and PREFIX.html'],
      [(p: string) => ['gameday', 'replay', never, '--out', p], 'PREFIX.json and PREFIX.html']] as const) {
      for (const [path, why] of [['/dev/null', 'is a device'], [folder, 'is a directory'], [`${folder}/`, 'ends in a folder, with no name for the files'], ['/dev/null.json', 'is a device']]) {
        const r = await cli(...argv(path));
        expect(r.code, r.err).toBe(2);
        expect(r.err).toBe(`--out ${path}: ${why}: it is the prefix of the files written (${files}); give one such as reports/drill`);
        expect(r.out).toBe('');
      }
      const r = bounded(argv(fifo));
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(`--out ${fifo}: is a FIFO: it is the prefix`);
    }
    expect(readdirSync('/dev').filter((f) => f.startsWith('null.'))).toEqual([]);
  }, 180_000);

  it('an --out PREFIX ending in one of its files\' extensions is taken without it: d.journal writes d.journal, d.json and d.html', () => {
    const sub = join(dir, 'prefixed');
    mkdirSync(sub);
    // A whole drill and two debriefs: budgets for a loaded machine (one took 31.7 s there). The files' names do not
    // depend on the scenario: the one-minute ok.yaml (drill.yaml's 30 minutes of 40/s took 3.4 s of CPU, this 0.9).
    const r = bounded(['gameday', scenario, '--out', join(sub, 'd.journal'), '--start', '--speed', '100000', '--exit-on-end'], {}, 120_000);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`journal: ${join(sub, 'd.journal')} (`);
    const debrief = bounded(['gameday', 'debrief', join(sub, 'd.journal'), '--out', join(sub, 'e.html')], {}, 120_000);
    expect(debrief.code, debrief.err).toBe(0);
    expect(readdirSync(sub).sort()).toEqual(['d.html', 'd.journal', 'd.json', 'e.html', 'e.json']);
  }, 300_000);

  it('gameday refuses a person named twice, or a bad name, before anything is made (it was a RosterError with a stack, and a journal left behind)', () => {
    const out = join(dir, 'people-drill');
    const r = bounded(['gameday', join(root, 'test/fixtures/drill.yaml'), '--out', out, '--name', 'ana', '--operator', 'bo', '--operator', 'bo', '--scribe', 'ana', '--scribe', ' cy']);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe([
      '--operator "bo": already given with --operator: each person is in the drill once, with one link',
      '--scribe "ana": already given with --name: each person is in the drill once, with one link',
      '--scribe " cy": a name is 1 to 60 characters, without control characters or surrounding spaces',
    ].join('\n') + '\n');
    expect(existsSync(`${out}.journal`)).toBe(false);
  }, 180_000);

  it('ci with an --html-dir it cannot write is a usage error before anything runs', async () => {
    const r = await cli('ci', ciDir, '--html-dir', '/proc/rehearse-test/html');
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toBe('/proc/rehearse-test/html/index.html: cannot write: /proc is not writable (no file can be made there)');
  });
});

/**
 * A full disk: a 64 KiB tmpfs when this process may mount one (root), otherwise the file size limit of the
 * process (ulimit -f: writes past it fail with EFBIG, which Node gets because it ignores SIGXFSZ).
 */
describe('a full disk leaves no partial output', () => {
  const mountPoint = join(dir, 'small-disk');
  mkdirSync(mountPoint);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', mountPoint]).status === 0;
  afterAll(() => {
    if (mounted) spawnSync('umount', [mountPoint]);
  });

  const outputs: [string, string[]][] = [
    ['json', ['--json']],
    ['html', ['--html']],
    ['openmetrics', ['--openmetrics']],
    ['traces', ['--trace-sample', '100%', '--traces']],
  ];
  it.each(outputs)(`--%s on a full disk (${mounted ? 'a 64 KiB tmpfs' : 'ulimit -f 16'}): exit 2 with the path, the previous file kept, no temporary file left`, (name, option) => {
    const target = join(mountPoint, `out.${name}`);
    writeFileSync(target, 'the previous file\n');
    const argv = ['run', '-q', join(root, 'scenarios/low-traffic.yaml'), ...option, target];
    const r = mounted ? bounded(argv)
      : (() => {
        const s = spawnSync('sh', ['-c', 'ulimit -f 16 && exec "$0" "$@"', process.execPath, bin, ...argv], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
        return { code: s.status, err: s.stderr };
      })();
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(`${target}: cannot write: ${mounted ? 'no space left on the device' : 'the file would be larger than this process may write (ulimit -f)'}\n`);
    expect(readFileSync(target, 'utf8')).toBe('the previous file\n');
    expect(readdirSync(mountPoint)).toEqual([`out.${name}`]);
    rmSync(target);
  }, 180_000);
});

describe('documents read back are checked in depth and in full', () => {
  let runDoc: Record<string, any>;
  const edited = (name: string, edit: (d: Record<string, any>) => void, from = () => runDoc) => {
    const d = structuredClone(from());
    edit(d);
    return file(name, JSON.stringify(d));
  };

  it('a run document without a field the report reads, or with a window series of the wrong length, is exit 2 naming it', async () => {
    const json = join(dir, 'run.json');
    // low-traffic has what the edits below reach (a flag compared in some windows, a call between two services) in 0.8 s
    // of CPU; two-flag-release's two hours at 120/s took 7.
    expect((await cli('run', '-q', join(root, 'scenarios/low-traffic.yaml'), '--json', json)).code).toBeLessThan(2);
    runDoc = JSON.parse(readFileSync(json, 'utf8'));
    const service = Object.keys(runDoc.services)[0];
    // A flag compared in some windows (on and off within the same journeys) and not in others.
    const flag = Object.keys(runDoc.windows.flags).find((f) => (runDoc.windows.flags[f].compared as number[]).some((n) => n > 0))!;
    const comparedAt = (runDoc.windows.flags[flag].compared as number[]).findIndex((n) => n > 0);
    expect(comparedAt).toBeGreaterThanOrEqual(0);
    expect((runDoc.windows.flags[flag].compared as number[]).some((n) => n === 0), 'a window without a comparison').toBe(true);
    const cases: [string, (d: Record<string, any>) => void, string][] = [
      ['no throughput', (d) => delete d.services[service].throughputPerSec, `services.${service}.throughputPerSec: missing: expected a number`],
      ['a short series', (d) => d.windows.flags[flag].hurt.pop(), `windows.flags.${flag}.hurt: ${runDoc.windows.startSeconds.length - 1} values for the ${runDoc.windows.startSeconds.length} windows of windows.startSeconds`],
      ['half the latency series', (d) => delete d.windows.flags[flag].onP99Ms, `windows.flags.${flag}.onP99Ms: missing (onP50Ms, onP99Ms, offP50Ms, offP99Ms come together)`],
      // A window where journeys had both sides (compared) has a figure; one without has none, and that is no mistake.
      ['no figure where compared', (d) => (d.windows.flags[flag].onP99Ms[comparedAt] = null), `windows.flags.${flag}.onP99Ms[${comparedAt}]: no figure for a window with calls in it`],
      // The error rates the flag charts draw, of the flag and of each service it splits.
      ['an error rate that is text', (d) => (d.windows.flags[flag].onErrorRate[0] = 'NaN'), `windows.flags.${flag}.onErrorRate[0]: expected a number, not "NaN"`],
      ['no service error rate', (d) => delete d.windows.services[service].flags[flag].offErrorRate, `windows.services.${service}.flags.${flag}.offErrorRate: missing: expected a list`],
      ['a service error rate that is a mapping', (d) => (d.windows.services[service].flags[flag].onErrorRate = { a: 1 }), `windows.services.${service}.flags.${flag}.onErrorRate: expected a list, not a mapping`],
      // Figures no run gives: they were drawn as "Infinity%" and negative request counts.
      ['an error rate of 1e308', (d) => (d.services[service].errorRate = 1e308), `services.${service}.errorRate: expected 1 or less, not 1e+308`],
      ['a utilization over 1', (d) => (d.services[service].utilization = 1.5), `services.${service}.utilization: expected 1 or less, not 1.5`],
      ['a negative request count', (d) => (d.journeys[Object.keys(d.journeys)[0]].requests = -1), `journeys.${Object.keys(runDoc.journeys)[0]}.requests: expected 0 or more, not -1`],
      ['a negative p99', (d) => (d.services[service].latencyMs.p99 = -5), `services.${service}.latencyMs.p99: expected 0 or more, not -5`],
    ];
    const untouched = await cli('report', edited('run-untouched.json', () => {}), '--html', join(dir, 'r.html'));
    expect(untouched.code, untouched.err).toBe(0);
    for (const [what, edit, message] of cases) {
      const r = await cli('report', edited(`run-${what.replace(/ /g, '-')}.json`, edit), '--html', join(dir, 'r.html'));
      expect(r.code, what).toBe(2);
      expect(r.err, what).toContain(message);
      noStack(r.err);
    }
  }, 180_000);

  it('a topology naming an unknown service is exit 2 naming the place', async () => {
    const r = await cli('report', edited('run-ghost.json', (d) => (d.topology.calls[0].to = 'ghost')), '--html', join(dir, 'r.html'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/topology\.calls\[0\]\.to: unknown service "ghost" \(topology\.services: /);
  });

  it('a run document of another version is rendered with a line naming the file and both versions; one it cannot read is exit 2 saying so', async () => {
    const current = await cli('report', edited('run-this-version.json', () => {}), '--html', join(dir, 'r.html'));
    expect(current.code, current.err).toBe(0);
    expect(current.out).not.toContain('written by rehearse');
    const older = edited('run-0.3.2.json', (d) => (d.version = '0.3.2'));
    const r = await cli('report', older, '--html', join(dir, 'older.html'));
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`${older} was written by rehearse 0.3.2, this is ${VERSION}: its figures are that version's, as it computed them`);
    expect(readFileSync(join(dir, 'older.html'), 'utf8')).toContain('rehearse 0.3.2');
    // A field this version needs and that version did not write: refused, saying whose document it is.
    const lacking = edited('run-0.3.2-lacking.json', (d) => {
      d.version = '0.3.2';
      delete d.windows;
    });
    const refused = await cli('report', lacking, '--html', join(dir, 'r.html'));
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`${lacking}: windows: missing`);
    expect(refused.err).toContain(`${lacking}: written by rehearse 0.3.2, this is ${VERSION}: this version cannot read it faithfully`);
    noStack(refused.err);
    const later = edited('run-9.json', (d) => {
      d.version = '9.0.0';
      d.schema = 'rehearse/run@2';
    });
    const schema = await cli('report', later, '--html', join(dir, 'r.html'));
    expect(schema.code).toBe(2);
    expect(schema.err).toContain(`${later}: written by rehearse 9.0.0, this is ${VERSION}: this version cannot read it faithfully`);
  });

  it('a sweep document claiming 1e15 seeds is exit 2 naming plan.seeds or plan.runs, never a RangeError', async () => {
    const json = join(dir, 'sweep.json');
    expect((await cli('sweep', withTune, '--workers', '1', '-q', '--json', json)).code).toBeLessThan(2);
    const sweep = () => JSON.parse(readFileSync(json, 'utf8')) as Record<string, any>;
    const claims = edited('seeds-1e15.json', (d) => (d.plan.seeds = 1e15), sweep);
    const report = await cli('report', claims, '--html', join(dir, 'r.html'));
    expect(report.code).toBe(2);
    expect(report.err).toContain('plan.runs: 8 runs, not the 2 policies x 2 cases x 1,000,000,000,000,000 seeds = 4,000,000,000,000,000 runs of its plan');
    // Made consistent, 1e15 seeds are still more than any plan can hold (an array of seeds); 1e6 are over the limit of a sweep.
    const consistent = await cli('merge', withTune, edited('seeds-consistent.json', (d) => {
      d.plan.seeds = 1e15;
      d.plan.runs = 4e15;
    }, sweep), '--force');
    expect(consistent.code).toBe(2);
    expect(consistent.err).toContain('seeds-consistent.json: plan.seeds: more seeds than any sweep can plan');
    const over = await cli('merge', withTune, edited('seeds-over.json', (d) => {
      d.plan.seeds = 1e6;
      d.plan.runs = 4e6;
    }, sweep));
    expect(over.code).toBe(2);
    expect(over.err).toMatch(/seeds-over\.json: plan\.runs: 4\.0e6 runs \(1,000,000 seeds each\), over the limit of 1\.0e6 runs of a sweep; merge with --force/);
    noStack(report.err + consistent.err + over.err);
  }, 180_000);

  describe('drill records', () => {
    // The one-minute ok.yaml: the checks read the document's shape and its actions, not what the scenario simulates
    // (test/fixtures/drill.yaml's 30 minutes at 40/s were run five times over: the drill's two runs, the replay's two).
    const drillFile = scenario;
    let record: Record<string, any> | null = null;
    // A drill nobody steers, run to its end by the command line: its debrief document is the record replayed.
    const recorded = () => {
      if (record) return record;
      const r = spawnSync(process.execPath, [bin, 'gameday', drillFile, '--speed', '100000', '--start', '--exit-on-end', '--out', join(dir, 'drill')], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
      expect(r.status, r.stderr).toBe(0);
      record = JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8')) as Record<string, any>;
      return record;
    };
    // An edit with the digest made again, as someone who knows the format could: the replay itself must catch it.
    const resealed = (name: string, edit: (d: Record<string, any>) => void) => edited(name, (d) => {
      edit(d);
      d.digest = documentDigest(d);
    }, recorded);

    it('nested thousands deep is exit 2 naming the path where it passes the limit', async () => {
      // Written as text: JSON.stringify itself recurses.
      const deep = file('drill-deep.json', JSON.stringify({ ...recorded(), team: 'DEEP' }).replace('"DEEP"', `${'['.repeat(5000)}${']'.repeat(5000)}`));
      const r = await cli('gameday', 'replay', deep);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`${deep}: team${'[0]'.repeat(199)}: nested more than 200 levels deep (raise the limit with REHEARSE_MAX_DEPTH)`);
    }, 150_000);

    it('a mistyped action is exit 2 naming its path; an action the replay refuses is named as tampered (exit 1)', async () => {
      const mistyped = await cli('gameday', 'replay', resealed('drill-mistyped.json', (d) => (d.record.actions[0].atUs = 'soon')), '--scenario', drillFile);
      expect(mistyped.code).toBe(2);
      expect(mistyped.err).toContain('drill-mistyped.json: record.actions[0].atUs: expected a number, not "soon"');
      const refused = resealed('drill-refused.json', (d) => d.record.actions.push({ ...d.record.actions[0], atUs: d.record.actions[0].atUs + 1e6, action: { type: 'fault', name: 'no-such-fault' } }));
      const r = await cli('gameday', 'replay', refused, '--scenario', drillFile);
      expect(r.code).toBe(1);
      expect(r.err).toMatch(new RegExp(`^${refused}: tampered: actions\\[1\\]: the action at 1 s \\(fault by facilitator\\) did not replay as recorded`));
      const ok = await cli('gameday', 'replay', edited('drill-ok.json', () => {}, recorded), '--scenario', drillFile);
      expect(ok.code, ok.err).toBe(0);
      noStack(mistyped.err + r.err);
    }, 150_000);
  });

  it('the depth scan names the path through objects, arrays and quoted keys, and ignores brackets in strings', () => {
    expect(tooDeepAt('{"a": [1, {"b c": [[["x]]]"]]]}]}', 3)).toEqual(['a', 1, 'b c']);
    expect(tooDeepAt('{"a": "[[[[[[", "b": {"c\\"": [[]]}}', 3)).toEqual(['b', 'c"', 0]);
    expect(tooDeepAt('[[[]]]', 3)).toBeNull();
  });
});

afterAll(() => {
  if (existsSync(join(dir, 'small-disk'))) spawnSync('umount', [join(dir, 'small-disk')]);
});
