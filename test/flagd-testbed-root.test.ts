/**
 * The flagd testbed's root targeting suite (open-feature/flagd-testbed gherkin/targeting.feature, v3.9.0, commit
 * 82ba89ec8db498fa51368e558e4d87642d9e93c4) on its flag files, copied byte-exact into
 * test/fixtures/vendor/flagd/testbed-3.9.0: custom-ops.json, edge-case-flags.json, evaluator-refs.json and
 * testing-flags.json, read as one flagd started with each file as a source (the testbed's launchpad merges them
 * into one file first, launchpad/pkg/json.go CombineJSONFiles; none of these four refers to another's evaluator).
 *
 * flagd's fractional in both bucketings: the @fractional-v2 examples and those of no version with `fractional: v2`
 * (every flagd release to date: core/pkg/evaluator/fractional.go, murmur3 of the text), the @fractional-v3 examples
 * with `fractional: v3` (flagd's ADR docs/architecture-decisions/fractional-non-string-rand-units.md: murmur3 of
 * the value's deterministic CBOR encoding). @fractional-v1 (flagd's float bucketing before v2) is left out.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { evaluateFlag } from '../src/cli/flags.js';
import { readFlagSources } from '../src/load/flag-sources.js';
import { describe, expect, it } from 'vitest';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { deterministicCbor } from '../src/flags/cbor.js';
import { flagdFractional } from '../src/flags/bucketing.js';
import { cases, typed, type Case } from './gherkin.js';

const dir = new URL('./fixtures/vendor/flagd/testbed-3.9.0/', import.meta.url).pathname;
const read = (f: string) => parseFlagText(readFileSync(join(dir, f), 'utf8'), f);
const files = ['custom-ops.json', 'edge-case-flags.json', 'evaluator-refs.json', 'testing-flags.json'];
const all = cases('targeting.feature', readFileSync(join(dir, 'targeting.feature'), 'utf8')).filter((c) => !c.tags.includes('@fractional-v1'));
const v3 = all.filter((c) => c.tags.includes('@fractional-v3'));
const v2 = all.filter((c) => !c.tags.includes('@fractional-v3'));
const sets = { v2: flagd.open(files.map(read), { fractional: 'v2' }), v3: flagd.open(files.map(read), { fractional: 'v3' }) };

const REASONS: Record<string, (r: string) => boolean> = {
  TARGETING_MATCH: (r) => r === 'targeting match' || r === 'split',
  STATIC: (r) => r === 'default', DEFAULT: (r) => r === 'default', DISABLED: (r) => r === 'disabled', ERROR: (r) => r.startsWith('error: '),
};

function run(c: Case, set: ReturnType<typeof flagd.open>): void {
  let type = 'String', key = '', fallback: unknown = null;
  const context: Record<string, unknown> = {};
  let result: ReturnType<typeof set.evaluate> | null = null;
  for (const step of c.steps) {
    let m: RegExpMatchArray | null;
    if (step === 'a stable flagd provider' || step.startsWith('an option "cache"')) continue;
    if ((m = step.match(/^a (\w+)-flag with key "([^"]*)" and a default value "((?:[^"\\]|\\.)*)"$/))) [type, key, fallback] = [m[1], m[2], typed(m[1], m[3])];
    else if ((m = step.match(/^a context containing a key "([^"]*)", with type "(\w+)" and with value "(.*)"$/))) context[m[1]] = typed(m[2], m[3]);
    else if ((m = step.match(/^a context containing a targeting key with value "([^"]*)"$/))) context.targetingKey = m[1];
    else if ((m = step.match(/^a context containing a nested property with outer key "([^"]*)" and inner key "([^"]*)", with value "([^"]*)"$/))) context[m[1]] = { [m[2]]: m[3] };
    else if (step === 'the flag was evaluated with details') result = set.evaluate(key, context, { value: fallback });
    else if ((m = step.match(/^the resolved details value should be "((?:[^"\\]|\\.)*)"$/))) expect(result!.value).toEqual(typed(type, m[1]));
    else if ((m = step.match(/^the reason should be "(\w+)"$/))) expect([m[1], result!.reason, REASONS[m[1]](result!.reason)]).toEqual([m[1], result!.reason, true]);
    else if ((m = step.match(/^the error-code should be "(\w*)"$/))) {
      if (m[1] === '') expect(result!.reason).not.toMatch(/^error: /);
      else expect(result!.reason).toMatch(new RegExp(`^error: ${m[1]}\\b`));
    } else throw new Error(`a step not read here: ${step}`);
  }
  expect(result).not.toBeNull();
}

describe('the flagd testbed\'s targeting.feature (3.9.0), its four flag files as four flagd sources', () => {
  it('reads every example but v1: v2 and those of no version, and v3', () => {
    expect([v2.length, v3.length]).toEqual([98, 132]);
  });
  it.each(v2.map((c) => [c.id, c] as const))('v2: %s', (_id, c) => run(c, sets.v2));
  it.each(v3.map((c) => [c.id, c] as const))('v3: %s', (_id, c) => run(c, sets.v3));

  it('the bucketings differ where the testbed says they do: jack is hearts in v2, diamonds in v3', () => {
    const ctx = { user: { name: 'jack' } };
    expect([sets.v2.evaluate('fractional-flag', ctx).value, sets.v3.evaluate('fractional-flag', ctx).value]).toEqual(['hearts', 'diamonds']);
  });
});

describe('flagd v3 hashes the deterministic CBOR encoding (RFC 8949 4.2.1) of the bucketing input', () => {
  const hex = (v: unknown) => Buffer.from(deterministicCbor(v)).toString('hex');
  it.each([
    // RFC 8949 appendix A, and the ADR's rules: whole numbers are integers (-0 too), floats take the shortest width.
    [0, '00'], [-0, '00'], [23, '17'], [24, '1818'], [1000000, '1a000f4240'], [2 ** 63, '1b8000000000000000'], [2 ** 64, 'fa5f800000'],
    [-1, '20'], [-1000, '3903e7'], [1.5, 'f93e00'], [1.1, 'fb3ff199999999999a'], [65504.5, 'fa477fe080'], [5.960464477539063e-8, 'f90001'],
    [3.4028234663852886e38, 'fa7f7fffff'], [1e300, 'fb7e37e43c8800759c'], [true, 'f5'], [false, 'f4'], [null, 'f6'],
    ['a', '6161'], ['ü', '62c3bc'], [[1, [2, 3]], '8201820203'], [{ b: 1, a: 2, aa: 3 }, 'a3616102616201626161' + '03'],
  ] as const)('%j is %s', (value, bytes) => {
    expect(hex(value)).toBe(bytes);
  });
});

describe('several flagd files: each file\'s $ref reaches only its own evaluators, as flagd resolves them', () => {
  it('a $ref to an evaluator of another file is refused at its place (zero-flags.json refers to evaluator-refs.json\'s is_ballmer)', () => {
    expect(() => flagd.toScenarioParts([read('evaluator-refs.json'), read('zero-flags.json')])).toThrow(
      /zero-flags\.json:43:11: flags\.boolean-targeted-zero-flag\.targeting\.if\[0\]: \$ref names the evaluator "is_ballmer" of evaluator-refs\.json: flagd replaces a \$ref only by an evaluator of the same file/,
    );
  });
  it('a flag in two files is served from the later, and the earlier says so', () => {
    const a = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'a' } } }), 'a.json');
    const b = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'b' } } }), 'b.json');
    const parts = flagd.toScenarioParts([a, b]);
    expect(parts.warnings.map(formatWarning)).toEqual([expect.stringMatching(/^a\.json:1:\d+: flags\.f: flag "f" is also defined in b\.json, a later source, which flagd serves/)]);
    expect(flagd.serve(parts.state).evaluate('f', {}).value).toBe('b');
    expect(flagd.open([b, a]).evaluate('f', {}).value).toBe('a');
  });
  it('a file that splits says which bucketing it is rehearsed with, unless the scenario names v2', () => {
    const w = (fractional?: 'v2' | 'v3') => flagd.toScenarioParts([read('custom-ops.json')], { fractional }).warnings.map(formatWarning).filter((x) => x.includes('bucketed as'));
    expect(w()).toEqual([expect.stringMatching(/^custom-ops\.json:\d+:\d+: flags\.fractional-flag\.targeting\.fractional: fractional is bucketed as flagd v2 buckets it .*name one with flags\.from\.fractional/)]);
    expect(w('v2')).toEqual([]);
    expect(w('v3')).toEqual([expect.stringMatching(/fractional is bucketed as flagd v3 buckets it .*which no flagd release runs yet/)]);
  });
});

describe('fractional v2 reads a null bucketing key as Go flagd does', () => {
  // core/pkg/evaluator/fractional.go parseFractionalEvaluationData: a nil first element (a var of an attribute the
  // user lacks) is dropped and the user is bucketed by flagKey + targetingKey; without a targeting key, the
  // default variant (the testbed's "fractional operator with missing bucket key falls back to default variant").
  const set = flagd.open([read('edge-case-flags.json')], { fractional: 'v2' });
  it.each(['u1', 'u2', 'u3', 'jon@company.com', 'jane@company.com'])('%s is bucketed by flagKey + targetingKey', (user) => {
    const want = flagdFractional(`fractional-null-bucket-key-flag${user}`, [['one', 50], ['two', 50]]);
    expect(set.evaluate('fractional-null-bucket-key-flag', { targetingKey: user }).value).toBe(want);
  });
  it('without a targeting key: the default variant', () => {
    expect(set.evaluate('fractional-null-bucket-key-flag', {}).value).toBe('fallback');
  });
});

describe('rehearse flags eval --fractional, and a scenario\'s flags.from.fractional', () => {
  const file = join(dir, 'custom-ops.json');
  const ctx = JSON.stringify({ user: { name: 'jack' } });
  it('v2 by default, v3 when named', () => {
    expect(evaluateFlag(file, { flag: 'fractional-flag', context: ctx }).value).toBe('hearts');
    expect(evaluateFlag(file, { flag: 'fractional-flag', context: ctx, fractional: 'v3' }).value).toBe('diamonds');
    expect(() => evaluateFlag(file, { flag: 'fractional-flag', context: ctx, fractional: 'v4' })).toThrow(/--fractional: v2 or v3/);
  });
  it('a scenario names it beside its flagd file', () => {
    const d = mkdtempSync(join(tmpdir(), 'rehearse-fractional-'));
    const scenario = (fractional: string) => `name: s\nservices: { a: {} }\njourneys: { j: { steps: [a.x] } }\nflags:\n  from: { flagd: ${file}, fractional: ${fractional} }\n`;
    writeFileSync(join(d, 'v3.yaml'), scenario('v3'));
    writeFileSync(join(d, 'v2.yaml'), scenario('v2'));
    expect(evaluateFlag(join(d, 'v3.yaml'), { flag: 'fractional-flag', context: ctx }).value).toBe('diamonds');
    expect(evaluateFlag(join(d, 'v2.yaml'), { flag: 'fractional-flag', context: ctx }).value).toBe('hearts');
    expect(evaluateFlag(join(d, 'v2.yaml'), { flag: 'fractional-flag', context: ctx, fractional: 'v3' }).value).toBe('diamonds');
  });
});

describe('fractional buckets are read as Go flagd reads them (core/pkg/evaluator/fractional.go parseFractionalEvaluationDistributions)', () => {
  const flag = (buckets: unknown[]) => ({ state: 'ENABLED', variants: { a: 'a', b: 'b', none: 'none' }, defaultVariant: 'none', targeting: { fractional: [{ var: 'targetingKey' }, ...buckets] } });
  const file = parseFlagText(JSON.stringify({ flags: { nullWeight: flag([['a', null], ['b', 1]]), extra: flag([['a', 1, 'x'], ['b', 1, 'y']]), plain: flag([['a', 1], ['b', 1]]) } }), 'w.json');
  it.each(['v2', 'v3'] as const)('%s: a null weight is 1, elements after the weight are not read', (fractional) => {
    const set = flagd.open(file, { fractional });
    for (const user of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6']) {
      const plain = set.evaluate('plain', { targetingKey: user }).value;
      expect(plain).not.toBe('none');
      expect([set.evaluate('nullWeight', { targetingKey: user }).value, set.evaluate('extra', { targetingKey: user }).value]).toEqual([plain, plain]);
    }
  });
});

describe('a scenario\'s flags.from with several flagd files and a fractional (load/flag-sources.ts)', () => {
  it('takes a list of flagd files, each a source', () => {
    const r = readFlagSources({ flagd: ['custom-ops.json', 'evaluator-refs.json'], fractional: 'v3' }, dir);
    expect(r.problems).toEqual([]);
    expect([...r.sources.keys()]).toEqual(expect.arrayContaining(['fractional-flag', 'some-email-targeted-flag']));
    expect(r.sources.get('fractional-flag')!.file).toBe('custom-ops.json, evaluator-refs.json');
    expect(r.warnings.filter((w) => w.includes('bucketed as flagd v3'))).toHaveLength(1);
  });
  it('refuses a $ref to another file\'s evaluator, and a fractional beside no flagd file', () => {
    const refs = readFlagSources({ flagd: ['evaluator-refs.json', 'zero-flags.json'] }, dir);
    expect(refs.problems[0]).toMatchObject({ path: ['flags', 'from', 'flagd'], message: expect.stringMatching(/^zero-flags\.json:43:11: .*\$ref names the evaluator "is_ballmer" of evaluator-refs\.json/) });
    expect(readFlagSources({ fractional: 'v3' }, dir).problems.map((p) => p.message)).toEqual(['fractional names how flagd files are bucketed: add flagd: FILE, or drop it']);
  });
});
