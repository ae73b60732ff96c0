/**
 * Actions at the very first instant of a drill (0m00s: the facilitator starts it and stops the clock at once to brief
 * the team, who act before it runs again), on scenarios/gate-tuning.yaml, whose plan starts at 0. At every later
 * instant an action follows the events due then; at 0 it came before them, so the page showed the plan holding at
 * stage 1 (10%) while a pause or a rollback of it was refused ("new-engine has not started") and the plan went out an
 * instant later, and a promote was taken for the plan's start, not for the next stage the person asked for.
 * Now an action at 0 acts on the plan as one a microsecond later does, and the debrief replays to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { buildDocument } from '../src/live/debrief.js';
import type { DrillRecord } from '../src/live/record.js';
import { DrillSession } from '../src/live/session.js';
import type { AuditRecord } from '../src/score/result.js';
import { ada, drillOf } from './drill-19-session.js';

const file = join(import.meta.dirname, '..', 'scenarios', 'gate-tuning.yaml');
const drill = (atUs: number, op: 'pause' | 'rollback' | 'promote') =>
  drillOf(file, 'healthy', [[atUs, { type: 'plan', flag: 'new-engine', op, reason: 'at the briefing' }, ada]], 90e6);

/** The plan's decisions and stages, without their instants. */
const story = (audit: readonly AuditRecord[]) => audit.filter((a) => a.event === 'decision' || a.event === 'stage')
  .map((a) => `${a.event} ${a.actor} ${a.action ?? ''} v${a.configVersion} ${a.percent ?? ''} ${a.by ?? ''}`);

describe('actions at the first instant of a drill', () => {
  it.each([
    ['pause', 'the plan paused at stage 1'],
    ['rollback', 'the plan rolled back from stage 1'],
    ['promote', 'the plan promoted to stage 2'],
  ] as const)('%s at 0m00s acts on the plan the page shows, as a microsecond later (%s)', (op, _what) => {
    const first = drill(0, op);
    const later = drill(1, op);
    // What the page showed at 0m00s: the plan holding at stage 1 (10%), config v1.
    expect(first.shown[0][0]).toMatchObject({ phase: 'holding', stage: 0, percent: 10, version: 1 });
    expect(first.recs[0].refused).toBeNull();
    expect(first.recs[0].configVersion).toBe(later.recs[0].configVersion);
    expect(story(first.doc.team.audit)).toEqual(story(later.doc.team.audit));
    expect(first.doc.team.rollouts[0].decisions.find((d) => d.action === op)).toMatchObject({ timeSeconds: 0, stage: op === 'promote' ? 2 : 1 });
    expect(first.doc.comparison[0].team.headline).toBe(later.doc.comparison[0].team.headline);
  });

  it('the debrief of a drill acted on at 0m00s is rebuilt from its record to the same bytes', () => {
    const { doc, read, record } = drill(0, 'pause');
    expect(doc.comparison[0].team.headline).toBe('false alarm: paused at 10%, nobody hurt');
    const again = buildDocument(JSON.parse(JSON.stringify(record)) as DrillRecord, read, 'healthy');
    expect(JSON.stringify(again)).toBe(JSON.stringify(doc));
    // The replay of the record applies the pause at its instant, with the same result, in a fresh session.
    const s = DrillSession.fromRecord({ file: read.file, caseName: 'healthy', hiddenCase: false, seed: record.seed, gates: 'on' },
      read.scenario, record.actions, record.end.atUs, record.end);
    expect(s.actions.map((a) => a.refused)).toEqual(record.actions.map((a) => a.refused));
  });
});
