/**
 * Leftovers of the imports round, each against the vendor's own source:
 * - argoproj/argo-rollouts (at 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d) pkg/kubectl-argo-rollouts/cmd/lint/lint.go
 *   lintResource decodes every document of a file, keeps each Rollout, and runs ValidateRollout and
 *   ValidateRolloutReferencedResources on each with the resources matched to it (matchRolloutToReferences);
 *   lint_test.go passes testdata/valid-ingress-smi-multi.yml (two Rollouts) and fails invalid-ingress-smi-multi.yml
 *   with `spec.strategy.canary.canaryService: ... Service "rollout-smi-experiment-canary" has unmatch label "app" in
 *   rollout`. rehearse refused both whole ("expected exactly one Rollout, found 2"): now `rehearse lint` checks each,
 *   and a plan (import, a scenario's argo: entry) names the one it rehearses.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { lintRollouts } from '../src/interop/argo/index.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { cli } from './helpers.js';

const vendor = 'test/fixtures/vendor/argo';
const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('warning:'));

describe('Argo Rollouts: files with several Rollouts', () => {
  const valid = `${vendor}/lint-valid-ingress-smi-multi.yml`;
  const invalid = `${vendor}/lint-invalid-ingress-smi-multi.yml`;

  it('lintRollouts checks each Rollout of the file, with lint_test.go\'s verdicts', () => {
    const of = (file: string) => lintRollouts([{ file, text: readFileSync(file, 'utf8') }]).map((r) => [r.rollout, r.result.ok ? 'ok' : r.result.problems.find((p) => p.includes('canaryService'))]);
    expect(of(valid)).toEqual([['rollout-smi-experiment', 'ok'], ['rollout-smi-experiment-1', 'ok']]);
    const bad = of(invalid);
    expect(bad[1]).toEqual(['rollout-smi-experiment-1', 'ok']);
    expect(bad[0][1]).toContain(`${invalid}:89:22: spec.strategy.canary.canaryService: the controller marks the Rollout InvalidSpec and never rolls it out ("Service "rollout-smi-experiment-canary" has unmatch label "app" in rollout"`);
  });

  it('rehearse lint: the valid file has no findings (exit 0); the invalid one has the first Rollout\'s two Services (exit 1)', async () => {
    const ok = await cli('lint', valid);
    expect([ok.code, ok.out]).toEqual([0, '1 file: no findings']);
    const bad = await cli('lint', invalid);
    expect(bad.code).toBe(1);
    const lines = bad.out.split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toMatch(new RegExp(`^${invalid}:89:22: argo-rollout: spec\\.strategy\\.canary\\.canaryService: .*has unmatch label "app" in rollout.* \\(fix: the Rollout "rollout-smi-experiment" as the controller reads it: rehearse import argo ${invalid} --rollout rollout-smi-experiment says the same\\)$`));
    expect(lines[2]).toBe('2 findings');
  });

  it('rehearse import argo lists the Rollouts and imports none until one is named (exit 2)', async () => {
    const r = await cli('import', 'argo', valid);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${valid}: 2 Rollouts: "rollout-smi-experiment" (${valid}:84:9), "rollout-smi-experiment-1" (${valid}:213:9); a plan rehearses one: name it (rehearse import argo --rollout NAME; in a scenario, argo.name)`]);
  });

  it('--rollout NAME imports that one, and says at the other that it is not rehearsed', async () => {
    const r = await cli('import', 'argo', valid, '--rollout', 'rollout-smi-experiment-1');
    expect(r.code).toBe(0);
    expect(r.out).toContain('# From the Rollout "rollout-smi-experiment-1"');
    expect(parse(r.out).rollout[0].pods.service).toBe('rollout-smi-experiment-1');
    expect(r.err.split('\n')).toContain(`warning: ${valid}:84:9: metadata.name: the Rollout "rollout-smi-experiment" is not rehearsed: the plan is the Rollout "rollout-smi-experiment-1"'s (--rollout rollout-smi-experiment-1)`);
    // Nothing of the other Rollout is read: no warning at its fields (lines 84 to 131).
    expect(r.err.split('\n').filter((l) => /\.yml:(8[5-9]|9\d|1[0-2]\d|13[01]):/.test(l))).toEqual([]);
  });

  it('--rollout with a name the files do not hold is an error with the closest name', async () => {
    const r = await cli('import', 'argo', valid, '--rollout', 'rollout-smi-experimnt');
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`--rollout "rollout-smi-experimnt": no Rollout of that name in ${valid}; did you mean "rollout-smi-experiment"? (they hold "rollout-smi-experiment" (${valid}:84:9), "rollout-smi-experiment-1" (${valid}:213:9))`]);
    // One Rollout in the files: a name is checked all the same.
    const one = await cli('import', 'argo', 'examples/argo/rollout.yaml', 'examples/argo/analysis-templates.yaml', '--rollout', 'guestbok');
    expect(errors(one.err)).toEqual(['--rollout "guestbok": no Rollout of that name in examples/argo/rollout.yaml, examples/argo/analysis-templates.yaml; did you mean "guestbook"? (they hold "guestbook" (examples/argo/rollout.yaml:6:9))']);
  });

  describe('a scenario\'s argo.name', () => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-two-rollouts-'));
    afterAll(() => rmSync(tmp, { recursive: true, force: true }));
    const ro = readFileSync('examples/argo/rollout.yaml', 'utf8');
    writeFileSync(join(tmp, 'rollout.yaml'), `${ro.replace('name: guestbook\n', 'name: other\n')}---\n${ro}`);
    copyFileSync('examples/argo/analysis-templates.yaml', join(tmp, 'analysis-templates.yaml'));
    const raw = parse(readFileSync('examples/argo/guestbook.yaml', 'utf8'));
    delete raw.tune;
    const write = (name: string | undefined) => {
      const s = structuredClone(raw);
      if (name !== undefined) s.rollout[0].argo.name = name;
      const file = join(tmp, `scenario-${name ?? 'none'}.yaml`);
      writeFileSync(file, stringify(s));
      return file;
    };

    it('without it, the scenario is refused at its argo: entry with the Rollouts listed', () => {
      const file = write(undefined);
      const l = loadScenarioFile(file);
      expect(l.ok ? [] : l.problems.map((p) => formatProblem(file, p))).toEqual([expect.stringMatching(/: rollout\[0\]\.argo: rollout\.yaml, analysis-templates\.yaml: 2 Rollouts: "other" \(rollout\.yaml:6:9\), "guestbook" \(rollout\.yaml:\d+:9\); a plan rehearses one: name it/)]);
    });

    it('a name it does not hold is refused at argo.name with the closest', () => {
      const file = write('guestbok');
      const l = loadScenarioFile(file);
      expect(l.ok ? [] : l.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^rollout\[0\]\.argo\.name "guestbok": no Rollout of that name in rollout\.yaml, analysis-templates\.yaml; did you mean "guestbook"\?/)]);
    });

    it('named, it rehearses as the file with that Rollout alone does', () => {
      const file = write('guestbook');
      const l = loadScenarioFile(file, 'defective');
      const alone = loadScenarioFile('examples/argo/guestbook.yaml', 'defective');
      if (!l.ok || !alone.ok) throw new Error('not loaded');
      const a = runScenario(l.scenario);
      const b = runScenario(alone.scenario);
      expect(a.rollouts.map((r) => [r.outcome, r.finalPercent])).toEqual([['rolled-back', 0]]);
      expect(JSON.stringify(a.rollouts)).toBe(JSON.stringify(b.rollouts));
    });
  });
});
