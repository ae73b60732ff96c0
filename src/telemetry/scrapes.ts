/**
 * Telemetry at scrape resolution: what a Prometheus server scraping every service at a fixed interval would
 * hold. Calls are counted per label group (endpoint, journey, segment, the flags' states, status code) into a
 * latency histogram with fixed bucket bounds, a count and a sum; at each scrape the cumulative values of every
 * group seen so far are kept. Memory grows with scrapes x groups, never with requests; recording is a few
 * array writes (a group is allocated the first time its labels appear, as a real exporter would).
 */

/** Status codes reported for each cause of failure (telemetry.ts CAUSE_*): ok, error, downstream, timeout, rejected, breaker-open, contract. */
export const CAUSE_STATUS = [200, 500, 502, 504, 503, 503, 500] as const;
const STATUS_CODES = [200, 500, 502, 503, 504];
const CODE_OF_CAUSE = Int32Array.from(CAUSE_STATUS, (c) => STATUS_CODES.indexOf(c));

/** The OpenTelemetry advisory bounds for http.server.request.duration, in seconds. */
export const DEFAULT_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/** The most entries of the direct table of groups (4 MB of Int32). */
const DIRECT_LIMIT = 1 << 20;

export interface ScrapeShape {
  readonly endpoints: number;
  readonly journeys: number;
  readonly segments: number;
  readonly flags: number;
}

/** One label group: indices into the model's names (-1: none). */
export interface ScrapeGroup {
  readonly endpoint: number;
  readonly journey: number;
  readonly segment: number;
  /** A bit per flag that was on for the call. */
  readonly flagsOn: number;
  readonly status: number;
}

export class ScrapeRecorder {
  /** Bounds of the histogram buckets in microseconds (le, inclusive); the +Inf bucket is the count. */
  readonly boundsUs: Float64Array;
  readonly bucketsSeconds: readonly number[];
  /** Fields per group and scrape: one per bucket bound, then the count, then the sum of latencies (microseconds). */
  readonly stride: number;
  readonly groups: ScrapeGroup[] = [];
  /** The group of each cell (endpoint, journey, segment, code) and combination of flags on, or -1 until it appears. */
  private readonly cellGroup: Int32Array;
  /** Combinations of flags per cell in cellGroup (2^flags), or -1 when cellFlags holds the groups instead. */
  private readonly flagBits: number;
  private readonly cellFlags: (Map<number, number> | null)[];
  /** Open interval: per group, non-cumulative bucket counts, count, sum. */
  private open = new Float64Array(0);
  /** Running totals per group, le-cumulative buckets. */
  private total = new Float64Array(0);
  /** Closed scrapes: row k holds groupsAt[k] groups x stride values, starting at rowStart[k]. */
  private data = new Float64Array(0);
  private dataLength = 0;
  private rowStart: number[] = [];
  private groupsAt: number[] = [];
  private nextScrapeUs: number;
  private touched = false;

  constructor(
    readonly shape: ScrapeShape,
    readonly intervalUs: number,
    bucketsSeconds: readonly number[] = DEFAULT_BUCKETS_SECONDS,
  ) {
    this.bucketsSeconds = [...bucketsSeconds];
    this.boundsUs = Float64Array.from(bucketsSeconds, (s) => s * 1e6);
    this.stride = bucketsSeconds.length + 2;
    const cells = shape.endpoints * (shape.journeys + 1) * (shape.segments + 1) * STATUS_CODES.length;
    // A group per cell and combination of flags in one table while it stays small; else a map per cell.
    const direct = shape.flags <= 16 && cells * 2 ** shape.flags <= DIRECT_LIMIT;
    this.flagBits = direct ? 2 ** shape.flags : -1;
    this.cellGroup = new Int32Array(direct ? cells * this.flagBits : 0).fill(-1);
    this.cellFlags = direct ? [] : new Array(cells).fill(null);
    this.nextScrapeUs = intervalUs;
  }

  /** Scrapes taken so far; scrape k (from 0) was taken at (k + 1) x interval. */
  get scrapes(): number {
    return this.rowStart.length;
  }

  /** A call to endpoint `e` ended at `nowUs` (journey and segment -1 when unknown). Hot path: no allocation once a group exists. */
  record(nowUs: number, e: number, journey: number, segment: number, flagsOn: number, cause: number, latencyUs: number): void {
    if (nowUs >= this.nextScrapeUs) this.scrapeUntil(nowUs);
    const sh = this.shape;
    const code = CODE_OF_CAUSE[cause];
    const cell = ((e * (sh.journeys + 1) + journey + 1) * (sh.segments + 1) + segment + 1) * STATUS_CODES.length + code;
    let g: number;
    if (this.flagBits >= 0) {
      const at = cell * this.flagBits + flagsOn;
      g = this.cellGroup[at];
      if (g < 0) g = this.cellGroup[at] = this.addGroup(e, journey, segment, flagsOn, code);
    } else {
      let m = this.cellFlags[cell];
      if (m === null) m = this.cellFlags[cell] = new Map();
      const found = m.get(flagsOn);
      if (found === undefined) {
        g = this.addGroup(e, journey, segment, flagsOn, code);
        m.set(flagsOn, g);
      } else g = found;
    }
    const base = g * this.stride;
    const bounds = this.boundsUs;
    let b = 0;
    while (b < bounds.length && latencyUs > bounds[b]) b++;
    const o = this.open;
    o[base + b]++; // b = bounds.length lands in the count slot: only the +Inf bucket holds it
    if (b < bounds.length) o[base + bounds.length]++;
    o[base + bounds.length + 1] += latencyUs;
    this.touched = true;
  }

  /** Takes every scrape due at or before `nowUs`. */
  scrapeUntil(nowUs: number): void {
    while (this.nextScrapeUs <= nowUs) {
      this.scrape();
      this.nextScrapeUs += this.intervalUs;
    }
  }

  private addGroup(endpoint: number, journey: number, segment: number, flagsOn: number, code: number): number {
    const g = this.groups.length;
    this.groups.push({ endpoint, journey, segment, flagsOn, status: STATUS_CODES[code] });
    const need = (g + 1) * this.stride;
    if (need > this.open.length) {
      const size = Math.max(need, this.open.length * 2, 16 * this.stride);
      const open = new Float64Array(size);
      open.set(this.open);
      this.open = open;
      const total = new Float64Array(size);
      total.set(this.total);
      this.total = total;
    }
    return g;
  }

  private scrape(): void {
    const n = this.groups.length;
    const st = this.stride;
    const B = st - 2;
    if (this.touched) {
      const o = this.open;
      const t = this.total;
      for (let g = 0; g < n; g++) {
        const base = g * st;
        let cum = 0;
        for (let b = 0; b < B; b++) {
          cum += o[base + b];
          t[base + b] += cum;
        }
        t[base + B] += o[base + B];
        t[base + B + 1] += o[base + B + 1];
      }
      o.fill(0, 0, n * st);
      this.touched = false;
    }
    const need = this.dataLength + n * st;
    if (need > this.data.length) {
      const grown = new Float64Array(Math.max(need, this.data.length * 2, 1024));
      grown.set(this.data.subarray(0, this.dataLength));
      this.data = grown;
    }
    this.data.set(this.total.subarray(0, n * st), this.dataLength);
    this.rowStart.push(this.dataLength);
    this.groupsAt.push(n);
    this.dataLength = need;
  }

  /** Time of scrape k in microseconds from the start of the run. */
  scrapeTimeUs(k: number): number {
    return (k + 1) * this.intervalUs;
  }

  /** The first scrape that holds group g, or -1 if none does yet. */
  firstScrape(g: number): number {
    let lo = 0, hi = this.groupsAt.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.groupsAt[mid] > g) hi = mid;
      else lo = mid + 1;
    }
    return lo < this.groupsAt.length ? lo : -1;
  }

  /**
   * The cumulative value of a field of group g at scrape k: field b < buckets is the le-cumulative bucket b,
   * `buckets` the count, `buckets + 1` the latency sum in microseconds. NaN when the group did not exist yet.
   */
  value(g: number, k: number, field: number): number {
    if (g >= this.groupsAt[k]) return NaN;
    return this.data[this.rowStart[k] + g * this.stride + field];
  }
}
