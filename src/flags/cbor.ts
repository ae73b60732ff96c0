/**
 * The deterministic CBOR encoding of a JSON value (RFC 8949 section 4.2.1, Core Deterministic Encoding), as
 * flagd's fractional v3 hashes its input (open-feature/flagd docs/architecture-decisions/
 * fractional-non-string-rand-units.md): a number without a fractional part in [-2^63, 2^64-1] (-0 too) is an
 * integer (major type 0 or 1), any other number the shortest float (16, 32 or 64 bits) that holds it exactly;
 * text is UTF-8 (major type 3); maps (major type 5) have their keys sorted by the bytes of their encodings;
 * arrays are major type 4; false, true and null are simple values 20, 21 and 22. Lengths and integers take the
 * shortest head. NaN and the infinities, which JSON cannot hold, are encoded as float64 (flagd leaves them undefined).
 */

const utf8 = new TextEncoder();

/** The head of a data item: major type and argument, in the shortest form. */
function head(major: number, n: bigint, out: number[]): void {
  const m = major << 5;
  if (n < 24n) out.push(m | Number(n));
  else if (n < 0x100n) out.push(m | 24, Number(n));
  else if (n < 0x10000n) out.push(m | 25, Number(n >> 8n), Number(n & 0xffn));
  else if (n < 0x100000000n) {
    out.push(m | 26);
    for (let s = 24n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  } else {
    out.push(m | 27);
    for (let s = 56n; s >= 0n; s -= 8n) out.push(Number((n >> s) & 0xffn));
  }
}

const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

/** The IEEE half-precision bits of x when it holds x exactly, else null. */
function half(x: number): number | null {
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a === 0) return sign;
  if (a > 65504 || a < 2 ** -24) return null;
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e -= 1;
  if (2 ** (e + 1) <= a) e += 1;
  if (e < -14) {
    const m = a / 2 ** -24;
    return Number.isInteger(m) ? sign | m : null;
  }
  const m = a / 2 ** (e - 10);
  return Number.isInteger(m) ? sign | ((e + 15) << 10) | (m - 1024) : null;
}

function float(x: number, out: number[]): void {
  const h = Number.isFinite(x) ? half(x) : null;
  if (h !== null) {
    out.push(0xf9, h >> 8, h & 0xff);
    return;
  }
  const view = new DataView(new ArrayBuffer(8));
  if (Number.isFinite(x) && Math.fround(x) === x) {
    view.setFloat32(0, x);
    out.push(0xfa, ...new Uint8Array(view.buffer, 0, 4));
    return;
  }
  view.setFloat64(0, x);
  out.push(0xfb, ...new Uint8Array(view.buffer));
}

function number(x: number, out: number[]): void {
  if (Number.isInteger(x) && x >= -TWO_63 && x < TWO_64) {
    if (x >= 0) head(0, BigInt(x), out);
    else head(1, -1n - BigInt(x), out);
    return;
  }
  float(x, out);
}

function encodeInto(value: unknown, out: number[]): void {
  if (value === null || value === undefined) out.push(0xf6);
  else if (value === false) out.push(0xf4);
  else if (value === true) out.push(0xf5);
  else if (typeof value === 'number') number(value, out);
  else if (typeof value === 'bigint') {
    if (value >= 0n) head(0, value, out);
    else head(1, -1n - value, out);
  } else if (typeof value === 'string') {
    const bytes = utf8.encode(value);
    head(3, BigInt(bytes.length), out);
    for (const b of bytes) out.push(b);
  } else if (Array.isArray(value)) {
    head(4, BigInt(value.length), out);
    for (const x of value) encodeInto(x, out);
  } else if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
      .map(([k, v]) => {
        const key: number[] = [];
        encodeInto(k, key);
        return [key, v] as const;
      })
      .sort(([a], [b]) => compareBytes(a, b));
    head(5, BigInt(entries.length), out);
    for (const [key, v] of entries) {
      for (const b of key) out.push(b);
      encodeInto(v, out);
    }
  } else {
    // A function or symbol: no JSON value; encoded as null (a flagd context never holds one).
    out.push(0xf6);
  }
}

function compareBytes(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

/** The deterministic CBOR bytes of a JSON value. */
export function deterministicCbor(value: unknown): Uint8Array {
  const out: number[] = [];
  encodeInto(value, out);
  return Uint8Array.from(out);
}
