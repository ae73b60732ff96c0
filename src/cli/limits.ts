/**
 * The read limits as the environment raises them: REHEARSE_MAX_SCENARIO=128MiB and the like (files/read.ts
 * holds the kinds and defaults). A value that is not a size is a usage error, never ignored.
 */
import { InputError } from '../errors.js';
import { INPUT_KINDS, setReadLimits, type InputKind } from '../files/read.js';
import { quoted } from '../units/escape.js';

const UNITS: Record<string, number> = { '': 1, b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30, tib: 2 ** 40 };

/** A size: a whole number of bytes, or a number with a unit (KB, MB, GB decimal; KiB, MiB, GiB binary). */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)?\s*$/i.exec(text);
  if (!m) return null;
  const n = Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
  return Number.isSafeInteger(n) && n > 0 ? n : null;
}

/** Sets the read limits from `env` (the defaults where a variable is not set). */
export function applyReadLimits(env: NodeJS.ProcessEnv): void {
  const bytes: Partial<Record<InputKind, number>> = {};
  const problems: string[] = [];
  for (const [kind, k] of Object.entries(INPUT_KINDS) as [InputKind, (typeof INPUT_KINDS)[InputKind]][]) {
    const v = env[k.variable];
    if (v === undefined || v === '') continue;
    const n = parseSize(v);
    if (n === null) problems.push(`${k.variable}: expected a size such as 512MiB or 2GB, got ${quoted(v)}`);
    else bytes[kind] = n;
  }
  let depth: number | undefined;
  const d = env.REHEARSE_MAX_DEPTH;
  if (d !== undefined && d !== '') {
    if (!/^\d+$/.test(d.trim()) || Number(d) < 1 || Number(d) > 100_000) problems.push(`REHEARSE_MAX_DEPTH: expected a whole number of levels from 1 to 100000, got ${quoted(d)}`);
    else depth = Number(d);
  }
  if (problems.length) {
    setReadLimits();
    throw new InputError(problems);
  }
  setReadLimits({ bytes, depth });
}
