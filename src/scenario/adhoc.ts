/**
 * A fault written during a game day (a scenario's fault without `at`), checked and normalized against the
 * scenario already loaded, exactly as the same fault in the file's faults-catalogue would be: the file is never
 * read again, so a fault added at minute 40 means what it would have meant at minute 0.
 */
import { segmentNames } from '../cohorts/cohort.js';
import { didYouMean } from '../errors.js';
import { normalizeFaults } from './faults.js';
import type { Helpers } from './helpers.js';
import type { Problem } from './problems.js';
import type { CatalogueFault, ScenarioInput } from './schema.js';
import type { FaultSpec, Scenario } from './types.js';
import { unitParsers } from './unit-parsers.js';
import type { z } from 'zod';
import { quoted, quotedList } from '../units/escape.js';

export type CatalogueFaultInput = z.infer<typeof CatalogueFault>;

export type AdhocFault = { ok: true; fault: FaultSpec } | { ok: false; problems: Problem[] };

export function normalizeAdhocFault(input: CatalogueFaultInput, name: string, scenario: Scenario): AdhocFault {
  const problems: Problem[] = [];
  const { duration, percent, dist } = unitParsers(problems);
  const helpers: Helpers = {
    problems, duration, percent, dist, services: scenario.services, journeys: scenario.journeys.map((j) => j.name),
    operations: () => [], unknownFlag: (flag) => `unknown flag ${quoted(flag)}`,
  };
  const faults = normalizeFaults({ 'faults-catalogue': { [name]: input } } as unknown as ScenarioInput, helpers, scenario.rollouts);
  // A segment the users do not have would be read as every user (as load/scenario.ts refuses it in the file).
  const segments = scenario.population ? segmentNames(scenario.population) : [];
  if (input.segment !== undefined && !segments.includes(input.segment)) {
    const known = segments.length ? `${didYouMean(input.segment, segments)} (segments: ${quotedList(segments)})` : ': the users have no segments';
    problems.push({ path: ['faults-catalogue', name, 'segment'], message: `unknown segment ${quoted(input.segment)}${known}` });
  }
  // Paths name the fault itself, not a catalogue entry it never was.
  if (problems.length) return { ok: false, problems: problems.map((p) => ({ ...p, path: p.path.slice(2) })) };
  return { ok: true, fault: faults[0] };
}
