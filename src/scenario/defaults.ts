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
  startTime: '00:00',
  slo: { availability: '99.9%' },
  truth: 'direct',
  /** Prometheus series of the simulated telemetry. */
  metrics: { scrapeInterval: '15s' },
  /** A cohort made when flags need users and the scenario names none. */
  cohort: { size: 10_000 },
  flag: {
    kind: 'release',
    bucketing: 'flagd',
    hashVersion: 2,
    contract: 'none',
    propagation: { dist: 'uniform', min: '1s', max: '10s' },
  },
  rollout: {
    start: '0s',
    hold: '0s',
    evaluateEvery: '1m',
    failureLimit: 0,
    consecutiveErrorLimit: 4,
    inconclusive: 'pause',
    onBreach: 'rollback',
    rollbackTo: 'zero',
    lock: true,
  },
  compare: {
    test: { req_duration: 'mann-whitney', req_failed: 'two-proportion' },
    maxIncrease: '10%',
    confidence: '95%',
    minSamples: 50,
    over: 'stage',
  },
} as const;
