/**
 * Loading a scenario: its file, then what it references (flag files, Argo and Flagger resources, cohort files),
 * read relative to it and turned into rehearse's own types through the adapters, then validated and normalized
 * by the scenario layer. Every expected failure comes back as problems that name the path inside the file and,
 * where the file has one, its line and column.
 */
import { tryReadInput } from '../files/read.js';
import { dirname, resolve } from 'node:path';
import type { AttributeSpec } from '../cohorts/attributes.js';
import { AttributeError, attributeNames, deferredCohort, segmentNames, type Cohort } from '../cohorts/cohort.js';
import { cohortPlace, readCohortFile } from '../cohorts/file.js';
import { didYouMean, InputError } from '../errors.js';
import { typedCallWarning } from '../interop/launchdarkly/typed.js';
import { servedTo } from '../interop/serve.js';
import { ExpressionError, parseExpression } from '../lang/expression.js';
import { failsEveryEvaluationWarning, readsAheadWarning } from '../lang/promql-tree.js';
import { countValues, readingOverLimit } from '../scenario/budget.js';
import { LIMITS } from '../scenario/defaults.js';
import { duration } from '../units/format.js';
import { duplicateFaultNames } from './fault-names.js';
import { idleEffectWarnings } from './idle-effects.js';
import { parseDuration } from '../units/parse.js';
import { normalize } from '../scenario/normalize.js';
import { capped, parseText, type Locate } from '../scenario/parse.js';
import { formatProblem, inText, type PathSegment, type Problem } from '../scenario/problems.js';
import type { ScenarioInput } from '../scenario/schema.js';
import type { Scenario } from '../scenario/types.js';
import { validateScenario } from '../scenario/validate.js';
import { readFlagSources } from './flag-sources.js';
import type { FlagSources } from './flag-sources.js';
import { readPlanResources } from './resources.js';
import { resolveRules } from './rule-files.js';
import { quoted, quotedList } from '../units/escape.js';

/** `warnings`: what flag files use that rehearse does not model, as file:line:column: path: message lines. */
export type Loaded = { ok: true; scenario: Scenario; input: ScenarioInput; warnings: string[] } | { ok: false; problems: Problem[] };

/**
 * Loads a scenario, with one of its cases applied when `caseName` is given. Without one, every case of the
 * scenario is loaded too, and a problem of any is a problem of the file (a run of the scenario as it is
 * refuses a file that `validate` refuses).
 */
export function loadScenarioFile(file: string, caseName?: string): Loaded {
  // A device, a FIFO, a directory or a file over the limit is refused before anything is read (files/read.ts).
  const read = tryReadInput(file, 'scenario');
  if (!read.ok) return { ok: false, problems: [{ path: [], message: `cannot read the scenario: ${read.why}` }] };
  return parseScenarioText(read.text, dirname(file), caseName, /\.json$/i.test(file) ? 'JSON' : 'YAML', file);
}

/** Parses scenario text; a cohort file it names is read relative to `baseDir`; `file` names it in warnings. */
export function parseScenarioText(text: string, baseDir = '.', caseName?: string, syntax: 'YAML' | 'JSON' = 'YAML', file = '<text>'): Loaded {
  // Memory grows with the values of the text, then with them times the cases: refused before it is spent, as the
  // heap running out aborts the process with V8's stack (a 60 MB file of faults, after four minutes).
  const values = countValues(text);
  const before = readingOverLimit(values, 0);
  if (before) return { ok: false, problems: [{ path: [], message: before }] };
  const parsed = parseText(text, syntax);
  if (!parsed.ok) return parsed;
  const cases = (parsed.raw as { cases?: unknown } | null)?.cases;
  const after = cases !== null && typeof cases === 'object' && !Array.isArray(cases) ? readingOverLimit(values, Object.keys(cases).length) : null;
  if (after) return { ok: false, problems: [{ path: ['cases'], message: after }] };
  return fromObject(parsed.raw, parsed.at, baseDir, caseName, file);
}

/** A scenario from an object already parsed (a sweep's patched copy): problems carry paths, not lines. */
export function parseScenarioObject(raw: unknown, baseDir = '.', caseName?: string): Loaded {
  return fromObject(raw, (_path, p) => p, baseDir, caseName, '<scenario>');
}

function fromObject(raw: unknown, at: Locate, baseDir: string, caseName: string | undefined, file: string): Loaded {
  const loaded = fromOneObject(raw, at, baseDir, caseName, file);
  if (!loaded.ok) return loaded;
  if (caseName !== undefined) {
    const others = loaded.scenario.cases.filter((c) => c !== caseName);
    return inAnyCase(loaded, [undefined, ...others].map((c) => caseSystem(raw, at, baseDir, c)));
  }
  const others = loaded.scenario.cases.map((c) => fromOneObject(raw, at, baseDir, c, file));
  const problems = others.flatMap((l) => (l.ok ? [] : l.problems));
  return problems.length ? { ok: false, problems: capped(problems) } : inAnyCase(loaded, others.map((l) => (l.ok ? l.scenario : null)));
}

/**
 * The loaded scenario with each flag's journeys widened to those that meet it in the others of the scenario and
 * its cases (their scenarios, null for one refused): a comparison of flag on against off then looks at the same journeys in every
 * case, whichever calls and evaluators a case gives (scenario/reach.ts).
 */
function inAnyCase(loaded: Loaded & { ok: true }, cases: readonly (Scenario | null)[]): Loaded {
  const s = loaded.scenario;
  if (s.cases.length === 0) return loaded;
  const flags = s.flags.map((f) => {
    const met = new Set(f.journeysInAnyCase);
    for (const c of cases) for (const j of c?.flags.find((g) => g.key === f.key)?.journeysInAnyCase ?? []) met.add(j);
    // In the journeys' own order.
    return { ...f, journeysInAnyCase: s.journeys.map((j) => j.name).filter((j) => met.has(j)) };
  });
  return { ...loaded, scenario: { ...s, flags } };
}

/**
 * A case's system as far as normalizing it (its calls, flags and journeys), without its users: what another case
 * needs of it. Null when the case is refused (a load of the whole file says why).
 */
function caseSystem(raw: unknown, at: Locate, baseDir: string, caseName: string | undefined): Scenario | null {
  const valid = validateScenario(raw, at, caseName);
  if (!valid.ok) return null;
  const imports = flagSources(valid.input.flags?.from, baseDir);
  if (imports.problems.length) return null;
  const normalized = normalize(valid.input, imports.sources, readPlanResources(valid.input, baseDir));
  return normalized.ok ? normalized.scenario : null;
}

/**
 * A file refused for what its cases name: when the scenario itself, its cases left out, is refused too, its
 * problems are the cause. A flag beside flags.from misspelt (a name the flag file does not hold) makes the cases
 * that spell it right name an unknown flag, and suggesting the misspelling to them would lead the wrong way.
 */
function causeFirst(raw: unknown, at: Locate, baseDir: string, file: string, refused: Loaded & { ok: false }): Loaded {
  if (raw === null || typeof raw !== 'object' || !Object.hasOwn(raw, 'cases')) return refused;
  const { cases: _cases, ...base } = raw as Record<string, unknown>;
  const loaded = fromOneObject(base, at, baseDir, undefined, file);
  return loaded.ok ? refused : loaded;
}

function hasCase(raw: unknown, caseName: string): boolean {
  const cases = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>).cases : undefined;
  return cases !== null && typeof cases === 'object' && !Array.isArray(cases) && Object.hasOwn(cases, caseName);
}

/**
 * The flag files a scenario names, read through their adapters; none read when it names none, so that a scenario
 * without flag files never loads the adapters (the bundle loads them on first use: scripts/bundle.mjs).
 */
function flagSources(from: NonNullable<ScenarioInput['flags']>['from'], baseDir: string): FlagSources {
  return from === undefined ? { sources: new Map(), warnings: [], problems: [] } : readFlagSources(from, baseDir);
}

function fromOneObject(raw: unknown, at: Locate, baseDir: string, caseName: string | undefined, file: string): Loaded {
  const valid = validateScenario(raw, at, caseName);
  // A case the file does not have is the cause itself: the scenario without its cases may name them (acceptance).
  if (!valid.ok) return caseName !== undefined && !hasCase(raw, caseName) ? valid : causeFirst(raw, at, baseDir, file, valid);
  const { input, where } = valid;
  const named = duplicateFaultNames(input, where, file);
  if (named.length) return { ok: false, problems: capped(named) };
  const imports = flagSources(input.flags?.from, baseDir);
  if (imports.problems.length) return { ok: false, problems: capped(imports.problems, (p) => where(p.path, p)) };
  const warnings = imports.warnings;
  const normalized = normalize(input, imports.sources, readPlanResources(input, baseDir));
  if (!normalized.ok) return { ok: false, problems: capped(normalized.problems, (p) => where(p.path, p)) };
  const ruled = resolveRules(normalized.scenario, baseDir);
  if (ruled.problems.length) return { ok: false, problems: capped(ruled.problems, (p) => where(p.path, p)) };
  warnings.push(...ruled.warnings);
  const s = { ...ruled.scenario, caseName: caseName ?? null };
  // A LaunchDarkly flag's default of another type than its variations: the SDK's typed calls and variation() differ.
  for (const f of s.flags) {
    const warning = f.source?.system === 'launchdarkly' && f.codeDefault ? typedCallWarning(f.source.valueType, f.codeDefault.value) : null;
    const path = ['flags', f.key, 'default'];
    if (warning) warnings.push(formatProblem(file, where(path, { path, message: warning })));
  }
  // A gate's query that reads ahead of the instant it is evaluated at finds nothing there: every reading of it is a
  // measurement error (as an Argo analysis or Flagger check of it would find no data), so the plan stalls or rolls back.
  s.rollouts.forEach((r, i) => r.gates.forEach((g, j) => {
    const given = (input.rollout?.[i]?.gates?.[j] as { promql?: unknown } | string | undefined);
    if (g.kind !== 'promql' || typeof given !== 'object' || given.promql !== g.query) return;
    const path = ['rollout', i, 'gates', j, 'promql'];
    for (const message of [readsAheadWarning(g.expr, 'the gate is evaluated at', 'every reading finds no data (a measurement error)'), failsEveryEvaluationWarning(g.expr, 'every reading is a measurement error')]) {
      if (message !== null) warnings.push(formatProblem(file, where(path, { path, message })));
    }
  }));
  for (const [path, f] of faultEntries(input)) {
    // Not nothing (scenario/faults.ts doingNothing): the replicas fail what they hold as they go.
    const lasts = f.kind === 'instance-kill' && f.for !== undefined ? parseDuration(f.for) : null;
    if (lasts?.ok && lasts.value === 0) {
      const message = 'an instance-kill for 0s fails the requests its replicas hold and has them back at once (a restart that takes no time): give for the time they are down';
      warnings.push(formatProblem(file, where([...path, 'for'], { path: [...path, 'for'], message })));
    }
  }
  // A fault timed at or after the run's end never acts (a baseline may keep one there on purpose: said, not refused).
  (input.faults ?? []).forEach((f, i) => {
    const starts = typeof f.at === 'string' ? parseDuration(f.at) : null;
    if (!starts?.ok || !Number.isFinite(s.durationUs) || starts.value < s.durationUs) return;
    const path = ['faults', i, 'at'];
    const message = `the fault starts at ${f.at}, ${starts.value === s.durationUs ? 'as' : 'after'} the run ends (duration ${duration(s.durationUs / 1e6)}): it never acts`;
    warnings.push(formatProblem(file, where(path, { path, message })));
  });
  warnings.push(...idleEffectWarnings(raw, input, caseName, where, file, s));
  const spec = s.cohort;
  if (spec === null) {
    const unnamed = unknownSegments(s, input, new Set(), at);
    return unnamed.length ? { ok: false, problems: capped(unnamed) } : { ok: true, scenario: s, input: input, warnings };
  }
  let population: Cohort;
  if (spec.kind === 'inline') {
    if (spec.size > LIMITS.scenarioCohortUsers) {
      const path = ['traffic', 'cohort', 'size'];
      return { ok: false, problems: [at(path, { path, message: `${spec.size.toLocaleString('en-US')} users: at most ${LIMITS.scenarioCohortUsers.toLocaleString('en-US')} in a scenario's cohort (memory)` })] };
    }
    try {
      population = inlineCohort(`${s.name}-users`, spec.size, spec.seed, spec.segments, spec.attributes);
    } catch (err) {
      // An attribute the users cannot take (a number column given text, an account age below 0): refused at it.
      if (!(err instanceof AttributeError)) throw err;
      const path = ['traffic', 'cohort', 'attributes', err.attribute];
      return { ok: false, problems: [at(path, { path, message: err.message })] };
    }
  } else {
    const read = readCohortFile(resolve(baseDir, spec.path));
    if (!read.ok) {
      return { ok: false, problems: [at(['traffic', 'cohort'], { path: ['traffic', 'cohort'], message: `cohort file ${cohortPlace(spec.path, read)}: ${read.message}` })] };
    }
    population = read.cohort;
    for (const w of read.warnings) warnings.push(formatProblem(file, where(['traffic', 'cohort'], { path: ['traffic', 'cohort'], message: `cohort file ${spec.path} at ${w.path}: ${w.message}` })));
  }
  const unknown = unknownSegments(s, input, new Set(segmentNames(population)), at);
  // Expressions name attributes the users carry (a cohort file's own attributes are known only now).
  const names = attributeNames(population);
  const check = (src: string, path: PathSegment[]) => {
    try {
      parseExpression(src, names);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      unknown.push(where(path, inText(path, e)));
    }
  };
  if (spec.kind === 'file') {
    s.flags.forEach((f) => f.targeting.forEach((t) => check(t.when, [...t.path, 'when'])));
    s.rollouts.forEach((plan, i) => plan.stages.forEach((st, j) => { if (st.audience !== null) check(st.audience, ['rollout', i, 'stages', j, 'audience']); }));
  }
  if (unknown.length) return { ok: false, problems: capped(unknown) };
  // Rules of flag files that read an attribute no user has.
  const known = new Set(names);
  for (const f of s.flags) {
    for (const r of f.source?.reads ?? []) {
      if (!known.has(r.attribute)) {
        warnings.push(`${r.where}: flag ${quoted(f.key)} reads attribute ${quoted(r.attribute)}, which no user of the cohort has (attributes: ${quotedList(names)}); add it with cohorts generate --attribute or traffic.cohort.attributes`);
      }
    }
  }
  // Flags from flag files: each user's variant, as the flag's own system serves it, once per load.
  let flags;
  try {
    flags = s.flags.map((f) => (f.source ? { ...f, served: servedTo(f.key, f.source, population, f.codeDefault, warnings) } : f));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, problems: e.lines.map((message) => at(['flags', 'from'], { path: ['flags', 'from'], message })) };
  }
  // A plan ramps over the users the file serves its flag to: where the file serves it to none, no stage exposes anyone.
  s.rollouts.forEach((plan, i) => {
    const f = flags.find((x) => x.key === plan.flag);
    if (!f?.source || !f.served || f.served.on.includes(1)) return;
    const path = ['rollout', i, 'flag'];
    const message = `${f.source.file} serves flag ${quoted(f.key)} to none of the ${population.size.toLocaleString('en-US')} users, and a plan ramps its stages over the users the file serves it to: no stage exposes anyone, and its gates read no traffic of the flag on; serve it in the file (the users the plan may reach) and the plan ramps it`;
    warnings.push(formatProblem(file, where(path, { path, message })));
  });
  return { ok: true, scenario: { ...s, flags, population }, input: input, warnings };
}

/** A scenario's faults and catalogue faults as written, with their paths. */
function faultEntries(input: ScenarioInput): [PathSegment[], { kind: string; for?: string; segment?: string }][] {
  return [
    ...(input.faults ?? []).map((f, i): [PathSegment[], typeof f] => [['faults', i], f]),
    ...Object.entries(input['faults-catalogue'] ?? {}).map(([name, f]): [PathSegment[], typeof f] => [['faults-catalogue', name], f]),
  ];
}

/**
 * Flag effects, gates and faults that select a segment must name one the users have: the simulator reads a name it
 * does not know as every user (a fault of segment "betta" would hit them all).
 */
function unknownSegments(s: Scenario, input: ScenarioInput, segments: ReadonlySet<string>, at: Locate): Problem[] {
  const unknown: Problem[] = [];
  const message = (name: string) => `unknown segment ${quoted(name)}${segments.size ? `${didYouMean(name, segments)} (segments: ${quotedList(segments)})` : ': the users have no segments (give traffic.cohort: its segments, or a cohort file\'s segment column)'}`;
  s.flags.forEach((flag) => flag.effects.forEach((e) => {
    if (e.segment !== null && !segments.has(e.segment)) {
      const target = e.endpoint ? `${e.service}.${e.endpoint}` : e.service;
      const path = e.variant === null ? ['flags', flag.key, 'when-on', target, 'segment'] : ['flags', flag.key, 'when', e.variant, target, 'segment'];
      unknown.push(at(path, { path, message: message(e.segment) }));
    }
  }));
  s.rollouts.forEach((plan, i) => plan.gates.forEach((g, j) => {
    const seg = g.filter.segment;
    if (seg !== null && !segments.has(seg)) unknown.push(at(['rollout', i, 'gates', j], { path: ['rollout', i, 'gates', j], message: message(seg) }));
  }));
  for (const [path, f] of faultEntries(input)) {
    if (f.segment !== undefined && !segments.has(f.segment)) unknown.push(at([...path, 'segment'], { path: [...path, 'segment'], message: message(f.segment) }));
  }
  return unknown;
}

const cohorts = new Map<string, Cohort>();

/** Inline cohorts are made once per process and reused: the same spec always gives the same users. */
function inlineCohort(name: string, size: number, seed: number, segments: Readonly<Record<string, number>> | null, attributes: readonly AttributeSpec[]): Cohort {
  const key = JSON.stringify([name, size, seed, segments, attributes]);
  let c = cohorts.get(key);
  if (!c) {
    c = deferredCohort({ name, size, seed, segments: segments ?? undefined, attributes });
    if (cohorts.size > 16) cohorts.clear();
    cohorts.set(key, c);
  }
  return c;
}

