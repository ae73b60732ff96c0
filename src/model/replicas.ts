/**
 * Replicas: each has busy workers and a FIFO ring of queued records; each service keeps gauges of its busy
 * workers and queued requests for the open telemetry window (areas in count x microseconds).
 */
import type { Scenario } from '../scenario/types.js';
import { Observed } from './observers.js';

export abstract class Replicas extends Observed {
  protected readonly busy: Int32Array;
  protected readonly qHead: Int32Array;
  protected readonly qLen: Int32Array;
  protected readonly qBuf: Int32Array[];
  protected readonly roundRobin: Int32Array;

  // Per-service gauges for the open window.
  protected readonly svcBusy: Int32Array;
  protected readonly svcQueued: Int32Array;
  private readonly svcLastChange: Float64Array;
  private readonly busyArea: Float64Array;
  private readonly queueArea: Float64Array;
  protected readonly maxQueued: Float64Array;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    const S = m.serviceNames.length;
    const R = m.replicaService.length;
    this.busy = new Int32Array(R);
    this.qHead = new Int32Array(R);
    this.qLen = new Int32Array(R);
    this.qBuf = Array.from({ length: R }, (_, r) => new Int32Array(Math.min(64, Math.max(1, m.serviceQueue[m.replicaService[r]]))));
    this.roundRobin = new Int32Array(S);
    this.svcBusy = new Int32Array(S);
    this.svcQueued = new Int32Array(S);
    this.svcLastChange = new Float64Array(S);
    this.busyArea = new Float64Array(S);
    this.queueArea = new Float64Array(S);
    this.maxQueued = new Float64Array(S);
  }

  protected enqueue(r: number, rec: number): void {
    let buf = this.qBuf[r];
    if (this.qLen[r] === buf.length) {
      const bigger = new Int32Array(buf.length * 2);
      for (let i = 0; i < this.qLen[r]; i++) bigger[i] = buf[(this.qHead[r] + i) % buf.length];
      this.qBuf[r] = buf = bigger;
      this.qHead[r] = 0;
    }
    // The ring's slot after the last queued record, without a division (a modulo costs tens of cycles).
    let at = this.qHead[r] + this.qLen[r];
    if (at >= buf.length) at -= buf.length;
    buf[at] = rec;
    this.qLen[r]++;
  }

  protected dequeue(r: number): number {
    const buf = this.qBuf[r];
    const rec = buf[this.qHead[r]];
    this.qHead[r] = this.qHead[r] + 1 === buf.length ? 0 : this.qHead[r] + 1;
    this.qLen[r]--;
    return rec;
  }

  /** Accumulates a service's busy and queue areas up to now, before its counts change. */
  protected gaugeChange(s: number): void {
    const now = this.engine.now;
    const dt = now - this.svcLastChange[s];
    if (dt > 0) {
      // Adding a zero area changes nothing: an empty queue (or an idle service) leaves its area as it is.
      const busy = this.svcBusy[s];
      if (busy !== 0) this.busyArea[s] += busy * dt;
      const queued = this.svcQueued[s];
      if (queued !== 0) this.queueArea[s] += queued * dt;
      this.svcLastChange[s] = now;
    }
  }

  /** Closes the telemetry window ending at `end`. */
  protected closeWindow(end: number): void {
    const S = this.model.serviceNames.length;
    for (let s = 0; s < S; s++) this.gaugeChange(s);
    this.telemetry.closeWindow(end, this.busyArea, this.queueArea, this.maxQueued, this.svcQueued);
    this.busyArea.fill(0);
    this.queueArea.fill(0);
    for (let s = 0; s < S; s++) this.maxQueued[s] = this.svcQueued[s];
  }
}
