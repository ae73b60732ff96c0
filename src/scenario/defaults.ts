/**
 * Every default of the scenario format, in one place. The normalizer applies them; schemas and call sites
 * never repeat them.
 */
export const DEFAULTS = {
  seed: 1,
  window: '1m',
  traffic: {
    shape: 'constant',
    diurnal: { period: '24h', trough: '30%' },
    ramp: { from: '0/s' },
  },
  journey: { weight: 1 },
  service: {
    replicas: 1,
    concurrency: 16,
    queue: 100,
    latency: { dist: 'constant', value: '1ms' },
    errors: '0%',
  },
  /** The endpoint of a service referred to by its name alone (`cart` means `cart.default`). */
  endpointName: 'default',
  retry: { backoff: '25ms', multiplier: 2, jitter: 'full', on: ['error', 'timeout', 'rejected'] },
  breaker: { errors: '50%', window: '10s', 'min-requests': 20, 'open-for': '30s', probes: 5 },
  parallel: { limit: 0 },
} as const;
