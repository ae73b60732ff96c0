/**
 * The shop in realsys/: five Node services on loopback traced by the OpenTelemetry SDK. A short live run must give
 * one OTLP JSON file per service whose spans join into whole traces, one per request; the committed measurements
 * (test/fixtures/realsys/, made by `npm run realsys`) must hold what they are for: the rates declared, stable
 * queues, and conditions that differ.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { readTraceFile } from '../src/interop/traces/read.js';
import type { Span } from '../src/observe/span.js';
import { load, structure } from './roundtrip-helpers.js';

const root = new URL('..', import.meta.url).pathname;
const fixtures = join(root, 'test', 'fixtures', 'realsys');
interface Declared {
  services: Record<string, { workers: number }>; journeys: Record<string, { method: string; path: string }>;
  conditions: Record<string, { rate: number; seconds: number; sampleRatio: number; traces: string }>;
}
const system = JSON.parse(readFileSync(join(root, 'realsys', 'system.json'), 'utf8')) as Declared;
const services = Object.keys(system.services);

interface Figures { requests: number; errors: number; errorRate: number; throughputPerSec: number; latencyMs: { mean: number; p50: number; p95: number; p99: number } }
interface Measured {
  journeys: Record<string, Figures & { request: string }>; all: Figures; services: Record<string, { utilization: number; workers: number }>;
  traces: { requests: number; sampleRatio: number; spans: Record<string, number> };
}
const measured = (condition: string) => JSON.parse(readFileSync(join(fixtures, condition, 'measured.json'), 'utf8')) as Measured;

/** Every span of the files, read by rehearse's own trace reader, gathered by trace id across the files. */
function traces(files: string[]): Map<string, Span[]> {
  const all = new Map<string, Span[]>();
  for (const f of files) {
    readTraceFile(f, (spans) => {
      for (const s of spans) {
        let list = all.get(s.traceId);
        if (!list) all.set(s.traceId, (list = []));
        list.push(s);
      }
    });
  }
  return all;
}

/** Whole traces: one root, a frontend server span; every other span's parent in the same trace. */
function wholeness(all: Map<string, Span[]>) {
  let broken = 0;
  const seen = new Set<string>();
  for (const spans of all.values()) {
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => s.parentId === null);
    const orphans = spans.filter((s) => s.parentId !== null && !ids.has(s.parentId));
    if (roots.length !== 1 || roots[0].service !== 'frontend' || roots[0].kind !== 'server' || orphans.length > 0) broken++;
    for (const s of spans) seen.add(s.service ?? '');
  }
  return { broken, services: [...seen].sort() };
}

describe('the live shop', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-realsys-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs a few seconds at base load: each service writes its own OTLP file, and they join into one whole trace per request', () => {
    const run = spawnSync(process.execPath, [join(root, 'realsys', 'run.mjs'), '--quick', '--out', out], { encoding: 'utf8', timeout: 240_000 });
    expect(run.status, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as { ok: boolean; problems: string[]; fanOut: number; recommended: number; retried: number; journeys: Record<string, Figures> };
    expect(report.problems).toEqual([]);
    // Each shape the shop promises, seen in the traces.
    expect(report.fanOut).toBeGreaterThan(0);
    expect(report.recommended).toBeGreaterThan(0);
    expect(report.retried).toBeGreaterThan(0);

    const files = services.map((s) => join(out, `${s}.otlp.json`));
    for (const f of files) {
      const spans: Span[] = [];
      const read = readTraceFile(f, (t) => spans.push(...t));
      expect(read.format).toBe('otlp');
      expect(new Set(spans.map((s) => s.service)), f).toEqual(new Set([f.split('/').pop()!.replace('.otlp.json', '')]));
    }
    const all = traces(files);
    const requests = Object.values(report.journeys).reduce((n, j) => n + j.requests, 0);
    // Every span kept in quick mode: one trace per request, none lost by the batch processor.
    expect(all.size).toBe(requests);
    expect(wholeness(all)).toEqual({ broken: 0, services: [...services].sort() });
  }, 300_000);
});

describe('the committed measurements', () => {
  const conditions = Object.keys(system.conditions);

  it.each(conditions)('%s: the declared rate, a few thousand requests, every pool below 0.9 busy', (c) => {
    const m = measured(c);
    const declared = system.conditions[c];
    expect(m.all.requests).toBeGreaterThan(2500);
    // Poisson counts: within 4 standard deviations of the declared rate.
    const expected = declared.rate * declared.seconds;
    expect(Math.abs(m.all.requests - expected)).toBeLessThan(4 * Math.sqrt(expected));
    for (const [name, s] of Object.entries(m.services)) {
      expect(s.workers, name).toBe(system.services[name].workers);
      expect(s.utilization, name).toBeLessThan(0.9);
    }
    expect(Object.keys(m.journeys).sort()).toEqual(Object.keys(system.journeys).sort());
  });

  it('the base load is moderate at its bottleneck, and the other two conditions change what users see', () => {
    const base = measured('base'), double = measured('double'), slow = measured('slowdb');
    const busiest = Math.max(...Object.values(base.services).map((s) => s.utilization));
    expect(busiest).toBeGreaterThan(0.25);
    expect(busiest).toBeLessThan(0.55);
    for (const j of Object.keys(system.journeys)) {
      expect(double.journeys[j].latencyMs.mean, j).toBeGreaterThan(base.journeys[j].latencyMs.mean * 1.15);
      expect(double.journeys[j].latencyMs.p99, j).toBeGreaterThan(base.journeys[j].latencyMs.p99 * 1.15);
      // Each journey waits on the database at least once: at least 20 ms more.
      expect(slow.journeys[j].latencyMs.mean - base.journeys[j].latencyMs.mean, j).toBeGreaterThan(20);
    }
  });

  it('the base traces, one file per service, join into whole traces; the collector samples of the others too', () => {
    const base = traces(services.map((s) => join(fixtures, 'base', `${s}.otlp.json`)));
    expect(wholeness(base)).toEqual({ broken: 0, services: [...services].sort() });
    // Head sampling at the frontend: the share of the traced block's requests kept is the declared ratio (binomial, 4 sd).
    const { requests, sampleRatio } = measured('base').traces;
    expect(sampleRatio).toBe(system.conditions.base.sampleRatio);
    expect(Math.abs(base.size - requests * sampleRatio)).toBeLessThan(4 * Math.sqrt(requests * sampleRatio * (1 - sampleRatio)));
    for (const c of ['double', 'slowdb']) {
      expect(wholeness(traces([join(fixtures, c, 'collector.otlp.json')])).broken, c).toBe(0);
    }
  });

  it('the base traces, one file per service, calibrate to the shop\'s own shape, with a network time on every call', () => {
    // Starts in whole milliseconds: a fifth of client spans seem to end after their parent; none is asynchronous.
    const cal = calibrateFiles(services.map((s) => join(fixtures, 'base', `${s}.otlp.json`)), { sampleRate: system.conditions.base.sampleRatio });
    const s = load(cal.yaml);
    expect(structure(s)).toEqual({
      'frontend.GET-product': ['parallel[cart.GET-cart, catalog.GET-item]', 'recommend.GET-recs conditional'],
      'frontend.POST-checkout': ['cart.POST-checkout'],
      'cart.GET-cart': ['db.GET-query'], 'cart.POST-checkout': ['db.POST-write retry 1'],
      'catalog.GET-item': ['db.GET-query'], 'db.GET-query': [], 'db.POST-write': [], 'recommend.GET-recs': [],
    });
    // One journey per root operation, at the declared rate (the traced block's requests, scaled by the sampling).
    expect(s.journeys.map((j) => j.name).sort()).toEqual(['GET-product', 'POST-checkout']);
    expect(Math.abs(s.traffic.perSec / system.conditions.base.rate - 1)).toBeLessThan(0.1);
    // The time between client and server spans: 1.1 to 3.2 ms on average per call (README), on every call.
    for (const svc of s.services) {
      for (const e of svc.endpoints) {
        for (const op of e.operations) {
          for (const c of op.kind === 'call' ? [op.call] : op.calls) {
            expect(c.network, `${svc.name}.${e.name} -> ${c.service}`).not.toBeNull();
            expect(c.network!.mean).toBeGreaterThan(1000);
            expect(c.network!.mean).toBeLessThan(3500);
          }
        }
      }
    }
  });

  it('calibrate reads the base traces, each file alone and all together, without error', () => {
    for (const s of services) expect(() => calibrateFiles([join(fixtures, 'base', `${s}.otlp.json`)]), s).not.toThrow();
    const together = calibrateFiles(services.map((s) => join(fixtures, 'base', `${s}.otlp.json`)));
    expect(together.analysis.spans).toBe(Object.values(measured('base').traces.spans).reduce((n, s) => n + s, 0));
  });
});
