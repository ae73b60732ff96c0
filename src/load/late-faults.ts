/**
 * A fault timed relative to a rollout event (`stage(flag, 3) + 5m`) whose instant fell at or after the run's end
 * never switched on: a run stops at its end, so nothing due there happens (a fault at the end instant would act on
 * nothing the results could show). The loader says it of a fault timed there (load/scenario.ts), but an event's
 * instant is the run's own: the run says it, at the fault's `at` in the file, in the loader's words.
 */
import { tryReadInput } from '../files/read.js';
import { parseText } from '../scenario/parse.js';
import { formatProblem, type PathSegment } from '../scenario/problems.js';
import type { Scenario } from '../scenario/types.js';
import type { FaultOutcome } from '../score/outcomes.js';
import { clock, duration } from '../units/format.js';

/** `message` at `path` of the scenario file, as the loader places its warnings: at its line and column when the file reads again. */
function placed(file: string, path: PathSegment[], message: string): string {
  const read = tryReadInput(file, 'scenario');
  const parsed = read.ok ? parseText(read.text, /\.json$/i.test(file) ? 'JSON' : 'YAML') : null;
  return formatProblem(file, parsed?.ok ? parsed.at(path, { path, message }) : { path, message });
}

/** The warnings of a run of `scenario` (read from `file`) for its event-timed faults due at or after its end. */
export function lateFaultWarnings(file: string, scenario: Scenario, faults: readonly Pick<FaultOutcome, 'due_seconds'>[]): string[] {
  return faults.flatMap((f, k) => {
    const spec = scenario.faults[k];
    if (f.due_seconds === undefined || spec?.start.kind !== 'event') return [];
    const end = scenario.durationUs / 1e6;
    // Scheduled faults come first among a scenario's, in the file's order (scenario/faults.ts normalizeFaults).
    return [placed(file, ['faults', k, 'at'], `the fault's rollout event put it at ${clock(f.due_seconds)}, ${f.due_seconds > end ? 'after' : 'as'} the run ends (duration ${duration(end)}): it never acted`)];
  });
}
