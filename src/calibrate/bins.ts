/** Measured values summarised for a scenario file: quantile bins that keep the mean, and the check that they do. */
/**
 * `sorted` summarised as k quantile bins of equal weight, each written as the mean of the values it covers (a
 * value on a bin's edge counts in both, in proportion). Drawn uniformly they keep the measured mean exactly,
 * where midpoint quantiles lose it on a long tail; each bin's value lies within its bin, so every quantile at a
 * bin's edge lies between the two bins' values.
 */
export function quantileBins(sorted: readonly number[], k: number): number[] {
  const n = sorted.length;
  const width = n / k;
  const bins: number[] = [];
  for (let i = 0; i < k; i++) {
    const from = i * width, to = (i + 1) * width;
    let sum = 0;
    for (let j = Math.floor(from); j < to && j < n; j++) sum += sorted[j] * (Math.min(to, j + 1) - Math.max(from, j));
    bins.push(sum / width);
  }
  return bins;
}

export const meanOf = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Whether written values keep a measured mean: within 1% (or half a microsecond, the rounding of a value). */
export const keepsMean = (written: readonly number[], mean: number, slack: number) => Math.abs(meanOf(written) - mean) <= Math.max(0.01 * mean, slack);
