/**
 * Unleash constraints on the time of the evaluation (DATE_AFTER, DATE_BEFORE on currentTime): unleash-client
 * 6.x lib/strategy/strategy.js compares `context.currentTime ? new Date(context.currentTime) : new Date()` at
 * each evaluation, so a toggle turns on at a wall-clock time. rehearse evaluates each user once, as a run starts:
 * such a toggle was served as of the day the run was made, and the same scenario and seed gave other bytes the
 * next day. A scenario that rehearses it is refused at the constraint (or at the strategy, for a segment's);
 * the file's other toggles load, and `flags eval` answers as unleash-client would now.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import { parseScenarioText } from '../src/load/scenario.js';

const constraint = (operator: string, value: string) => ({ contextName: 'currentTime', operator, value, values: [], inverted: false, caseInsensitive: false });
const toggle = (name: string, constraints: unknown[], segments?: number[]) => ({
  name, enabled: true, type: 'release', project: 'default', variants: [],
  strategies: [{ name: 'default', parameters: {}, constraints, ...(segments ? { segments } : {}) }],
});
const file = JSON.stringify({
  version: 2,
  features: [
    toggle('launch', [constraint('DATE_AFTER', '2020-01-01T00:00:00.000Z')]),
    toggle('sunset', [], [7]),
    toggle('plain', []),
  ],
  segments: [{ id: 7, name: 'until-2099', constraints: [constraint('DATE_BEFORE', '2099-01-01T00:00:00.000Z')] }],
}, null, 2);

describe('Unleash constraints on currentTime', () => {
  const dir = mkdtempSync(join(tmpdir(), 'unleash-clock-'));
  writeFileSync(join(dir, 'client.json'), file);
  const load = (name: string) => parseScenarioText(`name: t
duration: 1m
traffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { unleash: client.json }
  ${name}: { evaluated-by: [api] }
`, dir);
  const problems = (name: string) => { const r = load(name); return r.ok ? [] : r.problems.map((p) => `${p.path.join('.')}: ${p.message}`); };

  it('a scenario rehearsing a toggle whose constraint reads currentTime is refused at the constraint', () => {
    expect(problems('launch')).toEqual([
      expect.stringMatching(/^flags\.launch: client\.json:\d+:\d+: features\[0\]\.strategies\[0\]\.constraints\[0\]: the constraint reads currentTime: unleash-client compares the wall clock of each evaluation \(strategy\.js: new Date\(\)\), and rehearse evaluates each user once, as the run starts, not along the simulated clock: a scenario cannot rehearse flag "launch"/),
    ]);
  });

  it('a segment that reads currentTime is refused at the strategy that uses it', () => {
    expect(problems('sunset')).toEqual([expect.stringMatching(/^flags\.sunset: client\.json:\d+:\d+: features\[1\]\.strategies\[0\]\.segments: segment "until-2099" reads currentTime/)]);
  });

  it('the file\'s other toggles load; flags eval answers as unleash-client does now', () => {
    expect(load('plain').ok).toBe(true);
    const set = unleash.open(parseFlagText(file, 'client.json'));
    expect(['launch', 'sunset', 'plain'].map((k) => set.evaluate(k, { userId: 'u1' }).enabled)).toEqual([true, true, true]);
  });
});
