/**
 * Whether a scenario can reach a steady state, worked out before it runs (queueing theory's stability
 * conditions): the load each service is offered against its capacity, and the expected number of calls per
 * journey through asynchronous cycles. Offered load is a lower bound: each request holds its worker for its own
 * time and its synchronous calls' time without any queueing (a parallel group for its slowest member, or its
 * members' total over its pool's limit), at the traffic's peak rate. A service offered more busy workers than it
 * has (utilization at or above 1) has a queue that grows for as long as the load lasts; a cycle whose calls per
 * journey do not converge grows without end. A client-side pool (a parallel group's `limit`) is offered each call
 * of its group for the call's network time and its callee's holding time, over every try, per request that reaches
 * the group, as the run makes calls: a request that fails (its own error, drawn before its calls, or a required call
 * that failed after its tries, at its callee's errors end to end) makes no call after it, nor does a journey after a
 * failed step. Timeouts and rejections are not counted (they depend on the queueing left out): the pool's figure is
 * the demand of the requests that only errors stop.
 */
import { findCycles, cycleText } from './graph.js';
import { poolName, poolPath } from './pools.js';
import type { CallSpec, Dist, Endpoint, Operation, Scenario } from './types.js';
import { quotedList } from '../units/escape.js';

export interface ServiceLoad {
  readonly service: string;
  /** Mean busy workers the traffic asks for (Little's law, no queueing). */
  readonly offered: number;
  /** Replicas x concurrency, or null when unknown. */
  readonly capacity: number | null;
  readonly utilization: number | null;
}

/** A client-side pool (a parallel group's `limit`), named as scenario/pools.ts names it. */
export interface PoolLoad {
  readonly pool: string;
  readonly at: string;
  /** Mean slots the traffic asks for (Little's law: each attempt holds its slot for its network time and its callee's time, no queueing). */
  readonly offered: number;
  readonly limit: number;
  readonly utilization: number;
}

export interface Stability {
  readonly ratePerSec: number;
  readonly services: readonly ServiceLoad[];
  readonly pools: readonly PoolLoad[];
  /** Asynchronous cycles whose expected calls per journey do not converge: the cycle and its growth per turn. */
  readonly divergent: readonly { readonly cycle: string; readonly growth: number }[];
}

const meanUs = (d: Dist) => d.mean;

/** The peak arrival rate of the traffic. */
function peakRate(s: Scenario): number {
  const shape = s.traffic.shape;
  if (shape.kind === 'steps') return Math.max(s.traffic.perSec, ...shape.steps.map((x) => x.perSec));
  return s.traffic.perSec;
}

export function stability(s: Scenario): Stability {
  const endpoints = new Map<string, Endpoint>();
  for (const svc of s.services) for (const e of svc.endpoints) endpoints.set(`${svc.name}.${e.name}`, e);
  const key = (c: CallSpec) => `${c.service}.${c.endpoint}`;
  const failure = (e: Endpoint) => Math.min(1, e.errorRate + (e.errorEvery > 0 ? e.errorBurst / e.errorEvery : 0));
  /** Tries per call: a retried call is tried again while its target fails (own errors). */
  const attempts = (c: CallSpec) => {
    const t = endpoints.get(key(c));
    const q = t && c.retry && c.retry.on.includes('error') ? failure(t) : 0;
    // 1 + q + ... + q^n in closed form: n may be as large as a file says (attempts: 1e12).
    const n = c.retry?.attempts ?? 0;
    return q >= 1 ? n + 1 : (1 - q ** (n + 1)) / (1 - q);
  };
  /** An attempt's time from leaving its caller to its reply, over all its tries: what holds a pool's slot. */
  const attemptsTime = (c: CallSpec): number => attempts(c) * ((c.network ? meanUs(c.network) : 0) + holdOf(key(c)));
  const callTime = (c: CallSpec): number => (c.async ? 0 : attemptsTime(c));
  const calls = (ops: readonly Operation[]) => ops.flatMap((op) => (op.kind === 'call' ? [op.call] : op.calls));

  // Holding time of a request at each endpoint, in microseconds: own time, then its synchronous calls.
  const hold = new Map<string, number>();
  const holdOf = (k: string): number => {
    const known = hold.get(k);
    if (known !== undefined) return known;
    const e = endpoints.get(k);
    if (!e) return 0;
    hold.set(k, 0); // synchronous cycles are refused by validation; this only guards the walk
    const p = failure(e);
    let downstream = 0;
    for (const op of e.operations) {
      if (op.kind === 'call') downstream += op.call.probability * op.call.repeat * callTime(op.call);
      else {
        const each = op.calls.map((c) => c.probability * callTime(c));
        const total = op.calls.reduce((a, c, i) => a + c.repeat * each[i], 0);
        downstream += Math.max(...each, op.limit > 0 ? total / op.limit : 0);
      }
    }
    const h = (1 - p) * (meanUs(e.latency) + downstream) + p * meanUs(e.errorLatency);
    hold.set(k, h);
    return h;
  };

  // Expected requests per journey at each endpoint: the journeys' steps, then every call, by iteration.
  const totalWeight = s.journeys.reduce((a, j) => a + j.weight, 0) || 1;
  const entry = new Map<string, number>();
  for (const j of s.journeys) for (const c of j.steps) entry.set(key(c), (entry.get(key(c)) ?? 0) + (j.weight / totalWeight) * c.probability * c.repeat * attempts(c));
  const out = new Map<string, { to: string; w: number }[]>();
  for (const [k, e] of endpoints) {
    const ok = 1 - failure(e);
    out.set(k, calls(e.operations).filter((c) => endpoints.has(key(c))).map((c) => ({ to: key(c), w: ok * c.probability * c.repeat * attempts(c) })));
  }
  const size = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  /** Expected requests per journey at each endpoint, from the journeys' steps along the calls, by iteration. */
  const spread = (start: Map<string, number>, edges: Map<string, { to: string; w: number }[]>) => {
    const visits = new Map(start);
    let wave = new Map(start);
    const history: number[] = [size(wave)];
    const lastSeen = new Map<string, number>();
    for (let round = 0; round < 4000 && size(wave) > 1e-12; round++) {
      const next = new Map<string, number>();
      for (const [k, x] of wave) for (const { to, w } of edges.get(k) ?? []) next.set(to, (next.get(to) ?? 0) + x * w);
      wave = next;
      for (const [k, x] of wave) {
        visits.set(k, (visits.get(k) ?? 0) + x);
        lastSeen.set(k, round);
      }
      history.push(size(wave));
    }
    return { visits, wave, history, lastSeen };
  };
  const { visits, wave, history, lastSeen } = spread(entry, out);
  let growth = 0;
  const divergent: { cycle: string; growth: number }[] = [];
  if (size(wave) > 1e-12) {
    // Still going after thousands of turns: the growth per call over the last hundred.
    const n = history.length - 1;
    growth = Math.pow(history[n] / history[n - 100], 1 / 100);
    if (growth >= 1 - 1e-6) {
      const cycles = findCycles([...endpoints.keys()], (k) => out.get(k)!.filter((x) => x.w > 0), (x) => x.to, 5);
      for (const c of cycles) {
        // The cycle's own gain: the product of expected calls along it.
        const gain = c.edges.reduce((a, x) => a * x.w, 1);
        if (gain >= 1 - 1e-9) divergent.push({ cycle: cycleText(c.nodes), growth: gain });
      }
      // Each cycle alone below one, together not: the growth per call, raised to the first cycle's length.
      if (divergent.length === 0) divergent.push({ cycle: cycleText(cycles[0]?.nodes ?? []), growth: Math.pow(growth, Math.max(1, (cycles[0]?.nodes.length ?? 2) - 1)) });
      // What the cycle reaches has no finite load.
      for (const [k, round] of lastSeen) if (round >= history.length - 1 - 100) visits.set(k, Infinity);
    } else {
      // Converging slowly: the rest of the geometric tail.
      for (const [k, x] of wave) visits.set(k, (visits.get(k) ?? 0) + (x * growth) / (1 - growth));
    }
  }

  const rate = peakRate(s);
  const services = s.services.map((svc): ServiceLoad => {
    let busyUs = 0;
    for (const e of svc.endpoints) busyUs += (visits.get(`${svc.name}.${e.name}`) ?? 0) * holdOf(`${svc.name}.${e.name}`);
    const offered = (rate * busyUs) / 1e6;
    const capacity = svc.capacityKnown ? svc.replicas * svc.concurrency : null;
    return { service: svc.name, offered, capacity, utilization: capacity === null ? null : offered / capacity };
  });
  // The requests a pool's group is reached by, as the run makes calls: none after a failure (see above).
  const failed = new Map<string, number>();
  /** The share of an endpoint's requests that fail of errors, end to end: its own, or a required call's. */
  const failedOf = (k: string): number => {
    const known = failed.get(k);
    if (known !== undefined) return known;
    const e = endpoints.get(k);
    if (!e) return 0;
    failed.set(k, 0); // synchronous cycles are refused by validation; this only guards the walk
    const p = failure(e);
    const f = p + (1 - p) * (1 - e.operations.reduce((a, op) => a * opGoesOn(op), 1));
    failed.set(k, f);
    return f;
  };
  /** Tries of a call, its retries taken while its callee fails of errors (end to end). */
  const tries = (c: CallSpec) => {
    const q = c.retry && c.retry.on.includes('error') ? failedOf(key(c)) : 0;
    const n = c.retry?.attempts ?? 0;
    return q >= 1 ? n + 1 : (1 - q ** (n + 1)) / (1 - q);
  };
  /** The chance a call lets its caller go on: made, and every try failing, it fails its caller (an optional or asynchronous call never does). */
  const goesOn = (c: CallSpec) => (c.async || c.optional ? 1 : (1 - c.probability * failedOf(key(c)) ** ((c.retry && c.retry.on.includes('error') ? c.retry.attempts : 0) + 1)) ** c.repeat);
  const opGoesOn = (op: Operation) => (op.kind === 'call' ? goesOn(op.call) : op.calls.reduce((a, c) => a * goesOn(c), 1));
  const reached = new Map<string, number>();
  for (const j of s.journeys) {
    let go = j.weight / totalWeight;
    for (const c of j.steps) {
      reached.set(key(c), (reached.get(key(c)) ?? 0) + go * c.probability * c.repeat * tries(c));
      go *= goesOn(c);
    }
  }
  const reachedOut = new Map<string, { to: string; w: number }[]>();
  for (const [k, e] of endpoints) {
    const edges: { to: string; w: number }[] = [];
    let go = 1 - failure(e);
    for (const op of e.operations) {
      for (const c of op.kind === 'call' ? [op.call] : op.calls) if (endpoints.has(key(c))) edges.push({ to: key(c), w: go * c.probability * c.repeat * tries(c) });
      go *= opGoesOn(op);
    }
    reachedOut.set(k, edges);
  }
  const reach = spread(reached, reachedOut);
  // Not converged (a cycle of asynchronous calls): the visits counted without failures, an upper bound.
  const reachVisits = size(reach.wave) > 1e-12 ? visits : reach.visits;
  const slotTime = (c: CallSpec): number => tries(c) * ((c.network ? meanUs(c.network) : 0) + holdOf(key(c)));
  const pools: PoolLoad[] = [];
  for (const svc of s.services) {
    for (const e of svc.endpoints) {
      let go = (reachVisits.get(`${svc.name}.${e.name}`) ?? 0) * (1 - failure(e));
      for (const op of e.operations) {
        if (op.kind === 'parallel' && op.limit > 0) {
          const slotUs = op.calls.reduce((a, c) => a + c.probability * c.repeat * slotTime(c), 0);
          const offered = (rate * go * slotUs) / 1e6;
          pools.push({ pool: poolName(svc.name, op.calls), at: poolPath(op.path), offered, limit: op.limit, utilization: offered / op.limit });
        }
        go *= opGoesOn(op);
      }
    }
  }
  return { ratePerSec: rate, services, pools, divergent };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

/** What `validate` and `run` say about a scenario's stability and its unknown capacities, one line each. */
export function stabilityWarnings(s: Scenario): string[] {
  const st = stability(s);
  const lines: string[] = [];
  for (const x of st.services) {
    if (x.utilization === null || x.utilization < 1 || !Number.isFinite(x.offered)) continue;
    const bounded = Number.isFinite(s.services.find((y) => y.name === x.service)!.queue);
    lines.push(`services.${x.service}: offered ${fmt(x.offered)} busy workers at ${fmt(st.ratePerSec)}/s against a capacity of ${x.capacity} ` +
      `(utilization ${x.utilization.toFixed(2)}, at least: no queueing counted): ${bounded ? 'its queue fills and it rejects requests' : 'its queue grows'} for as long as that load lasts`);
  }
  for (const x of st.pools) {
    if (x.utilization < 1 || !Number.isFinite(x.offered)) continue;
    lines.push(`${x.at}: client-side pool ${x.pool} offered ${fmt(x.offered)} busy slots at ${fmt(st.ratePerSec)}/s against its limit of ${x.limit} ` +
      `(utilization ${x.utilization.toFixed(2)}: of the requests that reach the group, as errors before it let them; no queueing, timeout nor rejection counted): the calls waiting for a slot grow for as long as that load lasts, and that wait is ${x.pool.split(' -> ')[0]}'s, in no service's queue`);
  }
  for (const d of st.divergent) {
    lines.push(`asynchronous cycle ${d.cycle}: ${d.growth.toFixed(2)} calls each time around, so the expected calls per journey do not converge: the calls grow without end`);
  }
  const unknown = s.services.filter((x) => !x.capacityKnown).map((x) => x.name);
  if (unknown.length > 0) {
    const cal = s.calibration;
    const above = cal ? st.ratePerSec / cal.ratePerSec : null;
    lines.push(`capacity unknown (concurrency: unknown) for ${quotedList(unknown)}: unbounded in the run, so ` +
      (cal ? `results above the calibrated load (${fmt(cal.ratePerSec)}/s${above !== null && above > 1.0001 ? `; this run's peak is ${fmt(above)} times it` : ''}) cannot show them saturate`
        : 'results cannot show them saturate'));
  }
  return lines;
}
