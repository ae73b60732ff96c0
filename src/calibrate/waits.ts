/**
 * What the traces say of a service's workers: how many of its spans overlapped, whether queued work took a worker
 * the moment one freed, and whether calls that arrived while every worker was busy waited before the service's
 * span started (a server that starts its span once a worker takes the request): the evidence of a capacity.
 */
import type { Analysis } from './analyze.js';

/**
 * Concurrency a service was seen to hold: the maximum of overlapping entry spans, the share of busy time at it,
 * and the hand-offs: spans that started within `tolerance` of a span's end while the service was at its maximum
 * (queued work taking the worker just freed, the sign of a service saturated at that maximum).
 */
export function concurrency(iv: { starts: number[]; ends: number[] }, tolerance: number): { max: number; atMaxShare: number; busyUs: number; mean: number; handoffs: number } {
  const s = Float64Array.from(iv.starts).sort(), e = Float64Array.from(iv.ends).sort();
  let i = 0, j = 0, cur = 0, max = 0, last = 0, busy = 0, atMax = 0, area = 0;
  const timeAt = new Map<number, number>();
  while (i < s.length || j < e.length) {
    const t = j >= e.length || (i < s.length && s[i] < e[j]) ? s[i] : e[j];
    if (cur > 0) {
      busy += t - last;
      area += cur * (t - last);
      timeAt.set(cur, (timeAt.get(cur) ?? 0) + (t - last));
    }
    last = t;
    if (j >= e.length || (i < s.length && s[i] < e[j])) {
      cur++;
      i++;
    } else {
      cur--;
      j++;
    }
    if (cur > max) max = cur;
  }
  atMax = timeAt.get(max) ?? 0;
  let handoffs = 0, fullEnd = -Infinity;
  for (i = 0, j = 0, cur = 0; i < s.length || j < e.length;) {
    if (j >= e.length || (i < s.length && s[i] < e[j])) {
      if (cur === max - 1 && s[i] - fullEnd <= tolerance) handoffs++;
      cur++;
      i++;
    } else {
      if (cur === max) fullEnd = e[j];
      cur--;
      j++;
    }
  }
  return { max, atMaxShare: busy > 0 ? atMax / busy : 0, busyUs: busy, mean: busy > 0 ? area / (s.length > 0 ? e[e.length - 1] - s[0] : 1) : 0, handoffs };
}

export interface QueueWait {
  /** The service's most overlapping spans. */
  readonly max: number;
  /** Calls that found fewer than `max` spans open, and those that found `max`: how many, and their mean gap (us). */
  readonly free: { readonly n: number; readonly mean: number };
  readonly full: { readonly n: number; readonly mean: number };
  /** Whether a call that left its caller at `t` found every worker busy. */
  busy(t: number): boolean;
}

/** Spans open at `t` (started before it, not ended before it), by binary search over sorted starts and ends. */
function openAt(starts: Float64Array, ends: Float64Array, t: number): number {
  const count = (a: Float64Array, inclusive: boolean) => {
    let lo = 0, hi = a.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (a[mid] < t || (inclusive && a[mid] === t)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return count(starts, false) - count(ends, false);
}

/**
 * Per service, the gaps between client and server spans of the calls to it, split by whether the call found a
 * worker free (fewer than the most overlapping spans open) or none; with the queue before the span evident when
 * at least 10 calls found none and they waited over twice as long as the others, and 100 us more. Null for a
 * service without that evidence, or when the traces are a sample (overlaps are not all seen).
 */
export function queueWaits(analysis: Analysis): Map<string, QueueWait | null> {
  const out = new Map<string, QueueWait | null>();
  if (analysis.options.sampleRate < 1) return out;
  const sorted = new Map<string, { starts: Float64Array; ends: Float64Array; max: number }>();
  for (const [service, iv] of analysis.serviceIntervals) {
    sorted.set(service, { starts: Float64Array.from(iv.starts).sort(), ends: Float64Array.from(iv.ends).sort(), max: concurrency(iv, 0).max });
  }
  const sums = new Map<string, { nFree: number; sFree: number; nFull: number; sFull: number }>();
  for (const [key, edge] of analysis.edges) {
    const service = key.split('\u0001')[1].split('\u0000')[0];
    const sv = sorted.get(service);
    if (!sv) continue;
    let acc = sums.get(service);
    if (!acc) sums.set(service, (acc = { nFree: 0, sFree: 0, nFull: 0, sFull: 0 }));
    edge.network.forEach((gap, i) => {
      if (openAt(sv.starts, sv.ends, edge.networkAt[i]) >= sv.max) {
        acc!.nFull++;
        acc!.sFull += gap;
      } else {
        acc!.nFree++;
        acc!.sFree += gap;
      }
    });
  }
  for (const [service, a] of sums) {
    const free = { n: a.nFree, mean: a.nFree > 0 ? a.sFree / a.nFree : 0 }, full = { n: a.nFull, mean: a.nFull > 0 ? a.sFull / a.nFull : 0 };
    const evident = full.n >= 10 && free.n >= 10 && full.mean > 2 * Math.max(0, free.mean) + 100;
    const sv = sorted.get(service)!;
    out.set(service, evident ? { max: sv.max, free, full, busy: (t) => openAt(sv.starts, sv.ends, t) >= sv.max } : null);
  }
  return out;
}


/**
 * With a sample of the traces (queueWaits says nothing then: overlaps are not all seen), the calls into a service
 * of known capacity busy enough for calls to wait, whose gaps before its spans spread far (a p99 over 1 ms and over 10 times the median, or 50 us)
 * may have waited for a worker before the span began: calibrate models those gaps as network time, and the run
 * then queues the calls once more. One warning per such service, with the figures.
 */
export function sampledGapWarnings(analysis: Analysis, workers: ReadonlyMap<string, number>): string[] {
  const rate = analysis.options.sampleRate;
  if (rate >= 1) return [];
  // Only where calls can wait at all: the share that finds every worker busy (Erlang C at the load the spans show,
  // scaled up by the sample) at least 1%. A pool of 4 at 11% keeps 1 call in 1,000 waiting; a pool of 2 at 39%, 22 in 100.
  const waits = (service: string): boolean => {
    const iv = analysis.serviceIntervals.get(service), c = workers.get(service);
    if (!iv || c === undefined || iv.starts.length === 0) return false;
    let busy = 0, from = Infinity, to = -Infinity;
    iv.starts.forEach((s, i) => {
      busy += iv.ends[i] - s;
      from = Math.min(from, s);
      to = Math.max(to, iv.ends[i]);
    });
    return to > from && erlangC(c, busy / rate / (to - from)) >= 0.01;
  };
  const gaps = new Map<string, number[]>();
  for (const [key, edge] of analysis.edges) {
    const service = key.split('\u0001')[1].split('\u0000')[0];
    if (!workers.has(service)) continue;
    let list = gaps.get(service);
    if (!list) gaps.set(service, (list = []));
    for (const g of edge.network) list.push(g);
  }
  const out: string[] = [];
  for (const [service, list] of [...gaps].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (list.length < 20 || !waits(service)) continue;
    const v = Float64Array.from(list).sort();
    const at = (q: number) => v[Math.min(v.length - 1, Math.floor(q * v.length))];
    const median = at(0.5), p99 = at(0.99);
    if (p99 <= 1000 || p99 <= 10 * Math.max(median, 50)) continue;
    out.push(`${service}: the gap between its callers' spans and its own is ${(median / 1000).toFixed(2)} ms at the median but ${(p99 / 1000).toFixed(1)} ms at the p99; ` +
      `with a sample of the traces (--sample-rate ${analysis.options.sampleRate}) calibrate cannot tell a wait for one of its workers before its span began from time on the network, ` +
      'so it models the gaps as network and the run queues those calls once more: calibrate from every request of a shorter window, or name the wait with --wait-attribute if its spans carry it');
  }
  return out;
}

/** The probability that a call finds all `c` workers busy at an offered load of `a` busy workers (Erlang C). */
export function erlangC(c: number, a: number): number {
  if (a >= c) return 1;
  let b = 1;
  for (let k = 1; k <= c; k++) b = (a * b) / (k + a * b);
  return b / (1 - (a / c) * (1 - b));
}
