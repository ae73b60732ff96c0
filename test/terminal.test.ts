/**
 * Terminal conventions: colour for verdicts and warnings on a terminal only, NO_COLOR and FORCE_COLOR as
 * no-color.org and force-color.org say, colour laid on after input is escaped (a scenario cannot colour the
 * terminal, nor hide its own escape sequences); `--json -` puts the document alone on stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { colourFor, paint } from '../src/cli/colour.js';
import { main } from '../src/cli/main.js';

const root = new URL('..', import.meta.url).pathname;
const ESC = '\u001b';

describe('colour', () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };

  it('is on for a terminal and off for a pipe; NO_COLOR turns it off, FORCE_COLOR on (0 or false: off)', () => {
    expect(colourFor({}, tty)).toBe(true);
    expect(colourFor({}, pipe)).toBe(false);
    expect(colourFor({ TERM: 'dumb' }, tty)).toBe(false);
    expect(colourFor({ NO_COLOR: '1' }, tty)).toBe(false);
    expect(colourFor({ NO_COLOR: '' }, tty)).toBe(true); // empty: not set, as no-color.org says
    expect(colourFor({ FORCE_COLOR: '1' }, pipe)).toBe(true);
    expect(colourFor({ FORCE_COLOR: '1', NO_COLOR: '1' }, pipe)).toBe(true);
    expect(colourFor({ FORCE_COLOR: '0' }, tty)).toBe(false);
    expect(colourFor({ FORCE_COLOR: 'false' }, tty)).toBe(false);
  });

  it('colours verdicts by tone and the warning prefix, nothing else', () => {
    expect(paint('✔ PASS  x', false)).toBe('✔ PASS  x');
    expect(paint('✔ PASS  x', true)).toBe(`${ESC}[32m✔ PASS${ESC}[39m  x`);
    expect(paint('✘ FAIL x', true)).toContain(`${ESC}[31m`);
    expect(paint('– NO CRITERIA x', true)).toBe(`${ESC}[2m– NO CRITERIA${ESC}[22m x`);
    expect(paint('    – N/A time_to_detect', true)).toBe(`    ${ESC}[2m– N/A${ESC}[22m time_to_detect`);
    expect(paint('warning: a.yaml: x', true)).toBe(`${ESC}[33mwarning:${ESC}[39m a.yaml: x`);
    expect(paint('PASSED, passed, FAIL alone', true)).toBe('PASSED, passed, FAIL alone');
  });

  it('reaches the terminal only through the CLI\'s own streams, after input is escaped', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-colour-'));
    writeFileSync(join(dir, 's.yaml'), 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\n"\\x1b[31m✔ PASS": 1\n');
    const err: string[] = [];
    const code = await main(['validate', join(dir, 's.yaml')], { out: () => {}, err: (s) => err.push(s) }, { out: true, err: true });
    expect(code).toBe(2);
    // The key's own escape is shown as text; every ESC left is one of the colours rehearse lays on.
    expect(err.join('\n')).toContain('unknown key "\\x1b[31m');
    expect(err.join('\n').replace(/\u001b\[(1|2|22|31|32|33|39)m/g, '')).not.toContain(ESC);
    const piped = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'validate', join(root, 'scenarios/gate-tuning.yaml')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '' } });
    expect(piped.stdout + piped.stderr).not.toContain(ESC);
    writeFileSync(join(dir, 'w.yaml'), 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\nflags: { f: { evaluated-by: [a] } }\n');
    const forced = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'validate', join(dir, 'w.yaml')], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '', FORCE_COLOR: '1' } });
    expect(forced.stderr).toContain(`${ESC}[33mwarning:${ESC}[39m`);
  });
});

describe('--json -', () => {
  it('run: the result document alone on stdout, the summary on stderr', () => {
    const r = spawnSync(process.execPath, [join(root, 'bin/rehearse.js'), 'run', join(root, 'scenarios/gate-tuning.yaml'), '--case', 'defective', '--json', '-'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schema).toBe('rehearse/run@1');
    expect(r.stderr).toMatch(/^verdict: – NO CRITERIA \(no acceptance criteria\)\n {2}new-engine: caught: rolled back at \d+% after \S+, \d+ users hurt$/m);
    expect(r.stderr).not.toContain('result written to');
  });
});
