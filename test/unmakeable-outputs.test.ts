/**
 * Outputs the system cannot make: a folder named with 5,000 characters (over Linux's PATH_MAX of 4,096 bytes), a
 * name of 300 under a folder still to be made (over NAME_MAX, 255), a file where a folder goes. Every command that
 * writes files refuses them before any work, exit 2, naming the path cut to a readable length; `sweep --write-back`
 * into the first ran its whole sweep and exited 0 with nothing written.
 */
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shownPath } from '../src/errors.js';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-unmakeable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const scenario = join(dir, 'tiny.yaml');
copyFileSync(join(root, 'test/fixtures/tiny-tuned.yaml'), scenario);
writeFileSync(join(dir, 'a-file'), 'x\n');
const long = join(dir, 'x'.repeat(5000));
const deep = join(dir, 'new', 'y'.repeat(300));
const pathBytes = (p: string) => Buffer.byteLength(p).toLocaleString('en-US');
const run = join(dir, 'run.json');

/** Each command that writes files, with OUT where the output's path (or folder) goes, and the file it names. */
const COMMANDS: [string, (out: string) => string[], (out: string) => string][] = [
  ['run --json', (o) => ['run', scenario, '-q', '--json', `${o}.json`], (o) => `${o}.json`],
  ['run --html', (o) => ['run', scenario, '-q', '--html', `${o}.html`], (o) => `${o}.html`],
  ['run --openmetrics', (o) => ['run', scenario, '-q', '--openmetrics', `${o}.om`], (o) => `${o}.om`],
  ['run --traces', (o) => ['run', scenario, '-q', '--traces', `${o}.json`], (o) => `${o}.json`],
  ['sweep --json', (o) => ['sweep', scenario, '--workers', '1', '-q', '--json', `${o}.json`], (o) => `${o}.json`],
  ['sweep --html', (o) => ['sweep', scenario, '--workers', '1', '-q', '--html', `${o}.html`], (o) => `${o}.html`],
  ['sweep --write-back', (o) => ['sweep', scenario, '--workers', '1', '-q', '--write-back', o], (o) => join(o, 'rollout.yaml')],
  ['ci --junit', (o) => ['ci', scenario, '--workers', '1', '--junit', `${o}.xml`], (o) => `${o}.xml`],
  ['ci --html-dir', (o) => ['ci', scenario, '--workers', '1', '--html-dir', o], (o) => join(o, 'index.html')],
  ['report --html', (o) => ['report', run, '--html', `${o}.html`], (o) => `${o}.html`],
  ['export k6 --out', (o) => ['export', 'k6', join(root, 'scenarios/unleash-shop.yaml'), '--base-url', 'http://localhost:1', '--out', `${o}.ts`], (o) => `${o}.ts`],
  ['cohorts generate --out', (o) => ['cohorts', 'generate', '--size', '10', '--out', `${o}.json`], (o) => `${o}.json`],
  ['calibrate --out', (o) => ['calibrate', join(root, 'test/fixtures/realsys/base/frontend.otlp.json'), '--out', `${o}.yaml`, '-q'], (o) => `${o}.yaml`],
  ['schema --out', (o) => ['schema', '--out', `${o}.json`], (o) => `${o}.json`],
  // init looks at its folder first, and names it when that look fails; a folder still to be made, by its first file.
  ['init', (o) => ['init', o], (o) => (o.startsWith(long) || o.includes('a-file') ? o : join(o, '.github/workflows/rehearse.yml'))],
];
const why = (named: string, detail: string) => `${shownPath(named)}: cannot write: name too long${named.endsWith('/out') ? '' : ` (${detail})`}`;

describe('an output path the system cannot make', () => {
  it('the run document the report reads', async () => {
    expect((await cli('run', scenario, '-q', '--json', run)).code).toBe(0);
  });

  it.each(COMMANDS)('%s into a folder named with 5,000 characters: exit 2 before any work, the path cut', async (_what, argv, named) => {
    const r = await cli(...argv(join(long, 'out')));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(why(named(join(long, 'out')), `the path is ${pathBytes(named(join(long, 'out')))} bytes; the system takes up to 4,095`));
    expect(r.err.length).toBeLessThan(300);
    expect(r.out).toBe('');
  });

  it.each(COMMANDS)('%s under a name of 300 characters in a folder still to be made: exit 2 before any work', async (_what, argv, named) => {
    const r = await cli(...argv(join(deep, 'out')));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toBe(why(named(join(deep, 'out')), 'a name in the path is 300 bytes; the system takes up to 255'));
    expect(readdirSync(dir)).not.toContain('new');
  });

  it.each(COMMANDS)('%s under a file: exit 2 naming the file in the way', async (_what, argv, named) => {
    const r = await cli(...argv(join(dir, 'a-file', 'out')));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${named(join(dir, 'a-file', 'out')).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: cannot write: (${join(dir, 'a-file')} is not a directory|a parent is a file, not a folder)$`));
  });

  it('sweep --write-back into a folder it cannot make writes no sweep document either (it swept, then wrote nothing, exit 0)', async () => {
    const r = await cli('sweep', scenario, '--workers', '1', '-q', '--json', join(dir, 'sweep.json'), '--write-back', long);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toContain(`${shownPath(join(long, 'rollout.yaml'))}: cannot write: name too long`);
    expect(readdirSync(dir)).not.toContain('sweep.json');
  });

  it('gameday, gameday debrief and replay: the --out prefix named cut', async () => {
    const prefix = join(long, 'drill');
    for (const argv of [
      ['gameday', join(root, 'test/fixtures/drill.yaml'), '--out', prefix],
      ['gameday', 'debrief', join(root, 'test/fixtures/drill-0.13.0/drill.journal'), '--scenario', join(root, 'test/fixtures/drill-0.13.0/drill.yaml'), '--out', prefix],
    ]) {
      const r = await cli(...argv);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toBe(`--out ${shownPath(prefix)}: is a path that cannot be used (name too long): it is the prefix of the files written (${argv[1] === 'debrief' ? 'PREFIX.json and PREFIX.html' : 'PREFIX.journal, PREFIX.json and PREFIX.html'}); give one such as reports/drill`);
    }
  });

  it('a name near the longest the system takes is written (the temporary file beside it is named shorter)', async () => {
    const out = join(dir, `${'z'.repeat(250)}.json`);
    const r = await cli('schema', '--out', out);
    expect(r.code, r.err).toBe(0);
    expect(readdirSync(dir)).toContain(`${'z'.repeat(250)}.json`);
  });

  it('a path is shown whole up to 160 characters, then its first and last 60 with the count left out', () => {
    expect(shownPath('a'.repeat(160))).toBe('a'.repeat(160));
    expect(shownPath(`${'a'.repeat(100)}${'b'.repeat(100)}`)).toBe(`${'a'.repeat(60)}...(80 characters)...${'b'.repeat(60)}`);
  });
});
