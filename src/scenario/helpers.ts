/** What the parts of the normalizer share: the problems found so far and the parsers of units, with their paths. */
import type { PathSegment, Problem } from './problems.js';
import type { DistributionInput, OperationInput } from './schema.js';
import type { Dist, ImportedPlanResult, Operation, Service } from './types.js';

export interface Helpers {
  problems: Problem[];
  duration(text: string | undefined, fallback: string, path: PathSegment[]): number;
  percent(text: string | undefined, fallback: string, path: PathSegment[]): number;
  dist(d: DistributionInput, path: PathSegment[]): Dist;
  operations(ops: readonly OperationInput[] | undefined, path: PathSegment[]): Operation[];
  services: readonly Service[];
  journeys: readonly string[];
  /** Imported plans (Argo Rollouts, Flagger Canaries), by the index of their rollout plan. */
  plans?: ReadonlyMap<number, ImportedPlanResult>;
}
