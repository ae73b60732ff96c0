/**
 * The bound `--predict` gives for an error rate no trace showed: the exact one-sided 95% upper bound for zero
 * failures in n trials (Clopper-Pearson), the p at which seeing none of n has probability 5%, (1 - p)^n = 0.05. The
 * rule of three, 3/n, approaches it for large n, and for one trace said "under 300%".
 */
import { describe, expect, it } from 'vitest';
import { noneFailed } from '../src/report/calibration-text.js';

const bound = (text: string): number => Number(/^under ([\d.]+)% \((none of [\d,]+ traces failed|the one trace did not fail)\)$/.exec(text)![1]) / 100;

describe('the bound of an error rate no trace showed', () => {
  it.each([1, 2, 3, 10, 317, 10_000])('%i traces: none of them fails with probability 5% at the bound', (n) => {
    const p = bound(noneFailed(n));
    // Rounded to 0.01 points: (1 - p)^n is 0.05 within what the rounding moves it.
    const slack = n * 0.00005;
    expect((1 - p) ** n).toBeGreaterThan(0.05 * (1 - slack) - 1e-12);
    expect((1 - p) ** n).toBeLessThan(0.05 * (1 + slack) + 1e-12);
    expect(p).toBeLessThan(1);
  });
  it('reads as the rule of three for many traces, and never over 100% for few', () => {
    expect(noneFailed(1)).toBe('under 95.00% (the one trace did not fail)');
    expect(noneFailed(317)).toBe('under 0.94% (none of 317 traces failed)');
    expect(bound(noneFailed(10_000))).toBeCloseTo(3 / 10_000, 5);
  });
});
