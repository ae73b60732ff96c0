/**
 * The model's counts where they were not what the simulated system did: each scenario is written as a user writes
 * one (YAML in a temporary directory) and run as `rehearse run` runs it.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildDocument } from '../src/live/debrief.js';
import { drillHtml } from '../src/live/debrief-html.js';
import type { DrillRecord } from '../src/live/record.js';
import { DrillSession, readDrillScenario } from '../src/live/session.js';
import { loadScenarioFile } from '../src/load/scenario.js';
import type { Scenario } from '../src/scenario/types.js';
import { stability, stabilityWarnings } from '../src/scenario/stability.js';
import { runScenario } from '../src/score/result.js';
import { fran } from './drill-19-session.js';
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
  // upstream_rq_pending_total, source/common/conn_pool/pending_stream.cc); gRPC's client fails a call whose deadline
  // passes while it waits for a ready connection with DEADLINE_EXCEEDED before any stream exists (grpc/grpc-go
  // picker_wrapper.go pick: "... while waiting for connections to become ready"); and a server's own metrics
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
    expect(r.windows.pools[0].timedOutWaiting.reduce((a: number, b: number) => a + b, 0)).toBe(2_000);
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

describe('a fault on a share of calls counts every journey it touched, by what it did', () => {
  const yaml = (fault: string, call: string) => `name: a fault on a share of calls
seed: 3
duration: 10m
traffic: { rate: 20/s }
slo: { latency: 1s }
journeys:
  buy: { steps: [web.buy] }
services:
  web: { concurrency: 1000, latency: 1ms, endpoints: { buy: { calls: [${call}] } } }
  pay: { concurrency: 1000, latency: 10ms, endpoints: { go: {} } }
faults:
  - { name: f, target: pay, at: 1m, for: 5m, percent: 20%, ${fault} }
`;

  it('an abort retried twice: the journeys it failed (all three tries aborted) and those it only slowed', () => {
    const r = runScenario(loaded(scenarioFile('share-abort', yaml('kind: abort, status: 503', '{ to: pay.go, retry: { attempts: 2, on: [error], backoff: 5ms } }'))));
    const f = r.outcomes.faults[0];
    // 20/s for 5 minutes: about 6,000 journeys, a fifth of them aborted once at least, 0.8% three times.
    expect(f.journeys_failed).toBe(r.outcomes.failed_by_truth.fault);
    expect(f.journeys_failed).toBe(f.journeys_hurt);
    expect(Math.abs(f.journeys_failed! / (6_000 * 0.2 ** 3) - 1)).toBeLessThan(0.3);
    const touched = f.journeys_failed! + f.slowed!.journeys;
    expect(Math.abs(touched / (6_000 * 0.2) - 1)).toBeLessThan(0.06);
  });

  it('a delay past the caller\'s timeout: every journey it touched failed of the timeout it caused, and is its', () => {
    const r = runScenario(loaded(scenarioFile('share-delay', yaml('kind: latency, add: 300ms', '{ to: pay.go, timeout: 200ms }'))));
    const f = r.outcomes.faults[0];
    expect(r.outcomes.failed_by_truth.fault).toBe(r.outcomes.journeys_failed);
    expect(f.journeys_failed).toBe(r.outcomes.journeys_failed);
    expect(f.journeys_hurt).toBe(f.journeys_failed);
    expect(f.slowed).toBeUndefined();
    expect(Math.abs(f.journeys_failed! / (6_000 * 0.2) - 1)).toBeLessThan(0.06);
  });
});

describe('rejections a flag\'s extra load causes, under truth: direct and counterfactual (docs/acceptance.md)', () => {
  // Journey a's web.a calls db.q only with the flag on (a new call path); journey b's web.b always calls it. db has 2
  // workers and a queue of 2: the flag's calls, as many as b's, fill it, and db rejects calls of both.
  const yaml = (truth: string) => `name: a flag's extra load
seed: 2
duration: 10m
truth: ${truth}
traffic: { rate: 100/s }
slo: { availability: 99.9%, latency: 5s }
journeys:
  a: { steps: [web.a] }
  b: { steps: [web.b] }
services:
  web: { concurrency: 1000, latency: 1ms, endpoints: { a: {}, b: { calls: [db.q] } } }
  db: { concurrency: 2, queue: 2, latency: { dist: exponential, mean: 15ms }, endpoints: { q: {} } }
flags:
  heavy:
    evaluated-by: [web]
    when-on:
      web.a: { calls: [db.q] }
rollout:
  - flag: heavy
    stages: [{ to: 100% }]
`;

  it('direct: a rejection on the path the flag put in place is the flag\'s; one its load caused elsewhere is the proximate cause\'s', () => {
    const r = runScenario(loaded(scenarioFile('load-direct', yaml('direct'))));
    const a = r.journeys.a.errors, b = r.journeys.b.errors;
    expect(a).toBeGreaterThan(1_000);
    expect(b).toBeGreaterThan(1_000);
    expect(r.outcomes.failed_by_truth).toMatchObject({ 'flag-defect': a, rejected: b });
    expect(r.outcomes.flags.heavy.blast_radius_requests).toBe(a);
  });

  it('counterfactual: the twin run without the flag charges it both', () => {
    const r = runScenario(loaded(scenarioFile('load-twin', yaml('counterfactual'))));
    const a = r.journeys.a.errors, b = r.journeys.b.errors;
    // Without the flag db is at 0.375 of its workers and rejects next to nothing: the twins agree only in distribution
    // (a journey the flag made better nets one it made worse), and most of b's failures are the flag's.
    expect(r.outcomes.flags.heavy.blast_radius_requests).toBeGreaterThan(a + 0.75 * b);
    expect(r.outcomes.flags.heavy.blast_radius_requests).toBeLessThanOrEqual(a + b);
  });
});

/** The debrief of a drill of test/fixtures/drill.yaml (case healthy) with its hidden fault replaced, nobody acting, run to its horizon. */
function drillWithFault(name: string, fault: string) {
  const fixture = new URL('./fixtures/drill.yaml', import.meta.url).pathname;
  const text = readFileSync(fixture, 'utf8');
  const old = "{ kind: latency, target: 'web -> pay', at: 20m, for: 2m, add: 50ms, hidden: true }";
  expect(text).toContain(old);
  const file = scenarioFile(name, text.replace(old, fault));
  const read = readDrillScenario(file, 'healthy');
  const wall = (i: number) => new Date(Date.UTC(2026, 11, 7, 9, 0, i)).toISOString();
  const setup = { file, caseName: 'healthy', hiddenCase: false, seed: read.scenario.seed, gates: 'on' as const };
  const s = new DrillSession(setup, read.scenario);
  s.act({ type: 'start' }, fran, wall(0));
  s.advanceTo(30 * 60e6);
  expect(s.endReason).toBe('horizon');
  const record: DrillRecord = {
    scenario: { file, sha256: read.sha256, name: read.scenario.name }, seed: setup.seed, gates: 'on',
    case: { hidden: false, name: 'healthy' }, secret: null, speed: 120, opened: wall(0),
    people: [{ ...fran, joined: wall(0) }], actions: s.actions, countdown: [], resumed: [],
    end: { atUs: s.endedUs!, reason: s.endReason!, wall: wall(1) }, journalHead: 'x',
  };
  return buildDocument(record, read, null);
}

describe('a game day\'s fault that its rollout event puts past the horizon says when it was due', () => {
  it('both runs of the debrief list it never on, due then, and the page says so', () => {
    // The hidden fault at stage 2 of new-pay plus 27 minutes: stage 2 comes at 5 minutes, so the fault is due at 32
    // minutes, past the 30-minute horizon.
    const doc = drillWithFault('drill-late-fault', "{ kind: latency, target: 'web -> pay', at: 'stage(new-pay, 2) + 27m', for: 2m, add: 50ms, hidden: true }");
    const stage2 = doc.team.rollouts[0].decisions.find((d) => d.action === 'promote' && d.stage === 2)!;
    const due = stage2.timeSeconds + 27 * 60;
    expect(due).toBeGreaterThan(30 * 60);
    for (const side of [doc.team, doc.policy]) {
      expect(side.outcomes.faults).toEqual([expect.objectContaining({ name: 'latency web -> pay', from_seconds: null, to_seconds: null, due_seconds: due })]);
    }
    expect(doc.policy.outcomes.faults).toEqual(doc.team.outcomes.faults);
    expect(drillHtml(doc)).toMatch(/Scheduled, never switched on before the drill ended \(neither run faced them; both runs list them as never on\): latency web -&gt; pay \(due at 3\dm\d\ds, at or after the horizon\)\./);
  });
});

describe('a game day\'s debrief says how many journeys each fault failed, in each run', () => {
  it('the faults both runs faced and the hidden faults revealed carry journeys_failed, and the page reads it', () => {
    const doc = drillWithFault('drill-abort', "{ kind: abort, target: pay, at: 10m, for: 2m, percent: 20%, status: 503, hidden: true }");
    const [team] = doc.team.outcomes.faults;
    expect(team.journeys_failed).toBeGreaterThan(100);
    expect(doc.faults[0]).toMatchObject({ team_journeys_failed: team.journeys_failed, policy_journeys_failed: doc.policy.outcomes.faults[0].journeys_failed });
    expect(doc.revealed.hiddenFaults[0].journeys_failed).toBe(team.journeys_failed);
    expect(drillHtml(doc)).toContain(`${team.journeys_hurt.toLocaleString('en-US')} journeys hurt (${team.journeys_failed === team.journeys_hurt ? 'all' : team.journeys_failed!.toLocaleString('en-US')} failed)`);
  });
});
