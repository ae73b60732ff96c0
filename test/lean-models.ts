/**
 * Random models whose calls can only succeed (src/model/lean.ts leanModel), for test/lean-fuzz.test.ts: a generator of
 * scenario documents as YAML would write them, and one thing added to such a model that takes it off the lean path.
 */
/** mulberry32: a small seeded generator of the fuzzer's own choices. */
export function chooser(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const chance = (p: number) => next() < p;
  return { next, int, pick, chance };
}
type Chooser = ReturnType<typeof chooser>;

/** A duration in microseconds written in the unit a person would use. */
function dur(us: number): string {
  if (us === 0) return '0ms';
  if (us % 1000 !== 0 || us < 1000) return `${us}us`;
  if (us % 1e6 !== 0) return `${us / 1000}ms`;
  return `${us / 1e6}s`;
}

/** A latency in µs, from 0 to tens of seconds, mostly milliseconds. */
function latencyUs(c: Chooser, scale: number): number {
  const kind = c.int(0, 9);
  if (kind === 0) return c.int(0, 3);
  if (kind === 1) return c.int(1, 999);
  if (kind === 9) return c.int(1, 40) * 1e6;
  return Math.max(1, Math.round(c.int(100, 20_000) * scale));
}

function distribution(c: Chooser, scale: number): unknown {
  const kind = c.int(0, 7);
  let d: Record<string, unknown>;
  switch (kind) {
    case 0:
      return dur(latencyUs(c, scale));
    case 1:
      d = { dist: 'constant', value: dur(latencyUs(c, scale)) };
      break;
    case 2: {
      const a = latencyUs(c, scale);
      d = { dist: 'uniform', min: dur(a), max: dur(a + latencyUs(c, scale)) };
      break;
    }
    case 3:
      d = { dist: 'exponential', mean: dur(Math.max(1, latencyUs(c, scale))) };
      break;
    case 4:
      d = { dist: 'normal', mean: dur(latencyUs(c, scale)), sd: dur(latencyUs(c, scale)) };
      break;
    case 5: {
      const p50 = Math.max(1, latencyUs(c, scale));
      d = { dist: 'lognormal', p50: dur(p50), p99: dur(p50 + Math.max(1, latencyUs(c, scale))) };
      break;
    }
    default: {
      const n = c.int(1, 9);
      d = { dist: 'empirical', samples: Array.from({ length: n }, () => dur(latencyUs(c, scale))) };
    }
  }
  if (c.chance(0.25)) d.plus = dur(latencyUs(c, scale));
  return d;
}

interface Target {
  service: string;
  endpoint: string | null;
  depth: number;
}

/** A random lean-eligible scenario document (as YAML would be written), the services layered so no cycle forms. */
export function leanDocument(seed: number): Record<string, unknown> {
  const c = chooser(seed);
  const scale = c.pick([0.01, 0.1, 1, 1, 1, 5]);
  const nServices = c.int(1, 6);
  const services: Record<string, Record<string, unknown>> = {};
  const targets: Target[][] = []; // by layer: a service calls only deeper layers
  const call = (c: Chooser, from: number, inParallel: boolean): unknown => {
    const deeper = targets.slice(from + 1).flat();
    const t = c.pick(deeper);
    const name = t.endpoint === null ? t.service : `${t.service}.${t.endpoint}`;
    const extra: Record<string, unknown> = {};
    if (c.chance(0.2)) extra.repeat = c.int(1, inParallel ? 5 : 3);
    if (c.chance(0.25)) extra.probability = c.pick(['0%', '1%', '30%', '50%', '99.5%', '100%']);
    if (c.chance(0.1)) extra.optional = c.chance(0.5);
    if (c.chance(0.05)) extra.async = false;
    if (c.chance(0.1)) extra.retry = { attempts: c.int(0, 3), backoff: '1ms', jitter: c.pick(['none', 'full', 'equal']) };
    return Object.keys(extra).length === 0 && c.chance(0.6) ? name : { to: name, ...extra };
  };
  const calls = (layer: number): unknown[] | undefined => {
    if (layer === nServices - 1 || c.chance(0.3)) return undefined;
    const n = c.int(1, 3);
    return Array.from({ length: n }, () => {
      if (c.chance(0.3)) return { parallel: Array.from({ length: c.int(1, 4) }, () => call(c, layer, true)) };
      return call(c, layer, false);
    });
  };
  for (let s = 0; s < nServices; s++) {
    const name = `s${s}`;
    const svc: Record<string, unknown> = {};
    if (c.chance(0.5)) svc.replicas = c.pick([1, 2, 3, 7, 64, 200]);
    if (c.chance(0.8)) svc.concurrency = c.chance(0.1) ? 'unknown' : c.pick([1, 1, 2, 4, 16, 1000]);
    if (c.chance(0.8)) svc.queue = 'unbounded';
    if (c.chance(0.9)) svc.latency = distribution(c, scale);
    if (c.chance(0.1)) svc.errors = '0%';
    const layerTargets: Target[] = [];
    if (c.chance(0.5)) {
      const endpoints: Record<string, unknown> = {};
      const n = c.int(1, 3);
      for (let e = 0; e < n; e++) {
        const ep: Record<string, unknown> = {};
        if (c.chance(0.5)) ep.latency = distribution(c, scale);
        endpoints[`e${e}`] = ep;
        layerTargets.push({ service: name, endpoint: `e${e}`, depth: s });
      }
      services[name] = { ...svc, endpoints };
    } else {
      services[name] = svc;
      layerTargets.push({ service: name, endpoint: null, depth: s });
    }
    targets.push(layerTargets);
  }
  // Calls, once every layer's targets are known.
  for (let s = 0; s < nServices; s++) {
    const svc = services[`s${s}`];
    const eps = svc.endpoints as Record<string, Record<string, unknown>> | undefined;
    if (eps) for (const ep of Object.values(eps)) {
      const cs = calls(s);
      if (cs) ep.calls = cs;
    } else {
      const cs = calls(s);
      if (cs) svc.calls = cs;
    }
  }
  // A service with no `queue` gets the default: keep only those whose default is unbounded out of it.
  for (const svc of Object.values(services)) if (svc.queue === undefined) svc.queue = 'unbounded';

  const all = targets.flat();
  const journeys: Record<string, unknown> = {};
  const nJourneys = c.int(1, 4);
  for (let j = 0; j < nJourneys; j++) {
    const steps = Array.from({ length: c.int(1, 3) }, () => {
      const t = c.pick(all);
      const name = t.endpoint === null ? t.service : `${t.service}.${t.endpoint}`;
      if (c.chance(0.2)) return { to: name, probability: c.pick(['10%', '50%', '90%']) };
      if (c.chance(0.1)) return { to: name, repeat: c.int(2, 3) };
      return name;
    });
    const jd: Record<string, unknown> = { steps };
    if (nJourneys > 1 || c.chance(0.3)) jd.weight = c.pick([1, 3, 10, 70, 0.5]);
    journeys[`j${j}`] = jd;
  }

  const traffic: Record<string, unknown> = {};
  const rate = c.pick([1, 5, 20, 80, 300]);
  traffic.rate = `${rate}/s`;
  const shape = c.pick(['constant', 'constant', 'diurnal', 'ramp', 'steps', undefined]);
  if (shape) traffic.shape = shape;
  if (shape === 'ramp') {
    traffic.from = `${c.pick([0, 1, 10, 500])}/s`;
    if (c.chance(0.5)) traffic.over = dur(c.int(1, 60) * 1e6);
  }
  if (shape === 'diurnal') {
    traffic.period = dur(c.int(10, 120) * 1e6);
    if (c.chance(0.5)) traffic.trough = c.pick(['0%', '10%', '50%']);
    if (c.chance(0.5)) traffic['peak-at'] = dur(c.int(0, 60) * 1e6);
  }
  if (shape === 'steps') {
    let at = 0;
    const n = c.int(1, 3);
    traffic.steps = Array.from({ length: n }, (_, i) => {
      at += c.int(1, 20);
      // A last step at 0/s only with a duration: without one, the run would wait for journeys that never come.
      return { at: dur(at * 1e6), rate: `${c.pick(i === n - 1 ? [2, 50, 200] : [0, 2, 50, 200])}/s` };
    });
  }
  if (c.chance(0.3)) traffic.cohort = { size: c.pick([1, 10, 500]), seed: c.int(0, 9), ...(c.chance(0.5) ? { segments: { beta: '10%', rest: '90%' } } : {}) };
  const doc: Record<string, unknown> = { seed: c.int(0, 1000), traffic, journeys, services };
  const end = c.int(0, 4);
  if (end === 0) traffic.requests = c.int(1, 400);
  else if (end === 1) {
    traffic.requests = c.int(1, 400);
    doc.duration = dur(c.int(1, 30) * 1e6);
  } else doc.duration = dur(c.pick([1, 5, 20, 60, 90]) * 1e6);
  if (c.chance(0.6)) doc.window = c.pick(['250ms', '1s', '7s', '1m', '2h']);
  else if (c.chance(0.1) && doc.duration !== undefined) {
    doc.window = '1ms'; // a window per journey or less: two thousand of them
    doc.duration = '2s';
  }
  if (c.chance(0.4)) doc.slo = { ...(c.chance(0.7) ? { latency: dur(latencyUs(c, scale) + 1) } : {}), ...(c.chance(0.5) ? { availability: c.pick(['99%', '99.9%', '50%']) } : {}) };
  if (c.chance(0.2)) doc['start-time'] = c.pick(['00:00', '13:30', '23:59']);
  return doc;
}

/** One thing that can fail, slow, time out or leave a call behind, added to a lean model. */
export function spoiled(doc: Record<string, unknown>, seed: number): Record<string, unknown> {
  const c = chooser(seed ^ 0x5eed);
  const d = structuredClone(doc) as any;
  const names = Object.keys(d.services);
  const svc = d.services[c.pick(names)];
  const journey = d.journeys[c.pick(Object.keys(d.journeys))];
  const step = journey.steps[0];
  const to = typeof step === 'string' ? step : step.to;
  switch (c.int(0, 7)) {
    case 0: svc.errors = '0.1%'; break;
    case 1: svc.queue = c.int(0, 50); break;
    case 2: journey.steps[0] = { to, timeout: '5s' }; break;
    case 3: journey.steps[0] = { to, async: true }; break;
    case 4: svc.ingress = { dist: 'constant', value: '1ms' }; break;
    case 5: journey.steps[0] = { to, breaker: { errors: '50%' } }; break;
    case 6: d.faults = [{ at: '1s', for: '1s', kind: 'latency', target: names[0], add: '1ms' }]; break;
    default: d.flags = { f: { 'evaluated-by': [names[0]] } };
  }
  return d;
}

