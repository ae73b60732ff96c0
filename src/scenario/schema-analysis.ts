/**
 * Analysis runs in rehearse's own format: the counters and schedule of each metric as the Argo Rollouts
 * controller keeps them (analysis/analysis.go), so that a plan written by `rehearse import argo` judges its
 * stages as the Rollout does. A stage's `analysis` runs after its hold, and the stage ends when the run
 * succeeds; a plan's `background-analysis` runs from a stage on until the plan ends.
 */
import { z } from 'zod';
import { Duration, nonNegativeInt, positiveInt } from './schema-units.js';

// Each schema here is built when a file has a rollout (z.lazy; schema.ts says why).

const limit = (what: string) => z.int({ error: `${what} must be a whole number` });

export const AnalysisMetric = z.lazy(() => z.strictObject({
  name: z.string().min(1).meta({ description: 'The metric\'s name in the audit trail (unique in its run).' }),
  promql: z.string().optional().meta({ description: 'A PromQL query over the simulated series; `result` in the conditions is its value(s).' }),
  range: z.strictObject({
    from: z.string().meta({ description: 'Start, relative to the measurement: "-10m", "0s".' }),
    to: z.string().meta({ description: 'End, relative to the measurement: "0s".' }),
    step: Duration,
  }).optional().meta({ description: 'A range query: evaluated at every step from `from` to `to`, result every sample of every series.' }),
  provider: z.string().optional().meta({ description: 'Instead of promql: a provider that is not simulated (web, job, datadog, ...): each measurement is Inconclusive.' }),
  result: z.enum(['value', 'list', 'first']).optional().meta({ description: 'What result is: value (default), list (Argo: the vector\'s values), first (one value).' }),
  success: z.string().optional().meta({ description: 'Condition over result for a Successful measurement.' }),
  failure: z.string().optional().meta({ description: 'Condition over result for a Failed measurement.' }),
  interval: Duration.optional().meta({ description: 'From the end of one measurement to the next (10 s after an Error); "0s" measures again at once. Without it: one measurement (a count above 1 needs an interval).' }),
  'initial-delay': Duration.optional().meta({ description: 'Before the first measurement, from the run\'s start.' }),
  count: nonNegativeInt('count').optional().meta({ description: 'Measurements to take (errored ones do not count); 0 or none: one without an interval, else until the run ends.' }),
  'failure-limit': limit('failure-limit').optional().meta({ description: 'Failed measurements tolerated (default 0); -1: failures never fail the metric, consecutive-success-limit decides.' }),
  'inconclusive-limit': limit('inconclusive-limit').optional().meta({ description: 'Inconclusive measurements tolerated (default 0).' }),
  'consecutive-error-limit': limit('consecutive-error-limit').optional().meta({ description: 'Errors in a row tolerated (default 4).' }),
  'consecutive-success-limit': limit('consecutive-success-limit').optional().meta({ description: 'Successes in a row that end the metric Successful (default 0: none).' }),
  'dry-run': z.boolean().optional().meta({ description: 'Measured and recorded, never decides the run.' }),
}));

const runShape = () => ({
  name: z.string().optional().meta({ description: 'The run\'s name in the audit trail.' }),
  metrics: z.array(AnalysisMetric).min(1, { error: 'an analysis needs at least one metric' }),
});

export const AnalysisRunInput = z.lazy(() => z.strictObject(runShape()));

export const BackgroundAnalysisInput = z.lazy(() => z.strictObject({
  ...runShape(),
  stage: positiveInt('stage').meta({ description: 'The stage (from 1) at which the run starts.' }),
  after: Duration.optional().meta({ description: 'Into that stage\'s hold (default 0s).' }),
}));

const PodGroupInput = z.lazy(() => z.strictObject({
  service: z.string().optional().meta({ description: 'The Kubernetes Service in front of these pods, as the series name it (default: the scenario service\'s name).' }),
  hash: z.string().optional().meta({ description: 'Their pod-template hash, as the series label it (default: one rehearse derives from the workload).' }),
}));

export const PodsInput = z.lazy(() => z.strictObject({
  service: z.string().meta({ description: 'The scenario service whose calls the canary pods (the plan\'s flag on) and the stable pods (off) serve.' }),
  workload: z.string().optional().meta({ description: 'The workload\'s name in the series (default: the service\'s).' }),
  canary: PodGroupInput.optional(),
  stable: PodGroupInput.optional(),
}));

export type PodsInputType = z.infer<typeof PodsInput>;
export type AnalysisMetricInput = z.infer<typeof AnalysisMetric>;
export type AnalysisRunInputType = z.infer<typeof AnalysisRunInput>;
export type BackgroundAnalysisInputType = z.infer<typeof BackgroundAnalysisInput>;
