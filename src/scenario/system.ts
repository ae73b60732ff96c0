/** The system a scenario simulates, after normalization: distributions, calls, endpoints, services, journeys, traffic. */

export type DistKind = 'constant' | 'uniform' | 'exponential' | 'normal' | 'lognormal' | 'empirical';

/** A latency distribution in microseconds. Parameters by kind: constant (a), uniform (a=min, b=max),
 * exponential (a=mean), normal (a=mean, b=sd), lognormal (a=mu, b=sigma of ln microseconds), empirical (samples). */
export interface Dist {
  readonly kind: DistKind;
  readonly a: number;
  readonly b: number;
  readonly samples: readonly number[];
  /** Exact mean in microseconds (before clamping at zero for the normal), with `plus`. */
  readonly mean: number;
  /** A fixed delay added to every draw, in microseconds (a shifted distribution). */
  readonly plus?: number;
}

export type RetryOn = 'error' | 'timeout' | 'rejected';

export interface RetryPolicy {
  readonly attempts: number;
  readonly backoffUs: number;
  readonly maxBackoffUs: number;
  readonly multiplier: number;
  readonly jitter: 'none' | 'full' | 'equal';
  readonly on: readonly RetryOn[];
}

export interface BreakerPolicy {
  readonly errorRate: number;
  readonly windowUs: number;
  readonly minRequests: number;
  readonly openForUs: number;
  readonly probes: number;
}

export interface CallSpec {
  /** Where it was declared, for messages: services.frontend.endpoints.checkout.calls[2]. */
  readonly path: readonly (string | number)[];
  readonly service: string;
  readonly endpoint: string;
  /** 0 means no timeout. */
  readonly timeoutUs: number;
  readonly retry: RetryPolicy | null;
  readonly breaker: BreakerPolicy | null;
  readonly probability: number;
  readonly repeat: number;
  readonly async: boolean;
  readonly optional: boolean;
  /** Time on the network per attempt, before the call reaches the service (the call's own, else the service's ingress), or null. */
  readonly network: Dist | null;
}

export type Operation =
  | { readonly kind: 'call'; readonly call: CallSpec }
  | { readonly kind: 'parallel'; readonly calls: readonly CallSpec[]; readonly limit: number; readonly path: readonly (string | number)[] };

export interface Endpoint {
  readonly service: string;
  readonly name: string;
  readonly latency: Dist;
  readonly errorRate: number;
  /** A deterministic failure pattern: of every `errorEvery` requests (0: none), the last `errorBurst` fail. */
  readonly errorEvery: number;
  readonly errorBurst: number;
  readonly errorLatency: Dist;
  readonly operations: readonly Operation[];
}

export interface Service {
  readonly name: string;
  readonly replicas: number;
  /** Workers per replica (UNBOUNDED when not known). */
  readonly concurrency: number;
  /** False when the file says `concurrency: unknown`: the run treats the service as unbounded. */
  readonly capacityKnown: boolean;
  /** Infinity when unbounded. */
  readonly queue: number;
  readonly timeoutUs: number;
  readonly breaker: BreakerPolicy | null;
  readonly endpoints: readonly Endpoint[];
}

/** The concurrency of a service whose capacity is unknown: more workers than any run can keep busy. */
export const UNBOUNDED = 2 ** 31 - 1;

export interface Journey {
  readonly name: string;
  readonly weight: number;
  readonly steps: readonly CallSpec[];
}

export type TrafficShape =
  | { readonly kind: 'constant' }
  | { readonly kind: 'diurnal'; readonly periodUs: number; readonly peakAtUs: number; readonly trough: number }
  | { readonly kind: 'ramp'; readonly fromPerSec: number; readonly overUs: number }
  | { readonly kind: 'steps'; readonly steps: readonly { readonly atUs: number; readonly perSec: number }[] };

export interface Traffic {
  readonly perSec: number;
  readonly shape: TrafficShape;
  /** Infinity when arrivals are bounded by the duration only. */
  readonly requests: number;
}
