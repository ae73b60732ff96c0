/** What the run report's charts share: the Vega-Lite schema, time in minutes, axis formats. */
export const VL = 'https://vega.github.io/schema/vega-lite/v6.json';
/** Simulated seconds as minutes, to the millisecond: the charts' time axis. */
export const minutes = (s: number) => Math.round((s / 60) * 1000) / 1000;
/** Four significant digits: what a chart can show, and a quarter of the bytes. */
export const sig = (x: number) => +x.toPrecision(4);
/** Axis formats: minutes as whole numbers, rates as percentages, milliseconds without trailing zeros. */
export const MINUTES = { title: 'minutes since start', format: '~r' };
export const RATE = { format: '.2~%' };
export const MS = { format: '~s' };
