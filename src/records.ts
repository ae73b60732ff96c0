/**
 * Names that come from input are data, never prototype members: "constructor" or "toString" as a flag or a
 * service name must not find Object.prototype's. Lookups by such a name go through `own`; records keyed by
 * such names are made by `record` (no prototype, so any name is an ordinary key).
 */

/** record[key] when the record itself holds it, else undefined. */
export function own<T>(record: Readonly<Record<string, T>> | null | undefined, key: string): T | undefined {
  return record !== null && record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** A record with no prototype, from entries. */
export function record<T>(entries: Iterable<readonly [string, T]> = []): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const [k, v] of entries) out[k] = v;
  return out;
}

/** JavaScript's prototype key: an object literal cannot hold it as an ordinary key, so input may not use it as a name. */
export const RESERVED_NAME = '__proto__';
