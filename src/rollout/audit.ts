/** What a rollout controller records and reports: decisions, the audit trail, each plan's outcome. */
import type { GateReading } from './reading.js';

export type Outcome = 'completed' | 'rolled-back' | 'paused' | 'not-started';
export type Actor = 'policy' | 'approver' | 'scheduler' | 'flag-system' | 'operator';
/** Automated gates: act on breaches (on), only report them (advisory: people decide), or are not evaluated (off). */
export type GateMode = 'on' | 'advisory' | 'off';
/** What a person can do to a plan, through the same configuration path as the policy. */
export type OperatorAction = 'promote' | 'pause' | 'rollback' | 'approve' | 'resume';

export interface AuditEntry {
  timeUs: number;
  flag: string;
  actor: Actor;
  /** The flag configuration version in force (published) at that moment. */
  configVersion: number;
  event: 'decision' | 'stage' | 'gate' | 'propagated' | 'wait';
  action?: string;
  stage?: number;
  percent?: number;
  reason?: string;
  gate?: GateReading;
  service?: string;
  delayUs?: number;
  /** The person who acted (operator actions only). */
  by?: string;
}

export interface Decision {
  timeUs: number;
  action: 'start' | 'promote' | 'complete' | 'rollback' | 'pause' | 'wait' | 'blocked' | 'advise' | 'resume';
  stage: number;
  percent: number;
  reason: string;
  /** A gates' rollback or pause whose failing readings flag-off traffic failed as much (like with like): not the flag's doing. */
  flagOffToo?: true;
  /**
   * A gates' rollback or pause resting on failed readings of PromQL or alert gates whose queries cannot be judged
   * against flag-off traffic: each such gate and why ("gate: why").
   */
  flagOffUnjudged?: string[];
}

export interface PlanReport {
  flag: string;
  outcome: Outcome;
  /** The run ended while the plan was still on its way (mid-hold, or waiting): reported as paused, never acted on. */
  cutOff: boolean;
  finalPercent: number;
  stagesReached: number;
  startedUs: number | null;
  endedUs: number | null;
  decisions: Decision[];
  /** Per service: time from each publication to its arrival there. */
  propagation: Record<string, { changes: number; meanUs: number; maxUs: number }>;
}
