/**
 * Once the drill has ended nothing is on. A fault still on at the end ended with the drill, as the debrief's faults
 * table says; the state after the end (the page's faults panel, `gameday ctl status` while the debrief is written)
 * listed it as "fault on: ... until 38m00s", a time the drill never reached.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DrillSession, readDrillScenario, type Actor } from '../src/live/session.js';
import { visibleFaults } from '../src/live/view.js';
import { buildDocument } from '../src/live/debrief.js';
import type { DrillRecord } from '../src/live/record.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const fran: Actor = { name: 'fran', role: 'facilitator' };

describe('the faults after the end', () => {
  it('a fault on when the drill ended is over, at the end, as the debrief lists it', () => {
    const read = readDrillScenario(file, 'healthy');
    const s = new DrillSession({ file, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, read.scenario);
    s.act({ type: 'start' }, fran, 'w');
    s.advanceTo(60e6);
    expect(s.act({ type: 'fault', name: 'pay-down' }, fran, 'w').refused).toBeNull();
    s.advanceTo(61e6);
    expect(visibleFaults(s)).toEqual([expect.objectContaining({ name: 'pay-down', active: true, fromSeconds: 60, untilSeconds: 240 })]);
    s.advanceTo(150e6);
    s.act({ type: 'end' }, fran, 'w');
    expect(s.ended).toBe(true);
    expect(visibleFaults(s)).toEqual([expect.objectContaining({ name: 'pay-down', active: false, fromSeconds: 60, untilSeconds: 150 })]);
    s.closeRun();
    expect(visibleFaults(s)).toEqual([expect.objectContaining({ name: 'pay-down', active: false, fromSeconds: 60, untilSeconds: 150 })]);
    const record: DrillRecord = {
      scenario: { file, sha256: 'x', name: 'drill' }, seed: 7, gates: 'on', case: { hidden: false, name: 'healthy' }, secret: null, speed: 60,
      opened: 'w', people: [], actions: s.actions, countdown: [], resumed: [], end: { atUs: s.nowUs, reason: 'by-hand', wall: 'w' }, journalHead: 'x',
    };
    const doc = buildDocument(record, read, 'healthy');
    expect(doc.faults.map((f) => [f.name, f.team_from_seconds, f.team_to_seconds])).toEqual([['pay-down', 60, 150]]);
  });
});
