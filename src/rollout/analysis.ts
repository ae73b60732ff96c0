/**
 * Analysis runs with the semantics of the Argo Rollouts controller (analysis/analysis.go in
 * argoproj/argo-rollouts). Each metric takes its first measurement at the run's start plus its initialDelay,
 * the next one `interval` after the previous one finished, or 10 s after a measurement that erred, whatever the
 * interval (DefaultErrorRetryInterval, generateMetricTasks), until its effective count: `count`, else one
 * measurement when there is no interval, else until the run is terminated. Counters move as the controller moves
 * them: an errored measurement does not count towards `count` and only grows the consecutive errors. A metric
 * is Failed when its failures exceed failureLimit, Inconclusive when its inconclusive measurements exceed
 * inconclusiveLimit, Error when its consecutive errors exceed consecutiveErrorLimit, checked in that order with
 * the later overriding the earlier (assessMetricFailureInconclusiveOrError); Successful when
 * consecutiveSuccessLimit successes in a row came, or when it reached its count. One non-dry-run metric that
 * ends Failed, Error or Inconclusive terminates the run (utils/analysis/helpers.go IsTerminating): the others
 * are assessed Successful and the run takes the worst phase (Successful < Inconclusive < Error < Failed).
 * Dry-run metrics are measured and logged but never decide.
 */
import type { Phase } from '../lang/condition.js';
import type { AnalysisMetric, AnalysisSpec } from '../scenario/types.js';
import { plural } from '../units/format.js';

export type { AnalysisMetric, AnalysisSpec };

export type RunPhase = 'Running' | 'Successful' | 'Failed' | 'Error' | 'Inconclusive';

/** analysis/analysis.go DefaultErrorRetryInterval: the next measurement after an Error, and without an interval. */
export const ERROR_RETRY_US = 10e6;
/** utils/analysis/helpers.go analysisStatusOrder (completed phases), best to worst. */
const ORDER: RunPhase[] = ['Successful', 'Running', 'Inconclusive', 'Error', 'Failed'];

interface MetricState {
  dueUs: number;
  taken: number;
  count: number;
  failed: number;
  inconclusive: number;
  errors: number;
  consecutiveErrors: number;
  consecutiveSuccess: number;
  phase: RunPhase;
  why: string;
}

export interface MeasurementRecord {
  metric: AnalysisMetric;
  /** 1-based number of the measurement for its metric. */
  number: number;
  phase: Phase;
  metricPhase: RunPhase;
}

/** The metric's effective count (analysis_types.go EffectiveCount): count, or 1 without an interval, or none. */
export function effectiveCount(m: AnalysisMetric): number | null {
  if (m.count !== null && m.count !== 0) return m.count;
  return m.intervalUs !== null ? null : 1;
}

/** How a metric is named in the audit: its template and name, or the name alone (a metric of rehearse's own format). */
export function metricLabel(m: AnalysisMetric): string {
  return m.template ? `${m.template}/${m.name}` : m.name;
}

/**
 * How many more measurements of the same phase, taken back to back at one instant, end the metric (the
 * smallest number that reaches a limit or the count), or null when no number does.
 */
function repeatsToEnd(m: AnalysisMetric, s: MetricState, phase: Phase): number | null {
  const ends: number[] = [];
  const count = effectiveCount(m);
  if (count !== null) ends.push(count - s.count);
  if (phase === 'Successful' && m.consecutiveSuccessLimit > 0) ends.push(m.consecutiveSuccessLimit - s.consecutiveSuccess);
  if (phase === 'Failed' && m.failureLimit >= 0) ends.push(m.failureLimit + 1 - s.failed);
  if (phase === 'Inconclusive') ends.push(m.inconclusiveLimit + 1 - s.inconclusive);
  return ends.length ? Math.max(1, Math.min(...ends)) : null;
}

export class AnalysisRun {
  private readonly states: MetricState[];
  phase: RunPhase = 'Running';
  /** Why the run ended badly: the metric and its counters. */
  reason = '';

  /**
   * `rescanUs`: when a metric measured back to back (interval 0) cannot end on the phase it keeps giving, the
   * time after which its next measurement can see other data (the series' scrape interval).
   */
  constructor(readonly spec: AnalysisSpec, startUs: number, private readonly rescanUs = ERROR_RETRY_US) {
    this.states = spec.metrics.map((m) => ({
      dueUs: startUs + m.initialDelayUs, taken: 0, count: 0, failed: 0, inconclusive: 0, errors: 0,
      consecutiveErrors: 0, consecutiveSuccess: 0, phase: 'Running', why: '',
    }));
    if (spec.invalid !== null) {
      // analysis.go reconcileAnalysisRun: an invalid spec ends the run in Error before any measurement.
      this.phase = 'Error';
      this.reason = spec.invalid;
    }
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
      // analysis.go generateMetricTasks: the next one 10 s after an Error (or without an interval), else the
      // interval after this one finished. An interval of 0 (time.ParseDuration reads "0" and "0s"; ValidateMetric
      // takes it) measures again at the next reconcile: back to back at one simulated instant, over the same
      // series, with the same phase, until the metric ends; one that the phase cannot end is measured again
      // `rescanUs` later, when the series can have changed.
      const back = m.intervalUs === 0 && phase !== 'Error';
      this.count(s, phase, back ? repeatsToEnd(m, s, phase) ?? 1 : 1);
      s.dueUs = nowUs + (phase === 'Error' || m.intervalUs === null ? ERROR_RETRY_US : back ? this.rescanUs : m.intervalUs);
      this.assessMetric(m, s, false);
      out.push({ metric: m, number: s.taken, phase, metricPhase: s.phase });
    });
    this.assess();
    return out;
  }

  /** analysis.go runMeasurements: the counters of `times` completed measurements of one phase. */
  private count(s: MetricState, phase: Phase, times = 1): void {
    s.taken += times;
    if (phase === 'Error') {
      s.errors += times;
      s.consecutiveErrors += times;
      s.consecutiveSuccess = 0;
      return;
    }
    s.count += times;
    s.consecutiveErrors = 0;
    if (phase === 'Successful') s.consecutiveSuccess += times;
    else s.consecutiveSuccess = 0;
    if (phase === 'Failed') s.failed += times;
    if (phase === 'Inconclusive') s.inconclusive += times;
  }

  /** Ends a run that is still going (the rollout finished, or was aborted): metrics not yet completed succeed. */
  terminate(): void {
    if (this.phase !== 'Running') return;
    this.spec.metrics.forEach((m, i) => this.assessMetric(m, this.states[i], true));
    this.assess();
  }

  private assess(): void {
    const live = this.spec.metrics.map((m, i) => ({ m, s: this.states[i] })).filter((x) => !x.m.dryRun);
    const terminating = live.some((x) => x.s.phase === 'Failed' || x.s.phase === 'Error' || x.s.phase === 'Inconclusive');
    if (terminating) this.spec.metrics.forEach((m, i) => this.assessMetric(m, this.states[i], true));
    let worst: RunPhase = 'Successful';
    let running = false;
    for (const { m, s } of live) {
      if (s.phase === 'Running') {
        running = true;
        continue;
      }
      if (ORDER.indexOf(s.phase) > ORDER.indexOf(worst)) {
        worst = s.phase;
        this.reason = `${metricLabel(m)}: ${s.why}`;
      }
    }
    if (live.length === 0) running = this.states.some((s) => s.phase === 'Running');
    this.phase = running && !terminating ? 'Running' : worst;
  }

  /** analysis.go assessMetricStatus for one metric. */
  private assessMetric(m: AnalysisMetric, s: MetricState, terminating: boolean): void {
    if (s.phase !== 'Running') return;
    if (s.taken === 0) {
      if (terminating) s.phase = 'Successful';
      return;
    }
    const bad = failureInconclusiveOrError(m, s);
    if (bad) {
      [s.phase, s.why] = bad;
      return;
    }
    if (m.consecutiveSuccessLimit > 0 && s.consecutiveSuccess >= m.consecutiveSuccessLimit) {
      s.phase = 'Successful';
      s.why = `consecutiveSuccessLimit (${m.consecutiveSuccessLimit}) reached`;
      return;
    }
    const count = effectiveCount(m);
    if (count !== null && s.count >= count) {
      if (m.consecutiveSuccessLimit > 0) {
        s.phase = m.failureLimit >= 0 ? 'Inconclusive' : 'Failed';
        s.why = `count (${count}) reached without consecutiveSuccessLimit (${m.consecutiveSuccessLimit})`;
      } else {
        s.phase = 'Successful';
        s.why = plural(s.count, 'measurement');
      }
      return;
    }
    if (terminating) s.phase = 'Successful';
  }
}

/** analysis.go assessMetricFailureInconclusiveOrError: the later check overrides the earlier. */
function failureInconclusiveOrError(m: AnalysisMetric, s: MetricState): [RunPhase, string] | null {
  let out: [RunPhase, string] | null = null;
  if (m.failureLimit >= 0 && s.failed > m.failureLimit) out = ['Failed', `failed (${s.failed}) > failureLimit (${m.failureLimit})`];
  if (s.inconclusive > m.inconclusiveLimit) out = ['Inconclusive', `inconclusive (${s.inconclusive}) > inconclusiveLimit (${m.inconclusiveLimit})`];
  if (s.consecutiveErrors > m.consecutiveErrorLimit) out = ['Error', `consecutiveErrors (${s.consecutiveErrors}) > consecutiveErrorLimit (${m.consecutiveErrorLimit})`];
  return out;
}
