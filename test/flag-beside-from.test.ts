/**
 * Beside flags.from every entry is a flag of its files, so a team with LaunchDarkly flags and a Flagger canary had no
 * way to name the canary's flag, and the error did not say how: it now says where a flag of one's own goes.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';

const root = new URL('..', import.meta.url).pathname;

describe('a flag beside flags.from that its files do not hold', () => {
  it('is refused, saying a flag of your own goes in a flag file of from too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-beside-from-'));
    copyFileSync(join(root, 'test/fixtures/vendor/launchdarkly/filesource/all-properties.json'), join(dir, 'ld.json'));
    writeFileSync(join(dir, 's.yaml'), `name: s
seed: 1
duration: 10m
traffic: { rate: 10/s }
journeys: { j: { steps: [driver.find] } }
services: { driver: { concurrency: 20, latency: 5ms, endpoints: { find: {} } } }
flags:
  from: { launchdarkly: ld.json }
  flag1: { evaluated-by: [driver] }
  driver-v2: { evaluated-by: [driver] }
`);
    const l = loadScenarioFile(join(dir, 's.yaml'));
    expect(l.ok).toBe(false);
    if (l.ok) return;
    expect(l.problems.map((p) => p.message)).toEqual([
      'no flag "driver-v2" in ld.json (flags: "flag1", "flag2"); a flag of your own beside them (a canary\'s) goes in a flag file listed in flags.from too, such as a flagd file',
    ]);
  });
});
