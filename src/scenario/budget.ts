/**
 * How much work a scenario asks for, estimated before anything runs, against the limits in defaults.ts. The
 * estimate is an upper bound of the right order (peak rate, every retry taken, every optional call made): it
 * exists to refuse a run that would take hours or exhaust memory, with figures that show why.
 */
import { LIMITS } from './defaults.js';
import type { CallSpec, Operation, Scenario } from './types.js';

export interface WorkEstimate {
  /** Journeys that arrive over the run. */
  readonly journeys: number;
  /** Calls per journey, retries and repeats included (Infinity: calls that start calls without end). */
  readonly callsPerJourney: number;
  /** Simulated events: arrivals, calls (a few events each), telemetry windows and gate evaluations. */
  readonly events: number;
  readonly windows: number;
  /** Gate evaluations of every rollout plan. */
  readonly evaluations: number;
  /** Windows x tags (endpoints, journeys, services, flags by state): what telemetry keeps. */
  readonly windowSeries: number;
  readonly users: number;
  /** Replicas of every service (each has its own workers and queue in memory). */
  readonly replicas: number;
}

/** Events per call: the call's arrival at the service, its end and, for most, a timeout or retry timer. */
const EVENTS_PER_CALL = 3;

export function estimateRun(s: Scenario): WorkEstimate {
  const t = s.traffic;
  const peak = Math.max(t.perSec,
    t.shape.kind === 'ramp' ? t.shape.fromPerSec : 0,
    t.shape.kind === 'steps' ? Math.max(0, ...t.shape.steps.map((x) => x.perSec)) : 0);
  const seconds = Number.isFinite(s.durationUs) ? s.durationUs / 1e6 : t.requests / Math.max(t.perSec, 1e-9);
  const journeys = Math.min(t.requests, peak * seconds);
  const perEndpoint = callsPerEndpoint(s);
  const totalWeight = s.journeys.reduce((a, j) => a + j.weight, 0) || 1;
  const callsPerJourney = s.journeys.reduce((sum, j) => sum + (j.weight / totalWeight) * j.steps.reduce((a, c) => a + callWeight(c) * (1 + (perEndpoint.get(`${c.service}.${c.endpoint}`) ?? 0)), 0), 0);
  const windows = Math.ceil((seconds * 1e6) / s.windowUs);
  const endpoints = s.services.reduce((a, svc) => a + svc.endpoints.length, 0);
  const tags = endpoints + s.journeys.length + s.services.length * (1 + 2 * s.flags.length) + s.flags.length;
  const evaluations = s.rollouts.reduce((a, p) => a + (seconds * 1e6) / p.evaluateEveryUs, 0);
  const events = journeys * (1 + EVENTS_PER_CALL * callsPerJourney) + windows + evaluations;
  const users = s.population?.size ?? (s.cohort?.kind === 'inline' ? s.cohort.size : 0);
  const replicas = s.services.reduce((a, svc) => a + svc.replicas, 0);
  return { journeys, callsPerJourney, events, windows, evaluations, windowSeries: windows * tags, users, replicas };
}

/** The most tries a call makes, times its repeats, times its probability: its weight in expected calls. */
function callWeight(c: CallSpec): number {
  return c.probability * c.repeat * (1 + (c.retry?.attempts ?? 0));
}

/**
 * Calls each endpoint makes, directly and through the calls it makes, per request it serves; a flag's new
 * calls count when they are more. Cycles (asynchronous calls taken by chance) are summed by iteration to
 * their fixed point; a cycle that does not settle is Infinity.
 */
function callsPerEndpoint(s: Scenario): Map<string, number> {
  const ops = new Map<string, CallSpec[][]>();
  const add = (node: string, list: readonly Operation[]) => {
    const calls = list.flatMap((op) => (op.kind === 'call' ? [op.call] : op.calls));
    const known = ops.get(node);
    if (known) known.push(calls);
    else ops.set(node, [calls]);
  };
  for (const svc of s.services) for (const ep of svc.endpoints) add(`${svc.name}.${ep.name}`, ep.operations);
  for (const flag of s.flags) {
    for (const e of flag.effects) {
      if (!e.operations) continue;
      const svc = s.services.find((x) => x.name === e.service);
      for (const ep of svc?.endpoints ?? []) if (e.endpoint === null || e.endpoint === ep.name) add(`${e.service}.${ep.name}`, e.operations);
    }
  }
  const nodes = [...ops.keys()];
  let value = new Map(nodes.map((n) => [n, 0]));
  // Acyclic graphs settle within their depth (at most LIMITS.callDepth); cycles get as long again.
  for (let round = 0; round <= 2 * LIMITS.callDepth + 2; round++) {
    let changed = false;
    const next = new Map<string, number>();
    for (const n of nodes) {
      let best = 0;
      for (const calls of ops.get(n)!) {
        let sum = 0;
        for (const c of calls) sum += callWeight(c) * (1 + (value.get(`${c.service}.${c.endpoint}`) ?? 0));
        best = Math.max(best, sum);
      }
      if (!(Math.abs(best - value.get(n)!) <= 1e-9 * Math.max(1, best)) && Number.isFinite(best)) changed = true;
      next.set(n, best);
    }
    value = next;
    if (!changed) return value;
  }
  // Still growing: the calls never settle.
  for (const n of nodes) if (value.get(n)! > 0) value.set(n, Infinity);
  return value;
}

/** Why the estimate is over the limits (nothing when within them). */
export function overLimits(e: WorkEstimate): string[] {
  const out: string[] = [];
  if (!Number.isFinite(e.callsPerJourney)) {
    out.push('calls start calls that never settle (an asynchronous cycle taken almost every time, or more than once)');
  } else if (e.events > LIMITS.events) {
    const parts = [`${sci(e.journeys)} journeys x ${sci(e.callsPerJourney)} calls each, retries and repeats included`];
    if (e.windows > e.events / 10) parts.push(`${sci(e.windows)} telemetry windows`);
    if (e.evaluations > e.events / 10) parts.push(`${sci(e.evaluations)} gate evaluations`);
    out.push(`about ${sci(e.events)} events (${parts.join('; ')}), over the limit of ${sci(LIMITS.events)} (some minutes of simulation)`);
  }
  if (e.replicas > LIMITS.replicas) {
    out.push(`${sci(e.replicas)} replicas in all, over the limit of ${sci(LIMITS.replicas)} (memory and set-up time)`);
  }
  if (e.windowSeries > LIMITS.windowSeries) {
    out.push(`${sci(e.windows)} telemetry windows x tags = ${sci(e.windowSeries)} series points, over the limit of ${sci(LIMITS.windowSeries)} (memory): use a longer window`);
  }
  return out;
}

/** The grid of a tune block, counted without enumerating it, and the runs a sweep of it makes. */
export function estimateSweep(vary: Readonly<Record<string, readonly unknown[]>>, search: string | undefined, samples: number | undefined, cases: number, seeds: number): { grid: number; runs: number } {
  const grid = Object.values(vary).reduce((a, v) => a * v.length, 1);
  const policies = search === 'random' ? Math.min(samples ?? 10, grid) : grid;
  return { grid, runs: policies * Math.max(1, cases) * seeds };
}

export function sweepOverLimits(x: { grid: number; runs: number }): string[] {
  const out: string[] = [];
  if (x.grid > LIMITS.policies) out.push(`a tune grid of ${sci(x.grid)} policies, over the limit of ${sci(LIMITS.policies)}`);
  if (x.runs > LIMITS.sweepRuns) out.push(`${sci(x.runs)} runs (policies x cases x seeds), over the limit of ${sci(LIMITS.sweepRuns)}`);
  return out;
}

/** A count for a message: exact when small, else two significant digits with an exponent. */
export function sci(x: number): string {
  if (!Number.isFinite(x)) return 'unbounded';
  if (x < 1e6) return Math.round(x * 100) / 100 === Math.round(x) ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
  return x.toExponential(1).replace('e+', 'e');
}

/** What to tell the user about a refusal: the reasons, then how to run anyway. */
export function refusal(file: string, reasons: readonly string[]): string[] {
  return [
    ...reasons.map((r) => `${file}: too much work: ${r}`),
    `${file}: refused before running; rerun with --force to run anyway (limits: docs/limits.md, "Hostile input and limits")`,
  ];
}
