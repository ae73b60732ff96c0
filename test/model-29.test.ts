/**
 * The model's counts where they were not what the simulated system did: each scenario is written as a user writes
 * one (YAML in a temporary directory) and run as `rehearse run` runs it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import { stability, stabilityWarnings } from '../src/scenario/stability.js';
import { runScenario } from '../src/score/result.js';
import { cli } from './helpers.js';

const work = mkdtempSync(join(tmpdir(), 'rehearse-model-29-'));

function scenarioFile(name: string, yaml: string): string {
  const file = join(work, `${name}.yaml`);
  writeFileSync(file, yaml);
  return file;
}

function loaded(file: string): Scenario {
  const l = loadScenarioFile(file);
  if (!l.ok) throw new Error(JSON.stringify(l.problems));
  return l.scenario;
}

describe('a call that gives up waiting for a slot of its caller\'s pool is the caller\'s, never the callee\'s', () => {
  // Envoy counts a request in its cluster's upstream_rq_total only once the pool attaches it to a connection
  // (envoyproxy/envoy source/common/conn_pool/conn_pool_base.cc attachStreamToClient; a request still waiting is
  // upstream_rq_pending_total, source/common/conn_pool/pending_stream.cc), and a server's own metrics
  // (http_server_request_duration_seconds, which rehearse writes) never see a request its client did not send.
  const pool = scenarioFile('pool-deadline', `name: pool deadlines
seed: 4
traffic: { rate: 1/s, requests: 2000 }
journeys:
  search: { steps: [web.search] }
services:
  web:
    concurrency: 1000
    endpoints:
      search:
        calls:
          - parallel: [index.slow, { to: index.lookup, timeout: 100ms }]
            limit: 1
  index:
    concurrency: 1000
    endpoints:
      slow: { latency: 200ms }
      lookup: { latency: 10ms }
`);

  it('a deadline that passes while the call waits: the pool\'s timedOutWaiting and the caller\'s failure, not a timeout of the callee', async () => {
    // One slot: each journey's slow call takes it, and its lookup (100 ms deadline) times out waiting, every time.
    const json = join(work, 'pool-deadline.json'), om = join(work, 'pool-deadline.om');
    const { code, out } = await cli('run', pool, '--json', json, '--openmetrics', om);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(json, 'utf8'));
    expect(r.pools[0].timedOutWaiting).toBe(2_000);
    // The lookups never reached index: no request, no error, no latency there (they were 2,000 timeouts of 100 ms).
    expect(r.services.index.endpoints.lookup).toMatchObject({ requests: 0, errors: 0, latencyMs: { max: 0 } });
    expect(r.services.index.errors).toBe(0);
    // The caller failed on them, and so did every journey, of a timeout.
    expect(r.services.web.errorsByCause.downstream).toBe(2_000);
    expect(r.journeys.search.errorsByCause.timeout).toBe(2_000);
    expect(r.outcomes.failed_by_truth.timeout).toBe(2_000);
    // The server-side series a gate reads hold no lookup at all.
    const series = readFileSync(om, 'utf8');
    expect(series).toContain('http_route="slow"');
    expect(series).not.toContain('http_route="lookup"');
    // The terminal's pool table tells them.
    const row = out.split('\n').find((l) => l.startsWith('web -> index'))!;
    expect(out).toMatch(/\nclient-side pool +in the scenario +limit +calls\/s +util +waited +mean wait +waiting +timed out waiting\n/);
    expect(row.trimEnd().endsWith('  2,000')).toBe(true);
  });

  it('a call whose caller stopped waiting, and whose deadline passes later, is no timeout of the callee either', () => {
    // One slot: index.slow (200 ms) takes it, lookup (50 ms deadline) and other (80 ms) wait. The lookup's deadline
    // fails the journey at 50 ms, and other, no longer wanted, leaves the line unsent: its deadline passing at 80 ms
    // is nobody's timeout.
    const s = loaded(scenarioFile('pool-orphan', `name: pool orphans
seed: 9
traffic: { rate: 1/s, requests: 2000 }
journeys:
  search: { steps: [web.search] }
services:
  web:
    concurrency: 1000
    endpoints:
      search:
        calls:
          - parallel: [index.slow, { to: index.lookup, timeout: 50ms }, { to: index.other, timeout: 80ms }]
            limit: 1
  index:
    concurrency: 1000
    endpoints:
      slow: { latency: 200ms }
      lookup: { latency: 1ms }
      other: { latency: 1ms }
`));
    const r = runScenario(s);
    expect(r.pools![0].timedOutWaiting).toBe(2_000);
    expect(r.services.index.endpoints.lookup.requests).toBe(0);
    expect(r.services.index.endpoints.other.requests).toBe(0);
    expect(r.services.index.errors).toBe(0);
    expect(r.journeys.search.errorsByCause.timeout).toBe(2_000);
  });
});

describe('a pool\'s demand worked out before the run counts only the requests that reach its group', () => {
  // web.search checks gate.check (retried once on an error), whose auth.verify fails 40% of the time, then calls
  // index.lookup through a pool of 4: a request whose check failed twice (0.4 x 0.4) never reaches the pool.
  const yaml = (rate: string) => `name: pool demand after a failing call
seed: 6
duration: 20m
traffic: { rate: ${rate} }
journeys:
  search: { steps: [web.search] }
services:
  web:
    concurrency: 1000
    latency: 1ms
    endpoints:
      search:
        calls:
          - { to: gate.check, retry: { attempts: 1, on: [error], backoff: 1ms } }
          - parallel: [index.lookup]
            limit: 4
  gate: { concurrency: 1000, latency: 1ms, endpoints: { check: { calls: [auth.verify] } } }
  auth: { concurrency: 1000, latency: 1ms, errors: 40%, endpoints: { verify: {} } }
  index: { concurrency: 1000, latency: { dist: exponential, mean: 50ms }, endpoints: { lookup: {} } }
`;

  it('as the run makes calls: the slots it keeps busy, against the estimate', () => {
    const s = loaded(scenarioFile('pool-demand', yaml('20/s')));
    const est = stability(s).pools[0];
    // 20/s x (1 - 0.4^2) x 50 ms: 0.84 slots (every request, 1.00, before).
    expect(est.offered).toBeCloseTo(20 * 0.84 * 0.05, 9);
    const run = runScenario(s).pools![0];
    expect(Math.abs(run.busySlots / est.offered - 1)).toBeLessThan(0.03);
  });

  it('a load the pool holds, once the failed requests are left out, is not warned of', () => {
    // At 110/s: 4.62 slots of 4 are asked for; at 90/s 3.78, under the limit (it was 4.5, over it, counting them all).
    const over = stabilityWarnings(loaded(scenarioFile('pool-demand-110', yaml('110/s')))).filter((w) => w.includes('client-side pool'));
    expect(over).toEqual(['services.web.endpoints.search.calls[1]: client-side pool web -> index offered 4.62 busy slots at 110/s against its limit of 4 ' +
      '(utilization 1.16: of the requests that reach the group, as errors before it let them; no queueing, timeout nor rejection counted): ' +
      'the calls waiting for a slot grow for as long as that load lasts, and that wait is web\'s, in no service\'s queue']);
    expect(stabilityWarnings(loaded(scenarioFile('pool-demand-90', yaml('90/s')))).filter((w) => w.includes('client-side pool'))).toEqual([]);
  });
});
