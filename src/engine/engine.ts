import { EventQueue } from './queue.js';

/** Receives events in time order. Implemented by the model; the engine knows nothing about what events mean. */
export interface EventHandler {
  handle(kind: number, a: number, b: number): void;
}

/**
 * The simulation kernel: an integer-microsecond clock and an event queue. Verbs: now, at, after, step, run.
 */
export class Engine {
  /** Current simulated time, in integer microseconds. */
  now = 0;
  /** Events dispatched so far. */
  dispatched = 0;
  private readonly queue = new EventQueue();
  private stopped = false;

  /**
   * @param rareFrom event kinds from this one up are rare (a few a simulated second): run() hands them to the handler
   *   outside its loop. The compiler builds the loop's code from the kinds it has seen; a kind first seen after that
   *   (a window's end, a simulated minute in; a fault's start) threw the whole loop's code away, to be built again,
   *   once for each such kind. Outside the loop, a rare kind costs a call.
   */
  constructor(private readonly rareFrom = Infinity) {}

  /** Stops run() after the event being handled (the model has nothing left to do). */
  halt(): void {
    this.stopped = true;
  }

  /** Schedules an event at absolute time `time` (microseconds, not before now). */
  at(time: number, kind: number, a: number, b: number): void {
    this.queue.push(time < this.now ? this.now : time, kind, a, b);
  }

  /** Schedules an event `delay` microseconds from now. */
  after(delay: number, kind: number, a: number, b: number): void {
    this.queue.push(this.now + delay, kind, a, b);
  }

  /**
   * A lane for events of kind `kind` that are always scheduled `delay` microseconds ahead with afterIn() (a
   * call's timeout): they leave in the order they were scheduled, and wait outside the heap. -1 when none is left.
   */
  lane(kind: number): number {
    return this.queue.lane(kind);
  }

  /**
   * Schedules an event of lane `lane`'s kind its fixed delay `delay` from now (see lane()); returns its ticket,
   * for cancelIn().
   */
  afterIn(lane: number, delay: number, a: number, b: number): number {
    return this.queue.pushLane(lane, this.now + delay, a, b);
  }

  /** Cancels the event of lane `lane` with ticket `ticket` (from afterIn), if it has not happened yet. */
  cancelIn(lane: number, ticket: number): void {
    this.queue.cancel(lane, ticket);
  }

  /** True once the model has said it has nothing left to do. */
  get halted(): boolean {
    return this.stopped;
  }

  get pending(): number {
    return this.queue.size;
  }

  nextTime(): number {
    return this.queue.peekTime();
  }

  /** Dispatches the next event; false when none is left. */
  step(handler: EventHandler): boolean {
    const q = this.queue;
    if (!q.pop()) return false;
    this.now = q.topTime;
    this.dispatched++;
    handler.handle(q.topKind, q.topA, q.topB);
    return true;
  }

  /** Dispatches every event due at or before `until`, then leaves the clock at `until` (if finite). */
  run(until: number, handler: EventHandler): void {
    const q = this.queue;
    for (;;) {
      const n = this.dispatch(until, handler);
      if (n >= 0) {
        this.dispatched += n;
        break;
      }
      // The loop stopped at a rare event: it is handled here.
      this.dispatched -= n;
      handler.handle(q.topKind, q.topA, q.topB);
    }
    if (until !== Infinity && this.now < until) this.now = until;
  }

  /**
   * run()'s loop: returns the number of events dispatched, or, when it stopped at a rare event (see the
   * constructor), minus that number with the rare one counted, for run() to handle. A function of its own, which
   * ends in nothing but its return: the compiler replaces a long loop's code while it runs (on-stack replacement)
   * before the code after the loop ever ran, and code after it that reads or writes a field then fell back to the
   * interpreter at every end of the loop (a run is stepped a simulated second at a time: thousands of times an hour).
   */
  private dispatch(until: number, handler: EventHandler): number {
    const q = this.queue;
    const rareFrom = this.rareFrom;
    let n = 0;
    while (!this.stopped && q.popUntil(until)) {
      this.now = q.topTime;
      n++;
      if (q.topKind >= rareFrom) return -n;
      handler.handle(q.topKind, q.topA, q.topB);
    }
    return n;
  }
}
