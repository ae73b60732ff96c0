/** What the run report's charts share: the vega-lite schema, number and axis formats, line styles. */
export const minutes = (s: number) => Math.round((s / 60) * 1000) / 1000;
export const VL = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Four significant digits: what a chart can show, and a quarter of the bytes. */
export const sig = (x: number) => +x.toPrecision(4);
/** Axis formats: minutes as whole numbers, rates as percentages, milliseconds without trailing zeros. */
export const MINUTES = { title: 'minutes since start', format: '~r' };
export const RATE = { format: '.2~%' };
export const MS = { format: '~s' };
/** Line styles: solid for all calls, one dash per flag state; the gate limit is a thick grey band, never a dash. */
export const STATE_DASH = { domain: ['all calls', 'flag on', 'flag off'], range: [[1, 0], [6, 3], [2, 2]] };
export const LIMIT_MARK = { type: 'rule', color: '#000000', opacity: 0.3, strokeWidth: 4 };

/** Whether a few counts dwarf the rest: the largest over ten times the upper quartile (taken as at least 1). */
export function skewed(values: readonly number[]): boolean {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length > 0 && sorted[sorted.length - 1] > 10 * Math.max(1, sorted[Math.floor(sorted.length * 0.75)]);
}

/** Whole-number ticks for a count on a log-like axis: 0, then 1, 2, 5, 10, 20, 50... up to the largest. */
export function countTicks(max: number): number[] {
  const ticks = [0];
  for (let decade = 1; ticks[ticks.length - 1] < max; decade *= 10) for (const m of [1, 2, 5]) if (ticks[ticks.length - 1] < max) ticks.push(m * decade);
  return ticks;
}

/**
 * The scale and axis of a count (users hurt): whole-number ticks only, never 0.2 of a user; log-like (symlog)
 * when a few values dwarf the rest (or when asked), so that one outlier does not squash every other value into
 * the bottom row.
 */
export function countEncoding(values: readonly number[], log = skewed(values)): { log: boolean; scale: Record<string, unknown>; axis: Record<string, unknown> } {
  const ticks = countTicks(Math.max(0, ...values));
  return log
    ? { log, scale: { type: 'symlog', domain: [0, ticks[ticks.length - 1]] }, axis: { values: ticks, format: ',d', labelOverlap: 'greedy' } }
    : { log, scale: { type: 'linear', nice: true }, axis: { tickMinStep: 1, tickCount: 8, format: ',d', labelOverlap: 'greedy' } };
}
