/**
 * How far a calibration can be trusted: ranges from resampled traces (src/calibrate/resample.ts, ranges.ts). The
 * draws against their distributions' theory; the ranges against the real shop's measurements (realsys/): the
 * doubled load the shop measured falls inside the ranges predicted from its base traces; the base agrees with
 * itself; and a model that no longer describes the shop (the database 20 ms slower) is told apart from it.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { calibrateFiles, checkCalibration, predictAt } from '../src/calibrate/calibrate.js';
import type { CheckResult, FigureKey } from '../src/calibrate/check.js';
import { blockIndices, blockLength, central, Draws, pick, redrawErrorRate, TraceKeeper } from '../src/calibrate/resample.js';
import { figureTold, quantileTold } from '../src/calibrate/told.js';
import { erlangC } from '../src/calibrate/waits.js';
import { main } from '../src/cli/main.js';
import { calibrateCommand } from '../src/cli/calibrate.js';
import { VERSION } from '../src/version.js';
import { writeTraces } from '../src/interop/traces/write.js';
import type { Span } from '../src/observe/span.js';
import { TraceRecorder } from '../src/observe/tracing.js';
import type { Scenario } from '../src/scenario/types.js';
import { runScenario } from '../src/score/result.js';
import { load } from './roundtrip-helpers.js';
import { declaredCapacity, journeyOf, readMeasured, root, services, system } from './realsys-helpers.js';

const fixtures = join(root, 'test', 'fixtures', 'realsys');
const baseFiles = services.map((s) => join(fixtures, 'base', `${s}.otlp.json`));

/** ln Gamma(x), Lanczos (g = 7, n = 9), for x > 0. */
function lgamma(x: number): number {
  const c = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lgamma(1 - x);
  x -= 1;
  let a = c[0];
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}
const lbeta = (a: number, b: number) => lgamma(a) + lgamma(b) - lgamma(a + b);

describe('the draws', () => {
  it('Gamma and Beta draws have their distributions\' mean and variance', () => {
    const d = new Draws(7);
    const N = 40_000;
    for (const k of [0.5, 3, 17.5]) {
      const xs = Array.from({ length: N }, () => d.gamma(k));
      const mean = xs.reduce((a, b) => a + b, 0) / N;
      const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (N - 1);
      // Gamma(k, 1): mean k, variance k; the mean's standard error sqrt(k / N).
      expect(Math.abs(mean - k), `shape ${k}`).toBeLessThan(4 * Math.sqrt(k / N));
      expect(Math.abs(v / k - 1), `shape ${k}`).toBeLessThan(0.05);
    }
    const bs = Array.from({ length: N }, () => d.beta(2, 5));
    const mean = bs.reduce((a, b) => a + b, 0) / N;
    // Beta(2, 5): mean 2/7, variance 10/392.
    expect(Math.abs(mean - 2 / 7)).toBeLessThan(4 * Math.sqrt(10 / 392 / N));
  });

  it('an error rate of 0 in 17 is drawn again as another 17 requests would show it: 0 as often as its posterior predicts', () => {
    const d = new Draws(11);
    const N = 40_000;
    const xs = Array.from({ length: N }, () => redrawErrorRate(0, 17, d));
    // p ~ Beta(1/2, 17 + 1/2), X ~ Binomial(17, p): P(X = 0) = B(1/2, 17.5 + 17) / B(1/2, 17.5).
    const p0 = Math.exp(lbeta(0.5, 34.5) - lbeta(0.5, 17.5));
    const zeros = xs.filter((x) => x === 0).length / N;
    expect(Math.abs(zeros - p0)).toBeLessThan(4 * Math.sqrt((p0 * (1 - p0)) / N));
    expect(p0).toBeGreaterThan(0.7);
    expect(p0).toBeLessThan(0.9);
    // Many requests: the rate's posterior mean (x + 1/2) / (n + 1).
    const big = Array.from({ length: 4000 }, () => redrawErrorRate(300, 20_000, d));
    expect(Math.abs(big.reduce((a, b) => a + b, 0) / big.length - 300.5 / 20_001)).toBeLessThan(0.0002);
  });

  it('a moving-block resample takes whole blocks of consecutive traces, the cube root of their number long', () => {
    expect(blockLength(438)).toBe(8);
    expect(blockLength(53)).toBe(4);
    const idx = blockIndices(438, new Draws(3));
    expect(idx).toHaveLength(438);
    expect(blockIndices(438, new Draws(3))).toEqual(idx);
    for (let b = 0; b + 8 <= 432; b += 8) for (let k = 1; k < 8; k++) expect(idx[b + k]).toBe((idx[b] + k) % 438);
    // Drawn with replacement: some traces twice, some not at all.
    expect(new Set(idx).size).toBeLessThan(438);
  });

  it('the middle 90% of 40 draws holds another draw like them 90% of the time', () => {
    const d = new Draws(5);
    const N = 20_000;
    let inside = 0;
    for (let i = 0; i < N; i++) {
      const r = central(Array.from({ length: 40 }, () => d.normal()))!;
      const x = d.normal();
      if (x >= r.lo && x <= r.hi) inside++;
    }
    // Four standard errors of a share of 90% in 20,000: 0.0085. Ends at the usual (n - 1) q + 1 hold 35.1 / 41 = 0.856.
    expect(Math.abs(inside / N - 0.9), `${inside} of ${N}`).toBeLessThan(0.0085);
    // Ranks 2.05 and 38.95 of 40: a fifth of the way from the 2nd value to the 3rd, four fifths from the 38th to the 39th.
    const r = central(Array.from({ length: 40 }, (_, i) => 40 - i))!;
    expect(r.lo).toBeCloseTo(2.05, 9);
    expect(r.hi).toBeCloseTo(38.95, 9);
    // Too few for the ends of a 90% range: the smallest and the largest.
    expect(central([3, 1, 2])).toEqual({ lo: 1, hi: 3 });
    expect(central([1])).toBeNull();
  });

  it('Erlang C, the share of calls that find every worker busy, against its closed forms', () => {
    // M/M/1: the utilization. M/M/2: 2 rho^2 / (1 + rho).
    for (const a of [0.1, 0.5, 0.9]) expect(erlangC(1, a)).toBeCloseTo(a, 12);
    const rho = 0.39;
    expect(erlangC(2, 2 * rho)).toBeCloseTo((2 * rho * rho) / (1 + rho), 12);
    // The shop's cart (4 workers, 11% busy) keeps about 1 call in 1,000 waiting: no warning of waits before its spans.
    expect(erlangC(4, 0.44)).toBeLessThan(0.002);
    expect(erlangC(3, 3)).toBe(1);
  });

  it('keeps traces in order of start, copies of them, and none once past its limit of spans', () => {
    const span = (traceId: string, startUs: number): Span => ({ traceId, spanId: `${traceId}-${startUs}`, parentId: null, follows: false, service: 's', name: 'x',
      kind: 'server', startUs, durationUs: 10, error: false, attributes: {}, events: [], shared: false, remoteService: null });
    const k = new TraceKeeper(5);
    const late = [span('b', 200), span('b', 210)];
    k.keep(late);
    k.keep([span('a', 100)]);
    late[0].startUs = 0;
    expect(k.traces().map((t) => t.map((s) => s.startUs))).toEqual([[100], [200, 210]]);
    expect(k.overflow).toBe(false);
    k.keep([span('c', 300), span('c', 310), span('c', 320)]);
    expect(k.overflow).toBe(true);
    expect(k.traces()).toEqual([]);
  });

  it('a quantile is told only with 5 values above it: a p99 needs 500 traces, a p95 100', () => {
    expect(quantileTold(0.99, 499)).toBe(false);
    expect(quantileTold(0.99, 500)).toBe(true);
    expect(figureTold('p95Ms', 99)).toBe(false);
    expect(figureTold('p95Ms', 100)).toBe(true);
    expect(figureTold('meanMs', 5)).toBe(true);
  });
});

describe('the shop: ranges from its base traces', () => {
  const cal = calibrateFiles(baseFiles, { sampleRate: 0.6, capacity: declaredCapacity, keep: true });

  /**
   * The command README.md shows for these ranges (calibrate --predict 100/s, 40 resamples), run here as shown, its
   * --out in a temporary folder: test/docs.test.ts leaves it to this test, which checks the lines the README shows
   * it printing, as that test does, and holds the shop's measurements of that load to the ranges it prints.
   */
  it('twice the load, as the shop measured it, falls inside the ranges predicted from the base traces alone (README.md\'s --predict, as shown)', async () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const block = /^```console\n\$ npx rehearse calibrate ([^\n]* --out reports\/shop-resampled\.yaml --predict 100\/s)\n([\s\S]*?)^```/m.exec(readme);
    expect(block, 'README.md: the console block of calibrate --out reports/shop-resampled.yaml --predict 100/s').not.toBeNull();
    expect(system.conditions.double.rate).toBe(100);
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-readme-predict-'));
    const lines: string[] = [];
    try {
      const args = block![1].split(/ +/).map((a) => (a === 'reports/shop-resampled.yaml' ? join(dir, 'shop-resampled.yaml') : a));
      // The traces and capacities of the shop's base load, as this file calibrates them.
      expect(args.filter((a) => a.endsWith('.otlp.json')).map((f) => join(root, f))).toEqual(baseFiles);
      expect(args.join(' ')).toContain(`--sample-rate 60% --capacity ${declaredCapacity} `);
      expect(await main(['calibrate', ...args], { out: (x) => lines.push(x), err: (x) => lines.push(x) }), lines.join('\n')).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Each line the README shows, printed on a line of its own (runs of spaces count as one; "..." lines skipped).
    const squash = (x: string) => x.replace(/\s+/g, ' ').trim();
    const printed = lines.flatMap((l) => l.split('\n')).map(squash);
    const shown = block![2].split('\n').map(squash).filter((l) => l !== '' && l !== '...');
    expect(shown.length).toBeGreaterThanOrEqual(6);
    for (const l of shown) expect(printed, `README.md shows "${l}"`).toContain(l);
    expect(printed).toContain('ranges: 90% of 40 resamples (the calibration\'s 438 traces in blocks of 8), each calibrated again and run at the rate given');
    // The printed table: each journey's figure, its prediction and its range.
    const ranges = new Map<string, { predicted: number; lo: number; hi: number }>();
    let journey = '';
    for (const l of lines.flatMap((x) => x.split('\n'))) {
      const m = /^(\S*) +(mean|p50|p95|p99) +([\d.]+) +([\d.]+) to ([\d.]+)$/.exec(l);
      if (!m) continue;
      if (m[1]) journey = m[1];
      ranges.set(`${journey} ${m[2]}`, { predicted: Number(m[3]), lo: Number(m[4]), hi: Number(m[5]) });
    }
    const double = readMeasured(fixtures, 'double');
    for (const [j, name] of Object.entries(journeyOf)) {
      const m = double.journeys[j].latencyMs;
      for (const [k, measured] of [['mean', m.mean], ['p99', m.p99]] as const) {
        const r = ranges.get(`${name} ${k}`)!;
        expect(r, `${name} ${k}: no range printed`).toBeDefined();
        expect(measured, `${j} ${k}: ${r.lo} to ${r.hi}`).toBeGreaterThanOrEqual(r.lo);
        expect(measured, `${j} ${k}: ${r.lo} to ${r.hi}`).toBeLessThanOrEqual(r.hi);
        // A range, not everything: narrower than the prediction itself at the mean, within a factor of 2 at the p99.
        expect(r.hi - r.lo, `${j} ${k}`).toBeLessThan((k === 'mean' ? 1 : 2) * r.predicted);
      }
    }
  }, 300_000);

  const told = (c: CheckResult) => c.journeys.flatMap((j) => (['meanMs', 'p50Ms', 'p95Ms', 'p99Ms', 'errorRate'] as FigureKey[])
    .filter((k) => figureTold(k, j.measured.requests)).map((k) => ({ what: `${j.journey} ${k}`, range: j.ranges!.error![k]! })));

  it('the base traces checked against themselves agree at every figure they can tell; the slow database\'s do not', () => {
    const self = checkCalibration(cal, baseFiles, { groupBy: 'name', sampleRate: 0.6, ratePerSec: system.conditions.base.rate, resamples: 40 });
    const figures = told(self);
    // 317 browse and 121 checkout traces: every figure but the p99s (500 needed).
    expect(figures.map((f) => f.what)).toEqual(['GET-product meanMs', 'GET-product p50Ms', 'GET-product p95Ms', 'GET-product errorRate',
      'POST-checkout meanMs', 'POST-checkout p50Ms', 'POST-checkout p95Ms', 'POST-checkout errorRate']);
    for (const f of figures) expect(f.range.lo <= 0.0005 && f.range.hi >= -0.0005, `${f.what}: ${f.range.lo} to ${f.range.hi}`).toBe(true);

    const slow = checkCalibration(cal, [join(fixtures, 'slowdb', 'collector.otlp.json')], { groupBy: 'name', sampleRate: system.conditions.slowdb.sampleRatio, ratePerSec: system.conditions.slowdb.rate, resamples: 20 });
    // The model does not know the database is slower: its means and medians are told apart from the shop's (36 and 17 traces).
    for (const j of slow.journeys) {
      for (const k of ['meanMs', 'p50Ms'] as const) expect(j.ranges!.error![k]!.hi, `${j.journey} ${k}`).toBeLessThan(0);
    }
  }, 300_000);
});

describe('a pool of two workers, every journey traced: a resample takes its queue waits from the whole set', () => {
  // bench/calibration-coverage.mjs measures the ranges' coverage on this scenario (docs/calibration.md).
  const pool = `
name: pool
seed: 1000
duration: 30s
traffic: { rate: 35/s }
journeys:
  browse: { weight: 70, steps: [front.home] }
  buy: { weight: 30, steps: [front.buy] }
services:
  front:
    concurrency: 64
    latency: { dist: lognormal, p50: 2ms, p99: 6ms }
    endpoints:
      home: { calls: [backend.query] }
      buy: { calls: [backend.query, pay.charge] }
  backend:
    concurrency: 2
    queue: 1000
    latency: { dist: lognormal, p50: 20ms, p99: 60ms }
    endpoints: { query: {} }
  pay: { concurrency: 64, latency: { dist: lognormal, p50: 10ms, p99: 30ms }, endpoints: { charge: {} } }
`;
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-pool-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const tracer = new TraceRecorder({ rate: 1, errors: false });
  runScenario(load(pool), { tracer });
  const file = join(dir, 'pool.otlp.json');
  writeTraces(file, tracer.traces(), 'otlp');
  const cal = calibrateFiles([file], { capacity: 'front=64,backend=2,pay=64', keep: true });
  /** The network modelled on front.home's call to the backend (the gap between client and server span), in us. */
  const network = (s: Scenario) => {
    const op = s.services.find((x) => x.name === 'front')!.endpoints.find((e) => e.name === 'home')!.operations[0];
    if (op.kind !== 'call') throw new Error('front.home: no call');
    return op.call.network;
  };

  it('the gaps of calls that found both workers busy are queueing, in the whole set and in each resample, which repeats traces that then overlap themselves', () => {
    expect(cal.resampling).not.toBeNull();
    const kept = cal.resampling!.kept.traces();
    // Both workers are busy about a third of the time at 35/s: the waits before the span are simulated as queueing.
    expect(cal.yaml).toMatch(/backend\.query network mean 0us, p50 0us, p99 0us: none modelled over the \d+ attempts that found a worker free \(of \d+\)/);
    expect(network(cal.scenario)).toBeNull();
    for (const seed of [1, 2, 3]) {
      const again = cal.resampling!.recalibrate(pick(kept, blockIndices(kept.length, new Draws(seed))), 2)!;
      // Read from the resample alone, the backend shows 10 spans at once, no call finds it full, and its waits
      // (a mean of 2 ms, a p99 of 30) would be network on top of the queue the run simulates.
      expect(network(again), `resample ${seed}`).toBeNull();
    }
  });

  it('at the rate of the traces, each journey\'s ranges hold the prediction of the whole set', () => {
    const p = predictAt(cal, 35, 20);
    for (const row of p.journeys) {
      for (const k of ['meanMs', 'p50Ms'] as const) {
        const r = row.ranges!.predicted[k]!;
        expect(row.predicted[k], `${row.journey} ${k}: ${r.lo.toFixed(2)} to ${r.hi.toFixed(2)}`).toBeGreaterThanOrEqual(r.lo);
        expect(row.predicted[k], `${row.journey} ${k}: ${r.lo.toFixed(2)} to ${r.hi.toFixed(2)}`).toBeLessThanOrEqual(r.hi);
      }
    }
  }, 240_000);
});

describe('calibrate --check, --predict, --resamples', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-ranges-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const run = async (args: string[]) => {
    const lines: string[] = [], out: string[] = [];
    const code = await main(['calibrate', ...baseFiles, '--sample-rate', '60%', '--capacity', declaredCapacity, '--out', join(dir, 'shop.yaml'), ...args],
      { out: (x) => { lines.push(x); out.push(x); }, err: (x) => lines.push(x) });
    return { code, text: lines.join('\n'), out: out.join('\n') };
  };
  /** A stream that keeps what is drawn on it, a terminal's (160 columns) or not. */
  const stream = (isTTY: boolean) => {
    const s = Object.assign(new PassThrough(), { isTTY, columns: 160 }) as unknown as NodeJS.WriteStream & { drawn: string };
    s.drawn = '';
    s.on('data', (b: Buffer) => (s.drawn += b.toString()));
    return s;
  };
  /** The command line run with a terminal as its stderr, where the runs bar is drawn: what it printed, and what was drawn there. */
  const runOnTerminal = async (args: string[]) => {
    const tty = stream(true);
    const stderr = vi.spyOn(process, 'stderr', 'get').mockReturnValue(tty as unknown as typeof process.stderr);
    try {
      return { ...await run(args), drawn: tty.drawn };
    } finally {
      stderr.mockRestore();
    }
  };

  /**
   * The check of the doubled load's sample (20 resamples, the rate given), on a terminal: run once, read by the test
   * of what it prints and by the test of `rehearse report` on the document it writes.
   */
  const checkJson = join(dir, 'check.json');
  let checked: ReturnType<typeof runOnTerminal> | undefined;
  const check = () => (checked ??= runOnTerminal(['--check', join(fixtures, 'double', 'collector.otlp.json'), '--check-sample-rate', '3%', '--check-rate', '100/s', '--resamples', '20', '--check-json', checkJson]));

  it('prints each error\'s range and whether it holds 0, or too few where the checked traces cannot tell the figure; on a terminal\'s stderr, each resample\'s run, then the check\'s own', async () => {
    const json = checkJson;
    const r = await check();
    expect(r.code, r.text).toBe(0);
    expect(r.text).toContain('checked against 1 file at the rate given, 100.0/s');
    expect(r.text).toMatch(/journey \(traces\) +figure +measured +predicted +error +error: 90% of resamples +within noise/);
    // 36 browse traces: a p95 and a p99 cannot be told; a mean can.
    expect(r.text).toMatch(/ p99 +162\.0 +[\d.]+ +[+-][\d.]+% +- +too few/);
    expect(r.text).toMatch(/GET-product \(36\) +mean +47\.0 +[\d.]+ +[+-][\d.]+% +[+-][\d.]+% to [+-][\d.]+% +(yes|no)/);
    expect(r.text).toContain('ranges: 90% of 20 resamples (the calibration\'s 438 traces in blocks of 8, the checked 53 in blocks of 4), each calibrated again and run at the rate given');
    expect(r.text).toContain('"within noise": the error\'s range holds 0, so the samples cannot tell the prediction from the measurement;');
    const doc = JSON.parse(readFileSync(json, 'utf8')) as CheckResult;
    expect(doc.resampling).toMatchObject({ resamples: 20, range: 0.9, rate: { given: true } });
    expect(doc.journeys[0].ranges!.error!.p99Ms).toBeNull();
    expect(doc.journeys[0].ranges!.error!.meanMs!.lo).toBeLessThan(doc.journeys[0].ranges!.error!.meanMs!.hi);
    expect(r.drawn).toMatch(/check \[-+\] 0\/21 runs/);
    expect(r.drawn).toMatch(/check \[=+\] 21\/21 runs/);
    expect(r.out).not.toContain('runs |');
  }, 300_000);

  it('--predict 2x prints each journey\'s figures at twice the traces\' rate; --resamples 0 gives no ranges; -q prints the table first', async () => {
    const r = await run(['-q', '--predict', '2x', '--resamples', '0']);
    expect(r.code, r.text).toBe(0);
    // -q: no summary line, and no blank line before the table.
    expect(r.text.startsWith('predicted at 104.')).toBe(true);
    expect(r.out).toMatch(/^predicted at 104\.\d\/s \(2\.00x the traces' 52\.\d\/s; ms\):/);
    expect(r.out).toMatch(/GET-product +mean +[\d.]+\n/);
    expect(r.text).toContain('no ranges: no resampling (--resamples 0)');
    expect(r.text).not.toContain('90% of resamples');
  }, 300_000);

  it('--predict draws no runs bar off a terminal, nor with -q (the bar itself: the check above and --predict near saturation below)', () => {
    const args = { out: join(dir, 'bar.yaml'), sampleRate: '60%', capacity: declaredCapacity, predict: '2x', resamples: '0' };
    const pipe = stream(false);
    const printed: string[] = [];
    calibrateCommand(baseFiles, args, (x) => printed.push(x), () => {}, pipe);
    expect(printed.join('\n')).toMatch(/predicted at 104\.\d\/s/);
    expect(pipe.drawn).toBe('');
    // -q: no bar, as run and sweep draw none.
    const quiet = stream(true);
    calibrateCommand(baseFiles, { ...args, quiet: true }, () => {}, () => {}, quiet);
    expect(quiet.drawn).toBe('');
    // The same run on a terminal draws its one run: what the pipe and -q left out.
    const tty = stream(true);
    calibrateCommand(baseFiles, args, () => {}, () => {}, tty);
    expect(tty.drawn).toMatch(/predict \[=+\] 1\/1 runs/);
  }, 300_000);

  it.each([
    [['--predict', '2x', '--resamples', '-1'], '--resamples: expected 0 (no ranges) or a whole number from 20 to 1000 (fewer cannot place a 90% range\'s ends), got "-1"'],
    [['--predict', '2x', '--resamples', '5'], '--resamples: expected 0 (no ranges) or a whole number from 20 to 1000'],
    [['--predict', '2x', '--resamples', ''], '--resamples: expected 0 (no ranges) or a whole number from 20 to 1000'],
    [['--resamples', '40'], '--resamples: it sets the ranges of --check and --predict: give one of them'],
    [['--check-rate', '100/s'], '--check-rate: give the traces to compare with (--check FILE)'],
    [['--check-sample-rate', '3%'], '--check-sample-rate: give the traces to compare with (--check FILE)'],
    [['--check', join(fixtures, 'double', 'collector.otlp.json'), '--check-rate', '2x'], '--check-rate: invalid rate "2x"'],
    [['--predict', 'fast'], '--predict: invalid rate "fast"'],
    [['--predict', '0x'], '--predict: 0x: a multiple must be greater than zero'],
    [['--check', join(fixtures, 'double', 'collector.otlp.json'), '--check-rate', '100'], '--check-rate: invalid rate "100"'],
  ])('refuses %j with exit 2', async (args, message) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.text).toContain(message);
  });

  it('--predict above the traces\' load says which services cannot saturate there, capacity unknown', async () => {
    const lines: string[] = [];
    const code = await main(['calibrate', ...baseFiles, '--sample-rate', '60%', '-q', '--out', join(dir, 'unknown.yaml'), '--predict', '2x', '--resamples', '0'],
      { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    expect(code).toBe(0);
    expect(lines).toContain('warning: --predict 2x: capacity unknown (concurrency: unknown) for "frontend", "catalog", "cart", "db", "recommend": unbounded in the run, so results above the calibrated load (52.1/s; this run\'s peak is 2.00 times it) cannot show them saturate');
  });

  it('rehearse report checks a check document\'s ranges, and renders one written before ranges existed', async () => {
    expect(await check()).toMatchObject({ code: 0 });
    const doc = JSON.parse(readFileSync(checkJson, 'utf8'));
    const bad = structuredClone(doc);
    bad.journeys[0].ranges.error.meanMs = { lo: 'x', hi: 1 };
    writeFileSync(join(dir, 'bad.json'), JSON.stringify(bad));
    const lines: string[] = [];
    expect(await main(['report', join(dir, 'bad.json'), '--html', join(dir, 'bad.html')], { out: (x) => lines.push(x), err: (x) => lines.push(x) })).toBe(2);
    expect(lines.join('\n')).toContain(`${join(dir, 'bad.json')}: journeys[0].ranges.error.meanMs.lo: expected a number, not "x"`);
    expect(doc.version).toBe(VERSION);
    const old = structuredClone(doc);
    delete old.resampling;
    delete old.version;
    for (const j of old.journeys) delete j.ranges;
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    const said: string[] = [];
    expect(await main(['report', join(dir, 'old.json'), '--html', join(dir, 'old.html')], { out: (x) => said.push(x), err: (x) => lines.push(x) }), lines.join('\n')).toBe(0);
    expect(said).toContain(`${join(dir, 'old.json')} does not say which version of rehearse wrote it (an older one), this is ${VERSION}: its figures are that version's`);
    const page = readFileSync(join(dir, 'old.html'), 'utf8');
    expect(page).toContain('no ranges: the document was written before calibrate gave them');
    expect(page).not.toContain('ranges: 90%');
  }, 240_000);

  it('--predict near saturation prints each journey\'s figures with their ranges and says how many resamples saturate a pool; an error rate no trace showed is bounded, not 0 to 0; its runs are shown on a terminal\'s stderr (the prediction\'s, then each resample\'s)', async () => {
    const r = await runOnTerminal(['--predict', '150/s', '--resamples', '20']);
    expect(r.code, r.text).toBe(0);
    expect(r.text).toMatch(/warning: --predict 150\/s: recommend is offered its capacity or more in \d+ of the 20 resamples: there its queue grows for as long as the load lasts/);
    expect(r.text).toMatch(/errors +0\.00% +under 0\.94% \(none of 317 traces failed\)/);
    expect(r.out).toMatch(/predicted at 150\.0\/s \(2\.88x the traces' 52\.1\/s; ms\):/);
    expect(r.out).toMatch(/GET-product +mean +[\d.]+ +[\d.]+ to [\d.]+/);
    expect(r.drawn).toMatch(/predict \[-+\] 0\/21 runs \| estimating the time left/);
    expect(r.drawn).toMatch(/predict \[=+\] 21\/21 runs \| finishing/);
    // The table goes where it went (stdout), the bar nowhere near it.
    expect(r.out).not.toContain('runs |');
  }, 300_000);

  it('with a sample of the traces, warns where gaps before a pool\'s spans may be waits for its workers (every trace read: they are told apart)', async () => {
    // A front service calling a backend of 2 workers whose waits fall before its spans.
    const pool = join(root, 'test', 'fixtures', 'calibration', 'pool.yaml');
    const said = async (share: string) => {
      const lines: string[] = [], io = { out: (x: string) => lines.push(x), err: (x: string) => lines.push(x) };
      const traces = join(dir, `pool-${share}.json`);
      expect(await main(['run', pool, '-q', '--traces', traces, '--trace-sample', share], io)).toBe(0);
      expect(await main(['calibrate', traces, '--sample-rate', share, '--capacity', 'front=64,backend=2,pay=64', '-q', '--out', join(dir, 'pool-cal.yaml')], io)).toBe(0);
      return lines.filter((l) => l.startsWith('warning: backend: the gap'));
    };
    const half = await said('50%');
    expect(half).toHaveLength(1);
    expect(half[0]).toMatch(/^warning: backend: the gap between its callers' spans and its own is [\d.]+ ms at the median but [\d.]+ ms at the p99; with a sample of the traces \(--sample-rate 0\.5\) calibrate cannot tell a wait for one of its workers before its span began from time on the network/);
    expect(await said('100%')).toEqual([]);
  }, 300_000);

  it('warns when a capacity given disagrees with the pool its waits show', async () => {
    const lines: string[] = [];
    // Read as every trace (no --sample-rate): recommend's waits show 2 workers in service.
    const code = await main(['calibrate', ...baseFiles, '--capacity', 'recommend=3', '--wait-attribute', 'worker_pool.wait_us', '-q', '--out', join(dir, 'w.yaml')],
      { out: (x) => lines.push(x), err: (x) => lines.push(x) });
    expect(code).toBe(0);
    expect(lines.join('\n')).toMatch(/warning: recommend: given 3 workers \(given: --capacity recommend=3\), but its waits show 2 \(inferred from worker_pool\.wait_us: .*\); the run uses the 3 given/);
  });
});
