/**
 * A service's worker pool seen from a wait attribute on its spans (`calibrate --wait-attribute NAME`): the time a
 * request waited for a worker inside its own span. While a request waits, every worker is busy: the number of
 * requests in service (past their own wait, not yet ended) at that moment is the pool's size. OpenTelemetry's
 * semantic conventions name no such span attribute (`db.client.connection.wait_time` is a metric of a client's
 * connection pool, not a span attribute), so the attribute is named by the team, never guessed.
 */
import { InputError } from '../errors.js';
import type { Span } from '../observe/span.js';
import { plural } from '../units/format.js';
import { quoted } from '../units/escape.js';

export interface WaitAttribute {
  readonly name: string;
  /** Microseconds per unit of the attribute's value. */
  readonly us: number;
  readonly unit: string;
}

const UNITS: Record<string, number> = { ns: 0.001, us: 1, ms: 1000, s: 1e6, seconds: 1e6 };

/** `NAME` with its unit from the name's ending (`_us`, `_ms`, `_ns`, `_s`, `_seconds`), or `NAME:UNIT`. */
export function parseWaitAttribute(text: string): WaitAttribute {
  const m = /^([^:\s]+)(?::(ns|us|ms|s))?$/.exec(text.trim());
  if (!m) throw new InputError([`--wait-attribute: expected NAME or NAME:UNIT (ns, us, ms or s), got ${quoted(text)}`]);
  const suffix = /[._](ns|us|ms|s|seconds)$/.exec(m[1])?.[1];
  const unit = m[2] ?? suffix;
  if (unit === undefined) throw new InputError([`--wait-attribute: ${m[1]}: say the unit of its values: ${m[1]}:us, :ms, :ns or :s`]);
  return { name: m[1], us: UNITS[unit], unit: unit === 'seconds' ? 's' : unit };
}

/** The spans that carry the attribute, per service: when each started and ended and how long it waited (us). */
export class PoolWaits {
  readonly services = new Map<string, { starts: number[]; ends: number[]; waits: number[] }>();
  /** Values that are not a number of at least 0, skipped. */
  bad = 0;

  constructor(readonly attribute: WaitAttribute) {}

  add(spans: readonly Span[]): void {
    for (const s of spans) {
      const v = s.attributes[this.attribute.name];
      if (v === undefined) continue;
      const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
      if (!Number.isFinite(n) || n < 0) {
        this.bad++;
        continue;
      }
      const service = s.service ?? 'unknown';
      let p = this.services.get(service);
      if (!p) this.services.set(service, (p = { starts: [], ends: [], waits: [] }));
      p.starts.push(s.startUs);
      p.ends.push(s.startUs + s.durationUs);
      p.waits.push(Math.min(n * this.attribute.us, s.durationUs));
    }
  }

  /** The wait (us) of a span, 0 when it carries none. */
  waitOf(s: Span): number {
    const v = s.attributes[this.attribute.name];
    const n = typeof v === 'number' || typeof v === 'string' ? Number(v) : NaN;
    return Number.isFinite(n) && n > 0 ? Math.min(n * this.attribute.us, s.durationUs) : 0;
  }
}

export interface PoolEvidence {
  readonly service: string;
  readonly spans: number;
  /** Spans that waited at all, and those whose wait was long enough to count who was in service. */
  readonly waited: number;
  readonly counted: number;
  /** How many requests were in service at each counted wait: count -> waits. */
  readonly inService: ReadonlyMap<number, number>;
  /** The pool's size, or null when the traces cannot show it (a sample, or no wait long enough to count). */
  readonly capacity: number | null;
  /** The evidence in words, for the scenario's comment or a warning. */
  readonly why: string;
}

const upper = (a: Float64Array, t: number) => {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
};

/**
 * Per service whose spans carry the attribute: how many waited, how many requests were in service in the middle
 * of each wait longer than `tick` (the clock's resolution: shorter waits sit within the rounding of start times),
 * and the pool's size: the most frequent count (the largest on a tie), robust to a hand-off the rounding blurs.
 * With a sample of the traces (`sampleRate` < 1) requests outside it hold workers unseen: the counts are lower
 * bounds and no size is inferred.
 */
export function poolEvidence(waits: PoolWaits, sampleRate: number, tick: number): Map<string, PoolEvidence> {
  const out = new Map<string, PoolEvidence>();
  const name = waits.attribute.name;
  for (const [service, p] of [...waits.services].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const n = p.starts.length;
    const served = Float64Array.from(p.starts, (s, i) => s + p.waits[i]).sort();
    const ends = Float64Array.from(p.ends).sort();
    const inService = new Map<number, number>();
    let waited = 0, counted = 0;
    for (let i = 0; i < n; i++) {
      if (p.waits[i] <= 0) continue;
      waited++;
      if (p.waits[i] <= tick) continue;
      counted++;
      const t = p.starts[i] + p.waits[i] / 2;
      const k = upper(served, t) - upper(ends, t);
      inService.set(k, (inService.get(k) ?? 0) + 1);
    }
    const counts = [...inService].sort((a, b) => b[1] - a[1] || b[0] - a[0]);
    const mode = counts.length > 0 ? counts[0][0] : null;
    const max = counts.length > 0 ? [...inService.keys()].reduce((a, b) => Math.max(a, b)) : null;
    const head = `${name}: ${waited.toLocaleString('en-US')} of ${plural(n, 'request')} waited for a worker`;
    let why: string, capacity: number | null = null;
    if (waited === 0) why = `${head}: the pool was never full`;
    else if (mode === null) why = `${head}, none longer than the clock's resolution (${tick} us): too short to count who was in service`;
    else if (sampleRate < 1) {
      why = `${head}; at least ${max} were in service while one waited, but the traces are a sample (--sample-rate ${sampleRate}): requests outside it held workers unseen, so the pool's size is not inferred`;
    } else {
      capacity = mode;
      const whenever = counts.length === 1 ? `${mode} were in service whenever one waited` :
        `${mode} were in service at ${counts[0][1]} of the ${counted} waits counted (${counts.slice(1).sort((a, b) => a[0] - b[0]).map(([k, c]) => `${k} at ${c}`).join(', ')})`;
      why = `inferred from ${head}; ${whenever}`;
    }
    out.set(service, { service, spans: n, waited, counted, inService, capacity, why });
  }
  return out;
}
