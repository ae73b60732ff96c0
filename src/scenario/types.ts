import type { AttributeSpec } from '../cohorts/attributes.js';
import type { Cohort } from '../cohorts/cohort.js';
import type { MetricsMapping } from '../metrics/mapping.js';
import type { PrometheusVersion } from '../metrics/series.js';
import type { RolloutPlan } from './plans.js';
import type { RuleGroup } from './rules.js';
import type { Dist, Journey, Operation, Service, Traffic } from './system.js';

export type * from './plans.js';
export type * from './system.js';
export type * from './rules.js';

/** How the simulated telemetry is exposed as Prometheus series. */
export interface MetricsSpec {
  readonly mapping: MetricsMapping;
  readonly scrapeIntervalUs: number;
  readonly bucketsSeconds: readonly number[];
  /** Wall time of the simulated start in ms since 1970, or null for the default (2026-01-01 plus start-time). */
  readonly epochMs: number | null;
  /** Rule files named by metrics.rules, as the scenario names them (read by the load layer). */
  readonly ruleFiles: readonly string[];
  /** Default time between rule group evaluations (Prometheus' evaluation_interval), in microseconds. */
  readonly evaluationIntervalUs: number;
  /** Rule groups to evaluate over the simulated series (filled by the load layer from ruleFiles). */
  readonly rules: readonly RuleGroup[];
  /** The major version of the team's Prometheus, whose engine evaluates the rules' and gates' queries (default 2). */
  readonly prometheus: PrometheusVersion;
}

/** The scenario after parsing, unit conversion, defaults and name resolution: typed and immutable. */
export interface Scenario {
  readonly name: string;
  readonly description: string;
  readonly seed: number;
  /** Infinity when the run ends after traffic.requests journeys have drained. */
  readonly durationUs: number;
  readonly windowUs: number;
  readonly traffic: Traffic;
  /** The load the scenario was calibrated at (rehearse calibrate), or null. */
  readonly calibration: { readonly ratePerSec: number } | null;
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
  /** The share (0 to 1) of the calls the latency and errors change applies to, each call drawn on its own. */
  readonly share: number;
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
  /**
   * The journeys that meet the flag (pass through a service evaluating it) in the scenario or in any of its
   * cases, each case with its own calls and evaluators (scenario/reach.ts; the load layer takes the union over
   * the cases): a comparison of flag on against off without a filter, and the report's split of a flag's
   * journeys, look at these, the same journeys in every case.
   */
  readonly journeysInAnyCase: readonly string[];
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
  /** For a flag from a flag file: the value the calling code passes as its default (served on an evaluation
   * error, as the system's SDK serves it), or null when the scenario names none. */
  readonly codeDefault: { readonly value: unknown } | null;
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
  /** Where an evaluation of the flag can fail (file:line:column: path: why), so that the code default is served. */
  readonly canFail: readonly string[];
  /** The type of the values the flag serves: boolean, string, number, object, or mixed. */
  readonly valueType: string;
  /** Where the flag's rules read the time of each evaluation (file:line:column: path: why): not rehearsable. */
  readonly clock?: readonly string[];
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
