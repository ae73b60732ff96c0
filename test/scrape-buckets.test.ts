import { describe, expect, it } from 'vitest';
import { DEFAULT_BUCKETS_SECONDS, ScrapeRecorder } from '../src/telemetry/scrapes.js';

/**
 * A scrape's histogram is Prometheus' classic one: bucket `le` counts every observation at or below its bound
 * (prometheus/client_golang prometheus/histogram.go findBucket: the first upper bound >= the value). Each latency is
 * put in its bucket through a table by multiple of the bounds' common step where one fits; these check it, value
 * by value, against counting the bounds directly.
 */
function cumulative(boundsSeconds: readonly number[], latenciesUs: readonly number[]): number[] {
  const r = new ScrapeRecorder({ endpoints: 1, journeys: 0, segments: 0, flags: 0 }, 1e6, boundsSeconds);
  for (const l of latenciesUs) r.record(0, 0, -1, -1, 0, 0, l);
  r.scrapeUntil(1e6);
  return Array.from({ length: boundsSeconds.length + 1 }, (_, b) => r.value(0, 0, b));
}

function expected(boundsSeconds: readonly number[], latenciesUs: readonly number[]): number[] {
  const bounds = boundsSeconds.map((s) => s * 1e6);
  return [...bounds.map((b) => latenciesUs.filter((l) => l <= b).length), latenciesUs.length];
}

/** Every latency at, one below and one above each bound and each multiple of `stepUs` up to past the last bound, and some fractions. */
function probes(boundsSeconds: readonly number[], stepUs: number): number[] {
  const last = boundsSeconds[boundsSeconds.length - 1] * 1e6;
  const out: number[] = [0, 0.5, 1];
  for (let t = 0; t <= last + 3 * stepUs; t += stepUs) out.push(t - 1, t, t + 1, t + 0.25);
  for (const b of boundsSeconds) out.push(b * 1e6 - 0.5, b * 1e6, b * 1e6 + 0.5);
  for (let i = 0; i < 2000; i++) out.push(Math.floor(((i * 7919) % 10007) / 10007 * last * 1.3));
  return out.filter((x) => x >= 0);
}

describe('scrape histogram buckets', () => {
  it('counts each latency under the first bound at or above it, with the default bounds', () => {
    const p = probes(DEFAULT_BUCKETS_SECONDS, 5000);
    expect(cumulative(DEFAULT_BUCKETS_SECONDS, p)).toEqual(expected(DEFAULT_BUCKETS_SECONDS, p));
  });

  it('does so for bounds of an odd step, one bound alone, bounds of fractions of a microsecond and bounds too far apart for a table', () => {
    for (const [bounds, step] of [
      [[0.000003, 0.000007, 0.000011], 1],
      [[0.25], 250000],
      [[0.0000005, 0.0000015, 0.001], 1],
      [[0.000001, 1, 30, 60], 1e6],
      [[0.003, 0.009, 0.021, 0.6], 3000],
    ] as const) {
      const p = probes(bounds, step);
      expect(cumulative(bounds, p), bounds.join(',')).toEqual(expected(bounds, p));
    }
  });
});
