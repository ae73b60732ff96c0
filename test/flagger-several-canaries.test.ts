/**
 * Files of several Flagger Canaries (a kustomize build, a Helm render, several Canaries kept in one file): a plan is
 * one Canary's, as Flagger's scheduler runs each alone (fluxcd/flagger pkg/controller/scheduler.go
 * scheduleCanaries: one CanaryJob per Canary, keyed <name>.<namespace>, on its own ticker; controller.go stores
 * each so). `rehearse import flagger --canary NAME` and a scenario's `flagger.name` name it, as `--rollout` and
 * `argo.name` name a Rollout: none is picked silently, a name the files do not hold is refused with the closest
 * (exit 2), and the MetricTemplates the named Canary references are read as they are for a file of one.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPatches } from '../src/interop/patch.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { runScenario } from '../src/score/result.js';
import { cli } from './helpers.js';

const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('warning:'));
const tmp = mkdtempSync(join(tmpdir(), 'rehearse-two-canaries-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

// Flagger's tutorial Canary (examples/flagger/canary.yaml, 72 lines), then a second one: named "checkout", with
// stepWeight 25 and without the templateRef, so the two plans differ in their stages and gates.
const podinfo = readFileSync('examples/flagger/canary.yaml', 'utf8');
const checkout = podinfo.replace('name: podinfo\n', 'name: checkout\n').replace('stepWeight: 10', 'stepWeight: 25')
  .replace(/    - name: "404s percentage"\n(      .*\n){6}/, '');
const two = join(tmp, 'canaries.yaml');
writeFileSync(two, `${podinfo}---\n${checkout}`);
const templates = 'examples/flagger/metric-templates.yaml';
const secondAt = podinfo.split('\n').length + 6; // the line of the second Canary's metadata.name

describe('rehearse import flagger: files with several Canaries', () => {
  it('lists them and imports none until one is named (exit 2)', async () => {
    const r = await cli('import', 'flagger', two, templates);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${two}, ${templates}: 2 Canaries: "podinfo" (${two}:6:9), "checkout" (${two}:${secondAt}:9); a plan rehearses one: name it (rehearse import flagger --canary NAME; in a scenario, flagger.name)`]);
  });

  it('--canary NAME imports that one, as the file of it alone does, and says at the other that it is not rehearsed', async () => {
    const r = await cli('import', 'flagger', two, templates, '--canary', 'checkout');
    expect(r.code).toBe(0);
    expect(r.out).toContain('# From the Canary "checkout" (target podinfo, namespace test)');
    const plan = parse(r.out).rollout[0];
    expect(plan.stages.map((s: { to: string }) => s.to)).toEqual(['25%', '50%', '100%']);
    expect(plan.gates.map((g: { name: string }) => g.name)).toEqual(['request-success-rate', 'request-duration']);
    expect(r.err.split('\n')).toContain(`warning: ${two}:6:9: metadata.name: the Canary "podinfo" is not rehearsed: the plan is the Canary "checkout"'s (--canary checkout)`);
    // Nothing of the other Canary is read: no warning at its fields (lines 7 to 72).
    expect(r.err.split('\n').filter((l) => new RegExp(`canaries\\.yaml:([7-9]|[1-6]\\d|7[0-2]):`).test(l))).toEqual([]);
    const alone = join(tmp, 'checkout.yaml');
    writeFileSync(alone, checkout);
    const a = await cli('import', 'flagger', alone, templates);
    expect(r.out).toBe(a.out);
  });

  it('the MetricTemplate the named Canary references is rendered into its gate, as for a file of one', async () => {
    const r = await cli('import', 'flagger', two, templates, '--canary', 'podinfo');
    const a = await cli('import', 'flagger', 'examples/flagger/canary.yaml', templates);
    expect(r.code).toBe(0);
    expect(r.out).toBe(a.out);
    const gate = parse(r.out).rollout[0].gates.find((g: { name: string }) => g.name === '404s percentage');
    expect(gate.promql).toContain('destination_workload_namespace="test", destination_workload="podinfo", response_code!="404"');
    expect(r.err.split('\n')).toContain(`warning: ${two}:${secondAt}:9: metadata.name: the Canary "checkout" is not rehearsed: the plan is the Canary "podinfo"'s (--canary podinfo)`);
  });

  it('--canary with a name the files do not hold is an error with the closest name; one Canary is checked all the same', async () => {
    const r = await cli('import', 'flagger', two, templates, '--canary', 'chekout');
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`--canary "chekout": no Canary of that name in ${two}, ${templates}; did you mean "checkout"? (they hold "podinfo" (${two}:6:9), "checkout" (${two}:${secondAt}:9))`]);
    const one = await cli('import', 'flagger', 'examples/flagger/canary.yaml', '--canary', 'podnfo');
    expect([one.code, errors(one.err)]).toEqual([2, ['--canary "podnfo": no Canary of that name in examples/flagger/canary.yaml; did you mean "podinfo"? (they hold "podinfo" (examples/flagger/canary.yaml:6:9))']]);
  });

  it('two Canaries of one name in two namespaces are refused with their places and the NAMESPACE/NAME of each, as two Rollouts are', async () => {
    const both = join(tmp, 'namespaces.yaml');
    writeFileSync(both, `${podinfo}---\n${podinfo.replace('namespace: test\n', 'namespace: prod\n')}`);
    const r = await cli('import', 'flagger', both, '--canary', 'podinfo');
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`--canary "podinfo": 2 Canaries of that name in ${both}: ${both}:6:9 (namespace "test"), ${both}:${secondAt}:9 (namespace "prod"); name one as NAMESPACE/NAME ("test/podinfo", "prod/podinfo")`]);
  });

  it('--canary is an option of import flagger only', async () => {
    const r = await cli('import', 'argo', 'examples/argo/rollout.yaml', '--canary', 'x');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--canary');
  });
});

describe('a scenario\'s flagger.name', () => {
  writeFileSync(join(tmp, 'metric-templates.yaml'), readFileSync(templates, 'utf8'));
  const raw = parse(readFileSync('examples/flagger/podinfo.yaml', 'utf8'));
  const write = (name: string | undefined, patches?: unknown[]) => {
    const s = structuredClone(raw);
    s.rollout[0].flagger.canary = 'canaries.yaml';
    if (name !== undefined) s.rollout[0].flagger.name = name;
    if (patches) s.rollout[0].flagger.patches = patches;
    const file = join(tmp, `scenario-${name ?? 'none'}${patches ? '-patched' : ''}.yaml`);
    writeFileSync(file, stringify(s));
    return file;
  };

  it('without it, the scenario is refused at its flagger: entry with the Canaries listed', () => {
    const l = loadScenarioFile(write(undefined));
    expect(l.ok ? [] : l.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^canaries\.yaml, metric-templates\.yaml: 2 Canaries: "podinfo" \(canaries\.yaml:6:9\), "checkout" \(canaries\.yaml:\d+:9\); a plan rehearses one: name it/)]);
  });

  it('a name it does not hold is refused at flagger.name with the closest', () => {
    const l = loadScenarioFile(write('podnfo'));
    expect(l.ok ? [] : l.problems.map((p) => p.message)).toEqual([expect.stringMatching(/^rollout\[0\]\.flagger\.name "podnfo": no Canary of that name in canaries\.yaml, metric-templates\.yaml; did you mean "podinfo"\?/)]);
  });

  it('named, it rehearses as the file with that Canary alone does', () => {
    const l = loadScenarioFile(write('podinfo'), 'defective');
    const alone = loadScenarioFile('examples/flagger/podinfo.yaml', 'defective');
    if (!l.ok || !alone.ok) throw new Error('not loaded');
    const a = runScenario(l.scenario);
    const b = runScenario(alone.scenario);
    expect(a.rollouts.map((r) => [r.outcome, r.finalPercent])).toEqual([['rolled-back', 0]]);
    expect(JSON.stringify(a.rollouts)).toBe(JSON.stringify(b.rollouts));
  });

  it('its patches (a sweep\'s tune.vary) write into the Canary it names, not the first of the file', () => {
    const l = loadScenarioFile(write('checkout', [{ resource: 'canary', path: ['spec', 'analysis', 'stepWeight'], value: 50 }]), 'healthy');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const stages = l.scenario.rollouts[0].stages.map((s) => s.percent);
    expect(stages).toEqual([50, 100]);
  });
});

describe('applyPatches with a named Rollout or Canary', () => {
  it('writes into the document of that name, for argo.name as for flagger.name', () => {
    const ro = (name: string) => `apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata:\n  name: ${name}\nspec:\n  replicas: 1\n`;
    const text = `${ro('a')}---\n${ro('b')}`;
    const r = applyPatches({ file: 'ro.yaml', text }, [], [{ resource: 'rollout', path: ['spec', 'replicas'], value: 3 }], 'b');
    expect(r.files[0].text).toBe(`${ro('a')}---\n${ro('b').replace('replicas: 1', 'replicas: 3')}`);
    const none = applyPatches({ file: 'ro.yaml', text }, [], [{ resource: 'rollout', path: ['spec', 'replicas'], value: 3 }], 'c');
    expect(none.problems).toEqual(['rollout: no such resource (no Rollout named "c" in ro.yaml)']);
  });
});

/**
 * A List, as `kubectl get canary -A -o yaml` writes it: kubectl applies each of its items (cli-runtime
 * pkg/resource/visitor.go FlattenListVisitor), so each is read as a resource of its own, with the fields the API
 * server adds (metadata.uid, resourceVersion, generation, creationTimestamp, and the controller's status) warned.
 */
describe('a List of Canaries, as kubectl get -o yaml writes it', () => {
  const added = (d: Record<string, unknown>, i: number) => ({
    ...d,
    metadata: { ...(d.metadata as object), uid: `6f1c0c8e-0000-4000-8000-00000000000${i}`, resourceVersion: '1234', generation: 1, creationTimestamp: '2026-01-01T00:00:00Z' },
    status: { phase: 'Succeeded', canaryWeight: 0, failedChecks: 0, iterations: 0, lastTransitionTime: '2026-01-01T00:05:00Z' },
  });
  const items = readFileSync('test/fixtures/flagger/canaries.yaml', 'utf8').split(/^---\n/m).map((t) => added(parse(t), 0));
  items[1] = added(items[1], 1);
  const list = join(tmp, 'list.yaml');
  writeFileSync(list, stringify({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } }));
  const lines = readFileSync(list, 'utf8').split('\n');
  const nameLine = (n: string) => lines.findIndex((l) => l === `      name: ${n}`) + 1;

  it('its items are read as the Canaries they are: listed with their places, none picked', async () => {
    const r = await cli('import', 'flagger', list, templates);
    expect(r.code).toBe(2);
    expect(errors(r.err)).toEqual([`${list}, ${templates}: 2 Canaries: "podinfo" (${list}:${nameLine('podinfo')}:13), "checkout" (${list}:${nameLine('checkout')}:13); a plan rehearses one: name it (rehearse import flagger --canary NAME; in a scenario, flagger.name)`]);
  });

  it('--canary NAME imports the plan the Canary\'s own file gives, each warning at its place inside the List', async () => {
    const r = await cli('import', 'flagger', list, templates, '--canary', 'podinfo');
    const a = await cli('import', 'flagger', 'examples/flagger/canary.yaml', templates);
    expect(r.code).toBe(0);
    expect(r.out).toBe(a.out);
    const warned = r.err.split('\n');
    const uid = lines.findIndex((l) => l.includes('uid: 6f1c0c8e-0000-4000-8000-000000000000')) + 1;
    expect(warned).toContain(`warning: ${list}:${uid}:12: metadata.uid, metadata.resourceVersion (${uid + 1}:24), metadata.generation (${uid + 2}:19), metadata.creationTimestamp (${uid + 3}:26): object metadata, not rehearsed`);
    const status = lines.findIndex((l) => l === '    status:') + 2; // the mapping under the key
    expect(warned).toContain(`warning: ${list}:${status}:7: status: the status is the controller's record of a run: not read`);
    expect(warned).toContain(`warning: ${list}:${nameLine('checkout')}:13: metadata.name: the Canary "checkout" is not rehearsed: the plan is the Canary "podinfo"'s (--canary podinfo)`);
  });

  it('an item that is no resource is refused at its place', async () => {
    const bad = join(tmp, 'bad-list.yaml');
    writeFileSync(bad, stringify({ apiVersion: 'v1', kind: 'List', items: [items[0], 'podinfo'] }));
    const r = await cli('import', 'flagger', bad);
    expect(r.code).toBe(2);
    const at = readFileSync(bad, 'utf8').split('\n').findIndex((l) => l === '  - podinfo') + 1;
    expect(errors(r.err)).toEqual([`${bad}:${at}:5: items[1]: a Kubernetes resource is a mapping with apiVersion, kind and metadata`]);
  });

  it('a scenario\'s flagger.name picks one of its items, and its patches write into that item', () => {
    const s = structuredClone(raw0());
    s.rollout[0].flagger = { ...s.rollout[0].flagger, canary: 'list.yaml', name: 'checkout', patches: [{ resource: 'canary', path: ['spec', 'analysis', 'stepWeight'], value: 50 }] };
    const file = join(tmp, 'scenario-list.yaml');
    writeFileSync(file, stringify(s));
    const l = loadScenarioFile(file, 'healthy');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    expect(l.scenario.rollouts[0].stages.map((st) => st.percent)).toEqual([50, 100]);
  });
});

function raw0() {
  const s = parse(readFileSync('examples/flagger/podinfo.yaml', 'utf8'));
  s.rollout[0].flagger.templates = ['metric-templates.yaml'];
  return s;
}
