/** Parsers of the command line's option values: each refuses a value it cannot take with what it expects. */
import { isIP } from 'node:net';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError } from 'commander';
import { LIMITS } from '../scenario/defaults.js';
import { didYouMean, InputError } from '../errors.js';
import { quoted } from '../units/escape.js';

export function seedOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('the seed is a whole number, 0 or more');
  if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`the seed is a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

/** A LaunchDarkly rollout seed: any whole number, as its data model's int (negative ones too). */
export function rolloutSeedOption(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError('a rollout seed is a whole number (negative ones too), e.g. 61 or -7');
  if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`a rollout seed is a whole number from ${Number.MIN_SAFE_INTEGER} to ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

export function choice<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`expected one of ${allowed.join(', ')}${didYouMean(value, allowed)}`);
    return value as T;
  };
}

export function shardOption(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value);
  if (!m || Number(m[1]) < 1 || Number(m[1]) > Number(m[2])) throw new InvalidArgumentError('a shard is i/n with 1 <= i <= n, e.g. 2/8');
  // Past 2^53 the numbers are no longer whole: 1/99999999999999999999 ran as if it were a shard.
  if (!Number.isSafeInteger(Number(m[2]))) throw new InvalidArgumentError(`a shard is i/n with n up to ${Number.MAX_SAFE_INTEGER}`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  if (!Number.isSafeInteger(Number(value))) throw new InvalidArgumentError(`a whole number up to ${Number.MAX_SAFE_INTEGER}`);
  return Number(value);
}

/** Worker threads: a whole number up to LIMITS.workers (a thread is a heap of its own: 100,000 of them filled 16 GB). */
export function workersOption(value: string): number {
  const n = positiveInt(value);
  if (n > LIMITS.workers) throw new InvalidArgumentError(`at most ${LIMITS.workers} (each worker is a thread with a heap of its own, about 70 MB; ${availableParallelism()} cores here) (limits: docs/limits.md, "Hostile input and limits")`);
  return n;
}

/** A whole number of any size: the command compares it with its own limit (which --force lifts). */
export function countOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new InvalidArgumentError('a whole number, 1 or more');
  return Number(value);
}

export function collectSegment(value: string, previous: Record<string, number>): Record<string, number> {
  const bare = /^([A-Za-z][\w-]*)=(\d+(?:\.\d+)?)$/.exec(value);
  if (bare) throw new InvalidArgumentError(`a share is a percentage: write ${bare[1]}=${bare[2]}%${Number(bare[2]) > 0 && Number(bare[2]) < 1 ? ` (or ${bare[1]}=${+(Number(bare[2]) * 100).toPrecision(12)}% if ${bare[2]} is a fraction)` : ''}`);
  const m = /^([A-Za-z][\w-]*)=(\d+(?:\.\d+)?)%$/.exec(value);
  if (!m) throw new InvalidArgumentError('a segment is name=share, e.g. beta=5%');
  const share = Number(m[2]) / 100;
  if (share <= 0) throw new InvalidArgumentError('a segment needs a share above 0% (leave out a segment with no users)');
  // Given twice, the last share replaced the first without a word.
  if (Object.hasOwn(previous, m[1])) throw new InvalidArgumentError(`segment ${quoted(m[1])} is given twice: give each segment once`);
  const total = Object.values(previous).reduce((a, b) => a + b, 0) + share;
  if (total > 1 + 1e-9) throw new InvalidArgumentError('segment shares add up to more than 100%');
  return { ...previous, [m[1]]: share };
}

/**
 * Shares that leave part of the users unnamed put them in "general". With "general" among them they add up to
 * 100% (general=10% beta=5% was drawn as two thirds and one third, without a word).
 */
export function withRemainder(segments: Record<string, number>): Record<string, number> {
  const rest = 1 - Object.values(segments).reduce((a, b) => a + b, 0);
  if (rest > 1e-9 && Object.hasOwn(segments, 'general')) {
    throw new InputError([`--segment: the shares add up to ${+((1 - rest) * 100).toFixed(6)}%, not 100%: give general the rest (general=${+((segments.general + rest) * 100).toFixed(6)}%), or leave general out and the rest goes to it`]);
  }
  return rest > 1e-9 ? { general: rest, ...segments } : segments;
}

/** A speed written in decimals, as `gameday ctl URL speed` takes it (Number alone read 0x10 as 16 and " 5" as 5). */
export function speedOption(value: string): number {
  const n = Number(value);
  if (!/^(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(value) || !Number.isFinite(n) || n < 0.1 || n > 100_000) throw new InvalidArgumentError('a speed factor from 0.1 to 100000, in decimals (e.g. 60 or 0.5)');
  return n;
}

export function portOption(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) > 65535) throw new InvalidArgumentError('a port from 0 to 65535');
  return Number(value);
}

/**
 * An address to serve on: an IP address, or a host name of letters, digits, hyphens and dots. An empty one was
 * handed to listen(), which took it as every interface, before the drill's links failed to build (the server then
 * held the process open, a hang after the error); a bracketed IPv6 address is the form of a URL, not of listen().
 */
export function hostOption(value: string): string {
  if (value === '') throw new InvalidArgumentError('an address to serve on, such as 127.0.0.1, ::1 or 0.0.0.0 (an empty one is not taken as every interface: write 0.0.0.0 or :: for that)');
  const bracketed = /^\[(.*)\]$/.exec(value);
  if (bracketed && isIP(bracketed[1]!) === 6) throw new InvalidArgumentError(`an IPv6 address without its brackets: ${bracketed[1]}`);
  if (isIP(value) === 0 && !/^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.?$/i.test(value)) {
    throw new InvalidArgumentError('an IP address or a host name (letters, digits, hyphens and dots), such as 127.0.0.1, ::1, 0.0.0.0 or drills.example.com');
  }
  return value;
}

export function collectAttribute(value: string, previous: string[]): string[] {
  return [...previous, value];
}

export function percentOption(value: string): number {
  const n = Number(value.replace(/%$/, ''));
  if (!Number.isFinite(n) || n < 0 || n > 100 || value.trim() === '') throw new InvalidArgumentError('a percentage from 0 to 100');
  return n;
}
