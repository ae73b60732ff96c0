/**
 * The rules of a metric's limits, as argoproj/argo-rollouts utils/analysis/factory.go ValidateMetric checks them
 * (in its order, the first broken one said). The API server takes any int32 in these fields (IntOrString, no
 * minimum); the controller checks them when it reconciles the run (analysis/analysis.go reconcileAnalysisRun,
 * ValidateMetrics) and ends it in Error, "Analysis spec invalid: metrics[i]: ...", before any measurement.
 * failureLimit -1 is the one negative value with a meaning: failures never fail the metric
 * (assessMetricFailureInconclusiveOrError, "If failureLimit is negative, that means it isn't applicable"), and
 * consecutiveSuccessLimit then decides it, which must be above 0.
 */

export interface Limits {
  /** null: not given (Go's 0). */
  readonly count: number | null;
  readonly failureLimit: number;
  readonly inconclusiveLimit: number;
  readonly consecutiveErrorLimit: number;
  readonly consecutiveSuccessLimit: number;
  /** Whether an interval is given (Go: metric.Interval != ""). */
  readonly interval: boolean;
}

/** The first rule the limits break, with the field it is about, or null. */
export function brokenLimit(m: Limits): { key: keyof Limits; message: string } | null {
  const count = m.count ?? 0, fl = m.failureLimit, csl = m.consecutiveSuccessLimit;
  if (csl < 0) return { key: 'consecutiveSuccessLimit', message: 'consecutiveSuccessLimit must be >= 0' };
  if (fl < -1) return { key: 'failureLimit', message: 'failureLimit must be >= 0, or -1 to be disabled' };
  if (csl === 0 && fl === -1) return { key: 'failureLimit', message: 'failureLimit and consecutiveSuccessLimit cannot both be disabled' };
  if (m.inconclusiveLimit < 0) return { key: 'inconclusiveLimit', message: 'inconclusiveLimit must be >= 0' };
  if (m.consecutiveErrorLimit < 0) return { key: 'consecutiveErrorLimit', message: 'consecutiveErrorLimit must be >= 0' };
  if (count > 0) {
    if (fl >= 0 && count < fl + csl) return { key: 'count', message: `count (${count}) must be >= failureLimit + consecutiveSuccessLimit (${fl} + ${csl}) if both >= 0` };
    if (fl < 0 && count < csl) return { key: 'count', message: 'count must be >= consecutiveSuccessLimit' };
    if (count < m.inconclusiveLimit) return { key: 'count', message: 'count must be >= inconclusiveLimit' };
  }
  if (count > 1 && !m.interval) return { key: 'count', message: 'interval must be specified when count > 1' };
  return null;
}
