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
import { loadScenarioFile, parseScenarioText } from '../src/load/scenario.js';
import { runScenario } from '../src/score/result.js';
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

/** api with its own latency and errors; flag f's change at api written as YAML flow text on line 10, a case's on 14. */
const withEffect = (effect: string, healthy = '{}') => `name: effects
seed: 1
traffic: { rate: 100/s, requests: 2000 }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms, errors: 1% } }
flags:
  f:
    evaluated-by: [api]
    when-on:
      api: ${effect}
rollout:
  - { flag: f, stages: [{ to: 50%, hold: 5s }, { to: 100% }] }
cases:
  healthy: ${healthy}
`;
const warned = (text: string, caseName?: string) => {
  const r = parseScenarioText(text, '.', caseName, 'YAML', 'effects.yaml');
  if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
  return r.warnings.filter((w) => /changes nothing|cancels nothing|names no latency/.test(w));
};
const inCase = (patch: string) => `{ flags: { f: { when-on: { api: ${patch} } } } }`;

describe('a flag change that changes nothing is warned where it cancels nothing', () => {
  it.each([
    ['{ latency: x1 }', 'effects.yaml:10:23: flags.f.when-on.api.latency: latency x1 multiplies the time by 1: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)'],
    ['{ latency: x1.00 }', 'effects.yaml:10:23: flags.f.when-on.api.latency: latency x1.00 multiplies the time by 1'],
    ['{ latency: +0ms }', 'effects.yaml:10:23: flags.f.when-on.api.latency: latency +0ms adds no time'],
    ['{ latency: "+0.0s" }', 'effects.yaml:10:23: flags.f.when-on.api.latency: latency +0.0s adds no time'],
    ['{ errors: +0% }', 'effects.yaml:10:22: flags.f.when-on.api.errors: errors +0% adds no errors: the flag changes nothing there'],
    ['{ errors: "+0.000%" }', 'effects.yaml:10:22: flags.f.when-on.api.errors: errors +0.000% adds no errors'],
    ['{ latency: x2, percent: 0% }', 'effects.yaml:10:36: flags.f.when-on.api.percent: percent 0% applies the change to no call: the flag changes nothing there'],
    ['{}', 'effects.yaml:10:12: flags.f.when-on.api: names no latency, errors or calls: the flag changes nothing at api; leave it out'],
    ['{ segment: beta }', 'effects.yaml:10:12: flags.f.when-on.api: names no latency, errors or calls'],
  ])('%s in the scenario itself', (effect, expected) => {
    const lines = warned(withEffect(effect));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  });

  it.each([['{ latency: x1.01 }'], ['{ latency: x0 }'], ['{ latency: +1us }'], ['{ errors: +0.01% }'], ['{ errors: 0% }'], ['{ latency: x2, percent: 1% }']])('%s changes something: not warned', (effect) => {
    expect(warned(withEffect(effect))).toEqual([]);
  });

  it.each([
    ['{ latency: x1.5 }', '{ latency: x1 }'],
    ['{ latency: +20ms }', '{ latency: +0s }'],
    ['{ errors: +2% }', '{ errors: +0% }'],
    ['{ latency: x2, percent: 10% }', '{ percent: 0% }'],
  ])('a case that cancels the scenario\'s %s with %s is not warned, and runs as the scenario without the change', (base, patch) => {
    const text = withEffect(base, inCase(patch));
    expect(warned(text)).toEqual([]);
    expect(warned(text, 'healthy')).toEqual([]);
    // Cancelled: the case's run is the run of the scenario with no change at api, byte for byte.
    const cancelled = parseScenarioText(text, '.', 'healthy', 'YAML', 'effects.yaml');
    const none = parseScenarioText(withEffect('{}').replace('    when-on:\n      api: {}\n', ''), '.', 'healthy', 'YAML', 'effects.yaml');
    if (!cancelled.ok || !none.ok) throw new Error('refused');
    const outcome = (r: ReturnType<typeof runScenario>) => JSON.stringify({ services: r.services, journeys: r.journeys, outcomes: r.outcomes });
    expect(outcome(runScenario(cancelled.scenario))).toBe(outcome(runScenario(none.scenario)));
  });

  it('a case that writes one where the scenario has no such change, or one that changes nothing, cancels nothing: warned at the case', () => {
    expect(warned(withEffect('{ errors: +2% }', inCase('{ latency: x1 }')), 'healthy')).toEqual([
      'effects.yaml:14:55: cases.healthy.flags.f.when-on.api.latency: latency x1 multiplies the time by 1, and cancels nothing: the scenario gives api no latency change here; leave it out',
    ]);
    // The scenario's own is warned where it is written, in its own load and in the case's (named as such).
    const both = withEffect('{ errors: +0% }', inCase('{ errors: +0% }'));
    expect(warned(both)).toEqual([
      'effects.yaml:10:22: flags.f.when-on.api.errors: errors +0% adds no errors: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)',
    ]);
    expect(warned(both, 'healthy')).toEqual([
      'effects.yaml:14:54: cases.healthy.flags.f.when-on.api.errors: errors +0% adds no errors, and cancels nothing: the scenario\'s errors +0% here changes nothing either; leave it out',
    ]);
    // A case that does not write it: the scenario's change that changes nothing, in that case's run.
    expect(warned(withEffect('{ latency: x1 }', '{ traffic: { rate: 50/s } }'), 'healthy')).toEqual([
      'effects.yaml:10:23: flags.f.when-on.api.latency: case healthy: latency x1 multiplies the time by 1: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)',
    ]);
  });

  it('a change per variant of a flag file alike', () => {
    const file = join(work, 'variants.yaml');
    writeFileSync(join(work, 'f.flagd.json'), JSON.stringify({
      flags: { split: { state: 'ENABLED', defaultVariant: 'off', variants: { off: 'v0', good: 'v1', bad: 'v2' }, targeting: { fractional: [['good', 50], ['bad', 50]] } } },
    }));
    writeFileSync(file, [
      'name: variants', 'seed: 4', 'traffic: { rate: 100/s, requests: 600 }', 'journeys: { j: { steps: [api] } }', 'services: { api: { latency: 1ms } }',
      'flags:', '  from: { flagd: f.flagd.json }', '  split:', '    kind: experiment', '    owner: t', '    evaluated-by: [api]',
      '    when: { bad: { api: { errors: +5% } }, good: { api: { latency: x1 } } }', '',
    ].join('\n'));
    const loaded = loadScenarioFile(file);
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    expect(loaded.warnings.filter((w) => /changes nothing/.test(w))).toEqual([
      `${file}:12:68: flags.split.when.good.api.latency: latency x1 multiplies the time by 1: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)`,
    ]);
  });

  it('the bundled scenarios that cancel a change in a case (slow-burn, two-teams) say nothing of it', () => {
    for (const file of ['scenarios/slow-burn.yaml', 'scenarios/two-teams.yaml']) {
      const loaded = loadScenarioFile(join(root, file), 'healthy');
      if (!loaded.ok) throw new Error(file);
      expect(loaded.warnings.filter((w) => /changes nothing|cancels nothing/.test(w))).toEqual([]);
    }
  });
});
