// The floor a benchmark's figure stands on: the same model run by a bare loop on rehearse's own kernel (its event
// queue, its random generator, its latency sampling) with nothing else. Records hold six fields; services are
// replicas of workers with a FIFO queue; calls run in sequence, each with its probability; journeys are picked
// by weight. No telemetry (only the journeys' mean latency), no per-journey random streams, no gauges, no ground
// truth, no hooks. It makes the same events as rehearse on the same model (one per arrival, one per call), so
// its time is what the kernel costs on this machine, and rehearse's time beyond it is what the model layer
// (records, the call lifecycle, telemetry, ground truth) costs.
//
// Peers of bench/tandem.mjs and bench/hotel.mjs; models with anything else (parallel groups, timeouts, retries,
// breakers, errors, network times, flags, faults, shaped traffic) are refused.
import { EventQueue } from '../dist/engine/queue.js';
import { RandomStreams } from '../dist/engine/rng.js';
import { compile } from '../dist/model/compile.js';

const ARRIVAL = 0;
const DONE = 1;

/** Runs `scenario` bare: { cpuSeconds, wallSeconds, events, journeys, meanMs } (the times of its event loop). */
export function runFloor(scenario) {
  const m = compile(scenario);
  refuseFeatures(scenario, m);
  const rng = new RandomStreams(scenario.seed);
  const arrivalRng = rng.stream('arrivals');
  const drawRng = rng.stream('draws');
  const q = new EventQueue();
  const perUs = scenario.traffic.perSec / 1e6;
  const horizon = scenario.durationUs;
  const requests = scenario.traffic.requests;

  // The call sites of each endpoint and journey (one per operation: calls in sequence).
  const sitesOf = (opStart, opEnd) => (opStart < opEnd ? [m.opSiteStart[opStart], m.opSiteEnd[opEnd - 1]] : [0, 0]);
  const endpointSites = Array.from(m.endpointService, (_, e) => sitesOf(m.endpointOpStart[e], m.endpointOpEnd[e]));
  const eSiteStart = Int32Array.from(endpointSites, (x) => x[0]), eSiteEnd = Int32Array.from(endpointSites, (x) => x[1]);
  const journeySites = Array.from(m.journeyNames, (_, j) => sitesOf(m.journeyOpStart[j], m.journeyOpEnd[j]));
  const jSiteStart = Int32Array.from(journeySites, (x) => x[0]), jSiteEnd = Int32Array.from(journeySites, (x) => x[1]);

  // Workers and FIFO queues, per replica (round robin over a service's replicas, as rehearse does).
  const replicas = m.replicaService.length;
  const busy = new Int32Array(replicas);
  const head = new Int32Array(replicas).fill(-1);
  const tail = new Int32Array(replicas).fill(-1);
  const turn = new Int32Array(m.serviceNames.length);

  // Records: the endpoint (or, for a journey, -1 - journey), the caller, the next call site, the replica, the
  // next in a queue, and when a journey arrived.
  let cap = 1024;
  let rTarget = new Int32Array(cap), rParent = new Int32Array(cap), rSite = new Int32Array(cap);
  let rReplica = new Int32Array(cap), rNext = new Int32Array(cap), rSent = new Float64Array(cap);
  let freeList = new Int32Array(cap);
  let freeTop = 0;
  for (let i = cap - 1; i >= 0; i--) freeList[freeTop++] = i;
  const alloc = () => {
    if (freeTop === 0) {
      const grow = (a) => { const b = new a.constructor(cap * 2); b.set(a); return b; };
      rTarget = grow(rTarget); rParent = grow(rParent); rSite = grow(rSite);
      rReplica = grow(rReplica); rNext = grow(rNext); rSent = grow(rSent);
      freeList = new Int32Array(cap * 2);
      for (let i = cap * 2 - 1; i >= cap; i--) freeList[freeTop++] = i;
      cap *= 2;
    }
    return freeList[--freeTop];
  };

  let now = 0, events = 0, journeys = 0, arrived = 0, latencySum = 0;

  const enter = (rec) => {
    const s = m.endpointService[rTarget[rec]];
    let r = m.serviceReplicaStart[s];
    if (m.serviceReplicas[s] > 1) {
      r += turn[s];
      turn[s] = turn[s] + 1 === m.serviceReplicas[s] ? 0 : turn[s] + 1;
    }
    rReplica[rec] = r;
    if (busy[r] < m.serviceConcurrency[s]) {
      busy[r]++;
      q.push(now + m.dists.sample(m.endpointLatency[rTarget[rec]], rng, drawRng), DONE, rec, 0);
    } else {
      rNext[rec] = -1;
      if (tail[r] < 0) head[r] = rec;
      else rNext[tail[r]] = rec;
      tail[r] = rec;
    }
  };

  // The record's next call, or its end: a call replies to its caller, a journey ends.
  const advance = (rec) => {
    const t = rTarget[rec];
    const end = t >= 0 ? eSiteEnd[t] : jSiteEnd[-1 - t];
    for (let k = rSite[rec]; k < end; k++) {
      const p = m.siteProbability[k];
      if (p < 1 && rng.next(drawRng) >= p) continue;
      rSite[rec] = k + 1;
      const call = alloc();
      const e = m.siteEndpoint[k];
      rTarget[call] = e;
      rParent[call] = rec;
      rSite[call] = eSiteStart[e];
      enter(call);
      return;
    }
    if (t < 0) {
      latencySum += now - rSent[rec];
      journeys++;
      freeList[freeTop++] = rec;
      return;
    }
    // The call replies: its worker takes the next queued request.
    const r = rReplica[rec];
    const next = head[r];
    if (next >= 0) {
      head[r] = rNext[next];
      if (head[r] < 0) tail[r] = -1;
      q.push(now + m.dists.sample(m.endpointLatency[rTarget[next]], rng, drawRng), DONE, next, 0);
    } else busy[r]--;
    const parent = rParent[rec];
    freeList[freeTop++] = rec;
    advance(parent);
  };

  const nextArrival = (from) => (arrived < requests ? from - Math.log(1 - rng.next(arrivalRng)) / perUs : Infinity);
  const more = () => clock !== Infinity && clock <= horizon;
  let clock = nextArrival(0);
  if (more()) q.push(Math.round(clock), ARRIVAL, 0, 0);
  const cw = m.journeyCumulativeWeight;

  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  while (q.popUntil(horizon)) {
    now = q.topTime;
    events++;
    if (q.topKind === DONE) {
      // Own processing done: the endpoint makes its calls (or replies).
      advance(q.topA);
      continue;
    }
    let j = 0;
    if (cw.length > 1) {
      const u = rng.next(drawRng);
      while (j < cw.length - 1 && u >= cw[j]) j++;
    }
    const rec = alloc();
    rTarget[rec] = -1 - j;
    rSent[rec] = now;
    rSite[rec] = jSiteStart[j];
    arrived++;
    clock = nextArrival(clock);
    if (more()) q.push(Math.round(clock), ARRIVAL, 0, 0);
    advance(rec);
  }
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const c = process.cpuUsage(c0);
  return { cpuSeconds: (c.user + c.system) / 1e6, wallSeconds, events, journeys, meanMs: latencySum / journeys / 1000 };
}

function refuseFeatures(s, m) {
  const no = (what) => {
    throw new Error(`bench/floor.mjs runs queues, latencies and calls in sequence only: ${s.name} has ${what}`);
  };
  if (s.traffic.shape.kind !== 'constant') no('shaped traffic');
  if (s.flags.length > 0 || s.faults.length > 0) no('flags or faults');
  if (m.networked || m.breakerNames.length > 0 || m.poolNames.length > 0) no('network times, breakers or pools');
  for (let i = 0; i < m.opKind.length; i++) {
    if (m.opKind[i] !== 0 || m.opRepeat[i] !== 1 || m.opSiteEnd[i] - m.opSiteStart[i] !== 1) no('a parallel group or a repeat');
  }
  for (let k = 0; k < m.siteEndpoint.length; k++) {
    if (m.siteTimeout[k] > 0 || m.siteRetries[k] > 0 || m.siteAsync[k] === 1) no('timeouts, retries or async calls');
  }
  for (let e = 0; e < m.endpointMayFail.length; e++) if (m.endpointMayFail[e] === 1) no('errors');
  for (let sv = 0; sv < m.serviceQueue.length; sv++) if (Number.isFinite(m.serviceQueue[sv])) no('a bounded queue');
}
