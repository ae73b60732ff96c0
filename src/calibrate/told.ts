/** Which figures a set of measured traces can tell, and which it cannot (a p99 of 40 traces). */
/** The figures a check compares, per journey. */
export const FIGURES = ['meanMs', 'p50Ms', 'p95Ms', 'p99Ms', 'errorRate'] as const;
export type FigureKey = (typeof FIGURES)[number];

/**
 * Whether a quantile can be told from n values: at least 5 of them above it (a p99 needs 500, a p95 100). A
 * resample cannot draw a value beyond the sample's largest, so a range for a quantile nearer the end than that
 * would claim a certainty the sample does not have.
 */
export const quantileTold = (q: number, n: number): boolean => n * (1 - q) >= 5;

/** The quantile each figure is (0 for the mean and the error rate: told from 5 traces). */
const QUANTILE: Readonly<Record<FigureKey, number>> = { meanMs: 0, p50Ms: 0.5, p95Ms: 0.95, p99Ms: 0.99, errorRate: 0 };

/** Whether the measurements can tell a figure: a quantile from enough values (quantileTold). */
export const figureTold = (k: FigureKey, n: number): boolean => quantileTold(QUANTILE[k], n);
