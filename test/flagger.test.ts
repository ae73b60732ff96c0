import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toScenarioParts } from '../src/interop/flagger/index.js';
import { heyDestination, heyTraffic } from '../src/interop/flagger/loadtest.js';
import { loadScenarioFile, parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { observeSeries, type ScrapeSeries } from '../src/observe/metrics.js';

const canary = { file: 'canary.yaml', text: readFileSync('examples/flagger/canary.yaml', 'utf8') };
const templates = { file: 'metric-templates.yaml', text: readFileSync('examples/flagger/metric-templates.yaml', 'utf8') };

function load(caseName: string) {
  const l = loadScenarioFile('examples/flagger/podinfo.yaml', caseName);
  if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('podinfo.yaml', p)).join('\n'));
  return l.scenario;
}

const edit = (from: string, to: string) => ({ file: 'canary.yaml', text: canary.text.replace(from, to) });

describe('Flagger, as it is', () => {
  it('reads analysis.interval as GetAnalysisInterval does (Go\'s time.ParseDuration): up to time.Duration\'s largest, past it 60s', () => {
    // fluxcd/flagger pkg/apis/flagger/v1beta1/canary.go GetAnalysisInterval: a ParseDuration error is the 60s
    // default; golang/go src/time/format.go ParseDuration: past 1<<63-1 ns, "time: invalid duration".
    const at = (interval: string) => {
      const r = toScenarioParts([edit('interval: 1m\n    # max number', `interval: ${interval}\n    # max number`), templates]);
      return r.ok ? [r.parts.intervalUs, r.warnings.filter((w) => w.includes('spec.analysis.interval'))] : r.problems;
    };
    expect(at('90s')).toEqual([90e6, []]);
    const longest = at('153722867m');
    expect(Math.abs((longest[0] as number) - 153722867 * 60e6)).toBeLessThanOrEqual(2);
    expect(longest[1]).toEqual([]);
    expect(at('153722868m')).toEqual([60e6, ['canary.yaml:29:15: spec.analysis.interval: "153722868m" is not a Go duration (time: invalid duration "153722868m"): Flagger uses 60s']]);
    // Hours never reach Flagger: the CRD's pattern (^[0-9]+(m|s)) refuses them at the API server (test/k8s-types.test.ts).
    expect(at('99999999h')).toEqual(['canary.yaml:29:15: spec.analysis.interval: must be text matching ^[0-9]+(m|s), as the Canary CRD says, not the string "99999999h": the Kubernetes API server refuses the resource']);
  });

  it('turns the tutorial canary into weights, checks and skipped webhooks', () => {
    const r = toScenarioParts([canary, templates]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.parts).toMatchObject({ target: 'podinfo', namespace: 'test', intervalUs: 60e6, threshold: 5, weights: [10, 20, 30, 40, 50], iterations: null });
    expect(r.parts.checks.map((c) => [c.name, c.min, c.max])).toEqual([['request-success-rate', 99, null], ['request-duration', null, 500], ['404s percentage', null, 5]]);
    expect(r.parts.checks[1].gate.query).toContain('destination_workload_namespace="test", destination_workload=~"podinfo" }[30s]');
    expect(r.parts.checks[2].gate.query).toMatch(/destination_workload="podinfo",\s+response_code!="404"\s+\}\[1m\]/);
    expect(r.warnings).toEqual([
      'canary.yaml:16:28: spec.progressDeadlineSeconds: pods are ready at once in a rehearsal: the deadline never passes',
      'canary.yaml:19:5: spec.autoscalerRef: the workload\'s pods are not simulated: the scenario\'s services stand for them',
      'canary.yaml:26:17: spec.service.targetPort: the Service\'s ports and protocols are not simulated',
      'canary.yaml:10:3: spec.provider: none: the mesh provider is the flagger controller\'s -mesh-provider, "istio" (Flagger\'s default; the scenario\'s flagger.mesh-provider names another)',
      'canary.yaml:60:9: spec.analysis.webhooks[0]: webhook "acceptance-test" of type pre-rollout is not called in a rehearsal: it passes. Its command on the load tester, "curl -sd \'test\' http://podinfo-canary:9898/token | grep token", runs once, before the first traffic shift; whatever it sends is not rehearsed (rehearse runs no command: the checks read only the scenario\'s users\' requests); type bash: its exit status, which decides the webhook, is taken as success',
      'canary.yaml:67:9: spec.analysis.webhooks[1]: webhook "load-test" of type rollout is not called in a rehearsal: it passes. Its command on the load tester, "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/", would send up to 20 requests a second (2 workers, at most 10 a second each, each waiting for its answer) to http://podinfo-canary.test:9898/, for 1m, started at every check (every 1m; skipped while the last run goes on): all of it to the canary Service, whose requests the checks count; rehearse sends none of it: the checks read only the scenario\'s users\' requests the weights send to the canary, fewer than Flagger\'s checks count (at a low weight or with little traffic, none: a check that finds no values fails)',
    ]);
  });

  it('says what a load test webhook\'s hey command would send, as hey reads its flags', () => {
    // rakyll/hey hey.go: -c workers (50), -q a second per worker (no limit), -z (then -n is ignored), -n (200);
    // requester.go runWorker: each worker waits for its answer, then for its throttle tick.
    expect(heyTraffic('hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/')).toBe('up to 20 requests a second (2 workers, at most 10 a second each, each waiting for its answer) to http://podinfo-canary.test:9898/, for 1m');
    expect(heyTraffic('hey http://x/')).toBe('as many requests as 50 workers get answers to (no -q: no limit) to http://x/, 200 requests in all (no -z)');
    expect(heyTraffic('hey -c=1 -q=2.5 -n 30 -disable-keepalive -m POST "http://x/a b"')).toBe('up to 2.5 requests a second (1 worker, at most 2.5 a second each, each waiting for its answer) to http://x/a b, 30 requests in all (no -z)');
    expect(heyTraffic('hey -z 1d http://x/')).toBe('nothing: hey refuses it (a -z, -c or -q it cannot read, or no URL)');
    expect(heyTraffic('curl http://x/')).toBeNull();
    // A rollout hook with a hey command: the warning gives its traffic and cadence; without metadata.cmd, no note.
    const r = toScenarioParts([edit('cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"', 'cmd: "hey -z 30s -c 4 http://podinfo-canary.test:9898/"'), templates]);
    expect(r.warnings.find((w) => w.includes('"load-test"'))).toContain('"hey -z 30s -c 4 http://podinfo-canary.test:9898/", would send as many requests as 4 workers get answers to (no -q: no limit) to http://podinfo-canary.test:9898/, for 30s, started at every check (every 1m; skipped while the last run goes on)');
    // Where its requests go, by the URL's host: the canary Service takes them all; the apex Service, an ingress or a
    // gateway splits them by the weights; the primary gives the canary's checks none.
    expect(heyDestination('hey -z 1m http://podinfo-canary.test:9898/', 'podinfo')).toBe('canary');
    expect(heyDestination('hey -z 1m -host app.example.com http://podinfo.test/', 'podinfo')).toBe('split');
    expect(heyDestination('hey -z 10m -q 10 -c 2 http://istio-ingressgateway.istio-system/podinfo', 'podinfo')).toBe('split');
    expect(heyDestination('hey http://podinfo-primary:9898/', 'podinfo')).toBe('primary');
    expect(heyDestination('curl http://podinfo-canary/', 'podinfo')).toBeNull();
    const apex = toScenarioParts([edit('cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"', 'cmd: "hey -z 1m -q 10 -c 2 http://podinfo.test:9898/"'), templates]);
    expect(apex.warnings.find((w) => w.includes('"load-test"'))).toMatch(/: split by the weights as users' requests are; rehearse sends none of it: the checks read only the scenario's users' requests at each weight, fewer than Flagger's checks count$/);
    const bare = toScenarioParts([edit('        metadata:\n          cmd: "hey -z 1m -q 10 -c 2 http://podinfo-canary.test:9898/"\n', ''), templates]);
    expect(bare.warnings.find((w) => w.includes('"load-test"'))).toBe('canary.yaml:67:9: spec.analysis.webhooks[1]: webhook "load-test" of type rollout is not called in a rehearsal: it passes');
  });

  it('promotes the healthy release, and rolls back the defective one once failed checks reach the threshold', () => {
    const healthy = runScenario(load('healthy'));
    expect(healthy.rollouts[0].outcome).toBe('completed');
    expect(healthy.rollouts[0].decisions.map((d) => d.percent)).toEqual([10, 20, 30, 40, 50, 100, 100]);
    const bad = runScenario(load('defective'));
    expect(bad.rollouts[0].outcome).toBe('rolled-back');
    expect(bad.rollouts[0].decisions.at(-1)!.reason).toBe('canary podinfo: failed checks (5) reached the threshold (5); back to 0%');
    const failed = bad.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failed).toHaveLength(5);
    expect(failed[0].gate!.gate).toBe('canary podinfo: request-success-rate');
    expect(failed[0].gate!.detail).toMatch(/^Failed: result = 9\d\.\d+$/);
  });

  it('names the primary workload as Flagger does, so that the builtin queries read the canary only', () => {
    const s = load('healthy');
    let series!: ScrapeSeries;
    runScenario(s, { observe: (sim) => (series = observeSeries(sim, s)) });
    const workloads = new Set(series.series('istio_requests_total').map((x) => x.labels.destination_workload));
    expect(workloads).toEqual(new Set(['podinfo', 'podinfo-primary']));
  });

  it('reads stepWeights, iterations and confirm webhooks', () => {
    // scheduler.go nextStepWeight: stepWeight, when set, goes before stepWeights; maxWeight is the last of them.
    const stepped = toScenarioParts([edit('    maxWeight: 50\n', '    stepWeights: [1, 5, 25]\n').text.replace('    stepWeight: 10\n', ''), templates].map((x) => (typeof x === 'string' ? { file: 'canary.yaml', text: x } : x)));
    expect(stepped.ok && stepped.parts.weights).toEqual([1, 5, 25]);
    // stepWeight beside stepWeights (or iterations) is refused before the scheduler sees it: the analysis's
    // oneOf in the CRD (artifacts/flagger/crd.yaml) holds for exactly one of them.
    const both = toScenarioParts([edit('    maxWeight: 50\n', '    stepWeights: [1, 5, 25]\n'), templates]);
    expect(both.ok ? [] : both.problems).toEqual([expect.stringMatching(/^canary\.yaml:\d+:5: spec\.analysis: must validate one and only one schema \(oneOf\).*2 hold/)]);
    // The last step may go past maxWeight: 20, 40, then 60 with maxWeight 50.
    const past = toScenarioParts([edit('    stepWeight: 10\n', '    stepWeight: 20\n'), templates]);
    expect(past.ok && past.parts.weights).toEqual([20, 40, 60]);
    const ab = toScenarioParts([edit('    maxWeight: 50\n', '    iterations: 10\n    match: [{ headers: { x-canary: { exact: insider } } }]\n').text.replace('    stepWeight: 10\n', ''), templates].map((x) => (typeof x === 'string' ? { file: 'canary.yaml', text: x } : x)));
    expect(ab.ok && [ab.parts.iterations, ab.parts.weights, ab.parts.strategy]).toEqual([10, [], 'ab-testing']);
    const confirm = toScenarioParts([edit('        type: pre-rollout', '        type: confirm-promotion'), templates]);
    expect(confirm.ok && [confirm.parts.approvals.promotion !== null, confirm.parts.approvals.rollout]).toEqual([true, null]);
  });

  it('fails a check without data, as Flagger does: the canary rolls back', () => {
    // The MetricTemplate's query selects a workload that serves nothing.
    const text = readFileSync('examples/flagger/podinfo.yaml', 'utf8').replace('      templates: [metric-templates.yaml]\n', `      templates: [metric-templates.yaml]
      patches: [{ resource: templates.0, path: [spec, query], value: 'sum(rate(istio_requests_total{destination_workload="nobody"}[1m]))' }]\n`);
    const l = parseScenarioText(text, 'examples/flagger');
    if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('x', p)).join('\n'));
    const r = runScenario(l.scenario);
    expect(r.rollouts[0].outcome).toBe('rolled-back');
    expect(r.audit.find((a) => a.event === 'gate' && a.gate!.gate.endsWith('404s percentage'))!.gate!.detail).toBe('Failed: no values found (Flagger fails the check)');
  });

  it('refuses bad input with file:line:column and the path in the resource', () => {
    const bad = (files: { file: string; text: string }[]) => {
      const r = toScenarioParts(files);
      return r.ok ? [] : r.problems;
    };
    expect(bad([{ file: 'x.yaml', text: 'kind: Rollout\nmetadata: { name: r }\n' }])).toEqual(['x.yaml: expected exactly one Canary, found 0']);
    expect(bad([{ file: 'x.yaml', text: 'apiVersion: flagger.app/v1beta1\nkind: Canery\nmetadata: { name: r }\n' }]))
      .toEqual(['x.yaml:2:7: kind: "Canery" is not a kind of flagger.app that rehearse reads (Canary, MetricTemplate); did you mean "Canary"?']);
    expect(bad([canary])).toEqual(['canary.yaml:53:15: spec.analysis.metrics[2].templateRef.name: no MetricTemplate "not-found-percentage" in namespace "istio-system" in the files given']);
    expect(bad([canary, { file: 'mt.yaml', text: templates.text.replace('}[{{ interval }}]\n        )\n    )\n    /', '}[{{ interval }}]\n        )\n    /') }]))
      .toEqual([expect.stringMatching(/^mt\.yaml:\d+:\d+: spec\.query: as the Canary's metric "404s percentage" \(canary\.yaml:51:7\) renders it: .* at column \d+ of /)]);
    // A template Flagger cannot render (pkg/metrics/observers/render.go: Go text/template, whose parse says "function ... not defined").
    expect(bad([canary, { file: 'mt.yaml', text: templates.text.replace('{{ namespace }}', '{{ nope }}') }]))
      .toEqual([expect.stringMatching(/^mt\.yaml:\d+:\d+: spec\.query: as the Canary's metric "404s percentage" \(canary\.yaml:51:7\) renders it: function "nope" not defined$/)]);
  });

  it('refuses numbers that are text, true or fractions where the CRD has an integer or a number, as the API server does', () => {
    // Before: threshold: true was a threshold of 1, stepWeight: true steps of 1%, maxWeight: "NaN" a walk to 100%,
    // thresholdRange.min: "NaN" a condition against nil.
    const refused = (from: string, to: string) => {
      const r = toScenarioParts([edit(from, to), templates]);
      return r.ok ? [] : r.problems.filter((p) => !p.includes('not-found-percentage'));
    };
    expect(refused('threshold: 5', 'threshold: true')).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.threshold: threshold is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('threshold: 5', 'threshold: 2.5')).toEqual([expect.stringMatching(/: spec\.analysis\.threshold: threshold is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('stepWeight: 10', 'stepWeight: true')).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.stepWeight: stepWeight is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('maxWeight: 50', 'maxWeight: "NaN"')).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.maxWeight: maxWeight is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('min: 99', 'min: "NaN"')).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.metrics\[0\]\.thresholdRange\.min: thresholdRange\.min is a number$/)]);
    expect(refused('max: 500', 'max: ""')).toEqual([expect.stringMatching(/: spec\.analysis\.metrics\[1\]\.thresholdRange\.max: thresholdRange\.max is a number$/)]);
    expect(refused('min: 99', 'min: 99.5')).toEqual([]);
    // 1e300 and 20 digits are no Go int (the controller cannot decode them): they were a threshold of 1e300 and a walk to 1e300%.
    expect(refused('threshold: 5', 'threshold: 1e300')).toEqual([expect.stringMatching(/: spec\.analysis\.threshold: threshold is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('threshold: 5', 'threshold: 99999999999999999999')).toEqual([expect.stringMatching(/: spec\.analysis\.threshold: threshold is a whole number \(up to 9007199254740991\)$/)]);
    expect(refused('maxWeight: 50', 'maxWeight: 1e300')).toEqual([expect.stringMatching(/: spec\.analysis\.maxWeight: maxWeight is a whole number \(up to 9007199254740991\)$/)]);
  });

  it('refuses a thresholdRange under !!omap at the tag: read as a Map, it was no bound at all (success: "true")', () => {
    const r = toScenarioParts([edit('      thresholdRange:\n        min: 99', '      thresholdRange: !!omap\n        - min: 99'), templates]);
    expect(r.ok ? [] : r.problems).toEqual([expect.stringMatching(/^canary\.yaml:\d+:9: invalid YAML: the tag !!omap is not read here: write plain text, numbers, true or false, lists and mappings$/)]);
  });
});

/**
 * Analyses with iterations, as fluxcd/flagger runs them: pkg/apis/flagger/v1beta1/canary.go DeploymentStrategy
 * (iterations with match: A/B; iterations alone: blue/green) and pkg/controller/scheduler.go runBlueGreen (all
 * traffic stays on the primary during the iterations, mirrored to the canary with analysis.mirror; then all of
 * it goes to the canary and the canary is promoted) and runAB (the requests that match go to the canary); the
 * checks read the canary's traffic, and with none, scheduler_metrics.go halts: "no values found".
 */
describe('Flagger blue/green and A/B', () => {
  const blueGreen = (extra = '') => edit('    maxWeight: 50\n    # canary increment step\n    # percentage (0-100)\n    stepWeight: 10\n', `    iterations: 5\n${extra}`);
  const noHooks = (c: { file: string; text: string }) => ({ file: c.file, text: c.text.replace(/    # testing \(optional\)\n    webhooks:[\s\S]*$/, '') });
  const noMetrics = (c: { file: string; text: string }) => ({ file: c.file, text: c.text.replace(/    metrics:\n[\s\S]*?(?=    # testing)/, '') });
  function run(canaryText: string, rollout = '', caseName = 'healthy') {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-flagger-'));
    try {
      writeFileSync(join(dir, 'canary.yaml'), canaryText);
      writeFileSync(join(dir, 'metric-templates.yaml'), templates.text);
      writeFileSync(join(dir, 'podinfo.yaml'), readFileSync('examples/flagger/podinfo.yaml', 'utf8').replace('      templates: [metric-templates.yaml]\n', `      templates: [metric-templates.yaml]\n${rollout}`));
      const l = loadScenarioFile(join(dir, 'podinfo.yaml'), caseName);
      if (!l.ok) throw new Error(l.problems.map((p) => formatProblem('podinfo.yaml', p)).join('\n'));
      return { warnings: [...l.warnings, ...l.scenario.rollouts[0].warnings], result: runScenario(l.scenario) };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('keeps every user on the primary until promotion, then all of them move at once', () => {
    // Before: the flag stood at 50% (flagger.exposure) during the iterations: half the users on the new version.
    const r = run(noHooks(noMetrics(blueGreen())).text);
    expect(r.result.rollouts[0].outcome).toBe('completed');
    expect(r.result.rollouts[0].decisions.map((d) => d.percent)).toEqual([0, 100, 100]);
    expect(r.warnings).toContainEqual(expect.stringMatching(/: spec\.analysis\.iterations: blue\/green: no user reaches the canary during the 5 iterations \(Flagger keeps all traffic on the primary\), then all users at once: the flag goes from 0% to 100% at promotion$/));
  });

  it('fails the checks with no load test and no mirror: no request reaches the canary, as in Flagger', () => {
    // Before: the checks read the 50% of users sent to the canary, and the healthy release was promoted.
    const r = run(noHooks(blueGreen()).text);
    expect(r.result.rollouts[0].outcome).toBe('rolled-back');
    expect(r.result.rollouts[0].decisions.every((d) => d.percent === 0)).toBe(true);
    const gates = r.result.audit.filter((a) => a.event === 'gate');
    expect(gates.length).toBeGreaterThan(0);
    expect(gates.every((a) => a.gate!.verdict !== 'pass' && /no values found/.test(a.gate!.detail))).toBe(true);
  });

  it('refuses checks that read a load tester\'s requests or mirrored copies, at their place: neither is simulated', () => {
    const problems = (files: { file: string; text: string }[]) => {
      const r = toScenarioParts(files);
      return r.ok ? [] : r.problems;
    };
    // Flagger's blue/green tutorial shape (docs/gitbook/tutorials/kubernetes-blue-green.md): metrics and a load-test webhook.
    expect(problems([blueGreen(), templates])).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.webhooks\[1\]: blue\/green: no user reaches the canary .*; the checks read what this webhook's load test sends the canary, and rehearse does not simulate a load tester's requests, so it cannot rehearse what they measure$/)]);
    expect(problems([noHooks(blueGreen('    mirror: true\n')), templates])).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.mirror: blue\/green: .*; the checks read the canary's mirrored copies of every request, and rehearse does not simulate mirrored requests, so it cannot rehearse what they measure$/)]);
    // No checks: nothing reads the canary's traffic, and the users' side is rehearsed.
    expect(problems([noMetrics(blueGreen('    mirror: true\n')), templates])).toEqual([]);
  });

  it('a webhook of type "" is a rollout hook (fluxcd/flagger pkg/controller/scheduler.go runAnalysis: Type == "" || RolloutHook): refused in blue/green, warned with weights', () => {
    const typed = (c: { file: string; text: string }, type: string) => ({ file: c.file, text: c.text.replace('      - name: load-test\n', `      - name: load-test\n        type: ${type}\n`) });
    for (const type of ['rollout', '""']) {
      const bg = toScenarioParts([typed(blueGreen(), type), templates]);
      expect(bg.ok ? [] : bg.problems, type).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.webhooks\[1\]: blue\/green: .*; the checks read what this webhook's load test sends the canary/)]);
      // With weights the users' requests reach the canary: the load test is warned (not sent), not refused.
      const weighted = toScenarioParts([typed(canary, type), templates]);
      expect(weighted.ok, type).toBe(true);
      expect(weighted.warnings.filter((w) => w.includes('spec.analysis.webhooks[1]:')), type)
        .toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: spec\.analysis\.webhooks\[1\]: webhook "load-test" of type rollout is not called in a rehearsal: it passes\. Its command .* at every check \(every 1m/)]);
    }
  });

  it('sends the users an A/B match selects (the scenario\'s exposure) to the canary; the kubernetes provider drops the match', () => {
    const ab = { file: 'istio-abtest.yaml', text: readFileSync('test/fixtures/vendor/flagger/istio-abtest.yaml', 'utf8') };
    const r = toScenarioParts([ab]);
    expect(r.ok && r.parts.strategy).toBe('ab-testing');
    expect(r.warnings).toContainEqual(expect.stringMatching(/^istio-abtest\.yaml:\d+:\d+: spec\.analysis\.match: only requests that match reach the canary; rehearse does not simulate headers, cookies or queries: the users that match are rehearsed as the share of users the scenario's flagger\.exposure gives$/));
    const k8s = toScenarioParts([{ file: ab.file, text: ab.text.replace('provider: istio', 'provider: kubernetes') }]);
    expect(k8s.ok).toBe(false); // blue/green now, whose checks would read the load test's requests
    expect(k8s.warnings).toContainEqual(expect.stringMatching(/: spec\.analysis\.match: the kubernetes provider does not route by match: Flagger drops it and runs blue\/green$/));
    const exposed = run(noHooks(blueGreen('    match: [{ headers: { x-canary: { exact: insider } } }]\n')).text, '      exposure: 20%\n');
    expect(exposed.result.rollouts[0].decisions[0].percent).toBe(20);
    // The warning says the share rehearsed, and whose it is: the scenario's, or a default no match gave.
    const unseen = 'spec.analysis.match: only requests that match reach the canary; rehearse does not simulate headers, cookies or queries';
    expect(exposed.warnings.filter((w) => w.includes('spec.analysis.match'))).toEqual([expect.stringMatching(/^canary\.yaml:\d+:\d+: /)]);
    expect(exposed.warnings).toContainEqual(expect.stringContaining(`${unseen}: the users that match are rehearsed as 20% of users, the share rollout[0].flagger.exposure gives`));
    const defaulted = run(noHooks(blueGreen('    match: [{ headers: { x-canary: { exact: insider } } }]\n')).text);
    expect(defaulted.result.rollouts[0].decisions[0].percent).toBe(50);
    expect(defaulted.warnings).toContainEqual(expect.stringContaining(`${unseen}: the users that match are rehearsed as 50% of users, rehearse's default, not a share the match selects: set rollout[0].flagger.exposure to the share of your users it selects`));
    // Canary weights with a match: the weights are rehearsed over all users, and no exposure is spoken of.
    const weighted = run(edit('    maxWeight: 50\n', '    maxWeight: 50\n    match: [{ headers: { x-canary: { exact: insider } } }]\n').text);
    expect(weighted.warnings).toContainEqual(expect.stringContaining(`${unseen}: the canary's weights are rehearsed as shares of all users, matching or not`));
    const unused = run(noHooks(noMetrics(blueGreen())).text, '      exposure: 20%\n');
    expect(unused.warnings).toContainEqual('rollout[0].flagger.exposure: unused: only an A/B analysis (iterations with match) exposes a share of users before promotion; the Canary\'s blue/green analysis exposes none');
  });
});
