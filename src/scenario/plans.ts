/** Rollout plans after normalization: stages, gates, analyses and checks, and imported plans' parts. */
import type { Condition } from '../lang/condition.js';
import type { Expr } from '../lang/promql.js';
import type { Preset, TrafficSplit } from '../metrics/mapping.js';
import type { Problem } from './problems.js';
import type { Dist } from './system.js';

export interface Stage {
  readonly percent: number;
  readonly audience: string | null;
  readonly holdUs: number;
  /**
   * A promotion before this stage: after a delay (the approver's), or `unattended` when the plan asks for one and
   * the scenario names no approver (the plan stops there, paused), or null.
   */
  readonly approval: Dist | Unattended | null;
}

/** A promotion that no one gives: where the plan asks for it. */
export interface Unattended {
  readonly kind: 'unattended';
  readonly from: string;
}

/** Tag filters of a gate: what a monitoring query would select. */
export interface TagFilter {
  readonly service: string | null;
  readonly endpoint: string | null;
  readonly journey: string | null;
  /** The plan's flag on or off, or null for both. */
  readonly flagOn: boolean | null;
  readonly segment: string | null;
  /** Requests that failed (true) or did not (false), or null for both: k6's expected_response tag, negated. */
  readonly failed: boolean | null;
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
  | PromQLGate
  | AlertGate;

/**
 * An alert of a Prometheus rule file as a gate: it fails while the alert fires (after its `for:`), as
 * Prometheus evaluates its group; pending or inactive passes.
 */
export interface AlertGate {
  readonly kind: 'alert';
  readonly source: string;
  readonly alert: string;
  /** The rule file (one of metrics.rules), or null: whichever holds the alert. */
  readonly file: string | null;
  /** Only alerts with these labels (Sloth's page and ticket alerts share a name; sloth_severity tells them apart). */
  readonly labels: Readonly<Record<string, string>>;
  /** No restriction: the rule's query selects. */
  readonly filter: TagFilter;
}

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
  /**
   * A range query: evaluated at every `stepUs` from `fromUs` to `toUs` after the measurement's time (negative:
   * before it), `result` every sample of every series in label order (Argo's prometheus provider). Absent: instant.
   */
  readonly range?: { readonly fromUs: number; readonly toUs: number; readonly stepUs: number };
}

/**
 * One metric of an analysis run: measured from `initialDelayUs`, every `intervalUs`, until `count` (null: until
 * the run ends), and judged by its limits as the Argo Rollouts controller counts them (rollout/analysis.ts).
 */
export interface AnalysisMetric {
  /** The template it comes from ('' for a metric of rehearse's own format: the name says it all). */
  readonly template: string;
  readonly name: string;
  /**
   * Simulated microseconds; null: no interval (one measurement, unless count says more). 0 is an interval:
   * the controller measures again as soon as it reconciles (analysis/analysis.go generateMetricTasks).
   */
  readonly intervalUs: number | null;
  /** Measurements to take; null: until terminated. */
  readonly count: number | null;
  readonly initialDelayUs: number;
  readonly failureLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly inconclusiveLimit: number;
  /** Successes in a row that end the metric Successful; 0: none. */
  readonly consecutiveSuccessLimit: number;
  readonly dryRun: boolean;
  /** The query measured; null for a provider that is not simulated (each measurement is Inconclusive). */
  readonly gate: PromQLGate | null;
  /** The metric provider named by the resource (prometheus, web, job, datadog, ...). */
  readonly provider: string;
}

export interface AnalysisSpec {
  /** The run's name (a step's or the background analysis) and its metrics. */
  readonly name: string;
  readonly metrics: readonly AnalysisMetric[];
  /** Why the run ends in Error as soon as it starts (a dryRun rule that matches no metric), or null. */
  readonly invalid: string | null;
}

/** Analysis runs of a plan: one after a stage's hold (the stage ends when it succeeds), one in the background. */
export interface PlanAnalyses {
  /** By stage: the run that follows its hold, or null. */
  readonly stages: readonly (AnalysisSpec | null)[];
  readonly background: BackgroundAnalysis | null;
}

/** A run in the background from a point of the plan: a stage, and a time into its hold. */
export interface BackgroundAnalysis {
  readonly analysis: AnalysisSpec;
  readonly startStage: number;
  /** Microseconds after the stage begins (the pauses of the stage before the starting step). */
  readonly startAfterUs: number;
}

/** A check of a plan's periodic checks: a query judged against a range (min and max, where given). */
export interface PlanCheck {
  readonly name: string;
  readonly gate: PromQLGate;
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * Checks that walk a plan through its stages (Flagger's analysis): every interval at each stage but the last,
 * every check runs; a failed check halts the advance and counts, `threshold` failed checks roll back; all
 * passing promote (with `iterations`, after that many passing intervals).
 */
export interface PlanChecks {
  /** The workload the checks watch (names it in messages and in the canary's series). */
  readonly target: string;
  readonly intervalUs: number;
  readonly threshold: number;
  readonly iterations: number | null;
  readonly checks: readonly PlanCheck[];
}

/**
 * A plan's stages, analyses and checks as an outside resource defines them (an Argo Rollout with its analysis
 * templates, a Flagger Canary with its metric templates), turned into rehearse's own terms by the load layer.
 */
export interface ImportedPlan {
  /**
   * The stages in order: exposure, hold, and where the resource asks for a promotion before the stage (a pause
   * that only a person ends: file:line:column and the path), or null.
   */
  readonly stages: readonly { readonly percent: number; readonly holdUs: number; readonly approval: string | null }[];
  readonly analyses: PlanAnalyses | null;
  readonly checks: PlanChecks | null;
  /** What the resource holds that is not rehearsed, with file:line:column and the path inside it. */
  readonly warnings: readonly string[];
  /** How the resource's queries tell the new code's pods from the old ones', or null when they cannot. */
  readonly pods: ImportedPods | null;
  /** The series the resource's own queries read: a preset and a namespace, and where that comes from. */
  readonly series: { readonly preset: Preset; readonly namespace: string | null; readonly from: string } | null;
  /** How the team's system splits a stage's weight: each request (a router's weights), or users (a match, a cookie). */
  readonly split: 'users' | 'requests';
}

/** The canary and stable pods of the workload a resource rolls out, by the names queries select them with. */
export interface ImportedPods {
  /** Names the scenario service that runs the workload may have, in order (the workload's own first). */
  readonly workloads: readonly string[];
  /** The application (apex Service), its ingress and route, and the port, as names derived labels use. */
  readonly app: string;
  readonly ingress: string;
  readonly route: string;
  readonly port: string;
  /** Each side's workload, Service (null: the scenario service's own name) and pod-template hash. */
  readonly canary: { readonly workload: string; readonly service: string | null; readonly hash: string };
  readonly stable: { readonly workload: string; readonly service: string | null; readonly hash: string };
}

/** A plan's imported resource, or the problems (paths inside the scenario) that stop it. */
export type ImportedPlanResult = { readonly ok: true; readonly plan: ImportedPlan } | { readonly ok: false; readonly problems: readonly Problem[]; readonly warnings: readonly string[] };

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
  /**
   * How a stage's percentage splits traffic: users (each user on one side, by the flag's bucketing) or requests
   * (each evaluation drawn at the percentage, as a router's weighted canary splits requests).
   */
  readonly splitBy: 'users' | 'requests';
  /** Analysis runs after stages' holds and in the background (an imported Argo Rollout's), or null. */
  readonly analyses: PlanAnalyses | null;
  /** Periodic checks that walk the stages (an imported Flagger Canary's), or null. */
  readonly checks: PlanChecks | null;
  /** What an imported resource holds that is not rehearsed, with file:line:column and the path in it. */
  readonly warnings: readonly string[];
  /** The service whose calls an imported resource's canary and stable pods serve, or null. */
  readonly split: TrafficSplit | null;
}
