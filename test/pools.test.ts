/**
 * Client-side pools (a parallel group's `limit`) in the reports: where a call waited for a slot of its caller's own
 * pool, named as the scenario names the pool, beside the services' queues and never in them; against queueing
 * theory where the pool is an M/M/c queue (Erlang C), as test/queueing.test.ts checks the services' queues.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { calibrateFiles } from '../src/calibrate/calibrate.js';
import { main } from '../src/cli/main.js';
import { runReportHtml } from '../src/report/html/run.js';
import { formatSummary } from '../src/report/terminal.js';
import { stabilityWarnings } from '../src/scenario/stability.js';
import { runScenario } from '../src/score/result.js';
import { erlangC, mmc, scenario } from './helpers.js';
import { load } from './roundtrip-helpers.js';

const MU = 100; // the callee's service rate per call, per second (mean 10 ms)

/**
 * Journeys to `web.search`, which makes one call to `index.lookup` through a pool of `c` slots; `index` has workers to
 * spare and an exponential service time of mean 1/mu, so the pool is an M/M/c queue: Poisson calls (the journeys'
 * arrivals, each delayed by web's own exponential time, stay Poisson), c slots, each held for one service time.
 */
function pooled(lambda: number, mu: number, c: number, requests: number, extra: Record<string, unknown> = {}) {
  return scenario({
    seed: 5,
    traffic: { rate: `${lambda}/s`, requests },
    journeys: { search: { steps: ['web.search'] } },
    services: {
      web: { concurrency: 100000, queue: 'unbounded', latency: { dist: 'exponential', mean: '1ms' }, endpoints: { search: { calls: [{ parallel: [{ to: 'index.lookup', ...extra }], limit: c }] } } },
      index: { concurrency: 100000, queue: 'unbounded', latency: { dist: 'exponential', mean: `${1000 / mu}ms` }, endpoints: { lookup: {} } },
    },
  });
}

describe('a client-side pool as an M/M/c queue, against Erlang C', () => {
  it.each([[1, 0.7], [4, 0.8]])('c=%i, load %f: the mean wait, P(wait), waiters (Little) and slots in use', (c, rho) => {
    const lambda = rho * c * MU;
    const theory = erlangC(lambda, MU, c);
    const requests = 600_000;
    const r = runScenario(pooled(lambda, MU, c, requests));
    expect(r.pools).toHaveLength(1);
    const p = r.pools![0];
    expect(p.pool).toBe('web -> index');
    expect(p.at).toBe('services.web.endpoints.search.calls[0]');
    expect(p.limit).toBe(c);
    expect(p.calls).toBe(requests);
    expect(Math.abs(p.meanWaitMs / 1000 / theory.meanWait - 1)).toBeLessThan(0.05);
    expect(Math.abs(p.waitedShare - theory.pWait)).toBeLessThan(0.02);
    expect(p.waited).toBe(Math.round(p.waitedShare * p.calls));
    // Little's law: waiters on average = arrival rate x mean wait.
    expect(Math.abs(p.meanWaiting / (lambda * theory.meanWait) - 1)).toBeLessThan(0.05);
    expect(p.utilization).toBeCloseTo(rho, 2);
    expect(p.timedOutWaiting).toBe(0);
    // Like with like: the wait is the caller's, in no service's queue; the callee's latency is its own.
    for (const s of ['web', 'index']) {
      expect(r.services[s].maxQueued).toBe(0);
      expect(r.services[s].meanQueueWaitMs).toBe(0);
    }
    expect(Math.abs(r.services.index.latencyMs.mean / (1000 / MU) - 1)).toBeLessThan(0.02);
    // ... and the caller's: its own time, the wait and the call.
    expect(Math.abs(r.services.web.latencyMs.mean / (1 + theory.meanResponse * 1000) - 1)).toBeLessThan(0.03);
  });
});

describe('the reports name a pool that holds the time', () => {
  // A pool of 4 in front of a fast service: 2 calls of 25 ms per journey at 76/s offer 3.8 of its 4 slots.
  const s = scenario({
    seed: 3,
    duration: '5m',
    traffic: { rate: '76/s' },
    journeys: { search: { steps: ['web.search'] } },
    services: {
      web: { concurrency: 1000, latency: { dist: 'exponential', mean: '1ms' }, endpoints: { search: { calls: [{ parallel: [{ to: 'index.lookup', repeat: 2 }], limit: 4 }] } } },
      index: { concurrency: 200, latency: { dist: 'exponential', mean: '25ms' }, endpoints: { lookup: {} } },
    },
  });
  const r = runScenario(s);
  const p = r.pools![0];

  it('JSON: the pool with its wait, per window too, while every service queue reads 0', () => {
    expect(p).toMatchObject({ pool: 'web -> index', at: 'services.web.endpoints.search.calls[0]', limit: 4 });
    expect(p.utilization).toBeGreaterThan(0.9);
    expect(p.waitedShare).toBeGreaterThan(0.5);
    // The journey's time is mostly that wait: a journey waits for the later of its two calls' slots.
    expect(p.meanWaitMs).toBeGreaterThan(0.5 * r.journeys.search.latencyMs.mean - 30);
    expect(r.services.web.maxQueued + r.services.index.maxQueued).toBe(0);
    const w = r.windows.pools![0];
    expect(w).toMatchObject({ pool: 'web -> index', at: 'services.web.endpoints.search.calls[0]' });
    expect(w.calls).toHaveLength(r.windows.startSeconds.length);
    expect(w.calls.reduce((a, b) => a + b, 0)).toBe(p.calls);
    expect(w.waited.reduce((a, b) => a + b, 0)).toBe(p.waited);
    expect(Math.max(...w.maxWaiting)).toBe(p.maxWaiting);
  });

  it('text: a pool table beside the services\' queues, and what the pool did', () => {
    const text = formatSummary(r);
    const row = text.split('\n').find((l) => l.startsWith('web -> index'))!;
    expect(row).toContain('services.web.endpoints.search.calls[0]');
    expect(row.split(/\s{2,}/).slice(2)).toEqual(['4', p.callsPerSec.toFixed(1), `${(p.utilization * 100).toFixed(0)}%`, `${(p.waitedShare * 100).toFixed(1)}%`,
      p.meanWaitMs >= 1000 ? `${Number((p.meanWaitMs / 1000).toFixed(2))}s` : `${p.meanWaitMs.toFixed(0)}ms`, `${p.meanWaiting.toFixed(1)} (max ${p.maxWaiting.toLocaleString('en-US')})`]);
    expect(text).toMatch(/\nclient-side pool +in the scenario +limit +calls\/s +util +waited +mean wait +waiting\n/);
  });

  it('HTML: the pool\'s row under the services, with its path in the scenario', () => {
    const html = runReportHtml(r);
    expect(html).toContain('<h3>Client-side pools</h3>');
    expect(html).toMatch(/<tr><td>web -&gt; index<\/td><td><code>services\.web\.endpoints\.search\.calls\[0\]<\/code><\/td><td class="num">4<\/td>/);
    expect(html).toContain('<th>queue</th><th>queue wait</th>');
  });

  it('before the run: a pool offered its limit or more is warned of, with its path', () => {
    const over = { ...s, traffic: { ...s.traffic, perSec: 100 } };
    expect(stabilityWarnings(over)).toContain('services.web.endpoints.search.calls[0]: client-side pool web -> index offered 5.00 busy slots at 100/s against its limit of 4 ' +
      '(utilization 1.25: of the requests that reach the group, as errors before it let them; no queueing, timeout nor rejection counted): the calls waiting for a slot grow for as long as that load lasts, and that wait is web\'s, in no service\'s queue');
    expect(stabilityWarnings(s).filter((w) => w.includes('client-side pool'))).toEqual([]);
    const story = runScenario({ ...over, durationUs: 120e6 }).stability!.pools!;
    expect(story).toHaveLength(1);
    expect(story[0].offered).toBe(1.25);
    expect(story[0].explanation).toMatch(/^client-side pool web -> index \(services\.web\.endpoints\.search\.calls\[0\]\) saturated: offered 1\.25x its limit of 4 at the peak rate/);
  });

  it('a run without a pool has no pool keys', () => {
    const plain = runScenario(mmc(50, MU, 2, 2000));
    expect('pools' in plain).toBe(false);
    expect('pools' in plain.windows).toBe(false);
  });
});

describe('report: a result document\'s pools on the page, and a pool figure that cannot be is refused', () => {
  it('renders the pools of scenarios/hotrod.yaml from its --json, and refuses a negative wait with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-pools-report-'));
    const cli = async (...argv: string[]) => {
      const out: string[] = [];
      const code = await main(argv, { out: (x) => out.push(x), err: (x) => out.push(x) });
      return { code, text: out.join('\n') };
    };
    const json = join(dir, 'hotrod.json'), html = join(dir, 'hotrod.html');
    expect((await cli('run', new URL('../scenarios/hotrod.yaml', import.meta.url).pathname, '-q', '--json', json)).code).toBe(0);
    expect((await cli('report', json, '--html', html)).code).toBe(0);
    expect(readFileSync(html, 'utf8')).toContain('<tr><td>frontend -&gt; route</td><td><code>services.frontend.endpoints.dispatch.calls[2]</code></td><td class="num">3</td>');
    const doc = JSON.parse(readFileSync(json, 'utf8'));
    doc.pools[0].meanWaitMs = -1;
    writeFileSync(json, JSON.stringify(doc));
    const refused = await cli('report', json, '--html', html);
    expect(refused.code).toBe(2);
    expect(refused.text).toContain('pools[0].meanWaitMs');
  });
});

describe('deadlines and failures while calls wait for a slot', () => {
  it('an attempt whose deadline passes while it waits is counted, never sent, and leaves the line', () => {
    // One slot; each journey's slow call (200 ms, no deadline) takes it first, then its lookup (100 ms deadline) waits
    // behind it and times out waiting, every time. (With one deadline for all, FIFO hands the slot over in time.)
    const s = scenario({
      seed: 4,
      traffic: { rate: '1/s', requests: 2_000 },
      journeys: { search: { steps: ['web.search'] } },
      services: {
        web: { concurrency: 1000, endpoints: { search: { calls: [{ parallel: ['index.slow', { to: 'index.lookup', timeout: '100ms' }], limit: 1 }] } } },
        index: { concurrency: 1000, endpoints: { slow: { latency: '200ms' }, lookup: { latency: '10ms' } } },
      },
    });
    const r = runScenario(s);
    const p = r.pools![0];
    expect(p.timedOutWaiting).toBe(2_000);
    // Never sent: no request of index.lookup, and the caller's failure.
    expect(r.services.index.endpoints.lookup.requests).toBe(0);
    expect(r.services.web.errorsByCause.downstream).toBe(2_000);
    expect(p.endWaiting).toBe(0);
    // Waiting: the lookups' 100 ms each, and the slow calls that waited for another journey's (a few percent) more.
    const lookupsUs = 2_000 * 100_000;
    expect(p.meanWaiting * r.simulated.seconds * 1e6).toBeGreaterThan(lookupsUs - 1);
    expect(p.meanWaiting * r.simulated.seconds * 1e6).toBeLessThan(1.3 * lookupsUs);
    expect(p.waited).toBeGreaterThan(2_000);
    expect(p.waited).toBeLessThan(2_400);
  });

  it('a call whose caller stopped waiting (a required sibling failed) leaves the line and is never sent', () => {
    // One slot; each journey's first call (to bad, 10 ms on average, failing half the time) takes it, and its second
    // (to good) waits for it. When the first fails, the journey fails and the second, no longer wanted, is never sent.
    const s = scenario({
      seed: 9,
      traffic: { rate: '1/s', requests: 4_000 },
      journeys: { go: { steps: ['web.go'] } },
      services: {
        web: { concurrency: 1000, endpoints: { go: { calls: [{ parallel: ['bad.x', 'good.y'], limit: 1 }] } } },
        bad: { concurrency: 1000, latency: { dist: 'exponential', mean: '10ms' }, errors: '50%', endpoints: { x: {} } },
        good: { concurrency: 1000, latency: { dist: 'exponential', mean: '10ms' }, endpoints: { y: {} } },
      },
    });
    const r = runScenario(s);
    const p = r.pools![0];
    expect(p.pool).toBe('web -> bad, good');
    expect(p.calls).toBe(8_000);
    expect(r.services.bad.requests).toBe(4_000);
    expect(Math.abs(r.services.good.requests / 4_000 - 0.5)).toBeLessThan(0.03);
    expect(p.timedOutWaiting).toBe(0);
    expect(p.endWaiting).toBe(0);
    // Every good call waited (and a bad one now and then, behind another journey's): for its bad sibling's time.
    expect(p.waited).toBeGreaterThan(3_999);
    expect(p.waited).toBeLessThan(4_100);
    const waitedUs = p.meanWaiting * r.simulated.seconds * 1e6;
    expect(Math.abs(waitedUs / (4_000 * 10_000) - 1)).toBeLessThan(0.06);
  });
});

describe('HotROD, calibrated from its own trace: the pool of three route calls', () => {
  const fixture = new URL('./fixtures/traces/hotrod-otlp.json', import.meta.url).pathname;

  it('the run\'s reports name frontend -> route at its path, with the wait that makes the journey slow', () => {
    const calibrated = load(calibrateFiles([fixture], { groupBy: 'http.route' }).yaml);
    // Ten route calls of about 53 ms each through 3 slots: 5.6 dispatches a second that reach them (58%: the other 42%
    // fail at the driver first, as HotROD's Redis fails every fifth lookup) fill the pool; at 12/s it is 1.2x over.
    const r = runScenario({ ...calibrated, traffic: { ...calibrated.traffic, perSec: 12 }, durationUs: 300e6 });
    const p = r.pools![0];
    expect(p).toMatchObject({ pool: 'frontend -> route', at: 'services.frontend.endpoints.dispatch.calls[2]', limit: 3 });
    expect(p.utilization).toBeGreaterThan(0.99);
    expect(p.meanWaitMs).toBeGreaterThan(10_000);
    // The journey's time is the pool's wait (its slowest: the p99, the 58% that reach the pool), and no service queued.
    expect(r.journeys.dispatch.latencyMs.p99).toBeGreaterThan(p.meanWaitMs);
    for (const svc of Object.values(r.services)) expect(svc.maxQueued).toBe(0);
    expect(formatSummary(r)).toMatch(/\nfrontend -> route {2,}services\.frontend\.endpoints\.dispatch\.calls\[2\] {2,}3 /);
    expect(runReportHtml(r)).toContain('<tr><td>frontend -&gt; route</td><td><code>services.frontend.endpoints.dispatch.calls[2]</code></td>');
  });

  it('calibrate --predict at 12/s names the pool: warned as offered over its limit, and where the calls waited', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-pools-'));
    const out: string[] = [], err: string[] = [];
    const code = await main(['calibrate', fixture, '--group-by', 'http.route', '--out', join(dir, 'hotrod.yaml'), '--predict', '12/s', '--resamples', '0'],
      { out: (x) => out.push(x), err: (x) => err.push(x) });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/\nclient-side pool frontend -> route \(services\.frontend\.endpoints\.dispatch\.calls\[2\], limit 3\): \d+\.\d% of its calls waited for a slot, [\d.]+s on average/);
    expect(err.join('\n')).toMatch(/warning: --predict 12\/s: services\.frontend\.endpoints\.dispatch\.calls\[2\]: client-side pool frontend -> route offered [\d.]+ busy slots at 12\.0\/s against its limit of 3/);
    expect(readFileSync(join(dir, 'hotrod.yaml'), 'utf8')).toContain('limit: 3');
  });
});
