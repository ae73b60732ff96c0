/**
 * The layers of src/ point down only, and no import forms a cycle: .dependency-cruiser.cjs names the layers,
 * and dependency-cruiser (parsing TypeScript with swc, type-only imports included) checks every import.
 */
import { createRequire } from 'node:module';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);

describe('layers', () => {
  it('has no import cycle and no import from a lower layer into a higher one', async () => {
    const config = require('../.dependency-cruiser.cjs');
    const result = await cruise(['src'], { ...config.options, validate: true, ruleSet: { forbidden: config.forbidden } });
    const output = result.output as { summary: { violations: { rule: { name: string }; from: string; to: string; cycle?: { name: string }[] }[]; totalCruised: number } };
    const violations = output.summary.violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.cycle?.length ? v.cycle.map((c) => c.name).join(' -> ') : v.to}`);
    expect(output.summary.totalCruised).toBeGreaterThan(100);
    expect(violations).toEqual([]);
  }, 180_000);

  it('catches an upward import and a cycle (the rules are live)', async () => {
    const config = require('../.dependency-cruiser.cjs');
    const result = await cruise(['test/fixtures/layers'], {
      ...config.options, validate: true, baseDir: process.cwd(),
      ruleSet: { forbidden: config.forbidden.map((r: { from: { path: string }; to: { path?: string } }) => ({ ...r, from: { path: r.from.path.replace('^src/', '^test/fixtures/layers/') }, to: r.to.path ? { path: r.to.path.replace('^src/', '^test/fixtures/layers/') } : r.to })) },
    });
    const names = (result.output as { summary: { violations: { rule: { name: string } }[] } }).summary.violations.map((v) => v.rule.name).sort();
    expect(names).toContain('no-circular');
    expect(names.some((n) => n.startsWith('layer-engine'))).toBe(true);
  }, 180_000);
});
