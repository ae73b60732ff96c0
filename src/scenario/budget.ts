/**
 * How much work a scenario asks for, estimated before anything runs, against the limits in defaults.ts. The
 * estimate is an upper bound of the right order (peak rate, every retry taken, every optional call made, every
 * repeat counted whether a journey reaches it or not): it exists to refuse a run that would take hours or
 * exhaust memory, with figures that show why. Every kind of work is counted, in CPU seconds and bytes, from
 * unit costs measured on the reference machine (COSTS below): events, telemetry windows x tags, gate
 * evaluations weighted by what each reads, scrapes x series, PromQL ranges x samples, the set-up of services,
 * endpoints and flags, and the users.
 */
import { getHeapStatistics } from 'node:v8';
import { LIMITS } from './defaults.js';
import { plural } from '../units/format.js';
import type { CallSpec, Gate, Operation, RolloutPlan, Scenario } from './types.js';

/**
 * Unit costs on the reference machine (2 cores, Node 20), measured by running scenarios that exercise one cost
 * at a time and dividing the difference in CPU time and peak memory by the units added.
 */
const COSTS = {
  /** A simulated event: about 2.7 million a second on the tandem benchmark. */
  eventSeconds: 0.4e-6,
  /** A telemetry window closed for one tag (summaries of counts and a histogram): 23 µs, 1.5 KB kept. */
  windowTagSeconds: 25e-6,
  windowTagBytes: 1500,
  /** A tag (endpoint, journey, service, or a flag's slice of one) set up: two latency histograms, 33 KB. */
  tagSeconds: 150e-6,
  tagBytes: 33_000,
  /** A gate evaluation: the verdict and its audit row (1.7 KB, kept for the result document). */
  evaluationSeconds: 5e-6,
  evaluationBytes: 1700,
  /** A probe's time slot merged into an evaluation (comparison and burn-rate windows), and kept in memory. */
  slotSeconds: 15e-9,
  slotBytes: 600,
  /** A scrape taken (its row and the series view over it), and each value in it (a bucket, count or sum). */
  scrapeSeconds: 3e-6,
  scrapeBytes: 1400,
  scrapeValueSeconds: 5e-9,
  scrapeValueBytes: 8,
  /** A sample read by a PromQL range selector. */
  sampleSeconds: 50e-9,
  /** A user of the cohort. */
  userSeconds: 16e-6,
  userBytes: 500,
  /** A call site compiled (a repeat is a count on it, not copies). */
  callSiteSeconds: 1e-6,
  callSiteBytes: 100,
  /** A replica: its workers' state and its queue. */
  replicaBytes: 2000,
  /**
   * A value of the scenario's text (a key, a scalar, a comment), read: the YAML library's syntax tree and document
   * with their positions, the located object (a file of 1.1 million values needed 0.7 to 1 GB of heap); and checked
   * once more for each case, every case's scenario kept until all are checked (1,000 cases of a file of 40,000
   * values held 2.5 GB, in 96 s).
   */
  valueReadBytes: 600,
  valueCheckedBytes: 70,
} as const;

/** What a value of a scenario's text is counted as, before it is parsed: a quoted string, a comment, a plain word. */
const VALUE = /"(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|#[^\n]*|[^\s:,{}[\]"'#]+/g;

/** The values of a scenario's text, counted in one pass without parsing it (about 10 million a second). */
export function countValues(text: string): number {
  let n = 0;
  VALUE.lastIndex = 0;
  while (VALUE.exec(text) !== null) n++;
  return n;
}

/**
 * Why reading a scenario of `values` values and `cases` cases would outgrow the memory (null when it would not): a
 * file under the size limit (64 MiB) could need 6 GB to parse and abort the process, and a small one with a thousand
 * cases is checked a thousand times over.
 */
export function readingOverLimit(values: number, cases: number, memoryBytes: number = memoryLimit()): string | null {
  const need = values * (COSTS.valueReadBytes + (cases + 1) * COSTS.valueCheckedBytes);
  if (need <= memoryBytes) return null;
  return `too much to read: about ${bytes(need)} of memory (${sci(values)} values${cases ? `, checked once and once more for each of its ${plural(cases, 'case')}` : ''}), over the ${bytes(memoryBytes)} a run may use${memoryBytes < LIMITS.memoryBytes ? ' (the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB)' : ''}`;
}

export interface WorkItem {
  /** What the work is, for a message: "3.0e9 gate evaluations (every 1µs over 50m)". */
  readonly what: string;
  readonly seconds: number;
  readonly bytes: number;
}

export interface WorkEstimate {
  /** Journeys that arrive over the run. */
  readonly journeys: number;
  /** Calls per journey, retries and repeats included (Infinity: calls that start calls without end). */
  readonly callsPerJourney: number;
  /** Simulated events: arrivals and calls (a few events each). */
  readonly events: number;
  readonly windows: number;
  /** Gate evaluations of every rollout plan, analysis and check. */
  readonly evaluations: number;
  /** Windows x tags (endpoints, journeys, services, flags by state): what telemetry keeps. */
  readonly windowSeries: number;
  readonly users: number;
  /** Replicas of every service (each has its own workers and queue in memory). */
  readonly replicas: number;
  /** Call sites compiled: every call of every endpoint and flag effect, reached or not (a repeat is a count on its site). */
  readonly callSites: number;
  /** Estimated CPU seconds and peak bytes, and what they are made of, largest first. */
  readonly seconds: number;
  readonly bytes: number;
  readonly items: readonly WorkItem[];
}

/** Events per call: the call's arrival at the service, its end and, for most, a timeout or retry timer. */
const EVENTS_PER_CALL = 3;
/** Latency histogram buckets of a scrape, plus count and sum. */
const SCRAPE_STRIDE = 16;
/** Status codes a series can carry (ok and the error statuses). */
const STATUSES = 2;

export function estimateRun(s: Scenario): WorkEstimate {
  const t = s.traffic;
  const peak = Math.max(t.perSec,
    t.shape.kind === 'ramp' ? t.shape.fromPerSec : 0,
    t.shape.kind === 'steps' ? Math.max(0, ...t.shape.steps.map((x) => x.perSec)) : 0);
  const seconds = Number.isFinite(s.durationUs) ? s.durationUs / 1e6 : t.requests / Math.max(t.perSec, 1e-9);
  const durationUs = seconds * 1e6;
  const journeys = Math.min(t.requests, peak * seconds);
  const perEndpoint = callsPerEndpoint(s);
  const totalWeight = s.journeys.reduce((a, j) => a + j.weight, 0) || 1;
  const callsPerJourney = s.journeys.reduce((sum, j) => sum + (j.weight / totalWeight) * j.steps.reduce((a, c) => a + callWeight(c) * (1 + (perEndpoint.get(`${c.service}.${c.endpoint}`) ?? 0)), 0), 0);
  const events = journeys * (1 + EVENTS_PER_CALL * callsPerJourney);
  const windows = Math.ceil(durationUs / s.windowUs);
  const endpoints = s.services.reduce((a, svc) => a + svc.endpoints.length, 0);
  const flags = s.flags.length;
  const tags = endpoints + s.journeys.length + s.services.length * (1 + 2 * flags) + flags;
  const users = s.population?.size ?? (s.cohort?.kind === 'inline' ? s.cohort.size : 0);
  const replicas = s.services.reduce((a, svc) => a + svc.replicas, 0);
  const callSites = countCallSites(s);
  const gates = gateWork(s, durationUs, endpoints);
  const scrapes = s.metrics && needsSeries(s) ? Math.ceil(durationUs / s.metrics.scrapeIntervalUs) : 0;
  const series = endpoints * STATUSES * (flags > 0 ? 2 : 1) * Math.max(1, Math.min(s.journeys.length, 4));
  const scrapeValues = scrapes * series * SCRAPE_STRIDE;
  const items: WorkItem[] = [
    { what: `${sci(events)} events (${count(journeys, 'journey')} x ${sci(callsPerJourney)} calls each, retries and repeats included)`, seconds: events * COSTS.eventSeconds, bytes: 0 },
    { what: `${sci(windows)} telemetry windows x ${sci(tags)} tags`, seconds: windows * tags * COSTS.windowTagSeconds, bytes: windows * tags * COSTS.windowTagBytes },
    { what: `${sci(tags)} telemetry tags (${count(s.services.length, 'service')}, ${count(endpoints, 'endpoint')}, ${count(s.journeys.length, 'journey')}, ${count(flags, 'flag')})`, seconds: tags * COSTS.tagSeconds, bytes: tags * COSTS.tagBytes },
    ...gates.items,
    { what: `${sci(scrapes)} scrapes x about ${sci(series)} series`, seconds: scrapes * COSTS.scrapeSeconds + scrapeValues * COSTS.scrapeValueSeconds, bytes: scrapes * COSTS.scrapeBytes + scrapeValues * COSTS.scrapeValueBytes },
    { what: count(users, 'user'), seconds: users * COSTS.userSeconds, bytes: users * COSTS.userBytes },
    { what: `${sci(callSites)} call sites compiled (every call, reached or not; a repeat is a count)`, seconds: callSites * COSTS.callSiteSeconds, bytes: callSites * COSTS.callSiteBytes },
    { what: count(replicas, 'replica'), seconds: 0, bytes: replicas * COSTS.replicaBytes },
  ].filter((x) => x.seconds > 0 || x.bytes > 0).sort((a, b) => b.seconds + b.bytes * 1e-9 - (a.seconds + a.bytes * 1e-9));
  const total = (k: 'seconds' | 'bytes') => items.reduce((a, x) => a + x[k], 0);
  return {
    journeys, callsPerJourney, events, windows, evaluations: gates.evaluations, windowSeries: windows * tags, users, replicas, callSites,
    seconds: Number.isFinite(callsPerJourney) ? total('seconds') : Infinity, bytes: total('bytes'), items,
  };
}

/** Whether a run keeps Prometheus series: PromQL gates, imported analyses and checks read them. */
function needsSeries(s: Scenario): boolean {
  return s.rollouts.some((p) => p.analyses !== null || p.checks !== null || p.gates.some((g) => g.kind === 'promql' || g.kind === 'alert')) || (s.metrics?.rules.length ?? 0) > 0;
}

/** Gate evaluations of every plan, each weighted by what it reads: its window's slots, or its range's samples. */
function gateWork(s: Scenario, durationUs: number, endpoints: number): { evaluations: number; items: WorkItem[] } {
  let evaluations = 0;
  const items: WorkItem[] = [];
  const scrapeUs = s.metrics?.scrapeIntervalUs ?? 15e6;
  const seriesPerQuery = endpoints * STATUSES * SCRAPE_STRIDE;
  const add = (plan: RolloutPlan, gate: Gate | null, everyUs: number, label: string) => {
    const n = Math.ceil(durationUs / Math.max(everyUs, 1e-3));
    evaluations += n;
    let slots = 1;
    let kept = 1;
    let samples = 0;
    if (gate?.kind === 'compare') {
      // Flag on and off within each journey compared: one journey, the journeys (the flag's at most), or, for calls,
      // every journey and the calls that outlive theirs.
      const strata = gate.filter.service !== null ? s.journeys.length + 1 : gate.filter.journey !== null ? 1 : s.journeys.length;
      kept = slots = 2 * strata * Math.max(1, Math.ceil(gate.overUs / everyUs) + 1);
    }
    else if (gate?.kind === 'burn-rate') {
      kept = Math.ceil(Math.max(...gate.pairs.map((p) => p.longUs)) / everyUs) + 1;
      slots = gate.pairs.reduce((a, p) => a + Math.ceil((p.shortUs + p.longUs) / everyUs), 0);
    } else if (gate === null || gate.kind === 'promql') {
      const rangeUs = Math.min(gate?.kind === 'promql' ? largestRangeUs(gate.query) : 5 * 60e6, durationUs);
      samples = Math.ceil(rangeUs / scrapeUs) * seriesPerQuery;
    }
    const every = everyUs >= 1e6 ? `${+(everyUs / 1e6).toPrecision(3)}s` : everyUs >= 1e3 ? `${+(everyUs / 1e3).toPrecision(3)}ms` : `${+everyUs.toPrecision(3)}µs`;
    items.push({
      what: `${sci(n)} evaluations of ${label} of ${plan.flag} (every ${every})${slots > 1 ? `, ${sci(slots)} window slots each` : ''}${samples > 0 ? `, about ${sci(samples)} samples each` : ''}`,
      seconds: n * (COSTS.evaluationSeconds + slots * COSTS.slotSeconds + samples * COSTS.sampleSeconds),
      bytes: n * COSTS.evaluationBytes + kept * COSTS.slotBytes,
    });
  };
  for (const plan of s.rollouts) {
    plan.gates.forEach((g, i) => add(plan, g, plan.evaluateEveryUs, `gate ${i + 1}`));
    for (const run of [...(plan.analyses?.stages ?? []), plan.analyses?.background?.analysis ?? null]) {
      for (const m of run?.metrics ?? []) add(plan, m.gate, Math.max(m.intervalUs ?? 0, 10e6), `analysis metric ${m.name}`);
    }
    for (const c of plan.checks?.checks ?? []) add(plan, c.gate, plan.checks!.intervalUs, `check ${c.name}`);
  }
  // Rule groups are evaluated at their interval from the start of the run, each rule over the series it selects.
  for (const g of s.metrics?.rules ?? []) {
    const n = Math.ceil(durationUs / Math.max(g.intervalMs * 1000, 1)) * g.rules.length;
    if (n === 0) continue;
    evaluations += n;
    items.push({
      what: `${sci(n)} rule evaluations of group ${g.name} (${g.rules.length} rules every ${g.intervalMs / 1000}s), about ${sci(seriesPerQuery)} series each`,
      seconds: n * (COSTS.evaluationSeconds + 2 * seriesPerQuery * COSTS.sampleSeconds),
      bytes: n * COSTS.evaluationBytes,
    });
  }
  return { evaluations, items };
}

/** The longest range selector of a PromQL query, in microseconds ([5m], [1000d]); 5 minutes of lookback without one. */
function largestRangeUs(query: string): number {
  const unit: Record<string, number> = { ms: 1e3, s: 1e6, m: 60e6, h: 3600e6, d: 86400e6, w: 604800e6, y: 31536000e6 };
  let most = 5 * 60e6;
  for (const m of query.matchAll(/\[\s*((?:\d+(?:ms|[smhdwy]))+)\s*(?::[^\]]*)?\]/g)) {
    let us = 0;
    for (const part of m[1].matchAll(/(\d+)(ms|[smhdwy])/g)) us += Number(part[1]) * unit[part[2]];
    most = Math.max(most, us);
  }
  return most;
}

/**
 * Call sites compiled: every call of every endpoint and flag effect, reached or not. A repeat is compiled as a
 * count, not as copies (model/compile.ts), so it costs its repeats only in the run, where callsPerJourney counts
 * them for the calls journeys reach.
 */
function countCallSites(s: Scenario): number {
  const ofOps = (ops: readonly Operation[]) => ops.reduce((a, op) => a + (op.kind === 'call' ? 1 : op.calls.length), 0);
  let n = s.journeys.reduce((a, j) => a + j.steps.length, 0);
  for (const svc of s.services) for (const ep of svc.endpoints) n += ofOps(ep.operations);
  for (const f of s.flags) for (const e of f.effects) if (e.operations) n += ofOps(e.operations);
  return n;
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

/** The memory a run may use: LIMITS.memoryBytes, or 3/4 of the JavaScript heap's limit when that is less. */
export function memoryLimit(): number {
  return Math.min(LIMITS.memoryBytes, 0.75 * getHeapStatistics().heap_size_limit);
}

/** Why the estimate is over the limits (nothing when within them). */
export function overLimits(e: WorkEstimate, memoryBytes: number = memoryLimit()): string[] {
  const out: string[] = [];
  // What makes up most of the total: the largest items, leaving out those under a twentieth of it.
  const top = (key: 'seconds' | 'bytes') => [...e.items].sort((a, b) => b[key] - a[key]).filter((x) => x[key] > e[key] / 20).slice(0, 3).map((x) => x.what).join('; ');
  if (!Number.isFinite(e.callsPerJourney)) {
    out.push('calls start calls that never settle (an asynchronous cycle taken almost every time, or more than once)');
  } else if (e.seconds > LIMITS.workSeconds) {
    out.push(`about ${time(e.seconds)} of work on one core (${top('seconds')}), over the limit of ${time(LIMITS.workSeconds)}`);
  }
  if (e.bytes > memoryBytes) {
    out.push(`about ${bytes(e.bytes)} of memory (${top('bytes')}), over the ${bytes(memoryBytes)} a run may use${memoryBytes < LIMITS.memoryBytes ? ' (the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB)' : ''}`);
  }
  if (e.replicas > LIMITS.replicas) {
    out.push(`${sci(e.replicas)} replicas in all, over the limit of ${sci(LIMITS.replicas)} (memory and set-up time)`);
  }
  if (e.windowSeries > LIMITS.windowSeries) {
    out.push(`${sci(e.windows)} telemetry windows x tags = ${sci(e.windowSeries)} series points, over the limit of ${sci(LIMITS.windowSeries)} (memory): use a longer window`);
  }
  return out;
}

/**
 * The grid of a tune block, counted without enumerating it, the policies a sweep of it runs (all of a grid search,
 * the samples of a random search, which draws them without spelling out the grid) and its runs.
 */
export function estimateSweep(vary: Readonly<Record<string, readonly unknown[]>>, search: string | undefined, samples: number | undefined, cases: number, seeds: number): { grid: number; policies: number; random: boolean; runs: number } {
  const grid = Object.values(vary).reduce((a, v) => a * v.length, 1);
  const random = search === 'random';
  const policies = random ? Math.min(samples ?? 10, grid) : grid;
  return { grid, policies, random, runs: policies * Math.max(1, cases) * seeds };
}

/** Why a sweep is over the limits: the policies it runs, its runs, and its runs times the work of one. */
export function sweepOverLimits(x: { grid: number; policies: number; random: boolean; runs: number }, run?: WorkEstimate): string[] {
  const out: string[] = [];
  if (x.policies > LIMITS.policies) {
    out.push(x.random
      ? `${sci(x.policies)} policies drawn (samples) from the tune grid's ${sci(x.grid)}, over the limit of ${sci(LIMITS.policies)}`
      : `a tune grid of ${sci(x.grid)} policies, over the limit of ${sci(LIMITS.policies)}`);
  }
  if (x.runs > LIMITS.sweepRuns) out.push(`${sci(x.runs)} runs (policies x cases x seeds), over the limit of ${sci(LIMITS.sweepRuns)}`);
  else if (run && x.runs * run.seconds > LIMITS.sweepWorkSeconds) {
    out.push(`${sci(x.runs)} runs x about ${time(run.seconds)} each = about ${time(x.runs * run.seconds)} of work on one core, over the limit of ${time(LIMITS.sweepWorkSeconds)}`);
  }
  return out;
}

/**
 * What a sweep's plan holds whatever --force says, in bytes at least: each policy (its values and its label, per path)
 * and each run (its number while pending, its record once done). A plan past the heap cannot be run at all: 4,294,967,295
 * seeds under --force aborted V8 after 112 s, 2^32 failed with an array's RangeError and its stack.
 */
const PLAN_BYTES = { policy: 200, policyPath: 100, run: 250 };

/** Why a sweep's plan cannot be held in memory (nothing when it can); --force does not lift it. */
export function sweepMemory(x: { policies: number; runs: number }, paths: number, memoryBytes: number = memoryLimit()): string[] {
  const need = x.policies * (PLAN_BYTES.policy + paths * PLAN_BYTES.policyPath) + x.runs * PLAN_BYTES.run;
  if (!(need > memoryBytes)) return [];
  return [`about ${bytes(need)} of memory to hold the plan (${sci(x.policies)} policies of ${count(paths, 'path')}, ${sci(x.runs)} runs), over the ${bytes(memoryBytes)} a sweep may use${memoryBytes < LIMITS.memoryBytes ? ' (the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB)' : ''}; --force does not lift this`];
}

/** A number of things: "1 service", "3 journeys", "2.0e6 users". */
function count(n: number, noun: string): string {
  return `${sci(n)} ${Math.round(n) === 1 ? noun : plural(2, noun).slice(2)}`;
}

/** A count for a message: exact when small, else two significant digits with an exponent. */
export function sci(x: number): string {
  if (!Number.isFinite(x)) return 'unbounded';
  if (x < 1e6) return Math.round(x * 100) / 100 === Math.round(x) ? Math.round(x).toLocaleString('en-US') : x.toPrecision(3);
  return x.toExponential(1).replace('e+', 'e');
}

function time(seconds: number): string {
  if (!Number.isFinite(seconds)) return 'unbounded time';
  if (seconds < 120) return `${Math.ceil(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${+(seconds / 3600).toPrecision(2)} h`;
  return `${sci(Math.round(seconds / 86400))} days`;
}

function bytes(n: number): string {
  if (n < 1e9) return `${Math.ceil(n / 1e6)} MB`;
  if (n < 1e12) return `${+(n / 1e9).toPrecision(2)} GB`;
  return `${sci(n / 1e12)} TB`;
}

/** What to tell the user about a refusal: the reasons, then how to run anyway. */
export function refusal(file: string, reasons: readonly string[]): string[] {
  return [
    ...reasons.map((r) => `${file}: too much work: ${r}`),
    `${file}: refused before running; rerun with --force to run anyway (limits: docs/limits.md, "Hostile input and limits")`,
  ];
}
