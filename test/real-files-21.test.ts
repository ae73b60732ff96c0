/**
 * Round 21 of the real-files sweep: published files of the vendors run through rehearse, each outcome asserted.
 * - argoproj/argo-rollouts pkg/kubectl-argo-rollouts/cmd/lint/testdata (at 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d)
 *   with lint_test.go's verdicts: invalid-service-labels.yml and invalid-ping-pong.yml name Services whose selector
 *   (`app: istio-host-split`, `app: invalid-rollout-miss-match`) is not a label of the Rollout's pod template
 *   (`app: invalid-rollout`). The controller refuses them (pkg/apis/rollouts/validation/validation_references.go
 *   ValidateService: "Service %q has unmatch label %q in rollout", run by rollout/controller.go on the stable,
 *   canary, ping and pong Services; the Rollout is InvalidSpec and never progresses), and lint expects that error.
 *   rehearse imported both (exit 0) and rehearsed a rollout that never happens: now refused at the Rollout's field,
 *   naming the Service's selector. A Service annotated `argo-rollouts.argoproj.io/managed-by-rollouts` for another
 *   Rollout is refused likewise (ValidateService, "Service %q is managed by another Rollout").
 * - invalid-unknown-field.yml (`strategy: {unknown-strategy: ...}`; lint expects `unknown field "unknown-strategy"`)
 *   was refused as "spec.strategy: no canary strategy", the unknown name unsaid; invalid-empty-rollout-vsvc.yml (a
 *   Rollout without a spec; lint expects "spec.selector: Required value") likewise. Now the unknown field is named,
 *   and the controller's own refusals of the spec (missing selector, no container) are said before the strategy.
 * - The lint's valid files with Services (valid-istio-v1beta1.yml, valid-ingress-smi.yml) still import. Its
 *   valid-nginx-canary.yml stays refused, as before: lint does not look at the Ingress, but the controller's nginx
 *   router cannot make the canary Ingress from a stable Ingress with no rule for the stableService
 *   (rollout/trafficrouting/nginx/nginx.go canaryIngress: "ingress `%s` has no rules using service %s backend").
 * - open-telemetry/opentelemetry-proto examples/ (at ac2c4b5d1f3a6079de62f9afec860158ecc8af09), the OTLP/HTTP request
 *   examples of every signal: trace.json is read (one server span of my.service, its parent elsewhere, ids in
 *   upper-case hex). logs.json and metrics.json, given to `calibrate`, were refused with `"resourceLogs" is not a key
 *   of a trace document ...; did you mean "resourceSpans"?`, as if a trace export had a misspelt key; now the key
 *   says what the file is (logs.proto LogsData, metrics.proto MetricsData), with what to give instead.
 * - GoogleCloudPlatform/microservices-demo (at 34ffea9175946982c3088ed84994fe6019ad6e92): kubernetes-manifests/
 *   frontend.yaml and release/kubernetes-manifests.yaml both write `Deployment frontend`. Given as one folder to
 *   `calibrate --deployment`, the second silently replaced the first (the same replicas here; different ones were
 *   read as whichever came last, unsaid). `kubectl apply -f` applies the files in name order, so the object is as
 *   the later one writes it: that one is still read, and the earlier is now warned at its place. Two different
 *   workloads matching one traced service (a Deployment and its canary under one `app` label) were read as the
 *   last one matched, the other's pods dropped unsaid: now one matched by metadata.name is taken over those matched
 *   by a label (which are warned), and two of the same rank are refused, asking for --capacity.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { cli as run } from './helpers.js';

const root = join(import.meta.dirname, '..');
const vendor = (p: string) => join(root, 'test/fixtures/vendor', p);
const tmp = mkdtempSync(join(tmpdir(), 'real-files-21-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** helpers.ts's cli, its output as lines. */
async function cli(args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const r = await run(...args);
  return { code: r.code, out: r.out.split('\n').filter(Boolean), err: r.err.split('\n').filter(Boolean) };
}

/** The AnalysisTemplate the lint files' Rollouts name (lint itself does not resolve it). */
const integrationTests = join(import.meta.dirname, 'fixtures/argo/lint-integrationtests.yaml');

const errors = (err: string[]) => err.filter((l) => !l.startsWith('warning:'));

describe('kubectl-argo-rollouts lint testdata: the Services a Rollout names', () => {
  it('invalid-service-labels.yml: refused for each Service whose selector the pod template does not match, as lint_test.go expects', async () => {
    const file = vendor('argo/lint-invalid-service-labels.yml');
    const r = await cli(['import', 'argo', file, integrationTests]);
    expect(r.code).toBe(2);
    const e = errors(r.err);
    expect(e).toHaveLength(2);
    // lint_test.go: `spec.strategy.canary.canaryService: Invalid value: "istio-host-split-canary": Service "istio-host-split-canary" has unmatch label "app" in rollout`
    const canary = e.find((l) => l.includes('spec.strategy.canary.canaryService'));
    expect(canary).toContain(`${file}:11:22: spec.strategy.canary.canaryService: the controller marks the Rollout InvalidSpec`);
    expect(canary).toContain('Service "istio-host-split-canary" has unmatch label "app" in rollout');
    expect(canary).toContain(`the Service selects app="istio-host-split" at ${file}:55:10, the pod template's is "invalid-rollout"`);
    expect(e.find((l) => l.includes('spec.strategy.canary.stableService'))).toContain(`${file}:12:22: spec.strategy.canary.stableService: the controller marks the Rollout InvalidSpec and never rolls it out ("Service "istio-host-split-stable" has unmatch label "app" in rollout"`);
    expect(r.out).toEqual([]);
  });

  it('invalid-ping-pong.yml: the ping and pong Services are checked too (pingService first, as lint_test.go names it)', async () => {
    const file = vendor('argo/lint-invalid-ping-pong.yml');
    const r = await cli(['import', 'argo', file, integrationTests]);
    expect(r.code).toBe(2);
    const e = errors(r.err);
    expect(e[0]).toContain(`${file}:12:22: spec.strategy.canary.pingPong.pingService: the controller marks the Rollout InvalidSpec and never rolls it out ("Service "ping-service" has unmatch label "app" in rollout"`);
    expect(e[1]).toContain(`${file}:13:22: spec.strategy.canary.pingPong.pongService:`);
    expect(e[1]).toContain('"Service "pong-service" has unmatch label "app" in rollout"');
  });

  it('the lint\'s valid files whose Services select the pod template still import', async () => {
    for (const f of ['argo/lint-valid-istio-v1beta1.yml', 'argo/lint-valid-ingress-smi.yml']) {
      const r = await cli(['import', 'argo', vendor(f)]);
      expect(errors(r.err), f).toEqual([]);
      expect(r.code, f).toBe(0);
      expect(r.out.join('\n')).toContain('rollout:');
    }
  });

  it('valid-nginx-canary.yml: lint passes it, the controller\'s nginx router cannot make its canary Ingress: refused', async () => {
    const file = vendor('argo/lint-valid-nginx-canary.yml');
    const r = await cli(['import', 'argo', file]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([expect.stringContaining(`${file}:89:26: spec.strategy.canary.trafficRouting.nginx.stableIngress: Ingress "nginx-rollout-ingress" has no rule with the stableService "nginx-rollout-stable" as backend`)]);
  });

  it('invalid-unknown-field.yml: the unknown strategy is named (lint: unknown field "unknown-strategy")', async () => {
    const file = vendor('argo/lint-invalid-unknown-field.yml');
    const r = await cli(['import', 'argo', file, integrationTests]);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${file}:10:7: spec.strategy.unknown-strategy: unknown field "unknown-strategy" (the Rollout's strategy is canary or blueGreen): kubectl's strict validation refuses it, and without it the Rollout has no canary strategy`]);
  });

  it('invalid-empty-rollout-vsvc.yml: a Rollout without a spec is refused first for its missing selector, as lint_test.go expects', async () => {
    const file = vendor('argo/lint-invalid-empty-rollout-vsvc.yml');
    const r = await cli(['import', 'argo', file]);
    expect(r.code).toBe(2);
    const e = errors(r.err);
    expect(e[0]).toBe(`${file}:1:1: spec: the controller marks the Rollout InvalidSpec and never rolls it out ("Rollout has missing field '.spec.selector'", pkg/apis/rollouts/validation/validation.go)`);
    expect(e.at(-1)).toBe(`${file}:1:1: spec.strategy: no canary strategy`);
  });
});

describe('ValidateService beyond the lint files (validation_references.go, validation_references_test.go)', () => {
  const rollout = (extra: string) => `apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: shop
spec:
${extra}  strategy:
    canary:
      canaryService: shop-canary
      stableService: shop-stable
      steps:
        - setWeight: 20
        - pause: { duration: 1m }
`;
  const podTemplate = `  selector:
    matchLabels:
      app: shop
  template:
    metadata:
      labels:
        app: shop
        tier: web
    spec:
      containers:
        - name: shop
          image: shop:1
`;
  const service = (name: string, selector: string, annotations = '') => `---
apiVersion: v1
kind: Service
metadata:
  name: ${name}
${annotations}spec:
  selector:
${selector}  ports:
    - port: 80
`;
  const write = (name: string, text: string) => {
    const f = join(tmp, name);
    writeFileSync(f, text);
    return f;
  };

  it('the controller\'s own label rollouts-pod-template-hash is skipped; a subset of the pod template\'s labels matches', async () => {
    const f = write('match.yaml', rollout(podTemplate) + service('shop-canary', '    app: shop\n    rollouts-pod-template-hash: abc\n') + service('shop-stable', '    tier: web\n'));
    const r = await cli(['import', 'argo', f]);
    expect(errors(r.err)).toEqual([]);
    expect(r.code).toBe(0);
  });

  it('a label the pod template lacks, and a Service managed by another Rollout, are refused', async () => {
    const f = write('mismatch.yaml', rollout(podTemplate)
      + service('shop-canary', '    app: shop\n    version: v2\n')
      + service('shop-stable', '    app: shop\n', '  annotations:\n    argo-rollouts.argoproj.io/managed-by-rollouts: cart\n'));
    const r = await cli(['import', 'argo', f]);
    expect(r.code).toBe(2);
    const e = errors(r.err);
    expect(e).toHaveLength(2);
    expect(e.find((l) => l.includes('canaryService'))).toContain('("Service "shop-canary" has unmatch label "version" in rollout", pkg/apis/rollouts/validation/validation_references.go ValidateService; the Service selects version="v2"');
    expect(e.find((l) => l.includes('canaryService'))).toContain('the pod template has no such label');
    expect(e.find((l) => l.includes('stableService'))).toContain('("Service "shop-stable" is managed by another Rollout", pkg/apis/rollouts/validation/validation_references.go ValidateService; argo-rollouts.argoproj.io/managed-by-rollouts: "cart"');
  });

  it('with a workloadRef, the labels are those of the Deployment it names, when the files hold it (rollout/templateref.go)', async () => {
    const ref = `  workloadRef:
    apiVersion: apps/v1
    kind: Deployment
    name: shop-deploy
  selector:
    matchLabels:
      app: shop
`;
    const deployment = (app: string) => `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: shop-deploy
spec:
  selector:
    matchLabels:
      app: ${app}
  template:
    metadata:
      labels:
        app: ${app}
    spec:
      containers:
        - name: shop
          image: shop:1
`;
    const services = service('shop-canary', '    app: shop\n') + service('shop-stable', '    app: shop\n');
    const good = await cli(['import', 'argo', write('ref-good.yaml', rollout(ref) + deployment('shop') + services)]);
    expect(errors(good.err)).toEqual([]);
    expect(good.code).toBe(0);
    const bad = await cli(['import', 'argo', write('ref-bad.yaml', rollout(ref) + deployment('store') + services)]);
    expect(bad.code).toBe(2);
    expect(errors(bad.err).some((l) => l.includes('has unmatch label "app" in rollout') && l.includes('the pod template\'s is "store"'))).toBe(true);
    // Without the Deployment in the files, the labels are unknown: not judged.
    const unknown = await cli(['import', 'argo', write('ref-unknown.yaml', rollout(ref) + services)]);
    expect(errors(unknown.err)).toEqual([]);
    expect(unknown.code).toBe(0);
  });
});

describe('opentelemetry-proto examples/: the OTLP request examples of each signal, given to calibrate', () => {
  const traces = (f: string) => join(root, 'test/fixtures/traces', f);

  it('trace.json: one server span of my.service, read; its parent is not in the file', async () => {
    const out = join(tmp, 'otlp-trace.yaml');
    const r = await cli(['calibrate', traces('otlp-proto-example-trace.json'), '--out', out]);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toContain('1 span in 1 trace from 1 file: 1 service, 1 endpoint, 1 journey');
    expect(r.err).toEqual(['warning: orphan spans: 1 span(s) whose parent is not in the files (treated as roots of journeys of their own), in traces 5b8efff798038103d269b633813fc60c']);
  });

  it.each([
    ['otlp-proto-example-logs.json', '2:19', 'resourceLogs', 'logs (LogsData, opentelemetry/proto/logs/v1/logs.proto)'],
    ['otlp-proto-example-metrics.json', '2:22', 'resourceMetrics', 'metrics (MetricsData, opentelemetry/proto/metrics/v1/metrics.proto)'],
  ])('%s is refused as what it is, not as a trace export with a misspelt key', async (name, at, key, what) => {
    const file = traces(name);
    const r = await cli(['calibrate', file, '--out', join(tmp, 'never-written.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err[0]).toMatch(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: no trace format found: `));
    expect(r.err.slice(1)).toEqual([`${file}:${at}: "${key}": an OTLP export of ${what}, not of traces: not read; give traces (OTLP JSON's resourceSpans, as an SDK or the collector's otlp or file exporter writes them)`]);
    expect(r.err.join('\n')).not.toContain('did you mean');
  });

  it("the proto's snake_case names, which protobuf's JSON readers also take, are said alike", async () => {
    const file = join(tmp, 'profiles.json');
    writeFileSync(file, '{"resource_profiles": [], "dictionary": {}}\n');
    const r = await cli(['calibrate', file, '--out', join(tmp, 'never-written.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${file}:1:23: "resource_profiles": an OTLP export of profiles (ProfilesData, opentelemetry/proto/profiles/v1development/profiles.proto), not of traces: not read; give traces (OTLP JSON's resourceSpans, as an SDK or the collector's otlp or file exporter writes them)`);
  });
});

describe('calibrate --deployment: a workload written twice, and workloads that share a traced service', () => {
  const hotrod = join(root, 'test/fixtures/traces/hotrod-otlp.json');
  const deployment = (name: string, replicas: number, labels = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
${labels}spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: x } }
  template:
    metadata: { labels: { app: x } }
    spec: { containers: [{ name: x, image: x }] }
`;
  const folder = (name: string, files: Record<string, string>) => {
    const dir = join(tmp, name);
    mkdirSync(dir, { recursive: true });
    for (const [f, text] of Object.entries(files)) writeFileSync(join(dir, f), text);
    return dir;
  };

  it('microservices-demo: the frontend Deployment of both files is one object, read from the later file; the earlier is warned', () => {
    const dir = vendor('microservices-demo');
    const r = calibrateFiles([hotrod], { deployment: dir });
    expect(r.warnings).toContain(`${dir}/kubernetes-manifests/frontend.yaml:22:3: Deployment frontend: written again at ${dir}/release/kubernetes-manifests.yaml:28:3, which kubectl apply applies after it (files in name order): the later one is read, this one is not`);
    expect(r.yaml).toContain(`  frontend:\n    # Deployment frontend (${dir}/release/kubernetes-manifests.yaml:28:3): 1 replicas;`);
  });

  it('the same Deployment written with other replicas: the later file\'s are read, and the earlier is said', () => {
    const dir = folder('twice', { 'a.yaml': deployment('frontend', 2), 'b.yaml': deployment('frontend', 5) });
    const r = calibrateFiles([hotrod], { deployment: dir });
    expect(r.yaml).toMatch(/\n  frontend:\n    # Deployment frontend \(.*b\.yaml:6:13\): 5 replicas;.*\n    replicas: 5\n/);
    expect(r.warnings.filter((w) => w.includes('written again'))).toEqual([`${dir}/a.yaml:6:13: Deployment frontend: written again at ${dir}/b.yaml:6:13, which kubectl apply applies after it (files in name order): the later one is read, this one is not`]);
    // Another namespace is another object: both are read, and only one can be the service's (by name: refused below).
    const ns = folder('namespaces', { 'a.yaml': deployment('frontend', 2), 'b.yaml': deployment('frontend', 5, '  namespace: staging\n') });
    expect(() => calibrateFiles([hotrod], { deployment: ns })).toThrow(/Deployment frontend \(.*a\.yaml:6:13\) and Deployment frontend \(.*b\.yaml:7:13\) both match the traced service "frontend" \(by name\)/);
  });

  it('a workload named like the service is taken over one that carries its name as a label, which is warned (it was the last one matched)', () => {
    const dir = folder('canary', { 'a.yaml': deployment('frontend', 2), 'b.yaml': deployment('frontend-canary', 1, '  labels: { app: frontend }\n') });
    const r = calibrateFiles([hotrod], { deployment: dir });
    expect(r.yaml).toMatch(/\n  frontend:\n    # Deployment frontend \(.*a\.yaml:6:13\): 2 replicas;.*\n    replicas: 2\n/);
    expect(r.warnings).toContain(`${dir}/b.yaml:7:13: Deployment frontend-canary: matches service "frontend" by its label, where Deployment frontend (${dir}/a.yaml:6:13) matches it by name: not used`);
  });

  it('two workloads that match the service alike are refused, naming both, unless --capacity gives it', async () => {
    const dir = folder('alike', { 'a.yaml': deployment('web', 2, '  labels: { app: frontend }\n'), 'b.yaml': deployment('web-canary', 1, '  labels: { app: frontend }\n') });
    const r = await cli(['calibrate', hotrod, '--deployment', dir, '--out', join(tmp, 'never-written.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err.filter((l) => !l.startsWith('warning:'))).toEqual([`--deployment: Deployment web (${dir}/a.yaml:7:13) and Deployment web-canary (${dir}/b.yaml:7:13) both match the traced service "frontend" (by label): its pods are theirs together, which rehearse does not add up; give its capacity with --capacity frontend=REPLICASxWORKERS`]);
    const given = calibrateFiles([hotrod], { deployment: dir, capacity: 'frontend=3x4' });
    expect(given.yaml).toMatch(/\n  frontend:\n    # given: --capacity frontend=3x4;.*\n    replicas: 3\n    concurrency: 4\n/);
  });
});
