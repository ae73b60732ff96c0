/**
 * A reader that closes its end of the pipe early (`rehearse ci | head -1`): the command runs to its end, writes its
 * reports and exits with its own code; it died of EPIPE with a stack trace, its --json report unwritten.
 */
import { mkdtempSync, readFileSync, copyFileSync, mkdirSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { builtCli } from './built-cli.js';

const root = new URL('..', import.meta.url).pathname;
const children: ChildProcess[] = [];
const dir = mkdtempSync(join(tmpdir(), 'rehearse-pipe-'));
afterAll(() => {
  for (const c of children) c.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe('a closed stdout', () => {
  it('ci keeps running when its reader has gone: the report is written and the exit code is the verdict', async () => {
    mkdirSync(join(dir, 'rehearsals'));
    copyFileSync(join(root, 'examples/first-scenario.yaml'), join(dir, 'rehearsals/shop.yaml'));
    const report = join(dir, 'ci.json');
    const c = builtCli(['ci', join(dir, 'rehearsals'), '--json', report, '--workers', '1'], children);
    // The reader goes before the command has printed anything: its first line meets a closed pipe.
    c.child.stdout!.destroy();
    const code = await c.exited;
    expect(c.out).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(code).toBe(0);
    expect(existsSync(report)).toBe(true);
    const doc = JSON.parse(readFileSync(report, 'utf8'));
    expect(doc.cases.map((k: { case?: string }) => k.case)).toEqual(['healthy', 'defective']);
  }, 120_000);
});
