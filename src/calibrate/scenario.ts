/**
 * Writes what the analysis found as a scenario file: valid, commented (where each number came from), with the
 * capacity given, inferred with its evidence, or unknown.
 */
import type { Analysis, EdgeStats, EndpointStats, ItemStats } from './analyze.js';
import type { GivenCapacity } from './capacity.js';
import { keepsMean, meanOf, quantileBins } from './bins.js';
import { concurrency, queueWaits, type QueueWait } from './waits.js';
import { plural } from '../units/format.js';
import { escapeControls, oneLine, quoted } from '../units/escape.js';
import { allEndpoints, safe, serviceNamesOf, tracedAs, yamlName, yamlStep, type Renamed } from './names.js';
import { cyclicCalls } from './call-graph.js';

export { safe } from './names.js';

export interface WriteOptions {
  latency: 'empirical' | 'lognormal';
  name: string;
  duration: string;
  sources: string[];
  /** Capacities the team gave, by the traces' service names. */
  capacities?: ReadonlyMap<string, GivenCapacity>;
  /**
   * Which calls waited for a worker, as the whole set of traces shows it (queueWaits): given for a resample, whose
   * repeated traces overlap themselves and so cannot show it (a service of 2 workers seen 10 at a time).
   */
  waits?: ReadonlyMap<string, QueueWait | null>;
}

const Z99 = 2.3263478740408408;
const QUANTILES = 200;


const us = (x: number) => `${Math.max(0, Math.round(x))}us`;
const pct = (x: number) => `${Number((x * 100).toPrecision(4))}%`;

/** A rate without exponents: per second, per minute or per hour, four significant digits (at least 0.0001/h). */
export function rateText(perSec: number): string {
  const [value, unit] = perSec >= 1 ? [perSec, 's'] : perSec * 60 >= 1 ? [perSec * 60, 'm'] : [Math.max(perSec * 3600, 0.0001), 'h'];
  const digits = Math.max(0, Math.min(4, 3 - Math.floor(Math.log10(value))));
  return `${Number(value.toFixed(digits))}/${unit}`;
}

/** A duration for people: 1.23ms, 450us, 2.5s. */
export function human(x: number): string {
  if (x >= 1e6) return `${Number((x / 1e6).toPrecision(3))}s`;
  if (x >= 1000) return `${Number((x / 1000).toPrecision(3))}ms`;
  return `${Math.round(x)}us`;
}

export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return 0;
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

const mode = (h: Map<number, number>): number => [...h].sort((a, b) => b[1] - a[1] || a[0] - b[0])[0][0];
const modeKey = (h: Map<string, number>): string => [...h].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0][0];

interface Names {
  service: Map<string, string>;
  endpoint: Map<string, string>; // key service\0endpoint -> service.endpoint
}

function nameAll(analysis: Analysis, all: EndpointStats[]): Names {
  const service = serviceNamesOf(all);
  const endpoint = new Map<string, string>();
  const usedEp = new Set<string>();
  for (const e of all) {
    const s = service.get(e.service)!;
    let n = safe(e.endpoint), k = 2;
    while (usedEp.has(`${s}.${n}`)) n = `${safe(e.endpoint)}-${k++}`;
    usedEp.add(`${s}.${n}`);
    endpoint.set(`${e.service}\u0000${e.endpoint}`, `${s}.${n}`);
  }
  void analysis;
  return { service, endpoint };
}

/** Fits a lognormal by maximum likelihood on the logs; reports its p50 and p99 beside the samples'. */
function fit(sorted: number[]): { p50: number; p99: number; empP50: number; empP99: number } {
  const logs = sorted.map((x) => Math.log(Math.max(x, 1)));
  const mu = logs.reduce((a, b) => a + b, 0) / logs.length;
  const sd = Math.sqrt(logs.reduce((a, b) => a + (b - mu) ** 2, 0) / Math.max(1, logs.length - 1));
  return { p50: Math.exp(mu), p99: Math.exp(mu + Z99 * sd), empP50: quantile(sorted, 0.5), empP99: quantile(sorted, 0.99) };
}

function latencyLines(e: EndpointStats, how: WriteOptions['latency'], indent: string): string[] {
  const sorted = [...e.own].sort((a, b) => a - b);
  if (sorted.length === 0) return [`${indent}latency: 0us   # no successful span to measure`];
  const f = fit(sorted);
  const err = (a: number, b: number) => (b > 0 ? `${a >= b ? '+' : ''}${((a / b - 1) * 100).toFixed(1)}%` : 'n/a');
  const source = `${e.ownSeen.toLocaleString('en-US')} successful spans${e.ownSeen > sorted.length ? ` (${sorted.length.toLocaleString('en-US')} kept)` : ''}`;
  const note = `# own latency of ${source}: p50 ${human(f.empP50)}, p99 ${human(f.empP99)}; lognormal fit p50 ${human(f.p50)} (${err(f.p50, f.empP50)}), p99 ${human(f.p99)} (${err(f.p99, f.empP99)})`;
  const lines = [`${indent}${note}`];
  if (sorted[0] === sorted[sorted.length - 1]) lines.push(`${indent}latency: ${us(sorted[0])}`);
  else if (how === 'lognormal' && f.p99 > f.p50 && Math.round(f.p50) > 0 && Math.round(f.p99) > Math.round(f.p50)) {
    lines.push(`${indent}latency: { dist: lognormal, p50: ${us(f.p50)}, p99: ${us(f.p99)} }`);
  } else {
    // Drawn uniformly, the measured values themselves are the measured distribution; only beyond QUANTILES
    // values are they summarised, by quantile bins that keep the mean.
    const n = Math.min(QUANTILES, sorted.length);
    const values = sorted.length <= QUANTILES ? sorted : quantileBins(sorted, n);
    const written = values.map((x) => Math.max(0, Math.round(x)));
    const mean = meanOf(sorted);
    const kept = keepsMean(written, mean, 0.5) ? '' : `; mean ${human(meanOf(written))}, measured ${human(mean)}`;
    const samples = written.map(us);
    lines.push(`${indent}latency:   # empirical: ${sorted.length <= QUANTILES ? `the ${n} measured values` : `${n} quantile bins (each its values' mean)`} of the own latency${kept}`);
    lines.push(`${indent}  dist: empirical`);
    for (let i = 0; i < samples.length; i += 12) lines.push(`${indent}  ${i === 0 ? 'samples: [' : '          '}${samples.slice(i, i + 12).join(', ')}${i + 12 >= samples.length ? ']' : ','}`);
  }
  return lines;
}

/**
 * The network time of an edge as a distribution with the mean of its signed gaps: the gaps at zero or more,
 * scaled to that mean; a constant when they are all the same, else empirical quantiles, as few as keep the mean
 * within 1% (or 5 us), else 200 quantile bins (which keep it). Null when the mean is not above zero.
 */
export function network(signed: number[]): { text: string | null; note: string } {
  const mean = signed.reduce((a, b) => a + b, 0) / signed.length;
  const sorted = signed.map((x) => Math.max(0, x)).sort((a, b) => a - b);
  const kept = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const scale = kept > 0 ? Math.max(0, mean) / kept : 0;
  const note = `mean ${human(Math.max(0, mean))}${Math.abs(kept - mean) >= 0.5 ? ` (${human(kept)} with each gap at zero or more, scaled to the signed mean)` : ''}` +
    `, p50 ${human(scale * quantile(sorted, 0.5))}, p99 ${human(scale * quantile(sorted, 0.99))}`;
  if (scale === 0 || Math.round(mean) <= 0) return { text: null, note: `${note}: none modelled` };
  if (sorted[0] === sorted[sorted.length - 1]) return { text: us(mean), note };
  let q: number[] = [];
  for (const n of [10, 20, 50, 100, QUANTILES]) {
    const k = Math.min(n, sorted.length);
    // Midpoint quantiles while they keep the mean; the last resort, quantile bins, keep it whatever the tail.
    q = (k === sorted.length ? sorted : k === QUANTILES ? quantileBins(sorted, k) : Array.from({ length: k }, (_, i) => quantile(sorted, (i + 0.5) / k)))
      .map((x) => Math.max(0, Math.round(scale * x)));
    if (keepsMean(q, mean, 5) || k === sorted.length) break;
  }
  return { text: `{ dist: empirical, samples: [${q.map(us).join(', ')}] }`, note };
}

function callLines(analysis: Analysis, e: EndpointStats, names: Names, indent: string, dropped: Set<string>, waits: ReadonlyMap<string, QueueWait | null>): string[] {
  const self = `${e.service}\u0000${e.endpoint}`;
  // A pooled fan-out that ran one call at a time looks sequential: counted with its parallel group.
  const all = [...e.items.values()];
  // Parallel groups of one target, by target, in order: an endpoint may call tens of thousands of targets.
  const pars = new Map<string, ItemStats[]>();
  for (const p of all) {
    if (p.kind !== 'par' || p.targets.length !== 1) continue;
    const list = pars.get(p.targets[0]);
    if (list) list.push(p);
    else pars.set(p.targets[0], [p]);
  }
  for (const it of all) {
    if (it.kind !== 'seq') continue;
    const par = pars.get(it.targets[0])?.find((p) => p.present > it.present);
    if (par === undefined) continue;
    par.present = Math.min(e.ok, par.present + it.present);
    it.present = 0;
  }
  const items = all.filter((it) => it.present > 0)
    .map((it) => (it.kind === 'async' ? it : { ...it, targets: it.targets.filter((t) => !dropped.has(`${self}\u0001${t}`)) }))
    .filter((it) => it.targets.length > 0)
    .sort((a, b) => a.positionSum / a.present - b.positionSum / b.present);
  const cut = [...dropped].filter((d) => d.startsWith(`${self}\u0001`)).map((d) => names.endpoint.get(d.split('\u0001')[1]));
  if (items.length === 0) return cut.length > 0 ? [`${indent}# recursive calls to ${cut.join(', ')} left out (a synchronous cycle)`] : [];
  if (items.length === 0) return [];
  const out = [`${indent}calls:`];
  if (cut.length > 0) out.push(`${indent}  # recursive calls to ${cut.join(', ')} left out (a synchronous cycle)`);
  const base = Math.max(1, e.ok);
  const edgeOf = (target: string) => analysis.edges.get(`${e.service}\u0000${e.endpoint}\u0001${target}`);
  // A call's network time is its edge's, however many items (parallel groups of other sizes) call the target.
  const networks = new Map<string, { n: ReturnType<typeof network>; over: string } | null>();
  const networkOf = (target: string, edge: EdgeStats | undefined) => {
    let got = networks.get(target);
    if (got !== undefined) return got;
    const wait = waits.get(target.split('\u0000')[0]);
    // Where calls that found every worker busy waited before the span: their gaps are queueing, simulated as such.
    const gaps = edge && wait ? edge.network.filter((_, i) => !wait.busy(edge.networkAt[i])) : edge?.network ?? [];
    got = edge && gaps.length > 0 ? {
      n: network(gaps),
      over: wait ? `the ${plural(gaps.length, 'attempt')} that found a worker free (of ${edge.network.length.toLocaleString('en-US')})` : plural(edge.networkSeen, 'attempt'),
    } : null;
    networks.set(target, got);
    return got;
  };
  const one = (target: string, item: ItemStats, extra: string[], why: string[]): string => {
    const parts = [`to: ${yamlStep(names.endpoint.get(target)!)}`, ...extra];
    const edge = edgeOf(target);
    const net = networkOf(target, edge);
    if (net !== null) {
      if (net.n.text !== null) parts.push(`network: ${net.n.text}`);
      why.push(`${names.endpoint.get(target)} network ${net.n.note} over ${net.over} (client span less server span)`);
    }
    if (edge && edge.maxRetries > 0) {
      const gap = edge.gapCount > 0 ? edge.gapSum / edge.gapCount : 0;
      parts.push(`retry: { attempts: ${edge.maxRetries}, backoff: ${us(Math.max(1, 2 * gap))}, jitter: full }`);
    }
    if (edge && edge.timeouts.length > 0) {
      const t = [...edge.timeouts].sort((a, b) => a - b);
      parts.push(`timeout: ${us(quantile(t, 0.5))}`);
    }
    void item;
    return parts.length === 1 ? yamlStep(names.endpoint.get(target)!) : `{ ${parts.join(', ')} }`;
  };
  for (const it of items) {
    const p = it.present / base;
    const prob = it.present < e.ok ? [`probability: ${pct(p)}`] : [];
    const why: string[] = [`in ${it.present.toLocaleString('en-US')} of ${e.ok.toLocaleString('en-US')} successful spans (${pct(p)})`];
    if (it.kind === 'par') {
      let total = 0;
      const members = it.targets.map((t) => {
        const n = mode(it.counts.get(t)!);
        total += n;
        if (n > 1) why.push(`${names.endpoint.get(t)} ${n} times (mode)`);
        return one(t, it, n > 1 ? [`repeat: ${n}`, ...prob] : prob, why);
      });
      const limit = it.maxOverlap < total ? `, limit: ${it.maxOverlap}` : '';
      if (limit) why.push(`at most ${it.maxOverlap} in flight at once`);
      out.push(`${indent}  # parallel: overlapping calls ${why.join('; ')}`);
      out.push(`${indent}  - { parallel: [${members.join(', ')}]${limit} }`);
    } else {
      const t = it.targets[0];
      const h = it.counts.get(t)!;
      const n = mode(h);
      const extra = [...(n > 1 ? [`repeat: ${n}`] : []), ...prob, ...(it.kind === 'async' ? ['async: true'] : [])];
      if (h.size > 1) why.push(`count ${[...h].sort((a, b) => a[0] - b[0]).map(([c, k]) => `${c}: ${k}`).join(', ')}`);
      const edge = edgeOf(t);
      if (edge && edge.maxRetries > 0) why.push(`retried up to ${plural(edge.maxRetries, 'time')}`);
      const text = one(t, it, extra, why);
      out.push(`${indent}  # ${it.kind === 'async' ? 'asynchronous (outlives the caller or a producer/consumer hand-off)' : 'synchronous'}: ${why.join('; ')}`);
      out.push(`${indent}  - ${text}`);
    }
  }
  return out;
}

/** A service's replicas, concurrency and queue, with where they came from. */
function capacityLines(service: string, iv: { starts: number[]; ends: number[] } | undefined, analysis: Analysis, o: WriteOptions, wait: QueueWait | null): string[] {
  const given = o.capacities?.get(service);
  const seen = iv && iv.starts.length > 0 ? concurrency(iv, analysis.coarseTraces > 0 ? 1000 : 1) : null;
  const observed = seen ? `at most ${plural(seen.max, 'overlapping span')}, ${pct(seen.atMaxShare)} of its busy time at that maximum, mean ${seen.mean.toFixed(2)}` : '';
  if (given) {
    return [
      `    # ${given.why}${observed ? `; the traces show ${observed}` : ''}`,
      `    replicas: ${given.replicas}`,
      `    concurrency: ${given.concurrency ?? 'unknown'}`,
      '    queue: unbounded',
    ];
  }
  if (seen === null) {
    const by = analysis.peers.get(service);
    // A peer no attribute names is named after its caller ("the caller's name"), not by an attribute of it.
    const named = by === undefined ? '' : by.startsWith('no attribute') ? `, named ${quoted(service)} after its caller: ${by}` : `, named ${quoted(service)} by its callers' ${by}`;
    return [`    # seen only as the far end of client spans (not instrumented)${named}: capacity unknown; give it with --capacity ${safe(service)}=N`, '    concurrency: unknown', '    queue: unbounded'];
  }
  const rate = analysis.options.sampleRate;
  const starts = iv!.starts.length;
  // Saturated at its maximum: it spent a fifth of its busy time there, and queued work took freed workers at once.
  if (rate >= 1 && seen.atMaxShare >= 0.2 && seen.handoffs >= 10 && seen.handoffs >= 0.05 * starts) {
    return [
      `    # inferred: saturated at ${seen.max}: ${observed}; ${seen.handoffs.toLocaleString('en-US')} of ${starts.toLocaleString('en-US')} spans started as another ended while at ${seen.max} (queued work taking the freed worker)`,
      '    replicas: 1',
      `    concurrency: ${seen.max}`,
      '    queue: unbounded',
    ];
  }
  // Calls that found every worker busy waited before the span started, far longer than the others.
  if (wait !== null) {
    return [
      `    # inferred: ${wait.max} workers: ${observed}; ${wait.full.n.toLocaleString('en-US')} calls that found ${wait.max} spans open waited ${human(wait.full.mean)} on average before the span started, ` +
        `against ${human(Math.max(0, wait.free.mean))} for ${wait.free.n.toLocaleString('en-US')} that found fewer (queued before the span)`,
      '    replicas: 1',
      `    concurrency: ${wait.max}`,
      '    queue: unbounded',
    ];
  }
  const why = rate < 1 ? `the traces are a sample (--sample-rate ${rate}): overlaps are not all seen` : `the traces show no saturation (${observed}; ${seen.handoffs} hand-offs at that maximum)`;
  return [
    `    # capacity unknown: ${why}; give it with --capacity ${service}=N or --deployment DIR`,
    '    concurrency: unknown',
    '    queue: unbounded',
  ];
}

export function writeScenario(analysis: Analysis, o: WriteOptions): string {
  return writeNamedScenario(analysis, o).yaml;
}

/** The scenario, and the names of the traces it writes reduced, each with a comment giving the traces' name. */
export function writeNamedScenario(analysis: Analysis, o: WriteOptions): { yaml: string; renamed: Renamed[] } {
  const renamed: Renamed[] = [];
  const written = (what: Renamed['what'], name: string, traced: string): string => {
    if (name === traced) return '';
    renamed.push({ what, written: name, traced });
    return tracedAs(traced);
  };
  const all = allEndpoints(analysis);
  const names = nameAll(analysis, all);
  const dropped = cyclicCalls(all);
  const waits = o.waits ?? queueWaits(analysis);
  const rate = analysis.options.sampleRate;
  const spanS = (analysis.rootStartMax - analysis.rootStartMin) / 1e6;
  const L: string[] = [];
  L.push('# yaml-language-server: $schema=../schema/scenario.schema.json');
  L.push(`# Calibrated by \`rehearse calibrate\` from ${plural(analysis.spans, 'span')} in ${plural(analysis.traces, 'trace')}:`);
  for (const s of o.sources) L.push(`#   ${s}`);
  L.push('# Latencies are each endpoint\'s own time (its span less the time covered by its synchronous calls); a call\'s');
  L.push('# network is the time between its client span and its server span (client duration less server duration); error rates');
  L.push('# count failures that started in the endpoint, not those passed up from a call (a span failed by an error status or');
  L.push('# tag or, its status unset, an HTTP or gRPC code OpenTelemetry counts as an error for its kind). Capacity is given');
  L.push('# (--capacity, --deployment), inferred where the traces show a service saturated (the comment gives the evidence), or');
  L.push('# unknown: unbounded in the run, which then cannot show that service saturate above the calibrated load.');
  L.push(`name: ${yamlName(safe(o.name))}${safe(o.name) === o.name ? '' : `   # given as ${quoted(o.name)} (--name)`}`);
  L.push('seed: 1');
  L.push(`duration: ${o.duration}`);
  L.push('');
  L.push('traffic:');
  let arrivals: number;
  if (analysis.roots > 1 && spanS > 0) {
    arrivals = (analysis.roots - 1) / spanS / rate;
    L.push(`  # ${analysis.roots.toLocaleString('en-US')} root spans started over ${spanS.toFixed(3)} s${rate < 1 ? `, scaled by 1/${rate} (--sample-rate)` : ' (the files taken as every trace of that time; --sample-rate otherwise)'}`);
  } else {
    arrivals = 1;
    L.push(`  # too few root spans to measure a rate: 1/s assumed`);
  }
  L.push(`  rate: ${rateText(arrivals)}`);
  if (analysis.roots > 1 && spanS > 0) L.push(`calibration: { rate: ${rateText(arrivals)} }   # the load of the traces: above it, services of unknown capacity cannot saturate`);
  L.push('');
  L.push('journeys:   # root operations; weights are their counts');
  const journeys = [...analysis.journeys].sort((a, b) => b[1].count - a[1].count);
  const usedJ = new Set<string>();
  for (const [name, j] of journeys) {
    const sig = modeKey(j.steps);
    const steps = sig.split('\u0002').map((t) => names.endpoint.get(t)).filter((x): x is string => x !== undefined).map(yamlStep);
    if (steps.length === 0) continue;
    let n = safe(name), k = 2;
    while (usedJ.has(n)) n = `${safe(name)}-${k++}`;
    usedJ.add(n);
    const lat = [...j.latencies].sort((a, b) => a - b);
    L.push(`  # ${plural(j.count, 'trace')} (${pct(j.count / Math.max(1, analysis.roots))}); end to end p50 ${human(quantile(lat, 0.5))}, p99 ${human(quantile(lat, 0.99))}`);
    L.push(`  ${yamlName(n)}: { weight: ${j.count}, steps: [${steps.join(', ')}] }${written('journey', n, name)}`);
  }
  L.push('');
  L.push('services:');
  const byService = new Map<string, EndpointStats[]>();
  for (const e of all) {
    let list = byService.get(e.service);
    if (!list) byService.set(e.service, (list = []));
    list.push(e);
  }
  for (const [service, eps] of byService) {
    const iv = analysis.serviceIntervals.get(service);
    L.push(`  ${yamlName(names.service.get(service)!)}:${written('service', names.service.get(service)!, service)}`);
    L.push(...capacityLines(service, iv, analysis, o, waits.get(service) ?? null));
    L.push('    endpoints:');
    for (const e of eps) {
      const ep = names.endpoint.get(`${e.service}\u0000${e.endpoint}`)!.slice(names.service.get(service)!.length + 1);
      L.push(`      ${yamlName(ep)}:${written('endpoint', ep, e.endpoint)}`);
      const inner = e.innerErrors > 0 ? `; ${e.innerErrors.toLocaleString('en-US')} succeeded with a failed local span inside (not counted as failures)` : '';
      L.push(`        # ${plural(e.invocations, 'span')}, ${e.errors.toLocaleString('en-US')} failed (${e.ownErrors.toLocaleString('en-US')} in the endpoint itself)${inner}`);
      L.push(...latencyLines(e, o.latency, '        '));
      if (e.ownErrors > 0) L.push(`        errors: ${pct(e.ownErrors / e.invocations)}`);
      // A line per call: a span with a hundred thousand children gives as many, more than a call's arguments may be.
      for (const line of callLines(analysis, e, names, '        ', dropped, waits)) L.push(line);
    }
  }
  // A line is one line: a line break of the files' own text (a service, an operation or a file named with one) put
  // in a comment ended the comment, and the rest was read as YAML of the scenario's own.
  // Names from the traces in comments: a line break would end the comment, and another control character (an ESC,
  // a NUL) is no YAML (Go's yaml refuses it) and acts on a terminal that shows the file: each is written escaped.
  return { yaml: `${L.map((l) => escapeControls(oneLine(l), '\t')).join('\n')}\n`, renamed };
}

/** Warnings in words, for the terminal. */
export function warningLines(a: Analysis): string[] {
  const w = a.warnings;
  const out: string[] = [];
  const list = (xs: string[], n: number) => `${xs.join(', ')}${n > xs.length ? `, ... (${n} in all)` : ''}`;
  if (a.skewed > 0) out.push(`clock skew: ${a.skewed} trace(s) had a child span starting before its parent, shifted inside it as Jaeger does: ${list(w.skewedTraces, a.skewed)}`);
  if (w.orphanSpans > 0) out.push(`orphan spans: ${w.orphanSpans} span(s) whose parent is not in the files (treated as roots of journeys of their own), in traces ${w.orphanTraces.join(', ')}`);
  if (w.cycles.length > 0) out.push(`cycles: parent links that loop were cut at ${w.cycles.join(', ')}`);
  if (w.noService > 0) out.push(`no service: ${w.noService} span(s) name no service (put under "unknown"), in traces ${w.noServiceTraces.join(', ')}`);
  if (w.duplicateIds > 0) out.push(`duplicate span ids: ${w.duplicateIds} span(s) repeat an id in their trace (the first kept)`);
  // An error the caller never saw is no failed call; it may be a retry or a fallback inside the service, whose cost
  // is in the span's own latency.
  const inner = a.innerErrors;
  if (inner.count > 0) out.push(`errors inside requests that succeeded: ${inner.count} successful span(s) hold a failed span of their own service (a local span, not a call; first: ${inner.first}); the span that answered decides: not counted as failures (a retry or a fallback inside the service is in its own latency); see each endpoint's comment`);
  for (const r of a.relayed.values()) {
    out.push(`client spans of another service: ${r.count} client span(s) reported by ${quoted(r.by)} under a span of ${quoted(r.under)} call ${quoted(r.to)} (first: ${r.first}). Zipkin's dependency linker (zipkin2.internal.DependencyLinker) links ${r.by} -> ${r.to} and nothing from ${r.under} to ${r.by}; rehearse keeps the request's path (${r.under} -> ${r.by} -> ${r.to}) and books each client span's time beyond its server span (${(r.beyondUs / 1000).toFixed(1)} ms in the first) as ${r.by}'s own work: where ${quoted(r.by)} is a proxy reporting for ${r.under}, that time is the proxy's and the network's`);
  }
  return out;
}
