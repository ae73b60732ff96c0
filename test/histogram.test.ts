import { describe, expect, it } from 'vitest';
import { HistogramBuffer, newHistogram } from '../src/telemetry/histogram.js';
import { RandomStreams } from '../src/engine/rng.js';

describe('HistogramBuffer', () => {
  it('gives exactly the percentiles, count and max of recording straight into HdrHistogram', () => {
    const direct = newHistogram();
    const buffered = newHistogram();
    const buffer = new HistogramBuffer(buffered);
    const rng = new RandomStreams(1);
    const s = rng.stream('values');
    // Values from 0 to beyond the buffered range, heavy-tailed, with edges of HdrHistogram buckets.
    const edges = [0, 1, 2047, 2048, 2049, 4095, 4096, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 3e9];
    const values = [...edges, ...Array.from({ length: 200_000 }, () => Math.round(Math.exp(rng.next(s) * 20)))];
    for (const v of values) {
      direct.recordValue(v);
      buffer.record(v);
    }
    buffer.flush();
    expect(buffered.totalCount).toBe(direct.totalCount);
    expect(buffered.maxValue).toBe(direct.maxValue);
    for (const p of [0, 1, 10, 25, 50, 75, 90, 95, 99, 99.9, 99.99, 100]) {
      expect(buffered.getValueAtPercentile(p), `p${p}`).toBe(direct.getValueAtPercentile(p));
    }
    // A second window through the same buffer.
    direct.reset();
    buffered.reset();
    for (const v of [5, 5, 5, 70_000]) {
      direct.recordValue(v);
      buffer.record(v);
    }
    buffer.flush();
    expect(buffered.getValueAtPercentile(50)).toBe(direct.getValueAtPercentile(50));
    expect(buffered.totalCount).toBe(4);
    direct.destroy();
    buffered.destroy();
  });
});

describe('random streams', () => {
  it('xoshiro128** reproduces the reference outputs for the state {1, 2, 3, 4}', () => {
    const r = new RandomStreams(1);
    const i = r.stream('x');
    r.setState(i, [1, 2, 3, 4]);
    expect(Array.from({ length: 6 }, () => r.nextUint32(i))).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('derives independent streams from the seed and the name', () => {
    const a = new RandomStreams(7), b = new RandomStreams(7), c = new RandomStreams(8);
    const draw = (r: RandomStreams, name: string) => { const i = r.stream(name); return [r.next(i), r.next(i)]; };
    expect(draw(a, 'latency:db')).toEqual(draw(b, 'latency:db'));
    expect(draw(a, 'latency:api')).not.toEqual(draw(b, 'latency:db'));
    expect(draw(c, 'latency:db')).not.toEqual(draw(new RandomStreams(7), 'latency:db'));
  });
});

describe('telemetry latency summaries', () => {
  it('report the true maximum, never below p50, whatever bucket the values share', async () => {
    const { Telemetry } = await import('../src/telemetry/telemetry.js');
    const t = new Telemetry(Int32Array.from([0]), 1, Float64Array.from([1]));
    const gauges = () => [new Float64Array(1), new Float64Array(1), new Float64Array(1)] as const;
    // 100,003 us lies in a bucket 64 us wide: its lower edge is 99,968 and its upper edge 100,031.
    for (let i = 0; i < 5; i++) t.record(0, 100_003, 0);
    t.closeWindow(60e6, ...gauges());
    for (let i = 0; i < 5; i++) t.record(0, 7, 0);
    t.record(1, 250_001, 0);
    t.closeWindow(120e6, ...gauges());
    const s = t.finish();
    expect(s.windows[0].endpoints[0].latencyUs).toMatchObject({ max: 100_003, p50: 100_003, p99: 100_003 });
    expect(s.windows[1].endpoints[0].latencyUs.max).toBe(7);
    expect(s.endpoints[0].latencyUs.max).toBe(100_003);
    expect(s.endpoints[0].latencyUs.p50).toBeLessThanOrEqual(100_003);
    expect(s.services[0].latencyUs.max).toBe(100_003);
    expect(s.journeys[0].latencyUs.max).toBe(250_001);
  });
});
