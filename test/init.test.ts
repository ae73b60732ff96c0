/** rehearse init: the scaffold validates and passes, and the refusals (exit 2, nothing overwritten). */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('..', import.meta.url).pathname;

function rehearse(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), ...args], { cwd, encoding: 'utf8' });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const noStack = (s: string) => expect(s).not.toMatch(/\n\s+at .+:\d+:\d+/);
const fresh = () => mkdtempSync(join(tmpdir(), 'rehearse-init-'));

describe('rehearse init', () => {
  it('scaffolds beside a project\'s housekeeping: a scenario that validates, its README, a workflow', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'package.json'), '{"name":"x","private":true}');
    mkdirSync(join(dir, 'node_modules'));
    const r = rehearse(dir, 'init');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    for (const f of ['rehearsals/new-checkout.yaml', 'rehearsals/README.md', '.github/workflows/rehearse.yml']) expect(existsSync(join(dir, f)), f).toBe(true);
    const scenario = readFileSync(join(dir, 'rehearsals/new-checkout.yaml'), 'utf8');
    // Outside node_modules the package's schema is not the project's: the published copy of this version.
    expect(scenario.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=https:\/\/unpkg\.com\/rollout-rehearsal@\d+\.\d+\.\d+\/schema\/scenario\.schema\.json$/);
    const doc = parse(scenario);
    expect(Object.keys(doc.services).length).toBeGreaterThanOrEqual(2);
    expect(Object.keys(doc.flags)).toHaveLength(1);
    expect(doc.rollout[0].stages.length).toBeGreaterThan(1);
    expect(doc.rollout[0].gates.length).toBeGreaterThan(0);
    expect(Object.keys(doc.cases)).toHaveLength(2);
    expect(doc.acceptance.length).toBeGreaterThan(0);
    const v = rehearse(dir, 'validate', 'rehearsals/new-checkout.yaml');
    expect(v.code).toBe(0);
    const workflow = parse(readFileSync(join(dir, '.github/workflows/rehearse.yml'), 'utf8'));
    const ci = workflow.jobs.rehearse.steps.find((s: { id?: string }) => s.id === 'ci');
    expect(ci.run).toContain('npx --no rehearse ci rehearsals/');
    expect(r.stdout).toContain('npm install --save-dev rollout-rehearsal');
  });

  it('init then ci, with no arguments, in an empty folder: ci finds what init wrote and passes', () => {
    const dir = fresh();
    const init = rehearse(dir, 'init');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain('next: npx rehearse ci   (then make rehearsals/new-checkout.yaml look like your services)');
    const ci = rehearse(dir, 'ci');
    expect(ci.stderr).toBe('');
    expect(ci.code).toBe(0);
    expect(ci.stdout).toMatch(/^✔ PASS +new-checkout \[healthy\]/m);
    expect(ci.stdout).toContain('✔ PASS: 2 cases: 2 PASS, 0 FAIL, 0 INVALID, 0 CRASHED');
    // From the project folder too: .github (a dot-folder) is not entered, the README is not YAML.
    const all = rehearse(dir, 'ci', '.');
    expect(all.code, all.stdout).toBe(0);
    expect(all.stdout).not.toContain('skipped');
    // Elsewhere, ci says where it looked and what to do.
    const empty = rehearse(fresh(), 'ci');
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe('no rehearsals/ folder here: rehearse ci reads the scenarios of rehearsals/, where rehearse init writes them; run rehearse init, or name the folder: rehearse ci DIR');
  });

  it('refuses a folder with other files, and never overwrites without --force', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    const r = rehearse(dir, 'init', '.');
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('.: the folder is not empty (notes.txt): rehearse init writes into a new or empty project; --force adds the scaffold anyway and overwrites its files');
    expect(existsSync(join(dir, 'rehearsals'))).toBe(false);

    const sub = join(dir, 'team');
    expect(rehearse(dir, 'init', 'team').code).toBe(0);
    writeFileSync(join(sub, 'rehearsals/new-checkout.yaml'), '# edited by the team\n');
    const again = rehearse(dir, 'init', 'team');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('not empty (rehearsals)');
    expect(readFileSync(join(sub, 'rehearsals/new-checkout.yaml'), 'utf8')).toBe('# edited by the team\n');
    const forced = rehearse(dir, 'init', 'team', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(`replaced ${join('team', 'rehearsals', 'new-checkout.yaml')}`);
    expect(readFileSync(join(sub, 'rehearsals/new-checkout.yaml'), 'utf8')).toContain('name: new-checkout');
  });

  it.each([
    ['an unknown template', ['init', 'x', '--template', 'kubernetes'], '--template: unknown template "kubernetes" (templates: release)'],
    ['a folder under a file', ['init', 'file.txt/x'], 'file.txt/x: cannot write: a parent is a file, not a folder'],
    ['a file for a folder', ['init', 'file.txt'], 'file.txt: not a folder'],
    ['a trace file that is not there', ['init', 'y', '--from-traces', 'nope.json'], '--from-traces: nope.json: no such file'],
  ])('exits 2 for %s', (_what, args, message) => {
    const dir = fresh();
    writeFileSync(join(dir, 'file.txt'), '');
    const r = rehearse(dir, ...args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(message);
    noStack(r.stderr);
  });

  it('hands --from-traces and --from-argo over to calibrate and import, or says they are missing and writes nothing', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'traces.json'), '{}');
    const help = rehearse(dir, '--help').stdout;
    for (const [flag, command] of [['--from-traces', 'calibrate'], ['--from-argo', 'import']]) {
      // A folder per hand-over: one that ran (calibrate exists) leaves its scaffold behind.
      const r = rehearse(dir, 'init', `out-${command}`, flag, 'traces.json');
      if (new RegExp(`^\\s+${command}\\b`, 'm').test(help)) {
        expect(r.stdout).toContain(`rehearse ${command}`);
      } else {
        expect(r.code).toBe(2);
        expect(r.stderr).toContain(`has no "rehearse ${command}" command; nothing was written`);
        expect(existsSync(join(dir, `out-${command}`))).toBe(false);
      }
    }
  });
});
