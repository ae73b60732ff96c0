/**
 * Capacity in a calibrated scenario is never a silent guess: given by the team (--capacity, --deployment with
 * Kubernetes manifests), inferred where the traces show a service saturated (with the evidence), or unknown.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { writeTraces } from '../src/interop/traces/write.js';
import { TraceRecorder } from '../src/observe/tracing.js';
import { stabilityWarnings } from '../src/scenario/stability.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';
import { load } from './roundtrip-helpers.js';
import { queueWaits } from '../src/calibrate/waits.js';

const root = new URL('..', import.meta.url).pathname;
const base = ['frontend', 'catalog', 'cart', 'recommend', 'db'].map((s) => join(root, 'test', 'fixtures', 'realsys', 'base', `${s}.otlp.json`));
const capacityOf = (yaml: string) => Object.fromEntries(load(yaml).services.map((s) => [s.name, s.capacityKnown ? `${s.replicas}x${s.concurrency}` : 'unknown']));

describe('given by the team', () => {
  it('--capacity: workers in all or replicas x workers, with where they came from; the others unknown', () => {
    const r = calibrateFiles(base, { sampleRate: 0.6, capacity: 'frontend=16,cart=2x8' });
    expect(capacityOf(r.yaml)).toEqual({ frontend: '1x16', cart: '2x8', catalog: 'unknown', db: 'unknown', recommend: 'unknown' });
    expect(r.yaml).toContain('    # given: --capacity cart=2x8;');
  });

  it('--capacity refuses a name that is no service of the traces, with a suggestion, and a malformed entry', () => {
    expect(() => calibrateFiles(base, { capacity: 'frotnend=16' })).toThrow('--capacity: no service "frotnend" in the traces; did you mean "frontend"?');
    expect(() => calibrateFiles(base, { capacity: 'frontend=0' })).toThrow('--capacity: expected NAME=N or NAME=REPLICASxN');
    expect(() => calibrateFiles(base, { capacity: '16' })).toThrow('--capacity: expected NAME=N');
  });

  it('--deployment: replicas from Deployments and StatefulSets (an HPA keeps them within its bounds), workers per replica from the annotation or --replica-concurrency', () => {
    const dir = join(root, 'test', 'fixtures', 'k8s');
    const r = calibrateFiles(base, { sampleRate: 0.6, deployment: dir, replicaConcurrency: 'db=8' });
    // frontend: 2 replicas, an HPA of 3 to 10: 3; cart-v2 (label app: cart): Kubernetes' default of 1 replica.
    expect(capacityOf(r.yaml)).toEqual({ frontend: '3x6', cart: '1x4', db: '1x8', catalog: 'unknown', recommend: 'unknown' });
    expect(r.yaml).toMatch(/# Deployment frontend \(.*workloads\.yaml:9:13\): 3 replicas; HorizontalPodAutoscaler \(.*autoscaling\.yaml:6:16\) keeps 3 to 10 replicas: the run holds 3 \(no autoscaling\); workers per replica from annotation rehearse\.dev\/concurrency/);
    expect(r.yaml).toMatch(/# StatefulSet db \(.*\): 1 replicas; workers per replica from --replica-concurrency/);
    expect(r.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/workloads\.yaml:\d+:\d+: Deployment catalogue: no service of that name in the traces; did you mean "catalog"\?; not used$/),
      expect.stringMatching(/autoscaling\.yaml:\d+:\d+: HorizontalPodAutoscaler frontend \(document 1\): its metrics and behavior are not simulated/),
      expect.stringMatching(/autoscaling\.yaml:12:1: Service frontend \(document 2\): describes no capacity; not read$/),
    ]));
    // Without a figure for the db's workers, its replicas alone do not make a capacity.
    expect(capacityOf(calibrateFiles(base, { sampleRate: 0.6, deployment: dir }).yaml).db).toBe('unknown');
  });
});

describe('inferred where the traces show it, unknown otherwise', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-capacity-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a service held at its two workers while work queued is inferred at 2, with the evidence; an idle one is unknown', () => {
    // 150/s of 10 ms work on 2 workers: utilization 0.75, requests often wait and take a worker as it frees.
    const s = scenario({
      seed: 9, duration: '2m', traffic: { rate: '150/s' }, journeys: { q: { steps: ['api'] } },
      services: {
        api: { concurrency: 64, latency: '1ms', calls: ['busy'] },
        busy: { concurrency: 2, queue: 'unbounded', latency: { dist: 'exponential', mean: '10ms' } },
      },
    });
    const tracer = new TraceRecorder({ rate: 1, errors: false });
    const original = runScenario(s, { tracer });
    const file = join(dir, 'busy.otlp.json');
    writeTraces(file, tracer.kept, 'otlp');
    const r = calibrateFiles([file]);
    expect(capacityOf(r.yaml)).toEqual({ api: 'unknown', busy: '1x2' });
    expect(r.yaml).toMatch(/# inferred: saturated at 2: at most 2 overlapping spans, \d+(\.\d+)?% of its busy time at that maximum.*; [\d,]+ of [\d,]+ spans started as another ended while at 2/);
    expect(r.yaml).toMatch(/# capacity unknown: the traces show no saturation \(at most \d+ overlapping spans?/);
    // The calls that found both workers busy waited before the span started: queueing, not network.
    const w = queueWaits(r.analysis).get('busy')!;
    expect(w.max).toBe(2);
    expect(w.full.mean).toBeGreaterThan(5000);
    expect(Math.abs(w.free.mean)).toBeLessThan(10);
    const calibrated = load(r.yaml);
    const call = calibrated.services.find((x) => x.name === 'api')!.endpoints[0].operations[0];
    expect(call.kind === 'call' ? call.call.network?.mean ?? 0 : NaN).toBeLessThan(10);
    expect(r.yaml).toMatch(/network mean \d+us.* over the [\d,]+ attempts that found a worker free/);
    // So the queue is simulated once: the journey's mean comes back (M/M/2 at 0.75: 1 + 10 + 12.9 ms), measured over
    // 20 minutes on both sides (over two, the mean of a queue at 0.75 is several percent off either way); counted
    // twice it would be about 50% longer.
    const long = { durationUs: 20 * 60e6 };
    const again = runScenario({ ...calibrated, ...long });
    const truth = runScenario({ ...s, ...long });
    expect(Math.abs(again.journeys.q.latencyMs.mean / truth.journeys.q.latencyMs.mean - 1)).toBeLessThan(0.05);
  });

  it('the shop\'s base traces, no capacity given: every service unknown, and the run at twice the load says it cannot show saturation', () => {
    const r = calibrateFiles(base, { sampleRate: 0.6 });
    expect(Object.values(capacityOf(r.yaml))).toEqual(['unknown', 'unknown', 'unknown', 'unknown', 'unknown']);
    const s = load(r.yaml);
    expect(Math.abs(s.calibration!.ratePerSec / 50 - 1)).toBeLessThan(0.1);
    const twice = { ...s, traffic: { ...s.traffic, perSec: 2 * s.calibration!.ratePerSec } };
    expect(stabilityWarnings(twice)).toEqual([
      'capacity unknown (concurrency: unknown) for "frontend", "catalog", "cart", "db", "recommend": unbounded in the run, so results above the calibrated load (52.1/s; this run\'s peak is 2.00 times it) cannot show them saturate',
    ]);
  });

  it('a service of unknown capacity has no utilization (null in the result, "unknown" in the terminal and the HTML report), where it read 0% as if idle', async () => {
    const { formatSummary } = await import('../src/report/terminal.js');
    const { runReportHtml } = await import('../src/report/html/run.js');
    const s = scenario({
      duration: '2m', traffic: { rate: '200/s' }, journeys: { j: { steps: ['a'] } },
      services: { a: { concurrency: 'unknown', latency: '20ms', calls: ['b'] }, b: { concurrency: 8, latency: '10ms' } },
    });
    const r = runScenario(s);
    expect(r.services.a.requests).toBeGreaterThan(20_000);
    expect(r.services.a.utilization).toBeNull();
    expect(r.windows.services.a.utilization.every((u) => u === null)).toBe(true);
    // b: 200/s x 10 ms over 8 workers.
    expect(r.services.b.utilization).toBeCloseTo(0.25, 1);
    expect(formatSummary(r).split('\n').find((l) => l.startsWith('a '))).toMatch(/ unknown +0\.0 \(max 0\)$/);
    expect(formatSummary(r).split('\n').find((l) => l.startsWith('b '))).toMatch(/ 2[45]% +0\.\d \(max \d+\)$/);
    expect(runReportHtml(r)).toMatch(/<td>a<\/td>(<td class="num">[^<]*<\/td>){4}<td class="num">unknown<\/td>/);
  });
});
