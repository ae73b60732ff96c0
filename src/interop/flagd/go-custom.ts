/**
 * flagd's own operations as Go flagd runs them (open-feature/flagd flagd/v0.16.1 core/pkg/evaluator, each
 * registered with jsonlogic.AddOperator, which hands it its arguments parsed (parseValues) and the data of the
 * scope it is evaluated in): `starts_with` and `ends_with` (string_comparison.go) and `fractional` as every flagd
 * release buckets it (fractional.go: murmur3 of the bucketing value's UTF-8 bytes). flagd-core 4.0.1, whose
 * methods these replace, hashed the text's UTF-16 code units (imurmurhash), so a bucketing value that is not
 * ASCII (an email with "é", a key in Chinese) landed in another bucket; and its methods read a logger from the
 * evaluation context, which inside some, all, none, filter, map and reduce is the element: every evaluation
 * that reached one there was an error, where Go answers.
 */
import { murmur3 } from '../../flags/bucketing.js';

type Json = Record<string, unknown>;
const isMap = (x: unknown): x is Json => x !== null && typeof x === 'object' && !Array.isArray(x);
const MAX_INT32 = 2147483647;

/** string_comparison.go parseStringComparisonEvaluationData: a list of exactly two texts, else nil. */
function twoTexts(parsed: unknown): [string, string] | null {
  if (!Array.isArray(parsed) || parsed.length !== 2) return null;
  const [property, target] = parsed;
  return typeof property === 'string' && typeof target === 'string' ? [property, target] : null;
}

export function goStartsWith(parsed: unknown): boolean | null {
  const p = twoTexts(parsed);
  return p ? p[0].startsWith(p[1]) : null;
}

export function goEndsWith(parsed: unknown): boolean | null {
  const p = twoTexts(parsed);
  return p ? p[0].endsWith(p[1]) : null;
}

/** json.go getFlagdProperties: $flagd's flagKey, read through encoding/json ("" where it is no text). */
function flagKeyOf(data: Json): string {
  const flagd = data.$flagd;
  return isMap(flagd) && typeof flagd.flagKey === 'string' ? flagd.flagKey : '';
}

/** The bucketing value and the buckets, as parseFractionalEvaluationData reads them; null where Go answers nil. */
export function goFractionalInput(parsed: unknown, data: unknown): { bucketBy: string; buckets: { variant: unknown; weight: number }[] } | null {
  if (!Array.isArray(parsed) || parsed.length < 1 || !isMap(data)) return null;
  let values = parsed;
  let bucketBy: string;
  if (typeof values[0] === 'string') {
    bucketBy = values[0];
    values = values.slice(1);
  } else {
    // "check for nil here as custom property could be nil/missing"
    if (values[0] === null || values[0] === undefined) values = values.slice(1);
    const key = Object.hasOwn(data, 'targetingKey') ? data.targetingKey : undefined;
    if (key === null || key === undefined || typeof key !== 'string' || key === '') return null;
    bucketBy = `${flagKeyOf(data)}${key}`;
  }
  const buckets: { variant: unknown; weight: number }[] = [];
  let total = 0;
  for (const entry of values) {
    if (!Array.isArray(entry) || entry.length === 0) return null;
    const variant = entry[0];
    if (!(typeof variant === 'string' || typeof variant === 'boolean' || typeof variant === 'number' || variant === null || variant === undefined)) return null;
    let weight = 1;
    if (entry.length >= 2 && entry[1] !== null && entry[1] !== undefined) {
      // int64(w) must give w back (Go's conversion of a float64 past int64 does not), and fit an int32.
      if (typeof entry[1] !== 'number' || !Number.isInteger(entry[1]) || entry[1] > MAX_INT32 || entry[1] < -(2 ** 63)) return null;
      weight = Math.max(0, entry[1]);
    }
    total += weight;
    buckets.push({ variant: variant ?? null, weight });
  }
  return total > MAX_INT32 ? null : { bucketBy, buckets };
}

/** Fractional.Evaluate: the variant whose range holds (hash * totalWeight) >> 32, or nil. */
export function goFractional(parsed: unknown, data: unknown): unknown {
  const input = goFractionalInput(parsed, data);
  if (!input) return null;
  const total = input.buckets.reduce((n, b) => n + b.weight, 0);
  if (total === 0) return null;
  const bucket = (BigInt(murmur3(input.bucketBy)) * BigInt(total)) >> 32n;
  let end = 0n;
  for (const b of input.buckets) {
    end += BigInt(b.weight);
    if (bucket < end) return b.variant;
  }
  return null;
}
