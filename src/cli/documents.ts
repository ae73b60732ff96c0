/**
 * The documents rehearse reads back (a run result for `report`, a sweep for `report`, `merge` and
 * `sweep --resume`, a CI report for `ci --baseline`), checked against their shape before use: a document edited
 * by hand or written by another version fails here with the field it lacks, never later with a TypeError.
 * Objects are loose: keys added by a later version are kept; the keys the readers use are required.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { plainError } from '../units/issues.js';
import { formatPath, type PathSegment } from '../scenario/problems.js';
import type { CiReport } from '../score/ci.js';
import type { RunResult } from '../score/result.js';
import type { SweepDocument } from '../sweep/sweep.js';

const num = z.number();
const nullableNum = z.number().nullable();
const str = z.string();
const int = z.int().min(0);
const numbers = z.array(z.number().nullable());

const LatencyMs = z.looseObject({ mean: nullableNum, p50: nullableNum, p95: nullableNum, p99: nullableNum });
const CallFigures = z.looseObject({ requests: num, errors: num, errorRate: num, latencyMs: LatencyMs });
const WindowSeries = z.looseObject({ requests: numbers, errors: numbers, p99Ms: numbers });

const FlagOutcome = z.looseObject({
  defective: z.boolean(), blast_radius_users: num, blast_radius_requests: num, detected: z.boolean(),
  time_to_detect_seconds: nullableNum, time_to_full_rollout_seconds: nullableNum, outcome: str, final_percent: num,
  false_rollback: z.boolean(), missed_defect: z.boolean(), misattribution: z.boolean(),
});

const Acceptance = z.array(z.looseObject({ criterion: str, value: nullableNum, pass: z.boolean() }));

export const RunDocument = z.looseObject({
  schema: z.literal('rehearse/run@1'),
  version: str,
  scenario: z.looseObject({ name: str, seed: num, case: str.nullable() }),
  passed: z.boolean(),
  simulated: z.looseObject({ seconds: num, requests: num, events: num }),
  services: z.record(str, CallFigures.extend({ endpoints: z.record(str, CallFigures) })),
  journeys: z.record(str, CallFigures),
  breakers: z.array(z.looseObject({ timeSeconds: num, edge: str, to: str })),
  flags: z.array(z.looseObject({ key: str, kind: str, owner: str })),
  rollouts: z.array(z.looseObject({
    flag: str, outcome: str, finalPercent: num, stagesReached: num, stages: num,
    decisions: z.array(z.looseObject({ timeSeconds: num, action: str, stage: num, percent: num, reason: str })),
    gates: z.array(z.looseObject({ source: str, kind: str })),
  })),
  audit: z.array(z.looseObject({ timeSeconds: num })),
  outcomes: z.looseObject({
    flags: z.record(str, FlagOutcome), journeys: num, journeys_failed: num, error_budget_burned: num,
    faults: z.array(z.looseObject({ name: str, kind: str })),
  }),
  acceptance: Acceptance,
  windows: z.looseObject({
    seconds: num,
    startSeconds: z.array(num),
    services: z.record(str, WindowSeries),
    journeys: z.record(str, WindowSeries),
    flags: z.record(str, z.looseObject({ on: numbers, onFailed: numbers, off: numbers, offFailed: numbers })),
  }),
  topology: z.looseObject({
    services: z.array(str),
    calls: z.array(z.looseObject({ from: str, to: str, async: z.boolean() })),
    journeys: z.array(z.looseObject({ name: str, enters: z.array(str) })),
    flags: z.array(z.looseObject({ key: str, evaluatedBy: z.array(str) })),
    faults: z.array(z.looseObject({ name: str, kind: str })),
  }),
});

const TuneValue = z.union([str, num, z.boolean()]);
const Interval = z.looseObject({ rate: nullableNum, low: nullableNum, high: nullableNum, n: num });

const FlagRun = z.looseObject({
  defective: z.boolean(), detected: z.boolean(), blast_radius_users: num, blast_radius_requests: num,
  time_to_detect_seconds: nullableNum, time_to_full_rollout_seconds: nullableNum, false_rollback: z.boolean(),
  missed_defect: z.boolean(), misattribution: z.boolean(), final_percent: num, outcome: str,
});

export const SweepDocumentSchema = z.looseObject({
  schema: z.literal('rehearse/sweep@1'),
  version: str,
  scenario: z.looseObject({ name: str, file: str, digest: str }),
  flag: str,
  objective: str,
  constraints: z.array(str),
  plan: z.looseObject({
    policies: z.array(z.looseObject({ index: int, values: z.record(str, TuneValue), label: str })),
    cases: z.array(str.nullable()),
    seeds: int,
    runs: int,
  }),
  complete: z.boolean(),
  shard: z.string().regex(/^\d+\/\d+$/).optional(),
  passed: z.boolean(),
  runs: z.array(z.looseObject({
    run: int, error: str.optional(), flags: z.record(str, FlagRun).optional(), error_budget_burned: num.optional(),
    policy: int, case: str.nullable(), seed: int,
  })),
  failures: z.array(z.looseObject({ run: int, error: str })),
  policies: z.array(z.looseObject({
    index: int, label: str, runs: num, failed_runs: num, feasible: z.boolean(), harm: nullableNum, friction: Interval,
    cases: z.array(z.looseObject({ case: str.nullable(), runs: num, detection: Interval, false_rollback: Interval })),
    constraints: z.array(z.looseObject({ criterion: str, value: nullableNum, pass: z.boolean() })),
    objective: z.looseObject({ value: nullableNum }),
  })),
  pareto: z.array(int),
  recommendation: z.looseObject({ policy: int, label: str }).nullable(),
  warnings: z.array(str),
  // Documents of earlier versions carried wall-clock timing; it is ignored.
  timing: z.looseObject({}).optional(),
});

export const CiDocument = z.looseObject({
  schema: z.literal('rehearse/ci@1'),
  version: str,
  passed: z.boolean(),
  counts: z.looseObject({ cases: int, passed: int, failed: int, invalid: int, crashed: int }),
  cases: z.array(z.looseObject({
    scenario: str,
    file: str,
    case: str.nullable(),
    status: z.enum(['passed', 'failed', 'invalid', 'crashed']),
    messages: z.array(str),
    seconds: num,
    acceptance: Acceptance,
    flags: z.record(str, z.looseObject({
      outcome: str, final_percent: num, defective: z.boolean(), blast_radius_users: num, blast_radius_requests: num,
      time_to_detect_seconds: nullableNum, false_rollback: z.boolean(), missed_defect: z.boolean(), misattribution: z.boolean(),
    })),
    errorBudgetBurned: nullableNum,
    regressions: z.array(str),
  })),
  timing: z.looseObject({ seconds: num }).optional(),
});

const KINDS = {
  'rehearse/run@1': RunDocument,
  'rehearse/sweep@1': SweepDocumentSchema,
  'rehearse/ci@1': CiDocument,
} as const;
type Kind = keyof typeof KINDS;
interface Documents { 'rehearse/run@1': RunResult; 'rehearse/sweep@1': SweepDocument; 'rehearse/ci@1': CiReport }

const NAMES: Record<Kind, string> = { 'rehearse/run@1': 'rehearse run result', 'rehearse/sweep@1': 'rehearse sweep document', 'rehearse/ci@1': 'rehearse ci report' };

/** At most this many mistakes of a document are listed. */
const SHOWN = 10;

/**
 * Reads a JSON document that must be one of `kinds` (checked in full against its schema); `hint` says how
 * to make one. Every failure is an InputError naming the file and, for a wrong shape, the fields.
 */
export function readDocument<K extends Kind>(file: string, kinds: readonly K[], hint: string): Documents[K] {
  const what = `not a ${kinds.map((k) => `${NAMES[k]} (${k})`).join(' or ')}: ${hint}`;
  let text: string;
  try {
    if (!statSync(file).isFile()) throw new InputError([`${file}: not a regular file`]);
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (err instanceof InputError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new InputError([`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : `cannot read: ${(err as Error).message}`}`]);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputError([`${file}: not JSON (${(err as Error).message.split('\n')[0]}): ${what}`]);
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (typeof schema !== 'string' || !(kinds as readonly string[]).includes(schema)) {
    throw new InputError([`${file}: schema: ${typeof schema === 'string' ? `"${schema.slice(0, 60)}" is ` : ''}${what}`]);
  }
  const parsed = KINDS[schema as K].safeParse(doc, { error: plainError });
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const lines = issues.slice(0, SHOWN).map((i) => `${file}: ${formatPath(i.path as PathSegment[])}: ${i.message}`);
    if (issues.length > SHOWN) lines.push(`${file}: ... and ${issues.length - SHOWN} more`);
    lines.push(`${file}: not a valid ${schema} document (edited, or written by another version of rehearse?)`);
    throw new InputError(lines);
  }
  return doc as Documents[K];
}
