/**
 * `--rollout NAMESPACE/NAME`, `--canary NAMESPACE/NAME` and a scenario's argo.name / flagger.name in that form: the
 * List `kubectl get rollouts -A -o yaml` prints for a cluster where two teams both call theirs "guestbook" names each
 * by its namespace, as kubectl and client-go name a namespaced resource (apimachinery pkg/types/namespacedname.go
 * String: namespace + "/" + name; client-go tools/cache/store.go SplitMetaNamespaceKey: "unexpected key format" for
 * more than one "/"). A resource without metadata.namespace is in the namespace kubectl applies it to
 * (cli-runtime pkg/resource/visitor.go SetNamespace: len(info.Namespace) == 0 takes the namespace given), so
 * NAMESPACE/NAME matches it in any namespace, and NAME alone matches every resource of that name.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { lintRollouts } from '../src/interop/argo/index.js';
import { applyPatches } from '../src/interop/patch.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import { cli } from './helpers.js';

const errors = (err: string) => err.split('\n').filter((l) => l && !l.startsWith('warning:'));
const tmp = mkdtempSync(join(tmpdir(), 'rehearse-namespaced-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const templates = 'examples/argo/analysis-templates.yaml';
const rollout = parse(readFileSync('examples/argo/rollout.yaml', 'utf8'));
const inNamespace = (ns: string | null, firstWeight: number) => {
  const r = structuredClone(rollout);
  if (ns !== null) r.metadata.namespace = ns;
  r.spec.strategy.canary.steps[0].setWeight = firstWeight;
  return r;
};
// Team A's at 20% first, team B's at 10%: the two plans differ in their first stage.
const list = join(tmp, 'rollouts.yaml');
writeFileSync(list, stringify({ apiVersion: 'v1', kind: 'List', items: [inNamespace('team-a', 20), inNamespace('team-b', 10)], metadata: { resourceVersion: '' } }));
const lines = readFileSync(list, 'utf8').split('\n');
const names = lines.flatMap((l, i) => (l === '      name: guestbook' ? [i + 1] : []));
const firstStage = (out: string) => parse(out).rollout[0].stages[0].to;

describe('import argo --rollout NAMESPACE/NAME', () => {
  it('a name two namespaces hold is refused, with the NAMESPACE/NAME of each to give', async () => {
    const none = await cli('import', 'argo', list, templates);
    expect([none.code, errors(none.err)]).toEqual([2, [`${list}, ${templates}: 2 Rollouts: "team-a/guestbook" (${list}:${names[0]}:13), "team-b/guestbook" (${list}:${names[1]}:13); a plan rehearses one: name it (rehearse import argo --rollout NAME; in a scenario, argo.name)`]]);
    const r = await cli('import', 'argo', list, templates, '--rollout', 'guestbook');
    expect([r.code, errors(r.err)]).toEqual([2, [`--rollout "guestbook": 2 Rollouts of that name in ${list}, ${templates}: ${list}:${names[0]}:13 (namespace "team-a"), ${list}:${names[1]}:13 (namespace "team-b"); name one as NAMESPACE/NAME ("team-a/guestbook", "team-b/guestbook")`]]);
  });

  it('NAMESPACE/NAME imports that one, as its own file does, and the other is named so where it is not rehearsed', async () => {
    const r = await cli('import', 'argo', list, templates, '--rollout', 'team-b/guestbook');
    expect(r.code).toBe(0);
    expect(firstStage(r.out)).toBe('10%');
    const alone = join(tmp, 'team-b.yaml');
    writeFileSync(alone, stringify(inNamespace('team-b', 10)));
    const a = await cli('import', 'argo', alone, templates);
    expect(r.out).toBe(a.out);
    expect(r.err.split('\n')).toContain(`warning: ${list}:${names[0]}:13: metadata.name: the Rollout "team-a/guestbook" is not rehearsed: the plan is the Rollout "team-b/guestbook"'s (--rollout team-b/guestbook)`);
    const other = await cli('import', 'argo', list, templates, '--rollout', 'team-a/guestbook');
    expect([other.code, firstStage(other.out)]).toEqual([0, '20%']);
  });

  it('a namespace that holds none, or a misspelt name, is refused with where it is and the closest', async () => {
    const r = await cli('import', 'argo', list, templates, '--rollout', 'team-c/guestbook');
    expect([r.code, errors(r.err)]).toEqual([2, [expect.stringMatching(/^--rollout "team-c\/guestbook": no Rollout "guestbook" in namespace "team-c" in .* \(it is in namespace "team-a", "team-b"\); did you mean "team-[ab]\/guestbook"\? \(they hold /)]]);
    const typo = await cli('import', 'argo', list, templates, '--rollout', 'team-b/gestbook');
    expect([typo.code, errors(typo.err)]).toEqual([2, [expect.stringMatching(/^--rollout "team-b\/gestbook": no Rollout "gestbook" in namespace "team-b" in [^;]*; did you mean "team-b\/guestbook"\?/)]]);
    const bad = await cli('import', 'argo', list, templates, '--rollout', 'a/b/guestbook');
    expect([bad.code, errors(bad.err)]).toEqual([2, ['--rollout "a/b/guestbook": a Rollout is named NAME or NAMESPACE/NAME (kubectl\'s form of a namespaced name: one "/" at most, with text either side)']]);
  });

  it('a Rollout without metadata.namespace is in the namespace it is applied to: NAMESPACE/NAME matches it there', async () => {
    const mixed = join(tmp, 'mixed.yaml');
    writeFileSync(mixed, `${stringify(inNamespace('team-a', 20))}---\n${stringify(inNamespace(null, 10))}`);
    const elsewhere = await cli('import', 'argo', mixed, templates, '--rollout', 'team-z/guestbook');
    expect([elsewhere.code, firstStage(elsewhere.out)]).toEqual([0, '10%']);
    const both = await cli('import', 'argo', mixed, templates, '--rollout', 'team-a/guestbook');
    expect(both.code).toBe(2);
    expect(errors(both.err)).toEqual([expect.stringMatching(/^--rollout "team-a\/guestbook": 2 Rollouts of that name in .*\(namespace "team-a"\), .*\(no namespace: in the one it is applied to\): in one namespace they are one Rollout to the API server, the last applied \(kubectl puts one without metadata\.namespace in the namespace it applies to\); give the files of one$/)]);
  });

  it('lint checks each Rollout under the name --rollout takes', () => {
    const results = lintRollouts([{ file: list, text: readFileSync(list, 'utf8') }, { file: templates, text: readFileSync(templates, 'utf8') }]);
    expect(results.map((r) => [r.rollout, r.result.ok])).toEqual([['team-a/guestbook', true], ['team-b/guestbook', true]]);
  });

  it('a scenario\'s argo.name in that form picks the item, and its patches write into that item', () => {
    writeFileSync(join(tmp, 'analysis-templates.yaml'), readFileSync(templates, 'utf8'));
    const s = parse(readFileSync('examples/argo/guestbook.yaml', 'utf8'));
    s.rollout[0].argo = { ...s.rollout[0].argo, rollout: 'rollouts.yaml', name: 'team-b/guestbook', patches: [{ resource: 'rollout', path: ['spec', 'strategy', 'canary', 'steps', 0, 'setWeight'], value: 30 }] };
    const file = join(tmp, 'scenario.yaml');
    writeFileSync(file, stringify(s));
    const l = loadScenarioFile(file, 'healthy');
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    expect(l.scenario.rollouts[0].stages[0].percent).toBe(30);
    const p = applyPatches({ file: list, text: readFileSync(list, 'utf8') }, [], [{ resource: 'rollout', path: ['spec', 'replicas'], value: 7 }], 'team-b/guestbook');
    const items = parse(p.files[0].text).items;
    expect(items.map((i: { spec: { replicas: number } }) => i.spec.replicas)).toEqual([5, 7]);
  });
});

describe('import flagger --canary NAMESPACE/NAME', () => {
  const podinfo = readFileSync('examples/flagger/canary.yaml', 'utf8');
  it('picks the Canary of that namespace among two of one name', async () => {
    const both = join(tmp, 'canaries.yaml');
    writeFileSync(both, `${podinfo}---\n${podinfo.replace('namespace: test\n', 'namespace: prod\n').replace('stepWeight: 10', 'stepWeight: 25')}`);
    const r = await cli('import', 'flagger', both, 'examples/flagger/metric-templates.yaml', '--canary', 'prod/podinfo');
    expect(r.code).toBe(0);
    expect(parse(r.out).rollout[0].stages[0].to).toBe('25%');
    const t = await cli('import', 'flagger', both, 'examples/flagger/metric-templates.yaml', '--canary', 'test/podinfo');
    expect([t.code, parse(t.out).rollout[0].stages[0].to]).toEqual([0, '10%']);
  });
});
