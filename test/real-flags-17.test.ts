/**
 * Round 17 of real flag files (Unleash, LaunchDarkly, flagd and the OpenFeature Operator), each outcome asserted.
 * - Unleash YAML: Unleash's state import reads a .yaml or .yml file with js-yaml 4 (Unleash/unleash at ff377cd70461
 *   src/lib/routes/admin-api/state.ts import() and src/lib/services/state-util.ts parseFile: YAML.load; js-yaml 4.1.0
 *   in its yarn.lock), whose core schema reads more than YAML 1.2's: `1_000`, `0b101`, `-0x1F` are numbers, `-.5`
 *   is text, `2024-01-01` a Date. rehearse read them as YAML 1.2: a strategy's `groupId: 1_000` hashed "1_000" where
 *   Unleash hashes "1000" (other users in the rollout), `values: [-.5]` was refused where Unleash takes "-.5", a
 *   date where Joi's string() refuses a Date was taken. test/fixtures/vendor/unleash/js-yaml/scalars-4.1.0.json
 *   holds js-yaml 4.1.0's own answers (js-yaml/answers.cjs over nodeca/js-yaml at 2cef47bebf60); the version 4
 *   export written as Unleash's export route writes YAML (js-yaml/dump-v4.cjs) reads as its JSON.
 * - Unleash strategies' order: unleash-client 6.12.1 evaluates a response's strategies in the order listed
 *   (lib/client.js: feature.strategies.some) and serves the variants of the first that matches; rehearse sorted a
 *   client API response by sortOrder. A state export's sortOrder, which the import drops (state-schema.ts
 *   featureStrategySchema strips it), is warned where strategy variants make the order matter.
 * - Merge keys: go-yaml v2 (v2.4.0 decode.go mapping: d.merge where the `<<` stands), which Kubernetes (sigs.k8s.io/yaml
 *   over go.yaml.in/yaml/v2 v2.4.2) and LaunchDarkly's Go SDK (gopkg.in/ghodss/yaml over gopkg.in/yaml.v2 v2.3.0) read
 *   YAML with, lets a merged mapping set again a key written before the `<<`; yaml.v3 (flagd), js-yaml (Unleash) and
 *   YAML 1.2 keep the key's own (test/fixtures/vendor/flagd/yaml-merge.jsonl: six documents as go-yaml v2.4.0 and v3.0.1
 *   read them, go-oracle/yaml-merge-main.go; kubectl reads a FeatureFlag so). LaunchDarkly's Node SDK parses YAML with the parser it is given, and the `yaml`
 *   package its options name (js-core sdk-server FileDataSourceOptions.ts) does not merge at all.
 * - LaunchDarkly's Go SDK buckets in float32 (go-server-sdk-evaluation evaluator_bucketing.go: float32(intVal) /
 *   longScale; evaluator.go variationOrRolloutResult: var sum float32), the Node SDK in float64 (js-core
 *   Bucketer.ts, Evaluator.ts): a user whose bucket lies within float32's rounding of a boundary lands in the next
 *   variation on Go. Measured here and said in docs/limits.md.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import { jsYamlKey, jsYamlResolve } from '../src/interop/flag-js-yaml.js';
import * as unleash from '../src/interop/unleash/index.js';
import * as launchdarkly from '../src/interop/launchdarkly/index.js';
import * as flagd from '../src/interop/flagd/index.js';
import { unleashNormalized } from '../src/flags/bucketing.js';
import { InputError } from '../src/errors.js';

const root = join(import.meta.dirname, '..');
const vendor = (f: string) => join(root, 'test/fixtures/vendor', f);
type Json = Record<string, unknown>;

/** What importing a flag document says: its warnings, or the lines of its refusal. */
function imported(adapter: typeof unleash | typeof launchdarkly | typeof flagd, text: string, file: string, environment?: string): { warnings: string[] } | { refused: string[] } {
  try {
    return { warnings: adapter.toScenarioParts(parseFlagText(text, file), { environment }).warnings.map(formatWarning) };
  } catch (e) {
    if (e instanceof InputError) return { refused: e.lines };
    throw e;
  }
}

describe('Unleash YAML, read as js-yaml 4.1.0 reads it', () => {
  const answers = JSON.parse(readFileSync(vendor('unleash/js-yaml/scalars-4.1.0.json'), 'utf8')) as {
    'js-yaml': string; commit: string; values: Record<string, unknown>; keys: Record<string, unknown>;
    documents: Record<string, { text: string; value?: unknown; error?: string }>;
  };
  const shown = (r: ReturnType<typeof jsYamlResolve>): unknown => {
    if (r.date) return { date: r.value };
    return typeof r.value === 'number' && !Number.isFinite(r.value) ? { number: String(r.value) } : r.value;
  };

  it('has js-yaml\'s answers', () => {
    expect([answers['js-yaml'], Object.keys(answers.values).length, Object.keys(answers.documents).length]).toEqual(['4.1.0', 81, 4]);
  });
  it.each(Object.entries(answers.values))('the value %s', (text, value) => {
    // lib/type/int.js, float.js, timestamp.js of js-yaml 4.1.0, in DEFAULT_SCHEMA's order (null, bool, int, float, timestamp).
    expect(shown(jsYamlResolve(text))).toEqual(value);
  });
  it.each(Object.entries(answers.keys))('the key %s', (text, key) => {
    // lib/loader.js storeMappingPair: keyNode = String(keyNode); a Date's String() depends on the server's time zone.
    const r = jsYamlKey(text);
    expect('unwritable' in r ? { dateKey: true } : r.key).toEqual(key);
  });
  it.each(Object.entries(answers.documents))('the document %s', (_, d) => {
    const file = parseFlagText(d.text, 'u.yaml');
    const r = file.readAs!('js-yaml');
    if (d.error) expect(r.scalars.filter((x) => x.unwritable).map((x) => x.unwritable)).toEqual([expect.stringContaining(d.error)]);
    else expect(r.value).toEqual(d.value);
  });

  const state = (parameters: string, values = '[beta]', extra = '') => `version: 3
features:
  - name: search
    enabled: true
    description: ${extra || 'the new search'}
featureStrategies:
  - id: s1
    featureName: search
    projectId: default
    environment: production
    strategyName: flexibleRollout
    parameters:
${parameters}
    constraints:
      - contextName: plan
        operator: IN
        values: ${values}
featureEnvironments:
  - featureName: search
    environment: production
    enabled: true
`;
  const open = (text: string) => unleash.open(parseFlagText(text, 'state.yaml'));

  it('a groupId written 1_000 is "1000", the group Unleash hashes its users with', () => {
    const text = state('      rollout: "50"\n      stickiness: default\n      groupId: 1_000');
    const set = open(text);
    const users = Array.from({ length: 200 }, (_, i) => `u${i}`);
    const on = users.filter((u) => set.evaluate('search', { userId: u, plan: 'beta' }).enabled);
    // unleash-client's flexibleRollout: normalizedValue(userId, groupId) <= rollout.
    expect(on).toEqual(users.filter((u) => unleashNormalized('1000', u) <= 50));
    expect(on).not.toEqual(users.filter((u) => unleashNormalized('1_000', u) <= 50));
    expect(imported(unleash, text, 'state.yaml')).toEqual({ warnings: [
      'state.yaml:15:16: featureStrategies[0].parameters.groupId: 1_000 is 1000 to Unleash, which reads YAML with js-yaml 4 (its state import: src/lib/services/state-util.ts parseFile, routes/admin-api/state.ts YAML.load), where YAML 1.2 reads "1_000"; rehearsed as Unleash imports it (quote it to keep its text)',
    ] });
  });

  it('a constraint value written -.5 is the text "-.5" to js-yaml (a number to YAML 1.2, which was refused)', () => {
    const text = state('      rollout: "100"', '[-.5]');
    expect(open(text).evaluate('search', { userId: 'u1', plan: '-.5' })).toMatchObject({ enabled: true });
    expect(open(text).evaluate('search', { userId: 'u1', plan: '-0.5' })).toMatchObject({ enabled: false });
  });

  it('a date: stored as its JSON text in a strategy\'s parameters; refused by Joi where the schema takes text', () => {
    // js-yaml makes 2024-01-01 a Date; the import stores parameters as JSON (Date.toJSON), and the client API serves text.
    const text = state('      rollout: "100"\n      groupId: 2024-01-01');
    const set = open(text);
    const inRollout = (groupId: string) => Array.from({ length: 50 }, (_, i) => unleashNormalized(groupId, `u${i}`));
    expect(inRollout('2024-01-01T00:00:00.000Z')).not.toEqual(inRollout('2024-01-01'));
    expect(set.evaluate('search', { userId: 'u7', plan: 'beta' }).bucket).toBe(unleashNormalized('2024-01-01T00:00:00.000Z', 'u7'));
    expect(imported(unleash, text, 'state.yaml')).toEqual({ warnings: [expect.stringMatching(/^state\.yaml:14:16: featureStrategies\[0\]\.parameters\.groupId: 2024-01-01 is a date to Unleash, .*, stored as "2024-01-01T00:00:00\.000Z", where YAML 1\.2 reads the text "2024-01-01"/)] });
    // feature-schema.ts featureSchema: description is joi.string(); a Date is "must be a string".
    const refused = imported(unleash, state('      rollout: "100"', '[beta]', '2024-01-01'), 'state.yaml');
    expect(refused).toEqual({ refused: [expect.stringMatching(/^state\.yaml:5:18: features\[0\]\.description: "features\[0\]\.description" must be a string \(Unleash's state import validates the file with Joi/)] });
  });

  it('a key js-yaml reads as a date, or as a key the mapping holds, is refused', () => {
    expect(imported(unleash, state('      rollout: "100"\n      2024-01-01: x'), 'state.yaml')).toEqual({ refused: [expect.stringMatching(/^state\.yaml:14:7: featureStrategies\[0\]\.parameters\["2024-01-01"\]: the key 2024-01-01: a date to js-yaml, which Unleash's import names with String\(Date\) in the server's time zone: quote it: Unleash cannot read the file$/)] });
    expect(imported(unleash, state('      rollout: "100"\n      5: a\n      0b101: b'), 'state.yaml')).toEqual({ refused: [expect.stringMatching(/^state\.yaml:15:7: featureStrategies\[0\]\.parameters\["5"\]: the key 0b101: "5" to js-yaml, a key the mapping already holds \("duplicated mapping key"\)/)] });
  });

  it('a version 4 export written in YAML as Unleash writes it reads as its JSON, with the same warnings', () => {
    const json = readFileSync(vendor('unleash/state-v4.built-from-exportV4.json'), 'utf8');
    const yaml = readFileSync(vendor('unleash/state-v4.built-from-exportV4.yaml'), 'utf8');
    // Its timestamps are unquoted (js-yaml dumps a Date plain), and read back as the same text.
    expect(yaml).toMatch(/^ {4}createdAt: 2024-03-01T09:00:00\.000Z$/m);
    const a = unleash.toScenarioParts(parseFlagText(json, 'e.json'), { environment: 'production' });
    const b = unleash.toScenarioParts(parseFlagText(yaml, 'e.yaml'), { environment: 'production' });
    expect(b.state).toEqual(a.state);
    expect(b.warnings.map((w) => [w.path, w.message])).toEqual(a.warnings.map((w) => [w.path, w.message]));
  });

  it('Unleash\'s own e2e import.yml holds nothing js-yaml reads otherwise', () => {
    const text = readFileSync(vendor('unleash/state-v1.import.yml'), 'utf8');
    expect(parseFlagText(text, 'import.yml').readAs!('js-yaml').scalars).toEqual([]);
  });
});

describe('Unleash state export strategies the import cannot store', () => {
  it('a 4.1 export\'s strategies with projectName, not projectId, stop the import at the database; refused', () => {
    // Unleash's e2e test "import for 4.1.2 enterprise format fixed works" (src/test/e2e/api/admin/state.e2e.test.ts at
    // ff377cd70461) imports exported412-enterprise-necessary-fixes.json, which renames projectName projectId and gives
    // the environment a type; with the type alone, each strategy's insert fails (feature_strategies.project_name NOT NULL).
    const file = JSON.parse(readFileSync(vendor('unleash/state-v2.exported412-enterprise.json'), 'utf8')) as { environments: Json[]; featureStrategies: Json[] };
    file.environments[0].type = 'production';
    const r = imported(unleash, JSON.stringify(file, null, 1), 'e.json');
    expect('refused' in r && r.refused.length).toBe(file.featureStrategies.length);
    expect('refused' in r && r.refused[0]).toMatch(/^e\.json:\d+:\d+: featureStrategies\[0\]: a strategy without projectId \(it writes projectName, which the import strips, where it reads projectId\): .* the database refuses a strategy without project_name \(feature_strategies, NOT NULL\)/);
    const fixed = readFileSync(vendor('unleash/state-v2.exported412-enterprise-necessary-fixes.json'), 'utf8');
    expect(imported(unleash, fixed, 'f.json')).toHaveProperty('warnings');
  });

  it('a strategy named by name alone (the import strips it) or with no featureName is refused', () => {
    const file = (strategy: Json) => JSON.stringify({ version: 3, features: [{ name: 'a' }], featureStrategies: [strategy], featureEnvironments: [{ featureName: 'a', environment: 'default', enabled: true }] }, null, 1);
    expect(imported(unleash, file({ featureName: 'a', projectId: 'default', environment: 'default', name: 'default' }), 'n.json')).toEqual({ refused: [expect.stringMatching(/^n\.json:9:3: featureStrategies\[0\]: a strategy without strategyName \(it writes name, which the import strips, where it reads strategyName\)/)] });
    expect(imported(unleash, file({ projectId: 'default', environment: 'default', strategyName: 'default' }), 'n.json')).toEqual({ refused: [expect.stringMatching(/^n\.json:9:3: featureStrategies\[0\]: a strategy without featureName: /)] });
    expect(imported(unleash, file({ featureName: 'a', projectId: 'default', environment: 'default', strategyName: 'default' }), 'n.json')).toEqual({ warnings: [] });
  });
});

describe('Unleash strategies in the order unleash-client evaluates them', () => {
  const client = (first: number, second: number) => JSON.stringify({
    version: 2,
    features: [{
      name: 'banner', enabled: true, variants: [],
      strategies: [
        { name: 'default', sortOrder: first, constraints: [], parameters: {}, variants: [{ name: 'blue', weight: 1000, stickiness: 'default', weightType: 'variable' }] },
        { name: 'default', sortOrder: second, constraints: [], parameters: {}, variants: [{ name: 'red', weight: 1000, stickiness: 'default', weightType: 'variable' }] },
      ],
    }],
  }, null, 1);
  it('a client API response is served in the order listed, whatever its sortOrder (lib/client.js: feature.strategies.some)', () => {
    const set = unleash.open(parseFlagText(client(2, 1), 'c.json'));
    expect(set.evaluate('banner', { userId: 'u1' })).toMatchObject({ variant: 'blue' });
    expect(imported(unleash, client(2, 1), 'c.json')).toEqual({ warnings: [expect.stringMatching(/^c\.json:\d+:\d+: features\[0\]\.strategies\[1\]\.sortOrder: sortOrder 1 is below the one of the strategy listed before it: unleash-client evaluates a response's strategies in the order listed/)] });
    expect(imported(unleash, client(1, 2), 'c.json')).toEqual({ warnings: [] });
  });

  it('a feature export is served by sortOrder, which its import keeps (export-import-service.ts importStrategies: createStrategy with it)', () => {
    const strategy = (sortOrder: number, variant: string) => ({ name: 'default', featureName: 'banner', sortOrder, constraints: [], parameters: {}, variants: [{ name: variant, weight: 1000, stickiness: 'default', weightType: 'variable' }] });
    const text = JSON.stringify({
      features: [{ name: 'banner', type: 'release', project: 'default' }],
      featureStrategies: [strategy(2, 'blue'), strategy(1, 'red')],
      featureEnvironments: [{ name: 'banner', featureName: 'banner', environment: 'production', enabled: true, variants: [] }],
      tagTypes: [],
    }, null, 1);
    expect(unleash.open(parseFlagText(text, 'x.json')).evaluate('banner', { userId: 'u1' })).toMatchObject({ variant: 'red' });
    expect(imported(unleash, text, 'x.json')).toEqual({ warnings: [] });
  });

  it('a state export\'s sortOrder, which the import drops, is warned where strategy variants make the order matter', () => {
    const r = imported(unleash, readFileSync(vendor('unleash/state-v4.built-from-exportV4.json'), 'utf8'), 'v4.json', 'production');
    expect('warnings' in r && r.warnings.filter((w) => w.includes('sortOrder'))).toEqual([
      expect.stringMatching(/^v4\.json:65:20: featureStrategies\[0\]\.sortOrder: Unleash's state import drops sortOrder \(state-schema\.ts featureStrategySchema\)/),
      expect.stringMatching(/^v4\.json:95:20: featureStrategies\[2\]\.sortOrder: /),
    ]);
  });
});

describe('merge keys, as each system\'s parser merges them', () => {
  const featureFlag = `apiVersion: core.openfeature.dev/v1beta1
kind: FeatureFlag
metadata:
  name: sample
spec:
  flagSpec:
    flags:
      base: &base
        state: ENABLED
        variants: { "on": true, "off": false }
        defaultVariant: "on"
      checkout:
        defaultVariant: "off"
        <<: *base
`;
  it('a FeatureFlag: a key before the merge key takes the merged value, as Kubernetes reads it (go-yaml v2)', () => {
    const set = flagd.open(parseFlagText(featureFlag, 'ff.yaml'));
    expect(set.evaluate('checkout', { targetingKey: 'u1' })).toMatchObject({ variant: 'on', value: true });
    expect(imported(flagd, featureFlag, 'ff.yaml')).toEqual({ warnings: expect.arrayContaining([
      expect.stringMatching(/^ff\.yaml:13:9: spec\.flagSpec\.flags\.checkout\.defaultVariant: the key defaultVariant is set again by the merge key at line 14, column 9, and takes the merged value to Kubernetes/),
    ]) });
  });

  const kubectl = spawnSync('kubectl', ['version', '--client'], { encoding: 'utf8' }).status === 0;
  it.skipIf(!kubectl)('kubectl reads that FeatureFlag so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-merge-'));
    try {
      const file = join(dir, 'ff.yaml');
      writeFileSync(file, featureFlag);
      const out = spawnSync('kubectl', ['label', '--local', '-f', file, 'x=y', '-o', 'json'], { encoding: 'utf8', timeout: 60_000 });
      expect(out.status, out.stderr).toBe(0);
      const flags = (((JSON.parse(out.stdout) as Json).spec as Json).flagSpec as Json).flags as Json;
      expect(flags.checkout).toEqual((parseFlagText(featureFlag, 'ff.yaml').readAs!('kubernetes').value as { spec: { flagSpec: { flags: Json } } }).spec.flagSpec.flags.checkout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const merges = readFileSync(vendor('flagd/yaml-merge.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { doc: string; v2: unknown; v3: unknown });
  it.each(merges.map((m, i) => [i, m] as const))('document %i as go-yaml v2.4.0 (Kubernetes, LaunchDarkly\'s Go SDK) and v3.0.1 (flagd) merge it', (_, m) => {
    const file = parseFlagText(m.doc, 'm.yaml');
    expect(file.readAs!('kubernetes').value).toEqual(m.v2);
    expect(file.readAs!('launchdarkly-go').value).toEqual(m.v2);
    expect(file.readAs!('flagd').value).toEqual(m.v3);
  });

  it('a flagd file keeps the key\'s own value, as yaml.v3 does (decode.go merge: mergedFields)', () => {
    const text = featureFlag.split('\n').slice(6).map((l) => l.slice(4)).join('\n');
    expect(flagd.open(parseFlagText(text, 'f.yaml')).evaluate('checkout', { targetingKey: 'u1' })).toMatchObject({ variant: 'off' });
    expect(imported(flagd, text, 'f.yaml')).toEqual({ warnings: expect.not.arrayContaining([expect.stringMatching(/merge/)]) });
  });

  it('LaunchDarkly: the Node SDK given the yaml package\'s parse does not merge; the Go SDK merges where the key stands', () => {
    const text = `flags:
  banner: &flag
    key: banner
    "on": true
    variations: [true, false]
    fallthrough: { variation: 0 }
    offVariation: 1
  banner2:
    fallthrough: { variation: 1 }
    <<: *flag
    key: banner2
`;
    expect(launchdarkly.open(parseFlagText(text, 'ld.yaml')).evaluate('banner2', { kind: 'user', key: 'u1' })).toMatchObject({ value: false });
    expect(imported(launchdarkly, text, 'ld.yaml')).toEqual({ warnings: [
      expect.stringMatching(/^ld\.yaml:10:5: flags\.banner2\["<<"\]: a merge key: LaunchDarkly's Node SDK reads YAML with the parser it is given/),
      expect.stringMatching(/^ld\.yaml:9:5: flags\.banner2\.fallthrough: the key fallthrough is set again by the merge key at line 10, column 5, and takes the merged value to LaunchDarkly's Go SDK/),
    ] });
  });
});

describe('LaunchDarkly\'s Go SDK buckets in float32', () => {
  const M = (1n << 60n) - 1n;
  /** Go's float32(uint64): rounded to nearest, ties to even. */
  const f32 = (h: bigint): number => {
    const bits = h.toString(2).length;
    if (bits <= 24) return Number(h);
    const shift = BigInt(bits - 24);
    let m = h >> shift;
    const rest = h - (m << shift);
    const half = 1n << (shift - 1n);
    if (rest > half || (rest === half && (m & 1n) === 1n)) m += 1n;
    return Number(m) * 2 ** Number(shift);
  };
  // evaluator_bucketing.go: bucket := float32(intVal) / longScale; evaluator.go: sum += float32(bucket.Weight) / 100000.0.
  const goBucket = (h: bigint) => Math.fround(f32(h) / f32(M));
  const goIndex = (h: bigint, weights: number[]) => {
    let sum = 0;
    const b = goBucket(h);
    const i = weights.findIndex((w) => (sum = Math.fround(sum + Math.fround(w / 100000))) > b);
    return i < 0 ? weights.length - 1 : i;
  };
  // js-core Bucketer.ts: hashVal / 0xfffffffffffffff; Evaluator.ts: sum += weight / 100000.0.
  const nodeIndex = (h: bigint, weights: number[]) => {
    let sum = 0;
    const b = Number(h) / Number(M);
    const i = weights.findIndex((w) => (sum += w / 100000) > b);
    return i < 0 ? weights.length - 1 : i;
  };
  /** The least hash value each SDK puts past the first boundary of a 50/50 rollout. */
  const least = (index: (h: bigint, w: number[]) => number) => {
    let lo = 0n;
    let hi = 1n << 60n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1n;
      if (index(mid, [50000, 50000]) >= 1) hi = mid;
      else lo = mid + 1n;
    }
    return lo;
  };

  it('a 50/50 rollout: 1 user in 67 million lands in the second variation on Go and the first on Node', () => {
    const [go, node] = [least(goIndex), least(nodeIndex)];
    expect([go, node]).toEqual([576460735123554304n, 576460752303423456n]);
    expect(Number(node - go) / 2 ** 60).toBeCloseTo(1.49e-8, 10);
  });

  it('a user key found in that window is served the first variation by the Node SDK (rehearse), the second by Go', () => {
    const user = USER_IN_WINDOW;
    const hash = BigInt(`0x${createHash('sha1').update(`f.s.${user}`).digest('hex').slice(0, 15)}`);
    expect([goIndex(hash, [50000, 50000]), nodeIndex(hash, [50000, 50000])]).toEqual([1, 0]);
    const flag = { key: 'f', salt: 's', on: true, variations: ['first', 'second'], fallthrough: { rollout: { variations: [{ variation: 0, weight: 50000 }, { variation: 1, weight: 50000 }] } }, offVariation: 0, version: 1 };
    const set = launchdarkly.open(parseFlagText(JSON.stringify({ flags: { f: flag } }), 'ld.json'));
    expect(set.evaluate('f', { kind: 'user', key: user })).toMatchObject({ value: 'first' });
  });
});

/** Found by hashing f.s.user-N for N = 0, 1, ...: the first whose bucket lies in the 50/50 window above. */
const USER_IN_WINDOW = 'user-35939319';
