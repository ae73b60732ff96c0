/**
 * Flags applied to calls. With a cohort, each service that evaluates flags decides, with the configuration it
 * holds at that moment, which flags are on for the request's user; a flag's contract breaks when services of
 * one journey decide differently; the flags on change the endpoint's latency, errors and calls. Configurations
 * reach each service after its own propagation delay; a controller (src/rollout) publishes them.
 */
import { RANK_SCALE } from '../flags/bucketing.js';
import { FlagRuntime, type FlagConfig } from '../flags/runtime.js';
import type { Scenario } from '../scenario/types.js';
import type { FlagSplits } from '../telemetry/splits.js';
import { CAUSE_OK } from '../telemetry/telemetry.js';
import { DistTable } from './dist.js';
import type { SimulationHooks } from './observers.js';
import { EV_CONFIG, type RecordPool } from './records.js';
import { Replicas } from './replicas.js';
import { SLOW_FLAG } from './truth.js';

/** What steers flags during a run (the rollout controller): its own events, and configurations as they land. */
export interface FlagSteering {
  handle(kind: number, a: number, b: number): void;
  /** Service `s` now serves version `v` of flag `f`. */
  configApplied(s: number, f: number, v: number): void;
}

export abstract class FlagRoom extends Replicas {
  readonly flags: FlagRuntime | null;
  private readonly propagation: DistTable;
  private readonly propagationRng: number[];
  /** Per flag, the stream that picks the calls a change for a share of calls applies to (-1 without one). */
  private readonly shareRng: Int32Array;
  /** Per flag whose plan splits requests, the stream that draws each request's position (-1 for the others). */
  private readonly splitRng: Int32Array;
  protected controller: FlagSteering | null = null;

  // What flagEffects() found: latency scale and addition, error rate, the flag that raised it, flags that slowed.
  protected fxScale = 1;
  protected fxAdd = 0;
  protected fxErrorRate = 0;
  protected fxErrorFlag = -1;
  protected fxSlowFlags = 0;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    this.flags = scenario.population && scenario.flags.length > 0 ? new FlagRuntime(scenario, scenario.population, m.serviceNames) : null;
    this.propagation = new DistTable(scenario.flags.map((f) => f.propagation));
    this.propagationRng = scenario.flags.map((f) => this.rng.stream(`propagation:${f.key}`));
    // Its own stream, so that a share's draws shift no other draw (latency, errors: the journeys' own streams).
    this.shareRng = Int32Array.from(scenario.flags, (f) => (f.effects.some((x) => x.share < 1) ? this.rng.stream(`share:${f.key}`) : -1));
    // Its own stream too, and only for such flags: a plan that splits users draws nothing.
    const perRequest = this.flags?.perRequestMask ?? 0;
    this.splitRng = Int32Array.from(scenario.flags, (f, i) => (((perRequest >>> i) & 1) === 1 ? this.rng.stream(`split:${f.key}`) : -1));
    // Calls and journeys counted by their users' assignment to each flag: only in runs with flags.
    if (this.flags !== null) {
      this.userAssigned = this.flags.assigned;
      this.requestAssigned = perRequest;
      this.observe(new FlagTelemetry(this, this.telemetry.splits!, m.endpointService));
    }
  }

  /** Publishes a flag configuration; each service with a flag SDK receives it after its own propagation delay. */
  publishFlag(f: number, config: FlagConfig): number {
    const flags = this.flags!;
    const v = flags.publish(f, config);
    const F = this.model.flagCount;
    for (const s of flags.sdkServices) {
      this.engine.after(this.propagation.sample(f, this.rng, this.propagationRng[f]), EV_CONFIG, s * F + f, v);
    }
    return v;
  }

  /** A configuration reached a service (an EV_CONFIG event). */
  protected configArrived(a: number, v: number): void {
    const F = this.model.flagCount;
    const s = Math.floor(a / F), f = a % F;
    if (this.flags!.apply(s, f, v)) this.controller?.configApplied(s, f, v);
  }

  /**
   * Which flags service `s` serves on to this request's user, with the configuration it holds now; and whether
   * that breaks a flag's contract with what another service of the same journey decided.
   */
  /**
   * The flags a call carries as it leaves its caller: those its journey has met so far (as baggage carries them),
   * until its service evaluates its own (evaluateFlags). A call that fails before it reaches its service (a fault's
   * abort, an open breaker, a killed replica, a reply lost on the wire) is counted under them, so that a gate on
   * `{flag:on}` sees the failures of requests the flag was on for (they were counted as flag off).
   */
  protected carryFlags(rec: number): void {
    const root = this.rRoot[rec];
    this.rFlagsOn[rec] = this.rGen[root] === this.rRootGen[rec] ? this.rFlagsOn[root] : 0;
  }

  protected evaluateFlags(rec: number, s: number): void {
    const fl = this.flags!;
    const u = this.rUser[rec];
    const root = this.rRoot[rec];
    const rootLive = this.rGen[root] === this.rRootGen[rec];
    // What the call carries (carryFlags, as it was sent): a journey that ended meanwhile, or a flag a sibling call
    // met after it left, does not change it.
    const upstream = this.rFlagsOn[rec];
    const list = fl.evaluatedBy[s];
    this.rMismatch[rec] = 0;
    if (u < 0 || list.length === 0) {
      this.rFlagsOn[rec] = upstream;
      return;
    }
    let on = 0;
    let evaluated = 0;
    for (let k = 0; k < list.length; k++) {
      const f = list[k];
      evaluated |= 1 << f;
      // A router's weighted split: each request to the service is placed on its own, as the proxy picks a side.
      const draw = this.splitRng[f] >= 0 ? Math.floor(this.rng.next(this.splitRng[f]) * RANK_SCALE) : -1;
      if (fl.isOn(s, f, u, draw)) on |= 1 << f;
    }
    this.rFlagsOn[rec] = on | (upstream & ~evaluated);
    if (!rootLive) return;
    const off = evaluated & ~on;
    const broken = fl.contractBroken(on, off, this.rFlagsOn[root], this.rSeenOff[root]);
    if (broken >= 0) {
      this.rMismatch[rec] = 1;
      this.rTruthRef[rec] = broken;
    }
    this.rFlagsOn[root] |= on;
    this.rSeenOff[root] |= off;
  }

  /**
   * The effects of the flags on (`on`, not 0) for a request to endpoint `e`, an endpoint with effects, starting
   * from its error rate `errorRate`: the results land in the fx fields.
   */
  protected flagEffects(rec: number, e: number, on: number, errorRate: number): void {
    const m = this.model;
    let scale = 1;
    let add = 0;
    let errorFlag = -1;
    let slowFlags = 0;
    const F = m.flagCount;
    for (let f = 0; f < F; f++) {
      if (((on >>> f) & 1) === 0) continue;
      const x = this.effectFor(e * F + f, f, this.rUser[rec]);
      if (x < 0) continue;
      const seg = m.effSegment[x];
      if (seg >= 0 && (this.rUser[rec] < 0 || this.userSegment[this.rUser[rec]] !== seg)) continue;
      if (m.effShare[x] < 1 && this.rng.next(this.shareRng[f]) >= m.effShare[x]) continue;
      scale *= m.effLatencyScale[x];
      add += m.effLatencyAdd[x];
      if (m.effLatencyScale[x] > 1 || m.effLatencyAdd[x] > 0) slowFlags |= 1 << f;
      const before = errorRate;
      if (m.effErrorsSet[x] >= 0) errorRate = m.effErrorsSet[x];
      errorRate += m.effErrorsAdd[x];
      if (errorRate > before && errorFlag < 0) errorFlag = f;
    }
    this.fxScale = scale;
    this.fxAdd = add;
    this.fxErrorRate = errorRate;
    this.fxErrorFlag = errorFlag;
    this.fxSlowFlags = slowFlags;
  }

  /** A flag that changes the endpoint's calls: the first such flag that is on decides. */
  protected flagCallPath(rec: number, e: number, on: number): void {
    const m = this.model;
    const F = m.flagCount;
    for (let f = 0; f < F; f++) {
      const x = ((on >>> f) & 1) === 1 ? this.effectFor(e * F + f, f, this.rUser[rec]) : -1;
      if (x >= 0 && m.effOpStart[x] >= 0) {
        this.rOp[rec] = m.effOpStart[x];
        this.rOpEnd[rec] = m.effOpEnd[x];
        this.rAltFlag[rec] = f;
        // Its calls are the flag's doing: a journey slower than the SLO on them is the flag's harm (what they add
        // is not known without a twin run, so all of it).
        this.markSlow(rec, SLOW_FLAG, 1 << f, -1, Infinity);
        break;
      }
    }
  }

  /** The effect of flag f at an endpoint for user u: the first in its chain for any variant or the one u is served. */
  private effectFor(i: number, f: number, u: number): number {
    const m = this.model;
    let x = m.effectOf[i];
    while (x >= 0 && m.effVariant[x] >= 0 && (u < 0 || this.flags!.variantOf[f]![u] !== m.effVariant[x])) x = m.effNext[x];
    return x;
  }
}

/** Calls, by service, and journeys, counted by their users' assignment to each flag within their journeys. */
class FlagTelemetry implements Pick<SimulationHooks, 'attemptEnded' | 'attemptEndedInline' | 'journeyEnded'> {
  constructor(private readonly sim: RecordPool, private readonly splits: FlagSplits, private readonly endpointService: Int32Array) {}

  attemptEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    if (!sim.leftCaller(rec)) return; // never reached the service (see Calls.attemptEnded)
    this.splits.call(this.endpointService[sim.rTarget[rec]], sim.journeyServed(rec), sim.assignedOf(rec), cause !== CAUSE_OK, latencyUs);
  }

  attemptEndedInline(parent: number, e: number, _flagsOn: number, latencyUs: number): void {
    const sim = this.sim;
    this.splits.call(this.endpointService[e], sim.journeyServed(parent), sim.assignedOf(parent), false, latencyUs);
  }

  journeyEnded(rec: number, cause: number, latencyUs: number): void {
    const sim = this.sim;
    this.splits.journey(sim.rTarget[rec], sim.assignedOf(rec), cause !== CAUSE_OK, latencyUs);
  }
}
