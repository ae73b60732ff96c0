/**
 * Sampled traces of a run: one span per call attempt (a client span in the caller, a server span in the callee
 * when the attempt reached it), under a root span per journey whose trace id is the journey's correlation id.
 *
 * The simulator calls these hooks only for journeys this recorder chose at their start, from the journey's
 * number (a hash: no random draw, so every other stream is untouched). With `errors`, every journey is followed
 * and, at its end, kept when it failed or the ground truth says a flag or a fault hurt it, or when its number
 * was sampled. Kept traces are bounded by `maxSpans`; the rest are counted, not kept.
 */
import type { CompiledModel } from '../model/compile.js';
import type { FlagRuntime } from '../flags/runtime.js';
import type { Scenario } from '../scenario/types.js';
import type { Span, AttributeValue, SpanEvent } from '../interop/traces/span.js';
import { CAUSE_NAMES, CAUSE_OK, CAUSE_REJECTED, CAUSE_TIMEOUT, CAUSE_BREAKER_OPEN } from './telemetry.js';
import { SLOW_FAULT, SLOW_FLAG, TRUTH_FAULT, TRUTH_FLAG, TRUTH_CONTRACT, TRUTH_NAMES } from '../model/truth.js';

export interface TraceSampling {
  /** Share of journeys kept, from 0 to 1. */
  rate: number;
  /** Also keep every journey that failed or that a flag or fault hurt. */
  errors: boolean;
  /** Spans kept at most (default 2,000,000). */
  maxSpans?: number;
}

/** Parses `1%`, `0.5%`, `errors+1%`, `errors`. */
export function parseTraceSample(text: string): TraceSampling | null {
  const m = /^(errors(?:\+|$))?(?:(\d+(?:\.\d+)?)%)?$/.exec(text.trim());
  if (!m || (m[1] === undefined && m[2] === undefined)) return null;
  const rate = m[2] === undefined ? 0 : Number(m[2]) / 100;
  if (!(rate >= 0 && rate <= 1)) return null;
  return { rate, errors: m[1] !== undefined };
}

interface Rec {
  kind: Span['kind'];
  parent: Rec | null;
  name: string;
  service: string;
  start: number;
  end: number;
  attributes: Record<string, AttributeValue>;
  events: SpanEvent[];
  error: boolean;
  id: number;
}

interface Trace {
  journey: number;
  number: number;
  spans: Rec[];
  open: number;
  ended: boolean;
  keep: boolean;
  next: number;
}

const fmix32 = (h: number): number => {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
};

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0').slice(-width);

export class TraceRecorder {
  private model!: CompiledModel;
  private flags: FlagRuntime | null = null;
  private scenario!: Scenario;
  private threshold = 0;
  private seedMix = 0;
  private readonly maxSpans: number;
  private readonly traces: (Trace | null)[] = [];
  private freeSlots: number[] = [];
  private readonly client: (Rec | null)[] = [];
  private readonly server: (Rec | null)[] = [];
  private readonly parentOf: (Rec | null)[] = [];
  private readonly slotOf: number[] = [];
  private readonly stepTarget: number[] = [];
  private readonly stepSent: number[] = [];
  private readonly waitFrom: number[] = [];
  /** Kept traces, in the order their journeys ended. */
  readonly kept: Span[][] = [];
  keptSpans = 0;
  droppedTraces = 0;
  followed = 0;
  private epochUs = 0;

  constructor(readonly sampling: TraceSampling) {
    this.maxSpans = sampling.maxSpans ?? 2_000_000;
  }

  /** Called by the simulation it is attached to. */
  bind(model: CompiledModel, flags: FlagRuntime | null, scenario: Scenario, seed: number): void {
    this.model = model;
    this.flags = flags;
    this.scenario = scenario;
    this.threshold = Math.floor(this.sampling.rate * 4294967296);
    this.seedMix = fmix32(seed ^ 0x9e3779b9);
    // Spans carry Unix times: the run starts at a fixed instant (2026-01-01T00:00:00Z) so that files are reproducible.
    this.epochUs = 1767225600 * 1e6;
  }

  /** Whether journey number `n` is in the sample: a hash of the number and the seed. */
  sampled(n: number): boolean {
    return fmix32((n ^ this.seedMix) + Math.floor(n / 4294967296)) < this.threshold;
  }

  private traceId(n: number): string {
    return `${hex(this.seedMix, 8)}00000000${hex(Math.floor(n / 4294967296), 8)}${hex(n >>> 0, 8)}`;
  }

  private open(slot: number, kind: Span['kind'], parent: Rec | null, name: string, service: string, start: number): Rec {
    const t = this.traces[slot]!;
    const r: Rec = { kind, parent, name, service, start, end: -1, attributes: {}, events: [], error: false, id: t.next++ };
    t.spans.push(r);
    t.open++;
    return r;
  }

  private close(slot: number, r: Rec, now: number): void {
    if (r.end >= 0) return;
    r.end = now;
    const t = this.traces[slot]!;
    t.open--;
    if (t.ended && t.open === 0) this.finalize(slot);
  }

  journeyStarted(rec: number, n: number, j: number, now: number): number {
    const keep = this.sampled(n);
    if (!keep && !this.sampling.errors) return -1;
    this.followed++;
    const slot = this.freeSlots.length > 0 ? this.freeSlots.pop()! : this.traces.push(null) - 1;
    this.traces[slot] = { journey: j, number: n, spans: [], open: 0, ended: false, keep, next: 1 };
    const root = this.open(slot, 'internal', null, this.model.journeyNames[j], 'journeys', now);
    root.attributes['rehearse.journey'] = this.model.journeyNames[j];
    this.server[rec] = root;
    this.slotOf[rec] = slot;
    return slot;
  }

  /** A new attempt record: its parent span is the caller's server span (first attempt) or the same as the attempt it retries. */
  spawned(rec: number, from: number, attempt: number): void {
    this.parentOf[rec] = attempt > 0 ? this.parentOf[from] ?? null : this.server[from] ?? null;
    this.slotOf[rec] = this.slotOf[from];
    this.client[rec] = null;
    this.server[rec] = null;
    this.waitFrom[rec] = -1;
  }

  /** The attempt waits for a slot of its client-side pool (a parallel group's limit). */
  waiting(rec: number, now: number): void {
    this.waitFrom[rec] = now;
  }

  sent(rec: number, site: number, attempt: number, now: number): void {
    const m = this.model;
    const e = m.siteEndpoint[site];
    const s = m.endpointService[e];
    const caller = m.siteCaller[site];
    const slot = this.slotOf[rec];
    const endpoint = m.endpointNames[e].slice(m.serviceNames[s].length + 1);
    const parent = this.parentOf[rec] ?? null;
    if (caller < 0) {
      // A journey step: the user's side has no service of ours, so the attempt is only its server span.
      this.client[rec] = null;
      this.stepTarget[rec] = e;
      this.stepSent[rec] = now;
      return;
    }
    const c = this.open(slot, m.siteAsync[site] === 1 ? 'producer' : 'client', parent, endpoint, m.serviceNames[caller], now);
    c.attributes['peer.service'] = m.serviceNames[s];
    c.attributes['http.route'] = `/${endpoint}`;
    if (attempt > 0) c.attributes['http.request.resend_count'] = attempt;
    if (this.waitFrom[rec] >= 0) c.attributes['rehearse.pool_wait_us'] = now - this.waitFrom[rec];
    this.client[rec] = c;
  }

  serverStarted(rec: number, e: number, s: number, now: number, flagsOn: number): void {
    const m = this.model;
    const slot = this.slotOf[rec];
    const endpoint = m.endpointNames[e].slice(m.serviceNames[s].length + 1);
    const c = this.client[rec];
    const async = c !== null && c !== undefined && c.kind === 'producer';
    const r = this.open(slot, async ? 'consumer' : 'server', c ?? this.parentOf[rec] ?? null, endpoint, m.serviceNames[s], now);
    r.attributes['http.route'] = `/${endpoint}`;
    const fl = this.flags;
    if (fl !== null) {
      for (const f of fl.evaluatedBy[s]) {
        const on = ((flagsOn >>> f) & 1) === 1;
        r.events.push({
          timeUs: now,
          name: 'feature_flag.evaluation',
          attributes: {
            'feature_flag.key': fl.flagKeys[f],
            'feature_flag.variant': on ? 'on' : 'off',
            'feature_flag.result.variant': on ? 'on' : 'off',
            'feature_flag.provider_name': this.scenario.flags[f].bucketing,
            'feature_flag.provider.name': this.scenario.flags[f].bucketing,
            'rehearse.config_version': fl.appliedVersion(s, f),
          },
        });
      }
    }
    this.server[rec] = r;
  }

  private outcome(r: Rec, cause: number, truth: number, ref: number, slow: number, server: boolean): void {
    r.attributes['http.response.status_code'] = cause === CAUSE_OK ? 200 : cause === CAUSE_REJECTED ? 503 : cause === CAUSE_TIMEOUT ? 504 : cause === CAUSE_BREAKER_OPEN ? 503 : 500;
    if (cause !== CAUSE_OK) {
      r.error = true;
      r.attributes['error.type'] = CAUSE_NAMES[cause];
      if (!server || truth !== 0) r.attributes['rehearse.truth'] = TRUTH_NAMES[truth] ?? 'none';
    }
    const faults = this.scenario.faults;
    if (((truth === TRUTH_FAULT && cause !== CAUSE_OK) || (slow & SLOW_FAULT) !== 0) && ref >= 0 && ref < faults.length) {
      r.attributes['rehearse.fault'] = faults[ref].name;
    }
    if ((truth === TRUTH_FLAG || truth === TRUTH_CONTRACT) && cause !== CAUSE_OK && this.flags !== null && ref >= 0) r.attributes['rehearse.flag'] = this.flags.flagKeys[ref];
    if ((slow & SLOW_FLAG) !== 0) r.attributes['rehearse.slowed_by_flag'] = true;
  }

  serverEnded(rec: number, cause: number, truth: number, ref: number, now: number): void {
    const r = this.server[rec];
    if (r === null || r === undefined || r.kind === 'internal') return;
    this.outcome(r, cause, truth, ref, 0, true);
    this.close(this.slotOf[rec], r, now);
  }

  clientEnded(rec: number, cause: number, truth: number, ref: number, slow: number, now: number): void {
    const slot = this.slotOf[rec];
    const c = this.client[rec];
    if (c === null || c === undefined) {
      // A journey step that never reached its service (rejected, refused, dropped): an error span of the user's side.
      const server = this.server[rec];
      if (cause !== CAUSE_OK && (server === null || server === undefined)) {
        const e = this.stepTarget[rec];
        const m = this.model;
        const name = m.endpointNames[e].slice(m.serviceNames[m.endpointService[e]].length + 1);
        const r = this.open(slot, 'client', this.parentOf[rec] ?? null, name, 'journeys', this.stepSent[rec]);
        r.attributes['peer.service'] = m.serviceNames[m.endpointService[e]];
        this.outcome(r, cause, truth, ref, slow, false);
        this.close(slot, r, now);
      }
      return;
    }
    this.outcome(c, cause, truth, ref, slow, false);
    this.close(slot, c, now);
  }

  journeyEnded(rec: number, cause: number, truth: number, ref: number, slow: number, tooSlow: boolean, now: number): void {
    const slot = this.slotOf[rec];
    const t = this.traces[slot]!;
    const root = this.server[rec]!;
    this.outcome(root, cause, truth, ref, slow, false);
    if (this.sampling.errors && (cause !== CAUSE_OK || (tooSlow && (slow & (SLOW_FAULT | SLOW_FLAG)) !== 0) || truth === TRUTH_FLAG)) t.keep = true;
    t.ended = true;
    this.close(slot, root, now);
  }

  private finalize(slot: number): void {
    const t = this.traces[slot]!;
    this.traces[slot] = null;
    this.freeSlots.push(slot);
    if (!t.keep) return;
    if (this.keptSpans + t.spans.length > this.maxSpans) {
      this.droppedTraces++;
      return;
    }
    this.keptSpans += t.spans.length;
    this.kept.push(this.toSpans(t, Infinity));
  }

  private toSpans(t: Trace, cut: number): Span[] {
    const traceId = this.traceId(t.number);
    const spanId = (r: Rec) => `${hex(t.number % 0xffffffffff, 10)}${hex(r.id, 6)}`;
    return t.spans.map((r) => ({
      traceId,
      spanId: spanId(r),
      parentId: r.parent === null ? null : spanId(r.parent),
      follows: false,
      service: r.service,
      name: r.name,
      kind: r.kind,
      startUs: this.epochUs + r.start,
      durationUs: (r.end >= 0 ? r.end : cut) - r.start,
      error: r.error,
      attributes: r.end >= 0 ? r.attributes : { ...r.attributes, 'rehearse.unfinished': true },
      events: r.events.map((e) => ({ ...e, timeUs: this.epochUs + e.timeUs })),
      shared: false,
      remoteService: typeof r.attributes['peer.service'] === 'string' ? r.attributes['peer.service'] : null,
    }));
  }

  /** At the end of the run: journeys that ended keep their unfinished asynchronous spans, cut at `endUs`. */
  finish(endUs: number): void {
    for (let slot = 0; slot < this.traces.length; slot++) {
      const t = this.traces[slot];
      if (t === null || !t.ended || !t.keep) continue;
      if (this.keptSpans + t.spans.length <= this.maxSpans) {
        this.keptSpans += t.spans.length;
        this.kept.push(this.toSpans(t, endUs));
      } else this.droppedTraces++;
      this.traces[slot] = null;
    }
  }
}
