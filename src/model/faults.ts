/**
 * Faults applied to calls, under the names Toxiproxy, Envoy and Chaos Mesh use. Each fault has a target (a
 * service, an endpoint, or an edge between two services, optionally only one segment's users), a share of the
 * matching requests, and a window (faults/schedule.ts). The simulator asks check() as a call leaves its caller;
 * the answer (delay it, fail it, or drop it) lands in fields, so that nothing is allocated per call. Faults on
 * a service rather than on calls slow its work (cpu-stress) or kill its replicas with what they hold.
 */
import type { RandomStreams } from '../engine/rng.js';
import { endOf, startsAtTime, startsOn, type RolloutEvent } from '../faults/schedule.js';
import type { FaultSpec, Scenario } from '../scenario/types.js';
import { CAUSE_ERROR } from '../telemetry/telemetry.js';
import type { CompiledModel } from './compile.js';
import { DistTable } from './dist.js';
import { FlagRoom } from './flags.js';
import { EV_ENTER, EV_FAULT, KIND_CALL, ST_CALLING, ST_CLIENT_ONLY, ST_RUNNING } from './records.js';
import { SLOW_FAULT, TRUTH_FAULT } from './truth.js';

export const ACT_NONE = 0;
export const ACT_DELAY = 1;
export const ACT_FAIL = 2;
export const ACT_DROP = 3;

const K_DELAY = 0; // latency, packet-loss
const K_FAIL = 1; // abort, reset, unavailable
const K_DROP = 2; // timeout, blackhole, partition
const K_THROTTLE = 3;
const K_SERVICE = 4; // cpu-stress, instance-kill: not per call

const CLASS: Record<FaultSpec['kind'], number> = {
  latency: K_DELAY, 'packet-loss': K_DELAY, abort: K_FAIL, reset: K_FAIL, unavailable: K_FAIL,
  timeout: K_DROP, blackhole: K_DROP, partition: K_DROP, throttle: K_THROTTLE, 'cpu-stress': K_SERVICE, 'instance-kill': K_SERVICE,
};

export class FaultRuntime {
  count = 0;
  specs: readonly FaultSpec[] = [];
  private cls = new Uint8Array(0);
  to = new Int32Array(0);
  private from = new Int32Array(0);
  private endpoint = new Int32Array(0);
  private both = new Uint8Array(0);
  private segment = new Int32Array(0);
  private share = new Float64Array(0);
  private delays = new DistTable([]);
  private tokens = new Float64Array(0);
  private refilled = new Float64Array(0);
  active = new Uint8Array(0);
  activeCount = 0;
  /** Service-time multiplier per service from active cpu-stress faults. */
  readonly stress: Float64Array;
  /** When each fault was last switched on and off (for scoring), in microseconds; -1 when never. */
  onAt = new Float64Array(0);
  offAt = new Float64Array(0);
  /** When a fault was due to switch on at or after the run's end, where it never does; -1 otherwise. */
  dueAt = new Float64Array(0);

  // The answer of the last check().
  action = ACT_NONE;
  delayUs = 0;
  fault = -1;

  constructor(specs: readonly FaultSpec[], private readonly m: CompiledModel, private readonly segmentIndex: (name: string) => number) {
    this.stress = new Float64Array(m.serviceNames.length).fill(1);
    this.size(specs);
  }

  /**
   * A fault added while the run goes on (a game day's ad-hoc fault): the tables are rebuilt one longer, the
   * state of the others kept. Returns its index; it stays off until switched on. Nothing in check() changes.
   */
  add(spec: FaultSpec): number {
    this.size([...this.specs, spec]);
    return this.count - 1;
  }

  private size(specs: readonly FaultSpec[]): void {
    const m = this.m;
    const n = specs.length;
    const grown = <T extends Uint8Array | Float64Array>(old: T, fresh: T, fill?: number): T => {
      if (fill !== undefined) fresh.fill(fill);
      fresh.set(old.subarray(0, Math.min(old.length, n)));
      return fresh;
    };
    this.specs = specs;
    this.count = n;
    const svc = (name: string | null) => (name === null ? -1 : m.serviceNames.indexOf(name));
    this.cls = Uint8Array.from(specs, (f) => CLASS[f.kind]);
    this.to = Int32Array.from(specs, (f) => svc(f.to));
    this.from = Int32Array.from(specs, (f) => svc(f.from));
    this.endpoint = Int32Array.from(specs, (f) => (f.endpoint === null ? -1 : m.endpointNames.indexOf(`${f.to}.${f.endpoint}`)));
    this.both = Uint8Array.from(specs, (f) => (f.bothWays ? 1 : 0));
    this.segment = Int32Array.from(specs, (f) => (f.segment === null ? -1 : this.segmentIndex(f.segment)));
    this.share = Float64Array.from(specs, (f) => f.share);
    this.delays = new DistTable(specs.map((f) => f.delay ?? { kind: 'constant', a: 0, b: 0, samples: [], mean: 0 }));
    const tokens = Float64Array.from(specs, (f) => f.ratePerSec);
    tokens.set(this.tokens);
    this.tokens = tokens;
    this.refilled = grown(this.refilled, new Float64Array(n));
    this.active = grown(this.active, new Uint8Array(n));
    this.onAt = grown(this.onAt, new Float64Array(n), -1);
    this.offAt = grown(this.offAt, new Float64Array(n), -1);
    this.dueAt = grown(this.dueAt, new Float64Array(n), -1);
  }

  setActive(k: number, on: boolean, now: number): void {
    if ((this.active[k] === 1) === on) return;
    this.active[k] = on ? 1 : 0;
    this.activeCount += on ? 1 : -1;
    if (on) this.onAt[k] = now;
    else this.offAt[k] = now;
    if (on && this.cls[k] === K_THROTTLE) {
      this.tokens[k] = this.specs[k].ratePerSec;
      this.refilled[k] = now;
    }
    if (this.specs[k].kind === 'cpu-stress') {
      this.stress.fill(1);
      for (let j = 0; j < this.count; j++) {
        if (this.active[j] === 1 && this.specs[j].kind === 'cpu-stress') this.stress[this.to[j]] *= this.specs[j].factor;
      }
    }
  }

  /** Whether fault k was on at any time in [fromUs, toUs]. */
  wasActive(k: number, fromUs: number, toUs: number): boolean {
    if (this.onAt[k] < 0 || this.onAt[k] > toUs) return false;
    return this.active[k] === 1 || this.offAt[k] >= fromUs;
  }

  /**
   * What the active faults do to a call from service `caller` (-1 for a user) to endpoint `e` of service `s`,
   * for a user in `segment`: a drop beats a failure, which beats a delay; delays add up.
   */
  check(caller: number, e: number, s: number, segment: number, now: number, rng: RandomStreams, stream: number): void {
    this.action = ACT_NONE;
    this.delayUs = 0;
    this.fault = -1;
    for (let k = 0; k < this.count; k++) {
      if (this.active[k] === 0) continue;
      const c = this.cls[k];
      if (c === K_SERVICE) continue;
      const forward = this.to[k] === s && (this.from[k] < 0 || this.from[k] === caller);
      const backward = this.both[k] === 1 && this.from[k] === s && this.to[k] === caller;
      if (!forward && !backward) continue;
      if (this.endpoint[k] >= 0 && this.endpoint[k] !== e) continue;
      if (this.segment[k] >= 0 && this.segment[k] !== segment) continue;
      if (this.share[k] < 1 && rng.next(stream) >= this.share[k]) continue;
      let act = ACT_NONE;
      if (c === K_DELAY) {
        this.delayUs += this.delays.sample(k, rng, stream);
        act = ACT_DELAY;
      } else if (c === K_FAIL) {
        act = ACT_FAIL;
      } else if (c === K_DROP) {
        act = ACT_DROP;
      } else {
        // A token bucket refilled at the rate, holding at most one second's worth.
        const rate = this.specs[k].ratePerSec;
        this.tokens[k] = Math.min(rate, this.tokens[k] + ((now - this.refilled[k]) / 1e6) * rate);
        this.refilled[k] = now;
        if (this.tokens[k] >= 1) this.tokens[k] -= 1;
        else act = ACT_FAIL;
      }
      if (act > this.action || (act === ACT_DELAY && this.action === ACT_DELAY)) {
        if (act > this.action) this.fault = k;
        this.action = act;
      }
    }
  }
}

export abstract class FaultRoom extends FlagRoom {
  readonly faults: FaultRuntime;
  private readonly faultRng: number;
  private faultTriggered: Uint8Array;
  protected readonly replicaDown: Uint8Array;
  private readonly replicaKiller: Int32Array;

  constructor(scenario: Scenario, seed: number) {
    super(scenario, seed);
    const m = this.model;
    this.faults = new FaultRuntime(scenario.faults, m, (name) => this.segmentNames.indexOf(name));
    this.faultRng = this.rng.stream('faults');
    this.faultTriggered = new Uint8Array(scenario.faults.length);
    this.replicaDown = new Uint8Array(m.replicaService.length);
    this.replicaKiller = new Int32Array(m.replicaService.length).fill(-1);
    this.marks = this.flags !== null || scenario.faults.length > 0;
  }

  /** The service replies (servers.ts). */
  protected abstract serverFinished(rec: number, cause: number, root: number): void;
  /** The caller's view of an attempt's end (calls.ts). */
  protected abstract attemptEnded(rec: number, cause: number, root: number): void;

  /** Schedules the faults that start at a fixed time. */
  protected scheduleTimedFaults(): void {
    this.scenario.faults.forEach((f, k) => {
      if (startsAtTime(f)) this.scheduleFault(k, f.start.atUs);
    });
  }

  /**
   * A fault that joins the run now (a game day's ad-hoc fault), off until injectFault() switches it on.
   * Returns its index. The fault tables grow by one; a run that adds none pays nothing.
   */
  addFault(spec: FaultSpec): number {
    if (this.inlineCalls) throw new Error('a fault added to a run whose calls may have no records: call keepCallRecords() before begin()');
    const k = this.faults.add(spec);
    this.marks = true;
    const triggered = new Uint8Array(k + 1);
    triggered.set(this.faultTriggered);
    this.faultTriggered = triggered;
    this.truth.addFault();
    return k;
  }

  /** Switches on fault k now (a fault from the catalogue, injected by hand); false if it has already been. */
  injectFault(k: number): boolean {
    if (this.faultTriggered[k] === 1) return false;
    this.scheduleFault(k, this.engine.now);
    return true;
  }

  /**
   * From when a fault never switches on: the run's end. A run cut short of the horizon it stands for (a game day's
   * policy run, cut where the drill ended) keeps that horizon's.
   */
  protected get faultsEndUs(): number {
    return this.horizon;
  }

  /**
   * Fault k was due at `atUs`, at or after the run's end: said in the results (due_seconds), so that one a rollout
   * event timed there is not silently missing. A game day's runs say nothing of it (see their overrides).
   */
  protected dueAfterEnd(k: number, atUs: number): void {
    this.faults.dueAt[k] = atUs;
  }

  /**
   * Fault k switches on at `atUs` and off when it is due to. One due at or after the run's end never switches on (the
   * loader warns that a fault timed there never acts): at the end instant itself it would still act on what happens
   * then, and results would list it as on from the end to the end.
   */
  private scheduleFault(k: number, atUs: number): void {
    if (this.faultTriggered[k] === 1) return;
    this.faultTriggered[k] = 1;
    if (atUs >= this.faultsEndUs) {
      this.dueAfterEnd(k, atUs);
      return;
    }
    const f = this.faults.specs[k];
    this.engine.at(atUs, EV_FAULT, k, 1);
    const off = endOf(f, atUs);
    if (off !== Infinity) this.engine.at(off, EV_FAULT, k, 0);
  }

  /** A rollout event happened: faults timed relative to it are scheduled (each fault once). */
  rolloutEvent(event: RolloutEvent, flag: string, stage: number): void {
    this.scenario.faults.forEach((f, k) => {
      if (startsOn(f, event, flag, stage)) this.scheduleFault(k, this.engine.now + f.start.offsetUs);
    });
  }

  /** Fault k switches on or off (an EV_FAULT event). */
  protected switchFault(k: number, on: boolean): void {
    const f = this.faults.specs[k];
    const s = this.faults.to[k];
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
    while (this.qLen[r] > 0) {
      const rec = this.dequeue(r);
      this.queuedDown(s);
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

  /**
   * The active faults on an attempt leaving its caller through call site `k` (only while some fault is on):
   * true when a fault took the attempt (it fails, is dropped, or enters the service after a delay).
   */
  protected faultsOnCall(rec: number, k: number): boolean {
    const m = this.model;
    const e = this.rTarget[rec];
    const f = this.faults;
    const stream = this.drawsOf(rec, this.faultRng);
    f.check(m.siteCaller[k], e, m.endpointService[e], this.segmentOf(rec), this.engine.now, this.draws, stream);
    if (f.action === ACT_FAIL) {
      this.failSoon(rec, CAUSE_ERROR, TRUTH_FAULT, f.fault);
      return true;
    }
    if (f.action === ACT_DROP) {
      // No reply ever comes: the caller waits for its timeout, if it has one.
      this.markSlow(rec, SLOW_FAULT, 0, f.fault, Infinity);
      this.rState[rec] = ST_CLIENT_ONLY;
      return true;
    }
    if (f.action === ACT_DELAY) {
      this.markSlow(rec, SLOW_FAULT, 0, f.fault, f.delayUs);
      this.engine.after(f.delayUs, EV_ENTER, rec, this.rGen[rec]);
      return true;
    }
    return false;
  }

  /** The fault that killed the replicas of service `s` (the first one's killer). */
  protected killedBy(s: number): number {
    const first = this.model.serviceReplicaStart[s];
    return this.replicaKiller[first];
  }

  /** The active cpu-stress fault on service `s`, or -1. */
  protected stressedBy(s: number): number {
    const f = this.faults;
    for (let k = 0; k < f.count; k++) if (f.active[k] === 1 && f.to[k] === s && f.specs[k].kind === 'cpu-stress') return k;
    return -1;
  }
}
