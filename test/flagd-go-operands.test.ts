/**
 * Operands of every kind (numbers, texts that are or are not numbers, blank and padded texts, null, booleans,
 * lists, objects) through JsonLogic's own operations, answered as Go flagd answers them: diegoholiveira/jsonlogic
 * v3.9.1 (the version open-feature/flagd core/go.mod pins) comp.go (==, !=, ===, !==, <, <=, >, >=), math.go
 * (+, -, *, /, %, max, min), strings.go (cat, substr), lists.go (in, merge), logic.go (and, or, if, !, !!) and
 * vars.go (var with a default), with internal/typing and internal/javascript. Each line of
 * test/fixtures/vendor/flagd/jsonlogic-3.9.1-operands.jsonl is a rule, the data rehearse gives it, and what
 * jsonlogic v3.9.1 itself answered (ApplyRaw; ERROR where it failed, which flagd answers PARSE_ERROR). flagd-core's
 * json-logic-engine answered 291 of them otherwise (an error for "abc" < 0, " 12 " read as 12, cat untrimmed).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';

const lines = readFileSync(new URL('./fixtures/vendor/flagd/jsonlogic-3.9.1-operands.jsonl', import.meta.url), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l) as { name: string; rule: unknown; data: Record<string, unknown>; go: string });
// flagd looks a result up as its JSON text without quotes (core/pkg/evaluator/json.go); null is the default variant.
const NONE = '\u0000none';
const nameOf = (go: string) => go.trim().replaceAll('"', '');
const file = {
  flags: Object.fromEntries(lines.map((c, i) => [`c${i}`, {
    state: 'ENABLED', defaultVariant: NONE, targeting: c.rule,
    variants: c.go.startsWith('ERROR') || c.go === 'null' ? { [NONE]: 'none' } : { [nameOf(c.go)]: 'hit', [NONE]: 'none' },
  }])),
};
const set = flagd.open(parseFlagText(JSON.stringify(file), 'operands.json'));

describe('odd operands answer as jsonlogic v3.9.1 answered them (test/fixtures/vendor/flagd/jsonlogic-3.9.1-operands.jsonl)', () => {
  it('has the cases', () => expect([lines.length, lines.filter((c) => c.go.startsWith('ERROR')).length]).toEqual([1081, 76]));
  it.each(lines.map((c, i) => [c.name, c.go, i] as const))('%s: %s', (_name, go, i) => {
    const r = set.evaluate(`c${i}`, lines[i].data, { value: 'code' });
    if (go.startsWith('ERROR')) expect(r).toMatchObject({ value: 'code', reason: expect.stringMatching(/^error: PARSE_ERROR/) });
    else if (go === 'null') expect(r).toMatchObject({ value: 'none', reason: 'default' });
    else expect(r).toMatchObject({ value: 'hit', variant: nameOf(go) });
  });
});
