import type { AttributeSpec } from '../cohorts/attributes.js';
import type { Cohort } from '../cohorts/cohort.js';
import type { MetricsSpec } from './metrics.js';
import type { Expr } from '../lang/promql.js';
import type { Condition } from '../lang/condition.js';
import type { ArgoParts } from '../interop/argo/index.js';
import type { FlaggerParts } from '../interop/flagger/index.js';

/** The scenario after parsing, unit conversion, defaults and name resolution: typed and immutable. */

export type DistKind = 'constant' | 'uniform' | 'exponential' | 'normal' | 'lognormal' | 'empirical';

/** A latency distribution in microseconds. Parameters by kind: constant (a), uniform (a=min, b=max),
 * exponential (a=mean), normal (a=mean, b=sd), lognormal (a=mu, b=sigma of ln microseconds), empirical (samples). */
export interface Dist {
  readonly kind: DistKind;
  readonly a: number;
  readonly b: number;
  readonly samples: readonly number[];
  /** Exact mean in microseconds (before clamping at zero for the normal), with `plus`. */
  readonly mean: number;
  /** A fixed delay added to every draw, in microseconds (a shifted distribution). */
  readonly plus?: number;
}

export type RetryOn = 'error' | 'timeout' | 'rejected';

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffUs: number;
  readonly maxBackoffUs: number;
  readonly multiplier: number;
  readonly jitter: 'none' | 'full' | 'equal';
  readonly on: readonly RetryOn[];
}

export interface BreakerPolicy {
  readonly errorRate: number;
  readonly windowUs: number;
  readonly minRequests: number;
  readonly openForUs: number;
  readonly probes: number;
}

export interface CallSpec {
  /** Where it was declared, for messages: services.frontend.endpoints.checkout.calls[2]. */
  readonly path: readonly (string | number)[];
  readonly service: string;
  readonly endpoint: string;
  /** 0 means no timeout. */
  readonly timeoutUs: number;
  readonly retry: RetryPolicy | null;
  readonly breaker: BreakerPolicy | null;
  readonly probability: number;
  readonly repeat: number;
  readonly async: boolean;
  readonly optional: boolean;
}

export type Operation =
  | { readonly kind: 'call'; readonly call: CallSpec }
  | { readonly kind: 'parallel'; readonly calls: readonly CallSpec[]; readonly limit: number; readonly path: readonly (string | number)[] };

export interface Endpoint {
  readonly service: string;
  readonly name: string;
  readonly latency: Dist;
  readonly errorRate: number;
  /** A deterministic failure pattern: of every `errorEvery` requests (0: none), the last `errorBurst` fail. */
  readonly errorEvery: number;
  readonly errorBurst: number;
  readonly errorLatency: Dist;
  readonly operations: readonly Operation[];
}

export interface Service {
  readonly name: string;
  readonly replicas: number;
  readonly concurrency: number;
  /** Infinity when unbounded. */
  readonly queue: number;
  readonly timeoutUs: number;
  readonly breaker: BreakerPolicy | null;
  readonly endpoints: readonly Endpoint[];
}

export interface Journey {
  readonly name: string;
  readonly weight: number;
  readonly steps: readonly CallSpec[];
}

export type TrafficShape =
  | { readonly kind: 'constant' }
  | { readonly kind: 'diurnal'; readonly periodUs: number; readonly peakAtUs: number; readonly trough: number }
  | { readonly kind: 'ramp'; readonly fromPerSec: number; readonly overUs: number }
  | { readonly kind: 'steps'; readonly steps: readonly { readonly atUs: number; readonly perSec: number }[] };

export interface Traffic {
  readonly perSec: number;
  readonly shape: TrafficShape;
  /** Infinity when arrivals are bounded by the duration only. */
  readonly requests: number;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** Infinity when the run ends after traffic.requests journeys have drained. */
  readonly durationUs: number;
  readonly windowUs: number;
  readonly traffic: Traffic;
  readonly journeys: readonly Journey[];
  readonly services: readonly Service[];
  /** Time of day at the start of the run, in microseconds after midnight. */
  readonly startTimeUs: number;
  readonly cohort: CohortSpec | null;
  /** The users themselves: made or read when the scenario loads (null before, or when no cohort is needed). */
  readonly population: Cohort | null;
  readonly flags: readonly Flag[];
  readonly rollouts: readonly RolloutPlan[];
  readonly faults: readonly FaultSpec[];
  readonly slo: { readonly availability: number; readonly latencyUs: number };
  readonly acceptance: readonly Criterion[];
  readonly truth: 'direct' | 'counterfactual';
  /** How the simulated telemetry is exposed as Prometheus series. */
  readonly metrics: MetricsSpec;
  /** The names of the scenario's cases, and the one this scenario was loaded with (null: none). */
  readonly cases: readonly string[];
  readonly caseName: string | null;
}

export type CohortSpec =
  | { readonly kind: 'file'; readonly path: string }
  | {
      readonly kind: 'inline'; readonly size: number; readonly seed: number; readonly segments: Readonly<Record<string, number>> | null;
      readonly attributes: readonly AttributeSpec[];
    };

/** What a flag's new code path changes in one service, or one endpoint of it. */
export interface FlagEffect {
  readonly service: string;
  /** null: every endpoint of the service. */
  readonly endpoint: string | null;
  readonly latencyScale: number;
  readonly latencyAddUs: number;
  /** A new error probability, or null to keep the endpoint's. */
  readonly errorsSet: number | null;
  readonly errorsAdd: number;
  /** The calls made instead, or null to keep the endpoint's. */
  readonly operations: readonly Operation[] | null;
  /** Only for users of this segment, or null for all. */
  readonly segment: string | null;
  /** Only for users served this variant (a flag from a flag file), or null for any variant. */
  readonly variant: string | null;
}

export interface TargetingRule {
  readonly when: string;
  readonly serve: boolean;
  readonly path: readonly (string | number)[];
}

export interface Flag {
  readonly key: string;
  readonly kind: 'release' | 'experiment' | 'ops';
  readonly owner: string;
  readonly description: string;
  readonly evaluatedBy: readonly string[];
  readonly requires: readonly string[];
  readonly bucketing: 'flagd' | 'unleash' | 'launchdarkly' | 'growthbook';
  readonly salt: string | null;
  readonly hashVersion: 1 | 2;
  readonly targeting: readonly TargetingRule[];
  readonly propagation: Dist;
  readonly contract: 'consistent' | 'none';
  /** Flags a request needs on, in every service that evaluates them, when this flag is on for it. */
  readonly needs: readonly string[];
  readonly effects: readonly FlagEffect[];
  /** Variant names and weights, as registered (informational). */
  readonly variants: Readonly<Record<string, number>>;
  /** The flag system file that defines the flag, or null for a flag defined here. */
  readonly source: FlagSource | null;
  /** What the source serves each user of the population (null until the users are known, or for a flag defined here). */
  readonly served: ServedVariants | null;
  /** Flags never to be on together with this one for the same user. */
  readonly conflictsWith: readonly string[];
  /** Removal date (YYYY-MM-DD), or null. */
  readonly expires: string | null;
  /** The rollback plan in words, or ''. */
  readonly rollback: string;
}

/** Per user of the population, as the flag's system serves it. */
export interface ServedVariants {
  /** 1 where the user gets the flag's new code path. */
  readonly on: Uint8Array;
  /** Index into the source's variants, or -1 when no variant is served. */
  readonly variant: Int16Array;
}

/** A flag served by its flag system's own evaluator from the file that defines it. */
export interface FlagSource {
  readonly system: 'flagd' | 'unleash' | 'launchdarkly';
  /** As the scenario names it (relative to the scenario file). */
  readonly file: string;
  /** The file's document (plain data: it travels to sweep workers). */
  readonly document: unknown;
  /** Variant names the flag can serve. */
  readonly variants: readonly string[];
  /** Prerequisites the file declares (evaluated by the system itself). */
  readonly prerequisites: readonly string[];
  /** User attributes the flag's rules read. */
  readonly attributes: readonly string[];
  /** Each attribute read, with where the rule reading it lies: file:line:column: path. */
  readonly reads: readonly { readonly attribute: string; readonly where: string }[];
}

export interface Stage {
  readonly percent: number;
  readonly audience: string | null;
  readonly holdUs: number;
  readonly approval: Dist | null;
}

/** Tag filters of a gate: what a monitoring query would select. */
export interface TagFilter {
  readonly service: string | null;
  readonly endpoint: string | null;
  readonly journey: string | null;
  /** The plan's flag on or off, or null for both. */
  readonly flagOn: boolean | null;
  readonly segment: string | null;
}

export type Gate =
  | {
      readonly kind: 'threshold';
      readonly source: string;
      readonly metric: 'req_failed' | 'req_duration' | 'reqs';
      readonly aggregate: { readonly kind: string; readonly percentile?: number };
      readonly operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
      /** In microseconds for durations, a fraction for rates. */
      readonly limit: number;
      readonly filter: TagFilter;
    }
  | {
      readonly kind: 'burn-rate';
      readonly source: string;
      readonly slo: number;
      readonly pairs: readonly { readonly shortUs: number; readonly longUs: number; readonly factor: number }[];
      readonly filter: TagFilter;
    }
  | {
      readonly kind: 'compare';
      readonly source: string;
      readonly metric: 'req_duration' | 'req_failed';
      readonly test: 'mann-whitney' | 'two-proportion';
      readonly maxIncrease: number;
      readonly confidence: number;
      readonly minSamples: number;
      /** Lookback in microseconds, or 0 for everything since the stage began. */
      readonly overUs: number;
      readonly filter: TagFilter;
    }
  | PromQLGate;

/** A PromQL gate: a query over the simulated series and conditions over its result (Argo's semantics). */
export interface PromQLGate {
  readonly kind: 'promql';
  readonly source: string;
  readonly query: string;
  readonly expr: Expr;
  readonly success: Condition | null;
  readonly failure: Condition | null;
  /**
   * What `result` is: `value` (a scalar, or the value of a one-sample vector; no sample is a measurement
   * error), `list` (Argo: a vector is always a list), `first` (Flagger: one value; none or NaN fails the check).
   */
  readonly result: 'value' | 'list' | 'first';
  /** No restriction: the query selects. */
  readonly filter: TagFilter;
  /** For the audit: where the gate comes from (an Argo template and metric, a Flagger metric). */
  readonly origin: string | null;
}

export interface RolloutPlan {
  readonly flag: string;
  readonly after: string | null;
  readonly startUs: number;
  readonly stages: readonly Stage[];
  readonly evaluateEveryUs: number;
  readonly gates: readonly Gate[];
  readonly failureLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly inconclusive: 'pause' | 'promote';
  readonly onBreach: 'rollback' | 'pause';
  readonly rollbackTo: 'zero' | 'previous';
  /** Allowed times of day, as [start, end) minutes after midnight. */
  readonly windows: readonly (readonly [number, number])[];
  readonly lock: boolean;
  /** An Argo Rollouts canary run as it is: its analyses (stages above come from its steps), or null. */
  readonly argo: ArgoParts | null;
  /** A Flagger Canary run as it is (stages above come from its weights), or null. */
  readonly flagger: FlaggerParts | null;
  /** What an imported resource holds that is not rehearsed, with file:line:column and the path in it. */
  readonly warnings: readonly string[];
}

export type FaultKind =
  | 'latency' | 'abort' | 'timeout' | 'blackhole' | 'reset' | 'partition' | 'instance-kill' | 'unavailable' | 'cpu-stress'
  | 'throttle' | 'packet-loss';

/** When a fault begins: at a time, or relative to a rollout event. */
export type FaultStart =
  | { readonly kind: 'time'; readonly atUs: number }
  | { readonly kind: 'event'; readonly event: 'start' | 'stage' | 'rollback' | 'complete'; readonly flag: string; readonly stage: number; readonly offsetUs: number }
  /** A fault of the catalogue: switched on by hand during a game day, never scheduled. */
  | { readonly kind: 'manual' };

export interface FaultSpec {
  readonly name: string;
  /** Not shown on a game day's dashboard, only through its effects (revealed in the debrief). */
  readonly hidden: boolean;
  readonly kind: FaultKind;
  /** Calling service of an edge fault, or null for any caller. */
  readonly from: string | null;
  readonly to: string;
  readonly endpoint: string | null;
  /** An edge fault that applies both ways (a <-> b). */
  readonly bothWays: boolean;
  readonly segment: string | null;
  readonly start: FaultStart;
  /** Infinity: to the end of the run. */
  readonly durationUs: number;
  readonly share: number;
  readonly delay: Dist | null;
  readonly factor: number;
  readonly ratePerSec: number;
  readonly replicas: number;
  readonly status: number;
}

/** An acceptance criterion over outcome metrics. */
export interface Criterion {
  readonly source: string;
  readonly metric: string;
  readonly aggregate: { readonly kind: string; readonly percentile?: number };
  readonly operator: '<' | '<=' | '>' | '>=' | '==' | '!=';
  readonly limit: number;
  readonly flag: string | null;
  readonly caseName: string | null;
}
