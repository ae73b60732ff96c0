/**
 * Compiles a Scenario into flat numeric tables for the simulator's hot path: services, replicas, endpoints,
 * operations, call sites, breakers and client-side pools, each addressed by an integer index.
 */
import type { BreakerPolicy, CallSpec, Dist, Scenario } from '../scenario/types.js';
import { poolName, poolPath } from '../scenario/pools.js';
import { DistTable } from './dist.js';
import { segmentsOf } from '../cohorts/cohort.js';

export const OP_CALL = 0;
export const OP_PARALLEL = 1;

export const RETRY_ON_ERROR = 1;
export const RETRY_ON_TIMEOUT = 2;
export const RETRY_ON_REJECTED = 4;

export const JITTER_NONE = 0;
export const JITTER_FULL = 1;
export const JITTER_EQUAL = 2;

export interface CompiledModel {
  readonly serviceNames: string[];
  readonly serviceReplicaStart: Int32Array;
  readonly serviceReplicas: Int32Array;
  readonly serviceConcurrency: Int32Array;
  readonly serviceQueue: Float64Array;
  readonly replicaService: Int32Array;

  /** Endpoints are `service.endpoint`, numbered across services. */
  readonly endpointNames: string[];
  readonly endpointService: Int32Array;
  readonly endpointLatency: Int32Array;
  readonly endpointErrorRate: Float64Array;
  readonly endpointErrorLatency: Int32Array;
  /** Whether a request to the endpoint can fail on its own (with or without a flag): it then draws once. */
  readonly endpointMayFail: Uint8Array;
  /** A failure pattern per endpoint: of every N requests (0: none), the last `burst` fail. */
  readonly endpointErrorEvery: Int32Array;
  readonly endpointErrorBurst: Int32Array;
  readonly endpointOpStart: Int32Array;
  readonly endpointOpEnd: Int32Array;

  readonly journeyNames: string[];
  readonly journeyCumulativeWeight: Float64Array;
  readonly journeyOpStart: Int32Array;
  readonly journeyOpEnd: Int32Array;

  readonly opKind: Uint8Array;
  readonly opSiteStart: Int32Array;
  readonly opSiteEnd: Int32Array;
  /** Times an operation runs in turn (a call's repeat in sequence; 1 for a parallel group). */
  readonly opRepeat: Float64Array;
  /** Concurrent calls a site makes (a call's repeat inside a parallel group; 1 otherwise). */
  readonly siteCopies: Float64Array;

  readonly siteEndpoint: Int32Array;
  readonly siteService: Int32Array;
  /** Calling service, or -1 for a journey step. */
  readonly siteCaller: Int32Array;
  readonly siteTimeout: Float64Array;
  readonly siteProbability: Float64Array;
  readonly siteAsync: Uint8Array;
  readonly siteOptional: Uint8Array;
  readonly siteRetries: Int32Array;
  readonly siteBackoff: Float64Array;
  readonly siteMaxBackoff: Float64Array;
  readonly siteMultiplier: Float64Array;
  readonly siteJitter: Uint8Array;
  readonly siteRetryOn: Uint8Array;
  readonly siteBreaker: Int32Array;
  /** Client-side pool of the parallel group (with a limit) the site belongs to, else -1. */
  readonly sitePool: Int32Array;
  /** The network time of each attempt (an index into dists), else -1. */
  readonly siteNetwork: Int32Array;
  /** Whether any call site has a network time (else the simulation never asks). */
  readonly networked: boolean;
  /**
   * A plain call site: one call, always made, waited for, with no timeout, client-side pool, breaker or network
   * time; it is sent straight to its service (retries and optional only matter once it fails).
   */
  readonly sitePlain: Uint8Array;

  readonly breakerNames: string[];
  readonly breakerErrorRate: Float64Array;
  readonly breakerWindow: Float64Array;
  readonly breakerMinRequests: Int32Array;
  readonly breakerOpenFor: Float64Array;
  readonly breakerProbes: Int32Array;

  /** Each client-side pool as the scenario names it (scenario/pools.ts): caller -> callees, and the group's path. */
  readonly poolNames: string[];
  readonly poolPaths: string[];
  readonly poolLimit: Int32Array;

  /** Flags' effects per (endpoint, flag): index into the eff* arrays, or -1. */
  readonly flagCount: number;
  readonly endpointEffects: Uint8Array;
  readonly effectOf: Int32Array;
  readonly effLatencyScale: Float64Array;
  readonly effLatencyAdd: Float64Array;
  /** A new error probability, or -1 to keep the endpoint's. */
  readonly effErrorsSet: Float64Array;
  readonly effErrorsAdd: Float64Array;
  /** The segment (index into the cohort's segment names) an effect is limited to, or -1. */
  readonly effSegment: Int32Array;
  /** Operations made instead when the flag is on, or -1. */
  readonly effOpStart: Int32Array;
  readonly effOpEnd: Int32Array;
  /** The next effect of the same (endpoint, flag) for other variants, or -1. */
  readonly effNext: Int32Array;
  /** The variant (index into the flag source's variants) an effect is for, or -1 for any. */
  readonly effVariant: Int32Array;
  /** The share of calls an effect's latency and errors change applies to (1: every call). */
  readonly effShare: Float64Array;

  readonly dists: DistTable;
}

export function compile(s: Scenario): CompiledModel {
  const serviceIndex = new Map(s.services.map((svc, i) => [svc.name, i]));
  const endpointIndex = new Map<string, number>();
  const endpoints = s.services.flatMap((svc) => svc.endpoints);
  endpoints.forEach((e, i) => endpointIndex.set(`${e.service}.${e.name}`, i));

  const dists: Dist[] = [];
  const distSeen = new Map<Dist, number>(); // a map, not indexOf: tens of thousands of endpoints stay linear
  const distIndex = (d: Dist) => {
    let i = distSeen.get(d);
    if (i === undefined) distSeen.set(d, (i = dists.push(d) - 1));
    return i;
  };

  // Repeats are counts, never expanded: a call repeated 2^31 times costs one operation (in sequence) or one
  // site (in parallel) to compile, and costs its repeats only when a journey reaches it.
  const ops: { kind: number; siteStart: number; siteEnd: number; repeat: number }[] = [];
  const sites: { call: CallSpec; caller: number; breaker: number; pool: number; copies: number }[] = [];
  const breakers: { name: string; policy: BreakerPolicy }[] = [];
  const breakerKey = new Map<string, number>();
  const pools: { name: string; path: string; limit: number }[] = [];

  const site = (call: CallSpec, caller: number, copies: number): number => {
    let breaker = -1;
    if (call.breaker) {
      const from = caller < 0 ? 'users' : s.services[caller].name;
      const key = `${from} -> ${call.service} ${JSON.stringify(call.breaker)}`;
      breaker = breakerKey.get(key) ?? -1;
      if (breaker < 0) {
        breaker = breakers.push({ name: `${from} -> ${call.service}`, policy: call.breaker }) - 1;
        breakerKey.set(key, breaker);
      }
    }
    return sites.push({ call, caller, breaker, pool: -1, copies }) - 1;
  };
  /** Appends the operations of an endpoint or journey; a repeat stays a count (opRepeat, siteCopies). */
  const appendCalls = (opsIn: Scenario['services'][number]['endpoints'][number]['operations'], caller: number) => {
    for (const op of opsIn) {
      if (op.kind === 'call') {
        const k = site(op.call, caller, 1);
        ops.push({ kind: OP_CALL, siteStart: k, siteEnd: k + 1, repeat: op.call.repeat });
      } else {
        const start = sites.length;
        // Inside a parallel group, repeat means that many concurrent calls (a fan-out to shards).
        for (const c of op.calls) site(c, caller, c.repeat);
        if (op.limit > 0) {
          const pool = pools.push({ name: poolName(caller < 0 ? 'users' : s.services[caller].name, op.calls), path: poolPath(op.path), limit: op.limit }) - 1;
          for (let k = start; k < sites.length; k++) sites[k].pool = pool;
        }
        ops.push({ kind: OP_PARALLEL, siteStart: start, siteEnd: sites.length, repeat: 1 });
      }
    }
  };

  const endpointOpStart: number[] = [];
  const endpointOpEnd: number[] = [];
  endpoints.forEach((e) => {
    endpointOpStart.push(ops.length);
    appendCalls(e.operations, serviceIndex.get(e.service)!);
    endpointOpEnd.push(ops.length);
  });
  const journeyOpStart: number[] = [];
  const journeyOpEnd: number[] = [];
  s.journeys.forEach((j) => {
    journeyOpStart.push(ops.length);
    appendCalls(j.steps.map((call) => ({ kind: 'call' as const, call })), -1);
    journeyOpEnd.push(ops.length);
  });

  // Flag effects: per endpoint and flag, the service-wide effect combined with the endpoint's own.
  const F = s.flags.length;
  const effectOf = new Int32Array(endpoints.length * F).fill(-1);
  const effects: { scale: number; add: number; errorsSet: number; errorsAdd: number; opStart: number; opEnd: number; segment: number; share: number }[] = [];
  const segmentNames = s.population ? segmentsOf(s.population).names : [];
  // With per-variant effects (flags from flag files), a chain: each variant's effect (combined with the
  // any-variant one), then the any-variant effect; the first whose variant the user is served applies.
  const effNext: number[] = [];
  const effVariant: number[] = [];
  s.flags.forEach((flag, f) => {
    endpoints.forEach((e, ei) => {
      const apply = flag.effects.filter((x) => x.service === e.service && (x.endpoint === null || x.endpoint === e.name));
      if (apply.length === 0) return;
      const combine = (list: typeof apply, variant: string | null) => {
        const combined = { scale: 1, add: 0, errorsSet: -1, errorsAdd: 0, opStart: -1, opEnd: -1, segment: -1, share: 1 };
        for (const x of list) {
          // A change for a share of calls stands alone on its endpoint (release.ts refuses it beside another).
          combined.share = Math.min(combined.share, x.share);
          combined.scale *= x.latencyScale;
          combined.add += x.latencyAddUs;
          combined.errorsAdd += x.errorsAdd;
          if (x.errorsSet !== null) combined.errorsSet = x.errorsSet;
          if (x.segment !== null) combined.segment = segmentNames.indexOf(x.segment);
          if (x.operations) {
            combined.opStart = ops.length;
            appendCalls(x.operations, serviceIndex.get(e.service)!);
            combined.opEnd = ops.length;
          }
        }
        effNext.push(-1);
        effVariant.push(variant === null ? -1 : flag.source!.variants.indexOf(variant));
        return effects.push(combined) - 1;
      };
      const any = apply.filter((x) => x.variant === null);
      const variants = [...new Set(apply.flatMap((x) => (x.variant === null ? [] : [x.variant])))];
      const chain = variants.map((v) => combine([...any, ...apply.filter((x) => x.variant === v)], v));
      if (any.length) chain.push(combine(any, null));
      for (let k = 0; k + 1 < chain.length; k++) effNext[chain[k]] = chain[k + 1];
      effectOf[ei * F + f] = chain[0];
    });
  });

  const totalWeight = s.journeys.reduce((x, j) => x + j.weight, 0);
  let cumulative = 0;
  const replicaStart: number[] = [];
  const replicaService: number[] = [];
  s.services.forEach((svc, i) => {
    replicaStart.push(replicaService.length);
    for (let r = 0; r < svc.replicas; r++) replicaService.push(i);
  });

  const retryOn = (on: readonly string[]) =>
    (on.includes('error') ? RETRY_ON_ERROR : 0) | (on.includes('timeout') ? RETRY_ON_TIMEOUT : 0) | (on.includes('rejected') ? RETRY_ON_REJECTED : 0);
  const jitter = { none: JITTER_NONE, full: JITTER_FULL, equal: JITTER_EQUAL };

  return {
    serviceNames: s.services.map((x) => x.name),
    serviceReplicaStart: Int32Array.from(replicaStart),
    serviceReplicas: Int32Array.from(s.services, (x) => x.replicas),
    serviceConcurrency: Int32Array.from(s.services, (x) => x.concurrency),
    serviceQueue: Float64Array.from(s.services, (x) => x.queue),
    replicaService: Int32Array.from(replicaService),

    endpointNames: endpoints.map((e) => `${e.service}.${e.name}`),
    endpointService: Int32Array.from(endpoints, (e) => serviceIndex.get(e.service)!),
    endpointLatency: Int32Array.from(endpoints, (e) => distIndex(e.latency)),
    endpointErrorRate: Float64Array.from(endpoints, (e) => e.errorRate),
    endpointErrorLatency: Int32Array.from(endpoints, (e) => distIndex(e.errorLatency)),
    endpointErrorEvery: Int32Array.from(endpoints, (e) => e.errorEvery),
    endpointErrorBurst: Int32Array.from(endpoints, (e) => e.errorBurst),
    endpointMayFail: Uint8Array.from(endpoints, (e, ei) => (e.errorRate > 0 || e.errorEvery > 0 || Array.from(effectOf.subarray(ei * F, ei * F + F)).some((head) => {
      for (let x = head; x >= 0; x = effNext[x]) if (effects[x].errorsAdd > 0 || effects[x].errorsSet > 0) return true;
      return false;
    }) ? 1 : 0)),
    endpointOpStart: Int32Array.from(endpointOpStart),
    endpointOpEnd: Int32Array.from(endpointOpEnd),

    journeyNames: s.journeys.map((j) => j.name),
    journeyCumulativeWeight: Float64Array.from(s.journeys, (j) => (cumulative += j.weight / totalWeight)),
    journeyOpStart: Int32Array.from(journeyOpStart),
    journeyOpEnd: Int32Array.from(journeyOpEnd),

    opKind: Uint8Array.from(ops, (o) => o.kind),
    opSiteStart: Int32Array.from(ops, (o) => o.siteStart),
    opSiteEnd: Int32Array.from(ops, (o) => o.siteEnd),
    opRepeat: Float64Array.from(ops, (o) => o.repeat),

    siteCopies: Float64Array.from(sites, (x) => x.copies),
    siteEndpoint: Int32Array.from(sites, (x) => endpointIndex.get(`${x.call.service}.${x.call.endpoint}`)!),
    siteService: Int32Array.from(sites, (x) => serviceIndex.get(x.call.service)!),
    siteCaller: Int32Array.from(sites, (x) => x.caller),
    siteTimeout: Float64Array.from(sites, (x) => x.call.timeoutUs),
    siteProbability: Float64Array.from(sites, (x) => x.call.probability),
    siteAsync: Uint8Array.from(sites, (x) => (x.call.async ? 1 : 0)),
    siteOptional: Uint8Array.from(sites, (x) => (x.call.optional ? 1 : 0)),
    siteRetries: Int32Array.from(sites, (x) => x.call.retry?.attempts ?? 0),
    siteBackoff: Float64Array.from(sites, (x) => x.call.retry?.backoffUs ?? 0),
    siteMaxBackoff: Float64Array.from(sites, (x) => x.call.retry?.maxBackoffUs ?? 0),
    siteMultiplier: Float64Array.from(sites, (x) => x.call.retry?.multiplier ?? 1),
    siteJitter: Uint8Array.from(sites, (x) => (x.call.retry ? jitter[x.call.retry.jitter] : JITTER_NONE)),
    siteRetryOn: Uint8Array.from(sites, (x) => (x.call.retry ? retryOn(x.call.retry.on) : 0)),
    siteBreaker: Int32Array.from(sites, (x) => x.breaker),
    sitePool: Int32Array.from(sites, (x) => x.pool),
    siteNetwork: Int32Array.from(sites, (x) => (x.call.network === null ? -1 : distIndex(x.call.network))),
    networked: sites.some((x) => x.call.network !== null),
    sitePlain: Uint8Array.from(sites, (x) => (x.copies === 1 && x.call.probability >= 1 && !x.call.async && !(x.call.timeoutUs > 0) &&
      x.pool < 0 && x.breaker < 0 && x.call.network === null ? 1 : 0)),

    breakerNames: breakers.map((b) => b.name),
    breakerErrorRate: Float64Array.from(breakers, (b) => b.policy.errorRate),
    breakerWindow: Float64Array.from(breakers, (b) => b.policy.windowUs),
    breakerMinRequests: Int32Array.from(breakers, (b) => b.policy.minRequests),
    breakerOpenFor: Float64Array.from(breakers, (b) => b.policy.openForUs),
    breakerProbes: Int32Array.from(breakers, (b) => b.policy.probes),

    poolNames: pools.map((p) => p.name),
    poolPaths: pools.map((p) => p.path),
    poolLimit: Int32Array.from(pools, (p) => p.limit),

    flagCount: F,
    endpointEffects: Uint8Array.from(endpoints, (_, ei) => (effectOf.subarray(ei * F, ei * F + F).some((x) => x >= 0) ? 1 : 0)),
    effectOf,
    effLatencyScale: Float64Array.from(effects, (x) => x.scale),
    effLatencyAdd: Float64Array.from(effects, (x) => x.add),
    effErrorsSet: Float64Array.from(effects, (x) => x.errorsSet),
    effErrorsAdd: Float64Array.from(effects, (x) => x.errorsAdd),
    effSegment: Int32Array.from(effects, (x) => x.segment),
    effOpStart: Int32Array.from(effects, (x) => x.opStart),
    effOpEnd: Int32Array.from(effects, (x) => x.opEnd),
    effNext: Int32Array.from(effNext),
    effVariant: Int32Array.from(effVariant),
    effShare: Float64Array.from(effects, (x) => x.share),

    dists: new DistTable(dists),
  };
}
