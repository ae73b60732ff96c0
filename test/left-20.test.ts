import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as argo from '../src/interop/argo/index.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import { readManifests } from '../src/interop/kubernetes/capacity.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { normalizeAdhocFault } from '../src/scenario/adhoc.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { refusedLines, scenario } from './helpers.js';

/** users -> api; one fault written as YAML flow text, on line 6 of the file. */
const withFault = (fault: string, cohort = '') => `name: faults
seed: 1
traffic: { rate: 100/s, requests: 2000${cohort} }
journeys: { j: { steps: [api] } }
services: { api: { replicas: 2, concurrency: 50, latency: 2ms } }
faults: [${fault}]
`;
const load = (text: string) => parseScenarioText(text, '.', undefined, 'YAML', 'faults.yaml');
const refusals = (text: string) => {
  const r = load(text);
  return r.ok ? [] : r.problems.map((p) => formatProblem('faults.yaml', p));
};

describe('a fault that does nothing is refused at the field that makes it so', () => {
  it.each([
    ['{ kind: abort, target: api, for: 0s }', 'faults.yaml:6:43: faults[0].for: an abort fault for 0s does nothing'],
    ['{ kind: latency, target: api, add: 20ms, for: 0ms }', 'faults.yaml:6:56: faults[0].for: a latency fault for 0s does nothing'],
    ['{ kind: abort, target: api, percent: 0% }', 'faults.yaml:6:47: faults[0].percent: an abort fault on 0% of requests does nothing'],
    ['{ kind: reset, target: api, percent: "0.0%" }', 'faults.yaml:6:47: faults[0].percent: a reset fault on 0% of requests does nothing'],
    ['{ kind: latency, target: api, add: 0ms }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms does nothing'],
    ['{ kind: latency, target: api, add: { dist: uniform, min: 0s, max: 0s } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: latency, target: api, add: { dist: normal, mean: 0ms, sd: 0ms } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: latency, target: api, add: { dist: empirical, samples: [0ms, 0s] } }', 'faults.yaml:6:45: faults[0].add: a latency fault that adds 0ms'],
    ['{ kind: packet-loss, target: api, add: 0ms }', 'faults.yaml:6:49: faults[0].add: a packet-loss fault whose retransmits take 0ms does nothing'],
    ['{ kind: cpu-stress, target: api, factor: 1 }', 'faults.yaml:6:51: faults[0].factor: a cpu-stress factor of 1 leaves service times as they are'],
    ['{ kind: cpu-stress, target: api, factor: 0.5 }', 'faults.yaml:6:51: faults[0].factor: a cpu-stress factor of 0.5 would make the service faster'],
  ])('%s', (fault, expected) => {
    const lines = refusals(withFault(fault));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(expected);
  });

  it('a catalogue fault and a game day\'s ad-hoc fault alike', () => {
    const text = withFault('').replace('faults: []', 'faults-catalogue:\n  slow: { kind: latency, target: api, add: 0ms }');
    expect(refusals(text)).toEqual(['faults.yaml:7:44: faults-catalogue.slow.add: a latency fault that adds 0ms does nothing']);
    const s = scenario({ traffic: { rate: '100/s', requests: 10 }, journeys: { j: { steps: ['api'] } }, services: { api: { latency: '2ms' } } });
    expect(normalizeAdhocFault({ kind: 'abort', target: 'api', percent: '0%' }, 'none', s)).toEqual({
      ok: false, problems: [{ path: ['percent'], message: 'an abort fault on 0% of requests does nothing (leave out percent for all of them)' }],
    });
  });

  it('a field the kind does not read is refused once, as such, not also as doing nothing', () => {
    expect(refusals(withFault('{ kind: abort, target: api, add: 0ms, factor: 1 }'))).toEqual([
      'faults.yaml:6:43: faults[0].add: abort does not read add: latency and packet-loss do',
      'faults.yaml:6:56: faults[0].factor: abort does not read factor: only cpu-stress does',
    ]);
  });

  it('what does something is read as before: a short fault, a small share, a small delay, a factor above 1', () => {
    for (const fault of ['{ kind: abort, target: api, for: 1ms }', '{ kind: abort, target: api, percent: 0.001% }',
      '{ kind: latency, target: api, add: 1us }', '{ kind: latency, target: api, add: { dist: normal, mean: 0ms, sd: 1ms } }',
      '{ kind: latency, target: api, add: { dist: constant, value: 0ms, plus: 1ms } }', '{ kind: cpu-stress, target: api, factor: 1.01 }']) {
      expect(refusals(withFault(fault)), fault).toEqual([]);
    }
  });

  it('an instance-kill for 0s is warned, not refused: its replicas fail the requests they hold as they go', () => {
    const text = withFault('{ kind: instance-kill, target: api, at: 10s, for: 0s }').replace('latency: 2ms', 'latency: 500ms');
    const r = load(text);
    expect(r.ok && r.warnings).toEqual([
      'faults.yaml:6:60: faults[0].for: an instance-kill for 0s fails the requests its replicas hold and has them back at once (a restart that takes no time): give for the time they are down',
    ]);
    // One replica of two dies at 10s with what it held (about 100/s x 0.5s / 2 requests), and is back at once.
    const result = runScenario(r.ok ? r.scenario : (null as never));
    expect(result.journeys.j.errors).toBeGreaterThan(5);
    expect(result.journeys.j.errors).toBeLessThan(60);
    expect(result.outcomes.failed_by_truth.fault).toBe(result.journeys.j.errors);
  });

  it('a fault timed at or after the run\'s end is warned at its at (it never acts); one before it, or in a run ended by its requests, is not', () => {
    const timed = (at: string) => withFault(`{ kind: latency, target: api, add: 5ms, at: ${at} }`).replace('traffic: { rate: 100/s, requests: 2000 }', 'duration: 1m\ntraffic: { rate: 100/s }');
    const warned = (text: string) => {
      const r = load(text);
      return r.ok ? r.warnings : r.problems;
    };
    expect(warned(timed('10h'))).toEqual(['faults.yaml:7:54: faults[0].at: the fault starts at 10h, after the run ends (duration 1m): it never acts']);
    expect(warned(timed('60s'))).toEqual(['faults.yaml:7:54: faults[0].at: the fault starts at 60s, as the run ends (duration 1m): it never acts']);
    expect(warned(timed('59s'))).toEqual([]);
    expect(warned(withFault('{ kind: latency, target: api, add: 5ms, at: 10h }'))).toEqual([]);
  });
});

describe('a fault\'s segment names one the users have', () => {
  const cohort = ', cohort: { size: 400, seed: 2, segments: { beta: 20%, general: 80% } }';
  it('a misspelt segment is refused with the nearest (it hit every user: 100% errors)', () => {
    expect(refusals(withFault('{ kind: abort, target: api, segment: betta }', cohort))).toEqual([
      'faults.yaml:6:47: faults[0].segment: unknown segment "betta"; did you mean "beta"? (segments: "beta", "general")',
    ]);
    const r = load(withFault('{ kind: abort, target: api, segment: beta }', cohort));
    expect(r.ok).toBe(true);
    const share = runScenario(r.ok ? r.scenario : (null as never)).journeys.j.errorRate;
    expect(share).toBeGreaterThan(0.05);
    expect(share).toBeLessThan(0.4);
  });

  it('users without segments have none to name, in the file, a catalogue and a game day\'s ad-hoc fault', () => {
    expect(refusals(withFault('{ kind: abort, target: api, segment: beta }'))).toEqual([
      'faults.yaml:6:47: faults[0].segment: unknown segment "beta": the users have no segments (give traffic.cohort: its segments, or a cohort file\'s segment column)',
    ]);
    const s = scenario({ traffic: { rate: '100/s', requests: 10 }, journeys: { j: { steps: ['api'] } }, services: { api: { latency: '2ms' } } });
    expect(normalizeAdhocFault({ kind: 'abort', target: 'api', segment: 'beta' }, 'x', s)).toEqual({
      ok: false, problems: [{ path: ['segment'], message: 'unknown segment "beta": the users have no segments' }],
    });
  });
});

/**
 * kubectl apply reads a file's documents one by one (kubernetes/cli-runtime at 69e8693b pkg/resource/visitor.go
 * StreamVisitor.Visit: a document that does not decode returns "error parsing FILE" and ends that file; apimachinery
 * at eed236ce pkg/util/yaml/decoder.go YAMLToJSONDecoder.Decode fails on sigs.k8s.io/yaml's conversion, whose
 * json.Marshal refuses NaN and Inf), then applies every object read before the error, and the other files
 * (ContinueOnError's EagerVisitorList; kubernetes/kubectl at dee3483a pkg/cmd/apply/apply.go Run).
 */
describe('a document kubectl cannot send: it and the rest of its file are left out, the others read', () => {
  const deployment = (name: string, extra = '') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  annotations: { rehearse.dev/concurrency: "4" }
spec:
  replicas: 2${extra}
`;
  it('calibrate --deployment: the workloads before it and in other files are read; it and those after it are warned at their place', () => {
    const text = [deployment('a'), deployment('b', '\n  minReadySeconds: .nan'), deployment('c')].join('---\n');
    const m = readManifests([{ file: 'm.yaml', text }, { file: 'n.yaml', text: deployment('d') }]);
    expect(m.workloads.map((w) => [w.names[0], w.replicas, w.concurrency])).toEqual([['a', 2, 4], ['d', 2, 4]]);
    expect(m.warnings).toEqual([
      'm.yaml:16:20: spec.minReadySeconds: .nan is NaN, which encoding/json cannot write ("json: unsupported value"): kubectl cannot send the resource (Deployment "b", document 2): not applied ("error parsing m.yaml"); it stops reading m.yaml there, so the document after it is not applied either; not read',
      'm.yaml:18:1: Deployment "c" (document 3) is not applied: kubectl stops reading m.yaml at document 2, which it cannot send ("error parsing m.yaml": m.yaml:16:20: spec.minReadySeconds: .nan is NaN, which encoding/json cannot write ("json: unsupported value")); not read',
    ]);
  });

  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const templates = { file: 'templates.yaml', text: readFileSync('examples/argo/analysis-templates.yaml', 'utf8') };
  const service = 'apiVersion: v1\nkind: Service\nmetadata: { name: guestbook }\nspec:\n  ports: [{ port: 80 }]\n  sessionAffinityConfig: { clientIP: { timeoutSeconds: -.inf } }\n';
  it('an Argo import: a Service after the Rollout that kubectl cannot send is warned, the plan read', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${rollout}---\n${service}` }, templates]);
    expect(r.ok).toBe(true);
    expect(r.warnings).toContain('r.yaml:50:56: spec.sessionAffinityConfig.clientIP.timeoutSeconds: -.inf is -Inf, which encoding/json cannot write ("json: unsupported value"): kubectl cannot send the resource (Service "guestbook", document 2): not applied ("error parsing r.yaml"); read without it');
  });

  it('a Rollout after it is never applied: refused, saying which document stopped kubectl and where', () => {
    const r = argo.toScenarioParts([{ file: 'r.yaml', text: `${service}---\n${rollout}` }, templates]);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      'r.yaml:10:1: Rollout "guestbook" (document 2) is not applied: kubectl stops reading r.yaml at document 1, which it cannot send ("error parsing r.yaml": r.yaml:6:56: spec.sessionAffinityConfig.clientIP.timeoutSeconds: -.inf is -Inf, which encoding/json cannot write ("json: unsupported value"))',
    ]);
  });
});

describe('rehearse.dev/concurrency on a workload and on its pod template', () => {
  const deployment = (own: string, template: string) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations: { rehearse.dev/concurrency: ${own} }
spec:
  replicas: 3
  template:
    metadata:
      annotations: { rehearse.dev/concurrency: ${template} }
`;
  const refusal = (text: string): string[] => refusedLines(() => readManifests([{ file: 'd.yaml', text }]), 'd.yaml');
  it('both are typed as the API server types them: a number on the template is refused though the workload\'s is read', () => {
    expect(refusal(deployment('"8"', '8'))).toEqual([
      'd.yaml:10:48: spec.template.metadata.annotations["rehearse.dev/concurrency"]: must be a string (an annotation\'s value), not the number 8: the Kubernetes API server refuses the Deployment (json: cannot unmarshal number into Go struct field ObjectMeta.spec.template.metadata.annotations of type string) (quote it: "8")',
    ]);
  });

  it('the workload\'s is read; a template\'s that differs is warned as not read', () => {
    const m = readManifests([{ file: 'd.yaml', text: deployment('"8"', '"2"') }]);
    expect(m.workloads[0].concurrency).toBe(8);
    expect(m.warnings).toEqual(['d.yaml:10:48: spec.template.metadata.annotations["rehearse.dev/concurrency"]: 2 on the pod template is not read: the workload\'s own annotation (8) is']);
    expect(readManifests([{ file: 'd.yaml', text: deployment('"8"', '"8"') }]).warnings).toEqual([]);
  });

  it('an empty value, which the API server takes, is warned and left out (as if not written): the other one is read, or none', () => {
    const m = readManifests([{ file: 'd.yaml', text: deployment('""', '"2"') }]);
    expect(m.workloads[0].concurrency).toBe(2);
    expect(m.warnings).toEqual(['d.yaml:5:44: metadata.annotations["rehearse.dev/concurrency"]: empty: no workers read from it (the API server takes an empty annotation; rehearse reads a whole number, e.g. "8"); left out, as if not written']);
    const none = readManifests([{ file: 'd.yaml', text: deployment('""', '""') }]);
    expect(none.workloads[0].concurrency).toBeNull();
    expect(none.warnings).toHaveLength(2);
    // Not a number is still refused.
    expect(refusal(deployment('"eight"', '"2"'))[0]).toContain('expected a whole number of at least 1, got "eight"');
  });
});

/**
 * Unleash/unleash at ff377cd70461 (in the history of the mirror's ceeb5a9ca6, which no longer has the state import)
 * src/lib/services/state-schema.ts: featureStrategySchema keys id, featureName, projectId, environment, parameters,
 * constraints and strategyName, with `.options({ stripUnknown: true })`: a strategy's variants are stripped unread, so
 * the state import (state-service.ts import(), stateSchema.validateAsync) takes a file whose strategy variant has a
 * weight "50" and serves the strategy without variants.
 */
describe('an Unleash state export\'s strategy variants that the client API would refuse: dropped as the state import drops them', () => {
  const state = (weight: unknown) => {
    const d = JSON.parse(readFileSync(new URL('./fixtures/vendor/unleash/state-v4.built-from-exportV4.json', import.meta.url), 'utf8'));
    d.featureStrategies[0].variants = [{ name: 'a', weight, weightType: 'variable', stickiness: 'default' }, { name: 'b', weight: 50, weightType: 'variable', stickiness: 'default' }];
    return unleash.toScenarioParts(parseFlagText(JSON.stringify(d, null, 1), 'state.json'), { environment: 'production' });
  };
  const served = (r: ReturnType<typeof state>) => (r.state as any).features.find((f: any) => f.name === 'checkout-v2').strategies[0].variants.map((x: any) => x.name);

  it('a weight "50" is warned at the field and the strategy served without its variants, not refused', () => {
    const r = state('50');
    expect(r.warnings.filter((w) => w.path.join('.').startsWith('featureStrategies.0.variants')).map(formatWarning)).toEqual([
      'state.json:94:16: featureStrategies[0].variants[0].weight: "50" is text, where Unleash\'s strategyVariantSchema.weight is a number: Unleash\'s state import drops strategy variants without reading them (state-schema.ts featureStrategySchema), and a server this file is imported into serves the strategy without them; so does rehearse',
    ]);
    expect(served(r)).toEqual([]);
  });

  it('well-typed ones are served as the exporting server served them (warned as dropped by the import), as before', () => {
    const r = state(50);
    expect(served(r)).toEqual(['a', 'b']);
    expect(r.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^Unleash's state import drops variants .*serves the strategy without its variants; rehearsed as the server that exported it served it$/));
  });

  it('a client API response still refuses it: the server serves a number there, and unleash-client would read text otherwise', () => {
    const response = { version: 2, features: [{ name: 'f', enabled: true, strategies: [{ name: 'default', parameters: {}, variants: [{ name: 'a', weight: '50', weightType: 'variable', stickiness: 'default' }] }], variants: [] }] };
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(response), 'client.json'))).toThrow(/features\[0\]\.strategies\[0\]\.variants\[0\]\.weight: "50" is text, where Unleash's strategyVariantSchema\.weight is a number: Unleash's import refuses it/);
  });
});
