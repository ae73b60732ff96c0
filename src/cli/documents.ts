/**
 * The documents rehearse reads back (a run result for `report`, a sweep for `report`, `merge` and
 * `sweep --resume`, a CI report for `ci --baseline`), checked against their shape before use: a document edited
 * by hand or written by another version fails here with the field it lacks, never later with a TypeError.
 * Objects are loose: keys added by a later version are kept; the keys the readers use are required.
 */
import { parseJsonDocument } from '../files/json.js';
import { readInput, readLimits } from '../files/read.js';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { plural } from '../units/format.js';
import { VERSION } from '../version.js';
import { PLAIN } from '../units/issues.js';
import { formatPath, type PathSegment } from '../scenario/problems.js';
import type { CheckResult } from '../calibrate/check.js';
import type { CiReport } from '../score/ci.js';
import type { RunResult } from '../score/result.js';
import type { SweepDocument } from '../sweep/sweep.js';
import { quoted, quotedList } from '../units/escape.js';

/** At most this many mistakes of a document are listed. */
const SHOWN = 10;

const num = z.number();
const nullableNum = z.number().nullable();
const str = z.string();
const int = z.int().min(0);
const numbers = z.array(z.number().nullable());

/** Reports an issue of a refinement, the first SHOWN + 1 of them (enough to list SHOWN and say there are more). */
function capped(ctx: z.RefinementCtx): (path: PathSegment[], message: string) => void {
  let count = 0;
  return (path, message) => {
    if (count++ <= SHOWN) ctx.addIssue({ code: 'custom', path, message });
  };
}

/** Counts and times are 0 or more, shares from 0 to 1: a tampered 1e308 was drawn as "Infinity%". */
const count = z.number().min(0);
const share = z.number().min(0).max(1);
const nullableTime = z.number().min(0).nullable();
const LatencyMs = z.looseObject({ mean: nullableTime, p50: nullableTime, p95: nullableTime, p99: nullableTime });
const CallFigures = z.looseObject({ requests: count, errors: count, errorRate: share, latencyMs: LatencyMs });
/** Calls of a service in each window, split by a flag's state. */
const FlagSplit = z.looseObject({
  onRequests: numbers, onErrors: numbers, onErrorRate: numbers, onP99Ms: numbers,
  offRequests: numbers, offErrors: numbers, offErrorRate: numbers, offP99Ms: numbers,
});
const WindowSeries = z.looseObject({ requests: numbers, errors: numbers, p99Ms: numbers });
const FlagWindows = z.looseObject({
  on: numbers, onFailed: numbers, off: numbers, offFailed: numbers, hurt: numbers, onErrorRate: numbers, offErrorRate: numbers,
  onP50Ms: numbers.optional(), onP99Ms: numbers.optional(), offP50Ms: numbers.optional(), offP99Ms: numbers.optional(),
  compared: z.array(num).optional(),
});

const FlagOutcome = z.looseObject({
  defective: z.boolean(), blast_radius_users: num, blast_radius_requests: num, detected: z.boolean(),
  time_to_detect_seconds: nullableNum, time_to_full_rollout_seconds: nullableNum, outcome: str, final_percent: num,
  false_rollback: z.boolean(), missed_defect: z.boolean(), misattribution: z.boolean(), gates_failed_flag_off: z.literal(true).optional(),
  gates_unjudged_flag_off: z.array(str).optional(),
});

const Acceptance = z.array(z.looseObject({ criterion: str, value: nullableNum, pass: z.boolean() }));

/** Client-side pools, as a run's result and a calibration check hold them (score/pools.ts). */
const Pools = z.array(z.looseObject({
  pool: str, at: str, limit: count, callsPerSec: count, utilization: share, waitedShare: share, meanWaitMs: count, meanWaiting: count, maxWaiting: count, timedOutWaiting: count,
}));
export const RunDocument = z.looseObject({
  schema: z.literal('rehearse/run@1'),
  version: str,
  scenario: z.looseObject({ name: str, seed: num, case: str.nullable() }),
  passed: z.boolean(),
  simulated: z.looseObject({ seconds: num, requests: num, events: num }),
  services: z.record(str, CallFigures.extend({
    throughputPerSec: count, utilization: share.nullable(), meanQueued: count, maxQueued: count, meanQueueWaitMs: count, endpoints: z.record(str, CallFigures),
  })),
  pools: Pools.optional(),
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
    services: z.record(str, WindowSeries.extend({ flags: z.record(str, FlagSplit).optional() })),
    journeys: z.record(str, WindowSeries),
    flags: z.record(str, FlagWindows),
  }),
  topology: z.looseObject({
    services: z.array(str),
    calls: z.array(z.looseObject({ from: str, to: str, async: z.boolean() })),
    journeys: z.array(z.looseObject({ name: str, enters: z.array(str) })),
    flags: z.array(z.looseObject({ key: str, evaluatedBy: z.array(str) })),
    faults: z.array(z.looseObject({ name: str, kind: str, from: str.nullable().optional(), to: str })),
  }),
}).superRefine((doc, ctx) => consistentRun(doc as unknown as RunResult, capped(ctx)));

/**
 * What the schema cannot say of a run document: every window series has one value per window, a latency
 * wherever its window has calls, and the topology names only its own services.
 */
function consistentRun(r: RunResult, issue: (path: PathSegment[], message: string) => void): void {
  const n = r.windows.startSeconds.length;
  const series = (path: PathSegment[], values: readonly (number | null)[] | undefined, counts?: readonly (number | null)[]) => {
    if (values === undefined) return;
    if (values.length !== n) issue(path, `${values.length} values for the ${n} windows of windows.startSeconds`);
    else if (counts) {
      const i = counts.findIndex((c, k) => c !== null && c > 0 && typeof values[k] !== 'number');
      if (i >= 0) issue([...path, i], 'no figure for a window with calls in it');
    }
  };
  for (const [kind, all] of [['services', r.windows.services], ['journeys', r.windows.journeys]] as const) {
    for (const [name, w] of Object.entries(all)) {
      const at = ['windows', kind, name];
      series([...at, 'requests'], w.requests);
      series([...at, 'errors'], w.errors);
      series([...at, 'p99Ms'], w.p99Ms);
      for (const [flag, x] of Object.entries((w as { flags?: Record<string, Record<string, number[]>> }).flags ?? {})) {
        for (const side of ['on', 'off']) {
          series([...at, 'flags', flag, `${side}Requests`], x[`${side}Requests`]);
          series([...at, 'flags', flag, `${side}Errors`], x[`${side}Errors`]);
          series([...at, 'flags', flag, `${side}ErrorRate`], x[`${side}ErrorRate`]);
          // Compared within journeys: no figure where no journey through the service had both sides.
          series([...at, 'flags', flag, `${side}P99Ms`], x[`${side}P99Ms`]);
        }
      }
    }
  }
  for (const [flag, w] of Object.entries(r.windows.flags) as [string, Record<string, number[] | undefined>][]) {
    const latency = ['onP50Ms', 'onP99Ms', 'offP50Ms', 'offP99Ms'];
    const missing = latency.filter((k) => w[k] === undefined);
    if (missing.length > 0 && missing.length < latency.length) issue(['windows', 'flags', flag, missing[0]], `missing (${latency.join(', ')} come together)`);
    for (const side of ['on', 'off']) {
      series(['windows', 'flags', flag, side], w[side]);
      series(['windows', 'flags', flag, `${side}Failed`], w[`${side}Failed`]);
      series(['windows', 'flags', flag, `${side}ErrorRate`], w[`${side}ErrorRate`]);
      // A figure wherever a journey had both sides (compared), none elsewhere.
      series(['windows', 'flags', flag, `${side}P50Ms`], w[`${side}P50Ms`], w.compared);
      series(['windows', 'flags', flag, `${side}P99Ms`], w[`${side}P99Ms`], w.compared);
    }
    series(['windows', 'flags', flag, 'hurt'], w.hurt);
  }
  const t = r.topology;
  const services = new Set(t.services);
  const known = (path: PathSegment[], name: string | null | undefined) => {
    if (name !== null && name !== undefined && !services.has(name)) issue(path, `unknown service ${quoted(name)} (topology.services: ${quotedList([...services].slice(0, 10))}${services.size > 10 ? ', ...' : ''})`);
  };
  t.calls.forEach((c, i) => {
    known(['topology', 'calls', i, 'from'], c.from);
    known(['topology', 'calls', i, 'to'], c.to);
  });
  t.journeys.forEach((j, i) => j.enters.forEach((s, k) => known(['topology', 'journeys', i, 'enters', k], s)));
  t.flags.forEach((f, i) => f.evaluatedBy.forEach((s, k) => known(['topology', 'flags', i, 'evaluatedBy', k], s)));
  t.faults.forEach((f, i) => {
    known(['topology', 'faults', i, 'to'], f.to);
    known(['topology', 'faults', i, 'from'], f.from);
  });
}

const TuneValue = z.union([str, num, z.boolean()]);
const Interval = z.looseObject({ rate: nullableNum, low: nullableNum, high: nullableNum, n: num });
const Bounds = z.tuple([nullableNum, nullableNum]).nullable().optional();
const Constraint = z.looseObject({ criterion: str, value: nullableNum, interval: Bounds, note: str.optional(), pass: z.boolean() });
const Objective = z.looseObject({ value: nullableNum, interval: Bounds, note: str.optional() });

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
    // No plan can hold more seeds than an array can (a hand-edited 1e15 would fail there, not here).
    seeds: int.max(2 ** 32 - 1, 'more seeds than any sweep can plan'),
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
    index: int, label: str, values: z.record(str, TuneValue), runs: num, failed_runs: num, feasible: z.boolean(), harm: nullableNum, friction: Interval,
    cases: z.array(z.looseObject({
      case: str.nullable(), runs: num, detection: Interval, false_rollback: Interval,
      blast_radius_users: z.looseObject({ median: nullableNum, p95: nullableNum, max: nullableNum }),
      time_to_detect_seconds: z.looseObject({ median: nullableNum, p95: nullableNum }),
      time_to_full_rollout_seconds: z.looseObject({ median: nullableNum }),
    })),
    constraints: z.array(Constraint),
    objective: Objective,
  })),
  pareto: z.array(int),
  recommendation: z.looseObject({ policy: int, label: str, values: z.record(str, TuneValue), objective: Objective, constraints: z.array(Constraint) }).nullable(),
  warnings: z.array(str),
  // Documents of earlier versions carried wall-clock timing; it is ignored.
  timing: z.looseObject({}).optional(),
}).superRefine((doc, ctx) => consistentSweep(doc as unknown as SweepDocument, capped(ctx)));

/** What the schema cannot say of a sweep document: its plan adds up, and every index points into it. */
function consistentSweep(d: SweepDocument, issue: (path: PathSegment[], message: string) => void): void {
  const p = d.plan;
  const runs = p.policies.length * p.cases.length * p.seeds;
  if (p.runs !== runs) issue(['plan', 'runs'], `${plural(p.runs, 'run')}, not the ${plural(p.policies.length, 'policy', 'policies')} x ${plural(p.cases.length, 'case')} x ${plural(p.seeds, 'seed')} = ${plural(runs, 'run')} of its plan`);
  if (d.runs.length > p.runs) issue(['runs'], `${plural(d.runs.length, 'run')}, more than the ${plural(p.runs, 'run')} of the plan`);
  const policy = (path: PathSegment[], i: number) => {
    if (i >= p.policies.length) issue(path, `policy ${i}: the plan has ${p.policies.length}`);
  };
  p.policies.forEach((x, i) => {
    if (x.index !== i) issue(['plan', 'policies', i, 'index'], `${x.index}, not ${i}`);
  });
  for (const [i, r] of d.runs.entries()) {
    if (r.run >= p.runs) issue(['runs', i, 'run'], `run ${r.run} is beyond the plan's ${plural(p.runs, 'run')}`);
    policy(['runs', i, 'policy'], r.policy);
  }
  d.pareto.forEach((x, i) => policy(['pareto', i], x));
  if (d.recommendation) policy(['recommendation', 'policy'], d.recommendation.policy);
}

export const CiDocument = z.looseObject({
  schema: z.literal('rehearse/ci@1'),
  version: str,
  passed: z.boolean(),
  counts: z.looseObject({ cases: int, passed: int, failed: int, invalid: int, crashed: int }),
  cases: z.array(z.looseObject({
    scenario: str,
    file: str,
    case: str.nullable(),
    status: z.enum(['passed', 'failed', 'invalid', 'crashed', 'no-criteria']),
    messages: z.array(str),
    seconds: num,
    acceptance: Acceptance,
    flags: z.record(str, z.looseObject({
      outcome: str, final_percent: num, defective: z.boolean(), blast_radius_users: num, blast_radius_requests: num,
      time_to_detect_seconds: nullableNum, false_rollback: z.boolean(), missed_defect: z.boolean(), misattribution: z.boolean(),
      gates_failed_flag_off: z.literal(true).optional(), gates_unjudged_flag_off: z.array(str).optional(),
    })),
    errorBudgetBurned: nullableNum,
    regressions: z.array(str),
  })),
  timing: z.looseObject({ seconds: num }).optional(),
});

const CheckFigures = z.looseObject({ requests: num, meanMs: num, p50Ms: num, p95Ms: num, p99Ms: num, errorRate: num });
const Range = z.looseObject({ lo: num, hi: num }).nullable();
const RangeFigures = z.looseObject({ meanMs: Range, p50Ms: Range, p95Ms: Range, p99Ms: Range, errorRate: Range });
const Resampled = z.looseObject({ traces: num, block: num });
const Resampling = z.union([
  z.looseObject({ none: str }),
  z.looseObject({
    resamples: num, range: num, calibration: Resampled, check: Resampled.nullable(),
    rate: z.union([z.looseObject({ given: z.literal(true) }), z.looseObject({ given: z.literal(false), rootSpans: num })]),
    saturated: z.array(z.looseObject({ service: str, resamples: num })),
    saturatedPools: z.array(z.looseObject({ pool: str, at: str, resamples: num })).optional(),
  }),
]);
export const CheckDocument = z.looseObject({
  schema: z.literal('rehearse/calibration-check@1'),
  // Checks of older versions do not say which version's simulation predicted their figures.
  version: str.optional(),
  ratePerSec: num,
  journeys: z.array(z.looseObject({
    journey: str, measured: CheckFigures, predicted: CheckFigures,
    // Documents made before ranges existed have none.
    ranges: z.looseObject({ predicted: RangeFigures, error: RangeFigures.nullable() }).nullable().optional(),
    withinNoise: z.record(str, z.enum(['yes', 'no', 'too few']).nullable()).optional(),
  })),
  missing: z.array(str),
  endpoints: z.array(z.looseObject({
    service: str, endpoint: str,
    measured: z.looseObject({ spans: num, meanMs: num, p99Ms: num }),
    predicted: z.looseObject({ requests: num, meanMs: num, p99Ms: num }).nullable(),
  })),
  notes: z.looseObject({
    capacities: z.array(z.looseObject({ service: str, capacity: z.enum(['given', 'inferred', 'unknown']), replicas: nullableNum, concurrency: nullableNum, evidence: str })),
    warnings: z.array(str),
  }),
  resampling: Resampling.optional(),
  files: z.looseObject({ calibration: z.array(str), checked: z.array(str) }).optional(),
  pools: Pools.optional(),
});

const KINDS = {
  'rehearse/calibration-check@1': CheckDocument,
  'rehearse/run@1': RunDocument,
  'rehearse/sweep@1': SweepDocumentSchema,
  'rehearse/ci@1': CiDocument,
} as const;
type Kind = keyof typeof KINDS;
interface Documents { 'rehearse/calibration-check@1': CheckResult; 'rehearse/run@1': RunResult; 'rehearse/sweep@1': SweepDocument; 'rehearse/ci@1': CiReport }

const NAMES: Record<Kind, string> = { 'rehearse/calibration-check@1': 'rehearse calibration check', 'rehearse/run@1': 'rehearse run result', 'rehearse/sweep@1': 'rehearse sweep document', 'rehearse/ci@1': 'rehearse ci report' };

/**
 * Reads a JSON document that must be one of `kinds` (checked in full against its schema); `hint` says how
 * to make one. Every failure is an InputError naming the file and, for a wrong shape, the fields.
 */
export function readDocument<K extends Kind>(file: string, kinds: readonly K[], hint: string): Documents[K] {
  const what = `not a ${kinds.map((k) => `${NAMES[k]} (${k})`).join(' or ')}: ${hint}`;
  // Not a regular file, over the size limit or nested too deep: refused before it is parsed (files/).
  const doc = parseJsonDocument(readInput(file, 'document'), file, readLimits().depth, what);
  const schema = (doc as { schema?: unknown } | null)?.schema;
  const version = (doc as { version?: unknown } | null)?.version;
  // A document another version wrote that this one cannot read is said to be that, not guessed at.
  const other = typeof version === 'string' && version !== VERSION
    ? `${file}: written by rehearse ${version.slice(0, 40)}, this is ${VERSION}: this version cannot read it faithfully` : null;
  if (typeof schema !== 'string' || !(kinds as readonly string[]).includes(schema)) {
    throw new InputError([`${file}: schema: ${typeof schema === 'string' ? `${quoted(schema.slice(0, 60))} is ` : ''}${what}`, ...(other ? [other] : [])]);
  }
  const parsed = KINDS[schema as K].safeParse(doc, PLAIN);
  if (!parsed.success) {
    const issues = parsed.error.issues;
    const lines = issues.slice(0, SHOWN).map((i) => `${file}: ${formatPath(i.path as PathSegment[])}: ${i.message}`);
    if (issues.length > SHOWN) lines.push(`${file}: ... and more`);
    lines.push(other ?? `${file}: not a valid ${schema} document (edited, or written by another version of rehearse?)`);
    throw new InputError(lines);
  }
  return doc as Documents[K];
}

/**
 * The line a reader says of a document it can read that another version wrote (null for this version's): its
 * figures are that version's, as it computed them. A calibration check of a version before checks named theirs
 * says so.
 */
export function versionLine(file: string, doc: { version?: string }): string | null {
  if (doc.version === undefined) return `${file} does not say which version of rehearse wrote it (an older one), this is ${VERSION}: its figures are that version's`;
  if (doc.version === VERSION) return null;
  return `${file} was written by rehearse ${doc.version}, this is ${VERSION}: its figures are that version's, as it computed them`;
}
