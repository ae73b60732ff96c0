/**
 * A worker pool: `workers` slots; a request takes one on arrival and holds it for its whole handling, its
 * synchronous calls included; requests beyond the slots wait in order (the queue is unbounded). It also keeps the
 * figures a monitoring agent would: time-weighted busy slots and queue length, and each wait.
 */
import { performance } from 'node:perf_hooks';

export class WorkerPool {
  constructor(workers) {
    this.workers = workers;
    this.busy = 0;
    this.waiting = [];
    this.reset();
  }

  reset() {
    this.since = performance.now();
    this.last = this.since;
    this.busyArea = 0;
    this.queueArea = 0;
    this.maxQueued = this.waiting.length;
    this.waits = [];
  }

  advance() {
    const now = performance.now();
    this.busyArea += this.busy * (now - this.last);
    this.queueArea += this.waiting.length * (now - this.last);
    this.last = now;
    return now;
  }

  /** Resolves with the time waited, in ms, once a slot is held. */
  acquire() {
    const asked = this.advance();
    if (this.busy < this.workers) {
      this.busy++;
      this.waits.push(0);
      return Promise.resolve(0);
    }
    return new Promise((resolve) => {
      this.waiting.push((now) => {
        const waited = now - asked;
        this.waits.push(waited);
        resolve(waited);
      });
      this.maxQueued = Math.max(this.maxQueued, this.waiting.length);
    });
  }

  release() {
    const now = this.advance();
    const next = this.waiting.shift();
    if (next) next(now); // the slot passes straight to the next in line
    else this.busy--;
  }

  /** What was kept since the last reset: slot-ms busy, request-ms queued, the longest queue, each wait (ms). */
  snapshot() {
    this.advance();
    return { busyArea: this.busyArea, queueArea: this.queueArea, maxQueued: this.maxQueued, waits: this.waits };
  }
}
