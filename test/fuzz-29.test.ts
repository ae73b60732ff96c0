/**
 * Hostile input, round 29: mutants of the flag files (flagd, Unleash, LaunchDarkly: imported, and read by the
 * bundled scenarios through flags.from for validate and lint) and of the trace files (calibrate), made and run by
 * round 22's harness (test/fuzz-22-mutants.ts, test/fuzz-22-run.ts). Found and fixed, each a case below:
 * - a Jaeger trace's `warnings` nested thousands deep: the warning quoting its first entry called JSON.stringify,
 *   which overflowed the call stack ("Maximum call stack size exceeded", its stack, exit 1).
 * - a LaunchDarkly clause whose operator is a name Object.prototype holds: the Node SDK looks operators up in a plain
 *   object (js-server-sdk-common evaluation/Operators.ts: `operators[op]?.call(...)`), so `toString` or `constructor`
 *   matched every context that has the attribute, and `__proto__` threw inside the evaluation (rehearse: "the
 *   LaunchDarkly SDK did not evaluate synchronously", its stack, exit 1), where the warning said the clause never
 *   matches. Every operator the SDK does not have now never matches, as LaunchDarkly's SDK test harness expects
 *   (sdk-test-harness testdata/data-files/server-side-eval/rule-match.yml: "unknown operator is treated as a
 *   non-match") and its Go evaluator does (go-server-sdk-evaluation operators.go: operatorNoneFn).
 * - such a clause in a segment's rule was not warned at all; and a negated one matches every context that has the
 *   attribute (matchClause.ts: maybeNegate of matchAny), where the warning said it never matches.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nested } from './fuzz-22-mutants.js';
import { root } from './fuzz-22-targets.js';
import { cli } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-fuzz-29-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const write = (name: string, text: string): string => {
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
};
const noStack = (text: string) => expect(text).not.toMatch(/\n\s+at |RangeError|TypeError|ERR_/);

describe('a Jaeger trace\'s warnings nested deeper than the call stack', () => {
  it('is warned as a list too deep to show, and the spans read (exit 0)', async () => {
    const file = write('deep-warnings.json', JSON.stringify({
      data: [{
        traceID: 'a1', processes: { p1: { serviceName: 'api', tags: [] } },
        spans: [{ traceID: 'a1', spanID: 'b1', operationName: 'GET /', references: [], startTime: 1000, duration: 50, tags: [], processID: 'p1', warnings: ['WARN'] }],
      }],
    }).replace('"WARN"', nested(5000, true)));
    const r = await cli('calibrate', file, '--out', join(dir, 'deep-warnings.yaml'));
    expect(r.code, r.err).toBe(0);
    expect(r.err).toMatch(/deep-warnings\.json:1:\d+: Jaeger Span\.warnings: Jaeger's own warnings are not acted on \(the first: \[a list nested too deep to show\]\): the span is read as it is/);
    noStack(r.err);
  });
});

describe('LaunchDarkly clauses whose operator the SDK does not have', () => {
  const flags = (op: string, negate = false, inSegment = false) => JSON.stringify({
    flags: {
      f: {
        key: 'f', on: true, variations: [false, true], offVariation: 0, fallthrough: { variation: 0 },
        rules: [{ id: 'r', variation: 1, clauses: [inSegment ? { attribute: '', op: 'segmentMatch', values: ['s'] } : { attribute: 'plan', op, values: ['x'], negate }] }],
      },
    },
    segments: { s: { key: 's', included: [], excluded: [], rules: [{ clauses: [{ attribute: 'plan', op: inSegment ? op : 'in', values: ['x'], negate }] }] } },
  }, null, 2);
  const evalOf = async (file: string, context: object) => {
    const r = await cli('flags', 'eval', file, '--flag', 'f', '--context', JSON.stringify(context), '--json');
    expect(r.code, r.err).toBe(0);
    noStack(r.err);
    return JSON.parse(r.out).variant;
  };
  const pro = { kind: 'user', key: 'u', plan: 'pro' };
  /** Line and column of the n-th operator value `op` in the text. */
  const place = (text: string, op: string, n = 0) => {
    let at = -1;
    for (let i = 0; i <= n; i++) at = text.indexOf(`"op": ${JSON.stringify(op)}`, at + 1);
    const before = text.slice(0, at + '"op": '.length);
    return `${before.split('\n').length}:${before.length - before.lastIndexOf('\n')}`;
  };

  it.each(['toString', 'constructor', '__proto__', 'hasOwnProperty', 'foo'])('"%s" never matches, in a flag\'s rule or a segment\'s, and is warned at its place', async (op) => {
    for (const inSegment of [false, true]) {
      const text = flags(op, false, inSegment);
      const file = write(`op-${op}-${inSegment}.json`, text);
      expect(await evalOf(file, pro), `${op} ${inSegment}`).toBe('false');
      const r = await cli('import', 'flags', 'launchdarkly', file);
      expect(r.code, r.err).toBe(0);
      const where = `${file}:${place(text, op)}: ${inSegment ? 'segments.s' : 'flags.f'}.rules[0].clauses[0].op`;
      expect(r.err.split('\n').filter((l) => l.includes('.op:'))).toEqual([`warning: ${where}: operator "${op}" is not supported by the SDK; the clause never matches`]);
    }
  });

  it('negated, it matches every context that has the attribute, and the warning says so', async () => {
    const text = flags('toString', true);
    const file = write('op-negated.json', text);
    expect(await evalOf(file, pro)).toBe('true');
    expect(await evalOf(file, { kind: 'user', key: 'u' })).toBe('false');
    const r = await cli('import', 'flags', 'launchdarkly', file);
    expect(r.err).toContain(`${file}:${place(text, 'toString')}: flags.f.rules[0].clauses[0].op: operator "toString" is not supported by the SDK; negated, the clause matches every context that has the attribute`);
  });

  it('the operators the SDK has still match (the harness\'s operators-string.yml "in")', async () => {
    const file = write('op-in.json', flags('in'));
    expect(await evalOf(file, { kind: 'user', key: 'u', plan: 'x' })).toBe('true');
    expect(await evalOf(file, pro)).toBe('false');
  });
});

describe('an Unleash version 1 export whose toggle has no list of strategies', () => {
  // Unleash's import maps f.strategies (state-service.ts convertLegacyFeatures at ff377cd7): it fails on anything
  // but a list (an object or a text is refused before, by the schema). The refusal said a missing field was
  // "undefined".
  const edited = (strategies: unknown) => {
    const state = JSON.parse(readFileSync(join(root, 'test/fixtures/vendor/unleash/state-v1.exported3176.json'), 'utf8'));
    if (strategies === undefined) delete state.features[0].strategies;
    else state.features[0].strategies = strategies;
    return write('v1.json', JSON.stringify(state, null, 2));
  };

  it.each([
    [undefined, 'a missing field'], [null, 'null'],
  ])('strategies %j: refused, saying what is there in words', async (strategies, said) => {
    const r = await cli('import', 'flags', 'unleash', edited(strategies));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`v1\\.json:\\d+:\\d+: features\\[0\\]\\.strategies: a version 1 toggle without a list of strategies: Unleash's import fails on it \\(state-service\\.ts convertLegacyFeatures: f\\.strategies\\.map of ${said.replace(/[.*+?^${}()|[\]\\"]/g, '\\$&')}\\) and imports nothing`));
    expect(r.err).not.toMatch(/undefined|\[object Object\]/);
  });
});

describe('flagd metadata that is no object, or holds values flagd\'s schema refuses', () => {
  // Go flagd unmarshals metadata into a map (open-feature/flagd core/pkg/model/flag.go `type Metadata =
  // map[string]interface{}`; core/pkg/evaluator/json.go configToFlagDefinition), and its schema wants each value a
  // string, a number or a boolean (docs/schema/v0/flags.json definitions/metadata), which it checks with a log line only.
  const file = (set: string, flag: string) => write('meta.flagd.json', `{\n  "flags": {\n    "a": {\n      "state": "ENABLED", "variants": {"on": true}, "defaultVariant": "on",\n      "metadata": ${flag}\n    }\n  },\n  "metadata": ${set}\n}\n`);

  it.each([['"x"', 'a string', 8, 15, 'metadata'], ['[1]', 'a list', 8, 15, 'metadata']])('flag set metadata %s: refused, as flagd refuses the file', async (set, said, line, column, path) => {
    const f = file(set, '{}');
    const r = await cli('import', 'flags', 'flagd', f);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`${f}:${line}:${column}: ${path}: metadata is an object of keys and values, not ${said}: flagd refuses the file (core/pkg/model/flag.go: Metadata is a map; json.go: "unmarshalling provided configurations")`);
  });

  it('a flag\'s metadata that is a list: refused at it', async () => {
    const f = file('{}', '["team-a"]');
    const r = await cli('import', 'flags', 'flagd', f);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}:5:19: flags.a.metadata: metadata is an object of keys and values, not a list`);
  });

  it('values that are objects, lists or null: warned at each, the file read; strings, numbers and booleans are not', async () => {
    const f = file('{"flagSetId": "s", "owner": {"team": "a"}, "rank": 1}', '{"tags": ["x"], "gone": null, "live": true}');
    const r = await cli('import', 'flags', 'flagd', f);
    expect(r.code, r.err).toBe(0);
    const tail = 'flagd\'s schema wants a string, a number or a boolean, and flagd loads the file with a line in its log only ("flag definition does not conform to the schema"), as flagd-core does unless its strict validation is on (then it refuses the file); no effect on what a user is served';
    expect(r.err.split('\n').filter((l) => l.includes('metadata'))).toEqual([
      `warning: ${f}:8:43: metadata.owner: metadata "owner" is an object: ${tail}`,
      `warning: ${f}:5:28: flags.a.metadata.tags: metadata "tags" is a list: ${tail}`,
      `warning: ${f}:5:43: flags.a.metadata.gone: metadata "gone" is null: ${tail}`,
    ]);
  });
});
