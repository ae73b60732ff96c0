/**
 * Infers a service model from neutral spans, a trace at a time: services and endpoints, the calls between them
 * (synchronous, asynchronous, parallel groups, repeats, conditional calls, retries), each endpoint's own latency
 * and error rate, journeys and the arrival rate, and the concurrency each service was seen to hold.
 *
 * Vocabulary: an *entry* is a span where a service starts work on a request (a root, a server or consumer span,
 * or a span whose service differs from its parent's); a *call* is an entry reached from another entry, seen from
 * the caller's client or producer span when there is one; an *attempt* is one try of a call (retries are attempts).
 */
import type { Span } from '../observe/span.js';
import type { CalibrateOptions, Call, EdgeStats, EndpointStats, Logical } from './stats.js';
import { peerName } from './peer.js';
import { structure } from './structure.js';
import { buildTree, type Warnings } from './tree.js';

export type { Warnings } from './tree.js';
export type { CalibrateOptions, EdgeStats, EndpointStats, ItemStats } from './stats.js';

const RESERVOIR = 50_000;

export class Analysis {
  readonly endpoints = new Map<string, EndpointStats>();
  /** Endpoints seen only as the far end of a client span with no server span under it (an uninstrumented service). */
  readonly leaves = new Map<string, EndpointStats>();
  /** Those services' names as the traces spell them, and the attributes that named each (first seen). */
  readonly peers = new Map<string, string>();
  readonly edges = new Map<string, EdgeStats>();
  readonly journeys = new Map<string, { count: number; errors: number; steps: Map<string, number>; latencies: number[] }>();
  readonly serviceIntervals = new Map<string, { starts: number[]; ends: number[] }>();
  readonly warnings: Warnings = { skewedTraces: [], orphanSpans: 0, orphanTraces: [], cycles: [], noService: 0, noServiceTraces: [], duplicateIds: 0 };
  spans = 0;
  traces = 0;
  rootStartMin = Infinity;
  rootStartMax = -Infinity;
  roots = 0;
  private rand = 0x2545f491;
  /**
   * Client or producer spans reported by a service other than that of the span they are under, with the server or
   * consumer span they called under them (a sidecar's or a gateway's outbound span, or a caller naming itself as its
   * callee): by the services under, reporting and called, their count and the first (trace and span ids).
   */
  readonly relayed = new Map<string, { under: string; by: string; to: string; count: number; first: string; beyondUs: number }>();
  /** Successful entries with a failed local span inside them, and the first such span. */
  readonly innerErrors: { count: number; first: string | null } = { count: 0, first: null };
  /** The time a span waited for a worker inside it (calibrate --wait-attribute): not the endpoint's own time. */
  ownWait: ((s: Span) => number) | null = null;

  constructor(readonly options: CalibrateOptions) {}

  endpointName(s: Span): string {
    const g = this.options.groupBy;
    let name = s.name;
    if (g === 'http.route') {
      const r = s.attributes['http.route'];
      if (typeof r === 'string' && r !== '') name = r;
    } else if (typeof g === 'object') {
      const m = g.exec(s.name);
      if (m) name = m[1] ?? m[0] ?? name;
    }
    return name;
  }

  private stats(map: Map<string, EndpointStats>, service: string, endpoint: string): EndpointStats {
    const key = `${service}\u0000${endpoint}`;
    let e = map.get(key);
    if (!e) {
      e = { service, endpoint, invocations: 0, ok: 0, errors: 0, ownErrors: 0, innerErrors: 0, own: [], ownSeen: 0, items: new Map() };
      map.set(key, e);
    }
    return e;
  }

  private keep(e: EndpointStats, us: number): void {
    this.reservoir(e.own, ++e.ownSeen, us);
  }

  /** Keeps `us`, the `seen`th value, in `list`: every value until it is full, then at random. Returns where, or -1. */
  private reservoir(list: number[], seen: number, us: number): number {
    if (list.length < RESERVOIR) return list.push(us) - 1;
    // Reservoir sampling with a fixed generator: the same files give the same scenario.
    this.rand ^= this.rand << 13;
    this.rand ^= this.rand >>> 17;
    this.rand ^= this.rand << 5;
    const j = (this.rand >>> 0) % seen;
    if (j >= RESERVOIR) return -1;
    list[j] = us;
    return j;
  }

  /** Analyses one trace's spans (mutated: skew is corrected in place). */
  addTrace(input: Span[]): void {
    this.traces++;
    this.spans += input.length;
    const { spans, children, roots, parentOf, isEntry, skewed, tick } = buildTree(input, this.warnings);
    if (skewed) this.skewed++;
    // Start times in whole milliseconds (an SDK reading Date.now(), durations exact): where a span sits against
    // its parent is known to a millisecond only, so ends and starts are compared with that much slack.
    this.tick = tick;
    this.slack = this.tick - 1;
    if (this.tick > 1) this.coarseTraces++;

    for (const s of spans) {
      if (!isEntry(s) || s.attributes['rehearse.journey'] !== undefined) continue;
      this.entry(s, children, isEntry);
      const p = parentOf(s);
      if (p !== undefined && (s.kind === 'client' || s.kind === 'producer')) this.relay(p, s, children.get(s.spanId) ?? []);
    }
    for (const r of roots) if (parentOf(r) === undefined) this.journey(r, children, isEntry);
  }

  /**
   * A client span of another service than its parent's, whose server span is under it: Zipkin's dependency linker
   * (zipkin2.internal.DependencyLinker) links the client's service to the server's and nothing to the client's
   * service (a client span with children is skipped, its server child taking the client's localServiceName as
   * caller); rehearse keeps the request's path through it. Counted for a warning (warningLines).
   */
  private relay(parent: Span, client: Span, under: Span[]): void {
    const server = under.find((c) => c.kind === 'server' || c.kind === 'consumer');
    if (server === undefined) return;
    const [p, c, t] = [this.serviceOf(parent), this.serviceOf(client), this.serviceOf(server)];
    const key = `${p}\u0000${c}\u0000${t}`;
    const r = this.relayed.get(key);
    if (r) r.count++;
    else if (this.relayed.size < 20) this.relayed.set(key, { under: p, by: c, to: t, count: 1, first: `trace ${client.traceId}, span ${client.spanId}`, beyondUs: client.durationUs - server.durationUs });
  }

  skewed = 0;
  /** Traces whose start times are whole milliseconds. */
  coarseTraces = 0;
  /** The current trace's clock resolution (us), and the slack it gives comparisons of times (us). */
  private tick = 1;
  private slack = 0;

  private serviceOf(s: Span): string {
    return s.service ?? 'unknown';
  }

  /** The calls an entry makes: entries under it, reached through its own client, producer and internal spans. */
  private calls(e: Span, children: Map<string, Span[]>, isEntry: (s: Span) => boolean): Call[] {
    const out: Call[] = [];
    // Depth first, in the spans' order, without recursion: a chain of internal spans tens of thousands deep
    // overflowed the stack (a RangeError with a stack trace).
    const visit = (first: Span) => {
      const stack = [first];
      while (stack.length > 0) {
        const c = stack.pop()!;
        if (isEntry(c)) {
          out.push(this.call(e, null, c));
          continue;
        }
        const under = children.get(c.spanId) ?? [];
        if (c.kind === 'client' || c.kind === 'producer') {
          const entries = under.filter(isEntry);
          if (entries.length > 0) for (const x of entries) out.push(this.call(e, c, x));
          else out.push(this.call(e, c, null));
          continue;
        }
        for (let i = under.length - 1; i >= 0; i--) stack.push(under[i]);
      }
    };
    const own = children.get(e.spanId) ?? [];
    // An entry that is itself a client or producer span (a root one, as a job or a script calling out writes it,
    // or one whose parent is another service's) with no server span under it: a call to the uninstrumented far end
    // its attributes name, as for the client spans inside an entry. Grafana Tempo's service graph draws the same edge
    // to a virtual node (grafana/tempo modules/generator/processor/servicegraphs, testdata/trace-with-virtual-nodes.json).
    // Not when nothing names the far end, or names the span's own service: then the service is the far end, its
    // spans written for it (HotROD's mysql and redis-manual services are client spans under their callers').
    if ((e.kind === 'client' || e.kind === 'producer') && !own.some(isEntry)) {
      const peer = peerName(e, this.serviceOf(e));
      if (peer.fallback !== true && peer.name !== this.serviceOf(e)) out.push(this.call(e, e, null));
    }
    for (const c of own) visit(c);
    out.sort((a, b) => a.start - b.start || a.end - b.end);
    return out;
  }

  private call(parent: Span, client: Span | null, entry: Span | null): Call {
    const outer = (client ?? entry)!;
    let target: string;
    if (entry !== null) target = `${this.serviceOf(entry)}\u0000${this.endpointName(entry)}`;
    else {
      const a = client!.attributes;
      const peer = peerName(client!, this.serviceOf(client!));
      const svc = peer.name;
      if (!this.peers.has(svc)) this.peers.set(svc, peer.by);
      target = `${svc}\u0000${this.endpointName(client!)}`;
      // The far end of a client span nobody instrumented: its duration is all we know of it.
      if (a['error.type'] === undefined || !['rejected', 'breaker-open', 'timeout'].includes(String(a['error.type']))) {
        const leaf = this.stats(this.leaves, svc, this.endpointName(client!));
        leaf.invocations++;
        if (client!.error) {
          leaf.errors++;
          leaf.ownErrors++;
        } else {
          leaf.ok++;
          this.keep(leaf, client!.durationUs);
        }
      }
    }
    const resend = Number(outer.attributes['http.request.resend_count'] ?? entry?.attributes['http.request.resend_count'] ?? NaN);
    const start = outer.startUs, end = outer.startUs + outer.durationUs;
    const async = client?.kind === 'producer' || entry?.kind === 'consumer' || entry?.follows === true || client?.follows === true ||
      end > parent.startUs + parent.durationUs + this.tick;
    return {
      target, start, end, client, entry, async,
      ok: !(client?.error ?? false) && !(client === null && entry!.error),
      resend, errorType: String(outer.attributes['error.type'] ?? ''),
    };
  }

  private entry(e: Span, children: Map<string, Span[]>, isEntry: (s: Span) => boolean): void {
    const service = this.serviceOf(e);
    const st = this.stats(this.endpoints, service, this.endpointName(e));
    st.invocations++;
    let iv = this.serviceIntervals.get(service);
    if (!iv) this.serviceIntervals.set(service, (iv = { starts: [], ends: [] }));
    iv.starts.push(e.startUs);
    iv.ends.push(e.startUs + e.durationUs);
    const calls = this.calls(e, children, isEntry);
    const logical = this.logical(st, calls);
    const failedSync = logical.some((l) => !l.async && !l.attempts[l.attempts.length - 1].ok);
    for (const c of calls) {
      // The time between a client span and its server span; a timed-out attempt's server outlives its client.
      if (c.async || c.client === null || c.entry === null || c.errorType === 'timeout') continue;
      const edge = this.edges.get(`${service}\u0000${st.endpoint}\u0001${c.target}`)!;
      const at = this.reservoir(edge.network, ++edge.networkSeen, c.client.durationUs - c.entry.durationUs);
      if (at >= 0) edge.networkAt[at] = c.client.startUs;
    }
    if (e.error) {
      st.errors++;
      if (!failedSync) st.ownErrors++;
      return;
    }
    st.ok++;
    const inner = this.innerError(e, children, isEntry);
    if (inner !== null) {
      st.innerErrors++;
      this.innerErrors.count++;
      this.innerErrors.first ??= `trace ${inner.traceId}, span ${inner.spanId} (${this.serviceOf(inner)} ${inner.name})`;
    }
    // Own latency: the span less the time its synchronous calls cover. A call covers its attempts and the waits
    // between them (retry backoff), and the time its first attempt waited for a client-side pool slot when the
    // span says (rehearse.pool_wait_us).
    const end = e.startUs + e.durationUs;
    const intervals: [number, number][] = [];
    for (const l of logical) {
      if (l.async) continue;
      const first = l.attempts[0];
      const wait = Number(first.client?.attributes['rehearse.pool_wait_us'] ?? 0) || 0;
      intervals.push([l.start - wait, l.end]);
    }
    intervals.sort((x, y) => x[0] - y[0]);
    let covered = 0, cursor = e.startUs;
    for (const [s0, s1] of intervals) {
      const a = Math.max(s0, cursor), b = Math.min(s1, end);
      if (b > a) {
        covered += b - a;
        cursor = b;
      }
    }
    this.keep(st, Math.max(0, Math.round(e.durationUs - covered - (this.ownWait?.(e) ?? 0))));
    structure(st, logical, this.slack);
  }

  /**
   * The first failed span of the entry's own service inside it: a local span (neither another entry nor a call, whose
   * failures are the call's), or null. The entry answered, so its caller saw no failure.
   */
  private innerError(e: Span, children: Map<string, Span[]>, isEntry: (s: Span) => boolean): Span | null {
    const stack = [...(children.get(e.spanId) ?? [])].reverse();
    while (stack.length > 0) {
      const c = stack.pop()!;
      if (isEntry(c) || c.kind === 'client' || c.kind === 'producer') continue;
      if (c.error) return c;
      const under = children.get(c.spanId) ?? [];
      for (let i = under.length - 1; i >= 0; i--) stack.push(under[i]);
    }
    return null;
  }

  /** Groups attempts into calls: an attempt marked as a resend, or one after a failed attempt at the same target, is a retry. */
  private logical(st: EndpointStats, calls: Call[]): Logical[] {
    const out: Logical[] = [];
    const last = new Map<string, Logical>();
    for (const c of calls) {
      const prev = last.get(c.target);
      const prevAttempt = prev?.attempts[prev.attempts.length - 1];
      const retry = prev !== undefined && prevAttempt !== undefined && prev.async === c.async &&
        (Number.isFinite(c.resend) ? c.resend > 0 : !prevAttempt.ok && prevAttempt.end <= c.start + this.slack);
      const edgeKey = `${st.service}\u0000${st.endpoint}\u0001${c.target}`;
      let edge = this.edges.get(edgeKey);
      if (!edge) this.edges.set(edgeKey, (edge = { calls: 0, attempts: 0, maxRetries: 0, gapSum: 0, gapCount: 0, timeouts: [], network: [], networkAt: [], networkSeen: 0 }));
      edge.attempts++;
      if (c.errorType === 'timeout') edge.timeouts.push(c.end - c.start);
      if (retry) {
        if (prev!.attempts.length === 1) {
          edge.gapSum += c.start - prevAttempt!.end;
          edge.gapCount++;
        }
        prev!.attempts.push(c);
        prev!.end = Math.max(prev!.end, c.end);
        edge.maxRetries = Math.max(edge.maxRetries, prev!.attempts.length - 1);
      } else {
        edge.calls++;
        const l: Logical = { target: c.target, async: c.async, start: c.start, end: c.end, attempts: [c] };
        out.push(l);
        last.set(c.target, l);
      }
    }
    return out;
  }

  private journey(root: Span, children: Map<string, Span[]>, isEntry: (s: Span) => boolean): void {
    this.roots++;
    this.rootStartMin = Math.min(this.rootStartMin, root.startUs);
    this.rootStartMax = Math.max(this.rootStartMax, root.startUs);
    const marked = root.attributes['rehearse.journey'];
    let name: string;
    let steps: string;
    if (typeof marked === 'string') {
      name = marked;
      const calls = this.calls(root, children, isEntry).filter((c) => !c.async);
      const targets: string[] = [];
      let last: Call | null = null;
      for (const c of calls) {
        const retry = last !== null && last.target === c.target && (Number.isFinite(c.resend) ? c.resend > 0 : !last.ok);
        if (!retry) targets.push(c.target);
        last = c;
      }
      steps = targets.join('\u0002');
    } else {
      steps = `${this.serviceOf(root)}\u0000${this.endpointName(root)}`;
      name = this.endpointName(root);
    }
    let j = this.journeys.get(name);
    if (!j) this.journeys.set(name, (j = { count: 0, errors: 0, steps: new Map(), latencies: [] }));
    j.count++;
    if (root.error) j.errors++;
    j.steps.set(steps, (j.steps.get(steps) ?? 0) + 1);
    if (j.latencies.length < RESERVOIR) j.latencies.push(root.durationUs);
  }
}
