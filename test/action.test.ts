/**
 * The composite GitHub Action (action.yml), run step by step as a runner would (test/action-harness.ts) in a
 * repository scaffolded by rehearse init: several nights, with and without a baseline, under each fail-on.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { action, runAction, runWorkflow } from './action-harness.js';

const root = new URL('..', import.meta.url).pathname;

/**
 * The scaffold's rehearsal cut from its hour to the 25 minutes its plan takes (5% and 25% held 10 minutes each,
 * then everyone): what is under test here is the action's steps over a dozen nights, not the rehearsal, which
 * test/pack.test.ts and test/init.test.ts run for the whole hour. Its outcomes come before 25 minutes: the defect
 * is rolled back at 5% in its first minutes, the healthy flag reaches 100% at 20 minutes.
 */
function shortenScaffold(workspace: string): void {
  const file = join(workspace, 'rehearsals/new-checkout.yaml');
  const text = readFileSync(file, 'utf8');
  expect(text).toMatch(/^duration: 1h /m);
  expect(text).toContain('- { to: 5%, hold: 10m }\n      - { to: 25%, hold: 10m }\n      - { to: 100% }\n');
  writeFileSync(file, text.replace(/^duration: 1h /m, 'duration: 25m'));
}

describe('action.yml', () => {
  it('is a composite action whose scripts see inputs only through env', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(['scenarios', 'baseline', 'html', 'fail-on']));
    expect(action.inputs['fail-on'].default).toBe('criteria');
    for (const step of action.runs.steps) {
      if (step.run) {
        expect(step.shell).toBe('bash');
        expect(step.run, step.name).not.toContain('${{');
      }
    }
  });

  describe('run as a runner would', () => {
    const workspace = mkdtempSync(join(tmpdir(), 'rehearse-action-'));
    const cache = join(workspace, '..', `${workspace.split('/').pop()}-cache`);

    beforeAll(() => {
      // A team's repository: the scaffold of rehearse init, and rehearse installed in node_modules.
      const init = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'init', workspace], { encoding: 'utf8' });
      expect(init.status, init.stderr).toBe(0);
      shortenScaffold(workspace);
      mkdirSync(join(workspace, 'node_modules/.bin'), { recursive: true });
      symlinkSync(join(root, 'bin/rehearse.js'), join(workspace, 'node_modules/.bin/rehearse'));
    });

    it('first night: passes, writes the summary and JUnit, uploads the HTML, keeps the report as the baseline', () => {
      const n = runAction(workspace, cache, {}, 1);
      expect(n.code, n.log).toBe(0);
      expect(n.outputs.passed).toBe('true');
      expect(n.outputs.regressions).toBe('0');
      expect(readFileSync(join(workspace, n.outputs.junit), 'utf8')).toMatch(/<testsuite[^>]*tests="2"/);
      expect(n.summary).toContain('new-checkout');
      expect(n.summary).toContain('baseline: no');
      expect(n.uploads).toEqual([{ name: 'rehearsal-reports', path: 'reports/rehearse/html' }]);
      expect(existsSync(join(workspace, 'reports/rehearse/html/index.html'))).toBe(true);
      expect(n.saved).toEqual(['rehearse-baseline-main-1-1']);
    });

    it('a night worse than the baseline (a pull request against it, then the branch): reported under fail-on criteria, failed under regression, never kept', () => {
      // Last night's report as if the defect had hurt nobody: tonight's harm is a regression.
      const key = join(cache, 'rehearse-baseline-main-1-1');
      const doc = JSON.parse(readFileSync(key, 'utf8'));
      const defective = doc.cases.find((c: { case: string }) => c.case === 'defective');
      expect(defective.flags['new-checkout'].blast_radius_users).toBeGreaterThan(1);
      defective.flags['new-checkout'].blast_radius_users = 0;
      writeFileSync(key, JSON.stringify(doc));

      // A pull request: no baseline of its own, so the base branch's.
      const criteria = runAction(workspace, cache, { 'fail-on': 'criteria', html: 'false' }, 2, { ref_name: '7/merge', base_ref: 'main' });
      expect(criteria.code, criteria.log).toBe(0);
      expect(criteria.outputs.passed).toBe('false');
      expect(criteria.outputs.regressions).toBe('1');
      expect(criteria.summary).toContain('Worse than the baseline');
      expect(criteria.summary).toContain('baseline: yes');
      expect(criteria.uploads).toEqual([]);
      expect(criteria.saved).toEqual([]);

      const regression = runAction(workspace, cache, { 'fail-on': 'regression', html: 'false' }, 3);
      expect(regression.code).toBe(1);
      expect(regression.log).toContain('::error::rehearse ci failed');
      expect(regression.summary).toContain('Worse than the baseline');
      expect(regression.saved).toEqual([]);
      expect(readdirSync(cache)).toEqual(['rehearse-baseline-main-1-1']);
    });

    it('a failed criterion fails under criteria, not under never; a folder that is not there fails under never', () => {
      const file = join(workspace, 'rehearsals/new-checkout.yaml');
      const text = readFileSync(file, 'utf8');
      writeFileSync(file, text.replace("blast_radius_users{flag:new-checkout} max<300", "blast_radius_users{flag:new-checkout} max<1"));
      try {
        const criteria = runAction(workspace, cache, { baseline: 'false', html: 'false' }, 4);
        expect(criteria.code).toBe(1);
        expect(criteria.outputs.passed).toBe('false');
        expect(criteria.summary).toContain('## rehearse ci: ✘ FAIL');
        const never = runAction(workspace, cache, { baseline: 'false', html: 'false', 'fail-on': 'never' }, 5);
        expect(never.code, never.log).toBe(0);
        expect(never.outputs.passed).toBe('false');
      } finally {
        writeFileSync(file, text);
      }
      const missing = runAction(workspace, cache, { scenarios: 'nowhere/', 'fail-on': 'never', html: 'false' }, 6);
      expect(missing.code).toBe(1);
      expect(missing.log).toContain('nowhere/: no such directory');
      const badInput = runAction(workspace, cache, { 'fail-on': 'sometimes' }, 7);
      expect(badInput.code).toBe(2);
      expect(badInput.log).toContain('fail-on: expected criteria, regression or never');
      expect(readdirSync(cache)).toEqual(['rehearse-baseline-main-1-1']);
    });

    it('update-baseline accepts what got worse after an intended change: the night passes and becomes the baseline', () => {
      const n = runAction(workspace, cache, { 'fail-on': 'regression', html: 'false', 'update-baseline': 'true' }, 8);
      expect(n.code, n.log).toBe(0);
      expect(n.outputs.regressions).toBe('1');
      expect(n.log).toMatch(/worse than the baseline \(--update-baseline: accepted/);
      expect(n.log).toContain('baseline .rehearse/baseline.json updated: 2 cases, 1 worse than before (accepted)');
      expect(n.summary).toContain('update-baseline: true');
      expect(n.saved).toEqual(['rehearse-baseline-main-8-1']);
      // The next night compares with the accepted one: nothing is worse.
      const next = runAction(workspace, cache, { 'fail-on': 'regression', html: 'false' }, 9);
      expect(next.code, next.log).toBe(0);
      expect(next.outputs.regressions).toBe('0');
    });
  });
});

describe('the workflow rehearse init writes', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'rehearse-workflow-'));
  const cache = join(workspace, '..', `${workspace.split('/').pop()}-cache`);
  const workflow = join(workspace, '.github/workflows/rehearse.yml');

  beforeAll(() => {
    const init = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'init', workspace], { encoding: 'utf8' });
    expect(init.status, init.stderr).toBe(0);
    shortenScaffold(workspace);
    mkdirSync(join(workspace, 'node_modules/.bin'), { recursive: true });
    symlinkSync(join(root, 'bin/rehearse.js'), join(workspace, 'node_modules/.bin/rehearse'));
  });

  it('publishes the JUnit report with checks: write, and keeps a passing night as the baseline', () => {
    const n = runWorkflow(workflow, workspace, cache, {}, 1);
    expect(n.code, n.log).toBe(0);
    expect(n.permissions).toEqual({ contents: 'read', checks: 'write' });
    expect(n.checks).toEqual(['reports/junit.xml']);
    expect(n.summary).toContain('## rehearse ci: ✔ PASS');
    expect(n.saved).toEqual(['rehearse-baseline-main-1']);
  });

  it('a pull request starts from its base branch\'s baseline; update-baseline accepts a change on the default branch', () => {
    const key = join(cache, 'rehearse-baseline-main-1');
    const doc = JSON.parse(readFileSync(key, 'utf8'));
    doc.cases.find((c: { case: string }) => c.case === 'defective').flags['new-checkout'].blast_radius_users = 0;
    writeFileSync(key, JSON.stringify(doc));
    rmSync(join(workspace, '.rehearse'), { recursive: true, force: true });
    const pr = runWorkflow(workflow, workspace, cache, {}, 2, { ref_name: '7/merge', base_ref: 'main' });
    expect(pr.code).toBe(1);
    expect(pr.log).toMatch(/worse than the baseline:\n {2}new-checkout \[defective\]: new-checkout blast radius users: 0 → \d+/);
    expect(pr.saved).toEqual([]);
    // A new branch, no pull request: the default branch's.
    rmSync(join(workspace, '.rehearse'), { recursive: true, force: true });
    expect(runWorkflow(workflow, workspace, cache, {}, 3, { ref_name: 'feature' }).code).toBe(1);
    rmSync(join(workspace, '.rehearse'), { recursive: true, force: true });
    const accept = runWorkflow(workflow, workspace, cache, { 'update-baseline': 'true' }, 4);
    expect(accept.code, accept.log).toBe(0);
    expect(accept.log).toContain('baseline .rehearse/baseline.json updated: 2 cases, 1 worse than before (accepted)');
    expect(accept.saved).toEqual(['rehearse-baseline-main-4']);
    rmSync(join(workspace, '.rehearse'), { recursive: true, force: true });
    expect(runWorkflow(workflow, workspace, cache, {}, 5, { ref_name: '8/merge', base_ref: 'main' }).code).toBe(0);
  });
});
