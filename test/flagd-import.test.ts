/**
 * flagd errors as flagd serves them: an evaluation error gives the caller's default with reason ERROR (the
 * OpenFeature SDK, open-feature/js-sdk packages/server/src/client/internal/open-feature-client.ts; flagd-core
 * 4.0.1 resolve()), checked on the flagd testbed's "Errors and edge cases" (gherkin/targeting.feature at
 * 0815d197, test/fixtures/vendor/flagd); what makes a flag fail is a warning at import; flagd-core runs in its
 * interpreter mode, which generates no code, with the same results as its compiled mode on the testbed files.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatWarning, parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { substitutedLength } from '../src/interop/flagd/targeting.js';
import { setReadLimits } from '../src/files/read.js';
import { parseScenarioText } from '../src/load/scenario.js';

const require = createRequire(import.meta.url);
const vendor = new URL('./fixtures/vendor/flagd/', import.meta.url).pathname;
const text = (f: string) => readFileSync(join(vendor, f), 'utf8');
const edge = () => parseFlagText(text('testbed-edge-case-flags.json'), 'testbed-edge-case-flags.json');

describe('evaluation errors serve the caller\'s default', () => {
  it('the testbed\'s errors and edge cases: value and error code, with the caller\'s default', () => {
    const { cases } = JSON.parse(text('testbed-edge-case-cases.json')) as { cases: [number, string, string, unknown, Record<string, unknown>, unknown, unknown, string | null][] };
    const set = flagd.open(edge());
    const got = cases.map(([line, flag, , fallback, ctx]) => {
      const e = set.evaluate(flag, ctx, { value: fallback });
      return [line, flag, e.value, /^error: (\w+)/.exec(e.reason)?.[1] ?? null];
    });
    expect(got).toEqual(cases.map(([line, flag, , , , value, , code]) => [line, flag, value, code]));
    expect(got.filter((g) => g[3] !== null)).toHaveLength(2);
  });

  it('without a default named, an error serves no variant (the code\'s own default path, off)', () => {
    const e = flagd.open(edge()).evaluate('missing-variant-targeting-flag', {});
    expect(e).toEqual({ flag: 'missing-variant-targeting-flag', enabled: false, variant: null, value: null, reason: "error: GENERAL (Variant 'three' not found in flag with key 'missing-variant-targeting-flag')", bucket: null });
  });

  it('a disabled flag and a type that differs from the default\'s serve the default, as OpenFeature does', () => {
    const doc = parseFlagText(JSON.stringify({ flags: {
      off: { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' },
      colour: { state: 'ENABLED', variants: { red: 'red', blue: 'blue' }, defaultVariant: 'red' },
    } }), 'f.json');
    const set = flagd.open(doc);
    expect(set.evaluate('off', {}, { value: true })).toMatchObject({ value: true, enabled: true, variant: null, reason: 'disabled' });
    expect(set.evaluate('colour', {}, { value: 3 })).toMatchObject({ value: 3, variant: null, reason: expect.stringMatching(/^error: TYPE_MISMATCH/) });
    expect(set.evaluate('colour', {}, { value: 'green' })).toMatchObject({ value: 'red', variant: 'red', reason: 'default' });
  });
});

describe('what makes a flag fail is a warning at import', () => {
  it('a $ref to no evaluator: its path and the closest evaluator; every evaluation that reaches it an error', () => {
    const doc = parseFlagText(JSON.stringify({
      flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ $ref: 'is_staf' }, 'on', 'off'] } } },
      $evaluators: { is_staff: { in: ['@example.com', { var: 'email' }] } },
    }, null, 2), 'refs.json');
    const parts = flagd.toScenarioParts(doc);
    expect(parts.warnings.map(formatWarning)).toEqual([
      'refs.json:12:11: flags.f.targeting.if[0]: $ref names no evaluator; did you mean "is_staff"? (evaluators: "is_staff"): flagd leaves it in place, and an evaluation of flag "f" that reaches it is an error (PARSE_ERROR): the caller gets its default',
    ]);
    expect(parts.flags[0].canFail).toHaveLength(1);
    expect(flagd.serve(parts.state).evaluate('f', { email: 'a@example.com' }, { value: true })).toMatchObject({ value: true, reason: expect.stringMatching(/^error: PARSE_ERROR/) });
  });

  // Go flagd's substitution (open-feature/flagd core/pkg/evaluator/json.go transposeEvaluators): for each evaluator in
  // Go's map order (random), strings.ReplaceAll of `{"$ref":"<name>"}` over the json.Marshal-normalized file, each
  // evaluator put in as the file writes it (json.RawMessage).
  describe('$ref is replaced as Go flagd replaces it', () => {
    const flags = { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ $ref: 'b' }, 'on', 'off'] } } };
    it('a $ref of the flag\'s own is replaced whatever the order of the evaluators', () => {
      for (const $evaluators of [{ b: { '==': [1, 1] }, c: { '!': true } }, { c: { '!': true }, b: { '==': [1, 1] } }]) {
        const doc = parseFlagText(JSON.stringify({ flags, $evaluators }), 'own.json');
        expect(flagd.toScenarioParts(doc).warnings).toEqual([]);
        expect(flagd.open(doc).evaluate('f', {}).value).toBe(true);
      }
    });
    it('a $ref inside an evaluator written {"$ref":"c"} is replaced or not at random: refused at its place, in either order', () => {
      for (const $evaluators of [{ b: { $ref: 'c' }, c: { '==': [1, 1] } }, { c: { '==': [1, 1] }, b: { $ref: 'c' } }]) {
        expect(() => flagd.toScenarioParts(parseFlagText(JSON.stringify({ flags, $evaluators }), 'nested.json'))).toThrow(
          /^nested\.json:1:\d+: \$evaluators\.b: \$ref inside the evaluator "b" names the evaluator "c": Go flagd replaces it only when its map iteration, random each time flagd reads the file, visits "b" before "c"/);
      }
      // A YAML file is read as compact JSON (flagd's file sync converts it), so the same holds however it is written.
      expect(() => flagd.toScenarioParts(parseFlagText(`flags: ${JSON.stringify(flags)}\n$evaluators:\n  b:\n    $ref: c\n  c: {"==": [1, 1]}\n`, 'nested.yaml'))).toThrow(/nested\.yaml:4:5: .*names the evaluator "c": Go flagd replaces it only when/);
    });
    it('a $ref inside an evaluator written with spaces is never replaced: an error where an evaluation reaches it, and only there', () => {
      const target = { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ var: 'x' }, { $ref: 'b' }, 'off'] } };
      const doc = parseFlagText(JSON.stringify({ flags: { f: target }, $evaluators: { b: { $ref: 'c' }, c: 'on' } }, null, 2), 'spaced.json');
      const parts = flagd.toScenarioParts(doc);
      expect(parts.warnings.map(formatWarning)).toEqual([expect.stringMatching(/^spaced\.json:\d+:\d+: \$evaluators\.b: \$ref is inside an evaluator and not written as \{"\$ref":"<name>"\} with no spaces, which is all flagd matches there: flagd leaves it in place, and an evaluation of flag "f" that reaches it is an error \(PARSE_ERROR\)/)]);
      const set = flagd.serve(parts.state);
      expect(set.evaluate('f', { x: true }, { value: true })).toMatchObject({ value: true, reason: expect.stringMatching(/^error: PARSE_ERROR/) });
      expect(set.evaluate('f', { x: false }, { value: true })).toMatchObject({ value: false, variant: 'off' });
    });
    it('an evaluator written in fewer than three characters, or $evaluators that is no object: flagd refuses the file', () => {
      const doc = (text: string, file = 'e.json') => () => flagd.toScenarioParts(parseFlagText(text, file));
      const f = JSON.stringify(flags);
      expect(doc(`{"flags": ${f}, "$evaluators": {"b": {}, "c": 1}}`)).toThrow(/^e\.json:1:\d+: \$evaluators\.b: the evaluator is written \{\}: flagd refuses the file .*"evaluator object is empty"/);
      expect(doc(`{"flags": ${f}, "$evaluators": {"b": { }}}`)).not.toThrow();
      expect(doc(`flags: ${f}\n$evaluators: {b: {  }}\n`, 'e.yaml')).toThrow(/e\.yaml:2:\d+: \$evaluators\.b: the evaluator is written \{\}/);
      expect(doc(`{"flags": ${f}, "$evaluators": [1]}`)).toThrow(/\$evaluators: \$evaluators is an object of rules by name/);
    });
    it('a $ref with keys beside it is a literal object, as Go\'s apply reads an object of several keys', () => {
      const doc = parseFlagText(JSON.stringify({ flags: { f: { ...flags.f, targeting: { if: [{ $ref: 'b', also: 1 }, 'on', 'off'] } } }, $evaluators: { b: false } }), 'keys.json');
      expect(flagd.toScenarioParts(doc).warnings.map((w) => w.message)).toEqual([expect.stringContaining('has keys beside $ref, so flagd does not replace it')]);
      expect(flagd.open(doc).evaluate('f', {}).value).toBe(true);
    });
    it('an evaluator name Go\'s json.Marshal escapes is never matched (<, >, & are written \\u003c, \\u003e, \\u0026)', () => {
      const doc = parseFlagText(JSON.stringify({ flags: { f: { ...flags.f, targeting: { if: [{ $ref: 'a<b' }, 'on', 'off'] } } }, $evaluators: { 'a<b': true } }), 'esc.json');
      expect(flagd.toScenarioParts(doc).warnings.map((w) => w.message)).toEqual([expect.stringContaining('whose name Go\'s json.Marshal escapes')]);
      expect(flagd.open(doc).evaluate('f', {}, { value: true }).reason).toMatch(/^error: PARSE_ERROR/);
    });
  });

  it('a literal targeting result that names no variant, in if and in fractional', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { f: {
      state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off',
      targeting: { if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', { fractional: [['on', 50], ['of', 50]] }] },
    } } }), 'r.json');
    expect(flagd.toScenarioParts(doc).warnings.map((w) => formatWarning(w).replace(/^r\.json:\d+:\d+: /, ''))).toEqual([
      'flags.f.targeting.if[2].fractional[1][0]: the targeting result "of" is not a variant ("on", "off"): users who get it get an evaluation error (GENERAL) and the caller\'s default',
      expect.stringMatching(/^flags\.f\.targeting\.if\[2\]\.fractional: fractional is bucketed as flagd v2 buckets it/),
    ]);
  });
});

describe('flagd files as flagd reads them', () => {
  it('flags written as a list are read by their key (flagd-core 4.0.1 would name them "0", "1", ...)', () => {
    const set = flagd.open(parseFlagText(JSON.stringify({ flags: [{ key: 'a', state: 'ENABLED', variants: { on: true }, defaultVariant: 'on' }] }), 'list.json'));
    expect(set.keys).toEqual(['a']);
    expect(set.evaluate('a', {}).value).toBe(true);
  });

  it('no rule reaches eval or new Function: flagd-core runs in its interpreter mode, with the compiled mode\'s results on the testbed', () => {
    const { FlagdCore } = require('@openfeature/flagd-core');
    const quiet = { error() {}, warn() {}, info() {}, debug() {} };
    // Each testbed file with the contexts the testbed evaluates it with.
    const edgeCases = (JSON.parse(text('testbed-edge-case-cases.json')).cases as [number, string, string, unknown, Record<string, unknown>][]).map((c): [string, Record<string, unknown>] => [c[1], c[4]]);
    const files: [string, [string, Record<string, unknown>][]][] = [
      [text('testbed-flags.json'), (JSON.parse(text('testbed-cases.json')) as [string, Record<string, unknown>, string][]).map((c): [string, Record<string, unknown>] => [c[0], c[1]])],
      [text('testbed-edge-case-flags.json'), edgeCases],
    ];
    const spy = <T>(run: () => T): [T, number] => {
      const realEval = globalThis.eval, RealFunction = globalThis.Function;
      let calls = 0;
      globalThis.eval = ((x: string) => { calls++; return realEval(x); }) as typeof eval;
      globalThis.Function = new Proxy(RealFunction, { construct(t, a) { calls++; return Reflect.construct(t, a); }, apply(t, self, a) { calls++; return Reflect.apply(t, self, a); } });
      try {
        return [run(), calls];
      } finally {
        globalThis.eval = realEval;
        globalThis.Function = RealFunction;
      }
    };
    const resolveAll = (core: { setConfigurations(t: string): void; resolve(type: string, k: string, d: unknown, c: unknown): unknown }, file: string, cases: [string, Record<string, unknown>][]) => {
      core.setConfigurations(file);
      return cases.map(([k, ctx]) => core.resolve('string', k, 'default', ctx));
    };
    for (const [file, cases] of files) {
      const [compiled, compiledCalls] = spy(() => resolveAll(new FlagdCore(undefined, quiet), file, cases));
      const [interpreted, interpretedCalls] = spy(() => resolveAll(new FlagdCore(undefined, quiet, { disableDynamicCodeGeneration: true }), file, cases));
      expect(interpreted).toEqual(compiled);
      expect(compiledCalls).toBeGreaterThan(0);
      expect(interpretedCalls).toBe(0);
      const [, rehearseCalls] = spy(() => {
        const set = flagd.open(parseFlagText(file, 'f.json'));
        return set.keys.map((k) => set.evaluate(k, { targetingKey: 'u-1', email: 'a@b.c', version: '1.2.3' }));
      });
      expect(rehearseCalls).toBe(0);
    }
  });

  it('where the two modes differ, the interpreter serves what flagd serves: cat of a missing attribute is ""', () => {
    // json-logic-engine 5.0.7 compiles {"cat": [..., {"var": "user.name"}]} to "...null" when user.name is missing;
    // its interpreter gives "", as flagd's Go evaluator does (diegoholiveira/jsonlogic strings.go concat,
    // internal/typing/typing.go ToString(nil) = ""), and so do the bucket a rehearsal reports and the variant.
    const { FlagdCore } = require('@openfeature/flagd-core');
    const quiet = { error() {}, warn() {}, info() {}, debug() {} };
    const serve = (options?: object) => {
      const core = new FlagdCore(undefined, quiet, options);
      core.setConfigurations(text('testbed-flags.json'));
      return core.resolve('string', 'fractional-flag', 'default', {}).value;
    };
    const murmur = require('murmurhash3js-revisited').x86.hash32 as (b: Uint8Array) => number;
    const bucket = (s: string) => Math.floor(((murmur(new TextEncoder().encode(s)) >>> 0) / 2 ** 32) * 100);
    // fractional-flag: clubs, diamonds, hearts, spades, 25 each.
    const variant = (s: string) => ['clubs', 'diamonds', 'hearts', 'spades'][Math.floor(bucket(s) / 25)];
    expect([serve({ disableDynamicCodeGeneration: true }), serve()]).toEqual([variant('fractional-flag'), variant('fractional-flagnull')]);
    expect(flagd.open(parseFlagText(text('testbed-flags.json'), 'f.json')).evaluate('fractional-flag', {}).value).toBe(variant('fractional-flag'));
  });
});

describe('$ref substitution', () => {
  /** Evaluators e0..e(n-1), each referring twice to the next: flagd-core's text grows as 2^n. */
  const chain = (n: number) => ({
    flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { $ref: 'e0' } } },
    $evaluators: Object.fromEntries(Array.from({ length: n }, (_, i) => {
      const next = i < n - 1 ? { $ref: `e${i + 1}` } : 'on';
      return [`e${i}`, { if: [{ '==': [{ var: 'x' }, i] }, next, next] }];
    })),
  });

  it('the length counted is the length of the text flagd-core builds (caught where it parses it)', () => {
    const { FlagdCore } = require('@openfeature/flagd-core');
    const shapes = [chain(1), chain(6), { ...chain(3), $evaluators: { ...chain(3).$evaluators, e0: { in: [{ $ref: 'e2' }, [{ $ref: 'e1' }, { $ref: 'e0' }]] } } },
      { flags: { f: { state: 'ENABLED', variants: { on: true }, targeting: { if: [{ $ref: '2' }, 'on', { $ref: 'a' }] } } }, $evaluators: { a: { $ref: '2' }, 2: { '!': [{ $ref: 'a' }] } } }];
    for (const config of shapes) {
      const text = JSON.stringify(config);
      const parsed: number[] = [];
      const parse = JSON.parse;
      JSON.parse = (s: string, ...rest: []) => (parsed.push(s.length), parse(s, ...rest));
      try {
        new FlagdCore(undefined, { error() {}, warn() {}, info() {}, debug() {} }, { disableDynamicCodeGeneration: true }).setConfigurations(text);
      } finally {
        JSON.parse = parse;
      }
      expect(substitutedLength(config)).toBe(Math.max(...parsed));
    }
  });

  it('a chain that would grow past the flag file limit is refused at import, at once, naming $evaluators', () => {
    const started = Date.now();
    expect(() => flagd.toScenarioParts(parseFlagText(JSON.stringify(chain(40)), 'bomb.flagd.json'))).toThrow(
      /^bomb\.flagd\.json:1:\d+: \$evaluators: with each \{"\$ref": name\} replaced by its evaluator, as flagd replaces it, the file would be [\d.]+ GiB, over the flag file limit of 64 MiB \(raise it with REHEARSE_MAX_FLAG_FILE\)$/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('under a raised limit, the chain (30 levels: 2^30 references) is refused at once at its first $ref inside an evaluator, which Go flagd replaces at random', () => {
    setReadLimits({ bytes: { flags: 2 ** 50 } });
    const started = Date.now();
    try {
      expect(() => flagd.toScenarioParts(parseFlagText(JSON.stringify(chain(30)), 'chain.flagd.json'))).toThrow(/^chain\.flagd\.json:1:\d+: \$evaluators\.e0\.if\[1\]: \$ref inside the evaluator "e0" names the evaluator "e1"/);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      setReadLimits();
    }
  });
});

describe('flags.from in a scenario', () => {
  const load = (flags: string, file = 'testbed-edge-case-flags.json') => parseScenarioText(`name: f
duration: 1m
traffic: { rate: 5/s, cohort: { size: 200, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { flagd: ${file} }
${flags}`, vendor);
  const problems = (l: ReturnType<typeof load>) => (l.ok ? [] : l.problems.map((p) => `${p.path.join('.')}: ${p.message}`));

  it('a name the file does not hold is an error with a suggestion, not a new flag that is off', () => {
    expect(problems(load('  empty-targeting-flg: { evaluated-by: [api] }\n'))).toEqual([
      expect.stringMatching(/^flags\.empty-targeting-flg: no flag "empty-targeting-flg" in testbed-edge-case-flags\.json; did you mean "empty-targeting-flag"\? \(flags: "targeting-null-variant-flag", /),
    ]);
  });

  it('a misspelt name beside from is the problem shown when cases spell the flag right, not a suggestion toward the misspelling', () => {
    const cases = 'cases:\n  slow: { flags: { empty-targeting-flag: { when-on: { api.get: { latency: x2 } } } } }\n';
    for (const caseName of [undefined, 'slow']) {
      const l = parseScenarioText(`name: f
duration: 1m
traffic: { rate: 5/s, cohort: { size: 200, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { flagd: testbed-edge-case-flags.json }
  empty-targeting-flg: { evaluated-by: [api] }
${cases}`, vendor, caseName);
      expect(problems(l)).toEqual([
        expect.stringMatching(/^flags\.empty-targeting-flg: no flag "empty-targeting-flg" in testbed-edge-case-flags\.json; did you mean "empty-targeting-flag"\? /),
      ]);
    }
    // Once the flag is spelt right, a case that misspells it is named at its own place.
    const l = load(`  empty-targeting-flag: { evaluated-by: [api] }\n${cases.replace('{ empty-targeting-flag:', '{ empty-targeting-flg:')}`);
    expect(problems(l)).toEqual([
      'cases.slow.flags.empty-targeting-flg: unknown flag "empty-targeting-flg"; did you mean "empty-targeting-flag"? (a case changes the scenario\'s flags: "empty-targeting-flag")',
    ]);
  });

  it('a plan or criterion naming a flag of the file: never told to take a misspelt entry; told the flag is not named beside from', () => {
    const plan = 'rollout: [{ flag: empty-targeting-flag, stages: [{ to: 100% }] }]\nacceptance: [\'false_rollback{flag:empty-targeting-flag} max<1\']\n';
    const found = problems(load(`  empty-targeting-flg: { evaluated-by: [api] }\n${plan}`));
    const notNamed = 'unknown flag "empty-targeting-flag": a flag of testbed-edge-case-flags.json, which the scenario does not name beside flags.from (a file\'s flags that it does not name are not rehearsed)';
    expect(found).toEqual([
      expect.stringMatching(/^flags\.empty-targeting-flg: no flag "empty-targeting-flg" in testbed-edge-case-flags\.json; did you mean "empty-targeting-flag"\? /),
      `rollout.0.flag: ${notNamed}`,
      expect.stringContaining(`acceptance.0: ${notNamed}`),
    ]);
    // A name neither the scenario nor the file has is suggested the flags the scenario has.
    expect(problems(load(`  empty-targeting-flag: { evaluated-by: [api] }\nrollout: [{ flag: empty-targeting, stages: [{ to: 100% }] }]\n`))).toEqual([
      'rollout.0.flag: unknown flag "empty-targeting"; did you mean "empty-targeting-flag"?',
    ]);
  });

  it('a flag that can fail needs the code\'s default; with one, users get it', () => {
    expect(problems(load('  missing-variant-targeting-flag: { evaluated-by: [api] }\n'))).toEqual([
      expect.stringMatching(/^flags\.missing-variant-targeting-flag: the flag can fail to evaluate \(testbed-edge-case-flags\.json:33:22: flags\.missing-variant-targeting-flag\.targeting\.if\[1\]: the targeting result "three" is not a variant/),
    ]);
    expect(problems(load('  missing-variant-targeting-flag: { evaluated-by: [api], default: true }\n'))).toEqual([
      'flags.missing-variant-targeting-flag.default: default is a boolean, but the flag serves number values: OpenFeature would answer TYPE_MISMATCH and serve the default to everyone',
    ]);
    const l = load('  missing-variant-targeting-flag: { evaluated-by: [api], default: 7 }\n');
    if (!l.ok) throw new Error(problems(l).join('\n'));
    const f = l.scenario.flags[0];
    expect(f.codeDefault).toEqual({ value: 7 });
    expect([...f.served!.variant].every((v) => v === -1)).toBe(true);
    expect([...f.served!.on].every((v) => v === 0)).toBe(true);
  });

  it('default is refused where no flag file serves the flag', () => {
    const l = parseScenarioText(`name: f
duration: 1m
traffic: { rate: 5/s }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  native: { evaluated-by: [api], default: false }
`);
    expect(problems(l)).toEqual(['flags.native.default: default is the code default of a flag from a flag file (flags.from): a flag defined here never fails to evaluate']);
  });
});
