/**
 * Reading scenario files: the I/O edge of the scenario layer. YAML (and so JSON) is parsed with positions, the
 * result validated against the schema, then normalized. Every expected failure comes back as problems that
 * name the path inside the file and, where the file has one, its line and column.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { AttributeSpec } from '../cohorts/attributes.js';
import { attributeNames, generateCohort, type Cohort } from '../cohorts/cohort.js';
import { ExpressionError, parseExpression } from '../lang/expression.js';
import { readCohortFile } from '../cohorts/file.js';
import { LineCounter, parseDocument, isAlias, isMap, isSeq, isPair, isScalar, type Document, type Node, type Scalar } from 'yaml';
import type { z } from 'zod';
import { LIMITS } from './defaults.js';
import { servedTo } from '../interop/serve.js';
import { readFlagSources } from '../interop/sources.js';
import { InputError } from '../errors.js';
import { normalize } from './normalize.js';
import { applyPatches } from '../interop/patch.js';
import { locate, type PathSegment, type Problem } from './problems.js';
import { didYouMean } from '../errors.js';
import { ScenarioFile, type ScenarioInput } from './schema.js';
import type { Scenario } from './types.js';

/** `warnings`: what flag files use that rehearse does not model, as file:line:column: path: message lines. */
export type Loaded = { ok: true; scenario: Scenario; input: ScenarioInput; warnings: string[] } | { ok: false; problems: Problem[] };

/** Loads a scenario, with one of its cases applied when `caseName` is given. */
export function loadScenarioFile(file: string, caseName?: string): Loaded {
  let text: string;
  try {
    // A device, a FIFO or a directory would be read forever or fail obscurely: only regular files.
    const st = statSync(file);
    if (!st.isFile()) return { ok: false, problems: [{ path: [], message: `cannot read the scenario: ${st.isDirectory() ? 'is a directory, not a scenario file' : 'not a regular file'}` }] };
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a scenario file' : String((err as Error).message);
    return { ok: false, problems: [{ path: [], message: `cannot read the scenario: ${why}` }] };
  }
  return parseScenarioText(text, dirname(file), caseName, /\.json$/i.test(file) ? 'JSON' : 'YAML');
}

/** Deeper than this, a document is refused before anything walks it (scenarios nest a handful of levels). */
export const MAX_NESTING = 200;

/** Parses scenario text; a cohort file it names is read relative to `baseDir`. */
export function parseScenarioText(text: string, baseDir = '.', caseName?: string, syntax: 'YAML' | 'JSON' = 'YAML'): Loaded {
  const lineCounter = new LineCounter();
  const positioned = (offset: number, message: string, path: PathSegment[] = []): Problem => {
    const pos = lineCounter.linePos(offset);
    return { path, message, line: pos.line, column: pos.col };
  };
  const tooDeep = `nesting too deep (more than ${MAX_NESTING} levels)`;
  // A JSON file is held to JSON's own syntax (YAML would accept a trailing comma or a missing value).
  let jsonError: string | undefined;
  let jsonOffset: number | undefined;
  if (syntax === 'JSON') {
    try {
      JSON.parse(text);
    } catch (err) {
      jsonError = firstLine(String((err as Error).message ?? err).replace(/ in JSON at position \d+.*$/s, '').replace(/, \.\.\.".*" is not valid JSON$/s, ''));
      const m = /at position (\d+)/.exec(firstLine(err));
      if (m) jsonOffset = Number(m[1]);
    }
  }
  // Merge keys (`<<: *defaults`) are supported, as YAML 1.1 defines them. Duplicate keys are checked below in
  // one pass over the nodes: the yaml library's own check (uniqueKeys) compares every key with every other.
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: false, merge: true, prettyErrors: false });
  } catch (err) {
    if (jsonError !== undefined) return { ok: false, problems: [jsonOffset === undefined ? { path: [], message: `invalid JSON: ${jsonError}` } : positioned(jsonOffset, `invalid JSON: ${jsonError}`)] };
    const message = isStackOverflow(err) ? `invalid ${syntax}: ${tooDeep}` : `invalid ${syntax}: ${firstLine(err)}`;
    return { ok: false, problems: [{ path: [], message }] };
  }
  if (jsonError !== undefined) {
    const offset = jsonOffset ?? doc.errors[0]?.pos[0];
    return { ok: false, problems: [offset === undefined ? { path: [], message: `invalid JSON: ${jsonError}` } : positioned(offset, `invalid JSON: ${jsonError}`)] };
  }
  if (doc.errors.length) {
    return {
      ok: false,
      problems: capped(doc.errors.map((e) => positioned(e.pos[0], `invalid ${syntax}: ${e.code === 'RESOURCE_EXHAUSTION' && /call stack/i.test(e.message) ? tooDeep : e.message.split('\n')[0]}`))),
    };
  }
  const deep = deepNode(doc, MAX_NESTING);
  if (deep !== undefined) return { ok: false, problems: [positioned(deep, `invalid ${syntax}: ${tooDeep}`)] };
  const badMerge = badMergeSource(doc);
  if (badMerge) return { ok: false, problems: [positioned(badMerge.offset, `invalid ${syntax}: a merge key (<<) takes a mapping, an alias of one or a list of them`, badMerge.path)] };
  const duplicates = duplicateKeys(doc).map((key) => positioned(key.range?.[0] ?? 0, `invalid YAML: duplicate key "${String((key as Scalar).value)}"`));
  if (duplicates.length) return { ok: false, problems: capped(duplicates) };
  let raw: unknown;
  try {
    // Converting to plain data resolves aliases and merge keys: an alias before its anchor, a merge of
    // something that is not a mapping and the library's guard against alias bombs all throw here.
    raw = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const where = aliasAt(doc, err);
    const message = isStackOverflow(err) ? `invalid ${syntax}: ${tooDeep}` : `invalid ${syntax}: ${firstLine(err)}`;
    return { ok: false, problems: [where === undefined ? { path: [], message } : positioned(where, message)] };
  }
  const at = (path: readonly PathSegment[], p: Omit<Problem, 'line' | 'column'>): Problem => {
    const offset = locate(doc, path);
    if (offset === undefined) return p;
    const pos = lineCounter.linePos(offset);
    return { ...p, line: pos.line, column: pos.col };
  };
  const loop = cycleIn(raw);
  if (loop) return { ok: false, problems: [at(loop, { path: loop, message: 'invalid YAML: an alias inside the mapping or list it names (a structure that contains itself)' })] };
  return fromObject(raw, at, baseDir, caseName);
}

/**
 * The path of a value that contains itself (an alias inside its own anchor), or null. Iterative, and each
 * object is walked once however many aliases share it.
 */
function cycleIn(raw: unknown): PathSegment[] | null {
  const done = new Set<object>();
  const onPath = new Set<object>();
  const stack: { value: object; keys: string[]; next: number; path: PathSegment[] }[] = [];
  const enter = (value: unknown, path: PathSegment[]): PathSegment[] | null => {
    if (value === null || typeof value !== 'object' || done.has(value)) return null;
    if (onPath.has(value)) return path;
    onPath.add(value);
    stack.push({ value, keys: Object.keys(value), next: 0, path });
    return null;
  };
  enter(raw, []);
  while (stack.length) {
    const top = stack[stack.length - 1];
    if (top.next >= top.keys.length) {
      stack.pop();
      onPath.delete(top.value);
      done.add(top.value);
      continue;
    }
    const key = top.keys[top.next++];
    const seg: PathSegment = Array.isArray(top.value) ? Number(key) : key;
    const found = enter((top.value as Record<string, unknown>)[key], [...top.path, seg]);
    if (found) return found;
  }
  return null;
}

function isStackOverflow(err: unknown): boolean {
  return err instanceof RangeError && /call stack/i.test(String(err.message));
}

/** The offset of the first node nested deeper than `max` collections, or undefined. Iterative. */
function deepNode(doc: Document, max: number): number | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: doc.contents, depth: 0 }];
  while (stack.length) {
    const { node, depth } = stack.pop()!;
    if (isPair(node)) {
      stack.push({ node: node.value, depth }, { node: node.key, depth });
    } else if (isMap(node) || isSeq(node)) {
      if (depth + 1 > max) return node.range?.[0] ?? 0;
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The first merge key (`<<`) whose source is not a mapping, an alias of one or a list of them: where that
 * source is and the path of the key. The yaml library's own message has neither. Iterative.
 */
function badMergeSource(doc: Document): { offset: number; path: PathSegment[] } | undefined {
  const isMapSource = (v: unknown): boolean => isMap(v) || (isAlias(v) && isMap(v.resolve(doc)));
  const stack: { node: unknown; path: PathSegment[] }[] = [{ node: doc.contents, path: [] }];
  while (stack.length) {
    const { node, path } = stack.pop()!;
    if (isMap(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) {
        const pair = node.items[i];
        const key = isScalar(pair.key) ? pair.key.value : undefined;
        // With merge keys on, the library reads a plain `<<` key as a symbol.
        if (key === '<<' || (typeof key === 'symbol' && key.description === '<<')) {
          const v = pair.value;
          const bad = isSeq(v) ? v.items.find((item) => !isMapSource(item)) : isMapSource(v) ? undefined : v;
          if (bad !== undefined || (isSeq(v) && v.items.length === 0)) {
            const at: number = (bad as Node | null | undefined)?.range?.[0] ?? (v as Node | null)?.range?.[0] ?? (pair.key as Node | null)?.range?.[0] ?? 0;
            return { offset: at, path: [...path, '<<'] };
          }
          continue;
        }
        stack.push({ node: pair.value, path: [...path, typeof key === 'number' ? String(key) : String(key ?? '?')] });
      }
    } else if (isSeq(node)) {
      for (let i = node.items.length - 1; i >= 0; i--) stack.push({ node: node.items[i], path: [...path, i] });
    }
  }
  return undefined;
}

function firstLine(err: unknown): string {
  return String((err as Error)?.message ?? err).split('\n')[0];
}

/** The alias an exception of toJS is about (the one it names, else the first), for its line and column. */
function aliasAt(doc: Document, err: unknown): number | undefined {
  const message = String((err as Error)?.message ?? '');
  let named: number | undefined;
  let first: number | undefined;
  for (const node of nodesOf(doc)) {
    if (!isAlias(node)) continue;
    const offset = node.range?.[0];
    first ??= offset;
    if (named === undefined && message.endsWith(`: ${node.source}`)) named = offset;
  }
  return named ?? first;
}

/** Every node of the document, depth first, without recursion (a hostile file may nest thousands deep). */
function* nodesOf(doc: Document): Generator<Node> {
  const stack: unknown[] = [doc.contents];
  while (stack.length) {
    const node = stack.pop();
    if (isPair(node)) {
      stack.push(node.value, node.key);
    } else if (isMap(node) || isSeq(node)) {
      yield node;
      for (let i = node.items.length - 1; i >= 0; i--) stack.push(node.items[i]);
    } else if (node && typeof node === 'object') {
      yield node as Node;
    }
  }
}

/** Keys repeated within one mapping (merge keys excepted), in one pass: a set per mapping. */
function duplicateKeys(doc: Document): Node[] {
  const out: Node[] = [];
  for (const node of nodesOf(doc)) {
    if (!isMap(node)) continue;
    const seen = new Set<unknown>();
    for (const pair of node.items) {
      if (!isScalar(pair.key)) continue;
      const k = pair.key.value;
      if (k === '<<') continue;
      const id = typeof k === 'string' ? k : `${typeof k}:${String(k)}`;
      if (seen.has(id)) out.push(pair.key);
      else seen.add(id);
    }
  }
  return out;
}

/** Beyond this many, a list of problems is cut and the rest counted. */
export const MAX_PROBLEMS = 100;

/** The first MAX_PROBLEMS problems (located by `locate`, only those), then a count of the rest. */
function capped(problems: readonly Problem[], locate: (p: Problem) => Problem = (p) => p): Problem[] {
  const out = problems.slice(0, MAX_PROBLEMS).map(locate);
  const rest = problems.length - out.length;
  if (rest > 0) out.push({ path: [], message: `... and ${rest} more problem${rest === 1 ? '' : 's'}` });
  return out;
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
  // Top-level keys that start with "x-" are the author's own (a place for anchors that merge keys reuse).
  raw = Object.fromEntries(Object.entries(raw).filter(([k]) => !k.startsWith('x-')));
  let parsed = ScenarioFile.safeParse(raw);
  if (!parsed.success) {
    return { ok: false, problems: capped(flattenFirst(parsed.error.issues, raw), (p) => at(p.path, p)) };
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
      return { ok: false, problems: capped(flattenFirst(parsed.error.issues, merged), (p) => where(p.path, p)) };
    }
  }
  const imports = readFlagSources(parsed.data.flags?.from, baseDir);
  if (imports.problems.length) return { ok: false, problems: capped(imports.problems, (p) => where(p.path, p)) };
  const warnings = imports.warnings;
  const read = readResources(parsed.data, baseDir);
  if (read.problems.length) return { ok: false, problems: read.problems };
  const normalized = normalize(parsed.data, imports.sources, read.resources);
  if (!normalized.ok) return { ok: false, problems: capped(normalized.problems, (p) => where(p.path, p)) };
  const s = { ...normalized.scenario, caseName: caseName ?? null };
  const spec = s.cohort;
  if (spec === null) return { ok: true, scenario: s, input: parsed.data, warnings };
  let population: Cohort;
  if (spec.kind === 'inline') {
    if (spec.size > LIMITS.scenarioCohortUsers) {
      const path = ['traffic', 'cohort', 'size'];
      return { ok: false, problems: [at(path, { path, message: `${spec.size.toLocaleString('en-US')} users: at most ${LIMITS.scenarioCohortUsers.toLocaleString('en-US')} in a scenario's cohort (memory)` })] };
    }
    population = inlineCohort(`${s.name}-users`, spec.size, spec.seed, spec.segments, spec.attributes);
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
      const target = e.endpoint ? `${e.service}.${e.endpoint}` : e.service;
      const path = e.variant === null ? ['flags', flag.key, 'when-on', target, 'segment'] : ['flags', flag.key, 'when', e.variant, target, 'segment'];
      unknown.push(at(path, { path, message: `unknown segment "${e.segment}"${didYouMean(e.segment, segments)} (segments: ${[...segments].join(', ')})` }));
    }
  }));
  s.rollouts.forEach((plan, i) => plan.gates.forEach((g, j) => {
    const seg = g.filter.segment;
    if (seg !== null && !segments.has(seg)) {
      unknown.push(at(['rollout', i, 'gates', j], { path: ['rollout', i, 'gates', j], message: `unknown segment "${seg}"${didYouMean(seg, segments)} (segments: ${[...segments].join(', ')})` }));
    }
  }));
  // Expressions name attributes the users carry (a cohort file's own attributes are known only now).
  const names = attributeNames(population);
  const check = (src: string, path: PathSegment[]) => {
    try {
      parseExpression(src, names);
    } catch (e) {
      if (!(e instanceof ExpressionError)) throw e;
      unknown.push(where(path, { path, message: e.pretty() }));
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
        warnings.push(`${r.where}: flag "${f.key}" reads attribute "${r.attribute}", which no user of the cohort has (attributes: ${names.join(', ')}); add it with cohorts generate --attribute or traffic.cohort.attributes`);
      }
    }
  }
  // Flags from flag files: each user's variant, as the flag's own system serves it, once per load.
  let flags;
  try {
    flags = s.flags.map((f) => (f.source ? { ...f, served: servedTo(f.key, f.source, population) } : f));
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { ok: false, problems: e.lines.map((message) => at(['flags', 'from'], { path: ['flags', 'from'], message })) };
  }
  return { ok: true, scenario: { ...s, flags, population }, input: parsed.data, warnings };
}

/** The files of imported resources (argo: rollout and templates) the scenario names, read relative to it. */
function readResources(input: ScenarioInput, baseDir: string): { resources: Map<string, string>; problems: Problem[] } {
  const out = new Map<string, string>();
  const problems: Problem[] = [];
  (input.rollout ?? []).forEach((r, i) => {
    const entry = r.argo ? { main: r.argo.rollout, templates: r.argo.templates ?? [], patches: r.argo.patches, kind: 'argo' }
      : r.flagger ? { main: r.flagger.canary, templates: r.flagger.templates ?? [], patches: r.flagger.patches, kind: 'flagger' } : null;
    if (!entry) return;
    for (const f of [entry.main, ...entry.templates]) {
      if (out.has(f)) continue;
      try {
        out.set(f, readFileSync(resolve(baseDir, f), 'utf8'));
      } catch {
        // reported by the normalizer as a file it cannot read
      }
    }
    if (entry.patches?.length && [entry.main, ...entry.templates].every((f) => out.has(f))) {
      const file = (f: string) => ({ file: f, text: out.get(f)! });
      const patched = applyPatches(file(entry.main), entry.templates.map(file), entry.patches);
      for (const f of patched.files) out.set(f.file, f.text);
      problems.push(...patched.problems.map((message) => ({ path: ['rollout', i, entry.kind, 'patches'], message })));
    }
  });
  return { resources: out, problems };
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

const cohorts = new Map<string, Cohort>();

/** Inline cohorts are made once per process and reused: the same spec always gives the same users. */
function inlineCohort(name: string, size: number, seed: number, segments: Readonly<Record<string, number>> | null, attributes: readonly AttributeSpec[]): Cohort {
  const key = JSON.stringify([name, size, seed, segments, attributes]);
  let c = cohorts.get(key);
  if (!c) {
    c = generateCohort({ name, size, seed, segments: segments ?? undefined, attributes });
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
