/**
 * Sampled traces of a run: one span per call attempt (a client span in the caller, a server span in the callee
 * when the attempt reached it), under a root span per journey whose trace id is the journey's correlation id.
 *
 * Attached to a simulation (trace-hooks.ts), the recorder hears only of journeys it chose at their start, from
 * the journey's number (a hash: no random draw, so every other stream is untouched). With `errors`, every journey
 * is followed and, at its end, kept when it failed or the ground truth says a flag or a fault hurt it, or when its
 * number was sampled. Kept traces are bounded by `maxSpans`; the rest are counted, not kept.
 */
import type { CompiledModel } from '../model/compile.js';
import type { FlagRuntime } from '../flags/runtime.js';
import type { Scenario } from '../scenario/types.js';
import type { Span, AttributeValue, SpanEvent } from './span.js';
import { CAUSE_DOWNSTREAM, CAUSE_NAMES, CAUSE_OK, CAUSE_REJECTED, CAUSE_TIMEOUT, CAUSE_BREAKER_OPEN } from '../telemetry/telemetry.js';
import { SLOW_FAULT, SLOW_FLAG, TRUTH_FAULT, TRUTH_FLAG, TRUTH_CONTRACT, TRUTH_NAMES, TRUTH_TIMEOUT } from '../model/truth.js';

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

const KIND_INTERNAL = 0;
const KIND_SERVER = 1;
const KIND_CLIENT = 2;
const KIND_PRODUCER = 3;
const KIND_CONSUMER = 4;
const KIND_NAMES: Span['kind'][] = ['internal', 'server', 'client', 'producer', 'consumer'];

/**
 * One span as the run records it: numbers only, one shape, so that recording stays cheap; names and attributes
 * are made when the traces are read (`kept`, `traces()`), after the run.
 */
class Rec {
  end = -1;
  cause = -1;
  truth = 0;
  ref = -1;
  slow = 0;
  /** Flags on for the request (server spans of services that evaluate flags), and the versions the service held. */
  flagsOn = 0;
  versions: Int32Array | null = null;
  constructor(
    readonly kind: number,
    readonly parent: Rec | null,
    /** The endpoint called or serving; a journey's index for its root span. */
    readonly endpoint: number,
    /** The service the span belongs to; -1 for the journey's side. */
    readonly service: number,
    readonly start: number,
    readonly id: number,
    readonly attempt: number,
    readonly poolWait: number,
  ) {}
}

interface Trace {
  journey: number;
  number: number;
  spans: Rec[];
  open: number;
  ended: boolean;
  keep: boolean;
  next: number;
  /** Kept or let go: work that starts later (a callee picking up a call its caller gave up on) is not recorded. */
  done: boolean;
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
  /** Traces still being recorded. */
  private readonly live = new Set<Trace>();
  // Per simulation record (records are reused: each is reset when a traced attempt is spawned).
  private readonly client: (Rec | null)[] = [];
  private readonly server: (Rec | null)[] = [];
  private readonly parentOf: (Rec | null)[] = [];
  private readonly traceOf: (Trace | null)[] = [];
  private readonly stepTarget: number[] = [];
  private readonly stepSent: number[] = [];
  private readonly waitFrom: number[] = [];
  private readonly waitSite: number[] = [];
  /** Kept traces as recorded, in the order their journeys ended. */
  private readonly keptRaw: Trace[] = [];
  private endUs = 0;
  private converted: Span[][] | null = null;
  keptSpans = 0;
  droppedTraces = 0;
  followed = 0;
  /** Spans carry Unix times: the run starts at 2026-01-01T00:00:00Z so that files are reproducible. */
  private readonly epochUs = 1767225600 * 1e6;

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
  }

  /** Whether journey number `n` is in the sample: a hash of the number and the seed. */
  sampled(n: number): boolean {
    return fmix32((n ^ this.seedMix) + Math.floor(n / 4294967296)) < this.threshold;
  }

  private open(t: Trace, kind: number, parent: Rec | null, endpoint: number, service: number, start: number, attempt: number, poolWait: number): Rec {
    const r = new Rec(kind, parent, endpoint, service, start, t.next++, attempt, poolWait);
    if (t.done) {
      r.end = start; // not recorded: closing it changes nothing
      return r;
    }
    t.spans.push(r);
    t.open++;
    return r;
  }

  private close(t: Trace, r: Rec, now: number): void {
    if (r.end >= 0 || t.done) return;
    r.end = now;
    t.open--;
    if (t.ended && t.open === 0) this.finalize(t);
  }

  journeyStarted(rec: number, n: number, j: number, now: number): number {
    const keep = this.sampled(n);
    if (!keep && !this.sampling.errors) return -1;
    this.followed++;
    const t: Trace = { journey: j, number: n, spans: [], open: 0, ended: false, keep, next: 1, done: false };
    this.live.add(t);
    this.server[rec] = this.open(t, KIND_INTERNAL, null, j, -1, now, 0, 0);
    this.traceOf[rec] = t;
    return 0;
  }

  /** A new attempt record: its parent span is the caller's server span (first attempt) or the same as the attempt it retries. */
  spawned(rec: number, from: number, attempt: number): void {
    this.parentOf[rec] = attempt > 0 ? this.parentOf[from] ?? null : this.server[from] ?? null;
    this.traceOf[rec] = this.traceOf[from];
    this.client[rec] = null;
    this.server[rec] = null;
    this.waitFrom[rec] = -1;
    this.stepTarget[rec] = -1;
  }

  /** The attempt waits for a slot of its client-side pool (a parallel group's limit). */
  waiting(rec: number, site: number, now: number): void {
    this.waitFrom[rec] = now;
    this.waitSite[rec] = site;
  }

  sent(rec: number, site: number, attempt: number, now: number): void {
    const m = this.model;
    const e = m.siteEndpoint[site];
    const caller = m.siteCaller[site];
    if (caller < 0) {
      // A journey step: the user's side has no service of ours, so the attempt is only its server span.
      this.client[rec] = null;
      this.stepTarget[rec] = e;
      this.stepSent[rec] = now;
      return;
    }
    const wait = this.waitFrom[rec] >= 0 ? now - this.waitFrom[rec] : 0;
    this.client[rec] = this.open(this.traceOf[rec]!, m.siteAsync[site] === 1 ? KIND_PRODUCER : KIND_CLIENT, this.parentOf[rec] ?? null, e, caller, now, attempt, wait);
  }

  serverStarted(rec: number, e: number, s: number, now: number, flagsOn: number): void {
    const c = this.client[rec] ?? null;
    const r = this.open(this.traceOf[rec]!, c !== null && c.kind === KIND_PRODUCER ? KIND_CONSUMER : KIND_SERVER, c ?? this.parentOf[rec] ?? null, e, s, now, 0, 0);
    const fl = this.flags;
    if (fl !== null && fl.evaluatedBy[s].length > 0) {
      r.flagsOn = flagsOn;
      r.versions = Int32Array.from(fl.evaluatedBy[s], (f) => fl.appliedVersion(s, f));
    }
    this.server[rec] = r;
  }

  private outcome(r: Rec, cause: number, truth: number, ref: number, slow: number): void {
    r.cause = cause;
    r.truth = truth;
    r.ref = ref;
    r.slow = slow;
  }

  serverEnded(rec: number, cause: number, truth: number, ref: number, now: number): void {
    const r = this.server[rec];
    if (r === null || r === undefined || r.kind === KIND_INTERNAL) return;
    this.outcome(r, cause, truth, ref, 0);
    this.close(this.traceOf[rec]!, r, now);
  }

  clientEnded(rec: number, cause: number, truth: number, ref: number, slow: number, now: number): void {
    const slot = this.traceOf[rec]!;
    const c = this.client[rec];
    if (c === null || c === undefined) {
      if (this.waitFrom[rec] >= 0) {
        // Gave up (timed out) while waiting for a client-side pool slot: a client span that never left.
        const m = this.model;
        const site = this.waitSite[rec];
        const r = this.open(slot, m.siteAsync[site] === 1 ? KIND_PRODUCER : KIND_CLIENT, this.parentOf[rec] ?? null, m.siteEndpoint[site], m.siteCaller[site], now, 0, now - this.waitFrom[rec]);
        this.outcome(r, cause, truth, ref, slow);
        this.close(slot, r, now);
        return;
      }
      // A journey step that never reached its service (rejected, refused, dropped): an error span of the user's side.
      const server = this.server[rec];
      if (cause !== CAUSE_OK && this.stepTarget[rec] >= 0 && (server === null || server === undefined)) {
        const r = this.open(slot, KIND_CLIENT, this.parentOf[rec] ?? null, this.stepTarget[rec], -1, this.stepSent[rec], 0, 0);
        this.outcome(r, cause, truth, ref, slow);
        this.close(slot, r, now);
      }
      return;
    }
    this.outcome(c, cause, truth, ref, slow);
    this.close(slot, c, now);
  }

  journeyEnded(rec: number, cause: number, truth: number, ref: number, slow: number, tooSlow: boolean, now: number): void {
    const t = this.traceOf[rec]!;
    const root = this.server[rec]!;
    this.outcome(root, cause, truth, ref, slow);
    if (this.sampling.errors && (cause !== CAUSE_OK || (tooSlow && (slow & (SLOW_FAULT | SLOW_FLAG)) !== 0) || truth === TRUTH_FLAG)) t.keep = true;
    t.ended = true;
    this.close(t, root, now);
  }

  private finalize(t: Trace): void {
    t.done = true;
    this.live.delete(t);
    if (!t.keep) return;
    if (this.keptSpans + t.spans.length > this.maxSpans) {
      this.droppedTraces++;
      return;
    }
    this.keptSpans += t.spans.length;
    this.keptRaw.push(t);
  }

  /** At the end of the run: journeys that ended keep their unfinished asynchronous spans, cut at `endUs`. */
  finish(endUs: number): void {
    this.endUs = endUs;
    for (const t of this.live) {
      t.done = true;
      if (!t.ended || !t.keep) continue;
      if (this.keptSpans + t.spans.length <= this.maxSpans) {
        this.keptSpans += t.spans.length;
        this.keptRaw.push(t);
      } else this.droppedTraces++;
    }
    this.live.clear();
  }

  /** How many traces were kept. */
  get keptTraces(): number {
    return this.keptRaw.length;
  }

  /** The kept traces as neutral spans, made one trace at a time. */
  *traces(): Generator<Span[]> {
    for (const t of this.keptRaw) yield this.toSpans(t);
  }

  /** Every kept trace as neutral spans (made once). */
  get kept(): Span[][] {
    if (this.converted === null) this.converted = [...this.traces()];
    return this.converted;
  }

  private endpointName(e: number): string {
    const m = this.model;
    return m.endpointNames[e].slice(m.serviceNames[m.endpointService[e]].length + 1);
  }

  private toSpans(t: Trace): Span[] {
    const m = this.model;
    const traceId = `${hex(this.seedMix, 8)}00000000${hex(Math.floor(t.number / 4294967296), 8)}${hex(t.number >>> 0, 8)}`;
    const prefix = hex(t.number % 0xffffffffff, 10);
    const spanId = (r: Rec) => `${prefix}${hex(r.id, 6)}`;
    return t.spans.map((r) => {
      const attributes: Record<string, AttributeValue> = {};
      const events: SpanEvent[] = [];
      let name: string;
      let service: string;
      let remote: string | null = null;
      if (r.kind === KIND_INTERNAL) {
        name = m.journeyNames[r.endpoint];
        service = 'journeys';
        attributes['rehearse.journey'] = name;
      } else {
        name = this.endpointName(r.endpoint);
        const callee = m.serviceNames[m.endpointService[r.endpoint]];
        service = r.service >= 0 ? m.serviceNames[r.service] : 'journeys';
        if (r.kind === KIND_CLIENT || r.kind === KIND_PRODUCER) {
          attributes['peer.service'] = remote = callee;
          if (r.attempt > 0) attributes['http.request.resend_count'] = r.attempt;
          if (r.poolWait > 0) attributes['rehearse.pool_wait_us'] = r.poolWait;
        }
        attributes['http.route'] = `/${name}`;
      }
      if (r.cause >= 0) this.outcomeAttributes(attributes, r);
      if (r.versions !== null) {
        const fl = this.flags!;
        fl.evaluatedBy[r.service].forEach((f, k) => {
          const on = ((r.flagsOn >>> f) & 1) === 1;
          const provider = this.scenario.flags[f].bucketing;
          events.push({
            timeUs: this.epochUs + r.start,
            name: 'feature_flag.evaluation',
            attributes: {
              'feature_flag.key': fl.flagKeys[f],
              'feature_flag.variant': on ? 'on' : 'off',
              'feature_flag.result.variant': on ? 'on' : 'off',
              'feature_flag.provider_name': provider,
              'feature_flag.provider.name': provider,
              'rehearse.config_version': r.versions![k],
            },
          });
        });
      }
      const unfinished = r.end < 0;
      if (unfinished) attributes['rehearse.unfinished'] = true;
      return {
        traceId,
        spanId: spanId(r),
        parentId: r.parent === null ? null : spanId(r.parent),
        follows: false,
        service,
        name,
        kind: KIND_NAMES[r.kind],
        startUs: this.epochUs + r.start,
        durationUs: (unfinished ? this.endUs : r.end) - r.start,
        error: r.cause > CAUSE_OK,
        attributes,
        events,
        shared: false,
        remoteService: remote,
      };
    });
  }

  private outcomeAttributes(a: Record<string, AttributeValue>, r: Rec): void {
    const { cause, ref, slow } = r;
    // A timeout's truth is settled by the caller after the attempt ends: what slowed the attempt, else the timeout.
    const truth = r.truth !== 0 || cause !== CAUSE_TIMEOUT ? r.truth : (slow & SLOW_FAULT) !== 0 ? TRUTH_FAULT : (slow & SLOW_FLAG) !== 0 ? TRUTH_FLAG : TRUTH_TIMEOUT;
    // As the Prometheus series count them: 500 an error (or a broken contract), 502 a failed call, 503 rejected or refused, 504 timeout.
    a['http.response.status_code'] = cause === CAUSE_OK ? 200 : cause === CAUSE_DOWNSTREAM ? 502 : cause === CAUSE_REJECTED || cause === CAUSE_BREAKER_OPEN ? 503 : cause === CAUSE_TIMEOUT ? 504 : 500;
    if (cause !== CAUSE_OK) {
      a['error.type'] = CAUSE_NAMES[cause];
      a['rehearse.truth'] = TRUTH_NAMES[truth] ?? 'none';
    }
    const faults = this.scenario.faults;
    if (((truth === TRUTH_FAULT && cause !== CAUSE_OK) || (slow & SLOW_FAULT) !== 0) && ref >= 0 && ref < faults.length) a['rehearse.fault'] = faults[ref].name;
    if ((truth === TRUTH_FLAG || truth === TRUTH_CONTRACT) && cause !== CAUSE_OK && this.flags !== null && ref >= 0) a['rehearse.flag'] = this.flags.flagKeys[ref];
    if ((slow & SLOW_FLAG) !== 0) a['rehearse.slowed_by_flag'] = true;
  }
}
