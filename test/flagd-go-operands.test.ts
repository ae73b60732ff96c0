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
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseScenarioText } from '../src/load/scenario.js';
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

describe('where flagd-core, the JavaScript in-process provider, reads a cohort\'s operands otherwise, the rule is warned at its place', () => {
  // strings.go concat trims what it joins (strings.TrimSpace); json-logic-engine's cat does not: every user's
  // plan joined with " " is "pro" to Go flagd and "pro " to flagd-core.
  const flag = (targeting: unknown) => ({ state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'off', targeting });
  const text = JSON.stringify({ flags: {
    trimmed: flag({ if: [{ '==': [{ cat: [{ var: 'plan' }, ' '] }, 'pro'] }, 'on', 'off'] }),
    plain: flag({ if: [{ '==': [{ var: 'plan' }, 'pro'] }, 'on', 'off'] }),
  } }, null, 2);
  const dir = mkdtempSync(join(tmpdir(), 'flagd-operands-'));
  writeFileSync(join(dir, 'ops.flagd.json'), text);
  const load = (name: string) => parseScenarioText(`name: o
duration: 1m
traffic: { rate: 5/s, cohort: { size: 40, seed: 2 } }
journeys: { j: { steps: [api.get] } }
services: { api: { endpoints: { get: {} } } }
flags:
  from: { flagd: ops.flagd.json }
  ${name}: { evaluated-by: [api] }
`, dir);
  it('names the place, how many evaluations, an example with both answers, and the flag', () => {
    const l = load('trimmed');
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    expect(l.warnings.filter((w) => w.includes('flagd-core'))).toEqual([
      expect.stringMatching(/^ops\.flagd\.json:14:15: flags\.trimmed\.targeting\.if\[0\]\["=="\]\[0\]: 40 evaluations of the cohort read these operands otherwise in flagd-core, the JavaScript in-process provider, than in Go flagd, which rehearse follows: \{"cat": \["\w+"," "\]\} is "\w+" to Go flagd, "\w+ " to flagd-core; a team that evaluates the flag in process serves those users otherwise \(flag "trimmed"\)$/),
    ]);
    // Go flagd's reading is served: the trimmed plan equals "pro".
    const served = l.scenario.flags.find((f) => f.key === 'trimmed')!.served!;
    const plain = load('plain');
    if (!plain.ok) throw new Error('plain');
    expect([...served.on]).toEqual([...plain.scenario.flags.find((f) => f.key === 'plain')!.served!.on]);
    expect(served.on.some((x) => x === 1)).toBe(true);
  });
  it('says nothing where the two agree', () => {
    const l = load('plain');
    expect(l.ok && l.warnings.filter((w) => w.includes('flagd-core'))).toEqual([]);
  });
});
