/**
 * Sweeps: the same document whatever the worker count or shard split, a recommendation that finds the
 * threshold known in advance, and a false-rollback rate that holds out of sample.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wilson } from '../src/sweep/aggregate.js';
import { executeBatch } from '../src/sweep/run.js';
import { mergeSweeps, prepareSweep, runSweep, type SweepDocument } from '../src/sweep/sweep.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-sweep-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Base errors 1%; the defect adds 4% (5% for flagged users). A gate reads about 240 flagged requests a minute
 * (10% of 40/s): the error rate it sees has a standard deviation of 0.64% healthy and 1.4% defective. At 1.5% a
 * healthy flag trips it often (z = 0.8 per reading); at 8% a defect rarely does (z = -2.1); 3% separates them
 * (z = 3.1 healthy, -1.4 defective, over eight readings a stage).
 */
const scenario = (thresholds: string[], extraVary = '') => `
name: known-threshold
seed: 1
duration: 12m
traffic: { rate: 40/s, cohort: { size: 3000, seed: 2 } }
journeys: { use: { steps: [api] } }
services: { api: { concurrency: 200, latency: 10ms, errors: 1% } }
flags: { f: { evaluated-by: [api], propagation: { dist: uniform, min: 1s, max: 5s } } }
rollout:
  - flag: f
    stages: [{ to: 10%, hold: 8m }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.03']
cases:
  healthy: {}
  defective: { flags: { f: { when-on: { api: { errors: +4% } } } } }
tune:
  seeds: 12
  vary:
    rollout.f.gates.0: [${thresholds.map((t) => `'${t}'`).join(', ')}]${extraVary}
  subject-to: ['false_rollback{case:healthy} rate<0.2', 'detected{case:defective} rate>0.8']
  minimize: 'blast_radius_users{case:defective} p(95)'
`;

/** A sweep's budget on a loaded machine: at a load average of 30 to 36, the 12-seed sweep on one worker passed 120 s. */
const BUDGET = 300_000;

const file = join(dir, 'known.yaml');
writeFileSync(file, scenario(['rate<0.015', 'rate<0.03', 'rate<0.08']));

/**
 * The sweep of `file` with `seeds` seeds on `workers` workers, run once and read by every test that needs that very
 * sweep. A thread of the pool started from the sources loads them through tsx (one to two seconds of CPU): the
 * sweeps whose worker count is not what a test compares take one.
 */
const swept = new Map<string, Promise<SweepDocument>>();
const sweepOn = (workers: number, seeds: number) => {
  const key = `${workers}/${seeds}`;
  if (!swept.has(key)) swept.set(key, runSweep(prepareSweep(file, seeds), { workers }));
  return swept.get(key)!;
};
/** Shard `index` of 2 of the 4-seed sweep on 1 worker, run once: merged with the other, or resumed as an interrupted sweep. */
const halves = new Map<number, Promise<SweepDocument>>();
const halfOfFour = (index: number) => {
  if (!halves.has(index)) halves.set(index, runSweep(prepareSweep(file, 4), { workers: 1, shard: { index, count: 2 } }));
  return halves.get(index)!;
};

describe('sweeps', () => {
  it('find the threshold known in advance', async () => {
    // The tune block's 12 seeds.
    expect(prepareSweep(file, 12)).toEqual(prepareSweep(file));
    const doc = await sweepOn(1, 12);
    expect(doc.complete).toBe(true);
    expect(doc.runs).toHaveLength(3 * 2 * 12);
    expect(doc.recommendation?.label).toBe('f.gate0=rate<0.03');
    const [tight, right, loose] = doc.policies;
    expect(tight.feasible).toBe(false); // false rollbacks
    // About 75% of healthy runs trip it (seven readings at about 18% each); 12 seeds see 5 here.
    expect(tight.friction.rate!).toBeGreaterThan(0.2);
    expect(loose.feasible).toBe(false); // missed defects
    expect(loose.cases[1].detection.rate!).toBeLessThan(0.5);
    expect(right.cases[1].detection.rate).toBe(1);
    expect(doc.pareto).toContain(1);
  }, BUDGET);

  it('give the same document with 1 or 2 workers, and as two merged shards', async () => {
    const setup = prepareSweep(file, 4);
    const one = await runSweep(setup, { workers: 1 });
    const two = await sweepOn(2, 4);
    expect(two).toEqual(one);
    const a = await halfOfFour(1);
    const b = await halfOfFour(2);
    expect(a.shard).toBe('1/2');
    expect(a.recommendation).toBeNull();
    expect(a.runs.length + b.runs.length).toBe(one.runs.length);
    expect(mergeSweeps(setup, [b, a])).toEqual(one);
  }, BUDGET);

  it('give on the pool\'s threads (the bundle of a fresh build, else the sources through tsx) the runs the sources give in this thread', async () => {
    const setup = prepareSweep(file, 4);
    // The runs of one policy (both cases, four seeds each), as the document holds them.
    const pooled = (await sweepOn(2, 4)).runs.filter((r) => r.policy === 1);
    expect(pooled).toHaveLength(8);
    const here = executeBatch({ tasks: pooled.map((r) => ({ file, run: r.run, policy: r.policy, values: setup.plan.policies[r.policy].values, caseName: r.case, seed: r.seed })) });
    expect(JSON.stringify(here.map((r, i) => ({ ...r, policy: pooled[i].policy, case: pooled[i].case, seed: pooled[i].seed })), null, 2)).toBe(JSON.stringify(pooled, null, 2));
  }, BUDGET);

  it('resume an interrupted sweep into the same document', async () => {
    const setup = prepareSweep(file, 4);
    const whole = await sweepOn(2, 4);
    // Half the runs done (those of shard 1/2), the other half resumed on 2 workers.
    const partial = await halfOfFour(1);
    expect(partial.runs.length).toBe(whole.runs.length / 2);
    const resumed = await runSweep(setup, { workers: 2, resume: { ...partial, shard: undefined } });
    expect(resumed).toEqual(whole);
    // Another version's runs are not resumed nor merged: results change between versions (its runs were taken
    // whole, and the document said this version).
    const older = { ...partial, shard: undefined, version: '0.1.0' };
    await expect(runSweep(setup, { workers: 1, resume: older })).rejects.toThrow(/^--resume: it was written by rehearse 0\.1\.0, not \d+\.\d+\.\d+: runs of another version are not comparable with this one's$/m);
    expect(() => mergeSweeps(setup, [{ ...partial, version: '0.1.0' }], ['old.json'])).toThrow(/^old\.json: it was written by rehearse 0\.1\.0, not /m);
  }, BUDGET);

  it('hold out of sample: the recommended policy\'s false-rollback rate on fresh seeds falls in its interval', async () => {
    const doc = await sweepOn(1, 12);
    const chosen = doc.policies[doc.recommendation!.policy];
    // The chosen policy's healthy runs on 12 fresh seeds, as a sweep runs them (executeBatch: the pool's threads give
    // the same runs, above); the other policies' and cases' runs of those seeds would not be read.
    const setup = prepareSweep(file, 12);
    const healthy = executeBatch({ tasks: setup.plan.seeds.map((s, i) => ({ file, run: i, policy: chosen.index, values: setup.plan.policies[chosen.index].values, caseName: 'healthy', seed: s + 1000 })) });
    expect(healthy).toHaveLength(12);
    const rate = healthy.filter((r) => r.flags!.f.false_rollback).length / healthy.length;
    expect(rate).toBeGreaterThanOrEqual(chosen.friction.low!);
    expect(rate).toBeLessThanOrEqual(chosen.friction.high!);
  }, BUDGET);

  it('refuses a tune value the scenario refuses before any run, naming it (its runs were each "invalid for this policy", and the sweep went on, exit 0)', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, scenario(['rate<0.03'], "\n    rollout.f.stages.0.to: ['10%', '150%']"));
    expect(() => prepareSweep(bad, 2)).toThrow(/bad\.yaml:20:36: tune\.vary\["rollout\.f\.stages\.0\.to"\]\[1\]: "150%" makes the scenario invalid: rollout\[0\]\.stages\[0\]\.to: percentage "150%" is over 100%/);
  });

  it('name the tune block\'s mistakes with their path and column', () => {
    const bad = join(dir, 'typo.yaml');
    writeFileSync(bad, scenario(['rate<0.03']).replace("minimize: 'blast_radius_users{case:defective} p(95)'", "minimize: 'blast_radius_user p(95)'"));
    expect(() => prepareSweep(bad)).toThrow(/typo\.yaml:21:14: tune\.minimize: unknown metric "blast_radius_user"; did you mean "blast_radius_users"\?\n {4}blast_radius_user p\(95\)\n {4}\^$/);
  });

  it('compute Wilson intervals', () => {
    // Wilson 95% for 0 of 10: [0, 0.2775]; 5 of 10: [0.2366, 0.7634].
    expect(wilson(0, 10)).toMatchObject({ rate: 0, low: 0, high: 0.277533 });
    expect(wilson(5, 10).low).toBeCloseTo(0.236593, 5);
    expect(wilson(5, 10).high).toBeCloseTo(0.763407, 5);
  });
});

describe('rehearse sweep and merge on the command line', () => {
  const cli = (...args: string[]) => execFileSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: dir, encoding: 'utf8' });

  it('--workers 1 and --workers 2 write byte-identical documents; shards merge into the same bytes', () => {
    cli('sweep', 'known.yaml', '--seeds', '3', '--workers', '1', '--json', 'w1.json');
    cli('sweep', 'known.yaml', '--seeds', '3', '--workers', '2', '--json', 'w2.json');
    cli('sweep', 'known.yaml', '--seeds', '3', '--shard', '1/2', '--json', 's1.json');
    cli('sweep', 'known.yaml', '--seeds', '3', '--shard', '2/2', '--json', 's2.json');
    const text = cli('merge', 'known.yaml', 's1.json', 's2.json', '--json', 'merged.json');
    expect(text).toContain('recommended:');
    const read = (f: string) => readFileSync(join(dir, f), 'utf8');
    expect(read('w2.json')).toBe(read('w1.json'));
    expect(read('merged.json')).toBe(read('w1.json'));
  }, BUDGET);
});
