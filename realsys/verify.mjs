/**
 * Checks OTLP JSON files written one per service: each holds spans of one service, and together they join by
 * trace id into whole traces (one root per trace, a frontend server span; every parent found in some file). Also
 * counts the shapes the shop must show: the parallel fan-out, the probabilistic call, the retried write, and how
 * exact the timestamps are: the Node SDK takes a span's start from Date.now() (whole milliseconds) and its end
 * as that start plus a high-resolution duration, so a child can seem to start before or end after its parent.
 */
import { readFileSync } from 'node:fs';

const SERVER = 2;

export function verifyTraces(files, services) {
  const problems = [];
  const spans = [];
  const perService = {};
  for (const file of files) {
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const names = new Set();
    let n = 0;
    for (const rs of doc.resourceSpans ?? []) {
      const name = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value?.stringValue;
      names.add(name);
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) {
        spans.push({ ...s, service: name });
        n++;
      }
    }
    if (n === 0) problems.push(`${file}: no spans`);
    if (names.size !== 1) problems.push(`${file}: spans of ${names.size} services (${[...names].join(', ')}), expected one`);
    for (const name of names) perService[name] = (perService[name] ?? 0) + n;
  }
  for (const s of services) if (!perService[s]) problems.push(`no spans from ${s}`);

  const byTrace = new Map();
  for (const s of spans) {
    let list = byTrace.get(s.traceId);
    if (!list) byTrace.set(s.traceId, (list = []));
    list.push(s);
  }
  let orphans = 0, badRoots = 0, fanOut = 0, recommended = 0, retried = 0;
  let wholeMsStarts = 0, children = 0, endsAfterParent = 0, startsBeforeParent = 0, worstOverrunUs = 0;
  for (const s of spans) if (s.startTimeUnixNano.endsWith('000000')) wholeMsStarts++;
  for (const [traceId, list] of byTrace) {
    const ids = new Map(list.map((s) => [s.spanId, s]));
    const roots = list.filter((s) => !s.parentSpanId);
    for (const s of list) {
      if (!s.parentSpanId) continue;
      const p = ids.get(s.parentSpanId);
      if (!p) {
        orphans++;
        continue;
      }
      children++;
      const overrun = Number(BigInt(s.endTimeUnixNano) - BigInt(p.endTimeUnixNano)) / 1000;
      if (overrun > 0) endsAfterParent++;
      if (BigInt(s.startTimeUnixNano) < BigInt(p.startTimeUnixNano)) startsBeforeParent++;
      worstOverrunUs = Math.max(worstOverrunUs, overrun);
    }
    if (roots.length !== 1 || roots[0].service !== 'frontend' || roots[0].kind !== SERVER) {
      badRoots++;
      if (badRoots <= 3) problems.push(`trace ${traceId}: ${roots.length} roots (${roots.map((r) => `${r.service} ${r.name}`).join(', ')})`);
    }
    // Server spans by the server span of the service that called them (through its client span).
    const callerOf = (s) => ids.get(ids.get(s.parentSpanId)?.parentSpanId);
    const servers = list.filter((s) => s.kind === SERVER);
    const under = (parent, service, name) => servers.filter((s) => s.service === service && s.name === name && callerOf(s) === parent);
    for (const fe of servers.filter((s) => s.service === 'frontend' && s.name === 'GET /product')) {
      const [item] = under(fe, 'catalog', 'GET /item'), [cart] = under(fe, 'cart', 'GET /cart');
      if (item && cart && overlap(item, cart)) fanOut++;
      if (under(fe, 'recommend', 'GET /recs').length > 0) recommended++;
    }
    for (const c of servers.filter((s) => s.service === 'cart' && s.name === 'POST /checkout')) {
      if (under(c, 'db', 'POST /write').length === 2) retried++;
    }
  }
  if (orphans > 0) problems.push(`${orphans} spans whose parent is in no file`);
  const share = (n, of) => Math.round((n / of) * 10000) / 10000;
  return {
    ok: problems.length === 0, problems, services: perService, spans: spans.length, traces: byTrace.size, orphans, badRoots, fanOut, recommended, retried,
    timestamps: {
      wholeMsStarts: share(wholeMsStarts, spans.length),
      childrenEndingAfterParent: share(endsAfterParent, children),
      childrenStartingBeforeParent: share(startsBeforeParent, children),
      worstOverrunUs: Math.round(worstOverrunUs),
    },
  };
}

const overlap = (a, b) => BigInt(a.startTimeUnixNano) < BigInt(b.endTimeUnixNano) && BigInt(b.startTimeUnixNano) < BigInt(a.endTimeUnixNano);
