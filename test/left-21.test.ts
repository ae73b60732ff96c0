import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as argo from '../src/interop/argo/index.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
import { kubectlDocuments } from '../src/interop/kube/stream.js';

/**
 * kubectl cuts a file into documents line by line before it reads any (kubernetes/apimachinery at eed236ce
 * pkg/util/yaml/decoder.go: YAMLReader.Read, LineReader), converts each alone (YAMLToJSONDecoder.Decode:
 * sigs.k8s.io/yaml), and stops at the first it cannot read (kubernetes/cli-runtime at 69e8693b
 * pkg/resource/visitor.go StreamVisitor.Visit: "error parsing FILE"); `kubectl apply` applies the documents read
 * before it and the other files (kubernetes/kubectl at dee3483a pkg/cmd/apply/apply.go Run, ContinueOnError).
 */
describe('a YAML syntax error in one document: kubectl applies the documents before it', () => {
  const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations: { rehearse.dev/concurrency: "4" }
spec:
  replicas: 2${extra}
`;
  it('calibrate --deployment: the workloads before it and in other files are read; it and those after it are warned at their place', () => {
    const text = [deployment('a'), deployment('b', '\n  minReadySeconds: 5\n    paused: true'), deployment('c')].join('---\n');
    const m = readManifests([{ file: 'm.yaml', text }, { file: 'n.yaml', text: deployment('d') }]);
    expect(m.workloads.map((w) => [w.names[0], w.replicas, w.concurrency])).toEqual([['a', 2, 4], ['d', 2, 4]]);
    expect(m.warnings).toEqual([
      'm.yaml:16:20: invalid YAML: Nested mappings are not allowed in compact mappings: kubectl cannot read the document (Deployment "b", document 2): not applied ("error parsing m.yaml"); it stops reading m.yaml there, so the document after it is not applied either; not read',
      'm.yaml:19:1: Deployment "c" (document 3) is not applied: kubectl stops reading m.yaml at document 2, which it cannot read ("error parsing m.yaml": m.yaml:16:20: invalid YAML: Nested mappings are not allowed in compact mappings); not read',
    ]);
  });

  it('a quoted string left open: the document after it is still named, as kubectl cuts the file before it reads it', () => {
    const text = [deployment('a'), deployment('b', '\n  minReadySeconds: "5'), deployment('c')].join('---\n');
    const m = readManifests([{ file: 'm.yaml', text }]);
    expect(m.workloads.map((w) => w.names[0])).toEqual(['a']);
    expect(m.warnings).toHaveLength(2);
    expect(m.warnings[0]).toMatch(/^m\.yaml:16:20: invalid YAML: a quoted string not closed before the document marker --- .*\(Deployment "b", document 2\)/);
    expect(m.warnings[1]).toMatch(/^m\.yaml:18:1: Deployment "c" \(document 3\) is not applied: kubectl stops reading m\.yaml at document 2, which it cannot read/);
  });

  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = { file: 'templates.yaml', text: readFileSync('examples/argo/analysis-templates.yaml', 'utf8') };
  const service = 'apiVersion: v1\nkind: Service\nmetadata: { name: guestbook }\nspec:\n  ports: [{ port: 80 }\n';
  it('an Argo import: a Service after the Rollout that kubectl cannot read is warned, the plan read (it was refused)', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}---\n${service}` }, templates]);
    expect(r.ok ? [] : r.problems).toEqual([]);
    expect(r.warnings).toContain('r.yaml:50:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]: kubectl cannot read the document (Service "guestbook", document 2): not applied ("error parsing r.yaml"); read without it');
  });

  it('a Rollout after it is never applied: refused, saying which document stopped kubectl and where', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${service}---\n${rollout}` }, templates]);
    expect(r.warnings).toContain('r.yaml:6:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]: kubectl cannot read the document (Service "guestbook", document 1): not applied ("error parsing r.yaml"); it stops reading r.yaml there, so the document after it is not applied either; read without it');
    expect(!r.ok && r.problems).toEqual([
      'r.yaml:9:1: Rollout "guestbook" (document 2) is not applied: kubectl stops reading r.yaml at document 1, which it cannot read ("error parsing r.yaml": r.yaml:6:1: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ])',
    ]);
  });

  it('a document whose kind cannot be told is refused (it may be the Rollout); one alone in its file keeps the plain message', () => {
    const broken = 'apiVersion: v1\nmetadata: { name: x }\nspec: a: b\nkind: Service\n';
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}---\n${broken}` }, templates]);
    expect(!r.ok && r.problems).toEqual(['r.yaml:47:7: invalid YAML: Nested mappings are not allowed in compact mappings: kubectl cannot read the document (document 2): not applied ("error parsing r.yaml")']);
    const alone = argo.toScenarioParts([{ file: 'r.yaml', text: rollout.replace('  replicas: 5', '  replicas: 5\n   x: 1') }, templates]);
    expect(!alone.ok && alone.problems).toEqual(['r.yaml:8:13: invalid YAML: Nested mappings are not allowed in compact mappings']);
  });
});

describe('a document separator followed by more than a comment: kubectl stops there, and loses the document before it', () => {
  it('is cut as YAMLReader cuts it: only blanks or a comment may follow ---', () => {
    const cut = kubectlDocuments('a: 1\n---   # c\nb: 2\n--- {c: 3}\n---\nd: 4\n');
    expect(cut.map((d) => [d.start, d.end, d.badSeparator?.after ?? null])).toEqual([[0, 5, null], [15, 20, '{c: 3}'], [20, 31, null], [35, 40, null]]);
  });

  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = { file: 'templates.yaml', text: readFileSync('examples/argo/analysis-templates.yaml', 'utf8') };
  it('a template file whose second separator has a document on its line: the first template is lost with it', () => {
    const text = templates.text.replace(/^---\n/m, '--- # the second\n').replace(/\n*$/, '\n--- apiVersion: v1\nkind: ConfigMap\nmetadata: { name: c }\n');
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: rollout }, { file: 't.yaml', text }]);
    const lost = [...(r.ok ? [] : r.problems), ...r.warnings].filter((m) => m.includes('invalid Yaml document separator'));
    expect(lost.map((m) => m.split(' is not applied')[0])).toEqual(['t.yaml:28:1: AnalysisTemplate "success-rate-check" (document 2)', 't.yaml:50:5: ConfigMap "c" (document 3)']);
    expect(lost[0]).toContain('kubectl stops reading t.yaml at line 50, a document separator followed by "apiVersion: v1" ("error parsing t.yaml: invalid Yaml document separator: apiVersion: v1": after --- kubectl reads only blanks or a comment');
    expect(r.ok).toBe(false);
  });

  it('a separator with a comment, or nothing, is read as before', () => {
    const text = templates.text.replace(/^---\n/m, '---\t# the second\n');
    expect(argo.toScenarioParts([{ file: 'r.yaml', text: rollout }, { file: 't.yaml', text }]).ok).toBe(true);
  });
});
