/**
 * A drill's journal is one JSON document a line: a note people typed with line breaks in it (\n, \r\n, U+2028,
 * U+2029, U+0085), a person's name with a line or paragraph separator and a right-to-left override (the characters a
 * name may hold), and a scenario named across lines stay each on their line. Read back, resumed and written on, and
 * debriefed, they are the same text; the debrief's terminal lines hold none of them raw.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERSION } from '../src/version.js';
import { JournalWriter, readJournal } from '../src/live/journal.js';
import { sha256 } from '../src/live/session.js';
import { cli } from './helpers.js';

const fixture = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const w = '2026-01-01T00:00:00.000Z';
const NOTE = 'first\nsecond\r\nthird\u2028fourth\u2029fifth\u0085sixth\r"quoted"\\ end';
const NAME = 'ada\u2028lovelace\u202e';
// eslint-disable-next-line no-control-regex
const RAW = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e]/;

describe('line breaks people type stay inside their journal line', () => {
  it('read back, resumed and written on, and debriefed: the same text', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'rehearse-journal-breaks-')), 'd.journal');
    const j = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: VERSION, wall: w,
      scenario: { file: fixture, sha256: sha256(readFileSync(fixture, 'utf8')), name: 'drill\nforged' }, seed: 7, gates: 'on', speed: 60, case: { hidden: false, name: 'healthy' },
    });
    j.append({ kind: 'person', wall: w, name: 'fran', role: 'facilitator', token: '1'.repeat(64) });
    j.append({ kind: 'person', wall: w, name: NAME, role: 'scribe', token: '2'.repeat(64) });
    j.append({ kind: 'action', atUs: 0, wallTime: w, by: 'fran', role: 'facilitator', action: { type: 'start' }, refused: null });
    j.append({ kind: 'action', atUs: 60e6, wallTime: w, by: NAME, role: 'scribe', action: { type: 'note', text: NOTE }, refused: null });
    j.close();
    // One line each: the header, two people, two actions.
    expect(readFileSync(path, 'utf8').split('\n')).toHaveLength(6);
    const read = readJournal(path);
    expect(read.truncated).toBe(false);
    expect(read.header.scenario.name).toBe('drill\nforged');
    expect(read.people.map((p) => p.name)).toEqual(['fran', NAME]);
    expect(read.actions[1]).toMatchObject({ by: NAME, action: { type: 'note', text: NOTE } });

    // Resumed: written on after its last line, the chain unbroken.
    const again = JournalWriter.reopen(path, read);
    again.append({ kind: 'action', atUs: 120e6, wallTime: w, by: NAME, role: 'scribe', action: { type: 'note', text: `${NOTE} (again)` }, refused: null });
    again.append({ kind: 'end', atUs: 180e6, wall: w, reason: 'by-hand' });
    again.close();
    const resumed = readJournal(path);
    expect(resumed.actions.map((a) => a.action)).toEqual([{ type: 'start' }, { type: 'note', text: NOTE }, { type: 'note', text: `${NOTE} (again)` }]);
    expect(resumed.end).toMatchObject({ atUs: 180e6, reason: 'by-hand' });

    const out = path.replace(/\.journal$/, '');
    const d = await cli('gameday', 'debrief', path, '--out', out);
    expect(d.code, d.err).toBe(0);
    for (const line of d.out.split('\n')) expect(line).not.toMatch(RAW);
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8'));
    expect(doc.record.actions.filter((a: { action: { type: string } }) => a.action.type === 'note').map((a: { by: string; action: { text: string } }) => [a.by, a.action.text]))
      .toEqual([[NAME, NOTE], [NAME, `${NOTE} (again)`]]);
  }, 60_000);
});
