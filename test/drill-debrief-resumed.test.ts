/**
 * The debrief page of a drill that was stopped and resumed says so: when it resumed (simulated and wall time),
 * and the facilitator listed a second time is the new link the resumed drill gave them. The record held the
 * resumption (`record.resumed`) and the page showed neither, only the same name twice.
 */
import { describe, expect, it } from 'vitest';
import { drillHtml } from '../src/live/debrief-html.js';
import { buildDocument } from '../src/live/debrief.js';
import type { DrillRecord } from '../src/live/record.js';
import { readDrillScenario } from '../src/live/session.js';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { sha256 } from '../src/live/session.js';

const file = join(import.meta.dirname, 'fixtures', 'drill.yaml');

function record(resumed: DrillRecord['resumed']): DrillRecord {
  const start = { atUs: 0, wallTime: '2026-12-06T06:00:01.000Z', by: 'fran', role: 'facilitator' as const, action: { type: 'start' as const }, refused: null };
  const note = { atUs: 300e6, wallTime: '2026-12-06T06:00:06.000Z', by: 'fran', role: 'facilitator' as const, action: { type: 'note' as const, text: 'after the restart' }, refused: null };
  return {
    scenario: { file, sha256: sha256(readFileSync(file, 'utf8')), name: 'drill' }, seed: 7, gates: 'on', case: { hidden: false, name: 'healthy' }, secret: null,
    speed: 60, opened: '2026-12-06T06:00:00.000Z',
    people: [
      { name: 'fran', role: 'facilitator', joined: '2026-12-06T06:00:00.100Z' },
      { name: 'ada', role: 'operator', joined: '2026-12-06T06:00:00.200Z' },
      ...resumed.map(() => ({ name: 'fran', role: 'facilitator' as const, joined: '2026-12-06T06:00:05.100Z' })),
    ],
    actions: [start, note], countdown: [], resumed,
    end: { atUs: 360e6, reason: 'by-hand', wall: '2026-12-06T06:00:07.000Z' }, journalHead: 'x',
  };
}

const text = (html: string) => html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');

describe('the debrief of a resumed drill', () => {
  it('says when it resumed, and why the facilitator is listed twice', () => {
    const read = readDrillScenario(file, 'healthy');
    const html = text(drillHtml(buildDocument(record([{ atUs: 240e6, wall: '2026-12-06T06:00:05.000Z' }]), read, 'healthy')));
    expect(html).toContain('The drill\'s process stopped (a crash, a kill or SIGTERM) and the drill was resumed from its journal, its clock stopped where the journal ended: at 4m00s simulated (2026-12-06T06:00:05.000Z). The actions before and after are one record.');
    expect(html).toContain('fran facilitator 2026-12-06T06:00:00.100Z');
    expect(html).toContain('fran facilitator (a new link: the drill resumed) 2026-12-06T06:00:05.100Z');
  });

  it('a drill never stopped says nothing of it', () => {
    const read = readDrillScenario(file, 'healthy');
    const html = text(drillHtml(buildDocument(record([]), read, 'healthy')));
    expect(html).not.toContain('resumed');
  });
});
