/**
 * What `gameday debrief`, `replay` and `resume` say of a file that is not the record they read, against a record
 * altered. Another file (empty, not JSON, a debrief document given to debrief, a run's result) is bad input: exit 2,
 * named for what it is. It was reported as a record altered (exit 1: "not JSON: the record has been altered",
 * "d4.json:1: not a journal line (not JSON): the journal has been altered"). A journal whose header line was
 * removed, or a debrief document cut short, is still a record altered (exit 1), by replay as by debrief.
 * The drill's terminal and `gameday debrief` print the debrief's verdict, each flag's story on both sides and the
 * error budget, as its JSON states them (they printed only where the files were). A drill stopped in its lobby
 * resumes in its lobby and says how it starts (it said "the clock stopped: the facilitator resumes it", and a
 * resume there is refused).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-records-'));
const at = (name: string) => join(dir, name);
let drillOut = '';

/** The built CLI: its exit code and what it printed. */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((r) => child.once('exit', (code) => r({ code, out, err })));
}

beforeAll(async () => {
  const drill = await run(['gameday', join(root, 'test', 'fixtures', 'drill.yaml'), '--case', 'healthy', '--speed', '100000', '--start', '--exit-on-end', '--out', at('drill')]);
  expect(drill.code, drill.out + drill.err).toBe(0);
  drillOut = drill.out;
  writeFileSync(at('empty.journal'), '');
  writeFileSync(at('garbage.journal'), 'garbage\n');
  const run1 = await run(['run', join(root, 'test', 'fixtures', 'drill.yaml'), '--json', at('run.json')]);
  expect(run1.code, run1.err).toBe(0);
  writeFileSync(at('nohead.journal'), readFileSync(at('drill.journal'), 'utf8').split('\n').slice(1).join('\n'));
  writeFileSync(at('cut.json'), readFileSync(at('drill.json'), 'utf8').slice(0, 5000));
}, 240_000);

describe('a file that is not the record, and a record altered', () => {
  it.each([
    [['replay', 'empty.journal'], 2, 'empty.journal: an empty file: neither a drill\'s debrief document (PREFIX.json) nor its journal (PREFIX.journal)'],
    [['replay', 'garbage.journal'], 2, 'garbage.journal: not JSON: neither a drill\'s debrief document (PREFIX.json) nor its journal (PREFIX.journal)'],
    [['debrief', 'garbage.journal'], 2, 'garbage.journal: not a drill journal: its first line is not a journal\'s header'],
    [['debrief', 'drill.json'], 2, 'drill.json: not a drill journal: it is a drill\'s debrief document (rehearse/drill@2): gameday replay checks it; debrief and resume read the PREFIX.journal the drill wrote'],
    [['resume', 'drill.json'], 2, 'drill.json: not a drill journal: it is a drill\'s debrief document (rehearse/drill@2): gameday replay checks it; debrief and resume read the PREFIX.journal the drill wrote'],
    [['debrief', 'run.json'], 2, 'run.json: not a drill journal: it is a rehearse/run@1 document: debrief and resume read the PREFIX.journal a game day wrote'],
    [['debrief', 'nohead.journal'], 1, 'nohead.journal:1: the journal has been altered here: its first line is not the drill\'s header'],
    [['replay', 'nohead.journal'], 1, 'nohead.journal:1: the journal has been altered here: its first line is not the drill\'s header'],
    [['replay', 'cut.json'], 1, 'cut.json: not JSON: the drill document has been altered'],
  ])('gameday %j', async (args, code, message) => {
    const r = await run(['gameday', ...args]);
    expect(r.err.trim()).toBe(message);
    expect(r.code).toBe(code);
  }, 120_000);

  it('the record itself replays as it was', async () => {
    const r = await run(['gameday', 'replay', 'drill.json']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/^replay identical: /);
  }, 120_000);

  it('the drill\'s terminal and gameday debrief say the verdict and each flag\'s story, as the JSON does', async () => {
    const doc = JSON.parse(readFileSync(at('drill.json'), 'utf8')) as {
      verdict: { text: string }; budget: { allowed: number; team: { failed: number }; policy: { failed: number } };
      comparison: { flag: string; why: string; team: { headline: string }; policy: { headline: string } }[];
    };
    const want = [
      `verdict: ${doc.verdict.text}`,
      ...doc.comparison.flatMap((c) => [`: ${c.why}`, `    team: ${c.team.headline}`, `    policy alone: ${c.policy.headline}`]),
      `(failed journeys ${doc.budget.team.failed} and ${doc.budget.policy.failed}, of the ${doc.budget.allowed} the SLO allows over the whole horizon)`,
    ];
    const again = await run(['gameday', 'debrief', 'drill.journal', '--out', 'again']);
    expect(again.code, again.err).toBe(0);
    for (const printed of [drillOut, again.out]) {
      let from = 0;
      for (const w of want) {
        const i = printed.indexOf(w, from);
        expect(i, `${w} in\n${printed}`).toBeGreaterThanOrEqual(0);
        from = i + w.length;
      }
    }
    expect(doc.comparison.length).toBeGreaterThan(0);
  }, 120_000);

  it('a drill killed in its lobby resumes in its lobby, and says how it starts', async () => {
    const served = (args: string[]) => {
      const child = spawn(process.execPath, [join(root, 'bin/rehearse.js'), 'gameday', ...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (out += d));
      const line = async (re: RegExp) => {
        for (const until = Date.now() + 120_000; ; await new Promise((r) => setTimeout(r, 50))) {
          if (re.test(out)) return out;
          if (Date.now() > until || child.exitCode !== null) throw new Error(`no ${re} in:\n${out}`);
        }
      };
      return { child, line, exited: new Promise((r) => child.once('exit', r)) };
    };
    const first = served([join(root, 'test', 'fixtures', 'drill.yaml'), '--case', 'healthy', '--out', at('lobby')]);
    await first.line(/the lobby is open/);
    first.child.kill('SIGKILL');
    await first.exited;
    const again = served(['resume', at('lobby.journal')]);
    const out = await again.line(/^facilitator facilitator: /m);
    again.child.kill('SIGTERM');
    await again.exited;
    expect(out).toContain(`game day resumed from ${at('lobby.journal')} in its lobby: the clock starts when the facilitator starts the drill (the page's Start the drill, or: rehearse gameday ctl URL start)`);
    expect(out).not.toContain('resumes it');
  }, 240_000);
});
