/**
 * Latency histograms: HdrHistogram (hdr-histogram-js, WebAssembly build: about 17 ns a record against 130 ns
 * for its pure-JS build on these machines). Values are integer microseconds, three significant digits.
 * WebAssembly histograms hold memory outside the JS heap: whoever builds one destroys it. The simulator's own
 * telemetry counts in HdrHistogram's bucket layout in JS (LatencyCounts) and reads percentiles as it does.
 */
import { createRequire } from 'node:module';
import type * as Hdr from 'hdr-histogram-js';

export type Histogram = Hdr.Histogram;

// The package is loaded by the first newHistogram(), not with this module: loading it (its WebAssembly and the Intl
// formatter of its log writer) took about 50 ms of every process that simulates, and most never build one.
let hdr: typeof Hdr | null = null;

export function newHistogram(): Histogram {
  if (hdr === null) {
    hdr = createRequire(import.meta.url)('hdr-histogram-js') as typeof Hdr;
    hdr.initWebAssemblySync();
  }
  return hdr.build({
    useWebAssembly: true,
    bitBucketSize: 32,
    lowestDiscernibleValue: 1,
    highestTrackableValue: 2 * 1024,
    autoResize: true,
    numberOfSignificantValueDigits: 3,
  });
}

export interface LatencySummary {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Percentiles in microseconds; zeros when empty. */
export function percentiles(h: Histogram): LatencySummary {
  if (h.totalCount === 0) return { p50: 0, p95: 0, p99: 0, max: 0 };
  return {
    p50: h.getValueAtPercentile(50),
    p95: h.getValueAtPercentile(95),
    p99: h.getValueAtPercentile(99),
    max: h.maxValue,
  };
}

// HdrHistogram's bucket layout for lowestDiscernibleValue 1 and three significant digits: 2048 sub-buckets,
// half of them (1024) per bucket after the first.
const SUB_BUCKET_HALF_MAGNITUDE = 10;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const SUB_BUCKET_MASK = 2 * SUB_BUCKET_HALF - 1;
/** Values from here up are beyond the dense counts (over 35 minutes in microseconds): they have no bucketIndex(). */
export const BUFFERED_LIMIT = 2 ** 31;
const SLOTS = (31 - SUB_BUCKET_HALF_MAGNITUDE + 1) * SUB_BUCKET_HALF;

/** The bucket of a value below BUFFERED_LIMIT, as LatencyCounts.countIndices() takes it (fits 16 bits). */
export function bucketIndex(value: number): number {
  return indexOf(value);
}

function indexOf(value: number): number {
  const bucket = 32 - Math.clz32(value | SUB_BUCKET_MASK) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + ((value >>> bucket) - SUB_BUCKET_HALF);
}

/** The lowest value of the bucket at `index`: every value of the bucket is equivalent to it in the histogram. */
function valueAt(index: number): number {
  let bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (index & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (bucket < 0) {
    sub -= SUB_BUCKET_HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/**
 * Counts of values in HdrHistogram's own bucket layout (three significant digits), kept in JS: recording is an
 * index from a count of leading zeros and an increment, and only the buckets touched are visited afterwards.
 * Values of 2^31 microseconds (35 minutes) and more are counted in the last bucket.
 */
/**
 * What a histogram's counts and held-back indices are before its first value: empty arrays rather than null, so that
 * the fields always hold arrays of one kind and the compiler knows it where they are read (no check of their kind).
 */
const NO_COUNTS = new Uint32Array(0);
const NO_PENDING = new Uint16Array(0);

export class BucketCounts {
  /** The count of each bucket; NO_COUNTS until the first value. */
  protected counts = NO_COUNTS;
  protected touched = new Int32Array(64);
  protected touchedCount = 0;
  total = 0;
  sum = 0;

  record(value: number): void {
    this.add(indexOf(value < BUFFERED_LIMIT ? value : BUFFERED_LIMIT - 1), 1);
    this.sum += value;
  }

  protected add(index: number, n: number): void {
    const counts = this.countsToWrite();
    if (counts[index] === 0) {
      if (this.touchedCount === this.touched.length) this.growTouched();
      this.touched[this.touchedCount++] = index;
    }
    counts[index] += n;
    this.total += n;
  }

  /** The counts, made on the first value. */
  protected countsToWrite(): Uint32Array {
    if (this.counts.length === 0) this.counts = new Uint32Array(SLOTS);
    return this.counts;
  }

  protected growTouched(): void {
    const grown = new Int32Array(this.touched.length * 2);
    grown.set(this.touched);
    this.touched = grown;
  }

  /** Adds another's counts to these. */
  merge(other: BucketCounts): void {
    const from = other.counts;
    if (from.length === 0) return;
    this.sum += other.sum;
    this.total += this.addCounts(from, other.touched, other.touchedCount);
  }

  /**
   * add() for each of the `n` buckets in `touched` of the counts `from`, in one loop (a window's close merges every
   * tag's counts); returns how many values they hold. The loop is the end of its function: the compiler swaps a
   * long loop's code while it runs, before what follows the loop has ever run, and a field read after it fell back
   * to the interpreter at each end of the loop (see Engine.dispatch()).
   */
  private addCounts(from: Uint32Array, touched: Int32Array, n: number): number {
    const counts = this.countsToWrite();
    let total = 0;
    for (let k = 0; k < n; k++) {
      const index = touched[k];
      if (counts[index] === 0) {
        if (this.touchedCount === this.touched.length) this.growTouched();
        this.touched[this.touchedCount++] = index;
      }
      counts[index] += from[index];
      total += from[index];
    }
    return total;
  }

  clear(): void {
    const counts = this.counts, touched = this.touched, n = this.touchedCount;
    this.touchedCount = 0;
    this.total = 0;
    this.sum = 0;
    for (let k = 0; k < n; k++) counts[touched[k]] = 0;
  }

  /** Records the counts into an HdrHistogram (they land in the same buckets). */
  addTo(h: Histogram): void {
    for (let k = 0; k < this.touchedCount; k++) {
      const index = this.touched[k];
      h.recordValueWithCount(valueAt(index), this.counts[index]);
    }
  }

  /** Visits (bucket value, count) in increasing order of value. */
  forEachAscending(visit: (value: number, count: number) => void): void {
    const indices = Array.from(this.touched.subarray(0, this.touchedCount)).sort((a, b) => a - b);
    for (const index of indices) visit(valueAt(index), this.counts[index]);
  }
}

/** HdrHistogram's bucket index of any value from 2^31 up (indexOf in floating point, as its 64-bit arithmetic has it). */
function bigIndexOf(value: number): number {
  let bucket = 31 - SUB_BUCKET_HALF_MAGNITUDE;
  while (value >= 2 ** (bucket + SUB_BUCKET_HALF_MAGNITUDE + 1)) bucket++;
  return ((bucket + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (Math.floor(value / 2 ** bucket) - SUB_BUCKET_HALF);
}

/** The highest value of the bucket at `index`: what HdrHistogram's getValueAtPercentile reports for it. */
function highestAt(index: number): number {
  const bucket = (index >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  return valueAt(index) + (bucket > 0 ? 2 ** bucket : 1) - 1;
}

/** The count HdrHistogram's getValueAtPercentile looks for: the share `p` of `total`, rounded up (less an ulp). */
function countAtPercentile(p: number, total: number): number {
  const fp = (Math.min(p, 100) / 100) * total;
  return Math.max(Math.ceil(fp - 2 ** (Math.floor(Math.log2(fp)) - 52)), 1);
}

export type Percentiles = Pick<LatencySummary, 'p50' | 'p95' | 'p99'>;

/** Bucket indices a LatencyCounts holds back before counting them (see record()). */
const PENDING = 2048;

/**
 * Latencies of a telemetry tag, counted in HdrHistogram's own bucket layout (three significant digits) whatever
 * their size (values of 2^31 microseconds and more in a map of their own), read as HdrHistogram reads them: the
 * percentiles are exactly those of an HdrHistogram given the same values, without one. Merging and reading visit
 * only the buckets touched.
 *
 * Recording writes the value's bucket index to a short list and counts the list when it is full, or before the
 * counts are read: a simulation records to a few dozen tags in turn, whose counts (kilobytes each) do not all fit
 * in a core's first-level cache, so an increment per value would miss it about once a value; the list is written
 * in order, and counting it touches one tag's buckets many times over while they are in the cache.
 */
export class LatencyCounts extends BucketCounts {
  private big: Map<number, number> | null = null;
  private pending = NO_PENDING;
  private pendingCount = 0;

  override record(value: number): void {
    this.total++;
    if (value >= BUFFERED_LIMIT) {
      this.big ??= new Map();
      const index = bigIndexOf(value);
      this.big.set(index, (this.big.get(index) ?? 0) + 1);
      return;
    }
    if (this.pending.length === 0) this.pending = new Uint16Array(PENDING);
    this.pending[this.pendingCount++] = indexOf(value);
    if (this.pendingCount === PENDING) this.countPending();
  }

  /** Counts the indices held back: add(index, 1) for each, in one read and write of the bucket's count. */
  private countPending(): void {
    const n = this.pendingCount;
    if (n === 0) return;
    this.pendingCount = 0;
    this.countFrom(this.pending, 0, n);
  }

  /**
   * Counts `n` values given by their bucketIndex(), from `indices` at `from`: as many record() calls, for a
   * caller that holds back indices of several histograms in one array of its own (telemetry.ts).
   */
  countIndices(indices: Uint16Array, from: number, n: number): void {
    this.total += n;
    this.countFrom(indices, from, n);
  }

  private countFrom(indices: Uint16Array, from: number, n: number): void {
    const counts = this.countsToWrite();
    for (let k = from, end = from + n; k < end; k++) {
      const index = indices[k];
      if (counts[index]++ === 0) {
        if (this.touchedCount === this.touched.length) this.growTouched();
        this.touched[this.touchedCount++] = index;
      }
    }
  }

  override merge(other: BucketCounts): void {
    if (other instanceof LatencyCounts) other.countPending();
    super.merge(other);
    if (!(other instanceof LatencyCounts) || other.big === null) return;
    this.big ??= new Map();
    for (const [index, n] of other.big) {
      this.big.set(index, (this.big.get(index) ?? 0) + n);
      this.total += n;
    }
  }

  override clear(): void {
    super.clear();
    this.pendingCount = 0;
    this.big = null;
  }

  override addTo(h: Histogram): void {
    this.countPending();
    super.addTo(h);
  }

  override forEachAscending(visit: (value: number, count: number) => void): void {
    this.countPending();
    super.forEachAscending(visit);
  }

  /** p50, p95 and p99 as HdrHistogram's getValueAtPercentile gives them; zeros when empty. */
  percentiles(): Percentiles {
    const out = [0, 0, 0];
    if (this.total === 0) return { p50: 0, p95: 0, p99: 0 };
    this.countPending();
    const wanted = [countAtPercentile(50, this.total), countAtPercentile(95, this.total), countAtPercentile(99, this.total)];
    let next = 0;
    let cumulative = 0;
    const visit = (index: number, n: number): void => {
      cumulative += n;
      while (next < 3 && cumulative >= wanted[next]) out[next++] = highestAt(index);
    };
    // Every field read before the loops (see addCounts()).
    const counts = this.counts, touched = this.touched, touchedCount = this.touchedCount, big = this.big;
    if (counts.length > 0) {
      // Bucket by bucket up to the highest touched (a few thousand buckets: fewer steps than sorting those touched).
      let top = 0;
      for (let k = 0; k < touchedCount; k++) if (touched[k] > top) top = touched[k];
      for (let index = 0; index <= top && next < 3; index++) {
        if (counts[index] === 0) continue;
        cumulative += counts[index];
        while (next < 3 && cumulative >= wanted[next]) out[next++] = highestAt(index);
      }
    }
    if (big) for (const index of [...big.keys()].sort((a, b) => a - b)) visit(index, big.get(index)!);
    return { p50: out[0], p95: out[1], p99: out[2] };
  }
}
