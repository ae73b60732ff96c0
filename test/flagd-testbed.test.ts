/**
 * The flagd testbed's evaluator test kit run through rehearse's flagd import: every scenario of
 * open-feature/flagd-testbed evaluator/gherkin/*.feature on its flags (evaluator/flags/testkit-flags.json), copied
 * byte-exact at commit 82ba89ec8db498fa51368e558e4d87642d9e93c4 into test/fixtures/vendor/flagd/evaluator. The
 * steps are read here as the testbed's harnesses read them: a typed flag with the caller's default, a context built
 * key by key, then the value, reason and error code of the evaluation, and the flag's metadata as flagd answers
 * it (flagd.flagMetadata). Left out: examples tagged @fractional-v1 (flagd's older bucketing; flagd-core 4.0.1 and
 * Go flagd use v2).
 *
 * Then the context's own properties: flagd's targeting reads only what the context holds. Go flagd reads it as
 * JSON maps (diegoholiveira/jsonlogic vars.go getVar: `data.(map[string]interface{})[part]`), where
 * {"var": "constructor.name"} is null; json-logic-engine, under flagd-core, read Object.prototype through every
 * context (`context[name]`) until rehearse gave its engine readers of own properties (src/interop/flagd/own-properties.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { cases, cells, typed, type Case } from './gherkin.js';

const dir = new URL('./fixtures/vendor/flagd/evaluator/', import.meta.url).pathname;

function all(): Case[] {
  const out: Case[] = [];
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.feature')).sort()) {
    out.push(...cases(file, readFileSync(join(dir, file), 'utf8')).filter((c) => !c.tags.includes('@fractional-v1')));
  }
  return out;
}

/** OpenFeature's reasons in rehearse's words (src/interop/flagd/index.ts): STATIC and DEFAULT are both `default`. */
const REASONS: Record<string, (r: string) => boolean> = {
  TARGETING_MATCH: (r) => r === 'targeting match' || r === 'split',
  STATIC: (r) => r === 'default', DEFAULT: (r) => r === 'default', DISABLED: (r) => r === 'disabled', ERROR: (r) => r.startsWith('error: '),
};

const state = flagd.toScenarioParts(parseFlagText(readFileSync(join(dir, 'testkit-flags.json'), 'utf8'), 'testkit-flags.json')).state;
const set = flagd.serve(state);

describe('the flagd testbed\'s evaluator test kit, through rehearse\'s flagd import', () => {
  const every = all();
  it('reads every scenario of the kit but the v1 bucketing', () => {
    expect(every.length).toBe(125);
  });
  it.each(every.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    let type = 'String', key = '', fallback: unknown = null;
    const context: Record<string, unknown> = {};
    let result: ReturnType<typeof set.evaluate> | null = null;
    for (const step of c.steps) {
      let m: RegExpMatchArray | null;
      if (step === 'an evaluator') continue;
      if ((m = step.match(/^a (\w+)-flag with key "([^"]*)" and a fallback value "((?:[^"\\]|\\.)*)"$/))) [type, key, fallback] = [m[1], m[2], typed(m[1], m[3])];
      else if ((m = step.match(/^a context containing a key "([^"]*)", with type "(\w+)" and with value "([^"]*)"$/))) context[m[1]] = typed(m[2], m[3]);
      else if ((m = step.match(/^a context containing a targeting key with value "([^"]*)"$/))) context.targetingKey = m[1];
      else if ((m = step.match(/^a context containing a nested property with outer key "([^"]*)" and inner key "([^"]*)", with value "([^"]*)"$/))) context[m[1]] = { [m[2]]: m[3] };
      else if (step === 'the flag was evaluated with details') result = set.evaluate(key, context, { value: fallback });
      else if ((m = step.match(/^the resolved details value should be "((?:[^"\\]|\\.)*)"$/))) expect(result!.value).toEqual(typed(type, m[1]));
      else if ((m = step.match(/^the reason should be "(\w+)"$/))) expect([m[1], result!.reason, REASONS[m[1]](result!.reason)]).toEqual([m[1], result!.reason, true]);
      else if ((m = step.match(/^the error-code should be "(\w+)"$/))) expect(result!.reason).toMatch(new RegExp(`^error: ${m[1]}\\b`));
      else if (step.startsWith('the resolved metadata should contain\n')) {
        const [, ...rows] = step.split('\n').slice(1).map(cells);
        expect(flagd.flagMetadata(state, key)).toEqual(expect.objectContaining(Object.fromEntries(rows.map(([k, t, v]) => [k, typed(t, v)]))));
      } else if (step === 'the resolved metadata is empty') expect(flagd.flagMetadata(state, key)).toEqual({});
      else throw new Error(`a step not read here: ${step}`);
    }
    expect(result).not.toBeNull();
  });
});

describe('flagd targeting reads only the context\'s own properties, as Go flagd does', () => {
  const flag = (targeting: unknown) => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting });
  const rules: Record<string, unknown> = {
    'constructor.name': { if: [{ var: 'constructor.name' }, 'on', 'off'] },
    '__proto__.constructor.name': { if: [{ var: '__proto__.constructor.name' }, 'on', 'off'] },
    'toString.name': { if: [{ var: 'toString.name' }, 'on', 'off'] },
    'hasOwnProperty.length': { if: [{ var: 'hasOwnProperty.length' }, 'on', 'off'] },
    'user.constructor.name': { if: [{ var: 'user.constructor.name' }, 'on', 'off'] },
    'missing toString': { if: [{ missing: ['toString'] }, 'off', 'on'] },
    'missing_some valueOf, constructor': { if: [{ missing_some: [1, ['valueOf', 'constructor']] }, 'off', 'on'] },
  };
  const file = { flags: Object.fromEntries(Object.entries(rules).map(([k, t]) => [k.replace(/\W+/g, '-'), flag(t)])) };
  const names = Object.keys(rules);
  const proto = flagd.open(parseFlagText(JSON.stringify(file), 'proto.json'));
  const context = { targetingKey: 'u1', user: { plan: 'pro' } };

  it.each(names)('%s is not in the context: off', (name) => {
    expect(proto.evaluate(name.replace(/\W+/g, '-'), context)).toMatchObject({ variant: 'off', value: false });
  });

  it('what the context holds is still read: own names, nested names, array indexes, defaults, outer names in some', () => {
    const held = flagd.open(parseFlagText(JSON.stringify({
      flags: {
        nested: flag({ if: [{ '==': [{ var: 'user.plan' }, 'pro'] }, 'on', 'off'] }),
        index: flag({ if: [{ '==': [{ var: 'list.1' }, 'b'] }, 'on', 'off'] }),
        fallback: flag({ if: [{ '==': [{ var: ['absent', 'x'] }, 'x'] }, 'on', 'off'] }),
        // Go reads `want` in the outer data first (jsonlogic v3.9.1 lists.go some: solveVars(parsed[1], data)).
        some: flag({ if: [{ some: [{ var: 'list' }, { '==': [{ var: '' }, { var: 'want' }] }] }, 'on', 'off'] }),
        own: flag({ if: [{ var: 'constructor' }, 'on', 'off'] }),
        missing: flag({ if: [{ missing: ['user.plan', 'targetingKey'] }, 'off', 'on'] }),
      },
    }), 'held.json'));
    const ctx = { targetingKey: 'u1', user: { plan: 'pro' }, list: ['a', 'b'], want: 'b', constructor: 'yes' };
    expect(['nested', 'index', 'fallback', 'some', 'own', 'missing'].map((k) => held.evaluate(k, ctx).variant)).toEqual(['on', 'on', 'on', 'on', 'on', 'on']);
  });
});

describe('flagd var walks a path as Go flagd\'s jsonlogic does (diegoholiveira/jsonlogic v3.9.1 vars.go getVar, vendored by flagd core v0.15.5 to v0.16.1)', () => {
  const variants = { a: 'a', b: 'b', pro: 'pro', x: 'x', bob: 'bob', one: 'one', none: 'none' };
  const paths: [string, unknown, string][] = [
    // Through a text value: the default (jsonlogic 3.8 on); up to 3.7.4 (flagd core v0.11) "name" was looked up in the same map: "bob".
    ['user.name', 'user.name', 'none'],
    // An array index is int(strconv.ParseFloat(part)): "x" is 0, "1e0" and "01" are 1, "-1" is out of bounds.
    ['list.x', 'list.x', 'a'], ['list.1e0', 'list.1e0', 'b'], ['list.01', 'list.01', 'b'], ['list.-1', 'list.-1', 'none'], ['list.7', 'list.7', 'none'],
    // Empty parts are skipped; a backslash escapes nothing (json-logic-engine read "dotted\.key" as one name).
    ['plan..tier', 'plan..tier', 'pro'], ['dotted\\.key', 'dotted\\.key', 'none'],
    // A null value gives the default.
    ['nothing with a default', ['nothing', 'x'], 'x'],
  ];
  const file = { flags: Object.fromEntries(paths.map(([name, path], i) => [`f${i}`, { state: 'ENABLED', variants, defaultVariant: 'none', targeting: { var: path } }])) };
  const set = flagd.open(parseFlagText(JSON.stringify(file), 'paths.json'));
  const context = { targetingKey: 'u1', user: 'alice', name: 'bob', list: ['a', 'b'], plan: { tier: 'pro' }, 'dotted.key': 'one', nothing: null };
  it.each(paths.map(([name, , want], i) => [name, want, i] as const))('%s serves %s', (_name, want, i) => {
    expect(set.evaluate(`f${i}`, context).value).toBe(want);
  });
});
