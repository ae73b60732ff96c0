/**
 * A rollout plan ramps its percentage over the users the flag file serves its flag to (docs/interop.md). A flagd flag
 * whose default variant is off serves nobody: every stage then exposed no one, the canary's checks found no values,
 * and the run called the rollback a false alarm the gates blamed on something else, without a word at load.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';

function scenarioServing(variant: 'on' | 'off'): string {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-plan-nobody-'));
  writeFileSync(join(dir, 'canary.flagd.json'), JSON.stringify({
    flags: { 'driver-v2': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: variant } },
  }));
  writeFileSync(join(dir, 's.yaml'), `name: s
seed: 1
duration: 10m
traffic: { rate: 10/s, cohort: { size: 300 } }
journeys: { j: { steps: [driver.find] } }
services: { driver: { concurrency: 20, latency: 5ms, endpoints: { find: {} } } }
flags:
  from: { flagd: canary.flagd.json }
  driver-v2: { evaluated-by: [driver] }
rollout:
  - flag: driver-v2
    stages: [{ to: 5%, hold: 2m }, { to: 100% }]
`);
  return join(dir, 's.yaml');
}

describe('a plan over a flag its file serves to nobody', () => {
  it('is warned at the plan, saying the stages expose no one', () => {
    const file = scenarioServing('off');
    const l = loadScenarioFile(file);
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    expect(l.warnings).toContain(`${file}:11:11: rollout[0].flag: canary.flagd.json serves flag "driver-v2" to none of the 300 users, and a plan ramps its stages over the users the file serves it to: no stage exposes anyone, and its gates read no traffic of the flag on; serve it in the file (the users the plan may reach) and the plan ramps it`);
  });

  it('is not warned when the file serves the flag', () => {
    const l = loadScenarioFile(scenarioServing('on'));
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    expect(l.warnings.filter((w) => w.includes('serves flag'))).toEqual([]);
  });
});
