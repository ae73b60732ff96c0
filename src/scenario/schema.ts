/**
 * The scenario file's shape, as a zod schema: the single source of the JSON Schema that editors use
 * (`rehearse schema`). Units are checked here with the same parsers the normalizer uses; names are resolved
 * and defaults applied later, in normalize.ts.
 */
import { z } from 'zod';
import { PRESETS } from '../metrics/mapping.js';
import { AlertGate } from './schema-alert.js';
import { AnalysisRunInput, BackgroundAnalysisInput, PodsInput } from './schema-analysis.js';
import { ClockTime, Duration, Increase, Percent, Rate, RateOrZero, nonNegativeInt, positiveInt } from './schema-units.js';
import { Breaker, Call, Distribution, Journey, Operation, Retry, Service } from './schema-system.js';

export { ClockTime, Duration, Increase, Percent, Rate, RateOrZero, clockTime } from './schema-units.js';
export { Breaker, Call, Distribution, Endpoint, HttpRoute, Journey, Operation, Retry, Service } from './schema-system.js';

// What only some files use (flags, rollouts, faults, metrics, tuning) is built when a file first uses it (z.lazy):
// building every schema of the format costs a start-up some 20 ms, most of it for parts a file does not have. The
// JSON Schema and the messages are the same either way.

export const Cohort = z.union([
  z.string().meta({ description: 'A cohort file made by `rehearse cohorts generate`, relative to the scenario file.' }),
  z.strictObject({
    size: positiveInt('size'),
    seed: z.int().min(0).optional(),
    segments: z.record(z.string(), Percent).optional().meta({ description: 'Named segments and their shares.' }),
    attributes: z.record(z.string(), z.string()).optional().meta({
      description: 'Further user attributes for targeting rules: plan: "free:70%,pro:25%,enterprise:5%", email: "faker:internet.email".',
    }),
  }).meta({ description: 'A cohort generated when the scenario loads.' }),
]);

export const Traffic = z.strictObject({
  rate: Rate.meta({ description: 'Mean (constant), peak (diurnal), final (ramp) or first (steps) arrival rate.' }),
  shape: z.enum(['constant', 'diurnal', 'ramp', 'steps']).optional(),
  period: Duration.optional(),
  'peak-at': ClockTime.optional(),
  trough: Percent.optional(),
  from: RateOrZero.optional(),
  over: Duration.optional(),
  steps: z.array(z.strictObject({ at: Duration, rate: RateOrZero })).optional(),
  requests: positiveInt('requests').optional().meta({ description: 'Stop arrivals after this many journeys.' }),
  cohort: Cohort.optional(),
});

const flagKey = z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'a flag key is letters, digits, ".", "_" and "-"' });

const Effect = z.lazy(() => z.strictObject({
  // From a string, not a literal: the bundle escapes characters outside ASCII, and in a literal the escape would
  // show in the pattern the JSON schema and its messages print (the \u00b5 of µs).
  latency: z.string().regex(new RegExp('^(x\\d+(\\.\\d+)?|\\+(\\d+(\\.\\d*)?|\\.\\d+)(us|µs|ms|s|m|h))$'), {
    error: 'latency effect is a multiplier ("x1.15") or an addition ("+20ms")',
  }).optional(),
  errors: z.string().regex(/^\+?(\d+(\.\d*)?|\.\d+)%$/, { error: 'errors effect is an addition ("+0.2%") or a new rate ("1%")' }).optional(),
  calls: z.array(Operation).optional().meta({ description: 'The calls the endpoint makes instead, when the flag is on.' }),
  segment: z.string().optional().meta({ description: 'Only for users in this segment (a defect that hits one group).' }),
  percent: Percent.optional().meta({ description: 'The share of the flag-on calls the latency and errors change applies to, each call drawn on its own (a defect on some code paths): "20%"; without it, every call.' }),
}));

export const Flag = z.lazy(() => z.strictObject({
  kind: z.enum(['release', 'experiment', 'ops']).optional(),
  owner: z.string().optional(),
  description: z.string().optional(),
  'evaluated-by': z.array(z.string()).min(1, { error: 'name at least one service that evaluates the flag' }),
  requires: z.array(flagKey).optional().meta({ description: 'Prerequisite flags, which must be on for the same user.' }),
  bucketing: z.enum(['flagd', 'unleash', 'launchdarkly', 'growthbook']).optional(),
  salt: z.string().optional().meta({ description: 'LaunchDarkly salt (default: none, hashed as "", as LaunchDarkly\'s SDK hashes a flag without a salt), Unleash groupId or GrowthBook seed (default: the flag key).' }),
  'hash-version': z.union([z.literal(1), z.literal(2)]).optional(),
  targeting: z.array(z.strictObject({ when: z.string(), serve: z.enum(['on', 'off']) })).optional()
    .meta({ description: 'Rules on user attributes, before the percentage; the first that matches decides.' }),
  propagation: Distribution.optional().meta({ description: 'Delay before each evaluating service sees a change.' }),
  contract: z.enum(['consistent', 'none']).optional().meta({
    description: 'consistent: a request that sees the flag on in one service and off in another fails.',
  }),
  needs: z.array(flagKey).optional().meta({
    description: 'Flags that must be on wherever they are evaluated for a request this flag is on for (the provider side of an API change); otherwise the request fails.',
  }),
  'when-on': z.record(z.string(), Effect).optional().meta({ description: 'What the new code path changes, per service or service.endpoint.' }),
  when: z.record(z.string(), z.record(z.string(), Effect)).optional().meta({
    description: 'For a flag from a flag file: what each served variant changes, per variant, then per service or service.endpoint (on top of when-on).',
  }),
  variants: z.record(z.string(), Percent).optional().meta({
    description: 'Registry of an experiment\'s variants and their weights (for the record; rehearsals model on and off).',
  }),
  'conflicts-with': z.array(flagKey).optional().meta({ description: 'Flags that must never be on together for the same user (checked by rehearse lint).' }),
  expires: z.string().regex(/^\d{4}-\d\d-\d\d$/, { error: 'expires is a date, YYYY-MM-DD' }).optional()
    .meta({ description: 'The date by which the flag is to be removed (rehearse lint reports it past that date).' }),
  rollback: z.string().optional().meta({ description: 'The rollback plan of a release flag, in words (rehearse lint asks for one when no rollout plan rolls it back).' }),
  default: z.union([z.boolean(), z.string(), z.number(), z.array(z.unknown()), z.record(z.string(), z.unknown())]).optional().meta({
    description: 'For a flag from a flagd or LaunchDarkly file: the value the calling code passes as its default (OpenFeature\'s defaultValue, the LaunchDarkly SDK\'s default), which users get when an evaluation fails, as the SDK serves it.',
  }),
}));

export const FlagsFrom = z.lazy(() => z.strictObject({
  flagd: z.union([z.string(), z.array(z.string()).min(1)]).optional().meta({ description: 'A flagd flag file (JSON or YAML), or several, as one flagd started with each as a source (--uri, in order): each file\'s $ref reaches only its own $evaluators, and a flag in several files is served from the last. Relative to the scenario file.' }),
  unleash: z.string().optional().meta({ description: 'An Unleash file, relative to the scenario file: a client API response, a state export (v1 to v4) or a feature export.' }),
  environment: z.string().optional().meta({ description: 'The Unleash environment to rehearse; needed when the Unleash file holds several (state exports), checked against the file.' }),
  fractional: z.enum(['v2', 'v3']).optional().meta({
    description: 'How flagd buckets `fractional` for the flagd files: v2 (the default), what every flagd release to date runs (flagd v0.15.0 to v0.16.1, flagd-core 4.0.1: murmur3 of the text); v3, the flagd testbed\'s @fractional-v3 (from 3.9.0: murmur3 of the value\'s deterministic CBOR encoding), in no flagd release yet.',
  }),
  selector: z.string().optional().meta({
    description: 'The flagd selector the services read with, as the flagd providers\' selector option names it: flagSetId=ID serves the flags of that flag set only (flagSetId= those without one). Needed where a flagd file defines a key in several flag sets, which flagd keeps side by side.',
  }),
  launchdarkly: z.union([z.string(), z.array(z.string()).min(1)]).optional().meta({
    description: 'LaunchDarkly flag data as its SDKs read files (flags, flagValues, segments; JSON or YAML), a stream put payload or one flag; several files are merged as the SDK merges them. Relative to the scenario file.',
  }),
}).meta({ description: 'Flag files of flag systems, read at every run: their flags are served as each system serves them.' }));

export const Flags = z.lazy(() => z.object({ from: FlagsFrom.optional() }).catchall(Flag));

const Gate = z.lazy(() => z.union([
  z.string().meta({ description: 'A k6 threshold: metric{tags} aggregate operator value, e.g. req_failed{service:payments,flag:on} rate<0.01' }),
  z.strictObject({
    'burn-rate': z.strictObject({
      slo: Percent,
      pairs: z.array(z.tuple([Duration, Duration, z.number().positive()])).min(1),
      filter: z.string().optional().meta({ description: 'Tags of the SLI, e.g. {journey:checkout}; default all journeys.' }),
    }),
  }),
  z.strictObject({
    compare: z.strictObject({
      metric: z.enum(['req_duration', 'req_failed']),
      test: z.enum(['mann-whitney', 'two-proportion']).optional(),
      'max-increase': Increase.optional(),
      confidence: Percent.optional(),
      'min-samples': positiveInt('min-samples').optional(),
      over: z.union([Duration, z.literal('stage')]).optional(),
      filter: z.string().optional(),
    }),
  }),
  z.strictObject({
    promql: z.string().meta({ description: 'A PromQL query over the simulated series (see metrics:), e.g. sum(rate(http_requests_total{code!~"5.."}[1m])) / sum(rate(http_requests_total[1m]))' }),
    success: z.string().optional().meta({ description: 'Condition over result for a success, e.g. result >= 0.99 (Argo\'s expression subset).' }),
    failure: z.string().optional().meta({ description: 'Condition over result for a failure; without it, a false success condition fails.' }),
    name: z.string().optional().meta({ description: 'A name for the gate in the audit trail (default: the query).' }),
    result: z.enum(['value', 'list', 'first']).optional().meta({ description: 'What result is: value (default: a number, no data an error), list (Argo: the vector\'s values), first (Flagger: one value, none or NaN fails).' }),
  }),
  AlertGate,
]));

export const Stage = z.lazy(() => z.strictObject({
  to: Percent,
  audience: z.string().optional().meta({ description: 'Only users matching this expression, e.g. plan == "beta".' }),
  hold: Duration.optional(),
  approval: Distribution.optional().meta({ description: 'A manual approval before this stage, as a delay distribution.' }),
  analysis: AnalysisRunInput.optional().meta({ description: 'An analysis run after the hold (Argo\'s analysis step): the stage ends when it succeeds; Failed or Error rolls back, Inconclusive pauses.' }),
}));

export const RolloutPlan = z.lazy(() => z.strictObject({
  flag: flagKey,
  after: flagKey.optional().meta({ description: 'Start when the plan of this flag completes.' }),
  start: Duration.optional(),
  stages: z.array(Stage).min(1, { error: 'a rollout needs at least one stage' }).optional(),
  argo: z.strictObject({
    rollout: z.string().meta({ description: 'An Argo Rollouts Rollout manifest (YAML, multi-document allowed), relative to this file.' }),
    name: z.string().optional().meta({ description: 'The Rollout to rehearse where the files hold several: its metadata.name, or NAMESPACE/NAME where two namespaces hold the name (one without metadata.namespace is in any namespace it is applied to); a name they do not hold is an error.' }),
    templates: z.array(z.string()).optional().meta({ description: 'Files with the AnalysisTemplates / ClusterAnalysisTemplates it names.' }),
    args: z.record(z.string(), z.union([z.string(), z.number()])).optional().meta({ description: 'Template arg values, over the Rollout\'s (and the placeholders of args read from Secrets).' }),
    approval: Distribution.optional().meta({ description: 'Delay of the promotion that each `pause: {}` (and spec.paused) waits for. Without it the plan stops at the first such pause, paused.' }),
    service: z.string().optional().meta({ description: 'The service that runs the Rollout: its calls with the flag on are the canary pods\' (default: the service named like the Rollout or its workloadRef).' }),
    patches: z.array(z.strictObject({ resource: z.string(), path: z.array(z.union([z.string(), z.number()])), value: z.unknown() })).optional()
      .meta({ description: 'Values written into the resources (set by sweeps from tune.vary paths such as rollout.<flag>.argo.templates[0].spec.metrics[0].successCondition).' }),
  }).optional().meta({ description: 'Run an Argo Rollouts canary as it is: steps, analysis and AnalysisTemplates.' }),
  flagger: z.strictObject({
    canary: z.string().meta({ description: 'A Flagger Canary manifest, relative to this file.' }),
    name: z.string().optional().meta({ description: 'The Canary to rehearse where the files hold several: its metadata.name, or NAMESPACE/NAME where two namespaces hold the name (one without metadata.namespace is in any namespace it is applied to); a name they do not hold is an error.' }),
    templates: z.array(z.string()).optional().meta({ description: 'Files with the MetricTemplates its metrics name.' }),
    exposure: Percent.optional().meta({ description: 'Share of users an A/B analysis (iterations with match) sends to the canary: those its match selects (default 50%). A blue/green analysis exposes none before promotion.' }),
    approval: Distribution.optional().meta({ description: 'Delay of the confirm-rollout, confirm-traffic-increase and confirm-promotion approvals. Without it the plan stops at the first, paused.' }),
    service: z.string().optional().meta({ description: 'The service that runs the Canary\'s target: its calls with the flag on are the canary pods\' (default: the service named like the target).' }),
    'mesh-provider': z.string().optional().meta({ description: 'The flagger controller\'s -mesh-provider, for a Canary with no spec.provider (default istio, as Flagger\'s).' }),
    patches: z.array(z.strictObject({ resource: z.string(), path: z.array(z.union([z.string(), z.number()])), value: z.unknown() })).optional()
      .meta({ description: 'Values written into the resources (set by sweeps from tune.vary paths such as rollout.<flag>.argo.templates[0].spec.metrics[0].successCondition).' }),
  }).optional().meta({ description: 'Run a Flagger Canary as it is: analysis, metrics, MetricTemplates and confirm webhooks.' }),
  'evaluate-every': Duration.optional(),
  split: z.enum(['users', 'requests']).optional().meta({
    description: 'How a stage\'s percentage splits traffic: users (a user stays on one side, as a feature flag buckets them: the default for stages) or requests (each request to a service that evaluates the flag goes to the new code with that probability, as a router\'s weighted canary without session affinity or header match splits it; a user\'s next request may go to the other side). An imported Argo Rollout or Flagger Canary sets it as its router splits; given here, it says otherwise (clients that each keep one connection to one pod, say; a DestinationRule\'s consistentHash does not: it picks a pod of the side each request was sent to).',
  }),
  pods: PodsInput.optional().meta({ description: 'Canary and stable pods of a service, as the series tell them apart (an Argo Rollout\'s canaryService and stableService, its pod-template hashes): calls served with the flag on are the canary pods\'.' }),
  'background-analysis': BackgroundAnalysisInput.optional().meta({ description: 'An analysis run from a stage on until the plan ends (Argo\'s background analysis).' }),
  gates: z.array(Gate).optional(),
  'failure-limit': nonNegativeInt('failure-limit').optional(),
  'consecutive-error-limit': nonNegativeInt('consecutive-error-limit').optional(),
  inconclusive: z.enum(['pause', 'promote']).optional(),
  'on-breach': z.enum(['rollback', 'pause']).optional(),
  'rollback-to': z.enum(['zero', 'previous']).optional().meta({
    description: 'Where a breach sends the flag: zero (0%, the default) or previous (the stage before the one that breached).',
  }),
  windows: z.array(z.string().regex(/^\d\d:\d\d-\d\d:\d\d$/, { error: 'a window is "HH:MM-HH:MM"' })).optional()
    .meta({ description: 'Times of day when the plan may advance.' }),
  lock: z.boolean().optional().meta({ description: 'Hold a lock on each evaluating service while ramping (default true).' }),
}));

export const FAULT_KINDS = [
  'latency', 'abort', 'timeout', 'blackhole', 'reset', 'partition', 'instance-kill', 'unavailable', 'cpu-stress', 'throttle', 'packet-loss',
] as const;

/** A scheduled fault's own name: as a person's name in a drill, no blanks around it and no control characters. */
export const FAULT_NAME = /^[^\s\p{Cc}](?:[^\p{Cc}]{0,58}[^\s\p{Cc}])?$/u;

const faultShape = () => ({
  name: z.string().regex(FAULT_NAME, { error: 'a fault\'s name is 1 to 60 characters, without control characters or blanks around it' }).optional().meta({
    description: 'Its name in results, reports and a game day\'s debrief (default: its kind and target, "latency payments"); unique among the scenario\'s faults and its faults-catalogue.',
  }),
  kind: z.enum(FAULT_KINDS),
  target: z.string().meta({ description: 'service, service.endpoint, an edge "a -> b", or both ways "a <-> b"' }),
  segment: z.string().optional().meta({ description: 'Only requests of users in this segment.' }),
  at: z.union([Duration, z.string()]).optional().meta({
    description: 'Start: a time ("1h30m"), or a rollout event: "stage(flag, N) + 5m", "rollback(flag)", "complete(flag)", "start(flag)".',
  }),
  for: Duration.optional().meta({ description: 'How long it lasts (default: to the end).' }),
  percent: Percent.optional().meta({ description: 'Share of matching requests affected (default 100%).' }),
  add: Distribution.optional().meta({ description: 'latency: the delay added; packet-loss: the retransmit delay (default 200ms).' }),
  status: z.int().optional().meta({ description: 'abort: the status returned (for the record).' }),
  factor: z.number().positive().optional().meta({ description: 'cpu-stress: service-time multiplier.' }),
  rate: Rate.optional().meta({ description: 'throttle: requests per second let through; beyond it, 429.' }),
  replicas: positiveInt('replicas').optional().meta({ description: 'instance-kill: replicas lost (default 1).' }),
  hidden: z.boolean().optional().meta({ description: 'Game day: not shown on the dashboard, only through its effects (default false).' }),
});

export const Fault = z.lazy(() => z.strictObject(faultShape()));

/** A fault of the catalogue: named, not scheduled; a game day's operators switch it on by hand. */
export const CatalogueFault = z.lazy(() => {
  // Named by its key: neither a start nor a name of its own.
  const { at: _at, name: _name, ...shape } = faultShape();
  return z.strictObject(shape);
});

export const ScenarioFile = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.int().min(0).optional(),
  duration: Duration.optional().meta({ description: 'Simulated horizon; required unless traffic.requests is set.' }),
  window: Duration.optional().meta({ description: 'Telemetry resolution.' }),
  traffic: Traffic,
  calibration: z.lazy(() => z.strictObject({
    rate: Rate.meta({ description: 'The arrival rate of the traces the scenario was calibrated from.' }),
  })).optional().meta({ description: 'Written by rehearse calibrate: results above this load cannot show services of unknown capacity saturate.' }),
  journeys: z.record(z.string(), Journey),
  services: z.record(z.string(), Service),
  'start-time': z.string().regex(/^\d\d:\d\d$/, { error: 'start-time is "HH:MM"' }).optional()
    .meta({ description: 'Time of day when the simulation starts (for rollout windows).' }),
  flags: Flags.optional().meta({ description: 'Flags by key; `from` names flag system files whose flags the entries here complete.' }),
  rollout: z.array(RolloutPlan).optional(),
  faults: z.array(Fault).optional(),
  'faults-catalogue': z.record(z.string().regex(/^[\w.-]+$/, { error: 'a catalogue name is letters, digits, "_", "." and "-"' }), CatalogueFault).optional()
    .meta({ description: 'Game day: named faults that are not scheduled; operators inject them by name.' }),
  slo: z.lazy(() => z.strictObject({
    availability: Percent.optional().meta({ description: 'Share of journeys that must succeed (default 99.9%): sets the error budget.' }),
    latency: Duration.optional().meta({ description: 'A journey slower than this counts as hurt (default: none).' }),
  })).optional(),
  cases: z.record(z.string(), z.record(z.string(), z.unknown())).optional().meta({
    description: 'Named hypotheses of what the new code really does: patches merged into this scenario (objects merge, lists replace). A case varies what the scenario defines, never what names its runs (name, seed, tune).',
  }),
  lint: z.lazy(() => z.strictObject({
    ignore: z.partialRecord(z.enum(['flag-owner', 'flag-kind', 'release-rollback', 'flag-cycle', 'ramp-order', 'concurrent-ramps', 'conflicting-flags', 'flag-expired']), z.string().min(1, { error: 'say why the check is ignored' }))
      .meta({ description: 'Governance checks (rehearse lint) this scenario ignores, each with the reason.' }),
  })).optional(),
  acceptance: z.array(z.string()).optional().meta({
    description: 'Criteria over outcome metrics, in threshold syntax: blast_radius_users{flag:new-checkout} max<500',
  }),
  metrics: z.lazy(() => z.strictObject({
    preset: z.enum(PRESETS).optional().meta({ description: `Names and labels of a monitoring stack: ${PRESETS.join(', ')} (default otel, or the one a Flagger Canary's builtin metrics read).` }),
    names: z.record(z.string(), z.string()).optional().meta({ description: 'Family renames: http_requests_total, http_server_request_duration_seconds.' }),
    labels: z.record(z.string(), z.union([z.string(), z.array(z.string()), z.null()])).optional()
      .meta({ description: 'Label renames: service_name: destination_workload; a list copies, null drops.' }),
    constants: z.record(z.string(), z.string()).optional().meta({ description: 'Labels with one value on every series.' }),
    classification: z.string().nullable().optional().meta({ description: 'A label set to success or failure from the status code.' }),
    'duration-unit': z.enum(['s', 'ms']).optional().meta({ description: 'Unit of the duration histogram (ms for Istio and Linkerd).' }),
    namespace: z.string().optional().meta({ description: 'The namespace label of the presets (default "default").' }),
    'scrape-interval': Duration.optional().meta({ description: 'Time between scrapes (default 15s).' }),
    buckets: z.array(z.number()).optional().meta({ description: 'Histogram bucket bounds in seconds (default: the OTel advisory bounds).' }),
    epoch: z.union([z.string(), z.number()]).optional().meta({ description: 'Wall time of the simulated start (default 2026-01-01T00:00:00Z plus start-time).' }),
    rules: z.array(z.string()).optional().meta({ description: 'Prometheus rule files (rule groups, PrometheusRule resources, Sloth or Pyrra output), relative to this file: recording rules are evaluated over the simulated series; alerts can be gates.' }),
    'evaluation-interval': Duration.optional().meta({ description: 'Time between evaluations of rule groups without an interval of their own (default 1m, as Prometheus).' }),
    'prometheus-version': z.literal([2, 3], { error: 'the Prometheus major version is 2 (2.x) or 3 (3.x)' }).optional().meta({
      description: 'Major version of the Prometheus that evaluates the rules and PromQL gates: 2 (2.42\'s engine, the default) or 3 (ranges and the 5m lookback left-open: a sample exactly at their lower bound is out).',
    }),
  })).optional(),
  truth: z.enum(['direct', 'counterfactual']).optional().meta({
    description: 'How harm is attributed to flags: direct (each failure\'s own cause; one run) or counterfactual (a twin run per flag without it; exact for harm that emerges from load).',
  }),
  tune: z.lazy(() => z.strictObject({
    seeds: positiveInt('seeds').meta({ description: 'Runs per policy and case.' }),
    search: z.enum(['grid', 'random']).optional(),
    samples: positiveInt('samples').optional().meta({ description: 'Policies drawn for a random search.' }),
    vary: z.record(z.string(), z.array(z.union([z.string(), z.number(), z.boolean()])).min(1)).meta({
      description: 'Paths into this scenario, each with the values to try: rollout.<flag>.gates.0, rollout.<flag>.stages.*.hold',
    }),
    cases: z.array(z.string()).optional().meta({ description: 'Cases to rehearse (default: all).' }),
    'subject-to': z.array(z.string()).optional().meta({ description: 'Constraints over outcome metrics across runs: false_rollback rate<0.05' }),
    minimize: z.string().meta({ description: 'The objective: an outcome metric and an aggregate, blast_radius_users p(95)' }),
  })).optional(),
});

export type ScenarioInput = z.infer<typeof ScenarioFile>;
export type CallInput = z.infer<typeof Call>;
export type OperationInput = z.infer<typeof Operation>;
export type DistributionInput = z.infer<typeof Distribution>;
export type BreakerInput = z.infer<typeof Breaker>;
export type RetryInput = z.infer<typeof Retry>;
export type FlagInput = z.infer<typeof Flag>;
export type RolloutInput = z.infer<typeof RolloutPlan>;
export type GateInput = z.infer<typeof Gate>;
export type EffectInput = z.infer<typeof Effect>;

export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioFile, { io: 'input', target: 'draft-2020-12' });
}

/** A scenario's flag entries, without `from`. */
export function flagEntries(flags: ScenarioInput['flags']): [string, FlagInput][] {
  return Object.entries(flags ?? {}).filter(([k]) => k !== 'from') as [string, FlagInput][];
}

const names = new WeakMap<object, readonly string[]>();
/** The names of a scenario's cases, listed once per file (every case's scenario shares its cases, and listing a
 * mapping of thousands of keys is not free). */
export function caseNames(input: ScenarioInput): readonly string[] {
  if (!input.cases) return [];
  if (!names.has(input.cases)) names.set(input.cases, Object.keys(input.cases));
  return names.get(input.cases)!;
}
