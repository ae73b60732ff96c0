/**
 * One trace's spans as a tree: Zipkin's shared client/server ids split, orphans and parent cycles made roots,
 * clock skew corrected (as Jaeger's adjuster does), and what made the trace irregular counted in the warnings.
 */
import type { Span } from '../observe/span.js';

export interface Warnings {
  skewedTraces: string[];
  orphanSpans: number;
  orphanTraces: string[];
  cycles: string[];
  noService: number;
  noServiceTraces: string[];
  duplicateIds: number;
}

export const LIMIT_NAMED = 5;

export interface Tree {
  spans: Span[];
  children: Map<string, Span[]>;
  roots: Span[];
  parentOf: (s: Span) => Span | undefined;
  /**
   * Where a service starts work on a request: a root, a server or consumer span, a change of service, or an internal
   * span that outlives its parent (work the parent started and did not wait for).
   */
  isEntry: (s: Span) => boolean;
  skewed: boolean;
  /** The trace's clock resolution (us): 1000 where every start is a whole millisecond (an SDK reading Date.now()). */
  tick: number;
}

/** Builds the tree of one trace's spans (mutated: skew is corrected in place, shared ids are split). */
export function buildTree(input: Span[], warnings: Warnings): Tree {
  const traceId = input[0].traceId;
  const byId = new Map<string, Span>();
  // Zipkin's shared spans: a server span with its client's id becomes a child of that client.
  let noService = false;
  for (const s of input) {
    if (s.service === null) {
      warnings.noService++;
      noService = true;
    }
    const other = byId.get(s.spanId);
    if (other === undefined) {
      byId.set(s.spanId, s);
      continue;
    }
    const [server, client] = s.kind === 'server' || s.shared ? [s, other] : other.kind === 'server' || other.shared ? [other, s] : [null, null];
    if (server === null || client === null) {
      warnings.duplicateIds++;
      continue;
    }
    byId.set(client.spanId, client);
    server.spanId = `${client.spanId}~server`;
    server.parentId = client.spanId;
    byId.set(server.spanId, server);
  }
  if (noService && warnings.noServiceTraces.length < LIMIT_NAMED) warnings.noServiceTraces.push(traceId);
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
    warnings.orphanSpans += orphans;
    if (warnings.orphanTraces.length < LIMIT_NAMED) warnings.orphanTraces.push(traceId);
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
    if (warnings.cycles.length < LIMIT_NAMED) warnings.cycles.push(`${traceId} (span ${s.spanId})`);
    const siblings = children.get(s.parentId!);
    if (siblings) siblings.splice(siblings.indexOf(s), 1);
    s.parentId = null;
    roots.push(s);
    mark(s);
  }
  const parentOf = (s: Span) => (s.parentId === null ? undefined : byId.get(s.parentId));
  let tick = 1;
  // An internal span ending after its parent (past the clock's resolution) is work the parent handed off and did
  // not wait for, as a consumer's poll hands each message to an on-message span (Brave's kafka-clients
  // instrumentation; zipkin-lens testdata/messaging-kafka.json): its time is the service's, spent after the parent
  // answered, so it is an entry of its own, called asynchronously, not time inside the parent. Not under a client
  // or producer span, whose local children are parts of the call (an HTTP client's dns, connect and tls spans).
  const isEntry = (s: Span) => {
    const p = parentOf(s);
    return p === undefined || s.kind === 'server' || s.kind === 'consumer' || (p.service ?? '') !== (s.service ?? '') ||
      ((s.kind === 'internal' || s.kind === 'unspecified') && p.kind !== 'client' && p.kind !== 'producer' &&
        s.startUs + s.durationUs > p.startUs + p.durationUs + tick);
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
  if (skewed && warnings.skewedTraces.length < LIMIT_NAMED) warnings.skewedTraces.push(traceId);
  // Start times in whole milliseconds: where a span sits against its parent is known to a millisecond only.
  tick = spans.length > 1 && spans.every((s) => s.startUs % 1000 === 0) ? 1000 : 1;
  return { spans, children, roots, parentOf, isEntry, skewed, tick };
}
