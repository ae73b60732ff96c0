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
  metrics: { scrapeInterval: '15s', evaluationInterval: '1m' },
  /** A cohort made when flags need users and the scenario names none. */
  cohort: { size: 10_000 },
  flag: {
    kind: 'release',
    bucketing: 'flagd',
    hashVersion: 2,
    contract: 'none',
    propagation: { dist: 'uniform', min: '1s', max: '10s' },
    /** The share of a flag-on user's calls to an endpoint that a `when-on` change applies to. */
    effectPercent: '100%',
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
    /** How a stage's percentage splits traffic when neither the plan nor an imported resource says: by users. */
    split: 'users' as 'users' | 'requests',
    /** Users exposed by an imported A/B analysis (Flagger iterations with match): those its match selects. */
    exposure: '50%',
  },
  compare: {
    test: { req_duration: 'mann-whitney', req_failed: 'two-proportion' },
    maxIncrease: '10%',
    confidence: '95%',
    minSamples: 50,
    over: 'stage',
  },
} as const;

/**
 * Bounds on the work a scenario may ask for. Beyond the first group, `--force` runs anyway; the estimate that
 * is compared with them is in budget.ts. Raise them here (docs/limits.md: "Hostile input and limits").
 */
export const LIMITS = {
  /** Estimated work of one run on one core, in seconds (events, windows, gate evaluations, scrapes, set-up). */
  workSeconds: 900,
  /** Estimated work of a whole sweep on one core, in seconds (its runs x the work of one). */
  sweepWorkSeconds: 24 * 3600,
  /** Memory a run may use, in bytes, when the JavaScript heap allows more (3/4 of the heap's limit otherwise). */
  memoryBytes: 8e9,
  /** Telemetry windows x tags kept by one run (each a small summary in memory). */
  windowSeries: 2e7,
  /** Replicas of all services together (each with its workers and queue in memory). */
  replicas: 100_000,
  /** Policies a sweep runs: a grid search's whole grid (enumerated in memory before it starts), a random search's samples. */
  policies: 100_000,
  /** Runs of one sweep (policies x cases x seeds). */
  sweepRuns: 1_000_000,
  /** Worker threads of a sweep (each a heap of its own, about 70 MB; runs are CPU-bound, so more than the cores gain nothing). */
  workers: 64,
  /** Users of `cohorts generate` (about 60,000 a second, half a kilobyte each). */
  cohortUsers: 10_000_000,

  // Hard limits: --force does not lift these.
  /** Calls nested in calls (a chain a -> b -> c is 2 deep): the simulator unwinds a chain on the stack. */
  callDepth: 256,
  /** Users of a cohort a scenario makes or reads as it loads (memory: about half a kilobyte each). */
  scenarioCohortUsers: 2_000_000,
  /** Cases of one scenario: each is checked whole whenever the file loads (about a millisecond each). */
  cases: 1000,
} as const;
