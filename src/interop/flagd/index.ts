/**
 * flagd / OpenFeature flag definitions (flagd.dev/schema/v0/flags.json): read, checked, and evaluated by
 * flagd's own evaluator, @openfeature/flagd-core, in its interpreter mode (no code is generated from a rule),
 * with the OpenFeature SDK's rule for errors: an evaluation error gives the caller's default, reason ERROR
 * (open-feature/js-sdk packages/server/src/client/internal/open-feature-client.ts).
 */
import { createRequire } from 'node:module';
import { didYouMean, InputError } from '../../errors.js';
import { formatBytes, INPUT_KINDS, readLimits } from '../../files/read.js';
import { murmur3 } from '../../flags/bucketing.js';
import { own, record } from '../../records.js';
import { findings, walkFields } from '../disposition.js';
import { at, formatWarning, invalid, isFlagManifest, isObject, notFlagsHint, type FlagFile, type FlagWarning } from '../document.js';
import { docList, valueTypeOf, type CodeDefault, type Evaluation, type FlagSet, type ImportedFlag, type ImportOptions, type ScenarioParts } from '../flagset.js';
import { FLAGD_DISPOSITIONS, FLAGD_OPERATIONS } from './dispositions.js';
import { checkTargeting, goSubstituted, substitutedLength } from './targeting.js';
import { readOwnProperties } from './own-properties.js';
import { useGoLists } from './go-lists.js';
import { bucketFractionalV3, useGoCore } from './go-core.js';
import { goVariantName } from './go-result.js';
import { fractionalV3Hash, type FractionalVersion } from './fractional.js';
import { flagSetIdOf, parseSelector, selectorOf, setName, type FlagSetId, type Selector } from './flag-sets.js';
import { formatPath, type PathSegment } from '../../scenario/problems.js';
import { Disagreements, placesOf } from './disagreements.js';
import { isOperatorResource, operatorSource } from './operator.js';
import { readByGo } from '../flag-yaml.js';
import { variantTypeWarnings } from './variant-types.js';
import { metadataWarnings } from './metadata.js';
import { quoted, quotedList } from '../../units/escape.js';

export { FLAGD_OPERATIONS };

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

/** What flagd-core is given: flags as an object by key. */
interface FlagdState {
  readonly flags: Record<string, Json>;
  readonly $evaluators?: Json;
  readonly metadata?: Json;
}

/** One flagd source as flagd-core is given it, with which flags of it are served (a later source wins). */
interface Source extends FlagdState {
  readonly file: string;
  /** Each flag's path in the file, and the file:line:column of each operation go-core.ts compares (disagreements.ts). */
  readonly paths?: Record<string, PathSegment[]>;
  readonly places?: Record<string, string>;
}

/** What serve() is given: the sources in order (flagd resolves each one's $ref on its own), the bucketing of
 * fractional, and for each flag key the source that serves it. */
interface FlagdSet {
  readonly sources: readonly Source[];
  readonly fractional: FractionalVersion;
  readonly servedFrom: Record<string, number>;
}

/**
 * Reads flagd files as one flagd instance started with them as sources (`--uri` for each, in order): each file's
 * `$ref` replaced by its own `$evaluators` only (core/pkg/evaluator/json.go transposeEvaluators runs per source,
 * configToFlagDefinition), and a flag defined in several served from the last of them, the source of highest
 * priority (core/pkg/store/store.go: "the higher priority source wins", priority = the source's index).
 */
export function toScenarioParts(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): ScenarioParts {
  const fractional = options.fractional ?? 'v2';
  const selector = parseSelector(options.selector);
  if (selector && 'error' in selector) throw new InputError([`selector: ${selector.error}`]);
  // A file of several YAML documents is the FeatureFlags flagd reads from it, in order (flag-documents.ts).
  const given = docList(docs).flatMap((d) => d.documents ?? [d]);
  if (selector && 'source' in selector) {
    // store.go Get: a source selector reads the flags of that source alone.
    const files = given.map((d) => d.file);
    if (!files.includes(selector.source)) throw new InputError([`selector: no source ${quoted(selector.source)}${didYouMean(selector.source, files)} (sources: ${files.join(', ')})`]);
  }
  // Each YAML file as its reader reads it (flag-yaml.ts): a flagd file as flagd (yaml.v3), an OpenFeature Operator
  // FeatureFlag as Kubernetes (YAML 1.1), then read as the flagd source the operator makes of it (operator.ts).
  const read = given.filter((d) => !(selector && 'source' in selector) || d.file === selector.source)
    .map((d) => readByGo(d, isOperatorResource(d.value) ? 'kubernetes' : 'flagd'));
  const unreadable = read.flatMap((r) => r.refusals);
  if (unreadable.length) throw new InputError(unreadable.map(formatWarning));
  const resources = read.map((r) => {
    const own = operatorSource(r.doc) ?? { doc: r.doc, warnings: [] };
    return { doc: own.doc, warnings: [...r.warnings, ...own.warnings] };
  });
  const list = resources.map((r) => r.doc);
  // Said where a file splits users, unless the scenario names v2 itself (v3 is always said: no flagd runs it yet).
  const note = options.fractional === undefined ? FRACTIONAL_V2_NOTE : fractional === 'v3' ? FRACTIONAL_V3_NOTE : null;
  // Where each evaluator is defined, to name the file of an evaluator a $ref cannot reach.
  const evaluatorFiles = new Map<string, string>();
  for (const doc of list) {
    const v = doc.value;
    if (isObject(v) && isObject(v.$evaluators)) for (const name of Object.keys(v.$evaluators)) if (!evaluatorFiles.has(name)) evaluatorFiles.set(name, doc.file);
  }
  const sources: Source[] = [];
  const byKey = new Map<string, ImportedFlag>();
  const servedFrom = record<number>();
  const warnings: FlagWarning[] = [...docList(docs).flatMap((d) => d.notes ?? []), ...resources.flatMap((r) => r.warnings)];
  const refusals: FlagWarning[] = [];
  list.forEach((doc, i) => {
    const one = readSource(doc, note, evaluatorFiles, selector);
    warnings.push(...one.warnings);
    refusals.push(...one.refusals);
    sources.push(one.source);
    for (const f of one.flags) {
      const earlier = byKey.get(f.key);
      if (earlier) warnings.push(at(earlier.doc, earlier.path, `flag ${quoted(f.key)} is also defined in ${doc.file}, a later source, which flagd serves (core/pkg/store/store.go: the source of higher priority wins)`));
      byKey.set(f.key, f);
      servedFrom[f.key] = i;
    }
  });
  if (refusals.length) throw new InputError(refusals.map(formatWarning));
  if (selector && 'flagSetId' in selector && byKey.size === 0) throw noSuchSet(list, selector.flagSetId);
  const state: FlagdSet = { sources, fractional, servedFrom };
  return { system: 'flagd', flags: [...byKey.values()], warnings, state };
}

/** A flagSetId selector that names no set of the files: an error naming the sets there are, with the closest. */
function noSuchSet(list: readonly FlagFile[], id: FlagSetId): InputError {
  const sets = new Set<FlagSetId>();
  for (const doc of list) {
    const v = doc.value;
    const flags = isObject(v) ? (Array.isArray(v.flags) ? v.flags : isObject(v.flags) ? Object.values(v.flags) : []) : [];
    for (const f of flags) if (isObject(f)) sets.add(flagSetIdOf(isObject(v) ? v.metadata : undefined, f));
  }
  const named = [...sets].filter((x): x is string => x !== null);
  const there = sets.size === 0 ? 'the files hold no flags' : `the flag sets there: ${[...sets].map(setName).join(', ')}`;
  return new InputError([`${list.map((d) => d.file).join(', ')}: selector ${selectorOf(id)} names no flag set of the files${id === null ? '' : didYouMean(id, named)} (${there}): a provider with that selector finds no flag (FLAG_NOT_FOUND)`]);
}

function readSource(doc: FlagFile, note: string | null, evaluatorFiles: ReadonlyMap<string, string>, selector: Selector): { source: Source; flags: ImportedFlag[]; warnings: FlagWarning[]; refusals: FlagWarning[] } {
  const v = doc.value;
  if (!isObject(v) || !(isObject(v.flags) || Array.isArray(v.flags)) || isFlagManifest(v)) throw invalid(doc, ['flags'], `a flagd file has "flags": an object of flag definitions by key, or a list of flags with a key${notFlagsHint(v)}`);
  // OFREP's bulk answer (POST /ofrep/v1/evaluate/flags, as flagd's cheat sheet shows it): flags served, not defined.
  const served = (f: unknown) => isObject(f) && 'key' in f && ('value' in f || 'errorCode' in f) && !('variants' in f) && !('state' in f);
  if (Array.isArray(v.flags) && v.flags.length > 0 && v.flags.every(served)) {
    throw invalid(doc, ['flags'], 'this is an OFREP evaluation answer (each flag\'s key, value, variant and reason as flagd served them for one context), not flag definitions: give the file flagd reads (its --uri)');
  }
  const out = findings();
  walkFields(doc, FLAGD_DISPOSITIONS, 'FlagdFile', v, [], out, 'flagd');
  out.warnings.push(...metadataWarnings(doc, v.metadata, ['metadata']));
  const evaluators = isObject(v.$evaluators) ? v.$evaluators : {};
  // Go flagd reads $evaluators into a map of raw texts and refuses the file (core/pkg/evaluator/json.go
  // transposeEvaluators: "unmarshal", "evaluator object is empty") where it is no object, or an evaluator is
  // written in fewer than three characters ({}, [], "", 1).
  if (v.$evaluators !== undefined && v.$evaluators !== null && !isObject(v.$evaluators)) throw invalid(doc, ['$evaluators'], '$evaluators is an object of rules by name: flagd refuses the file otherwise');
  for (const name of Object.keys(evaluators)) {
    const raw = doc.source && !/\.ya?ml$/i.test(doc.file) ? doc.source(['$evaluators', name]) : JSON.stringify(evaluators[name]);
    if (raw !== null && raw !== undefined && raw.length < 3) throw invalid(doc, ['$evaluators', name], `the evaluator is written ${raw}: flagd refuses the file (core/pkg/evaluator/json.go transposeEvaluators: "evaluator object is empty")`);
  }
  // flagd-core replaces each $ref by its evaluator's text before it parses anything: refuse what it cannot build.
  const substituted = substitutedLength(v);
  const limit = readLimits().bytes.flags;
  if (substituted > limit) {
    throw invalid(doc, ['$evaluators'], `with each {"$ref": name} replaced by its evaluator, as flagd replaces it, the file would be ${Number.isFinite(substituted) ? formatBytes(substituted) : 'too long to count'}, over the ${INPUT_KINDS.flags.what} limit of ${formatBytes(limit)} (raise it with ${INPUT_KINDS.flags.variable})`);
  }
  // The list form of the current schema: flagd-core 4.0.1 would key such flags "0", "1", ...; read each by its key.
  const entries: [string, unknown, (string | number)[]][] = Array.isArray(v.flags)
    ? v.flags.map((f, i) => [isObject(f) && typeof f.key === 'string' ? f.key : '', f, ['flags', i]])
    : Object.entries(v.flags as Json).map(([k, f]) => [k, f, ['flags', k]]);
  const flags = record<Json>();
  const out2: ImportedFlag[] = [];
  let split: (string | number)[] | null = null;
  // Each key's flag as flagd stores it, by flagSetId and key (flag-sets.ts).
  const kept = new Map<string, { set: FlagSetId; path: (string | number)[] }>();
  for (const [key, f, path] of entries) {
    if (!isObject(f)) throw invalid(doc, path, 'a flag definition is an object');
    if (key === '') throw invalid(doc, [...path, 'key'], 'a flag in the list form of flags has its key');
    if (f.state !== 'ENABLED' && f.state !== 'DISABLED') throw invalid(doc, [...path, 'state'], 'state is "ENABLED" or "DISABLED"');
    if (!isObject(f.variants) || Object.keys(f.variants).length === 0) throw invalid(doc, [...path, 'variants'], 'variants is an object of at least one variant');
    if (f.defaultVariant !== undefined && f.defaultVariant !== null && !(typeof f.defaultVariant === 'string' && Object.hasOwn(f.variants, f.defaultVariant))) {
      throw invalid(doc, [...path, 'defaultVariant'], `defaultVariant ${JSON.stringify(f.defaultVariant)} is not one of the variants (${quotedList(Object.keys(f.variants))})`);
    }
    const set = flagSetIdOf(v.metadata, f);
    // A client with a selector reads only the set it names (store.go Get: the query by flagSetId and key).
    if (selector && 'flagSetId' in selector && set !== selector.flagSetId) continue;
    const earlier = kept.get(key);
    if (earlier && earlier.set !== set) {
      const e = at(doc, earlier.path, '');
      out.refusals.push(at(doc, path, `flag ${quoted(key)} is defined in ${setName(set)} here and in ${setName(earlier.set)} at ${e.line ? `${doc.file}:${e.line}:${e.column}` : doc.file}: flagd keeps both (core/pkg/store/store.go: a flag is stored by flagSetId and key) and, without a flagSetId selector, serves whichever its store lists first or last, which for a flag without flagSetId changes each time flagd starts; name the set to rehearse as a provider's selector names it: ${selectorOf(earlier.set)} or ${selectorOf(set)} (flags.from.selector in a scenario, --selector for flags eval and import flags)`));
      continue;
    }
    if (earlier) {
      // store.go Update: the flags of a source are put in a map by flagSetId and key, the later over the earlier.
      out.warnings.push(at(doc, earlier.path, `flag ${quoted(key)} is defined again in the same flag set (${setName(set)}) at ${formatPath(path)}: flagd serves that later definition (core/pkg/store/store.go Update), not this one`));
      out2.splice(out2.findIndex((x) => x.key === key), 1);
    }
    kept.set(key, { set, path });
    const { key: _k, ...definition } = f;
    flags[key] = definition;
    const report = checkTargeting(doc, key, f.targeting, f.variants, evaluators, [...path, 'targeting'], evaluatorFiles);
    report.canFail.push(...variantTypeWarnings(doc, f.variants, f.defaultVariant, [...path, 'variants']));
    report.warnings.push(...metadataWarnings(doc, f.metadata, [...path, 'metadata']));
    out.warnings.push(...report.canFail, ...report.warnings, ...report.clock);
    out.refusals.push(...report.refusals);
    split ??= report.fractional;
    out2.push({
      key, description: isObject(f.metadata) && typeof f.metadata.description === 'string' ? f.metadata.description : '',
      variants: Object.keys(f.variants), requires: [], attributes: [...report.attributes.keys()].sort(),
      reads: [...report.attributes].map(([attribute, p]) => ({ attribute, path: p })), path, doc,
      canFail: report.canFail, valueType: valueTypeOf(Object.values(f.variants)), ...(report.clock.length ? { clock: report.clock } : {}),
    });
  }
  // v2 and v3 put users in different buckets: a file that splits says which bucketing it is rehearsed with.
  if (split && note) out.warnings.push(at(doc, split, note));
  const paths = record<PathSegment[]>();
  for (const f of out2) paths[f.key] = [...f.path];
  const places = placesOf(doc, [...out2.map((f): [unknown, PathSegment[]] => [flags[f.key].targeting, [...f.path, 'targeting']]), ...Object.entries(evaluators).map(([name, body]): [unknown, PathSegment[]] => [body, ['$evaluators', name]])]);
  const source: Source = { file: doc.file, flags, paths, places, ...(isObject(v.$evaluators) ? { $evaluators: v.$evaluators } : {}), ...(isObject(v.metadata) ? { metadata: v.metadata } : {}) };
  return { source, flags: out2, warnings: out.warnings, refusals: out.refusals };
}

const FRACTIONAL_V2_NOTE = 'fractional is bucketed as flagd v2 buckets it (every flagd release to date); flagd v3 (the flagd testbed\'s @fractional-v3) puts users in other buckets: name one with flags.from.fractional (v2 or v3)';
const FRACTIONAL_V3_NOTE = 'fractional is bucketed as flagd v3 buckets it (the flagd testbed\'s @fractional-v3), which no flagd release runs yet: flagd releases bucket as v2, with users in other buckets';

/** The first fractional operation in a targeting rule (outside $ref), or null. */
function findFractional(node: unknown): unknown[] | null {
  if (Array.isArray(node)) {
    for (const x of node) {
      const f = findFractional(x);
      if (f) return f;
    }
  } else if (isObject(node)) {
    for (const [op, args] of Object.entries(node)) {
      if (op === 'fractional' && Array.isArray(args)) return args;
      const f = findFractional(args);
      if (f) return f;
    }
  }
  return null;
}

interface Resolution { value?: unknown; variant?: string; reason: string; errorCode?: string; errorMessage?: string }

interface FlagdCoreLike {
  setConfigurations(text: string): string[];
  getFlag(key: string): { evaluate(ctx: Json, logger?: unknown): Resolution; defaultVariant?: string; variants: Map<string, unknown>; state: string; _targeting?: { _engine?: Parameters<typeof readOwnProperties>[0]; evaluate(flagKey: string, ctx: Json, logger?: unknown): unknown } } | undefined;
  getFlags(): Map<string, unknown>;
  resolve(type: string, key: string, defaultValue: unknown, ctx: Json, logger?: unknown): Resolution;
}

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

export function open(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): FlagSet {
  return serve(toScenarioParts(docs, options).state);
}

/** OpenFeature's flag types, by the type of the caller's default. */
const typeOf = (v: unknown): string => (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' ? typeof v : 'object');

/** A flagd-core instance over one source, with the engines of its flags set as Go flagd evaluates. */
function coreOf(source: Source, fractional: FractionalVersion, disagreements: Disagreements): FlagdCoreLike {
  const { FlagdCore } = require('@openfeature/flagd-core') as { FlagdCore: new (storage?: unknown, logger?: unknown, options?: Json) => FlagdCoreLike };
  // Interpreter mode: flagd-core would otherwise compile each rule with new Function.
  const core = new FlagdCore(undefined, quiet, { disableDynamicCodeGeneration: true });
  // Each $ref replaced as Go flagd replaces it (targeting.ts goSubstituted), not by flagd-core's transform.
  const evaluators = source.$evaluators ?? {};
  const flags = record<Json>();
  for (const [key, definition] of Object.entries(source.flags)) flags[key] = goSubstituted(definition, evaluators, own(source.paths ?? {}, key) ?? ['flags', key]);
  const config = { flags, ...(source.metadata ? { metadata: source.metadata } : {}) };
  try {
    core.setConfigurations(JSON.stringify(config));
  } catch (e) {
    throw new InputError([`${source.file}: not a valid flagd flag configuration (${(e as Error).message})`]);
  }
  // Targeting reads only the context's own properties, as Go flagd reads them (own-properties.ts).
  for (const key of core.getFlags().keys()) {
    const targeting = core.getFlag(key)?._targeting;
    if (!targeting) continue;
    if (!targeting._engine) throw new Error(`flagd-core keeps no interpreter engine for flag ${quoted(key)}: the readers of own properties cannot be put in`);
    readOwnProperties(targeting._engine);
    useGoLists(targeting._engine);
    useGoCore(targeting._engine, disagreements.listen);
    // The result named as Go flagd names it (go-result.ts), not by flagd-core's toString.
    const evaluate = targeting.evaluate.bind(targeting);
    targeting.evaluate = (flagKey, ctx, logger) => goVariantName(evaluate(flagKey, ctx, logger));
    if (fractional === 'v3') bucketFractionalV3(targeting._engine);
  }
  return core;
}

/**
 * The metadata flagd answers an evaluation of `key` with: the flag set's metadata with the flag's own over it
 * (core/pkg/store/store.go Update: patchMetadata(metadata, flag.Metadata)), null values left out
 * (core/pkg/evaluator/json.go evaluateVariant). It changes nothing a user is served; null for no such flag.
 */
export function flagMetadata(input: unknown, key: string): Json | null {
  const set = input as FlagdSet;
  const index = own(set.servedFrom, key);
  if (index === undefined) return null;
  const source = set.sources[index];
  const flag = own(source.flags, key);
  const merged = record<unknown>();
  for (const from of [source.metadata, flag && isObject(flag.metadata) ? flag.metadata : undefined]) {
    if (from) for (const [k, v] of Object.entries(from)) merged[k] = v;
  }
  for (const [k, v] of Object.entries(merged)) if (v === null || v === undefined) delete merged[k];
  return merged;
}

export function serve(input: unknown): FlagSet {
  const set = input as FlagdSet;
  const disagreements = set.sources.map((source) => new Disagreements(source.places ?? {}));
  const cores = set.sources.map((source, i) => coreOf(source, set.fractional, disagreements[i]));
  const keys = Object.keys(set.servedFrom);
  return {
    system: 'flagd',
    keys,
    evaluate(key: string, context: Json, codeDefault?: CodeDefault): Evaluation {
      const index = own(set.servedFrom, key);
      const core = index === undefined ? undefined : cores[index];
      const flag = core?.getFlag(key);
      if (index !== undefined) disagreements[index].next();
      const fallback = codeDefault ? codeDefault.value : null;
      if (!core || !flag) return { flag: key, enabled: fallback === true, variant: null, value: fallback, reason: 'error: FLAG_NOT_FOUND', bucket: null };
      // flagd-core's resolve gives the caller's default on an error, a type mismatch or a disabled flag, as the
      // OpenFeature SDK then serves it; without a default (none named), the flag's own resolution.
      const r = codeDefault ? core.resolve(typeOf(codeDefault.value), key, codeDefault.value, context, quiet) : flag.evaluate(context, quiet);
      const defaultVariant = flag.defaultVariant ?? null;
      if (flag.state === 'DISABLED' || r.reason === 'ERROR' || r.errorCode) {
        // An error of the rule's evaluation is PARSE_ERROR in Go flagd (core/pkg/evaluator/json.go: jsonlogic.Apply
        // fails), GENERAL in flagd-core.
        const code = r.errorCode === 'GENERAL' && r.errorMessage?.startsWith('Error evaluating targeting rule') ? 'PARSE_ERROR' : r.errorCode ?? 'GENERAL';
        const reason = flag.state === 'DISABLED' ? 'disabled' : `error: ${code}${r.errorMessage ? ` (${r.errorMessage})` : ''}`;
        return { flag: key, enabled: fallback === true, variant: null, value: fallback, reason, bucket: null };
      }
      const targeting = own(set.sources[index!].flags, key)?.targeting;
      const fractional = findFractional(targeting);
      let bucket: number | null = null;
      // The default bucketing key of fractional: the flag key and the targeting key (v2: their text; v3: the list).
      if (Array.isArray(fractional) && Array.isArray(fractional[0]) && typeof context.targetingKey === 'string') {
        const h = set.fractional === 'v3' ? fractionalV3Hash([key, context.targetingKey]) : murmur3(key + context.targetingKey);
        bucket = Math.round((h / 2 ** 32) * 100 * 1e6) / 1e6;
      }
      const variant = r.variant ?? null;
      // No variant (targeting gave null and the flag has no default variant): the caller's default, reason DEFAULT.
      const value = r.value === undefined ? fallback : r.value;
      const enabled = typeof value === 'boolean' ? value : variant !== null && variant !== defaultVariant;
      const topLevelSplit = isObject(targeting) && 'fractional' in targeting;
      const reason = r.reason === 'TARGETING_MATCH' ? (topLevelSplit ? 'split' : 'targeting match')
        : r.reason === 'STATIC' || r.reason === 'DEFAULT' ? 'default' : r.reason.toLowerCase();
      return { flag: key, enabled, variant, value, reason, bucket };
    },
    contextOf(key, attributes) {
      return { ...attributes, targetingKey: key };
    },
    notes() {
      return disagreements.flatMap((d) => d.lines());
    },
    close() {},
  };
}
