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

export interface CalibrateOptions {
  /** How operations become endpoints: by span name, by `http.route` (falling back to the name), or by a regex. */
  groupBy: 'name' | 'http.route' | RegExp;
  /** Share of traces the files hold (1 = every trace): scales the arrival rate. */
  sampleRate: number;
}

export interface ItemStats {
  kind: 'seq' | 'par' | 'async';
  targets: string[];
  present: number;
  positionSum: number;
  /** Per target, how many calls each time the item was present. */
  counts: Map<string, Map<number, number>>;
  maxOverlap: number;
}

export interface EndpointStats {
  service: string;
  endpoint: string;
  invocations: number;
  ok: number;
  errors: number;
  ownErrors: number;
  own: number[];
  ownSeen: number;
  networkUs: number;
  networkCount: number;
  items: Map<string, ItemStats>;
}

export interface EdgeStats {
  calls: number;
  attempts: number;
  maxRetries: number;
  gapSum: number;
  gapCount: number;
  timeouts: number[];
}

export interface Warnings {
  skewedTraces: string[];
  orphanSpans: number;
  orphanTraces: string[];
  cycles: string[];
  noService: number;
  noServiceTraces: string[];
  duplicateIds: number;
}

const RESERVOIR = 50_000;
const LIMIT_NAMED = 5;

export class Analysis {
  readonly endpoints = new Map<string, EndpointStats>();
  /** Endpoints seen only as the far end of a client span with no server span under it (an uninstrumented service). */
  readonly leaves = new Map<string, EndpointStats>();
  readonly edges = new Map<string, EdgeStats>();
  readonly journeys = new Map<string, { count: number; steps: Map<string, number>; latencies: number[] }>();
  readonly serviceIntervals = new Map<string, { starts: number[]; ends: number[] }>();
  readonly warnings: Warnings = { skewedTraces: [], orphanSpans: 0, orphanTraces: [], cycles: [], noService: 0, noServiceTraces: [], duplicateIds: 0 };
  spans = 0;
  traces = 0;
  rootStartMin = Infinity;
  rootStartMax = -Infinity;
  roots = 0;
  private rand = 0x2545f491;

  constructor(readonly options: CalibrateOptions) {}

  private endpointName(s: Span): string {
    const g = this.options.groupBy;
    let name = s.name;
    if (g === 'http.route') {
      const r = s.attributes['http.route'];
      if (typeof r === 'string' && r !== '') name = r;
    } else if (g instanceof RegExp) {
      const m = g.exec(s.name);
      if (m) name = m[1] ?? m[0];
    }
    return name;
  }

  private stats(map: Map<string, EndpointStats>, service: string, endpoint: string): EndpointStats {
    const key = `${service}\u0000${endpoint}`;
    let e = map.get(key);
    if (!e) {
      e = { service, endpoint, invocations: 0, ok: 0, errors: 0, ownErrors: 0, own: [], ownSeen: 0, networkUs: 0, networkCount: 0, items: new Map() };
      map.set(key, e);
    }
    return e;
  }

  private keep(e: EndpointStats, us: number): void {
    e.ownSeen++;
    if (e.own.length < RESERVOIR) e.own.push(us);
    else {
      // Reservoir sampling with a fixed generator: the same files give the same scenario.
      this.rand ^= this.rand << 13;
      this.rand ^= this.rand >>> 17;
      this.rand ^= this.rand << 5;
      const j = (this.rand >>> 0) % e.ownSeen;
      if (j < RESERVOIR) e.own[j] = us;
    }
  }

  /** Analyses one trace's spans (mutated: skew is corrected in place). */
  addTrace(input: Span[]): void {
    this.traces++;
    this.spans += input.length;
    const traceId = input[0].traceId;
    const byId = new Map<string, Span>();
    // Zipkin's shared spans: a server span with its client's id becomes a child of that client.
    let noService = false;
    for (const s of input) {
      if (s.service === null) {
        this.warnings.noService++;
        noService = true;
      }
      const other = byId.get(s.spanId);
      if (other === undefined) {
        byId.set(s.spanId, s);
        continue;
      }
      const [server, client] = s.kind === 'server' || s.shared ? [s, other] : other.kind === 'server' || other.shared ? [other, s] : [null, null];
      if (server === null || client === null) {
        this.warnings.duplicateIds++;
        continue;
      }
      byId.set(client.spanId, client);
      server.spanId = `${client.spanId}~server`;
      server.parentId = client.spanId;
      byId.set(server.spanId, server);
    }
    if (noService && this.warnings.noServiceTraces.length < LIMIT_NAMED) this.warnings.noServiceTraces.push(traceId);
    const spans = [...byId.values()];
    const shared = new Set(spans.filter((s) => s.spanId.endsWith('~server')).map((s) => s.spanId.slice(0, -'~server'.length)));
    const children = new Map<string, Span[]>();
    const roots: Span[] = [];
    let orphans = 0;
    for (const s of spans) {
      if (s.parentId !== null && shared.has(s.parentId) && !s.spanId.endsWith('~server')) s.parentId = `${s.parentId}~server`;
      if (s.parentId === null) roots.push(s);
      else if (!byId.has(s.parentId)) {
        orphans++;
        roots.push(s);
      } else {
        let list = children.get(s.parentId);
        if (!list) children.set(s.parentId, (list = []));
        list.push(s);
      }
    }
    if (orphans > 0) {
      this.warnings.orphanSpans += orphans;
      if (this.warnings.orphanTraces.length < LIMIT_NAMED) this.warnings.orphanTraces.push(traceId);
    }
    // Cycles: spans no root reaches. Each cut is a warning; the span becomes a root.
    const reached = new Set<string>();
    const mark = (s: Span) => {
      const stack = [s];
      while (stack.length > 0) {
        const x = stack.pop()!;
        if (reached.has(x.spanId)) continue;
        reached.add(x.spanId);
        for (const c of children.get(x.spanId) ?? []) stack.push(c);
      }
    };
    roots.forEach(mark);
    for (const s of spans) {
      if (reached.has(s.spanId)) continue;
      if (this.warnings.cycles.length < LIMIT_NAMED) this.warnings.cycles.push(`${traceId} (span ${s.spanId})`);
      const siblings = children.get(s.parentId!);
      if (siblings) siblings.splice(siblings.indexOf(s), 1);
      s.parentId = null;
      roots.push(s);
      mark(s);
    }
    const parentOf = (s: Span) => (s.parentId === null ? undefined : byId.get(s.parentId));
    const isEntry = (s: Span) => {
      const p = parentOf(s);
      return p === undefined || s.kind === 'server' || s.kind === 'consumer' || (p.service ?? '') !== (s.service ?? '');
    };
    // Clock skew, corrected as Jaeger's adjuster does: a child in another service that starts before its parent
    // is moved inside it (centred when it fits), with everything under it.
    let skewed = false;
    const shift = (s: Span, d: number) => {
      const stack = [s];
      while (stack.length > 0) {
        const x = stack.pop()!;
        x.startUs += d;
        for (const e of x.events) e.timeUs += d;
        for (const c of children.get(x.spanId) ?? []) stack.push(c);
      }
    };
    const walk: Span[] = [...roots];
    while (walk.length > 0) {
      const p = walk.pop()!;
      for (const c of children.get(p.spanId) ?? []) {
        if (c.startUs < p.startUs && (c.service ?? '') !== (p.service ?? '')) {
          const target = c.durationUs <= p.durationUs ? p.startUs + (p.durationUs - c.durationUs) / 2 : p.startUs;
          shift(c, target - c.startUs);
          skewed = true;
        }
        walk.push(c);
      }
    }
    if (skewed && this.warnings.skewedTraces.length < LIMIT_NAMED) this.warnings.skewedTraces.push(traceId);
    if (skewed) this.skewed++;

    for (const s of spans) if (isEntry(s) && s.attributes['rehearse.journey'] === undefined) this.entry(s, children, isEntry);
    for (const r of roots) if (parentOf(r) === undefined) this.journey(r, children, isEntry);
  }

  skewed = 0;

  private serviceOf(s: Span): string {
    return s.service ?? 'unknown';
  }

  /** The calls an entry makes: entries under it, reached through its own client, producer and internal spans. */
  private calls(e: Span, children: Map<string, Span[]>, isEntry: (s: Span) => boolean): Call[] {
    const out: Call[] = [];
    const visit = (c: Span) => {
      if (isEntry(c)) {
        out.push(this.call(e, null, c));
        return;
      }
      const under = children.get(c.spanId) ?? [];
      if (c.kind === 'client' || c.kind === 'producer') {
        const entries = under.filter(isEntry);
        if (entries.length > 0) for (const x of entries) out.push(this.call(e, c, x));
        else out.push(this.call(e, c, null));
        return;
      }
      for (const x of under) visit(x);
    };
    for (const c of children.get(e.spanId) ?? []) visit(c);
    out.sort((a, b) => a.start - b.start || a.end - b.end);
    return out;
  }

  private call(parent: Span, client: Span | null, entry: Span | null): Call {
    const outer = (client ?? entry)!;
    let target: string;
    if (entry !== null) target = `${this.serviceOf(entry)}\u0000${this.endpointName(entry)}`;
    else {
      const a = client!.attributes;
      const svc = client!.remoteService ?? (typeof a['db.system'] === 'string' ? a['db.system'] : null) ??
        (typeof a['server.address'] === 'string' ? a['server.address'] : null) ?? (typeof a['net.peer.name'] === 'string' ? a['net.peer.name'] : null) ??
        `${this.serviceOf(client!)}-remote`;
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
      end > parent.startUs + parent.durationUs + 1;
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
    if (e.error) {
      st.errors++;
      if (!failedSync) st.ownErrors++;
      return;
    }
    st.ok++;
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
    for (const c of calls) {
      if (c.async || c.client === null || c.entry === null) continue;
      const t = this.endpoints.get(c.target) ?? this.stats(this.endpoints, c.target.split('\u0000')[0], c.target.split('\u0000')[1]);
      t.networkUs += Math.max(0, c.entry.startUs - c.client.startUs) + Math.max(0, c.client.startUs + c.client.durationUs - c.entry.startUs - c.entry.durationUs);
      t.networkCount++;
    }
    this.keep(st, Math.max(0, Math.round(e.durationUs - covered)));
    this.structure(st, logical);
  }

  /** Groups attempts into calls: an attempt marked as a resend, or one after a failed attempt at the same target, is a retry. */
  private logical(st: EndpointStats, calls: Call[]): Logical[] {
    const out: Logical[] = [];
    const last = new Map<string, Logical>();
    for (const c of calls) {
      const prev = last.get(c.target);
      const prevAttempt = prev?.attempts[prev.attempts.length - 1];
      const retry = prev !== undefined && prevAttempt !== undefined && prev.async === c.async &&
        (Number.isFinite(c.resend) ? c.resend > 0 : !prevAttempt.ok && prevAttempt.end <= c.start);
      const edgeKey = `${st.service}\u0000${st.endpoint}\u0001${c.target}`;
      let edge = this.edges.get(edgeKey);
      if (!edge) this.edges.set(edgeKey, (edge = { calls: 0, attempts: 0, maxRetries: 0, gapSum: 0, gapCount: 0, timeouts: [] }));
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

  /** The shape of one successful invocation's calls: sequential runs, parallel groups and asynchronous calls. */
  private structure(st: EndpointStats, logical: Logical[]): void {
    type Item = { key: string; kind: ItemStats['kind']; counts: Map<string, number>; overlap: number };
    const items: Item[] = [];
    let i = 0;
    while (i < logical.length) {
      const l = logical[i];
      if (l.async) {
        const prev = items[items.length - 1];
        if (prev && prev.kind === 'async' && prev.counts.has(l.target) && prev.counts.size === 1) prev.counts.set(l.target, prev.counts.get(l.target)! + 1);
        else items.push({ key: `async:${l.target}`, kind: 'async', counts: new Map([[l.target, 1]]), overlap: 1 });
        i++;
        continue;
      }
      // A stage: synchronous calls whose intervals overlap (strictly) with the stage so far.
      const stage = [l];
      let stageEnd = l.end;
      let j = i + 1;
      for (; j < logical.length; j++) {
        const x = logical[j];
        if (x.async) continue;
        if (x.start < stageEnd) {
          stage.push(x);
          stageEnd = Math.max(stageEnd, x.end);
        } else break;
      }
      // Asynchronous calls inside the stage's span keep their place after it.
      const asyncInside = logical.slice(i + 1, j).filter((x) => x.async);
      if (stage.length === 1) {
        const prev = items[items.length - 1];
        if (prev && prev.kind === 'seq' && prev.counts.has(l.target)) prev.counts.set(l.target, prev.counts.get(l.target)! + 1);
        else items.push({ key: `seq:${l.target}`, kind: 'seq', counts: new Map([[l.target, 1]]), overlap: 1 });
      } else {
        const counts = new Map<string, number>();
        for (const x of stage) counts.set(x.target, (counts.get(x.target) ?? 0) + 1);
        const ev: [number, number][] = [];
        for (const x of stage) for (const a of x.attempts) ev.push([a.start, 1], [a.end, -1]);
        ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        let cur = 0, max = 0;
        for (const [, d] of ev) max = Math.max(max, (cur += d));
        if (max <= 1) {
          // Touching but never in flight together: sequential after all.
          for (const x of stage) {
            const prev = items[items.length - 1];
            if (prev && prev.kind === 'seq' && prev.counts.has(x.target)) prev.counts.set(x.target, prev.counts.get(x.target)! + 1);
            else items.push({ key: `seq:${x.target}`, kind: 'seq', counts: new Map([[x.target, 1]]), overlap: 1 });
          }
        } else items.push({ key: `par:${[...counts.keys()].sort().join('|')}`, kind: 'par', counts, overlap: max });
      }
      for (const x of asyncInside) items.push({ key: `async:${x.target}`, kind: 'async', counts: new Map([[x.target, 1]]), overlap: 1 });
      i = j;
    }
    const seen = new Map<string, number>();
    items.forEach((it, pos) => {
      const n = seen.get(it.key) ?? 0;
      seen.set(it.key, n + 1);
      const key = `${it.key}#${n}`;
      let s = st.items.get(key);
      if (!s) st.items.set(key, (s = { kind: it.kind, targets: [...it.counts.keys()].sort(), present: 0, positionSum: 0, counts: new Map(), maxOverlap: 0 }));
      s.present++;
      s.positionSum += pos;
      s.maxOverlap = Math.max(s.maxOverlap, it.overlap);
      for (const [t, c] of it.counts) {
        let h = s.counts.get(t);
        if (!h) s.counts.set(t, (h = new Map()));
        h.set(c, (h.get(c) ?? 0) + 1);
      }
    });
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
    if (!j) this.journeys.set(name, (j = { count: 0, steps: new Map(), latencies: [] }));
    j.count++;
    j.steps.set(steps, (j.steps.get(steps) ?? 0) + 1);
    if (j.latencies.length < RESERVOIR) j.latencies.push(root.durationUs);
  }
}

interface Call {
  target: string;
  start: number;
  end: number;
  client: Span | null;
  entry: Span | null;
  async: boolean;
  ok: boolean;
  resend: number;
  errorType: string;
}

interface Logical {
  target: string;
  async: boolean;
  start: number;
  end: number;
  attempts: Call[];
}
