/** What a gate reads and says: the shape every kind of gate shares (thresholds, comparisons, PromQL). */
import type { Verdict } from '../lang/threshold.js';
import type { Gate } from '../scenario/types.js';

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
  /** The figures behind a burn-rate or comparison reading, for charts: each window's burn, each side's value. */
  parts?: { label: string; value: number; limit: number | null }[];
}

/** A gate bound to its probes. */
export interface BoundGate {
  readonly gate: Gate;
  /** Probes to clear when a stage begins. */
  readonly stageProbes: number[];
  /** Probes whose ring advances at every evaluation. */
  readonly ringProbes: number[];
  evaluate(): GateReading;
}

