import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import * as argo from '../src/interop/argo/index.js';
import { jsonValueEnd } from '../src/interop/kube/json-stream.js';
import { resourceDocuments } from '../src/interop/kube/resources.js';
import * as flagger from '../src/interop/flagger/index.js';
import { parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import { notAScenario } from '../src/load/kinds.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { runScenario } from '../src/score/result.js';
import { article } from '../src/units/article.js';

/** What each document of a Kubernetes file comes back as: its value, or the message that refuses or warns it. */
const readKube = (text: string, file = 'f.yaml') =>
  resourceDocuments({ file, text }).documents.map((d) => ('problem' in d ? d.problem : 'unsent' in d ? d.unsent : d.value));
const configMap = (name: string) => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n`;
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name } });

/**
 * A CR without a line feed after it. kubectl's LineReader (kubernetes/apimachinery at eed236ce pkg/util/yaml/decoder.go)
 * takes lines with bufio.Reader.ReadLine, which ends a line at LF only (dropping a CR just before it), so `---\r\r\n`
 * is the line `---\r`, and YAMLReader.Read takes it for a separator: what follows `---` is strings.TrimSpace'd, and a
 * CR is a space to it. go-yaml (sigs.k8s.io/yaml's goyaml.v2, as gopkg.in/yaml.v3 yamlprivateh.go is_break) reads a
 * lone CR as a line break anywhere; the yaml package reads it as a character.
 */
describe('a lone CR in a Kubernetes file', () => {
  it('after a --- separator kubectl takes: the document after it is read, and nothing is warned', () => {
    expect(readKube(`${configMap('a')}---\r\r\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
    // Before: 'f.yaml:5:4: ConfigMap "b" (in document 1, after its end marker ...) is not applied ...'
    expect(readKube(`${configMap('a')}--- # next\r\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
    // A file ending in `---\r` (an old Mac line end): before, 'a document (in document 1, after its end marker ...)'.
    expect(readKube(`${configMap('a')}---\r`)).toEqual([cm('a'), null]);
    // The separator kubectl drops (it ends a document) is dropped with its comment, breaks and all.
    expect(readKube(`${configMap('a')}--- # c\rkind: Secret\n${configMap('b')}`)).toEqual([cm('a'), cm('b')]);
  });

  it('followed by content on the separator\'s line: kubectl refuses the separator (TrimSpace leaves "apiVersion: v1"), as before', () => {
    expect(readKube(`${configMap('a')}---\r${configMap('b')}`)[0]).toContain('invalid Yaml document separator: apiVersion: v1');
  });

  it('elsewhere: a line break to Go, which the yaml package would read as a character, refused at its place (was read into the value)', () => {
    // Before: the name read as "a\r", the value "x\ry".
    expect(readKube('apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\r')).toEqual([expect.stringMatching(/^f\.yaml:4:10: invalid YAML: a CR \(U\+000D\) without a line feed after it outside a quoted string: a line break to Go's yaml/)]);
    // In a quoted string Go folds at it as at any break (yaml.v3 scannerc.go yaml_parser_scan_flow_scalar).
    expect(readKube(`${configMap('a')}data:\n  k: "x\ry"\n`)).toEqual([{ ...cm('a'), data: { k: 'x y' } }]);
    // In a separator kubectl keeps (the first line of its piece), a comment's CR is a break to go-yaml: refused.
    expect(readKube(`--- # c\rkind: Secret\n${configMap('b')}`)).toEqual([expect.stringMatching(/^f\.yaml:1:8: invalid YAML: a CR/)]);
  });

  it('a file of CRLF lines is read as before', () => {
    expect(readKube(`${configMap('a')}---\n${configMap('b')}`.replace(/\n/g, '\r\n'))).toEqual([cm('a'), cm('b')]);
  });
});

/**
 * A file whose first character but blanks is `{`: kubectl's StreamVisitor (kubernetes/cli-runtime at 69e8693b
 * pkg/resource/visitor.go) reads it with apimachinery's YAMLOrJSONDecoder (kubernetes/apimachinery at eed236ce
 * pkg/util/yaml/decoder.go): encoding/json's Decoder takes one value after another, with no separator; a value that
 * does not decode after one value or none sends it back to where the last ended, to read the rest as YAML; after two
 * or more, it fails there. The scanner's answers are encoding/json's own (test/fixtures/json-stream/decode.go, Go 1.19).
 */
describe('a stream of JSON values (kubectl\'s YAMLOrJSONDecoder)', () => {
  const o = (name: string) => JSON.stringify(cm(name));

  it('reads JSON values one after another, on one line or on several, as kubectl does (before: "invalid YAML: Unexpected flow-map-start")', () => {
    expect(readKube(o('a') + o('b'), 'f.json')).toEqual([cm('a'), cm('b')]);
    expect(readKube(`${JSON.stringify(cm('a'), null, '\t')}\r\n${JSON.stringify(cm('b'), null, 2)}\n`, 'f.json')).toEqual([cm('a'), cm('b')]);
  });

  it('places each value\'s fields in the file: a Rollout and its templates given as JSON read as their YAML does, at their own lines', () => {
    const y = readFileSync('examples/argo/rollout.yaml', 'utf8');
    const t = readFileSync('examples/argo/analysis-templates.yaml', 'utf8');
    const json = (text: string, sep: string) => parseAllDocuments(text).map((d) => JSON.stringify(d.toJS(), null, 2)).join(sep);
    const yaml = argo.toScenarioParts([{ file: 'r.yaml', text: y }, { file: 't.yaml', text: t }]);
    const fromJson = argo.toScenarioParts([{ file: 'r.json', text: json(y, '\n') }, { file: 't.json', text: json(t, '') }]);
    // Compared as JSON text: the same parts, whichever format held them.
    expect(JSON.stringify(fromJson.ok && yaml.ok && fromJson.parts)).toBe(JSON.stringify(yaml.ok && yaml.parts));
    expect(fromJson.warnings[0]).toMatch(/^r\.json:8:17: spec\.replicas, spec\.selector \(9:17\), spec\.template \(14:17\): the workload's pods are not simulated/);
  });

  it('after one value, reads on as YAML (a --- and YAML documents after a JSON object)', () => {
    expect(readKube(`${o('a')}\n---\n${configMap('c')}`, 'f.json')).toEqual([cm('a'), cm('c')]);
    expect(readKube(`${o('a')}\n${configMap('c')}`, 'f.json')).toEqual([cm('a'), cm('c')]);
  });

  it('after two values, stops at what does not decode: refused at its place in encoding/json\'s words', () => {
    expect(readKube(`${o('a')}\n${o('b')}\n${o('c')},\n`, 'f.json')).toEqual([cm('a'), cm('b'), cm('c'),
      'f.json:3:63: invalid JSON: invalid character \',\' looking for beginning of value: kubectl reads f.json as a stream of JSON values (its first character is {), and stops here, after 3 of them ("error parsing f.json: invalid character \',\' looking for beginning of value"); what follows is not applied']);
    expect(readKube(`${o('a')}${o('b')}\n---\n${configMap('c')}`, 'f.json')[2]).toMatch(/^f\.json:2:2: invalid JSON: invalid character '-' in numeric literal: .*after 2 of them/);
  });

  it('a first value that is no JSON (a YAML flow mapping) is read as YAML from the start, its separators checked as YAMLReader checks them', () => {
    expect(readKube('{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n--- x\n', 'f.json')[0]).toContain('invalid Yaml document separator: x');
  });

  it('YAML on the line of the value it follows is refused: kubectl reads it from there, at its column 1', () => {
    expect(readKube(`${o('a')} kind: x\n`, 'f.json')[1]).toMatch(/^f\.json:1:64: YAML after the JSON value on its line/);
  });

  it('ends values and fails where encoding/json does, in its words', () => {
    const texts = JSON.parse(readFileSync('test/fixtures/json-stream/cases.json', 'utf8')) as string[];
    expect(texts.map(decodeAll)).toEqual(JSON.parse(readFileSync('test/fixtures/json-stream/answers.json', 'utf8')));
  });

  it('matches encoding/json live when Go is installed', () => {
    if (!existsSync('/usr/bin/go')) return; // CI: the stored answers above
    const dir = mkdtempSync(join(tmpdir(), 'left22-'));
    try {
      const r = spawnSync('/usr/bin/go', ['run', 'decode.go', 'cases.json'], { cwd: 'test/fixtures/json-stream', encoding: 'utf8', timeout: 300_000, env: { ...process.env, GO111MODULE: 'off', GOCACHE: join(dir, 'gocache') } });
      expect(JSON.parse(r.stdout)).toEqual(JSON.parse(readFileSync('test/fixtures/json-stream/answers.json', 'utf8')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 320_000);
});

/** What encoding/json's Decoder makes of a text: the offset after each value, and the error that ends it (decode.go's answer). */
function decodeAll(text: string): { ends: number[]; error: string; offset: number } {
  const ends: number[] = [];
  for (let at = 0; ;) {
    while (at < text.length && ' \t\r\n'.includes(text[at])) at++;
    if (at >= text.length) return { ends, error: '', offset: -1 };
    const end = jsonValueEnd(text, at);
    // Go's SyntaxError.Offset counts the bytes read, the offending one included.
    if (typeof end !== 'number') return { ends, error: end.message, offset: end.message === 'unexpected EOF' ? -1 : end.offset + 1 };
    ends.push(end);
    at = end;
  }
}

/**
 * Where a syntax error is said to be. Go's yaml (gopkg.in/yaml.v3 on this machine, as go-yaml v2 under kubectl) names
 * the line of the `:` that makes a nested mapping of a compact one's value ("yaml: line 3: mapping values are not
 * allowed in this context", scannerc.go yaml_parser_fetch_value); the yaml package pointed at the value before it,
 * on the line above. Elsewhere the package's place is the mistake's and Go's is not (`- a` then `b: 1`: Go says line 1,
 * the package line 2, the `b`), and stays.
 */
describe('a YAML syntax error\'s line and column', () => {
  it('a key indented past its sibling: at its `:`, on the line Go names (was the value on the line above)', () => {
    expect(readKube('spec:\n  replicas: 5\n   x: 1\n')).toEqual(['f.yaml:3:5: invalid YAML: Nested mappings are not allowed in compact mappings']);
    expect(readKube('a: 1\n  b: 2\n')).toEqual(['f.yaml:2:4: invalid YAML: Nested mappings are not allowed in compact mappings']);
    expect(readKube('a: b: c\n')).toEqual(['f.yaml:1:5: invalid YAML: Nested mappings are not allowed in compact mappings']);
    expect(readKube('a: \'it\'\'s: x\': y\n')).toEqual(['f.yaml:1:14: invalid YAML: Nested mappings are not allowed in compact mappings']);
  });

  it('elsewhere the place stays where the mistake is', () => {
    expect(readKube('- a\nb: 1\n')).toEqual(['f.yaml:2:1: invalid YAML: Unexpected scalar at node end']);
    expect(readKube('metadata:\n  name: x\n labels: {}\n')).toEqual(['f.yaml:3:2: invalid YAML: All mapping items must start at the same column']);
  });
});

/**
 * argoproj/argo-rollouts (at 9f8d111d8f8e3e88b6d7f8bbdf62fd3cd863ef9d) pkg/kubectl-argo-rollouts/cmd/lint/testdata/
 * valid-nginx-canary.yml: its stable Ingress routes to nginx-rollout-root, not to the stableService. lint_test.go
 * counts it valid: lint validates only Ingresses it has marked managed, those with a rule for the stableService
 * (cmd/lint/lint.go setIngressManagedAnnotation, matchRolloutToReferences). The controller reads the stableIngress by
 * name (rollout/controller.go getReferencedNginxIngresses) and validates it (pkg/apis/rollouts/validation/
 * validation_references.go ValidateIngress, validateNginxIngress, reportErrors: "ingress `%s` has no rules using
 * service %s backend"): the Rollout is InvalidSpec, and never reaches the nginx router's canaryIngress.
 */
describe('Argo Rollouts lint testdata valid-nginx-canary.yml', () => {
  it('is refused with the controller\'s validation, InvalidSpec (was: "cannot make the canary Ingress", the router\'s, which never runs)', () => {
    const file = 'test/fixtures/vendor/argo/lint-valid-nginx-canary.yml';
    const r = argo.toScenarioParts([{ file, text: readFileSync(file, 'utf8') }]);
    expect(!r.ok && r.problems).toEqual([`${file}:89:26: spec.strategy.canary.trafficRouting.nginx.stableIngress: Ingress "nginx-rollout-ingress" has no rule with the stableService "nginx-rollout-stable" as backend; did you mean "nginx-rollout-root"?: the controller marks the Rollout InvalidSpec and never rolls it out ("ingress \`nginx-rollout-ingress\` has no rules using service nginx-rollout-stable backend", pkg/apis/rollouts/validation/validation_references.go ValidateIngress); \`kubectl argo rollouts lint\` passes it, as it checks only an Ingress with a rule for the Service`]);
  });

  it('with its Ingress routed to the stableService, is read', () => {
    const file = 'test/fixtures/vendor/argo/lint-valid-nginx-canary.yml';
    const text = readFileSync(file, 'utf8').replace(/name: nginx-rollout-root\n(\s+port:\n\s+name: use-annotation)/, 'name: nginx-rollout-stable\n$1');
    expect(argo.toScenarioParts([{ file, text }]).ok).toBe(true);
  });
});

/** The article a message puts before a word it takes from the input: by the word's sound (units/article.ts). */
describe('"a" or "an" before a provider, a kind, a flag system', () => {
  it.each([
    ['influxdb', 'an'], ['prometheus', 'a'], ['Ingress', 'an'], ['Unleash', 'an'], ['http', 'an'], ['HTTP', 'an'], ['grpc', 'a'], ['otlp', 'an'],
    ['URL', 'a'], ['SLO', 'an'], ['user', 'a'], ['unique', 'a'], ['unknown', 'an'], ['object', 'an'], ['int64', 'an'], ['hour', 'an'],
    ['one-off', 'a'], ['8-second', 'an'], ['110', 'a'], ['ExperimentList', 'an'], ['euro', 'a'], ['newrelic', 'a'], ['S3', 'an'],
  ])('%s: %s', (word, expected) => expect(article(word)).toBe(expected));

  it('a Flagger MetricTemplate of the influxdb provider: "an influxdb provider" (was "a influxdb")', () => {
    const canary = readFileSync('examples/flagger/canary.yaml', 'utf8');
    const templates = readFileSync('examples/flagger/metric-templates.yaml', 'utf8').replace('type: prometheus\n    address: http://prometheus.istio-system:9090', 'type: influxdb\n    address: http://influxdb:8086');
    const r = flagger.toScenarioParts([{ file: 'canary.yaml', text: canary }, { file: 't.yaml', text: templates }]);
    expect(r.warnings).toContain('t.yaml:10:11: spec.provider.type: an influxdb provider is not simulated: the check "404s percentage" (canary.yaml:51:7) is not measured (it passes)');
  });

  it('an Unleash flag file given as a scenario (was "a Unleash")', () => {
    expect(notAScenario(JSON.parse(readFileSync('test/fixtures/vendor/unleash/client-features.v1-with-segments.json', 'utf8')))).toBe('an Unleash flag file (a scenario reads it through flags.from)');
  });
});

/**
 * A flag's new error rate equal to the rate the service already fails at. The model applies flags in order, a new
 * rate replacing the rate so far (src/model/flags.ts flagEffects): with no flag before it changing the errors there,
 * it changes nothing, and is warned as the other changes that change nothing are (load/idle-effects.ts).
 */
describe('errors: N% equal to the service\'s own rate', () => {
  const scenario = (flags: string, api = 'errors: 1%', healthy = '{}') => `name: rates
seed: 1
traffic: { rate: 100/s, requests: 2000 }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms, ${api} } }
flags:
${flags}rollout:
  - { flag: f, stages: [{ to: 50%, hold: 5s }, { to: 100% }] }
cases:
  healthy: ${healthy}
`;
  const flag = (key: string, effect: string) => `  ${key}:\n    evaluated-by: [api]\n    when-on:\n      api: ${effect}\n`;
  const warned = (text: string, caseName?: string) => {
    const r = parseScenarioText(text, '.', caseName, 'YAML', 'rates.yaml');
    if (!r.ok) throw new Error(r.problems.map((p) => p.message).join('\n'));
    return r.warnings.filter((w) => /changes nothing|cancels nothing/.test(w));
  };

  it('alone: warned at its place (was silent), and the run is the run without it', () => {
    const text = scenario(flag('f', '{ errors: 1% }'));
    expect(warned(text)).toEqual(['rates.yaml:10:22: flags.f.when-on.api.errors: errors 1% is the rate the endpoints already fail at, and no flag before it changes their errors: the flag changes nothing there; leave it out (a case may write it to cancel a change the scenario makes)']);
    const a = parseScenarioText(text, '.', undefined, 'YAML', 'rates.yaml');
    const b = parseScenarioText(scenario(flag('f', '{ latency: x1 }')), '.', undefined, 'YAML', 'rates.yaml');
    if (!a.ok || !b.ok) throw new Error('refused');
    const outcome = (r: ReturnType<typeof runScenario>) => JSON.stringify({ services: r.services, journeys: r.journeys });
    expect(outcome(runScenario(a.scenario))).toBe(outcome(runScenario(b.scenario)));
    // Written otherwise, the same rate; and at an endpoint that inherits the service's rate.
    expect(warned(scenario(flag('f', '{ errors: 1.0% }')))).toHaveLength(1);
    expect(warned(scenario(flag('f', '{ errors: 0% }'), 'errors: 0%'))).toHaveLength(1);
  });

  it('after a flag that changes the errors there it replaces that change: silent', () => {
    expect(warned(scenario(flag('g', '{ errors: +2% }') + flag('f', '{ errors: 1% }')))).toEqual([]);
    // A flag after it does not make it change anything.
    expect(warned(scenario(flag('f', '{ errors: 1% }') + flag('g', '{ errors: +2% }')))).toHaveLength(1);
  });

  it('another rate, or a rate the endpoints do not share, changes something: silent', () => {
    expect(warned(scenario(flag('f', '{ errors: 2% }')))).toEqual([]);
    expect(warned(scenario(flag('f', '{ errors: 1% }'), 'errors: 1%, endpoints: { default: {}, slow: { errors: 3% } }').replace('steps: [api]', 'steps: [api.default]'))).toEqual([]);
  });

  it('in a case, cancelling the scenario\'s change: silent; where the scenario changes nothing there: warned', () => {
    const cancels = scenario(flag('f', '{ errors: +2% }'), 'errors: 1%', '{ flags: { f: { when-on: { api: { errors: 1% } } } } }');
    expect(warned(cancels, 'healthy')).toEqual([]);
    const nothing = scenario(flag('f', '{ latency: x2 }'), 'errors: 1%', '{ flags: { f: { when-on: { api: { errors: 1% } } } } }');
    expect(warned(nothing, 'healthy')).toEqual([expect.stringMatching(/^rates\.yaml:14:54: cases\.healthy\.flags\.f\.when-on\.api\.errors: errors 1% is the rate the endpoints already fail at, and no flag before it changes their errors, and cancels nothing: the scenario gives api no errors change here; leave it out$/)]);
  });
});

/**
 * Unleash files whose strategies name what the file does not hold. A client API response or feature export read by
 * unleash-client 6.12.1 (lib/client.js): a segment id it does not hold yields an undefined constraint, which fails the
 * strategy for everyone (yieldSegmentConstraints); a parent toggle it does not hold serves the child off
 * (isParentDependencySatisfied): both warned, as before. A state export's featureStrategySegments rows are inserted
 * by the state import as they stand (Unleash/unleash at ff377cd70461 src/lib/services/state-service.ts
 * importFeatureStrategySegments: segmentStore.addToStrategy), into feature_strategy_segment, whose feature_strategy_id
 * REFERENCES feature_strategies(id) and segment_id segments(id) (src/migrations/20220307130902-add-segments.js): the
 * import fails where the server holds none, and links the server's where it does; no client ever sees such a link.
 */
describe('Unleash files whose strategies name a segment, a strategy or a parent the file does not hold', () => {
  const read = (v: unknown, environment?: string) => {
    try {
      const r = unleash.toScenarioParts(parseFlagText(JSON.stringify(v, null, 1), 'u.json'), environment ? { environment } : {});
      return { warnings: r.warnings.map((w) => `${w.line}:${w.column}: ${w.message}`) };
    } catch (e) {
      return { refused: (e as { lines?: string[] }).lines ?? [String(e)] };
    }
  };
  const v4 = () => JSON.parse(readFileSync('test/fixtures/vendor/unleash/state-v4.built-from-exportV4.json', 'utf8'));

  it('a state export linking a segment the file does not hold: refused at the row (was: the strategy served to no one)', () => {
    const v = v4();
    v.featureStrategySegments.push({ featureStrategyId: v.featureStrategies[0].id, segmentId: 999 });
    expect(read(v, 'production')).toEqual({ refused: [expect.stringMatching(/^u\.json:\d+:\d+: featureStrategySegments\[1\]\.segmentId: no segment 999 in the file: Unleash's state import links it as the row stands \(state-service\.ts importFeatureStrategySegments: segmentStore\.addToStrategy\), and the database refuses it where the server holds none \(feature_strategy_segment\.segment_id REFERENCES segments\(id\)\)/)] });
  });

  it('a state export linking a strategy the file does not hold: refused at the row (was read without a word)', () => {
    const v = v4();
    v.featureStrategySegments.push({ featureStrategyId: 'not-in-the-file', segmentId: 1 });
    expect(read(v, 'production')).toEqual({ refused: [expect.stringMatching(/featureStrategySegments\[1\]\.featureStrategyId: no strategy "not-in-the-file" in the file: .*feature_strategy_segment\.feature_strategy_id REFERENCES feature_strategies\(id\)/)] });
    expect(read(v4(), 'production')).toEqual({ warnings: expect.any(Array) });
  });

  it('a client API response: a missing segment fails the strategy, a missing parent serves the child off, warned as unleash-client serves them', () => {
    const client = JSON.parse(readFileSync('test/fixtures/vendor/unleash/client-features.v1-with-segments.json', 'utf8'));
    client.features[0].strategies[0].segments = [999];
    client.features[0].dependencies = [{ feature: 'ghost' }];
    const r = read(client);
    expect(r.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/: segment 999 is not in the file: unleash-client fails the strategy for everyone, and so does the rehearsal$/),
      expect.stringMatching(/: depends on "ghost", which is not in the file: unleash-client serves it off to everyone$/),
    ]));
  });
});
