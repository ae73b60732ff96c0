/**
 * How the team's controller splits a weighted canary between the canary and stable pods, and how the rehearsal
 * differs (interop/weighted.ts): every router Argo Rollouts drives splits each request by the weights the
 * controller writes (rollout/trafficrouting/<router>); an ALB with stickinessConfig pins a client to the target
 * group it reached; without a router, the weights are pod counts behind one Service.
 */
import { get } from '../kube/resources.js';
import { perRequestFigures, perRequestNote } from '../weighted.js';

/** The file of argo-rollouts that writes each router's weights. */
const WRITER: Record<string, string> = {
  istio: 'istio/istio.go SetWeight, the VirtualService\'s route weights',
  smi: 'smi/smi.go SetWeight, the TrafficSplit\'s backends',
  nginx: 'nginx/nginx.go SetWeight, the canary Ingress\'s canary-weight annotation',
  alb: 'alb/alb.go SetWeight, the forward action\'s target group weights',
  ambassador: 'ambassador/ambassador.go SetWeight, the canary Mapping\'s weight',
  apisix: 'apisix/apisix.go SetWeight, the ApisixRoute backends\' weights',
  appMesh: 'appmesh/appmesh.go SetWeight, the virtual router\'s weighted targets',
  traefik: 'traefik/traefik.go SetWeight, the TraefikService\'s weighted services',
  plugins: 'plugin/plugin.go SetWeight, through the plugin',
};

export function splitNote(router: string | null, routing: unknown, weights: readonly number[]): string {
  if (!router) {
    return perRequestNote('no trafficRouting: the controller scales the canary and stable ReplicaSets to the setWeight share of spec.replicas (utils/replicaset/canary.go CalculateReplicaCountsForBasicCanary) behind one Service, so the canary\'s share is its pods\' share, only near setWeight (rehearsed at setWeight); the Service\'s proxy picks a ready pod for each new connection (a client that keeps its connection stays on its pod; one that opens a connection per request is split per request)', weights, 'connection');
  }
  const sticky = get(routing, router, 'stickinessConfig');
  if (router === 'alb' && get(sticky, 'enabled') === true) {
    const seconds = Number(get(sticky, 'durationSeconds'));
    const first = weights.find((w) => w > 0 && w < 100);
    return `the controller writes each setWeight into the ALB's forward action (rollout/trafficrouting/alb/alb.go SetWeight) with stickinessConfig (TargetGroupStickinessConfig): the ALB splits a client's first request by the weight and sets its AWSALBTG cookie, which holds the client on that target group for durationSeconds (${seconds}s); a client without the cookie (most API clients) is split on every request. Rehearsed per user instead: the flag buckets users, so at each weight that share of users reaches the canary and the others never, and a raised weight adds users at once where the ALB moves a pinned stable client only after its ${seconds}s. For clients that keep the cookie the two are alike within the duration; for those that do not, ${first === undefined ? 'each request is split' : perRequestFigures(first)}`;
  }
  return perRequestNote(`the controller writes each setWeight into the ${router} routes (argoproj/argo-rollouts rollout/trafficrouting/${WRITER[router] ?? router})`, weights);
}
