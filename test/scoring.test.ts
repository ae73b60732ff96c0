/** Ground truth and acceptance: attribution by common random numbers, outcome figures, criteria, cases. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { formatAcceptance } from '../src/report/terminal.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const release = (effect: Record<string, unknown>, extra: Record<string, unknown> = {}) => scenario({
  seed: 9,
  duration: '30m',
  traffic: { rate: '100/s', cohort: { size: 5000, seed: 1 } },
  journeys: { j: { steps: ['api'] } },
  services: { api: { concurrency: 500, latency: { dist: 'exponential', mean: '20ms' }, errors: '1%' } },
  flags: { f: { 'evaluated-by': ['api'], 'when-on': { api: effect } } },
  rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
  ...extra,
});

describe('ground truth', () => {
  it('splits failures between the base error rate and the flag exactly, by common random numbers', () => {
    const defective = runScenario(release({ errors: '+5%' }));
    const harmless = runScenario(release({ errors: '+0%' }));
    const t = defective.outcomes.failed_by_truth;
    // The same requests fail for the base rate with or without the defect.
    expect(t['base-error']).toBe(harmless.outcomes.failed_by_truth['base-error']);
    // The defect fails 5% of the flagged requests (all but the first seconds, before the change arrived).
    const n = defective.journeys.j.requests;
    expect(Math.abs(t['flag-defect'] / n - 0.05)).toBeLessThan(5 * Math.sqrt((0.05 * 0.95) / n) + 0.001);
    const o = defective.outcomes.flags.f;
    expect(o.defective).toBe(true);
    expect(o.blast_radius_requests).toBe(t['flag-defect']);
    expect(o.blast_radius_users).toBeLessThanOrEqual(5000);
    expect(o.blast_radius_users).toBeGreaterThan(1000); // ~9,000 hurt journeys, spread over users by activity
    expect(o.missed_defect).toBe(true);
    expect(harmless.outcomes.flags.f.defective).toBe(false);
  });

  it('blames slow journeys on a latency effect only past the SLO latency', () => {
    const slow = runScenario(release({ latency: 'x3' }, { slo: { latency: '100ms' } }));
    const f = slow.outcomes.flags.f;
    // Exponential service time, mean 20ms: P(S > 100ms) = e^-5 without the flag; with it, P(3S > 100ms) = e^-(5/3).
    // Like with like, the flag hurt the journeys it pushed past the SLO, not those slow without it:
    // P(S <= 100ms < 3S) = e^-(5/3) - e^-5 = 0.1821.
    const n = slow.journeys.j.requests;
    const p = Math.exp(-5 / 3) - Math.exp(-5);
    expect(Math.abs(f.blast_radius_requests / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 0.002);
    // The journeys slow with or without it are not charged: about e^-5 of them, left out.
    expect(slow.outcomes.journeys_slow - f.blast_radius_requests).toBeGreaterThan(0.5 * Math.exp(-5) * n);
    expect(slow.outcomes.journeys_failed).toBe(slow.outcomes.failed_by_truth['base-error']);
  });

  it('times detection and recovery from the first harm', () => {
    const r = runScenario(release({ errors: '+20%' }, {
      rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], gates: ['req_failed{flag:on} rate<0.05'] }],
    }));
    const f = r.outcomes.flags.f;
    expect(f.outcome).toBe('rolled-back');
    expect(f.detected).toBe(true);
    expect(f.time_to_detect_seconds).toBeCloseTo(f.acted_seconds! - f.onset_seconds!, 6);
    expect(f.time_to_detect_seconds).toBeLessThan(60);
    // Harm stops once the rollback has reached the service (propagation: 1s to 10s).
    expect(f.last_hurt_seconds! - f.acted_seconds!).toBeLessThanOrEqual(10);
    expect(f.false_rollback).toBe(false);
  });

  it('a healthy flag rolled back is a false rollback, and a misattribution when a fault was to blame', () => {
    const r = runScenario(release({ latency: 'x1.0' }, {
      rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], gates: ['req_failed rate<0.05'] }],
      faults: [{ kind: 'abort', target: 'api', at: '2m', for: '5m', percent: '20%' }],
    }));
    const f = r.outcomes.flags.f;
    expect(f.outcome).toBe('rolled-back');
    expect(f).toMatchObject({ defective: false, false_rollback: true, misattribution: true });
  });
});

describe('acceptance criteria', () => {
  it('judge the outcome metrics and decide passed', () => {
    const r = runScenario(release({ errors: '+5%' }, {
      acceptance: ['blast_radius_users{flag:f} max<100', 'missed_defect{flag:f} max<1', 'error_budget_burned max<100', 'time_to_detect{flag:f} max<5m'],
    }));
    expect(r.passed).toBe(false);
    expect(r.acceptance.map((a) => a.pass)).toEqual([false, false, true, false]);
    expect(r.acceptance[3]).toMatchObject({ value: null, note: 'never detected' });
    expect(r.acceptance[2].value).toBeCloseTo(r.outcomes.error_budget_burned, 9);
  });

  it('refuse unknown metrics and flags with the column', () => {
    const text = 'name: x\nduration: 1m\ntraffic: { rate: 1/s }\njourneys: { j: { steps: [a] } }\nservices: { a: {} }\nflags: { f: { evaluated-by: [a] } }\nacceptance: ["blast_radius_user{flag:f} max<5", "detected{flag:g} rate>0.9"]\n';
    const r = parseScenarioText(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const lines = r.problems.map((p) => formatProblem('x.yaml', p));
    // At the mistake's own column: the texts start at columns 15 and 50 of line 7.
    expect(lines[0]).toMatch(/^x\.yaml:7:15: acceptance\[0\]: unknown metric "blast_radius_user"; did you mean "blast_radius_users"\?\n/);
    expect(lines[1]).toMatch(/^x\.yaml:7:59: acceptance\[1\]: unknown flag "g"; did you mean "f"\?\n/);
  });
});

describe('cases', () => {
  const text = [
    'name: x', 'duration: 1m', 'traffic: { rate: 10/s }', 'journeys: { j: { steps: [a] } }', 'services: { a: { errors: 1% } }',
    'cases:', '  healthy: {}', '  broken:', '    services: { a: { errors: 300% } }',
  ].join('\n');

  it('patch the scenario: objects merge, the rest replaces', () => {
    const r = parseScenarioText(text.replace('300%', '30%'), '.', 'broken');
    expect(r.ok && r.scenario.services[0].endpoints[0].errorRate).toBe(0.3);
    expect(r.ok && r.scenario.caseName).toBe('broken');
  });

  it('list criteria of a case not run as not applying, never drop them', () => {
    const withCriteria = text.replace('300%', '30%') + "\nacceptance: ['error_budget_burned{case:broken} max<1000', 'error_budget_burned max<1000']\n";
    const healthy = parseScenarioText(withCriteria, '.', 'healthy');
    expect(healthy.ok).toBe(true);
    if (!healthy.ok) return;
    const r = runScenario(healthy.scenario);
    expect(r.acceptance).toHaveLength(2);
    expect(r.acceptance[0]).toEqual({ criterion: 'error_budget_burned{case:broken} max<1000', value: null, pass: true, note: 'does not apply: case broken not run' });
    expect(r.acceptance[1].value).not.toBeNull();
    const table = formatAcceptance(r);
    expect(table.find((l) => l.includes('{case:broken}'))).toMatch(/^\s*– N\/A\s+error_budget_burned\{case:broken\} max<1000\s+\(case broken not run\)$/);
    expect(table.find((l) => l.includes('error_budget_burned max<1000'))).toMatch(/^\s*✔ PASS\s/);
  });

  it('point problems at the patch that caused them, and suggest case names', () => {
    const bad = parseScenarioText(text, '.', 'broken');
    expect(!bad.ok && formatProblem('x.yaml', bad.problems[0])).toBe('x.yaml:9:30: cases.broken.services.a.errors: percentage "300%" is over 100%');
    const unknown = parseScenarioText(text, '.', 'helthy');
    expect(!unknown.ok && unknown.problems[0].message).toBe('no case "helthy"; did you mean "healthy"? (cases: "healthy", "broken")');
  });
});

describe('counterfactual truth', () => {
  it('agrees with direct attribution, journey for journey, when the flag only adds errors', () => {
    const direct = runScenario(release({ errors: '+5%' }));
    const twin = runScenario({ ...release({ errors: '+5%' }), truth: 'counterfactual' });
    expect(twin.outcomes.attribution).toBe('counterfactual');
    expect(twin.outcomes.flags.f.blast_radius_requests).toBe(direct.outcomes.flags.f.blast_radius_requests);
    expect(twin.outcomes.flags.f.blast_radius_users).toBe(direct.outcomes.flags.f.blast_radius_users);
  });

  it('charges a flag with the harm its extra load does to everyone on a shared database', () => {
    // Flagged requests query the database twice. The database (5 workers x 20ms = 250/s) takes 150/s without the
    // flag (no call waits 80ms then); at 50%, 225/s: queues grow and unflagged users' calls time out as well.
    const s = (truth: string) => scenario({
      seed: 12,
      truth,
      duration: '20m',
      traffic: { rate: '150/s', cohort: { size: 5000, seed: 3 } },
      journeys: { j: { steps: ['api'] } },
      services: {
        api: { concurrency: 500, latency: '1ms', calls: [{ to: 'db', timeout: '100ms' }] },
        db: { concurrency: 5, queue: 50, latency: '20ms' },
      },
      flags: { f: { 'evaluated-by': ['api'], 'when-on': { api: { calls: [{ to: 'db', timeout: '100ms' }, { to: 'db', timeout: '100ms' }] } } } },
      rollout: [{ flag: 'f', stages: [{ to: '50%', hold: '10m' }, { to: '100%' }] }],
    });
    const direct = runScenario(s('direct'));
    const counterfactual = runScenario(s('counterfactual'));
    const d = direct.outcomes.flags.f;
    const c = counterfactual.outcomes.flags.f;
    // Direct attribution sees only failures on the flag's own call path: during the 50% stage (the first ten
    // minutes) the twin also charges the unflagged users' failures.
    const firstStage = (r: typeof direct) => r.windows.flags.f.hurt.slice(0, 10).reduce((a, b) => a + b, 0);
    expect(firstStage(counterfactual)).toBeGreaterThan(1.2 * firstStage(direct));
    expect(c.blast_radius_requests).toBeGreaterThan(d.blast_radius_requests);
    // The same run: every failed journey either the flag caused, or it would have failed anyway.
    expect(c.blast_radius_requests).toBeLessThanOrEqual(counterfactual.outcomes.journeys_failed);
    expect(counterfactual.journeys.j.errors).toBe(direct.journeys.j.errors);
  });
});

describe('a flag that adds a required call to a slow service, rolled back at minute 13', () => {
  // Checkout journeys call api; browse journeys call recs, a slow service. With the flag on, api also calls
  // recs: flagged checkouts pass the 300ms SLO when recs is slow. A gate on flagged checkouts' p99 fails at
  // every evaluation from the plan's start at 3m; the tenth failure (failure-limit 9) rolls back at 13m.
  const s = (truth: string) => scenario({
    seed: 21,
    truth,
    duration: '30m',
    slo: { latency: '300ms' },
    traffic: { rate: '100/s', cohort: { size: 5000, seed: 2 } },
    journeys: { checkout: { weight: 50, steps: ['api'] }, browse: { weight: 50, steps: ['recs'] } },
    services: {
      api: { concurrency: 400, latency: { dist: 'exponential', mean: '20ms' }, errors: '1%' },
      recs: { concurrency: 400, latency: { dist: 'lognormal', p50: '60ms', p99: '400ms' } },
    },
    flags: { f: { 'evaluated-by': ['api'], 'when-on': { api: { calls: ['recs'] } } } },
    rollout: [{ flag: 'f', start: '3m', stages: [{ to: '50%', hold: '1h' }], gates: ['req_duration{journey:checkout,flag:on} p(99)<200ms'], 'failure-limit': 9 }],
  });
  const counterfactual = runScenario(s('counterfactual'));
  const direct = runScenario(s('direct'));

  it('counterfactual: no harm is charged after the rollback has propagated (at most 10s) and the system drained', () => {
    const f = counterfactual.outcomes.flags.f;
    expect(f.outcome).toBe('rolled-back');
    expect(f.acted_seconds).toBe(780);
    expect(f.blast_radius_requests).toBeGreaterThan(100);
    // Propagation takes 1s to 10s; a flagged checkout then still in flight ends within seconds.
    expect(f.last_hurt_seconds!).toBeLessThan(780 + 10 + 5);
    expect(counterfactual.windows.flags.f.hurt.slice(14).every((n) => n === 0)).toBe(true);
    // Journeys the flag did not touch draw the same numbers in both twins: none made better by chance.
    expect(f.journeys_made_better).toBe(0);
    expect(f.journeys_made_worse).toBe(f.blast_radius_requests);
  });

  it('direct attribution charges the journeys the new call path pushed past the SLO, within 20% of the counterfactual', () => {
    const d = direct.outcomes.flags.f, c = counterfactual.outcomes.flags.f;
    expect(d.blast_radius_requests).toBeGreaterThan(100);
    expect(Math.abs(d.blast_radius_requests - c.blast_radius_requests)).toBeLessThanOrEqual(0.2 * c.blast_radius_requests);
    expect(Math.abs(d.blast_radius_users - c.blast_radius_users)).toBeLessThanOrEqual(0.2 * c.blast_radius_users);
    expect(d.last_hurt_seconds!).toBeLessThan(780 + 10 + 5);
  });
});

describe('segment-specific defects', () => {
  it('hurt only the users of their segment', () => {
    const s = (segment: string) => scenario({
      seed: 4,
      duration: '20m',
      traffic: { rate: '100/s', cohort: { size: 5000, seed: 8, segments: { beta: '10%', general: '90%' } } },
      journeys: { j: { steps: ['api'] } },
      services: { api: { concurrency: 500, latency: '5ms' } },
      flags: { f: { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+30%', segment } } } },
      rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
    });
    const beta = runScenario(s('beta')).outcomes.flags.f;
    const general = runScenario(s('general')).outcomes.flags.f;
    // About 500 beta users, 4,500 general ones.
    expect(beta.blast_radius_users).toBeGreaterThan(100);
    expect(beta.blast_radius_users).toBeLessThanOrEqual(600);
    expect(general.blast_radius_users).toBeGreaterThan(2000);
  });

  it('name a segment the users have', () => {
    expect(() => scenario({
      duration: '1m', traffic: { rate: '1/s', cohort: { size: 100 } }, journeys: { j: { steps: ['api'] } }, services: { api: {} },
      flags: { f: { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+1%', segment: 'betta' } } } },
    })).toThrow('flags.f.when-on.api.segment: unknown segment "betta"; did you mean "beta"?');
  });
});
