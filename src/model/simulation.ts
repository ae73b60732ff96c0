/**
 * The service model on the discrete-event engine: open-loop arrivals, journeys, services with replicas,
 * workers and bounded queues, downstream calls (sequential, parallel with client-side pools, async), timeouts,
 * retries with backoff and jitter, and circuit breakers per call edge; with a cohort, flags evaluated per user
 * by each service, and faults on calls and services.
 *
 * The rooms, bottom to top, each a class the next extends, so that the hot path works on one object with one
 * shape: the record pool (records.ts), the time flags and faults add to records (delays.ts), what the run tells (observers.ts: recorders and hook points), replicas
 * and their queues (replicas.ts), flags applied to calls (flags.ts), faults applied to calls (faults.ts), the
 * service's side (servers.ts), client-side pools (pools.ts), the caller's side (calls.ts) and the lean path of a run whose calls can only succeed
 * (lean.ts). This file is the run: its events, its windows, and the controls a rollout controller (src/rollout) or a
 * live driver (src/live) uses.
 */
import { widenInlining } from '../engine/compiler.js';
import type { EventHandler } from '../engine/engine.js';
import type { FlagRuntime } from '../flags/runtime.js';
import type { Scenario } from '../scenario/types.js';
import type { TelemetrySummary } from '../telemetry/telemetry.js';
import type { CompiledModel } from './compile.js';
import type { FaultRuntime } from './faults.js';
import type { FlagSteering } from './flags.js';
import { Lean } from './lean.js';
import {
  EV_ARRIVAL, EV_CONFIG, EV_ENTER, EV_FAIL, EV_FAULT, EV_INLINE_DONE, EV_LEAN_ARRIVAL, EV_LEAN_DONE, EV_LEAN_INLINE, EV_NETWORK, EV_SEND, EV_SERVICE_DONE,
  EV_TICK, EV_TIMEOUT,
} from './records.js';
import type { PoolTally } from './pools.js';
import type { GroundTruth } from './truth.js';

export { CONTROLLER_EVENTS } from './records.js';
export type { SimulationHooks } from './observers.js';
export type { PoolTally } from './pools.js';

/** Steers flags during a run: schedules its own events and publishes flag configurations. */
export interface Controller extends FlagSteering {
  start(sim: Simulation): void;
}

export interface SimulationResult {
  telemetry: TelemetrySummary;
  simulatedUs: number;
  events: number;
  journeysArrived: number;
  /** When the last journey arrived, when the traffic ran out of requests before the end; else null. */
  arrivalsEndedUs: number | null;
  journeysEnded: number;
  /** Breaker transitions, in time order. */
  breakerLog: { timeUs: number; breaker: string; to: 'open' | 'half-open' | 'closed' }[];
  /** Client-side pools (model.poolNames), each one's figures over the run and per window; empty lists without a pool. */
  pools: { run: PoolTally[]; windows: PoolTally[][] };
  model: CompiledModel;
  flags: FlagRuntime | null;
  faults: FaultRuntime;
  truth: GroundTruth;
}

export class Simulation extends Lean implements EventHandler {
  protected declare controller: Controller | null;
  private recordsKept = false;

  constructor(scenario: Scenario, seed = scenario.seed) {
    super(scenario, seed);
  }

  /**
   * Gives every call a record of its own (before begin()): for a run that may gain faults while it runs (a drill's
   * ad-hoc faults), which act on calls in flight.
   */
  keepCallRecords(): void {
    this.recordsKept = true;
  }

  /** Whether the run takes the lean path (lean.ts): decided as it begins. */
  get leanPath(): boolean {
    return this.lean;
  }

  /** Attaches the controller that steers flags in this run (before run()). */
  attach(controller: Controller): void {
    this.controller = controller;
  }

  run(): SimulationResult {
    this.begin();
    this.engine.run(this.horizon, this);
    return this.end();
  }

  /** Schedules the first events; then runUntil() and end() step the run (the live driver), or run() does it all. */
  begin(): void {
    this.controller?.start(this);
    if (this.truth.log !== null) this.feedTruthLog();
    // Calls without records of their own, where nothing could tell: nothing installed needs a record for every call,
    // and no fault can act on a call in flight (an instance-kill, or any a drill may add).
    this.inlineCalls = !this.callsObserved && !this.recordsKept && !this.faults.specs.some((f) => f.kind === 'instance-kill');
    this.lean = this.leanPossible();
    // The lean path's events fit a wider inlining budget (engine/compiler.ts), set before its code is compiled.
    if (this.lean) widenInlining();
    this.scheduleTimedFaults();
    const first = this.arrivals.next();
    if (first >= 0) this.engine.at(first, this.lean ? EV_LEAN_ARRIVAL : EV_ARRIVAL, 0, 0);
    else this.arrivalsOpen = false;
    this.engine.at(this.windowUs, EV_TICK, 0, 0);
  }

  /** Dispatches every event up to `untilUs` (at most the horizon); false once nothing is left to happen. */
  runUntil(untilUs: number): boolean {
    this.engine.run(Math.min(untilUs, this.horizon), this);
    return !this.engine.halted && this.engine.now < this.horizon && this.engine.pending > 0;
  }

  /** When the next event happens (Infinity when none is left): a stepped run skips the empty time before it. */
  get nextEventUs(): number {
    return this.engine.nextTime();
  }

  /** Telemetry windows closed so far. */
  get closedWindows(): TelemetrySummary['windows'] {
    return this.telemetry.windows;
  }

  /** Breaker transitions so far. */
  get breakerLog(): SimulationResult['breakerLog'] {
    return this.breakers.log;
  }

  end(): SimulationResult {
    // Close the last (possibly partial) window at the end of the run: the horizon, or when the last call ended.
    const end = Number.isFinite(this.horizon) ? Math.min(this.horizon, this.engine.now) : this.lastEnd;
    this.closeWindow(end);
    this.onEnded.ended(end);
    return {
      telemetry: this.telemetry.finish(),
      simulatedUs: end,
      events: this.engine.dispatched,
      journeysArrived: this.journeysArrived,
      arrivalsEndedUs: this.arrivalsEndedUs >= 0 ? this.arrivalsEndedUs : null,
      journeysEnded: this.journeysEnded,
      breakerLog: this.breakers.log,
      pools: { run: this.poolTotals(), windows: this.poolWindows },
      model: this.model,
      flags: this.flags,
      faults: this.faults,
      truth: this.truth,
    };
  }

  handle(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_LEAN_DONE:
      case EV_LEAN_INLINE:
      case EV_LEAN_ARRIVAL:
        this.leanEvent(kind, a);
        break;
      case EV_SERVICE_DONE:
        if (this.rGen[a] === b) this.serviceDone(a);
        break;
      case EV_INLINE_DONE:
        if (this.rGen[a] === b) this.inlineServed(a);
        break;
      case EV_ARRIVAL:
        this.arrive();
        break;
      case EV_TIMEOUT:
        if (this.rGen[a] === b) this.timedOut(a);
        break;
      case EV_SEND:
        if (this.rGen[a] === b) this.deferredSend(a);
        break;
      case EV_FAIL:
        if (this.rGen[a] === b) this.failedEarly(a);
        break;
      case EV_ENTER:
        if (this.rGen[a] === b) this.enterService(a);
        break;
      case EV_NETWORK:
        if (this.rGen[a] === b) this.reach(a);
        break;
      default:
        this.handleRare(kind, a, b);
    }
  }

  /** The events of windows, faults, configurations and the controller (records.ts RARE_EVENTS). */
  private handleRare(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_TICK:
        this.tick();
        break;
      case EV_FAULT:
        this.switchFault(a, b === 1);
        break;
      case EV_CONFIG:
        this.configArrived(a, b);
        break;
      default:
        this.controller?.handle(kind, a, b);
    }
  }

  /** The end of a telemetry window (an EV_TICK event). */
  private tick(): void {
    const now = this.engine.now;
    // Drained before this window ended: run() closes it at the last end instead.
    if (!this.arrivalsOpen && this.live === 0) return;
    this.closeWindow(now);
    this.onWindow.window(now, this.journeysArrived);
    const next = now + this.windowUs;
    // Keep ticking while anything can still happen and the next window starts within the horizon.
    if ((this.arrivalsOpen || this.live > 0) && next <= this.horizon) this.engine.at(next, EV_TICK, 0, 0);
  }
}
