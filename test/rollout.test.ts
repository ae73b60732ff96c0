/**
 * Staged rollouts end to end: a defective flag is rolled back at the first stage whose gates see enough data,
 * a healthy one completes, provider-before-consumer has no contract errors and the reverse has them, and
 * windows, approvals and locks hold plans back as they should.
 */
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../src/load/scenario.js';
import { runScenario, type RunResult } from '../src/score/result.js';
import { scenario } from './helpers.js';

/** A small system: users call api, which calls db; a flag evaluated by api. */
function release(flag: Record<string, unknown>, plan: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return scenario({
    seed: 21,
    duration: '1h',
    traffic: { rate: '100/s', cohort: { size: 20000, seed: 4 } },
    journeys: { use: { steps: ['api'] } },
    services: {
      api: { concurrency: 200, latency: { dist: 'lognormal', p50: '5ms', p99: '40ms' }, calls: ['db'] },
      db: { concurrency: 200, latency: { dist: 'lognormal', p50: '2ms', p99: '15ms' } },
    },
    flags: { 'new-api': { 'evaluated-by': ['api'], ...flag } },
    rollout: [{ flag: 'new-api', ...plan }],
    ...extra,
  });
}

const stages = [{ to: '0.2%', hold: '5m' }, { to: '5%', hold: '20m' }, { to: '100%' }];
const compareGate = { compare: { metric: 'req_failed', 'max-increase': '50%', confidence: '99.9%', 'min-samples': 100 } };
const plan = { stages, gates: [compareGate], 'failure-limit': 1, inconclusive: 'promote' };

const decisionsOf = (r: RunResult, flag = 'new-api') => r.rollouts.find((x) => x.flag === flag)!.decisions;

/** A bundled scenario, as its file gives it. */
const load = (name: string) => {
  const l = loadScenarioFile(new URL(`../scenarios/${name}.yaml`, import.meta.url).pathname);
  if (!l.ok) throw new Error(l.problems.map((p) => p.message).join('\n'));
  return l.scenario;
};
/** scenarios/two-flag-release.yaml (npm start's release) run once, for the two tests that read it: two hours at 120/s. */
let twoFlagRelease: RunResult | undefined;
const twoFlagReleaseRun = () => (twoFlagRelease ??= runScenario(load('two-flag-release')));

describe('a defective flag', () => {
  it('(errors +5% when on) is rolled back at the first stage whose gates see enough data, within minutes', () => {
    const r = runScenario(release({ 'when-on': { api: { errors: '+5%' } } }, plan));
    const ro = r.rollouts[0];
    expect(ro.outcome).toBe('rolled-back');
    expect(ro.finalPercent).toBe(0);
    // Stage 1 (0.2%: about 0.2 requests/s) is too thin for the comparison (100 samples of each needed); stage 2
    // (5%: about 300 flagged requests a minute, 5% of them failing against none unflagged) has them at once.
    expect(ro.stagesReached).toBe(2);
    const rollback = decisionsOf(r).find((d) => d.action === 'rollback')!;
    expect(rollback.timeSeconds).toBeGreaterThan(5 * 60);
    expect(rollback.timeSeconds).toBeLessThanOrEqual(5 * 60 + 4 * 60);
    // The stage-1 readings of the comparison were inconclusive, not failures.
    const stage1 = r.audit.filter((a) => a.event === 'gate' && a.stage === 0);
    expect(stage1.length).toBeGreaterThan(0);
    expect(stage1.every((a) => a.gate!.verdict === 'inconclusive')).toBe(true);
  });

  it('is paused instead when the policy says so', () => {
    const r = runScenario(release({ 'when-on': { api: { errors: '+5%' } } }, { ...plan, 'on-breach': 'pause' }));
    expect(r.rollouts[0].outcome).toBe('paused');
    expect(r.rollouts[0].finalPercent).toBe(5);
  });

  it('trips a threshold gate without a sample floor on a handful of requests: the noise of thin stages', () => {
    const r = runScenario(release({ 'when-on': { api: { errors: '+5%' } } }, { ...plan, gates: ['req_failed{service:api,flag:on} rate<0.03'] }));
    expect(r.rollouts[0].stagesReached).toBe(1);
    const failing = r.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail');
    expect(failing.every((a) => a.gate!.samples < 40)).toBe(true);
  });
});

describe('a healthy flag', () => {
  it('completes every stage, on time, with no failed gate', () => {
    const r = runScenario(release({ 'when-on': { api: { latency: 'x1.02' } } }, plan));
    const ro = r.rollouts[0];
    expect(ro.outcome).toBe('completed');
    expect(ro.finalPercent).toBe(100);
    expect(ro.exposedUsers).toBe(20000);
    expect(decisionsOf(r).map((d) => [d.action, d.timeSeconds])).toEqual([['start', 0], ['promote', 300], ['promote', 1500], ['complete', 1500]]);
    expect(r.audit.filter((a) => a.event === 'gate' && a.gate!.verdict === 'fail')).toEqual([]);
  });

  it('reads each stage up to its last minute and never at the instant a stage begins (npm start\'s release)', () => {
    // Flagger's scheduler (fluxcd/flagger pkg/controller/scheduler.go, advanceCanary) runs the analysis and then
    // increases the canary weight in one tick, and skips the analysis while no traffic is routed to the canary:
    // a step is never measured at the instant it begins.
    const r = twoFlagReleaseRun();
    const gates = r.audit.filter((a) => a.event === 'gate');
    expect(gates.filter((a) => a.gate!.samples === 0)).toEqual([]);
    expect(gates.filter((a) => a.gate!.verdict !== 'pass')).toEqual([]);
    for (const ro of r.rollouts) {
      const begins = ro.decisions.filter((d) => d.action === 'start' || d.action === 'promote');
      for (const [n, d] of begins.entries()) {
        const mine = gates.filter((a) => a.flag === ro.flag && a.stage === d.stage - 1);
        if (mine.length === 0) continue;
        // None at the stage's first instant; the last at the moment the next stage begins, when there is one.
        expect(Math.min(...mine.map((a) => a.timeSeconds))).toBeGreaterThan(d.timeSeconds);
        if (begins[n + 1]) expect(Math.max(...mine.map((a) => a.timeSeconds))).toBe(begins[n + 1].timeSeconds);
      }
    }
  });

  it('pauses when its gates cannot decide and the policy asks for evidence', () => {
    const r = runScenario(release({}, { ...plan, inconclusive: 'pause' }));
    expect(r.rollouts[0].outcome).toBe('paused');
    expect(r.rollouts[0].decisions.at(-1)!.reason).toContain('inconclusive');
  });
});

describe('provider and consumer', () => {
  it('enabled provider first: both plans complete and no request breaks the contract', () => {
    const r = twoFlagReleaseRun();
    expect(r.rollouts.map((x) => [x.flag, x.outcome])).toEqual([['payments-v2-api', 'completed'], ['new-checkout', 'completed']]);
    for (const s of Object.values(r.services)) expect(s.errorsByCause.contract).toBe(0);
    // The plan's gates travel with the result, for reports to draw.
    expect(r.rollouts[1].gates[1]).toMatchObject({ kind: 'threshold', service: 'payments', metric: 'req_duration', aggregate: 'p(99)', operator: '<', limit: 900 });
  });

  it('enabled consumer first: contract errors, a rollback, and the provider plan never starts', () => {
    const r = runScenario(load('consumer-first'));
    expect(r.services.payments.errorsByCause.contract).toBeGreaterThan(100);
    expect(r.rollouts.map((x) => [x.flag, x.outcome])).toEqual([['new-checkout', 'rolled-back'], ['payments-v2-api', 'not-started']]);
  });
});

describe('configuration propagation', () => {
  it('a flag evaluated by two services races while a change propagates, and only then', () => {
    const r = runScenario(scenario({
      seed: 3,
      duration: '20m',
      traffic: { rate: '100/s', cohort: { size: 10000, seed: 2 } },
      journeys: { use: { steps: ['front'] } },
      services: { front: { concurrency: 100, latency: '2ms', calls: ['back'] }, back: { concurrency: 100, latency: '2ms' } },
      flags: { shared: { 'evaluated-by': ['front', 'back'], contract: 'consistent', propagation: { dist: 'uniform', min: '10s', max: '2m' } } },
      rollout: [{ flag: 'shared', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }] }],
    }));
    expect(r.services.back.errorsByCause.contract).toBeGreaterThan(0);
    // Changes at 0 and 10m reach both services within 2 minutes; the windows after that are clean.
    const errors = r.journeys.use ? r.windows.journeys.use.errors : [];
    expect(errors.slice(2, 10).every((e) => e === 0)).toBe(true);
    expect(errors.slice(12).every((e) => e === 0)).toBe(true);
    expect(errors[0] + errors[1] + errors[10] + errors[11]).toBe(r.journeys.use.errors);
    // The audit has each service's arrival of each change.
    const arrivals = r.audit.filter((a) => a.event === 'propagated');
    expect(arrivals).toHaveLength(4);
    for (const a of arrivals) expect(a.delaySeconds!).toBeGreaterThanOrEqual(10);
    for (const a of arrivals) expect(a.delaySeconds!).toBeLessThanOrEqual(120);
  });
});

describe('coordination', () => {
  it('a plan waits for its window of the day', () => {
    const r = runScenario(release({}, { stages: [{ to: '100%' }], windows: ['10:00-16:00'] }, { 'start-time': '09:30' }));
    const d = decisionsOf(r);
    expect(d[0].action).toBe('wait');
    expect(d[1]).toMatchObject({ action: 'start', timeSeconds: 1800 });
  });

  it('a manual approval delays the stage by the approval time', () => {
    const r = runScenario(release({}, { stages: [{ to: '10%', hold: '5m' }, { to: '100%', approval: '12m' }] }));
    expect(r.audit.some((a) => a.actor === 'approver')).toBe(true);
    expect(decisionsOf(r).find((d) => d.action === 'promote')!.timeSeconds).toBe(5 * 60 + 12 * 60);
  });

  it('two plans on the same service ramp one after the other, unless the lock is off', () => {
    const two = (lock: boolean) => scenario({
      duration: '1h',
      traffic: { rate: '10/s', cohort: { size: 1000 } },
      journeys: { use: { steps: ['api'] } },
      services: { api: { latency: '1ms' } },
      flags: { a: { 'evaluated-by': ['api'] }, b: { 'evaluated-by': ['api'] } },
      rollout: [
        { flag: 'a', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], lock },
        { flag: 'b', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], lock },
      ],
    });
    const locked = runScenario(two(true));
    expect(decisionsOf(locked, 'b')[0]).toMatchObject({ action: 'wait', reason: expect.stringContaining('lock on api (held by a)') });
    expect(decisionsOf(locked, 'b').find((d) => d.action === 'start')!.timeSeconds).toBe(600);
    const free = runScenario(two(false));
    expect(decisionsOf(free, 'b')[0]).toMatchObject({ action: 'start', timeSeconds: 0 });
  });
});
