/**
 * What a simulation tells: the recorders every run keeps (windowed telemetry, ground truth), and hook points
 * for everything that only some runs need (flag telemetry, probes for gates, the truth log, and observers from
 * above: traces, scrapes, a progress bar).
 *
 * A hook point is a field holding one function, a shared no-op until something is installed: the hot path
 * calls it without asking whether anyone listens, and a run that installs nothing calls the same no-op at
 * every site (one target per call site, which the compiler inlines away). Observers install their hooks before
 * the first event (or when they are first needed); each hook is called during the event it reports, when the
 * record's public fields (records.ts) describe the record as it is then. Hooks never draw random numbers or
 * schedule events, so the run is the same whoever listens.
 */
import type { Scenario } from '../scenario/types.js';
import { Probes } from '../telemetry/probes.js';
import { CAUSE_OK, Telemetry } from '../telemetry/telemetry.js';
import { RecordPool } from './records.js';
import { GroundTruth } from './truth.js';

/** The hook points. Times are read from the simulation's engine (`engine.now`). */
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
  journeyEnded(rec: number, cause: number, latencyUs: number): void;
  /** A telemetry window closed: simulated time, journeys so far. */
  window(nowUs: number, journeys: number): void;
  /** The run ended at `endUs` (its last window is closed). */
  ended(endUs: number): void;
}

type Hook = (a: number, b: number, c: number) => void;
const NOOP = (): void => {};
/** `a` then `b`; just `b` when `a` is the no-op. */
function chain<F extends (...args: never[]) => void>(a: F, b: F): F {
  if ((a as unknown) === NOOP) return b;
  const f = a as unknown as Hook;
  const g = b as unknown as Hook;
  return ((x: number, y: number, z: number) => {
    f(x, y, z);
    g(x, y, z);
  }) as unknown as F;
}

export abstract class Observed extends RecordPool {
  protected readonly telemetry: Telemetry;
  readonly truth: GroundTruth;
  /** What the rollout's gates query; fed once the first probe is added. */
  readonly probes: Probes;
  protected readonly sloLatencyUs: number;
  protected readonly windowUs: number;

  protected onJourneyStarted: SimulationHooks['journeyStarted'] = NOOP;
  protected onSpawned: SimulationHooks['spawned'] = NOOP;
  protected onWaiting: SimulationHooks['waiting'] = NOOP;
  protected onSent: SimulationHooks['sent'] = NOOP;
  protected onServerStarted: SimulationHooks['serverStarted'] = NOOP;
  protected onServerEnded: SimulationHooks['serverEnded'] = NOOP;
  protected onAttemptEnded: SimulationHooks['attemptEnded'] = NOOP;
  protected onJourneyEnded: SimulationHooks['journeyEnded'] = NOOP;
  protected onWindow: SimulationHooks['window'] = NOOP;
  protected onEnded: SimulationHooks['ended'] = NOOP;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    this.sloLatencyUs = scenario.slo.latencyUs;
    this.windowUs = scenario.windowUs;
    const workers = Float64Array.from(m.serviceNames, (_, s) => m.serviceReplicas[s] * m.serviceConcurrency[s]);
    this.telemetry = new Telemetry(m.endpointService, m.journeyNames.length, workers, m.flagCount);
    this.truth = new GroundTruth(m.flagCount, scenario.faults.length, scenario.population?.size ?? 0, scenario.slo.latencyUs, scenario.windowUs);
    this.probes = new Probes(m.endpointNames.length, m.journeyNames.length, () => this.feedProbes());
  }

  /** Installs an observer's hooks, after those already installed (before run(), or before the events they report). */
  observe(hooks: Partial<SimulationHooks>): void {
    const h = hooks;
    if (h.journeyStarted) this.onJourneyStarted = chain(this.onJourneyStarted, h.journeyStarted);
    if (h.spawned) this.onSpawned = chain(this.onSpawned, h.spawned);
    if (h.waiting) this.onWaiting = chain(this.onWaiting, h.waiting);
    if (h.sent) this.onSent = chain(this.onSent, h.sent);
    if (h.serverStarted) this.onServerStarted = chain(this.onServerStarted, h.serverStarted);
    if (h.serverEnded) this.onServerEnded = chain(this.onServerEnded, h.serverEnded);
    if (h.attemptEnded) this.onAttemptEnded = chain(this.onAttemptEnded, h.attemptEnded);
    if (h.journeyEnded) this.onJourneyEnded = chain(this.onJourneyEnded, h.journeyEnded);
    if (h.window) this.onWindow = chain(this.onWindow, h.window);
    if (h.ended) this.onEnded = chain(this.onEnded, h.ended);
  }

  /** Requests and journeys that end go to the probes that select them. */
  private feedProbes(): void {
    const p = this.probes;
    this.observe({
      attemptEnded: (rec, cause, latencyUs) => {
        const e = this.rTarget[rec];
        if (p.endpointWatched[e] === 1) p.recordEndpoint(e, latencyUs, cause !== CAUSE_OK, this.rFlagsOn[rec], this.segmentOf(rec));
      },
      journeyEnded: (rec, cause, latencyUs) => {
        const j = this.rTarget[rec];
        if (p.journeyWatched[j] === 1) p.recordJourney(j, latencyUs, cause !== CAUSE_OK, this.rFlagsOn[rec], this.segmentOf(rec));
      },
    });
  }

  /** Each journey's outcome goes to the truth's log, when it keeps one (counterfactual scoring). */
  protected feedTruthLog(): void {
    this.observe({
      journeyEnded: (rec, cause, latencyUs) => {
        this.truth.logJourney(this.rSite[rec], cause !== CAUSE_OK || latencyUs > this.sloLatencyUs, this.rUser[rec], this.engine.now);
      },
    });
  }
}
