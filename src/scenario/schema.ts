/**
 * The scenario file's shape, as a zod schema: the single source of the JSON Schema that editors use
 * (`rehearse schema`). Units are checked here with the same parsers the normalizer uses; names are resolved
 * and defaults applied later, in normalize.ts.
 */
import { z } from 'zod';
import {
  DURATION_PATTERN, PERCENT_PATTERN, RATE_PATTERN,
  parseDuration, parsePercent, parseRate, parseRateOrZero, type Parsed,
} from '../units.js';

function unit(parse: (v: unknown) => Parsed<number>, pattern: string, description: string) {
  return z
    .string({ error: (issue) => (parse(issue.input) as { message?: string }).message ?? 'expected a string' })
    .superRefine((value, ctx) => {
      const r = parse(value);
      if (!r.ok) ctx.addIssue({ code: 'custom', message: r.message, input: value });
    })
    .meta({ pattern, description });
}

export const Duration = unit(parseDuration, DURATION_PATTERN, 'A duration: "250ms", "5m", "1h30m".');
export const Rate = unit(parseRate, RATE_PATTERN, 'A positive rate: "300/s", "20/min".');
export const RateOrZero = unit(parseRateOrZero, RATE_PATTERN, 'A rate, zero allowed: "0/s", "300/s".');
export const Percent = unit(parsePercent, PERCENT_PATTERN, 'A percentage from 0% to 100%: "0.5%".');

const positiveInt = (what: string) => z.int({ error: `${what} must be a whole number` }).min(1, { error: `${what} must be at least 1` });
const nonNegativeInt = (what: string) => z.int({ error: `${what} must be a whole number` }).min(0, { error: `${what} must not be negative` });

export const Distribution = z.union([
  Duration,
  z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: Duration }),
  z.strictObject({ dist: z.literal('uniform'), min: Duration, max: Duration }),
  z.strictObject({ dist: z.literal('exponential'), mean: Duration }),
  z.strictObject({ dist: z.literal('normal'), mean: Duration, sd: Duration }),
  z.strictObject({ dist: z.literal('lognormal'), p50: Duration, p99: Duration }),
  z.strictObject({ dist: z.literal('empirical'), samples: z.array(Duration).min(1, { error: 'give at least one sample' }) }),
  ]),
]).meta({ description: 'A latency distribution; a bare duration ("12ms") is a constant.' });

export const Retry = z.strictObject({
  attempts: nonNegativeInt('retry attempts').meta({ description: 'Retries after the first try (total tries = attempts + 1), as Envoy num_retries.' }),
  backoff: Duration.optional().meta({ description: 'Base delay before the first retry; doubles (multiplier) each retry.' }),
  'max-backoff': Duration.optional(),
  multiplier: z.number().min(1).optional(),
  jitter: z.enum(['none', 'full', 'equal']).optional(),
  on: z.array(z.enum(['error', 'timeout', 'rejected'])).optional().meta({ description: 'Failures that are retried.' }),
});

export const Breaker = z.strictObject({
  errors: Percent.optional().meta({ description: 'Failure rate over the window at which the breaker opens.' }),
  window: Duration.optional(),
  'min-requests': positiveInt('min-requests').optional(),
  'open-for': Duration.optional(),
  probes: positiveInt('probes').optional().meta({ description: 'Trial calls let through when half-open.' }),
});

const CallTarget = z.string().regex(/^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)?$/, {
  error: 'a call target is "service" or "service.endpoint"',
}).meta({ description: 'service or service.endpoint' });

export const Call = z.union([
  CallTarget,
  z.strictObject({
    to: CallTarget,
    timeout: Duration.optional(),
    retry: Retry.optional(),
    breaker: z.union([Breaker, z.literal(false)]).optional(),
    probability: Percent.optional().meta({ description: 'Share of requests that make this call (a cache miss rate).' }),
    repeat: positiveInt('repeat').optional().meta({ description: 'Times the call is made: in sequence, or concurrently inside parallel.' }),
    async: z.boolean().optional().meta({ description: 'Fire and forget: the caller does not wait.' }),
    optional: z.boolean().optional().meta({ description: 'A failure of this call does not fail the caller (a fallback).' }),
  }),
]);

export const Operation = z.union([
  Call,
  z.strictObject({
    parallel: z.array(Call).min(1, { error: 'a parallel group needs at least one call' }),
    limit: positiveInt('limit').optional().meta({
      description: 'Most calls of this group in flight at once, shared by all requests of the calling service (a client-side pool).',
    }),
  }),
]);

const ServiceBehaviour = {
  latency: Distribution.optional().meta({ description: 'Own processing time, holding a worker.' }),
  errors: Percent.optional().meta({ description: 'Probability that a request fails in this service.' }),
  'error-latency': Distribution.optional().meta({ description: 'Processing time of a failing request (fast fail or hang); defaults to latency.' }),
  calls: z.array(Operation).optional(),
};

export const Endpoint = z.strictObject(ServiceBehaviour);

export const Service = z.strictObject({
  description: z.string().optional(),
  replicas: positiveInt('replicas').optional(),
  concurrency: positiveInt('concurrency').optional().meta({ description: 'Workers per replica.' }),
  queue: z.union([nonNegativeInt('queue'), z.literal('unbounded')]).optional().meta({
    description: 'Waiting requests per replica; beyond it requests are rejected (503).',
  }),
  timeout: Duration.optional().meta({ description: 'Default timeout of calls to this service.' }),
  breaker: Breaker.optional().meta({ description: 'Default circuit breaker on every call edge into this service.' }),
  ...ServiceBehaviour,
  endpoints: z.record(z.string(), Endpoint).optional(),
});

export const Journey = z.strictObject({
  weight: z.number().positive({ error: 'weight must be greater than zero' }).optional(),
  steps: z.array(Call).min(1, { error: 'a journey needs at least one step' }),
});

export const Traffic = z.strictObject({
  rate: Rate.meta({ description: 'Mean (constant), peak (diurnal), final (ramp) or first (steps) arrival rate.' }),
  shape: z.enum(['constant', 'diurnal', 'ramp', 'steps']).optional(),
  period: Duration.optional(),
  'peak-at': Duration.optional(),
  trough: Percent.optional(),
  from: RateOrZero.optional(),
  over: Duration.optional(),
  steps: z.array(z.strictObject({ at: Duration, rate: RateOrZero })).optional(),
  requests: positiveInt('requests').optional().meta({ description: 'Stop arrivals after this many journeys.' }),
});

export const ScenarioFile = z.strictObject({
  $schema: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  seed: z.int().min(0).optional(),
  duration: Duration.optional().meta({ description: 'Simulated horizon; required unless traffic.requests is set.' }),
  window: Duration.optional().meta({ description: 'Telemetry resolution.' }),
  traffic: Traffic,
  journeys: z.record(z.string(), Journey),
  services: z.record(z.string(), Service),
});

export type ScenarioInput = z.infer<typeof ScenarioFile>;
export type CallInput = z.infer<typeof Call>;
export type OperationInput = z.infer<typeof Operation>;
export type DistributionInput = z.infer<typeof Distribution>;
export type BreakerInput = z.infer<typeof Breaker>;
export type RetryInput = z.infer<typeof Retry>;

export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioFile, { io: 'input', target: 'draft-2020-12' });
}
