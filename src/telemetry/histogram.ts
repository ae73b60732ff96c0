/**
 * Latency histograms: HdrHistogram (hdr-histogram-js, WebAssembly build: about 17 ns a record against 130 ns
 * for its pure-JS build on these machines). Values are integer microseconds, three significant digits.
 * WebAssembly histograms hold memory outside the JS heap: whoever builds one destroys it.
 */
import * as hdr from 'hdr-histogram-js';

let ready = false;

export type Histogram = hdr.Histogram;

export function newHistogram(): Histogram {
  if (!ready) {
    hdr.initWebAssemblySync();
    ready = true;
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
/** Values from here up go straight to the histogram (over 35 minutes in microseconds). */
const BUFFERED_LIMIT = 2 ** 31;
const SLOTS = (31 - SUB_BUCKET_HALF_MAGNITUDE + 1) * SUB_BUCKET_HALF;

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
export class BucketCounts {
  protected counts: Uint32Array | null = null;
  protected touched = new Int32Array(64);
  protected touchedCount = 0;
  total = 0;
  sum = 0;

  record(value: number): void {
    this.add(indexOf(value < BUFFERED_LIMIT ? value : BUFFERED_LIMIT - 1), 1);
    this.sum += value;
  }

  protected add(index: number, n: number): void {
    const counts = this.counts ?? (this.counts = new Uint32Array(SLOTS));
    if (counts[index] === 0) {
      if (this.touchedCount === this.touched.length) this.growTouched();
      this.touched[this.touchedCount++] = index;
    }
    counts[index] += n;
    this.total += n;
  }

  protected growTouched(): void {
    const grown = new Int32Array(this.touched.length * 2);
    grown.set(this.touched);
    this.touched = grown;
  }

  /** Adds another's counts to these. */
  merge(other: BucketCounts): void {
    if (!other.counts) return;
    for (let k = 0; k < other.touchedCount; k++) this.add(other.touched[k], other.counts[other.touched[k]]);
    this.sum += other.sum;
  }

  clear(): void {
    if (this.counts) for (let k = 0; k < this.touchedCount; k++) this.counts[this.touched[k]] = 0;
    this.touchedCount = 0;
    this.total = 0;
    this.sum = 0;
  }

  /** Records the counts into an HdrHistogram (they land in the same buckets). */
  addTo(h: Histogram): void {
    if (!this.counts) return;
    for (let k = 0; k < this.touchedCount; k++) {
      const index = this.touched[k];
      h.recordValueWithCount(valueAt(index), this.counts[index]);
    }
  }

  /** Visits (bucket value, count) in increasing order of value. */
  forEachAscending(visit: (value: number, count: number) => void): void {
    if (!this.counts) return;
    const indices = Array.from(this.touched.subarray(0, this.touchedCount)).sort((a, b) => a - b);
    for (const index of indices) visit(valueAt(index), this.counts[index]);
  }
}

/**
 * A recording buffer in front of an HdrHistogram: the simulator's hot path counts values in HdrHistogram's own
 * bucket layout, and the counts are flushed into the histogram with recordValueWithCount when a window closes.
 * It keeps no total of its own (the histogram counts), and no sum.
 * Every value lands in the bucket it would have landed in directly, so percentiles, counts and max are
 * identical; it only saves a WebAssembly call per value (the call was about 15% of the engine benchmark).
 */
export class HistogramBuffer extends BucketCounts {
  constructor(private readonly target: Histogram) {
    super();
  }

  override record(value: number): void {
    if (value >= BUFFERED_LIMIT) {
      this.target.recordValue(value);
      return;
    }
    // add(index, 1) in one read and write of the bucket's count (and the bucket noted when it is the first).
    const index = indexOf(value);
    const counts = this.counts ?? (this.counts = new Uint32Array(SLOTS));
    if (counts[index]++ === 0) {
      if (this.touchedCount === this.touched.length) this.growTouched();
      this.touched[this.touchedCount++] = index;
    }
  }

  /** Moves the buffered counts into the histogram. */
  flush(): void {
    this.addTo(this.target);
    this.clear();
  }
}
