/**
 * Unleash files as Unleash writes them (test/fixtures/vendor/unleash, README there), served as unleash-client
 * serves them. Rules encoded here, from Unleash/unleash src/lib/services/state-service.ts at ff377cd70461 (state
 * exports: strategyName, :global: as default, variants per toggle up to v3 and per environment in v4, a toggle
 * on only where a featureEnvironments row says so), src/lib/features/export-import-toggles/
 * export-import-service.ts (the feature export: one environment, segments without constraints),
 * src/lib/util/sortStrategies.ts, and unleash-client 6.12.1 lib/client.js (it does not read `disabled`) and
 * lib/strategy/flexible-rollout-strategy.js (the oracle of the cohort test).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { userAttributes } from '../src/cohorts/cohort.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as unleash from '../src/interop/unleash/index.js';
import { parseScenarioText } from '../src/load/scenario.js';

const require = createRequire(import.meta.url);
const dir = new URL('./fixtures/vendor/unleash/', import.meta.url).pathname;
const read = (f: string) => parseFlagText(readFileSync(join(dir, f), 'utf8'), f);
const open = (f: string, environment?: string) => unleash.open(read(f), { environment });
const specDir = join(dirname(require.resolve('@unleash/client-specification/package.json')), 'specifications');

/** A scenario whose flags come from an Unleash fixture. */
function scenario(from: string, flags: Record<string, string> = {}, size = 2000) {
  const entries = Object.entries(flags).map(([k, extra]) => `  ${k}: { evaluated-by: [api]${extra} }`).join('\n');
  return parseScenarioText(`name: u
duration: 1m
traffic: { rate: 5/s, cohort: { size: ${size}, seed: 3, attributes: { plan: "free:80%,enterprise:20%" } } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: ${from}
${entries}
`, dir);
}

describe('state exports, v1 to v4', () => {
  it('v2: strategies named by strategyName, environment :global: read as default', () => {
    // exported412-version2.json, which Unleash's e2e test imports to check the renaming; exported412-enterprise.json,
    // the same export without environments[].type, its import refuses (test/real-flags-15.test.ts).
    const s = open('state-v2.exported412-version2.json');
    const on = (flag: string, ctx: Record<string, unknown>) => s.evaluate(flag, ctx).enabled;
    expect(on('version.three.seventeen', {})).toBe(true);
    expect([on('another-toggle', { userId: '123' }), on('another-toggle', { userId: '5' })]).toEqual([true, false]);
    expect([on('with-constraints', { userId: '123456' }), on('with-constraints', { userId: '1' })]).toEqual([true, false]);
    expect([on('in-another-project', { environment: 'dev' }), on('in-another-project', { environment: 'prod' })]).toEqual([false, false]);
    expect(on('this-is-fun', {})).toBe(true);
    expect(open('state-v2.exported412-version2.json', 'default').keys).toHaveLength(6);
  });

  it('v3: the environment chosen decides strategies and whether a toggle is on; variants of the toggle in both', () => {
    const users = Array.from({ length: 20 }, (_, i) => String(i + 1));
    const served = (environment: string) => {
      const s = open('state-v3.variantsexport_v3.json', environment);
      return {
        on: users.filter((u) => s.evaluate('UX-toggle1', { userId: u }).enabled).map(Number),
        variants: users.slice(0, 8).map((u) => s.evaluate('variants-tester', { userId: u }).variant),
      };
    };
    const variants = ['lilac', 'lilac', 'azure', 'lilac', 'lilac', 'maroon', 'azure', 'azure'];
    expect(served('production')).toEqual({ on: [4, 8, 9, 11, 12, 13, 14, 15, 16, 17, 18], variants });
    expect(served('development')).toEqual({ on: users.map(Number), variants });
    // A toggle with no row for an environment is off there.
    expect(open('state-v3.exported3-with-default-disabled.json', 'development').evaluate('test-variants-postman', {}).enabled).toBe(true);
    expect(open('state-v3.exported3-with-default-disabled.json', 'production').evaluate('test-variants-postman', {}).enabled).toBe(false);
  });

  it('v4 (built from exportV4): per-environment variants, a disabled strategy left out, sortOrder, a joined segment', () => {
    // What the client API serves for each environment, written by hand from the same rows.
    const client = (environment: string) => unleash.open(parseFlagText(JSON.stringify({
      version: 2,
      segments: [{ id: 1, name: 'enterprise', constraints: [{ contextName: 'plan', operator: 'IN', values: ['enterprise'], inverted: false, caseInsensitive: false }] }],
      features: environment === 'production' ? [
        {
          name: 'checkout-v2', enabled: true,
          strategies: [
            { name: 'flexibleRollout', constraints: [], parameters: { rollout: '30', stickiness: 'default', groupId: 'checkout-v2' }, variants: [] },
            { name: 'default', constraints: [], parameters: {}, segments: [1], variants: [{ name: 'enterprise-blue', weight: 1000, weightType: 'variable', stickiness: 'default', payload: { type: 'string', value: 'blue' } }] },
          ],
          variants: [
            { name: 'blue', weight: 500, weightType: 'variable', stickiness: 'default', overrides: [] },
            { name: 'green', weight: 500, weightType: 'variable', stickiness: 'default', overrides: [{ contextName: 'userId', values: ['u-7'] }] },
          ],
        },
        { name: 'legacy-banner', enabled: false, strategies: [{ name: 'default', constraints: [], parameters: {} }], variants: [] },
      ] : [
        { name: 'checkout-v2', enabled: true, strategies: [{ name: 'default', constraints: [], parameters: {} }], variants: [{ name: 'debug', weight: 1000, weightType: 'variable', stickiness: 'default', overrides: [] }] },
        { name: 'legacy-banner', enabled: true, strategies: [{ name: 'by-region', constraints: [], parameters: { regions: 'eu' } }], variants: [] },
      ],
    }), `client-${environment}.json`));
    for (const environment of ['production', 'development']) {
      const a = open('state-v4.built-from-exportV4.json', environment), b = client(environment);
      let on = 0;
      for (let i = 0; i < 400; i++) {
        const ctx = { userId: `u-${i}`, properties: { plan: i % 5 === 0 ? 'enterprise' : 'free' } };
        for (const flag of ['checkout-v2', 'legacy-banner']) {
          const x = a.evaluate(flag, ctx), y = b.evaluate(flag, ctx);
          expect([flag, ctx.userId, x.enabled, x.variant, x.value]).toEqual([flag, ctx.userId, y.enabled, y.variant, y.value]);
          if (x.enabled) on++;
        }
      }
      expect(on).toBeGreaterThan(100);
    }
    const prod = open('state-v4.built-from-exportV4.json', 'production');
    // u-1 is listed by the disabled userWithId strategy: not on through it.
    expect(prod.evaluate('checkout-v2', { userId: 'u-1', properties: { plan: 'free' } }).enabled).toBe(false);
    expect(prod.evaluate('checkout-v2', { userId: 'u-1', properties: { plan: 'enterprise' } }).variant).toBe('enterprise-blue');
    const parts = unleash.toScenarioParts(read('state-v4.built-from-exportV4.json'), { environment: 'development' });
    // The disabled strategy and the strategy variants are served as the exporting server served them; Unleash's
    // state import would drop both (state-schema.ts featureStrategySchema strips them): said at each.
    expect(parts.warnings.map((w) => `${w.path.join('.')}: ${w.message.split(':')[0]}`)).toEqual([
      'featureStrategies.1.disabled: Unleash\'s state import drops disabled (state-schema.ts featureStrategySchema keeps id, featureName, projectId, environment, parameters, constraints and strategyName)',
      'featureStrategies.2.variants: Unleash\'s state import drops variants (state-schema.ts featureStrategySchema keeps id, featureName, projectId, environment, parameters, constraints and strategyName)',
      'featureStrategies.5.strategyName: strategy "by-region" is a custom strategy (defined in the file), which unleash-client cannot evaluate',
    ]);
  });

  it('an export version no Unleash wrote is read as Unleash\'s import reads it, and said to be', () => {
    // state-service.ts import(): version 5 is neither below 4 (no variants copied from the toggles) nor 1 (not the
    // legacy layout): read as version 4. Test/real-flags-15.test.ts holds the other versions.
    const v = JSON.parse(readFileSync(join(dir, 'state-v3.exported-segments.json'), 'utf8'));
    const parts = unleash.toScenarioParts(parseFlagText(JSON.stringify({ ...v, version: 5 }), 'v5.json'));
    expect(parts.warnings.map(formatWarning)).toContain('v5.json:1:12: version: version 5: no Unleash writes a state export of this version (StateService.export wrote 1 to 4); its import reads the file as a version 4 export (variants per environment), and so does rehearse');
  });

  it('a state export with no toggles is read as one (Unleash imports v3-minimal.json with 202): its environments are checked, no flag is held', () => {
    // Unleash/unleash src/test/e2e/api/admin/state.e2e.test.ts posts src/test/examples/v3-minimal.json (version,
    // projects and environments only) to /api/admin/state/import and expects 202: the state schema's lists are all
    // optional. It was refused here as "not an Unleash file".
    const parts = unleash.toScenarioParts(read('state-v3.v3-minimal.json'), { environment: 'production' });
    expect((parts.state as { features: unknown[] }).features).toEqual([]);
    const held = scenario('{ unleash: state-v3.v3-minimal.json, environment: production }', { 'UX-toggle1': '' });
    expect(held.ok).toBe(false);
    if (!held.ok) expect(held.problems[0].message).toMatch(/no flag "UX-toggle1" in .*state-v3\.v3-minimal\.json/);
    expect(() => unleash.toScenarioParts(read('state-v3.v3-minimal.json'))).toThrow(/environments: the file holds environments "default", "development", "production"/);
  });

  it('environments: several and none chosen is refused with the list; an unknown one with a suggestion', () => {
    const none = scenario('{ unleash: state-v3.variantsexport_v3.json }', { 'UX-toggle1': '' });
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problems[0].message).toMatch(/environments: the file holds environments "default", "development", "production": name the one to rehearse/);
    const typo = scenario('{ unleash: state-v3.variantsexport_v3.json, environment: prod }', { 'UX-toggle1': '' });
    if (!typo.ok) expect(typo.problems[0]).toMatchObject({ path: ['flags', 'from', 'unleash'] });
    if (!typo.ok) expect(typo.problems[0].message).toContain('no environment "prod" in the file; did you mean "production"? (environments: "default", "development", "production")');
    expect(typo.ok).toBe(false);
    const stray = scenario('{ flagd: x.json, environment: production }');
    expect(stray.ok).toBe(false);
    if (!stray.ok) expect(stray.problems.map((p) => p.message)).toContain('environment names the environment of an Unleash file: add unleash: FILE, or drop it');
  });

  it('an export\'s flexibleRollout serves the users unleash-client serves, user by user over a cohort', () => {
    const l = scenario('{ unleash: state-v3.variantsexport_v3.json, environment: production }', { 'UX-toggle1': '' });
    if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
    const flag = l.scenario.flags.find((f) => f.key === 'UX-toggle1')!;
    const users = l.scenario.population!;
    // The strategy row as the file has it, given to unleash-client's own strategy.
    const file = JSON.parse(readFileSync(join(dir, 'state-v3.variantsexport_v3.json'), 'utf8'));
    const row = file.featureStrategies.find((s: { featureName: string; environment: string }) => s.featureName === 'UX-toggle1' && s.environment === 'production');
    expect(row.strategyName).toBe('flexibleRollout');
    const Strategy = require('unleash-client/lib/strategy/flexible-rollout-strategy.js').default;
    const strategy = new Strategy();
    let on = 0;
    for (let u = 0; u < users.size; u++) {
      const ctx = { userId: users.key[u], properties: Object.fromEntries(Object.entries(userAttributes(users, u)).map(([k, v]) => [k, String(v)])) };
      const want = strategy.isEnabled(row.parameters, ctx) ? 1 : 0;
      if (flag.served!.on[u] !== want) throw new Error(`user ${users.key[u]}: served ${flag.served!.on[u]}, unleash-client ${want}`);
      on += want;
    }
    expect(on / users.size).toBeGreaterThan(0.45);
    expect(on / users.size).toBeLessThan(0.55);
  });
});

describe('the feature export and the client API', () => {
  const exported = JSON.parse(readFileSync(join(dir, 'features-batch-export.import-data.json'), 'utf8'));

  it('a disabled strategy is left out, as the server leaves it out of the client API (unleash-client would run it)', () => {
    const file = {
      ...exported,
      featureStrategies: [
        { featureName: 'first_feature', id: 's1', name: 'default', parameters: {}, constraints: [], disabled: true, sortOrder: 0 },
        { featureName: 'first_feature', id: 's2', name: 'userWithId', parameters: { userIds: 'a' }, constraints: [], sortOrder: 1 },
      ],
    };
    const s = unleash.open(parseFlagText(JSON.stringify(file), 'export.json'));
    expect(s.evaluate('first_feature', { userId: 'zzz' }).enabled).toBe(false);
    expect(s.evaluate('first_feature', { userId: 'a' }).enabled).toBe(true);
  });

  it('a strategy using a segment of a feature export is refused: the export carries no constraints', () => {
    const file = {
      ...exported,
      featureStrategies: [{ ...exported.featureStrategies[0], segments: [7] }],
      segments: [{ id: 7, name: 'beta-testers' }],
    };
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(file, null, 2), 'export.json'))).toThrow(
      /export\.json:\d+:\d+: featureStrategies\[0\]\.segments: segment "beta-testers" \(id 7\) has no constraints in the file: a feature export carries only segment names/,
    );
  });

  it('the feature export\'s environment is the one of featureEnvironments, and its variants', () => {
    const s = open('features-batch-export.import-data.json', 'irrelevant');
    expect(s.evaluate('first_feature', { appName: 'conduit', userId: 'u' })).toMatchObject({ enabled: true });
    expect(['variantA', 'variantB']).toContain(s.evaluate('first_feature', { appName: 'conduit', userId: 'u' }).variant);
    expect(s.evaluate('first_feature', { appName: 'other', userId: 'u' }).enabled).toBe(false);
  });

  it('the client specification\'s files, read whole (the state wrapper, delta events too): every expected result', () => {
    let cases = 0;
    const failed: string[] = [];
    for (const f of readdirSync(specDir).filter((x) => /^\d\d-.*\.json$/.test(x))) {
      const set = unleash.open(parseFlagText(readFileSync(join(specDir, f), 'utf8'), f));
      const spec = JSON.parse(readFileSync(join(specDir, f), 'utf8'));
      for (const t of spec.tests ?? []) {
        cases++;
        if (set.evaluate(t.toggleName, t.context).enabled !== t.expectedResult) failed.push(`${f}: ${t.description}`);
      }
    }
    expect(failed).toEqual([]);
    expect(cases).toBe(227);
  });

  /**
   * The variant tests of every file (interop.test.ts reads those of 01 to 17), with the toggle's state beside the
   * variant where the file states it (feature_enabled), and the import's word on each file: a field unleash-client
   * reads is never called unknown. feature-removed carries `project` (unleash-client src/feature.ts
   * FeatureRemoved, which removes by featureName alone): it was warned as no field of a delta event. A toggle's
   * own `segments` (19-delta-api-hydration.json) is no field of unleash-client's FeatureInterface: it reads
   * segments of strategies only, and the warning stays.
   */
  it('every variant test of every file, and no field unleash-client reads is called unknown', () => {
    let cases = 0;
    const failed: string[] = [];
    const unknown: string[] = [];
    for (const f of readdirSync(specDir).filter((x) => /^\d\d-.*\.json$/.test(x))) {
      const text = readFileSync(join(specDir, f), 'utf8');
      unknown.push(...unleash.toScenarioParts(parseFlagText(text, f)).warnings.map(formatWarning).filter((w) => w.includes('is not a field of')));
      const set = unleash.open(parseFlagText(text, f));
      for (const t of JSON.parse(text).variantTests ?? []) {
        cases++;
        const e = set.evaluate(t.toggleName, t.context);
        const want = t.expectedResult;
        const enabled = want.feature_enabled ?? want.featureEnabled;
        const ok = (e.variant ?? 'disabled') === want.name && (e.variant !== null) === want.enabled && (!want.payload || e.value === want.payload.value)
          && (enabled === undefined || e.enabled === enabled);
        if (!ok) failed.push(`${f}: ${t.description}`);
      }
    }
    expect(failed).toEqual([]);
    expect(cases).toBe(52);
    expect(unknown).toEqual([
      '19-delta-api-hydration.json:37:37: state.events[0].features[0].segments: "segments" is not a field of Unleash\'s clientFeatureSchema: Unleash does not read it, nor does rehearse',
    ]);
  });
});

describe('constraints and variants of the shape unleash-client reads', () => {
  // strategy.js cleanValues drops the empty values of a constraint's list and trims the others: a list that was
  // missing, text, or held a number or a list threw a TypeError out of flags eval, with its stack; so did a
  // constraint or a variant that was not a mapping.
  type Doc = { features: Record<string, any>[] };
  const demo = () => JSON.parse(readFileSync(new URL('./fixtures/flags/demo.unleash-client.json', import.meta.url), 'utf8')) as Doc;
  it.each([
    ['no values', (d: Doc) => delete d.features[0].strategies[0].constraints[0].values, /features\[0\]\.strategies\[0\]\.constraints\[0\]: operator IN takes values: a list of text, and there is none$/],
    ['values that are text', (d: Doc) => (d.features[0].strategies[0].constraints[0].values = 'pro'), /features\[0\]\.strategies\[0\]\.constraints\[0\]\.values: operator IN takes values: a list of text$/],
    ['a value that is a list', (d: Doc) => (d.features[0].strategies[0].constraints[0].values[0] = [1]), /features\[0\]\.strategies\[0\]\.constraints\[0\]\.values: operator IN takes values: a list of text$/],
    ['a constraint that is null', (d: Doc) => (d.features[1].strategies[0].constraints[0] = null), /features\[1\]\.strategies\[0\]\.constraints\[0\]: a constraint is a mapping \(contextName, operator, values\), not null$/],
    ['a variant that is null', (d: Doc) => (d.features[0].variants[1] = null), /features\[0\]: a variant is a mapping \(name, weight, \.\.\.\), not null$/],
  ])('%s is refused with its place', (_what, edit, message) => {
    const d = demo();
    edit(d);
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(d, null, 2), 'u.json'))).toThrow(message);
  });

  // A list or an object of another type, which no reader of Unleash's converts (Joi and ajv convert scalars only): it
  // was read as none, so that a feature export whose featureStrategies was text served its toggles to everyone, and
  // an item of a list that was no object was dropped. Found by fuzzing the bundled flag file.
  it.each([
    ['strategies that are text', (d: Doc) => (d.features[0].strategies = 'x'), /u\.json:\d+:\d+: features\[0\]\.strategies: "x" is text, where Unleash's clientFeatureSchema\.strategies is a list: Unleash's import refuses it/],
    ['a strategy that is a list', (d: Doc) => (d.features[0].strategies[0] = [1, 2]), /features\[0\]\.strategies\[0\]: \[1,2\] is a list, where each of Unleash's clientFeatureSchema\.strategies is an object \(featureStrategySchema\)/],
    ['segments that are a number', (d: Doc) => (d.features[0].strategies[0].segments = 100), /features\[0\]\.strategies\[0\]\.segments: 100 is a number, where Unleash's featureStrategySchema\.segments is a list/],
    // Scalars of the OpenAPI schemas (the export's import validates them as they are): unleash-client read an inverted
    // of ["a"] as true and a disabled of 2147483648 as not true.
    ['an inverted that is a list', (d: Doc) => (d.features[0].strategies[0].constraints[0].inverted = ['a']), /features\[0\]\.strategies\[0\]\.constraints\[0\]\.inverted: \["a"\] is a list, where Unleash's constraintSchema\.inverted is true or false: Unleash's import refuses it \(its OpenAPI schemas\), and unleash-client would read it otherwise/],
    ['a disabled that is a number', (d: Doc) => (d.features[0].strategies[0].disabled = 2147483648), /features\[0\]\.strategies\[0\]\.disabled: 2147483648 is a number, where Unleash's featureStrategySchema\.disabled is true or false/],
    ['a contextName that is a number', (d: Doc) => (d.features[0].strategies[0].constraints[0].contextName = 7), /constraints\[0\]\.contextName: 7 is a number, where Unleash's constraintSchema\.contextName is text/],
  ])('%s is refused with its place', (_what, edit, message) => {
    const d = demo();
    edit(d);
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(d, null, 2), 'u.json'))).toThrow(message);
  });

  it('a feature export whose featureStrategies is text is refused, where its toggles were served to everyone', () => {
    const file = JSON.parse(readFileSync(new URL('../flags/demo.unleash.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    file.featureStrategies = '1e999';
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(file, null, 2), 'export.json'))).toThrow(/export\.json:\d+:\d+: featureStrategies: "1e999" is text, where Unleash's exportResultSchema\.featureStrategies is a list/);
  });

  it('a feature export\'s strategy joined to no toggle is refused, as its import fails on it (joins.ts)', () => {
    const file = JSON.parse(readFileSync(new URL('../flags/demo.unleash.json', import.meta.url), 'utf8')) as { featureStrategies: { featureName?: string }[] };
    file.featureStrategies[0].featureName = 'search-v3';
    expect(() => unleash.toScenarioParts(parseFlagText(JSON.stringify(file, null, 2), 'export.json'))).toThrow(/^export\.json:\d+:\d+: featureStrategies\[0\]\.featureName: no toggle "search-v3" in the file: Unleash's feature import adds this strategy to that toggle/);
  });

  it('empty values in the list are dropped by unleash-client, as here: no refusal', () => {
    const d = demo();
    d.features[0].strategies[0].constraints[0].values.push('', null);
    const set = unleash.open(parseFlagText(JSON.stringify(d), 'u.json'));
    expect(set.evaluate('search-v2', set.contextOf('u1', { plan: 'pro' })).enabled).toBe(true);
  });
});
