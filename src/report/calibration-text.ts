/** The ranges of a calibration check or prediction in words, for the terminal and the page. */
import type { Resampling } from '../calibrate/check.js';
import type { Range } from '../calibrate/resample.js';

const signed = (x: number, digits: number) => `${x >= 0 ? '+' : ''}${x.toFixed(digits)}`;

/** "a to b" of a range, or "-" for none. */
export function spanText(r: Range | null, f: (x: number) => string): string {
  return r === null ? '-' : `${f(r.lo)} to ${f(r.hi)}`;
}

/**
 * An error's range ("-8.1% to +12.0%", or points for error rates) and whether it holds 0: "yes", "no", "too few"
 * (the checked traces cannot tell that figure, as a p99 of 40 traces), or "-".
 */
export function rangeText(r: Range | null, as: 'relative' | 'points', told = true): [string, string] {
  if (!told) return ['-', 'too few'];
  if (r === null) return ['-', '-'];
  const f = as === 'relative' ? (x: number) => `${signed(x * 100, 1)}%` : (x: number) => `${signed(x * 100, 2)} pt`;
  // Held at the precision shown: a prediction of 0% errors against 0 failures measured agrees, though the
  // measured rate's draws are never exactly 0.
  const eps = as === 'relative' ? 0.0005 : 0.00005;
  return [spanText(r, f), r.lo <= eps && r.hi >= -eps ? 'yes' : 'no'];
}

/** How the ranges were made, in one line (or why there are none). */
export function resamplingLine(r: Resampling | { readonly none: string }): string {
  if (!('resamples' in r)) return `no ranges: ${r.none}`;
  const sets = [`the calibration's ${r.calibration.traces.toLocaleString('en-US')} traces in blocks of ${r.calibration.block}`];
  if (r.check) sets.push(`the checked ${r.check.traces.toLocaleString('en-US')} in blocks of ${r.check.block}`);
  const rate = r.rate.given ? 'at the rate given' : `at a rate drawn from its ${r.rate.rootSpans.toLocaleString('en-US')} root spans (give it with --check-rate when known)`;
  const agree = r.check ? '; "agree": the range holds 0, so the samples cannot tell the prediction from the measurement; "too few": fewer than 5 checked traces above that quantile' : '';
  return `ranges: ${Math.round(r.range * 100)}% of ${r.resamples} resamples (${sets.join(', ')}; each calibrated again and run ${rate})${agree}`;
}
