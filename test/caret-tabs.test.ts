/**
 * A caret display under an expression holding a tab: the tab is shown \t, as a quoted value shows it, and the caret
 * stands under the character the message names. A tab kept as itself took a terminal's tab stop (up to eight
 * columns) where the caret line below counted one space, and formatProblem then wrote it \x09 (four characters):
 * either way the caret stood under another character than the one meant.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { caretDisplay } from '../src/units/escape.js';

const root = new URL('..', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'rehearse-caret-tabs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const withGate = (gate: string) =>
  `name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a.home] } }\nservices: { a: { endpoints: { home: {} } } }\n` +
  `flags:\n  f: { kind: release, evaluated-by: [a] }\nrollout:\n  - flag: f\n    stages: [{ to: 100% }]\n    gates: [${gate}]\n`;

function rehearse(files: Record<string, string>, argv: string[]): { status: number | null; stderr: string } {
  const cwd = mkdtempSync(join(dir, 'case-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(cwd, name), text);
  const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), ...argv], { cwd, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

/** The character the caret of the last display in `text` stands under, and the display line. */
function underCaret(text: string): { shown: string; char: string } {
  const lines = text.trimEnd().split('\n');
  const caret = lines[lines.length - 1];
  const shown = lines[lines.length - 2];
  return { shown, char: shown[caret.indexOf('^')] };
}

describe('a caret display under an expression holding a tab', () => {
  it('shows the tab \\t and keeps the caret under the character at the column', () => {
    expect(caretDisplay('a\tb > > 1', 7, '  ')).toBe('  a\\tb > > 1\n         ^');
    expect(caretDisplay('\t\tx', 3, '')).toBe('\\t\\tx\n    ^');
  });

  it.each([
    ['a PromQL gate\'s success condition', { 's.yaml': withGate('{ promql: \'sum(rate(x[1m]))\', success: "result\\t> > 1" }') }, ['validate', 's.yaml'],
      's.yaml:11:63: rollout[0].gates[0].success: unexpected ">"\n  result\\t> > 1\n            ^', '>'],
    ['a k6 threshold gate', { 's.yaml': withGate('"req_failed{flag:on}\\t\\trate<0.03"') }, ['validate', 's.yaml'],
      's.yaml:11:33: rollout[0].gates[0]: expected an aggregation such as rate, avg or p(95)\n    req_failed{flag:on}\\t\\trate<0.03\n                       ^', '\\'],
    ['an Argo AnalysisTemplate\'s successCondition', {
      't.yaml': readFileSync(join(root, 'examples/argo/analysis-templates.yaml'), 'utf8').replace('successCondition: result[0] >= 0.95', 'successCondition: "result[0]\\t>= >= 0.95"'),
    }, ['import', 'argo', join(root, 'examples/argo/rollout.yaml'), 't.yaml'], null, '>'],
  ])('%s, through the command', (_, files, argv, expected, char) => {
    const r = rehearse(files, argv);
    expect(r.status, r.stderr).toBe(2);
    if (expected !== null) expect(r.stderr.trimEnd()).toBe(expected);
    const { shown, char: under } = underCaret(r.stderr);
    expect(shown, r.stderr).toContain('\\t');
    expect(shown).not.toContain('\t');
    expect(under, r.stderr).toBe(char);
  });
});
