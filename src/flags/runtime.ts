/**
 * Flags at run time: each user's fixed position in each flag's rollout (computed once, as the flag's system
 * buckets), targeting decisions, audience matches, and the configuration each service currently serves. A
 * change of configuration is published as a new version; each service applies it when it arrives, and until
 * then evaluates the old one. Evaluation is a few array reads, cheap enough for every request.
 */
import type { Cohort } from '../cohorts/cohort.js';
import { attributeNames, segmentsOf, userAttributes } from '../cohorts/cohort.js';
import type { Scenario } from '../scenario/types.js';
import { bucketOf, RANK_SCALE, rolloutThreshold } from './bucketing.js';
import { parseExpression } from '../lang/expression.js';
import { quoted } from '../units/escape.js';

/** A flag's configuration as its system stores it: off, or on for a percentage (of an audience). */
export interface FlagConfig {
  readonly enabled: boolean;
  readonly percent: number;
  /** Audience expression, or null for everyone. */
  readonly audience: string | null;
}

export const FLAG_LIMIT = 31;

export class FlagRuntime {
  readonly flagKeys: string[];
  readonly users: number;
  readonly segmentNames: string[];
  readonly userSegment: Uint8Array;
  readonly contract: Uint8Array;
  /** Bit f set when flag f has a consistency contract. */
  readonly contractMask: number;
  /** Bit f set when flag f's plan splits requests, not users (a router's weights): isOn takes a draw per request. */
  readonly perRequestMask: number;
  /** Services that run a flag SDK (evaluate any flag): they all receive every flag's configuration. */
  readonly sdkServices: number[];
  /** Flags each service evaluates, by service index. */
  readonly evaluatedBy: number[][];
  private readonly rank: Int32Array[];
  private readonly forced: Int8Array[];
  /** Flags from a flag system file: 1 where the system serves the user the new code path (null: defined here). */
  private readonly served: (Uint8Array | null)[];
  /** Flags from a flag system file: the variant each user is served (index into the source's variants, -1 none). */
  readonly variantOf: (Int16Array | null)[];
  /** Every flag each flag requires, directly or through others, each once (so a check is linear, not a walk). */
  private readonly requires: number[][];
  private readonly needsMask: Int32Array;
  /** Bit f set when flag f needs other flags. */
  private readonly needing: number;
  private readonly audiences: string[] = [];
  private readonly audienceMatch: Uint8Array[] = [];
  private readonly attrs: Record<string, string | number | boolean>[];
  private readonly attributeNames: string[];

  /**
   * Each user's assignment: bit f set when the flag system serves flag f to the user under its latest published
   * configuration (targeting, audience and prerequisites included), whatever a service has received yet. A
   * comparison of flag on against flag off groups users by it.
   */
  readonly assigned: Int32Array;
  /** The flag system's own row in the per-(service, flag) tables below: it holds each flag's latest configuration. */
  private readonly system: number;
  /** Flags whose assignment a change of each flag's configuration changes: itself and those that require it. */
  private readonly dependents: number[][];

  // Per (service, flag): the configuration the service serves now.
  private readonly flags: number;
  private readonly enabled: Uint8Array;
  private readonly threshold: Int32Array;
  private readonly audience: Int32Array;
  private readonly applied: Int32Array;
  /** Published configurations of each flag, by version (version 0: off). */
  readonly versions: FlagConfig[][];

  constructor(scenario: Scenario, population: Cohort, serviceNames: readonly string[]) {
    const flags = scenario.flags;
    this.flagKeys = flags.map((f) => f.key);
    this.flags = flags.length;
    this.users = population.size;
    this.attrs = Array.from({ length: population.size }, (_, u) => userAttributes(population, u));
    this.attributeNames = attributeNames(population);
    const segments = segmentsOf(population);
    this.segmentNames = segments.names;
    this.userSegment = segments.ofUser;
    this.contract = Uint8Array.from(flags, (f) => (f.contract === 'consistent' ? 1 : 0));
    this.contractMask = flags.reduce((mask, f, i) => (f.contract === 'consistent' ? mask | (1 << i) : mask), 0);
    const perRequest = new Set(scenario.rollouts.filter((p) => p.splitBy === 'requests').map((p) => p.flag));
    this.perRequestMask = flags.reduce((mask, f, i) => (perRequest.has(f.key) ? mask | (1 << i) : mask), 0);
    this.rank = flags.map((f) => Int32Array.from(population.key, (k) =>
      bucketOf(f.bucketing, f.key, k, { salt: f.salt ?? undefined, hashVersion: f.hashVersion }).rank));
    this.forced = flags.map((f) => {
      const rules = f.targeting.map((t) => ({ match: parseExpression(t.when, this.attributeNames), serve: t.serve }));
      return Int8Array.from(this.attrs, (a) => {
        const rule = rules.find((r) => r.match(a));
        return rule ? (rule.serve ? 1 : 0) : -1;
      });
    });
    // Flags from flag files: what their systems serve each user, worked out when the scenario loaded.
    this.served = flags.map((f) => {
      if (f.source && (!f.served || f.served.on.length !== population.size)) throw new Error(`flag ${quoted(f.key)}: its served variants were not worked out for these users`);
      return f.served?.on ?? null;
    });
    this.variantOf = flags.map((f) => f.served?.variant ?? null);
    const index = new Map(this.flagKeys.map((k, i) => [k, i]));
    this.requires = prerequisiteClosure(flags.map((f) => f.requires.map((r) => index.get(r)!)));
    this.needsMask = Int32Array.from(flags, (f) => f.needs.reduce((m, r) => m | (1 << index.get(r)!), 0));
    this.needing = flags.reduce((m, f, i) => (f.needs.length > 0 ? m | (1 << i) : m), 0);
    this.evaluatedBy = serviceNames.map((s) => flags.flatMap((f, i) => (f.evaluatedBy.includes(s) ? [i] : [])));
    this.sdkServices = serviceNames.flatMap((_, s) => (this.evaluatedBy[s].length > 0 ? [s] : []));
    const S = serviceNames.length;
    this.system = S;
    this.enabled = new Uint8Array((S + 1) * this.flags);
    this.threshold = new Int32Array((S + 1) * this.flags);
    this.audience = new Int32Array((S + 1) * this.flags).fill(-1);
    this.applied = new Int32Array((S + 1) * this.flags);
    // A flag from a flag system file without a rollout plan serves as its file says from the start.
    const planned = new Set(scenario.rollouts.map((p) => p.flag));
    this.versions = flags.map((f) => [{ enabled: f.source !== null && !planned.has(f.key), percent: f.source !== null && !planned.has(f.key) ? 100 : 0, audience: null }]);
    for (let f = 0; f < this.flags; f++) {
      if (!this.versions[f][0].enabled) continue;
      for (let s = 0; s <= S; s++) {
        this.enabled[s * this.flags + f] = 1;
        this.threshold[s * this.flags + f] = rolloutThreshold(100);
      }
    }
    this.dependents = this.flagKeys.map((_, f) => this.requires.flatMap((req, g) => (g === f || req.includes(f) ? [g] : [])));
    this.assigned = new Int32Array(population.size);
    this.assign(this.flagKeys.map((_, f) => f));
  }

  /** Works out the assignment of flags `list` for every user, from the flag system's latest configurations. */
  private assign(list: readonly number[]): void {
    const a = this.assigned;
    for (let u = 0; u < this.users; u++) {
      let bits = a[u];
      for (const f of list) bits = this.isOn(this.system, f, u) ? bits | (1 << f) : bits & ~(1 << f);
      a[u] = bits;
    }
  }

  /** Services that evaluate flag `f`. */
  evaluatedByFlag(f: number): number[] {
    return this.evaluatedBy.flatMap((list, s) => (list.includes(f) ? [s] : []));
  }

  flagIndex(key: string): number {
    return this.flagKeys.indexOf(key);
  }

  /**
   * Whether service `s` serves flag `f` on to user `u`, with the configuration it has now. `draw` (0 to
   * RANK_SCALE), for a flag whose plan splits requests, stands for the user's rank: this request's own position.
   */
  isOn(s: number, f: number, u: number, draw = -1): boolean {
    if (!this.ownOn(s, f, u, draw)) return false;
    const req = this.requires[f];
    for (let k = 0; k < req.length; k++) if (!this.ownOn(s, req[k], u)) return false;
    return true;
  }

  /** Whether flag `f`'s own configuration serves it on, prerequisites aside. */
  private ownOn(s: number, f: number, u: number, draw = -1): boolean {
    const i = s * this.flags + f;
    if (this.enabled[i] === 0) return false;
    const served = this.served[f];
    if (served !== null && served[u] === 0) return false;
    const forced = this.forced[f][u];
    if (forced >= 0) {
      if (forced === 0) return false;
    } else {
      const a = this.audience[i];
      if (a >= 0 && this.audienceMatch[a][u] === 0) return false;
      if ((draw >= 0 ? draw : this.rank[f][u]) >= this.threshold[i]) return false;
    }
    return true;
  }

  /**
   * Which flag's contract (-1: none) a service's decisions (`on`, `off`: bit sets of the flags it evaluated) break a contract with what
   * the request saw elsewhere (`seenOn`, `seenOff`): a consistent flag both on and off, or a flag on whose
   * needed flag is off somewhere.
   */
  contractBroken(on: number, off: number, seenOn: number, seenOff: number): number {
    const split = ((on & seenOff) | (off & seenOn)) & this.contractMask;
    if (split !== 0) return 31 - Math.clz32(split & -split);
    let needing = (on | seenOn) & this.needing;
    if (needing === 0) return -1;
    const allOff = off | seenOff;
    for (let f = 0; needing !== 0; f++, needing >>>= 1) {
      if ((needing & 1) !== 0 && (this.needsMask[f] & allOff) !== 0) return f;
    }
    return -1;
  }

  /** Publishes a new configuration of flag `f`; returns its version. */
  publish(f: number, config: FlagConfig): number {
    if (config.audience !== null && !this.audiences.includes(config.audience)) {
      const match = parseExpression(config.audience, this.attributeNames);
      this.audiences.push(config.audience);
      this.audienceMatch.push(Uint8Array.from(this.attrs, (a) => (match(a) ? 1 : 0)));
    }
    const v = this.versions[f].push(config) - 1;
    // The flag system serves it from now on; services follow as the change reaches them.
    this.apply(this.system, f, v);
    this.assign(this.dependents[f]);
    return v;
  }

  /** Service `s` receives version `v` of flag `f`; an older version arriving late is ignored. Returns whether it applied. */
  apply(s: number, f: number, v: number): boolean {
    const i = s * this.flags + f;
    if (v <= this.applied[i]) return false;
    const c = this.versions[f][v];
    this.applied[i] = v;
    this.enabled[i] = c.enabled ? 1 : 0;
    this.threshold[i] = rolloutThreshold(c.percent);
    this.audience[i] = c.audience === null ? -1 : this.audiences.indexOf(c.audience);
    return true;
  }

  appliedVersion(s: number, f: number): number {
    return this.applied[s * this.flags + f];
  }

  /**
   * Users the configuration exposes (for the audit trail and for truth): how many are on at version v. A flag
   * whose plan splits requests exposes every user it targets while its percentage is above 0: any of their
   * requests may be served the new code.
   */
  exposed(f: number, v: number): number {
    const c = this.versions[f][v];
    if (!c.enabled) return 0;
    const thr = ((this.perRequestMask >>> f) & 1) === 1 && c.percent > 0 ? RANK_SCALE + 1 : rolloutThreshold(c.percent);
    const match = c.audience === null ? null : this.audienceMatch[this.audiences.indexOf(c.audience)];
    let n = 0;
    const served = this.served[f];
    for (let u = 0; u < this.users; u++) {
      if (served !== null && served[u] === 0) continue;
      const forced = this.forced[f][u];
      if (forced === 1 || (forced < 0 && (!match || match[u] === 1) && this.rank[f][u] < thr)) n++;
    }
    return n;
  }
}

/** For each flag, the flags reachable through `direct` prerequisites (itself excluded), found without recursion. */
function prerequisiteClosure(direct: readonly (readonly number[])[]): number[][] {
  return direct.map((_, f) => {
    const seen = new Uint8Array(direct.length);
    seen[f] = 1;
    const out: number[] = [];
    const stack = [...direct[f]];
    while (stack.length) {
      const r = stack.pop()!;
      if (seen[r]) continue;
      seen[r] = 1;
      out.push(r);
      stack.push(...direct[r]);
    }
    return out.sort((a, b) => a - b);
  });
}
