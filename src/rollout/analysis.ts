/**
 * Analysis runs with the semantics of the Argo Rollouts controller (analysis/analysis.go): each metric takes
 * measurements from its initialDelay, every interval, until its count; a metric is Failed when its failures
 * exceed failureLimit, Inconclusive when its inconclusive measurements exceed inconclusiveLimit, Error when its
 * consecutive errors exceed consecutiveErrorLimit, Successful when it reached its count; a metric without a
 * count runs until the run is terminated (background analysis, at the end of the rollout), which makes it
 * Successful. Errors do not count towards the count, and a measurement that errs without an interval is
 * retried after 10s. The run's phase is the worst of its metrics' (Successful < Inconclusive < Error <
 * Failed), decided as soon as one metric ends badly; dry-run metrics are measured and logged but never decide.
 */
import type { Phase } from '../lang/condition.js';
import type { AnalysisMetric, AnalysisSpec } from '../scenario/types.js';
import { plural } from '../units/format.js';

export type { AnalysisMetric, AnalysisSpec };

export type RunPhase = 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

const ERROR_RETRY_US = 10e6;
const ORDER: RunPhase[] = ['Running', 'Successful', 'Inconclusive', 'Error', 'Failed'];

interface MetricState {
  dueUs: number;
  taken: number;
  count: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  phase: RunPhase;
}

export interface MeasurementRecord {
  metric: AnalysisMetric;
  /** 1-based number of the measurement for its metric. */
  number: number;
  phase: Phase;
  metricPhase: RunPhase;
}

export class AnalysisRun {
  private readonly states: MetricState[];
  phase: RunPhase = 'Running';
  /** Why the run ended badly: the metric and its counters. */
  reason = '';

  constructor(readonly spec: AnalysisSpec, startUs: number) {
    this.states = spec.metrics.map((m) => ({
      dueUs: startUs + m.initialDelayUs, taken: 0, count: 0, failed: 0, inconclusive: 0, errors: 0, consecutiveErrors: 0, phase: 'Running',
    }));
    this.assess();
  }

  /** When the next measurement is due, or Infinity when none is. */
  nextDueUs(): number {
    if (this.phase !== 'Running') return Infinity;
    let next = Infinity;
    this.states.forEach((s) => {
      if (s.phase === 'Running') next = Math.min(next, s.dueUs);
    });
    return next;
  }

  /** Takes every measurement due at `nowUs`, in metric order, and returns them. */
  step(nowUs: number, measure: (m: AnalysisMetric) => Phase): MeasurementRecord[] {
    const out: MeasurementRecord[] = [];
    if (this.phase !== 'Running') return out;
    this.spec.metrics.forEach((m, i) => {
      const s = this.states[i];
      if (s.phase !== 'Running' || s.dueUs > nowUs) return;
      const phase = measure(m);
      s.taken++;
      if (phase === 'Error') {
        s.errors++;
        s.consecutiveErrors++;
      } else {
        s.count++;
        s.consecutiveErrors = 0;
        if (phase === 'Failed') s.failed++;
        if (phase === 'Inconclusive') s.inconclusive++;
      }
      s.dueUs = nowUs + (m.intervalUs > 0 ? m.intervalUs : ERROR_RETRY_US);
      s.phase = metricPhase(m, s, false);
      out.push({ metric: m, number: s.taken, phase, metricPhase: s.phase });
    });
    this.assess();
    return out;
  }

  /** Ends a run that is still going (the rollout finished): metrics without a count succeed. */
  terminate(): void {
    if (this.phase !== 'Running') return;
    this.spec.metrics.forEach((m, i) => {
      const s = this.states[i];
      if (s.phase === 'Running') s.phase = metricPhase(m, s, true);
    });
    this.assess();
  }

  private assess(): void {
    let worst: RunPhase = 'Successful';
    let running = false;
    this.spec.metrics.forEach((m, i) => {
      const s = this.states[i];
      if (s.phase === 'Running') {
        running = true;
        return;
      }
      if (m.dryRun) return;
      if (ORDER.indexOf(s.phase) > ORDER.indexOf(worst)) {
        worst = s.phase;
        this.reason = `${m.template}/${m.name}: ${describe(m, s)}`;
      }
    });
    // One metric ending badly ends the run; otherwise it runs while any metric runs.
    this.phase = worst !== 'Successful' ? worst : running ? 'Running' : 'Successful';
  }
}

function metricPhase(m: AnalysisMetric, s: MetricState, terminating: boolean): RunPhase {
  if (s.taken === 0) return terminating ? 'Successful' : 'Running';
  if (m.failureLimit >= 0 && s.failed > m.failureLimit) return 'Failed';
  if (m.inconclusiveLimit >= 0 && s.inconclusive > m.inconclusiveLimit) return 'Inconclusive';
  if (s.consecutiveErrors > m.consecutiveErrorLimit) return 'Error';
  const count = m.count ?? (m.intervalUs > 0 ? null : 1);
  if (count !== null && s.count >= count) return 'Successful';
  return terminating ? 'Successful' : 'Running';
}

function describe(m: AnalysisMetric, s: MetricState): string {
  switch (s.phase) {
    case 'Failed': return `failed (${s.failed}) > failureLimit (${m.failureLimit})`;
    case 'Inconclusive': return `inconclusive (${s.inconclusive}) > inconclusiveLimit (${m.inconclusiveLimit})`;
    case 'Error': return `consecutiveErrors (${s.consecutiveErrors}) > consecutiveErrorLimit (${m.consecutiveErrorLimit})`;
    default: return plural(s.count, 'measurement');
  }
}
