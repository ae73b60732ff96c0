/**
 * Running a sweep: the plan's runs on a worker pool, in any order, gathered back in run order, so that the
 * document is the same whatever the number of workers or shards. Interrupted sweeps keep what finished and
 * can be resumed; shards merge into exactly the document of a single run.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { readInput, readLimits } from '../files/read.js';
import { basename, dirname } from 'node:path';
import { didYouMean, InputError } from '../errors.js';
import { plural } from '../units/format.js';
import { estimateRun, estimateSweep, overLimits, refusal, sweepMemory, sweepOverLimits } from '../scenario/budget.js';
import { normalizeAcceptance } from '../scenario/faults.js';
import { loadScenarioFile, parseScenarioObject } from '../load/scenario.js';
import { parseText } from '../scenario/parse.js';
import { formatPath, formatProblem, type Problem } from '../scenario/problems.js';
import { unknownFlag, type Helpers } from '../scenario/helpers.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { Criterion } from '../scenario/types.js';
import { VERSION } from '../version.js';
import { paretoFront, policyStats, recommend, type PolicyStats, type Recommendation } from './aggregate.js';
import { dotted } from '../interop/patch.js';
import { applyPolicy, placesOf, planSweep, runKey, type SweepPlan, type TuneValue } from './plan.js';
import { createPool } from './pool.js';
import type { RunRecord, RunTask } from './run.js';
import { quoted } from '../units/escape.js';

export interface SweepDocument {
  schema: 'rehearse/sweep@1';
  version: string;
  scenario: { name: string; file: string; digest: string };
  flag: string;
  objective: string;
  constraints: string[];
  plan: { policies: SweepPlan['policies']; cases: (string | null)[]; seeds: number; runs: number };
  complete: boolean;
  /** Present on a shard's document: "i/n". */
  shard?: string;
  passed: boolean;
  runs: (RunRecord & { policy: number; case: string | null; seed: number })[];
  failures: { run: number; policy: string; case: string | null; seed: number; error: string }[];
  policies: PolicyStats[];
  pareto: number[];
  recommendation: Recommendation | null;
  warnings: string[];
  /** Wall-clock figures: the only part that differs between identical sweeps. */
}

export interface SweepSetup {
  file: string;
  name: string;
  digest: string;
  plan: SweepPlan;
  flag: string;
  constraints: Criterion[];
  objective: Criterion;
}

/** Reads the scenario and its tune block; every problem is an InputError naming the file and path. */
export function prepareSweep(file: string, seeds?: number, force = false): SweepSetup {
  const loaded = loadScenarioFile(file);
  if (!loaded.ok) throw new InputError(loaded.problems.map((p) => formatProblem(file, p)));
  const input = loaded.input;
  const tune = input.tune;
  if (!tune) throw new InputError([`${file}: tune: the scenario has no tune block (seeds, vary, subject-to, minimize)`]);
  const text = readInput(file, 'scenario');
  // Each problem of the tune block at its line and column, as the scenario's own are (a mistake inside a constraint
  // at its character, with its caret display).
  const parsed = parseText(text, /\.json$/i.test(file) ? 'JSON' : 'YAML');
  const placed = (list: readonly Problem[]) => list.map((p) => formatProblem(file, parsed.ok ? parsed.at(p.path, p) : p));
  const problems: Problem[] = [];
  const criteria = (list: string[], key: string) => {
    const found: Problem[] = [];
    const out = normalizeAcceptance({ ...input, acceptance: list } as ScenarioInput, { problems: found, unknownFlag: unknownFlag(input) } as unknown as Helpers);
    problems.push(...found.map((p) => ({ ...p, path: ['tune', key, ...p.path.slice(1)] })));
    return out;
  };
  const constraints = criteria(tune['subject-to'] ?? [], 'subject-to');
  // The objective is a metric and an aggregate: parsed as a threshold with a placeholder comparison, which
  // its messages then leave out.
  const minimize = tune.minimize.trim();
  const before = problems.length;
  const [objective] = criteria([`${minimize} != 0`], 'minimize');
  for (let i = before; i < problems.length; i++) {
    const p = problems[i];
    const within = p.within && { ...p.within, source: minimize, placed: p.within.placed.replace(`${minimize} != 0`, minimize) };
    problems[i] = { path: ['tune', 'minimize'], message: p.message.replace(`${minimize} != 0`, minimize), ...(within ? { within } : {}) };
  }
  (tune.cases ?? []).forEach((c, i) => {
    if (!loaded.scenario.cases.includes(c)) problems.push({ path: ['tune', 'cases', i], message: `unknown case ${quoted(c)}${didYouMean(c, loaded.scenario.cases)}` });
  });
  // samples draws the policies of a random search: beside a grid search, or beyond the grid's size, it would
  // change nothing, and a sweep that silently ran other policies than asked is worse than a refusal.
  const grid = Object.values(tune.vary).reduce((n, list) => n * list.length, 1);
  if (tune.samples !== undefined && tune.search !== 'random') {
    problems.push({ path: ['tune', 'samples'], message: `samples draws policies for search: random, and this block searches the whole grid (all ${grid} policies): add search: random, or leave samples out` });
  } else if (tune.samples !== undefined && tune.samples > grid) {
    problems.push({ path: ['tune', 'samples'], message: `${tune.samples} samples are more than the grid's ${grid} policies (a random search draws each policy at most once): use search: grid to try every one, or ask for at most ${grid}` });
  }
  problems.push(...sameRuns(tune));
  const flag = objective?.flag ?? loaded.scenario.flags[0]?.key;
  if (!flag) problems.push({ path: ['tune', 'minimize'], message: 'a sweep needs a flag to score: the scenario has none' });
  if (problems.length) throw new InputError(placed(problems));
  const planned = estimateSweep(tune.vary, tune.search, tune.samples, (tune.cases ?? loaded.scenario.cases).length, seeds ?? tune.seeds);
  const held = sweepMemory(planned, Object.keys(tune.vary).length);
  if (held.length) throw new InputError(held.map((r) => `${file}: too much to hold: ${r}`));
  if (!force) {
    // Counted before the grid is spelled out: a grid of 1e8 policies must not fill memory first.
    const run = estimateRun(loaded.scenario);
    const reasons = [
      ...sweepOverLimits(planned, run),
      ...overLimits(run).map((r) => `each run: ${r}`),
    ];
    if (reasons.length) throw new InputError(refusal(file, reasons));
  }
  const values = invalidValues(file, text, tune.vary);
  if (values.length) throw new InputError(placed(values));
  const overlaps = overlappingPaths(text, file, Object.keys(tune.vary));
  if (overlaps.length) throw new InputError(placed(overlaps));
  const plan = planSweep(tune, loaded.scenario.cases, seeds);
  return {
    file,
    name: loaded.scenario.name,
    digest: createHash('sha256').update(text).update(JSON.stringify({ seeds: plan.seeds.length })).digest('hex').slice(0, 16),
    plan,
    flag: flag!,
    constraints,
    objective: { ...objective, source: tune.minimize.trim() },
  };
}

/**
 * What made runs alike in silence: a value or a case listed twice (the same policy twice, its runs counted twice), no
 * case (`cases: []` ran none of the scenario's cases), and a path into what each run replaces (each run's seed is the
 * sweep's; the tune block is taken out): policies that differ only there ran alike.
 */
function sameRuns(tune: NonNullable<ScenarioInput['tune']>): Problem[] {
  const problems: Problem[] = [];
  const twice = (list: readonly unknown[], path: (string | number)[], what: string) => list.forEach((v, i) => {
    const first = list.indexOf(v);
    if (first < i) problems.push({ path: [...path, i], message: `${JSON.stringify(v)} is listed twice (also at [${first}]): ${what}; leave one out` });
  });
  for (const [path, list] of Object.entries(tune.vary)) {
    const top = dotted(path).split('.')[0];
    if (top === 'seed' || top === 'tune') {
      problems.push({ path: ['tune', 'vary', path], message: top === 'seed' ? 'each run of a sweep has its seed from the sweep (1 to tune.seeds), whatever the scenario\'s: its policies would run alike (for more seeds, raise tune.seeds or give --seeds)' : 'the tune block is not part of the runs: its policies would run alike' });
    }
    twice(list, ['tune', 'vary', path], 'each value makes a policy');
  }
  if (tune.cases?.length === 0) problems.push({ path: ['tune', 'cases'], message: 'no case: the runs rehearse none of the scenario\'s cases; leave cases out to rehearse all of them' });
  twice(tune.cases ?? [], ['tune', 'cases'], 'each case is rehearsed once per policy and seed');
  return problems;
}

/**
 * The values of the tune block that the scenario refuses, each written alone into it (a gate that is no threshold, a
 * hold that is no duration): every run of their policies was "invalid for this policy", and the sweep recommended
 * among the others, exit 0. Each value is checked once, not each policy.
 */
function invalidValues(file: string, text: string, vary: Record<string, readonly TuneValue[]>): Problem[] {
  const parsed = parseText(text, /\.json$/i.test(file) ? 'JSON' : 'YAML');
  if (!parsed.ok) return parsed.problems;
  const problems: Problem[] = [];
  for (const [path, list] of Object.entries(vary)) {
    list.forEach((value, i) => {
      let why: string[];
      try {
        const loaded = parseScenarioObject(applyPolicy(parsed.raw as Record<string, unknown>, { [path]: value }), dirname(file));
        why = loaded.ok ? [] : loaded.problems.map((p) => `${formatPath(p.path)}: ${p.message.split('\n')[0]}`);
      } catch (e) {
        why = [(e as Error).message];
      }
      if (why.length) problems.push({ path: ['tune', 'vary', path, i], message: `${JSON.stringify(value)} makes the scenario invalid: ${why.slice(0, 3).join('; ')}${why.length > 3 ? ` (and ${why.length - 3} more)` : ''}` });
    });
  }
  return problems;
}

/** Vary paths that write the same place of the scenario (or one inside another's): a run took the later one's value. */
function overlappingPaths(text: string, file: string, paths: readonly string[]): Problem[] {
  const parsed = parseText(text, /\.json$/i.test(file) ? 'JSON' : 'YAML');
  if (!parsed.ok) return parsed.problems;
  const owner = new Map<string, string>();
  const problems: Problem[] = [];
  const shown = (keys: string[]) => keys.map((k, i) => (/^\d+$/.test(k) ? `[${k}]` : `${i ? '.' : ''}${k}`)).join('');
  const key = (keys: string[]) => keys.join('\u0000');
  for (const path of paths) {
    const places = placesOf(parsed.raw as Record<string, unknown>, path);
    let hit: { mine: string[]; theirs: string[] } | undefined;
    for (const mine of places) {
      const above = mine.map((_, n) => mine.slice(0, n + 1)).find((k) => owner.has(key(k)));
      const below = [...owner.keys()].find((k) => k.startsWith(`${key(mine)}\u0000`));
      hit ??= above ? { mine, theirs: above } : below ? { mine, theirs: below.split('\u0000') } : undefined;
    }
    if (hit) {
      const { mine, theirs } = hit;
      const other = `tune.vary[${quoted(String(owner.get(key(theirs))))}]`;
      const where = theirs.length === mine.length ? `${shown(mine)}, as ${other} does`
        : theirs.length < mine.length ? `${shown(mine)}, inside ${shown(theirs)}, which ${other} writes whole` : `${shown(mine)} whole, and ${other} writes ${shown(theirs)} inside it`;
      problems.push({ path: ['tune', 'vary', path], message: `writes ${where}: a run would take one path's value where its policy names both; leave one out` });
      continue;
    }
    for (const mine of places) owner.set(key(mine), path);
  }
  return problems;
}

export interface SweepOptions {
  workers: number;
  shard?: { index: number; count: number };
  resume?: SweepDocument;
  signal?: AbortSignal;
  onRun?: (done: number, total: number) => void;
  /** Given, once the runs start, a function that makes the document of the runs finished so far. */
  snapshot?: (current: () => SweepDocument) => void;
}

/** The runs this invocation owns: its shard's, less those a resumed document already has. */
export function pendingRuns(setup: SweepSetup, opts: Pick<SweepOptions, 'shard' | 'resume'>): number[] {
  const done = new Set(opts.resume?.runs.filter((r) => !r.error).map((r) => r.run) ?? []);
  const mine: number[] = [];
  for (let run = 0; run < setup.plan.runs; run++) {
    if (opts.shard && run % opts.shard.count !== opts.shard.index - 1) continue;
    if (!done.has(run)) mine.push(run);
  }
  return mine;
}

export async function runSweep(setup: SweepSetup, opts: SweepOptions): Promise<SweepDocument> {
  if (opts.resume) {
    const foreign = foreignRuns(setup, opts.resume);
    if (foreign.length) throw new InputError([...foreign.map((m) => `--resume: ${m}`), '--resume: that document is not an earlier run of this sweep']);
  }
  const pending = pendingRuns(setup, opts);
  const owned = pending.length + (opts.resume?.runs.filter((r) => !r.error && (!opts.shard || r.run % opts.shard.count === opts.shard.index - 1)).length ?? 0);
  const records: RunRecord[] = opts.resume ? opts.resume.runs.filter((r) => !r.error).map(({ run, error, flags, error_budget_burned }) => ({ run, error, flags, error_budget_burned })) : [];
  let done = records.length;
  const shard = opts.shard ? `${opts.shard.index}/${opts.shard.count}` : undefined;
  opts.snapshot?.(() => sweepDocument(setup, records, { complete: false, shard }));
  opts.onRun?.(done, owned);
  // Every queued task listens on the signal.
  if (opts.signal) setMaxListeners(pending.length + 16, opts.signal);
  const work = batches(setup, pending, opts.workers);
  // A thread with nothing to run still costs its heap (about 70 MB): never more threads than batches.
  const pool = createPool(Math.max(1, Math.min(opts.workers, work.length)));
  const limits = readLimits();
  try {
    await Promise.all(work.map(async (tasks) => {
      try {
        records.push(...(await pool.run({ tasks, limits }, { signal: opts.signal })));
      } catch (err) {
        if (opts.signal?.aborted) return;
        // A worker that died takes its batch with it: each run is reported with its seed and policy.
        records.push(...tasks.map((t) => ({ run: t.run, error: `the worker failed: ${(err as Error).message}` })));
      }
      done += tasks.length;
      opts.onRun?.(done, owned);
    }));
  } finally {
    await pool.destroy();
  }
  return sweepDocument(setup, records, {
    complete: !opts.signal?.aborted && records.length === owned,
    shard,
  });
}


/**
 * Runs in batches of consecutive seeds of one policy and case: a worker then loads each scenario variant once
 * per batch. Batches are small enough (about eight per worker) to keep every worker busy to the end.
 */
function batches(setup: SweepSetup, runs: readonly number[], workers: number): RunTask[][] {
  const size = Math.max(1, Math.min(setup.plan.seeds.length, Math.ceil(runs.length / (workers * 8))));
  const out: RunTask[][] = [];
  let current: RunTask[] = [];
  let group = -1;
  for (const run of runs) {
    const k = runKey(setup.plan, run);
    const g = k.policy * setup.plan.cases.length + k.caseIndex;
    if (g !== group || current.length === size) {
      if (current.length) out.push(current);
      current = [];
      group = g;
    }
    current.push({ file: setup.file, run, policy: k.policy, values: setup.plan.policies[k.policy].values, caseName: setup.plan.cases[k.caseIndex], seed: k.seed });
  }
  if (current.length) out.push(current);
  return out;
}

/** The document for a set of runs: the same runs give the same document, however they were produced. */
export function sweepDocument(
  setup: SweepSetup, records: readonly RunRecord[], extra: { complete: boolean; shard?: string },
): SweepDocument {
  const byRun = new Map<number, RunRecord>();
  for (const r of records) byRun.set(r.run, r);
  const sorted = [...byRun.values()].sort((a, b) => a.run - b.run);
  const stats = policyStats(setup.plan, sorted, setup.flag, setup.constraints, setup.objective);
  const complete = extra.complete && sorted.length === setup.plan.runs;
  const { recommendation, warnings } = extra.shard === undefined && complete ? recommend(stats, setup.plan.seeds.length, setup.objective.source)
    : { recommendation: null, warnings: [extra.shard ? `shard ${extra.shard}: merge the shards for a recommendation` : 'incomplete: resume the sweep for a recommendation'] };
  const runs = sorted.map((r) => {
    const k = runKey(setup.plan, r.run);
    return { ...r, policy: k.policy, case: setup.plan.cases[k.caseIndex], seed: k.seed };
  });
  return {
    schema: 'rehearse/sweep@1',
    version: VERSION,
    scenario: { name: setup.name, file: basename(setup.file), digest: setup.digest },
    flag: setup.flag,
    objective: setup.objective.source,
    constraints: setup.constraints.map((c) => c.source),
    plan: { policies: setup.plan.policies, cases: setup.plan.cases, seeds: setup.plan.seeds.length, runs: setup.plan.runs },
    complete,
    ...(extra.shard ? { shard: extra.shard } : {}),
    passed: recommendation !== null,
    runs,
    failures: runs.filter((r) => r.error).map((r) => ({
      run: r.run, policy: setup.plan.policies[r.policy].label, case: r.case, seed: r.seed, error: r.error!,
    })),
    policies: stats,
    pareto: paretoFront(stats),
    recommendation,
    warnings,
  };
}

/**
 * Why a document's runs do not belong to this sweep (nothing when they do): another version wrote it, its plan differs, or a run's
 * index, policy, case or seed is not the one the plan gives that index, or an index appears twice.
 */
export function foreignRuns(setup: SweepSetup, doc: SweepDocument): string[] {
  const out: string[] = [];
  const plan = setup.plan;
  // Results change between versions: runs of another version's rehearse are not this sweep's, whatever they say.
  if (doc.version !== VERSION) out.push(`it was written by rehearse ${doc.version}, not ${VERSION}: runs of another version are not comparable with this one's`);
  if (doc.scenario.digest !== setup.digest) out.push(`it is from another scenario, tune block or seed count (${doc.scenario.name})`);
  if (doc.plan.runs !== plan.runs || doc.plan.seeds !== plan.seeds.length || doc.plan.policies.length !== plan.policies.length
    || JSON.stringify(doc.plan.cases) !== JSON.stringify(plan.cases)
    || doc.plan.policies.some((p, i) => p.label !== plan.policies[i].label)) {
    out.push(`plan: ${plural(doc.plan.runs, 'run')} of ${plural(doc.plan.policies.length, 'policy', 'policies')}, not the ${plural(plan.runs, 'run')} of ${plural(plan.policies.length, 'policy', 'policies')} this scenario plans`);
  }
  if (out.length) return out;
  const seen = new Set<number>();
  for (const [i, r] of doc.runs.entries()) {
    if (r.run >= plan.runs) {
      out.push(`runs[${i}]: run ${r.run} is beyond the plan's ${plural(plan.runs, 'run')}`);
    } else {
      const k = runKey(plan, r.run);
      if (r.policy !== k.policy || r.case !== plan.cases[k.caseIndex] || r.seed !== k.seed) {
        out.push(`runs[${i}]: run ${r.run} is policy ${k.policy}, case ${plan.cases[k.caseIndex] ?? '(none)'}, seed ${k.seed} in this plan, not policy ${r.policy}, case ${r.case ?? '(none)'}, seed ${r.seed}`);
      }
      if (seen.has(r.run)) out.push(`runs[${i}]: run ${r.run} appears twice`);
      seen.add(r.run);
    }
    if (!r.error && !r.flags) out.push(`runs[${i}]: run ${r.run} has neither flags nor an error`);
    if (out.length >= 10) break;
  }
  return out;
}

/** Shards of one sweep into the document a single run gives. */
export function mergeSweeps(setup: SweepSetup, docs: readonly SweepDocument[], names: readonly string[] = docs.map((_, i) => `document ${i + 1}`)): SweepDocument {
  const owner = new Map<number, number>();
  for (const [i, d] of docs.entries()) {
    if (d.schema !== 'rehearse/sweep@1') throw new InputError([`${names[i]}: not a sweep document (rehearse/sweep@1)`]);
    const foreign = foreignRuns(setup, d);
    if (foreign.length) throw new InputError([...foreign.map((m) => `${names[i]}: ${m}`), `${names[i]}: not a shard of this sweep`]);
    const twin = docs.findIndex((x, j) => j < i && x.shard !== undefined && x.shard === d.shard);
    if (twin >= 0) throw new InputError([`${names[i]}: shard ${d.shard} is given twice (also ${names[twin]})`]);
    for (const r of d.runs) {
      const other = owner.get(r.run);
      if (other !== undefined && other !== i) throw new InputError([`${names[i]}: run ${r.run} is also in ${names[other]}: shards overlap (the same shard twice, or shards of different splits)`]);
      owner.set(r.run, i);
    }
  }
  const records = docs.flatMap((d) => d.runs.filter((r) => !r.error).map(({ run, error, flags, error_budget_burned }) => ({ run, error, flags, error_budget_burned })));
  const failures = docs.flatMap((d) => d.runs.filter((r) => r.error).map(({ run, error }) => ({ run, error })));
  const all = [...records, ...failures.filter((f) => !records.some((r) => r.run === f.run))];
  return sweepDocument(setup, all, {
    complete: new Set(all.map((r) => r.run)).size === setup.plan.runs,
  });
}
