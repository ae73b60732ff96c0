/**
 * Latency counts for comparisons, where many small distributions are kept at once (per flag, journey and state,
 * per time slot): HdrHistogram's bucket layout with 256 sub-buckets instead of 2048, so that a bucket is at most
 * 0.8% wide (two significant digits and more), and each octave's row of 128 counters allocated when first
 * touched. A distribution over a few octaves holds a few kilobytes where a BucketCounts holds 90.
 *
 * Weighted mixtures of several of them (a journey's share of the compared requests as its weight) give the
 * percentiles of flag-on and flag-off traffic with the journey mix held equal (mixturePercentiles).
 */

/** log2 of half the sub-buckets per octave: values below 256 have a bucket each. */
const HALF_MAG = 7;
const HALF = 1 << HALF_MAG;
const MASK = 2 * HALF - 1;
/** Values from 2^31 microseconds (35 minutes) up are counted in the last bucket. */
const LIMIT = 2 ** 31;
const ROWS = 31 - HALF_MAG + 2;

function indexOf(value: number): number {
  const v = value < LIMIT ? value : LIMIT - 1;
  const bucket = 32 - Math.clz32(v | MASK) - (HALF_MAG + 1);
  return ((bucket + 1) << HALF_MAG) + ((v >>> bucket) - HALF);
}

/** The lowest value of the bucket at `index`. */
export function lowestOf(index: number): number {
  let bucket = (index >> HALF_MAG) - 1;
  let sub = (index & (HALF - 1)) + HALF;
  if (bucket < 0) {
    sub -= HALF;
    bucket = 0;
  }
  return sub * 2 ** bucket;
}

/** The highest value of the bucket at `index` (what HdrHistogram reports for a percentile that lands in it). */
export function highestOf(index: number): number {
  return lowestOf(index + 1) - 1;
}

export class CoarseCounts {
  private readonly rows: (Uint32Array | null)[] = new Array(ROWS).fill(null);
  total = 0;
  sum = 0;

  record(value: number): void {
    const i = indexOf(value);
    const r = i >>> HALF_MAG;
    const row = this.rows[r] ?? (this.rows[r] = new Uint32Array(HALF));
    row[i & (HALF - 1)]++;
    this.total++;
    this.sum += value;
  }

  /** Adds another's counts to these. */
  merge(other: CoarseCounts): void {
    if (other.total === 0) return;
    for (let r = 0; r < ROWS; r++) {
      const from = other.rows[r];
      if (from === null) continue;
      const to = this.rows[r] ?? (this.rows[r] = new Uint32Array(HALF));
      for (let k = 0; k < HALF; k++) to[k] += from[k];
    }
    this.total += other.total;
    this.sum += other.sum;
  }

  clear(): void {
    if (this.total === 0) return;
    for (const row of this.rows) row?.fill(0);
    this.total = 0;
    this.sum = 0;
  }

  /** Visits (bucket index, count) for every bucket with values, in increasing order of value. */
  forEachBucket(visit: (index: number, count: number) => void): void {
    if (this.total === 0) return;
    for (let r = 0; r < ROWS; r++) {
      const row = this.rows[r];
      if (row === null) continue;
      for (let k = 0; k < HALF; k++) if (row[k] > 0) visit((r << HALF_MAG) + k, row[k]);
    }
  }

  /** (lowest value of the bucket, count) pairs in increasing order: the form the rank tests read. */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    this.forEachBucket((i, c) => out.push([lowestOf(i), c]));
    return out;
  }

  /** The row of counters `r`, or null if nothing was counted there (for mixtures). */
  row(r: number): Uint32Array | null {
    return this.rows[r];
  }
}

/**
 * Percentiles (0 to 100, ascending) of a mixture: each part's distribution scaled to its weight (weights need
 * not sum to 1; parts without values are skipped). Each percentile is read as HdrHistogram reads one, the
 * highest value of the bucket where the cumulative weight first reaches that share. Null without values.
 */
export function mixturePercentiles(parts: readonly { counts: CoarseCounts; weight: number }[], ps: readonly number[]): (number | null)[] {
  const live = parts.filter((p) => p.counts.total > 0 && p.weight > 0);
  if (live.length === 0) return ps.map(() => null);
  const totalWeight = live.reduce((s, p) => s + p.weight, 0);
  const out: (number | null)[] = ps.map(() => null);
  let next = 0;
  let cumulative = 0;
  const row = new Float64Array(HALF);
  for (let r = 0; r < ROWS && next < ps.length; r++) {
    let touched = false;
    for (const p of live) {
      const counts = p.counts.row(r);
      if (counts === null) continue;
      const scale = p.weight / totalWeight / p.counts.total;
      if (!touched) row.fill(0);
      touched = true;
      for (let k = 0; k < HALF; k++) row[k] += counts[k] * scale;
    }
    if (!touched) continue;
    for (let k = 0; k < HALF && next < ps.length; k++) {
      if (row[k] === 0) continue;
      cumulative += row[k];
      // A relative tolerance: the weights are fractions, and a share that should reach p/100 exactly may fall short by an ulp.
      while (next < ps.length && cumulative >= ps[next] / 100 - 1e-12) out[next++] = highestOf((r << HALF_MAG) + k);
    }
  }
  // Rounding left the top percentiles unreached: they lie in the last bucket with values.
  if (next < ps.length) {
    let last = 0;
    for (const p of live) p.counts.forEachBucket((i) => (last = Math.max(last, i)));
    while (next < ps.length) out[next++] = highestOf(last);
  }
  return out;
}
