/**
 * The operations Go flagd's jsonlogic evaluates beyond flagd's targeting schema, as Go flagd serves them:
 * diegoholiveira/jsonlogic v3.9.1 (the version open-feature/flagd core/go.mod pins) math.go abs, vars.go
 * setProperty (set), arrays.go containsAll, containsAny, containsNone, registered in operation.go init. flagd
 * only logs that such a file does not conform to its schema (core/pkg/evaluator/json.go configToFlagDefinition).
 * Each expectation is what jsonlogic v3.9.1 itself answered for the rule and data (ApplyRaw; "error" where it
 * failed, which flagd answers PARSE_ERROR).
 */
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { formatPath } from '../src/scenario/problems.js';

const cases: [string, unknown, Record<string, unknown>, string][] = [
  // math.go abs: parseValues, the first element of a list, typing.ToNumber (a text that is no number is 0).
  ['abs of a number', { abs: -3 }, {}, '3'],
  ['abs of a text', { abs: '-3.5' }, {}, '3.5'],
  ['abs of a list reads its first element', { abs: [-2, 5] }, {}, '2'],
  ['abs of an attribute', { abs: { var: 'x' } }, { x: -7 }, '7'],
  ['abs of a text that is no number is 0', { abs: { var: 'x' } }, { x: 'a' }, '0'],
  ['abs of " 5" is 0 (strconv.ParseFloat)', { abs: ' 5' }, {}, '0'],
  ['abs of an operation', { abs: { '-': [1, 5] } }, {}, '4'],
  ['abs of null is an error', { abs: null }, {}, 'error'],
  ['abs of true is an error', { abs: true }, {}, 'error'],
  ['abs of [] is an error (index out of range)', { abs: [] }, {}, 'error'],
  ['abs of an object is an error', { abs: { var: 'o' } }, { o: { a: 1 } }, 'error'],
  ['abs of "1e400" is +Inf, which json cannot write: an error', { abs: '1e400' }, {}, 'error'],
  // vars.go setProperty: [object, property, value] on a copy of the object.
  ['set a property', { set: [{ var: 'o' }, 'b.c', 2] }, { o: { a: 1 } }, '{a:1,b.c:2}'],
  ['set with two arguments gives the first', { set: [{ var: 'o' }, 'b'] }, { o: { a: 1 } }, '{a:1}'],
  ['set on a text gives the text', { set: ['s', 'b', 2] }, {}, 's'],
  ['set parses the value again: an object of one key is an operation', { set: [{ var: 'o' }, 'b', { var: 'p' }] }, { o: { a: 1 }, p: { var: 'o' } }, '{a:1,b:{a:1}}'],
  ['set with a property that is no text is an error', { set: [{ var: 'o' }, 1, 2] }, { o: { a: 1 } }, 'error'],
  ['set of no list is an error', { set: 's' }, {}, 'error'],
  // arrays.go: containsAll/Any/None compare with isEqualValue (a number never equals a text).
  ['contains_all', { contains_all: [['a', 'b', 'c'], ['a', 'b']] }, {}, 'true'],
  ['contains_all of an attribute, one missing', { contains_all: [{ var: 'l' }, ['a', 'x']] }, { l: ['a', 'b'] }, 'false'],
  ['contains_all of nothing required', { contains_all: [['a'], []] }, {}, 'true'],
  ['contains_all of three arguments is false', { contains_all: [['a'], ['a'], ['b']] }, {}, 'false'],
  ['contains_all of a text is false', { contains_all: ['abc', ['a']] }, {}, 'false'],
  ['contains_all of lists in lists is an error (uncomparable)', { contains_all: [[[1]], [[1]]] }, {}, 'error'],
  ['contains_any', { contains_any: [{ var: 'l' }, ['x', 'b']] }, { l: ['a', 'b'] }, 'true'],
  ['contains_any of a missing attribute is false', { contains_any: [{ var: 'l' }, ['x', 'b']] }, {}, 'false'],
  ['contains_any: 1 is not "1"', { contains_any: [[1], ['1']] }, {}, 'false'],
  ['contains_any: null finds null', { contains_any: [[null], [null]] }, {}, 'true'],
  ['contains_any against a text is false', { contains_any: [{ var: 'tags' }, { var: 'want' }] }, { tags: ['a'], want: 'a' }, 'false'],
  ['contains_none', { contains_none: [{ var: 'l' }, ['x', 'y']] }, { l: ['a', 'b'] }, 'true'],
  ['contains_none of no list is true', { contains_none: 'x' }, {}, 'true'],
  ['in a rule', { if: [{ contains_any: [{ var: 'tags' }, ['beta', 'qa']] }, 'on', 'off'] }, { tags: ['qa'] }, 'on'],
  ['inside some, read in the element', { some: [{ var: 'l' }, { contains_any: [{ var: 't' }, ['z']] }] }, { l: [{ t: ['z'] }] }, 'true'],
];

describe('Go-only operations evaluated as Go flagd evaluates them (jsonlogic v3.9.1 math.go, vars.go, arrays.go)', () => {
  it.each(cases)('%s', (_name, rule, data, want) => {
    const variants = { [want]: 'hit', none: 'none' };
    const doc = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants, defaultVariant: 'none', targeting: rule } } }), 'ops.json');
    const r = flagd.open(doc).evaluate('f', { targetingKey: 'u1', ...data }, { value: 'code' });
    if (want === 'error') expect(r).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: PARSE_ERROR/) });
    else expect(r).toMatchObject({ value: 'hit', variant: want });
  });

  it('each is warned where it is written: flagd-core, the JavaScript provider, cannot parse it', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting: { if: [{ contains_any: [{ var: 'tags' }, ['qa']] }, 'on', 'off'] } } } }, null, 2), 'ops.json');
    const w = flagd.toScenarioParts(doc).warnings;
    expect(w.map((x) => `${x.line}:${x.column}: ${formatPath(x.path)}: ${x.message}`)).toEqual([
      expect.stringMatching(/^12:11: flags\.f\.targeting\.if\[0\]: operation "contains_any" is not in flagd's targeting schema: Go flagd evaluates it .* flagd-core, the in-process JavaScript provider, cannot parse it/),
    ]);
    // No default needed: the flag cannot fail where flagd runs it.
    expect(flagd.toScenarioParts(doc).flags[0].canFail).toEqual([]);
  });

  it('a file cannot call the stand-in operation itself: "throw" is no operation of flagd\'s', () => {
    const doc = parseFlagText(JSON.stringify({ flags: { f: { state: 'ENABLED', variants: { '3': 3, none: 0 }, defaultVariant: 'none', targeting: { throw: ['\u0000rehearse go operation:abs', -3] } } } }), 'ops.json');
    expect(flagd.open(doc).evaluate('f', { targetingKey: 'u1' }, { value: 9 })).toMatchObject({ value: 9, reason: expect.stringMatching(/^error: PARSE_ERROR/) });
  });
});
