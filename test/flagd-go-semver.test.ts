/**
 * flagd's sem_ver as Go flagd answers it: open-feature/flagd core/pkg/evaluator/semver.go (SemVerEvaluation:
 * normalizeVersion puts a "v" in front, ensureString writes a number with Go's %v) over golang.org/x/mod
 * semver/semver.go (parse, Compare, Major, MajorMinor). Each line of test/fixtures/vendor/flagd/semver-0.35.0.jsonl
 * is an argument list and what that Go code answered (null: flagd logs an error, the rule gets nil). flagd-core
 * 4.0.1 (node-semver) answered 120 of them otherwise: "vv1.2.3" and " 1.2.3" are versions to it, none to Go.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseFlagText } from '../src/interop/document.js';
import * as flagd from '../src/interop/flagd/index.js';

const lines = readFileSync(new URL('./fixtures/vendor/flagd/semver-0.35.0.jsonl', import.meta.url), 'utf8').trim().split('\n')
  .map((l) => JSON.parse(l) as { args: unknown; go: boolean | null });
const file = { flags: Object.fromEntries(lines.map((c, i) => [`s${i}`, { state: 'ENABLED', variants: { true: true, false: false, none: 'none' }, defaultVariant: 'none', targeting: { sem_ver: c.args } }])) };
const set = flagd.open(parseFlagText(JSON.stringify(file), 'semver.json'));

describe('sem_ver answers as flagd\'s semver.go over x/mod semver answered (test/fixtures/vendor/flagd/semver-0.35.0.jsonl)', () => {
  it('has the cases', () => expect(lines.length).toBe(793));
  it.each(lines.map((c, i) => [JSON.stringify(c.args), c.go, i] as const))('%s: %s', (_args, go, i) => {
    const r = set.evaluate(`s${i}`, { targetingKey: 'u1' });
    // A result of null is the default variant (core/pkg/evaluator/json.go); true and false name variants.
    expect(r.variant === 'none' ? null : r.value).toBe(go);
  });
  it('where flagd-core answers otherwise, the rule is noted at its place', () => {
    const notes = set.notes?.() ?? [];
    expect(notes.length).toBe(120);
    expect(notes[0]).toMatch(/^semver\.json:1:\d+: flags\.s\d+\.targeting: 1 evaluation of the cohort read these operands otherwise in flagd-core, the JavaScript in-process provider, than in Go flagd, which rehearse follows: \{"sem_ver": \["vv1\.2\.3","=","1\.2\.3"\]\} is null to Go flagd, true to flagd-core/);
  });
});
