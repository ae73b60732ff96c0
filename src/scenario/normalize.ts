/**
 * From the validated file shape to the typed Scenario: units converted, defaults applied (from defaults.ts
 * only), call targets resolved to services and endpoints, and sync call cycles rejected. Pure: data in,
 * Scenario or problems out.
 */
import { DEFAULTS, LIMITS } from './defaults.js';
import { caseNames, clockTime } from './schema.js';
import { normalizeAcceptance, normalizeFaults, normalizeSlo } from './faults.js';
import { normalizeRelease } from './release.js';
import { journeysMeetingFlags } from './reach.js';
import { unknownFlag } from './helpers.js';
import { normalizeMetrics } from './metrics.js';
import { type PathSegment, type Problem } from './problems.js';
import { didYouMean } from '../errors.js';
import { cycleText, findCycles, longestPath } from './graph.js';
import type {
  BreakerInput, CallInput, DistributionInput, OperationInput, RetryInput, ScenarioInput,
} from './schema.js';
import type {
  FlagSource, BreakerPolicy, CallSpec, Dist, Endpoint, ImportedPlanResult, Journey, Operation, RetryPolicy, Scenario, Service, TrafficShape,
} from './types.js';
import { parseDuration, parseRate, parseRateOrZero } from '../units/parse.js';
import { unitParsers } from './unit-parsers.js';
import { UNBOUNDED } from './system.js';
import { quoted } from '../units/escape.js';

type ServiceInput = ScenarioInput['services'][string];

export type Normalized = { ok: true; scenario: Scenario } | { ok: false; problems: Problem[] };

/** Imported plans (Argo Rollouts, Flagger Canaries) read by the load layer, by the index of their rollout plan. */
export type ImportedPlans = ReadonlyMap<number, ImportedPlanResult>;

export function normalize(input: ScenarioInput, imported?: ReadonlyMap<string, FlagSource>, plans: ImportedPlans = new Map()): Normalized {
  const problems: Problem[] = [];
  const { value, duration, percent, dist } = unitParsers(problems);

  function retry(r: RetryInput, path: PathSegment[]): RetryPolicy {
    const d = DEFAULTS.retry;
    const backoffUs = duration(r.backoff, d.backoff, [...path, 'backoff']);
    return {
      attempts: r.attempts,
      backoffUs,
      maxBackoffUs: r['max-backoff'] === undefined ? Infinity : duration(r['max-backoff'], '0', [...path, 'max-backoff']),
      multiplier: r.multiplier ?? d.multiplier,
      jitter: r.jitter ?? d.jitter,
      on: r.on ?? d.on,
    };
  }

  function breaker(b: BreakerInput, path: PathSegment[]): BreakerPolicy {
    const d = DEFAULTS.breaker;
    const windowUs = duration(b.window, d.window, [...path, 'window']);
    if (windowUs <= 0) problems.push({ path: [...path, 'window'], message: 'the breaker window must be longer than zero' });
    return {
      errorRate: percent(b.errors, d.errors, [...path, 'errors']),
      windowUs,
      minRequests: b['min-requests'] ?? d['min-requests'],
      openForUs: duration(b['open-for'], d['open-for'], [...path, 'open-for']),
      probes: b.probes ?? d.probes,
    };
  }

  // Pass 1: services and endpoints, without their calls.
  const serviceInputs = new Map<string, ServiceInput>(Object.entries(input.services));
  const endpointNames = new Map<string, string[]>();
  // Looked up once per call: a calibrated service may have tens of thousands of endpoints, and as many calls to them.
  const endpointSets = new Map<string, Set<string>>();
  for (const [name, s] of serviceInputs) {
    if (s.endpoints && s.calls) {
      problems.push({ path: ['services', name, 'calls'], message: 'this service lists endpoints: put its calls under one of them' });
    }
    endpointNames.set(name, s.endpoints ? Object.keys(s.endpoints) : [DEFAULTS.endpointName]);
    endpointSets.set(name, new Set(endpointNames.get(name)));
    if (s.endpoints && Object.keys(s.endpoints).length === 0) {
      problems.push({ path: ['services', name, 'endpoints'], message: 'list at least one endpoint, or leave endpoints out' });
    }
  }
  const serviceBreakers = new Map<string, BreakerPolicy | null>();
  const serviceIngress = new Map<string, Dist | null>();
  for (const [name, s] of serviceInputs) {
    serviceBreakers.set(name, s.breaker ? breaker(s.breaker, ['services', name, 'breaker']) : null);
    serviceIngress.set(name, s.ingress === undefined ? null : dist(s.ingress, ['services', name, 'ingress']));
  }

  function call(c: CallInput, path: PathSegment[]): CallSpec | null {
    const obj = typeof c === 'string' ? { to: c } : c;
    const targetPath = typeof c === 'string' ? path : [...path, 'to'];
    const [serviceName, endpointGiven] = obj.to.split('.');
    const target = serviceInputs.get(serviceName);
    if (!target) {
      problems.push({ path: targetPath, message: `unknown service ${quoted(serviceName)}${didYouMean(serviceName, serviceInputs.keys())}` });
      return null;
    }
    const names = endpointNames.get(serviceName)!;
    let endpoint = endpointGiven;
    if (endpoint === undefined) {
      if (names.length !== 1) {
        problems.push({ path: targetPath, message: `service ${quoted(serviceName)} has endpoints ${names.map((n) => `${quoted(n)}`).join(', ')}: name one, e.g. ${quoted(`${serviceName}.${names[0]}`)}` });
        return null;
      }
      endpoint = names[0];
    } else if (!endpointSets.get(serviceName)!.has(endpoint)) {
      problems.push({ path: targetPath, message: `unknown endpoint ${quoted(endpoint)} of service ${quoted(serviceName)}${didYouMean(endpoint, names)}` });
      return null;
    }
    const timeoutText = typeof c === 'string' ? undefined : c.timeout;
    const targetTimeout = target.timeout;
    const timeoutUs = timeoutText !== undefined
      ? duration(timeoutText, '0', [...path, 'timeout'])
      : targetTimeout !== undefined ? duration(targetTimeout, '0', ['services', serviceName, 'timeout']) : 0;
    const o = typeof c === 'string' ? undefined : c;
    let br: BreakerPolicy | null = serviceBreakers.get(serviceName) ?? null;
    if (o?.breaker === false) br = null;
    else if (o?.breaker) br = breaker(o.breaker, [...path, 'breaker']);
    return {
      path,
      service: serviceName,
      endpoint,
      timeoutUs,
      retry: o?.retry ? retry(o.retry, [...path, 'retry']) : null,
      breaker: br,
      probability: o?.probability === undefined ? 1 : percent(o.probability, '100%', [...path, 'probability']),
      repeat: o?.repeat ?? 1,
      async: o?.async ?? false,
      optional: o?.optional ?? false,
      network: o?.network !== undefined ? dist(o.network, [...path, 'network']) : serviceIngress.get(serviceName) ?? null,
    };
  }

  function operations(ops: readonly OperationInput[] | undefined, path: PathSegment[]): Operation[] {
    const out: Operation[] = [];
    (ops ?? []).forEach((op, i) => {
      const p = [...path, i];
      if (typeof op === 'object' && 'parallel' in op) {
        const calls = op.parallel.map((c, j) => call(c, [...p, 'parallel', j])).filter((c): c is CallSpec => c !== null);
        out.push({ kind: 'parallel', calls, limit: op.limit ?? DEFAULTS.parallel.limit, path: p });
      } else {
        const c = call(op, p);
        if (c) out.push({ kind: 'call', call: c });
      }
    });
    return out;
  }

  // Pass 2: services with resolved calls.
  const services: Service[] = [];
  for (const [name, s] of serviceInputs) {
    const base = ['services', name];
    const d = DEFAULTS.service;
    const latency = dist(s.latency ?? d.latency, [...base, 'latency']);
    const errorsOf = (x: ServiceInput['errors'], fallback: string, path: PathSegment[]) => {
      if (typeof x !== 'object') return { errorRate: percent(x, fallback, path), errorEvery: 0, errorBurst: 0 };
      const burst = x.bursts ?? 1;
      if (burst >= x.every) problems.push({ path: [...path, 'bursts'], message: `a burst of ${burst} in every ${x.every} requests leaves none to succeed: make bursts smaller than every` });
      return { errorRate: 0, errorEvery: x.every, errorBurst: burst };
    };
    const serviceErrors = errorsOf(s.errors, d.errors, [...base, 'errors']);
    const errorRate = serviceErrors.errorRate;
    const errorLatency = s['error-latency'] ? dist(s['error-latency'], [...base, 'error-latency']) : latency;
    const endpoints: Endpoint[] = [];
    if (s.endpoints) {
      for (const [ep, e] of Object.entries(s.endpoints)) {
        const p = [...base, 'endpoints', ep];
        const epLatency = e.latency ? dist(e.latency, [...p, 'latency']) : latency;
        endpoints.push({
          service: name,
          name: ep,
          latency: epLatency,
          ...(e.errors === undefined ? serviceErrors : errorsOf(e.errors, '0%', [...p, 'errors'])),
          errorLatency: e['error-latency'] ? dist(e['error-latency'], [...p, 'error-latency']) : e.latency ? epLatency : errorLatency,
          operations: operations(e.calls, [...p, 'calls']),
        });
      }
    } else {
      endpoints.push({
        service: name, name: DEFAULTS.endpointName, latency, ...serviceErrors, errorLatency,
        operations: operations(s.calls, [...base, 'calls']),
      });
    }
    services.push({
      name,
      replicas: s.replicas ?? d.replicas,
      concurrency: s.concurrency === 'unknown' ? UNBOUNDED : s.concurrency ?? d.concurrency,
      capacityKnown: s.concurrency !== 'unknown',
      queue: s.queue === 'unbounded' ? Infinity : s.queue ?? d.queue,
      timeoutUs: s.timeout === undefined ? 0 : duration(s.timeout, '0', [...base, 'timeout']),
      breaker: serviceBreakers.get(name) ?? null,
      endpoints,
    });
  }

  const journeys: Journey[] = Object.entries(input.journeys).map(([name, j]) => ({
    name,
    weight: j.weight ?? DEFAULTS.journey.weight,
    steps: j.steps.map((c, i) => call(c, ['journeys', name, 'steps', i])).filter((c): c is CallSpec => c !== null),
  }));
  if (journeys.length === 0) problems.push({ path: ['journeys'], message: 'declare at least one journey' });
  // Weights are shares of their sum: two of 1e308 summed to Infinity, and every journey but the others got none.
  if (!Number.isFinite(journeys.reduce((a, j) => a + j.weight, 0))) {
    problems.push({ path: ['journeys'], message: 'the journeys\' weights add up to more than a number holds: give them in proportion, e.g. 60, 25 and 15' });
  }
  if (services.length === 0) problems.push({ path: ['services'], message: 'declare at least one service' });

  const t = input.traffic;
  const tp = ['traffic'];
  const perSec = value(parseRate(t.rate), [...tp, 'rate'], 1);
  const shapeName = t.shape ?? DEFAULTS.traffic.shape;
  let shape: TrafficShape;
  switch (shapeName) {
    case 'diurnal': {
      const periodUs = duration(t.period, DEFAULTS.traffic.diurnal.period, [...tp, 'period']);
      shape = {
        kind: 'diurnal',
        periodUs,
        // peak-at is a wall-clock time: the simulation starts at start-time.
        peakAtUs: (t['peak-at'] === undefined ? periodUs / 2 : value(
          /^\d\d:\d\d$/.test(t['peak-at'].trim()) ? clockTime(t['peak-at']) : parseDuration(t['peak-at']), [...tp, 'peak-at'], 0))
          - ((clockTime(input['start-time'] ?? DEFAULTS.startTime) as { value?: number }).value ?? 0),
        trough: percent(t.trough, DEFAULTS.traffic.diurnal.trough, [...tp, 'trough']),
      };
      if (periodUs <= 0) problems.push({ path: [...tp, 'period'], message: 'the period must be longer than zero' });
      break;
    }
    case 'ramp':
      shape = {
        kind: 'ramp',
        fromPerSec: value(parseRateOrZero(t.from ?? DEFAULTS.traffic.ramp.from), [...tp, 'from'], 0),
        overUs: t.over === undefined ? -1 : duration(t.over, '0', [...tp, 'over']),
      };
      break;
    case 'steps': {
      if (!t.steps || t.steps.length === 0) {
        problems.push({ path: [...tp, 'steps'], message: 'shape "steps" needs a list of steps: [{ at: 10m, rate: 500/s }]' });
      }
      const steps = (t.steps ?? []).map((s, i) => ({
        atUs: duration(s.at, '0', [...tp, 'steps', i, 'at']),
        perSec: value(parseRateOrZero(s.rate), [...tp, 'steps', i, 'rate'], 0),
      }));
      steps.forEach((s, i) => {
        if (i > 0 && s.atUs <= steps[i - 1].atUs) problems.push({ path: [...tp, 'steps', i, 'at'], message: 'steps must be in increasing order of time' });
      });
      shape = { kind: 'steps', steps: [{ atUs: 0, perSec }, ...steps] };
      break;
    }
    default:
      shape = { kind: 'constant' };
  }

  const durationUs = input.duration === undefined ? Infinity : duration(input.duration, '0', ['duration']);
  if (input.duration === undefined && t.requests === undefined) {
    problems.push({ path: ['duration'], message: 'give a duration (e.g. "1h"), or traffic.requests to stop after that many journeys' });
  } else if (durationUs <= 0) {
    problems.push({ path: ['duration'], message: 'the duration must be longer than zero' });
  }
  // Arrivals stop after traffic.requests journeys: a last step at 0/s, with no duration to end the run, may never see them all.
  const last = shape.kind === 'steps' ? shape.steps[shape.steps.length - 1] : null;
  if (last && last.perSec === 0 && !Number.isFinite(durationUs) && t.requests !== undefined && shape.kind === 'steps') {
    problems.push({ path: [...tp, 'steps', shape.steps.length - 2, 'rate'], message: `no journey arrives from this step on, and no duration ends the run: it would wait forever for the traffic.requests journeys still to come; give a duration, or a last rate above 0/s` });
  }
  if (shape.kind === 'ramp' && shape.overUs < 0) {
    shape = { ...shape, overUs: Number.isFinite(durationUs) ? durationUs : 0 };
  }
  const windowUs = duration(input.window, DEFAULTS.window, ['window']);
  if (windowUs <= 0) problems.push({ path: ['window'], message: 'the window must be longer than zero' });

  const startTime = input['start-time'] ?? DEFAULTS.startTime;
  const helpers = { problems, duration, percent, dist, operations, services, journeys: journeys.map((j) => j.name), plans, unknownFlag: unknownFlag(input, imported) };
  const release = normalizeRelease(input, helpers, imported);
  const faults = normalizeFaults(input, helpers, release.rollouts);
  if (input.duration === undefined && faults.some((f) => ['timeout', 'blackhole', 'partition'].includes(f.kind))) {
    // A dropped call without a timeout waits forever: only a horizon ends such a run.
    problems.push({ path: ['duration'], message: 'a scenario with a timeout, blackhole or partition fault needs a duration' });
  }
  const acceptance = normalizeAcceptance(input, helpers);
  const slo = normalizeSlo(input, helpers);
  // Imported plans' canary and stable pods, and the series their own queries read.
  const metrics = normalizeMetrics(input, helpers, {
    hints: [...(plans?.values() ?? [])].flatMap((r) => (r.ok && r.plan.series ? [r.plan.series] : [])),
    splits: release.rollouts.flatMap((p, i) => (p.split ? [{ split: p.split, path: ['rollout', i, input.rollout?.[i]?.argo ? 'argo' : input.rollout?.[i]?.flagger ? 'flagger' : 'pods'] }] : [])),
  });

  // The journeys meeting each flag in this scenario alone; loading a file widens them to every case's.
  const met = journeysMeetingFlags({ journeys, services, flags: release.flags });
  const scenario: Scenario = {
    name: input.name,
    description: input.description ?? '',
    seed: input.seed ?? DEFAULTS.seed,
    durationUs,
    windowUs,
    traffic: { perSec, shape, requests: t.requests ?? Infinity },
    calibration: input.calibration ? { ratePerSec: value(parseRate(input.calibration.rate), ['calibration', 'rate'], 1) } : null,
    journeys,
    services,
    startTimeUs: (Number(startTime.slice(0, 2)) * 60 + Number(startTime.slice(3))) * 60e6,
    ...release,
    flags: release.flags.map((f, i) => ({ ...f, journeysInAnyCase: met[i] })),
    population: null,
    faults,
    slo,
    acceptance,
    truth: input.truth ?? DEFAULTS.truth,
    metrics,
    cases: [...caseNames(input)],
    caseName: null,
  };
  problems.push(...callCycles(scenario));
  return problems.length ? { ok: false, problems } : { ok: true, scenario };
}

/**
 * Cycles of calls between endpoints, the calls a flag's new code path makes included. A synchronous cycle
 * would hold workers forever; one with an asynchronous call would spawn calls without end.
 */
function callCycles(s: Scenario): Problem[] {
  const key = (svc: string, ep: string) => `${svc}.${ep}`;
  const edges = new Map<string, CallSpec[]>();
  const add = (svc: string, ep: string, ops: readonly Operation[]) => {
    const node = key(svc, ep);
    let calls = edges.get(node);
    if (!calls) edges.set(node, (calls = []));
    for (const op of ops) for (const c of op.kind === 'call' ? [op.call] : op.calls) calls.push(c);
  };
  for (const svc of s.services) for (const ep of svc.endpoints) add(svc.name, ep.name, ep.operations);
  for (const flag of s.flags) {
    for (const e of flag.effects) {
      if (!e.operations) continue;
      const svc = s.services.find((x) => x.name === e.service);
      for (const ep of svc?.endpoints ?? []) if (e.endpoint === null || e.endpoint === ep.name) add(e.service, ep.name, e.operations);
    }
  }
  const edgesOf = (n: string) => edges.get(n) ?? [];
  const target = (c: CallSpec) => key(c.service, c.endpoint);
  const cycles = findCycles(edges.keys(), edgesOf, target);
  if (cycles.length === 0) {
    // Calls nest as deep as the longest chain; the simulator unwinds a finished chain on the stack.
    const longest = longestPath(edges.keys(), edgesOf, target);
    if (longest.length > LIMITS.callDepth) {
      return [{ path: ['services', longest.from!.split('.')[0]], message: `calls nest ${longest.length} deep (from ${longest.from}); at most ${LIMITS.callDepth}` }];
    }
  }
  // An asynchronous cycle that each pass takes only by chance (probability below 1 per turn) ends; one that
  // every call takes (or more than once) would spawn calls without end.
  return cycles.flatMap((cycle): Problem[] => {
    const closing = cycle.edges[cycle.edges.length - 1];
    const text = cycleText(cycle.nodes);
    if (!cycle.edges.some((c) => c.async)) return [{ path: closing.path, message: `synchronous call cycle: ${text}` }];
    const perTurn = cycle.edges.reduce((m, c) => m * c.probability * c.repeat, 1);
    if (perTurn < 1) return [];
    return [{ path: closing.path, message: `asynchronous call cycle: ${text}: every call would start another, without end (give a call of the cycle a probability below 100%)` }];
  });
}
