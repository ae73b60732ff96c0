/**
 * A call carries the flags its journey has met, as baggage carries them, until its own service evaluates its own.
 * A call that failed before it reached its service (a fault's abort, an open breaker, a killed replica) was counted
 * as flag off, whatever its journey had been served: a gate on `req_failed{service:pay,flag:on}` read 0% over half
 * the flagged requests while an abort failed half the calls to pay (a drill of two-flag-release with an abort on
 * payments showed it: the gate passed at every reading, the burn-rate gate alone caught it). Like with like: the
 * requests a flag was on for are counted as on, those that failed on the way too.
 */
import { describe, expect, it } from 'vitest';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const run = (fault: Record<string, unknown>) => runScenario(scenario({
  seed: 5,
  duration: '12m',
  traffic: { rate: '50/s', cohort: { size: 4000, seed: 2 } },
  journeys: { buy: { steps: ['web.buy'] } },
  services: {
    web: { concurrency: 200, latency: '5ms', endpoints: { buy: { calls: ['pay.charge'] } } },
    pay: { replicas: 2, concurrency: 200, latency: '10ms', endpoints: { charge: {} } },
  },
  flags: { f: { 'evaluated-by': ['web'], propagation: '0s' } },
  rollout: [{ flag: 'f', 'evaluate-every': '1m', 'on-breach': 'pause', 'failure-limit': 100, stages: [{ to: '50%', hold: '10m' }, { to: '100%' }], gates: ['req_failed{service:pay,flag:on} rate<0.01', 'req_failed{service:pay,flag:off} rate<0.01'] }],
  faults: [fault],
}));

/** The gates' readings after the fault began (at 2m), by gate: [failing share, requests]. */
function readings(r: ReturnType<typeof runScenario>, gate: string): [number, number][] {
  return r.audit.filter((a) => a.event === 'gate' && a.gate!.gate === gate && a.timeSeconds > 180 && a.timeSeconds <= 600)
    .map((a) => [a.gate!.value as number, a.gate!.samples as number]);
}

describe('a call that fails before it reaches its service is counted under the flags its journey carries', () => {
  it('an abort of half the calls to pay reads about 50% on both sides of the flag, over all the requests of each', () => {
    const r = run({ kind: 'abort', target: 'pay', at: '2m', percent: '50%' });
    const on = readings(r, 'req_failed{service:pay,flag:on} rate<0.01');
    const off = readings(r, 'req_failed{service:pay,flag:off} rate<0.01');
    expect(on.length).toBeGreaterThan(5);
    for (const [[rateOn, nOn], [rateOff, nOff]] of on.map((x, i) => [x, off[i]])) {
      // 50 journeys a second, a minute a reading, half the users on: about 1,500 requests each side.
      expect(nOn).toBeGreaterThan(1200);
      expect(nOff).toBeGreaterThan(1200);
      expect(nOn + nOff).toBeGreaterThan(2700);
      expect(rateOn).toBeGreaterThan(0.44);
      expect(rateOn).toBeLessThan(0.56);
      expect(rateOff).toBeGreaterThan(0.44);
      expect(rateOff).toBeLessThan(0.56);
    }
  });
});

describe('a call carries what its journey had met when it was sent, as baggage does', () => {
  it('a fire-and-forget call that reaches its service after its journey ended is still counted under its flags', () => {
    const r = runScenario(scenario({
      seed: 6,
      duration: '6m',
      traffic: { rate: '40/s', cohort: { size: 4000, seed: 3 } },
      journeys: { buy: { steps: ['web.buy'] } },
      services: {
        web: { concurrency: 200, latency: '5ms', endpoints: { buy: { calls: [{ to: 'audit.log', async: true, network: '50ms' }] } } },
        audit: { concurrency: 200, latency: '1ms', endpoints: { log: {} } },
      },
      flags: { f: { 'evaluated-by': ['web'], propagation: '0s' } },
      rollout: [{ flag: 'f', 'evaluate-every': '1m', stages: [{ to: '50%', hold: '5m' }, { to: '100%' }], gates: ['req_failed{service:audit,flag:on} rate<0.5', 'req_failed{service:audit,flag:off} rate<0.5'] }],
    }));
    const samples = (gate: string) => r.audit.filter((a) => a.event === 'gate' && a.gate!.gate === gate && a.timeSeconds > 60 && a.timeSeconds <= 300).map((a) => a.gate!.samples as number);
    const on = samples('req_failed{service:audit,flag:on} rate<0.5');
    const off = samples('req_failed{service:audit,flag:off} rate<0.5');
    expect(on.length).toBe(4);
    // 40 journeys a second, half the users on: about 1,200 calls to audit a minute on each side (none were on).
    for (let i = 0; i < on.length; i++) {
      expect(on[i]).toBeGreaterThan(1000);
      expect(off[i]).toBeGreaterThan(1000);
      expect(on[i] + off[i]).toBeGreaterThan(2200);
    }
  });
});
