/**
 * Three gaps a demanding user hits: a random search over a grid too large to spell out, and flag effects that do
 * nothing. (The drill that answers while a forced heavy window is simulated is in model-21-live.test.ts.)
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { drawPolicies, KEYED_GRID, planSweep } from '../src/sweep/plan.js';
import { prepareSweep, runSweep } from '../src/sweep/sweep.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'rehearse-model-21-'));

type Vary = Record<string, (string | number)[]>;
const tune = (vary: Vary, samples: number) => ({ seeds: 1, vary, search: 'random' as const, samples, minimize: 'blast_radius_users p(95)' });

/** The random search of 0.14.0 and before, word for word: the grid spelled out, a key per policy, sorted. */
function drawnBefore(vary: Vary, samples: number): string[] {
  const paths = Object.keys(vary);
  let combos: (string | number)[][] = [[]];
  for (const p of paths) combos = combos.flatMap((c) => vary[p].map((v) => [...c, v]));
  const rng = seedrandom.alea(`rehearse:tune:${JSON.stringify(vary)}`);
  const pool = combos.map((c) => ({ c, key: rng() }));
  pool.sort((a, b) => a.key - b.key);
  return pool.slice(0, Math.min(samples, pool.length)).map((x) => JSON.stringify(x.c));
}
const drawnNow = (vary: Vary, samples: number) => planSweep(tune(vary, samples), []).policies.map((p) => JSON.stringify(Object.values(p.values)));

describe('a random search draws its policies without spelling out the grid', () => {
  it('every grid that ran before draws the same policies in the same order', () => {
    fc.assert(fc.property(
      fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 0, maxLength: 5 }),
      fc.integer({ min: 1, max: 3000 }),
      (sizes, samples) => {
        const vary: Vary = Object.fromEntries(sizes.map((n, i) => [`rollout.f.stages.${i}.hold`, Array.from({ length: n }, (_, v) => `${v + 1}m`)]));
        expect(drawnNow(vary, samples)).toEqual(drawnBefore(vary, samples));
      },
    ), { numRuns: 300, seed: 21 });
    // A grid over the old limit of 100,000 policies (which --force ran), and one with a value list of one.
    const large: Vary = { a: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13], b: ['x'], c: Array.from({ length: 100 }, (_, i) => i), d: Array.from({ length: 97 }, (_, i) => `v${i}`) };
    expect(drawnNow(large, 50)).toEqual(drawnBefore(large, 50));
  });

  it('the bundled gate-tuning scenario, searched at random, runs the policies 0.14.0 ran, in its order', async () => {
    const file = join(work, 'random.yaml');
    writeFileSync(file, readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8').replace('  seeds: 30\n', '  seeds: 30\n  search: random\n  samples: 5\n'));
    const setup = prepareSweep(file, 1);
    // As `rehearse sweep` of 0.14.0 printed them (its sweep document's policies, with 1, 2 or 4 workers alike).
    expect(setup.plan.policies.map((p) => p.label)).toEqual([
      'new-engine.gate0=rate<0.03, new-engine.failure-limit=0',
      'new-engine.gate0=rate<0.015, new-engine.failure-limit=2',
      'new-engine.gate0=rate<0.05, new-engine.failure-limit=0',
      'new-engine.gate0=rate<0.03, new-engine.failure-limit=2',
      'new-engine.gate0=rate<0.02, new-engine.failure-limit=0',
    ]);
  });

  it('a grid beyond the keyed draw: distinct policies, each inside the grid, the same from the same block', () => {
    // 2^24 + a little: one path of 4,097 values and one of 4,096; every sample a sweep may run.
    const vary: Vary = { a: Array.from({ length: 4097 }, (_, i) => i), b: Array.from({ length: 4096 }, (_, i) => i) };
    expect(4097 * 4096).toBeGreaterThan(KEYED_GRID);
    const drawn = drawPolicies(vary, 100_000);
    expect(drawn).toHaveLength(100_000);
    expect(new Set(drawn.map((d) => d.join(','))).size).toBe(100_000);
    for (const [a, b] of drawn) expect(a >= 0 && a < 4097 && b >= 0 && b < 4096 && Number.isInteger(a) && Number.isInteger(b)).toBe(true);
    expect(drawPolicies(vary, 100_000)).toEqual(drawn);
    // Uniform over the grid: each path's values are drawn evenly (a tenth of a's values holds about a tenth of the
    // draws: 10,000, sd 95; 8 sd is a bound no fair draw reaches).
    const low = drawn.filter(([a]) => a < 410).length;
    expect(Math.abs(low - 100_000 * 410 / 4097)).toBeLessThan(8 * 95);
    // The first draws do not depend on how many are asked for.
    expect(drawPolicies(vary, 10)).toEqual(drawn.slice(0, 10));
  });

  it('50 policies from a grid of 1e8 run, the same whatever the worker count', async () => {
    const holds = Array.from({ length: 8 }, (_, i) => `    rollout.f.stages.${i}.hold: [${Array.from({ length: 10 }, (_, k) => `${k + 1}s`).join(', ')}]`).join('\n');
    const stages = Array.from({ length: 8 }, (_, i) => `{ to: ${(i + 1) * 10}%, hold: 1s }`).join(', ');
    const file = join(work, 'huge-grid.yaml');
    writeFileSync(file, `name: huge-grid
seed: 1
duration: 30s
traffic: { rate: 20/s, cohort: { size: 200, seed: 2 } }
journeys: { use: { steps: [api] } }
services: { api: { latency: 5ms, errors: 1% } }
flags: { f: { evaluated-by: [api] } }
rollout:
  - flag: f
    stages: [${stages}, { to: 100% }]
tune:
  seeds: 1
  search: random
  samples: 50
  vary:
${holds}
  minimize: 'blast_radius_users p(95)'
`);
    const one = await runSweep(prepareSweep(file), { workers: 1 });
    const two = await runSweep(prepareSweep(file), { workers: 2 });
    expect(one.policies).toHaveLength(50);
    expect(new Set(one.policies.map((p) => p.label)).size).toBe(50);
    expect(JSON.stringify(two)).toBe(JSON.stringify(one));
    // The limit is on the policies run: 200,000 samples are over it, whatever the grid.
    writeFileSync(file, readFileSync(file, 'utf8').replace('samples: 50', 'samples: 200000'));
    const r = await cli('sweep', file, '-q');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain('200,000 policies drawn (samples) from the tune grid\'s 1.0e8, over the limit of 100,000');
  });
});
