/**
 * Ground truth: what only a simulation knows. Every failed request carries the true cause of its failure (a
 * base error, a flag's defect, a broken contract, an injected fault, a plain timeout, a rejection, an open
 * breaker) and the flag or fault behind it; every request knows which flags and faults slowed it. Kept apart
 * from observed telemetry: gates never read it, scoring does.
 */
import { LatencyCounts } from '../telemetry/histogram.js';

export const TRUTH_NONE = 0;
export const TRUTH_BASE = 1;
export const TRUTH_FLAG = 2;
export const TRUTH_CONTRACT = 3;
export const TRUTH_FAULT = 4;
export const TRUTH_TIMEOUT = 5;
export const TRUTH_REJECTED = 6;
export const TRUTH_BREAKER = 7;
export const TRUTH_NAMES = ['none', 'base-error', 'flag-defect', 'contract', 'fault', 'timeout', 'rejected', 'breaker-open'] as const;

/** Slowness marks: a fault delayed the request (or one it waited on); a flag's latency effect did. */
export const SLOW_FAULT = 1;
export const SLOW_FLAG = 2;

/**
 * What a fault did to the journeys it slowed and that still succeeded (a failed one is in its harm): how many, their
 * latency, the time faults added to each, and the latency the same journeys had without that time. Ground truth,
 * journey by journey: the delay each call was put back by, carried to its callers (delays.ts), never estimated.
 * A journey two faults slowed counts for the first that did; its time without them is without both.
 */
export class FaultSlowing {
  journeys = 0;
  /** Journeys whose added time is not known (a call a fault dropped, then retried in time): not in addedUs nor withoutUs. */
  unknown = 0;
  readonly latencyUs = new LatencyCounts();
  readonly addedUs = new LatencyCounts();
  readonly withoutUs = new LatencyCounts();

  add(latencyUs: number, faultDelayUs: number): void {
    this.journeys++;
    this.latencyUs.record(latencyUs);
    if (!Number.isFinite(faultDelayUs)) {
      this.unknown++;
      return;
    }
    this.addedUs.record(faultDelayUs);
    this.withoutUs.record(Math.max(0, latencyUs - faultDelayUs));
  }
}

export class GroundTruth {
  journeys = 0;
  failed = 0;
  slow = 0;
  readonly failedByTruth = new Float64Array(TRUTH_NAMES.length);
  /** Per flag: journeys it hurt, the users they belonged to (bit per flag), and when the first and last were. */
  readonly hurtRequests: Float64Array;
  readonly onsetUs: Float64Array;
  readonly lastUs: Float64Array;
  private readonly hurtUsers: Int32Array;
  /** Per fault: journeys it failed or slowed past the SLO; and of them, those it failed (its own failure, or a timeout it caused). */
  faultHurt: Float64Array;
  faultFailed: Float64Array;
  /** Per fault: the journeys it slowed that succeeded (made on the first). */
  readonly faultSlowed: (FaultSlowing | null)[];

  /**
   * Per journey, by arrival number, when a log is kept (for counterfactual scoring): 0 not ended, 1 ended well,
   * 2 failed or slower than the SLO; with its user and end time.
   */
  log: { outcome: Uint8Array; user: Int32Array; endUs: Float64Array } | null = null;

  /** Per flag, journeys it hurt in each telemetry window (grown as windows pass). */
  readonly hurtByWindow: number[][];

  constructor(flags: number, faults: number, users: number, private readonly sloLatencyUs: number, private readonly windowUs = 60e6) {
    this.hurtByWindow = Array.from({ length: flags }, () => []);
    this.hurtRequests = new Float64Array(flags);
    this.onsetUs = new Float64Array(flags).fill(-1);
    this.lastUs = new Float64Array(flags).fill(-1);
    this.hurtUsers = new Int32Array(users);
    this.faultHurt = new Float64Array(faults);
    this.faultFailed = new Float64Array(faults);
    this.faultSlowed = new Array<FaultSlowing | null>(faults).fill(null);
  }

  /** One more fault to count for (added while the run goes on). */
  addFault(): void {
    const grown = new Float64Array(this.faultHurt.length + 1);
    grown.set(this.faultHurt);
    this.faultHurt = grown;
    const failed = new Float64Array(this.faultFailed.length + 1);
    failed.set(this.faultFailed);
    this.faultFailed = failed;
    this.faultSlowed.push(null);
  }

  /**
   * A journey ended. `truth` and `ref` (a flag or fault index) are its failure's true cause; `slow` and
   * `slowFlags` the marks of what slowed it; `flagDelayUs` the time flags added to it (with SLOW_FLAG).
   *
   * A slow journey is the flags' harm when, without the time they added, it would have been within the SLO: the
   * same journey with and without the flags, like with like. One that would have been slow anyway is not, and
   * neither is one a fault slowed that, without the time the fault added (`faultDelayUs`, with SLOW_FAULT), would
   * have been within the SLO, flags and all: the fault brought it to the SLO, and a flag's few milliseconds are
   * judged as the flag does without the fault, as the same journey on a day without it.
   */
  journey(nowUs: number, latencyUs: number, failed: boolean, truth: number, ref: number, slow: number, slowFlags: number, user: number, flagDelayUs = 0, faultDelayUs = 0): void {
    this.journeys++;
    let hurtFlags = 0;
    if (failed) {
      this.failed++;
      this.failedByTruth[truth]++;
      if (truth === TRUTH_FLAG || truth === TRUTH_CONTRACT) hurtFlags = 1 << ref;
      if (truth === TRUTH_FAULT && ref >= 0) {
        this.faultHurt[ref]++;
        this.faultFailed[ref]++;
      }
    } else if (latencyUs > this.sloLatencyUs) {
      this.slow++;
      const faultsCause = (slow & SLOW_FAULT) !== 0 && latencyUs - faultDelayUs <= this.sloLatencyUs;
      if ((slow & SLOW_FLAG) !== 0 && latencyUs - flagDelayUs <= this.sloLatencyUs && !faultsCause) hurtFlags = slowFlags;
      if ((slow & SLOW_FAULT) !== 0 && ref >= 0) this.faultHurt[ref]++;
    }
    if (!failed && (slow & SLOW_FAULT) !== 0 && ref >= 0) (this.faultSlowed[ref] ??= new FaultSlowing()).add(latencyUs, faultDelayUs);
    if (hurtFlags === 0) return;
    if (user >= 0) this.hurtUsers[user] |= hurtFlags;
    for (let f = 0; hurtFlags !== 0; f++, hurtFlags >>>= 1) {
      if ((hurtFlags & 1) === 0) continue;
      this.hurtRequests[f]++;
      const w = Math.floor(nowUs / this.windowUs);
      const series = this.hurtByWindow[f];
      while (series.length <= w) series.push(0);
      series[w]++;
      if (this.onsetUs[f] < 0) this.onsetUs[f] = nowUs;
      this.lastUs[f] = nowUs;
    }
  }

  /** Keeps the per-journey log from now on. */
  keepLog(): void {
    this.log = { outcome: new Uint8Array(1024), user: new Int32Array(1024), endUs: new Float64Array(1024) };
  }

  logJourney(n: number, bad: boolean, user: number, nowUs: number): void {
    let log = this.log!;
    if (n >= log.outcome.length) {
      const size = Math.max(n + 1, log.outcome.length * 2);
      const grow = <T extends Uint8Array | Int32Array | Float64Array>(a: T, make: (k: number) => T): T => {
        const b = make(size);
        b.set(a);
        return b;
      };
      log = this.log = {
        outcome: grow(log.outcome, (k) => new Uint8Array(k)),
        user: grow(log.user, (k) => new Int32Array(k)),
        endUs: grow(log.endUs, (k) => new Float64Array(k)),
      };
    }
    log.outcome[n] = bad ? 2 : 1;
    log.user[n] = user;
    log.endUs[n] = nowUs;
  }

  /** Users the flag hurt at least once. */
  usersHurt(f: number): number {
    let n = 0;
    for (let u = 0; u < this.hurtUsers.length; u++) if (((this.hurtUsers[u] >>> f) & 1) === 1) n++;
    return n;
  }
}
