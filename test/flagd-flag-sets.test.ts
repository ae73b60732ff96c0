/**
 * One key in several flag sets, as Go flagd's store keeps them: open-feature/flagd core/pkg/store/store.go (Update
 * stores a flag by flagSetId and key, its flagSetId the flag's metadata over the set's; Get with a selector reads
 * that set, without one the source of highest priority and, within it, whichever the store lists last) and
 * core/pkg/store/query.go (NewSelector: flagSetId=ID, source=...; "flagSetId=" the flags without one).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.js';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { parseScenarioText } from '../src/load/scenario.js';

const flag = (value: string, flagSetId?: unknown) => ({
  key: 'checkout', state: 'ENABLED', variants: { on: value, off: 'off' }, defaultVariant: 'on',
  ...(flagSetId !== undefined ? { metadata: { flagSetId } } : {}),
});
const twoSets = JSON.stringify({ metadata: { flagSetId: 'shop' }, flags: [flag('shop'), flag('admin', 'admin'), { ...flag('other'), key: 'other' }] }, null, 2);
const refusal = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof InputError) return e.lines;
    throw e;
  }
  return [];
};

describe('a key in two flag sets of one file', () => {
  it('without a selector is refused at the later one, naming both places and the selectors', () => {
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(twoSets, 'sets.json')))).toEqual([
      'sets.json:15:5: flags[1]: flag "checkout" is defined in flagSetId "admin" here and in flagSetId "shop" at sets.json:6:5: flagd keeps both (core/pkg/store/store.go: a flag is stored by flagSetId and key) and, without a flagSetId selector, serves whichever its store lists first or last, which for a flag without flagSetId changes each time flagd starts; name the set to rehearse as a provider\'s selector names it: flagSetId=shop or flagSetId=admin (flags.from.selector in a scenario, --selector for flags eval and import flags)',
    ]);
  });

  it('with a selector, the set it names is served; a flag of another set is not found', () => {
    const doc = parseFlagText(twoSets, 'sets.json');
    const admin = flagd.open(doc, { selector: 'flagSetId=admin' });
    expect(admin.keys).toEqual(['checkout']);
    expect(admin.evaluate('checkout', { targetingKey: 'u1' }).value).toBe('admin');
    const shop = flagd.open(doc, { selector: 'flagSetId=shop' });
    expect(shop.keys).toEqual(['checkout', 'other']);
    expect(shop.evaluate('checkout', { targetingKey: 'u1' }).value).toBe('shop');
  });

  it('the flag\'s own flagSetId over the set\'s; one that is no text is no set (flagSetId= selects it)', () => {
    const doc = parseFlagText(JSON.stringify({ metadata: { flagSetId: 'shop' }, flags: [flag('numbered', 7)] }), 'n.json');
    // "shop" is left with no flag: a selector naming it names nothing (below).
    expect(refusal(() => flagd.open(doc, { selector: 'flagSetId=shop' }))).toEqual([
      'n.json: selector flagSetId=shop names no flag set of the files (the flag sets there: no flagSetId): a provider with that selector finds no flag (FLAG_NOT_FOUND)',
    ]);
    expect(flagd.open(doc, { selector: 'flagSetId=' }).evaluate('checkout', { targetingKey: 'u1' }).value).toBe('numbered');
  });

  it('a selector naming no flag set of the files is refused with the sets there and the closest; it imported no flag, exit 0', () => {
    // flagd's own samples (config/samples/example_flags.flagd.json: metadata.flagSetId "example"), as flagd's docs
    // start flagd with them; a provider whose selector names no set gets FLAG_NOT_FOUND for every flag (store.go Get).
    const sample = parseFlagText(readFileSync(new URL('./fixtures/vendor/flagd/samples/example_flags.flagd.json', import.meta.url), 'utf8'), 'example_flags.flagd.json');
    expect(flagd.toScenarioParts(sample, { selector: 'flagSetId=example' }).flags.length).toBeGreaterThan(0);
    expect(refusal(() => flagd.toScenarioParts(sample, { selector: 'flagSetId=exampel' }))).toEqual([
      'example_flags.flagd.json: selector flagSetId=exampel names no flag set of the files; did you mean "example"? (the flag sets there: flagSetId "example"): a provider with that selector finds no flag (FLAG_NOT_FOUND)',
    ]);
    expect(refusal(() => flagd.toScenarioParts(parseFlagText(twoSets, 'sets.json'), { selector: 'flagSetId=shops' }))[0]).toMatch(/names no flag set of the files; did you mean "shop"\? \(the flag sets there: flagSetId "shop", flagSetId "admin"\)/);
  });

  it('twice in the same set: flagd serves the later (store.go Update), warned at the earlier', () => {
    const doc = parseFlagText(JSON.stringify({ flags: [flag('first'), flag('second')] }, null, 2), 'twice.json');
    const parts = flagd.toScenarioParts(doc);
    expect(parts.warnings.map((w) => `${w.line}:${w.column}: ${w.message}`)).toEqual([
      '3:5: flag "checkout" is defined again in the same flag set (no flagSetId) at flags[1]: flagd serves that later definition (core/pkg/store/store.go Update), not this one',
    ]);
    expect(parts.flags.map((f) => f.path)).toEqual([['flags', 1]]);
    expect(flagd.serve(parts.state).evaluate('checkout', { targetingKey: 'u1' }).value).toBe('second');
  });

  it('a selector key flagd refuses is refused in its words', () => {
    const doc = parseFlagText(twoSets, 'sets.json');
    expect(refusal(() => flagd.toScenarioParts(doc, { selector: 'set=admin' }))).toEqual(['selector: invalid selector key "set", valid keys: "flagSetId", "source" (flagd\'s words, core/pkg/store/query.go NewSelector)']);
  });
});

describe('a source selector (the flagd testbed\'s selector.feature: "rawflags/selector-flags.json" beside allFlags.json)', () => {
  const all = parseFlagText(JSON.stringify({ flags: { 'boolean-flag': { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } } }), 'flags/allFlags.json');
  const selected = parseFlagText(JSON.stringify({ flags: { 'selector-flag': { state: 'ENABLED', variants: { foo: 'foo', bar: 'bar' }, defaultVariant: 'foo' } }, metadata: { flagSetId: 'selector-set' } }), 'rawflags/selector-flags.json');
  it('reads the flags of that source alone, with or without source=; the others are not found', () => {
    for (const selector of ['rawflags/selector-flags.json', 'source=rawflags/selector-flags.json']) {
      const set = flagd.open([all, selected], { selector });
      expect(set.keys).toEqual(['selector-flag']);
      expect(set.evaluate('selector-flag', { targetingKey: 'u1' }, { value: 'x' })).toMatchObject({ value: 'foo', reason: 'default' });
      expect(set.evaluate('boolean-flag', { targetingKey: 'u1' }, { value: false })).toMatchObject({ value: false, reason: 'error: FLAG_NOT_FOUND' });
    }
  });
  it('a source that is none of the files is refused with the closest', () => {
    expect(refusal(() => flagd.toScenarioParts([all, selected], { selector: 'rawflags/selector-flag.json' }))).toEqual([
      'selector: no source "rawflags/selector-flag.json"; did you mean "rawflags/selector-flags.json"? (sources: flags/allFlags.json, rawflags/selector-flags.json)',
    ]);
  });
});

describe('flags.from.selector in a scenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'flagd-sets-'));
  writeFileSync(join(dir, 'sets.flagd.json'), twoSets);
  const load = (from: string) => parseScenarioText(`name: s
duration: 1m
traffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: ${from}
  checkout: { evaluated-by: [api] }
`, dir);
  const problems = (l: ReturnType<typeof load>) => (l.ok ? [] : l.problems.map((p) => `${p.path.join('.')}: ${p.message}`));
  it('refused without one, loads with one', () => {
    expect(problems(load('{ flagd: sets.flagd.json }'))).toEqual([expect.stringMatching(/^flags\.from\.flagd: sets\.flagd\.json:15:5: flags\[1\]: flag "checkout" is defined in flagSetId "admin" here/)]);
    expect(problems(load('{ flagd: sets.flagd.json, selector: flagSetId=admin }'))).toEqual([]);
  });
  it('a selector without a flagd file is a problem', () => {
    expect(problems(load('{ flagd: sets.flagd.json, selector: flagSetId=shop }'))).toEqual([]);
    const l = parseScenarioText('name: s\nduration: 1m\ntraffic: { rate: 5/s, cohort: { size: 20, seed: 2 } }\njourneys: { j: { steps: [api.get] } }\nservices: { api: { endpoints: { get: {} } } }\nflags:\n  from: { selector: flagSetId=shop }\n', dir);
    expect(problems(l)).toContain('flags.from.selector: selector names the flagd flag set to rehearse: add flagd: FILE, or drop it');
  });
});

describe('flagd\'s own sample files, two sources of two flag sets sharing myStringFlag (open-feature/flagd config/samples)', () => {
  const vendor = new URL('./fixtures/vendor/flagd/samples/', import.meta.url).pathname;
  const docs = ['example_flags.flagd.json', 'example_flags.flagd.2.json'].map((f) => parseFlagText(readFileSync(join(vendor, f), 'utf8'), f));
  it.each([
    // store.go Get without a selector: the source of highest priority (the later); with one, the set it names.
    [undefined, 9, 'dupe1'], ['flagSetId=example', 9, 'val1'], ['flagSetId=other', 1, 'dupe1'], ['example_flags.flagd.json', 9, 'val1'],
  ])('selector %s: %i flags, myStringFlag serves %s', (selector, count, value) => {
    const set = flagd.open(docs, selector === undefined ? {} : { selector });
    expect([set.keys.length, set.evaluate('myStringFlag', { targetingKey: 'u1' }).value]).toEqual([count, value]);
  });
});
