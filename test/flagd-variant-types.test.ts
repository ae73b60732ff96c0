/**
 * A flag whose variants are of several types, as flagd serves it. open-feature/flagd-schemas keeps such a flag
 * among the files its schema refuses (json/test/flags/negative/mixed-variant-types.ffconfig.json, copied in
 * test/fixtures/vendor/flagd/schema-tests); flagd loads it all the same, with a log line only (open-feature/flagd
 * core/pkg/evaluator/json.go configToFlagDefinition: "flag definition does not conform to the schema"), and each
 * typed evaluation asserts the value served to the caller's type (json.go resolve: TYPE_MISMATCH, and the
 * OpenFeature SDK gives the caller its default). rehearse said nothing, and served the string "false" to a
 * boolean flag's users as the flag being on.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';

const dir = new URL('./fixtures/vendor/flagd/schema-tests/', import.meta.url).pathname;
const file = 'mixed-variant-types.ffconfig.json';
const schemaTest = () => parseFlagText(readFileSync(join(dir, file), 'utf8'), file);
const MESSAGE = 'variant "off" is a string, the default variant "on" a boolean: flagd\'s schema wants the variants of a flag of one type and flagd loads the file with a warning only (core/pkg/evaluator/json.go: "does not conform to the schema"); code that reads the flag as a boolean (getBooleanValue, the type of the default variant "on") and is served "off" gets TYPE_MISMATCH and its default (json.go resolve)';

describe('variants of several types in one flag', () => {
  it('the schema\'s own negative test is read, the variant of another type warned at its place', () => {
    const parts = flagd.toScenarioParts(schemaTest());
    expect(parts.warnings.map(formatWarning)).toEqual([`${file}:8:16: flags.myBoolFlag.variants.off: ${MESSAGE}`]);
    // The flag can fail to evaluate: import flags asks for the code's default.
    expect(parts.flags[0].canFail).toHaveLength(1);
    expect(parts.flags[0].valueType).toBe('mixed');
  });

  it('a boolean caller served the string variant gets its default, TYPE_MISMATCH; the boolean variant is served', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { myBoolFlag: {
      state: 'ENABLED', variants: { on: true, off: 'false' }, defaultVariant: 'on',
      targeting: { if: [{ '==': [{ var: 'plan' }, 'free'] }, 'off', 'on'] },
    } } }, null, 2), 'mixed.json');
    const set = flagd.open(doc);
    expect(set.evaluate('myBoolFlag', { targetingKey: 'u1', plan: 'free' }, { value: false })).toMatchObject({
      enabled: false, variant: null, value: false, reason: expect.stringMatching(/^error: TYPE_MISMATCH/),
    });
    expect(set.evaluate('myBoolFlag', { targetingKey: 'u1', plan: 'pro' }, { value: false })).toMatchObject({ enabled: true, variant: 'on', value: true });
    expect(flagd.toScenarioParts(doc).warnings.map(formatWarning)).toEqual([`mixed.json:7:16: flags.myBoolFlag.variants.off: ${MESSAGE}`]);
  });

  it('without a default variant the first variant\'s type is the reference; variants of one type, numbers whole or not, are not warned', () => {
    const doc = parseFlagText(JSON.stringify({ flags: {
      a: { state: 'ENABLED', variants: { one: 1, half: 0.5 }, defaultVariant: 'one' },
      b: { state: 'ENABLED', variants: { x: { k: 1 }, y: [1, 2], z: null } },
    } }), 'b.json');
    expect(flagd.toScenarioParts(doc).warnings.map((w) => [w.path.join('.'), w.message.split(':')[0]])).toEqual([
      ['flags.b.variants.y', 'variant "y" is a list, the first variant "x" an object'],
      ['flags.b.variants.z', 'variant "z" is null, the first variant "x" an object'],
    ]);
  });
});

describe('rehearse flags eval on a flag of several variant types', () => {
  const root = new URL('..', import.meta.url).pathname;
  const flagsEval = (...args: string[]) => spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'flags', 'eval', join('test/fixtures/vendor/flagd/schema-tests', file), ...args], { cwd: root, encoding: 'utf8' });

  it('without --default is refused (exit 2), naming the flag, its place and its variants\' types, not printed as enabled', () => {
    const r = flagsEval('--flag', 'myBoolFlag', '--context', '{"targetingKey":"u1"}');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`test/fixtures/vendor/flagd/schema-tests/${file}:6:19: flags.myBoolFlag.variants: flag "myBoolFlag": its variants are of several types (on: boolean, off: string): flagd serves each typed call (ResolveBoolean, ResolveString, ResolveFloat, ResolveObject) a variant of its type only, and TYPE_MISMATCH with the caller's default otherwise (core/pkg/evaluator/json.go resolve), so what the code is served depends on the type it reads the flag as, which the file does not say; give --default with the value the code falls back to, of that type (e.g. --default false for code that reads it as a boolean, --default '"off"' as a string)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('with --default the caller\'s type decides, as flagd\'s typed resolve does: a boolean gets the boolean variant, a string TYPE_MISMATCH and its default', () => {
    const boolean = flagsEval('--flag', 'myBoolFlag', '--context', '{"targetingKey":"u1"}', '--default', 'false');
    expect(boolean.status).toBe(0);
    expect(boolean.stdout).toContain('myBoolFlag: enabled, variant "on", value true');
    const string = flagsEval('--flag', 'myBoolFlag', '--context', '{"targetingKey":"u1"}', '--default', '"off"');
    expect(string.status).toBe(0);
    expect(string.stdout).toMatch(/^myBoolFlag: disabled, value "off"\nreason: error: TYPE_MISMATCH/);
  });
});
