/**
 * What a fuzz round of hostile input found, each finding as a small fixed case:
 * - `gameday` served a scenario whose work `run` refuses (a 1 µs window, 1e9 journeys a second): the drill filled the
 *   heap, or held the event loop for a minute at a time, where a SIGTERM waited 58 s to be heard;
 * - `gameday --host ''` listened (Node took the empty name as every interface), then failed to build its links
 *   (ERR_INVALID_URL) and kept serving after the error: the process never ended; `--host '[::1]'` (a URL's form of an
 *   address) was looked up as a host name (ENOTFOUND);
 * - a threshold naming a tag twice (`req_failed{flag:on,flag:off}`) was read without a word: k6 keeps the last value
 *   (grafana/k6 metrics/metric.go AddSubmetric, tags.With in a loop), rehearse matched on both, and the plan paused on
 *   a gate that matched nothing;
 * - a threshold's number past the largest double (`p(99)<1e400ms`, now read as k6 reads numbers, with an exponent
 *   too) was Infinity: a gate that never failed, or advice to write `rate<Infinity%`; k6 refuses it (ErrRange);
 * - a gate's filter naming the service twice, by `service` and by an `endpoint` of another service, read the one
 *   written last (`{endpoint:api.call,service:web}` read an endpoint "call" of web, which has none: a gate that never
 *   saw a request), and `journey` beside `scenario` (k6's name for it) read the last;
 * - calibrate --duration 0s, or past 2^53 µs, wrote a scenario then refused as "a bug in calibrate"; --capacity naming
 *   a service twice took the last value, and a count past 2^53 was taken as a rounded number;
 * - a scenario under the size limit could abort the process while it was read: 60 MB of faults took four minutes and
 *   V8's out-of-memory abort (exit 134, its native stack), 100,000 faults did so under a 300 MB heap, and 1,000 cases
 *   of 10,000 faults (450 KB) needed 8 GB, each case's scenario being checked over the whole file;
 * - `-` given for a file to read (standard input to many tools; rehearse's outputs take it for stdout) was "no such file";
 * - a game day note or person named with a right-to-left override (U+202E) or U+2028 was printed raw at the
 *   facilitator's terminal and by `gameday ctl`, where C0 and C1 controls were already shown as "?".
 * Probed and found sound this round (see the report): rates, durations, windows, gate intervals, replicas,
 * repeats in repeats, retries and fan-outs of 1e6 to 1e300 (refused by the work estimate before running), a tune grid
 * of 1e6 policies, every numeric option of run, sweep, gameday and cohorts, PromQL regexes RE2 refuses (back
 * references, look-ahead, repeats over 1000) and one that backtracks in JavaScript (`(a+)+$`, linear in re2js).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-20-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|ERR_/);

/** The built CLI in a child process, killed after `timeout`: a drill that serves instead of refusing fails the test. */
function bounded(argv: string[], timeout = 60_000): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [bin, ...argv], { cwd: dir, encoding: 'utf8', timeout });
  expect(r.error, `${argv.join(' ')}: still running after ${timeout / 1000} s`).toBeUndefined();
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/**
 * A drill of the built CLI, stopped by hand (SIGTERM) once it serves: once it has printed how to invite someone, the
 * last line it prints before it waits for people (or after 20 s, or when it ends by itself). What it printed.
 */
function servedThenStopped(argv: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...argv], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const stop = () => child.kill('SIGTERM');
    const timer = setTimeout(stop, 20_000);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (/^invite someone: /m.test(stdout)) stop();
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, stderr });
    });
  });
}

const base = readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8').replace(/^tune:[\s\S]*$/m, '');
const GATE = "      - 'req_failed{service:api,flag:on} rate<0.02'";
const withGate = (name: string, gate: string) => write(name, base.replace(GATE, `      - ${JSON.stringify(gate)}`));

describe('gameday holds a scenario to the limits run holds it to', () => {
  const tiny = write('window-1us.yaml', base.replace('window: 1m', 'window: 1us'));

  it.each([[['--start']], [['--hidden-case']], [[]]])('a 1 µs window (%j) is refused before anything is served: exit 2, the estimate, no journal', (extra) => {
    const out = join(dir, `drill-${extra.join('') || 'lobby'}`);
    const r = bounded(['gameday', tiny, '--out', out, ...extra]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${tiny}: too much work: `);
    expect(r.err).toMatch(/telemetry windows x 6 tags/);
    expect(r.err).toContain(`${tiny}: refused before running; rerun with --force`);
    expect(r.out).not.toContain('facilitator');
    noStack(r.err);
    expect(existsSync(`${out}.journal`)).toBe(false);
  }, 120_000);

  it('a hidden case is held to the limits whichever case is drawn, and the refusal does not say which was', () => {
    const text = base.replace(/cases:[\s\S]*$/, "cases:\n  calm: {}\n  surge: { traffic: { rate: 1e9/s } }\n");
    const file = write('hidden-cases.yaml', text);
    for (let i = 0; i < 3; i++) {
      const r = bounded(['gameday', file, '--hidden-case', '--out', join(dir, `hidden-${i}`)]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toContain(`${file}: too much work: `);
      expect(r.err).not.toMatch(/calm|surge/);
    }
  }, 120_000);

  it('--force serves it anyway (the drill is then stopped by hand)', async () => {
    const r = await servedThenStopped(['gameday', tiny, '--force', '--out', join(dir, 'forced')]);
    expect(r.stdout).toContain('game day: gate-tuning');
    expect(r.stderr).not.toContain('too much work');
  }, 120_000);

  it('resuming that drill is held to the same limits before it is replayed, and --force resumes it anyway', async () => {
    const journal = join(dir, 'forced.journal');
    expect(existsSync(journal)).toBe(true);
    const r = bounded(['gameday', 'resume', journal]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${tiny}: too much work: `);
    expect(r.err).toContain(`${tiny}: refused before running; rerun with --force`);
    expect(r.out).not.toContain('resumed');
    noStack(r.err);
    const forced = await servedThenStopped(['gameday', 'resume', journal, '--force']);
    expect(forced.stdout).toContain(`game day resumed from ${journal} in its lobby`);
    expect(forced.stderr).not.toContain('too much work');
  }, 120_000);
});

describe('gameday --host', () => {
  it.each([
    ['', 'an empty one is not taken as every interface'],
    ['[::1]', 'an IPv6 address without its brackets: ::1'],
    ['a b', 'an IP address or a host name'],
    ['http://x', 'an IP address or a host name'],
  ])('%j is a usage error before anything is opened (exit 2, no hang)', (host, words) => {
    const out = join(dir, `host-${Buffer.from(host).toString('hex')}`);
    const r = bounded(['gameday', join(root, 'scenarios/checkout.yaml'), '--host', host, '--start', '--out', out]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`option '--host <address>' argument '${host}' is invalid`);
    expect(r.err).toContain(words);
    noStack(r.err);
    expect(existsSync(`${out}.journal`)).toBe(false);
  }, 120_000);

  it('an IPv6 address, a host name and 0.0.0.0 are taken by the parser', async () => {
    const { hostOption } = await import('../src/cli/options.js');
    for (const h of ['::1', '::', '127.0.0.1', '0.0.0.0', 'localhost', 'drills.example.com', 'fe80::1']) expect(hostOption(h)).toBe(h);
  });

  it('a resumed drill takes the same parser', () => {
    const r = bounded(['gameday', 'resume', join(dir, 'none.journal'), '--host', '']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`option '--host <address>' argument '' is invalid`);
  }, 120_000);
});

describe('thresholds: a tag named twice', () => {
  it.each([
    ['req_failed{flag:on,flag:off} rate<0.02', 'flag', 'flag:on and flag:off', 20],
    ['req_failed{flag:on, flag : on} rate<0.02', 'flag', 'flag:on and flag:on', 21],
    ["req_failed{service:api,'service':api} rate<0.02", 'service', 'service:api and service:api', 25],
  ])('%s is refused at the second, naming both (it was read without a word)', async (gate, tag, both, column) => {
    const file = withGate(`dup-${tag}-${column}.yaml`, gate);
    const r = await cli('validate', file);
    expect(r.code, r.out).toBe(2);
    // The gate's text starts at column 9 of line 46, inside its double quotes.
    expect(r.err).toContain(`${file}:46:${9 + column}: rollout[0].gates[0]: tag "${tag}" is given twice (${both}): keep one (k6 would take the last)`);
  });

  it('in acceptance criteria and a comparison gate\'s filter too', async () => {
    const acceptance = write('dup-acceptance.yaml', `${base}acceptance: ['blast_radius_users{flag:new-engine,flag:new-engine} max<10']\n`);
    const a = await cli('validate', acceptance);
    expect(a.code).toBe(2);
    expect(a.err).toContain('tag "flag" is given twice (flag:new-engine and flag:new-engine)');
    const compare = write('dup-compare.yaml', base.replace(GATE, "      - { compare: { metric: req_failed, test: two-proportion, max-increase: 50%, filter: '{journey:use,journey:use}' } }"));
    const c = await cli('validate', compare);
    expect(c.code).toBe(2);
    expect(c.err).toContain('tag "journey" is given twice');
  });
});

describe('thresholds: one filter naming a service, an endpoint or a journey twice under two tags', () => {
  const twoServices = (name: string, gate: string) => write(name, base.replace(GATE, `      - ${JSON.stringify(gate)}`)
    .replace('    endpoints: { call: {} }', '    endpoints: { call: {} }\n  web:\n    latency: 5ms\n    endpoints: { home: {} }'));

  it.each([
    // The endpoint's service overrode the service tag: the gate read api.call, the text says web.
    ['req_failed{service:web,endpoint:api.call} rate<0.02', 'endpoint "api.call" is not of service "web": keep one of the two tags', 24],
    // The service tag overrode the endpoint's: the gate read an endpoint "call" of web, which has none, and never saw a request.
    ['req_failed{endpoint:api.call,service:web} rate<0.02', 'endpoint "api.call" is not of service "web": keep one of the two tags', 30],
    // k6's scenario is rehearse's journey: the last was read.
    ['req_failed{journey:use,scenario:use} rate<0.02', "the journey is given twice (use and use; scenario is k6's name for journey): keep one", 24],
  ])('%s is refused at the second (read without a word before)', async (gate, words, column) => {
    const file = twoServices(`two-names-${column}-${gate.length}.yaml`, gate);
    const r = await cli('validate', file);
    expect(r.code, r.out).toBe(2);
    expect(r.err).toContain(`${file}:49:${9 + column}: rollout[0].gates[0]: ${words}`);
  });

  it('a service and an endpoint of it agree, and are read', async () => {
    const r = await cli('validate', twoServices('agree.yaml', 'req_failed{service:api,endpoint:api.call} rate<0.02'));
    expect(r.code, r.err).toBe(0);
  });
});

describe('thresholds: a number past the largest double', () => {
  // k6 reads the number with strconv.ParseFloat (grafana/k6 metrics/thresholds_parser.go parseThresholdExpression and
  // parseThresholdAggregationMethod), which returns ErrRange past about 1.8e308: k6 refuses the threshold. Number()
  // made it Infinity: `p(99)<1e400ms` was a gate that never failed, `rate<1e400` advised "rate<Infinity%".
  it.each([
    ['req_failed{service:api} rate<1e400', '1e400', '1e400'],
    ['req_duration{service:api} p(99)<1e400ms', '1e400', '1e400'],
    ['req_failed count>1e400', '1e400', '1e400'],
    ['req_duration{service:api} p(1e400)<5ms', '1e400)', '1e400'],
  ])('%s is refused at the number as out of range, as k6 refuses it', async (gate, at, shown) => {
    const file = withGate(`range-${gate.length}-${at.length}.yaml`, gate);
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:46:${10 + gate.indexOf(at)}: rollout[0].gates[0]: ${shown} is out of range: past the largest number a threshold holds (about 1.8e308), as k6 refuses it (strconv.ParseFloat: value out of range)`);
  });

  it('a duration whose microseconds pass it (1e306h) is refused too: a limit no latency crosses', async () => {
    const gate = 'req_duration{service:api} p(99)<1e306h';
    const file = withGate('range-hours.yaml', gate);
    const r = await cli('validate', file);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:46:${10 + gate.indexOf('1e306h')}: rollout[0].gates[0]: 1e306h is out of range: in microseconds it is past the largest number a threshold holds`);
  });

  it('1e-3 and 1e308 are numbers k6 reads, and are read', async () => {
    for (const gate of ['req_failed{service:api} rate<1e-3', 'req_failed count>1e308']) {
      const r = await cli('validate', withGate(`in-range-${gate.length}.yaml`, gate));
      expect(r.code, r.err).toBe(0);
    }
  });
});

describe('calibrate options', () => {
  const traces = join(root, 'test/fixtures/realsys/base/frontend.otlp.json');

  it.each([
    ['--duration', '0s', '--duration: "0s": the scenario\'s horizon must be longer than zero'],
    ['--duration', '0.0m', '--duration: "0.0m": the scenario\'s horizon must be longer than zero'],
    ['--duration', '10000000h', '--duration: duration "10000000h" is longer than rehearse holds'],
    ['--capacity', 'frontend=4,frontend=5', '--capacity: "frontend" is given twice ("frontend=5" and the one before it): keep one'],
    ['--capacity', 'frontend=99999999999999999999', '--capacity: "frontend=99999999999999999999": a number past 2^53 is not a whole number to JavaScript'],
  ])('%s %s is a usage error naming the option (a calibrated scenario refused as "a bug in calibrate", or the last value taken)', async (flag, value, words) => {
    const r = await cli('calibrate', traces, flag, value, '-q');
    expect(r.code, r.out.slice(0, 200)).toBe(2);
    expect(r.err).toContain(words);
    expect(r.err).not.toContain('a bug');
    expect(r.out).toBe('');
  });

  it('--replica-concurrency given twice for every name is refused too', async () => {
    const r = await cli('calibrate', traces, '--deployment', join(root, 'test/fixtures'), '--replica-concurrency', '4,4', '-q');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--replica-concurrency: a count for every name is given twice');
  });
});

describe('a scenario that would outgrow the heap while it is read', () => {
  const head = base.replace(/^cases:[\s\S]*$/m, '');
  const faults = (n: number) => `faults:\n${Array.from({ length: n }, (_, i) => `  - { at: ${i}s, for: 1s, kind: latency, target: api, add: 1ms }`).join('\n')}\n`;
  const small = (argv: string[]) => {
    const r = spawnSync(process.execPath, ['--max-old-space-size=300', bin, ...argv], { cwd: dir, encoding: 'utf8', timeout: 90_000 });
    expect(r.error, 'still running after 90 s').toBeUndefined();
    return { code: r.status, err: r.stderr, signal: r.signal };
  };

  it('100,000 faults (6.6 MB, a tenth of the size limit) under a 300 MB heap: exit 2 with the estimate, not a V8 abort', () => {
    const file = write('faults-100k.yaml', head + faults(100_000));
    const r = small(['validate', file]);
    expect(r.signal).toBeNull();
    expect(r.code, r.err.slice(0, 300)).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: too much to read: about \\d+ MB of memory \\(1\\.1e6 values\\), over the \\d+ MB a run may use \\(the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB\\)\\n$`));
  }, 120_000);

  it('1,000 cases of 2,000 faults (150 KB, each case checked over the whole file): exit 2 naming the cases', () => {
    const cases = `cases:\n${Array.from({ length: 1000 }, (_, i) => `  c${i}: {}`).join('\n')}\n`;
    const file = write('cases-faults.yaml', head + faults(2000) + cases);
    const r = small(['run', file, '-q']);
    expect(r.signal).toBeNull();
    expect(r.code, r.err.slice(0, 300)).toBe(2);
    expect(r.err).toContain(`${file}: cases: too much to read: about `);
    expect(r.err).toContain('values, checked once and once more for each of its 1,000 cases), over the ');
  }, 120_000);

  it('the bundled scenarios are read far within the default heap', async () => {
    const { countValues, readingOverLimit } = await import('../src/scenario/budget.js');
    for (const f of readdirSync(join(root, 'scenarios')).filter((x) => x.endsWith('.yaml'))) {
      const text = readFileSync(join(root, 'scenarios', f), 'utf8');
      expect(countValues(text), f).toBeLessThan(1000);
      // At a hundredth of the memory a run may use here, the largest with a thousand cases would still be read.
      expect(readingOverLimit(countValues(text), 1000, 1e9), f).toBeNull();
    }
    expect(countValues('a: "b c: d" # e f\nx: [1, 2]')).toBe(6);
  });
});

describe('standard input as a file to read', () => {
  it.each([
    [['run', '-'], '-: cannot read the scenario: no such file: rehearse does not read a scenario file from standard input; give its path (./- for a file named -)'],
    [['calibrate', '-'], '-: no such file: rehearse does not read a trace file from standard input; give its path'],
    [['report', '-', '--html', join(dir, 'stdin.html')], '-: no such file: rehearse does not read a result document from standard input; give its path'],
    [['import', 'argo', '-'], '-: no such file: rehearse does not read a Kubernetes resource from standard input; give its path'],
  ])('%j says that - is standard input, which rehearse does not read (it said "no such file" alone)', async (argv, words) => {
    const r = await cli(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(words);
  });
});

describe('game day lines at the terminal', () => {
  it('a note or a name holding a right-to-left override or a line separator is printed with its escape in its place (it reordered the line)', async () => {
    const { actionLine } = await import('../src/cli/gameday.js');
    const line = actionLine({ atUs: 85e6, wallTime: '', by: 'op\u202eRTL', role: 'operator', action: { type: 'note', text: 'n\u2028\u2029\u202e<svg>\u2066x\u2069' }, refused: null });
    expect(line).toBe('[1m25s] op\\u202eRTL (operator): note: n\\u2028\\u2029\\u202e<svg>\\u2066x\\u2069');
  });
});

it('leaves no drill files but the refused ones never made', () => {
  expect(readdirSync(dir).filter((f) => f.endsWith('.journal') && !f.startsWith('forced'))).toEqual([]);
});
