/**
 * The scope of `var` inside flagd's list operations, as Go flagd reads it: diegoholiveira/jsonlogic v3.9.1 (the
 * version open-feature/flagd core/go.mod pins), lists.go (some, all, none, filter, map, reduce) and vars.go
 * (solveVars, getVar). json-logic-engine under flagd-core reads every such `var` in the element, with `../` a step
 * out; Go reads it in the outer data first in some, none and filter, in the element only in all and map, and in
 * {current, accumulator, valueType} only in reduce. Each expectation below is what Go flagd serves; each differs
 * from json-logic-engine's reading but where noted.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../src/load/scenario.js';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { formatPath } from '../src/scenario/problems.js';
import { goVariantName } from '../src/interop/flagd/go-result.js';

const context = {
  targetingKey: 'u1', name: 'outer', want: 'b', list: ['a', 'b'],
  users: [{ name: 'x', plan: 'pro' }, { name: 'y', plan: 'free' }],
};
const on = (rule: unknown) => ({ if: [rule, 'on', 'off'] });
const users = { var: 'users' };
const cases: [string, unknown, string][] = [
  // some: solveVars(parsed[1], data) first: `want` is the outer "b", so some element equals it.
  ['some: a name the outer data holds is read there', on({ some: [{ var: 'list' }, { '==': [{ var: '' }, { var: 'want' }] }] }), 'on'],
  // ... and it shadows the element's own: every element is compared with the outer "outer".
  ['some: the outer data shadows the element', on({ some: [users, { '==': [{ var: 'name' }, 'x'] }] }), 'off'],
  ['some: the outer value is what each element is tested with', on({ some: [users, { '==': [{ var: 'name' }, 'outer'] }] }), 'on'],
  // A var of a text starting with "." is left to the element (solveVars skips "" and ".…").
  ['some: ".name" is the element\'s name', on({ some: [users, { '==': [{ var: '.name' }, 'x'] }] }), 'on'],
  // A var with a default always finds something in the outer data: the default, never the element's value.
  ['some: a var with a default is never read in the element', on({ some: [users, { '==': [{ var: ['plan', 'none'] }, 'pro'] }] }), 'off'],
  // Go has no `../` step: "../../want" is the name "/" then "/want" of the element, which a text does not have.
  ['some: ../ is no step out', on({ some: [{ var: 'list' }, { '==': [{ var: '' }, { var: '../../want' }] }] }), 'off'],
  // none: the outer data first, as some.
  ['none: the outer data shadows the element', on({ none: [users, { '==': [{ var: 'name' }, 'x'] }] }), 'on'],
  // filter: the outer data first, then the element (parseValues(logic, value)).
  ['filter: the outer data shadows the element', on({ filter: [users, { '==': [{ var: 'name' }, 'x'] }] }), 'off'],
  ['filter: a name the outer data lacks is read in the element', on({ in: ['x', { map: [{ filter: [users, { '==': [{ var: 'plan' }, 'pro'] }] }, { var: 'name' }] }] }), 'on'],
  // all: solveVars(parsed[1], value): the element only (as json-logic-engine).
  ['all: the element only', on({ all: [users, { '!=': [{ var: 'name' }, 'outer'] }] }), 'on'],
  ['all: the outer data is not read', on({ all: [users, { '==': [{ var: 'want' }, 'b'] }] }), 'off'],
  // map: parseValues(parsed[1], value): the element only (as json-logic-engine).
  ['map: the element only', on({ in: ['y', { map: [users, { var: 'name' }] }] }), 'on'],
  // reduce: {current, accumulator, valueType} only; the accumulator kept a number (ToNumber("01") is 1, then 12).
  ['reduce: the accumulator keeps the type of the initial value', { reduce: [['1', '2'], { cat: [{ var: 'accumulator' }, { var: 'current' }] }, 0] }, '12'],
  ['reduce: valueType is read', { reduce: [{ var: 'list' }, { cat: [{ var: 'accumulator' }, { var: 'valueType' }] }, ''] }, 'stringstring'],
  ['reduce: the outer data is not read', { reduce: [{ var: 'list' }, { cat: [{ var: 'accumulator' }, 'b', { var: 'want' }] }, ''] }, 'bb'],
];
const variants = { on: 'on', off: 'off', '12': '12', stringstring: 'stringstring', none: 'none', bb: 'bb' };
const file = { flags: Object.fromEntries(cases.map(([, targeting], i) => [`f${i}`, { state: 'ENABLED', variants, defaultVariant: 'none', targeting }])) };
const set = flagd.open(parseFlagText(JSON.stringify(file), 'scope.json'));

describe('var inside flagd\'s list operations is read in the scope Go flagd gives it (jsonlogic v3.9.1 lists.go)', () => {
  it.each(cases.map(([name, , want], i) => [name, want, i] as const))('%s: %s', (_name, want, i) => {
    const r = set.evaluate(`f${i}`, context);
    expect(r.value).toBe(want);
  });

  it('a subject that is not a list is an error of the evaluation (Go: subject.([]any) panics)', () => {
    const s = flagd.open(parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants, defaultVariant: 'none', targeting: on({ some: [{ var: 'name' }, true] }) } } }), 'err.json'));
    expect(s.evaluate('f', context, { value: 'code' })).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: /) });
  });
});

describe('$flagd in targeting, as Go flagd puts it in the context (core/pkg/evaluator/json.go setFlagdProperties)', () => {
  const flag = (targeting: unknown) => ({ state: 'ENABLED', variants: { on: 'on', off: 'off' }, defaultVariant: 'off', targeting });
  const byKey = { if: [{ '==': [{ var: '$flagd.flagKey' }, 'f'] }, 'on', 'off'] };
  const text = JSON.stringify({ flags: { f: flag(byKey), g: flag(byKey), odd: flag({ if: [{ var: '$flagd.flagkey' }, 'on', 'off'] }), whole: flag({ if: [{ var: '$flagd' }, 'on', 'off'] }) } }, null, 2);
  it('$flagd.flagKey is the key of the flag evaluated, whatever $flagd the context carries (flagd puts its own over it)', () => {
    const set = flagd.open(parseFlagText(text, 'keys.json'));
    expect(['f', 'g'].map((k) => set.evaluate(k, { targetingKey: 'u1' }).value)).toEqual(['on', 'off']);
    expect(['f', 'g'].map((k) => set.evaluate(k, { targetingKey: 'u1', $flagd: { flagKey: 'g' } }).value)).toEqual(['on', 'off']);
  });
  it('a name of $flagd other than flagKey and timestamp is always null, warned at its place; $flagd whole holds the clock', () => {
    const warnings = flagd.toScenarioParts(parseFlagText(text, 'keys.json')).warnings.map((w) => `${w.line}:${w.column}: ${w.message}`);
    expect(warnings).toEqual([
      expect.stringMatching(/^\d+:\d+: the rule reads \$flagd\.flagkey: flagd's \$flagd holds only flagKey and timestamp .* so this is always null$/),
      expect.stringMatching(/^\d+:\d+: the rule reads \$flagd whole, with its timestamp: flagd gives the wall clock of each evaluation/),
    ]);
    expect(flagd.open(parseFlagText(text, 'keys.json')).evaluate('odd', { targetingKey: 'u1' }).value).toBe('off');
  });

  // core/pkg/evaluator/json.go evaluateVariant: Timestamp: time.Now().Unix(), at every evaluation. rehearse
  // evaluates each user once as a run starts, so a scenario that rehearses such a flag is refused at the rule.
  const timed = JSON.stringify({ flags: {
    launch: flag({ if: [{ '>=': [{ var: '$flagd.timestamp' }, 1700000000] }, 'on', 'off'] }),
    plain: flag({ if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', 'off'] }),
  } }, null, 2);
  it('$flagd.timestamp: a scenario that rehearses the flag is refused at the rule; the file\'s other flags load', () => {
    const dir = mkdtempSync(join(tmpdir(), 'flagd-clock-'));
    writeFileSync(join(dir, 'timed.flagd.json'), timed);
    const load = (name: string) => parseScenarioText(`name: t
duration: 1m
traffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { flagd: timed.flagd.json }
  ${name}: { evaluated-by: [api] }
`, dir);
    const refused = load('launch');
    expect(refused.ok ? [] : refused.problems.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      expect.stringMatching(/^flags\.launch: timed\.flagd\.json:14:15: flags\.launch\.targeting\.if\[0\]\[">="\]\[0\]: the rule reads \$flagd\.timestamp: flagd gives the wall clock of each evaluation \(core\/pkg\/evaluator\/json\.go: time\.Now\(\)\.Unix\(\)\), and rehearse evaluates each user once, as the run starts, not along the simulated clock: a scenario cannot rehearse flag "launch"/),
    ]);
    expect(load('plain').ok).toBe(true);
    // flags eval answers as flagd would now.
    expect(flagd.open(parseFlagText(timed, 'timed.flagd.json')).evaluate('launch', { targetingKey: 'u1' }).value).toBe('on');
  });
});

describe('diegoholiveira/jsonlogic v3.9.1\'s own tests of list scope (issues_test.go), through rehearse\'s flagd', () => {
  const vendor: [string, unknown, Record<string, unknown>][] = [
    // TestIssue81: ".B" is the element's B, "B" the outer data's: some element has B != 2.
    ['TestIssue81', { some: [{ var: 'A' }, { '!=': [{ var: '.B' }, { var: 'B' }] }] }, { A: [{ B: 1 }], B: 2 }],
    // TestIssue79 (the some of its rule): {"var": null} is nothing in the outer data (a map), the element (a text) in each element.
    ['TestIssue79, some', { some: [{ var: 'gender' }, { '==': [{ var: null }, 'men'] }] }, { category: ['sneakers'], flow: 'BRAND', gender: ['men'], market: 'US' }],
    // TestIssue70 (filter by ["age"]): the outer data has no age, so each element's is read: John and Mark.
    ['TestIssue70, filter', { '==': [{ reduce: [{ filter: [{ var: ['people'] }, { '==': [{ var: ['age'] }, 18] }] }, { cat: [{ var: 'accumulator' }, { var: 'current.name' }] }, ''] }, 'JohnMark'] },
      { people: [{ age: 18, name: 'John' }, { age: 20, name: 'Luke' }, { age: 18, name: 'Mark' }] }],
  ];
  it.each(vendor)('%s: true', (_name, rule, data) => {
    const set = flagd.open(parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { on: 'on', off: 'off' }, defaultVariant: 'off', targeting: on(rule) } } }), 'vendor.json'));
    expect(set.evaluate('f', { targetingKey: 'u1', ...data }).value).toBe('on');
  });
});

describe('rules with list operations answer as jsonlogic v3.9.1 itself answered them (test/fixtures/vendor/flagd/jsonlogic-3.9.1-lists.jsonl)', () => {
  // Each line: a rule, the data, and what diegoholiveira/jsonlogic v3.9.1's ApplyRaw gave (built from its source at
  // the v3.9.1 tag with Go 1.19, the context given $flagd as flagd gives it); a rule whose answer is a list is
  // folded into one text by a reduce, there and here. ERROR: Go's jsonlogic failed, which flagd answers PARSE_ERROR.
  const lines = readFileSync(new URL('./fixtures/vendor/flagd/jsonlogic-3.9.1-lists.jsonl', import.meta.url), 'utf8').trim().split('\n')
    .map((l) => JSON.parse(l) as { name: string; rule: unknown; data: Record<string, unknown>; go: string });
  const answer = (go: string) => (go.startsWith('ERROR') ? null : String(JSON.parse(go)));
  const file = {
    flags: Object.fromEntries(lines.map((c, i) => {
      const want = answer(c.go) ?? 'none';
      return [`c${i}`, { state: 'ENABLED', variants: { [want]: want, none: 'none' }, defaultVariant: 'none', targeting: c.rule }];
    })),
  };
  const set = flagd.open(parseFlagText(JSON.stringify(file), 'lists.json'));
  it('has the cases', () => expect(lines.length).toBe(29));
  it.each(lines.map((c, i) => [c.name, c.go, i] as const))('%s: %s', (_name, go, i) => {
    const r = set.evaluate(`c${i}`, lines[i].data, { value: 'code' });
    const want = answer(go);
    if (want === null) expect(r.reason).toMatch(/^error: PARSE_ERROR/);
    else expect([r.value, r.reason]).toEqual([want, expect.not.stringMatching(/^error/)]);
  });
});

describe('operations flagd does not know, and objects of several keys, as Go flagd\'s jsonlogic reads them (v3.9.1 operation.go, jsonlogic.go apply)', () => {
  // Checked against jsonlogic v3.9.1 itself: {"if": [{"var": "x"}, {"exists": "plan"}, "off"]} gives "off" for x
  // false and `The operator "exists" is not supported` for x true; {"if": [{"var": "x", "note": 1}, "on", "off"]}
  // gives "on" whatever x is.
  const flag = (targeting: unknown) => ({ state: 'ENABLED', variants: { on: 'on', off: 'off' }, defaultVariant: 'off', targeting });
  const doc = parseFlagText(JSON.stringify({ flags: {
    // `exists` is json-logic-engine's (flagd-core evaluated it), not Go's; `foo` neither's (flagd-core refused the flag).
    exists: flag({ if: [{ var: 'x' }, { exists: 'plan' }, 'off'] }), foo: flag({ if: [{ var: 'x' }, { foo: 1 }, 'off'] }),
    keys: flag({ if: [{ var: 'x', note: 1 }, 'on', 'off'] }), abs: flag({ if: [{ abs: -1 }, 'on', 'off'] }),
  } }, null, 2), 'ops.json');
  const set = flagd.open(doc);
  it.each(['exists', 'foo'])('%s: an error only where an evaluation reaches it', (key) => {
    expect(set.evaluate(key, { x: false }, { value: 'code' })).toMatchObject({ value: 'off', variant: 'off' });
    expect(set.evaluate(key, { x: true }, { value: 'code' })).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: PARSE_ERROR/) });
  });
  it('an object of several keys is a literal (true), not the operation of its first key', () => {
    expect([set.evaluate('keys', { x: false }).value, set.evaluate('keys', { x: true }).value]).toEqual(['on', 'on']);
  });
  it('each is warned at its place; abs, which Go evaluates (test/flagd-go-ops.test.ts) and flagd-core cannot parse, says so', () => {
    const w = flagd.toScenarioParts(doc).warnings.map((x) => `${formatPath(x.path)}: ${x.message}`);
    expect(w).toEqual([
      expect.stringMatching(/^flags\.exists\.targeting\.if\[1\]: operation "exists" is not one flagd knows: an evaluation of flag "exists" that reaches it is an error \(PARSE_ERROR/),
      expect.stringMatching(/^flags\.foo\.targeting\.if\[1\]: operation "foo" is not one flagd knows: an evaluation of flag "foo" that reaches it/),
      expect.stringMatching(/^flags\.keys\.targeting\.if\[0\]: an object of 2 keys \("var", "note"\) is a literal value to flagd/),
      expect.stringMatching(/^flags\.abs\.targeting\.if\[0\]: operation "abs" is not in flagd's targeting schema: Go flagd evaluates it .* and so does rehearse; flagd-core, the in-process JavaScript provider, cannot parse it/),
    ]);
  });
});

describe('a targeting result named as Go flagd names it (core/pkg/evaluator/json.go: the result\'s JSON text, every " removed)', () => {
  // What Go 1.19's json.NewEncoder(...).Encode wrote for each (as jsonlogic's Apply writes a result), quotes removed.
  const written: [unknown, string][] = [
    ['a&b', 'a\\u0026b'], ['<x>', '\\u003cx\\u003e'], ['q"q', 'q\\q'], ['back\\slash', 'back\\\\slash'], ['\u2028', '\\u2028'], ['ü', 'ü'],
    [['a', 'b'], '[a,b]'], [{ b: 1, a: [true, null] }, '{a:[true,null],b:1}'], [0.1, '0.1'], [1e21, '1e+21'], [1e-7, '1e-7'], [12, '12'], [-0, '-0'],
  ];
  it.each(written)('%j is looked up as %s', (value, name) => {
    expect(goVariantName(value)).toBe(name);
  });
  it('a result "a&b" is no variant to flagd, even where a variant is named a&b: GENERAL, warned where it is written', () => {
    const doc = parseFlagText(JSON.stringify({ flags: {
      amp: { state: 'ENABLED', variants: { 'a&b': 'a&b', off: 'off' }, defaultVariant: 'off', targeting: { if: [{ var: 'x' }, 'a&b', 'off'] } },
      list: { state: 'ENABLED', variants: { 'a,b': 'joined', '[a,b]': 'listed', off: 'off' }, defaultVariant: 'off', targeting: { if: [{ var: 'x' }, { merge: [['a'], ['b']] }, 'off'] } },
    } }), 'names.json');
    expect(flagd.toScenarioParts(doc).warnings.map((w) => w.message)).toEqual([expect.stringContaining('the targeting result "a&b" is not a variant (flagd looks it up as a\\u0026b')]);
    const set = flagd.open(doc);
    expect(set.evaluate('amp', { x: true }, { value: 'code' })).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: GENERAL/) });
    expect(set.evaluate('list', { x: true }, { value: 'code' }).value).toBe('listed');
  });
});
