/**
 * One state, one wording: a promote of a completed plan said "is already at its last stage" where a pause of it
 * said "has already completed", and a rollback of a rolled-back plan "is already rolled back" where a pause said
 * "has already been rolled back". Journals keep refusals verbatim, so a journal of 0.10.0 (test/fixtures/
 * drill-0.10.0: a drill of fixtures/drill.yaml run with the 0.10.0 command, `gameday ctl` acting on a completed and
 * a rolled-back plan, and its debrief) must still replay, to the same debrief: every field but the version that
 * wrote it and the digest over it, and the policy's run, which now lists the scheduled fault the drill ended before
 * reaching, never on, as the team's run did (replay says the policy's run differs, naming 0.10.0). A debrief
 * document of another version that replays to the same results is
 * identical in all but its version; a journal of another version gets the digest the drill printed, when the
 * debrief has not changed.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DrillSession, readDrillScenario, type Actor } from '../src/live/session.js';
import { debriefFromJournal } from '../src/live/from-journal.js';
import { asVersion, canonicalJson, documentDigest } from '../src/live/record.js';
import { replayCommand } from '../src/cli/gameday-record.js';
import { VERSION } from '../src/version.js';
import { withFaultEffects, withPolicyListingNotReached } from './drill-23-not-reached.js';

const dir = join(import.meta.dirname, 'fixtures', 'drill-0.10.0');
const scenario = join(dir, 'drill.yaml');
const journal = join(dir, 'drill.journal');
const stored = JSON.parse(readFileSync(join(dir, 'drill.json'), 'utf8')) as Record<string, unknown> & { version: string; digest: string };
/**
 * The debrief as this version writes it: the policy's run lists the scheduled fault the drill ended before reaching,
 * and each fault says what it did (the journeys it slowed, taken from the debrief rebuilt now).
 */
const now = withFaultEffects(withPolicyListingNotReached(stored), debriefFromJournal(journal, { scenario }));
const ada: Actor = { name: 'ada', role: 'operator' };
const fran: Actor = { name: 'fran', role: 'facilitator' };

function io() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
}

/** The document without the version that wrote it and the digest over it: what a replay of another version compares. */
const results = (d: object) => canonicalJson({ ...asVersion(d, ''), digest: '' });

describe('a completed or rolled-back plan is refused in one wording, whatever the action', () => {
  it('promote and pause of a completed plan; rollback and pause of a rolled-back one', () => {
    const s = new DrillSession({ file: scenario, caseName: 'healthy', hiddenCase: false, seed: 7, gates: 'on' }, readDrillScenario(scenario, 'healthy').scenario);
    s.act({ type: 'start' }, fran, 'w');
    s.advanceTo(60e6);
    const plan = (op: 'promote' | 'pause' | 'rollback') => s.act({ type: 'plan', flag: 'new-pay', op }, ada, 'w').refused;
    expect(plan('promote')).toBeNull();
    expect(plan('promote')).toBeNull();
    s.advanceTo(61e6);
    expect(s.controller!.planStates()[0].phase).toBe('completed');
    expect(plan('promote')).toBe('new-pay has already completed');
    expect(plan('pause')).toBe('new-pay has already completed');
    expect(plan('rollback')).toBeNull();
    expect(plan('rollback')).toBe('new-pay has already been rolled back');
    expect(plan('pause')).toBe('new-pay has already been rolled back');
  });
});

describe('a journal of 0.10.0 replays to the debrief 0.10.0 wrote, the policy\'s run listing the fault not reached', () => {
  it('its refusals, in 0.10.0\'s words, replay as this version\'s, and are kept as recorded', () => {
    const doc = debriefFromJournal(journal, { scenario });
    const refusals = doc.record.actions.map((a) => a.refused).filter((r) => r !== null);
    expect(refusals).toEqual([
      'new-pay is not waiting for an approval',
      'new-pay is already at its last stage',
      'new-pay has already completed',
      'new-pay is already rolled back',
      'new-pay has already been rolled back',
    ]);
    expect(stored.version).toBe('0.10.0');
    expect(results(doc)).toBe(results(now));
    // The digest over the debrief with 0.10.0's number: the drill's own, but for the fault the policy's run now lists.
    expect(documentDigest(asVersion(doc, '0.10.0'))).toBe(documentDigest(now));
    expect(documentDigest(asVersion(doc, '0.10.0'))).not.toBe(stored.digest);
  });

  it('its debrief document replays as differing in the policy\'s run; one of another version with this version\'s results, identical but for the version', () => {
    const same = io();
    expect(replayCommand(join(dir, 'drill.json'), { scenario }, same.io)).toBe(1);
    // The policy's run lists the fault not reached; the faults both faced say what each did in each run; both runs'
    // outcomes say how many journeys each fault failed.
    expect(same.err).toEqual([`replay differs (team, policy, faults): the drill was recorded with rehearse 0.10.0, this is ${VERSION}`]);
    // The document as another version would have written it with this version's results (its digest recomputed).
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-17-'));
    const other = asVersion(now, '0.9.9');
    other.digest = documentDigest(other);
    writeFileSync(join(tmp, 'drill.json'), JSON.stringify(other, null, 2));
    const r = io();
    expect(replayCommand(join(tmp, 'drill.json'), { scenario }, r.io)).toBe(0);
    expect(r.err).toEqual([]);
    expect(r.out).toEqual([`replay identical: 12 actions re-applied at their simulated instants; the team's run, the policy's run, the comparison and the record are the same byte for byte (recorded with rehearse 0.9.9, this is ${VERSION}: only the version, and the digest over it, differ)`]);
    // A result edited, its digest recomputed, is still tampering.
    const edited = { ...other, verdict: { ...(other as unknown as { verdict: object }).verdict, text: 'The team beat the policy' } };
    edited.digest = documentDigest(edited);
    writeFileSync(join(tmp, 'edited.json'), JSON.stringify(edited));
    const e = io();
    expect(replayCommand(join(tmp, 'edited.json'), { scenario }, e.io)).toBe(1);
    expect(e.err.join('\n')).toMatch(/replay differs \(verdict\): the drill was recorded with rehearse 0\.9\.9/);
  });

  it('a journal of another version is given the digest of this version\'s debrief with that version\'s number', () => {
    // The journal as 0.9.9 would have written it: its header's version changed and the hash chain made again.
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-17-'));
    let head = '';
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n').map((line, i) => {
      const { h: _h, ...body } = JSON.parse(line) as Record<string, unknown>;
      if (i === 0) body.version = '0.9.9';
      const text = JSON.stringify(body);
      head = createHash('sha256').update(`${head}\n${text}`).digest('hex');
      return `${text.slice(0, -1)},"h":"${head}"}`;
    });
    writeFileSync(join(tmp, 'drill.journal'), `${lines.join('\n')}\n`);
    const r = io();
    expect(replayCommand(join(tmp, 'drill.journal'), { scenario }, r.io)).toBe(0);
    // The drill's document is tied to its journal by the journal's last hash (made again here).
    const printed = documentDigest({ ...asVersion(now, '0.9.9'), record: { ...(now.record as object), journalHead: head } });
    expect(r.out[1]).toBe(`the drill was recorded with rehearse 0.9.9, this is ${VERSION}: the digest over this debrief with 0.9.9's number is ${printed}, the drill's own when the debrief has not changed`);
  });
});
