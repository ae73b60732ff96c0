/**
 * Units as people write them: durations (`250ms`, `5m`, `1h30m`), rates (`300/s`), percentages (`0.5%`) and
 * multipliers (`x1.15`). The one place where unit strings are parsed. Durations become integer microseconds,
 * the engine's clock unit.
 *
 * Grammar:
 *   duration   := part+ | "0"          part := number unit
 *   unit       := "us" | "µs" | "ms" | "s" | "sec" | "m" | "min" | "h" | "hour" | "d"
 *   rate       := number exponent? "/" unit                       (the same units: `300/s`, `20/min`, `500/h`)
 *                 exponent := ("e" | "E") ("+" | "-")? digits       (so `1e7/s`, `2.5e3/m`)
 * Durations and rates spell their units alike (`120sec` and `80/sec` both read); other spellings (`10 mins`,
 * `2 hours`) are refused with the spelling meant.
 *   percentage := number "%"            (0% to 100%)
 *   multiplier := "x" number
 */
import { quoted } from './escape.js';

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const US_PER: Record<string, number> = { us: 1, 'µs': 1, ms: 1e3, s: 1e6, sec: 1e6, m: 60e6, min: 60e6, h: 3600e6, hour: 3600e6, d: 86400e6 };
const NUMBER = '(?:\\d+(?:\\.\\d*)?|\\.\\d+)';
// Durations and rates share their units.
// Longer spellings first: "5min" is five minutes, not five of "m" followed by "in".
const UNIT = '(us|µs|ms|sec|s|min|m|hour|h|d)';
const DURATION_PART = new RegExp(`(${NUMBER})${UNIT}`, 'y');

export const DURATION_PATTERN = `^(0|(${NUMBER}${UNIT})+)$`;
// Rates reach values where an exponent is the natural way to write them (1e7/s).
const RATE_NUMBER = `${NUMBER}(?:[eE][+-]?\\d+)?`;
export const RATE_PATTERN = `^${RATE_NUMBER}/${UNIT}$`;
export const PERCENT_PATTERN = `^${NUMBER}%$`;

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const fail = (message: string): Parsed<never> => ({ ok: false, message });

/**
 * A number written without its unit, when writing the unit after it would read: not .nan, .inf, a negative number
 * or an exponent (`-5ms`, `NaNms` and `1e+21ms` are no durations; suggested, they sent people round).
 */
const plainNumber = (n: number, pattern = NUMBER): boolean => Number.isFinite(n) && new RegExp(`^${pattern}$`).test(String(n));
/** A number as YAML writes it: .nan, .inf and -.inf for those JSON and JavaScript spell otherwise. */
const yamlNumber = (n: number): string => (Number.isNaN(n) ? '.nan' : n === Infinity ? '.inf' : n === -Infinity ? '-.inf' : String(n));

/** Parses a duration into integer microseconds (a clock time: timeouts, windows, horizons). */
export function parseDuration(text: unknown): Parsed<number> {
  const r = parseDurationExact(text);
  return r.ok ? ok(Math.round(r.value)) : r;
}

/** Parses a duration into microseconds, keeping fractions (a distribution parameter such as a mean of 3.3333ms). */
export function parseDurationExact(text: unknown): Parsed<number> {
  if (typeof text === 'number') {
    if (text === 0) return ok(0);
    if (!plainNumber(text)) return fail(`expected a duration such as "250ms" or "1h30m", not the number ${yamlNumber(text)}`);
    return fail(`a duration needs a unit: write "${text}ms", "${text}s" or "${text}m", not ${text}`);
  }
  if (typeof text !== 'string') return fail(`expected a duration such as "250ms" or "1h30m"`);
  const s = text.trim();
  if (s === '0') return ok(0);
  let total = 0;
  let pos = 0;
  while (pos < s.length) {
    DURATION_PART.lastIndex = pos;
    const m = DURATION_PART.exec(s);
    if (!m) {
      const meant = respelled(s, 'duration');
      return fail(meant
        ? `invalid duration ${quoted(text)}; did you mean ${quoted(meant)}? (units: us, ms, s, m, h, d)`
        : `invalid duration ${quoted(text)}: write a number and a unit (us, ms, s, m, h, d), e.g. "250ms", "5m", "1h30m"`);
    }
    total += Number(m[1]) * US_PER[m[2]];
    pos = DURATION_PART.lastIndex;
  }
  if (pos === 0) return fail(`invalid duration ${quoted(text)}: write e.g. "250ms", "5m", "1h30m"`);
  // Past 2^53 microseconds (about 285 years) a duration is no longer held to the microsecond; 10^320h was Infinity,
  // a latency every call timed out on.
  if (!(total <= Number.MAX_SAFE_INTEGER)) return fail(`duration ${quoted(text)} is longer than rehearse holds (about 285 years, 2^53 microseconds)`);
  return ok(total);
}

/** Parses a rate into events per second; it must be positive. */
export function parseRate(text: unknown): Parsed<number> {
  if (typeof text === 'number') {
    if (!(text > 0) || !plainNumber(text, RATE_NUMBER)) return fail(`expected a rate such as "300/s", not the number ${yamlNumber(text)}`);
    return fail(`a rate needs a unit: write "${text}/s", not ${text}`);
  }
  if (typeof text !== 'string') return fail(`expected a rate such as "300/s"`);
  const m = new RegExp(`^(${RATE_NUMBER})/${UNIT}$`).exec(text.trim());
  if (!m) {
    const meant = respelled(text.trim(), 'rate');
    return fail(meant
      ? `invalid rate ${quoted(text)}; did you mean ${quoted(meant)}? (a number per unit of time: s, m, h)`
      : `invalid rate ${quoted(text)}: write a number per unit of time, e.g. "300/s", "20/m", "500/h"`);
  }
  const perSecond = (Number(m[1]) * 1e6) / US_PER[m[2]];
  if (!Number.isFinite(perSecond)) return fail(`rate ${quoted(text)} is too large to be a number`);
  if (!(perSecond > 0)) return fail(`rate ${quoted(text)} must be greater than zero`);
  return ok(perSecond);
}

/** Parses a rate that may be zero (a trough or a pause in traffic). */
export function parseRateOrZero(text: unknown): Parsed<number> {
  if (typeof text === 'string' && new RegExp(`^0+(\\.0*)?/${UNIT}$`).test(text.trim())) return ok(0);
  return parseRate(text);
}

/** The units' other spellings people write (`sec`, `mins`, `hours`, `µsec`), each with the one rehearse reads. */
const SPELLINGS: Record<string, string> = Object.fromEntries(Object.entries({
  us: ['us', 'µs', 'μs', 'usec', 'usecs', 'µsec', 'microsecond', 'microseconds', 'micros'],
  ms: ['ms', 'msec', 'msecs', 'millisecond', 'milliseconds', 'millis'],
  s: ['s', 'sec', 'secs', 'second', 'seconds'],
  m: ['m', 'min', 'mins', 'minute', 'minutes'],
  h: ['h', 'hr', 'hrs', 'hour', 'hours'],
  d: ['d', 'day', 'days'],
}).flatMap(([unit, words]) => words.map((w) => [w, unit])));

/**
 * A duration or rate written with other spellings of its units, as rehearse spells it (`120sec` -> `120s`,
 * `10 mins` -> `10m`, `1 hour 30 minutes` -> `1h30m`, `80/sec` and `80 per second` -> `80/s`); undefined when it
 * is not one.
 */
function respelled(text: string, kind: 'duration' | 'rate'): string | undefined {
  // Capitals only in words: "10M" may mean months or millions.
  const unit = (word: string) => SPELLINGS[word] ?? (word.length > 1 ? SPELLINGS[word.toLowerCase()] : undefined);
  if (kind === 'rate') {
    const m = new RegExp(`^(${RATE_NUMBER})\\s*(?:/|per\\s)\\s*(?:1\\s*)?([a-zA-Zµμ]+)$`).exec(text);
    const u = m && unit(m[2]);
    return m && u ? `${m[1]}/${u}` : undefined;
  }
  const part = new RegExp(`\\s*(${NUMBER})\\s*([a-zA-Zµμ]+)\\s*,?(?:\\s*and\\s+)?`, 'y');
  const parts: string[] = [];
  for (let pos = 0; pos < text.length;) {
    part.lastIndex = pos;
    const m = part.exec(text);
    const u = m && unit(m[2]);
    if (!m || !u || part.lastIndex === pos) return undefined;
    parts.push(`${m[1]}${u}`);
    pos = part.lastIndex;
  }
  const meant = parts.join('');
  return meant !== text && parseDurationExact(meant).ok ? meant : undefined;
}

/** Parses a percentage into a fraction in [0, 1]. */
export function parsePercent(text: unknown): Parsed<number> {
  if (typeof text === 'number') {
    if (!plainNumber(text) || text > 100) return fail(`expected a percentage such as "0.5%", not the number ${yamlNumber(text)}`);
    return fail(`a percentage needs a % sign: write "${text}%"${text > 0 && text < 1 ? ` (or "${+(text * 100).toPrecision(12)}%" if ${text} is a fraction)` : ''}`);
  }
  if (typeof text !== 'string') return fail(`expected a percentage such as "0.5%"`);
  const m = new RegExp(`^(${NUMBER})%$`).exec(text.trim());
  if (!m) return fail(`invalid percentage ${quoted(text)}: write e.g. "0.5%" or "20%"`);
  const pct = Number(m[1]);
  if (pct > 100) return fail(`percentage ${quoted(text)} is over 100%`);
  return ok(pct / 100);
}

/** Parses a relative increase `200%` into 2: unlike a share, it may exceed 100% ("latency tripled" is +200%). */
export function parseIncrease(text: unknown): Parsed<number> {
  if (typeof text === 'string' && new RegExp(`^${NUMBER}%$`).test(text.trim())) return ok(Number(text.trim().slice(0, -1)) / 100);
  return parsePercent(text);
}

/** Parses a multiplier `x1.15` into 1.15. */
export function parseMultiplier(text: unknown): Parsed<number> {
  if (typeof text !== 'string') return fail(`expected a multiplier such as "x1.5"`);
  const m = new RegExp(`^[x×](${NUMBER})$`).exec(text.trim());
  if (!m) return fail(`invalid multiplier ${quoted(text)}: write e.g. "x1.5"`);
  return ok(Number(m[1]));
}

/** Formats microseconds for people: 1500 -> "1.5ms", 90e6 -> "1m30s". */
export function formatDuration(us: number): string {
  if (us === 0) return '0s';
  if (us < 1000) return `${round(us, 3)}us`;
  if (us < 1e6) return `${round(us / 1e3, 3)}ms`;
  if (us < 60e6) return `${round(us / 1e6, 3)}s`;
  let rest = Math.round(us / 1e6);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  const s = rest - m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

function round(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}
