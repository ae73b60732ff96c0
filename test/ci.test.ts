/** rehearse ci over a directory: verdicts, exit codes, JUnit XML a CI system can parse, Markdown, baselines. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');

function rehearse(cwd: string, ...args: string[]) {
  try {
    return { code: 0, stdout: execFileSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), stderr: '' };
  } catch (err) {
    const e = err as { status: number; stdout: string; stderr: string };
    return { code: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

const scenarioText = (name: string, errors: string, limit: number) => `
name: ${name}
seed: 3
duration: 20m
traffic: { rate: 50/s, cohort: { size: 2000 } }
journeys: { j: { steps: [api] } }
services: { api: { concurrency: 100, latency: 5ms, errors: 0.1% } }
flags: { f: { evaluated-by: [api], when-on: { api: { errors: '${errors}' } } } }
rollout:
  - flag: f
    stages: [{ to: 20%, hold: 5m }, { to: 100% }]
    gates: ['req_failed{flag:on} rate<0.5']
cases:
  healthy: { flags: { f: { when-on: { api: { errors: '+0%' } } } } }
  defective: {}
acceptance: ['blast_radius_users{flag:f} max<${limit}']
`;

describe('rehearse ci', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-ci-'));
  const scenarios = join(dir, 'scenarios');
  mkdirSync(scenarios);
  writeFileSync(join(scenarios, 'good.yaml'), scenarioText('good', '+0%', 10));
  writeFileSync(join(scenarios, 'failing.yaml'), scenarioText('failing', '+2%', 10));
  writeFileSync(join(scenarios, 'broken.yaml'), scenarioText('broken', '+2%', 10).replace('services: { api:', 'services: { apu:'));
  const run = rehearse(dir, 'ci', 'scenarios', '--junit', 'out/junit.xml', '--summary', 'out/summary.md', '--json', 'out/ci.json');

  it('runs every case, keeps going past a broken file, and exits 1', () => {
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/INVALID +broken/);
    expect(run.stdout).toMatch(/FAIL +failing \[defective\]/);
    expect(run.stdout).toMatch(/PASS +failing \[healthy\]/);
    expect(run.stdout).toMatch(/PASS +good \[defective\]/);
    expect(run.stdout).toContain('✘ FAIL: 5 cases: 3 PASS, 1 FAIL, 1 INVALID, 0 CRASHED');
    // Each file written is named, after the summary.
    expect(run.stdout.trimEnd().split('\n').at(-1)).toBe('reports written to out/junit.xml, out/summary.md, out/ci.json');
  });

  it('writes well-formed JUnit XML holding both failures', () => {
    const xml = readFileSync(join(dir, 'out/junit.xml'), 'utf8');
    expect(XMLValidator.validate(xml)).toBe(true);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(xml);
    expect(doc.testsuites).toMatchObject({ tests: '5', failures: '2', errors: '0' });
    const cases = [doc.testsuites.testsuite].flat().flatMap((s: { testcase: unknown }) => [s.testcase].flat()) as Record<string, any>[];
    const failing = cases.filter((c) => c.failure);
    expect(failing.map((c) => c.name).sort()).toEqual(['broken', 'failing [defective]']);
    const broken = failing.find((c) => c.name === 'broken')!;
    expect(broken.failure.type).toBe('invalid-scenario');
    expect(broken.failure['#text']).toContain('unknown service "api"; did you mean "apu"?');
    const failed = failing.find((c) => c.name === 'failing [defective]')!.failure;
    expect(failed.message).toBe('✘ FAIL: 1 acceptance criterion failed');
    expect(failed['#text']).toMatch(/^f: (caught|missed|unfinished): .*users? hurt/m);
    expect(failed['#text']).toMatch(/^✘ FAIL blast_radius_users\{flag:f\} max<10: \d+$/m);
    // A passing case says so in its output, with what happened.
    const passing = cases.find((c) => c.name === 'good [defective]')!;
    expect(passing.failure).toBeUndefined();
    expect(passing['system-out']).toMatch(/^✔ PASS: every criterion that applies was met\nf: /);
  });

  it('writes a Markdown summary and a JSON report', () => {
    const md = readFileSync(join(dir, 'out/summary.md'), 'utf8');
    expect(md).toContain('## rehearse ci: ✘ FAIL');
    expect(md).toMatch(/\| ✘ FAIL \| failing \[defective\] \| f: missed: \d+ users hurt, no gate acted \(promoted to 100%\) \|/);
    expect(md).toMatch(/\| ✘ INVALID \| broken \|/);
    const report = JSON.parse(readFileSync(join(dir, 'out/ci.json'), 'utf8'));
    expect(report).toMatchObject({ schema: 'rehearse/ci@1', passed: false, counts: { cases: 5, failed: 1, invalid: 1 } });
  });

  it('flags outcomes worse than a baseline', () => {
    writeFileSync(join(scenarios, 'good.yaml'), scenarioText('good', '+3%', 100_000));
    const again = rehearse(dir, 'ci', 'scenarios', '--baseline', 'out/ci.json', '--summary', 'out/again.md');
    expect(again.stdout).toMatch(/good \[defective\].*\d+ outcomes? worse/);
    const md = readFileSync(join(dir, 'out/again.md'), 'utf8');
    expect(md).toContain('### Worse than the baseline');
    expect(md).toMatch(/good \[defective\]\*\*: f blast radius users: 0 → \d+/);
  });

  it('fails on a regression against the baseline even when every criterion passes; --baseline-warn only reports it', () => {
    const only = join(dir, 'only');
    mkdirSync(only);
    writeFileSync(join(only, 'good.yaml'), scenarioText('good', '+0%', 100_000));
    expect(rehearse(dir, 'ci', 'only', '--json', 'out/only.json').code).toBe(0);
    writeFileSync(join(only, 'good.yaml'), scenarioText('good', '+3%', 100_000));
    const strict = rehearse(dir, 'ci', 'only', '--baseline', 'out/only.json', '--json', 'out/strict.json');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(/PASS +good \[defective\]/);
    expect(strict.stdout).toMatch(/worse than the baseline:\n  good \[defective\]: f blast radius users: 0 → \d+/);
    expect(JSON.parse(readFileSync(join(dir, 'out/strict.json'), 'utf8'))).toMatchObject({ passed: false, counts: { worse: 1 } });
    const warn = rehearse(dir, 'ci', 'only', '--baseline', 'out/only.json', '--baseline-warn');
    expect(warn.code).toBe(0);
    expect(warn.stdout).toContain('worse than the baseline (--baseline-warn: reported, not failed):');
    expect(warn.stdout).toMatch(/good \[defective\]: f blast radius users: 0 → \d+/);
    // Within the tolerance (10% and 5 users), nothing is worse.
    const same = rehearse(dir, 'ci', 'only', '--baseline', 'out/strict.json');
    expect(same.code).toBe(0);
    expect(same.stdout).not.toContain('was written by rehearse');
    // A baseline of another version is compared, and said to be of that version.
    writeFileSync(join(dir, 'out/older.json'), JSON.stringify({ ...JSON.parse(readFileSync(join(dir, 'out/strict.json'), 'utf8')), version: '0.1.0' }));
    const older = rehearse(dir, 'ci', 'only', '--baseline', 'out/older.json');
    expect(older.stdout).toMatch(/^baseline out\/older\.json was written by rehearse 0\.1\.0, this is \d+\.\d+\.\d+: what got worse may be the version's doing$/m);
  });

  it('shows a scenario without criteria as "no criteria", not passed; --require-criteria fails it', () => {
    const bare = join(dir, 'bare');
    mkdirSync(bare);
    writeFileSync(join(bare, 'plain.yaml'), 'name: plain\nduration: 1m\ntraffic: { rate: 10/s }\njourneys: { j: { steps: [api] } }\nservices: { api: {} }\n');
    const r = rehearse(dir, 'ci', 'bare', '--junit', 'out/bare.xml');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/NO CRITERIA +plain/);
    expect(r.stdout).toContain('✔ PASS: 1 case: 0 PASS, 0 FAIL, 0 INVALID, 0 CRASHED, 1 NO CRITERIA');
    expect(r.stdout).not.toMatch(/✔ NO CRITERIA/);
    expect(readFileSync(join(dir, 'out/bare.xml'), 'utf8')).toContain('<skipped message="– NO CRITERIA: no acceptance criterion applies: nothing was judged"/>');
    const required = rehearse(dir, 'ci', 'bare', '--require-criteria');
    expect(required.code).toBe(1);
    expect(required.stdout).toMatch(/FAIL +plain/);
    expect(required.stdout).toContain('no acceptance criteria apply to this case (--require-criteria)');
  });

  it('exits 2 on invalid usage', () => {
    expect(rehearse(dir, 'ci', 'nowhere').code).toBe(2);
    expect(rehearse(dir, 'ci', 'scenarios', '--baseline', 'scenarios/good.yaml').stderr).toContain('not a rehearse ci report');
  });
});

describe('rehearse ci --workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-ci-workers-'));
  const scenarios = join(dir, 'scenarios');
  mkdirSync(join(scenarios, 'more'), { recursive: true });
  // The first file (no cases) takes some ten times as long as any other case: on two workers the cases after it
  // finish first, and a report in the order of completion would differ from one worker's.
  writeFileSync(join(scenarios, 'a-long.yaml'), scenarioText('a-long', '+2%', 10).replace('duration: 20m', 'duration: 2h').replace('rate: 50/s', 'rate: 200/s').replace(/\ncases:\n.*\n.*\n/, '\n'));
  writeFileSync(join(scenarios, 'b-broken.yaml'), scenarioText('b-broken', '+2%', 10).replace('services: { api:', 'services: { apu:'));
  writeFileSync(join(scenarios, 'c-good.yaml'), scenarioText('c-good', '+0%', 10));
  writeFileSync(join(scenarios, 'more', 'd-failing.yaml'), scenarioText('d-failing', '+2%', 10));
  writeFileSync(join(scenarios, 'more', 'e-plain.yaml'), 'name: e-plain\nduration: 1m\ntraffic: { rate: 10/s }\njourneys: { j: { steps: [api] } }\nservices: { api: {} }\n');

  /** What `rehearse ci --workers N` prints and writes, the seconds taken (the only figures that vary) masked. */
  const reports = async (workers: number) => {
    const out = join(dir, 'out');
    rmSync(out, { recursive: true, force: true });
    const r = await cli('ci', scenarios, '--workers', String(workers), '--json', join(out, 'ci.json'), '--junit', join(out, 'junit.xml'), '--summary', join(out, 'summary.md'), '--html-dir', join(out, 'html'));
    const files = Object.fromEntries(readdirSync(out, { recursive: true, encoding: 'utf8' }).sort().filter((f) => /\.\w+$/.test(f)).map((f) => [f, readFileSync(join(out, f), 'utf8')]));
    files['ci.json'] = files['ci.json'].replace(/"seconds": [\d.e+-]+/g, '"seconds": 0');
    files['junit.xml'] = files['junit.xml'].replace(/ time="[\d.]+"/g, ' time="0"');
    return { code: r.code, err: r.err, terminal: r.out.replace(/ {2}\((\d+m ?)?\d+(\.\d+)?(ms|s)\)$/gm, '  (0s)'), files };
  };

  it('prints and writes the same reports, in the order of the files and cases, on 1 worker and on 2', async () => {
    const one = await reports(1);
    const two = await reports(2);
    expect(one.code).toBe(1);
    expect(one.err).toBe('');
    const headlines = one.terminal.split('\n').filter((l) => / {2}\(0s\)$/.test(l)).map((l) => l.replace(/^\S+ \S+( CRITERIA)? +/, '').replace(/ {2}\(0s\)$/, ''));
    expect(headlines).toEqual(['a-long', 'b-broken', 'c-good [healthy]', 'c-good [defective]', 'd-failing [healthy]', 'd-failing [defective]', 'e-plain']);
    expect(Object.keys(one.files)).toEqual(Object.keys(two.files));
    // A page per case that ran (b-broken did not), and the index.
    expect(Object.keys(one.files).filter((f) => /^html\/.*\.html$/.test(f)).length).toBe(7);
    for (const f of Object.keys(one.files)) expect(two.files[f], f).toBe(one.files[f]);
    expect(two.terminal).toBe(one.terminal);
    expect(two.code).toBe(1);
  }, 240_000);

  it('refuses a worker count that is not a whole number, or past the limit, before anything runs', async () => {
    const r = rehearse(dir, 'ci', 'scenarios', '--workers', '0', '--json', 'zero.json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("error: option '--workers <n>' argument '0' is invalid.");
    expect(existsSync(join(dir, 'zero.json'))).toBe(false);
    const most = await cli('ci', scenarios, '--workers', '100000');
    expect(most.code).toBe(2);
    expect(most.err).toMatch(/--workers <n>' argument '100000' is invalid\. at most 64 \(each worker is a thread with a heap of its own/);
  });
});

describe('rehearse ci reads scenarios only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-ci-files-'));
  const folder = join(dir, 'rehearsals');
  const put = (rel: string, text: string) => {
    mkdirSync(join(folder, rel, '..'), { recursive: true });
    writeFileSync(join(folder, rel), text);
  };
  put('good.yaml', scenarioText('good', '+0%', 10));
  put('.github/workflows/nightly.yml', 'on: push\njobs: { a: { runs-on: ubuntu-latest, steps: [] } }\n');
  put('node_modules/pkg/package.json', '{"name":"pkg","version":"1.0.0","dependencies":{}}');
  put('ci.yml', 'name: ci\non: [push]\njobs:\n  test: { runs-on: ubuntu-latest, steps: [{ run: echo }] }\n');
  put('action.yml', 'name: x\nruns: { using: composite, steps: [] }\n');
  put('schema.json', JSON.stringify({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object' }));
  put('flags/demo.flagd.json', readFileSync(join(root, 'flags/demo.flagd.json'), 'utf8'));
  put('argo/rollout.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: { name: a }\n---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate\nmetadata: { name: b }\n');
  put('.editor.yaml', 'indent: 2\n');
  put('typo.yaml', 'name: typo\nservics: {}\n');

  it('skips dot-folders and node_modules, names every other file it skips and why, and fails what is neither', () => {
    const r = rehearse(dir, 'ci', '--json', 'out/ci.json', '--summary', 'out/summary.md');
    expect(r.code).toBe(1);
    const skipped = r.stdout.split('\n').filter((l) => l.startsWith('skipped '));
    expect(skipped).toEqual([
      'skipped rehearsals/.editor.yaml: a hidden file (its name starts with a dot), not a scenario',
      'skipped rehearsals/action.yml: a GitHub Action (action.yml), not a scenario',
      'skipped rehearsals/argo/rollout.yaml: 2 documents: a Kubernetes resource (Rollout, argoproj.io/v1alpha1): a scenario runs it through rollout[].argo.rollout; a Kubernetes resource (AnalysisTemplate, argoproj.io/v1alpha1): a scenario reads it through rollout[].argo.templates, not a scenario',
      'skipped rehearsals/ci.yml: a GitHub Actions workflow, not a scenario',
      'skipped rehearsals/flags/demo.flagd.json: a flagd flag file (a scenario reads it through flags.from), not a scenario',
      'skipped rehearsals/schema.json: a JSON Schema, not a scenario',
    ]);
    expect(r.stdout).not.toContain('nightly.yml');
    expect(r.stdout).not.toContain('node_modules');
    expect(r.stdout).toMatch(/^✘ INVALID +typo  /m);
    expect(r.stdout).toContain('a scenario has a name, traffic (how users arrive), journeys (what they do) and services (what those call): this file has no traffic, journeys or services');
    const report = JSON.parse(readFileSync(join(dir, 'out/ci.json'), 'utf8'));
    expect(report.skipped.map((x: { file: string }) => x.file)).toEqual(['rehearsals/.editor.yaml', 'rehearsals/action.yml', 'rehearsals/argo/rollout.yaml', 'rehearsals/ci.yml', 'rehearsals/flags/demo.flagd.json', 'rehearsals/schema.json']);
    expect(readFileSync(join(dir, 'out/summary.md'), 'utf8')).toContain('### 6 files skipped (not scenarios)');
  });

  it('--json - writes the report alone to stdout, the rest to stderr', () => {
    const only = join(dir, 'only');
    mkdirSync(only);
    writeFileSync(join(only, 'good.yaml'), scenarioText('good', '+0%', 10));
    const r = rehearse(dir, 'ci', 'only', '--json', '-');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'rehearse/ci@1', passed: true, counts: { cases: 2, passed: 2 } });
    expect(r.stdout).not.toContain('interrupted');
  });

  it('--update-baseline needs a baseline to compare with', () => {
    const r = rehearse(dir, 'ci', '--update-baseline');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--update-baseline: name the baseline to compare with and replace: --baseline FILE');
  });
});

describe('regressions against a baseline', () => {
  it('say durations, counts and percentages as the reports do', async () => {
    const { compareWithBaseline } = await import('../src/score/ci.js');
    const flag = (over: Record<string, unknown>) => ({
      outcome: 'rolled-back', final_percent: 0, defective: true, blast_radius_users: 3, blast_radius_requests: 10,
      time_to_detect_seconds: 79.940052, false_rollback: false, missed_defect: false, misattribution: false, ...over,
    });
    const c = (f: Record<string, unknown>, budget: number) => ({
      scenario: 's', file: 's.yaml', case: null, status: 'passed' as const, messages: [], seconds: 1, acceptance: [],
      flags: { f: flag(f) }, errorBudgetBurned: budget, regressions: [] as string[],
    });
    const now = c({ time_to_detect_seconds: 199.940052, blast_radius_users: 1234.0000001 }, 0.3155);
    const nowLost = c({ time_to_detect_seconds: null }, 0.02);
    const was = { schema: 'rehearse/ci@1', version: '0', passed: true, counts: {}, cases: [c({}, 0.02)] };
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    compareWithBaseline([now as any], was as any);
    expect(now.regressions).toEqual(['f blast radius users: 3 → 1,234', 'f time to detect: 1m20s → 3m20s', 'error budget: 2.0% consumed → 31.6% consumed']);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    compareWithBaseline([nowLost as any], was as any);
    expect(nowLost.regressions).toEqual(['f: no longer detected (was 1m20s)']);
  });

  it('two files whose scenarios share a name are each compared with their own file\'s figures', async () => {
    const { compareWithBaseline } = await import('../src/score/ci.js');
    const c = (file: string, users: number) => ({
      scenario: 'small', file, case: null, status: 'no-criteria' as const, messages: [], seconds: 1, acceptance: [], errorBudgetBurned: null, regressions: [] as string[],
      flags: { f: { outcome: 'completed', final_percent: 100, defective: true, blast_radius_users: users, blast_radius_requests: users, time_to_detect_seconds: null, false_rollback: false, missed_defect: true, misattribution: false } },
    });
    const was = { schema: 'rehearse/ci@1', version: '0', passed: true, counts: {}, cases: [c('ci/a.yaml', 500), c('ci/b.yaml', 17)] };
    const a = c('ci/a.yaml', 480), b = c('ci/b.yaml', 480);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    compareWithBaseline([a as any, b as any], was as any);
    // b was measured against a's 500 users, and its rise from 17 to 480 went unsaid.
    expect([a.regressions, b.regressions]).toEqual([[], ['f blast radius users: 17 → 480', 'f blast radius requests: 17 → 480']]);
  });
});
