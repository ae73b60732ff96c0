/**
 * Hostile and broken input, one test per class of failure found: each ends in exit 0, 1 or 2 with a message
 * that names the file (and line:column where there is one), never a stack trace, a hang or an exhausted heap.
 * Most run in-process through the CLI's main(); signals need a real process.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { PageNames } from '../src/cli/ci.js';
import { runProgress } from '../src/cli/progress.js';
import { PassThrough } from 'node:stream';
import { estimateRun, overLimits } from '../src/scenario/budget.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-hostile-'));


function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+|Error: .*\n.*node_modules/);

/** A small valid scenario around `extra` (services and what follows). */
const small = (extra: string, head = '') => `name: h\nduration: 1m\n${head}traffic: { rate: 10/s }\njourneys:\n  j: { steps: [s0] }\n${extra}`;

async function invalid(text: string, expected: RegExp | string, ...args: string[]): Promise<string> {
  const f = file(`case-${Math.random().toString(36).slice(2)}.yaml`, text);
  const r = await cli('validate', f, ...args);
  expect(r.code, r.err + r.out).toBe(2);
  noStack(r.err);
  expect(r.err).toMatch(expected);
  return r.err;
}

/** A small sweep: 4 policies x 2 cases x tune.seeds runs. */
const sweepScenario = file('sig-sweep.yaml', `name: sig
seed: 1
duration: 10m
traffic: { rate: 20/s, cohort: { size: 500 } }
journeys: { j: { steps: [api] } }
services: { api: { concurrency: 64, latency: 5ms, errors: 1% } }
flags: { f: { evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [{ to: 20%, hold: 1m }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.03']
cases:
  healthy: {}
  defective: { flags: { f: { when-on: { api: { errors: +5% } } } } }
tune:
  seeds: 12
  vary:
    rollout.f.gates.0: ['rate<0.02', 'rate<0.04']
    rollout.f.stages.0.hold: [1m, 2m]
  minimize: 'blast_radius_users{case:defective} p(95)'
`);

describe('YAML the library refuses while converting it', () => {
  it('an alias before its anchor: exit 2 at the alias', async () => {
    const err = await invalid(small('services:\n  s0: *later\n'), 'Unresolved alias');
    expect(err).toMatch(/:7:7: invalid YAML/);
    expect(err).not.toMatch(/did you mean/);
  });

  it('an alias to no anchor: exit 2 at the alias, with the anchor meant', async () => {
    const err = await invalid(small('services:\n  s0: { replicas: *replica, endpoints: { get: {} } }\n', 'x-replicas: &replicas 2\n'), 'Unresolved alias');
    expect(err).toMatch(/:8:19: invalid YAML: Unresolved alias \(the anchor must be set before the alias\): replica; did you mean "replicas"\?$/m);
  });

  it('an alias bomb: the library\'s guard becomes exit 2', async () => {
    let text = 'a: &a [x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 12; i++) {
      const p = String.fromCharCode(96 + i);
      text += `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9).fill(`*${p}`).join(', ')}]\n`;
    }
    await invalid(text + small('services: { s0: {} }\n'), /:\d+:\d+: invalid YAML: Excessive alias count/);
  });

  it('merge keys are supported; merging a scalar is exit 2', async () => {
    const r = await cli('validate', file('merge.yaml', small('services:\n  base: &d { replicas: 2, concurrency: 4 }\n  s0: { <<: *d, replicas: 3 }\n')));
    expect(r.code, r.err).toBe(0);
    const loaded = parseScenarioText(small('services:\n  base: &d { replicas: 2, concurrency: 4 }\n  s0: { <<: *d, replicas: 3 }\n'));
    expect(loaded.ok && loaded.scenario.services.find((s) => s.name === 's0')).toMatchObject({ replicas: 3, concurrency: 4 });
    await invalid(small('services:\n  s0: { <<: 5 }\n'), /invalid YAML|<</);
    const shared = parseScenarioText(small('services:\n  s0: { <<: *d }\n', 'x-defaults: &d { replicas: 5 }\n'));
    expect(shared.ok && shared.scenario.services[0].replicas).toBe(5);
  });

  it('duplicate keys are found with their line, in one pass', async () => {
    await invalid(small('services:\n  s0: {}\n  s1: {}\n  s0: { replicas: 2 }\n'), /:9:3: invalid YAML: duplicate key "s0"/);
  });

  it('tens of thousands of services parse (no quadratic duplicate check)', () => {
    const lines = Array.from({ length: 20_000 }, (_, i) => `  s${i}: {}`).join('\n');
    const loaded = parseScenarioText(small(`services:\n${lines}\n`));
    expect(loaded.ok).toBe(true);
  });

  it('an alias inside its own anchor (a structure that contains itself) is exit 2 (found by the fuzz suite)', async () => {
    await invalid(small('services:\n  s0: &x { latency: { dist: *x } }\n'), /:7:29: services\.s0\.latency\.dist: invalid YAML: an alias inside the mapping or list it names/);
  });

  it('nesting thousands deep is exit 2, not a stack overflow', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    const r = await cli('validate', file('deep.yaml', small(`services: { s0: {} }\nextra: ${deep}\n`)));
    expect([2]).toContain(r.code);
    noStack(r.err);
  });

  it('names with control characters are escaped before they reach the terminal', async () => {
    const f = file('ctrl.yaml', 'name: "\\e[2J\\e]0;pwned\\a"\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  "j\\e[H": { steps: [s0] }\nservices:\n  s0: {}\n  "x\\e[2J": { latency: 1ms }\n');
    const r = await cli('run', f);
    expect(r.code).toBe(0);
    expect(r.out).not.toMatch(/\x1b\[2J|\x1b\]|\x07|\x1b\[H/);
    expect(r.out).toContain('\\x1b[2J\\x1b]0;pwned\\x07');
    const bad = await cli('validate', file('ctrl-bad.yaml', small('services:\n  s0: { "bo\\e[2Jgus": 1 }\n')));
    expect(bad.code).toBe(2);
    expect(bad.err).not.toContain('\x1b[2J');
  });
});

describe('graphs that input draws', () => {
  const chain = (n: number) => `services:\n${Array.from({ length: n }, (_, i) => `  s${i}: { endpoints: { default: { calls: [${i + 1 < n ? `s${i + 1}` : ''}] } } }`).join('\n')}\n`;

  it('a chain of 10,000 sequential calls: no recursion, refused as too deep to simulate', async () => {
    await invalid(small(chain(10_000)), /services\.s0: calls nest 9999 deep \(from s0\.default\); at most 256/);
  });

  it('a chain of 200 calls runs', async () => {
    const r = await cli('run', '-q', file('chain200.yaml', small(chain(200))));
    expect(r.code, r.err).toBe(0);
  });

  it('31 densely connected prerequisite flags validate and run (prerequisites checked once each)', async () => {
    let text = 'services:\n  s0: {}\nflags:\n';
    for (let i = 0; i < 31; i++) text += `  f${i}: { evaluated-by: [s0], requires: [${Array.from({ length: i }, (_, k) => `f${k}`).join(', ')}] }\n`;
    text += `rollout:\n${Array.from({ length: 31 }, (_, i) => `  - { flag: f${i}, stages: [{ to: 100% }] }`).join('\n')}\n`;
    const r = await cli('run', '-q', file('dense.yaml', small(text).replace('duration: 1m', 'duration: 10s')));
    expect(r.code, r.err).toBe(0);
  });

  it('a prerequisite cycle is refused', async () => {
    await invalid(small('services: { s0: {} }\nflags:\n  a: { evaluated-by: [s0], requires: [b] }\n  b: { evaluated-by: [s0], requires: [a] }\n'), 'prerequisite cycle: a -> b -> a');
  });

  it('a cycle made only by a flag\'s when-on calls is refused', async () => {
    await invalid(small('services:\n  s0: { endpoints: { default: { calls: [s1] } } }\n  s1: {}\nflags:\n  f: { evaluated-by: [s1], when-on: { s1: { calls: [s0] } } }\n'),
      /flags\.f\.when-on\.s1\.calls\[0\]: synchronous call cycle: s0\.default -> s1\.default -> s0\.default/);
  });

  it('asynchronous calls that always start more are refused', async () => {
    await invalid(small('services:\n  s0: { endpoints: { default: { calls: [{ to: s1, async: true }] } } }\n  s1: { endpoints: { default: { calls: [{ to: s0, async: true }] } } }\n'),
      'asynchronous call cycle: s0.default -> s1.default -> s0.default: every call would start another');
  });

  it('a file with a huge number of problems prints the first 100 and the count', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => `  t${i}: { bogus: 1 }`).join('\n');
    const err = await invalid(small(`services:\n  s0: {}\n${lines}\n`), /\.\.\. and 2900 more problems/);
    expect(err.split('\n')).toHaveLength(101);
  });
});

describe('work that would take hours or exhaust memory', () => {
  it.each([
    ['a 1 us window over a day', 'name: h\nduration: 24h\nwindow: 1us\ntraffic: { rate: 1/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\n', /telemetry windows x tags/],
    ['10 million journeys a second for a day', 'name: h\nduration: 24h\ntraffic: { rate: 10000000/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\n', /of work on one core \(3\.5e12 events \(8\.6e11 journeys x 1 calls each/],
    ['rate: 1e7/s for a day (an exponent is a rate, so the work limit is what answers)', 'name: h\nduration: 24h\ntraffic: { rate: 1e7/s }\njourneys:\n  j: { steps: [s0] }\nservices:\n  s0: {}\n', /of work on one core \(3\.5e12 events \(8\.6e11 journeys x 1 calls each/],
    ['a 100 x 10 fan-out', small(`services:\n${Array.from({ length: 10 }, (_, i) => `  s${i}: { endpoints: { default: { calls: [${i < 9 ? `{ to: s${i + 1}, repeat: 100 }` : ''}] } } }`).join('\n')}\n`), /x 1\.0e18 calls each/],
    ['two million replicas (found by the fuzz suite: 40 s of set-up)', small('services:\n  s0: { replicas: 2000000 }\n'), /2\.0e6 replicas in all, over the limit/],
    ['asynchronous calls that almost always start two more', small('services:\n  s0: { endpoints: { default: { calls: [{ to: s1, async: true }] } } }\n  s1: { endpoints: { default: { calls: [{ to: s0, async: true, probability: 99% }, { to: s0, async: true, probability: 99% }] } } }\n'), /never settle/],
  ])('%s: refused with the estimate, exit 2', async (_what, text, expected) => {
    const f = file(`work-${Math.random().toString(36).slice(2)}.yaml`, text);
    const r = await cli('run', f);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(expected);
    expect(r.err).toContain('rerun with --force');
    noStack(r.err);
  });

  it('the bundled scenarios are all well within the limits', async () => {
    const { loadScenarioFile } = await import('../src/load/scenario.js');
    for (const name of ['checkout', 'two-flag-release', 'flash-sale', 'gate-tuning']) {
      const l = loadScenarioFile(join(root, 'scenarios', `${name}.yaml`));
      expect(l.ok && overLimits(estimateRun(l.scenario))).toEqual([]);
    }
  });

  it('--force runs past the limit', async () => {
    // The estimate counts every retry as taken: ten million retries of a call that never fails are over the
    // limit on paper, and quick in fact.
    const f = file('force.yaml', small('services:\n  s0: { endpoints: { default: { calls: [{ to: s1, retry: { attempts: 10000000 } }] } } }\n  s1: {}\n'));
    const refused = await cli('run', '-q', f);
    expect(refused.code).toBe(2);
    expect(refused.err).toMatch(/x 1\.0e7 calls each/);
    const forced = await cli('run', '-q', '--force', f);
    expect(forced.code, forced.err).toBe(0);
  });

  it('a long run shows progress on a terminal (simulated time, journeys, rate, ETA), nothing elsewhere', () => {
    const loaded = parseScenarioText(small('services: { s0: {} }\n').replace('duration: 1m', 'duration: 10m'));
    if (!loaded.ok) throw new Error('fixture');
    const pipe = Object.assign(new PassThrough(), { isTTY: false }) as unknown as NodeJS.WriteStream;
    expect(runProgress(loaded.scenario, pipe, 0)).toBeNull();
    let drawn = '';
    const tty = Object.assign(new PassThrough(), { isTTY: true, columns: 160 }) as unknown as NodeJS.WriteStream;
    tty.on('data', (b: Buffer) => (drawn += b.toString()));
    const p = runProgress(loaded.scenario, tty, 0)!;
    p.onWindow(60e6, 600);
    p.onWindow(300e6, 3000);
    p.stop();
    // Times as every report says them; no time left before there is an estimate (the run is under 3 s old).
    expect(drawn).toMatch(/run \[=+-*\] \d+% \| simulated [15]m00s of 10m00s \| [\d,]+ journeys \| [\d,]+ journeys\/s \| estimating the time left/);
    expect(drawn).not.toMatch(/\d:\d\d:\d\d|NULL|INF|NaN/);
  });

  it('a tune grid of 1e8 policies is refused before it is spelled out', async () => {
    const vary = Array.from({ length: 8 }, (_, i) => `    rollout.f.stages.${i}.hold: [${Array.from({ length: 10 }, (_, k) => `${k + 1}m`).join(', ')}]`).join('\n');
    const f = file('grid.yaml', small(`services: { s0: {} }\nflags: { f: { evaluated-by: [s0] } }\nrollout:\n  - { flag: f, stages: [{ to: 100% }] }\ntune:\n  seeds: 1\n  vary:\n${vary}\n  minimize: 'blast_radius_users p(95)'\n`));
    const r = await cli('sweep', f, '-q');
    expect(r.code, r.err).toBe(2);
    // A plan the heap cannot hold is refused first, whatever --force says (src/sweep: the memory the plan needs).
    expect(r.err).toMatch(/too much to hold: about [\d.]+ GB of memory to hold the plan \(1\.0e8 policies of 8 paths, 1\.0e8 runs\).*--force does not lift this/);
  });

  it('an inline cohort of 1e9 users is refused', async () => {
    await invalid(small('services: { s0: {} }\n', '').replace('rate: 10/s', 'rate: 10/s, cohort: { size: 1000000000 }'), /traffic\.cohort\.size: 1,000,000,000 users: at most/);
  });

  it.each([
    ['99999999999999999999', /--size: 1\.0e20 users .* over the limit of 1\.0e7 users; rerun with --force/],
    ['20000000', /--size: 2\.0e7 users .* rerun with --force/],
  ])('cohorts generate --size %s is refused', async (size, expected) => {
    const r = await cli('cohorts', 'generate', '--size', size, '--out', join(dir, 'c.json'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(expected);
  });
});

describe('inputs that are not what they claim', () => {
  it.each([
    ['a device', '/dev/zero'],
    ['a directory', '/tmp'],
  ])('a cohort path that is %s is not read', async (_what, path) => {
    await invalid(small('services: { s0: {} }\n').replace('rate: 10/s', `rate: 10/s, cohort: ${path}`), new RegExp(`cohort file ${path}: (is a directory, )?not a regular file`));
  });

  it('a cohort or scenario path that is a FIFO is not read (it would block forever)', async () => {
    const fifo = join(dir, 'fifo.json');
    execFileSync('mkfifo', [fifo]);
    await invalid(small('services: { s0: {} }\n').replace('rate: 10/s', `rate: 10/s, cohort: ${fifo}`), 'not a regular file');
    const r = await cli('validate', fifo);
    expect(r.code).toBe(2);
    expect(r.err).toContain('not a regular file');
  });

  it('a 0% segment is a clean error, inline and on the command line', async () => {
    await invalid(small('services: { s0: {} }\n').replace('rate: 10/s', 'rate: 10/s, cohort: { size: 100, segments: { a: 0%, b: 100% } }'), 'traffic.cohort.segments.a: a segment needs a share above 0%');
    const r = await cli('cohorts', 'generate', '--size', '10', '--segment', 'beta=0%', '--out', join(dir, 'z.json'));
    expect(r.code).toBe(2);
    expect(r.err).toContain('a segment needs a share above 0%');
  });
});

describe('documents edited by hand or from another version', () => {
  const scenarioFile = sweepScenario;
  let runDoc: Record<string, unknown>;

  it('report: a missing or mistyped field is exit 2 naming it', async () => {
    const json = join(dir, 'run.json');
    expect((await cli('run', '-q', join(root, 'scenarios/low-traffic.yaml'), '--json', json)).code).toBeLessThan(2);
    runDoc = JSON.parse(readFileSync(json, 'utf8'));
    const cases: [string, (d: Record<string, unknown>) => void, string][] = [
      ['missing', (d) => delete d.windows, 'windows:'],
      ['mistyped', (d) => ((d.simulated as Record<string, unknown>).seconds = 'ten'), 'simulated.seconds:'],
      ['deeper', (d) => ((d.rollouts as Record<string, unknown>[])[0].decisions = null), 'rollouts[0].decisions:'],
    ];
    for (const [what, edit, field] of cases) {
      const d = structuredClone(runDoc);
      edit(d);
      const r = await cli('report', file(`run-${what}.json`, JSON.stringify(d)), '--html', join(dir, 'r.html'));
      expect(r.code, what).toBe(2);
      expect(r.err).toContain(field);
      noStack(r.err);
    }
    const ok = await cli('report', json, '--html', join(dir, 'r.html'));
    expect(ok.code, ok.err).toBe(0);
  });

  it('ci --baseline: a mistyped field is exit 2 naming it, before anything runs', async () => {
    const ciDir = join(dir, 'ci-one');
    mkdirSync(ciDir);
    writeFileSync(join(ciDir, 'a.yaml'), small('services: { s0: {} }\n'));
    const base = join(dir, 'base.json');
    expect((await cli('ci', ciDir, '--json', base)).code).toBe(0);
    const d = JSON.parse(readFileSync(base, 'utf8'));
    d.cases[0].flags = 'none';
    const r = await cli('ci', ciDir, '--baseline', file('base-bad.json', JSON.stringify(d)));
    expect(r.code).toBe(2);
    expect(r.err).toContain('cases[0].flags:');
    expect(r.out).not.toContain('PASS');
  });

  it('sweep --resume and merge refuse runs that do not belong to the scenario', async () => {
    const part = join(dir, 'shard1.json');
    const shard2 = join(dir, 'shard2.json');
    expect((await cli('sweep', scenarioFile, '--seeds', '1', '--workers', '1', '--shard', '1/2', '-q', '--json', part)).code).toBe(0);
    expect((await cli('sweep', scenarioFile, '--seeds', '1', '--workers', '1', '--shard', '2/2', '-q', '--json', shard2)).code).toBe(0);
    const doc = JSON.parse(readFileSync(part, 'utf8'));
    const edits: [string, (d: { runs: { run: number; seed: number }[]; plan: { runs: number } }) => void, RegExp][] = [
      ['a seed', (d) => (d.runs[0].seed = 99), /runs\[0\]: run \d+ is policy \d+, case \w+, seed 1 in this plan, not .* seed 99/],
      // Caught by the document's own check (runs[0].run) before the plan is compared (runs[0]).
      ['an index', (d) => (d.runs[0].run = 10_000), /runs\[0\](\.run)?: run 10000 is beyond the plan's 8 runs/],
      ['a count', (d) => (d.plan.runs = 7), /plan(\.runs)?: 7 runs(, not the 4 policies x 2 cases x 1 seed = 8 runs| of 4 policies, not the 8 runs)/],
      ['a type', (d) => ((d.runs[0] as unknown as Record<string, unknown>).run = 'zero'), /runs\[0\]\.run:/],
    ];
    for (const [what, edit, expected] of edits) {
      const d = structuredClone(doc);
      edit(d);
      const r = await cli('sweep', scenarioFile, '--seeds', '1', '--workers', '1', '-q', '--resume', file(`resume-${what.replace(/ /g, '-')}.json`, JSON.stringify(d)));
      expect(r.code, what).toBe(2);
      expect(r.err, what).toMatch(expected);
      noStack(r.err);
    }
    const twice = await cli('merge', scenarioFile, part, part);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('shard 1/2 is given twice');
    const other = join(dir, 'other.yaml');
    writeFileSync(other, readFileSync(scenarioFile, 'utf8').replace('name: sig', 'name: other'));
    const foreign = await cli('merge', other, part, shard2);
    expect(foreign.code).toBe(2);
    expect(foreign.err).toContain('another scenario');
    const merged = await cli('merge', scenarioFile, part, shard2);
    expect(merged.code, merged.err).toBeLessThan(2);
  });
});

describe('outputs', () => {
  const s = join(root, 'scenarios/low-traffic.yaml');
  it.each([
    ['a directory', () => dir, 'is a directory'],
    ['a path under a file', () => join(s, 'x.json'), `${s} is not a directory`],
    // A full disk is test/hostile-files.test.ts's (a small tmpfs): /dev/full is a device, refused before any work.
    ['a device', () => '/dev/full', 'is a device, not a file'],
  ])('--json on %s: exit 2 with the path and the reason', async (_what, path, reason) => {
    const r = await cli('run', '-q', s, '--json', path());
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${path()}: cannot write: ${reason}`);
  });

  it('ci checks every output path before running anything', async () => {
    for (const opt of ['--junit', '--summary', '--json', '--html-dir']) {
      const r = await cli('ci', join(root, 'scenarios'), opt, join(s, 'out'));
      expect(r.code, opt).toBe(2);
      expect(r.out, opt).toBe('');
      expect(r.err).toContain('cannot write');
    }
  });

  it('ci pages never collide, long names are shortened, no name leaves the folder', () => {
    const pages = new PageNames();
    const names = [
      pages.name({ scenario: 'checkout', case: null }, 'a/checkout.yaml'),
      pages.name({ scenario: 'checkout', case: null }, 'b/checkout.yaml'),
      pages.name({ scenario: 's', case: 'A B' }, 's.yaml'),
      pages.name({ scenario: 's', case: 'a-b' }, 's.yaml'),
      pages.name({ scenario: 'x'.repeat(500), case: 'y'.repeat(500) }, 'long.yaml'),
      pages.name({ scenario: '../../../etc/passwd', case: '..' }, 'evil.yaml'),
    ];
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) {
      expect(n).toMatch(/^[a-z0-9-]+\.html$/);
      expect(n.length).toBeLessThanOrEqual(100);
    }
    expect(names[0]).toBe('checkout.html');
    expect(names[5]).toBe('etc-passwd--scenario.html');
  });
});

describe('signals: SIGTERM like SIGINT, what finished is kept', () => {

  /** Starts the built CLI; `afterMs` after its first line on `stream`, sends `signal`; waits for the exit. */
  function interrupt(args: string[], signal: NodeJS.Signals, afterMs: number, stream: 'stdout' | 'stderr'): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      let timer: NodeJS.Timeout | undefined;
      const arm = () => (timer ??= setTimeout(() => child.kill(signal), afterMs));
      child.stderr.on('data', (b) => {
        stderr += b;
        if (stream === 'stderr') arm();
      });
      child.stdout.on('data', () => {
        if (stream === 'stdout') arm();
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  }


  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('sweep on %s exits %i and writes a resumable document', async (signal, code) => {
    const json = join(dir, `sweep-${signal}.json`);
    const r = await interrupt(['sweep', sweepScenario, '--workers', '1', '--json', json], signal, 300, 'stderr');
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toContain(`continue with --resume ${json}`);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.complete).toBe(false);
    expect(doc.runs.length).toBeLessThan(doc.plan.runs);
    if (signal === 'SIGTERM') {
      // Resumed, it is the document of a sweep never interrupted, byte for byte.
      const resumed = join(dir, 'sweep-resumed.json');
      const whole = join(dir, 'sweep-whole.json');
      expect((await cli('sweep', sweepScenario, '--workers', '2', '-q', '--resume', json, '--json', resumed)).code).toBe(0);
      expect((await cli('sweep', sweepScenario, '--workers', '2', '-q', '--json', whole)).code).toBe(0);
      expect(readFileSync(resumed, 'utf8')).toBe(readFileSync(whole, 'utf8'));
    }
  }, 120_000);

  it.each([['SIGTERM', 143], ['SIGINT', 130]] as const)('ci on %s exits %i and writes the reports of what finished', async (signal, code) => {
    const ciDir = join(dir, `ci-${signal}`);
    mkdirSync(ciDir);
    for (let i = 0; i < 40; i++) writeFileSync(join(ciDir, `s${String(i).padStart(2, '0')}.yaml`), small('services: { s0: { latency: 5ms } }\n').replace('duration: 1m', 'duration: 20m').replace('10/s', '100/s'));
    const json = join(dir, `ci-${signal}.json`);
    const junit = join(dir, `ci-${signal}.xml`);
    const r = await interrupt(['ci', ciDir, '--json', json, '--junit', junit], signal, 300, 'stdout');
    expect(r.code, r.stderr).toBe(code);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.counts.cases).toBeGreaterThan(0);
    expect(doc.counts.cases).toBeLessThan(40);
    expect(existsSync(junit)).toBe(true);
  }, 180_000);
});

/**
 * How fast a signal is obeyed. A rehearsal or sweep run here takes a minute or more, so a command that waited
 * for it would pass the budget several times over; the budget itself (10 s) leaves room for a loaded machine
 * (the measured figure is about half a second).
 */
describe('signals: the first stops the work under way at once, a second quits at once', () => {
  const BUDGET_MS = 10_000;
  /** Long enough that waiting for it cannot fit the budget: some hundred million events. */
  const slow = small('services: { s0: { latency: 5ms } }\n').replace('duration: 1m', 'duration: 8h').replace('10/s', '4000/s');

  /**
   * Starts the built CLI; `delayMs` after the first output matching `trigger`, sends `signals` (`gapMs` apart);
   * returns the exit code and the time from the first signal to the exit.
   */
  function signalled(args: string[], trigger: RegExp, delayMs: number, signals: NodeJS.Signals[], gapMs = 20): Promise<{ code: number | null; ms: number; out: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [bin, ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      let sentAt = 0;
      let armed = false;
      const watch = (b: Buffer) => {
        out += b;
        if (armed || !trigger.test(out)) return;
        armed = true;
        setTimeout(() => {
          sentAt = performance.now();
          signals.forEach((sig, i) => setTimeout(() => child.kill(sig), i * gapMs));
        }, delayMs);
      };
      child.stdout.on('data', watch);
      child.stderr.on('data', watch);
      child.on('exit', (code) => resolve({ code, ms: performance.now() - sentAt, out }));
    });
  }

  const ciFolder = (name: string) => {
    const d = join(dir, name);
    mkdirSync(d);
    writeFileSync(join(d, 'a-quick.yaml'), small('services: { s0: { latency: 5ms } }\n'));
    writeFileSync(join(d, 'b-slow.yaml'), slow);
    return d;
  };

  it.each([['one SIGTERM', ['SIGTERM']], ['two SIGTERMs', ['SIGTERM', 'SIGTERM']], ['one SIGINT', ['SIGINT']]] as const)('ci on %s: stops the rehearsal running within the budget and keeps the one that finished', async (what, signals) => {
    const json = join(dir, `ci-now-${what.replace(/ /g, '-')}.json`);
    const junit = join(dir, `ci-now-${what.replace(/ /g, '-')}.xml`);
    const r = await signalled(['ci', ciFolder(`ci-now-${what.replace(/ /g, '-')}`), '--json', json, '--junit', junit], /\((\d+m)?\d+(\.\d+)?(ms|s)\)$/m, 1000, [...signals]);
    console.log(`ci, ${what}: exit ${r.code} ${Math.round(r.ms)} ms after the first signal`);
    expect(r.code, r.out).toBe(signals[0] === 'SIGTERM' ? 143 : 130);
    expect(r.ms).toBeLessThan(BUDGET_MS);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.cases.map((c: { file: string }) => c.file.replace(/^.*\//, ''))).toEqual(['a-quick.yaml']);
    expect(readFileSync(junit, 'utf8')).toContain('a-quick');
  }, 240_000);

  it.each([['one SIGTERM', ['SIGTERM']], ['two SIGTERMs', ['SIGTERM', 'SIGTERM']]] as const)('sweep on %s: stops its runs within the budget and writes a resumable document', async (what, signals) => {
    const file = join(dir, `sweep-slow-${what.replace(/ /g, '-')}.yaml`);
    writeFileSync(file, `${slow}flags: { f: { evaluated-by: [s0] } }\nrollout:\n  - flag: f\n    stages: [{ to: 50%, hold: 1h }, { to: 100% }]\ntune:\n  seeds: 2\n  vary: { rollout.f.stages.0.hold: [1h] }\n  minimize: 'blast_radius_users p(95)'\n`);
    const json = join(dir, `sweep-now-${what.replace(/ /g, '-')}.json`);
    const r = await signalled(['sweep', file, '--workers', '1', '--json', json], /runs? to do/, 1000, [...signals]);
    console.log(`sweep, ${what}: exit ${r.code} ${Math.round(r.ms)} ms after the first signal`);
    expect(r.code, r.out).toBe(143);
    expect(r.ms).toBeLessThan(BUDGET_MS);
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    expect(doc.complete).toBe(false);
    expect(doc.runs).toEqual([]);
  }, 240_000);

  it('gameday on SIGTERM stops at once and exits 143 with the journal kept; the journal gives the debrief and replays', async () => {
    const out = join(dir, 'drill-sigterm');
    const r = await signalled(['gameday', join(root, 'test/fixtures/drill.yaml'), '--out', out, '--speed', '60', '--start'], /facilitator \S+: http/, 1500, ['SIGTERM']);
    console.log(`gameday, one SIGTERM: exit ${r.code} ${Math.round(r.ms)} ms after the signal`);
    expect(r.code, r.out).toBe(143);
    expect(r.ms).toBeLessThan(BUDGET_MS);
    expect(r.out).toContain('the journal keeps the drill');
    const debrief = await cli('gameday', 'debrief', `${out}.journal`);
    expect(debrief.code, debrief.err).toBe(0);
    const record = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(record.schema).toBe('rehearse/drill@2');
    expect(record.record.end.reason).toBe('interrupted');
    const replay = await cli('gameday', 'replay', `${out}.json`);
    expect(replay.code, replay.err).toBe(0);
    expect(replay.out).toContain('replay identical');
  }, 120_000);
});

describe('hostile inputs found on review', () => {
  const ok = file('review-ok.yaml', small('services: { s0: { latency: 5ms } }\n'));
  /** A real process with a time limit: a hang must fail the test, not freeze the worker. */
  const bounded = (...argv: string[]) => spawnSync(process.execPath, [bin, ...argv], { encoding: 'utf8', timeout: 15_000 });

  it.each([
    ['init', '/proc/rehearse-test/x'],
    ['run', ok, '-q', '--json', '/proc/rehearse-test/x.json'],
  ])('%s under /proc (where a recursive mkdir never returns) is exit 2 naming the path', (...argv) => {
    const r = bounded(...argv);
    expect(r.error, 'timed out').toBeUndefined();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^\/proc\/rehearse-test\/x\S*: cannot write: /);
    noStack(r.stderr);
  }, 20_000);
});

describe('control characters in names reach no report raw', () => {
  it('ci --summary and --junit escape ESC, BEL, C1 and the C0 characters XML 1.0 forbids', async () => {
    const ciDir = join(dir, 'ctrl-ci');
    mkdirSync(ciDir);
    writeFileSync(join(ciDir, 'c.yaml'), 'name: "n\\e[2J\\e]0;pwned\\a\\x9b\\x85\\x01\\x7f"\nduration: 1m\ntraffic: { rate: 10/s }\njourneys:\n  "j\\e[H\\x9b": { steps: [s0] }\nservices:\n  s0: {}\n');
    const summary = join(dir, 'ctrl-summary.md');
    const junit = join(dir, 'ctrl-junit.xml');
    const r = await cli('ci', ciDir, '--summary', summary, '--junit', junit);
    expect([0, 1], r.err).toContain(r.code);
    for (const text of [readFileSync(summary, 'utf8'), readFileSync(junit, 'utf8')]) {
      // eslint-disable-next-line no-control-regex
      expect(text).not.toMatch(/[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]/);
    }
    expect(readFileSync(junit, 'utf8')).toContain('n\\x1b[2J\\x1b]0;pwned\\x07\\x9b\\x85\\x01\\x7f');
    // In Markdown each backslash escaped (\\x1b reads \x1b), so that a name's own backslash escapes no pipe.
    expect(readFileSync(summary, 'utf8')).toContain('n\\\\x1b[2J\\\\x1b]0;pwned\\\\x07\\\\x9b\\\\x85\\\\x01\\\\x7f');
  });

  it('ci --junit escapes the other characters XML 1.0 forbids: U+FFFE, U+FFFF and unpaired surrogates', async () => {
    const ciDir = join(dir, 'nonchar-ci');
    mkdirSync(ciDir);
    writeFileSync(join(ciDir, 'c.yaml'), 'name: "n\\uFFFE\\uFFFF\\uD800|\\uDC00|\\uD83D\\uDE00"\nduration: 1m\ntraffic: { rate: 10/s }\njourneys: { j: { steps: [s0] } }\nservices: { s0: {} }\n');
    const junit = join(dir, 'nonchar-junit.xml');
    const r = await cli('ci', ciDir, '--junit', junit);
    expect([0, 1], r.err).toContain(r.code);
    const text = readFileSync(junit, 'utf8');
    expect(text).not.toMatch(/[\uFFFE\uFFFF\uFFFD]/);
    expect(text).toContain('n\\ufffe\\uffff\\ud800|\\udc00|\u{1F600}');
  });
});

describe('an option that only shapes another is refused without it, not ignored', () => {
  const ok = file('only-with.yaml', small('services: { s0: { latency: 5ms } }\n'));
  const traces = join(root, 'test/fixtures/traces/hotrod-otlp.json');
  it.each([
    [['run', ok, '-q', '--trace-sample', '5%'], '--trace-sample: it shapes the traces of --traces: give --traces FILE'],
    [['run', ok, '-q', '--trace-format', 'jaeger'], '--trace-format: it shapes the traces of --traces: give --traces FILE'],
    [['ci', dir, '--baseline-warn'], '--baseline-warn: name the baseline to compare with: --baseline FILE'],
    [['import', 'flags', 'unleash', join(root, 'flags/demo.unleash.json'), '--cohort', ok], '--cohort: it is the users --inline checks its flags on: give --inline too'],
    [['calibrate', traces, '-q', '--replica-concurrency', 'frontend=2'], '--replica-concurrency: it sets the workers of the replicas --deployment reads: give --deployment DIR (or the capacity itself with --capacity)'],
  ])('%j', async (argv, message) => {
    const r = await cli(...argv);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(message);
  });
});

describe('YAML and JSON errors name their place', () => {
  it.each([
    ['<<: 5', 'services:\n  s0: { <<: 5 }\n', /:7:13: services\.s0\["<<"\]: invalid YAML: a merge key \(<<\) takes a mapping/],
    ['<<: [1, 2]', 'services:\n  s0:\n    <<: [1, 2]\n', /:8:10: services\.s0\["<<"\]: invalid YAML: a merge key \(<<\) takes a mapping/],
    ['<<: *scalar', 'x-n: &n 5\nservices:\n  s0: { <<: *n }\n', /:8:13: services\.s0\["<<"\]: invalid YAML: a merge key/],
  ])('a merge key whose source is not a mapping (%s) is exit 2 at the source, with its path', async (_what, extra, expected) => {
    await invalid(small(extra), expected);
  });

  it('a merge key of an alias to no anchor says so, with the anchor meant: not that its source is of the wrong kind', async () => {
    await invalid(small('services:\n  s0: { <<: *defaluts }\n', 'x-defaults: &defaults { replicas: 2 }\n'),
      /:8:13: services\.s0\["<<"\]: invalid YAML: Unresolved alias \(the anchor must be set before the alias\): defaluts; did you mean "defaults"\?$/m);
  });

  it.each([
    // Read as a Map or a Set, whose entries no reader saw: the SLO's own figures were replaced by defaults.
    ['!!omap', 'slo: !!omap [{ availability: 50% }, { latency: 1ms }]\n', 13],
    ['!!set', 'x-set: !!set { a, b }\n', 14],
    ['!!timestamp', 'x-when: !!timestamp 2030-01-01\n', 21],
    ['!!binary', 'x-data: !!binary aGVsbG8=\n', 18],
    // Unknown tags kept their text: "expected a number, not \"7\"" said nothing of the tag.
    ['!foo', 'x-tag: !foo 7\n', 8],
    ['!!js/function', 'x-fn: !!js/function "function () {}"\n', 7],
  ])('a value tagged %s is refused at its place, not read as an empty mapping or as text', async (tag, extra, column) => {
    await invalid(small(`services: { s0: {} }\n${extra}`), `:7:${column}: invalid YAML: the tag ${tag} is not read here: write plain text, numbers, true or false, lists and mappings`);
  });

  it('a flag file in YAML with a !!set is refused at the tag (its flags were an empty mapping)', async () => {
    const r = await cli('import', 'flags', 'launchdarkly', file('ld-set.yaml', 'flags:\n  f: !!set {a}\n'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/ld-set\.yaml:2:12: invalid YAML: the tag !!set is not read here: write plain text, numbers, true or false, lists and mappings$/);
  });

  it.each([[300, /:7:207: invalid YAML: nesting too deep \(more than 200 levels\)/], [5000, /:7:\d+: invalid YAML: nesting too deep \(more than 200 levels\)/]])(
    'a flow sequence %i deep is refused as nesting too deep, with its position',
    async (depth, expected) => {
      await invalid(small(`services: { s0: {} }\nextra: ${'['.repeat(depth)}${']'.repeat(depth)}\n`), expected);
    },
  );

  it('a JSON syntax error in a .json scenario is "invalid JSON" with line:column', async () => {
    const f = file('syntax.json', '{"name": "h",\n "duration": "1m" "traffic": {}}\n');
    const r = await cli('validate', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:2:19: invalid JSON: Expected ',' or '}' after property value`);
    const trailing = await cli('validate', file('trailing.json', '{"name": "h",}\n'));
    expect(trailing.code).toBe(2);
    expect(trailing.err).toMatch(/:1:14: invalid JSON: /);
  });
});

describe('option values past the limit', () => {
  it('flags eval: a --default or --context nested thousands deep is exit 2 naming where (printing it overflowed the stack)', async () => {
    const flagd = join(root, 'flags/demo.flagd.json');
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const d = await cli('flags', 'eval', flagd, '--flag', 'express-checkout', '--context', '{"targetingKey":"u"}', '--default', deep);
    expect(d.code, d.err).toBe(2);
    expect(d.err).toMatch(/^--default: a(\.a){199}: nested more than 200 levels deep \(raise the limit with REHEARSE_MAX_DEPTH\)$/);
    const c = await cli('flags', 'eval', flagd, '--flag', 'express-checkout', '--context', `{"targetingKey":"u","tier":${deep}}`);
    expect(c.code, c.err).toBe(2);
    expect(c.err).toMatch(/^--context: tier(\.a){199}: nested more than 200 levels deep/);
    const ok = await cli('flags', 'eval', flagd, '--flag', 'express-checkout', '--context', '{"targetingKey":"u"}', '--default', '{"a":[1,2]}');
    expect(ok.code, ok.err).toBe(0);
  });

  it('cohorts generate --size 99999999999999999999 names the real limit and --force', async () => {
    const out = join(dir, 'never.json');
    const r = await cli('cohorts', 'generate', '--size', '99999999999999999999', '--out', out);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^--size: 1\.0e20 users .* over the limit of 1\.0e7 users; rerun with --force/);
    expect(r.err).not.toContain(String(Number.MAX_SAFE_INTEGER));
    const forced = await cli('cohorts', 'generate', '--size', '99999999999999999999', '--out', out, '--force');
    expect(forced.code).toBe(2);
    expect(forced.err).toContain(`--size: a whole number up to ${Number.MAX_SAFE_INTEGER}, even with --force`);
    expect(existsSync(out)).toBe(false);
  });

  it('sweep --workers past the limit is refused before anything runs (100,000 threads filled 16 GB and V8 aborted); so are a shard count and a seed past 2^53', async () => {
    const r = await cli('sweep', join(root, 'scenarios/gate-tuning.yaml'), '--workers', '100000', '-q');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/--workers <n>' argument '100000' is invalid\. at most 64 \(each worker is a thread with a heap of its own/);
    const shard = await cli('sweep', join(root, 'scenarios/gate-tuning.yaml'), '--shard', '1/99999999999999999999', '-q');
    expect(shard.code).toBe(2);
    expect(shard.err).toContain(`a shard is i/n with n up to ${Number.MAX_SAFE_INTEGER}`);
    const seed = await cli('run', join(root, 'scenarios/checkout.yaml'), '--seed', '99999999999999999999', '-q');
    expect(seed.code).toBe(2);
    expect(seed.err).toContain(`the seed is a whole number up to ${Number.MAX_SAFE_INTEGER}`);
    const most = await cli('sweep', join(dir, 'no-such-scenario.yaml'), '--workers', '64', '-q');
    expect(most.err).not.toContain('--workers');
  });
});
