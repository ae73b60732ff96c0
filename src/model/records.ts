/**
 * The record pool: every journey and every call attempt in flight is a record, a slot in a set of typed arrays,
 * so that the hot path allocates nothing. Events carry a record index and its generation, and stale events (a
 * timeout after the reply) are recognised by that generation and dropped.
 *
 * A record also knows whose it is: the journey's user (picked by activity from the cohort) and that user's
 * segment; and while its journey lives, every draw made on its behalf comes from the journey's own stream.
 *
 * The simulation is built in rooms, one class on top of the other, so that every field is a field of the one
 * object the hot path works on: this pool; what flags and faults put records back by (delays.ts); the observers'
 * hook points (observers.ts); replicas and their queues (replicas.ts); flags (flags.ts) and faults (faults.ts)
 * applied to calls; the service's side (servers.ts); the caller's side (calls.ts); the lean path (lean.ts); and the
 * run itself (simulation.ts).
 */
import { ActivitySampler, segmentsOf } from '../cohorts/cohort.js';
import { Engine } from '../engine/engine.js';
import { RandomStreams } from '../engine/rng.js';
import type { Scenario } from '../scenario/types.js';
import { compile, type CompiledModel } from './compile.js';

// Event kinds.
export const EV_ARRIVAL = 1;
export const EV_SERVICE_DONE = 2;
export const EV_TIMEOUT = 3;
export const EV_SEND = 4;
export const EV_FAIL = 5;
export const EV_TICK = 16;
export const EV_CONFIG = 17;
export const EV_ENTER = 8; // a call arrives after a network delay
export const EV_FAULT = 18; // a fault switches on (b = 1) or off (b = 0)
export const EV_NETWORK = 10; // an attempt reaches its service's side after its network time
export const EV_INLINE_DONE = 11; // a call without a record of its own has been served (servers.ts callInline)
// The lean path's own (lean.ts): an arrival, a call's own processing done, a call without a record served.
export const EV_LEAN_ARRIVAL = 12;
export const EV_LEAN_DONE = 13;
export const EV_LEAN_INLINE = 14;
/**
 * Event kinds from here up are a few a simulated second (windows' ends, configurations, faults, the controller's),
 * against thousands of calls': the engine hands them over outside its loop (Engine's rareFrom).
 */
export const RARE_EVENTS = 16;
/** Event kinds from here up belong to the controller. */
export const CONTROLLER_EVENTS = 24;

// Record kinds and server-side states.
export const KIND_CALL = 0;
export const KIND_JOURNEY = 1;
export const ST_FREE = 0;
export const ST_WAITING_SEND = 1; // backoff before a retry, or a place in a client-side pool
export const ST_QUEUED = 2;
export const ST_RUNNING = 3; // own processing
export const ST_CALLING = 4; // waiting on downstream calls, holding its worker
export const ST_CLIENT_ONLY = 5; // never reached the service: rejected or refused by a breaker
export const ST_NETWORK = 6; // on its way to the service (a call's network time)

/**
 * The records. Observers read the fields marked public (through the hook points of observers.ts, during the
 * event that calls them); only the simulation writes them.
 */
export abstract class RecordPool {
  readonly engine = new Engine(RARE_EVENTS);
  readonly model: CompiledModel;
  /** Random streams, one per purpose (per service where a service draws). */
  readonly rng: RandomStreams;
  /**
   * Each journey's own stream, by record, seeded from the seed and the journey's number: every draw made on a
   * journey's behalf (latency, errors, call probability, retry jitter, faults) comes from it while the journey
   * lives, so extra calls a flag makes in one journey shift no other journey's draws (common random numbers per
   * journey, for twin runs). Draws for calls that outlive their journey use the shared streams.
   */
  protected readonly journeyStreams: RandomStreams;
  /** Where drawsOf() points: the journey's streams or the shared ones. */
  protected draws: RandomStreams;
  protected readonly horizon: number;
  protected arrivalsOpen = true;

  // Users: who a journey belongs to.
  protected readonly users: ActivitySampler | null;
  protected readonly userRng: number;
  /** Each user's segment, as an index into the cohort's segment names. */
  readonly userSegment: Uint8Array;
  /** The cohort's segment names, by index. */
  readonly segmentNames: readonly string[];
  /** Each user's assignment, a bit per flag the flag system serves them now (flags/runtime.ts); empty without flags. */
  userAssigned: Int32Array = new Int32Array(0);
  /** Flags whose plan splits requests: a record's side of them is what it was served, not its user's (assignedOf). */
  requestAssigned = 0;

  // The pool.
  protected cap = 0;
  protected freeTop = 0;
  protected freeList = new Int32Array(0);
  protected rKind = new Uint8Array(0);
  protected rState = new Uint8Array(0);
  protected rAttached = new Uint8Array(0);
  protected rCause = new Uint8Array(0);
  protected rSlot = new Uint8Array(0); // 1 while the record holds a client-side pool slot; 2 left the line for one (deadline passed, or its caller gave up)
  /** The endpoint (a call) or the journey (a journey). */
  rTarget = new Int32Array(0);
  protected rReplica = new Int32Array(0);
  protected rParent = new Int32Array(0);
  protected rParentEpoch = new Int32Array(0);
  /** The call site (a call); the journey's number, in order of arrival (a journey). */
  rSite = new Int32Array(0);
  /** The attempt's number, from 0 (retries count up). */
  rAttempt = new Int32Array(0);
  /** The record's generation: it changes when the record is taken and when it is freed. */
  rGen = new Int32Array(0);
  protected rEpoch = new Int32Array(0);
  protected rOp = new Int32Array(0);
  /** Times the current operation has been done (an operation with a repeat runs that many times in turn). */
  protected rRep = new Float64Array(0);
  protected rPending = new Int32Array(0);
  protected rSent = new Float64Array(0);
  protected rArrived = new Float64Array(0);
  /** The user (cohort index) of the journey, or -1. */
  rUser = new Int32Array(0);
  /** The journey record, and its generation when this record was made. */
  rRoot = new Int32Array(0);
  rRootGen = new Int32Array(0);
  /** The journey (by index) the record serves, kept after the journey has ended (journeyServed). */
  protected rJourney = new Int32Array(0);
  /** Flags on as this service saw them (a journey: on anywhere), a bit per flag. */
  rFlagsOn = new Int32Array(0);
  protected rSeenOff = new Int32Array(0); // a journey: flags some service saw off
  protected rMismatch = new Uint8Array(0); // a service saw a flag's contract broken
  protected rOpEnd = new Int32Array(0);
  /** The ticket of the attempt's timeout in its lane (engine.ts afterIn), to cancel it when the attempt ends first. */
  protected rTimeoutTicket = new Float64Array(0);
  /** A call the record waits on that has no record of its own (servers.ts callInline): its endpoint, replica, when sent. */
  protected rChildTarget = new Int32Array(0);
  protected rChildReplica = new Int32Array(0);
  protected rChildSent = new Float64Array(0);
  protected rChildFlags = new Int32Array(0);
  /** The true cause of the record's failure (truth.ts), and the flag or fault behind it. */
  rTruth = new Uint8Array(0);
  rTruthRef = new Int32Array(0);
  /** What slowed it, or a call it waited on (truth.ts SLOW_*), and the flags that did. */
  rSlow = new Uint8Array(0);
  rSlowFlags = new Int32Array(0);
  /**
   * The time flags' latency changes added to it: its own, and for each group of calls it waited on, what the
   * group's end was put back by them (Infinity once a flag's new calls are on its path: what they add is not
   * known). Along the critical path, not summed over parallel calls: what the record waited for.
   */
  rFlagDelay = new Float64Array(0);
  /** The time faults added to it, by the same rule (Infinity for a dropped call it waited on). */
  rFaultDelay = new Float64Array(0);
  /**
   * The current group of calls' end without the time flags (faults) added to its calls: the latest of its calls'
   * ends less each one's delay, NaN once a call's delay is not known.
   */
  protected rGroupFlag = new Float64Array(0);
  protected rGroupFault = new Float64Array(0);
  /** When the attempt's own processing ends (drawn as it starts on a worker; written with marks only). */
  protected rDoneUs = new Float64Array(0);
  /** A retry: the delays flags (faults) had put the attempts before it back by, carried onto it (delays.ts). */
  protected rFlagCarry = new Float64Array(0);
  protected rFaultCarry = new Float64Array(0);
  /**
   * A retry that the flags (faults) caused (an attempt before it timed out because of them): when the call would
   * have ended without them, else NaN. The call's delay is then all the time from there to its end (delays.ts).
   */
  protected rFlagFree = new Float64Array(0);
  protected rFaultFree = new Float64Array(0);
  protected rAltFlag = new Int8Array(0); // the flag whose call path the record follows, or -1
  /**
   * Whether records can carry marks of flags or faults (flags evaluated per user, faults in the run or added to
   * it): alloc() clears a record's flag and slowness marks only then. A run with neither never writes them.
   */
  protected marks = true;
  /** Records in use. */
  protected live = 0;
  /** The record making fire-and-forget calls, whose journey they belong to. */
  protected spawning = 0;
  protected lastEnd = 0;

  constructor(readonly scenario: Scenario, seed: number) {
    this.model = compile(scenario);
    const rng = (this.rng = new RandomStreams(seed));
    this.journeyStreams = new RandomStreams(seed);
    this.draws = rng;
    this.horizon = scenario.durationUs;
    this.userRng = rng.stream('users');
    this.users = scenario.population ? new ActivitySampler(scenario.population.activity) : null;
    const segments = scenario.population ? segmentsOf(scenario.population) : { names: [], ofUser: new Uint8Array(0) };
    this.userSegment = segments.ofUser;
    this.segmentNames = segments.names;
    this.growRecords(1024);
  }

  /** The segment of the user a record belongs to, or -1. */
  segmentOf(rec: number): number {
    const u = this.rUser[rec];
    return u >= 0 ? this.userSegment[u] : -1;
  }

  /**
   * The flags the flag system serves the record's user now (a bit per flag), whichever services the record reached;
   * of a flag whose plan splits requests, the side the record itself was served (a journey: on anywhere in it).
   */
  assignedOf(rec: number): number {
    const u = this.rUser[rec];
    if (u < 0 || u >= this.userAssigned.length) return 0;
    const m = this.requestAssigned;
    return m === 0 ? this.userAssigned[u] : (this.userAssigned[u] & ~m) | (this.rFlagsOn[rec] & m);
  }

  /**
   * The journey a record serves, even once that journey has ended (a call sent asynchronously, or one its caller
   * stopped waiting for): flag on against off is compared within the journey a call serves (telemetry/splits.ts),
   * and the metrics label a call with it (observe/metrics.ts), as baggage carries a journey's name to every call.
   */
  journeyServed(rec: number): number {
    return this.rJourney[rec];
  }

  /** A record made on behalf of `from`: its journey's user, root and journey. */
  protected inherit(rec: number, from: number): void {
    this.rUser[rec] = this.rUser[from];
    this.rRoot[rec] = this.rRoot[from];
    this.rRootGen[rec] = this.rRootGen[from];
    this.rJourney[rec] = this.rJourney[from];
  }

  protected alloc(): number {
    if (this.freeTop === 0) this.growRecords(this.cap * 2);
    const rec = this.freeList[--this.freeTop];
    this.rGen[rec]++;
    this.rEpoch[rec]++;
    // rCause, rPending and rMismatch are always written before they are read.
    this.rAttached[rec] = 0;
    this.rRep[rec] = 0;
    this.rSlot[rec] = 0;
    this.rTruth[rec] = 0;
    this.rTruthRef[rec] = -1;
    if (this.marks) {
      this.rFlagsOn[rec] = 0;
      this.rSeenOff[rec] = 0;
      this.rSlow[rec] = 0;
      this.rSlowFlags[rec] = 0;
      this.rFlagDelay[rec] = 0;
      this.rFaultDelay[rec] = 0;
      this.rFlagCarry[rec] = 0;
      this.rFaultCarry[rec] = 0;
      this.rFlagFree[rec] = NaN;
      this.rFaultFree[rec] = NaN;
      this.rAltFlag[rec] = -1;
    }
    this.live++;
    return rec;
  }

  protected free(rec: number): void {
    this.rState[rec] = ST_FREE;
    this.rGen[rec]++;
    this.freeList[this.freeTop++] = rec;
    this.live--;
    this.lastEnd = this.engine.now;
    // A run bounded by its number of journeys ends when the last has drained, whatever is still scheduled.
    if (this.live === 0 && !this.arrivalsOpen && this.horizon === Infinity) this.engine.halt();
  }

  private growRecords(cap: number): void {
    const old = this.cap;
    const grow = <T extends Uint8Array | Int8Array | Int32Array | Float64Array>(a: T): T => {
      const b = new (a.constructor as new (n: number) => T)(cap);
      b.set(a);
      return b;
    };
    this.rKind = grow(this.rKind);
    this.rState = grow(this.rState);
    this.rAttached = grow(this.rAttached);
    this.rCause = grow(this.rCause);
    this.rSlot = grow(this.rSlot);
    this.rTarget = grow(this.rTarget);
    this.rReplica = grow(this.rReplica);
    this.rParent = grow(this.rParent);
    this.rParentEpoch = grow(this.rParentEpoch);
    this.rSite = grow(this.rSite);
    this.rAttempt = grow(this.rAttempt);
    this.rGen = grow(this.rGen);
    this.rEpoch = grow(this.rEpoch);
    this.rOp = grow(this.rOp);
    this.rRep = grow(this.rRep);
    this.rPending = grow(this.rPending);
    this.rSent = grow(this.rSent);
    this.rArrived = grow(this.rArrived);
    this.rUser = grow(this.rUser);
    this.rRoot = grow(this.rRoot);
    this.rRootGen = grow(this.rRootGen);
    this.rJourney = grow(this.rJourney);
    this.rFlagsOn = grow(this.rFlagsOn);
    this.rSeenOff = grow(this.rSeenOff);
    this.rMismatch = grow(this.rMismatch);
    this.rOpEnd = grow(this.rOpEnd);
    this.rTimeoutTicket = grow(this.rTimeoutTicket);
    this.rChildTarget = grow(this.rChildTarget);
    this.rChildReplica = grow(this.rChildReplica);
    this.rChildSent = grow(this.rChildSent);
    this.rChildFlags = grow(this.rChildFlags);
    this.rTruth = grow(this.rTruth);
    this.rTruthRef = grow(this.rTruthRef);
    this.rSlow = grow(this.rSlow);
    this.rSlowFlags = grow(this.rSlowFlags);
    this.rFlagDelay = grow(this.rFlagDelay);
    this.rFaultDelay = grow(this.rFaultDelay);
    this.rGroupFlag = grow(this.rGroupFlag);
    this.rGroupFault = grow(this.rGroupFault);
    this.rDoneUs = grow(this.rDoneUs);
    this.rFlagCarry = grow(this.rFlagCarry);
    this.rFaultCarry = grow(this.rFaultCarry);
    this.rFlagFree = grow(this.rFlagFree);
    this.rFaultFree = grow(this.rFaultFree);
    this.rAltFlag = grow(this.rAltFlag);
    this.rAltFlag.fill(-1, old); // what alloc() gives a record, for runs that never clear marks
    this.rFlagFree.fill(NaN, old);
    this.rFaultFree.fill(NaN, old);
    this.journeyStreams.ensure(cap);
    const freeList = new Int32Array(cap);
    freeList.set(this.freeList.subarray(0, this.freeTop));
    // New records go on the free list highest first, so that low indices are used first.
    for (let i = cap - 1; i >= old; i--) freeList[this.freeTop++] = i;
    this.freeList = freeList;
    this.cap = cap;
  }

  /**
   * The stream for a draw on record `rec`'s behalf: its journey's own while the journey lives (this.draws is then
   * the journey streams), else the shared stream given.
   */
  protected drawsOf(rec: number, shared: number): number {
    const root = this.rRoot[rec];
    if (this.rGen[root] === this.rRootGen[rec]) {
      this.draws = this.journeyStreams;
      return root;
    }
    this.draws = this.rng;
    return shared;
  }

  /** A uniform draw on [0, 1) on record `rec`'s behalf (see drawsOf). */
  protected drawFor(rec: number, shared: number): number {
    const stream = this.drawsOf(rec, shared);
    return this.draws.next(stream);
  }

  /**
   * Whether a uniform draw on record `rec`'s behalf (drawFor) is below call site `k`'s probability: the draw and the
   * probability stay inside the call, where passing or returning a double would box it (rng.ts step).
   */
  protected drawnBelow(rec: number, shared: number, k: number): boolean {
    const stream = this.drawsOf(rec, shared);
    this.draws.step(stream);
    return this.draws.out[0] / 4294967296 < this.model.siteProbability[k];
  }

  /**
   * Whether the attempt left its caller: false for one that gave up waiting for a slot of its caller's client-side
   * pool (its deadline passed, or its caller stopped waiting), which no service ever saw.
   */
  leftCaller(rec: number): boolean {
    return this.rSlot[rec] !== 2;
  }

  /** Whether the caller of a call record still waits for it (a fire-and-forget call's caller always does). */
  protected parentWaiting(rec: number): boolean {
    const parent = this.rParent[rec];
    return parent < 0 || this.rEpoch[parent] === this.rParentEpoch[rec];
  }

  /** An attempt that fails without reaching the service; reported on the next event, not re-entrantly. */
  protected failSoon(rec: number, cause: number, truth: number, ref: number): void {
    this.rState[rec] = ST_CLIENT_ONLY;
    this.rCause[rec] = cause;
    this.rTruth[rec] = truth;
    this.rTruthRef[rec] = ref;
    this.engine.after(0, EV_FAIL, rec, this.rGen[rec]);
  }
}
