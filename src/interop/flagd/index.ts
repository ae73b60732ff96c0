/**
 * flagd / OpenFeature flag definitions (flagd.dev/schema/v0/flags.json): read, checked, and evaluated by
 * flagd's own evaluator, @openfeature/flagd-core, in its interpreter mode (no code is generated from a rule),
 * with the OpenFeature SDK's rule for errors: an evaluation error gives the caller's default, reason ERROR
 * (open-feature/js-sdk packages/server/src/client/internal/open-feature-client.ts).
 */
import { createRequire } from 'node:module';
import { InputError } from '../../errors.js';
import { formatBytes, INPUT_KINDS, readLimits } from '../../files/read.js';
import { murmur3 } from '../../flags/bucketing.js';
import { own, record } from '../../records.js';
import { findings, walkFields } from '../disposition.js';
import { formatWarning, invalid, isObject, type FlagFile } from '../document.js';
import { docList, valueTypeOf, type CodeDefault, type Evaluation, type FlagSet, type ImportedFlag, type ImportOptions, type ScenarioParts } from '../flagset.js';
import { FLAGD_DISPOSITIONS, FLAGD_OPERATIONS } from './dispositions.js';
import { checkTargeting, substitutedLength } from './targeting.js';
import { readOwnProperties } from './own-properties.js';

export { FLAGD_OPERATIONS };

const require = createRequire(import.meta.url);

type Json = Record<string, unknown>;

/** What flagd-core is given: flags as an object by key. */
interface FlagdState {
  readonly flags: Record<string, Json>;
  readonly $evaluators?: Json;
  readonly metadata?: Json;
}

export function toScenarioParts(docs: FlagFile | readonly FlagFile[], _options: ImportOptions = {}): ScenarioParts {
  const [doc, ...more] = docList(docs);
  if (more.length) throw new InputError([`${more[0].file}: one flagd file at a time`]);
  const v = doc.value;
  if (!isObject(v) || !(isObject(v.flags) || Array.isArray(v.flags))) throw invalid(doc, ['flags'], 'a flagd file has "flags": an object of flag definitions by key, or a list of flags with a key');
  const out = findings();
  walkFields(doc, FLAGD_DISPOSITIONS, 'FlagdFile', v, [], out, 'flagd');
  const evaluators = isObject(v.$evaluators) ? v.$evaluators : {};
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
  for (const [key, f, path] of entries) {
    if (!isObject(f)) throw invalid(doc, path, 'a flag definition is an object');
    if (key === '') throw invalid(doc, [...path, 'key'], 'a flag in the list form of flags has its key');
    if (own(flags, key)) throw invalid(doc, path, `flag "${key}" is defined twice`);
    if (f.state !== 'ENABLED' && f.state !== 'DISABLED') throw invalid(doc, [...path, 'state'], 'state is "ENABLED" or "DISABLED"');
    if (!isObject(f.variants) || Object.keys(f.variants).length === 0) throw invalid(doc, [...path, 'variants'], 'variants is an object of at least one variant');
    if (f.defaultVariant !== undefined && f.defaultVariant !== null && !(typeof f.defaultVariant === 'string' && Object.hasOwn(f.variants, f.defaultVariant))) {
      throw invalid(doc, [...path, 'defaultVariant'], `defaultVariant ${JSON.stringify(f.defaultVariant)} is not one of the variants (${Object.keys(f.variants).join(', ')})`);
    }
    const { key: _k, ...definition } = f;
    flags[key] = definition;
    const report = checkTargeting(doc, key, f.targeting, f.variants, evaluators, [...path, 'targeting']);
    out.warnings.push(...report.canFail, ...report.warnings);
    out2.push({
      key, description: isObject(f.metadata) && typeof f.metadata.description === 'string' ? f.metadata.description : '',
      variants: Object.keys(f.variants), requires: [], attributes: [...report.attributes.keys()].sort(),
      reads: [...report.attributes].map(([attribute, p]) => ({ attribute, path: p })), path, doc,
      canFail: report.canFail, valueType: valueTypeOf(Object.values(f.variants)),
    });
  }
  if (out.refusals.length) throw new InputError(out.refusals.map(formatWarning));
  const state: FlagdState = { flags, ...(isObject(v.$evaluators) ? { $evaluators: v.$evaluators } : {}), ...(isObject(v.metadata) ? { metadata: v.metadata } : {}) };
  return { system: 'flagd', flags: out2, warnings: out.warnings, state };
}

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
  getFlag(key: string): { evaluate(ctx: Json, logger?: unknown): Resolution; defaultVariant?: string; variants: Map<string, unknown>; state: string; _targeting?: { _engine?: Parameters<typeof readOwnProperties>[0] } } | undefined;
  getFlags(): Map<string, unknown>;
  resolve(type: string, key: string, defaultValue: unknown, ctx: Json, logger?: unknown): Resolution;
}

const quiet = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

export function open(docs: FlagFile | readonly FlagFile[], options: ImportOptions = {}): FlagSet {
  return serve(toScenarioParts(docs, options).state);
}

/** OpenFeature's flag types, by the type of the caller's default. */
const typeOf = (v: unknown): string => (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number' ? typeof v : 'object');

export function serve(input: unknown): FlagSet {
  const state = input as FlagdState;
  const { FlagdCore } = require('@openfeature/flagd-core') as { FlagdCore: new (storage?: unknown, logger?: unknown, options?: Json) => FlagdCoreLike };
  // Interpreter mode: flagd-core would otherwise compile each rule with new Function.
  const core = new FlagdCore(undefined, quiet, { disableDynamicCodeGeneration: true });
  try {
    core.setConfigurations(JSON.stringify(state));
  } catch (e) {
    throw new InputError([`not a valid flagd flag configuration (${(e as Error).message})`]);
  }
  const keys = [...core.getFlags().keys()];
  // Targeting reads only the context's own properties, as Go flagd reads them (own-properties.ts).
  for (const key of keys) {
    const targeting = core.getFlag(key)?._targeting;
    if (!targeting) continue;
    if (!targeting._engine) throw new Error(`flagd-core keeps no interpreter engine for flag "${key}": the readers of own properties cannot be put in`);
    readOwnProperties(targeting._engine);
  }
  return {
    system: 'flagd',
    keys,
    evaluate(key: string, context: Json, codeDefault?: CodeDefault): Evaluation {
      const flag = core.getFlag(key);
      const fallback = codeDefault ? codeDefault.value : null;
      if (!flag) return { flag: key, enabled: fallback === true, variant: null, value: fallback, reason: 'error: FLAG_NOT_FOUND', bucket: null };
      // flagd-core's resolve gives the caller's default on an error, a type mismatch or a disabled flag, as the
      // OpenFeature SDK then serves it; without a default (none named), the flag's own resolution.
      const r = codeDefault ? core.resolve(typeOf(codeDefault.value), key, codeDefault.value, context, quiet) : flag.evaluate(context, quiet);
      const defaultVariant = flag.defaultVariant ?? null;
      if (flag.state === 'DISABLED' || r.reason === 'ERROR' || r.errorCode) {
        const reason = flag.state === 'DISABLED' ? 'disabled' : `error: ${r.errorCode ?? 'GENERAL'}${r.errorMessage ? ` (${r.errorMessage})` : ''}`;
        return { flag: key, enabled: fallback === true, variant: null, value: fallback, reason, bucket: null };
      }
      const targeting = own(state.flags, key)?.targeting;
      const fractional = findFractional(targeting);
      let bucket: number | null = null;
      // The default bucketing key of fractional: the flag key and the targeting key.
      if (Array.isArray(fractional) && Array.isArray(fractional[0]) && typeof context.targetingKey === 'string') {
        bucket = Math.round((murmur3(key + context.targetingKey) / 2 ** 32) * 100 * 1e6) / 1e6;
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
    close() {},
  };
}
