/**
 * Replicas: each has busy workers and a FIFO ring of queued records; each service keeps gauges of its busy
 * workers and queued requests for the open telemetry window (areas in count x microseconds).
 */
import type { Scenario } from '../scenario/types.js';
import { Observed } from './observers.js';

/** A number that is not a small integer: a field first set to it holds any number without changing shape. */
const NOT_CONSTANT = 0.5;

export abstract class Replicas extends Observed {
  protected readonly busy: Int32Array;
  protected readonly qHead: Int32Array;
  protected readonly qLen: Int32Array;
  protected readonly qBuf: Int32Array[];
  protected readonly roundRobin: Int32Array;

  // Per-service gauges for the open window: busy workers and queued requests now (change them with busyUp(),
  // busyDown(), queuedUp() and queuedDown()), and their areas over the window (count x microseconds), kept as sums
  // of signed instants: a count going up at t adds -(t - windowBegan), going down adds t - windowBegan, and
  // closeWindow() adds count x (end - windowBegan). One addition per change, and exact: every term is an integer.
  protected readonly svcBusy: Int32Array;
  protected readonly svcQueued: Int32Array;
  private readonly busyArea: Float64Array;
  private readonly queueArea: Float64Array;
  /**
   * When the open window began (microseconds). Made a mutable number field here, as closeWindow() will make it:
   * changed first at the first window's end, it changed the object's shape under every compiled method of the
   * simulation, which were all thrown away and compiled again a simulated minute into every run.
   */
  private windowBegan = NOT_CONSTANT;
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
    this.busyArea = new Float64Array(S);
    this.queueArea = new Float64Array(S);
    this.windowBegan = 0;
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

  /** A worker of service `s` takes a request. */
  protected busyUp(s: number): void {
    this.busyArea[s] -= this.engine.now - this.windowBegan;
    this.svcBusy[s]++;
  }

  /** A worker of service `s` is free. */
  protected busyDown(s: number): void {
    this.busyArea[s] += this.engine.now - this.windowBegan;
    this.svcBusy[s]--;
  }

  /** A request joins a queue of service `s`. */
  protected queuedUp(s: number): void {
    this.queueArea[s] -= this.engine.now - this.windowBegan;
    if (++this.svcQueued[s] > this.maxQueued[s]) this.maxQueued[s] = this.svcQueued[s];
  }

  /** A request leaves a queue of service `s`. */
  protected queuedDown(s: number): void {
    this.queueArea[s] += this.engine.now - this.windowBegan;
    this.svcQueued[s]--;
  }

  /** Closes the telemetry window ending at `end`. */
  protected closeWindow(end: number): void {
    const S = this.model.serviceNames.length;
    const span = end - this.windowBegan;
    for (let s = 0; s < S; s++) {
      this.busyArea[s] += this.svcBusy[s] * span;
      this.queueArea[s] += this.svcQueued[s] * span;
    }
    this.telemetry.closeWindow(end, this.busyArea, this.queueArea, this.maxQueued, this.svcQueued);
    this.busyArea.fill(0);
    this.queueArea.fill(0);
    this.windowBegan = end;
    for (let s = 0; s < S; s++) this.maxQueued[s] = this.svcQueued[s];
  }
}
