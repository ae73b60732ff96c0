/**
 * The simulated clock on a chart's time axis, read as every report, terminal and page reads a moment (12m00s):
 * `clock` (units/format.ts) is registered with vega as a format type, so that axis labels and tooltips go
 * through the one formatter, and the ticks fall where the clock reads roundly (every 5 minutes, not every 100
 * seconds). A page registers them (CLOCK_JS) once vega is loaded and before its charts are embedded.
 */
import { clock } from '../../units/format.js';

/**
 * Ticks for a span of simulated seconds: about six, a whole number of seconds, minutes or hours apart. Its
 * own source goes to the page (no outside names: a bundler may rename them).
 */
export function clockTicks(domain: readonly number[]): number[] {
  const lo = Number(domain[0]), hi = Number(domain[domain.length - 1]);
  if (!(hi > lo)) return [lo];
  const steps = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
  const step = steps.find((s) => (hi - lo) / s <= 8) ?? steps[steps.length - 1];
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
  return ticks;
}

/** Registers `clock` (a format type and an expression function) and `clockTicks` with the page's vega. */
export const CLOCK_JS = `vega.expressionFunction('clock', ${clock.toString()});
vega.expressionFunction('clockTicks', ${clockTicks.toString()});`;

/** What a chart's config needs for `formatType: 'clock'` (vega-lite ignores custom format types without it). */
export const CLOCK_CONFIG = { customFormatTypes: true } as const;

/** The axis of simulated time: titled alike on every chart, its ticks and labels by the clock. */
export const CLOCK_AXIS = { values: { expr: "clockTicks(domain('x'))" }, formatType: 'clock' } as const;

/** An x (or x2) channel of simulated seconds, with the clock's axis. */
export function clockX(field: string): Record<string, unknown> {
  return { field, type: 'quantitative', title: 'simulated time', axis: CLOCK_AXIS };
}

/** A tooltip entry for a moment of simulated time, read by the clock. */
export function clockTip(field: string, title: string): Record<string, unknown> {
  return { field, type: 'quantitative', title, formatType: 'clock' };
}
