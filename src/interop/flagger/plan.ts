/**
 * A Flagger Canary with its metric templates as a rehearse plan: a stage per canary weight held one interval
 * (the first weight is set at the first tick, checks run from the next), then promotion at 100%; the analysis's
 * metrics as checks every interval. Analyses with iterations hold one stage for their iterations: blue/green at
 * 0% (no user reaches the canary before promotion), A/B at the share of users its match selects, given by the
 * scenario's exposure (all of them, or none, where the router writes the match so: routing.ts matchReach). The target's calls with the flag on are served by the canary workload
 * (<target>, behind <service>-canary), the others by the primary (<target>-primary, behind <service>-primary).
 */
import type { SourceFile } from '../kube/resources.js';
import type { ImportedPlan } from '../../scenario/types.js';
import { toScenarioParts, type FlaggerOptions } from './index.js';

export function importFlaggerPlan(files: readonly SourceFile[], exposure: { percent: number; from: string | null; at: string }, options: FlaggerOptions = {}): { ok: true; plan: ImportedPlan } | { ok: false; problems: string[]; warnings: string[] } {
  const r = toScenarioParts(files, { ...options, exposure });
  if (!r.ok) return r;
  const f = r.parts;
  const weights = f.strategy === 'blue-green' ? [0] : f.strategy === 'ab-testing' ? [f.abReaches === 'all' ? 100 : f.abReaches === 'none' ? 0 : exposure.percent] : f.weights;
  if (exposure.from !== null && f.strategy !== 'ab-testing') {
    r.warnings.push(`${exposure.from}: unused: only an A/B analysis (iterations with match) exposes a share of users before promotion; the Canary's ${f.strategy === 'blue-green' ? 'blue/green analysis exposes none' : 'weights set the exposure'}`);
  }
  const { rollout, trafficIncrease, promotion } = f.approvals;
  return {
    ok: true,
    plan: {
      stages: [
        // confirm-rollout before the first weight; confirm-traffic-increase before every weight step.
        ...weights.map((w, j) => ({ percent: w, holdUs: f.intervalUs, approval: (j === 0 ? rollout : null) ?? (f.iterations === null ? trafficIncrease : null) })),
        { percent: 100, holdUs: 0, approval: promotion },
      ],
      analyses: null,
      checks: { target: f.target, intervalUs: f.intervalUs, threshold: f.threshold, iterations: f.iterations, checks: f.checks },
      warnings: r.warnings,
      pods: {
        workloads: [f.target], app: f.target, ingress: f.ingress, route: f.route, port: f.port,
        canary: { workload: f.target, service: `${f.service}-canary`, hash: f.hashes.canary },
        stable: { workload: `${f.target}-primary`, service: `${f.service}-primary`, hash: f.hashes.stable },
      },
      series: f.builtin ? { preset: f.builtin.preset, namespace: f.namespace, from: f.builtin.from } : null,
      split: f.splitBy,
    },
  };
}
