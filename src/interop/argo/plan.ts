/** An Argo Rollout with its analysis templates as a rehearse plan: stages, analysis runs and warnings. */
import type { ImportedPlan } from '../../scenario/types.js';
import { toScenarioParts, type ArgoOptions, type SourceFile } from './index.js';

export function importArgoPlan(files: readonly SourceFile[], options: ArgoOptions = {}): { ok: true; plan: ImportedPlan } | { ok: false; problems: string[]; warnings: string[] } {
  const r = toScenarioParts(files, options);
  if (!r.ok) return r;
  const { stages, background } = r.parts;
  return {
    ok: true,
    plan: {
      stages: stages.map((s) => ({ percent: s.percent, holdUs: s.holdUs, approval: s.approval })),
      analyses: { stages: stages.map((s) => s.analysis), background },
      checks: null,
      warnings: r.warnings,
    },
  };
}
