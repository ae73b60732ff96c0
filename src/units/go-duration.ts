/**
 * Go's time.ParseDuration, as Argo Rollouts and Flagger read their durations (src/time/format.go in golang/go:
 * ParseDuration, leadingInt, leadingFraction, unitMap): a possibly signed sequence of decimal numbers, each with
 * an optional fraction and a unit (ns, us, µs, μs, ms, s, m, h), summed in integer nanoseconds, exactly. Past an
 * int64 of nanoseconds (2562047h47m16.854775807s, about 292 years) it is "time: invalid duration"; Go's error
 * texts are kept.
 *
 * rehearse's clock counts whole microseconds in a double: exact up to 2^53 us (about 285 years). goMicroseconds
 * rounds to the microsecond as before for every duration below that, and holds the few longer ones Go accepts
 * (285 to 292 years) to within a microsecond or two: longer than any rehearsal, whose horizon is at most 2^53 us.
 */
import type { Parsed } from './parse.js';

const UNITS: Readonly<Record<string, bigint>> = {
  ns: 1n, us: 1_000n, 'µs': 1_000n, 'μs': 1_000n, ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n,
};
const TWO_63 = 1n << 63n;
const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9';

/** Go's quote(): the text in double quotes. */
const quote = (s: string) => JSON.stringify(s);

/** time.ParseDuration: integer nanoseconds, or Go's error. */
export function parseGoDuration(text: string): Parsed<bigint> {
  const invalid = (): Parsed<bigint> => ({ ok: false, message: `time: invalid duration ${quote(text)}` });
  let s = text;
  let neg = false;
  if (s !== '' && (s[0] === '-' || s[0] === '+')) {
    neg = s[0] === '-';
    s = s.slice(1);
  }
  if (s === '0') return { ok: true, value: 0n };
  if (s === '') return invalid();
  let d = 0n;
  while (s !== '') {
    if (!(s[0] === '.' || isDigit(s[0]))) return invalid();
    // leadingInt: [0-9]*, refused past 1<<63.
    let i = 0, v = 0n;
    for (; isDigit(s[i]); i++) {
      if (v > TWO_63 / 10n) return invalid();
      v = v * 10n + BigInt(s.charCodeAt(i) - 48);
      if (v > TWO_63) return invalid();
    }
    const pre = i > 0;
    s = s.slice(i);
    // leadingFraction: (\.[0-9]*)?, which stops gaining precision instead of overflowing.
    let f = 0n, scale = 1, post = false;
    if (s[0] === '.') {
      s = s.slice(1);
      let j = 0, overflow = false;
      for (; isDigit(s[j]); j++) {
        if (overflow) continue;
        if (f > (TWO_63 - 1n) / 10n) {
          overflow = true;
          continue;
        }
        const y = f * 10n + BigInt(s.charCodeAt(j) - 48);
        if (y > TWO_63) {
          overflow = true;
          continue;
        }
        f = y;
        scale *= 10;
      }
      post = j > 0;
      s = s.slice(j);
    }
    if (!pre && !post) return invalid();
    let k = 0;
    while (k < s.length && !(s[k] === '.' || isDigit(s[k]))) k++;
    if (k === 0) return { ok: false, message: `time: missing unit in duration ${quote(text)}` };
    const u = s.slice(0, k);
    s = s.slice(k);
    const unit = UNITS[u];
    if (unit === undefined) return { ok: false, message: `time: unknown unit ${quote(u)} in duration ${quote(text)}` };
    if (v > TWO_63 / unit) return invalid();
    v *= unit;
    if (f > 0n) {
      // float64, as Go does it: nanosecond-accurate for fractions of an hour.
      v += BigInt(Math.trunc(Number(f) * (Number(unit) / scale)));
      if (v > TWO_63) return invalid();
    }
    d += v;
    if (d > TWO_63) return invalid();
  }
  if (neg) return { ok: true, value: -d };
  if (d > TWO_63 - 1n) return invalid();
  return { ok: true, value: d };
}

/** Nanoseconds as rehearse's microseconds: rounded, as before, below 2^53 us; within a microsecond or two above. */
export function goMicroseconds(ns: bigint): number {
  return Math.round(Number(ns) / 1000);
}
