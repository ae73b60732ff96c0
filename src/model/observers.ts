/**
 * What a simulation tells: the recorders every run keeps (windowed telemetry, ground truth), and hook points
 * for everything that only some runs need (flag telemetry, probes for gates, the truth log, and observers from
 * above: traces, scrapes, a progress bar).
 *
 * A hook point is a field holding its observer, a shared silent one until something is installed: the hot path
 * calls it without asking whether anyone listens, and a run that installs nothing calls the same empty method
 * at every site, which the compiler inlines away. Observers are objects whose methods live on their class, so
 * that a call site sees one class per kind of observer, however many runs a process makes.
 *
 * Observers are installed before the first event (or when they are first needed); each hook is called during
 * the event it reports, when the record's public fields (records.ts) describe the record as it is then. Hooks
 * never draw random numbers or schedule events, so the run is the same whoever listens.
 */
import type { Scenario } from '../scenario/types.js';
import { Probes } from '../telemetry/probes.js';
import { CAUSE_OK, Telemetry } from '../telemetry/telemetry.js';
import { journeyServices } from './reach.js';
import { Delays } from './delays.js';
import type { RecordPool } from './records.js';
import { GroundTruth } from './truth.js';

/**
 * The hook points. An observer is an object with some of these methods; each is called at its point during
 * the event it reports. Times are read from the simulation's engine (`engine.now`).
 */
export interface SimulationHooks {
  /** A journey arrived: its record, its number in order of arrival, and which journey it is. */
  journeyStarted(rec: number, n: number, journey: number): void;
  /** A call attempt's record was made: `from` is the record whose journey it serves, `prev` the attempt it retries (else `from`). */
  spawned(rec: number, from: number, prev: number): void;
  /** The attempt waits for a slot of its client-side pool. */
  waiting(rec: number, site: number): void;
  /** The attempt leaves its caller. */
  sent(rec: number, site: number): void;
  /** A worker of service `service` starts on the request. */
  serverStarted(rec: number, endpoint: number, service: number): void;
  /** The service replies (or the request dies with its replica). */
  serverEnded(rec: number, cause: number): void;
  /** The caller's side of an attempt ended: reply, timeout, rejection, open breaker (telemetry.ts CAUSE_*). */
  attemptEnded(rec: number, cause: number, latencyUs: number): void;
  /**
   * A call without a record of its own (servers.ts callInline) replied well: what attemptEnded() hears of a call,
   * from its caller's record `parent` (the call's journey, user and segment), its endpoint and the flags on for it.
   * An observer of attemptEnded without this method makes every call of the run keep a record.
   */
  attemptEndedInline(parent: number, endpoint: number, flagsOn: number, latencyUs: number): void;
  journeyEnded(rec: number, cause: number, latencyUs: number): void;
  /** A telemetry window closed: simulated time, journeys so far. */
  window(nowUs: number, journeys: number): void;
  /** The run ended at `endUs` (its last window is closed). */
  ended(endUs: number): void;
}

/** Hears nothing: what every hook point calls until an observer is installed there. */
class Silent implements SimulationHooks {
  journeyStarted(): void {}
  spawned(): void {}
  waiting(): void {}
  sent(): void {}
  serverStarted(): void {}
  serverEnded(): void {}
  attemptEnded(): void {}
  attemptEndedInline(): void {}
  journeyEnded(): void {}
  window(): void {}
  ended(): void {}
}
const SILENT = new Silent();

/** Two observers of one hook point, in the order they were installed (each point calls only its own method). */
class Both implements SimulationHooks {
  constructor(private readonly a: SimulationHooks, private readonly b: SimulationHooks) {}
  journeyStarted(rec: number, n: number, journey: number): void {
    this.a.journeyStarted(rec, n, journey);
    this.b.journeyStarted(rec, n, journey);
  }
  spawned(rec: number, from: number, prev: number): void {
    this.a.spawned(rec, from, prev);
    this.b.spawned(rec, from, prev);
  }
  waiting(rec: number, site: number): void {
    this.a.waiting(rec, site);
    this.b.waiting(rec, site);
  }
  sent(rec: number, site: number): void {
    this.a.sent(rec, site);
    this.b.sent(rec, site);
  }
  serverStarted(rec: number, endpoint: number, service: number): void {
    this.a.serverStarted(rec, endpoint, service);
    this.b.serverStarted(rec, endpoint, service);
  }
  serverEnded(rec: number, cause: number): void {
    this.a.serverEnded(rec, cause);
    this.b.serverEnded(rec, cause);
  }
  attemptEnded(rec: number, cause: number, latencyUs: number): void {
    this.a.attemptEnded(rec, cause, latencyUs);
    this.b.attemptEnded(rec, cause, latencyUs);
  }
  attemptEndedInline(parent: number, endpoint: number, flagsOn: number, latencyUs: number): void {
    this.a.attemptEndedInline(parent, endpoint, flagsOn, latencyUs);
    this.b.attemptEndedInline(parent, endpoint, flagsOn, latencyUs);
  }
  journeyEnded(rec: number, cause: number, latencyUs: number): void {
    this.a.journeyEnded(rec, cause, latencyUs);
    this.b.journeyEnded(rec, cause, latencyUs);
  }
  window(nowUs: number, journeys: number): void {
    this.a.window(nowUs, journeys);
    this.b.window(nowUs, journeys);
  }
  ended(endUs: number): void {
    this.a.ended(endUs);
    this.b.ended(endUs);
  }
}

export abstract class Observed extends Delays {
  protected readonly telemetry: Telemetry;
  readonly truth: GroundTruth;
  /** What the rollout's gates query; fed once the first probe is added. */
  readonly probes: Probes;
  protected readonly sloLatencyUs: number;
  protected readonly windowUs: number;

  // The observers of each hook point.
  protected onJourneyStarted: SimulationHooks = SILENT;
  protected onSpawned: SimulationHooks = SILENT;
  protected onWaiting: SimulationHooks = SILENT;
  protected onSent: SimulationHooks = SILENT;
  protected onServerStarted: SimulationHooks = SILENT;
  protected onServerEnded: SimulationHooks = SILENT;
  protected onAttemptEnded: SimulationHooks = SILENT;
  protected onJourneyEnded: SimulationHooks = SILENT;
  protected onWindow: SimulationHooks = SILENT;
  protected onEnded: SimulationHooks = SILENT;
  /**
   * Whether calls from inline sites are made without records of their own (servers.ts callInline): decided when
   * the run begins, for a run in which nobody observes a call.
   */
  protected inlineCalls = false;
  /** Whether the run takes the lean path (lean.ts), which tells no one of calls: decided when the run begins. */
  protected lean = false;
  /** An observer installed needs a record for every call (observesCalls). */
  private recordsNeeded = false;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    this.sloLatencyUs = scenario.slo.latencyUs;
    this.windowUs = scenario.windowUs;
    const workers = Float64Array.from(m.serviceNames, (_, s) => m.serviceReplicas[s] * m.serviceConcurrency[s]);
    // Flag on against off, like with like: in runs whose flags have users to serve (flags.ts feeds it).
    const reach = scenario.population !== null && scenario.flags.length > 0 ? journeyServices(m) : null;
    this.telemetry = new Telemetry(m.endpointService, m.journeyNames.length, workers,
      reach && { flagJourneys: scenario.flags.map((f) => Uint8Array.from(m.journeyNames, (j) => (f.journeysInAnyCase.includes(j) ? 1 : 0))), journeyServices: reach });
    this.truth = new GroundTruth(m.flagCount, scenario.faults.length, scenario.population?.size ?? 0, scenario.slo.latencyUs, scenario.windowUs);
    // Requests reach the probes once the first is added (rollout gates, at the start of the run).
    this.probes = new Probes(m.endpointNames.length, m.journeyNames.length, () => this.observe(new ProbeFeed(this, this.probes)));
  }

  /**
   * Installs an observer at the hook points it has methods for, after those already there (before run(), or
   * before the events it hears of). An observer whose methods are a class's keeps its points' calls inlined.
   */
  observe(observer: Partial<SimulationHooks>): void {
    const o = observer as SimulationHooks;
    if (this.observesCalls(observer)) {
      if (this.inlineCalls) throw new Error('an observer of calls installed after the run began: the run makes some calls without records, so install it before begin()');
      this.recordsNeeded = true;
    }
    if (this.lean && (this.observesCalls(observer) || observer.attemptEnded || observer.attemptEndedInline)) {
      throw new Error('an observer of calls installed after the run began on its lean path (lean.ts), which tells no one of calls: install it before begin()');
    }
    const add = (at: SimulationHooks): SimulationHooks => (at === SILENT ? o : new Both(at, o));
    if (observer.journeyStarted) this.onJourneyStarted = add(this.onJourneyStarted);
    if (observer.spawned) this.onSpawned = add(this.onSpawned);
    if (observer.waiting) this.onWaiting = add(this.onWaiting);
    if (observer.sent) this.onSent = add(this.onSent);
    if (observer.serverStarted) this.onServerStarted = add(this.onServerStarted);
    if (observer.serverEnded) this.onServerEnded = add(this.onServerEnded);
    if (observer.attemptEnded) this.onAttemptEnded = add(this.onAttemptEnded);
    if (observer.journeyEnded) this.onJourneyEnded = add(this.onJourneyEnded);
    if (observer.window) this.onWindow = add(this.onWindow);
    if (observer.ended) this.onEnded = add(this.onEnded);
  }

  /** Whether an observer needs a record for every call (it hears of calls, and not of those without records). */
  protected observesCalls(o: Partial<SimulationHooks>): boolean {
    return !!(o.spawned || o.waiting || o.sent || o.serverStarted || o.serverEnded || (o.attemptEnded && !o.attemptEndedInline));
  }

  /** Whether no observer hears of calls (each call-level hook point is silent). */
  protected get callHooksSilent(): boolean {
    return this.onSpawned === SILENT && this.onWaiting === SILENT && this.onSent === SILENT && this.onServerStarted === SILENT
      && this.onServerEnded === SILENT && this.onAttemptEnded === SILENT;
  }

  /** Whether something installed needs a record for every call. */
  protected get callsObserved(): boolean {
    return this.recordsNeeded;
  }

  /** Keeps the truth's per-journey log (counterfactual scoring) from the start of the run, when it keeps one. */
  protected feedTruthLog(): void {
    this.observe(new TruthLog(this, this.truth, this.sloLatencyUs));
  }
}

/**
 * Requests and journeys that end go to the probes that select them, with their users' assignment and the journey
 * they serve (ended or not: a call that outlives its journey is compared within it, records.ts journeyServed).
 */
class ProbeFeed implements Pick<SimulationHooks, 'attemptEnded' | 'attemptEndedInline' | 'journeyEnded'> {
  constructor(private readonly sim: RecordPool, private readonly probes: Probes) {}

  attemptEnded(rec: number, cause: number, latencyUs: number): void {
    const e = this.sim.rTarget[rec];
    const sim = this.sim;
    if (this.probes.endpointWatched[e] === 1) {
      this.probes.recordEndpoint(e, latencyUs, cause !== CAUSE_OK, sim.rFlagsOn[rec], sim.segmentOf(rec), sim.assignedOf(rec), sim.journeyServed(rec));
    }
  }

  attemptEndedInline(parent: number, e: number, flagsOn: number, latencyUs: number): void {
    const sim = this.sim;
    if (this.probes.endpointWatched[e] === 1) {
      this.probes.recordEndpoint(e, latencyUs, false, flagsOn, sim.segmentOf(parent), sim.assignedOf(parent), sim.journeyServed(parent));
    }
  }

  journeyEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    const j = sim.rTarget[rec];
    if (this.probes.journeyWatched[j] === 1) this.probes.recordJourney(j, latencyUs, cause !== CAUSE_OK, sim.rFlagsOn[rec], sim.segmentOf(rec), sim.assignedOf(rec));
  }
}

/** Each journey's outcome, by its number, in the truth's log. */
class TruthLog implements Pick<SimulationHooks, 'journeyEnded'> {
  constructor(private readonly sim: RecordPool, private readonly truth: GroundTruth, private readonly sloLatencyUs: number) {}

  journeyEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    this.truth.logJourney(sim.rSite[rec], cause !== CAUSE_OK || latencyUs > this.sloLatencyUs, sim.rUser[rec], sim.engine.now);
  }
}
