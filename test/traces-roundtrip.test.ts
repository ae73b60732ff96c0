/**
 * Round trip: simulate example scenarios with every journey traced, write the traces (Jaeger,
 * Zipkin and OTLP), calibrate scenarios from those files, simulate them, and compare with the originals: end-to-end
 * latency (p50, p95, p99 within 5%), calls per journey per endpoint and error rates (within sampling error), and
 * the call structure (exact).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { RunResult } from '../src/score/result.js';
import { roundTrip, structure, type RoundTrip } from './roundtrip-helpers.js';

const shop = `
name: shop
seed: 3
duration: 24m
traffic: { rate: 25/s }
journeys:
  browse: { weight: 70, steps: [web.home] }
  buy: { weight: 30, steps: [web.cart, web.checkout] }
services:
  web:
    concurrency: 64
    latency: { dist: lognormal, p50: 3ms, p99: 12ms }
    endpoints:
      home: { calls: [catalog.list] }
      cart: { calls: [catalog.list] }
      checkout:
        calls:
          - { parallel: [stock.reserve, fraud.score] }
          - { to: events.publish, async: true }
  catalog:
    concurrency: 64
    latency: { dist: lognormal, p50: 2ms, p99: 8ms }
    endpoints:
      list: { calls: [{ to: db.query, probability: 30% }] }
  db: { concurrency: 64, latency: { dist: lognormal, p50: 5ms, p99: 20ms }, endpoints: { query: {} } }
  stock: { concurrency: 64, latency: { dist: lognormal, p50: 4ms, p99: 15ms }, errors: 1%, endpoints: { reserve: {} } }
  fraud: { concurrency: 64, latency: { dist: lognormal, p50: 6ms, p99: 30ms }, endpoints: { score: {} } }
  events: { concurrency: 64, latency: { dist: lognormal, p50: 20ms, p99: 50ms }, endpoints: { publish: {} } }
`;

const chain = `
name: chain
seed: 5
duration: 6m
traffic: { rate: 30/s }
journeys:
  api: { weight: 1, steps: [gateway.api] }
services:
  gateway:
    concurrency: 64
    latency: { dist: lognormal, p50: 1ms, p99: 4ms }
    endpoints:
      api: { calls: [auth.check, { to: backend.read, repeat: 3 }, { to: cache.get, probability: 50% }] }
  auth: { concurrency: 64, latency: { dist: exponential, mean: 2ms }, errors: 0.5%, endpoints: { check: {} } }
  backend: { concurrency: 64, latency: { dist: lognormal, p50: 4ms, p99: 15ms }, errors: 0.3%, endpoints: { read: {} } }
  cache: { concurrency: 64, latency: { dist: uniform, min: 1ms, max: 3ms }, endpoints: { get: {} } }
`;

// The chain again, with time on the network: 3 ms (exponential) to each backend read, 1 ms to auth.
const networked = chain.replace('name: chain', 'name: networked')
  .replace('auth.check, { to: backend.read, repeat: 3 }', '{ to: auth.check, network: 1ms }, { to: backend.read, repeat: 3, network: { dist: exponential, mean: 3ms } }');

const hotrod = readFileSync(new URL('../scenarios/hotrod.yaml', import.meta.url), 'utf8').replace(/^duration: .*$/m, 'duration: 30m');

function compare(r: RoundTrip): void {
  const a = r.traced, b = r.rerun;
  for (const [name, ja] of Object.entries(a.journeys)) {
    const jb = b.journeys[name];
    expect(jb, `journey ${name}`).toBeDefined();
    for (const q of ['p50', 'p95', 'p99'] as const) {
      const rel = jb.latencyMs[q] / ja.latencyMs[q] - 1;
      expect(Math.abs(rel), `${name} ${q}: ${ja.latencyMs[q]} ms, calibrated ${jb.latencyMs[q]} ms`).toBeLessThan(0.05);
    }
    // Error rates: the calibrated ones are what the traces measured, so the rerun is compared with the traced sample,
    // within binomial bounds (four standard errors of the difference). Against the long run it would also carry the
    // sample's own error: a few dozen failures in the traces are 10 to 15% off the scenario's rates either way.
    const js = r.sample.journeys[name];
    const p = (js.errors + jb.errors) / (js.requests + jb.requests);
    const se = Math.sqrt(p * (1 - p) * (1 / js.requests + 1 / jb.requests));
    expect(Math.abs(js.errorRate - jb.errorRate), `${name} error rate ${js.errorRate} traced vs ${jb.errorRate}`).toBeLessThanOrEqual(4 * se + 1e-9);
  }
  // Calls per journey, per endpoint, within sampling error (counts are Poisson-like: four standard errors).
  const ja = Object.values(a.journeys).reduce((x, j) => x + j.requests, 0);
  const jb = Object.values(b.journeys).reduce((x, j) => x + j.requests, 0);
  for (const [svc, sa] of Object.entries(a.services)) {
    for (const [ep, ea] of Object.entries(sa.endpoints)) {
      const eb = b.services[svc]?.endpoints[ep];
      expect(eb, `${svc}.${ep} in the calibrated run`).toBeDefined();
      const ra = ea.requests / ja, rb = eb.requests / jb;
      const se = Math.sqrt(ea.requests / ja ** 2 + eb.requests / jb ** 2);
      expect(Math.abs(ra - rb), `${svc}.${ep}: ${ra.toFixed(4)} calls per journey, calibrated ${rb.toFixed(4)}`).toBeLessThanOrEqual(4 * se + 1e-9);
    }
  }
}

/** The chain's round trip, made once: the networked chain's test reads its rerun, and the chain's own test the rest. */
let chainTrip: RoundTrip | undefined;
const chainRoundTrip = () => (chainTrip ??= roundTrip(chain, 'otlp', '1h'));

describe('round trip: simulate, trace, calibrate, simulate', () => {
  it('HotROD-shaped: customer behind a one-worker MySQL, ten retried lookups, ten routes through a pool of three (Jaeger JSON)', () => {
    const r = roundTrip(hotrod, 'jaeger', '3h');
    expect(structure(r.calibrated)).toEqual(structure(r.original));
    expect(r.calibrated.services.find((s) => s.name === 'mysql')!.concurrency).toBe(1);
    compare(r);
  });

  it('a shop: journeys of two steps, a conditional call, a parallel pair and an asynchronous publish (Zipkin v2 JSON)', () => {
    const r = roundTrip(shop, 'zipkin', '1h');
    const s = structure(r.calibrated);
    expect(s).toEqual(structure(r.original));
    expect(r.calibrated.journeys.map((j) => [j.name, j.steps.map((c) => `${c.service}.${c.endpoint}`)]))
      .toEqual(r.original.journeys.map((j) => [j.name, j.steps.map((c) => `${c.service}.${c.endpoint}`)]));
    const p = r.calibrated.services.find((x) => x.name === 'catalog')!.endpoints[0].operations[0];
    expect(p.kind === 'call' && Math.abs(p.call.probability - 0.3)).toBeLessThan(0.03);
    compare(r);
  });

  it('a chain with network time on its calls: calibrated per edge from client less server span, the journey reproduced with no bias (OTLP JSON)', () => {
    const r = roundTrip(networked, 'otlp', '1h');
    expect(structure(r.calibrated)).toEqual(structure(r.original));
    const calls = r.calibrated.services.find((x) => x.name === 'gateway')!.endpoints[0].operations;
    const net = (target: string) => {
      const op = calls.find((o) => o.kind === 'call' && o.call.service === target)!;
      if (op.kind !== 'call' || op.call.network === null) throw new Error(`no network on the call to ${target}`);
      return op.call.network.mean;
    };
    expect(net('auth')).toBe(1000);
    // The mean of about 3 x 10,800 exponential draws (sd 3 ms): within 2%.
    expect(Math.abs(net('backend') / 3000 - 1)).toBeLessThan(0.02);
    const mean = (x: RunResult) => x.journeys.api.latencyMs.mean;
    expect(Math.abs(mean(r.rerun) / mean(r.traced) - 1), `${mean(r.rerun)} vs ${mean(r.traced)} ms`).toBeLessThan(0.01);
    compare(r);
    // Without it the calibrated journey is 10 ms short (1 + 3 x 3 ms): the time between the services is modelled.
    expect(mean(r.traced) - mean(chainRoundTrip().rerun)).toBeGreaterThan(9);
  });

  it('a chain: errors in two services, a call repeated three times, a cache asked half the time (OTLP JSON)', () => {
    const r = chainRoundTrip();
    expect(structure(r.calibrated)).toEqual(structure(r.original));
    compare(r);
  });
});
