/** Flag changes for a share of calls: about that share hurt, drawn from a stream of their own, refused where ambiguous. */
import { describe, expect, it } from 'vitest';
import { parseScenarioText } from '../src/load/scenario.js';
import { formatProblem } from '../src/scenario/problems.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

/** Every call to payments is 10 ms, fails 1% of the time, and goes through the flag (on for everyone). */
const shop = (change: Record<string, unknown> | null) => scenario({
  seed: 3,
  duration: '10m',
  traffic: { rate: '50/s', cohort: { size: 2000 } },
  journeys: { pay: { steps: ['payments.authorize'] } },
  services: { payments: { concurrency: 200, latency: '10ms', errors: '1%', endpoints: { authorize: {} } } },
  flags: { f: { 'evaluated-by': ['payments'], propagation: '0s', ...(change ? { 'when-on': { payments: change } } : {}) } },
  rollout: [{ flag: 'f', stages: [{ to: '100%' }] }],
});

describe('a flag change for a share of calls', () => {
  it('slows about that share: x3 on 20% of calls of 10 ms makes 30 ms for one call in five, a mean of 14 ms', () => {
    const r = runScenario(shop({ latency: 'x3', percent: '20%' }));
    const n = r.services.payments.requests;
    expect(n).toBeGreaterThan(25_000);
    // The mean of 10 ms x 0.8 + 30 ms x 0.2; each call is slowed with probability 0.2 on its own, so the mean's
    // standard error is 20 ms x sqrt(0.2 x 0.8 / n).
    expect(Math.abs(r.services.payments.latencyMs.mean - 14)).toBeLessThan(4 * 20 * Math.sqrt(0.16 / n) + 0.01);
    // The median call is untouched, the 90th percentile slowed.
    expect(r.services.payments.latencyMs.p50).toBeCloseTo(10, 1);
    expect(r.services.payments.latencyMs.p95).toBeCloseTo(30, 0);
  });

  it('fails about that share: +10% errors on 20% of calls adds 2 points to the 1% base', () => {
    const r = runScenario(shop({ errors: '+10%', percent: '20%' }));
    const n = r.services.payments.requests;
    const p = 0.01 + 0.2 * 0.1;
    expect(Math.abs(r.services.payments.errorRate - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    // The truth blames the flag for the calls it failed: about 2% of them, the rest the base rate's.
    const t = r.outcomes.failed_by_truth;
    expect(Math.abs(t['flag-defect'] / n - 0.02)).toBeLessThan(4 * Math.sqrt(0.02 / n));
  });

  it('draws from a stream of its own: a share that changes nothing leaves every other draw where it was', () => {
    const none = runScenario(shop(null));
    const idle = runScenario(shop({ latency: '+0ms', percent: '20%' }));
    expect(idle.services).toEqual(none.services);
    expect(idle.journeys).toEqual(none.journeys);
    expect(idle.outcomes.failed_by_truth).toEqual(none.outcomes.failed_by_truth);
  });

  it('is refused where it cannot mean one thing: with a change of calls, without a change, or beside another change there', () => {
    const problems = (whenOn: string) => {
      const r = parseScenarioText(`
name: t
duration: 1m
traffic: { rate: 1/s, cohort: { size: 10 } }
journeys: { j: { steps: [api.a] } }
services: { api: { endpoints: { a: {}, b: {} } }, db: {} }
flags: { f: { evaluated-by: [api], when-on: ${whenOn} } }
`);
      return r.ok ? [] : r.problems.map((p) => formatProblem('s.yaml', p));
    };
    expect(problems('{ api.a: { calls: [db], percent: 20% } }').join('\n')).toContain('flags.f.when-on["api.a"].percent: percent applies to latency and errors changes');
    expect(problems('{ api.a: { percent: 20% } }').join('\n')).toContain('add latency or errors here');
    expect(problems('{ api: { latency: x3, percent: 20% }, api.a: { errors: +1% } }').join('\n'))
      .toContain('flags.f.when-on.api.percent: a change for a share of calls cannot share an endpoint with another change of this flag (api.a)');
    expect(problems('{ api: { latency: x3, percent: 20% }, api.b: { errors: +1% } }').join('\n')).toContain('(api.b)');
    expect(problems('{ api.a: { latency: x3, percent: 20% }, api.b: { errors: +1% } }')).toEqual([]);
    expect(problems('{ api.a: { latency: x3, percent: 120% } }').join('\n')).toContain('percent');
  });
});
