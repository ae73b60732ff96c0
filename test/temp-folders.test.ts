import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('temporary files of a test run', () => {
  it('land in one folder of the run, which its end removes (test/global-tmp.ts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-probe-'));
    expect(basename(dirname(dir))).toMatch(/^rehearse-test-/);
    expect(existsSync(dirname(dir))).toBe(true);
  });
});
