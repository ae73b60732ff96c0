/**
 * The work estimate covers all the work: scenarios that look cheap but ask for hours of CPU or gigabytes of
 * memory are refused before anything runs, with the figures that show why; a run that outgrows the heap
 * anyway stops with exit 2 naming the limit, never a V8 abort; dense prerequisite graphs validate in linear
 * time. One minimal input per shape found by the adversarial pass.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.js';
import { estimateRun } from '../src/scenario/budget.js';
import { parseScenarioText } from '../src/load/scenario.js';

const root = new URL('..', import.meta.url).pathname;
const bin = join(root, 'bin/rehearse.js');
const dir = mkdtempSync(join(tmpdir(), 'rehearse-budget-'));

async function cli(...argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const code = await main(argv, { out: () => {}, err: (s) => err.push(s) });
  return { code, err: err.join('\n') };
}

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

const one = (extra: string, rollout = '') => `name: b
duration: 1000s
traffic: { rate: 50/s }
journeys: { j: { steps: [a] } }
services: { a: { latency: 5ms } }
flags: { f: { kind: release, owner: t, evaluated-by: [a] } }
${extra}
${rollout ? `rollout:\n  - flag: f\n    stages: [{ to: 50%, hold: 900s }, { to: 100% }]\n${rollout}` : ''}`;

describe('work the estimate used to miss', () => {
  it.each([
    ['1 ms windows over 1,000 s', one('window: 1ms'), /about [\d.]+ GB of memory \(1\.0e6 telemetry windows x \d+ tags/],
    ['gates every 1 µs', one('', "    evaluate-every: 1us\n    gates: ['req_failed{service:a} rate<0.5']\n"), /1\.0e9 evaluations of gate 1 of f \(every 1µs\)/],
    ['a comparison over 1 m evaluated every 1 ms', one('', '    evaluate-every: 1ms\n    gates: [{ compare: { metric: req_duration, over: 1m } }]\n'), /1\.0e6 evaluations of gate 1 of f \(every 1ms\), 120,002 window slots each/],
    ['1,000 services with 31 flags and 60 journeys', `name: b
duration: 1h
traffic: { rate: 20/s }
journeys:
${Array.from({ length: 60 }, (_, k) => `  j${k}: { steps: [s${(k * 16) % 1000}] }`).join('\n')}
services:
${Array.from({ length: 1000 }, (_, i) => `  s${i}: { latency: 2ms }`).join('\n')}
flags:
${Array.from({ length: 31 }, (_, k) => `  f${k}: { kind: release, owner: t, evaluated-by: [s${k}] }`).join('\n')}
`, /telemetry tags \(1,000 services, 1,000 endpoints, 60 journeys, 31 flags\)/],
    ['a parallel repeat of 2^31 that a journey reaches', `name: b
duration: 10s
traffic: { rate: 5/s }
journeys: { j: { steps: [lonely] } }
services:
  a: {}
  lonely: { endpoints: { default: { calls: [{ parallel: [{ to: a, repeat: 2147483648 }] }] } } }
`, /x 2\.1e9 calls each/],
    ['50,000 services that no journey calls', `name: b
duration: 10m
traffic: { rate: 5/s }
journeys: { j: { steps: [a] } }
services: { a: {}, ${Array.from({ length: 50_000 }, (_, i) => `u${i}: {}`).join(', ')} }
`, /50,001 services/],
  ])('%s: refused up front with the figures, exit 2', async (_what, text, expected) => {
    const r = await cli('run', '-q', file(`shape-${Math.random().toString(36).slice(2)}.yaml`, text));
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(expected);
    expect(r.err).toContain('rerun with --force');
  }, 120_000);

  it('a repeat of 2^31 that no journey reaches compiles as a count: the run goes ahead at once', async () => {
    const lonely = file('lonely.yaml', `name: b
duration: 10s
traffic: { rate: 5/s }
journeys: { j: { steps: [a] } }
services:
  a: {}
  lonely: { endpoints: { default: { calls: [{ to: a, repeat: 2147483648 }, { parallel: [{ to: a, repeat: 2147483648 }] }] } } }
`);
    const l = parseScenarioText(readFileSync(lonely, 'utf8'));
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    expect(estimateRun(l.scenario).callSites).toBe(3);
    // Expanded, this compiled 2^31 sites and took over a minute and 4.7 GB before the estimate refused it.
    const r = await cli('run', '-q', lonely);
    expect(r.code, r.err).toBe(0);
  }, 180_000);

  it('a PromQL range longer than the run reads only what the run scraped', () => {
    const l = parseScenarioText(one('', "    evaluate-every: 1s\n    gates: [{ promql: 'sum(rate(http_requests_total[1000d]))', success: 'result >= 0' }]\n"));
    if (!l.ok) throw new Error(JSON.stringify(l.problems));
    const e = estimateRun(l.scenario);
    const gate = e.items.find((x) => x.what.includes('evaluations of gate 1'))!;
    // 1,000 evaluations of a range bounded by the run (1,000 s of 15 s scrapes), not by 1,000 days.
    expect(gate.what).toMatch(/^1,000 evaluations .* about 2,144 samples each$/);
    expect(e.seconds).toBeLessThan(60);
  });

  it('a sweep of about a million runs is refused for its total work', async () => {
    const f = file('sweep-million.yaml', `${one('', "    gates: ['req_failed{service:a} rate<0.5']\n")}
tune:
  seeds: 999992
  vary: { rollout.f.stages.0.hold: [10m] }
  minimize: 'blast_radius_users p(95)'
`);
    const r = await cli('sweep', f, '--workers', '1');
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(/999,992 runs x about [\d.]+ s each = about [\d.,e]+ (h|days) of work on one core, over the limit of 24 h/);
  }, 120_000);
});

describe('memory', () => {
  const heavy = file('heavy.yaml', one('window: 1ms'));

  it('under a 256 MB heap a large run is refused up front, naming the heap limit', () => {
    const r = spawnSync(process.execPath, [bin, 'run', '-q', heavy], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' }, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/MB a run may use \(the JavaScript heap limit: raise it with NODE_OPTIONS=--max-old-space-size=MiB\)/);
  }, 150_000);

  it('forced past the estimate under a 256 MB heap, the run stops with exit 2 naming the limit, not a V8 abort', () => {
    const r = spawnSync(process.execPath, [bin, 'run', '-q', '--force', heavy], { env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=256' }, encoding: 'utf8', timeout: 170_000 });
    expect(r.signal, r.stderr.slice(-2000)).toBeNull();
    expect(r.status, r.stderr.slice(-2000)).toBe(2);
    expect(r.stderr).toMatch(/heavy\.yaml: the run stopped after .* of simulated time: it needs more memory than the \d+ MiB the JavaScript heap allows/);
    expect(r.stderr).not.toMatch(/FATAL ERROR|\n\s+at /);
  }, 200_000);
});

describe('a run stepped for the heap guard', () => {
  // The guard steps the run a simulated second at a time; a run bounded by requests (no duration) halts when
  // its last journey ends, and the stepping must stop there too, not walk on forever past the halted engine.
  it('a run bounded by requests ends when its last journey ends, in a child with a 60 s budget', () => {
    const p = file('requests.yaml', ['name: bounded', 'seed: 4', 'traffic: { rate: 100/s, requests: 6000 }',
      'journeys: { j: { steps: [api] } }', 'services: { api: { latency: 1ms } }', ''].join('\n'));
    const json = join(dir, 'requests.json');
    const r = spawnSync(process.execPath, [bin, 'run', '-q', '--json', json, p], { encoding: 'utf8', timeout: 60_000 });
    expect(r.signal, 'the run did not end').toBeNull();
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(readFileSync(json, 'utf8')) as { simulated: { seconds: number } };
    // 6,000 requests at 100/s arrive over about a minute; the run ends just after the last one.
    expect(doc.simulated.seconds).toBeGreaterThan(55);
    expect(doc.simulated.seconds).toBeLessThan(65);
  }, 180_000);
});

describe('prerequisite graphs', () => {
  const dense = (reqs: (k: number) => number[]) => `name: dense
duration: 10m
traffic: { rate: 5/s }
journeys: { j: { steps: [a] } }
services: { a: {} }
flags:
${Array.from({ length: 31 }, (_, k) => `  f${k}: { kind: release, owner: t, evaluated-by: [a], requires: [${reqs(k).map((r) => `f${r}`).join(', ')}] }`).join('\n')}
`;
  it.each([
    ['each flag requires every flag before it', (k: number) => Array.from({ length: k }, (_, i) => i)],
    ['each flag requires every flag after it', (k: number) => Array.from({ length: 30 - k }, (_, i) => k + 1 + i)],
    ['each requires the ones before it, nearest first', (k: number) => Array.from({ length: k }, (_, i) => k - 1 - i)],
  ])('31 flags where %s validate and lint (a linear walk)', async (_what, reqs) => {
    const f = file(`dense-${Math.random().toString(36).slice(2)}.yaml`, dense(reqs));
    expect((await cli('validate', f)).code).toBe(0);
    expect((await cli('lint', f)).code).toBeLessThan(2);
  }, 180_000);

  it('a cycle in a dense graph is still found and named', async () => {
    const f = file('dense-cycle.yaml', dense((k) => (k === 0 ? [30] : Array.from({ length: k }, (_, i) => i))));
    const r = await cli('validate', f);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/prerequisite cycle: f0 -> f30 -> f0|prerequisite cycle/);
  }, 180_000);
});
