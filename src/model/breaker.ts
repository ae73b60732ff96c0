/**
 * Circuit breakers, one per call edge (caller service -> target service), in the manner of Resilience4j:
 * closed, the failure rate over a sliding window (ten buckets) is watched and, past its threshold with enough
 * requests, the breaker opens; open, calls fail at once for `open-for`; then half-open, a few probe calls go
 * through and their failure rate decides between closing and opening again.
 */
import type { Engine } from '../engine/engine.js';
import type { CompiledModel } from './compile.js';

const CLOSED = 0;
const OPEN = 1;
const HALF_OPEN = 2;
const BUCKETS = 10;

export type BreakerState = 'open' | 'half-open' | 'closed';

export class Breakers {
  readonly log: { timeUs: number; breaker: string; to: BreakerState }[] = [];
  private readonly state: Uint8Array;
  private readonly openUntil: Float64Array;
  private readonly bucketWidth: Float64Array;
  private readonly lastBucket: Float64Array;
  private readonly requests: Float64Array;
  private readonly failures: Float64Array;
  private readonly probesSent: Int32Array;
  private readonly probesDone: Int32Array;
  private readonly probesFailed: Int32Array;

  constructor(private readonly m: CompiledModel, private readonly engine: Engine) {
    const n = m.breakerNames.length;
    this.state = new Uint8Array(n);
    this.openUntil = new Float64Array(n);
    this.bucketWidth = Float64Array.from(m.breakerWindow, (w) => Math.max(1, w / BUCKETS));
    this.lastBucket = new Float64Array(n);
    this.requests = new Float64Array(n * BUCKETS);
    this.failures = new Float64Array(n * BUCKETS);
    this.probesSent = new Int32Array(n);
    this.probesDone = new Int32Array(n);
    this.probesFailed = new Int32Array(n);
  }

  /** Whether a call may go through now. */
  allow(b: number): boolean {
    const st = this.state[b];
    if (st === CLOSED) return true;
    if (st === OPEN) {
      if (this.engine.now < this.openUntil[b]) return false;
      this.transition(b, HALF_OPEN);
    }
    if (this.probesSent[b] >= this.m.breakerProbes[b]) return false;
    this.probesSent[b]++;
    return true;
  }

  /** The outcome of a call that went through. */
  record(b: number, failed: boolean): void {
    const st = this.state[b];
    if (st === HALF_OPEN) {
      this.probesDone[b]++;
      if (failed) this.probesFailed[b]++;
      const probes = this.m.breakerProbes[b];
      if (this.probesDone[b] >= probes) {
        if (this.probesFailed[b] / probes >= this.m.breakerErrorRate[b]) this.open(b);
        else this.transition(b, CLOSED);
      }
      return;
    }
    if (st === OPEN) return; // a reply to a call sent before the breaker opened
    const bucket = Math.floor(this.engine.now / this.bucketWidth[b]);
    this.rotate(b, bucket);
    const i = b * BUCKETS + (bucket % BUCKETS);
    this.requests[i]++;
    if (failed) this.failures[i]++;
    let req = 0, fail = 0;
    for (let j = b * BUCKETS, end = j + BUCKETS; j < end; j++) {
      req += this.requests[j];
      fail += this.failures[j];
    }
    if (req >= this.m.breakerMinRequests[b] && fail / req >= this.m.breakerErrorRate[b]) this.open(b);
  }

  private rotate(b: number, bucket: number): void {
    const last = this.lastBucket[b];
    if (bucket === last) return;
    const stale = Math.min(BUCKETS, bucket - last);
    for (let k = 1; k <= stale; k++) {
      const i = b * BUCKETS + ((last + k) % BUCKETS);
      this.requests[i] = 0;
      this.failures[i] = 0;
    }
    this.lastBucket[b] = bucket;
  }

  private open(b: number): void {
    this.openUntil[b] = this.engine.now + this.m.breakerOpenFor[b];
    this.transition(b, OPEN);
  }

  private transition(b: number, to: number): void {
    this.state[b] = to;
    this.probesSent[b] = 0;
    this.probesDone[b] = 0;
    this.probesFailed[b] = 0;
    if (to === CLOSED) {
      this.requests.fill(0, b * BUCKETS, (b + 1) * BUCKETS);
      this.failures.fill(0, b * BUCKETS, (b + 1) * BUCKETS);
    }
    this.log.push({ timeUs: this.engine.now, breaker: this.m.breakerNames[b], to: to === OPEN ? 'open' : to === HALF_OPEN ? 'half-open' : 'closed' });
  }
}
