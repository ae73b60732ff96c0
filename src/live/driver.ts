/**
 * The paced driver: keeps a drill's simulated clock at wall time x speed by stepping the session in small slices
 * from a timer. The engine never sees wall time. Each tick runs for a bounded share of the event loop so that
 * the server stays responsive; when the simulation cannot keep up, the clock simply runs slower than asked.
 */
import type { DrillSession } from './session.js';

export interface DriverOptions {
  speed: number;
  /** Milliseconds between ticks. */
  tickMs?: number;
  /** Wall milliseconds of simulation work per tick at most. */
  budgetMs?: number;
  /** Called after every tick that moved the clock, and when the drill ends. */
  onTick?: () => void;
  onEnd?: () => void;
  now?: () => number;
}

/** The pace a slice too quick to measure may grow to: 30 simulated ms a slice (the first guess of 0.14.0). */
const UNMEASURED_US_PER_MS = 10_000;

export class PacedDriver {
  speed: number;
  paused = false;
  private anchorWallMs = 0;
  private anchorSimUs = 0;
  private timer: NodeJS.Timeout | null = null;
  private immediate: NodeJS.Immediate | null = null;
  private readonly tickMs: number;
  private readonly budgetMs: number;
  private readonly now: () => number;
  private endNotified = false;
  /**
   * Simulated microseconds the simulation covers per wall millisecond of work (measured as it runs). It starts at
   * the engine's resolution and grows as slices prove cheap: a first guess of 10 ms a millisecond made the first
   * slice 30 ms of a drill forced past the work limit (1e9 journeys a second: 3e7 journeys), which held the event
   * loop for over a minute, a SIGTERM and every request unanswered.
   */
  private usPerMs = 1;
  /**
   * Simulated time the clock fell behind wall time x speed (the simulation could not keep up) since the pace was
   * last set: time lost at another speed is not held against this one (slowed down to a speed the simulation keeps
   * up with, the drill is on pace, not minutes behind for what it lost before).
   */
  lagUs = 0;
  /**
   * The simulated instant the pace is judged from: where the speed was last set, or where an interrupted drill was
   * resumed (its driver is new: time lost before the interruption is not held against it); null: the start.
   */
  paceFromUs: number | null = null;
  /** Why the pace is judged from paceFromUs: the speed was set there, or the drill was resumed there. */
  paceFrom: 'speed' | 'resume' = 'speed';
  /** (wall ms, simulated µs) after recent ticks, for the achieved speed. */
  private readonly recent: [number, number][] = [];

  constructor(private readonly session: DrillSession, private readonly options: DriverOptions) {
    this.speed = options.speed;
    // Short holds of the event loop, often: a page's request waits behind at most one slice of 15 ms.
    this.tickMs = options.tickMs ?? 25;
    this.budgetMs = options.budgetMs ?? 15;
    this.now = options.now ?? (() => performance.now());
  }

  /** Starts ticking; the clock moves once the session runs (the lobby waits) and is not paused. */
  start(): void {
    this.reanchor();
    this.schedule(false);
  }

  /** The session has just started (out of the lobby): the clock runs from now. */
  started(): void {
    this.reanchor();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = null;
    this.immediate = null;
  }

  setSpeed(speed: number): void {
    this.reanchor();
    this.speed = speed;
    this.lagUs = 0;
    this.paceFromUs = this.session.nowUs;
    this.paceFrom = 'speed';
  }

  /** An interrupted drill taken up again at the session's instant: its pace is judged from there on. */
  resumedHere(): void {
    this.paceFromUs = this.session.nowUs;
    this.paceFrom = 'resume';
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.reanchor();
  }

  /** The clock goes on from here; `fresh`: a new pace (speed, pause, start), so the achieved speed starts over. */
  private reanchor(fresh = true): void {
    this.anchorWallMs = this.now();
    this.anchorSimUs = this.session.nowUs;
    if (fresh) this.recent.length = 0;
  }

  /** Simulated seconds per wall second over the last few seconds of running (0 when stopped or paused). */
  get achievedSpeed(): number {
    if (this.paused || this.session.status !== 'running' || this.recent.length < 2) return 0;
    const [w0, s0] = this.recent[0];
    const [w1, s1] = this.recent[this.recent.length - 1];
    return w1 > w0 ? (s1 - s0) / 1000 / (w1 - w0) : 0;
  }

  /** How far the clock is now behind where wall time x speed would put it, in simulated microseconds. */
  get behindUs(): number {
    if (this.paused || this.session.status !== 'running') return 0;
    const target = this.anchorSimUs + Math.floor((this.now() - this.anchorWallMs) * 1000 * this.speed);
    return Math.max(0, Math.min(target, this.session.horizonUs) - this.session.nowUs);
  }

  /**
   * Simulated time lost since the pace was set, as far as the horizon: wall time x speed cannot put the clock past
   * the drill's end, so the clock is never more behind than the time left (a drill asked for 8000x read "2h31m
   * behind" in a 2h drill).
   */
  get lostUs(): number {
    return Math.min(this.lagUs, Math.max(0, this.session.horizonUs - this.session.nowUs - this.behindUs));
  }

  /**
   * The next tick: after `tickMs`, or at once (after the waiting I/O, so that pages are still answered between
   * slices) when the last tick ran out of its work budget behind the wall clock: a drill asked to go faster than
   * the simulation then runs at the simulation's own speed rather than sleeping between ticks.
   */
  private schedule(starved: boolean): void {
    // One timer at a time, also when tick() is called by hand (an action that ends the drill).
    this.stop();
    if (starved) {
      // Not unref'd: an unref'd immediate lets the event loop block in its poll for I/O until the next timer.
      this.immediate = setImmediate(() => {
        this.immediate = null;
        this.tick();
      });
      return;
    }
    this.timer = setTimeout(() => this.tick(), this.tickMs);
    this.timer.unref?.();
  }

  /** One step: the simulation brought to where the wall clock says it should be, within the work budget. */
  tick(): void {
    const s = this.session;
    let starved = false;
    if (s.status === 'running' && !this.paused) {
      const started = this.now();
      const target = this.anchorSimUs + Math.floor((started - this.anchorWallMs) * 1000 * this.speed);
      // Slices sized to about 3 ms of work each (from the pace measured so far), so that the budget check comes often:
      // as short as one simulated microsecond (the engine's resolution) when the work is that dense, at most a window.
      while (!s.ended && s.nowUs < target && this.now() - started < this.budgetMs) {
        const slice = Math.max(1, Math.min(s.scenario.windowUs, Math.floor(this.usPerMs * 3)));
        const a = this.now();
        const from = s.nowUs;
        s.advanceTo(Math.min(target, s.nowUs + slice));
        const took = this.now() - a;
        // Too quick to measure: twice as long next time, so that a slice grows no faster than its work shows, up to
        // 30 simulated ms (past it, only as measured: a quiet stretch does not make a slice that a burst of traffic
        // after it would fill).
        if (took > 0.5) this.usPerMs = Math.max(1 / 3, 0.7 * this.usPerMs + 0.3 * ((s.nowUs - from) / took));
        else this.usPerMs = Math.max(this.usPerMs, Math.min(2 * this.usPerMs, UNMEASURED_US_PER_MS));
      }
      // Out of budget behind the wall clock: the simulation cannot keep up. The clock runs slower rather than rush
      // to catch up later: it keeps at most one tick of simulated time (at the speed asked) still to do, so that
      // the next tick, at once, has work for its whole budget while the simulation stays behind.
      if (s.nowUs < target && this.now() - started >= this.budgetMs) {
        starved = true;
        const carried = Math.floor(this.tickMs * 1000 * this.speed);
        const behind = Math.min(target, s.horizonUs) - s.nowUs;
        if (behind > carried) {
          this.lagUs += behind - carried;
          this.reanchor(false);
          this.anchorSimUs += carried;
        }
      }
      this.recent.push([this.now(), s.nowUs]);
      while (this.recent.length > 2 && this.recent[this.recent.length - 1][0] - this.recent[0][0] > 5000) this.recent.shift();
      this.options.onTick?.();
    }
    if (s.ended) {
      if (!this.endNotified) {
        this.endNotified = true;
        this.options.onTick?.();
        this.options.onEnd?.();
      }
      return;
    }
    this.schedule(starved);
  }
}
