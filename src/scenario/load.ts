/**
 * Reading scenario files: the I/O edge of the scenario layer. YAML (and so JSON) is parsed with positions, the
 * result validated against the schema, then normalized. Every expected failure comes back as problems that
 * name the path inside the file and, where the file has one, its line and column.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { generateCohort, type Cohort } from '../cohorts/cohort.js';
import { readCohortFile } from '../cohorts/file.js';
import { LineCounter, parseDocument, isMap, isSeq, isPair, isScalar, type Document, type Node } from 'yaml';
import type { z } from 'zod';
import { normalize } from './normalize.js';
import { didYouMean, type PathSegment, type Problem } from './problems.js';
import { ScenarioFile, type ScenarioInput } from './schema.js';
import type { Scenario } from './types.js';

export type Loaded = { ok: true; scenario: Scenario; input: ScenarioInput } | { ok: false; problems: Problem[] };

/** Loads a scenario, with one of its cases applied when `caseName` is given. */
export function loadScenarioFile(file: string, caseName?: string): Loaded {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a scenario file' : String((err as Error).message);
    return { ok: false, problems: [{ path: [], message: `cannot read the scenario: ${why}` }] };
  }
  return parseScenarioText(text, dirname(file), caseName);
}

/** Parses scenario text; a cohort file it names is read relative to `baseDir`. */
export function parseScenarioText(text: string, baseDir = '.', caseName?: string): Loaded {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length) {
    return {
      ok: false,
      problems: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { path: [], message: `invalid YAML: ${e.message.split('\n')[0]}`, line: pos.line, column: pos.col };
      }),
    };
  }
  const raw: unknown = doc.toJS();
  const at = (path: readonly PathSegment[], p: Omit<Problem, 'line' | 'column'>): Problem => {
    const offset = locate(doc, path);
    if (offset === undefined) return p;
    const pos = lineCounter.linePos(offset);
    return { ...p, line: pos.line, column: pos.col };
  };
  return fromObject(raw, at, baseDir, caseName);
}

/** A scenario from an object already parsed (a sweep's patched copy): problems carry paths, not lines. */
export function parseScenarioObject(raw: unknown, baseDir = '.', caseName?: string): Loaded {
  return fromObject(raw, (_path, p) => p, baseDir, caseName);
}

type Locate = (path: readonly PathSegment[], p: Omit<Problem, 'line' | 'column'>) => Problem;

function fromObject(raw: unknown, at: Locate, baseDir: string, caseName: string | undefined): Loaded {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [{ path: [], message: 'a scenario is a mapping with name, traffic, journeys and services' }] };
  }
  let parsed = ScenarioFile.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: flattenIssues(parsed.error.issues, raw).map((p) => at(p.path, p)) };
  }
  // A case: its patch merged into the scenario, and problems it causes pointed at the patch where it says so.
  let where = (path: readonly PathSegment[], p: Omit<Problem, 'line' | 'column'>) => at(path, p);
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
      return { ok: false, problems: flattenIssues(parsed.error.issues, merged).map((p) => where(p.path, p)) };
    }
  }
  const normalized = normalize(parsed.data);
  if (!normalized.ok) return { ok: false, problems: normalized.problems.map((p) => where(p.path, p)) };
  const s = { ...normalized.scenario, caseName: caseName ?? null };
  const spec = s.cohort;
  if (spec === null) return { ok: true, scenario: s, input: parsed.data };
  let population: Cohort;
  if (spec.kind === 'inline') {
    population = inlineCohort(`${s.name}-users`, spec.size, spec.seed, spec.segments);
  } else {
    const read = readCohortFile(resolve(baseDir, spec.path));
    if (!read.ok) {
      const where = read.path ? ` at ${read.path}` : '';
      return { ok: false, problems: [at(['traffic', 'cohort'], { path: ['traffic', 'cohort'], message: `cohort file ${spec.path}${where}: ${read.message}` })] };
    }
    population = read.cohort;
  }
  // Gates that select a segment must name one the users have.
  const segments = new Set([...Object.keys(population.segments), ...population.segment]);
  const unknown: Problem[] = [];
  s.flags.forEach((flag) => flag.effects.forEach((e) => {
    if (e.segment !== null && !segments.has(e.segment)) {
      const path = ['flags', flag.key, 'when-on', e.endpoint ? `${e.service}.${e.endpoint}` : e.service, 'segment'];
      unknown.push(at(path, { path, message: `unknown segment "${e.segment}"${didYouMean(e.segment, segments)} (segments: ${[...segments].join(', ')})` }));
    }
  }));
  s.rollouts.forEach((plan, i) => plan.gates.forEach((g, j) => {
    const seg = g.filter.segment;
    if (seg !== null && !segments.has(seg)) {
      unknown.push(at(['rollout', i, 'gates', j], { path: ['rollout', i, 'gates', j], message: `unknown segment "${seg}"${didYouMean(seg, segments)} (segments: ${[...segments].join(', ')})` }));
    }
  }));
  if (unknown.length) return { ok: false, problems: unknown };
  return { ok: true, scenario: { ...s, population }, input: parsed.data };
}

/** Offset of the node at `path` (the key itself when the value is missing). */
function locate(doc: Document, path: readonly PathSegment[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = (node as Node | null)?.range?.[0];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((it) => isPair(it) && isScalar(it.key) && String(it.key.value) === String(seg));
      if (!pair) return offset;
      offset = (pair.key as Node).range?.[0] ?? offset;
      node = pair.value;
      if (node && (node as Node).range) offset = (node as Node).range![0];
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
      if (!node) return offset;
      offset = (node as Node).range?.[0] ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

type Issue = z.core.$ZodIssue;

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

const cohorts = new Map<string, Cohort>();

/** Inline cohorts are made once per process and reused: the same spec always gives the same users. */
function inlineCohort(name: string, size: number, seed: number, segments: Readonly<Record<string, number>> | null): Cohort {
  const key = JSON.stringify([name, size, seed, segments]);
  let c = cohorts.get(key);
  if (!c) {
    c = generateCohort({ name, size, seed, segments: segments ?? undefined });
    if (cohorts.size > 16) cohorts.clear();
    cohorts.set(key, c);
  }
  return c;
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
  for (const [k, v] of Object.entries(patch)) out[k] = mergePatch(out[k], v);
  return out;
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[seg as string];
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
        return shape[String(seg)] ? [shape[String(seg)]] : [];
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
