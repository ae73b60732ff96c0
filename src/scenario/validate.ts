/**
 * Plain data checked against the scenario schema: problems in the scenario's own terms (unknown keys with the
 * keys allowed there and a suggestion, union failures reduced to the branch the author meant), and cases
 * merged in. Pure.
 */
import type { z } from 'zod';
import { didYouMean } from '../errors.js';
import { own, RESERVED_NAME } from '../records.js';
import { capped, MAX_PROBLEMS, type Locate } from './parse.js';
import type { PathSegment, Problem } from './problems.js';
import { ScenarioFile, type ScenarioInput } from './schema.js';

export type Validated = { ok: true; input: ScenarioInput; where: Locate } | { ok: false; problems: Problem[] };

/**
 * Plain data checked against the scenario schema, with a case's patch merged in when `caseName` is given;
 * problems a case causes are pointed at the patch where it says so (`where`).
 */
export function validateScenario(raw: unknown, at: Locate, caseName?: string): Validated {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: [], message: 'a scenario is a mapping with name, traffic, journeys and services' }] };
  }
  const reserved = reservedNames(raw);
  if (reserved.length) return { ok: false, problems: capped(reserved.map((path) => at(path, { path, message: `the name "${RESERVED_NAME}" is reserved (JavaScript's prototype key): choose another name` }))) };
  // Top-level keys that start with "x-" are the author's own (a place for anchors that merge keys reuse).
  raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('x-')));
  let parsed = ScenarioFile.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: capped(flattenFirst(parsed.error.issues, raw), (p) => at(p.path, p)) };
  }
  // A case: its patch merged into the scenario, and problems it causes pointed at the patch where it says so.
  let where: Locate = (path, p) => at(path, p);
  if (caseName !== undefined) {
    const cases = parsed.data.cases ?? {};
    const patch = cases[caseName];
    if (!patch) {
      const names = Object.keys(cases);
      return { ok: false, problems: [{ path: ['cases'], message: names.length ? `no case "${caseName}"${didYouMean(caseName, names)} (cases: ${names.join(', ')})` : `no case "${caseName}": the scenario has no cases` }] };
    }
    const merged = mergePatch(raw, patch);
    where = (path, p) => {
      const inPatch = valueAt(patch, path) !== undefined;
      const located = at(inPatch ? ['cases', caseName, ...path] : path, p);
      return { ...located, message: `case ${caseName}: ${located.message}` };
    };
    parsed = ScenarioFile.safeParse(merged);
    if (!parsed.success) {
      return { ok: false, problems: capped(flattenFirst(parsed.error.issues, merged), (p) => where(p.path, p)) };
    }
  }
  return { ok: true, input: parsed.data, where };
}

type Issue = z.core.$ZodIssue;

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

/** Zod issues as problems: union failures reduced to the branch that got furthest, unknown keys with a hint. */
export function flattenIssues(issues: readonly Issue[], raw: unknown, base: readonly PathSegment[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of issues) {
    const path = [...base, ...(issue.path as PathSegment[])];
    if (issue.code === 'invalid_union' && issue.errors.length === 0 && 'options' in issue) {
      const options = (issue as { options: unknown[] }).options.map(String);
      const given = valueAt(raw, path);
      const hint = typeof given === 'string' ? didYouMean(given, options) : '';
      const what = given === undefined ? `missing "${String(path.at(-1))}"` : `unknown ${String(path.at(-1))} ${JSON.stringify(given)}`;
      out.push({ path, message: `${what}: expected one of ${options.join(', ')}${hint}` });
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      out.push(...flattenIssues(bestBranch(issue.errors, raw, path), raw, path));
    } else if (issue.code === 'unrecognized_keys') {
      const known = knownKeys(path);
      const here = valueAt(raw, path) as Record<string, unknown> | undefined;
      const tag = typeof here?.dist === 'string' ? `dist: ${here.dist}` : typeof here?.kind === 'string' ? `kind: ${here.kind}` : null;
      for (const key of issue.keys) {
        // A key that other forms of this object take (p50 beside dist: empirical) does not go with this one.
        out.push({
          path: [...path, key],
          message: known.includes(key)
            ? `key "${key}" does not go with ${tag ?? 'the other keys here'}`
            : `unknown key "${key}"${didYouMean(key, known)}`,
        });
      }
    } else if (issue.code === 'invalid_value' && issue.values.length > 1) {
      out.push({ path, message: `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}` });
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
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) return patch;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) return patch;
  if ('dist' in patch || 'kind' in patch) return patch;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(patch)) out[k] = mergePatch(own(out, k), v);
  return out;
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = own(v as Record<string, unknown>, String(seg));
  }
  return v;
}

/** Keys the schema allows for the object at `path`, for "did you mean" hints. */
function knownKeys(path: readonly PathSegment[]): string[] {
  let schemas: unknown[] = [ScenarioFile];
  for (const seg of path) {
    schemas = schemas.flatMap(unwrap).flatMap((s) => {
      const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
      if (def.type === 'object') {
        const shape = def.shape as Record<string, unknown>;
        const field = own(shape, String(seg));
        return field ? [field] : [];
      }
      if (def.type === 'record') return [def.valueType];
      if (def.type === 'array') return [def.element];
      return [];
    });
  }
  return schemas.flatMap(unwrap).flatMap((s) => {
    const def = (s as { _zod: { def: Record<string, unknown> } })._zod.def;
    return def.type === 'object' ? Object.keys(def.shape as object) : [];
  });
}

function unwrap(schema: unknown): unknown[] {
  const def = (schema as { _zod: { def: Record<string, unknown> } })._zod.def;
  if (def.type === 'optional' || def.type === 'nullable' || def.type === 'default') return unwrap(def.innerType);
  if (def.type === 'union') return (def.options as unknown[]).flatMap(unwrap);
  if (def.type === 'pipe') return unwrap(def.in);
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
