/**
 * A drill driven in-process, as the server drives one (start, the clock to each action's instant, the action, the
 * end), and its debrief built from the record alone: for the drill-19 tests that need exact simulated instants.
 */
import { buildDocument } from '../src/live/debrief.js';
import type { Action, RecordedAction } from '../src/live/actions.js';
import type { DrillRecord } from '../src/live/record.js';
import { DrillSession, readDrillScenario, type Actor } from '../src/live/session.js';

export const fran: Actor = { name: 'fran', role: 'facilitator' };
export const ada: Actor = { name: 'ada', role: 'operator' };
export const bob: Actor = { name: 'bob', role: 'operator' };

/** Runs a drill of `file` (its case, its seed): each action at its instant (µs), the end at `endUs`. */
export function drillOf(file: string, caseName: string | null, steps: readonly [number, Action, Actor][], endUs: number) {
  const read = readDrillScenario(file, caseName);
  const setup = { file: read.file, caseName, hiddenCase: false, seed: read.scenario.seed, gates: 'on' as const };
  const s = new DrillSession(setup, read.scenario);
  const wall = (i: number) => new Date(Date.UTC(2026, 11, 6, 18, 0, i)).toISOString();
  s.act({ type: 'start' }, fran, wall(0));
  const shown: ReturnType<NonNullable<DrillSession['controller']>['planStates']>[] = [];
  const recs: RecordedAction[] = steps.map(([atUs, action, by], i) => {
    s.advanceTo(atUs);
    shown.push(s.controller?.planStates() ?? []);
    return s.act(action, by, wall(i + 1));
  });
  s.advanceTo(endUs);
  s.act({ type: 'end' }, fran, wall(steps.length + 1));
  const record: DrillRecord = {
    scenario: { file: read.file, sha256: read.sha256, name: read.scenario.name }, seed: setup.seed, gates: 'on',
    case: { hidden: false, name: caseName }, secret: null, speed: 60, opened: wall(0),
    people: [fran, ada, bob].map((p) => ({ ...p, joined: wall(0) })),
    actions: s.actions, countdown: [], resumed: [], end: { atUs: s.endedUs!, reason: s.endReason!, wall: wall(steps.length + 1) }, journalHead: 'x',
  };
  return { doc: buildDocument(record, read, caseName), record, read, recs, shown };
}
