/**
 * Round 15 of real flag files (Unleash, LaunchDarkly, flagd and the OpenFeature Operator), each outcome asserted.
 * - Unleash state exports (versions 1 to 4) are read as Unleash's state import read them: Unleash/unleash
 *   src/lib/services/state-service.ts import() at ff377cd70461 runs its own steps on the file, then
 *   stateSchema.validateAsync (src/lib/services/state-schema.ts, src/lib/schema/feature-schema.ts, Joi 17.12.3),
 *   and reads toggles, strategies and featureEnvironments from what Joi converted. Scalars were left to "the
 *   reader": `enabled: "true"` was served off (rehearse read only true), `"yes"` (which Joi refuses) likewise.
 *   test/fixtures/vendor/unleash/joi-17.12.3-state.jsonl holds 138 edited exports with what Joi itself answered
 *   (joi/vectors.cjs over Unleash's schemas, transcribed in joi/unleash-state.cjs); Unleash's own e2e test
 *   (src/test/e2e/api/admin/state.e2e.test.ts) expects exported412-enterprise.json refused, which rehearse read.
 * - LaunchDarkly rollouts whose weights do not add up to 100000 were bucketed as the SDK buckets them without a
 *   word: go-server-sdk-evaluation evaluator.go variationOrRolloutResult (and js-core Evaluator.ts) give a bucket
 *   past the last weight to the last variation, and nothing past 100% to anyone. The sdk-test-harness case "last
 *   rollout bucket is used if value is past the end" (rollout-or-experiment.yml, weights 1 and 1) is one.
 * - flagd's own operations (fractional, starts_with, ends_with) ran on flagd-core's methods: inside some, all, none,
 *   filter, map and reduce every evaluation that reached one was an error (flagd-core reads its logger from the
 *   context, which there is the element), where Go flagd answers (jsonlogic.AddOperator hands each its parsed
 *   arguments and the scope's data); and fractional hashed the UTF-16 code units of its bucketing value
 *   (flagd-core's imurmurhash) where Go flagd hashes its UTF-8 bytes (core/pkg/evaluator/fractional.go,
 *   murmur3.StringSum32): 28 of 40 bucketing values that are not ASCII landed in another bucket.
 *   test/fixtures/vendor/flagd/custom-ops-0.16.1.jsonl holds 106 rules with what flagd v0.16.1's own operators over
 *   jsonlogic v3.9.1 answered (go-oracle/, built with Go 1.19).
 * - Number forms: a flag file named .json was parsed as YAML 1.2, so `0x10` was 16, `+12`, `.5`, `012`, `True`,
 *   `~`, a byte order mark and the hex float `0x1p-2` (text) were read, where every vendor reads a .json file as
 *   JSON and refuses it (flagd core/pkg/utils/convert_to_json.go hands it to encoding/json; LaunchDarkly's SDKs and
 *   Unleash JSON.parse), and `1e400` was Infinity where Go's encoding/json refuses it. A YAML file is read as its
 *   reader reads it: flagd with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go: `012` is 10, `1_000` 1000, `2024-01-01`
 *   "2024-01-01T00:00:00Z", `.inf` unwritable), a FeatureFlag as Kubernetes (YAML 1.1: `on` and `off` are true and
 *   false, so `defaultVariant: off` is refused by the API server and a variant written `on:` is named "true"),
 *   LaunchDarkly's Go SDK likewise (warned: rehearse follows the Node SDK). test/fixtures/vendor/flagd/
 *   yaml-scalars.jsonl holds 67 plain scalars with what flagd's YAMLToJSON (go-oracle/yaml-main.go) and kubectl
 *   v1.32 made of them; with kubectl on the machine, a FeatureFlag is compared with its reading whole.
 * - open-telemetry/opentelemetry-demo: src/flagd/demo.flagd.json imports (each flag's `description`, which flagd's
 *   Flag does not have, warned); src/checkout/flags.json, an OpenFeature CLI flag manifest, was "state is ENABLED or
 *   DISABLED" as a flagd file and "cannot tell which flag system" otherwise: now named for what it is.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';
import { servedShares } from '../src/interop/launchdarkly/weights.js';
import * as flagd from '../src/interop/flagd/index.js';
import { unleashStateImport } from '../src/interop/unleash/state-import.js';
import { InputError } from '../src/errors.js';
import { parseDocument } from 'yaml';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { readAsGo } from '../src/interop/flag-yaml.js';

const root = join(import.meta.dirname, '..');
const vendor = (f: string) => join(root, 'test/fixtures/vendor', f);
type Json = Record<string, unknown>;

/** What importing a flag document says: its warnings, or the lines of its refusal. */
function imported(text: string, file: string, environment?: string): { flags: string[]; warnings: string[] } | { refused: string[] } {
  try {
    const parts = unleash.toScenarioParts(parseFlagText(text, file), { environment });
    return { flags: parts.flags.map((f) => f.key), warnings: parts.warnings.map(formatWarning) };
  } catch (e) {
    if (e instanceof InputError) return { refused: e.lines };
    throw e;
  }
}

const DELETE = '$delete';
function edited(file: string, edits: [ (string | number)[], unknown ][]): Json {
  const doc = JSON.parse(readFileSync(vendor(`unleash/${file}`), 'utf8')) as Json;
  for (const [path, v] of edits) {
    let node = doc as Record<string | number, unknown>;
    for (const k of path.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
    const last = path[path.length - 1];
    if (v !== null && typeof v === 'object' && DELETE in v) delete node[last];
    else node[last] = v;
  }
  return doc;
}

describe('Unleash state exports as its state import validated them (Joi 17.12.3 over Unleash\'s schemas at ff377cd70461)', () => {
  const vectors = readFileSync(vendor('unleash/joi-17.12.3-state.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { name: string; file: string; edits: [(string | number)[], unknown][]; joi: { errors?: { path: (string | number)[]; type: string }[]; value?: Json } });
  it('has the cases', () => expect([vectors.length, vectors.filter((v) => v.joi.errors).length]).toEqual([169, 91]));
  it.each(vectors.map((v) => [v.name, v] as const))('%s', (_, v) => {
    const r = unleashStateImport(edited(v.file, v.edits));
    if (v.joi.errors) {
      const key = (p: { path: (string | number)[]; type: string }) => `${JSON.stringify(p.path)} ${p.type}`;
      expect(r.joi.map(key).sort()).toEqual(v.joi.errors.map(key).sort());
    } else {
      expect(r.joi).toEqual([]);
      const kept = Object.fromEntries(['version', 'features', 'featureStrategies', 'featureEnvironments', 'environments'].filter((k) => r.value[k] !== undefined).map((k) => [k, r.value[k]]));
      expect(kept).toEqual(v.joi.value);
    }
  });
});

describe('Unleash state exports: what the import converts is served converted, what it refuses is refused', () => {
  const text = (file: string, edits: [(string | number)[], unknown][] = []) => JSON.stringify(edited(file, edits), null, 2);
  const served = (t: string, flag: string, ctx: Json, environment?: string) => unleash.open(parseFlagText(t, 'u.json'), { environment }).evaluate(flag, ctx);

  it('exported412-enterprise.json is refused and its fixed copies import, as Unleash\'s e2e test expects (state.e2e.test.ts)', () => {
    // "import for 4.1.2 enterprise format fails": its environment has no type, which environmentSchema requires.
    const file = 'state-v2.exported412-enterprise.json';
    expect(imported(readFileSync(vendor(`unleash/${file}`), 'utf8'), file)).toEqual({ refused: [`${file}:237:5: environments[0].type: "environments[0].type" is required (Unleash's state import validates the file with Joi, src/lib/services/state-schema.ts environmentSchema, and refuses it)`] });
    // "import for 4.1.2 enterprise format fixed works", "Importing version 2 replaces :global: environment with 'default'",
    // "import works for 3.17 enterprise json format", "import works for 4.0 enterprise format".
    for (const f of ['state-v2.exported412-enterprise-necessary-fixes.json', 'state-v2.exported412-version2.json', 'state-v1.exported-3175-enterprise.json', 'state-v1.exported405-enterprise.json']) {
      expect(imported(readFileSync(vendor(`unleash/${f}`), 'utf8'), f)).toMatchObject({ flags: expect.arrayContaining(['with-constraints']) });
    }
  });

  it('a toggle\'s enabled "true" (any case) is on, as Joi converts it; "yes" is refused at its place (it was served off in silence)', () => {
    // src/lib/schema/feature-schema.ts featureSchema: enabled: joi.boolean(); Joi's boolean converts "true"/"false" only.
    const v1 = 'state-v1.exported3176.json';
    for (const [value, on] of [[true, true], ['true', true], ['TRUE', true], ['False', false]] as const) {
      expect(served(text(v1, [[['features', 1, 'enabled'], value]]), 'version.three.seventeen', { userId: '1' }).reason).toBe(on ? 'targeting match' : 'disabled');
    }
    const yes = text(v1, [[['features', 1, 'enabled'], 'yes']]);
    const line = yes.split('\n').findIndex((l) => l.includes('"enabled": "yes"')) + 1;
    expect(imported(yes, 'u.json')).toEqual({ refused: [`u.json:${line}:18: features[1].enabled: "features[1].enabled" must be a boolean (Unleash's state import validates the file with Joi, src/lib/schema/feature-schema.ts featureSchema, and refuses it; Joi converts only the texts "true" and "false", in any case)`] });
  });

  it('a featureEnvironments row\'s enabled "True" is on there; 1 is refused', () => {
    const v3 = 'state-v3.variantsexport_v3.json';
    expect(served(text(v3, [[['featureEnvironments', 0, 'enabled'], 'True']]), 'UX-toggle1', { userId: '1' }, 'development').enabled).toBe(true);
    expect(served(text(v3, [[['featureEnvironments', 0, 'enabled'], 'false']]), 'UX-toggle1', { userId: '1' }, 'development').reason).toBe('disabled');
    expect(imported(text(v3, [[['featureEnvironments', 0, 'enabled'], 1]]), 'u.json', 'development')).toMatchObject({ refused: [expect.stringContaining('featureEnvironments[0].enabled: "featureEnvironments[0].enabled" must be a boolean')] });
  });

  it('a constraint\'s inverted "false": converted in a version 1 toggle (Joi checks it there); kept as text in a segment, which unleash-client reads as true: warned', () => {
    // state-service.ts convertLegacyFeatures reads what Joi converted; importSegments stores data.segments as written,
    // and unleash-client 6.12.1 lib/strategy/strategy.js inverts on any text but "".
    const v1 = 'state-v1.exported3176.json';
    const constraint = { contextName: 'userId', operator: 'IN', values: ['1'], inverted: 'false' };
    const legacy = text(v1, [[['features', 0, 'strategies'], [{ name: 'default', parameters: {}, constraints: [constraint] }]]]);
    const toggle = (JSON.parse(legacy) as { features: Json[] }).features[0].name as string;
    expect([served(legacy, toggle, { userId: '1' }).enabled, served(legacy, toggle, { userId: '2' }).enabled]).toEqual([true, false]);
    const seg = 'state-v3.exported-segments.json';
    const segmented = text(seg, [[['segments', 0, 'constraints'], [{ ...constraint, contextName: 'x', values: ['878a9f99-96a0-46'] }]]]);
    const r = imported(segmented, 'u.json');
    expect(r).toMatchObject({ warnings: expect.arrayContaining([expect.stringMatching(/^u\.json:\d+:\d+: segments\[0\]\.constraints\[0\]\.inverted: the text "false": Unleash's import stored the segment as the file writes it \(state-service\.ts importSegments reads the file, not what Joi converted\), and unleash-client reads any text here but "" as true/)]) });
  });

  it('a version 1 toggle with strategies null, or a later export with features and no featureStrategies, is refused: the import fails on it', () => {
    expect(imported(text('state-v1.exported3176.json', [[['features', 0, 'strategies'], null]]), 'u.json')).toMatchObject({ refused: [expect.stringContaining('features[0].strategies: a version 1 toggle without a list of strategies: Unleash\'s import fails on it (state-service.ts convertLegacyFeatures: f.strategies.map of null)')] });
    expect(imported(text('state-v3.variantsexport_v3.json', [[['featureStrategies'], { $delete: true }]]), 'u.json', 'production')).toMatchObject({ refused: [expect.stringContaining('a state export of version 3 with features and no featureStrategies: Unleash\'s import fails on it')] });
  });

  it('versions as the import reads them: "3" is 3; "2" renames no :global: (its own test compares the number); 0 is version 1\'s layout', () => {
    const v2 = 'state-v2.exported412-version2.json';
    expect(imported(text(v2, [[['version'], '2']]), 'u.json')).toMatchObject({ refused: [expect.stringContaining('environments[0].name: "environments[0].name" must be URL friendly')] });
    const three = imported(text('state-v3.variantsexport_v3.json', [[['version'], '3']]), 'u.json', 'production');
    expect(three).toMatchObject({ flags: ['UX-toggle1', 'variants-tester'], warnings: [expect.stringContaining('version: version "3": no Unleash writes a state export of this version (StateService.export wrote 1 to 4); its import reads the file as a version 2 or 3 export')] });
    expect(imported(text('state-v1.exported3176.json', [[['version'], 0]]), 'u.json')).toMatchObject({ warnings: expect.arrayContaining([expect.stringContaining('version 0: no Unleash writes a state export of this version (StateService.export wrote 1 to 4); its import reads the file as a version 1 export')]) });
  });

  it('a key the state schema does not name at the top is refused, as Joi refuses it (stateSchema allows no unknown key); in a toggle it is stripped', () => {
    expect(imported(text('state-v3.variantsexport_v3.json', [[['extra'], 1]]), 'u.json', 'production')).toMatchObject({ refused: [expect.stringContaining('extra: "extra" is not allowed')] });
    expect(imported(text('state-v3.variantsexport_v3.json', [[['features', 0, 'extra'], 1]]), 'u.json', 'production')).toMatchObject({ flags: ['UX-toggle1', 'variants-tester'] });
  });
});

describe('LaunchDarkly rollouts whose weights do not add up to 100000', () => {
  // sdk-test-harness data/data-files/server-side-eval/rollout-or-experiment.yml, "last rollout bucket is used if value
  // is past the end", as its flag-with-fallthrough-rollout.
  const flag = (variations: { variation: number; weight: number }[]) => JSON.stringify({ flags: { 'flag-with-fallthrough-rollout': {
    key: 'flag-with-fallthrough-rollout', on: true, variations: ['off', 'fallthrough', 'a', 'b'], offVariation: 0, fallthrough: { rollout: { variations } },
  } } }, null, 2);
  const parts = (text: string) => launchdarkly.toScenarioParts(parseFlagText(text, 'ld.json'));

  it('the harness\'s case: weights 1 and 1 serve "b" to user-key, as it expects, and the warning says who gets what', () => {
    const text = flag([{ variation: 2, weight: 1 }, { variation: 3, weight: 1 }]);
    expect(parts(text).warnings.map(formatWarning)).toEqual(['ld.json:15:25: flags.flag-with-fallthrough-rollout.fallthrough.rollout.variations: the weights add up to 2, not 100000 (100%): a bucket past them (99.998% of users) gets the last variation (go-server-sdk-evaluation evaluator.go variationOrRolloutResult, js-core Evaluator.ts), so variation 3 ("b") serves 99.999% of users, not 0.001%; rehearsed as the SDK serves it']);
    const set = launchdarkly.open(parseFlagText(text, 'ld.json'));
    expect(set.evaluate('flag-with-fallthrough-rollout', { kind: 'user', key: 'user-key' })).toMatchObject({ value: 'b', variant: 'b' });
    set.close();
  });

  it('what the warning says each variation serves is what the SDK serves over 20000 users (short of and past 100%)', () => {
    for (const split of [[{ variation: 2, weight: 30000 }, { variation: 3, weight: 30000 }], [{ variation: 1, weight: 60000 }, { variation: 2, weight: 60000 }, { variation: 3, weight: 10000 }]]) {
      const set = launchdarkly.open(parseFlagText(flag(split), 'ld.json'));
      const got = new Map<number, number>();
      for (let i = 0; i < 20000; i++) {
        const r = set.evaluate('flag-with-fallthrough-rollout', { kind: 'user', key: `u${i}` });
        const index = ['off', 'fallthrough', 'a', 'b'].indexOf(r.value as string);
        got.set(index, (got.get(index) ?? 0) + 1);
      }
      set.close();
      for (const [v, units] of servedShares(split)) expect(Math.abs((got.get(v) ?? 0) / 20000 - units / 100000), `variation ${v}`).toBeLessThan(0.015);
      expect([...got.keys()].every((v) => (servedShares(split).get(v) ?? 0) > 0)).toBe(true);
    }
    expect([...servedShares([{ variation: 1, weight: 60000 }, { variation: 2, weight: 60000 }, { variation: 3, weight: 10000 }])]).toEqual([[1, 60000], [2, 40000], [3, 0]]);
    const past = parts(flag([{ variation: 1, weight: 60000 }, { variation: 2, weight: 60000 }, { variation: 3, weight: 10000 }])).warnings.map((w) => w.message);
    expect(past).toEqual(['the weights add up to 130000, not 100000 (100%): buckets end at 100%, so what the weights give past it is no one\'s (go-server-sdk-evaluation evaluator.go variationOrRolloutResult, js-core Evaluator.ts), so variation 2 ("a") serves 40% of users, not 60%, variation 3 ("b") serves no one, not 10%; rehearsed as the SDK serves it']);
  });

  it('weights that add up to 100000, and an off flag (its rollout is not served), are not warned', () => {
    expect(parts(flag([{ variation: 2, weight: 99999 }, { variation: 3, weight: 1 }])).warnings).toEqual([]);
    expect(parts(flag([{ variation: 2, weight: 1 }]).replace('"on": true', '"on": false')).warnings).toEqual([]);
  });
});

describe('flagd\'s own operations in nested forms and on text that is not ASCII, as Go flagd v0.16.1 answers them', () => {
  const lines = readFileSync(vendor('flagd/custom-ops-0.16.1.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { rule: unknown; data: Json; flagKey: string; go: string });
  // flagd names a result by its JSON text without quotes (core/pkg/evaluator/json.go); null is the default variant.
  const NONE = '\u0000none';
  const nameOf = (go: string) => go.trim().replaceAll('"', '');
  const file = { flags: Object.fromEntries(lines.map((c) => [c.flagKey, {
    state: 'ENABLED', defaultVariant: NONE, targeting: c.rule,
    variants: c.go.startsWith('ERROR') || c.go === 'null' ? { [NONE]: 'none' } : { [nameOf(c.go)]: 'hit', [NONE]: 'none' },
  }])) };
  const set = flagd.open(parseFlagText(JSON.stringify(file, null, 1), 'custom.json'));
  it('has the cases', () => expect([lines.length, lines.filter((c) => c.go === 'null').length, lines.filter((c) => /[^\x00-\x7f]/.test(JSON.stringify(c.data))).length]).toEqual([106, 22, 35]));
  it.each(lines.map((c) => [c.flagKey, JSON.stringify(c.rule), c.go] as const))('%s: %s is %s', (key, _, go) => {
    const c = lines.find((l) => l.flagKey === key)!;
    const r = set.evaluate(key, c.data, { value: 'code' });
    if (go.startsWith('ERROR')) expect(r).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: PARSE_ERROR/) });
    else if (go === 'null') expect(r).toMatchObject({ value: 'none', reason: 'default' });
    else expect(r).toMatchObject({ value: 'hit', variant: nameOf(go) });
  });

  it('where flagd-core, the JavaScript in-process provider, answers otherwise, the cohort\'s evaluations are noted at the rule', () => {
    const text = JSON.stringify({ flags: {
      split: { state: 'ENABLED', defaultVariant: 'off', variants: { a: 'a', b: 'b', off: 'off' }, targeting: { fractional: [['a', 50], ['b', 50]] } },
      corp: { state: 'ENABLED', defaultVariant: 'off', variants: { on: 'on', off: 'off' }, targeting: { if: [{ some: [{ var: 'emails' }, { ends_with: [{ var: '' }, '@corp.com'] }] }, 'on', 'off'] } },
    } }, null, 2);
    const s = flagd.open(parseFlagText(text, 'n.flagd.json'));
    for (const key of ['ann', 'zoë', '李', 'josé', 'łukasz', 'renée', 'jürgen', 'søren']) s.evaluate('split', { targetingKey: key });
    expect(s.evaluate('corp', { targetingKey: 'u', emails: ['a@corp.com'] })).toMatchObject({ variant: 'on' });
    const notes = s.notes!();
    expect(notes).toContain('n.flagd.json:38:15: flags.corp.targeting.if[0].some[1]: 1 evaluation of the cohort read these operands otherwise in flagd-core, the JavaScript in-process provider, than in Go flagd, which rehearse follows: {"ends_with": ["a@corp.com","@corp.com"]} is true to Go flagd, an error (PARSE_ERROR) to flagd-core; a team that evaluates the flag in process serves those users otherwise');
    expect(notes.find((n) => n.startsWith('n.flagd.json:11:20: flags.split.targeting: '))).toMatch(/^n\.flagd\.json:11:20: flags\.split\.targeting: \d+ evaluations? of the cohort read these operands otherwise in flagd-core, .*\(bucketing by "split[^"]*", the flag key and the targeting key\) is "[ab]" to Go flagd, "[ab]" to flagd-core/);
  });
});

describe('number forms and YAML scalars as each vendor\'s parser reads them', () => {
  const refusedAs = (text: string, file: string) => {
    try {
      parseFlagText(text, file);
      return [];
    } catch (e) {
      if (e instanceof InputError) return e.lines;
      throw e;
    }
  };

  it('a .json file is JSON: 0x1p-2, 0x10, +12, .5, 012, True, a comment, a byte order mark are refused where they stand', () => {
    // flagd core/pkg/utils/convert_to_json.go: a "json" extension goes to encoding/json as it is.
    const flag = (v: string) => `{\n  "flags": {\n    "f": {\n      "state": "ENABLED", "defaultVariant": "a",\n      "variants": { "a": ${v} }\n    }\n  }\n}\n`;
    for (const [v, what] of [['0x1p-2', '"0x1p-2" is no JSON number'], ['0x10', '"0x10" is no JSON number'], ['+12', '"+12" is no JSON value'], ['.5', '".5" is no JSON value'], ['012', '"012" is no JSON number'], ['True', '"True" is no JSON value']] as const) {
      expect(refusedAs(flag(v), 'f.json'), v).toEqual([`f.json:5:26: invalid JSON: ${what}${what.endsWith('number') ? ' (JSON writes numbers in decimal: no "+", hexadecimal, leading 0 or bare ".")' : ' (JSON writes true, false, null, numbers in decimal and "text" in double quotes)'} (flagd (Go's encoding/json), LaunchDarkly's SDKs and Unleash read a .json file as JSON and refuse this)`]);
      // The same value in a YAML file is read as YAML reads it.
      expect(refusedAs(flag(v), 'f.yaml'), v).toEqual([]);
    }
    expect(refusedAs(`\ufeff${flag('1')}`, 'f.json')).toEqual([expect.stringMatching(/^f\.json:1:1: invalid JSON: a byte order mark/)]);
    expect(refusedAs(flag('1 // one'), 'f.json')).toEqual([expect.stringMatching(/^f\.json:5:28: invalid JSON: "\/\/" where "," or "}" goes/)]);
    expect(refusedAs(flag('1e400'), 'f.json')).toEqual(['f.json:5:26: flags.f.variants.a: a number beyond what a float64 holds: Go\'s encoding/json refuses the file ("cannot unmarshal number into Go value of type float64": flagd, LaunchDarkly\'s Go SDK) and JavaScript reads it as Infinity']);
    // Every flag file the vendors publish (the fixtures) is JSON as it stands.
    expect(refusedAs(readFileSync(vendor('flagd/testbed-flags.json'), 'utf8'), 'testbed-flags.json')).toEqual([]);
  });

  const scalars = readFileSync(vendor('flagd/yaml-scalars.jsonl'), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { scalar: string; flagd: { value?: unknown; error?: string }; flagdKey: string; kubernetes: { value?: unknown; key?: string; error?: string } });
  it('has the scalars', () => expect([scalars.length, scalars.filter((x) => x.flagd.error).length, scalars.filter((x) => x.kubernetes.error).length]).toEqual([67, 3, 9]));
  it.each(scalars.map((x) => [x.scalar, x] as const))('%s as flagd (yaml.v3) and Kubernetes (YAML 1.1) read it', (_, x) => {
    const read = (text: string, lib: 'flagd' | 'kubernetes') => {
      const r = readAsGo(parseDocument(text), lib);
      // Through JSON, as the fixture holds it (-0 is 0 there).
      return r.scalars.some((y) => y.unwritable) ? 'error' : JSON.parse(JSON.stringify(r.value)) as unknown;
    };
    expect(read(`v: ${x.scalar}`, 'flagd')).toEqual(x.flagd.error ? 'error' : { v: x.flagd.value });
    expect(read(`m:\n  ${x.scalar}: 1`, 'flagd')).toEqual({ m: { [x.flagdKey]: 1 } });
    if (x.kubernetes.error) expect([read(`v: ${x.scalar}`, 'kubernetes'), read(`m:\n  ${x.scalar}: 1`, 'kubernetes')]).toContain('error');
    else {
      // kubectl printed its numbers through a float64 (9223372036854775807 is 9223372036854775808 there).
      const v = (read(`v: ${x.scalar}`, 'kubernetes') as Json).v;
      expect(typeof v === 'number' ? Number(v) : v).toEqual(x.kubernetes.value);
      expect(read(`m:\n  ${x.scalar}: 1`, 'kubernetes')).toEqual({ m: { [x.kubernetes.key!]: 1 } });
    }
  });

  const featureFlag = `apiVersion: core.openfeature.dev/v1beta1
kind: FeatureFlag
metadata:
  name: checkout
spec:
  flagSpec:
    flags:
      new-checkout:
        state: ENABLED
        variants:
          on: true
          off: false
        defaultVariant: off
`;
  it('a FeatureFlag written with on and off unquoted: Kubernetes makes defaultVariant false, which the API server refuses', () => {
    // config/crd/bases/core.openfeature.dev_featureflags.yaml: defaultVariant is a string.
    expect(refusedAs(featureFlag, 'ff.yaml')).toEqual([]);
    const parts = () => flagd.toScenarioParts(parseFlagText(featureFlag, 'ff.yaml'));
    expect(() => parts()).toThrow(InputError);
    let lines: string[] = [];
    try {
      parts();
    } catch (e) {
      lines = (e as InputError).lines;
    }
    expect(lines).toEqual(['ff.yaml:13:25: spec.flagSpec.flags.new-checkout.defaultVariant: Invalid value: "boolean": must be of type string (the API server refuses the FeatureFlag: config/crd/bases/core.openfeature.dev_featureflags.yaml; YAML 1.1, which Kubernetes reads, makes on, off, yes and no true or false: quote the text)']);
    // Quoted defaultVariant: the variants are still named "true" and "false", each warned where it is written.
    const quoted = featureFlag.replace('defaultVariant: off', 'defaultVariant: "false"');
    const p = flagd.toScenarioParts(parseFlagText(quoted, 'ff.yaml'));
    expect(p.warnings.map(formatWarning)).toEqual([
      'ff.yaml:11:11: spec.flagSpec.flags.new-checkout.variants.on: the key on is "true" to Kubernetes, which reads a resource\'s YAML as YAML 1.1 (kubectl: sigs.k8s.io/yaml over go-yaml v2), where YAML 1.2 reads "on"; the OpenFeature Operator hands flagd that, and it is rehearsed so (quote it to keep its text)',
      'ff.yaml:12:11: spec.flagSpec.flags.new-checkout.variants.off: the key off is "false" to Kubernetes, which reads a resource\'s YAML as YAML 1.1 (kubectl: sigs.k8s.io/yaml over go-yaml v2), where YAML 1.2 reads "off"; the OpenFeature Operator hands flagd that, and it is rehearsed so (quote it to keep its text)',
    ]);
    expect(p.flags[0].variants).toEqual(['true', 'false']);
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!kubectl)('kubectl reads that FeatureFlag as rehearse does (its JSON, whole)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ff-'));
    const file = join(dir, 'ff.yaml');
    writeFileSync(file, featureFlag);
    const out = spawnSync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', 'json'], { encoding: 'utf8', timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
    expect(out.status, out.stderr).toBe(0);
    const fromKubectl = JSON.parse(out.stdout) as { spec: unknown };
    const doc = parseFlagText(featureFlag, 'ff.yaml');
    expect((doc.readAs!('kubernetes').value as { spec: unknown }).spec).toEqual(fromKubectl.spec);
    expect(fromKubectl.spec).toEqual({ flagSpec: { flags: { 'new-checkout': { state: 'ENABLED', variants: { true: true, false: false }, defaultVariant: false } } } });
  });

  it('a flagd YAML file is read as flagd reads it: 012 is 10, 2024-01-01 a time; .inf refused', () => {
    const file = 'flags:\n  f:\n    state: ENABLED\n    defaultVariant: a\n    variants:\n      a: 012\n      b: 2024-01-01\n';
    const p = flagd.toScenarioParts(parseFlagText(file, 'f.flagd.yaml'));
    expect(p.warnings.map(formatWarning)).toEqual([
      'f.flagd.yaml:6:10: flags.f.variants.a: 012 is 10 to flagd, which reads YAML with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go YAMLToJSON), where YAML 1.2 reads 12; rehearsed as flagd reads it (quote it to keep its text)',
      'f.flagd.yaml:7:10: flags.f.variants.b: 2024-01-01 is "2024-01-01T00:00:00Z" to flagd, which reads YAML with gopkg.in/yaml.v3 (core/pkg/utils/yaml.go YAMLToJSON), where YAML 1.2 reads "2024-01-01"; rehearsed as flagd reads it (quote it to keep its text)',
      // The time is a string to flagd beside a number (test/flagd-variant-types.test.ts).
      'f.flagd.yaml:7:10: flags.f.variants.b: variant "b" is a string, the default variant "a" a number: flagd\'s schema wants the variants of a flag of one type and flagd loads the file with a warning only (core/pkg/evaluator/json.go: "does not conform to the schema"); code that reads the flag as a number (getNumberValue, the type of the default variant "a") and is served "b" gets TYPE_MISMATCH and its default (json.go resolve)',
    ]);
    const set = flagd.serve(p.state);
    expect(set.evaluate('f', { targetingKey: 'u' })).toMatchObject({ variant: 'a', value: 10 });
    expect(() => flagd.toScenarioParts(parseFlagText(file.replace('012', '.inf'), 'f.flagd.yaml'))).toThrow('f.flagd.yaml:6:10: flags.f.variants.a: .inf: .inf is +Inf, which encoding/json cannot write ("json: unsupported value"): flagd cannot read the file');
  });

  it('a LaunchDarkly YAML file with on unquoted: warned, since the Go SDK reads the key as "true" (LaunchDarkly\'s own test files quote it)', () => {
    const yml = readFileSync(vendor('launchdarkly/filesource/flag-only.yml'), 'utf8');
    expect(yml).toContain('"on": true');
    expect(launchdarkly.toScenarioParts(parseFlagText(yml, 'flag-only.yml')).warnings).toEqual([]);
    const unquoted = launchdarkly.toScenarioParts(parseFlagText(yml.replace('"on": true', 'on: true'), 'flag-only.yml'));
    expect(unquoted.warnings.map(formatWarning)).toEqual(['flag-only.yml:5:5: flags.flag1.on: the key on is "true" to LaunchDarkly\'s Go SDK, whose file data source reads YAML as YAML 1.1 (gopkg.in/ghodss/yaml over go-yaml v2), where YAML 1.2 reads "on"; its Node SDK reads what the YAML parser it is given reads (YAML 1.2 with the yaml package), as rehearse does: services on the Go SDK are served otherwise (quote it to be read alike)']);
  });
});

/**
 * Several YAML documents in one flag file: Kubernetes resources, read as the OpenFeature Operator gives them to
 * flagd (its FeatureFlagSource names the FeatureFlags flagd reads, in order: open-feature/open-feature-operator
 * api/core/v1beta1/featureflagsource_types.go). The operator's own end-to-end sample (config/samples/end-to-end.yaml)
 * was refused whole.
 */
describe('several FeatureFlags in one file, as the operator gives them to flagd', () => {
  const e2e = readFileSync(vendor('openfeature-operator/end-to-end.yaml'), 'utf8');
  const ff = (name: string, flags: string, namespace = 'shop') => `apiVersion: core.openfeature.dev/v1beta1\nkind: FeatureFlag\nmetadata:\n  name: ${name}\n  namespace: ${namespace}\nspec:\n  flagSpec:\n    flags:\n${flags}`;
  const flag = (key: string, variant: string) => `      ${key}:\n        state: ENABLED\n        variants: { "a": "a", "b": "b" }\n        defaultVariant: "${variant}"\n`;
  const ffs = (sources: string, more = '') => `apiVersion: core.openfeature.dev/v1beta1\nkind: FeatureFlagSource\nmetadata:\n  name: shop-flags\n  namespace: shop\nspec:\n${more}  sources:\n${sources}`;
  const parts = (text: string) => flagd.toScenarioParts(parseFlagText(text, 'ff.yaml'));
  const refused = (text: string) => {
    try {
      parts(text);
      return [];
    } catch (e) {
      if (e instanceof InputError) return e.lines;
      throw e;
    }
  };

  it('the operator\'s end-to-end sample: the FeatureFlag its FeatureFlagSource names is read; the Namespace, Deployment, Service and ServiceAccount are said not to be', () => {
    const p = flagd.toScenarioParts(parseFlagText(e2e, 'end-to-end.yaml'));
    expect(p.flags.map((f) => f.key)).toEqual(['simple-flag']);
    expect(p.warnings.map(formatWarning)).toEqual([
      'end-to-end.yaml:2:1: (top level): a Namespace ("open-feature-demo"): it holds no flags, and is not read',
      'end-to-end.yaml:33:1: (top level): a Deployment ("open-feature-demo-deployment"): it holds no flags, and is not read',
      'end-to-end.yaml:63:1: (top level): a Service ("open-feature-demo-service"): it holds no flags, and is not read',
      'end-to-end.yaml:77:1: (top level): a ServiceAccount ("open-feature-demo-sa"): it holds no flags, and is not read',
    ]);
    expect(flagd.serve(p.state).evaluate('simple-flag', { targetingKey: 'u1' })).toMatchObject({ variant: 'on', value: true });
  });

  it('the FeatureFlagSource\'s order decides which FeatureFlag serves a key both define: the later source, as flagd\'s store keeps it', () => {
    const text = [ff('first', flag('checkout', 'a')), ff('second', flag('checkout', 'b')), ffs('  - source: shop/second\n    provider: kubernetes\n  - source: shop/first\n')].join('---\n');
    const p = parts(text);
    expect(flagd.serve(p.state).evaluate('checkout', { targetingKey: 'u' })).toMatchObject({ variant: 'a' });
    const swapped = [ff('first', flag('checkout', 'a')), ff('second', flag('checkout', 'b')), ffs('  - source: shop/first\n  - source: shop/second\n')].join('---\n');
    expect(flagd.serve(parts(swapped).state).evaluate('checkout', { targetingKey: 'u' })).toMatchObject({ variant: 'b' });
  });

  it('what the FeatureFlagSource names outside the file, and its context values, are warned; a FeatureFlag it does not name is not read', () => {
    const text = [ff('first', flag('checkout', 'a')), ff('other', flag('search', 'a')),
      ffs('  - source: shop/first\n  - source: shop/missing\n  - source: flags.json\n    provider: file\n', '  contextValues: { region: eu }\n')].join('---\n');
    const p = parts(text);
    expect(p.flags.map((f) => f.key)).toEqual(['checkout']);
    expect(p.warnings.map((w) => `${w.path.join('.')}: ${w.message.split(':')[0]}`)).toEqual([
      'spec.contextValues: flagd adds these values to the context of every evaluation; a rehearsal\'s users carry only their own attributes',
      'spec.sources.1.source: no FeatureFlag shop/missing in this file',
      'spec.sources.2: a file source (flags.json)',
      ': FeatureFlag "other" is not a source of the FeatureFlagSource "shop-flags"',
    ]);
  });

  it('without a FeatureFlagSource every FeatureFlag is read; a key two define is refused, naming both', () => {
    expect(parts([ff('first', flag('checkout', 'a')), ff('second', flag('search', 'b'))].join('---\n')).flags.map((f) => f.key)).toEqual(['checkout', 'search']);
    expect(refused([ff('first', flag('checkout', 'a')), ff('second', flag('checkout', 'b'))].join('---\n'))).toEqual([
      'ff.yaml:23:9: spec.flagSpec.flags.checkout: flag "checkout" is also defined by the FeatureFlag at ff.yaml:10:9: flagd serves the one of its later source, and without a FeatureFlagSource the file does not say which is later; add the FeatureFlagSource, or give each FeatureFlag as a file of its own, in order',
    ]);
  });

  const refusedDocs = (text: string) => {
    try {
      parseFlagText(text, 'ff.yaml');
      return [];
    } catch (e) {
      if (e instanceof InputError) return e.lines;
      throw e;
    }
  };
  it('two FeatureFlagSources, or documents with no FeatureFlag (a LaunchDarkly file in two), are refused with what to give instead', () => {
    const two = [ff('first', flag('checkout', 'a')), ffs('  - source: shop/first\n'), ffs('  - source: shop/first\n').replace('shop-flags', 'admin-flags')].join('---\n');
    expect(refused(two)).toEqual([expect.stringMatching(/^ff\.yaml: holds 2 FeatureFlagSources \("shop-flags" at ff\.yaml:\d+:\d+, "admin-flags" at ff\.yaml:\d+:\d+\), each the sources of the flagd/)]);
    expect(refusedDocs('flagValues: { a: 1 }\n---\nflagValues: { b: 2 }\n')).toEqual([expect.stringMatching(/^ff\.yaml: holds 2 YAML documents and no FeatureFlag; a flag file is one document/)]);
  });

  it('a flagd file of two documents: flagd reads the first (yaml.Unmarshal in core/pkg/utils/yaml.go), the second is warned; a `---` at the end is none', () => {
    const text = 'flags:\n  f: { state: ENABLED, variants: { a: 1 }, defaultVariant: a }\n---\nflags:\n  g: { state: ENABLED, variants: { a: 1 }, defaultVariant: a }\n';
    const p = flagd.toScenarioParts(parseFlagText(text, 'two.yaml'));
    expect(p.flags.map((f) => f.key)).toEqual(['f']);
    expect(p.warnings.map(formatWarning)).toEqual(['two.yaml:4:1: (top level): a YAML document after the first: flagd reads only the first document of a file (core/pkg/utils/yaml.go YAMLToJSON: yaml.Unmarshal), nor does rehearse read this one']);
    expect(flagd.toScenarioParts(parseFlagText(text.split('---')[0] + '---\n', 'one.yaml')).warnings).toEqual([]);
  });

  it('a scenario takes its flags from the end-to-end sample through flags.from.flagd', async () => {
    const { parseScenarioText } = await import('../src/load/scenario.js');
    const dir = mkdtempSync(join(tmpdir(), 'e2e-'));
    writeFileSync(join(dir, 'end-to-end.yaml'), e2e);
    const l = parseScenarioText('name: s\nduration: 1m\ntraffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }\njourneys: { j: { steps: [api.get] } }\nservices: { api: { endpoints: { get: {} } } }\nflags:\n  from: { flagd: end-to-end.yaml }\n  simple-flag: { evaluated-by: [api] }\n', dir);
    rmSync(dir, { recursive: true, force: true });
    expect(l.ok ? [] : l.problems).toEqual([]);
  });
});

describe('open-telemetry/opentelemetry-demo\'s flag files', () => {
  const cli = async (args: string[]) => {
    const { main } = await import('../src/cli/main.js');
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, { out: (x) => out.push(x), err: (x) => err.push(x) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };
  it('src/flagd/demo.flagd.json imports; each flag\'s description is warned as one flagd does not read', () => {
    const file = 'test/fixtures/vendor/flagd/otel-demo.flagd.json';
    const p = flagd.toScenarioParts(parseFlagText(readFileSync(join(root, file), 'utf8'), file));
    expect(p.flags).toHaveLength(15);
    expect(p.warnings.map((w) => w.message)).toEqual(Array(15).fill('"description" is not a field of flagd\'s Flag: flagd does not read it, nor does rehearse'));
    const set = flagd.serve(p.state);
    expect(set.evaluate('productCatalogFailure', { targetingKey: 'u', product_id: 'OLJCESPC7Z' })).toMatchObject({ variant: 'off', value: false, reason: 'targeting match' });
    expect(set.evaluate('cartFailure', { targetingKey: 'u' })).toMatchObject({ variant: 'off', value: 0, reason: 'default' });
  });
  it('src/checkout/flags.json, an OpenFeature CLI flag manifest, is named for what it is', async () => {
    const file = 'test/fixtures/vendor/flagd/otel-demo-checkout-manifest.json';
    const hint = '(an OpenFeature CLI flag manifest: it declares the flags code is generated for, each with its type and the value the code passes as its default, not how a flag system serves them: give the file of the flag system that serves them; a defaultValue is what `default:` on the scenario\'s flag entry says)';
    const asFlagd = await cli(['import', 'flags', 'flagd', file]);
    expect([asFlagd.code, asFlagd.err]).toEqual([2, `${file}:3:12: flags: a flagd file has "flags": an object of flag definitions by key, or a list of flags with a key ${hint}`]);
    const anyway = await cli(['flags', 'eval', file, '--flag', 'paymentUnreachable', '--context', '{}']);
    expect([anyway.code, anyway.err]).toEqual([2, `${file}: cannot tell which flag system wrote this file ${hint}; give --system flagd, unleash or launchdarkly`]);
  });
});
