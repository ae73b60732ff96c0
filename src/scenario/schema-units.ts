/**
 * Units of the scenario file, as zod schemas checked with the same parsers the normalizer uses.
 */
import { z } from 'zod';
import {
  DURATION_PATTERN, PERCENT_PATTERN, RATE_PATTERN,
  parseDuration, parseIncrease, parsePercent, parseRate, parseRateOrZero, type Parsed,
} from '../units/parse.js';
import { quoted } from '../units/escape.js';

function unit(parse: (v: unknown) => Parsed<number>, pattern: string, description: string) {
  return z
    .string({ error: (issue) => (parse(issue.input) as { message?: string }).message ?? `expected ${description[0].toLowerCase()}${description.slice(1, -1)}` })
    .superRefine((value, ctx) => {
      const r = parse(value);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message, input: value });
    })
    .meta({ pattern, description });
}

export const Duration = unit(parseDuration, DURATION_PATTERN, 'A duration: "250ms", "5m", "1h30m".');
export const Rate = unit(parseRate, RATE_PATTERN, 'A positive rate: "300/s", "20/m".');
export const RateOrZero = unit(parseRateOrZero, RATE_PATTERN, 'A rate, zero allowed: "0/s", "300/s".');
export const Percent = unit(parsePercent, PERCENT_PATTERN, 'A percentage from 0% to 100%: "0.5%".');
/** A time of day, "14:00", or a duration since midnight, "14h". */
export const ClockTime = unit(
  (v) => (typeof v === 'string' && /^\d\d:\d\d$/.test(v.trim()) ? clockTime(v) : parseDuration(v)),
  `^(\\d\\d:\\d\\d|${DURATION_PATTERN.slice(1, -1)})$`,
  'A time of day, "14:00", or a duration since midnight, "14h".',
);

/** "HH:MM" into microseconds since midnight. */
export function clockTime(text: string): Parsed<number> {
  const [h, m] = text.trim().split(':').map(Number);
  if (h > 23 || m > 59) return { ok: false, message: `${quoted(text)} is not a time of day` };
  return { ok: true, value: (h * 60 + m) * 60e6 };
}
export const Increase = unit(parseIncrease, PERCENT_PATTERN, 'A relative increase, which may exceed 100%: "10%", "200%".');

export const positiveInt = (what: string) => z.int({ error: `${what} must be a whole number` }).min(1, { error: `${what} must be at least 1` });
export const nonNegativeInt = (what: string) => z.int({ error: `${what} must be a whole number` }).min(0, { error: `${what} must not be negative` });
