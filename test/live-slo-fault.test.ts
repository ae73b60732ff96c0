/**
 * A flag with a 5 ms latency cost and a hidden fault that brings journeys to the latency SLO
 * (test/fixtures/drill-slo-fault.yaml: 270 ms added to web -> pay for 4 minutes, SLO 300 ms). A journey the fault
 * slowed to 297 ms is over the SLO with the flag's 5 ms and under it without; without the fault it would have
 * been some 30 ms, flag and all. The ground truth knows what slowed each journey and by how much (the flag's
 * and the fault's delays, src/model/truth.ts): the fault hurt it, not the flag. Before, the debrief counted the
 * flag defective (1,004 journeys "hurt" in a plain run of the fixture) and the team's completed rollout a
 * missed defect.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Drill } from '../src/live/drill.js';
import { readDrillScenario } from '../src/live/session.js';
import { GroundTruth, SLOW_FAULT, SLOW_FLAG } from '../src/model/truth.js';

const file = join(import.meta.dirname, 'fixtures', 'drill-slo-fault.yaml');
let drill: Drill | undefined;

afterAll(async () => {
  await drill?.stop();
});

describe('a flag of a few milliseconds beside a fault that brought journeys to the SLO', () => {
  it('is not what hurt a slow journey the fault alone would have made slow; a flag slow enough on its own is', () => {
    const slo = 300e3;
    const t = new GroundTruth(1, 1, 10, slo);
    // 302 ms: 5 ms of it the flag's, 270 ms the fault's. Without the fault, 32 ms: the fault's harm.
    t.journey(1e6, 302e3, false, 0, 0, SLOW_FLAG | SLOW_FAULT, 1, 1, 5e3, 270e3);
    expect(t.hurtRequests[0]).toBe(0);
    expect(t.faultHurt[0]).toBe(1);
    // 330 ms: 200 ms the flag's, 20 ms the fault's. Without the fault, 310 ms: slow by the flag alone, the flag's.
    t.journey(2e6, 330e3, false, 0, 0, SLOW_FLAG | SLOW_FAULT, 1, 2, 200e3, 20e3);
    expect(t.hurtRequests[0]).toBe(1);
    // Without a fault the rule is as before: the flag's few milliseconds that took it over.
    t.journey(3e6, 302e3, false, 0, -1, SLOW_FLAG, 1, 3, 5e3, 0);
    expect(t.hurtRequests[0]).toBe(2);
  });

  it('is not counted defective in the debrief: the hidden fault is what hurt those journeys', async () => {
    const read = readDrillScenario(file, null);
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-slo-fault-')), 'drill');
    const opened = await Drill.open({ file: read.file, caseName: null, hiddenCase: false, seed: 5, gates: 'on' }, read, null, 1, {
      host: '127.0.0.1', port: 0, endWhenDoneMs: null, facilitator: 'fran', operators: [], observers: false, out, cadenceMs: 100,
    });
    drill = opened.drill;
    drill.startNow();
    drill.session.advanceTo(20 * 60e6);
    expect(await drill.debriefDone).not.toBeNull();
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    const flag = doc.comparison.find((c: { flag: string }) => c.flag === 'light-ui');
    expect(flag.defective).toBe(false);
    expect(doc.team.outcomes.flags['light-ui']).toMatchObject({ defective: false, blast_radius_requests: 0, missed_defect: false, outcome: 'completed' });
    expect(doc.policy.outcomes.flags['light-ui']).toMatchObject({ defective: false, blast_radius_requests: 0 });
    const [fault] = doc.revealed.hiddenFaults;
    expect(fault.name).toBeDefined();
    expect(fault.journeys_hurt).toBeGreaterThan(1000);
  }, 480_000);
});
