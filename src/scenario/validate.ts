/**
 * Plain data checked against the scenario schema: problems in the scenario's own terms (unknown keys with the
 * keys allowed there and a suggestion, union failures reduced to the branch the author meant), and cases
 * merged in. Pure.
 */
import type { z } from 'zod';
import { didYouMean } from '../errors.js';
import { quoted, quotedList } from '../units/escape.js';
import { PLAIN } from '../units/issues.js';
import { own, RESERVED_NAME } from '../records.js';
import { capped, MAX_PROBLEMS, type Locate } from './parse.js';
import type { PathSegment, Problem } from './problems.js';
import { LIMITS } from './defaults.js';
import { caseNames, ScenarioFile, type ScenarioInput } from './schema.js';

export type Validated = { ok: true; input: ScenarioInput; where: Locate } | { ok: false; problems: Problem[] };

/**
 * Plain data checked against the scenario schema, with a case's patch merged in when `caseName` is given;
 * problems a case causes are pointed at the patch where it says so (`where`).
 */
export function validateScenario(raw: unknown, at: Locate, caseName?: string): Validated {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: [], message: 'a scenario is a mapping with name, traffic, journeys and services' }] };
  }
  const whole = validateWhole(raw, at);
  if (!whole.validated.ok || caseName === undefined) return whole.validated;
  // A case: its patch merged into the scenario, and problems it causes pointed at the patch where it says so.
  const input = whole.validated.input;
  const cases = input.cases ?? {};
  const patch = cases[caseName];
  if (!patch) {
    const names = Object.keys(cases);
    return { ok: false, problems: [{ path: ['cases'], message: names.length ? `no case ${quoted(caseName)}${didYouMean(caseName, names)} (cases: ${quotedList(names)})` : `no case ${quoted(caseName)}: the scenario has no cases` }] };
  }
  // The cases themselves are the scenario's (a case holds none), checked once with the whole file: each case's
  // scenario is parsed without them, so that a file of many cases is not parsed again whole for each.
  const { cases: _cases, ...base } = whole.raw;
  // A case's top-level keys that start with "x-" are the author's own, as the scenario's are.
  const merged = mergePatch(base, Object.fromEntries(Object.entries(patch).filter(([k]) => !k.startsWith('x-'))));
  // A problem at a value the case wrote is at its place in the patch, and named by that path
  // (cases.broken.flags.f...); one at a value the scenario wrote is there, and names the case it arose in.
  const where: Locate = (path, p) => {
    // Whether the value at `path` in the merged scenario, or its absence, is the patch's: the patch writes it, or
    // replaces a value above it whole.
    if (patchAt(whole.raw, patch, path).written) {
      const real = ['cases', caseName, ...path];
      return at(real, { ...p, path: real });
    }
    const located = at(path, p);
    return { ...located, message: `case ${caseName}: ${located.message}` };
  };
  const parsed = ScenarioFile.safeParse(merged, PLAIN);
  if (!parsed.success) {
    return { ok: false, problems: capped(flattenFirst(parsed.error.issues, merged), (p) => where(p.path, p)) };
  }
  return { ok: true, input: { ...parsed.data, cases: input.cases }, where };
}

interface Whole { readonly validated: Validated; readonly raw: Record<string, unknown> }
/** The checks of a whole file, by file and place-finder: loading a scenario validates it once and once per case. */
const wholes = new WeakMap<object, WeakMap<Locate, Whole>>();

/** The file checked whole: reserved names, the schema, and the names its cases give. */
function validateWhole(file: object, at: Locate): Whole {
  const known = wholes.get(file)?.get(at);
  if (known) return known;
  const whole = checkWhole(file, at);
  if (!wholes.has(file)) wholes.set(file, new WeakMap());
  wholes.get(file)!.set(at, whole);
  return whole;
}

function checkWhole(file: object, at: Locate): Whole {
  const missing = missingTopLevel(file);
  const reserved = reservedNames(file);
  // Top-level keys that start with "x-" are the author's own (a place for anchors that merge keys reuse).
  const raw = Object.fromEntries(Object.entries(file).filter(([k]) => !k.startsWith('x-')));
  const fail = (problems: Problem[]): Whole => ({ validated: { ok: false, problems }, raw });
  if (reserved.length) return fail(capped(reserved.map((path) => at(path, { path, key: true, message: `the name ${quoted(RESERVED_NAME)} is reserved (JavaScript's prototype key): choose another name` }))));
  const parsed = ScenarioFile.safeParse(raw, PLAIN);
  if (!parsed.success || missing) {
    // The keys every scenario has, when some are absent, in one sentence rather than one line each.
    const issues = parsed.error?.issues.filter((i) => !(i.path.length === 1 && missing?.keys.includes(String(i.path[0])))) ?? [];
    return fail(capped([...(missing ? [missing.problem] : []), ...flattenFirst(issues, raw)], (p) => at(p.path, p)));
  }
  const count = caseNames(parsed.data).length;
  if (count > LIMITS.cases) {
    const path = ['cases'];
    return fail([at(path, { path, key: true, message: `${count.toLocaleString('en-US')} cases: at most ${LIMITS.cases.toLocaleString('en-US')} in a scenario (each is checked whenever the file loads)` })]);
  }
  // Every case changes what the scenario defines: a name it gives that the scenario lacks is a mistake.
  const unknown = unknownNames(raw, parsed.data.cases ?? {}, at);
  if (unknown.length) return fail(capped(unknown));
  return { validated: { ok: true, input: parsed.data, where: at }, raw };
}

type Issue = z.core.$ZodIssue;

/** The maps of named things a scenario defines, as [path, what one is called], an endpoint's under its service. */
const DEFINED: readonly [string, string][] = [['services', 'service'], ['journeys', 'journey'], ['flags', 'flag'], ['faults-catalogue', 'catalogue fault']];

/**
 * What names a scenario's runs, which a case cannot change: ci baselines find a case by its scenario's name and
 * the case's; a sweep's runs are a policy, a case and one of the seeds it gives, planned from the scenario's tune
 * block; reports are titled by the name. Cases compared under one seed are compared like with like.
 */
const IDENTITY: readonly [string, string][] = [
  ['name', 'ci baselines, sweeps and reports know a case as the scenario\'s name and the case\'s'],
  ['seed', 'every case runs on the scenario\'s seed (a sweep gives its own seeds, ci --seed one), so that cases differ only in what they vary'],
  ['tune', 'a sweep plans its runs from the scenario\'s tune block, over its cases: a case\'s would never be read'],
];

/**
 * Names in cases' patches that the scenario does not define (a misspelt flag would otherwise become a new,
 * incomplete one): each at its key in the patch, with the nearest name the scenario has.
 */
function unknownNames(raw: Record<string, unknown>, cases: Record<string, Record<string, unknown>>, at: Locate): Problem[] {
  const out: Problem[] = [];
  const keysOf = (v: unknown): string[] => (v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : []);
  const check = (name: string, patch: unknown, base: unknown, path: PathSegment[], what: string, of: string) => {
    const have = keysOf(base).filter((k) => !(path.length === 1 && path[0] === 'flags' && k === 'from'));
    for (const key of keysOf(patch)) {
      if (own(base as Record<string, unknown>, key) !== undefined || (path.length === 1 && path[0] === 'flags' && key === 'from')) continue;
      const message = `unknown ${what} ${quoted(key)}${didYouMean(key, have)} (${have.length ? `a case changes ${of}: ${quotedList(have)}` : `${of.replace(/^the /, '')}: none`})`;
      const real = ['cases', name, ...path, key];
      out.push(at(real, { path: real, key: true, message }));
    }
  };
  for (const [name, patch] of Object.entries(cases)) {
    // The merged scenario's cases would be the patch's, never run: cases do not nest.
    if (own(patch, 'cases') !== undefined) {
      const real = ['cases', name, 'cases'];
      out.push(at(real, { path: real, key: true, message: 'a case cannot hold cases (cases do not nest): define each case beside the others under the top-level cases' }));
    }
    for (const [key, why] of IDENTITY) {
      if (own(patch, key) === undefined) continue;
      const real = ['cases', name, key];
      out.push(at(real, { path: real, key: true, message: `a case cannot change the scenario's ${key}: ${why}; a case varies what the scenario defines (traffic, journeys, services, flags, rollout, faults, slo, acceptance...), never what names its runs (name, seed, tune)` }));
    }
    for (const [key, what] of DEFINED) check(name, own(patch, key), own(raw, key), [key], what, `the scenario's ${key}`);
    const services = own(patch, 'services');
    for (const service of keysOf(services)) {
      const base = own(raw.services as Record<string, unknown>, service) as Record<string, unknown> | undefined;
      if (base === undefined || base === null) continue;
      const endpoints = own(own(services as Record<string, unknown>, service) as Record<string, unknown>, 'endpoints');
      check(name, endpoints, own(base, 'endpoints'), ['services', service, 'endpoints'], 'endpoint', `the endpoints of ${quoted(service)}`);
    }
  }
  return out;
}

/** What each key every scenario has holds, for the sentence that names those a file lacks. */
const REQUIRED: readonly [string, string][] = [
  ['name', 'a name'], ['traffic', 'traffic (how users arrive)'], ['journeys', 'journeys (what they do)'], ['services', 'services (what those call)'],
];

/** The keys every scenario has that this one lacks, as one problem; null when none is missing. */
function missingTopLevel(raw: object): { keys: string[]; problem: Problem } | null {
  const absent = REQUIRED.filter(([k]) => own(raw as Record<string, unknown>, k) === undefined);
  if (absent.length === 0) return null;
  const list = (xs: string[]) => (xs.length === 1 ? xs[0] : `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`);
  const have = Object.keys(raw).filter((k) => !k.startsWith('x-'));
  const message = `a scenario has ${list(REQUIRED.map(([, what]) => what))}: this file has no ${list(absent.map(([k]) => k)).replace(/ and ([^ ]+)$/, ' or $1')}`
    + (have.length === 0 ? ' (it is empty)' : absent.length === REQUIRED.length ? ` (it has ${have.slice(0, 6).map(quoted).join(', ')}${have.length > 6 ? ', ...' : ''}: is it a scenario?)` : '');
  return { keys: absent.map(([k]) => k), problem: { path: [], message } };
}

/**
 * Issues as problems, the first MAX_PROBLEMS in full; the rest only counted (a file with hundreds of thousands
 * of mistakes must not spend seconds on hints no one reads).
 */
function flattenFirst(issues: readonly Issue[], raw: unknown): Problem[] {
  const out: Problem[] = [];
  let i = 0;
  for (; i < issues.length && out.length <= MAX_PROBLEMS; i++) out.push(...flattenIssues([issues[i]], raw));
  for (; i < issues.length; i++) {
    const issue = issues[i];
    const n = issue.code === 'unrecognized_keys' ? issue.keys.length : 1;
    for (let k = 0; k < n; k++) out.push({ path: issue.path as PathSegment[], message: issue.message });
  }
  return out;
}

/**
 * A key a scheduled fault takes and a catalogue fault does not, with why: a catalogue fault is named by its key and
 * starts when a person injects it.
 */
function catalogueKey(path: readonly PathSegment[], key: string): string | null {
  if (path.length !== 2 || path[0] !== 'faults-catalogue') return null;
  if (key === 'name') return `a catalogue fault is named by its key (${quoted(String(path[1]))}): leave out name`;
  if (key === 'at') return 'a catalogue fault starts when a person injects it during a game day: leave out at (a fault at a set time goes in faults)';
  return null;
}

/** Zod issues as problems: union failures reduced to the branch that got furthest, unknown keys with a hint. */
export function flattenIssues(issues: readonly Issue[], raw: unknown, base: readonly PathSegment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union' && issue.errors.length === 0 && 'options' in issue) {
      const options = (issue as { options: unknown[] }).options.map(String);
      const given = valueAt(raw, path);
      const hint = typeof given === 'string' ? didYouMean(given, options) : '';
      const what = given === undefined ? `missing ${quoted(String(path.at(-1)))}` : `unknown ${String(path.at(-1))} ${typeof given === 'string' ? quoted(given) : JSON.stringify(given)}`;
      out.push({ path, message: `${what}: expected one of ${options.join(', ')}${hint}` });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...flattenIssues(bestBranch(issue.errors, raw, path), raw, path));
    } else if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(path);
      const here = valueAt(raw, path) as Record<string, unknown> | undefined;
      const tag = typeof here?.dist === 'string' ? `dist: ${here.dist}` : typeof here?.kind === 'string' ? `kind: ${here.kind}` : null;
      const valid = validKeys(path, here);
      for (const key of issue.keys) {
        const catalogued = catalogueKey(path, key);
        if (catalogued) {
          out.push({ path: [...path, key], key: true, message: catalogued });
          continue;
        }
        // A key that other forms of this object take (p50 beside dist: empirical) does not go with this one.
        out.push({
          path: [...path, key],
          key: true,
          message: known.includes(key)
            ? `key ${quoted(key)} does not go with ${tag ?? 'the other keys here'}${valid ? ` (keys here: ${valid})` : ''}`
            : `unknown key ${quoted(key)}${didYouMean(key, known)}${valid ? ` (keys here: ${valid})` : ''}`,
        });
      }
    } else if (issue.code === 'invalid_value' && issue.values.length > 1) {
      const given = valueAt(raw, path);
      const hint = typeof given === 'string' ? didYouMean(given, issue.values.map(String)) : '';
      // The error map (units/issues.ts) gives the hint already where it saw the text: said once, not twice.
      out.push({ path, message: issue.message.endsWith(hint) ? issue.message : `${issue.message}${hint}` });
    } else {
      out.push({ path, message: issue.message });
    }
  }
  return out;
}

/**
 * The union branch the author most likely meant: fewest keys it does not know, then issues that reach deepest
 * into the input, then fewest issues.
 */
function bestBranch(branches: readonly (readonly Issue[])[], raw: unknown, base: readonly PathSegment[]): readonly Issue[] {
  let best = branches[0];
  let bestScore = -Infinity;
  for (const b of branches) {
    const flat = flattenIssues(b, raw, base);
    const unknownKeys = flat.filter((p) => p.message.startsWith('unknown key')).length;
    const depth = Math.max(0, ...flat.map((p) => p.path.length));
    const score = -unknownKeys * 1000 + depth * 10 - flat.length;
    if (score > bestScore) {
      bestScore = score;
      best = b;
    }
  }
  return best;
}

/**
 * Objects merge key by key; anything else (lists included) in the patch replaces. An object that names its
 * `dist` or `kind` replaces whole: a distribution of another kind shares no parameters with the old one.
 */
function mergePatch(base: unknown, patch: unknown): unknown {
  if (replaces(base, patch)) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch as Record<string, unknown>)) out[k] = mergePatch(own(out, k), v);
  return out;
}

/** Whether a patch's value takes the place of the scenario's whole (a list, a value that is no mapping, a
 * distribution or a fault of its own kind) rather than merging into it. */
function replaces(base: unknown, patch: unknown): boolean {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return true;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return true;
  return 'dist' in patch || 'kind' in patch;
}

/**
 * What a case's patch does at `path`: whether it writes the value there (or replaces a value above it whole), and
 * if so, the scenario's own value it takes the place of (undefined: none, or one the patch replaced above it whole).
 */
export function patchAt(base: unknown, patch: unknown, path: readonly PathSegment[]): { written: boolean; replaced: unknown } {
  let b = base, p = patch;
  for (const seg of path) {
    if (p === undefined) return { written: false, replaced: undefined };
    if (replaces(b, p)) return { written: true, replaced: undefined };
    b = valueAt(b, [seg]);
    p = valueAt(p, [seg]);
  }
  return p === undefined ? { written: false, replaced: undefined } : { written: true, replaced: b };
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = own(v as Record<string, unknown>, String(seg));
  }
  return v;
}

/**
 * The keys allowed at `path`, for a message: those of the form the object has (its dist or kind), else all
 * forms'; at the top level, the author's own keys start with x-. Empty when there are too many to list.
 */
function validKeys(path: readonly PathSegment[], here: Record<string, unknown> | undefined): string {
  const forms = formsAt(path);
  const tagged = forms.filter((f) => ['dist', 'kind'].some((t) => typeof here?.[t] === 'string' && literalOf(f, t) === here[t]));
  const keys = [...new Set((tagged.length ? tagged : forms).flatMap((f) => Object.keys(f)))];
  if (keys.length === 0 || keys.length > 40) return '';
  return `${keys.join(', ')}${path.length === 0 ? '; keys of your own start with x-' : ''}`;
}

/** The value of the literal field `key` of an object form, when it has one (dist: lognormal). */
function literalOf(shape: Record<string, unknown>, key: string): unknown {
  const def = (shape[key] as { _zod?: { def: { type: string; values?: unknown[] } } } | undefined)?._zod?.def;
  return def?.type === 'literal' ? def.values?.[0] : undefined;
}

/** Keys the schema allows for the object at `path`, for "did you mean" hints. */
function knownKeys(path: readonly PathSegment[]): string[] {
  return [...new Set(formsAt(path).flatMap((f) => Object.keys(f)))];
}

/** The shapes of the object forms the schema allows at `path`. */
function formsAt(path: readonly PathSegment[]): Record<string, unknown>[] {
  let schemas: unknown[] = [ScenarioFile];
  for (const seg of path) {
    schemas = schemas.flatMap(unwrap).flatMap((s) => {
      const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (def.type === 'object') {
        const shape = def.shape as Record<string, unknown>;
        const field = own(shape, String(seg)) ?? def.catchall;
        return field ? [field] : [];
      }
      if (def.type === 'record') return [def.valueType];
      if (def.type === 'array') return [def.element];
      return [];
    });
  }
  return schemas.flatMap(unwrap).flatMap((s) => {
    const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
    if (def.type === 'object') return [def.shape as Record<string, unknown>];
    // A record of named keys (lint.ignore): its keys are the names.
    const keys = def.type === 'record' ? (def.keyType as { _zod: { def: { type: string; entries?: Record<string, string> } } })._zod.def : null;
    return keys?.type === 'enum' ? [Object.fromEntries(Object.values(keys.entries!).map((k) => [k, def.valueType]))] : [];
  });
}

function unwrap(schema: unknown): unknown[] {
  const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return unwrap(def.innerType);
  if (def.type === 'union') return (def.options as unknown[]).flatMap(unwrap);
  if (def.type === 'pipe') return unwrap(def.in);
  if (def.type === 'lazy') return unwrap((schema as { _zod: { innerType: unknown } })._zod.innerType);
  return [schema];
}

/** Paths of every key named __proto__, at any depth (iterative: input may nest deep). */
function reservedNames(raw: unknown): PathSegment[][] {
  const found: PathSegment[][] = [];
  const stack: { value: unknown; path: PathSegment[] }[] = [{ value: raw, path: [] }];
  while (stack.length && found.length <= MAX_PROBLEMS) {
    const { value, path } = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: [...path, i] }));
      continue;
    }
    for (const key of Object.keys(value)) {
      if (key === RESERVED_NAME) found.push([...path, key]);
      else stack.push({ value: (value as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return found;
}
