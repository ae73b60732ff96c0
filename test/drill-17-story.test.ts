/**
 * A flag's story on a side whose plan was rolled back, taken up again by a person and stopped again: the headline
 * told the first act only ("false rollback: rolled back at 1%, nobody hurt (by ada; ...)"), where the run went on to
 * 25% and was rolled back there by the gates, in the drill test/drill-17-live.test.ts runs. The story now ends
 * as the run does: "; then resumed: rolled back again at 25% by the gates".
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { DrillSession, readDrillScenario, type Actor } from '../src/live/session.js';
import { buildDocument } from '../src/live/debrief.js';
import type { Action } from '../src/live/actions.js';
import type { DrillRecord } from '../src/live/record.js';
import { drillHtml } from '../src/live/debrief-html.js';
import { duration } from '../src/units/format.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const fran: Actor = { name: 'fran', role: 'facilitator' };
const ada: Actor = { name: 'ada', role: 'operator' };
const bob: Actor = { name: 'bob', role: 'operator' };

function debriefDocument(caseName: string, plan: [number, Action, Actor][], endMinutes: number, gates: 'on' | 'advisory' = 'on') {
  const read = readDrillScenario(file, caseName);
  const s = new DrillSession({ file, caseName, hiddenCase: false, seed: 7, gates }, read.scenario);
  s.act({ type: 'start' }, fran, 'w');
  for (const [minutes, action, by] of plan) {
    s.advanceTo(minutes * 60e6);
    expect(s.act(action, by, 'w').refused).toBeNull();
  }
  s.advanceTo(endMinutes * 60e6);
  s.act({ type: 'end' }, fran, 'w');
  const record: DrillRecord = {
    scenario: { file, sha256: 'x', name: 'drill' }, seed: 7, gates, case: { hidden: false, name: caseName }, secret: null, speed: 60,
    opened: 'w', people: [], actions: s.actions, countdown: [], resumed: [], end: { atUs: s.nowUs, reason: 'by-hand', wall: 'w' }, journalHead: 'x',
  };
  return buildDocument(record, read, caseName);
}

const debrief = (...a: Parameters<typeof debriefDocument>) => debriefDocument(...a).comparison.find((c) => c.flag === 'new-pay')!;

describe('a plan stopped, taken up again and stopped again tells both acts', () => {
  it('rolled back by a person, promoted by another, rolled back again by the first', () => {
    const c = debrief('healthy', [
      [1, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'looks off' }, ada],
      [2, { type: 'plan', flag: 'new-pay', op: 'promote' }, bob],
      [3, { type: 'plan', flag: 'new-pay', op: 'promote' }, bob],
      [4, { type: 'plan', flag: 'new-pay', op: 'rollback' }, ada],
    ], 5);
    expect(c.team.headline).toMatch(/^(caught|false rollback): rolled back at 10%.*; then resumed: rolled back again at 50% by ada$/);
    expect(c.team.state).toBe('rolled-back at stage 2 of 3 (0%)');
  });

  it('rolled back by a person, promoted again, rolled back by the gates', () => {
    // The broken case: the gates roll back what bob took up again.
    const c = debrief('broken', [
      [0.5, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'errors up' }, ada],
      [1, { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'try again' }, bob],
    ], 4);
    expect(c.team.headline).toMatch(/^caught: rolled back at 10% after [^,]+, \d+ users hurt; then resumed: rolled back again at 10% by the gates$/);
  });

  it('a plan taken up again and left going is told as before', () => {
    const c = debrief('healthy', [
      [1, { type: 'plan', flag: 'new-pay', op: 'rollback' }, ada],
      [2, { type: 'plan', flag: 'new-pay', op: 'promote' }, bob],
    ], 3);
    expect(c.team.headline).toMatch(/; then resumed: at 10% when the run ended$/);
    expect(c.team.headline).not.toMatch(/again/);
  });
});

describe('a change made at the last instant is told with what had reached users', () => {
  it('a promote at the instant the drill ends: at 50% published, 10% had reached users', () => {
    const c = debrief('healthy', [[2, { type: 'plan', flag: 'new-pay', op: 'promote', reason: 'last call' }, bob]], 2);
    expect([c.team.final_percent, c.team.reached_percent]).toEqual([50, 10]);
    expect(c.team.headline).toMatch(/^unfinished: at 50% when the run ended, .*; 10% had reached users by the end$/);
    // The policy's plan, as published and as served: one figure.
    expect(c.policy.headline).not.toMatch(/had reached users/);
  });
});

describe('a pause taken up again, then a rollback (the gates advisory: people decide)', () => {
  it('told once each, in order: paused, then resumed, rolled back', () => {
    const c = debrief('broken', [
      [1.5, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'errors' }, ada],
      [2.5, { type: 'plan', flag: 'new-pay', op: 'resume', reason: 'false alarm?' }, ada],
      [5, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'errors after all' }, ada],
    ], 10, 'advisory');
    expect(c.team.headline).toMatch(/^caught: paused at 10% after \S+, \d+ users hurt; then resumed: rolled back at 10% by ada$/);
  });

  it('a pause and a rollback without a resumption between them are told as the run report tells them', () => {
    const c = debrief('broken', [
      [1.5, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'errors' }, ada],
      [2.5, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'errors after all' }, ada],
    ], 5, 'advisory');
    expect(c.team.headline).toMatch(/^caught: paused at 10% after \S+, then rolled back, \d+ users hurt$/);
  });
});

describe('the debrief page says lengths of time as the headlines do', () => {
  it('time to detect and to recover: "57.2s", as "caught: rolled back at 10% after 57.2s" (it read "0m57s")', () => {
    const doc = debriefDocument('broken', [
      [1.5, { type: 'plan', flag: 'new-pay', op: 'pause', reason: 'errors' }, ada],
      [5, { type: 'plan', flag: 'new-pay', op: 'rollback', reason: 'errors after all' }, ada],
    ], 10, 'advisory');
    const c = doc.comparison[0];
    const detect = [c.team.time_to_detect_seconds!, c.policy.time_to_detect_seconds!];
    expect(detect[1]).toBeLessThan(60);
    expect(c.policy.headline).toContain(`after ${duration(detect[1])},`);
    const html = drillHtml(doc);
    expect(html).toContain(`<td>${duration(detect[0])} / ${duration(detect[1])}</td>`);
    expect(html).toContain(`<td>${duration(c.team.time_to_recover_seconds)} / ${duration(c.policy.time_to_recover_seconds)}</td>`);
    expect(html).toContain(`<td>${c.team.blast_radius_users} / ${c.policy.blast_radius_users}</td>`);
  });
});
