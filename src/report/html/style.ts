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
