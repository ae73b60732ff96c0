/**
 * The flagd testbed's other root suites that concern evaluation (open-feature/flagd-testbed v3.9.0, commit
 * 82ba89ec8db498fa51368e558e4d87642d9e93c4, gherkin/evaluation.feature, disabled.feature, metadata.feature,
 * selector.feature and contextEnrichment.feature, with flags/*.json, copied byte-exact into
 * test/fixtures/vendor/flagd/testbed-3.9.0), run step by step through rehearse's flagd evaluation, with flagd
 * started as the testbed's launchpad starts it:
 * - "a stable flagd provider": launchpad/configs/default.json: two sources, flags/allFlags.json (every
 *   flags/*.json but selector-*, deep-merged by launchpad/pkg/json.go CombineJSONFiles) and
 *   rawflags/selector-flags.json, and the static context {"injectedmetadata": "set"} (`--context-value`), which
 *   flagd merges over the request's context (flagd/pkg/service/flag-evaluation/context_utils.go
 *   MergeContextsAndHeaders: the static context overrides the request's);
 * - "a metadata flagd provider": launchpad/configs/metadata.json: the one source
 *   rawflags/selector-flag-combined-metadata.json;
 * - option "selector" with a source's path: only that source's flags (flagd's source selector).
 * Left out, being about the provider's connection or cache, not evaluation: contextEnrichment's @grace and
 * @caching scenarios; and evaluation.feature's @deprecated @no-default outline, which encodes the answer of
 * flagd's older protocol (FLAG_NOT_FOUND: core/pkg/evaluator/json.go, ProtoVersionKey), not of evaluation.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFlagText, type FlagFile } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';
import { cases, cells, typed, type Case } from './gherkin.js';

const dir = new URL('./fixtures/vendor/flagd/testbed-3.9.0/', import.meta.url).pathname;
const json = (f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as Record<string, unknown>;
const read = (f: string) => parseFlagText(readFileSync(join(dir, f), 'utf8'), f);

/** launchpad/pkg/json.go deepMerge. */
function deepMerge(dst: Record<string, unknown>, src: Record<string, unknown>): Record<string, unknown> {
  const isMap = (x: unknown): x is Record<string, unknown> => x !== null && typeof x === 'object' && !Array.isArray(x);
  for (const [k, v] of Object.entries(src)) {
    const d = dst[k];
    dst[k] = isMap(v) && isMap(d) ? deepMerge(d, v) : v;
  }
  return dst;
}

/** flags/allFlags.json as the launchpad writes it: the raw flag files in directory order, selector-* left out. */
const RAW = ['changing-flag.json', 'custom-ops.json', 'disabled-flags.json', 'edge-case-flags.json', 'evaluator-refs.json', 'metadata-flags.json', 'testing-flags.json', 'zero-flags.json'];
const allFlags = parseFlagText(JSON.stringify(RAW.reduce((acc, f) => deepMerge(acc, json(f)), {} as Record<string, unknown>), null, 2), 'flags/allFlags.json');
const launchpad = json('launchpad-default.json') as { sources: { uri: string }[]; 'context-value': Record<string, unknown> };
const SOURCES: Record<string, FlagFile> = {
  'flags/allFlags.json': allFlags,
  'rawflags/selector-flags.json': read('selector-flags.json'),
  'rawflags/selector-flag-combined-metadata.json': read('selector-flag-combined-metadata.json'),
};

const REASONS: Record<string, (r: string) => boolean> = {
  TARGETING_MATCH: (r) => r === 'targeting match' || r === 'split',
  STATIC: (r) => r === 'default', DEFAULT: (r) => r === 'default', DISABLED: (r) => r === 'disabled', ERROR: (r) => r.startsWith('error: '),
};

const OUT_OF_SCOPE = ['@grace', '@caching', '@deprecated'];
const FEATURES = ['evaluation.feature', 'disabled.feature', 'metadata.feature', 'selector.feature', 'contextEnrichment.feature'];
const every = FEATURES.map((f) => ({ feature: f, all: cases(f, readFileSync(join(dir, f), 'utf8')) }));

function run(c: Case): void {
  let selector: string | null = null;
  let config: 'default' | 'metadata' | null = null;
  let type = 'String', key = '', fallback: unknown = null;
  const context: Record<string, unknown> = {};
  let set: ReturnType<typeof flagd.serve> | null = null;
  let state: unknown = null;
  let result: ReturnType<ReturnType<typeof flagd.serve>['evaluate']> | null = null;
  const open = () => {
    const uris = selector !== null ? [selector] : config === 'metadata' ? ['rawflags/selector-flag-combined-metadata.json'] : launchpad.sources.map((s) => s.uri);
    state = flagd.toScenarioParts(uris.map((u) => SOURCES[u])).state;
    set = flagd.serve(state);
  };
  for (const step of c.steps) {
    let m: RegExpMatchArray | null;
    if (step.startsWith('an option "cache"')) continue;
    if ((m = step.match(/^an option "selector" of type "String" with value "([^"]*)"$/))) selector = m[1];
    else if (step === 'a stable flagd provider') [config] = ['default', open()];
    else if (step === 'a metadata flagd provider') [config] = ['metadata', open()];
    else if ((m = step.match(/^a (\w+)-flag with key "([^"]*)" and a default value "((?:[^"\\]|\\.)*)"$/))) [type, key, fallback] = [m[1], m[2], typed(m[1], m[3])];
    else if ((m = step.match(/^a context containing a key "([^"]*)", with type "(\w+)" and with value "(.*)"$/))) context[m[1]] = typed(m[2], m[3]);
    else if (step === 'the flag was evaluated with details') {
      // The launchpad's static context over the request's (default config only).
      const merged = config === 'default' ? { ...context, ...launchpad['context-value'] } : context;
      result = set!.evaluate(key, merged, { value: fallback });
    } else if ((m = step.match(/^the resolved details value should be "((?:[^"\\]|\\.)*)"$/))) expect(result!.value).toEqual(typed(type, m[1]));
    else if ((m = step.match(/^the reason should be "(\w+)"$/))) expect([m[1], result!.reason, REASONS[m[1]](result!.reason)]).toEqual([m[1], result!.reason, true]);
    else if ((m = step.match(/^the error-code should be "(\w*)"$/))) {
      if (m[1] === '') expect(result!.reason).not.toMatch(/^error: /);
      else expect(result!.reason).toMatch(new RegExp(`^error: ${m[1]}\\b`));
    } else if (step.startsWith('the resolved metadata should contain\n')) {
      const [, ...rows] = step.split('\n').slice(1).map(cells);
      expect(flagd.flagMetadata(state, key)).toEqual(expect.objectContaining(Object.fromEntries(rows.map(([k, t, v]) => [k, typed(t, v)]))));
    } else if (step === 'the resolved metadata is empty') expect(flagd.flagMetadata(state, key)).toEqual({});
    else throw new Error(`a step not read here: ${step}`);
  }
  expect(result).not.toBeNull();
}

describe('the flagd testbed\'s root evaluation suites (3.9.0), flagd started as its launchpad starts it', () => {
  it('reads each suite: scenarios in scope, and those about the connection, the cache or the old protocol left out', () => {
    expect(every.map(({ feature, all }) => [feature, all.filter((c) => !c.tags.some((t) => OUT_OF_SCOPE.includes(t))).length, all.filter((c) => c.tags.some((t) => OUT_OF_SCOPE.includes(t))).length])).toEqual([
      ['evaluation.feature', 23, 7], ['disabled.feature', 7, 0], ['metadata.feature', 4, 0], ['selector.feature', 5, 0], ['contextEnrichment.feature', 1, 3],
    ]);
  });
  for (const { feature, all } of every) {
    const inScope = all.filter((c) => !c.tags.some((t) => OUT_OF_SCOPE.includes(t)));
    it.each(inScope.map((c) => [c.id, c] as const))('%s', (_id, c) => run(c));
  }
});
