import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ActivitySampler, cohortDocument, DEFAULT_SEGMENTS, deferredCohort, generateCohort, segmentNames } from '../src/cohorts/cohort.js';
import { readCohortFile } from '../src/cohorts/file.js';
import { RandomStreams } from '../src/engine/rng.js';
import { normalCdf } from '../src/rollout/stats.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';

describe('synthetic cohorts', () => {
  const c = generateCohort({ name: 'c', size: 20000, seed: 7 });

  it('same seed, same users; another seed, other users', () => {
    expect(JSON.stringify(generateCohort({ name: 'c', size: 500, seed: 7 }))).toBe(JSON.stringify(generateCohort({ name: 'c', size: 500, seed: 7 })));
    expect(generateCohort({ name: 'c', size: 500, seed: 8 }).key).not.toEqual(generateCohort({ name: 'c', size: 500, seed: 7 }).key);
    expect(new Set(c.key).size).toBe(c.size);
  });

  it('segment shares fall within binomial bounds of the targets', () => {
    for (const [segment, share] of Object.entries(DEFAULT_SEGMENTS)) {
      const n = c.segment.filter((s) => s === segment).length;
      expect(Math.abs(n - share * c.size)).toBeLessThan(5 * Math.sqrt(c.size * share * (1 - share)));
    }
    // Attributes follow the segment.
    c.segment.forEach((s, i) => {
      if (s === 'internal') expect(c.employee[i]).toBe(true);
      if (s === 'beta') expect(c.plan[i]).toBe('beta');
    });
  });

  it('activity is lognormal (sigma 1.2): the top 1% of users carry 1 - Phi(2.326 - 1.2) = 13% of the traffic', () => {
    const sorted = [...c.activity].sort((a, b) => b - a);
    const total = sorted.reduce((a, b) => a + b, 0);
    const top = sorted.slice(0, c.size / 100).reduce((a, b) => a + b, 0) / total;
    expect(Math.abs(top - (1 - normalCdf(2.3263 - 1.2)))).toBeLessThan(0.02);
  });

  it('arrivals pick users in proportion to activity (alias method)', () => {
    const weights = [1, 2, 3, 4];
    const sampler = new ActivitySampler(weights);
    const rng = new RandomStreams(1);
    const s = rng.stream('x');
    const counts = [0, 0, 0, 0];
    const n = 400_000;
    for (let i = 0; i < n; i++) counts[sampler.pick(rng.next(s), rng.next(s))]++;
    weights.forEach((w, i) => {
      const p = w / 10;
      expect(Math.abs(counts[i] - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)));
    });
  });

  it('a scenario\'s cohort is made when a run first reads its users, the same users generateCohort makes', () => {
    const segments = { general: 0.5, beta: 0.3, quiet: 0.2 };
    const made = generateCohort({ name: 'c', size: 3000, seed: 7, segments });
    const deferred = deferredCohort({ name: 'c', size: 3000, seed: 7, segments });
    // Segment names are known before any user is made, and they are every segment a user is in.
    expect(segmentNames(deferred)).toEqual([...new Set([...Object.keys(segments), ...made.segment])]);
    expect(Object.getOwnPropertyDescriptor(deferred, 'segment')?.get).toBeTypeOf('function');
    expect(JSON.stringify(cohortDocument(deferred))).toBe(JSON.stringify(cohortDocument(made)));
    expect(Object.getOwnPropertyDescriptor(deferred, 'segment')?.get).toBeUndefined();
    // Loading a scenario (what `validate` does) makes no one; its run reads them.
    const loaded = parseScenarioText('name: s\nseed: 1\nduration: 1m\ntraffic: { rate: 10/s, cohort: { size: 2000, seed: 4 } }\njourneys: { j: { steps: [a.x] } }\nservices: { a: { endpoints: { x: {} } } }\n');
    expect(loaded.ok).toBe(true);
    if (loaded.ok) expect(Object.getOwnPropertyDescriptor(loaded.scenario.population!, 'activity')?.get).toBeTypeOf('function');
  });

  it('round-trips through a cohort file that a scenario names relative to itself', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    writeFileSync(join(dir, 'users.json'), JSON.stringify(cohortDocument(generateCohort({ name: 'u', size: 300, seed: 1 }))));
    const read = readCohortFile(join(dir, 'users.json'));
    expect(read.ok && read.cohort.size).toBe(300);
    const text = 'name: x\nduration: 1m\ntraffic: { rate: 10/s, cohort: users.json }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n';
    const loaded = parseScenarioText(text, dir);
    expect(loaded.ok && loaded.scenario.population?.size).toBe(300);
  });

  it('a broken cohort file is reported with the file and the path inside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-'));
    const doc = cohortDocument(generateCohort({ name: 'u', size: 10, seed: 1 })) as { users: { key: string[] } };
    doc.users.key.pop();
    writeFileSync(join(dir, 'users.json'), JSON.stringify(doc));
    const text = 'name: x\nduration: 1m\ntraffic: { rate: 10/s, cohort: users.json }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n';
    const loaded = parseScenarioText(text, dir);
    expect(loaded.ok).toBe(false);
    if (!loaded.ok) {
      expect(formatProblem('x.yaml', loaded.problems[0])).toBe('x.yaml:3:32: traffic.cohort: cohort file users.json:1:148 at users.key: has 9 entries for 10 users');
    }
  });
});
