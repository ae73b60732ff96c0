/**
 * A journal 0.13.0 wrote, before a fault could be removed, replays as before (test/fixtures/drill-0.13.0: a drill of
 * fixtures/drill.yaml, case broken, run with the 0.13.0 command and `gameday ctl`: a catalogue fault and a hidden
 * ad-hoc one injected while the clock was paused, a promote in the same pause, a catalogue fault injected while the
 * clock ran, a note, the end by hand). The drill's own simulation now lets a fault be taken back: a drill that takes
 * none back must be the same run, event for event.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayCommand } from '../src/cli/gameday-record.js';
import { debriefFromJournal } from '../src/live/from-journal.js';
import { asVersion, canonicalJson, documentDigest } from '../src/live/record.js';
import { VERSION } from '../src/version.js';
import { withFaultEffects, withPolicyListingNotReached } from './drill-23-not-reached.js';

const dir = join(import.meta.dirname, 'fixtures', 'drill-0.13.0');
const scenario = join(dir, 'drill.yaml');
const stored = JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8')) as Record<string, unknown> & { version: string; digest: string };
const results = (d: object) => canonicalJson({ ...asVersion(d, ''), digest: '' });

describe('a journal of 0.13.0 replays to the debrief 0.13.0 wrote, the policy\'s run listing the fault not reached', () => {
  it('its debrief, rebuilt from the journal, is the one the drill wrote but for that listing', () => {
    const doc = debriefFromJournal(join(dir, 'drill.journal'), { scenario });
    expect(stored.version).toBe('0.13.0');
    expect(doc.record.actions.map((a) => a.action.type)).toEqual(['start', 'clock', 'fault', 'adhoc-fault', 'plan', 'clock', 'fault', 'note', 'end']);
    expect(doc.faults.map((f) => f.name)).toEqual(['pay-down', 'slow-web', 'hidden ad-hoc 1']);
    // As 0.13.0 wrote it, but for the scheduled fault the drill ended before reaching, which the policy's run now lists.
    expect(results(doc)).toBe(results(withFaultEffects(withPolicyListingNotReached(stored), doc)));
    expect(documentDigest(asVersion(doc, '0.13.0'))).toBe(documentDigest(withFaultEffects(withPolicyListingNotReached(stored), doc)));
    // A run that takes no fault back is the same run, event for event.
    expect([doc.team.simulated.events, doc.policy.simulated.events]).toEqual([86225, 86220]);
  });

  it('gameday replay of its document says the policy\'s run differs, naming the version that recorded it', () => {
    const out: string[] = [];
    const err: string[] = [];
    expect(replayCommand(join(dir, 'drill.json'), { scenario }, { out: (s) => out.push(s), err: (s) => err.push(s) })).toBe(1);
    expect(out).toEqual([]);
    // Its latency faults now say what they did: the journeys each slowed, in both runs, the faults faced and the hidden one revealed.
    expect(err).toEqual([`replay differs (team, policy, faults, revealed): the drill was recorded with rehearse 0.13.0, this is ${VERSION}`]);
  });
});
