/**
 * The service model on the discrete-event engine: open-loop arrivals, journeys, services with replicas,
 * workers and bounded queues, downstream calls (sequential, parallel with client-side pools, async), timeouts,
 * retries with backoff and jitter, and circuit breakers per call edge.
 *
 * The hot path allocates nothing: every in-flight call is a record in a pool of typed arrays, events carry a
 * record index and its generation, and stale events (a timeout after the reply) are recognised by that
 * generation and dropped. A caller holds its worker while it waits on a synchronous call, so a slow
 * dependency exhausts its callers' workers as it does in a thread-per-request server.
 *
 * With a cohort, every journey belongs to a user picked by activity; each service that evaluates flags decides,
 * with the configuration it holds at that moment, which flags are on for the user, and applies their effects.
 * A rollout controller (src/rollout) steers the flags through the hooks at the end of this file.
 */
import { Engine, type EventHandler } from '../engine/engine.js';
import { RandomStreams } from '../engine/rng.js';
import { ActivitySampler, segmentsOf } from '../cohorts/cohort.js';
import { FlagRuntime, type FlagConfig } from '../flags/runtime.js';
import type { Scenario } from '../scenario/types.js';
import { ACT_DELAY, ACT_DROP, ACT_FAIL, FaultRuntime } from '../faults/runtime.js';
import { Probes } from '../telemetry/probes.js';
import { ScrapeRecorder } from '../telemetry/scrapes.js';
import {
  CAUSE_BREAKER_OPEN, CAUSE_CONTRACT, CAUSE_DOWNSTREAM, CAUSE_ERROR, CAUSE_OK, CAUSE_REJECTED, CAUSE_TIMEOUT, Telemetry,
  type TelemetrySummary,
} from '../telemetry/telemetry.js';
import { ArrivalProcess } from './arrivals.js';
import { Breakers } from './breaker.js';
import {
  compile, JITTER_EQUAL, JITTER_FULL, RETRY_ON_ERROR, RETRY_ON_REJECTED, RETRY_ON_TIMEOUT,
  type CompiledModel,
} from './compile.js';
import { DistTable } from './dist.js';
import type { TraceRecorder } from '../observe/tracing.js';
import {
  GroundTruth, SLOW_FAULT, SLOW_FLAG, TRUTH_BASE, TRUTH_BREAKER, TRUTH_CONTRACT, TRUTH_FAULT, TRUTH_FLAG, TRUTH_REJECTED, TRUTH_TIMEOUT,
} from './truth.js';

// Event kinds.
const EV_ARRIVAL = 1;
const EV_SERVICE_DONE = 2;
const EV_TIMEOUT = 3;
const EV_SEND = 4;
const EV_FAIL = 5;
const EV_TICK = 6;
const EV_CONFIG = 7;
const EV_ENTER = 8; // a call arrives after a network delay
const EV_FAULT = 9; // a fault switches on (b = 1) or off (b = 0)
/** Event kinds from here up belong to the controller. */
export const CONTROLLER_EVENTS = 16;

/** Steers flags during a run: schedules its own events and publishes flag configurations. */
export interface Controller {
  start(sim: Simulation): void;
  handle(kind: number, a: number, b: number): void;
  /** Service `s` now serves version `v` of flag `f`. */
  configApplied(s: number, f: number, v: number): void;
}

// Record kinds and server-side states.
const KIND_CALL = 0;
const KIND_JOURNEY = 1;
const ST_FREE = 0;
const ST_WAITING_SEND = 1; // backoff before a retry, or a place in a client-side pool
const ST_QUEUED = 2;
const ST_RUNNING = 3; // own processing
const ST_CALLING = 4; // waiting on downstream calls, holding its worker
const ST_CLIENT_ONLY = 5; // never reached the service: rejected or refused by a breaker

export interface SimulationResult {
  telemetry: TelemetrySummary;
  simulatedUs: number;
  events: number;
  journeysArrived: number;
  journeysEnded: number;
  /** Breaker transitions, in time order. */
  breakerLog: { timeUs: number; breaker: string; to: 'open' | 'half-open' | 'closed' }[];
  model: CompiledModel;
  flags: FlagRuntime | null;
  faults: FaultRuntime;
  truth: GroundTruth;
}

export class Simulation implements EventHandler {
  readonly engine = new Engine();
  readonly model: CompiledModel;
  private readonly telemetry: Telemetry;
  private readonly arrivals: ArrivalProcess;
  private readonly breakers: Breakers;
  readonly flags: FlagRuntime | null;
  readonly probes: Probes;
  /** Telemetry at scrape resolution (Prometheus series), when asked for: enableScrapes(). */
  scrapes: ScrapeRecorder | null = null;
  private readonly users: ActivitySampler | null;
  /** Each user's segment, as an index into the cohort's segment names. */
  private readonly userSegment: Uint8Array;
  /** The cohort's segment names, by index. */
  readonly segmentNames: readonly string[];
  private readonly userRng: number;
  private readonly propagationRng: number[];
  private readonly propagation: DistTable;
  private controller: Controller | null = null;
  /** Sampled traces (src/telemetry/tracing.ts): hooks run only for records of journeys it chose at their start. */
  private tracer: TraceRecorder | null = null;
  readonly faults: FaultRuntime;
  readonly truth: GroundTruth;
  private readonly faultRng: number;
  private readonly faultTriggered: Uint8Array;
  private readonly replicaDown: Uint8Array;
  private readonly replicaKiller: Int32Array;

  // Random streams, one per purpose (per service where a service draws).
  readonly rng: RandomStreams;
  /**
   * Each journey's own stream, by record, seeded from the seed and the journey's number: every draw made on a
   * journey's behalf (latency, errors, call probability, retry jitter, faults) comes from it while the journey
   * lives, so extra calls a flag makes in one journey shift no other journey's draws (common random numbers per
   * journey, for twin runs). Draws for calls that outlive their journey use the shared streams.
   */
  private readonly journeyStreams: RandomStreams;
  /** Where drawsOf() points: the journey's streams or the shared ones. */
  private draws: RandomStreams;
  private readonly journeyRng: number;
  private readonly serviceLatencyRng: Int32Array;
  private readonly serviceErrorRng: Int32Array;
  private readonly serviceCallRng: Int32Array;
  private readonly journeyCallRng: number;
  private readonly retryRng: number;

  // Replicas: busy workers and a FIFO ring of queued records each.
  private readonly busy: Int32Array;
  private readonly qHead: Int32Array;
  private readonly qLen: Int32Array;
  private readonly qBuf: Int32Array[];
  private readonly roundRobin: Int32Array;

  // Per-service gauges for the open window (areas in count x microseconds).
  private readonly svcBusy: Int32Array;
  private readonly svcQueued: Int32Array;
  private readonly svcLastChange: Float64Array;
  private readonly busyArea: Float64Array;
  private readonly queueArea: Float64Array;
  private readonly maxQueued: Float64Array;

  // Client-side pools of parallel groups: slots in use and a FIFO of records waiting for one.
  private readonly poolInUse: Int32Array;
  private readonly poolWaiting: number[][];
  /** Requests each endpoint has started, for failure patterns (errors: { every: N }). */
  private readonly errorCount: Float64Array;

  // The record pool.
  private cap = 0;
  private freeTop = 0;
  private freeList = new Int32Array(0);
  private rKind = new Uint8Array(0);
  private rState = new Uint8Array(0);
  private rAttached = new Uint8Array(0);
  private rCause = new Uint8Array(0);
  private rSlot = new Uint8Array(0); // 1 while the record holds a client-side pool slot; 2 timed out waiting for one
  private rTarget = new Int32Array(0); // endpoint (call) or journey (journey)
  private rReplica = new Int32Array(0);
  private rParent = new Int32Array(0);
  private rParentEpoch = new Int32Array(0);
  private rSite = new Int32Array(0);
  private rAttempt = new Int32Array(0);
  private rGen = new Int32Array(0);
  private rEpoch = new Int32Array(0);
  private rOp = new Int32Array(0);
  private rPending = new Int32Array(0);
  private rSent = new Float64Array(0);
  private rArrived = new Float64Array(0);
  private rUser = new Int32Array(0); // the user (cohort index) of the journey, or -1
  private rRoot = new Int32Array(0); // the journey record, and its generation
  private rRootGen = new Int32Array(0);
  private rFlagsOn = new Int32Array(0); // flags on as this service saw them (a journey: on anywhere)
  private rSeenOff = new Int32Array(0); // a journey: flags some service saw off
  private rMismatch = new Uint8Array(0); // a service saw a flag's contract broken
  private rOpEnd = new Int32Array(0);
  private rTruth = new Uint8Array(0); // the true cause of the record's failure (truth.ts)
  private rTruthRef = new Int32Array(0); // the flag or fault behind it
  private rSlow = new Uint8Array(0); // what slowed it, or a call it waited on
  private rSlowFlags = new Int32Array(0);
  private rAltFlag = new Int8Array(0); // the flag whose call path the record follows, or -1
  private rTrace = new Int32Array(0); // 0 when the record belongs to a traced journey, -1 when not
  private live = 0;
  /** The record making fire-and-forget calls, whose journey they belong to. */
  private spawning = 0;
  private lastEnd = 0;

  private readonly horizon: number;
  private readonly sloLatencyUs: number;
  private readonly windowUs: number;
  private journeysArrived = 0;
  private journeysEnded = 0;
  private arrivalsOpen = true;

  constructor(private readonly scenario: Scenario, seed = scenario.seed) {
    const m = (this.model = compile(scenario));
    const rng = (this.rng = new RandomStreams(seed));
    this.journeyStreams = new RandomStreams(seed);
    this.draws = rng;
    this.horizon = scenario.durationUs;
    this.sloLatencyUs = scenario.slo.latencyUs;
    this.windowUs = scenario.windowUs;
    const S = m.serviceNames.length;
    const workers = Float64Array.from(m.serviceNames, (_, s) => m.serviceReplicas[s] * m.serviceConcurrency[s]);
    this.telemetry = new Telemetry(m.endpointService, m.journeyNames.length, workers, m.flagCount);
    this.arrivals = new ArrivalProcess(scenario.traffic, scenario.durationUs, rng, rng.stream('arrivals'));
    this.breakers = new Breakers(m, this.engine);
    this.journeyRng = rng.stream('journeys');
    this.journeyCallRng = rng.stream('journey-calls');
    this.retryRng = rng.stream('retry-jitter');
    this.serviceLatencyRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`latency:${n}`));
    this.serviceErrorRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`errors:${n}`));
    this.serviceCallRng = Int32Array.from(m.serviceNames, (n) => rng.stream(`calls:${n}`));
    this.userRng = rng.stream('users');
    this.users = scenario.population ? new ActivitySampler(scenario.population.activity) : null;
    this.flags = scenario.population && scenario.flags.length > 0 ? new FlagRuntime(scenario, scenario.population, m.serviceNames) : null;
    this.propagation = new DistTable(scenario.flags.map((f) => f.propagation));
    this.propagationRng = scenario.flags.map((f) => rng.stream(`propagation:${f.key}`));
    this.probes = new Probes(m.endpointNames.length, m.journeyNames.length);
    const segments = scenario.population ? segmentsOf(scenario.population) : { names: [], ofUser: new Uint8Array(0) };
    this.userSegment = segments.ofUser;
    this.segmentNames = segments.names;
    this.faults = new FaultRuntime(scenario.faults, m, (name) => segments.names.indexOf(name));
    this.faultRng = rng.stream('faults');
    this.faultTriggered = new Uint8Array(scenario.faults.length);
    this.replicaDown = new Uint8Array(m.replicaService.length);
    this.replicaKiller = new Int32Array(m.replicaService.length).fill(-1);
    this.truth = new GroundTruth(m.flagCount, scenario.faults.length, scenario.population?.size ?? 0, scenario.slo.latencyUs, scenario.windowUs);

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
    this.poolInUse = new Int32Array(m.poolLimit.length);
    this.poolWaiting = Array.from({ length: m.poolLimit.length }, () => []);
    this.errorCount = new Float64Array(m.endpointNames.length);
    this.growRecords(1024);
  }

  /** Keeps telemetry at scrape resolution from now on (before run()); the recorder already made, if any. */
  enableScrapes(intervalUs: number, bucketsSeconds?: readonly number[]): ScrapeRecorder {
    const m = this.model;
    this.scrapes ??= new ScrapeRecorder({
      endpoints: m.endpointNames.length, journeys: m.journeyNames.length,
      segments: this.segmentNames.length, flags: m.flagCount,
    }, intervalUs, bucketsSeconds);
    return this.scrapes;
  }

  /** Called at the end of each telemetry window (a terminal's progress bar): simulated time, journeys so far. */
  onWindow: ((nowUs: number, journeys: number) => void) | null = null;

  /** Records sampled journeys as traces (before run()). */
  attachTracer(tracer: TraceRecorder): void {
    this.tracer = tracer;
    tracer.bind(this.model, this.flags, this.scenario, this.rng.seed);
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
    this.scenario.faults.forEach((f, k) => {
      if (f.start.kind === 'time') this.scheduleFault(k, f.start.atUs);
    });
    const first = this.arrivals.next();
    if (first >= 0) this.engine.at(first, EV_ARRIVAL, 0, 0);
    else this.arrivalsOpen = false;
    this.engine.at(this.windowUs, EV_TICK, 0, 0);
  }

  /** Dispatches every event up to `untilUs` (at most the horizon); false once nothing is left to happen. */
  runUntil(untilUs: number): boolean {
    this.engine.run(Math.min(untilUs, this.horizon), this);
    return this.engine.now < this.horizon && this.engine.pending > 0;
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
    this.scrapes?.scrapeUntil(end);
    this.tracer?.finish(end);
    return {
      telemetry: this.telemetry.finish(),
      simulatedUs: end,
      events: this.engine.dispatched,
      journeysArrived: this.journeysArrived,
      journeysEnded: this.journeysEnded,
      breakerLog: this.breakers.log,
      model: this.model,
      flags: this.flags,
      faults: this.faults,
      truth: this.truth,
    };
  }

  handle(kind: number, a: number, b: number): void {
    switch (kind) {
      case EV_SERVICE_DONE:
        if (this.rGen[a] === b) this.serviceDone(a);
        break;
      case EV_ARRIVAL:
        this.arrive();
        break;
      case EV_TIMEOUT:
        if (this.rGen[a] === b && this.rAttached[a] === 1) {
          const slot = this.rSlot[a];
          this.attemptEnded(a, CAUSE_TIMEOUT, CAUSE_TIMEOUT);
          // A call that was dropped on the way never reaches a service to end it.
          if (this.rState[a] === ST_CLIENT_ONLY) this.free(a);
          // Timed out waiting for a pool slot: still queued (freed when its turn comes), or handed one and not yet sent.
          else if (this.rState[a] === ST_WAITING_SEND) {
            if (slot === 0) this.rSlot[a] = 2;
            else this.free(a);
          }
        }
        break;
      case EV_SEND:
        if (this.rGen[a] === b) this.deferredSend(a);
        break;
      case EV_FAIL:
        if (this.rGen[a] === b) {
          const cause = this.rCause[a];
          this.attemptEnded(a, cause, cause);
          this.free(a);
        }
        break;
      case EV_TICK:
        this.tick();
        break;
      case EV_ENTER:
        if (this.rGen[a] === b) this.enterService(a);
        break;
      case EV_FAULT:
        this.switchFault(a, b === 1);
        break;
      case EV_CONFIG: {
        const F = this.model.flagCount;
        const s = Math.floor(a / F), f = a % F;
        if (this.flags!.apply(s, f, b)) this.controller?.configApplied(s, f, b);
        break;
      }
      default:
        this.controller?.handle(kind, a, b);
    }
  }

  // ---- arrivals and journeys -------------------------------------------------------------------------

  private arrive(): void {
    const m = this.model;
    const now = this.engine.now;
    let j = 0;
    const cw = m.journeyCumulativeWeight;
    if (cw.length > 1) {
      const u = this.rng.next(this.journeyRng);
      while (j < cw.length - 1 && u >= cw[j]) j++;
    }
    const rec = this.alloc();
    this.rKind[rec] = KIND_JOURNEY;
    this.rTarget[rec] = j;
    this.rParent[rec] = -1;
    this.rSent[rec] = now;
    this.rOp[rec] = m.journeyOpStart[j];
    this.rOpEnd[rec] = m.journeyOpEnd[j];
    this.rState[rec] = ST_CALLING;
    this.rRoot[rec] = rec;
    this.rRootGen[rec] = this.rGen[rec];
    this.rUser[rec] = this.users ? this.users.pick(this.rng.next(this.userRng), this.rng.next(this.userRng)) : -1;
    this.rSite[rec] = this.journeysArrived; // a journey's number, in order of arrival (journeys have no call site)
    this.journeyStreams.reseed(rec, this.journeysArrived);
    this.rTrace[rec] = this.tracer === null ? -1 : this.tracer.journeyStarted(rec, this.journeysArrived, j, now);
    this.journeysArrived++;
    const next = this.arrivals.next();
    if (next >= 0) this.engine.at(next, EV_ARRIVAL, 0, 0);
    else this.arrivalsOpen = false;
    this.advance(rec);
  }

  private journeyEnded(rec: number, cause: number): void {
    const t = this.telemetry;
    const j = this.rTarget[rec];
    const latency = this.engine.now - this.rSent[rec];
    if (this.rTrace[rec] >= 0) this.tracer!.journeyEnded(rec, cause, this.rTruth[rec], this.rTruthRef[rec], this.rSlow[rec], latency > this.sloLatencyUs, this.engine.now);
    t.record(t.journeyTag(j), latency, cause);
    if (this.probes.journeyWatched[j] === 1) {
      const u = this.rUser[rec];
      this.probes.recordJourney(j, latency, cause !== CAUSE_OK, this.rFlagsOn[rec], u >= 0 ? this.userSegment[u] : -1);
    }
    if (this.flags !== null) this.telemetry.journeyFlags(this.rFlagsOn[rec], cause !== CAUSE_OK, latency);
    // Most journeys end well and in time: the truth only counts them.
    if (cause === CAUSE_OK && latency <= this.sloLatencyUs) this.truth.journeys++;
    else this.truth.journey(this.engine.now, latency, cause !== CAUSE_OK, this.rTruth[rec], this.rTruthRef[rec], this.rSlow[rec], this.rSlowFlags[rec], this.rUser[rec]);
    if (this.truth.log !== null) this.truth.logJourney(this.rSite[rec], cause !== CAUSE_OK || latency > this.sloLatencyUs, this.rUser[rec], this.engine.now);
    this.journeysEnded++;
    this.rEpoch[rec]++;
    this.free(rec);
  }

  // ---- the caller's side: operations, sends, replies -------------------------------------------------

  /** Runs the record's operations from its current one until it must wait, or to the end. */
  private advance(rec: number): void {
    const m = this.model;
    const journey = this.rKind[rec] === KIND_JOURNEY;
    const end = this.rOpEnd[rec];
    const callRng = journey ? this.journeyCallRng : this.serviceCallRng[m.endpointService[this.rTarget[rec]]];
    for (let op = this.rOp[rec]; op < end; op = ++this.rOp[rec]) {
      let pending = 0;
      for (let k = m.opSiteStart[op], kEnd = m.opSiteEnd[op]; k < kEnd; k++) {
        const p = m.siteProbability[k];
        if (p < 1 && this.drawFor(rec, callRng) >= p) continue;
        if (m.siteAsync[k] === 1) {
          this.spawning = rec;
          this.send(this.spawn(-1, k, 0));
        } else {
          pending++;
          this.send(this.spawn(rec, k, 0));
        }
      }
      if (pending > 0) {
        this.rPending[rec] = pending;
        return;
      }
    }
    if (journey) this.journeyEnded(rec, CAUSE_OK);
    else this.serverFinished(rec, CAUSE_OK, CAUSE_OK);
  }

  /** A new call record for site `k` on behalf of `parent` (-1 for fire-and-forget). */
  private spawn(parent: number, k: number, attempt: number): number {
    const rec = this.alloc();
    this.rKind[rec] = KIND_CALL;
    this.rTarget[rec] = this.model.siteEndpoint[k];
    this.rSite[rec] = k;
    this.rAttempt[rec] = attempt;
    this.rParent[rec] = parent;
    this.rParentEpoch[rec] = parent >= 0 ? this.rEpoch[parent] : 0;
    this.rState[rec] = ST_WAITING_SEND;
    // Fire-and-forget calls have no parent but keep their journey's user.
    const from = parent >= 0 ? parent : this.spawning;
    this.rUser[rec] = this.rUser[from];
    this.rRoot[rec] = this.rRoot[from];
    this.rRootGen[rec] = this.rRootGen[from];
    this.rTrace[rec] = this.rTrace[from];
    if (this.rTrace[rec] >= 0) this.tracer!.spawned(rec, attempt > 0 ? this.spawning : from, attempt);
    return rec;
  }

  /**
   * The stream for a draw on record `rec`'s behalf: its journey's own while the journey lives (this.draws is then
   * the journey streams), else the shared stream given.
   */
  private drawsOf(rec: number, shared: number): number {
    const root = this.rRoot[rec];
    if (this.rGen[root] === this.rRootGen[rec]) {
      this.draws = this.journeyStreams;
      return root;
    }
    this.draws = this.rng;
    return shared;
  }

  /** A uniform draw on [0, 1) on record `rec`'s behalf (see drawsOf). */
  private drawFor(rec: number, shared: number): number {
    const stream = this.drawsOf(rec, shared);
    return this.draws.next(stream);
  }

  private parentWaiting(rec: number): boolean {
    const parent = this.rParent[rec];
    return parent < 0 || this.rEpoch[parent] === this.rParentEpoch[rec];
  }

  /** Sends an attempt: through its client-side pool if it has one, then its breaker, then to a replica. */
  private send(rec: number): void {
    const m = this.model;
    const k = this.rSite[rec];
    const pool = m.sitePool[k];
    // The timeout runs from the call, as a context deadline does: it covers the wait for a pool slot too.
    if (this.rAttached[rec] === 0) {
      this.rSent[rec] = this.engine.now;
      this.rAttached[rec] = 1;
      const timeout = m.siteTimeout[k];
      if (timeout > 0) this.engine.after(timeout, EV_TIMEOUT, rec, this.rGen[rec]);
    }
    if (pool >= 0 && this.rSlot[rec] === 0) {
      if (this.poolInUse[pool] >= m.poolLimit[pool]) {
        if (this.rTrace[rec] >= 0) this.tracer!.waiting(rec, k, this.engine.now);
        this.poolWaiting[pool].push(rec);
        return;
      }
      this.poolInUse[pool]++;
      this.rSlot[rec] = 1;
    }
    if (this.rTrace[rec] >= 0) this.tracer!.sent(rec, k, this.rAttempt[rec], this.engine.now);
    const breaker = m.siteBreaker[k];
    if (breaker >= 0 && !this.breakers.allow(breaker)) {
      this.failSoon(rec, CAUSE_BREAKER_OPEN, TRUTH_BREAKER, -1);
      return;
    }
    if (this.faults.activeCount > 0) {
      const e = this.rTarget[rec];
      const u = this.rUser[rec];
      const f = this.faults;
      const stream = this.drawsOf(rec, this.faultRng);
      f.check(m.siteCaller[k], e, m.endpointService[e], u >= 0 ? this.userSegment[u] : -1, this.engine.now, this.draws, stream);
      if (f.action === ACT_FAIL) {
        this.failSoon(rec, CAUSE_ERROR, TRUTH_FAULT, f.fault);
        return;
      }
      if (f.action === ACT_DROP) {
        // No reply ever comes: the caller waits for its timeout, if it has one.
        this.markSlow(rec, SLOW_FAULT, 0, f.fault);
        this.rState[rec] = ST_CLIENT_ONLY;
        return;
      }
      if (f.action === ACT_DELAY) {
        this.markSlow(rec, SLOW_FAULT, 0, f.fault);
        this.engine.after(f.delayUs, EV_ENTER, rec, this.rGen[rec]);
        return;
      }
    }
    this.enterService(rec);
  }

  /** A retry after its backoff, or an attempt that waited for a pool slot. */
  private deferredSend(rec: number): void {
    if (!this.parentWaiting(rec)) {
      this.releaseSlot(rec);
      this.free(rec);
      return;
    }
    this.send(rec);
  }

  /** An attempt that fails without reaching the service; reported on the next event, not re-entrantly. */
  private failSoon(rec: number, cause: number, truth: number, ref: number): void {
    this.rState[rec] = ST_CLIENT_ONLY;
    this.rCause[rec] = cause;
    this.rTruth[rec] = truth;
    this.rTruthRef[rec] = ref;
    this.engine.after(0, EV_FAIL, rec, this.rGen[rec]);
  }

  /** Marks a record, and every caller waiting on it, as slowed by a fault or by flags (ground truth). */
  private markSlow(rec: number, mark: number, flags: number, fault: number): void {
    for (let r = rec; r >= 0; ) {
      this.rSlow[r] |= mark;
      this.rSlowFlags[r] |= flags;
      if (mark === SLOW_FAULT && this.rTruthRef[r] < 0) this.rTruthRef[r] = fault;
      const parent = this.rParent[r];
      if (parent < 0 || this.rEpoch[parent] !== this.rParentEpoch[r]) break;
      r = parent;
    }
  }

  /** The caller's view of an attempt's end: reply, timeout, rejection or open breaker. */
  private attemptEnded(rec: number, cause: number, root: number): void {
    const m = this.model;
    const k = this.rSite[rec];
    this.rAttached[rec] = 0;
    if (this.rTrace[rec] >= 0) this.tracer!.clientEnded(rec, cause, this.rTruth[rec], this.rTruthRef[rec], this.rSlow[rec], this.engine.now);
    const e = this.rTarget[rec];
    const latency = this.engine.now - this.rSent[rec];
    this.telemetry.record(e, latency, cause);
    if (this.flags !== null) this.telemetry.recordFlags(this.model.endpointService[e], this.rFlagsOn[rec], latency, cause !== CAUSE_OK);
    if (this.probes.endpointWatched[e] === 1) {
      const u = this.rUser[rec];
      this.probes.recordEndpoint(e, latency, cause !== CAUSE_OK, this.rFlagsOn[rec], u >= 0 ? this.userSegment[u] : -1);
    }
    if (this.scrapes !== null) {
      const u = this.rUser[rec];
      const r = this.rRoot[rec];
      this.scrapes.record(this.engine.now, e, this.rGen[r] === this.rRootGen[rec] ? this.rTarget[r] : -1,
        u >= 0 ? this.userSegment[u] : -1, this.rFlagsOn[rec], cause, latency);
    }
    const breaker = m.siteBreaker[k];
    if (breaker >= 0 && cause !== CAUSE_BREAKER_OPEN) this.breakers.record(breaker, cause !== CAUSE_OK);
    this.releaseSlot(rec);
    const parent = this.rParent[rec];
    if (!this.parentWaiting(rec)) return;
    if (cause !== CAUSE_OK && this.rAttempt[rec] < m.siteRetries[k] && this.retriable(k, cause)) {
      this.spawning = rec;
      const retry = this.spawn(parent, k, this.rAttempt[rec] + 1);
      this.engine.after(this.backoff(k, this.rAttempt[rec] + 1, rec), EV_SEND, retry, this.rGen[retry]);
      return;
    }
    if (parent < 0) return;
    if (cause !== CAUSE_OK && m.siteOptional[k] === 0) {
      if (cause === CAUSE_TIMEOUT) {
        const slow = this.rSlow[rec];
        this.rTruth[rec] = (slow & SLOW_FAULT) !== 0 ? TRUTH_FAULT : (slow & SLOW_FLAG) !== 0 ? TRUTH_FLAG : TRUTH_TIMEOUT;
        if (this.rTruth[rec] === TRUTH_FLAG) this.rTruthRef[rec] = 31 - Math.clz32(this.rSlowFlags[rec] & -this.rSlowFlags[rec]);
      }
      this.rTruth[parent] = this.rTruth[rec];
      this.rTruthRef[parent] = this.rTruthRef[rec];
      // A capacity failure (timeout, rejection, open breaker) on the call path a flag put in place is that flag's.
      const alt = this.rAltFlag[parent];
      const t = this.rTruth[parent];
      if (alt >= 0 && (t === TRUTH_TIMEOUT || t === TRUTH_REJECTED || t === TRUTH_BREAKER)) {
        this.rTruth[parent] = TRUTH_FLAG;
        this.rTruthRef[parent] = alt;
      }
      this.rEpoch[parent]++; // siblings still in flight are now orphans
      if (this.rKind[parent] === KIND_JOURNEY) this.journeyEnded(parent, root);
      else this.serverFinished(parent, CAUSE_DOWNSTREAM, root);
      return;
    }
    if (--this.rPending[parent] === 0) {
      this.rEpoch[parent]++;
      this.rOp[parent]++;
      this.advance(parent);
    }
  }

  private retriable(k: number, cause: number): boolean {
    const on = this.model.siteRetryOn[k];
    if (cause === CAUSE_TIMEOUT) return (on & RETRY_ON_TIMEOUT) !== 0;
    if (cause === CAUSE_REJECTED) return (on & RETRY_ON_REJECTED) !== 0;
    if (cause === CAUSE_BREAKER_OPEN) return false;
    return (on & RETRY_ON_ERROR) !== 0;
  }

  /** Exponential backoff before retry number `n` (from 1) of record `rec`'s call, capped, with jitter. */
  private backoff(k: number, n: number, rec: number): number {
    const m = this.model;
    let b = m.siteBackoff[k] * Math.pow(m.siteMultiplier[k], n - 1);
    if (b > m.siteMaxBackoff[k]) b = m.siteMaxBackoff[k];
    const jitter = m.siteJitter[k];
    if (jitter === JITTER_FULL) b *= this.drawFor(rec, this.retryRng);
    else if (jitter === JITTER_EQUAL) b = b / 2 + (b / 2) * this.drawFor(rec, this.retryRng);
    return Math.round(b);
  }

  /** Gives back the record's client-side pool slot, if it holds one, to the next attempt still wanted. */
  private releaseSlot(rec: number): void {
    if (this.rSlot[rec] === 0) return;
    this.rSlot[rec] = 0;
    const pool = this.model.sitePool[this.rSite[rec]];
    this.poolInUse[pool]--;
    const waiting = this.poolWaiting[pool];
    while (waiting.length > 0) {
      const next = waiting.shift()!;
      if (this.rSlot[next] === 2 || !this.parentWaiting(next)) {
        this.rSlot[next] = 0;
        this.free(next);
        continue;
      }
      // The slot passes to `next` now; it is sent on an event of its own so that no reply re-enters this caller.
      this.poolInUse[pool]++;
      this.rSlot[next] = 1;
      this.engine.after(0, EV_SEND, next, this.rGen[next]);
      return;
    }
  }

  // ---- the service's side: replicas, workers, queues --------------------------------------------------

  private enterService(rec: number): void {
    const m = this.model;
    const e = this.rTarget[rec];
    const s = m.endpointService[e];
    const first = m.serviceReplicaStart[s];
    const n = m.serviceReplicas[s];
    let r = first;
    if (n > 1) {
      // Round robin over the replicas that are up.
      for (let tries = 0; tries < n; tries++) {
        r = first + this.roundRobin[s];
        this.roundRobin[s] = this.roundRobin[s] + 1 === n ? 0 : this.roundRobin[s] + 1;
        if (this.replicaDown[r] === 0) break;
      }
    }
    if (this.replicaDown[r] === 1) {
      this.failSoon(rec, CAUSE_ERROR, TRUTH_FAULT, this.killedBy(s));
      return;
    }
    this.rReplica[rec] = r;
    this.rArrived[rec] = this.engine.now;
    if (this.flags !== null) this.evaluateFlags(rec, s);
    if (this.busy[r] < m.serviceConcurrency[s]) {
      this.gaugeChange(s);
      this.busy[r]++;
      this.svcBusy[s]++;
      this.start(rec, s);
    } else if (this.qLen[r] < m.serviceQueue[s]) {
      this.gaugeChange(s);
      this.enqueue(r, rec);
      this.svcQueued[s]++;
      if (this.svcQueued[s] > this.maxQueued[s]) this.maxQueued[s] = this.svcQueued[s];
      this.rState[rec] = ST_QUEUED;
    } else {
      this.failSoon(rec, CAUSE_REJECTED, TRUTH_REJECTED, -1);
    }
  }

  /**
   * Which flags service `s` serves on to this request's user, with the configuration it holds now; and whether
   * that breaks a flag's contract with what another service of the same journey decided.
   */
  private evaluateFlags(rec: number, s: number): void {
    const fl = this.flags!;
    const u = this.rUser[rec];
    const root = this.rRoot[rec];
    const rootLive = this.rGen[root] === this.rRootGen[rec];
    const upstream = rootLive ? this.rFlagsOn[root] : 0;
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
      if (fl.isOn(s, f, u)) on |= 1 << f;
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
   * Own processing on a worker: a success or, with the endpoint's error probability, a failure; changed by the
   * effects of the flags on for this request. One error draw per request whatever the flags, so that runs with
   * and without a flag stay comparable draw for draw.
   */
  private start(rec: number, s: number): void {
    const m = this.model;
    const e = this.rTarget[rec];
    const now = this.engine.now;
    this.telemetry.started(e, now - this.rArrived[rec]);
    this.rState[rec] = ST_RUNNING;
    if (this.rTrace[rec] >= 0) this.tracer!.serverStarted(rec, e, s, now, this.rFlagsOn[rec]);
    let errorRate = m.endpointErrorRate[e];
    let scale = 1;
    let add = 0;
    const on = this.rFlagsOn[rec];
    const baseRate = errorRate;
    let errorFlag = -1;
    let slowFlags = 0;
    if (on !== 0 && m.endpointEffects[e] === 1) {
      const F = m.flagCount;
      for (let f = 0; f < F; f++) {
        if (((on >>> f) & 1) === 0) continue;
        const x = this.effectFor(e * F + f, f, this.rUser[rec]);
        if (x < 0) continue;
        const seg = m.effSegment[x];
        if (seg >= 0 && (this.rUser[rec] < 0 || this.userSegment[this.rUser[rec]] !== seg)) continue;
        scale *= m.effLatencyScale[x];
        add += m.effLatencyAdd[x];
        if (m.effLatencyScale[x] > 1 || m.effLatencyAdd[x] > 0) slowFlags |= 1 << f;
        const before = errorRate;
        if (m.effErrorsSet[x] >= 0) errorRate = m.effErrorsSet[x];
        errorRate += m.effErrorsAdd[x];
        if (errorRate > before && errorFlag < 0) errorFlag = f;
      }
    }
    let dist = m.endpointLatency[e];
    this.rCause[rec] = CAUSE_OK;
    if (this.rMismatch[rec] === 1) {
      this.rCause[rec] = CAUSE_CONTRACT;
      this.rTruth[rec] = TRUTH_CONTRACT;
      dist = m.endpointErrorLatency[e];
    } else if (m.endpointMayFail[e] === 1) {
      // With common random numbers the draw says who is to blame: below the base rate the request fails with
      // or without the flag; between the base rate and the flag's rate it fails because of the flag.
      const u = this.drawFor(rec, this.serviceErrorRng[s]);
      // A failure pattern counts every request the endpoint starts; its failures are the base's, flag or not.
      const every = m.endpointErrorEvery[e];
      if (every > 0 && this.errorCount[e]++ % every >= every - m.endpointErrorBurst[e]) {
        this.rCause[rec] = CAUSE_ERROR;
        dist = m.endpointErrorLatency[e];
        this.rTruth[rec] = TRUTH_BASE;
      } else if (u < errorRate) {
        this.rCause[rec] = CAUSE_ERROR;
        dist = m.endpointErrorLatency[e];
        if (u < baseRate || errorFlag < 0) this.rTruth[rec] = TRUTH_BASE;
        else {
          this.rTruth[rec] = TRUTH_FLAG;
          this.rTruthRef[rec] = errorFlag;
        }
      }
    }
    const stream = this.drawsOf(rec, this.serviceLatencyRng[s]);
    let t = m.dists.sample(dist, this.draws, stream);
    const stress = this.faults.stress[s];
    if (stress !== 1) {
      t = Math.round(t * stress);
      this.markSlow(rec, SLOW_FAULT, 0, this.stressedBy(s));
    }
    if (scale !== 1 || add !== 0) {
      t = Math.round(t * scale + add);
      if (slowFlags !== 0) this.markSlow(rec, SLOW_FLAG, slowFlags, -1);
    }
    this.engine.after(t, EV_SERVICE_DONE, rec, this.rGen[rec]);
  }

  /** The effect of flag f at an endpoint for user u: the first in its chain for any variant or the one u is served. */
  private effectFor(i: number, f: number, u: number): number {
    const m = this.model;
    let x = m.effectOf[i];
    while (x >= 0 && m.effVariant[x] >= 0 && (u < 0 || this.flags!.variantOf[f]![u] !== m.effVariant[x])) x = m.effNext[x];
    return x;
  }

  private serviceDone(rec: number): void {
    const cause = this.rCause[rec];
    if (cause !== CAUSE_OK) {
      this.serverFinished(rec, cause, cause);
      return;
    }
    const m = this.model;
    const e = this.rTarget[rec];
    this.rState[rec] = ST_CALLING;
    this.rOp[rec] = m.endpointOpStart[e];
    this.rOpEnd[rec] = m.endpointOpEnd[e];
    const on = this.rFlagsOn[rec];
    if (on !== 0 && m.endpointEffects[e] === 1) {
      // A flag that changes the endpoint's calls: the first such flag that is on decides.
      const F = m.flagCount;
      for (let f = 0; f < F; f++) {
        const x = ((on >>> f) & 1) === 1 ? this.effectFor(e * F + f, f, this.rUser[rec]) : -1;
        if (x >= 0 && m.effOpStart[x] >= 0) {
          this.rOp[rec] = m.effOpStart[x];
          this.rOpEnd[rec] = m.effOpEnd[x];
          this.rAltFlag[rec] = f;
          // Its calls are the flag's doing: a journey they push past the SLO is the flag's harm, as with latency.
          this.markSlow(rec, SLOW_FLAG, 1 << f, -1);
          break;
        }
      }
    }
    this.advance(rec);
  }

  /** The service replies: its worker takes the next queued request, and the caller hears back if it still waits. */
  private serverFinished(rec: number, cause: number, root: number): void {
    const m = this.model;
    const r = this.rReplica[rec];
    const s = m.replicaService[r];
    if (this.rTrace[rec] >= 0) this.tracer!.serverEnded(rec, cause, this.rTruth[rec], this.rTruthRef[rec], this.engine.now);
    this.gaugeChange(s);
    this.rEpoch[rec]++;
    if (this.qLen[r] > 0) {
      this.svcQueued[s]--;
      this.start(this.dequeue(r), s);
    } else {
      this.busy[r]--;
      this.svcBusy[s]--;
    }
    if (this.rAttached[rec] === 1) this.attemptEnded(rec, cause, root);
    this.free(rec);
  }

  private enqueue(r: number, rec: number): void {
    let buf = this.qBuf[r];
    if (this.qLen[r] === buf.length) {
      const bigger = new Int32Array(buf.length * 2);
      for (let i = 0; i < this.qLen[r]; i++) bigger[i] = buf[(this.qHead[r] + i) % buf.length];
      this.qBuf[r] = buf = bigger;
      this.qHead[r] = 0;
    }
    buf[(this.qHead[r] + this.qLen[r]) % buf.length] = rec;
    this.qLen[r]++;
  }

  private dequeue(r: number): number {
    const buf = this.qBuf[r];
    const rec = buf[this.qHead[r]];
    this.qHead[r] = this.qHead[r] + 1 === buf.length ? 0 : this.qHead[r] + 1;
    this.qLen[r]--;
    return rec;
  }

  // ---- windows and gauges -------------------------------------------------------------------------------

  /** Accumulates a service's busy and queue areas up to now, before its counts change. */
  private gaugeChange(s: number): void {
    const now = this.engine.now;
    const dt = now - this.svcLastChange[s];
    if (dt > 0) {
      this.busyArea[s] += this.svcBusy[s] * dt;
      this.queueArea[s] += this.svcQueued[s] * dt;
      this.svcLastChange[s] = now;
    }
  }

  private closeWindow(end: number): void {
    const S = this.model.serviceNames.length;
    for (let s = 0; s < S; s++) this.gaugeChange(s);
    this.telemetry.closeWindow(end, this.busyArea, this.queueArea, this.maxQueued);
    this.busyArea.fill(0);
    this.queueArea.fill(0);
    for (let s = 0; s < S; s++) this.maxQueued[s] = this.svcQueued[s];
  }

  private tick(): void {
    const now = this.engine.now;
    // Drained before this window ended: run() closes it at the last end instead.
    if (!this.arrivalsOpen && this.live === 0) return;
    this.closeWindow(now);
    this.onWindow?.(now, this.journeysArrived);
    const next = now + this.windowUs;
    // Keep ticking while anything can still happen and the next window starts within the horizon.
    if ((this.arrivalsOpen || this.live > 0) && next <= this.horizon) this.engine.at(next, EV_TICK, 0, 0);
  }

  // ---- the record pool ------------------------------------------------------------------------------------

  private alloc(): number {
    if (this.freeTop === 0) this.growRecords(this.cap * 2);
    const rec = this.freeList[--this.freeTop];
    this.rGen[rec]++;
    this.rEpoch[rec]++;
    // rCause, rPending and rMismatch are always written before they are read.
    this.rAttached[rec] = 0;
    this.rSlot[rec] = 0;
    this.rFlagsOn[rec] = 0;
    this.rSeenOff[rec] = 0;
    this.rTruth[rec] = 0;
    this.rTruthRef[rec] = -1;
    this.rSlow[rec] = 0;
    this.rSlowFlags[rec] = 0;
    this.rAltFlag[rec] = -1;
    this.live++;
    return rec;
  }

  private free(rec: number): void {
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
    this.rPending = grow(this.rPending);
    this.rSent = grow(this.rSent);
    this.rArrived = grow(this.rArrived);
    this.rUser = grow(this.rUser);
    this.rRoot = grow(this.rRoot);
    this.rRootGen = grow(this.rRootGen);
    this.rFlagsOn = grow(this.rFlagsOn);
    this.rSeenOff = grow(this.rSeenOff);
    this.rMismatch = grow(this.rMismatch);
    this.rOpEnd = grow(this.rOpEnd);
    this.rTruth = grow(this.rTruth);
    this.rTruthRef = grow(this.rTruthRef);
    this.rSlow = grow(this.rSlow);
    this.rSlowFlags = grow(this.rSlowFlags);
    this.rAltFlag = grow(this.rAltFlag);
    this.journeyStreams.ensure(cap);
    this.rTrace = grow(this.rTrace);
    const freeList = new Int32Array(cap);
    freeList.set(this.freeList.subarray(0, this.freeTop));
    // New records go on the free list highest first, so that low indices are used first.
    for (let i = cap - 1; i >= old; i--) freeList[this.freeTop++] = i;
    this.freeList = freeList;
    this.cap = cap;
  }

  // ---- hooks for the rollout controller -----------------------------------------------------------------

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

  // ---- faults ---------------------------------------------------------------------------------------------

  /** Switches on fault k now (a fault from the catalogue, injected by hand); false if it has already been. */
  injectFault(k: number): boolean {
    if (this.faultTriggered[k] === 1) return false;
    this.scheduleFault(k, this.engine.now);
    return true;
  }

  private scheduleFault(k: number, atUs: number): void {
    if (this.faultTriggered[k] === 1) return;
    this.faultTriggered[k] = 1;
    const f = this.scenario.faults[k];
    this.engine.at(atUs, EV_FAULT, k, 1);
    if (Number.isFinite(f.durationUs)) this.engine.at(atUs + f.durationUs, EV_FAULT, k, 0);
  }

  /** A rollout event happened: faults timed relative to it are scheduled (each fault once). */
  rolloutEvent(event: 'start' | 'stage' | 'rollback' | 'complete', flag: string, stage: number): void {
    this.scenario.faults.forEach((f, k) => {
      const st = f.start;
      if (st.kind === 'event' && st.event === event && st.flag === flag && (event !== 'stage' || st.stage === stage)) {
        this.scheduleFault(k, this.engine.now + st.offsetUs);
      }
    });
  }

  private switchFault(k: number, on: boolean): void {
    const f = this.scenario.faults[k];
    const s = this.faults.to[k];
    if (f.kind === 'cpu-stress') this.gaugeChange(s);
    this.faults.setActive(k, on, this.engine.now);
    if (f.kind !== 'instance-kill') return;
    const first = this.model.serviceReplicaStart[s];
    const n = this.model.serviceReplicas[s];
    if (!on) {
      for (let r = first; r < first + n; r++) if (this.replicaKiller[r] === k) {
        this.replicaDown[r] = 0;
        this.replicaKiller[r] = -1;
      }
      return;
    }
    let left = f.replicas;
    for (let r = first; r < first + n && left > 0; r++) {
      if (this.replicaDown[r] === 1) continue;
      left--;
      this.replicaDown[r] = 1;
      this.replicaKiller[r] = k;
      this.killReplica(r, k);
    }
  }

  /** A replica dies with the requests it holds: queued ones and those being served fail at once. */
  private killReplica(r: number, fault: number): void {
    const s = this.model.replicaService[r];
    this.gaugeChange(s);
    while (this.qLen[r] > 0) {
      const rec = this.dequeue(r);
      this.svcQueued[s]--;
      this.rCause[rec] = CAUSE_ERROR;
      this.rTruth[rec] = TRUTH_FAULT;
      this.rTruthRef[rec] = fault;
      if (this.rAttached[rec] === 1) this.attemptEnded(rec, CAUSE_ERROR, CAUSE_ERROR);
      this.free(rec);
    }
    for (let rec = 0; rec < this.cap; rec++) {
      const st = this.rState[rec];
      if ((st === ST_RUNNING || st === ST_CALLING) && this.rKind[rec] === KIND_CALL && this.rReplica[rec] === r) {
        this.rTruth[rec] = TRUTH_FAULT;
        this.rTruthRef[rec] = fault;
        this.serverFinished(rec, CAUSE_ERROR, CAUSE_ERROR);
      }
    }
  }

  private killedBy(s: number): number {
    const first = this.model.serviceReplicaStart[s];
    return this.replicaKiller[first];
  }

  private stressedBy(s: number): number {
    const f = this.faults;
    for (let k = 0; k < f.count; k++) if (f.active[k] === 1 && f.to[k] === s && f.specs[k].kind === 'cpu-stress') return k;
    return -1;
  }
}
