/**
 * Backtesting a calibration: a scenario calibrated from one set of traces is run at another set's conditions (its
 * arrival rate) and compared, journey by journey, with that set's root spans: mean, p50, p95, p99 and error rate,
 * each with the prediction's error. Like with like: root spans on both sides (the hop from the users to the
 * first service is in neither).
 */
import type { Span } from '../observe/span.js';
import type { Scenario } from '../scenario/types.js';
import { runScenario } from '../score/result.js';
import type { Analysis } from './analyze.js';
import type { CapacityNote } from './notes.js';
import { quantile, safe } from './scenario.js';
import { buildTree } from './tree.js';

export interface Figures {
  readonly requests: number;
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly errorRate: number;
}

export interface CheckRow {
  readonly journey: string;
  readonly measured: Figures;
  readonly predicted: Figures;
}

/**
 * An endpoint's fit, like with like: its callers' view in the other set (the client span of each attempt, as a
 * mesh reports a destination; the span itself where no client span calls it, as for a journey's first service)
 * against the model's figure for that endpoint, also its callers' view, at the other set's load; `predicted` is
 * null where the scenario has no such endpoint.
 */
export interface EndpointRow {
  readonly service: string;
  readonly endpoint: string;
  readonly measured: { readonly spans: number; readonly meanMs: number; readonly p99Ms: number };
  readonly predicted: { readonly requests: number; readonly meanMs: number; readonly p99Ms: number } | null;
}

/** What the calibration could not take from the traces: each service's capacity with its evidence, and its warnings. */
export interface CheckNotes {
  readonly capacities: readonly CapacityNote[];
  readonly warnings: readonly string[];
}

export interface CheckResult {
  readonly schema: 'rehearse/calibration-check@1';
  /** The other set's arrival rate, at which the scenario ran. */
  readonly ratePerSec: number;
  readonly journeys: readonly CheckRow[];
  /** Journeys of the other set that the scenario does not have. */
  readonly missing: readonly string[];
  readonly endpoints: readonly EndpointRow[];
  readonly notes: CheckNotes;
}

/** Per service and endpoint, the durations (us) of its attempts as its callers saw them, gathered a trace at a time. */
export class EndpointSpans {
  readonly durations = new Map<string, { service: string; endpoint: string; us: number[] }>();

  constructor(private readonly nameOf: (s: Span) => string) {}

  /** Reads one trace's spans (copies: the tree is built without touching them). */
  add(spans: readonly Span[]): void {
    const warnings = { skewedTraces: [], orphanSpans: 0, orphanTraces: [], cycles: [], noService: 0, noServiceTraces: [], duplicateIds: 0 };
    const { spans: tree, isEntry, parentOf } = buildTree(spans.map((s) => ({ ...s })), warnings);
    for (const s of tree) {
      if (!isEntry(s) || s.attributes['rehearse.journey'] !== undefined) continue;
      const service = s.service ?? 'unknown', endpoint = this.nameOf(s);
      const key = `${service}\u0000${endpoint}`;
      let d = this.durations.get(key);
      if (!d) this.durations.set(key, (d = { service, endpoint, us: [] }));
      const p = parentOf(s);
      const caller = p !== undefined && p.kind === 'client' && p.service !== s.service ? p : s;
      if (d.us.length < 50_000) d.us.push(caller.durationUs);
    }
  }
}

/** Journeys simulated per check: enough for a p99 of each journey that holds a few percent. */
const REQUESTS = 50_000;

export function checkAgainst(calibrated: Scenario, other: Analysis, spans: EndpointSpans, notes: CheckNotes): CheckResult {
  const spanS = (other.rootStartMax - other.rootStartMin) / 1e6;
  const ratePerSec = other.roots > 1 && spanS > 0 ? (other.roots - 1) / spanS / other.options.sampleRate : calibrated.traffic.perSec;
  const s: Scenario = {
    ...calibrated,
    traffic: { ...calibrated.traffic, perSec: ratePerSec, requests: REQUESTS },
    durationUs: Math.ceil((2 * REQUESTS * 1e6) / ratePerSec),
  };
  const run = runScenario(s);
  const journeys: CheckRow[] = [];
  const missing: string[] = [];
  for (const [name, j] of [...other.journeys].sort((a, b) => b[1].count - a[1].count)) {
    const sim = run.journeys[safe(name)];
    if (!sim) {
      missing.push(name);
      continue;
    }
    const ms = [...j.latencies].sort((a, b) => a - b).map((x) => x / 1000);
    journeys.push({
      journey: safe(name),
      measured: {
        requests: j.count,
        meanMs: ms.reduce((a, b) => a + b, 0) / Math.max(1, ms.length),
        p50Ms: quantile(ms, 0.5),
        p95Ms: quantile(ms, 0.95),
        p99Ms: quantile(ms, 0.99),
        errorRate: j.errors / Math.max(1, j.count),
      },
      predicted: {
        requests: sim.requests,
        meanMs: sim.latencyMs.mean,
        p50Ms: sim.latencyMs.p50,
        p95Ms: sim.latencyMs.p95,
        p99Ms: sim.latencyMs.p99,
        errorRate: sim.errorRate,
      },
    });
  }
  const endpoints: EndpointRow[] = [...spans.durations.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : a.endpoint < b.endpoint ? -1 : 1)).map((d) => {
    const ms = [...d.us].sort((a, b) => a - b).map((x) => x / 1000);
    const sim = run.services[safe(d.service)]?.endpoints[safe(d.endpoint)];
    return {
      service: safe(d.service),
      endpoint: safe(d.endpoint),
      measured: { spans: ms.length, meanMs: ms.reduce((a, b) => a + b, 0) / ms.length, p99Ms: quantile(ms, 0.99) },
      predicted: sim ? { requests: sim.requests, meanMs: sim.latencyMs.mean, p99Ms: sim.latencyMs.p99 } : null,
    };
  });
  return { schema: 'rehearse/calibration-check@1', ratePerSec, journeys, missing, endpoints, notes };
}
