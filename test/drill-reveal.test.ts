/**
 * A hidden-case drill's debrief at the terminal reveals what was hidden, as the debrief page does: the case drawn
 * from the secret, and each hidden fault with its instants. The drill's terminal and `gameday debrief` said the
 * verdict and each flag's story, but not the case that story was about, nor the faults nobody could see. The
 * page's table of the faults both runs faced heads where each came from "source": it read "from", as the hidden
 * faults' table beside it heads the instant each started.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { builtCli } from './built-cli.js';
import { faultEffect } from '../src/report/vocabulary.js';
import type { FaultOutcome } from '../src/score/outcomes.js';

const fixture = join(import.meta.dirname, 'fixtures', 'drill.yaml');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const cli = (args: string[]) => builtCli(args, children, 240_000);

describe('the debrief of a hidden-case drill at the terminal', () => {
  it('reveals the case and the hidden faults, in the drill\'s terminal and from the journal alike', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rehearse-reveal-')), 'drill');
    const drill = cli(['gameday', fixture, '--hidden-case', '--speed', '100000', '--start', '--exit-on-end', '--out', out]);
    expect(await drill.exited).toBe(0);
    const doc = JSON.parse(readFileSync(`${out}.json`, 'utf8')) as { revealed: { case: string; hiddenFaults: Pick<FaultOutcome, 'journeys_hurt' | 'slowed'>[] } };
    expect(['healthy', 'broken']).toContain(doc.revealed.case);
    // The fixture's one hidden scheduled fault, at 20m for 2m.
    expect(doc.revealed.hiddenFaults).toHaveLength(1);
    // It hurt few or none, and it added its 50 ms to every call from web to pay for those 2 minutes: about 40/s x 120 s
    // journeys (a Poisson count, sd about 70), each slowed by 50 ms, ground truth.
    const slowed = doc.revealed.hiddenFaults[0].slowed!;
    expect(Math.abs(slowed.journeys - 4800)).toBeLessThan(5 * Math.sqrt(4800));
    expect(slowed.added_ms.p50).toBeCloseTo(50, 1);
    expect(slowed.added_ms.p99).toBeCloseTo(50, 1);
    expect(slowed.latency_ms.p50 - slowed.without_ms.p50).toBeCloseTo(50, 0);
    const reveal = [
      `  revealed: the case was ${doc.revealed.case} (hidden during the drill)`,
      `  hidden faults: latency web -> pay (latency on web -> pay, 20m00s to 22m00s, ${faultEffect(doc.revealed.hiddenFaults[0])})`,
    ];
    const tail = (text: string) => text.split('\n').filter((l) => /^ {2}(revealed|hidden faults):/.test(l));
    expect(tail(drill.out)).toEqual(reveal);
    // Nothing of it before the end: the lines come after the debrief's files are named.
    const before = drill.out.split(/debrief written to /)[0];
    expect(before).not.toMatch(/revealed|hidden faults|healthy|broken/);
    expect(readFileSync(`${out}.html`, 'utf8')).toContain('<table id="faults-faced"><thead><tr><th>fault</th><th>kind</th><th>target</th><th>source</th><th>hidden</th>');
    const again = cli(['gameday', 'debrief', `${out}.journal`, '--out', `${out}-again`]);
    expect(await again.exited).toBe(0);
    expect(tail(again.out)).toEqual(reveal);
  }, 300_000);
});
