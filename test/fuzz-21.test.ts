/**
 * Hostile input, round 21 (the drills forced past the work limit are in fuzz-21-live.test.ts).
 * - A sweep's plan the heap cannot hold: `seeds: 4294967295` under --force aborted V8 after 112 s (exit 134), 2^32
 *   threw "RangeError: Invalid array length" with its stack (exit 1). Refused now whatever --force says, exit 2.
 * - Two vary paths that write one place (`stages.0.hold` and `stages.00.hold`, `stages.*.hold` and `stages.1.hold`, a
 *   plan by its flag and by its index): each run took the later path's value while its label named both.
 * - Kubernetes files: `---`, comments only, `---` (a licence between two documents, as files are concatenated) was
 *   "a document after its end marker ... that kubectl never reads" (exit 0 with a false warning; kubectl reads an
 *   empty document there). 100,000 context resources made one warning line of 3 MB.
 * - Checked sound: CRLF line ends, a BOM at the start (kubectl's FileVisitor strips it, visitor.go BOMOverride),
 *   `---` inside quoted strings and block scalars (cut as kubectl cuts, named), a document of 50 MB (refused at the
 *   16 MiB resource limit), a random search of 400 paths, samples beyond the grid, seeds past 2^53 and 1e300;
 *   Prometheus rule files with UTF-8 names and `.nan` durations (as promtool 2.42 refuses them, or warned where
 *   Prometheus 3 takes them).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { prepareSweep } from '../src/sweep/sweep.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-21-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|ERR_/);
const refusedWith = (f: () => unknown): string => {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return (e as InputError).message;
  }
  throw new Error('not refused');
};

const tuning = readFileSync(join(root, 'scenarios/gate-tuning.yaml'), 'utf8');
const withVary = (name: string, vary: string[], head = 'seeds: 1\n  search: random\n  samples: 3') =>
  write(name, tuning.replace(/ {2}vary:\n[\s\S]*? {2}subject-to/, `  vary:\n${vary.map((v) => `    ${v}`).join('\n')}\n  subject-to`).replace('seeds: 30', head));

describe('a sweep whose plan the heap cannot hold is refused, --force or not', () => {
  it.each([[4294967295], [4294967296]])('seeds: %d: exit 2, the estimate, no stack (in process and by the built command)', (seeds) => {
    const file = write(`seeds-${seeds}.yaml`, tuning.replace('seeds: 30', `seeds: ${seeds}`));
    for (const force of [false, true]) {
      expect(refusedWith(() => prepareSweep(file, undefined, force))).toMatch(/too much to hold: about [\d.]+ TB of memory to hold the plan \(8 policies of 2 paths, 6\.9e10 runs\), over the [\d.]+ [MG]B a sweep may use.*--force does not lift this/);
    }
    const r = spawnSync(process.execPath, [bin, 'sweep', file, '--force', '--workers', '1'], { cwd: dir, encoding: 'utf8', timeout: 120_000 });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: too much to hold: `));
    noStack(r.stderr);
  }, 240_000);

  it('--seeds on the command line is held to it too', () => {
    const file = write('seeds-flag.yaml', tuning);
    expect(refusedWith(() => prepareSweep(file, 2 ** 32, true))).toContain('too much to hold');
  });

  it('the bundled scenario and a forced sweep of a million runs are within it', () => {
    expect(prepareSweep(join(root, 'scenarios/gate-tuning.yaml')).plan.runs).toBe(480);
    const file = write('seeds-1e5.yaml', tuning.replace('seeds: 30', 'seeds: 62500'));
    expect(prepareSweep(file, undefined, true).plan.runs).toBe(1_000_000);
  });
});

describe('two vary paths that write one place are refused', () => {
  it.each([
    ['a list index written twice', ['rollout.new-engine.stages.0.hold: [1m, 2m]', 'rollout.new-engine.stages.00.hold: [3m, 4m]'],
      '59:40', 'tune.vary["rollout.new-engine.stages.00.hold"]: writes rollout[0].stages[0].hold, as tune.vary["rollout.new-engine.stages.0.hold"] does'],
    ['every stage, and one of them', ['rollout.new-engine.stages.*.hold: [1m, 2m]', 'rollout.new-engine.stages.1.hold: [3m, 4m]'],
      '59:39', 'tune.vary["rollout.new-engine.stages.1.hold"]: writes rollout[0].stages[1].hold, as tune.vary["rollout.new-engine.stages.*.hold"] does'],
    ['a plan by its flag and by its index', ['rollout.new-engine.failure-limit: [0, 2]', 'rollout.0.failure-limit: [1, 3]'],
      '59:30', 'tune.vary["rollout.0.failure-limit"]: writes rollout[0].failure-limit, as tune.vary["rollout.new-engine.failure-limit"] does'],
  ])('%s', (_, vary, place, message) => {
    // At the later path's values (line:column), as every other problem of the scenario.
    const file = withVary(`overlap-${vary.length}-${message.length}.yaml`, vary);
    expect(refusedWith(() => prepareSweep(file))).toContain(`${file}:${place}: ${message}: a run would take one path's value where its policy names both; leave one out`);
  });

  it('paths into different places are not', () => {
    const file = withVary('apart.yaml', ['rollout.new-engine.stages.0.hold: [1m, 2m]', 'rollout.new-engine.stages.1.hold: [1m, 2m]']);
    expect(prepareSweep(file).plan.policies).toHaveLength(3);
  });
});

describe('Kubernetes files cut at ---', () => {
  const argo = join(root, 'test/fixtures/argo');
  const rollout = readFileSync(join(argo, 'rollout-analysis-step.yaml'), 'utf8').replace(/\n*$/, '\n');
  const templates = readFileSync(join(argo, 'analysis-templates.yaml'), 'utf8');
  // The templates file opens with a comment block and ---: after the rollout's ---, an empty document.
  const joined = `${rollout}---\n${templates}`;
  const plain = `${rollout}${templates.replace(/^(#.*\n|\n)*---\n/, '---\n')}`;

  it.each([
    ['LF', (t: string) => t],
    ['CRLF', (t: string) => t.replace(/\n/g, '\r\n')],
    ['a BOM', (t: string) => `\ufeff${t}`],
    ['a BOM and CRLF', (t: string) => `\ufeff${t.replace(/\n/g, '\r\n')}`],
  ])('---, comments only, ---: an empty document kubectl reads past (%s)', async (_, as) => {
    const expected = await cli('import', 'argo', write('plain.yaml', plain));
    const file = write('joined.yaml', as(joined));
    const r = await cli('import', 'argo', file);
    expect(r.code, r.err).toBe(0);
    expect(r.err).not.toContain('end marker');
    expect(r.out).toBe(expected.out);
    expect(r.err.replaceAll(file, 'F').split('\n').length).toBe(expected.err.split('\n').length);
  });

  // 100,000 made a line of 3 MB; 10,000 show the same flaw (a tenth of that line, against the 2,000 characters
  // allowed), read in about 2 s of CPU where 100,000 took 18 s.
  it('10,000 context resources: one warning line that names 20 and counts the rest', async () => {
    const many = Array.from({ length: 10_000 }, (_, i) => `---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c${i}}\n`).join('');
    const file = write('many.yaml', `${rollout}${many}---\n${templates}`);
    const r = await cli('import', 'argo', file);
    expect(r.code, r.err).toBe(0);
    const note = r.err.split('\n').find((l) => l.includes('context, not rehearsed'))!;
    expect(note).toContain('ConfigMap "c19"');
    expect(note).not.toContain('ConfigMap "c20"');
    expect(note).toMatch(/, and 9,980 more ConfigMap resources$/);
    expect(note.length).toBeLessThan(2000);
  }, 300_000);
});
