/**
 * The run result document (schema "rehearse/run@1"): the stable contract that CI and other tools read.
 * Keys documented in docs/results.md; add freely, rename never without a version bump.
 */
import { getHeapStatistics } from 'node:v8';
import { InputError } from '../errors.js';
import { estimateRun } from '../scenario/budget.js';
import { duration } from '../units/format.js';
import type { Scenario } from '../scenario/types.js';
import { Simulation, type SimulationResult } from '../model/simulation.js';
import { RolloutController, type AuditEntry, type PlanReport } from '../rollout/controller.js';
import type { FlagSlice, TagStats, ServiceGauges, WindowStats } from '../telemetry/telemetry.js';
import { attachTracer } from '../observe/trace-hooks.js';
import type { TraceRecorder } from '../observe/tracing.js';
import { VERSION } from '../version.js';
import { counterfactualHarm, type FlagHarm } from './counterfactual.js';
import { judge, scoreOutcomes, type AcceptanceResult, type Outcomes } from './outcomes.js';
import { poolFigures, poolSeries, poolStories, type PoolFigures, type PoolSeries } from './pools.js';
import { runStability, type RunStability } from './stability.js';

export interface LatencyMs {
  mean: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface CallFigures {
  requests: number;
  errors: number;
  errorRate: number;
  errorsByCause: TagStats['byCause'];
  latencyMs: LatencyMs;
}

export interface ServiceFigures extends CallFigures {
  throughputPerSec: number;
  /** Busy workers over workers, time-averaged; null for a service of unknown capacity (`concurrency: unknown`), which has no count of workers. */
  utilization: number | null;
  busyWorkers: number;
  meanQueued: number;
  maxQueued: number;
  meanInFlight: number;
  meanQueueWaitMs: number;
  /** Share of the requests that started work after waiting for a worker. */
  waitedShare: number;
  endpoints: Record<string, CallFigures>;
}

export interface WindowSeries {
  requests: number[];
  errors: number[];
  p99Ms: number[];
}

/**
 * Calls to a service of users served one flag (on) and of the others (off), per window: counts as they came, and
 * like-with-like figures (within each journey, pooled with the journeys' shares; null where no journey had both).
 */
export interface FlagSplitSeries {
  onRequests: number[];
  onErrors: number[];
  onErrorRate: (number | null)[];
  onP99Ms: (number | null)[];
  offRequests: number[];
  offErrors: number[];
  offErrorRate: (number | null)[];
  offP99Ms: (number | null)[];
}

export interface RolloutFigures {
  flag: string;
  kind: string;
  owner: string;
  outcome: PlanReport['outcome'];
  /** The run ended while the plan was still on its way (mid-hold or waiting): "paused" by the end, not by anyone. */
  cutOff: boolean;
  finalPercent: number;
  /** Users of the cohort the final configuration serves the flag to. */
  exposedUsers: number;
  stagesReached: number;
  stages: number;
  startedSeconds: number | null;
  endedSeconds: number | null;
  decisions: { timeSeconds: number; action: string; stage: number; percent: number; reason: string }[];
  /** The plan's gates: threshold gates with their metric, aggregate and limit (ms for latency, a fraction for rates). */
  gates: { source: string; kind: string; service: string | null; journey: string | null; metric: string | null; aggregate: string | null; operator: string | null; limit: number | null }[];
  propagation: Record<string, { changes: number; meanSeconds: number; maxSeconds: number }>;
}

export type AuditRecord = Omit<AuditEntry, 'timeUs' | 'delayUs'> & { timeSeconds: number; delaySeconds?: number };

export interface RunResult {
  schema: 'rehearse/run@1';
  version: string;
  scenario: { name: string; seed: number; case: string | null };
  passed: boolean;
  simulated: { seconds: number; requests: number; arrived: number; events: number };
  services: Record<string, ServiceFigures>;
  /** Present when the scenario has client-side pools (a parallel group's `limit`): where calls waited for a slot. */
  pools?: PoolFigures[];
  journeys: Record<string, CallFigures & { throughputPerSec: number }>;
  breakers: { timeSeconds: number; edge: string; to: string }[];
  /** The flag registry: governance facts of every flag the scenario declares. */
  flags: {
    key: string; kind: string; owner: string; description: string; evaluatedBy: readonly string[]; requires: readonly string[];
    needs: readonly string[]; bucketing: string; contract: string; variants: Readonly<Record<string, number>>;
  }[];
  rollouts: RolloutFigures[];
  audit: AuditRecord[];
  outcomes: Outcomes;
  acceptance: AcceptanceResult[];
  windows: {
    seconds: number;
    startSeconds: number[];
    /** Per window: busy workers over workers, queued requests on average over time, at most, and at the window's end. */
    services: Record<string, WindowSeries & { utilization: (number | null)[]; meanQueued: number[]; maxQueued: number[]; endQueued: number[]; flags: Record<string, FlagSplitSeries> }>;
    /** Present with `pools`: each pool's calls, waits and attempts waiting per window. */
    pools?: PoolSeries[];
    journeys: Record<string, WindowSeries>;
    /**
     * Per flag, of the journeys that pass through a service evaluating it: those of users served the flag and of
     * the others, with failures; and (ground truth) those it hurt.
     */
    flags: Record<string, {
      on: number[]; onFailed: number[]; off: number[]; offFailed: number[]; hurt: number[];
      /**
       * Flag on against off, like with like: error rates and journey latency within each journey, pooled with the
       * journeys' shares of the compared journeys (`compared`); null in a window where no journey had both sides.
       */
      compared: number[];
      onErrorRate: (number | null)[]; offErrorRate: (number | null)[];
      onP50Ms: (number | null)[]; onP99Ms: (number | null)[]; offP50Ms: (number | null)[]; offP99Ms: (number | null)[];
    }>;
  };
  /** The shape of the system, for maps: services, calls between them, journeys' entry points, flags, faults. */
  topology: {
    services: string[];
    calls: { from: string; to: string; async: boolean }[];
    journeys: { name: string; enters: string[] }[];
    flags: { key: string; evaluatedBy: readonly string[] }[];
    faults: { name: string; kind: string; from: string | null; to: string }[];
  };
  /** Present when a service was offered its capacity or more, a queue was long at the end, or a cycle diverges: what the run's queues did. */
  stability?: RunStability;
}

export function runScenario(scenario: Scenario, options: { seed?: number; observe?: (sim: Simulation) => void; tracer?: TraceRecorder } = {}): RunResult {
  const seed = options.seed ?? scenario.seed;
  const simulation = new Simulation(scenario, seed);
  options.observe?.(simulation);
  if (options.tracer) attachTracer(simulation, options.tracer);
  const controller = scenario.rollouts.length > 0 ? new RolloutController(scenario) : null;
  if (controller) simulation.attach(controller);
  const counterfactual = scenario.truth === 'counterfactual' && scenario.flags.length > 0;
  if (counterfactual) simulation.truth.keepLog();
  const sim = runGuarded(simulation, guardStepUs(scenario));
  const harm = counterfactual ? counterfactualHarm(scenario, seed, sim.truth) : null;
  return buildResult(scenario, seed, sim, controller, harm);
}

/**
 * Simulated time between two looks at the heap: a second, or less when the estimate says a second of this run
 * fills more than a hundredth of the heap (gates evaluated every microsecond, say).
 */
function guardStepUs(scenario: Scenario): number {
  const e = estimateRun(scenario);
  const runUs = Number.isFinite(scenario.durationUs) ? scenario.durationUs : 3600e6;
  const perUs = e.bytes / runUs;
  const step = perUs > 0 ? (0.01 * getHeapStatistics().heap_size_limit) / perUs : Infinity;
  return Math.max(1, Math.min(1e6, scenario.windowUs, step));
}

/**
 * Runs a simulation a simulated second (or window) at a time, stopping with an InputError when the JavaScript heap is
 * nearly full: a run that outgrows the heap ends with a message that names the limit, not a V8 abort.
 */
export function runGuarded(simulation: Simulation, stepUs: number): SimulationResult {
  simulation.begin();
  for (let t = stepUs; simulation.runUntil(t); t = Math.max(t + stepUs, simulation.nextEventUs)) {
    const heap = getHeapStatistics();
    if (heap.used_heap_size > HEAP_SHARE * heap.heap_size_limit) {
      const mib = Math.round(heap.heap_size_limit / 2 ** 20);
      throw new InputError([`the run stopped after ${duration(t / 1e6)} of simulated time: it needs more memory than the ${mib} MiB the JavaScript heap allows; raise the limit (NODE_OPTIONS=--max-old-space-size=${2 ** Math.ceil(Math.log2(mib * 4))}) or ask for less (longer windows, fewer gate evaluations, fewer services or users)`]);
    }
  }
  // Nothing left to happen before the horizon (journeys that drained before the duration): the clock goes on to the
  // horizon, as run() takes it, whatever step the last runUntil() was asked for (a duration is the time simulated).
  simulation.runUntil(Infinity);
  return simulation.end();
}

/**
 * The share of the heap's limit a run may fill. V8 gives up ("ineffective mark-compacts near heap limit")
 * at about 80% of heap_size_limit, which counts the young generation's spaces too.
 */
const HEAP_SHARE = 0.72;

const seconds = (us: number) => Math.round(us) / 1e6;

function rolloutFigures(scenario: Scenario, sim: SimulationResult, controller: RolloutController | null): RolloutFigures[] {
  if (!controller) return [];
  return controller.reports().map((r) => {
    const flag = scenario.flags.find((f) => f.key === r.flag)!;
    const f = sim.flags!.flagIndex(r.flag);
    const versions = sim.flags!.versions[f];
    return {
      flag: r.flag,
      kind: flag.kind,
      owner: flag.owner,
      outcome: r.outcome,
      cutOff: r.cutOff,
      finalPercent: r.finalPercent,
      exposedUsers: sim.flags!.exposed(f, versions.length - 1),
      stagesReached: r.stagesReached,
      stages: scenario.rollouts.find((p) => p.flag === r.flag)!.stages.length,
      startedSeconds: r.startedUs === null ? null : seconds(r.startedUs),
      endedSeconds: r.endedUs === null ? null : seconds(r.endedUs),
      decisions: r.decisions.map((d) => ({ timeSeconds: seconds(d.timeUs), action: d.action, stage: d.stage + 1, percent: d.percent, reason: d.reason })),
      gates: scenario.rollouts.find((p) => p.flag === r.flag)!.gates.map((g) => g.kind === 'threshold'
        ? {
          source: g.source, kind: g.kind, service: g.filter.service, journey: g.filter.journey, metric: g.metric,
          aggregate: g.aggregate.kind === 'p' ? `p(${g.aggregate.percentile})` : g.aggregate.kind,
          operator: g.operator, limit: g.metric === 'req_duration' ? g.limit / 1000 : g.limit,
        }
        : { source: g.source, kind: g.kind, service: g.filter.service, journey: g.filter.journey, metric: null, aggregate: null, operator: null, limit: null }),
      propagation: Object.fromEntries(Object.entries(r.propagation).map(([svc, x]) => [svc, {
        changes: x.changes, meanSeconds: round(x.meanUs / 1e6, 3), maxSeconds: round(x.maxUs / 1e6, 3),
      }])),
    };
  });
}

function auditRecords(controller: RolloutController | null): AuditRecord[] {
  if (!controller) return [];
  return controller.audit.map(({ timeUs, delayUs, gate, ...rest }) => ({
    timeSeconds: seconds(timeUs),
    ...rest,
    ...(delayUs !== undefined ? { delaySeconds: seconds(delayUs) } : {}),
    ...(gate ? { gate: { ...gate, value: gate.value === null ? null : round(gate.value, 6) } } : {}),
  }));
}

const ms = (us: number) => round(us / 1000, 3);
const msOrNull = (us: number | null) => (us === null ? null : ms(us));
const rate = (x: number | null) => (x === null ? null : round(x, 6));
const NO_SLICE: FlagSlice = { requests: 0, errors: 0, errorRate: null, p50Us: null, p99Us: null };
const round = (x: number, digits: number) => {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
};

function figures(t: TagStats): CallFigures {
  return {
    requests: t.requests,
    errors: t.errors,
    errorRate: t.requests > 0 ? round(t.errors / t.requests, 6) : 0,
    errorsByCause: t.byCause,
    latencyMs: { mean: ms(t.meanUs), p50: ms(t.latencyUs.p50), p95: ms(t.latencyUs.p95), p99: ms(t.latencyUs.p99), max: ms(t.latencyUs.max) },
  };
}

function serviceFigures(t: TagStats & ServiceGauges, seconds: number, endpoints: Record<string, CallFigures>, capacityKnown: boolean): ServiceFigures {
  return {
    ...figures(t),
    throughputPerSec: seconds > 0 ? round(t.requests / seconds, 3) : 0,
    utilization: capacityKnown ? round(t.utilization, 4) : null,
    busyWorkers: round(t.busy, 3),
    meanQueued: round(t.queued, 3),
    maxQueued: t.maxQueued,
    meanInFlight: round(t.inFlight, 3),
    meanQueueWaitMs: t.started > 0 ? ms(t.waitSumUs / t.started) : 0,
    waitedShare: t.started > 0 ? round(t.waited / t.started, 6) : 0,
    endpoints,
  };
}

export function buildResult(
  scenario: Scenario, seed: number, sim: SimulationResult, controller: RolloutController | null = null, harm: Record<string, FlagHarm> | null = null,
): RunResult {
  const m = sim.model;
  const tel = sim.telemetry;
  const seconds = sim.simulatedUs / 1e6;
  const services: Record<string, ServiceFigures> = {};
  // A service of unknown capacity runs unbounded: its utilization would read 0 (idle), so it has none.
  const unknownCapacity = new Set(scenario.services.filter((x) => !x.capacityKnown).map((x) => x.name));
  const known = (name: string) => !unknownCapacity.has(name);
  m.serviceNames.forEach((name, s) => {
    const endpoints: Record<string, CallFigures> = {};
    m.endpointNames.forEach((full, e) => {
      if (m.endpointService[e] === s) endpoints[full.slice(name.length + 1)] = figures(tel.endpoints[e]);
    });
    services[name] = serviceFigures(tel.services[s], seconds, endpoints, known(name));
  });
  const journeys: RunResult['journeys'] = {};
  m.journeyNames.forEach((name, j) => {
    journeys[name] = { ...figures(tel.journeys[j]), throughputPerSec: seconds > 0 ? round(tel.journeys[j].requests / seconds, 3) : 0 };
  });
  const pooled = m.poolLimit.length > 0;
  const series = (pick: (w: (typeof tel.windows)[number]) => WindowStats): WindowSeries => ({
    requests: tel.windows.map((w) => pick(w).requests),
    errors: tel.windows.map((w) => pick(w).errors),
    p99Ms: tel.windows.map((w) => ms(pick(w).latencyUs.p99)),
  });
  const windows: RunResult['windows'] = {
    seconds: scenario.windowUs / 1e6,
    startSeconds: tel.windows.map((w) => w.startUs / 1e6),
    services: Object.fromEntries(m.serviceNames.map((name, s) => [name, {
      ...series((w) => w.services[s]),
      utilization: tel.windows.map((w) => (known(name) ? round(w.services[s].utilization, 4) : null)),
      meanQueued: tel.windows.map((w) => round(w.services[s].queued, 3)),
      maxQueued: tel.windows.map((w) => w.services[s].maxQueued),
      endQueued: tel.windows.map((w) => w.services[s].endQueued),
      flags: Object.fromEntries(scenario.flags.map((f, i) => {
        const side = (state: 'on' | 'off') => tel.windows.map((w) => w.serviceFlags[s][i]?.[state] ?? NO_SLICE);
        const on = side('on'), off = side('off');
        return [f.key, {
          onRequests: on.map((x) => x.requests), onErrors: on.map((x) => x.errors), onErrorRate: on.map((x) => rate(x.errorRate)), onP99Ms: on.map((x) => msOrNull(x.p99Us)),
          offRequests: off.map((x) => x.requests), offErrors: off.map((x) => x.errors), offErrorRate: off.map((x) => rate(x.errorRate)), offP99Ms: off.map((x) => msOrNull(x.p99Us)),
        }];
      })),
    }])),
    ...(pooled ? { pools: poolSeries(sim) } : {}),
    journeys: Object.fromEntries(m.journeyNames.map((name, j) => [name, series((w) => w.journeys[j])])),
    flags: Object.fromEntries(scenario.flags.map((f, i) => {
      const on = tel.windows.map((w) => w.flags[i]?.on ?? NO_SLICE), off = tel.windows.map((w) => w.flags[i]?.off ?? NO_SLICE);
      return [f.key, {
        on: on.map((x) => x.requests), onFailed: on.map((x) => x.errors), off: off.map((x) => x.requests), offFailed: off.map((x) => x.errors),
        hurt: tel.windows.map((_, w) => (harm ? harm[f.key].byWindow[w] : sim.truth.hurtByWindow[i][w]) ?? 0),
        compared: tel.windows.map((w) => w.flags[i]?.compared ?? 0),
        onErrorRate: on.map((x) => rate(x.errorRate)), offErrorRate: off.map((x) => rate(x.errorRate)),
        onP50Ms: on.map((x) => msOrNull(x.p50Us)), onP99Ms: on.map((x) => msOrNull(x.p99Us)),
        offP50Ms: off.map((x) => msOrNull(x.p50Us)), offP99Ms: off.map((x) => msOrNull(x.p99Us)),
      }];
    })),
  };
  // A game day's catalogue faults that nobody injected are not part of the run.
  const uninjected = (k: number) => scenario.faults[k].start.kind === 'manual' && sim.faults.onAt[k] < 0;
  const calls = new Map<string, { from: string; to: string; async: boolean }>();
  m.siteCaller.forEach((caller, k) => {
    if (caller < 0) return;
    const edge = { from: m.serviceNames[caller], to: m.serviceNames[m.siteService[k]], async: m.siteAsync[k] === 1 };
    const key = `${edge.from}>${edge.to}`;
    if (!calls.has(key) || !edge.async) calls.set(key, edge);
  });
  const topology: RunResult['topology'] = {
    services: [...m.serviceNames],
    calls: [...calls.values()],
    journeys: scenario.journeys.map((j) => ({ name: j.name, enters: [...new Set(j.steps.map((c) => c.service))] })),
    flags: scenario.flags.map((f) => ({ key: f.key, evaluatedBy: f.evaluatedBy })),
    faults: scenario.faults.filter((_, k) => !uninjected(k)).map((f) => ({ name: f.name, kind: f.kind, from: f.from, to: f.to })),
  };
  const outcomes = scoreOutcomes(scenario, sim.truth, sim.faults, controller?.reports() ?? [], sim.simulatedUs, harm);
  outcomes.faults = outcomes.faults.filter((_, k) => !uninjected(k));
  const acceptance = judge(outcomes, scenario.acceptance, scenario.caseName);
  const pools = pooled ? poolFigures(sim) : [];
  const poolStory = pooled ? poolStories(scenario, pools) : [];
  const queues = runStability(scenario, tel, m.serviceNames, m.endpointNames, sim.breakerLog, sim.arrivalsEndedUs);
  const story = poolStory.length ? { ...(queues ?? { services: [], cycles: [] }), pools: poolStory } : queues;
  return {
    schema: 'rehearse/run@1',
    version: VERSION,
    scenario: { name: scenario.name, seed, case: scenario.caseName },
    passed: acceptance.every((a) => a.pass),
    simulated: { seconds: round(seconds, 6), requests: sim.journeysEnded, arrived: sim.journeysArrived, events: sim.events },
    services,
    ...(pooled ? { pools } : {}),
    journeys,
    breakers: sim.breakerLog.map((b) => ({ timeSeconds: round(b.timeUs / 1e6, 6), edge: b.breaker, to: b.to })),
    flags: scenario.flags.map((f) => ({
      key: f.key, kind: f.kind, owner: f.owner, description: f.description, evaluatedBy: f.evaluatedBy, requires: f.requires,
      needs: f.needs, bucketing: f.bucketing, contract: f.contract, variants: f.variants,
    })),
    rollouts: rolloutFigures(scenario, sim, controller),
    audit: auditRecords(controller),
    outcomes,
    acceptance,
    windows,
    topology,
    ...(story ? { stability: story } : {}),
  };
}
