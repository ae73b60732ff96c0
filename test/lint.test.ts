/** Governance checks: each finds its problem in a fixture that has it, and nothing in the bundled examples. */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { lintFiles, scenarioFilesOf } from '../src/cli/lint.js';

const root = new URL('..', import.meta.url).pathname;
const fixture = 'test/fixtures/lint/governance.yaml';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [], err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('rehearse lint', () => {
  it('finds each governance problem with its id, line and column, and a fix', () => {
    const found = lintFiles([join(root, fixture)], { today: '2026-01-01' }).map((f) => `${f.line}:${f.column} ${f.id}`);
    expect(found).toEqual([
      '19:5 flag-kind', '19:5 flag-owner', '19:5 release-rollback',
      '24:12 flag-cycle',
      '44:21 conflicting-flags',
      '53:14 flag-expired',
      '55:5 ramp-order',
      '60:11 concurrent-ramps', '63:11 concurrent-ramps', '63:11 concurrent-ramps',
    ]);
  });

  it('reports conflicting flags only when some user gets both', () => {
    const f = lintFiles([join(root, fixture)], { today: '2026-01-01' }).find((x) => x.id === 'conflicting-flags')!;
    // Two independent 50% rollouts of 500 users: about a quarter get both.
    const both = Number(/yet (\d+) of 500/.exec(f.message)![1]);
    expect(both).toBeGreaterThan(90);
    expect(both).toBeLessThan(160);
  });

  it('an expiry date still ahead is no finding', () => {
    expect(lintFiles([join(root, fixture)], { today: '2020-01-01' }).some((f) => f.id === 'flag-expired')).toBe(false);
  });

  it('prints file:line:column: id: message (fix: ...) and exits 1', async () => {
    const r = await cli('lint', join(root, fixture), '--today', '2026-01-01');
    expect(r.code).toBe(1);
    expect(r.out).toContain('governance.yaml:55:5: ramp-order: the plan ramps "consumer" without waiting for "provider", which it needs (fix: add after: provider to this plan)');
  });

  it('finds nothing in the bundled scenarios and the init template', () => {
    expect(lintFiles([...scenarioFilesOf(join(root, 'scenarios')), join(root, 'templates/release/rehearsals/new-checkout.yaml')])).toEqual([]);
  });

  it('validate shows the findings as warnings; --strict makes them errors (exit 2)', async () => {
    const plain = await cli('validate', join(root, fixture));
    expect(plain.code).toBe(0);
    expect(plain.err).toContain('warning: ');
    expect(plain.err).toContain('ramp-order');
    const strict = await cli('validate', '--strict', join(root, fixture));
    expect(strict.code).toBe(2);
    expect(strict.err).toContain('flag-cycle');
  });

  it('ci --strict fails on findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-lint-'));
    copyFileSync(join(root, fixture), join(dir, 'governance.yaml'));
    const r = await cli('ci', dir, '--strict');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/LINT +.*governance\.yaml:19:5: flag-owner/);
  });
});
