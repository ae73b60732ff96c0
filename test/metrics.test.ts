import { describe, expect, it } from 'vitest';
import { exposition, observeSeries, writeOpenMetrics, type ScrapeSeries } from '../src/observe/metrics.js';
import { Simulation } from '../src/model/simulation.js';
import { runScenario } from '../src/score/result.js';
import type { Scenario } from '../src/scenario/types.js';
import { scenario } from './helpers.js';

/** Two services, a flag on the api, errors and a rejection path: every status code has a reason to appear. */
function shop(metrics: Record<string, unknown> = {}): Scenario {
  return scenario({
    seed: 3,
    duration: '5m',
    traffic: { rate: '80/s', cohort: { size: 2000, seed: 1, segments: { beta: '20%', rest: '80%' } } },
    journeys: { buy: { weight: 1, steps: ['api.buy'] }, look: { weight: 3, steps: ['api.look'] } },
    services: {
      api: {
        concurrency: 8,
        latency: { dist: 'lognormal', p50: '4ms', p99: '40ms' },
        errors: '1%',
        endpoints: { buy: { calls: [{ to: 'db.write', timeout: '200ms' }] }, look: {} },
      },
      db: { concurrency: 2, queue: 5, latency: { dist: 'exponential', mean: '20ms' }, endpoints: { write: {} } },
    },
    flags: { 'new-buy': { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+5%' } } } },
    rollout: [{ flag: 'new-buy', stages: [{ to: '50%' }] }],
    metrics,
  });
}

function run(s: Scenario): { series: ScrapeSeries; result: ReturnType<typeof runScenario> } {
  let series!: ScrapeSeries;
  const result = runScenario(s, { observe: (sim: Simulation) => (series = observeSeries(sim, s)) });
  return { series, result };
}

const last = (s: { length: number; value(i: number): number }) => s.value(s.length - 1);

describe('simulated telemetry as Prometheus series', () => {
  const { series, result } = run(shop());

  it('scrapes every 15s from the first scrape to the end, at the epoch plus start-time', () => {
    expect(series.scrapes).toBe(20);
    const any = series.series('http_requests_total')[0];
    expect(any.time(0) - Date.UTC(2026, 0, 1)).toBe(15_000);
    expect(any.time(any.length - 1) - Date.UTC(2026, 0, 1)).toBe(300_000);
  });

  it('counts every call the run reports, by service, route and status', () => {
    for (const [name, svc] of Object.entries(result.services)) {
      const total = series.series('http_requests_total').filter((s) => s.labels.service_name === name).reduce((x, s) => x + last(s), 0);
      expect(total).toBe(svc.requests);
      const failed = series.series('http_requests_total').filter((s) => s.labels.service_name === name && s.labels.code !== '200')
        .reduce((x, s) => x + last(s), 0);
      expect(failed).toBe(svc.errors);
    }
    const codes = new Set(series.series('http_requests_total').map((s) => s.labels.code));
    expect([...codes].sort()).toEqual(expect.arrayContaining(['200', '500']));
  });

  it('labels journeys, segments and the flag variant of each call', () => {
    const labels = series.series('http_requests_total').map((s) => s.labels);
    expect(new Set(labels.map((l) => l.journey))).toEqual(new Set(['buy', 'look']));
    expect(new Set(labels.map((l) => l.segment))).toContain('beta');
    expect(new Set(labels.filter((l) => l.service_name === 'api').map((l) => l.flag_new_buy))).toEqual(new Set(['on', 'off']));
    const route = labels.find((l) => l.service_name === 'db')!;
    expect(route.http_route).toBe('write');
  });

  it('keeps histograms consistent: cumulative buckets, +Inf equal to the count, counters never decrease', () => {
    const buckets = series.series('http_server_request_duration_seconds_bucket');
    const counts = series.series('http_server_request_duration_seconds_count');
    expect(buckets.length).toBe(counts.length * 15);
    for (const c of counts) {
      const mine = buckets.filter((b) => JSON.stringify({ ...b.labels, le: undefined, __name__: undefined }) === JSON.stringify({ ...c.labels, __name__: undefined }));
      expect(mine.map((b) => b.labels.le).at(-1)).toBe('+Inf');
      for (let i = 0; i < c.length; i++) {
        const values = mine.map((b) => b.value(i - (c.length - b.length)));
        for (let k = 1; k < values.length; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
        expect(values.at(-1)).toBe(c.value(i));
        if (i > 0) expect(c.value(i)).toBeGreaterThanOrEqual(c.value(i - 1));
      }
    }
    const sum = series.series('http_server_request_duration_seconds_sum').filter((s) => s.labels.service_name === 'db').reduce((x, s) => x + last(s), 0);
    const count = counts.filter((s) => s.labels.service_name === 'db').reduce((x, s) => x + last(s), 0);
    expect((sum / count) * 1000).toBeCloseTo(result.services.db.latencyMs.mean, 2);
  });

  it('writes OpenMetrics with timestamps in seconds and one contiguous block per series', () => {
    let text = '';
    writeOpenMetrics(series, (c) => (text += c));
    const lines = text.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('# EOF');
    expect(lines[0]).toBe('# TYPE http_server_request_duration_seconds histogram');
    expect(lines).toContain('# TYPE http_requests counter');
    const sample = lines.find((l) => l.startsWith('http_requests_total{'))!;
    expect(sample).toMatch(/^http_requests_total\{[^}]*code="\d{3}"[^}]*\} \d+ 17672256\d\d$/);
    expect(lines.filter((l) => !l.startsWith('#')).length).toBe(series.series().reduce((x, s) => x + s.length, 0));
  });

  it('serves the latest scrape in the exposition format', () => {
    const text = exposition(series);
    expect(text).toContain('# TYPE http_requests_total counter');
    expect(text).not.toMatch(/ 1767\d+$/m);
    const lines = text.split('\n').filter((l) => l.startsWith('http_requests_total{'));
    expect(lines.length).toBe(series.series('http_requests_total').length);
  });

  it('is deterministic, and observing the series does not change the run', () => {
    const again = run(shop());
    let a = '', b = '';
    writeOpenMetrics(series, (c) => (a += c));
    writeOpenMetrics(again.series, (c) => (b += c));
    expect(a).toBe(b);
    const plain = runScenario(shop());
    expect(JSON.stringify(plain.services)).toBe(JSON.stringify(result.services));
  });
});

describe('metric mapping', () => {
  it('renames to Istio: families, labels, constants, milliseconds', () => {
    const base = run(shop()).series;
    const { series } = run(shop({ preset: 'istio' }));
    const totals = series.series('istio_requests_total');
    expect(totals.length).toBeGreaterThan(0);
    expect(totals[0].labels).toMatchObject({ reporter: 'destination', destination_workload_namespace: 'default' });
    expect(totals.every((s) => s.labels.destination_workload !== undefined && s.labels.response_code !== undefined)).toBe(true);
    const le = new Set(series.series('istio_request_duration_milliseconds_bucket').map((s) => s.labels.le));
    expect(le).toContain('75');
    expect(le).toContain('10000');
    const sumMs = series.series('istio_request_duration_milliseconds_sum').reduce((x, s) => x + last(s), 0);
    const sumS = base.series('http_server_request_duration_seconds_sum').reduce((x, s) => x + last(s), 0);
    expect(sumMs / 1000).toBeCloseTo(sumS, 9);
  });

  it('merges series that a dropped label makes identical, and classifies for Linkerd', () => {
    const { series } = run(shop({ preset: 'linkerd', labels: { journey: null, segment: null, flag_new_buy: null } }));
    const totals = series.series('response_total');
    const keys = totals.map((s) => JSON.stringify(s.labels));
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(totals.map((s) => s.labels.classification))).toEqual(new Set(['success', 'failure']));
    const base = run(shop()).series;
    const all = (src: ScrapeSeries, name: string) => src.series(name).reduce((x, s) => x + last(s), 0);
    expect(all(series, 'response_total')).toBe(all(base, 'http_requests_total'));
  });

  it('rejects unknown families, labels and bad bounds at their paths', () => {
    expect(() => shop({ names: { http_foo: 'x' } })).toThrow(/metrics\.names\.http_foo: only http_requests_total/);
    expect(() => shop({ labels: { pod: 'x' } })).toThrow(/metrics\.labels\.pod: unknown label "pod"/);
    expect(() => shop({ buckets: [0.1, 0.05] })).toThrow(/metrics\.buckets\[1\]: bucket bounds must increase/);
    expect(() => shop({ preset: 'envoy' })).toThrow(/metrics\.preset/);
  });
});

/**
 * Calls that outlive their journey carry its label, as the comparison gates count them within it (records.ts
 * journeyServed). Two minutes, scraped every 15 s (the last scrape at the end). buy: web.buy (10 ms) sends
 * audit.log (500 ms) without waiting and ends at 10 ms; the audit call ends 490 ms after its journey. look:
 * web.look calls api.get with a 50 ms timeout; api.get (10 ms) calls db.read (100 ms): the journey gives up at
 * 10 + 50 = 60 ms and fails, and db.read replies to api at 10 + 10 + 100 = 120 ms, 60 ms after the journey ended.
 * So every audit call the series count is a buy journey's and every db call a look journey's: all of them under
 * one journey label (the counts of the run's own figures), where before they had no journey label at all.
 */
describe('calls that outlive their journey', () => {
  const s = scenario({
    seed: 4,
    duration: '2m',
    traffic: { rate: '20/s' },
    journeys: { buy: { weight: 1, steps: ['web.buy'] }, look: { weight: 1, steps: ['web.look'] } },
    services: {
      web: { concurrency: 1000, latency: '10ms', endpoints: { buy: { calls: [{ to: 'audit.log', async: true }] }, look: { calls: [{ to: 'api.get', timeout: '50ms' }] } } },
      audit: { concurrency: 1000, latency: '500ms', endpoints: { log: {} } },
      api: { concurrency: 1000, latency: '10ms', endpoints: { get: { calls: ['db.read'] } } },
      db: { concurrency: 1000, latency: '100ms', endpoints: { read: {} } },
    },
  });
  const { series, result } = run(s);
  const count = (service: string) => {
    const by = new Map<string | undefined, number>();
    for (const x of series.series('http_requests_total').filter((x) => x.labels.service_name === service)) by.set(x.labels.journey, (by.get(x.labels.journey) ?? 0) + last(x));
    return Object.fromEntries(by);
  };

  it('are labelled with the journey they serve: an async call, and a call still out when its journey timed out', () => {
    const buy = result.journeys.buy.requests, look = result.journeys.look.requests;
    expect(buy).toBeGreaterThan(1000);
    expect(look).toBeGreaterThan(1000);
    expect(result.journeys.look.errors).toBe(look); // every look journey timed out at 60 ms
    // One audit call per buy journey, one db call per look journey, less those still out at the end.
    expect(result.services.audit.requests).toBeGreaterThan(buy - 20);
    expect(result.services.db.requests).toBeGreaterThan(look - 10);
    expect(count('audit')).toEqual({ buy: result.services.audit.requests });
    expect(count('db')).toEqual({ look: result.services.db.requests });
  });
});
