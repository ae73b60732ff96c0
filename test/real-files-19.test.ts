/**
 * Round 19 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - prometheus/prometheus cmd/promtool/testdata/rules-bad.yml writes `{{ $label.foo }}` in an alert's annotation,
 *   a variable rulefmt does not declare (it declares `$labels`). promtool check rules fails the file ("undefined
 *   variable \"$label\""), and Prometheus loads none of it: the rule manager reads files with rulefmt.ParseFile,
 *   whose Validate runs testTemplateParsing (model/rulefmt/rulefmt.go). rehearse warned and read the rules, on the
 *   ground that "a Prometheus that defines the name reads it"; but rulefmt has declared the same four variables
 *   ($labels, $externalLabels, $externalURL, $value) since it first parsed templates in 2018 (v2.42.0, v3.0.0,
 *   v3.9.1 and d15adb9a alike): no Prometheus reads it. An undefined variable is now refused like any other
 *   syntax error; a function 2.42 lacks (a later Prometheus defines `toDuration`, `now`...) stays a warning.
 * - fluxcd/flagger docs/gitbook/tutorials/traefik-progressive-delivery.md applies a MetricTemplate
 *   (`not-found-percentage`) that its Canary names only after an edit further down the page. Given beside the
 *   Canary as first written, the template was dropped without a word: Flagger reads a MetricTemplate only when a
 *   metric's templateRef names it (pkg/controller/scheduler_metrics.go, fd26b141), so its query never runs, and
 *   rehearse said nothing of it, where the Argo adapter says the same of an AnalysisTemplate no analysis names.
 *   Now warned at its name; with the tutorial's edit, it is read and the warning goes.
 * - kubernetes/website content/en/examples/controllers: frontend.yaml (a ReplicaSet of 3 replicas) and hpa-rs.yaml
 *   (an autoscaling/v1 HorizontalPodAutoscaler over it, 3 to 10, targetCPUUtilizationPercentage: 50), the
 *   Kubernetes documentation's pair, and replication.yaml (a ReplicationController of 3). `calibrate --deployment`
 *   read only Deployments and StatefulSets: the ReplicaSet "describes no capacity", the HPA's target "is in none
 *   of the files", and a traced service of that name got no capacity; the v1 HPA's target was dropped without a
 *   word (v2's metrics are warned). A ReplicaSet and a ReplicationController have spec.replicas (default 1) over a
 *   pod template as a Deployment has (k8s.io/api apps/v1 ReplicaSetSpec, core/v1 ReplicationControllerSpec), and
 *   an HPA scales any of them (its scaleTargetRef names the kind): now read alike, and targetCPUUtilizationPercentage
 *   warned. A ReplicaSet a Deployment made (metadata.ownerReferences with controller: true) is noted, not read.
 * - kubernetes/kubernetes hack/testdata/list.yaml: a v1 List (what `kubectl get deploy,svc -o yaml` writes) of a
 *   Service and a Deployment. `--deployment` said the List "describes no capacity" and read none of its items;
 *   kubectl reads a List item by item (cli-runtime resource FlattenListVisitor): so does rehearse now. Argo's
 *   examples/rollout-canary.yaml as such a List (`kubectl get rollout -o yaml`) was "expected exactly one Rollout,
 *   found 0" in `import argo`, the List taken for context: now refused at its items, saying to split it. So is
 *   kube-prometheus' kubePrometheus-prometheusRule.yaml as `kubectl get prometheusrules -o yaml` writes it, which
 *   `metrics.rules` refused as "no rule groups ... it holds List" (and beside other rules, warned "not rules").
 *   And the OpenFeature Operator's config/samples/core_v1beta1_featureflag.yaml so listed was only "a flagd file
 *   has flags": now the refusal says what the file is and what to give.
 * - argoproj/argo-rollouts docs/features/hpa-support.md: an autoscaling/v2 HPA over a Rollout (a Rollout has a
 *   Deployment's /scale subresource; the HPA writes its spec.replicas). Given to `calibrate --deployment`, the
 *   Rollout "describes no capacity" and the HPA's target was "in none of the files": now read as a Deployment is
 *   (an argoproj.io Rollout only: OpenKruise's Rollout of another group has no replicas).
 * - openzipkin/zipkin benchmarks/src/main/resources/span-rpc.json: a Zipkin v1 span (client and server merged in
 *   one, the service and kind in its annotations' endpoints and values cs, sr, ss, cr, and binaryAnnotations).
 *   `calibrate` read it as a v2 span: no localEndpoint, so no service ("put under \"unknown\""), no kind, and a
 *   scenario written from it, with only the fields warned as "not a field of Zipkin's Span". Zipkin's own UI refuses
 *   v1 ("v1 format is not supported", zipkin-lens src/util/trace.js); so does rehearse now, at the place, exit 2.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { main } from '../src/cli/main.js';
import { InputError } from '../src/errors.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { PROMTOOL, prometheusAvailable } from './prometheus.js';

const root = join(import.meta.dirname, '..');
const rulesBad = join(root, 'test/fixtures/vendor/promtool/rules-bad.yml');

async function cli(args: string[]): Promise<{ code: number; err: string[] }> {
  const err: string[] = [];
  const code = await main(args, { out: () => {}, err: (x) => err.push(x) });
  return { code, err: err.join('\n').split('\n').filter(Boolean) };
}

describe('prometheus/prometheus cmd/promtool/testdata/rules-bad.yml: an undefined variable in a template', () => {
  const refusal = 'rules-bad.yml:12:20: groups[0].rules[0].annotations.summary: a template no Prometheus parses (Go text/template syntax; promtool check rules refuses the file and Prometheus loads none of it): undefined variable "$label" at column 13 of "Instance {{ $label.foo }} down"';

  it('is refused at the annotation, as every Prometheus refuses the file', () => {
    let lines: readonly string[] = [];
    try {
      readRuleFile(readFileSync(rulesBad, 'utf8'), 'rules-bad.yml');
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual([refusal]);
  });

  it.skipIf(!prometheusAvailable())('promtool check rules fails it for that variable, and takes it with $labels', () => {
    const said = spawnSync(PROMTOOL, ['check', 'rules', rulesBad], { encoding: 'utf8' });
    expect(said.status).toBe(1);
    expect(`${said.stdout}${said.stderr}`).toContain('group "alerts", rule 1, "InstanceDown": annotation "summary": template: __alert_InstanceDown:1: undefined variable "$label"');
    const dir = mkdtempSync(join(tmpdir(), 'rules-bad-'));
    try {
      const fixed = readFileSync(rulesBad, 'utf8').replace('{{ $label.foo }}', '{{ $labels.foo }}');
      writeFileSync(join(dir, 'rules.yml'), fixed);
      expect(spawnSync(PROMTOOL, ['check', 'rules', join(dir, 'rules.yml')], { encoding: 'utf8' }).status).toBe(0);
      expect(readRuleFile(fixed, 'rules.yml').warnings).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a scenario whose gate reads it is invalid: exit 2, the annotation named', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rules-bad-'));
    try {
      copyFileSync(rulesBad, join(dir, 'rules-bad.yml'));
      writeFileSync(join(dir, 's.yaml'), [
        'name: rules-bad', 'duration: 10m', 'traffic: { rate: 1/s }', 'journeys: { j: { steps: [a.get] } }',
        'services: { a: { endpoints: { get: {} } } }', 'flags: { f: { kind: release, owner: t, evaluated-by: [a] } }',
        'metrics: { rules: [rules-bad.yml] }', 'rollout: [{ flag: f, stages: [{ to: 100% }], gates: [{ alert: InstanceDown }] }]', '',
      ].join('\n'));
      const r = await cli(['validate', join(dir, 's.yaml')]);
      expect(r.code).toBe(2);
      expect(r.err.filter((l) => l.includes('annotations.summary'))).toEqual([`${join(dir, 's.yaml')}:7:20: metrics.rules[0]: ${refusal}`]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The body of the ```yaml block that starts at line `at` (1-based, the fence's line) of a page, lines kept in place. */
function block(page: string, at: number): string {
  const lines = page.split('\n');
  expect(lines[at - 1]).toBe('```yaml');
  const end = lines.indexOf('```', at);
  return lines.map((l, i) => (i >= at && i < end ? l : '')).join('\n');
}

describe('fluxcd/flagger docs/gitbook/tutorials/traefik-progressive-delivery.md: a MetricTemplate no metric names', () => {
  const page = readFileSync(join(root, 'test/fixtures/vendor/flagger/docs-traefik-tutorial.md'), 'utf8');
  const file = 'docs-traefik-tutorial.md';
  const canary = block(page, 91);
  const template = block(page, 292);

  it('is warned at its name: Flagger never queries it', () => {
    const r = flaggerParts([{ file, text: canary }, { file: 'template.yaml', text: template }]);
    expect(r.ok).toBe(true);
    expect(r.warnings.filter((w) => w.includes('MetricTemplate'))).toEqual([
      'template.yaml:296:9: metadata.name: no metric of the Canary "podinfo" (docs-traefik-tutorial.md:130:5) names MetricTemplate "not-found-percentage" (a templateRef looks in namespace "test" unless it names one): its query is never run, and none of its fields is rehearsed',
    ]);
    expect(r.ok && r.parts.checks.map((c) => c.name)).toEqual(['request-success-rate', 'request-duration']);
  });

  it('with the page\'s edit (the "404s percentage" metric), it is read and not warned', () => {
    // The edit's metric (its block writes the list at indent 6, the Canary's at 4), first in the Canary's list.
    const metric = block(page, 323).split('\n').filter((l) => l.startsWith('      ')).map((l) => l.slice(2));
    const edited = canary.replace('    metrics:\n', `    metrics:\n${metric.join('\n')}\n`);
    expect(metric).toEqual(['    - name: "404s percentage"', '      templateRef:', '        name: not-found-percentage', '      thresholdRange:', '        max: 5', '      interval: 1m']);
    const r = flaggerParts([{ file, text: edited }, { file: 'template.yaml', text: template }]);
    expect(r.ok).toBe(true);
    expect(r.warnings.filter((w) => w.includes('names MetricTemplate'))).toEqual([]);
    expect(r.ok && r.parts.checks.map((c) => c.name)).toEqual(['404s percentage', 'request-success-rate', 'request-duration']);
  });

  it('a Canary that runs no analysis says so of every template given', () => {
    const skipped = canary.replace('  analysis:\n', '  skipAnalysis: true\n  analysis:\n');
    const r = flaggerParts([{ file, text: skipped }, { file: 'template.yaml', text: template }]);
    expect(r.warnings.filter((w) => w.includes('MetricTemplate'))).toEqual([
      'template.yaml:296:9: metadata.name: the Canary "podinfo" (docs-traefik-tutorial.md:117:17) runs no analysis (skipAnalysis): MetricTemplate "not-found-percentage" is never queried, and none of its fields is rehearsed',
    ]);
  });
});

describe('kubernetes/website content/en/examples/controllers: a ReplicaSet, its autoscaling/v1 HPA, a ReplicationController', () => {
  const dir = join(root, 'test/fixtures/vendor/kubernetes');
  const file = (f: string) => ({ file: f, text: readFileSync(join(dir, f), 'utf8') });

  it('each has its replicas; the HPA keeps the ReplicaSet\'s within its bounds and its CPU target is warned', () => {
    const m = readManifests([file('frontend.yaml'), file('hpa-rs.yaml'), file('replication.yaml')]);
    expect(m.workloads.map((w) => [w.kind, w.names, w.replicas, w.where, w.hpa])).toEqual([
      ['ReplicaSet', ['frontend', 'nginx'], 3, 'frontend.yaml:10:13', { min: 3, max: 10, where: 'hpa-rs.yaml:10:16' }],
      ['ReplicationController', ['nginx'], 3, 'replication.yaml:9:15', null],
    ]);
    expect(m.warnings).toEqual([
      'hpa-rs.yaml:12:35: HorizontalPodAutoscaler frontend-scaler (document 1): its targetCPUUtilizationPercentage is not simulated (no autoscaling in a run): the run holds the replicas it starts from',
    ]);
  });

  it('calibrate --deployment gives a traced service of that name the ReplicaSet\'s replicas', () => {
    // Jaeger's HotROD trace has a service "frontend".
    const r = calibrateFiles([join(root, 'test/fixtures/traces/hotrod-otlp.json')], { deployment: dir, replicaConcurrency: '4' });
    expect(r.yaml).toMatch(/\n  frontend:\n    # ReplicaSet frontend \(.*frontend\.yaml:10:13\): 3 replicas; HorizontalPodAutoscaler \(.*hpa-rs\.yaml:10:16\) keeps 3 to 10 replicas: the run holds 3 \(no autoscaling\); workers per replica from --replica-concurrency;.*\n    replicas: 3\n    concurrency: 4\n/);
    expect(r.warnings.filter((w) => w.includes('frontend') && (w.includes('describes no capacity') || w.includes('in none of the files')))).toEqual([]);
  });

  it('kubectl\'s hack/testdata/list.yaml: a List is read item by item, each at its place', () => {
    const m = readManifests([file('kubectl-list.yaml')]);
    expect(m.workloads.map((w) => [w.kind, w.names, w.replicas, w.where])).toEqual([['Deployment', ['list-deployment-test'], 1, 'kubectl-list.yaml:21:15']]);
    expect(m.warnings).toEqual(['kubectl-list.yaml:4:3: Service list-service-test (document 1, items[0]): describes no capacity; not read']);
    // An empty List says so; a value a List item gets wrong is named by its path in the List.
    expect(readManifests([{ file: 'l.yaml', text: 'apiVersion: v1\nkind: List\nitems: []\n' }]).warnings).toEqual(['l.yaml:1:1: List (document 1): no items; nothing read']);
    expect(() => readManifests([{ file: 'l.yaml', text: file('kubectl-list.yaml').text.replace('replicas: 1', 'replicas: -1') }])).toThrow('l.yaml:21:15: items[1].spec.replicas: expected a whole number of at least 0, got -1');
  });

  it('a ReplicaSet a Deployment made is noted and not read: its controller sets its replicas', () => {
    const owned = file('frontend.yaml').text.replace('  labels:\n', '  ownerReferences:\n  - { apiVersion: apps/v1, kind: Deployment, name: frontend, uid: u, controller: true }\n  labels:\n');
    const m = readManifests([{ file: 'rs.yaml', text: owned }]);
    expect(m.workloads).toEqual([]);
    expect(m.warnings).toEqual(['rs.yaml:6:3: ReplicaSet frontend (document 1): its controller Deployment frontend sets its replicas; not read (give that Deployment)']);
    // A Deployment another operator owns (Flagger's primary, owned by its Canary) runs the replicas it has.
    const primary = file('kubectl-list.yaml').text.replace('    labels:\n      app: list-deployment-test\n  spec:', '    ownerReferences:\n    - { apiVersion: flagger.app/v1beta1, kind: Canary, name: c, uid: u, controller: true }\n    labels:\n      app: list-deployment-test\n  spec:');
    expect(primary).toContain('kind: Canary');
    expect(readManifests([{ file: 'p.yaml', text: primary }]).workloads.map((w) => [w.kind, w.replicas])).toEqual([['Deployment', 1]]);
  });
});

describe('argoproj/argo-rollouts docs/features/hpa-support.md: an HPA over a Rollout, for calibrate --deployment', () => {
  const page = readFileSync(join(root, 'test/fixtures/vendor/argo/docs-hpa-support.md'), 'utf8');

  it('the Rollout gives its replicas, kept within the HPA\'s bounds; its metrics are warned', () => {
    const m = readManifests([{ file: 'rollout.yaml', text: block(page, 23) }, { file: 'hpa.yaml', text: block(page, 75) }]);
    expect(m.workloads.map((w) => [w.kind, w.names, w.replicas, w.where, w.hpa])).toEqual([
      ['Rollout', ['rollout-hpa-example'], 3, 'rollout.yaml:29:13', { min: 1, max: 10, where: 'hpa.yaml:83:16' }],
    ]);
    expect(m.warnings).toEqual(['hpa.yaml:83:3: HorizontalPodAutoscaler demo-hpa (document 1): its metrics and behavior are not simulated (no autoscaling in a run): the run holds the replicas it starts from']);
  });

  it('a Rollout of another group (OpenKruise\'s rollouts.kruise.io, which names a workload and has no replicas) is not read', () => {
    const kruise = block(page, 23).replace('argoproj.io/v1alpha1', 'rollouts.kruise.io/v1beta1');
    const m = readManifests([{ file: 'rollout.yaml', text: kruise }]);
    expect(m.workloads).toEqual([]);
    expect(m.warnings).toEqual(['rollout.yaml:24:1: Rollout rollout-hpa-example (document 1): describes no capacity; not read']);
  });
});

describe('openzipkin/zipkin benchmarks span-rpc.json: Zipkin v1 JSON', () => {
  const file = join(root, 'test/fixtures/traces/zipkin-v1-span-rpc.json');
  const why = 'a span whose annotation has an endpoint, as Zipkin v1 JSON writes it: its service and kind are in its annotations\' endpoints and values (cs, sr, ss, cr), not read as v2 (Zipkin\'s UI refuses v1: "v1 format is not supported", zipkin-lens src/util/trace.js); give Zipkin v2 JSON (its /api/v2/trace/{traceId})';

  it('is refused at its first annotation\'s endpoint, not read as a v2 span without a service', async () => {
    let lines: readonly string[] = [];
    try {
      readTraceFile(file, () => {});
    } catch (e) {
      if (!(e instanceof InputError)) throw e;
      lines = e.lines;
    }
    expect(lines).toEqual([`${file}: no usable spans in this zipkin file: 1 skipped (1 ${why})`, `${file}:12:7: skipped: ${why}`]);
    const r = await cli(['calibrate', file, '-q']);
    expect(r.code).toBe(2);
    expect(r.err).toEqual(lines);
  });

  it('binaryAnnotations alone mark it too; a v2 span\'s annotations (timestamp and value) still read', () => {
    const v1 = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const dir = mkdtempSync(join(tmpdir(), 'zipkin-v1-'));
    try {
      const bare = { ...v1, annotations: (v1.annotations as { timestamp: number; value: string }[]).map(({ timestamp, value }) => ({ timestamp, value })) };
      writeFileSync(join(dir, 'bare.json'), JSON.stringify([bare]));
      expect(() => readTraceFile(join(dir, 'bare.json'), () => {})).toThrow(/skipped: a span whose binaryAnnotations are there, as Zipkin v1 JSON writes it: /);
      const v2 = { ...bare, binaryAnnotations: undefined, kind: 'CLIENT', localEndpoint: { serviceName: 'zipkin-web' } };
      writeFileSync(join(dir, 'v2.json'), JSON.stringify([v2]));
      const spans: string[] = [];
      readTraceFile(join(dir, 'v2.json'), (t) => spans.push(...t.map((x) => `${x.service} ${x.name} ${x.events.length}`)));
      expect(spans).toEqual(['zipkin-web get 6']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a List given to import argo: what kubectl get -o yaml writes of Argo\'s examples/rollout-canary.yaml', () => {
  it('is read item by item, as kubectl applies it (cli-runtime FlattenListVisitor), not as context with "found 0" Rollouts; a List of other kinds stays context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'argo-list-'));
    try {
      const rollout = readFileSync(join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml'), 'utf8');
      // kubectl's List: the resource indented as an item of `items`.
      const listed = `apiVersion: v1\nkind: List\nitems:\n${rollout.trimEnd().split('\n').map((l, i) => `${i === 0 ? '- ' : '  '}${l}`).join('\n')}\n`;
      writeFileSync(join(dir, 'list.yaml'), listed);
      const r = await cli(['import', 'argo', join(dir, 'list.yaml')]);
      const printed = async (file: string) => {
        const out: string[] = [];
        const code = await main(['import', 'argo', file], { out: (x) => out.push(x), err: () => {} });
        return [code, out.join('\n')];
      };
      expect(await printed(join(dir, 'list.yaml'))).toEqual(await printed(join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml')));
      const alone = await cli(['import', 'argo', join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml')]);
      // The same warnings, each at its place inside the item (a line down, two columns right of the document's).
      expect(r.code).toBe(0);
      expect(r.err.length).toBe(alone.err.length);
      expect(r.err.filter((l) => l.startsWith(`warning: ${join(dir, 'list.yaml')}:`)).length).toBe(r.err.length);
      const ok = await cli(['import', 'argo', join(root, 'test/fixtures/vendor/kubernetes/kubectl-list.yaml'), join(root, 'test/fixtures/vendor/argo/rollout-canary.yaml')]);
      expect(ok.code).toBe(0);
      expect(ok.err.filter((l) => l.includes('kubectl-list.yaml'))).toEqual([expect.stringMatching(/kubectl-list\.yaml:1:1: context, not rehearsed .*: List \(1:1\)$/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a List of PrometheusRules: kube-prometheus\' kubePrometheus-prometheusRule.yaml as kubectl get -o yaml writes it', () => {
  it('is read item by item, as kubectl applies it: the groups of the PrometheusRule alone', () => {
    const rule = readFileSync(join(root, 'test/fixtures/vendor/kube-prometheus/kubePrometheus-prometheusRule.yaml'), 'utf8');
    const listed = `apiVersion: v1\nkind: List\nitems:\n${rule.trimEnd().split('\n').map((l, i) => `${i === 0 ? '- ' : '  '}${l}`).join('\n')}\n`;
    const read = readRuleFile(listed, 'rules.yaml');
    expect(read.groups.length).toBe(4);
    expect(read.groups.map((g) => g.rules.map((r) => r.name))).toEqual(readRuleFile(rule, 'rules.yaml').groups.map((g) => g.rules.map((r) => r.name)));
  });
});

describe('a List of FeatureFlags: the OpenFeature Operator\'s core_v1beta1_featureflag.yaml as kubectl get -o yaml writes it', () => {
  it('is read item by item, as kubectl applies it: the FeatureFlag\'s flag, evaluated as the document alone', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-list-'));
    try {
      const flag = readFileSync(join(root, 'test/fixtures/vendor/openfeature-operator/core_v1beta1_featureflag.yaml'), 'utf8');
      writeFileSync(join(dir, 'flags.yaml'), `apiVersion: v1\nkind: List\nitems:\n${flag.trimEnd().split('\n').map((l, i) => `${i === 0 ? '- ' : '  '}${l}`).join('\n')}\n`);
      const evaluated = async (file: string) => {
        const out: string[] = [];
        const code = await main(['flags', 'eval', file, '--flag', 'simple-flag', '--context', '{"targetingKey":"u1"}', '--json'], { out: (x) => out.push(x), err: () => {} });
        return { code, out: out.join('\n') };
      };
      const listed = await evaluated(join(dir, 'flags.yaml'));
      expect(listed.code).toBe(0);
      expect(listed.out).toEqual((await evaluated(join(root, 'test/fixtures/vendor/openfeature-operator/core_v1beta1_featureflag.yaml'))).out);
      expect(JSON.parse(listed.out)).toMatchObject({ variant: 'on', value: true });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
