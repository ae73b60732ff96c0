/**
 * Go's time.ParseDuration, as Argo Rollouts and Flagger read durations (src/units/go-duration.ts). The vectors are
 * Go's own: parseDurationTests and parseDurationErrorTests of src/time/time_test.go in golang/go (the overflow
 * rule is format.go ParseDuration's: past 1<<63-1 nanoseconds, "time: invalid duration").
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { goMicroseconds, parseGoDuration } from '../src/units/go-duration.js';
import { parseDuration } from '../src/units/parse.js';

const ns = 1n, us = 1000n * ns, ms = 1000n * us, s = 1000n * ms, m = 60n * s, h = 60n * m;

describe('time.ParseDuration, on Go\'s own vectors', () => {
  it.each<[string, bigint]>([
    ['0', 0n], ['5s', 5n * s], ['30s', 30n * s], ['1478s', 1478n * s],
    ['-5s', -5n * s], ['+5s', 5n * s], ['-0', 0n], ['+0', 0n],
    ['5.0s', 5n * s], ['5.6s', 5n * s + 600n * ms], ['5.s', 5n * s], ['.5s', 500n * ms], ['1.0s', s], ['1.00s', s],
    ['1.004s', s + 4n * ms], ['1.0040s', s + 4n * ms], ['100.00100s', 100n * s + ms],
    ['10ns', 10n], ['11us', 11n * us], ['12µs', 12n * us], ['12μs', 12n * us], ['13ms', 13n * ms], ['14s', 14n * s], ['15m', 15n * m], ['16h', 16n * h],
    ['3h30m', 3n * h + 30n * m], ['10.5s4m', 4n * m + 10n * s + 500n * ms], ['-2m3.4s', -(2n * m + 3n * s + 400n * ms)],
    ['1h2m3s4ms5us6ns', h + 2n * m + 3n * s + 4n * ms + 5n * us + 6n], ['39h9m14.425s', 39n * h + 9n * m + 14n * s + 425n * ms],
    ['52763797000ns', 52763797000n], ['0.3333333333333333333h', 20n * m], ['9007199254740993ns', (1n << 53n) + 1n],
    ['9223372036854775807ns', (1n << 63n) - 1n], ['9223372036854775.807us', (1n << 63n) - 1n], ['9223372036s854ms775us807ns', (1n << 63n) - 1n],
    ['-9223372036854775808ns', -(1n << 63n)], ['-9223372036854775.808us', -(1n << 63n)], ['-9223372036s854ms775us808ns', -(1n << 63n)],
    ['-2562047h47m16.854775808s', -(1n << 63n)], ['0.100000000000000000000h', 6n * m], ['0.830103483285477580700h', 49n * m + 48n * s + 372539827n],
    // time.Duration's largest, as Duration.String() writes it (TestParseDurationRoundTrip).
    ['2562047h47m16.854775807s', (1n << 63n) - 1n],
  ])('%s', (text, want) => {
    expect(parseGoDuration(text)).toEqual({ ok: true, value: want });
  });

  it.each([
    ['', 'time: invalid duration ""'], ['3', 'time: missing unit in duration "3"'], ['-', 'time: invalid duration "-"'], ['s', 'time: invalid duration "s"'],
    ['.', 'time: invalid duration "."'], ['-.', 'time: invalid duration "-."'], ['.s', 'time: invalid duration ".s"'], ['+.s', 'time: invalid duration "+.s"'],
    ['1d', 'time: unknown unit "d" in duration "1d"'],
    ['9223372036854775810ns', 'time: invalid duration "9223372036854775810ns"'], ['9223372036854775808ns', 'time: invalid duration "9223372036854775808ns"'],
    ['-9223372036854775809ns', 'time: invalid duration "-9223372036854775809ns"'], ['9223372036854776us', 'time: invalid duration "9223372036854776us"'],
    ['3000000h', 'time: invalid duration "3000000h"'], ['9223372036854775.808us', 'time: invalid duration "9223372036854775.808us"'],
    ['9223372036854ms775us808ns', 'time: invalid duration "9223372036854ms775us808ns"'], ['2562048h', 'time: invalid duration "2562048h"'],
  ])('refuses %j as Go does', (text, message) => {
    expect(parseGoDuration(text)).toEqual({ ok: false, message });
  });
});

describe('in rehearse\'s microseconds', () => {
  it('gives every ordinary duration the microseconds it had (parseDuration, rounded)', () => {
    const part = fc.tuple(fc.nat({ max: 100_000 }), fc.option(fc.nat({ max: 999 }), { nil: undefined }), fc.constantFrom('ms', 's', 'm', 'h'));
    fc.assert(fc.property(fc.array(part, { minLength: 1, maxLength: 4 }), (parts) => {
      const text = parts.map(([n, f, u]) => `${n}${f === undefined ? '' : `.${f}`}${u}`).join('');
      const old = parseDuration(text);
      const go = parseGoDuration(text);
      expect(go.ok && old.ok).toBe(true);
      if (go.ok && old.ok) expect(goMicroseconds(go.value)).toBe(old.value);
    }), { numRuns: 2000, seed: 53 });
  });

  it('holds Go\'s longest durations, past 2^53 microseconds, within two microseconds and past any rehearsal\'s horizon', () => {
    const max = parseGoDuration('2562047h47m16.854775807s');
    expect(max.ok).toBe(true);
    const us = goMicroseconds(max.ok ? max.value : 0n);
    expect(Math.abs(us - 9223372036854775.807)).toBeLessThanOrEqual(2);
    expect(us).toBeGreaterThan(Number.MAX_SAFE_INTEGER);
    // rehearse's own durations, horizons among them, stop at 2^53 us.
    expect(parseDuration('2562047h').ok).toBe(false);
  });
});
