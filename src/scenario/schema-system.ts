/**
 * The system part of the scenario file's shape: distributions, calls, operations, endpoints, services, journeys.
 */
import { z } from 'zod';
import { Duration, Percent, nonNegativeInt, positiveInt } from './schema-units.js';

const Plus = Duration.optional().meta({ description: 'A fixed delay added to every draw (a shifted distribution).' });

export const Distribution = z.union([
  Duration,
  z.discriminatedUnion('dist', [
  z.strictObject({ dist: z.literal('constant'), value: Duration, plus: Plus }),
  z.strictObject({ dist: z.literal('uniform'), min: Duration, max: Duration, plus: Plus }),
  z.strictObject({ dist: z.literal('exponential'), mean: Duration, plus: Plus }),
  z.strictObject({ dist: z.literal('normal'), mean: Duration, sd: Duration, plus: Plus }),
  z.strictObject({ dist: z.literal('lognormal'), p50: Duration, p99: Duration, plus: Plus }),
  z.strictObject({ dist: z.literal('empirical'), samples: z.array(Duration).min(1, { error: 'give at least one sample' }), plus: Plus }),
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
    network: Distribution.optional().meta({
      description: 'Time on the network for each attempt (both ways, proxies included), spent before the call reaches the service; default: the service\'s ingress.',
    }),
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

export const HttpRoute = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']).optional().meta({ description: 'Default GET.' }),
  path: z.string().regex(/^\/[^\s]*$/, { error: 'an HTTP path starts with "/" and has no spaces' }),
}).meta({ description: 'How a real client reaches this endpoint (rehearse export k6): method and path under the base URL.' });

const ServiceBehaviour = {
  http: HttpRoute.optional(),
  latency: Distribution.optional().meta({ description: 'Own processing time, holding a worker.' }),
  errors: z.union([
    Percent,
    z.strictObject({
      every: positiveInt('errors.every').meta({ description: 'Every Nth request fails (a shared counter, as code that fails on a counter).' }),
      bursts: positiveInt('errors.bursts').optional().meta({ description: 'Failures in runs of this many: the last of every N requests (default 1).' }),
    }),
  ]).optional().meta({ description: 'Probability that a request fails in this service, or a pattern: { every: 5 }, { every: 20, bursts: 3 }.' }),
  'error-latency': Distribution.optional().meta({ description: 'Processing time of a failing request (fast fail or hang); defaults to latency.' }),
  calls: z.array(Operation).optional(),
};

export const Endpoint = z.strictObject(ServiceBehaviour);

export const Service = z.strictObject({
  description: z.string().optional(),
  replicas: positiveInt('replicas').optional(),
  concurrency: z.union([positiveInt('concurrency'), z.literal('unknown')]).optional().meta({
    description: 'Workers per replica; unknown: not known (unbounded in the run, which then cannot show this service saturate).',
  }),
  ingress: Distribution.optional().meta({
    description: 'Network time of every call to this service that gives no network of its own, journey steps from users included.',
  }),
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
