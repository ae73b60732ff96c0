import { describe, expect, it } from 'vitest';
import { LatencyCounts, newHistogram } from '../src/telemetry/histogram.js';
import { RandomStreams } from '../src/engine/rng.js';

describe('LatencyCounts', () => {
  it('gives exactly the percentiles of recording straight into HdrHistogram, over windows and merges', () => {
    const rng = new RandomStreams(1);
    const s = rng.stream('values');
    // Values from 0 to far beyond 2^31, heavy-tailed, with edges of HdrHistogram buckets.
    const edges = [0, 1, 2047, 2048, 2049, 4095, 4096, 2 ** 30, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32, 3e9, 5e12];
    const heavy = (n: number) => Array.from({ length: n }, () => Math.round(Math.exp(rng.next(s) * 20)));
    // Windows of every size, down to one value, where the rounding of a percentile's count decides the bucket.
    const windows = [[...edges, ...heavy(200_000)], [5, 5, 5, 70_000], [7], [2 ** 31 + 5, 1], heavy(1000), heavy(3), heavy(20), heavy(99), heavy(101)];
    const ps = [50, 95, 99] as const;
    const direct = newHistogram();
    const totalDirect = newHistogram();
    const counts = new LatencyCounts();
    const total = new LatencyCounts();
    for (const values of windows) {
      for (const v of values) {
        direct.recordValue(v);
        totalDirect.recordValue(v);
        counts.record(v);
      }
      const got = counts.percentiles();
      for (const p of ps) expect(got[`p${p}`], `p${p} of ${values.length}`).toBe(direct.getValueAtPercentile(p));
      expect(counts.total).toBe(direct.totalCount);
      total.merge(counts);
      counts.clear();
      direct.reset();
    }
    const got = total.percentiles();
    for (const p of ps) expect(got[`p${p}`], `p${p} of the total`).toBe(totalDirect.getValueAtPercentile(p));
    expect(total.total).toBe(totalDirect.totalCount);
    expect(new LatencyCounts().percentiles()).toEqual({ p50: 0, p95: 0, p99: 0 });
    direct.destroy();
    totalDirect.destroy();
  });

  it('counts values held back before a merge, and forgets them on clear, at every fill of the list it holds', () => {
    // Recording holds bucket indices back (2,048 at a time): merging, reading and clearing must see the same counts
    // whether or not the list was counted yet, at the edges of its fill.
    for (const n of [1, 2047, 2048, 2049, 4096, 5000]) {
      const a = new LatencyCounts();
      for (let v = 0; v < 3 * n; v++) a.record(9_999_999);
      a.clear();
      for (let v = 1; v <= n; v++) a.record(v);
      const merged = new LatencyCounts();
      merged.merge(a);
      const h = newHistogram();
      for (let v = 1; v <= n; v++) h.recordValue(v);
      for (const p of [50, 95, 99] as const) expect(merged.percentiles()[`p${p}`], `p${p} of ${n}`).toBe(h.getValueAtPercentile(p));
      expect(merged.total).toBe(n);
      let seen = 0;
      merged.forEachAscending((_, count) => (seen += count));
      expect(seen).toBe(n);
      h.destroy();
    }
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

  it('read every window and the whole run as HdrHistogram does, for tags recorded in turn past what each holds back', async () => {
    // Telemetry holds each tag's latencies back and counts them in batches: windows of a few values and of many
    // thousands per tag, tags interleaved, values beyond 2^31 us among them, must read as recording each value straight
    // into an HdrHistogram of its tag does (percentiles no higher than the true maximum, as telemetry reports them).
    const { Telemetry } = await import('../src/telemetry/telemetry.js');
    const endpoints = 3;
    const t = new Telemetry(Int32Array.from([0, 0, 1]), 1, Float64Array.from([1, 1]));
    const rng = new RandomStreams(5);
    const s = rng.stream('values');
    const tags = endpoints + 1;
    const direct = Array.from({ length: tags }, () => newHistogram());
    const whole = Array.from({ length: tags }, () => newHistogram());
    const max = new Float64Array(tags);
    const gauges = () => [new Float64Array(2), new Float64Array(2), new Float64Array(2)] as const;
    const sizes = [1, 3, 1023, 1024, 1025, 2049, 7000];
    const expectRead = (got: { p50: number; p95: number; p99: number; max: number }, h: ReturnType<typeof newHistogram>, top: number, what: string) => {
      for (const p of [50, 95, 99] as const) expect(got[`p${p}`], `p${p} of ${what}`).toBe(Math.min(h.getValueAtPercentile(p), top));
      expect(got.max, `max of ${what}`).toBe(top);
    };
    for (let w = 0; w < sizes.length; w++) {
      max.fill(0);
      for (let i = 0; i < sizes[w] * tags; i++) {
        const tag = Math.floor(rng.next(s) * tags);
        const v = rng.next(s) < 0.001 ? 2 ** 31 + Math.floor(rng.next(s) * 1e6) : Math.round(Math.exp(rng.next(s) * 12));
        t.record(tag, v, 0);
        direct[tag].recordValue(v);
        whole[tag].recordValue(v);
        max[tag] = Math.max(max[tag], v);
      }
      t.closeWindow((w + 1) * 60e6, ...gauges());
      const win = t.windows[w];
      for (let tag = 0; tag < tags; tag++) {
        const got = tag < endpoints ? win.endpoints[tag] : win.journeys[tag - endpoints];
        expect(got.requests).toBe(direct[tag].totalCount);
        if (got.requests > 0) expectRead(got.latencyUs, direct[tag], max[tag], `tag ${tag} in window ${w}`);
        direct[tag].reset();
      }
    }
    const run = t.finish();
    for (let tag = 0; tag < tags; tag++) {
      const got = tag < endpoints ? run.endpoints[tag] : run.journeys[tag - endpoints];
      expect(got.requests).toBe(whole[tag].totalCount);
      expectRead(got.latencyUs, whole[tag], whole[tag].maxValue, `tag ${tag} over the run`);
    }
    for (const h of [...direct, ...whole]) h.destroy();
  });
});
