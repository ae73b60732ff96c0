/** An Argo Rollout with its analysis templates as a rehearse plan: stages, analysis runs, pods and warnings. */
import type { ImportedPlan } from '../../scenario/types.js';
import { toScenarioParts, type ArgoOptions, type SourceFile } from './index.js';

export function importArgoPlan(files: readonly SourceFile[], options: ArgoOptions = {}): { ok: true; plan: ImportedPlan } | { ok: false; problems: string[]; warnings: string[] } {
  const r = toScenarioParts(files, options);
  if (!r.ok) return r;
  const { stages, background, traffic, hashes, workloads, rollout, splitBy } = r.parts;
  // rollout/service.go reconcileStableAndCanaryService: canaryService selects the new pods, stableService the stable
  // ones; both run as the Rollout's workload, each ReplicaSet with its own pod-template hash.
  return {
    ok: true,
    plan: {
      stages: stages.map((s) => ({ percent: s.percent, holdUs: s.holdUs, approval: s.approval })),
      analyses: { stages: stages.map((s) => s.analysis), background },
      checks: null,
      warnings: r.warnings,
      pods: {
        workloads, app: rollout, ingress: rollout, route: rollout, port: '80',
        canary: { workload: rollout, service: traffic.canaryService, hash: hashes.canary },
        stable: { workload: rollout, service: traffic.stableService, hash: hashes.stable },
      },
      series: null,
      split: splitBy,
    },
  };
}
