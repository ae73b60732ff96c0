/**
 * A weighted canary as the team's router splits it, against the rehearsal. The routers split each request:
 * argoproj/argo-rollouts rollout/trafficrouting/istio/istio.go SetWeight writes the step's weight into the
 * VirtualService's route destinations, fluxcd/flagger pkg/router/istio.go SetRoutes writes the primary's and the
 * canary's HTTPRouteDestination weights, and Istio's weighted routing forwards "the proportion of traffic" of
 * each request by them; without a router, argo-rollouts utils/replicaset/canary.go
 * CalculateReplicaCountsForBasicCanary sizes the ReplicaSets and the Service spreads connections over the pods.
 * A flag buckets users. A plan says which (split: requests or users) and the importers set it. The counts are
 * derived by hand: a user with k requests at weight w is reached with probability 1-(1-w)^k and on a binomial(k, w)
 * number of them per request; per user, on all k or none.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
import { importArgoPlan as argoPlan } from '../src/interop/argo/plan.js';
import { importFlaggerPlan as flaggerPlan } from '../src/interop/flagger/plan.js';
import { toScenarioParts as flaggerParts } from '../src/interop/flagger/index.js';
import type { SourceFile } from '../src/interop/kube/resources.js';
import { perRequestFigures, reachedAtLeastOnce } from '../src/interop/weighted.js';
import { runScenario } from '../src/score/result.js';
import { scenario } from './helpers.js';

const vendor = (dir: string, name: string): SourceFile => ({ file: name, text: readFileSync(`test/fixtures/vendor/${dir}/${name}`, 'utf8') });

describe('the figures of a per-request split', () => {
  it('are derived by hand: 1-(1-w)^k reached, k*w requests on average, sd sqrt(k*w*(1-w))', () => {
    // 1 - 0.8^10 = 1 - 0.1073741824 = 0.8926; 1 - 0.8^5 = 0.67232; 10 * 0.2 = 2; sqrt(10 * 0.2 * 0.8) = 1.2649.
    expect(reachedAtLeastOnce(0.2, 10)).toBeCloseTo(0.8926258176, 9);
    expect(perRequestFigures(20)).toBe('at 20%, a user with 10 requests reaches the canary with probability 1-(1-w)^k = 89.3% (1 request: 20%, 5: 67.2%), on 2 of them on average (binomial, sd 1.3), where a split of users sends 20% of users there on all 10 and the others on none');
    // 1 - 0.99^10 = 0.0956; 0.1 on average; sqrt(10 * 0.01 * 0.99) = 0.3146.
    expect(perRequestFigures(1)).toContain('= 9.6% (1 request: 1%, 5: 4.9%), on 0.1 of them on average (binomial, sd 0.3)');
  });
});

/** Per user, journeys and journeys with the flag on, once every service holds the 20% (propagation: at most 10 s). */
function counts(split: 'users' | 'requests'): { k: number; on: number }[] & { exposed?: number } {
  // One flag at 20% for the whole run; a journey calls api once, so a journey is one request to the canary's service.
  const s = scenario({
    seed: 5,
    duration: '3m',
    traffic: { rate: '30/s', cohort: { size: 400, seed: 9 } },
    journeys: { use: { steps: ['api.get'] } },
    services: { api: { replicas: 2, concurrency: 16, latency: { dist: 'exponential', mean: '5ms' }, endpoints: { get: {} } } },
    flags: { canary: { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+0%' } } } },
    rollout: [{ flag: 'canary', split, stages: [{ to: '20%', hold: '1h' }] }],
  });
  const perUser = new Map<number, { k: number; on: number }>();
  const result = runScenario(s, {
    observe: (sim) => sim.observe({
      journeyEnded: (rec) => {
        if (sim.engine.now < 20e6 || sim.rUser[rec] < 0) return;
        const u = perUser.get(sim.rUser[rec]) ?? { k: 0, on: 0 };
        u.k++;
        if ((sim.rFlagsOn[rec] & 1) !== 0) u.on++;
        perUser.set(sim.rUser[rec], u);
      },
    }),
  });
  return Object.assign([...perUser.values()], { exposed: result.rollouts[0].exposedUsers });
}

describe('a stage\'s weight split by users or by requests', () => {
  const byUser = counts('users');
  const byRequest = counts('requests');
  const w = 0.2;

  it('split: users sends each user\'s every journey to one side, a fifth of the users', () => {
    expect(byUser.filter((u) => u.k >= 5).length).toBeGreaterThan(200);
    expect(byUser.filter((u) => u.on > 0 && u.on < u.k)).toEqual([]);
    const reached = byUser.filter((u) => u.on > 0).length;
    expect(Math.abs(reached / byUser.length - w)).toBeLessThan(0.06);
  });

  it('split: requests places each journey on its own: the users reached, untouched and all-in, and the spread, as the binomial gives them', () => {
    // The same users and journeys (the split draws from its own stream).
    expect(byRequest.map((u) => u.k)).toEqual(byUser.map((u) => u.k));
    // Expected by hand, per user with k journeys: none on the canary (1-w)^k, all w^k, on average k*w, variance k*w*(1-w).
    const sum = (f: (u: { k: number; on: number }) => number) => byRequest.reduce((n, u) => n + f(u), 0);
    const expectNone = sum((u) => (1 - w) ** u.k);
    const sdNone = Math.sqrt(sum((u) => (1 - w) ** u.k * (1 - (1 - w) ** u.k)));
    const none = byRequest.filter((u) => u.on === 0).length;
    expect(Math.abs(none - expectNone)).toBeLessThan(4 * sdNone);
    const expectAll = sum((u) => w ** u.k);
    const all = byRequest.filter((u) => u.k > 0 && u.on === u.k).length;
    expect(Math.abs(all - expectAll)).toBeLessThan(4 * Math.sqrt(expectAll) + 1);
    const journeys = sum((u) => u.k);
    const on = sum((u) => u.on);
    expect(Math.abs(on - journeys * w)).toBeLessThan(4 * Math.sqrt(journeys * w * (1 - w)));
    // The spread of each user's count about k*w: the binomial's variance, summed over users.
    const squares = sum((u) => (u.on - u.k * w) ** 2);
    expect(squares / sum((u) => u.k * w * (1 - w))).toBeGreaterThan(0.8);
    expect(squares / sum((u) => u.k * w * (1 - w))).toBeLessThan(1.2);
    // So a router's split reaches far more users than the flag's, on about the same share of requests.
    expect(byRequest.length - none).toBeGreaterThan(2.5 * byUser.filter((u) => u.on > 0).length);
  });

  it('the users a stage exposes: its share of them split by users, every one of them split by requests', () => {
    expect(Math.abs(byUser.exposed! / 400 - w)).toBeLessThan(0.06);
    expect(byRequest.exposed).toBe(400);
  });
});

describe('the importers set the split as the team\'s router splits', () => {
  const argoSplit = (files: SourceFile[]) => {
    const r = argoPlan(files);
    return r.ok ? r.plan.split : null;
  };
  const flaggerSplit = (files: SourceFile[]) => {
    const r = flaggerPlan(files, { percent: 50, from: null, at: '' });
    return r.ok ? r.plan.split : null;
  };

  it('Argo: requests with a router or without one, users with an ALB that keeps clients sticky', () => {
    expect(argoSplit([vendor('argo', 'istio-subset-split.yaml')])).toBe('requests');
    expect(argoSplit([vendor('argo', 'rollout-canary.yaml')])).toBe('requests');
    const f = vendor('argo', 'e2e-alb-canary-rollout.yaml');
    expect(argoSplit([f])).toBe('requests');
    const sticky = { file: f.file, text: f.text.replace('          servicePort: 80\n', '          servicePort: 80\n          stickinessConfig: {enabled: true, durationSeconds: 300}\n') };
    expect(sticky.text).not.toBe(f.text);
    expect(argoSplit([sticky])).toBe('users');
  });

  it('Flagger: requests for weights with no match and no cookie the router reads, else users', () => {
    const f = vendor('flagger', 'istio-canary.yaml');
    expect(flaggerSplit([f])).toBe('requests');
    expect(f.text).toContain('    stepWeight: ');
    const affinity = { file: f.file, text: f.text.replace('    stepWeight: ', '    sessionAffinity: {cookieName: flagger-cookie}\n    stepWeight: ') };
    expect(flaggerSplit([affinity])).toBe('users');
    // canary.go BuildCookie writes a negative Max-Age as it is: the browser drops the cookie, and no one is pinned.
    expect(flaggerSplit([{ file: f.file, text: affinity.text.replace('{cookieName: flagger-cookie}', '{cookieName: flagger-cookie, maxAge: -1}') }])).toBe('requests');
    // nginx reads no sessionAffinity (routing.ts readsSessionAffinity): every request is split all the same.
    const nginx = { file: f.file, text: affinity.text.replace('provider: istio', 'provider: nginx') };
    expect(nginx.text).not.toBe(affinity.text);
    const n = flaggerParts([nginx]);
    expect(n.ok && n.parts.splitBy).toBe('requests');
  });

  it('a plan\'s split says otherwise than the import (clients that each keep one connection, say)', () => {
    const plan = (split?: 'users') => scenario({
      duration: '1m',
      services: { podinfo: { endpoints: { api: {} } } },
      journeys: { api: { steps: ['podinfo.api'] } },
      traffic: { rate: '1/s', cohort: { size: 10 } },
      flags: { v2: { 'evaluated-by': ['podinfo'] } },
      rollout: [{ flag: 'v2', ...(split ? { split } : {}), flagger: { canary: `${process.cwd()}/test/fixtures/vendor/flagger/istio-canary.yaml` } }],
    }).rollouts[0].splitBy;
    expect(plan()).toBe('requests');
    expect(plan('users')).toBe('users');
  });
});

describe('the warning at import where some clients split one way and some the other', () => {
  it('Argo with a router: modelled, no warning of the split', () => {
    expect(argoParts([vendor('argo', 'istio-subset-split.yaml')]).warnings.filter((w) => w.includes('split: '))).toEqual([]);
  });

  it('Argo with an ALB that keeps clients sticky: per client for durationSeconds, per request without the cookie', () => {
    const f = vendor('argo', 'e2e-alb-canary-rollout.yaml');
    const sticky = { file: f.file, text: f.text.replace('          servicePort: 80\n', '          servicePort: 80\n          stickinessConfig: {enabled: true, durationSeconds: 300}\n') };
    const note = argoParts([sticky]).warnings.find((w) => w.includes('AWSALBTG'));
    expect(note).toContain('spec.strategy.canary.trafficRouting.alb: the controller writes each setWeight into the ALB\'s forward action (rollout/trafficrouting/alb/alb.go SetWeight) with stickinessConfig');
    expect(note).toContain('durationSeconds (300s)');
    expect(note).toContain('Rehearsed per user (split: users)');
    expect(note).toContain('at 10%, a user with 10 requests reaches the canary with probability 1-(1-w)^k = 65.1%');
    expect(argoParts([f]).warnings.some((w) => w.includes('AWSALBTG'))).toBe(false);
  });
});
