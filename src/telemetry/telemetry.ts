/**
 * Observed telemetry, as a monitoring stack would record it: per window and per endpoint, journey and service,
 * request counts, errors by cause, latency histograms and service gauges. Memory grows with windows x tags,
 * never with requests: counters for the open window live in one typed array, each tag has one histogram for
 * the open window and one for the whole run, and a closed window keeps only its summary.
 */
import { BUFFERED_LIMIT, bucketIndex, LatencyCounts, type LatencySummary, type Percentiles } from './histogram.js';
import { FlagSplits, type FlagSplit } from './splits.js';

export type { FlagSlice, FlagSplit } from './splits.js';

/** Why a call failed, as its caller saw it. */
export const CAUSE_OK = 0;
export const CAUSE_ERROR = 1;
export const CAUSE_DOWNSTREAM = 2;
export const CAUSE_TIMEOUT = 3;
export const CAUSE_REJECTED = 4;
export const CAUSE_BREAKER_OPEN = 5;
/** A flag with a consistency contract was on in one service of the request and off in another. */
export const CAUSE_CONTRACT = 6;
export const CAUSE_NAMES = ['ok', 'error', 'downstream', 'timeout', 'rejected', 'breaker-open', 'contract'] as const;
export type CauseName = (typeof CAUSE_NAMES)[number];
const CAUSES = CAUSE_NAMES.length;

// Counter fields per tag. Requests are not counted apart: they are the sum of the counts by cause.
const F_CAUSE = 0; // CAUSES fields from here
const F_LATENCY_SUM = F_CAUSE + CAUSES;
const F_STARTED = F_LATENCY_SUM + 1;
const F_WAITED = F_STARTED + 1;
const F_WAIT_SUM = F_WAITED + 1;
const F_MAX = F_WAIT_SUM + 1; // the true maximum latency (a histogram knows only its bucket)
const FIELDS = F_MAX + 1;
/** Latencies each tag holds back (their bucket indices) before its histogram counts them (see record()). */
const HELD = 1024;

export interface TagStats {
  requests: number;
  errors: number;
  byCause: Record<Exclude<CauseName, 'ok'>, number>;
  /** Exact mean latency in microseconds (from the sum, not the histogram). */
  meanUs: number;
  latencyUs: LatencySummary;
  /** Requests that started work in the service (not rejected, not refused by a breaker). */
  started: number;
  /** Of those, the ones that waited in a queue for a worker, and their total wait. */
  waited: number;
  waitSumUs: number;
}

export interface ServiceGauges {
  /** Time-averaged busy workers over all replicas, and as a share of all workers. */
  busy: number;
  utilization: number;
  /** Time-averaged queued requests, and the most at any instant. */
  queued: number;
  maxQueued: number;
  /** Requests queued at the end of the window (of the run, in the totals). */
  endQueued: number;
  /** Time-averaged requests in the service (busy + queued). */
  inFlight: number;
}

export interface WindowSummary {
  startUs: number;
  endUs: number;
  /** Per flag: the journeys that meet it, of users served it and of the others, like with like (splits.ts). */
  flags: FlagSplit[];
  /** Per service, per flag: calls to it of users served the flag and of the others, like with like. */
  serviceFlags: FlagSplit[][];
  endpoints: WindowStats[];
  journeys: WindowStats[];
  services: (WindowStats & WindowGauges)[];
}

/**
 * What a closed window keeps of a tag: what its readers take (the result's window series, its stability section,
 * a drill's page and health grid). A window is kept for the whole run (a drill of days holds thousands), so the
 * rest (causes, mean, waits) stays in the run's totals only: about half the memory a window held.
 */
export type WindowStats = Pick<TagStats, 'requests' | 'errors' | 'latencyUs'>;
export type WindowGauges = Pick<ServiceGauges, 'utilization' | 'queued' | 'maxQueued' | 'endQueued'>;

const windowStats = (t: TagStats): WindowStats => ({ requests: t.requests, errors: t.errors, latencyUs: t.latencyUs });

export interface TelemetrySummary {
  windows: WindowSummary[];
  endpoints: TagStats[];
  journeys: TagStats[];
  services: (TagStats & ServiceGauges)[];
}

export class Telemetry {
  private readonly tags: number;
  private readonly open: Float64Array;
  private readonly total: Float64Array;
  private readonly openHist: LatencyCounts[];
  private readonly totalHist: LatencyCounts[];
  private readonly serviceTotalHist: LatencyCounts[];
  private readonly scratch: LatencyCounts;
  /** Per tag, HELD bucket indices of latencies not yet in its open histogram, and how many there are. */
  private readonly heldIndex: Uint16Array;
  private readonly heldCount: Int32Array;
  /** The endpoints of each service. */
  private readonly serviceEndpoints: number[][];
  readonly windows: WindowSummary[] = [];
  private readonly gaugeTotals: { busyArea: Float64Array; queueArea: Float64Array; maxQueued: Float64Array; endQueued: Float64Array };
  /** When the open window began: a mutable number field from the start (see model/replicas.ts windowBegan). */
  private windowStart = 0.5;
  /** Flag on against flag off, by the users' assignment within journeys: only in runs with flags. */
  readonly splits: FlagSplits | null;

  /**
   * @param endpointService service index of each endpoint
   * @param workers total workers of each service (replicas x concurrency)
   * @param flags for flag on against off: per flag, a byte per journey, whether the journey meets the flag; and
   *   per journey, a byte per service, whether the journey may reach the service (model/reach.ts)
   */
  constructor(
    private readonly endpointService: Int32Array,
    private readonly journeyCount: number,
    private readonly workers: Float64Array,
    flags: { flagJourneys: readonly Uint8Array[]; journeyServices: readonly Uint8Array[] } | null = null,
  ) {
    this.splits = flags && flags.flagJourneys.length > 0
      ? new FlagSplits(workers.length, journeyCount, flags.flagJourneys.length, flags.flagJourneys, flags.journeyServices)
      : null;
    this.tags = endpointService.length + journeyCount;
    this.open = new Float64Array(this.tags * FIELDS);
    this.total = new Float64Array(this.tags * FIELDS);
    this.openHist = Array.from({ length: this.tags }, () => new LatencyCounts());
    this.totalHist = Array.from({ length: this.tags }, () => new LatencyCounts());
    this.serviceTotalHist = Array.from({ length: workers.length }, () => new LatencyCounts());
    this.scratch = new LatencyCounts();
    this.serviceEndpoints = Array.from(workers, (_, s) => [...endpointService.keys()].filter((e) => endpointService[e] === s));
    this.heldIndex = new Uint16Array(this.tags * HELD);
    this.heldCount = new Int32Array(this.tags);
    this.windowStart = 0;
    const n = workers.length;
    this.gaugeTotals = { busyArea: new Float64Array(n), queueArea: new Float64Array(n), maxQueued: new Float64Array(n), endQueued: new Float64Array(n) };
  }

  /** A call to an endpoint ended, as its caller saw it (also used for journeys, at tag endpoints + journey). */
  record(tag: number, latencyUs: number, cause: number): void {
    const base = tag * FIELDS;
    const o = this.open;
    o[base + F_CAUSE + cause]++;
    o[base + F_LATENCY_SUM] += latencyUs;
    if (latencyUs > o[base + F_MAX]) o[base + F_MAX] = latencyUs;
    // The latency's bucket, held back in the tag's row of one array and counted HELD at a time: no call into the
    // histogram per latency (a call per value and the histogram's own fields cost more than the counting), and
    // counting a row touches one tag's buckets many times over while they are in the cache.
    const n = this.heldCount[tag];
    if (n < HELD && latencyUs < BUFFERED_LIMIT) {
      this.heldIndex[tag * HELD + n] = bucketIndex(latencyUs);
      this.heldCount[tag] = n + 1;
    } else this.recordHeldBack(tag, latencyUs);
  }

  /** record() of a latency its tag cannot hold back: its row is full, or the value has no bucket index. */
  private recordHeldBack(tag: number, latencyUs: number): void {
    if (latencyUs >= BUFFERED_LIMIT) {
      this.openHist[tag].record(latencyUs);
      return;
    }
    this.countHeld(tag);
    this.heldIndex[tag * HELD] = bucketIndex(latencyUs);
    this.heldCount[tag] = 1;
  }

  /** Counts tag `tag`'s latencies held back into its open histogram. */
  private countHeld(tag: number): void {
    const n = this.heldCount[tag];
    if (n === 0) return;
    this.heldCount[tag] = 0;
    this.openHist[tag].countIndices(this.heldIndex, tag * HELD, n);
  }

  journeyTag(journey: number): number {
    return this.endpointService.length + journey;
  }

  /** A request began work in a service after waiting `waitUs` in its queue (0 if a worker was free). */
  started(endpoint: number, waitUs: number): void {
    const base = endpoint * FIELDS;
    const o = this.open;
    o[base + F_STARTED]++;
    if (waitUs > 0) {
      o[base + F_WAITED]++;
      o[base + F_WAIT_SUM] += waitUs;
    }
  }

  /**
   * Closes the window ending at `endUs`. Gauges are areas (count x microseconds) accumulated by the model
   * over the window, per service.
   */
  closeWindow(endUs: number, busyArea: Float64Array, queueArea: Float64Array, maxQueued: Float64Array, queuedNow?: ArrayLike<number>): void {
    const span = endUs - this.windowStart;
    if (span <= 0) return;
    const E = this.endpointService.length;
    for (let t = 0; t < this.tags; t++) this.countHeld(t);
    const tagStats = (t: number): TagStats => stats(this.open, t, this.openHist[t]);
    const endpoints = Array.from({ length: E }, (_, e) => tagStats(e));
    const journeys = Array.from({ length: this.journeyCount }, (_, j) => tagStats(E + j));
    const services = Array.from({ length: this.workers.length }, (_, s) => {
      const own = this.serviceEndpoints[s];
      // A service of one endpoint has its histogram; of several, their merge.
      let merged = this.scratch;
      if (own.length === 1) merged = this.openHist[own[0]];
      else {
        this.scratch.clear();
        for (const e of own) this.scratch.merge(this.openHist[e]);
      }
      this.serviceTotalHist[s].merge(merged);
      return {
        ...mergeStats(own.map((e) => endpoints[e]), merged),
        ...gauges(busyArea[s], queueArea[s], maxQueued[s], span, this.workers[s], queuedNow?.[s] ?? 0),
      };
    });
    const split = this.splits?.close();
    const flags = split?.journeys ?? [];
    const serviceFlags = split?.services ?? services.map(() => []);
    this.windows.push({
      startUs: this.windowStart, endUs, flags, serviceFlags, endpoints: endpoints.map(windowStats), journeys: journeys.map(windowStats),
      services: services.map((x) => ({ ...windowStats(x), utilization: x.utilization, queued: x.queued, maxQueued: x.maxQueued, endQueued: x.endQueued })),
    });
    for (let i = 0; i < this.open.length; i++) this.total[i] += this.open[i];
    for (let i = F_MAX; i < this.open.length; i += FIELDS) this.total[i] = Math.max(this.total[i] - this.open[i], this.open[i]);
    this.open.fill(0);
    for (let t = 0; t < this.tags; t++) {
      this.totalHist[t].merge(this.openHist[t]);
      this.openHist[t].clear();
    }
    for (let s = 0; s < this.workers.length; s++) {
      this.gaugeTotals.busyArea[s] += busyArea[s];
      this.gaugeTotals.queueArea[s] += queueArea[s];
      this.gaugeTotals.maxQueued[s] = Math.max(this.gaugeTotals.maxQueued[s], maxQueued[s]);
      this.gaugeTotals.endQueued[s] = queuedNow?.[s] ?? 0;
    }
    this.windowStart = endUs;
  }

  /** Summaries of every window and of the whole run (from 0 to the last closed window). */
  finish(): TelemetrySummary {
    const E = this.endpointService.length;
    const span = this.windowStart;
    const endpoints = Array.from({ length: E }, (_, e) => stats(this.total, e, this.totalHist[e]));
    const journeys = Array.from({ length: this.journeyCount }, (_, j) => stats(this.total, E + j, this.totalHist[E + j]));
    const g = this.gaugeTotals;
    const services = Array.from({ length: this.workers.length }, (_, s) => ({
      ...mergeStats(endpoints.filter((_, e) => this.endpointService[e] === s), this.serviceTotalHist[s]),
      ...gauges(g.busyArea[s], g.queueArea[s], g.maxQueued[s], span, this.workers[s], g.endQueued[s]),
    }));
    return { windows: this.windows, endpoints, journeys, services };
  }
}

function stats(counters: Float64Array, tag: number, h: LatencyCounts): TagStats {
  const base = tag * FIELDS;
  const c = (cause: number) => counters[base + F_CAUSE + cause];
  let requests = 0;
  for (let cause = 0; cause < CAUSES; cause++) requests += c(cause);
  return {
    requests,
    errors: requests - c(CAUSE_OK),
    byCause: {
      error: c(CAUSE_ERROR), downstream: c(CAUSE_DOWNSTREAM), timeout: c(CAUSE_TIMEOUT),
      rejected: c(CAUSE_REJECTED), 'breaker-open': c(CAUSE_BREAKER_OPEN), contract: c(CAUSE_CONTRACT),
    },
    meanUs: requests > 0 ? counters[base + F_LATENCY_SUM] / requests : 0,
    latencyUs: withMax(h.percentiles(), counters[base + F_MAX]),
    started: counters[base + F_STARTED],
    waited: counters[base + F_WAITED],
    waitSumUs: counters[base + F_WAIT_SUM],
  };
}

/** A service's figures: the sum of its endpoints', with percentiles from their merged histogram. */
function mergeStats(parts: TagStats[], merged: LatencyCounts): TagStats {
  const sum = (f: (t: TagStats) => number) => parts.reduce((x, t) => x + f(t), 0);
  const requests = sum((t) => t.requests);
  return {
    requests,
    errors: sum((t) => t.errors),
    byCause: {
      error: sum((t) => t.byCause.error), downstream: sum((t) => t.byCause.downstream), timeout: sum((t) => t.byCause.timeout),
      rejected: sum((t) => t.byCause.rejected), 'breaker-open': sum((t) => t.byCause['breaker-open']),
      contract: sum((t) => t.byCause.contract),
    },
    meanUs: requests > 0 ? sum((t) => t.meanUs * t.requests) / requests : 0,
    // One part's figures are its own (`merged` is its histogram): read once.
    latencyUs: parts.length === 1 ? { ...parts[0].latencyUs } : withMax(merged.percentiles(), parts.reduce((x, t) => Math.max(x, t.latencyUs.max), 0)),
    started: sum((t) => t.started),
    waited: sum((t) => t.waited),
    waitSumUs: sum((t) => t.waitSumUs),
  };
}

/**
 * The true maximum, and percentiles no higher than it: a histogram reads a bucket's edge (three significant
 * digits), which can fall below the largest value recorded or, for a percentile, above it.
 */
function withMax(p: Percentiles, maxUs: number): LatencySummary {
  return { p50: Math.min(p.p50, maxUs), p95: Math.min(p.p95, maxUs), p99: Math.min(p.p99, maxUs), max: maxUs };
}

function gauges(busyArea: number, queueArea: number, maxQueued: number, spanUs: number, workers: number, endQueued: number): ServiceGauges {
  const busy = spanUs > 0 ? busyArea / spanUs : 0;
  const queued = spanUs > 0 ? queueArea / spanUs : 0;
  return { busy, utilization: workers > 0 ? busy / workers : 0, queued, maxQueued, endQueued, inFlight: busy + queued };
}
