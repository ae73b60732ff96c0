import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cohortDocument, generateCohort, withAttributes } from '../src/cohorts/cohort.js';
import { readCohortFile } from '../src/cohorts/file.js';
import { importFlagsInline } from '../src/cli/flags.js';
import { jsonPosition } from '../src/files/json.js';
import { JournalWriter, readJournal } from '../src/live/journal.js';
import { journalRefusal, rechainedJournal } from './journal-edits.js';
import { parseFlagText } from '../src/interop/document.js';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { FLAGGER_GO_INTEGERS } from '../src/interop/kube/go-integers.js';
import { readRuleFile } from '../src/interop/prometheus/rules.js';
import { specSchema, type Schema } from '../src/interop/kube/schema.js';
import * as unleash from '../src/interop/unleash/index.js';

type Json = Record<string, unknown>;
const fixture = (f: string) => readFileSync(new URL(`./fixtures/vendor/unleash/${f}`, import.meta.url), 'utf8');

/**
 * Unleash/unleash at ff377cd70461, src/lib/services/state-util.ts parseFile and src/lib/routes/admin-api/state.ts
 * import(): `mime.getType(file) === 'text/yaml' ? YAML.load(data) : JSON.parse(data)`; mime 3.0.0 (broofa/mime v3.0.0
 * Mime.js getType: the text after the last dot, lowercased; types/standard.js "text/yaml": ["yaml", "yml"]).
 */
describe('an Unleash file is YAML only where its name ends in .yaml or .yml (mime text/yaml)', () => {
  const yaml = fixture('state-v4.built-from-exportV4.yaml');
  const json = fixture('state-v4.built-from-exportV4.json');
  const parts = (text: string, name: string) => unleash.toScenarioParts(parseFlagText(text, name), { environment: 'production' });
  it('refuses YAML in a file named otherwise, at its line and column, as JSON.parse refuses it', () => {
    for (const name of ['state.txt', 'flags/state', 'state.yaml.bak']) {
      expect(() => parts(yaml, name)).toThrow(`${name}:1:1: invalid JSON: "version" is no JSON value`);
      expect(() => parts(yaml, name)).toThrow(/Unleash reads a file whose name does not end in \.yaml or \.yml as JSON/);
    }
    // JSON with a YAML comment after its first line: refused where the comment stands.
    const commented = json.replace('\n', '\n  # exported\n');
    expect(() => parts(commented, 'state.export')).toThrow(/^state\.export:2:3: invalid JSON/);
  });
  it('reads JSON in such a file as it reads the .json file, and YAML where mime says text/yaml, in any case', () => {
    const served = (r: ReturnType<typeof parts>) => JSON.stringify(r.state);
    const asJson = served(parts(json, 'state.json'));
    expect(served(parts(json, 'state.txt'))).toBe(asJson);
    for (const name of ['state.yaml', 'state.YML', 'dir/state.Yaml']) expect(served(parts(yaml, name))).toBe(asJson);
    expect(unleash.unleashYamlName('yaml')).toBe(true);
    expect(unleash.unleashYamlName('state.yaml.txt')).toBe(false);
  });
});

/**
 * Unleash/unleash at ceeb5a9ca6 src/lib/openapi/spec/import-toggles-schema.ts (data: exportResultSchema) and
 * export-result-schema.ts: contextFields, featureTags, tagTypes and links are lists of contextFieldSchema,
 * featureTagSchema, tagTypeSchema and featureLinksSchema, which src/lib/openapi/validate.ts (ajv, no coercion) holds
 * the import to. A state export's featureTags are Joi's (featureTagSchema), already held (state-import.ts).
 */
describe('a feature export\'s context fields, tags, tag types and links are held to the import\'s schemas', () => {
  const base = JSON.parse(fixture('features-batch-export.import-data.json')) as Record<string, unknown>;
  const parts = (extra: Record<string, unknown>) => unleash.toScenarioParts(parseFlagText(JSON.stringify({ ...base, ...extra }, null, 1), 'export.json'));
  it('refuses a field of another type ajv does not convert, and an item that is no object, at its place', () => {
    const stored = 'Unleash\'s feature import refuses it (its OpenAPI validation of importTogglesSchema, src/lib/openapi/spec/import-toggles-schema.ts, converts no such value)';
    expect(() => parts({ contextFields: [{ name: ['plan'] }] })).toThrow(`contextFields[0].name: ["plan"] is a list, where Unleash's contextFieldSchema.name is text: ${stored}`);
    expect(() => parts({ contextFields: [{ name: 'plan', stickiness: 'yes' }] })).toThrow(/contextFields\[0\]\.stickiness: "yes" is text, where Unleash's contextFieldSchema\.stickiness is true or false/);
    expect(() => parts({ contextFields: [{ name: 'plan', sortOrder: 'first' }] })).toThrow(/contextFields\[0\]\.sortOrder: "first" is text, where Unleash's contextFieldSchema\.sortOrder is a number/);
    expect(() => parts({ contextFields: [{ name: 'plan', legalValues: [{ value: { v: 1 } }] }] })).toThrow(/contextFields\[0\]\.legalValues\[0\]\.value: \{"v":1\} is an object, where Unleash's legalValueSchema\.value is text/);
    expect(() => parts({ featureTags: [{ featureName: 'first_feature', tagValue: {} }] })).toThrow(/featureTags\[0\]\.tagValue: \{\} is an object, where Unleash's featureTagSchema\.tagValue is text/);
    expect(() => parts({ tagTypes: ['simple'] })).toThrow(/tagTypes\[0\]: "simple" is text, where Unleash's tagTypeSchema is an object/);
    expect(() => parts({ links: [{ feature: 'first_feature', links: 'https://x' }] })).toThrow(/links\[0\]\.links: "https:\/\/x" is text, where Unleash's featureLinksSchema\.links is a list/);
    expect(() => parts({ links: [{ feature: 'first_feature', links: [{ url: [] }] }] })).toThrow(/links\[0\]\.links\[0\]\.url: \[\] is a list, where Unleash's linkSchema\.url is text/);
  });
  it('takes a scalar ajv converts, as the import\'s request validation takes it (coerceTypes: 5 is "5", "true" is true, "3" is 3)', () => {
    expect(parts({ contextFields: [{ name: 5, stickiness: 'true', sortOrder: '3', legalValues: [{ value: 1 }] }], featureTags: [{ featureName: 'first_feature', tagValue: true }], links: [{ feature: 'first_feature', links: [{ url: 7 }] }] }).warnings).toEqual([]);
  });
  it('a state export\'s featureTags are held by Joi already, and contextFields, which its schema lacks, refused (state-schema.ts)', () => {
    const state = JSON.parse(fixture('state-v4.built-from-exportV4.json')) as Record<string, unknown>;
    const parts = (extra: Record<string, unknown>) => unleash.toScenarioParts(parseFlagText(JSON.stringify({ ...state, ...extra }, null, 1), 'state.json'), { environment: 'production' });
    expect(() => parts({ featureTags: [{ featureName: 5 }] })).toThrow(/state\.json:\d+:\d+: featureTags\[0\]\.featureName: "featureTags\[0\]\.featureName" must be a string \(Unleash's state import validates the file with Joi, src\/lib\/schema\/feature-schema\.ts featureTagSchema/);
    expect(() => parts({ contextFields: [] })).toThrow(/state\.json:\d+:\d+: contextFields: "contextFields" is not allowed \(Unleash's state import validates the file with Joi, src\/lib\/services\/state-schema\.ts stateSchema/);
  });
  it('reads them as written where they hold to it, and refuses a field they do not have at its line and column (additionalProperties: false)', () => {
    const ok = parts({ contextFields: [{ name: 'plan', stickiness: true, legalValues: [{ value: 'free' }] }], links: [{ feature: 'first_feature', links: [{ url: 'https://x', title: null }] }] });
    expect(ok.warnings.map(String)).toEqual([]);
    expect(() => parts({ contextFields: [{ name: 'plan', colour: 'red' }] })).toThrow(/^export\.json:\d+:\d+: contextFields\[0\]\.colour: "colour" is not a field of Unleash's contextFieldSchema: Unleash's feature import refuses it/);
  });
});

/**
 * Integers the API server stores (it checks no integer's format) that the controller's Go decoding refuses
 * (src/interop/kube/go-integers.ts). Argo Rollouts: argoproj/argo-rollouts pkg/apis/rollouts/v1alpha1/types.go at
 * 9f8d111d (Replicas *int32, SetWeight *int32) and analysis_types.go (MeasurementRetention.Limit int32; count is an
 * intstr.IntOrString, whose IntVal is int32). Flagger: fluxcd/flagger at 15bd6ad5, pkg/apis/flagger/v1beta1/canary.go
 * (CanaryService.Port int32, ProgressDeadlineSeconds *int32) and pkg/apis/istio/v1beta1/virtual_service.go
 * (HTTPRetry.Attempts int, which the CRD calls int32; HTTPMatchRequest.Port uint32).
 */
describe('a number the controller cannot decode into its Go integer is refused at its place', () => {
  const canary = readFileSync('examples/flagger/canary.yaml', 'utf8');
  const templates = { file: 'metric-templates.yaml', text: readFileSync('examples/flagger/metric-templates.yaml', 'utf8') };
  const flagger = (text: string) => {
    const r = flaggerParts([{ file: 'canary.yaml', text }, templates]);
    return r.ok ? [] : r.problems;
  };
  const rollout = readFileSync('examples/argo/rollout.yaml', 'utf8');
  const analysis = readFileSync('examples/argo/analysis-templates.yaml', 'utf8');
  const argo = (r: string, a = analysis) => {
    const out = argoParts([{ file: 'rollout.yaml', text: r }, { file: 'analysis.yaml', text: a }]);
    return out.ok ? [] : out.problems;
  };
  const beyond = (type: string, n: string, kind: string, controller: string) =>
    `${n} is beyond a Go ${type} (${type === 'int32' ? '-2147483648 to 2147483647' : '0 to 4294967295'}), the type the ${controller} controller decodes this field into: the API server stores the ${kind} (it does not check an integer's format), but the controller cannot decode it (Go's encoding/json: "cannot unmarshal number ${n} into Go struct field … of type ${type}"), and reads no ${kind} while it stands (its informer lists them all at once)`;
  it('Argo Rollouts: a field of format int32, and an int-or-string, past 2^31-1 or below -2^31', () => {
    expect(argo(rollout.replace('replicas: 5', 'replicas: 2147483648'))).toEqual([`rollout.yaml:8:13: spec.replicas: ${beyond('int32', '2147483648', 'Rollout', 'Argo Rollouts')}`]);
    expect(argo(rollout.replace('replicas: 5', 'replicas: -2147483649'))).toEqual([`rollout.yaml:8:13: spec.replicas: ${beyond('int32', '-2147483649', 'Rollout', 'Argo Rollouts')}`]);
    expect(argo(rollout.replace('replicas: 5', 'replicas: 2147483647'))).toEqual([]);
    expect(argo(rollout, analysis.replace('count: 2', 'count: 4294967296')).join('\n')).toContain(`spec.metrics[0].count: ${beyond('int32', '4294967296', 'AnalysisTemplate', 'Argo Rollouts')}`);
  });
  it('Flagger: by its Go types, not its hand-written CRD\'s formats', () => {
    expect(flagger(canary.replace('port: 9898', 'port: 3000000000'))).toEqual([`canary.yaml:24:11: spec.service.port: ${beyond('int32', '3000000000', 'Canary', 'Flagger')}`]);
    expect(flagger(canary.replace('progressDeadlineSeconds: 60', 'progressDeadlineSeconds: 2147483648'))).toEqual([`canary.yaml:16:28: spec.progressDeadlineSeconds: ${beyond('int32', '2147483648', 'Canary', 'Flagger')}`]);
    // A number to the CRD, an int32 to Go: a fraction is stored, and not decoded.
    expect(flagger(canary.replace('port: 9898', 'port: 9898.5'))).toEqual([`canary.yaml:24:11: spec.service.port: 9898.5 is not a whole number, and the Flagger controller decodes this field into a Go int32: the API server stores the Canary (the Canary CRD makes it a number), but the controller cannot decode it (Go's encoding/json: "cannot unmarshal number 9898.5 into Go struct field … of type int32"), and reads no Canary while it stands (its informer lists them all at once)`]);
    // A match's port is a uint32: the CRD takes -1, Go does not.
    expect(flagger(canary.replace('    targetPort: 9898\n', '    targetPort: 9898\n    match: [{ port: -1 }]\n')).join('\n')).toContain(`canary.yaml:27:21: spec.service.match[0].port: ${beyond('uint32', '-1', 'Canary', 'Flagger')}`);
    // retries.attempts: format int32 in the CRD, an int in Go (HTTPRetry.Attempts): 3000000000 decodes.
    expect(flagger(canary.replace('    targetPort: 9898\n', '    targetPort: 9898\n    retries: { attempts: 3000000000 }\n')).join('\n')).not.toContain('beyond a Go');
  });
  it('a PrometheusRule: an expr written as an integer is an IntOrString (prometheus-operator prometheusrule_types.go Rule.Expr), a group\'s limit a Go int', () => {
    const rule = (expr: string, limit = '') => `apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: { name: r }\nspec:\n  groups:\n  - name: g${limit}\n    rules:\n    - alert: Always\n      expr: ${expr}\n`;
    expect(() => readRuleFile(rule('2147483648'), 'rule.yaml')).toThrow(`rule.yaml:9:13: spec.groups[0].rules[0].expr: ${beyond('int32', '2147483648', 'PrometheusRule', 'Prometheus').replace('Prometheus controller', 'Prometheus Operator')}`);
    expect(readRuleFile(rule('1'), 'rule.yaml').groups[0].rules.length).toBe(1);
    expect(readRuleFile(rule('1', '\n    limit: 3000000000'), 'rule.yaml').groups[0].limit).toBe(3000000000);
  });
  it('each field of Flagger\'s table is a number of the vendored Canary CRD', () => {
    const at = (key: string): Schema | undefined => key.split('.').slice(1).reduce<Schema | undefined>((s, seg) => {
      const [name, list] = seg.endsWith('[]') ? [seg.slice(0, -2), true] : [seg, false];
      const next = name === '*' ? (typeof s?.additionalProperties === 'object' ? s.additionalProperties : undefined) : s?.properties?.[name];
      return list ? next?.items : next;
    }, specSchema('flagger.app', 'Canary')!);
    const types = Object.keys(FLAGGER_GO_INTEGERS).map((k) => `${k}: ${at(k)?.type}`);
    expect(types.filter((t) => !/: (integer|number)$/.test(t))).toEqual([]);
    expect(types.length).toBe(19);
  });
});

/**
 * A cohort's account age is the days since the account was made, 0 or more: src/cohorts/cohort.ts generateCohort
 * draws whole days from 0 (Math.floor of an exponential), docs/scenario.md "Users: cohorts".
 */
describe('a cohort user with an account age below 0 is refused at its line, with the rule', () => {
  const dir = mkdtempSync(join(tmpdir(), 'left-18-'));
  const file = (name: string, age: number) => {
    const d = cohortDocument(generateCohort({ name: 'u', size: 6, seed: 3 })) as unknown as { users: { accountAgeDays: number[] } };
    d.users.accountAgeDays[4] = age;
    writeFileSync(join(dir, name), JSON.stringify(d, null, 2));
    return join(dir, name);
  };
  const rule = (n: number) => `${n} days: an account's age is the days since it was made, 0 or more ("rehearse cohorts generate" draws whole days from 0)`;
  it('in a cohort file: at users.accountAgeDays[4], its line and column, in a scenario and in import flags --cohort', () => {
    const path = file('negative.json', -3);
    const text = readFileSync(path, 'utf8');
    const line = text.split('\n').findIndex((l) => l.trim() === '-3,') + 1;
    expect(line).toBeGreaterThan(0);
    expect(readCohortFile(path)).toEqual({ ok: false, path: 'users.accountAgeDays[4]', message: rule(-3), line, column: 7 });
    const loaded = parseScenarioText('name: x\nduration: 1m\ntraffic: { rate: 10/s, cohort: negative.json }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n', dir);
    expect(!loaded.ok && formatProblem('x.yaml', loaded.problems[0])).toBe(`x.yaml:3:32: traffic.cohort: cohort file negative.json:${line}:7 at users.accountAgeDays[4]: ${rule(-3)}`);
    expect(() => importFlagsInline('flagd', 'flags/demo.flagd.json', path)).toThrow(`${path}:${line}:7 at users.accountAgeDays[4]: ${rule(-3)}`);
    // 0, a new account, and a part of a day are ages an account has.
    for (const age of [0, 0.5]) expect(readCohortFile(file(`age-${age}.json`, age)).ok).toBe(true);
  });
  it('drawn by an attribute: refused by cohorts generate and, at the attribute, in an inline cohort (it was a stack trace)', () => {
    const c = generateCohort({ name: 'u', size: 3, seed: 1 });
    expect(() => withAttributes(c, [{ name: 'accountAgeDays', kind: 'choice', choices: [[-5, 1]] }])).toThrow(`attribute "accountAgeDays" replaces a built-in column: ${rule(-5)}`);
    const scenario = (attr: string) => parseScenarioText(`name: x\nduration: 1m\ntraffic: { rate: 10/s, cohort: { size: 10, seed: 1, attributes: { accountAgeDays: '${attr}' } } }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n`, dir);
    const refused = scenario('-5:100%');
    expect(!refused.ok && formatProblem('x.yaml', refused.problems[0])).toBe(`x.yaml:3:83: traffic.cohort.attributes.accountAgeDays: attribute "accountAgeDays" replaces a built-in column: ${rule(-5)}`);
    const text = scenario('x:100%');
    expect(!text.ok && formatProblem('x.yaml', text.problems[0])).toBe('x.yaml:3:83: traffic.cohort.attributes.accountAgeDays: attribute "accountAgeDays" replaces a built-in number column; "x" is not a number');
    expect(scenario('30:50%,400:50%').ok).toBe(true);
  });
  it('finds a value\'s line and column in a JSON text by its path', () => {
    const t = '{\n  "a": [1, 2,\n   {"b": "x,]"}],\n  "users": { "age": [3, -4, 5] }, "e": []\n}';
    expect(jsonPosition(t, [])).toEqual({ line: 1, column: 1 });
    expect(jsonPosition(t, ['a', 1])).toEqual({ line: 2, column: 12 });
    expect(jsonPosition(t, ['a', 2, 'b'])).toEqual({ line: 3, column: 10 });
    expect(jsonPosition(t, ['users', 'age', 1])).toEqual({ line: 4, column: 25 });
    expect(jsonPosition(t, ['users'])).toEqual({ line: 4, column: 12 });
    expect(jsonPosition(t, ['users', 'age', 3])).toBe(null);
    expect(jsonPosition(t, ['e', 0])).toBe(null);
  });
});

/**
 * docs/gameday.md "Nothing lost: the journal": one line per event as things happen, every action with its simulated
 * and wall time, the clock four times a second. A journal whose lines go back in simulated time is none a drill
 * wrote, even with its hash chain recomputed: refused at the line (src/live/journal.ts clockOrder). Its wall times
 * are read as written (a drill of 0.11.0 wrote the machine's clock, set back or not).
 */
describe('a journal whose lines go back in simulated time is refused at the line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'left-18-journal-'));
  const fixture = readFileSync(new URL('./fixtures/drill-0.10.0/drill.journal', import.meta.url), 'utf8').split('\n').filter((l) => l !== '');
  const rechained = (name: string, edit: (l: Json[]) => void) => rechainedJournal(dir, name, fixture, edit);
  const refusal = journalRefusal;
  it('reads the journal as the drill wrote it, and as chained again unedited', () => {
    expect(refusal(rechained('same.journal', () => {}))).toBe(null);
  });
  it('refuses clock lines out of order (exit 2: no drill writes it)', () => {
    const path = rechained('swapped.journal', (l) => ([l[6], l[7]] = [l[7], l[6]]));
    expect(refusal(path)).toEqual({ lines: [`${path}:8: clock line at 9.962696 s of simulated time, before the 14.653424 s of line 7: a drill's lines follow its clock, which never goes back (replay would not apply its actions when the drill did)`], tampered: false });
    // An action stamped before the clock line it follows: replay would apply it elsewhere than the drill did.
    const action = rechained('action.journal', (l) => { l.splice(8, 0, { ...l[4], atUs: 1_000_000, wallTime: l[7].wall }); });
    expect(refusal(action)?.lines).toEqual([`${action}:9: action line at 1 s of simulated time, before the 14.653424 s of line 8: a drill's lines follow its clock, which never goes back (replay would not apply its actions when the drill did)`]);
  });
  it('reads a wall time before the last line\'s, as a drill of 0.11.0 wrote the machine\'s clock set back', () => {
    const path = rechained('wall.journal', (l) => { l[7].wall = '2026-12-06T12:10:05.500Z'; });
    expect(refusal(path)).toBeNull();
    // A resumed drill writes on from the latest wall time, as from the unedited journal.
    expect(readJournal(path).lastWall).toBe(readJournal(rechained('same2.journal', () => {})).lastWall);
  });

  it('writes the last wall time while the machine\'s clock is set back, so that its own journal reads', () => {
    const path = join(dir, 'written.journal');
    const w = JournalWriter.create(path, {
      kind: 'drill', schema: 'rehearse/journal@1', version: '0', wall: '2026-12-06T10:00:00.000Z', scenario: { file: 'x.yaml', sha256: '0'.repeat(64), name: 'x' },
      seed: 1, gates: 'on', speed: 60, case: { hidden: false, name: null },
    });
    w.append({ kind: 'clock', atUs: 1_000_000, wall: '2026-12-06T10:00:01.000Z', speed: 60, paused: false });
    w.append({ kind: 'clock', atUs: 2_000_000, wall: '2026-12-06T09:59:59.000Z', speed: 60, paused: false });
    w.append({ kind: 'clock', atUs: 3_000_000, wall: '2026-12-06T10:00:02.000Z', speed: 60, paused: false });
    w.close();
    const j = readJournal(path);
    expect(j.entries.map((e) => (e.kind === 'clock' ? e.wall : ''))).toEqual(['2026-12-06T10:00:01.000Z', '2026-12-06T10:00:01.000Z', '2026-12-06T10:00:02.000Z']);
    expect(j.lastWall).toBe('2026-12-06T10:00:02.000Z');
  });
});
