/** What the parts of the normalizer share: the problems found so far and the parsers of units, with their paths. */
import { didYouMean } from '../errors.js';
import type { PathSegment, Problem } from './problems.js';
import { flagEntries, type DistributionInput, type OperationInput, type ScenarioInput } from './schema.js';
import type { Dist, FlagSource, ImportedPlanResult, Operation, Service } from './types.js';
import { quoted } from '../units/escape.js';

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
  /** What a reference to a flag the scenario does not have says (unknownFlag below). */
  unknownFlag(name: string): string;
}

/**
 * What a reference to a flag the scenario does not have says. Beside flags.from, an entry the files do not hold
 * is refused where it stands: it is no name to suggest (a rollout plan that spells the file's flag right would be
 * told to take the misspelling). A flag of the files that the scenario does not name is said to be one.
 */
export function unknownFlag(input: ScenarioInput, imported?: ReadonlyMap<string, FlagSource>): (name: string) => string {
  const keys = flagEntries(input.flags).map(([k]) => k);
  const fromFiles = imported !== undefined && input.flags?.from !== undefined;
  const named = fromFiles ? keys.filter((k) => imported.has(k)) : keys;
  return (name) => {
    const source = fromFiles ? imported.get(name) : undefined;
    if (source) return `unknown flag ${quoted(name)}: a flag of ${source.file}, which the scenario does not name beside flags.from (a file's flags that it does not name are not rehearsed)`;
    return `unknown flag ${quoted(name)}${didYouMean(name, named)}`;
  };
}
