/** What a gate reads and says: the shape every kind of gate shares (thresholds, comparisons, PromQL). */
import type { Verdict } from '../lang/threshold.js';
import type { Gate } from '../scenario/types.js';
import type { CompiledModel } from '../model/compile.js';
import type { ScrapeSeries } from '../metrics/series.js';
import type { RuleEngine } from '../promql/rules.js';
import type { Probes } from '../telemetry/probes.js';

export interface GateReading {
  gate: string;
  verdict: Verdict;
  /** The value compared, in the gate's unit (ms for durations), or null without data. */
  value: number | null;
  /** What it was compared with, in words: "< 0.01", "burn 14.4x", "p < 0.02". */
  threshold: string;
  /** Requests the reading rests on. */
  samples: number;
  detail: string;
  /**
   * On a failed reading of a gate on flag-on traffic (a threshold or burn rate filtered `{flag:on}`, a PromQL query or
   * alert selecting the flag on) whose same gate on flag-off traffic, over the same window (a burn rate: the same
   * pairs; a query: its selectors turned to the flag off), fails too: that side's value and requests (or samples).
   * Like with like: what the gate saw was not the flag's doing.
   */
  flagOff?: { value: number | null; samples: number };
  /**
   * On a failed reading of a PromQL or alert gate whose query does not read flag-on traffic alone (no matcher on the
   * flag's label, or its canary pods', in some selector): why it cannot be judged against flag-off traffic.
   */
  flagOffUnjudged?: string;
  /** The figures behind a burn-rate or comparison reading, for charts: each window's burn, each side's value. */
  parts?: { label: string; value: number; limit: number | null }[];
}

/**
 * Where a reading falls in its stage: which hold it belongs to (a new sequence when a stage begins or resumes)
 * and how far through the hold's planned readings it is (1 at the last), for gates that share their error among
 * a stage's readings.
 */
export interface Look {
  sequence: number;
  fraction: number;
}

/** A gate bound to its probes. */
export interface BoundGate {
  readonly gate: Gate;
  /** Probes to clear when a stage begins. */
  readonly stageProbes: number[];
  /** Probes whose ring advances at every evaluation. */
  readonly ringProbes: number[];
  /** A reading; without a look, one reading on its own (all of a comparison's error on it). */
  evaluate(look?: Look): GateReading;
}

/** What a gate is bound with: the model, the probes, the series and rules (on first use), the flag it watches. */
export interface GateContext {
  model: CompiledModel;
  /** The simulated Prometheus series (made on first use), for PromQL gates. */
  series?: () => ScrapeSeries;
  /** The scenario's rules over those series (made on first use), or null when it has none. */
  rules?: () => RuleEngine | null;
  now?: () => number;
  probes: Probes;
  flag: number;
  /** The flag's key, for a PromQL or alert gate's twin on flag-off traffic (the series' flag label). */
  flagKey?: string;
  /**
   * The journeys that meet the flag in the scenario or any of its cases (Flag.journeysInAnyCase): a comparison
   * without a filter looks at them, the same journeys in every case.
   */
  journeys?: readonly string[];
  segmentIndex(name: string): number;
  intervalUs: number;
}
