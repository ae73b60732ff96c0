/**
 * A Flagger Canary with its metric templates as a rehearse plan: a stage per canary weight held one interval,
 * then promotion at 100%; the analysis's metrics as checks every interval. A/B and blue/green analyses
 * (iterations) hold one exposure, given by the scenario, for their iterations.
 */
import type { SourceFile } from '../argo/index.js';
import type { ImportedPlan } from '../../scenario/types.js';
import { toScenarioParts } from './index.js';

export function importFlaggerPlan(files: readonly SourceFile[], exposurePercent: number): { ok: true; plan: ImportedPlan } | { ok: false; problems: string[]; warnings: string[] } {
  const r = toScenarioParts(files);
  if (!r.ok) return r;
  const f = r.parts;
  const weights = f.iterations !== null ? [exposurePercent] : f.weights;
  return {
    ok: true,
    plan: {
      stages: [
        ...weights.map((w, j) => ({ percent: w, holdUs: f.intervalUs, approval: j === 0 && f.confirmRollout })),
        { percent: 100, holdUs: 0, approval: f.confirmPromotion },
      ],
      analyses: null,
      checks: { target: f.target, intervalUs: f.intervalUs, threshold: f.threshold, iterations: f.iterations, checks: f.checks },
      warnings: r.warnings,
    },
  };
}
