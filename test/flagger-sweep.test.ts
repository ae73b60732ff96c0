/**
 * One field of a Flagger file changed, seen in the rehearsal or said at its place: the defective case of
 * examples/flagger (effects only a failing canary shows), and Flagger's own e2e Canary with stepWeights and its
 * MetricTemplates (test/linkerd/test-steps.sh in fluxcd/flagger). Rules followed: pkg/controller/scheduler.go
 * maxWeight (with stepWeights the last step weight is the maximum, maxWeight unread) and nextStepWeight;
 * scheduler_metrics.go runMetricChecks (a template's secretRef Secret is read at every check, and one it cannot
 * read fails the check); scheduler.go runCanary (failed checks reaching the threshold roll back).
 */
import { mkdtempSync, readFileSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importFlaggerPlan } from '../src/interop/flagger/plan.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { runScenario } from '../src/score/result.js';
import type { SourceFile } from '../src/interop/kube/resources.js';

const FLAGGER = 'test/fixtures/vendor/flagger/';
const file = (name: string): SourceFile => ({ file: name, text: readFileSync(FLAGGER + name, 'utf8') });
const edit = (f: SourceFile, from: string, to: string): SourceFile => {
  expect(f.text).toContain(from);
  return { file: f.file, text: f.text.replace(from, to) };
};
const exposure = { percent: 10, from: null, at: 'rollout[0].flagger.exposure' };

describe('examples/flagger, defective case: a field changed changes the rehearsal', () => {
  const rollback = (threshold: number) => {
    const tmp = mkdtempSync(join(tmpdir(), 'rehearse-flagger-defective-'));
    for (const f of ['podinfo.yaml', 'metric-templates.yaml']) copyFileSync(join('examples/flagger', f), join(tmp, f));
    writeFileSync(join(tmp, 'canary.yaml'), readFileSync('examples/flagger/canary.yaml', 'utf8').replace('    threshold: 5\n', `    threshold: ${threshold}\n`));
    const l = loadScenarioFile(join(tmp, 'podinfo.yaml'), 'defective');
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    const r = runScenario(l.scenario).rollouts[0];
    return [r.outcome, r.endedSeconds, r.decisions.at(-1)?.reason];
  };
  it('threshold 5 to 2: the canary rolls back after two failed checks instead of five', () => {
    expect(rollback(5)).toEqual(['rolled-back', 360, 'canary podinfo: failed checks (5) reached the threshold (5); back to 0%']);
    expect(rollback(2)).toEqual(['rolled-back', 180, 'canary podinfo: failed checks (2) reached the threshold (2); back to 0%']);
  });
});

describe('Flagger\'s linkerd stepWeights Canary and its MetricTemplates', () => {
  const canary = file('e2e-linkerd-steps-canary.yaml');
  const templates = file('e2e-linkerd-steps-templates.yaml');
  const run = (files: SourceFile[]) => importFlaggerPlan(files, exposure);

  it('walks the step weights to the last one, and says at maxWeight that Flagger does not read it', () => {
    const r = run([canary, templates]);
    expect(r.ok && r.plan.stages.map((s) => s.percent)).toEqual([10, 20, 30, 40, 50, 60, 100]);
    expect(r.ok && r.plan.warnings.filter((w) => w.includes('maxWeight'))).toEqual(['e2e-linkerd-steps-canary.yaml:25:16: spec.analysis.maxWeight: with stepWeights, Flagger walks the step weights up to the last one (60) and reads no maxWeight (scheduler.go maxWeight): not read']);
  });

  it('a prometheus template with no address fails every check in Flagger: refused at its place', () => {
    const noAddress = run([canary, edit(templates, '    address: http://prometheus.linkerd-viz:9090\n', '')]);
    expect(noAddress.ok ? [] : noAddress.problems).toEqual([expect.stringMatching(/^e2e-linkerd-steps-templates\.yaml:8:5: spec\.provider: the prometheus provider needs a valid address URL \(providers\/prometheus\.go NewPrometheusProvider: "prometheus address {2}is not a valid URL"\)/)]);
  });

  it('a template\'s secretRef: said where no Secret is given, refused when the files\' Secrets do not hold it', () => {
    const withRef = edit(templates, '    type: prometheus\n', '    type: prometheus\n    secretRef: { name: prom-auth }\n');
    const r = run([canary, withRef]);
    expect(r.ok && r.plan.warnings.filter((w) => w.includes('secretRef'))).toEqual([expect.stringMatching(/^e2e-linkerd-steps-templates\.yaml:9:24: spec\.provider\.secretRef\.name: credentials from the Secret "prom-auth", read at every check/)]);
    const secret = (name: string): SourceFile => ({ file: 'secret.yaml', text: `apiVersion: v1\nkind: Secret\nmetadata: { name: ${name}, namespace: linkerd }\ndata: { token: eA== }\n` });
    const wrong = run([canary, withRef, secret('prom-auth-x')]);
    expect(wrong.ok ? [] : wrong.problems).toEqual([expect.stringMatching(/^e2e-linkerd-steps-templates\.yaml:9:24: spec\.provider\.secretRef\.name: no Secret "prom-auth" in namespace "linkerd" in the files given; did you mean "prom-auth-x"\?.*every check of this template fails/)]);
    const right = run([canary, withRef, secret('prom-auth')]);
    expect(right.ok && right.plan.warnings.filter((w) => w.includes('secretRef'))).toEqual([]);
    // providers/prometheus.go NewPrometheusProvider: a token, else a username and a password.
    const basic = (keys: string) => run([canary, withRef, { file: 'secret.yaml', text: `apiVersion: v1\nkind: Secret\nmetadata: { name: prom-auth, namespace: linkerd }\nstringData: { ${keys} }\n` }]);
    expect(basic('username: u, password: p').ok).toBe(true);
    const noPassword = basic('username: u');
    expect(noPassword.ok ? [] : noPassword.problems).toEqual([expect.stringMatching(/secretRef\.name: the Secret "prom-auth" holds no token and no password \(providers\/prometheus\.go NewPrometheusProvider: "prometheus credentials does not contain a password"\)/)]);
  });
});
