/**
 * A weighted canary as the team's router splits it, against the rehearsal. The routers split each request:
 * argoproj/argo-rollouts rollout/trafficrouting/istio/istio.go SetWeight writes the step's weight into the
 * VirtualService's route destinations, fluxcd/flagger pkg/router/istio.go SetRoutes writes the primary's and the
 * canary's HTTPRouteDestination weights, and Istio's weighted routing forwards "the proportion of traffic" of
 * each request by them; without a router, argo-rollouts utils/replicaset/canary.go
 * CalculateReplicaCountsForBasicCanary sizes the ReplicaSets and the Service spreads connections over the pods.
 * rehearse's flag buckets users. The counts are derived by hand: a user with k requests at weight w is reached
 * with probability 1-(1-w)^k and on a binomial(k, w) number of them per request; per user, on all k or none.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { toScenarioParts as argoParts } from '../src/interop/argo/index.js';
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
    expect(perRequestFigures(20)).toBe('at 20%, a user with 10 requests reaches the canary with probability 1-(1-w)^k = 89.3% (1 request: 20%, 5: 67.2%), on 2 of them on average (binomial, sd 1.3), where the rehearsal sends 20% of users there on all 10 and the others on none');
    // 1 - 0.99^10 = 0.0956; 0.1 on average; sqrt(10 * 0.01 * 0.99) = 0.3146.
    expect(perRequestFigures(1)).toContain('= 9.6% (1 request: 1%, 5: 4.9%), on 0.1 of them on average (binomial, sd 0.3)');
  });
});

describe('what rehearse does with a weight today: per user, all or none', () => {
  // One flag at 20% for the whole run; a journey calls api once, so a journey is one request to the canary's service.
  const s = scenario({
    seed: 5,
    duration: '3m',
    traffic: { rate: '30/s', cohort: { size: 400, seed: 9 } },
    journeys: { use: { steps: ['api.get'] } },
    services: { api: { replicas: 2, concurrency: 16, latency: { dist: 'exponential', mean: '5ms' }, endpoints: { get: {} } } },
    flags: { canary: { 'evaluated-by': ['api'], 'when-on': { api: { errors: '+0%' } } } },
    rollout: [{ flag: 'canary', stages: [{ to: '20%', hold: '1h' }] }],
  });
  const perUser = new Map<number, { k: number; on: number }>();
  runScenario(s, {
    observe: (sim) => sim.observe({
      journeyEnded: (rec) => {
        // After every service holds the 20% configuration (propagation is at most 10 s).
        if (sim.engine.now < 20e6 || sim.rUser[rec] < 0) return;
        const u = perUser.get(sim.rUser[rec]) ?? { k: 0, on: 0 };
        u.k++;
        if ((sim.rFlagsOn[rec] & 1) !== 0) u.on++;
        perUser.set(sim.rUser[rec], u);
      },
    }),
  });
  const users = [...perUser.values()];
  const journeys = users.reduce((n, u) => n + u.k, 0);

  it('sends each user\'s every journey to one side', () => {
    expect(users.filter((u) => u.k >= 5).length).toBeGreaterThan(200);
    expect(users.filter((u) => u.on > 0 && u.on < u.k)).toEqual([]);
  });

  it('sends about the weight\'s share of requests to the canary, to fewer users than a router\'s per-request split would reach', () => {
    const reached = users.filter((u) => u.on > 0).length;
    const canaryJourneys = users.reduce((n, u) => n + u.on, 0);
    // Per request, each of a user's k journeys goes to the canary with probability 0.2 on its own.
    const perRequestReached = users.reduce((n, u) => n + reachedAtLeastOnce(0.2, u.k), 0);
    const perRequestSd = Math.sqrt(users.reduce((v, u) => v + reachedAtLeastOnce(0.2, u.k) * (1 - reachedAtLeastOnce(0.2, u.k)), 0));
    expect(Math.abs(canaryJourneys / journeys - 0.2)).toBeLessThan(0.06);
    expect(Math.abs(reached / users.length - 0.2)).toBeLessThan(0.06);
    // With 12 journeys each on average (fewer for most: users are not equally active), a router would reach most
    // of them; the rehearsal reaches a fifth.
    expect(perRequestReached / users.length).toBeGreaterThan(0.6);
    expect(reached).toBeLessThan(perRequestReached - 10 * perRequestSd);
  });
});

describe('the warning at import says how the team\'s system splits', () => {
  it('Argo with a router: each request, by the weights the controller writes', () => {
    const r = argoParts([vendor('argo', 'istio-subset-split.yaml')]);
    const note = r.warnings.find((w) => w.includes('each request goes'));
    expect(note).toMatch(/^istio-subset-split\.yaml:\d+:\d+: spec\.strategy\.canary\.trafficRouting\.istio: the controller writes each setWeight into the istio routes \(argoproj\/argo-rollouts rollout\/trafficrouting\/istio\/istio\.go SetWeight, the VirtualService's route weights\): each request goes to the canary or the stable side by the weight/);
    expect(note).toContain('Rehearsed per user instead');
  });

  it('Argo with an ALB that keeps clients sticky: per client for durationSeconds, per request without the cookie', () => {
    const f = vendor('argo', 'e2e-alb-canary-rollout.yaml');
    const sticky = { file: f.file, text: f.text.replace('          servicePort: 80\n', '          servicePort: 80\n          stickinessConfig: {enabled: true, durationSeconds: 300}\n') };
    expect(sticky.text).not.toBe(f.text);
    const note = argoParts([sticky]).warnings.find((w) => w.includes('AWSALBTG'));
    expect(note).toContain('spec.strategy.canary.trafficRouting.alb: the controller writes each setWeight into the ALB\'s forward action (rollout/trafficrouting/alb/alb.go SetWeight) with stickinessConfig');
    expect(note).toContain('durationSeconds (300s)');
    expect(note).toContain('at 10%, a user with 10 requests reaches the canary with probability 1-(1-w)^k = 65.1%');
    // Without stickiness, the plain per-request note.
    expect(argoParts([f]).warnings.some((w) => w.includes('alb/alb.go SetWeight, the forward action\'s target group weights): each request goes'))).toBe(true);
  });

  it('Flagger: a weighted canary with no match and no cookie the router reads splits each request; with a cookie, the sessionAffinity note says instead', () => {
    const plain = flaggerParts([vendor('flagger', 'istio-canary.yaml')]);
    expect(plain.warnings.filter((w) => w.includes('pkg/router/istio.go SetRoutes)') && w.includes('each request goes'))).toHaveLength(1);
    const f = vendor('flagger', 'istio-canary.yaml');
    expect(f.text).toContain('    stepWeight: ');
    const affinity = { file: f.file, text: f.text.replace('    stepWeight: ', '    sessionAffinity: {cookieName: flagger-cookie}\n    stepWeight: ') };
    const sticky = flaggerParts([affinity]).warnings;
    expect(sticky.some((w) => w.includes('each request goes'))).toBe(false);
    expect(sticky.some((w) => w.includes('spec.analysis.sessionAffinity: Flagger\'s router splits each request without a cookie'))).toBe(true);
    // nginx reads no sessionAffinity: every request is split, and the note says the router reads none.
    const nginx = { file: f.file, text: affinity.text.replace(/provider: istio/, 'provider: nginx') };
    expect(nginx.text).not.toBe(affinity.text);
    expect(flaggerParts([nginx]).warnings.some((w) => w.includes('pkg/router/ingress.go SetRoutes), and reads no sessionAffinity'))).toBe(true);
  });
});
