/**
 * The simulated clock on a chart's time axis, read as every report, terminal and page reads a moment (12m00s):
 * `clock` (units/format.ts, written out below) is registered with vega as a format type, so that axis labels
 * and tooltips read as every other moment does, and the ticks fall where the clock reads roundly (every 5 minutes, not every 100
 * seconds). A page registers them (CLOCK_JS) once vega is loaded and before its charts are embedded.
 */

/**
 * `clock` of units/format.ts as the page runs it, written out: a function's own toString() is what the build made
 * of it (tsc's output in dist/, esbuild's renamed and minified text in the command's bundle), so a page built
 * from it had other bytes when the drill's worker wrote a debrief than when `gameday debrief` wrote the same one,
 * and a function calling another by name called one the page does not have. test/drill-page-source.test.ts holds
 * this equal to clock().
 */
export const CLOCK_SOURCE = String.raw`function clock(seconds) {
    var t = Math.round(seconds);
    var h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), s = t % 60;
    return h ? h + 'h' + String(m).padStart(2, '0') + 'm' + String(s).padStart(2, '0') + 's' : m + 'm' + String(s).padStart(2, '0') + 's';
  }`;

/** Ticks for a span of simulated seconds: about six, a whole number of seconds, minutes or hours apart. */
export const CLOCK_TICKS_SOURCE = String.raw`function clockTicks(domain) {
    var lo = Number(domain[0]), hi = Number(domain[domain.length - 1]);
    if (!(hi > lo)) return [lo];
    var steps = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
    var step = steps[steps.length - 1];
    for (var i = 0; i < steps.length; i++) if ((hi - lo) / steps[i] <= 8) { step = steps[i]; break; }
    var ticks = [];
    for (var t = Math.ceil(lo / step) * step; t <= hi; t += step) ticks.push(t);
    return ticks;
  }`;

/** Registers `clock` (a format type and an expression function) and `clockTicks` with the page's vega. */
export const CLOCK_JS = `vega.expressionFunction('clock', ${CLOCK_SOURCE});
vega.expressionFunction('clockTicks', ${CLOCK_TICKS_SOURCE});`;

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
