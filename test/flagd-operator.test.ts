/**
 * The OpenFeature Operator's FeatureFlag read as the flagd source the operator makes of it: open-feature/
 * open-feature-operator api/core/v1beta1/featureflag_types.go (GenerateConfigMap: json.Marshal(ff.Spec.FlagSpec),
 * so only the fields of its FlagSpec and Flag types reach flagd) and config/crd/bases/core.openfeature.dev_featureflags.yaml
 * (state, variants and defaultVariant required). Fixtures: the operator's config/samples/core_v1beta1_featureflag.yaml
 * and config/samples/end-to-end.yaml and core_v1beta1_featureflagsource.yaml, flagd's config/samples/example_flags.yaml (test/fixtures/vendor/*\/README.md).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import { readFlags } from '../src/interop/flags.js';
import * as flagd from '../src/interop/flagd/index.js';
import { evaluateFlag } from '../src/cli/flags.js';
import { notAScenarioText } from '../src/load/kinds.js';
import { parseScenarioText } from '../src/load/scenario.js';

const operator = new URL('./fixtures/vendor/openfeature-operator/', import.meta.url).pathname;
const sample = join(operator, 'core_v1beta1_featureflag.yaml');
const refusal = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
};
const warnings = (text: string, file = 'ff.yaml') => flagd.toScenarioParts(parseFlagText(text, file)).warnings.map(formatWarning);

const resource = (flagSpec: string, extra = '') => `apiVersion: core.openfeature.dev/v1beta1
kind: FeatureFlag
metadata:
  name: checkout
spec:
${extra}  flagSpec:
${flagSpec}`;

describe('a FeatureFlag resource', () => {
  it('the operator\'s sample is read as flagd and evaluated, with no warning', () => {
    const { doc, system } = readFlags(sample);
    expect(system).toBe('flagd');
    expect(flagd.toScenarioParts(doc).warnings).toEqual([]);
    const set = flagd.open(doc);
    expect(set.keys).toEqual(['simple-flag']);
    expect(set.evaluate('simple-flag', { targetingKey: 'u1' })).toMatchObject({ variant: 'on', value: true, reason: 'default' });
  });

  it('flags eval reads it as a flag file', () => {
    expect(evaluateFlag(sample, { flag: 'simple-flag', context: '{"targetingKey":"u1"}' })).toMatchObject({ variant: 'on', value: true });
  });

  it('fields the operator drops or Kubernetes prunes are warned at file:line:column with the whole path', () => {
    const text = resource(`    $schema: https://flagd.dev/schema/v0/flags.json
    flags:
      checkout:
        state: ENABLED
        description: new checkout
        variants: { "on": true, "off": false }
        defaultVariant: "off"
`, '  replicas: 2\n');
    expect(warnings(text)).toEqual([
      'ff.yaml:6:13: spec.replicas: not a field of a FeatureFlag\'s spec: Kubernetes prunes it (config/crd/bases/core.openfeature.dev_featureflags.yaml)',
      expect.stringMatching(/^ff\.yaml:8:14: spec\.flagSpec\.\$schema: the operator drops it when it writes spec\.flagSpec for flagd/),
      expect.stringMatching(/^ff\.yaml:12:22: spec\.flagSpec\.flags\.checkout\.description: the operator drops it/),
    ]);
  });

  it('flagd\'s own refusals and warnings point into spec.flagSpec', () => {
    // (Unquoted, ON would be true to Kubernetes, which reads YAML 1.1: test/real-flags-15.test.ts.)
    const text = resource(`    flags:
      checkout:
        state: ENABLED
        variants: { "on": true, "off": false }
        defaultVariant: "of"
`);
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(text, 'ff.yaml')))).toEqual(['ff.yaml:11:25: spec.flagSpec.flags.checkout.defaultVariant: defaultVariant "of" is not one of the variants ("on", "off")']);
  });

  it('a flag without defaultVariant is refused, as Kubernetes refuses it', () => {
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(resource('    flags:\n      a: { state: ENABLED, variants: { on: true } }\n'), 'ff.yaml'))))
      .toEqual([expect.stringMatching(/^ff\.yaml:8:10: spec\.flagSpec\.flags\.a: a flag of a FeatureFlag has defaultVariant: Kubernetes refuses/)]);
  });

  it('a misspelt defaultVariant is named where it stands, with the field it leaves missing', () => {
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(resource('    flags:\n      a: { state: ENABLED, variants: { on: true }, defaultVarient: on }\n'), 'ff.yaml'))))
      .toEqual([expect.stringMatching(/^ff\.yaml:8:68: spec\.flagSpec\.flags\.a\.defaultVarient: "defaultVarient" is not a field of a flag; did you mean "defaultVariant"\? A flag of a FeatureFlag has defaultVariant: Kubernetes refuses the resource without it/)]);
  });

  it('a misspelt optional field of a flag is warned with the field meant', () => {
    const text = resource('    flags:\n      a:\n        state: ENABLED\n        variants: { "on": true, "off": false }\n        defaultVariant: "off"\n        targetting: { if: [true, "on", "off"] }\n');
    expect(warnings(text)).toEqual([expect.stringMatching(/^ff\.yaml:12:21: spec\.flagSpec\.flags\.a\.targetting: the operator drops it .*; did you mean "targeting"\?$/)]);
  });

  it('a FeatureFlagConfiguration, the resource before v1beta1, is refused saying what it is', () => {
    const text = 'apiVersion: core.openfeature.dev/v1alpha2\nkind: FeatureFlagConfiguration\nspec:\n  featureFlagSpec:\n    flags: {}\n';
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(text, 'ffc.yaml')))).toEqual([expect.stringMatching(/^ffc\.yaml:2:7: kind: a FeatureFlagConfiguration \(core\.openfeature\.dev\/v1alpha2\), the OpenFeature Operator's resource before v1beta1: .* spec\.flagSpec holds what spec\.featureFlagSpec held/)]);
  });

  it('several YAML documents (the operator\'s end-to-end sample) are read as its FeatureFlagSource names them (test/real-flags-15.test.ts)', () => {
    const { doc } = readFlags(join(operator, 'end-to-end.yaml'), undefined, 'end-to-end.yaml');
    expect(flagd.toScenarioParts(doc).flags.map((f) => f.key)).toEqual(['simple-flag']);
  });

  it('a FeatureFlagSource (the operator\'s sample) is named for what it is, with the files to give instead', () => {
    const text = readFileSync(join(operator, 'core_v1beta1_featureflagsource.yaml'), 'utf8');
    const hint = ' (a FeatureFlagSource of the OpenFeature Operator, which names the sources flagd syncs from: give the files of the FeatureFlags it names, in its order)';
    expect(refusal(() => readFlags(join(operator, 'core_v1beta1_featureflagsource.yaml'), undefined, 'ffs.yaml'))).toEqual([`ffs.yaml: cannot tell which flag system wrote this file${hint}; give --system flagd, unleash or launchdarkly`]);
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(text, 'ffs.yaml')))).toEqual([`ffs.yaml:1:1: flags: a flagd file has "flags": an object of flag definitions by key, or a list of flags with a key${hint}`]);
  });

  it('rehearse ci skips it as a FeatureFlag a scenario reads through flags.from.flagd', () => {
    expect(notAScenarioText(readFileSync(sample, 'utf8'))).toBe('a Kubernetes resource (FeatureFlag, core.openfeature.dev/v1beta1): a scenario reads its flagd flags through flags.from.flagd');
  });

  it('a scenario reads it through flags.from.flagd', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flagd-operator-'));
    writeFileSync(join(dir, 'ff.yaml'), readFileSync(sample));
    const l = parseScenarioText(`name: s
duration: 1m
traffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { flagd: ff.yaml }
  simple-flag: { evaluated-by: [api] }
`, dir);
    expect(l.ok ? [] : l.problems).toEqual([]);
  });
});

describe('fractionalEvaluation, the old name of fractional', () => {
  it('in flagd\'s own config/samples/example_flags.yaml: warned with "did you mean fractional" and where it was removed', () => {
    const file = new URL('./fixtures/vendor/flagd/samples/example_flags.yaml', import.meta.url).pathname;
    expect(warnings(readFileSync(file, 'utf8'), 'example_flags.yaml')).toContain(
      'example_flags.yaml:73:9: flags.headerColor.targeting.if[1]: operation "fractionalEvaluation" is not one flagd knows; did you mean "fractional"? (flagd removed "fractionalEvaluation", its old name, in flagd core v0.13.0: open-feature/flagd core/CHANGELOG.md, #1704): an evaluation of flag "headerColor" that reaches it is an error (PARSE_ERROR; Go\'s jsonlogic: the operator is not supported): the caller gets its default',
    );
  });
});
